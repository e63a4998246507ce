package dev.palisade.dataplane.compile;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A chain or set name derived from a stable identity: {@code <prefix><readable fragment>-<hash>}.
 * The fragment helps a human reading {@code iptables-save} and is cut to fit {@code maxLength};
 * the hash (8 hex digits of SHA-256) keeps cut names apart. 32 bits can still collide, so the
 * name is a list of candidates: {@link NameLedger} hands out the first one no other identity
 * holds (candidate {@code k > 0} hashes {@code identity#k}).
 *
 * @param identity what the name stands for; equal identities always get the same name
 */
public record GeneratedName(String prefix, String readable, String identity, int maxLength) {
  private static final int HASH_HEX_DIGITS = 8;

  public GeneratedName {
    checkArgument(maxLength - prefix.length() - 1 - HASH_HEX_DIGITS >= 0,
        "prefix %s leaves no room in %s characters", prefix, maxLength);
  }

  /** The name when no other identity of the compilation claims it first. */
  public String preferred() {
    return candidate(0);
  }

  String candidate(int attempt) {
    String hashed = attempt == 0 ? identity : identity + "#" + attempt;
    String hash = Hashing.sha256().hashString(hashed, StandardCharsets.UTF_8).toString()
        .substring(0, HASH_HEX_DIGITS);
    int room = maxLength - prefix.length() - 1 - HASH_HEX_DIGITS;
    String fragment = sanitize(readable);
    if (fragment.length() > room) {
      fragment = fragment.substring(0, room);
    }
    return prefix + fragment + "-" + hash;
  }

  /**
   * Keeps letters, digits, dots and underscores (every other character becomes {@code _}), so
   * the fragment never contains the {@code -} that separates the hash.
   */
  private static String sanitize(String readable) {
    StringBuilder out = new StringBuilder(readable.length());
    for (char c : readable.toLowerCase(Locale.ROOT).toCharArray()) {
      boolean kept = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_';
      out.append(kept ? c : '_');
    }
    return out.toString();
  }
}
