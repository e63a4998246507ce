// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Palisade's tc program: NetworkPolicy for one node, attached to the host-side end of every
 * local pod's veth. One fixed program; the policy lives in the maps below, written by the agent
 * (dev.palisade.dataplane.ebpf). docs/ebpf.md explains the design; this header is its summary.
 *
 * Hooks. On the pod's host-side interface, tc ingress sees the packets FROM the pod (the pod's
 * egress: program palisade_from_pod) and tc egress the packets TO the pod (its ingress:
 * palisade_to_pod). Allowed packets get TC_ACT_UNSPEC (tcx: "next"), never TC_ACT_OK, so a
 * CNI's own programs still run after ours; denied ones TC_ACT_SHOT, or, when the endpoint
 * rejects, TC_ACT_REDIRECT with the packet turned into its answer (a TCP reset, an ICMP port
 * unreachable) on its way back to the sender (see REJECT below; the answer carries REJECT_MARK,
 * by which our hooks let it pass).
 *
 * Maps (all pinned under the agent's bpffs directory):
 *   endpoints      hash   ifindex (u32, host-side interface) -> {endpoint id, flags,
 *                                                               denied slot[2] by direction}
 *                  flags: bit 0 isolated ingress, bit 1 isolated egress, bit 2 node traffic
 *                  allowed (see "The node's own traffic"), bit 3 reject (the deny action
 *                  REJECT). An interface without an entry is not Palisade's: every packet
 *                  passes.
 *   identities_v4  LPM    IPv4 prefix -> identity (u32)
 *   identities_v6  LPM    IPv6 prefix -> identity (u32)
 *                  An identity is one equivalence class of remote addresses: the exact set of
 *                  peer classes (selectors' pods, ipBlocks minus excepts) an address belongs to.
 *                  The longest prefix wins, so an ipBlock's except is simply a longer prefix
 *                  with its own identity. An address in no prefix is identity 0, "world".
 *   verdicts       LPM    {endpoint, identity, direction, protocol, port} -> {counter slot}
 *                  Presence means allowed. The key's data is 12 bytes, 96 bits:
 *                    bits  0..31 endpoint   (exact)
 *                    bits 32..63 identity   (exact)
 *                    bits 64..71 direction  (exact; 0 ingress, 1 egress of the pod)
 *                    bits 72..79 protocol   (IANA number)
 *                    bits 80..95 port       (big-endian, so that a port range is a few prefixes)
 *                  prefixlen 72 = every protocol and port (a rule without ports: ICMP too),
 *                  80 = every port of one protocol, 81..96 = a block of ports (a range becomes
 *                  at most 30 such prefixes), 96 = one port. One lookup per judgement decides.
 *                  The identity sits before the protocol so that "every protocol" is one prefix.
 *   counters       per-CPU array of u64 packets, 65,536 slots, each the agent's to give one
 *                  owner (PacketCounts, as the iptables backend reports its rule counters):
 *                  - a local pod's denied packets in one direction: the endpoint's denied
 *                    slot of the direction whose judgement dropped (or rejected) the packet;
 *                  - a policy's allowed packets: the slot in the value of the verdict that
 *                    passed it (the agent gives a verdict the first policy by name among
 *                    those that allow its packets, by it or by a wider verdict).
 *                  Slot 0 is no one's: a packet whose slot is 0 is not counted (an open
 *                  direction, an agent out of slots). The agent zeroes a slot before giving it
 *                  to a new owner. Packets passed without a verdict (a direction no policy
 *                  isolates, the node's own traffic) are not counted, as in the iptables
 *                  backend; replies are, for the policy that allows their connection.
 *
 * Replies. A packet that the kernel's conntrack knows as the REPLY direction of a TCP or UDP
 * connection (bpf_skb_ct_lookup) is judged as the connection's original direction is: for the
 * opposite policy direction, with the remote address as peer and the packet's source port as
 * the port the connection was opened to. The verdict is re-checked on every packet, so a
 * tightened policy cuts established connections; there is no flow map of our own. ICMP echo
 * replies are judged as their echo request (the kfunc looks up TCP and UDP only). An ICMP error
 * (destination unreachable, fragmentation needed, time exceeded, parameter problem; ICMPv6 1..4)
 * whose quoted TCP or UDP header belongs to a connection conntrack knows is RELATED: judged as
 * that connection, with the quoted remote address as peer. Conntrack
 * must be active in the node's network namespace (docs/ebpf.md says what activates it); where
 * it is not, replies are judged as new traffic and an isolated direction denies them.
 *
 * SCTP replies. The kfunc looks up TCP and UDP only, so nothing says that an SCTP packet belongs
 * to an association the remote side opened. But only an INIT chunk opens an association (RFC 9260
 * 5.1), and an INIT travels alone (6.10: never bundled; Linux discards a bundled one), so it is
 * the first chunk of its packet. Every other SCTP packet belongs to an existing association or is
 * "out of the blue", which the receiver discards or answers with an ABORT (8.4), and it must
 * carry the verification tag the peer chose (8.5). So an SCTP packet whose first chunk is not
 * INIT passes when either judgement allows it: its own, or the one its association's opening got
 * (as a reply: the opposite direction, the remote as peer, its source port as the port). An INIT
 * (or a packet too short to show its first chunk) is judged as opening only: a pod cannot open an
 * association from an allowed port toward a peer its policy keeps it from. Beyond what conntrack
 * would pass, this lets non-INIT packets through toward peers that may open associations to that
 * port of the pod, which can open nothing there.
 *
 * The node's own traffic (kubelet probes). A packet the node itself sends to its pod was
 * received on no interface: at palisade_to_pod its skb->ingress_ifindex is 0, where a forwarded
 * packet carries the interface it came in on. With NODE_TRAFFIC_ALLOWED such packets pass
 * unjudged, and so do the pod's answers to them: a packet from the pod that is judged as the
 * pod's ingress (a reply, an echo reply, an ICMP error about such a connection) and goes to an
 * address of the node itself (bpf_fib_lookup: not forwarded, BPF_FIB_LKUP_RET_NOT_FWDED).
 * Without the flag the node is a remote address like any other, judged by the pod's ingress
 * rules, as the iptables backend does with allowNodeToPods off.
 *
 * Always passing: non-IP frames (ARP), IPv6 neighbour discovery (ICMPv6 133..136; link plumbing
 * between the pod and its node, as in the iptables backend).
 *
 * Ports: TCP, UDP and SCTP destination ports; every other protocol (ICMP, ICMPv6, ...) and
 * every non-first fragment is looked up with port 0, which only "every port" prefixes
 * (prefixlen <= 80) match: a rule with ports never allows ICMP.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define DIR_INGRESS 0
#define DIR_EGRESS 1

#define ISOLATED_INGRESS (1u << 0)
#define ISOLATED_EGRESS (1u << 1)
#define NODE_TRAFFIC_ALLOWED (1u << 2)

#define AF_INET_NUM 2
#define AF_INET6_NUM 10
#define REJECT (1u << 3)

/*
 * The mark of an answer to a rejected packet (see reject()) from our redirect to the last of our
 * hooks it meets: a to-pod hook, which passes it and clears the mark. An answer to the pod goes
 * straight to that hook on the same interface. An answer that enters the node (from a to-pod
 * hook) meets our from-pod hook of the same interface, which passes it with the mark, and keeps
 * the mark through the node's netfilter and routing: when the sender is a local pod, the answer
 * must still pass that pod's to-pod hook, where conntrack no longer helps (a TCP connection whose
 * only reply is a reset is deleted at once). Only such answers carry the mark; its bits avoid
 * kube-proxy's (0x4000, 0x8000), the iptables backend's default (0x10000) and the upper half
 * (Calico's default mask). A pod cannot forge it: a packet's mark is scrubbed when it crosses
 * into another network namespace; only a privileged process of the node could set it.
 */
#define REJECT_MARK 0x1a1eu

#define COUNTER_SLOTS 65536
#define MAX_ENDPOINTS 16384
#define MAX_PREFIXES 262144
#define MAX_VERDICTS 1048576

#define IPPROTO_ICMPV6_NUM 58
#define SCTP_COMMON_HEADER_LEN 12
#define SCTP_CHUNK_INIT 1
#define ICMP_ECHOREPLY_TYPE 0
#define ICMPV6_ECHOREPLY_TYPE 129
#define CT_DIR_ORIGINAL 0
#define CT_DIR_REPLY 1

struct endpoint {
	__u32 id;
	__u32 flags;
	__u32 denied[2]; /* counter slot of the packets dropped per direction; 0: not counted */
};

struct prefix_v4 {
	__u32 prefixlen;
	__u8 addr[4];
};

struct prefix_v6 {
	__u32 prefixlen;
	__u8 addr[16];
};

struct verdict_key {
	__u32 prefixlen;
	__u32 endpoint;
	__u32 identity;
	__u8 direction;
	__u8 protocol;
	__be16 port;
};

struct verdict {
	__u32 counter;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_ENDPOINTS);
	__type(key, __u32);
	__type(value, struct endpoint);
} endpoints SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, MAX_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct prefix_v4);
	__type(value, __u32);
} identities_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, MAX_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct prefix_v6);
	__type(value, __u32);
} identities_v6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, MAX_VERDICTS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct verdict_key);
	__type(value, struct verdict);
} verdicts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, COUNTER_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/*
 * The conntrack kfuncs (net/netfilter/nf_conntrack_bpf.c); libbpf resolves their BTF ids and
 * checks the prototypes, comparing struct names only, but a forward declaration is a different
 * BTF kind to libbpf 1.1: hence a body that is never read.
 */
