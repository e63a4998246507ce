package dev.palisade.dataplane.state;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;

/**
 * A Palisade chain in the filter table and its rules in order. Each rule is the iptables
 * argument text after {@code -A <chain>}, as {@code iptables-save} prints it, ending with a
 * {@code -m comment --comment "pal:<hash>"} that identifies the rule across syncs.
 */
public record ChainSpec(String name, ImmutableList<String> rules) {
  public ChainSpec {
    checkArgument(name.length() <= Names.MAX_CHAIN_NAME_LENGTH,
        "chain name %s is longer than %s", name, Names.MAX_CHAIN_NAME_LENGTH);
    rules = ImmutableList.copyOf(rules);
  }
}
