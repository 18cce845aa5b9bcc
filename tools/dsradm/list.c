// SPDX-License-Identifier: GPL-2.0
/*
 * dsradm - read the tables from the kernel: -L, -S.
 *
 * INFO_GET for the title line, SERVICE_GET (dump, or do for -t/-u/-f),
 * then DEST_GET dumped per service. Replies are checked attribute by
 * attribute: lengths are never trusted, unknown attributes are skipped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>

#include "dsradm.h"
#include "nl.h"
#include "parse.h"
#include "print.h"

enum rule_kind {
	R_NONE,
	R_FIXED,	/* payload of exactly .len bytes */
	R_STRING,	/* NUL-terminated, at most .len bytes with the NUL */
	R_NEST,
};

struct rule {
	uint8_t kind;
	uint16_t len;
};

#define FIXED(n)	{ R_FIXED, (n) }
#define STRING(n)	{ R_STRING, (n) }
#define NEST		{ R_NEST, 0 }

static const struct rule top_rules[DSR_A_MAX + 1] = {
	[DSR_A_SERVICE]			= NEST,
	[DSR_A_DEST]			= NEST,
	[DSR_A_INFO]			= NEST,
};

static const struct rule svc_rules[DSR_A_SERVICE_MAX + 1] = {
	[DSR_A_SERVICE_PROTOCOL]	= FIXED(1),
	[DSR_A_SERVICE_ADDR4]		= FIXED(4),
	[DSR_A_SERVICE_ADDR6]		= FIXED(16),
	[DSR_A_SERVICE_PORT]		= FIXED(2),
	[DSR_A_SERVICE_FWMARK]		= FIXED(4),
	[DSR_A_SERVICE_SCHED_NAME]	= STRING(DSR_SCHED_NAME_MAX),
	[DSR_A_SERVICE_FLAGS]		= FIXED(4),
	[DSR_A_SERVICE_TIMEOUT]		= FIXED(4),
	[DSR_A_SERVICE_DEST_COUNT]	= FIXED(4),
	[DSR_A_SERVICE_STATS]		= NEST,
	[DSR_A_SERVICE_TUN_SRC4]	= FIXED(4),
	[DSR_A_SERVICE_TUN_SRC_PLEN]	= FIXED(1),
	[DSR_A_SERVICE_SCHED_TABLE]	= FIXED(4),
	[DSR_A_SERVICE_SCHED_DIGEST]	= FIXED(8),
	[DSR_A_SERVICE_NETMASK]		= FIXED(4),
	[DSR_A_SERVICE_PE_NAME]		= STRING(DSR_PE_NAME_MAX),
	[DSR_A_SERVICE_FAMILY]		= FIXED(1),
	[DSR_A_SERVICE_PREFIX_LEN6]	= FIXED(1),
};

static const struct rule dest_rules[DSR_A_DEST_MAX + 1] = {
	[DSR_A_DEST_ADDR4]		= FIXED(4),
	[DSR_A_DEST_ADDR6]		= FIXED(16),
	[DSR_A_DEST_PORT]		= FIXED(2),
	[DSR_A_DEST_FWD_METHOD]		= FIXED(1),
	[DSR_A_DEST_WEIGHT]		= FIXED(4),
	[DSR_A_DEST_ACTIVE_FLOWS]	= FIXED(4),
	[DSR_A_DEST_INACTIVE_FLOWS]	= FIXED(4),
	[DSR_A_DEST_STATS]		= NEST,
	[DSR_A_DEST_TUN_TYPE]		= FIXED(1),
	[DSR_A_DEST_TUN_PORT]		= FIXED(2),
	[DSR_A_DEST_TUN_FLAGS]		= FIXED(4),
	[DSR_A_DEST_TUN_PMTU]		= FIXED(4),
	[DSR_A_DEST_U_THRESHOLD]	= FIXED(4),
	[DSR_A_DEST_L_THRESHOLD]	= FIXED(4),
	[DSR_A_DEST_PERSIST_FLOWS]	= FIXED(4),
};

static const struct rule stats_rules[DSR_A_STATS_MAX + 1] = {
	[DSR_A_STATS_CONNS]		= FIXED(8),
	[DSR_A_STATS_PACKETS]		= FIXED(8),
	[DSR_A_STATS_BYTES]		= FIXED(8),
};

