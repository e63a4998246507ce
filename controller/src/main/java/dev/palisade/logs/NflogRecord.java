package dev.palisade.logs;

import java.time.Instant;

/**
 * One packet the kernel sent to an NFLOG group.
 *
 * @param prefix the logging rule's {@code --nflog-prefix} ("" when it had none)
 * @param payload the packet from its IP header on (possibly cut to the capture's length)
 */
public record NflogRecord(Instant time, int group, String prefix, byte[] payload) {}
