// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests for print.c: a synthetic listing, given out of order, printed
 * in every format and compared byte for byte with tests/golden/.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include "parse.h"
#include "print.h"
#include "tap.h"

static struct svc svc_key(uint8_t proto, const char *ep, const char *sched)
{
	struct svc s = { .key.protocol = proto, .tun_src_plen = 32,
			 .netmask.s_addr = 0xffffffff, .prefix_len6 = 128 };

	parse_endpoint(ep, &s.key.addr, &s.key.port, true);
	snprintf(s.sched, sizeof(s.sched), "%s", sched);
	return s;
}

static struct dest mkdest(const char *ep, uint8_t fwd, uint32_t w,
			  uint32_t act, uint32_t inact, uint64_t conns,
			  uint64_t pkts, uint64_t bytes)
{
	struct dest d = {
		.fwd = fwd, .weight = w, .active = act, .inactive = inact,
		.stats = { conns, pkts, bytes },
	};

	parse_endpoint(ep, &d.addr, &d.port, true);
	return d;
}

static void add_svc(struct listing *l, struct svc s, const struct dest *d,
		    size_t nd)
{
	l->svcs = realloc(l->svcs, (l->nsvcs + 1) * sizeof(*l->svcs));
	s.dests = nd ? malloc(nd * sizeof(*d)) : NULL;
	if (nd)
		memcpy(s.dests, d, nd * sizeof(*d));
	s.ndests = nd;
	l->svcs[l->nsvcs++] = s;
}

/* The example of the listing in the design: two services, given reversed. */
static void brief_listing(struct listing *l)
{
	const struct dest d[] = {
		mkdest("10.0.1.3:80", DSR_FWD_DR, 1, 3, 0, 10, 70, 6345),
		mkdest("10.0.1.2:80", DSR_FWD_DR, 1, 3, 0, 10, 70, 6000),
	};
	struct svc s;

	memset(l, 0, sizeof(*l));
	strcpy(l->info.version, "0.1.0");
	l->info.flow_count = 12;
	l->info.flow_max = 1048576;
	l->info.hook = DSR_HOOK_PRE_ROUTING;
	l->info.service_count = 2;
	l->info.service_max = DSR_SERVICES_MAX;
	l->info.dest_max = DSR_DESTS_MAX;
	add_svc(l, svc_key(IPPROTO_UDP, "[2001:db8::1]:53", "mh"), NULL, 0);
	s = svc_key(IPPROTO_TCP, "10.0.0.100:80", "rr");
	s.stats = (struct stats){ 20, 140, 12345 };
	s.sched_table = 7;
	add_svc(l, s, d, ARRAY_SIZE(d));
}

static struct dest mktun(const char *ep, uint8_t type, uint16_t port,
			 uint32_t flags, uint32_t w)
{
	struct dest d = mkdest(ep, DSR_FWD_TUN, w, 0, 0, 0, 0, 0);

	d.tun_type = type;
	d.tun_port = port;
	d.tun_flags = flags;
	return d;
}

