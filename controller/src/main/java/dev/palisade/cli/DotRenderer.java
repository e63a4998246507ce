package dev.palisade.cli;

import dev.palisade.model.ObjectRef;
import dev.palisade.scenario.Reachability;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Graphviz: one digraph per panel, namespaces as clusters, endpoint pods as nodes, an edge for
 * every allowed connection between two different pods. The connection {@code explain} asked
 * about is drawn red (and dashed when denied), so it shows even when it is not allowed.
 */
final class DotRenderer {

  String render(Picture picture) {
    StringBuilder dot = new StringBuilder();
    for (Picture.Panel panel : picture.panels()) {
      String title = Stream.of(picture.title(), panel.group(), panel.label())
          .filter(part -> !part.isEmpty()).collect(Collectors.joining(", "));
      dot.append("digraph ").append(quote(title)).append(" {\n")
          .append("  label=").append(quote(title)).append("; labelloc=t; rankdir=LR;\n")
          .append("  node [shape=box, style=\"rounded,filled\", fillcolor=\"#eef3fb\"];\n")
          .append("  edge [color=\"#2e7d32\"];\n");
      namespaces(panel.matrix().pods()).forEach((namespace, pods) -> {
        dot.append("  subgraph ").append(quote("cluster_" + namespace)).append(" {\n")
            .append("    label=").append(quote(namespace)).append(";\n");
        pods.forEach(pod -> dot.append("    ").append(quote(pod.toString()))
            .append(" [label=").append(quote(pod.name())).append("];\n"));
        dot.append("  }\n");
      });
      for (ObjectRef source : panel.matrix().pods()) {
        for (ObjectRef destination : panel.matrix().pods()) {
          edge(panel, source, destination, dot);
        }
      }
      dot.append("}\n");
    }
    return dot.toString();
  }

  private static void edge(Picture.Panel panel, ObjectRef source, ObjectRef destination,
      StringBuilder dot) {
    boolean allowed = panel.observed(source, destination) == Reachability.ALLOWED;
    boolean focus = panel.isFocus(source, destination);
    if (!focus && (!allowed || source.equals(destination))) {
      return;
    }
    dot.append("  ").append(quote(source.toString())).append(" -> ")
        .append(quote(destination.toString()));
    if (focus) {
      dot.append(allowed ? " [color=red, penwidth=2.5]"
          : " [color=red, penwidth=2.5, style=dashed, label=denied]");
    }
    dot.append(";\n");
  }

  private static Map<String, List<ObjectRef>> namespaces(List<ObjectRef> pods) {
    return pods.stream().collect(Collectors.groupingBy(ObjectRef::namespace, TreeMap::new,
        Collectors.toList()));
  }

  /**
   * A DOT quoted string. A backslash is doubled too: in a label Graphviz reads it as the start of
   * an escape such as {@code \N} (the node's name).
   */
  static String quote(String text) {
    return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
