package dev.palisade.e2e;

import dev.palisade.demo.ApiServer;
import dev.palisade.demo.DemoBackend;
import dev.palisade.demo.EmbeddedApiServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The e2e suites' real cluster: network namespaces, an API server and agent processes running
 * the shipped jar, as {@code palisade demo} builds it.
 */
public final class E2eCluster {
  /**
   * The tag of the backend-neutral suites: the build runs them once per backend (e2e/pom.xml,
   * execution "ebpf"), the rest with iptables only.
   */
  public static final String BOTH_BACKENDS = "both-backends";

  /** The network namespace prefix of the suites on the embedded API server. */
  static final String EMBEDDED_LAB_PREFIX = "paldemo";

  private E2eCluster() {}

  /**
   * A demo backend on a new embedded API server whose agents run
   * {@code controller/target/palisade.jar}.
   *
   * @throws IllegalStateException when the jar is missing (build the controller first)
   */
  static DemoBackend start(String name, List<String> agentOptions) {
    return start(name, agentOptions, EmbeddedApiServer.start(), EMBEDDED_LAB_PREFIX);
  }

  /**
   * A demo backend on this API server (closed with the backend) whose agents run
   * {@code controller/target/palisade.jar}.
   *
   * @param labPrefix the network namespaces' prefix, one that no other suite uses
   * @throws IllegalStateException when the jar is missing (build the controller first)
   */
  public static DemoBackend start(String name, List<String> agentOptions, ApiServer apiServer,
      String labPrefix) {
    Path jar = jar();
    try {
      Path logs = Files.createDirectories(Path.of("target", "e2e-logs", name));
      return new DemoBackend(new DemoBackend.Settings(labPrefix, apiServer,
          jar.toAbsolutePath().toString(), agentOptions, backend(), logs.toAbsolutePath(),
          Duration.ofSeconds(90), new PrintWriter(System.err, true), Optional.empty()));
    } catch (IOException e) {
      apiServer.close();
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The shipped jar, {@code controller/target/palisade.jar}.
   *
   * @throws IllegalStateException when the jar is missing (build the controller first)
   */
  static Path jar() {
    Path jar = Path.of(System.getProperty("palisade.jar", "../controller/target/palisade.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("the agents run the shipped jar, but " + jar
          + " does not exist: build it first (mvn -pl controller -am package -DskipTests)");
    }
    return jar;
  }

  /**
   * The backend the suites' agents run: the system property {@code palisade.e2e.backend}
   * (iptables or ebpf), iptables by default. The build runs the backend-neutral suites once per
   * backend (e2e/pom.xml).
   */
  public static String backend() {
    String backend = System.getProperty("palisade.e2e.backend", "iptables");
    if (!List.of("iptables", "ebpf").contains(backend)) {
      throw new IllegalArgumentException("palisade.e2e.backend must be iptables or ebpf, not "
          + backend);
    }
    return backend;
  }

  /** Whether the suites' agents run the eBPF backend. */
  public static boolean ebpf() {
    return backend().equals("ebpf");
  }

  /** The agent options of the suites: REJECT answers denied probes at once, on both backends. */
  public static List<String> standardAgentOptions() {
    return List.of("--deny-action=REJECT", "--min-sync-interval=100ms", "--max-sync-interval=1m");
  }
}
