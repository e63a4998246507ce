package dev.palisade.dataplane.ebpf;

import static dev.palisade.model.Direction.EGRESS;
import static dev.palisade.model.Direction.INGRESS;
import static dev.palisade.model.Protocol.ICMP;
import static dev.palisade.model.Protocol.TCP;
import static dev.palisade.model.Protocol.UDP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.net.InetAddresses;
import dev.palisade.dataplane.lab.LabPod;
import dev.palisade.dataplane.lab.NetnsLab;
import dev.palisade.dataplane.lab.Shell;
import dev.palisade.model.Cidr;
import dev.palisade.model.IpBlock;
import dev.palisade.model.IpFamily;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The tc program in a real kernel: one node namespace with three pods (NetnsLab), the program
 * attached as tcx links to the pods' host-side veths, maps filled with hand-built contents (no
 * compiler yet), real TCP, UDP and ICMP probes. Fails, never skips, without root, clang's object,
 * bpffs, BTF or the conntrack kfunc. Everything lives in namespaces and a bpffs the test made.
 */
@Tag("kernel")
class EbpfNetnsTest {
  private static final int[] PORTS = {80, 81, 82};
  private static NetnsLab lab;
  private static EbpfLab ebpf;
  private static LabPod p1;
  private static LabPod p2;
  private static LabPod p3;

  @BeforeAll
  static void start() {
    lab = NetnsLab.start(3);
    try {
      for (LabPod pod : lab.pods()) {
        for (int port : PORTS) {
          lab.serve(pod, port);
        }
      }
      ebpf = EbpfLab.start(lab);
    } catch (RuntimeException e) {
      lab.close();
      throw e;
    }
    p1 = lab.pod(0);
    p2 = lab.pod(1);
    p3 = lab.pod(2);
  }

  @AfterAll
  static void stop() {
    try {
      if (ebpf != null) {
        ebpf.close();
      }
    } finally {
      lab.close();
    }
  }

  @BeforeEach
  void nothingEnforced() {
    ebpf.desired().apply();
  }

  @Test
  void anIsolatedPodAcceptsOnlyTheAllowedIdentityAndPort() {
    EbpfLab.Desired desired = ebpf.desired()
        .isolate(p2, true, false)
        .allow(p2, INGRESS, ebpf.identity(p1), Traffic.port(TCP, 80));
    MapWriter.Report first = desired.apply();

    Connectivity.over(IpFamily.V4)
        .allowed(p1, p2, TCP, 80)
        .denied(p1, p2, TCP, 81)
        .denied(p1, p2, UDP, 80)
        .denied(p1, p2, ICMP, 0)
        .denied(p3, p2, TCP, 80)
        .allowed(p2, p1, TCP, 80) // p2's egress is not isolated; p1 is not isolated
        .allowed(p1, p3, TCP, 81)
        .verify();
    assertThat(first.verdictWrites()).isEqualTo(1);
    assertThat(desired.apply().changes()).as("a second apply writes nothing").isZero();
    assertThat(ebpf.writer.read()).isEqualTo(desired.build());
  }

  @Test
  void aPortRangeAllowsItsPortsAndNoOther() {
    ebpf.desired()
        .isolate(p2, true, false)
        .allow(p2, INGRESS, ebpf.identity(p1), Traffic.range(TCP, 80, 81))
        .allow(p2, INGRESS, ebpf.identity(p1), Traffic.allPorts(UDP))
        .apply();

    Connectivity.over(IpFamily.V4)
        .allowed(p1, p2, TCP, 80)
        .allowed(p1, p2, TCP, 81)
        .denied(p1, p2, TCP, 82)
        .allowed(p1, p2, UDP, 82)
        .denied(p1, p2, ICMP, 0) // a rule with ports never allows ICMP
        .verify();
  }

