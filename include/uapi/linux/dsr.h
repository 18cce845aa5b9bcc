/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR MIT) */
/*
 * dsr - Direct Server Return layer-4 load balancer: generic netlink API.
 *
 * This header is the only one shared by the kernel module and userspace.
 * dsr.yaml beside it describes the same family as a YNL specification;
 * tools/ynl-check fails when the two disagree.
 *
 * Family "dsr" (DSR_GENL_NAME), version DSR_GENL_VERSION, netns-aware; every
 * command needs CAP_NET_ADMIN in the user namespace owning the network
 * namespace. Attributes and commands start at 1, addresses are separate IPv4
 * and IPv6 attributes in network byte order, ports are big-endian u16,
 * counters are u64. Unknown attributes and flag bits are rejected, and every
 * rejection by dsr carries an extended ACK message; the generic netlink core
 * answers an unknown command with EOPNOTSUPP and a missing capability with
 * EPERM, without one. Errors: EEXIST (already exists), ESRCH (no such
 * service or real server), ENOENT (unknown scheduler), EOPNOTSUPP (what
 * dsr does not do for this case: a GUE or GRE tunnel to an IPv6 real
 * server), EINVAL/ERANGE (malformed or out of range). In *_SET,
 * an absent attribute keeps its current value. Requests that only name an
 * object (GET, DEL, ZERO, the service of a DEST_* request) carry its key
 * and nothing else.
 *
 * A service is named by its key: DSR_A_SERVICE_PROTOCOL plus exactly one of
 * DSR_A_SERVICE_ADDR4/ADDR6, plus DSR_A_SERVICE_PORT; or by
 * DSR_A_SERVICE_FWMARK, with DSR_A_SERVICE_FAMILY for an IPv6 one. A
 * destination (real server) is named by its
 * service key plus DSR_A_DEST_ADDR4/ADDR6 and DSR_A_DEST_PORT.
 *
 * Attribute trees (M = mandatory, O = optional, R = reply only):
 *
 * DSR_CMD_SERVICE_NEW, DSR_CMD_SERVICE_SET
 *   DSR_A_SERVICE (nest)                                    M
 *     key attributes                                        M
 *     DSR_A_SERVICE_SCHED_NAME      string  (default "mh")  O
 *     DSR_A_SERVICE_FLAGS           u32, DSR_SERVICE_F_*    O
 *     DSR_A_SERVICE_SCHED_TABLE     u32, prime              O  (default 0:
 *                                   65537 for mh, sh and wrr; sized from
 *                                   the real servers for the others)
 *     DSR_A_SERVICE_TIMEOUT         u32, persistence (s)    O  (default 0:
 *                                   none; at most 2678400, 31 days,
 *                                   as ipvsadm; less if HZ > 800)
 *     DSR_A_SERVICE_NETMASK         be32, contiguous        O  (IPv4;
 *                                   default 255.255.255.255)
 *     DSR_A_SERVICE_PREFIX_LEN6     u8, 1..128              O  (IPv6;
 *                                   default 128)
 *     DSR_A_SERVICE_PE_NAME         string, "sip" or ""     O  (default "":
 *                                   none; not for TCP services)
 *     DSR_A_SERVICE_TUN_SRC4        4 bytes                 O  (default 0:
 *                                   the route's preferred source; IPv6
 *                                   tunnels always use the route's)
 *     DSR_A_SERVICE_TUN_SRC_PLEN    u8, 1..32               O  (default 32)
 *
 * DSR_CMD_SERVICE_DEL
 *   DSR_A_SERVICE (nest): key attributes                    M
 *
 * DSR_CMD_SERVICE_GET  (do: key attributes M; dump: no attributes)
 *   reply: DSR_A_SERVICE (nest)
 *     key attributes (DSR_A_SERVICE_FAMILY with every fwmark),
 *     DSR_A_SERVICE_SCHED_NAME, DSR_A_SERVICE_FLAGS,
 *     DSR_A_SERVICE_TIMEOUT, DSR_A_SERVICE_NETMASK (IPv4) or
 *     DSR_A_SERVICE_PREFIX_LEN6 (IPv6), DSR_A_SERVICE_PE_NAME (only when
 *     set), DSR_A_SERVICE_DEST_COUNT,
 *     DSR_A_SERVICE_STATS (nest of DSR_A_STATS_*),
 *     DSR_A_SERVICE_SCHED_TABLE (the size in use, 0 without usable real
 *     servers), DSR_A_SERVICE_SCHED_DIGEST                  R
 *
 * DSR_CMD_DEST_NEW, DSR_CMD_DEST_SET
 *   DSR_A_SERVICE (nest): key attributes                    M
 *   DSR_A_DEST (nest)                                       M
 *     DSR_A_DEST_ADDR4 | DSR_A_DEST_ADDR6                   M  (the
 *                                   service's family; IPv6 real servers
 *                                   take DR or IPIP, IPv6 in IPv6)
 *     DSR_A_DEST_PORT               be16 (0 = service port) O
 *     DSR_A_DEST_FWD_METHOD         u8, enum dsr_fwd_method O  (default DR)
 *     DSR_A_DEST_WEIGHT             u32, 0..DSR_WEIGHT_MAX  O  (default 1)
 *     DSR_A_DEST_TUN_TYPE           u8, enum dsr_tun_type   O  (TUN only,
 *                                   default IPIP)
 *     DSR_A_DEST_TUN_PORT           be16, 1..65535          O  (GUE only,
 *                                   and required there)
 *     DSR_A_DEST_TUN_FLAGS          u32, DSR_TUN_F_*        O  (GUE, GRE)
 *     DSR_A_DEST_U_THRESHOLD        u32                     O  (default 0)
 *     DSR_A_DEST_L_THRESHOLD        u32, <= U_THRESHOLD     O  (default 0)
 *
 * DSR_CMD_DEST_DEL
 *   DSR_A_SERVICE (nest): key attributes                    M
 *   DSR_A_DEST (nest): address, DSR_A_DEST_PORT             M
 *
 * DSR_CMD_DEST_GET  (dump; the request names the service)
 *   DSR_A_SERVICE (nest): key attributes                    M
 *   reply: DSR_A_SERVICE (nest, key only), DSR_A_DEST (nest)
 *     DSR_A_DEST_ADDR4|6, DSR_A_DEST_PORT, DSR_A_DEST_FWD_METHOD,
 *     DSR_A_DEST_WEIGHT, DSR_A_DEST_ACTIVE_FLOWS,
 *     DSR_A_DEST_INACTIVE_FLOWS, DSR_A_DEST_STATS (nest),
 *     DSR_A_DEST_TUN_TYPE, DSR_A_DEST_TUN_PORT, DSR_A_DEST_TUN_FLAGS
 *     (TUN only), DSR_A_DEST_TUN_PMTU, DSR_A_DEST_U_THRESHOLD,
 *     DSR_A_DEST_L_THRESHOLD, DSR_A_DEST_PERSIST_FLOWS      R
 *
 * DSR_CMD_FLUSH           no attributes: delete every service
 * DSR_CMD_ZERO            DSR_A_SERVICE (nest, key) O: zero counters of one
 *                         service and its destinations, or of everything
 * DSR_CMD_INFO_GET        reply: DSR_A_INFO (nest of DSR_A_INFO_*)
 * DSR_CMD_CONFIG_SET      DSR_A_INFO (nest): writable DSR_A_INFO_* attributes
 * DSR_CMD_FLOW_GET        dump, no attributes; one DSR_A_FLOW (nest of
 *                         DSR_A_FLOW_*) per flow-table entry
 * DSR_CMD_FLOW_FLUSH      no attributes: forget every flow
 *
 * Notifications on multicast group DSR_MCGRP_EVENTS use the *_NTF commands
 * and carry the same attribute tree as the matching GET reply.
 */
