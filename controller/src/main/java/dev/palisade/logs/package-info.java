/**
 * {@code palisade logs}: the packets a node denied, with the pods and policies they concern.
 * Pure parts: reading an NFLOG capture ({@link dev.palisade.logs.NflogCapture}), an IP header
 * ({@link dev.palisade.logs.PacketHeader}) and the line ({@link dev.palisade.logs.DeniedPacketLine});
 * the shell: tcpdump ({@link dev.palisade.logs.NflogFollower}) and informers
 * ({@link dev.palisade.logs.InformerDirectory}).
 */
package dev.palisade.logs;
