package dev.palisade.dataplane.plan;

import dev.palisade.model.GraphDelta;
import dev.palisade.model.IpFamily;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.Pod;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The host member of each endpoint pod, per family, kept from one plan to the next. A pod event
 * at 10,000 pods rebuilds the members of every class it touches, some of them holding every pod
 * of the cluster; a new {@link Member.Host} per member made those rebuilds most of the sync's
 * garbage, and the member sets that outlive a young collection carried them into the old
 * generation, whose collections (about 175 ms with the chart's serial collector) landed in the
 * events' tail. A member is reused while its pod keeps the address.
 *
 * <p>Not thread-safe: owned by one {@link IncrementalNodePlanner}, or one plan.
 */
final class HostMembers {
  private final Map<ObjectRef, Member.Host> v4 = new HashMap<>();
  private final Map<ObjectRef, Member.Host> v6 = new HashMap<>();
  /** The changes {@link #before} answers for (by identity), or null. */
  private GraphDelta taken;
  /** The members the pods the changes name had before them, per family. */
  private final Map<ObjectRef, Member.Host> v4Before = new HashMap<>();
  private final Map<ObjectRef, Member.Host> v6Before = new HashMap<>();

  /** The pod's member in {@code family}; the pod must have an address there. */
  Member.Host of(Pod pod, IpFamily family) {
    InetAddress address = pod.ip(family).orElseThrow();
    Map<ObjectRef, Member.Host> hosts = family == IpFamily.V4 ? v4 : v6;
    Member.Host known = hosts.get(pod.ref());
    if (known != null && known.address().equals(address)) {
      return known;
    }
    Member.Host host = new Member.Host(address);
    hosts.put(pod.ref(), host);
    return host;
  }

  /**
   * Takes in {@code changes} before they are planned: keeps the members that the pods whose
   * memberships changed had ({@link #before}), then drops those of changed pods that are gone,
   * so that the cache holds the cluster's pods only.
   */
  void take(GraphDelta changes, Predicate<ObjectRef> gone) {
    taken = changes;
    v4Before.clear();
    v6Before.clear();
    for (ObjectRef ref : changes.members()) {
      keep(v4, v4Before, ref);
      keep(v6, v6Before, ref);
    }
    for (ObjectRef ref : changes.pods()) {
      if (gone.test(ref)) {
        v4.remove(ref);
        v6.remove(ref);
      }
    }
  }

  private static void keep(Map<ObjectRef, Member.Host> hosts, Map<ObjectRef, Member.Host> before,
      ObjectRef ref) {
    Member.Host host = hosts.get(ref);
    if (host != null) {
      before.put(ref, host);
    }
  }

  /** Whether {@link #before} answers for {@code changes}: they are the ones last taken in. */
  boolean took(GraphDelta changes) {
    return changes == taken;
  }

  /**
   * The member a pod the changes last taken in name as a member had in {@code family} before
   * them, as far as this cache knows (the address under which it last joined a class's
   * members), or null.
   */
  Member.Host before(ObjectRef pod, IpFamily family) {
    return (family == IpFamily.V4 ? v4Before : v6Before).get(pod);
  }

  /** How many pods' members are kept (for tests). */
  int size() {
    return v4.size() + v6.size();
  }
}