#ifndef _UAPI_LINUX_DSR_H
#define _UAPI_LINUX_DSR_H

#define DSR_GENL_NAME		"dsr"
#define DSR_GENL_VERSION	1
#define DSR_MCGRP_EVENTS	"events"

#define DSR_SCHED_NAME_MAX	16	/* including the terminating NUL */
#define DSR_PE_NAME_MAX		16	/* including the terminating NUL */
#define DSR_SERVICES_MAX	65536	/* highest DSR_A_INFO_SERVICE_MAX */
#define DSR_DESTS_MAX		4096	/* highest DSR_A_INFO_DEST_MAX */
#define DSR_WEIGHT_MAX		65535

enum dsr_cmd {
	DSR_CMD_UNSPEC,

	DSR_CMD_SERVICE_NEW,
	DSR_CMD_SERVICE_SET,
	DSR_CMD_SERVICE_DEL,
	DSR_CMD_SERVICE_GET,

	DSR_CMD_DEST_NEW,
	DSR_CMD_DEST_SET,
	DSR_CMD_DEST_DEL,
	DSR_CMD_DEST_GET,

	DSR_CMD_FLUSH,
	DSR_CMD_ZERO,
	DSR_CMD_INFO_GET,
	DSR_CMD_CONFIG_SET,
	DSR_CMD_FLOW_GET,
	DSR_CMD_FLOW_FLUSH,