static const struct rule info_rules[DSR_A_INFO_MAX + 1] = {
	[DSR_A_INFO_VERSION]		= STRING(0),
	[DSR_A_INFO_FLOW_MAX]		= FIXED(4),
	[DSR_A_INFO_FLOW_COUNT]		= FIXED(4),
	[DSR_A_INFO_ICMP_FORWARDED]	= FIXED(8),
	[DSR_A_INFO_ICMP_TUN_PMTU]	= FIXED(8),
	[DSR_A_INFO_TIMEOUT_TCP]	= FIXED(4),
	[DSR_A_INFO_TIMEOUT_TCP_FIN]	= FIXED(4),
	[DSR_A_INFO_TIMEOUT_UDP]	= FIXED(4),
	[DSR_A_INFO_TIMEOUT_TCP_SYN]	= FIXED(4),
	[DSR_A_INFO_TIMEOUT_TCP_CLOSE]	= FIXED(4),
	[DSR_A_INFO_FLOW_MAX_HOST]	= FIXED(4),
	[DSR_A_INFO_FLOW_INSERTS]	= FIXED(8),
	[DSR_A_INFO_FLOW_EVICTIONS]	= FIXED(8),
	[DSR_A_INFO_FLOW_EXPIRIES]	= FIXED(8),
	[DSR_A_INFO_FLOW_UNTRACKED]	= FIXED(8),
	[DSR_A_INFO_FLOW_MIDSTREAM]	= FIXED(8),
	[DSR_A_INFO_HOOK]		= FIXED(1),
	[DSR_A_INFO_SERVICE_COUNT]	= FIXED(4),
	[DSR_A_INFO_SERVICE_MAX]	= FIXED(4),
	[DSR_A_INFO_DEST_MAX]		= FIXED(4),
	[DSR_A_INFO_DROPS]		= NEST,
};

static const struct rule drop_rules[DSR_DROP_MAX + 1] = {
	[DSR_DROP_NO_DEST]		= FIXED(8),
	[DSR_DROP_NO_ROUTE]		= FIXED(8),
	[DSR_DROP_TOO_BIG]		= FIXED(8),
	[DSR_DROP_NO_MEM]		= FIXED(8),
	[DSR_DROP_BAD_HEADER]		= FIXED(8),
	[DSR_DROP_TTL]			= FIXED(8),
};

static bool attr_ok(const struct nlattr *attr, const struct rule *r)
{
	uint16_t len = mnl_attr_get_payload_len(attr);
	const char *p = mnl_attr_get_payload(attr);

	switch (r->kind) {
	case R_FIXED:
		return len == r->len;
	case R_STRING:
		return len > 0 && p[len - 1] == '\0' && (!r->len || len <= r->len);
	case R_NEST:
		return true;
	}
	return false;
}

/* Fill tb[] from a run of attributes; -EBADMSG if a known one is bad. */
static int parse_attrs(const void *payload, size_t len,
		       const struct rule *rules, unsigned int max,
		       const struct nlattr **tb)
{
	const struct nlattr *attr;
	uint16_t type;

	memset(tb, 0, (max + 1) * sizeof(*tb));
	mnl_attr_for_each_payload(payload, len) {
		type = mnl_attr_get_type(attr);
		if (type > max || rules[type].kind == R_NONE)
			continue;	/* newer kernel: skip */
		if (!attr_ok(attr, &rules[type]))
			return -EBADMSG;
		tb[type] = attr;
	}
	return 0;
}

static int parse_nest(const struct nlattr *nest, const struct rule *rules,
		      unsigned int max, const struct nlattr **tb)
{
	return parse_attrs(mnl_attr_get_payload(nest),
			   mnl_attr_get_payload_len(nest), rules, max, tb);
}

static int parse_msg(const struct nlmsghdr *nlh, const struct nlattr **tb)
{
	return parse_attrs(mnl_nlmsg_get_payload_offset(nlh, GENL_HDRLEN),
			   mnl_nlmsg_get_payload_len(nlh) - GENL_HDRLEN,
			   top_rules, DSR_A_MAX, tb);
}

