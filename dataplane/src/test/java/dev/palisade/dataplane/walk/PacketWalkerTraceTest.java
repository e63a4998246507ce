package dev.palisade.dataplane.walk;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.net.InetAddresses;
import dev.palisade.dataplane.state.ChainSpec;
import dev.palisade.dataplane.state.FamilyState;
import dev.palisade.dataplane.state.HookSpec;
import dev.palisade.dataplane.walk.PacketWalker.Outcome;
import dev.palisade.dataplane.walk.PacketWalker.Packet;
import dev.palisade.dataplane.walk.PacketWalker.Step;
import dev.palisade.dataplane.walk.PacketWalker.Trace;
import dev.palisade.model.IpFamily;
import dev.palisade.model.Protocol;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/**
 * The trace holds every rule the packet is tested against, in the kernel's order: each chain's
 * rules in turn, a jump's chain before the rule after the jump, nothing after the rule that
 * ends the walk.
 */
class PacketWalkerTraceTest {
  private static final String ESTABLISHED = "-m conntrack --ctstate RELATED,ESTABLISHED -j RETURN";
  private static final String TO_INGRESS = "-j PAL-INGRESS";
  private static final String FROM_NINE = "-s 10.0.0.9/32 -j DROP";
  private static final String TO_TWO = "-d 10.0.0.2/32 -j DROP";
  private static final String WEB = "-p tcp -m tcp --dport 80 -j RETURN";
  private static final String DENY = "-j DROP";
  private static final String HOOK = "-j PAL-FORWARD";

  private static final PacketWalker WALKER = new PacketWalker(new FamilyState(IpFamily.V4,
      ImmutableSortedMap.of(
          "PAL-FORWARD", new ChainSpec("PAL-FORWARD",
              ImmutableList.of(ESTABLISHED, TO_INGRESS, FROM_NINE)),
          "PAL-INGRESS", new ChainSpec("PAL-INGRESS", ImmutableList.of(TO_TWO, WEB, DENY))),
      ImmutableList.of(new HookSpec("FORWARD", 1, HOOK)),
      ImmutableSortedMap.of(), ImmutableSortedMap.of()));

  private static Trace trace(int port) {
    return WALKER.trace("FORWARD", new Packet(InetAddresses.forString("10.0.0.1"),
        InetAddresses.forString("10.0.0.3"), Protocol.TCP, port));
  }

  @Test
  void anAllowedPacketIsTestedAgainstEveryRuleUpToEachChainsReturnAndTheRulesAfterTheJump() {
    Trace trace = trace(80);

    assertThat(trace.outcome()).isEqualTo(Outcome.PASSED);
    assertThat(trace.steps()).containsExactly(
        new Step("FORWARD", 1, HOOK, true),
        new Step("PAL-FORWARD", 1, ESTABLISHED, false),
        new Step("PAL-FORWARD", 2, TO_INGRESS, true),
        new Step("PAL-INGRESS", 1, TO_TWO, false),
        new Step("PAL-INGRESS", 2, WEB, true),
        new Step("PAL-FORWARD", 3, FROM_NINE, false));
    assertThat(trace.rulesEvaluated()).isEqualTo(6);
  }

  @Test
  void aDroppedPacketStopsAtTheDropAndTestsNothingAfterIt() {
    Trace trace = trace(81);

    assertThat(trace.outcome()).isEqualTo(Outcome.DROPPED);
    assertThat(trace.steps()).extracting(Step::rule, Step::matched).containsExactly(
        Tuple.tuple(HOOK, true),
        Tuple.tuple(ESTABLISHED, false),
        Tuple.tuple(TO_INGRESS, true),
        Tuple.tuple(TO_TWO, false),
        Tuple.tuple(WEB, false),
        Tuple.tuple(DENY, true));
  }

