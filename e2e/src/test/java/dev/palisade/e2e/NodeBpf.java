package dev.palisade.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.palisade.dataplane.ebpf.Bpf;
import dev.palisade.dataplane.lab.NetnsCluster;
import dev.palisade.dataplane.lab.Shell;
import dev.palisade.demo.DemoBackend;
import dev.palisade.demo.DemoTestAccess;
import dev.palisade.scenario.PodPlacement;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the eBPF backend holds for one node of an {@link E2eCluster}, read (and damaged) from
 * outside the agent, as {@link NodeKernel} does for iptables: the pins under the node's bpffs
 * directory ({@code <mount>/<node>/palisade/default}: programs, maps, one link per pod interface
 * and direction), the maps' entries through {@code bpftool}, each link's interface through {@code
 * BPF_OBJ_GET_INFO_BY_FD}, and the count-only conntrack rule in the node's namespace. The test's
 * process sees the cluster's bpffs (a mount of the test's own, under /tmp).
 */
final class NodeBpf implements NodeDataplane {
  /** The maps that hold policy (the counters map is left out: its values move with traffic). */
  private static final List<String> POLICY_MAPS =
      List.of("endpoints", "identities_v4", "identities_v6", "verdicts");
  /** The slots of the counters map: {ingress, egress} x {allowed, denied}. */
  private static final List<String> COUNTER_SLOTS =
      List.of("ingress allowed", "ingress denied", "egress allowed", "egress denied");
  private static final Pattern LINK_LINE = Pattern.compile("^(\\d+): ([^:@]+)[@:]");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int LINK_INFO_SIZE = 64;
  private static Bpf bpf;

  private final NetnsCluster lab;
  private final String namespace;
  private final Path bpffs;
  private final Path root;
  private final Shell shell = new Shell();

  NodeBpf(DemoBackend cluster, int node) {
    this.lab = DemoTestAccess.lab(cluster);
    this.namespace = lab.nodeNamespace(node);
    this.bpffs = DemoTestAccess.bpffs(cluster).orElseThrow(() -> new IllegalStateException(
        "the cluster runs no eBPF agents (backend " + E2eCluster.backend() + ")"))
        .resolve(PodPlacement.nodeName(node));
    this.root = bpffs.resolve("palisade").resolve("default");
  }

  @Override
  public String namespace() {
    return namespace;
  }

  /** The node's bpffs directory, the agent's {@code --bpffs}. */
  Path bpffs() {
    return bpffs;
  }

  /** The installation's pin root, {@code <bpffs>/palisade/default}. */
  Path root() {
    return root;
  }

  /**
   * Everything the installation holds on the node, one line each and sorted: every pin under
   * the root, the interface each pinned link is attached to (by name; "detached" for a defunct
   * link), every entry of the policy maps, and the conntrack rules. Object ids are left out: a
   * repair that loads the program again gives new ids to the same state.
   */
  @Override
  public List<String> palisadeObjects() {
    List<String> objects = new ArrayList<>();
    Map<Integer, String> interfaces = interfaceNames();
    for (Path pin : pins()) {
      String relative = root.relativize(pin).toString();
      objects.add("pin " + relative);
      if (relative.startsWith("links/")) {
        int ifindex = linkInfo(pin).ifindex();
        objects.add("link " + relative + " attached to "
            + (ifindex == 0 ? "nothing (detached)" : interfaces.getOrDefault(ifindex,
                "ifindex " + ifindex)));
      }
    }
    for (String map : POLICY_MAPS) {
      if (Files.exists(root.resolve("maps").resolve(map))) {
        for (JsonNode entry : dump(map)) {
          objects.add("map " + map + " " + entry.path("formatted").path("key") + " -> "
              + entry.path("formatted").path("value"));
        }
      }
    }
    objects.addAll(conntrackRules());
    objects.sort(null);
    return objects;
  }

  /** Every pinned file under the root, sorted; none when the root is gone. */
  List<Path> pins() {
    return pinsUnder(root);
  }

