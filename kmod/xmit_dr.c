// SPDX-License-Identifier: GPL-2.0
/*
 * dsr - DR (direct routing) transmit: the packet keeps its IP
 * addresses and goes to the real server's MAC on a directly attached link.
 * The real server has the VIP on lo and answers the client itself.
 *
 * The load balancer acts as one routing hop: TTL is decremented, packets
 * larger than the link MTU are fragmented, or answered with "fragmentation
 * needed" when DF forbids it. Transmission happens below netfilter
 * (neighbour output), so a packet we send is never scheduled again here.
 *
 * With dr_keep_ttl the IP header goes out as it came, the LB a hop below
 * IP like a switch: no TTL decrement, and so no private copy of a packet
 * whose data another reader shares (a capture, a local sender, pktgen).
 * That copy is the largest cost of the hop when packets arrive shared;
 * IPVS DR, which decrements TTL since Linux 5.3, pays it too.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/netdevice.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/neighbour.h>
#include <net/route.h>
#include "dsr.h"

static bool dr_keep_ttl;
module_param(dr_keep_ttl, bool, 0644);
MODULE_PARM_DESC(dr_keep_ttl,
		 "DR leaves the IP header as it came: no TTL decrement, no time exceeded, no copy of shared packets (default: 0)");

/* DR rewrites only the MAC: the real server must be on-link. */
static bool dsr_route_on_link(const struct rtable *rt, __be32 addr)
{
	return rt->rt_type == RTN_UNICAST && !rt->rt_uses_gateway &&
	       rt->rt_gw_family == AF_INET && rt->rt_gw4 == addr;
}

/*
 * The route to the real server, from the destination's cache or a fresh
 * lookup that is then cached. Valid, without a reference, until the hook
 * returns; an ERR_PTR when there is no on-link unicast route (-ENETUNREACH)
 * or no memory to cache one.
 *
 * FLOWI_FLAG_KNOWN_NH makes the route carry the real server as its next
 * hop: the packet's own destination is the VIP, and the neighbour layer
 * (including its resend of packets queued while ARP resolves) must look up
 * the real server's MAC, not the VIP's.
 */
static struct rtable *dsr_dest_route4(struct dsr_net *dn,
				      struct dsr_dest *dest)
{
	const union nf_inet_addr any = {};
	const struct dsr_route *route;
	struct flowi4 fl4 = {};
	struct rtable *rt;

	route = dsr_dest_route_get(dest, DSR_FWD_DR);
	if (route)
		return (struct rtable *)route->dst;

	fl4.daddr = dest->addr.ip;
	fl4.flowi4_flags = FLOWI_FLAG_KNOWN_NH;
	rt = ip_route_output_key(dn->net, &fl4);
	if (IS_ERR(rt))
		return ERR_PTR(-ENETUNREACH);
	if (!dsr_route_on_link(rt, dest->addr.ip)) {
		ip_rt_put(rt);
		return ERR_PTR(-ENETUNREACH);
	}
	route = dsr_dest_route_set(dest, DSR_FWD_DR, &rt->dst, &any);
	return route ? (struct rtable *)route->dst : ERR_PTR(-ENOMEM);
}

/* A packet that found no route to its real server (an ERR_PTR). */
unsigned int dsr_route_drop(struct dsr_net *dn, const void *err)
{
	dsr_count_drop(dn, PTR_ERR(err) == -ENOMEM ? DSR_DROP_NO_MEM :
						    DSR_DROP_NO_ROUTE);
	return NF_DROP;
}

/* Hand the packet to the real server's neighbour entry (its MAC). */
static int dsr_neigh_xmit4(struct net *net, struct sock *sk,
			   struct sk_buff *skb)
{
	struct rtable *rt = skb_rtable(skb);
	struct neighbour *neigh;
	int ret;

	rcu_read_lock_bh();
	neigh = ip_neigh_gw4(rt->dst.dev, rt->rt_gw4);
	if (IS_ERR(neigh)) {
		rcu_read_unlock_bh();
		kfree_skb(skb);
		return PTR_ERR(neigh);
	}
	ret = neigh_output(neigh, skb, false);
	rcu_read_unlock_bh();
	return ret;
}

