// SPDX-License-Identifier: GPL-2.0
/*
 * dsradm - administer the dsr Direct Server Return load balancer.
 *
 * The command line is ipvsadm's: one command letter (-A -E -D -C -a -e -d
 * -L -Z -S -R), the service (-t/-u/-f), and the options each command takes.
 * This file turns argv into a struct cmd, checks it, and dispatches.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dsradm.h"
#include "nl.h"
#include "parse.h"

#define DEFAULT_PERSIST		360	/* seconds, ipvsadm's -p default */
#define PERSIST_MAX		(31 * 86400)	/* ipvsadm's and the module's */
#define RESTORE_MAX_ARGS	64

enum {
	LO_STATS = 0x100,
	LO_EXACT,
	LO_TUN_TYPE,
	LO_TUN_PORT,
	LO_TUN_NOCSUM,
	LO_TUN_CSUM,
	LO_TUN_REMCSUM,
	LO_TUN_INFO,
	LO_TUN_SRC,
	LO_STATELESS,
	LO_STATEFUL,
	LO_SCHED_TABLE,
	LO_DIGEST,
	LO_TIMEOUT,
	LO_SET,
	LO_SET_TIMEOUTS,
	LO_SET_FLOW_LIMIT,
	LO_SET_SERVICE_LIMIT,
	LO_SET_SERVER_LIMIT,
	LO_HOOK,
	LO_SYNC,
	LO_RATE,
	LO_SORT,
	LO_THRESHOLDS,
	LO_PERSIST_CONN,
	LO_PE,
};

static const char short_opts[] = ":AEDCaedLlZSRhvt:u:f:6s:p::M:or:gimw:x:y:njb:c";

static const struct option long_opts[] = {
	{ "add-service",	no_argument,		NULL, 'A' },
	{ "edit-service",	no_argument,		NULL, 'E' },
	{ "delete-service",	no_argument,		NULL, 'D' },
	{ "clear",		no_argument,		NULL, 'C' },
	{ "add-server",		no_argument,		NULL, 'a' },
	{ "edit-server",	no_argument,		NULL, 'e' },
	{ "delete-server",	no_argument,		NULL, 'd' },
	{ "list",		no_argument,		NULL, 'L' },
	{ "zero",		no_argument,		NULL, 'Z' },
	{ "save",		no_argument,		NULL, 'S' },
	{ "restore",		no_argument,		NULL, 'R' },
	{ "help",		no_argument,		NULL, 'h' },
	{ "version",		no_argument,		NULL, 'v' },
	{ "tcp-service",	required_argument,	NULL, 't' },
	{ "udp-service",	required_argument,	NULL, 'u' },
	{ "fwmark-service",	required_argument,	NULL, 'f' },
	{ "ipv6",		no_argument,		NULL, '6' },
	{ "scheduler",		required_argument,	NULL, 's' },
	{ "persistent",		optional_argument,	NULL, 'p' },
	{ "netmask",		required_argument,	NULL, 'M' },
	{ "pe",			required_argument,	NULL, LO_PE },
	{ "ops",		no_argument,		NULL, 'o' },
	{ "real-server",	required_argument,	NULL, 'r' },
	{ "gatewaying",		no_argument,		NULL, 'g' },
	{ "ipip",		no_argument,		NULL, 'i' },
	{ "masquerading",	no_argument,		NULL, 'm' },
	{ "weight",		required_argument,	NULL, 'w' },
	{ "u-threshold",	required_argument,	NULL, 'x' },
	{ "l-threshold",	required_argument,	NULL, 'y' },
	{ "thresholds",		no_argument,		NULL, LO_THRESHOLDS },
	{ "persistent-conn",	no_argument,		NULL, LO_PERSIST_CONN },
	{ "tun-type",		required_argument,	NULL, LO_TUN_TYPE },
	{ "tun-port",		required_argument,	NULL, LO_TUN_PORT },
	{ "tun-nocsum",		no_argument,		NULL, LO_TUN_NOCSUM },
	{ "tun-csum",		no_argument,		NULL, LO_TUN_CSUM },
	{ "tun-remcsum",	no_argument,		NULL, LO_TUN_REMCSUM },
	{ "tun-info",		no_argument,		NULL, LO_TUN_INFO },
	{ "tun-src",		required_argument,	NULL, LO_TUN_SRC },
	{ "numeric",		no_argument,		NULL, 'n' },
	{ "stats",		no_argument,		NULL, LO_STATS },
	{ "exact",		no_argument,		NULL, LO_EXACT },
	{ "rate",		no_argument,		NULL, LO_RATE },
	{ "sort",		no_argument,		NULL, LO_SORT },
	{ "json",		no_argument,		NULL, 'j' },
	{ "sched-flags",	required_argument,	NULL, 'b' },
	{ "stateless",		no_argument,		NULL, LO_STATELESS },
	{ "stateful",		no_argument,		NULL, LO_STATEFUL },
	{ "sched-table",	required_argument,	NULL, LO_SCHED_TABLE },
	{ "digest",		no_argument,		NULL, LO_DIGEST },
	{ "connection",		no_argument,		NULL, 'c' },
	{ "timeout",		no_argument,		NULL, LO_TIMEOUT },
	{ "set",		no_argument,		NULL, LO_SET },
	{ "set-timeouts",	required_argument,	NULL, LO_SET_TIMEOUTS },
	{ "set-flow-limit",	required_argument,	NULL, LO_SET_FLOW_LIMIT },
	{ "set-service-limit",	required_argument,	NULL, LO_SET_SERVICE_LIMIT },
	{ "set-server-limit",	required_argument,	NULL, LO_SET_SERVER_LIMIT },
	{ "hook",		required_argument,	NULL, LO_HOOK },
	{ "sync",		no_argument,		NULL, LO_SYNC },
	{ NULL,			0,			NULL, 0 },
};

/* What -A and -E accept. */
#define OPT_SVC_ALL	(OPT_SERVICE | OPT_SCHED | OPT_PERSIST | OPT_TUN_SRC | \
			 OPT_SCHED_FLAGS | OPT_STATELESS | OPT_SCHED_TABLE | \
			 OPT_NETMASK | OPT_ONEPACKET | OPT_PE)

