package dev.palisade.dataplane.kernel;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import dev.palisade.dataplane.state.Installation;
import dev.palisade.model.IpFamily;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code iptables-save -t filter} (or ip6tables-save, with or without {@code -c}) and keeps
 * only what the installation owns: its chains ({@code PALISADE-} by default) with all their
 * rules, and the jumps from built-in chains into them with their positions. Of everything else
 * only the size of each built-in chain, the positions of other installations' jumps there, and
 * the foreign user-chain rules that jump into one of our chains are kept.
 */
public final class IptablesSaveParser {
  private static final Pattern CHAIN_DECLARATION = Pattern.compile("^:(\\S+) (\\S+)");
  private static final Pattern RULE = Pattern.compile("^(?:\\[\\d+:\\d+\\] )?-A (\\S+) ?(.*)$");

  private IptablesSaveParser() {}

  /** @param owner the installation whose chains are kept */
  public static KernelTable parse(IpFamily family, String saveOutput, Installation owner) {
    String prefix = owner.chainPrefix();
    Map<String, List<RuleText>> owned = new TreeMap<>();
    Map<String, Integer> builtinSizes = new LinkedHashMap<>();
    Map<String, List<KernelTable.PositionedRule>> hooks = new LinkedHashMap<>();
    Map<String, List<Integer>> peerHooks = new LinkedHashMap<>();
    Map<String, List<String>> foreignJumps = new TreeMap<>();
    boolean inFilter = false;
    int lineNumber = 0;
    for (String line : saveOutput.split("\n", -1)) {
      lineNumber++;
      if (line.startsWith("*")) {
        inFilter = line.equals("*filter");
        continue;
      }
      if (!inFilter || line.isBlank() || line.startsWith("#") || line.equals("COMMIT")) {
        continue;
      }
      Matcher declaration = CHAIN_DECLARATION.matcher(line);
      if (declaration.find()) {
        String chain = declaration.group(1);
        if (chain.startsWith(prefix)) {
          owned.put(chain, new ArrayList<>());
        } else if (!declaration.group(2).equals("-")) {
          builtinSizes.put(chain, 0);
          hooks.put(chain, new ArrayList<>());
          peerHooks.put(chain, new ArrayList<>());
        }
        continue;
      }
      Matcher rule = RULE.matcher(line);
      if (!rule.matches()) {
        throw new IllegalArgumentException(family + " save output line " + lineNumber
            + " is neither a chain nor a rule: " + line);
      }
      String chain = rule.group(1);
      if (owned.containsKey(chain)) {
        owned.get(chain).add(RuleText.parse(rule.group(2)));
      } else if (builtinSizes.containsKey(chain)) {
        int position = builtinSizes.merge(chain, 1, Integer::sum);
        RuleText parsed = RuleText.parse(rule.group(2));
        if (parsed.jumpsInto(prefix)) {
          hooks.get(chain).add(new KernelTable.PositionedRule(position, parsed));
        } else if (parsed.hash().isPresent()) {
          peerHooks.get(chain).add(position);
        }
      } else {
        RuleText parsed = RuleText.parse(rule.group(2));
        if (parsed.jumpsInto(prefix)) {
          foreignJumps.computeIfAbsent(parsed.target().orElseThrow(), t -> new ArrayList<>())
              .add("-A " + chain + " " + rule.group(2));
        }
      }
    }
    ImmutableSortedMap.Builder<String, ImmutableList<RuleText>> chains =
        ImmutableSortedMap.naturalOrder();
    owned.forEach((name, rules) -> chains.put(name, ImmutableList.copyOf(rules)));
    ImmutableSortedMap.Builder<String, KernelTable.BuiltinChain> builtins =
        ImmutableSortedMap.naturalOrder();
    builtinSizes.forEach((name, size) -> builtins.put(name,
        new KernelTable.BuiltinChain(name, size, ImmutableList.copyOf(hooks.get(name)),
            ImmutableList.copyOf(peerHooks.get(name)))));
    ImmutableSortedMap.Builder<String, ImmutableList<String>> foreign =
        ImmutableSortedMap.naturalOrder();
    foreignJumps.forEach((target, rules) -> foreign.put(target, ImmutableList.copyOf(rules)));
    return new KernelTable(family, chains.build(), builtins.build(), foreign.build());
  }
}
