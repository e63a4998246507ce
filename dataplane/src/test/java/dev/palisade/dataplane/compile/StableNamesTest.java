package dev.palisade.dataplane.compile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.palisade.dataplane.state.IpSetSpec;
import dev.palisade.dataplane.state.Names;
import dev.palisade.model.Cidr;
import dev.palisade.model.Direction;
import dev.palisade.model.IpFamily;
import dev.palisade.model.ObjectRef;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StableNamesTest {
  private static final String LONG = "a-very-long-name-that-kubernetes-allows-up-to-253-characters"
      + ".with.dots.and-dashes-" + "x".repeat(150);

  static Stream<Arguments> names() {
    ObjectRef longRef = ObjectRef.of(LONG.substring(0, 63), LONG);
    Cidr v6 = Cidr.parse("fd00:1234:5678:9abc:def0:1234:5678:9a00/120");
    return Stream.of(
        Arguments.of("pod chain", StableNames.podChain(Direction.INGRESS, longRef), true),
        Arguments.of("policy chain", StableNames.policyChain(Direction.EGRESS, longRef), true),
        Arguments.of("tree chain v6", StableNames.treeChain(Direction.INGRESS, v6), true),
        Arguments.of("top chains", StableNames.FORWARD_CHAIN, true),
        Arguments.of("selector set", StableNames.selectorSet(IpFamily.V6, LONG, LONG), false),
        Arguments.of("block set", StableNames.blockSet(IpFamily.V6, v6.toString(), LONG), false),
        Arguments.of("ingress port set", StableNames.ingressPortSet(IpFamily.V4, LONG, LONG),
            false),
        Arguments.of("egress port set", StableNames.egressPortSet(IpFamily.V4, LONG, LONG),
            false),
        Arguments.of("gate set", StableNames.isolatedSet(IpFamily.V6, Direction.INGRESS),
            false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("names")
  void namesCarryThePrefixAndFitTheKernelLimit(String what, String name, boolean chain) {
    if (chain) {
      assertThat(name).startsWith(Names.CHAIN_PREFIX)
          .hasSizeLessThanOrEqualTo(Names.MAX_CHAIN_NAME_LENGTH);
    } else {
      assertThat(name).startsWith(Names.SET_PREFIX)
          .hasSizeLessThanOrEqualTo(IpSetSpec.MAX_NAME_LENGTH);
    }
    assertThat(name).matches("[A-Za-z0-9._-]+");
  }

  @Test
  void namesAreStableAndReadable() {
    ObjectRef pod = ObjectRef.of("x", "a");
    assertThat(StableNames.podChain(Direction.INGRESS, pod))
        .isEqualTo(StableNames.podChain(Direction.INGRESS, ObjectRef.of("x", "a")))
        .startsWith("PALISADE-PI-x.a-");
    assertThat(StableNames.podChain(Direction.EGRESS, pod)).startsWith("PALISADE-PE-x.a-");
  }

  @Test
  void setNamesCarryTheFamily() {
    assertThat(StableNames.selectorSet(IpFamily.V4, "x", "x")).startsWith("pal-4s-");
    assertThat(StableNames.selectorSet(IpFamily.V6, "x", "x")).startsWith("pal-6s-");
    assertThat(StableNames.isolatedSet(IpFamily.V4, Direction.EGRESS))
        .isEqualTo("pal-4-isolated-egress");
  }

  @Test
  void namesThatShareATruncatedFragmentStillDiffer() {
    Set<String> chains = new HashSet<>();
    Set<String> sets = new HashSet<>();
    List<String> identities = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      identities.add("namespace-with-a-long-name-" + i);
    }
    for (String identity : identities) {
      chains.add(StableNames.podChain(Direction.INGRESS, ObjectRef.of("shared-namespace",
          identity)));
      sets.add(StableNames.selectorSet(IpFamily.V4, "shared-readable-fragment", identity));
    }
    assertThat(chains).hasSize(identities.size());
    assertThat(sets).hasSize(identities.size());
  }

  @Test
  void directionsAndKindsNeverShareAName() {
    ObjectRef ref = ObjectRef.of("x", "a");
    assertThat(Set.of(StableNames.podChain(Direction.INGRESS, ref),
        StableNames.podChain(Direction.EGRESS, ref),
        StableNames.policyChain(Direction.INGRESS, ref),
        StableNames.policyChain(Direction.EGRESS, ref))).hasSize(4);
  }

  @Test
  void theLedgerRefusesOneNameForTwoIdentities() {
    NameLedger ledger = new NameLedger();
    assertThat(ledger.claim("PALISADE-A", List.of("pod", "x/a"))).isTrue();
    assertThat(ledger.claim("PALISADE-A", List.of("pod", "x/a"))).isFalse();
    assertThatThrownBy(() -> ledger.claim("PALISADE-A", List.of("pod", "x/b")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("PALISADE-A").hasMessageContaining("x/a").hasMessageContaining("x/b");
  }
}