struct nf_conn {
	__u64 opaque;
};

struct bpf_ct_opts {
	__s32 netns_id;
	__s32 error;
	__u8 l4proto;
	__u8 dir;
	__u8 reserved[2];
};

/* The 12-byte layout: accepted by every kernel with the kfunc; dir is filled since 6.1. */
#define CT_OPTS_SIZE 12

extern struct nf_conn *bpf_skb_ct_lookup(struct __sk_buff *skb, struct bpf_sock_tuple *tuple,
					 __u32 tuple__sz, struct bpf_ct_opts *opts,
					 __u32 opts__sz) __ksym;
extern void bpf_ct_release(struct nf_conn *ct) __ksym;

/* Pod interfaces are Ethernet (veth): the IP header follows 14 bytes of MAC header. */

/* What the program reads from a packet. Addresses are in network order. */
struct packet {
	__u8 family; /* 4 or 6 */
	__u8 protocol;
	__u8 icmp_type;
	__u8 has_ports;
	__u8 sctp_init; /* SCTP: the first chunk is INIT, or cannot be read */
	__u32 l4_offset;
	__be16 sport;
	__be16 dport;
	__u8 saddr[16];
	__u8 daddr[16];
};

static __always_inline void count(__u32 slot)
{
	__u64 *value;

	if (!slot)
		return;
	value = bpf_map_lookup_elem(&counters, &slot);

	if (value)
		*value += 1;
}

