// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end host tests: dsradm's command line, run in-process against the
 * fake kernel. Checks exit codes, the single error line, what reached the
 * kernel, and that listings read back from netlink match the goldens.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#include "dsradm.h"
#include "fake_kernel.h"
#include "parse.h"
#include "tap.h"

struct result {
	int rc;
	char *out;
	char *err;
};

static struct result res;

static void run_in(const char *line, const char *input)
{
	char *argv[64], *copy, *tok, *save;
	size_t olen, elen;
	int argc = 0;
	FILE *in;

	free(res.out);
	free(res.err);
	copy = strdup(line);
	argv[argc++] = "dsradm";
	for (tok = strtok_r(copy, " ", &save); tok && argc < 63;
	     tok = strtok_r(NULL, " ", &save))
		/* '' stands for an empty argument, as a shell reads it. */
		argv[argc++] = strcmp(tok, "''") ? tok : "";
	argv[argc] = NULL;

	in = fmemopen((void *)(input ? input : ""), input ? strlen(input) + 1 :
		      1, "r");
	dsradm_in = in;
	dsradm_out = open_memstream(&res.out, &olen);
	dsradm_err = open_memstream(&res.err, &elen);
	res.rc = dsradm_run(argc, argv);
	fclose(dsradm_out);
	fclose(dsradm_err);
	fclose(in);
	free(copy);
}

static void run(const char *line)
{
	run_in(line, NULL);
}

static bool eq(const char *got, const char *want, const char *label)
{
	if (!strcmp(got, want))
		return true;
	tap_diag(label, want);
	tap_diag("got", got);
	return false;
}

/* Success: exit 0, nothing on stderr. */
static void expect_ok(const char *line)
{
	run(line);
	ok(res.rc == 0 && eq(res.err, "", "stderr"), "dsradm %s", line);
}

/* Failure: that exit code, exactly this one line on stderr. */
static void expect_fail(const char *line, int rc, const char *msg)
{
	char want[512];

	snprintf(want, sizeof(want), "dsradm: %s\n", msg);
	run(line);
	ok(res.rc == rc && eq(res.err, want, "stderr"),
	   "dsradm %s -> %d, \"%s\"", line, rc, msg);
}

static char *slurp(const char *name)
{
	char path[512], *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/golden/%s", TEST_DIR, name);
	f = fopen(path, "r");
	if (!f)
		return strdup("(missing golden file)");
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		buf[0] = '\0';
	fclose(f);
	return buf;
}

static void expect_golden(const char *line, const char *name)
{
	char *want = slurp(name);

	char path[512];
	FILE *f;

	run(line);
	if (res.rc)
		printf("# exit code %d\n", res.rc);
	ok(res.rc == 0 && eq(res.err, "", "stderr") &&
	   eq(res.out, want, name), "dsradm %s matches golden/%s", line, name);
	if (strcmp(res.out, want)) {
		/* What was printed, to compare or to take as the new golden. */
		snprintf(path, sizeof(path), "%s/%s.out", TEST_DIR, name);
		f = fopen(path, "w");
		if (f) {
			fputs(res.out, f);
			fclose(f);
		}
	}
	free(want);
}

static struct fake_svc *svc(const char *proto, const char *ep)
{
	struct svc_key k = {
		.protocol = !strcmp(proto, "udp") ? IPPROTO_UDP : IPPROTO_TCP,
	};

	if (parse_endpoint(ep, &k.addr, &k.port, true))
		return NULL;
	return fake_find(&k);
}

static struct fake_svc *fwm(uint32_t mark, int family)
{
	struct svc_key k = { .fwmark = mark, .addr.family = family };

	return fake_find(&k);
}

static struct dest *dest(struct fake_svc *fs, const char *addr)
{
	struct ipaddr a;
	uint16_t port;
	size_t i;

	if (!fs || parse_endpoint(addr, &a, &port, false))
		return NULL;
	for (i = 0; i < fs->ndests; i++)
		if (fs->dests[i].addr.family == a.family &&
		    !memcmp(&fs->dests[i].addr.v6, &a.v6,
			    a.family == AF_INET ? 4 : 16))
			return &fs->dests[i];
	return NULL;
}

/* Build the table of the design's example, through the command line. */
static void build_example(void)
{
	struct fake_svc *fs;
	struct dest *d;

	fake_reset();
	expect_ok("-A -t 10.0.0.100:80 -s rr");
	expect_ok("-a -t 10.0.0.100:80 -r 10.0.1.3");
	expect_ok("--add-server --tcp-service 10.0.0.100:80 --real-server 10.0.1.2:80 --gatewaying --weight 1");
	expect_ok("-A -u [2001:db8::1]:53");
	ok(!(fake.last_svc_attrs & (1U << DSR_A_SERVICE_SCHED_NAME)) &&
	   !(fake.last_svc_attrs & (1U << DSR_A_SERVICE_FLAGS)) &&
	   !(fake.last_svc_attrs & (1U << DSR_A_SERVICE_SCHED_TABLE)),
	   "  ... -A without -s, -b, --stateless, --sched-table sends none of them");

	fake.flow_count = 12;
	fs = svc("tcp", "10.0.0.100:80");
	if (!fs || !dest(fs, "10.0.1.2") || !dest(fs, "10.0.1.3")) {
		ok(0, "building the example table");
		return;
	}
	fs->svc.stats = (struct stats){ 20, 140, 12345 };
	d = dest(fs, "10.0.1.2");
	d->active = 3;
	d->stats = (struct stats){ 10, 70, 6000 };
	d = dest(fs, "10.0.1.3");
	d->active = 3;
	d->stats = (struct stats){ 10, 70, 6345 };
}

static void test_add_and_list(void)
{
	struct fake_svc *fs;
	struct dest *d;

	fake_reset();
	expect_golden("-Ln", "empty-kernel.txt");

	build_example();
	fs = svc("tcp", "10.0.0.100:80");
	ok(fs && !strcmp(fs->svc.sched, "rr") && fs->ndests == 2,
	   "the kernel has the TCP service with two real servers");
	d = dest(fs, "10.0.1.3");
	ok(d && d->port == 80 && d->weight == 1 && d->fwd == DSR_FWD_DR,
	   "-r without port: DEST_PORT = service port, weight 1, DR");
	fs = svc("udp", "[2001:db8::1]:53");
	ok(fs && !strcmp(fs->svc.sched, "mh"),
	   "-A without -s: the kernel's default scheduler, mh");

	expect_golden("-Ln", "list.txt");
	expect_golden("-L", "list.txt");
	expect_golden("-l -n --exact", "list.txt");
	expect_golden("", "list.txt");
	expect_golden("-Ln --stats", "list-stats.txt");
	expect_golden("--list --numeric --stats --exact", "list-stats.txt");
	expect_golden("-Sn", "save.txt");
	expect_golden("-L -j", "list.json");
	expect_golden("-L --json --stats", "list.json");
	expect_golden("-L -t 10.0.0.100:80", "list-one.txt");
	ok(fake.last_cmd == DSR_CMD_DEST_GET &&
	   (fake.last_flags & NLM_F_DUMP), "-L -t: DEST_GET dump last");
	expect_fail("-L -t 10.9.9.9:80", 255, "service not found");
	expect_golden("-L -u [2001:db8::1]:53 -n", "list-one6.txt");
}

static void test_kernel_errors(void)
{
	struct fake_svc *fs;
	struct dest *d;

	build_example();
	expect_fail("-A -t 10.0.0.100:80", 255, "service already exists");
	expect_fail("-A -t 10.0.0.1:80 -s nosuch", 255, "unknown scheduler");
	expect_fail("-A -t 10.0.0.1:80 -p --stateless", 255,
		    "persistence needs the flow table: a stateless service cannot be persistent");
	expect_fail("-A -t 10.0.0.1:80 --tun-src 0.0.0.0/24", 255,
		    "a tunnel source prefix needs a tunnel source address");
	expect_fail("-E -t 10.0.0.100:80 --tun-src 224.0.0.1", 255,
		    "tunnel source must be a unicast address, or 0.0.0.0 for the route's own");
	expect_fail("-a -t 10.0.0.100:80 -r 10.0.1.2", 255,
		    "real server already exists");
	expect_fail("-e -t 10.0.0.100:80 -r 10.0.1.99", 255,
		    "real server not found");
	expect_fail("-d -t 10.0.0.1:80 -r 10.0.1.2", 255, "service not found");
	expect_fail("-E -t 10.0.0.1:80 -s wrr", 255, "service not found");

	fake.no_extack = true;
	expect_fail("-A -t 10.0.0.100:80", 255,
		    "adding service TCP 10.0.0.100:80: File exists");
	expect_fail("-D -u [2001:db8::9]:53", 255,
		    "deleting service UDP [2001:db8::9]:53: not found");
	expect_fail("-a -t 10.0.0.100:80 -r 10.0.1.2", 255,
		    "adding real server 10.0.1.2:80 to service TCP 10.0.0.100:80: File exists");
	expect_fail("-L -t 10.9.9.9:80", 255,
		    "listing service TCP 10.9.9.9:80: not found");
	fake.no_extack = false;

	fake.echo_request = true;
	expect_fail("-A -t 10.0.0.100:80 -s rr", 255,
		    "service already exists");
	fake.echo_request = false;

	fake.eperm = true;
	expect_fail("-Ln", 255, "permission denied: CAP_NET_ADMIN is required");
	expect_fail("-C", 255, "permission denied: CAP_NET_ADMIN is required");
	fake.eperm = false;

	fake.not_loaded = true;
	expect_fail("-Ln", 255,
		    "the dsr kernel module is not loaded (try: modprobe dsr)");
	fake.not_loaded = false;

	fake.no_info = true;
	expect_fail("-Ln", 255,
		    "reading the module information: Operation not supported");
	fake.no_info = false;

	fake.bad_dest_addr = true;
	expect_fail("-Ln", 255,
		    "listing real servers of service TCP 10.0.0.100:80: malformed reply from the kernel");
	ok(!strcmp(res.out, ""), "nothing on stdout after a malformed reply");
	fake.bad_dest_addr = false;
	expect_golden("-Ln", "list.txt");

	fake.huge_len = true;
	expect_fail("-Ln", 255,
		    "listing services: malformed reply from the kernel");
	fake.huge_len = false;

	/* Edits reach the kernel. */
	expect_ok("-e -t 10.0.0.100:80 -r 10.0.1.2:80 -w 0");
	d = dest(svc("tcp", "10.0.0.100:80"), "10.0.1.2");
	ok(d && d->weight == 0, "-e -w 0 drains");
	expect_ok("-e -t 10.0.0.100:80 -r 10.0.1.2");
	ok(d && d->weight == 1, "-e without -w sends weight 1, as ipvsadm");
	expect_ok("-E -t 10.0.0.100:80 -s wrr");
	fs = svc("tcp", "10.0.0.100:80");
	ok(fs && !strcmp(fs->svc.sched, "wrr"), "-E -s wrr");
	ok(fake.last_cmd == DSR_CMD_SERVICE_SET, "-E sends SERVICE_SET");
	expect_ok("-d -t 10.0.0.100:80 -r 10.0.1.2:80");
	ok(fs && fs->ndests == 1 && !dest(fs, "10.0.1.2"), "-d deletes");
	ok(fake.last_cmd == DSR_CMD_DEST_DEL, "-d sends DEST_DEL");

	expect_ok("-Z -t 10.0.0.100:80");
	ok(fs && fs->svc.stats.conns == 0 && fs->dests[0].stats.conns == 0,
	   "-Z -t zeroes one service");
	expect_ok("-Z");
	ok(fake.last_cmd == DSR_CMD_ZERO, "-Z sends ZERO");
	expect_fail("-Z -t 10.0.0.1:80", 255, "service not found");

	expect_ok("-D -u [2001:db8::1]:53");
	ok(!svc("udp", "[2001:db8::1]:53"), "-D deletes");
	expect_ok("-C");
	ok(fake.nsvcs == 0 && fake.last_cmd == DSR_CMD_FLUSH,
	   "-C flushes");
}

