package dev.palisade.e2e;

import dev.palisade.dataplane.lab.NetnsCluster;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what a node namespace's kernel holds: Palisade's rules with their counters, and its
 * chains, jumps, sets and set members, through the standard tools run inside the namespace.
 */
final class NodeKernel implements NodeDataplane {
  private static final Pattern COUNTED_RULE = Pattern.compile("^\\[(\\d+):(\\d+)] (-A .*)$");
  private static final String CHAIN_PREFIX = "PALISADE-";
  private static final String SET_PREFIX = "pal-";
  private static final Pattern PALISADE_JUMP = Pattern.compile("-j (PALISADE-\\S+)");

  private final NetnsCluster lab;
  private final String namespace;

  NodeKernel(NetnsCluster lab, int node) {
    this.lab = lab;
    this.namespace = lab.nodeNamespace(node);
  }

  @Override
  public String namespace() {
    return namespace;
  }

  String run(String... argv) {
    return lab.inNamespace(namespace, argv);
  }

  /**
   * The packet counter of every IPv4 and IPv6 rule that names a Palisade chain (its own rules
   * and the jumps to them), keyed by family, table and rule text.
   */
  Map<String, Long> palisadeRuleCounters() {
    Map<String, Long> counters = new LinkedHashMap<>();
    for (String save : List.of("iptables-save", "ip6tables-save")) {
      String table = "";
      for (String line : run(save, "-c").split("\n")) {
        if (line.startsWith("*")) {
          table = line.substring(1);
        }
        Matcher rule = COUNTED_RULE.matcher(line);
        if (rule.matches() && rule.group(3).contains(CHAIN_PREFIX)) {
          counters.merge(save + " " + table + " " + rule.group(3),
              Long.parseLong(rule.group(1)), Long::sum);
        }
      }
    }
    return counters;
  }

  /** The packet counters of Palisade's rules ({@link #palisadeRuleCounters}). */
  @Override
  public Map<String, Long> packetCounters() {
    return palisadeRuleCounters();
  }

  /**
   * Every Palisade object of the namespace, one line each: chain declarations and rules that
   * name a {@code PALISADE-} chain (IPv4 and IPv6), and {@code pal-} sets with their members.
   */
  @Override
  public List<String> palisadeObjects() {
    List<String> objects = new ArrayList<>();
    for (String save : List.of("iptables-save", "ip6tables-save")) {
      String table = "";
      for (String line : run(save).split("\n")) {
        if (line.startsWith("*")) {
          table = line.substring(1);
        } else if (line.contains(CHAIN_PREFIX) || line.contains(SET_PREFIX)) {
          objects.add(save + " " + table + " " + line);
        }
      }
    }
    for (String set : setNames().stream().sorted().toList()) {
      if (set.startsWith(SET_PREFIX)) {
        objects.add("ipset " + set + " " + setMembers(set));
      }
    }
    return objects;
  }

  /** Every set of the namespace, by name. */
  List<String> setNames() {
    return run("ipset", "list", "-n").lines().filter(line -> !line.isBlank()).toList();
  }

  /** The members of one set, sorted. */
  List<String> setMembers(String set) {
    List<String> members = new ArrayList<>();
    boolean inMembers = false;
    for (String line : run("ipset", "list", set).split("\n")) {
      if (inMembers && !line.isBlank()) {
        members.add(line.strip());
      }
      inMembers |= line.startsWith("Members:");
    }
    members.sort(null);
    return members;
  }

  /** The IPv4 filter rules of one chain, as {@code iptables -S CHAIN} prints them. */
  List<String> rules(String chain) {
    return run("iptables", "-S", chain).lines().filter(line -> line.startsWith("-A ")).toList();
  }

  /** The Palisade chain that IPv4 FORWARD jumps to. */
  String forwardJumpTarget() {
    Matcher jump = PALISADE_JUMP.matcher(rules("FORWARD").get(forwardJumpNumber() - 1));
    if (!jump.find()) {
      throw new IllegalStateException("FORWARD changed while it was read in " + namespace);
    }
    return jump.group(1);
  }

  /**
   * The 1-based position of Palisade's jump in IPv4 FORWARD.
   *
   * @throws IllegalStateException unless FORWARD holds exactly one jump to a Palisade chain
   */
  int forwardJumpNumber() {
    List<String> rules = rules("FORWARD");
    List<Integer> jumps = new ArrayList<>();
    for (int k = 0; k < rules.size(); k++) {
      if (PALISADE_JUMP.matcher(rules.get(k)).find()) {
        jumps.add(k + 1);
      }
    }
    if (jumps.size() != 1) {
      throw new IllegalStateException(namespace + ": FORWARD should jump to Palisade once: "
          + rules);
    }
    return jumps.get(0);
  }

  /**
   * A {@code pal-} set that holds {@code member}.
   *
   * @throws IllegalStateException when none does
   */
  String setHolding(String member) {
    return setNames().stream()
        .filter(set -> set.startsWith(SET_PREFIX) && setMembers(set).contains(member))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException(namespace + ": no pal- set holds "
            + member));
  }
}
