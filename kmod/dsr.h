/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dsr - Direct Server Return load balancer: internal types shared by the
 * files of the module. Nothing here is visible to userspace; the API lives in
 * include/uapi/linux/dsr.h.
 */
#ifndef _DSR_H
#define _DSR_H

#include <linux/hashtable.h>
#include <linux/mutex.h>
#include <linux/netfilter.h>
#include <linux/percpu.h>
#include <linux/rculist.h>
#include <linux/refcount.h>
#include <linux/rhashtable-types.h>
#include <linux/skbuff.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <linux/dsr.h>

#define DSR_VERSION		"0.1.0"

#define DSR_FLOW_MAX_LIMIT	BIT(26)	/* any flow limit, host or namespace */

#define DSR_SVC_HASH_BITS	10

/* Per-CPU u64 counters of a service or a destination. */
struct dsr_stats_pcpu {
	u64_stats_t conns;
	u64_stats_t packets;
	u64_stats_t bytes;
	struct u64_stats_sync syncp;
};

struct dsr_stats {
	u64 conns;
	u64 packets;
	u64 bytes;
};

/* Counters plus the baseline that DSR_CMD_ZERO moves. */
struct dsr_counters {
	struct dsr_stats_pcpu __percpu *pcpu;
	struct dsr_stats zero;		/* under dsr_net.lock */
};

/*
 * A service is (af, protocol, VIP, port), or (af, firewall mark): then
 * fwmark is set and the rest is zero.
 */
struct dsr_service_key {
	union nf_inet_addr addr;
	__be16 port;
	u8 protocol;
	u8 af;
	u32 fwmark;
};

struct dsr_service;
struct dsr_flow_key;

/*
 * How a destination is reached. Packed into one word so that the packet
 * path reads a consistent set while DEST_SET changes it.
 */
union dsr_fwd {
	struct {
		u8 method;		/* enum dsr_fwd_method */
		u8 tun_type;		/* enum dsr_tun_type, TUN only */
		__be16 tun_port;	/* GUE destination port */
		u32 tun_flags;		/* DSR_TUN_F_* */
	};
	u64 word;
};

/* Outer source of a service's tunnelled packets, packed likewise. */
union dsr_tun_src {
	struct {
		__be32 addr;		/* 0: the route's preferred source */
		u8 plen;		/* < 32: varied per flow in addr/plen */
	};
	u64 word;
};

/* Persistence of a service, packed likewise. */
union dsr_persist {
	struct {
		u32 timeout;		/* seconds; 0: not persistent */
		union {
			__be32 netmask;	/* IPv4: clients grouped by address & it */
			u32 prefix_len6; /* IPv6: by their first bits */
		};
	};
	u64 word;
};

/* Connection thresholds of a destination, packed likewise. */
union dsr_thresh {
	struct {
		u32 upper;		/* 0: no limit */
		u32 lower;		/* 0: three quarters of upper */
	};
	u64 word;
};

/*
 * The route to a real server, shared by all CPUs and replaced as a whole
 * when it goes stale or the forwarding method changes. Packets carry its
 * dst without a reference (noref, as IPVS does) while the hook's RCU read
 * section lasts: a reference taken and dropped per packet would move the
 * route's refcount between every CPU that forwards to the server.
 */
struct dsr_route {
	struct dst_entry *dst;		/* held while the route is cached */
	union nf_inet_addr saddr;	/* the route's source, for tunnels */
	u32 cookie;			/* IPv6 route validity; 0 for IPv4 */
	u8 method;			/* DSR_FWD_*; DR's next hop is the server */
	struct rcu_head rcu;
};

/*
 * A real server of one service. The service's list holds one reference and
 * every flow that points here holds one, so a removed destination lives
 * until its last flow is gone; readers see it under RCU.
 */