static void test_dumps(void)
{
	unsigned int before;

	build_example();
	fake.intr_dumps = 1;
	before = fake.requests;
	expect_golden("-Ln", "list.txt");
	ok(fake.requests - before == 6,
	   "an interrupted dump is retried (family, info, 2 service dumps, 2 dest dumps)");

	fake.intr_dumps = 1000;
	run("-Ln");
	ok(res.rc == 0 &&
	   eq(res.err, "dsradm: warning: the tables kept changing while being read; the listing may be inconsistent\n"
	      "dsradm: warning: the tables kept changing while being read; the listing may be inconsistent\n"
	      "dsradm: warning: the tables kept changing while being read; the listing may be inconsistent\n",
	      "stderr"),
	   "a dump that never settles: a warning per dump, exit 0");
	fake.intr_dumps = 0;

	fake.vanish = true;
	expect_golden("-Ln", "empty-example.txt");
	expect_fail("-L -t 10.0.0.100:80", 255, "service not found");
	fake.no_extack = true;
	expect_fail("-L -t 10.0.0.100:80", 255,
		    "listing real servers of service TCP 10.0.0.100:80: not found");
	fake.no_extack = false;
	fake.vanish = false;
}

static void test_usage(void)
{
	static const struct {
		const char *line;
		const char *msg;
	} cases[] = {
		{ "-A -t 10.0.0.1:80 -m", "dsr forwards by direct server return; masquerading (-m) is not supported" },
		{ "-a -t 10.0.0.1:80 -r 10.0.1.1 --masquerading", "dsr forwards by direct server return; masquerading (-m) is not supported" },
		/* IPv6: -6 as ipvsadm has it, -M by family, one family. */
		{ "-A -6 -f 1", "-6 (--ipv6) is for fwmark services: it must follow -f (--fwmark-service)" },
		{ "-A -t [2001:db8::1]:80 -6", "-6 (--ipv6) is for fwmark services: it must follow -f (--fwmark-service)" },
		{ "-L -6", "-6 (--ipv6) is for fwmark services: it must follow -f (--fwmark-service)" },
		{ "-A -t [2001:db8::1]:80 -p -M 255.255.255.0", "invalid netmask '255.255.255.0': an IPv6 service takes a prefix length, 1..128" },
		{ "-E -M 255.255.0.0 -f 1 -6 -p", "invalid netmask '255.255.0.0': an IPv6 service takes a prefix length, 1..128" },
		{ "-A -u [2001:db8::1]:53 -p -M 129", "invalid netmask '129': an IPv6 service takes a prefix length, 1..128" },
		{ "-A -u [2001:db8::1]:53 -p -M 0", "invalid netmask '0': an IPv6 service takes a prefix length, 1..128" },
		{ "-A -u [2001:db8::1]:53 -p -M /64", "invalid netmask '/64': an IPv6 service takes a prefix length, 1..128" },
		{ "-A -f 1 -p -M 64", "invalid netmask '64': an IPv4 service takes a dotted netmask, as 255.255.255.0" },
		{ "-A -u [2001:db8::1]:53 -M 64 -M 48", "option -M (--netmask) given more than once" },
		{ "-a -t 10.0.0.100:80 -r [2001:db8::5]", "real server and service must be of one address family: real server 2001:db8::5 (IPv6), service TCP 10.0.0.100:80 (IPv4)" },
		{ "-a -t [2001:db8::100]:80 -r 10.0.1.1:80", "real server and service must be of one address family: real server 10.0.1.1 (IPv4), service TCP [2001:db8::100]:80 (IPv6)" },
		{ "-a -f 1 -r [2001:db8::5]", "real server and service must be of one address family: real server 2001:db8::5 (IPv6), service FWM 1 (IPv4)" },
		{ "-e -f 1 -6 -r 10.0.1.1 -i", "real server and service must be of one address family: real server 10.0.1.1 (IPv4), service FWM 1 IPv6 (IPv6)" },
		{ "-d -u [2001:db8::1]:53 -r 10.0.1.1", "real server and service must be of one address family: real server 10.0.1.1 (IPv4), service UDP [2001:db8::1]:53 (IPv6)" },
		{ "-A -t [2001:db8::100]:80 --tun-src 192.0.2.1", "--tun-src is for IPv4 services: an IPv6 service's tunnels leave from the route's source address" },
		{ "-E -f 1 -6 --tun-src 0.0.0.0", "--tun-src is for IPv4 services: an IPv6 service's tunnels leave from the route's source address" },
		{ "-a -t [2001:db8::100]:80 -r [2001:db8::10] -i --tun-type gue --tun-port 6080", "--tun-type gue is for IPv4 real servers: dsr tunnels to IPv6 ones with ipip (IPv6 in IPv6) only" },
		{ "-a -t [2001:db8::100]:80 -r [2001:db8::10] -i --tun-type gue", "--tun-type gue is for IPv4 real servers: dsr tunnels to IPv6 ones with ipip (IPv6 in IPv6) only" },
		{ "-e -f 1 -6 -r 2001:db8::10 -i --tun-type gre --tun-csum", "--tun-type gre is for IPv4 real servers: dsr tunnels to IPv6 ones with ipip (IPv6 in IPv6) only" },
		{ "-A -t 10.0.0.1:80 -s rr -o", "one-packet scheduling (-o) is only for UDP services" },
		{ "-a -t 10.0.0.1:80 -r 10.0.1.1:8080", "real server port 8080 differs from service port 80: direct server return cannot map ports" },
		{ "-a -t 10.0.0.1:80 -r 10.0.1.1 -w 65536", "invalid weight '65536': 0..65535" },
		{ "-a -t 10.0.0.1:80 -r 10.0.1.1 -w -1", "invalid weight '-1': 0..65535" },
		{ "-a -t 10.0.0.1:80 -r 10.0.1.1 -g -i", "-g and -i are mutually exclusive" },
		{ "-a -t 10.0.0.1:80 -r 10.0.1.1 --tun-type vxlan -i", "invalid tunnel type 'vxlan': ipip, gue or gre" },
		{ "-a -t 10.0.0.1:80 -r 10.0.1.1 --tun-type gue", "--tun-type is only valid with -i (--ipip)" },
		{ "-a -t 10.0.0.1:80 -r 10.0.1.1 -g --tun-port 6080", "--tun-port is only valid with -i (--ipip)" },
		{ "-e -t 10.0.0.1:80 -r 10.0.1.1 --tun-nocsum", "--tun-nocsum is only valid with -i (--ipip)" },
		{ "-a -t 10.0.0.1:80 -r 10.0.1.1 --tun-csum -g", "--tun-csum is only valid with -i (--ipip)" },
		{ "-a -t 10.0.0.1:80 -r 10.0.1.1 -i --tun-type gue", "--tun-type gue needs --tun-port" },
		{ "-a -t 10.0.0.1:80 -r 10.0.1.1 -i --tun-type gue --tun-csum", "--tun-type gue needs --tun-port" },
		{ "-a -t 10.0.0.1:80 -r 10.0.1.1 -i --tun-port 6080", "option --tun-port is not valid with the ipip tunnel type" },
		{ "-a -t 10.0.0.1:80 -r 10.0.1.1 -i --tun-type gre --tun-port 6080", "option --tun-port is not valid with the gre tunnel type" },
		{ "-a -t 10.0.0.1:80 -r 10.0.1.1 -i --tun-csum", "option --tun-csum is not valid with the ipip tunnel type" },
		{ "-e -t 10.0.0.1:80 -r 10.0.1.1 -i --tun-type ipip --tun-nocsum", "option --tun-nocsum is not valid with the ipip tunnel type" },
		{ "-a -t 10.0.0.1:80 -r 10.0.1.1 -i --tun-type ipip --tun-csum --tun-nocsum", "option --tun-nocsum is not valid with the ipip tunnel type" },
		{ "-a -t 10.0.0.1:80 -r 10.0.1.1 -i --tun-type gre --tun-csum --tun-nocsum", "--tun-nocsum and --tun-csum are mutually exclusive" },
		{ "-a -t 10.0.0.1:80 -r 10.0.1.1 -i --tun-type gue --tun-port 6080 --tun-remcsum", "dsr does not support remote checksum offload (--tun-remcsum)" },
		{ "-a -t 10.0.0.1:80 -r 10.0.1.1 --tun-remcsum -i --tun-type ipip", "dsr does not support remote checksum offload (--tun-remcsum)" },
		{ "-a -t 10.0.0.1:80 -r 10.0.1.1 -i --tun-type gue --tun-port 0", "invalid tunnel port '0': 1..65535" },
		{ "-a -t 10.0.0.1:80 -r 10.0.1.1 -i --tun-type gue --tun-port 65536", "invalid tunnel port '65536': 1..65535" },
		{ "-a -t 10.0.0.1:80 -r 10.0.1.1 -i --tun-type gue --tun-port x", "invalid tunnel port 'x': 1..65535" },
		{ "-a -t 10.0.0.1:80 -r 10.0.1.1 -i --tun-type gue --tun-port 1 --tun-port 2", "option --tun-port given more than once" },
		{ "-a -t 10.0.0.1:80 -r 10.0.1.1 -i --tun-type gre --tun-csum --tun-csum", "option --tun-csum given more than once" },
		{ "-a -t 10.0.0.1:80 -r 10.0.1.1 -i --tun-type gre --tun-type gue", "option --tun-type given more than once" },
		{ "-a -t 10.0.0.1:80 -r 10.0.1.1 -i --tun-type", "option '--tun-type' requires an argument" },
		{ "-A -t 10.0.0.1:80 --tun-type gue", "option --tun-type is not valid with --add-service" },
		{ "-d -t 10.0.0.1:80 -r 10.0.1.1 --tun-csum", "option --tun-csum is not valid with --delete-server" },
		{ "-A -t 10.0.0.1:80 --tun-src 2001:db8::1", "invalid tunnel source '2001:db8::1': an IPv4 address, optionally /1..32" },
		{ "-A -t 10.0.0.1:80 --tun-src 192.0.2.1/33", "invalid tunnel source '192.0.2.1/33': an IPv4 address, optionally /1..32" },
		{ "-E -t 10.0.0.1:80 --tun-src 192.0.2.1/0", "invalid tunnel source '192.0.2.1/0': an IPv4 address, optionally /1..32" },
		{ "-A -t 10.0.0.1:80 --tun-src 192.0.2.1 --tun-src 192.0.2.2", "option --tun-src given more than once" },
		{ "-a -t 10.0.0.1:80 -r 10.0.1.1 --tun-src 192.0.2.1", "option --tun-src is not valid with --add-server" },
		{ "-D -t 10.0.0.1:80 --tun-src 192.0.2.1", "option --tun-src is not valid with --delete-service" },
		{ "-S --tun-info", "option --tun-info is not valid with --save" },
		{ "-Z --tun-info", "option --tun-info is not valid with --zero" },
		{ "-A -t 10.0.0.1", "invalid service address '10.0.0.1': a port is required (address:port)" },
		{ "-A -t 10.0.0.1:0", "invalid service address '10.0.0.1:0': port must be a number in 1..65535" },
		{ "-A -t www.example.com:80", "invalid service address 'www.example.com:80': not a numeric IPv4 or [IPv6] address" },
		{ "-A -u 2001:db8::1:53", "invalid service address '2001:db8::1:53': write IPv6 with a port as [address]:port" },
		{ "-A -t 10.0.0.1:80 -s averyveryverylongname", "invalid scheduler name 'averyveryverylongname': 1..15 characters" },
		{ "-A -t 10.0.0.1:80 -s rr -s wrr", "option -s (--scheduler) given more than once" },
		{ "-A -t 10.0.0.1:80 -u 10.0.0.1:80", "option -t/-u/-f (service) given more than once" },
		{ "-A -t 10.0.0.1:80 -p 2678401", "invalid persistence timeout '2678401': 1..2678400 seconds (0: none)" },
		{ "-A -t 10.0.0.1:80 -p 300 -M 255.0.255.0", "invalid netmask '255.0.255.0': not contiguous" },
		{ "-A -t 10.0.0.1:80 -p 300 -M 24", "invalid netmask '24': an IPv4 service takes a dotted netmask, as 255.255.255.0" },
		{ "-a -t 10.0.0.1:80 -r 10.0.1.1 -M 255.255.255.0", "option -M (--netmask) is not valid with --add-server" },
		{ "-A -f 0", "invalid firewall mark '0': 1..4294967295" },
		{ "-A", "--add-service needs -t/-u/-f (service)" },
		{ "-a -t 10.0.0.1:80", "--add-server needs -r (--real-server)" },
		{ "-d -r 10.0.1.1", "--delete-server needs -t/-u/-f (service)" },
		{ "-D -t 10.0.0.1:80 -s rr", "option -s (--scheduler) is not valid with --delete-service" },
		{ "-A -t 10.0.0.1:80 -w 3", "option -w (--weight) is not valid with --add-service" },
		{ "-C -t 10.0.0.1:80", "option -t/-u/-f (service) is not valid with --clear" },
		{ "-L --stats -r 10.0.1.1", "option -r (--real-server) is not valid with --list" },
		{ "-A -E -t 10.0.0.1:80", "only one command may be given (--add-service and --edit-service)" },
		{ "-q", "unknown option '-q'" },
		{ "-A -u 10.0.0.1:5060 -p --pe h323", "unknown persistence engine 'h323': dsr has sip" },
		{ "-a -u 10.0.0.1:5060 -r 10.0.1.1 --pe sip", "option --pe is not valid with --add-server" },
		{ "-a -t 10.0.0.1:80 -r 10.0.1.1 -x 2147483648", "invalid upper threshold '2147483648': 0..2147483647" },
		{ "-a -t 10.0.0.1:80 -r 10.0.1.1 -y -1", "invalid lower threshold '-1': 0..2147483647" },
		{ "-A -t 10.0.0.1:80 -x 10", "option -x (--u-threshold) is not valid with --add-service" },
		{ "-L --thresholds --stats", "option --thresholds is not valid with --stats" },
		{ "-L --persistent-conn --thresholds", "option --persistent-conn is not valid with --thresholds" },
		{ "-L -c --thresholds", "option --thresholds is not valid with -c (--connection)" },
		{ "-L --stats --rate", "option --rate is not valid with --stats" },
		{ "-L foo", "unexpected argument 'foo'" },
		{ "-A -t", "option '-t' requires an argument" },
		{ "-a -t 10.0.0.1:80 -r 10.0.1.1 --weight", "option '--weight' requires an argument" },
		/* -b, --stateless, --sched-table, --digest */
		{ "-A -t 10.0.0.1:80 -s rr -b sh-port", "incompatible scheduler flag 'sh-port': it needs -s sh, the scheduler is rr" },
		{ "-A -t 10.0.0.1:80 -b sh-fallback", "incompatible scheduler flag 'sh-fallback': it needs -s sh, the scheduler is mh" },
		{ "-A -t 10.0.0.1:80 -b mh-port -s sh", "incompatible scheduler flag 'mh-port': it needs -s mh, the scheduler is sh" },
		{ "-A -t 10.0.0.1:80 -s sh -b sh-port,mh-port", "incompatible scheduler flag 'mh-port': it needs -s mh, the scheduler is sh" },
		{ "-E -t 10.0.0.1:80 -s wrr --sched-flags mh-fallback", "incompatible scheduler flag 'mh-fallback': it needs -s mh, the scheduler is wrr" },
		{ "-A -t 10.0.0.1:80 -s sh -b sh-port,foo", "invalid scheduler flag 'foo': sh-fallback, sh-port, mh-fallback or mh-port" },
		{ "-A -t 10.0.0.1:80 -s mh -b flag-1", "invalid scheduler flag 'flag-1': sh-fallback, sh-port, mh-fallback or mh-port" },
		{ "-A -t 10.0.0.1:80 -s sh -b sh-port -b sh-fallback", "option -b (--sched-flags) given more than once" },
		{ "-a -t 10.0.0.1:80 -r 10.0.1.1 -b sh-port", "option -b (--sched-flags) is not valid with --add-server" },
		{ "-D -t 10.0.0.1:80 --stateless", "option --stateless/--stateful is not valid with --delete-service" },
		{ "-D -t 10.0.0.1:80 --stateful", "option --stateless/--stateful is not valid with --delete-service" },
		{ "-E -t 10.0.0.1:80 --stateless --stateful", "--stateless and --stateful contradict each other" },
		{ "-E -t 10.0.0.1:80 --stateful --stateless", "--stateless and --stateful contradict each other" },
		{ "-L --stateless", "option --stateless/--stateful is not valid with --list" },
		{ "monitor -s rr", "option -s (--scheduler) is not valid with monitor" },
		{ "--hook input", "invalid hook 'input': pre-routing or local-in" },
		{ "--set-service-limit 0", "invalid service limit '0': 1..65536" },
		{ "--set-service-limit 65537", "invalid service limit '65537': 1..65536" },
		{ "--set-server-limit 4097", "invalid real-server limit '4097': 1..4096" },
		{ "--set-server-limit 3 -t 10.0.0.1:80", "option -t/-u/-f (service) is not valid with --set-server-limit" },
		{ "--hook local-in -t 10.0.0.1:80", "option -t/-u/-f (service) is not valid with --hook" },
		{ "--hook local-in --hook pre-routing", "option --hook given more than once" },
		{ "monitor -L", "only one command may be given (monitor and --list)" },
		{ "monitor -j extra", "unexpected argument 'extra'" },
		{ "-L monitor", "unexpected argument 'monitor'" },
		{ "-A -t 10.0.0.1:80 --sched-table x", "invalid lookup table size 'x': a prime, 7..1048573, or 0 for the default" },
		{ "-A -t 10.0.0.1:80 --sched-table 7 --sched-table 11", "option --sched-table given more than once" },
		{ "-A -t 10.0.0.1:80 --digest", "option --digest is not valid with --add-service" },
		{ "-S --digest", "option --digest is not valid with --save" },
		/* -c, --timeout */
		{ "-Lc --stats", "option --stats is not valid with -c (--connection)" },
		{ "-L -c -t 10.0.0.1:80", "option -t/-u/-f (service) is not valid with -c (--connection)" },
		{ "-L --timeout -c", "option --timeout is not valid with -c (--connection)" },
		{ "-L --timeout --digest", "option --digest is not valid with --timeout" },
		{ "-L --timeout --tun-info", "option --tun-info is not valid with --timeout" },
		{ "-L --timeout -u 10.0.0.1:53", "option -t/-u/-f (service) is not valid with --timeout" },
		{ "-A -t 10.0.0.1:80 -c", "option -c (--connection) is not valid with --add-service" },
		{ "-S --timeout", "option --timeout is not valid with --save" },
		/* --set, --set-timeouts */
		{ "--set 1 2", "--set needs 3 timeout values: tcp tcpfin udp" },
		{ "--set", "--set needs 3 timeout values: tcp tcpfin udp" },
		{ "--set 1 2 3 4", "--set needs 3 timeout values: tcp tcpfin udp" },
		{ "--set 900 x 300", "invalid timeout 'x': 0..2678400 seconds" },
		{ "--set 900 120 2678401", "invalid timeout '2678401': 0..2678400 seconds" },
		{ "--set 900 120 1x", "invalid timeout '1x': 0..2678400 seconds" },
		{ "--set 1 2 3 -t 10.0.0.1:80", "option -t/-u/-f (service) is not valid with --set" },
		{ "--set-timeouts syn=0", "invalid timeout 'syn=0': 1..2678400 seconds" },
		{ "--set-timeouts tcp=1,rst=2678401", "invalid timeout 'rst=2678401': 1..2678400 seconds" },
		{ "--set-timeouts fin=1", "invalid timeout name 'fin': tcp, tcpfin, udp, syn or rst" },
		{ "--set-timeouts tcp=1,tcp=2", "timeout 'tcp' given more than once" },
		{ "--set-timeouts tcp", "invalid timeout 'tcp': NAME=SECONDS[,NAME=SECONDS...]" },
		{ "--set-timeouts tcp=1,", "invalid timeout '': NAME=SECONDS[,NAME=SECONDS...]" },
		{ "--set-timeouts tcp=1 extra", "unexpected argument 'extra'" },
		{ "--set-timeouts", "option '--set-timeouts' requires an argument" },
		{ "--set 1 2 3 --set-timeouts tcp=1", "only one command may be given (--set and --set-timeouts)" },
		{ "--set-timeouts syn=1 -L", "only one command may be given (--set-timeouts and --list)" },
	};
	size_t i;

	fake_reset();
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		expect_fail(cases[i].line, 2, cases[i].msg);
		ok(fake.requests == 0 && !strcmp(res.out, ""),
		   "  ... and nothing reached the kernel");
	}

	run("-h");
	ok(res.rc == 0 && strstr(res.out, "Usage:") && !*res.err,
	   "-h prints usage on stdout");
	run("-A -t 1.2.3.4:80 --help");
	ok(res.rc == 0 && strstr(res.out, "Usage:"), "--help wins");
	run("-v");
	ok(res.rc == 0 && !strncmp(res.out, "dsradm 0.1.0", 12), "-v");
	ok(fake.requests == 0, "help and version do not talk to the kernel");
}

