#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2317 # check functions are called through ktap_check
#
# nl_robust.sh - the kernel validates every dsr netlink request itself.
#
# dsradm checks its input before the kernel sees it, so here a raw generic
# netlink client (dsr_nl.py: socket + struct, extended ACKs on) sends what
# dsradm never would:
#
#   lb (its own namespace, no links)      fuzz (its own, fresh namespace)
#     TCP 10.0.0.100:80 rr                  200 destinations, then 2000
#       -> 10.0.0.11:80 Route 1             random mutations of valid requests
#
#   an unprivileged user (nobody): in lb, and in its own user + network
#   namespace
#
# Each bad request must fail with the errno and extended ACK message pinned
# in the tables below (and, where the table marks an attribute with "@",
# with the ACK's offset pointing at it), and leave "dsradm -Ln" in lb byte
# for byte as it was. Valid requests sent the same way must succeed, so the
# client itself is proven. A process without CAP_NET_ADMIN gets EPERM for
# every command and for the events group; a user namespace's root can
# configure dsr in its own network namespace only. After the fuzzing, the
# module still answers there, its counts agree with its dumps, the kernel
# log is clean, and the namespaces and the module go away cleanly.

set -eE -o pipefail

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

test_init
[ "$DSR_IMPL" = dsr ] || skip_all "raw dsr netlink requests (DSR_IMPL=$DSR_IMPL)"
require_cmd python3 setpriv unshare
lb_require
lb_load

NL=(python3 "$SELFTEST_DIR/dsr_nl.py")
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)
USERNS_WHY=
FUZZ_COUNT=${TEST_FUZZ_COUNT:-2000}
FUZZ_SEED=${TEST_FUZZ_SEED:-1}

setup_ns lb
adm lb -A -t "$VIP:80" -s rr
adm lb -a -t "$VIP:80" -r "$SUBNET.11:80" -g -w 1
adm lb -A -u "[2001:db8::100]:53" -s rr
adm lb -a -u "[2001:db8::100]:53" -r "[2001:db8::11]:53" -g -w 1
LB_START=$(adm lb -Ln 2>&1)

# The host-wide cap on every namespace's flow limit, as INFO_GET reports it
# (the module parameter flow_max_host when the reply lacks it: a check
# below fails then); the tables ask for one more.
HOST_CAP=$(in_ns lb python3 "$SELFTEST_DIR/dsr_nl.py" req INFO_GET |
	sed -n 's/^INFO\.FLOW_MAX_HOST //p')
HOST_CAP=${HOST_CAP:-$(cat /sys/module/dsr/parameters/flow_max_host 2>/dev/null || echo 1048576)}
INFO_START=$(in_ns lb python3 "$SELFTEST_DIR/dsr_nl.py" req INFO_GET)

# Service keys for the tables: the one that exists, a new one (which a
# request would create if the kernel missed what is wrong with it), and
# one that does not exist.
SVC="PROTOCOL=6 ADDR4=$VIP PORT=80"
NEW="PROTOCOL=6 ADDR4=$SUBNET.101 PORT=80"
NOSVC="PROTOCOL=6 ADDR4=$SUBNET.200 PORT=80"
RS2="ADDR4=$SUBNET.12"
# The IPv6 service that exists, and a new one.
SVC6="PROTOCOL=17 ADDR6=2001:db8::100 PORT=53"
NEW6="PROTOCOL=17 ADDR6=2001:db8::101 PORT=53"

# nl HOST ARGS... - dsr_nl.py in HOST's namespace
nl()
{
	local host=$1
	shift
	in_ns "$host" "${NL[@]}" "$@"
}

listing()
{
	adm lb -Ln 2>&1
}

# run_table CMD... - run the case table on stdin with CMD (a dsr_nl.py
# "run" command line); one test point per case
run_table()
{
	local table out rc=0 want got verdict desc detail
	table=$(cat)
	want=$(grep -cEv '^[[:space:]]*(#|$)' <<<"$table")
	out=$("$@" <<<"$table" 2>"$TMP_DIR/run.err") || rc=$?
	got=0
	while IFS=$'\t' read -r verdict desc detail; do
		[ -n "$verdict" ] || continue
		got=$((got + 1))
		if [ "$verdict" = PASS ]; then
			ktap_ok "$desc: $detail"
		else
			ktap_not_ok "$desc"
			ktap_diag "$detail"
		fi
	done <<<"$out"
	if [ "$rc" -ne 0 ] || [ "$got" -ne "$want" ]; then
		ktap_not_ok "the case table ran to its end ($got of $want cases, exit $rc)"
		ktap_diag <"$TMP_DIR/run.err"
	fi
}

# ---------------------------------------------------------------- rejected
#
# ERRNO | EXTACK ("*" any, "-" none, else a text it contains) |
# DESCRIPTION | REQUEST (see dsr_nl.py; "@" marks the attribute the ACK
# must point at)

run_table nl lb run --snapshot "$DSRADM -Ln" <<EOF
# Commands whose attributes are missing.
EINVAL | a service is required | SERVICE_NEW without attributes | SERVICE_NEW
EINVAL | a service is required | SERVICE_SET without attributes | SERVICE_SET
EINVAL | a service is required | SERVICE_DEL without attributes | SERVICE_DEL
EINVAL | a service is required | SERVICE_GET (do) without attributes | SERVICE_GET
EINVAL | a service is required | DEST_NEW without attributes | DEST_NEW
EINVAL | a service is required | DEST_SET without attributes | DEST_SET
EINVAL | a service is required | DEST_DEL without attributes | DEST_DEL
EINVAL | a service is required | DEST_GET (dump) without attributes | DEST_GET +dump
EINVAL | nothing to set | CONFIG_SET without attributes | CONFIG_SET
EINVAL | a real server is required | DEST_NEW without DSR_A_DEST | DEST_NEW SERVICE{ $SVC }
EINVAL | a real server is required | DEST_SET without DSR_A_DEST | DEST_SET SERVICE{ $SVC }
EINVAL | a real server is required | DEST_DEL without DSR_A_DEST | DEST_DEL SERVICE{ $SVC }
EINVAL | service protocol is required | SERVICE_NEW with an empty service nest | SERVICE_NEW SERVICE{ }

# Commands the family does not have (genetlink core: no message).
EOPNOTSUPP | - | DEST_GET as a do request (dump only) | DEST_GET SERVICE{ $SVC }
EOPNOTSUPP | - | FLOW_GET as a do request (dump only) | FLOW_GET
EOPNOTSUPP | - | command 0 (UNSPEC) | 0
EOPNOTSUPP | - | command 19 (past the last) | 19
EOPNOTSUPP | - | command 255 | 255
EOPNOTSUPP | - | SERVICE_NEW_NTF as a request | SERVICE_NEW_NTF SERVICE{ $NEW }
EOPNOTSUPP | - | SERVICE_DEL_NTF as a request | SERVICE_DEL_NTF SERVICE{ $SVC }
EOPNOTSUPP | - | DEST_NEW_NTF as a request | DEST_NEW_NTF SERVICE{ $SVC } DEST{ $RS2 }
EOPNOTSUPP | - | DEST_DEL_NTF as a request | DEST_DEL_NTF SERVICE{ $SVC } DEST{ ADDR4=$SUBNET.11 }

# Unknown attribute types, top level and in each nest.
EINVAL | Unknown attribute type | SERVICE_NEW with top-level attribute 5 | SERVICE_NEW SERVICE{ $NEW } @5=u32:1
EINVAL | Unknown attribute type | SERVICE_NEW with top-level attribute 0 | SERVICE_NEW @0=u32:1 SERVICE{ $NEW }
EINVAL | Unknown attribute type | SERVICE_NEW with top-level attribute 0x3fff | SERVICE_NEW SERVICE{ $NEW } @0x3fff=u32:1
EINVAL | Unknown attribute type | SERVICE_NEW with DSR_A_DEST (not in its policy) | SERVICE_NEW SERVICE{ $NEW } @DEST{ $RS2 }
EINVAL | Unknown attribute type | DEST_NEW with DSR_A_INFO (not in its policy) | DEST_NEW SERVICE{ $SVC } DEST{ $RS2 } @INFO{ TIMEOUT_UDP=10 }
EINVAL | Unknown attribute type | CONFIG_SET with DSR_A_FLOW (4) | CONFIG_SET INFO{ TIMEOUT_UDP=10 } @FLOW{ }
EINVAL | Attribute failed policy validation | CONFIG_SET with DSR_A_SERVICE | CONFIG_SET @SERVICE~{ $SVC } INFO{ TIMEOUT_UDP=10 }
EINVAL | Attribute failed policy validation | FLUSH with an attribute (it takes none) | FLUSH @SERVICE~{ $SVC }
EINVAL | Attribute failed policy validation | INFO_GET with an attribute (it takes none) | INFO_GET @INFO~{ }
EINVAL | Attribute failed policy validation | FLOW_FLUSH with an attribute (it takes none) | FLOW_FLUSH @FLOW~{ }
EINVAL | Attribute failed policy validation | FLOW_GET dump with an attribute (it takes none) | FLOW_GET +dump @FLOW~{ }
EINVAL | Unknown attribute type | service attribute 20 (> DSR_A_SERVICE_MAX) | SERVICE_NEW SERVICE{ $NEW @20=u32:1 }
EINVAL | Unknown attribute type | service attribute 0 | SERVICE_NEW SERVICE{ $NEW @0=u32:1 }
EINVAL | Unknown attribute type | dest attribute 17 (> DSR_A_DEST_MAX) | DEST_NEW SERVICE{ $SVC } DEST{ $RS2 @17=u32:1 }
EINVAL | Unknown attribute type | info attribute 24 (> DSR_A_INFO_MAX) | CONFIG_SET INFO{ TIMEOUT_UDP=10 @24=u32:1 }
EINVAL | Unknown attribute type | info attribute 0x3fff | CONFIG_SET INFO{ @0x3fff=u32:1 }

