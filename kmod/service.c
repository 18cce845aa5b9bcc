// SPDX-License-Identifier: GPL-2.0
/*
 * dsr - the per-namespace service table. Readers (the packet path) look
 * services up under RCU without locks; writers hold dsr_net.lock.
 */
#include <linux/jhash.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include "dsr.h"

static u32 dsr_service_hash(const struct dsr_service_key *key)
{
	return jhash2((const u32 *)&key->addr, sizeof(key->addr) / sizeof(u32),
		      (((__force u32)key->port << 16) |
		       ((u32)key->protocol << 8) | key->af) ^ key->fwmark);
}

static bool dsr_service_key_eq(const struct dsr_service_key *a,
			       const struct dsr_service_key *b)
{
	return a->port == b->port && a->protocol == b->protocol &&
	       a->af == b->af && a->fwmark == b->fwmark &&
	       nf_inet_addr_cmp(&a->addr, &b->addr);
}

/* Packet path: caller holds rcu_read_lock(). */
struct dsr_service *dsr_service_lookup(struct dsr_net *dn,
				       const struct dsr_service_key *key)
{
	struct dsr_service *svc;

	hash_for_each_possible_rcu(dn->services, svc, node,
				   dsr_service_hash(key))
		if (dsr_service_key_eq(&svc->key, key))
			return svc;
	return NULL;
}

/* Configuration path: caller holds dsr_net.lock. */
struct dsr_service *dsr_service_find(struct dsr_net *dn,
				     const struct dsr_service_key *key)
{
	struct dsr_service *svc;

	lockdep_assert_held(&dn->lock);
	hash_for_each_possible(dn->services, svc, node, dsr_service_hash(key))
		if (dsr_service_key_eq(&svc->key, key))
			return svc;
	return NULL;
}

static int dsr_dest_cmp(const void *a, const void *b)
{
	const struct dsr_dest *da = ((const struct dsr_set_dest *)a)->dest;
	const struct dsr_dest *db = ((const struct dsr_set_dest *)b)->dest;
	int r;

	r = memcmp(&da->addr, &db->addr, sizeof(da->addr));
	if (r)
		return r;
	return (int)ntohs(da->port) - (int)ntohs(db->port);
}

/*
 * Build and publish what the service schedules over: its scheduler, the
 * destinations with weight > 0 except @leaving (one being removed), sorted
 * by address and port so that every load balancer with the same
 * configuration sees the same order, and their lookup table. Called under
 * dsr_net.lock after every change; on failure the published set stays, so
 * a change that cannot be made leaves the service working as it was.
 */
int dsr_service_rebuild(struct dsr_net *dn, struct dsr_service *svc,
			const struct dsr_dest *leaving)
{
	struct dsr_dest_set *set, *old;
	struct dsr_dest *dest;
	unsigned int n = 0;
	int err;

	lockdep_assert_held(&dn->lock);
	list_for_each_entry(dest, &svc->dests, list)
		if (dest->weight && dest != leaving)
			n++;

	set = NULL;
	if (n) {
		set = kmalloc(struct_size(set, dests, n), GFP_KERNEL_ACCOUNT);
		if (!set)
			return -ENOMEM;
		set->sched = svc->sched;
		set->flags = svc->flags;
		set->count = 0;
		set->total_weight = 0;
		list_for_each_entry(dest, &svc->dests, list) {
			if (!dest->weight || dest == leaving)
				continue;
			set->dests[set->count].dest = dest;
			set->dests[set->count].weight = dest->weight;
			set->total_weight += dest->weight;
			set->count++;
		}
		sort(set->dests, set->count, sizeof(set->dests[0]),
		     dsr_dest_cmp, NULL);
		err = dsr_sched_build(set, svc->table_size);
		if (err) {
			kfree(set);
			return err;
		}
	}

	old = rcu_replace_pointer(svc->usable, set, lockdep_is_held(&dn->lock));
	dsr_sched_set_free_rcu(old);
	return 0;
}

/* Returns the new service or an ERR_PTR. */
struct dsr_service *dsr_service_add(struct dsr_net *dn,
				    const struct dsr_service_key *key,
				    const struct dsr_sched_ops *sched,
				    u32 flags, u32 table_size)
{
	struct dsr_service *svc;
	int err;

	lockdep_assert_held(&dn->lock);

	svc = kzalloc(sizeof(*svc), GFP_KERNEL_ACCOUNT);
	if (!svc)
		return ERR_PTR(-ENOMEM);
	svc->key = *key;
	INIT_LIST_HEAD(&svc->dests);
	svc->sched = sched;
	svc->flags = flags;
	svc->table_size = table_size;
	err = dsr_counters_init(&svc->stats);
	if (err)
		goto err_free_svc;
	err = dsr_hooks_get(dn, key);
	if (err)
		goto err_free_counters;

	hash_add_rcu(dn->services, &svc->node, dsr_service_hash(key));
	dn->service_count++;
	if (key->fwmark)
		WRITE_ONCE(dn->fwmark_services, dn->fwmark_services + 1);
	dn->generation++;
	return svc;

err_free_counters:
	dsr_counters_free(&svc->stats);
err_free_svc:
	kfree(svc);
	return ERR_PTR(err);
}

static void dsr_service_free_rcu(struct rcu_head *head)
{
	struct dsr_service *svc = container_of(head, struct dsr_service, rcu);

	dsr_counters_free(&svc->stats);
	kfree(svc);
}

void dsr_service_del(struct dsr_net *dn, struct dsr_service *svc)
{
	struct dsr_dest *dest, *tmp;
	struct dsr_dest_set *set;

	lockdep_assert_held(&dn->lock);

	hash_del_rcu(&svc->node);
	/* Nothing may be scheduled any more; no need to rebuild per dest. */
	set = rcu_replace_pointer(svc->usable, NULL, lockdep_is_held(&dn->lock));
	dsr_sched_set_free_rcu(set);
	list_for_each_entry_safe(dest, tmp, &svc->dests, list)
		dsr_dest_del(dn, dest, false);
	dn->service_count--;
	if (svc->key.fwmark)
		WRITE_ONCE(dn->fwmark_services, dn->fwmark_services - 1);
	dn->generation++;
	dsr_hooks_put(dn, &svc->key);
	call_rcu(&svc->rcu, dsr_service_free_rcu);
}

void dsr_service_flush(struct dsr_net *dn)
{
	struct hlist_node *tmp;
	struct dsr_service *svc;
	int bkt;

	lockdep_assert_held(&dn->lock);
	hash_for_each_safe(dn->services, bkt, tmp, svc, node) {
		dsr_service_del(dn, svc);
		cond_resched();
	}
}