#define SVC_ATTR(n)	(1U << (n))

/* -b, --stateless, --sched-table: what reaches the kernel, -S, -L, -R. */
static void test_sched_flags(void)
{
	char *ipvs = slurp("ipvsadm-flags.txt");
	char *save = slurp("save-flags.txt");
	struct fake_svc *fs;
	char *first;

	fake_reset();
	expect_ok("-A -t 10.0.0.1:80 -s sh -b sh-fallback,sh-port");
	fs = svc("tcp", "10.0.0.1:80");
	ok(fs && !strcmp(fs->svc.sched, "sh") &&
	   fs->svc.flags == (DSR_SERVICE_F_HASH_FALLBACK |
			     DSR_SERVICE_F_HASH_PORT) &&
	   !(fake.last_svc_attrs & SVC_ATTR(DSR_A_SERVICE_SCHED_TABLE)),
	   "-s sh -b sh-fallback,sh-port: FLAGS 3, no SCHED_TABLE");
	expect_ok("-a -t 10.0.0.1:80 -r 10.0.1.1");
	expect_ok("-A -t 10.0.0.2:80 -b mh-port --stateless --sched-table 7");
	fs = svc("tcp", "10.0.0.2:80");
	ok(fs && !strcmp(fs->svc.sched, "mh") &&
	   fs->svc.flags == (DSR_SERVICE_F_HASH_PORT |
			     DSR_SERVICE_F_STATELESS) && fs->table_req == 7 &&
	   !(fake.last_svc_attrs & SVC_ATTR(DSR_A_SERVICE_SCHED_NAME)),
	   "-b mh-port without -s: the default mh; --stateless, --sched-table 7");
	if (fs)
		fs->svc.digest = 0xfedcba9876543210ULL;
	expect_ok("-a -t 10.0.0.2:80 -r 10.0.1.2 -w 2");
	expect_ok("-A -u 10.0.0.3:53 -s rr --stateless");
	fs = svc("udp", "10.0.0.3:53");
	ok(fs && fs->svc.flags == DSR_SERVICE_F_STATELESS,
	   "-s rr --stateless: FLAGS stateless");
	expect_ok("-a -u 10.0.0.3:53 -r 10.0.1.3");
	fs = svc("tcp", "10.0.0.1:80");
	if (fs)
		fs->svc.digest = 0x0123456789abcdefULL;

	expect_golden("-Sn", "save-flags.txt");
	expect_golden("-Ln", "list-flags.txt");
	expect_golden("-Ln --digest", "list-flags-digest.txt");
	expect_golden("-L -j", "list-flags.json");
	expect_golden("-L -j --digest", "list-flags.json");

	/* -E -b without -s: checked against the service's scheduler. */
	expect_ok("-E -t 10.0.0.1:80 -b sh-port");
	ok(fs && fs->svc.flags == DSR_SERVICE_F_HASH_PORT &&
	   !strcmp(fs->svc.sched, "sh") &&
	   fake.last_cmd == DSR_CMD_SERVICE_SET &&
	   (fake.last_svc_attrs & SVC_ATTR(DSR_A_SERVICE_FLAGS)) &&
	   !(fake.last_svc_attrs & SVC_ATTR(DSR_A_SERVICE_SCHED_NAME)),
	   "-E -b sh-port on an sh service: FLAGS in full, scheduler kept");
	expect_fail("-E -t 10.0.0.1:80 -b mh-port", 2,
		    "incompatible scheduler flag 'mh-port': it needs -s mh, the scheduler is sh");
	ok(fake.last_cmd == DSR_CMD_SERVICE_GET && fs &&
	   fs->svc.flags == DSR_SERVICE_F_HASH_PORT,
	   "  ... found by SERVICE_GET, nothing changed");
	expect_fail("-E -t 10.9.9.9:80 -b mh-port", 255, "service not found");
	expect_ok("-E -t 10.0.0.1:80 -s mh -b mh-fallback");
	ok(fs && fs->svc.flags == DSR_SERVICE_F_HASH_FALLBACK &&
	   !strcmp(fs->svc.sched, "mh"), "-E -s mh -b mh-fallback");
	fs = svc("tcp", "10.0.0.2:80");
	expect_ok("-E -t 10.0.0.2:80 --sched-table 0");
	ok(fs && fs->table_req == 0 &&
	   fs->svc.flags == (DSR_SERVICE_F_HASH_PORT |
			     DSR_SERVICE_F_STATELESS) &&
	   !(fake.last_svc_attrs & SVC_ATTR(DSR_A_SERVICE_FLAGS)),
	   "-E without -b or --stateless keeps the flags");
	expect_ok("-E -t 10.0.0.2:80 --stateless");
	ok(fs && fs->svc.flags == DSR_SERVICE_F_STATELESS,
	   "-E --stateless alone: the flags in full, mh-port cleared");
	expect_ok("-E -t 10.0.0.2:80 --stateful -b mh-port");
	ok(fs && fs->svc.flags == DSR_SERVICE_F_HASH_PORT &&
	   (fake.last_svc_attrs & SVC_ATTR(DSR_A_SERVICE_FLAGS)),
	   "-E --stateful -b mh-port: stateless cleared, mh-port set");
	expect_ok("-E -t 10.0.0.2:80 --stateless");
	expect_ok("-E -t 10.0.0.2:80 --stateful");
	ok(fs && fs->svc.flags == 0 &&
	   (fake.last_svc_attrs & SVC_ATTR(DSR_A_SERVICE_FLAGS)),
	   "-E --stateful alone: FLAGS 0 sent");
	expect_ok("-E -t 10.0.0.2:80 --stateless");
	expect_fail("-E -t 10.0.0.2:80 --sched-table 8", 255,
		    "lookup table size must be a prime in 7..1048573");

	/* ipvsadm -Sn with -b restores, and saves back the same. */
	expect_ok("-C");
	run_in("-R", ipvs);
	ok(res.rc == 0 && !*res.err, "-R reads ipvsadm -Sn rules with -b");
	run("-Sn");
	ok(res.rc == 0 && eq(res.out, ipvs, "ipvsadm-flags.txt"),
	   "... and -S writes them as ipvsadm did");
	first = strdup(res.out);
	expect_ok("-C");
	run_in("-R", first);
	run("-Sn");
	ok(res.rc == 0 && eq(res.out, first, "second round"),
	   "-S | -R | -S is stable");
	free(first);

	/* dsr's own: --stateless and --sched-table come back too. */
	expect_ok("-C");
	run_in("-R", save);
	ok(res.rc == 0 && !*res.err, "-R reads --stateless, --sched-table");
	run("-Sn");
	ok(res.rc == 0 && eq(res.out, save, "save-flags.txt"),
	   "-S after -R: the same rules");
	run_in("-R", "-A -t 10.0.0.9:80 -s rr -b sh-port\n");
	ok(res.rc == 2 &&
	   eq(res.err, "dsradm: line 1: incompatible scheduler flag 'sh-port': it needs -s sh, the scheduler is rr\n", "stderr"),
	   "-R: a -b for another scheduler stops the restore");
	free(ipvs);
	free(save);
}

