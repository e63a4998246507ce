package dev.palisade.e2e.realapi;

import dev.palisade.controller.ControllerSettings;
import dev.palisade.controller.LinterNotices;
import dev.palisade.controller.PalisadeController;
import dev.palisade.model.lint.Linter;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One Helm release of the chart in {@code helm/palisade}, installed into a {@link ControlPlane}
 * with the pinned helm ({@code .tools/helm}, from {@code .ci/install-helm}) as an admin would.
 * Object names follow the chart: {@code <release>-agent}, {@code <release>-controller}.
 */
public record HelmRelease(ControlPlane plane, String name, String namespace) {
  private static final Path HELM = ControlPlane.repository().resolve(".tools/helm");
  private static final Path CHART = ControlPlane.repository().resolve("helm/palisade");

  /** What a helm command printed and how it ended. */
  public record Outcome(int exitCode, String output) {
    public Outcome assertSucceeded() {
      if (exitCode != 0) {
        throw new AssertionError("helm failed (" + exitCode + "):\n" + output);
      }
      return this;
    }
  }

  public String agentServiceAccount() {
    return name + "-agent";
  }

  public String controllerServiceAccount() {
    return name + "-controller";
  }

  /** The controller's leader-election Lease, an object of the release. */
  public String leaseName() {
    return name + "-controller-leader";
  }

  /**
   * A controller running in this JVM on the chart's Lease, as a replica of the release's
   * Deployment would (the caller's client decides whose credentials it uses); not started.
   */
  public PalisadeController controller(KubernetesClient client, String identity,
      Duration refreshInterval) {
    return new PalisadeController(client,
        new ControllerSettings(namespace, leaseName(), identity, refreshInterval),
        new SimpleMeterRegistry(), Clock.systemUTC(), new LinterNotices(new Linter()));
  }

  /** {@code helm install} with these {@code --set} values; the namespace must exist. */
  public Outcome install(Map<String, String> values) {
    return helm(withValues(List.of("install", name, CHART.toString()), values));
  }

  public Outcome upgrade(Map<String, String> values) {
    return helm(withValues(List.of("upgrade", name, CHART.toString()), values));
  }

  public Outcome uninstall() {
    return helm(List.of("uninstall", name, "--wait"));
  }

  /** The objects of the release's current revision, as Helm sent them to the API server. */
  public List<HasMetadata> manifest() {
    String yaml = helm(List.of("get", "manifest", name)).assertSucceeded().output();
    return plane.admin().load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)))
        .items();
  }

  private static List<String> withValues(List<String> command, Map<String, String> values) {
    List<String> all = new ArrayList<>(command);
    values.forEach((key, value) -> all.addAll(List.of("--set", key + "=" + value)));
    return all;
  }

  private Outcome helm(List<String> arguments) {
    List<String> command = new ArrayList<>(List.of(HELM.toString(), "--kubeconfig",
        plane.adminKubeconfig().toString(), "--namespace", namespace));
    command.addAll(arguments);
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      process.getOutputStream().close();
      String output = new String(process.getInputStream().readAllBytes(),
          StandardCharsets.UTF_8);
      if (!process.waitFor(5, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new AssertionError("helm " + arguments + " did not finish:\n" + output);
      }
      return new Outcome(process.exitValue(), output);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted running helm", e);
    }
  }
}
