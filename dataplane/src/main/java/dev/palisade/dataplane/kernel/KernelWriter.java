package dev.palisade.dataplane.kernel;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import dev.palisade.model.IpFamily;
import dev.palisade.dataplane.state.DesiredState;
import dev.palisade.dataplane.state.Installation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import jnr.posix.POSIX;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one object that changes the kernel: reads what its installation owns, diffs it against a
 * desired state and writes only the difference, in a fixed order (sets, then one
 * iptables-restore transaction per family, the two at once where restores give receipts, then
 * unused sets destroyed; see {@link ApplyPlan}). What a foreign object holds on to (a rule
 * jumping into a chain of ours, a rule using a set of ours) is left and named in the result
 * ({@link Leftover}), never a reason to fail the rest. A set whose type, family or size must
 * change takes two such rounds ({@link SetReplacement}).
 *
 * <p>What the kernel holds is learnt in one of two ways ({@link KernelView}). {@code READ} reads
 * it back ({@code iptables-save}, {@code ipset save}): a new writer (an agent restart) diffs
 * against whatever the previous one left and never flushes, so enforcement has no gap, and drift
 * (a deleted jump, a flushed chain, a removed member) is repaired. {@code REMEMBERED} trusts the
 * writer's record of what its last successful apply left, so an apply costs what changed, not
 * what exists: at 10,000 pods the read-back alone takes most of a second. The record is dropped
 * whenever it may be wrong (a failed command, a set replaced, a leftover), and the next apply
 * reads; the owner reads on a period to find what others changed.
 *
 * <p>Set updates and destructions run as one {@code ipset restore} process per batch, or, for a
 * long-lived owner, through an {@link IpsetSession} ({@link #withIpsetSession}) that {@link
 * #close} ends. Restores end at their process's exit or, where iptables-restore gives one, at
 * the receipt of their commit ({@link #withRestoreReceipts}).
 *
 * <p>Threading: not thread-safe. One owner (the agent's sync worker) calls {@link #apply} and
 * {@link #cleanup}.
 *
 * <p>Failures: a failed command is logged with its whole payload and stderr; the writer waits
 * (backoff from {@link RetryPolicy}), re-reads the kernel, re-plans and tries again, and after
 * the last attempt returns {@link ApplyResult.Failed}. Nothing is swallowed.
 */
public final class KernelWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KernelWriter.class);

  /**
   * How long a set refused as in use is tried again after a restore session's commit: the
   * kernel's grace period, 25 ms at most on the test machine, with room for a loaded one.
   */
  static final Duration RELEASE_WAIT = Duration.ofMillis(500);
  private static final Duration RELEASE_POLL = Duration.ofMillis(2);
  private static final String SET_IN_USE = "in use by a kernel component";
  private static final String NO_SUCH_SET = "The set with the given name does not exist";

  private final CommandRunner runner;
  private final KernelTools tools;
  private final KernelReader reader;
  private final TableLock lock;
  private final RetryPolicy retry;
  private final Sleeper sleeper;
  private final Installation owner;
  private final WriteStrategy strategy;
  /** Where set updates go; null: one {@code ipset restore} each. */
  private final IpsetSession ipsetSession;
  /** How restores end: at their commit's receipt; null: at the process's exit. */
  private final RestoreReceipts receipts;
  /**
   * What the kernel held after the last successful apply, as a read would find it (if nobody
   * else changed it); null when unknown.
   */
  private KernelSnapshot remembered;
  /** The last desired state put in the writer's terms, whose parse the next one reuses. */
  private DesiredTables.Parsed lastParsed;

  /** How an apply learns what the kernel holds now. */
  public enum KernelView {
    /** Read it back: finds and repairs what others changed; costs the size of the state. */
    READ,
    /**
     * Trust the record of the last successful apply, and read only when there is none: costs the
     * size of the change, but does not see what others changed since.
     */
    REMEMBERED
  }

  /** @param owner the installation whose chains and sets this writer owns */
  public KernelWriter(CommandRunner runner, KernelTools tools, TableLock lock, RetryPolicy retry,
      Sleeper sleeper, Installation owner) {
    this(runner, tools, lock, retry, sleeper, owner, WriteStrategy.INCREMENTAL, null, null);
  }

  private KernelWriter(CommandRunner runner, KernelTools tools, TableLock lock,
      RetryPolicy retry, Sleeper sleeper, Installation owner, WriteStrategy strategy,
      IpsetSession ipsetSession, RestoreReceipts receipts) {
    this.runner = runner;
    this.tools = tools;
    this.owner = owner;
    this.reader = new KernelReader(runner, tools, owner);
    this.lock = lock;
    this.retry = retry;
    this.sleeper = sleeper;
    this.strategy = strategy;
    this.ipsetSession = ipsetSession;
    this.receipts = receipts;
  }

  /** The same writer, writing with {@code writeStrategy}. */
  public KernelWriter withStrategy(WriteStrategy writeStrategy) {
    return new KernelWriter(runner, tools, lock, retry, sleeper, owner, writeStrategy,
        ipsetSession, receipts);
  }

  /**
   * The same writer, its set updates through one long-lived ipset process ({@link
   * IpsetSession}) instead of a process each; {@link #close} ends it.
   *
   * @param answerTimeout the longest a set update may take before the session is deemed stuck
   */
  public KernelWriter withIpsetSession(Duration answerTimeout) {
    return new KernelWriter(runner, tools, lock, retry, sleeper, owner, strategy,
        new IpsetSession(runner, tools, answerTimeout), receipts);
  }

  /**
   * The same writer, its restores returning at the kernel's receipt of their commit rather than
   * at the process's exit ({@link RestoreReceipts}), if the installed iptables-restore gives
   * one; else the same writer.
   *
   * @param timeout the longest a restore may take to answer
   */
  public KernelWriter withRestoreReceipts(Duration timeout) {
    return RestoreReceipts.probe(runner, tools.restore(IpFamily.V4), timeout,
            tools.backend() == IptablesBackend.NFT)
        .map(found -> new KernelWriter(runner, tools, lock, retry, sleeper, owner, strategy,
            ipsetSession, found))
        .orElse(this);
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

  /**
   * Makes the kernel hold exactly {@code desired} of what the installation owns, reading the
   * kernel first.
   */
  public ApplyResult apply(DesiredState desired) {
    return apply(desired, KernelView.READ);
  }

  /** Makes the kernel hold exactly {@code desired} of what the installation owns. */
  public ApplyResult apply(DesiredState desired, KernelView view) {
    return apply(desired, view, () -> {});
  }

  /**
   * Makes the kernel hold exactly {@code desired} of what the installation owns, telling {@code
   * inForce} once every rule and set member of it is in force: before the sets nothing uses any
   * more are destroyed, which waits for the kernel to release them ({@link #destroy}).
   */
  public ApplyResult apply(DesiredState desired, KernelView view, Runnable inForce) {
    DesiredTables tables = DesiredTables.of(desired, owner, lastParsed);
    lastParsed = new DesiredTables.Parsed(desired, tables, lastParsed);
    return converge(tables, view, inForce);
  }

  /**
   * Works out what an apply of {@code desired} against the record of the last apply would write,
   * and writes nothing: the diff of a sync, run only to warm it up (see {@link
   * dev.palisade.dataplane.compile.IncrementalNodeCompiler#rehearse}). Changes no record.
   *
   * @return what the apply would write (its sets destroyed not counted), or empty while there is
   *     no record (before the first apply, after a failure)
   */
  public Optional<WriteCounts> rehearse(DesiredState desired) {
    if (remembered == null) {
      return Optional.empty();
    }
    return Optional.of(plannedWrites(DesiredTables.of(desired, owner, lastParsed), remembered));
  }

  /**
   * Works out what a first apply of {@code desired} would write to a namespace that holds none
   * of the installation's objects, and writes nothing: the first sync's diff, run only to warm it
   * up (see {@link dev.palisade.dataplane.compile.IncrementalNodeCompiler#rehearseFirst}).
   * Reads no kernel and changes no record.
   */
  public WriteCounts rehearseFirst(DesiredState desired) {
    return plannedWrites(DesiredTables.of(desired, owner, null), new KernelSnapshot(
        KernelTable.empty(IpFamily.V4), KernelTable.empty(IpFamily.V6), ImmutableSortedMap.of()));
  }

  private WriteCounts plannedWrites(DesiredTables desired, KernelSnapshot kernel) {
    return ApplyPlan.of(desired, kernel, tools, Set.of(), strategy).steps().stream()
        .map(ApplyPlan.Step::counts).reduce(WriteCounts.NOTHING, WriteCounts::plus);
  }

  /**
   * Removes every jump, chain and set of the installation, and nothing else; what a foreign
   * object holds on to is left, reduced to harmless, and named in the result's leftovers.
   */
  public ApplyResult cleanup() {
    return converge(DesiredTables.nothing(owner), KernelView.READ, () -> {});
  }

  /** What Palisade owns in the kernel now. */
  public KernelSnapshot read() throws KernelCommandException {
    return reader.read();
  }

  private ApplyResult converge(DesiredTables desired, KernelView view, Runnable inForce) {
    // Steps add their counts as they succeed, so a failure still reports what was written.
    Progress progress = new Progress();
    // A retry after the state was in force (its read-back failed) must not tell it again.
    AtomicBoolean told = new AtomicBoolean();
    Runnable tellOnce = () -> {
      if (told.compareAndSet(false, true)) {
        inForce.run();
      }
    };
    for (int attempt = 1; ; attempt++) {
      try (TableLock.Held held = lock.acquire()) {
        KernelSnapshot kernel = view == KernelView.REMEMBERED && remembered != null
            ? remembered : reader.read();
        // Until this converge succeeds, nothing is known of the kernel without reading it.
        remembered = null;
        Map<String, String> replacements = SetReplacement.needed(desired, kernel);
        List<Leftover> leftovers = new ArrayList<>();
        if (!replacements.isEmpty()) {
          leftovers.addAll(execute(ApplyPlan.of(SetReplacement.interim(desired, replacements),
              kernel, tools, replacements.keySet(), strategy), progress, () -> {}));
          kernel = reader.read();
          if (!SetReplacement.needed(desired, kernel).isEmpty()) {
            // An old set could not be destroyed (a foreign rule uses it): the rules stay on
            // the temporary sets, which hold the desired members, until it can.
            return new ApplyResult.Applied(progress.written, attempt,
                ImmutableList.copyOf(leftovers));
          }
        }
        ApplyPlan plan = ApplyPlan.of(desired, kernel, tools, Set.of(), strategy);
        leftovers.addAll(execute(plan, progress, tellOnce));
        progress.add(WriteCounts.replaced(replacements.size()));
        if (leftovers.isEmpty() && replacements.isEmpty()) {
          remembered = afterApplying(desired, kernel, plan);
        }
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

  /**
   * What the kernel holds after {@code plan} brought it from {@code before} to {@code desired}
   * with nothing left over: the desired chains and sets, the same objects (so the next plan
   * skips them by identity), and the foreign parts of {@code before}. A built-in chain whose
   * jumps moved is read back, since foreign rules around them decide their positions.
   */
  private KernelSnapshot afterApplying(DesiredTables desired, KernelSnapshot before,
      ApplyPlan plan) throws KernelCommandException {
    KernelTable[] tables = new KernelTable[2];
    for (IpFamily family : IpFamily.values()) {
      KernelTable was = before.table(family);
      tables[family.ordinal()] = plan.editsHooks(family) ? reader.readTable(family)
          : new KernelTable(family, desired.chains().get(family), was.builtins(),
              was.foreignJumps());
    }
    ImmutableSortedMap.Builder<String, KernelSet> sets = ImmutableSortedMap.naturalOrder();
    SortedJoin.walk(before.sets(), desired.sets(), (name, had, want) -> {
      if (want == null) {
        if (!plan.setsToDestroy().contains(name)) {
          sets.put(name, had);
        }
      } else if (had != null && had.members() == want.members()) {
        // written from this very set before, and planned against it: it holds what it held
        sets.put(name, had);
      } else {
        sets.put(name, new KernelSet(name, want.type().kernelName(), want.family(),
            had == null ? want.maxElements() : had.maxElements(), true, want.members()));
      }
    });
    return new KernelSnapshot(tables[IpFamily.V4.ordinal()], tables[IpFamily.V6.ordinal()],
        sets.build());
  }

  /**
   * Runs the plan's steps, tells {@code inForce}, then destroys the plan's unused sets; returns
   * what had to stay.
   */
  private List<Leftover> execute(ApplyPlan plan, Progress progress, Runnable inForce)
      throws KernelCommandException {
    List<ApplyPlan.Step> restores = new ArrayList<>();
    for (ApplyPlan.Step step : plan.steps()) {
      if (step.step() == ApplyStep.UPDATE_SETS) {
        // first: the restores' rules may match sets it creates
        run(step);
        progress.add(step.counts());
      } else {
        restores.add(step);
      }
    }
    restore(restores, progress);
    inForce.run();
    List<Leftover> leftovers = new ArrayList<>(plan.leftovers());
    leftovers.addAll(destroy(plan.setsToDestroy(), progress));
    return leftovers;
  }

  /**
   * Destroys sets in one batch, once the kernel has released the rules that stopped using them;
   * if it refuses, one by one, so that every set that can go goes and the rest is named. A
   * refusal never fails the apply: everything else is written by now, and a retry could not do
   * better.
   *
   * <p>Released: restores that ran as processes have exited ({@link
   * RestoreReceipts#awaitExits}); after a restore session's commit the kernel releases deleted
   * rules a grace period later, with nothing to wait on, so a set refused as in use is tried
   * again for up to {@link #RELEASE_WAIT} before it counts as held by someone else (a foreign
   * rule or set).
   */
  private List<Leftover> destroy(Set<String> sets, Progress progress) {
    if (sets.isEmpty()) {
      return List.of();
    }
    if (receipts != null) {
      receipts.awaitExits();
    }
    if (runSets(destroyBatch(sets)).succeeded()) {
      progress.add(WriteCounts.destroyed(sets.size()));
      return List.of();
    }
    long releaseDeadline = receipts != null && receipts.releasesLater()
        ? System.nanoTime() + RELEASE_WAIT.toNanos() : System.nanoTime();
    List<Leftover> leftovers = new ArrayList<>();
    for (String set : sets) {
      CommandResult result = runSets(destroyBatch(Set.of(set)));
      while (!result.succeeded() && result.stderr().contains(SET_IN_USE)
          && System.nanoTime() < releaseDeadline) {
        pause(RELEASE_POLL);
        result = runSets(destroyBatch(Set.of(set)));
      }
      // The batch went on past a refusal (an ipset session does): a set it destroyed is gone.
      if (result.succeeded() || result.stderr().contains(NO_SUCH_SET)) {
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
    logStep(step);
    CommandResult result = step.step() == ApplyStep.UPDATE_SETS ? runSets(step.payload())
        : runner.run(step.argv(), step.payload());
    check(step, result);
  }

  /**
   * Runs the families' restores: with receipts, at once (their tables are independent); else
   * one after the other. Counts what succeeded, then throws for the first that failed.
   */
  private void restore(List<ApplyPlan.Step> restores, Progress progress)
      throws KernelCommandException {
    if (receipts == null) {
      for (ApplyPlan.Step step : restores) {
        run(step);
        progress.add(step.counts());
      }
      return;
    }
    restores.forEach(KernelWriter::logStep);
    List<CommandResult> results = receipts.runAll(restores.stream()
        .map(step -> new RestoreReceipts.Restore(step.argv(), step.payload())).toList());
    KernelCommandException failed = null;
    for (int i = 0; i < restores.size(); i++) {
      try {
        check(restores.get(i), results.get(i));
        progress.add(restores.get(i).counts());
      } catch (KernelCommandException e) {
        failed = failed == null ? e : failed;
      }
    }
    if (failed != null) {
      throw failed;
    }
  }

  private static void logStep(ApplyPlan.Step step) {
    LOG.debug("{}: {}\n{}", step.step(), String.join(" ", step.argv()), step.payload());
  }

  private static void check(ApplyPlan.Step step, CommandResult result)
      throws KernelCommandException {
    if (!result.succeeded()) {
      throw new KernelCommandException(step.step(), step.argv(), step.payload(), result);
    }
  }

  /** Runs a batch of ipset commands: through the session, if any, else as ipset restore. */
  private CommandResult runSets(String batch) {
    return ipsetSession != null ? ipsetSession.run(batch)
        : runner.run(tools.ipsetRestore(), batch);
  }

  /**
   * Ends the ipset session and the restores started ahead, if any; the writer may still apply,
   * a process per update.
   */
  @Override
  public void close() {
    if (ipsetSession != null) {
      ipsetSession.close();
    }
    if (receipts != null) {
      receipts.close();
    }
  }

  private void pause(int attempt) {
    pause(retry.backoffAfter(attempt));
  }

  private void pause(Duration duration) {
    try {
      sleeper.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting in an apply", e);
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
