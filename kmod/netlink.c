// SPDX-License-Identifier: GPL-2.0
/*
 * dsr - the generic netlink family "dsr": services, destinations, counters
 * and tunables of the caller's network namespace. The attribute trees are
 * documented at the top of include/uapi/linux/dsr.h.
 *
 * Every handler runs under the namespace's dsr_net.lock, so requests from
 * several processes are applied one at a time. Every rejection says why in
 * the extended ACK.
 */
#include <linux/inet.h>
#include <linux/inetdevice.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include "dsr.h"

#define DSR_TIMEOUT_MAX		(7 * 24 * 3600)
/*
 * ipvsadm's 31 days, unless the kernel's jiffies could not hold it below
 * 2^31 (the flow table compares expiries that way): HZ=1000 allows 24 days.
 */
#define DSR_PERSIST_IPVSADM	(31 * 24 * 3600)
#define DSR_PERSIST_MAX		(DSR_PERSIST_IPVSADM < S32_MAX / HZ ? \
				 DSR_PERSIST_IPVSADM : S32_MAX / HZ)

static struct genl_family dsr_genl_family;

static struct netlink_range_validation dsr_weight_range = {
	.max = DSR_WEIGHT_MAX,
};

static struct netlink_range_validation dsr_service_max_range = {
	.min = 1,
	.max = DSR_SERVICES_MAX,
};

static struct netlink_range_validation dsr_flow_max_range = {
	.min = 1,
	.max = DSR_FLOW_MAX_LIMIT,
};

static struct netlink_range_validation dsr_table_size_range = {
	.max = DSR_SCHED_TABLE_MAX,
};

static struct netlink_range_validation dsr_timeout_range = {
	.min = 1,
	.max = DSR_TIMEOUT_MAX,
};

/* Persistence: 0 (none) to ipvsadm's own limit. */
static struct netlink_range_validation dsr_persist_range = {
	.min = 0,
	.max = DSR_PERSIST_MAX,
};

/* Policies: requests may carry only what they can set. */

static const struct nla_policy dsr_service_policy[DSR_A_SERVICE_MAX + 1] = {
	[DSR_A_SERVICE_PAD]		= { .type = NLA_REJECT },
	[DSR_A_SERVICE_PROTOCOL]	= { .type = NLA_U8 },
	[DSR_A_SERVICE_ADDR4]		= NLA_POLICY_EXACT_LEN(sizeof(__be32)),
	[DSR_A_SERVICE_ADDR6]		= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[DSR_A_SERVICE_PORT]		= { .type = NLA_BE16 },
	[DSR_A_SERVICE_FWMARK]		= { .type = NLA_U32 },
	[DSR_A_SERVICE_SCHED_NAME]	= { .type = NLA_NUL_STRING,
					    .len = DSR_SCHED_NAME_MAX - 1 },
	[DSR_A_SERVICE_FLAGS]		= NLA_POLICY_MASK(NLA_U32, DSR_SERVICE_F_ALL),
	[DSR_A_SERVICE_TIMEOUT]		= NLA_POLICY_FULL_RANGE(NLA_U32, &dsr_persist_range),
	[DSR_A_SERVICE_NETMASK]		= NLA_POLICY_EXACT_LEN(sizeof(__be32)),
	[DSR_A_SERVICE_PE_NAME]		= { .type = NLA_NUL_STRING,
					    .len = DSR_PE_NAME_MAX - 1 },
	[DSR_A_SERVICE_DEST_COUNT]	= { .type = NLA_REJECT },
	[DSR_A_SERVICE_STATS]		= { .type = NLA_REJECT },
	[DSR_A_SERVICE_TUN_SRC4]	= NLA_POLICY_EXACT_LEN(sizeof(__be32)),
	[DSR_A_SERVICE_TUN_SRC_PLEN]	= NLA_POLICY_RANGE(NLA_U8, 1, 32),
	[DSR_A_SERVICE_SCHED_TABLE]	= NLA_POLICY_FULL_RANGE(NLA_U32, &dsr_table_size_range),
	[DSR_A_SERVICE_SCHED_DIGEST]	= { .type = NLA_REJECT },
	[DSR_A_SERVICE_FAMILY]		= { .type = NLA_U8 },
	[DSR_A_SERVICE_PREFIX_LEN6]	= NLA_POLICY_RANGE(NLA_U8, 1, 128),
};

static const struct nla_policy dsr_dest_policy[DSR_A_DEST_MAX + 1] = {
	[DSR_A_DEST_PAD]		= { .type = NLA_REJECT },
	[DSR_A_DEST_ADDR4]		= NLA_POLICY_EXACT_LEN(sizeof(__be32)),
	[DSR_A_DEST_ADDR6]		= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[DSR_A_DEST_PORT]		= { .type = NLA_BE16 },
	[DSR_A_DEST_FWD_METHOD]		= NLA_POLICY_RANGE(NLA_U8, DSR_FWD_DR, DSR_FWD_MAX),
	[DSR_A_DEST_WEIGHT]		= NLA_POLICY_FULL_RANGE(NLA_U32, &dsr_weight_range),
	[DSR_A_DEST_TUN_TYPE]		= NLA_POLICY_RANGE(NLA_U8, DSR_TUN_IPIP, DSR_TUN_MAX),
	[DSR_A_DEST_TUN_PORT]		= { .type = NLA_BE16 },
	[DSR_A_DEST_ACTIVE_FLOWS]	= { .type = NLA_REJECT },
	[DSR_A_DEST_INACTIVE_FLOWS]	= { .type = NLA_REJECT },
	[DSR_A_DEST_STATS]		= { .type = NLA_REJECT },
	[DSR_A_DEST_TUN_FLAGS]		= NLA_POLICY_MASK(NLA_U32, DSR_TUN_F_ALL),
	[DSR_A_DEST_TUN_PMTU]		= { .type = NLA_REJECT },
	[DSR_A_DEST_U_THRESHOLD]	= { .type = NLA_U32 },
	[DSR_A_DEST_L_THRESHOLD]	= { .type = NLA_U32 },
	[DSR_A_DEST_PERSIST_FLOWS]	= { .type = NLA_REJECT },
};

static const struct nla_policy dsr_info_policy[DSR_A_INFO_MAX + 1] = {
	[DSR_A_INFO_PAD]		= { .type = NLA_REJECT },
	[DSR_A_INFO_VERSION]		= { .type = NLA_REJECT },
	[DSR_A_INFO_FLOW_MAX]		= NLA_POLICY_FULL_RANGE(NLA_U32, &dsr_flow_max_range),
	[DSR_A_INFO_FLOW_COUNT]		= { .type = NLA_REJECT },
	[DSR_A_INFO_TIMEOUT_TCP]	= NLA_POLICY_FULL_RANGE(NLA_U32, &dsr_timeout_range),
	[DSR_A_INFO_TIMEOUT_TCP_FIN]	= NLA_POLICY_FULL_RANGE(NLA_U32, &dsr_timeout_range),
	[DSR_A_INFO_TIMEOUT_UDP]	= NLA_POLICY_FULL_RANGE(NLA_U32, &dsr_timeout_range),
	[DSR_A_INFO_SERVICE_COUNT]	= { .type = NLA_REJECT },
	[DSR_A_INFO_DROPS]		= { .type = NLA_REJECT },
	[DSR_A_INFO_HOOK]		= NLA_POLICY_RANGE(NLA_U8, DSR_HOOK_PRE_ROUTING,
							   DSR_HOOK_LOCAL_IN),
	[DSR_A_INFO_GENERATION]		= { .type = NLA_REJECT },
	[DSR_A_INFO_ICMP_FORWARDED]	= { .type = NLA_REJECT },
	[DSR_A_INFO_ICMP_TUN_PMTU]	= { .type = NLA_REJECT },
	[DSR_A_INFO_TIMEOUT_TCP_SYN]	= NLA_POLICY_FULL_RANGE(NLA_U32, &dsr_timeout_range),
	[DSR_A_INFO_TIMEOUT_TCP_CLOSE]	= NLA_POLICY_FULL_RANGE(NLA_U32, &dsr_timeout_range),
	[DSR_A_INFO_FLOW_MAX_HOST]	= { .type = NLA_REJECT },
	[DSR_A_INFO_FLOW_INSERTS]	= { .type = NLA_REJECT },
	[DSR_A_INFO_FLOW_EVICTIONS]	= { .type = NLA_REJECT },
	[DSR_A_INFO_FLOW_EXPIRIES]	= { .type = NLA_REJECT },
	[DSR_A_INFO_FLOW_UNTRACKED]	= { .type = NLA_REJECT },
	[DSR_A_INFO_FLOW_MIDSTREAM]	= { .type = NLA_REJECT },
	[DSR_A_INFO_SERVICE_MAX]	= NLA_POLICY_FULL_RANGE(NLA_U32, &dsr_service_max_range),
	[DSR_A_INFO_DEST_MAX]		= NLA_POLICY_RANGE(NLA_U32, 1, DSR_DESTS_MAX),
};

/* Commands naming a service. */
static const struct nla_policy dsr_service_cmd_policy[DSR_A_SERVICE + 1] = {
	[DSR_A_SERVICE]	= NLA_POLICY_NESTED(dsr_service_policy),
};

