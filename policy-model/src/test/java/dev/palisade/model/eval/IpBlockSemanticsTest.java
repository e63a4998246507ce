package dev.palisade.model.eval;

import static dev.palisade.model.eval.Probe.TCP_80;
import static dev.palisade.model.eval.Probe.allowed;
import static dev.palisade.model.eval.Probe.denied;
import static dev.palisade.model.testing.Builders.ipBlock;
import static dev.palisade.model.testing.Builders.policy;
import static dev.palisade.model.testing.Builders.rule;
import static dev.palisade.model.testing.Builders.selector;

import dev.palisade.model.Peer;
import dev.palisade.model.Policy;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DESIGN.md section 3, item 7: an ipBlock is its cidr minus every except, applies to pod
 * addresses as well as to addresses outside the cluster, in IPv4 and IPv6, and a block of one
 * family never matches an address of the other. Reference pods: {@code 10.0.<n>.<p>} and
 * {@code fd00::<n>:<p>} with n = 1, 2, 3 for x, y, z.
 */
class IpBlockSemanticsTest {

  static Stream<SemanticsCase> cases() {
    return Stream.of(
        // "IPBlock describes a particular CIDR [...] that is allowed to the pods matched by a
        // NetworkPolicySpec's podSelector."
        SemanticsCase.of("a cidr covering pod addresses lets those pods in",
            letIn(ipBlock("10.0.2.0/24")),
            allowed("y/a", "x/a", TCP_80), allowed("y/c", "x/a", TCP_80),
            denied("z/a", "x/a", TCP_80), denied("x/b", "x/a", TCP_80)),
        // "The except entry describes CIDRs that should not be included within this rule."
        SemanticsCase.of("an except carves one pod out",
            letIn(ipBlock("10.0.0.0/16", "10.0.2.2/32")),
            allowed("y/a", "x/a", TCP_80), denied("y/b", "x/a", TCP_80),
            allowed("z/b", "x/a", TCP_80)),
        SemanticsCase.of("several excepts each carve out",
            letIn(ipBlock("10.0.0.0/16", "10.0.2.0/24", "10.0.3.3/32")),
            denied("y/a", "x/a", TCP_80), denied("y/c", "x/a", TCP_80),
            denied("z/c", "x/a", TCP_80), allowed("z/a", "x/a", TCP_80),
            allowed("x/b", "x/a", TCP_80)),
        SemanticsCase.of("addresses outside the cluster, with an except",
            letIn(ipBlock("198.51.100.0/24", "198.51.100.128/25")),
            allowed("198.51.100.7", "x/a", TCP_80), denied("198.51.100.200", "x/a", TCP_80),
            denied("198.51.101.7", "x/a", TCP_80)),
        SemanticsCase.of("host bits in the cidr are read as its network",
            letIn(ipBlock("10.0.2.77/24")),
            allowed("y/a", "x/a", TCP_80), denied("z/a", "x/a", TCP_80)),
        SemanticsCase.of("IPv6 cidr with an except, on pod addresses",
            letIn(ipBlock("fd00::/16", "fd00::2:0/112")),
            allowed("z/a", "x/a", TCP_80).v6(), denied("y/a", "x/a", TCP_80).v6(),
            allowed("fd00:1::9", "x/a", TCP_80).v6(), denied("2001:db8::1", "x/a", TCP_80).v6()),
        SemanticsCase.of("an IPv4 block never matches an IPv6 address",
            letIn(ipBlock("0.0.0.0/0")),
            allowed("y/a", "x/a", TCP_80), denied("y/a", "x/a", TCP_80).v6(),
            denied("2001:db8::1", "x/a", TCP_80).v6()),
        SemanticsCase.of("an IPv6 block never matches an IPv4 address",
            letIn(ipBlock("::/0")),
            allowed("y/a", "x/a", TCP_80).v6(), denied("y/a", "x/a", TCP_80),
            denied("198.51.100.7", "x/a", TCP_80)),
        SemanticsCase.of("dual-stack rule: one block per family",
            letIn(ipBlock("10.0.2.0/24"), ipBlock("fd00::3:0/112")),
            allowed("y/a", "x/a", TCP_80), denied("y/a", "x/a", TCP_80).v6(),
            allowed("z/a", "x/a", TCP_80).v6(), denied("z/a", "x/a", TCP_80)),
        SemanticsCase.of("egress to an ipBlock outside the cluster",
            List.of(policy("out").in("x").select(selector("pod", "a"))
                .egress(rule().peers(ipBlock("203.0.113.0/24", "203.0.113.0/28"))).build()),
            allowed("x/a", "203.0.113.99", TCP_80), denied("x/a", "203.0.113.9", TCP_80),
            denied("x/a", "198.51.100.7", TCP_80), denied("x/a", "y/a", TCP_80)),
        SemanticsCase.of("egress ipBlock covering pod addresses",
            List.of(policy("out").in("x").select(selector("pod", "a"))
                .egress(rule().peers(ipBlock("10.0.3.0/24"))).build()),
            allowed("x/a", "z/b", TCP_80), denied("x/a", "y/b", TCP_80)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void ipBlocks(SemanticsCase semanticsCase) {
    semanticsCase.verify();
  }

  /** x/a accepts anything from the given peers. */
  private static List<Policy> letIn(Peer... peers) {
    return List.of(policy("let-in").in("x").select(selector("pod", "a"))
        .ingress(rule().peers(peers)).build());
  }
}
