package dev.palisade.demo;

import io.fabric8.kubernetes.api.model.Config;
import io.fabric8.kubernetes.api.model.ConfigBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.crud.AttributeSet;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The demo cluster's API server: the fabric8 mock server in CRUD mode on loopback (watches,
 * label selectors, resource versions, /status, and list pages: {@link PagingCrudDispatcher}). Its state lives in the dispatcher, so a
 * new server on the same port keeps every object, as an API server restart does.
 */
public final class EmbeddedApiServer implements ApiServer {
  /**
   * The mock server logs every request at INFO through java.util.logging; a demo wants its own
   * output. Held in a field: JUL keeps loggers only weakly, and a collected one forgets its level.
   */
  private static final Logger MOCK_SERVER_LOG = quiet("io.fabric8.mockwebserver");
  /** Holds every object (tests write to it directly while the server is away). */
  final KubernetesCrudDispatcher dispatcher = new PagingCrudDispatcher();
  /** Replaced when tests restart the server on {@link #port} (DemoTestAccess, in the tests). */
  KubernetesMockServer server;
  final int port;

  private EmbeddedApiServer(int requestedPort) {
    this.server = listen(requestedPort);
    this.port = server.getPort();
  }

  private static Logger quiet(String name) {
    Logger logger = Logger.getLogger(name);
    logger.setLevel(Level.WARNING);
    return logger;
  }

  /** Starts on a free loopback port. */
  public static EmbeddedApiServer start() {
    return new EmbeddedApiServer(0);
  }

  KubernetesMockServer listen(int onPort) {
    KubernetesMockServer mock = new KubernetesMockServer(new Context(), new MockWebServer(),
        new HashMap<>(), dispatcher, false);
    mock.init(InetAddress.getLoopbackAddress(), onPort);
    return mock;
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  @Override
  public KubernetesClient client() {
    return server.createClient();
  }

  @Override
  public String describe() {
    return "the embedded API server";
  }

  /**
   * Stores objects as the server would after creating them (resourceVersion, uid, creation
   * time), without HTTP and without watch events: a cluster that was there before anyone
   * watched. The CRUD dispatcher searches all it holds on each create, so writing tens of
   * thousands of objects through the API would take quadratic time; this takes linear time.
   */
  public void preload(List<? extends HasMetadata> objects) {
    for (HasMetadata object : objects) {
      ObjectMeta metadata = object.getMetadata();
      metadata.setResourceVersion(Long.toString(dispatcher.requestResourceVersion()));
      metadata.setUid(UUID.randomUUID().toString());
      metadata.setCreationTimestamp(Instant.now().toString());
      String json = Serialization.asJson(object);
      // keyed as a create through the API keys it: the collection's path (its plural) and the
      // object's own attributes
      dispatcher.getMap().put(AttributeSet.merge(dispatcher.getKey(collectionPath(object)),
          dispatcher.getAttributeExtractor().fromResource(json)), json);
    }
  }

  /** Where a client creates such an object, e.g. {@code /api/v1/namespaces/x/pods}. */
  private static String collectionPath(HasMetadata object) {
    String api = object.getApiVersion().contains("/") ? "/apis/" + object.getApiVersion()
        : "/api/" + object.getApiVersion();
    String namespace = object.getMetadata().getNamespace();
    return api + (namespace == null ? "" : "/namespaces/" + namespace) + "/"
        + HasMetadata.getPlural(object.getClass());
  }

  /** Writes {@code workDir/kubeconfig}, pointing at this server. */
  @Override
  public Path agentKubeconfig(Path workDir) throws IOException {
    Path file = workDir.resolve("kubeconfig");
    Config config = new ConfigBuilder()
        .addNewCluster().withName("demo").withNewCluster().withServer(url()).endCluster()
        .endCluster()
        .addNewUser().withName("demo").withNewUser().withToken("demo").endUser().endUser()
        .addNewContext().withName("demo").withNewContext().withCluster("demo").withUser("demo")
        .withNamespace("default").endContext().endContext()
        .withCurrentContext("demo")
        .build();
    Files.writeString(file, Serialization.asYaml(config));
    return file;
  }

  @Override
  public void close() {
    server.destroy();
  }
}
