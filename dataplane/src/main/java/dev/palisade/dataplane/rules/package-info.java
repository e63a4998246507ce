/**
 * A tiny immutable vocabulary of iptables rules: {@link dev.palisade.dataplane.rules.Match}es
 * and an {@link dev.palisade.dataplane.rules.Action} make a {@link
 * dev.palisade.dataplane.rules.Rule}, rules make a {@link dev.palisade.dataplane.rules.Chain}.
 * Each value renders itself exactly as {@code iptables-save} prints it back, so the kernel
 * writer can compare desired and actual rules as text.
 */
package dev.palisade.dataplane.rules;
