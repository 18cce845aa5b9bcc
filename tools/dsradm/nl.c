// SPDX-License-Identifier: GPL-2.0
/*
 * dsradm - a small generic netlink layer on libmnl.
 *
 * Every request carries NLM_F_ACK (dumps end with NLMSG_DONE instead), so
 * the receive loop always ends on a control message: NLMSG_ERROR (error 0
 * is the ACK) or NLMSG_DONE, which may carry a dump error. Both may carry
 * extended ACK attributes; the message text is kept for the caller.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#include "nl.h"

struct mcast_group {
	char name[GENL_NAMSIZ];
	uint32_t id;
};

struct nl {
	struct nl_transport tr;
	void *priv;
	uint32_t seq;
	uint16_t family_id;
	uint32_t family_version;
	struct mcast_group groups[NL_MCAST_GROUPS_MAX];
	unsigned int ngroups;
	uint8_t genl_version;
	char ext_msg[NL_EXT_MSG_MAX];
	char sbuf[NL_SEND_BUF] __attribute__((aligned(8)));
	char rbuf[NL_RECV_BUF] __attribute__((aligned(8)));
};

struct run_ctx {
	struct nl *nl;
	uint16_t type;		/* expected nlmsg_type of replies */
	nl_cb_t cb;
	void *data;
	int err;
	bool done;
	bool intr;
};

/* Socket transport. */

static int sock_send(void *priv, const void *buf, size_t len)
{
	if (mnl_socket_sendto(priv, buf, len) < 0)
		return -errno;
	return 0;
}

static ssize_t sock_recv(void *priv, void *buf, size_t len)
{
	ssize_t n = mnl_socket_recvfrom(priv, buf, len);

	return n < 0 ? -errno : n;
}

static void sock_close(void *priv)
{
	mnl_socket_close(priv);
}

static int sock_join(void *priv, uint32_t group)
{
	if (mnl_socket_setsockopt(priv, NETLINK_ADD_MEMBERSHIP, &group,
				  sizeof(group)) < 0)
		return -errno;
	return 0;
}

/* Extended ACK attributes: keep the message, or say what was missing. */

struct ext_ack {
	const char *msg;
	uint32_t miss_type;
	bool has_miss;
};

static int ext_ack_attr_cb(const struct nlattr *attr, void *data)
{
	struct ext_ack *ea = data;

	switch (mnl_attr_get_type(attr)) {
	case NLMSGERR_ATTR_MSG:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			ea->msg = mnl_attr_get_str(attr);
		break;
	case NLMSGERR_ATTR_MISS_TYPE:
		if (mnl_attr_get_payload_len(attr) == sizeof(uint32_t)) {
			ea->miss_type = mnl_attr_get_u32(attr);
			ea->has_miss = true;
		}
		break;
	}
	return MNL_CB_OK;
}

static void parse_ext_ack(struct nl *nl, const struct nlmsghdr *nlh,
			  size_t offset)
{
	size_t len = mnl_nlmsg_get_payload_len(nlh);
	struct ext_ack ea = { 0 };

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || offset >= len)
		return;
	mnl_attr_parse_payload((const char *)mnl_nlmsg_get_payload(nlh) +
			       offset, len - offset, ext_ack_attr_cb, &ea);
	if (ea.msg && *ea.msg)
		snprintf(nl->ext_msg, sizeof(nl->ext_msg), "%s", ea.msg);
	else if (ea.has_miss)
		snprintf(nl->ext_msg, sizeof(nl->ext_msg),
			 "required attribute %u is missing", ea.miss_type);
}

/* An error code from the kernel: -1..-4095, anything else is garbage. */
static int kernel_errno(int err)
{
	return err < 0 && err >= -4095 ? err : -EBADMSG;
}

static void error_cb(const struct nlmsghdr *nlh, struct run_ctx *ctx)
{
	size_t len = mnl_nlmsg_get_payload_len(nlh);
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t offset;

	ctx->done = true;
	if (len < sizeof(*e)) {
		ctx->err = -EBADMSG;
		return;
	}
	if (e->error)
		ctx->err = kernel_errno(e->error);
	if (nlh->nlmsg_flags & NLM_F_CAPPED) {
		offset = sizeof(*e);
	} else {
		/* The whole request is echoed; the attributes follow it. */
		if (e->msg.nlmsg_len < sizeof(e->msg))
			return;
		offset = sizeof(e->error) + NLMSG_ALIGN(e->msg.nlmsg_len);
	}
	parse_ext_ack(ctx->nl, nlh, offset);
}

static void done_cb(const struct nlmsghdr *nlh, struct run_ctx *ctx)
{
	size_t len = mnl_nlmsg_get_payload_len(nlh);
	int err;

	ctx->done = true;
	if (len >= sizeof(err)) {
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
		parse_ext_ack(ctx->nl, nlh, NLMSG_ALIGN(sizeof(err)));
		if (err && !ctx->err)
			ctx->err = kernel_errno(err);
	}
}

