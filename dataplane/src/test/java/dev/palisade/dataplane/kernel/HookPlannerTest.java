package dev.palisade.dataplane.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableList;
import dev.palisade.dataplane.state.HookSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class HookPlannerTest {
  private static final String JUMP = "-j PALISADE-FORWARD -m comment --comment \"pal:h\"";
  private static final HookSpec AT_1 = new HookSpec("FORWARD", 1, JUMP);

  private static KernelTable.BuiltinChain forward(int size, int... hookPositions) {
    ImmutableList.Builder<KernelTable.PositionedRule> hooks = ImmutableList.builder();
    for (int position : hookPositions) {
      hooks.add(new KernelTable.PositionedRule(position, RuleText.parse(JUMP)));
    }
    return new KernelTable.BuiltinChain("FORWARD", size, hooks.build(), ImmutableList.of());
  }

  @Test
  void hookInPlaceWritesNothing() {
    assertThat(HookPlanner.plan(forward(3, 1), List.of(AT_1)).fixed()).isZero();
  }

  @Test
  void missingHookIsInserted() {
    HookPlanner.HookEdit edit = HookPlanner.plan(forward(2), List.of(AT_1));

    assertThat(edit.deletions()).isEmpty();
    assertThat(edit.insertions()).containsExactly("-I FORWARD 1 " + JUMP);
  }

  @Test
  void hookPushedDownByAForeignInsertIsMovedBack() {
    HookPlanner.HookEdit edit = HookPlanner.plan(forward(3, 2), List.of(AT_1));

    assertThat(edit.deletions()).containsExactly("-D FORWARD " + JUMP);
    assertThat(edit.insertions()).containsExactly("-I FORWARD 1 " + JUMP);
  }

  @Test
  void duplicatesAreReducedToOne() {
    HookPlanner.HookEdit edit = HookPlanner.plan(forward(3, 1, 3), List.of(AT_1));

    assertThat(edit.deletions()).containsExactly("-D FORWARD " + JUMP, "-D FORWARD " + JUMP);
    assertThat(edit.insertions()).hasSize(1);
  }

  @Test
  void positionBeyondTheChainEndIsClampedAndThenStable() {
    HookSpec at5 = new HookSpec("FORWARD", 5, JUMP);

    assertThat(HookPlanner.plan(forward(1), List.of(at5)).insertions())
        .containsExactly("-I FORWARD 2 " + JUMP);
    assertThat(HookPlanner.plan(forward(2, 2), List.of(at5)).fixed()).isZero();
  }

  @Test
  void anotherInstallationsJumpAboveOursIsLookedThrough() {
    // FORWARD: [other installation's jump, ours, a foreign rule]
    KernelTable.BuiltinChain chain = new KernelTable.BuiltinChain("FORWARD", 3,
        ImmutableList.of(new KernelTable.PositionedRule(2, RuleText.parse(JUMP))),
        ImmutableList.of(1));

    assertThat(HookPlanner.plan(chain, List.of(AT_1)).fixed()).isZero();
  }

  @Test
  void unwantedHookIsRemoved() {
    HookPlanner.HookEdit edit = HookPlanner.plan(forward(2, 1), List.of());

    assertThat(edit.deletions()).containsExactly("-D FORWARD " + JUMP);
    assertThat(edit.removed()).isEqualTo(1);
  }
}