/* What each command needs and accepts. */
static const struct {
	const char *name;
	unsigned int need;
	unsigned int allow;
} ops[] = {
	[OP_LIST]	  = { "--list", 0, OPT_SERVICE | OPT_NUMERIC |
			      OPT_STATS | OPT_EXACT | OPT_JSON | OPT_TUN_INFO |
			      OPT_DIGEST | OPT_CONN | OPT_TIMEOUT | OPT_RATE |
			      OPT_SORT | OPT_THRESHOLDS | OPT_PERSIST_CONN },
	[OP_ADD_SERVICE]  = { "--add-service", OPT_SERVICE, OPT_SVC_ALL },
	[OP_EDIT_SERVICE] = { "--edit-service", OPT_SERVICE, OPT_SVC_ALL },
	[OP_DEL_SERVICE]  = { "--delete-service", OPT_SERVICE, OPT_SERVICE },
	[OP_CLEAR]	  = { "--clear", 0, 0 },
	[OP_ADD_DEST]	  = { "--add-server", OPT_SERVICE | OPT_DEST,
			      OPT_SERVICE | OPT_DEST | OPT_FWD | OPT_WEIGHT |
			      OPT_TUN_ALL | OPT_U_THRESHOLD |
			      OPT_L_THRESHOLD },
	[OP_EDIT_DEST]	  = { "--edit-server", OPT_SERVICE | OPT_DEST,
			      OPT_SERVICE | OPT_DEST | OPT_FWD | OPT_WEIGHT |
			      OPT_TUN_ALL | OPT_U_THRESHOLD |
			      OPT_L_THRESHOLD },
	[OP_DEL_DEST]	  = { "--delete-server", OPT_SERVICE | OPT_DEST,
			      OPT_SERVICE | OPT_DEST },
	[OP_ZERO]	  = { "--zero", 0, OPT_SERVICE },
	[OP_SAVE]	  = { "--save", 0, OPT_NUMERIC },
	[OP_RESTORE]	  = { "--restore", 0, OPT_SYNC },
	[OP_SET]	  = { "--set", 0, 0 },
	[OP_SET_TIMEOUTS] = { "--set-timeouts", 0, 0 },
	[OP_SET_FLOW_LIMIT] = { "--set-flow-limit", 0, 0 },
	[OP_SET_SERVICE_LIMIT] = { "--set-service-limit", 0, 0 },
	[OP_SET_SERVER_LIMIT] = { "--set-server-limit", 0, 0 },
	/* -n is accepted out of ipvsadm habit: addresses are always numeric. */
	[OP_MONITOR]	  = { "monitor", 0, OPT_JSON | OPT_NUMERIC },
	[OP_SET_HOOK]	  = { "--hook", 0, 0 },
	[OP_HELP]	  = { "--help", 0, 0 },
	[OP_VERSION]	  = { "--version", 0, 0 },
};

static const struct {
	unsigned int opt;
	const char *name;
} opt_names[] = {
	{ OPT_SERVICE,	"-t/-u/-f (service)" },
	{ OPT_SCHED,	"-s (--scheduler)" },
	{ OPT_PERSIST,	"-p (--persistent)" },
	{ OPT_NETMASK,	"-M (--netmask)" },
	{ OPT_PE,	"--pe" },
	{ OPT_ONEPACKET, "-o (--ops)" },
	{ OPT_U_THRESHOLD, "-x (--u-threshold)" },
	{ OPT_L_THRESHOLD, "-y (--l-threshold)" },
	{ OPT_THRESHOLDS, "--thresholds" },
	{ OPT_PERSIST_CONN, "--persistent-conn" },
	{ OPT_DEST,	"-r (--real-server)" },
	{ OPT_FWD,	"-g/-i" },
	{ OPT_WEIGHT,	"-w (--weight)" },
	{ OPT_TUN_TYPE,	"--tun-type" },
	{ OPT_NUMERIC,	"-n (--numeric)" },
	{ OPT_STATS,	"--stats" },
	{ OPT_EXACT,	"--exact" },
	{ OPT_RATE,	"--rate" },
	{ OPT_SORT,	"--sort" },
	{ OPT_JSON,	"-j (--json)" },
	{ OPT_TUN_PORT,	"--tun-port" },
	{ OPT_TUN_NOCSUM, "--tun-nocsum" },
	{ OPT_TUN_CSUM,	"--tun-csum" },
	{ OPT_TUN_INFO,	"--tun-info" },
	{ OPT_TUN_SRC,	"--tun-src" },
	{ OPT_SCHED_FLAGS, "-b (--sched-flags)" },
	{ OPT_STATELESS, "--stateless/--stateful" },
	{ OPT_SCHED_TABLE, "--sched-table" },
	{ OPT_DIGEST,	"--digest" },
	{ OPT_CONN,	"-c (--connection)" },
	{ OPT_TIMEOUT,	"--timeout" },
	{ OPT_SYNC,	"--sync" },
};

