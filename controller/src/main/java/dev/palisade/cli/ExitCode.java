package dev.palisade.cli;

/** The exit statuses every command shares (SCENARIO.md). */
public final class ExitCode {
  /** Every expectation matched; nothing is wrong. */
  static final int OK = 0;
  /** A probe did not match its expectation, lint found an error, or diff found a change. */
  static final int FAILED = 1;
  /** The input cannot be used: bad option, file, YAML or object (picocli's usage status too). */
  public static final int BAD_INPUT = 2;
  /** Stopped by SIGINT or SIGTERM (128 + SIGINT, what shells report for an interrupted run). */
  public static final int INTERRUPTED = 130;
  /** A bug in Palisade (EX_SOFTWARE of sysexits.h). */
  static final int INTERNAL_ERROR = 70;

  private ExitCode() {}

  /** The status of several independent runs: the worst one. */
  static int worst(int first, int second) {
    return Math.max(first, second);
  }
}
