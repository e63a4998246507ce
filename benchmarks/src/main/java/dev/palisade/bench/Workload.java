package dev.palisade.bench;

import com.google.common.collect.ImmutableSortedMap;

/**
 * A Deployment-like group of pods in one namespace: an {@link App} with the labels its replicas
 * share (app, tier, team, env and the app's own) and how many replicas it has.
 */
record Workload(String namespace, App app, ImmutableSortedMap<String, String> labels,
    int replicas) {

  static Workload of(NamespacePlan namespace, App app, int replicas) {
    ImmutableSortedMap<String, String> labels = ImmutableSortedMap.<String, String>naturalOrder()
        .put("app", app.label)
        .put("tier", app.tier)
        .put("team", namespace.team())
        .put("env", namespace.env())
        .putAll(app.extraLabels)
        .buildOrThrow();
    return new Workload(namespace.name(), app, labels, replicas);
  }
}
