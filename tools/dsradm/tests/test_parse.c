// SPDX-License-Identifier: GPL-2.0
/* Host tests for parse.c: numbers, endpoints, formatting. */
#include <string.h>
#include <sys/socket.h>

#include "parse.h"
#include "tap.h"

static void test_u32(void)
{
	uint32_t v = 7;

	ok(parse_u32("0", 0, 10, &v) == 0 && v == 0, "u32: 0");
	ok(parse_u32("65535", 0, 65535, &v) == 0 && v == 65535,
	   "u32: 65535 at the top of the range");
	ok(parse_u32("65536", 0, 65535, &v) < 0, "u32: 65536 out of range");
	ok(parse_u32("4294967295", 0, UINT32_MAX, &v) == 0 &&
	   v == UINT32_MAX, "u32: UINT32_MAX");
	ok(parse_u32("4294967296", 0, UINT32_MAX, &v) < 0, "u32: overflow");
	ok(parse_u32("99999999999999999999999", 0, UINT32_MAX, &v) < 0,
	   "u32: long overflow");
	ok(parse_u32("", 0, 10, &v) < 0, "u32: empty");
	ok(parse_u32("-1", 0, 10, &v) < 0, "u32: negative");
	ok(parse_u32("+1", 0, 10, &v) < 0, "u32: plus sign");
	ok(parse_u32(" 1", 0, 10, &v) < 0, "u32: leading space");
	ok(parse_u32("1x", 0, 10, &v) < 0, "u32: trailing junk");
	ok(parse_u32("0x10", 0, 100, &v) < 0, "u32: no hex");
	ok(parse_u32("0", 1, 10, &v) < 0, "u32: below min");
}

struct ep_case {
	const char *in;
	bool need_port;
	enum parse_err err;
	int family;
	uint16_t port;
	const char *out;	/* format_endpoint() of the result */
};

static const struct ep_case ep_cases[] = {
	{ "10.0.0.1:80", true, PARSE_OK, AF_INET, 80, "10.0.0.1:80" },
	{ "10.0.0.1:65535", true, PARSE_OK, AF_INET, 65535,
	  "10.0.0.1:65535" },
	{ "10.0.0.1", false, PARSE_OK, AF_INET, 0, NULL },
	{ "10.0.0.1", true, PARSE_NO_PORT, 0, 0, NULL },
	{ "10.0.0.1:", true, PARSE_BAD_PORT, 0, 0, NULL },
	{ "10.0.0.1:0", true, PARSE_BAD_PORT, 0, 0, NULL },
	{ "10.0.0.1:0", false, PARSE_OK, AF_INET, 0, NULL },
	{ "[2001:db8::1]:0", false, PARSE_OK, AF_INET6, 0, NULL },
	{ "10.0.0.1:00", false, PARSE_BAD_PORT, 0, 0, NULL },
	{ "10.0.0.1:65536", true, PARSE_BAD_PORT, 0, 0, NULL },
	{ "10.0.0.1:http", true, PARSE_BAD_PORT, 0, 0, NULL },
	{ "10.0.0.1:80x", true, PARSE_BAD_PORT, 0, 0, NULL },
	{ "10.0.0:80", true, PARSE_BAD_ADDR, 0, 0, NULL },
	{ "10.0.0.256:80", true, PARSE_BAD_ADDR, 0, 0, NULL },
	{ "host.example:80", true, PARSE_BAD_ADDR, 0, 0, NULL },
	{ ":80", true, PARSE_BAD_ADDR, 0, 0, NULL },
	{ "", true, PARSE_EMPTY, 0, 0, NULL },
	{ "[2001:db8::1]:53", true, PARSE_OK, AF_INET6, 53,
	  "[2001:db8::1]:53" },
	{ "[2001:DB8:0::1]:53", true, PARSE_OK, AF_INET6, 53,
	  "[2001:db8::1]:53" },
	{ "[::ffff:10.0.0.1]:80", true, PARSE_OK, AF_INET6, 80,
	  "[::ffff:10.0.0.1]:80" },
	{ "[2001:db8::1]", false, PARSE_OK, AF_INET6, 0, NULL },
	{ "[2001:db8::1]", true, PARSE_NO_PORT, 0, 0, NULL },
	{ "2001:db8::1", false, PARSE_OK, AF_INET6, 0, NULL },
	{ "2001:db8::1", true, PARSE_NEED_BRACKETS, 0, 0, NULL },
	{ "2001:db8::1:80", true, PARSE_NEED_BRACKETS, 0, 0, NULL },
	{ "[2001:db8::1]:", true, PARSE_BAD_PORT, 0, 0, NULL },
	{ "[2001:db8::1]80", true, PARSE_BAD_ADDR, 0, 0, NULL },
	{ "[2001:db8::1", true, PARSE_BAD_ADDR, 0, 0, NULL },
	{ "[10.0.0.1]:80", true, PARSE_BAD_ADDR, 0, 0, NULL },
	{ "[]:80", true, PARSE_BAD_ADDR, 0, 0, NULL },
	{ "[fe80::1%eth0]:80", true, PARSE_BAD_ADDR, 0, 0, NULL },
	{ "[1111:2222:3333:4444:5555:6666:7777:8888:9999]:1", true,
	  PARSE_BAD_ADDR, 0, 0, NULL },
	{ "[1111:2222:3333:4444:5555:6666:255.255.255.255:1]:1", true,
	  PARSE_BAD_ADDR, 0, 0, NULL },
};

