#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""dsr_nl.py - a raw generic netlink client for the "dsr" family.

Talks to the kernel directly (socket, struct; no dsradm, no libraries) so
that the kernel's own validation can be tested with requests dsradm would
never send.

  dsr_nl.py req [--datagrams] SPEC
      send one request, print the decoded reply attributes ("PATH VALUE"
      lines, "--" between messages; then "datagrams N" with --datagrams);
      exit 0 on success, else print "error ERRNO: extack" and exit 1
  dsr_nl.py run [--snapshot CMD] [FILE]
      run a table of cases (FILE or stdin), one result line per case:
      "PASS<TAB>description<TAB>summary" or "FAIL<TAB>description<TAB>why"
  dsr_nl.py join [GROUP]
      join the family's multicast group GROUP (default "events"); print
      "joined GROUP" (exit 0) or "error ERRNO: ..." (exit 1)
  dsr_nl.py check
      check that INFO_GET's service count and each service's destination
      count agree with the dumps; print "services N destinations N", and
      the disagreements (exit 1)
  dsr_nl.py fuzz [--seed N] [--count N]
      send COUNT random mutations of valid requests of every command, and
      print one summary line: "sent N answered N unanswered N errnos ..."
  dsr_nl.py uapi [HEADER]
      check that the names and numbers below are the enums of HEADER
      (default: the checkout's include/uapi/linux/dsr.h); one KTAP line
      per enum, then "N passed, N failed" (no kernel needed)

SPEC, the request, is a list of tokens:

  CMD                 first: a command name (SERVICE_NEW, ...) or number
  +dump               set NLM_F_DUMP
  +nogenl             send no genetlink header (and so no attributes)
  +resv=N             genlmsghdr.reserved = N (default 0)
  +flags=N            more nlmsg_flags (besides REQUEST, ACK, DUMP)
  NAME=VALUE          an attribute; NAME is an attribute of the enclosing
                      nest (see TOP, SERVICE, DEST, INFO below) or a
                      number; VALUE is parsed by NAME's type, or given as
                      TYPE:VALUE with TYPE one of u8 u16 u32 u64 be16 in4
                      in6 str (NUL added) strn (no NUL) hex
  NAME{ ... }         a nested attribute (with NLA_F_NESTED)
  NAME~{ ... }        the same without NLA_F_NESTED
  !HEX                raw bytes at this place (no attribute header)
  @NAME...            the extended ACK must point at this attribute

A case line of the table is "ERRNO | EXTACK | DESCRIPTION | SPEC": ERRNO is
an errno name (EINVAL, ...) or 0, or several separated by "/" when any of
them will do (ERANGE/EINVAL); EXTACK is "*" (any non-empty message),
"-" (no message) or a text the message must contain. Empty lines and lines
starting with "#" are ignored.
"""
import argparse
import difflib
import errno
import os
import random
import re
import shlex
import socket
import struct
import subprocess
import sys

# ------------------------------------------------------------ constants

NETLINK_GENERIC = 16
SOL_NETLINK = 270
NETLINK_ADD_MEMBERSHIP = 1
NETLINK_CAP_ACK = 10
NETLINK_EXT_ACK = 11

NLMSG_ERROR = 2
NLMSG_DONE = 3
NLM_F_REQUEST = 0x1
NLM_F_ACK = 0x4
NLM_F_DUMP = 0x300
NLM_F_CAPPED = 0x100
NLM_F_ACK_TLVS = 0x200

NLMSGERR_ATTR_MSG = 1
NLMSGERR_ATTR_OFFS = 2

NLA_F_NESTED = 0x8000
NLA_TYPE_MASK = 0x3fff

NLMSG_HDR = struct.Struct("=IHHII")
GENL_HDR = struct.Struct("=BBH")
NLA_HDR = struct.Struct("=HH")

GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
CTRL_ATTR_MCAST_GROUPS = 7
CTRL_ATTR_MCAST_GRP_NAME = 1
CTRL_ATTR_MCAST_GRP_ID = 2

DSR_GENL_NAME = "dsr"
DSR_GENL_VERSION = 1

# enum dsr_cmd, include/uapi/linux/dsr.h
CMDS = {name: i + 1 for i, name in enumerate([
    "SERVICE_NEW", "SERVICE_SET", "SERVICE_DEL", "SERVICE_GET",
    "DEST_NEW", "DEST_SET", "DEST_DEL", "DEST_GET",
    "FLUSH", "ZERO", "INFO_GET", "CONFIG_SET", "FLOW_GET", "FLOW_FLUSH",
    "SERVICE_NEW_NTF", "SERVICE_DEL_NTF", "DEST_NEW_NTF", "DEST_DEL_NTF",
])}


def nest_schema(names, types, children=None):
    """An attribute namespace: name -> (number, type, child namespace).

    Attribute numbers start at 1 (0 is UNSPEC), in the order of NAMES."""
    if len(names) != len(types):
        raise ValueError(f"{len(names)} names but {len(types)} types")
    children = children or {}
    return {name: (i + 1, typ, children.get(name))
            for i, (name, typ) in enumerate(zip(names, types))}


STATS = nest_schema(["PAD", "CONNS", "PACKETS", "BYTES"],
                    ["hex", "u64", "u64", "u64"])
DROPS = nest_schema(
    ["PAD", "NO_DEST", "NO_ROUTE", "TOO_BIG", "NO_MEM", "BAD_HEADER", "TTL"],
    ["hex"] + ["u64"] * 6)
SERVICE = nest_schema(
    ["PAD", "PROTOCOL", "ADDR4", "ADDR6", "PORT", "FWMARK", "SCHED_NAME",
     "FLAGS", "TIMEOUT", "DEST_COUNT", "STATS", "TUN_SRC4", "TUN_SRC_PLEN",
     "SCHED_TABLE", "SCHED_DIGEST", "NETMASK", "PE_NAME", "FAMILY",
     "PREFIX_LEN6"],
    ["hex", "u8", "in4", "in6", "be16", "u32", "str", "u32", "u32", "u32",
     "nest", "in4", "u8", "u32", "u64", "in4", "str", "u8", "u8"],
    {"STATS": STATS})
DEST = nest_schema(
    ["PAD", "ADDR4", "ADDR6", "PORT", "FWD_METHOD", "WEIGHT", "TUN_TYPE",
     "TUN_PORT", "ACTIVE_FLOWS", "INACTIVE_FLOWS", "STATS", "TUN_FLAGS",
     "TUN_PMTU", "U_THRESHOLD", "L_THRESHOLD", "PERSIST_FLOWS"],
    ["hex", "in4", "in6", "be16", "u8", "u32", "u8", "be16", "u32", "u32",
     "nest", "u32", "u32", "u32", "u32", "u32"],
    {"STATS": STATS})
INFO = nest_schema(
    ["PAD", "VERSION", "FLOW_MAX", "FLOW_COUNT", "TIMEOUT_TCP",
     "TIMEOUT_TCP_FIN", "TIMEOUT_UDP", "SERVICE_COUNT", "DROPS", "HOOK",
     "GENERATION", "ICMP_FORWARDED", "ICMP_TUN_PMTU", "TIMEOUT_TCP_SYN",
     "TIMEOUT_TCP_CLOSE", "FLOW_MAX_HOST", "FLOW_INSERTS", "FLOW_EVICTIONS",
     "FLOW_EXPIRIES", "FLOW_UNTRACKED", "FLOW_MIDSTREAM", "SERVICE_MAX",
     "DEST_MAX"],
    ["hex", "str", "u32", "u32", "u32", "u32", "u32", "u32", "nest", "u8",
     "u32", "u64", "u64", "u32", "u32", "u32", "u64", "u64", "u64", "u64",
     "u64", "u32", "u32"],
    {"DROPS": DROPS})
FLOW = nest_schema(
    ["PAD", "PROTOCOL", "CLIENT_ADDR4", "CLIENT_ADDR6", "CLIENT_PORT",
     "VIP_ADDR4", "VIP_ADDR6", "VIP_PORT", "DEST_ADDR4", "DEST_ADDR6",
     "DEST_PORT", "STATE", "EXPIRES", "PACKETS"],
    ["hex", "u8", "in4", "in6", "be16", "in4", "in6", "be16", "in4", "in6",
     "be16", "u8", "u32", "u8"])
TOP = nest_schema(["SERVICE", "DEST", "INFO", "FLOW"],
                  ["nest", "nest", "nest", "nest"],
                  {"SERVICE": SERVICE, "DEST": DEST, "INFO": INFO,
                   "FLOW": FLOW})

# ------------------------------------------------------------ values

INT_FORMATS = {"u8": "=B", "u16": "=H", "u32": "=I", "u64": "=Q",
               "be16": ">H"}


def encode_value(typ, text):
    """The payload bytes of an attribute of type TYP written as TEXT."""
    if typ in INT_FORMATS:
        return struct.pack(INT_FORMATS[typ], int(text, 0))
    if typ == "in4":
        return socket.inet_pton(socket.AF_INET, text)
    if typ == "in6":
        return socket.inet_pton(socket.AF_INET6, text)
    if typ == "str":
        return text.encode() + b"\0"
    if typ == "strn":
        return text.encode()
    if typ == "hex":
        return bytes.fromhex(text)
    raise ValueError(f"unknown value type {typ!r}")


def decode_value(typ, data):
    """TEXT for the payload DATA of an attribute of type TYP."""
    fmt = INT_FORMATS.get(typ)
    if fmt and len(data) == struct.calcsize(fmt):
        return str(struct.unpack(fmt, data)[0])
    if typ == "in4" and len(data) == 4:
        return socket.inet_ntop(socket.AF_INET, data)
    if typ == "in6" and len(data) == 16:
        return socket.inet_ntop(socket.AF_INET6, data)
    if typ == "str" and data.endswith(b"\0"):
        return data[:-1].decode(errors="backslashreplace")
    return "hex:" + data.hex()


# ------------------------------------------------------------ messages

class Attr:
    """A netlink attribute: DATA bytes, or CHILDREN (Attr or Raw)."""

    def __init__(self, typ, data=b"", children=None, mark=False):
        self.typ = typ
        self.data = data
        self.children = children
        self.mark = mark
        self.len_override = None

    def encode(self, base, marks):
        """The attribute's bytes; BASE is its offset in the message, the
        offsets of marked attributes are appended to MARKS."""
        if self.mark:
            marks.append(base)
        if self.children is None:
            payload = self.data
        else:
            payload = encode_attrs(self.children, base + NLA_HDR.size, marks)
        length = NLA_HDR.size + len(payload)
        if self.len_override is not None:
            length = self.len_override
        return (NLA_HDR.pack(length & 0xffff, self.typ & 0xffff) + payload +
                b"\0" * (-len(payload) % 4))


class Raw:
    """Bytes put into a message as they are."""

    def __init__(self, data):
        self.data = data

    def encode(self, base, marks):
        return self.data


def encode_attrs(attrs, base, marks):
    out = b""
    for a in attrs:
        out += a.encode(base + len(out), marks)
    return out


class Request:
    """A genetlink request: command, flags and attribute tree."""

    def __init__(self, cmd, attrs=None, dump=False, genl=True):
        self.cmd = cmd
        self.attrs = attrs or []
        self.dump = dump
        self.genl = genl
        self.reserved = 0
        self.flags = 0

    def encode(self, family, seq):
        """(bytes, offsets of the marked attributes)."""
        marks = []
        payload = b""
        if self.genl:
            payload = GENL_HDR.pack(self.cmd & 0xff, DSR_GENL_VERSION,
                                    self.reserved)
            base = NLMSG_HDR.size + GENL_HDR.size
            payload += encode_attrs(self.attrs, base, marks)
        flags = NLM_F_REQUEST | NLM_F_ACK | self.flags
        if self.dump:
            flags |= NLM_F_DUMP
        hdr = NLMSG_HDR.pack(NLMSG_HDR.size + len(payload), family, flags,
                             seq, 0)
        return hdr + payload, marks


# ------------------------------------------------------------ SPEC parsing

def tokenize(spec):
    return re.findall(r"[{}]|[^\s{}]+", spec)


def lookup_attr(schema, name):
    """(number, type, child schema) of attribute NAME in SCHEMA."""
    if name in schema:
        return schema[name]
    if re.fullmatch(r"\d+|0x[0-9a-fA-F]+", name):
        num = int(name, 0)
        for entry in schema.values():
            if entry[0] == num:
                return entry
        return num, None, None
    raise ValueError(f"unknown attribute {name!r}")


def parse_attr(tokens, schema):
    """One attribute (or raw bytes) from the front of TOKENS."""
    tok = tokens.pop(0)
    if tok.startswith("!"):
        return Raw(bytes.fromhex(tok[1:]))
    mark = tok.startswith("@")
    tok = tok.lstrip("@")
    if tokens and tokens[0] == "{":
        tokens.pop(0)
        flag = NLA_F_NESTED
        if tok.endswith("~"):
            tok, flag = tok[:-1], 0
        num, _, child = lookup_attr(schema, tok)
        return Attr(num | flag,
                    children=parse_attrs(tokens, child or {}, "}"),
                    mark=mark)
    name, sep, value = tok.partition("=")
    if not sep:
        raise ValueError(f"attribute {tok!r} has no value")
    num, typ, _ = lookup_attr(schema, name)
    m = re.fullmatch(r"(u8|u16|u32|u64|be16|in4|in6|str|strn|hex):(.*)",
                     value)
    if m:
        typ, value = m.groups()
    if typ in (None, "nest"):
        raise ValueError(f"attribute {name!r} needs a TYPE:VALUE")
    return Attr(num, encode_value(typ, value), mark=mark)


def parse_attrs(tokens, schema, end):
    attrs = []
    while tokens and tokens[0] != end:
        attrs.append(parse_attr(tokens, schema))
    if end:
        if not tokens:
            raise ValueError("missing '}'")
        tokens.pop(0)
    return attrs


def parse_spec(spec):
    """The Request that SPEC describes."""
    tokens = tokenize(spec)
    if not tokens:
        raise ValueError("empty request")
    cmd = tokens.pop(0)
    req = Request(CMDS[cmd] if cmd in CMDS else int(cmd, 0))
    while tokens and tokens[0].startswith("+"):
        opt = tokens.pop(0)
        if opt == "+dump":
            req.dump = True
        elif opt == "+nogenl":
            req.genl = False
        elif opt.startswith("+resv="):
            req.reserved = int(opt[6:], 0)
        elif opt.startswith("+flags="):
            req.flags = int(opt[7:], 0)
        else:
            raise ValueError(f"unknown option {opt!r}")
    req.attrs = parse_attrs(tokens, TOP, None)
    return req


# ------------------------------------------------------------ replies

def iter_attrs(data):
    """(type, payload) of each attribute in DATA; stops at a bad one."""
    off = 0
    while off + NLA_HDR.size <= len(data):
        length, typ = NLA_HDR.unpack_from(data, off)
        if length < NLA_HDR.size or off + length > len(data):
            return
        yield typ, data[off + NLA_HDR.size:off + length]
        off += (length + 3) & ~3


def iter_msgs(buf):
    """(type, flags, seq, payload) of each netlink message in BUF."""
    off = 0
    while off + NLMSG_HDR.size <= len(buf):
        length, typ, flags, seq, _ = NLMSG_HDR.unpack_from(buf, off)
        if length < NLMSG_HDR.size or off + length > len(buf):
            return
        yield typ, flags, seq, buf[off + NLMSG_HDR.size:off + length]
        off += (length + 3) & ~3


class Reply:
    """What the kernel answered: errno (0 = success), extack message and
    offset, and the data messages (genetlink payloads)."""

    def __init__(self):
        self.errno = None
        self.msg = ""
        self.offs = None
        self.messages = []
        self.datagrams = 0

    def set_status(self, err, flags, tlvs):
        self.errno = -err
        if not flags & NLM_F_ACK_TLVS:
            return
        for typ, data in iter_attrs(tlvs):
            if typ == NLMSGERR_ATTR_MSG:
                self.msg = data.rstrip(b"\0").decode(errors="replace")
            elif typ == NLMSGERR_ATTR_OFFS and len(data) == 4:
                self.offs = struct.unpack("=I", data)[0]


def parse_error(reply, flags, payload):
    """An NLMSG_ERROR: error, the request's header (and payload when not
    capped), then the extack attributes."""
    (err,) = struct.unpack_from("=i", payload)
    off = 4 + NLMSG_HDR.size
    if not flags & NLM_F_CAPPED:
        (orig_len,) = struct.unpack_from("=I", payload, 4)
        off = 4 + ((orig_len + 3) & ~3)
    reply.set_status(err, flags, payload[off:])


def parse_done(reply, flags, payload):
    """An NLMSG_DONE: the dump's status, then the extack attributes."""
    err = struct.unpack_from("=i", payload)[0] if len(payload) >= 4 else 0
    reply.set_status(err, flags, payload[4:])


