/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dsradm - a small generic netlink layer on libmnl.
 *
 * It knows nothing about dsr attributes: it resolves the family, sends a
 * request, and runs a callback for each reply until the ACK or NLMSG_DONE.
 * The transport is pluggable so that tests can put a fake kernel behind it.
 */
#ifndef DSRADM_NL_H
#define DSRADM_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#define NL_RECV_BUF		(64 * 1024)
#define NL_SEND_BUF		8192
#define NL_DUMP_TRIES		4
#define NL_EXT_MSG_MAX		256
#define NL_MCAST_GROUPS_MAX	8

/* nl_dump() result: the dump kept changing; the data is the last try. */
#define NL_DUMP_INCONSISTENT	1

struct nl_transport {
	/* 0 or -errno */
	int (*send)(void *priv, const void *buf, size_t len);
	/* bytes received (one datagram) or -errno */
	ssize_t (*recv)(void *priv, void *buf, size_t len);
	void (*close)(void *priv);
	/* join a multicast group: 0 or -errno; NULL when it cannot */
	int (*join)(void *priv, uint32_t group);
	uint32_t portid;
};

/*
 * Reply callback: called once per message of the family, the genl header
 * already checked. Return MNL_CB_OK, or MNL_CB_ERROR with errno set
 * (EBADMSG for a malformed reply, ENOMEM ...).
 */
typedef int (*nl_cb_t)(const struct nlmsghdr *nlh, void *data);

struct nl;

int nl_open(struct nl **nlp, const char *family, uint8_t version);
int nl_open_transport(struct nl **nlp, const char *family, uint8_t version,
		      const struct nl_transport *t, void *priv);
void nl_close(struct nl *nl);

struct nlmsghdr *nl_request(struct nl *nl, uint8_t cmd, uint16_t flags);
int nl_do(struct nl *nl, struct nlmsghdr *nlh, nl_cb_t cb, void *data);
int nl_dump(struct nl *nl, struct nlmsghdr *nlh, nl_cb_t cb, void *data,
	    void (*reset)(void *data));

/*
 * Multicast: join the family's group named @group (-ENOENT when it has
 * none), then run @cb for each notification of the family that arrives,
 * until @cb returns MNL_CB_STOP (0) or fails (-errno), or receiving fails:
 * -ENOBUFS says that notifications were lost, and listening may go on.
 */
int nl_join(struct nl *nl, const char *group);
int nl_listen(struct nl *nl, nl_cb_t cb, void *data);

/* Extended ACK text of the last request, "" when the kernel sent none. */
const char *nl_ext_msg(const struct nl *nl);
uint16_t nl_family_id(const struct nl *nl);
uint32_t nl_family_version(const struct nl *nl);

#endif /* DSRADM_NL_H */
