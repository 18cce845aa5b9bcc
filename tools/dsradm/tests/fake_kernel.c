// SPDX-License-Identifier: GPL-2.0
/* A fake dsr kernel behind the nl transport; see fake_kernel.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "fake_kernel.h"
#include "nl.h"
#include "parse.h"
#include "print.h"

#define FAKE_FAMILY_ID	0x1d
#define FAKE_PORTID	4242
#define Q_MAX		64
#define DGRAM_MAX	8192
#define PER_DGRAM	2		/* dump messages per datagram */

struct fake_kernel fake;

static struct {
	char buf[DGRAM_MAX] __attribute__((aligned(8)));
	size_t len;
} q[Q_MAX];
static size_t q_head, q_tail;

static const struct nlmsghdr *req;	/* request being handled */
static const char *ext_msg;		/* extack text for the reply */

void fake_reset(void)
{
	memset(&fake, 0, sizeof(fake));
	fake.flow_max = 1048576;
	fake.timeout[TMO_TCP] = 900;
	fake.timeout[TMO_TCPFIN] = 120;
	fake.timeout[TMO_UDP] = 300;
	fake.timeout[TMO_SYN] = 60;
	fake.timeout[TMO_RST] = 10;
	q_head = q_tail = 0;
}

/* Reply building. */

static struct nlmsghdr *new_msg(bool new_dgram, uint16_t type,
				uint16_t flags)
{
	struct nlmsghdr *nlh;

	if (new_dgram || q_tail == q_head) {
		if (q_tail == Q_MAX)
			abort();
		q[q_tail++].len = 0;
	}
	nlh = mnl_nlmsg_put_header(q[q_tail - 1].buf + q[q_tail - 1].len);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = req->nlmsg_seq;
	nlh->nlmsg_pid = FAKE_PORTID;
	return nlh;
}

static void end_msg(struct nlmsghdr *nlh)
{
	q[q_tail - 1].len += NLMSG_ALIGN(nlh->nlmsg_len);
	if (q[q_tail - 1].len > DGRAM_MAX - 1024)
		abort();
}

static struct nlmsghdr *new_genl(bool new_dgram, uint16_t type, uint8_t cmd,
				 uint16_t flags)
{
	struct nlmsghdr *nlh = new_msg(new_dgram, type, flags);
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	g->cmd = cmd;
	g->version = DSR_GENL_VERSION;
	return nlh;
}

static void put_ext_msg(struct nlmsghdr *nlh)
{
	if (ext_msg && !fake.no_extack) {
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, ext_msg);
	}
}

static void ack(int err)
{
	struct nlmsghdr *nlh = new_msg(true, NLMSG_ERROR, 0);
	struct nlmsgerr *e;

	if (fake.echo_request) {
		e = mnl_nlmsg_put_extra_header(nlh, sizeof(int) +
					       NLMSG_ALIGN(req->nlmsg_len));
		memcpy(&e->msg, req, req->nlmsg_len);
	} else {
		nlh->nlmsg_flags |= NLM_F_CAPPED;
		e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
		e->msg = *req;
	}
	e->error = err;
	if (err)
		put_ext_msg(nlh);
	end_msg(nlh);
}

static void done(int err, bool intr)
{
	struct nlmsghdr *nlh = new_msg(false, NLMSG_DONE, NLM_F_MULTI);
	int *p = mnl_nlmsg_put_extra_header(nlh, sizeof(int));

	*p = err;
	if (intr)
		nlh->nlmsg_flags |= NLM_F_DUMP_INTR;
	if (err)
		put_ext_msg(nlh);
	end_msg(nlh);
}

static int reject(int err, const char *msg)
{
	ext_msg = msg;
	return err;
}

/* Request parsing, as strict as the module's policies. */

struct pol {
	uint16_t min, max;	/* payload length bounds */
};

static const struct pol top_pol[DSR_A_MAX + 1] = {
	[DSR_A_SERVICE] = { 0, 0xffff },
	[DSR_A_DEST] = { 0, 0xffff },
	[DSR_A_INFO] = { 0, 0xffff },
};

/* CONFIG_SET: the writable attributes only. */
static const struct pol info_pol[DSR_A_INFO_MAX + 1] = {
	[DSR_A_INFO_FLOW_MAX] = { 4, 4 },
	[DSR_A_INFO_TIMEOUT_TCP] = { 4, 4 },
	[DSR_A_INFO_TIMEOUT_TCP_FIN] = { 4, 4 },
	[DSR_A_INFO_TIMEOUT_UDP] = { 4, 4 },
	[DSR_A_INFO_TIMEOUT_TCP_SYN] = { 4, 4 },
	[DSR_A_INFO_TIMEOUT_TCP_CLOSE] = { 4, 4 },
	[DSR_A_INFO_HOOK] = { 1, 1 },
	[DSR_A_INFO_SERVICE_MAX] = { 4, 4 },
	[DSR_A_INFO_DEST_MAX] = { 4, 4 },
};

static const struct pol svc_pol[DSR_A_SERVICE_MAX + 1] = {
	[DSR_A_SERVICE_PROTOCOL] = { 1, 1 },
	[DSR_A_SERVICE_ADDR4] = { 4, 4 },
	[DSR_A_SERVICE_ADDR6] = { 16, 16 },
	[DSR_A_SERVICE_PORT] = { 2, 2 },
	[DSR_A_SERVICE_FWMARK] = { 4, 4 },
	[DSR_A_SERVICE_SCHED_NAME] = { 2, DSR_SCHED_NAME_MAX },
	[DSR_A_SERVICE_FLAGS] = { 4, 4 },
	[DSR_A_SERVICE_TIMEOUT] = { 4, 4 },
	[DSR_A_SERVICE_TUN_SRC4] = { 4, 4 },
	[DSR_A_SERVICE_TUN_SRC_PLEN] = { 1, 1 },
	[DSR_A_SERVICE_SCHED_TABLE] = { 4, 4 },
	[DSR_A_SERVICE_NETMASK] = { 4, 4 },
	[DSR_A_SERVICE_PE_NAME] = { 1, DSR_PE_NAME_MAX },
	[DSR_A_SERVICE_FAMILY] = { 1, 1 },
	[DSR_A_SERVICE_PREFIX_LEN6] = { 1, 1 },
};

