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
    final int maxElements;
    final boolean comment;
    /** member key (without flags) → member as printed. */
    final Map<String, String> members = new TreeMap<>();

    FakeSet(String type, String family, int maxElements, boolean comment) {
      this.type = type;
      this.family = family;
      this.maxElements = maxElements;
      this.comment = comment;
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
          .append(set.family).append(" hashsize 1024 maxelem ").append(set.maxElements)
          .append(set.comment ? " comment" : "").append(" bucketsize 12\n");
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
        String family = option(options, "family", "inet");
        int maxElements = Integer.parseInt(option(options, "maxelem", "65536"));
        boolean comment = List.of(options).contains("comment");
        if (set != null) {
          boolean same = set.type.equals(options[0]) && set.family.equals(family)
              && set.maxElements == maxElements && set.comment == comment;
          return exist && same ? null : "set " + name + " already exists";
        }
        sets.put(name, new FakeSet(options[0], family, maxElements, comment));
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
          if (!set.members.containsKey(key) && set.members.size() >= set.maxElements) {
            return "Hash is full, cannot add more elements";
          }
          set.members.put(key, rest);
        } else if (!key.equals(rest)) {
          return "Unknown argument: `nomatch'";
        } else if (set.members.remove(key) == null && !exist) {
          return "Element cannot be deleted from the set: it's not added";
        }
        return null;
      }
      case "flush" -> {
        if (set == null) {
          return "The set with the given name does not exist";
        }
        set.members.clear();
        return null;
      }
      case "destroy" -> {
        if (set == null) {
          // checked on ipset 7.17: -exist makes destroying a missing set no error
          return exist ? null : "The set with the given name does not exist";
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

  private static String option(String[] options, String key, String absent) {
    for (int i = 1; i + 1 < options.length; i++) {
      if (options[i].equals(key)) {
        return options[i + 1];
      }
    }
    return absent;
  }

  /** Foreign setup by tests: a set without Palisade's marker. */
  void create(String name, String type, String family, String... members) {
    FakeSet set = new FakeSet(type, family, 65_536, false);
    for (String member : members) {
      set.members.put(SetMembers.key(member), member);
    }
    sets.put(name, set);
  }
}
