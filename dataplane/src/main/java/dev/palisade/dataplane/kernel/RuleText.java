package dev.palisade.dataplane.kernel;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One iptables rule's argument text (what follows {@code -A <chain>}) with the parts the writer
 * needs: the Palisade hash from its {@code pal:<hash>} comment (quoted or not: nf_tables
 * {@code iptables-save} always quotes, legacy only when the comment has spaces), its jump
 * target, and the ipsets it matches on.
 */
public record RuleText(String text, Optional<String> hash, Optional<String> target,
    ImmutableSet<String> matchSets) {

  static final String HASH_PREFIX = "pal:";

  public static RuleText parse(String text) {
    List<String> tokens = tokenize(text);
    Optional<String> hash = Optional.empty();
    Optional<String> target = Optional.empty();
    ImmutableSet.Builder<String> sets = ImmutableSet.builder();
    for (int i = 0; i + 1 < tokens.size(); i++) {
      String token = tokens.get(i);
      String next = tokens.get(i + 1);
      switch (token) {
        case "--comment" -> {
          if (next.startsWith(HASH_PREFIX) && next.length() > HASH_PREFIX.length()) {
            hash = Optional.of(next.substring(HASH_PREFIX.length()));
          }
        }
        case "-j", "--jump", "-g", "--goto" -> target = Optional.of(next);
        case "--match-set" -> sets.add(next);
        default -> { }
      }
    }
    return new RuleText(text, hash, target, sets.build());
  }

  /** A rule the compiler produced: it must carry its hash, or the writer could not track it. */
  public static RuleText desired(String chain, String text) {
    RuleText rule = parse(text);
    if (rule.hash.isEmpty()) {
      throw new IllegalArgumentException("rule in " + chain
          + " has no -m comment --comment \"pal:<hash>\": " + text);
    }
    return rule;
  }

  /** Whether the rule jumps into a chain whose name starts with {@code chainPrefix}. */
  public boolean jumpsInto(String chainPrefix) {
    return target.filter(t -> t.startsWith(chainPrefix)).isPresent();
  }

  /** Splits on blanks, keeping double-quoted strings (with backslash escapes) as one token. */
  static ImmutableList<String> tokenize(String text) {
    List<String> tokens = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean inQuotes = false;
    boolean inToken = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (inQuotes && c == '\\' && i + 1 < text.length()) {
        current.append(text.charAt(++i));
      } else if (c == '"') {
        inQuotes = !inQuotes;
        inToken = true;
      } else if (Character.isWhitespace(c) && !inQuotes) {
        if (inToken) {
          tokens.add(current.toString());
          current.setLength(0);
          inToken = false;
        }
      } else {
        current.append(c);
        inToken = true;
      }
    }
    if (inQuotes) {
      throw new IllegalArgumentException("unbalanced quote in rule: " + text);
    }
    if (inToken) {
      tokens.add(current.toString());
    }
    return ImmutableList.copyOf(tokens);
  }
}