# ------------------------------------------------------------ the socket

def parse_mcast_groups(data):
    """{name: id} from a CTRL_ATTR_MCAST_GROUPS nest."""
    groups = {}
    for _, grp in iter_attrs(data):
        fields = dict((t & NLA_TYPE_MASK, d) for t, d in iter_attrs(grp))
        name = fields.get(CTRL_ATTR_MCAST_GRP_NAME, b"").rstrip(b"\0")
        gid = fields.get(CTRL_ATTR_MCAST_GRP_ID)
        if gid is not None:
            groups[name.decode()] = struct.unpack("=I", gid)[0]
    return groups


class Genl:
    """A NETLINK_GENERIC socket with extended ACKs, and the dsr family."""

    def __init__(self, timeout=5.0):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                  NETLINK_GENERIC)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        self.sock.bind((0, 0))
        self.sock.settimeout(timeout)
        self.seq = 0
        self.family = None
        self.groups = {}

    def resolve(self):
        """Look up the dsr family id; None when the module is not there."""
        name = Attr(CTRL_ATTR_FAMILY_NAME, DSR_GENL_NAME.encode() + b"\0")
        reply = self.raw_request(GENL_ID_CTRL, Request(CTRL_CMD_GETFAMILY,
                                                       [name]))
        for msg in reply.messages:
            for typ, data in iter_attrs(msg[GENL_HDR.size:]):
                if typ == CTRL_ATTR_FAMILY_ID:
                    self.family = struct.unpack("=H", data)[0]
                elif typ & NLA_TYPE_MASK == CTRL_ATTR_MCAST_GROUPS:
                    self.groups = parse_mcast_groups(data)
        return self.family

    def join(self, group):
        """Join the multicast group named GROUP (raises OSError)."""
        self.sock.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
                             self.groups[group])

    def request(self, req):
        """Send REQ to the dsr family and wait for its answer."""
        reply, _ = self.request_marks(req)
        return reply

    def request_marks(self, req):
        """(Reply, offsets of REQ's marked attributes)."""
        self.seq += 1
        data, marks = req.encode(self.family, self.seq)
        return self.exchange(data, self.seq), marks

    def raw_request(self, family, req):
        self.seq += 1
        data, _ = req.encode(family, self.seq)
        return self.exchange(data, self.seq)

    def exchange(self, data, seq):
        """Send the bytes DATA and collect the answer to SEQ: data messages
        up to the ACK (or NLMSG_DONE). Raises socket.timeout."""
        self.sock.send(data)
        reply = Reply()
        while reply.errno is None:
            buf = self.sock.recv(65536)
            reply.datagrams += 1
            for typ, flags, mseq, payload in iter_msgs(buf):
                if mseq != seq:
                    continue
                if typ == NLMSG_ERROR:
                    parse_error(reply, flags, payload)
                elif typ == NLMSG_DONE:
                    parse_done(reply, flags, payload)
                else:
                    reply.messages.append(payload)
        return reply


