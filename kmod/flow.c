// SPDX-License-Identifier: GPL-2.0
/*
 * dsr - the flow table: client 5-tuple -> destination, so that a flow keeps
 * its real server while the backend set or the weights change.
 *
 * An rhashtable: lock-free lookups under RCU, per-bucket locks for
 * inserts, and a bucket array that grows and shrinks with the number of
 * entries, so chains stay short at any limit. An entry takes 56 bytes,
 * 80 for IPv6.
 *
 * The table resists being taken over from the wire. A packet of an unknown
 * TCP flow that is not a SYN (a flow moved here from another load balancer)
 * goes where the consistent hash names and gets an entry on probation: the
 * short SYN timeout until a second packet is seen. When the table is at
 * its limit, new flows are forwarded by the consistent hash without an
 * entry, so they reach the same real server as every packet after them,
 * and the collector runs at once, reclaiming entries that have seen a
 * single packet first. Memory is charged to the memory cgroup of whoever
 * created the namespace's first service, and no namespace's limit may
 * exceed the host-wide flow_max_host.
 *
 * Entries expire lazily (a stale entry is a miss) and a collector walks a
 * share of the table every second.
 */
#include <linux/memcontrol.h>
#include <linux/rhashtable.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/tcp.h>
#include "dsr.h"

#define DSR_GC_INTERVAL		HZ
#define DSR_GC_SHARE		8	/* each run visits 1/8 of the entries */
#define DSR_GC_MIN_BATCH	1024
#define DSR_FLOW_MIN_BUCKETS	1024
/* A single-packet entry older than this may be reclaimed under pressure. */
#define DSR_PROBATION_MIN_AGE	HZ

/* IPv4 entries, and IPv6 entries with room for their addresses. */
static struct kmem_cache *dsr_flow_cache, *dsr_flow6_cache;

/* A key's hash, over the part its family uses. */
static u32 dsr_flow_key_hash(const void *data, u32 len, u32 seed)
{
	const struct dsr_flow_key *key = data;

	return jhash2(data, dsr_flow_key_len(key) / sizeof(u32), seed);
}

static int dsr_flow_key_cmp(struct rhashtable_compare_arg *arg,
			    const void *obj)
{
	const struct dsr_flow_key *key = arg->key;
	const struct dsr_flow *flow = obj;

	/* The family first: an IPv4 entry has no room for IPv6 addresses. */
	if (flow->key.af != key->af)
		return 1;
	return memcmp(&flow->key, key, dsr_flow_key_len(key));
}

static const struct rhashtable_params dsr_flow_params = {
	.key_len		= DSR_FLOW_KEY4_LEN,
	.key_offset		= offsetof(struct dsr_flow, key),
	.head_offset		= offsetof(struct dsr_flow, node),
	.hashfn			= dsr_flow_key_hash,
	.obj_cmpfn		= dsr_flow_key_cmp,
	.min_size		= DSR_FLOW_MIN_BUCKETS,
	.automatic_shrinking	= true,
};

int dsr_flow_cache_init(void)
{
	BUILD_BUG_ON(DSR_FLOW4_SIZE > 64);
	BUILD_BUG_ON(DSR_FLOW_KEY4_LEN % sizeof(u32) ||
		     sizeof(struct dsr_flow_key) % sizeof(u32));
	dsr_flow_cache = kmem_cache_create("dsr_flow", DSR_FLOW4_SIZE,
					   __alignof__(struct dsr_flow),
					   SLAB_ACCOUNT, NULL);
	if (!dsr_flow_cache)
		return -ENOMEM;
	dsr_flow6_cache = kmem_cache_create("dsr_flow6",
					    sizeof(struct dsr_flow),
					    __alignof__(struct dsr_flow),
					    SLAB_ACCOUNT, NULL);
	if (!dsr_flow6_cache) {
		kmem_cache_destroy(dsr_flow_cache);
		return -ENOMEM;
	}
	return 0;
}

void dsr_flow_cache_exit(void)
{
	kmem_cache_destroy(dsr_flow6_cache);
	kmem_cache_destroy(dsr_flow_cache);
}