/* Commands naming a service and one of its destinations. */
static const struct nla_policy dsr_dest_cmd_policy[DSR_A_DEST + 1] = {
	[DSR_A_SERVICE]	= NLA_POLICY_NESTED(dsr_service_policy),
	[DSR_A_DEST]	= NLA_POLICY_NESTED(dsr_dest_policy),
};

/* Commands that take no attribute at all. */
static const struct nla_policy dsr_no_attr_policy[DSR_A_MAX + 1] = {
	[DSR_A_SERVICE]	= { .type = NLA_REJECT },
	[DSR_A_DEST]	= { .type = NLA_REJECT },
	[DSR_A_INFO]	= { .type = NLA_REJECT },
	[DSR_A_FLOW]	= { .type = NLA_REJECT },
};

static const struct nla_policy dsr_config_cmd_policy[DSR_A_INFO + 1] = {
	[DSR_A_SERVICE]	= { .type = NLA_REJECT },
	[DSR_A_DEST]	= { .type = NLA_REJECT },
	[DSR_A_INFO]	= NLA_POLICY_NESTED(dsr_info_policy),
};

static struct dsr_net *dsr_nl_net(struct genl_info *info)
{
	return dsr_pernet(genl_info_net(info));
}

/* Parsing */

static bool dsr_nl_unicast4(__be32 addr)
{
	return !ipv4_is_zeronet(addr) && !ipv4_is_multicast(addr) &&
	       !ipv4_is_lbcast(addr) && !ipv4_is_loopback(addr);
}

/* A global or unique-local unicast address: one a client can reach. */
static bool dsr_nl_unicast6(const struct in6_addr *addr)
{
	int type = ipv6_addr_type(addr);

	return (type & IPV6_ADDR_UNICAST) &&
	       !(type & (IPV6_ADDR_LOOPBACK | IPV6_ADDR_LINKLOCAL |
			 IPV6_ADDR_MAPPED | IPV6_ADDR_SITELOCAL));
}

static int dsr_nl_parse_service(struct nlattr *nest, struct nlattr **tb,
				struct dsr_service_key *key,
				struct netlink_ext_ack *extack)
{
	struct nlattr *attr;
	bool ok;
	int err;

	if (!nest) {
		NL_SET_ERR_MSG(extack, "a service is required");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, DSR_A_SERVICE_MAX, nest, dsr_service_policy,
			       extack);
	if (err)
		return err;

	memset(key, 0, sizeof(*key));
	if (tb[DSR_A_SERVICE_FWMARK]) {
		if (tb[DSR_A_SERVICE_PROTOCOL] || tb[DSR_A_SERVICE_ADDR4] ||
		    tb[DSR_A_SERVICE_ADDR6] || tb[DSR_A_SERVICE_PORT]) {
			NL_SET_ERR_MSG_ATTR(extack, tb[DSR_A_SERVICE_FWMARK],
					    "a fwmark service is named by its mark alone, without protocol, address or port");
			return -EINVAL;
		}
		key->fwmark = nla_get_u32(tb[DSR_A_SERVICE_FWMARK]);
		if (!key->fwmark) {
			NL_SET_ERR_MSG_ATTR(extack, tb[DSR_A_SERVICE_FWMARK],
					    "fwmark must be 1-4294967295");
			return -EINVAL;
		}
		key->af = AF_INET;
		attr = tb[DSR_A_SERVICE_FAMILY];
		if (attr)
			key->af = nla_get_u8(attr);
		if (key->af != AF_INET && key->af != AF_INET6) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "family must be AF_INET or AF_INET6");
			return -EINVAL;
		}
		return 0;
	}
	if (tb[DSR_A_SERVICE_FAMILY]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[DSR_A_SERVICE_FAMILY],
				    "the family is given only with a fwmark: an address has its own");
		return -EINVAL;
	}
	if (!tb[DSR_A_SERVICE_PROTOCOL]) {
		NL_SET_ERR_ATTR_MISS(extack, nest, DSR_A_SERVICE_PROTOCOL);
		NL_SET_ERR_MSG(extack, "service protocol is required");
		return -EINVAL;
	}
	key->protocol = nla_get_u8(tb[DSR_A_SERVICE_PROTOCOL]);
	if (key->protocol != IPPROTO_TCP && key->protocol != IPPROTO_UDP) {
		NL_SET_ERR_MSG_ATTR(extack, tb[DSR_A_SERVICE_PROTOCOL],
				    "service protocol must be TCP or UDP");
		return -EINVAL;
	}
	if (!!tb[DSR_A_SERVICE_ADDR4] == !!tb[DSR_A_SERVICE_ADDR6]) {
		NL_SET_ERR_MSG(extack,
			       "service needs exactly one address, IPv4 or IPv6");
		return -EINVAL;
	}
	if (tb[DSR_A_SERVICE_ADDR6]) {
		key->af = AF_INET6;
		key->addr.in6 = nla_get_in6_addr(tb[DSR_A_SERVICE_ADDR6]);
		ok = dsr_nl_unicast6(&key->addr.in6);
	} else {
		key->af = AF_INET;
		key->addr.ip = nla_get_in_addr(tb[DSR_A_SERVICE_ADDR4]);
		ok = dsr_nl_unicast4(key->addr.ip);
	}
	if (!ok) {
		NL_SET_ERR_MSG_ATTR(extack, tb[DSR_A_SERVICE_ADDR4] ?:
				    tb[DSR_A_SERVICE_ADDR6],
				    "service address must be a unicast address");
		return -EINVAL;
	}
	if (!tb[DSR_A_SERVICE_PORT]) {
		NL_SET_ERR_ATTR_MISS(extack, nest, DSR_A_SERVICE_PORT);
		NL_SET_ERR_MSG(extack, "service port is required");
		return -EINVAL;
	}
	key->port = nla_get_be16(tb[DSR_A_SERVICE_PORT]);
	if (!key->port) {
		NL_SET_ERR_MSG_ATTR(extack, tb[DSR_A_SERVICE_PORT],
				    "service port must be 1-65535");
		return -EINVAL;
	}
	return 0;
}

/* Parse the service of a request and find it; caller holds dsr_net.lock. */
static struct dsr_service *dsr_nl_get_service(struct dsr_net *dn,
					      struct nlattr *nest,
					      struct netlink_ext_ack *extack)
{
	struct nlattr *tb[DSR_A_SERVICE_MAX + 1];
	struct dsr_service_key key;
	struct dsr_service *svc;
	int err;

	err = dsr_nl_parse_service(nest, tb, &key, extack);
	if (err)
		return ERR_PTR(err);
	if (tb[DSR_A_SERVICE_SCHED_NAME] || tb[DSR_A_SERVICE_FLAGS] ||
	    tb[DSR_A_SERVICE_TIMEOUT] || tb[DSR_A_SERVICE_NETMASK] ||
	    tb[DSR_A_SERVICE_PREFIX_LEN6] || tb[DSR_A_SERVICE_TUN_SRC4] ||
	    tb[DSR_A_SERVICE_TUN_SRC_PLEN] || tb[DSR_A_SERVICE_SCHED_TABLE] ||
	    tb[DSR_A_SERVICE_PE_NAME]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "only the service's key (protocol, address and port, or fwmark) may be given here");
		return ERR_PTR(-EINVAL);
	}
	svc = dsr_service_find(dn, &key);
	if (!svc) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "service not found");
		return ERR_PTR(-ESRCH);
	}
	return svc;
}

static int dsr_nl_parse_sched(struct nlattr **tb,
			      const struct dsr_sched_ops **sched,
			      struct netlink_ext_ack *extack)
{
	struct nlattr *attr = tb[DSR_A_SERVICE_SCHED_NAME];

	*sched = dsr_sched_find(attr ? nla_data(attr) : "mh");
	if (!*sched) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "unknown scheduler (available: mh sh rr wrr lc wlc)");
		return -ENOENT;
	}
	return 0;
}

static int dsr_nl_parse_table_size(struct nlattr **tb, u32 *size,
				   struct netlink_ext_ack *extack)
{
	struct nlattr *attr = tb[DSR_A_SERVICE_SCHED_TABLE];

	if (!attr)
		return 0;
	*size = nla_get_u32(attr);
	if (*size && !dsr_sched_table_size_ok(*size)) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "lookup table size must be a prime from 7 to 1048573, or 0 for the default");
		return -EINVAL;
	}
	return 0;
}

/* The extack for a failed rebuild of a service's scheduling set. */
static void dsr_nl_rebuild_error(int err, struct netlink_ext_ack *extack)
{
	if (err == -E2BIG)
		NL_SET_ERR_MSG(extack,
			       "more real servers than the lookup table has slots (raise the table size)");
	else
		NL_SET_ERR_MSG(extack,
			       "out of memory; the service is unchanged");
}

