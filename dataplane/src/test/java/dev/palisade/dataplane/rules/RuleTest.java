package dev.palisade.dataplane.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.collect.ImmutableList;
import dev.palisade.dataplane.rules.Action.RejectWith;
import dev.palisade.dataplane.rules.Match.CtState;
import dev.palisade.dataplane.rules.Match.Side;
import dev.palisade.model.Cidr;
import dev.palisade.model.Protocol;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Rules render as iptables-save prints them (the expected strings were read back from
 * iptables 1.8.9 after a restore): addresses, protocol and its port module, other modules in
 * order, the comment, the target.
 */
class RuleTest {

  static Stream<Arguments> renderings() {
    return Stream.of(
        Arguments.of("accept established", Rule.of(new Action.Accept(),
                Match.Conntrack.of(CtState.ESTABLISHED, CtState.RELATED)),
            "-m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment \"C\" -j ACCEPT"),
        Arguments.of("drop invalid", Rule.of(new Action.Drop(), Match.Conntrack.of(CtState.INVALID)),
            "-m conntrack --ctstate INVALID -m comment --comment \"C\" -j DROP"),
        Arguments.of("gate", Rule.of(new Action.Return(), Match.InSet.notIn("pal-4-g", Side.SOURCE)),
            "-m set ! --match-set pal-4-g src -m comment --comment \"C\" -j RETURN"),
        Arguments.of("matches reordered as iptables-save prints them",
            Rule.of(new Action.SetMark(0x10000), Match.InSet.of("pal-4s", Side.SOURCE),
                Match.ProtocolPorts.range(Protocol.TCP, 80, 90),
                new Match.Address(Side.DESTINATION, Cidr.parse("10.0.0.0/8")),
                new Match.Address(Side.SOURCE, Cidr.parse("10.0.1.10/32"))),
            "-s 10.0.1.10/32 -d 10.0.0.0/8 -p tcp -m tcp --dport 80:90"
                + " -m set --match-set pal-4s src -m comment --comment \"C\""
                + " -j MARK --set-xmark 0x10000/0x10000"),
        Arguments.of("sctp single port", Rule.of(new Action.Accept(),
                Match.ProtocolPorts.range(Protocol.SCTP, 9000, 9000)),
            "-p sctp -m sctp --dport 9000 -m comment --comment \"C\" -j ACCEPT"),
        Arguments.of("protocol only", Rule.of(new Action.Accept(),
                Match.ProtocolPorts.any(Protocol.UDP)),
            "-p udp -m comment --comment \"C\" -j ACCEPT"),
        Arguments.of("icmpv6 type", Rule.of(new Action.Return(), new Match.Icmpv6Type(135)),
            "-p ipv6-icmp -m icmp6 --icmpv6-type 135 -m comment --comment \"C\" -j RETURN"),
        Arguments.of("named port set", Rule.of(new Action.Accept(),
                Match.InSet.of("pal-4e", Side.DESTINATION, Side.DESTINATION)),
            "-m set --match-set pal-4e dst,dst -m comment --comment \"C\" -j ACCEPT"),
        Arguments.of("mark test", Rule.of(new Action.Return(), new Match.Mark(0x10000, 0x10000)),
            "-m mark --mark 0x10000/0x10000 -m comment --comment \"C\" -j RETURN"),
        Arguments.of("clear mark", Rule.of(new Action.ClearMark(0x10000)),
            "-m comment --comment \"C\" -j MARK --set-xmark 0x0/0x10000"),
        Arguments.of("jump", Rule.of(new Action.Jump("PALISADE-X")),
            "-m comment --comment \"C\" -j PALISADE-X"),
        Arguments.of("goto", Rule.of(new Action.Goto("PALISADE-X"),
                new Match.Address(Side.DESTINATION, Cidr.parse("10.0.1.0/26"))),
            "-d 10.0.1.0/26 -m comment --comment \"C\" -g PALISADE-X"),
        Arguments.of("hook: new flows only", Rule.of(new Action.Jump("PALISADE-FORWARD"),
                Match.Conntrack.noneOf(CtState.ESTABLISHED, CtState.RELATED)),
            "-m conntrack ! --ctstate RELATED,ESTABLISHED -m comment --comment \"C\""
                + " -j PALISADE-FORWARD"),
        Arguments.of("tcp reset", Rule.of(new Action.Reject(RejectWith.TCP_RESET),
                Match.ProtocolPorts.any(Protocol.TCP)),
            "-p tcp -m comment --comment \"C\" -j REJECT --reject-with tcp-reset"),
        Arguments.of("icmp6 unreachable", Rule.of(new Action.Reject(
                RejectWith.ICMP6_PORT_UNREACHABLE)),
            "-m comment --comment \"C\" -j REJECT --reject-with icmp6-port-unreachable"),
        Arguments.of("nflog, default burst left out", Rule.of(new Action.Nflog(5, "pal deny x/a",
                new Match.Limit(10, Match.Limit.DEFAULT_BURST))),
            "-m limit --limit 10/sec -m comment --comment \"C\""
                + " -j NFLOG --nflog-prefix \"pal deny x/a\" --nflog-group 5"),
        Arguments.of("nflog with burst", Rule.of(new Action.Nflog(5, "p", new Match.Limit(10, 20))),
            "-m limit --limit 10/sec --limit-burst 20 -m comment --comment \"C\""
                + " -j NFLOG --nflog-prefix \"p\" --nflog-group 5"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renderings")
  void rendersAsIptablesSavePrints(String name, Rule rule, String expected) {
    assertThat(rule.render("C")).isEqualTo(expected);
  }

  @Test
  void contentLeavesTheCommentOut() {
    Rule rule = Rule.of(new Action.Drop(), Match.ProtocolPorts.any(Protocol.TCP));
    assertThat(rule.content()).isEqualTo("-p tcp -j DROP");
  }

  @Test
  void aTcpResetNeedsATcpMatch() {
    assertThatThrownBy(() -> Rule.of(new Action.Reject(RejectWith.TCP_RESET)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-p tcp");
    assertThatThrownBy(() -> Rule.of(new Action.Reject(RejectWith.TCP_RESET),
        Match.ProtocolPorts.any(Protocol.UDP))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void invariantsAreCheckedEagerly() {
    assertThatThrownBy(() -> Rule.of(new Action.Drop(), Match.ProtocolPorts.any(Protocol.TCP),
        Match.ProtocolPorts.any(Protocol.UDP))).hasMessageContaining("at most one protocol");
    assertThatThrownBy(() -> Rule.of(new Action.Drop(), Match.ProtocolPorts.any(Protocol.TCP),
        new Match.Icmpv6Type(135))).hasMessageContaining("at most one protocol");
    assertThatThrownBy(() -> Rule.of(new Action.Drop(),
        new Match.Address(Side.SOURCE, Cidr.parse("10.0.0.0/8")),
        new Match.Address(Side.SOURCE, Cidr.parse("10.1.0.0/16"))))
        .hasMessageContaining("at most one SOURCE address");
    assertThatThrownBy(() -> new Match.Address(Side.SOURCE, Cidr.parse("10.0.0.1/8")))
        .hasMessageContaining("host bits");
    assertThatThrownBy(() -> Match.ProtocolPorts.range(Protocol.TCP, 90, 80))
        .hasMessageContaining("90:80");
    assertThatThrownBy(() -> Match.ProtocolPorts.any(Protocol.ICMP))
        .hasMessageContaining("ICMP");
    assertThatThrownBy(() -> new Action.Jump("not a chain"))
        .hasMessageContaining("not a chain name");
    assertThatThrownBy(() -> new Action.Nflog(1, "say \"hi\"", new Match.Limit(1, 1)))
        .hasMessageContaining("without quotes");
    assertThatThrownBy(() -> new Match.Mark(0x3, 0x1)).hasMessageContaining("outside mask");
  }

  @Test
  void aChainNamesTheChainsItJumpsTo() {
    Chain chain = new Chain("PALISADE-A", ImmutableList.of(
        Rule.of(new Action.Jump("PALISADE-C")), Rule.of(new Action.Drop()),
        Rule.of(new Action.Jump("PALISADE-B")), Rule.of(new Action.Jump("PALISADE-C"))));
    assertThat(chain.referencedChains()).containsExactly("PALISADE-B", "PALISADE-C");
  }
}
