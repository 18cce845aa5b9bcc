// SPDX-License-Identifier: GPL-2.0
/*
 * dsr - the netfilter hook and the per-packet entry point:
 * classify -> look up the service -> find or schedule the flow -> transmit.
 *
 * By default dsr sits in PRE_ROUTING right after defragmentation and before
 * conntrack and raw, so VIP traffic pays neither conntrack nor the routing
 * input path. In LOCAL_IN it sits where IPVS does, for hosts whose INPUT
 * firewall must see VIP traffic first. Each namespace chooses (netlink
 * CONFIG_SET, dsradm --hook); the module parameter local_in gives the
 * choice of namespaces that make none. Hooks exist in a namespace only
 * while it has services.
 */
#include <linux/icmp.h>
#include <linux/ip.h>
#include <linux/module.h>
#include <linux/netfilter_bridge.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/tcp.h>
#include <net/netfilter/ipv4/nf_defrag_ipv4.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>
#include "dsr.h"

static bool local_in;
module_param(local_in, bool, 0444);
MODULE_PARM_DESC(local_in,
		 "Hook LOCAL_IN (after the INPUT firewall, like IPVS) instead of PRE_ROUTING before conntrack in namespaces that choose neither (default: 0)");

/*
 * The defragmentation modules are taken by symbol when dsr loads instead of
 * being linked against: insmod resolves no dependencies, and dsr.ko must
 * load on its own on a host where nothing has loaded them yet.
 */
static int (*dsr_defrag4_enable)(struct net *net);
static void (*dsr_defrag4_disable)(struct net *net);
static int (*dsr_defrag6_enable)(struct net *net);
static void (*dsr_defrag6_disable)(struct net *net);

int dsr_defrag_init(void)
{
	dsr_defrag4_enable = symbol_request(nf_defrag_ipv4_enable);
	dsr_defrag4_disable = symbol_request(nf_defrag_ipv4_disable);
	if (!dsr_defrag4_enable || !dsr_defrag4_disable) {
		pr_err("dsr: IPv4 defragmentation (nf_defrag_ipv4) is not available\n");
		goto err;
	}
	dsr_defrag6_enable = symbol_request(nf_defrag_ipv6_enable);
	dsr_defrag6_disable = symbol_request(nf_defrag_ipv6_disable);
	if (!dsr_defrag6_enable || !dsr_defrag6_disable) {
		pr_err("dsr: IPv6 defragmentation (nf_defrag_ipv6) is not available\n");
		goto err;
	}
	return 0;
err:
	dsr_defrag_exit();
	return -ENOENT;
}

void dsr_defrag_exit(void)
{
	if (dsr_defrag6_disable)
		symbol_put(nf_defrag_ipv6_disable);
	if (dsr_defrag6_enable)
		symbol_put(nf_defrag_ipv6_enable);
	if (dsr_defrag4_disable)
		symbol_put(nf_defrag_ipv4_disable);
	if (dsr_defrag4_enable)
		symbol_put(nf_defrag_ipv4_enable);
	dsr_defrag6_disable = NULL;
	dsr_defrag6_enable = NULL;
	dsr_defrag4_disable = NULL;
	dsr_defrag4_enable = NULL;
}

static unsigned int dsr_hook_ipv4(void *priv, struct sk_buff *skb,
				  const struct nf_hook_state *state);
static unsigned int dsr_hook_fwmark4(void *priv, struct sk_buff *skb,
				     const struct nf_hook_state *state);
static unsigned int dsr_hook_ipv6(void *priv, struct sk_buff *skb,
				  const struct nf_hook_state *state);
static unsigned int dsr_hook_fwmark6(void *priv, struct sk_buff *skb,
				     const struct nf_hook_state *state);

/*
 * Each placement has, per family, two hooks: services by address and
 * port, then services by firewall mark. Marks are set in the mangle table,
 * so in PRE_ROUTING the mark hook runs right after mangle (and so after
 * conntrack, which fwmark services pay for); in LOCAL_IN mangle has run
 * already. An address service thus wins over a fwmark service that the
 * same packet's mark names. A hook is registered only while the namespace
 * has services that need it, so that other traffic does not pay for it.
 * IPv4 and IPv6 use the same priorities.
 */
