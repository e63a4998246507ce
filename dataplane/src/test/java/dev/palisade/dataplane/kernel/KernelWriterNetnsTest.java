package dev.palisade.dataplane.kernel;

import static dev.palisade.dataplane.kernel.DesiredStates.rule;
import static dev.palisade.dataplane.state.IpSetType.HASH_IP;
import static dev.palisade.dataplane.state.IpSetType.HASH_NET;
import static dev.palisade.model.IpFamily.V4;
import static dev.palisade.model.IpFamily.V6;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableMap;
import com.google.common.net.InetAddresses;
import dev.palisade.dataplane.lab.Counters;
import dev.palisade.dataplane.lab.LabPod;
import dev.palisade.dataplane.lab.NetnsLab;
import dev.palisade.dataplane.lab.NetnsLabExtension;
import dev.palisade.dataplane.kernel.KernelWriter.KernelView;
import dev.palisade.dataplane.state.Installation;
import dev.palisade.model.IpFamily;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The writer against a real kernel, in a throwaway node namespace with three pod namespaces:
 * hand-written states, so these tests do not depend on the compiler. Every iptables and ipset
 * command runs inside the lab's namespaces.
 */
@Tag("kernel")
class KernelWriterNetnsTest {
  private static final int PORT = 80;

  @RegisterExtension final NetnsLabExtension labs = new NetnsLabExtension(3);

  private NetnsLab lab;
  private LabPod p1;
  private LabPod p2;
  private LabPod p3;

  private KernelWriter writer() {
    return KernelWriters.inLab(lab);
  }

  private static String cidr(LabPod pod, IpFamily family) {
    return InetAddresses.toAddrString(pod.address(family)) + (family == V4 ? "/32" : "/128");
  }

  /** p2 accepts traffic only from the pods in pal-clients (p1 and p3), in both families. */
  private DesiredStates allowClients() {
    DesiredStates state = DesiredStates.builder()
        .set("pal-clients", HASH_IP, V4, p1.v4().getHostAddress(), p3.v4().getHostAddress())
        .set("pal-clients6", HASH_IP, V6, InetAddresses.toAddrString(p1.v6()),
            InetAddresses.toAddrString(p3.v6()));
    for (IpFamily family : IpFamily.values()) {
      String clients = family == V4 ? "pal-clients" : "pal-clients6";
      state = state
          .chain(family, "PALISADE-FORWARD",
              rule("-m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT"),
              rule("-d " + cidr(p2, family) + " -j PALISADE-TO-P2"))
          .chain(family, "PALISADE-TO-P2",
              rule("-m set --match-set " + clients + " src -j ACCEPT"),
              rule("-j DROP"))
          .hook(family, "FORWARD", 1, "PALISADE-FORWARD");
    }
    return state;
  }

  /** allowClients plus a DROP of everything from pal-blocked (p1) in front. */
  private DesiredStates blockP1() {
    DesiredStates state = allowClients()
        .set("pal-blocked", HASH_NET, V4, cidr(p1, V4))
        .set("pal-blocked6", HASH_NET, V6, cidr(p1, V6));
    for (IpFamily family : IpFamily.values()) {
      String suffix = family == V4 ? "" : "6";
      state = state.chain(family, "PALISADE-TO-P2",
          rule("-m set --match-set pal-blocked" + suffix + " src -j DROP"),
          rule("-m set --match-set pal-clients" + suffix + " src -j ACCEPT"),
          rule("-j DROP"));
    }
    return state;
  }

  private WriteCounts apply(KernelWriter writer, DesiredStates state) {
    ApplyResult result = writer.apply(state.build());
    assertThat(result.succeeded()).as("apply: %s", result).isTrue();
    return result.written();
  }

  private ImmutableMap<String, Long> counters() {
    return Counters.packets(lab.inNode("iptables-save", "-c", "-t", "filter"));
  }

  private void start() {
    lab = labs.lab();
    p1 = lab.pod(0);
    p2 = lab.pod(1);
    p3 = lab.pod(2);
  }

  @Test
  void ipsetsArePerNetworkNamespace() {
    start();
    apply(writer(), allowClients());

    assertThat(lab.inNode("ipset", "list", "-n")).contains("pal-clients");
    assertThat(NetnsLab.rootNamespaceSetNames()).doesNotContain("pal-clients");
  }