/* Flags a service of @key may have together; @attr for the message. */
static int dsr_nl_check_flags(const struct dsr_service_key *key, u32 flags,
			      const struct nlattr *attr,
			      struct netlink_ext_ack *extack)
{
	if (!(flags & DSR_SERVICE_F_ONEPACKET))
		return 0;
	if (key->protocol == IPPROTO_TCP) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "one-packet scheduling is only for UDP services");
		return -EINVAL;
	}
	if (flags & DSR_SERVICE_F_STATELESS) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "one-packet scheduling and stateless exclude each other: one schedules every datagram, the other hashes it");
		return -EINVAL;
	}
	return 0;
}

/*
 * Persistence, from @persist (the current one, or none) and the request's
 * attributes, for a service that will have @flags. It lives in the flow
 * table, so a stateless service cannot have it.
 */
static int dsr_nl_parse_persist(struct nlattr **tb,
				const struct dsr_service_key *key,
				union dsr_persist *persist, u32 flags,
				struct netlink_ext_ack *extack)
{
	struct nlattr *attr = tb[DSR_A_SERVICE_NETMASK];
	bool v6 = key->af == AF_INET6;
	__be32 mask;

	if (tb[DSR_A_SERVICE_TIMEOUT])
		persist->timeout = nla_get_u32(tb[DSR_A_SERVICE_TIMEOUT]);
	if (v6 && attr) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "an IPv6 service groups clients by a prefix length, not a netmask");
		return -EINVAL;
	}
	if (!v6 && tb[DSR_A_SERVICE_PREFIX_LEN6]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[DSR_A_SERVICE_PREFIX_LEN6],
				    "an IPv4 service groups clients by a netmask, not a prefix length");
		return -EINVAL;
	}
	if (tb[DSR_A_SERVICE_PREFIX_LEN6])
		persist->prefix_len6 = nla_get_u8(tb[DSR_A_SERVICE_PREFIX_LEN6]);
	if (attr) {
		mask = nla_get_in_addr(attr);
		if (inet_make_mask(inet_mask_len(mask)) != mask) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "persistence netmask must be contiguous, as 255.255.255.0");
			return -EINVAL;
		}
		persist->netmask = mask;
	}
	if (persist->timeout && (flags & DSR_SERVICE_F_STATELESS)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[DSR_A_SERVICE_TIMEOUT] ?:
				    tb[DSR_A_SERVICE_FLAGS],
				    "persistence needs the flow table: a stateless service cannot be persistent");
		return -EINVAL;
	}
	return 0;
}

/*
 * The persistence engine, from @pe (the current one, or none) and the
 * request's attributes, for a service of @key.
 */
static int dsr_nl_parse_pe(struct nlattr **tb,
			   const struct dsr_service_key *key, u8 *pe,
			   struct netlink_ext_ack *extack)
{
	struct nlattr *attr = tb[DSR_A_SERVICE_PE_NAME];

	if (attr) {
		if (!nla_strcmp(attr, "sip")) {
			*pe = DSR_PE_SIP;
		} else if (!nla_strcmp(attr, "")) {
			*pe = DSR_PE_NONE;
		} else {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "unknown persistence engine (dsr has sip)");
			return -EINVAL;
		}
	}
	if (*pe == DSR_PE_SIP && key->protocol == IPPROTO_TCP) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "the sip persistence engine reads UDP datagrams: not for a TCP service");
		return -EINVAL;
	}
	return 0;
}

/*
 * The outer source of tunnelled packets, from @cur and the request's
 * attributes: an address (0.0.0.0 = the route's choice) and a prefix length.
 */
static int dsr_nl_parse_tun_src(struct nlattr **tb,
				const struct dsr_service_key *key,
				union dsr_tun_src *src,
				struct netlink_ext_ack *extack)
{
	if (key->af == AF_INET6 &&
	    (tb[DSR_A_SERVICE_TUN_SRC4] || tb[DSR_A_SERVICE_TUN_SRC_PLEN])) {
		NL_SET_ERR_MSG_ATTR(extack, tb[DSR_A_SERVICE_TUN_SRC4] ?:
				    tb[DSR_A_SERVICE_TUN_SRC_PLEN],
				    "an IPv6 service's tunnels leave from the route's source address: no tunnel source");
		return -EINVAL;
	}
	if (tb[DSR_A_SERVICE_TUN_SRC4]) {
		src->addr = nla_get_in_addr(tb[DSR_A_SERVICE_TUN_SRC4]);
		src->plen = 32;
		if (src->addr && !dsr_nl_unicast4(src->addr)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[DSR_A_SERVICE_TUN_SRC4],
					    "tunnel source must be a unicast address, or 0.0.0.0 for the route's own");
			return -EINVAL;
		}
	}
	if (tb[DSR_A_SERVICE_TUN_SRC_PLEN])
		src->plen = nla_get_u8(tb[DSR_A_SERVICE_TUN_SRC_PLEN]);
	if (!src->addr && src->plen != 32) {
		NL_SET_ERR_MSG_ATTR(extack, tb[DSR_A_SERVICE_TUN_SRC_PLEN],
				    "a tunnel source prefix needs a tunnel source address");
		return -EINVAL;
	}
	return 0;
}

/*
 * How a real server is reached, from @fwd (its current way, or the
 * default) and the request's attributes. Options a method does not have
 * are refused when given and dropped when only inherited.
 */
static int dsr_nl_parse_fwd(struct nlattr **tb, u8 af, union dsr_fwd *fwd,
			    struct netlink_ext_ack *extack)
{
	union dsr_fwd new = *fwd;

	if (tb[DSR_A_DEST_FWD_METHOD])
		new.method = nla_get_u8(tb[DSR_A_DEST_FWD_METHOD]);
	if (new.method != DSR_FWD_TUN) {
		struct nlattr *opt = tb[DSR_A_DEST_TUN_TYPE] ?:
				     tb[DSR_A_DEST_TUN_PORT] ?:
				     tb[DSR_A_DEST_TUN_FLAGS];

		if (opt) {
			NL_SET_ERR_MSG_ATTR(extack, opt,
					    "tunnel options need tunnel forwarding");
			return -EINVAL;
		}
		fwd->word = 0;
		fwd->method = new.method;
		return 0;
	}

	if (fwd->method != DSR_FWD_TUN)
		new.tun_type = DSR_TUN_IPIP;
	if (tb[DSR_A_DEST_TUN_TYPE])
		new.tun_type = nla_get_u8(tb[DSR_A_DEST_TUN_TYPE]);
	if (new.tun_type != DSR_TUN_GUE) {
		if (tb[DSR_A_DEST_TUN_PORT]) {
			NL_SET_ERR_MSG_ATTR(extack, tb[DSR_A_DEST_TUN_PORT],
					    "a tunnel port is only for GUE");
			return -EINVAL;
		}
		new.tun_port = 0;
	} else {
		if (tb[DSR_A_DEST_TUN_PORT])
			new.tun_port = nla_get_be16(tb[DSR_A_DEST_TUN_PORT]);
		if (!new.tun_port) {
			NL_SET_ERR_MSG_ATTR(extack, tb[DSR_A_DEST_TUN_PORT],
					    "a GUE tunnel needs its destination port, 1-65535");
			return -EINVAL;
		}
	}
	if (af == AF_INET6 && new.tun_type != DSR_TUN_IPIP) {
		NL_SET_ERR_MSG_ATTR(extack, tb[DSR_A_DEST_TUN_TYPE],
				    "an IPv6 real server is tunnelled by IPIP (IPv6 in IPv6) only");
		return -EOPNOTSUPP;
	}
	if (tb[DSR_A_DEST_TUN_FLAGS])
		new.tun_flags = nla_get_u32(tb[DSR_A_DEST_TUN_FLAGS]);
	if (new.tun_type == DSR_TUN_IPIP && new.tun_flags) {
		if (tb[DSR_A_DEST_TUN_FLAGS]) {
			NL_SET_ERR_MSG_ATTR(extack, tb[DSR_A_DEST_TUN_FLAGS],
					    "IP-in-IP has no checksum of its own; checksums are for GUE and GRE");
			return -EINVAL;
		}
		new.tun_flags = 0;
	}
	*fwd = new;
	return 0;
}

/* Messages */