static const struct nf_hook_ops dsr_ops[__DSR_HOOKS_MAX][DSR_HOOK_LOCAL_IN + 1] = {
	[DSR_HOOKS_ADDR4] = {
		[DSR_HOOK_PRE_ROUTING] = {
			.hook		= dsr_hook_ipv4,
			.pf		= NFPROTO_IPV4,
			.hooknum	= NF_INET_PRE_ROUTING,
			/* After defrag (-400), before conntrack (-200), raw. */
			.priority	= NF_IP_PRI_CONNTRACK_DEFRAG + 1,
		},
		[DSR_HOOK_LOCAL_IN] = {
			.hook		= dsr_hook_ipv4,
			.pf		= NFPROTO_IPV4,
			.hooknum	= NF_INET_LOCAL_IN,
			.priority	= NF_IP_PRI_NAT_SRC - 2,
		},
	},
	[DSR_HOOKS_MARK4] = {
		[DSR_HOOK_PRE_ROUTING] = {
			.hook		= dsr_hook_fwmark4,
			.pf		= NFPROTO_IPV4,
			.hooknum	= NF_INET_PRE_ROUTING,
			/* After mangle (-150), before DNAT (-100). */
			.priority	= NF_IP_PRI_MANGLE + 1,
		},
		[DSR_HOOK_LOCAL_IN] = {
			.hook		= dsr_hook_fwmark4,
			.pf		= NFPROTO_IPV4,
			.hooknum	= NF_INET_LOCAL_IN,
			.priority	= NF_IP_PRI_NAT_SRC - 1,
		},
	},
	[DSR_HOOKS_ADDR6] = {
		[DSR_HOOK_PRE_ROUTING] = {
			.hook		= dsr_hook_ipv6,
			.pf		= NFPROTO_IPV6,
			.hooknum	= NF_INET_PRE_ROUTING,
			.priority	= NF_IP6_PRI_CONNTRACK_DEFRAG + 1,
		},
		[DSR_HOOK_LOCAL_IN] = {
			.hook		= dsr_hook_ipv6,
			.pf		= NFPROTO_IPV6,
			.hooknum	= NF_INET_LOCAL_IN,
			.priority	= NF_IP6_PRI_NAT_SRC - 2,
		},
	},
	[DSR_HOOKS_MARK6] = {
		[DSR_HOOK_PRE_ROUTING] = {
			.hook		= dsr_hook_fwmark6,
			.pf		= NFPROTO_IPV6,
			.hooknum	= NF_INET_PRE_ROUTING,
			.priority	= NF_IP6_PRI_MANGLE + 1,
		},
		[DSR_HOOK_LOCAL_IN] = {
			.hook		= dsr_hook_fwmark6,
			.pf		= NFPROTO_IPV6,
			.hooknum	= NF_INET_LOCAL_IN,
			.priority	= NF_IP6_PRI_NAT_SRC - 1,
		},
	},
};

/* The namespace's hook point until it chooses one: the module parameter. */
u8 dsr_hook_default(void)
{
	return local_in ? DSR_HOOK_LOCAL_IN : DSR_HOOK_PRE_ROUTING;
}

static void dsr_hooks_unregister(struct dsr_net *dn, u8 hook,
				 unsigned long hooks)
{
	unsigned int i;

	for (i = 0; i < __DSR_HOOKS_MAX; i++)
		if (hooks & BIT(i))
			nf_unregister_net_hook(dn->net, &dsr_ops[i][hook]);
}

/* Register the hooks in the bit set @hooks at @hook; all or nothing. */
static int dsr_hooks_register(struct dsr_net *dn, u8 hook,
			      unsigned long hooks)
{
	unsigned int i;
	int err;

	for (i = 0; i < __DSR_HOOKS_MAX; i++) {
		if (!(hooks & BIT(i)))
			continue;
		err = nf_register_net_hook(dn->net, &dsr_ops[i][hook]);
		if (err) {
			dsr_hooks_unregister(dn, hook, hooks & (BIT(i) - 1));
			return err;
		}
	}
	return 0;
}

