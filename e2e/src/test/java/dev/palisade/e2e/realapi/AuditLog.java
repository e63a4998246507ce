package dev.palisade.e2e.realapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * The requests a ServiceAccount made, read from the API server's audit log ({@link
 * ControlPlane#auditLog()}): the proof of which API calls a component really makes, so that its
 * RBAC can be checked against them.
 */
final class AuditLog {
  /**
   * What every authenticated user may do (the built-in roles system:basic-user and
   * system:discovery), not the chart's business: JOSDK asks for a SelfSubjectRulesReview.
   */
  private static final Set<String> GRANTED_TO_EVERYONE = Set.of(
      "selfsubjectrulesreviews", "selfsubjectaccessreviews", "selfsubjectreviews");
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One distinct resource request.
   *
   * @param apiGroup "" for the core group
   * @param namespace "" for a cluster-scoped object or an all-namespaces request
   * @param name "" unless the request names one object (also a list or watch with a
   *     {@code metadata.name} field selector, which RBAC treats as naming it)
   * @param code the HTTP status the API server answered
   */
  record Request(String verb, String apiGroup, String resource, String namespace, String name,
      int code) implements Comparable<Request> {

    @Override
    public int compareTo(Request other) {
      return toString().compareTo(other.toString());
    }

    @Override
    public String toString() {
      return verb + " " + (apiGroup.isEmpty() ? "core" : apiGroup) + "/" + resource
          + (namespace.isEmpty() ? "" : " in " + namespace)
          + (name.isEmpty() ? "" : " named " + name) + " -> " + code;
    }
  }

  private AuditLog() {}

  /**
   * The distinct resource requests of {@code system:serviceaccount:namespace:name} so far,
   * without those every user may make.
   */
  static Set<Request> requestsOf(ControlPlane plane, String namespace, String serviceAccount) {
    String user = "system:serviceaccount:" + namespace + ":" + serviceAccount;
    Set<Request> requests = new TreeSet<>();
    try (var lines = Files.lines(plane.auditLog())) {
      lines.map(AuditLog::parse)
          .filter(event -> user.equals(event.path("user").path("username").asText())
              && event.has("objectRef") && event.has("responseStatus"))
          .map(AuditLog::request)
          .filter(request -> !GRANTED_TO_EVERYONE.contains(request.resource()))
          .forEach(requests::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return requests;
  }

  private static Request request(JsonNode event) {
    JsonNode object = event.path("objectRef");
    return new Request(event.path("verb").asText(), object.path("apiGroup").asText(""),
        object.path("resource").asText(), object.path("namespace").asText(""),
        object.path("name").asText(""), event.path("responseStatus").path("code").asInt());
  }

  private static JsonNode parse(String line) {
    try {
      return JSON.readTree(line);
    } catch (IOException e) {
      throw new UncheckedIOException("not an audit event: " + line, e);
    }
  }
}
