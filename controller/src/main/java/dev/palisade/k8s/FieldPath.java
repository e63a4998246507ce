package dev.palisade.k8s;

/**
 * Where in an object a value sits, written as Kubernetes writes field paths in its validation
 * errors: {@code spec.ingress[0].from[1].ipBlock.cidr}. Immutable; the root is the empty path.
 */
public record FieldPath(String text) {

  public static final FieldPath ROOT = new FieldPath("");

  public static FieldPath of(String field) {
    return ROOT.field(field);
  }

  public FieldPath field(String name) {
    return new FieldPath(text.isEmpty() ? name : text + "." + name);
  }

  public FieldPath index(int index) {
    return new FieldPath(text + "[" + index + "]");
  }

  public boolean isRoot() {
    return text.isEmpty();
  }

  @Override
  public String toString() {
    return text;
  }
}
