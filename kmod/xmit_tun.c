// SPDX-License-Identifier: GPL-2.0
/*
 * dsr - TUN transmit: the client's packet, changed only by the TTL (hop
 * limit) this hop takes, goes to the real server inside an outer header of
 * its own family. IPv4: bare (IP-in-IP), behind a GRE header, or in UDP
 * behind a GUE header (what a Linux fou "gue" port decapsulates). IPv6:
 * bare (IPv6-in-IPv6, what ip6tnl decapsulates). The real server may sit
 * in any routed subnet; it decapsulates, finds the VIP on lo and answers
 * the client directly.
 *
 * The outer packet is the load balancer's own and leaves through
 * ip_local_out() or ip6_local_out(), so OUTPUT and POSTROUTING see it as they see any local
 * packet, and the output path segments or fragments it. dsr's hook sits in
 * PRE_ROUTING or LOCAL_IN and never sees it again.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/inetdevice.h>
#include <linux/ip.h>
#include <linux/netdevice.h>
#include <linux/udp.h>
#include <net/addrconf.h>
#include <net/gre.h>
#include <net/gue.h>
#include <net/inet_ecn.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ip_tunnels.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <net/udp.h>
#include "dsr.h"

/* The smallest datagram every IPv4 link must carry (RFC 791). */
#define DSR_IPV4_MIN_MTU	68

static __be16 dsr_gre_flags(union dsr_fwd fwd)
{
	return fwd.tun_flags & DSR_TUN_F_CSUM ? TUNNEL_CSUM : 0;
}

/* Bytes the encapsulation of @fwd adds in front of the client's packet. */
unsigned int dsr_tun_overhead(union dsr_fwd fwd)
{
	switch (fwd.tun_type) {
	case DSR_TUN_GUE:
		return sizeof(struct iphdr) + sizeof(struct udphdr) +
		       sizeof(struct guehdr);
	case DSR_TUN_GRE:
		return sizeof(struct iphdr) + gre_calc_hlen(dsr_gre_flags(fwd));
	default:
		return sizeof(struct iphdr);
	}
}

/*
 * The route to the real server and the source address it prefers, from the
 * destination's cache or a fresh lookup, as dsr_dest_route4() finds DR's.
 * Any unicast route will do: the tunnel crosses routers.
 */
static struct rtable *dsr_tun_route4(struct dsr_net *dn,
				     struct dsr_dest *dest, __be32 *saddr)
{
	const struct dsr_route *route;
	union nf_inet_addr src = {};
	struct flowi4 fl4 = {};
	struct rtable *rt;

	route = dsr_dest_route_get(dest, DSR_FWD_TUN);
	if (!route) {
		fl4.daddr = dest->addr.ip;
		rt = ip_route_output_key(dn->net, &fl4);
		if (IS_ERR(rt))
			return ERR_PTR(-ENETUNREACH);
		if (rt->rt_type != RTN_UNICAST) {
			ip_rt_put(rt);
			return ERR_PTR(-ENETUNREACH);
		}
		src.ip = fl4.saddr;
		route = dsr_dest_route_set(dest, DSR_FWD_TUN, &rt->dst, &src);
		if (!route)
			return ERR_PTR(-ENOMEM);
	}
	*saddr = route->saddr.ip;
	return (struct rtable *)route->dst;
}

/*
 * The outer source: the service's, or the route's when it has none. With a
 * prefix, each flow gets its own address in it, so that routers hashing on
 * the outer header (ECMP) and the real server's NIC (RSS) spread flows.
 */
static __be32 dsr_tun_saddr(const struct dsr_service *svc,
			    struct sk_buff *skb, __be32 route_saddr)
{
	union dsr_tun_src src = { .word = READ_ONCE(svc->tun_src.word) };
	__be32 mask;

	if (!src.addr)
		return route_saddr;
	if (src.plen >= 32)
		return src.addr;
	mask = inet_make_mask(src.plen);
	return (src.addr & mask) | (htonl(skb_get_hash(skb)) & ~mask);
}

/*
 * Whether @addr is an outer source @svc's packets may carry (its address,
 * or one of its prefix): ICMP sent there is about our packets. Under RCU.
 */
