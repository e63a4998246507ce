package dev.palisade.dataplane.ebpf;

import static dev.palisade.model.testing.Builders.namespace;
import static dev.palisade.model.testing.Builders.pod;
import static dev.palisade.model.testing.Builders.podPeer;
import static dev.palisade.model.testing.Builders.policy;
import static dev.palisade.model.testing.Builders.rule;
import static dev.palisade.model.testing.Builders.selector;
import static dev.palisade.model.testing.Builders.tcp;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.net.InetAddresses;
import dev.palisade.dataplane.backend.Dataplane.View;
import dev.palisade.dataplane.backend.Footprint;
import dev.palisade.dataplane.backend.Lookup;
import dev.palisade.dataplane.backend.Outcome;
import dev.palisade.dataplane.compile.DataplaneSettings;
import dev.palisade.dataplane.compile.DenyAction;
import dev.palisade.dataplane.kernel.PacketCounts;
import dev.palisade.dataplane.lab.BpffsMount;
import dev.palisade.dataplane.lab.LabPod;
import dev.palisade.dataplane.lab.NetnsLab;
import dev.palisade.dataplane.lab.NetnsLabExtension;
import dev.palisade.dataplane.lab.Shell;
import dev.palisade.model.Direction;
import dev.palisade.model.GraphDelta;
import dev.palisade.model.IpFamily;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.Pod;
import dev.palisade.model.Protocol;
import dev.palisade.model.RuleGraph;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The eBPF backend as the agent drives it ({@link EbpfDataplane}): a rule graph compiled and
 * applied to a real node namespace, pods found by their host routes, and what an admin or another
 * tool may break (links, pins, the conntrack rule) repaired by a read-back apply. x/a admits x/b
 * on TCP 80 only; x/c is denied.
 */
@Tag("kernel")
class EbpfDataplaneNetnsTest {
  private static final String NODE = "node-1";

  @RegisterExtension final NetnsLabExtension labs = new NetnsLabExtension(3);

  private NetnsLab lab;
  private BpffsMount bpffs;
  private PinLayout pins;
  private EbpfDataplane dataplane;
  private final RuleGraph graph = new RuleGraph();
  private final List<GraphDelta> changes = new ArrayList<>();

  @BeforeEach
  void start() {
    lab = labs.lab();
    bpffs = BpffsMount.mount();
    pins = PinLayout.forInstance(bpffs.path(), "test");
    dataplane = new EbpfDataplane(NODE, DataplaneSettings.DEFAULTS, pins,
        Optional.of(Path.of("/run/netns", lab.node())), lab.nodeRunner(), new Shell().runner());
    changes.add(graph.upsertNamespace(namespace("x", "ns", "x")));
    for (int i = 0; i < 3; i++) {
      changes.add(graph.upsertPod(labPod("abc".substring(i, i + 1), lab.pod(i))));
    }
    changes.add(graph.upsertPolicy(policy("a-in").in("x").select(selector("pod", "a"))
        .ingress(rule().peers(podPeer("x", selector("pod", "b"))).ports(tcp(80))).build()));
    lab.serve(lab.pod(0), 80);
    lab.serve(lab.pod(0), 81);
  }

  @AfterEach
  void stop() {
    try {
      if (dataplane != null) {
        dataplane.cleanup();
      }
    } finally {
      bpffs.close();
    }
  }

  private static Pod labPod(String name, LabPod labPod) {
    return pod(name).in("x").labels("pod", name).node(NODE)
        .ip(labPod.v4().getHostAddress(), InetAddresses.toAddrString(labPod.v6())).build();
  }

  private Outcome sync(View view) {
    Outcome outcome = dataplane.apply(dataplane.compile(graph, GraphDelta.union(changes)), view);
    changes.clear();
    assertThat(outcome.failure()).as("apply").isEmpty();
    return outcome;
  }

  /** In both families, probed at once (a denied probe waits for its timeout). */
  private void assertEnforced() {
    Connectivity.over(IpFamily.values())
        .allowed(lab.pod(1), lab.pod(0), Protocol.TCP, 80)
        .denied(lab.pod(1), lab.pod(0), Protocol.TCP, 81)
        .denied(lab.pod(2), lab.pod(0), Protocol.TCP, 80)
        .verify();
  }