/* The hooks the namespace's services hold now. */
static unsigned long dsr_hooks_in_use(const struct dsr_net *dn)
{
	unsigned long hooks = 0;
	unsigned int i;

	for (i = 0; i < __DSR_HOOKS_MAX; i++)
		if (dn->hook_users[i])
			hooks |= BIT(i);
	return hooks;
}

/* The hooks a service with @key needs. */
static unsigned long dsr_hooks_of(const struct dsr_service_key *key)
{
	bool v6 = key->af == AF_INET6;
	unsigned long hooks;

	hooks = BIT(v6 ? DSR_HOOKS_ADDR6 : DSR_HOOKS_ADDR4);
	if (key->fwmark)
		hooks |= BIT(v6 ? DSR_HOOKS_MARK6 : DSR_HOOKS_MARK4);
	return hooks;
}

/*
 * Move the namespace's hooks to @hook (DSR_HOOK_*), under dsr_net.lock.
 * With services, the new hooks are registered before the old ones go, so
 * that no packet for a VIP slips past dsr in between; a packet that meets
 * both is forwarded by the first and never reaches the second. On failure
 * nothing changes.
 */
int dsr_hooks_move(struct dsr_net *dn, u8 hook)
{
	unsigned long hooks = dsr_hooks_in_use(dn);
	u8 old = dn->hook;
	int err;

	lockdep_assert_held(&dn->lock);
	if (hook == old)
		return 0;
	err = dsr_hooks_register(dn, hook, hooks);
	if (err)
		return err;
	dsr_hooks_unregister(dn, old, hooks);
	WRITE_ONCE(dn->hook, hook);
	return 0;
}

/* Count the users of @hooks up (@delta 1) or down (-1). */
static void dsr_hooks_count(struct dsr_net *dn, unsigned long hooks, int delta)
{
	unsigned int i;

	for (i = 0; i < __DSR_HOOKS_MAX; i++)
		if (hooks & BIT(i))
			dn->hook_users[i] += delta;
}

/*
 * Called under dsr_net.lock before the service @key is added: the flow
 * table with the namespace's first service, defragmentation of the
 * service's family, and the hooks it needs that no other service holds.
 */
int dsr_hooks_get(struct dsr_net *dn, const struct dsr_service_key *key)
{
	unsigned long need = dsr_hooks_of(key);
	unsigned long fresh = need & ~dsr_hooks_in_use(dn);
	bool v6 = key->af == AF_INET6;
	bool defrag = fresh & BIT(v6 ? DSR_HOOKS_ADDR6 : DSR_HOOKS_ADDR4);
	int err;

	lockdep_assert_held(&dn->lock);
	if (!dn->service_count) {
		err = dsr_flow_table_init(dn);
		if (err)
			return err;
	}
	/* Packets must reach us whole: ports live in the first fragment. */
	if (defrag) {
		err = v6 ? dsr_defrag6_enable(dn->net) :
			   dsr_defrag4_enable(dn->net);
		if (err)
			goto err_flow_table;
	}
	err = dsr_hooks_register(dn, dn->hook, fresh);
	if (err)
		goto err_defrag;
	dsr_hooks_count(dn, need, 1);
	return 0;

err_defrag:
	if (defrag && v6)
		dsr_defrag6_disable(dn->net);
	else if (defrag)
		dsr_defrag4_disable(dn->net);
err_flow_table:
	if (!dn->service_count)
		dsr_flow_table_exit(dn);
	return err;
}

/*
 * Called under dsr_net.lock after the service @key went and the service
 * count shrank: the hooks no service needs any more, and the flow table
 * with the last service.
 */
void dsr_hooks_put(struct dsr_net *dn, const struct dsr_service_key *key)
{
	unsigned long need = dsr_hooks_of(key), unused;
	bool v6 = key->af == AF_INET6;

	lockdep_assert_held(&dn->lock);
	dsr_hooks_count(dn, need, -1);
	unused = need & ~dsr_hooks_in_use(dn);
	/*
	 * A packet still inside a hook finds no service, or one that RCU
	 * keeps until it is done.
	 */
	dsr_hooks_unregister(dn, dn->hook, unused);
	if (unused & BIT(v6 ? DSR_HOOKS_ADDR6 : DSR_HOOKS_ADDR4)) {
		if (v6)
			dsr_defrag6_disable(dn->net);
		else
			dsr_defrag4_disable(dn->net);
	}
	if (dn->service_count)
		return;
	/*
	 * Unregistering does not wait for packets already inside the hook;
	 * they may still use the flow table (and, on netns exit, dsr_net).
	 */
	synchronize_net();
	dsr_flow_table_exit(dn);
}

