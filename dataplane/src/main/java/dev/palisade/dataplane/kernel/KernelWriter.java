package dev.palisade.dataplane.kernel;

import com.google.common.collect.ImmutableList;
import dev.palisade.dataplane.state.DesiredState;
import dev.palisade.dataplane.state.Installation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jnr.posix.POSIX;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one object that changes the kernel: reads what its installation owns, diffs it against a
 * desired state and writes only the difference, in a fixed order (sets, then one
 * iptables-restore transaction per family, then unused sets destroyed; see
 * {@link ApplyPlan}). What a foreign object holds on to (a rule jumping into a chain of ours, a
 * rule using a set of ours) is left and named in the result ({@link Leftover}), never a reason
 * to fail the rest. A set whose type, family or size must change takes two such rounds
 * ({@link SetReplacement}).
 *
 * <p>Threading: not thread-safe. One owner (the agent's sync worker) calls {@link #apply} and
 * {@link #cleanup}; the kernel is the only state, read afresh on every call, so the writer keeps
 * nothing between calls. That is also what makes adoption work: a new writer (an agent restart)
 * diffs against whatever the previous one left and never flushes, so enforcement has no gap,
 * and drift (a deleted jump, a flushed chain, a removed member) is repaired by the next apply.
 *
 * <p>Failures: a failed command is logged with its whole payload and stderr; the writer waits
 * (backoff from {@link RetryPolicy}), re-reads the kernel, re-plans and tries again, and after
 * the last attempt returns {@link ApplyResult.Failed}. Nothing is swallowed.
 */
public final class KernelWriter {
  private static final Logger LOG = LoggerFactory.getLogger(KernelWriter.class);

  private final CommandRunner runner;
  private final KernelTools tools;
  private final KernelReader reader;
  private final TableLock lock;
  private final RetryPolicy retry;
  private final Sleeper sleeper;
  private final Installation owner;

  /** @param owner the installation whose chains and sets this writer owns */
  public KernelWriter(CommandRunner runner, KernelTools tools, TableLock lock, RetryPolicy retry,
      Sleeper sleeper, Installation owner) {
    this.runner = runner;
    this.tools = tools;
    this.owner = owner;
    this.reader = new KernelReader(runner, tools, owner);
    this.lock = lock;
    this.retry = retry;
    this.sleeper = sleeper;
  }

  /**
   * The writer for this machine (or the namespace {@code runner} targets): checks for root or
   * CAP_NET_ADMIN first, then writes to the iptables backend the host uses (as kube-proxy's
   * wrapper detects it) with restore flags and lock for its version.
   */
  public static KernelWriter forMachine(CommandRunner runner, POSIX posix, Sleeper sleeper,
      Installation owner) {
    PrivilegeCheck.requireNetAdmin(posix);
    IptablesBackend backend = IptablesBackend.detect(runner);
    IptablesVersion version = IptablesVersion.detect(runner, backend);
    LOG.info("iptables backend: {} ({})", backend, version);
    XtablesLock fileLock = new XtablesLock(posix, XtablesLock.DEFAULT_PATH,
        Duration.ofSeconds(10), sleeper);
    return new KernelWriter(runner, KernelTools.forVersion(backend, version),
        TableLock.forVersion(version, fileLock), RetryPolicy.standard(), sleeper, owner);
  }

  /** Makes the kernel hold exactly {@code desired} of what the installation owns. */
  public ApplyResult apply(DesiredState desired) {
    return converge(DesiredTables.of(desired, owner));
  }

  /**
   * Removes every jump, chain and set of the installation, and nothing else; what a foreign
   * object holds on to is left, reduced to harmless, and named in the result's leftovers.
   */
  public ApplyResult cleanup() {
    return converge(DesiredTables.nothing(owner));
  }

  /** What Palisade owns in the kernel now. */
  public KernelSnapshot read() throws KernelCommandException {
    return reader.read();
  }

  private ApplyResult converge(DesiredTables desired) {
    // Steps add their counts as they succeed, so a failure still reports what was written.
    Progress progress = new Progress();
    for (int attempt = 1; ; attempt++) {
      try (TableLock.Held held = lock.acquire()) {
        KernelSnapshot kernel = reader.read();
        Map<String, String> replacements = SetReplacement.needed(desired, kernel);
        List<Leftover> leftovers = new ArrayList<>();
        if (!replacements.isEmpty()) {
          leftovers.addAll(execute(ApplyPlan.of(SetReplacement.interim(desired, replacements),
              kernel, tools, replacements.keySet()), progress));
          kernel = reader.read();
          if (!SetReplacement.needed(desired, kernel).isEmpty()) {
            // An old set could not be destroyed (a foreign rule uses it): the rules stay on
            // the temporary sets, which hold the desired members, until it can.
            return new ApplyResult.Applied(progress.written, attempt,
                ImmutableList.copyOf(leftovers));
          }
        }
        ApplyPlan plan = ApplyPlan.of(desired, kernel, tools, Set.of());
        leftovers.addAll(execute(plan, progress));
        progress.add(WriteCounts.replaced(replacements.size()));
        return new ApplyResult.Applied(progress.written, attempt,
            ImmutableList.copyOf(leftovers));
      } catch (KernelCommandException e) {
        LOG.warn("apply attempt {}/{} failed at {}: {} exited {}\nstderr: {}\npayload:\n{}",
            attempt, retry.maxAttempts(), e.step(), String.join(" ", e.argv()),
            e.result().exitCode(), e.result().stderr().strip(), e.payload());
        if (attempt >= retry.maxAttempts()) {
          LOG.error("giving up after {} attempts: {}", attempt, e.getMessage());
          return new ApplyResult.Failed(e, progress.written, attempt);
        }
        pause(attempt);
      }
    }
  }

  /** Runs the plan's steps, then destroys its unused sets; returns what had to stay. */
  private List<Leftover> execute(ApplyPlan plan, Progress progress)
      throws KernelCommandException {
    for (ApplyPlan.Step step : plan.steps()) {
      run(step);
      progress.add(step.counts());
    }
    List<Leftover> leftovers = new ArrayList<>(plan.leftovers());
    leftovers.addAll(destroy(plan.setsToDestroy(), progress));
    return leftovers;
  }

  /**
   * Destroys sets in one batch; if the kernel refuses (a set is still in use, by a foreign rule
   * or set), one by one, so that every set that can go goes and the rest is named. A refusal
   * never fails the apply: everything else is written by now, and a retry could not do better.
   */
  private List<Leftover> destroy(Set<String> sets, Progress progress) {
    if (sets.isEmpty()) {
      return List.of();
    }
    if (runner.run(tools.ipsetRestore(), destroyBatch(sets)).succeeded()) {
      progress.add(WriteCounts.destroyed(sets.size()));
      return List.of();
    }
    List<Leftover> leftovers = new ArrayList<>();
    for (String set : sets) {
      CommandResult result = runner.run(tools.ipsetRestore(), destroyBatch(Set.of(set)));
      if (result.succeeded()) {
        progress.add(WriteCounts.destroyed(1));
      } else {
        leftovers.add(new Leftover("set " + set, "ipset destroy refused: "
            + result.stderr().strip()));
      }
    }
    return leftovers;
  }

  private static String destroyBatch(Set<String> sets) {
    StringBuilder batch = new StringBuilder();
    sets.forEach(set -> batch.append("destroy ").append(set).append('\n'));
    return batch.toString();
  }

  private void run(ApplyPlan.Step step) throws KernelCommandException {
    LOG.debug("{}: {}\n{}", step.step(), String.join(" ", step.argv()), step.payload());
    CommandResult result = runner.run(step.argv(), step.payload());
    if (!result.succeeded()) {
      throw new KernelCommandException(step.step(), step.argv(), step.payload(), result);
    }
  }

  private void pause(int attempt) {
    try {
      sleeper.sleep(retry.backoffAfter(attempt));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while backing off between apply attempts", e);
    }
  }

  /** What one converge has written so far, over all its attempts. */
  private static final class Progress {
    private WriteCounts written = WriteCounts.NOTHING;

    void add(WriteCounts counts) {
      written = written.plus(counts);
    }
  }
}