struct dsr_dest {
	struct list_head list;		/* service->dests, RCU */
	struct hlist_node addr_node;	/* dsr_net.dests_by_addr, RCU */
	struct dsr_service *svc;	/* owner; compared, never followed, once removed */
	union nf_inet_addr addr;
	__be16 port;
	u8 af;
	union dsr_fwd fwd;		/* READ_ONCE(fwd.word) */
	u32 weight;
	union dsr_thresh thresh;	/* READ_ONCE(thresh.word) */
	bool overloaded;		/* READ_ONCE; at upper, until below lower */
	/*
	 * Path MTU to the server learned from ICMP about our tunnel
	 * packets, valid until pmtu_expires (jiffies); 0 = none;
	 * DSR_PMTU_LOCKED set with the minimum when a router reported less.
	 */
	u32 pmtu;
	unsigned long pmtu_expires;
	bool removed;			/* READ_ONCE: flows to it are stale */
	struct dsr_counters stats;	/* per CPU */
	struct dsr_route __rcu *route;	/* to the real server; NULL: none yet */
	struct rcu_head rcu;
	/*
	 * Written by every new flow on any CPU: on a cache line of their
	 * own, away from the fields above that each packet reads.
	 */
	refcount_t refcnt ____cacheline_aligned_in_smp;
	atomic_t active_flows;
	atomic_t inactive_flows;
	atomic_t persist_flows;		/* persistence templates */
};

struct dsr_sched_ops;

/*
 * What a service schedules over, rebuilt as a whole on every change and
 * published under RCU: the scheduler, the destinations with weight > 0 in
 * canonical (address, port) order with their weights, and the
 * consistent-hash lookup table built from them. A packet reads one set, so
 * it never sees a scheduler with another's table.
 */
struct dsr_dest_set {
	const struct dsr_sched_ops *sched;
	u32 flags;			/* DSR_SERVICE_F_* */
	unsigned int count;
	u32 total_weight;
	u32 table_size;			/* prime */
	u16 *table;			/* slot -> index into dests[] */
	u64 digest;			/* of the table and what it names */
	struct rcu_head rcu;
	struct dsr_set_dest {
		struct dsr_dest *dest;
		u32 weight;
	} dests[];
};

struct dsr_sched_ops {
	const char *name;
	/* Default lookup table size for @count servers; 0: from the count. */
	u32 table_size;
	/*
	 * Called under rcu_read_lock() from the packet path, for a new flow
	 * @key (client to VIP, also when @skb is an ICMP error about it).
	 * @set has at least one destination.
	 */
	struct dsr_dest *(*schedule)(struct dsr_service *svc,
				     const struct dsr_dest_set *set,
				     const struct dsr_flow_key *key,
				     const struct sk_buff *skb);
};

/* Persistence engines: what a template is keyed by besides the client. */
enum dsr_pe {
	DSR_PE_NONE,
	DSR_PE_SIP,			/* --pe sip: the SIP Call-ID */
};

struct dsr_service {
	struct hlist_node node;		/* dsr_net.services, RCU */
	struct dsr_service_key key;
	struct list_head dests;		/* struct dsr_dest, RCU */
	unsigned int dest_count;	/* under dsr_net.lock */
	struct dsr_dest_set __rcu *usable;
	/* As configured, under dsr_net.lock; the set holds what is in use. */
	const struct dsr_sched_ops *sched;
	u32 flags;			/* DSR_SERVICE_F_* */
	u32 table_size;			/* 0: the scheduler's default */
	atomic_t sched_cursor;		/* rr and wrr: the next turn */
	union dsr_tun_src tun_src;	/* READ_ONCE(tun_src.word) */
	union dsr_persist persist;	/* READ_ONCE(persist.word) */
	u8 pe;				/* enum dsr_pe, READ_ONCE */
	struct dsr_counters stats;
	struct rcu_head rcu;
};

/*
 * A flow, client to VIP. The key is hashed and compared over its first
 * dsr_flow_key_len() bytes, the addresses of its family only, so that an
 * IPv4 flow-table entry stays within one 64-byte cache line.
 */
struct dsr_flow_key {
	__be16 sport;
	__be16 dport;
	u8 protocol;
	u8 persist;			/* DSR_PERSIST_*: a template's key */
	u8 af;				/* AF_INET or AF_INET6 */
	u8 pad;				/* zero */
	union {
		struct {
			__be32 saddr;
			__be32 daddr;
		};
		struct {
			struct in6_addr saddr6;
			struct in6_addr daddr6;
		};
	};
};

#define DSR_FLOW_KEY4_LEN	offsetofend(struct dsr_flow_key, daddr)

