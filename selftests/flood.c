// SPDX-License-Identifier: GPL-2.0
/*
 * flood - send a bounded number of raw IPv4 TCP packets to one address and
 * port, from random sources inside a prefix: the many-clients load that
 * the flow-table tests need, at a rate a script cannot reach.
 *
 *   flood --dst ADDR:PORT --src ADDR/PLEN --count N [--kinds LIST]
 *         [--pick rr|random] [--interface DEV] [--seed N] [--batch N]
 *
 * Each packet is an IPv4 header (DF, TTL 64, random id) and a TCP header
 * with a random source address inside --src (neither its first nor its
 * last address unless the prefix is /31 or /32), a random source port
 * (1024-65535), random sequence and acknowledgement numbers, and the flags
 * of one of the kinds in --kinds:
 *
 *   syn   SYN, with an MSS option       fin   FIN|ACK
 *   ack   ACK                           data  PSH|ACK, 32 bytes of payload
 *   rst   RST
 *
 * taken in turn (--pick rr, the default) or at random (--pick random); a
 * kind named twice comes twice as often (--kinds syn,syn,ack).
 * Both checksums are computed. The packets go out through one raw socket
 * (IPPROTO_RAW, so IP_HDRINCL), --batch at a time with sendmmsg(), to
 * --dst and nowhere else; --interface binds the socket to DEV. Both --dst
 * and --src must lie in private or documentation ranges (10/8,
 * 172.16/12, 192.168/16, 198.18/15, 192.0.2/24, 198.51.100/24,
 * 203.0.113/24): the tests send only between their own namespaces.
 *
 * The kernel holds packets for a neighbour it is still resolving in a short
 * queue and drops the rest: resolve the next hop first (one ping) when
 * every packet must arrive.
 *
 * Every random choice comes from one generator seeded with --seed (default
 * 1), so a run can be repeated. At the end one line goes to stdout:
 *
 *   flood: sent N packets in T s (R pps)
 *
 * Exit status: 0 when all COUNT packets were sent, 1 on a socket error,
 * 2 on a bad argument (with a message on stderr). Needs CAP_NET_RAW.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FLOOD_COUNT_MAX		10000000ULL
#define FLOOD_BATCH_DEFAULT	64
#define FLOOD_BATCH_MAX		1024
#define FLOOD_DATA_LEN		32
#define FLOOD_KINDS_MAX		16
#define FLOOD_PKT_MAX		(sizeof(struct iphdr) + 24 + FLOOD_DATA_LEN)

enum kind {
	KIND_SYN,
	KIND_ACK,
	KIND_RST,
	KIND_FIN,
	KIND_DATA,
	KIND_MAX,
};

static const char *const kind_names[KIND_MAX] = {
	[KIND_SYN]	= "syn",
	[KIND_ACK]	= "ack",
	[KIND_RST]	= "rst",
	[KIND_FIN]	= "fin",
	[KIND_DATA]	= "data",
};

struct options {
	struct in_addr dst;
	uint16_t dport;
	uint32_t src_base;		/* host order, host bits cleared */
	unsigned int src_plen;
	unsigned long long count;
	enum kind kinds[FLOOD_KINDS_MAX];	/* a kind twice: twice as often */
	unsigned int nkinds;
	bool pick_random;
	const char *interface;
	uint64_t seed;
	unsigned int batch;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: flood --dst ADDR:PORT --src ADDR/PLEN --count N [options]\n"
		"\n"
		"Send N (1-%llu) raw IPv4 TCP packets to ADDR:PORT from random\n"
		"addresses in ADDR/PLEN and random ports; print\n"
		"\"flood: sent N packets in T s (R pps)\".\n"
		"\n"
		"  --dst ADDR:PORT     destination (private or documentation range)\n"
		"  --src ADDR/PLEN     source prefix (private or documentation range)\n"
		"  --count N           packets to send, 1-%llu\n"
		"  --kinds LIST        comma-separated: syn ack rst fin data (default syn)\n"
		"  --pick rr|random    kinds in turn (default) or at random\n"
		"  --interface DEV     send through DEV only (SO_BINDTODEVICE)\n"
		"  --seed N            random generator seed (default 1)\n"
		"  --batch N           packets per sendmmsg(), 1-%d (default %d)\n"
		"  --help              this text\n",
		FLOOD_COUNT_MAX, FLOOD_COUNT_MAX, FLOOD_BATCH_MAX,
		FLOOD_BATCH_DEFAULT);
}

