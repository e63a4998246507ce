package dev.palisade.demo;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

  /**
   * One list being paged through: its apiVersion, kind and metadata, and each item's JSON text
   * (kept as text: a 50,000-pod list as a tree would take gigabytes).
   */
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
      MockResponse full = super.handleGet(unpaged);
      Optional<Snapshot> list = readList(full.getBody().readUtf8());
      if (list.isEmpty()) {
        return full; // one object, or an error
      }
      snapshot = Long.toString(snapshotIds.incrementAndGet());
      offset = 0;
      snapshots.put(snapshot, list.get());
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

  /** A list response split into its header and the text of each item; empty if no list. */
  private static Optional<Snapshot> readList(String json) {
    ObjectNode header = JSON.createObjectNode();
    List<String> items = new ArrayList<>();
    boolean isList = false;
    try (JsonParser parser = JSON.getFactory().createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return Optional.empty();
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if (field.equals("items") && value == JsonToken.START_ARRAY) {
          isList = true;
          while (parser.nextToken() != JsonToken.END_ARRAY) {
            StringWriter item = new StringWriter();
            try (JsonGenerator generator = JSON.getFactory().createGenerator(item)) {
              generator.copyCurrentStructure(parser);
            }
            items.add(item.toString());
          }
        } else {
          header.set(field, JSON.readTree(parser));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return isList ? Optional.of(new Snapshot(header, items)) : Optional.empty();
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
