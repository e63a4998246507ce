package dev.palisade.dataplane.kernel;

/**
 * The outcome of an apply or cleanup, for readiness and metrics: either the kernel converged
 * ({@link Applied}) or it did not after every retry ({@link Failed}). Never thrown away: the
 * caller decides what a failure means.
 */
public sealed interface ApplyResult {
  /** Everything written, over all attempts (a retry only writes what is still missing). */
  WriteCounts written();

  int attempts();

  default boolean succeeded() {
    return this instanceof Applied;
  }

  record Applied(WriteCounts written, int attempts) implements ApplyResult {}

  /** The last failure: its step, argv, payload and the command's stderr. */
  record Failed(KernelCommandException cause, WriteCounts written, int attempts)
      implements ApplyResult {
    public ApplyStep step() {
      return cause.step();
    }

    /** One line for logs and the CLI: what failed, and after how many attempts. */
    public String describe() {
      return cause.getMessage() + " (after " + attempts + " attempts)";
    }
  }
}
