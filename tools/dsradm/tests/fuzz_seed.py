#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write seed inputs for fuzz_listing: valid kernel answers to a listing.

Usage: tests/fuzz_seed.py DIR && tests/fuzz_listing DIR
Each datagram is a little-endian u16 length then the bytes; the harness
patches sequence numbers, port ids and the family id.
"""
import os
import struct
import sys


def attr(t, p):
    n = 4 + len(p)
    return struct.pack("=HH", n, t) + p + b"\0" * ((4 - n % 4) % 4)


def nest(t, *a):
    return attr(t | 0x8000, b"".join(a))


def msg(typ, flags, payload):
    return struct.pack("=IHHII", 16 + len(payload), typ, flags, 0, 0) + payload


def genl(cmd, attrs, flags=0):
    return msg(0x20, flags, struct.pack("=BBH", cmd, 1, 0) + attrs)


def ack(err=0, text=None):
    payload = struct.pack("=i", err) + struct.pack("=IHHII", 16, 0x20, 5, 0, 0)
    flags = 0x100                                   # NLM_F_CAPPED
    if text:
        payload += attr(1, text.encode() + b"\0")   # NLMSGERR_ATTR_MSG
        flags |= 0x200                              # NLM_F_ACK_TLVS
    return msg(2, flags, payload)


def done(err=0):
    return msg(3, 2, struct.pack("=i", err))


def dgram(b):
    return struct.pack("<H", len(b)) + b


def u8(v):
    return struct.pack("=B", v)


def be16(v):
    return struct.pack(">H", v)


def u32(v):
    return struct.pack("=I", v)


def u64(v):
    return struct.pack("=Q", v)


def stats(t, c, p, b):
    return nest(t, attr(2, u64(c)), attr(3, u64(p)), attr(4, u64(b)))


INFO = genl(11, nest(3, attr(2, b"0.1.0\0"), attr(3, u32(1048576)),
                     attr(4, u32(12)), attr(12, u64(17)), attr(13, u64(3))))
SVC4 = genl(4, nest(1, attr(2, u8(6)), attr(3, bytes([10, 0, 0, 100])),
                    attr(5, be16(80)), attr(7, b"rr\0"), attr(8, u32(0)),
                    attr(10, u32(1)), stats(11, 20, 140, 12345),
                    attr(12, bytes([198, 51, 100, 0])), attr(13, u8(28))),
            2)
SVC6 = genl(4, nest(1, attr(2, u8(17)), attr(4, bytes(15) + b"\1"),
                    attr(5, be16(53)), attr(7, b"wrr\0")), 2)
DEST = genl(8, nest(1, attr(2, u8(6)), attr(3, bytes([10, 0, 0, 100])),
                    attr(5, be16(80)))
            + nest(2, attr(2, bytes([10, 0, 1, 2])), attr(4, be16(80)),
                   attr(5, u8(1)), attr(6, u32(1)), attr(9, u32(3)),
                   attr(10, u32(0)), stats(11, 10, 70, 6000)), 2)
# A GUE real server with a checksum and a learned path MTU.
DEST_TUN = genl(8, nest(1, attr(2, u8(6)), attr(3, bytes([10, 0, 0, 100])),
                        attr(5, be16(80)))
                + nest(2, attr(2, bytes([10, 0, 1, 3])), attr(4, be16(80)),
                       attr(5, u8(2)), attr(6, u32(1)), attr(7, u8(2)),
                       attr(8, be16(6080)), attr(12, u32(1)),
                       attr(13, u32(1400)), stats(11, 1, 2, 3)), 2)

# IPv6: a persistent service with a prefix length, and an IPv6 fwmark
# service (FAMILY 10, AF_INET6) with a real server of port 0.
SVC6_PERSIST = genl(4, nest(1, attr(2, u8(6)), attr(4, bytes(15) + b"\1"),
                            attr(5, be16(80)), attr(7, b"mh\0"),
                            attr(9, u32(60)), attr(19, u8(64))), 2)
FWM6_KEY = nest(1, attr(6, u32(1)), attr(18, u8(10)))
SVC_FWM6 = genl(4, nest(1, attr(6, u32(1)), attr(18, u8(10)),
                        attr(7, b"rr\0"), attr(9, u32(600)),
                        attr(19, u8(48))), 2)
DEST_FWM6 = genl(8, FWM6_KEY
                 + nest(2, attr(3, bytes(15) + b"\x20"), attr(4, be16(0)),
                        attr(5, u8(1)), attr(6, u32(1))), 2)

SEEDS = {
    "full": dgram(INFO + ack()) + dgram(SVC4 + SVC6) + dgram(done())
    + dgram(DEST + DEST_TUN) + dgram(done()) + dgram(done(-3)),
    "ipv6": dgram(INFO + ack()) + dgram(SVC6_PERSIST + SVC_FWM6)
    + dgram(done()) + dgram(done()) + dgram(DEST_FWM6) + dgram(done()),
    "error": dgram(INFO + ack()) + dgram(ack(-22, "bad thing")),
}

if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, "seed-" + name), "wb") as f:
            f.write(data)
