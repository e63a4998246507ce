package dev.palisade.controller;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

/**
 * The controller's cluster-level gauges. They read the latest analysis when scraped, so they
 * need no updating; a gauge per notice code is registered the first time the code is seen and
 * reads 0 once the last such finding is fixed (a series that vanished would look like missing
 * data, not like a fixed problem). Only the leader analyzes, so a standby reports zeros: sum or
 * max over replicas gives the cluster's numbers. Thread-safe: reconciler threads register codes,
 * the HTTP thread scrapes.
 */
final class ControllerMetrics {
  private final MeterRegistry registry;
  private final Supplier<ClusterAnalysis> latest;
  /** Codes whose gauge exists (Micrometer warns when a gauge is registered twice). */
  private final Set<String> registeredCodes = ConcurrentHashMap.newKeySet();
  private final RealizationGauges realization;

  ControllerMetrics(MeterRegistry registry, Supplier<ClusterAnalysis> latest) {
    this.registry = registry;
    this.latest = latest;
    this.realization = new RealizationGauges(registry);
    gauge("palisade_controller_policies", "NetworkPolicies in the cluster",
        ClusterStats::policies);
    gauge("palisade_controller_selected_pods",
        "Endpoint pods that at least one NetworkPolicy selects", ClusterStats::selectedPods);
    gauge("palisade_controller_pods_isolated_ingress",
        "Endpoint pods isolated for ingress", ClusterStats::isolatedForIngress);
    gauge("palisade_controller_pods_isolated_egress",
        "Endpoint pods isolated for egress", ClusterStats::isolatedForEgress);
  }

  /** The policies' realization status ("enforced on N of M nodes"). */
  RealizationGauges realization() {
    return realization;
  }

  /** Makes sure every code of this analysis has its gauge. */
  void registerCodes(ClusterAnalysis analysis) {
    for (String code : analysis.stats().noticesByCode().keySet()) {
      if (!registeredCodes.add(code)) {
        continue;
      }
      Gauge.builder("palisade_controller_findings", latest,
              analysisNow -> analysisNow.get().stats().notices(code))
          .description("Lint findings (and unreadable policies) in the cluster, by code")
          .tag("code", code)
          .register(registry);
    }
  }

  private void gauge(String name, String description, ToIntFunction<ClusterStats> value) {
    Gauge.builder(name, latest, analysis -> value.applyAsInt(analysis.get().stats()))
        .description(description)
        .register(registry);
  }
}