/* Reads the L4 header at offset: ports for TCP, UDP and SCTP (their first 4 bytes) and SCTP's
 * first chunk type, the type for ICMP. Returns -1 when the packet is too short for the ports. */
static __always_inline int read_l4(struct __sk_buff *skb, __u32 offset, struct packet *pkt)
{
	pkt->l4_offset = offset;
	if (pkt->protocol == IPPROTO_TCP || pkt->protocol == IPPROTO_UDP ||
	    pkt->protocol == IPPROTO_SCTP) {
		__be16 ports[2];

		if (bpf_skb_load_bytes(skb, offset, ports, sizeof(ports)))
			return -1;
		pkt->sport = ports[0];
		pkt->dport = ports[1];
		pkt->has_ports = 1;
		if (pkt->protocol == IPPROTO_SCTP) {
			__u8 chunk;

			pkt->sctp_init = bpf_skb_load_bytes(skb, offset + SCTP_COMMON_HEADER_LEN,
							    &chunk, 1) != 0 ||
					 chunk == SCTP_CHUNK_INIT;
		}
	} else if (pkt->protocol == IPPROTO_ICMP || pkt->protocol == IPPROTO_ICMPV6_NUM) {
		if (bpf_skb_load_bytes(skb, offset, &pkt->icmp_type, 1))
			return -1;
	}
	return 0;
}

/* Parses the IPv4 header at offset: the packet's own (after the MAC header) or one quoted in an
 * ICMP error. */
static __always_inline int parse_v4(struct __sk_buff *skb, __u32 offset, struct packet *pkt)
{
	struct iphdr ip;

	if (bpf_skb_load_bytes(skb, offset, &ip, sizeof(ip)))
		return -1;
	pkt->family = 4;
	pkt->protocol = ip.protocol;
	__builtin_memcpy(pkt->saddr, &ip.saddr, 4);
	__builtin_memcpy(pkt->daddr, &ip.daddr, 4);
	if (ip.frag_off & bpf_htons(0x1fff))
		return 0; /* a later fragment: no L4 header */
	return read_l4(skb, offset + ip.ihl * 4, pkt);
}

#define NEXTHDR_HOP 0
#define NEXTHDR_ROUTING 43
#define NEXTHDR_FRAGMENT 44
#define NEXTHDR_DEST 60
#define MAX_EXTENSION_HEADERS 4

static __always_inline int parse_v6(struct __sk_buff *skb, __u32 offset, struct packet *pkt)
{
	struct ipv6hdr ip;
	__u8 next;

	if (bpf_skb_load_bytes(skb, offset, &ip, sizeof(ip)))
		return -1;
	offset += sizeof(ip);
	pkt->family = 6;
	__builtin_memcpy(pkt->saddr, &ip.saddr, 16);
	__builtin_memcpy(pkt->daddr, &ip.daddr, 16);
	next = ip.nexthdr;
#pragma unroll
	for (int i = 0; i < MAX_EXTENSION_HEADERS; i++) {
		__u8 header[4];

		if (next != NEXTHDR_HOP && next != NEXTHDR_ROUTING && next != NEXTHDR_FRAGMENT &&
		    next != NEXTHDR_DEST)
			break;
		if (bpf_skb_load_bytes(skb, offset, header, sizeof(header)))
			return -1;
		if (next == NEXTHDR_FRAGMENT) {
			__u16 frag_off = (__u16)(header[2] << 8 | header[3]);

			next = header[0];
			if (frag_off & 0xfff8) {
				pkt->protocol = next;
				return 0; /* a later fragment: no L4 header */
			}
			offset += 8;
		} else {
			next = header[0];
			offset += (header[1] + 1) * 8;
		}
	}
	pkt->protocol = next;
	return read_l4(skb, offset, pkt);
}

/*
 * The direction in which conntrack knows the packet's TCP or UDP tuple: CT_DIR_ORIGINAL (the
 * packet goes the way the connection was opened), CT_DIR_REPLY, or -1 (no connection, or not
 * TCP/UDP: the kfunc looks up those two only).
 */
static __always_inline int ct_direction(struct __sk_buff *skb, struct packet *pkt)
{
	struct bpf_sock_tuple tuple = {};
	struct bpf_ct_opts opts = {.netns_id = -1 /* BPF_F_CURRENT_NETNS */};
	struct nf_conn *ct;
	__u32 tuple_size;
	int direction;

	if (!pkt->has_ports || (pkt->protocol != IPPROTO_TCP && pkt->protocol != IPPROTO_UDP))
		return -1;
	opts.l4proto = pkt->protocol;
	if (pkt->family == 4) {
		__builtin_memcpy(&tuple.ipv4.saddr, pkt->saddr, 4);
		__builtin_memcpy(&tuple.ipv4.daddr, pkt->daddr, 4);
		tuple.ipv4.sport = pkt->sport;
		tuple.ipv4.dport = pkt->dport;
		tuple_size = sizeof(tuple.ipv4);
	} else {
		__builtin_memcpy(tuple.ipv6.saddr, pkt->saddr, 16);
		__builtin_memcpy(tuple.ipv6.daddr, pkt->daddr, 16);
		tuple.ipv6.sport = pkt->sport;
		tuple.ipv6.dport = pkt->dport;
		tuple_size = sizeof(tuple.ipv6);
	}
	ct = bpf_skb_ct_lookup(skb, &tuple, tuple_size, &opts, CT_OPTS_SIZE);
	if (!ct)
		return -1;
	direction = opts.dir == CT_DIR_REPLY ? CT_DIR_REPLY : CT_DIR_ORIGINAL;
	bpf_ct_release(ct);
	return direction;
}

