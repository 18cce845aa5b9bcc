// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: arbitrary bytes as the kernel's answers to a listing
 * (INFO_GET, SERVICE_GET dump, DEST_GET dumps), through nl.c and list.c.
 * The family is resolved normally; after that each datagram comes from the
 * input: a 2-byte length then the bytes, with sequence numbers and port id
 * patched so that the messages get past the "is it ours" check.
 *
 *   make -C tools/dsradm fuzz
 *   tools/dsradm/tests/fuzz_seed.py corpus
 *   tools/dsradm/tests/fuzz_listing -max_len=8192 -max_total_time=300 corpus
 */
#include <errno.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "dsradm.h"
#include "nl.h"
#include "print.h"

#define PORTID	77

static const uint8_t *in;
static size_t in_len;
static uint32_t seq;
static bool resolving;

static int f_send(void *priv, const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;

	(void)priv;
	(void)len;
	seq = nlh->nlmsg_seq;
	resolving = nlh->nlmsg_type == GENL_ID_CTRL;
	return 0;
}

static ssize_t family_reply(void *buf)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;
	struct nlmsgerr *e;
	size_t len;

	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_NEWFAMILY;
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, 0x20);
	len = nlh->nlmsg_len;
	nlh = mnl_nlmsg_put_header((char *)buf + len);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_flags = NLM_F_CAPPED;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = 0;
	resolving = false;
	return (ssize_t)(len + nlh->nlmsg_len);
}

static ssize_t f_recv(void *priv, void *buf, size_t len)
{
	struct nlmsghdr *nlh;
	size_t n, rest, step;

	(void)priv;
	if (resolving)
		return family_reply(buf);
	if (in_len < 2)
		return -EAGAIN;
	n = (size_t)in[0] | (size_t)in[1] << 8;
	in += 2;
	in_len -= 2;
	if (n > in_len)
		n = in_len;
	if (n > len)
		n = len;
	memcpy(buf, in, n);
	in += n;
	in_len -= n;

	/* Not mnl_nlmsg_ok(): it trusts (int)nlmsg_len; see nl.c. */
	for (rest = n, nlh = buf; rest >= sizeof(*nlh) &&
	     nlh->nlmsg_len >= sizeof(*nlh) && nlh->nlmsg_len <= rest;
	     rest -= step, nlh = (void *)((char *)nlh + step)) {
		step = NLMSG_ALIGN(nlh->nlmsg_len);
		if (step > rest)
			step = rest;
		nlh->nlmsg_seq = seq;
		nlh->nlmsg_pid = PORTID;
		if (nlh->nlmsg_type >= NLMSG_MIN_TYPE)
			nlh->nlmsg_type = 0x20;
	}
	return (ssize_t)n;
}

static const struct nl_transport fuzz_transport = {
	.send = f_send,
	.recv = f_recv,
	.portid = PORTID,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	struct listing l;
	struct nl *nl;
	int dummy;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	dsradm_err = devnull;
	in = data;
	in_len = size;
	if (nl_open_transport(&nl, DSR_GENL_NAME, DSR_GENL_VERSION,
			      &fuzz_transport, &dummy))
		return 0;
	if (fetch_listing(nl, NULL, &l) == EXIT_OK) {
		print_listing(devnull, &l, FMT_JSON);
		print_listing(devnull, &l, FMT_STATS);
		listing_free(&l);
	}
	nl_close(nl);
	return 0;
}