static const struct pol dest_pol[DSR_A_DEST_MAX + 1] = {
	[DSR_A_DEST_ADDR4] = { 4, 4 },
	[DSR_A_DEST_ADDR6] = { 16, 16 },
	[DSR_A_DEST_PORT] = { 2, 2 },
	[DSR_A_DEST_FWD_METHOD] = { 1, 1 },
	[DSR_A_DEST_WEIGHT] = { 4, 4 },
	[DSR_A_DEST_TUN_TYPE] = { 1, 1 },
	[DSR_A_DEST_TUN_PORT] = { 2, 2 },
	[DSR_A_DEST_TUN_FLAGS] = { 4, 4 },
	[DSR_A_DEST_U_THRESHOLD] = { 4, 4 },
	[DSR_A_DEST_L_THRESHOLD] = { 4, 4 },
};

/* Which attributes of @tb are there, for the tests to check. */
static uint32_t present(const struct nlattr **tb, unsigned int max)
{
	uint32_t bits = 0;
	unsigned int i;

	for (i = 0; i <= max && i < 32; i++)
		if (tb[i])
			bits |= 1U << i;
	return bits;
}

static int parse(const void *p, size_t len, const struct pol *pol,
		 unsigned int max, const struct nlattr **tb)
{
	const struct nlattr *attr;
	size_t seen = 0;
	uint16_t type, alen;

	memset(tb, 0, (max + 1) * sizeof(*tb));
	mnl_attr_for_each_payload(p, len) {
		type = mnl_attr_get_type(attr);
		alen = mnl_attr_get_payload_len(attr);
		seen += NLMSG_ALIGN(attr->nla_len);
		if (type > max || !pol[type].max)
			return reject(-EINVAL, "unknown attribute");
		if (alen < pol[type].min || alen > pol[type].max)
			return reject(-EINVAL, "attribute has a wrong length");
		tb[type] = attr;
	}
	if (seen != NLMSG_ALIGN(len))
		return reject(-EINVAL, "trailing bytes");
	return 0;
}

static int parse_nest(const struct nlattr *n, const struct pol *pol,
		      unsigned int max, const struct nlattr **tb)
{
	return parse(mnl_attr_get_payload(n), mnl_attr_get_payload_len(n),
		     pol, max, tb);
}

static int get_key(const struct nlattr **tb, struct svc_key *k)
{
	uint8_t family = AF_INET;

	memset(k, 0, sizeof(*k));
	if (tb[DSR_A_SERVICE_FAMILY]) {
		family = mnl_attr_get_u8(tb[DSR_A_SERVICE_FAMILY]);
		if (family != AF_INET && family != AF_INET6)
			return reject(-EINVAL, "family must be AF_INET or AF_INET6");
		if (!tb[DSR_A_SERVICE_FWMARK])
			return reject(-EINVAL, "the family is given only with a fwmark");
	}
	if (tb[DSR_A_SERVICE_FWMARK]) {
		if (tb[DSR_A_SERVICE_PROTOCOL] || tb[DSR_A_SERVICE_ADDR4] ||
		    tb[DSR_A_SERVICE_ADDR6] || tb[DSR_A_SERVICE_PORT])
			return reject(-EINVAL, "fwmark excludes address keys");
		k->fwmark = mnl_attr_get_u32(tb[DSR_A_SERVICE_FWMARK]);
		if (!k->fwmark)
			return reject(-EINVAL, "fwmark must be 1-4294967295");
		/* The key is (mark, family): -f 1 and -f 1 -6 are two. */
		k->addr.family = family;
		return 0;
	}
	if (!tb[DSR_A_SERVICE_PROTOCOL] || !tb[DSR_A_SERVICE_PORT] ||
	    !!tb[DSR_A_SERVICE_ADDR4] == !!tb[DSR_A_SERVICE_ADDR6])
		return reject(-EINVAL, "incomplete service key");
	k->protocol = mnl_attr_get_u8(tb[DSR_A_SERVICE_PROTOCOL]);
	if (k->protocol != IPPROTO_TCP && k->protocol != IPPROTO_UDP)
		return reject(-EINVAL, "protocol must be TCP or UDP");
	k->port = ntohs(mnl_attr_get_u16(tb[DSR_A_SERVICE_PORT]));
	if (!k->port)
		return reject(-EINVAL, "service port must not be 0");
	if (tb[DSR_A_SERVICE_ADDR4]) {
		k->addr.family = AF_INET;
		memcpy(&k->addr.v4, mnl_attr_get_payload(
			       tb[DSR_A_SERVICE_ADDR4]), 4);
	} else {
		k->addr.family = AF_INET6;
		memcpy(&k->addr.v6, mnl_attr_get_payload(
			       tb[DSR_A_SERVICE_ADDR6]), 16);
	}
	return 0;
}

struct fake_svc *fake_find(const struct svc_key *key)
{
	size_t i;

	for (i = 0; i < fake.nsvcs; i++)
		if (!svc_key_cmp(&fake.svcs[i].svc.key, key))
			return &fake.svcs[i];
	return NULL;
}

/* The DSR_A_SERVICE nest of a request: key plus the rest. */
static int req_service(const struct nlattr **top, const struct nlattr **tb,
		       struct svc_key *k)
{
	int ret;

	if (!top[DSR_A_SERVICE])
		return reject(-EINVAL, "missing service");
	ret = parse_nest(top[DSR_A_SERVICE], svc_pol, DSR_A_SERVICE_MAX, tb);
	if (!ret) {
		fake.last_svc_attrs = present(tb, DSR_A_SERVICE_MAX);
		ret = get_key(tb, k);
	}
	return ret;
}

static int key_only(const struct nlattr **tb)
{
	if (tb[DSR_A_SERVICE_SCHED_NAME] || tb[DSR_A_SERVICE_FLAGS] ||
	    tb[DSR_A_SERVICE_TIMEOUT] || tb[DSR_A_SERVICE_TUN_SRC4] ||
	    tb[DSR_A_SERVICE_TUN_SRC_PLEN] || tb[DSR_A_SERVICE_SCHED_TABLE] ||
	    tb[DSR_A_SERVICE_NETMASK] || tb[DSR_A_SERVICE_PE_NAME] ||
	    tb[DSR_A_SERVICE_PREFIX_LEN6])
		return reject(-EINVAL, "only the service key is expected");
	return 0;
}

