package dev.palisade.model.lint;

import static com.google.common.base.Preconditions.checkArgument;

import dev.palisade.model.ObjectRef;
import java.util.Comparator;

/**
 * One lint finding about a policy: a stable {@code code} (see {@link LintCode}), its severity,
 * what is wrong ({@code message}) and a one-line fix ({@code hint}).
 */
public record Finding(String code, Severity severity, ObjectRef policy, String message,
    String hint) implements Comparable<Finding> {

  /** Sorted by policy, then code; the message keeps the order total. */
  private static final Comparator<Finding> ORDER = Comparator.comparing(Finding::policy)
      .thenComparing(Finding::code)
      .thenComparing(Finding::message);

  public Finding {
    checkArgument(code != null && !code.isEmpty(), "code must be set");
    checkArgument(severity != null, "severity must be set");
    checkArgument(policy != null, "policy must be set");
    checkArgument(message != null && !message.isEmpty(), "message must be set");
    checkArgument(hint != null && !hint.isEmpty(), "hint must be set");
  }

  @Override
  public int compareTo(Finding other) {
    return ORDER.compare(this, other);
  }

  /** One line, e.g. {@code x/allow-web PAL001 WARNING: ... (fix: ...)}. */
  @Override
  public String toString() {
    return policy + " " + code + " " + severity + ": " + message + " (fix: " + hint + ")";
  }
}
