#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""IKEv2 messages out of packet captures, as seeds for fuzz/fuzz_ike.c.

    pcap_to_ike_seeds.py [--prefix swan] [--max 60] [--clean] OUTDIR \\
        LABEL:MODE:FILE.pcap ...

Each capture (classic pcap, as `tcpdump -w` writes it; Ethernet, Linux
cooked v1/v2 or raw IP) is read in order. Every UDP datagram to or from
port 500 or 4500, over IPv4 or IPv6, whose payload is an IKE message is
kept (RFC 7296 §3.1 header: length field equal to the payload's length,
major version 2); on port 4500 the four-byte non-ESP marker is removed
first (RFC 3948 §2.2), and ESP packets (no marker) and NAT-keepalives (the
single byte 0xff, RFC 3948 §2.3) are skipped. IP fragments are skipped,
counted on stderr: a whole message never comes from them.

Each seed is fuzz_ike.c's mode byte MODE (0: AEAD shape, 1: AES-CBC with
HMAC-SHA2-256-128, 2: AES-CBC with HMAC-SHA2-512-256; the Encrypted
payload's framing of the IKE SA the capture belongs to) followed by the
message, written as

    OUTDIR/PREFIX-NN-LABEL-EXCHANGE-req|resp[-fragXofY]

numbered in capture order across all inputs; the fragment numbers are read
from a clear SKF header (RFC 7383 §2.5). A seed whose bytes equal an
earlier one's (a retransmission) is dropped; at most --max seeds are
written. --clean first removes OUTDIR/PREFIX-* (so a rerun replaces the
earlier output). The pcap is parsed by hand: no third-party module.
"""
import argparse
import glob
import hashlib
import os
import struct
import sys

IKE_PORT, NATT_PORT = 500, 4500
IKE_HDR_LEN = 28
EXCHANGES = {34: "sa-init", 35: "auth", 36: "create-child", 37: "info",
             43: "session-resume", 44: "intermediate"}
PAYLOAD_SKF = 53
FLAG_RESPONSE = 0x20

# Link types (tcpdump's DLT_/LINKTYPE_ numbers) and their header lengths.
LINK_ETHERNET, LINK_RAW, LINK_SLL, LINK_SLL2 = 1, 101, 113, 276
LINK_IPV4, LINK_IPV6 = 228, 229
ETH_VLAN = (0x8100, 0x88a8)
ETH_IPV4, ETH_IPV6 = 0x0800, 0x86dd
IPV6_EXT = (0, 43, 60)  # hop-by-hop, routing, destination options
IPV6_FRAG = 44
IPPROTO_UDP = 17


class Stats:
    def __init__(self):
        self.frames = self.ike = self.esp = self.keepalive = 0
        self.fragments = self.not_ike = self.dups = self.over = 0


def read_pcap(path):
    """Yield (link type, frame bytes) of a classic pcap file."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise SystemExit("%s: too short for a pcap header" % path)
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        raise SystemExit("%s: not a classic pcap file (pcapng?)" % path)
    link = struct.unpack(end + "I", data[20:24])[0] & 0x0fffffff
    pos = 24
    while pos + 16 <= len(data):
        caplen, wirelen = struct.unpack(end + "II", data[pos + 8:pos + 16])
        pos += 16
        frame = data[pos:pos + caplen]
        pos += caplen
        if len(frame) == caplen == wirelen:  # truncated frames are useless
            yield link, frame


def link_payload(link, frame):
    """(ethertype-like family, IP packet) of a frame, or None."""
    if link == LINK_ETHERNET:
        if len(frame) < 14:
            return None
        off, etype = 14, struct.unpack("!H", frame[12:14])[0]
        while etype in ETH_VLAN and len(frame) >= off + 4:
            etype = struct.unpack("!H", frame[off + 2:off + 4])[0]
            off += 4
        return etype, frame[off:]
    if link == LINK_SLL and len(frame) >= 16:
        return struct.unpack("!H", frame[14:16])[0], frame[16:]
    if link == LINK_SLL2 and len(frame) >= 20:
        return struct.unpack("!H", frame[0:2])[0], frame[20:]
    if link in (LINK_RAW, LINK_IPV4, LINK_IPV6) and frame:
        return (ETH_IPV4 if frame[0] >> 4 == 4 else ETH_IPV6), frame
    return None


def ipv4_udp(pkt, stats):
    if len(pkt) < 20 or pkt[0] >> 4 != 4:
        return None
    ihl = (pkt[0] & 15) * 4
    total = struct.unpack("!H", pkt[2:4])[0]
    if ihl < 20 or total < ihl or total > len(pkt) or pkt[9] != IPPROTO_UDP:
        return None
    if struct.unpack("!H", pkt[6:8])[0] & 0x3fff:  # MF or an offset
        stats.fragments += 1
        return None
    return pkt[ihl:total]