static void dsr_flow_free(struct dsr_flow *flow)
{
	kmem_cache_free(flow->key.af == AF_INET6 ? dsr_flow6_cache :
						   dsr_flow_cache, flow);
}

/* The namespace's limit, never above the host's. */
u32 dsr_flow_limit(struct dsr_net *dn)
{
	return min(READ_ONCE(dn->flow_max), READ_ONCE(dsr_flow_max_host));
}

static u8 dsr_flow_state_of(u32 state)
{
	return state & DSR_FLOW_STATE_MASK;
}

/* Connections, not persistence templates, make a server's load. */
static void dsr_flow_account(struct dsr_dest *dest, u8 state, int delta)
{
	if (state == DSR_FLOW_PERSIST)
		atomic_add(delta, &dest->persist_flows);
	else if (state == DSR_FLOW_ESTABLISHED)
		atomic_add(delta, &dest->active_flows);
	else
		atomic_add(delta, &dest->inactive_flows);
}

static u32 dsr_flow_timeout(struct dsr_net *dn, u8 protocol, u8 state)
{
	u32 secs;

	if (protocol == IPPROTO_UDP)
		secs = READ_ONCE(dn->timeout_udp);
	else if (state == DSR_FLOW_ESTABLISHED)
		secs = READ_ONCE(dn->timeout_tcp);
	else if (state == DSR_FLOW_SYN)
		secs = READ_ONCE(dn->timeout_tcp_syn);
	else if (state == DSR_FLOW_CLOSE)
		secs = READ_ONCE(dn->timeout_tcp_close);
	else
		secs = READ_ONCE(dn->timeout_tcp_fin);
	return secs * HZ;
}

static bool dsr_tcp_syn_only(u8 tcp_flags)
{
	return (tcp_flags & (TCPHDR_SYN | TCPHDR_ACK | TCPHDR_RST)) ==
	       TCPHDR_SYN;
}

/*
 * The state a TCP flow moves to on a packet with these flags. A flow seen
 * first mid-stream stays in SYN, on probation, until its second packet.
 */
static u8 dsr_flow_next_state(u8 protocol, u8 state, u8 tcp_flags)
{
	if (protocol != IPPROTO_TCP)
		return DSR_FLOW_NONE;
	if (tcp_flags & TCPHDR_RST)
		return DSR_FLOW_CLOSE;
	if (state == DSR_FLOW_CLOSE)
		return state;
	if (tcp_flags & TCPHDR_FIN)
		return DSR_FLOW_FIN;
	if (state == DSR_FLOW_FIN)
		return state;
	if (dsr_tcp_syn_only(tcp_flags) || state == DSR_FLOW_NONE)
		return state == DSR_FLOW_ESTABLISHED ? state : DSR_FLOW_SYN;
	return DSR_FLOW_ESTABLISHED;
}

static bool dsr_flow_expired(const struct dsr_flow *flow)
{
	return READ_ONCE(flow->dest->removed) ||
	       time_after32((u32)jiffies, READ_ONCE(flow->expires));
}

static bool dsr_flow_usable(const struct dsr_flow *flow,
			    const struct dsr_service *svc, u8 tcp_flags)
{
	u8 state = dsr_flow_state_of(READ_ONCE(flow->state));

	if (flow->dest->svc != svc || dsr_flow_expired(flow))
		return false;
	/* A fresh SYN on a closed 4-tuple is a new connection. */
	if (dsr_tcp_syn_only(tcp_flags) &&
	    (state == DSR_FLOW_FIN || state == DSR_FLOW_CLOSE))
		return false;
	return true;
}

static void dsr_flow_free_rcu(struct rcu_head *head)
{
	dsr_flow_free(container_of(head, struct dsr_flow, rcu));
}

/*
 * The entry left the table (whoever unlinked it): give back what it held.
 * Marking it dead settles the race with a state change on another CPU, so
 * that the destination's flow counts stay exact.
 */
