package dev.palisade.bench;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an agent's log says about its start: when its informers had listed the cluster and when
 * its first sync had programmed the node, both in milliseconds of the agent's JVM uptime (so
 * they count from process start, JVM start included), and what that sync wrote.
 */
final class AgentLog {
  private static final Pattern LISTED = Pattern.compile(
      "initial lists received \\([^)]*\\) at (\\d+) ms of process uptime");
  private static final Pattern FIRST_SYNC = Pattern.compile(
      "first sync in (\\d+) ms, at (\\d+) ms of process uptime: (\\d+) local endpoints, (\\d+) "
          + "policies; wrote (.*)");

  /**
   * The start as logged. {@code listedFirst}: whether "initial lists received" came before the
   * first sync; an agent that notices the lists only on its sync thread may log it after a first
   * sync that took them in, and then the moment its informers synced is not in the log.
   */
  record Start(long listedAtMillis, long programmedAtMillis, long syncMillis,
      int localEndpoints, int policies, String wrote, boolean listedFirst) {
    /** Informers synced (lists received) → node fully programmed, when the log tells. */
    Optional<Long> listedToProgrammedMillis() {
      return listedFirst ? Optional.of(programmedAtMillis - listedAtMillis) : Optional.empty();
    }

    boolean wroteNothing() {
      return wrote.equals("nothing");
    }
  }

  private AgentLog() {}

  /** The start, once both lines are in the log. */
  static Optional<Start> start(String log) {
    Matcher listed = LISTED.matcher(log);
    Matcher firstSync = FIRST_SYNC.matcher(log);
    if (!listed.find() || !firstSync.find()) {
      return Optional.empty();
    }
    return Optional.of(new Start(Long.parseLong(listed.group(1)),
        Long.parseLong(firstSync.group(2)), Long.parseLong(firstSync.group(1)),
        Integer.parseInt(firstSync.group(3)), Integer.parseInt(firstSync.group(4)),
        firstSync.group(5).strip(), listed.start() < firstSync.start()));
  }
}
