/**
 * {@code palisade logs}: the packets a node denied, with the pods and policies they concern.
 * Pure parts: the nfnetlink_log messages ({@link dev.palisade.logs.NflogMessages}), an IP header
 * ({@link dev.palisade.logs.PacketHeader}) and the line ({@link dev.palisade.logs.DeniedPacketLine});
 * the shell: a netlink socket ({@link dev.palisade.logs.NflogFollower}) and informers
 * ({@link dev.palisade.logs.InformerDirectory}).
 */
package dev.palisade.logs;
