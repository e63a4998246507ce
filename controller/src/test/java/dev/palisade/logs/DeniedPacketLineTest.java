package dev.palisade.logs;

import static dev.palisade.model.testing.Builders.pod;
import static dev.palisade.model.testing.Builders.policy;
import static dev.palisade.model.testing.Builders.rule;
import static dev.palisade.model.testing.Builders.selector;
import static dev.palisade.model.testing.Builders.tcp;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.io.BaseEncoding;
import dev.palisade.model.Direction;
import dev.palisade.model.Pod;
import dev.palisade.model.Policy;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DeniedPacketLineTest {
  private static final Instant TIME = Instant.parse("2026-12-01T18:30:00.123Z");
  /** A TCP SYN 10.0.1.12:40000 -> 10.0.2.11:80 (IPv4 header and the ports of a TCP header). */
  private static final byte[] C_TO_B_80 = BaseEncoding.base16().lowerCase().decode(
      "450000280000400040060000" + "0a00010c" + "0a00020b" + "9c400050");
  private static final Pod XB = pod("b").in("x").labels("pod", "b").ip("10.0.2.11")
      .node("node-2").build();
  private static final Pod XC = pod("c").in("x").labels("pod", "c").ip("10.0.1.12")
      .node("node-1").build();

  /** x/b is selected by two ingress policies and an egress-only one; another pod by a fourth. */
  private final ClusterDirectory cluster = new ClusterDirectory() {
    @Override
    public Optional<Pod> podAt(InetAddress address) {
      return List.of(XB, XC).stream().filter(pod -> pod.ips().contains(address)).findFirst();
    }

    @Override
    public List<Policy> policiesIn(String namespace) {
      return List.of(
          policy("web").in("x").select(selector("pod", "b")).ingress(rule().ports(tcp(80)))
              .build(),
          policy("all").in("x").ingress().build(),
          policy("out").in("x").select(selector("pod", "b")).types(Direction.EGRESS).build(),
          policy("other").in("x").select(selector("pod", "a")).ingress().build());
    }
  };

  @Test
  void anIngressDenialNamesBothPodsAndThePoliciesIsolatingTheDestination() {
    assertThat(DeniedPacketLine.describe(record("palisade deny ingress x/b"), cluster)).contains(
        "2026-12-01T18:30:00.123Z x/c (10.0.1.12) -> x/b (10.0.2.11) TCP/80 ingress denied for "
            + "x/b, isolated by x/all, x/web");
  }

  @Test
  void anEgressDenialNamesThePoliciesIsolatingTheSource() {
    assertThat(DeniedPacketLine.describe(record("palisade deny egress x/c"), cluster)).contains(
        "2026-12-01T18:30:00.123Z x/c (10.0.1.12) -> x/b (10.0.2.11) TCP/80 egress denied for "
            + "x/c, which no policy isolates any more");
  }

  @Test
  void failClosedAndGonePodsAreSaidSo() {
    ClusterDirectory empty = new ClusterDirectory() {
      @Override
      public Optional<Pod> podAt(InetAddress address) {
        return Optional.empty();
      }

      @Override
      public List<Policy> policiesIn(String namespace) {
        return List.of();
      }
    };

    assertThat(DeniedPacketLine.describe(record("palisade deny unknown pod"), empty)).contains(
        "2026-12-01T18:30:00.123Z 10.0.1.12 -> 10.0.2.11 TCP/80 denied: an address of the "
            + "node's pod CIDRs that no known pod holds (fail-closed)");
    assertThat(DeniedPacketLine.describe(record("palisade deny ingress x/b"), empty)).contains(
        "2026-12-01T18:30:00.123Z 10.0.1.12 -> 10.0.2.11 TCP/80 ingress denied (palisade deny "
            + "ingress x/b; the pod is gone)");
  }

  @Test
  void packetsOthersLoggedToTheGroupAreNotShown() {
    assertThat(DeniedPacketLine.describe(record("ulogd: dropped"), cluster)).isEmpty();
  }

  private static NflogRecord record(String prefix) {
    return new NflogRecord(TIME, 100, prefix, C_TO_B_80);
  }
}
