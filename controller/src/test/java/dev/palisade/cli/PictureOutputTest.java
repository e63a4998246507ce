package dev.palisade.cli;

import static dev.palisade.cli.CliRun.resource;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.collect.ImmutableMap;
import dev.palisade.model.ObjectRef;
import dev.palisade.scenario.ClusterState;
import dev.palisade.scenario.Matrix;
import dev.palisade.scenario.Probe;
import dev.palisade.scenario.Reachability;
import dev.palisade.scenario.ScenarioBackend;
import dev.palisade.scenario.ScenarioParser;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code --output html} and {@code --output dot} of matrix and explain, read as text. */
class PictureOutputTest {
  private static final String MANIFESTS = resource("manifests");
  private static final Pattern DATA = Pattern.compile(
      "<script type=\"application/json\" id=\"picture\">(.*?)</script>", Pattern.DOTALL);

  @Test
  void dotDrawsNamespacesAsClustersAndAllowedConnectionsAsEdges() {
    CliRun run = CliRun.of("matrix", "-f", MANIFESTS, "--port", "80/TCP", "-o", "dot");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out()).isEqualTo("""
        digraph "Matrix of %1$s, 80/TCP IPv4" {
          label="Matrix of %1$s, 80/TCP IPv4"; labelloc=t; rankdir=LR;
          node [shape=box, style="rounded,filled", fillcolor="#eef3fb"];
          edge [color="#2e7d32"];
          subgraph "cluster_x" {
            label="x";
            "x/a" [label="a"];
            "x/b" [label="b"];
          }
          subgraph "cluster_y" {
            label="y";
            "y/c" [label="c"];
          }
          "x/a" -> "x/b";
          "x/b" -> "x/a";
          "y/c" -> "x/a";
        }
        """.formatted(MANIFESTS));
  }

  @Test
  void explainAsDotDrawsTheDeniedConnectionDashed() {
    CliRun run = CliRun.of("explain", "-f", MANIFESTS, "--from", "y/c", "--to", "x/b",
        "--port", "80/TCP", "-o", "dot");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out())
        .startsWith("digraph \"y/c -> x/b, 80/TCP IPv4\" {")
        .contains("  \"y/c\" -> \"x/b\" [color=red, penwidth=2.5, style=dashed, label=denied];\n")
        .contains("  \"y/c\" -> \"x/a\";\n");
  }

  @Test
  void everyPanelOfAScenarioIsAGraphThatGraphvizReads() throws Exception {
    CliRun run = CliRun.of("matrix", "--scenario", resource("pass.yaml"),
        resource("markup-in-names.yaml"), "-o", "dot");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    String svg = Graphviz.svg(run.out());
    assertThat(Pattern.compile("<svg ").matcher(svg).results().count())
        .as("one drawing per probe of every step").isEqualTo(3);
    assertThat(svg).as("several scenarios: each panel names its scenario")
        .contains("2 scenarios, deny all ingress in x, step 1: no policy, 80/TCP IPv4")
        .contains("\\N step");
  }

  @Test
  void htmlCarriesEveryCellWithTheReasonsExplainGives() throws IOException {
    CliRun run = CliRun.of("matrix", "-f", MANIFESTS, "--port", "80/TCP", "-o", "html");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out()).startsWith("<!DOCTYPE html>").doesNotContain("{{picture}}")
        .doesNotContainPattern("(src|href)=\"(https?:)?//");
    JsonNode panel = data(run.out()).get("panels").get(0);
    assertThat(panel.get("label").asText()).isEqualTo("80/TCP IPv4");
    assertThat(panel.get("pods")).hasSize(3);
    JsonNode yToB = panel.at("/cells/2/1");
    assertThat(yToB.get("observed").asText()).isEqualTo("denied");
    CliRun explain = CliRun.of("explain", "-f", MANIFESTS, "--from", "y/c", "--to", "x/b",
        "--port", "80/TCP");
    assertThat(explain.out()).endsWith(": " + yToB.get("reasons").asText() + "\n");
  }

  @Test
  void htmlMarksTheCellsThatDifferFromTheTruthTable() throws IOException {
    CliRun run = CliRun.of("matrix", "--scenario", resource("mismatch.yaml"), "-o", "html");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    JsonNode panels = data(run.out()).get("panels");
    assertThat(panels.at("/0/cells/0/1").has("expected")).isTrue();
    JsonNode cell = panels.at("/1/cells/0/1");
    assertThat(cell.get("expected").asText()).isEqualTo("allowed");
    assertThat(cell.get("observed").asText()).isEqualTo("denied");
  }

  /**
   * {@code demo -o html}: a real run's picture shows what the probes observed, and next to it
   * what the policies say; here a backend that observes x/a -> x/b allowed where the evaluator
   * (and the truth table) deny it.
   */
  @Test
  void aRealRunShowsWhatItObservedNextToWhatThePoliciesSay() throws IOException {
    ScenarioBackend allowing = new AllowingBackend(ObjectRef.of("x", "a"), ObjectRef.of("x", "b"));
    StringWriter out = new StringWriter();
    int status = new ScenarioRuns(new PrintWriter(out), new PrintWriter(new StringWriter()),
        OutputFormat.html).run(List.of(() -> new ScenarioParser().parse(
            Path.of(resource("pass.yaml")))), allowing);
    assertThat(status).as("the observed cell differs from the truth table").isEqualTo(1);
    JsonNode cell = data(out.toString()).at("/panels/1/cells/0/1");
    assertThat(cell.get("observed").asText()).isEqualTo("allowed");
    assertThat(cell.get("expected").asText()).isEqualTo("denied");
    assertThat(cell.get("reasons").asText()).startsWith("DENIED\n")
        .contains("ingress of x/b: isolated by x/deny-all");
  }

  /** The evaluator's matrices, except that one connection is always observed allowed. */
  private record AllowingBackend(ObjectRef from, ObjectRef to) implements ScenarioBackend {
    @Override
    public Matrix observe(ClusterState cluster, Probe probe) {
      Matrix evaluated = EVALUATOR.observe(cluster, probe);
      Map<ObjectRef, ImmutableMap<ObjectRef, Reachability>> cells =
          new LinkedHashMap<>(evaluated.cells());
      Map<ObjectRef, Reachability> row = new LinkedHashMap<>(cells.get(from));
      row.put(to, Reachability.ALLOWED);
      cells.put(from, ImmutableMap.copyOf(row));
      return new Matrix(evaluated.port(), evaluated.family(), evaluated.pods(),
          ImmutableMap.copyOf(cells));
    }

    @Override
    public OptionalLong converge(ClusterState cluster) {
      return EVALUATOR.converge(cluster);
    }

    @Override
    public String mode() {
      return "demo";
    }
  }

  @Test
  void namesReachThePageAsDataNeverAsMarkup() throws IOException {
    CliRun run = CliRun.of("matrix", "--scenario", resource("markup-in-names.yaml"), "-o",
        "html");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out()).doesNotContain("<script>document.title").doesNotContain("<img");
    JsonNode picture = data(run.out());
    assertThat(picture.get("title").asText())
        .isEqualTo("</script><script>document.title='owned'</script> & \"quotes\"");
    assertThat(picture.at("/panels/0/group").asText())
        .isEqualTo("step 1: <img src=x onerror=alert(1)> \\N step");
  }

  @Test
  void explainAsHtmlHighlightsTheConnection() throws IOException {
    CliRun run = CliRun.of("explain", "-f", MANIFESTS, "--from", "x/a", "--to", "x/b",
        "--port", "80/TCP", "-o", "html");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    JsonNode cells = data(run.out()).at("/panels/0/cells");
    assertThat(cells.at("/0/1/focus").asBoolean()).isTrue();
    assertThat(cells.findValues("focus")).hasSize(1);
  }

  @Test
  void commandsRefuseFormatsTheyDoNotPrint() {
    CliRun explain = CliRun.of("explain", "-f", MANIFESTS, "--from", "x/a", "--to", "x/b",
        "--port", "80/TCP", "-o", "json");
    assertThat(explain.exitCode()).isEqualTo(2);
    assertThat(explain.err()).contains("--output json is not available here; choose table, "
        + "html, dot");
    CliRun lint = CliRun.of("lint", "-f", MANIFESTS, "-o", "html");
    assertThat(lint.exitCode()).isEqualTo(2);
    assertThat(lint.err()).contains("--output html is not available here; choose table, json");
  }

  private static JsonNode data(String html) throws IOException {
    Matcher matcher = DATA.matcher(html);
    assertThat(matcher.find()).as("the picture's data element").isTrue();
    return new ObjectMapper().readTree(matcher.group(1));
  }
}
