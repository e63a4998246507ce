package dev.palisade.dataplane.kernel;

import static dev.palisade.dataplane.state.IpSetType.HASH_NET;
import static dev.palisade.model.IpFamily.V4;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.palisade.dataplane.state.DesiredState;
import dev.palisade.dataplane.state.Installation;
import org.junit.jupiter.api.Test;

/**
 * Set members reach the writer in {@code ipset save} text: a set whose members are in it already
 * (what the compiler writes) is kept as the same object, a changed set parses only the members
 * its previous version did not hold, and whatever is not canonical is still made so or refused.
 */
class DesiredTablesTest {
  private static final String SET = "pal-4n-blocks";

  @Test
  void aCanonicalSetIsKeptAsItIs() {
    DesiredState state = withSet("10.0.0.0/8", "10.1.0.0/16 nomatch");

    assertThat(DesiredTables.of(state, Installation.DEFAULT).sets().get(SET))
        .isSameAs(state.v4().sets().get(SET));
  }

  @Test
  void aNonCanonicalMemberIsMadeCanonical() {
    assertThat(DesiredTables.of(withSet("10.0.0.0/8", "10.2.3.4/32"), Installation.DEFAULT)
        .sets().get(SET).members()).containsExactly("10.0.0.0/8", "10.2.3.4");
  }

  @Test
  void aChangedSetChecksTheMembersItDidNotHold() {
    DesiredTables.Parsed previous = parsed(withSet("10.0.0.0/8"));

    DesiredState canonicalAdd = withSet("10.0.0.0/8", "10.1.0.0/16 nomatch");
    assertThat(DesiredTables.of(canonicalAdd, Installation.DEFAULT, previous).sets().get(SET))
        .isSameAs(canonicalAdd.v4().sets().get(SET));
    assertThat(DesiredTables.of(withSet("10.0.0.0/8", "10.9.9.9/32"), Installation.DEFAULT,
        previous).sets().get(SET).members()).containsExactly("10.0.0.0/8", "10.9.9.9");
    assertThatThrownBy(() -> DesiredTables.of(withSet("10.0.0.0/8", "10.0.0.300"),
        Installation.DEFAULT, previous))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad member '10.0.0.300' of set " + SET);
  }

  @Test
  void membersOfANonCanonicalPreviousSetAreParsedAgain() {
    DesiredTables.Parsed previous = parsed(withSet("10.2.3.4/32"));

    assertThat(DesiredTables.of(withSet("10.2.3.4/32", "10.0.0.0/8"), Installation.DEFAULT,
        previous).sets().get(SET).members()).containsExactly("10.0.0.0/8", "10.2.3.4");
  }

  private static DesiredTables.Parsed parsed(DesiredState state) {
    return new DesiredTables.Parsed(state, DesiredTables.of(state, Installation.DEFAULT), null);
  }

  private static DesiredState withSet(String... members) {
    return DesiredStates.builder().set(SET, HASH_NET, V4, members).build();
  }
}
