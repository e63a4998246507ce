package dev.palisade.model;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import java.util.EnumSet;
import java.util.Set;

/**
 * A NetworkPolicy after defaulting: the pods it selects, the directions it isolates them in,
 * and its rules in the order they were written (a rule is identified by its index).
 */
public record Policy(
    ObjectRef ref,
    LabelSelector podSelector,
    ImmutableSet<Direction> policyTypes,
    ImmutableList<Rule> ingress,
    ImmutableList<Rule> egress) {

  public Policy {
    policyTypes = ImmutableSet.copyOf(EnumSet.copyOf(
        policyTypes.isEmpty() ? EnumSet.noneOf(Direction.class) : policyTypes));
    ingress = ImmutableList.copyOf(ingress);
    egress = ImmutableList.copyOf(egress);
  }

  /**
   * "If this field is not specified, it will default based on the existence of ingress or
   * egress rules; policies that contain an egress section are assumed to affect egress, and all
   * policies (whether or not they contain an ingress section) are assumed to affect ingress."
   * The API server's defaulting tests for a non-empty egress list.
   */
  public static ImmutableSet<Direction> defaultPolicyTypes(int egressRuleCount) {
    return egressRuleCount > 0
        ? ImmutableSet.of(Direction.INGRESS, Direction.EGRESS)
        : ImmutableSet.of(Direction.INGRESS);
  }

  public static Policy of(ObjectRef ref, LabelSelector podSelector, Set<Direction> types,
      java.util.List<Rule> ingress, java.util.List<Rule> egress) {
    return new Policy(ref, podSelector, ImmutableSet.copyOf(types), ImmutableList.copyOf(ingress),
        ImmutableList.copyOf(egress));
  }

  /** The pods this policy applies to. */
  public PeerSelector targets() {
    return PeerSelector.inNamespace(ref.namespace(), podSelector);
  }

  /** A pod selected by this policy is isolated in this direction. */
  public boolean isolates(Direction direction) {
    return policyTypes.contains(direction);
  }

  /**
   * The rules that take effect in a direction. Rules of a direction the policy does not list in
   * policyTypes are ignored, as the API says of an explicit policyTypes.
   */
  public ImmutableList<Rule> rules(Direction direction) {
    if (!isolates(direction)) {
      return ImmutableList.of();
    }
    return direction == Direction.INGRESS ? ingress : egress;
  }
}
