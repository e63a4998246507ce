package dev.palisade.agent;

import dev.palisade.dataplane.state.DesiredState;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.base.Ticker;
import dev.palisade.dataplane.compile.DataplaneSettings;
import dev.palisade.dataplane.compile.IncrementalNodeCompiler;
import dev.palisade.dataplane.kernel.CommandResult;
import dev.palisade.dataplane.kernel.CommandRunner;
import dev.palisade.dataplane.kernel.FakeKernel;
import dev.palisade.dataplane.kernel.KernelWriter;
import dev.palisade.k8s.ModelConverter;
import dev.palisade.model.RuleGraph;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** One sync on its own: the real compiler and writer over a fake kernel, a fake conntrack. */
class AgentSyncTest {
  private static final String NODE = "node-1";

  private final RuleGraph graph = ConntrackPurgerTest.graph();
  private final KernelWriter writer = FakeKernel.writerOver(new FakeKernel());

  private AgentSync<DesiredState> sync(CommandRunner conntrack) {
    EnforcementTracker tracker = new EnforcementTracker(Ticker.systemTicker());
    GraphCompleteness everythingTakenIn = new GraphCompleteness();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AgentMetrics metrics = new AgentMetrics(registry, everythingTakenIn, tracker);
    ModelFeed nothingReceived = new ModelFeed(graph, new ModelConverter(), tracker, metrics,
        () -> { }, Ticker.systemTicker());
    return new AgentSync<>(graph, nothingReceived, everythingTakenIn, new ApiErrors(registry),
        NODE, TestDataplanes.iptables(
            new IncrementalNodeCompiler(NODE, DataplaneSettings.DEFAULTS)::compile, writer),
        AgentSettings.DEFAULT_DRIFT_CHECK_INTERVAL, tracker, metrics,
        Ticker.systemTicker(), Optional.of(new ConntrackPurger(conntrack)), leftovers -> { });
  }

  @Test
  void aMissedPurgeFailsTheSyncAndIsRetriedByTheNextOneThoughItWritesNothing() {
    AtomicInteger listings = new AtomicInteger();
    List<String> deletions = new ArrayList<>();
    CommandRunner conntrack = (argv, stdin) -> {
      if (argv.contains("-R")) {
        deletions.add(stdin);
        return CommandResult.ok("");
      }
      if (listings.incrementAndGet() == 1) {
        return new CommandResult(1, "", "conntrack: netlink busy");
      }
      return CommandResult.ok(argv.contains("ipv6") ? ConntrackPurgerTest.IPV6_LISTING
          : ConntrackPurgerTest.IPV4_LISTING);
    };
    AgentSync sync = sync(conntrack);

    assertThat(sync.get()).as("the kernel was written, the purge failed")
        .isEqualTo(SyncOutcome.FAILED);
    assertThat(sync.get()).as("nothing left to write; the purge is retried")
        .isEqualTo(SyncOutcome.ENFORCED);
    // the failed purge still deleted what its IPv6 listing showed; the retry lists both again
    assertThat(deletions).hasSize(2);
    assertThat(deletions.get(1)).contains("--orig-src 10.0.2.12", "--orig-src fd00:2::12");

    assertThat(sync.get()).isEqualTo(SyncOutcome.ENFORCED);
    assertThat(deletions).as("no purge after a sync that wrote nothing and owed none").hasSize(2);
  }
}
