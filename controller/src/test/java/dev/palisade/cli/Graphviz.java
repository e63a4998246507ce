package dev.palisade.cli;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/** Graphviz's {@code dot}: proves that a DOT text parses and lays out, by drawing it as SVG. */
final class Graphviz {
  private Graphviz() {}

  /** Every graph of {@code dot}, drawn as SVG (one document per graph, one after another). */
  static String svg(String dot) throws IOException, InterruptedException {
    return InstalledTool.run(List.of(InstalledTool.require("dot", "graphviz").toString(),
        "-Tsvg"), dot, Duration.ofMinutes(1));
  }
}