# Reply-only attributes in requests.
EINVAL | Attribute failed policy validation | DSR_A_SERVICE_STATS in SERVICE_NEW | SERVICE_NEW SERVICE{ $NEW @STATS~{ CONNS=1 } }
EINVAL | NLA_F_NESTED not expected | DSR_A_SERVICE_STATS (NLA_F_NESTED) in SERVICE_NEW | SERVICE_NEW SERVICE{ $NEW @STATS{ CONNS=1 } }
EINVAL | Attribute failed policy validation | DSR_A_SERVICE_DEST_COUNT in SERVICE_NEW | SERVICE_NEW SERVICE{ $NEW @DEST_COUNT=0 }
EINVAL | Attribute failed policy validation | DSR_A_SERVICE_SCHED_DIGEST in SERVICE_NEW | SERVICE_NEW SERVICE{ $NEW @SCHED_DIGEST=0 }
EINVAL | Attribute failed policy validation | DSR_A_SERVICE_SCHED_DIGEST in SERVICE_SET | SERVICE_SET SERVICE{ $SVC @SCHED_DIGEST=1 }
EINVAL | Attribute failed policy validation | DSR_A_SERVICE_PAD in SERVICE_SET | SERVICE_SET SERVICE{ $SVC @PAD=hex:00000000 }
EINVAL | Attribute failed policy validation | DSR_A_DEST_ACTIVE_FLOWS in DEST_NEW | DEST_NEW SERVICE{ $SVC } DEST{ $RS2 @ACTIVE_FLOWS=0 }
EINVAL | Attribute failed policy validation | DSR_A_DEST_INACTIVE_FLOWS in DEST_SET | DEST_SET SERVICE{ $SVC } DEST{ ADDR4=$SUBNET.11 @INACTIVE_FLOWS=0 }
EINVAL | Attribute failed policy validation | DSR_A_DEST_STATS in DEST_NEW | DEST_NEW SERVICE{ $SVC } DEST{ $RS2 @STATS~{ } }
EINVAL | Attribute failed policy validation | DSR_A_INFO_VERSION in CONFIG_SET | CONFIG_SET INFO{ @VERSION=0.1.0 }
EINVAL | Attribute failed policy validation | DSR_A_INFO_FLOW_COUNT in CONFIG_SET | CONFIG_SET INFO{ @FLOW_COUNT=0 }
EINVAL | Attribute failed policy validation | DSR_A_INFO_SERVICE_COUNT in CONFIG_SET | CONFIG_SET INFO{ @SERVICE_COUNT=0 }
EINVAL | Attribute failed policy validation | DSR_A_INFO_DROPS in CONFIG_SET | CONFIG_SET INFO{ @DROPS~{ } }
EINVAL | Attribute failed policy validation | DSR_A_INFO_GENERATION in CONFIG_SET | CONFIG_SET INFO{ @GENERATION=1 }
EINVAL | Attribute failed policy validation | DSR_A_INFO_ICMP_FORWARDED in CONFIG_SET | CONFIG_SET INFO{ @ICMP_FORWARDED=0 }
EINVAL | Attribute failed policy validation | DSR_A_INFO_ICMP_TUN_PMTU in CONFIG_SET | CONFIG_SET INFO{ @ICMP_TUN_PMTU=0 }
EINVAL | Attribute failed policy validation | DSR_A_INFO_FLOW_MAX_HOST in CONFIG_SET | CONFIG_SET INFO{ @FLOW_MAX_HOST=$HOST_CAP }
EINVAL | Attribute failed policy validation | DSR_A_INFO_FLOW_MAX_HOST next to FLOW_MAX | CONFIG_SET INFO{ FLOW_MAX=1000 @FLOW_MAX_HOST=0xffffffff }
EINVAL | Attribute failed policy validation | DSR_A_INFO_FLOW_INSERTS in CONFIG_SET | CONFIG_SET INFO{ @FLOW_INSERTS=0 }
EINVAL | Attribute failed policy validation | DSR_A_INFO_FLOW_EVICTIONS in CONFIG_SET | CONFIG_SET INFO{ @FLOW_EVICTIONS=0 }
EINVAL | Attribute failed policy validation | DSR_A_INFO_FLOW_EXPIRIES in CONFIG_SET | CONFIG_SET INFO{ @FLOW_EXPIRIES=0 }
EINVAL | Attribute failed policy validation | DSR_A_INFO_FLOW_UNTRACKED in CONFIG_SET | CONFIG_SET INFO{ @FLOW_UNTRACKED=0 }
EINVAL | Attribute failed policy validation | DSR_A_INFO_FLOW_MIDSTREAM in CONFIG_SET | CONFIG_SET INFO{ @FLOW_MIDSTREAM=0 }
EINVAL | Attribute failed policy validation | reply-only next to a valid value | CONFIG_SET INFO{ TIMEOUT_UDP=10 @FLOW_COUNT=0 }

# Wrong lengths.
ERANGE | binary attribute size out of range | service ADDR4 of 3 bytes | SERVICE_NEW SERVICE{ PROTOCOL=6 @ADDR4=hex:0a0000 PORT=80 }
ERANGE | binary attribute size out of range | service ADDR4 of 5 bytes | SERVICE_NEW SERVICE{ PROTOCOL=6 @ADDR4=hex:0a00006500 PORT=80 }
ERANGE | binary attribute size out of range | service ADDR6 of 15 bytes | SERVICE_NEW SERVICE{ PROTOCOL=6 @ADDR6=hex:20010db80000000000000000000001 PORT=80 }
ERANGE | binary attribute size out of range | dest ADDR4 of 3 bytes | DEST_NEW SERVICE{ $SVC } DEST{ @ADDR4=hex:0a000c }
ERANGE | binary attribute size out of range | dest ADDR6 of 17 bytes | DEST_NEW SERVICE{ $SVC } DEST{ @ADDR6=hex:20010db800000000000000000000001200 }
EINVAL | invalid attribute length | service PORT of 1 byte | SERVICE_NEW SERVICE{ PROTOCOL=6 ADDR4=$SUBNET.101 @PORT=u8:80 }
EINVAL | invalid attribute length | service PORT of 4 bytes | SERVICE_NEW SERVICE{ PROTOCOL=6 ADDR4=$SUBNET.101 @PORT=u32:80 }
EINVAL | invalid attribute length | service PROTOCOL of 2 bytes | SERVICE_NEW SERVICE{ @PROTOCOL=u16:6 ADDR4=$SUBNET.101 PORT=80 }
EINVAL | invalid attribute length | dest PORT of 1 byte | DEST_NEW SERVICE{ $SVC } DEST{ $RS2 @PORT=u8:80 }
EINVAL | invalid attribute length | dest WEIGHT of 2 bytes | DEST_NEW SERVICE{ $SVC } DEST{ $RS2 @WEIGHT=u16:1 }
EINVAL | invalid attribute length | FLOW_MAX of 8 bytes | CONFIG_SET INFO{ @FLOW_MAX=u64:1000 }
EINVAL | invalid attribute length | a nest where PROTOCOL (u8) belongs | SERVICE_NEW SERVICE{ @PROTOCOL{ } ADDR4=$SUBNET.101 PORT=80 }

# Not nested where a nest belongs.
EINVAL | NLA_F_NESTED is missing | DSR_A_SERVICE as 4 bytes of data | SERVICE_NEW @SERVICE=hex:0600000a
EINVAL | NLA_F_NESTED is missing | DSR_A_SERVICE as 1 byte of data | SERVICE_NEW @SERVICE=hex:06
EINVAL | NLA_F_NESTED is missing | DSR_A_SERVICE nest without NLA_F_NESTED | SERVICE_NEW @SERVICE~{ $NEW }
EINVAL | NLA_F_NESTED is missing | DSR_A_DEST as data | DEST_NEW SERVICE{ $SVC } @DEST=hex:0a00000c
EINVAL | NLA_F_NESTED is missing | DSR_A_DEST nest without NLA_F_NESTED | DEST_NEW SERVICE{ $SVC } @DEST~{ $RS2 }
EINVAL | NLA_F_NESTED is missing | DSR_A_INFO as a u32 | CONFIG_SET @INFO=u32:100
EINVAL | NLA_F_NESTED is missing | DSR_A_SERVICE as data in ZERO | ZERO @SERVICE=hex:00

# Broken framing.
EINVAL | - | no genetlink header (empty payload) | SERVICE_NEW +nogenl
EINVAL | bytes leftover after parsing attributes | nla_len beyond the end of the message | SERVICE_NEW SERVICE{ $NEW } !ff000100
EINVAL | bytes leftover after parsing attributes | nla_len beyond the end of its nest | SERVICE_NEW SERVICE{ $NEW !20000500 }
EINVAL | bytes leftover after parsing attributes | nla_len 2 (< header) | SERVICE_NEW SERVICE{ $NEW } !02000100
EINVAL | bytes leftover after parsing attributes | nla_len 0 first | SERVICE_NEW !00000100 SERVICE{ $NEW }
EINVAL | bytes leftover after parsing attributes | 3 stray bytes after the attributes | SERVICE_NEW SERVICE{ $NEW } !010203
EINVAL | bytes leftover after parsing attributes | garbage bytes | SERVICE_NEW !deadbeefcafebabe0123456789abcdef
EINVAL | genlmsghdr.reserved field is not 0 | genetlink reserved field set | SERVICE_NEW +resv=1 SERVICE{ $NEW }
EINVAL | ambiguous or reserved bits set in nlmsg_flags | NLM_F_CREATE in nlmsg_flags | SERVICE_NEW +flags=0x400 SERVICE{ $NEW }