static void dsr_flow_release(struct dsr_net *dn, struct dsr_flow *flow,
			     enum dsr_event why)
{
	u32 state = xchg(&flow->state, DSR_FLOW_DEAD);

	atomic_dec(&dn->flows.count);
	dsr_flow_account(flow->dest, dsr_flow_state_of(state), -1);
	dsr_dest_put(flow->dest);
	dsr_count_event(dn, why);
	call_rcu(&flow->rcu, dsr_flow_free_rcu);
}

static void dsr_flow_remove(struct dsr_net *dn, struct dsr_flow *flow,
			    enum dsr_event why)
{
	if (!rhashtable_remove_fast(&dn->flows.ht, &flow->node,
				    dsr_flow_params))
		dsr_flow_release(dn, flow, why);
}

/* A hit: move the TCP state machine and push the expiry forward. */
static void dsr_flow_refresh(struct dsr_net *dn, struct dsr_flow *flow,
			     u8 tcp_flags)
{
	u32 old = READ_ONCE(flow->state), new;
	u8 state, next;
	u32 expires;

	for (;;) {
		if (old & DSR_FLOW_DEAD)
			return;
		state = dsr_flow_state_of(old);
		next = dsr_flow_next_state(flow->key.protocol, state,
					   tcp_flags);
		new = next | DSR_FLOW_SEEN_TWICE;
		/* Nothing to write: the usual case, a shared-nothing hit. */
		if (new == old)
			break;
		if (try_cmpxchg(&flow->state, &old, new)) {
			if (next != state) {
				dsr_flow_account(flow->dest, state, -1);
				dsr_flow_account(flow->dest, next, 1);
			}
			break;
		}
	}

	expires = (u32)jiffies + dsr_flow_timeout(dn, flow->key.protocol, next);
	/* Avoid dirtying the cache line on every packet. */
	if (expires - READ_ONCE(flow->expires) >= HZ)
		WRITE_ONCE(flow->expires, expires);
}

/* Ask the collector to run now and reclaim; once until it has run. */
static void dsr_flow_under_pressure(struct dsr_flow_table *ft)
{
	if (!test_and_set_bit(0, &ft->pressure))
		mod_delayed_work(system_power_efficient_wq, &ft->gc_work, 0);
}

/*
 * Pick a destination for a flow not in the table. A destination removed
 * meanwhile may still be in the set we read; then the configuration path
 * has already published a new set, so read it again.
 */
static struct dsr_dest *dsr_flow_schedule(struct dsr_service *svc,
					  const struct dsr_flow_key *key,
					  const struct sk_buff *skb,
					  bool by_hash)
{
	const struct dsr_dest_set *set;
	struct dsr_dest *dest;
	int tries;

	for (tries = 0; tries < 2; tries++) {
		set = rcu_dereference(svc->usable);
		if (!set)
			return NULL;
		/*
		 * Thresholds bound new connections only: what the hash
		 * places belongs to a flow that began elsewhere.
		 */
		if (by_hash)
			dest = dsr_sched_hash_pick(set, key);
		else
			dest = dsr_sched_unloaded(set,
				set->sched->schedule(svc, set, key, skb));
		if (!dest)
			return NULL;
		if (!READ_ONCE(dest->removed))
			return dest;
	}
	return NULL;
}

/* The DSR_SERVICE_F_* flags the service schedules with now. */
static u32 dsr_service_flags(const struct dsr_service *svc)
{
	const struct dsr_dest_set *set = rcu_dereference(svc->usable);

	return set ? set->flags : 0;
}

/*
 * The destination that owns the flow @key of @svc without recording or
 * refreshing anything: the flow's, or on a miss where a new packet of it
 * would go. For ICMP errors about the flow. Under rcu_read_lock(); the
 * destination stays valid until it is dropped. NULL when nothing is usable.
 */
struct dsr_dest *dsr_flow_find_dest(struct dsr_net *dn,
				    struct dsr_service *svc,
				    const struct dsr_flow_key *key,
				    const struct sk_buff *skb)
{
	struct dsr_flow *flow;

	if (READ_ONCE(dn->flows.ready)) {
		flow = rhashtable_lookup(&dn->flows.ht, key, dsr_flow_params);
		if (flow && dsr_flow_usable(flow, svc, 0))
			return flow->dest;
	}
	/* An error about a flow we do not know: the hash is all we have. */
	return dsr_flow_schedule(svc, key, skb, true);
}

