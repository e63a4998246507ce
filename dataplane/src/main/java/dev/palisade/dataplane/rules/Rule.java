package dev.palisade.dataplane.rules;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import dev.palisade.model.Protocol;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One iptables rule: matches (all must hold) and an action. The matches are kept in the order
 * {@code iptables-save} prints them, so {@link #render(String)} returns exactly the text the
 * kernel gives back.
 */
public record Rule(ImmutableList<Match> matches, Action action) {

  public Rule {
    List<Match> all = new ArrayList<>(matches);
    all.addAll(action.impliedMatches());
    all.sort(Comparator.comparingInt(Match::order)); // stable: modules keep their order
    matches = ImmutableList.copyOf(all);
    checkArgument(matches.stream().filter(m -> m.order() == Match.PROTOCOL_ORDER).count() <= 1,
        "a rule takes at most one protocol match");
    for (Match.Side side : Match.Side.values()) {
      checkArgument(matches.stream().filter(m -> m instanceof Match.Address a && a.side() == side)
          .count() <= 1, "a rule takes at most one %s address", side);
    }
    if (action instanceof Action.Reject reject
        && reject.with() == Action.RejectWith.TCP_RESET) {
      checkArgument(matches.stream().anyMatch(
          m -> m instanceof Match.ProtocolPorts p && p.protocol() == Protocol.TCP),
          "a TCP reset needs a rule that matches -p tcp");
    }
  }

  public static Rule of(Action action, Match... matches) {
    return new Rule(ImmutableList.copyOf(matches), action);
  }

  /** The rule without its identifying comment: what its hash covers. */
  public String content() {
    String matchText = matchText();
    return matchText.isEmpty() ? action.render() : matchText + " " + action.render();
  }

  /** The argument text after {@code -A <chain>}, ending with the identifying comment. */
  public String render(String commentText) {
    String matchText = matchText();
    return (matchText.isEmpty() ? "" : matchText + " ") + "-m comment --comment \""
        + commentText + "\" " + action.render();
  }

  private String matchText() {
    return matches.stream().map(Match::render).collect(Collectors.joining(" "));
  }
}
