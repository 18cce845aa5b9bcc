// SPDX-License-Identifier: GPL-2.0
/*
 * dsr - per-CPU u64 counters for services and destinations, and the
 * per-namespace drop counters, one per reason.
 */
#include "dsr.h"

int dsr_counters_init(struct dsr_counters *c)
{
	int cpu;

	c->pcpu = alloc_percpu_gfp(struct dsr_stats_pcpu, GFP_KERNEL_ACCOUNT);
	if (!c->pcpu)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(c->pcpu, cpu)->syncp);
	memset(&c->zero, 0, sizeof(c->zero));
	return 0;
}

void dsr_counters_free(struct dsr_counters *c)
{
	free_percpu(c->pcpu);
	c->pcpu = NULL;
}

static void dsr_counters_sum(const struct dsr_counters *c,
			     struct dsr_stats *sum)
{
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct dsr_stats_pcpu *s = per_cpu_ptr(c->pcpu, cpu);
		u64 conns, packets, bytes;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			conns = u64_stats_read(&s->conns);
			packets = u64_stats_read(&s->packets);
			bytes = u64_stats_read(&s->bytes);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		sum->conns += conns;
		sum->packets += packets;
		sum->bytes += bytes;
	}
}

/* Counters as the user sees them: the running sum less the last zeroing. */
void dsr_counters_read(const struct dsr_counters *c, struct dsr_stats *out)
{
	dsr_counters_sum(c, out);
	out->conns -= c->zero.conns;
	out->packets -= c->zero.packets;
	out->bytes -= c->zero.bytes;
}

/*
 * Per-CPU counters cannot be cleared atomically from another CPU, so zeroing
 * records a baseline instead. Called under dsr_net.lock.
 */
void dsr_counters_zero(struct dsr_counters *c)
{
	dsr_counters_sum(c, &c->zero);
}

void dsr_count_packet(struct dsr_counters *c, unsigned int len, bool new_flow)
{
	struct dsr_stats_pcpu *s = this_cpu_ptr(c->pcpu);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->packets);
	u64_stats_add(&s->bytes, len);
	if (new_flow)
		u64_stats_inc(&s->conns);
	u64_stats_update_end(&s->syncp);
}

void dsr_count_drop(struct dsr_net *dn, enum dsr_drop_reason reason)
{
	struct dsr_drop_pcpu *d = this_cpu_ptr(dn->drops);

	u64_stats_update_begin(&d->syncp);
	u64_stats_inc(&d->reason[reason]);
	u64_stats_update_end(&d->syncp);
}

void dsr_count_event(struct dsr_net *dn, enum dsr_event event)
{
	struct dsr_drop_pcpu *d = this_cpu_ptr(dn->drops);

	u64_stats_update_begin(&d->syncp);
	u64_stats_inc(&d->event[event]);
	u64_stats_update_end(&d->syncp);
}

#define DSR_DROP_PCPU_MAX \
	((int)__DSR_DROP_MAX > (int)__DSR_EVENT_MAX ? \
	 (int)__DSR_DROP_MAX : (int)__DSR_EVENT_MAX)

/* Sum @n per-CPU counters that sit at @offset in struct dsr_drop_pcpu. */
static void dsr_drop_pcpu_read(struct dsr_net *dn, size_t offset,
			       unsigned int n, u64 *out)
{
	int cpu;
	unsigned int i;

	memset(out, 0, sizeof(u64) * n);
	for_each_possible_cpu(cpu) {
		const struct dsr_drop_pcpu *d = per_cpu_ptr(dn->drops, cpu);
		const u64_stats_t *c = (const void *)d + offset;
		u64 v[DSR_DROP_PCPU_MAX];
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&d->syncp);
			for (i = 0; i < n; i++)
				v[i] = u64_stats_read(&c[i]);
		} while (u64_stats_fetch_retry(&d->syncp, start));
		for (i = 0; i < n; i++)
			out[i] += v[i];
	}
}

void dsr_drops_read(struct dsr_net *dn, u64 *out)
{
	dsr_drop_pcpu_read(dn, offsetof(struct dsr_drop_pcpu, reason),
			   __DSR_DROP_MAX, out);
}

void dsr_events_read(struct dsr_net *dn, u64 *out)
{
	dsr_drop_pcpu_read(dn, offsetof(struct dsr_drop_pcpu, event),
			   __DSR_EVENT_MAX, out);
}