def open_dsr(timeout=5.0):
    nl = Genl(timeout)
    if nl.resolve() is None:
        sys.exit("dsr_nl: the dsr generic netlink family is not registered")
    return nl


# ------------------------------------------------------------ printing

def errno_name(num):
    if not num:
        return "0"
    if num == errno.EOPNOTSUPP:     # the name the kernel uses, not ENOTSUP
        return "EOPNOTSUPP"
    return errno.errorcode.get(num, str(num))


def dump_attrs(data, schema, prefix, out):
    """Append "PATH VALUE" lines for the attributes in DATA to OUT."""
    names = {num: (name, typ, child)
             for name, (num, typ, child) in schema.items()}
    for typ, payload in iter_attrs(data):
        name, vtyp, child = names.get(typ & NLA_TYPE_MASK,
                                      (str(typ), "hex", None))
        if name == "PAD":
            continue
        path = prefix + name
        if vtyp == "nest":
            dump_attrs(payload, child or {}, path + ".", out)
        else:
            out.append(f"{path} {decode_value(vtyp, payload)}")


def format_reply(reply):
    lines = []
    for i, msg in enumerate(reply.messages):
        if i:
            lines.append("--")
        dump_attrs(msg[GENL_HDR.size:], TOP, "", lines)
    return lines


