// SPDX-License-Identifier: GPL-2.0
/*
 * dsr - the flow table: client 5-tuple -> destination, so that a flow keeps
 * its real server while the backend set or the weights change.
 *
 * Lookups are lock-free under RCU. Inserts, removals and TCP state changes
 * take the bucket's spinlock. Entries expire lazily (a stale entry is a
 * miss) and a per-namespace collector sweeps a slice of the buckets every
 * second. The table exists only while the namespace has services.
 */
#include <linux/jhash.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <net/tcp.h>
#include "dsr.h"

#define DSR_FLOW_BUCKETS	BIT(16)
#define DSR_GC_INTERVAL		HZ
#define DSR_GC_SLICES		8	/* a full sweep takes this many runs */
#define DSR_TIMEOUT_TCP_CLOSE	10	/* seconds after RST */

static struct kmem_cache *dsr_flow_cache;

int dsr_flow_cache_init(void)
{
	dsr_flow_cache = KMEM_CACHE(dsr_flow, 0);
	return dsr_flow_cache ? 0 : -ENOMEM;
}

void dsr_flow_cache_exit(void)
{
	kmem_cache_destroy(dsr_flow_cache);
}

static u32 dsr_flow_hash(const struct dsr_flow_table *ft,
			 const struct dsr_flow_key *key)
{
	BUILD_BUG_ON(sizeof(*key) % sizeof(u32));
	return jhash2((const u32 *)key, sizeof(*key) / sizeof(u32), ft->seed);
}

static spinlock_t *dsr_flow_lock(struct dsr_flow_table *ft, u32 bucket)
{
	return &ft->locks[bucket & (DSR_FLOW_LOCKS - 1)];
}

static bool dsr_flow_state_active(u8 state)
{
	return state == DSR_FLOW_ESTABLISHED;
}

static void dsr_flow_account(struct dsr_dest *dest, u8 state, int delta)
{
	if (dsr_flow_state_active(state))
		atomic_add(delta, &dest->active_flows);
	else
		atomic_add(delta, &dest->inactive_flows);
}

static unsigned long dsr_flow_timeout(struct dsr_net *dn, u8 protocol,
				      u8 state)
{
	u32 secs;

	if (protocol == IPPROTO_UDP)
		secs = READ_ONCE(dn->timeout_udp);
	else if (state == DSR_FLOW_ESTABLISHED)
		secs = READ_ONCE(dn->timeout_tcp);
	else if (state == DSR_FLOW_CLOSE)
		secs = DSR_TIMEOUT_TCP_CLOSE;
	else
		secs = READ_ONCE(dn->timeout_tcp_fin);
	return (unsigned long)secs * HZ;
}

/* The state a TCP flow moves to on a packet with these flags. */
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
	if ((tcp_flags & (TCPHDR_SYN | TCPHDR_ACK)) == TCPHDR_SYN)
		return state == DSR_FLOW_ESTABLISHED ? state : DSR_FLOW_SYN;
	/* An ACK: the handshake completed, or we joined mid-stream. */
	return DSR_FLOW_ESTABLISHED;
}

static bool dsr_flow_usable(const struct dsr_flow *flow,
			    const struct dsr_service *svc, u8 tcp_flags)
{
	const struct dsr_dest *dest = flow->dest;
	u8 state = READ_ONCE(flow->state);

	if (READ_ONCE(dest->removed) || dest->svc != svc)
		return false;
	if (time_after(jiffies, READ_ONCE(flow->expires)))
		return false;
	/* A fresh SYN on a closed 4-tuple is a new connection. */
	if ((tcp_flags & (TCPHDR_SYN | TCPHDR_ACK)) == TCPHDR_SYN &&
	    (state == DSR_FLOW_FIN || state == DSR_FLOW_CLOSE))
		return false;
	return true;
}

static void dsr_flow_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(dsr_flow_cache,
			container_of(head, struct dsr_flow, rcu));
}

/* Caller holds the bucket lock. */
static void dsr_flow_unlink(struct dsr_flow_table *ft, struct dsr_flow *flow)
{
	hlist_del_rcu(&flow->node);
	flow->node.pprev = NULL;	/* tells dsr_flow_refresh() it is gone */
	atomic_dec(&ft->count);
	dsr_flow_account(flow->dest, flow->state, -1);
	dsr_dest_put(flow->dest);
	call_rcu(&flow->rcu, dsr_flow_free_rcu);
}

