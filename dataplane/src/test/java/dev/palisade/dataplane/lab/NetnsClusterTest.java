package dev.palisade.dataplane.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.net.InetAddresses;
import dev.palisade.model.Protocol;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The lab itself: pods on different nodes reach each other, and everything goes away. */
@Tag("kernel")
class NetnsClusterTest {
  private static final InetAddress A4 = InetAddresses.forString("10.98.1.10");
  private static final InetAddress A6 = InetAddresses.forString("fd00:98:1::10");
  private static final InetAddress B4 = InetAddresses.forString("10.98.2.10");
  private static final InetAddress B6 = InetAddresses.forString("fd00:98:2::10");

  @Test
  void podsOnTwoNodesReachEachOtherOverTcpUdpAndIcmpInBothFamilies() {
    String nodeNamespace;
    try (NetnsCluster cluster = NetnsCluster.start("paltest-lab", 2)) {
      nodeNamespace = cluster.nodeNamespace(1);
      cluster.addPod("a", 1, List.of(A4, A6));
      cluster.addPod("b", 2, List.of(B4, B6));
      cluster.serve("b", Protocol.TCP, 80);
      cluster.serve("b", Protocol.UDP, 81);
      for (InetAddress target : List.of(B4, B6)) {
        assertThat(cluster.reaches("a", target, Protocol.TCP, 80)).as("TCP to %s", target)
            .isTrue();
        assertThat(cluster.reaches("a", target, Protocol.UDP, 81)).as("UDP to %s", target)
            .isTrue();
        assertThat(cluster.reaches("a", target, Protocol.ICMP, 0)).as("ping %s", target)
            .isTrue();
        assertThat(cluster.reaches("a", target, Protocol.TCP, 81)).as("nothing serves TCP 81")
            .isFalse();
      }
      cluster.removePod("b");
      cluster.addPod("c", 1, List.of(B4));
      cluster.serve("c", Protocol.TCP, 80);
      assertThat(cluster.reaches("a", B4, Protocol.TCP, 80)).as("the reused address, now "
          + "on node 1").isTrue();
    }
    assertThat(new Shell().run("ip", "netns", "list")).doesNotContain(nodeNamespace);
  }
}