# ------------------------------------------------------------ req

def cmd_req(args):
    nl = open_dsr()
    reply = nl.request(parse_spec(" ".join(args.spec)))
    for line in format_reply(reply):
        print(line)
    if args.datagrams:
        print(f"datagrams {reply.datagrams}")
    if reply.errno:
        print(f"error {errno_name(reply.errno)}: {reply.msg}")
        return 1
    return 0


# ------------------------------------------------------------ join

def cmd_join(args):
    nl = open_dsr()
    try:
        nl.join(args.group)
    except OSError as e:
        print(f"error {errno_name(e.errno)}: {e.strerror}")
        return 1
    print(f"joined {args.group}")
    return 0


# ------------------------------------------------------------ listen

def cmd_listen(args):
    """Join "events" and print each event as "CMD attr=value ..." until
    COUNT events arrived or TIMEOUT seconds passed without one."""
    nl = open_dsr()
    nl.join("events")
    nl.sock.settimeout(args.timeout)
    names = {num: name for name, num in CMDS.items()}
    if args.ready:
        open(args.ready, "w").close()
    seen = 0
    while seen < args.count:
        try:
            buf = nl.sock.recv(65536)
        except socket.timeout:
            break
        for typ, _, _, payload in iter_msgs(buf):
            if typ != nl.family or len(payload) < GENL_HDR.size:
                continue
            cmd = GENL_HDR.unpack_from(payload)[0]
            lines = []
            dump_attrs(payload[GENL_HDR.size:], TOP, "", lines)
            keys = [line for line in lines if ".STATS." not in line]
            print(names.get(cmd, str(cmd)), " ".join(keys), flush=True)
            seen += 1
    return 0