bool dsr_tun_src_owns(const struct dsr_service *svc, __be32 addr)
{
	union dsr_tun_src src = { .word = READ_ONCE(svc->tun_src.word) };

	return src.addr && src.plen &&
	       !((src.addr ^ addr) & inet_make_mask(src.plen));
}

static int dsr_tun_gso_type(union dsr_fwd fwd)
{
	bool csum = fwd.tun_flags & DSR_TUN_F_CSUM;

	switch (fwd.tun_type) {
	case DSR_TUN_GUE:
		/* GUE carries IPIP: both layers are segmented (as fou does). */
		return SKB_GSO_IPXIP4 |
		       (csum ? SKB_GSO_UDP_TUNNEL_CSUM : SKB_GSO_UDP_TUNNEL);
	case DSR_TUN_GRE:
		return csum ? SKB_GSO_GRE_CSUM : SKB_GSO_GRE;
	default:
		return SKB_GSO_IPXIP4;
	}
}

/* Push the GUE header and its UDP header; the transport header is UDP's. */
static void dsr_push_gue(struct sk_buff *skb, union dsr_fwd fwd,
			 __be16 sport, __be32 saddr, __be32 daddr)
{
	struct guehdr *gh;
	struct udphdr *uh;

	gh = skb_push(skb, sizeof(*gh));
	gh->word = 0;			/* version 0, no options, no flags */
	gh->proto_ctype = IPPROTO_IPIP;

	uh = skb_push(skb, sizeof(*uh));
	skb_reset_transport_header(skb);
	uh->source = sport;
	uh->dest = fwd.tun_port;
	uh->len = htons(skb->len);
	uh->check = 0;
	udp_set_csum(!(fwd.tun_flags & DSR_TUN_F_CSUM), skb, saddr, daddr,
		     skb->len);
}

unsigned int dsr_xmit_tun4(struct dsr_net *dn, struct dsr_service *svc,
			   struct dsr_dest *dest, union dsr_fwd fwd,
			   struct sk_buff *skb)
{
	unsigned int overhead = dsr_tun_overhead(fwd);
	struct iphdr *inner, *iph;
	__be32 saddr, route_saddr;
	__be16 df, sport = 0;
	unsigned int mtu, pmtu;
	u8 tos, ttl, proto;
	struct rtable *rt;
	bool locked;

	rt = dsr_tun_route4(dn, dest, &route_saddr);
	if (IS_ERR(rt))
		return dsr_route_drop(dn, rt);