static inline unsigned int dsr_flow_key_len(const struct dsr_flow_key *key)
{
	return key->af == AF_INET6 ? sizeof(*key) : DSR_FLOW_KEY4_LEN;
}

/* dsr_flow_key.persist: a connection's key, or a template's, by what. */
#define DSR_PERSIST_NONE	0
#define DSR_PERSIST_CLIENT	1	/* the client's address & netmask */
#define DSR_PERSIST_SIP		2	/* a hash of a SIP Call-ID */

/* In dsr_flow.state, with the enum dsr_flow_state in the low byte. */
#define DSR_FLOW_STATE_MASK	0xffU
#define DSR_FLOW_SEEN_TWICE	BIT(8)	/* more than one packet seen */
#define DSR_FLOW_DEAD		BIT(9)	/* unlinked; accounted for */

/*
 * An entry of the flow table. The key comes last: an IPv4 entry is
 * allocated without the room of IPv6 addresses.
 */
struct dsr_flow {
	struct rhash_head node;
	struct dsr_dest *dest;		/* holds a reference */
	u32 expires;			/* jiffies (low 32 bits), READ_ONCE */
	u32 state;			/* DSR_FLOW_*, changed by cmpxchg */
	struct rcu_head rcu;
	struct dsr_flow_key key;
};

#define DSR_FLOW4_SIZE		(offsetof(struct dsr_flow, key) + DSR_FLOW_KEY4_LEN)

struct dsr_flow_table {
	struct rhashtable ht;		/* grows and shrinks with its entries */
	bool ready;
	atomic_t count;
	unsigned long pressure;		/* bit 0: reclaim soon */
	struct rhashtable_iter gc_iter;	/* where the collector goes on */
	struct delayed_work gc_work;
	struct mem_cgroup *memcg;	/* charged for the entries */
	unsigned long epoch;		/* bumped each time the table is made */
};

/* What the data path did besides forwarding, counted per namespace. */
enum dsr_event {
	DSR_EVENT_ICMP_FORWARDED,	/* DSR_A_INFO_ICMP_FORWARDED */
	DSR_EVENT_ICMP_TUN_PMTU,	/* DSR_A_INFO_ICMP_TUN_PMTU */
	DSR_EVENT_FLOW_INSERT,		/* DSR_A_INFO_FLOW_INSERTS */
	DSR_EVENT_FLOW_EVICT,		/* DSR_A_INFO_FLOW_EVICTIONS */
	DSR_EVENT_FLOW_EXPIRE,		/* DSR_A_INFO_FLOW_EXPIRIES */
	DSR_EVENT_FLOW_UNTRACKED,	/* DSR_A_INFO_FLOW_UNTRACKED */
	DSR_EVENT_FLOW_MIDSTREAM,	/* DSR_A_INFO_FLOW_MIDSTREAM */

	__DSR_EVENT_MAX,
};

struct dsr_drop_pcpu {
	u64_stats_t reason[__DSR_DROP_MAX];
	u64_stats_t event[__DSR_EVENT_MAX];
	struct u64_stats_sync syncp;
};

#define DSR_DEST_ADDR_HASH_BITS	8

/*
 * The netfilter hooks of a namespace: per family, one for services by
 * address (and ICMP errors about their flows), one for services by mark.
 */
enum dsr_hooks {
	DSR_HOOKS_ADDR4,
	DSR_HOOKS_MARK4,
	DSR_HOOKS_ADDR6,
	DSR_HOOKS_MARK6,

	__DSR_HOOKS_MAX,
};

/* Everything dsr keeps for one network namespace. */
struct dsr_net {
	struct net *net;
	struct mutex lock;		/* serialises every configuration change */
	DECLARE_HASHTABLE(services, DSR_SVC_HASH_BITS);
	unsigned int service_count;
	unsigned int fwmark_services;	/* of them; READ_ONCE on the packet path */
	unsigned int hook_users[__DSR_HOOKS_MAX]; /* services needing each */
	/* Every destination by address, for ICMP about tunnel packets. */
	DECLARE_HASHTABLE(dests_by_addr, DSR_DEST_ADDR_HASH_BITS);
	u32 generation;			/* bumped on change, for dump consistency */
	struct dsr_flow_table flows;
	struct dsr_drop_pcpu __percpu *drops;
	/* Tunables, READ_ONCE on the packet path. */
	u32 flow_max;
	u32 timeout_tcp;		/* seconds */
	u32 timeout_tcp_fin;
	u32 timeout_udp;
	u32 timeout_tcp_syn;
	u32 timeout_tcp_close;
	u8 hook;			/* DSR_HOOK_*, changed under lock */
	/* Configuration limits, read and changed under lock. */
	u32 service_max;
	u32 dest_max;
};