static int bad_reply(void)
{
	errno = EBADMSG;
	return MNL_CB_ERROR;
}

static int parse_stats(const struct nlattr *nest, struct stats *st)
{
	const struct nlattr *tb[DSR_A_STATS_MAX + 1];

	if (!nest)
		return 0;
	if (parse_nest(nest, stats_rules, DSR_A_STATS_MAX, tb))
		return -EBADMSG;
	if (tb[DSR_A_STATS_CONNS])
		st->conns = mnl_attr_get_u64(tb[DSR_A_STATS_CONNS]);
	if (tb[DSR_A_STATS_PACKETS])
		st->packets = mnl_attr_get_u64(tb[DSR_A_STATS_PACKETS]);
	if (tb[DSR_A_STATS_BYTES])
		st->bytes = mnl_attr_get_u64(tb[DSR_A_STATS_BYTES]);
	return 0;
}

/* Exactly one of the two address attributes. */
static int get_addr(const struct nlattr *a4, const struct nlattr *a6,
		    struct ipaddr *addr)
{
	if (!!a4 == !!a6)
		return -EBADMSG;
	if (a4) {
		addr->family = AF_INET;
		memcpy(&addr->v4, mnl_attr_get_payload(a4), sizeof(addr->v4));
	} else {
		addr->family = AF_INET6;
		memcpy(&addr->v6, mnl_attr_get_payload(a6), sizeof(addr->v6));
	}
	return 0;
}

static uint16_t get_be16(const struct nlattr *attr)
{
	return ntohs(mnl_attr_get_u16(attr));
}

/* DSR_A_SERVICE_FAMILY, where given: AF_INET or AF_INET6. */
static int get_family(const struct nlattr *attr, int *family)
{
	if (!attr)
		return 0;
	*family = mnl_attr_get_u8(attr);
	return *family == AF_INET || *family == AF_INET6 ? 0 : -EBADMSG;
}

static int parse_service(const struct nlattr *nest, struct svc *svc)
{
	const struct nlattr *tb[DSR_A_SERVICE_MAX + 1];
	int family = AF_INET;

	memset(svc, 0, sizeof(*svc));
	if (parse_nest(nest, svc_rules, DSR_A_SERVICE_MAX, tb) ||
	    get_family(tb[DSR_A_SERVICE_FAMILY], &family))
		return -EBADMSG;
	if (tb[DSR_A_SERVICE_FWMARK]) {
		svc->key.fwmark = mnl_attr_get_u32(tb[DSR_A_SERVICE_FWMARK]);
		if (!svc->key.fwmark)
			return -EBADMSG;
		svc->key.addr.family = family;
	} else {
		if (!tb[DSR_A_SERVICE_PROTOCOL] || !tb[DSR_A_SERVICE_PORT] ||
		    get_addr(tb[DSR_A_SERVICE_ADDR4], tb[DSR_A_SERVICE_ADDR6],
			     &svc->key.addr))
			return -EBADMSG;
		/* A family beside an address must be the address's. */
		if (tb[DSR_A_SERVICE_FAMILY] && family != svc->key.addr.family)
			return -EBADMSG;
		svc->key.protocol =
			mnl_attr_get_u8(tb[DSR_A_SERVICE_PROTOCOL]);
		svc->key.port = get_be16(tb[DSR_A_SERVICE_PORT]);
	}
	if (tb[DSR_A_SERVICE_SCHED_NAME])
		snprintf(svc->sched, sizeof(svc->sched), "%s",
			 mnl_attr_get_str(tb[DSR_A_SERVICE_SCHED_NAME]));
	if (tb[DSR_A_SERVICE_FLAGS])
		svc->flags = mnl_attr_get_u32(tb[DSR_A_SERVICE_FLAGS]);
	if (tb[DSR_A_SERVICE_TIMEOUT])
		svc->timeout = mnl_attr_get_u32(tb[DSR_A_SERVICE_TIMEOUT]);
	svc->netmask.s_addr = htonl(0xffffffff);
	if (tb[DSR_A_SERVICE_NETMASK])
		memcpy(&svc->netmask,
		       mnl_attr_get_payload(tb[DSR_A_SERVICE_NETMASK]),
		       sizeof(svc->netmask));
	svc->prefix_len6 = 128;
	if (tb[DSR_A_SERVICE_PREFIX_LEN6]) {
		svc->prefix_len6 =
			mnl_attr_get_u8(tb[DSR_A_SERVICE_PREFIX_LEN6]);
		if (svc->prefix_len6 < 1 || svc->prefix_len6 > 128)
			return -EBADMSG;
	}
	if (tb[DSR_A_SERVICE_PE_NAME])
		snprintf(svc->pe, sizeof(svc->pe), "%s",
			 mnl_attr_get_str(tb[DSR_A_SERVICE_PE_NAME]));
	if (tb[DSR_A_SERVICE_DEST_COUNT])
		svc->dest_count =
			mnl_attr_get_u32(tb[DSR_A_SERVICE_DEST_COUNT]);
	if (tb[DSR_A_SERVICE_SCHED_TABLE])
		svc->sched_table =
			mnl_attr_get_u32(tb[DSR_A_SERVICE_SCHED_TABLE]);
	if (tb[DSR_A_SERVICE_SCHED_DIGEST])
		svc->digest = mnl_attr_get_u64(tb[DSR_A_SERVICE_SCHED_DIGEST]);
	svc->tun_src_plen = 32;
	if (tb[DSR_A_SERVICE_TUN_SRC4])
		memcpy(&svc->tun_src,
		       mnl_attr_get_payload(tb[DSR_A_SERVICE_TUN_SRC4]),
		       sizeof(svc->tun_src));
	if (tb[DSR_A_SERVICE_TUN_SRC_PLEN]) {
		svc->tun_src_plen =
			mnl_attr_get_u8(tb[DSR_A_SERVICE_TUN_SRC_PLEN]);
		if (svc->tun_src_plen < 1 || svc->tun_src_plen > 32)
			return -EBADMSG;
	}
	return parse_stats(tb[DSR_A_SERVICE_STATS], &svc->stats);
}

