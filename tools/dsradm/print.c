// SPDX-License-Identifier: GPL-2.0
/*
 * dsradm - listing output.
 *
 * One walk over the sorted listing, three renderings: ipvsadm's table
 * (with --stats its counter table), ipvsadm's rule format for -S, and
 * JSON for -j. Addresses are always numeric. Counters are always exact:
 * dsr only sees the inbound direction, so there are no Out columns.
 * Also the flow table (-L -c) and the timeouts (-L --timeout), text and
 * JSON alike.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "parse.h"
#include "print.h"

int ipaddr_cmp(const struct ipaddr *a, const struct ipaddr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->family == AF_INET6)
		return memcmp(&a->v6, &b->v6, sizeof(a->v6));
	return memcmp(&a->v4, &b->v4, sizeof(a->v4));
}

/*
 * (protocol, family, address, port); fwmark services last, by (mark,
 * family).
 */
int svc_key_cmp(const struct svc_key *a, const struct svc_key *b)
{
	int ra = a->fwmark ? 256 : a->protocol;
	int rb = b->fwmark ? 256 : b->protocol;
	int c;

	if (ra != rb)
		return ra < rb ? -1 : 1;
	if (a->fwmark != b->fwmark)
		return a->fwmark < b->fwmark ? -1 : 1;
	if (a->fwmark)
		return (svc_family(a) > svc_family(b)) -
		       (svc_family(a) < svc_family(b));
	c = ipaddr_cmp(&a->addr, &b->addr);
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
	int c = ipaddr_cmp(&a->addr, &b->addr);

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

static int svc_bcmp(const void *key, const void *elem)
{
	return svc_key_cmp(key, &((const struct svc *)elem)->key);
}

/* The service with @key in a sorted listing, or NULL. */
const struct svc *listing_find(const struct listing *l,
			       const struct svc_key *key)
{
	if (!l->nsvcs)
		return NULL;
	return bsearch(key, l->svcs, l->nsvcs, sizeof(*l->svcs), svc_bcmp);
}

/* The real server of @svc at @d's address and port (sorted), or NULL. */
const struct dest *svc_find_dest(const struct svc *svc, const struct dest *d)
{
	if (!svc->ndests)
		return NULL;
	return bsearch(d, svc->dests, svc->ndests, sizeof(*svc->dests),
		       dest_qcmp);
}

void listing_free(struct listing *l)
{
	size_t i;

	for (i = 0; i < l->nsvcs; i++)
		free(l->svcs[i].dests);
	free(l->svcs);
	memset(l, 0, sizeof(*l));
}

/*
 * "TCP  10.0.0.1:80", "FWM  7", "FWM  7 IPv6": the first column of a
 * service line, as ipvsadm's print_service_entry() writes it.
 */
static char *svc_column(const struct svc_key *k, char *buf, size_t len)
{
	char ep[ENDPOINT_STRLEN];

	if (k->fwmark)
		snprintf(buf, len, "FWM  %u%s", k->fwmark,
			 svc_family(k) == AF_INET6 ? " IPv6" : "");
	else
		snprintf(buf, len, "%s  %s", proto_name(k->protocol),
			 format_endpoint(&k->addr, k->port, ep, sizeof(ep)));
	return buf;
}

/* "-t 10.0.0.1:80", "-f 7", "-f 7 -6": how -S names a service. */
static char *svc_arg(const struct svc_key *k, char *buf, size_t len)
{
	char ep[ENDPOINT_STRLEN];

	if (k->fwmark)
		snprintf(buf, len, "-f %u%s", k->fwmark,
			 svc_family(k) == AF_INET6 ? " -6" : "");
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

/*
 * The lookup table size -S writes: only what differs from the default of
 * mh, sh and wrr. Other schedulers size their table from the real servers,
 * and 0 (no usable real server) says nothing.
 */
bool save_sched_table(const struct svc *svc)
{
	return svc->sched_table && svc->sched_table != DSR_SCHED_TABLE_DEFAULT &&
	       (!strcmp(svc->sched, "mh") || !strcmp(svc->sched, "sh") ||
		!strcmp(svc->sched, "wrr"));
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

/* The drop reasons by the names --stats and -j give them. */
static const char *const drop_names[DSR_DROP_MAX + 1] = {
	[DSR_DROP_NO_DEST]	= "no_dest",
	[DSR_DROP_NO_ROUTE]	= "no_route",
	[DSR_DROP_TOO_BIG]	= "too_big",
	[DSR_DROP_NO_MEM]	= "no_mem",
	[DSR_DROP_BAD_HEADER]	= "bad_header",
	[DSR_DROP_TTL]		= "ttl",
};

/* ipvsadm -L / -L --stats / -L --tun-info */

static void text_title(FILE *f, const struct listing *l, unsigned int fmt)
{
	const struct info *in = &l->info;
	unsigned int i;

	fprintf(f, "dsr version %s (flows=%u/%u",
		in->version[0] ? in->version : "?",
		in->flow_count, in->flow_max);
	/* --stats: the module's own counters, on its title line. */
	if (fmt & FMT_STATS)
		fprintf(f, ", icmp_forwarded=%" PRIu64 ", icmp_tun_pmtu=%" PRIu64
			", flow_max_host=%u, flow_inserts=%" PRIu64
			", flow_evictions=%" PRIu64 ", flow_expiries=%" PRIu64
			", flow_untracked=%" PRIu64 ", flow_midstream=%" PRIu64
			", hook=%s, service_max=%u, server_max=%u",
			in->icmp_forwarded, in->icmp_tun_pmtu,
			in->flow_max_host, in->flow_inserts,
			in->flow_evictions, in->flow_expiries,
			in->flow_untracked, in->flow_midstream,
			hook_name(in->hook), in->service_max, in->dest_max);
	if (fmt & FMT_STATS)
		for (i = 0; i <= DSR_DROP_MAX; i++)
			if (drop_names[i])
				fprintf(f, ", drop_%s=%" PRIu64, drop_names[i],
					in->drops[i]);
	fputs(")\n", f);
	if (fmt & FMT_STATS)
		fprintf(f, "%-33s %8s %8s %8s\n  -> RemoteAddress:Port\n",
			"Prot LocalAddress:Port", "Conns", "InPkts", "InBytes");
	else if (fmt & FMT_RATE)
		fprintf(f, "%-33s %8s %8s %8s\n  -> RemoteAddress:Port\n",
			"Prot LocalAddress:Port", "CPS", "InPPS", "InBPS");
	else if (fmt & FMT_THRESHOLDS)
		fprintf(f, "%-33s %-10s %-10s %-10s %-10s\n  -> RemoteAddress:Port\n",
			"Prot LocalAddress:Port", "Uthreshold", "Lthreshold",
			"ActiveConn", "InActConn");
	else if (fmt & FMT_PERSIST_CONN)
		fprintf(f, "%-33s %-9s %-11s %-10s %-10s\n  -> RemoteAddress:Port\n",
			"Prot LocalAddress:Port", "Weight", "PersistConn",
			"ActiveConn", "InActConn");
	else if (fmt & FMT_TUN_INFO)
		fputs("Prot LocalAddress:Port Scheduler Flags\n"
		      "  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n",
		      f);
	else
		fputs("Prot LocalAddress:Port Scheduler Flags\n"
		      "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n",
		      f);
}

/*
 * The persistence netmask as -M takes it, or NULL for the default (each
 * client its own), which ipvsadm does not show: dotted for an IPv4
 * service, a prefix length for an IPv6 one.
 */
static const char *persist_mask(const struct svc *svc, char *buf, size_t len)
{
	if (svc_family(&svc->key) == AF_INET6) {
		if (svc->prefix_len6 == 128)
			return NULL;
		snprintf(buf, len, "%u", svc->prefix_len6);
		return buf;
	}
	if (svc->netmask.s_addr == htonl(0xffffffff))
		return NULL;
	return inet_ntop(AF_INET, &svc->netmask, buf, (socklen_t)len) ?: "?";
}

static void text_service(FILE *f, const struct svc *svc, unsigned int fmt)
{
	char col[SERVICE_STRLEN], src[PREFIX4_STRLEN], names[64];
	char buf[INET_ADDRSTRLEN];
	const char *mask;
	uint32_t rest;

	svc_column(&svc->key, col, sizeof(col));
	if (fmt & (FMT_STATS | FMT_RATE)) {
		fprintf(f, "%-33s", col);
		print_counters(f, fmt & FMT_RATE ? &svc->rate : &svc->stats);
		return;
	}
	fprintf(f, "%s %s", col, svc->sched[0] ? svc->sched : "?");
	/* ipvsadm: "sh (sh-fallback,sh-port)", then persistence. */
	rest = svc->flags & ~format_sched_flags(svc->sched, svc->flags, names,
						sizeof(names));
	if (names[0])
		fprintf(f, " (%s)", names);
	if (svc->timeout)
		fprintf(f, " persistent %u", svc->timeout);
	mask = persist_mask(svc, buf, sizeof(buf));
	if (svc->timeout && mask)
		fprintf(f, " mask %s", mask);
	if (svc->timeout && svc->pe[0])
		fprintf(f, " pe %s", svc->pe);
	if (rest & DSR_SERVICE_F_ONEPACKET)
		fputs(" ops", f);
	if (rest & DSR_SERVICE_F_STATELESS)
		fputs(" stateless", f);
	rest &= ~(DSR_SERVICE_F_STATELESS | DSR_SERVICE_F_ONEPACKET);
	if (has_tun_src(svc))
		fprintf(f, " tun-src %s", format_prefix4(svc->tun_src,
			svc->tun_src_plen, src, sizeof(src)));
	if (rest)
		fprintf(f, " flags 0x%x", rest);
	if (fmt & FMT_DIGEST)
		fprintf(f, " table %u digest %016" PRIx64, svc->sched_table,
			svc->digest);
	fputc('\n', f);
}

static void text_dest(FILE *f, const struct dest *d, unsigned int fmt)
{
	char ep[ENDPOINT_STRLEN], info[32];

	format_endpoint(&d->addr, d->port, ep, sizeof(ep));
	if (fmt & (FMT_STATS | FMT_RATE)) {
		fprintf(f, "  -> %-28s", ep);
		print_counters(f, fmt & FMT_RATE ? &d->rate : &d->stats);
		return;
	}
	if (fmt & FMT_THRESHOLDS) {
		fprintf(f, "  -> %-28s %-10u %-10u %-10u %-10u\n", ep,
			d->u_threshold, d->l_threshold, d->active, d->inactive);
		return;
	}
	if (fmt & FMT_PERSIST_CONN) {
		fprintf(f, "  -> %-28s %-9u %-11u %-10u %-10u\n", ep, d->weight,
			d->persist, d->active, d->inactive);
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

/* A service's options as -S writes them after "-A ", without the newline. */
static void rule_service_opts(FILE *f, const struct svc *svc)
{
	char arg[SERVICE_STRLEN], src[PREFIX4_STRLEN], names[64];
	char buf[INET_ADDRSTRLEN];
	const char *mask;

	fputs(svc_arg(&svc->key, arg, sizeof(arg)), f);
	if (svc->sched[0])
		fprintf(f, " -s %s", svc->sched);
	if (svc->timeout)
		fprintf(f, " -p %u", svc->timeout);
	mask = persist_mask(svc, buf, sizeof(buf));
	if (svc->timeout && mask)
		fprintf(f, " -M %s", mask);
	if (svc->pe[0])
		fprintf(f, " --pe %s", svc->pe);
	/* ipvsadm writes -b after -p and -M, and -o after -b. */
	format_sched_flags(svc->sched, svc->flags, names, sizeof(names));
	if (names[0])
		fprintf(f, " -b %s", names);
	if (svc->flags & DSR_SERVICE_F_ONEPACKET)
		fputs(" -o", f);
	/* Only when set, so that plain rules stay ipvsadm's. */
	if (svc->flags & DSR_SERVICE_F_STATELESS)
		fputs(" --stateless", f);
	if (save_sched_table(svc))
		fprintf(f, " --sched-table %u", svc->sched_table);
	if (has_tun_src(svc))
		fprintf(f, " --tun-src %s", format_prefix4(svc->tun_src,
			svc->tun_src_plen, src, sizeof(src)));
}

static void rule_service(FILE *f, const struct svc *svc)
{
	fputs("-A ", f);
	rule_service_opts(f, svc);
	fputc('\n', f);
}

/* "-t VIP:port -r RS:port": how -S names a real server. */
static void rule_dest_key(FILE *f, const struct svc *svc, const struct dest *d)
{
	char arg[SERVICE_STRLEN], ep[ENDPOINT_STRLEN];

	/* ipvsadm writes the port even when it is 0 (fwmark services). */
	format_endpoint(&d->addr, d->port, ep, sizeof(ep));
	fprintf(f, "%s -r %s", svc_arg(&svc->key, arg, sizeof(arg)), ep);
}

/* A real server's options as -S writes them after "-a ", no newline. */
static void rule_dest_opts(FILE *f, const struct svc *svc,
			   const struct dest *d)
{
	rule_dest_key(f, svc, d);
	fprintf(f, " %s -w %u", d->fwd == DSR_FWD_TUN ? "-i" : "-g",
		d->weight);
	/* ipvsadm 1.31's order; a type it cannot name is left out, as there. */
	if (d->fwd == DSR_FWD_TUN && tun_name(d->tun_type)) {
		fprintf(f, " --tun-type %s", tun_name(d->tun_type));
		if (d->tun_type == DSR_TUN_GUE)
			fprintf(f, " --tun-port %u", d->tun_port);
		if (d->tun_type == DSR_TUN_GUE || d->tun_type == DSR_TUN_GRE)
			fputs(d->tun_flags & DSR_TUN_F_CSUM ? " --tun-csum" :
			      " --tun-nocsum", f);
	}
	/*
	 * ipvsadm -S leaves thresholds out; dsradm keeps them, only where
	 * set, and ipvsadm -R reads them back.
	 */
	if (d->u_threshold)
		fprintf(f, " -x %u", d->u_threshold);
	if (d->l_threshold)
		fprintf(f, " -y %u", d->l_threshold);
}

static void rule_dest(FILE *f, const struct svc *svc, const struct dest *d)
{
	fputs("-a ", f);
	rule_dest_opts(f, svc, d);
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

/* --rate: ,"rate":{"cps":N,"pps":N,"bps":N} */
static void json_rate(FILE *f, const struct stats *rate, unsigned int fmt)
{
	if (fmt & FMT_RATE)
		fprintf(f, ",\"rate\":{\"cps\":%" PRIu64 ",\"pps\":%" PRIu64
			",\"bps\":%" PRIu64 "}", rate->conns, rate->packets,
			rate->bytes);
}

/* "flag_names": ipvsadm's -b names for sh and mh, then dsr's own. */
static void json_flag_names(FILE *f, const struct svc *svc)
{
	char names[64], *p, *save;
	bool first = true;

	format_sched_flags(svc->sched, svc->flags, names, sizeof(names));
	fputs("\"flag_names\":[", f);
	for (p = strtok_r(names, ",", &save); p;
	     p = strtok_r(NULL, ",", &save)) {
		fprintf(f, "%s\"%s\"", first ? "" : ",", p);
		first = false;
	}
	if (svc->flags & DSR_SERVICE_F_STATELESS) {
		fprintf(f, "%s\"stateless\"", first ? "" : ",");
		first = false;
	}
	if (svc->flags & DSR_SERVICE_F_ONEPACKET)
		fprintf(f, "%s\"ops\"", first ? "" : ",");
	fputs("],", f);
}

/*
 * The service's key, opening its object: {"protocol":...,"port":80, or
 * {"fwmark":7,"family":"ipv4"
 */
static void json_service_key(FILE *f, const struct svc *svc)
{
	char a[INET6_ADDRSTRLEN];

	if (svc->key.fwmark) {
		fprintf(f, "{\"fwmark\":%u,\"family\":\"%s\"", svc->key.fwmark,
			svc_family(&svc->key) == AF_INET6 ? "ipv6" : "ipv4");
	} else {
		fputs("{\"protocol\":", f);
		json_str(f, svc->key.protocol == IPPROTO_UDP ? "udp" :
			 svc->key.protocol == IPPROTO_TCP ? "tcp" : "?");
		fprintf(f, ",\"address\":\"%s\",\"port\":%u",
			format_addr(&svc->key.addr, a, sizeof(a)),
			svc->key.port);
	}
}

/* The service's object, left open for its "dests". */
static void json_service(FILE *f, const struct svc *svc, unsigned int fmt)
{
	char a[INET6_ADDRSTRLEN];

	json_service_key(f, svc);
	fputs(",\"scheduler\":", f);
	json_str(f, svc->sched);
	fprintf(f, ",\"persistent\":%u,", svc->timeout);
	/* Each family its own form of -M, as the uapi has it. */
	if (svc_family(&svc->key) == AF_INET6)
		fprintf(f, "\"prefix_len6\":%u", svc->prefix_len6);
	else
		fprintf(f, "\"netmask\":\"%s\"",
			inet_ntop(AF_INET, &svc->netmask, a, sizeof(a)) ?: "?");
	fputs(",\"pe\":", f);
	json_str(f, svc->pe);
	fprintf(f, ",\"flags\":%u,", svc->flags);
	json_flag_names(f, svc);
	fprintf(f, "\"sched_table\":%u,\"digest\":\"%016" PRIx64 "\","
		"\"tun_src\":\"%s\",\"tun_src_plen\":%u,", svc->sched_table,
		svc->digest,
		inet_ntop(AF_INET, &svc->tun_src, a, sizeof(a)) ? a : "?",
		svc->tun_src_plen);
	json_stats(f, &svc->stats);
	json_rate(f, &svc->rate, fmt);
}

static void json_dest(FILE *f, const struct dest *d, bool first,
		      unsigned int fmt)
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
		"\"persist_conns\":%u,\"u_threshold\":%u,\"l_threshold\":%u,"
		"\"tun_pmtu\":%u,", d->weight, d->active, d->inactive, d->persist,
		d->u_threshold, d->l_threshold, d->tun_pmtu);
	json_stats(f, &d->stats);
	json_rate(f, &d->rate, fmt);
	fputc('}', f);
}

/* ,"drops":{"no_dest":N,...} */
static void json_drops(FILE *f, const struct info *in)
{
	const char *sep = "";
	unsigned int i;

	fputs(",\"drops\":{", f);
	for (i = 0; i <= DSR_DROP_MAX; i++) {
		if (!drop_names[i])
			continue;
		fprintf(f, "%s\"%s\":%" PRIu64, sep, drop_names[i],
			in->drops[i]);
		sep = ",";
	}
	fputc('}', f);
}

void print_listing(FILE *f, const struct listing *l, unsigned int fmt)
{
	size_t i, j;

	const struct info *in = &l->info;

	if (fmt & FMT_JSON) {
		fputs("{\"version\":", f);
		json_str(f, in->version);
		/* "flows" is the older name of "flow_count", kept. */
		fprintf(f, ",\"flows\":%u,\"flow_max\":%u,\"icmp_forwarded\":%"
			PRIu64 ",\"icmp_tun_pmtu\":%" PRIu64 ",\"flow_count\":%u,"
			"\"flow_max_host\":%u,\"flow_inserts\":%" PRIu64
			",\"flow_evictions\":%" PRIu64 ",\"flow_expiries\":%"
			PRIu64 ",\"flow_untracked\":%" PRIu64
			",\"flow_midstream\":%" PRIu64 ",\"hook\":\"%s\","
			"\"service_count\":%u,\"service_max\":%u,"
			"\"server_max\":%u",
			in->flow_count, in->flow_max, in->icmp_forwarded,
			in->icmp_tun_pmtu, in->flow_count, in->flow_max_host,
			in->flow_inserts, in->flow_evictions,
			in->flow_expiries, in->flow_untracked,
			in->flow_midstream, hook_name(in->hook),
			in->service_count, in->service_max, in->dest_max);
		json_drops(f, in);
		fputs(",\"services\":[", f);
	} else if (!(fmt & FMT_RULES)) {
		text_title(f, l, fmt);
	}

	for (i = 0; i < l->nsvcs; i++) {
		const struct svc *svc = &l->svcs[i];

		if (fmt & FMT_JSON) {
			if (i)
				fputc(',', f);
			json_service(f, svc, fmt);
			fputs(",\"dests\":[", f);
		} else if (fmt & FMT_RULES) {
			rule_service(f, svc);
		} else {
			text_service(f, svc, fmt);
		}
		for (j = 0; j < svc->ndests; j++) {
			if (fmt & FMT_JSON)
				json_dest(f, &svc->dests[j], j == 0, fmt);
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

/*
 * monitor: one line per notification. Text names the object as -S does,
 * after "service" or "server" (added or changed) or "deleted service" or
 * "deleted server". JSON: one object per line, with "event" ("service" or
 * "server"), "deleted", and "service" and "server" objects as in the -j
 * listing; a server's service is given by its key alone.
 */
void print_event(FILE *f, uint8_t cmd, const struct svc *svc,
		 const struct dest *d, unsigned int fmt)
{
	bool deleted = cmd == DSR_CMD_SERVICE_DEL_NTF ||
		       cmd == DSR_CMD_DEST_DEL_NTF;
	char arg[SERVICE_STRLEN];

	if (fmt & FMT_JSON) {
		fprintf(f, "{\"event\":\"%s\",\"deleted\":%s,\"service\":",
			d ? "server" : "service", deleted ? "true" : "false");
		if (d) {
			json_service_key(f, svc);
			fputc('}', f);
		} else {
			json_service(f, svc, fmt);
			fputc('}', f);
		}
		if (d) {
			fputs(",\"server\":", f);
			json_dest(f, d, true, fmt);
		}
		fputs("}\n", f);
		return;
	}
	fprintf(f, "%s%s ", deleted ? "deleted " : "",
		d ? "server" : "service");
	if (d && deleted)
		rule_dest_key(f, svc, d);
	else if (d)
		rule_dest_opts(f, svc, d);
	else if (deleted)
		fputs(svc_arg(&svc->key, arg, sizeof(arg)), f);
	else
		rule_service_opts(f, svc);
	fputc('\n', f);
}

/* -L --timeout: ipvsadm's line, then dsr's two other timeouts. */
void print_timeouts(FILE *f, const struct info *info, unsigned int fmt)
{
	const uint32_t *t = info->timeout;
	unsigned int i;

	if (fmt & FMT_JSON) {
		fputc('{', f);
		for (i = 0; i < TMO_COUNT; i++)
			fprintf(f, "%s\"%s\":%u", i ? "," : "", timeout_name(i),
				t[i]);
		fputs("}\n", f);
		return;
	}
	fprintf(f, "Timeout (tcp tcpfin udp): %u %u %u\n", t[TMO_TCP],
		t[TMO_TCPFIN], t[TMO_UDP]);
	fprintf(f, "Timeout (syn rst): %u %u\n", t[TMO_SYN], t[TMO_RST]);
}

/* ipvsadm's connection states; UDP has none, and ipvsadm says "UDP". */
static const char *flow_state_name(const struct flow *fl)
{
	switch (fl->state) {
	case DSR_FLOW_NONE:
		return fl->protocol == IPPROTO_UDP ? "UDP" : "NONE";
	case DSR_FLOW_SYN:
		return "SYN_RECV";
	case DSR_FLOW_ESTABLISHED:
		return "ESTABLISHED";
	case DSR_FLOW_FIN:
		return "FIN_WAIT";
	case DSR_FLOW_CLOSE:
		return "CLOSE";
	case DSR_FLOW_PERSIST:
		return "PERSIST";	/* ipvsadm: NONE, with client port 0 */
	}
	return "UNKNOWN";
}

static int flow_qcmp(const void *pa, const void *pb)
{
	const struct flow *a = pa, *b = pb;
	int c;

	if (a->protocol != b->protocol)
		return a->protocol < b->protocol ? -1 : 1;
	c = ipaddr_cmp(&a->vip, &b->vip);
	if (c)
		return c;
	if (a->vip_port != b->vip_port)
		return a->vip_port < b->vip_port ? -1 : 1;
	c = ipaddr_cmp(&a->client, &b->client);
	if (c)
		return c;
	return a->client_port < b->client_port ? -1 :
	       a->client_port > b->client_port;
}

/* The kernel dumps in hash order; list by protocol, VIP, client. */
void flows_sort(struct flows *fl)
{
	if (fl->n)
		qsort(fl->v, fl->n, sizeof(*fl->v), flow_qcmp);
}

static void json_flow(FILE *f, const struct flow *fl)
{
	char c[INET6_ADDRSTRLEN], v[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];

	fprintf(f, "{\"protocol\":\"%s\",\"client\":\"%s\",\"client_port\":%u,"
		"\"vip\":\"%s\",\"vip_port\":%u,\"dest\":\"%s\","
		"\"dest_port\":%u,\"state\":\"%s\",\"expires_ms\":%u,"
		"\"packets\":%u}",
		fl->protocol == IPPROTO_UDP ? "udp" :
		fl->protocol == IPPROTO_TCP ? "tcp" :
		fl->protocol == IPPROTO_IP ? "fwmark" : "?",
		format_addr(&fl->client, c, sizeof(c)), fl->client_port,
		format_addr(&fl->vip, v, sizeof(v)), fl->vip_port,
		format_addr(&fl->dest, d, sizeof(d)), fl->dest_port,
		flow_state_name(fl), fl->expires, fl->packets);
}

/* -L -c: the layout of ipvsadm -Lcn; -j: an array of objects. */
void print_flows(FILE *f, const struct flows *fl, unsigned int fmt)
{
	char c[ENDPOINT_STRLEN], v[ENDPOINT_STRLEN], d[ENDPOINT_STRLEN];
	char expire[16];
	unsigned int sec;
	size_t i;

	if (fmt & FMT_JSON) {
		fputc('[', f);
		for (i = 0; i < fl->n; i++) {
			if (i)
				fputc(',', f);
			json_flow(f, &fl->v[i]);
		}
		fputs("]\n", f);
		return;
	}
	fputs("dsr flow entries\n", f);
	fprintf(f, "pro expire %-11s %-18s %-18s %s\n", "state", "source",
		"virtual", "destination");
	for (i = 0; i < fl->n; i++) {
		const struct flow *e = &fl->v[i];

		sec = e->expires / 1000;
		snprintf(expire, sizeof(expire), "%02u:%02u", sec / 60,
			 sec % 60);
		fprintf(f, "%-3s %-6s %-11s %-18s %-18s %s\n",
			proto_name(e->protocol), expire, flow_state_name(e),
			format_endpoint(&e->client, e->client_port, c,
					sizeof(c)),
			format_endpoint(&e->vip, e->vip_port, v, sizeof(v)),
			format_endpoint(&e->dest, e->dest_port, d, sizeof(d)));
	}
}