static unsigned int dsr_drop(struct dsr_net *dn, enum dsr_drop_reason reason)
{
	dsr_count_drop(dn, reason);
	return NF_DROP;
}

/* A frame br_netfilter passes up although it was addressed to another host. */
static bool dsr_bridged_otherhost(const struct sk_buff *skb)
{
#if IS_ENABLED(CONFIG_BRIDGE_NETFILTER)
	const struct nf_bridge_info *nf_bridge = nf_bridge_info_get(skb);

	return nf_bridge && nf_bridge->pkt_otherhost;
#else
	return false;
#endif
}

/* Send a packet of @svc to @dest by the destination's method. */
unsigned int dsr_xmit4(struct dsr_net *dn, struct dsr_service *svc,
		       struct dsr_dest *dest, struct sk_buff *skb)
{
	union dsr_fwd fwd = { .word = READ_ONCE(dest->fwd.word) };

	if (fwd.method == DSR_FWD_TUN)
		return dsr_xmit_tun4(dn, svc, dest, fwd, skb);
	return dsr_xmit_dr4(dn, dest, skb);
}

unsigned int dsr_xmit6(struct dsr_net *dn, struct dsr_service *svc,
		       struct dsr_dest *dest, struct sk_buff *skb)
{
	union dsr_fwd fwd = { .word = READ_ONCE(dest->fwd.word) };

	if (fwd.method == DSR_FWD_TUN)
		return dsr_xmit_tun6(dn, dest, skb);
	return dsr_xmit_dr6(dn, dest, skb);
}

/* Schedule and send a packet of service @svc; BH is disabled. */
static unsigned int dsr_forward(struct dsr_net *dn, struct dsr_service *svc,
				const struct dsr_flow_key *fkey,
				struct sk_buff *skb, u8 tcp_flags)
{
	unsigned int len, verdict;
	struct dsr_dest *dest;
	bool new_flow;
	int err;

	err = dsr_flow_get_dest(dn, svc, fkey, skb, tcp_flags, &dest,
				&new_flow);
	if (err)
		return dsr_drop(dn, DSR_DROP_NO_DEST);

	len = skb->len;
	if (fkey->af == AF_INET6)
		verdict = dsr_xmit6(dn, svc, dest, skb);
	else
		verdict = dsr_xmit4(dn, svc, dest, skb);
	if (verdict == NF_STOLEN) {
		dsr_count_packet(&svc->stats, len, new_flow);
		dsr_count_packet(&dest->stats, len, new_flow);
	}
	return verdict;
}

/*
 * A packet for a service that carries IP options: check them as the
 * forwarding path would, since ip_rcv_options() only runs after
 * PRE_ROUTING. Malformed options draw "parameter problem"; source routes
 * are refused, as Linux refuses them by default (accept_source_route=0).
 * The compiled options also let fragmentation copy only the options that
 * belong in every fragment. Returns false, the drop counted, when the
 * packet must be dropped.
 */
bool dsr_ip_options_ok(struct dsr_net *dn, struct sk_buff *skb)
{
	struct ip_options *opt = &IPCB(skb)->opt;
	__be32 info;

	/* The compiler may record a timestamp in the header: make it ours. */
	if (skb_cow(skb, skb_headroom(skb))) {
		dsr_count_drop(dn, DSR_DROP_NO_MEM);
		return false;
	}
	memset(opt, 0, sizeof(*opt));
	opt->optlen = ip_hdrlen(skb) - sizeof(struct iphdr);
	if (__ip_options_compile(dn->net, opt, skb, &info)) {
		dsr_icmp_send4(skb, ICMP_PARAMETERPROB, 0, ntohl(info));
		dsr_count_drop(dn, DSR_DROP_BAD_HEADER);
		return false;
	}
	if (opt->srr) {
		dsr_count_drop(dn, DSR_DROP_BAD_HEADER);
		return false;
	}
	if (opt->is_changed) {
		opt->is_changed = 0;
		ip_send_check(ip_hdr(skb));
	}
	return true;
}

