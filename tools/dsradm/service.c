// SPDX-License-Identifier: GPL-2.0
/*
 * dsradm - service commands: -A, -E, -D, -C, -Z.
 */
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>

#include "dsradm.h"
#include "nl.h"
#include "parse.h"

/* The DSR_A_SERVICE nest with the key only. */
static void put_key_attrs(struct nlmsghdr *nlh, const struct svc_key *key)
{
	if (key->fwmark) {
		mnl_attr_put_u32(nlh, DSR_A_SERVICE_FWMARK, key->fwmark);
		/* Only for -6: an IPv4 key stays what it always was. */
		if (svc_family(key) == AF_INET6)
			mnl_attr_put_u8(nlh, DSR_A_SERVICE_FAMILY, AF_INET6);
		return;
	}
	mnl_attr_put_u8(nlh, DSR_A_SERVICE_PROTOCOL, key->protocol);
	if (key->addr.family == AF_INET6)
		mnl_attr_put(nlh, DSR_A_SERVICE_ADDR6, sizeof(key->addr.v6),
			     &key->addr.v6);
	else
		mnl_attr_put(nlh, DSR_A_SERVICE_ADDR4, sizeof(key->addr.v4),
			     &key->addr.v4);
	mnl_attr_put_u16(nlh, DSR_A_SERVICE_PORT, htons(key->port));
}

void put_service_key(struct nlmsghdr *nlh, const struct svc_key *key)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, DSR_A_SERVICE);

	put_key_attrs(nlh, key);
	mnl_attr_nest_end(nlh, nest);
}

/* SERVICE_NEW / SERVICE_SET / SERVICE_DEL body. */
void build_service(struct nlmsghdr *nlh, const struct cmd *cmd)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, DSR_A_SERVICE);

	put_key_attrs(nlh, &cmd->svc);
	if (cmd->op != OP_DEL_SERVICE) {
		if (cmd->sched[0])
			mnl_attr_put_strz(nlh, DSR_A_SERVICE_SCHED_NAME,
					  cmd->sched);
		/*
		 * -E with -b, -o or --stateless states the flags in full,
		 * as ipvsadm's -E does; -E with none of them keeps them.
		 */
		if (cmd->flags || (cmd->op == OP_EDIT_SERVICE &&
				   (cmd->opts & (OPT_SCHED_FLAGS |
						 OPT_STATELESS |
						 OPT_ONEPACKET))))
			mnl_attr_put_u32(nlh, DSR_A_SERVICE_FLAGS, cmd->flags);
		if (cmd->opts & OPT_SCHED_TABLE)
			mnl_attr_put_u32(nlh, DSR_A_SERVICE_SCHED_TABLE,
					 cmd->sched_table);
		/* -p 0 with -E: no persistence any more. */
		if (cmd->opts & OPT_PERSIST)
			mnl_attr_put_u32(nlh, DSR_A_SERVICE_TIMEOUT,
					 cmd->timeout);
		if ((cmd->opts & OPT_NETMASK) &&
		    svc_family(&cmd->svc) == AF_INET6)
			mnl_attr_put_u8(nlh, DSR_A_SERVICE_PREFIX_LEN6,
					cmd->prefix_len6);
		else if (cmd->opts & OPT_NETMASK)
			mnl_attr_put(nlh, DSR_A_SERVICE_NETMASK,
				     sizeof(cmd->netmask), &cmd->netmask);
		if (cmd->opts & OPT_PE)
			mnl_attr_put_strz(nlh, DSR_A_SERVICE_PE_NAME, cmd->pe);
		/* Both, /32 too: the request states the whole source. */
		if (cmd->opts & OPT_TUN_SRC) {
			mnl_attr_put(nlh, DSR_A_SERVICE_TUN_SRC4,
				     sizeof(cmd->tun_src), &cmd->tun_src);
			mnl_attr_put_u8(nlh, DSR_A_SERVICE_TUN_SRC_PLEN,
					cmd->tun_src_plen);
		}
	}
	mnl_attr_nest_end(nlh, nest);
}