static void add_flow(uint8_t proto, const char *client, const char *vip,
		     const char *dst, uint8_t state, uint32_t ms,
		     uint8_t packets)
{
	struct flow *f = &fake.flows[fake.nflows++];

	memset(f, 0, sizeof(*f));
	f->protocol = proto;
	f->state = state;
	f->expires = ms;
	f->packets = packets;
	parse_endpoint(client, &f->client, &f->client_port, true);
	parse_endpoint(vip, &f->vip, &f->vip_port, true);
	parse_endpoint(dst, &f->dest, &f->dest_port, true);
}

#define INFO_ATTR(n)	(1U << (n))

/* --set, --set-timeouts, -L --timeout, -L -c, the flow counters. */
static void test_flows_timeouts(void)
{
	fake_reset();
	expect_golden("-L --timeout", "timeouts.txt");
	expect_golden("-L --timeout -j", "timeouts.json");
	ok(fake.last_cmd == DSR_CMD_INFO_GET, "--timeout: INFO_GET");

	expect_ok("--set 1000 0 200");
	ok(fake.last_cmd == DSR_CMD_CONFIG_SET &&
	   fake.last_info_attrs == (INFO_ATTR(DSR_A_INFO_TIMEOUT_TCP) |
				    INFO_ATTR(DSR_A_INFO_TIMEOUT_UDP)) &&
	   fake.timeout[TMO_TCP] == 1000 && fake.timeout[TMO_TCPFIN] == 120 &&
	   fake.timeout[TMO_UDP] == 200,
	   "--set 1000 0 200: CONFIG_SET with TCP and UDP, 0 left unchanged");
	expect_ok("--set 0 0 0");
	ok(fake.last_cmd == DSR_CMD_CONFIG_SET && fake.last_info_attrs == 0,
	   "--set 0 0 0: nothing to change");
	expect_ok("--set-timeouts syn=30,rst=5,tcpfin=60");
	ok(fake.last_info_attrs == (INFO_ATTR(DSR_A_INFO_TIMEOUT_TCP_SYN) |
				    INFO_ATTR(DSR_A_INFO_TIMEOUT_TCP_CLOSE) |
				    INFO_ATTR(DSR_A_INFO_TIMEOUT_TCP_FIN)) &&
	   fake.timeout[TMO_SYN] == 30 && fake.timeout[TMO_RST] == 5 &&
	   fake.timeout[TMO_TCPFIN] == 60 && fake.timeout[TMO_TCP] == 1000,
	   "--set-timeouts: syn is TCP_SYN, rst is TCP_CLOSE");
	run("-L --timeout");
	ok(res.rc == 0 && eq(res.out, "Timeout (tcp tcpfin udp): 1000 60 200\n"
			     "Timeout (syn rst): 30 5\n", "--timeout"),
	   "-L --timeout reads them back");
	fake.eperm = true;
	expect_fail("--set 1 2 3", 255,
		    "permission denied: CAP_NET_ADMIN is required");
	fake.eperm = false;

	/* The same flows as test_print's, dumped in reverse. */
	add_flow(IPPROTO_UDP, "[2001:db8::7]:5353", "[2001:db8::1]:53",
		 "[2001:db8:1::2]:53", DSR_FLOW_NONE, 299999, 2);
	add_flow(IPPROTO_TCP, "10.0.0.2:40001", "10.0.0.100:80",
		 "10.0.1.2:80", DSR_FLOW_SYN, 59000, 1);
	add_flow(IPPROTO_TCP, "10.0.0.2:40000", "10.0.0.100:80",
		 "10.0.1.1:80", DSR_FLOW_ESTABLISHED, 898500, 2);
	add_flow(IPPROTO_TCP, "10.0.0.3:1024", "10.0.0.100:80",
		 "10.0.1.1:80", DSR_FLOW_FIN, 119999, 2);
	add_flow(IPPROTO_TCP, "10.0.0.3:1025", "10.0.0.100:80",
		 "10.0.1.2:80", DSR_FLOW_CLOSE, 0, 2);
	add_flow(IPPROTO_TCP, "10.0.0.4:1", "10.0.0.100:80",
		 "10.0.1.2:80", 9, 6000000, 2);
	add_flow(IPPROTO_UDP, "10.0.0.9:53000", "10.0.0.53:53",
		 "10.0.1.3:53", DSR_FLOW_NONE, 1000, 1);
	expect_golden("-Lc", "flows.txt");
	ok(fake.last_cmd == DSR_CMD_FLOW_GET && (fake.last_flags & NLM_F_DUMP),
	   "-Lc: a FLOW_GET dump");
	expect_golden("-L -c -n", "flows.txt");
	expect_golden("--list --connection", "flows.txt");
	expect_golden("-Lc -j", "flows.json");
	fake.nflows = 0;
	expect_golden("-Lnc", "flows-empty.txt");
	expect_golden("-Lc --json", "flows-empty.json");
	fake.eperm = true;
	expect_fail("-Lc", 255, "permission denied: CAP_NET_ADMIN is required");
	fake.eperm = false;

	fake.info.flow_max_host = 4194304;
	fake.info.flow_inserts = 1000;
	fake.info.flow_evictions = 7;
	fake.info.flow_expiries = 990;
	fake.info.flow_untracked = 2;
	fake.info.flow_midstream = 12345678901ULL;
	fake.info.drops[DSR_DROP_NO_DEST] = 5;
	fake.info.drops[DSR_DROP_TTL] = 18446744073709551615ULL;
	run("-Ln --stats");
	ok(res.rc == 0 && strstr(res.out, "(flows=0/1048576, icmp_forwarded=0, icmp_tun_pmtu=0, flow_max_host=4194304, flow_inserts=1000, flow_evictions=7, flow_expiries=990, flow_untracked=2, flow_midstream=12345678901, hook=pre-routing, service_max=65536, server_max=4096, drop_no_dest=5, drop_no_route=0, drop_too_big=0, drop_no_mem=0, drop_bad_header=0, drop_ttl=18446744073709551615)\n"),
	   "--stats: the flow-table counters and drop reasons on the title line");
	run("-Ln");
	ok(res.rc == 0 && !strstr(res.out, "drop_"),
	   "without --stats: no drop reasons");
	expect_ok("--hook local-in");
	ok(fake.hook == DSR_HOOK_LOCAL_IN &&
	   fake.last_info_attrs == (1U << DSR_A_INFO_HOOK),
	   "--hook local-in: CONFIG_SET with the hook alone");
	run("-Ln --stats");
	ok(res.rc == 0 && strstr(res.out, ", hook=local-in,"),
	   "--stats shows the hook");
	run("-L -j");
	ok(res.rc == 0 && strstr(res.out, "\"hook\":\"local-in\""),
	   "-j shows the hook");
	expect_ok("--hook pre-routing");
	ok(fake.hook == DSR_HOOK_PRE_ROUTING, "--hook pre-routing");
	expect_ok("--set-service-limit 10");
	ok(fake.service_max == 10 &&
	   fake.last_info_attrs == (1U << DSR_A_INFO_SERVICE_MAX),
	   "--set-service-limit: CONFIG_SET with SERVICE_MAX alone");
	expect_ok("--set-server-limit 3");
	ok(fake.dest_max == 3 &&
	   fake.last_info_attrs == (1U << DSR_A_INFO_DEST_MAX),
	   "--set-server-limit: CONFIG_SET with DEST_MAX alone");
	run("-L -j");
	ok(res.rc == 0 && strstr(res.out, "\"service_max\":10,\"server_max\":3,"),
	   "-j shows the limits");
	fake.service_max = 0;
	fake.dest_max = 0;
	run("-L -j");
	ok(res.rc == 0 && strstr(res.out, "\"flow_count\":0,\"flow_max_host\":4194304,\"flow_inserts\":1000,\"flow_evictions\":7,\"flow_expiries\":990,\"flow_untracked\":2,\"flow_midstream\":12345678901,"),
	   "-j: the flow-table counters");
	ok(res.rc == 0 && strstr(res.out, ",\"drops\":{\"no_dest\":5,\"no_route\":0,\"too_big\":0,\"no_mem\":0,\"bad_header\":0,\"ttl\":18446744073709551615},\"services\":["),
	   "-j: the drop reasons");
	memset(fake.info.drops, 0, sizeof(fake.info.drops));
}