/* The module's rules for the outer source of tunnelled packets. */
static int set_tun_src(const struct nlattr **tb, struct svc *svc)
{
	struct in_addr addr = svc->tun_src;
	uint8_t plen = svc->tun_src_plen;

	if (tb[DSR_A_SERVICE_TUN_SRC4]) {
		memcpy(&addr, mnl_attr_get_payload(tb[DSR_A_SERVICE_TUN_SRC4]),
		       sizeof(addr));
		plen = 32;
		if (IN_MULTICAST(ntohl(addr.s_addr)) ||
		    addr.s_addr == INADDR_BROADCAST)
			return reject(-EINVAL, "tunnel source must be a unicast address, or 0.0.0.0 for the route's own");
	}
	if (tb[DSR_A_SERVICE_TUN_SRC_PLEN]) {
		plen = mnl_attr_get_u8(tb[DSR_A_SERVICE_TUN_SRC_PLEN]);
		if (plen < 1 || plen > 32)
			return reject(-ERANGE, "tunnel source prefix length out of range");
	}
	if (!addr.s_addr && plen != 32)
		return reject(-EINVAL, "a tunnel source prefix needs a tunnel source address");
	svc->tun_src = addr;
	svc->tun_src_plen = plen;
	return 0;
}

static bool is_prime(uint32_t n)
{
	uint32_t d;

	if (n < 2)
		return false;
	for (d = 2; d * d <= n; d++)
		if (n % d == 0)
			return false;
	return true;
}

static const char *const known_scheds[] = {
	"mh", "rr", "wrr", "sh", "lc", "wlc",
};

static bool known_sched(const char *s)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(known_scheds); i++)
		if (!strcmp(s, known_scheds[i]))
			return true;
	return false;
}

static int set_service_attrs(const struct nlattr **tb, struct fake_svc *fs)
{
	bool v6 = svc_family(&fs->svc.key) == AF_INET6;
	struct svc *svc = &fs->svc;
	const char *s;
	uint32_t v;
	int ret;

	uint32_t timeout = svc->timeout, flags = svc->flags, m;

	if (tb[DSR_A_SERVICE_TIMEOUT]) {
		timeout = mnl_attr_get_u32(tb[DSR_A_SERVICE_TIMEOUT]);
		if (timeout > 31 * 86400)
			return reject(-ERANGE, "integer out of range");
	}
	if (tb[DSR_A_SERVICE_FLAGS])
		flags = mnl_attr_get_u32(tb[DSR_A_SERVICE_FLAGS]);
	if (timeout && (flags & DSR_SERVICE_F_STATELESS))
		return reject(-EINVAL, "persistence needs the flow table: a stateless service cannot be persistent");
	/* Each family its own netmask attribute, and IPv4 tunnel sources. */
	if (tb[DSR_A_SERVICE_PREFIX_LEN6]) {
		v = mnl_attr_get_u8(tb[DSR_A_SERVICE_PREFIX_LEN6]);
		if (v < 1 || v > 128)
			return reject(-ERANGE, "integer out of range");
	}
	if (tb[DSR_A_SERVICE_NETMASK] && v6)
		return reject(-EINVAL, "an IPv6 service groups clients by a prefix length, not a netmask");
	if (tb[DSR_A_SERVICE_PREFIX_LEN6] && !v6)
		return reject(-EINVAL, "an IPv4 service groups clients by a netmask, not a prefix length");
	if ((tb[DSR_A_SERVICE_TUN_SRC4] || tb[DSR_A_SERVICE_TUN_SRC_PLEN]) && v6)
		return reject(-EINVAL, "an IPv6 service's tunnels leave from the route's source address");
	if (tb[DSR_A_SERVICE_NETMASK]) {
		memcpy(&m, mnl_attr_get_payload(tb[DSR_A_SERVICE_NETMASK]), 4);
		m = ntohl(m);
		if (~m & (~m + 1))
			return reject(-EINVAL, "persistence netmask must be contiguous, as 255.255.255.0");
	}
	if (tb[DSR_A_SERVICE_PE_NAME]) {
		if (mnl_attr_validate(tb[DSR_A_SERVICE_PE_NAME],
				      MNL_TYPE_NUL_STRING))
			return reject(-EINVAL, "persistence engine name not terminated");
		s = mnl_attr_get_str(tb[DSR_A_SERVICE_PE_NAME]);
		if (*s && strcmp(s, "sip"))
			return reject(-EINVAL, "unknown persistence engine (dsr has sip)");
		if (*s && svc->key.protocol == IPPROTO_TCP)
			return reject(-EINVAL, "the sip persistence engine reads UDP datagrams: not for a TCP service");
	}
	ret = set_tun_src(tb, svc);
	if (ret)
		return ret;
	if (tb[DSR_A_SERVICE_FLAGS] &&
	    mnl_attr_get_u32(tb[DSR_A_SERVICE_FLAGS]) & ~DSR_SERVICE_F_ALL)
		return reject(-EINVAL, "unknown service flags");
	if (tb[DSR_A_SERVICE_SCHED_TABLE]) {
		v = mnl_attr_get_u32(tb[DSR_A_SERVICE_SCHED_TABLE]);
		if (v && (v < DSR_SCHED_TABLE_MIN || v > DSR_SCHED_TABLE_MAX ||
			  !is_prime(v)))
			return reject(-EINVAL, "lookup table size must be a prime in 7..1048573");
		fs->table_req = v;
	}
	if (tb[DSR_A_SERVICE_FLAGS])
		svc->flags = mnl_attr_get_u32(tb[DSR_A_SERVICE_FLAGS]);
	svc->timeout = timeout;
	if (tb[DSR_A_SERVICE_NETMASK])
		memcpy(&svc->netmask,
		       mnl_attr_get_payload(tb[DSR_A_SERVICE_NETMASK]), 4);
	if (tb[DSR_A_SERVICE_PREFIX_LEN6])
		svc->prefix_len6 =
			mnl_attr_get_u8(tb[DSR_A_SERVICE_PREFIX_LEN6]);
	if (tb[DSR_A_SERVICE_PE_NAME])
		snprintf(svc->pe, sizeof(svc->pe), "%s",
			 mnl_attr_get_str(tb[DSR_A_SERVICE_PE_NAME]));
	if (tb[DSR_A_SERVICE_SCHED_NAME]) {
		if (mnl_attr_validate(tb[DSR_A_SERVICE_SCHED_NAME],
				      MNL_TYPE_NUL_STRING))
			return reject(-EINVAL, "scheduler name not terminated");
		s = mnl_attr_get_str(tb[DSR_A_SERVICE_SCHED_NAME]);
		if (!known_sched(s))
			return reject(-ENOENT, "unknown scheduler");
		strcpy(svc->sched, s);
	}
	return 0;
}

