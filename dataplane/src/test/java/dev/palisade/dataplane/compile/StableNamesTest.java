package dev.palisade.dataplane.compile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.dataplane.state.Installation;
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
  private static final StableNames NAMES = StableNames.DEFAULT;
  private static final String LONG = "a-very-long-name-that-kubernetes-allows-up-to-253-characters"
      + ".with.dots.and-dashes-" + "x".repeat(150);

  static Stream<Arguments> names() {
    ObjectRef longRef = ObjectRef.of(LONG.substring(0, 63), LONG);
    Cidr v6 = Cidr.parse("fd00:1234:5678:9abc:def0:1234:5678:9a00/120");
    return Stream.of(
        Arguments.of("pod chain",
            NAMES.podChain(Direction.INGRESS, longRef).preferred(), true),
        Arguments.of("policy chain",
            NAMES.policyChain(Direction.EGRESS, longRef).preferred(), true),
        Arguments.of("tree chain v6",
            NAMES.treeChain(Direction.INGRESS, v6).preferred(), true),
        Arguments.of("top chains", NAMES.forwardChain(), true),
        Arguments.of("selector set",
            NAMES.selectorSet(IpFamily.V6, LONG, LONG).preferred(), false),
        Arguments.of("block set",
            NAMES.blockSet(IpFamily.V6, v6.toString(), LONG).preferred(), false),
        Arguments.of("ingress port set",
            NAMES.ingressPortSet(IpFamily.V4, LONG, LONG).preferred(), false),
        Arguments.of("egress port set",
            NAMES.egressPortSet(IpFamily.V4, LONG, LONG).preferred(), false),
        Arguments.of("gate set", NAMES.isolatedSet(IpFamily.V6, Direction.INGRESS),
            false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("names")
  void namesCarryThePrefixAndFitTheKernelLimit(String what, String name, boolean chain) {
    if (chain) {
      assertThat(name).startsWith(Installation.DEFAULT.chainPrefix())
          .hasSizeLessThanOrEqualTo(Names.MAX_CHAIN_NAME_LENGTH);
    } else {
      assertThat(name).startsWith(Installation.DEFAULT.setPrefix())
          .hasSizeLessThanOrEqualTo(IpSetSpec.MAX_NAME_LENGTH);
    }
    assertThat(name).matches("[A-Za-z0-9._-]+");
  }

  @Test
  void namesAreStableAndReadable() {
    ObjectRef pod = ObjectRef.of("x", "a");
    assertThat(NAMES.podChain(Direction.INGRESS, pod).preferred())
        .isEqualTo(NAMES.podChain(Direction.INGRESS, ObjectRef.of("x", "a")).preferred())
        .startsWith("PALISADE-PI-x.a-");
    assertThat(NAMES.podChain(Direction.EGRESS, pod).preferred()).startsWith("PALISADE-PE-x.a-");
  }

  @Test
  void setNamesCarryTheFamily() {
    assertThat(NAMES.selectorSet(IpFamily.V4, "x", "x").preferred()).startsWith("pal-4s-");
    assertThat(NAMES.selectorSet(IpFamily.V6, "x", "x").preferred()).startsWith("pal-6s-");
    assertThat(NAMES.isolatedSet(IpFamily.V4, Direction.EGRESS))
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
      chains.add(NAMES.podChain(Direction.INGRESS, ObjectRef.of("shared-namespace",
          identity)).preferred());
      sets.add(NAMES.selectorSet(IpFamily.V4, "shared-readable-fragment", identity).preferred());
    }
    assertThat(chains).hasSize(identities.size());
    assertThat(sets).hasSize(identities.size());
  }

  @Test
  void directionsAndKindsNeverShareAName() {
    ObjectRef ref = ObjectRef.of("x", "a");
    assertThat(Set.of(NAMES.podChain(Direction.INGRESS, ref).preferred(),
        NAMES.podChain(Direction.EGRESS, ref).preferred(),
        NAMES.policyChain(Direction.INGRESS, ref).preferred(),
        NAMES.policyChain(Direction.EGRESS, ref).preferred())).hasSize(4);
  }

  @Test
  void theLedgerGivesACollidingIdentityTheNextCandidate() {
    // two pods whose preferred chain names collide (same fragment, same 32-bit hash)
    GeneratedName first = NAMES.podChain(Direction.INGRESS,
        ObjectRef.of("x", "web-216740"));
    GeneratedName second = NAMES.podChain(Direction.INGRESS,
        ObjectRef.of("x", "web-272257"));
    assertThat(first.preferred()).isEqualTo(second.preferred());
    NameLedger ledger = new NameLedger();

    String firstName = ledger.claim(first);
    String secondName = ledger.claim(second);

    assertThat(firstName).isEqualTo(first.preferred());
    assertThat(secondName).isNotEqualTo(firstName).startsWith("PALISADE-PI-x.web_2-")
        .hasSizeLessThanOrEqualTo(Names.MAX_CHAIN_NAME_LENGTH);
    assertThat(ledger.claim(second)).as("an identity keeps its name").isEqualTo(secondName);
    assertThat(ledger.detouredAfterContinuing()).as("a fresh ledger's detour is its order")
        .isFalse();
    assertThat(ledger.next()).as("after a detour the next compilation claims afresh")
        .isNotSameAs(ledger);
  }

  @Test
  void aContinuedLedgerHandsOutTheSameNamesAndTellsADetour() {
    GeneratedName first = NAMES.podChain(Direction.INGRESS, ObjectRef.of("x", "web-216740"));
    GeneratedName other = NAMES.podChain(Direction.INGRESS, ObjectRef.of("x", "other"));
    NameLedger ledger = new NameLedger();
    ledger.claim(first);
    ledger.claim(other);

    NameLedger continued = ledger.next();

    assertThat(continued).isSameAs(ledger);
    // an equal name object of a later compilation finds the same name
    assertThat(continued.claim(NAMES.podChain(Direction.INGRESS,
        ObjectRef.of("x", "web-216740")))).isEqualTo(first.preferred());
    assertThat(continued.claim(other)).isEqualTo(other.preferred());
    assertThat(continued.detouredAfterContinuing()).isFalse();
    // the colliding identity arrives while the first one's name is still known
    continued.claim(NAMES.podChain(Direction.INGRESS, ObjectRef.of("x", "web-272257")));
    assertThat(continued.detouredAfterContinuing()).isTrue();
  }
}
