/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake dsr kernel behind the nl transport: it reads the netlink bytes
 * dsradm sends, checks them against the uapi attribute trees as strictly
 * as the module's policies would, keeps a service table, and answers with
 * real netlink messages (ACKs with extended ACK text, multipart dumps,
 * NLMSG_DONE with errors, NLM_F_DUMP_INTR).
 */
#ifndef DSRADM_FAKE_KERNEL_H
#define DSRADM_FAKE_KERNEL_H

#include <stdbool.h>

#include "dsradm.h"

#define FAKE_MAX_SVCS	16
#define FAKE_MAX_DESTS	8

#define FAKE_MAX_FLOWS	8

struct fake_svc {
	struct svc svc;			/* .dests unused */
	uint32_t table_req;		/* SCHED_TABLE asked for; 0 = default */
	struct dest dests[FAKE_MAX_DESTS];
	size_t ndests;
};

struct fake_kernel {
	/* knobs */
	bool not_loaded;		/* CTRL_CMD_GETFAMILY -> ENOENT */
	bool eperm;			/* every dsr command -> EPERM */
	bool no_extack;			/* errors without message text */
	bool echo_request;		/* NLMSG_ERROR echoes the request */
	int intr_dumps;			/* mark that many dumps interrupted */
	bool bad_dest_addr;		/* DEST_GET: a 5-byte ADDR4 */
	bool no_info;			/* INFO_GET -> EOPNOTSUPP */
	bool huge_len;			/* a dump message of length 2^31 */
	bool vanish;			/* DEST_GET: service just deleted */
	/* state */
	struct fake_svc svcs[FAKE_MAX_SVCS];
	size_t nsvcs;
	uint32_t flow_count;
	uint32_t flow_max;
	uint8_t hook;			/* enum dsr_hook; 0: pre-routing */
	uint32_t service_max;		/* 0: DSR_SERVICES_MAX */
	uint32_t dest_max;		/* 0: DSR_DESTS_MAX */
	uint64_t icmp_forwarded;
	uint64_t icmp_tun_pmtu;
	struct info info;		/* flow_max_host, flow_* counters */
	uint32_t timeout[TMO_COUNT];
	struct flow flows[FAKE_MAX_FLOWS];
	size_t nflows;
	/* what dsradm sent */
	unsigned int requests;
	uint8_t last_cmd;
	uint16_t last_flags;
	uint32_t last_svc_attrs;	/* bit n: DSR_A_SERVICE_* n was sent */
	uint32_t last_dest_attrs;	/* bit n: DSR_A_DEST_* n was sent */
	uint32_t last_info_attrs;	/* bit n: DSR_A_INFO_* n was sent */
};

extern struct fake_kernel fake;

void fake_reset(void);
int fake_nl_open(struct nl **nlp);
struct fake_svc *fake_find(const struct svc_key *key);

#endif /* DSRADM_FAKE_KERNEL_H */
