package dev.palisade.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.io.Resources;
import dev.palisade.model.ObjectRef;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * One self-contained HTML page (inline CSS, script and SVG; it fetches nothing) with the
 * picture's matrices as a heat map and as a graph of namespaces and pods, one panel at a time
 * by a selector. The page's script ({@code picture.html}) draws both from the picture as JSON
 * in a {@code <script type="application/json">} element, so every name reaches the page as a
 * string of data that the script puts into text nodes, never into markup.
 */
final class HtmlRenderer {
  private static final String TEMPLATE = "picture.html";
  private static final String DATA_MARK = "{{picture}}";

  private final ObjectMapper mapper = new ObjectMapper()
      .enable(JsonGenerator.Feature.ESCAPE_NON_ASCII);

  String render(Picture picture) {
    return template().replace(DATA_MARK, scriptSafe(json(picture)));
  }

  private String json(Picture picture) {
    ObjectNode root = mapper.createObjectNode();
    root.put("title", picture.title());
    ArrayNode panels = root.putArray("panels");
    picture.panels().forEach(panel -> panel(panels.addObject(), panel));
    try {
      return mapper.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of strings always serializes", e);
    }
  }

  private static void panel(ObjectNode node, Picture.Panel panel) {
    node.put("group", panel.group());
    node.put("label", panel.label());
    List<ObjectRef> pods = panel.matrix().pods();
    ArrayNode podNodes = node.putArray("pods");
    pods.forEach(pod -> podNodes.addObject()
        .put("namespace", pod.namespace()).put("name", pod.name()));
    ArrayNode rows = node.putArray("cells");
    for (ObjectRef source : pods) {
      ArrayNode row = rows.addArray();
      for (ObjectRef destination : pods) {
        ObjectNode cell = row.addObject()
            .put("observed", panel.observed(source, destination).word())
            .put("reasons", panel.reasons().get(source, destination));
        panel.expected(source, destination).ifPresent(expected ->
            cell.put("expected", expected.word()));
        if (panel.isFocus(source, destination)) {
          cell.put("focus", true);
        }
      }
    }
  }

  /**
   * JSON inside a script element ends at the first {@code </script}, whatever JSON thinks of
   * it: {@code <}, {@code >} and {@code &} can only occur in JSON strings, where their
   * {@code \}{@code u} escapes mean the same characters.
   */
  private static String scriptSafe(String json) {
    return json.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026");
  }

  private static String template() {
    try {
      return Resources.toString(Resources.getResource(HtmlRenderer.class, TEMPLATE), UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