/* netns.c */
extern unsigned int dsr_net_id;
extern unsigned int dsr_flow_max_host;
int dsr_pernet_init(void);
void dsr_pernet_exit(void);

static inline struct dsr_net *dsr_pernet(const struct net *net)
{
	return net_generic(net, dsr_net_id);
}

/* stats.c */
int dsr_counters_init(struct dsr_counters *c);
void dsr_counters_free(struct dsr_counters *c);
void dsr_counters_read(const struct dsr_counters *c, struct dsr_stats *out);
void dsr_counters_zero(struct dsr_counters *c);
void dsr_count_packet(struct dsr_counters *c, unsigned int len, bool new_flow);
void dsr_count_drop(struct dsr_net *dn, enum dsr_drop_reason reason);
void dsr_drops_read(struct dsr_net *dn, u64 *out);
void dsr_count_event(struct dsr_net *dn, enum dsr_event event);
void dsr_events_read(struct dsr_net *dn, u64 *out);

/* service.c */
struct dsr_service *dsr_service_lookup(struct dsr_net *dn,
				       const struct dsr_service_key *key);
struct dsr_service *dsr_service_find(struct dsr_net *dn,
				     const struct dsr_service_key *key);
struct dsr_service *dsr_service_add(struct dsr_net *dn,
				    const struct dsr_service_key *key,
				    const struct dsr_sched_ops *sched,
				    u32 flags, u32 table_size);
void dsr_service_del(struct dsr_net *dn, struct dsr_service *svc);
void dsr_service_flush(struct dsr_net *dn);
int dsr_service_rebuild(struct dsr_net *dn, struct dsr_service *svc,
			const struct dsr_dest *leaving);

/* dest.c */
struct dsr_dest *dsr_dest_find(struct dsr_service *svc,
			       const union nf_inet_addr *addr, __be16 port);
struct dsr_dest *dsr_dest_add(struct dsr_net *dn, struct dsr_service *svc,
			      const union nf_inet_addr *addr, __be16 port,
			      union dsr_fwd fwd, u32 weight);
u32 dsr_dest_addr_hash(const union nf_inet_addr *addr);
u32 dsr_dest_pmtu(const struct dsr_dest *dest, bool *locked);
bool dsr_dest_learn_pmtu(struct dsr_dest *dest, u32 mtu);
int dsr_dest_set_weight(struct dsr_net *dn, struct dsr_service *svc,
			struct dsr_dest *dest, u32 weight);
int dsr_dest_del(struct dsr_net *dn, struct dsr_dest *dest, bool rebuild);
void dsr_dest_put(struct dsr_dest *dest);
const struct dsr_route *dsr_dest_route_get(struct dsr_dest *dest, u8 method);
const struct dsr_route *dsr_dest_route_set(struct dsr_dest *dest, u8 method,
					   struct dst_entry *dst,
					   const union nf_inet_addr *saddr);

/* sched.c */
const struct dsr_sched_ops *dsr_sched_find(const char *name);
bool dsr_sched_table_size_ok(u32 size);
int dsr_sched_build(struct dsr_dest_set *set, u32 table_size);
void dsr_sched_set_free(struct dsr_dest_set *set);
void dsr_sched_set_free_rcu(struct dsr_dest_set *set);
u32 dsr_sched_flow_hash(const struct dsr_flow_key *key);
struct dsr_dest *dsr_sched_hash_pick(const struct dsr_dest_set *set,
				     const struct dsr_flow_key *key);
struct dsr_dest *dsr_sched_unloaded(const struct dsr_dest_set *set,
				    struct dsr_dest *dest);
extern const struct dsr_sched_ops dsr_sched_mh, dsr_sched_sh, dsr_sched_rr,
	dsr_sched_wrr, dsr_sched_lc, dsr_sched_wlc;

