// SPDX-License-Identifier: GPL-2.0
/*
 * dsradm - parsing and formatting of numbers, addresses and endpoints.
 *
 * Only numeric forms are accepted: a.b.c.d[:port], [ipv6][:port], and a
 * bare ipv6 address where no port is needed. No DNS, no service names.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "parse.h"

/* Decimal only: no sign, no spaces, no empty string, no overflow. */
int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (!s || !*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX)
			return -ERANGE;
	}
	if (v < min || v > max)
		return -ERANGE;
	*out = (uint32_t)v;
	return 0;
}

static enum parse_err parse_port(const char *s, uint16_t *port)
{
	uint32_t v;

	if (parse_u32(s, 1, 65535, &v))
		return PARSE_BAD_PORT;
	*port = (uint16_t)v;
	return PARSE_OK;
}

static bool parse_ip(const char *s, size_t len, int family,
		     struct ipaddr *addr)
{
	char buf[INET6_ADDRSTRLEN];

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(family, buf, family == AF_INET ?
		      (void *)&addr->v4 : (void *)&addr->v6) != 1)
		return false;
	addr->family = family;
	return true;
}

/*
 * A real server's port may be 0, "none": ipvsadm -S writes the real
 * servers of a fwmark service so.
 */
static enum parse_err parse_endpoint_port(const char *s, bool need_port,
					  uint16_t *p)
{
	if (!need_port && !strcmp(s, "0")) {
		*p = 0;
		return PARSE_OK;
	}
	return parse_port(s, p);
}

enum parse_err parse_endpoint(const char *s, struct ipaddr *addr,
			      uint16_t *port, bool need_port)
{
	const char *colon, *end;
	struct ipaddr a = { 0 };
	uint16_t p = 0;

	if (!s || !*s)
		return PARSE_EMPTY;

	if (*s == '[') {
		end = strchr(s, ']');
		if (!end || !parse_ip(s + 1, (size_t)(end - s - 1), AF_INET6,
				      &a))
			return PARSE_BAD_ADDR;
		if (end[1] == ':') {
			if (parse_endpoint_port(end + 2, need_port, &p))
				return PARSE_BAD_PORT;
		} else if (end[1] != '\0') {
			return PARSE_BAD_ADDR;
		}
	} else {
		colon = strchr(s, ':');
		if (colon && strchr(colon + 1, ':')) {
			/* Bare IPv6: only valid without a port. */
			if (!parse_ip(s, strlen(s), AF_INET6, &a))
				return PARSE_BAD_ADDR;
			if (need_port)
				return PARSE_NEED_BRACKETS;
		} else {
			if (!parse_ip(s, colon ? (size_t)(colon - s) :
				      strlen(s), AF_INET, &a))
				return PARSE_BAD_ADDR;
			if (colon &&
			    parse_endpoint_port(colon + 1, need_port, &p))
				return PARSE_BAD_PORT;
		}
	}
	if (need_port && !p)
		return PARSE_NO_PORT;
	*addr = a;
	*port = p;
	return PARSE_OK;
}

const char *parse_strerror(enum parse_err err)
{
	switch (err) {
	case PARSE_OK:
		return "no error";
	case PARSE_EMPTY:
		return "empty address";
	case PARSE_BAD_ADDR:
		return "not a numeric IPv4 or [IPv6] address";
	case PARSE_NO_PORT:
		return "a port is required (address:port)";
	case PARSE_BAD_PORT:
		return "port must be a number in 1..65535";
	case PARSE_NEED_BRACKETS:
		return "write IPv6 with a port as [address]:port";
	}
	return "invalid address";
}

const char *proto_name(uint8_t protocol)
{
	switch (protocol) {
	case IPPROTO_TCP:
		return "TCP";
	case IPPROTO_UDP:
		return "UDP";
	case 0:
		return "FWM";
	}
	return "???";
}

const char *fwd_name(uint8_t fwd)
{
	switch (fwd) {
	case DSR_FWD_DR:
		return "Route";
	case DSR_FWD_TUN:
		return "Tunnel";
	}
	return "Unknown";
}

/* enum dsr_hook as --hook spells it. */
const char *hook_name(uint8_t hook)
{
	switch (hook) {
	case DSR_HOOK_PRE_ROUTING:
		return "pre-routing";
	case DSR_HOOK_LOCAL_IN:
		return "local-in";
	}
	return "unknown";
}

