// SPDX-License-Identifier: GPL-2.0
/*
 * dsr - ICMP errors the load balancer sends about packets for a VIP, as
 * the routing hop it is (time exceeded, fragmentation needed, parameter
 * problem).
 */
#include <linux/icmp.h>
#include <linux/ip.h>
#include <net/icmp.h>
#include <net/ip.h>
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
