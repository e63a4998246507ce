package dev.palisade.model.lint;

import dev.palisade.model.Cidr;
import dev.palisade.model.IpBlock;
import dev.palisade.model.Peer;
import dev.palisade.model.Policy;
import dev.palisade.model.RuleGraph;
import java.util.function.Consumer;

/**
 * PAL004: a block written with host bits ({@code 10.0.0.1/8}), which the API reads as its
 * network (and newer API servers reject for new objects); PAL005: an except that is not a
 * strict subset of its cidr ("must be a strict subset of `cidr`", API validation).
 */
final class IpBlockCheck implements PolicyCheck {

  @Override
  public void check(Policy policy, RuleGraph graph, Consumer<Finding> findings) {
    for (RuleSite site : RuleSite.of(policy)) {
      for (Peer peer : site.rule().peers()) {
        if (peer instanceof IpBlock block) {
          check(policy, site, block, findings);
        }
      }
    }
  }

  private static void check(Policy policy, RuleSite site, IpBlock block,
      Consumer<Finding> findings) {
    String where = site + "." + site.peersField() + ": ipBlock ";
    Cidr cidr = block.cidr();
    hostBits(policy, where + "cidr ", cidr, findings);
    for (Cidr except : block.except()) {
      hostBits(policy, where + cidr + " except ", except, findings);
      if (!cidr.contains(except)) {
        findings.accept(LintCode.PAL005.finding(policy.ref(),
            where + cidr + " except " + except + " is not inside the cidr; the API server"
                + " rejects it",
            "except only blocks inside " + cidr.normalized() + ", or delete this except"));
      } else if (except.prefixLength() == cidr.prefixLength()) {
        findings.accept(LintCode.PAL005.finding(policy.ref(),
            where + cidr + " except " + except + " takes out the whole cidr; the API server"
                + " rejects it (an except must be a strict subset of the cidr)",
            "delete the ipBlock, or except a smaller block inside " + cidr.normalized()));
      }
    }
  }

  private static void hostBits(Policy policy, String what, Cidr cidr,
      Consumer<Finding> findings) {
    if (cidr.hasHostBits()) {
      findings.accept(LintCode.PAL004.finding(policy.ref(),
          what + cidr + " has host bits set and is read as " + cidr.normalized(),
          "write " + cidr.normalized()));
    }
  }
}
