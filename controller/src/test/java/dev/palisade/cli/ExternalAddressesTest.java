package dev.palisade.cli;

import static dev.palisade.cli.CliRun.resource;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * explain and matrix with an address outside the cluster as one end: ipBlock semantics (cidr
 * minus every except) through the reference evaluator, and such an end is never isolated itself.
 * {@code cli/live/cluster.yaml}: x/a may send 53/UDP to 0.0.0.0/0 except 10.0.0.0/8; y/c takes
 * 80 from 203.0.113.0/24 except 203.0.113.128/25.
 */
class ExternalAddressesTest {
  private static final String CLUSTER = resource("live/cluster.yaml");

  @ParameterizedTest(name = "{0} -> {1} {2}: {3}")
  @CsvSource({
      "x/a, 8.8.8.8, 53/UDP, ALLOWED",
      "x/a, 10.1.2.3, 53/UDP, DENIED",
      "x/a, 8.8.8.8, 53/TCP, DENIED",
      "x/a, 8.8.8.8, ICMP, DENIED",
      "203.0.113.7, y/c, 80/TCP, ALLOWED",
      "203.0.113.127, y/c, 80/TCP, ALLOWED",
      "203.0.113.128, y/c, 80/TCP, DENIED",
      "203.0.113.7, x/b, 80/TCP, DENIED",
      "203.0.113.7, x/a, 80/TCP, ALLOWED",
      "x/b, 10.1.2.3, 53/UDP, ALLOWED"})
  void verdictFollowsIpBlockSemantics(String from, String to, String port, String verdict) {
    CliRun run = CliRun.of("explain", "-f", CLUSTER, "--from", from, "--to", to, "--port", port);
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out().lines().findFirst().orElseThrow()).endsWith(": " + verdict);
  }

  @Test
  void explainSaysWhichRuleMatchedTheAddressAndThatTheAddressIsNoPod() {
    CliRun allowed = CliRun.of("explain", "-f", CLUSTER, "--from", "x/a", "--to", "8.8.8.8",
        "--port", "53/UDP");
    assertThat(allowed.out()).isEqualTo("""
        x/a (10.244.1.10) -> 8.8.8.8 (outside the cluster) on 53/UDP: ALLOWED
          egress of x/a: allowed by x/a-egress egress[0]
          ingress: not a pod, no policy applies
        """);
    CliRun excepted = CliRun.of("explain", "-f", CLUSTER, "--from", "203.0.113.200", "--to",
        "y/c", "--port", "80");
    assertThat(excepted.out()).isEqualTo("""
        203.0.113.200 (outside the cluster) -> y/c (10.244.1.11) on 80/TCP: DENIED
          egress: not a pod, no policy applies
          ingress of y/c: isolated by y/c-ingress and no rule allowed it
        """);
  }

  @Test
  void anAddressThatAPodHoldsIsThatPod() {
    CliRun run = CliRun.of("explain", "-f", CLUSTER, "--from", "10.244.1.10", "--to", "y/c",
        "--port", "80");
    assertThat(run.out()).startsWith("x/a (10.244.1.10) -> y/c (10.244.1.11) on 80/TCP: ALLOWED"
        + "\n  egress of x/a: allowed by x/a-egress egress[1]\n");
  }

  @Test
  void matrixTakesAddressesAsRowsOrColumns() throws IOException {
    CliRun columns = CliRun.of("matrix", "-f", CLUSTER, "--to", "8.8.8.8", "10.1.2.3",
        "--port", "53/UDP");
    assertThat(columns.exitCode()).as(columns.toString()).isZero();
    assertThat(columns.out()).isEqualTo("""
        Matrix 53/UDP IPv4 (. allowed, X denied or not served; rows are sources)
                       8.8.8.8  10.1.2.3
              x/a      .        X
              x/b      .        .
              y/c      .        .
        """);
    CliRun rows = CliRun.of("matrix", "-f", CLUSTER, "--from", "203.0.113.7",
        "203.0.113.200", "--port", "80", "-o", "json");
    JsonNode observed = new ObjectMapper().readTree(rows.out()).at("/probes/0/observed");
    assertThat(observed.toString()).isEqualTo("{\"203.0.113.7\":{\"x/a\":\"allowed\","
        + "\"x/b\":\"denied\",\"y/c\":\"allowed\"},\"203.0.113.200\":{\"x/a\":\"allowed\","
        + "\"x/b\":\"denied\",\"y/c\":\"denied\"}}");
  }

  @Test
  void aTableOfWideNamesHasNoTrailingBlanks() {
    CliRun rows = CliRun.of("matrix", "-f", CLUSTER, "--from", "203.0.113.7", "203.0.113.200",
        "--port", "80");
    assertThat(rows.out()).isEqualTo("""
        Matrix 80/TCP IPv4 (. allowed, X denied or not served; rows are sources)
                            x/a           x/b           y/c
              203.0.113.7   .             X             .
              203.0.113.200 .             X             X
        """);
  }

  @Test
  void thePicturesDrawPodsSoAnAddressIsTextOnly() {
    CliRun matrix = CliRun.of("matrix", "-f", CLUSTER, "--to", "8.8.8.8", "--port", "53/UDP",
        "-o", "html");
    assertThat(matrix.exitCode()).as(matrix.toString()).isEqualTo(2);
    assertThat(matrix.err()).contains("the html picture shows pods");
    CliRun explain = CliRun.of("explain", "-f", CLUSTER, "--from", "x/a", "--to", "8.8.8.8",
        "--port", "53/UDP", "-o", "dot");
    assertThat(explain.exitCode()).as(explain.toString()).isEqualTo(2);
    assertThat(explain.err()).contains("the dot picture shows pods");
    CliRun podsOnly = CliRun.of("explain", "-f", CLUSTER, "--from", "x/a", "--to",
        "10.244.1.11", "--port", "80", "-o", "dot");
    assertThat(podsOnly.exitCode()).as("an address a pod holds is that pod").isZero();
  }

  @Test
  void anAddressFixesTheFamilyAndANamedPortNeedsAPod() {
    CliRun mixed = CliRun.of("explain", "-f", CLUSTER, "--from", "x/a", "--to", "2001:db8::1",
        "--port", "53/UDP", "--family", "4");
    assertThat(mixed.exitCode()).isEqualTo(2);
    assertThat(mixed.err()).contains("must name one address family");
    CliRun v6 = CliRun.of("explain", "-f", CLUSTER, "--from", "x/a", "--to", "2001:db8::1",
        "--port", "53/UDP");
    assertThat(v6.exitCode()).isEqualTo(2);
    assertThat(v6.err()).contains("pod x/a has no IPv6 address");
    CliRun named = CliRun.of("matrix", "-f", CLUSTER, "--to", "8.8.8.8", "--port", "dns/UDP");
    assertThat(named.exitCode()).isEqualTo(2);
    assertThat(named.err()).contains("a port name resolves against a destination pod's");
  }
}
