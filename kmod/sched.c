// SPDX-License-Identifier: GPL-2.0
/*
 * dsr - schedulers and the consistent-hash lookup table they share.
 *
 * Every service's usable set carries a Maglev lookup table (Eisenbud et
 * al., NSDI 2016): a prime number of slots, each naming a real server,
 * filled from per-server permutations of the slots so that adding or
 * removing one server moves few slots of the others. The permutations
 * depend only on a server's address and port, the servers are taken in
 * canonical order and every hash here uses fixed keys, so load balancers
 * with the same configuration build the same table and send a flow to the
 * same server: ECMP and failover between them keep connections. Weights
 * are honoured by giving each server turns at taking slots in proportion
 * to its weight.
 *
 * mh picks by the table with the 5-tuple; sh with the client address (and
 * port). The table also places flows that cannot be scheduled normally: a
 * packet of a flow moved here mid-stream, a new flow while the flow table
 * is full, and every packet of a stateless service.
 */
#include <linux/mm.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/jhash.h>
#include <net/ipv6.h>
#include "dsr.h"

#define DSR_SLOT_EMPTY		U16_MAX

/* Fixed, so that every load balancer hashes alike. */
#define DSR_PERM_SEED_OFFSET	0x6473726fU
#define DSR_PERM_SEED_SKIP	0x736b6970U
#define DSR_FLOW_SEED		0x666c6f77U
static const siphash_key_t dsr_digest_key = {{
	0x6473722d64696765ULL, 0x73742d7461626c65ULL
}};

static const struct dsr_sched_ops *const dsr_schedulers[] = {
	&dsr_sched_mh, &dsr_sched_sh, &dsr_sched_rr, &dsr_sched_wrr,
	&dsr_sched_lc, &dsr_sched_wlc,
};

const struct dsr_sched_ops *dsr_sched_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(dsr_schedulers); i++)
		if (!strcmp(dsr_schedulers[i]->name, name))
			return dsr_schedulers[i];
	return NULL;
}

bool dsr_sched_table_size_ok(u32 size)
{
	u32 d;

	if (size < DSR_SCHED_TABLE_MIN || size > DSR_SCHED_TABLE_MAX)
		return false;
	if (!(size & 1))
		return false;
	for (d = 3; d * d <= size; d += 2)
		if (size % d == 0)
			return false;
	return true;
}

/*
 * The default size for schedulers that use the table only as a fallback:
 * about 100 slots per server (Maglev's rule for an even spread), at least
 * 251 and at most the default of the hashing schedulers.
 */
static u32 dsr_sched_auto_size(unsigned int count)
{
	static const u32 primes[] = {
		251, 509, 1021, 2039, 4093, 8191, 16381, 32749,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(primes); i++)
		if (primes[i] >= 100 * count)
			return primes[i];
	return DSR_SCHED_TABLE_DEFAULT;
}

/* The 5-tuple hash that mh and every fallback use. */
u32 dsr_sched_flow_hash(const struct dsr_flow_key *key)
{
	u32 ports = ((__force u32)key->sport << 16 |
		     (__force u32)key->dport) ^ key->protocol;

	if (key->af == AF_INET6)
		return jhash_3words(ipv6_addr_hash(&key->saddr6),
				    ipv6_addr_hash(&key->daddr6), ports,
				    DSR_FLOW_SEED);
	return jhash_3words((__force u32)key->saddr, (__force u32)key->daddr,
			    ports, DSR_FLOW_SEED);
}

static u32 dsr_sched_source_hash(const struct dsr_dest_set *set,
				 const struct dsr_flow_key *key)
{
	u32 port = set->flags & DSR_SERVICE_F_HASH_PORT ?
		   (__force u32)key->sport : 0;
	u32 client = key->af == AF_INET6 ? ipv6_addr_hash(&key->saddr6) :
					   (__force u32)key->saddr;

	return jhash_2words(client, port, DSR_FLOW_SEED);
}

static struct dsr_dest *dsr_sched_slot(const struct dsr_dest_set *set,
				       u32 hash)
{
	return set->dests[set->table[reciprocal_scale(hash,
						      set->table_size)]].dest;
}

/* Where the consistent hash places @key: sh's own hash, else the 5-tuple. */
struct dsr_dest *dsr_sched_hash_pick(const struct dsr_dest_set *set,
				     const struct dsr_flow_key *key)
{
	if (set->sched == &dsr_sched_sh)
		return dsr_sched_slot(set, dsr_sched_source_hash(set, key));
	return dsr_sched_slot(set, dsr_sched_flow_hash(key));
}

