package dev.palisade.bench;

import com.google.common.collect.ImmutableMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernel's packet counter of every rule, from {@code iptables-save -c}, keyed by chain and
 * rule text (which for Palisade's rules is exactly the compiled text, comment included, so it
 * joins with a {@link dev.palisade.dataplane.walk.PacketWalker} trace).
 */
public final class RuleCounters {
  private static final Pattern COUNTED_RULE =
      Pattern.compile("^\\[(\\d+):\\d+\\] -A (\\S+) (.*)$");

  /** A rule as {@code iptables-save} prints it: {@code -A <chain> <rule>}. */
  public record RuleKey(String chain, String rule) {}

  private RuleCounters() {}

  public static ImmutableMap<RuleKey, Long> parse(String saveWithCounters) {
    ImmutableMap.Builder<RuleKey, Long> packets = ImmutableMap.builder();
    for (String line : saveWithCounters.split("\n")) {
      Matcher matcher = COUNTED_RULE.matcher(line);
      if (matcher.matches()) {
        packets.put(new RuleKey(matcher.group(2), matcher.group(3)),
            Long.parseLong(matcher.group(1)));
      }
    }
    return packets.buildKeepingLast();
  }
}