static void test_persist_parse(void)
{
	struct cmd cmd;
	bool have;
	char *a1[] = { "dsradm", "-A", "-t", "1.2.3.4:80", "-p", NULL };
	char *a2[] = { "dsradm", "-A", "-p", "60", "-t", "1.2.3.4:80", NULL };
	char *a3[] = { "dsradm", "-A", "-t", "1.2.3.4:80", "-p120", NULL };
	char *a4[] = { "dsradm", "-A", "--persistent=90", "-t", "1.2.3.4:80",
		       NULL };
	char *a5[] = { "dsradm", "-Ln", NULL };

	ok(parse_args(5, a1, &cmd, &have) == 0 && cmd.timeout == 360,
	   "-p alone: 360 s, as ipvsadm");
	ok(parse_args(6, a2, &cmd, &have) == 0 && cmd.timeout == 60 &&
	   cmd.svc.port == 80, "-p 60");
	ok(parse_args(5, a3, &cmd, &have) == 0 && cmd.timeout == 120, "-p120");
	ok(parse_args(5, a4, &cmd, &have) == 0 && cmd.timeout == 90,
	   "--persistent=90");
	ok(parse_args(2, a5, &cmd, &have) == 0 && have &&
	   cmd.op == OP_LIST && (cmd.fmt & FMT_NUMERIC), "-Ln");
}

static void expect_tunnel(const char *ep, uint8_t type, uint16_t port,
			  uint32_t flags, const char *what)
{
	struct dest *d = dest(svc("tcp", "10.0.0.100:80"), ep);

	ok(d && d->fwd == DSR_FWD_TUN && d->tun_type == type &&
	   d->tun_port == port && d->tun_flags == flags, "%s", what);
}

#define BIT(n)		(1U << (n))
#define TUN_ATTRS	(BIT(DSR_A_DEST_TUN_TYPE) | BIT(DSR_A_DEST_TUN_PORT) | \
			 BIT(DSR_A_DEST_TUN_FLAGS))
#define TUN_SRC_ATTRS	(BIT(DSR_A_SERVICE_TUN_SRC4) | \
			 BIT(DSR_A_SERVICE_TUN_SRC_PLEN))