static __always_inline __u32 identity_of(struct packet *pkt, __u8 *addr)
{
	__u32 *identity;

	if (pkt->family == 4) {
		struct prefix_v4 key = {.prefixlen = 32};

		__builtin_memcpy(key.addr, addr, 4);
		identity = bpf_map_lookup_elem(&identities_v4, &key);
	} else {
		struct prefix_v6 key = {.prefixlen = 128};

		__builtin_memcpy(key.addr, addr, 16);
		identity = bpf_map_lookup_elem(&identities_v6, &key);
	}
	return identity ? *identity : 0;
}

static __always_inline int is_neighbour_discovery(struct packet *pkt)
{
	return pkt->protocol == IPPROTO_ICMPV6_NUM && pkt->icmp_type >= 133 &&
	       pkt->icmp_type <= 136;
}

static __always_inline int is_echo_reply(struct packet *pkt)
{
	return (pkt->family == 4 && pkt->protocol == IPPROTO_ICMP &&
		pkt->icmp_type == ICMP_ECHOREPLY_TYPE) ||
	       (pkt->family == 6 && pkt->protocol == IPPROTO_ICMPV6_NUM &&
		pkt->icmp_type == ICMPV6_ECHOREPLY_TYPE);
}

/* ICMP errors, which quote the header of the packet they are about: destination unreachable
 * (fragmentation needed among them), time exceeded, parameter problem; ICMPv6 1 to 4 (packet
 * too big included). */
static __always_inline int is_icmp_error(struct packet *pkt)
{
	if (pkt->family == 4)
		return pkt->protocol == IPPROTO_ICMP &&
		       (pkt->icmp_type == 3 || pkt->icmp_type == 11 || pkt->icmp_type == 12);
	return pkt->protocol == IPPROTO_ICMPV6_NUM && pkt->icmp_type >= 1 && pkt->icmp_type <= 4;
}

/* The quoted packet of an ICMP error: 8 bytes after the ICMP header's start. */
static __always_inline int parse_quoted(struct __sk_buff *skb, struct packet *pkt,
					struct packet *quoted)
{
	__u32 offset = pkt->l4_offset + 8;

	return pkt->family == 4 ? parse_v4(skb, offset, quoted) : parse_v6(skb, offset, quoted);
}

/* Whether the packet goes to an address of the node itself (a local route) rather than being
 * forwarded. Only asked about packets the maps would drop, so its cost stays off the fast path. */
static __always_inline int to_node(struct __sk_buff *skb, struct packet *pkt)
{
	struct bpf_fib_lookup fib = {.ifindex = skb->ifindex};

	if (pkt->family == 4) {
		fib.family = AF_INET_NUM;
		__builtin_memcpy(&fib.ipv4_src, pkt->saddr, 4);
		__builtin_memcpy(&fib.ipv4_dst, pkt->daddr, 4);
	} else {
		fib.family = AF_INET6_NUM;
		__builtin_memcpy(fib.ipv6_src, pkt->saddr, 16);
		__builtin_memcpy(fib.ipv6_dst, pkt->daddr, 16);
	}
	return bpf_fib_lookup(skb, &fib, sizeof(fib), 0) == BPF_FIB_LKUP_RET_NOT_FWDED;
}

/*
 * REJECT: the denied packet is turned, in place, into its answer and sent back the way it came,
 * as the iptables backend's REJECT target answers: a TCP reset for TCP, an ICMP (ICMPv6)
 * destination unreachable / port unreachable quoting the packet's IP header and the first 8 bytes
 * of its payload for everything else, both from the packet's destination to its source. From
 * the pod (tc ingress) the answer leaves the same interface towards the pod; to the pod (tc
 * egress) it enters the node on the pod's interface, as if the pod had sent it, and is routed to
 * the sender (conntrack sees a reply or a RELATED error, and undoes its NAT, e.g. a Service's).
 * The answer carries REJECT_MARK until a to-pod hook: ours let it pass, the sender's too when
 * the sender is a local pod. Every helper's failure drops the packet.
 *
 * Checksums. A packet sent by a socket of this node usually carries a pending checksum offload
 * (CHECKSUM_PARTIAL: the L4 checksum field holds the pseudo-header sum, and the kernel or the NIC
 * completes it over the bytes from the L4 header to the end). The program cannot read that
 * state, so the answers are made right in both:
 *   - the reset's checksum is written with bpf_l4_csum_replace in two steps from 0: the
 *     pseudo-header's sum with BPF_F_PSEUDO_HDR, then the header's without. With an offload
 *     pending the kernel applies the first step only (the field holds the pseudo-header sum, as
 *     TCP's own), otherwise both (the full checksum);
 *   - an ICMP error's offload, if pending, still points at the quoted L4 header's checksum field,
 *     which is then the only thing in its range: for a quoted UDP header the program writes into
 *     that field the one value that completing the offload leaves unchanged, so the ICMP checksum
 *     holds whether or not anyone completes it. (SCTP's offload field lies beyond the 8 quoted
 *     bytes: the kernel refuses the trim and the packet is dropped; so is a UDP GSO packet,
 *     whose room the kernel refuses to adjust.)
 * A received checksum (CHECKSUM_COMPLETE) would be stale after the rewrite: changing the length
 * drops it (reject_length), and bpf_skb_adjust_room drops CHECKSUM_UNNECESSARY.
 *
 * No answer (the packet is dropped) to: TCP resets, ICMP errors and redirects, non-first
 * fragments, multicast or broadcast destinations, sources that name no single host, IPv4 with
 * options, IPv6 with extension headers, payloads shorter than 8 bytes.
 */
