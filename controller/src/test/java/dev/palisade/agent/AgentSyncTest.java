package dev.palisade.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.base.Ticker;
import dev.palisade.dataplane.compile.DataplaneSettings;
import dev.palisade.dataplane.compile.IncrementalNodeCompiler;
import dev.palisade.dataplane.compile.NodeCompiler;
import dev.palisade.dataplane.compile.NodeStateCompiler;
import dev.palisade.dataplane.kernel.CommandResult;
import dev.palisade.dataplane.kernel.CommandRunner;
import dev.palisade.dataplane.kernel.FakeKernel;
import dev.palisade.dataplane.kernel.KernelWriter;
import dev.palisade.dataplane.state.DesiredState;
import dev.palisade.k8s.ModelConverter;
import dev.palisade.model.GraphDelta;
import dev.palisade.model.RuleGraph;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Store;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** One sync on its own: the real compiler and writer over a fake kernel, a fake conntrack. */
class AgentSyncTest {
  private static final String NODE = "node-1";

  private static final Duration DRIFT_CHECK = AgentSettings.DEFAULT_DRIFT_CHECK_INTERVAL;

  private final RuleGraph graph = ConntrackPurgerTest.graph();
  /** The fake kernel, counting the read-backs ({@code ipset save}, {@code iptables-save}). */
  private final FakeKernel kernel = new FakeKernel();
  private final AtomicInteger kernelReads = new AtomicInteger();
  private final AtomicInteger kernelCommands = new AtomicInteger();
  private final AtomicLong now = new AtomicLong();
  /** How long destroying a set takes (the kernel's release of what a restore deleted). */
  private long setDestructionNanos;
  private Long podVersionAtDestruction;
  private final KernelWriter writer = FakeKernel.writerOver((argv, stdin) -> {
    kernelCommands.incrementAndGet();
    if (argv.stream().anyMatch(word -> word.endsWith("save"))) {
      kernelReads.incrementAndGet();
    }
    if (stdin.startsWith("destroy ")) {
      now.addAndGet(setDestructionNanos);
      podVersionAtDestruction = this.tracker.enforcedVersions().get("Pod");
    }
    return kernel.run(argv, stdin);
  });
  private final Ticker ticker = new Ticker() {
    @Override
    public long read() {
      return now.get();
    }
  };
  private final AtomicInteger syncsAskedFor = new AtomicInteger();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private EnforcementTracker tracker;
  private ModelFeed feed;

  private AgentSync<DesiredState> sync(CommandRunner conntrack) {
    return sync(Optional.of(new ConntrackPurger(conntrack)));
  }

  private AgentSync<DesiredState> sync(Optional<ConntrackPurger> purger) {
    return sync(purger, 0);
  }

  private AgentSync<DesiredState> sync(Optional<ConntrackPurger> purger, int rehearsals) {
    return sync(purger, rehearsals, new GraphCompleteness(),
        new IncrementalNodeCompiler(NODE, DataplaneSettings.DEFAULTS));
  }

  private AgentSync<DesiredState> sync(Optional<ConntrackPurger> purger, int rehearsals,
      GraphCompleteness completeness, NodeStateCompiler compiler) {
    tracker = new EnforcementTracker();
    AgentMetrics metrics = new AgentMetrics(registry, completeness, tracker);
    feed = new ModelFeed(graph, new ModelConverter(), tracker, metrics, () -> { }, ticker);
    return new AgentSync<>(graph, feed, completeness, new ApiErrors(registry),
        NODE, TestDataplanes.iptables(compiler, writer),
        DRIFT_CHECK, rehearsals, tracker, metrics, ticker, purger, leftovers -> { },
        syncsAskedFor::incrementAndGet);
  }

