package dev.palisade.e2e.realapi;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The API requests the chart's components make, per ServiceAccount: what their RBAC must allow
 * and all it should allow. {@link ChartRbacTest} proves the list against a real API server's
 * audit log (every audited request is in it, every entry was audited); {@link ReleaseCheck}
 * checks a release on any cluster against it.
 */
final class ChartRequests {

  /** Where a request goes. */
  enum Scope {
    /** Cluster-scoped objects, or a namespaced kind across all namespaces. */
    CLUSTER,
    /** The release namespace. */
    RELEASE_NAMESPACE,
    /**
     * Any one namespace (the controller's Events go to the policy's namespace, the agent's to
     * "default", where Node Events live).
     */
    EACH_NAMESPACE
  }

  /**
   * One request.
   *
   * @param name the object the request names, or "" for any (generated names: pods, nodes,
   *     Events)
   */
  record Request(String verb, String apiGroup, String resource, Scope scope, String name) {

    /** Whether the audited request is this one, for a release in {@code namespace}. */
    boolean matches(AuditLog.Request audited, String namespace) {
      boolean inScope = switch (scope) {
        case CLUSTER -> audited.namespace().isEmpty();
        case RELEASE_NAMESPACE -> audited.namespace().equals(namespace);
        case EACH_NAMESPACE -> !audited.namespace().isEmpty();
      };
      return inScope && verb.equals(audited.verb()) && apiGroup.equals(audited.apiGroup())
          && resource.equals(audited.resource())
          && (name.isEmpty() || name.equals(audited.name()));
    }

    /** The request as an authorizer sees it, for a release in {@code namespace}. */
    AuditLog.Request in(String namespace) {
      return new AuditLog.Request(verb, apiGroup, resource,
          scope == Scope.RELEASE_NAMESPACE ? namespace : "", name, 0);
    }

    @Override
    public String toString() {
      return verb + " " + (apiGroup.isEmpty() ? "core" : apiGroup) + "/" + resource + " ("
          + scope.name().toLowerCase(Locale.ROOT) + (name.isEmpty() ? "" : ", " + name)
          + ")";
    }
  }

  private ChartRequests() {}

  /**
   * What each ServiceAccount of a release must be allowed, by name: its component's requests,
   * and for the controller also what JOSDK's start check asks for.
   */
  static Map<String, List<Request>> allowedTo(String release) {
    List<Request> controller = new ArrayList<>(controller(release));
    controller.addAll(controllerStartCheck(release));
    return Map.of(release + "-agent", agent(release),
        release + "-controller", List.copyOf(controller));
  }

  /**
   * The agent's requests (with failClosed, which adds reading its Node; and with a foreign rule
   * holding one of its chains, which adds an Event on its Node). Its report Lease is named after
   * its node, hence no name here.
   */
  static List<Request> agent(String release) {
    return withInformers(
        new Request("get", "", "nodes", Scope.CLUSTER, ""),
        new Request("create", "", "events", Scope.EACH_NAMESPACE, ""),
        new Request("get", "", "pods", Scope.RELEASE_NAMESPACE, ""),
        new Request("list", "apps", "daemonsets", Scope.RELEASE_NAMESPACE, release + "-agent"),
        new Request("watch", "apps", "daemonsets", Scope.RELEASE_NAMESPACE, release + "-agent"),
        new Request("create", "coordination.k8s.io", "leases", Scope.RELEASE_NAMESPACE, ""),
        new Request("get", "coordination.k8s.io", "leases", Scope.RELEASE_NAMESPACE, ""),
        new Request("update", "coordination.k8s.io", "leases", Scope.RELEASE_NAMESPACE, ""));
  }

  /** The controller's requests while it leads, publishes and resolves a finding. */
  static List<Request> controller(String release) {
    String lease = release + "-controller-leader";
    return withInformers(
        new Request("get", "coordination.k8s.io", "leases", Scope.RELEASE_NAMESPACE, lease),
        new Request("patch", "coordination.k8s.io", "leases", Scope.RELEASE_NAMESPACE, lease),
        new Request("list", "coordination.k8s.io", "leases", Scope.RELEASE_NAMESPACE, ""),
        new Request("watch", "coordination.k8s.io", "leases", Scope.RELEASE_NAMESPACE, ""),
        new Request("list", "", "events", Scope.EACH_NAMESPACE, ""),
        new Request("create", "", "events", Scope.EACH_NAMESPACE, ""),
        new Request("update", "", "events", Scope.EACH_NAMESPACE, ""),
        new Request("delete", "", "events", Scope.EACH_NAMESPACE, ""));
  }

  /**
   * What JOSDK 5.2.3's start check asks for (a SelfSubjectRulesReview must show get, create and
   * update on leases) though the controller never sends create or update with the chart's Lease.
   */
  static List<Request> controllerStartCheck(String release) {
    return List.of(
        new Request("create", "coordination.k8s.io", "leases", Scope.RELEASE_NAMESPACE, ""),
        new Request("update", "coordination.k8s.io", "leases", Scope.RELEASE_NAMESPACE,
            release + "-controller-leader"));
  }

  /** Both components' informers (list, then watch, across namespaces) and these requests. */
  private static List<Request> withInformers(Request... others) {
    List<Request> requests = new ArrayList<>();
    for (List<String> kind : List.of(List.of("", "pods"), List.of("", "namespaces"),
        List.of("networking.k8s.io", "networkpolicies"))) {
      for (String verb : List.of("list", "watch")) {
        requests.add(new Request(verb, kind.get(0), kind.get(1), Scope.CLUSTER, ""));
      }
    }
    requests.addAll(List.of(others));
    return List.copyOf(requests);
  }
}