	DSR_CMD_SERVICE_NEW_NTF,
	DSR_CMD_SERVICE_DEL_NTF,
	DSR_CMD_DEST_NEW_NTF,
	DSR_CMD_DEST_DEL_NTF,

	__DSR_CMD_MAX,
};
#define DSR_CMD_MAX (__DSR_CMD_MAX - 1)

/* Top-level attributes. */
enum dsr_attr {
	DSR_A_UNSPEC,
	DSR_A_SERVICE,		/* nest, enum dsr_service_attr */
	DSR_A_DEST,		/* nest, enum dsr_dest_attr */
	DSR_A_INFO,		/* nest, enum dsr_info_attr */
	DSR_A_FLOW,		/* nest, enum dsr_flow_attr */

	__DSR_A_MAX,
};
#define DSR_A_MAX (__DSR_A_MAX - 1)

enum dsr_service_attr {
	DSR_A_SERVICE_UNSPEC,
	DSR_A_SERVICE_PAD,
	DSR_A_SERVICE_PROTOCOL,		/* u8: IPPROTO_TCP or IPPROTO_UDP */
	DSR_A_SERVICE_ADDR4,		/* 4 bytes, network order */
	DSR_A_SERVICE_ADDR6,		/* 16 bytes, network order */
	DSR_A_SERVICE_PORT,		/* be16, 1..65535 */
	DSR_A_SERVICE_FWMARK,		/* u32, 1..: the service takes TCP
					 * and UDP of DSR_A_SERVICE_FAMILY
					 * whose firewall mark
					 * (skb->mark, set in the mangle
					 * table) is this; an address service
					 * of the same packet wins
					 */
	DSR_A_SERVICE_SCHED_NAME,	/* string, < DSR_SCHED_NAME_MAX */
	DSR_A_SERVICE_FLAGS,		/* u32, DSR_SERVICE_F_* */
	DSR_A_SERVICE_TIMEOUT,		/* u32 seconds, persistence: a client's
					 * new connections go to the real
					 * server of its last one for this
					 * long after it began; 0 = none.
					 * Needs the flow table (not with
					 * DSR_SERVICE_F_STATELESS)
					 */
	DSR_A_SERVICE_DEST_COUNT,	/* u32, reply only */
	DSR_A_SERVICE_STATS,		/* nest, enum dsr_stats_attr, reply only */
	DSR_A_SERVICE_TUN_SRC4,		/* 4 bytes: outer source of tunnelled
					 * packets; 0.0.0.0 = the preferred
					 * source of the route to the server
					 */
	DSR_A_SERVICE_TUN_SRC_PLEN,	/* u8, 1..32: below 32, the outer
					 * source varies per flow within
					 * TUN_SRC4/PLEN (ECMP and RSS entropy
					 * for IPIP and GRE)
					 */
	DSR_A_SERVICE_SCHED_TABLE,	/* u32: size of the consistent-hash
					 * lookup table, a prime in
					 * DSR_SCHED_TABLE_MIN..MAX, at least
					 * the number of real servers; 0 =
					 * the scheduler's default
					 */
	DSR_A_SERVICE_SCHED_DIGEST,	/* u64, reply only: hash of the lookup
					 * table and the real servers it
					 * names; load balancers with the
					 * same configuration report the same
					 */
	DSR_A_SERVICE_NETMASK,		/* 4 bytes, network order, contiguous:
					 * with persistence,
					 * clients whose addresses agree
					 * under it share a real server
					 */
	DSR_A_SERVICE_PE_NAME,		/* string, < DSR_PE_NAME_MAX: the
					 * persistence engine; "sip": with
					 * persistence, UDP datagrams with
					 * the same SIP Call-ID share a real
					 * server; "" = none
					 */
	DSR_A_SERVICE_FAMILY,		/* u8, AF_INET or AF_INET6: with
					 * DSR_A_SERVICE_FWMARK, part of the
					 * key (ipvsadm -f MARK -6); the
					 * packets the service takes
					 * (default AF_INET)
					 */
	DSR_A_SERVICE_PREFIX_LEN6,	/* u8, 1..128: IPv6 services' netmask
					 * (ipvsadm -M 64): with persistence,
					 * clients whose addresses agree in
					 * this many leading bits share a
					 * real server (default 128)
					 */

