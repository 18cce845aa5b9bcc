/* SPDX-License-Identifier: GPL-2.0 */
/* dsradm - parsing and formatting of numbers, addresses and endpoints. */
#ifndef DSRADM_PARSE_H
#define DSRADM_PARSE_H

#include <stdbool.h>
#include <stdint.h>
#include <arpa/inet.h>

#include "dsradm.h"

enum parse_err {
	PARSE_OK,
	PARSE_EMPTY,		/* nothing given */
	PARSE_BAD_ADDR,		/* not a numeric IPv4/IPv6 address */
	PARSE_NO_PORT,		/* port required but missing */
	PARSE_BAD_PORT,		/* port not a number in 1..65535 */
	PARSE_NEED_BRACKETS,	/* IPv6 with port needs [addr]:port */
};

/* "[" + IPv6 + "]:" + 5 digits + NUL, rounded up. */
#define ENDPOINT_STRLEN		(INET6_ADDRSTRLEN + 8)
/* "TCP " or "UDP " or "FWM " + endpoint or fwmark. */
#define SERVICE_STRLEN		(ENDPOINT_STRLEN + 8)

int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);
enum parse_err parse_endpoint(const char *s, struct ipaddr *addr,
			      uint16_t *port, bool need_port);
const char *parse_strerror(enum parse_err err);

const char *proto_name(uint8_t protocol);
char *format_addr(const struct ipaddr *addr, char *buf, size_t len);
char *format_endpoint(const struct ipaddr *addr, uint16_t port, char *buf,
		      size_t len);
char *format_service(const struct svc_key *key, char *buf, size_t len);
const char *fwd_name(uint8_t fwd);
const char *tun_name(uint8_t tun_type);
const char *hook_name(uint8_t hook);
int parse_tun_type(const char *s, uint8_t *tun_type);
int parse_prefix4(const char *s, struct in_addr *addr, uint8_t *plen);
char *format_prefix4(struct in_addr addr, uint8_t plen, char *buf,
		     size_t len);

/* -b: ipvsadm's scheduler flags. */
enum sflag_err {
	SFLAG_OK,
	SFLAG_UNKNOWN,		/* not one of the names */
	SFLAG_SCHED,		/* a name for another scheduler */
};

int parse_sched_flags(const char *s, const char *sched, uint32_t *flags,
		      char *bad, size_t len);
uint32_t format_sched_flags(const char *sched, uint32_t flags, char *buf,
			    size_t len);
const char *sched_flag_sched(const char *name);

/* Timeouts: ipvsadm's MAX_TIMEOUT, 31 days. */
#define TIMEOUT_MAX		(86400 * 31)
/* The module's ceiling on any flow limit (the host may cap lower). */
#define FLOW_LIMIT_MAX		(1U << 26)

enum tmo_err {
	TMO_OK,
	TMO_BAD_NAME,		/* not tcp, tcpfin, udp, syn or rst */
	TMO_BAD_VALUE,		/* not 1..TIMEOUT_MAX */
	TMO_TWICE,		/* a name given twice */
	TMO_SYNTAX,		/* not NAME=SECONDS */
};

const char *timeout_name(unsigned int idx);
uint16_t timeout_attr(unsigned int idx);
enum tmo_err parse_timeout_list(const char *s, uint32_t *timeouts,
				char *bad, size_t len);

/* "255.255.255.255/32" + NUL */
#define PREFIX4_STRLEN		(INET_ADDRSTRLEN + 3)

#endif /* DSRADM_PARSE_H */
