#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""nl_probe.py - time netlink requests, to check that a long dsr request in
one namespace holds up nobody else.

  nl_probe.py dsr  --stop FILE [--ready FILE] [--max S] [--interval S] SPEC...
        send the dsr request SPEC (dsr_nl.py's syntax) again and again
        until FILE exists or S seconds (default 60) have passed
  nl_probe.py ctrl --stop FILE [--ready FILE] [--max S]
        the same with the generic netlink controller's GETFAMILY of "dsr"
        (another family, serialised by the generic netlink mutex)
  nl_probe.py link --stop FILE [--ready FILE] [--max S]
        the same with rtnetlink's RTM_GETLINK of lo ("ip link show lo")
  nl_probe.py once SPEC...
        send the dsr request SPEC once

Every socket is opened (and the family resolved) before the first timed
request. Each request prints "START END ERRNO": time.monotonic() seconds,
one clock for every namespace of the host, and the errno name or 0.
"""

import argparse
import errno
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dsr_nl  # noqa: E402

NETLINK_ROUTE = 0
RTM_NEWLINK = 16
RTM_GETLINK = 18
IFINFOMSG = struct.Struct("=BxHiII")


class Link:
    """RTM_GETLINK of the loopback device on a NETLINK_ROUTE socket."""

    def __init__(self, timeout):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                  NETLINK_ROUTE)
        self.sock.bind((0, 0))
        self.sock.settimeout(timeout)
        self.seq = 0
        self.index = socket.if_nametoindex("lo")

    def request(self):
        self.seq += 1
        body = IFINFOMSG.pack(socket.AF_UNSPEC, 0, self.index, 0, 0)
        hdr = dsr_nl.NLMSG_HDR.pack(dsr_nl.NLMSG_HDR.size + len(body),
                                    RTM_GETLINK,
                                    dsr_nl.NLM_F_REQUEST | dsr_nl.NLM_F_ACK,
                                    self.seq, 0)
        self.sock.send(hdr + body)
        got_link = False
        while True:
            buf = self.sock.recv(65536)
            for typ, _, seq, payload in dsr_nl.iter_msgs(buf):
                if seq != self.seq:
                    continue
                if typ == RTM_NEWLINK:
                    got_link = True
                elif typ == dsr_nl.NLMSG_ERROR:
                    err = -struct.unpack_from("=i", payload)[0]
                    return err if err or got_link else errno.ENODATA


def requester(args):
    """A function that sends one request and returns its errno."""
    if args.what == "link":
        link = Link(args.max)
        return link.request
    nl = dsr_nl.open_dsr(timeout=args.max)
    if args.what == "ctrl":
        name = dsr_nl.Attr(dsr_nl.CTRL_ATTR_FAMILY_NAME,
                           dsr_nl.DSR_GENL_NAME.encode() + b"\0")
        req = dsr_nl.Request(dsr_nl.CTRL_CMD_GETFAMILY, [name])
        return lambda: nl.raw_request(dsr_nl.GENL_ID_CTRL, req).errno or 0
    req = dsr_nl.parse_spec(" ".join(args.spec))
    return lambda: nl.request(req).errno or 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("what", choices=["dsr", "ctrl", "link", "once"])
    ap.add_argument("--stop", help="stop once this file exists")
    ap.add_argument("--ready", help="file to create before the first request")
    ap.add_argument("--max", type=float, default=60.0)
    ap.add_argument("--interval", type=float, default=0.002,
                    help="pause between requests (s)")
    ap.add_argument("spec", nargs="*")
    args = ap.parse_args()
    send = requester(args)
    if args.ready:
        open(args.ready, "w").close()
    deadline = time.monotonic() + args.max
    while True:
        start = time.monotonic()
        err = send()
        end = time.monotonic()
        print(f"{start:.6f} {end:.6f} {dsr_nl.errno_name(err)}", flush=True)
        if args.what == "once" or end > deadline or \
                (args.stop and os.path.exists(args.stop)):
            return 0
        time.sleep(args.interval)


if __name__ == "__main__":
    sys.exit(main())