	__DSR_A_SERVICE_MAX,
};
#define DSR_A_SERVICE_MAX (__DSR_A_SERVICE_MAX - 1)

/*
 * Service flags. The first two are ipvsadm's scheduler flags (-b), kept so
 * that a configuration saves back as it was entered:
 * HASH_FALLBACK  sh-fallback, mh-fallback: dsr rebuilds the lookup table on
 *                every change, so the server it names is always usable;
 *                accepted and reported, no other effect.
 * HASH_PORT      sh-port, mh-port: sh hashes the client port with the
 *                client address; mh always hashes the whole 5-tuple.
 * STATELESS      no flow-table entries: every packet goes where the
 *                consistent hash names.
 * ONEPACKET      one-packet scheduling (ipvsadm -o): every UDP datagram
 *                is scheduled on its own and never recorded; only for
 *                UDP and fwmark services, not with STATELESS.
 */
#define DSR_SERVICE_F_HASH_FALLBACK	(1U << 0)
#define DSR_SERVICE_F_HASH_PORT		(1U << 1)
#define DSR_SERVICE_F_STATELESS		(1U << 2)
#define DSR_SERVICE_F_ONEPACKET		(1U << 3)
#define DSR_SERVICE_F_ALL		0xfU

/* Sizes of the consistent-hash lookup table (primes). */
#define DSR_SCHED_TABLE_MIN	7
#define DSR_SCHED_TABLE_DEFAULT	65537
#define DSR_SCHED_TABLE_MAX	1048573

enum dsr_fwd_method {
	DSR_FWD_UNSPEC,
	DSR_FWD_DR,		/* layer 2: rewrite destination MAC */
	DSR_FWD_TUN,		/* layer 3: IP-in-IP, GUE or GRE tunnel */

	__DSR_FWD_MAX,
};
#define DSR_FWD_MAX (__DSR_FWD_MAX - 1)

enum dsr_tun_type {
	DSR_TUN_UNSPEC,
	DSR_TUN_IPIP,
	DSR_TUN_GUE,		/* UDP to DSR_A_DEST_TUN_PORT, GUE version 0,
				 * carrying IPIP (Linux fou "gue")
				 */
	DSR_TUN_GRE,		/* GRE, protocol 0x0800 */

	__DSR_TUN_MAX,
};
#define DSR_TUN_MAX (__DSR_TUN_MAX - 1)

/* Tunnel flags: outer checksum (the UDP checksum of GUE, GRE's own). */
#define DSR_TUN_F_CSUM		(1U << 0)
#define DSR_TUN_F_ALL		DSR_TUN_F_CSUM

