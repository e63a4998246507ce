package dev.palisade.controller;

import dev.palisade.k8s.InvalidInputException;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import java.util.Objects;
import java.util.function.Function;

/**
 * Lets an update event through only if it changes what the model holds of the object. Most pod
 * updates are status churn (conditions, restarts, container states); each would otherwise
 * reconcile every policy of the namespace and every policy with a namespaceSelector. An update
 * that the converter refuses on either side passes: the analysis must see the problem appear or
 * go.
 */
final class ModelChangeFilter<T, M> implements OnUpdateFilter<T> {
  private final Function<T, M> convert;

  ModelChangeFilter(Function<T, M> convert) {
    this.convert = convert;
  }

  @Override
  public boolean accept(T updated, T previous) {
    try {
      return !Objects.equals(convert.apply(updated), convert.apply(previous));
    } catch (InvalidInputException refused) {
      return true;
    }
  }
}