static void test_tunnel(void)
{
	struct fake_svc *fs;
	struct dest *d;

	build_example();
	ok(!(fake.last_svc_attrs & TUN_SRC_ATTRS) &&
	   !(fake.last_dest_attrs & TUN_ATTRS),
	   "plain -A and -a send no tunnel attributes");
	expect_ok("-a -t 10.0.0.100:80 -r 192.168.10.1 -i");
	expect_tunnel("192.168.10.1", DSR_TUN_IPIP, 0, 0,
		      "-i alone: TUN_TYPE ipip");
	ok((fake.last_dest_attrs & TUN_ATTRS) == BIT(DSR_A_DEST_TUN_TYPE),
	   "  ... and neither TUN_PORT nor TUN_FLAGS");
	expect_ok("-a -t 10.0.0.100:80 -r 192.168.10.2:80 -i --tun-type gue --tun-port 6080 --tun-csum -w 2");
	expect_tunnel("192.168.10.2", DSR_TUN_GUE, 6080, DSR_TUN_F_CSUM,
		      "gue: TUN_PORT 6080, TUN_FLAGS csum");
	ok((fake.last_dest_attrs & TUN_ATTRS) == TUN_ATTRS,
	   "  ... all three tunnel attributes");
	expect_ok("--add-server -t 10.0.0.100:80 -r 192.168.10.3 --ipip --tun-type gre --tun-nocsum");
	expect_tunnel("192.168.10.3", DSR_TUN_GRE, 0, 0, "gre, no checksum");
	ok((fake.last_dest_attrs & TUN_ATTRS) ==
	   (BIT(DSR_A_DEST_TUN_TYPE) | BIT(DSR_A_DEST_TUN_FLAGS)),
	   "  ... TUN_TYPE and TUN_FLAGS, no TUN_PORT");
	expect_ok("-a -t 10.0.0.100:80 -r 192.168.10.4 -i --tun-type=gre --tun-csum");
	expect_tunnel("192.168.10.4", DSR_TUN_GRE, 0, DSR_TUN_F_CSUM,
		      "gre with checksum");
	expect_ok("-A -t 10.0.0.200:443 --tun-src 198.51.100.0/28");
	fs = svc("tcp", "10.0.0.200:443");
	ok(fs && fs->svc.tun_src.s_addr == htonl(0xc6336400) &&
	   fs->svc.tun_src_plen == 28, "--tun-src: TUN_SRC4 and TUN_SRC_PLEN");
	expect_ok("-E -t 10.0.0.100:80 --tun-src 198.51.100.7");
	fs = svc("tcp", "10.0.0.100:80");
	ok(fs && fs->svc.tun_src.s_addr == htonl(0xc6336407) &&
	   fs->svc.tun_src_plen == 32 && !strcmp(fs->svc.sched, "rr"),
	   "-E --tun-src: /32, the scheduler kept");
	ok((fake.last_svc_attrs & TUN_SRC_ATTRS) == TUN_SRC_ATTRS,
	   "  ... TUN_SRC_PLEN 32 sent too");
	expect_ok("-E -t 10.0.0.100:80 -s wrr");
	ok(fs && fs->svc.tun_src.s_addr && !strcmp(fs->svc.sched, "wrr") &&
	   !(fake.last_svc_attrs & TUN_SRC_ATTRS),
	   "-E without --tun-src does not send it, and the kernel keeps it");

	d = dest(fs, "192.168.10.2");
	if (d)
		d->tun_pmtu = 1400;
	fake.icmp_forwarded = 17;
	fake.icmp_tun_pmtu = 3;
	expect_golden("-Sn", "save-tun.txt");
	expect_golden("-Ln", "list-tun.txt");
	expect_golden("-L -n --tun-info", "list-tun-info.txt");
	expect_golden("-Ln --stats --tun-info", "list-tun-stats.txt");
	expect_golden("-L -j", "list-tun.json");

	/* -e resets what it is not given, as ipvsadm's -e does. */
	expect_ok("-e -t 10.0.0.100:80 -r 192.168.10.2 -i --tun-type gue --tun-port 6081 -w 2");
	expect_tunnel("192.168.10.2", DSR_TUN_GUE, 6081, 0,
		      "-e gue without --tun-csum: no checksum");
	expect_ok("-e -t 10.0.0.100:80 -r 192.168.10.2 -i");
	expect_tunnel("192.168.10.2", DSR_TUN_IPIP, 0, 0,
		      "-e -i alone: back to ipip, no port");
	expect_ok("-e -t 10.0.0.100:80 -r 192.168.10.4 -i --tun-type gue --tun-port 5555 --tun-csum");
	expect_tunnel("192.168.10.4", DSR_TUN_GUE, 5555, DSR_TUN_F_CSUM,
		      "-e gre to gue");
	expect_ok("-e -t 10.0.0.100:80 -r 192.168.10.4");
	d = dest(fs, "192.168.10.4");
	ok(d && d->fwd == DSR_FWD_DR && !d->tun_type && !d->tun_port &&
	   !d->tun_flags && !(fake.last_dest_attrs & TUN_ATTRS),
	   "-e without -i: direct routing, no tunnel left");
	expect_ok("-d -t 10.0.0.100:80 -r 192.168.10.1");
	ok(!(fake.last_dest_attrs & ~(BIT(DSR_A_DEST_ADDR4) |
				      BIT(DSR_A_DEST_PORT))),
	   "-d of a tunnel real server sends its key only");
	ok(!dest(fs, "192.168.10.1"), "  ... and deletes it");
	expect_ok("-E -t 10.0.0.100:80 --tun-src 0.0.0.0");
	ok(fs && !fs->svc.tun_src.s_addr && fs->svc.tun_src_plen == 32,
	   "--tun-src 0.0.0.0: back to the route's source");
	run("-Sn");
	ok(res.rc == 0 && strstr(res.out, "-A -t 10.0.0.100:80 -s wrr\n"),
	   "-S: no --tun-src once unset");
}

/*
 * A tunnel table saved, cleared and restored comes back the same, and
 * ipvsadm 1.31's -Sn lines for tunnels restore as they are.
 */
static void test_restore_tunnel(void)
{
	char *save = slurp("save-tun.txt");
	char *ipvs = slurp("ipvsadm-tun.txt");
	char *first;

	fake_reset();
	run_in("-R", save);
	ok(res.rc == 0 && !*res.err, "-R reads tunnel rules back");
	run("-Sn");
	ok(res.rc == 0 && eq(res.out, save, "save-tun.txt"),
	   "-S after -R: the same rules");

	expect_ok("-C");
	run_in("-R", ipvs);
	ok(res.rc == 0 && !*res.err, "-R reads ipvsadm -Sn tunnel rules");
	run("-Sn");
	ok(res.rc == 0 && eq(res.out, ipvs, "ipvsadm-tun.txt"),
	   "... and -S writes them as ipvsadm did");
	first = strdup(res.out);
	expect_ok("-C");
	run_in("-R", first);
	run("-Sn");
	ok(res.rc == 0 && eq(res.out, first, "second round"),
	   "-S | -R | -S is stable");
	free(first);

	expect_ok("-C");
	run_in("-R", "-A -t 10.0.0.1:80 -s rr\n"
	       "-a -t 10.0.0.1:80 -r 192.168.10.3:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-remcsum\n");
	ok(res.rc == 2 &&
	   eq(res.err, "dsradm: line 2: dsr does not support remote checksum offload (--tun-remcsum)\n", "stderr"),
	   "-R: an ipvsadm --tun-remcsum line stops the restore");
	free(save);
	free(ipvs);
}

/*
 * -R --sync: the same table changes nothing; another one is reached with
 * only the differences (no flush), in the order that keeps services
 * served; a bad input is refused whole, before any change.
 */
static void test_sync(void)
{
	const char *table =
		"-A -t 10.0.0.1:80 -s mh\n"
		"-a -t 10.0.0.1:80 -r 10.0.1.1:80 -g -w 1\n"
		"-a -t 10.0.0.1:80 -r 10.0.1.2:80 -g -w 1\n"
		"-A -u 10.0.0.1:53 -s rr\n"
		"-a -u 10.0.0.1:53 -r 10.0.1.1:53 -g -w 1\n";
	const char *next =
		"-A -t 10.0.0.1:80 -s mh -b mh-port\n"
		"-a -t 10.0.0.1:80 -r 10.0.1.1:80 -g -w 1\n"
		"-a -t 10.0.0.1:80 -r 10.0.1.2:80 -g -w 3\n"
		"-a -t 10.0.0.1:80 -r 10.0.1.3:80 -i -w 1 --tun-type gre --tun-csum\n"
		"-A -t 10.0.0.2:443 -s wrr\n"
		"-a -t 10.0.0.2:443 -r 10.0.1.9:443 -g -w 2\n";
	unsigned int before;

	fake_reset();
	run_in("-R --sync", table);
	ok(res.rc == 0 && !*res.err, "--sync into an empty table adds it all");
	run("-Sn");
	ok(res.rc == 0 && eq(res.out, table, "synced table"),
	   "... and -S gives it back");
	before = fake.requests;
	run_in("-R --sync", table);
	/* Family, INFO_GET, SERVICE_GET dump, one DEST_GET per service. */
	ok(res.rc == 0 && fake.requests - before == 5,
	   "the same table again: only reads, no change (%u requests)",
	   fake.requests - before);
	run_in("-R --sync", next);
	ok(res.rc == 0 && !*res.err, "--sync to another table");
	ok(fake.last_cmd == DSR_CMD_SERVICE_DEL,
	   "... deleting the service that went last");
	run("-Sn");
	ok(res.rc == 0 && eq(res.out,
			     "-A -t 10.0.0.1:80 -s mh -b mh-port\n"
			     "-a -t 10.0.0.1:80 -r 10.0.1.1:80 -g -w 1\n"
			     "-a -t 10.0.0.1:80 -r 10.0.1.2:80 -g -w 3\n"
			     "-a -t 10.0.0.1:80 -r 10.0.1.3:80 -i -w 1 --tun-type gre --tun-csum\n"
			     "-A -t 10.0.0.2:443 -s wrr\n"
			     "-a -t 10.0.0.2:443 -r 10.0.1.9:443 -g -w 2\n",
			     "next table"),
	   "... which -S then gives back");

	/* Refused whole: only the family was looked up. */
	before = fake.requests;
	run_in("-R --sync", "-A -t 10.0.0.3:80 -s rr\n-D -t 10.0.0.1:80\n");
	ok(res.rc == 2 && fake.requests - before == 1 &&
	   eq(res.err, "dsradm: line 2: -R --sync accepts only -A and -a (a saved table)\n", "stderr"),
	   "--sync refuses other commands, before any request");
	before = fake.requests;
	run_in("-R --sync", "-a -t 10.0.0.3:80 -r 10.0.1.1:80 -g -w 1\n");
	ok(res.rc == 2 && fake.requests - before == 1 &&
	   eq(res.err, "dsradm: line 1: real server of a service with no -A line: TCP 10.0.0.3:80\n", "stderr"),
	   "--sync refuses a real server without its service");
	before = fake.requests;
	run_in("-R --sync", "-A -t 10.0.0.3:80 -s rr\n-A -t 10.0.0.3:80 -s mh\n");
	ok(res.rc == 2 && fake.requests - before == 1 &&
	   eq(res.err, "dsradm: line 2: service given twice: TCP 10.0.0.3:80\n", "stderr"),
	   "--sync refuses a service given twice");
	before = fake.requests;
	run_in("-R --sync", "-A -t 10.0.0.3:80 -s rr\n"
	       "-a -t 10.0.0.3:80 -r 10.0.1.1:80 -g -w 1\n"
	       "-a -t 10.0.0.3:80 -r 10.0.1.1 -g -w 2\n");
	ok(res.rc == 2 && fake.requests - before == 1 &&
	   eq(res.err, "dsradm: line 3: real server given twice in service TCP 10.0.0.3:80\n", "stderr"),
	   "--sync refuses a real server given twice (with and without its port)");
	run("-Sn");
	ok(res.rc == 0 && strstr(res.out, "-A -t 10.0.0.2:443 -s wrr\n"),
	   "... and the table is as it was");
	expect_fail("-L --sync", 2, "option --sync is not valid with --list");
}

