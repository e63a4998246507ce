package dev.palisade.dataplane.rules;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedSet;
import dev.palisade.dataplane.state.ChainSpec;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** A Palisade chain and its rules in order. */
public record Chain(String name, ImmutableList<Rule> rules) {

  public Chain {
    rules = ImmutableList.copyOf(rules);
  }

  /** The Palisade chains this chain's rules jump to. */
  public ImmutableSortedSet<String> referencedChains() {
    return rules.stream().map(rule -> rule.action().jumpTarget()).flatMap(Optional::stream)
        .collect(ImmutableSortedSet.toImmutableSortedSet(String::compareTo));
  }

  /** The rendered chain, each rule ending with its identifying comment. */
  public ChainSpec toSpec() {
    Map<String, Integer> seen = new HashMap<>();
    ImmutableList.Builder<String> rendered = ImmutableList.builder();
    for (Rule rule : rules) {
      String content = rule.content();
      int ordinal = seen.merge(content, 1, Integer::sum) - 1;
      rendered.add(rule.render(RuleIdentity.comment(name, content, ordinal)));
    }
    return new ChainSpec(name, rendered.build());
  }
}
