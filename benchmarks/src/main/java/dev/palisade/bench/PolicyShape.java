package dev.palisade.bench;

/**
 * The kinds of NetworkPolicy a synthetic cluster holds, with the share of all policies each
 * kind gets (weights add up to 100). The mix follows what teams write in practice: a default
 * deny per namespace, many narrow app-to-app allowances, and fewer namespace-wide, monitoring,
 * egress and expression-based policies.
 */
public enum PolicyShape {
  /** {@code podSelector: {}} with no rules: deny ingress (prod also egress) in a namespace. */
  DEFAULT_DENY(10, "default-deny"),
  /** Egress from every pod of a namespace to CoreDNS on port 53 UDP and TCP. */
  DNS_EGRESS(5, "allow-dns"),
  /** Ingress (or egress) between two apps of a namespace, by pod selector and port. */
  APP_TO_APP(30, "allow-app"),
  /** Ingress to a whole namespace from itself and from the namespaces of the same team. */
  NAMESPACE_ISOLATION(10, "allow-team"),
  /** Ingress from frontends of one environment: namespaceSelector AND podSelector in a peer. */
  NAMESPACE_AND_POD(10, "allow-frontends"),
  /** Egress to addresses outside the cluster: an ipBlock with excepts. */
  IP_BLOCK_EGRESS(10, "allow-external"),
  /** Ingress from Prometheus to the container port named {@code metrics}. */
  NAMED_PORT_INGRESS(15, "allow-scrape"),
  /** Selectors with In, NotIn, Exists and DoesNotExist. */
  MATCH_EXPRESSIONS(10, "allow-expr");

  private final int weight;
  private final String namePrefix;

  PolicyShape(int weight, String namePrefix) {
    this.weight = weight;
    this.namePrefix = namePrefix;
  }

  /** Percent of the policies that have this shape. */
  int weight() {
    return weight;
  }

  String namePrefix() {
    return namePrefix;
  }
}
