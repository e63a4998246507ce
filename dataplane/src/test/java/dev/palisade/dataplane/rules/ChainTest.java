package dev.palisade.dataplane.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableList;
import dev.palisade.dataplane.rules.Match.Side;
import dev.palisade.dataplane.state.ChainSpec;
import dev.palisade.dataplane.state.HookSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The identifying comment: stable across positions, distinct for duplicates and chains. */
class ChainTest {
  private static final Rule DROP = Rule.of(new Action.Drop());
  private static final Rule RETURN_GATE =
      Rule.of(new Action.Return(), Match.InSet.notIn("pal-4-g", Side.SOURCE));

  @Test
  void everyRuleEndsWithItsHashComment() {
    ChainSpec spec = new Chain("PALISADE-A", ImmutableList.of(DROP)).toSpec();
    assertThat(spec.rules()).singleElement().asString()
        .matches("-m comment --comment \"pal:[0-9a-f]{16}\" -j DROP");
  }

  @Test
  void aRuleKeepsItsCommentWhenAnotherRuleIsInsertedBeforeIt() {
    ChainSpec before = new Chain("PALISADE-A", ImmutableList.of(DROP)).toSpec();
    ChainSpec after = new Chain("PALISADE-A", ImmutableList.of(RETURN_GATE, DROP)).toSpec();
    assertThat(after.rules().get(1)).isEqualTo(before.rules().get(0));
  }

  @Test
  void identicalRulesInOneChainGetDistinctComments() {
    ChainSpec spec = new Chain("PALISADE-A", ImmutableList.of(DROP, DROP)).toSpec();
    assertThat(spec.rules()).doesNotHaveDuplicates().hasSize(2);
  }

  @Test
  void theSameRuleInAnotherChainGetsAnotherComment() {
    String inA = new Chain("PALISADE-A", ImmutableList.of(DROP)).toSpec().rules().get(0);
    String inB = new Chain("PALISADE-B", ImmutableList.of(DROP)).toSpec().rules().get(0);
    assertThat(inA).isNotEqualTo(inB);
  }

  @Test
  void aHookRendersItsJumpWithAComment() {
    HookSpec hook = new Hook("FORWARD", 1, Rule.of(new Action.Jump("PALISADE-FORWARD")))
        .toSpec();
    assertThat(List.of(hook.builtinChain(), hook.position())).containsExactly("FORWARD", 1);
    assertThat(hook.rule()).matches("-m comment --comment \"pal:[0-9a-f]{16}\" -j PALISADE-FORWARD");
  }
}
