package dev.palisade.cli;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * {@code --output}: truth tables for people, SCENARIO.md's JSON result for programs, or a
 * picture: a self-contained HTML page or a Graphviz graph.
 */
public enum OutputFormat {
  table,
  json,
  html,
  dot;

  boolean isPicture() {
    return this == html || this == dot;
  }

  String render(Picture picture) {
    return switch (this) {
      case html -> new HtmlRenderer().render(picture);
      case dot -> new DotRenderer().render(picture);
      case table, json -> throw new IllegalStateException(this + " is not a picture");
    };
  }

  /** Refuses (exit 2, naming the option) a format that the command does not print. */
  void requireOneOf(CommandSpec spec, OutputFormat... supported) {
    Set<OutputFormat> formats = EnumSet.copyOf(Arrays.asList(supported));
    if (!formats.contains(this)) {
      throw new ParameterException(spec.commandLine(), "--output " + this + " is not available"
          + " here; choose " + formats.stream().map(OutputFormat::name)
              .collect(Collectors.joining(", ")));
    }
  }
}
