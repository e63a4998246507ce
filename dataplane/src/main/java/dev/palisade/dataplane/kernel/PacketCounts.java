package dev.palisade.dataplane.kernel;

import com.google.common.collect.ImmutableSortedMap;
import dev.palisade.dataplane.state.ChainOwner;
import dev.palisade.dataplane.state.FamilyState;
import dev.palisade.model.Direction;
import dev.palisade.model.ObjectRef;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the kernel's rule packet counters say about policy, as of one {@code iptables-save -c}:
 * per local pod and direction the packets its pod chain denied (its DROP or REJECT rules), and
 * per policy the packets it allowed (the RETURN after the jump to the policy's chain in a pod
 * chain; a packet two policies allow is counted for the first in the pod chain, which is sorted
 * by policy name). Chains are told apart by the compiler's record of whose each is
 * ({@link FamilyState#owners()}), never by their names' hashes. Counters are read, never reset:
 * a chain the writer rewrites (a pod's policies changed) starts from zero, which Prometheus
 * counters tolerate as a reset.
 */
public record PacketCounts(ImmutableSortedMap<PodDirection, Long> denied,
    ImmutableSortedMap<ObjectRef, Long> allowed) {

  public static final PacketCounts NONE = new PacketCounts(ImmutableSortedMap.of(),
      ImmutableSortedMap.of());

  private static final Pattern COUNTED_RULE =
      Pattern.compile("^\\[(\\d+):\\d+] -A (\\S+) (.*)$");

  /** A local pod's traffic in one direction. */
  public record PodDirection(ObjectRef pod, Direction direction)
      implements Comparable<PodDirection> {
    private static final Comparator<PodDirection> ORDER =
        Comparator.comparing(PodDirection::pod).thenComparing(PodDirection::direction);

    @Override
    public int compareTo(PodDirection other) {
      return ORDER.compare(this, other);
    }
  }

  /**
   * Reads {@code saveWithCounters} ({@code iptables-save -c -t filter} of {@code state}'s family)
   * for the chains {@code state} says belong to pods. Rules of chains the state does not know
   * (written by an earlier compilation that the kernel still holds) count for nobody.
   */
  public static PacketCounts read(FamilyState state, String saveWithCounters) {
    Map<PodDirection, Long> denied = new TreeMap<>();
    Map<ObjectRef, Long> allowed = new TreeMap<>();
    Optional<ObjectRef> policyJustTried = Optional.empty();
    for (String line : saveWithCounters.split("\n")) {
      Matcher rule = COUNTED_RULE.matcher(line);
      ChainOwner owner = rule.matches() ? state.owners().get(rule.group(2)) : null;
      if (owner == null || owner.kind() != ChainOwner.Kind.POD) {
        continue;
      }
      long packets = Long.parseLong(rule.group(1));
      String target = RuleText.parse(rule.group(3)).target().orElse("");
      switch (target) {
        case "DROP", "REJECT" -> denied.merge(new PodDirection(owner.ref(), owner.direction()),
            packets, Long::sum);
        // The mark test after a policy's jump: the packets that policy allowed.
        case "RETURN" -> policyJustTried.ifPresent(policy ->
            allowed.merge(policy, packets, Long::sum));
        default -> { }
      }
      policyJustTried = Optional.ofNullable(state.owners().get(target))
          .filter(chain -> chain.kind() == ChainOwner.Kind.POLICY).map(ChainOwner::ref);
    }
    return new PacketCounts(ImmutableSortedMap.copyOf(denied), ImmutableSortedMap.copyOf(allowed));
  }

  /** Both counts added up, e.g. of the IPv4 and the IPv6 table. */
  public PacketCounts plus(PacketCounts other) {
    Map<PodDirection, Long> sumDenied = new TreeMap<>(denied);
    other.denied.forEach((key, packets) -> sumDenied.merge(key, packets, Long::sum));
    Map<ObjectRef, Long> sumAllowed = new TreeMap<>(allowed);
    other.allowed.forEach((key, packets) -> sumAllowed.merge(key, packets, Long::sum));
    return new PacketCounts(ImmutableSortedMap.copyOf(sumDenied),
        ImmutableSortedMap.copyOf(sumAllowed));
  }
}