  @Test
  void anIpBlockAllowsItsAddressesButNotItsExcept() {
    for (IpFamily family : IpFamily.values()) {
      String block = family == IpFamily.V4 ? "10.99.1.0/24" : "fd00:99::/64";
      IdentityTable table = IdentityTable.compute(classes(block, p3.address(family)),
          new IdentityTable.Interner());
      EbpfLab.Desired desired = ebpf.desired().onlyIdentities(table.prefixes())
          .isolate(p2, true, false);
      table.identitiesOf("block").forEach(identity ->
          desired.allow(p2, INGRESS, identity, Traffic.everything()));
      desired.apply();

      Connectivity.over(family)
          .allowed(p1, p2, TCP, 80)
          .allowed(p1, p2, UDP, 81)
          .allowed(p1, p2, ICMP, 0) // a rule without ports allows every protocol
          .denied(p3, p2, TCP, 80)
          .denied(p3, p2, ICMP, 0)
          .verify();
    }
  }

  private static Map<String, List<IpBlock>> classes(String block, InetAddress except) {
    Map<String, List<IpBlock>> classes = new LinkedHashMap<>();
    classes.put("block", List.of(IpBlock.of(Cidr.parse(block), List.of(Cidr.host(except)))));
    for (LabPod pod : lab.pods()) {
      classes.put("pod-" + pod.name(), List.of(IpBlock.of(Cidr.host(pod.v4()), List.of()),
          IpBlock.of(Cidr.host(pod.v6()), List.of())));
    }
    return classes;
  }

  @Test
  void egressIsolationAllowsOnlyTheAllowedDestinationAndPort() {
    ebpf.desired()
        .isolate(p1, false, true)
        .allow(p1, EGRESS, ebpf.identity(p2), Traffic.port(TCP, 80))
        .apply();

    Connectivity.over(IpFamily.V4)
        .allowed(p1, p2, TCP, 80)
        .denied(p1, p2, TCP, 81)
        .denied(p1, p2, UDP, 80)
        .denied(p1, p3, TCP, 80)
        .denied(p1, p2, ICMP, 0)
        // p1's ingress is not isolated: connections to it work, their replies are replies
        .allowed(p3, p1, TCP, 80)
        .allowed(p2, p1, UDP, 81)
        .allowed(p3, p1, ICMP, 0)
        .verify();
  }

  @Test
  void podsWithoutIsolationAndForeignInterfacesPass() {
    EbpfLab.Desired desired = ebpf.desired();
    // p1 is an endpoint isolated in no direction; p2 and p3 have no endpoint entry at all
    desired.isolate(p1, false, false).apply();

    Connectivity.over(IpFamily.V4)
        .allowed(p1, p2, TCP, 80)
        .allowed(p2, p1, UDP, 81)
        .allowed(p3, p1, ICMP, 0)
        .allowed(p2, p3, TCP, 82)
        .verify();
  }

  @Test
  void repliesOfAllowedConnectionsPassWhenBothPodsAreIsolatedBothWays() {
    ebpf.desired()
        .isolate(p1, true, true)
        .isolate(p2, true, true)
        .allow(p1, EGRESS, ebpf.identity(p2), Traffic.port(TCP, 80))
        .allow(p2, INGRESS, ebpf.identity(p1), Traffic.port(TCP, 80))
        .allow(p1, EGRESS, ebpf.identity(p2), Traffic.port(UDP, 81))
        .allow(p2, INGRESS, ebpf.identity(p1), Traffic.port(UDP, 81))
        .allow(p1, EGRESS, ebpf.identity(p3), Traffic.everything())
        .apply();

    Connectivity.over(IpFamily.V4)
        .allowed(p1, p2, TCP, 80)
        .allowed(p1, p2, UDP, 81)
        .denied(p2, p1, TCP, 80) // the opposite direction is not allowed by anyone
        .denied(p2, p1, UDP, 81)
        .denied(p1, p2, ICMP, 0)
        .allowed(p1, p3, ICMP, 0) // echo replies are judged as their request
        .denied(p3, p1, ICMP, 0)
        .allowed(p1, p3, TCP, 82)
        .verify();
  }

