package dev.palisade.dataplane.kernel;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The ipsets of the fake kernel, interpreting {@code ipset restore} line by line like the real
 * one (not atomic: lines before a failing one stay applied) with the kernel's refusal to
 * destroy a set in use. There is no swap or rename: the writer uses neither (see
 * SetReplacement for why).
 */
final class FakeIpsets {
  static final class FakeSet {
    final String type;
    final String family;
    /** member key (without flags) → member as printed. */
    final Map<String, String> members = new TreeMap<>();

    FakeSet(String type, String family) {
      this.type = type;
      this.family = family;
    }
  }

  private final Map<String, FakeSet> sets = new TreeMap<>();

  Map<String, FakeSet> sets() {
    return sets;
  }

  String save() {
    StringBuilder out = new StringBuilder();
    sets.forEach((name, set) -> {
      out.append("create ").append(name).append(' ').append(set.type).append(" family ")
          .append(set.family).append(" hashsize 1024 maxelem 65536 bucketsize 12\n");
      set.members.values().forEach(m -> out.append("add ").append(name).append(' ').append(m)
          .append('\n'));
    });
    return out.toString();
  }

  /** Returns an error message, or null when every line applied. */
  String restore(String payload, boolean exist, Predicate<String> inUse) {
    int lineNumber = 0;
    for (String line : payload.split("\n")) {
      lineNumber++;
      if (line.isBlank()) {
        continue;
      }
      String error = execute(List.of(line.trim().split("\\s+", 3)), exist, inUse);
      if (error != null) {
        return "Error in line " + lineNumber + ": " + error;
      }
    }
    return null;
  }

  private String execute(List<String> words, boolean exist, Predicate<String> inUse) {
    String name = words.get(1);
    FakeSet set = sets.get(name);
    String rest = words.size() > 2 ? words.get(2) : "";
    switch (words.get(0)) {
      case "create" -> {
        String[] options = rest.split("\\s+");
        String family = options.length > 2 && options[1].equals("family") ? options[2] : "inet";
        if (set != null) {
          boolean same = set.type.equals(options[0]) && set.family.equals(family);
          return exist && same ? null : "set " + name + " already exists";
        }
        sets.put(name, new FakeSet(options[0], family));
        return null;
      }
      case "add", "del" -> {
        if (set == null) {
          return "The set with the given name does not exist";
        }
        String key = SetMembers.key(rest);
        if (words.get(0).equals("add")) {
          if (set.members.containsKey(key) && !exist) {
            return "Element cannot be added to the set: it's already added";
          }
          set.members.put(key, rest);
        } else if (!key.equals(rest)) {
          return "Unknown argument: `nomatch'";
        } else if (set.members.remove(key) == null && !exist) {
          return "Element cannot be deleted from the set: it's not added";
        }
        return null;
      }
      case "destroy" -> {
        if (set == null) {
          return "The set with the given name does not exist";
        }
        if (inUse.test(name)) {
          return "Set cannot be destroyed: it is in use by a kernel component";
        }
        sets.remove(name);
        return null;
      }
      default -> {
        return "unsupported ipset command " + words.get(0);
      }
    }
  }

  /** Foreign setup by tests. */
  void create(String name, String type, String family, String... members) {
    FakeSet set = new FakeSet(type, family);
    for (String member : members) {
      set.members.put(SetMembers.key(member), member);
    }
    sets.put(name, set);
  }
}
