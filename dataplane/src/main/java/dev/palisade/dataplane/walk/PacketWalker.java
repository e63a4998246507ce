package dev.palisade.dataplane.walk;

import com.google.common.collect.ImmutableList;
import com.google.common.net.InetAddresses;
import dev.palisade.dataplane.state.ChainSpec;
import dev.palisade.dataplane.state.FamilyState;
import dev.palisade.dataplane.state.HookSpec;
import dev.palisade.dataplane.state.IpSetSpec;
import dev.palisade.model.Cidr;
import dev.palisade.model.IpFamily;
import dev.palisade.model.Protocol;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A small interpreter of the rendered rules: walks the first packet of a connection (conntrack
 * state NEW) from a built-in chain through the Palisade chains of one family, with the kernel's
 * set semantics ({@code hash:net} takes the most specific entry, {@code nomatch} fails) and
 * the kernel's order (each chain's rules in turn, until one matches with a verdict). It
 * understands exactly the syntax the compiler writes and fails on anything else, so a rule it
 * cannot read is an error, not a silent match.
 *
 * <p>It records every rule it tests, matched or not ({@link Trace}): what the kernel
 * evaluates for that packet, which the kernel's own counters show only for the rules that
 * match. The compiler's tests use it as an oracle against the reference evaluator, the
 * benchmarks to count the rules a packet crosses.
 */
public final class PacketWalker {

  public record Packet(InetAddress source, InetAddress destination, Protocol protocol,
      int port) {}

  public enum Outcome {
    /** Accepted, or handed back to the built-in chain: Palisade lets it through. */
    PASSED,
    DROPPED,
    REJECTED
  }

  /**
   * One rule the packet was tested against: the chain (a built-in chain for a hook), the rule's
   * 1-based position among that chain's Palisade rules, its text, and whether all its matches
   * held.
   */
  public record Step(String chain, int position, String rule, boolean matched) {}

  /** Where the packet ended and every rule it was tested against, in order. */
  public record Trace(Outcome outcome, ImmutableList<Step> steps) {
    public int rulesEvaluated() {
      return steps.size();
    }
  }

  /** RETURN leaves the current chain; CONTINUE goes on with the next rule. */
  private enum Verdict { CONTINUE, RETURN, ACCEPT, DROP, REJECT }

  /** A mutable packet in flight: its mark changes as it walks, its steps grow. */
  private static final class Flight {
    final Packet packet;
    final List<Step> steps = new ArrayList<>();
    int mark;

    Flight(Packet packet) {
      this.packet = packet;
    }
  }

  private record ParsedRule(String chain, int position, String text,
      List<Predicate<Flight>> matches, String target, boolean isGoto, int markValue,
      int markMask) {}

  private final FamilyState state;
  private final Map<String, List<ParsedRule>> chains = new HashMap<>();

  /**
   * @throws IllegalArgumentException if a rule uses syntax or a set the walker does not know
   */
  public PacketWalker(FamilyState state) {
    this.state = state;
    for (ChainSpec chain : state.chains().values()) {
      List<ParsedRule> rules = new ArrayList<>();
      chain.rules().forEach(rule -> rules.add(parse(chain.name(), rules.size() + 1, rule)));
      chains.put(chain.name(), rules);
    }
  }

  /** Where the first packet of a connection entering {@code builtinChain} ends. */
  public Outcome walk(String builtinChain, Packet packet) {
    return trace(builtinChain, packet).outcome();
  }

  /** The walk of {@link #walk}, with every rule tested on the way. */
  public Trace trace(String builtinChain, Packet packet) {
    Flight flight = new Flight(packet);
    List<HookSpec> hooks = state.hooks().stream()
        .filter(hook -> hook.builtinChain().equals(builtinChain))
        .sorted(Comparator.comparingInt(HookSpec::position)).toList();
    Verdict verdict = Verdict.CONTINUE;
    for (int i = 0; i < hooks.size() && verdict == Verdict.CONTINUE; i++) {
      HookSpec hook = hooks.get(i);
      verdict = apply(parse(builtinChain, hook.position(), hook.rule()), flight, 0);
    }
    Outcome outcome = switch (verdict) {
      case DROP -> Outcome.DROPPED;
      case REJECT -> Outcome.REJECTED;
      case CONTINUE, RETURN, ACCEPT -> Outcome.PASSED;
    };
    return new Trace(outcome, ImmutableList.copyOf(flight.steps));
  }

