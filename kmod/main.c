// SPDX-License-Identifier: GPL-2.0
/*
 * dsr - Direct Server Return layer-4 load balancer.
 *
 * Module init and exit only; see hook.c for the data path and netlink.c for
 * the configuration interface.
 */
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <net/genetlink.h>
#include "dsr.h"

static int __init dsr_init(void)
{
	int err;

	dsr_sip_init();
	err = dsr_defrag_init();
	if (err)
		return err;
	err = dsr_flow_cache_init();
	if (err)
		goto err_defrag;
	err = dsr_pernet_init();
	if (err)
		goto err_flow_cache;
	err = dsr_genl_init();
	if (err)
		goto err_pernet;
#ifdef DSR_TEST_DEFECT
	dsr_test_defect();
#endif
	pr_info("dsr: Direct Server Return load balancer %s loaded\n",
		DSR_VERSION);
	return 0;

err_pernet:
	dsr_pernet_exit();
err_flow_cache:
	rcu_barrier();
	dsr_flow_cache_exit();
err_defrag:
	dsr_defrag_exit();
	return err;
}

static void __exit dsr_exit(void)
{
	dsr_genl_exit();
	dsr_pernet_exit();
	/* Flows, destinations and services are freed from RCU callbacks. */
	rcu_barrier();
	dsr_flow_cache_exit();
	dsr_defrag_exit();
}

module_init(dsr_init);
module_exit(dsr_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("The dsr developers");
MODULE_DESCRIPTION("Direct Server Return layer-4 load balancer");
MODULE_VERSION(DSR_VERSION);
/* dsradm's first request loads the module: no modprobe needed. */
MODULE_ALIAS_GENL_FAMILY(DSR_GENL_NAME);
/* Taken by symbol (hook.c); modprobe loads it first all the same. */
MODULE_SOFTDEP("pre: nf_defrag_ipv4");
