// SPDX-License-Identifier: GPL-2.0
/*
 * dsradm - listing output.
 *
 * One walk over the sorted listing, three renderings: ipvsadm's table
 * (with --stats its counter table), ipvsadm's rule format for -S, and
 * JSON for -j. Addresses are always numeric. Counters are always exact:
 * dsr only sees the inbound direction, so there are no Out columns.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "parse.h"
#include "print.h"

static int addr_cmp(const struct ipaddr *a, const struct ipaddr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->family == AF_INET6)
		return memcmp(&a->v6, &b->v6, sizeof(a->v6));
	return memcmp(&a->v4, &b->v4, sizeof(a->v4));
}

/* (protocol, family, address, port); fwmark services last. */
int svc_key_cmp(const struct svc_key *a, const struct svc_key *b)
{
	int ra = a->fwmark ? 256 : a->protocol;
	int rb = b->fwmark ? 256 : b->protocol;
	int c;

	if (ra != rb)
		return ra < rb ? -1 : 1;
	if (a->fwmark || b->fwmark)
		return a->fwmark < b->fwmark ? -1 : a->fwmark > b->fwmark;
	c = addr_cmp(&a->addr, &b->addr);
	if (c)
		return c;
	return a->port < b->port ? -1 : a->port > b->port;
}

static int svc_qcmp(const void *a, const void *b)
{
	return svc_key_cmp(&((const struct svc *)a)->key,
			   &((const struct svc *)b)->key);
}

static int dest_qcmp(const void *pa, const void *pb)
{
	const struct dest *a = pa, *b = pb;
	int c = addr_cmp(&a->addr, &b->addr);

	if (c)
		return c;
	return a->port < b->port ? -1 : a->port > b->port;
}

void listing_sort(struct listing *l)
{
	size_t i;

	if (l->nsvcs)
		qsort(l->svcs, l->nsvcs, sizeof(*l->svcs), svc_qcmp);
	for (i = 0; i < l->nsvcs; i++)
		if (l->svcs[i].ndests)
			qsort(l->svcs[i].dests, l->svcs[i].ndests,
			      sizeof(*l->svcs[i].dests), dest_qcmp);
}

void listing_free(struct listing *l)
{
	size_t i;

	for (i = 0; i < l->nsvcs; i++)
		free(l->svcs[i].dests);
	free(l->svcs);
	memset(l, 0, sizeof(*l));
}

/* "TCP  10.0.0.1:80", "FWM  7": the first column of a service line. */
static char *svc_column(const struct svc_key *k, char *buf, size_t len)
{
	char ep[ENDPOINT_STRLEN];

	if (k->fwmark)
		snprintf(buf, len, "FWM  %u", k->fwmark);
	else
		snprintf(buf, len, "%s  %s", proto_name(k->protocol),
			 format_endpoint(&k->addr, k->port, ep, sizeof(ep)));
	return buf;
}

/* "-t 10.0.0.1:80", "-f 7": how -S names a service. */
static char *svc_arg(const struct svc_key *k, char *buf, size_t len)
{
	char ep[ENDPOINT_STRLEN];

	if (k->fwmark)
		snprintf(buf, len, "-f %u", k->fwmark);
	else
		snprintf(buf, len, "%s %s",
			 k->protocol == IPPROTO_UDP ? "-u" : "-t",
			 format_endpoint(&k->addr, k->port, ep, sizeof(ep)));
	return buf;
}

static void print_counters(FILE *f, const struct stats *st)
{
	fprintf(f, " %8" PRIu64 " %8" PRIu64 " %8" PRIu64 "\n",
		st->conns, st->packets, st->bytes);
}

static bool has_tun_src(const struct svc *svc)
{
	return svc->tun_src.s_addr != 0;
}

/* ipvsadm's TunnelInfo column: "ipip", "gue:6080:+c", "gre:-c", "n/a". */
static const char *tun_info(const struct dest *d, char *buf, size_t len)
{
	const char *name = tun_name(d->tun_type);
	const char *csum = d->tun_flags & DSR_TUN_F_CSUM ? "+c" : "-c";
	int n;

	if (d->fwd != DSR_FWD_TUN || !name)
		return "n/a";
	if (d->tun_type == DSR_TUN_GUE)
		n = snprintf(buf, len, "%s:%u:%s", name, d->tun_port, csum);
	else if (d->tun_type == DSR_TUN_GRE)
		n = snprintf(buf, len, "%s:%s", name, csum);
	else
		n = snprintf(buf, len, "%s", name);
	/* dsr's own: the path MTU a router behind the LB reported. */
	if (d->tun_pmtu && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - n, ":pmtu=%u", d->tun_pmtu);
	return buf;
}

