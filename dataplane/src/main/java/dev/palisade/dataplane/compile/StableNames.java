package dev.palisade.dataplane.compile;

import dev.palisade.dataplane.state.Installation;
import dev.palisade.dataplane.state.IpSetSpec;
import dev.palisade.dataplane.state.Names;
import dev.palisade.model.Cidr;
import dev.palisade.model.Direction;
import dev.palisade.model.IpFamily;
import dev.palisade.model.ObjectRef;
import java.util.Locale;

/**
 * Names of one installation's chains and sets, derived only from stable identity (a pod's or
 * policy's namespace/name, a normalized selector, a block) so that the same object keeps its
 * name across syncs and restarts. A generated name is
 * {@code <kind prefix><readable fragment>-<hash>} ({@link GeneratedName}); the compiler
 * resolves it through its {@link NameLedger}, which keeps two identities apart even when their
 * hashes collide.
 *
 * <p>Chains live in one table per family, so chain names need no family; ipsets are one
 * namespace for both families, so every set name carries {@code 4} or {@code 6}.
 */
public final class StableNames {
  /** The names of the default installation. */
  public static final StableNames DEFAULT = new StableNames(Installation.DEFAULT);

  private final Installation installation;

  public StableNames(Installation installation) {
    this.installation = installation;
  }

  public String forwardChain() {
    return installation.chainPrefix() + "FORWARD";
  }

  public String inputChain() {
    return installation.chainPrefix() + "INPUT";
  }

  public String outputChain() {
    return installation.chainPrefix() + "OUTPUT";
  }

  /** Denies traffic of addresses in the node's pod CIDRs that no known pod holds yet. */
  public String failClosedChain() {
    return installation.chainPrefix() + "FAIL-CLOSED";
  }

  /** The chain of a direction's first step: gate and dispatch tree root. */
  public String stageChain(Direction direction) {
    return installation.chainPrefix() + (direction == Direction.INGRESS ? "INGRESS" : "EGRESS");
  }

  /** An inner node of a direction's dispatch tree, covering an address block. */
  public GeneratedName treeChain(Direction direction, Cidr block) {
    return chain("T" + letter(direction), block.toString(), "tree|" + direction + "|" + block);
  }

  /** The chain that decides one local pod's traffic in one direction. */
  public GeneratedName podChain(Direction direction, ObjectRef pod) {
    return chain("P" + letter(direction), pod.namespace() + "." + pod.name(),
        "pod|" + direction + "|" + pod);
  }

  /** The rules of one policy in one direction, shared by every pod the policy selects. */
  public GeneratedName policyChain(Direction direction, ObjectRef policy) {
    return chain("R" + letter(direction), policy.namespace() + "." + policy.name(),
        "policy|" + direction + "|" + policy);
  }

  /** The local pods isolated in a direction: the gate in front of the dispatch tree. */
  public String isolatedSet(IpFamily family, Direction direction) {
    return installation.setPrefix() + family.number() + "-isolated-"
        + direction.name().toLowerCase(Locale.ROOT);
  }

  /** Every local endpoint pod's address: with fail-closed, what is known on this node. */
  public String localPodsSet(IpFamily family) {
    return installation.setPrefix() + family.number() + "-local-pods";
  }

  /** The addresses of the pods a normalized selector matches. */
  public GeneratedName selectorSet(IpFamily family, String readable, String identity) {
    return set(family, 's', readable, "selector|" + identity);
  }

  /** The blocks of an ipBlock, its excepts as {@code nomatch} entries. */
  public GeneratedName blockSet(IpFamily family, String readable, String identity) {
    return set(family, 'n', readable, "block|" + identity);
  }

  /** (selected local pod, resolved port) of an ingress named port of one policy. */
  public GeneratedName ingressPortSet(IpFamily family, String readable, String identity) {
    return set(family, 'i', readable, "ingress-port|" + identity);
  }

  /** (peer pod, resolved port) of an egress named port towards one peer. */
  public GeneratedName egressPortSet(IpFamily family, String readable, String identity) {
    return set(family, 'e', readable, "egress-port|" + identity);
  }

  private static char letter(Direction direction) {
    return direction == Direction.INGRESS ? 'I' : 'E';
  }

  private GeneratedName chain(String kind, String readable, String identity) {
    return new GeneratedName(installation.chainPrefix() + kind + "-", readable, identity,
        Names.MAX_CHAIN_NAME_LENGTH);
  }

  private GeneratedName set(IpFamily family, char kind, String readable,
      String identity) {
    return new GeneratedName(installation.setPrefix() + family.number() + kind + "-", readable,
        family + "|" + identity, IpSetSpec.MAX_NAME_LENGTH);
  }
}
