package dev.palisade.dataplane.rules;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableSortedSet;
import dev.palisade.model.Cidr;
import dev.palisade.model.Protocol;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * One match of a rule. Each renders the text {@code iptables-save} prints for it; {@link
 * #order()} places it where {@code iptables-save} prints it: addresses first, then the
 * protocol (with its port module right behind it), then the other {@code -m} modules in the
 * order the rule lists them.
 */
public sealed interface Match {

  /** Print positions: lower first; equal positions keep the rule's order. */
  int SOURCE_ORDER = 0;
  int DESTINATION_ORDER = 1;
  int PROTOCOL_ORDER = 2;
  int MODULE_ORDER = 3;

  /** Where {@code iptables-save} prints this match: one of the {@code *_ORDER} positions. */
  int order();

  String render();

  /** {@code -s} or {@code -d}, and the direction flag of a set match. */
  enum Side {
    SOURCE("-s", "src"),
    DESTINATION("-d", "dst");

    private final String addressOption;
    private final String setFlag;

    Side(String addressOption, String setFlag) {
      this.addressOption = addressOption;
      this.setFlag = setFlag;
    }

    public String setFlag() {
      return setFlag;
    }
  }

  /** {@code -s 10.0.1.0/25}: the packet's source or destination lies in a block. */
  record Address(Side side, Cidr cidr) implements Match {
    public Address {
      checkArgument(cidr.equals(cidr.normalized()), "address block %s has host bits set", cidr);
    }

    @Override
    public int order() {
      return side == Side.SOURCE ? SOURCE_ORDER : DESTINATION_ORDER;
    }

    @Override
    public String render() {
      return side.addressOption + " " + cidr;
    }
  }

  /**
   * {@code -m set --match-set NAME src} (or {@code dst}, {@code dst,dst} for an
   * {@code hash:ip,port} set matched on destination address and port), optionally negated.
   */
  record InSet(String setName, List<Side> flags, boolean negated) implements Match {
    public InSet {
      checkArgument(!setName.isBlank(), "set name must not be blank");
      checkArgument(!flags.isEmpty() && flags.size() <= 2, "a set match takes 1 or 2 flags");
      flags = List.copyOf(flags);
    }

    public static InSet of(String setName, Side... flags) {
      return new InSet(setName, List.of(flags), false);
    }

    public static InSet notIn(String setName, Side flag) {
      return new InSet(setName, List.of(flag), true);
    }

    @Override
    public int order() {
      return MODULE_ORDER;
    }

    @Override
    public String render() {
      String flagText = flags.stream().map(Side::setFlag).collect(Collectors.joining(","));
      return "-m set " + (negated ? "! " : "") + "--match-set " + setName + " " + flagText;
    }
  }

  /**
   * {@code -p tcp}, optionally with a destination port or inclusive range
   * ({@code -p tcp -m tcp --dport 80:90}). SCTP uses the {@code sctp} module the same way.
   */
  record ProtocolPorts(Protocol protocol, int fromPort, int toPort) implements Match {
    /** Marks "every port" in {@code fromPort} and {@code toPort}. */
    private static final int ANY = 0;

    public ProtocolPorts {
      checkArgument(protocol.isPolicyProtocol(), "%s cannot be matched by port", protocol);
      checkArgument((fromPort == ANY && toPort == ANY)
          || (fromPort >= 1 && fromPort <= toPort && toPort <= 65535),
          "port range %s:%s is invalid", fromPort, toPort);
    }

    public static ProtocolPorts any(Protocol protocol) {
      return new ProtocolPorts(protocol, ANY, ANY);
    }

    public static ProtocolPorts range(Protocol protocol, int fromPort, int toPort) {
      return new ProtocolPorts(protocol, fromPort, toPort);
    }

    @Override
    public int order() {
      return PROTOCOL_ORDER;
    }

    @Override
    public String render() {
      String name = protocol.name().toLowerCase(Locale.ROOT);
      if (fromPort == ANY) {
        return "-p " + name;
      }
      String ports = fromPort == toPort ? Integer.toString(fromPort) : fromPort + ":" + toPort;
      return "-p " + name + " -m " + name + " --dport " + ports;
    }
  }

  /** {@code -p ipv6-icmp -m icmp6 --icmpv6-type 135}: one ICMPv6 message type. */
  /**
   * A TCP packet without SYN. Seen with conntrack state NEW, it belongs to a connection that
   * conntrack picks up in the middle (its entry was deleted), not to a new connection.
   */
  record TcpWithoutSyn() implements Match {
    @Override
    public int order() {
      return PROTOCOL_ORDER;
    }

    @Override
    public String render() {
      return "-p tcp -m tcp ! --tcp-flags FIN,SYN,RST,ACK SYN";
    }
  }

  record Icmpv6Type(int type) implements Match {
    public Icmpv6Type {
      checkArgument(type >= 0 && type <= 255, "ICMPv6 type %s is out of range 0-255", type);
    }

    @Override
    public int order() {
      return PROTOCOL_ORDER;
    }

    @Override
    public String render() {
      return "-p ipv6-icmp -m icmp6 --icmpv6-type " + type;
    }
  }

  /** Connection tracking states, in the order {@code iptables-save} prints them. */
  enum CtState {
    INVALID,
    NEW,
    RELATED,
    ESTABLISHED
  }

  /**
   * {@code -m conntrack --ctstate RELATED,ESTABLISHED}, or with {@code negated} the packets in
   * none of the states ({@code -m conntrack ! --ctstate RELATED,ESTABLISHED}).
   */
  record Conntrack(ImmutableSortedSet<CtState> states, boolean negated) implements Match {
    public Conntrack {
      checkArgument(!states.isEmpty(), "a conntrack match needs at least one state");
    }

    public static Conntrack of(CtState first, CtState... rest) {
      return new Conntrack(ImmutableSortedSet.copyOf(EnumSet.of(first, rest)), false);
    }

    /** The packets in none of the states. */
    public static Conntrack noneOf(CtState first, CtState... rest) {
      return new Conntrack(ImmutableSortedSet.copyOf(EnumSet.of(first, rest)), true);
    }

    @Override
    public int order() {
      return MODULE_ORDER;
    }

    @Override
    public String render() {
      return (negated ? "-m conntrack ! --ctstate " : "-m conntrack --ctstate ")
          + states.stream().map(CtState::name).collect(Collectors.joining(","));
    }
  }

  /** {@code -m mark --mark 0x10000/0x10000}: all bits of {@code mask} equal those of value. */
  record Mark(int value, int mask) implements Match {
    public Mark {
      checkArgument((value & ~mask) == 0, "mark value %s has bits outside mask %s", value, mask);
    }

    @Override
    public int order() {
      return MODULE_ORDER;
    }

    @Override
    public String render() {
      return "-m mark --mark " + Marks.hex(value) + "/" + Marks.hex(mask);
    }
  }

  /** {@code -m limit --limit 10/sec}: at most {@code perSecond} packets, bursts of burst. */
  record Limit(int perSecond, int burst) implements Match {
    /** iptables' default burst, which {@code iptables-save} leaves out. */
    public static final int DEFAULT_BURST = 5;

    public Limit {
      checkArgument(perSecond >= 1, "limit rate must be at least 1/sec, got %s", perSecond);
      checkArgument(burst >= 1, "limit burst must be at least 1, got %s", burst);
    }

    @Override
    public int order() {
      return MODULE_ORDER;
    }

    @Override
    public String render() {
      return "-m limit --limit " + perSecond + "/sec"
          + (burst == DEFAULT_BURST ? "" : " --limit-burst " + burst);
    }
  }
}
