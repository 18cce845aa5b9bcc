// SPDX-License-Identifier: GPL-2.0
/*
 * dsradm monitor - print every change notification of the namespace's dsr
 * configuration as it happens, one line each (text or -j JSON).
 *
 * The kernel sends them on the family's "events" multicast group, only to
 * listeners in the namespace where the change happened. Output is flushed
 * after each line so that a pipe sees it at once.
 */
#include <errno.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "dsradm.h"
#include "nl.h"
#include "print.h"

struct monitor {
	unsigned int fmt;
};

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	struct monitor *m = data;
	struct svc svc;
	struct dest d;
	bool has_dest;

	switch (genl->cmd) {
	case DSR_CMD_SERVICE_NEW_NTF:
	case DSR_CMD_SERVICE_DEL_NTF:
	case DSR_CMD_DEST_NEW_NTF:
	case DSR_CMD_DEST_DEL_NTF:
		break;
	default:
		/* A newer kernel's event: not ours to print. */
		return MNL_CB_OK;
	}
	if (parse_object_msg(nlh, &svc, &d, &has_dest)) {
		warnf("a malformed event (command %u) was skipped", genl->cmd);
		return MNL_CB_OK;
	}
	print_event(dsradm_out, genl->cmd, &svc, has_dest ? &d : NULL,
		    m->fmt);
	if (fflush(dsradm_out)) {
		errorf("writing output: %s", strerror(errno));
		return MNL_CB_STOP;
	}
	return MNL_CB_OK;
}

int do_monitor(struct nl *nl, const struct cmd *cmd)
{
	struct monitor m = { .fmt = cmd->fmt };
	int ret;

	ret = nl_join(nl, DSR_MCGRP_EVENTS);
	if (ret)
		return kernel_error(nl, ret, "joining the %s group",
				    DSR_MCGRP_EVENTS);
	for (;;) {
		ret = nl_listen(nl, event_cb, &m);
		if (ret != -ENOBUFS)
			break;
		/* The socket overflowed: say so, and go on listening. */
		warnf("events were lost (receive buffer overrun)");
	}
	if (ret)
		return kernel_error(nl, ret, "receiving events");
	return ferror(dsradm_out) ? EXIT_KERNEL : EXIT_OK;
}
