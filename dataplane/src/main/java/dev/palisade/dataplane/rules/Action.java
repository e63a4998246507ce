package dev.palisade.dataplane.rules;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.base.CharMatcher;

import java.util.List;
import java.util.Optional;

/**
 * What a rule does with a packet that matches, rendered as {@code iptables-save} prints the
 * target. A {@link Jump} names the chain it references, so the writer can order creates and
 * deletes; an {@link Nflog} brings its rate limit along as a match.
 */
public sealed interface Action {

  String render();

  /** The Palisade chain this action jumps to, if it is a jump. */
  default Optional<String> jumpTarget() {
    return Optional.empty();
  }

  /** Matches this action needs in its rule (the rate limit of a log action). */
  default List<Match> impliedMatches() {
    return List.of();
  }

  record Accept() implements Action {
    @Override
    public String render() {
      return "-j ACCEPT";
    }
  }

  record Drop() implements Action {
    @Override
    public String render() {
      return "-j DROP";
    }
  }

  /** What a REJECT answers with. */
  enum RejectWith {
    /** A TCP reset; only valid in a rule that matches {@code -p tcp}. */
    TCP_RESET("tcp-reset"),
    ICMP_PORT_UNREACHABLE("icmp-port-unreachable"),
    ICMP6_PORT_UNREACHABLE("icmp6-port-unreachable");

    private final String option;

    RejectWith(String option) {
      this.option = option;
    }
  }

  record Reject(RejectWith with) implements Action {
    @Override
    public String render() {
      return "-j REJECT --reject-with " + with.option;
    }
  }

  private static void checkChainName(String chain) {
    // whose chain it is (the installation's prefix) is checked by the writer
    checkArgument(!chain.isEmpty() && Jump.CHAIN_NAME_CHARACTERS.matchesAllOf(chain),
        "jump target '%s' is not a chain name", chain);
  }

  /** Runs {@code chain}; when it returns, the packet goes on with the next rule. */
  record Jump(String chain) implements Action {
    /**
     * Precomputed: the compiler creates a jump for every pod, policy and dispatch chain it
     * renders, and a regular expression's matcher was a quarter of building a dispatch tree.
     */
    private static final CharMatcher CHAIN_NAME_CHARACTERS = CharMatcher.inRange('A', 'Z')
        .or(CharMatcher.inRange('a', 'z')).or(CharMatcher.inRange('0', '9'))
        .or(CharMatcher.anyOf("._-")).precomputed();

    public Jump {
      checkChainName(chain);
    }

    @Override
    public String render() {
      return "-j " + chain;
    }

    @Override
    public Optional<String> jumpTarget() {
      return Optional.of(chain);
    }
  }

  /**
   * Goes on in {@code chain} for good: when it returns, the packet returns from the chain of
   * this rule too ({@code -g}), so the rules after this one are not tested.
   */
  record Goto(String chain) implements Action {
    public Goto {
      checkChainName(chain);
    }

    @Override
    public String render() {
      return "-g " + chain;
    }

    @Override
    public Optional<String> jumpTarget() {
      return Optional.of(chain);
    }
  }

  record Return() implements Action {
    @Override
    public String render() {
      return "-j RETURN";
    }
  }

  /**
   * Sends the packet to netlink log group {@code group} with {@code prefix}, at most as often as
   * {@code limit} allows; the packet continues with the next rule.
   */
  record Nflog(int group, String prefix, Match.Limit limit) implements Action {
    /** xt_NFLOG keeps 64 bytes of prefix, the terminating NUL included. */
    public static final int MAX_PREFIX_LENGTH = 63;

    public Nflog {
      checkArgument(group >= 0 && group <= 65535, "NFLOG group %s is out of range 0-65535", group);
      checkArgument(!prefix.isEmpty() && prefix.length() <= MAX_PREFIX_LENGTH
          && prefix.chars().allMatch(c -> c >= 0x20 && c < 0x7f && c != '"' && c != '\\'),
          "NFLOG prefix '%s' must be 1-%s printable characters without quotes", prefix,
          MAX_PREFIX_LENGTH);
    }

    @Override
    public String render() {
      return "-j NFLOG --nflog-prefix \"" + prefix + "\" --nflog-group " + group;
    }

    @Override
    public List<Match> impliedMatches() {
      return List.of(limit);
    }
  }

  /** Sets the bits of {@code bits} in the packet mark, leaving the others alone. */
  record SetMark(int bits) implements Action {
    public SetMark {
      checkArgument(bits != 0, "mark bits must not be empty");
    }

    @Override
    public String render() {
      return "-j MARK --set-xmark " + Marks.hex(bits) + "/" + Marks.hex(bits);
    }
  }

  /** Clears the bits of {@code bits} in the packet mark, leaving the others alone. */
  record ClearMark(int bits) implements Action {
    public ClearMark {
      checkArgument(bits != 0, "mark bits must not be empty");
    }

    @Override
    public String render() {
      return "-j MARK --set-xmark 0x0/" + Marks.hex(bits);
    }
  }
}
