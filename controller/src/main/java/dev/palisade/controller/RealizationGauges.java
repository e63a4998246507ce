package dev.palisade.controller;

import dev.palisade.realization.PolicyRealization;
import dev.palisade.realization.Realization;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The realization status as metrics: {@code palisade_policy_enforced_nodes{namespace,policy}}
 * (N), {@code palisade_agent_nodes} (M: nodes with an agent report) and
 * {@code palisade_agent_nodes_reporting} (those whose report is current). A policy whose
 * version cannot be compared has no series; a deleted policy's series goes. Only the leader
 * publishes; a standby shows no policies and zero nodes. Registered once per process.
 */
final class RealizationGauges {
  private final AtomicReference<Realization> shown = new AtomicReference<>(Realization.NONE);
  private final MultiGauge enforcedNodes;

  RealizationGauges(MeterRegistry registry) {
    enforcedNodes = MultiGauge.builder("palisade_policy_enforced_nodes")
        .description("Nodes whose agent enforces the NetworkPolicy's current version")
        .register(registry);
    Gauge.builder("palisade_agent_nodes", shown, realization -> realization.get().nodes())
        .description("Nodes with an agent enforcement report (a Lease), current or not")
        .register(registry);
    Gauge.builder("palisade_agent_nodes_reporting", shown,
            realization -> realization.get().reportingNodes())
        .description("Nodes whose agent renewed its enforcement report within its duration")
        .register(registry);
  }

  void show(Realization realization) {
    shown.set(realization);
    enforcedNodes.register(realization.policies().stream()
        .filter(realized -> realized.enforcedNodes().isPresent())
        .map(RealizationGauges::row)
        .toList(), true);
  }

  private static MultiGauge.Row<?> row(PolicyRealization realized) {
    return MultiGauge.Row.of(Tags.of("namespace", realized.policy().namespace(),
        "policy", realized.policy().name()), realized.enforcedNodes().getAsInt());
  }
}