# Service keys.
EINVAL | service protocol must be TCP or UDP | protocol 1 (ICMP) | SERVICE_NEW SERVICE{ @PROTOCOL=1 ADDR4=$SUBNET.101 PORT=80 }
EINVAL | service protocol must be TCP or UDP | protocol 0 | SERVICE_NEW SERVICE{ @PROTOCOL=0 ADDR4=$SUBNET.101 PORT=80 }
EINVAL | service protocol is required | no protocol | SERVICE_NEW SERVICE{ ADDR4=$SUBNET.101 PORT=80 }
EINVAL | service port must be 1-65535 | port 0 | SERVICE_NEW SERVICE{ PROTOCOL=6 ADDR4=$SUBNET.101 @PORT=0 }
EINVAL | service port is required | no port | SERVICE_NEW SERVICE{ PROTOCOL=6 ADDR4=$SUBNET.101 }
EINVAL | service address must be a unicast address | address 0.0.0.0 | SERVICE_NEW SERVICE{ PROTOCOL=6 @ADDR4=0.0.0.0 PORT=80 }
EINVAL | service address must be a unicast address | address 224.0.0.1 | SERVICE_NEW SERVICE{ PROTOCOL=6 @ADDR4=224.0.0.1 PORT=80 }
EINVAL | service address must be a unicast address | address 255.255.255.255 | SERVICE_NEW SERVICE{ PROTOCOL=6 @ADDR4=255.255.255.255 PORT=80 }
EINVAL | service address must be a unicast address | address 127.0.0.1 | SERVICE_NEW SERVICE{ PROTOCOL=17 @ADDR4=127.0.0.1 PORT=53 }
EINVAL | service needs exactly one address, IPv4 or IPv6 | both ADDR4 and ADDR6 | SERVICE_NEW SERVICE{ PROTOCOL=6 ADDR4=$SUBNET.101 ADDR6=2001:db8::1 PORT=80 }
EINVAL | service needs exactly one address, IPv4 or IPv6 | neither ADDR4 nor ADDR6 | SERVICE_NEW SERVICE{ PROTOCOL=6 PORT=80 }
EINVAL | service address must be a unicast address | IPv6 service on :: | SERVICE_NEW SERVICE{ PROTOCOL=6 @ADDR6=:: PORT=80 }
EINVAL | service address must be a unicast address | IPv6 service on ::1 | SERVICE_NEW SERVICE{ PROTOCOL=6 @ADDR6=::1 PORT=80 }
EINVAL | service address must be a unicast address | IPv6 service on fe80::1 (link-local) | SERVICE_NEW SERVICE{ PROTOCOL=6 @ADDR6=fe80::1 PORT=80 }
EINVAL | service address must be a unicast address | IPv6 service on ff02::1 (multicast) | SERVICE_NEW SERVICE{ PROTOCOL=6 @ADDR6=ff02::1 PORT=80 }
EINVAL | service address must be a unicast address | IPv6 service on ::ffff:10.0.0.1 (IPv4-mapped) | SERVICE_NEW SERVICE{ PROTOCOL=6 @ADDR6=::ffff:10.0.0.1 PORT=80 }
EEXIST | service already exists | the IPv6 service again | SERVICE_NEW SERVICE{ $SVC6 }
EINVAL | the family is given only with a fwmark | FAMILY with an address | SERVICE_NEW SERVICE{ $NEW6 @FAMILY=10 }
EINVAL | family must be AF_INET or AF_INET6 | FAMILY 3 with a fwmark | SERVICE_NEW SERVICE{ FWMARK=7 @FAMILY=3 }
EINVAL | invalid attribute length | FAMILY of 4 bytes | SERVICE_NEW SERVICE{ FWMARK=7 @FAMILY=u32:10 }
ESRCH | service not found | IPv6 fwmark service that does not exist (SERVICE_DEL) | SERVICE_DEL @SERVICE{ FWMARK=7 FAMILY=10 }
ERANGE | integer out of range | PREFIX_LEN6 0 | SERVICE_NEW SERVICE{ $NEW6 TIMEOUT=60 @PREFIX_LEN6=0 }
ERANGE | integer out of range | PREFIX_LEN6 129 | SERVICE_SET SERVICE{ $SVC6 @PREFIX_LEN6=129 }
EINVAL | an IPv4 service groups clients by a netmask, not a prefix length | PREFIX_LEN6 on an IPv4 service | SERVICE_SET SERVICE{ $SVC @PREFIX_LEN6=64 }
EINVAL | an IPv6 service groups clients by a prefix length, not a netmask | NETMASK on an IPv6 service | SERVICE_NEW SERVICE{ $NEW6 TIMEOUT=60 @NETMASK=255.255.255.0 }
EINVAL | an IPv6 service's tunnels leave from the route's source address | TUN_SRC4 on an IPv6 service | SERVICE_SET SERVICE{ $SVC6 @TUN_SRC4=10.0.9.1 }
EINVAL | only the service's key (protocol, address and port, or fwmark) may be given here | PREFIX_LEN6 in SERVICE_DEL | SERVICE_DEL @SERVICE{ $SVC6 PREFIX_LEN6=64 }
EINVAL | real server address family must match the service | ADDR4 dest on an IPv6 service | DEST_NEW SERVICE{ $SVC6 } DEST{ @ADDR4=$SUBNET.12 }
EINVAL | real server address must be a unicast address | IPv6 dest fe80::12 | DEST_NEW SERVICE{ $SVC6 } DEST{ @ADDR6=fe80::12 }
EEXIST | real server already exists | the IPv6 real server again | DEST_NEW SERVICE{ $SVC6 } DEST{ ADDR6=2001:db8::11 }
EOPNOTSUPP | an IPv6 real server is tunnelled by IPIP (IPv6 in IPv6) only | GUE to an IPv6 real server | DEST_NEW SERVICE{ $SVC6 } DEST{ ADDR6=2001:db8::12 FWD_METHOD=2 @TUN_TYPE=2 TUN_PORT=6080 }
EOPNOTSUPP | an IPv6 real server is tunnelled by IPIP (IPv6 in IPv6) only | GRE for the IPv6 real server (DEST_SET) | DEST_SET SERVICE{ $SVC6 } DEST{ ADDR6=2001:db8::11 FWD_METHOD=2 @TUN_TYPE=3 }
EINVAL | fwmark must be 1-4294967295 | FWMARK 0 (SERVICE_NEW) | SERVICE_NEW SERVICE{ @FWMARK=0 }
EINVAL | a fwmark service is named by its mark alone, without protocol, address or port | FWMARK next to a full key (SERVICE_DEL) | SERVICE_DEL SERVICE{ $SVC @FWMARK=1 }
EINVAL | a fwmark service is named by its mark alone, without protocol, address or port | FWMARK with a protocol (SERVICE_NEW) | SERVICE_NEW SERVICE{ PROTOCOL=6 @FWMARK=1 }
ESRCH | service not found | unknown FWMARK (SERVICE_DEL) | SERVICE_DEL @SERVICE{ FWMARK=4294967295 }