static void put_key(struct nlmsghdr *nlh, const struct svc_key *k)
{
	/* As the module: a fwmark service's family in every reply. */
	if (k->fwmark) {
		mnl_attr_put_u32(nlh, DSR_A_SERVICE_FWMARK, k->fwmark);
		mnl_attr_put_u8(nlh, DSR_A_SERVICE_FAMILY, svc_family(k));
		return;
	}
	mnl_attr_put_u8(nlh, DSR_A_SERVICE_PROTOCOL, k->protocol);
	if (k->addr.family == AF_INET6)
		mnl_attr_put(nlh, DSR_A_SERVICE_ADDR6, 16, &k->addr.v6);
	else
		mnl_attr_put(nlh, DSR_A_SERVICE_ADDR4, 4, &k->addr.v4);
	mnl_attr_put_u16(nlh, DSR_A_SERVICE_PORT, htons(k->port));
}

static void put_stats(struct nlmsghdr *nlh, uint16_t type,
		      const struct stats *st)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, type);

	/* No PAD attributes: dsradm must not depend on 8-byte alignment. */
	mnl_attr_put_u64(nlh, DSR_A_STATS_CONNS, st->conns);
	mnl_attr_put_u64(nlh, DSR_A_STATS_PACKETS, st->packets);
	mnl_attr_put_u64(nlh, DSR_A_STATS_BYTES, st->bytes);
	mnl_attr_nest_end(nlh, n);
}

/* The size in use: 0 without real servers, 65537 for mh, sh, wrr. */
static uint32_t sched_table(const struct fake_svc *fs)
{
	const char *s = fs->svc.sched;

	if (!fs->ndests)
		return 0;
	if (fs->table_req)
		return fs->table_req;
	if (!strcmp(s, "mh") || !strcmp(s, "sh") || !strcmp(s, "wrr"))
		return DSR_SCHED_TABLE_DEFAULT;
	return 7;
}

static void put_service(bool new_dgram, uint16_t flags,
			const struct fake_svc *fs, bool intr)
{
	struct nlmsghdr *nlh = new_genl(new_dgram, FAKE_FAMILY_ID,
					DSR_CMD_SERVICE_GET, flags);
	struct nlattr *n;

	if (intr)
		nlh->nlmsg_flags |= NLM_F_DUMP_INTR;
	n = mnl_attr_nest_start(nlh, DSR_A_SERVICE);
	put_key(nlh, &fs->svc.key);
	mnl_attr_put_strz(nlh, DSR_A_SERVICE_SCHED_NAME, fs->svc.sched);
	mnl_attr_put_u32(nlh, DSR_A_SERVICE_FLAGS, fs->svc.flags);
	mnl_attr_put_u32(nlh, DSR_A_SERVICE_TIMEOUT, fs->svc.timeout);
	if (svc_family(&fs->svc.key) == AF_INET6)
		mnl_attr_put_u8(nlh, DSR_A_SERVICE_PREFIX_LEN6,
				fs->svc.prefix_len6);
	else
		mnl_attr_put(nlh, DSR_A_SERVICE_NETMASK, 4, &fs->svc.netmask);
	if (fs->svc.pe[0])
		mnl_attr_put_strz(nlh, DSR_A_SERVICE_PE_NAME, fs->svc.pe);
	mnl_attr_put_u32(nlh, DSR_A_SERVICE_DEST_COUNT, (uint32_t)fs->ndests);
	mnl_attr_put_u32(nlh, DSR_A_SERVICE_SCHED_TABLE, sched_table(fs));
	mnl_attr_put_u64(nlh, DSR_A_SERVICE_SCHED_DIGEST, fs->svc.digest);
	/* Something a newer kernel might send: must be skipped. */
	mnl_attr_put_u32(nlh, DSR_A_SERVICE_MAX + 5, 0xdeadbeef);
	put_stats(nlh, DSR_A_SERVICE_STATS, &fs->svc.stats);
	/* As the module: only when set. */
	if (fs->svc.tun_src.s_addr) {
		mnl_attr_put(nlh, DSR_A_SERVICE_TUN_SRC4, 4, &fs->svc.tun_src);
		mnl_attr_put_u8(nlh, DSR_A_SERVICE_TUN_SRC_PLEN,
				fs->svc.tun_src_plen);
	}
	mnl_attr_nest_end(nlh, n);
	end_msg(nlh);
}

static void put_dest(const struct fake_svc *fs, const struct dest *d,
		     bool new_dgram, bool intr)
{
	struct nlmsghdr *nlh = new_genl(new_dgram, FAKE_FAMILY_ID,
					DSR_CMD_DEST_GET, NLM_F_MULTI);
	struct nlattr *n;
	char junk[5] = { 0 };

	if (intr)
		nlh->nlmsg_flags |= NLM_F_DUMP_INTR;
	n = mnl_attr_nest_start(nlh, DSR_A_SERVICE);
	put_key(nlh, &fs->svc.key);
	mnl_attr_nest_end(nlh, n);
	n = mnl_attr_nest_start(nlh, DSR_A_DEST);
	if (fake.bad_dest_addr)
		mnl_attr_put(nlh, DSR_A_DEST_ADDR4, sizeof(junk), junk);
	else if (d->addr.family == AF_INET6)
		mnl_attr_put(nlh, DSR_A_DEST_ADDR6, 16, &d->addr.v6);
	else
		mnl_attr_put(nlh, DSR_A_DEST_ADDR4, 4, &d->addr.v4);
	mnl_attr_put_u16(nlh, DSR_A_DEST_PORT, htons(d->port));
	mnl_attr_put_u8(nlh, DSR_A_DEST_FWD_METHOD, d->fwd);
	mnl_attr_put_u32(nlh, DSR_A_DEST_WEIGHT, d->weight);
	mnl_attr_put_u32(nlh, DSR_A_DEST_ACTIVE_FLOWS, d->active);
	mnl_attr_put_u32(nlh, DSR_A_DEST_INACTIVE_FLOWS, d->inactive);
	put_stats(nlh, DSR_A_DEST_STATS, &d->stats);
	mnl_attr_put_u32(nlh, DSR_A_DEST_TUN_PMTU, d->tun_pmtu);
	mnl_attr_put_u32(nlh, DSR_A_DEST_U_THRESHOLD, d->u_threshold);
	mnl_attr_put_u32(nlh, DSR_A_DEST_L_THRESHOLD, d->l_threshold);
	mnl_attr_put_u32(nlh, DSR_A_DEST_PERSIST_FLOWS, d->persist);
	if (d->fwd == DSR_FWD_TUN) {
		mnl_attr_put_u8(nlh, DSR_A_DEST_TUN_TYPE, d->tun_type);
		mnl_attr_put_u32(nlh, DSR_A_DEST_TUN_FLAGS, d->tun_flags);
		if (d->tun_port)
			mnl_attr_put_u16(nlh, DSR_A_DEST_TUN_PORT,
					 htons(d->tun_port));
	}
	mnl_attr_nest_end(nlh, n);
	end_msg(nlh);
}