/* Everything else: sort order, v6 dests, tunnel, drain, huge counters. */
static void more_listing(struct listing *l)
{
	struct dest d1[] = {
		mkdest("10.0.2.10:443", DSR_FWD_TUN, 0, 0, 7, 1, 2, 3),
		mkdest("10.0.2.9:443", DSR_FWD_DR, 65535, 4294967295U, 1,
		       123456789012ULL, 18446744073709551615ULL, 99999999),
	};
	const struct dest d2[] = {
		mkdest("[2001:db8:1::2]:53", DSR_FWD_DR, 5, 0, 0, 0, 0, 0),
		mkdest("[2001:db8:1::10]:53", DSR_FWD_DR, 5, 0, 0, 0, 0, 0),
	};
	/* A fwmark service's real servers have port 0. */
	struct dest d3[] = {
		mkdest("10.0.3.1:1", DSR_FWD_DR, 2, 1, 0, 1, 1, 60),
	};
	struct svc s;

	d1[0].tun_type = DSR_TUN_IPIP;
	/* Thresholds and templates: --thresholds, --persistent-conn, -S. */
	d1[1].u_threshold = 100;
	d1[1].l_threshold = 50;
	d1[1].persist = 3;
	d3[0].port = 0;
	d3[0].u_threshold = 2147483647;
	memset(l, 0, sizeof(*l));
	strcpy(l->info.version, "0.1.0-rc1 \"test\"");
	l->info.flow_count = 0;
	l->info.flow_max = 4096;

	s = (struct svc){ .key.fwmark = 7, .tun_src_plen = 32 };
	strcpy(s.sched, "mh");
	add_svc(l, s, d3, ARRAY_SIZE(d3));
	s = svc_key(IPPROTO_UDP, "[2001:db8::1]:53", "wrr");
	s.flags = DSR_SERVICE_F_ONEPACKET;
	add_svc(l, s, d2, ARRAY_SIZE(d2));
	s = svc_key(IPPROTO_TCP, "10.0.0.9:443", "wrr");
	s.timeout = 300;
	s.stats = (struct stats){ 123456789013ULL, 3, 100000002 };
	add_svc(l, s, d1, ARRAY_SIZE(d1));
	add_svc(l, svc_key(IPPROTO_TCP, "[::1]:80", "rr"), NULL, 0);
	add_svc(l, svc_key(IPPROTO_TCP, "10.0.0.9:80", "rr"), NULL, 0);
	add_svc(l, svc_key(IPPROTO_TCP, "9.255.255.255:80", "rr"), NULL, 0);
}

/*
 * Tunnels: every type and checksum, a type this dsradm cannot name, a
 * learned path MTU, tunnel sources with and without a prefix length.
 */
static void tun_listing(struct listing *l)
{
	struct dest d1[] = {
		mktun("192.168.10.1:80", DSR_TUN_IPIP, 0, 0, 1),
		mktun("192.168.10.2:80", DSR_TUN_GUE, 6080, DSR_TUN_F_CSUM, 2),
		mktun("192.168.10.3:80", DSR_TUN_GUE, 65535, 0, 3),
		mktun("192.168.10.4:80", DSR_TUN_GRE, 0, 0, 1),
		mktun("192.168.10.5:80", DSR_TUN_GRE, 0, DSR_TUN_F_CSUM, 0),
		mktun("192.168.10.6:80", DSR_TUN_MAX + 1, 0, 0, 1),
		mkdest("192.168.10.7:80", DSR_FWD_DR, 1, 2, 3, 0, 0, 0),
	};
	const struct dest d2[] = {
		mktun("192.168.11.1:53", DSR_TUN_GRE, 0, 0, 1),
	};
	struct svc s;

	d1[1].tun_pmtu = 1400;
	d1[1].active = 5;
	d1[1].stats = (struct stats){ 4, 40, 4000 };
	memset(l, 0, sizeof(*l));
	strcpy(l->info.version, "0.2.0");
	l->info.flow_count = 5;
	l->info.flow_max = 1048576;
	l->info.hook = DSR_HOOK_LOCAL_IN;
	l->info.service_count = 3;
	l->info.service_max = 100;
	l->info.dest_max = 8;
	l->info.icmp_forwarded = 17;
	l->info.icmp_tun_pmtu = 3;

	s = svc_key(IPPROTO_TCP, "207.175.44.110:80", "rr");
	inet_pton(AF_INET, "198.51.100.7", &s.tun_src);
	add_svc(l, s, d1, ARRAY_SIZE(d1));
	s = svc_key(IPPROTO_UDP, "10.0.0.1:53", "wrr");
	inet_pton(AF_INET, "198.51.100.0", &s.tun_src);
	s.tun_src_plen = 28;
	add_svc(l, s, d2, ARRAY_SIZE(d2));
	add_svc(l, svc_key(IPPROTO_TCP, "10.0.0.1:443", "rr"), NULL, 0);
}

static struct svc fwmark_key(uint32_t mark, int family, const char *sched)
{
	struct svc s = { .key.fwmark = mark, .key.addr.family = family,
			 .tun_src_plen = 32, .netmask.s_addr = 0xffffffff,
			 .prefix_len6 = 128 };

