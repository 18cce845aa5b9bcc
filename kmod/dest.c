// SPDX-License-Identifier: GPL-2.0
/*
 * dsr - destinations (real servers) of a service. Writers hold
 * dsr_net.lock; the packet path reaches destinations through the service's
 * usable set or through a flow, both under RCU.
 */
#include <linux/jhash.h>
#include <linux/slab.h>
#include <net/dst.h>
#include <net/ip6_fib.h>
#include "dsr.h"

/*
 * How long a path MTU learned from ICMP holds and how low it may go: the
 * defaults of the kernel's own routes (mtu_expires, min_pmtu).
 */
#define DSR_PMTU_EXPIRES	(10 * 60 * HZ)
#define DSR_PMTU_MIN		552
/* In dest->pmtu: the minimum, locked (a router reported less). */
#define DSR_PMTU_LOCKED		BIT(31)

u32 dsr_dest_addr_hash(const union nf_inet_addr *addr)
{
	return jhash2(addr->all, ARRAY_SIZE(addr->all), 0);
}

/*
 * The path MTU learned for @dest, or 0 when none is known (any more);
 * *@locked when a router reported less than the minimum, so that the
 * outer packets must go without DF.
 */
u32 dsr_dest_pmtu(const struct dsr_dest *dest, bool *locked)
{
	u32 pmtu = READ_ONCE(dest->pmtu);

	*locked = false;
	if (!pmtu || time_after(jiffies, READ_ONCE(dest->pmtu_expires)))
		return 0;
	*locked = pmtu & DSR_PMTU_LOCKED;
	return pmtu & ~DSR_PMTU_LOCKED;
}

/*
 * A router between us and the real server reported @mtu for our tunnel
 * packets: keep the lowest report until it expires. Returns whether it
 * lowered what we knew. Packet path, under RCU.
 */
bool dsr_dest_learn_pmtu(struct dsr_dest *dest, u32 mtu)
{
	bool locked;
	u32 known = dsr_dest_pmtu(dest, &locked);

	if (known && (locked || mtu >= known))
		return false;
	/*
	 * As the kernel's own routes: never below the minimum PMTU; a lower
	 * report locks the minimum, and the outer packets lose DF.
	 */
	if (mtu < DSR_PMTU_MIN)
		mtu = DSR_PMTU_MIN | DSR_PMTU_LOCKED;
	WRITE_ONCE(dest->pmtu_expires, jiffies + DSR_PMTU_EXPIRES);
	WRITE_ONCE(dest->pmtu, mtu);
	return true;
}

struct dsr_dest *dsr_dest_find(struct dsr_service *svc,
			       const union nf_inet_addr *addr, __be16 port)
{
	struct dsr_dest *dest;

	list_for_each_entry(dest, &svc->dests, list)
		if (dest->port == port && nf_inet_addr_cmp(&dest->addr, addr))
			return dest;
	return NULL;
}

static void dsr_route_free(struct dsr_route *route)
{
	if (!route)
		return;
	dst_release(route->dst);
	kfree(route);
}

static void dsr_route_free_rcu(struct rcu_head *head)
{
	dsr_route_free(container_of(head, struct dsr_route, rcu));
}

/* Returns the new destination or an ERR_PTR. */
struct dsr_dest *dsr_dest_add(struct dsr_net *dn, struct dsr_service *svc,
			      const union nf_inet_addr *addr, __be16 port,
			      union dsr_fwd fwd, u32 weight)
{
	struct dsr_dest *dest;
	int err;

	lockdep_assert_held(&dn->lock);

	dest = kzalloc(sizeof(*dest), GFP_KERNEL_ACCOUNT);
	if (!dest)
		return ERR_PTR(-ENOMEM);
	dest->svc = svc;
	dest->addr = *addr;
	dest->port = port;
	dest->af = svc->key.af;
	dest->fwd = fwd;
	dest->weight = weight;
	refcount_set(&dest->refcnt, 1);
	atomic_set(&dest->active_flows, 0);
	atomic_set(&dest->inactive_flows, 0);
	err = dsr_counters_init(&dest->stats);
	if (err)
		goto err_free_dest;

