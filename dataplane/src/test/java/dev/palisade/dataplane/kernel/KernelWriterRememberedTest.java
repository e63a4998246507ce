package dev.palisade.dataplane.kernel;

import static dev.palisade.dataplane.kernel.DesiredStates.rule;
import static dev.palisade.dataplane.state.IpSetType.HASH_IP;
import static dev.palisade.model.IpFamily.V4;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.palisade.dataplane.kernel.KernelWriter.KernelView;
import dev.palisade.dataplane.state.DesiredState;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The writer's record of what it last wrote: an apply that trusts it reads nothing and writes
 * only the difference; it never hides a failure or what others changed from an apply that reads.
 */
class KernelWriterRememberedTest {
  private static final DesiredStates BASE = DesiredStates.builder()
      .set("pal-web", HASH_IP, V4, "10.99.1.10", "10.99.1.11")
      .set("pal-db", HASH_IP, V4, "10.99.1.20")
      .chain(V4, "PALISADE-FORWARD", rule("-j PALISADE-INGRESS"))
      .chain(V4, "PALISADE-INGRESS",
          rule("-m set --match-set pal-web src -j ACCEPT"),
          rule("-m set --match-set pal-db src -j ACCEPT"),
          rule("-j DROP"))
      .hook(V4, "FORWARD", 1, "PALISADE-FORWARD");
  private static final DesiredStates ONE_MORE_MEMBER =
      BASE.set("pal-web", HASH_IP, V4, "10.99.1.10", "10.99.1.11", "10.99.1.12");

  private final FakeKernel kernel = new FakeKernel();
  private final KernelWriter writer = FakeKernel.writerOver(kernel);

  @BeforeEach
  void programBase() {
    kernel.table(V4).append("FORWARD", "-s 192.0.2.1/32 -j ACCEPT");
    assertThat(writer.apply(BASE.build()).succeeded()).isTrue();
    kernel.clearLog();
  }

  @Test
  void aRememberedApplyReadsNothingAndWritesOnlyTheChange() {
    ApplyResult result = writer.apply(ONE_MORE_MEMBER.build(), KernelView.REMEMBERED);

    assertThat(result.written()).isEqualTo(new WriteCounts(0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0));
    assertThat(kernel.log()).extracting(FakeKernel.Invocation::argv)
        .containsExactly(List.of("ipset", "restore", "-exist"));
    assertThat(kernel.log().get(0).stdin()).isEqualTo("add pal-web 10.99.1.12\n");
    assertThat(FakeKernel.writerOver(kernel).apply(ONE_MORE_MEMBER.build()).written()
        .wroteNothing()).as("a reading writer finds the kernel converged").isTrue();
  }

  @Test
  void aRememberedApplyOfAChangedChainEditsOnlyThatChain() {
    DesiredState changed = BASE.chain(V4, "PALISADE-INGRESS",
        rule("-m set --match-set pal-web src -j ACCEPT"),
        rule("-m set --match-set pal-db src -j ACCEPT"),
        rule("-p tcp --dport 53 -j ACCEPT"),
        rule("-j DROP")).build();

    ApplyResult result = writer.apply(changed, KernelView.REMEMBERED);

    assertThat(result.written().rulesWritten()).isEqualTo(1);
    assertThat(result.written().chainsRewritten()).isEqualTo(1);
    assertThat(kernel.log()).extracting(FakeKernel.Invocation::command)
        .containsExactly("iptables-restore");
    assertThat(FakeKernel.writerOver(kernel).apply(changed).written().wroteNothing()).isTrue();
  }

  @Test
  void aRememberedApplyOfTheSameStateRunsNothing() {
    writer.apply(BASE.build(), KernelView.REMEMBERED);

    assertThat(kernel.log()).isEmpty();
  }

  /**
   * A rehearsal works out the remembered apply's writes and runs nothing; the next apply writes
   * as if it had not run.
   */
  @Test
  void aRehearsalCountsTheRememberedWritesAndRunsNothing() {
    assertThat(FakeKernel.writerOver(kernel).rehearse(BASE.build())).as("nothing remembered")
        .isEmpty();
    assertThat(writer.rehearse(BASE.build())).hasValue(WriteCounts.NOTHING);
    assertThat(writer.rehearse(ONE_MORE_MEMBER.build()))
        .hasValue(new WriteCounts(0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0));
    assertThat(kernel.log()).isEmpty();

    assertThat(writer.apply(ONE_MORE_MEMBER.build(), KernelView.REMEMBERED).written())
        .isEqualTo(new WriteCounts(0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0));
  }