	snprintf(s.sched, sizeof(s.sched), "%s", sched);
	return s;
}

/*
 * IPv6, as ipvsadm 1.31 lists and saves it: services with real servers in
 * brackets, persistence with a prefix length (and the default, 128, not
 * shown), an IPv6-in-IPv6 tunnel, an address too long for ipvsadm's IPv4
 * columns, and one firewall mark for each family, given out of order.
 */
static void v6_listing(struct listing *l)
{
	struct dest d1[] = {
		mkdest("[2001:db8::11]:80", DSR_FWD_DR, 1, 2, 0, 5, 50, 5000),
		mkdest("[2001:db8::10]:80", DSR_FWD_DR, 1, 3, 1, 6, 60, 6000),
		mktun("[2001:db8:ffff:ffff:ffff:ffff:ffff:fffe]:80",
		      DSR_TUN_IPIP, 0, 0, 2),
	};
	struct dest d2[] = {
		mkdest("[2001:db8::20]:1", DSR_FWD_DR, 1, 0, 0, 0, 0, 0),
	};
	struct dest d3[] = {
		mkdest("10.0.3.1:1", DSR_FWD_DR, 1, 0, 0, 0, 0, 0),
	};
	struct svc s;

	d2[0].port = 0;
	d3[0].port = 0;
	memset(l, 0, sizeof(*l));
	strcpy(l->info.version, "0.4.0");
	l->info.flow_count = 9;
	l->info.flow_max = 1048576;
	l->info.hook = DSR_HOOK_PRE_ROUTING;
	l->info.service_count = 5;
	l->info.service_max = DSR_SERVICES_MAX;
	l->info.dest_max = DSR_DESTS_MAX;

	s = fwmark_key(1, AF_INET6, "rr");
	s.timeout = 600;
	s.prefix_len6 = 48;
	add_svc(l, s, d2, ARRAY_SIZE(d2));
	add_svc(l, fwmark_key(1, AF_INET, "wlc"), d3, ARRAY_SIZE(d3));
	s = svc_key(IPPROTO_UDP, "[2001:db8::100]:53", "rr");
	s.timeout = 300;
	s.flags = DSR_SERVICE_F_ONEPACKET;
	add_svc(l, s, NULL, 0);
	s = svc_key(IPPROTO_TCP, "[2001:db8::100]:80", "mh");
	s.timeout = 60;
	s.prefix_len6 = 64;
	s.stats = (struct stats){ 11, 110, 11000 };
	add_svc(l, s, d1, ARRAY_SIZE(d1));
	add_svc(l, svc_key(IPPROTO_TCP,
			   "[2001:db8:ffff:ffff:ffff:ffff:ffff:ffff]:65535",
			   "sh"), NULL, 0);
}

/*
 * Scheduler flags, stateless, lookup table sizes and digests: sh with both
 * of ipvsadm's flags, mh with one and stateless, a stateless rr, flags the
 * scheduler cannot name, a default and a non-default table.
 */
