package dev.palisade.dataplane.kernel;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.Maps;
import com.google.common.hash.Hashing;
import dev.palisade.dataplane.state.IpSetSpec;
import dev.palisade.dataplane.state.Installation;
import dev.palisade.model.IpFamily;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces sets whose type or family changed, which must grow or which lack Palisade's marker,
 * without a moment in which a rule matches against a missing or half-filled set.
 *
 * <p>The kernel offers no shortcut here (both checked on this kernel): {@code ipset swap}
 * refuses sets of different type or family ("their type does not match") and
 * {@code ipset rename} refuses a set that a rule uses ("it is in use by another system"). So a
 * replacement is two ordinary converges: first towards an interim state in which the set is
 * called by a temporary name (the temp set is created and filled, the rules are re-pointed to it
 * in one atomic restore, and the old set, now unused, is destroyed), then towards the real
 * state (the set is created under its own name with its new type, the rules are re-pointed
 * back, the temp set destroyed). A crash in between leaves a state the next apply converges
 * from as usual.
 */
final class SetReplacement {
  private static final Pattern MATCH_SET = Pattern.compile("(--match-set )(\\S+)");

  private SetReplacement() {}

  /**
   * Whether the kernel's set cannot become the wanted one in place: its type or family differs,
   * it is too small ({@code maxelem} is fixed at creation), or it lacks Palisade's ownership
   * marker (also fixed at creation). A set never shrinks.
   */
  static boolean needsReplacement(KernelSet have, IpSetSpec want) {
    return !have.type().equals(want.type().kernelName()) || have.family() != want.family()
        || have.maxElements() < want.maxElements() || !have.markedAsPalisades();
  }

  /**
   * Desired set name → temporary name, for every set the kernel holds with another kind or too
   * small a size.
   */
  static Map<String, String> needed(DesiredTables desired, KernelSnapshot kernel) {
    Map<String, String> renames = new TreeMap<>();
    SortedJoin.walk(desired.sets(), kernel.sets(), (name, want, have) -> {
      if (want != null && have != null && needsReplacement(have, want)) {
        renames.put(name, temporaryName(desired.owner(), name));
      }
    });
    return renames;
  }

  /** The desired state with the given sets renamed, in the sets and in every rule. */
  static DesiredTables interim(DesiredTables desired, Map<String, String> renames) {
    ImmutableSortedMap.Builder<String, IpSetSpec> sets = ImmutableSortedMap.naturalOrder();
    for (IpSetSpec set : desired.sets().values()) {
      String name = renames.getOrDefault(set.name(), set.name());
      sets.put(name, new IpSetSpec(name, set.type(), set.family(), set.members()));
    }
    Map<IpFamily, ImmutableSortedMap<String, ImmutableList<RuleText>>> chains =
        new LinkedHashMap<>();
    desired.chains().forEach((family, byName) -> chains.put(family,
        ImmutableSortedMap.copyOfSorted(Maps.transformValues(byName, rules -> rules.stream()
            .map(rule -> renameSets(rule, renames))
            .collect(ImmutableList.toImmutableList())))));
    return new DesiredTables(desired.owner(), chains, desired.hooks(), sets.build());
  }

  /** A stable, prefixed name within ipset's 31 characters, derived from the set's own name. */
  static String temporaryName(Installation owner, String name) {
    String hash = Hashing.sha256().hashString(name, StandardCharsets.UTF_8).toString();
    return owner.setPrefix() + "tmp-" + hash.substring(0, 16);
  }

  private static RuleText renameSets(RuleText rule, Map<String, String> renames) {
    if (rule.matchSets().stream().noneMatch(renames::containsKey)) {
      return rule;
    }
    Matcher matcher = MATCH_SET.matcher(rule.text());
    StringBuilder text = new StringBuilder();
    while (matcher.find()) {
      matcher.appendReplacement(text, Matcher.quoteReplacement(matcher.group(1)
          + renames.getOrDefault(matcher.group(2), matcher.group(2))));
    }
    matcher.appendTail(text);
    return RuleText.parse(text.toString());
  }
}
