package dev.palisade.dataplane.lab;

import com.google.common.collect.ImmutableMap;
import dev.palisade.dataplane.kernel.RuleText;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Packet counters of Palisade rules, from {@code iptables-save -c}, keyed by chain and hash. */
public final class Counters {
  private static final Pattern COUNTED_RULE =
      Pattern.compile("^\\[(\\d+):\\d+\\] -A (\\S+) (.*)$");

  private Counters() {}

  /** "CHAIN/hash" → packets, for every rule that carries a Palisade hash. */
  public static ImmutableMap<String, Long> packets(String saveWithCounters) {
    Map<String, Long> packets = new LinkedHashMap<>();
    for (String line : saveWithCounters.split("\n")) {
      Matcher matcher = COUNTED_RULE.matcher(line);
      if (matcher.matches()) {
        RuleText.parse(matcher.group(3)).hash().ifPresent(hash ->
            packets.put(matcher.group(2) + "/" + hash, Long.parseLong(matcher.group(1))));
      }
    }
    return ImmutableMap.copyOf(packets);
  }
}