#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10

struct tcp_header {
	__be16 source;
	__be16 dest;
	__be32 seq;
	__be32 ack_seq;
	__u8 doff; /* data offset in the upper 4 bits */
	__u8 flags;
	__be16 window;
	__sum16 check;
	__be16 urg_ptr;
};

struct icmp_header {
	__u8 type;
	__u8 code;
	__sum16 check;
	__be32 unused;
};

/* The pseudo-headers of the TCP and ICMPv6 checksums. */
struct pseudo_v4 {
	__be32 saddr;
	__be32 daddr;
	__u8 zero;
	__u8 protocol;
	__be16 length;
};

struct pseudo_v6 {
	__u8 saddr[16];
	__u8 daddr[16];
	__be32 length;
	__u8 zero[3];
	__u8 next;
};

#define ICMP_DEST_UNREACH_TYPE 3
#define ICMP_PORT_UNREACH_CODE 3
#define ICMPV6_DEST_UNREACH_TYPE 1
#define ICMPV6_PORT_UNREACH_CODE 4
#define ICMPV6_REDIRECT_TYPE 137
#define IPPROTO_UDPLITE_NUM 136
#define QUOTED_PAYLOAD 8
#define ANSWER_TTL 64

static __always_inline __u16 fold(__s64 sum)
{
	__u32 folded = (__u32)sum;

	folded = (folded & 0xffff) + (folded >> 16);
	folded = (folded & 0xffff) + (folded >> 16);
	return (__u16)folded;
}

/* The skb's final length. Changing the length also drops a received checksum
 * (CHECKSUM_COMPLETE), which would be stale: an answer of the packet's own length grows first. */
static __always_inline int reject_length(struct __sk_buff *skb, __u32 length)
{
	if (skb->len == length && bpf_skb_change_tail(skb, length + 1, 0))
		return -1;
	return bpf_skb_change_tail(skb, length, 0) ? -1 : 0;
}

/* Whether an answer may go to the packet's source (addresses in network order). */
static __always_inline int answerable_v4(__be32 saddr, __be32 daddr)
{
	__u32 source = bpf_ntohl(saddr);
	__u32 destination = bpf_ntohl(daddr);

	return source != 0 && source != 0xffffffff && (source >> 28) != 0xe &&
	       destination != 0xffffffff && (destination >> 28) != 0xe;
}

static __always_inline int answerable_v6(__u8 *saddr, __u8 *daddr)
{
	__u64 high, low;

	__builtin_memcpy(&high, saddr, 8);
	__builtin_memcpy(&low, saddr + 8, 8);
	return saddr[0] != 0xff && daddr[0] != 0xff && (high | low) != 0;
}

/* The Ethernet header of the answer: the packet's, the other way round. */
static __always_inline int swap_macs(struct __sk_buff *skb)
{
	struct ethhdr eth;
	__u8 mac[ETH_ALEN];

	if (bpf_skb_load_bytes(skb, 0, &eth, sizeof(eth)))
		return -1;
	__builtin_memcpy(mac, eth.h_dest, ETH_ALEN);
	__builtin_memcpy(eth.h_dest, eth.h_source, ETH_ALEN);
	__builtin_memcpy(eth.h_source, mac, ETH_ALEN);
	return bpf_skb_store_bytes(skb, 0, &eth, sizeof(eth), 0) ? -1 : 0;
}

static __always_inline void answer_ipv4(struct iphdr *answer, struct iphdr *ip, __u8 protocol,
					__u16 length)
{
	__builtin_memset(answer, 0, sizeof(*answer));
	answer->version = 4;
	answer->ihl = 5;
	answer->tot_len = bpf_htons(length);
	answer->frag_off = bpf_htons(0x4000); /* DF */
	answer->ttl = ANSWER_TTL;
	answer->protocol = protocol;
	answer->saddr = ip->daddr;
	answer->daddr = ip->saddr;
	answer->check = (__sum16)~fold(bpf_csum_diff(0, 0, (__be32 *)answer, sizeof(*answer), 0));
}

static __always_inline void answer_ipv6(struct ipv6hdr *answer, struct ipv6hdr *ip, __u8 next,
					__u16 payload)
{
	__builtin_memset(answer, 0, sizeof(*answer));
	answer->version = 6;
	answer->payload_len = bpf_htons(payload);
	answer->nexthdr = next;
	answer->hop_limit = ANSWER_TTL;
	answer->saddr = ip->daddr;
	answer->daddr = ip->saddr;
}

/*
 * The reset of a TCP packet with l4 bytes of TCP (header and payload) after the IP header at
 * ETH_HLEN of ip_size bytes: seq = the packet's ack if it has ACK, else 0 with RST|ACK and
 * ack = its seq + payload + SYN + FIN (RFC 9293 3.10.7.1). Writes the reset's TCP header and
 * checksum; pseudo is the reset's pseudo-header sum.
 */