static void usage(FILE *f)
{
	fputs(
"dsradm " DSRADM_VERSION " - Direct Server Return load balancer administration\n"
"Usage:\n"
"  dsradm -A|-E -t|-u|-f service-address [-6] [-s scheduler]\n"
"         [-p [timeout]] [-M netmask] [--pe sip]\n"
"         [-b sched-flags] [--stateless|--stateful] [--sched-table size]\n"
"         [--tun-src address[/prefix-length]]\n"
"  dsradm -D -t|-u|-f service-address\n"
"  dsradm -C\n"
"  dsradm -R [--sync]\n"
"  dsradm -S [-n]\n"
"  dsradm -a|-e -t|-u|-f service-address -r server-address [-g|-i]\n"
"         [--tun-type ipip|gue|gre] [--tun-port port]\n"
"         [--tun-nocsum|--tun-csum] [-w weight]\n"
"  dsradm -d -t|-u|-f service-address -r server-address\n"
"  dsradm -L|-l [-t|-u|-f service-address] [-n] [--stats|--rate]\n"
"         [--exact] [--sort] [--tun-info] [--digest] [-j]\n"
"  dsradm -L|-l -c|--timeout [-n] [-j]\n"
"  dsradm --set tcp tcpfin udp\n"
"  dsradm --set-timeouts name=seconds[,name=seconds...]\n"
"  dsradm --set-flow-limit flows\n"
"  dsradm --set-service-limit services\n"
"  dsradm --set-server-limit real-servers\n"
"  dsradm --hook pre-routing|local-in\n"
"  dsradm -Z [-t|-u|-f service-address]\n"
"  dsradm monitor [-j]                every change as it happens\n"
"  dsradm -h|-v\n"
"\n"
"Commands:\n"
"  --add-service     -A   add a virtual service\n"
"  --edit-service    -E   edit a virtual service\n"
"  --delete-service  -D   delete a virtual service\n"
"  --clear           -C   delete every virtual service\n"
"  --restore         -R   read commands (as -S writes them) from stdin\n"
"                         (--sync: make the table equal to a saved one,\n"
"                         changing only what differs)\n"
"  --save            -S   write the tables as commands to stdout\n"
"  --add-server      -a   add a real server to a service\n"
"  --edit-server     -e   edit a real server\n"
"  --delete-server   -d   delete a real server\n"
"  --list            -L|-l  list the tables (the default)\n"
"  --zero            -Z   zero the counters of one or all services\n"
"  --set tcp tcpfin udp   set flow timeouts (seconds, 0: unchanged)\n"
"  --set-timeouts name=s,...  set timeouts by name: tcp tcpfin udp syn rst\n"
"  --set-flow-limit N     most flows the namespace keeps in its flow table\n"
"  --set-service-limit N  most services the namespace may have\n"
"  --set-server-limit N   most real servers a service may have\n"
"  --hook pre-routing|local-in  take VIP traffic before conntrack and the\n"
"                         firewall, or after the INPUT firewall (as IPVS)\n"
"  --help            -h   this text\n"
"  --version         -v   the version\n"
"\n"
"Options:\n"
"  --tcp-service  -t address:port   TCP service, a.b.c.d:port or [ipv6]:port\n"
"  --udp-service  -u address:port   UDP service\n"
"  --fwmark-service -f fwmark       firewall-mark service (IPv4 unless -6)\n"
"  --ipv6         -6                after -f: an IPv6 fwmark service\n"
"  --scheduler    -s name           mh (the default), rr, wrr, sh, lc, wlc\n"
"  --sched-flags  -b flag[,flag]    sh-fallback, sh-port (-s sh),\n"
"                                   mh-fallback, mh-port (-s mh)\n"
"  --stateless                      no flow table: every packet hashed (dsr)\n"
"  --stateful                       with -E: keep flows in the table again\n"
"  --sched-table  size              lookup table size, a prime (dsr)\n"
"  --persistent   -p [timeout]      a client's connections go to one real\n"
"                                   server (default 360 s; -E -p 0: off)\n"
"  --netmask      -M netmask        clients grouped for -p: a dotted mask\n"
"                                   (default 255.255.255.255), for IPv6\n"
"                                   a prefix length (default 128)\n"
"  --pe           sip               with -p, UDP datagrams of one SIP call\n"
"                                   (Call-ID) go to one real server\n"
"  --ops          -o                one-packet scheduling: every UDP\n"
"                                   datagram scheduled on its own\n"
"  --real-server  -r address[:port] real server; its port is the service's\n"
"  --gatewaying   -g                direct routing (the default)\n"
"  --ipip         -i                tunnel (IP-in-IP unless --tun-type)\n"
"  --tun-type     ipip|gue|gre      tunnel type with -i, default ipip\n"
"  --tun-port     port              GUE destination port (gue: required)\n"
"  --tun-nocsum                     no outer checksum (gue, gre; default)\n"
"  --tun-csum                       outer checksum (gue, gre)\n"
"  --tun-src      address[/len]     outer source of IPv4 tunnel packets (dsr)\n"
"  --weight       -w weight         0..65535 (0: drain), default 1\n"
"  --u-threshold  -x connections    no new connections at this many\n"
"  --l-threshold  -y connections    new ones again below this many\n"
"                                   (default 3/4 of -x)\n"
"  --numeric      -n                numeric output (always)\n"
"  --stats                          counters\n"
"  --rate                           rates per second, over one second\n"
"  --thresholds                     connection thresholds of the servers\n"
"  --persistent-conn                persistence templates per server\n"
"  --tun-info                       tunnel column in the listing\n"
"  --digest                         lookup table size and digest (dsr)\n"
"  --connection   -c                list the flow table\n"
"  --timeout                        list the timeouts\n"
"  --exact                          exact numbers (always)\n"
"  --sort                           sorted output (always)\n"
"  --json         -j                JSON output\n", f);
}

static int usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	errorf("%s", msg);
	return EXIT_USAGE;
}

static const char *opt_name(unsigned int opt)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(opt_names); i++)
		if (opt_names[i].opt == opt)
			return opt_names[i].name;
	return "?";
}

static int set_op(struct cmd *cmd, bool *have_op, enum op op)
{
	if (*have_op && cmd->op != op)
		return usage_error("only one command may be given (%s and %s)",
				   ops[cmd->op].name, ops[op].name);
	cmd->op = op;
	*have_op = true;
	return 0;
}

static int set_opt(struct cmd *cmd, unsigned int opt)
{
	if (cmd->opts & opt)
		return usage_error("option %s given more than once",
				   opt_name(opt));
	cmd->opts |= opt;
	return 0;
}

