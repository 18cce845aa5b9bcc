/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dsradm - shared types: service and destination as userspace sees them,
 * the parsed command, and error reporting.
 */
#ifndef DSRADM_H
#define DSRADM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <netinet/in.h>

#include <linux/dsr.h>

#define DSRADM_VERSION		"0.1.0"

/* The module's scheduler when a new service names none. */
#define DSRADM_DEFAULT_SCHED	"mh"

/* Exit codes, as ipvsadm's. */
#define EXIT_OK			0
#define EXIT_USAGE		2
#define EXIT_KERNEL		255

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

struct ipaddr {
	int family;			/* AF_INET, AF_INET6; 0 when unset */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	};
};

struct svc_key {
	uint8_t protocol;		/* IPPROTO_TCP/UDP; 0 for fwmark */
	struct ipaddr addr;		/* fwmark: .family only (-6), the
					 * address zero */
	uint16_t port;			/* host order */
	uint32_t fwmark;		/* non-zero: a fwmark service */
};

/*
 * The service's address family: its address's, or a fwmark service's own
 * (AF_INET unless -6; a key built without one counts as AF_INET).
 */
static inline int svc_family(const struct svc_key *key)
{
	return key->addr.family == AF_INET6 ? AF_INET6 : AF_INET;
}

struct stats {
	uint64_t conns;
	uint64_t packets;
	uint64_t bytes;
};

struct dest {
	struct ipaddr addr;
	uint16_t port;			/* host order */
	uint8_t fwd;			/* enum dsr_fwd_method */
	uint8_t tun_type;		/* enum dsr_tun_type; TUN only */
	uint16_t tun_port;		/* host order; GUE only */
	uint32_t tun_flags;		/* DSR_TUN_F_* */
	uint32_t tun_pmtu;		/* path MTU learned from ICMP; 0 = none */
	uint32_t weight;
	uint32_t active;
	uint32_t inactive;
	uint32_t u_threshold;		/* 0: none */
	uint32_t l_threshold;
	uint32_t persist;		/* persistence templates naming it */
	struct stats stats;
	struct stats rate;		/* --rate: per second */
};

struct svc {
	struct svc_key key;
	char sched[DSR_SCHED_NAME_MAX];
	uint32_t flags;			/* DSR_SERVICE_F_* */
	uint32_t sched_table;		/* lookup table size in use; 0 = none */
	uint64_t digest;		/* of the lookup table */
	uint32_t timeout;		/* persistence, seconds; 0 = none */
	struct in_addr netmask;		/* persistence granularity, IPv4 */
	uint8_t prefix_len6;		/* the same for IPv6, 1..128 */
	char pe[DSR_PE_NAME_MAX];	/* persistence engine; "": none */
	struct in_addr tun_src;		/* 0.0.0.0: the route's source */
	uint8_t tun_src_plen;		/* 1..32 */
	uint32_t dest_count;
	struct stats stats;
	struct stats rate;		/* --rate: per second */
	struct dest *dests;
	size_t ndests;
};

/* Flow timeouts, in the order of ipvsadm's --set and then dsr's own. */
enum timeout_idx {
	TMO_TCP,			/* established TCP */
	TMO_TCPFIN,			/* after FIN */
	TMO_UDP,
	TMO_SYN,			/* only SYN seen, or one mid-stream packet */
	TMO_RST,			/* after RST */
	TMO_COUNT,
};

struct info {
	char version[64];
	uint32_t flow_count;
	uint32_t flow_max;
	uint32_t flow_max_host;
	uint64_t icmp_forwarded;
	uint64_t icmp_tun_pmtu;
	uint64_t flow_inserts;
	uint64_t flow_evictions;
	uint64_t flow_expiries;
	uint64_t flow_untracked;
	uint64_t flow_midstream;
	uint8_t hook;			/* enum dsr_hook */
	uint32_t service_count;
	uint32_t service_max;		/* services the namespace may have */
	uint32_t dest_max;		/* real servers a service may have */
	uint32_t timeout[TMO_COUNT];	/* seconds */
	uint64_t drops[DSR_DROP_MAX + 1];	/* by enum dsr_drop_reason */
};

