// SPDX-License-Identifier: GPL-2.0
/*
 * dsradm - settings of the namespace: the flow timeouts, the flow limit and
 * where dsr hooks.
 *
 * --set tcp tcpfin udp is ipvsadm's; --set-timeouts names dsr's other two
 * as well. Both send CONFIG_SET with the timeouts given (a timeout of 0 or
 * not named is not sent, and the module keeps it). -L --timeout reads them
 * back with INFO_GET.
 */
#include <libmnl/libmnl.h>

#include "dsradm.h"
#include "nl.h"
#include "parse.h"
#include "print.h"

/* CONFIG_SET body: the DSR_A_INFO nest with the timeouts to change. */
void build_timeouts(struct nlmsghdr *nlh, const uint32_t *timeouts)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, DSR_A_INFO);
	unsigned int i;

	for (i = 0; i < TMO_COUNT; i++)
		if (timeouts[i])
			mnl_attr_put_u32(nlh, timeout_attr(i), timeouts[i]);
	mnl_attr_nest_end(nlh, nest);
}

int do_set_timeouts(struct nl *nl, const struct cmd *cmd)
{
	struct nlmsghdr *nlh = nl_request(nl, DSR_CMD_CONFIG_SET, 0);
	int ret;

	build_timeouts(nlh, cmd->timeouts);
	ret = nl_do(nl, nlh, NULL, NULL);
	if (ret)
		return kernel_error(nl, ret, "setting timeouts");
	return EXIT_OK;
}

/*
 * The namespace's limits: the most flows it keeps (never above the
 * host-wide cap, module parameter flow_max_host, which the kernel enforces
 * and names), the most services, the most real servers per service.
 */
int do_set_limit(struct nl *nl, const struct cmd *cmd)
{
	struct nlmsghdr *nlh = nl_request(nl, DSR_CMD_CONFIG_SET, 0);
	uint16_t attr = DSR_A_INFO_FLOW_MAX;
	const char *what = "flow";
	struct nlattr *nest;
	int ret;

	if (cmd->op == OP_SET_SERVICE_LIMIT) {
		attr = DSR_A_INFO_SERVICE_MAX;
		what = "service";
	} else if (cmd->op == OP_SET_SERVER_LIMIT) {
		attr = DSR_A_INFO_DEST_MAX;
		what = "real-server";
	}
	nest = mnl_attr_nest_start(nlh, DSR_A_INFO);
	mnl_attr_put_u32(nlh, attr, cmd->flow_limit);
	mnl_attr_nest_end(nlh, nest);
	ret = nl_do(nl, nlh, NULL, NULL);
	if (ret)
		return kernel_error(nl, ret, "setting the %s limit", what);
	return EXIT_OK;
}

/*
 * Where the namespace takes VIP traffic: pre-routing (before conntrack and
 * the firewall) or local-in (after the INPUT firewall, as IPVS). Services
 * and their flows are kept across the move.
 */
int do_set_hook(struct nl *nl, const struct cmd *cmd)
{
	struct nlmsghdr *nlh = nl_request(nl, DSR_CMD_CONFIG_SET, 0);
	struct nlattr *nest;
	int ret;

	nest = mnl_attr_nest_start(nlh, DSR_A_INFO);
	mnl_attr_put_u8(nlh, DSR_A_INFO_HOOK, cmd->hook);
	mnl_attr_nest_end(nlh, nest);
	ret = nl_do(nl, nlh, NULL, NULL);
	if (ret)
		return kernel_error(nl, ret, "moving the hook to %s",
				    hook_name(cmd->hook));
	return EXIT_OK;
}

int do_list_timeouts(struct nl *nl, const struct cmd *cmd)
{
	struct info info;
	int ret;

	ret = fetch_info(nl, &info);
	if (ret)
		return kernel_error(nl, ret, "reading the timeouts");
	print_timeouts(dsradm_out, &info, cmd->fmt);
	return EXIT_OK;
}