enum dsr_dest_attr {
	DSR_A_DEST_UNSPEC,
	DSR_A_DEST_PAD,
	DSR_A_DEST_ADDR4,		/* 4 bytes, network order */
	DSR_A_DEST_ADDR6,		/* 16 bytes, network order */
	DSR_A_DEST_PORT,		/* be16 */
	DSR_A_DEST_FWD_METHOD,		/* u8, enum dsr_fwd_method */
	DSR_A_DEST_WEIGHT,		/* u32, 0..DSR_WEIGHT_MAX; 0 = drain */
	DSR_A_DEST_TUN_TYPE,		/* u8, enum dsr_tun_type */
	DSR_A_DEST_TUN_PORT,		/* be16, GUE destination port */
	DSR_A_DEST_ACTIVE_FLOWS,	/* u32, reply only */
	DSR_A_DEST_INACTIVE_FLOWS,	/* u32, reply only */
	DSR_A_DEST_STATS,		/* nest, enum dsr_stats_attr, reply only */
	DSR_A_DEST_TUN_FLAGS,		/* u32, DSR_TUN_F_* */
	DSR_A_DEST_TUN_PMTU,		/* u32, reply only: path MTU to the
					 * server learned from ICMP about
					 * tunnel packets, 0 = none
					 */
	DSR_A_DEST_U_THRESHOLD,		/* u32, connections (active and
					 * inactive flows) at which the
					 * server takes no new ones; 0 = no
					 * limit (ipvsadm -x)
					 */
	DSR_A_DEST_L_THRESHOLD,		/* u32, connections below which an
					 * overloaded server takes new ones
					 * again, at most U_THRESHOLD; 0 =
					 * three quarters of it (ipvsadm -y)
					 */
	DSR_A_DEST_PERSIST_FLOWS,	/* u32, reply only: persistence
					 * templates naming the server
					 */

	__DSR_A_DEST_MAX,
};
#define DSR_A_DEST_MAX (__DSR_A_DEST_MAX - 1)

/* Per-service and per-destination counters, all u64. */
enum dsr_stats_attr {
	DSR_A_STATS_UNSPEC,
	DSR_A_STATS_PAD,
	DSR_A_STATS_CONNS,		/* new flows scheduled */
	DSR_A_STATS_PACKETS,		/* packets forwarded */
	DSR_A_STATS_BYTES,		/* bytes forwarded (IP length) */

	__DSR_A_STATS_MAX,
};
#define DSR_A_STATS_MAX (__DSR_A_STATS_MAX - 1)

/*
 * Why the data path dropped a packet for a VIP. Also the attribute types of
 * the DSR_A_INFO_DROPS nest, each a u64 count.
 */
enum dsr_drop_reason {
	DSR_DROP_UNSPEC,
	DSR_DROP_PAD,
	DSR_DROP_NO_DEST,	/* service has no usable destination */
	DSR_DROP_NO_ROUTE,	/* no on-link route to the real server */
	DSR_DROP_TOO_BIG,	/* DF set and larger than the path MTU */
	DSR_DROP_NO_MEM,	/* allocation or header copy failed */
	DSR_DROP_BAD_HEADER,	/* truncated or malformed L3/L4 header */
	DSR_DROP_TTL,		/* TTL expired at the load balancer */

	__DSR_DROP_MAX,
};
#define DSR_DROP_MAX (__DSR_DROP_MAX - 1)

enum dsr_info_attr {
	DSR_A_INFO_UNSPEC,
	DSR_A_INFO_PAD,
	DSR_A_INFO_VERSION,		/* string, module version, reply only */
	DSR_A_INFO_FLOW_MAX,		/* u32, flow table limit, at most
					 * DSR_A_INFO_FLOW_MAX_HOST
					 */
	DSR_A_INFO_FLOW_COUNT,		/* u32, flows now, reply only */
	DSR_A_INFO_TIMEOUT_TCP,		/* u32 seconds, established TCP */
	DSR_A_INFO_TIMEOUT_TCP_FIN,	/* u32 seconds, after FIN */
	DSR_A_INFO_TIMEOUT_UDP,		/* u32 seconds */
	DSR_A_INFO_SERVICE_COUNT,	/* u32, reply only */
	DSR_A_INFO_DROPS,		/* nest: enum dsr_drop_reason -> u64 */
	DSR_A_INFO_HOOK,		/* u8, enum dsr_hook: where the
					 * namespace's VIP traffic is taken;
					 * changing it with services keeps
					 * them and their flows
					 */
	DSR_A_INFO_GENERATION,		/* u32, changes with every configuration
					 * change, reply only: read it before
					 * and after a multi-dump listing
					 */
	DSR_A_INFO_ICMP_FORWARDED,	/* u64, reply only: ICMP errors to a
					 * VIP sent on to the real server that
					 * owns the quoted flow
					 */
	DSR_A_INFO_ICMP_TUN_PMTU,	/* u64, reply only: ICMP "fragmentation
					 * needed" about tunnel packets that
					 * lowered a real server's path MTU
					 */
	DSR_A_INFO_TIMEOUT_TCP_SYN,	/* u32 seconds, TCP with only SYN seen,
					 * or one packet of a flow joined
					 * mid-stream
					 */
	DSR_A_INFO_TIMEOUT_TCP_CLOSE,	/* u32 seconds, after RST */
	DSR_A_INFO_FLOW_MAX_HOST,	/* u32, reply only: the host-wide cap
					 * on every namespace's limit (module
					 * parameter flow_max_host)
					 */
	DSR_A_INFO_FLOW_INSERTS,	/* u64, reply only: entries created */
	DSR_A_INFO_FLOW_EVICTIONS,	/* u64, reply only: entries reclaimed
					 * before their time because the
					 * table was nearly full
					 */
	DSR_A_INFO_FLOW_EXPIRIES,	/* u64, reply only: entries timed out
					 * or whose real server was removed
					 */
	DSR_A_INFO_FLOW_UNTRACKED,	/* u64, reply only: new flows forwarded
					 * by the consistent hash without an
					 * entry because the table was full
					 */
	DSR_A_INFO_FLOW_MIDSTREAM,	/* u64, reply only: packets of unknown
					 * TCP flows that were not a SYN (a
					 * flow moved here from another load
					 * balancer), sent where the consistent
					 * hash names
					 */