static int parse_dest(const struct nlattr *nest, struct dest *d)
{
	const struct nlattr *tb[DSR_A_DEST_MAX + 1];

	memset(d, 0, sizeof(*d));
	if (parse_nest(nest, dest_rules, DSR_A_DEST_MAX, tb) ||
	    get_addr(tb[DSR_A_DEST_ADDR4], tb[DSR_A_DEST_ADDR6], &d->addr))
		return -EBADMSG;
	if (tb[DSR_A_DEST_PORT])
		d->port = get_be16(tb[DSR_A_DEST_PORT]);
	if (tb[DSR_A_DEST_FWD_METHOD])
		d->fwd = mnl_attr_get_u8(tb[DSR_A_DEST_FWD_METHOD]);
	if (tb[DSR_A_DEST_WEIGHT])
		d->weight = mnl_attr_get_u32(tb[DSR_A_DEST_WEIGHT]);
	if (tb[DSR_A_DEST_ACTIVE_FLOWS])
		d->active = mnl_attr_get_u32(tb[DSR_A_DEST_ACTIVE_FLOWS]);
	if (tb[DSR_A_DEST_INACTIVE_FLOWS])
		d->inactive = mnl_attr_get_u32(tb[DSR_A_DEST_INACTIVE_FLOWS]);
	if (d->fwd == DSR_FWD_TUN)
		d->tun_type = DSR_TUN_IPIP;	/* the uapi's default */
	if (tb[DSR_A_DEST_TUN_TYPE])
		d->tun_type = mnl_attr_get_u8(tb[DSR_A_DEST_TUN_TYPE]);
	if (tb[DSR_A_DEST_TUN_PORT])
		d->tun_port = get_be16(tb[DSR_A_DEST_TUN_PORT]);
	if (tb[DSR_A_DEST_TUN_FLAGS])
		d->tun_flags = mnl_attr_get_u32(tb[DSR_A_DEST_TUN_FLAGS]);
	if (tb[DSR_A_DEST_TUN_PMTU])
		d->tun_pmtu = mnl_attr_get_u32(tb[DSR_A_DEST_TUN_PMTU]);
	if (tb[DSR_A_DEST_U_THRESHOLD])
		d->u_threshold = mnl_attr_get_u32(tb[DSR_A_DEST_U_THRESHOLD]);
	if (tb[DSR_A_DEST_L_THRESHOLD])
		d->l_threshold = mnl_attr_get_u32(tb[DSR_A_DEST_L_THRESHOLD]);
	if (tb[DSR_A_DEST_PERSIST_FLOWS])
		d->persist = mnl_attr_get_u32(tb[DSR_A_DEST_PERSIST_FLOWS]);
	return parse_stats(tb[DSR_A_DEST_STATS], &d->stats);
}

