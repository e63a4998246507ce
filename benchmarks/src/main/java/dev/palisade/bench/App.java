package dev.palisade.bench;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import dev.palisade.model.ContainerPort;
import dev.palisade.model.Protocol;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The applications a synthetic cluster runs, with the tier and the named container ports a real
 * deployment of them would have. The same port name maps to different numbers in different apps
 * ({@code http} is 8080, 80, 3000, ...), as in real clusters, so named ports resolve per pod.
 */
enum App {
  WEB("frontend", http(8080), metrics(9090)),
  GATEWAY("frontend", http(80), metrics(9113)),
  API("backend", http(8080), grpc(9000), metrics(9090)),
  AUTH("backend", http(3000), grpc(9001), metrics(9090)),
  ORDERS("backend", http(8080), grpc(9000), metrics(9090)),
  CART("backend", http(8081), metrics(9090)),
  SEARCH("backend", http(9200), metrics(9114)),
  CATALOG("backend", http(8080), grpc(50051), metrics(9090)),
  PAYMENTS("backend", http(8443), grpc(9000), metrics(9090)),
  NOTIFICATIONS("worker", http(8080), metrics(9090)),
  WORKER("worker", metrics(9090)),
  REDIS("cache", tcp("redis", 6379), metrics(9121)),
  POSTGRES("db", tcp("postgres", 5432), metrics(9187)),

  COREDNS("system", ImmutableMap.of("k8s-app", "kube-dns"),
      new ContainerPort("dns", 53, Protocol.UDP), tcp("dns-tcp", 53), metrics(9153)),
  METRICS_SERVER("system", tcp("https", 4443)),
  PROMETHEUS("monitoring", http(9090)),
  ALERTMANAGER("monitoring", http(9093)),
  GRAFANA("monitoring", http(3000));

  /** Apps that tenant namespaces run; the others live in the system namespaces. */
  static final List<App> TENANT_APPS = Arrays.stream(values())
      .filter(app -> !app.tier.equals("system") && !app.tier.equals("monitoring"))
      .toList();

  final String label;
  final String tier;
  /** Labels beyond app, tier, team, env and version, e.g. CoreDNS's {@code k8s-app}. */
  final ImmutableMap<String, String> extraLabels;
  final ImmutableList<ContainerPort> ports;

  App(String tier, ContainerPort... ports) {
    this(tier, ImmutableMap.of(), ports);
  }

  App(String tier, ImmutableMap<String, String> extraLabels, ContainerPort... ports) {
    this.label = name().toLowerCase(Locale.ROOT).replace('_', '-');
    this.tier = tier;
    this.extraLabels = extraLabels;
    this.ports = ImmutableList.copyOf(ports);
  }

  private static ContainerPort http(int port) {
    return tcp("http", port);
  }

  private static ContainerPort grpc(int port) {
    return tcp("grpc", port);
  }

  private static ContainerPort metrics(int port) {
    return tcp("metrics", port);
  }

  private static ContainerPort tcp(String name, int port) {
    return new ContainerPort(name, port, Protocol.TCP);
  }
}
