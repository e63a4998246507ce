package dev.palisade.controller;

import static dev.palisade.controller.ClusterObjects.namespace;
import static dev.palisade.controller.ClusterObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.k8s.ModelConverter;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ModelChangeFilterTest {
  private static final Pod RUNNING = pod("x", "a", "10.0.0.1", "pod", "a");

  private final ModelChangeFilter<Pod, dev.palisade.model.Pod> pods =
      new ModelChangeFilter<>(new ModelConverter()::pod);

  static Stream<Arguments> podUpdates() {
    return Stream.of(
        Arguments.of("a status message: dropped",
            new PodBuilder(RUNNING).editStatus().withMessage("probe ok").endStatus().build(),
            false),
        Arguments.of("an annotation: dropped",
            new PodBuilder(RUNNING).editMetadata().addToAnnotations("note", "x").endMetadata()
                .build(),
            false),
        Arguments.of("a label: passes", pod("x", "a", "10.0.0.1", "pod", "b"), true),
        Arguments.of("a new IP: passes", pod("x", "a", "10.0.0.2", "pod", "a"), true),
        Arguments.of("terminated: passes",
            new PodBuilder(RUNNING).editStatus().withPhase("Succeeded").endStatus().build(),
            true),
        Arguments.of("unreadable: passes, the analysis reports it",
            new PodBuilder(RUNNING).editStatus().withPhase("Exploded").endStatus().build(),
            true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource
  void podUpdates(String name, Pod updated, boolean passes) {
    assertThat(pods.accept(updated, RUNNING)).isEqualTo(passes);
  }

  @Test
  void namespacesPassOnLabelChangesOnly() {
    var namespaces = new ModelChangeFilter<Namespace, dev.palisade.model.Namespace>(
        new ModelConverter()::namespace);
    Namespace before = namespace("x", "team", "blue");

    assertThat(namespaces.accept(namespace("x", "team", "red"), before)).isTrue();
    assertThat(namespaces.accept(new NamespaceBuilder(before)
        .withNewStatus().withPhase("Terminating").endStatus().build(), before)).isFalse();
  }
}