/* INFO_GET */

static uint32_t info_u32(const struct nlattr **it, uint16_t type)
{
	return it[type] ? mnl_attr_get_u32(it[type]) : 0;
}

static uint64_t info_u64(const struct nlattr **it, uint16_t type)
{
	return it[type] ? mnl_attr_get_u64(it[type]) : 0;
}

static int info_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[DSR_A_MAX + 1];
	const struct nlattr *it[DSR_A_INFO_MAX + 1];
	const struct nlattr *dt[DSR_DROP_MAX + 1];
	struct info *info = data;
	unsigned int i;

	if (parse_msg(nlh, tb) || !tb[DSR_A_INFO] ||
	    parse_nest(tb[DSR_A_INFO], info_rules, DSR_A_INFO_MAX, it))
		return bad_reply();
	if (it[DSR_A_INFO_DROPS]) {
		if (parse_nest(it[DSR_A_INFO_DROPS], drop_rules, DSR_DROP_MAX,
			       dt))
			return bad_reply();
		for (i = DSR_DROP_NO_DEST; i <= DSR_DROP_MAX; i++)
			if (dt[i])
				info->drops[i] = mnl_attr_get_u64(dt[i]);
	}
	if (it[DSR_A_INFO_VERSION])
		snprintf(info->version, sizeof(info->version), "%s",
			 mnl_attr_get_str(it[DSR_A_INFO_VERSION]));
	if (it[DSR_A_INFO_FLOW_COUNT])
		info->flow_count = mnl_attr_get_u32(it[DSR_A_INFO_FLOW_COUNT]);
	if (it[DSR_A_INFO_FLOW_MAX])
		info->flow_max = mnl_attr_get_u32(it[DSR_A_INFO_FLOW_MAX]);
	if (it[DSR_A_INFO_ICMP_FORWARDED])
		info->icmp_forwarded =
			mnl_attr_get_u64(it[DSR_A_INFO_ICMP_FORWARDED]);
	if (it[DSR_A_INFO_ICMP_TUN_PMTU])
		info->icmp_tun_pmtu =
			mnl_attr_get_u64(it[DSR_A_INFO_ICMP_TUN_PMTU]);
	info->flow_max_host = info_u32(it, DSR_A_INFO_FLOW_MAX_HOST);
	info->flow_inserts = info_u64(it, DSR_A_INFO_FLOW_INSERTS);
	info->flow_evictions = info_u64(it, DSR_A_INFO_FLOW_EVICTIONS);
	info->flow_expiries = info_u64(it, DSR_A_INFO_FLOW_EXPIRIES);
	info->flow_untracked = info_u64(it, DSR_A_INFO_FLOW_UNTRACKED);
	info->flow_midstream = info_u64(it, DSR_A_INFO_FLOW_MIDSTREAM);
	if (it[DSR_A_INFO_HOOK])
		info->hook = mnl_attr_get_u8(it[DSR_A_INFO_HOOK]);
	info->service_count = info_u32(it, DSR_A_INFO_SERVICE_COUNT);
	info->service_max = info_u32(it, DSR_A_INFO_SERVICE_MAX);
	info->dest_max = info_u32(it, DSR_A_INFO_DEST_MAX);
	for (i = 0; i < TMO_COUNT; i++)
		info->timeout[i] = info_u32(it, timeout_attr(i));
	return MNL_CB_OK;
}

/* INFO_GET into @info: 0 or -errno, nothing reported. */
int fetch_info(struct nl *nl, struct info *info)
{
	struct nlmsghdr *nlh = nl_request(nl, DSR_CMD_INFO_GET, 0);

	memset(info, 0, sizeof(*info));
	return nl_do(nl, nlh, info_cb, info);
}