/*
 * The destination of flow @key when a fwmark service placed it, else
 * NULL: an ICMP error about the flow carries no mark, so only the entry
 * names its service. Under rcu_read_lock().
 */
struct dsr_dest *dsr_flow_find_marked(struct dsr_net *dn,
				      const struct dsr_flow_key *key)
{
	struct dsr_flow *flow;
	struct dsr_dest *dest;

	if (!READ_ONCE(dn->flows.ready))
		return NULL;
	flow = rhashtable_lookup(&dn->flows.ht, key, dsr_flow_params);
	if (!flow || dsr_flow_expired(flow))
		return NULL;
	dest = flow->dest;
	/*
	 * A destination not yet removed has a live service: it is freed
	 * only a grace period after its destinations were removed.
	 */
	if (READ_ONCE(dest->removed) || !dest->svc->key.fwmark)
		return NULL;
	return dest;
}

/*
 * Persistence: the key of the template of the client (with --pe sip, the
 * client's call) of flow @key and packet @skb in @tkey, and the template if
 * one is live.
 */
static struct dsr_flow *dsr_flow_template(struct dsr_flow_table *ft,
					  const struct dsr_service *svc,
					  const struct dsr_flow_key *key,
					  const struct sk_buff *skb,
					  union dsr_persist persist,
					  struct dsr_flow_key *tkey)
{
	struct dsr_flow *tmpl;

	*tkey = *key;
	if (key->af == AF_INET6)
		ipv6_addr_prefix(&tkey->saddr6, &key->saddr6,
				 persist.prefix_len6);
	else
		tkey->saddr &= persist.netmask;
	tkey->sport = 0;
	tkey->persist = DSR_PERSIST_CLIENT;
	if (key->protocol == IPPROTO_UDP && READ_ONCE(svc->pe) == DSR_PE_SIP)
		dsr_sip_template_key(skb, tkey);
	/*
	 * A fwmark service's template holds every address, port and protocol
	 * the mark gathers (HTTP and HTTPS, say): it is keyed by the mark, as
	 * IPVS keys it.
	 */
	if (svc->key.fwmark) {
		if (key->af == AF_INET6) {
			tkey->daddr6 = (struct in6_addr){};
			tkey->daddr6.s6_addr32[3] = htonl(svc->key.fwmark);
		} else {
			tkey->daddr = htonl(svc->key.fwmark);
		}
		tkey->dport = 0;
		tkey->protocol = IPPROTO_IP;
	}
	tmpl = rhashtable_lookup(&ft->ht, tkey, dsr_flow_params);
	if (tmpl && !dsr_flow_usable(tmpl, svc, 0))
		return NULL;
	return tmpl;
}

/* A new entry with a copy of @key (of its family's size). */
static struct dsr_flow *dsr_flow_alloc(struct dsr_flow_table *ft,
				       const struct dsr_flow_key *key)
{
	struct mem_cgroup *old = set_active_memcg(ft->memcg);
	struct dsr_flow *flow;

	flow = kmem_cache_alloc(key->af == AF_INET6 ? dsr_flow6_cache :
						      dsr_flow_cache,
				GFP_ATOMIC | __GFP_NOWARN | __GFP_ACCOUNT);
	set_active_memcg(old);
	if (flow)
		memcpy(&flow->key, key, dsr_flow_key_len(key));
	return flow;
}

/*
 * Record the new flow @key -> @dest. Returns the destination the flow goes
 * to: @dest, or the one another CPU recorded first.
 */
