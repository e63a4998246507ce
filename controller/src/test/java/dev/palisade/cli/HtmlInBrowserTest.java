package dev.palisade.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code matrix -o html} in a real browser (Debian's headless chromium): the page draws every
 * panel of an upstream scenario with the verdicts the JSON result gives, with no script error,
 * and a screenshot shows it. The page and the screenshot stay in {@code target/pictures} for CI's
 * workspace.
 */
class HtmlInBrowserTest {
  private static final Path SCENARIO = Path.of("..", "e2e", "scenarios", "upstream",
      "stacked-policies-overlapping-podselectors.yaml");
  private static final Path PICTURES = Path.of("target", "pictures");
  private static final Pattern CELL = Pattern.compile(
      "<td class=\"cell (allowed|denied|unsupported)[^\"]*\" data-from=\"([^\"]+)\" "
          + "data-to=\"([^\"]+)\">");
  private static final Pattern EDGE = Pattern.compile("<path [^>]*class=\"edge");
  private static final int ALLOWED_RGB = 0x2e9e4f;
  private static final int DENIED_RGB = 0xd64541;

  private static HeadlessChromium chromium;
  private static Path page;
  /** The probes of every step, in the order of the page's panels. */
  private static List<JsonNode> probes;

  @BeforeAll
  static void renderScenario() throws IOException {
    chromium = HeadlessChromium.onPath();
    assertThat(SCENARIO).exists();
    CliRun html = CliRun.of("matrix", "--scenario", SCENARIO.toString(), "-o", "html");
    assertThat(html.exitCode()).as(html.toString()).isZero();
    Files.createDirectories(PICTURES);
    page = PICTURES.resolve("stacked-policies.html");
    Files.writeString(page, html.out(), StandardCharsets.UTF_8);
    CliRun json = CliRun.of("matrix", "--scenario", SCENARIO.toString(), "-o", "json");
    assertThat(json.exitCode()).as(json.toString()).isZero();
    probes = new ArrayList<>();
    new ObjectMapper().readTree(json.out()).get("steps")
        .forEach(step -> step.get("probes").forEach(probes::add));
  }

  @Test
  void everyPanelShowsTheVerdictsOfTheJsonResult() throws Exception {
    assertThat(probes).as("the scenario has several probes to choose from").hasSizeGreaterThan(1);
    for (int panel = 0; panel < probes.size(); panel++) {
      String dom = chromium.dumpDom(page, "#view=" + panel);
      assertThat(dom).as("the page's script ran to its end").contains("data-rendered=\"true\"");
      assertThat(errors(dom)).as("script errors").isEmpty();
      JsonNode observed = probes.get(panel).get("observed");
      assertThat(cells(dom)).as("panel %s", panel).isEqualTo(verdicts(observed));
      assertThat(countOf(EDGE, dom)).as("graph edges: allowed pairs of different pods")
          .isEqualTo(allowedBetweenDifferentPods(observed));
    }
  }

  @Test
  void aScriptErrorShowsInThePage() throws Exception {
    Path broken = PICTURES.resolve("broken.html");
    Files.writeString(broken, Files.readString(page).replace("\"panels\":", "\"panels\":}"));
    String dom = chromium.dumpDom(broken, "");
    assertThat(errors(dom)).singleElement().asString().contains("JSON");
  }

  @Test
  void namesAreShownAsText() throws Exception {
    CliRun run = CliRun.of("matrix", "--scenario", CliRun.resource("markup-in-names.yaml"), "-o",
        "html");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    Path names = Files.writeString(PICTURES.resolve("markup-in-names.html"), run.out());
    String dom = chromium.dumpDom(names, "");
    assertThat(errors(dom)).as("script errors").isEmpty();
    assertThat(dom).contains("<title>&lt;/script&gt;&lt;script&gt;document.title='owned'"
            + "&lt;/script&gt; &amp; \"quotes\"</title>")
        .contains("step 1: &lt;img src=x onerror=alert(1)&gt; \\N step</span>");
    assertThat(cells(dom)).hasSize(4);
  }

  @Test
  void explainShowsItsConnectionHighlightedWithItsReasons() throws Exception {
    CliRun run = CliRun.of("explain", "-f", CliRun.resource("manifests"), "--from", "y/c",
        "--to", "x/b", "--port", "80/TCP", "-o", "html");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    String dom = chromium.dumpDom(
        Files.writeString(PICTURES.resolve("explain.html"), run.out()), "");
    assertThat(errors(dom)).as("script errors").isEmpty();
    assertThat(dom)
        .contains("<div id=\"focus\">y/c -&gt; x/b on 80/TCP IPv4: DENIED\n"
            + "  egress of y/c: not isolated")
        .contains("<td class=\"cell denied focus\" data-from=\"y/c\" data-to=\"x/b\">")
        .contains("class=\"edge focus denied\"");
  }

  @Test
  void aFetchIsBlockedAndShowsAsAnError() throws Exception {
    Path fetching = PICTURES.resolve("fetching.html");
    Files.writeString(fetching, Files.readString(page).replace("</body>",
        "<img src=\"http://127.0.0.1:9/x.png\"></body>"));
    assertThat(errors(chromium.dumpDom(fetching, ""))).singleElement().asString()
        .startsWith("blocked: http://127.0.0.1:9/x.png");
  }

  @Test
  void aScreenshotShowsTheHeatMap() throws Exception {
    Path png = PICTURES.resolve("stacked-policies.png");
    chromium.screenshot(page, png, 1100, 640);
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image).as("a PNG at %s", png).isNotNull();
    assertThat(image.getWidth()).isEqualTo(1100);
    assertThat(colours(image)).as("the verdict colours are on screen")
        .contains(ALLOWED_RGB, DENIED_RGB);
  }

  private static List<String> errors(String dom) {
    Matcher matcher = Pattern.compile("<li class=\"js-error\">([^<]*)</li>").matcher(dom);
    List<String> errors = new ArrayList<>();
    while (matcher.find()) {
      errors.add(matcher.group(1));
    }
    return errors;
  }

  /** Source -> destination -> verdict, as the page's cells say. */
  private static Map<String, String> cells(String dom) {
    Map<String, String> cells = new TreeMap<>();
    Matcher matcher = CELL.matcher(dom);
    while (matcher.find()) {
      String previous = cells.put(matcher.group(2) + " -> " + matcher.group(3), matcher.group(1));
      assertThat(previous).as("one cell per pair").isNull();
    }
    return cells;
  }

  private static Map<String, String> verdicts(JsonNode observed) {
    Map<String, String> verdicts = new TreeMap<>();
    observed.fields().forEachRemaining(row -> row.getValue().fields().forEachRemaining(cell ->
        verdicts.put(row.getKey() + " -> " + cell.getKey(), cell.getValue().asText())));
    return verdicts;
  }

  private static long allowedBetweenDifferentPods(JsonNode observed) {
    return verdicts(observed).entrySet().stream()
        .filter(cell -> cell.getValue().equals("allowed"))
        .filter(cell -> !cell.getKey().split(" -> ")[0].equals(cell.getKey().split(" -> ")[1]))
        .count();
  }

  private static long countOf(Pattern pattern, String text) {
    return pattern.matcher(text).results().count();
  }

  private static Set<Integer> colours(BufferedImage image) {
    Set<Integer> colours = new HashSet<>();
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        colours.add(image.getRGB(x, y) & 0xffffff);
      }
    }
    return colours;
  }
}