static __always_inline int reset_tcp(struct __sk_buff *skb, __u32 ip_size, __u32 l4, __s64 pseudo)
{
	__u32 offset = ETH_HLEN + ip_size;
	__u32 check_offset = offset + __builtin_offsetof(struct tcp_header, check);
	struct tcp_header tcp;
	struct tcp_header reset = {};
	__u32 header;
	__s64 sum;

	if (bpf_skb_load_bytes(skb, offset, &tcp, sizeof(tcp)))
		return -1;
	header = (tcp.doff >> 4) * 4;
	if ((tcp.flags & TCP_RST) || header < sizeof(tcp) || header > l4)
		return -1;
	reset.source = tcp.dest;
	reset.dest = tcp.source;
	reset.doff = 5 << 4;
	if (tcp.flags & TCP_ACK) {
		reset.seq = tcp.ack_seq;
		reset.flags = TCP_RST;
	} else {
		reset.ack_seq = bpf_htonl(bpf_ntohl(tcp.seq) + (l4 - header) +
					  !!(tcp.flags & TCP_SYN) + !!(tcp.flags & TCP_FIN));
		reset.flags = TCP_RST | TCP_ACK;
	}
	if (reject_length(skb, offset + sizeof(reset)))
		return -1;
	sum = bpf_csum_diff(0, 0, (__be32 *)&reset, sizeof(reset), 0);
	if (pseudo < 0 || sum < 0 || bpf_skb_store_bytes(skb, offset, &reset, sizeof(reset), 0) ||
	    bpf_l4_csum_replace(skb, check_offset, 0, pseudo, BPF_F_PSEUDO_HDR) ||
	    bpf_l4_csum_replace(skb, check_offset, 0, sum, 0))
		return -1;
	return 0;
}

/*
 * The value of a quoted UDP checksum field that completing a pending offload over the 8 quoted
 * bytes rewrites with itself: the completion writes v' = ~(s + v) (one's complement sums, s the
 * sum of the other three fields), and v' = v when 2v = -s, i.e. v = -s / 2 modulo 0xffff.
 */
static __always_inline __u16 offload_fixed_point(__u16 other_fields)
{
	__u32 negated = (__u16)~other_fields;

	return (negated & 1) ? (negated + 0xffff) >> 1 : negated >> 1;
}

/*
 * The ICMP error answering the packet: room for an IP and an ICMP header made after the
 * Ethernet header, the packet's own IP header and 8 bytes of payload kept as the quote, the
 * rest cut. Writes the ICMP header with its checksum (ICMPv6: with the pseudo-header) and
 * returns the quote's offset, the new IP header is the caller's.
 */
static __always_inline int unreachable(struct __sk_buff *skb, __u32 ip_size, __u8 family,
				       struct pseudo_v6 *pseudo)
{
	__u32 room = ip_size + sizeof(struct icmp_header);
	__u32 quote_offset = ETH_HLEN + room;
	__u8 quote[sizeof(struct ipv6hdr) + QUOTED_PAYLOAD] = {};
	__u32 quote_size = ip_size + QUOTED_PAYLOAD;
	struct icmp_header icmp = {};
	__u8 protocol;
	__s64 sum;

	if (bpf_skb_adjust_room(skb, room, BPF_ADJ_ROOM_MAC, 0) ||
	    reject_length(skb, quote_offset + quote_size))
		return -1;
	if (family == 4) {
		if (bpf_skb_load_bytes(skb, quote_offset, quote, sizeof(struct iphdr) + QUOTED_PAYLOAD))
			return -1;
		protocol = quote[9];
	} else {
		if (bpf_skb_load_bytes(skb, quote_offset, quote, sizeof(quote)))
			return -1;
		protocol = quote[6];
	}
	if (protocol == IPPROTO_UDP || protocol == IPPROTO_UDPLITE_NUM) {
		__u8 *udp = family == 4 ? quote + sizeof(struct iphdr) : quote + sizeof(struct ipv6hdr);
		__u16 check;

		udp[6] = 0;
		udp[7] = 0;
		sum = bpf_csum_diff(0, 0, (__be32 *)udp, QUOTED_PAYLOAD, 0);
		if (sum < 0)
			return -1;
		check = offload_fixed_point(fold(sum));
		__builtin_memcpy(udp + 6, &check, 2);
		if (bpf_skb_store_bytes(skb, quote_offset + quote_size - 2, &check, 2, 0))
			return -1;
	}
	if (family == 4) {
		icmp.type = ICMP_DEST_UNREACH_TYPE;
		icmp.code = ICMP_PORT_UNREACH_CODE;
		sum = 0;
	} else {
		icmp.type = ICMPV6_DEST_UNREACH_TYPE;
		icmp.code = ICMPV6_PORT_UNREACH_CODE;
		sum = bpf_csum_diff(0, 0, (__be32 *)pseudo, sizeof(*pseudo), 0);
	}
	if (sum >= 0)
		sum = bpf_csum_diff(0, 0, (__be32 *)&icmp, sizeof(icmp), (__wsum)sum);
	if (sum >= 0)
		sum = family == 4 ? bpf_csum_diff(0, 0, (__be32 *)quote,
						  sizeof(struct iphdr) + QUOTED_PAYLOAD, (__wsum)sum)
				  : bpf_csum_diff(0, 0, (__be32 *)quote, sizeof(quote), (__wsum)sum);
	if (sum < 0)
		return -1;
	icmp.check = (__sum16)~fold(sum);
	if (bpf_skb_store_bytes(skb, ETH_HLEN + ip_size, &icmp, sizeof(icmp), 0))
		return -1;
	return 0;
}

