package dev.palisade.dataplane.kernel;

import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ImmutableSortedSet;
import dev.palisade.dataplane.state.Installation;
import dev.palisade.dataplane.state.IpSetSpec;
import dev.palisade.dataplane.state.Names;
import dev.palisade.model.IpFamily;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Reads {@code ipset save} (same text as {@code ipset list -o save}) and keeps only the
 * installation's sets: their type, family, size, ownership marker and members exactly as
 * printed.
 */
public final class IpsetSaveParser {
  private IpsetSaveParser() {}

  /** @param owner the installation whose sets are kept */
  public static ImmutableSortedMap<String, KernelSet> parse(String saveOutput,
      Installation owner) {
    Map<String, String> types = new LinkedHashMap<>();
    Map<String, IpFamily> families = new LinkedHashMap<>();
    Map<String, Integer> maxElements = new LinkedHashMap<>();
    Map<String, Boolean> marked = new LinkedHashMap<>();
    Map<String, TreeSet<String>> members = new LinkedHashMap<>();
    for (String line : saveOutput.split("\n")) {
      List<String> words = List.of(line.trim().split("\\s+", 3));
      if (words.size() < 3 || !words.get(1).startsWith(owner.setPrefix())) {
        continue;
      }
      String name = words.get(1);
      switch (words.get(0)) {
        case "create" -> {
          String[] options = words.get(2).split("\\s+");
          types.put(name, options[0]);
          families.put(name, familyOf(name, options));
          maxElements.put(name, Integer.parseInt(option(options, "maxelem")
              .orElse(Integer.toString(IpSetSpec.DEFAULT_MAX_ELEMENTS))));
          marked.put(name, List.of(options).contains(Names.SET_OWNERSHIP_MARKER));
          members.put(name, new TreeSet<>());
        }
        case "add" -> {
          TreeSet<String> setMembers = members.get(name);
          if (setMembers == null) {
            throw new IllegalArgumentException("ipset save lists a member of " + name
                + " before creating it: " + line);
          }
          setMembers.add(words.get(2).trim());
        }
        default -> throw new IllegalArgumentException("unexpected ipset save line: " + line);
      }
    }
    ImmutableSortedMap.Builder<String, KernelSet> sets = ImmutableSortedMap.naturalOrder();
    types.forEach((name, type) -> sets.put(name, new KernelSet(name, type, families.get(name),
        maxElements.get(name), marked.get(name), ImmutableSortedSet.copyOf(members.get(name)))));
    return sets.build();
  }

  /** Sets without a family option (list:set) are reported as IPv4; none of ours lack one. */
  private static IpFamily familyOf(String name, String[] options) {
    return option(options, "family").map(family -> switch (family) {
      case "inet" -> IpFamily.V4;
      case "inet6" -> IpFamily.V6;
      default -> throw new IllegalArgumentException("set " + name + " has unknown family "
          + family);
    }).orElse(IpFamily.V4);
  }

  /** The value after {@code key} among a create line's options (after the type). */
  private static Optional<String> option(String[] options, String key) {
    for (int i = 1; i + 1 < options.length; i++) {
      if (options[i].equals(key)) {
        return Optional.of(options[i + 1]);
      }
    }
    return Optional.empty();
  }
}
