package dev.palisade.e2e.realapi;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks an installed release of the chart on any cluster, with a cluster admin's client and
 * without changing anything: the release namespace admits the agent (Pod Security), the API
 * server's authorizer allows every request of {@link ChartRequests} to the component's
 * ServiceAccount, and the chart's roles grant nothing else. {@link ReleaseCheckTest} is the entry
 * point for a kubeconfig; {@link ChartRbacTest} runs it on the test control plane.
 */
record ReleaseCheck(KubernetesClient admin, String namespace, String release) {
  private static final String ENFORCE_LABEL = "pod-security.kubernetes.io/enforce";

  /** What is wrong, one sentence each; empty when the release passes. */
  List<String> problems() {
    List<String> problems = new ArrayList<>();
    Namespace releaseNamespace = admin.namespaces().withName(namespace).get();
    if (releaseNamespace == null) {
      return List.of("namespace " + namespace + " does not exist");
    }
    String level = releaseNamespace.getMetadata().getLabels().getOrDefault(ENFORCE_LABEL,
        "privileged");
    if (!level.equals("privileged")) {
      problems.add("namespace " + namespace + " enforces Pod Security level " + level
          + "; the agent needs privileged");
    }
    Map<String, List<ChartRequests.Request>> needed = ChartRequests.allowedTo(release);
    needed.forEach((serviceAccount, requests) -> requests.stream()
        .filter(request -> !allowed(serviceAccount, request.in(namespace)))
        .forEach(request -> problems.add(serviceAccount + " may not " + request)));
    for (ChartRole role : ChartRole.of(admin, namespace, release)) {
      List<ChartRequests.Request> requests = needed.get(role.serviceAccount());
      RbacGrant.of(role.rules()).stream()
          .filter(grant -> requests.stream()
              .noneMatch(request -> role.allows(grant, request.in(namespace))))
          .forEach(grant -> problems.add(role + " grants " + grant + ", which "
              + role.serviceAccount() + " does not use"));
    }
    return problems;
  }

  /** The authorizer's answer for the ServiceAccount of the release and this request. */
  private boolean allowed(String serviceAccount, AuditLog.Request request) {
    return admin.authorization().v1().subjectAccessReview().create(
        new SubjectAccessReviewBuilder().withNewSpec()
            .withUser("system:serviceaccount:" + namespace + ":" + serviceAccount)
            .withGroups("system:serviceaccounts", "system:serviceaccounts:" + namespace,
                "system:authenticated")
            .withNewResourceAttributes().withVerb(request.verb())
            .withGroup(request.apiGroup()).withResource(request.resource())
            .withNamespace(request.namespace()).withName(request.name())
            .endResourceAttributes().endSpec().build())
        .getStatus().getAllowed();
  }
}