  /**
   * The walk of the first packet of a connection through one Palisade chain (and the chains it
   * jumps to), as if a rule had jumped there: {@link Outcome#PASSED} when it returns or falls
   * through. Explains one direction alone, e.g. from the ingress stage chain.
   *
   * @throws IllegalArgumentException if the state has no such chain
   */
  public Trace traceChain(String chain, Packet packet) {
    if (!chains.containsKey(chain)) {
      throw new IllegalArgumentException("no chain " + chain + " in the state");
    }
    Flight flight = new Flight(packet);
    Outcome outcome = switch (run(chain, flight, 0)) {
      case DROP -> Outcome.DROPPED;
      case REJECT -> Outcome.REJECTED;
      case CONTINUE, RETURN, ACCEPT -> Outcome.PASSED;
    };
    return new Trace(outcome, ImmutableList.copyOf(flight.steps));
  }

  /** The sets a rule's {@code --match-set} matches name, in the rule's order. */
  public static List<String> setsOf(String rule) {
    List<String> tokens = tokenize(rule);
    List<String> sets = new ArrayList<>();
    for (int i = 0; i + 1 < tokens.size(); i++) {
      if (tokens.get(i).equals("--match-set")) {
        sets.add(tokens.get(i + 1));
      }
    }
    return sets;
  }

  private Verdict run(String chain, Flight flight, int depth) {
    List<ParsedRule> rules = chains.get(chain);
    if (rules == null) {
      throw new IllegalStateException("jump to missing chain " + chain);
    }
    for (ParsedRule rule : rules) {
      Verdict verdict = apply(rule, flight, depth);
      if (verdict == Verdict.RETURN) {
        return Verdict.CONTINUE;
      }
      if (verdict != Verdict.CONTINUE) {
        return verdict;
      }
    }
    return Verdict.CONTINUE;
  }

  private Verdict apply(ParsedRule rule, Flight flight, int depth) {
    if (depth > 64) {
      throw new IllegalStateException("jump depth exceeded: a loop at " + rule.text());
    }
    boolean matched = rule.matches().stream().allMatch(match -> match.test(flight));
    flight.steps.add(new Step(rule.chain(), rule.position(), rule.text(), matched));
    if (!matched) {
      return Verdict.CONTINUE;
    }
    switch (rule.target()) {
      case "ACCEPT":
        return Verdict.ACCEPT;
      case "DROP":
        return Verdict.DROP;
      case "REJECT":
        return Verdict.REJECT;
      case "RETURN":
        return Verdict.RETURN;
      case "MARK":
        flight.mark = (flight.mark & ~rule.markMask()) ^ rule.markValue();
        return Verdict.CONTINUE;
      case "NFLOG":
        return Verdict.CONTINUE;
      default:
        Verdict verdict = run(rule.target(), flight, depth + 1);
        // after a goto, the chain's return is this chain's return too
        return rule.isGoto() && verdict == Verdict.CONTINUE ? Verdict.RETURN : verdict;
    }
  }

