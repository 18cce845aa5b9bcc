// SPDX-License-Identifier: GPL-2.0
/*
 * dsradm -R --sync: make the running table equal to a saved one (the -S
 * format: -A and -a lines only) with the fewest changes. Nothing is
 * flushed: a service or real server that is the same in both is not
 * touched, so its flows and counters stay. Changes go in the order that
 * never leaves a service with fewer servers than it needs: new services,
 * then changed services, new and changed real servers, and only then the
 * real servers and services that are gone. The whole input is read and
 * checked before the first change.
 *
 * Both tables are looked up through sorted indexes, so that a table of
 * 10,000 services with 10 real servers each syncs in O(n log n).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dsradm.h"
#include "nl.h"
#include "parse.h"
#include "print.h"

static int rule_error(const struct sync_rule *r, const char *what)
{
	char name[SERVICE_STRLEN];

	dsradm_lineno = r->lineno;
	errorf("%s %s", what, format_service(&r->cmd.svc, name, sizeof(name)));
	dsradm_lineno = 0;
	return EXIT_USAGE;
}

static uint16_t dest_port_of(const struct cmd *c)
{
	return c->dest_port ? c->dest_port : c->svc.port;
}

/* Order of the -A index: by service key. */
static int want_svc_cmp(const void *pa, const void *pb)
{
	const struct sync_rule *a = *(const struct sync_rule *const *)pa;
	const struct sync_rule *b = *(const struct sync_rule *const *)pb;

	return svc_key_cmp(&a->cmd.svc, &b->cmd.svc);
}

/* Order of the -a index: by service key, then address and port. */
static int want_dest_cmp(const void *pa, const void *pb)
{
	const struct sync_rule *a = *(const struct sync_rule *const *)pa;
	const struct sync_rule *b = *(const struct sync_rule *const *)pb;
	int c = svc_key_cmp(&a->cmd.svc, &b->cmd.svc);

	if (!c)
		c = ipaddr_cmp(&a->cmd.dest, &b->cmd.dest);
	if (!c)
		c = (dest_port_of(&a->cmd) > dest_port_of(&b->cmd)) -
		    (dest_port_of(&a->cmd) < dest_port_of(&b->cmd));
	return c;
}

/* Sort orders: the keys, then the input's order, for stable messages. */
static int by_line(const void *pa, const void *pb)
{
	const struct sync_rule *a = *(const struct sync_rule *const *)pa;
	const struct sync_rule *b = *(const struct sync_rule *const *)pb;

	return (a->lineno > b->lineno) - (a->lineno < b->lineno);
}

static int want_svc_order(const void *pa, const void *pb)
{
	return want_svc_cmp(pa, pb) ?: by_line(pa, pb);
}

static int want_dest_order(const void *pa, const void *pb)
{
	return want_dest_cmp(pa, pb) ?: by_line(pa, pb);
}

struct index {
	const struct sync_rule **v;
	size_t n;
};

/* The input's -A lines, or its -a lines, sorted. */
static int build_index(const struct rule_list *in, enum op op,
		       int (*cmp)(const void *, const void *),
		       struct index *ix)
{
	size_t i;

	ix->n = 0;
	ix->v = malloc((in->n ? in->n : 1) * sizeof(*ix->v));
	if (!ix->v) {
		errorf("out of memory");
		return EXIT_KERNEL;
	}
	for (i = 0; i < in->n; i++)
		if (in->v[i].cmd.op == op)
			ix->v[ix->n++] = &in->v[i];
	qsort(ix->v, ix->n, sizeof(*ix->v), cmp);
	return 0;
}

/* The rule in @ix equal to a probe built from @cmd, or NULL. */
static const struct sync_rule *lookup(const struct index *ix,
				      const struct cmd *cmd,
				      int (*cmp)(const void *, const void *))
{
	struct sync_rule probe = { .cmd = *cmd };
	const struct sync_rule *key = &probe, **found;

	found = bsearch(&key, ix->v, ix->n, sizeof(*ix->v), cmp);
	return found ? *found : NULL;
}

