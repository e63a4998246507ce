package dev.palisade.e2e.realapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.File;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link ReleaseCheck} on any cluster where the chart is installed (helm/README.md, "Checking a
 * release"): it runs only when asked (tag release-check, excluded by default: CI checks the same
 * through {@link ChartRbacTest}), needs a cluster admin's kubeconfig, and changes nothing.
 *
 * <pre>
 * mvn -B test -pl e2e -am -Dpalisade.excludedTags= -Dtest=ReleaseCheckTest \
 *   -Dsurefire.failIfNoSpecifiedTests=false -Dpalisade.kubeconfig=FILE \
 *   [-Dpalisade.namespace=palisade-system] [-Dpalisade.release=palisade]
 * </pre>
 */
@Tag("release-check")
class ReleaseCheckTest {

  @Test
  void theReleaseNamespaceAdmitsTheAgentAndTheRolesAllowWhatTheComponentsDoAndNoMore() {
    assertThat(System.getProperty("palisade.kubeconfig")).as("-Dpalisade.kubeconfig=FILE: the "
        + "cluster admin's kubeconfig of the cluster to check").isNotBlank();
    Config config = Config.fromKubeconfig(new File(System.getProperty("palisade.kubeconfig")));
    try (KubernetesClient admin = new KubernetesClientBuilder().withConfig(config).build()) {
      ReleaseCheck check = new ReleaseCheck(admin,
          System.getProperty("palisade.namespace", "palisade-system"),
          System.getProperty("palisade.release", "palisade"));

      assertThat(check.problems()).as("problems of release %s in %s", check.release(),
          check.namespace()).isEmpty();
    }
  }
}