static struct dsr_dest *dsr_flow_insert(struct dsr_net *dn,
					const struct dsr_flow_key *key,
					struct dsr_dest *dest, u8 state,
					u32 timeout, struct dsr_service *svc,
					u8 tcp_flags, bool *new_flow)
{
	struct dsr_flow_table *ft = &dn->flows;
	struct dsr_flow *new, *old;

	if (atomic_read(&ft->count) >= dsr_flow_limit(dn))
		goto untracked;
	new = dsr_flow_alloc(ft, key);
	if (!new)
		goto untracked;
	if (!refcount_inc_not_zero(&dest->refcnt)) {
		dsr_flow_free(new);
		goto untracked;
	}
	new->dest = dest;
	new->state = state;
	/* A template is never reclaimed as a stray packet's entry. */
	if (state == DSR_FLOW_PERSIST)
		new->state |= DSR_FLOW_SEEN_TWICE;
	new->expires = (u32)jiffies + timeout;

	/* Counted first, so that a racing release never sees it negative. */
	atomic_inc(&ft->count);
	dsr_flow_account(dest, state, 1);
	old = rhashtable_lookup_get_insert_fast(&ft->ht, &new->node,
						dsr_flow_params);
	if (!old) {
		dsr_count_event(dn, DSR_EVENT_FLOW_INSERT);
		if (!delayed_work_pending(&ft->gc_work))
			queue_delayed_work(system_power_efficient_wq,
					   &ft->gc_work, DSR_GC_INTERVAL);
		return dest;
	}
	if (!IS_ERR(old) && dsr_flow_usable(old, svc, tcp_flags)) {
		/* Another CPU recorded this flow meanwhile; it wins. */
		dest = old->dest;
		*new_flow = false;
	} else if (!IS_ERR(old) &&
		   !rhashtable_replace_fast(&ft->ht, &old->node, &new->node,
					    dsr_flow_params)) {
		/* A stale entry for the same 5-tuple: ours takes its place. */
		dsr_flow_release(dn, old, DSR_EVENT_FLOW_EXPIRE);
		dsr_count_event(dn, DSR_EVENT_FLOW_INSERT);
		return dest;
	} else if (IS_ERR(old)) {
		dsr_count_event(dn, DSR_EVENT_FLOW_UNTRACKED);
	}
	atomic_dec(&ft->count);
	dsr_flow_account(new->dest, state, -1);
	dsr_dest_put(new->dest);
	dsr_flow_free(new);
	return dest;

untracked:
	dsr_count_event(dn, DSR_EVENT_FLOW_UNTRACKED);
	dsr_flow_under_pressure(ft);
	return dest;
}

/*
 * Persistence: after a new connection of a client went to @dest, make the
 * client network's template @tkey name @dest for @timeout seconds more.
 * @tmpl is the template the connection followed, if any.
 */
static void dsr_flow_persist(struct dsr_net *dn, struct dsr_service *svc,
			     struct dsr_flow *tmpl,
			     const struct dsr_flow_key *tkey,
			     struct dsr_dest *dest, u32 timeout)
{
	u32 expires = (u32)jiffies + timeout * HZ;
	bool inserted;

	if (tmpl && tmpl->dest == dest) {
		if (expires - READ_ONCE(tmpl->expires) >= HZ)
			WRITE_ONCE(tmpl->expires, expires);
		return;
	}
	dsr_flow_insert(dn, tkey, dest, DSR_FLOW_PERSIST, timeout * HZ, svc, 0,
			&inserted);
}

/*
 * Find the destination of the flow @key of service @svc, scheduling and
 * recording a new flow on a miss. Runs in the packet path under
 * rcu_read_lock(); the returned destination is valid until it is dropped.
 * Returns 0 and sets *destp, or -EHOSTUNREACH when the service has no
 * usable destination. Never fails for lack of room: a flow that cannot be
 * recorded is forwarded by the consistent hash.
 */