	DSR_A_INFO_SERVICE_MAX,		/* u32, 1..DSR_SERVICES_MAX: the most
					 * services the namespace may have
					 * (lowering it keeps those there)
					 */
	DSR_A_INFO_DEST_MAX,		/* u32, 1..DSR_DESTS_MAX: the most real
					 * servers one service may have
					 */

	__DSR_A_INFO_MAX,
};
#define DSR_A_INFO_MAX (__DSR_A_INFO_MAX - 1)

enum dsr_hook {
	DSR_HOOK_UNSPEC,
	DSR_HOOK_PRE_ROUTING,
	DSR_HOOK_LOCAL_IN,
};

enum dsr_flow_attr {
	DSR_A_FLOW_UNSPEC,
	DSR_A_FLOW_PAD,
	DSR_A_FLOW_PROTOCOL,		/* u8 */
	DSR_A_FLOW_CLIENT_ADDR4,	/* 4 bytes */
	DSR_A_FLOW_CLIENT_ADDR6,	/* 16 bytes */
	DSR_A_FLOW_CLIENT_PORT,		/* be16 */
	DSR_A_FLOW_VIP_ADDR4,		/* 4 bytes */
	DSR_A_FLOW_VIP_ADDR6,		/* 16 bytes */
	DSR_A_FLOW_VIP_PORT,		/* be16 */
	DSR_A_FLOW_DEST_ADDR4,		/* 4 bytes */
	DSR_A_FLOW_DEST_ADDR6,		/* 16 bytes */
	DSR_A_FLOW_DEST_PORT,		/* be16 */
	DSR_A_FLOW_STATE,		/* u8, enum dsr_flow_state */
	DSR_A_FLOW_EXPIRES,		/* u32 milliseconds left */
	DSR_A_FLOW_PACKETS,		/* u8: 1 while a single packet was
					 * seen, then 2 (such entries are
					 * reclaimed first)
					 */

	__DSR_A_FLOW_MAX,
};
#define DSR_A_FLOW_MAX (__DSR_A_FLOW_MAX - 1)

enum dsr_flow_state {
	DSR_FLOW_NONE,		/* UDP: no state */
	DSR_FLOW_SYN,		/* TCP, only SYN seen so far, or one packet
				 * of a flow joined mid-stream
				 */
	DSR_FLOW_ESTABLISHED,	/* TCP, ACK seen after SYN, or a second
				 * packet of a flow joined mid-stream
				 */
	DSR_FLOW_FIN,		/* TCP, FIN seen */
	DSR_FLOW_CLOSE,		/* TCP, RST seen */
	DSR_FLOW_PERSIST,	/* a persistent service's template: the
				 * client network (address under the
				 * netmask, port 0) -> its real server
				 */
};

#endif /* _UAPI_LINUX_DSR_H */