/* ipvsadm's names for --tun-type; NULL for a type dsradm does not know. */
const char *tun_name(uint8_t tun_type)
{
	switch (tun_type) {
	case DSR_TUN_IPIP:
		return "ipip";
	case DSR_TUN_GUE:
		return "gue";
	case DSR_TUN_GRE:
		return "gre";
	}
	return NULL;
}

int parse_tun_type(const char *s, uint8_t *tun_type)
{
	uint8_t t;

	for (t = DSR_TUN_IPIP; t <= DSR_TUN_MAX; t++) {
		if (tun_name(t) && !strcmp(s, tun_name(t))) {
			*tun_type = t;
			return 0;
		}
	}
	return -EINVAL;
}

/* a.b.c.d or a.b.c.d/len, len 1..32 (32 when not given). */
int parse_prefix4(const char *s, struct in_addr *addr, uint8_t *plen)
{
	const char *slash = strchr(s, '/');
	struct ipaddr a;
	uint32_t len = 32;

	if (!parse_ip(s, slash ? (size_t)(slash - s) : strlen(s), AF_INET,
		      &a))
		return -EINVAL;
	if (slash && parse_u32(slash + 1, 1, 32, &len))
		return -ERANGE;
	*addr = a.v4;
	*plen = (uint8_t)len;
	return 0;
}

/* The address alone for a /32, as --tun-src is usually given. */
char *format_prefix4(struct in_addr addr, uint8_t plen, char *buf,
		     size_t len)
{
	char a[INET_ADDRSTRLEN];

	if (!inet_ntop(AF_INET, &addr, a, sizeof(a)))
		snprintf(a, sizeof(a), "?");
	if (plen == 32)
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s/%u", a, plen);
	return buf;
}