/* ipvsadm -L / -L --stats / -L --tun-info */

static void text_title(FILE *f, const struct listing *l, unsigned int fmt)
{
	fprintf(f, "dsr version %s (flows=%u/%u",
		l->info.version[0] ? l->info.version : "?",
		l->info.flow_count, l->info.flow_max);
	/* --stats: the module's own counters, on its title line. */
	if (fmt & FMT_STATS)
		fprintf(f, ", icmp_forwarded=%" PRIu64 ", icmp_tun_pmtu=%" PRIu64,
			l->info.icmp_forwarded, l->info.icmp_tun_pmtu);
	fputs(")\n", f);
	if (fmt & FMT_STATS)
		fprintf(f, "%-33s %8s %8s %8s\n  -> RemoteAddress:Port\n",
			"Prot LocalAddress:Port", "Conns", "InPkts", "InBytes");
	else if (fmt & FMT_TUN_INFO)
		fputs("Prot LocalAddress:Port Scheduler Flags\n"
		      "  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n",
		      f);
	else
		fputs("Prot LocalAddress:Port Scheduler Flags\n"
		      "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n",
		      f);
}

static void text_service(FILE *f, const struct svc *svc, unsigned int fmt)
{
	char col[SERVICE_STRLEN], src[PREFIX4_STRLEN];

	svc_column(&svc->key, col, sizeof(col));
	if (fmt & FMT_STATS) {
		fprintf(f, "%-33s", col);
		print_counters(f, &svc->stats);
		return;
	}
	fprintf(f, "%s %s", col, svc->sched[0] ? svc->sched : "?");
	if (svc->timeout)
		fprintf(f, " persistent %u", svc->timeout);
	if (has_tun_src(svc))
		fprintf(f, " tun-src %s", format_prefix4(svc->tun_src,
			svc->tun_src_plen, src, sizeof(src)));
	if (svc->flags)
		fprintf(f, " flags 0x%x", svc->flags);
	fputc('\n', f);
}

static void text_dest(FILE *f, const struct dest *d, unsigned int fmt)
{
	char ep[ENDPOINT_STRLEN], info[32];

	format_endpoint(&d->addr, d->port, ep, sizeof(ep));
	if (fmt & FMT_STATS) {
		fprintf(f, "  -> %-28s", ep);
		print_counters(f, &d->stats);
		return;
	}
	if (fmt & FMT_TUN_INFO) {
		fprintf(f, "  -> %-28s %-7s %-13s %-6u %-10u %-10u\n", ep,
			fwd_name(d->fwd), tun_info(d, info, sizeof(info)),
			d->weight, d->active, d->inactive);
		return;
	}
	fprintf(f, "  -> %-28s %-7s %-6u %-10u %-10u\n", ep, fwd_name(d->fwd),
		d->weight, d->active, d->inactive);
}

/* ipvsadm -S: rules that -R reads back. */

static void rule_service(FILE *f, const struct svc *svc)
{
	char arg[SERVICE_STRLEN], src[PREFIX4_STRLEN];

	fprintf(f, "-A %s", svc_arg(&svc->key, arg, sizeof(arg)));
	if (svc->sched[0])
		fprintf(f, " -s %s", svc->sched);
	if (svc->timeout)
		fprintf(f, " -p %u", svc->timeout);
	/* Only when set, so that plain rules stay ipvsadm's. */
	if (has_tun_src(svc))
		fprintf(f, " --tun-src %s", format_prefix4(svc->tun_src,
			svc->tun_src_plen, src, sizeof(src)));
	fputc('\n', f);
}

static void rule_dest(FILE *f, const struct svc *svc, const struct dest *d)
{
	char arg[SERVICE_STRLEN], ep[ENDPOINT_STRLEN];

	if (d->port)
		format_endpoint(&d->addr, d->port, ep, sizeof(ep));
	else
		format_addr(&d->addr, ep, sizeof(ep));
	fprintf(f, "-a %s -r %s %s -w %u",
		svc_arg(&svc->key, arg, sizeof(arg)), ep,
		d->fwd == DSR_FWD_TUN ? "-i" : "-g", d->weight);
	/* ipvsadm 1.31's order; a type it cannot name is left out, as there. */
	if (d->fwd == DSR_FWD_TUN && tun_name(d->tun_type)) {
		fprintf(f, " --tun-type %s", tun_name(d->tun_type));
		if (d->tun_type == DSR_TUN_GUE)
			fprintf(f, " --tun-port %u", d->tun_port);
		if (d->tun_type == DSR_TUN_GUE || d->tun_type == DSR_TUN_GRE)
			fputs(d->tun_flags & DSR_TUN_F_CSUM ? " --tun-csum" :
			      " --tun-nocsum", f);
	}
	fputc('\n', f);
}

