package dev.palisade.cli;

import dev.palisade.k8s.InvalidInputException;
import dev.palisade.scenario.Scenario;
import dev.palisade.scenario.ScenarioBackend;
import dev.palisade.scenario.ScenarioResult;
import dev.palisade.scenario.ScenarioRunner;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs scenarios one after another on one backend (a real cluster is built once and converged
 * from one scenario to the next), prints each result as it finishes, and returns the worst exit
 * status: shared by {@code matrix} and {@code demo}. A picture (html, dot) is one document for
 * all the scenarios, printed after the last.
 */
public final class ScenarioRuns {
  /** A scenario to run, parsed on demand so a bad file fails alone (exit 2). */
  public interface Source {
    Scenario parse();
  }

  private final PrintWriter out;
  private final PrintWriter err;
  private final OutputFormat output;

  public ScenarioRuns(PrintWriter out, PrintWriter err, OutputFormat output) {
    this.out = out;
    this.err = err;
    this.output = output;
  }

  public int run(List<Source> sources, ScenarioBackend backend) {
    try {
      return runAll(sources, backend);
    } finally {
      if (backend instanceof AutoCloseable closeable) {
        close(closeable);
      }
    }
  }

  private int runAll(List<Source> sources, ScenarioBackend backend) {
    int status = ExitCode.OK;
    List<ScenarioResult> pictured = new ArrayList<>();
    for (Source source : sources) {
      try {
        Scenario scenario = source.parse();
        scenario.warnings().forEach(warning -> err.println("palisade: warning: " + warning));
        ScenarioResult result = new ScenarioRunner(backend).run(scenario);
        if (output.isPicture()) {
          pictured.add(result);
        } else {
          out.print(output == OutputFormat.json
              ? new JsonRenderer().scenario(result, backend.mode())
              : new TableRenderer().scenario(result));
        }
        status = ExitCode.worst(status, result.passed() ? ExitCode.OK : ExitCode.FAILED);
      } catch (InvalidInputException e) {
        err.println("palisade: " + e.getMessage());
        status = ExitCode.BAD_INPUT;
      }
      out.flush();
      err.flush();
    }
    // A picture is one document, drawn once every scenario has run.
    if (!pictured.isEmpty()) {
      out.print(output.render(Picture.ofScenarios(pictured)));
      out.flush();
    }
    return status;
  }

  private static void close(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      throw new IllegalStateException("could not tear down the scenario's cluster: " + e, e);
    }
  }
}
