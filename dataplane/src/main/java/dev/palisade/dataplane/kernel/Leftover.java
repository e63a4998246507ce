package dev.palisade.dataplane.kernel;

/**
 * A Palisade object an apply had to leave in the kernel because something Palisade does not own
 * holds on to it. It is not a failure of the apply: everything else was written. The next apply
 * removes it once the holder is gone.
 *
 * @param object what is left, e.g. "IPv4 chain PALISADE-RI-x.web-1a2b3c4d"
 * @param heldBy what holds it, in the kernel's terms (the foreign rule, or the command's error)
 */
public record Leftover(String object, String heldBy) {
  /** One line for logs and the CLI. */
  public String describe() {
    return object + " (" + heldBy + ")";
  }
}