/* -j: one JSON document on one line. */

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json_stats(FILE *f, const struct stats *st)
{
	fprintf(f, "\"stats\":{\"conns\":%" PRIu64 ",\"packets\":%" PRIu64
		",\"bytes\":%" PRIu64 "}", st->conns, st->packets, st->bytes);
}

static void json_service(FILE *f, const struct svc *svc)
{
	char a[INET6_ADDRSTRLEN];

	if (svc->key.fwmark) {
		fprintf(f, "{\"fwmark\":%u", svc->key.fwmark);
	} else {
		fputs("{\"protocol\":", f);
		json_str(f, svc->key.protocol == IPPROTO_UDP ? "udp" :
			 svc->key.protocol == IPPROTO_TCP ? "tcp" : "?");
		fprintf(f, ",\"address\":\"%s\",\"port\":%u",
			format_addr(&svc->key.addr, a, sizeof(a)),
			svc->key.port);
	}
	fputs(",\"scheduler\":", f);
	json_str(f, svc->sched);
	fprintf(f, ",\"persistent\":%u,\"flags\":%u,\"tun_src\":\"%s\","
		"\"tun_src_plen\":%u,", svc->timeout, svc->flags,
		inet_ntop(AF_INET, &svc->tun_src, a, sizeof(a)) ? a : "?",
		svc->tun_src_plen);
	json_stats(f, &svc->stats);
	fputs(",\"dests\":[", f);
}

static void json_dest(FILE *f, const struct dest *d, bool first)
{
	const char *name = tun_name(d->tun_type);
	char a[INET6_ADDRSTRLEN];

	fprintf(f, "%s{\"address\":\"%s\",\"port\":%u,\"forward\":\"%s\",",
		first ? "" : ",", format_addr(&d->addr, a, sizeof(a)), d->port,
		d->fwd == DSR_FWD_DR ? "route" :
		d->fwd == DSR_FWD_TUN ? "tunnel" : "unknown");
	if (d->fwd == DSR_FWD_TUN)
		fprintf(f, "\"tunnel\":{\"type\":\"%s\",\"port\":%u,"
			"\"csum\":%s},", name ? name : "unknown", d->tun_port,
			d->tun_flags & DSR_TUN_F_CSUM ? "true" : "false");
	fprintf(f, "\"weight\":%u,\"active_conns\":%u,\"inactive_conns\":%u,"
		"\"tun_pmtu\":%u,", d->weight, d->active, d->inactive, d->tun_pmtu);
	json_stats(f, &d->stats);
	fputc('}', f);
}

void print_listing(FILE *f, const struct listing *l, unsigned int fmt)
{
	size_t i, j;

	if (fmt & FMT_JSON) {
		fputs("{\"version\":", f);
		json_str(f, l->info.version);
		fprintf(f, ",\"flows\":%u,\"flow_max\":%u,\"icmp_forwarded\":%"
			PRIu64 ",\"icmp_tun_pmtu\":%" PRIu64 ",\"services\":[",
			l->info.flow_count, l->info.flow_max,
			l->info.icmp_forwarded, l->info.icmp_tun_pmtu);
	} else if (!(fmt & FMT_RULES)) {
		text_title(f, l, fmt);
	}

	for (i = 0; i < l->nsvcs; i++) {
		const struct svc *svc = &l->svcs[i];

		if (fmt & FMT_JSON) {
			if (i)
				fputc(',', f);
			json_service(f, svc);
		} else if (fmt & FMT_RULES) {
			rule_service(f, svc);
		} else {
			text_service(f, svc, fmt);
		}
		for (j = 0; j < svc->ndests; j++) {
			if (fmt & FMT_JSON)
				json_dest(f, &svc->dests[j], j == 0);
			else if (fmt & FMT_RULES)
				rule_dest(f, svc, &svc->dests[j]);
			else
				text_dest(f, &svc->dests[j], fmt);
		}
		if (fmt & FMT_JSON)
			fputs("]}", f);
	}

	if (fmt & FMT_JSON)
		fputs("]}\n", f);
}