# ------------------------------------------------------------ check

def dump(nl, spec):
    """The attribute lines of each message of a dump; exits on error."""
    reply = nl.request(parse_spec(spec))
    if reply.errno:
        sys.exit(f"dsr_nl: {spec}: {errno_name(reply.errno)} {reply.msg}")
    msgs = []
    for msg in reply.messages:
        lines = []
        dump_attrs(msg[GENL_HDR.size:], TOP, "", lines)
        msgs.append(dict(line.split(" ", 1) for line in lines))
    return msgs


def service_key(svc):
    """The SPEC attributes naming the service of a dumped message."""
    addr = ("ADDR4=" + svc["SERVICE.ADDR4"] if "SERVICE.ADDR4" in svc
            else "ADDR6=" + svc["SERVICE.ADDR6"])
    return (f"PROTOCOL={svc['SERVICE.PROTOCOL']} {addr} "
            f"PORT={svc['SERVICE.PORT']}")


def cmd_check(args):
    """The counts in INFO_GET and in each service agree with the dumps."""
    nl = open_dsr()
    why = []
    services = dump(nl, "SERVICE_GET +dump")
    info = dump(nl, "INFO_GET")[0]
    if int(info["INFO.SERVICE_COUNT"]) != len(services):
        why.append(f"INFO_GET counts {info['INFO.SERVICE_COUNT']} services, "
                   f"the dump has {len(services)}")
    ndests = 0
    for svc in services:
        key = service_key(svc)
        dests = dump(nl, f"DEST_GET +dump SERVICE{{ {key} }}")
        ndests += len(dests)
        if int(svc["SERVICE.DEST_COUNT"]) != len(dests):
            why.append(f"service {key} counts {svc['SERVICE.DEST_COUNT']} "
                       f"destinations, the dump has {len(dests)}")
    for line in why:
        print(line)
    print(f"services {len(services)} destinations {ndests}")
    return 1 if why else 0