static int dsr_nl_put_stats(struct sk_buff *skb, int type,
			    const struct dsr_counters *c)
{
	struct dsr_stats st;
	struct nlattr *nest;

	dsr_counters_read(c, &st);
	nest = nla_nest_start(skb, type);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, DSR_A_STATS_CONNS, st.conns,
			      DSR_A_STATS_PAD) ||
	    nla_put_u64_64bit(skb, DSR_A_STATS_PACKETS, st.packets,
			      DSR_A_STATS_PAD) ||
	    nla_put_u64_64bit(skb, DSR_A_STATS_BYTES, st.bytes,
			      DSR_A_STATS_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int dsr_nl_put_service_key(struct sk_buff *skb,
				  const struct dsr_service_key *key)
{
	if (key->fwmark)
		return nla_put_u32(skb, DSR_A_SERVICE_FWMARK, key->fwmark) ||
		       nla_put_u8(skb, DSR_A_SERVICE_FAMILY, key->af) ?
		       -EMSGSIZE : 0;
	if (nla_put_u8(skb, DSR_A_SERVICE_PROTOCOL, key->protocol) ||
	    nla_put_be16(skb, DSR_A_SERVICE_PORT, key->port))
		return -EMSGSIZE;
	if (key->af == AF_INET)
		return nla_put_in_addr(skb, DSR_A_SERVICE_ADDR4, key->addr.ip);
	return nla_put_in6_addr(skb, DSR_A_SERVICE_ADDR6, &key->addr.in6);
}

/* The lookup table in use: its size and digest, 0 without one. */
static int dsr_nl_put_sched_table(struct sk_buff *skb,
				  const struct dsr_service *svc)
{
	const struct dsr_dest_set *set;
	u64 digest = 0;
	u32 size = 0;

	rcu_read_lock();
	set = rcu_dereference(svc->usable);
	if (set) {
		size = set->table_size;
		digest = set->digest;
	}
	rcu_read_unlock();
	if (nla_put_u32(skb, DSR_A_SERVICE_SCHED_TABLE, size) ||
	    nla_put_u64_64bit(skb, DSR_A_SERVICE_SCHED_DIGEST, digest,
			      DSR_A_SERVICE_PAD))
		return -EMSGSIZE;
	return 0;
}

/* How persistence groups clients: a netmask, or a prefix length. */
static int dsr_nl_put_netmask(struct sk_buff *skb,
			      const struct dsr_service *svc)
{
	union dsr_persist persist = { .word = READ_ONCE(svc->persist.word) };

	if (svc->key.af == AF_INET6)
		return nla_put_u8(skb, DSR_A_SERVICE_PREFIX_LEN6,
				  persist.prefix_len6);
	return nla_put_in_addr(skb, DSR_A_SERVICE_NETMASK, persist.netmask);
}

/* The service nest: its key only, or everything about it. */
static int dsr_nl_put_service(struct sk_buff *skb,
			      const struct dsr_service *svc, bool full)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, DSR_A_SERVICE);
	if (!nest)
		return -EMSGSIZE;
	if (dsr_nl_put_service_key(skb, &svc->key))
		goto cancel;
	if (full &&
	    (nla_put_string(skb, DSR_A_SERVICE_SCHED_NAME, svc->sched->name) ||
	     nla_put_u32(skb, DSR_A_SERVICE_FLAGS, svc->flags) ||
	     nla_put_u32(skb, DSR_A_SERVICE_TIMEOUT, svc->persist.timeout) ||
	     dsr_nl_put_netmask(skb, svc) ||
	     nla_put_u32(skb, DSR_A_SERVICE_DEST_COUNT, svc->dest_count) ||
	     dsr_nl_put_stats(skb, DSR_A_SERVICE_STATS, &svc->stats) ||
	     dsr_nl_put_sched_table(skb, svc)))
		goto cancel;
	/* Read without the lock by dumps, hence READ_ONCE. */
	if (full && READ_ONCE(svc->pe) == DSR_PE_SIP &&
	    nla_put_string(skb, DSR_A_SERVICE_PE_NAME, "sip"))
		goto cancel;
	if (full && svc->tun_src.addr &&
	    (nla_put_in_addr(skb, DSR_A_SERVICE_TUN_SRC4, svc->tun_src.addr) ||
	     nla_put_u8(skb, DSR_A_SERVICE_TUN_SRC_PLEN, svc->tun_src.plen)))
		goto cancel;
	nla_nest_end(skb, nest);
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int dsr_nl_put_dest(struct sk_buff *skb, const struct dsr_dest *dest)
{
	struct nlattr *nest;
	bool locked;
	int err;

	nest = nla_nest_start(skb, DSR_A_DEST);
	if (!nest)
		return -EMSGSIZE;
	if (dest->af == AF_INET)
		err = nla_put_in_addr(skb, DSR_A_DEST_ADDR4, dest->addr.ip);
	else
		err = nla_put_in6_addr(skb, DSR_A_DEST_ADDR6, &dest->addr.in6);
	if (err ||
	    nla_put_be16(skb, DSR_A_DEST_PORT, dest->port) ||
	    nla_put_u8(skb, DSR_A_DEST_FWD_METHOD, dest->fwd.method) ||
	    nla_put_u32(skb, DSR_A_DEST_WEIGHT, dest->weight) ||
	    nla_put_u32(skb, DSR_A_DEST_ACTIVE_FLOWS,
			atomic_read(&dest->active_flows)) ||
	    nla_put_u32(skb, DSR_A_DEST_INACTIVE_FLOWS,
			atomic_read(&dest->inactive_flows)) ||
	    dsr_nl_put_stats(skb, DSR_A_DEST_STATS, &dest->stats) ||
	    nla_put_u32(skb, DSR_A_DEST_TUN_PMTU, dsr_dest_pmtu(dest, &locked)) ||
	    nla_put_u32(skb, DSR_A_DEST_U_THRESHOLD, dest->thresh.upper) ||
	    nla_put_u32(skb, DSR_A_DEST_L_THRESHOLD, dest->thresh.lower) ||
	    nla_put_u32(skb, DSR_A_DEST_PERSIST_FLOWS,
			atomic_read(&dest->persist_flows)))
		goto cancel;
	if (dest->fwd.method == DSR_FWD_TUN &&
	    (nla_put_u8(skb, DSR_A_DEST_TUN_TYPE, dest->fwd.tun_type) ||
	     nla_put_u32(skb, DSR_A_DEST_TUN_FLAGS, dest->fwd.tun_flags) ||
	     (dest->fwd.tun_port &&
	      nla_put_be16(skb, DSR_A_DEST_TUN_PORT, dest->fwd.tun_port))))
		goto cancel;
	nla_nest_end(skb, nest);
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int dsr_nl_fill_service(struct sk_buff *skb,
			       const struct dsr_service *svc, u32 portid,
			       u32 seq, int flags, u8 cmd,
			       struct netlink_callback *cb)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &dsr_genl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	if (dsr_nl_put_service(skb, svc, true)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int dsr_nl_fill_dest(struct sk_buff *skb, const struct dsr_dest *dest,
			    u32 portid, u32 seq, int flags, u8 cmd,
			    struct netlink_callback *cb)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &dsr_genl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	if (dsr_nl_put_service(skb, dest->svc, false) ||
	    dsr_nl_put_dest(skb, dest)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * Tell listeners on the events group about a service, or about one of its
 * real servers when @dest is set; losing an event is not an error.
 */
static void dsr_nl_notify(struct dsr_net *dn, const struct dsr_service *svc,
			  const struct dsr_dest *dest, u8 cmd)
{
	struct sk_buff *skb;
	int err;

	if (!genl_has_listeners(&dsr_genl_family, dn->net, 0))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	if (dest)
		err = dsr_nl_fill_dest(skb, dest, 0, 0, 0, cmd, NULL);
	else
		err = dsr_nl_fill_service(skb, svc, 0, 0, 0, cmd, NULL);
	if (err) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_multicast_netns(&dsr_genl_family, dn->net, skb, 0, 0,
				GFP_KERNEL);
}

static void dsr_nl_notify_service(struct dsr_net *dn,
				  const struct dsr_service *svc, u8 cmd)
{
	dsr_nl_notify(dn, svc, NULL, cmd);
}

static void dsr_nl_notify_dest(struct dsr_net *dn,
			       const struct dsr_dest *dest, u8 cmd)
{
	dsr_nl_notify(dn, dest->svc, dest, cmd);
}

/* Services */

static int dsr_nl_service_new(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[DSR_A_SERVICE_MAX + 1];
	struct dsr_net *dn = dsr_nl_net(info);
	const struct dsr_sched_ops *sched;
	union dsr_tun_src tun_src = { .plen = 32 };
	union dsr_persist persist = { .netmask = htonl(0xffffffff) };
	struct dsr_service_key key;
	struct dsr_service *svc;
	u32 flags = 0, table_size = 0;
	u8 pe = DSR_PE_NONE;
	int err;

	err = dsr_nl_parse_service(info->attrs[DSR_A_SERVICE], tb, &key,
				   info->extack);
	if (err)
		return err;
	err = dsr_nl_parse_sched(tb, &sched, info->extack);
	if (err)
		return err;
	err = dsr_nl_parse_table_size(tb, &table_size, info->extack);
	if (err)
		return err;
	if (tb[DSR_A_SERVICE_FLAGS])
		flags = nla_get_u32(tb[DSR_A_SERVICE_FLAGS]);
	err = dsr_nl_check_flags(&key, flags, tb[DSR_A_SERVICE_FLAGS],
				 info->extack);
	if (err)
		return err;
	err = dsr_nl_parse_tun_src(tb, &key, &tun_src, info->extack);
	if (err)
		return err;
	if (key.af == AF_INET6)
		persist.prefix_len6 = 128;
	err = dsr_nl_parse_persist(tb, &key, &persist, flags, info->extack);
	if (err)
		return err;
	err = dsr_nl_parse_pe(tb, &key, &pe, info->extack);
	if (err)
		return err;

	mutex_lock(&dn->lock);
	if (dsr_service_find(dn, &key)) {
		NL_SET_ERR_MSG(info->extack, "service already exists");
		err = -EEXIST;
		goto out;
	}
	if (dn->service_count >= dn->service_max) {
		NL_SET_ERR_MSG(info->extack,
			       "the namespace's service limit is reached (dsradm --set-service-limit)");
		err = -ENOSPC;
		goto out;
	}
	svc = dsr_service_add(dn, &key, sched, flags, table_size);
	if (IS_ERR(svc)) {
		err = PTR_ERR(svc);
		NL_SET_ERR_MSG(info->extack, "cannot add service: out of memory");
		goto out;
	}
	/* Published, but without real servers nothing is forwarded yet. */
	WRITE_ONCE(svc->tun_src.word, tun_src.word);
	WRITE_ONCE(svc->persist.word, persist.word);
	WRITE_ONCE(svc->pe, pe);
	dsr_nl_notify_service(dn, svc, DSR_CMD_SERVICE_NEW_NTF);
out:
	mutex_unlock(&dn->lock);
	return err;
}

static int dsr_nl_service_set(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[DSR_A_SERVICE_MAX + 1];
	struct dsr_net *dn = dsr_nl_net(info);
	const struct dsr_sched_ops *sched, *old_sched;
	u32 table_size, old_flags, old_table_size;
	struct dsr_service_key key;
	union dsr_persist persist;
	union dsr_tun_src tun_src;
	struct dsr_service *svc;
	int err;
	u8 pe;

	err = dsr_nl_parse_service(info->attrs[DSR_A_SERVICE], tb, &key,
				   info->extack);
	if (err)
		return err;
	sched = NULL;
	if (tb[DSR_A_SERVICE_SCHED_NAME]) {
		err = dsr_nl_parse_sched(tb, &sched, info->extack);
		if (err)
			return err;
	}
	table_size = U32_MAX;	/* unchanged */
	err = dsr_nl_parse_table_size(tb, &table_size, info->extack);
	if (err)
		return err;

	mutex_lock(&dn->lock);
	svc = dsr_service_find(dn, &key);
	if (!svc) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[DSR_A_SERVICE],
				    "service not found");
		err = -ESRCH;
		goto out;
	}
	if (tb[DSR_A_SERVICE_FLAGS]) {
		err = dsr_nl_check_flags(&key,
					 nla_get_u32(tb[DSR_A_SERVICE_FLAGS]),
					 tb[DSR_A_SERVICE_FLAGS], info->extack);
		if (err)
			goto out;
	}
	tun_src = svc->tun_src;
	err = dsr_nl_parse_tun_src(tb, &key, &tun_src, info->extack);
	if (err)
		goto out;
	persist = svc->persist;
	err = dsr_nl_parse_persist(tb, &key, &persist,
				   tb[DSR_A_SERVICE_FLAGS] ?
				   nla_get_u32(tb[DSR_A_SERVICE_FLAGS]) :
				   svc->flags, info->extack);
	if (err)
		goto out;
	pe = svc->pe;
	err = dsr_nl_parse_pe(tb, &key, &pe, info->extack);
	if (err)
		goto out;
	old_sched = svc->sched;
	old_flags = svc->flags;
	old_table_size = svc->table_size;
	if (sched)
		svc->sched = sched;
	if (tb[DSR_A_SERVICE_FLAGS])
		svc->flags = nla_get_u32(tb[DSR_A_SERVICE_FLAGS]);
	if (table_size != U32_MAX)
		svc->table_size = table_size;
	if (svc->sched != old_sched || svc->flags != old_flags ||
	    svc->table_size != old_table_size) {
		/* The new set carries the scheduler, flags and table. */
		err = dsr_service_rebuild(dn, svc, NULL);
		if (err) {
			svc->sched = old_sched;
			svc->flags = old_flags;
			svc->table_size = old_table_size;
			dsr_nl_rebuild_error(err, info->extack);
			goto out;
		}
		dn->generation++;
	}
	/* Last: nothing after it can fail, so a refusal changes nothing. */
	if (tun_src.word != svc->tun_src.word) {
		WRITE_ONCE(svc->tun_src.word, tun_src.word);
		dn->generation++;
	}
	if (persist.word != svc->persist.word) {
		WRITE_ONCE(svc->persist.word, persist.word);
		dn->generation++;
	}
	if (pe != svc->pe) {
		WRITE_ONCE(svc->pe, pe);
		dn->generation++;
	}
	dsr_nl_notify_service(dn, svc, DSR_CMD_SERVICE_NEW_NTF);
out:
	mutex_unlock(&dn->lock);
	return err;
}

static int dsr_nl_service_del(struct sk_buff *skb, struct genl_info *info)
{
	struct dsr_net *dn = dsr_nl_net(info);
	struct dsr_service *svc;
	int err = 0;

	mutex_lock(&dn->lock);
	svc = dsr_nl_get_service(dn, info->attrs[DSR_A_SERVICE], info->extack);
	if (IS_ERR(svc)) {
		err = PTR_ERR(svc);
		goto out;
	}
	dsr_nl_notify_service(dn, svc, DSR_CMD_SERVICE_DEL_NTF);
	dsr_service_del(dn, svc);
out:
	mutex_unlock(&dn->lock);
	return err;
}

static int dsr_nl_service_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct dsr_net *dn = dsr_nl_net(info);
	struct dsr_service *svc;
	struct sk_buff *msg;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	mutex_lock(&dn->lock);
	svc = dsr_nl_get_service(dn, info->attrs[DSR_A_SERVICE], info->extack);
	if (IS_ERR(svc)) {
		err = PTR_ERR(svc);
		goto err_unlock;
	}
	err = dsr_nl_fill_service(msg, svc, info->snd_portid, info->snd_seq,
				  0, DSR_CMD_SERVICE_GET, NULL);
	if (err)
		goto err_unlock;
	mutex_unlock(&dn->lock);
	return genlmsg_reply(msg, info);

err_unlock:
	mutex_unlock(&dn->lock);
	nlmsg_free(msg);
	return err;
}