static void flags_listing(struct listing *l)
{
	const struct dest d[] = {
		mkdest("10.0.1.1:80", DSR_FWD_DR, 1, 0, 0, 0, 0, 0),
	};
	struct svc s;

	memset(l, 0, sizeof(*l));
	strcpy(l->info.version, "0.3.0");
	l->info.flow_count = 3;
	l->info.flow_max = 1048576;
	l->info.flow_max_host = 4194304;
	l->info.flow_inserts = 1000;
	l->info.flow_evictions = 7;
	l->info.flow_expiries = 990;
	l->info.flow_untracked = 2;
	l->info.flow_midstream = 12345678901ULL;
	l->info.drops[DSR_DROP_NO_ROUTE] = 3;
	l->info.drops[DSR_DROP_BAD_HEADER] = 18446744073709551615ULL;

	s = svc_key(IPPROTO_TCP, "10.0.0.1:80", "sh");
	s.flags = DSR_SERVICE_F_HASH_FALLBACK | DSR_SERVICE_F_HASH_PORT;
	s.sched_table = 65537;
	s.digest = 0x0123456789abcdefULL;
	s.timeout = 300;
	add_svc(l, s, d, ARRAY_SIZE(d));
	s = svc_key(IPPROTO_TCP, "10.0.0.2:80", "mh");
	s.flags = DSR_SERVICE_F_HASH_PORT | DSR_SERVICE_F_STATELESS;
	s.sched_table = 7;
	s.digest = 0xfedcba9876543210ULL;
	add_svc(l, s, d, ARRAY_SIZE(d));
	s = svc_key(IPPROTO_UDP, "10.0.0.3:53", "rr");
	s.flags = DSR_SERVICE_F_STATELESS;
	s.sched_table = 13;
	add_svc(l, s, d, ARRAY_SIZE(d));
	s = svc_key(IPPROTO_UDP, "10.0.0.4:53", "wrr");
	s.flags = DSR_SERVICE_F_HASH_PORT | 0x80;
	s.sched_table = 1048573;
	s.digest = 1;
	inet_pton(AF_INET, "198.51.100.7", &s.tun_src);
	add_svc(l, s, NULL, 0);
}

static void mkflow(struct flows *fl, uint8_t proto, const char *client,
		   const char *vip, const char *dst, uint8_t state,
		   uint32_t ms, uint8_t packets)
{
	struct flow f = {
		.protocol = proto, .state = state, .expires = ms,
		.packets = packets,
	};

	parse_endpoint(client, &f.client, &f.client_port, true);
	parse_endpoint(vip, &f.vip, &f.vip_port, true);
	parse_endpoint(dst, &f.dest, &f.dest_port, true);
	fl->v = realloc(fl->v, (fl->n + 1) * sizeof(*fl->v));
	fl->v[fl->n++] = f;
}

/* Every state, both families, given out of order. */
static void flows_example(struct flows *fl)
{
	memset(fl, 0, sizeof(*fl));
	mkflow(fl, IPPROTO_UDP, "[2001:db8::7]:5353", "[2001:db8::1]:53",
	       "[2001:db8:1::2]:53", DSR_FLOW_NONE, 299999, 2);
	mkflow(fl, IPPROTO_TCP, "10.0.0.2:40001", "10.0.0.100:80",
	       "10.0.1.2:80", DSR_FLOW_SYN, 59000, 1);
	mkflow(fl, IPPROTO_TCP, "10.0.0.2:40000", "10.0.0.100:80",
	       "10.0.1.1:80", DSR_FLOW_ESTABLISHED, 898500, 2);
	mkflow(fl, IPPROTO_TCP, "10.0.0.3:1024", "10.0.0.100:80",
	       "10.0.1.1:80", DSR_FLOW_FIN, 119999, 2);
	mkflow(fl, IPPROTO_TCP, "10.0.0.3:1025", "10.0.0.100:80",
	       "10.0.1.2:80", DSR_FLOW_CLOSE, 0, 2);
	mkflow(fl, IPPROTO_TCP, "10.0.0.4:1", "10.0.0.100:80",
	       "10.0.1.2:80", 9, 6000000, 2);
	mkflow(fl, IPPROTO_UDP, "10.0.0.9:53000", "10.0.0.53:53",
	       "10.0.1.3:53", DSR_FLOW_NONE, 1000, 1);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

enum what { W_LISTING, W_TIMEOUTS, W_FLOWS, W_EVENTS };

/* monitor's lines for a listing built up, then torn down. */
static void print_events(FILE *f, const struct listing *l, unsigned int fmt)
{
	size_t i, j;

	for (i = 0; i < l->nsvcs; i++) {
		const struct svc *svc = &l->svcs[i];

		print_event(f, DSR_CMD_SERVICE_NEW_NTF, svc, NULL, fmt);
		for (j = 0; j < svc->ndests; j++)
			print_event(f, DSR_CMD_DEST_NEW_NTF, svc,
				    &svc->dests[j], fmt);
		for (j = 0; j < svc->ndests; j++)
			print_event(f, DSR_CMD_DEST_DEL_NTF, svc,
				    &svc->dests[j], fmt);
		print_event(f, DSR_CMD_SERVICE_DEL_NTF, svc, NULL, fmt);
	}
}

static void golden_of(enum what what, const void *data, unsigned int fmt,
		      const char *name)
{
	char path[512], *want, *got = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&got, &len);
	if (what == W_LISTING)
		print_listing(f, data, fmt);
	else if (what == W_TIMEOUTS)
		print_timeouts(f, data, fmt);
	else if (what == W_EVENTS)
		print_events(f, data, fmt);
	else
		print_flows(f, data, fmt);
	fclose(f);

	snprintf(path, sizeof(path), "%s/golden/%s", TEST_DIR, name);
	want = slurp(path);
	ok(want && !strcmp(want, got), "golden %s", name);
	if (!want || strcmp(want, got)) {
		tap_diag("expected", want ? want : "(missing file)");
		tap_diag("got", got);
		snprintf(path, sizeof(path), "%s/%s.out", TEST_DIR, name);
		f = fopen(path, "w");
		if (f) {
			fputs(got, f);
			fclose(f);
		}
	}
	free(want);
	free(got);
}