  @Test
  void icmpErrorsOfAnAllowedConnectionReachAnIsolatedPod() {
    // p1 may send UDP to p2:83, where nothing listens: p2 answers "port unreachable", which
    // p1's ingress (isolated, nothing allowed) lets in as RELATED to the allowed flow
    ebpf.desired()
        .isolate(p1, true, true)
        .isolate(p2, true, false)
        .allow(p1, EGRESS, ebpf.identity(p2), Traffic.port(UDP, 83))
        .allow(p2, INGRESS, ebpf.identity(p1), Traffic.port(UDP, 83))
        .apply();

    for (IpFamily family : IpFamily.values()) {
      String target = family == IpFamily.V4
          ? "UDP4:" + InetAddresses.toAddrString(p2.v4()) + ":83"
          : "UDP6:[" + InetAddresses.toAddrString(p2.v6()) + "]:83";
      String stderr = new Shell().runner().run(List.of("ip", "netns", "exec", p1.namespace(),
          "socat", "-T", "3", "-", target), "x\ny\n").stderr();
      assertThat(stderr).as(family + ": the port unreachable error reached p1")
          .contains("Connection refused");
    }
  }

  @Test
  void theSameRulesHoldForIpv6() {
    ebpf.desired()
        .isolate(p2, true, false)
        .isolate(p3, false, true)
        .allow(p2, INGRESS, ebpf.identity(p1), Traffic.range(TCP, 80, 81))
        .allow(p3, EGRESS, ebpf.identity(p1), Traffic.port(UDP, 82))
        .apply();

    Connectivity.over(IpFamily.V6)
        .allowed(p1, p2, TCP, 80)
        .allowed(p1, p2, TCP, 81)
        .denied(p1, p2, TCP, 82)
        .denied(p3, p2, TCP, 80)
        .denied(p1, p2, ICMP, 0)
        .allowed(p3, p1, UDP, 82)
        .denied(p3, p1, UDP, 81)
        .denied(p3, p1, TCP, 80)
        .allowed(p1, p3, TCP, 80) // p3's ingress is not isolated
        .verify();
  }

  @Test
  void aTightenedVerdictCutsAnEstablishedConnection() throws Exception {
    EbpfLab.Desired open = ebpf.desired()
        .isolate(p2, true, false)
        .allow(p2, INGRESS, ebpf.identity(p1), Traffic.port(TCP, 9000));
    open.apply();
    // a server of the test's own: the lab's close idle connections after 3 s
    Process server = new ProcessBuilder("ip", "netns", "exec", p2.namespace(), "socat", "-T",
        "60", "TCP4-LISTEN:9000,reuseaddr", "EXEC:cat").start();
    Process connection = null;
    try {
      connection = connectWhenListening(p1, p2, 9000);
      BlockingQueue<String> echoes = echoes(connection);
      OutputStream out = connection.getOutputStream();
      send(out, "one");
      assertThat(echoes.poll(5, TimeUnit.SECONDS)).isEqualTo("one");
      assertThat(lab.inNode("conntrack", "-L", "-p", "tcp", "--dport", "9000"))
          .contains("ESTABLISHED");

      ebpf.desired().isolate(p2, true, false).apply(); // nothing allowed any more
      send(out, "two");
      assertThat(echoes.poll(3, TimeUnit.SECONDS)).as("echo after tightening").isNull();
      assertThat(lab.inNode("conntrack", "-L", "-p", "tcp", "--dport", "9000"))
          .as("conntrack still holds the connection: the verdict cut it")
          .contains("ESTABLISHED");

      open.apply();
      assertThat(echoes.poll(20, TimeUnit.SECONDS)).as("TCP's retransmission, allowed again")
          .isEqualTo("two");
    } finally {
      if (connection != null) {
        connection.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
      server.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }

  /** A socat client from one pod to the other's port, once the server listens. */
  private static Process connectWhenListening(LabPod from, LabPod to, int port)
      throws Exception {
    for (int attempt = 0; attempt < 50; attempt++) {
      if (new Shell().run("ip", "netns", "exec", to.namespace(), "ss", "-ltn")
          .contains(":" + port)) {
        break;
      }
      Thread.sleep(100);
    }
    return new ProcessBuilder("ip", "netns", "exec", from.namespace(), "socat", "-",
        "TCP4:" + InetAddresses.toAddrString(to.v4()) + ":" + port).start();
  }

  private static void send(OutputStream out, String line) throws IOException {
    out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static BlockingQueue<String> echoes(Process process) {
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(
          process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          lines.add(line);
        }
      } catch (IOException ended) {
        // the process was stopped
      }
    }, "echo-reader");
    reader.setDaemon(true);
    reader.start();
    return lines;
  }

