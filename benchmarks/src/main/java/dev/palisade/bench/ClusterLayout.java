package dev.palisade.bench;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableListMultimap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Which namespaces a synthetic cluster has and which workloads run in each: the skeleton that
 * both the pods and the policies are generated from, so that policies name labels that pods
 * really carry.
 *
 * <p>Pods are spread evenly over the namespaces; a tenant namespace runs three to eight
 * different apps, the system namespaces run DNS and monitoring.
 */
record ClusterLayout(
    ImmutableList<NamespacePlan> namespaces,
    ImmutableListMultimap<NamespacePlan, Workload> workloads) {

  static final String DNS_NAMESPACE = "kube-system";
  static final String MONITORING_NAMESPACE = "monitoring";
  static final List<String> TEAMS = List.of(
      "payments", "checkout", "search", "identity", "catalog", "growth", "data", "media",
      "support", "ads");
  static final List<String> ENVS = List.of("prod", "staging", "dev");

  private static final List<App> DNS_APPS = List.of(App.COREDNS, App.METRICS_SERVER);
  private static final List<App> MONITORING_APPS =
      List.of(App.PROMETHEUS, App.ALERTMANAGER, App.GRAFANA);
  private static final int MIN_TENANT_APPS = 3;
  private static final int MAX_TENANT_APPS = 8;

  static ClusterLayout plan(ClusterSize size, Random random) {
    List<NamespacePlan> namespaces = new ArrayList<>();
    namespaces.add(new NamespacePlan(DNS_NAMESPACE, "platform", "prod"));
    namespaces.add(new NamespacePlan(MONITORING_NAMESPACE, "platform", "prod"));
    for (int i = 0; i < size.tenantNamespaces(); i++) {
      String team = TEAMS.get(i % TEAMS.size());
      String env = ENVS.get((i / TEAMS.size()) % ENVS.size());
      namespaces.add(new NamespacePlan(String.format("%s-%s-%02d", team, env, i), team, env));
    }
    ImmutableListMultimap.Builder<NamespacePlan, Workload> workloads =
        ImmutableListMultimap.builder();
    for (int i = 0; i < namespaces.size(); i++) {
      NamespacePlan namespace = namespaces.get(i);
      int pods = size.pods() / size.namespaces() + (i < size.pods() % size.namespaces() ? 1 : 0);
      List<App> apps = appsFor(namespace, pods, random);
      for (int a = 0; a < apps.size(); a++) {
        // replicas dealt round-robin: the first apps get the remainder
        int replicas = pods / apps.size() + (a < pods % apps.size() ? 1 : 0);
        workloads.put(namespace, Workload.of(namespace, apps.get(a), replicas));
      }
    }
    return new ClusterLayout(ImmutableList.copyOf(namespaces), workloads.build());
  }

  private static List<App> appsFor(NamespacePlan namespace, int pods, Random random) {
    List<App> candidates;
    int count;
    if (namespace.name().equals(DNS_NAMESPACE)) {
      candidates = DNS_APPS;
      count = candidates.size();
    } else if (namespace.name().equals(MONITORING_NAMESPACE)) {
      candidates = MONITORING_APPS;
      count = candidates.size();
    } else {
      candidates = new ArrayList<>(App.TENANT_APPS);
      Collections.shuffle(candidates, random);
      count = MIN_TENANT_APPS + random.nextInt(MAX_TENANT_APPS - MIN_TENANT_APPS + 1);
    }
    return List.copyOf(candidates.subList(0, Math.min(count, pods)));
  }

  /** The namespaces that hold tenant workloads (every one but the system namespaces). */
  List<NamespacePlan> tenantNamespaces() {
    return namespaces.subList(ClusterSize.SYSTEM_NAMESPACES, namespaces.size());
  }
}