static void __attribute__((noreturn, format(printf, 2, 3)))
die(int status, const char *fmt, ...)
{
	va_list ap;

	fputs("flood: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

/* An unsigned decimal number in MIN..MAX, the whole of TEXT. */
static unsigned long long parse_number(const char *what, const char *text,
				       unsigned long long min,
				       unsigned long long max)
{
	unsigned long long v;
	char *end;

	if (*text < '0' || *text > '9')
		die(2, "%s: '%s' is not a number", what, text);
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || *end)
		die(2, "%s: '%s' is not a number", what, text);
	if (v < min || v > max)
		die(2, "%s: %llu is out of range (%llu-%llu)", what, v, min,
		    max);
	return v;
}

/* Private (RFC 1918), benchmarking (RFC 2544) or documentation (RFC 5737). */
static bool test_range(uint32_t a)
{
	static const struct {
		uint32_t net;
		unsigned int plen;
	} ranges[] = {
		{ 0x0a000000, 8 },	/* 10.0.0.0/8 */
		{ 0xac100000, 12 },	/* 172.16.0.0/12 */
		{ 0xc0a80000, 16 },	/* 192.168.0.0/16 */
		{ 0xc6120000, 15 },	/* 198.18.0.0/15 */
		{ 0xc0000200, 24 },	/* 192.0.2.0/24 */
		{ 0xc6336400, 24 },	/* 198.51.100.0/24 */
		{ 0xcb007100, 24 },	/* 203.0.113.0/24 */
	};
	unsigned int i;

	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		if ((a ^ ranges[i].net) >> (32 - ranges[i].plen) == 0)
			return true;
	return false;
}

static uint32_t prefix_mask(unsigned int plen)
{
	return plen ? ~0U << (32 - plen) : 0;
}

static void parse_dst(struct options *o, const char *text)
{
	char buf[INET_ADDRSTRLEN + 8];
	char *colon;

	if (strlen(text) >= sizeof(buf))
		die(2, "--dst: '%s' is not ADDR:PORT", text);
	strcpy(buf, text);
	colon = strrchr(buf, ':');
	if (!colon)
		die(2, "--dst: '%s' is not ADDR:PORT", text);
	*colon = '\0';
	if (inet_pton(AF_INET, buf, &o->dst) != 1)
		die(2, "--dst: '%s' is not an IPv4 address", buf);
	o->dport = parse_number("--dst port", colon + 1, 1, 65535);
	if (!test_range(ntohl(o->dst.s_addr)))
		die(2, "--dst: %s is outside the private and documentation ranges",
		    buf);
}

static void parse_src(struct options *o, const char *text)
{
	char buf[INET_ADDRSTRLEN + 8];
	struct in_addr a;
	uint32_t base, last;
	char *slash;

	if (strlen(text) >= sizeof(buf))
		die(2, "--src: '%s' is not ADDR/PLEN", text);
	strcpy(buf, text);
	slash = strchr(buf, '/');
	if (!slash)
		die(2, "--src: '%s' is not ADDR/PLEN", text);
	*slash = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1)
		die(2, "--src: '%s' is not an IPv4 address", buf);
	o->src_plen = parse_number("--src prefix length", slash + 1, 1, 32);
	base = ntohl(a.s_addr) & prefix_mask(o->src_plen);
	last = base | ~prefix_mask(o->src_plen);
	if (!test_range(base) || !test_range(last))
		die(2, "--src: %s is not inside the private and documentation ranges",
		    text);
	o->src_base = base;
}

