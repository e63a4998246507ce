package dev.palisade.dataplane.compile;

import dev.palisade.dataplane.state.IpSetSpec;
import dev.palisade.dataplane.state.Names;
import dev.palisade.model.Cidr;
import dev.palisade.model.Direction;
import dev.palisade.model.IpFamily;
import dev.palisade.model.ObjectRef;
import java.util.Locale;

/**
 * Names of Palisade chains and sets, derived only from stable identity (a pod's or policy's
 * namespace/name, a normalized selector, a block) so that the same object keeps its name across
 * syncs and restarts. A generated name is {@code <kind prefix><readable fragment>-<hash>}
 * ({@link GeneratedName}); the compiler resolves it through its {@link NameLedger}, which keeps
 * two identities apart even when their hashes collide.
 *
 * <p>Chains live in one table per family, so chain names need no family; ipsets are one
 * namespace for both families, so every set name carries {@code 4} or {@code 6}.
 */
public final class StableNames {
  public static final String FORWARD_CHAIN = Names.CHAIN_PREFIX + "FORWARD";
  public static final String INPUT_CHAIN = Names.CHAIN_PREFIX + "INPUT";
  public static final String OUTPUT_CHAIN = Names.CHAIN_PREFIX + "OUTPUT";
  public static final String INGRESS_STAGE = Names.CHAIN_PREFIX + "INGRESS";
  public static final String EGRESS_STAGE = Names.CHAIN_PREFIX + "EGRESS";
  /** Denies traffic of addresses in the node's pod CIDRs that no known pod holds yet. */
  public static final String FAIL_CLOSED_CHAIN = Names.CHAIN_PREFIX + "FAIL-CLOSED";

  private StableNames() {}

  /** The chain of a direction's first step: gate and dispatch tree root. */
  public static String stageChain(Direction direction) {
    return direction == Direction.INGRESS ? INGRESS_STAGE : EGRESS_STAGE;
  }

  /** An inner node of a direction's dispatch tree, covering an address block. */
  public static GeneratedName treeChain(Direction direction, Cidr block) {
    return chain("T" + letter(direction), block.toString(), "tree|" + direction + "|" + block);
  }

  /** The chain that decides one local pod's traffic in one direction. */
  public static GeneratedName podChain(Direction direction, ObjectRef pod) {
    return chain("P" + letter(direction), pod.namespace() + "." + pod.name(),
        "pod|" + direction + "|" + pod);
  }

  /** The rules of one policy in one direction, shared by every pod the policy selects. */
  public static GeneratedName policyChain(Direction direction, ObjectRef policy) {
    return chain("R" + letter(direction), policy.namespace() + "." + policy.name(),
        "policy|" + direction + "|" + policy);
  }

  /** The local pods isolated in a direction: the gate in front of the dispatch tree. */
  public static String isolatedSet(IpFamily family, Direction direction) {
    return Names.SET_PREFIX + family.number() + "-isolated-"
        + direction.name().toLowerCase(Locale.ROOT);
  }

  /** Every local endpoint pod's address: with fail-closed, what is known on this node. */
  public static String localPodsSet(IpFamily family) {
    return Names.SET_PREFIX + family.number() + "-local-pods";
  }

  /** The addresses of the pods a normalized selector matches. */
  public static GeneratedName selectorSet(IpFamily family, String readable, String identity) {
    return set(family, 's', readable, "selector|" + identity);
  }

  /** The blocks of an ipBlock, its excepts as {@code nomatch} entries. */
  public static GeneratedName blockSet(IpFamily family, String readable, String identity) {
    return set(family, 'n', readable, "block|" + identity);
  }

  /** (selected local pod, resolved port) of an ingress named port of one policy. */
  public static GeneratedName ingressPortSet(IpFamily family, String readable, String identity) {
    return set(family, 'i', readable, "ingress-port|" + identity);
  }

  /** (peer pod, resolved port) of an egress named port towards one peer. */
  public static GeneratedName egressPortSet(IpFamily family, String readable, String identity) {
    return set(family, 'e', readable, "egress-port|" + identity);
  }

  private static char letter(Direction direction) {
    return direction == Direction.INGRESS ? 'I' : 'E';
  }

  private static GeneratedName chain(String kind, String readable, String identity) {
    return new GeneratedName(Names.CHAIN_PREFIX + kind + "-", readable, identity,
        Names.MAX_CHAIN_NAME_LENGTH);
  }

  private static GeneratedName set(IpFamily family, char kind, String readable,
      String identity) {
    return new GeneratedName(Names.SET_PREFIX + family.number() + kind + "-", readable,
        family + "|" + identity, IpSetSpec.MAX_NAME_LENGTH);
  }
}
