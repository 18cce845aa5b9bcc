// SPDX-License-Identifier: GPL-2.0
/*
 * dsr - the scheduler table. A service names its scheduler; every scheduler
 * picks from the service's usable set, the destinations with weight > 0 in
 * canonical (address) order, which the configuration path rebuilds and
 * publishes under RCU on every change.
 */
#include <linux/string.h>
#include "dsr.h"

static const struct dsr_sched_ops *const dsr_schedulers[] = {
	&dsr_sched_rr,
};

const struct dsr_sched_ops *dsr_sched_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(dsr_schedulers); i++)
		if (!strcmp(dsr_schedulers[i]->name, name))
			return dsr_schedulers[i];
	return NULL;
}