  @Test
  void oneChainIsWalkedAloneAsIfARuleHadJumpedThere() {
    Trace trace = WALKER.traceChain("PAL-INGRESS", new Packet(
        InetAddresses.forString("10.0.0.9"), InetAddresses.forString("10.0.0.3"),
        Protocol.TCP, 80));

    assertThat(trace.outcome()).isEqualTo(Outcome.PASSED);
    assertThat(trace.steps()).extracting(Step::chain).containsOnly("PAL-INGRESS");
    assertThat(trace.steps()).extracting(Step::rule).containsExactly(TO_TWO, WEB);
  }

  @Test
  void whenTheChainAGotoEnteredReturnsTheChainOfTheGotoReturnsToo() {
    String newFlows = "-m conntrack ! --ctstate RELATED,ESTABLISHED -j PAL-FORWARD";
    String toBlock = "-d 10.0.0.0/30 -g PAL-BLOCK";
    String toPod = "-d 10.0.0.3/32 -g PAL-POD";
    String otherBlock = "-d 10.0.0.4/30 -j DROP";
    String afterStage = "-s 10.0.0.1/32 -j RETURN";
    PacketWalker walker = new PacketWalker(new FamilyState(IpFamily.V4,
        ImmutableSortedMap.of(
            "PAL-FORWARD", new ChainSpec("PAL-FORWARD", ImmutableList.of(TO_INGRESS, FROM_NINE)),
            "PAL-INGRESS", new ChainSpec("PAL-INGRESS", ImmutableList.of(toBlock, otherBlock)),
            "PAL-BLOCK", new ChainSpec("PAL-BLOCK", ImmutableList.of(toPod, DENY)),
            "PAL-POD", new ChainSpec("PAL-POD", ImmutableList.of(afterStage, DENY))),
        ImmutableList.of(new HookSpec("FORWARD", 1, newFlows)),
        ImmutableSortedMap.of(), ImmutableSortedMap.of()));

    Trace trace = walker.trace("FORWARD", new Packet(InetAddresses.forString("10.0.0.1"),
        InetAddresses.forString("10.0.0.3"), Protocol.TCP, 80));

    // the first packet of a flow is NEW; the pod chain's RETURN leaves PAL-BLOCK and
    // PAL-INGRESS at once: neither DENY of PAL-BLOCK nor the other block is tested
    assertThat(trace.outcome()).isEqualTo(Outcome.PASSED);
    assertThat(trace.steps()).extracting(Step::rule, Step::matched).containsExactly(
        Tuple.tuple(newFlows, true),
        Tuple.tuple(TO_INGRESS, true),
        Tuple.tuple(toBlock, true),
        Tuple.tuple(toPod, true),
        Tuple.tuple(afterStage, true),
        Tuple.tuple(FROM_NINE, false));
  }

  @Test
  void theSetsOfARuleAreThoseItsMatchSetsName() {
    assertThat(PacketWalker.setsOf("-m set ! --match-set pal-4-isolated-ingress dst -m set "
        + "--match-set pal-4s-x dst,dst -j RETURN"))
        .containsExactly("pal-4-isolated-ingress", "pal-4s-x");
    assertThat(PacketWalker.setsOf(DENY)).isEmpty();
  }

  @Test
  void theWalkedFirstPacketIsASynSoANewFlowWithoutSynIsNotIt() {
    String midStream = "-p tcp -m tcp ! --tcp-flags FIN,SYN,RST,ACK SYN -j DROP";
    String syn = "-p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j ACCEPT";
    PacketWalker walker = new PacketWalker(new FamilyState(IpFamily.V4,
        ImmutableSortedMap.of("PAL-X", new ChainSpec("PAL-X",
            ImmutableList.of(midStream, syn, DENY))),
        ImmutableList.of(), ImmutableSortedMap.of(), ImmutableSortedMap.of()));

    Trace trace = walker.traceChain("PAL-X", new Packet(InetAddresses.forString("10.0.0.1"),
        InetAddresses.forString("10.0.0.3"), Protocol.TCP, 80));

    assertThat(trace.steps()).extracting(Step::rule, Step::matched).containsExactly(
        Tuple.tuple(midStream, false), Tuple.tuple(syn, true));
    assertThat(trace.outcome()).isEqualTo(Outcome.PASSED);
  }
}
