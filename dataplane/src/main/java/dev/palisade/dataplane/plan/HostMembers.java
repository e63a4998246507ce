package dev.palisade.dataplane.plan;

import dev.palisade.model.IpFamily;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.Pod;
import java.net.InetAddress;
import java.util.Collection;
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

  /** Drops the members of pods that are gone, so that the cache holds the cluster's pods only. */
  void forgetGone(Collection<ObjectRef> changedPods, Predicate<ObjectRef> gone) {
    for (ObjectRef ref : changedPods) {
      if (gone.test(ref)) {
        v4.remove(ref);
        v6.remove(ref);
      }
    }
  }

  /** How many pods' members are kept (for tests). */
  int size() {
    return v4.size() + v6.size();
  }
}
