package dev.palisade.e2e.realapi;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;

/**
 * A live Role or ClusterRole of the chart, named after the ServiceAccount it is bound to (the
 * chart's naming).
 *
 * @param namespace the release namespace (a Role's, and the only one it grants in)
 */
record ChartRole(KubernetesClient admin, String namespace, String serviceAccount,
    boolean clusterWide) {

  /** The four roles of a release: each component's ClusterRole and Role. */
  static List<ChartRole> of(KubernetesClient admin, String namespace, String release) {
    return List.of(new ChartRole(admin, namespace, release + "-agent", true),
        new ChartRole(admin, namespace, release + "-agent", false),
        new ChartRole(admin, namespace, release + "-controller", true),
        new ChartRole(admin, namespace, release + "-controller", false));
  }

  List<PolicyRule> rules() {
    return clusterWide
        ? admin.rbac().clusterRoles().withName(serviceAccount).require().getRules()
        : admin.rbac().roles().inNamespace(namespace).withName(serviceAccount).require()
            .getRules();
  }

  void replaceRules(List<PolicyRule> rules) {
    if (clusterWide) {
      admin.rbac().clusterRoles().withName(serviceAccount).edit(role -> {
        role.setRules(rules);
        return role;
      });
    } else {
      admin.rbac().roles().inNamespace(namespace).withName(serviceAccount).edit(role -> {
        role.setRules(rules);
        return role;
      });
    }
  }

  /** Whether this grant of this role allows the request (a Role only in its namespace). */
  boolean allows(RbacGrant grant, AuditLog.Request request) {
    return (clusterWide || namespace.equals(request.namespace())) && grant.allows(request);
  }

  @Override
  public String toString() {
    return (clusterWide ? "ClusterRole " : "Role ") + serviceAccount;
  }
}
