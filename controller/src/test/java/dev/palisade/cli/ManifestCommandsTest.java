package dev.palisade.cli;

import static dev.palisade.cli.CliRun.resource;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** {@code matrix -f} and {@code explain} over the manifests in {@code cli/manifests}. */
class ManifestCommandsTest {
  private static final String MANIFESTS = resource("manifests");

  @Test
  void matrixPrintsEveryDeclaredPort() {
    CliRun run = CliRun.of("matrix", "-f", MANIFESTS);
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out()).containsSubsequence(
        "Matrix 80/TCP IPv4", "Matrix 8080/TCP IPv4", "Matrix 53/UDP IPv4");
    assertThat(run.out()).contains("""
        Matrix 80/TCP IPv4 (. allowed, X denied or not served; rows are sources)
                  x/a x/b y/c
              x/a .   .   X
              x/b .   X   X
              y/c .   X   X
        """);
  }

  @Test
  void matrixOfOneChosenPortAsJson() throws IOException {
    CliRun run = CliRun.of("matrix", "-f", resource("manifests/pods.yaml"),
        resource("manifests/policies"), "--port", "http", "-o", "json");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    JsonNode root = new ObjectMapper().readTree(run.out());
    assertThat(root.get("probes")).hasSize(1);
    JsonNode probe = root.get("probes").get(0);
    assertThat(probe.get("port").asText()).isEqualTo("http");
    assertThat(probe.at("/observed/y~1c/x~1b").asText()).isEqualTo("denied");
    assertThat(probe.at("/observed/x~1b/y~1c").asText()).isEqualTo("allowed");
  }

  @Test
  void matrixNeedsAPortWhenThePodsDeclareNone() {
    CliRun run = CliRun.of("matrix", "-f", resource("manifests/namespace.yaml"));
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("the pods declare no container ports");
  }

  @Test
  void explainGivesBothHalvesOfTheVerdict() {
    CliRun allowed = CliRun.of("explain", "-f", MANIFESTS, "--from", "x/a", "--to", "x/b",
        "--port", "80/TCP");
    assertThat(allowed.exitCode()).as(allowed.toString()).isZero();
    assertThat(allowed.out()).isEqualTo("""
        x/a (10.244.1.10) -> x/b (10.244.2.10) on 80/TCP: ALLOWED
          egress of x/a: not isolated (no policy with Egress selects it)
          ingress of x/b: allowed by x/allow-from-a ingress[0]
        """);
    CliRun denied = CliRun.of("explain", "-f", MANIFESTS, "--from", "y/c", "--to", "x/b",
        "--port", "ICMP");
    assertThat(denied.out()).isEqualTo("""
        y/c (10.244.1.11) -> x/b (10.244.2.10) on ICMP: DENIED
          egress of y/c: not isolated (no policy with Egress selects it)
          ingress of x/b: isolated by x/allow-from-a and no rule allowed it
        """);
  }

  @Test
  void explainUsesTheChosenFamilysAddresses() {
    String file = resource("dual-stack.yaml");
    CliRun v4 = CliRun.of("explain", "-f", file, "--from", "x/a", "--to", "x/b", "--port",
        "ICMP");
    assertThat(v4.out()).startsWith("x/a (10.244.1.5) -> x/b (10.244.2.5) on ICMP: ALLOWED\n");
    CliRun v6 = CliRun.of("explain", "-f", file, "--from", "x/a", "--to", "x/b", "--port",
        "ICMP", "--family", "6");
    assertThat(v6.exitCode()).as(v6.toString()).isZero();
    assertThat(v6.out()).isEqualTo("""
        x/a (fd00:244:1::5) -> x/b (fd00:244:2::5) on ICMP: DENIED
          egress of x/a: not isolated (no policy with Egress selects it)
          ingress of x/b: isolated by x/v4-only and no rule allowed it
        """);
  }

  @Test
  void explainSaysWhenTheDestinationDoesNotServeThePort() {
    CliRun run = CliRun.of("explain", "-f", MANIFESTS, "--from", "x/a", "--to", "x/b",
        "--port", "82/TCP");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).startsWith("x/a (10.244.1.10) -> x/b (10.244.2.10) on 82/TCP: DENIED\n"
        + "  x/b does not serve 82/TCP\n  policies: DENIED\n");
  }

  @Test
  void explainRefusesPodsThatAreNotEndpoints() {
    CliRun missing = CliRun.of("explain", "-f", MANIFESTS, "--from", "x/q", "--to", "x/b",
        "--port", "80");
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).isEqualTo("palisade: --from: no pod x/q in the cluster\n");
    CliRun noV6 = CliRun.of("explain", "-f", MANIFESTS, "--from", "x/a", "--to", "x/b",
        "--port", "80", "--family", "6");
    assertThat(noV6.exitCode()).isEqualTo(2);
    assertThat(noV6.err()).contains("--from: pod x/a has no IPv6 address");
  }

  @Test
  void aPolicyTheApiServerStoresButPalisadeCannotUseIsEnforcedFailClosed() {
    String file = resource("edges/leading-zero-cidr.yaml");
    CliRun run = CliRun.of("matrix", "-f", file);
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out()).contains("""
                  x/a x/b
              x/a X   .
              x/b X   .
        """);
    assertThat(run.err()).isEqualTo("palisade: warning: " + file + ", document 4: NetworkPolicy "
        + "x/p: spec.ingress[0].from[0].ipBlock.cidr: '010.1.0.0/16' is not a valid CIDR: "
        + "'010.1.0.0' is not an IP address (an IPv4 address with a leading zero: the API "
        + "server accepts it with a warning and reads it as decimal, other tools read it as "
        + "octal; write it without leading zeros); Palisade enforces this policy fail-closed: "
        + "the pods it selects are isolated for Ingress, and it allows nothing\n");
  }

  @Test
  void badOptionsAreUsageErrors() {
    CliRun run = CliRun.of("explain", "-f", MANIFESTS, "--from", "x/a", "--to", "x/b",
        "--port", "80/HTTP");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("unknown protocol 'HTTP'");
  }
}
