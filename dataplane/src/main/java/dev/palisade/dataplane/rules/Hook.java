package dev.palisade.dataplane.rules;

import static com.google.common.base.Preconditions.checkArgument;

import dev.palisade.dataplane.state.HookSpec;
import java.util.Set;

/** The jump Palisade keeps at a fixed position of a built-in chain of the filter table. */
public record Hook(String builtinChain, int position, Rule rule) {
  private static final Set<String> BUILTIN_CHAINS = Set.of("INPUT", "FORWARD", "OUTPUT");

  public Hook {
    checkArgument(BUILTIN_CHAINS.contains(builtinChain), "%s is not a built-in filter chain",
        builtinChain);
    checkArgument(position >= 1, "hook position must be 1 or more, got %s", position);
    checkArgument(rule.action().jumpTarget().isPresent(), "a hook must jump to a Palisade chain");
  }

  public HookSpec toSpec() {
    String content = rule.content();
    return new HookSpec(builtinChain, position,
        rule.render(RuleIdentity.comment(builtinChain, content, 0)));
  }
}