	list_add_tail_rcu(&dest->list, &svc->dests);
	err = dsr_service_rebuild(dn, svc, NULL);
	if (err)
		goto err_unlink;
	hash_add_rcu(dn->dests_by_addr, &dest->addr_node,
		     dsr_dest_addr_hash(addr));
	svc->dest_count++;
	dn->generation++;
	return dest;

err_unlink:
	list_del_rcu(&dest->list);
	/* The old usable set never saw this destination. */
	synchronize_rcu();
	dsr_route_free(rcu_dereference_protected(dest->route, true));
	dsr_counters_free(&dest->stats);
err_free_dest:
	kfree(dest);
	return ERR_PTR(err);
}

/*
 * The route cached for sending to @dest by @method, or NULL when there is
 * none or it went stale (routes changed). Under rcu_read_lock(): the
 * route and its dst stay usable until the caller leaves the read section,
 * also when another CPU replaces it meanwhile.
 */
const struct dsr_route *dsr_dest_route_get(struct dsr_dest *dest, u8 method)
{
	const struct dsr_route *route = rcu_dereference(dest->route);

	if (!route || route->method != method ||
	    !dst_check(route->dst, route->cookie))
		return NULL;
	return route;
}

/*
 * Cache @dst, whose reference passes to the cache, with its source
 * @saddr as the route to @dest by @method, in place of the one before.
 * Under rcu_read_lock(); returns the new route, or NULL (the reference
 * dropped) when no memory is left.
 */
const struct dsr_route *dsr_dest_route_set(struct dsr_dest *dest, u8 method,
					   struct dst_entry *dst,
					   const union nf_inet_addr *saddr)
{
	struct dsr_route *route, *old;

	route = kmalloc(sizeof(*route), GFP_ATOMIC);
	if (!route) {
		dst_release(dst);
		return NULL;
	}
	route->dst = dst;
	route->saddr = *saddr;
	route->cookie = dst->ops->family == AF_INET6 ?
			rt6_get_cookie((struct rt6_info *)dst) : 0;
	route->method = method;
	/* Two CPUs may both have missed: the later route wins. */
	old = unrcu_pointer(xchg(&dest->route, RCU_INITIALIZER(route)));
	if (old)
		call_rcu(&old->rcu, dsr_route_free_rcu);
	return route;
}

int dsr_dest_set_weight(struct dsr_net *dn, struct dsr_service *svc,
			struct dsr_dest *dest, u32 weight)
{
	u32 old = dest->weight;
	int err;

	WRITE_ONCE(dest->weight, weight);
	err = dsr_service_rebuild(dn, svc, NULL);
	if (err)
		WRITE_ONCE(dest->weight, old);
	return err;
}

static void dsr_dest_free_rcu(struct rcu_head *head)
{
	struct dsr_dest *dest = container_of(head, struct dsr_dest, rcu);

	/* No reader is left, and none can cache a route any more. */
	dsr_route_free(rcu_dereference_protected(dest->route, true));
	dsr_counters_free(&dest->stats);
	kfree(dest);
}

void dsr_dest_put(struct dsr_dest *dest)
{
	if (refcount_dec_and_test(&dest->refcnt))
		call_rcu(&dest->rcu, dsr_dest_free_rcu);
}

/*
 * Take a destination out of service ("down"): no new flows reach it, and
 * its existing flows are treated as misses and rescheduled, then collected.
 * With @rebuild, the service's set is rebuilt without it first; when that
 * fails nothing changes. Without, the caller has withdrawn the set.
 */
int dsr_dest_del(struct dsr_net *dn, struct dsr_dest *dest, bool rebuild)
{
	struct dsr_service *svc = dest->svc;

	lockdep_assert_held(&dn->lock);

	if (rebuild) {
		int err = dsr_service_rebuild(dn, svc, dest);

		if (err)
			return err;
	}
	WRITE_ONCE(dest->removed, true);
	list_del_rcu(&dest->list);
	hash_del_rcu(&dest->addr_node);
	svc->dest_count--;
	dn->generation++;
	dsr_dest_put(dest);
	return 0;
}
