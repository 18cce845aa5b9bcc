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

static bool same_dest_key(const struct cmd *a, const struct cmd *b)
{
	return !svc_key_cmp(&a->svc, &b->svc) &&
	       !ipaddr_cmp(&a->dest, &b->dest) &&
	       dest_port_of(a) == dest_port_of(b);
}

static const struct svc *find_svc(const struct listing *l,
				  const struct svc_key *key)
{
	size_t i;

	for (i = 0; i < l->nsvcs; i++)
		if (!svc_key_cmp(&l->svcs[i].key, key))
			return &l->svcs[i];
	return NULL;
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

/* The lookup table size -S would save for @svc (0: the default). */
static uint32_t saved_table(const struct svc *svc)
{
	if (svc->sched_table && svc->sched_table != DSR_SCHED_TABLE_DEFAULT &&
	    (!strcmp(svc->sched, "mh") || !strcmp(svc->sched, "sh") ||
	     !strcmp(svc->sched, "wrr")))
		return svc->sched_table;
	return 0;
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
	uint8_t plen = 32;
	bool differ = false;

	if (want->opts & OPT_TUN_SRC) {
		src = want->tun_src;
		plen = want->tun_src_plen;
	}
	*edit = *want;
	edit->op = OP_EDIT_SERVICE;
	edit->opts = OPT_SERVICE | OPT_SCHED | OPT_STATELESS;
	snprintf(edit->sched, sizeof(edit->sched), "%s", sched);
	if (strcmp(sched, cur->sched) || want->flags != cur->flags)
		differ = true;
	if (table != saved_table(cur)) {
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
	return differ;
}

/* Whether the real server @cur is what the -a line @want says. */
static bool dest_same(const struct cmd *want, const struct dest *cur)
{
	if (want->fwd != cur->fwd || want->weight != cur->weight)
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

/* The input must name each service and real server once, services first. */
static int check_rules(const struct sync_rule *rules, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		const struct cmd *c = &rules[i].cmd;
		bool declared = false;

		for (j = 0; j < i; j++) {
			const struct cmd *o = &rules[j].cmd;

			if (c->op == OP_ADD_SERVICE && o->op == OP_ADD_SERVICE &&
			    !svc_key_cmp(&c->svc, &o->svc))
				return rule_error(&rules[i], "service given twice");
			if (c->op == OP_ADD_DEST && o->op == OP_ADD_DEST &&
			    same_dest_key(c, o))
				return rule_error(&rules[i],
						  "real server given twice in service");
			if (o->op == OP_ADD_SERVICE &&
			    !svc_key_cmp(&c->svc, &o->svc))
				declared = true;
		}
		if (c->op == OP_ADD_DEST && !declared)
			return rule_error(&rules[i],
					  "real server of a service with no -A line before it");
	}
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

int sync_rules(struct nl *nl, struct rule_list *in)
{
	const struct sync_rule *rules = in->v;
	struct listing cur = { 0 };
	const struct svc *svc;
	const struct dest *d;
	struct cmd c;
	size_t i, j, k;
	int ret;

	ret = check_rules(rules, in->n);
	if (ret)
		return ret;
	dsradm_lineno = 0;
	ret = fetch_listing(nl, NULL, &cur);
	if (ret)
		return ret;

	/* 1. New services, then changed ones. */
	for (i = 0; i < in->n && !ret; i++) {
		c = rules[i].cmd;
		if (c.op != OP_ADD_SERVICE)
			continue;
		svc = find_svc(&cur, &c.svc);
		if (!svc)
			ret = run(nl, &c, OP_ADD_SERVICE);
		else if (service_edit(&rules[i].cmd, svc, &c))
			ret = run(nl, &c, OP_EDIT_SERVICE);
	}
	/* 2. New and changed real servers. */
	for (i = 0; i < in->n && !ret; i++) {
		c = rules[i].cmd;
		if (c.op != OP_ADD_DEST)
			continue;
		svc = find_svc(&cur, &c.svc);
		d = svc ? find_dest(svc, &c) : NULL;
		if (!d)
			ret = run(nl, &c, OP_ADD_DEST);
		else if (!dest_same(&c, d))
			ret = run(nl, &c, OP_EDIT_DEST);
	}
	/* 3. Real servers that are gone, of services that stay. */
	for (i = 0; i < cur.nsvcs && !ret; i++) {
		svc = &cur.svcs[i];
		for (j = 0; j < svc->ndests && !ret; j++) {
			bool keep = false, svc_stays = false;

			memset(&c, 0, sizeof(c));
			c.svc = svc->key;
			c.dest = svc->dests[j].addr;
			c.dest_port = svc->dests[j].port;
			for (k = 0; k < in->n; k++) {
				const struct cmd *w = &rules[k].cmd;

				if (w->op == OP_ADD_SERVICE &&
				    !svc_key_cmp(&w->svc, &svc->key))
					svc_stays = true;
				if (w->op == OP_ADD_DEST && same_dest_key(w, &c))
					keep = true;
			}
			if (svc_stays && !keep)
				ret = run(nl, &c, OP_DEL_DEST);
		}
	}
	/* 4. Services that are gone, with their real servers. */
	for (i = 0; i < cur.nsvcs && !ret; i++) {
		bool keep = false;

		for (k = 0; k < in->n; k++)
			if (rules[k].cmd.op == OP_ADD_SERVICE &&
			    !svc_key_cmp(&rules[k].cmd.svc, &cur.svcs[i].key))
				keep = true;
		if (!keep) {
			memset(&c, 0, sizeof(c));
			c.svc = cur.svcs[i].key;
			ret = run(nl, &c, OP_DEL_SERVICE);
		}
	}
	listing_free(&cur);
	return ret;
}
