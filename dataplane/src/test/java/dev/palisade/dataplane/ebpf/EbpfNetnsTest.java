package dev.palisade.dataplane.ebpf;

import static dev.palisade.model.Direction.EGRESS;
import static dev.palisade.model.Direction.INGRESS;
import static dev.palisade.model.Protocol.ICMP;
import static dev.palisade.model.Protocol.SCTP;
import static dev.palisade.model.Protocol.TCP;
import static dev.palisade.model.Protocol.UDP;
import static dev.palisade.model.testing.Builders.namespace;
import static dev.palisade.model.testing.Builders.pod;
import static dev.palisade.model.testing.Builders.podPeer;
import static dev.palisade.model.testing.Builders.policy;
import static dev.palisade.model.testing.Builders.rule;
import static dev.palisade.model.testing.Builders.selector;
import static dev.palisade.model.testing.Builders.tcp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.net.InetAddresses;
import com.google.common.primitives.Bytes;
import dev.palisade.dataplane.kernel.PacketCounts;
import dev.palisade.dataplane.kernel.PacketCounts.PodDirection;
import dev.palisade.dataplane.lab.EchoServers;
import dev.palisade.dataplane.lab.LabPod;
import dev.palisade.dataplane.lab.NetnsLab;
import dev.palisade.dataplane.lab.Shell;
import dev.palisade.dataplane.plan.NodePlanner;
import dev.palisade.model.Cidr;
import dev.palisade.model.IpBlock;
import dev.palisade.model.IpFamily;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.RuleGraph;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The tc program in a real kernel: one node namespace with three pods (NetnsLab), the program
 * attached as tcx links to the pods' host-side veths, maps filled with hand-built contents (no
 * compiler yet), real TCP, UDP and ICMP probes, SCTP played by hand over raw sockets. Fails,
 * never skips, without root, clang's object, bpffs, BTF, the conntrack kfunc or raw sockets.
 * Everything lives in namespaces and a bpffs the test made.
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

  /**
   * p2 admits p1 on 80 and the world (the node's addresses have no identity) on 81. The node's
   * own connections pass with the flag, its pings too (the pod's answers go back to the node),
   * and meet p2's ingress rules without it; p3's, forwarded by the node, never pass: not even
   * one way (a connection's reply alone would be dropped, so a datagram must be seen arrive).
   */
  @Test
  void theNodesOwnTrafficPassesWithTheFlagAndMeetsIngressRulesWithout() {
    for (boolean allowed : List.of(true, false)) {
      ebpf.desired()
          .nodeTrafficAllowed(allowed)
          .isolate(p2, true, false)
          .allow(p2, INGRESS, ebpf.identity(p1), Traffic.port(TCP, 80))
          .allow(p2, INGRESS, IdentityTable.WORLD, Traffic.port(TCP, 81))
          .apply();

      Connectivity.over(IpFamily.values())
          .expect(theNode(), p2, TCP, 80, allowed)
          .allowed(theNode(), p2, TCP, 81)
          .expect(theNode(), p2, UDP, 82, allowed)
          .expect(theNode(), p2, ICMP, 0, allowed)
          .allowed(p1, p2, TCP, 80)
          .denied(p3, p2, TCP, 80) // forwarded by the node, not sent by it
          .denied(p3, p2, ICMP, 0)
          .verify();
      for (IpFamily family : IpFamily.values()) {
        assertThat(arrives(theNode(), p2, family)).as("from the node, " + family)
            .isEqualTo(allowed);
        assertThat(arrives(p3, p2, family)).as("from p3, " + family).isFalse();
      }
    }
  }

  /**
   * How long a raw socket waits for a packet, which only a packet that does not arrive costs in
   * full: one that passes is in the socket before the sender's system call returns, or soon after
   * when the kernel defers the veths' receive work to ksoftirqd.
   */
  private static final Duration ARRIVAL = Duration.ofSeconds(1);

  /**
   * Whether a UDP datagram from one namespace reaches the pod (port 83: no server, no verdict),
   * as the pod's raw socket sees it.
   */
  private static boolean arrives(LabPod from, LabPod to, IpFamily family) {
    byte[] marker = ("palisade-" + UUID.randomUUID()).getBytes(StandardCharsets.US_ASCII);
    try (RawSocket pod = RawSocket.open(ebpf.bpf, to.namespace(), family, 17)) {
      String target = family == IpFamily.V4
          ? "UDP4-SENDTO:" + InetAddresses.toAddrString(to.v4()) + ":83"
          : "UDP6-SENDTO:[" + InetAddresses.toAddrString(to.v6()) + "]:83";
      new Shell().runner().run(List.of("ip", "netns", "exec", from.namespace(), "socat", "-u",
          "-", target), new String(marker, StandardCharsets.US_ASCII));
      return pod.receives(packet -> Bytes.indexOf(packet, marker) >= 0, ARRIVAL);
    }
  }

  /**
   * p2 may open connections to the node on 9100 only and admits nobody: the node's answers
   * (to_pod: sent by the node, and conntrack replies) reach it, with the flag or without.
   */
  @Test
  void repliesOfAPodsConnectionsToTheNodePass() {
    EchoServers servers = new EchoServers();
    try {
      for (int port : new int[] {9100, 9101}) {
        servers.start(lab.node(), TCP, port);
        servers.start(lab.node(), UDP, port);
      }
      for (boolean allowed : List.of(true, false)) {
        ebpf.desired()
            .nodeTrafficAllowed(allowed)
            .isolate(p2, true, true)
            .allow(p2, EGRESS, IdentityTable.WORLD, Traffic.port(TCP, 9100))
            .allow(p2, EGRESS, IdentityTable.WORLD, Traffic.port(UDP, 9100))
            .apply();

        Connectivity.over(IpFamily.values())
            .allowed(p2, theNode(), TCP, 9100)
            .allowed(p2, theNode(), UDP, 9100)
            .denied(p2, theNode(), TCP, 9101)
            .expect(theNode(), p2, TCP, 80, allowed)
            .verify();
      }
    } finally {
      servers.stopAll();
    }
  }

  /** The node namespace as a prober and as a server, at its own (underlay) addresses. */
  private static LabPod theNode() {
    return new LabPod("node", lab.node(), lab.nodeAddress(IpFamily.V4),
        lab.nodeAddress(IpFamily.V6), null);
  }

  private static final int SCTP_SERVER = 9000;
  private static final int SCTP_CLIENT = 40000;

  /**
   * p1 may open SCTP associations to p2:9000 and p2 may accept them; both are isolated both ways
   * and nothing allows the opposite directions, where the association's answers go.
   */
  private static EbpfLab.Desired sctpOpeningOnly() {
    return ebpf.desired()
        .isolate(p1, true, true)
        .isolate(p2, true, true)
        .allow(p1, EGRESS, ebpf.identity(p2), Traffic.port(SCTP, SCTP_SERVER))
        .allow(p2, INGRESS, ebpf.identity(p1), Traffic.port(SCTP, SCTP_SERVER));
  }

  /** The life of an association, played by hand with raw sockets: every packet arrives. */
  @Test
  void anSctpAssociationWorksWhenOnlyItsOpeningIsAllowed() {
    sctpOpeningOnly().apply();
    byte[] cookie = "state cookie".getBytes(StandardCharsets.US_ASCII);
    int client = 0x0c11e47;
    int server = 0x05e4e4;

    for (IpFamily family : IpFamily.values()) {
      try (SctpEnds ends = SctpEnds.open(p1, p2, family)) {
        assertThat(ends.toServer(Sctp.packet(SCTP_CLIENT, SCTP_SERVER, 0, Sctp.init(client))))
            .as("INIT, " + family).isTrue();
        assertThat(ends.toClient(Sctp.packet(SCTP_SERVER, SCTP_CLIENT, client,
            Sctp.initAck(server, cookie)))).as("INIT ACK, " + family).isTrue();
        assertThat(ends.toServer(Sctp.packet(SCTP_CLIENT, SCTP_SERVER, server,
            Sctp.cookieEcho(cookie)))).as("COOKIE ECHO, " + family).isTrue();
        assertThat(ends.toClient(Sctp.packet(SCTP_SERVER, SCTP_CLIENT, client,
            Sctp.cookieAck()))).as("COOKIE ACK, " + family).isTrue();
        assertThat(ends.toServer(Sctp.packet(SCTP_CLIENT, SCTP_SERVER, server,
            Sctp.data(client, "ping")))).as("DATA to the server, " + family).isTrue();
        assertThat(ends.toClient(Sctp.packet(SCTP_SERVER, SCTP_CLIENT, client,
            Sctp.sack(client), Sctp.data(server, "pong")))).as("SACK and DATA, " + family)
            .isTrue();
        assertThat(ends.toServer(Sctp.packet(SCTP_CLIENT, SCTP_SERVER, server,
            Sctp.sack(server)))).as("SACK, " + family).isTrue();
      }
    }
  }

  /**
   * An INIT is judged as opening only: not to a port the client may not open, and not from the
   * server's allowed port toward the client (a "reply" that opens); other chunks pass as replies
   * only to the port the association was opened to.
   */
  @Test
  void onlyAnInitOpensAnSctpAssociation() {
    sctpOpeningOnly().apply();
    int tag = 0x7a9;

    for (IpFamily family : IpFamily.values()) {
      try (SctpEnds ends = SctpEnds.open(p1, p2, family)) {
        assertThat(ends.toServer(Sctp.packet(SCTP_CLIENT, SCTP_SERVER + 1, 0, Sctp.init(tag))))
            .as("INIT to a port p1 may not open, " + family).isFalse();
        assertThat(ends.toServer(Sctp.packet(SCTP_CLIENT, SCTP_SERVER + 1, tag,
            Sctp.data(tag, "x")))).as("DATA to that port, " + family).isFalse();
        assertThat(ends.toClient(Sctp.packet(SCTP_SERVER, SCTP_CLIENT, 0, Sctp.init(tag))))
            .as("INIT from p2's allowed port to p1, which p2 may not open, " + family)
            .isFalse();
        assertThat(ends.toClient(Sctp.packet(SCTP_SERVER, SCTP_CLIENT, tag, Sctp.cookieAck())))
            .as("the same ports without INIT: an answer, " + family).isTrue();
      }
    }
  }

  /** Raw SCTP sockets in a client and a server pod: what one sends, whether the other sees it. */
  private record SctpEnds(LabPod client, RawSocket atClient, LabPod server, RawSocket atServer,
      IpFamily family) implements AutoCloseable {
    static SctpEnds open(LabPod client, LabPod server, IpFamily family) {
      int sctp = Traffic.number(SCTP);
      RawSocket atClient = RawSocket.open(ebpf.bpf, client.namespace(), family, sctp);
      try {
        return new SctpEnds(client, atClient, server,
            RawSocket.open(ebpf.bpf, server.namespace(), family, sctp), family);
      } catch (RuntimeException e) {
        atClient.close();
        throw e;
      }
    }

    boolean toServer(byte[] packet) {
      atClient.send(server.address(family), packet);
      return atServer.receives(received -> Arrays.equals(received, packet),
          ARRIVAL);
    }

    boolean toClient(byte[] packet) {
      atServer.send(client.address(family), packet);
      return atClient.receives(received -> Arrays.equals(received, packet),
          ARRIVAL);
    }

    @Override
    public void close() {
      try {
        atClient.close();
      } finally {
        atServer.close();
      }
    }
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

  private static final ObjectRef XA = ObjectRef.of("x", "a");
  private static final ObjectRef XB = ObjectRef.of("x", "b");
  private static final ObjectRef YC = ObjectRef.of("y", "c");
  private static final ObjectRef A_ANYTHING = ObjectRef.of("x", "a-anything");
  private static final ObjectRef ALLOW_A_80 = ObjectRef.of("x", "allow-a-80");
  private static final ObjectRef ALLOW_ALL_81 = ObjectRef.of("x", "allow-all-81");
  private static final ObjectRef C_OUT = ObjectRef.of("y", "c-out");

  /**
   * The rendered maps count as PacketCounts says: x/b (p2) admits x/a (p1) on everything
   * (a-anything) and on TCP 80 (allow-a-80, whose packets count for a-anything, first by name,
   * although its verdict is the longer match), everybody on TCP 81 (allow-all-81); y/c (p3) may
   * send to TCP 80 and 81 only (c-out, egress only).
   */
  @Test
  void theRenderedMapsCountDeniedPacketsPerPodAndDirectionAndAllowedPerPolicy() {
    EbpfPlan plan = new EbpfRenderer(new IdentityTable.Interner())
        .render(NodePlanner.plan(countedGraph(), "node-1"));
    ebpf.writer.apply(plan.contents(Map.of(XA, ebpf.ifindex.get(p1.name()),
        XB, ebpf.ifindex.get(p2.name()), YC, ebpf.ifindex.get(p3.name()))),
        MapWriter.View.REMEMBERED);
    PacketCounts before = EbpfCounters.read(ebpf.maps, plan);

    Connectivity.over(IpFamily.V4)
        .allowed(p1, p2, TCP, 80) // a-anything
        .allowed(p3, p2, TCP, 81) // c-out, then allow-all-81
        .denied(p3, p2, TCP, 80) // c-out, then x/b's ingress drops it
        .denied(p3, p2, TCP, 82) // y/c's egress drops it
        .verify();
    PacketCounts after = EbpfCounters.read(ebpf.maps, plan);

    PodDirection bIn = new PodDirection(XB, INGRESS);
    PodDirection cOut = new PodDirection(YC, EGRESS);
    assertThat(after.denied()).containsOnlyKeys(bIn, cOut);
    assertThat(after.denied().get(bIn)).isGreaterThan(before.denied().get(bIn));
    assertThat(after.denied().get(cOut)).isGreaterThan(before.denied().get(cOut));
    assertThat(after.allowed()).containsOnlyKeys(A_ANYTHING, ALLOW_A_80, ALLOW_ALL_81, C_OUT);
    for (ObjectRef policy : List.of(A_ANYTHING, ALLOW_ALL_81, C_OUT)) {
      assertThat(after.allowed().get(policy)).as(policy.toString())
          .isGreaterThan(before.allowed().get(policy));
    }
    assertThat(after.allowed().get(ALLOW_A_80)).as("shadowed by a-anything, first by name")
        .isEqualTo(before.allowed().get(ALLOW_A_80));
  }

  private static RuleGraph countedGraph() {
    RuleGraph graph = new RuleGraph();
    graph.upsertNamespace(namespace("x", "ns", "x"));
    graph.upsertNamespace(namespace("y", "ns", "y"));
    graph.upsertPod(pod("a").in("x").labels("pod", "a").node("node-1")
        .ip(p1.v4().getHostAddress()).build());
    graph.upsertPod(pod("b").in("x").labels("pod", "b").node("node-1")
        .ip(p2.v4().getHostAddress()).build());
    graph.upsertPod(pod("c").in("y").labels("pod", "c").node("node-1")
        .ip(p3.v4().getHostAddress()).build());
    graph.upsertPolicy(policy("a-anything").in("x").select(selector("pod", "b"))
        .ingress(rule().peers(podPeer("x", selector("pod", "a")))).build());
    graph.upsertPolicy(policy("allow-a-80").in("x").select(selector("pod", "b"))
        .ingress(rule().peers(podPeer("x", selector("pod", "a"))).ports(tcp(80))).build());
    graph.upsertPolicy(policy("allow-all-81").in("x").select(selector("pod", "b"))
        .ingress(rule().ports(tcp(81))).build());
    graph.upsertPolicy(policy("c-out").in("y").select(selector("pod", "c"))
        .types(EGRESS).egress(rule().ports(tcp(80), tcp(81))).build());
    return graph;
  }

  /**
   * A slot keeps its count while its owner stays, and starts from zero when the writer gives it
   * to another owner; a restarted agent's writer keeps the counts of the slots it finds used as
   * it uses them, and zeroes the others.
   */
  @Test
  void aCounterSlotGivenToAnotherOwnerStartsFromZero() {
    CounterOwner first = new CounterOwner.Allowed(ObjectRef.of("x", "first"));
    CounterOwner second = new CounterOwner.Allowed(ObjectRef.of("x", "second"));
    int slot = 7;
    counting(slot, first).apply();
    Connectivity.over(IpFamily.V4).allowed(p1, p2, TCP, 80).verify();
    long counted = ebpf.maps.counter(slot);
    assertThat(counted).isPositive();

    assertThat(counting(slot, first).apply().counterResets()).as("the same owner").isZero();
    assertThat(ebpf.maps.counter(slot)).isEqualTo(counted);

    assertThat(counting(slot, second).apply().counterResets()).isEqualTo(1);
    assertThat(ebpf.maps.counter(slot)).as("given to another owner").isZero();

    Connectivity.over(IpFamily.V4).allowed(p1, p2, TCP, 80).verify();
    long countedBeforeRestart = ebpf.maps.counter(slot);
    assertThat(countedBeforeRestart).isPositive();
    try (EbpfMaps maps = EbpfMaps.open(ebpf.bpf, ebpf.pins.maps())) {
      MapWriter.Report restarted = new MapWriter(maps)
          .apply(counting(slot, second).build(), MapWriter.View.READ);
      assertThat(restarted.changes()).as("a restarted agent's writer that finds the slot used "
          + "as it would use it keeps the count").isZero();
    }
    assertThat(ebpf.maps.counter(slot)).isEqualTo(countedBeforeRestart);
    try (EbpfMaps maps = EbpfMaps.open(ebpf.bpf, ebpf.pins.maps())) {
      MapWriter.Report restarted = new MapWriter(maps).apply(ebpf.desired()
          .isolate(p2, true, false)
          .counted(p2, INGRESS, ebpf.identity(p1), Traffic.port(TCP, 81), slot, second)
          .build(), MapWriter.View.READ);
      assertThat(restarted.counterResets()).as("the slot found on another verdict").isEqualTo(1);
    }
    assertThat(ebpf.maps.counter(slot)).as("unknown to a restarted agent's writer").isZero();
    // the lab's writer did not write what the other writers did: its next apply reads the maps
    ebpf.writer.forget();
  }

  /** p2 admits p1 on TCP 80, counted in {@code slot} for {@code owner}. */
  private static EbpfLab.Desired counting(int slot, CounterOwner owner) {
    return ebpf.desired()
        .isolate(p2, true, false)
        .counted(p2, INGRESS, ebpf.identity(p1), Traffic.port(TCP, 80), slot, owner);
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

  /**
   * An allowed probe's result, tried up to twice more while it times out: as {@link
   * dev.palisade.dataplane.lab.Probes} does, a slow echo server on a loaded machine (a UDP
   * server forking for the previous peer) gets two more chances. A denied probe is never retried.
   */
  private static Refusals.Result retriedIfUnanswered(Refusals.Probe probe,
      Refusals.Result first) {
    Refusals.Result result = first;
    for (int retry = 0; retry < 2 && result.ending() == Refusals.Ending.TIMEOUT; retry++) {
      result = Refusals.run(probe);
    }
    return result;
  }

  /** Every denied probe refused within a second, every allowed one answered; the slowest. */
  private static double assertRefusedAtOnce(String what,
      Map<Refusals.Probe, Refusals.Result> results) {
    List<String> wrong = new ArrayList<>();
    double slowest = 0;
    for (Map.Entry<Refusals.Probe, Refusals.Result> entry : results.entrySet()) {
      Refusals.Result result = entry.getValue();
      if (ALLOWED.contains(entry.getKey())) {
        result = retriedIfUnanswered(entry.getKey(), result);
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
    EbpfLab.Desired maps = rejectionMaps(true).countingDenied();
    maps.apply();
    long ingressBefore = maps.denied(INGRESS);
    long egressBefore = maps.denied(EGRESS);

    Map<Refusals.Probe, Refusals.Result> results = probeRejections();

    double slowest = assertRefusedAtOnce("checksum offload on", results);
    System.out.printf("REJECT: %d denied probes refused, the slowest after %.1f ms (timeout "
        + "%.0f s): %s%n", DENIED_AT_INGRESS.size() + DENIED_AT_EGRESS.size(), slowest,
        Refusals.TIMEOUT_SECONDS, results);
    // one SYN or datagram per denied probe, counted as denied where it was rejected
    assertThat(maps.denied(INGRESS) - ingressBefore)
        .isGreaterThanOrEqualTo(DENIED_AT_INGRESS.size());
    assertThat(maps.denied(EGRESS) - egressBefore)
        .isGreaterThanOrEqualTo(DENIED_AT_EGRESS.size());
  }

  @Test
  void withDropTheSameProbesTimeOut() {
    rejectionMaps(false).apply();

    Map<Refusals.Probe, Refusals.Result> results = probeRejections();

    List<String> wrong = new ArrayList<>();
    results.forEach((probe, first) -> {
      boolean allowed = ALLOWED.contains(probe);
      Refusals.Result result = allowed ? retriedIfUnanswered(probe, first) : first;
      Refusals.Ending expected = allowed ? Refusals.Ending.ANSWERED : Refusals.Ending.TIMEOUT;
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
    assertThat(new ProgramLoader(new Shell().runner()).ensureLoaded(ebpf.pins))
        .isEqualTo(ProgramLoader.Load.ADOPTED);
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

  @Test
  void aNewReleasesProgramTakesOverTheLinksAndKeepsTheMaps() throws Exception {
    EbpfLab.Desired desired = ebpf.desired()
        .isolate(p2, true, false)
        .allow(p2, INGRESS, ebpf.identity(p1), Traffic.port(TCP, 80));
    desired.apply();
    List<Integer> links = linkIds();
    List<Integer> oldPrograms = linkPrograms();
    // an older release's programs: this build's, pinned where another digest puts them
    Path current = ebpf.pins.program(true).getParent();
    Path older = current.resolveSibling("0123456789abcdef");
    Files.createDirectories(older);
    for (boolean fromPod : new boolean[] {true, false}) {
      Path program = ebpf.pins.program(fromPod);
      int fd = ebpf.bpf.objGet(program.toString());
      try {
        ebpf.bpf.objPin(fd, older.resolve(program.getFileName()).toString());
      } finally {
        ebpf.bpf.close(fd);
      }
      Files.delete(program);
    }
    Files.delete(current);

    assertThat(new ProgramLoader(new Shell().runner()).ensureLoaded(ebpf.pins))
        .isEqualTo(ProgramLoader.Load.UPGRADED);

    assertThat(linkIds()).as("the same links, switched in place").isEqualTo(links);
    assertThat(linkPrograms()).as("every link runs a newly loaded program")
        .doesNotContainAnyElementsOf(oldPrograms);
    try (Stream<Path> programs = Files.list(ebpf.pins.progs())) {
      assertThat(programs.toList()).as("the older programs are unpinned")
          .containsExactly(current);
    }
    assertThat(ebpf.writer.read()).as("the maps kept their contents").isEqualTo(desired.build());
    Connectivity.over(IpFamily.V4).allowed(p1, p2, TCP, 80).denied(p3, p2, TCP, 80).verify();
  }

  /** Of every pod's two links: its id. */
  private static List<Integer> linkIds() {
    return linkInfo(4);
  }

  /** Of every pod's two links: the id of the program it runs. */
  private static List<Integer> linkPrograms() {
    return linkInfo(8);
  }

  /** A u32 of {@code struct bpf_link_info} ({type, id, prog_id, ...}) of every link. */
  private static List<Integer> linkInfo(int offset) {
    return lab.pods().stream().flatMap(pod -> List.of(true, false).stream().map(fromPod -> {
      int fd = ebpf.bpf.objGet(ebpf.pins.link(pod.nodeInterface(), fromPod).toString());
      try {
        return ByteBuffer.wrap(ebpf.bpf.objInfo(fd, 64))
            .order(ByteOrder.nativeOrder()).getInt(offset);
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
      new MapWriter(maps).apply(MapContents.of(Map.of(p3Index,
          new EbpfEndpoint(1, true, false, false, false, 0, 0)), Map.of(), Map.of(), Map.of()),
          MapWriter.View.READ);
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
