// SPDX-License-Identifier: GPL-2.0
/*
 * dsr - per-network-namespace state. Every namespace has its own services,
 * flows, counters and tunables; a namespace without services has no hooks
 * and no flow table, so it pays nothing.
 */
#include <linux/module.h>
#include <net/netns/generic.h>
#include "dsr.h"

unsigned int dsr_net_id __read_mostly;

static unsigned int flow_max = 1U << 20;
module_param(flow_max, uint, 0444);
MODULE_PARM_DESC(flow_max, "Default flow table limit per namespace (default: 1048576)");

/*
 * The host administrator's cap on every namespace's flow limit: a user
 * with CAP_NET_ADMIN only in its own user namespace cannot raise its limit
 * beyond it. Lowering it takes effect at once for new flows.
 */
unsigned int dsr_flow_max_host __read_mostly = 1U << 20;
module_param_named(flow_max_host, dsr_flow_max_host, uint, 0644);
MODULE_PARM_DESC(flow_max_host, "Host-wide cap on the flow table limit of every namespace (default: 1048576)");

static int __net_init dsr_net_init(struct net *net)
{
	struct dsr_net *dn = dsr_pernet(net);
	int cpu;

	dn->net = net;
	mutex_init(&dn->lock);
	hash_init(dn->services);
	hash_init(dn->dests_by_addr);
	/* Dumps treat 0 as "no generation seen yet". */
	dn->generation = 1;
	dn->drops = alloc_percpu_gfp(struct dsr_drop_pcpu, GFP_KERNEL_ACCOUNT);
	if (!dn->drops)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(dn->drops, cpu)->syncp);
	dn->flow_max = min(flow_max, READ_ONCE(dsr_flow_max_host));
	dn->timeout_tcp = 900;
	dn->timeout_tcp_fin = 120;
	dn->timeout_udp = 300;
	dn->timeout_tcp_syn = 60;
	dn->timeout_tcp_close = 10;
	dn->hook = dsr_hook_default();
	dn->service_max = DSR_SERVICES_MAX;
	dn->dest_max = DSR_DESTS_MAX;
	return 0;
}

static void __net_exit dsr_net_exit(struct net *net)
{
	struct dsr_net *dn = dsr_pernet(net);

	mutex_lock(&dn->lock);
	dsr_service_flush(dn);
	mutex_unlock(&dn->lock);
	free_percpu(dn->drops);
}

static struct pernet_operations dsr_net_ops = {
	.init	= dsr_net_init,
	.exit	= dsr_net_exit,
	.id	= &dsr_net_id,
	.size	= sizeof(struct dsr_net),
};

int dsr_pernet_init(void)
{
	return register_pernet_subsys(&dsr_net_ops);
}

void dsr_pernet_exit(void)
{
	unregister_pernet_subsys(&dsr_net_ops);
}
