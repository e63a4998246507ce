package dev.palisade.model.lint;

import dev.palisade.model.ObjectRef;

/**
 * The stable lint codes. A code never changes its meaning; retired codes are not reused.
 * PAL008 is reserved (endPort without port: the model cannot hold that shape, the manifest
 * reader rejects it).
 */
public enum LintCode {
  /** The policy's podSelector matches no endpoint pod of its namespace. */
  PAL001(Severity.WARNING),
  /** A peer list holds a namespaceSelector-only item and a podSelector-only item (OR, not AND). */
  PAL002(Severity.WARNING),
  /** A named port that no pod it resolves against declares with that protocol. */
  PAL003(Severity.WARNING),
  /** An ipBlock cidr or except with host bits set; the API reads it as its network. */
  PAL004(Severity.WARNING),
  /** An except that is not a strict subset of its cidr; the API server rejects it. */
  PAL005(Severity.ERROR),
  /** Egress in policyTypes with no egress rules: all egress of the selected pods is denied. */
  PAL006(Severity.INFO),
  /** endPort next to a named port; the API server rejects it, Palisade matches nothing. */
  PAL007(Severity.ERROR),
  /** Rules of a direction that policyTypes does not list; they are ignored. */
  PAL009(Severity.WARNING);

  private final Severity severity;

  LintCode(Severity severity) {
    this.severity = severity;
  }

  public Severity severity() {
    return severity;
  }

  Finding finding(ObjectRef policy, String message, String hint) {
    return new Finding(name(), severity, policy, message, hint);
  }
}
