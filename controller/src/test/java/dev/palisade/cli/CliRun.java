package dev.palisade.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import picocli.CommandLine;

/** One in-process run of {@code palisade}: its exit status and what it printed. */
public record CliRun(int exitCode, String out, String err) {

  static CliRun of(String... args) {
    return of(Main.commandLine(), args);
  }

  /** A run of this command line (the workstation's, say). */
  public static CliRun of(CommandLine commandLine, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int exitCode = commandLine.execute(args);
    return new CliRun(exitCode, out.toString(), err.toString());
  }

  /** A test resource under {@code cli/} as a path, as a user would pass it. */
  static String resource(String name) {
    try {
      return Path.of(CliRun.class.getResource("/cli/" + name).toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
  }
}
