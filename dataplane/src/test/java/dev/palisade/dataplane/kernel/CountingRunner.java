package dev.palisade.dataplane.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** A runner that passes every command on and records which ran to completion and which started. */
final class CountingRunner implements CommandRunner {
  private final CommandRunner delegate;
  private final List<List<String>> ran = new ArrayList<>();
  private final List<Process> started = new ArrayList<>();

  CountingRunner(CommandRunner delegate) {
    this.delegate = delegate;
  }

  @Override
  public synchronized CommandResult run(List<String> argv, String stdin) {
    ran.add(List.copyOf(argv));
    return delegate.run(argv, stdin);
  }

  @Override
  public synchronized CommandResult stream(List<String> argv, Consumer<String> lines) {
    ran.add(List.copyOf(argv));
    return delegate.stream(argv, lines);
  }

  @Override
  public synchronized Process start(List<String> argv) {
    Process process = delegate.start(argv);
    started.add(process);
    return process;
  }

  /** Every command run to completion so far, in order. */
  synchronized List<List<String>> ran() {
    return List.copyOf(ran);
  }

  /** Every process started and left running so far, in order. */
  synchronized List<Process> started() {
    return List.copyOf(started);
  }
}