# ------------------------------------------------------------ run

class Case:
    def __init__(self, line):
        fields = [f.strip() for f in line.split("|", 3)]
        if len(fields) != 4:
            raise ValueError(f"a case needs 4 fields: {line!r}")
        want, self.extack, self.desc, self.spec = fields
        self.errnos = [0 if name == "0" else getattr(errno, name)
                       for name in want.split("/")]
        self.request = parse_spec(self.spec)

    def check(self, reply, marks):
        """The reasons REPLY is not what this case wants (none: pass)."""
        why = []
        if reply.errno not in self.errnos:
            want = " or ".join(errno_name(e) for e in self.errnos)
            why.append(f"errno {errno_name(reply.errno)}, want {want}")
        if self.extack == "*" and not reply.msg:
            why.append("no extack message")
        elif self.extack == "-" and reply.msg:
            why.append(f"extack {reply.msg!r}, want none")
        elif self.extack not in ("*", "-") and self.extack not in reply.msg:
            why.append(f"extack {reply.msg!r} does not say {self.extack!r}")
        if marks and reply.offs not in marks:
            why.append(f"extack offset {reply.offs}, want {marks[0]}")
        return why


def read_cases(stream):
    cases = []
    for line in stream:
        line = line.strip()
        if line and not line.startswith("#"):
            cases.append(Case(line))
    return cases


def snapshot(cmd):
    if not cmd:
        return ""
    res = subprocess.run(cmd, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, check=False)
    return f"exit {res.returncode}\n" + res.stdout.decode(errors="replace")


def listing_diff(before, after):
    """The lines that went (-) and came (+), on one line."""
    lines = difflib.ndiff(before.splitlines(), after.splitlines())
    return " ".join(repr(line.rstrip()) for line in lines
                    if line[:1] in "+-")


def run_case(nl, case, snap_cmd, before):
    """Run CASE; (result line, listing after it)."""
    try:
        reply, marks = nl.request_marks(case.request)
        why = case.check(reply, marks)
        got = f"{errno_name(reply.errno)} {reply.msg!r}"
    except socket.timeout:
        why, got = ["no answer from the kernel"], "no answer"
    except OSError as e:
        why, got = [f"send/recv failed: {e}"], str(e)
    after = snapshot(snap_cmd)
    if after != before:
        why.append("listing changed: " + listing_diff(before, after))
    if why:
        return f"FAIL\t{case.desc}\t{'; '.join(why)} [got {got}]", after
    return f"PASS\t{case.desc}\t{got}", after


def cmd_run(args):
    with (open(args.file) if args.file != "-" else sys.stdin) as f:
        cases = read_cases(f)
    snap_cmd = shlex.split(args.snapshot) if args.snapshot else None
    nl = open_dsr(timeout=2.0)
    before = snapshot(snap_cmd)
    for case in cases:
        line, before = run_case(nl, case, snap_cmd, before)
        print(line, flush=True)
    return 0


# ------------------------------------------------------------ fuzz

SVC_KEY = "PROTOCOL=6 ADDR4=10.0.0.100 PORT=80"
DEST_KEY = "ADDR4=10.0.0.11 PORT=80"

