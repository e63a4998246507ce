package dev.palisade.cli;

import static dev.palisade.cli.CliRun.resource;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class LintCommandTest {

  @Test
  void anErrorFindingExitsOneAndEveryFindingNamesCodeSeverityObjectFileAndFix() {
    String file = resource("lint/mistakes.yaml");
    CliRun run = CliRun.of("lint", "-f", resource("lint"));
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(run.out()).isEqualTo("PAL005 ERROR NetworkPolicy x/bad-except (" + file
        + ", document 3): egress[0].to: ipBlock 10.0.0.0/24 except 10.0.1.0/24 is not inside "
        + "the cidr; the API server rejects it\n"
        + "  fix: except only blocks inside 10.0.0.0/24, or delete this except\n"
        + "PAL002 WARNING NetworkPolicy x/split-peer (" + file + ", document 2): ingress[0].from "
        + "has one item with only namespaceSelector (team=blue) and another with only "
        + "podSelector (app=client): they match either, not pods that satisfy both\n"
        + "  fix: to require both, put podSelector in the namespaceSelector's list item: drop "
        + "the '-' before podSelector\n"
        + "2 findings: 1 error, 1 warning, 0 info\n");
  }

  @Test
  void cleanPoliciesExitZero() {
    CliRun run = CliRun.of("lint", "-f", resource("lint-clean"));
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out()).isEqualTo("no findings\n");
  }

  @Test
  void warningsAloneExitZero() {
    CliRun run = CliRun.of("lint", "-f", resource("manifests/policies"));
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out()).startsWith("PAL001 WARNING NetworkPolicy x/allow-from-a");
  }

  @Test
  void findingsAsJson() throws IOException {
    CliRun run = CliRun.of("lint", "-f", resource("lint"), "-o", "json");
    assertThat(run.exitCode()).isEqualTo(1);
    JsonNode first = new ObjectMapper().readTree(run.out()).get("findings").get(0);
    assertThat(first.get("code").asText()).isEqualTo("PAL005");
    assertThat(first.get("severity").asText()).isEqualTo("ERROR");
    assertThat(first.get("object").asText()).isEqualTo("NetworkPolicy x/bad-except");
    assertThat(first.get("file").asText()).endsWith("mistakes.yaml, document 3");
    assertThat(first.get("hint").asText()).startsWith("except only blocks inside");
  }

  @Test
  void unusableInputExitsTwo() {
    CliRun run = CliRun.of("lint", "-f", resource("invalid.yaml"));
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("palisade: ").contains("is not valid YAML").doesNotContain("Exception");
  }

  @Test
  void readsAnEgressRuleThatPolicyTypesIgnores() {
    CliRun run = CliRun.of("lint", "-f", resource("edges/ignored-egress-rule-with-named-port.yaml"));
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.err()).isEmpty();
    assertThat(run.out()).startsWith("PAL009 WARNING NetworkPolicy x/p").endsWith("1 finding: 0 errors, 1 warning, 0 info\n");
  }

  @Test
  void aPolicyEnforcedFailClosedIsAnError() {
    String file = resource("edges/leading-zero-cidr.yaml");
    CliRun run = CliRun.of("lint", "-f", file);
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(run.out()).startsWith("InvalidNetworkPolicy ERROR NetworkPolicy x/p (" + file
        + ", document 4): spec.ingress[0].from[0].ipBlock.cidr: '010.1.0.0/16' is not a valid "
        + "CIDR").contains("; Palisade enforces this policy fail-closed: the pods it selects "
        + "are isolated for Ingress, and it allows nothing\n");
  }

  @Test
  void anUnknownFieldIsAnErrorUnlessAllowed() {
    String file = resource("edges/misspelt-match-labels.yaml");
    CliRun strict = CliRun.of("lint", "-f", file);
    assertThat(strict.exitCode()).as(strict.toString()).isEqualTo(2);
    assertThat(strict.err()).isEqualTo("palisade: " + file + ": NetworkPolicy x/web: "
        + "spec.podSelector.matchLabel: unknown field (the API server rejects it); expected one "
        + "of matchExpressions, matchLabels\n");

    CliRun lenient = CliRun.of("lint", "--allow-unknown-fields", "-f", file);
    assertThat(lenient.exitCode()).as(lenient.toString()).isZero();
  }

  @Test
  void nullLabelValuesAreDroppedNotACrash() {
    CliRun run = CliRun.of("lint", "-f", resource("edges/null-values.yaml"));
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out()).isEqualTo("no findings\n");
  }
}