static void parse_kinds(struct options *o, const char *text)
{
	char *list, *tok, *save = NULL;
	unsigned int k;

	list = strdup(text);
	if (!list)
		die(1, "out of memory");
	o->nkinds = 0;
	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (k = 0; k < KIND_MAX; k++)
			if (!strcmp(tok, kind_names[k]))
				break;
		if (k == KIND_MAX)
			die(2, "--kinds: unknown kind '%s' (syn ack rst fin data)",
			    tok);
		if (o->nkinds == FLOOD_KINDS_MAX)
			die(2, "--kinds: at most %d entries", FLOOD_KINDS_MAX);
		o->kinds[o->nkinds++] = k;
	}
	free(list);
	if (!o->nkinds)
		die(2, "--kinds: no kind given");
}

static void parse_options(struct options *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dst",	required_argument, NULL, 'd' },
		{ "src",	required_argument, NULL, 's' },
		{ "count",	required_argument, NULL, 'c' },
		{ "kinds",	required_argument, NULL, 'k' },
		{ "pick",	required_argument, NULL, 'p' },
		{ "interface",	required_argument, NULL, 'i' },
		{ "seed",	required_argument, NULL, 'S' },
		{ "batch",	required_argument, NULL, 'b' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ NULL,		0,		   NULL, 0 },
	};
	bool have_dst = false, have_src = false;
	int c;

	memset(o, 0, sizeof(*o));
	o->kinds[0] = KIND_SYN;
	o->nkinds = 1;
	o->seed = 1;
	o->batch = FLOOD_BATCH_DEFAULT;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			parse_dst(o, optarg);
			have_dst = true;
			break;
		case 's':
			parse_src(o, optarg);
			have_src = true;
			break;
		case 'c':
			o->count = parse_number("--count", optarg, 1,
						FLOOD_COUNT_MAX);
			break;
		case 'k':
			parse_kinds(o, optarg);
			break;
		case 'p':
			if (!strcmp(optarg, "rr"))
				o->pick_random = false;
			else if (!strcmp(optarg, "random"))
				o->pick_random = true;
			else
				die(2, "--pick: '%s' is neither rr nor random",
				    optarg);
			break;
		case 'i':
			if (!*optarg || strlen(optarg) >= 16)
				die(2, "--interface: '%s' is not an interface name",
				    optarg);
			o->interface = optarg;
			break;
		case 'S':
			o->seed = parse_number("--seed", optarg, 0, UINT64_MAX);
			break;
		case 'b':
			o->batch = parse_number("--batch", optarg, 1,
						FLOOD_BATCH_MAX);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			/* getopt has said what is wrong */
			die(2, "bad arguments (see --help)");
		}
	}
	if (optind < argc)
		die(2, "unexpected argument '%s' (see --help)", argv[optind]);
	if (!have_dst)
		die(2, "--dst ADDR:PORT is required (see --help)");
	if (!have_src)
		die(2, "--src ADDR/PLEN is required (see --help)");
	if (!o->count)
		die(2, "--count N is required (see --help)");
}

/* xorshift64*: small, fast and good enough for addresses and ports. */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static void rng_seed(uint64_t seed)
{
	/* splitmix64 of the seed, so that 0 and small seeds work too */
	uint64_t z = seed + 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	rng_state = (z ^ (z >> 31)) | 1;
}

static uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len > 1) {
		sum += (uint32_t)p[0] << 8 | p[1];
		p += 2;
		len -= 2;
	}
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

static uint32_t random_source(const struct options *o)
{
	uint32_t host_mask = ~prefix_mask(o->src_plen);
	uint32_t host;

	if (o->src_plen >= 31)
		return o->src_base | ((uint32_t)rng_next() & host_mask);
	/* neither the prefix's first (network) nor its last address */
	do
		host = (uint32_t)(rng_next() >> 32) & host_mask;
	while (host == 0 || host == host_mask);
	return o->src_base | host;
}

