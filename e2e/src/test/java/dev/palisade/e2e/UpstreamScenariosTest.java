package dev.palisade.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The upstream Kubernetes NetworkPolicy e2e suite, ported to scenario files, run offline through
 * exactly what {@code palisade matrix --scenario FILE} runs.
 */
public class UpstreamScenariosTest {
  /** network_policy.go has 48 tests that use the standard model; INDEX.md lists them all. */
  private static final int UPSTREAM_TESTS = 48;

  public static List<Path> scenarioFiles() {
    return ScenarioFiles.in("upstream");
  }

  @Test
  void everyUpstreamTestHasAFile() {
    assertThat(scenarioFiles()).hasSize(UPSTREAM_TESTS);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarioFiles")
  void passesOffline(Path file) {
    OfflineMatrix.assertPasses(file);
  }
}
