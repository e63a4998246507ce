package dev.palisade.dataplane.ebpf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.model.ObjectRef;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CounterSlotsTest {
  private static final CounterOwner A = owner("a");
  private static final CounterOwner B = owner("b");
  private static final CounterOwner C = owner("c");
  private static final CounterOwner D = owner("d");
  private static final CounterOwner E = owner("e");

  private static CounterOwner owner(String policy) {
    return new CounterOwner.Allowed(ObjectRef.of("x", policy));
  }

  @Test
  void ownersKeepTheirSlotsAndNewOnesTakeTheNextAfterTheLastGiven() {
    CounterSlots slots = new CounterSlots(10);

    assertThat(slots.assign(List.of(A, B))).isEqualTo(Map.of(1, A, 2, B));
    // A's slot 1 is free now, but the next one given is 3
    assertThat(slots.assign(List.of(B, C))).isEqualTo(Map.of(2, B, 3, C));
    assertThat(slots.slotOf(A)).isEqualTo(CounterSlots.NONE);
    assertThat(slots.slotOf(C)).isEqualTo(3);
  }

  @Test
  void freedSlotsAreGivenAgainAfterWrappingRoundAndNoneWhenAllAreTaken() {
    CounterSlots slots = new CounterSlots(4); // slots 1 to 3

    assertThat(slots.assign(List.of(A, B, C))).isEqualTo(Map.of(1, A, 2, B, 3, C));
    assertThat(slots.assign(List.of(A, C, D))).as("D wraps round to B's").isEqualTo(
        Map.of(1, A, 2, D, 3, C));
    assertThat(slots.assign(List.of(A, C, D, E))).as("full: E is not counted")
        .isEqualTo(Map.of(1, A, 2, D, 3, C));
    assertThat(slots.slotOf(E)).isEqualTo(CounterSlots.NONE);
  }
}
