package dev.palisade.controller;

import com.google.common.collect.ImmutableListMultimap;
import com.google.common.collect.ImmutableSortedMap;
import dev.palisade.testing.ScrapedSeries;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Set;

/**
 * The series names the controller's /metrics serves, from its real meters, with a finding in
 * the analysis so that the per-code gauge exists.
 */
public final class ControllerSeries {
  private ControllerSeries() {}

  public static Set<String> exported() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ClusterAnalysis analysis = new ClusterAnalysis(ImmutableListMultimap.of(),
        new ClusterStats(1, 1, 1, 0, ImmutableSortedMap.of("SelectsNothing", 1)));
    new ControllerMetrics(registry, () -> analysis).registerCodes(analysis);
    return ScrapedSeries.names(registry.scrape());
  }
}