static bool take_intr(void)
{
	if (fake.intr_dumps <= 0)
		return false;
	fake.intr_dumps--;
	return true;
}

/* Commands. */

static int cmd_service(uint8_t cmd, const struct nlattr **top)
{
	const struct nlattr *tb[DSR_A_SERVICE_MAX + 1];
	struct fake_svc *fs, n = { 0 };
	struct svc_key k;
	int ret;

	if (top[DSR_A_DEST])
		return reject(-EINVAL, "unexpected destination");
	ret = req_service(top, tb, &k);
	if (ret)
		return ret;
	fs = fake_find(&k);
	switch (cmd) {
	case DSR_CMD_SERVICE_NEW:
		if (fs)
			return reject(-EEXIST, "service already exists");
		if (fake.nsvcs == FAKE_MAX_SVCS)
			return reject(-ENOSPC, "too many services");
		n.svc.key = k;
		strcpy(n.svc.sched, "mh");
		n.svc.tun_src_plen = 32;
		n.svc.netmask.s_addr = htonl(0xffffffff);
		n.svc.prefix_len6 = 128;
		ret = set_service_attrs(tb, &n);
		if (ret)
			return ret;
		fake.svcs[fake.nsvcs++] = n;
		return 0;
	case DSR_CMD_SERVICE_SET:
		if (!fs)
			return reject(-ESRCH, "service not found");
		return set_service_attrs(tb, fs);
	case DSR_CMD_SERVICE_DEL:
		if (!fs)
			return reject(-ESRCH, "service not found");
		ret = key_only(tb);
		if (ret)
			return ret;
		*fs = fake.svcs[--fake.nsvcs];
		return 0;
	}
	/* SERVICE_GET do */
	ret = key_only(tb);
	if (ret)
		return ret;
	if (!fs)
		return reject(-ESRCH, "service not found");
	put_service(true, 0, fs, false);
	return 0;
}

static bool same_addr(const struct ipaddr *a, const struct ipaddr *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET6)
		return !memcmp(&a->v6, &b->v6, sizeof(a->v6));
	return a->v4.s_addr == b->v4.s_addr;
}

/*
 * The module's rules for how a real server is reached: @d holds its
 * current way (or the default) and gets the new one.
 */
static int set_fwd(const struct nlattr **dt, struct dest *d)
{
	struct dest n = *d;

	if (dt[DSR_A_DEST_FWD_METHOD])
		n.fwd = mnl_attr_get_u8(dt[DSR_A_DEST_FWD_METHOD]);
	if (n.fwd != DSR_FWD_DR && n.fwd != DSR_FWD_TUN)
		return reject(-EINVAL, "unknown forwarding method");
	if (n.fwd != DSR_FWD_TUN) {
		if (dt[DSR_A_DEST_TUN_TYPE] || dt[DSR_A_DEST_TUN_PORT] ||
		    dt[DSR_A_DEST_TUN_FLAGS])
			return reject(-EINVAL, "tunnel options need tunnel forwarding");
		n.tun_type = 0;
		n.tun_port = 0;
		n.tun_flags = 0;
		*d = n;
		return 0;
	}
	if (d->fwd != DSR_FWD_TUN)
		n.tun_type = DSR_TUN_IPIP;
	if (dt[DSR_A_DEST_TUN_TYPE])
		n.tun_type = mnl_attr_get_u8(dt[DSR_A_DEST_TUN_TYPE]);
	if (n.tun_type < DSR_TUN_IPIP || n.tun_type > DSR_TUN_MAX)
		return reject(-EINVAL, "unknown tunnel type");
	if (n.tun_type != DSR_TUN_GUE) {
		if (dt[DSR_A_DEST_TUN_PORT])
			return reject(-EINVAL, "a tunnel port is only for GUE");
		n.tun_port = 0;
	} else {
		if (dt[DSR_A_DEST_TUN_PORT])
			n.tun_port = ntohs(mnl_attr_get_u16(dt[DSR_A_DEST_TUN_PORT]));
		if (!n.tun_port)
			return reject(-EINVAL, "a GUE tunnel needs its destination port, 1-65535");
	}
	if (dt[DSR_A_DEST_TUN_FLAGS])
		n.tun_flags = mnl_attr_get_u32(dt[DSR_A_DEST_TUN_FLAGS]);
	if (n.tun_flags & ~DSR_TUN_F_ALL)
		return reject(-EINVAL, "unknown tunnel flags");
	if (n.tun_type == DSR_TUN_IPIP && n.tun_flags) {
		if (dt[DSR_A_DEST_TUN_FLAGS])
			return reject(-EINVAL, "IP-in-IP has no checksum of its own; checksums are for GUE and GRE");
		n.tun_flags = 0;
	}
	*d = n;
	return 0;
}