  /**
   * x/a is judged again, in one family: b reaches it on 80, c does not (the tests of what an
   * apply finds use this one).
   */
  private void assertJudged() {
    Connectivity.over(IpFamily.V4)
        .allowed(lab.pod(1), lab.pod(0), Protocol.TCP, 80)
        .denied(lab.pod(2), lab.pod(0), Protocol.TCP, 80)
        .verify();
  }

  @Test
  void theGraphIsEnforcedOnThePodsFoundByTheirRoutesAndASecondApplyWritesNothing() {
    Outcome first = sync(View.READ);

    assertThat(first.written()).contains("6 links attached", "3 endpoints written");
    assertEnforced();
    assertThat(sync(View.REMEMBERED).wroteNothing()).isTrue();
    assertThat(sync(View.READ).wroteNothing()).as("read back: the kernel holds it all").isTrue();
  }

  @Test
  void theCountsAreThePacketsDeniedPerPodAndAllowedPerPolicy() throws Exception {
    sync(View.READ);
    assertEnforced();

    PacketCounts counts = dataplane.counts(dataplane.compile(graph, GraphDelta.union(changes)));

    assertThat(counts.denied().get(new PacketCounts.PodDirection(ObjectRef.of("x", "a"),
        Direction.INGRESS))).as("x/a's denied ingress").isPositive();
    assertThat(counts.allowed().get(ObjectRef.of("x", "a-in"))).as("allowed by x/a-in")
        .isPositive();
  }

  @Test
  void aDeletedPodLosesItsLinksAndANewPodGetsThem() {
    sync(View.READ);
    changes.add(graph.deletePod(ObjectRef.of("x", "c")));
    Outcome outcome = sync(View.REMEMBERED);

    assertThat(outcome.written()).contains("1 endpoints deleted", "1 links detached");
    assertThat(Files.exists(pins.link(lab.pod(2).nodeInterface(), true))).isFalse();
    assertThat(new TcxLinks(Bpf.load(), pins, null).attachedInterfaces())
        .containsExactlyInAnyOrder(lab.pod(0).nodeInterface(), lab.pod(1).nodeInterface());

    changes.add(graph.upsertPod(labPod("c", lab.pod(2))));
    assertThat(sync(View.REMEMBERED).written()).contains("2 links attached");
    assertEnforced();
  }

  /**
   * Pod churn with address reuse: x/a goes, and a new pod x/a2 (also selected) gets its
   * addresses on a new interface. The apply that adds x/a2 must attach to that interface and
   * enforce, not wait for the next read-back (the remembered routes lead to x/a's gone one).
   */
  @Test
  void aNewPodThatReusesADeletedPodsAddressesIsEnforcedAtOnce() {
    sync(View.READ);
    changes.add(graph.deletePod(ObjectRef.of("x", "a")));
    sync(View.REMEMBERED);
    String before = lab.pod(0).nodeInterface();
    LabPod rewired = lab.rewire(0);
    lab.serve(rewired, 80);
    lab.serve(rewired, 81);
    changes.add(graph.upsertPod(pod("a2").in("x").labels("pod", "a").node(NODE)
        .ip(rewired.v4().getHostAddress(), InetAddresses.toAddrString(rewired.v6())).build()));

    Outcome outcome = sync(View.REMEMBERED);

    assertThat(rewired.nodeInterface()).isNotEqualTo(before);
    assertThat(outcome.written()).contains("2 links attached", "1 endpoints written");
    assertJudged();
  }

  /**
   * A new pod with x/a's addresses, seen before x/a's deletion: both pods lead to one
   * interface, and whose it is cannot be known. The apply leaves that interface without an
   * endpoint entry (counted as unattached) instead of failing, so everything else is still
   * written; once the deletion is seen, the new pod is enforced.
   */
  @Test
  void twoPodsWithOneAddressLeaveTheirInterfaceUnenforcedWithoutFailingTheApply() {
    lab.serve(lab.pod(2), 80);
    sync(View.READ);
    changes.add(graph.upsertPod(pod("a2").in("x").labels("pod", "a").node(NODE)
        .ip(lab.pod(0).v4().getHostAddress(), InetAddresses.toAddrString(lab.pod(0).v6()))
        .build()));
    changes.add(graph.upsertPolicy(policy("c-in").in("x").select(selector("pod", "c"))
        .ingress(rule().peers(podPeer("x", selector("pod", "b"))).ports(tcp(80))).build()));

    Outcome outcome = sync(View.REMEMBERED);

    assertThat(outcome.written()).contains("1 endpoints deleted");
    assertThat(unattached()).isEqualTo(2);
    assertThat(lab.tcpReaches(lab.pod(2), lab.pod(0), 80, IpFamily.V4))
        .as("x/a's interface, whose pod is not known, is not judged").isTrue();
    assertThat(lab.tcpReaches(lab.pod(0), lab.pod(2), 80, IpFamily.V4))
        .as("x/c's new isolation is written").isFalse();

    changes.add(graph.deletePod(ObjectRef.of("x", "a")));
    sync(View.REMEMBERED);

    assertThat(unattached()).isZero();
    assertJudged();
  }

