package dev.palisade.dataplane.kernel;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ImmutableSortedSet;
import com.google.common.hash.Hashing;
import dev.palisade.dataplane.state.ChainSpec;
import dev.palisade.dataplane.state.DesiredState;
import dev.palisade.dataplane.state.FamilyState;
import dev.palisade.dataplane.state.HookSpec;
import dev.palisade.dataplane.state.IpSetSpec;
import dev.palisade.dataplane.state.IpSetType;
import dev.palisade.model.IpFamily;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Hand-written desired states for writer tests, independent of the compiler:
 * {@code DesiredStates.builder().chain(V4, "PALISADE-FWD", rule("-s 10.99.1.10/32 -j ACCEPT"))
 * .hook(V4, "FORWARD", 1, "PALISADE-FWD").set("pal-a", HASH_IP, V4, "10.99.1.10").build()}.
 * Builders return copies, so a test can derive a changed state from a base one.
 */
public final class DesiredStates {
  private final Map<IpFamily, Map<String, List<String>>> chains = new EnumMap<>(IpFamily.class);
  private final Map<IpFamily, List<HookSpec>> hooks = new EnumMap<>(IpFamily.class);
  private final Map<String, IpSetSpec> sets = new TreeMap<>();

  private DesiredStates() {
    for (IpFamily family : IpFamily.values()) {
      chains.put(family, new TreeMap<>());
      hooks.put(family, new ArrayList<>());
    }
  }

  public static DesiredStates builder() {
    return new DesiredStates();
  }

  /** Rule text ending with the {@code pal:<hash>} comment, the hash derived from the text. */
  public static String rule(String text) {
    String hash = Hashing.sha256().hashString(text, StandardCharsets.UTF_8).toString()
        .substring(0, 16);
    return text + " -m comment --comment \"pal:" + hash + "\"";
  }

  public DesiredStates chain(IpFamily family, String name, String... rules) {
    DesiredStates copy = copy();
    copy.chains.get(family).put(name, List.of(rules));
    return copy;
  }

  public DesiredStates withoutChain(IpFamily family, String name) {
    DesiredStates copy = copy();
    copy.chains.get(family).remove(name);
    copy.hooks.get(family).removeIf(h -> h.rule().contains("-j " + name + " "));
    return copy;
  }

  public DesiredStates hook(IpFamily family, String builtin, int position, String target) {
    DesiredStates copy = copy();
    copy.hooks.get(family).add(new HookSpec(builtin, position, rule("-j " + target)));
    return copy;
  }

  public DesiredStates set(String name, IpSetType type, IpFamily family, String... members) {
    DesiredStates copy = copy();
    copy.sets.put(name, new IpSetSpec(name, type, family, ImmutableSortedSet.copyOf(members)));
    return copy;
  }

  public DesiredStates withoutSet(String name) {
    DesiredStates copy = copy();
    copy.sets.remove(name);
    return copy;
  }

  public DesiredState build() {
    return new DesiredState(family(IpFamily.V4), family(IpFamily.V6));
  }

  private FamilyState family(IpFamily family) {
    ImmutableSortedMap.Builder<String, ChainSpec> specs = ImmutableSortedMap.naturalOrder();
    chains.get(family).forEach((name, rules) ->
        specs.put(name, new ChainSpec(name, ImmutableList.copyOf(rules))));
    ImmutableSortedMap.Builder<String, IpSetSpec> familySets = ImmutableSortedMap.naturalOrder();
    sets.values().stream().filter(s -> s.family() == family)
        .forEach(s -> familySets.put(s.name(), s));
    return new FamilyState(family, specs.build(), ImmutableList.copyOf(hooks.get(family)),
        familySets.build(), ImmutableSortedMap.of());
  }

  private DesiredStates copy() {
    DesiredStates copy = new DesiredStates();
    chains.forEach((family, byName) -> copy.chains.get(family).putAll(byName));
    hooks.forEach((family, list) -> copy.hooks.get(family).addAll(list));
    copy.sets.putAll(sets);
    return copy;
  }
}
