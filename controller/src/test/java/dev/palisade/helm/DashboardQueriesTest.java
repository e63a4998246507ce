package dev.palisade.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.palisade.agent.AgentSeries;
import dev.palisade.controller.ControllerSeries;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's Grafana dashboard asks only for series the agent or the controller really serves
 * (their meter classes' own scrape, {@link AgentSeries} and {@link ControllerSeries}), so a
 * renamed metric breaks this test instead of leaving an empty panel.
 */
class DashboardQueriesTest {
  /** Palisade's series in a PromQL expression; label names and values are not Palisade's. */
  private static final Pattern SERIES = Pattern.compile("\\bpalisade_[a-z_]+\\b");
  /** What the issue asks the dashboard to show, by the series that show it. */
  private static final List<String> REQUIRED = List.of(
      "palisade_sync_duration_seconds_bucket", "palisade_enforcement_delay_seconds_bucket",
      "palisade_rules", "palisade_sets", "palisade_denied_packets_total",
      "palisade_invalid_objects_total", "palisade_sync_failures_total",
      "palisade_controller_findings");

  @TempDir
  static Path scratch;

  private static JsonNode dashboard;

  @BeforeAll
  static void readDashboard() throws IOException {
    dashboard = new ObjectMapper().readTree(
        Helm.locate(scratch).chart().resolve("dashboards/palisade.json").toFile());
  }

  @Test
  void everyQueryNamesOnlySeriesThatAreServed() {
    Set<String> served = new TreeSet<>(AgentSeries.exported());
    served.addAll(ControllerSeries.exported());
    List<String> queries = queries();

    assertThat(queries).isNotEmpty();
    for (String query : queries) {
      List<String> named = series(query);
      assertThat(named).as("series in %s", query).isNotEmpty();
      assertThat(served).as("served series, asked for by %s", query).containsAll(named);
    }
  }

  @Test
  void everyPanelQueriesAndTheAskedForMetricsAreShown() {
    List<JsonNode> panels = new ArrayList<>();
    dashboard.path("panels").forEach(panels::add);
    Set<String> shown = new TreeSet<>();
    queries().forEach(query -> shown.addAll(series(query)));

    assertThat(panels).filteredOn(panel -> !panel.path("type").asText().equals("row"))
        .allSatisfy(panel -> assertThat(panel.path("targets")).as(panel.path("title").asText())
            .isNotEmpty());
    assertThat(shown).containsAll(REQUIRED);
  }

  /** Every panel target's expression and every templating query. */
  private static List<String> queries() {
    List<String> queries = new ArrayList<>();
    dashboard.path("panels").forEach(panel -> panel.path("targets").forEach(target ->
        queries.add(target.path("expr").asText())));
    dashboard.path("templating").path("list").forEach(variable -> {
      if (variable.path("type").asText().equals("query")) {
        queries.add(variable.path("definition").asText());
      }
    });
    return queries;
  }

  private static List<String> series(String query) {
    List<String> found = new ArrayList<>();
    Matcher matcher = SERIES.matcher(query);
    while (matcher.find()) {
      found.add(matcher.group());
    }
    return found;
  }
}
