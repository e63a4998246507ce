package dev.palisade.cli;

import static dev.palisade.cli.CliRun.resource;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class MatrixScenarioCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aPassingScenarioPrintsItsTablesAndExitsZero() {
    CliRun run = CliRun.of("matrix", "--scenario", resource("pass.yaml"));
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out())
        .contains("Step 2: deny-all\n  Probe 80/TCP IPv4: ok\n    expected:\n")
        .contains("""
                observed:
                      x/a x/b
                  x/a X   X
                  x/b X   X
            """)
        .endsWith("PASS 2 steps, 2 probes\n");
    assertThat(run.err()).isEmpty();
  }

  @Test
  void aMismatchPrintsTheDiffAndExitsOne() {
    CliRun run = CliRun.of("matrix", "--scenario", resource("mismatch.yaml"));
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(run.out())
        .contains("Probe 80/TCP IPv4: 1 mismatched")
        .contains("""
                diff (! = mismatch):
                      x/a x/b
                  x/a ?   !
                  x/b .   ?
                  x/a -> x/b: expected allowed, observed denied
            """)
        .endsWith("FAIL 2 steps, 2 probes, 1 mismatched\n");
  }

  @Test
  void unusableInputExitsTwoWithAMessageAndNoStackTrace() {
    String file = resource("bad-cidr.yaml");
    CliRun run = CliRun.of("matrix", "--scenario", file);
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
    assertThat(run.err()).startsWith("palisade: " + file + ", objects[0]: NetworkPolicy x/foo: "
        + "spec.ingress[0].from[1].ipBlock.cidr: '10.0.0/8' is not a valid CIDR")
        .doesNotContain("Exception").doesNotContain("\tat ");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void invalidYamlNamesTheFile() {
    String file = resource("invalid.yaml");
    CliRun run = CliRun.of("matrix", "--scenario", file);
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("palisade: " + file + ": document 1 is not valid YAML");
  }

  @Test
  void aMissingFileIsUnusableInput() {
    CliRun run = CliRun.of("matrix", "--scenario", "no-such-scenario.yaml");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).isEqualTo("palisade: no-such-scenario.yaml: no such file\n");
  }

  @Test
  void eachFileRunsOnItsOwnAndTheWorstStatusWins() {
    CliRun failing = CliRun.of("matrix", "--scenario", resource("pass.yaml"),
        resource("mismatch.yaml"));
    assertThat(failing.exitCode()).isEqualTo(1);
    assertThat(failing.out()).contains("PASS 2 steps").contains("FAIL 2 steps");

    CliRun broken = CliRun.of("matrix", "--scenario", resource("invalid.yaml"),
        resource("pass.yaml"));
    assertThat(broken.exitCode()).isEqualTo(2);
    assertThat(broken.out()).contains("PASS 2 steps");
    assertThat(broken.err()).contains("not valid YAML");
  }

  @Test
  void jsonFollowsTheScenarioContract() throws IOException {
    CliRun run = CliRun.of("matrix", "--scenario", resource("mismatch.yaml"), "-o", "json");
    assertThat(run.exitCode()).isEqualTo(1);
    JsonNode root = JSON.readTree(run.out());
    assertThat(fieldNames(root)).containsExactly("scenario", "mode", "passed", "steps");
    assertThat(root.get("scenario").asText()).isEqualTo("wrong expectation");
    assertThat(root.get("mode").asText()).isEqualTo("matrix");
    assertThat(root.get("passed").asBoolean()).isFalse();
    JsonNode step = root.get("steps").get(1);
    assertThat(fieldNames(step)).containsExactly("name", "probes");
    JsonNode probe = step.get("probes").get(0);
    assertThat(fieldNames(probe))
        .containsExactly("port", "protocol", "observed", "expected", "mismatches");
    assertThat(probe.get("port").asInt()).isEqualTo(80);
    assertThat(probe.get("protocol").asText()).isEqualTo("TCP");
    assertThat(probe.at("/observed/x~1a/x~1a").asText()).isEqualTo("denied");
    assertThat(probe.at("/observed/x~1b/x~1a").asText()).isEqualTo("denied");
    assertThat(probe.at("/expected/x~1a/x~1b").asText()).isEqualTo("allowed");
    assertThat(probe.at("/expected/x~1a").has("x/a")).as("? cells are not expectations")
        .isFalse();
    assertThat(probe.get("mismatches")).hasSize(1);
    assertThat(JSON.writeValueAsString(probe.get("mismatches").get(0))).isEqualTo(
        "{\"from\":\"x/a\",\"to\":\"x/b\",\"expected\":\"allowed\",\"observed\":\"denied\"}");
  }

  @Test
  void jsonOfSeveralFilesIsOneDocumentEach() throws IOException {
    CliRun run = CliRun.of("matrix", "-o", "json", "--scenario", resource("pass.yaml"),
        resource("mismatch.yaml"));
    List<JsonNode> documents = JSON.readerFor(JsonNode.class).<JsonNode>readValues(run.out())
        .readAll();
    assertThat(documents).extracting(document -> document.get("passed").asBoolean())
        .containsExactly(true, false);
  }

  @Test
  void aProbeWithoutTableExpectsNothing() throws IOException {
    CliRun run = CliRun.of("matrix", "-o", "json", "--scenario", resource("icmp-v6.yaml"));
    assertThat(run.exitCode()).as(run.toString()).isZero();
    JsonNode probe = JSON.readTree(run.out()).at("/steps/0/probes/0");
    assertThat(fieldNames(probe))
        .containsExactly("protocol", "family", "observed", "expected", "mismatches");
    assertThat(probe.get("expected").isEmpty()).isTrue();
    assertThat(probe.at("/observed/x~1a/x~1b").asText()).isEqualTo("allowed");
    assertThat(probe.get("observed").has("x/c")).as("x/c has no IPv6 address").isFalse();
  }

  @Test
  void portAndFamilyBelongToManifestsNotScenarios() {
    CliRun run = CliRun.of("matrix", "--scenario", resource("pass.yaml"), "--port", "80");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--port, --family, --from, --to, --kubeconfig, --context, "
        + "-n and -A apply to a cluster");
  }

  @Test
  void scenarioAndManifestsExcludeEachOther() {
    CliRun run = CliRun.of("matrix", "--scenario", resource("pass.yaml"), "-f",
        resource("manifests"));
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("mutually exclusive");
  }

  @Test
  void withoutACommandThePaletteIsShownAndTheStatusIsTwo() {
    CliRun run = CliRun.of();
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("name a command").contains("matrix").contains("explain");
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new java.util.ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void aPolicyPalisadeCannotUseFailsClosedWithAWarning() {
    CliRun run = CliRun.of("matrix", "--scenario",
        resource("edges/leading-zero-cidr-scenario.yaml"));
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.err()).startsWith("palisade: warning: ")
        .contains("NetworkPolicy x/from-office: spec.ingress[0].from[0].ipBlock.cidr")
        .contains("Palisade enforces this policy fail-closed");
  }
}
