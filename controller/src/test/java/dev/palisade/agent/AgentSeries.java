package dev.palisade.agent;

import com.google.common.base.Ticker;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import dev.palisade.dataplane.backend.IptablesDataplane;
import dev.palisade.dataplane.kernel.CommandResult;
import dev.palisade.dataplane.kernel.IptablesBackend;
import dev.palisade.dataplane.kernel.PacketCounterReader;
import dev.palisade.dataplane.state.ChainOwner;
import dev.palisade.dataplane.state.DesiredState;
import dev.palisade.dataplane.state.FamilyState;
import dev.palisade.model.Direction;
import dev.palisade.model.IpFamily;
import dev.palisade.model.ObjectRef;
import dev.palisade.testing.ScrapedSeries;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Optional;
import java.util.Set;

/**
 * The series names the agent's /metrics serves, from its real meters: every meter class the
 * agent registers, with each series that appears only once something happened (an invalid
 * object, a counted packet) made to appear.
 */
public final class AgentSeries {
  private AgentSeries() {}

  public static Set<String> exported() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AgentMetrics metrics = new AgentMetrics(registry, new GraphCompleteness(),
        new EnforcementTracker());
    DesiredState state = countedState();
    String kernel = "[3:180] -A P-A -m comment --comment \"pal:1\" -j R-WEB\n"
        + "[2:120] -A P-A -m comment --comment \"pal:2\" -j RETURN\n"
        + "[1:60] -A P-A -m comment --comment \"pal:3\" -j DROP\n";
    IptablesDataplane dataplane = TestDataplanes.counting(
        new PacketCounterReader((argv, stdin) -> CommandResult.ok(kernel), IptablesBackend.NFT));
    metrics.syncSucceeded(1_000_000, dataplane.footprint(state), 1, 1, 1,
        new long[] {1_000_000}, 0);
    metrics.syncFailed(1_000_000);
    metrics.driftRepaired();
    metrics.invalidObject("Pod");
    new ApiErrors(registry).handlerFor("Pod").retryAfterException(true,
        new IllegalStateException("the API server is unreachable"));
    registry.getPrometheusRegistry().register(new PacketCounterMetrics(
        () -> Optional.of(dataplane.counts(state)), Ticker.systemTicker()));
    return ScrapedSeries.names(registry.scrape());
  }

  private static DesiredState countedState() {
    FamilyState v4 = new FamilyState(IpFamily.V4, ImmutableSortedMap.of(), ImmutableList.of(),
        ImmutableSortedMap.of(), ImmutableSortedMap.of(
            "P-A", ChainOwner.pod(ObjectRef.of("x", "a"), Direction.INGRESS),
            "R-WEB", ChainOwner.policy(ObjectRef.of("x", "web"), Direction.INGRESS)));
    FamilyState v6 = new FamilyState(IpFamily.V6, ImmutableSortedMap.of(), ImmutableList.of(),
        ImmutableSortedMap.of(), ImmutableSortedMap.of());
    return new DesiredState(v4, v6);
  }
}