# A valid request of every command: what the mutations start from.
FUZZ_SEEDS = [
    f"SERVICE_NEW SERVICE{{ {SVC_KEY} SCHED_NAME=rr FLAGS=0 }}",
    f"SERVICE_NEW SERVICE{{ {SVC_KEY} SCHED_NAME=mh FLAGS=4 "
    "SCHED_TABLE=65537 }",
    f"SERVICE_SET SERVICE{{ {SVC_KEY} SCHED_NAME=rr }}",
    f"SERVICE_SET SERVICE{{ {SVC_KEY} SCHED_NAME=sh FLAGS=3 "
    "SCHED_TABLE=251 }",
    f"SERVICE_DEL SERVICE{{ {SVC_KEY} }}",
    f"SERVICE_GET SERVICE{{ {SVC_KEY} }}",
    "SERVICE_GET +dump",
    f"DEST_NEW SERVICE{{ {SVC_KEY} }} DEST{{ {DEST_KEY} FWD_METHOD=1 "
    "WEIGHT=1 }",
    f"DEST_SET SERVICE{{ {SVC_KEY} }} DEST{{ {DEST_KEY} WEIGHT=5 }}",
    f"DEST_DEL SERVICE{{ {SVC_KEY} }} DEST{{ {DEST_KEY} }}",
    f"DEST_GET +dump SERVICE{{ {SVC_KEY} }}",
    "FLUSH",
    f"ZERO SERVICE{{ {SVC_KEY} }}",
    "INFO_GET",
    "CONFIG_SET INFO{ FLOW_MAX=1000 TIMEOUT_TCP=900 TIMEOUT_TCP_FIN=60 "
    "TIMEOUT_UDP=300 TIMEOUT_TCP_SYN=60 TIMEOUT_TCP_CLOSE=10 }",
    "FLOW_GET +dump",
    "FLOW_FLUSH",
]

# Put the configuration back now and then, so that the mutations also reach
# the code paths that need an existing service and destination.
FUZZ_RESTORE = [
    f"SERVICE_NEW SERVICE{{ {SVC_KEY} }}",
    f"DEST_NEW SERVICE{{ {SVC_KEY} }} DEST{{ {DEST_KEY} }}",
    "CONFIG_SET INFO{ FLOW_MAX=1000 TIMEOUT_TCP=900 TIMEOUT_TCP_FIN=60 "
    "TIMEOUT_UDP=300 TIMEOUT_TCP_SYN=60 TIMEOUT_TCP_CLOSE=10 }",
]


def walk(attrs):
    """Every attribute list of a tree (the top one and each nest's)."""
    yield attrs
    for a in attrs:
        if isinstance(a, Attr) and a.children is not None:
            yield from walk(a.children)


def random_bytes(rng, size):
    return bytes(rng.randrange(256) for _ in range(size))


def random_attr(rng, depth=0):
    typ = rng.choice([0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15, 16, 21, 22,
                      63, 0x7fff, rng.randrange(0x10000)])
    if depth < 3 and rng.random() < 0.3:
        kids = [random_attr(rng, depth + 1) for _ in range(rng.randrange(4))]
        return Attr(typ | rng.choice([0, NLA_F_NESTED]), children=kids)
    size = rng.choice([0, 1, 2, 3, 4, 5, 8, 15, 16, 17, 32,
                       rng.randrange(300)])
    return Attr(typ, random_bytes(rng, size))


def mutate_tree(rng, req):
    """Change REQ's attributes: add, drop, retype, resize or re-nest."""
    lists = list(walk(req.attrs))
    attrs = rng.choice(lists)
    op = rng.randrange(6)
    if op == 0 or not attrs:
        attrs.insert(rng.randrange(len(attrs) + 1), random_attr(rng))
        return
    i = rng.randrange(len(attrs))
    a = attrs[i]
    if op == 1:
        del attrs[i]
    elif op == 2 and isinstance(a, Attr):
        a.typ = rng.randrange(0x10000) if rng.random() < 0.3 else \
            rng.randrange(24) | rng.choice([0, NLA_F_NESTED])
    elif op == 3 and isinstance(a, Attr):
        a.len_override = rng.choice([0, 1, 3, 4, 5, 0xffff,
                                     rng.randrange(0x10000)])
    elif op == 4 and isinstance(a, Attr):
        a.children = None
        a.data = random_bytes(rng, rng.randrange(24))
    else:
        attrs[i] = Attr(rng.randrange(1, 16), children=[a])


def mutate_bytes(rng, data):
    """Flip bytes or truncate the genetlink part; the netlink header is
    kept valid (its length fixed up) so that every request is answered."""
    body = bytearray(data[NLMSG_HDR.size:])
    if rng.random() < 0.5 and body:
        for _ in range(rng.randrange(1, 5)):
            body[rng.randrange(len(body))] = rng.randrange(256)
    else:
        del body[rng.randrange(len(body) + 1):]
    length, typ, flags, seq, pid = NLMSG_HDR.unpack_from(data)
    return NLMSG_HDR.pack(NLMSG_HDR.size + len(body), typ, flags, seq,
                          pid) + bytes(body)


