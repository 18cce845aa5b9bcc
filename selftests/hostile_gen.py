#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""hostile_gen.py - send malformed and unusual packets to a VIP.

  hostile_gen.py --dev DEV --dst-mac MAC --src IP --vip IP \\
                 --tcp-port N --udp-port N [--seed N] [--gap-ms N]

Reads commands on stdin, one per line, and answers each on stdout:

  KIND COUNT    send COUNT packets of KIND; answers "sent KIND N"
  kinds         answers the kind names, space-separated
  quit          ends the generator

Packets are built with scapy and sent as whole Ethernet frames on an
AF_PACKET socket, so that the IP header goes out exactly as built (a raw IP
socket would fix the length and checksum). Every random choice comes from
one generator seeded with --seed, so a run can be repeated. Sends are
spaced by --gap-ms (default 2), which bounds the rate.
"""
import argparse
import random
import socket
import struct
import sys
import time

from scapy.layers.inet import ICMP, IP, TCP, UDP
from scapy.packet import Raw


def ip_bytes(pkt):
    return bytes(pkt)


class Kinds:
    """Each method kind_NAME(i) returns a list of IP packets (bytes)."""

    def __init__(self, args, rng):
        self.a = args
        self.rng = rng

    def ip(self, **kw):
        return IP(src=self.a.src, dst=self.a.vip, **kw)

    def sport(self):
        return self.rng.randrange(20000, 60000)

    def udp(self, payload=b"x" * 16, **kw):
        return (self.ip(**kw) / UDP(sport=self.sport(), dport=self.a.udp_port)
                / Raw(payload))

    def tcp_syn(self, **kw):
        return self.ip(**kw) / TCP(sport=self.sport(), dport=self.a.tcp_port,
                                   flags="S", seq=self.rng.getrandbits(32))

    @staticmethod
    def patch(data, offset, fmt, value):
        data = bytearray(data)
        struct.pack_into(fmt, data, offset, value)
        return bytes(data)

    @staticmethod
    def fix_ip_csum(data):
        data = bytearray(data)
        ihl = (data[0] & 0xF) * 4
        data[10:12] = b"\0\0"
        s = 0
        for k in range(0, min(ihl, len(data)) - 1, 2):
            s += (data[k] << 8) | data[k + 1]
        while s >> 16:
            s = (s & 0xFFFF) + (s >> 16)
        data[10:12] = struct.pack("!H", ~s & 0xFFFF)
        return bytes(data)

    # ---- IPv4 header: ip_rcv() drops these before any hook
    def kind_ip_ihl_short(self, _):
        d = ip_bytes(self.udp())
        return [self.fix_ip_csum(bytes([0x44]) + d[1:])]

    def kind_ip_ihl_long(self, _):
        d = ip_bytes(self.ip(proto=17) / Raw(b"\0" * 8))  # 28 bytes, IHL 15
        return [self.fix_ip_csum(bytes([0x4F]) + d[1:])]

    def kind_ip_version(self, _):
        d = ip_bytes(self.udp())
        return [self.fix_ip_csum(bytes([0x55]) + d[1:])]

    def kind_ip_bad_csum(self, _):
        d = ip_bytes(self.udp())
        return [self.patch(d, 10, "!H",
                           struct.unpack_from("!H", d, 10)[0] ^ 0x5A5A)]

    def kind_ip_totlen_long(self, _):
        d = ip_bytes(self.udp())
        return [self.fix_ip_csum(self.patch(d, 2, "!H", len(d) + 200))]

    def kind_ip_totlen_short(self, _):
        d = ip_bytes(self.udp())
        return [self.fix_ip_csum(self.patch(d, 2, "!H", 12))]

    def kind_ip_truncated(self, _):
        return [ip_bytes(self.udp())[:self.rng.randrange(1, 20)]]

    # ---- IPv4 options on packets for a service
    def with_options(self, opt):
        """A UDP packet for the service with OPT (raw bytes, a multiple of
        4) spliced in as its IPv4 options, exactly as given."""
        d = ip_bytes(self.udp())
        d = d[:20] + opt + d[20:]
        d = bytes([0x40 | (5 + len(opt) // 4)]) + d[1:]
        return self.fix_ip_csum(self.patch(d, 2, "!H", len(d)))

    def kind_ip_opt_nop(self, _):
        return [self.with_options(b"\x01\x01\x01\x00")]

    def kind_ip_opt_timestamp(self, _):
        # Timestamp option, room for two stamps, pointer at the first.
        return [self.with_options(b"\x44\x0c\x05\x00" + b"\0" * 8)]

    def kind_ip_opt_bad_len(self, _):
        # Record route whose length runs past the end of the header.
        return [self.with_options(b"\x07\x27\x04\x00")]

    def kind_ip_opt_lsrr(self, _):
        lsrr = b"\x83\x07\x04" + socket.inet_aton("10.0.0.11") + b"\0"
        return [self.with_options(lsrr)]

    # ---- transport headers of packets for a service
    def kind_tcp_truncated(self, _):
        d = ip_bytes(self.tcp_syn())
        n = self.rng.randrange(4, 20)  # the ports, not the whole header
        return [self.fix_ip_csum(self.patch(d[:20 + n], 2, "!H", 20 + n))]

    def kind_tcp_doff_short(self, _):
        d = bytearray(ip_bytes(self.tcp_syn()))
        d[20 + 12] = (self.rng.randrange(0, 5) << 4)
        return [bytes(d)]

    def kind_tcp_doff_long(self, _):
        d = bytearray(ip_bytes(self.tcp_syn()))
        d[20 + 12] = 0xF0  # 60-byte header in a 20-byte segment
        return [bytes(d)]

    def kind_udp_truncated(self, _):
        d = ip_bytes(self.udp())
        n = self.rng.randrange(4, 8)
        return [self.fix_ip_csum(self.patch(d[:20 + n], 2, "!H", 20 + n))]

    def kind_udp_len_long(self, _):
        d = ip_bytes(self.udp())
        return [self.patch(d, 24, "!H", len(d) - 20 + 100)]

    def kind_udp_len_short(self, _):
        d = ip_bytes(self.udp())
        return [self.patch(d, 24, "!H", self.rng.randrange(0, 8))]

    def kind_l4_no_ports(self, _):
        d = ip_bytes(self.ip(proto=17) / Raw(b"\x13"))
        return [d]

    # ---- unusual but well-formed packets for a service
    def kind_udp_empty(self, _):
        return [ip_bytes(self.udp(payload=b""))]

    def kind_udp_odd_len(self, _):
        n = self.rng.randrange(0, 736) * 2 + 1  # odd, up to 1471
        return [ip_bytes(self.udp(payload=self.rng.randbytes(n)))]

    def kind_tcp_odd_flags(self, _):
        flags = self.rng.choice([0x00, 0x03, 0x3F, 0xFF, 0x29, 0x06])
        return [ip_bytes(self.ip() / TCP(sport=self.sport(),
                                         dport=self.a.tcp_port, flags=flags))]

    def kind_ttl_0(self, _):
        return [ip_bytes(self.udp(ttl=0))]

    def kind_ttl_1(self, _):
        return [ip_bytes(self.udp(ttl=1))]

    # ---- fragments (reassembled before dsr sees them)
    def kind_frag_tiny(self, _):
        pkt = self.udp(payload=self.rng.randbytes(64), flags=0,
                       id=self.rng.getrandbits(16))
        d = ip_bytes(pkt)
        hdr, body = d[:20], d[20:]
        frags = []
        for off in range(0, len(body), 8):
            piece = body[off:off + 8]
            more = 0x2000 if off + 8 < len(body) else 0
            h = self.patch(hdr, 2, "!H", 20 + len(piece))
            h = self.patch(h, 6, "!H", more | (off // 8))
            frags.append(self.fix_ip_csum(h) + piece)
        self.rng.shuffle(frags)
        return frags

    def kind_frag_overlap(self, _):
        pkt = self.udp(payload=self.rng.randbytes(48), flags=0,
                       id=self.rng.getrandbits(16))
        d = ip_bytes(pkt)
        hdr, body = d[:20], d[20:]

        def frag(off, length, more):
            h = self.patch(hdr, 2, "!H", 20 + length)
            h = self.patch(h, 6, "!H", (0x2000 if more else 0) | (off // 8))
            return self.fix_ip_csum(h) + body[off:off + length]
        # 0-31, then 16-55 (overlaps 16-31): the whole datagram is dropped.
        return [frag(0, 32, True), frag(16, len(body) - 16, False)]

    def kind_frag_lone(self, _):
        pkt = self.udp(payload=self.rng.randbytes(40), flags=0,
                       id=self.rng.getrandbits(16))
        d = ip_bytes(pkt)
        h = self.patch(d[:20], 2, "!H", 20 + 16)
        h = self.patch(h, 6, "!H", 0x2000)
        return [self.fix_ip_csum(h) + d[20:36]]

    # ---- ICMP errors to the VIP quoting garbage
    def kind_icmp_garbage(self, _):
        quote = self.rng.randbytes(self.rng.randrange(0, 60))
        icmp = ICMP(type=self.rng.choice([3, 11, 12]),
                    code=self.rng.randrange(0, 5))
        return [ip_bytes(self.ip() / icmp / Raw(quote))]

    # ---- anything at all after a valid IPv4 header to the VIP
    def kind_random(self, _):
        proto = self.rng.choice([6, 17])
        port = self.a.tcp_port if proto == 6 else self.a.udp_port
        body = bytearray(self.rng.randbytes(self.rng.randrange(0, 80)))
        if len(body) >= 4 and self.rng.random() < 0.8:
            struct.pack_into("!H", body, 2, port)
        return [ip_bytes(self.ip(proto=proto) / Raw(bytes(body)))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dev", required=True)
    ap.add_argument("--dst-mac", required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--vip", required=True)
    ap.add_argument("--tcp-port", type=int, required=True)
    ap.add_argument("--udp-port", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--gap-ms", type=float, default=2.0)
    args = ap.parse_args()

    rng = random.Random(args.seed)
    kinds = Kinds(args, rng)
    names = sorted(n[5:] for n in dir(kinds) if n.startswith("kind_"))
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sock.bind((args.dev, 0))
    src_mac = open(f"/sys/class/net/{args.dev}/address").read().strip()
    eth = (bytes.fromhex(args.dst_mac.replace(":", "")) +
           bytes.fromhex(src_mac.replace(":", "")) + b"\x08\x00")

    print("ready", flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "quit":
            break
        if words[0] == "kinds":
            print(" ".join(names), flush=True)
            continue
        if len(words) != 2 or words[0] not in names or \
           not words[1].isdigit() or int(words[1]) > 10000:
            print(f"error bad command: {line.strip()}", flush=True)
            continue
        make = getattr(kinds, "kind_" + words[0])
        sent = 0
        for i in range(int(words[1])):
            for pkt in make(i):
                sock.send(eth + pkt)
                time.sleep(args.gap_ms / 1000.0)
            sent += 1
        print(f"sent {words[0]} {sent}", flush=True)


if __name__ == "__main__":
    main()
