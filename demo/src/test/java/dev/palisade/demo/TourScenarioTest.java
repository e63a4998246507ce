package dev.palisade.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The built-in tour of {@code palisade demo} holds true offline, and the table output tells what
 * each step changed.
 */
class TourScenarioTest {
  private static final String TOUR = "src/main/resources/dev/palisade/demo/tour.yaml";

  @Test
  void theTourPassesOfflineAndNamesWhatEachStepChanged() {
    StringWriter out = new StringWriter();
    CommandLine palisade = Main.commandLine();
    palisade.setOut(new PrintWriter(out, true));

    int exitCode = palisade.execute("matrix", "--scenario", TOUR);

    assertThat(exitCode).as(out.toString()).isZero();
    assertThat(out.toString())
        .contains("PASS 5 steps, 7 probes")
        .contains("changed since the previous step (6):\n      y/b -> x/a: allowed -> denied")
        .contains("      x/a -> x/b: denied -> allowed");
  }
}