  /** Every pinned file under {@code directory}, sorted. */
  static List<Path> pinsUnder(Path directory) {
    if (!Files.isDirectory(directory)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(directory)) {
      return files.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The rules of the node's IPv4 and IPv6 filter tables that are the eBPF backend's (comment
   * {@code palisade... ebpf: ...}), as {@code iptables-save} prints them.
   */
  List<String> conntrackRules() {
    List<String> rules = new ArrayList<>();
    for (String save : List.of("iptables-save", "ip6tables-save")) {
      lab.inNamespace(namespace, save, "-t", "filter").lines()
          .filter(line -> line.contains("palisade") && line.contains("ebpf"))
          .forEach(line -> rules.add("conntrack " + save + " " + line));
    }
    return rules;
  }

  /**
   * The ids of the pinned programs, maps and links, by pin: equal across an agent restart when
   * the new agent adopted them (loaded nothing, attached nothing anew).
   */
  Map<String, Integer> objectIds() {
    Map<String, Integer> ids = new LinkedHashMap<>();
    for (Path pin : pins()) {
      String relative = root.relativize(pin).toString();
      int id;
      if (relative.startsWith("links/")) {
        id = linkInfo(pin).id();
      } else {
        String kind = relative.startsWith("progs/") ? "prog" : "map";
        id = bpftoolJson(kind, "show", "pinned", pin.toString()).path("id").asInt();
      }
      ids.put(relative, id);
    }
    return ids;
  }

  /** The packets the programs counted per direction and verdict, summed over the CPUs. */
  @Override
  public Map<String, Long> packetCounters() {
    Map<String, Long> counters = new LinkedHashMap<>();
    for (int slot = 0; slot < COUNTER_SLOTS.size(); slot++) {
      JsonNode entry = bpftoolJson("map", "lookup", "pinned",
          root.resolve("maps/counters").toString(), "key", Integer.toString(slot), "0", "0", "0");
      long sum = 0;
      for (JsonNode cpu : entry.path("formatted").path("values")) {
        sum += cpu.path("value").asLong();
      }
      counters.put("counters[" + slot + "] " + COUNTER_SLOTS.get(slot), sum);
    }
    return counters;
  }

  /**
   * Whether an endpoint entry isolates its pod in some direction: flag bit 0 (ingress) or 1
   * (egress); the other bits say how, not whether.
   */
  boolean isolatesSomePod() {
    for (JsonNode entry : dump("endpoints")) {
      if ((entry.path("formatted").path("value").path("flags").asInt() & 3) != 0) {
        return true;
      }
    }
    return false;
  }

  /** The endpoint entry of the pod's host-side interface, as bpftool formats it. */
  JsonNode endpointOf(String podKey) {
    int ifindex = ifindex(lab.pod(podKey).nodeInterface());
    for (JsonNode entry : dump("endpoints")) {
      if (entry.path("formatted").path("key").asInt() == ifindex) {
        return entry;
      }
    }
    throw new IllegalStateException(namespace + ": no endpoint entry for " + podKey
        + " (ifindex " + ifindex + ")");
  }

  /** Deletes the endpoint entry of the pod's interface: the program stops judging the pod. */
  void deleteEndpoint(String podKey) {
    deleteEntry("endpoints", endpointOf(podKey));
  }

  /**
   * Deletes every verdict entry of the pod's endpoint; returns how many there were.
   */
  int deleteVerdictsOf(String podKey) {
    int endpoint = endpointOf(podKey).path("formatted").path("value").path("id").asInt();
    int deleted = 0;
    for (JsonNode entry : dump("verdicts")) {
      if (entry.path("formatted").path("key").path("endpoint").asInt() == endpoint) {
        deleteEntry("verdicts", entry);
        deleted++;
      }
    }
    return deleted;
  }

  /** Detaches the pod's link in one direction ({@code from-pod} or {@code to-pod}), pin kept. */
  void detachLink(String podKey, String direction) {
    Path pin = root.resolve("links").resolve(direction)
        .resolve(lab.pod(podKey).nodeInterface());
    shell.run("bpftool", "link", "detach", "pinned", pin.toString());
  }

  /**
   * Removes the pins of the programs and the maps (the links stay pinned, still running the old
   * program on the old maps): the agent's maps and programs are no longer where it looks.
   */
  void removeProgramAndMapPins() {
    for (Path pin : pinsUnder(root.resolve("progs"))) {
      delete(pin);
    }
    for (Path pin : pinsUnder(root.resolve("maps"))) {
      delete(pin);
    }
  }

  /** Deletes the IPv4 conntrack rule of the eBPF backend. */
  void deleteIpv4ConntrackRule() {
    String rule = conntrackRules().stream().filter(line -> line.startsWith("conntrack "
        + "iptables-save -A FORWARD ")).findFirst().orElseThrow(() -> new IllegalStateException(
            namespace + ": no IPv4 conntrack rule of the eBPF backend"))
        .substring("conntrack iptables-save -A FORWARD ".length());
    List<String> argv = new ArrayList<>(List.of("iptables", "-w", "-D", "FORWARD"));
    argv.addAll(words(rule));
    lab.inNamespace(namespace, argv.toArray(String[]::new));
  }

  /** The interface's ifindex in the node's namespace. */
  int ifindex(String interfaceName) {
    for (Map.Entry<Integer, String> entry : interfaceNames().entrySet()) {
      if (entry.getValue().equals(interfaceName)) {
        return entry.getKey();
      }
    }
    throw new IllegalStateException(namespace + ": no interface " + interfaceName);
  }

  private Map<Integer, String> interfaceNames() {
    Map<Integer, String> names = new LinkedHashMap<>();
    for (String line : lab.inNamespace(namespace, "ip", "-o", "link", "show").split("\n")) {
      Matcher matcher = LINK_LINE.matcher(line);
      if (matcher.find()) {
        names.put(Integer.parseInt(matcher.group(1)), matcher.group(2));
      }
    }
    return names;
  }

  private JsonNode dump(String map) {
    return bpftoolJson("map", "dump", "pinned", root.resolve("maps").resolve(map).toString());
  }

  private void deleteEntry(String map, JsonNode entry) {
    List<String> argv = new ArrayList<>(List.of("bpftool", "map", "delete", "pinned",
        root.resolve("maps").resolve(map).toString(), "key"));
    entry.path("key").forEach(octet -> argv.add(octet.asText()));
    shell.run(argv.toArray(String[]::new));
  }

  private JsonNode bpftoolJson(String... argv) {
    List<String> command = new ArrayList<>(List.of("bpftool", "-j"));
    command.addAll(List.of(argv));
    String out = shell.run(command.toArray(String[]::new));
    try {
      return JSON.readTree(out);
    } catch (IOException e) {
      throw new UncheckedIOException("bpftool printed no JSON: " + out, e);
    }
  }

  /** A pinned link's id and the ifindex it is attached to (0: defunct or detached). */
  private record LinkInfo(int id, int ifindex) {}

  private static synchronized LinkInfo linkInfo(Path pin) {
    if (bpf == null) {
      bpf = Bpf.load();
    }
    int fd = bpf.objGet(pin.toString());
    try {
      // struct bpf_link_info: u32 type, u32 id, u32 prog_id, pad; union at 16 (tcx: ifindex)
      ByteBuffer info = ByteBuffer.wrap(bpf.objInfo(fd, LINK_INFO_SIZE))
          .order(ByteOrder.nativeOrder());
      return new LinkInfo(info.getInt(4), info.getInt(16));
    } finally {
      bpf.close(fd);
    }
  }

  private static void delete(Path pin) {
    try {
      Files.delete(pin);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Splits an iptables-save rule into arguments; a quoted comment stays one argument. */
  private static List<String> words(String rule) {
    List<String> words = new ArrayList<>();
    Matcher word = Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(rule);
    while (word.find()) {
      words.add(word.group(1) != null ? word.group(1) : word.group(2));
    }
    return words;
  }
}
