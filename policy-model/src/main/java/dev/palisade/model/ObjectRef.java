package dev.palisade.model;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Comparator;

/** Identity of a namespaced object (pod or policy): namespace and name. */
public record ObjectRef(String namespace, String name) implements Comparable<ObjectRef> {
  private static final Comparator<ObjectRef> ORDER =
      Comparator.comparing(ObjectRef::namespace).thenComparing(ObjectRef::name);

  public ObjectRef {
    checkArgument(namespace != null && !namespace.isEmpty(), "namespace must not be empty");
    checkArgument(name != null && !name.isEmpty(), "name must not be empty");
  }

  public static ObjectRef of(String namespace, String name) {
    return new ObjectRef(namespace, name);
  }

  /** Parses {@code namespace/name}. */
  public static ObjectRef parse(String text) {
    int slash = text.indexOf('/');
    checkArgument(slash > 0 && slash < text.length() - 1 && text.indexOf('/', slash + 1) < 0,
        "expected namespace/name, got '%s'", text);
    return new ObjectRef(text.substring(0, slash), text.substring(slash + 1));
  }

  @Override
  public int compareTo(ObjectRef other) {
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    return namespace + "/" + name;
  }
}
