package dev.palisade.model;

/** One entry of a rule's {@code from} or {@code to}: pods chosen by selectors, or an ipBlock. */
public sealed interface Peer permits PeerSelector, IpBlock {}