static const struct dest *find_dest(const struct svc *svc,
				    const struct cmd *c)
{
	size_t i;

	for (i = 0; i < svc->ndests; i++)
		if (!ipaddr_cmp(&svc->dests[i].addr, &c->dest) &&
		    svc->dests[i].port == dest_port_of(c))
			return &svc->dests[i];
	return NULL;
}

/*
 * The -E that turns @cur into what the -A line @want says, in @edit;
 * false when they already agree.
 */
static bool service_edit(const struct cmd *want, const struct svc *cur,
			 struct cmd *edit)
{
	const char *sched = want->sched[0] ? want->sched : DSRADM_DEFAULT_SCHED;
	uint32_t table = (want->opts & OPT_SCHED_TABLE) ? want->sched_table : 0;
	struct in_addr src = { 0 };
	bool differ = false, mask_differs;
	uint8_t plen = 32;

	if (want->opts & OPT_TUN_SRC) {
		src = want->tun_src;
		plen = want->tun_src_plen;
	}
	*edit = *want;
	edit->op = OP_EDIT_SERVICE;
	/* Scheduler and flags stated in full. */
	edit->opts = OPT_SERVICE | OPT_SCHED | OPT_STATELESS;
	snprintf(edit->sched, sizeof(edit->sched), "%s", sched);
	if (strcmp(sched, cur->sched) || want->flags != cur->flags)
		differ = true;
	/* The size -S would save: 0 stands for the default. */
	if (table != (save_sched_table(cur) ? cur->sched_table : 0)) {
		edit->opts |= OPT_SCHED_TABLE;
		edit->sched_table = table;
		differ = true;
	}
	if (src.s_addr != cur->tun_src.s_addr || plen != cur->tun_src_plen) {
		edit->opts |= OPT_TUN_SRC;
		edit->tun_src = src;
		edit->tun_src_plen = plen;
		differ = true;
	}
	/* Persistence in full too: -p 0 turns it off. */
	edit->timeout = (want->opts & OPT_PERSIST) ? want->timeout : 0;
	edit->netmask.s_addr = (want->opts & OPT_NETMASK) ?
			       want->netmask.s_addr : htonl(0xffffffff);
	edit->prefix_len6 = (want->opts & OPT_NETMASK) ? want->prefix_len6 :
			    128;
	/* The netmask of the service's family: the other one is not sent. */
	if (svc_family(&want->svc) == AF_INET6)
		mask_differs = edit->prefix_len6 != cur->prefix_len6;
	else
		mask_differs = edit->netmask.s_addr != cur->netmask.s_addr;
	if (edit->timeout != cur->timeout || (edit->timeout && mask_differs)) {
		edit->opts |= OPT_PERSIST | OPT_NETMASK;
		differ = true;
	}
	/* And the persistence engine: none unless the line names one. */
	snprintf(edit->pe, sizeof(edit->pe), "%s",
		 (want->opts & OPT_PE) ? want->pe : "");
	if (strcmp(edit->pe, cur->pe)) {
		edit->opts |= OPT_PE;
		differ = true;
	}
	return differ;
}

/* Whether the real server @cur is what the -a line @want says. */
static bool dest_same(const struct cmd *want, const struct dest *cur)
{
	if (want->fwd != cur->fwd || want->weight != cur->weight ||
	    want->u_threshold != cur->u_threshold ||
	    want->l_threshold != cur->l_threshold)
		return false;
	if (want->fwd != DSR_FWD_TUN)
		return true;
	if (want->tun_type != cur->tun_type)
		return false;
	if (want->tun_type == DSR_TUN_GUE && want->tun_port != cur->tun_port)
		return false;
	if ((want->tun_type == DSR_TUN_GUE || want->tun_type == DSR_TUN_GRE) &&
	    (want->tun_flags & DSR_TUN_F_CSUM) !=
	    (cur->tun_flags & DSR_TUN_F_CSUM))
		return false;
	return true;
}

/*
 * The input names each service and real server once, and each real
 * server's service has its -A line.
 */
