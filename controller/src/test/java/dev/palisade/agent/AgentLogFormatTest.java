package dev.palisade.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The agent's log lines (slf4j-simple on standard error) say when they were written. */
class AgentLogFormatTest {
  @Test
  void logLinesStartWithAnIsoTimestamp() {
    PrintStream standardError = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      LoggerFactory.getLogger(AgentSync.class).warn("drift: a test line");
    } finally {
      System.setErr(standardError);
    }

    assertThat(captured.toString(StandardCharsets.UTF_8)).matches(
        "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}(Z|[+-]\\d{2}:\\d{2}) \\[[^]]+\\] "
            + "WARN dev\\.palisade\\.agent\\.AgentSync - drift: a test line\\R");
  }
}