static int parse_service_opt(struct cmd *cmd, int c, const char *arg)
{
	enum parse_err e;

	if (set_opt(cmd, OPT_SERVICE))
		return EXIT_USAGE;
	if (c == 'f') {
		if (parse_u32(arg, 1, UINT32_MAX, &cmd->svc.fwmark))
			return usage_error("invalid firewall mark '%s': 1..%u",
					   arg, UINT32_MAX);
		cmd->svc.addr.family = AF_INET;	/* until -6 */
		return 0;
	}
	cmd->svc.protocol = c == 't' ? IPPROTO_TCP : IPPROTO_UDP;
	e = parse_endpoint(arg, &cmd->svc.addr, &cmd->svc.port, true);
	if (e)
		return usage_error("invalid service address '%s': %s", arg,
				   parse_strerror(e));
	return 0;
}

/* -p takes an optional argument: -p, -p300, --persistent=300, -p 300. */
static int parse_persist(struct cmd *cmd, int argc, char **argv,
			 const char *arg)
{
	if (set_opt(cmd, OPT_PERSIST))
		return EXIT_USAGE;
	if (!arg && optind < argc && argv[optind][0] >= '0' &&
	    argv[optind][0] <= '9')
		arg = argv[optind++];
	if (!arg) {
		cmd->timeout = DEFAULT_PERSIST;
		return 0;
	}
	if (parse_u32(arg, 0, PERSIST_MAX, &cmd->timeout))
		return usage_error("invalid persistence timeout '%s': 1..%u seconds (0: none)",
				   arg, PERSIST_MAX);
	return 0;
}

/*
 * -M, as ipvsadm takes it: a dotted netmask, contiguous, for an IPv4
 * service; a prefix length, 1..128, for an IPv6 one. Read once the whole
 * command line is, so that the service's family is known wherever -M is.
 */
static int parse_netmask(struct cmd *cmd, const char *arg)
{
	uint32_t m;

	if (svc_family(&cmd->svc) == AF_INET6) {
		if (parse_u32(arg, 1, 128, &m))
			return usage_error("invalid netmask '%s': an IPv6 service takes a prefix length, 1..128",
					   arg);
		cmd->prefix_len6 = (uint8_t)m;
		return 0;
	}
	if (inet_pton(AF_INET, arg, &cmd->netmask) != 1)
		return usage_error("invalid netmask '%s': an IPv4 service takes a dotted netmask, as 255.255.255.0",
				   arg);
	m = ntohl(cmd->netmask.s_addr);
	/* Contiguous: the host part, ~m, is a run of low ones. */
	if (~m & (~m + 1))
		return usage_error("invalid netmask '%s': not contiguous",
				   arg);
	return 0;
}

/* -b: the names are checked here, the scheduler they go with in check_cmd. */
static int parse_sched_flags_opt(struct cmd *cmd, const char *arg)
{
	char bad[32];
	uint32_t f;

	if (set_opt(cmd, OPT_SCHED_FLAGS))
		return EXIT_USAGE;
	if (strlen(arg) >= sizeof(cmd->sched_flags) ||
	    parse_sched_flags(arg, NULL, &f, bad, sizeof(bad)))
		return usage_error("invalid scheduler flag '%s': sh-fallback, sh-port, mh-fallback or mh-port",
				   strlen(arg) >= sizeof(cmd->sched_flags) ?
				   arg : bad);
	snprintf(cmd->sched_flags, sizeof(cmd->sched_flags), "%s", arg);
	return 0;
}

static int parse_set_timeouts(struct cmd *cmd, bool *have_op,
			      const char *arg)
{
	char bad[32];

	if (set_op(cmd, have_op, OP_SET_TIMEOUTS))
		return EXIT_USAGE;
	switch (parse_timeout_list(arg, cmd->timeouts, bad, sizeof(bad))) {
	case TMO_OK:
		return 0;
	case TMO_BAD_NAME:
		return usage_error("invalid timeout name '%s': tcp, tcpfin, udp, syn or rst",
				   bad);
	case TMO_BAD_VALUE:
		return usage_error("invalid timeout '%s': 1..%u seconds", bad,
				   TIMEOUT_MAX);
	case TMO_TWICE:
		return usage_error("timeout '%s' given more than once", bad);
	case TMO_SYNTAX:
		break;
	}
	return usage_error("invalid timeout '%s': NAME=SECONDS[,NAME=SECONDS...]",
			   bad);
}

/* --set-flow-limit, --set-service-limit, --set-server-limit N: 1..@max. */
static int parse_limit(struct cmd *cmd, bool *have_op, enum op op,
		       const char *what, uint32_t max)
{
	if (set_op(cmd, have_op, op))
		return EXIT_USAGE;
	if (parse_u32(optarg, 1, max, &cmd->flow_limit))
		return usage_error("invalid %s limit '%s': 1..%u", what, optarg,
				   max);
	return 0;
}

/* --set tcp tcpfin udp: three numbers after the options, 0 = unchanged. */
static int parse_set_args(struct cmd *cmd, int argc, char **argv)
{
	int i;

	if (argc - optind != 3)
		return usage_error("--set needs 3 timeout values: tcp tcpfin udp");
	for (i = 0; i < 3; i++) {
		if (parse_u32(argv[optind + i], 0, TIMEOUT_MAX,
			      &cmd->timeouts[TMO_TCP + i]))
			return usage_error("invalid timeout '%s': 0..%u seconds",
					   argv[optind + i], TIMEOUT_MAX);
	}
	optind = argc;
	return 0;
}