static int cmd_dest(uint8_t cmd, const struct nlattr **top)
{
	const struct nlattr *tb[DSR_A_SERVICE_MAX + 1];
	const struct nlattr *dt[DSR_A_DEST_MAX + 1];
	struct dest d = { .fwd = DSR_FWD_DR, .weight = 1 }, *old = NULL;
	struct fake_svc *fs;
	struct svc_key k;
	size_t i;
	int ret;

	ret = req_service(top, tb, &k);
	if (!ret)
		ret = key_only(tb);
	if (ret)
		return ret;
	fs = fake_find(&k);
	if (!fs)
		return reject(-ESRCH, "service not found");
	if (!top[DSR_A_DEST])
		return reject(-EINVAL, "missing destination");
	ret = parse_nest(top[DSR_A_DEST], dest_pol, DSR_A_DEST_MAX, dt);
	if (ret)
		return ret;
	fake.last_dest_attrs = present(dt, DSR_A_DEST_MAX);
	if (!!dt[DSR_A_DEST_ADDR4] == !!dt[DSR_A_DEST_ADDR6])
		return reject(-EINVAL, "exactly one destination address");
	if (dt[DSR_A_DEST_ADDR4]) {
		d.addr.family = AF_INET;
		memcpy(&d.addr.v4, mnl_attr_get_payload(dt[DSR_A_DEST_ADDR4]),
		       4);
	} else {
		d.addr.family = AF_INET6;
		memcpy(&d.addr.v6, mnl_attr_get_payload(dt[DSR_A_DEST_ADDR6]),
		       16);
	}
	if (d.addr.family != svc_family(&k))
		return reject(-EINVAL,
			      "real server address family must match the service");
	d.port = k.port;
	if (dt[DSR_A_DEST_PORT]) {
		uint16_t p = ntohs(mnl_attr_get_u16(dt[DSR_A_DEST_PORT]));

		if (p && k.fwmark)
			return reject(-EINVAL,
				      "a real server of a fwmark service has no port: direct server return keeps the client's destination port");
		if (p && p != k.port)
			return reject(-EINVAL,
				      "destination port must be the service port");
	} else if (cmd == DSR_CMD_DEST_DEL) {
		return reject(-EINVAL, "missing destination port");
	}
	for (i = 0; i < fs->ndests; i++)
		if (same_addr(&fs->dests[i].addr, &d.addr))
			old = &fs->dests[i];

	if (cmd == DSR_CMD_DEST_DEL) {
		if (dt[DSR_A_DEST_FWD_METHOD] || dt[DSR_A_DEST_WEIGHT] ||
		    dt[DSR_A_DEST_TUN_TYPE] || dt[DSR_A_DEST_TUN_PORT] ||
		    dt[DSR_A_DEST_TUN_FLAGS] || dt[DSR_A_DEST_U_THRESHOLD] ||
		    dt[DSR_A_DEST_L_THRESHOLD])
			return reject(-EINVAL, "only the destination key is expected");
		if (!old)
			return reject(-ESRCH, "real server not found");
		*old = fs->dests[--fs->ndests];
		return 0;
	}
	if (cmd == DSR_CMD_DEST_SET && old) {
		d.fwd = old->fwd;
		d.tun_type = old->tun_type;
		d.tun_port = old->tun_port;
		d.tun_flags = old->tun_flags;
	}
	ret = set_fwd(dt, &d);
	if (ret)
		return ret;
	if (d.addr.family == AF_INET6 && d.fwd == DSR_FWD_TUN &&
	    d.tun_type != DSR_TUN_IPIP)
		return reject(-EOPNOTSUPP, "an IPv6 real server is tunnelled by IPIP (IPv6 in IPv6) only");
	if (dt[DSR_A_DEST_WEIGHT])
		d.weight = mnl_attr_get_u32(dt[DSR_A_DEST_WEIGHT]);
	if (d.weight > DSR_WEIGHT_MAX)
		return reject(-ERANGE, "weight out of range");
	if (old) {
		d.u_threshold = old->u_threshold;
		d.l_threshold = old->l_threshold;
	}
	if (dt[DSR_A_DEST_U_THRESHOLD])
		d.u_threshold = mnl_attr_get_u32(dt[DSR_A_DEST_U_THRESHOLD]);
	if (dt[DSR_A_DEST_L_THRESHOLD])
		d.l_threshold = mnl_attr_get_u32(dt[DSR_A_DEST_L_THRESHOLD]);
	if (d.l_threshold > d.u_threshold)
		return reject(-ERANGE, "lower connection threshold above the upper one");
	if (cmd == DSR_CMD_DEST_NEW) {
		if (old)
			return reject(-EEXIST, "real server already exists");
		if (fs->ndests == FAKE_MAX_DESTS)
			return reject(-ENOSPC, "too many destinations");
		fs->dests[fs->ndests++] = d;
		return 0;
	}
	if (!old)
		return reject(-ESRCH, "real server not found");
	old->fwd = d.fwd;
	old->tun_type = d.tun_type;
	old->tun_port = d.tun_port;
	old->tun_flags = d.tun_flags;
	old->weight = d.weight;
	old->u_threshold = d.u_threshold;
	old->l_threshold = d.l_threshold;
	return 0;
}

static void dump_services(void)
{
	bool intr = take_intr();
	struct nlmsghdr *nlh;
	size_t i;

	if (fake.huge_len) {
		/* libmnl's mnl_nlmsg_ok() takes this for a good message. */
		nlh = new_genl(true, FAKE_FAMILY_ID, DSR_CMD_SERVICE_GET,
			       NLM_F_MULTI);
		end_msg(nlh);
		nlh->nlmsg_len = 0x80000000U | GENL_HDRLEN;
	}
	for (i = 0; i < fake.nsvcs; i++)
		put_service(i % PER_DGRAM == 0, NLM_F_MULTI, &fake.svcs[i],
			    intr && i == 0);
	done(0, intr && !fake.nsvcs);
}

static void dump_dests(const struct nlattr **top)
{
	const struct nlattr *tb[DSR_A_SERVICE_MAX + 1];
	struct fake_svc *fs;
	struct svc_key k;
	bool intr;
	size_t i;
	int ret;

	ret = req_service(top, tb, &k);
	if (ret) {
		done(ret, false);
		return;
	}
	fs = fake.vanish ? NULL : fake_find(&k);
	if (!fs) {
		/* The module reports dump errors in NLMSG_DONE. */
		ext_msg = "service not found";
		done(-ESRCH, false);
		return;
	}
	intr = take_intr();
	for (i = 0; i < fs->ndests; i++)
		put_dest(fs, &fs->dests[i], i % PER_DGRAM == 0, intr && !i);
	done(0, intr && !fs->ndests);
}

