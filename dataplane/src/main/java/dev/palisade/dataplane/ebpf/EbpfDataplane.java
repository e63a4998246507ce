package dev.palisade.dataplane.ebpf;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ImmutableSortedSet;
import dev.palisade.dataplane.backend.Dataplane;
import dev.palisade.dataplane.backend.Footprint;
import dev.palisade.dataplane.backend.Lookup;
import dev.palisade.dataplane.backend.Outcome;
import dev.palisade.dataplane.compile.DataplaneSettings;
import dev.palisade.dataplane.kernel.CommandRunner;
import dev.palisade.dataplane.kernel.IptablesBackend;
import dev.palisade.dataplane.kernel.PacketCounts;
import dev.palisade.dataplane.plan.Endpoint;
import dev.palisade.dataplane.plan.IncrementalNodePlanner;
import dev.palisade.dataplane.plan.NodePlan;
import dev.palisade.dataplane.state.Installation;
import dev.palisade.model.GraphDelta;
import dev.palisade.model.IpFamily;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.RuleGraph;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The eBPF backend: the node plan rendered as map contents ({@link EbpfRenderer}), the tc
 * program attached to every local pod's host-side interface ({@link TcxLinks}), the maps written
 * by diff in batched {@code bpf()} calls ({@link MapWriter}).
 *
 * <p>{@link #start()} checks what the machine offers and refuses, naming each missing requirement
 * ({@link EbpfRequirements}); it activates conntrack in the node's namespace ({@link
 * ConntrackActivation}) and loads and pins the program, or adopts the one a previous agent
 * pinned (no enforcement gap on restart). An apply then:
 *
 * <ol>
 *   <li>finds each local pod's interface ({@link PodInterfaces}) and attaches the programs to
 *       the new ones (before the pod's endpoint entry exists, the program lets its packets pass:
 *       a pod turns isolated only once its verdicts are in);
 *   <li>writes the maps' difference (verdicts, identities, endpoints; then removals);
 *   <li>detaches the links of interfaces that are no local pod's any more.
 * </ol>
 * With {@link View#READ} it also restores what others removed: the conntrack rule, the pinned
 * program and maps (a removed pin set is loaded anew and every link re-attached), a link, an
 * entry. A pod whose interface cannot be found is not enforced; the log names it at every change
 * of that list, and /metrics counts such pods.
 *
 * <p>Not thread-safe for applies (one sync thread); {@link #counts} and {@link #explain} read
 * only what the sync thread published.
 */
public final class EbpfDataplane implements Dataplane<EbpfDataplane.NodeMaps>, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EbpfDataplane.class);

  /**
   * What the node's maps hold, with the addresses of each local pod: the interfaces those lead
   * to, which key the endpoints map, are found on the node at apply.
   */
  public record NodeMaps(EbpfPlan plan,
      ImmutableSortedMap<ObjectRef, ImmutableList<InetAddress>> podAddresses) {}

  private final IncrementalNodePlanner planner;
  private final EbpfRenderer renderer;
  private final Bpf bpf;
  private final PinLayout pins;
  private final Optional<Path> netns;
  private final CommandRunner host;
  private final PodInterfaces interfaces;
  private final ConntrackActivation conntrack;
  private NodePlan lastPlan;
  private NodeMaps lastMaps;
  private NetnsThread netnsThread;
  private TcxLinks links;
  private volatile EbpfMaps maps;
  private MapWriter writer;
  /** Interface → ifindex of the links the last successful apply left; null: read the pins. */
  private Map<String, Integer> attached;
  private volatile int unattachedPods;
  private Set<ObjectRef> lastUnresolved = Set.of();
  private Map<String, Set<ObjectRef>> lastShared = Map.of();

  /**
   * @param pins where this installation's programs, maps and links are pinned
   * @param netns the node's network namespace (a path such as /run/netns/NAME) when it is not
   *     this process's own
   * @param node runs commands in the node's network namespace ({@code ip}, {@code iptables})
   * @param host runs commands in this process's namespaces ({@code bpftool}, which needs the
   *     process's bpffs)
   */
  public EbpfDataplane(String nodeName, DataplaneSettings settings, PinLayout pins,
      Optional<Path> netns, CommandRunner node, CommandRunner host) {
    this.planner = new IncrementalNodePlanner(nodeName);
    this.renderer = new EbpfRenderer(new IdentityTable.Interner(), settings);
    this.bpf = Bpf.load();
    this.pins = pins;
    this.netns = netns;
    this.host = host;
    this.interfaces = new PodInterfaces(node);
    this.conntrack = new ConntrackActivation(node, IptablesBackend.detect(node),
        settings.installation());
  }

  @Override
  public String name() {
    return "ebpf";
  }

  /**
   * Activates conntrack, checks the requirements and loads (or adopts) the program and maps;
   * called before the first {@link #compile}, it also adopts the numbering of endpoints and
   * identities that the maps hold ({@link EbpfRenderer#adopt}), so that a restarted agent's
   * first apply rewrites nothing that did not change.
   *
   * @throws IllegalStateException naming every requirement the machine lacks, or what failed
   */
  public void start() {
    conntrack.ensure();
    try {
      EbpfRequirements.check(pins.root());
    } catch (IllegalStateException e) {
      conntrack.remove();
      throw e;
    }
    if (netnsThread == null) {
      netnsThread = NetnsThread.enter(bpf, netns);
      links = new TcxLinks(bpf, pins, netnsThread);
    }
    load();
    if (lastPlan == null) {
      adoptNumbering();
    }
  }

  /**
   * Hands the renderer the numbers found in the maps: the endpoint id of the interface each
   * local address leads to, and the identity of each prefix.
   */
  private void adoptNumbering() {
    MapContents found = writer.read();
    if (found.size() == 0) {
      return;
    }
    Map<InetAddress, String> routes = interfaces.readRoutes();
    Map<String, Integer> indexes = links.ifindexes(new TreeSet<>(routes.values()));
    Map<InetAddress, Integer> endpointIds = new HashMap<>();
    routes.forEach((address, name) -> {
      EbpfEndpoint endpoint = found.endpoints().get(indexes.get(name));
      if (endpoint != null) {
        endpointIds.put(address, endpoint.id());
      }
    });
    renderer.adopt(endpointIds, found);
    log.info("adopting the numbering the maps hold: {} endpoints, {} identity prefixes, "
        + "{} verdicts", found.endpoints().size(), found.identities().size(),
        found.verdicts().size());
  }

  /** Loads and pins the program unless pinned, and opens the maps. */
  private void load() {
    switch (new ProgramLoader(host).ensureLoaded(pins)) {
      case LOADED -> log.info("loaded the eBPF program {} and pinned it under {}",
          ProgramLoader.DIGEST, pins.root());
      case UPGRADED -> { } // ProgramLoader logged it, with the links it switched
      case ADOPTED -> log.info("adopted the eBPF program {} and maps pinned under {}",
          ProgramLoader.DIGEST, pins.root());
    }
    if (maps == null) {
      maps = EbpfMaps.open(bpf, pins.maps());
      writer = new MapWriter(maps);
    }
  }

  @Override
  public NodeMaps compile(RuleGraph graph, GraphDelta changes) {
    NodePlan plan = planner.plan(graph, changes);
    if (plan == lastPlan) {
      return lastMaps;
    }
    Map<ObjectRef, List<InetAddress>> addresses = new TreeMap<>();
    for (IpFamily family : IpFamily.values()) {
      for (Endpoint endpoint : plan.family(family).endpoints()) {
        addresses.computeIfAbsent(endpoint.ref(), unused -> new ArrayList<>())
            .add(endpoint.address(family));
      }
    }
    ImmutableSortedMap.Builder<ObjectRef, ImmutableList<InetAddress>> frozen =
        ImmutableSortedMap.naturalOrder();
    addresses.forEach((pod, list) -> frozen.put(pod, ImmutableList.copyOf(list)));
    lastPlan = plan;
    lastMaps = new NodeMaps(renderer.render(plan), frozen.build());
    return lastMaps;
  }

  @Override
  public Outcome apply(NodeMaps desired, View view, Runnable inForce) {
    Tally tally = new Tally();
    try {
      if (maps == null) {
        start();
      }
      if (view == View.READ) {
        tally.add(conntrack.ensure(), "conntrack rules added");
        repairPins(tally);
        interfaces.forget();
        attached = null;
      }
      PodInterfaces.Resolution resolution = resolveInterfaces(desired.podAddresses());
      Map<String, Integer> current = attach(resolution.interfaces().values(), tally);
      Map<ObjectRef, Integer> ifindexes = new HashMap<>();
      Set<ObjectRef> unresolved = new TreeSet<>(resolution.unresolved());
      Map<String, Set<ObjectRef>> podsOf = new TreeMap<>();
      resolution.interfaces().forEach((pod, name) ->
          podsOf.computeIfAbsent(name, unused -> new TreeSet<>()).add(pod));
      Map<String, Set<ObjectRef>> shared = new TreeMap<>();
      resolution.interfaces().forEach((pod, name) -> {
        if (podsOf.get(name).size() > 1) {
          // one address, two pods (a deleted pod's address reused before its deletion is
          // seen): which one the interface is, is not known
          shared.put(name, podsOf.get(name));
        } else if (current.containsKey(name)) {
          ifindexes.put(pod, current.get(name));
        } else {
          unresolved.add(pod);
        }
      });
      reportUnresolved(ImmutableSortedSet.copyOf(unresolved));
      reportShared(shared);
      unattachedPods = unresolved.size()
          + shared.values().stream().mapToInt(Set::size).sum();
      MapWriter.Report report = writer.apply(desired.plan().contents(ifindexes),
          view == View.READ ? MapWriter.View.READ : MapWriter.View.REMEMBERED);
      tally.add(report);
      // the maps decide every verdict; detaching from interfaces now gone decides none
      inForce.run();
      Set<String> gone = new TreeSet<>(attached == null ? links.attachedInterfaces()
          : attached.keySet());
      gone.removeAll(current.keySet());
      gone.forEach(links::detach);
      tally.add(gone.size(), "links detached");
      attached = current;
      return Outcome.succeeded(tally.nothing(), tally.describe(), ImmutableList.of());
    } catch (RuntimeException e) {
      // whatever failed, the next apply reads maps, pins and routes back instead of trusting
      attached = null;
      interfaces.forget();
      if (writer != null) {
        writer.forget();
      }
      return Outcome.failed(e.getMessage() == null ? e.toString() : e.getMessage(),
          tally.nothing(), tally.describe());
    }
  }

  /**
   * The pods' interfaces by the routes; when one of those interfaces is gone (its pod's network
   * was re-created: the address now leads to a new interface), by the routes read again.
   */
  private PodInterfaces.Resolution resolveInterfaces(
      Map<ObjectRef, ? extends List<InetAddress>> pods) {
    PodInterfaces.Resolution resolution = interfaces.resolve(pods);
    if (links.ifindexes(resolution.interfaces().values()).containsValue(0)) {
      interfaces.forget();
      resolution = interfaces.resolve(pods);
    }
    return resolution;
  }

  /**
   * When someone removed the pinned program or maps, removes what is left of the pin set and
   * loads it anew: the maps are new and empty, and every link is attached again.
   */
  private void repairPins(Tally tally) {
    if (ProgramLoader.loaded(pins)) {
      return;
    }
    log.warn("the pinned eBPF program or maps under {} were removed; loading them again",
        pins.root());
    if (maps != null) {
      maps.close();
      maps = null;
    }
    EbpfCleanup.remove(bpf, pins);
    load();
    tally.add(1, "program loaded");
  }

  /**
   * Attaches the programs where the interface is new or was re-created (with {@code attached}
   * unknown, checks every pin); name → ifindex of the interfaces that exist.
   */
  private Map<String, Integer> attach(Iterable<String> names, Tally tally) {
    Set<String> wanted = new TreeSet<>();
    names.forEach(wanted::add);
    Map<String, Integer> indexes = links.ifindexes(wanted);
    Map<String, Integer> current = new HashMap<>();
    long createdBefore = links.created();
    for (String name : wanted) {
      int ifindex = indexes.get(name);
      if (ifindex == 0) {
        continue; // gone since the routes were read: the pod is going away
      }
      Integer known = attached == null ? null : attached.get(name);
      current.put(name, known != null && known == ifindex ? known : links.attach(name));
    }
    tally.add((int) (links.created() - createdBefore), "links attached");
    return current;
  }

  private void reportShared(Map<String, Set<ObjectRef>> shared) {
    if (!shared.equals(lastShared) && !shared.isEmpty()) {
      log.warn("not enforcing for pods whose addresses lead to one interface (an address in "
          + "use by two pods in the model, until one of them is deleted): {}", shared);
    }
    lastShared = shared;
  }

  private void reportUnresolved(ImmutableSortedSet<ObjectRef> unresolved) {
    if (unresolved.equals(lastUnresolved)) {
      return;
    }
    if (!unresolved.isEmpty()) {
      log.warn("not enforcing for {} local pod(s) whose address no host route of the node leads "
          + "to an interface (the eBPF backend needs a routing CNI: docs/ebpf.md): {}",
          unresolved.size(), unresolved);
    } else {
      log.info("every local pod's interface is found again");
    }
    lastUnresolved = unresolved;
  }

  @Override
  public Outcome cleanup() {
    close();
    return remove(bpf, pins, conntrack);
  }

  /**
   * Removes an installation's pins (detaching its links) and its conntrack rules, and nothing
   * else: {@code palisade cleanup}, with or without an agent.
   *
   * @param node runs {@code iptables} in the node's network namespace
   */
  public static Outcome cleanup(PinLayout pins, CommandRunner node, Installation installation) {
    return remove(Bpf.load(), pins,
        new ConntrackActivation(node, IptablesBackend.detect(node), installation));
  }

  private static Outcome remove(Bpf bpf, PinLayout pins, ConntrackActivation conntrack) {
    Tally tally = new Tally();
    try {
      tally.add(EbpfCleanup.remove(bpf, pins).size(), "pins removed");
      tally.add(conntrack.remove(), "conntrack rules deleted");
      return Outcome.succeeded(tally.nothing(), tally.describe(), ImmutableList.of());
    } catch (RuntimeException e) {
      return Outcome.failed(e.getMessage() == null ? e.toString() : e.getMessage(),
          tally.nothing(), tally.describe());
    }
  }

  @Override
  public PacketCounts counts(NodeMaps enforced) throws IOException {
    EbpfMaps opened = maps;
    if (opened == null) {
      throw new IOException("the eBPF maps are not open (the backend is not started)");
    }
    try {
      return EbpfCounters.read(opened, enforced.plan());
    } catch (BpfException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  @Override
  public List<Footprint> footprint(NodeMaps state) {
    return List.of(
        Footprint.of("palisade.map.entries", "map", "endpoints", state.plan().endpoints().size()),
        Footprint.of("palisade.map.entries", "map", "identities",
            state.plan().identities().prefixes().size()),
        Footprint.of("palisade.map.entries", "map", "verdicts", state.plan().verdicts().size()),
        Footprint.of("palisade.pods.unattached", "backend", "ebpf", unattachedPods));
  }

  /** The endpoint, the remote address's identity and the verdict entry that decides. */
  @Override
  public Map<String, Object> explain(NodeMaps enforced, Lookup lookup) {
    Map<String, Object> json = new LinkedHashMap<>();
    EbpfEndpoint endpoint = enforced.plan().endpoints().get(lookup.pod());
    if (endpoint == null) {
      json.put("error", lookup.pod() + " has no endpoint entry");
      return json;
    }
    json.put("endpoint", endpoint.id());
    boolean isolated = lookup.direction() == dev.palisade.model.Direction.INGRESS
        ? endpoint.isolatedIngress() : endpoint.isolatedEgress();
    if (!isolated) {
      json.put("outcome", "PASSED");
      json.put("allows", true);
      json.put("note", "the endpoint is not isolated in this direction: no lookup");
      return json;
    }
    int identity = enforced.plan().identities().identityOf(lookup.remote());
    json.put("identity", identity);
    json.put("identityClasses", List.copyOf(enforced.plan().identities().classes()
        .getOrDefault(identity, ImmutableSortedSet.of())));
    Optional<VerdictKey> verdict = enforced.plan().allowing(endpoint, lookup.direction(),
        lookup.remote(), Traffic.number(lookup.protocol()), lookup.port());
    json.put("outcome", verdict.isPresent() ? "PASSED" : "DENIED");
    json.put("allows", verdict.isPresent());
    verdict.ifPresent(key -> {
      json.put("verdict", key.toString());
      Optional.ofNullable(enforced.plan().counters().get(enforced.plan().verdicts().get(key)))
          .ifPresent(owner -> json.put("countedFor", owner.toString()));
    });
    if (verdict.isEmpty()) {
      json.put("denyAction", endpoint.reject() ? "REJECT" : "DROP");
    }
    return json;
  }

  @Override
  public void close() {
    if (maps != null) {
      maps.close();
      maps = null;
      writer = null;
    }
    if (netnsThread != null) {
      netnsThread.close();
      netnsThread = null;
      links = null;
    }
    attached = null;
  }

  /** What one apply wrote, for the log line. */
  private static final class Tally {
    private final Map<String, Integer> counts = new LinkedHashMap<>();

    void add(int count, String what) {
      if (count > 0) {
        counts.merge(what, count, Integer::sum);
      }
    }

    void add(MapWriter.Report report) {
      add(report.verdictWrites(), "verdicts written");
      add(report.identityWrites(), "identities written");
      add(report.endpointWrites(), "endpoints written");
      add(report.endpointDeletes(), "endpoints deleted");
      add(report.identityDeletes(), "identities deleted");
      add(report.verdictDeletes(), "verdicts deleted");
    }

    boolean nothing() {
      return counts.isEmpty();
    }

    String describe() {
      List<String> parts = new ArrayList<>();
      counts.forEach((what, count) -> parts.add(count + " " + what));
      return parts.isEmpty() ? "nothing" : String.join(", ", parts);
    }
  }
}