  /**
   * The agent's writer: with an ipset session, an event's member change (the remembered view)
   * starts no process, and takes effect at once.
   */
  @Test
  void withAnIpsetSessionAMemberChangeRunsNoProcessAndIsEnforced() throws Exception {
    start();
    lab.serve(p2, PORT);
    CountingRunner node = new CountingRunner(lab.nodeRunner());
    try (KernelWriter writer = KernelWriters.inNode(node, Installation.DEFAULT)
        .withIpsetSession(Duration.ofSeconds(10))) {
      apply(writer, allowClients());
      int processesBefore = node.ran().size();

      ApplyResult dropped = writer.apply(allowClients()
          .set("pal-clients", HASH_IP, V4, p3.v4().getHostAddress()).build(),
          KernelView.REMEMBERED);

      assertThat(dropped.succeeded()).as("apply: %s", dropped).isTrue();
      assertThat(dropped.written().membersRemoved()).isEqualTo(1);
      assertThat(node.ran()).hasSize(processesBefore);
      assertThat(node.started()).hasSize(1);
      assertThat(lab.tcpReaches(p1, p2, PORT, V4)).isFalse();
      assertThat(lab.tcpReaches(p3, p2, PORT, V4)).isTrue();
    }
    assertThat(node.started().get(0).waitFor(5, TimeUnit.SECONDS))
        .as("the session's ipset ended with the writer").isTrue();
  }

  /**
   * The agent's writer: with restore receipts (and the ipset session), a change that deletes
   * rules and the sets they matched is in force when the apply returns; the sets are destroyed
   * once the kernel has released the rules (a destroy right after the receipt is refused).
   */
  @Test
  void withRestoreReceiptsADeletionIsInForceWhenTheApplyReturns() {
    start();
    lab.serve(p2, PORT);
    CountingRunner node = new CountingRunner(lab.nodeRunner());
    try (KernelWriter writer = KernelWriters.inNode(node, Installation.DEFAULT)
        .withIpsetSession(Duration.ofSeconds(10)).withRestoreReceipts(Duration.ofSeconds(10))) {
      // Over and over: a set that a deleted rule matched is destroyed in the same apply.
      for (int round = 0; round < 5; round++) {
        apply(writer, blockP1());
        assertThat(lab.tcpReaches(p1, p2, PORT, V4)).isFalse();

        ApplyResult unblocked = writer.apply(allowClients().build(), KernelView.REMEMBERED);

        assertThat(unblocked.succeeded()).as("apply: %s", unblocked).isTrue();
        assertThat(unblocked.written().rulesDeleted()).isEqualTo(2);
        assertThat(unblocked.written().setsDestroyed()).as("the sets only deleted rules used")
            .isEqualTo(2);
        assertThat(unblocked.leftovers()).isEmpty();
        assertThat(lab.tcpReaches(p1, p2, PORT, V4)).isTrue();
      }
      assertThat(node.started()).as("restores started, not run to their exit").isNotEmpty();
      assertThat(writer.apply(allowClients().build()).written()).isEqualTo(WriteCounts.NOTHING);
    }
  }

  @Test
  void firstApplyProgramsTheNodeAndTheSecondWritesNothing() throws Exception {
    start();
    KernelWriter writer = writer();

    WriteCounts first = apply(writer, allowClients());
    WriteCounts second = apply(writer, allowClients());

    assertThat(first.setsCreated()).isEqualTo(2);
    assertThat(first.chainsCreated()).isEqualTo(4);
    assertThat(first.rulesWritten()).isEqualTo(8);
    assertThat(first.hooksFixed()).isEqualTo(2);
    assertThat(second).isEqualTo(WriteCounts.NOTHING);
    String save = lab.inNode("iptables-save", "-t", "filter");
    assertThat(save).contains("-A FORWARD -m comment --comment \"pal:")
        .contains(":PALISADE-TO-P2 - [0:0]");
    assertThat(writer.read().v4().chains().get("PALISADE-TO-P2")).extracting(RuleText::hash)
        .containsExactlyElementsOf(allowClients().build().v4().chains().get("PALISADE-TO-P2")
            .rules().stream().map(r -> RuleText.parse(r).hash()).toList());
  }

  @Test
  void kernelHoldsExactlyTheExpectedRules() {
    start();
    apply(writer(), allowClients());

    String ours = lab.inNode("iptables-save", "-t", "filter").lines()
        .filter(line -> line.contains("PALISADE-"))
        .map(line -> line.replaceAll("pal:[0-9a-f]{16}", "pal:HASH"))
        .collect(java.util.stream.Collectors.joining("\n"));

    assertThat(ours).isEqualTo("""
        :PALISADE-FORWARD - [0:0]
        :PALISADE-TO-P2 - [0:0]
        -A FORWARD -m comment --comment "pal:HASH" -j PALISADE-FORWARD
        -A PALISADE-FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment "pal:HASH" -j ACCEPT
        -A PALISADE-FORWARD -d 10.99.1.12/32 -m comment --comment "pal:HASH" -j PALISADE-TO-P2
        -A PALISADE-TO-P2 -m set --match-set pal-clients src -m comment --comment "pal:HASH" -j ACCEPT
        -A PALISADE-TO-P2 -m comment --comment "pal:HASH" -j DROP""");
  }