  @Test
  void countersCountAllowedAndDeniedPacketsAndPerVerdict() {
    ebpf.desired()
        .isolate(p2, true, false)
        .counted(p2, INGRESS, ebpf.identity(p1), Traffic.port(TCP, 80), 4)
        .apply();
    EbpfMaps.Counters before = ebpf.maps.counters();
    long slotBefore = ebpf.maps.counter(4);

    Connectivity.over(IpFamily.V4).allowed(p1, p2, TCP, 80).denied(p3, p2, TCP, 80).verify();

    EbpfMaps.Counters after = ebpf.maps.counters();
    assertThat(after.ingressAllowed()).isGreaterThan(before.ingressAllowed());
    assertThat(after.ingressDenied()).isGreaterThan(before.ingressDenied());
    assertThat(ebpf.maps.counter(4) - slotBefore).isPositive()
        .isLessThanOrEqualTo(after.ingressAllowed() - before.ingressAllowed());
  }

  /**
   * The maps of the REJECT tests: p2 admits p1 on TCP and UDP 80 only; p1, isolated both ways,
   * may send anything to p2 and nothing elsewhere. Denied: p3 -> p2 (81, ICMP) at p2's ingress,
   * to a sender that is no endpoint; p1 -> p2 (81, ICMP) at p2's ingress, whose answer then has
   * to pass p1's isolated ingress; p1 -> p3 at p1's egress, whose answer goes back into p1 from
   * its own interface.
   */
  private static EbpfLab.Desired rejectionMaps(boolean reject) {
    return ebpf.desired().rejecting(reject)
        .isolate(p1, true, true)
        .isolate(p2, true, false)
        .allow(p1, EGRESS, ebpf.identity(p2), Traffic.everything())
        .allow(p2, INGRESS, ebpf.identity(p1), Traffic.port(TCP, 80))
        .allow(p2, INGRESS, ebpf.identity(p1), Traffic.port(UDP, 80));
  }

  private static final List<Refusals.Probe> ALLOWED = new ArrayList<>();
  private static final List<Refusals.Probe> DENIED_AT_INGRESS = new ArrayList<>();
  private static final List<Refusals.Probe> DENIED_AT_EGRESS = new ArrayList<>();

  private static void rejectionProbes() {
    if (!ALLOWED.isEmpty()) {
      return;
    }
    for (IpFamily family : IpFamily.values()) {
      for (var protocol : List.of(TCP, UDP)) {
        ALLOWED.add(Refusals.probe(p1, p2, protocol, 80, family));
        DENIED_AT_INGRESS.add(Refusals.probe(p3, p2, protocol, 81, family));
        DENIED_AT_INGRESS.add(Refusals.probe(p1, p2, protocol, 81, family));
        DENIED_AT_EGRESS.add(Refusals.probe(p1, p3, protocol, 80, family));
      }
      DENIED_AT_INGRESS.add(Refusals.probe(p3, p2, ICMP, 0, family));
      DENIED_AT_INGRESS.add(Refusals.probe(p1, p2, ICMP, 0, family));
      DENIED_AT_EGRESS.add(Refusals.probe(p1, p3, ICMP, 0, family));
    }
  }

  private static Map<Refusals.Probe, Refusals.Result> probeRejections() {
    rejectionProbes();
    List<Refusals.Probe> all = new ArrayList<>(ALLOWED);
    all.addAll(DENIED_AT_INGRESS);
    all.addAll(DENIED_AT_EGRESS);
    return Refusals.run(all);
  }

  /** Every denied probe refused within a second, every allowed one answered; the slowest. */
  private static double assertRefusedAtOnce(String what,
      Map<Refusals.Probe, Refusals.Result> results) {
    List<String> wrong = new ArrayList<>();
    double slowest = 0;
    for (Map.Entry<Refusals.Probe, Refusals.Result> entry : results.entrySet()) {
      Refusals.Result result = entry.getValue();
      if (ALLOWED.contains(entry.getKey())) {
        if (result.ending() != Refusals.Ending.ANSWERED) {
          wrong.add(entry.getKey() + ": allowed, but " + result);
        }
      } else if (result.ending() != Refusals.Ending.REFUSED || result.millis() >= 1000) {
        wrong.add(entry.getKey() + ": denied, expected refused within 1 s, but " + result);
      } else {
        slowest = Math.max(slowest, result.millis());
      }
    }
    assertThat(wrong).as("probes, " + what).isEmpty();
    return slowest;
  }

