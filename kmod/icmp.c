// SPDX-License-Identifier: GPL-2.0
/*
 * dsr - ICMP: the errors the load balancer sends about packets for a VIP,
 * as the routing hop it is (time exceeded, fragmentation needed, parameter
 * problem), and the errors it receives about a VIP's replies or about its
 * own tunnel packets.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/route.h>
#include "dsr.h"

/*
 * icmp_send() takes the error's source address from the input route, which
 * a packet in PRE_ROUTING does not have yet: look it up first.
 */
void dsr_icmp_send4(struct sk_buff *skb, int type, int code, u32 info)
{
	const struct iphdr *iph = ip_hdr(skb);

	if (!skb_dst(skb) &&
	    ip_route_input_noref(skb, iph->daddr, iph->saddr, iph->tos,
				 skb->dev))
		return;
	icmp_send(skb, type, code, htonl(info));
}

/* ICMP errors that quote the packet they are about (RFC 792). */
static bool dsr_icmp_is_error(u8 type)
{
	return type == ICMP_DEST_UNREACH || type == ICMP_TIME_EXCEEDED ||
	       type == ICMP_PARAMETERPROB;
}

/*
 * An error about a packet a real server sent from a VIP, quoted as
 * VIP:port -> client:port; a router on the way back to the client sends
 * it to the VIP. It belongs to the real server that serves the flow
 * client:port -> VIP:port: only its stack can act on it (a lower path MTU
 * for a TCP connection, say), so it goes there as that server's traffic.
 */
static unsigned int dsr_icmp_reply_error(struct dsr_net *dn,
					 struct sk_buff *skb,
					 const struct iphdr *quoted,
					 const __be16 *ports, bool *is_reply)
{
	struct dsr_service_key skey = {};
	struct dsr_flow_key fkey = {};
	struct dsr_service *svc;
	struct dsr_dest *dest;
	unsigned int verdict;

	*is_reply = false;
	/* Only errors addressed to the VIP the quoted packet came from. */
	if (ip_hdr(skb)->daddr != quoted->saddr)
		return NF_ACCEPT;
	fkey.af = AF_INET;
	fkey.protocol = quoted->protocol;
	fkey.saddr = quoted->daddr;
	fkey.daddr = quoted->saddr;
	fkey.sport = ports[1];
	fkey.dport = ports[0];
	skey.af = AF_INET;
	skey.protocol = quoted->protocol;
	skey.addr.ip = quoted->saddr;
	skey.port = ports[0];
	svc = dsr_service_lookup(dn, &skey);
	if (svc) {
		*is_reply = true;
		dest = dsr_flow_find_dest(dn, svc, &fkey, skb);
		if (!dest) {
			dsr_count_drop(dn, DSR_DROP_NO_DEST);
			return NF_DROP;
		}
	} else {
		/*
		 * A fwmark service's flow, if the table has it: nothing
		 * else tells which service the error is about.
		 */
		if (!READ_ONCE(dn->fwmark_services))
			return NF_ACCEPT;
		dest = dsr_flow_find_marked(dn, &fkey);
		if (!dest)
			return NF_ACCEPT;
		*is_reply = true;
		svc = dest->svc;
	}
	/* Forwarded as the VIP's TCP and UDP are: options judged alike. */
	if (ip_hdrlen(skb) > sizeof(struct iphdr) &&
	    !dsr_ip_options_ok(dn, skb))
		return NF_DROP;
	verdict = dsr_xmit4(dn, svc, dest, skb);
	if (verdict == NF_STOLEN)
		dsr_count_event(dn, DSR_EVENT_ICMP_FORWARDED);
	return verdict;
}

/*
 * "Fragmentation needed" from a router between us and a real server,
 * about one of our tunnel packets (quoted as us -> real server): remember
 * the lower path MTU for that server, so that clients learn it, less the
 * tunnel's overhead, on their next packet that no longer fits.
 */