static int parse_option(struct cmd *cmd, bool *have_op, int c, int argc,
			char **argv)
{
	enum parse_err e;
	uint8_t fwd;
	uint32_t v;

	switch (c) {
	case 'A':
		return set_op(cmd, have_op, OP_ADD_SERVICE);
	case 'E':
		return set_op(cmd, have_op, OP_EDIT_SERVICE);
	case 'D':
		return set_op(cmd, have_op, OP_DEL_SERVICE);
	case 'C':
		return set_op(cmd, have_op, OP_CLEAR);
	case 'a':
		return set_op(cmd, have_op, OP_ADD_DEST);
	case 'e':
		return set_op(cmd, have_op, OP_EDIT_DEST);
	case 'd':
		return set_op(cmd, have_op, OP_DEL_DEST);
	case 'L':
	case 'l':
		return set_op(cmd, have_op, OP_LIST);
	case 'Z':
		return set_op(cmd, have_op, OP_ZERO);
	case 'S':
		return set_op(cmd, have_op, OP_SAVE);
	case 'R':
		return set_op(cmd, have_op, OP_RESTORE);
	case 'v':
		return set_op(cmd, have_op, OP_VERSION);
	case 't':
	case 'u':
	case 'f':
		return parse_service_opt(cmd, c, optarg);
	case '6':
		/* ipvsadm's rule: -6 turns the -f before it into IPv6. */
		if (!cmd->svc.fwmark)
			return usage_error("-6 (--ipv6) is for fwmark services: it must follow -f (--fwmark-service)");
		cmd->svc.addr.family = AF_INET6;
		return 0;
	case 's':
		if (set_opt(cmd, OPT_SCHED))
			return EXIT_USAGE;
		if (!*optarg || strlen(optarg) >= DSR_SCHED_NAME_MAX)
			return usage_error("invalid scheduler name '%s': 1..%d characters",
					   optarg, DSR_SCHED_NAME_MAX - 1);
		snprintf(cmd->sched, sizeof(cmd->sched), "%s", optarg);
		return 0;
	case 'p':
		return parse_persist(cmd, argc, argv, optarg);
	case 'M':
		/* The value waits for the service's family: see parse_args. */
		return set_opt(cmd, OPT_NETMASK) ? EXIT_USAGE : 0;
	case 'r':
		if (set_opt(cmd, OPT_DEST))
			return EXIT_USAGE;
		e = parse_endpoint(optarg, &cmd->dest, &cmd->dest_port, false);
		if (e)
			return usage_error("invalid real server address '%s': %s",
					   optarg, parse_strerror(e));
		return 0;
	case 'g':
	case 'i':
		fwd = c == 'g' ? DSR_FWD_DR : DSR_FWD_TUN;
		if ((cmd->opts & OPT_FWD) && cmd->fwd != fwd)
			return usage_error("-g and -i are mutually exclusive");
		cmd->opts |= OPT_FWD;
		cmd->fwd = fwd;
		return 0;
	case 'm':
		return usage_error("dsr forwards by direct server return; masquerading (-m) is not supported");
	case 'w':
		if (set_opt(cmd, OPT_WEIGHT))
			return EXIT_USAGE;
		if (parse_u32(optarg, 0, DSR_WEIGHT_MAX, &cmd->weight))
			return usage_error("invalid weight '%s': 0..%u",
					   optarg, DSR_WEIGHT_MAX);
		return 0;
	case 'x':
	case 'y':
		/* ipvsadm's range, so that -S output restores there too. */
		if (set_opt(cmd, c == 'x' ? OPT_U_THRESHOLD : OPT_L_THRESHOLD))
			return EXIT_USAGE;
		if (parse_u32(optarg, 0, INT32_MAX, c == 'x' ?
			      &cmd->u_threshold : &cmd->l_threshold))
			return usage_error("invalid %s threshold '%s': 0..%d",
					   c == 'x' ? "upper" : "lower",
					   optarg, INT32_MAX);
		return 0;
	case LO_THRESHOLDS:
		return set_opt(cmd, OPT_THRESHOLDS) ? EXIT_USAGE : 0;
	case LO_PERSIST_CONN:
		return set_opt(cmd, OPT_PERSIST_CONN) ? EXIT_USAGE : 0;
	case LO_TUN_TYPE:
		if (set_opt(cmd, OPT_TUN_TYPE))
			return EXIT_USAGE;
		if (parse_tun_type(optarg, &cmd->tun_type))
			return usage_error("invalid tunnel type '%s': ipip, gue or gre",
					   optarg);
		return 0;
	case LO_TUN_PORT:
		if (set_opt(cmd, OPT_TUN_PORT))
			return EXIT_USAGE;
		if (parse_u32(optarg, 1, 65535, &v))
			return usage_error("invalid tunnel port '%s': 1..65535",
					   optarg);
		cmd->tun_port = (uint16_t)v;
		return 0;
	case LO_TUN_NOCSUM:
		if (set_opt(cmd, OPT_TUN_NOCSUM))
			return EXIT_USAGE;
		cmd->tun_flags &= ~DSR_TUN_F_CSUM;
		return 0;
	case LO_TUN_CSUM:
		if (set_opt(cmd, OPT_TUN_CSUM))
			return EXIT_USAGE;
		cmd->tun_flags |= DSR_TUN_F_CSUM;
		return 0;
	case LO_TUN_REMCSUM:
		/* ipvsadm's GUE option; the module has no such encapsulation. */
		return usage_error("dsr does not support remote checksum offload (--tun-remcsum)");
	case LO_TUN_INFO:
		cmd->opts |= OPT_TUN_INFO;
		return 0;
	case LO_TUN_SRC:
		if (set_opt(cmd, OPT_TUN_SRC))
			return EXIT_USAGE;
		if (parse_prefix4(optarg, &cmd->tun_src, &cmd->tun_src_plen))
			return usage_error("invalid tunnel source '%s': an IPv4 address, optionally /1..32",
					   optarg);
		return 0;
	case 'n':
		cmd->opts |= OPT_NUMERIC;
		return 0;
	case LO_STATS:
		cmd->opts |= OPT_STATS;
		return 0;
	case LO_EXACT:
		cmd->opts |= OPT_EXACT;
		return 0;
	case LO_RATE:
		cmd->opts |= OPT_RATE;
		return 0;
	case LO_SORT:
		cmd->opts |= OPT_SORT;
		return 0;
	case 'j':
		cmd->opts |= OPT_JSON;
		return 0;
	case 'b':
		return parse_sched_flags_opt(cmd, optarg);
	case 'o':
		if (set_opt(cmd, OPT_ONEPACKET))
			return EXIT_USAGE;
		cmd->flags |= DSR_SERVICE_F_ONEPACKET;
		return 0;
	case LO_STATELESS:
		if ((cmd->opts & OPT_STATELESS) &&
		    !(cmd->flags & DSR_SERVICE_F_STATELESS))
			return usage_error("--stateless and --stateful contradict each other");
		cmd->opts |= OPT_STATELESS;
		cmd->flags |= DSR_SERVICE_F_STATELESS;
		return 0;
	case LO_STATEFUL:
		/* As --stateless, it states the flags in full: without it. */
		if (cmd->flags & DSR_SERVICE_F_STATELESS)
			return usage_error("--stateless and --stateful contradict each other");
		cmd->opts |= OPT_STATELESS;
		return 0;
	case LO_SCHED_TABLE:
		if (set_opt(cmd, OPT_SCHED_TABLE))
			return EXIT_USAGE;
		if (parse_u32(optarg, 0, UINT32_MAX, &cmd->sched_table))
			return usage_error("invalid lookup table size '%s': a prime, %u..%u, or 0 for the default",
					   optarg, DSR_SCHED_TABLE_MIN,
					   DSR_SCHED_TABLE_MAX);
		return 0;
	case LO_DIGEST:
		cmd->opts |= OPT_DIGEST;
		return 0;
	case 'c':
		cmd->opts |= OPT_CONN;
		return 0;
	case LO_TIMEOUT:
		cmd->opts |= OPT_TIMEOUT;
		return 0;
	case LO_SET:
		return set_op(cmd, have_op, OP_SET);
	case LO_SET_TIMEOUTS:
		return parse_set_timeouts(cmd, have_op, optarg);
	case LO_SET_FLOW_LIMIT:
		return parse_limit(cmd, have_op, OP_SET_FLOW_LIMIT, "flow",
				   FLOW_LIMIT_MAX);
	case LO_SET_SERVICE_LIMIT:
		return parse_limit(cmd, have_op, OP_SET_SERVICE_LIMIT,
				   "service", DSR_SERVICES_MAX);
	case LO_SET_SERVER_LIMIT:
		return parse_limit(cmd, have_op, OP_SET_SERVER_LIMIT,
				   "real-server", DSR_DESTS_MAX);
	case LO_SYNC:
		return set_opt(cmd, OPT_SYNC);
	case LO_PE:
		if (set_opt(cmd, OPT_PE))
			return EXIT_USAGE;
		/* "": none, for -E; ipvsadm knows only sip too. */
		if (*optarg && strcmp(optarg, "sip"))
			return usage_error("unknown persistence engine '%s': dsr has sip",
					   optarg);
		snprintf(cmd->pe, sizeof(cmd->pe), "%s", optarg);
		return 0;
	case LO_HOOK:
		if (set_op(cmd, have_op, OP_SET_HOOK))
			return EXIT_USAGE;
		if (cmd->hook)
			return usage_error("option --hook given more than once");
		if (!strcmp(optarg, "pre-routing"))
			cmd->hook = DSR_HOOK_PRE_ROUTING;
		else if (!strcmp(optarg, "local-in"))
			cmd->hook = DSR_HOOK_LOCAL_IN;
		else
			return usage_error("invalid hook '%s': pre-routing or local-in",
					   optarg);
		return 0;
	case ':':
		return usage_error("option '%s' requires an argument",
				   argv[optind - 1]);
	}
	if (optopt)
		return usage_error("unknown option '-%c'", optopt);
	return usage_error("unknown option '%s'", argv[optind - 1]);
}

