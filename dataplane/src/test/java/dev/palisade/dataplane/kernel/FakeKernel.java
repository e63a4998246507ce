package dev.palisade.dataplane.kernel;

import dev.palisade.dataplane.state.Installation;
import dev.palisade.model.IpFamily;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link CommandRunner} that behaves like a network namespace's netfilter for the commands
 * the writer runs: it interprets iptables-restore and ipset restore text, answers the save
 * commands with what it holds, records every invocation, and fails on request.
 */
public final class FakeKernel implements CommandRunner {
  record Invocation(List<String> argv, String stdin) {
    String command() {
      return argv.get(0);
    }
  }

  /** Marks a queued run that is let through; compared by identity. */
  private static final CommandResult PASS = new CommandResult(0, "", "");

  private final AtomicLong ruleIds = new AtomicLong();
  private final Map<IpFamily, FakeIptables> tables = new EnumMap<>(IpFamily.class);
  private final FakeIpsets ipsets = new FakeIpsets();
  private final List<Invocation> log = new ArrayList<>();
  private final Map<String, Deque<CommandResult>> failures = new HashMap<>();

  public FakeKernel() {
    for (IpFamily family : IpFamily.values()) {
      tables.put(family, new FakeIptables(ruleIds));
    }
  }

  /**
   * The writer the agent's tests put over a fake kernel, or over a runner wrapping one:
   * nf_tables iptables 1.8.9, no lock, quick retries, the default installation.
   */
  public static KernelWriter writerOver(CommandRunner runner) {
    return new KernelWriter(runner, KernelTools.forVersion(IptablesBackend.ONLY_ONE,
        new IptablesVersion(false, 1, 8, 9)), TableLock.none(),
        new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(50)), duration -> { },
        Installation.DEFAULT);
  }

  FakeIptables table(IpFamily family) {
    return tables.get(family);
  }

  FakeIpsets ipsets() {
    return ipsets;
  }

  /** Every command run so far. */
  List<Invocation> log() {
    return log;
  }

  /** Invocations that changed something (restores), not the reads. */
  List<Invocation> writes() {
    return log.stream().filter(i -> i.argv().stream().anyMatch(a -> a.endsWith("restore")))
        .toList();
  }

  void clearLog() {
    log.clear();
  }

  /** The next {@code times} runs of {@code command} (argv[0]) fail with this stderr. */
  void failNext(String command, int times, String stderr) {
    failAfter(command, 0, times, stderr);
  }

  /** After {@code successes} more runs of {@code command}, the next {@code times} fail. */
  void failAfter(String command, int successes, int times, String stderr) {
    Deque<CommandResult> queue = failures.computeIfAbsent(command, c -> new ArrayDeque<>());
    for (int k = 0; k < successes; k++) {
      queue.add(PASS);
    }
    for (int k = 0; k < times; k++) {
      queue.add(new CommandResult(1, "", stderr));
    }
  }

  @Override
  public CommandResult run(List<String> argv, String stdin) {
    log.add(new Invocation(List.copyOf(argv), stdin));
    Deque<CommandResult> injected = failures.get(argv.get(0));
    CommandResult next = injected == null ? null : injected.poll();
    if (next != null && next != PASS) {
      return next;
    }
    return switch (argv.get(0)) {
      case "iptables-save" -> CommandResult.ok(tables.get(IpFamily.V4).save());
      case "ip6tables-save" -> CommandResult.ok(tables.get(IpFamily.V6).save());
      case "iptables-restore" -> restore(IpFamily.V4, argv, stdin);
      case "ip6tables-restore" -> restore(IpFamily.V6, argv, stdin);
      case "ipset" -> ipset(argv, stdin);
      default -> new CommandResult(127, "", argv.get(0) + ": command not found");
    };
  }

  private CommandResult restore(IpFamily family, List<String> argv, String stdin) {
    String error = tables.get(family).restore(stdin, argv.contains("--noflush"),
        ipsets.sets()::containsKey);
    return error == null ? CommandResult.ok("") : new CommandResult(1, "", error);
  }

  private CommandResult ipset(List<String> argv, String stdin) {
    if (argv.size() == 2 && argv.get(1).equals("save")) {
      return CommandResult.ok(ipsets.save());
    }
    if (argv.size() >= 2 && argv.get(1).equals("restore")) {
      String error = ipsets.restore(stdin, argv.contains("-exist"),
          set -> tables.values().stream().anyMatch(t -> t.referencesSet(set)));
      return error == null ? CommandResult.ok("") : new CommandResult(1, "", error);
    }
    return new CommandResult(2, "", "unsupported ipset invocation " + argv);
  }
}
