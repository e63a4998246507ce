package dev.palisade.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.MockResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ConcurrentModificationException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * The mock server's CRUD dispatcher, plus list pages as a real API server serves them: a list
 * with {@code limit} returns at most that many items and a {@code continue} token for the rest,
 * all pages taken from one snapshot of the list (the fabric8 mock server ignores both
 * parameters). The agent lists in pages, so that a 50,000-pod cluster is never in its heap in
 * full at once; without this, the embedded server would hand it everything in one response.
 * A token whose snapshot is gone (served to its end, or never issued) is answered 410 Gone, as
 * an expired continue token is.
 */
final class PagingCrudDispatcher extends KubernetesCrudDispatcher {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One list being paged through: its apiVersion, kind and metadata, and each item's JSON. */
  private record Snapshot(ObjectNode header, List<String> items) {}

  /** Lists being paged through, by snapshot id (the token is "id:offset"). */
  private final Map<String, Snapshot> snapshots = new ConcurrentHashMap<>();
  private final AtomicLong snapshotIds = new AtomicLong();

  @Override
  public MockResponse handleGet(String path) {
    int queryStart = path.indexOf('?');
    Map<String, String> query = queryOf(queryStart < 0 ? "" : path.substring(queryStart + 1));
    String limit = query.remove("limit");
    String token = query.remove("continue");
    if (limit == null || Integer.parseInt(limit) <= 0) {
      return super.handleGet(path);
    }
    String snapshot;
    int offset;
    if (token == null) {
      String unpaged = (queryStart < 0 ? path : path.substring(0, queryStart)) + queryText(query);
      List<String> items = matching(unpaged);
      if (items.isEmpty()) {
        return super.handleGet(unpaged);
      }
      snapshot = Long.toString(snapshotIds.incrementAndGet());
      offset = 0;
      snapshots.put(snapshot, new Snapshot(listHeader(items.get(0)), items));
    } else {
      String[] parts = token.split(":", 2);
      snapshot = parts[0];
      offset = Integer.parseInt(parts[1]);
    }
    Snapshot list = snapshots.get(snapshot);
    if (list == null) {
      return new MockResponse().setResponseCode(410).setBody("{\"kind\":\"Status\","
          + "\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"Expired\",\"code\":410,"
          + "\"message\":\"the continue token is no longer valid\"}");
    }
    return new MockResponse().setResponseCode(200)
        .setBody(page(list, snapshot, offset, Integer.parseInt(limit)));
  }

  private String page(Snapshot list, String snapshot, int offset, int limit) {
    int end = Math.min(list.items().size(), offset + limit);
    ObjectNode header = list.header().deepCopy();
    ObjectNode metadata = header.with("metadata");
    if (end < list.items().size()) {
      metadata.put("continue", snapshot + ":" + end);
    } else {
      snapshots.remove(snapshot);
    }
    String text = header.toString();
    return text.substring(0, text.length() - 1) + ",\"items\":["
        + String.join(",", list.items().subList(offset, end)) + "]}";
  }

  /**
   * The stored JSON of every object a list at {@code path} returns, without composing the list
   * (the mock server builds one string of all of them, then the page would be cut from it).
   * Read without the dispatcher's lock, which is private: a write at the same moment makes the
   * read start again.
   */
  private List<String> matching(String path) {
    AttributeSet query = getAttributeExtractor().fromPath(path);
    while (true) {
      try {
        return getMap().entrySet().stream().filter(entry -> entry.getKey().matches(query))
            .map(Map.Entry::getValue).toList();
      } catch (ConcurrentModificationException e) {
        Thread.onSpinWait();
      }
    }
  }

  /** apiVersion, kind ("PodList") and metadata.resourceVersion of a list holding this item. */
  private ObjectNode listHeader(String item) {
    try {
      JsonNode first = JSON.readTree(item);
      ObjectNode header = JSON.createObjectNode();
      header.set("apiVersion", first.get("apiVersion"));
      header.put("kind", first.path("kind").asText() + "List");
      header.putObject("metadata").put("resourceVersion",
          Long.toString(requestResourceVersion()));
      return header;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, String> queryOf(String text) {
    Map<String, String> query = new LinkedHashMap<>();
    for (String pair : text.split("&")) {
      if (!pair.isEmpty()) {
        String[] parts = pair.split("=", 2);
        query.put(URLDecoder.decode(parts[0], StandardCharsets.UTF_8),
            parts.length < 2 ? "" : URLDecoder.decode(parts[1], StandardCharsets.UTF_8));
      }
    }
    return query;
  }

  private static String queryText(Map<String, String> query) {
    return query.isEmpty() ? "" : query.entrySet().stream()
        .map(entry -> URLEncoder.encode(entry.getKey(), StandardCharsets.UTF_8) + "="
            + URLEncoder.encode(entry.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&", "?", ""));
  }
}