	inner = ip_hdr(skb);
	if (inner->ttl <= 1) {
		dsr_icmp_send4(skb, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
		dsr_count_drop(dn, DSR_DROP_TTL);
		return NF_DROP;
	}

	/*
	 * What fits inside the tunnel: the route's MTU, or less if a router
	 * on the way told us so, minus the encapsulation. A DF packet that
	 * no longer fits draws "fragmentation needed" with exactly that, so
	 * the client's next packets fit; others are fragmented (the outer
	 * packet, by the output path, as the kernel's tunnels do).
	 */
	mtu = dst_mtu(&rt->dst);
	pmtu = dsr_dest_pmtu(dest, &locked);
	if (pmtu && pmtu < mtu)
		mtu = pmtu;
	mtu = mtu > overhead + DSR_IPV4_MIN_MTU ? mtu - overhead :
						  DSR_IPV4_MIN_MTU;
	df = inner->frag_off & htons(IP_DF);
	if (df && dsr_exceeds_mtu(skb, mtu)) {
		/*
		 * Reassembled here from fragments that each fit: they
		 * travel on as fragments of the outer packet, as the
		 * forwarding path would send them.
		 */
		if (IPCB(skb)->frag_max_size &&
		    IPCB(skb)->frag_max_size <= mtu) {
			df = 0;
		} else {
			dsr_icmp_send4(skb, ICMP_DEST_UNREACH,
				       ICMP_FRAG_NEEDED, mtu);
			dsr_count_drop(dn, DSR_DROP_TOO_BIG);
			return NF_DROP;
		}
	}
	/*
	 * Below the minimum path MTU (a router reported less, or the route's
	 * MTU is locked) the outer packet may be fragmented on the way, as
	 * the kernel's tunnels do; else routers keep dropping it.
	 */
	if (locked || ip_mtu_locked(&rt->dst))
		df = 0;

	/* Flow entropy comes from the client's packet, before any push. */
	saddr = dsr_tun_saddr(svc, skb, route_saddr);
	if (fwd.tun_type == DSR_TUN_GUE)
		sport = udp_flow_src_port(dn->net, skb, 0, 0, false);

	/* Room for the outer headers, and a private inner header to edit. */
	if (skb_cow(skb, LL_RESERVED_SPACE(rt->dst.dev) + overhead)) {
		dsr_count_drop(dn, DSR_DROP_NO_MEM);
		return NF_DROP;
	}
	inner = ip_hdr(skb);
	ip_decrease_ttl(inner);
	ttl = inner->ttl;
	tos = INET_ECN_encapsulate(inner->tos, inner->tos);

	skb_dst_drop(skb);
	dsr_skb_scrub(skb);
	/*
	 * The inner packet has no link header of its own: the segmentation
	 * of tunnels measures the outer headers up to the inner "MAC" one.
	 */
	skb_reset_mac_header(skb);
	if (iptunnel_handle_offloads(skb, dsr_tun_gso_type(fwd))) {
		dsr_count_drop(dn, DSR_DROP_NO_MEM);
		return NF_DROP;
	}

	switch (fwd.tun_type) {
	case DSR_TUN_GUE:
		skb_set_inner_ipproto(skb, IPPROTO_IPIP);
		dsr_push_gue(skb, fwd, sport, saddr, dest->addr.ip);
		proto = IPPROTO_UDP;
		break;
	case DSR_TUN_GRE:
		/* Sets the inner protocol and the GRE checksum. */
		gre_build_header(skb, gre_calc_hlen(dsr_gre_flags(fwd)),
				 dsr_gre_flags(fwd), htons(ETH_P_IP), 0, 0);
		proto = IPPROTO_GRE;
		break;
	default:
		skb_set_inner_ipproto(skb, IPPROTO_IPIP);
		proto = IPPROTO_IPIP;
		break;
	}

	skb_push(skb, sizeof(*iph));
	skb_reset_network_header(skb);
	iph = ip_hdr(skb);
	iph->version = 4;
	iph->ihl = sizeof(*iph) >> 2;
	iph->tos = tos;
	iph->frag_off = df;
	iph->ttl = ttl;
	iph->protocol = proto;
	iph->saddr = saddr;
	iph->daddr = dest->addr.ip;
	/* As the kernel's tunnels: DF packets carry ID 0 (RFC 6864). */
	ip_select_ident_segs(dn->net, skb, NULL,
			     skb_shinfo(skb)->gso_segs ?: 1);

	memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
	skb->protocol = htons(ETH_P_IP);
	skb->pkt_type = PACKET_HOST;
	skb_dst_set_noref(skb, &rt->dst);
	/* tot_len and the header checksum are filled in by the output path. */
	ip_local_out(dn->net, NULL, skb);
	return NF_STOLEN;
}

/*
 * The route to an IPv6 real server and the source address to send from,
 * from the destination's cache or a fresh lookup.
 */
static struct dst_entry *dsr_tun_route6(struct dsr_net *dn,
					struct dsr_dest *dest,
					struct in6_addr *saddr)
{
	const struct dsr_route *route;
	union nf_inet_addr src = {};
	struct flowi6 fl6 = {};
	struct dst_entry *dst;

	route = dsr_dest_route_get(dest, DSR_FWD_TUN);
	if (route) {
		*saddr = route->saddr.in6;
		return route->dst;
	}

