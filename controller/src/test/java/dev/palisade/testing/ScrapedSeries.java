package dev.palisade.testing;

import java.util.Set;
import java.util.TreeSet;

/** The series names of a Prometheus text exposition ({@code name{labels} value} lines). */
public final class ScrapedSeries {
  private ScrapedSeries() {}

  public static Set<String> names(String exposition) {
    Set<String> names = new TreeSet<>();
    exposition.lines()
        .filter(line -> !line.isBlank() && !line.startsWith("#"))
        .map(line -> line.split("[{ ]", 2)[0])
        .forEach(names::add);
    return names;
  }
}