static void dsr_icmp_tunnel_error(struct dsr_net *dn, struct sk_buff *skb,
				  const struct icmphdr *icmph,
				  const struct iphdr *quoted,
				  const __be16 *ports)
{
	union nf_inet_addr addr = { .ip = quoted->daddr };
	u32 mtu = ntohs(icmph->un.frag.mtu);
	bool lowered = false, local;
	struct dsr_dest *dest;

	if (icmph->type != ICMP_DEST_UNREACH ||
	    icmph->code != ICMP_FRAG_NEEDED || !mtu)
		return;
	/*
	 * Only a report sent to the source of the quoted packet, and intact:
	 * the hook also sees ICMP that a routing LB passes on for others,
	 * and it runs before icmp_rcv() checks the checksum.
	 */
	if (ip_hdr(skb)->daddr != quoted->saddr ||
	    nf_ip_checksum(skb, NF_INET_PRE_ROUTING, ip_hdrlen(skb), 0))
		return;
	local = inet_addr_type(dn->net, quoted->saddr) == RTN_LOCAL;

	hash_for_each_possible_rcu(dn->dests_by_addr, dest, addr_node,
				   dsr_dest_addr_hash(&addr)) {
		union dsr_fwd fwd = { .word = READ_ONCE(dest->fwd.word) };

		if (dest->af != AF_INET || dest->addr.ip != quoted->daddr ||
		    fwd.method != DSR_FWD_TUN)
			continue;
		/* Our packet: from us, or from the service's source prefix. */
		if (!local && !dsr_tun_src_owns(dest->svc, quoted->saddr))
			continue;
		switch (fwd.tun_type) {
		case DSR_TUN_IPIP:
			if (quoted->protocol != IPPROTO_IPIP)
				continue;
			break;
		case DSR_TUN_GRE:
			if (quoted->protocol != IPPROTO_GRE)
				continue;
			break;
		case DSR_TUN_GUE:
			if (quoted->protocol != IPPROTO_UDP ||
			    ports[1] != fwd.tun_port)
				continue;
			break;
		default:
			continue;
		}
		lowered |= dsr_dest_learn_pmtu(dest, mtu);
	}
	if (lowered)
		dsr_count_event(dn, DSR_EVENT_ICMP_TUN_PMTU);
}

/*
 * An ICMP packet reaching the load balancer: errors about a VIP's replies
 * go to the real server that owns the flow; errors about our tunnel
 * packets update the path MTU. Everything else, and the tunnel errors
 * too, continue to the host as before. Only the quoted IP header and the
 * first 8 bytes after it are read, all that RFC 792 guarantees.
 */
unsigned int dsr_icmp_in4(struct dsr_net *dn, struct sk_buff *skb)
{
	struct {
		struct icmphdr icmp;
		struct iphdr ip;
	} *hdr, _hdr;
	unsigned int off = ip_hdrlen(skb);
	unsigned int verdict;
	__be16 _ports[2];
	const __be16 *ports;
	bool is_reply;

	hdr = skb_header_pointer(skb, off, sizeof(_hdr), &_hdr);
	if (!hdr || !dsr_icmp_is_error(hdr->icmp.type))
		return NF_ACCEPT;
	/* Only a first fragment, or a whole packet, quotes the ports. */
	if (hdr->ip.version != 4 || hdr->ip.ihl < 5 ||
	    (hdr->ip.frag_off & htons(IP_OFFSET)))
		return NF_ACCEPT;
	off += sizeof(struct icmphdr) + hdr->ip.ihl * 4;
	ports = skb_header_pointer(skb, off, sizeof(_ports), &_ports);
	if (!ports)
		return NF_ACCEPT;

	switch (hdr->ip.protocol) {
	case IPPROTO_TCP:
		return dsr_icmp_reply_error(dn, skb, &hdr->ip, ports,
					    &is_reply);
	case IPPROTO_UDP:
		/* A VIP's reply, or (GUE) one of our tunnel packets. */
		verdict = dsr_icmp_reply_error(dn, skb, &hdr->ip, ports,
					       &is_reply);
		if (is_reply)
			return verdict;
		fallthrough;
	case IPPROTO_IPIP:
	case IPPROTO_GRE:
		dsr_icmp_tunnel_error(dn, skb, &hdr->icmp, &hdr->ip, ports);
		break;
	}
	return NF_ACCEPT;
}