static __always_inline int reject_v4(struct __sk_buff *skb, struct packet *pkt)
{
	struct iphdr ip;
	struct iphdr answer;
	__u32 l4;

	if (bpf_skb_load_bytes(skb, ETH_HLEN, &ip, sizeof(ip)))
		return -1;
	l4 = bpf_ntohs(ip.tot_len);
	if (ip.ihl != 5 || (ip.frag_off & bpf_htons(0x1fff)) || l4 < sizeof(ip) + QUOTED_PAYLOAD ||
	    !answerable_v4(ip.saddr, ip.daddr))
		return -1;
	l4 -= sizeof(ip);
	if (pkt->protocol == IPPROTO_TCP) {
		struct pseudo_v4 pseudo = {.saddr = ip.daddr, .daddr = ip.saddr,
					   .protocol = IPPROTO_TCP,
					   .length = bpf_htons(sizeof(struct tcp_header))};

		if (reset_tcp(skb, sizeof(ip), l4,
			      bpf_csum_diff(0, 0, (__be32 *)&pseudo, sizeof(pseudo), 0)))
			return -1;
		answer_ipv4(&answer, &ip, IPPROTO_TCP, sizeof(ip) + sizeof(struct tcp_header));
	} else {
		if (pkt->protocol == IPPROTO_ICMP &&
		    (pkt->icmp_type == 3 || pkt->icmp_type == 4 || pkt->icmp_type == 5 ||
		     pkt->icmp_type == 11 || pkt->icmp_type == 12))
			return -1; /* an error (or redirect) is never answered */
		if (unreachable(skb, sizeof(ip), 4, 0))
			return -1;
		answer_ipv4(&answer, &ip, IPPROTO_ICMP,
			    2 * sizeof(ip) + sizeof(struct icmp_header) + QUOTED_PAYLOAD);
	}
	return bpf_skb_store_bytes(skb, ETH_HLEN, &answer, sizeof(answer), 0) ? -1 : 0;
}

static __always_inline int reject_v6(struct __sk_buff *skb, struct packet *pkt)
{
	struct ipv6hdr ip;
	struct ipv6hdr answer;
	__u32 l4;

	if (bpf_skb_load_bytes(skb, ETH_HLEN, &ip, sizeof(ip)))
		return -1;
	l4 = bpf_ntohs(ip.payload_len);
	/* the L4 header right after the IPv6 header: no extension header, no fragment */
	if (pkt->l4_offset != ETH_HLEN + sizeof(ip) || ip.nexthdr != pkt->protocol ||
	    l4 < QUOTED_PAYLOAD || !answerable_v6((__u8 *)&ip.saddr, (__u8 *)&ip.daddr))
		return -1;
	if (pkt->protocol == IPPROTO_TCP) {
		struct pseudo_v6 pseudo = {.length = bpf_htonl(sizeof(struct tcp_header)),
					   .next = IPPROTO_TCP};

		__builtin_memcpy(pseudo.saddr, &ip.daddr, 16);
		__builtin_memcpy(pseudo.daddr, &ip.saddr, 16);
		if (reset_tcp(skb, sizeof(ip), l4,
			      bpf_csum_diff(0, 0, (__be32 *)&pseudo, sizeof(pseudo), 0)))
			return -1;
		answer_ipv6(&answer, &ip, IPPROTO_TCP, sizeof(struct tcp_header));
	} else {
		__u16 payload = sizeof(struct icmp_header) + sizeof(ip) + QUOTED_PAYLOAD;
		struct pseudo_v6 pseudo = {.length = bpf_htonl(payload),
					   .next = IPPROTO_ICMPV6_NUM};

		if (pkt->protocol == IPPROTO_ICMPV6_NUM &&
		    (pkt->icmp_type < 128 || pkt->icmp_type == ICMPV6_REDIRECT_TYPE))
			return -1; /* an error (or redirect) is never answered */
		__builtin_memcpy(pseudo.saddr, &ip.daddr, 16);
		__builtin_memcpy(pseudo.daddr, &ip.saddr, 16);
		if (unreachable(skb, sizeof(ip), 6, &pseudo))
			return -1;
		answer_ipv6(&answer, &ip, IPPROTO_ICMPV6_NUM, payload);
	}
	return bpf_skb_store_bytes(skb, ETH_HLEN, &answer, sizeof(answer), 0) ? -1 : 0;
}

/*
 * Answers a denied packet (see REJECT above): TC_ACT_REDIRECT with the answer on its way, or
 * TC_ACT_SHOT when the packet gets no answer or a step failed. hook_direction is DIR_EGRESS for
 * packets from the pod.
 */
static __noinline int reject(struct __sk_buff *skb, struct packet *pkt, __u8 hook_direction)
{
	int failed;

	if (pkt->family == 4)
		failed = reject_v4(skb, pkt);
	else
		failed = reject_v6(skb, pkt);
	if (failed || swap_macs(skb))
		return TC_ACT_SHOT;
	skb->mark = REJECT_MARK;
	return bpf_redirect(skb->ifindex, hook_direction == DIR_EGRESS ? 0 : BPF_F_INGRESS);
}

/* What one packet is judged as: a direction of the pod's policy, the remote address, the
 * protocol and the port the connection was opened to. */
struct judged {
	__u8 direction;
	__u8 protocol;
	__be16 port;
	__u8 remote[16];
};

/* Whether the maps allow the packet judged so: its direction is not isolated, or a verdict
 * allows it (counted in the verdict's slot). */
static __always_inline int allowed(struct endpoint *endpoint, struct packet *pkt,
				   struct judged *as)
{
	struct verdict_key key = {.prefixlen = 96};
	struct verdict *verdict;

	if (!(endpoint->flags & (as->direction == DIR_INGRESS ? ISOLATED_INGRESS : ISOLATED_EGRESS)))
		return 1;
	key.endpoint = endpoint->id;
	key.identity = identity_of(pkt, as->remote);
	key.direction = as->direction;
	key.protocol = as->protocol;
	key.port = as->port;
	verdict = bpf_map_lookup_elem(&verdicts, &key);
	if (!verdict)
		return 0;
	count(verdict->counter);
	return 1;
}

