package dev.palisade.dataplane.compile;

import com.google.common.collect.ImmutableMap;
import dev.palisade.dataplane.compile.SetCatalog.CompiledSet;
import dev.palisade.dataplane.state.IpSetType;
import dev.palisade.model.GraphDelta;
import java.util.Map;
import java.util.Optional;

/**
 * The sets of a previous compilation of the node and the graph changes since: a set of the same
 * name, type and source that the changes did not touch has the same members now, and is reused.
 *
 * @param previous the previous compilation's sets of one family, by name
 * @param changes everything the graph changed since that compilation
 */
record SetMemo(Map<String, CompiledSet> previous, GraphDelta changes) {
  static final SetMemo NONE = new SetMemo(ImmutableMap.of(), GraphDelta.EMPTY);

  Optional<CompiledSet> reusable(String name, IpSetType type, SetSource source) {
    CompiledSet before = previous.get(name);
    if (before == null || before.spec().type() != type || !before.source().equals(source)
        || !source.followsClusterOnly() || source.touchedBy(changes)) {
      return Optional.empty();
    }
    return Optional.of(before);
  }
}
