package dev.palisade.e2e.realapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The harness itself: a real API server that reports v1.34.4 and admits the chart. */
@Tag("control-plane")
class ControlPlaneSmokeTest {
  private static ControlPlane plane;

  @BeforeAll
  static void start() {
    plane = ControlPlane.start(false);
  }

  @AfterAll
  static void stop() {
    if (plane != null) {
      plane.close();
    }
  }

  @Test
  void reportsTheBuiltVersionAndAdmitsTheChartWithItsServiceAccounts() {
    assertThat(plane.admin().getKubernetesVersion().getGitVersion()).isEqualTo("v1.34.4");
    plane.createNamespace("palisade-system",
        Map.of("pod-security.kubernetes.io/enforce", "privileged"));
    HelmRelease release = new HelmRelease(plane, "palisade", "palisade-system");
    release.install(Map.of()).assertSucceeded();
    try (var agent = plane.clientFor("palisade-system", release.agentServiceAccount())) {
      assertThat(agent.pods().inAnyNamespace().list().getItems()).isNotNull();
    }
  }
}