static void test_endpoints(void)
{
	char buf[ENDPOINT_STRLEN];
	struct ipaddr a;
	uint16_t port;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ep_cases); i++) {
		const struct ep_case *c = &ep_cases[i];
		enum parse_err e;
		bool pass;

		memset(&a, 0xa5, sizeof(a));
		port = 4242;
		e = parse_endpoint(c->in, &a, &port, c->need_port);
		pass = e == c->err;
		if (pass && e == PARSE_OK)
			pass = a.family == c->family && port == c->port;
		if (pass && c->out)
			pass = !strcmp(format_endpoint(&a, port, buf,
						       sizeof(buf)), c->out);
		if (pass && e != PARSE_OK)
			pass = port == 4242;	/* untouched on error */
		ok(pass, "endpoint '%s' (%s port) -> %s", c->in,
		   c->need_port ? "need" : "optional", parse_strerror(c->err));
	}
}

static void test_format(void)
{
	struct svc_key k = { .protocol = IPPROTO_UDP, .port = 53 };
	char buf[SERVICE_STRLEN];

	parse_endpoint("[2001:db8::1]:53", &k.addr, &k.port, true);
	ok(!strcmp(format_service(&k, buf, sizeof(buf)),
		   "UDP [2001:db8::1]:53"), "format_service UDP v6");
	k.protocol = IPPROTO_TCP;
	parse_endpoint("10.0.0.1:80", &k.addr, &k.port, true);
	ok(!strcmp(format_service(&k, buf, sizeof(buf)), "TCP 10.0.0.1:80"),
	   "format_service TCP v4");
	k.fwmark = 7;
	ok(!strcmp(format_service(&k, buf, sizeof(buf)), "FWM 7"),
	   "format_service fwmark");
	k.addr.family = AF_INET6;
	ok(!strcmp(format_service(&k, buf, sizeof(buf)), "FWM 7 IPv6") &&
	   svc_family(&k) == AF_INET6, "format_service IPv6 fwmark");
	k.addr.family = 0;
	ok(svc_family(&k) == AF_INET,
	   "a fwmark key without a family is IPv4");
	k.fwmark = UINT32_MAX;
	k.addr.family = AF_INET6;
	ok(strlen(format_service(&k, buf, sizeof(buf))) ==
	   strlen("FWM 4294967295 IPv6"), "the longest fwmark name fits");
	ok(!strcmp(fwd_name(DSR_FWD_DR), "Route") &&
	   !strcmp(fwd_name(DSR_FWD_TUN), "Tunnel"), "forward names");
	parse_endpoint("[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535",
		       &k.addr, &k.port, true);
	ok(strlen(format_endpoint(&k.addr, k.port, buf, ENDPOINT_STRLEN)) ==
	   strlen("[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535"),
	   "the longest endpoint fits ENDPOINT_STRLEN");
}

