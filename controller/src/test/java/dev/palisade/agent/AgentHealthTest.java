package dev.palisade.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.base.Ticker;
import dev.palisade.dataplane.compile.DataplaneSettings;
import dev.palisade.dataplane.compile.IncrementalNodeCompiler;
import dev.palisade.dataplane.compile.NodeStateCompiler;
import dev.palisade.dataplane.kernel.CommandResult;
import dev.palisade.dataplane.kernel.FakeKernel;
import dev.palisade.dataplane.kernel.KernelWriter;
import dev.palisade.dataplane.state.DesiredState;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /readyz} and {@code /healthz} of a running agent tell the truth about its syncs: the
 * agent against the fabric8 mock API server, the real compiler and writer over a fake kernel,
 * with a kernel that can be made to fail and a compiler that can be made to die or hang.
 */
class AgentHealthTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final String NODE = "node-1";
  private static final Duration GRACE = Duration.ofSeconds(1);
  private static final Duration STUCK = Duration.ofMillis(500);

  private final HttpClient web = HttpClient.newHttpClient();
  private final FakeKernel kernel = new FakeKernel();
  private final AtomicBoolean kernelFails = new AtomicBoolean();
  /** What the next compiles do before compiling; nothing by default. */
  private volatile Runnable beforeCompile = () -> { };
  private KubernetesMockServer server;
  private KubernetesClient client;
  private Agent<DesiredState> agent;
  private int healthPort;

  @BeforeEach
  void startServerAndAgent() throws Exception {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(), false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    client = server.createClient();
    KernelWriter writer = FakeKernel.writerOver((argv, stdin) -> kernelFails.get()
        ? new CommandResult(1, "", "injected failure") : kernel.run(argv, stdin));
    IncrementalNodeCompiler nodeCompiler = new IncrementalNodeCompiler(NODE,
        DataplaneSettings.DEFAULTS);
    NodeStateCompiler compiler = (graph, changes) -> {
      beforeCompile.run();
      return nodeCompiler.compile(graph, changes);
    };
    healthPort = freePort();
    agent = new Agent<>(client, AgentSettings.defaults(NODE)
        .withSyncIntervals(Duration.ofMillis(50), Duration.ofMinutes(1))
        // every sync reads the kernel, so that a broken kernel fails it
        .withDriftCheckInterval(Duration.ofMillis(50))
        .withHealthTimeouts(GRACE, STUCK)
        .withHealth("127.0.0.1", healthPort), TestDataplanes.iptables(compiler, writer),
        Optional.empty(),
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), Ticker.systemTicker());
    agent.start();
    awaitAnswer("/readyz", 200, body -> body.equals("ready\n"));
  }

  @AfterEach
  void stop() throws Exception {
    beforeCompile = () -> { };
    agent.close();
    client.close();
    server.destroy();
  }

  @Test
  void readinessIsLostWhenSyncsFailLongerThanTheGraceWindowAndBackAfterASuccess() {
    kernelFails.set(true);
    long failingSince = System.nanoTime();
    requestSync("a");

    awaitAnswer("/readyz", 503, body -> body.contains("the last sync failed"));
    assertThat(Duration.ofNanos(System.nanoTime() - failingSince)).isGreaterThan(GRACE);
    assertThat(answer("/healthz").statusCode()).as("a failing loop is alive").isEqualTo(200);

    kernelFails.set(false);
    awaitAnswer("/readyz", 200, body -> body.equals("ready\n"));
  }

  @Test
  void livenessFailsWhenAnErrorEndsTheSyncLoop() {
    beforeCompile = () -> {
      throw new OutOfMemoryError("Java heap space");
    };
    requestSync("a");

    awaitAnswer("/healthz", 503, body -> body.equals(
        "not live: the sync loop died: java.lang.OutOfMemoryError: Java heap space\n"));
    assertThat(answer("/readyz").statusCode()).isEqualTo(503);
  }

  @Test
  void livenessFailsWhileASyncIsStuckAndReturnsWhenItFinishes() {
    CountDownLatch release = new CountDownLatch(1);
    beforeCompile = () -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
    requestSync("a");

    awaitAnswer("/healthz", 503, body -> body.contains("a sync has been running for"));
    beforeCompile = () -> { };
    release.countDown();
    awaitAnswer("/healthz", 200, body -> body.equals("ok\n"));
  }

  /** A namespace event: the agent asks for a sync. */
  private void requestSync(String namespace) {
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace)
        .endMetadata().build()).create();
  }

  private HttpResponse<String> answer(String path) {
    try {
      return web.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + healthPort + path)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(path + " did not answer", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void awaitAnswer(String path, int status, Predicate<String> body) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    HttpResponse<String> last = answer(path);
    while (last.statusCode() != status || !body.test(last.body())) {
      assertThat(System.nanoTime()).as("%s answered %s %s", path, last.statusCode(),
          last.body()).isLessThan(deadline);
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      last = answer(path);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