/* SERVICE_GET */

static int service_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[DSR_A_MAX + 1];
	struct listing *l = data;
	struct svc svc, *n;

	if (parse_msg(nlh, tb) || !tb[DSR_A_SERVICE] ||
	    parse_service(tb[DSR_A_SERVICE], &svc))
		return bad_reply();
	n = realloc(l->svcs, (l->nsvcs + 1) * sizeof(*n));
	if (!n) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	l->svcs = n;
	l->svcs[l->nsvcs++] = svc;
	return MNL_CB_OK;
}

static void service_reset(void *data)
{
	struct listing *l = data;
	struct info info = l->info;

	listing_free(l);
	l->info = info;
}

/* DEST_GET */

static int dest_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[DSR_A_MAX + 1];
	struct svc *svc = data;
	struct dest d, *n;

	if (parse_msg(nlh, tb) || !tb[DSR_A_DEST] ||
	    parse_dest(tb[DSR_A_DEST], &d))
		return bad_reply();
	n = realloc(svc->dests, (svc->ndests + 1) * sizeof(*n));
	if (!n) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	svc->dests = n;
	svc->dests[svc->ndests++] = d;
	return MNL_CB_OK;
}

static void dest_reset(void *data)
{
	struct svc *svc = data;

	free(svc->dests);
	svc->dests = NULL;
	svc->ndests = 0;
}

/*
 * A service or real-server message (a notification, or a GET reply): its
 * service into @svc, without real servers, and its real server, when it
 * names one, into @d with *@has_dest set. 0 or -EBADMSG.
 */
int parse_object_msg(const struct nlmsghdr *nlh, struct svc *svc,
		     struct dest *d, bool *has_dest)
{
	const struct nlattr *tb[DSR_A_MAX + 1];

	*has_dest = false;
	if (parse_msg(nlh, tb) || !tb[DSR_A_SERVICE] ||
	    parse_service(tb[DSR_A_SERVICE], svc))
		return -EBADMSG;
	if (tb[DSR_A_DEST]) {
		if (parse_dest(tb[DSR_A_DEST], d))
			return -EBADMSG;
		*has_dest = true;
	}
	return 0;
}

/* SERVICE_GET of one service, without its real servers: 0 or -errno. */
int fetch_service(struct nl *nl, const struct svc_key *key, struct svc *svc)
{
	struct listing l = { 0 };
	struct nlmsghdr *nlh;
	int ret;

	nlh = nl_request(nl, DSR_CMD_SERVICE_GET, 0);
	put_service_key(nlh, key);
	ret = nl_do(nl, nlh, service_cb, &l);
	if (!ret && l.nsvcs != 1)
		ret = -EBADMSG;
	if (!ret)
		*svc = l.svcs[0];
	listing_free(&l);
	return ret;
}

static void warn_inconsistent(void)
{
	warnf("the tables kept changing while being read; the listing may be inconsistent");
}

/*
 * Read the tables (one service when @only is set) into @l. Returns an exit
 * code; on failure the error has been reported and @l is empty.
 */
int fetch_listing(struct nl *nl, const struct svc_key *only,
		  struct listing *l)
{
	char name[SERVICE_STRLEN];
	struct nlmsghdr *nlh;
	size_t i;
	int ret;

	memset(l, 0, sizeof(*l));

	ret = fetch_info(nl, &l->info);
	if (ret)
		return kernel_error(nl, ret, "reading the module information");

	if (only) {
		nlh = nl_request(nl, DSR_CMD_SERVICE_GET, 0);
		put_service_key(nlh, only);
		ret = nl_do(nl, nlh, service_cb, l);
		if (!ret && l->nsvcs != 1)
			ret = -EBADMSG;
		if (ret) {
			listing_free(l);
			return kernel_error(nl, ret, "listing service %s",
					    format_service(only, name,
							   sizeof(name)));
		}
	} else {
		nlh = nl_request(nl, DSR_CMD_SERVICE_GET, 0);
		ret = nl_dump(nl, nlh, service_cb, l, service_reset);
		if (ret < 0) {
			listing_free(l);
			return kernel_error(nl, ret, "listing services");
		}
		if (ret == NL_DUMP_INCONSISTENT)
			warn_inconsistent();
	}