/* A hit: move the TCP state machine and push the expiry forward. */
static void dsr_flow_refresh(struct dsr_net *dn, struct dsr_flow *flow,
			     u32 bucket, u8 tcp_flags)
{
	struct dsr_flow_table *ft = &dn->flows;
	u8 state = READ_ONCE(flow->state);
	u8 next = dsr_flow_next_state(flow->key.protocol, state, tcp_flags);
	unsigned long expires;

	if (next != state) {
		spinlock_t *lock = dsr_flow_lock(ft, bucket);

		spin_lock(lock);
		state = flow->state;
		next = dsr_flow_next_state(flow->key.protocol, state,
					   tcp_flags);
		if (flow->node.pprev && next != state) {
			dsr_flow_account(flow->dest, state, -1);
			dsr_flow_account(flow->dest, next, 1);
			WRITE_ONCE(flow->state, next);
		}
		spin_unlock(lock);
	}

	expires = jiffies + dsr_flow_timeout(dn, flow->key.protocol, next);
	/* Avoid dirtying the cache line on every packet. */
	if (expires - READ_ONCE(flow->expires) >= HZ)
		WRITE_ONCE(flow->expires, expires);
}

/*
 * Pick a destination for a new flow and take a reference for it. A
 * destination removed meanwhile may still be in the set we read; then the
 * configuration path has already published a new set, so read it again.
 */
static struct dsr_dest *dsr_flow_schedule(struct dsr_service *svc,
					  const struct dsr_flow_key *key,
					  const struct sk_buff *skb)
{
	const struct dsr_dest_set *set;
	struct dsr_dest *dest;
	int tries;

	for (tries = 0; tries < 2; tries++) {
		set = rcu_dereference(svc->usable);
		if (!set || !set->count)
			return NULL;
		dest = READ_ONCE(svc->sched)->schedule(svc, set, key, skb);
		if (dest && !READ_ONCE(dest->removed) &&
		    refcount_inc_not_zero(&dest->refcnt))
			return dest;
	}
	return NULL;
}

/*
 * The destination that owns the flow @key of @svc without recording or
 * refreshing anything: the flow's, or on a miss the scheduler's choice.
 * For ICMP errors about the flow. Under rcu_read_lock(); the destination
 * stays valid until it is dropped. NULL when nothing is usable.
 */
struct dsr_dest *dsr_flow_find_dest(struct dsr_net *dn,
				    struct dsr_service *svc,
				    const struct dsr_flow_key *key,
				    const struct sk_buff *skb)
{
	struct dsr_flow_table *ft = &dn->flows;
	const struct dsr_dest_set *set;
	struct dsr_flow *flow;
	struct dsr_dest *dest;
	u32 bucket;

	bucket = dsr_flow_hash(ft, key) & (ft->size - 1);
	hlist_for_each_entry_rcu(flow, &ft->buckets[bucket], node) {
		if (memcmp(&flow->key, key, sizeof(*key)))
			continue;
		if (dsr_flow_usable(flow, svc, 0))
			return flow->dest;
		break;
	}

	set = rcu_dereference(svc->usable);
	if (!set || !set->count)
		return NULL;
	dest = READ_ONCE(svc->sched)->schedule(svc, set, key, skb);
	return dest && !READ_ONCE(dest->removed) ? dest : NULL;
}

/*
 * Find the destination of the flow @key of service @svc, scheduling and
 * recording a new flow on a miss. Runs in the packet path under
 * rcu_read_lock(); the returned destination is valid until it is dropped.
 * Returns 0 and sets *destp, or a negative errno: -EHOSTUNREACH when the
 * service has no usable destination, -ENOSPC when the table is full,
 * -ENOMEM.
 */
int dsr_flow_get_dest(struct dsr_net *dn, struct dsr_service *svc,
		      const struct dsr_flow_key *key, struct sk_buff *skb,
		      u8 tcp_flags, struct dsr_dest **destp, bool *new_flow)
{
	struct dsr_flow_table *ft = &dn->flows;
	struct hlist_head *head;
	struct dsr_flow *flow, *new;
	struct hlist_node *tmp;
	struct dsr_dest *dest;
	spinlock_t *lock;	/* the bucket's */
	u32 bucket;
	u8 state;

	bucket = dsr_flow_hash(ft, key) & (ft->size - 1);
	head = &ft->buckets[bucket];

	hlist_for_each_entry_rcu(flow, head, node) {
		if (memcmp(&flow->key, key, sizeof(*key)))
			continue;
		if (!dsr_flow_usable(flow, svc, tcp_flags))
			break;
		dsr_flow_refresh(dn, flow, bucket, tcp_flags);
		*destp = flow->dest;
		*new_flow = false;
		return 0;
	}

	dest = dsr_flow_schedule(svc, key, skb);
	if (!dest)
		return -EHOSTUNREACH;

	if (atomic_read(&ft->count) >= READ_ONCE(dn->flow_max)) {
		dsr_dest_put(dest);
		return -ENOSPC;
	}
	new = kmem_cache_alloc(dsr_flow_cache, GFP_ATOMIC | __GFP_NOWARN);
	if (!new) {
		dsr_dest_put(dest);
		return -ENOMEM;
	}
	state = dsr_flow_next_state(key->protocol, DSR_FLOW_NONE, tcp_flags);
	new->key = *key;
	new->dest = dest;
	new->state = state;
	new->expires = jiffies + dsr_flow_timeout(dn, key->protocol, state);

	lock = dsr_flow_lock(ft, bucket);
	spin_lock(lock);
	/* Another CPU may have recorded this flow meanwhile; it wins. */
	hlist_for_each_entry_safe(flow, tmp, head, node) {
		if (memcmp(&flow->key, key, sizeof(*key)))
			continue;
		if (dsr_flow_usable(flow, svc, tcp_flags)) {
			spin_unlock(lock);
			kmem_cache_free(dsr_flow_cache, new);
			dsr_dest_put(dest);
			*destp = flow->dest;
			*new_flow = false;
			return 0;
		}
		dsr_flow_unlink(ft, flow);
	}
	hlist_add_head_rcu(&new->node, head);
	atomic_inc(&ft->count);
	dsr_flow_account(dest, state, 1);
	spin_unlock(lock);

	if (!delayed_work_pending(&ft->gc_work))
		queue_delayed_work(system_power_efficient_wq, &ft->gc_work,
				   DSR_GC_INTERVAL);
	*destp = dest;
	*new_flow = true;
	return 0;
}