# Service options.
EINVAL | Attribute failed policy validation | SCHED_NAME without its NUL | SERVICE_NEW SERVICE{ $NEW @SCHED_NAME=strn:rr }
EINVAL | Attribute failed policy validation | SCHED_NAME of 16 characters | SERVICE_NEW SERVICE{ $NEW @SCHED_NAME=abcdefghijklmnop }
EINVAL | Attribute failed policy validation | SCHED_NAME of 40 characters | SERVICE_NEW SERVICE{ $NEW @SCHED_NAME=abcdefghijklmnopabcdefghijklmnopabcdefgh }
ENOENT | unknown scheduler | SCHED_NAME of 15 characters, unknown | SERVICE_NEW SERVICE{ $NEW @SCHED_NAME=abcdefghijklmno }
ENOENT | unknown scheduler | SCHED_NAME dh (IPVS has it, dsr not) | SERVICE_NEW SERVICE{ $NEW @SCHED_NAME=dh }
ENOENT | unknown scheduler | SCHED_NAME MH (names are lower case) | SERVICE_NEW SERVICE{ $NEW @SCHED_NAME=MH }
ENOENT | unknown scheduler | SCHED_NAME empty | SERVICE_NEW SERVICE{ $NEW @SCHED_NAME= }
ENOENT | unknown scheduler | SERVICE_SET to an unknown scheduler | SERVICE_SET SERVICE{ $SVC @SCHED_NAME=dh }
EINVAL | reserved bit set | FLAGS 16 (the first unknown bit) | SERVICE_NEW SERVICE{ $NEW @FLAGS=16 }
EINVAL | reserved bit set | FLAGS 0x1f (known bits and an unknown one) | SERVICE_NEW SERVICE{ $NEW @FLAGS=0x1f }
EINVAL | reserved bit set | FLAGS 16 (SERVICE_SET) | SERVICE_SET SERVICE{ $SVC @FLAGS=16 }
EINVAL | reserved bit set | FLAGS 0x80000000 (SERVICE_SET) | SERVICE_SET SERVICE{ $SVC @FLAGS=0x80000000 }
EINVAL | reserved bit set | FLAGS in a dump request | SERVICE_GET +dump SERVICE{ $SVC @FLAGS=16 }
EINVAL | one-packet scheduling is only for UDP services | FLAGS onepacket on a TCP service | SERVICE_NEW SERVICE{ $NEW @FLAGS=8 }
EINVAL | one-packet scheduling is only for UDP services | FLAGS onepacket on a TCP service (SERVICE_SET) | SERVICE_SET SERVICE{ $SVC @FLAGS=8 }
EINVAL | one-packet scheduling and stateless exclude each other | FLAGS onepacket and stateless | SERVICE_NEW SERVICE{ PROTOCOL=17 ADDR4=$SUBNET.101 PORT=53 @FLAGS=12 }
EINVAL | invalid attribute length | FLAGS of 8 bytes | SERVICE_NEW SERVICE{ $NEW @FLAGS=u64:1 }
ERANGE/EINVAL | * | SCHED_TABLE 6 (below DSR_SCHED_TABLE_MIN) | SERVICE_NEW SERVICE{ $NEW @SCHED_TABLE=6 }
ERANGE/EINVAL | * | SCHED_TABLE 1 | SERVICE_NEW SERVICE{ $NEW SCHED_NAME=mh @SCHED_TABLE=1 }
ERANGE/EINVAL | * | SCHED_TABLE 1048574 (above DSR_SCHED_TABLE_MAX) | SERVICE_NEW SERVICE{ $NEW @SCHED_TABLE=1048574 }
ERANGE/EINVAL | * | SCHED_TABLE 1048583 (a prime above DSR_SCHED_TABLE_MAX) | SERVICE_NEW SERVICE{ $NEW @SCHED_TABLE=1048583 }
ERANGE/EINVAL | * | SCHED_TABLE 0xffffffff (SERVICE_SET) | SERVICE_SET SERVICE{ $SVC @SCHED_TABLE=0xffffffff }
EINVAL | prime | SCHED_TABLE 65536 (not a prime) | SERVICE_NEW SERVICE{ $NEW SCHED_NAME=mh @SCHED_TABLE=65536 }
EINVAL | prime | SCHED_TABLE 65535 (odd, not a prime) | SERVICE_NEW SERVICE{ $NEW @SCHED_TABLE=65535 }
EINVAL | prime | SCHED_TABLE 9 (3 * 3) | SERVICE_NEW SERVICE{ $NEW @SCHED_TABLE=9 }
EINVAL | prime | SCHED_TABLE 1048569 (odd, in range, 3 * 349523) in SERVICE_SET | SERVICE_SET SERVICE{ $SVC @SCHED_TABLE=1048569 }
EINVAL | invalid attribute length | SCHED_TABLE of 2 bytes | SERVICE_NEW SERVICE{ $NEW @SCHED_TABLE=u16:251 }
EINVAL | only the service's key (protocol, address and port, or fwmark) may be given here | SCHED_TABLE in SERVICE_DEL | SERVICE_DEL @SERVICE{ $SVC SCHED_TABLE=251 }
ERANGE | integer out of range | TIMEOUT 2678401 (persistence above 31 days) | SERVICE_NEW SERVICE{ $NEW @TIMEOUT=2678401 }
ERANGE | integer out of range | TIMEOUT 0xffffffff in SERVICE_SET | SERVICE_SET SERVICE{ $SVC @TIMEOUT=0xffffffff }
EINVAL | invalid attribute length | TIMEOUT of 2 bytes | SERVICE_NEW SERVICE{ $NEW @TIMEOUT=u16:300 }
EINVAL | stateless service cannot be persistent | TIMEOUT with FLAGS stateless | SERVICE_NEW SERVICE{ $NEW FLAGS=4 @TIMEOUT=300 }
EINVAL | netmask must be contiguous | NETMASK 255.0.255.0 | SERVICE_NEW SERVICE{ $NEW TIMEOUT=300 @NETMASK=255.0.255.0 }
EINVAL | netmask must be contiguous | NETMASK 0.0.0.255 in SERVICE_SET | SERVICE_SET SERVICE{ $SVC @NETMASK=0.0.0.255 }
ERANGE | binary attribute size out of range | NETMASK of 3 bytes | SERVICE_NEW SERVICE{ $NEW TIMEOUT=300 @NETMASK=hex:ffffff }
EINVAL | only the service's key (protocol, address and port, or fwmark) may be given here | NETMASK in SERVICE_DEL | SERVICE_DEL @SERVICE{ $SVC NETMASK=255.255.255.0 }
EINVAL | Attribute failed policy validation | PE_NAME without its NUL | SERVICE_NEW SERVICE{ PROTOCOL=17 ADDR4=$SUBNET.101 PORT=5060 @PE_NAME=strn:sip }
EINVAL | Attribute failed policy validation | PE_NAME of 16 characters | SERVICE_NEW SERVICE{ PROTOCOL=17 ADDR4=$SUBNET.101 PORT=5060 @PE_NAME=abcdefghijklmnop }
EINVAL | unknown persistence engine (dsr has sip) | PE_NAME h323 | SERVICE_NEW SERVICE{ PROTOCOL=17 ADDR4=$SUBNET.101 PORT=5060 @PE_NAME=h323 }
EINVAL | unknown persistence engine (dsr has sip) | PE_NAME SIP (names are lower case) | SERVICE_SET SERVICE{ $SVC @PE_NAME=SIP }
EINVAL | the sip persistence engine reads UDP datagrams: not for a TCP service | PE_NAME sip for a TCP service | SERVICE_NEW SERVICE{ $NEW TIMEOUT=60 @PE_NAME=sip }
EINVAL | the sip persistence engine reads UDP datagrams: not for a TCP service | PE_NAME sip on the TCP service (SERVICE_SET) | SERVICE_SET SERVICE{ $SVC @PE_NAME=sip }
EINVAL | only the service's key (protocol, address and port, or fwmark) may be given here | PE_NAME in SERVICE_DEL | SERVICE_DEL @SERVICE{ $SVC PE_NAME=sip }