	for (i = 0; i < l->nsvcs; ) {
		struct svc *svc = &l->svcs[i];

		nlh = nl_request(nl, DSR_CMD_DEST_GET, 0);
		put_service_key(nlh, &svc->key);
		ret = nl_dump(nl, nlh, dest_cb, svc, dest_reset);
		if ((ret == -ESRCH || ret == -ENOENT) && !only) {
			/* Deleted since the service dump: drop it. */
			dest_reset(svc);
			memmove(svc, svc + 1,
				(l->nsvcs - i - 1) * sizeof(*svc));
			l->nsvcs--;
			continue;
		}
		if (ret < 0) {
			kernel_error(nl, ret, "listing real servers of service %s",
				     format_service(&svc->key, name,
						    sizeof(name)));
			listing_free(l);
			return EXIT_KERNEL;
		}
		if (ret == NL_DUMP_INCONSISTENT)
			warn_inconsistent();
		i++;
	}
	listing_sort(l);
	return EXIT_OK;
}

/*
 * --rate: the kernel keeps counters, not estimates, so dsradm reads them
 * twice, RATE_INTERVAL_MS apart, and divides.
 */
#define RATE_INTERVAL_MS	1000

static uint64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void pause_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

uint64_t (*dsradm_clock_ms)(void) = monotonic_ms;
void (*dsradm_pause_ms)(unsigned int ms) = pause_ms;

static uint64_t per_second(uint64_t now, uint64_t then, uint64_t ms)
{
	/* Zeroed in between (-Z): no rate rather than a wrapped one. */
	if (now <= then || !ms)
		return 0;
	return (uint64_t)((double)(now - then) * 1000.0 / (double)ms + 0.5);
}

static void stats_rate(struct stats *rate, const struct stats *now,
		       const struct stats *then, uint64_t ms)
{
	rate->conns = per_second(now->conns, then->conns, ms);
	rate->packets = per_second(now->packets, then->packets, ms);
	rate->bytes = per_second(now->bytes, then->bytes, ms);
}

/*
 * Rates of @now from the counters of @then, @ms earlier. What @then does
 * not have was added in between and counted from zero.
 */
static void listing_rates(struct listing *now, const struct listing *then,
			  uint64_t ms)
{
	static const struct stats zero;
	const struct svc *old;
	const struct dest *od;
	size_t i, j;

	for (i = 0; i < now->nsvcs; i++) {
		struct svc *svc = &now->svcs[i];

		old = listing_find(then, &svc->key);
		stats_rate(&svc->rate, &svc->stats, old ? &old->stats : &zero,
			   ms);
		for (j = 0; j < svc->ndests; j++) {
			struct dest *d = &svc->dests[j];

			od = old ? svc_find_dest(old, d) : NULL;
			stats_rate(&d->rate, &d->stats, od ? &od->stats : &zero,
				   ms);
		}
	}
}

/* The listing, with --rate its second reading and the rates. */
static int fetch_for_list(struct nl *nl, const struct cmd *cmd,
			  struct listing *l)
{
	const struct svc_key *only = (cmd->opts & OPT_SERVICE) ? &cmd->svc :
								 NULL;
	struct listing first;
	uint64_t t0;
	int ret;

	if (!(cmd->fmt & FMT_RATE))
		return fetch_listing(nl, only, l);
	ret = fetch_listing(nl, only, &first);
	if (ret)
		return ret;
	t0 = dsradm_clock_ms();
	dsradm_pause_ms(RATE_INTERVAL_MS);
	ret = fetch_listing(nl, only, l);
	if (!ret)
		listing_rates(l, &first, dsradm_clock_ms() - t0);
	listing_free(&first);
	return ret;
}

int do_list(struct nl *nl, const struct cmd *cmd)
{
	struct listing l;
	int ret;

	ret = fetch_for_list(nl, cmd, &l);
	if (ret)
		return ret;
	print_listing(dsradm_out, &l, cmd->fmt);
	listing_free(&l);
	return EXIT_OK;
}
