package dev.palisade.dataplane.state;

/** The ipset types Palisade uses, with their kernel names. */
public enum IpSetType {
  /** Pod addresses of a peer selector. */
  HASH_IP("hash:ip"),
  /** ipBlocks: cidr entries, excepts as {@code nomatch} entries. */
  HASH_NET("hash:net"),
  /** (address, protocol:port) pairs: named ports resolved per pod. */
  HASH_IP_PORT("hash:ip,port");

  private final String kernelName;

  IpSetType(String kernelName) {
    this.kernelName = kernelName;
  }

  public String kernelName() {
    return kernelName;
  }

  public static IpSetType fromKernelName(String name) {
    for (IpSetType type : values()) {
      if (type.kernelName.equals(name)) {
        return type;
      }
    }
    throw new IllegalArgumentException("unsupported ipset type " + name);
  }
}