/* cb->args[0]: hash bucket, cb->args[1]: entries already sent from it. */
static int dsr_nl_service_get_dumpit(struct sk_buff *skb,
				     struct netlink_callback *cb)
{
	struct dsr_net *dn = dsr_pernet(sock_net(skb->sk));
	unsigned long bkt = cb->args[0], idx;
	struct dsr_service *svc;
	int err = 0;

	mutex_lock(&dn->lock);
	cb->seq = dn->generation;
	for (; bkt < HASH_SIZE(dn->services); bkt++) {
		idx = 0;
		hlist_for_each_entry(svc, &dn->services[bkt], node) {
			if (idx++ < cb->args[1])
				continue;
			err = dsr_nl_fill_service(skb, svc,
						  NETLINK_CB(cb->skb).portid,
						  cb->nlh->nlmsg_seq,
						  NLM_F_MULTI,
						  DSR_CMD_SERVICE_GET, cb);
			if (err)
				goto out;
			cb->args[1] = idx;
		}
		cb->args[1] = 0;
	}
out:
	cb->args[0] = bkt;
	mutex_unlock(&dn->lock);
	/* A full buffer ends this part of the dump, not the dump. */
	return err == -EMSGSIZE ? skb->len : err ? err : skb->len;
}

/* Destinations */

static int dsr_nl_parse_dest(struct nlattr *nest, struct nlattr **tb,
			     const struct dsr_service *svc,
			     union nf_inet_addr *addr, __be16 *port,
			     struct netlink_ext_ack *extack)
{
	bool ok;
	int err;

	if (!nest) {
		NL_SET_ERR_MSG(extack, "a real server is required");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, DSR_A_DEST_MAX, nest, dsr_dest_policy,
			       extack);
	if (err)
		return err;

	memset(addr, 0, sizeof(*addr));
	if (!!tb[DSR_A_DEST_ADDR4] == !!tb[DSR_A_DEST_ADDR6]) {
		NL_SET_ERR_MSG(extack,
			       "real server needs exactly one address, IPv4 or IPv6");
		return -EINVAL;
	}
	if (!!tb[DSR_A_DEST_ADDR6] != (svc->key.af == AF_INET6)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[DSR_A_DEST_ADDR4] ?:
				    tb[DSR_A_DEST_ADDR6],
				    "real server address family must match the service: dsr does not tunnel between families");
		return -EINVAL;
	}
	if (tb[DSR_A_DEST_ADDR6]) {
		addr->in6 = nla_get_in6_addr(tb[DSR_A_DEST_ADDR6]);
		ok = dsr_nl_unicast6(&addr->in6);
	} else {
		addr->ip = nla_get_in_addr(tb[DSR_A_DEST_ADDR4]);
		ok = dsr_nl_unicast4(addr->ip);
	}
	if (!ok) {
		NL_SET_ERR_MSG_ATTR(extack, tb[DSR_A_DEST_ADDR4] ?:
				    tb[DSR_A_DEST_ADDR6],
				    "real server address must be a unicast address");
		return -EINVAL;
	}
	*port = svc->key.port;
	if (svc->key.fwmark && tb[DSR_A_DEST_PORT] &&
	    nla_get_be16(tb[DSR_A_DEST_PORT])) {
		NL_SET_ERR_MSG_ATTR(extack, tb[DSR_A_DEST_PORT],
				    "a real server of a fwmark service has no port: direct server return keeps the client's destination port");
		return -EINVAL;
	}
	if (tb[DSR_A_DEST_PORT] && nla_get_be16(tb[DSR_A_DEST_PORT]) &&
	    nla_get_be16(tb[DSR_A_DEST_PORT]) != svc->key.port) {
		NL_SET_ERR_MSG_ATTR(extack, tb[DSR_A_DEST_PORT],
				    "direct server return cannot map ports: the real server port must equal the service port");
		return -EINVAL;
	}
	return 0;
}

