package dev.palisade.dataplane.ebpf;

import dev.palisade.dataplane.lab.BpffsMount;

import dev.palisade.dataplane.lab.LabPod;
import dev.palisade.dataplane.lab.NetnsLab;
import dev.palisade.dataplane.lab.Shell;
import dev.palisade.model.Cidr;
import dev.palisade.model.Direction;
import dev.palisade.model.IpFamily;
import dev.palisade.model.ObjectRef;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The eBPF backend on a {@link NetnsLab}: a bpffs of the test's own, the program loaded and
 * pinned there, tcx links on every pod's host-side interface in the node namespace, conntrack
 * active in the node namespace, and a {@link MapWriter} on the pinned maps. Contents are built
 * by hand ({@link Desired}); pod i is endpoint i + 1 and its addresses are identity 10 + i + 1.
 * Closing removes links, pins and the bpffs whatever happened before; the lab's namespaces go
 * with the lab.
 */
final class EbpfLab implements AutoCloseable {
  /** A count-only rule: it makes the kernel track connections in the node namespace. */
  static final List<String> CONNTRACK_RULE = List.of("FORWARD", "-m", "conntrack", "--ctstate",
      "NEW,ESTABLISHED,RELATED,INVALID,UNTRACKED", "-m", "comment", "--comment",
      "palisade-ebpf-conntrack");

  final NetnsLab lab;
  final Bpf bpf = Bpf.load();
  final BpffsMount bpffs;
  final PinLayout pins;
  final Map<String, Integer> ifindex = new LinkedHashMap<>();
  NetnsThread node;
  TcxLinks links;
  EbpfMaps maps;
  MapWriter writer;

  private EbpfLab(NetnsLab lab, BpffsMount bpffs) {
    this.lab = lab;
    this.bpffs = bpffs;
    this.pins = PinLayout.forInstance(bpffs.path(), "test");
  }

  static EbpfLab start(NetnsLab lab) {
    EbpfLab ebpf = new EbpfLab(lab, BpffsMount.mount());
    try {
      ebpf.build();
    } catch (RuntimeException e) {
      ebpf.close();
      throw e;
    }
    return ebpf;
  }

  private void build() {
    EbpfRequirements.check(pins.root());
    activateConntrack(lab);
    new ProgramLoader(new Shell().runner()).ensureLoaded(pins);
    node = NetnsThread.enter(bpf, Optional.of(Path.of("/run/netns", lab.node())));
    links = new TcxLinks(bpf, pins, node);
    for (LabPod pod : lab.pods()) {
      ifindex.put(pod.name(), links.attach(pod.nodeInterface()));
    }
    maps = EbpfMaps.open(bpf, pins.maps());
    writer = new MapWriter(maps);
  }

  static void activateConntrack(NetnsLab lab) {
    for (String iptables : List.of("iptables", "ip6tables")) {
      List<String> argv = new ArrayList<>(List.of(iptables, "-w", "-A"));
      argv.addAll(CONNTRACK_RULE);
      lab.inNode(argv.toArray(String[]::new));
    }
  }

  int endpointId(LabPod pod) {
    return lab.pods().indexOf(pod) + 1;
  }

  int identity(LabPod pod) {
    return 10 + lab.pods().indexOf(pod) + 1;
  }

  Desired desired() {
    return new Desired();
  }

  /**
   * Hand-built map contents. Every pod's addresses carry its identity unless said otherwise; the
   * node's own traffic meets the pods' rules unless allowed.
   */
  /** The first denied slot {@link Desired#countingDenied} gives. */
  static final int DENIED_SLOTS = 1000;

  final class Desired {
    private final TreeMap<Integer, EbpfEndpoint> endpoints = new TreeMap<>();
    private boolean nodeTrafficAllowed;
    private final TreeMap<Cidr, Integer> identities = new TreeMap<>();
    private final TreeMap<VerdictKey, Integer> verdicts = new TreeMap<>();
    private final TreeMap<Integer, CounterOwner> counters = new TreeMap<>();
    private boolean reject;

