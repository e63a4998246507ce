package dev.palisade.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
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
import java.util.concurrent.ConcurrentSkipListMap;
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
 *
 * <p>Watches: the mock server replays no history. A watch resumed from a resource version (an
 * informer's watch times out after 5 to 10 minutes and resumes where it was; a server restart)
 * is sent ADDED events for what exists now, so a deletion in between would never reach the
 * watcher, and its cache would keep the deleted object for good. A watch resumed from before
 * the latest deletion is therefore answered as a real API server answers one whose history no
 * longer reaches back: an ERROR event with 410 Expired, upon which the informer lists again.
 * Only a deletion the watch would have seen (its kind, namespace, labels) expires it. Any other
 * watch from a resource version is sent what a real API server sends it, the changes after that
 * version: not the mock server's replay of every stored object as ADDED, which made an
 * informer's first watch, right after its list, deliver the whole cluster a second time (at
 * 50,000 pods, 250 MB of JSON that the agent parsed again while its cold start was measured).
 */
final class PagingCrudDispatcher extends KubernetesCrudDispatcher {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** How many deletions resumed watches are checked against; older ones expire every watch. */
  private static final int DELETIONS_KEPT = 100_000;

  /** One list being paged through: its apiVersion, kind and metadata, and each item's JSON. */
  private record Snapshot(ObjectNode header, List<String> items) {}

  /** Lists being paged through, by snapshot id (the token is "id:offset"). */
  private final Map<String, Snapshot> snapshots = new ConcurrentHashMap<>();
  private final AtomicLong snapshotIds = new AtomicLong();
  /** What each deletion removed, by a resource version issued after it. */
  private final ConcurrentSkipListMap<Long, List<AttributeSet>> deletions =
      new ConcurrentSkipListMap<>();
  /** Deletions up to this resource version are no longer in {@link #deletions}. */
  private final AtomicLong forgottenUpTo = new AtomicLong();

  @Override
  public MockResponse handleDelete(String path) {
    AttributeSet query = getAttributeExtractor().fromPath(path);
    List<AttributeSet> before = keysMatching(query);
    MockResponse response = super.handleDelete(path);
    List<AttributeSet> removed = before.stream()
        .filter(key -> !getMap().containsKey(key)).toList();
    if (!removed.isEmpty()) {
      deletions.put(requestResourceVersion(), removed);
      while (deletions.size() > DELETIONS_KEPT) {
        forgottenUpTo.accumulateAndGet(deletions.pollFirstEntry().getKey(), Math::max);
      }
    }
    return response;
  }

  @Override
  public MockResponse handleWatch(String path) {
    int queryStart = path.indexOf('?');
    String from = queryOf(queryStart < 0 ? "" : path.substring(queryStart + 1))
        .getOrDefault("resourceVersion", "");
    if (!from.matches("[1-9][0-9]{0,17}")) {
      return super.handleWatch(path);
    }
    if (!deletedSince(Long.parseLong(from), getAttributeExtractor().fromPath(path))) {
      MockResponse replaying = super.handleWatch(path);
      return new MockResponse().withWebSocketUpgrade(
          new ChangesSince(Long.parseLong(from), replaying.getWebSocketListener()));
    }
    String expired = "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\","
        + "\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
        + "\"reason\":\"Expired\",\"code\":410,\"message\":\"too old resource version: "
        + from + " (objects of this watch were deleted since)\"}}";
    return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
      @Override
      public void onOpen(WebSocket socket, Response response) {
        socket.send(expired);
        socket.close(1000, "resource version expired");
      }
    });
  }

  /**
   * The mock server's watch listener, minus its replay: an ADDED event of an object whose
   * resource version is not after the watch's is one the watcher has already seen. Deletions
   * pass whatever their version (the mock server sends the object as stored), and so does every
   * event of an object written after the watch's version.
   */
  private static final class ChangesSince extends WebSocketListener {
    private final long from;
    private final WebSocketListener replaying;
    private volatile WebSocket filtered;

    ChangesSince(long from, WebSocketListener replaying) {
      this.from = from;
      this.replaying = replaying;
    }

    @Override
    public void onOpen(WebSocket socket, Response response) {
      replaying.onOpen(filtering(socket), response);
    }

    @Override
    public void onMessage(WebSocket socket, String text) {
      replaying.onMessage(filtering(socket), text);
    }

    @Override
    public void onClosing(WebSocket socket, int code, String reason) {
      replaying.onClosing(filtering(socket), code, reason);
    }

    @Override
    public void onClosed(WebSocket socket, int code, String reason) {
      replaying.onClosed(filtering(socket), code, reason);
    }

    @Override
    public void onFailure(WebSocket socket, Throwable failure, Response response) {
      replaying.onFailure(filtering(socket), failure, response);
    }

    private WebSocket filtering(WebSocket socket) {
      if (filtered == null) {
        filtered = new WebSocket() {
          @Override
          public RecordedRequest request() {
            return socket.request();
          }

          @Override
          public boolean send(String text) {
            return seenAlready(text) || socket.send(text);
          }

          @Override
          public boolean send(byte[] bytes) {
            return socket.send(bytes);
          }

          @Override
          public boolean close(int code, String reason) {
            return socket.close(code, reason);
          }
        };
      }
      return filtered;
    }

    private boolean seenAlready(String event) {
      try {
        JsonNode node = JSON.readTree(event);
        String version = node.path("object").path("metadata").path("resourceVersion").asText();
        return "ADDED".equals(node.path("type").asText()) && version.matches("[0-9]{1,18}")
            && Long.parseLong(version) <= from;
      } catch (IOException e) {
        return false;
      }
    }
  }

  /** Whether an object the watch would see was deleted after {@code version}, maybe. */
  private boolean deletedSince(long version, AttributeSet watched) {
    return version < forgottenUpTo.get() || deletions.tailMap(version, false).values().stream()
        .flatMap(List::stream).anyMatch(key -> key.matches(watched));
  }

  private List<AttributeSet> keysMatching(AttributeSet query) {
    while (true) {
      try {
        return getMap().keySet().stream().filter(key -> key.matches(query)).toList();
      } catch (ConcurrentModificationException e) {
        Thread.onSpinWait();
      }
    }
  }

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