int dsr_flow_get_dest(struct dsr_net *dn, struct dsr_service *svc,
		      const struct dsr_flow_key *key, struct sk_buff *skb,
		      u8 tcp_flags, struct dsr_dest **destp, bool *new_flow)
{
	struct dsr_flow_table *ft = &dn->flows;
	bool tcp = key->protocol == IPPROTO_TCP;
	struct dsr_flow *flow, *tmpl;
	union dsr_persist persist;
	struct dsr_flow_key tkey;
	bool midstream, by_hash;
	struct dsr_dest *dest;
	u32 flags;
	u8 state;

	flags = dsr_service_flags(svc);
	if (flags & DSR_SERVICE_F_STATELESS) {
		dest = dsr_flow_schedule(svc, key, skb, true);
		if (!dest)
			return -EHOSTUNREACH;
		*destp = dest;
		*new_flow = tcp && dsr_tcp_syn_only(tcp_flags);
		return 0;
	}
	persist.word = READ_ONCE(svc->persist.word);

	/*
	 * One-packet scheduling: every UDP datagram is a connection of its
	 * own, scheduled afresh and never recorded (DNS, syslog), unless
	 * persistence holds the client.
	 */
	if (key->protocol == IPPROTO_UDP && (flags & DSR_SERVICE_F_ONEPACKET)) {
		tmpl = NULL;
		if (persist.timeout)
			tmpl = dsr_flow_template(ft, svc, key, skb, persist,
						 &tkey);
		dest = tmpl ? tmpl->dest : dsr_flow_schedule(svc, key, skb,
							     false);
		if (!dest)
			return -EHOSTUNREACH;
		if (persist.timeout)
			dsr_flow_persist(dn, svc, tmpl, &tkey, dest,
					 persist.timeout);
		*destp = dest;
		*new_flow = true;
		return 0;
	}

	flow = rhashtable_lookup(&ft->ht, key, dsr_flow_params);
	if (flow && dsr_flow_usable(flow, svc, tcp_flags)) {
		dsr_flow_refresh(dn, flow, tcp_flags);
		*destp = flow->dest;
		*new_flow = false;
		return 0;
	}

	/*
	 * A TCP packet that does not open a connection belongs to one that
	 * began elsewhere: only the consistent hash can find its server.
	 * So must a new flow when the table is full, since its next packets
	 * will miss too.
	 */
	midstream = tcp && !dsr_tcp_syn_only(tcp_flags);
	by_hash = midstream || atomic_read(&ft->count) >= dsr_flow_limit(dn);
	/* A persistent service sends a client where its template says. */
	tmpl = NULL;
	if (persist.timeout && !midstream)
		tmpl = dsr_flow_template(ft, svc, key, skb, persist, &tkey);
	dest = tmpl ? tmpl->dest : dsr_flow_schedule(svc, key, skb, by_hash);
	if (!dest)
		return -EHOSTUNREACH;
	if (midstream)
		dsr_count_event(dn, DSR_EVENT_FLOW_MIDSTREAM);

	/*
	 * A reset of a connection the table does not know (the client
	 * answering a server's retransmission after a failover or reload)
	 * closes nothing here: the server gets it, nothing is recorded and
	 * no connection is counted.
	 */
	if (tcp && (tcp_flags & TCPHDR_RST)) {
		*destp = dest;
		*new_flow = false;
		return 0;
	}

	*new_flow = true;
	state = dsr_flow_next_state(key->protocol, DSR_FLOW_NONE, tcp_flags);
	*destp = dsr_flow_insert(dn, key, dest, state,
				 dsr_flow_timeout(dn, key->protocol, state),
				 svc, tcp_flags, new_flow);
	if (persist.timeout && !midstream)
		dsr_flow_persist(dn, svc, tmpl, &tkey, *destp, persist.timeout);
	return 0;
}

/*
 * Whether the collector takes @flow: expired, or with @reclaim a
 * single-packet entry old enough not to be a handshake in progress.
 */
static bool dsr_flow_collectable(struct dsr_net *dn,
				 const struct dsr_flow *flow, bool reclaim,
				 enum dsr_event *why)
{
	u32 state = READ_ONCE(flow->state);
	u32 timeout, left;