    Desired() {
      for (LabPod pod : lab.pods()) {
        for (IpFamily family : IpFamily.values()) {
          identities.put(Cidr.host(pod.address(family)), EbpfLab.this.identity(pod));
        }
      }
    }

    /** Whether the node's own traffic to the pods isolated after this passes. */
    Desired nodeTrafficAllowed(boolean allowed) {
      nodeTrafficAllowed = allowed;
      return this;
    }

    Desired isolate(LabPod pod, boolean ingress, boolean egress) {
      endpoints.put(ifindex.get(pod.name()), new EbpfEndpoint(endpointId(pod), ingress, egress,
          nodeTrafficAllowed, reject, 0, 0));
      return this;
    }

    /** The deny action of every endpoint, those isolated so far and later: REJECT or DROP. */
    Desired rejecting(boolean answer) {
      reject = answer;
      endpoints.replaceAll((ifindex, endpoint) -> new EbpfEndpoint(endpoint.id(),
          endpoint.isolatedIngress(), endpoint.isolatedEgress(), endpoint.nodeTrafficAllowed(),
          answer, endpoint.deniedIngressSlot(), endpoint.deniedEgressSlot()));
      return this;
    }

    /**
     * Every endpoint isolated so far counts its denied packets: slots {@link #DENIED_SLOTS} + 2 *
     * id (ingress) and the next (egress).
     */
    Desired countingDenied() {
      endpoints.replaceAll((ifindex, endpoint) -> {
        int ingress = DENIED_SLOTS + 2 * endpoint.id();
        for (Direction direction : Direction.values()) {
          counters.put(ingress + direction.ordinal(), new CounterOwner.Denied(
              ObjectRef.of("lab", "endpoint-" + endpoint.id()), direction));
        }
        return new EbpfEndpoint(endpoint.id(), endpoint.isolatedIngress(),
            endpoint.isolatedEgress(), endpoint.nodeTrafficAllowed(), endpoint.reject(),
            endpoint.isolatedIngress() ? ingress : 0, endpoint.isolatedEgress() ? ingress + 1 : 0);
      });
      return this;
    }

    /** The packets the endpoints' denied slots of one direction counted so far. */
    long denied(Direction direction) {
      return endpoints.values().stream().mapToInt(endpoint -> endpoint.deniedSlot(direction))
          .filter(slot -> slot != 0).mapToLong(maps::counter).sum();
    }

    /** These prefixes instead of the pods' own identities. */
    Desired onlyIdentities(Map<Cidr, Integer> table) {
      identities.clear();
      identities.putAll(table);
      return this;
    }

    Desired allow(LabPod pod, Direction direction, int identity, Traffic traffic) {
      verdicts.put(new VerdictKey(endpointId(pod), identity, direction, traffic), 0);
      return this;
    }

    Desired allow(LabPod pod, Direction direction, int identity, List<Traffic> traffic) {
      traffic.forEach(t -> allow(pod, direction, identity, t));
      return this;
    }

    /** An allowing verdict counted in {@code slot}, which {@code owner} owns. */
    Desired counted(LabPod pod, Direction direction, int identity, Traffic traffic, int slot,
        CounterOwner owner) {
      verdicts.put(new VerdictKey(endpointId(pod), identity, direction, traffic), slot);
      counters.put(slot, owner);
      return this;
    }

    MapContents build() {
      return MapContents.of(endpoints, identities, verdicts, counters);
    }

    MapWriter.Report apply() {
      return writer.apply(build(), MapWriter.View.REMEMBERED);
    }
  }

  @Override
  public void close() {
    RuntimeException failure = null;
    List<Runnable> steps = List.of(
        () -> {
          if (maps != null) {
            maps.close();
          }
        },
        () -> EbpfCleanup.remove(bpf, pins),
        () -> {
          if (node != null) {
            node.close();
          }
        },
        bpffs::close);
    for (Runnable step : steps) {
      try {
        step.run();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
