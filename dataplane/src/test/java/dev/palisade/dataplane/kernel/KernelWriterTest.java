package dev.palisade.dataplane.kernel;

import static dev.palisade.dataplane.kernel.DesiredStates.rule;
import static dev.palisade.dataplane.state.IpSetType.HASH_IP;
import static dev.palisade.dataplane.state.IpSetType.HASH_IP_PORT;
import static dev.palisade.dataplane.state.IpSetType.HASH_NET;
import static dev.palisade.model.IpFamily.V4;
import static dev.palisade.model.IpFamily.V6;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.palisade.dataplane.kernel.KernelWriter.KernelView;
import dev.palisade.dataplane.state.Installation;
import dev.palisade.model.IpFamily;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KernelWriterTest {
  static final IptablesVersion NFTABLES = new IptablesVersion(false, 1, 8, 9);
  static final DesiredStates BASE = DesiredStates.builder()
      .set("pal-web", HASH_IP, V4, "10.99.1.10", "10.99.1.11")
      .set("pal-block", HASH_NET, V4, "10.0.0.0/8", "10.99.2.0/24 nomatch")
      .set("pal-web6", HASH_IP, V6, "fd00:99::10")
      .chain(V4, "PALISADE-FORWARD",
          rule("-m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT"),
          rule("-j PALISADE-INGRESS"))
      .chain(V4, "PALISADE-INGRESS",
          rule("-m set --match-set pal-web src -j ACCEPT"),
          rule("-m set --match-set pal-block src -j ACCEPT"),
          rule("-j DROP"))
      .chain(V6, "PALISADE-FORWARD", rule("-m set --match-set pal-web6 src -j ACCEPT"))
      .hook(V4, "FORWARD", 1, "PALISADE-FORWARD")
      .hook(V6, "FORWARD", 1, "PALISADE-FORWARD");

  private final FakeKernel kernel = new FakeKernel();
  private final List<Duration> sleeps = new ArrayList<>();
  private KernelWriter writer;

  @BeforeEach
  void setUp() {
    writer = newWriter();
    kernel.table(V4).append("FORWARD", "-s 192.0.2.1/32 -j ACCEPT");
    kernel.table(V4).append("INPUT", "-p tcp --dport 22 -j ACCEPT");
    kernel.table(V4).append("KUBE-FOREIGN", "-j RETURN");
    kernel.ipsets().create("kube-foreign", "hash:ip", "inet", "192.0.2.7");
  }

  private KernelWriter newWriter() {
    return new KernelWriter(kernel, KernelTools.forVersion(IptablesBackend.ONLY_ONE, NFTABLES),
        TableLock.none(), new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(1)),
        sleeps::add, Installation.DEFAULT);
  }

  private WriteCounts applied(DesiredStates state) {
    ApplyResult result = writer.apply(state.build());
    assertThat(result).isInstanceOf(ApplyResult.Applied.class);
    return result.written();
  }

  private List<Long> ruleIds(IpFamily family, String chain) {
    return kernel.table(family).chains().get(chain).stream().map(FakeIptables.Rule::id).toList();
  }

  @Test
  void firstApplyWritesSetsChainsAndHooks() throws Exception {
    WriteCounts counts = applied(BASE);

    assertThat(counts.setsCreated()).isEqualTo(3);
    assertThat(counts.membersAdded()).isEqualTo(5);
    assertThat(counts.chainsCreated()).isEqualTo(3);
    assertThat(counts.rulesWritten()).isEqualTo(6);
    assertThat(counts.hooksFixed()).isEqualTo(2);
    assertThat(kernel.writes()).extracting(FakeKernel.Invocation::command)
        .containsExactly("ipset", "iptables-restore", "ip6tables-restore");
    assertThat(kernel.table(V4).chains().get("FORWARD").get(0).text())
        .startsWith("-j PALISADE-FORWARD");
    KernelSnapshot snapshot = writer.read();
    assertThat(snapshot.v4().chains().get("PALISADE-INGRESS")).extracting(RuleText::hash)
        .containsExactlyElementsOf(BASE.build().v4().chains().get("PALISADE-INGRESS").rules()
            .stream().map(r -> RuleText.parse(r).hash()).toList());
    assertThat(snapshot.sets().get("pal-block").members())
        .containsExactly("10.0.0.0/8", "10.99.2.0/24 nomatch");
  }

  @Test
  void secondApplyWritesNothing() {
    applied(BASE);
    kernel.clearLog();

    assertThat(applied(BASE).wroteNothing()).isTrue();
    assertThat(kernel.writes()).isEmpty();
  }

  @Test
  void changedRuleRewritesOnlyItsChainAndKeepsTheOtherRules() {
    applied(BASE);
    List<Long> forwardBefore = ruleIds(V4, "PALISADE-FORWARD");
    List<Long> ingressBefore = ruleIds(V4, "PALISADE-INGRESS");
    kernel.clearLog();

    WriteCounts counts = applied(BASE.chain(V4, "PALISADE-INGRESS",
        rule("-m set --match-set pal-web src -j ACCEPT"),
        rule("-m set --match-set pal-block src -p tcp --dport 80 -j ACCEPT"),
        rule("-j DROP")));

    assertThat(counts).isEqualTo(new WriteCounts(0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0));
    assertThat(kernel.writes()).hasSize(1);
    assertThat(kernel.writes().get(0).stdin()).isEqualTo("*filter\n-R PALISADE-INGRESS 2 "
        + rule("-m set --match-set pal-block src -p tcp --dport 80 -j ACCEPT") + "\nCOMMIT\n");
    assertThat(ruleIds(V4, "PALISADE-FORWARD")).isEqualTo(forwardBefore);
    List<Long> ingressAfter = ruleIds(V4, "PALISADE-INGRESS");
    assertThat(ingressAfter.get(0)).isEqualTo(ingressBefore.get(0));
    assertThat(ingressAfter.get(2)).isEqualTo(ingressBefore.get(2));
  }

  @Test
  void insertedRuleKeepsTheRulesAroundIt() {
    applied(BASE);
    List<Long> before = ruleIds(V4, "PALISADE-INGRESS");

    WriteCounts counts = applied(BASE.chain(V4, "PALISADE-INGRESS",
        rule("-s 10.99.3.3/32 -j ACCEPT"),
        rule("-m set --match-set pal-web src -j ACCEPT"),
        rule("-m set --match-set pal-block src -j ACCEPT"),
        rule("-j DROP")));

    assertThat(counts.rulesWritten()).isEqualTo(1);
    assertThat(ruleIds(V4, "PALISADE-INGRESS").subList(1, 4)).isEqualTo(before);
  }

  @Test
  void addedMemberIsOneSetAdd() {
    applied(BASE);
    kernel.clearLog();

    WriteCounts counts = applied(BASE.set("pal-web", HASH_IP, V4,
        "10.99.1.10", "10.99.1.11", "10.99.1.12"));

    assertThat(counts).isEqualTo(new WriteCounts(0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0));
    assertThat(kernel.writes()).singleElement().satisfies(write -> {
      assertThat(write.argv()).containsExactly("ipset", "restore", "-exist");
      assertThat(write.stdin()).isEqualTo("add pal-web 10.99.1.12\n");
    });
  }

  @Test
  void exceptFlipAndRemovalAreDeltas() {
    applied(BASE);
    kernel.clearLog();

    WriteCounts counts = applied(BASE.set("pal-block", HASH_NET, V4, "10.0.0.0/8 nomatch"));

    assertThat(counts.membersRemoved()).isEqualTo(2);
    assertThat(counts.membersAdded()).isEqualTo(1);
    assertThat(kernel.writes().get(0).stdin()).isEqualTo(
        "del pal-block 10.0.0.0/8\ndel pal-block 10.99.2.0/24\nadd pal-block 10.0.0.0/8 nomatch\n");
    assertThat(kernel.ipsets().sets().get("pal-block").members.values())
        .containsExactly("10.0.0.0/8 nomatch");
  }

  @Test
  void nonCanonicalMembersDoNotFlap() {
    applied(BASE.set("pal-block", HASH_NET, V4, "10.0.0.1/8", "10.99.2.7/32", "10.99.4.4/32"));
    kernel.clearLog();

    assertThat(applied(BASE.set("pal-block", HASH_NET, V4, "10.0.0.0/8", "10.99.2.7",
        "10.99.4.4")).wroteNothing()).isTrue();
  }

  @Test
  void typeChangeRepointsRulesToAFilledTempSetAndBack() {
    applied(BASE);
    List<Long> forward = ruleIds(V4, "PALISADE-FORWARD");
    kernel.clearLog();

    WriteCounts counts = applied(BASE.set("pal-web", HASH_NET, V4, "10.99.1.0/24"));

    String temp = SetReplacement.temporaryName(Installation.DEFAULT, "pal-web");
    String webRule = rule("-m set --match-set pal-web src -j ACCEPT");
    assertThat(kernel.writes()).extracting(w -> w.argv().get(0) + " " + w.stdin().strip())
        .containsExactly(
            "ipset create " + temp + " hash:net family inet maxelem 65536 comment\nadd " + temp
                + " 10.99.1.0/24",
            "iptables-restore *filter\n-R PALISADE-INGRESS 1 "
                + webRule.replace("pal-web ", temp + " ") + "\nCOMMIT",
            "ipset destroy pal-web",
            "ipset create pal-web hash:net family inet maxelem 65536 comment\n"
                + "add pal-web 10.99.1.0/24",
            "iptables-restore *filter\n-R PALISADE-INGRESS 1 " + webRule + "\nCOMMIT",
            "ipset destroy " + temp);
    assertThat(counts.setsReplaced()).isEqualTo(1);
    assertThat(kernel.ipsets().sets()).containsOnlyKeys("pal-web", "pal-block", "pal-web6",
        "kube-foreign");
    assertThat(kernel.ipsets().sets().get("pal-web").type).isEqualTo("hash:net");
    assertThat(ruleIds(V4, "PALISADE-FORWARD")).isEqualTo(forward);
    assertThat(applied(BASE.set("pal-web", HASH_NET, V4, "10.99.1.0/24")).wroteNothing())
        .isTrue();
  }

  @Test
  void replacementInterruptedBetweenItsRoundsConvergesOnTheNextApply() throws Exception {
    applied(BASE);
    DesiredStates networks = BASE.set("pal-web", HASH_NET, V4, "10.99.1.0/24");
    // ipset runs: save, create temp, destroy old, save again, then creating the new set fails
    kernel.failAfter("ipset", 4, 1, "ipset: Kernel error received");
    KernelWriter impatient = new KernelWriter(kernel,
        KernelTools.forVersion(IptablesBackend.ONLY_ONE, NFTABLES),
        TableLock.none(),
        new RetryPolicy(1, Duration.ZERO, Duration.ZERO), sleeps::add, Installation.DEFAULT);
    assertThat(impatient.apply(networks.build())).isInstanceOfSatisfying(
        ApplyResult.Failed.class, failed -> assertThat(failed.step())
            .isEqualTo(ApplyStep.UPDATE_SETS));
    assertThat(writer.read().sets()).doesNotContainKey("pal-web")
        .containsKey(SetReplacement.temporaryName(Installation.DEFAULT, "pal-web"));

    WriteCounts counts = applied(networks);

    assertThat(counts.setsCreated()).isEqualTo(1);
    assertThat(counts.setsDestroyed()).isEqualTo(1);
    assertThat(counts.rulesWritten()).isEqualTo(1);
    assertThat(kernel.ipsets().sets().get("pal-web").type).isEqualTo("hash:net");
    assertThat(applied(networks).wroteNothing()).isTrue();
  }

  @Test
  void failedRestoreIsRetriedAfterBackoffAndConverges() {
    kernel.failNext("iptables-restore", 1, "iptables-restore: line 3 failed");

    ApplyResult result = writer.apply(BASE.build());

    assertThat(result).isInstanceOf(ApplyResult.Applied.class);
    assertThat(result.attempts()).isEqualTo(2);
    assertThat(sleeps).containsExactly(Duration.ofMillis(100));
    assertThat(result.written().setsCreated()).isEqualTo(3);
    assertThat(result.written().chainsCreated()).isEqualTo(3);
    assertThat(applied(BASE).wroteNothing()).isTrue();
  }

  @Test
  void persistentFailureIsATypedResultWithThePayload() {
    kernel.failNext("ip6tables-restore", 5, "ip6tables-restore: Chain 'X' does not exist");

    ApplyResult result = writer.apply(BASE.build());

    assertThat(result).isInstanceOfSatisfying(ApplyResult.Failed.class, failed -> {
      assertThat(failed.step()).isEqualTo(ApplyStep.RESTORE_IPV6);
      assertThat(failed.attempts()).isEqualTo(3);
      assertThat(failed.cause().payload()).contains(":PALISADE-FORWARD - [0:0]");
      assertThat(failed.cause().result().stderr()).contains("Chain 'X' does not exist");
      assertThat(failed.written().chainsCreated()).isEqualTo(2);
    });
    assertThat(sleeps).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
  }

  @Test
  void failedReadIsRetriedToo() {
    kernel.failNext("ipset", 1, "ipset: Kernel error received");

    ApplyResult result = writer.apply(BASE.build());

    assertThat(result.succeeded()).isTrue();
    assertThat(result.attempts()).isEqualTo(2);
  }

  @Test
  void foreignRulesChainsAndSetsSurviveApplyAndCleanup() {
    List<Long> foreignForward = ruleIds(V4, "FORWARD");
    List<Long> foreignInput = ruleIds(V4, "INPUT");
    List<Long> foreignChain = ruleIds(V4, "KUBE-FOREIGN");

    applied(BASE);
    ApplyResult cleanup = writer.cleanup();

    assertThat(cleanup.succeeded()).isTrue();
    assertThat(ruleIds(V4, "FORWARD")).isEqualTo(foreignForward);
    assertThat(ruleIds(V4, "INPUT")).isEqualTo(foreignInput);
    assertThat(ruleIds(V4, "KUBE-FOREIGN")).isEqualTo(foreignChain);
    assertThat(kernel.ipsets().sets()).containsOnlyKeys("kube-foreign");
    assertThat(kernel.log()).allSatisfy(invocation -> {
      assertThat(invocation.stdin()).doesNotContain("KUBE-FOREIGN", "kube-foreign", "-F FORWARD",
          "-F INPUT");
      if (invocation.command().endsWith("restore") && !invocation.command().equals("ipset")) {
        assertThat(invocation.argv()).contains("--noflush");
      }
    });
  }

  @Test
  void cleanupRemovesEverythingPalisadeOwns() throws Exception {
    applied(BASE);

    WriteCounts counts = writer.cleanup().written();

    assertThat(counts.chainsDeleted()).isEqualTo(3);
    assertThat(counts.hooksRemoved()).isEqualTo(2);
    assertThat(counts.setsDestroyed()).isEqualTo(3);
    assertThat(writer.read().isClean()).isTrue();
    assertThat(writer.cleanup().written().wroteNothing()).isTrue();
  }

  @Test
  void aChainAForeignRuleJumpsIntoIsLeftAsOneReturnAndTheRestIsApplied() {
    applied(BASE);
    kernel.table(V4).append("KUBE-FOREIGN", "-j PALISADE-INGRESS");

    ApplyResult result = writer.apply(BASE.withoutChain(V4, "PALISADE-INGRESS")
        .chain(V4, "PALISADE-FORWARD", rule("-j DROP")).build());

    assertThat(result.succeeded()).isTrue();
    assertThat(result.attempts()).isOne();
    assertThat(result.leftovers()).singleElement().satisfies(left ->
        assertThat(left.describe()).contains("IPv4 chain PALISADE-INGRESS")
            .contains("-A KUBE-FOREIGN -j PALISADE-INGRESS"));
    assertThat(kernel.table(V4).chains().get("PALISADE-INGRESS"))
        .singleElement().satisfies(r -> assertThat(r.text()).contains("-j RETURN"));
    assertThat(kernel.table(V4).chains().get("PALISADE-FORWARD"))
        .singleElement().satisfies(r -> assertThat(r.text()).contains("-j DROP"));
  }

  @Test
  void aSetAForeignRuleStillUsesIsLeftAndNamedWithoutFailingTheApply() {
    applied(BASE);
    kernel.table(V6).append("KUBE-FOREIGN", "-m set --match-set pal-web6 src -j RETURN");

    ApplyResult result = writer.apply(BASE.withoutSet("pal-web6")
        .withoutChain(V6, "PALISADE-FORWARD").build());

    assertThat(result.succeeded()).isTrue();
    assertThat(result.attempts()).isOne();
    assertThat(result.leftovers()).extracting(Leftover::object).containsExactly("set pal-web6");
    assertThat(kernel.ipsets().sets()).containsKey("pal-web6");
    assertThat(kernel.table(V6).chains()).doesNotContainKey("PALISADE-FORWARD");
  }

  @Test
  void aPalSetWithoutPalisadesMarkerIsNeverDestroyed() {
    kernel.ipsets().create("pal-foreign", "hash:ip", "inet", "192.0.2.8");
    applied(BASE);

    assertThat(writer.cleanup().leftovers()).isEmpty();

    assertThat(kernel.ipsets().sets()).containsOnlyKeys("kube-foreign", "pal-foreign");
  }

  @Test
  void removedChainAndItsSetAreDeletedAfterTheirReferences() {
    applied(BASE);

    WriteCounts counts = applied(BASE.withoutSet("pal-web6").withoutChain(V6,
        "PALISADE-FORWARD"));

    assertThat(counts.chainsDeleted()).isEqualTo(1);
    assertThat(counts.hooksRemoved()).isEqualTo(1);
    assertThat(counts.setsDestroyed()).isEqualTo(1);
    assertThat(kernel.table(V6).chains()).doesNotContainKey("PALISADE-FORWARD");
    assertThat(kernel.ipsets().sets()).doesNotContainKey("pal-web6");
  }

  /**
   * The apply tells when its state is in force: after the restore removed the chain, before the
   * set the chain used is destroyed (which may wait for the kernel to release it).
   */
  @Test
  void theStateIsInForceOnceItsRulesAreWrittenBeforeUnusedSetsAreDestroyed() {
    applied(BASE);
    List<String> whenInForce = new ArrayList<>();

    ApplyResult result = writer.apply(BASE.withoutSet("pal-web6").withoutChain(V6,
        "PALISADE-FORWARD").build(), KernelView.READ, () -> whenInForce.add(
            "chain " + kernel.table(V6).chains().containsKey("PALISADE-FORWARD")
            + ", set " + kernel.ipsets().sets().containsKey("pal-web6")));

    assertThat(result.succeeded()).isTrue();
    assertThat(whenInForce).containsExactly("chain false, set true");
    assertThat(kernel.ipsets().sets()).doesNotContainKey("pal-web6");
  }

  /** A retry after the state was in force (the read-back behind it failed) tells no more. */
  @Test
  void theStateIsInForceOnceThoughTheReadBackAfterItFailedAndWasRetried() {
    kernel.failAfter("iptables-save", 1, 1, "iptables-save: netlink busy");
    List<String> told = new ArrayList<>();

    ApplyResult result = writer.apply(BASE.build(), KernelView.READ, () -> told.add("in force"));

    assertThat(result.succeeded()).isTrue();
    assertThat(result.attempts()).as("the hooks' read-back failed once").isEqualTo(2);
    assertThat(told).hasSize(1);
  }

  @Test
  void driftIsRepaired() {
    applied(BASE);
    kernel.table(V4).chains().get("FORWARD").remove(0);
    kernel.table(V4).chains().get("PALISADE-INGRESS").clear();
    kernel.ipsets().sets().get("pal-web").members.remove("10.99.1.11");
    kernel.table(V4).append("PALISADE-FORWARD", "-s 203.0.113.9/32 -j ACCEPT");

    WriteCounts counts = applied(BASE);

    assertThat(counts.hooksFixed()).isEqualTo(1);
    assertThat(counts.chainsRewritten()).isEqualTo(2);
    assertThat(counts.rulesWritten()).isEqualTo(3);
    assertThat(counts.rulesDeleted()).isEqualTo(1);
    assertThat(counts.membersAdded()).isEqualTo(1);
    assertThat(applied(BASE).wroteNothing()).isTrue();
  }

  @Test
  void misplacedHookIsMovedBackToItsPosition() {
    applied(BASE);
    kernel.table(V4).chains().get("FORWARD").remove(0);
    kernel.table(V4).append("FORWARD", rule("-j PALISADE-FORWARD"));

    WriteCounts counts = applied(BASE);

    assertThat(counts.hooksFixed()).isEqualTo(1);
    assertThat(counts.hooksRemoved()).isEqualTo(1);
    assertThat(kernel.table(V4).chains().get("FORWARD")).extracting(FakeIptables.Rule::text)
        .first().asString().startsWith("-j PALISADE-FORWARD");
    assertThat(kernel.table(V4).chains().get("FORWARD")).hasSize(2);
  }

  @Test
  void restartedWriterAdoptsTheKernelWithoutWriting() {
    applied(BASE);
    List<Long> ids = ruleIds(V4, "PALISADE-INGRESS");
    kernel.clearLog();

    ApplyResult result = newWriter().apply(BASE.build());

    assertThat(result.written().wroteNothing()).isTrue();
    assertThat(kernel.writes()).isEmpty();
    assertThat(ruleIds(V4, "PALISADE-INGRESS")).isEqualTo(ids);
  }

  @Test
  void namedPortSetsAndIpv6MembersAreWrittenInSaveSpelling() {
    WriteCounts counts = applied(BASE.set("pal-ports", HASH_IP_PORT, V6,
        "fd00:99:0:0::1,TCP:8080", "fd00:99::2,udp:53"));
    kernel.clearLog();

    assertThat(counts.membersAdded()).isEqualTo(7);
    assertThat(kernel.ipsets().sets().get("pal-ports").members.values())
        .containsExactly("fd00:99::1,tcp:8080", "fd00:99::2,udp:53");
    assertThat(applied(BASE.set("pal-ports", HASH_IP_PORT, V6, "fd00:99::1,tcp:8080",
        "fd00:99::2,udp:53")).wroteNothing()).isTrue();
  }

  @Test
  void badInputFailsBeforeTouchingTheKernel() {
    assertThatThrownBy(() -> writer.apply(BASE.chain(V4, "PALISADE-X", "-j ACCEPT").build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PALISADE-X").hasMessageContaining("pal:<hash>");
    assertThatThrownBy(() -> writer.apply(BASE.set("pal-web", HASH_IP, V4, "fd00::1").build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pal-web").hasMessageContaining("not V4");
    assertThatThrownBy(() -> writer.apply(BASE.hook(V4, "FORWARD", 2, "PALISADE-NOPE").build()))
        .hasMessageContaining("must jump into a desired Palisade chain");
    assertThatThrownBy(() -> writer.apply(BASE.chain(V4, "PALISADE-X",
        rule("-j PALISADE-MISSING")).build()))
        .hasMessageContaining("PALISADE-X jumps to PALISADE-MISSING");
    assertThatThrownBy(() -> writer.apply(BASE.chain(V4, "PALISADE-X",
        rule("-j KUBE-SERVICES")).build()))
        .hasMessageContaining("PALISADE-X jumps to KUBE-SERVICES");
    assertThatThrownBy(() -> writer.apply(BASE.set("cilium-x", HASH_IP, V4).build()))
        .hasMessageContaining("set cilium-x lacks the installation's prefix pal-");
    assertThatThrownBy(() -> writer.apply(BASE.chain(V4, "PALISADE-X",
        rule("-m set --match-set pal-missing src -j ACCEPT")).build()))
        .hasMessageContaining("matches set pal-missing");
    assertThat(kernel.log()).isEmpty();
  }
}
