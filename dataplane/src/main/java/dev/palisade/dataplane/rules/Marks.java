package dev.palisade.dataplane.rules;

/** Mark values as {@code iptables-save} prints them: lower-case hex with {@code 0x}. */
final class Marks {
  private Marks() {}

  static String hex(int value) {
    return "0x" + Integer.toHexString(value);
  }
}