/* An SCTP packet that cannot open an association (its first chunk is not INIT): it may belong to
 * one the remote side opened, which the kfunc cannot tell. */
static __always_inline int may_answer_sctp(struct packet *pkt)
{
	return pkt->protocol == IPPROTO_SCTP && pkt->has_ports && !pkt->sctp_init;
}

/*
 * hook_direction: the pod's policy direction of a packet that opens a connection here
 * (DIR_EGRESS for packets from the pod). The remote address is the destination of packets from
 * the pod and the source of packets to it, replies or not.
 */
static __always_inline int decide(struct __sk_buff *skb, __u8 hook_direction)
{
	__u32 ifindex = skb->ifindex;
	struct endpoint *endpoint;
	struct packet pkt = {};
	struct packet quoted = {};
	struct judged as = {.direction = hook_direction};
	struct judged reverse;
	int answering;
	int ct_dir;
	int parsed;

	if (skb->mark == REJECT_MARK) {
		/* an answer to a rejected packet (reject()); the to-pod hook is its last of ours */
		if (hook_direction == DIR_INGRESS)
			skb->mark = 0;
		return TC_ACT_UNSPEC;
	}
	endpoint = bpf_map_lookup_elem(&endpoints, &ifindex);
	if (!endpoint || !(endpoint->flags & (ISOLATED_INGRESS | ISOLATED_EGRESS)))
		return TC_ACT_UNSPEC;
	/* sent by the node itself: received on no interface */
	if (hook_direction == DIR_INGRESS && (endpoint->flags & NODE_TRAFFIC_ALLOWED) &&
	    skb->ingress_ifindex == 0)
		return TC_ACT_UNSPEC;
	if (skb->protocol == bpf_htons(ETH_P_IP))
		parsed = parse_v4(skb, ETH_HLEN, &pkt);
	else if (skb->protocol == bpf_htons(ETH_P_IPV6))
		parsed = parse_v6(skb, ETH_HLEN, &pkt);
	else
		return TC_ACT_UNSPEC;
	if (parsed < 0)
		goto deny;
	if (is_neighbour_discovery(&pkt))
		return TC_ACT_UNSPEC;

	/* By default a packet opens (or continues) a connection in the hook's direction. */
	as.protocol = pkt.protocol;
	as.port = pkt.has_ports ? pkt.dport : 0;
	__builtin_memcpy(as.remote, hook_direction == DIR_EGRESS ? pkt.daddr : pkt.saddr, 16);

	if (is_icmp_error(&pkt) && parse_quoted(skb, &pkt, &quoted) == 0 &&
	    (ct_dir = ct_direction(skb, &quoted)) >= 0) {
		/* RELATED: judged as the connection the quoted packet belongs to. The quoted packet
		 * went the other way: the pod sent it when the error comes to the pod. The pod
		 * opened that connection when the quoted packet is the pod's and ORIGINAL, or the
		 * remote's and a REPLY. */
		int pod_sent_quoted = hook_direction == DIR_INGRESS;

		as.direction = pod_sent_quoted == (ct_dir == CT_DIR_ORIGINAL) ? DIR_EGRESS : DIR_INGRESS;
		as.protocol = quoted.protocol;
		as.port = ct_dir == CT_DIR_ORIGINAL ? quoted.dport : quoted.sport;
		__builtin_memcpy(as.remote, pod_sent_quoted ? quoted.daddr : quoted.saddr, 16);
	} else if (ct_direction(skb, &pkt) == CT_DIR_REPLY || is_echo_reply(&pkt)) {
		/* a reply: judged as the connection's original direction, to the port it was opened
		 * to, which is the reply's source port */
		as.direction = hook_direction == DIR_EGRESS ? DIR_INGRESS : DIR_EGRESS;
		as.port = pkt.has_ports ? pkt.sport : 0;
	}
	if (allowed(endpoint, &pkt, &as))
		return TC_ACT_UNSPEC;
	/* judged as an SCTP reply as well: by the association's opening the other way */
	answering = as.direction != hook_direction || may_answer_sctp(&pkt);
	if (may_answer_sctp(&pkt)) {
		reverse = as;
		reverse.direction = as.direction == DIR_INGRESS ? DIR_EGRESS : DIR_INGRESS;
		reverse.port = pkt.sport;
		if (allowed(endpoint, &pkt, &reverse))
			return TC_ACT_UNSPEC;
	}
	/* the pod answering a connection the node opened (passed above by the same flag) */
	if (hook_direction == DIR_EGRESS && answering && (endpoint->flags & NODE_TRAFFIC_ALLOWED) &&
	    to_node(skb, &pkt))
		return TC_ACT_UNSPEC;
deny:
	/* the judgement that dropped it: a packet's own, or the reply's it was judged as */
	count(as.direction == DIR_INGRESS ? endpoint->denied[DIR_INGRESS] :
					    endpoint->denied[DIR_EGRESS]);
	if (parsed == 0 && (endpoint->flags & REJECT))
		return reject(skb, &pkt, hook_direction);
	return TC_ACT_SHOT;
}

SEC("tc")
int palisade_from_pod(struct __sk_buff *skb)
{
	return decide(skb, DIR_EGRESS);
}

SEC("tc")
int palisade_to_pod(struct __sk_buff *skb)
{
	return decide(skb, DIR_INGRESS);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
