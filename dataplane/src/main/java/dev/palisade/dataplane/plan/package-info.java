/**
 * The node plan: a node's share of the {@link dev.palisade.model.RuleGraph} for one IP family in
 * terms every dataplane backend shares, before any of them renders it. Typed endpoints with the
 * policies that isolate them per direction, each policy's allow rules, and the peer classes those
 * rules name with their members (pod addresses, address ranges with exceptions, address and port
 * pairs of resolved named ports). The iptables backend ({@link dev.palisade.dataplane.compile})
 * renders classes as ipsets and rules as chains; an eBPF backend renders them as map entries.
 * {@link dev.palisade.dataplane.plan.NodePlanner} builds it, pure and incremental.
 */
package dev.palisade.dataplane.plan;
