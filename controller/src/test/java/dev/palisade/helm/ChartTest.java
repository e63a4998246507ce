package dev.palisade.helm;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.palisade.k8s.StrictKubernetesSerialization;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvFileSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Renders helm/palisade with {@code helm template} (default values, and
 * {@code ci/non-default-values.yaml}), parses every object with fabric8 (unknown fields are
 * errors) and checks what the chart promises: the agent's narrow privileges, the agent's RBAC
 * read-only but for Events on its Node, Events and the Lease as the controller's only writes
 * (each grant one that the component uses: e2e ChartRbacTest proves that on a real API server),
 * the Lease as an object of the release, settings reaching the agent,
 * and a schema that refuses wrong values before anything is installed.
 */
class ChartTest {

  /** Informers list and watch; neither component reads these objects one by one. */
  private static final Set<String> INFORM = Set.of("list", "watch");
  private static final Set<Grant> CLUSTER_INFORMERS = union(
      Grant.all("", List.of("pods", "namespaces"), INFORM),
      Grant.all("networking.k8s.io", List.of("networkpolicies"), INFORM));

  @TempDir
  static Path scratch;

  private static Helm helm;
  private static KubernetesSerialization serialization;
  /** Each value set rendered once: a helm run costs about a second on a busy machine. */
  private static Map<Values, RenderedChart> renderedCharts;

  @BeforeAll
  static void renderChart() {
    helm = Helm.locate(scratch);
    serialization = StrictKubernetesSerialization.create();
    renderedCharts = Stream.of(Values.values()).collect(Collectors.toUnmodifiableMap(values -> values,
        values -> RenderedChart.parse(helm.template(values.arguments()).successfulOutput(), serialization)));
  }

  /** The two value sets every invariant is checked with. */
  enum Values {
    DEFAULT("palisade", ""),
    NON_DEFAULT("fence", "ci/non-default-values.yaml");

    final String fullname;
    /** Values file inside the chart directory; empty: the chart's own defaults. */
    private final String valuesFile;

    Values(String fullname, String valuesFile) {
      this.fullname = fullname;
      this.valuesFile = valuesFile;
    }

    String agent() {
      return fullname + "-agent";
    }

    String controller() {
      return fullname + "-controller";
    }

    String[] arguments() {
      return valuesFile.isEmpty()
          ? new String[0]
          : new String[] {"--values", helm.chart().resolve(valuesFile).toString()};
    }

    RenderedChart render() {
      return renderedCharts.get(this);
    }
  }

  // ---- chart as a whole ----

  @ParameterizedTest(name = "{0}")
  @EnumSource(Values.class)
  void lintStrictPasses(Values values) {
    Helm.Result lint = helm.lint(values.arguments());

    assertThat(lint.exitCode()).as(lint.stdout() + lint.stderr()).isZero();
  }

  @Test
  void defaultValuesRenderTheAgentAndControllerWithoutMonitoring() {
    assertThat(Values.DEFAULT.render().kindsAndNames()).containsExactlyInAnyOrder(
        "ServiceAccount/palisade-agent", "ServiceAccount/palisade-controller",
        "ConfigMap/palisade-agent",
        "ClusterRole/palisade-agent", "ClusterRole/palisade-controller",
        "ClusterRoleBinding/palisade-agent", "ClusterRoleBinding/palisade-controller",
        "Role/palisade-agent", "Role/palisade-controller",
        "RoleBinding/palisade-agent", "RoleBinding/palisade-controller",
        "DaemonSet/palisade-agent", "Deployment/palisade-controller",
        "Lease/palisade-controller-leader");
  }

  @Test
  void enabledServiceMonitorScrapesBothComponents() {
    RenderedChart chart = Values.NON_DEFAULT.render();

    GenericKubernetesResource monitor = chart.get(GenericKubernetesResource.class, "fence");
    assertThat(monitor.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(monitor.getKind()).isEqualTo("ServiceMonitor");
    assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "prometheus");
    assertThat(monitor.<String>get("spec", "endpoints", 0, "port")).isEqualTo("metrics");
    assertThat(monitor.<String>get("spec", "endpoints", 0, "interval")).isEqualTo("15s");
    Map<String, String> monitorSelector = monitor.get("spec", "selector", "matchLabels");
    for (String component : List.of("agent", "controller")) {
      Service service = chart.get(Service.class, "fence-" + component + "-metrics");
      assertThat(service.getMetadata().getLabels()).containsAllEntriesOf(monitorSelector);
      assertThat(service.getSpec().getSelector()).containsEntry("app.kubernetes.io/component", component);
      assertThat(service.getSpec().getPorts()).singleElement()
          .satisfies(port -> assertThat(port.getName()).isEqualTo("metrics"))
          .satisfies(port -> assertThat(port.getTargetPort().getStrVal()).isEqualTo("health"));
    }
  }