/*
 * Connection thresholds, from @thresh (the current ones, or none) and the
 * request's attributes: the lower one may not exceed the upper one.
 */
static int dsr_nl_parse_thresh(struct nlattr **tb, union dsr_thresh *thresh,
			       struct netlink_ext_ack *extack)
{
	if (tb[DSR_A_DEST_U_THRESHOLD])
		thresh->upper = nla_get_u32(tb[DSR_A_DEST_U_THRESHOLD]);
	if (tb[DSR_A_DEST_L_THRESHOLD])
		thresh->lower = nla_get_u32(tb[DSR_A_DEST_L_THRESHOLD]);
	if (thresh->lower > thresh->upper) {
		NL_SET_ERR_MSG_ATTR(extack, tb[DSR_A_DEST_L_THRESHOLD] ?:
				    tb[DSR_A_DEST_U_THRESHOLD],
				    "lower connection threshold above the upper one (a lower one needs an upper one)");
		return -ERANGE;
	}
	return 0;
}

static int dsr_nl_dest_new(struct sk_buff *skb, struct genl_info *info)
{
	union dsr_fwd fwd = { .method = DSR_FWD_DR };
	struct dsr_net *dn = dsr_nl_net(info);
	struct nlattr *tb[DSR_A_DEST_MAX + 1];
	union dsr_thresh thresh = {};
	union nf_inet_addr addr;
	struct dsr_service *svc;
	struct dsr_dest *dest;
	u32 weight = 1;
	__be16 port;
	int err;

	mutex_lock(&dn->lock);
	svc = dsr_nl_get_service(dn, info->attrs[DSR_A_SERVICE], info->extack);
	if (IS_ERR(svc)) {
		err = PTR_ERR(svc);
		goto out;
	}
	err = dsr_nl_parse_dest(info->attrs[DSR_A_DEST], tb, svc, &addr, &port,
				info->extack);
	if (err)
		goto out;
	err = dsr_nl_parse_fwd(tb, svc->key.af, &fwd, info->extack);
	if (err)
		goto out;
	if (tb[DSR_A_DEST_WEIGHT])
		weight = nla_get_u32(tb[DSR_A_DEST_WEIGHT]);
	err = dsr_nl_parse_thresh(tb, &thresh, info->extack);
	if (err)
		goto out;
	if (dsr_dest_find(svc, &addr, port)) {
		NL_SET_ERR_MSG(info->extack, "real server already exists");
		err = -EEXIST;
		goto out;
	}
	if (svc->dest_count >= dn->dest_max) {
		NL_SET_ERR_MSG(info->extack,
			       "the service's real-server limit is reached (dsradm --set-server-limit)");
		err = -ENOSPC;
		goto out;
	}
	dest = dsr_dest_add(dn, svc, &addr, port, fwd, weight);
	if (IS_ERR(dest)) {
		err = PTR_ERR(dest);
		dsr_nl_rebuild_error(err, info->extack);
		goto out;
	}
	/* Published already, and a new server has no connections. */
	WRITE_ONCE(dest->thresh.word, thresh.word);
	dsr_nl_notify_dest(dn, dest, DSR_CMD_DEST_NEW_NTF);
out:
	mutex_unlock(&dn->lock);
	return err;
}

/* DEST_DEL names a real server and asks for nothing else. */
static int dsr_nl_check_dest_key_only(struct nlattr **tb,
				      struct netlink_ext_ack *extack)
{
	if (tb[DSR_A_DEST_FWD_METHOD] || tb[DSR_A_DEST_WEIGHT] ||
	    tb[DSR_A_DEST_TUN_TYPE] || tb[DSR_A_DEST_TUN_PORT] ||
	    tb[DSR_A_DEST_TUN_FLAGS] || tb[DSR_A_DEST_U_THRESHOLD] ||
	    tb[DSR_A_DEST_L_THRESHOLD]) {
		NL_SET_ERR_MSG(extack,
			       "only the real server's address and port may be given when deleting it");
		return -EINVAL;
	}
	return 0;
}

/*
 * The existing real server a DEST_SET or DEST_DEL request names, after
 * @check (when given) has accepted the rest of its attributes (parsed
 * into @tb).
 * Caller holds dsr_net.lock.
 */
static struct dsr_dest *
dsr_nl_get_dest(struct dsr_net *dn, struct genl_info *info, struct nlattr **tb,
		int (*check)(struct nlattr **tb, struct netlink_ext_ack *extack))
{
	struct nlattr *nest = info->attrs[DSR_A_DEST];
	union nf_inet_addr addr;
	struct dsr_service *svc;
	struct dsr_dest *dest;
	__be16 port;
	int err;

	svc = dsr_nl_get_service(dn, info->attrs[DSR_A_SERVICE], info->extack);
	if (IS_ERR(svc))
		return ERR_CAST(svc);
	err = dsr_nl_parse_dest(nest, tb, svc, &addr, &port, info->extack);
	if (err)
		return ERR_PTR(err);
	err = check ? check(tb, info->extack) : 0;
	if (err) {
		if (!info->extack->bad_attr)
			NL_SET_BAD_ATTR(info->extack, nest);
		return ERR_PTR(err);
	}
	dest = dsr_dest_find(svc, &addr, port);
	if (!dest) {
		NL_SET_ERR_MSG_ATTR(info->extack, nest, "real server not found");
		return ERR_PTR(-ESRCH);
	}
	return dest;
}

static int dsr_nl_dest_set(struct sk_buff *skb, struct genl_info *info)
{
	struct dsr_net *dn = dsr_nl_net(info);
	struct nlattr *tb[DSR_A_DEST_MAX + 1];
	union dsr_thresh thresh;
	struct dsr_dest *dest;
	union dsr_fwd fwd;
	int err = 0;

	mutex_lock(&dn->lock);
	/* Its options are judged against the real server's current ones. */
	dest = dsr_nl_get_dest(dn, info, tb, NULL);
	if (IS_ERR(dest)) {
		err = PTR_ERR(dest);
		goto out;
	}
	fwd = dest->fwd;
	err = dsr_nl_parse_fwd(tb, dest->af, &fwd, info->extack);
	if (err) {
		if (!info->extack->bad_attr)
			NL_SET_BAD_ATTR(info->extack, info->attrs[DSR_A_DEST]);
		goto out;
	}
	thresh = dest->thresh;
	err = dsr_nl_parse_thresh(tb, &thresh, info->extack);
	if (err)
		goto out;
	if (tb[DSR_A_DEST_WEIGHT]) {
		err = dsr_dest_set_weight(dn, dest->svc, dest,
					  nla_get_u32(tb[DSR_A_DEST_WEIGHT]));
		if (err) {
			NL_SET_ERR_MSG(info->extack, "cannot change weight: out of memory");
			goto out;
		}
		dn->generation++;
	}
	if (fwd.word != dest->fwd.word) {
		/* The cached route names its method: the other looks up its own. */
		WRITE_ONCE(dest->fwd.word, fwd.word);
		dn->generation++;
	}
	if (thresh.word != dest->thresh.word) {
		/*
		 * As IPVS: without an upper threshold a server is never
		 * overloaded, also after one is set again. New thresholds
		 * otherwise apply at the next connection, with the flag
		 * kept while the count lies between them.
		 */
		if (!thresh.upper)
			WRITE_ONCE(dest->overloaded, false);
		WRITE_ONCE(dest->thresh.word, thresh.word);
		dn->generation++;
	}
	dsr_nl_notify_dest(dn, dest, DSR_CMD_DEST_NEW_NTF);
out:
	mutex_unlock(&dn->lock);
	return err;
}

static int dsr_nl_dest_del(struct sk_buff *skb, struct genl_info *info)
{
	struct dsr_net *dn = dsr_nl_net(info);
	struct nlattr *tb[DSR_A_DEST_MAX + 1];
	struct dsr_dest *dest;
	int err = 0;

	mutex_lock(&dn->lock);
	dest = dsr_nl_get_dest(dn, info, tb, dsr_nl_check_dest_key_only);
	if (IS_ERR(dest)) {
		err = PTR_ERR(dest);
		goto out;
	}
	/* Held over the removal, so that the notification can name it. */
	refcount_inc(&dest->refcnt);
	err = dsr_dest_del(dn, dest, true);
	if (err)
		dsr_nl_rebuild_error(err, info->extack);
	else
		dsr_nl_notify_dest(dn, dest, DSR_CMD_DEST_DEL_NTF);
	dsr_dest_put(dest);
out:
	mutex_unlock(&dn->lock);
	return err;
}