/*
 * -b against the scheduler @sched, as ipvsadm checks it: sh-* only with
 * sh, mh-* only with mh. Sets the flags in @cmd; EXIT_USAGE on a mismatch.
 */
int check_sched_flags(struct cmd *cmd, const char *sched)
{
	uint32_t flags;
	char bad[32];

	if (!(cmd->opts & OPT_SCHED_FLAGS))
		return 0;
	if (parse_sched_flags(cmd->sched_flags, sched, &flags, bad,
			      sizeof(bad))) {
		errorf("incompatible scheduler flag '%s': it needs -s %s, the scheduler is %s",
		       bad, sched_flag_sched(bad) ? sched_flag_sched(bad) : "?",
		       sched);
		return EXIT_USAGE;
	}
	cmd->flags &= ~(DSR_SERVICE_F_HASH_FALLBACK | DSR_SERVICE_F_HASH_PORT);
	cmd->flags |= flags;
	return 0;
}

/* -E -b without -s: the flags must suit the service's current scheduler. */
static int check_edit_flags(struct nl *nl, struct cmd *cmd)
{
	char name[SERVICE_STRLEN];
	struct svc svc;
	int ret;

	ret = fetch_service(nl, &cmd->svc, &svc);
	if (ret)
		return kernel_error(nl, ret, "editing service %s",
				    format_service(&cmd->svc, name,
						   sizeof(name)));
	return check_sched_flags(cmd, svc.sched[0] ? svc.sched :
				 DSRADM_DEFAULT_SCHED);
}

int do_service(struct nl *nl, const struct cmd *cmd)
{
	char name[SERVICE_STRLEN];
	struct nlmsghdr *nlh;
	struct cmd edit;
	const char *what;
	uint8_t c;
	int ret;

	if (cmd->op == OP_EDIT_SERVICE && (cmd->opts & OPT_SCHED_FLAGS) &&
	    !(cmd->opts & OPT_SCHED)) {
		edit = *cmd;
		ret = check_edit_flags(nl, &edit);
		if (ret)
			return ret;
		cmd = &edit;
	}

	switch (cmd->op) {
	case OP_ADD_SERVICE:
		c = DSR_CMD_SERVICE_NEW;
		what = "adding";
		break;
	case OP_EDIT_SERVICE:
		c = DSR_CMD_SERVICE_SET;
		what = "editing";
		break;
	default:
		c = DSR_CMD_SERVICE_DEL;
		what = "deleting";
		break;
	}
	nlh = nl_request(nl, c, 0);
	build_service(nlh, cmd);
	ret = nl_do(nl, nlh, NULL, NULL);
	if (ret)
		return kernel_error(nl, ret, "%s service %s", what,
				    format_service(&cmd->svc, name,
						   sizeof(name)));
	return EXIT_OK;
}

int do_flush(struct nl *nl)
{
	struct nlmsghdr *nlh = nl_request(nl, DSR_CMD_FLUSH, 0);
	int ret;

	ret = nl_do(nl, nlh, NULL, NULL);
	if (ret)
		return kernel_error(nl, ret, "clearing the service table");
	return EXIT_OK;
}

int do_zero(struct nl *nl, const struct cmd *cmd)
{
	struct nlmsghdr *nlh = nl_request(nl, DSR_CMD_ZERO, 0);
	char name[SERVICE_STRLEN];
	int ret;

	if (cmd->opts & OPT_SERVICE)
		put_service_key(nlh, &cmd->svc);
	ret = nl_do(nl, nlh, NULL, NULL);
	if (!ret)
		return EXIT_OK;
	if (cmd->opts & OPT_SERVICE)
		return kernel_error(nl, ret, "zeroing counters of service %s",
				    format_service(&cmd->svc, name,
						   sizeof(name)));
	return kernel_error(nl, ret, "zeroing counters");
}
