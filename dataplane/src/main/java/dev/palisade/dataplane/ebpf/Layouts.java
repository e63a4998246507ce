package dev.palisade.dataplane.ebpf;

import dev.palisade.model.Cidr;
import dev.palisade.model.Direction;
import dev.palisade.model.IpFamily;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The byte layouts of the maps' keys and values, as {@code palisade_tc.bpf.c} declares them.
 * Integers are in the host's byte order (the kernel's), addresses and ports in network order;
 * an LPM key starts with its prefix length in bits.
 *
 * <pre>
 * endpoints      key u32 ifindex                       value {u32 id, u32 flags,
 *                                                             u32 denied slot[ingress, egress]}
 *                flags: bit 0 isolated ingress, 1 isolated egress, 2 node traffic allowed,
 *                3 reject
 * identities_v4  key {u32 prefixlen, u8 addr[4]}       value u32 identity
 * identities_v6  key {u32 prefixlen, u8 addr[16]}      value u32 identity
 * verdicts       key {u32 prefixlen, u32 endpoint, u32 identity, u8 direction, u8 protocol,
 *                     be16 port}                        value {u32 counter slot}
 * counters       key u32 slot                          value u64 packets per possible CPU
 * </pre>
 */
public final class Layouts {
  public static final int ENDPOINT_KEY_SIZE = 4;
  public static final int ENDPOINT_VALUE_SIZE = 16;
  public static final int IDENTITY_VALUE_SIZE = 4;
  public static final int VERDICT_KEY_SIZE = 16;
  public static final int VERDICT_VALUE_SIZE = 4;
  public static final int COUNTER_VALUE_SIZE = 8;
  /** Slots of the counters map, slot 0 (counted for no one) included. */
  public static final int COUNTER_SLOTS = 65536;
  /** Bits of a verdict key's data: endpoint 32, identity 32, direction 8, protocol 8, port 16. */
  static final int VERDICT_KEY_BITS = 96;

  private static final ByteOrder HOST = ByteOrder.nativeOrder();

  private Layouts() {}

  public static int identityKeySize(IpFamily family) {
    return 4 + (family == IpFamily.V4 ? 4 : 16);
  }

  static byte[] endpointKey(int ifindex) {
    return buffer(ENDPOINT_KEY_SIZE).putInt(ifindex).array();
  }

  static int endpointKeyOf(byte[] key) {
    return wrap(key).getInt();
  }

  static byte[] endpointValue(EbpfEndpoint endpoint) {
    return buffer(ENDPOINT_VALUE_SIZE).putInt(endpoint.id()).putInt(endpoint.flags())
        .putInt(endpoint.deniedIngressSlot()).putInt(endpoint.deniedEgressSlot()).array();
  }

  static EbpfEndpoint endpointOf(byte[] value) {
    ByteBuffer buffer = wrap(value);
    return EbpfEndpoint.of(buffer.getInt(), buffer.getInt(), buffer.getInt(), buffer.getInt());
  }

  static byte[] identityKey(Cidr prefix) {
    byte[] address = prefix.network().getAddress();
    return buffer(4 + address.length).putInt(prefix.prefixLength()).put(address).array();
  }

  static Cidr identityKeyOf(byte[] key) {
    ByteBuffer buffer = wrap(key);
    int length = buffer.getInt();
    try {
      return new Cidr(InetAddress.getByAddress(Arrays.copyOfRange(key, 4, key.length)), length);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an address: " + Arrays.toString(key), e);
    }
  }

  static byte[] u32(int value) {
    return buffer(4).putInt(value).array();
  }

  static int u32Of(byte[] value) {
    return wrap(value).getInt();
  }

  static byte[] verdictKey(VerdictKey key) {
    Traffic traffic = key.traffic();
    ByteBuffer buffer = buffer(VERDICT_KEY_SIZE)
        .putInt(traffic.keyPrefixLength())
        .putInt(key.endpoint())
        .putInt(key.identity())
        .put((byte) direction(key.direction()))
        .put((byte) Math.max(0, traffic.protocol()));
    // the port in network order, so that a block of ports is a prefix of the key's bits
    buffer.put((byte) (traffic.port() >>> 8)).put((byte) traffic.port());
    return buffer.array();
  }

  static VerdictKey verdictKeyOf(byte[] key) {
    ByteBuffer buffer = wrap(key);
    int prefixLength = buffer.getInt();
    int endpoint = buffer.getInt();
    int identity = buffer.getInt();
    Direction direction = direction(buffer.get());
    int protocol = buffer.get() & 0xff;
    int port = ((buffer.get() & 0xff) << 8) | (buffer.get() & 0xff);
    Traffic traffic;
    if (prefixLength == 72) {
      traffic = Traffic.everything();
    } else if (prefixLength >= 80 && prefixLength <= VERDICT_KEY_BITS) {
      traffic = new Traffic(protocol, port, prefixLength - 80);
    } else {
      throw new IllegalArgumentException("a verdict prefix of " + prefixLength
          + " bits is none this backend writes");
    }
    return new VerdictKey(endpoint, identity, direction, traffic);
  }

  static byte[] verdictValue(int counter) {
    return u32(counter);
  }

  /** The program's direction numbers: 0 ingress, 1 egress (of the pod). */
  static int direction(Direction direction) {
    return direction == Direction.INGRESS ? 0 : 1;
  }

  private static Direction direction(byte value) {
    return switch (value) {
      case 0 -> Direction.INGRESS;
      case 1 -> Direction.EGRESS;
      default -> throw new IllegalArgumentException("direction " + value);
    };
  }

  private static ByteBuffer buffer(int size) {
    return ByteBuffer.allocate(size).order(HOST);
  }

  private static ByteBuffer wrap(byte[] bytes) {
    return ByteBuffer.wrap(bytes).order(HOST);
  }
}