char *format_addr(const struct ipaddr *addr, char *buf, size_t len)
{
	const void *src = addr->family == AF_INET6 ?
			  (const void *)&addr->v6 : (const void *)&addr->v4;

	if (!inet_ntop(addr->family == AF_INET6 ? AF_INET6 : AF_INET, src,
		       buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

char *format_endpoint(const struct ipaddr *addr, uint16_t port, char *buf,
		      size_t len)
{
	char a[INET6_ADDRSTRLEN];

	format_addr(addr, a, sizeof(a));
	if (addr->family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", a, port);
	else
		snprintf(buf, len, "%s:%u", a, port);
	return buf;
}

/*
 * "TCP 10.0.0.1:80", "UDP [2001:db8::1]:53", "FWM 7", "FWM 7 IPv6": for
 * messages.
 */
char *format_service(const struct svc_key *key, char *buf, size_t len)
{
	char ep[ENDPOINT_STRLEN];

	if (key->fwmark)
		snprintf(buf, len, "FWM %u%s", key->fwmark,
			 svc_family(key) == AF_INET6 ? " IPv6" : "");
	else
		snprintf(buf, len, "%s %s", proto_name(key->protocol),
			 format_endpoint(&key->addr, key->port, ep,
					 sizeof(ep)));
	return buf;
}

/*
 * ipvsadm's -b names. The uapi has one bit for each pair: which name is
 * right depends on the scheduler, as in ipvsadm.
 */
static const struct {
	const char *name;
	const char *sched;
	uint32_t flag;
} sched_flag_tab[] = {
	{ "sh-fallback",	"sh",	DSR_SERVICE_F_HASH_FALLBACK },
	{ "sh-port",		"sh",	DSR_SERVICE_F_HASH_PORT },
	{ "mh-fallback",	"mh",	DSR_SERVICE_F_HASH_FALLBACK },
	{ "mh-port",		"mh",	DSR_SERVICE_F_HASH_PORT },
};

/* The scheduler a -b name belongs to, NULL for an unknown name. */
const char *sched_flag_sched(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sched_flag_tab); i++)
		if (!strcmp(name, sched_flag_tab[i].name))
			return sched_flag_tab[i].sched;
	return NULL;
}

/*
 * -b: a comma-separated list of names, each only for its scheduler (@sched;
 * NULL checks the names alone). On error the name at fault is in @bad.
 */
int parse_sched_flags(const char *s, const char *sched, uint32_t *flags,
		      char *bad, size_t len)
{
	const char *p = s, *end;
	uint32_t f = 0;
	char name[32];
	size_t n, i;

	do {
		end = strchr(p, ',');
		n = end ? (size_t)(end - p) : strlen(p);
		snprintf(bad, len, "%.*s", (int)n, p);
		if (n >= sizeof(name))
			return SFLAG_UNKNOWN;
		memcpy(name, p, n);
		name[n] = '\0';
		for (i = 0; i < ARRAY_SIZE(sched_flag_tab); i++)
			if (!strcmp(name, sched_flag_tab[i].name))
				break;
		if (i == ARRAY_SIZE(sched_flag_tab))
			return SFLAG_UNKNOWN;
		if (sched && strcmp(sched, sched_flag_tab[i].sched))
			return SFLAG_SCHED;
		f |= sched_flag_tab[i].flag;
		if (end)
			p = end + 1;
	} while (end);
	if (len)
		bad[0] = '\0';
	*flags = f;
	return SFLAG_OK;
}

/*
 * "sh-fallback,sh-port": the names of @flags for @sched, "" when there are
 * none. Returns the flags named; a scheduler other than sh and mh has none.
 */
uint32_t format_sched_flags(const char *sched, uint32_t flags, char *buf,
			    size_t len)
{
	uint32_t named = 0;
	size_t i, off = 0;
	int n;

	if (len)
		buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(sched_flag_tab); i++) {
		if (strcmp(sched, sched_flag_tab[i].sched) ||
		    !(flags & sched_flag_tab[i].flag))
			continue;
		n = snprintf(buf + off, len - off, "%s%s", off ? "," : "",
			     sched_flag_tab[i].name);
		if (n < 0 || (size_t)n >= len - off)
			break;
		off += (size_t)n;
		named |= sched_flag_tab[i].flag;
	}
	return named;
}

/* --set-timeouts names, in enum timeout_idx order. */
static const char *const timeout_names[TMO_COUNT] = {
	[TMO_TCP]	= "tcp",
	[TMO_TCPFIN]	= "tcpfin",
	[TMO_UDP]	= "udp",
	[TMO_SYN]	= "syn",
	[TMO_RST]	= "rst",
};

const char *timeout_name(unsigned int idx)
{
	return idx < TMO_COUNT ? timeout_names[idx] : "?";
}

/* The DSR_A_INFO_TIMEOUT_* attribute of each, in the same order. */
static const uint16_t timeout_attrs[TMO_COUNT] = {
	[TMO_TCP]	= DSR_A_INFO_TIMEOUT_TCP,
	[TMO_TCPFIN]	= DSR_A_INFO_TIMEOUT_TCP_FIN,
	[TMO_UDP]	= DSR_A_INFO_TIMEOUT_UDP,
	[TMO_SYN]	= DSR_A_INFO_TIMEOUT_TCP_SYN,
	[TMO_RST]	= DSR_A_INFO_TIMEOUT_TCP_CLOSE,
};

uint16_t timeout_attr(unsigned int idx)
{
	return idx < TMO_COUNT ? timeout_attrs[idx] : DSR_A_INFO_UNSPEC;
}

/*
 * --set-timeouts NAME=SECONDS[,NAME=SECONDS...]: sets @timeouts[] of the
 * names given, seconds 1..TIMEOUT_MAX. On error the item at fault is in
 * @bad (the name for TMO_TWICE).
 */
enum tmo_err parse_timeout_list(const char *s, uint32_t *timeouts,
				char *bad, size_t len)
{
	uint32_t v[TMO_COUNT] = { 0 };
	const char *p = s, *end, *eq;
	char item[32];
	unsigned int i;
	size_t n;

	do {
		end = strchr(p, ',');
		n = end ? (size_t)(end - p) : strlen(p);
		snprintf(bad, len, "%.*s", (int)n, p);
		if (n >= sizeof(item))
			return TMO_SYNTAX;
		memcpy(item, p, n);
		item[n] = '\0';
		eq = strchr(item, '=');
		if (!eq)
			return TMO_SYNTAX;
		for (i = 0; i < TMO_COUNT; i++)
			if (strlen(timeout_names[i]) == (size_t)(eq - item) &&
			    !strncmp(item, timeout_names[i], (size_t)(eq - item)))
				break;
		if (i == TMO_COUNT) {
			snprintf(bad, len, "%.*s", (int)(eq - item), item);
			return TMO_BAD_NAME;
		}
		if (v[i]) {
			snprintf(bad, len, "%s", timeout_names[i]);
			return TMO_TWICE;
		}
		if (parse_u32(eq + 1, 1, TIMEOUT_MAX, &v[i]))
			return TMO_BAD_VALUE;
		if (end)
			p = end + 1;
	} while (end);
	if (len)
		bad[0] = '\0';
	for (i = 0; i < TMO_COUNT; i++)
		if (v[i])
			timeouts[i] = v[i];
	return TMO_OK;
}