/*
 * Which tunnel options go with which tunnel type, as ipvsadm 1.31's table
 * has it: a port for GUE only, where it is required; a checksum choice for
 * GUE and GRE, not for IP-in-IP.
 */
static int check_tunnel(const struct cmd *cmd)
{
	const unsigned int csum = OPT_TUN_NOCSUM | OPT_TUN_CSUM;
	const char *type = tun_name(cmd->tun_type);

	if (cmd->tun_type == DSR_TUN_GUE && !(cmd->opts & OPT_TUN_PORT))
		return usage_error("--tun-type gue needs --tun-port");
	if (cmd->tun_type != DSR_TUN_GUE && (cmd->opts & OPT_TUN_PORT))
		return usage_error("option --tun-port is not valid with the %s tunnel type",
				   type);
	if (cmd->tun_type == DSR_TUN_IPIP && (cmd->opts & csum))
		return usage_error("option %s is not valid with the %s tunnel type",
				   opt_name(cmd->opts & csum & -(cmd->opts & csum)),
				   type);
	if ((cmd->opts & csum) == csum)
		return usage_error("--tun-nocsum and --tun-csum are mutually exclusive");
	return 0;
}

/*
 * dsr forwards within one address family: direct routing cannot cross it,
 * and its tunnels carry IPv4 in IPv4 (IP-in-IP, GUE, GRE) or IPv6 in IPv6
 * (IP-in-IP only). The kernel refuses the rest as well; this says so
 * before anything is sent.
 */
static int check_dest_family(const struct cmd *cmd)
{
	char addr[INET6_ADDRSTRLEN], name[SERVICE_STRLEN];
	int family = svc_family(&cmd->svc);

	if (cmd->dest.family != family)
		return usage_error("real server and service must be of one address family: real server %s (%s), service %s (%s)",
				   format_addr(&cmd->dest, addr, sizeof(addr)),
				   cmd->dest.family == AF_INET6 ? "IPv6" : "IPv4",
				   format_service(&cmd->svc, name, sizeof(name)),
				   family == AF_INET6 ? "IPv6" : "IPv4");
	if (family == AF_INET6 && cmd->fwd == DSR_FWD_TUN &&
	    cmd->tun_type != DSR_TUN_IPIP)
		return usage_error("--tun-type %s is for IPv4 real servers: dsr tunnels to IPv6 ones with ipip (IPv6 in IPv6) only",
				   tun_name(cmd->tun_type));
	return 0;
}

/*
 * -L: -c, --timeout and a service exclude each other, and -c and --timeout
 * take none of the options of the service table (ipvsadm's rule).
 */