	*why = DSR_EVENT_FLOW_EXPIRE;
	if (dsr_flow_expired(flow))
		return true;
	if (!reclaim || (state & DSR_FLOW_SEEN_TWICE))
		return false;
	/* Untouched since its only packet: its age is timeout - time left. */
	timeout = dsr_flow_timeout(dn, flow->key.protocol,
				   dsr_flow_state_of(state));
	left = READ_ONCE(flow->expires) - (u32)jiffies;
	*why = DSR_EVENT_FLOW_EVICT;
	return left <= timeout && timeout - left >= DSR_PROBATION_MIN_AGE;
}

/*
 * Walk up to @budget entries from where the last walk stopped, dropping
 * what dsr_flow_collectable() says (or everything, with @all). Returns
 * whether the walk reached the end of the table.
 */
static bool dsr_flow_walk(struct dsr_net *dn, struct rhashtable_iter *iter,
			  unsigned int budget, bool reclaim, bool all)
{
	struct dsr_flow *flow;
	enum dsr_event why = DSR_EVENT_FLOW_EXPIRE;
	bool end = false;

	rhashtable_walk_start(iter);
	while (budget--) {
		flow = rhashtable_walk_next(iter);
		if (IS_ERR(flow)) {
			if (PTR_ERR(flow) == -EAGAIN)
				continue;	/* resized: entries may repeat */
			break;
		}
		if (!flow) {
			end = true;
			break;
		}
		if (all || dsr_flow_collectable(dn, flow, reclaim, &why))
			dsr_flow_remove(dn, flow, why);
		if (!(budget & 255)) {
			rhashtable_walk_stop(iter);
			cond_resched();
			rhashtable_walk_start(iter);
		}
	}
	rhashtable_walk_stop(iter);
	return end;
}

static void dsr_flow_gc(struct work_struct *work)
{
	struct dsr_flow_table *ft = container_of(to_delayed_work(work),
						 struct dsr_flow_table,
						 gc_work);
	struct dsr_net *dn = container_of(ft, struct dsr_net, flows);
	unsigned int count = atomic_read(&ft->count);
	bool reclaim = test_and_clear_bit(0, &ft->pressure) ||
		       count >= dsr_flow_limit(dn) / 8 * 7;
	unsigned int budget;

	/* Under pressure the whole table, else a share of it. */
	budget = reclaim ? count + DSR_GC_MIN_BATCH :
		 max(count / DSR_GC_SHARE, DSR_GC_MIN_BATCH);
	if (dsr_flow_walk(dn, &ft->gc_iter, budget, reclaim, false)) {
		rhashtable_walk_exit(&ft->gc_iter);
		rhashtable_walk_enter(&ft->ht, &ft->gc_iter);
	}

	if (atomic_read(&ft->count))
		queue_delayed_work(system_power_efficient_wq, &ft->gc_work,
				   DSR_GC_INTERVAL);
}

/* Forget every flow; configuration path. */
void dsr_flow_flush(struct dsr_net *dn)
{
	struct dsr_flow_table *ft = &dn->flows;
	struct rhashtable_iter iter;

	if (!ft->ready)
		return;
	rhashtable_walk_enter(&ft->ht, &iter);
	while (!dsr_flow_walk(dn, &iter, UINT_MAX, false, true))
		;
	rhashtable_walk_exit(&iter);
}

/* Called under dsr_net.lock when the namespace gets its first service. */
int dsr_flow_table_init(struct dsr_net *dn)
{
	struct dsr_flow_table *ft = &dn->flows;
	struct rhashtable_params params = dsr_flow_params;
	int err;

	/* Enough buckets for the most entries any namespace may have. */
	params.max_size = roundup_pow_of_two(clamp(READ_ONCE(dsr_flow_max_host),
						   2U * DSR_FLOW_MIN_BUCKETS,
						   DSR_FLOW_MAX_LIMIT));
	err = rhashtable_init(&ft->ht, &params);
	if (err)
		return err;
	atomic_set(&ft->count, 0);
	ft->pressure = 0;
	INIT_DELAYED_WORK(&ft->gc_work, dsr_flow_gc);
	rhashtable_walk_enter(&ft->ht, &ft->gc_iter);
	ft->memcg = get_mem_cgroup_from_mm(current->mm);
	ft->epoch++;
	WRITE_ONCE(ft->ready, true);
	return 0;
}