  @Test
  void theGrafanaDashboardIsAConfigMapForTheSidecarOnlyWhenEnabled() throws IOException {
    assertThat(Values.DEFAULT.render().kindsAndNames()).doesNotContain("ConfigMap/palisade-dashboard");

    ConfigMap dashboard = Values.NON_DEFAULT.render().get(ConfigMap.class, "fence-dashboard");
    assertThat(dashboard.getMetadata().getLabels())
        .containsEntry("grafana_dashboard", "1")
        .containsEntry("dashboards", "palisade");
    assertThat(dashboard.getMetadata().getAnnotations()).containsEntry("grafana_folder", "Networking");
    assertThat(dashboard.getData()).containsOnlyKeys("palisade.json");
    assertThat(dashboard.getData().get("palisade.json"))
        .isEqualTo(Files.readString(helm.chart().resolve("dashboards/palisade.json"), UTF_8).strip());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Values.class)
  void namespacedObjectsLiveInTheReleaseNamespaceAndAllCarryTheHelmLabels(Values values) {
    for (HasMetadata object : values.render().all()) {
      boolean clusterScoped = object instanceof ClusterRole || object instanceof ClusterRoleBinding;
      assertThat(object.getMetadata().getNamespace()).as(object.getKind())
          .isEqualTo(clusterScoped ? null : Helm.NAMESPACE);
      assertThat(object.getMetadata().getLabels()).as(object.getKind()).containsKeys(
          "helm.sh/chart", "app.kubernetes.io/name", "app.kubernetes.io/instance",
          "app.kubernetes.io/version", "app.kubernetes.io/managed-by");
    }
  }

  // ---- strict parsing ----

