/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dsradm - listing output: ipvsadm's table, --stats, -S rules, -j JSON,
 * the flow table (-c), the timeouts (--timeout) and monitor's events.
 */
#ifndef DSRADM_PRINT_H
#define DSRADM_PRINT_H

#include <stdio.h>

#include "dsradm.h"

int ipaddr_cmp(const struct ipaddr *a, const struct ipaddr *b);
int svc_key_cmp(const struct svc_key *a, const struct svc_key *b);
void listing_sort(struct listing *l);
const struct svc *listing_find(const struct listing *l,
			       const struct svc_key *key);
const struct dest *svc_find_dest(const struct svc *svc, const struct dest *d);
bool save_sched_table(const struct svc *svc);
void listing_free(struct listing *l);
void print_listing(FILE *f, const struct listing *l, unsigned int fmt);
void print_timeouts(FILE *f, const struct info *info, unsigned int fmt);
void flows_sort(struct flows *fl);
void print_flows(FILE *f, const struct flows *fl, unsigned int fmt);
void print_event(FILE *f, uint8_t cmd, const struct svc *svc,
		 const struct dest *d, unsigned int fmt);

#endif /* DSRADM_PRINT_H */