  @Test
  void probesChangeFromAllowedToDeniedWhenADropIsApplied() {
    start();
    lab.serve(p2, PORT);
    KernelWriter writer = writer();
    apply(writer, allowClients());
    for (IpFamily family : IpFamily.values()) {
      assertThat(lab.tcpReaches(p1, p2, PORT, family)).as("tcp p1->p2 %s allowed", family)
          .isTrue();
      assertThat(lab.udpReaches(p1, p2, PORT, family)).as("udp p1->p2 %s allowed", family)
          .isTrue();
    }

    apply(writer, blockP1());

    for (IpFamily family : IpFamily.values()) {
      assertThat(lab.tcpReaches(p1, p2, PORT, family)).as("tcp p1->p2 %s denied", family)
          .isFalse();
      assertThat(lab.udpReaches(p1, p2, PORT, family)).as("udp p1->p2 %s denied", family)
          .isFalse();
      assertThat(lab.tcpReaches(p3, p2, PORT, family)).as("tcp p3->p2 %s allowed", family)
          .isTrue();
      assertThat(lab.udpReaches(p3, p2, PORT, family)).as("udp p3->p2 %s allowed", family)
          .isTrue();
    }
  }

  @Test
  void changedChainIsTheOnlyOneRewrittenAndOtherCountersSurvive() {
    start();
    lab.serve(p2, PORT);
    KernelWriter writer = writer();
    apply(writer, allowClients());
    assertThat(lab.tcpReaches(p1, p2, PORT, V4)).isTrue();
    ImmutableMap<String, Long> before = counters();
    assertThat(before.values()).anyMatch(packets -> packets > 0);

    WriteCounts counts = apply(writer, blockP1());

    assertThat(counts.chainsRewritten()).isEqualTo(2);
    assertThat(counts.rulesWritten()).isEqualTo(2);
    assertThat(counts.chainsCreated()).isZero();
    ImmutableMap<String, Long> after = counters();
    before.forEach((rule, packets) -> assertThat(after).containsEntry(rule, packets));
    assertThat(after).hasSize(before.size() + 1);
  }

  @Test
  void addedMemberIsOneSetAddAndTakesEffect() {
    start();
    lab.serve(p2, PORT);
    KernelWriter writer = writer();
    DesiredStates onlyP3 = allowClients().set("pal-clients", HASH_IP, V4,
        p3.v4().getHostAddress());
    apply(writer, onlyP3);
    assertThat(lab.tcpReaches(p1, p2, PORT, V4)).isFalse();

    WriteCounts counts = apply(writer, allowClients());

    assertThat(counts).isEqualTo(new WriteCounts(0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0));
    assertThat(lab.tcpReaches(p1, p2, PORT, V4)).isTrue();
  }

  @Test
  void driftIsRepairedByTheNextApply() throws Exception {
    start();
    KernelWriter writer = writer();
    apply(writer, allowClients());
    lab.inNode("iptables", "-D", "FORWARD", "1");
    lab.inNode("iptables", "-F", "PALISADE-TO-P2");
    lab.inNode("ipset", "del", "pal-clients", p1.v4().getHostAddress());

    WriteCounts repair = apply(writer, allowClients());

    assertThat(repair.hooksFixed()).isEqualTo(1);
    assertThat(repair.chainsRewritten()).isEqualTo(1);
    assertThat(repair.rulesWritten()).isEqualTo(2);
    assertThat(repair.membersAdded()).isEqualTo(1);
    assertThat(apply(writer, allowClients())).isEqualTo(WriteCounts.NOTHING);
    assertThat(writer.read().v4().builtin("FORWARD").hooks()).singleElement()
        .satisfies(hook -> assertThat(hook.position()).isEqualTo(1));
  }

