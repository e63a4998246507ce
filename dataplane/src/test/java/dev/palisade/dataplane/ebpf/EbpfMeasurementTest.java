package dev.palisade.dataplane.ebpf;

import static dev.palisade.model.Direction.INGRESS;
import static dev.palisade.model.Protocol.TCP;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.net.InetAddresses;
import dev.palisade.dataplane.lab.LabPod;
import dev.palisade.dataplane.lab.NetnsLab;
import dev.palisade.dataplane.lab.Probes;
import dev.palisade.dataplane.lab.Shell;
import dev.palisade.model.Cidr;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * docs/ebpf.md's figures: 10,000 map updates in one apply, and the program's cost per packet
 * from the kernel's run-time statistics during a probe burst. Runs only when asked:
 * {@code -Dpalisade.excludedTags= -Dtest=EbpfMeasurementTest}; prints, asserts little.
 */
@Tag("kernel")
@Tag("measurement")
class EbpfMeasurementTest {
  private static final int ENTRIES = 10_000;

  @Test
  void updatesAndPerPacketCost() throws Exception {
    try (NetnsLab lab = NetnsLab.start(2)) {
      LabPod p1 = lab.pod(0);
      LabPod p2 = lab.pod(1);
      lab.serve(p2, 80);
      try (EbpfLab ebpf = EbpfLab.start(lab)) {
        report("10,000 verdicts", ebpf.writer.apply(withVerdicts(ebpf, p2, ENTRIES, 0),
            MapWriter.View.READ));
        report("the same again (remembered)", ebpf.writer.apply(
            withVerdicts(ebpf, p2, ENTRIES, 0), MapWriter.View.REMEMBERED));
        MapContents same = withVerdicts(ebpf, p2, ENTRIES, 0);
        for (int i = 0; i < 20; i++) {
          ebpf.writer.apply(same, MapWriter.View.REMEMBERED);
        }
        report("the same, 22nd time (a warm JVM)", ebpf.writer.apply(same,
            MapWriter.View.REMEMBERED));
        report("one verdict changed (remembered)", ebpf.writer.apply(
            withVerdicts(ebpf, p2, ENTRIES, 1), MapWriter.View.REMEMBERED));
        report("the same, read back first", ebpf.writer.apply(
            withVerdicts(ebpf, p2, ENTRIES, 1), MapWriter.View.READ));
        MapContents verdictsAndIdentities = withIdentities(withVerdicts(ebpf, p2, ENTRIES, 1));
        report("10,000 identity prefixes", ebpf.writer.apply(verdictsAndIdentities,
            MapWriter.View.REMEMBERED));
        MapContents endpoints = withEndpoints(verdictsAndIdentities);
        report("10,000 endpoints (hash map)", ebpf.writer.apply(endpoints,
            MapWriter.View.REMEMBERED));
        report("30,000 entries removed", ebpf.writer.apply(withVerdicts(ebpf, p2, 0, 0),
            MapWriter.View.REMEMBERED));
        report("10,000 verdicts + 10,000 identities at once", ebpf.writer.apply(
            verdictsAndIdentities, MapWriter.View.REMEMBERED));

        // per packet: p2 isolated, one allowed identity among 10,000 verdicts and prefixes
        int statsFd = ebpf.bpf.enableRunTimeStats();
        try {
          ProgramRunStats before = ProgramRunStats.read(ebpf.bpf, ebpf.pins);
          Probes probes = new Probes(new Shell().runner());
          int connections = 100;
          for (int i = 0; i < connections; i++) {
            assertThat(probes.reaches(p1.namespace(), p2.v4(), TCP, 80)).isTrue();
          }
          System.out.printf("per packet, %d TCP connections p1 -> p2:80 (isolated ingress, "
              + "%d verdicts, %d prefixes):%n", connections, ENTRIES + 1, ENTRIES + 4);
          printRuns(ProgramRunStats.read(ebpf.bpf, ebpf.pins).since(before));

          ebpf.writer.apply(MapContents.EMPTY, MapWriter.View.REMEMBERED);
          ProgramRunStats idleBefore = ProgramRunStats.read(ebpf.bpf, ebpf.pins);
          for (int i = 0; i < connections; i++) {
            assertThat(probes.reaches(p1.namespace(), p2.v4(), TCP, 80)).isTrue();
          }
          System.out.printf("per packet, same burst, no endpoint entries (not Palisade's):%n");
          printRuns(ProgramRunStats.read(ebpf.bpf, ebpf.pins).since(idleBefore));
        } finally {
          ebpf.bpf.close(statsFd);
        }
      }
    }
  }

  private static void report(String what, MapWriter.Report report) {
    System.out.printf("%-46s %6d changes %6d bpf() calls %8.1f ms%n", what, report.changes(),
        report.syscalls(), report.nanos() / 1e6);
  }

  /** p2 isolated for ingress, allowing p1 on TCP 80 plus {@code count} other identities. */
  private static MapContents withVerdicts(EbpfLab ebpf, LabPod p2, int count, int variant) {
    EbpfLab.Desired desired = ebpf.desired().isolate(p2, true, false)
        .allow(p2, INGRESS, ebpf.identity(ebpf.lab.pod(0)), Traffic.port(TCP, 80));
    for (int i = 0; i < count; i++) {
      desired.allow(p2, INGRESS, 1000 + i, Traffic.port(TCP, i == 0 ? 1000 + variant : 443));
    }
    return desired.build();
  }

  private static MapContents withIdentities(MapContents contents) {
    Map<Cidr, Integer> identities = new TreeMap<>(contents.identities());
    for (int i = 0; i < ENTRIES; i++) {
      identities.put(Cidr.host(InetAddresses.fromInteger(0x0a400000 + i)), 1000 + i);
    }
    return MapContents.of(contents.endpoints(), identities, contents.verdicts(), Map.of());
  }

  private static MapContents withEndpoints(MapContents contents) {
    Map<Integer, EbpfEndpoint> endpoints = new TreeMap<>(contents.endpoints());
    for (int i = 0; i < ENTRIES; i++) {
      endpoints.put(1_000_000 + i, new EbpfEndpoint(100 + i, true, true, false, false, 0, 0));
    }
    return MapContents.of(endpoints, contents.identities(), contents.verdicts(), Map.of());
  }

  private static void printRuns(ProgramRunStats runs) {
    System.out.printf("  palisade_from_pod: %d runs, %.0f ns/run%n", runs.fromPodRuns(),
        runs.fromPodNanos() / (double) runs.fromPodRuns());
    System.out.printf("  palisade_to_pod:   %d runs, %.0f ns/run%n", runs.toPodRuns(),
        runs.toPodNanos() / (double) runs.toPodRuns());
  }
}
