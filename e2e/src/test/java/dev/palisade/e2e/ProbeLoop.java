package dev.palisade.e2e;

import com.google.common.net.InetAddresses;
import dev.palisade.dataplane.lab.NetnsCluster;
import dev.palisade.model.Protocol;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Probes a few TCP flows over and over from one background thread (each probe a new
 * connection) until stopped, and remembers every probe whose outcome was not the expected one.
 * Used while something is disrupted: agents restart, the API server is away.
 */
final class ProbeLoop {
  /** A TCP flow from a lab pod to an address, and whether policy allows it. */
  record Flow(String fromPod, String to, int port, boolean allowed) {
    @Override
    public String toString() {
      return fromPod + " -> " + to + ":" + port + (allowed ? " (allowed)" : " (denied)");
    }
  }

  /** What the loop saw for one flow: how many probes ran, and the wrong outcomes. */
  record Tally(int probes, List<String> wrong) {}

  private final NetnsCluster lab;
  private final List<Flow> flows;
  private final Map<Flow, Integer> probes = new LinkedHashMap<>();
  private final Map<Flow, List<String>> wrong = new LinkedHashMap<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final long startedAt = System.nanoTime();
  private final Thread thread;
  private volatile RuntimeException failure;

  private ProbeLoop(NetnsCluster lab, List<Flow> flows) {
    this.lab = lab;
    this.flows = List.copyOf(flows);
    for (Flow flow : flows) {
      probes.put(flow, 0);
      wrong.put(flow, new ArrayList<>());
    }
    this.thread = new Thread(this::loop, "e2e-probe-loop");
  }

  static ProbeLoop start(NetnsCluster lab, List<Flow> flows) {
    ProbeLoop loop = new ProbeLoop(lab, flows);
    loop.thread.start();
    return loop;
  }

  private void loop() {
    try {
      while (running.get()) {
        for (Flow flow : flows) {
          InetAddress to = InetAddresses.forString(flow.to());
          boolean reached = lab.reaches(flow.fromPod(), to, Protocol.TCP, flow.port());
          synchronized (this) {
            probes.merge(flow, 1, Integer::sum);
            if (reached != flow.allowed()) {
              wrong.get(flow).add((reached ? "reached" : "did not reach") + " at +"
                  + (System.nanoTime() - startedAt) / 1_000_000 + " ms");
            }
          }
        }
      }
    } catch (RuntimeException e) {
      failure = e;
    }
  }

  /** How many probes of every flow ran so far. */
  synchronized int fewestProbes() {
    return probes.values().stream().mapToInt(Integer::intValue).min().orElse(0);
  }

  /** Waits until every flow was probed at least {@code count} more times than now. */
  void awaitMoreProbes(int count) {
    int target = fewestProbes() + count;
    while (fewestProbes() < target) {
      if (!thread.isAlive()) {
        throw new IllegalStateException("the probe loop stopped", failure);
      }
      pause(Duration.ofMillis(20));
    }
  }

  /** Keeps probing for {@code duration}. */
  void runFor(Duration duration) {
    pause(duration);
  }

  /** Stops the loop and returns what it saw per flow. */
  Map<Flow, Tally> stop() {
    running.set(false);
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while stopping the probe loop", e);
    }
    if (failure != null) {
      throw new IllegalStateException("a probe could not run", failure);
    }
    Map<Flow, Tally> tallies = new LinkedHashMap<>();
    synchronized (this) {
      flows.forEach(flow -> tallies.put(flow, new Tally(probes.get(flow),
          List.copyOf(wrong.get(flow)))));
    }
    return tallies;
  }

  private static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while probing", e);
    }
  }
}