static void test_restore(void)
{
	char *save = slurp("save.txt");
	char *more;

	build_example();
	run("-S");
	ok(res.rc == 0 && eq(res.out, save, "save"), "-S");
	expect_ok("-C");
	run_in("-R", save);
	ok(res.rc == 0 && !*res.err, "-R reads -S output back");
	expect_golden("-Sn", "save.txt");

	expect_ok("-C");
	run_in("--restore",
	       "# saved by ipvsadm -Sn\n"
	       "\n"
	       "-A -t 10.0.0.100:80 -s rr\n"
	       "  -a -t 10.0.0.100:80 -r 10.0.1.2:80 -g -w 1\t\n"
	       "-a -t 10.0.0.100:80 -r 10.0.1.3:80 -g -w 1\r\n"
	       "-A -u [2001:db8::1]:53 -s mh\n");
	ok(res.rc == 0 && !*res.err, "-R: comments, blank lines, CRLF");
	expect_golden("-S", "save.txt");

	more = "-A -t 10.0.0.7:80\n"
	       "-a -t 10.0.0.7:80 -r 10.0.1.1:80 -m -w 1\n"
	       "-A -t 10.0.0.8:80\n";
	expect_ok("-C");
	run_in("-R", more);
	ok(res.rc == 2 &&
	   eq(res.err, "dsradm: line 2: dsr forwards by direct server return; masquerading (-m) is not supported\n", "stderr"),
	   "-R stops at the first bad line and names it");
	ok(fake.nsvcs == 1, "  ... after applying the lines before it");

	run_in("-R", "-A -t 10.0.0.7:80\n");
	ok(res.rc == 255 &&
	   eq(res.err, "dsradm: line 1: service already exists\n", "stderr"),
	   "-R: kernel error with line number");
	run_in("-R", "-L\n");
	ok(res.rc == 2 &&
	   eq(res.err, "dsradm: line 1: -R accepts only -A -E -D -C -a -e -d -Z\n", "stderr"),
	   "-R refuses -L");
	run_in("-R", "-t 10.0.0.7:80\n");
	ok(res.rc == 2, "-R refuses a line without a command");
	free(save);
}

/*
 * --rate: a clock that moves only when dsradm pauses, and a pause in which
 * the fake kernel's counters move as rate_traffic says.
 */
static uint64_t fake_ms;
static unsigned int rate_traffic;	/* 0: none, 1: traffic, 2: -Z */

static uint64_t fake_clock_ms(void)
{
	return fake_ms;
}

static void fake_pause_ms(unsigned int ms)
{
	struct fake_svc *fs = &fake.svcs[0];

	/* Some milliseconds more than asked for, as a real pause takes. */
	fake_ms += ms + 1000;
	if (rate_traffic == 1) {
		fs->svc.stats.conns += 10;
		fs->svc.stats.packets += 301;
		fs->svc.stats.bytes += 45000;
		fs->dests[0].stats.conns += 4;
		fs->dests[0].stats.packets += 100;
		fs->dests[0].stats.bytes += 15000;
	} else if (rate_traffic == 2) {
		memset(&fs->svc.stats, 0, sizeof(fs->svc.stats));
		memset(&fs->dests[0].stats, 0, sizeof(fs->dests[0].stats));
	}
}

static void test_persist(void)
{
	struct fake_svc *fs;

	fake_reset();
	expect_ok("-A -t 10.0.0.1:80 -s rr -p 600 -M 255.255.255.0");
	fs = &fake.svcs[0];
	ok(fs->svc.timeout == 600 &&
	   fs->svc.netmask.s_addr == htonl(0xffffff00) &&
	   (fake.last_svc_attrs & (1U << DSR_A_SERVICE_TIMEOUT)) &&
	   (fake.last_svc_attrs & (1U << DSR_A_SERVICE_NETMASK)),
	   "-A -p 600 -M 255.255.255.0: TIMEOUT and NETMASK sent");
	run("-Ln");
	ok(res.rc == 0 && strstr(res.out, "TCP  10.0.0.1:80 rr persistent 600 mask 255.255.255.0\n"),
	   "-Ln: persistent 600 mask 255.255.255.0, as ipvsadm");
	run("-Sn");
	ok(res.rc == 0 && eq(res.out, "-A -t 10.0.0.1:80 -s rr -p 600 -M 255.255.255.0\n", "-Sn"),
	   "-Sn: -p 600 -M 255.255.255.0, as ipvsadm");
	run("-L -j");
	ok(res.rc == 0 && strstr(res.out, "\"persistent\":600,\"netmask\":\"255.255.255.0\""),
	   "-j: persistent and netmask");
	expect_ok("-E -t 10.0.0.1:80 -s wrr");
	ok(fs->svc.timeout == 600 &&
	   !(fake.last_svc_attrs & (1U << DSR_A_SERVICE_TIMEOUT)),
	   "-E without -p keeps the persistence");
	expect_ok("-E -t 10.0.0.1:80 -p 0");
	ok(fs->svc.timeout == 0 &&
	   (fake.last_svc_attrs & (1U << DSR_A_SERVICE_TIMEOUT)),
	   "-E -p 0: no persistence");
	run("-Sn");
	ok(res.rc == 0 && eq(res.out, "-A -t 10.0.0.1:80 -s wrr\n", "-Sn"),
	   "-Sn: no -p and no -M once persistence is off");
	expect_ok("-E -t 10.0.0.1:80 -p");
	ok(fs->svc.timeout == 360, "-E -p: ipvsadm's default of 360 s");
	expect_fail("-E -t 10.0.0.1:80 --stateless", 255,
		    "persistence needs the flow table: a stateless service cannot be persistent");
	ok(!(fs->svc.flags & DSR_SERVICE_F_STATELESS) && fs->svc.timeout == 360,
	   "... and the service is unchanged");

	/* -R --sync: persistence in full, -p 0 where the input has none. */
	run_in("-R --sync", "-A -t 10.0.0.1:80 -s wrr -p 300 -M 255.255.0.0\n");
	ok(res.rc == 0 && fs->svc.timeout == 300 &&
	   fs->svc.netmask.s_addr == htonl(0xffff0000),
	   "-R --sync: a new netmask is applied");
	run_in("-R --sync", "-A -t 10.0.0.1:80 -s wrr\n");
	ok(res.rc == 0 && fs->svc.timeout == 0,
	   "-R --sync: persistence off when the input has no -p");
	fake.requests = 0;
	run_in("-R --sync", "-A -t 10.0.0.1:80 -s wrr\n");
	ok(res.rc == 0 && fake.last_cmd != DSR_CMD_SERVICE_SET,
	   "-R --sync: nothing to change, no SERVICE_SET");
}

#define SVC_BIT(n)	(1U << (n))

/*
 * IPv6 services: what reaches the kernel, the listing, -S, -j, and -R and
 * -R --sync back, with a fwmark of each family on the same mark.
 */
