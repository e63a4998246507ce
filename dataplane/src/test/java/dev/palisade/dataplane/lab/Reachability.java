package dev.palisade.dataplane.lab;

import com.google.common.collect.ImmutableList;
import dev.palisade.model.IpFamily;
import dev.palisade.model.Protocol;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;

/**
 * A truth table over the lab's pods: for every ordered pair of distinct pods and every probe
 * (protocol, port), allowed or denied. Expected tables come from a predicate (the evaluator),
 * observed ones from real connections, probed in parallel since a denied probe mostly waits.
 * Printed as a grid, rows = source, columns = destination:probe; '.' allowed, 'X' denied.
 */
public final class Reachability {
  public record Probe(Protocol protocol, int port) {
    @Override
    public String toString() {
      return protocol.name().toLowerCase() + "/" + port;
    }
  }

  public record Cell(LabPod from, LabPod to, Probe probe) {}

  private final ImmutableList<LabPod> pods;
  private final ImmutableList<Probe> probes;
  private final Map<Cell, Boolean> cells;

  private Reachability(List<LabPod> pods, List<Probe> probes, Map<Cell, Boolean> cells) {
    this.pods = ImmutableList.copyOf(pods);
    this.probes = ImmutableList.copyOf(probes);
    this.cells = cells;
  }

  public static List<Cell> cells(List<LabPod> pods, List<Probe> probes) {
    List<Cell> cells = new ArrayList<>();
    for (LabPod from : pods) {
      for (LabPod to : pods) {
        if (from != to) {
          probes.forEach(probe -> cells.add(new Cell(from, to, probe)));
        }
      }
    }
    return cells;
  }

  public static Reachability expected(List<LabPod> pods, List<Probe> probes,
      Predicate<Cell> allowed) {
    Map<Cell, Boolean> cells = new LinkedHashMap<>();
    cells(pods, probes).forEach(cell -> cells.put(cell, allowed.test(cell)));
    return new Reachability(pods, probes, cells);
  }

  /** Probes every cell for real, in parallel. */
  public static Reachability observed(NetnsLab lab, List<Probe> probes, IpFamily family) {
    List<Cell> all = cells(lab.pods(), probes);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      Map<Cell, Future<Boolean>> pending = new LinkedHashMap<>();
      for (Cell cell : all) {
        pending.put(cell, pool.submit(() -> cell.probe().protocol() == Protocol.TCP
            ? lab.tcpReaches(cell.from(), cell.to(), cell.probe().port(), family)
            : lab.udpReaches(cell.from(), cell.to(), cell.probe().port(), family)));
      }
      Map<Cell, Boolean> cells = new LinkedHashMap<>();
      for (Map.Entry<Cell, Future<Boolean>> entry : pending.entrySet()) {
        cells.put(entry.getKey(), entry.getValue().get());
      }
      return new Reachability(lab.pods(), probes, cells);
    } catch (Exception e) {
      throw new IllegalStateException("probing failed", e);
    } finally {
      pool.shutdownNow();
    }
  }

  /** The cells where this and {@code other} disagree, one per line. */
  public String differences(Reachability other) {
    StringBuilder out = new StringBuilder();
    cells.forEach((cell, allowed) -> {
      Boolean theirs = other.cells.get(cell);
      if (!allowed.equals(theirs)) {
        out.append(cell.from().name()).append(" -> ").append(cell.to().name()).append(' ')
            .append(cell.probe()).append(": expected ").append(allowed ? "allowed" : "denied")
            .append(", observed ").append(Boolean.TRUE.equals(theirs) ? "allowed" : "denied")
            .append('\n');
      }
    });
    return out.toString();
  }

  public String grid() {
    StringBuilder out = new StringBuilder(String.format("%-6s", ""));
    for (LabPod to : pods) {
      probes.forEach(probe -> out.append(String.format(" %-10s", to.name() + ":" + probe)));
    }
    out.append('\n');
    for (LabPod from : pods) {
      out.append(String.format("%-6s", from.name()));
      for (LabPod to : pods) {
        for (Probe probe : probes) {
          Boolean allowed = cells.get(new Cell(from, to, probe));
          out.append(String.format(" %-10s", allowed == null ? "-" : allowed ? "." : "X"));
        }
      }
      out.append('\n');
    }
    return out.toString();
  }
}