/* cb->args[0]: destinations already sent. */
static int dsr_nl_dest_get_dumpit(struct sk_buff *skb,
				  struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct dsr_net *dn = dsr_pernet(sock_net(skb->sk));
	struct dsr_service *svc;
	struct dsr_dest *dest;
	unsigned long idx = 0;
	int err = 0;

	mutex_lock(&dn->lock);
	cb->seq = dn->generation;
	svc = dsr_nl_get_service(dn, info->attrs[DSR_A_SERVICE], cb->extack);
	if (IS_ERR(svc)) {
		err = PTR_ERR(svc);
		goto out;
	}
	list_for_each_entry(dest, &svc->dests, list) {
		if (idx++ < cb->args[0])
			continue;
		err = dsr_nl_fill_dest(skb, dest, NETLINK_CB(cb->skb).portid,
				       cb->nlh->nlmsg_seq, NLM_F_MULTI,
				       DSR_CMD_DEST_GET, cb);
		if (err)
			break;
		cb->args[0] = idx;
	}
out:
	mutex_unlock(&dn->lock);
	return err == -EMSGSIZE ? skb->len : err ? err : skb->len;
}

/* Whole-namespace commands */

static int dsr_nl_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct dsr_net *dn = dsr_nl_net(info);
	struct dsr_service *svc;
	struct hlist_node *tmp;
	int bkt;

	mutex_lock(&dn->lock);
	/* One event per service, as if each had been deleted on its own. */
	hash_for_each_safe(dn->services, bkt, tmp, svc, node) {
		dsr_nl_notify_service(dn, svc, DSR_CMD_SERVICE_DEL_NTF);
		dsr_service_del(dn, svc);
		/* Tens of thousands of services: let others have the CPU. */
		cond_resched();
	}
	mutex_unlock(&dn->lock);
	return 0;
}

static void dsr_nl_zero_service(struct dsr_service *svc)
{
	struct dsr_dest *dest;

	dsr_counters_zero(&svc->stats);
	list_for_each_entry(dest, &svc->dests, list)
		dsr_counters_zero(&dest->stats);
}

static int dsr_nl_zero(struct sk_buff *skb, struct genl_info *info)
{
	struct dsr_net *dn = dsr_nl_net(info);
	struct dsr_service *svc;
	int err = 0, bkt;

	mutex_lock(&dn->lock);
	if (info->attrs[DSR_A_SERVICE]) {
		svc = dsr_nl_get_service(dn, info->attrs[DSR_A_SERVICE],
					 info->extack);
		if (IS_ERR(svc))
			err = PTR_ERR(svc);
		else
			dsr_nl_zero_service(svc);
	} else {
		hash_for_each(dn->services, bkt, svc, node)
			dsr_nl_zero_service(svc);
	}
	mutex_unlock(&dn->lock);
	return err;
}

static int dsr_nl_put_info(struct sk_buff *skb, struct dsr_net *dn)
{
	u64 drops[__DSR_DROP_MAX], events[__DSR_EVENT_MAX];
	struct nlattr *nest, *dnest;
	int i;

	nest = nla_nest_start(skb, DSR_A_INFO);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_string(skb, DSR_A_INFO_VERSION, DSR_VERSION) ||
	    nla_put_u32(skb, DSR_A_INFO_FLOW_MAX, dsr_flow_limit(dn)) ||
	    nla_put_u32(skb, DSR_A_INFO_FLOW_MAX_HOST,
			READ_ONCE(dsr_flow_max_host)) ||
	    nla_put_u32(skb, DSR_A_INFO_TIMEOUT_TCP_SYN, dn->timeout_tcp_syn) ||
	    nla_put_u32(skb, DSR_A_INFO_TIMEOUT_TCP_CLOSE,
			dn->timeout_tcp_close) ||
	    nla_put_u32(skb, DSR_A_INFO_FLOW_COUNT, dsr_flow_count(dn)) ||
	    nla_put_u32(skb, DSR_A_INFO_TIMEOUT_TCP, dn->timeout_tcp) ||
	    nla_put_u32(skb, DSR_A_INFO_TIMEOUT_TCP_FIN, dn->timeout_tcp_fin) ||
	    nla_put_u32(skb, DSR_A_INFO_TIMEOUT_UDP, dn->timeout_udp) ||
	    nla_put_u32(skb, DSR_A_INFO_SERVICE_COUNT, dn->service_count) ||
	    nla_put_u32(skb, DSR_A_INFO_SERVICE_MAX, dn->service_max) ||
	    nla_put_u32(skb, DSR_A_INFO_DEST_MAX, dn->dest_max) ||
	    nla_put_u8(skb, DSR_A_INFO_HOOK, dn->hook) ||
	    nla_put_u32(skb, DSR_A_INFO_GENERATION, dn->generation))
		goto cancel;
	dsr_events_read(dn, events);
	if (nla_put_u64_64bit(skb, DSR_A_INFO_ICMP_FORWARDED,
			      events[DSR_EVENT_ICMP_FORWARDED], DSR_A_INFO_PAD) ||
	    nla_put_u64_64bit(skb, DSR_A_INFO_ICMP_TUN_PMTU,
			      events[DSR_EVENT_ICMP_TUN_PMTU], DSR_A_INFO_PAD) ||
	    nla_put_u64_64bit(skb, DSR_A_INFO_FLOW_INSERTS,
			      events[DSR_EVENT_FLOW_INSERT], DSR_A_INFO_PAD) ||
	    nla_put_u64_64bit(skb, DSR_A_INFO_FLOW_EVICTIONS,
			      events[DSR_EVENT_FLOW_EVICT], DSR_A_INFO_PAD) ||
	    nla_put_u64_64bit(skb, DSR_A_INFO_FLOW_EXPIRIES,
			      events[DSR_EVENT_FLOW_EXPIRE], DSR_A_INFO_PAD) ||
	    nla_put_u64_64bit(skb, DSR_A_INFO_FLOW_UNTRACKED,
			      events[DSR_EVENT_FLOW_UNTRACKED], DSR_A_INFO_PAD) ||
	    nla_put_u64_64bit(skb, DSR_A_INFO_FLOW_MIDSTREAM,
			      events[DSR_EVENT_FLOW_MIDSTREAM], DSR_A_INFO_PAD))
		goto cancel;

	dnest = nla_nest_start(skb, DSR_A_INFO_DROPS);
	if (!dnest)
		goto cancel;
	dsr_drops_read(dn, drops);
	for (i = DSR_DROP_NO_DEST; i < __DSR_DROP_MAX; i++)
		if (nla_put_u64_64bit(skb, i, drops[i], DSR_DROP_PAD))
			goto cancel;
	nla_nest_end(skb, dnest);
	nla_nest_end(skb, nest);
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int dsr_nl_info_get(struct sk_buff *skb, struct genl_info *info)
{
	struct dsr_net *dn = dsr_nl_net(info);
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &dsr_genl_family, 0,
				DSR_CMD_INFO_GET);
	if (!hdr) {
		err = -EMSGSIZE;
		goto err_free;
	}
	mutex_lock(&dn->lock);
	err = dsr_nl_put_info(msg, dn);
	mutex_unlock(&dn->lock);
	if (err)
		goto err_free;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return err;
}

static int dsr_nl_config_set(struct sk_buff *skb, struct genl_info *info)
{
	struct dsr_net *dn = dsr_nl_net(info);
	struct nlattr *tb[DSR_A_INFO_MAX + 1];
	int err;

	if (!info->attrs[DSR_A_INFO]) {
		NL_SET_ERR_MSG(info->extack, "nothing to set");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, DSR_A_INFO_MAX, info->attrs[DSR_A_INFO],
			       dsr_info_policy, info->extack);
	if (err)
		return err;

	if (tb[DSR_A_INFO_FLOW_MAX] &&
	    nla_get_u32(tb[DSR_A_INFO_FLOW_MAX]) > READ_ONCE(dsr_flow_max_host)) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[DSR_A_INFO_FLOW_MAX],
				    "flow limit above the host-wide cap (module parameter flow_max_host)");
		return -ERANGE;
	}

	mutex_lock(&dn->lock);
	/* First what can fail, so that a failure changes nothing. */
	if (tb[DSR_A_INFO_HOOK]) {
		err = dsr_hooks_move(dn, nla_get_u8(tb[DSR_A_INFO_HOOK]));
		if (err) {
			mutex_unlock(&dn->lock);
			NL_SET_ERR_MSG_ATTR(info->extack, tb[DSR_A_INFO_HOOK],
					    "cannot register the netfilter hook");
			return err;
		}
	}
	if (tb[DSR_A_INFO_FLOW_MAX])
		WRITE_ONCE(dn->flow_max, nla_get_u32(tb[DSR_A_INFO_FLOW_MAX]));
	if (tb[DSR_A_INFO_SERVICE_MAX])
		dn->service_max = nla_get_u32(tb[DSR_A_INFO_SERVICE_MAX]);
	if (tb[DSR_A_INFO_DEST_MAX])
		dn->dest_max = nla_get_u32(tb[DSR_A_INFO_DEST_MAX]);
	if (tb[DSR_A_INFO_TIMEOUT_TCP_SYN])
		WRITE_ONCE(dn->timeout_tcp_syn,
			   nla_get_u32(tb[DSR_A_INFO_TIMEOUT_TCP_SYN]));
	if (tb[DSR_A_INFO_TIMEOUT_TCP_CLOSE])
		WRITE_ONCE(dn->timeout_tcp_close,
			   nla_get_u32(tb[DSR_A_INFO_TIMEOUT_TCP_CLOSE]));
	if (tb[DSR_A_INFO_TIMEOUT_TCP])
		WRITE_ONCE(dn->timeout_tcp,
			   nla_get_u32(tb[DSR_A_INFO_TIMEOUT_TCP]));
	if (tb[DSR_A_INFO_TIMEOUT_TCP_FIN])
		WRITE_ONCE(dn->timeout_tcp_fin,
			   nla_get_u32(tb[DSR_A_INFO_TIMEOUT_TCP_FIN]));
	if (tb[DSR_A_INFO_TIMEOUT_UDP])
		WRITE_ONCE(dn->timeout_udp,
			   nla_get_u32(tb[DSR_A_INFO_TIMEOUT_UDP]));
	mutex_unlock(&dn->lock);
	return 0;
}