/* An ICMPv6 error about a packet for a VIP; icmp6_send() needs no route. */
void dsr_icmp_send6(struct sk_buff *skb, u8 type, u8 code, u32 info)
{
	icmpv6_send(skb, type, code, info);
}

/*
 * An ICMPv6 packet reaching the load balancer at @thoff: an error about a
 * VIP's reply goes to the real server that owns the flow, as for IPv4.
 * Everything else (neighbour discovery, echo, errors about other packets)
 * continues to the host.
 */
unsigned int dsr_icmp_in6(struct dsr_net *dn, struct sk_buff *skb,
			  unsigned int thoff)
{
	struct {
		struct icmp6hdr icmp;
		struct ipv6hdr ip;
	} *hdr, _hdr;
	struct dsr_service_key skey = {};
	struct dsr_flow_key fkey = {};
	struct dsr_service *svc;
	struct dsr_dest *dest;
	unsigned int verdict;
	__be16 _ports[2], frag_off;
	const __be16 *ports;
	int off;
	u8 proto;

	hdr = skb_header_pointer(skb, thoff, sizeof(_hdr), &_hdr);
	/* Errors are the types below 128 (RFC 4443). */
	if (!hdr || !icmpv6_is_err(hdr->icmp.icmp6_type) ||
	    hdr->ip.version != 6)
		return NF_ACCEPT;
	/* Only errors addressed to the VIP the quoted packet came from. */
	if (!ipv6_addr_equal(&ipv6_hdr(skb)->daddr, &hdr->ip.saddr))
		return NF_ACCEPT;
	proto = hdr->ip.nexthdr;
	off = ipv6_skip_exthdr(skb, thoff + sizeof(hdr->icmp) + sizeof(hdr->ip),
			       &proto, &frag_off);
	/* Only a first fragment, or a whole packet, quotes the ports. */
	if (off < 0 || (frag_off & htons(IP6_OFFSET)) ||
	    (proto != IPPROTO_TCP && proto != IPPROTO_UDP))
		return NF_ACCEPT;
	ports = skb_header_pointer(skb, off, sizeof(_ports), &_ports);
	if (!ports)
		return NF_ACCEPT;

	fkey.af = AF_INET6;
	fkey.protocol = proto;
	fkey.saddr6 = hdr->ip.daddr;
	fkey.daddr6 = hdr->ip.saddr;
	fkey.sport = ports[1];
	fkey.dport = ports[0];
	skey.af = AF_INET6;
	skey.protocol = proto;
	skey.addr.in6 = hdr->ip.saddr;
	skey.port = ports[0];
	svc = dsr_service_lookup(dn, &skey);
	if (svc) {
		dest = dsr_flow_find_dest(dn, svc, &fkey, skb);
		if (!dest) {
			dsr_count_drop(dn, DSR_DROP_NO_DEST);
			return NF_DROP;
		}
	} else {
		/* A fwmark service's flow, if the table has it. */
		if (!READ_ONCE(dn->fwmark_services))
			return NF_ACCEPT;
		dest = dsr_flow_find_marked(dn, &fkey);
		if (!dest)
			return NF_ACCEPT;
		svc = dest->svc;
	}
	verdict = dsr_xmit6(dn, svc, dest, skb);
	if (verdict == NF_STOLEN)
		dsr_count_event(dn, DSR_EVENT_ICMP_FORWARDED);
	return verdict;
}
