// SPDX-License-Identifier: GPL-2.0
/*
 * dsradm - real server (destination) commands: -a, -e, -d.
 */
#include <arpa/inet.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>

#include "dsradm.h"
#include "nl.h"
#include "parse.h"

/*
 * The tunnel of a -i real server, in full: as with ipvsadm, -e resets what
 * is not given to its default (IP-in-IP, no checksum). Only GUE has a port
 * and IP-in-IP has no checksum; the kernel refuses those attributes there.
 */
static void put_tunnel(struct nlmsghdr *nlh, const struct cmd *cmd)
{
	mnl_attr_put_u8(nlh, DSR_A_DEST_TUN_TYPE, cmd->tun_type);
	if (cmd->tun_type == DSR_TUN_GUE)
		mnl_attr_put_u16(nlh, DSR_A_DEST_TUN_PORT, htons(cmd->tun_port));
	if (cmd->tun_type == DSR_TUN_GUE || cmd->tun_type == DSR_TUN_GRE)
		mnl_attr_put_u32(nlh, DSR_A_DEST_TUN_FLAGS, cmd->tun_flags);
}

/* DEST_NEW / DEST_SET / DEST_DEL body. */
void build_dest(struct nlmsghdr *nlh, const struct cmd *cmd)
{
	struct nlattr *nest;
	uint16_t port;

	put_service_key(nlh, &cmd->svc);

	nest = mnl_attr_nest_start(nlh, DSR_A_DEST);
	if (cmd->dest.family == AF_INET6)
		mnl_attr_put(nlh, DSR_A_DEST_ADDR6, sizeof(cmd->dest.v6),
			     &cmd->dest.v6);
	else
		mnl_attr_put(nlh, DSR_A_DEST_ADDR4, sizeof(cmd->dest.v4),
			     &cmd->dest.v4);
	/*
	 * DR and TUN cannot map ports: the real server port is the service
	 * port (main.c rejects any other). A fwmark service has no port; 0
	 * then means "whatever port the packet has".
	 */
	port = cmd->dest_port ? cmd->dest_port : cmd->svc.port;
	mnl_attr_put_u16(nlh, DSR_A_DEST_PORT, htons(port));
	if (cmd->op != OP_DEL_DEST) {
		/* Like ipvsadm, -a and -e always send method and weight. */
		mnl_attr_put_u8(nlh, DSR_A_DEST_FWD_METHOD, cmd->fwd);
		mnl_attr_put_u32(nlh, DSR_A_DEST_WEIGHT, cmd->weight);
		/* Thresholds: -a states them, -e changes what it gives. */
		if (cmd->op == OP_ADD_DEST || (cmd->opts & OPT_U_THRESHOLD))
			mnl_attr_put_u32(nlh, DSR_A_DEST_U_THRESHOLD,
					 cmd->u_threshold);
		if (cmd->op == OP_ADD_DEST || (cmd->opts & OPT_L_THRESHOLD))
			mnl_attr_put_u32(nlh, DSR_A_DEST_L_THRESHOLD,
					 cmd->l_threshold);
		if (cmd->fwd == DSR_FWD_TUN)
			put_tunnel(nlh, cmd);
	}
	mnl_attr_nest_end(nlh, nest);
}

int do_dest(struct nl *nl, const struct cmd *cmd)
{
	char name[SERVICE_STRLEN], dname[ENDPOINT_STRLEN];
	struct nlmsghdr *nlh;
	const char *what, *prep;
	uint8_t c;
	int ret;

	switch (cmd->op) {
	case OP_ADD_DEST:
		c = DSR_CMD_DEST_NEW;
		what = "adding";
		prep = "to";
		break;
	case OP_EDIT_DEST:
		c = DSR_CMD_DEST_SET;
		what = "editing";
		prep = "of";
		break;
	default:
		c = DSR_CMD_DEST_DEL;
		what = "deleting";
		prep = "from";
		break;
	}
	nlh = nl_request(nl, c, 0);
	build_dest(nlh, cmd);
	ret = nl_do(nl, nlh, NULL, NULL);
	if (!ret)
		return EXIT_OK;
	if (cmd->dest_port || cmd->svc.port)
		format_endpoint(&cmd->dest, cmd->dest_port ? cmd->dest_port :
				cmd->svc.port, dname, sizeof(dname));
	else
		format_addr(&cmd->dest, dname, sizeof(dname));
	format_service(&cmd->svc, name, sizeof(name));
	return kernel_error(nl, ret, "%s real server %s %s service %s", what,
			    dname, prep, name);
}