static void dsr_flow_free_one(void *ptr, void *arg)
{
	struct dsr_flow *flow = ptr;

	dsr_flow_account(flow->dest, dsr_flow_state_of(flow->state), -1);
	dsr_dest_put(flow->dest);
	dsr_flow_free(flow);
}

/* Called when the last service is gone and the hooks are unregistered. */
void dsr_flow_table_exit(struct dsr_net *dn)
{
	struct dsr_flow_table *ft = &dn->flows;

	if (!ft->ready)
		return;
	WRITE_ONCE(ft->ready, false);
	cancel_delayed_work_sync(&ft->gc_work);
	rhashtable_walk_exit(&ft->gc_iter);
	/* No reader is left: the hooks are gone and synchronize_net() ran. */
	rhashtable_free_and_destroy(&ft->ht, dsr_flow_free_one, NULL);
	atomic_set(&ft->count, 0);
	mem_cgroup_put(ft->memcg);
	ft->memcg = NULL;
}

unsigned int dsr_flow_count(struct dsr_net *dn)
{
	return dn->flows.ready ? atomic_read(&dn->flows.count) : 0;
}

/*
 * Dumps walk the table with an iterator kept in cb->args[0], valid while
 * the table that was there at the start (cb->args[1], its epoch) lives.
 * Every step runs under dsr_net.lock, which the table's teardown takes.
 */
static bool dsr_flow_dump_valid(struct dsr_net *dn,
				struct netlink_callback *cb)
{
	return cb->args[0] && dn->flows.ready &&
	       cb->args[1] == dn->flows.epoch;
}

int dsr_flow_dump_start(struct dsr_net *dn, struct netlink_callback *cb)
{
	struct rhashtable_iter *iter;

	lockdep_assert_held(&dn->lock);
	if (!dn->flows.ready)
		return 0;
	iter = kmalloc(sizeof(*iter), GFP_KERNEL);
	if (!iter)
		return -ENOMEM;
	rhashtable_walk_enter(&dn->flows.ht, iter);
	cb->args[0] = (unsigned long)iter;
	cb->args[1] = dn->flows.epoch;
	return 0;
}

int dsr_flow_dump_done(struct dsr_net *dn, struct netlink_callback *cb)
{
	struct rhashtable_iter *iter = (void *)cb->args[0];

	lockdep_assert_held(&dn->lock);
	/* A table torn down meanwhile took its walkers' list with it. */
	if (dsr_flow_dump_valid(dn, cb))
		rhashtable_walk_exit(iter);
	kfree(iter);
	cb->args[0] = 0;
	return 0;
}

/*
 * Fill @skb with flows until it is full; the one that did not fit is sent
 * first next time. Returns skb->len, or 0 at the end.
 */
int dsr_flow_dump(struct dsr_net *dn, struct sk_buff *skb,
		  struct netlink_callback *cb,
		  int (*fill)(struct sk_buff *skb, struct netlink_callback *cb,
			      const struct dsr_flow *flow))
{
	struct rhashtable_iter *iter = (void *)cb->args[0];
	struct dsr_flow *flow;
	int sent = 0;

	lockdep_assert_held(&dn->lock);
	if (!dsr_flow_dump_valid(dn, cb))
		return 0;
	rhashtable_walk_start(iter);
	for (;;) {
		flow = rhashtable_walk_peek(iter);
		if (IS_ERR(flow)) {
			if (PTR_ERR(flow) == -EAGAIN) {
				/* Resized: go on, an entry may repeat. */
				rhashtable_walk_next(iter);
				continue;
			}
			break;
		}
		if (!flow)
			break;
		if (READ_ONCE(flow->state) & DSR_FLOW_DEAD ||
		    dsr_flow_expired(flow)) {
			rhashtable_walk_next(iter);
			continue;
		}
		if (fill(skb, cb, flow))
			break;
		sent++;
		rhashtable_walk_next(iter);
	}
	rhashtable_walk_stop(iter);
	return sent ? skb->len : 0;
}