	fl6.daddr = dest->addr.in6;
	dst = ip6_route_output(dn->net, NULL, &fl6);
	if (dst->error ||
	    (((struct rt6_info *)dst)->rt6i_flags & (RTF_LOCAL | RTF_ANYCAST |
						     RTF_REJECT)))
		goto err;
	if (ipv6_addr_any(&fl6.saddr) &&
	    ipv6_dev_get_saddr(dn->net, ip6_dst_idev(dst)->dev, &fl6.daddr, 0,
			       &fl6.saddr))
		goto err;
	src.in6 = fl6.saddr;
	route = dsr_dest_route_set(dest, DSR_FWD_TUN, dst, &src);
	if (!route)
		return ERR_PTR(-ENOMEM);
	*saddr = route->saddr.in6;
	return route->dst;
err:
	dst_release(dst);
	return ERR_PTR(-ENETUNREACH);
}

/*
 * TUN for IPv6: the client's packet, its hop limit decremented, inside an
 * outer IPv6 header (IPv6-in-IPv6, what an ip6tnl device decapsulates),
 * from the route's source address. The flow label carries the flow's hash
 * for routers and NICs that spread by it.
 */
unsigned int dsr_xmit_tun6(struct dsr_net *dn, struct dsr_dest *dest,
			   struct sk_buff *skb)
{
	struct ipv6hdr *inner, *ip6h;
	struct in6_addr saddr;
	struct dst_entry *dst;
	unsigned int mtu;
	__be32 label;
	u8 tclass;

	dst = dsr_tun_route6(dn, dest, &saddr);
	if (IS_ERR(dst))
		return dsr_route_drop(dn, dst);

	if (ipv6_hdr(skb)->hop_limit <= 1) {
		dsr_icmp_send6(skb, ICMPV6_TIME_EXCEED, ICMPV6_EXC_HOPLIMIT, 0);
		dsr_count_drop(dn, DSR_DROP_TTL);
		return NF_DROP;
	}

	/*
	 * What fits inside the tunnel. Below the minimum IPv6 MTU the outer
	 * packet is fragmented instead (RFC 2473), so clients are never
	 * asked for less than 1280.
	 */
	mtu = dst_mtu(dst);
	mtu = mtu > sizeof(*ip6h) + IPV6_MIN_MTU ? mtu - sizeof(*ip6h) :
						   IPV6_MIN_MTU;
	if (dsr_exceeds_mtu(skb, mtu) &&
	    !(IP6CB(skb)->frag_max_size && IP6CB(skb)->frag_max_size <= mtu)) {
		dsr_icmp_send6(skb, ICMPV6_PKT_TOOBIG, 0, mtu);
		dsr_count_drop(dn, DSR_DROP_TOO_BIG);
		return NF_DROP;
	}

	label = htonl(skb_get_hash(skb)) & IPV6_FLOWLABEL_MASK;
	if (skb_cow(skb, LL_RESERVED_SPACE(dst->dev) + sizeof(*ip6h))) {
		dsr_count_drop(dn, DSR_DROP_NO_MEM);
		return NF_DROP;
	}
	inner = ipv6_hdr(skb);
	inner->hop_limit--;
	tclass = INET_ECN_encapsulate(ipv6_get_dsfield(inner),
				      ipv6_get_dsfield(inner));

	skb_dst_drop(skb);
	dsr_skb_scrub(skb);
	skb_reset_mac_header(skb);
	if (iptunnel_handle_offloads(skb, SKB_GSO_IPXIP6)) {
		dsr_count_drop(dn, DSR_DROP_NO_MEM);
		return NF_DROP;
	}
	skb_set_inner_ipproto(skb, IPPROTO_IPV6);

	skb_push(skb, sizeof(*ip6h));
	skb_reset_network_header(skb);
	ip6h = ipv6_hdr(skb);
	ip6_flow_hdr(ip6h, tclass, label);
	ip6h->nexthdr = IPPROTO_IPV6;
	ip6h->hop_limit = ip6_dst_hoplimit(dst);
	ip6h->saddr = saddr;
	ip6h->daddr = dest->addr.in6;

	memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
	skb->protocol = htons(ETH_P_IPV6);
	skb->pkt_type = PACKET_HOST;
	/* The output path may fragment the outer packet (see above). */
	skb->ignore_df = 1;
	skb_dst_set_noref(skb, dst);
	/* payload_len is filled in by the output path. */
	ip6_local_out(dn->net, NULL, skb);
	return NF_STOLEN;
}