static int check_rules(const struct index *svcs, const struct index *dests)
{
	size_t i;

	for (i = 1; i < svcs->n; i++)
		if (!want_svc_cmp(&svcs->v[i - 1], &svcs->v[i]))
			return rule_error(svcs->v[i], "service given twice:");
	for (i = 1; i < dests->n; i++)
		if (!want_dest_cmp(&dests->v[i - 1], &dests->v[i]))
			return rule_error(dests->v[i],
					  "real server given twice in service");
	for (i = 0; i < dests->n; i++)
		if (!lookup(svcs, &dests->v[i]->cmd, want_svc_cmp))
			return rule_error(dests->v[i],
					  "real server of a service with no -A line:");
	return 0;
}

static int run(struct nl *nl, struct cmd *c, enum op op)
{
	c->op = op;
	if (op == OP_ADD_SERVICE || op == OP_EDIT_SERVICE ||
	    op == OP_DEL_SERVICE)
		return do_service(nl, c);
	return do_dest(nl, c);
}

static int apply(struct nl *nl, const struct rule_list *in,
		 const struct index *svcs, const struct index *dests,
		 const struct listing *cur)
{
	const struct svc *svc;
	const struct dest *d;
	struct cmd c;
	size_t i, j;
	int ret = 0;

	/* 1. New services, then changed ones, in the input's order. */
	for (i = 0; i < in->n && !ret; i++) {
		c = in->v[i].cmd;
		if (c.op != OP_ADD_SERVICE)
			continue;
		svc = listing_find(cur, &c.svc);
		if (!svc)
			ret = run(nl, &c, OP_ADD_SERVICE);
		else if (service_edit(&in->v[i].cmd, svc, &c))
			ret = run(nl, &c, OP_EDIT_SERVICE);
	}
	/* 2. New and changed real servers. */
	for (i = 0; i < in->n && !ret; i++) {
		c = in->v[i].cmd;
		if (c.op != OP_ADD_DEST)
			continue;
		svc = listing_find(cur, &c.svc);
		d = svc ? find_dest(svc, &c) : NULL;
		if (!d)
			ret = run(nl, &c, OP_ADD_DEST);
		else if (!dest_same(&c, d)) {
			/* An -a line states the thresholds in full. */
			c.opts |= OPT_U_THRESHOLD | OPT_L_THRESHOLD;
			ret = run(nl, &c, OP_EDIT_DEST);
		}
	}
	/* 3. Real servers that are gone, of services that stay. */
	for (i = 0; i < cur->nsvcs && !ret; i++) {
		svc = &cur->svcs[i];
		memset(&c, 0, sizeof(c));
		c.svc = svc->key;
		if (!lookup(svcs, &c, want_svc_cmp))
			continue;
		for (j = 0; j < svc->ndests && !ret; j++) {
			c.dest = svc->dests[j].addr;
			c.dest_port = svc->dests[j].port;
			if (!lookup(dests, &c, want_dest_cmp))
				ret = run(nl, &c, OP_DEL_DEST);
		}
	}
	/* 4. Services that are gone, with their real servers. */
	for (i = 0; i < cur->nsvcs && !ret; i++) {
		memset(&c, 0, sizeof(c));
		c.svc = cur->svcs[i].key;
		if (!lookup(svcs, &c, want_svc_cmp))
			ret = run(nl, &c, OP_DEL_SERVICE);
	}
	return ret;
}

int sync_rules(struct nl *nl, struct rule_list *in)
{
	struct index svcs = { 0 }, dests = { 0 };
	struct listing cur = { 0 };
	int ret;

	ret = build_index(in, OP_ADD_SERVICE, want_svc_order, &svcs);
	if (!ret)
		ret = build_index(in, OP_ADD_DEST, want_dest_order, &dests);
	if (!ret)
		ret = check_rules(&svcs, &dests);
	if (!ret)
		ret = fetch_listing(nl, NULL, &cur);
	if (!ret)
		ret = apply(nl, in, &svcs, &dests, &cur);
	listing_free(&cur);
	free(svcs.v);
	free(dests.v);
	return ret;
}
