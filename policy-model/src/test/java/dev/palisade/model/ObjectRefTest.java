package dev.palisade.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ObjectRefTest {

  @Test
  void parsesNamespaceSlashName() {
    ObjectRef ref = ObjectRef.parse("kube-system/coredns-7d4f");

    assertThat(ref).isEqualTo(ObjectRef.of("kube-system", "coredns-7d4f"));
    assertThat(ref).hasToString("kube-system/coredns-7d4f");
  }

  @ParameterizedTest(name = "[{0}]")
  @ValueSource(strings = {"", "name", "/name", "ns/", "/", "ns/name/extra", "a//b"})
  void rejectsAnythingButExactlyOneSlashBetweenTwoParts(String text) {
    assertThatThrownBy(() -> ObjectRef.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("expected namespace/name, got '" + text + "'");
  }

  @Test
  void ordersByNamespaceThenName() {
    assertThat(ObjectRef.of("a", "z")).isLessThan(ObjectRef.of("b", "a"));
    assertThat(ObjectRef.of("a", "a")).isLessThan(ObjectRef.of("a", "b"));
  }

  @Test
  void rejectsEmptyParts() {
    assertThatThrownBy(() -> ObjectRef.of("", "a")).hasMessage("namespace must not be empty");
    assertThatThrownBy(() -> ObjectRef.of("x", null)).hasMessage("name must not be empty");
  }
}