/*
 * Forget what the receive path attached to a packet we pass on, as the
 * forwarding path does: checksum state, timestamp, conntrack, the bridge's
 * netfilter state, and a socket (at LOCAL_IN, early demux may have
 * attached a local one).
 */
void dsr_skb_scrub(struct sk_buff *skb)
{
	skb_forward_csum(skb);
	skb_clear_tstamp(skb);
	nf_reset_ct(skb);
	skb_orphan(skb);
#if IS_ENABLED(CONFIG_BRIDGE_NETFILTER)
	skb_ext_del(skb, SKB_EXT_BRIDGE_NF);
#endif
}

/* Too big for the link, as the forwarding path judges it. */
bool dsr_exceeds_mtu(const struct sk_buff *skb, unsigned int mtu)
{
	if (skb->len <= mtu)
		return false;
	if (skb_is_gso(skb) && skb_gso_validate_network_len(skb, mtu))
		return false;
	return true;
}

static bool dsr_may_fragment(const struct sk_buff *skb, unsigned int mtu)
{
	if (!(ip_hdr(skb)->frag_off & htons(IP_DF)))
		return true;
	/* Reassembled from fragments that each fit: send them as they came. */
	return IPCB(skb)->frag_max_size && IPCB(skb)->frag_max_size <= mtu;
}

/*
 * Send a packet too big for the link in fragments. A GSO packet (GRO'd on
 * the way in) is cut into its segments first, as the output path does, so
 * that each segment is a proper packet of its own before fragmenting.
 */
static void dsr_fragment4(struct net *net, struct sk_buff *skb,
			  unsigned int mtu)
{
	struct sk_buff *segs, *seg, *next;

	if (!skb_is_gso(skb)) {
		ip_do_fragment(net, NULL, skb, dsr_neigh_xmit4);
		return;
	}

	segs = skb_gso_segment(skb, netif_skb_features(skb) &
				    ~NETIF_F_GSO_MASK);
	if (IS_ERR_OR_NULL(segs)) {
		kfree_skb(skb);
		return;
	}
	consume_skb(skb);
	skb_list_walk_safe(segs, seg, next) {
		skb_mark_not_on_list(seg);
		if (seg->len > mtu)
			ip_do_fragment(net, NULL, seg, dsr_neigh_xmit4);
		else
			dsr_neigh_xmit4(net, NULL, seg);
	}
}

unsigned int dsr_xmit_dr4(struct dsr_net *dn, struct dsr_dest *dest,
			  struct sk_buff *skb)
{
	bool keep_ttl = READ_ONCE(dr_keep_ttl);
	unsigned int mtu, room;
	struct rtable *rt;
	bool too_big;

	rt = dsr_dest_route4(dn, dest);
	if (IS_ERR(rt))
		return dsr_route_drop(dn, rt);

	if (!keep_ttl && ip_hdr(skb)->ttl <= 1) {
		dsr_icmp_send4(skb, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
		dsr_count_drop(dn, DSR_DROP_TTL);
		return NF_DROP;
	}

	mtu = dst_mtu(&rt->dst);
	too_big = dsr_exceeds_mtu(skb, mtu);
	if (too_big && !dsr_may_fragment(skb, mtu)) {
		dsr_icmp_send4(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, mtu);
		dsr_count_drop(dn, DSR_DROP_TOO_BIG);
		return NF_DROP;
	}

	/*
	 * Room for the link header, and a private IP header to edit, unless
	 * the header stays as it came: then only fragmenting edits it, and
	 * the link header goes in front as the output path puts it there,
	 * into headroom a clone may share. A packet socket that queued the
	 * same packet (not a capture ring, which copies at once) may then
	 * read the real server's MAC address as its destination.
	 */
	room = LL_RESERVED_SPACE(rt->dst.dev);
	if ((!keep_ttl || too_big || skb_headroom(skb) < room) &&
	    skb_cow(skb, room)) {
		dsr_count_drop(dn, DSR_DROP_NO_MEM);
		return NF_DROP;
	}
	if (!keep_ttl)
		ip_decrease_ttl(ip_hdr(skb));

	skb_dst_drop(skb);
	skb_dst_set_noref(skb, &rt->dst);
	skb->dev = rt->dst.dev;
	skb->protocol = htons(ETH_P_IP);
	dsr_skb_scrub(skb);

	if (too_big)
		dsr_fragment4(dn->net, skb, mtu);
	else
		dsr_neigh_xmit4(dn->net, NULL, skb);
	return NF_STOLEN;
}

/*
 * The route to an IPv6 real server, as dsr_dest_route4() finds it.
 * FLOWI_FLAG_KNOWN_NH makes an on-link route a clone whose next hop is
 * the real server, not the packet's destination (the VIP).
 */
static struct dst_entry *dsr_dest_route6(struct dsr_net *dn,
					 struct dsr_dest *dest)
{
	const union nf_inet_addr any = {};
	const struct dsr_route *route;
	struct flowi6 fl6 = {};
	struct dst_entry *dst;
	struct rt6_info *rt;