static int dsr_nl_flow_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct dsr_net *dn = dsr_nl_net(info);

	mutex_lock(&dn->lock);
	dsr_flow_flush(dn);
	mutex_unlock(&dn->lock);
	return 0;
}

/* A flow's client, VIP and real server, in the flow's family. */
static int dsr_nl_put_flow_addrs(struct sk_buff *skb,
				 const struct dsr_flow *flow)
{
	const struct dsr_dest *dest = flow->dest;

	if (flow->key.af == AF_INET6)
		return nla_put_in6_addr(skb, DSR_A_FLOW_CLIENT_ADDR6,
					&flow->key.saddr6) ||
		       nla_put_in6_addr(skb, DSR_A_FLOW_VIP_ADDR6,
					&flow->key.daddr6) ||
		       nla_put_in6_addr(skb, DSR_A_FLOW_DEST_ADDR6,
					&dest->addr.in6);
	return nla_put_in_addr(skb, DSR_A_FLOW_CLIENT_ADDR4, flow->key.saddr) ||
	       nla_put_in_addr(skb, DSR_A_FLOW_VIP_ADDR4, flow->key.daddr) ||
	       nla_put_in_addr(skb, DSR_A_FLOW_DEST_ADDR4, dest->addr.ip);
}

static int dsr_nl_put_flow(struct sk_buff *skb, struct netlink_callback *cb,
			   const struct dsr_flow *flow)
{
	u32 state = READ_ONCE(flow->state);
	const struct dsr_dest *dest = flow->dest;
	s32 left = READ_ONCE(flow->expires) - (u32)jiffies;
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &dsr_genl_family, NLM_F_MULTI, DSR_CMD_FLOW_GET);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, DSR_A_FLOW);
	if (!nest ||
	    nla_put_u8(skb, DSR_A_FLOW_PROTOCOL, flow->key.protocol) ||
	    dsr_nl_put_flow_addrs(skb, flow) ||
	    nla_put_be16(skb, DSR_A_FLOW_CLIENT_PORT, flow->key.sport) ||
	    nla_put_be16(skb, DSR_A_FLOW_VIP_PORT, flow->key.dport) ||
	    nla_put_be16(skb, DSR_A_FLOW_DEST_PORT, dest->port) ||
	    nla_put_u8(skb, DSR_A_FLOW_STATE, state & DSR_FLOW_STATE_MASK) ||
	    nla_put_u32(skb, DSR_A_FLOW_EXPIRES,
			left > 0 ? jiffies_to_msecs(left) : 0) ||
	    nla_put_u8(skb, DSR_A_FLOW_PACKETS,
		       state & DSR_FLOW_SEEN_TWICE ? 2 : 1)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
}

static int dsr_nl_flow_get_start(struct netlink_callback *cb)
{
	struct dsr_net *dn = dsr_pernet(sock_net(cb->skb->sk));
	int err;

	mutex_lock(&dn->lock);
	err = dsr_flow_dump_start(dn, cb);
	mutex_unlock(&dn->lock);
	return err;
}

static int dsr_nl_flow_get_dumpit(struct sk_buff *skb,
				  struct netlink_callback *cb)
{
	struct dsr_net *dn = dsr_pernet(sock_net(skb->sk));
	int len;

	mutex_lock(&dn->lock);
	len = dsr_flow_dump(dn, skb, cb, dsr_nl_put_flow);
	mutex_unlock(&dn->lock);
	return len;
}

static int dsr_nl_flow_get_done(struct netlink_callback *cb)
{
	struct dsr_net *dn = dsr_pernet(sock_net(cb->skb->sk));

	mutex_lock(&dn->lock);
	dsr_flow_dump_done(dn, cb);
	mutex_unlock(&dn->lock);
	return 0;
}

static const struct genl_ops dsr_genl_ops[] = {
	{
		.cmd	= DSR_CMD_SERVICE_NEW,
		.doit	= dsr_nl_service_new,
		.policy	= dsr_service_cmd_policy,
		.maxattr = ARRAY_SIZE(dsr_service_cmd_policy) - 1,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= DSR_CMD_SERVICE_SET,
		.doit	= dsr_nl_service_set,
		.policy	= dsr_service_cmd_policy,
		.maxattr = ARRAY_SIZE(dsr_service_cmd_policy) - 1,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= DSR_CMD_SERVICE_DEL,
		.doit	= dsr_nl_service_del,
		.policy	= dsr_service_cmd_policy,
		.maxattr = ARRAY_SIZE(dsr_service_cmd_policy) - 1,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= DSR_CMD_SERVICE_GET,
		.doit	= dsr_nl_service_get_doit,
		.dumpit	= dsr_nl_service_get_dumpit,
		.policy	= dsr_service_cmd_policy,
		.maxattr = ARRAY_SIZE(dsr_service_cmd_policy) - 1,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= DSR_CMD_DEST_NEW,
		.doit	= dsr_nl_dest_new,
		.policy	= dsr_dest_cmd_policy,
		.maxattr = ARRAY_SIZE(dsr_dest_cmd_policy) - 1,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= DSR_CMD_DEST_SET,
		.doit	= dsr_nl_dest_set,
		.policy	= dsr_dest_cmd_policy,
		.maxattr = ARRAY_SIZE(dsr_dest_cmd_policy) - 1,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= DSR_CMD_DEST_DEL,
		.doit	= dsr_nl_dest_del,
		.policy	= dsr_dest_cmd_policy,
		.maxattr = ARRAY_SIZE(dsr_dest_cmd_policy) - 1,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= DSR_CMD_DEST_GET,
		.dumpit	= dsr_nl_dest_get_dumpit,
		.policy	= dsr_service_cmd_policy,
		.maxattr = ARRAY_SIZE(dsr_service_cmd_policy) - 1,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= DSR_CMD_FLUSH,
		.doit	= dsr_nl_flush,
		.policy	= dsr_no_attr_policy,
		.maxattr = ARRAY_SIZE(dsr_no_attr_policy) - 1,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= DSR_CMD_ZERO,
		.doit	= dsr_nl_zero,
		.policy	= dsr_service_cmd_policy,
		.maxattr = ARRAY_SIZE(dsr_service_cmd_policy) - 1,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= DSR_CMD_INFO_GET,
		.doit	= dsr_nl_info_get,
		.policy	= dsr_no_attr_policy,
		.maxattr = ARRAY_SIZE(dsr_no_attr_policy) - 1,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= DSR_CMD_CONFIG_SET,
		.doit	= dsr_nl_config_set,
		.policy	= dsr_config_cmd_policy,
		.maxattr = ARRAY_SIZE(dsr_config_cmd_policy) - 1,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= DSR_CMD_FLOW_GET,
		.start	= dsr_nl_flow_get_start,
		.dumpit	= dsr_nl_flow_get_dumpit,
		.done	= dsr_nl_flow_get_done,
		.policy	= dsr_no_attr_policy,
		.maxattr = ARRAY_SIZE(dsr_no_attr_policy) - 1,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= DSR_CMD_FLOW_FLUSH,
		.doit	= dsr_nl_flow_flush,
		.policy	= dsr_no_attr_policy,
		.maxattr = ARRAY_SIZE(dsr_no_attr_policy) - 1,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
};

static const struct genl_multicast_group dsr_genl_mcgrps[] = {
	{ .name = DSR_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_NET_ADMIN },
};

static struct genl_family dsr_genl_family __ro_after_init = {
	.name		= DSR_GENL_NAME,
	.version	= DSR_GENL_VERSION,
	.netnsok	= true,
	/*
	 * Every handler serialises on its namespace's dn->lock, not on the
	 * genetlink mutex: a long flush in one namespace stalls neither the
	 * other namespaces nor the other generic netlink families.
	 */
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= dsr_genl_ops,
	.n_ops		= ARRAY_SIZE(dsr_genl_ops),
	.mcgrps		= dsr_genl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(dsr_genl_mcgrps),
};

int dsr_genl_init(void)
{
	return genl_register_family(&dsr_genl_family);
}

void dsr_genl_exit(void)
{
	genl_unregister_family(&dsr_genl_family);
}