static void test_ipv6(void)
{
	char *save = slurp("ipv6-cli-save.txt");
	struct fake_svc *fs, *fs4;
	char *first;

	fake_reset();
	expect_ok("-A -t [2001:db8::100]:80 -s mh -p 60 -M 64");
	fs = svc("tcp", "[2001:db8::100]:80");
	ok(fs && fs->svc.timeout == 60 && fs->svc.prefix_len6 == 64 &&
	   (fake.last_svc_attrs & SVC_BIT(DSR_A_SERVICE_PREFIX_LEN6)) &&
	   !(fake.last_svc_attrs & (SVC_BIT(DSR_A_SERVICE_NETMASK) |
				    SVC_BIT(DSR_A_SERVICE_FAMILY))),
	   "-A -t [v6]:80 -p 60 -M 64: PREFIX_LEN6 64, no NETMASK");
	expect_ok("-a -t [2001:db8::100]:80 -r [2001:db8::10]:80 -g -w 1");
	expect_ok("-a -t [2001:db8::100]:80 -r 2001:db8::11 -i -w 2");
	ok(fs && fs->ndests == 2 && dest(fs, "2001:db8::11") &&
	   dest(fs, "2001:db8::11")->fwd == DSR_FWD_TUN &&
	   dest(fs, "2001:db8::11")->tun_type == DSR_TUN_IPIP,
	   "IPv6 real servers: DR, and -i as IP-in-IP (IPv6 in IPv6)");
	/* -M before the service: it waits for the family. */
	expect_ok("-A -M 56 -p 300 -u [2001:db8::100]:53 -s rr");
	ok(svc("udp", "[2001:db8::100]:53") &&
	   svc("udp", "[2001:db8::100]:53")->svc.prefix_len6 == 56,
	   "-M 56 before -u [v6]: a prefix length all the same");
	expect_ok("-A -f 1 -6 -s rr -p 600 -M 48");
	fs = fwm(1, AF_INET6);
	ok(fs && !fwm(1, AF_INET) && fs->svc.prefix_len6 == 48 &&
	   (fake.last_svc_attrs & SVC_BIT(DSR_A_SERVICE_FAMILY)),
	   "-A -f 1 -6: FAMILY AF_INET6 with the mark");
	expect_ok("-A -f 1 -s wlc -p 60 -M 255.255.0.0");
	fs4 = fwm(1, AF_INET);
	ok(fs4 && fs4->svc.netmask.s_addr == htonl(0xffff0000) &&
	   !(fake.last_svc_attrs & SVC_BIT(DSR_A_SERVICE_FAMILY)) &&
	   (fake.last_svc_attrs & SVC_BIT(DSR_A_SERVICE_NETMASK)),
	   "-A -f 1 without -6: no FAMILY, as before; a second service");
	expect_ok("-a -f 1 -6 -r [2001:db8::20]");
	expect_ok("-a -f 1 -r 10.0.3.1");
	fs = fwm(1, AF_INET6);
	ok(fs && fs->ndests == 1 && dest(fs, "2001:db8::20") &&
	   fs4 && fs4->ndests == 1 && dest(fs4, "10.0.3.1"),
	   "-a -f 1 -6 and -a -f 1 reach their own service");

	expect_golden("-Ln", "ipv6-cli.txt");
	expect_golden("-Sn", "ipv6-cli-save.txt");
	expect_golden("-L -j", "ipv6-cli.json");
	run("-L -n -f 1 -6");
	ok(res.rc == 0 && strstr(res.out, "\nFWM  1 IPv6 rr persistent 600 mask 48\n  -> [2001:db8::20]:0 ") &&
	   !strstr(res.out, "wlc"), "-L -f 1 -6: that service only");
	run("-Ln -t [2001:db8::100]:80");
	ok(res.rc == 0 && strstr(res.out, "\nTCP  [2001:db8::100]:80 mh persistent 60 mask 64\n  -> [2001:db8::10]:80            Route   1      0          0         \n"),
	   "-L -t [v6]:80: ipvsadm's line, mask 64");

	/* -E: -M alone is the prefix length of the service's family. */
	expect_ok("-E -f 1 -6 -M 40");
	ok(fs && fs->svc.prefix_len6 == 40 && fs->svc.timeout == 600,
	   "-E -f 1 -6 -M 40 changes the prefix length only");
	expect_ok("-E -f 1 -6 -M 48");
	expect_ok("-Z -f 1 -6");
	ok(fake.last_cmd == DSR_CMD_ZERO &&
	   (fake.last_svc_attrs & SVC_BIT(DSR_A_SERVICE_FAMILY)),
	   "-Z -f 1 -6 names the IPv6 one");
	expect_fail("-d -f 1 -6 -r 2001:db8::99", 255, "real server not found");
	expect_fail("-D -f 2 -6", 255, "service not found");
	fake.no_extack = true;
	expect_fail("-D -f 2 -6", 255,
		    "deleting service FWM 2 IPv6: not found");
	fake.no_extack = false;

	/* -S | -R gives the same table back, and so does ipvsadm's -Sn. */
	expect_ok("-C");
	run_in("-R", save);
	ok(res.rc == 0 && !*res.err, "-R reads the IPv6 rules back");
	run("-Sn");
	ok(res.rc == 0 && eq(res.out, save, "ipv6-cli-save.txt"),
	   "-S after -R: the same rules");
	first = strdup(res.out);

	/* --sync: the same table changes nothing. */
	fake.requests = 0;
	run_in("-R --sync", first);
	ok(res.rc == 0 && fake.requests == 7 &&
	   fake.last_cmd == DSR_CMD_DEST_GET,
	   "-R --sync of the same table: only reads (%u requests)",
	   fake.requests);
	/* Another prefix length, and the IPv6 mark gone: the IPv4 one stays. */
	run_in("-R --sync",
	       "-A -t [2001:db8::100]:80 -s mh -p 60 -M 56\n"
	       "-a -t [2001:db8::100]:80 -r [2001:db8::10]:80 -g -w 1\n"
	       "-a -t [2001:db8::100]:80 -r [2001:db8::11]:80 -i -w 2 --tun-type ipip\n"
	       "-A -u [2001:db8::100]:53 -s rr -p 300 -M 56\n"
	       "-A -f 1 -s wlc -p 60 -M 255.255.0.0\n"
	       "-a -f 1 -r 10.0.3.1:0 -g -w 1\n");
	fs = svc("tcp", "[2001:db8::100]:80");
	fs4 = fwm(1, AF_INET);
	ok(res.rc == 0 && !*res.err && fs && fs->svc.prefix_len6 == 56 &&
	   !fwm(1, AF_INET6) && fs4 && fs4->ndests == 1,
	   "-R --sync: -M 56 applied, FWM 1 IPv6 deleted, FWM 1 kept");
	run_in("-R --sync", "-A -t [2001:db8::100]:80 -s mh -p 60\n");
	ok(res.rc == 0 && fs && fs->svc.prefix_len6 == 128 &&
	   fake.nsvcs == 1,
	   "-R --sync: no -M is the default, 128");
	run_in("-R", "-A -f 1 -6 -s rr\n-a -f 1 -6 -r 10.0.3.1:0 -g -w 1\n");
	ok(res.rc == 2 &&
	   eq(res.err, "dsradm: line 2: real server and service must be of one address family: real server 10.0.3.1 (IPv4), service FWM 1 IPv6 (IPv6)\n", "stderr"),
	   "-R: an IPv4 real server of an IPv6 mark stops the restore");
	free(first);
	free(save);
}

static void test_pe(void)
{
	struct fake_svc *fs;

	fake_reset();
	expect_ok("-A -u 10.0.0.1:5060 -s rr -p 60 -o --pe sip");
	fs = &fake.svcs[0];
	ok(!strcmp(fs->svc.pe, "sip") &&
	   (fake.last_svc_attrs & (1U << DSR_A_SERVICE_PE_NAME)),
	   "-A --pe sip: PE_NAME sent");
	run("-Ln");
	ok(res.rc == 0 && strstr(res.out, "UDP  10.0.0.1:5060 rr persistent 60 pe sip ops\n"),
	   "-Ln: persistent 60 pe sip ops, as ipvsadm");
	run("-Sn");
	ok(res.rc == 0 && eq(res.out, "-A -u 10.0.0.1:5060 -s rr -p 60 --pe sip -o\n", "-Sn"),
	   "-Sn: -p 60 --pe sip -o, as ipvsadm");
	run("-L -j");
	ok(res.rc == 0 && strstr(res.out, "\"netmask\":\"255.255.255.255\",\"pe\":\"sip\""),
	   "-j: pe");
	expect_ok("-E -u 10.0.0.1:5060 -s wrr");
	ok(!strcmp(fs->svc.pe, "sip") &&
	   !(fake.last_svc_attrs & (1U << DSR_A_SERVICE_PE_NAME)),
	   "-E without --pe keeps the engine");
	expect_fail("-A -t 10.0.0.1:5060 -p 60 --pe sip", 255,
		    "the sip persistence engine reads UDP datagrams: not for a TCP service");
	ok(fake.nsvcs == 1, "... and no TCP service is added");
	/* -R --sync: the engine in full, none where the input has none. */
	run_in("-R --sync", "-A -u 10.0.0.1:5060 -s wrr -p 60 -o\n");
	ok(res.rc == 0 && !fs->svc.pe[0],
	   "-R --sync: the engine off when the input has no --pe");
	run_in("-R --sync", "-A -u 10.0.0.1:5060 -s wrr -p 60 --pe sip -o\n");
	ok(res.rc == 0 && !strcmp(fs->svc.pe, "sip"),
	   "-R --sync: --pe sip applied");
	fake.requests = 0;
	run_in("-R --sync", "-A -u 10.0.0.1:5060 -s wrr -p 60 --pe sip -o\n");
	ok(res.rc == 0 && fake.last_cmd != DSR_CMD_SERVICE_SET,
	   "-R --sync: nothing to change, no SERVICE_SET");
	expect_ok("-E -u 10.0.0.1:5060 --pe ''");
	ok(!fs->svc.pe[0] && (fake.last_svc_attrs & (1U << DSR_A_SERVICE_PE_NAME)),
	   "-E --pe '': the engine off");
}

static void test_rate(void)
{
	struct fake_svc *fs;
	char *nl;

	fake_reset();
	dsradm_clock_ms = fake_clock_ms;
	dsradm_pause_ms = fake_pause_ms;
	expect_ok("-A -t 10.0.0.100:80 -s rr");
	expect_ok("-a -t 10.0.0.100:80 -r 10.0.1.2");
	expect_ok("-a -t 10.0.0.100:80 -r 10.0.1.3");
	fs = &fake.svcs[0];
	fs->svc.stats = (struct stats){ 1000, 50000, 9000000 };
	fs->dests[0].stats = (struct stats){ 600, 30000, 5000000 };

	rate_traffic = 1;
	run("-Ln --rate");
	nl = strchr(res.out, '\n');
	ok(res.rc == 0 && nl && eq(nl + 1,
	   "Prot LocalAddress:Port                 CPS    InPPS    InBPS\n"
	   "  -> RemoteAddress:Port\n"
	   "TCP  10.0.0.100:80                       5      151    22500\n"
	   "  -> 10.0.1.2:80                         2       50     7500\n"
	   "  -> 10.0.1.3:80                         0        0        0\n",
	   "rate table"),
	   "--rate: what moved in the pause, per second of the clock (2 s)");
	ok(strstr(res.out, "dsr version") == res.out,
	   "--rate: the title line first");
	run("-L -j --rate -t 10.0.0.100:80");
	ok(res.rc == 0 && strstr(res.out, "\"stats\":{\"conns\":1020,\"packets\":50602,\"bytes\":9090000},\"rate\":{\"cps\":5,\"pps\":151,\"bps\":22500},\"dests\":[") &&
	   strstr(res.out, "\"stats\":{\"conns\":0,\"packets\":0,\"bytes\":0},\"rate\":{\"cps\":0,\"pps\":0,\"bps\":0}}]}]}"),
	   "-j --rate: a rate object after each stats object");
	run("-L -j");
	ok(res.rc == 0 && !strstr(res.out, "\"rate\""), "-j alone: no rate");
	rate_traffic = 2;
	run("-Ln --rate");
	ok(res.rc == 0 && strstr(res.out, "TCP  10.0.0.100:80                       0        0        0\n"),
	   "--rate: counters zeroed in between give 0, not a wrapped number");
	rate_traffic = 0;
	expect_fail("-L --rate --stats", 2, "option --rate is not valid with --stats");
	expect_fail("-L -c --rate", 2, "option --rate is not valid with -c (--connection)");
	expect_fail("-A -t 10.0.0.1:80 --rate", 2, "option --rate is not valid with --add-service");
	run("-Ln --sort");
	ok(res.rc == 0 && strstr(res.out, "TCP  10.0.0.100:80 rr\n  -> 10.0.1.2:80 "),
	   "--sort is accepted: the listing is always sorted");
}

int main(void)
{
	uint64_t (*clock_ms)(void) = dsradm_clock_ms;
	void (*pause)(unsigned int) = dsradm_pause_ms;

	dsradm_nl_open = fake_nl_open;

	test_usage();
	test_persist_parse();
	test_add_and_list();
	test_kernel_errors();
	test_dumps();
	test_tunnel();
	test_restore();
	test_restore_tunnel();
	test_sync();
	test_sched_flags();
	test_flows_timeouts();
	test_rate();
	test_persist();
	test_pe();
	test_ipv6();
	dsradm_clock_ms = clock_ms;
	dsradm_pause_ms = pause;
	free(res.out);
	free(res.err);
	return tap_done();
}