	route = dsr_dest_route_get(dest, DSR_FWD_DR);
	if (route)
		return route->dst;

	fl6.daddr = dest->addr.in6;
	fl6.flowi6_flags = FLOWI_FLAG_KNOWN_NH;
	dst = ip6_route_output(dn->net, NULL, &fl6);
	rt = (struct rt6_info *)dst;
	if (dst->error || (rt->rt6i_flags & (RTF_GATEWAY | RTF_LOCAL |
					     RTF_ANYCAST | RTF_REJECT)) ||
	    !ipv6_addr_equal(rt6_nexthop(rt, &in6addr_any), &dest->addr.in6)) {
		dst_release(dst);
		return ERR_PTR(-ENETUNREACH);
	}
	route = dsr_dest_route_set(dest, DSR_FWD_DR, dst, &any);
	return route ? route->dst : ERR_PTR(-ENOMEM);
}

/*
 * DR for IPv6: the same hop as for IPv4, with IPv6's rules. Routers do not
 * fragment: a packet too big for the link draws "packet too big", unless
 * defragmentation made it from fragments that each fit; the output path
 * then sends it as such fragments again, as forwarding does.
 */
unsigned int dsr_xmit_dr6(struct dsr_net *dn, struct dsr_dest *dest,
			  struct sk_buff *skb)
{
	bool keep_ttl = READ_ONCE(dr_keep_ttl);
	struct dst_entry *dst;
	unsigned int mtu, room;

	dst = dsr_dest_route6(dn, dest);
	if (IS_ERR(dst))
		return dsr_route_drop(dn, dst);

	if (!keep_ttl && ipv6_hdr(skb)->hop_limit <= 1) {
		dsr_icmp_send6(skb, ICMPV6_TIME_EXCEED, ICMPV6_EXC_HOPLIMIT, 0);
		dsr_count_drop(dn, DSR_DROP_TTL);
		return NF_DROP;
	}

	mtu = dst_mtu(dst);
	if (dsr_exceeds_mtu(skb, mtu) &&
	    !(IP6CB(skb)->frag_max_size && IP6CB(skb)->frag_max_size <= mtu)) {
		dsr_icmp_send6(skb, ICMPV6_PKT_TOOBIG, 0, mtu);
		dsr_count_drop(dn, DSR_DROP_TOO_BIG);
		return NF_DROP;
	}

	room = LL_RESERVED_SPACE(dst->dev);
	if ((!keep_ttl || skb_headroom(skb) < room) && skb_cow(skb, room)) {
		dsr_count_drop(dn, DSR_DROP_NO_MEM);
		return NF_DROP;
	}
	if (!keep_ttl)
		ipv6_hdr(skb)->hop_limit--;

	skb_dst_drop(skb);
	skb_dst_set_noref(skb, dst);
	skb->dev = dst->dev;
	skb->protocol = htons(ETH_P_IPV6);
	dsr_skb_scrub(skb);
	/*
	 * The output path (POSTROUTING, then the neighbour of the route's
	 * next hop, the real server) fragments a reassembled packet again.
	 */
	dst_output(dn->net, NULL, skb);
	return NF_STOLEN;
}