/* Build packet number I into BUF; its length. */
static size_t build_packet(const struct options *o, unsigned long long i,
			   uint8_t *buf)
{
	struct iphdr *ip = (struct iphdr *)buf;
	struct tcphdr *th = (struct tcphdr *)(buf + sizeof(*ip));
	uint8_t *opt = (uint8_t *)(th + 1);
	size_t thlen = sizeof(*th), payload = 0;
	uint32_t sum;
	enum kind k;

	k = o->pick_random ? o->kinds[rng_next() % o->nkinds] :
			     o->kinds[i % o->nkinds];
	memset(buf, 0, FLOOD_PKT_MAX);

	th->source = htons(1024 + rng_next() % (65536 - 1024));
	th->dest = htons(o->dport);
	th->seq = htonl((uint32_t)rng_next());
	th->window = htons(64240);
	switch (k) {
	case KIND_SYN:
		th->syn = 1;
		opt[0] = TCPOPT_MAXSEG;
		opt[1] = TCPOLEN_MAXSEG;
		opt[2] = 1460 >> 8;
		opt[3] = 1460 & 0xff;
		thlen += TCPOLEN_MAXSEG;
		break;
	case KIND_ACK:
		th->ack = 1;
		break;
	case KIND_RST:
		th->rst = 1;
		th->window = 0;
		break;
	case KIND_FIN:
		th->fin = 1;
		th->ack = 1;
		break;
	case KIND_DATA:
		th->psh = 1;
		th->ack = 1;
		payload = FLOOD_DATA_LEN;
		memset((uint8_t *)th + thlen, 'x', payload);
		break;
	case KIND_MAX:
		break;
	}
	if (th->ack)
		th->ack_seq = htonl((uint32_t)rng_next());
	th->doff = thlen / 4;

	ip->version = 4;
	ip->ihl = sizeof(*ip) / 4;
	ip->tot_len = htons(sizeof(*ip) + thlen + payload);
	ip->id = htons((uint16_t)rng_next());
	ip->frag_off = htons(IP_DF);
	ip->ttl = 64;
	ip->protocol = IPPROTO_TCP;
	ip->saddr = htonl(random_source(o));
	ip->daddr = o->dst.s_addr;
	ip->check = csum_fold(csum_add(0, ip, sizeof(*ip)));

	/* pseudo header: addresses, protocol, TCP length */
	sum = csum_add(0, &ip->saddr, 8);
	sum += IPPROTO_TCP + thlen + payload;
	sum = csum_add(sum, th, thlen + payload);
	th->check = csum_fold(sum);
	return sizeof(*ip) + thlen + payload;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static uint8_t pkts[FLOOD_BATCH_MAX][FLOOD_PKT_MAX];
	static struct mmsghdr msgs[FLOOD_BATCH_MAX];
	static struct iovec iovs[FLOOD_BATCH_MAX];
	unsigned long long sent = 0;
	struct sockaddr_in dst;
	struct options o;
	double start, secs;
	unsigned int n, j;
	int fd, r;

	parse_options(&o, argc, argv);
	rng_seed(o.seed);

	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0)
		die(1, "raw socket: %s (needs CAP_NET_RAW)", strerror(errno));
	if (o.interface &&
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, o.interface,
		       strlen(o.interface)) < 0)
		die(1, "--interface %s: %s", o.interface, strerror(errno));

	memset(&dst, 0, sizeof(dst));
	dst.sin_family = AF_INET;
	dst.sin_addr = o.dst;
	for (j = 0; j < o.batch; j++) {
		iovs[j].iov_base = pkts[j];
		msgs[j].msg_hdr.msg_name = &dst;
		msgs[j].msg_hdr.msg_namelen = sizeof(dst);
		msgs[j].msg_hdr.msg_iov = &iovs[j];
		msgs[j].msg_hdr.msg_iovlen = 1;
	}

	start = now();
	while (sent < o.count) {
		n = o.count - sent < o.batch ? o.count - sent : o.batch;
		for (j = 0; j < n; j++)
			iovs[j].iov_len = build_packet(&o, sent + j, pkts[j]);
		j = 0;
		while (j < n) {
			r = sendmmsg(fd, msgs + j, n - j, 0);
			if (r < 0) {
				/* a full queue: let it drain, then go on */
				if (errno == EINTR || errno == ENOBUFS ||
				    errno == EAGAIN) {
					usleep(100);
					continue;
				}
				die(1, "sendmmsg after %llu packets: %s",
				    sent + j, strerror(errno));
			}
			j += r;
		}
		sent += n;
	}
	secs = now() - start;
	close(fd);

	printf("flood: sent %llu packets in %.3f s (%.0f pps)\n", sent, secs,
	       secs > 0 ? sent / secs : 0.0);
	return 0;
}
