package dev.palisade.dataplane.compile;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableSet;
import com.google.common.collect.ImmutableSortedSet;
import com.google.common.net.InetAddresses;
import dev.palisade.dataplane.plan.Member;
import dev.palisade.dataplane.state.IpSetSpec;
import dev.palisade.dataplane.state.IpSetType;
import dev.palisade.model.IpFamily;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A set re-rendered from its previous text ({@link SetCatalog.CompiledSet#rerendered}) holds
 * exactly the text a render of its new members from nothing holds, whichever members came and
 * went: before the first, between, after the last, all of one end.
 */
class SetRerenderTest {
  /** Addresses 10.0.x.y: their texts sort otherwise than their numbers (10.0.0.10 < 10.0.0.9). */
  private static final List<Member> POOL = pool(600);

  @Test
  void aFewMembersChangedGiveTheFullRendersText() {
    Random random = new Random(20261204);
    for (int round = 0; round < 500; round++) {
      ImmutableSet<Member> before = randomSubset(random, 80 + random.nextInt(400));
      ImmutableSet<Member> after = changed(random, before, 1 + random.nextInt(8));
      SetCatalog.CompiledSet compiled = new SetCatalog.CompiledSet(fullRender(before),
          Optional.empty(), before);

      IpSetSpec rerendered = compiled.rerendered(after);

      assertThat(rerendered).as("round %d", round).isEqualTo(fullRender(after));
      assertThat(List.copyOf(rerendered.members())).as("round %d", round).isSorted();
    }
  }

  @Test
  void theLowestAndHighestTextsComeAndGo() {
    ImmutableSet<Member> middle = ImmutableSet.copyOf(POOL.subList(100, 300));
    Set<Member> after = new LinkedHashSet<>(middle);
    after.remove(POOL.get(100));
    after.remove(POOL.get(299));
    after.add(POOL.get(0));
    after.add(POOL.get(599));
    SetCatalog.CompiledSet compiled = new SetCatalog.CompiledSet(fullRender(middle),
        Optional.empty(), middle);

    assertThat(compiled.rerendered(ImmutableSet.copyOf(after)))
        .isEqualTo(fullRender(ImmutableSet.copyOf(after)));
  }

  private static IpSetSpec fullRender(ImmutableSet<Member> members) {
    return new IpSetSpec("PAL-TEST", IpSetType.HASH_IP, IpFamily.V4, members.stream()
        .map(SetMemberText::of).collect(ImmutableSortedSet.toImmutableSortedSet(
            String::compareTo)));
  }

  private static ImmutableSet<Member> randomSubset(Random random, int size) {
    List<Member> shuffled = new ArrayList<>(POOL);
    Collections.shuffle(shuffled, random);
    return ImmutableSet.copyOf(shuffled.subList(0, size));
  }

  /** {@code before} with up to {@code changes} members taken out and as many new ones put in. */
  private static ImmutableSet<Member> changed(Random random, ImmutableSet<Member> before,
      int changes) {
    Set<Member> after = new LinkedHashSet<>(before);
    List<Member> held = new ArrayList<>(before);
    for (int i = 0; i < changes; i++) {
      if (random.nextBoolean()) {
        after.remove(held.get(random.nextInt(held.size())));
      } else {
        after.add(POOL.get(random.nextInt(POOL.size())));
      }
    }
    return ImmutableSet.copyOf(after);
  }

  private static List<Member> pool(int size) {
    List<Member> members = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      members.add(new Member.Host(InetAddresses.forString("10.0." + i / 250 + "." + i % 250)));
    }
    return List.copyOf(members);
  }
}