static int check_list(const struct cmd *cmd)
{
	const unsigned int one = OPT_SERVICE | OPT_CONN | OPT_TIMEOUT;
	const unsigned int table = OPT_STATS | OPT_RATE | OPT_TUN_INFO |
				   OPT_DIGEST | OPT_THRESHOLDS |
				   OPT_PERSIST_CONN;
	const unsigned int numbers = OPT_STATS | OPT_RATE | OPT_THRESHOLDS |
				     OPT_PERSIST_CONN;
	unsigned int mode = cmd->opts & (OPT_CONN | OPT_TIMEOUT), other;

	/* One table of numbers at a time, as ipvsadm has it. */
	other = cmd->opts & numbers;
	if (other & (other - 1)) {
		unsigned int first = other & -other, rest = other & ~first;

		return usage_error("option %s is not valid with %s",
				   opt_name(rest & -rest), opt_name(first));
	}

	other = cmd->opts & one & ~(mode & -mode);
	if (mode && other)
		return usage_error("option %s is not valid with %s",
				   opt_name(other & -other),
				   opt_name(mode & -mode));
	other = cmd->opts & table;
	if (mode && other)
		return usage_error("option %s is not valid with %s",
				   opt_name(other & -other), opt_name(mode));
	return 0;
}

/* @netmask: -M as given, or NULL. */
static int check_cmd(struct cmd *cmd, const char *netmask)
{
	unsigned int bad, opt;

	bad = cmd->opts & ~ops[cmd->op].allow;
	if (bad) {
		opt = bad & -bad;
		return usage_error("option %s is not valid with %s",
				   opt_name(opt), ops[cmd->op].name);
	}
	bad = ops[cmd->op].need & ~cmd->opts;
	if (bad) {
		opt = bad & -bad;
		return usage_error("%s needs %s", ops[cmd->op].name,
				   opt_name(opt));
	}
	if (netmask && parse_netmask(cmd, netmask))
		return EXIT_USAGE;
	if ((cmd->opts & OPT_TUN_SRC) && svc_family(&cmd->svc) == AF_INET6)
		return usage_error("--tun-src is for IPv4 services: an IPv6 service's tunnels leave from the route's source address");
	if ((cmd->opts & OPT_ONEPACKET) && cmd->svc.protocol == IPPROTO_TCP)
		return usage_error("one-packet scheduling (-o) is only for UDP services");
	if ((cmd->opts & OPT_DEST) && cmd->dest_port && !cmd->svc.fwmark &&
	    cmd->dest_port != cmd->svc.port)
		return usage_error("real server port %u differs from service port %u: direct server return cannot map ports",
				   cmd->dest_port, cmd->svc.port);
	bad = cmd->opts & OPT_TUN_ALL;
	if (bad && cmd->fwd != DSR_FWD_TUN)
		return usage_error("%s is only valid with -i (--ipip)",
				   opt_name(bad & -bad));
	if ((cmd->opts & OPT_DEST) && check_dest_family(cmd))
		return EXIT_USAGE;
	if (cmd->fwd == DSR_FWD_TUN && check_tunnel(cmd))
		return EXIT_USAGE;
	if (cmd->op == OP_LIST && check_list(cmd))
		return EXIT_USAGE;
	/*
	 * -b goes with the scheduler, -s or the kernel's default for -A. For
	 * -E without -s, service.c asks the kernel for the current one.
	 */
	if ((cmd->opts & OPT_SCHED_FLAGS) &&
	    (cmd->op == OP_ADD_SERVICE || (cmd->opts & OPT_SCHED)) &&
	    check_sched_flags(cmd, cmd->sched[0] ? cmd->sched :
			      DSRADM_DEFAULT_SCHED))
		return EXIT_USAGE;

	if (cmd->op == OP_SAVE)
		cmd->fmt = FMT_RULES | FMT_NUMERIC;
	if (cmd->opts & OPT_NUMERIC)
		cmd->fmt |= FMT_NUMERIC;
	if (cmd->opts & OPT_STATS)
		cmd->fmt |= FMT_STATS;
	if (cmd->opts & OPT_EXACT)
		cmd->fmt |= FMT_EXACT;
	if (cmd->opts & OPT_RATE)
		cmd->fmt |= FMT_RATE;
	if (cmd->opts & OPT_JSON)
		cmd->fmt |= FMT_JSON;
	if (cmd->opts & OPT_TUN_INFO)
		cmd->fmt |= FMT_TUN_INFO;
	if (cmd->opts & OPT_DIGEST)
		cmd->fmt |= FMT_DIGEST;
	if (cmd->opts & OPT_THRESHOLDS)
		cmd->fmt |= FMT_THRESHOLDS;
	if (cmd->opts & OPT_PERSIST_CONN)
		cmd->fmt |= FMT_PERSIST_CONN;
	return 0;
}

/*
 * Parse argv into @cmd. Returns 0 or EXIT_USAGE (the error is reported).
 * @have_op tells whether a command letter was given.
 */
