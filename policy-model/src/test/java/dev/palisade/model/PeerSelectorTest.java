package dev.palisade.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A selector is a value: equal parts make equal selectors with equal hashes, wherever built. */
class PeerSelectorTest {
  private static PeerSelector selector(String namespaceLabel, String app) {
    return new PeerSelector(NamespaceScope.matching(LabelSelector.of(Map.of("team",
        namespaceLabel))), LabelSelector.of(Map.of("app", app), List.of(
            new LabelRequirement("tier", LabelRequirement.Operator.EXISTS, null))));
  }

  @Test
  void selectorsBuiltApartFromEqualPartsAreEqualWithEqualHashes() {
    PeerSelector one = selector("blue", "web");
    PeerSelector other = selector("blue", "web");

    assertThat(one).isNotSameAs(other).isEqualTo(other).hasSameHashCodeAs(other);
  }

  @Test
  void selectorsDifferingInTheirNamespacesOrPodsDiffer() {
    PeerSelector one = selector("blue", "web");

    assertThat(one).isNotEqualTo(selector("green", "web")).isNotEqualTo(selector("blue", "db"))
        .isNotEqualTo(PeerSelector.inNamespace("blue", one.pods()));
  }
}