  static Stream<Arguments> objectsWithAnUnknownField() {
    return Stream.of(
        Arguments.of("misspelled metadata field", "nme",
            "{apiVersion: v1, kind: ConfigMap, metadata: {name: x, nme: y}}"),
        Arguments.of("misspelled container field", "securityContxt", """
            apiVersion: apps/v1
            kind: DaemonSet
            metadata: {name: x}
            spec:
              selector: {matchLabels: {a: b}}
              template:
                metadata: {labels: {a: b}}
                spec:
                  containers:
                    - name: c
                      securityContxt: {privileged: false}
            """));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("objectsWithAnUnknownField")
  void unknownFieldIsAnError(String name, String field, String yaml) throws IOException {
    JsonNode document = new YAMLMapper().readTree(yaml);

    assertThatThrownBy(() -> RenderedChart.parseObject(document, 1, serialization))
        .hasMessageContaining(field)
        .hasRootCauseInstanceOf(UnrecognizedPropertyException.class);
  }

  @Test
  void knownFieldsParseIntoTheModelClass() throws IOException {
    JsonNode document = new YAMLMapper().readTree("{apiVersion: v1, kind: ConfigMap, metadata: {name: x}, data: {k: v}}");

    assertThat(RenderedChart.parseObject(document, 1, serialization))
        .isInstanceOfSatisfying(ConfigMap.class, map -> assertThat(map.getData()).containsEntry("k", "v"));
  }

  // ---- agent ----

  @ParameterizedTest(name = "{0}")
  @EnumSource(Values.class)
  void agentRunsOnTheHostNetworkWithOnlyTheNetworkCapabilities(Values values) {
    PodSpec pod = values.render().get(DaemonSet.class, values.agent()).getSpec().getTemplate().getSpec();
    SecurityContext security = onlyContainer(pod).getSecurityContext();

    assertThat(pod.getHostNetwork()).isTrue();
    assertThat(pod.getDnsPolicy()).isEqualTo("ClusterFirstWithHostNet");
    assertThat(pod.getHostPID()).isNull();
    assertThat(pod.getHostIPC()).isNull();
    assertThat(pod.getSecurityContext()).isNull();
    assertThat(security.getPrivileged()).isFalse();
    assertThat(security.getAllowPrivilegeEscalation()).isFalse();
    assertThat(security.getCapabilities().getAdd()).containsExactlyInAnyOrder("NET_ADMIN", "NET_RAW");
    assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(security.getRunAsUser()).isZero();
    assertThat(security.getReadOnlyRootFilesystem()).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Values.class)
  void agentMountsOnlyTheXtablesLockAndKernelModulesFromTheHost(Values values) {
    PodSpec pod = values.render().get(DaemonSet.class, values.agent()).getSpec().getTemplate().getSpec();
    Map<String, String> hostPaths = pod.getVolumes().stream()
        .filter(volume -> volume.getHostPath() != null)
        .collect(Collectors.toMap(volume -> volume.getHostPath().getPath(),
            volume -> Objects.toString(volume.getHostPath().getType(), "")));
    Map<String, VolumeMount> mounts = onlyContainer(pod).getVolumeMounts().stream()
        .collect(Collectors.toMap(VolumeMount::getMountPath, mount -> mount));
    Volume config = pod.getVolumes().stream()
        .filter(volume -> volume.getName().equals(mounts.get("/etc/palisade").getName())).findFirst().orElseThrow();

    // An empty hostPath type means "no check": /lib/modules is wherever the distribution keeps it.
    assertThat(hostPaths).isEqualTo(Map.of("/run/xtables.lock", "FileOrCreate", "/lib/modules", ""));
    assertThat(mounts.get("/run/xtables.lock").getReadOnly()).isNull();
    assertThat(mounts.get("/lib/modules").getReadOnly()).isTrue();
    assertThat(mounts.get("/etc/palisade").getReadOnly()).isTrue();
    assertThat(config.getConfigMap().getName()).isEqualTo(values.agent());
  }

  @Test
  void agentRunsOnEveryNodeAndIsReplacedOneNodeAtATime() {
    DaemonSet agent = Values.DEFAULT.render().get(DaemonSet.class, "palisade-agent");
    PodSpec pod = agent.getSpec().getTemplate().getSpec();

    assertThat(pod.getTolerations()).containsExactly(new TolerationBuilder().withOperator("Exists").build());
    assertThat(pod.getNodeSelector()).isEqualTo(Map.of("kubernetes.io/os", "linux"));
    assertThat(pod.getPriorityClassName()).isEqualTo("system-node-critical");
    assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(30L);
    assertThat(agent.getSpec().getUpdateStrategy().getType()).isEqualTo("RollingUpdate");
    assertThat(agent.getSpec().getUpdateStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isEqualTo(1);
  }

  @Test
  void agentSchedulingValuesReachThePod() {
    DaemonSet agent = Values.NON_DEFAULT.render().get(DaemonSet.class, "fence-agent");
    PodSpec pod = agent.getSpec().getTemplate().getSpec();
    Toleration dedicated = new TolerationBuilder()
        .withKey("dedicated").withOperator("Equal").withValue("network").withEffect("NoSchedule").build();

    assertThat(pod.getTolerations()).containsExactly(dedicated);
    assertThat(pod.getNodeSelector())
        .isEqualTo(Map.of("kubernetes.io/os", "linux", "node-role.example.com/enforced", "true"));
    assertThat(pod.getPriorityClassName()).isEqualTo("palisade-critical");
    assertThat(pod.getImagePullSecrets()).extracting("name").containsExactly("registry-credentials");
    assertThat(agent.getSpec().getTemplate().getMetadata().getAnnotations()).containsEntry("example.com/team", "network");
    assertThat(agent.getSpec().getUpdateStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isEqualTo(1);
  }

  static Stream<Arguments> agentContainers() {
    return Stream.of(
        Arguments.of(Values.DEFAULT, "palisade:0.1.0", "IfNotPresent", 9301, "50m", "1", DEFAULT_AGENT_JVM),
        Arguments.of(Values.NON_DEFAULT, "registry.example.com/palisade:9.9.9-test", "Always", 19301, "100m", "2",
            List.of("-Xmx1g", "-XX:+UseParallelGC")));
  }

  /** The agent's JVM options as measured (docs/performance.md, "Agent memory", "Scale"). */
  private static final List<String> DEFAULT_AGENT_JVM = List.of("-XX:+UseSerialGC", "-Xms32m", "-Xmx320m",
      "-XX:MinHeapFreeRatio=20", "-XX:MaxHeapFreeRatio=40", "-XX:TrimNativeHeapInterval=1000",
      "-XX:MaxMetaspaceSize=96m",
      "-XX:ReservedCodeCacheSize=48m", "-Xss512k", "-Djdk.lang.Process.launchMechanism=VFORK");

  @ParameterizedTest(name = "{0}")
  @MethodSource("agentContainers")
  void agentContainerFollowsTheImageContract(Values values, String image, String pullPolicy, int healthPort,
      String cpuRequest, String cpuLimit, List<String> jvmOptions) {
    DaemonSet agent = values.render().get(DaemonSet.class, values.agent());
    Container container = onlyContainer(agent.getSpec().getTemplate().getSpec());

    assertThat(container.getImage()).isEqualTo(image);
    assertThat(container.getImagePullPolicy()).isEqualTo(pullPolicy);
    List<String> command = new ArrayList<>(List.of("java"));
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", "/opt/palisade/palisade.jar"));
    assertThat(container.getCommand()).as("the image's java and jar, with agent.jvmOptions")
        .isEqualTo(command);
    assertThat(container.getArgs())
        .containsExactly("agent", "--node-name=$(NODE_NAME)", "--config=/etc/palisade/agent.properties");
    assertThat(fieldRefs(container)).isEqualTo(Map.of(
        "NODE_NAME", "spec.nodeName", "POD_NAME", "metadata.name", "POD_NAMESPACE", "metadata.namespace"));
    assertThat(container.getPorts()).singleElement().satisfies(port -> {
      assertThat(port.getName()).isEqualTo("health");
      assertThat(port.getContainerPort()).isEqualTo(healthPort);
    });
    assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(container.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("health");
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(container.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("health");
    assertThat(container.getResources().getRequests()).containsKeys("cpu", "memory").containsEntry("cpu", new Quantity(cpuRequest));
    assertThat(container.getResources().getLimits()).containsKeys("cpu", "memory").containsEntry("cpu", new Quantity(cpuLimit));
    assertThat(agent.getSpec().getTemplate().getMetadata().getAnnotations()).containsEntry("prometheus.io/scrape", "true")
        .containsEntry("prometheus.io/port", String.valueOf(healthPort))
        .containsEntry("prometheus.io/path", "/metrics");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Values.class)
  void agentSettingsReachItsConfigFile(Values values) throws IOException {
    String expectedFile = "agent-" + values.name().toLowerCase(Locale.ROOT).replace('_', '-') + ".properties";
    try (InputStream expected = ChartTest.class.getResourceAsStream(expectedFile)) {
      assertThat(agentProperties(values)).isEqualTo(load(new InputStreamReader(expected, UTF_8)));
    }
  }

  @Test
  void everyAgentSettingIsDocumentedWithItsDefault() throws IOException {
    List<String> tableRows = Files.readAllLines(helm.repositoryRoot().resolve("helm/README.md")).stream()
        .filter(line -> line.startsWith("|"))
        .toList();

    agentProperties(Values.DEFAULT).forEach((setting, defaultValue) ->
        assertThat(tableRows).as("README table row for %s with default %s", setting, defaultValue)
            .anyMatch(row -> row.contains("`" + setting + "`") && row.contains("`" + defaultValue + "`")));
  }

  @Test
  void changedSettingsRollTheAgents() {
    assertThat(configChecksum(Values.NON_DEFAULT)).isNotEqualTo(configChecksum(Values.DEFAULT));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Values.class)
  void agentMayOnlyReadTheClusterItsNodeAndItsOwnDaemonSetCreateEventsAndReport(
      Values values) {
    RenderedChart chart = values.render();

    assertThat(Grant.of(chart.get(ClusterRole.class, values.agent()).getRules())).isEqualTo(
        union(CLUSTER_INFORMERS, union(Grant.all("", List.of("nodes"), Set.of("get")),
            Grant.all("", List.of("events"), Set.of("create")))));
    assertThat(Grant.of(chart.get(Role.class, values.agent()).getRules())).isEqualTo(union(
        Grant.all("", List.of("pods"), Set.of("get")),
        union(Grant.named("apps", "daemonsets", values.agent(), INFORM),
            Grant.all("coordination.k8s.io", List.of("leases"),
                Set.of("get", "create", "update")))));
    assertBoundToServiceAccount(chart, values.agent());
  }

  // ---- controller ----

  @ParameterizedTest(name = "{0}")
  @EnumSource(Values.class)
  void controllerMayWriteOnlyEventsAndItsLeaseAndReadTheAgentsReports(Values values) {
    RenderedChart chart = values.render();
    Set<Grant> findingEvents = Grant.all("", List.of("events"),
        Set.of("list", "create", "update", "delete"));
    // get, patch (fabric8's renewal) and update (JOSDK's start check) on its own Lease only;
    // create cannot be limited to a name.
    Set<Grant> leaderElection = union(
        Grant.named("coordination.k8s.io", "leases", values.controller() + "-leader",
            Set.of("get", "patch", "update")),
        Grant.all("coordination.k8s.io", List.of("leases"), Set.of("create")));
    Set<Grant> agentReports = Grant.all("coordination.k8s.io", List.of("leases"), INFORM);

    assertThat(Grant.of(chart.get(ClusterRole.class, values.controller()).getRules()))
        .isEqualTo(union(CLUSTER_INFORMERS, findingEvents));
    assertThat(Grant.of(chart.get(Role.class, values.controller()).getRules()))
        .isEqualTo(union(leaderElection, agentReports));
    assertBoundToServiceAccount(chart, values.controller());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Values.class)
  void controllerLeaseIsAnObjectOfTheRelease(Values values) {
    RenderedChart chart = values.render();
    String leaseName = values.controller() + "-leader";
    Lease lease = chart.get(Lease.class, leaseName);

    assertThat(lease.getMetadata().getNamespace()).isEqualTo(Helm.NAMESPACE);
    // What fabric8's LeaseLock needs to read it as a free lease; no holder, which is the
    // controller's field.
    assertThat(lease.getSpec().getLeaseDurationSeconds()).isEqualTo(15);
    assertThat(lease.getSpec().getRenewTime()).isEqualTo(lease.getSpec().getAcquireTime())
        .isEqualTo(ZonedDateTime.parse("1970-01-01T00:00:00Z"));
    assertThat(lease.getSpec().getHolderIdentity()).isNull();
    assertThat(lease.getSpec().getLeaseTransitions()).isNull();
  }

  static Stream<Arguments> controllerDeployments() {
    return Stream.of(Arguments.of(Values.DEFAULT, 2), Arguments.of(Values.NON_DEFAULT, 3));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("controllerDeployments")
  void controllerRunsAsNonRootWithoutCapabilities(Values values, int replicas) {
    Deployment controller = values.render().get(Deployment.class, values.controller());
    PodSpec pod = controller.getSpec().getTemplate().getSpec();
    Container container = onlyContainer(pod);
    SecurityContext security = container.getSecurityContext();

    assertThat(controller.getSpec().getReplicas()).isEqualTo(replicas);
    assertThat(container.getArgs()).containsExactly("controller", "--lease-namespace=$(POD_NAMESPACE)",
        "--lease-name=" + values.controller() + "-leader");
    assertThat(fieldRefs(container)).isEqualTo(Map.of("POD_NAMESPACE", "metadata.namespace"));
    assertThat(container.getPorts()).singleElement()
        .satisfies(port -> assertThat(port.getContainerPort()).isEqualTo(9302));
    assertThat(pod.getHostNetwork()).isNull();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsUser()).isPositive();
    assertThat(security.getPrivileged()).isFalse();
    assertThat(security.getAllowPrivilegeEscalation()).isFalse();
    assertThat(security.getReadOnlyRootFilesystem()).isTrue();
    assertThat(security.getCapabilities().getAdd()).isEmpty();
    assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(container.getResources().getRequests()).containsKeys("cpu", "memory");
    assertThat(container.getResources().getLimits()).containsKeys("cpu", "memory");
  }

  @Test
  void disabledControllerLeavesOnlyTheAgent() {
    RenderedChart chart = RenderedChart.parse(
        helm.template("--set", "controller.enabled=false", "--set", "serviceMonitor.enabled=true").successfulOutput(),
        serialization);

    assertThat(chart.all()).allSatisfy(object -> assertThat(object.getMetadata().getLabels())
        .doesNotContainEntry("app.kubernetes.io/component", "controller"));
    assertThat(chart.kindsAndNames()).contains("DaemonSet/palisade-agent", "ServiceMonitor/palisade");
  }

  @Test
  void theEbpfBackendGetsTheBpffsAndTheBpfCapabilitiesAndNothingElseChanges() {
    RenderedChart chart = RenderedChart.parse(
        helm.template("--set", "agent.backend=ebpf").successfulOutput(), serialization);
    PodSpec pod = chart.get(DaemonSet.class, "palisade-agent").getSpec().getTemplate().getSpec();
    Container agent = onlyContainer(pod);
    Map<String, String> properties = load(new StringReader(
        chart.get(ConfigMap.class, "palisade-agent").getData().get("agent.properties")));

    assertThat(properties).containsEntry("backend", "ebpf").containsEntry("bpffs", "/sys/fs/bpf");
    assertThat(agent.getSecurityContext().getCapabilities().getAdd())
        .containsExactlyInAnyOrder("NET_ADMIN", "NET_RAW", "BPF", "PERFMON");
    assertThat(agent.getSecurityContext().getPrivileged()).isFalse();
    Volume bpffs = pod.getVolumes().stream().filter(volume -> volume.getName().equals("bpffs"))
        .findFirst().orElseThrow();
    assertThat(bpffs.getHostPath().getPath()).isEqualTo("/sys/fs/bpf");
    assertThat(bpffs.getHostPath().getType()).isEqualTo("Directory");
    assertThat(agent.getVolumeMounts()).anySatisfy(mount -> {
      assertThat(mount.getName()).isEqualTo("bpffs");
      assertThat(mount.getMountPath()).isEqualTo("/sys/fs/bpf");
      assertThat(mount.getMountPropagation()).isEqualTo("HostToContainer");
    });
    assertThat(agentProperties(Values.DEFAULT)).containsEntry("backend", "iptables");
  }

  @Test
  void theEbpfBackendRejectsWhenAsked() {
    RenderedChart chart = RenderedChart.parse(helm.template("--set", "agent.backend=ebpf",
        "--set", "agent.denyAction=REJECT").successfulOutput(), serialization);

    assertThat(load(new StringReader(chart.get(ConfigMap.class, "palisade-agent").getData()
        .get("agent.properties")))).containsEntry("backend", "ebpf")
        .containsEntry("deny-action", "REJECT");
  }

  // ---- wrong values ----

  @ParameterizedTest(name = "{0}")
  @CsvFileSource(resources = "wrong-values.csv")
  void wrongValuesFailBeforeInstall(String name, String setting, String expectedInMessage) {
    Helm.Result result = helm.template("--set", setting);

    assertThat(result.exitCode()).as("helm template --set %s", setting).isNotZero();
    assertThat(result.stderr()).contains(expectedInMessage);
  }

  // ---- helpers ----

  private static Container onlyContainer(PodSpec pod) {
    assertThat(pod.getContainers()).hasSize(1);
    assertThat(pod.getInitContainers()).isEmpty();
    return pod.getContainers().get(0);
  }

  private static Map<String, String> fieldRefs(Container container) {
    Map<String, String> result = new TreeMap<>();
    for (EnvVar variable : container.getEnv()) {
      result.put(variable.getName(), variable.getValueFrom().getFieldRef().getFieldPath());
    }
    return result;
  }

  private static Map<String, String> agentProperties(Values values) {
    ConfigMap config = values.render().get(ConfigMap.class, values.agent());
    return load(new StringReader(config.getData().get("agent.properties")));
  }

  private static Map<String, String> load(Reader propertiesText) {
    Properties properties = new Properties();
    try {
      properties.load(propertiesText);
    } catch (IOException e) {
      throw new AssertionError("not a properties file", e);
    }
    Map<String, String> result = new TreeMap<>();
    properties.stringPropertyNames().forEach(key -> result.put(key, properties.getProperty(key)));
    return result;
  }

  private static String configChecksum(Values values) {
    return values.render().get(DaemonSet.class, values.agent())
        .getSpec().getTemplate().getMetadata().getAnnotations().get("checksum/config");
  }

  private static void assertBoundToServiceAccount(RenderedChart chart, String name) {
    Subject serviceAccount = new Subject(null, "ServiceAccount", name, Helm.NAMESPACE);
    ClusterRoleBinding clusterBinding = chart.get(ClusterRoleBinding.class, name);
    RoleBinding binding = chart.get(RoleBinding.class, name);

    assertThat(clusterBinding.getRoleRef().getKind()).isEqualTo("ClusterRole");
    assertThat(clusterBinding.getRoleRef().getName()).isEqualTo(name);
    assertThat(clusterBinding.getSubjects()).containsExactly(serviceAccount);
    assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
    assertThat(binding.getRoleRef().getName()).isEqualTo(name);
    assertThat(binding.getSubjects()).containsExactly(serviceAccount);
    assertThat(chart.get(ServiceAccount.class, name).getMetadata().getNamespace()).isEqualTo(Helm.NAMESPACE);
  }

  private static Set<Grant> union(Set<Grant> first, Set<Grant> second) {
    Set<Grant> result = new TreeSet<>(first);
    result.addAll(second);
    return result;
  }
}
