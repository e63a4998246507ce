package dev.palisade.model;

import java.util.Locale;
import java.util.Optional;

/**
 * Transport protocols a NetworkPolicy port can name (TCP, UDP, SCTP), plus ICMP, which no
 * policy port can name but which traffic can carry: a rule without {@code ports} allows it
 * (DESIGN.md section 3, item 13).
 */
public enum Protocol {
  TCP,
  UDP,
  SCTP,
  ICMP;

  /** Whether a NetworkPolicy port may name this protocol. */
  public boolean isPolicyProtocol() {
    return this != ICMP;
  }

  /** Parses a NetworkPolicy port protocol; ICMP and unknown names are empty. */
  public static Optional<Protocol> parsePolicyProtocol(String text) {
    return parse(text).filter(Protocol::isPolicyProtocol);
  }

  /** Parses any protocol name, case-insensitively. */
  public static Optional<Protocol> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(valueOf(text.trim().toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
