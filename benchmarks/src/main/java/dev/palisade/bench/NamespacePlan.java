package dev.palisade.bench;

import dev.palisade.model.Namespace;
import java.util.Map;

/** A namespace of the synthetic cluster, owned by a team, in one environment. */
record NamespacePlan(String name, String team, String env) {

  Namespace toNamespace() {
    // kubernetes.io/metadata.name is added by Namespace itself, as the API server does
    return Namespace.of(name, Map.of("team", team, "env", env));
  }
}