static int cmd_info(void)
{
	struct nlmsghdr *nlh;
	struct nlattr *n, *d;
	unsigned int i;

	if (fake.no_info)
		return -EOPNOTSUPP;
	nlh = new_genl(true, FAKE_FAMILY_ID, DSR_CMD_INFO_GET, 0);
	n = mnl_attr_nest_start(nlh, DSR_A_INFO);
	mnl_attr_put_strz(nlh, DSR_A_INFO_VERSION, "0.1.0");
	mnl_attr_put_u32(nlh, DSR_A_INFO_FLOW_MAX, fake.flow_max);
	mnl_attr_put_u32(nlh, DSR_A_INFO_FLOW_COUNT, fake.flow_count);
	mnl_attr_put_u32(nlh, DSR_A_INFO_SERVICE_COUNT, (uint32_t)fake.nsvcs);
	mnl_attr_put_u8(nlh, DSR_A_INFO_HOOK,
			fake.hook ? fake.hook : DSR_HOOK_PRE_ROUTING);
	mnl_attr_put_u32(nlh, DSR_A_INFO_SERVICE_MAX,
			 fake.service_max ? fake.service_max : DSR_SERVICES_MAX);
	mnl_attr_put_u32(nlh, DSR_A_INFO_DEST_MAX,
			 fake.dest_max ? fake.dest_max : DSR_DESTS_MAX);
	/* No PAD before the u64s, as for the counters. */
	mnl_attr_put_u64(nlh, DSR_A_INFO_ICMP_FORWARDED, fake.icmp_forwarded);
	mnl_attr_put_u64(nlh, DSR_A_INFO_ICMP_TUN_PMTU, fake.icmp_tun_pmtu);
	for (i = 0; i < TMO_COUNT; i++)
		mnl_attr_put_u32(nlh, timeout_attr(i), fake.timeout[i]);
	mnl_attr_put_u32(nlh, DSR_A_INFO_FLOW_MAX_HOST, fake.info.flow_max_host);
	mnl_attr_put_u64(nlh, DSR_A_INFO_FLOW_INSERTS, fake.info.flow_inserts);
	mnl_attr_put_u64(nlh, DSR_A_INFO_FLOW_EVICTIONS,
			 fake.info.flow_evictions);
	mnl_attr_put_u64(nlh, DSR_A_INFO_FLOW_EXPIRIES,
			 fake.info.flow_expiries);
	mnl_attr_put_u64(nlh, DSR_A_INFO_FLOW_UNTRACKED,
			 fake.info.flow_untracked);
	mnl_attr_put_u64(nlh, DSR_A_INFO_FLOW_MIDSTREAM,
			 fake.info.flow_midstream);
	/* As the kernel does: every reason, a PAD before one of them. */
	d = mnl_attr_nest_start(nlh, DSR_A_INFO_DROPS);
	mnl_attr_put(nlh, DSR_DROP_PAD, 0, NULL);
	for (i = DSR_DROP_NO_DEST; i <= DSR_DROP_MAX; i++)
		mnl_attr_put_u64(nlh, i, fake.info.drops[i]);
	mnl_attr_nest_end(nlh, d);
	mnl_attr_nest_end(nlh, n);
	end_msg(nlh);
	return 0;
}

static int cmd_config(const struct nlattr **top)
{
	const struct nlattr *it[DSR_A_INFO_MAX + 1];
	uint32_t v[TMO_COUNT];
	unsigned int i;
	uint8_t h;
	int ret;

	if (!top[DSR_A_INFO] || top[DSR_A_SERVICE] || top[DSR_A_DEST])
		return reject(-EINVAL, "CONFIG_SET takes the info nest only");
	ret = parse_nest(top[DSR_A_INFO], info_pol, DSR_A_INFO_MAX, it);
	if (ret)
		return ret;
	fake.last_info_attrs = present(it, DSR_A_INFO_MAX);
	for (i = 0; i < TMO_COUNT; i++) {
		v[i] = fake.timeout[i];
		if (it[timeout_attr(i)])
			v[i] = mnl_attr_get_u32(it[timeout_attr(i)]);
		if (!v[i] || v[i] > 86400 * 31)
			return reject(-ERANGE, "timeout out of range");
	}
	if (it[DSR_A_INFO_HOOK]) {
		h = mnl_attr_get_u8(it[DSR_A_INFO_HOOK]);
		if (h != DSR_HOOK_PRE_ROUTING && h != DSR_HOOK_LOCAL_IN)
			return reject(-ERANGE, "hook out of range");
		fake.hook = h;
	}
	if (it[DSR_A_INFO_SERVICE_MAX])
		fake.service_max = mnl_attr_get_u32(it[DSR_A_INFO_SERVICE_MAX]);
	if (it[DSR_A_INFO_DEST_MAX])
		fake.dest_max = mnl_attr_get_u32(it[DSR_A_INFO_DEST_MAX]);
	memcpy(fake.timeout, v, sizeof(v));
	return 0;
}

static void put_addr(struct nlmsghdr *nlh, uint16_t a4,
		     const struct ipaddr *a)
{
	if (a->family == AF_INET6)
		mnl_attr_put(nlh, a4 + 1, 16, &a->v6);
	else
		mnl_attr_put(nlh, a4, 4, &a->v4);
}

/* FLOW_GET dump: in reverse, dsradm sorts. */
static void dump_flows(void)
{
	struct nlmsghdr *nlh;
	struct nlattr *n;
	size_t k;

	for (k = 0; k < fake.nflows; k++) {
		const struct flow *f = &fake.flows[fake.nflows - 1 - k];

		nlh = new_genl(k % PER_DGRAM == 0, FAKE_FAMILY_ID,
			       DSR_CMD_FLOW_GET, NLM_F_MULTI);
		n = mnl_attr_nest_start(nlh, DSR_A_FLOW);
		mnl_attr_put_u8(nlh, DSR_A_FLOW_PROTOCOL, f->protocol);
		put_addr(nlh, DSR_A_FLOW_CLIENT_ADDR4, &f->client);
		mnl_attr_put_u16(nlh, DSR_A_FLOW_CLIENT_PORT,
				 htons(f->client_port));
		put_addr(nlh, DSR_A_FLOW_VIP_ADDR4, &f->vip);
		mnl_attr_put_u16(nlh, DSR_A_FLOW_VIP_PORT, htons(f->vip_port));
		put_addr(nlh, DSR_A_FLOW_DEST_ADDR4, &f->dest);
		mnl_attr_put_u16(nlh, DSR_A_FLOW_DEST_PORT,
				 htons(f->dest_port));
		mnl_attr_put_u8(nlh, DSR_A_FLOW_STATE, f->state);
		mnl_attr_put_u32(nlh, DSR_A_FLOW_EXPIRES, f->expires);
		mnl_attr_put_u8(nlh, DSR_A_FLOW_PACKETS, f->packets);
		/* Something a newer kernel might send: must be skipped. */
		mnl_attr_put_u32(nlh, DSR_A_FLOW_MAX + 3, 0xdeadbeef);
		mnl_attr_nest_end(nlh, n);
		end_msg(nlh);
	}
	done(0, false);
}

