package dev.palisade.dataplane.ebpf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.dataplane.lab.LabPod;
import dev.palisade.dataplane.lab.Probes;
import dev.palisade.dataplane.lab.Shell;
import dev.palisade.model.IpFamily;
import dev.palisade.model.Protocol;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Expected connections, probed for real and in parallel (a denied probe mostly waits); a
 * mismatch lists every cell that differs.
 */
final class Connectivity {
  record Check(LabPod from, LabPod to, Protocol protocol, int port, IpFamily family,
      boolean allowed) {
    @Override
    public String toString() {
      return from.name() + " -> " + to.name() + " " + protocol.name().toLowerCase()
          + (protocol == Protocol.ICMP ? "" : "/" + port) + " " + family + ": expected "
          + (allowed ? "allowed" : "denied");
    }
  }

  private final List<Check> checks = new ArrayList<>();
  private final List<IpFamily> families;

  private Connectivity(List<IpFamily> families) {
    this.families = families;
  }

  /** Every expectation is checked in each of {@code families}. */
  static Connectivity over(IpFamily... families) {
    return new Connectivity(List.of(families));
  }

  Connectivity allowed(LabPod from, LabPod to, Protocol protocol, int port) {
    return expect(from, to, protocol, port, true);
  }

  Connectivity denied(LabPod from, LabPod to, Protocol protocol, int port) {
    return expect(from, to, protocol, port, false);
  }

  Connectivity expect(LabPod from, LabPod to, Protocol protocol, int port, boolean allowed) {
    for (IpFamily family : families) {
      checks.add(new Check(from, to, protocol, port, family, allowed));
    }
    return this;
  }

  void verify() {
    Probes probes = new Probes(new Shell().runner());
    // a thread per check: a denied probe only waits, and a verify holds a dozen checks or so
    ExecutorService pool = Executors.newFixedThreadPool(checks.size());
    try {
      Map<Check, Future<Boolean>> pending = new LinkedHashMap<>();
      for (Check check : checks) {
        pending.put(check, pool.submit(() -> probes.reaches(check.from().namespace(),
            check.to().address(check.family()), check.protocol(), check.port())));
      }
      List<String> wrong = new ArrayList<>();
      for (Map.Entry<Check, Future<Boolean>> entry : pending.entrySet()) {
        if (entry.getValue().get() != entry.getKey().allowed()) {
          wrong.add(entry.getKey().toString());
        }
      }
      assertThat(wrong).as("probes whose outcome differs").isEmpty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("probing failed", e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }
}