  private ParsedRule parse(String chain, int position, String text) {
    List<String> tokens = tokenize(text);
    List<Predicate<Flight>> matches = new ArrayList<>();
    boolean negate = false;
    String protocol = null;
    for (int i = 0; i < tokens.size(); i++) {
      String token = tokens.get(i);
      switch (token) {
        case "-s" -> {
          Cidr block = Cidr.parse(tokens.get(++i));
          matches.add(f -> block.contains(f.packet.source()));
        }
        case "-d" -> {
          Cidr block = Cidr.parse(tokens.get(++i));
          matches.add(f -> block.contains(f.packet.destination()));
        }
        case "-p" -> {
          protocol = tokens.get(++i);
          String wanted = protocol;
          matches.add(f -> protocolName(f.packet).equals(wanted));
        }
        case "--tcp-flags" -> {
          // the walked packet opens a connection: a TCP SYN alone
          List<String> mask = List.of(tokens.get(++i).split(","));
          List<String> set = List.of(tokens.get(++i).split(","));
          boolean synMatches = mask.contains("SYN") ? set.equals(List.of("SYN"))
              : set.isEmpty() || set.equals(List.of("NONE"));
          boolean negated = negate;
          negate = false;
          matches.add(f -> synMatches != negated);
        }
        case "--icmpv6-type" -> {
          int type = Integer.parseInt(tokens.get(++i));
          matches.add(f -> type == ICMPV6_ECHO_REQUEST);
        }
        case "-m" -> {
          String module = tokens.get(++i);
          if ((module.equals("tcp") || module.equals("udp") || module.equals("sctp"))
              && !module.equals(protocol)) {
            throw new IllegalArgumentException("module " + module + " without -p " + module
                + ": " + text);
          }
        }
        case "--dport" -> {
          String[] range = tokens.get(++i).split(":");
          int from = Integer.parseInt(range[0]);
          int to = Integer.parseInt(range[range.length - 1]);
          matches.add(f -> f.packet.port() >= from && f.packet.port() <= to);
        }
        case "!" -> negate = true;
        case "--match-set" -> {
          IpSetSpec set = state.sets().get(tokens.get(++i));
          if (set == null) {
            throw new IllegalArgumentException("rule uses missing set: " + text);
          }
          String flags = tokens.get(++i);
          boolean negated = negate;
          negate = false;
          matches.add(f -> inSet(set, flags, f.packet) != negated);
        }
        case "--ctstate" -> {
          boolean matchesNew = List.of(tokens.get(++i).split(",")).contains("NEW") != negate;
          negate = false;
          matches.add(f -> matchesNew);
        }
        case "--mark" -> {
          String[] valueMask = tokens.get(++i).split("/");
          int value = Integer.decode(valueMask[0]);
          int mask = Integer.decode(valueMask[1]);
          matches.add(f -> (f.mark & mask) == value);
        }
        case "--limit", "--limit-burst", "--comment" -> i++;
        case "-j", "-g" -> {
          return target(chain, position, text, matches, token.equals("-g"),
              tokens.subList(i + 1, tokens.size()));
        }
        default -> throw new IllegalArgumentException("unknown token '" + token + "' in: " + text);
      }
    }
    throw new IllegalArgumentException("rule without target: " + text);
  }

  private static ParsedRule target(String chain, int position, String text,
      List<Predicate<Flight>> matches, boolean isGoto, List<String> target) {
    String name = target.get(0);
    if (name.equals("MARK")) {
      String[] valueMask = target.get(2).split("/");
      return new ParsedRule(chain, position, text, matches, name, false,
          Integer.decode(valueMask[0]), Integer.decode(valueMask[1]));
    }
    return new ParsedRule(chain, position, text, matches, name, isGoto, 0, 0);
  }

  private static boolean inSet(IpSetSpec set, String flags, Packet packet) {
    InetAddress address = flags.startsWith("src") ? packet.source() : packet.destination();
    String text = InetAddresses.toAddrString(address);
    switch (set.type()) {
      case HASH_IP:
        return set.members().contains(text);
      case HASH_IP_PORT:
        return packet.protocol() != Protocol.ICMP
            && set.members().contains(text + "," + name(packet.protocol()) + ":" + packet.port());
      case HASH_NET:
        Cidr best = null;
        boolean nomatch = false;
        for (String member : set.members()) {
          boolean flagged = member.endsWith(" nomatch");
          Cidr block = Cidr.parse(flagged ? member.substring(0, member.indexOf(' ')) : member);
          if (block.contains(address)
              && (best == null || block.prefixLength() > best.prefixLength())) {
            best = block;
            nomatch = flagged;
          }
        }
        return best != null && !nomatch;
      default:
        throw new IllegalArgumentException("unknown set type " + set.type());
    }
  }

  /** The ICMP of the walked packets is ping: an echo request. */
  private static final int ICMPV6_ECHO_REQUEST = 128;

  private static String protocolName(Packet packet) {
    if (packet.protocol() == Protocol.ICMP && IpFamily.of(packet.source()) == IpFamily.V6) {
      return "ipv6-icmp";
    }
    return name(packet.protocol());
  }

  private static String name(Protocol protocol) {
    return protocol.name().toLowerCase(Locale.ROOT);
  }

  private static List<String> tokenize(String text) {
    List<String> tokens = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      if (text.charAt(i) == ' ') {
        i++;
      } else if (text.charAt(i) == '"') {
        int end = text.indexOf('"', i + 1);
        tokens.add(text.substring(i + 1, end));
        i = end + 1;
      } else {
        int end = text.indexOf(' ', i);
        end = end < 0 ? text.length() : end;
        tokens.add(text.substring(i, end));
        i = end;
      }
    }
    return tokens;
  }
}