static void test_tunnel(void)
{
	char buf[PREFIX4_STRLEN];
	struct in_addr a = { 0 };
	uint8_t t = 0, plen = 0;

	ok(parse_tun_type("ipip", &t) == 0 && t == DSR_TUN_IPIP &&
	   parse_tun_type("gue", &t) == 0 && t == DSR_TUN_GUE &&
	   parse_tun_type("gre", &t) == 0 && t == DSR_TUN_GRE,
	   "tunnel types ipip, gue, gre");
	t = 42;
	ok(parse_tun_type("GUE", &t) < 0 && parse_tun_type("", &t) < 0 &&
	   parse_tun_type("vxlan", &t) < 0 && t == 42,
	   "tunnel type: exact lower-case names only, untouched on error");
	ok(!strcmp(tun_name(DSR_TUN_IPIP), "ipip") &&
	   !strcmp(tun_name(DSR_TUN_GUE), "gue") &&
	   !strcmp(tun_name(DSR_TUN_GRE), "gre") &&
	   !tun_name(DSR_TUN_UNSPEC) && !tun_name(DSR_TUN_MAX + 1),
	   "tunnel names; none for unknown types");

	ok(parse_prefix4("192.0.2.1", &a, &plen) == 0 && plen == 32 &&
	   !strcmp(format_prefix4(a, plen, buf, sizeof(buf)), "192.0.2.1"),
	   "prefix: address alone is /32, printed without it");
	ok(parse_prefix4("198.51.100.0/28", &a, &plen) == 0 && plen == 28 &&
	   !strcmp(format_prefix4(a, plen, buf, sizeof(buf)),
		   "198.51.100.0/28"), "prefix: /28");
	ok(parse_prefix4("0.0.0.0", &a, &plen) == 0 && a.s_addr == 0 &&
	   plen == 32, "prefix: 0.0.0.0");
	ok(parse_prefix4("255.255.255.255/1", &a, &plen) == 0 && plen == 1 &&
	   strlen(format_prefix4(a, 31, buf, sizeof(buf))) ==
	   strlen("255.255.255.255/31"), "prefix: the longest fits");
	plen = 7;
	ok(parse_prefix4("192.0.2.1/0", &a, &plen) < 0 &&
	   parse_prefix4("192.0.2.1/33", &a, &plen) < 0 &&
	   parse_prefix4("192.0.2.1/", &a, &plen) < 0 &&
	   parse_prefix4("192.0.2.1/24/1", &a, &plen) < 0 &&
	   parse_prefix4("/24", &a, &plen) < 0 &&
	   parse_prefix4("2001:db8::1", &a, &plen) < 0 &&
	   parse_prefix4("192.0.2", &a, &plen) < 0 && plen == 7,
	   "prefix: bad lengths and addresses refused, untouched");
}

static void test_sched_flags(void)
{
	uint32_t f = 0xdead;
	char bad[32], buf[64];

	ok(parse_sched_flags("sh-fallback,sh-port", "sh", &f, bad,
			     sizeof(bad)) == SFLAG_OK &&
	   f == (DSR_SERVICE_F_HASH_FALLBACK | DSR_SERVICE_F_HASH_PORT) &&
	   !bad[0], "-b sh-fallback,sh-port with sh: both hash flags");
	ok(parse_sched_flags("mh-port", "mh", &f, bad, sizeof(bad)) ==
	   SFLAG_OK && f == DSR_SERVICE_F_HASH_PORT, "-b mh-port with mh");
	ok(parse_sched_flags("mh-fallback", "mh", &f, bad, sizeof(bad)) ==
	   SFLAG_OK && f == DSR_SERVICE_F_HASH_FALLBACK,
	   "-b mh-fallback with mh");
	ok(parse_sched_flags("sh-port,mh-port", NULL, &f, bad, sizeof(bad)) ==
	   SFLAG_OK, "names alone: any of the four");
	f = 7;
	ok(parse_sched_flags("sh-port", "mh", &f, bad, sizeof(bad)) ==
	   SFLAG_SCHED && !strcmp(bad, "sh-port") && f == 7,
	   "-b sh-port with mh: wrong scheduler, named, flags untouched");
	ok(parse_sched_flags("mh-fallback,mh-port", "sh", &f, bad,
			     sizeof(bad)) == SFLAG_SCHED &&
	   !strcmp(bad, "mh-fallback"), "-b mh-* with sh: the first named");
	ok(parse_sched_flags("sh-port", "rr", &f, bad, sizeof(bad)) ==
	   SFLAG_SCHED, "-b sh-port with rr: wrong scheduler");
	ok(parse_sched_flags("sh-port,bogus", "sh", &f, bad, sizeof(bad)) ==
	   SFLAG_UNKNOWN && !strcmp(bad, "bogus"), "unknown name, named");
	ok(parse_sched_flags("flag-1", NULL, &f, bad, sizeof(bad)) ==
	   SFLAG_UNKNOWN, "ipvsadm's flag-1 is not dsr's");
	ok(parse_sched_flags("", NULL, &f, bad, sizeof(bad)) == SFLAG_UNKNOWN &&
	   !strcmp(bad, ""), "empty list refused");
	ok(parse_sched_flags("sh-port,", NULL, &f, bad, sizeof(bad)) ==
	   SFLAG_UNKNOWN, "trailing comma refused");
	ok(parse_sched_flags("SH-PORT", NULL, &f, bad, sizeof(bad)) ==
	   SFLAG_UNKNOWN, "names are lower case");
	ok(parse_sched_flags("sh-portsh-portsh-portsh-portsh-port", NULL, &f,
			     bad, sizeof(bad)) == SFLAG_UNKNOWN,
	   "an overlong name refused");

	ok(format_sched_flags("sh", DSR_SERVICE_F_ALL, buf, sizeof(buf)) ==
	   (DSR_SERVICE_F_HASH_FALLBACK | DSR_SERVICE_F_HASH_PORT) &&
	   !strcmp(buf, "sh-fallback,sh-port"),
	   "format: sh names, stateless not among them");
	ok(format_sched_flags("mh", DSR_SERVICE_F_HASH_PORT, buf,
			      sizeof(buf)) == DSR_SERVICE_F_HASH_PORT &&
	   !strcmp(buf, "mh-port"), "format: mh-port");
	ok(format_sched_flags("wrr", DSR_SERVICE_F_HASH_PORT, buf,
			      sizeof(buf)) == 0 && !buf[0],
	   "format: no names for wrr");
	ok(!strcmp(sched_flag_sched("mh-port"), "mh") &&
	   !sched_flag_sched("x"), "the scheduler of a name");
}