static void data_cb(const struct nlmsghdr *nlh, struct run_ctx *ctx)
{
	/* After an error keep draining to the end, but parse nothing. */
	if (ctx->err || !ctx->cb || nlh->nlmsg_type != ctx->type)
		return;
	if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN) {
		ctx->err = -EBADMSG;
		return;
	}
	errno = 0;
	if (ctx->cb(nlh, ctx->data) < MNL_CB_OK)
		ctx->err = errno ? -errno : -EBADMSG;
}

/*
 * Not mnl_nlmsg_ok(): libmnl 1.0.4 compares (int)nlmsg_len, so a length
 * of 2^31 or more passes and mnl_nlmsg_next() leaves the buffer.
 */
static bool msg_ok(const struct nlmsghdr *nlh, size_t len)
{
	return len >= sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) &&
	       nlh->nlmsg_len <= len;
}

/*
 * One datagram. Not mnl_cb_run() either: it stops with EINTR at the first
 * NLM_F_DUMP_INTR, leaving the rest of the dump unread; we note the flag
 * and read on to NLMSG_DONE so that the dump can be retried cleanly.
 */
static void process(struct run_ctx *ctx, const char *buf, size_t len)
{
	const struct nlmsghdr *nlh;
	size_t step;

	for (; msg_ok((nlh = (const void *)buf), len); buf += step,
	     len -= step) {
		step = NLMSG_ALIGN(nlh->nlmsg_len);
		if (step > len)
			step = len;
		/* Not an answer to this request: a stale one, skip it. */
		if (!mnl_nlmsg_portid_ok(nlh, ctx->nl->tr.portid) ||
		    !mnl_nlmsg_seq_ok(nlh, ctx->nl->seq))
			continue;
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			ctx->intr = true;
		switch (nlh->nlmsg_type) {
		case NLMSG_ERROR:
			error_cb(nlh, ctx);
			return;
		case NLMSG_DONE:
			done_cb(nlh, ctx);
			return;
		case NLMSG_NOOP:
		case NLMSG_OVERRUN:
			break;
		default:
			if (nlh->nlmsg_type >= NLMSG_MIN_TYPE)
				data_cb(nlh, ctx);
		}
	}
	if (len > 0) {
		/* A truncated message: nothing sensible can follow. */
		if (!ctx->err)
			ctx->err = -EBADMSG;
		ctx->done = true;
	}
}

static int run(struct nl *nl, struct nlmsghdr *nlh, nl_cb_t cb, void *data,
	       bool *intr)
{
	struct run_ctx ctx = {
		.nl = nl,
		.type = nlh->nlmsg_type,
		.cb = cb,
		.data = data,
	};
	ssize_t n;
	int ret;

	nl->ext_msg[0] = '\0';
	nlh->nlmsg_seq = ++nl->seq;
	ret = nl->tr.send(nl->priv, nlh, nlh->nlmsg_len);
	if (ret)
		return ret;

	while (!ctx.done) {
		n = nl->tr.recv(nl->priv, nl->rbuf, sizeof(nl->rbuf));
		if (n < 0)
			return (int)n;
		if (n == 0)
			return -ECONNRESET;
		process(&ctx, nl->rbuf, (size_t)n);
	}
	if (intr)
		*intr = ctx.intr;
	return ctx.err;
}

