package dev.palisade.agent;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ExceptionHandler;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the informers meet when the API server refuses or fails them, told so that an operator
 * can act: a 401 points at the agent's credentials, a 403 quotes the permission the API server
 * says is missing. Each kind's trouble is logged when it changes (not at every retry), counted
 * ({@code palisade_api_errors_total{kind,code}}) and kept for the sync's waiting report.
 *
 * <p>The informers always retry, with fabric8's backoff: fabric8's default gives up on an
 * initial list that fails and on a watch closed with an error, which left the agent either
 * exiting (a kubelet restart is no retry strategy) or enforcing forever from a cache nobody
 * updates.
 *
 * <p>Thread-safe: informer threads report, the sync thread reads.
 */
public final class ApiErrors {
  private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);

  private final MeterRegistry registry;
  private final Map<String, String> latestByKind = new ConcurrentHashMap<>();

  ApiErrors(MeterRegistry registry) {
    this.registry = registry;
  }

  /** The handler for one kind's informer: records the failure and always asks for a retry. */
  ExceptionHandler handlerFor(String kind) {
    return (started, failure) -> {
      record(kind, failure);
      return true;
    };
  }

  /** Every watch runs again: whatever trouble there was is over. */
  void watchesRunning() {
    if (!latestByKind.isEmpty()) {
      log.info("the API server answers again");
      latestByKind.clear();
    }
  }

  /** The latest trouble per kind, e.g. "Pod: 403 Forbidden: ..."; empty when there is none. */
  Optional<String> latest() {
    return latestByKind.isEmpty() ? Optional.empty()
        : Optional.of(latestByKind.entrySet().stream()
            .map(entry -> entry.getKey() + ": " + entry.getValue())
            .sorted().collect(Collectors.joining("; ")));
  }

  private void record(String kind, Throwable failure) {
    int code = apiException(failure).map(KubernetesClientException::getCode).orElse(0);
    String description = explain(failure);
    registry.counter("palisade.api.errors", "kind", kind, "code", String.valueOf(code))
        .increment();
    String before = latestByKind.put(kind, description);
    if (!description.equals(before)) {
      log.error("{}: {}; retrying with backoff, the kernel keeps its rules meanwhile", kind,
          description);
    } else {
      log.debug("{}: {} (again)", kind, description);
    }
  }

  /** One failed API request in an operator's terms (what {@link #latest()} reports). */
  public static String explain(Throwable failure) {
    Optional<KubernetesClientException> api = apiException(failure);
    return describe(api.map(KubernetesClientException::getCode).orElse(0),
        api.map(Throwable::getMessage).orElseGet(() -> rootCause(failure)));
  }

  private static String describe(int code, String message) {
    return switch (code) {
      case 401 -> "401 Unauthorized: the API server does not accept the agent's credentials "
          + "(an expired ServiceAccount token, or one whose ServiceAccount was deleted, e.g. by "
          + "helm uninstall)";
      case 403 -> "403 Forbidden: " + message + " (the agent's ClusterRole must grant get, list "
          + "and watch on namespaces, pods and networkpolicies: see helm/README.md)";
      case 0 -> message;
      default -> code + ": " + message;
    };
  }

  /**
   * A failure without an HTTP status, by its innermost cause: "cannot reach the API server:
   * ConnectException" for a network fault, else the cause itself (e.g. JOSDK refusing to start).
   */
  private static String rootCause(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String cause = root.getClass().getSimpleName()
        + (root.getMessage() == null ? "" : ": " + root.getMessage());
    return root instanceof IOException ? "cannot reach the API server: " + cause : cause;
  }

  private static Optional<KubernetesClientException> apiException(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof KubernetesClientException api && api.getCode() > 0) {
        return Optional.of(api);
      }
    }
    return Optional.empty();
  }
}