/*
 * Whether the transport header of a packet for a service is whole and
 * self-consistent. Only packets that matched a service are judged: other
 * traffic passes untouched, as it would through a router.
 */
static bool dsr_l4_header_ok(const struct sk_buff *skb, unsigned int thoff,
			     u8 protocol, u8 *tcp_flags)
{
	if (protocol == IPPROTO_TCP) {
		const struct tcphdr *th;
		struct tcphdr _th;

		th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
		if (!th || th->doff < sizeof(_th) / 4 ||
		    thoff + th->doff * 4 > skb->len)
			return false;
		*tcp_flags = tcp_flag_byte(th);
	} else {
		const struct udphdr *uh;
		struct udphdr _uh;

		uh = skb_header_pointer(skb, thoff, sizeof(_uh), &_uh);
		if (!uh || ntohs(uh->len) < sizeof(_uh) ||
		    ntohs(uh->len) > skb->len - thoff)
			return false;
	}
	return true;
}

/*
 * The packet path of both hooks. @by_mark: look the service up by the
 * packet's firewall mark instead of its destination address and port.
 */
static unsigned int dsr_hook_packet4(struct dsr_net *dn, struct sk_buff *skb,
				     const struct nf_hook_state *state,
				     bool by_mark)
{
	struct dsr_service_key skey = {};
	struct dsr_flow_key fkey = {};
	unsigned int thoff, verdict;
	const struct iphdr *iph;
	struct dsr_service *svc;
	const __be16 *ports;
	__be16 _ports[2];
	u8 tcp_flags = 0;

	/* Only unicast for us; traffic the host sends itself is not ours. */
	if (skb->pkt_type != PACKET_HOST || dsr_bridged_otherhost(skb) ||
	    (state->in && (state->in->flags & IFF_LOOPBACK)))
		return NF_ACCEPT;

	iph = ip_hdr(skb);	/* ip_rcv() validated the header */
	/* Defrag runs first; a fragment here failed reassembly. */
	if (ip_is_fragment(iph))
		return NF_ACCEPT;
	if (iph->protocol == IPPROTO_ICMP && !by_mark) {
		local_bh_disable();
		verdict = dsr_icmp_in4(dn, skb);
		local_bh_enable();
		return verdict;
	}
	if (iph->protocol != IPPROTO_TCP && iph->protocol != IPPROTO_UDP)
		return NF_ACCEPT;

	/* TCP and UDP both start with the ports; without them, no service. */
	thoff = ip_hdrlen(skb);
	ports = skb_header_pointer(skb, thoff, sizeof(_ports), &_ports);
	if (!ports)
		return NF_ACCEPT;

	skey.af = AF_INET;
	if (by_mark) {
		skey.fwmark = skb->mark;
	} else {
		skey.protocol = iph->protocol;
		skey.addr.ip = iph->daddr;
		skey.port = ports[1];
	}
	svc = dsr_service_lookup(dn, &skey);	/* nf_hook_slow holds RCU */
	if (!svc)
		return NF_ACCEPT;

	fkey.af = AF_INET;
	fkey.protocol = iph->protocol;
	fkey.saddr = iph->saddr;
	fkey.daddr = iph->daddr;
	fkey.sport = ports[0];
	fkey.dport = ports[1];

	/*
	 * Usually softirq already; but a packet re-injected after NFQUEUE
	 * runs the remaining hooks in process context with BH enabled, and
	 * the flow table's locks and the per-CPU counters assume BH is
	 * off.
	 */
	local_bh_disable();
	if (!dsr_l4_header_ok(skb, thoff, fkey.protocol, &tcp_flags))
		verdict = dsr_drop(dn, DSR_DROP_BAD_HEADER);
	else if (thoff > sizeof(struct iphdr) && !dsr_ip_options_ok(dn, skb))
		verdict = NF_DROP;
	else
		verdict = dsr_forward(dn, svc, &fkey, skb, tcp_flags);
	local_bh_enable();
	return verdict;
}