# Destinations.
ERANGE | integer out of range | weight 65536 | DEST_NEW SERVICE{ $SVC } DEST{ $RS2 @WEIGHT=65536 }
ERANGE | integer out of range | hook 0 | CONFIG_SET INFO{ @HOOK=0 }
ERANGE | integer out of range | hook 3 | CONFIG_SET INFO{ @HOOK=3 }
ERANGE | integer out of range | service limit 0 | CONFIG_SET INFO{ @SERVICE_MAX=0 }
ERANGE | integer out of range | service limit 65537 | CONFIG_SET INFO{ @SERVICE_MAX=65537 }
ERANGE | integer out of range | real-server limit 0 | CONFIG_SET INFO{ @DEST_MAX=0 }
ERANGE | integer out of range | real-server limit 4097 | CONFIG_SET INFO{ @DEST_MAX=4097 }
EINVAL | invalid attribute length | hook of 4 bytes | CONFIG_SET INFO{ @HOOK=u32:1 }
ERANGE | integer out of range | weight 0xffffffff | DEST_NEW SERVICE{ $SVC } DEST{ $RS2 @WEIGHT=0xffffffff }
ERANGE | integer out of range | weight 65536 in DEST_SET | DEST_SET SERVICE{ $SVC } DEST{ ADDR4=$SUBNET.11 @WEIGHT=65536 }
ERANGE | integer out of range | weight 0xffffffff in DEST_DEL | DEST_DEL SERVICE{ $SVC } DEST{ ADDR4=$SUBNET.11 @WEIGHT=0xffffffff }
ERANGE | integer out of range | forwarding method 0 | DEST_NEW SERVICE{ $SVC } DEST{ $RS2 @FWD_METHOD=0 }
ERANGE | integer out of range | forwarding method 3 | DEST_NEW SERVICE{ $SVC } DEST{ $RS2 @FWD_METHOD=3 }
EINVAL | tunnel options need tunnel forwarding | TUN_TYPE on a DR real server | DEST_NEW SERVICE{ $SVC } DEST{ $RS2 @TUN_TYPE=1 }
EINVAL | tunnel options need tunnel forwarding | TUN_PORT on a DR real server | DEST_NEW SERVICE{ $SVC } DEST{ $RS2 FWD_METHOD=1 @TUN_PORT=6080 }
EINVAL | tunnel options need tunnel forwarding | TUN_FLAGS in DEST_SET of a DR real server | DEST_SET SERVICE{ $SVC } DEST{ ADDR4=$SUBNET.11 @TUN_FLAGS=1 }
ERANGE | integer out of range | TUN_TYPE 0 | DEST_NEW SERVICE{ $SVC } DEST{ $RS2 FWD_METHOD=2 @TUN_TYPE=0 }
ERANGE | integer out of range | TUN_TYPE 4 | DEST_NEW SERVICE{ $SVC } DEST{ $RS2 FWD_METHOD=2 @TUN_TYPE=4 }
EINVAL | a tunnel port is only for GUE | TUN_PORT on an IPIP real server | DEST_NEW SERVICE{ $SVC } DEST{ $RS2 FWD_METHOD=2 @TUN_PORT=6080 }
EINVAL | a tunnel port is only for GUE | TUN_PORT on a GRE real server | DEST_NEW SERVICE{ $SVC } DEST{ $RS2 FWD_METHOD=2 TUN_TYPE=3 @TUN_PORT=6080 }
EINVAL | a GUE tunnel needs its destination port, 1-65535 | GUE without TUN_PORT | DEST_NEW SERVICE{ $SVC } DEST{ $RS2 FWD_METHOD=2 TUN_TYPE=2 }
EINVAL | a GUE tunnel needs its destination port, 1-65535 | GUE with TUN_PORT 0 | DEST_NEW SERVICE{ $SVC } DEST{ $RS2 FWD_METHOD=2 TUN_TYPE=2 @TUN_PORT=0 }
EINVAL | IP-in-IP has no checksum of its own | TUN_FLAGS csum on IPIP | DEST_NEW SERVICE{ $SVC } DEST{ $RS2 FWD_METHOD=2 @TUN_FLAGS=1 }
EINVAL | reserved bit set | TUN_FLAGS 2 | DEST_NEW SERVICE{ $SVC } DEST{ $RS2 FWD_METHOD=2 TUN_TYPE=3 @TUN_FLAGS=2 }
EINVAL | Attribute failed policy validation | DSR_A_DEST_TUN_PMTU in DEST_NEW | DEST_NEW SERVICE{ $SVC } DEST{ $RS2 @TUN_PMTU=1400 }
EINVAL | Attribute failed policy validation | DSR_A_DEST_PERSIST_FLOWS in DEST_NEW | DEST_NEW SERVICE{ $SVC } DEST{ $RS2 @PERSIST_FLOWS=0 }
ERANGE | lower connection threshold above the upper one | L_THRESHOLD without U_THRESHOLD | DEST_NEW SERVICE{ $SVC } DEST{ $RS2 @L_THRESHOLD=5 }
ERANGE | lower connection threshold above the upper one | L_THRESHOLD 6 above U_THRESHOLD 5 | DEST_NEW SERVICE{ $SVC } DEST{ $RS2 U_THRESHOLD=5 @L_THRESHOLD=6 }
ERANGE | lower connection threshold above the upper one | U_THRESHOLD 0 under a lower one (DEST_SET) | DEST_SET SERVICE{ $SVC } DEST{ ADDR4=$SUBNET.11 U_THRESHOLD=0 @L_THRESHOLD=1 }
EINVAL | invalid attribute length | U_THRESHOLD of 2 bytes | DEST_NEW SERVICE{ $SVC } DEST{ $RS2 @U_THRESHOLD=u16:5 }
EINVAL | only the real server's address and port may be given when deleting it | U_THRESHOLD in DEST_DEL | DEST_DEL SERVICE{ $SVC } @DEST{ ADDR4=$SUBNET.11 U_THRESHOLD=5 }
EINVAL | tunnel source must be a unicast address | TUN_SRC4 224.0.0.1 | SERVICE_NEW SERVICE{ $NEW @TUN_SRC4=224.0.0.1 }
ERANGE | binary attribute size out of range | TUN_SRC4 of 3 bytes | SERVICE_NEW SERVICE{ $NEW @TUN_SRC4=hex:0a0000 }
ERANGE | integer out of range | TUN_SRC_PLEN 0 | SERVICE_NEW SERVICE{ $NEW TUN_SRC4=10.0.9.0 @TUN_SRC_PLEN=0 }
ERANGE | integer out of range | TUN_SRC_PLEN 33 | SERVICE_SET SERVICE{ $SVC TUN_SRC4=10.0.9.0 @TUN_SRC_PLEN=33 }
EINVAL | a tunnel source prefix needs a tunnel source address | TUN_SRC_PLEN alone | SERVICE_NEW SERVICE{ $NEW @TUN_SRC_PLEN=24 }
EINVAL | a tunnel source prefix needs a tunnel source address | TUN_SRC_PLEN with TUN_SRC4 0.0.0.0 | SERVICE_SET SERVICE{ $SVC TUN_SRC4=0.0.0.0 @TUN_SRC_PLEN=24 }
EINVAL | only the service's key (protocol, address and port, or fwmark) may be given here | TUN_SRC4 in SERVICE_DEL | SERVICE_DEL @SERVICE{ $SVC TUN_SRC4=10.0.9.1 }
EINVAL | the real server port must equal the service port | dest port 8080 on a port 80 service | DEST_NEW SERVICE{ $SVC } DEST{ $RS2 @PORT=8080 }
EINVAL | real server address family must match the service | ADDR6 dest on an IPv4 service | DEST_NEW SERVICE{ $SVC } DEST{ @ADDR6=2001:db8::12 }
EINVAL | real server needs exactly one address, IPv4 or IPv6 | dest with both ADDR4 and ADDR6 | DEST_NEW SERVICE{ $SVC } DEST{ $RS2 ADDR6=2001:db8::12 }
EINVAL | real server needs exactly one address, IPv4 or IPv6 | dest without an address | DEST_NEW SERVICE{ $SVC } DEST{ PORT=80 }
EINVAL | real server address must be a unicast address | dest 0.0.0.0 | DEST_NEW SERVICE{ $SVC } DEST{ @ADDR4=0.0.0.0 }
EINVAL | real server address must be a unicast address | dest 224.0.0.1 | DEST_NEW SERVICE{ $SVC } DEST{ @ADDR4=224.0.0.1 }
EINVAL | real server address must be a unicast address | dest 255.255.255.255 | DEST_NEW SERVICE{ $SVC } DEST{ @ADDR4=255.255.255.255 }
EINVAL | real server address must be a unicast address | dest 127.0.0.1 | DEST_NEW SERVICE{ $SVC } DEST{ @ADDR4=127.0.0.1 }

