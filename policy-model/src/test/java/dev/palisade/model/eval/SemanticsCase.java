package dev.palisade.model.eval;

import dev.palisade.model.testing.TestCluster;
import java.util.List;
import org.assertj.core.api.SoftAssertions;

/**
 * A named semantics case: objects applied on top of the reference cluster (namespaces x, y, z
 * with pods a, b, c; see {@link TestCluster#reference()}), then probes with their expected
 * verdicts. All probes are checked and every mismatch is reported with the verdict's reasons.
 */
record SemanticsCase(String name, List<?> objects, List<Probe> probes) {

  static SemanticsCase of(String name, List<?> objects, Probe... probes) {
    return new SemanticsCase(name, objects, List.of(probes));
  }

  void verify() {
    TestCluster cluster = TestCluster.reference().applyAll(objects);
    verifyProbes(cluster, probes);
  }

  static void verifyProbes(TestCluster cluster, List<Probe> probes) {
    SoftAssertions softly = new SoftAssertions();
    for (Probe probe : probes) {
      Verdict verdict = cluster.verdict(probe.from(), probe.to(), probe.traffic(), probe.family());
      softly.assertThat(verdict.allowed())
          .as("%s, but the evaluator said %s", probe, verdict.explain())
          .isEqualTo(probe.allowed());
    }
    softly.assertAll();
  }

  @Override
  public String toString() {
    return name;
  }
}
