package dev.palisade.scenario;

import java.util.Locale;

/** What a probe found for one source and destination (SCENARIO.md's {@code observed} values). */
public enum Reachability {
  ALLOWED('.'),
  DENIED('X'),
  /** The run cannot probe this protocol (SCTP on a kernel without SCTP sockets). */
  UNSUPPORTED('U');

  private final char symbol;

  Reachability(char symbol) {
    this.symbol = symbol;
  }

  /** The truth-table cell: {@code .} allowed, {@code X} denied. */
  public char symbol() {
    return symbol;
  }

  /** The word the JSON result uses: allowed, denied, unsupported. */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Reachability of(boolean allowed) {
    return allowed ? ALLOWED : DENIED;
  }
}