  private long unattached() {
    return dataplane.footprint(dataplane.compile(graph, GraphDelta.union(List.of()))).stream()
        .filter(gauge -> gauge.metric().equals("palisade.pods.unattached"))
        .mapToLong(Footprint::value).sum();
  }

  /**
   * The pod's network is made anew between two applies (a re-created sandbox: the same pod and
   * addresses, another interface): the next apply finds the new interface, attaches to it and
   * drops the gone one's links.
   */
  @Test
  void anApplyFindsAPodsReCreatedInterface() {
    sync(View.READ);
    LabPod rewired = lab.rewire(0);
    lab.serve(rewired, 80);
    lab.serve(rewired, 81);

    Outcome outcome = sync(View.REMEMBERED);

    assertThat(outcome.written()).contains("2 links attached", "1 links detached");
    assertJudged();
  }

  /**
   * A restarted agent adopts the maps' numbering: after a history in which x/a's endpoint id
   * and x/b's identity were given anew (x/a deleted and added again, the policy naming x/b
   * deleted and created again), a new dataplane on the same pins numbers as its predecessor did,
   * so its first apply, a read-back, writes nothing (renumbering would rewrite every entry, and
   * a verdict written under a number the maps still give another set would briefly allow that
   * set).
   */
  @Test
  void aRestartedDataplaneAdoptsTheNumberingAndItsFirstApplyWritesNothing() {
    sync(View.READ);
    changes.add(graph.upsertPolicy(policy("a-from-c").in("x").select(selector("pod", "a"))
        .ingress(rule().peers(podPeer("x", selector("pod", "c"))).ports(tcp(81))).build()));
    sync(View.REMEMBERED);
    changes.add(graph.deletePolicy(ObjectRef.of("x", "a-in")));
    sync(View.REMEMBERED);
    changes.add(graph.upsertPolicy(policy("a-in").in("x").select(selector("pod", "a"))
        .ingress(rule().peers(podPeer("x", selector("pod", "b"))).ports(tcp(80))).build()));
    sync(View.REMEMBERED);
    changes.add(graph.deletePod(ObjectRef.of("x", "a")));
    sync(View.REMEMBERED);
    changes.add(graph.upsertPod(labPod("a", lab.pod(0))));
    sync(View.REMEMBERED);
    MapContents before = readMaps();

    dataplane.close();
    dataplane = new EbpfDataplane(NODE, DataplaneSettings.DEFAULTS, pins,
        Optional.of(Path.of("/run/netns", lab.node())), lab.nodeRunner(), new Shell().runner());
    dataplane.start();
    Outcome first = sync(View.READ);

    assertThat(before.endpoints().values()).as("numbered by history")
        .extracting(EbpfEndpoint::id).contains(4);
    assertThat(first.written()).as("the restarted dataplane's first apply").isEqualTo("nothing");
    assertThat(readMaps()).isEqualTo(before);
    assertThat(lab.tcpReaches(lab.pod(2), lab.pod(0), 81, IpFamily.V4)).as("c -> a:81").isTrue();
    assertJudged();
  }

  private MapContents readMaps() {
    try (EbpfMaps maps = EbpfMaps.open(Bpf.load(), pins.maps())) {
      return new MapWriter(maps).read();
    }
  }