def fuzz_one(rng, nl, seq):
    """Build, mutate and send one request; its errno, or None if the
    kernel did not answer."""
    req = parse_spec(rng.choice(FUZZ_SEEDS))
    for _ in range(rng.randrange(4)):
        mutate_tree(rng, req)
    if rng.random() < 0.1:
        req.cmd = rng.randrange(256)
    if rng.random() < 0.1:
        req.dump = not req.dump
    data, _ = req.encode(nl.family, seq)
    if rng.random() < 0.4:
        data = mutate_bytes(rng, data)
    try:
        return nl.exchange(data, seq).errno
    except socket.timeout:
        return None


def cmd_fuzz(args):
    rng = random.Random(args.seed)
    nl = open_dsr(timeout=2.0)
    errnos = {}
    unanswered = 0
    for i in range(args.count):
        if i % 100 == 0:
            for spec in FUZZ_RESTORE:
                nl.request(parse_spec(spec))
        nl.seq += 1
        err = fuzz_one(rng, nl, nl.seq)
        if err is None:
            unanswered += 1
        else:
            name = errno_name(err)
            errnos[name] = errnos.get(name, 0) + 1
    hist = ",".join(f"{k}:{v}" for k, v in sorted(errnos.items()))
    print(f"sent {args.count} answered {args.count - unanswered} "
          f"unanswered {unanswered} errnos {hist}")
    return 0


# ------------------------------------------------------------ uapi

# enum in the uapi header -> (prefix of its names, the table here)
UAPI_ENUMS = [
    ("dsr_cmd", "DSR_CMD_", CMDS),
    ("dsr_attr", "DSR_A_", TOP),
    ("dsr_service_attr", "DSR_A_SERVICE_", SERVICE),
    ("dsr_dest_attr", "DSR_A_DEST_", DEST),
    ("dsr_stats_attr", "DSR_A_STATS_", STATS),
    ("dsr_drop_reason", "DSR_DROP_", DROPS),
    ("dsr_info_attr", "DSR_A_INFO_", INFO),
    ("dsr_flow_attr", "DSR_A_FLOW_", FLOW),
]


def header_enums(text):
    """{enum name: [member names, in order]} of a C header's TEXT."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    enums = {}
    for name, body in re.findall(r"enum\s+(\w+)\s*{(.*?)}", text, re.S):
        enums[name] = [m.split("=")[0].strip() for m in body.split(",")
                       if m.strip()]
    return enums


def cmd_uapi(args):
    with open(args.header) as f:
        enums = header_enums(f.read())
    bad = 0
    for i, (enum, prefix, table) in enumerate(UAPI_ENUMS, 1):
        want = [m[len(prefix):] for m in enums.get(enum, [])
                if m.startswith(prefix) and not m.startswith("__")]
        want = [m for m in want if m != "UNSPEC"]
        if table is CMDS:
            ours = sorted(table, key=table.get)
            nums_ok = all(table[n] == j for j, n in enumerate(ours, 1))
        else:
            ours = sorted(table, key=lambda n: table[n][0])
            nums_ok = all(table[n][0] == j for j, n in enumerate(ours, 1))
        if ours == want and nums_ok:
            print(f"ok {i} - enum {enum}: {len(want)} names")
            continue
        bad += 1
        print(f"not ok {i} - enum {enum}")
        print(f"# header: {' '.join(want) or '(not found)'}")
        print(f"# here:   {' '.join(ours)}")
    print(f"uapi: {len(UAPI_ENUMS) - bad} passed, {bad} failed")
    return 1 if bad else 0


# ------------------------------------------------------------ main

def main():
    ap = argparse.ArgumentParser(description="raw generic netlink client "
                                 "for the dsr family")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("req", help="send one request, print the reply")
    p.add_argument("--datagrams", action="store_true",
                   help="also print how many datagrams the answer took")
    p.add_argument("spec", nargs="+")
    p.set_defaults(func=cmd_req)
    p = sub.add_parser("join", help="join a multicast group")
    p.add_argument("group", nargs="?", default="events")
    p.set_defaults(func=cmd_join)
    p = sub.add_parser("listen", help="print the events group's messages")
    p.add_argument("--count", type=int, default=100)
    p.add_argument("--timeout", type=float, default=5.0)
    p.add_argument("--ready", help="file to create once joined")
    p.set_defaults(func=cmd_listen)
    p = sub.add_parser("check", help="check that the counts agree with "
                       "the dumps")
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("run", help="run a table of cases")
    p.add_argument("--snapshot", help="command whose output must not "
                   "change (run before and after every case)")
    p.add_argument("file", nargs="?", default="-")
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("fuzz", help="send random mutations of valid requests")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--count", type=int, default=2000)
    p.set_defaults(func=cmd_fuzz)
    p = sub.add_parser("uapi", help="check the names against the uapi "
                       "header")
    p.add_argument("header", nargs="?", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "include", "uapi",
        "linux", "dsr.h"))
    p.set_defaults(func=cmd_uapi)
    args = ap.parse_args()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