# Existing and missing objects.
EEXIST | service already exists | duplicate service | SERVICE_NEW SERVICE{ $SVC }
EEXIST | real server already exists | duplicate destination | DEST_NEW SERVICE{ $SVC } DEST{ ADDR4=$SUBNET.11 PORT=80 }
EEXIST | real server already exists | duplicate destination (port 0 = the service's) | DEST_NEW SERVICE{ $SVC } DEST{ ADDR4=$SUBNET.11 PORT=0 }
ESRCH | service not found | SERVICE_DEL of an unknown service | SERVICE_DEL @SERVICE{ $NOSVC }
ESRCH | service not found | SERVICE_DEL of UDP on the TCP service's address | SERVICE_DEL @SERVICE{ PROTOCOL=17 ADDR4=$VIP PORT=80 }
ESRCH | service not found | SERVICE_SET of an unknown service | SERVICE_SET @SERVICE{ $NOSVC }
ESRCH | service not found | SERVICE_GET of an unknown service | SERVICE_GET @SERVICE{ $NOSVC }
ESRCH | service not found | DEST_NEW on an unknown service | DEST_NEW @SERVICE{ $NOSVC } DEST{ $RS2 }
ESRCH | service not found | DEST_GET dump of an unknown service | DEST_GET +dump SERVICE{ $NOSVC }
ESRCH | service not found | ZERO of an unknown service | ZERO @SERVICE{ $NOSVC }
ESRCH | real server not found | DEST_SET of an unknown destination | DEST_SET SERVICE{ $SVC } DEST{ $RS2 WEIGHT=3 }
ESRCH | real server not found | DEST_DEL of an unknown destination | DEST_DEL SERVICE{ $SVC } DEST{ $RS2 }

# Requests that only name an object carry its key and nothing else.
EINVAL | only the service's key (protocol, address and port, or fwmark) may be given here | scheduler in SERVICE_DEL | SERVICE_DEL @SERVICE{ $SVC SCHED_NAME=rr }
EINVAL | only the service's key (protocol, address and port, or fwmark) may be given here | TIMEOUT in SERVICE_DEL | SERVICE_DEL @SERVICE{ $SVC TIMEOUT=300 }
EINVAL | only the service's key (protocol, address and port, or fwmark) may be given here | scheduler in the service of DEST_NEW | DEST_NEW @SERVICE{ $SVC SCHED_NAME=rr } DEST{ $RS2 }
EINVAL | only the service's key (protocol, address and port, or fwmark) may be given here | FLAGS in ZERO | ZERO @SERVICE{ $SVC FLAGS=0 }
EINVAL | only the real server's address and port may be given when deleting it | weight in DEST_DEL | DEST_DEL SERVICE{ $SVC } @DEST{ ADDR4=$SUBNET.11 WEIGHT=1 }
EINVAL | only the real server's address and port may be given when deleting it | TUN method in DEST_DEL | DEST_DEL SERVICE{ $SVC } @DEST{ ADDR4=$SUBNET.11 FWD_METHOD=2 }
EINVAL | only the real server's address and port may be given when deleting it | TUN_TYPE in DEST_DEL | DEST_DEL SERVICE{ $SVC } @DEST{ ADDR4=$SUBNET.11 TUN_TYPE=1 }

# Tunables.
ERANGE | integer out of range | FLOW_MAX 0 | CONFIG_SET INFO{ @FLOW_MAX=0 }
ERANGE | integer out of range | FLOW_MAX 2^26 + 1 | CONFIG_SET INFO{ @FLOW_MAX=0x4000001 }
ERANGE | integer out of range | FLOW_MAX 0xffffffff | CONFIG_SET INFO{ @FLOW_MAX=0xffffffff }
ERANGE | integer out of range | TIMEOUT_TCP 0 | CONFIG_SET INFO{ @TIMEOUT_TCP=0 }
ERANGE | integer out of range | TIMEOUT_TCP_FIN 0 | CONFIG_SET INFO{ @TIMEOUT_TCP_FIN=0 }
ERANGE | integer out of range | TIMEOUT_TCP_SYN 0 | CONFIG_SET INFO{ @TIMEOUT_TCP_SYN=0 }
ERANGE | integer out of range | TIMEOUT_TCP_SYN one week + 1 s | CONFIG_SET INFO{ @TIMEOUT_TCP_SYN=604801 }
ERANGE | integer out of range | TIMEOUT_TCP_CLOSE 0 | CONFIG_SET INFO{ @TIMEOUT_TCP_CLOSE=0 }
ERANGE | integer out of range | TIMEOUT_TCP_CLOSE 0xffffffff | CONFIG_SET INFO{ @TIMEOUT_TCP_CLOSE=0xffffffff }
EINVAL | invalid attribute length | TIMEOUT_TCP_SYN of 2 bytes | CONFIG_SET INFO{ @TIMEOUT_TCP_SYN=u16:30 }
ERANGE | host | FLOW_MAX above the host cap (flow_max_host $HOST_CAP + 1) | CONFIG_SET INFO{ @FLOW_MAX=$((HOST_CAP + 1)) }
ERANGE | host | FLOW_MAX above the host cap, next to a good timeout | CONFIG_SET INFO{ TIMEOUT_UDP=1234 @FLOW_MAX=$((HOST_CAP + 1)) }
ERANGE | integer out of range | TIMEOUT_UDP 0 | CONFIG_SET INFO{ @TIMEOUT_UDP=0 }
ERANGE | integer out of range | TIMEOUT_UDP one week + 1 s | CONFIG_SET INFO{ @TIMEOUT_UDP=604801 }
ERANGE | integer out of range | a bad value next to a good one sets neither | CONFIG_SET INFO{ TIMEOUT_TCP=100 @TIMEOUT_UDP=0 }
EOF

# The rejected CONFIG_SETs with a good value next to a bad one must not have
# set the good one (TIMEOUT_TCP=100, TIMEOUT_UDP=1234): dsradm -Ln does not
# show the tunables, so compare what INFO_GET says of every one.
tunables()
{
	grep -E '^INFO\.(FLOW_MAX|FLOW_MAX_HOST|TIMEOUT_[A-Z_]+) ' <<<"$1"
}
tunables_unchanged()
{
	local out
	out=$(nl lb req INFO_GET) || { echo "$out"; return 1; }
	grep -qx 'INFO.TIMEOUT_TCP 900' <<<"$out" &&
		[ "$(tunables "$out")" = "$(tunables "$INFO_START")" ] && return 0
	echo "INFO_GET before the rejected CONFIG_SETs:"
	tunables "$INFO_START"
	echo "after:"
	tunables "$out"
	return 1
}
ktap_check "the rejected CONFIG_SETs left every tunable as it was" tunables_unchanged

# ---------------------------------------------------------------- accepted

# The same client's valid requests work, so the rejections above are the
# kernel's and not the client's.

# is_prime N
is_prime()
{
	local n=$1 d=3
	[ "$n" -ge 2 ] || return 1
	[ "$n" -eq 2 ] && return 0
	[ $((n % 2)) -ne 0 ] || return 1
	while [ $((d * d)) -le "$n" ]; do
		[ $((n % d)) -ne 0 ] || return 1
		d=$((d + 2))
	done
}

service_get_ok()
{
	local out want table digest
	out=$(nl lb req "SERVICE_GET SERVICE{ $SVC }") || { echo "$out"; return 1; }
	# The lookup table in use (rr with one real server: sized by the
	# kernel) is a prime; its digest is a u64, whatever its value.
	table=$(sed -n 's/^SERVICE\.SCHED_TABLE //p' <<<"$out")
	digest=$(sed -n 's/^SERVICE\.SCHED_DIGEST //p' <<<"$out")
	out=$(grep -Ev '^SERVICE\.SCHED_(TABLE|DIGEST) ' <<<"$out")
	if ! [[ $table =~ ^[0-9]+$ ]] || ! is_prime "$table" ||
	   [ "$table" -lt 7 ] || ! [[ $digest =~ ^[0-9]+$ ]]; then
		echo "SERVICE_GET: SCHED_TABLE '$table' (want a prime >= 7), SCHED_DIGEST '$digest' (want a number)"
		return 1
	fi
	want="SERVICE.PROTOCOL 6
SERVICE.PORT 80
SERVICE.ADDR4 $VIP
SERVICE.SCHED_NAME rr
SERVICE.FLAGS 0
SERVICE.TIMEOUT 0
SERVICE.NETMASK 255.255.255.255
SERVICE.DEST_COUNT 1
SERVICE.STATS.CONNS 0
SERVICE.STATS.PACKETS 0
SERVICE.STATS.BYTES 0"
	[ "$out" = "$want" ] && return 0
	echo "SERVICE_GET answered:"
	echo "$out"
	echo "want:"
	echo "$want"
	return 1
}
ktap_check "SERVICE_GET (do) returns the service with its attributes" service_get_ok

# sched_attr HOST SERVICE-KEY NAME - the value of SERVICE.NAME in SERVICE_GET
sched_attr()
{
	nl "$1" req "SERVICE_GET SERVICE{ $2 }" | sed -n "s/^SERVICE\.$3 //p"
}

# A new service gets the default scheduler, mh; SCHED_TABLE 0 (the
# default), the smallest and the largest prime are accepted and the flags
# defined so far too; a service without real servers uses no table (0).
sched_table_ok()
{
	local before after out v
	before=$(listing)
	out=$(nl lb req "SERVICE_NEW SERVICE{ $NEW }") || { echo "SERVICE_NEW: $out"; return 1; }
	v=$(sched_attr lb "$NEW" SCHED_NAME)
	[ "$v" = mh ] || { echo "default scheduler '$v', want mh"; return 1; }
	v=$(sched_attr lb "$NEW" SCHED_TABLE)
	[ "$v" = 0 ] || { echo "SCHED_TABLE of a service without real servers '$v', want 0"; return 1; }
	for v in "SCHED_TABLE=0" "SCHED_TABLE=7" "SCHED_TABLE=1048573" \
		 "SCHED_NAME=sh SCHED_TABLE=65537 FLAGS=3" \
		 "SCHED_NAME=mh FLAGS=4" "SCHED_NAME=wrr SCHED_TABLE=0 FLAGS=0"; do
		out=$(nl lb req "SERVICE_SET SERVICE{ $NEW $v }") ||
			{ echo "SERVICE_SET $v: $out"; return 1; }
	done
	v=$(sched_attr lb "$NEW" SCHED_NAME)
	[ "$v" = wrr ] || { echo "scheduler after SERVICE_SET '$v', want wrr"; return 1; }
	for v in mh rr wrr sh lc wlc; do
		out=$(nl lb req "SERVICE_SET SERVICE{ $NEW SCHED_NAME=$v }") ||
			{ echo "SERVICE_SET SCHED_NAME=$v: $out"; return 1; }
	done
	out=$(nl lb req "SERVICE_DEL SERVICE{ $NEW }") || { echo "SERVICE_DEL: $out"; return 1; }
	after=$(listing)
	[ "$before" = "$after" ] && return 0
	printf '%s\n' "-Ln before:" "$before" "-Ln after:" "$after"
	return 1
}
ktap_check "SERVICE_NEW defaults to mh; every scheduler, table size 0/7/1048573 and the flags are accepted" sched_table_ok

dest_get_ok()
{
	local out want
	out=$(nl lb req "DEST_GET +dump SERVICE{ $SVC }") || { echo "$out"; return 1; }
	want="SERVICE.PROTOCOL 6
SERVICE.PORT 80
SERVICE.ADDR4 $VIP
DEST.ADDR4 $SUBNET.11
DEST.PORT 80
DEST.FWD_METHOD 1
DEST.WEIGHT 1
DEST.ACTIVE_FLOWS 0
DEST.INACTIVE_FLOWS 0
DEST.STATS.CONNS 0
DEST.STATS.PACKETS 0
DEST.STATS.BYTES 0
DEST.TUN_PMTU 0
DEST.U_THRESHOLD 0
DEST.L_THRESHOLD 0
DEST.PERSIST_FLOWS 0"
	[ "$out" = "$want" ] && return 0
	echo "DEST_GET answered:"
	echo "$out"
	echo "want:"
	echo "$want"
	return 1
}
ktap_check "DEST_GET (dump) returns the one destination" dest_get_ok

info_ok()
{
	local out
	out=$(nl lb req INFO_GET) || { echo "$out"; return 1; }
	grep -qx 'INFO.VERSION 0.1.0' <<<"$out" &&
		grep -qx 'INFO.SERVICE_COUNT 2' <<<"$out" && return 0
	echo "INFO_GET answered:"
	echo "$out"
	return 1
}
ktap_check "INFO_GET returns version 0.1.0 and two services (IPv4 and IPv6)" info_ok

# An IPv6 service reports its address and its persistence prefix length
# (128 by default), not an IPv4 netmask.
service6_get_ok()
{
	local out
	out=$(nl lb req "SERVICE_GET SERVICE{ $SVC6 }") || { echo "$out"; return 1; }
	grep -qx 'SERVICE.ADDR6 2001:db8::100' <<<"$out" &&
		grep -qx 'SERVICE.PREFIX_LEN6 128' <<<"$out" &&
		! grep -q '^SERVICE\.\(NETMASK\|ADDR4\|FAMILY\) ' <<<"$out" && return 0
	echo "SERVICE_GET of the IPv6 service answered:"
	echo "$out"
	return 1
}
ktap_check "SERVICE_GET of an IPv6 service: ADDR6 and PREFIX_LEN6 128, no NETMASK" service6_get_ok

# Fwmark services of both families share a mark and stay apart: each is
# named by (mark, family), as ipvsadm -f 7 and -f 7 -6 name them.
fwmark_families_ok()
{
	local out4 out6 count
	nl lb req "SERVICE_NEW SERVICE{ FWMARK=7 }" &&
		nl lb req "SERVICE_NEW SERVICE{ FWMARK=7 FAMILY=10 PREFIX_LEN6=64 TIMEOUT=60 }" ||
		return 1
	out4=$(nl lb req "SERVICE_GET SERVICE{ FWMARK=7 }") || { echo "$out4"; return 1; }
	out6=$(nl lb req "SERVICE_GET SERVICE{ FWMARK=7 FAMILY=10 }") || { echo "$out6"; return 1; }
	nl lb req "SERVICE_DEL SERVICE{ FWMARK=7 FAMILY=10 }" &&
		nl lb req "SERVICE_DEL SERVICE{ FWMARK=7 FAMILY=2 }" || return 1
	count=$(nl lb req INFO_GET | sed -n 's/^INFO\.SERVICE_COUNT //p')
	grep -qx 'SERVICE.FAMILY 2' <<<"$out4" &&
		grep -qx 'SERVICE.NETMASK 255.255.255.255' <<<"$out4" &&
		grep -qx 'SERVICE.FAMILY 10' <<<"$out6" &&
		grep -qx 'SERVICE.PREFIX_LEN6 64' <<<"$out6" &&
		grep -qx 'SERVICE.TIMEOUT 60' <<<"$out6" &&
		[ "$count" = 2 ] && return 0
	echo "fwmark 7 (IPv4):"
	echo "$out4"
	echo "fwmark 7 (IPv6):"
	echo "$out6"
	echo "services after deleting both: $count (want 2)"
	return 1
}
ktap_check "fwmark 7 for IPv4 and for IPv6 are two services, each with its family" fwmark_families_ok

# The flow-table counters and the host cap are in every INFO_GET reply.
info_flow_ok()
{
	local out a missing=
	out=$(nl lb req INFO_GET) || { echo "$out"; return 1; }
	for a in FLOW_MAX_HOST TIMEOUT_TCP_SYN TIMEOUT_TCP_CLOSE FLOW_INSERTS \
		 FLOW_EVICTIONS FLOW_EXPIRIES FLOW_UNTRACKED FLOW_MIDSTREAM; do
		grep -Eqx "INFO\.$a [0-9]+" <<<"$out" || missing+=" $a"
	done
	[ -z "$missing" ] && return 0
	echo "INFO_GET lacks:$missing"
	echo "$out"
	return 1
}
ktap_check "INFO_GET reports the host cap, the new timeouts and the flow-table counters" info_flow_ok

# FLOW_GET is a dump; with no traffic there is no flow to list.
flow_get_ok()
{
	local out
	out=$(nl lb req "FLOW_GET +dump") || { echo "FLOW_GET: $out"; return 1; }
	[ -z "$out" ] && return 0
	echo "FLOW_GET dump without traffic answered:"
	echo "$out"
	return 1
}
ktap_check "FLOW_GET dump succeeds and lists no flow without traffic" flow_get_ok

dest_round_trip()
{
	local before during after out
	before=$(listing)
	out=$(nl lb req "DEST_NEW SERVICE{ $SVC } DEST{ $RS2 PORT=80 WEIGHT=7 }") ||
		{ echo "DEST_NEW: $out"; return 1; }
	during=$(listing)
	grep -Eq "^  -> ${SUBNET//./\\.}\.12:80 +Route +7 " <<<"$during" ||
		{ echo "after DEST_NEW, -Ln does not list $SUBNET.12:80 weight 7:"; echo "$during"; return 1; }
	out=$(nl lb req "DEST_DEL SERVICE{ $SVC } DEST{ $RS2 }") ||
		{ echo "DEST_DEL: $out"; return 1; }
	after=$(listing)
	[ "$before" = "$after" ] && return 0
	echo "-Ln before DEST_NEW:"
	echo "$before"
	echo "-Ln after DEST_DEL:"
	echo "$after"
	return 1
}
ktap_check "DEST_NEW then DEST_DEL of a second real server round-trips" dest_round_trip

config_set_ok()
{
	local out
	out=$(nl lb req "CONFIG_SET INFO{ TIMEOUT_UDP=1234 }") || { echo "$out"; return 1; }
	out=$(nl lb req INFO_GET) || { echo "$out"; return 1; }
	grep -qx 'INFO.TIMEOUT_UDP 1234' <<<"$out" ||
		{ echo "INFO_GET after CONFIG_SET TIMEOUT_UDP=1234:"; echo "$out"; return 1; }
	nl lb req "CONFIG_SET INFO{ TIMEOUT_UDP=300 }"
}
ktap_check "CONFIG_SET TIMEOUT_UDP=1234 shows in INFO_GET" config_set_ok

config_set_new_ok()
{
	local out
	out=$(nl lb req "CONFIG_SET INFO{ TIMEOUT_TCP_SYN=7 TIMEOUT_TCP_CLOSE=604800 FLOW_MAX=$HOST_CAP }") ||
		{ echo "$out"; return 1; }
	out=$(nl lb req INFO_GET) || { echo "$out"; return 1; }
	if ! grep -qx 'INFO.TIMEOUT_TCP_SYN 7' <<<"$out" ||
	   ! grep -qx 'INFO.TIMEOUT_TCP_CLOSE 604800' <<<"$out" ||
	   ! grep -qx "INFO.FLOW_MAX $HOST_CAP" <<<"$out"; then
		echo "INFO_GET after the CONFIG_SET:"
		echo "$out"
		return 1
	fi
	# Back to the values of the start.
	out=$(tunables "$INFO_START" |
		sed -n 's/^INFO\.\(FLOW_MAX\|TIMEOUT_TCP_SYN\|TIMEOUT_TCP_CLOSE\) /\1=/p' |
		tr '\n' ' ')
	nl lb req "CONFIG_SET INFO{ $out}"
}
ktap_check "CONFIG_SET TIMEOUT_TCP_SYN, TIMEOUT_TCP_CLOSE and FLOW_MAX = the host cap show in INFO_GET" config_set_new_ok

# ---------------------------------------------------------------- permissions

# Without CAP_NET_ADMIN every command is refused before its attributes are
# looked at (genetlink core: EPERM, no message); the snapshot is the
# caller's business here, since the caller cannot list.
before=$(listing)
run_table in_ns lb "${NOBODY[@]}" --bounding-set=-all "${NL[@]}" run <<EOF
EPERM | - | no CAP_NET_ADMIN: SERVICE_NEW | SERVICE_NEW SERVICE{ $NEW }
EPERM | - | no CAP_NET_ADMIN: SERVICE_SET | SERVICE_SET SERVICE{ $SVC SCHED_NAME=rr }
EPERM | - | no CAP_NET_ADMIN: SERVICE_DEL | SERVICE_DEL SERVICE{ $SVC }
EPERM | - | no CAP_NET_ADMIN: SERVICE_GET (do) | SERVICE_GET SERVICE{ $SVC }
EPERM | - | no CAP_NET_ADMIN: SERVICE_GET (dump) | SERVICE_GET +dump
EPERM | - | no CAP_NET_ADMIN: DEST_NEW | DEST_NEW SERVICE{ $SVC } DEST{ $RS2 }
EPERM | - | no CAP_NET_ADMIN: DEST_SET | DEST_SET SERVICE{ $SVC } DEST{ ADDR4=$SUBNET.11 WEIGHT=0 }
EPERM | - | no CAP_NET_ADMIN: DEST_DEL | DEST_DEL SERVICE{ $SVC } DEST{ ADDR4=$SUBNET.11 }
EPERM | - | no CAP_NET_ADMIN: DEST_GET (dump) | DEST_GET +dump SERVICE{ $SVC }
EPERM | - | no CAP_NET_ADMIN: FLUSH | FLUSH
EPERM | - | no CAP_NET_ADMIN: ZERO | ZERO
EPERM | - | no CAP_NET_ADMIN: INFO_GET | INFO_GET
EPERM | - | no CAP_NET_ADMIN: CONFIG_SET | CONFIG_SET INFO{ TIMEOUT_UDP=10 }
EPERM | - | no CAP_NET_ADMIN: FLOW_GET (dump) | FLOW_GET +dump
EPERM | - | no CAP_NET_ADMIN: FLOW_FLUSH | FLOW_FLUSH
EPERM | - | no CAP_NET_ADMIN: FLUSH with garbage (EPERM before validation) | FLUSH !deadbeef
EOF
after=$(listing)
unchanged()
{
	[ "$before" = "$after" ] && return 0
	printf '%s\n' "-Ln before:" "$before" "-Ln after:" "$after"
	return 1
}
ktap_check "the refused requests changed nothing" unchanged

# join_refused HOST - nobody may not listen to the events group
join_refused()
{
	local out rc=0
	out=$(in_ns "$1" "${NOBODY[@]}" --bounding-set=-all "${NL[@]}" join events 2>&1) || rc=$?
	[ "$rc" -eq 1 ] && [[ $out == "error EPERM:"* ]] && return 0
	echo "join as nobody: exit $rc: $out"
	return 1
}
ktap_check "no CAP_NET_ADMIN: joining the events group is refused (EPERM)" join_refused lb

join_ok()
{
	local out
	out=$(nl lb join events 2>&1) && [ "$out" = "joined events" ] && return 0
	echo "join as root: $out"
	return 1
}
ktap_check "root joins the events group" join_ok

# Every change is announced on the events group, in order, with the
# object it concerns; a flush announces each service it deletes. In a
# namespace of its own, so that -C does not touch lb.
setup_ns ev
events_ok()
{
	local pid want got
	nl ev listen --count 7 --timeout 15 --ready "$TMP_DIR/ev.ready" \
		>"$TMP_DIR/ev.out" 2>&1 &
	pid=$!
	busywait 10000 test -e "$TMP_DIR/ev.ready" || { echo "listener did not join"; return 1; }
	adm ev -A -t "$SUBNET.150:80" -s rr &&
	adm ev -a -t "$SUBNET.150:80" -r "$SUBNET.31:80" -g -w 2 &&
	adm ev -e -t "$SUBNET.150:80" -r "$SUBNET.31:80" -g -w 3 &&
	adm ev -d -t "$SUBNET.150:80" -r "$SUBNET.31:80" &&
	adm ev -D -t "$SUBNET.150:80" &&
	adm ev -A -u "$SUBNET.151:53" -s rr &&
	adm ev -C || return 1
	wait "$pid"
	want="SERVICE_NEW_NTF $SUBNET.150:80
DEST_NEW_NTF $SUBNET.31 weight 2
DEST_NEW_NTF $SUBNET.31 weight 3
DEST_DEL_NTF $SUBNET.31 weight 3
SERVICE_DEL_NTF $SUBNET.150:80
SERVICE_NEW_NTF $SUBNET.151:53
SERVICE_DEL_NTF $SUBNET.151:53"
	got=$(awk '{
		addr = ""; port = ""; dest = ""; weight = ""
		for (i = 2; i <= NF; i++) {
			if ($i == "SERVICE.ADDR4") addr = $(i + 1)
			if ($i == "SERVICE.PORT") port = $(i + 1)
			if ($i == "DEST.ADDR4") dest = $(i + 1)
			if ($i == "DEST.WEIGHT") weight = $(i + 1)
		}
		if (dest != "") print $1, dest, "weight", weight
		else print $1, addr ":" port
	}' "$TMP_DIR/ev.out")
	[ "$got" = "$want" ] && return 0
	echo "events received:"
	cat "$TMP_DIR/ev.out"
	echo "want (summarised):"
	echo "$want"
	return 1
}
ktap_check "each change is announced on the events group, in order" events_ok

# A user namespace's root may configure dsr in a network namespace that
# its user namespace owns, and only there. (The kernel refuses to create a
# user namespace for a chrooted process, root included, so a runner that
# chroots into the test's root cannot run this part.)
userns_ok()
{
	local err
	err=$("${NOBODY[@]}" unshare -Ur true 2>&1) && return 0
	if ! unshare -U true 2>/dev/null; then
		USERNS_WHY="root cannot create one either (a chroot?): $err"
	else
		USERNS_WHY="unprivileged user namespaces are disabled: $err"
	fi
	return 1
}

init_before=$("$DSRADM" -Ln 2>&1)
init_info=$("${NL[@]}" req INFO_GET)
before=$(listing)
if userns_ok; then
	run_table "${NOBODY[@]}" unshare -Ur "${NL[@]}" run <<EOF
EPERM | - | userns root, initial netns: SERVICE_NEW | SERVICE_NEW SERVICE{ $NEW }
EPERM | - | userns root, initial netns: INFO_GET | INFO_GET
EPERM | - | userns root, initial netns: CONFIG_SET | CONFIG_SET INFO{ TIMEOUT_UDP=10 }
EOF
	run_table "${NOBODY[@]}" unshare -Urn "${NL[@]}" run <<EOF
0 | - | userns root, own netns: SERVICE_NEW | SERVICE_NEW SERVICE{ $SVC }
0 | - | userns root, own netns: DEST_NEW | DEST_NEW SERVICE{ $SVC } DEST{ $RS2 }
0 | - | userns root, own netns: SERVICE_GET | SERVICE_GET SERVICE{ $SVC }
EEXIST | service already exists | userns root, own netns: the service is there | SERVICE_NEW SERVICE{ $SVC }
ESRCH | real server not found | userns root, own netns: only its own destination | DEST_DEL SERVICE{ $SVC } DEST{ ADDR4=$SUBNET.11 }
0 | - | userns root, own netns: CONFIG_SET | CONFIG_SET INFO{ TIMEOUT_UDP=10 }
EOF
	userns_join()
	{
		local out
		out=$("${NOBODY[@]}" unshare -Urn "${NL[@]}" join events 2>&1) &&
			[ "$out" = "joined events" ] && return 0
		echo "join as userns root in its own netns: $out"
		return 1
	}
	ktap_check "userns root, own netns: joins the events group" userns_join
else
	ktap_skip "an unprivileged user namespace configures its own netns"
	ktap_diag "no user namespace: $USERNS_WHY"
fi
init_unaffected()
{
	local out info
	out=$("$DSRADM" -Ln 2>&1)
	info=$("${NL[@]}" req INFO_GET)
	after=$(listing)
	[ "$out" = "$init_before" ] && [ "$info" = "$init_info" ] &&
		[ "$after" = "$before" ] && return 0
	printf '%s\n' "initial netns -Ln before:" "$init_before" "after:" "$out" \
		"initial netns INFO_GET before:" "$init_info" "after:" "$info" \
		"lb -Ln before:" "$before" "after:" "$after"
	return 1
}
ktap_check "the initial namespace and lb are unaffected by the user namespaces" init_unaffected

# ---------------------------------------------------------------- fuzz

setup_ns fuzz

# A dump bigger than one message buffer (the kernel fills at most ~32 KiB
# per datagram; each destination takes ~140 bytes): the client follows it
# to the end.
NDEST=400
many_dests()
{
	local i out n parts
	{
		echo "0 | - | service | SERVICE_NEW SERVICE{ $SVC }"
		for i in $(seq 0 $((NDEST - 1))); do
			echo "0 | - | dest $i | DEST_NEW SERVICE{ $SVC } DEST{ ADDR4=10.1.$((i / 200)).$((i % 200 + 1)) }"
		done
	} | nl fuzz run >"$TMP_DIR/many" || { cat "$TMP_DIR/many"; return 1; }
	! grep -v '^PASS' "$TMP_DIR/many" || return 1
	out=$(nl fuzz req --datagrams "DEST_GET +dump SERVICE{ $SVC }") || { echo "$out" | tail -1; return 1; }
	n=$(grep '^DEST.ADDR4 ' <<<"$out" | sort -u | wc -l)
	parts=$(sed -n 's/^datagrams //p' <<<"$out")
	[ "$n" -eq "$NDEST" ] && [ "$(grep -c '^--$' <<<"$out")" -eq $((NDEST - 1)) ] &&
		[ "$parts" -gt 1 ] && return 0
	echo "DEST_GET dump: $n distinct destinations in $parts datagrams, want $NDEST in more than one"
	return 1
}
ktap_check "DEST_GET dumps all $NDEST destinations of a service (several datagrams)" many_dests

# Every request gets an answer (the netlink header is always left valid);
# what the answers are does not matter, only what the kernel does after.
start=$(date +%s)
rc=0
out=$(nl fuzz fuzz --seed "$FUZZ_SEED" --count "$FUZZ_COUNT" 2>&1) || rc=$?
desc="$FUZZ_COUNT mutated requests (seed $FUZZ_SEED) are all answered"
if [ "$rc" -eq 0 ] && [[ $out == "sent $FUZZ_COUNT answered $FUZZ_COUNT unanswered 0 "* ]]; then
	ktap_ok "$desc"
else
	ktap_not_ok "$desc"
fi
ktap_diag "fuzz: $out (exit $rc, $(($(date +%s) - start)) s)"

fuzz_info_ok()
{
	local out
	out=$(nl fuzz req INFO_GET) && grep -qx 'INFO.VERSION 0.1.0' <<<"$out" && return 0
	echo "INFO_GET after the fuzzing:"
	echo "$out"
	return 1
}
ktap_check "after the fuzzing, INFO_GET still answers in its namespace" fuzz_info_ok

# consistent HOST - the raw dumps agree with the counts and with dsradm
consistent()
{
	local out ls nsvc ndest
	out=$(nl "$1" check) || { echo "$out"; return 1; }
	ls=$(adm "$1" -Ln) || { echo "dsradm -Ln failed: $ls"; return 1; }
	nsvc=$(grep -cE '^(TCP|UDP) ' <<<"$ls") || true
	ndest=$(grep -cE '^  -> [0-9]' <<<"$ls") || true
	[ "$out" = "services $nsvc destinations $ndest" ] && return 0
	echo "raw dumps: $out; dsradm -Ln: $nsvc services, $ndest destinations"
	echo "$ls"
	return 1
}
ktap_check "after the fuzzing, counts, dumps and dsradm -Ln agree" consistent fuzz

lb_intact()
{
	after=$(listing)
	[ "$after" = "$LB_START" ] && return 0
	printf '%s\n' "lb -Ln at the start:" "$LB_START" "now:" "$after"
	return 1
}
ktap_check "lb still lists exactly its service and real server" lb_intact

teardown_ok()
{
	del_ns fuzz
	del_ns lb
	timeout 30 rmmod dsr || { echo "rmmod dsr failed"; return 1; }
}
ktap_check "deleting the namespaces and unloading dsr works" teardown_ok
ktap_check "kernel log is clean" klog_check
ktap_summary