static void golden(const struct listing *l, unsigned int fmt,
		   const char *name)
{
	golden_of(W_LISTING, l, fmt, name);
}

static void test_flows(void)
{
	struct info info = { .timeout = { 900, 120, 300, 60, 10 } };
	struct flows fl;

	golden_of(W_TIMEOUTS, &info, FMT_NUMERIC, "timeouts.txt");
	golden_of(W_TIMEOUTS, &info, FMT_JSON, "timeouts.json");

	flows_example(&fl);
	flows_sort(&fl);
	golden_of(W_FLOWS, &fl, FMT_NUMERIC, "flows.txt");
	golden_of(W_FLOWS, &fl, FMT_JSON, "flows.json");
	free(fl.v);
	memset(&fl, 0, sizeof(fl));
	golden_of(W_FLOWS, &fl, FMT_NUMERIC, "flows-empty.txt");
	golden_of(W_FLOWS, &fl, FMT_JSON, "flows-empty.json");

	/* A persistence template: the client network, port 0. */
	{
		char *out = NULL;
		size_t len = 0;
		FILE *f;

		mkflow(&fl, IPPROTO_TCP, "10.0.0.0:1", "10.0.0.100:80",
		       "10.0.1.1:80", DSR_FLOW_PERSIST, 300000, 2);
		fl.v[0].client_port = 0;
		f = open_memstream(&out, &len);
		print_flows(f, &fl, FMT_NUMERIC);
		fclose(f);
		ok(strstr(out, "TCP 05:00  PERSIST     10.0.0.0:0         10.0.0.100:80      10.0.1.1:80") != NULL,
		   "flows: a template is PERSIST, port 0");
		free(out);

		/* IPv6: ipvsadm's columns, which its addresses overflow. */
		mkflow(&fl, IPPROTO_TCP, "[2001:db8::]:1", "[2001:db8::100]:80",
		       "[2001:db8::10]:80", DSR_FLOW_PERSIST, 60000, 2);
		fl.v[1].client_port = 0;
		out = NULL;
		f = open_memstream(&out, &len);
		print_flows(f, &fl, FMT_NUMERIC);
		fclose(f);
		ok(strstr(out, "TCP 01:00  PERSIST     [2001:db8::]:0     [2001:db8::100]:80 [2001:db8::10]:80\n") != NULL,
		   "flows: an IPv6 template, addresses in brackets");
		free(out);
		free(fl.v);
	}
}