  /**
   * Before the first sync, each wait while an initial list is still coming in rehearses the
   * first sync on the graph as it is (up to {@link AgentSync#FIRST_SYNC_REHEARSALS}), and
   * touches no kernel; once every list is received (the graph still taking it in) and after the
   * first sync, none runs. The first sync then writes what a compilation from scratch gives.
   */
  @Test
  void theFirstSyncIsRehearsedWhileTheInitialListsComeInAndTouchesNoKernel() throws Exception {
    AtomicBoolean listed = new AtomicBoolean();
    AtomicLong cacheChanges = new AtomicLong();
    GraphCompleteness completeness = new GraphCompleteness();
    completeness.track("Pod", informer(listed), Map.of(), cacheChanges::get, () -> 0);
    List<Integer> rehearsedPods = new ArrayList<>();
    AgentSync<DesiredState> sync = sync(Optional.empty(), 0, completeness,
        rehearsalsCounted(rehearsedPods));

    assertThat(sync.get()).isEqualTo(SyncOutcome.WAITING);
    assertThat(rehearsedPods).as("on the graph as listed so far").containsExactly(3);
    feed.pods().onAdd(pod("d", "10.0.2.13"));
    for (int wait = 1; wait < AgentSync.FIRST_SYNC_REHEARSALS + 2; wait++) {
      assertThat(sync.get()).isEqualTo(SyncOutcome.WAITING);
    }
    assertThat(rehearsedPods).as("with the pod taken in, up to their number")
        .hasSize(AgentSync.FIRST_SYNC_REHEARSALS).endsWith(4);
    assertThat(kernelCommands.get()).as("commands run by the rehearsals").isZero();

    rehearsedPods.clear();
    sync = sync(Optional.empty(), 0, completeness, rehearsalsCounted(rehearsedPods));
    listed.set(true);
    cacheChanges.set(1);
    assertThat(sync.get()).as("listed, not all taken in").isEqualTo(SyncOutcome.WAITING);
    cacheChanges.set(0);
    assertThat(sync.get()).isEqualTo(SyncOutcome.ENFORCED);
    listed.set(false);
    assertThat(sync.get()).as("a relist after the first sync").isEqualTo(SyncOutcome.WAITING);
    assertThat(rehearsedPods).as("rehearsals once every list was in, or after the first sync")
        .isEmpty();
    KernelWriter fromScratch = FakeKernel.writerOver(new FakeKernel());
    fromScratch.apply(NodeCompiler.compile(graph, NODE, DataplaneSettings.DEFAULTS));
    assertThat(writer.read()).as("what the first sync wrote").isEqualTo(fromScratch.read());
  }

  /** A first-sync rehearsal runs only on a graph of at most its number of pods. */
  @Test
  void theFirstSyncIsRehearsedOnlyOnAGraphOfAtMostSoManyPods() {
    List<Integer> rehearsedPods = new ArrayList<>();
    FirstSyncRehearsal rehearsal = new FirstSyncRehearsal(TestDataplanes.iptables(
        rehearsalsCounted(rehearsedPods), writer), ticker, 5, 3);
    rehearsal.runOne(graph);
    graph.upsertPod(new ModelConverter().pod(pod("d", "10.0.2.13")));
    rehearsal.runOne(graph);

    assertThat(rehearsedPods).containsExactly(3);
  }

  /** The node's compiler, noting the pods of the graph of each first-sync rehearsal. */
  private static NodeStateCompiler rehearsalsCounted(List<Integer> rehearsedPods) {
    IncrementalNodeCompiler compiler = new IncrementalNodeCompiler(NODE,
        DataplaneSettings.DEFAULTS);
    return new NodeStateCompiler() {
      @Override
      public DesiredState compile(RuleGraph graph, GraphDelta changes) {
        return compiler.compile(graph, changes);
      }

      @Override
      public Optional<DesiredState> rehearseFirst(RuleGraph graph) {
        rehearsedPods.add(graph.podCount());
        return compiler.rehearseFirst(graph);
      }
    };
  }

  /**
   * An informer that has received its initial list while {@code listed}, and watches; its cache
   * holds one pod, which only counts when its notifications outnumber those taken in.
   */
  private static SharedIndexInformer<Pod> informer(AtomicBoolean listed) {
    Store<Pod> cache = proxy(Store.class, method -> switch (method) {
      case "listKeys" -> List.of("x/cached");
      case "getByKey" -> null;
      default -> throw new UnsupportedOperationException(method);
    });
    return proxy(SharedIndexInformer.class, method -> switch (method) {
      case "hasSynced" -> listed.get();
      case "isWatching" -> true;
      case "getStore" -> cache;
      default -> throw new UnsupportedOperationException(method);
    });
  }

  @SuppressWarnings("unchecked")
  private static <T> T proxy(Class<?> type, Function<String, Object> answers) {
    return (T) Proxy.newProxyInstance(AgentSyncTest.class.getClassLoader(),
        new Class<?>[] {type}, (proxy, method, args) -> answers.apply(method.getName()));
  }