  /**
   * A rehearsal of the first apply counts what an apply to a namespace without Palisade objects
   * writes, runs nothing (not even a read), and leaves the record as it was.
   */
  @Test
  void aFirstApplysRehearsalCountsTheWritesToAnEmptyNamespaceAndRunsNothing() {
    FakeKernel empty = new FakeKernel();
    KernelWriter fresh = FakeKernel.writerOver(empty);

    WriteCounts rehearsed = fresh.rehearseFirst(ONE_MORE_MEMBER.build());
    assertThat(writer.rehearseFirst(ONE_MORE_MEMBER.build())).as("whatever the record")
        .isEqualTo(rehearsed);
    assertThat(empty.log()).isEmpty();
    assertThat(kernel.log()).isEmpty();

    assertThat(fresh.apply(ONE_MORE_MEMBER.build()).written()).isEqualTo(rehearsed);
    assertThat(rehearsed.setsCreated()).isEqualTo(2);
    assertThat(writer.apply(ONE_MORE_MEMBER.build(), KernelView.REMEMBERED).written())
        .as("the record unchanged").isEqualTo(new WriteCounts(0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0));
  }

  @Test
  void driftIsInvisibleToARememberedApplyAndRepairedByAReadingOne() {
    kernel.ipsets().sets().get("pal-web").members.remove("10.99.1.11");

    assertThat(writer.apply(BASE.build(), KernelView.REMEMBERED).written().wroteNothing())
        .isTrue();
    WriteCounts repaired = writer.apply(BASE.build(), KernelView.READ).written();

    assertThat(repaired.membersAdded()).isEqualTo(1);
    assertThat(kernel.ipsets().sets().get("pal-web").members).containsKey("10.99.1.11");
  }

  @Test
  void afterAFailedCommandTheNextApplyReadsTheKernel() {
    kernel.failNext("ipset", 3, "ipset v7.17: Kernel error received: out of memory");
    assertThat(writer.apply(ONE_MORE_MEMBER.build(), KernelView.REMEMBERED).succeeded())
        .isFalse();
    kernel.clearLog();

    assertThat(writer.apply(ONE_MORE_MEMBER.build(), KernelView.REMEMBERED).succeeded())
        .isTrue();

    assertThat(kernel.log()).extracting(FakeKernel.Invocation::command)
        .as("the record was dropped with the failure, so the kernel is read first")
        .startsWith("iptables-save", "ip6tables-save", "ipset");
    assertThat(kernel.ipsets().sets().get("pal-web").members).containsKey("10.99.1.12");
  }

  @Test
  void aMovedJumpIsReadBackSoTheRecordKeepsForeignRulesInPlace() {
    kernel.table(V4).chains().get("FORWARD").remove(0);
    writer.apply(BASE.build(), KernelView.READ);
    kernel.table(V4).append("FORWARD", "-s 192.0.2.9/32 -j ACCEPT");
    kernel.clearLog();

    ApplyResult result = writer.apply(ONE_MORE_MEMBER.build(), KernelView.REMEMBERED);

    assertThat(result.written().hooksFixed()).isZero();
    assertThat(kernel.writes()).extracting(FakeKernel.Invocation::command)
        .containsExactly("ipset");
  }

  @Test
  void anUnchangedChainWhoseSetWentAwayIsStillRejected() {
    assertThatThrownBy(() -> writer.apply(BASE.withoutSet("pal-db").build(),
        KernelView.REMEMBERED))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("matches set pal-db");
    assertThat(kernel.log()).isEmpty();
  }

  @Test
  void fullResyncRewritesEverythingEveryTimeAndConvergesTheSame() {
    KernelWriter fullResync = FakeKernel.writerOver(kernel).withStrategy(WriteStrategy.FULL_RESYNC);

    WriteCounts written = fullResync.apply(ONE_MORE_MEMBER.build()).written();

    assertThat(written.membersAdded()).isEqualTo(4);
    assertThat(written.membersRemoved()).isEqualTo(3);
    assertThat(written.rulesWritten()).isEqualTo(4);
    assertThat(written.chainsRewritten()).isEqualTo(2);
    assertThat(written.hooksFixed()).isZero();
    assertThat(FakeKernel.writerOver(kernel).apply(ONE_MORE_MEMBER.build()).written()
        .wroteNothing()).isTrue();
  }
}
