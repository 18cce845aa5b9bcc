// SPDX-License-Identifier: GPL-2.0
/*
 * The sip persistence engine (--pe sip): with persistence, a template is
 * kept per client (its address under the netmask, as without the engine)
 * and SIP call, named by the Call-ID header. The calls of one client, a
 * SIP proxy say, thus spread over the real servers while each call stays
 * on one; with -M 0.0.0.0 a call's datagrams share a server whatever
 * address they come from. A datagram without a Call-ID falls back to the
 * client's template. As IPVS's engine, but the Call-ID is hashed.
 */

#include <net/ip.h>
#include <net/ipv6.h>
#include <linux/percpu.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/skbuff.h>
#include <linux/string.h>
#include <linux/udp.h>

#include "dsr.h"

/* Enough for the headers of any SIP message that fits in one datagram. */
#define DSR_SIP_SCAN_MAX	2048

static siphash_key_t dsr_sip_key __read_mostly;
/* For a message the skb does not hold in one piece; BH is off. */
static DEFINE_PER_CPU(u8 [DSR_SIP_SCAN_MAX], dsr_sip_buf);

void dsr_sip_init(void)
{
	get_random_bytes(&dsr_sip_key, sizeof(dsr_sip_key));
}

static bool dsr_sip_blank(u8 c)
{
	return c == ' ' || c == '\t';
}

/* The end of the line that starts at @i: its CR or LF, or @len. */
static size_t dsr_sip_eol(const u8 *msg, size_t len, size_t i)
{
	while (i < len && msg[i] != '\r' && msg[i] != '\n')
		i++;
	return i;
}

/* The start of the line after the one that ends at @i. */
static size_t dsr_sip_next_line(const u8 *msg, size_t len, size_t i)
{
	if (i < len && msg[i] == '\r')
		i++;
	if (i < len && msg[i] == '\n')
		i++;
	return i;
}

/*
 * The value of the Call-ID header (or its compact form "i") of the message
 * @msg in @value and @vlen; false when the header part has none. The first
 * line (request or status) is skipped; an empty line ends the headers.
 * With @cut, the message goes on past @len: a value that reaches @len may
 * be longer, and is not taken (datagrams of one call could differ there).
 */
static bool dsr_sip_call_id(const u8 *msg, size_t len, bool cut,
			    const u8 **value, size_t *vlen)
{
	size_t i = dsr_sip_next_line(msg, len, dsr_sip_eol(msg, len, 0));

	while (i < len) {
		size_t eol = dsr_sip_eol(msg, len, i), j, end;

		if (eol == i)
			return false;		/* the body begins */
		if (eol - i > 7 && !strncasecmp((const char *)msg + i,
						 "call-id", 7))
			j = i + 7;
		else if (msg[i] == 'i' || msg[i] == 'I')
			j = i + 1;
		else
			goto next;
		while (j < eol && dsr_sip_blank(msg[j]))
			j++;
		if (j == eol || msg[j] != ':')
			goto next;
		if (cut && eol == len)
			return false;
		j++;
		while (j < eol && dsr_sip_blank(msg[j]))
			j++;
		end = eol;
		while (end > j && dsr_sip_blank(msg[end - 1]))
			end--;
		if (end > j) {
			*value = msg + j;
			*vlen = end - j;
			return true;
		}
next:
		i = dsr_sip_next_line(msg, len, eol);
	}
	return false;
}

/* Where the UDP header of @skb, for a flow of family @af, starts. */
static int dsr_sip_udp_offset(const struct sk_buff *skb, u8 af)
{
	__be16 frag_off;
	u8 nexthdr;

	if (af != AF_INET6)
		return skb_network_offset(skb) + ip_hdrlen(skb);
	nexthdr = ipv6_hdr(skb)->nexthdr;
	return ipv6_skip_exthdr(skb, skb_network_offset(skb) +
				sizeof(struct ipv6hdr), &nexthdr, &frag_off);
}

/*
 * Turn @tkey, the client template key of the UDP datagram @skb, into the
 * key of its client's call: a hash of the client address there and the
 * Call-ID, in the client address and port. False, with @tkey unchanged,
 * when the datagram has no Call-ID. Under local_bh_disable().
 */
bool dsr_sip_template_key(const struct sk_buff *skb,
			  struct dsr_flow_key *tkey)
{
	int udp = dsr_sip_udp_offset(skb, tkey->af);
	const u8 *msg, *value;
	unsigned int off;
	size_t len, vlen;
	u64 hash, client;

	if (udp < 0)
		return false;
	off = udp + sizeof(struct udphdr);
	if (skb->len <= off)
		return false;
	len = min_t(size_t, skb->len - off, DSR_SIP_SCAN_MAX);
	if (off + len <= skb_headlen(skb)) {
		msg = skb->data + off;
	} else {
		u8 *buf = this_cpu_ptr(dsr_sip_buf);

		if (skb_copy_bits(skb, off, buf, len))
			return false;
		msg = buf;
	}
	if (!dsr_sip_call_id(msg, len, skb->len - off > len, &value, &vlen))
		return false;
	if (tkey->af == AF_INET6)
		client = siphash(&tkey->saddr6, sizeof(tkey->saddr6),
				 &dsr_sip_key);
	else
		client = (__force u32)tkey->saddr;
	hash = siphash_2u64(siphash(value, vlen, &dsr_sip_key), client,
			    &dsr_sip_key);
	if (tkey->af == AF_INET6) {
		tkey->saddr6 = (struct in6_addr){};
		tkey->saddr6.s6_addr32[0] = (__force __be32)(u32)hash;
	} else {
		tkey->saddr = (__force __be32)(u32)hash;
	}
	tkey->sport = (__force __be16)(u16)(hash >> 32);
	tkey->persist = DSR_PERSIST_SIP;
	return true;
}