  /**
   * An event is enforced once the kernel holds its rules and sets; destroying the sets it left
   * unused, which waits for the kernel to release them, counts in the sync's duration only. Its
   * version counts as enforced once the sync is done, so a reader of the enforced versions
   * finds nothing left to remove.
   */
  @Test
  void anEventsDelayEndsWhenItIsInForceBeforeTheSetsItFreedAreDestroyed() throws Exception {
    AgentSync<DesiredState> sync = sync(Optional.empty());
    assertThat(sync.get()).isEqualTo(SyncOutcome.ENFORCED);
    setDestructionNanos = Duration.ofMillis(20).toNanos();
    Pod unselected = new PodBuilder(pod("a", "10.0.1.10")).editMetadata()
        .withLabels(Map.of("pod", "unselected")).withResourceVersion("8").endMetadata()
        .editSpec().withNodeName(NODE).endSpec().build();

    Set<String> setsBefore = writer.read().sets().keySet();

    feed.pods().onAdd(unselected);
    assertThat(sync.get()).isEqualTo(SyncOutcome.ENFORCED);

    assertThat(writer.read().sets().keySet()).as("the policy's set, destroyed by the sync")
        .hasSizeLessThan(setsBefore.size()).allMatch(set -> set.contains("-isolated-"));
    Timer delay = registry.get("palisade.enforcement.delay").timer();
    assertThat(delay.count()).isEqualTo(1);
    assertThat(delay.max(TimeUnit.MILLISECONDS)).as("the event's delay").isZero();
    assertThat(registry.get("palisade.sync.duration").timer().max(TimeUnit.MILLISECONDS))
        .as("the sync, destruction included").isEqualTo(20);
    assertThat(podVersionAtDestruction).as("enforced Pod version while destroying").isNull();
    assertThat(tracker.enforcedVersions()).containsEntry("Pod", 8L);
  }

  /**
   * Rehearsals run only on the model the last sync enforced, write nothing, change no record
   * (the next event's sync writes what it would have without them), and stop at their number.
   */
  @Test
  void rehearsalsRunBetweenSyncsAndWriteNothing() {
    AgentSync<DesiredState> sync = sync(Optional.empty(), 3);
    assertThat(sync.rehearse()).as("before the first sync").isFalse();
    assertThat(sync.get()).isEqualTo(SyncOutcome.ENFORCED);
    int commands = kernelCommands.get();

    assertThat(sync.rehearse()).isTrue();
    feed.pods().onAdd(new PodBuilder(pod("d", "10.0.2.13")).editMetadata()
        .withLabels(Map.of("pod", "b")).endMetadata().build());
    assertThat(sync.rehearse()).as("with a change received").isFalse();
    assertThat(kernelCommands.get()).as("the rehearsal ran no command").isEqualTo(commands);
    assertThat(sync.get()).isEqualTo(SyncOutcome.ENFORCED);
    assertThat(kernelCommands.get()).as("the event's sync wrote").isGreaterThan(commands);
    commands = kernelCommands.get();
    assertThat(sync.rehearse()).isTrue();
    assertThat(sync.rehearse()).isTrue();
    assertThat(sync.rehearse()).as("all 3 ran").isFalse();

    assertThat(kernelCommands.get()).as("the rehearsals ran no command").isEqualTo(commands);
  }

  /**
   * An event's sync trusts the writer's record even when a drift check is due, and asks for
   * the check as a sync of its own, which reads the kernel back.
   */
  @Test
  void aDueDriftCheckDoesNotHoldUpAnEventButFollowsItInASyncOfItsOwn() {
    AgentSync<DesiredState> sync = sync(NO_FLOWS);
    assertThat(sync.get()).isEqualTo(SyncOutcome.ENFORCED);
    int firstReads = kernelReads.get();
    assertThat(firstReads).as("the first sync reads the kernel").isPositive();

    now.addAndGet(DRIFT_CHECK.plusSeconds(1).toNanos());
    feed.pods().onAdd(pod("d", "10.0.2.13"));
    assertThat(sync.get()).isEqualTo(SyncOutcome.ENFORCED);

    assertThat(kernelReads.get()).as("the event's sync read nothing").isEqualTo(firstReads);
    assertThat(syncsAskedFor.get()).as("the drift check asked for").isEqualTo(1);
    assertThat(sync.get()).isEqualTo(SyncOutcome.ENFORCED);
    assertThat(kernelReads.get()).as("the drift check read the kernel").isGreaterThan(firstReads);
    assertThat(syncsAskedFor.get()).isEqualTo(1);
  }

  /** Under events that never leave a sync without changes, the check waits one interval more. */
  @Test
  void aDriftCheckPutOffForAWholeIntervalMoreRidesOnTheNextEvent() {
    AgentSync<DesiredState> sync = sync(NO_FLOWS);
    sync.get();
    int firstReads = kernelReads.get();

    now.addAndGet(DRIFT_CHECK.multipliedBy(2).toNanos());
    feed.pods().onAdd(pod("d", "10.0.2.13"));
    sync.get();

    assertThat(kernelReads.get()).isGreaterThan(firstReads);
    assertThat(syncsAskedFor.get()).isZero();
  }

  /** A conntrack that holds no flows. */
  private static final CommandRunner NO_FLOWS = (argv, stdin) -> CommandResult.ok("");

  private static Pod pod(String name, String ip) {
    return new PodBuilder().withNewMetadata().withName(name).withNamespace("x")
        .addToLabels("pod", name).withResourceVersion("7").endMetadata()
        .withNewSpec().withNodeName("node-2").endSpec()
        .withNewStatus().withPhase("Running").withPodIP(ip).endStatus().build();
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
