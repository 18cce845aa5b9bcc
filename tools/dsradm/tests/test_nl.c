// SPDX-License-Identifier: GPL-2.0
/*
 * nl.c against the real host kernel, through the generic netlink
 * controller ("nlctrl" is always there): family resolution, a dump, an
 * error ACK, extended ACK text, joining a multicast group. Skipped when
 * netlink is unavailable.
 */
#include <errno.h>
#include <string.h>
#include <linux/genetlink.h>

#include "nl.h"
#include "tap.h"

struct families {
	unsigned int count;
	bool saw_nlctrl;
};

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct families *f = data;
	const struct nlattr *attr;

	f->count++;
	mnl_attr_for_each(attr, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_NAME &&
		    !mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) &&
		    !strcmp(mnl_attr_get_str(attr), "nlctrl"))
			f->saw_nlctrl = true;
	return MNL_CB_OK;
}

static void reset_cb(void *data)
{
	memset(data, 0, sizeof(struct families));
}

int main(void)
{
	struct families f = { 0 };
	struct nlmsghdr *nlh;
	struct nl *nl;
	int ret;

	ret = nl_open(&nl, "nosuchfam", 1);
	if (ret == -EAFNOSUPPORT || ret == -EPROTONOSUPPORT ||
	    ret == -EACCES || ret == -EPERM) {
		printf("ok 1 # SKIP no generic netlink here (%s)\n",
		       strerror(-ret));
		printf("1..1\n");
		return 0;
	}
	ok(ret == -ENOENT, "resolving an unknown family: ENOENT (%d)", ret);

	ret = nl_open(&nl, "nlctrl", 2);
	ok(ret == 0, "resolving nlctrl");
	if (ret)
		return tap_done();
	ok(nl_family_id(nl) == GENL_ID_CTRL, "nlctrl has GENL_ID_CTRL");

	nlh = nl_request(nl, CTRL_CMD_GETFAMILY, 0);
	ret = nl_dump(nl, nlh, family_cb, &f, reset_cb);
	ok(ret == 0 && f.count > 1 && f.saw_nlctrl,
	   "dumping the families (%u, nlctrl among them)", f.count);

	nlh = nl_request(nl, CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "no-such-family");
	ret = nl_do(nl, nlh, NULL, NULL);
	ok(ret == -ENOENT, "an error ACK: ENOENT");

	/* A name longer than GENL_NAMSIZ: the policy rejects it. */
	nlh = nl_request(nl, CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME,
			  "a-family-name-far-too-long-for-genl");
	ret = nl_do(nl, nlh, NULL, NULL);
	ok(ret == -EINVAL, "a bad attribute: EINVAL (%d)", ret);
	printf("# extack: \"%s\"\n", nl_ext_msg(nl));
	ok(*nl_ext_msg(nl) != '\0', "... with extended ACK text");

	nlh = nl_request(nl, CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "nlctrl");
	ret = nl_do(nl, nlh, NULL, NULL);
	ok(ret == 0 && *nl_ext_msg(nl) == '\0',
	   "the next request starts with a clean extack");

	/* nlctrl announces families on its "notify" group; anyone may join. */
	ret = nl_join(nl, "notify");
	ok(ret == 0, "joining nlctrl's notify group (%d)", ret);
	ret = nl_join(nl, "no-such-group");
	ok(ret == -ENOENT, "joining a group the family lacks: ENOENT (%d)",
	   ret);

	nl_close(nl);
	return tap_done();
}