static struct nlmsghdr *put_request(struct nl *nl, uint16_t type,
				    uint8_t cmd, uint8_t version,
				    uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->sbuf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

/* Start a request in the send buffer; valid until the next request. */
struct nlmsghdr *nl_request(struct nl *nl, uint8_t cmd, uint16_t flags)
{
	return put_request(nl, nl->family_id, cmd, nl->genl_version, flags);
}

int nl_do(struct nl *nl, struct nlmsghdr *nlh, nl_cb_t cb, void *data)
{
	nlh->nlmsg_flags |= NLM_F_ACK;
	return run(nl, nlh, cb, data, NULL);
}

int nl_dump(struct nl *nl, struct nlmsghdr *nlh, nl_cb_t cb, void *data,
	    void (*reset)(void *data))
{
	bool intr = false;
	int try, ret;

	nlh->nlmsg_flags |= NLM_F_DUMP;
	for (try = 0; try < NL_DUMP_TRIES; try++) {
		if (try && reset)
			reset(data);
		ret = run(nl, nlh, cb, data, &intr);
		if (ret || !intr)
			return ret;
	}
	return NL_DUMP_INCONSISTENT;
}

const char *nl_ext_msg(const struct nl *nl)
{
	return nl->ext_msg;
}

uint16_t nl_family_id(const struct nl *nl)
{
	return nl->family_id;
}

uint32_t nl_family_version(const struct nl *nl)
{
	return nl->family_version;
}

/* Notifications: messages of the family that answer no request. */

int nl_join(struct nl *nl, const char *group)
{
	unsigned int i;

	if (!nl->tr.join)
		return -EOPNOTSUPP;
	for (i = 0; i < nl->ngroups; i++)
		if (!strcmp(nl->groups[i].name, group))
			return nl->tr.join(nl->priv, nl->groups[i].id);
	return -ENOENT;
}

/* One datagram of notifications: 1 to read on, 0 when @cb stopped, -errno. */
static int notify_batch(struct nl *nl, const char *buf, size_t len,
			nl_cb_t cb, void *data)
{
	const struct nlmsghdr *nlh;
	size_t step;
	int ret;

	for (; msg_ok((nlh = (const void *)buf), len); buf += step,
	     len -= step) {
		step = NLMSG_ALIGN(nlh->nlmsg_len);
		if (step > len)
			step = len;
		/* Notifications come from the kernel, unasked. */
		if (nlh->nlmsg_type != nl->family_id || nlh->nlmsg_pid ||
		    nlh->nlmsg_seq)
			continue;
		if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
			return -EBADMSG;
		errno = 0;
		ret = cb(nlh, data);
		if (ret == MNL_CB_STOP)
			return 0;
		if (ret < MNL_CB_OK)
			return errno ? -errno : -EBADMSG;
	}
	return 1;
}

int nl_listen(struct nl *nl, nl_cb_t cb, void *data)
{
	ssize_t n;
	int ret;

	do {
		n = nl->tr.recv(nl->priv, nl->rbuf, sizeof(nl->rbuf));
		if (n < 0)
			return (int)n;
		if (n == 0)
			return -ECONNRESET;
		ret = notify_batch(nl, nl->rbuf, (size_t)n, cb, data);
	} while (ret > 0);
	return ret;
}

/* Family resolution through the generic netlink controller. */

static int mcast_attr_cb(const struct nlattr *attr, void *data)
{
	struct mcast_group *g = data;

	switch (mnl_attr_get_type(attr)) {
	case CTRL_ATTR_MCAST_GRP_NAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			return MNL_CB_ERROR;
		snprintf(g->name, sizeof(g->name), "%s",
			 mnl_attr_get_str(attr));
		break;
	case CTRL_ATTR_MCAST_GRP_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		g->id = mnl_attr_get_u32(attr);
		break;
	}
	return MNL_CB_OK;
}

/* CTRL_ATTR_MCAST_GROUPS: a nest of nests, one per group. */
static int parse_mcast_groups(struct nl *nl, const struct nlattr *groups)
{
	const struct nlattr *grp;
	struct mcast_group g;

	mnl_attr_for_each_nested(grp, groups) {
		memset(&g, 0, sizeof(g));
		if (mnl_attr_parse_nested(grp, mcast_attr_cb, &g) < 0)
			return MNL_CB_ERROR;
		if (g.name[0] && g.id && nl->ngroups < NL_MCAST_GROUPS_MAX)
			nl->groups[nl->ngroups++] = g;
	}
	return MNL_CB_OK;
}

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	struct nl *nl = data;

	switch (mnl_attr_get_type(attr)) {
	case CTRL_ATTR_MCAST_GROUPS:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
			return MNL_CB_ERROR;
		return parse_mcast_groups(nl, attr);
	case CTRL_ATTR_FAMILY_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
			return MNL_CB_ERROR;
		nl->family_id = mnl_attr_get_u16(attr);
		break;
	case CTRL_ATTR_VERSION:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		nl->family_version = mnl_attr_get_u32(attr);
		break;
	}
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	if (mnl_attr_parse(nlh, GENL_HDRLEN, family_attr_cb, data) < 0) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static int resolve_family(struct nl *nl, const char *family)
{
	struct nlmsghdr *nlh;
	int ret;

	nlh = put_request(nl, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, family);
	ret = nl_do(nl, nlh, family_cb, nl);
	if (!ret && !nl->family_id)
		ret = -EBADMSG;
	return ret;
}

/* Takes ownership of the transport: it is closed on failure too. */
int nl_open_transport(struct nl **nlp, const char *family, uint8_t version,
		      const struct nl_transport *t, void *priv)
{
	struct nl *nl;
	int ret;

	nl = calloc(1, sizeof(*nl));
	if (!nl) {
		if (t->close)
			t->close(priv);
		return -ENOMEM;
	}
	nl->tr = *t;
	nl->priv = priv;
	nl->genl_version = version;
	nl->seq = (uint32_t)time(NULL);
	ret = resolve_family(nl, family);
	if (ret) {
		nl_close(nl);
		return ret;
	}
	*nlp = nl;
	return 0;
}

int nl_open(struct nl **nlp, const char *family, uint8_t version)
{
	static const struct nl_transport proto = {
		.send = sock_send,
		.recv = sock_recv,
		.close = sock_close,
		.join = sock_join,
	};
	struct nl_transport t = proto;
	struct mnl_socket *sock;
	int one = 1;
	int ret;

	sock = mnl_socket_open(NETLINK_GENERIC);
	if (!sock)
		return -errno;
	/* Best effort: old kernels lack them, and still work. */
	mnl_socket_setsockopt(sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(sock, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		mnl_socket_close(sock);
		return ret;
	}
	t.portid = mnl_socket_get_portid(sock);
	return nl_open_transport(nlp, family, version, &t, sock);
}

void nl_close(struct nl *nl)
{
	if (!nl)
		return;
	if (nl->tr.close)
		nl->tr.close(nl->priv);
	free(nl);
}