/* One flow-table entry (-L -c). */
struct flow {
	uint8_t protocol;
	uint8_t state;			/* enum dsr_flow_state */
	uint8_t packets;		/* 1 or 2 */
	uint32_t expires;		/* milliseconds left */
	struct ipaddr client;
	uint16_t client_port;		/* host order */
	struct ipaddr vip;
	uint16_t vip_port;
	struct ipaddr dest;
	uint16_t dest_port;
};

struct flows {
	struct flow *v;
	size_t n;
};

struct listing {
	struct info info;
	struct svc *svcs;
	size_t nsvcs;
};

enum op {
	OP_LIST,			/* the default, as in ipvsadm */
	OP_ADD_SERVICE,
	OP_EDIT_SERVICE,
	OP_DEL_SERVICE,
	OP_CLEAR,
	OP_ADD_DEST,
	OP_EDIT_DEST,
	OP_DEL_DEST,
	OP_ZERO,
	OP_SAVE,
	OP_RESTORE,
	OP_SET,				/* --set tcp tcpfin udp */
	OP_SET_TIMEOUTS,		/* --set-timeouts name=s,... */
	OP_SET_FLOW_LIMIT,		/* --set-flow-limit N */
	OP_SET_SERVICE_LIMIT,		/* --set-service-limit N */
	OP_SET_SERVER_LIMIT,		/* --set-server-limit N */
	OP_MONITOR,			/* monitor [-j] */
	OP_SET_HOOK,			/* --hook pre-routing|local-in */
	OP_HELP,
	OP_VERSION,
};

/* Output format bits for -L / -S. */
#define FMT_NUMERIC		0x01
#define FMT_STATS		0x02
#define FMT_EXACT		0x04
#define FMT_JSON		0x08
#define FMT_RULES		0x10
#define FMT_TUN_INFO		0x20
#define FMT_DIGEST		0x40
#define FMT_RATE		0x80
#define FMT_THRESHOLDS		0x100
#define FMT_PERSIST_CONN	0x200

/* Options seen on the command line (struct cmd.opts). */
#define OPT_SERVICE		0x0001	/* -t, -u, -f */
#define OPT_SCHED		0x0002	/* -s */
#define OPT_PERSIST		0x0004	/* -p */
#define OPT_DEST		0x0008	/* -r */
#define OPT_FWD			0x0010	/* -g, -i */
#define OPT_WEIGHT		0x0020	/* -w */
#define OPT_TUN_TYPE		0x0040	/* --tun-type */
#define OPT_NUMERIC		0x0080	/* -n */
#define OPT_STATS		0x0100	/* --stats */
#define OPT_EXACT		0x0200	/* --exact */
#define OPT_JSON		0x0400	/* -j */
#define OPT_TUN_PORT		0x0800	/* --tun-port */
#define OPT_TUN_NOCSUM		0x1000	/* --tun-nocsum */
#define OPT_TUN_CSUM		0x2000	/* --tun-csum */
#define OPT_TUN_INFO		0x4000	/* --tun-info */
#define OPT_TUN_SRC		0x8000	/* --tun-src */
#define OPT_SCHED_FLAGS		0x10000	/* -b */
#define OPT_STATELESS		0x20000	/* --stateless */
#define OPT_SCHED_TABLE		0x40000	/* --sched-table */
#define OPT_DIGEST		0x80000	/* --digest */
#define OPT_CONN		0x100000 /* -c */
#define OPT_TIMEOUT		0x200000 /* --timeout */
#define OPT_SYNC		0x400000 /* -R --sync */
#define OPT_RATE		0x800000 /* --rate */
#define OPT_SORT		0x1000000 /* --sort */
#define OPT_NETMASK		0x2000000 /* -M */
#define OPT_ONEPACKET		0x4000000 /* -o */
#define OPT_U_THRESHOLD		0x8000000 /* -x */
#define OPT_L_THRESHOLD		0x10000000 /* -y */
#define OPT_THRESHOLDS		0x20000000 /* --thresholds */
#define OPT_PERSIST_CONN	0x40000000 /* --persistent-conn */
#define OPT_PE			0x80000000 /* --pe */
/* What only a tunnel real server (-i) takes. */
#define OPT_TUN_ALL		(OPT_TUN_TYPE | OPT_TUN_PORT | \
				 OPT_TUN_NOCSUM | OPT_TUN_CSUM)

