// SPDX-License-Identifier: GPL-2.0
/*
 * dsr - round-robin scheduler: each new flow goes to the next usable
 * destination in turn. Weights only matter as 0 (drained) or not.
 */
#include "dsr.h"

static int dsr_rr_init(struct dsr_service *svc)
{
	atomic_set(&svc->sched_cursor, 0);
	return 0;
}

static struct dsr_dest *dsr_rr_schedule(struct dsr_service *svc,
					const struct dsr_dest_set *set,
					const struct dsr_flow_key *key,
					const struct sk_buff *skb)
{
	unsigned int turn;

	/* The cursor wraps at 2^32; only its remainder matters. */
	turn = (unsigned int)atomic_inc_return(&svc->sched_cursor) - 1;
	return set->dests[turn % set->count];
}

const struct dsr_sched_ops dsr_sched_rr = {
	.name		= "rr",
	.init		= dsr_rr_init,
	.schedule	= dsr_rr_schedule,
};
