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
#include <linux/skbuff.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <net/dst_cache.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <linux/dsr.h>

#define DSR_VERSION		"0.1.0"

#define DSR_SVC_HASH_BITS	10
#define DSR_FLOW_LOCKS		1024	/* bucket locks, power of two */

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

struct dsr_service_key {
	union nf_inet_addr addr;
	__be16 port;
	u8 protocol;
	u8 af;
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
	/*
	 * Path MTU to the server learned from ICMP about our tunnel
	 * packets, valid until pmtu_expires (jiffies); 0 = none;
	 * DSR_PMTU_LOCKED set with the minimum when a router reported less.
	 */
	u32 pmtu;
	unsigned long pmtu_expires;
	bool removed;			/* READ_ONCE: flows to it are stale */
	refcount_t refcnt;
	atomic_t active_flows;
	atomic_t inactive_flows;
	struct dsr_counters stats;
	struct dst_cache dst_cache;	/* route to the real server */
	struct rcu_head rcu;
};

/* The destinations a scheduler may pick, rebuilt on every change. */
struct dsr_dest_set {
	unsigned int count;
	struct rcu_head rcu;
	struct dsr_dest *dests[];
};

struct dsr_sched_ops {
	const char *name;
	/*
	 * Under dsr_net.lock. init() runs before the scheduler is published
	 * and must not disturb the one it replaces; done() runs a grace
	 * period after it was withdrawn.
	 */
	int (*init)(struct dsr_service *svc);
	void (*done)(struct dsr_service *svc);
	/*
	 * Called under rcu_read_lock() from the packet path, for the flow
	 * @key (client to VIP, also when @skb is an ICMP error about it).
	 */
	struct dsr_dest *(*schedule)(struct dsr_service *svc,
				     const struct dsr_dest_set *set,
				     const struct dsr_flow_key *key,
				     const struct sk_buff *skb);
};

struct dsr_service {
	struct hlist_node node;		/* dsr_net.services, RCU */
	struct dsr_service_key key;
	struct list_head dests;		/* struct dsr_dest, RCU */
	unsigned int dest_count;	/* under dsr_net.lock */
	struct dsr_dest_set __rcu *usable;
	const struct dsr_sched_ops *sched;
	atomic_t sched_cursor;		/* private to the scheduler */
	union dsr_tun_src tun_src;	/* READ_ONCE(tun_src.word) */
	struct dsr_counters stats;
	struct rcu_head rcu;
};

struct dsr_flow_key {
	union nf_inet_addr saddr;
	union nf_inet_addr daddr;
	__be16 sport;
	__be16 dport;
	u8 protocol;
	u8 af;
	u16 pad;			/* zero, so the key hashes as u32 words */
};

struct dsr_flow {
	struct hlist_node node;
	struct dsr_flow_key key;
	struct dsr_dest *dest;		/* holds a reference */
	unsigned long expires;		/* jiffies, READ_ONCE */
	u8 state;			/* enum dsr_flow_state, cmpxchg */
	struct rcu_head rcu;
};

struct dsr_flow_table {
	struct hlist_head *buckets;
	spinlock_t *locks;		/* DSR_FLOW_LOCKS, guard bucket writes */
	unsigned int size;		/* power of two */
	u32 seed;
	atomic_t count;
	unsigned int gc_next;		/* next bucket the collector visits */
	struct delayed_work gc_work;
};

/* What the data path did besides forwarding, counted per namespace. */
enum dsr_event {
	DSR_EVENT_ICMP_FORWARDED,	/* DSR_A_INFO_ICMP_FORWARDED */
	DSR_EVENT_ICMP_TUN_PMTU,	/* DSR_A_INFO_ICMP_TUN_PMTU */

	__DSR_EVENT_MAX,
};

struct dsr_drop_pcpu {
	u64_stats_t reason[__DSR_DROP_MAX];
	u64_stats_t event[__DSR_EVENT_MAX];
	struct u64_stats_sync syncp;
};

#define DSR_DEST_ADDR_HASH_BITS	8

/* Everything dsr keeps for one network namespace. */
struct dsr_net {
	struct net *net;
	struct mutex lock;		/* serialises every configuration change */
	DECLARE_HASHTABLE(services, DSR_SVC_HASH_BITS);
	unsigned int service_count;
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
};

/* netns.c */
extern unsigned int dsr_net_id;
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
				    const struct dsr_sched_ops *sched);
void dsr_service_del(struct dsr_net *dn, struct dsr_service *svc);
void dsr_service_flush(struct dsr_net *dn);
int dsr_service_rebuild(struct dsr_net *dn, struct dsr_service *svc);

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
void dsr_dest_del(struct dsr_net *dn, struct dsr_dest *dest, bool rebuild);
void dsr_dest_put(struct dsr_dest *dest);

/* sched.c */
const struct dsr_sched_ops *dsr_sched_find(const char *name);
extern const struct dsr_sched_ops dsr_sched_rr;

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
int dsr_flow_get_dest(struct dsr_net *dn, struct dsr_service *svc,
		      const struct dsr_flow_key *key, struct sk_buff *skb,
		      u8 tcp_flags, struct dsr_dest **destp, bool *new_flow);
unsigned int dsr_flow_count(struct dsr_net *dn);

/* hook.c */
int dsr_hooks_get(struct dsr_net *dn);
void dsr_hooks_put(struct dsr_net *dn);
u8 dsr_hook_point(void);

bool dsr_ip_options_ok(struct dsr_net *dn, struct sk_buff *skb);

/* icmp.c */
void dsr_icmp_send4(struct sk_buff *skb, int type, int code, u32 info);
unsigned int dsr_icmp_in4(struct dsr_net *dn, struct sk_buff *skb);

/* xmit_dr.c */
unsigned int dsr_xmit_dr4(struct dsr_net *dn, struct dsr_dest *dest,
			  struct sk_buff *skb);
unsigned int dsr_xmit4(struct dsr_net *dn, struct dsr_service *svc,
		       struct dsr_dest *dest, struct sk_buff *skb);
bool dsr_exceeds_mtu(const struct sk_buff *skb, unsigned int mtu);
void dsr_skb_scrub(struct sk_buff *skb);

/* xmit_tun.c */
unsigned int dsr_xmit_tun4(struct dsr_net *dn, struct dsr_service *svc,
			   struct dsr_dest *dest, union dsr_fwd fwd,
			   struct sk_buff *skb);
unsigned int dsr_tun_overhead(union dsr_fwd fwd);
bool dsr_tun_src_owns(const struct dsr_service *svc, __be32 addr);

/* netlink.c */
int dsr_genl_init(void);
void dsr_genl_exit(void);

/* test_defect.c: only in builds for the debug lane's own test. */
void dsr_test_defect(void);

#endif /* _DSR_H */
