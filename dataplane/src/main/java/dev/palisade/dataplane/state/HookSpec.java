package dev.palisade.dataplane.state;

/**
 * The one jump rule Palisade owns in a built-in chain of the filter table (FORWARD, OUTPUT,
 * INPUT): {@code rule} is its argument text (jumping into a Palisade chain, with its comment),
 * kept at {@code position} (1-based) so it runs before rules that would accept the traffic.
 */
public record HookSpec(String builtinChain, int position, String rule) {}