static bool dsr_flow_expired(const struct dsr_flow *flow)
{
	return READ_ONCE(flow->dest->removed) ||
	       time_after(jiffies, READ_ONCE(flow->expires));
}

/* Sweep buckets [from, to); with @all, drop every flow. */
static void dsr_flow_sweep(struct dsr_flow_table *ft, unsigned int from,
			   unsigned int to, bool all)
{
	unsigned int b;

	for (b = from; b < to; b++) {
		spinlock_t *lock = dsr_flow_lock(ft, b);
		struct dsr_flow *flow;
		struct hlist_node *tmp;

		if (hlist_empty(&ft->buckets[b]))
			continue;
		spin_lock_bh(lock);
		hlist_for_each_entry_safe(flow, tmp, &ft->buckets[b], node)
			if (all || dsr_flow_expired(flow))
				dsr_flow_unlink(ft, flow);
		spin_unlock_bh(lock);
		cond_resched();
	}
}

static void dsr_flow_gc(struct work_struct *work)
{
	struct dsr_flow_table *ft = container_of(to_delayed_work(work),
						 struct dsr_flow_table,
						 gc_work);
	unsigned int slice = ft->size / DSR_GC_SLICES;
	unsigned int from = ft->gc_next;

	dsr_flow_sweep(ft, from, from + slice, false);
	ft->gc_next = (from + slice) & (ft->size - 1);

	if (atomic_read(&ft->count))
		queue_delayed_work(system_power_efficient_wq, &ft->gc_work,
				   DSR_GC_INTERVAL);
}

void dsr_flow_flush(struct dsr_net *dn)
{
	struct dsr_flow_table *ft = &dn->flows;

	if (ft->buckets)
		dsr_flow_sweep(ft, 0, ft->size, true);
}

/* Called under dsr_net.lock when the namespace gets its first service. */
int dsr_flow_table_init(struct dsr_net *dn)
{
	struct dsr_flow_table *ft = &dn->flows;
	unsigned int i;

	ft->size = DSR_FLOW_BUCKETS;
	ft->buckets = kvcalloc(ft->size, sizeof(*ft->buckets),
			       GFP_KERNEL_ACCOUNT);
	if (!ft->buckets)
		return -ENOMEM;
	ft->locks = kvcalloc(DSR_FLOW_LOCKS, sizeof(*ft->locks),
			     GFP_KERNEL_ACCOUNT);
	if (!ft->locks) {
		kvfree(ft->buckets);
		ft->buckets = NULL;
		return -ENOMEM;
	}
	for (i = 0; i < DSR_FLOW_LOCKS; i++)
		spin_lock_init(&ft->locks[i]);
	ft->seed = get_random_u32();
	ft->gc_next = 0;
	atomic_set(&ft->count, 0);
	INIT_DELAYED_WORK(&ft->gc_work, dsr_flow_gc);
	return 0;
}

/* Called when the last service is gone and the hooks are unregistered. */
void dsr_flow_table_exit(struct dsr_net *dn)
{
	struct dsr_flow_table *ft = &dn->flows;

	if (!ft->buckets)
		return;
	cancel_delayed_work_sync(&ft->gc_work);
	dsr_flow_sweep(ft, 0, ft->size, true);
	/* No reader is left: the hooks are gone and synchronize_net() ran. */
	kvfree(ft->locks);
	kvfree(ft->buckets);
	ft->locks = NULL;
	ft->buckets = NULL;
}

unsigned int dsr_flow_count(struct dsr_net *dn)
{
	return dn->flows.buckets ? atomic_read(&dn->flows.count) : 0;
}
