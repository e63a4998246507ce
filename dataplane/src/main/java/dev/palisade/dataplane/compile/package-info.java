/**
 * The pure compiler from a node's share of the {@link dev.palisade.model.RuleGraph} to a
 * {@link dev.palisade.dataplane.state.DesiredState}: no process, no I/O, same input same output.
 * The chain layout is described in {@code docs/dataplane.md}; {@link
 * dev.palisade.dataplane.compile.NodeCompiler} is the entry point.
 */
package dev.palisade.dataplane.compile;
