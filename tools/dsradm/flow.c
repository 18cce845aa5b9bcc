// SPDX-License-Identifier: GPL-2.0
/*
 * dsradm - the flow table: -L -c (ipvsadm's --connection).
 *
 * FLOW_GET is a dump without attributes; each message carries one
 * DSR_A_FLOW nest. As in list.c, lengths are checked and unknown
 * attributes skipped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>

#include "dsradm.h"
#include "nl.h"
#include "print.h"

/* Attribute lengths; 0 = not known to this dsradm (skipped). */
static const uint8_t flow_len[DSR_A_FLOW_MAX + 1] = {
	[DSR_A_FLOW_PROTOCOL]		= 1,
	[DSR_A_FLOW_CLIENT_ADDR4]	= 4,
	[DSR_A_FLOW_CLIENT_ADDR6]	= 16,
	[DSR_A_FLOW_CLIENT_PORT]	= 2,
	[DSR_A_FLOW_VIP_ADDR4]		= 4,
	[DSR_A_FLOW_VIP_ADDR6]		= 16,
	[DSR_A_FLOW_VIP_PORT]		= 2,
	[DSR_A_FLOW_DEST_ADDR4]		= 4,
	[DSR_A_FLOW_DEST_ADDR6]		= 16,
	[DSR_A_FLOW_DEST_PORT]		= 2,
	[DSR_A_FLOW_STATE]		= 1,
	[DSR_A_FLOW_EXPIRES]		= 4,
	[DSR_A_FLOW_PACKETS]		= 1,
};

/* Exactly one of the two address attributes. */
static int flow_addr(const struct nlattr *a4, const struct nlattr *a6,
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

static uint16_t flow_port(const struct nlattr *attr)
{
	return attr ? ntohs(mnl_attr_get_u16(attr)) : 0;
}

static int parse_flow(const struct nlattr *nest, struct flow *fl)
{
	const struct nlattr *tb[DSR_A_FLOW_MAX + 1] = { NULL };
	const struct nlattr *attr;
	uint16_t type;

	mnl_attr_for_each_nested(attr, nest) {
		type = mnl_attr_get_type(attr);
		if (type > DSR_A_FLOW_MAX || !flow_len[type])
			continue;	/* newer kernel: skip */
		if (mnl_attr_get_payload_len(attr) != flow_len[type])
			return -EBADMSG;
		tb[type] = attr;
	}
	memset(fl, 0, sizeof(*fl));
	if (!tb[DSR_A_FLOW_PROTOCOL] ||
	    flow_addr(tb[DSR_A_FLOW_CLIENT_ADDR4], tb[DSR_A_FLOW_CLIENT_ADDR6],
		      &fl->client) ||
	    flow_addr(tb[DSR_A_FLOW_VIP_ADDR4], tb[DSR_A_FLOW_VIP_ADDR6],
		      &fl->vip) ||
	    flow_addr(tb[DSR_A_FLOW_DEST_ADDR4], tb[DSR_A_FLOW_DEST_ADDR6],
		      &fl->dest))
		return -EBADMSG;
	fl->protocol = mnl_attr_get_u8(tb[DSR_A_FLOW_PROTOCOL]);
	fl->client_port = flow_port(tb[DSR_A_FLOW_CLIENT_PORT]);
	fl->vip_port = flow_port(tb[DSR_A_FLOW_VIP_PORT]);
	fl->dest_port = flow_port(tb[DSR_A_FLOW_DEST_PORT]);
	if (tb[DSR_A_FLOW_STATE])
		fl->state = mnl_attr_get_u8(tb[DSR_A_FLOW_STATE]);
	if (tb[DSR_A_FLOW_EXPIRES])
		fl->expires = mnl_attr_get_u32(tb[DSR_A_FLOW_EXPIRES]);
	if (tb[DSR_A_FLOW_PACKETS])
		fl->packets = mnl_attr_get_u8(tb[DSR_A_FLOW_PACKETS]);
	return 0;
}

static int flow_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr, *nest = NULL;
	struct flows *f = data;
	struct flow fl, *n;

	mnl_attr_for_each(attr, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(attr) == DSR_A_FLOW)
			nest = attr;
	if (!nest || parse_flow(nest, &fl)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	n = realloc(f->v, (f->n + 1) * sizeof(*n));
	if (!n) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	f->v = n;
	f->v[f->n++] = fl;
	return MNL_CB_OK;
}

static void flow_reset(void *data)
{
	struct flows *f = data;

	free(f->v);
	f->v = NULL;
	f->n = 0;
}

/* Dump the flow table into @f, sorted: 0, NL_DUMP_INCONSISTENT or -errno. */
int fetch_flows(struct nl *nl, struct flows *f)
{
	struct nlmsghdr *nlh = nl_request(nl, DSR_CMD_FLOW_GET, 0);
	int ret;

	memset(f, 0, sizeof(*f));
	ret = nl_dump(nl, nlh, flow_cb, f, flow_reset);
	if (ret < 0)
		flow_reset(f);
	else
		flows_sort(f);
	return ret;
}

int do_flows(struct nl *nl, const struct cmd *cmd)
{
	struct flows f;
	int ret;

	ret = fetch_flows(nl, &f);
	if (ret < 0)
		return kernel_error(nl, ret, "listing flows");
	if (ret == NL_DUMP_INCONSISTENT)
		warnf("the flow table kept changing while being read; the listing may be inconsistent");
	print_flows(dsradm_out, &f, cmd->fmt);
	flow_reset(&f);
	return EXIT_OK;
}