  @Test
  void jumpPushedDownByAForeignInsertIsMovedBackAndTheForeignRuleKept() throws Exception {
    start();
    KernelWriter writer = writer();
    apply(writer, allowClients());
    lab.inNode("iptables", "-I", "FORWARD", "1", "-s", "192.0.2.1/32", "-j", "ACCEPT");

    WriteCounts repair = apply(writer, allowClients());

    assertThat(repair.hooksRemoved()).isEqualTo(1);
    assertThat(repair.hooksFixed()).isEqualTo(1);
    List<String> forward = lab.inNode("iptables", "-S", "FORWARD").lines().toList();
    assertThat(forward.get(1)).startsWith("-A FORWARD -m comment --comment \"pal:");
    assertThat(forward.get(2)).isEqualTo("-A FORWARD -s 192.0.2.1/32 -j ACCEPT");
    assertThat(forward).hasSize(3);
  }

  @Test
  void restartedWriterAdoptsTheStateWithoutFlushing() {
    start();
    lab.serve(p2, PORT);
    apply(writer(), allowClients());
    assertThat(lab.udpReaches(p1, p2, PORT, V4)).isTrue();
    ImmutableMap<String, Long> before = counters();

    WriteCounts adopted = apply(writer(), allowClients());

    assertThat(adopted).isEqualTo(WriteCounts.NOTHING);
    assertThat(counters()).isEqualTo(before);
  }

  @Test
  void setTypeChangeIsAppliedAndRulesFollowTheNewSet() {
    start();
    lab.serve(p2, PORT);
    KernelWriter writer = writer();
    apply(writer, allowClients());

    DesiredStates asNetworks = allowClients().set("pal-clients", HASH_NET, V4, "10.99.1.0/24",
        p1.v4().getHostAddress() + "/32 nomatch");
    WriteCounts counts = apply(writer, asNetworks);

    assertThat(counts.setsReplaced()).isEqualTo(1);
    assertThat(lab.inNode("ipset", "list", "-n").lines().toList())
        .containsExactlyInAnyOrder("pal-clients", "pal-clients6");
    assertThat(lab.inNode("ipset", "list", "-t", "pal-clients")).contains("Type: hash:net");
    assertThat(lab.tcpReaches(p1, p2, PORT, V4)).as("p1 is a nomatch entry").isFalse();
    assertThat(lab.tcpReaches(p3, p2, PORT, V4)).isTrue();
    assertThat(apply(writer, asNetworks)).isEqualTo(WriteCounts.NOTHING);
  }

  @Test
  void cleanupRemovesPalisadeObjectsAndKeepsForeignOnes() throws Exception {
    start();
    lab.inNode("iptables", "-A", "FORWARD", "-s", "192.0.2.1/32", "-j", "ACCEPT");
    lab.inNode("iptables", "-N", "FOREIGN-CHAIN");
    lab.inNode("iptables", "-A", "FOREIGN-CHAIN", "-p", "tcp", "--dport", "22", "-j", "RETURN");
    lab.inNode("ipset", "create", "foreign-set", "hash:ip");
    lab.inNode("ipset", "add", "foreign-set", "192.0.2.7");
    KernelWriter writer = writer();
    apply(writer, blockP1());

    ApplyResult cleanup = writer.cleanup();

    assertThat(cleanup.succeeded()).isTrue();
    assertThat(cleanup.written().chainsDeleted()).isEqualTo(4);
    assertThat(cleanup.written().setsDestroyed()).isEqualTo(4);
    String save4 = lab.inNode("iptables-save", "-t", "filter");
    String save6 = lab.inNode("ip6tables-save", "-t", "filter");
    String sets = lab.inNode("ipset", "list");
    assertThat(save4 + save6).doesNotContain("PALISADE-").doesNotContain("pal:");
    assertThat(sets).doesNotContain("pal-");
    assertThat(save4).contains("-A FORWARD -s 192.0.2.1/32 -j ACCEPT")
        .contains("-A FOREIGN-CHAIN -p tcp -m tcp --dport 22 -j RETURN");
    assertThat(sets).contains("Name: foreign-set").contains("192.0.2.7");
    assertThat(writer.read().isClean()).isTrue();
    assertThat(writer.cleanup().written()).isEqualTo(WriteCounts.NOTHING);
  }

  @Test
  void labPodsReachEachOtherWithoutAnyRules() {
    start();
    for (LabPod server : List.of(p1, p2, p3)) {
      lab.serve(server, PORT);
    }
    for (LabPod from : List.of(p1, p2, p3)) {
      for (LabPod to : List.of(p1, p2, p3)) {
        if (from != to) {
          for (IpFamily family : IpFamily.values()) {
            assertThat(lab.tcpReaches(from, to, PORT, family))
                .as("%s->%s %s", from.name(), to.name(), family).isTrue();
          }
        }
      }
    }
  }
}