static int cmd_zero(const struct nlattr **top)
{
	const struct nlattr *tb[DSR_A_SERVICE_MAX + 1];
	struct fake_svc *fs;
	struct svc_key k;
	size_t i, j;
	int ret;

	if (top[DSR_A_SERVICE]) {
		ret = req_service(top, tb, &k);
		if (!ret)
			ret = key_only(tb);
		if (ret)
			return ret;
		fs = fake_find(&k);
		if (!fs)
			return reject(-ESRCH, "service not found");
		memset(&fs->svc.stats, 0, sizeof(fs->svc.stats));
		for (j = 0; j < fs->ndests; j++)
			memset(&fs->dests[j].stats, 0, sizeof(struct stats));
		return 0;
	}
	for (i = 0; i < fake.nsvcs; i++) {
		memset(&fake.svcs[i].svc.stats, 0, sizeof(struct stats));
		for (j = 0; j < fake.svcs[i].ndests; j++)
			memset(&fake.svcs[i].dests[j].stats, 0,
			       sizeof(struct stats));
	}
	return 0;
}

static void handle_dsr(const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *top[DSR_A_MAX + 1];
	bool dump = nlh->nlmsg_flags & NLM_F_DUMP;
	int ret;

	fake.last_cmd = g->cmd;
	fake.last_flags = nlh->nlmsg_flags;
	if (fake.eperm) {
		ack(-EPERM);
		return;
	}
	if (g->version != DSR_GENL_VERSION) {
		ack(reject(-EINVAL, "bad genl version"));
		return;
	}
	ret = parse(mnl_nlmsg_get_payload_offset(nlh, GENL_HDRLEN),
		    mnl_nlmsg_get_payload_len(nlh) - GENL_HDRLEN, top_pol,
		    DSR_A_MAX, top);
	if (ret) {
		ack(ret);
		return;
	}
	if (dump && g->cmd == DSR_CMD_SERVICE_GET) {
		if (top[DSR_A_SERVICE] || top[DSR_A_DEST])
			ack(reject(-EINVAL, "the service dump takes no attributes"));
		else
			dump_services();
		return;
	}
	if (dump && g->cmd == DSR_CMD_DEST_GET) {
		dump_dests(top);
		return;
	}
	if (dump && g->cmd == DSR_CMD_FLOW_GET) {
		if (top[DSR_A_SERVICE] || top[DSR_A_DEST] || top[DSR_A_INFO])
			ack(reject(-EINVAL, "the flow dump takes no attributes"));
		else
			dump_flows();
		return;
	}
	if (dump) {
		ack(reject(-EOPNOTSUPP, "no dump for this command"));
		return;
	}
	if (!(nlh->nlmsg_flags & NLM_F_ACK)) {
		ack(reject(-EINVAL, "fake: dsradm always asks for an ACK"));
		return;
	}
	switch (g->cmd) {
	case DSR_CMD_SERVICE_NEW:
	case DSR_CMD_SERVICE_SET:
	case DSR_CMD_SERVICE_DEL:
	case DSR_CMD_SERVICE_GET:
		ret = cmd_service(g->cmd, top);
		break;
	case DSR_CMD_DEST_NEW:
	case DSR_CMD_DEST_SET:
	case DSR_CMD_DEST_DEL:
		ret = cmd_dest(g->cmd, top);
		break;
	case DSR_CMD_FLUSH:
		ret = top[DSR_A_SERVICE] ? reject(-EINVAL, "no attributes") : 0;
		if (!ret)
			fake.nsvcs = 0;
		break;
	case DSR_CMD_ZERO:
		ret = cmd_zero(top);
		break;
	case DSR_CMD_INFO_GET:
		ret = cmd_info();
		break;
	case DSR_CMD_CONFIG_SET:
		ret = cmd_config(top);
		break;
	default:
		ret = reject(-EOPNOTSUPP, "unknown command");
	}
	ack(ret);
}

static void handle_ctrl(const struct nlmsghdr *nlh)
{
	const struct nlattr *attr;
	const char *name = NULL;
	struct nlmsghdr *r;

	mnl_attr_for_each(attr, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_NAME &&
		    !mnl_attr_validate(attr, MNL_TYPE_NUL_STRING))
			name = mnl_attr_get_str(attr);
	if (fake.not_loaded || !name || strcmp(name, DSR_GENL_NAME)) {
		ack(-ENOENT);
		return;
	}
	r = new_genl(true, GENL_ID_CTRL, CTRL_CMD_NEWFAMILY, 0);
	mnl_attr_put_strz(r, CTRL_ATTR_FAMILY_NAME, DSR_GENL_NAME);
	mnl_attr_put_u16(r, CTRL_ATTR_FAMILY_ID, FAKE_FAMILY_ID);
	mnl_attr_put_u32(r, CTRL_ATTR_VERSION, DSR_GENL_VERSION);
	end_msg(r);
	ack(0);
}

/* Transport. */

static int fake_send(void *priv, const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;

	(void)priv;
	fake.requests++;
	if (len < sizeof(*nlh) || nlh->nlmsg_len != len ||
	    !(nlh->nlmsg_flags & NLM_F_REQUEST) ||
	    len < NLMSG_HDRLEN + GENL_HDRLEN)
		return -EINVAL;
	req = nlh;
	ext_msg = NULL;
	if (nlh->nlmsg_type == GENL_ID_CTRL)
		handle_ctrl(nlh);
	else if (nlh->nlmsg_type == FAKE_FAMILY_ID)
		handle_dsr(nlh);
	else
		ack(-EOPNOTSUPP);
	req = NULL;
	return 0;
}

static ssize_t fake_recv(void *priv, void *buf, size_t len)
{
	size_t n;

	(void)priv;
	if (q_head == q_tail)
		return -EAGAIN;	/* dsradm waited for a reply never sent */
	n = q[q_head].len;
	if (n > len)
		return -ENOSPC;
	memcpy(buf, q[q_head].buf, n);
	if (++q_head == q_tail)
		q_head = q_tail = 0;
	return (ssize_t)n;
}

static const struct nl_transport fake_transport = {
	.send = fake_send,
	.recv = fake_recv,
	.portid = FAKE_PORTID,
};

int fake_nl_open(struct nl **nlp)
{
	q_head = q_tail = 0;
	return nl_open_transport(nlp, DSR_GENL_NAME, DSR_GENL_VERSION,
				 &fake_transport, &fake);
}