int parse_args(int argc, char **argv, struct cmd *cmd, bool *have_op)
{
	const char *netmask = NULL;
	int c, ret;

	memset(cmd, 0, sizeof(*cmd));
	cmd->op = OP_LIST;
	cmd->fwd = DSR_FWD_DR;
	cmd->tun_type = DSR_TUN_IPIP;
	cmd->tun_src_plen = 32;
	cmd->prefix_len6 = 128;
	cmd->weight = 1;
	*have_op = false;

	/* "dsradm monitor [-j]": a word, as in "ip monitor". */
	if (argc > 1 && !strcmp(argv[1], "monitor")) {
		cmd->op = OP_MONITOR;
		*have_op = true;
		argc--;
		argv++;
	}

	optind = 0;	/* glibc: full reset, we may be called again (-R) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, short_opts, long_opts,
				NULL)) != -1) {
		if (c == 'h') {
			cmd->op = OP_HELP;
			return 0;
		}
		ret = parse_option(cmd, have_op, c, argc, argv);
		if (ret)
			return ret;
		if (c == 'M')
			netmask = optarg;
	}
	if (cmd->op == OP_SET && *have_op) {
		ret = parse_set_args(cmd, argc, argv);
		if (ret)
			return ret;
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	return check_cmd(cmd, netmask);
}

static int execute(struct nl *nl, struct cmd *cmd);

/* -R --sync: keep the -A and -a lines for sync_rules(). */
static int keep_rule(struct rule_list *rules, const struct cmd *cmd)
{
	struct sync_rule *v;

	if (cmd->op != OP_ADD_SERVICE && cmd->op != OP_ADD_DEST)
		return usage_error("-R --sync accepts only -A and -a (a saved table)");
	v = realloc(rules->v, (rules->n + 1) * sizeof(*v));
	if (!v) {
		errorf("out of memory");
		return EXIT_KERNEL;
	}
	rules->v = v;
	v[rules->n].cmd = *cmd;
	v[rules->n].lineno = dsradm_lineno;
	rules->n++;
	return 0;
}

/*
 * -R: one command per line, as -S (or ipvsadm -Sn) writes them, each run
 * as it is read; with --sync, the whole input is read first and the table
 * made equal to it (sync.c).
 */
static int do_restore(struct nl *nl, bool sync)
{
	char *argv[RESTORE_MAX_ARGS + 1];
	char *line = NULL, *tok, *save;
	struct rule_list rules = { 0 };
	size_t cap = 0;
	struct cmd cmd;
	bool have_op;
	int argc, ret = EXIT_OK;

	dsradm_lineno = 0;
	while (getline(&line, &cap, dsradm_in) >= 0) {
		dsradm_lineno++;
		argc = 0;
		argv[argc++] = "dsradm";
		for (tok = strtok_r(line, " \t\r\n", &save); tok;
		     tok = strtok_r(NULL, " \t\r\n", &save)) {
			if (argc == 1 && tok[0] == '#')
				break;
			if (argc == RESTORE_MAX_ARGS) {
				ret = usage_error("too many arguments");
				goto out;
			}
			argv[argc++] = tok;
		}
		argv[argc] = NULL;
		if (argc == 1)
			continue;
		ret = parse_args(argc, argv, &cmd, &have_op);
		if (ret)
			goto out;
		switch (cmd.op) {
		case OP_ADD_SERVICE:
		case OP_EDIT_SERVICE:
		case OP_DEL_SERVICE:
		case OP_CLEAR:
		case OP_ADD_DEST:
		case OP_EDIT_DEST:
		case OP_DEL_DEST:
		case OP_ZERO:
			if (have_op)
				break;
			/* fall through */
		default:
			ret = usage_error("-R accepts only -A -E -D -C -a -e -d -Z");
			goto out;
		}
		ret = sync ? keep_rule(&rules, &cmd) : execute(nl, &cmd);
		if (ret)
			goto out;
	}
	if (ferror(dsradm_in)) {
		ret = usage_error("reading standard input: %s",
				  strerror(errno));
		goto out;
	}
	dsradm_lineno = 0;
	if (sync)
		ret = sync_rules(nl, &rules);
out:
	dsradm_lineno = 0;
	free(rules.v);
	free(line);
	return ret;
}

static int execute(struct nl *nl, struct cmd *cmd)
{
	switch (cmd->op) {
	case OP_ADD_SERVICE:
	case OP_EDIT_SERVICE:
	case OP_DEL_SERVICE:
		return do_service(nl, cmd);
	case OP_CLEAR:
		return do_flush(nl);
	case OP_ADD_DEST:
	case OP_EDIT_DEST:
	case OP_DEL_DEST:
		return do_dest(nl, cmd);
	case OP_ZERO:
		return do_zero(nl, cmd);
	case OP_LIST:
		if (cmd->opts & OPT_CONN)
			return do_flows(nl, cmd);
		if (cmd->opts & OPT_TIMEOUT)
			return do_list_timeouts(nl, cmd);
		return do_list(nl, cmd);
	case OP_SAVE:
		return do_list(nl, cmd);
	case OP_SET:
	case OP_SET_TIMEOUTS:
		return do_set_timeouts(nl, cmd);
	case OP_SET_FLOW_LIMIT:
	case OP_SET_SERVICE_LIMIT:
	case OP_SET_SERVER_LIMIT:
		return do_set_limit(nl, cmd);
	case OP_RESTORE:
		return do_restore(nl, cmd->opts & OPT_SYNC);
	case OP_MONITOR:
		return do_monitor(nl, cmd);
	case OP_SET_HOOK:
		return do_set_hook(nl, cmd);
	case OP_HELP:
	case OP_VERSION:
		break;
	}
	return EXIT_OK;
}

static int default_nl_open(struct nl **nlp)
{
	return nl_open(nlp, DSR_GENL_NAME, DSR_GENL_VERSION);
}

/* Tests put a fake kernel here. */
int (*dsradm_nl_open)(struct nl **nlp) = default_nl_open;

int dsradm_run(int argc, char **argv)
{
	struct nl *nl;
	struct cmd cmd;
	bool have_op;
	int ret;

	if (!dsradm_in)
		dsradm_in = stdin;
	if (!dsradm_out)
		dsradm_out = stdout;
	if (!dsradm_err)
		dsradm_err = stderr;

	ret = parse_args(argc, argv, &cmd, &have_op);
	if (ret)
		return ret;
	if (cmd.op == OP_HELP) {
		usage(dsradm_out);
		return EXIT_OK;
	}
	if (cmd.op == OP_VERSION) {
		fprintf(dsradm_out, "dsradm %s (dsr netlink version %d)\n",
			DSRADM_VERSION, DSR_GENL_VERSION);
		return EXIT_OK;
	}

	ret = dsradm_nl_open(&nl);
	if (ret == -ENOENT) {
		errorf("the dsr kernel module is not loaded (try: modprobe dsr)");
		return EXIT_KERNEL;
	}
	if (ret)
		return kernel_error(NULL, ret, "talking to the kernel");

	ret = execute(nl, &cmd);
	nl_close(nl);
	if (fflush(dsradm_out) && !ret) {
		errorf("writing output: %s", strerror(errno));
		ret = EXIT_KERNEL;
	}
	return ret;
}

#ifndef DSRADM_NO_MAIN
int main(int argc, char **argv)
{
	return dsradm_run(argc, argv);
}
#endif
