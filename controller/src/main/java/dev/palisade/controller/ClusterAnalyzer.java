package dev.palisade.controller;

import dev.palisade.k8s.ModelConverter;
import java.util.ArrayList;
import java.util.List;

/**
 * Observe and lint, shared by every reconciliation: brings the one {@link ClusterMirror} graph
 * up to date from the informer caches and lints the whole graph again only when something the
 * model holds changed; otherwise it hands out the previous analysis.
 *
 * <p>Cost: each call walks every cached object once (see {@link ClusterMirror}); linting is
 * whole-cluster because findings may relate policies to pods and namespaces anywhere, and it
 * runs once per change, not once per reconciled policy.
 *
 * <p>Thread-safe: JOSDK reconciles different policies in parallel; the graph is not thread-safe,
 * so {@link #analyze} is serialized, and {@link #latest} is readable from any thread (metrics).
 */
final class ClusterAnalyzer {
  private final ClusterMirror mirror;
  private final GraphLint lint;
  private volatile ClusterAnalysis latest = ClusterAnalysis.EMPTY;
  /**
   * Whether {@link #latest} misses changes the mirror has taken in. Cleared only once an analysis
   * succeeds: the mirror takes a change in once, so an analysis that threw would otherwise be
   * the last one ever attempted, freezing the whole cluster's findings until the next change.
   */
  private boolean stale = true;

  ClusterAnalyzer(ModelConverter converter, GraphLint lint) {
    this.mirror = new ClusterMirror(converter);
    this.lint = lint;
  }

  synchronized ClusterAnalysis analyze(ClusterCaches caches) {
    stale |= mirror.sync(caches);
    if (stale) {
      List<PolicyNotice> notices = new ArrayList<>(lint.notices(mirror.graph()));
      mirror.invalidPolicies().forEach((policy, problem) ->
          notices.add(new PolicyNotice(policy, "InvalidNetworkPolicy", true,
              "Palisade cannot use this policy as written, so its agents enforce it "
                  + "fail-closed (the pods it selects are isolated, and it allows nothing): "
                  + problem)));
      latest = ClusterAnalysis.of(notices,
          ClusterStats.of(mirror.graph(), mirror.policyCount(), notices));
      stale = false;
    }
    return latest;
  }

  ClusterAnalysis latest() {
    return latest;
  }
}
