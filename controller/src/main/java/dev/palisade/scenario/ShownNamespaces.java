package dev.palisade.scenario;

import dev.palisade.model.ObjectRef;
import java.util.Optional;

/**
 * Which pods a command shows ({@code -n NS} or {@code -A}). Only the view is narrowed: the
 * model still holds every namespace and pod, since a policy's selectors may reach any of them
 * and the verdicts must stay right.
 *
 * @param only the one namespace shown, or empty for all
 */
public record ShownNamespaces(Optional<String> only) {
  public static final ShownNamespaces ALL = new ShownNamespaces(Optional.empty());

  public static ShownNamespaces of(String namespace) {
    return new ShownNamespaces(Optional.of(namespace));
  }

  public boolean shows(ObjectRef object) {
    return only.map(object.namespace()::equals).orElse(true);
  }
}