static void test_timeouts(void)
{
	uint32_t t[TMO_COUNT] = { 1, 2, 3, 4, 5 };
	char bad[32];

	ok(parse_timeout_list("syn=30,rst=5", t, bad, sizeof(bad)) ==
	   TMO_OK && t[TMO_TCP] == 1 && t[TMO_TCPFIN] == 2 &&
	   t[TMO_UDP] == 3 && t[TMO_SYN] == 30 && t[TMO_RST] == 5,
	   "--set-timeouts syn=30,rst=5: those two, the others kept");
	ok(parse_timeout_list("tcp=900,tcpfin=120,udp=300", t, bad,
			      sizeof(bad)) == TMO_OK && t[TMO_TCP] == 900 &&
	   t[TMO_TCPFIN] == 120 && t[TMO_UDP] == 300,
	   "--set-timeouts: ipvsadm's three by name");
	ok(parse_timeout_list("udp=2678400", t, bad, sizeof(bad)) == TMO_OK &&
	   t[TMO_UDP] == TIMEOUT_MAX, "31 days is the most");
	ok(parse_timeout_list("udp=2678401", t, bad, sizeof(bad)) ==
	   TMO_BAD_VALUE && !strcmp(bad, "udp=2678401") &&
	   t[TMO_UDP] == TIMEOUT_MAX, "beyond 31 days refused, untouched");
	ok(parse_timeout_list("syn=1,rst=0", t, bad, sizeof(bad)) ==
	   TMO_BAD_VALUE && !strcmp(bad, "rst=0") && t[TMO_SYN] == 30,
	   "0 refused; nothing set when one item is bad");
	ok(parse_timeout_list("fin=10", t, bad, sizeof(bad)) ==
	   TMO_BAD_NAME && !strcmp(bad, "fin"), "unknown name, named");
	ok(parse_timeout_list("tcp=1,tcp=2", t, bad, sizeof(bad)) ==
	   TMO_TWICE && !strcmp(bad, "tcp"), "a name given twice");
	ok(parse_timeout_list("tcp", t, bad, sizeof(bad)) == TMO_SYNTAX &&
	   !strcmp(bad, "tcp"), "NAME without =SECONDS");
	ok(parse_timeout_list("tcp=1,", t, bad, sizeof(bad)) == TMO_SYNTAX,
	   "trailing comma");
	ok(parse_timeout_list("", t, bad, sizeof(bad)) == TMO_SYNTAX,
	   "empty");
	ok(parse_timeout_list("tcp=x", t, bad, sizeof(bad)) ==
	   TMO_BAD_VALUE, "not a number");
	ok(!strcmp(timeout_name(TMO_TCPFIN), "tcpfin") &&
	   !strcmp(timeout_name(TMO_RST), "rst") &&
	   timeout_attr(TMO_RST) == DSR_A_INFO_TIMEOUT_TCP_CLOSE &&
	   timeout_attr(TMO_SYN) == DSR_A_INFO_TIMEOUT_TCP_SYN,
	   "names and attributes: rst is TCP_CLOSE, syn is TCP_SYN");
}

int main(void)
{
	test_u32();
	test_endpoints();
	test_format();
	test_tunnel();
	test_sched_flags();
	test_timeouts();
	return tap_done();
}