  @Test
  void aReadBackRepairsADetachedLinkAndTheConntrackRule() {
    sync(View.READ);
    Bpf bpf = Bpf.load();
    new TcxLinks(bpf, pins, null).remove(pins.link(lab.pod(0).nodeInterface(), false));
    lab.inNode("iptables", "-w", "-D", "FORWARD", "-m", "conntrack", "--ctstate",
        "NEW,ESTABLISHED,RELATED,INVALID,UNTRACKED", "-m", "comment", "--comment",
        "palisade ebpf: activates conntrack");
    assertThat(lab.tcpReaches(lab.pod(2), lab.pod(0), 80, IpFamily.V4))
        .as("x/a's ingress link is gone: nothing judges it").isTrue();

    assertThat(sync(View.REMEMBERED).wroteNothing())
        .as("between read-backs the writer trusts its record").isTrue();
    Outcome repaired = sync(View.READ);

    assertThat(repaired.written()).contains("1 conntrack rules added", "1 links attached");
    assertEnforced();
  }

  @Test
  void aReadBackLoadsRemovedPinsAgainAndRefillsTheMaps() {
    sync(View.READ);
    EbpfCleanup.remove(Bpf.load(), pins);
    assertThat(lab.tcpReaches(lab.pod(2), lab.pod(0), 80, IpFamily.V4)).isTrue();

    Outcome repaired = sync(View.READ);

    assertThat(repaired.written()).contains("program loaded", "6 links attached",
        "3 endpoints written");
    assertEnforced();
  }

  @Test
  void cleanupRemovesThePinsTheLinksAndTheConntrackRule() {
    sync(View.READ);

    Outcome removed = dataplane.cleanup();
    dataplane = null;

    assertThat(removed.failure()).isEmpty();
    assertThat(removed.written()).contains("pins removed", "2 conntrack rules deleted");
    assertThat(Files.exists(pins.root())).isFalse();
    assertThat(lab.inNode("iptables-save", "-t", "filter")).doesNotContain("palisade");
    assertThat(lab.inNode("ip6tables-save", "-t", "filter")).doesNotContain("palisade");
    assertThat(lab.tcpReaches(lab.pod(2), lab.pod(0), 80, IpFamily.V4)).isTrue();
  }

  @Test
  void explainNamesTheEndpointTheIdentityAndTheVerdict() {
    sync(View.READ);
    EbpfDataplane.NodeMaps maps = dataplane.compile(graph, GraphDelta.union(List.of()));

    Map<String, Object> allowed = dataplane.explain(maps, new Lookup(
        ObjectRef.of("x", "a"), Direction.INGRESS, IpFamily.V4,
        lab.pod(1).v4(), lab.pod(0).v4(), Protocol.TCP, 80));
    Map<String, Object> denied = dataplane.explain(maps, new Lookup(
        ObjectRef.of("x", "a"), Direction.INGRESS, IpFamily.V4,
        lab.pod(2).v4(), lab.pod(0).v4(), Protocol.TCP, 80));

    assertThat(allowed).containsEntry("outcome", "PASSED").containsKey("verdict");
    assertThat(allowed.get("identityClasses").toString()).contains("pod=b");
    assertThat(denied).containsEntry("outcome", "DENIED").doesNotContainKey("verdict")
        .containsEntry("denyAction", "DROP");
  }

  /** The agent's deny action reaches the program: REJECT answers a denied connection. */
  @Test
  void withRejectADeniedConnectionIsRefusedAtOnce() {
    dataplane = new EbpfDataplane(NODE,
        DataplaneSettings.DEFAULTS.withDenyAction(DenyAction.REJECT), pins,
        Optional.of(Path.of("/run/netns", lab.node())), lab.nodeRunner(), new Shell().runner());
    sync(View.READ);

    for (IpFamily family : IpFamily.values()) {
      Refusals.Result denied = Refusals.run(Refusals.probe(lab.pod(2), lab.pod(0), Protocol.TCP,
          80, family));
      assertThat(denied.ending()).as("c -> a:80 %s", family).isEqualTo(Refusals.Ending.REFUSED);
      assertThat(denied.millis()).as("c -> a:80 %s", family).isLessThan(1000);
      assertThat(Refusals.run(Refusals.probe(lab.pod(1), lab.pod(0), Protocol.TCP, 80, family))
          .ending()).as("b -> a:80 %s", family).isEqualTo(Refusals.Ending.ANSWERED);
    }
    EbpfDataplane.NodeMaps maps = dataplane.compile(graph, GraphDelta.union(List.of()));
    assertThat(dataplane.explain(maps, new Lookup(ObjectRef.of("x", "a"), Direction.INGRESS,
        IpFamily.V4, lab.pod(2).v4(), lab.pod(0).v4(), Protocol.TCP, 80)))
        .containsEntry("outcome", "DENIED").containsEntry("denyAction", "REJECT");
  }
}
