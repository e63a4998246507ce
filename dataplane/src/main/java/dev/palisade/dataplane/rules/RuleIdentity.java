package dev.palisade.dataplane.rules;

import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;

/**
 * The comment that identifies a rule across syncs: {@code pal:} and 16 hex digits of SHA-256
 * over the chain's name, the rule's content and its ordinal among identical rules of that chain.
 * It does not depend on the rule's position, so inserting a rule before it leaves it (and its
 * counters) alone, and two identical rules in one chain still differ.
 */
public final class RuleIdentity {
  public static final String COMMENT_PREFIX = "pal:";
  private static final int HEX_DIGITS = 16;

  private RuleIdentity() {}

  public static String comment(String chain, String content, int ordinal) {
    String hash = Hashing.sha256()
        .hashString(chain + '\n' + content + '\n' + ordinal, StandardCharsets.UTF_8)
        .toString();
    return COMMENT_PREFIX + hash.substring(0, HEX_DIGITS);
  }
}