  @Test
  void rejectRefusesDeniedTcpWithAResetAndUdpWithAPortUnreachableAtOnce() {
    rejectionMaps(true).apply();
    EbpfMaps.Counters before = ebpf.maps.counters();

    Map<Refusals.Probe, Refusals.Result> results = probeRejections();

    double slowest = assertRefusedAtOnce("checksum offload on", results);
    System.out.printf("REJECT: %d denied probes refused, the slowest after %.1f ms (timeout "
        + "%.0f s): %s%n", DENIED_AT_INGRESS.size() + DENIED_AT_EGRESS.size(), slowest,
        Refusals.TIMEOUT_SECONDS, results);
    EbpfMaps.Counters after = ebpf.maps.counters();
    // one SYN or datagram per denied probe, counted as denied where it was rejected
    assertThat(after.ingressDenied() - before.ingressDenied())
        .isGreaterThanOrEqualTo(DENIED_AT_INGRESS.size());
    assertThat(after.egressDenied() - before.egressDenied())
        .isGreaterThanOrEqualTo(DENIED_AT_EGRESS.size());
  }

  @Test
  void withDropTheSameProbesTimeOut() {
    rejectionMaps(false).apply();

    Map<Refusals.Probe, Refusals.Result> results = probeRejections();

    List<String> wrong = new ArrayList<>();
    results.forEach((probe, result) -> {
      Refusals.Ending expected = ALLOWED.contains(probe) ? Refusals.Ending.ANSWERED
          : Refusals.Ending.TIMEOUT;
      if (result.ending() != expected) {
        wrong.add(probe + ": expected " + expected + ", but " + result);
      }
    });
    assertThat(wrong).as("probes").isEmpty();
  }

  /**
   * The answers' checksums, where a kernel verifies them. By default the pods' packets carry a
   * pending checksum offload, their answers too, and the receiving pod trusts them; here the
   * pods send complete checksums (offload off on their eth0), so the answers need complete ones;
   * then the node's veths complete the answers' pending checksums in software before the pod
   * verifies them (offload off on the node's side), which for an ICMP error quoting UDP holds
   * only with the quoted checksum that completing leaves unchanged.
   */
  @Test
  void theAnswersChecksumsHoldWhereverTheyAreVerified() {
    rejectionMaps(true).apply();
    try {
      for (LabPod pod : lab.pods()) {
        Refusals.txChecksumming(pod.namespace(), "eth0", false);
      }
      assertRefusedAtOnce("the pods' checksums complete", probeRejections());
      for (LabPod pod : lab.pods()) {
        Refusals.txChecksumming(pod.namespace(), "eth0", true);
        Refusals.txChecksumming(lab.node(), pod.nodeInterface(), false);
      }
      assertRefusedAtOnce("the answers' checksums completed by the node", probeRejections());
    } finally {
      for (LabPod pod : lab.pods()) {
        Refusals.txChecksumming(pod.namespace(), "eth0", true);
        Refusals.txChecksumming(lab.node(), pod.nodeInterface(), true);
      }
    }
  }

  @Test
  void aRestartedAgentAdoptsProgramsLinksAndMaps() throws Exception {
    EbpfLab.Desired desired = ebpf.desired()
        .isolate(p2, true, false)
        .allow(p2, INGRESS, ebpf.identity(p1), Traffic.port(TCP, 80));
    desired.apply();
    List<Integer> linkIds = linkIds();

    // what a new agent process does: load (finds the pins), attach (finds the links), read
    assertThat(new ProgramLoader(new Shell().runner()).ensureLoaded(ebpf.pins)).isFalse();
    for (LabPod pod : lab.pods()) {
      ebpf.links.attach(pod.nodeInterface());
    }
    assertThat(linkIds()).as("the same links, not new ones").isEqualTo(linkIds);
    try (EbpfMaps maps = EbpfMaps.open(ebpf.bpf, ebpf.pins.maps())) {
      MapWriter adopted = new MapWriter(maps);
      assertThat(adopted.read()).isEqualTo(desired.build());
      assertThat(adopted.apply(desired.build(), MapWriter.View.READ).changes()).isZero();
    }
    Connectivity.over(IpFamily.V4).allowed(p1, p2, TCP, 80).denied(p3, p2, TCP, 80).verify();
  }

