package dev.palisade.dataplane.plan;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import dev.palisade.model.Direction;
import dev.palisade.model.IpFamily;
import dev.palisade.model.ObjectRef;

/**
 * A node's plan for one IP family.
 *
 * @param endpoints the node's pods with an address in the family, by reference
 * @param rules the allow rules of every policy that isolates one of the endpoints, per
 *     direction it isolates them in (none: the policy allows nothing in that direction);
 *     ipBlock peers of the other family are left out. Where the family has endpoints, also
 *     those of the policies that will isolate the node's pods waiting for their address, which
 *     no endpoint may name yet: prepared, so that the address's event finds them in place
 * @param members the members of every class the rules name, in the order rules first name them;
 *     members that did not change since the previous plan are the previous plan's objects
 */
public record FamilyPlan(IpFamily family, ImmutableList<Endpoint> endpoints,
    ImmutableMap<PolicyDirection, ImmutableList<AllowRule>> rules,
    ImmutableMap<PeerClass, ImmutableSet<Member>> members) {

  /** A policy's rules of one direction. */
  public record PolicyDirection(ObjectRef policy, Direction direction) {}


  public ImmutableList<AllowRule> rules(ObjectRef policy, Direction direction) {
    ImmutableList<AllowRule> found = rules.get(new PolicyDirection(policy, direction));
    if (found == null) {
      throw new IllegalArgumentException("no " + direction + " rules of " + policy
          + " in the plan: it isolates no endpoint of the node in that direction");
    }
    return found;
  }

  public ImmutableSet<Member> members(PeerClass peerClass) {
    ImmutableSet<Member> found = members.get(peerClass);
    if (found == null) {
      throw new IllegalArgumentException("no rule of the plan names " + peerClass);
    }
    return found;
  }
}