def ipv6_udp(pkt, stats):
    if len(pkt) < 40 or pkt[0] >> 4 != 6:
        return None
    nxt, end = pkt[6], 40 + struct.unpack("!H", pkt[4:6])[0]
    if end > len(pkt):
        return None
    off = 40
    while nxt in IPV6_EXT and off + 8 <= end:
        nxt, off = pkt[off], off + (pkt[off + 1] + 1) * 8
    if nxt == IPV6_FRAG:
        stats.fragments += 1
        return None
    return pkt[off:end] if nxt == IPPROTO_UDP and off <= end else None


def udp_ike(seg, stats):
    """The IKE message a UDP segment carries, or None."""
    if len(seg) < 8:
        return None
    sport, dport, ulen = struct.unpack("!HHH", seg[:6])
    if ulen < 8 or ulen > len(seg):
        return None
    body = seg[8:ulen]
    if NATT_PORT in (sport, dport):
        if body == b"\xff":
            stats.keepalive += 1
            return None
        if len(body) < 4 or body[:4] != b"\0\0\0\0":
            stats.esp += 1
            return None
        body = body[4:]
    elif IKE_PORT not in (sport, dport):
        return None
    if (len(body) < IKE_HDR_LEN or body[17] >> 4 != 2 or
            struct.unpack("!I", body[24:28])[0] != len(body)):
        stats.not_ike += 1
        return None
    return body


def seed_name(msg, label):
    exch = EXCHANGES.get(msg[18], "exch%d" % msg[18])
    kind = "resp" if msg[19] & FLAG_RESPONSE else "req"
    name = "%s-%s-%s" % (label, exch, kind) if label else "%s-%s" % (exch, kind)
    if msg[16] == PAYLOAD_SKF and len(msg) >= IKE_HDR_LEN + 8:
        num, total = struct.unpack("!HH", msg[32:36])
        name += "-frag%dof%d" % (num, total)
    return name


def messages(path, stats):
    for link, frame in read_pcap(path):
        stats.frames += 1
        lp = link_payload(link, frame)
        if lp is None:
            continue
        fam, pkt = lp
        seg = ipv4_udp(pkt, stats) if fam == ETH_IPV4 else (
            ipv6_udp(pkt, stats) if fam == ETH_IPV6 else None)
        msg = udp_ike(seg, stats) if seg is not None else None
        if msg is not None:
            stats.ike += 1
            yield msg


def parse_input(arg):
    parts = arg.split(":", 2)
    if len(parts) != 3 or not parts[1].isdigit() or int(parts[1]) > 255:
        raise SystemExit("bad input '%s': LABEL:MODE:FILE expected" % arg)
    label, mode, path = parts
    if label and not all(c.isalnum() or c == "-" for c in label):
        raise SystemExit("bad label '%s': letters, digits and - only" % label)
    return label, int(mode), path


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--prefix", default="swan")
    ap.add_argument("--max", type=int, default=60)
    ap.add_argument("--clean", action="store_true")
    ap.add_argument("outdir")
    ap.add_argument("inputs", nargs="+", metavar="LABEL:MODE:FILE")
    a = ap.parse_args()
    inputs = [parse_input(i) for i in a.inputs]
    if not os.path.isdir(a.outdir):
        raise SystemExit("%s: no such directory" % a.outdir)
    if a.clean:
        for old in glob.glob(os.path.join(a.outdir, a.prefix + "-*")):
            os.remove(old)
    stats, seen, n = Stats(), set(), 0
    for label, mode, path in inputs:
        for msg in messages(path, stats):
            seed = bytes([mode]) + msg
            h = hashlib.sha256(seed).digest()
            if h in seen:
                stats.dups += 1
                continue
            seen.add(h)
            if n >= a.max:
                stats.over += 1
                continue
            n += 1
            name = "%s-%02d-%s" % (a.prefix, n, seed_name(msg, label))
            with open(os.path.join(a.outdir, name), "wb") as f:
                f.write(seed)
            print("%s %d" % (name, len(msg)))
    print("%d frames: %d IKE messages, %d seeds written, %d duplicates, "
          "%d over --max; skipped %d ESP, %d keepalives, %d IP fragments, "
          "%d not IKE" % (stats.frames, stats.ike, n, stats.dups, stats.over,
                          stats.esp, stats.keepalive, stats.fragments,
                          stats.not_ike), file=sys.stderr)
    if n == 0:
        raise SystemExit("no IKE message found")


if __name__ == "__main__":
    main()