struct cmd {
	enum op op;
	unsigned int opts;		/* OPT_* seen, see main.c */
	struct svc_key svc;
	struct ipaddr dest;
	uint16_t dest_port;		/* 0: not given */
	char sched[DSR_SCHED_NAME_MAX];
	char sched_flags[64];		/* -b as given, checked in main.c */
	uint32_t flags;			/* DSR_SERVICE_F_*: -b, --stateless */
	uint32_t sched_table;		/* --sched-table */
	uint32_t timeout;		/* -p; 0 with -p 0: none */
	struct in_addr netmask;		/* -M of an IPv4 service */
	uint8_t prefix_len6;		/* -M of an IPv6 service, 1..128 */
	char pe[DSR_PE_NAME_MAX];	/* --pe; "" with --pe '': none */
	uint32_t timeouts[TMO_COUNT];	/* --set, --set-timeouts; 0 = keep */
	uint32_t flow_limit;		/* --set-*-limit: the value */
	uint8_t hook;			/* --hook: enum dsr_hook */
	uint8_t fwd;			/* DSR_FWD_DR unless -i */
	uint8_t tun_type;		/* DSR_TUN_IPIP unless --tun-type */
	uint16_t tun_port;		/* host order; 0: not given */
	uint32_t tun_flags;		/* DSR_TUN_F_CSUM with --tun-csum */
	struct in_addr tun_src;		/* --tun-src */
	uint8_t tun_src_plen;
	uint32_t weight;
	uint32_t u_threshold;		/* -x */
	uint32_t l_threshold;		/* -y */
	unsigned int fmt;		/* FMT_* */
};

struct nl;
struct nlmsghdr;

/* error.c: where output goes (tests point these at files). */
extern FILE *dsradm_in;
extern FILE *dsradm_out;
/* --rate's clock and pause (milliseconds); the unit tests replace them. */
extern uint64_t (*dsradm_clock_ms)(void);
extern void (*dsradm_pause_ms)(unsigned int ms);
extern FILE *dsradm_err;
extern unsigned int dsradm_lineno;	/* -R: input line, for messages */

void errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warnf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kernel_error(const struct nl *nl, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* service.c */
void put_service_key(struct nlmsghdr *nlh, const struct svc_key *key);
void build_service(struct nlmsghdr *nlh, const struct cmd *cmd);
int check_sched_flags(struct cmd *cmd, const char *sched);
int do_service(struct nl *nl, const struct cmd *cmd);
int do_flush(struct nl *nl);
int do_zero(struct nl *nl, const struct cmd *cmd);

/* dest.c */
void build_dest(struct nlmsghdr *nlh, const struct cmd *cmd);
int do_dest(struct nl *nl, const struct cmd *cmd);

/* main.c */
int parse_args(int argc, char **argv, struct cmd *cmd, bool *have_op);
int dsradm_run(int argc, char **argv);
extern int (*dsradm_nl_open)(struct nl **nlp);

/* list.c */
int do_list(struct nl *nl, const struct cmd *cmd);
int fetch_info(struct nl *nl, struct info *info);
int fetch_service(struct nl *nl, const struct svc_key *key, struct svc *svc);
int fetch_listing(struct nl *nl, const struct svc_key *only,
		  struct listing *l);
int parse_object_msg(const struct nlmsghdr *nlh, struct svc *svc,
		     struct dest *d, bool *has_dest);

/* sync.c: -R --sync */
struct sync_rule {
	struct cmd cmd;
	unsigned int lineno;		/* of the input, for messages */
};

struct rule_list {
	struct sync_rule *v;
	size_t n;
};

int sync_rules(struct nl *nl, struct rule_list *in);

/* monitor.c */
int do_monitor(struct nl *nl, const struct cmd *cmd);

/* flow.c */
int fetch_flows(struct nl *nl, struct flows *f);
int do_flows(struct nl *nl, const struct cmd *cmd);

/* config.c */
void build_timeouts(struct nlmsghdr *nlh, const uint32_t *timeouts);
int do_set_timeouts(struct nl *nl, const struct cmd *cmd);
int do_set_limit(struct nl *nl, const struct cmd *cmd);
int do_set_hook(struct nl *nl, const struct cmd *cmd);
int do_list_timeouts(struct nl *nl, const struct cmd *cmd);

#endif /* DSRADM_H */
