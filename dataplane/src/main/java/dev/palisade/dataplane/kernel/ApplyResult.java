package dev.palisade.dataplane.kernel;

import com.google.common.collect.ImmutableList;

/**
 * The outcome of an apply or cleanup, for readiness and metrics: either the kernel converged
 * ({@link Applied}) or it did not after every retry ({@link Failed}). Never thrown away: the
 * caller decides what a failure means.
 */
public sealed interface ApplyResult {
  /** Everything written, over all attempts (a retry only writes what is still missing). */
  WriteCounts written();

  int attempts();

  /** What had to stay because a foreign object holds it (none when the apply failed). */
  ImmutableList<Leftover> leftovers();

  default boolean succeeded() {
    return this instanceof Applied;
  }

  /**
   * The kernel holds the desired state, except for {@code leftovers}: Palisade objects that
   * something foreign holds on to (a foreign rule jumping into a chain, a set in use), kept
   * harmless and named so an operator can find the holder.
   */
  record Applied(WriteCounts written, int attempts, ImmutableList<Leftover> leftovers)
      implements ApplyResult {}

  /** The last failure: its step, argv, payload and the command's stderr. */
  record Failed(KernelCommandException cause, WriteCounts written, int attempts)
      implements ApplyResult {
    public ApplyStep step() {
      return cause.step();
    }

    @Override
    public ImmutableList<Leftover> leftovers() {
      return ImmutableList.of();
    }

    /** One line for logs and the CLI: what failed, and after how many attempts. */
    public String describe() {
      return cause.getMessage() + " (after " + attempts + " attempts)";
    }
  }
}