/* flow.c */
int dsr_flow_cache_init(void);
void dsr_flow_cache_exit(void);
int dsr_flow_table_init(struct dsr_net *dn);
void dsr_flow_table_exit(struct dsr_net *dn);
void dsr_flow_flush(struct dsr_net *dn);
struct dsr_dest *dsr_flow_find_dest(struct dsr_net *dn,
				    struct dsr_service *svc,
				    const struct dsr_flow_key *key,
				    const struct sk_buff *skb);
struct dsr_dest *dsr_flow_find_marked(struct dsr_net *dn,
				      const struct dsr_flow_key *key);
int dsr_flow_get_dest(struct dsr_net *dn, struct dsr_service *svc,
		      const struct dsr_flow_key *key, struct sk_buff *skb,
		      u8 tcp_flags, struct dsr_dest **destp, bool *new_flow);
unsigned int dsr_flow_count(struct dsr_net *dn);
u32 dsr_flow_limit(struct dsr_net *dn);
struct netlink_callback;
int dsr_flow_dump_start(struct dsr_net *dn, struct netlink_callback *cb);
int dsr_flow_dump_done(struct dsr_net *dn, struct netlink_callback *cb);
int dsr_flow_dump(struct dsr_net *dn, struct sk_buff *skb,
		  struct netlink_callback *cb,
		  int (*fill)(struct sk_buff *skb, struct netlink_callback *cb,
			      const struct dsr_flow *flow));

/* pe_sip.c */
void dsr_sip_init(void);
bool dsr_sip_template_key(const struct sk_buff *skb,
			  struct dsr_flow_key *tkey);

/* hook.c */
int dsr_defrag_init(void);
void dsr_defrag_exit(void);
int dsr_hooks_get(struct dsr_net *dn, const struct dsr_service_key *key);
void dsr_hooks_put(struct dsr_net *dn, const struct dsr_service_key *key);
u8 dsr_hook_default(void);
int dsr_hooks_move(struct dsr_net *dn, u8 hook);

bool dsr_ip_options_ok(struct dsr_net *dn, struct sk_buff *skb);

/* icmp.c */
void dsr_icmp_send4(struct sk_buff *skb, int type, int code, u32 info);
unsigned int dsr_icmp_in4(struct dsr_net *dn, struct sk_buff *skb);
void dsr_icmp_send6(struct sk_buff *skb, u8 type, u8 code, u32 info);
unsigned int dsr_icmp_in6(struct dsr_net *dn, struct sk_buff *skb,
			  unsigned int thoff);

/* xmit_dr.c */
unsigned int dsr_route_drop(struct dsr_net *dn, const void *err);
unsigned int dsr_xmit_dr4(struct dsr_net *dn, struct dsr_dest *dest,
			  struct sk_buff *skb);
unsigned int dsr_xmit4(struct dsr_net *dn, struct dsr_service *svc,
		       struct dsr_dest *dest, struct sk_buff *skb);
unsigned int dsr_xmit_dr6(struct dsr_net *dn, struct dsr_dest *dest,
			  struct sk_buff *skb);
unsigned int dsr_xmit6(struct dsr_net *dn, struct dsr_service *svc,
		       struct dsr_dest *dest, struct sk_buff *skb);
bool dsr_exceeds_mtu(const struct sk_buff *skb, unsigned int mtu);
void dsr_skb_scrub(struct sk_buff *skb);

/* xmit_tun.c */
unsigned int dsr_xmit_tun4(struct dsr_net *dn, struct dsr_service *svc,
			   struct dsr_dest *dest, union dsr_fwd fwd,
			   struct sk_buff *skb);
unsigned int dsr_xmit_tun6(struct dsr_net *dn, struct dsr_dest *dest,
			   struct sk_buff *skb);
unsigned int dsr_tun_overhead(union dsr_fwd fwd);
bool dsr_tun_src_owns(const struct dsr_service *svc, __be32 addr);

/* netlink.c */
int dsr_genl_init(void);
void dsr_genl_exit(void);

/* test_defect.c: only in builds for the debug lane's own test. */
void dsr_test_defect(void);

#endif /* _DSR_H */