static void test_sort(void)
{
	struct listing l;
	char buf[SERVICE_STRLEN];
	const char *want[] = {
		"TCP 9.255.255.255:80", "TCP 10.0.0.9:80", "TCP 10.0.0.9:443",
		"TCP [::1]:80", "UDP [2001:db8::1]:53", "FWM 7", "FWM 7 IPv6",
		"FWM 8",
	};
	size_t i;
	bool pass = true;

	more_listing(&l);
	add_svc(&l, fwmark_key(8, AF_INET, "rr"), NULL, 0);
	add_svc(&l, fwmark_key(7, AF_INET6, "rr"), NULL, 0);
	listing_sort(&l);
	for (i = 0; i < l.nsvcs && i < ARRAY_SIZE(want); i++)
		if (strcmp(format_service(&l.svcs[i].key, buf, sizeof(buf)),
			   want[i]))
			pass = false;
	ok(pass && l.nsvcs == ARRAY_SIZE(want),
	   "services sort by protocol, family, address, port; fwmark last, by mark and family");
	listing_free(&l);
	ok(l.svcs == NULL && l.nsvcs == 0, "listing_free empties");
}

int main(void)
{
	struct listing l;

	brief_listing(&l);
	listing_sort(&l);
	golden(&l, FMT_NUMERIC, "list.txt");
	golden(&l, FMT_NUMERIC | FMT_STATS, "list-stats.txt");
	golden(&l, FMT_NUMERIC | FMT_STATS | FMT_EXACT, "list-stats.txt");
	golden(&l, FMT_RULES, "save.txt");
	golden(&l, FMT_JSON, "list.json");
	listing_free(&l);

	more_listing(&l);
	listing_sort(&l);
	golden(&l, FMT_NUMERIC, "more.txt");
	golden(&l, FMT_STATS, "more-stats.txt");
	golden(&l, FMT_RULES, "more-save.txt");
	golden(&l, FMT_JSON, "more.json");
	golden(&l, FMT_NUMERIC | FMT_THRESHOLDS, "more-thresholds.txt");
	golden(&l, FMT_NUMERIC | FMT_PERSIST_CONN, "more-persist-conn.txt");
	listing_free(&l);

	tun_listing(&l);
	listing_sort(&l);
	golden(&l, FMT_NUMERIC, "tun.txt");
	golden(&l, FMT_NUMERIC | FMT_TUN_INFO, "tun-info.txt");
	golden(&l, FMT_NUMERIC | FMT_STATS | FMT_TUN_INFO, "tun-stats.txt");
	golden(&l, FMT_RULES, "tun-save.txt");
	golden(&l, FMT_JSON | FMT_TUN_INFO, "tun.json");
	golden_of(W_EVENTS, &l, FMT_NUMERIC, "tun-events.txt");
	golden_of(W_EVENTS, &l, FMT_JSON, "tun-events.json");
	listing_free(&l);

	v6_listing(&l);
	listing_sort(&l);
	golden(&l, FMT_NUMERIC, "ipv6.txt");
	golden(&l, FMT_NUMERIC | FMT_STATS, "ipv6-stats.txt");
	golden(&l, FMT_NUMERIC | FMT_TUN_INFO, "ipv6-tun-info.txt");
	golden(&l, FMT_RULES, "ipv6-save.txt");
	golden(&l, FMT_JSON, "ipv6.json");
	golden_of(W_EVENTS, &l, FMT_NUMERIC, "ipv6-events.txt");
	listing_free(&l);

	flags_listing(&l);
	listing_sort(&l);
	golden(&l, FMT_NUMERIC, "flags.txt");
	golden(&l, FMT_NUMERIC | FMT_DIGEST, "flags-digest.txt");
	golden(&l, FMT_NUMERIC | FMT_DIGEST | FMT_TUN_INFO,
	       "flags-digest-info.txt");
	golden(&l, FMT_NUMERIC | FMT_STATS | FMT_DIGEST, "flags-stats.txt");
	golden(&l, FMT_RULES, "flags-save.txt");
	golden(&l, FMT_JSON, "flags.json");
	golden_of(W_EVENTS, &l, FMT_NUMERIC, "flags-events.txt");
	listing_free(&l);

	test_flows();

	memset(&l, 0, sizeof(l));
	golden(&l, FMT_NUMERIC, "empty.txt");
	golden(&l, FMT_JSON, "empty.json");

	test_sort();
	return tap_done();
}