  private static List<Integer> linkIds() {
    return lab.pods().stream().flatMap(pod -> List.of(true, false).stream().map(fromPod -> {
      int fd = ebpf.bpf.objGet(ebpf.pins.link(pod.nodeInterface(), fromPod).toString());
      try {
        return ByteBuffer.wrap(ebpf.bpf.objInfo(fd, 64))
            .order(ByteOrder.nativeOrder()).getInt(4);
      } finally {
        ebpf.bpf.close(fd);
      }
    })).toList();
  }

  @Test
  void aLinkWhoseInterfaceWentAwayIsReplacedOnTheNextAttach() {
    // an interface of the test's own in the node namespace (a pod's veth being deleted and
    // created again under the same name), with a dot in its name, which the bpffs refuses
    lab.inNode("ip", "link", "add", "pv.1", "type", "veth", "peer", "name", "pv1peer");
    try {
      int first = ebpf.links.attach("pv.1");
      Path pin = ebpf.pins.link("pv.1", true);
      assertThat(ebpf.links.attachedIfindex(pin)).isEqualTo(first);
      assertThat(ebpf.links.attachedInterfaces()).contains("pv.1");

      lab.inNode("ip", "link", "del", "pv.1");
      assertThat(ebpf.links.attachedIfindex(pin)).as("a defunct link").isZero();
      lab.inNode("ip", "link", "add", "pv.1", "type", "veth", "peer", "name", "pv1peer");
      int second = ebpf.links.attach("pv.1");

      assertThat(second).isNotEqualTo(first);
      assertThat(ebpf.links.attachedIfindex(pin)).isEqualTo(second);
      ebpf.links.detach("pv.1");
      assertThat(pin).doesNotExist();
    } finally {
      new Shell().tryRun("ip", "-n", lab.node(), "link", "del", "pv.1");
    }
  }

  @Test
  void theRefusalNamesAMissingBpffs() {
    Path notBpffs = Path.of("/tmp/palisade-not-a-bpffs");

    assertThatThrownBy(() -> EbpfRequirements.check(notBpffs))
        .hasMessageContaining("a bpffs mounted at or above " + notBpffs)
        .hasMessageNotContaining("BTF").hasMessageNotContaining("kfunc");
  }

  @Test
  void cleanupRemovesOneInstallationAndNothingElse() throws Exception {
    // this test's installation isolates p2; a second one, "other", isolates p3
    ebpf.desired().isolate(p2, true, false).apply();
    PinLayout other = PinLayout.forInstance(ebpf.bpffs.path(), "other");
    new ProgramLoader(new Shell().runner()).ensureLoaded(other);
    TcxLinks otherLinks = new TcxLinks(ebpf.bpf, other, ebpf.node);
    int p3Index = otherLinks.attach(p3.nodeInterface());
    try (EbpfMaps maps = EbpfMaps.open(ebpf.bpf, other.maps())) {
      new MapWriter(maps).apply(MapContents.of(Map.of(p3Index, new EbpfEndpoint(1, true, false)),
          Map.of(), Map.of()), MapWriter.View.READ);
    }
    Files.createDirectories(ebpf.bpffs.path().resolve("foreign"));
    Connectivity.over(IpFamily.V4).denied(p1, p2, TCP, 80).denied(p1, p3, TCP, 80).verify();

    List<Path> removed = EbpfCleanup.remove(ebpf.bpf, other);

    assertThat(removed).isNotEmpty().allMatch(path -> path.startsWith(other.root()));
    assertThat(other.root()).doesNotExist();
    assertThat(ebpf.pins.root()).exists();
    assertThat(ebpf.bpffs.path().resolve("foreign")).exists();
    Connectivity.over(IpFamily.V4)
        .allowed(p1, p3, TCP, 80) // detached
        .denied(p1, p2, TCP, 80) // the other installation still enforces
        .verify();
  }
}