static u64 dsr_sched_digest(const struct dsr_dest_set *set)
{
	struct {
		__be32 addr[4];
		__be16 port;
		u16 pad;
		u32 weight;
	} d;
	u64 digest;
	unsigned int i;

	digest = siphash(set->table, set->table_size * sizeof(set->table[0]),
			 &dsr_digest_key);
	digest = siphash_3u32(jhash(set->sched->name, strlen(set->sched->name),
				    0), set->flags, lower_32_bits(digest),
			      &dsr_digest_key) ^ upper_32_bits(digest);
	for (i = 0; i < set->count; i++) {
		const struct dsr_dest *dest = set->dests[i].dest;

		memset(&d, 0, sizeof(d));
		memcpy(d.addr, &dest->addr, sizeof(d.addr));
		d.port = dest->port;
		d.weight = set->dests[i].weight;
		digest ^= siphash(&d, sizeof(d), &dsr_digest_key) + i;
		digest = rol64(digest, 7);
	}
	return digest;
}

/*
 * Fill @set's lookup table, @table_size slots (0: the scheduler's
 * default). Process context; the set is not published yet. Returns
 * -E2BIG when there are more servers than slots.
 */
int dsr_sched_build(struct dsr_dest_set *set, u32 table_size)
{
	unsigned int n = set->count, i, filled = 0;
	u32 *pos, *skip, *credit, wmax = 0;
	u16 *table;

	if (!table_size)
		table_size = set->sched->table_size ?:
			     dsr_sched_auto_size(n);
	if (n > table_size)
		return -E2BIG;

	table = kvmalloc_array(table_size, sizeof(*table), GFP_KERNEL_ACCOUNT);
	pos = kvmalloc_array(n, 3 * sizeof(u32), GFP_KERNEL);
	if (!table || !pos) {
		kvfree(pos);
		kvfree(table);
		return -ENOMEM;
	}
	skip = pos + n;
	credit = skip + n;
	memset(table, 0xff, table_size * sizeof(*table));

	for (i = 0; i < n; i++) {
		const struct dsr_dest *dest = set->dests[i].dest;
		u32 words[5];

		memcpy(words, &dest->addr, sizeof(dest->addr));
		words[4] = (__force u32)dest->port;
		pos[i] = jhash2(words, 5, DSR_PERM_SEED_OFFSET) % table_size;
		skip[i] = jhash2(words, 5, DSR_PERM_SEED_SKIP) %
			  (table_size - 1) + 1;
		credit[i] = 0;
		wmax = max(wmax, set->dests[i].weight);
	}

	/*
	 * In each round every server earns its weight; a server with
	 * wmax of credit takes its next preferred free slot, so slots
	 * end up in proportion to the weights.
	 */
	while (filled < table_size) {
		for (i = 0; i < n && filled < table_size; i++) {
			credit[i] += set->dests[i].weight;
			if (credit[i] < wmax)
				continue;
			credit[i] -= wmax;
			/* A prime size: the walk visits every slot. */
			while (table[pos[i]] != DSR_SLOT_EMPTY) {
				pos[i] += skip[i];
				if (pos[i] >= table_size)
					pos[i] -= table_size;
			}
			table[pos[i]] = i;
			filled++;
		}
		cond_resched();
	}
	kvfree(pos);

	set->table = table;
	set->table_size = table_size;
	set->digest = dsr_sched_digest(set);
	return 0;
}

void dsr_sched_set_free(struct dsr_dest_set *set)
{
	if (set) {
		kvfree(set->table);
		kfree(set);
	}
}

static void dsr_sched_set_free_cb(struct rcu_head *head)
{
	dsr_sched_set_free(container_of(head, struct dsr_dest_set, rcu));
}

/* After every packet that may still read @set is done with it. */
void dsr_sched_set_free_rcu(struct dsr_dest_set *set)
{
	if (set)
		call_rcu(&set->rcu, dsr_sched_set_free_cb);
}

static struct dsr_dest *dsr_mh_schedule(struct dsr_service *svc,
					const struct dsr_dest_set *set,
					const struct dsr_flow_key *key,
					const struct sk_buff *skb)
{
	return dsr_sched_slot(set, dsr_sched_flow_hash(key));
}

static struct dsr_dest *dsr_sh_schedule(struct dsr_service *svc,
					const struct dsr_dest_set *set,
					const struct dsr_flow_key *key,
					const struct sk_buff *skb)
{
	return dsr_sched_slot(set, dsr_sched_source_hash(set, key));
}

/*
 * Whether @dest takes no new connections: it reached its upper threshold
 * and has not yet fallen below its lower one (IPVS's overload flag). The
 * packet path moves the flag as it looks, so no connection count has to
 * call back here.
 */
