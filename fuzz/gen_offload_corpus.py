#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Write the seed corpora of fuzz_gso and fuzz_gro.

    /usr/bin/python3 fuzz/gen_offload_corpus.py      # rewrites corpus/gso, corpus/gro

Packets are built with scapy (Debian's python3-scapy), independently of the
code under test; the input layouts are described at the top of
fuzz/fuzz_gso.c and fuzz/fuzz_gro.c. The output is deterministic.
"""
import os
import struct

from scapy.all import IP, IPOption, IPv6, TCP, UDP, ICMP, Raw

HERE = os.path.dirname(os.path.abspath(__file__))

NEEDS_CSUM, DATA_VALID = 1, 2
NONE, TCPV4, UDP_UFO, TCPV6, UDP_L4, ECN = 0, 1, 3, 4, 5, 0x80

A4, B4 = "192.0.2.1", "198.51.100.2"
A6, B6 = "2001:db8::1", "2001:db8::2"


def payload(n, seed=0):
    return bytes((i * 7 + seed) & 0xFF for i in range(n))


def vnet(flags, gso_type, hdr_len, gso_size, csum_start, csum_offset):
    # Little-endian u16 fields, as TUN gives them (dp/vnet.h).
    return struct.pack("<BBHHHH", flags, gso_type, hdr_len, gso_size,
                       csum_start, csum_offset)


def gso_seed(pkt, gso_type, gso_size, mtu=0, cfg=0, flags=NEEDS_CSUM):
    raw = bytes(pkt)
    l3 = 40 if raw[0] >> 4 == 6 else (raw[0] & 15) * 4
    udp = (raw[6] if l3 == 40 else raw[9]) == 17
    hdr = l3 + (8 if udp else (raw[l3 + 12] >> 4) * 4)
    off = 6 if udp else 16
    return (vnet(flags, gso_type, hdr, gso_size, l3, off) +
            struct.pack(">HB", mtu, cfg) + raw)


def tcp4(n, flags="A", options=(), seq=1000, **ip):
    return (IP(src=A4, dst=B4, flags="DF", id=0x1234, **ip) /
            TCP(sport=40000, dport=5201, seq=seq, ack=777, flags=flags,
                window=512, options=list(options)) / Raw(payload(n)))


def tcp4_ip_options(n):
    # Three NOPs and an end-of-options byte: a 24-byte IPv4 header.
    return (IP(src=A4, dst=B4, options=[IPOption(b"\x01\x01\x01\x00")]) /
            TCP(sport=1, dport=2, flags="A") / Raw(payload(n)))


def tcp6(n, flags="A", options=(), seq=1000):
    return (IPv6(src=A6, dst=B6) /
            TCP(sport=40000, dport=5201, seq=seq, ack=777, flags=flags,
                window=512, options=list(options)) / Raw(payload(n)))


def gso_seeds():
    ts = [("NOP", None), ("NOP", None), ("Timestamp", (100, 200))]
    udp4 = IP(src=A4, dst=B4) / UDP(sport=4000, dport=5000) / Raw(payload(1800))
    udp6 = IPv6(src=A6, dst=B6) / UDP(sport=4000, dport=5000) / Raw(payload(1700))
    bad = bytearray(gso_seed(tcp4(1500), TCPV4, 500))
    bad[4:6] = b"\0\0"  # gso_size 0
    # No segmentation, NEEDS_CSUM at an odd csum_offset (refused; found by
    # the fuzzer when it was not).
    odd = bytearray(gso_seed(tcp4(60), NONE, 0))
    odd[8:10] = struct.pack("<H", 33)
    return {
        "tcp4-tso": gso_seed(tcp4(1900), TCPV4, 600, mtu=1500),
        "tcp6-tso-ts": gso_seed(tcp6(1800, options=ts), TCPV6, 500),
        "tcp4-psh-fin-cwr": gso_seed(tcp4(1801, flags="APFC"), TCPV4 | ECN, 600),
        "tcp4-ip-options": gso_seed(tcp4_ip_options(1500), TCPV4, 700),
        "udp4-uso": gso_seed(udp4, UDP_L4, 500, mtu=1200),
        "udp6-uso": gso_seed(udp6, UDP_L4, 400),
        "none-csum": gso_seed(tcp4(900), NONE, 0),
        "none-plain": gso_seed(udp4, NONE, 0, flags=DATA_VALID)[:900],
        "tcp4-partial-mtu576": gso_seed(tcp4(1900), TCPV4, 1448, mtu=576, cfg=1),
        "tcp6-short-buffer": gso_seed(tcp6(1500), TCPV6, 500, cfg=8),
        "tcp4-fixup": gso_seed(tcp4(1500), TCPV4, 400, cfg=6)[:-100],
        "bad-gso-size-0": bytes(bad),
        "none-csum-odd-offset": bytes(odd),
    }


def raw_records(pkts, flushes=()):
    out = b""
    for i, p in enumerate(pkts):
        if i in flushes:
            out += b"\0\0"
        b = bytes(p)
        out += struct.pack(">H", len(b)) + b
    return out


def segs4(n, mss, first=0, sport=40000, flags="A", ipid=0x100):
    return [IP(src=A4, dst=B4, flags="DF", id=ipid + i) /
            TCP(sport=sport, dport=5201, seq=1000 + i * mss, ack=777,
                flags=flags, window=512) / Raw(payload(mss, i))
            for i in range(first, first + n)]


def segs6(n, mss, last_flags="PA"):
    return [IPv6(src=A6, dst=B6) /
            TCP(sport=40000, dport=5201, seq=1000 + i * mss, ack=777,
                flags=last_flags if i == n - 1 else "A", window=512) /
            Raw(payload(mss, i)) for i in range(n)]


def synth(records):
    return b"\x01" + b"".join(bytes(r) for r in records)


def gro_seeds():
    a = segs4(4, 200)
    b = segs4(4, 200, sport=40001)
    mixed = [p for pair in zip(a, b) for p in pair]
    gap = segs4(2, 300) + segs4(2, 300, first=3)
    reorder = [segs4(4, 300)[i] for i in (0, 2, 1, 3)]
    other = [IP(src=A4, dst=B4) / UDP() / Raw(b"x" * 20),
             IP(src=A4, dst=B4) / ICMP(),
             IP(src=A4, dst=B4, flags="MF", proto=6) / Raw(payload(64)),
             IP(src=A4, dst=B4, frag=100, proto=6) / Raw(payload(64))]
    broken = bytearray(raw_records(segs4(3, 300)))
    broken[2 + 20 + 16] ^= 0xFF  # first segment's TCP checksum
    return {
        "raw-v4-bulk": b"\x00" + raw_records(segs4(8, 200)),
        "raw-v6-psh": b"\x00" + raw_records(segs6(5, 300)),
        "raw-two-flows": b"\x00" + raw_records(mixed),
        "raw-gap": b"\x00" + raw_records(gap),
        "raw-reorder-flush": b"\x00" + raw_records(reorder, flushes=(2,)),
        "raw-unusual": b"\x00" + raw_records(segs4(2, 300) + other),
        "raw-fix-checksums": b"\x02" + bytes(broken),
        "synth-bulk-v4": synth([(0, 200, 0, 1)] * 60),
        "synth-mixed": synth([(f | (c << 5), 200, fl, 9)
                              for f, c, fl in [(0, 0, 0), (1, 0, 0), (0, 0, 0),
                                               (2, 5, 0), (1, 4, 0), (3, 0, 0),
                                               (0, 7, 0), (2, 0, 1), (1, 0, 4),
                                               (3, 0, 0x80), (0, 0, 0x20)]]),
        "synth-small-segs": synth([(3, 200, 0, 2)] * 80),
        "synth-gaps-flush": synth([(0 | (sm << 3) | (4 if i % 7 == 6 else 0),
                                    200 if i % 5 else 40, 0, 0xFF if i == 3 else 1)
                                   for i, sm in enumerate([0, 0, 2, 0, 3, 0, 0, 1, 2, 0] * 3)]),
    }


def write(name, seeds):
    d = os.path.join(HERE, "corpus", name)
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        os.remove(os.path.join(d, f))
    for k, v in seeds.items():
        with open(os.path.join(d, k), "wb") as f:
            f.write(v)


if __name__ == "__main__":
    write("gso", gso_seeds())
    write("gro", gro_seeds())