/* Services named by address and port, and ICMP errors about their flows. */
static unsigned int dsr_hook_ipv4(void *priv, struct sk_buff *skb,
				  const struct nf_hook_state *state)
{
	return dsr_hook_packet4(dsr_pernet(state->net), skb, state, false);
}

/* Services named by a firewall mark, for what no address service took. */
static unsigned int dsr_hook_fwmark4(void *priv, struct sk_buff *skb,
				     const struct nf_hook_state *state)
{
	struct dsr_net *dn = dsr_pernet(state->net);

	if (!skb->mark || !READ_ONCE(dn->fwmark_services))
		return NF_ACCEPT;
	return dsr_hook_packet4(dn, skb, state, true);
}

/*
 * The IPv6 packet path of both hooks, as dsr_hook_packet4(). Extension
 * headers are skipped to find the transport header; hop-by-hop options
 * were checked by ipv6_rcv() already, and defragmentation ran first.
 */
static unsigned int dsr_hook_packet6(struct dsr_net *dn, struct sk_buff *skb,
				     const struct nf_hook_state *state,
				     bool by_mark)
{
	struct dsr_service_key skey = {};
	struct dsr_flow_key fkey = {};
	const struct ipv6hdr *ip6h;
	struct dsr_service *svc;
	unsigned int verdict;
	const __be16 *ports;
	__be16 _ports[2];
	__be16 frag_off;
	u8 tcp_flags = 0;
	u8 nexthdr;
	int thoff;

	if (skb->pkt_type != PACKET_HOST || dsr_bridged_otherhost(skb) ||
	    (state->in && (state->in->flags & IFF_LOOPBACK)))
		return NF_ACCEPT;

	ip6h = ipv6_hdr(skb);
	nexthdr = ip6h->nexthdr;
	thoff = ipv6_skip_exthdr(skb, sizeof(*ip6h), &nexthdr, &frag_off);
	/* A fragment here failed reassembly (atomic fragments are whole). */
	if (thoff < 0 || frag_off)
		return NF_ACCEPT;
	if (nexthdr == IPPROTO_ICMPV6 && !by_mark) {
		local_bh_disable();
		verdict = dsr_icmp_in6(dn, skb, thoff);
		local_bh_enable();
		return verdict;
	}
	if (nexthdr != IPPROTO_TCP && nexthdr != IPPROTO_UDP)
		return NF_ACCEPT;

	ports = skb_header_pointer(skb, thoff, sizeof(_ports), &_ports);
	if (!ports)
		return NF_ACCEPT;

	skey.af = AF_INET6;
	if (by_mark) {
		skey.fwmark = skb->mark;
	} else {
		skey.protocol = nexthdr;
		skey.addr.in6 = ip6h->daddr;
		skey.port = ports[1];
	}
	svc = dsr_service_lookup(dn, &skey);	/* nf_hook_slow holds RCU */
	if (!svc)
		return NF_ACCEPT;

	fkey.af = AF_INET6;
	fkey.protocol = nexthdr;
	fkey.saddr6 = ip6h->saddr;
	fkey.daddr6 = ip6h->daddr;
	fkey.sport = ports[0];
	fkey.dport = ports[1];

	local_bh_disable();
	if (!dsr_l4_header_ok(skb, thoff, fkey.protocol, &tcp_flags))
		verdict = dsr_drop(dn, DSR_DROP_BAD_HEADER);
	else
		verdict = dsr_forward(dn, svc, &fkey, skb, tcp_flags);
	local_bh_enable();
	return verdict;
}

static unsigned int dsr_hook_ipv6(void *priv, struct sk_buff *skb,
				  const struct nf_hook_state *state)
{
	return dsr_hook_packet6(dsr_pernet(state->net), skb, state, false);
}

static unsigned int dsr_hook_fwmark6(void *priv, struct sk_buff *skb,
				     const struct nf_hook_state *state)
{
	struct dsr_net *dn = dsr_pernet(state->net);

	if (!skb->mark || !READ_ONCE(dn->fwmark_services))
		return NF_ACCEPT;
	return dsr_hook_packet6(dn, skb, state, true);
}