static bool dsr_dest_overloaded(struct dsr_dest *dest)
{
	union dsr_thresh t = { .word = READ_ONCE(dest->thresh.word) };
	bool over = READ_ONCE(dest->overloaded);
	u64 conns;

	if (!t.upper)
		return false;
	conns = (u32)atomic_read(&dest->active_flows) +
		(u64)(u32)atomic_read(&dest->inactive_flows);
	if (!over && conns >= t.upper)
		over = true;
	else if (over && (t.lower ? conns < t.lower :
			  conns * 4 < (u64)t.upper * 3))
		over = false;
	else
		return over;
	WRITE_ONCE(dest->overloaded, over);
	return over;
}

/*
 * @dest, the scheduler's choice for a new connection, or when it is
 * overloaded the next server of @set in canonical order that is not;
 * NULL when all are. Under rcu_read_lock().
 */
struct dsr_dest *dsr_sched_unloaded(const struct dsr_dest_set *set,
				    struct dsr_dest *dest)
{
	unsigned int i, n, first = 0;

	if (!dsr_dest_overloaded(dest))
		return dest;
	for (i = 0; i < set->count; i++)
		if (set->dests[i].dest == dest)
			first = i;
	for (n = 1; n < set->count; n++) {
		dest = set->dests[(first + n) % set->count].dest;
		if (!dsr_dest_overloaded(dest))
			return dest;
	}
	return NULL;
}

/* The cursor wraps at 2^32; only its remainder matters. */
static unsigned int dsr_sched_next_turn(struct dsr_service *svc)
{
	return (unsigned int)atomic_inc_return(&svc->sched_cursor) - 1;
}

static struct dsr_dest *dsr_rr_schedule(struct dsr_service *svc,
					const struct dsr_dest_set *set,
					const struct dsr_flow_key *key,
					const struct sk_buff *skb)
{
	return set->dests[dsr_sched_next_turn(svc) % set->count].dest;
}

/*
 * Weighted round robin walks the lookup table slot by slot: every server
 * holds slots in proportion to its weight, spread over the table, so a
 * walk interleaves the servers as their weights say.
 */
static struct dsr_dest *dsr_wrr_schedule(struct dsr_service *svc,
					 const struct dsr_dest_set *set,
					 const struct dsr_flow_key *key,
					 const struct sk_buff *skb)
{
	u32 slot = dsr_sched_next_turn(svc) % set->table_size;

	return set->dests[set->table[slot]].dest;
}

/* IPVS's measure of a server's load: established flows weigh 256. */
static u64 dsr_dest_load(const struct dsr_dest *dest)
{
	return (u64)atomic_read(&dest->active_flows) * 256 +
	       atomic_read(&dest->inactive_flows);
}

static struct dsr_dest *dsr_lc_pick(const struct dsr_dest_set *set,
				    bool weighted)
{
	unsigned int i, best = 0;
	u64 best_load = dsr_dest_load(set->dests[0].dest);

	for (i = 1; i < set->count; i++) {
		u64 load = dsr_dest_load(set->dests[i].dest);

		/* load / weight < best_load / best weight, without division */
		if (weighted ? load * set->dests[best].weight <
			       best_load * set->dests[i].weight :
			       load < best_load) {
			best = i;
			best_load = load;
		}
	}
	return set->dests[best].dest;
}

static struct dsr_dest *dsr_lc_schedule(struct dsr_service *svc,
					const struct dsr_dest_set *set,
					const struct dsr_flow_key *key,
					const struct sk_buff *skb)
{
	return dsr_lc_pick(set, false);
}

static struct dsr_dest *dsr_wlc_schedule(struct dsr_service *svc,
					 const struct dsr_dest_set *set,
					 const struct dsr_flow_key *key,
					 const struct sk_buff *skb)
{
	return dsr_lc_pick(set, true);
}

const struct dsr_sched_ops dsr_sched_mh = {
	.name		= "mh",
	.table_size	= DSR_SCHED_TABLE_DEFAULT,
	.schedule	= dsr_mh_schedule,
};

const struct dsr_sched_ops dsr_sched_sh = {
	.name		= "sh",
	.table_size	= DSR_SCHED_TABLE_DEFAULT,
	.schedule	= dsr_sh_schedule,
};

const struct dsr_sched_ops dsr_sched_rr = {
	.name		= "rr",
	.schedule	= dsr_rr_schedule,
};

const struct dsr_sched_ops dsr_sched_wrr = {
	.name		= "wrr",
	.table_size	= DSR_SCHED_TABLE_DEFAULT,
	.schedule	= dsr_wrr_schedule,
};

const struct dsr_sched_ops dsr_sched_lc = {
	.name		= "lc",
	.schedule	= dsr_lc_schedule,
};

const struct dsr_sched_ops dsr_sched_wlc = {
	.name		= "wlc",
	.schedule	= dsr_wlc_schedule,
};
