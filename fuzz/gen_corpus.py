#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Seed corpus for fuzz/fuzz_esp.c.

Builds ESP packets with scapy's SecurityAssociation (an implementation
independent of tunsec) using the fixed SPI and keys the fuzz target uses,
and writes each as the target's three configuration bytes followed by the
outer IP packet. Also writes a few packets that must be dropped: truncated,
tampered, replayed, not ESP.

    /usr/bin/python3 fuzz/gen_corpus.py [OUTDIR]   (default fuzz/corpus/esp)

The output is deterministic; rerun it after changing the layout in
fuzz/fuzz_esp.c and commit the files.
"""
import hashlib
import hmac
import os
import struct
import sys

from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.inet6 import IPv6, IPv6ExtHdrHopByHop, ICMPv6EchoRequest
from scapy.layers.ipsec import ESP, SecurityAssociation
from scapy.packet import Raw, raw

SPI = 0x00001001
PORT = 4500
KEY_BYTE = 0x10

# Must match enum esp_cipher, enum aead_engine and the tables in fuzz_esp.c.
NULL, NULL_HMAC, GCM128, GCM256, CCM128, CHACHA = range(6)
AUTO, IPSECMB, OPENSSL = range(3)
WINDOWS = [32, 64, 100, 1024, 65536, 1000, 128, 4096]
TOPS = [0, 1, 1000, 0xfffffff0, 0xffffffff, 0x100000005, 0x1fffffff0,
        0xffffffffffffff00]
ICV_LENS = {NULL: [0], NULL_HMAC: [16], GCM128: [8, 12, 16],
            GCM256: [8, 12, 16], CCM128: [8, 12, 16], CHACHA: [16]}
KEY_LEN = {NULL: 0, NULL_HMAC: 32, GCM128: 20, GCM256: 36, CCM128: 19,
           CHACHA: 36}
SCAPY_CRYPT = {GCM128: 'AES-GCM', GCM256: 'AES-GCM', CCM128: 'AES-CCM',
               CHACHA: 'CHACHA20-POLY1305'}


def key(cipher):
    return bytes(KEY_BYTE + i for i in range(KEY_LEN[cipher]))


def config(cipher, icv=None, engine=AUTO, esn=False, tunnel=False, udp=False,
           window=64, top=0, pieces=1, dup=False, sa_mask=0):
    icv = ICV_LENS[cipher][-1] if icv is None else icv
    b0 = (cipher | ICV_LENS[cipher].index(icv) << 3 | engine << 5 |
          int(esn) << 7)
    b1 = (int(tunnel) | int(udp) << 1 | WINDOWS.index(window) << 2 |
          TOPS.index(top) << 5)
    b2 = (pieces - 1) | int(dup) << 2 | sa_mask << 3
    return bytes([b0, b1, b2])


def inner_v4(n=0):
    return (IP(src='192.0.2.10', dst='198.51.100.20', id=0x100 + n) /
            UDP(sport=1234, dport=5678) / Raw(b'tunsec %d ' % n * 3))


def inner_v4_tcp():
    return (IP(src='192.0.2.11', dst='198.51.100.21', id=7) /
            TCP(sport=40000, dport=443, flags='S', seq=1))


def inner_v6(n=0):
    return (IPv6(src='2001:db8::10', dst='2001:db8:1::20') /
            UDP(sport=1234, dport=5678) / Raw(b'six %d ' % n * 4))


def inner_v6_hbh():
    return (IPv6(src='2001:db8::11', dst='2001:db8:1::21') /
            IPv6ExtHdrHopByHop() / ICMPv6EchoRequest(id=1, seq=1) /
            Raw(b'hop-by-hop'))


def outer(v6):
    if v6:
        return IPv6(src='2001:db8:ff::1', dst='2001:db8:ff::2')
    return IP(src='203.0.113.1', dst='203.0.113.2', id=0x4242)


def fix_lengths(b, udp):
    """Recompute the outer IP (and UDP) lengths of raw packet b."""
    b = bytearray(b)
    if b[0] >> 4 == 4:
        ihl = (b[0] & 15) * 4
        struct.pack_into('!H', b, 2, len(b))
        struct.pack_into('!H', b, 10, 0)
        s = sum(struct.unpack('!%dH' % (ihl // 2), bytes(b[:ihl])))
        while s >> 16:
            s = (s & 0xffff) + (s >> 16)
        struct.pack_into('!H', b, 10, ~s & 0xffff)
        off = ihl
    else:
        struct.pack_into('!H', b, 4, len(b) - 40)
        off = 40
    if udp:
        struct.pack_into('!H', b, off + 4, len(b) - off)
    return bytes(b)


def esp(cipher, pkt, seq, icv=None, esn=False, tunnel=False, udp=False,
        v6_outer=None):
    """Encrypt pkt as sequence number seq (64 bits) for cipher."""
    icv = ICV_LENS[cipher][-1] if icv is None else icv
    kw = {}
    if tunnel:
        kw['tunnel_header'] = outer(v6_outer if v6_outer is not None
                                    else pkt.version == 6)
    if udp:
        kw['nat_t_header'] = UDP(sport=PORT, dport=PORT)
    if cipher in SCAPY_CRYPT:
        kw['crypt_algo'] = SCAPY_CRYPT[cipher]
        kw['crypt_key'] = key(cipher)
        if cipher == CCM128:
            kw['crypt_icv_size'] = icv
        iv = struct.pack('!Q', seq)
    else:
        iv = None
    hmac_esn = cipher == NULL_HMAC and esn
    if cipher == NULL_HMAC and not esn:
        kw['auth_algo'] = 'SHA2-256-128'
        kw['auth_key'] = key(cipher)
    sa = SecurityAssociation(ESP, spi=SPI, seq_num=seq & 0xffffffff,
                             esn_en=esn, esn=seq >> 32, **kw)
    # scapy freezes the UDP length of an IPv4 outer header before the ESP
    # part is added: recompute it.
    b = fix_lengths(raw(sa.encrypt(pkt, iv=iv)), udp)
    if cipher in (GCM128, GCM256) and icv < 16:
        # RFC 4106 §6 / SP 800-38D: a shorter GCM ICV is the full tag cut.
        b = fix_lengths(b[:len(b) - (16 - icv)], udp)
    if hmac_esn:
        # RFC 4303 §2.2.1: with ESN the high half follows the ICV input.
        mac = hmac.new(key(cipher),
                       b[espoff(b, udp):] + struct.pack('!L', seq >> 32),
                       hashlib.sha256).digest()[:16]
        b = fix_lengths(b + mac, udp)
    return b


def espoff(b, udp):
    off = (b[0] & 15) * 4 if b[0] >> 4 == 4 else 40
    return off + (8 if udp else 0)


def flip(b, pos):
    b = bytearray(b)
    b[pos] ^= 0x01
    return bytes(b)


def seeds():
    out = []

    def add(name, cfg, *pkts):
        out.append((name, cfg + b''.join(pkts)))

    # Valid packets, one per cipher, mode, encapsulation and family.
    add('gcm128-transport-v4', config(GCM128), esp(GCM128, inner_v4(), 1))
    add('gcm128-tunnel-v4', config(GCM128, tunnel=True),
        esp(GCM128, inner_v4(), 1, tunnel=True))
    add('gcm256-transport-udp-v4', config(GCM256, udp=True),
        esp(GCM256, inner_v4_tcp(), 1, udp=True))
    add('gcm128-icv8-transport-v6', config(GCM128, icv=8),
        esp(GCM128, inner_v6(), 1, icv=8))
    add('gcm128-icv12-tunnel-udp-v6', config(GCM128, icv=12, tunnel=True,
                                             udp=True),
        esp(GCM128, inner_v6(), 1, icv=12, tunnel=True, udp=True))
    add('ccm128-icv8-transport-v4', config(CCM128, icv=8),
        esp(CCM128, inner_v4(), 1, icv=8))
    add('ccm128-tunnel-udp-v4-in-v6', config(CCM128, tunnel=True, udp=True),
        esp(CCM128, inner_v4(), 1, tunnel=True, udp=True, v6_outer=True))
    add('ccm128-icv12-tunnel-v6', config(CCM128, icv=12, tunnel=True),
        esp(CCM128, inner_v6(), 1, icv=12, tunnel=True))
    add('chacha-transport-v6', config(CHACHA), esp(CHACHA, inner_v6(), 1))
    add('chacha-tunnel-udp-v4', config(CHACHA, tunnel=True, udp=True),
        esp(CHACHA, inner_v4(), 1, tunnel=True, udp=True))
    add('hmac-transport-v4', config(NULL_HMAC),
        esp(NULL_HMAC, inner_v4(), 1))
    add('hmac-tunnel-udp-v6', config(NULL_HMAC, tunnel=True, udp=True),
        esp(NULL_HMAC, inner_v6(), 1, tunnel=True, udp=True))
    add('null-transport-v4', config(NULL), esp(NULL, inner_v4_tcp(), 1))
    add('null-tunnel-v6', config(NULL, tunnel=True),
        esp(NULL, inner_v6(), 1, tunnel=True))
    add('gcm128-transport-v6-hbh', config(GCM128),
        esp(GCM128, inner_v6_hbh(), 1))
    add('gcm128-openssl', config(GCM128, engine=OPENSSL),
        esp(GCM128, inner_v4(), 1))
    add('ccm128-ipsecmb', config(CCM128, engine=IPSECMB, icv=16),
        esp(CCM128, inner_v6(), 1))
    # Extended sequence numbers (RFC 4303 Appendix A).
    add('esn-gcm128-next-block', config(GCM128, esn=True, top=0xfffffff0),
        esp(GCM128, inner_v4(), 0x100000002, esn=True))
    add('esn-chacha-previous-block', config(CHACHA, esn=True, window=1024,
                                           top=0x100000005),
        esp(CHACHA, inner_v4(), 0xfffffff8, esn=True))
    add('esn-hmac-next-block', config(NULL_HMAC, esn=True, top=0xfffffff0),
        esp(NULL_HMAC, inner_v4(), 0x100000001, esn=True))
    add('esn-ccm128-icv8', config(CCM128, icv=8, esn=True, top=1),
        esp(CCM128, inner_v6(), 2, icv=8, esn=True))
    # TFC padding after the inner packet; a dummy packet (next header 59).
    padded = IP(raw(inner_v4()) + b'\0' * 37)
    add('gcm128-tunnel-tfc', config(GCM128, tunnel=True),
        esp(GCM128, padded, 1, tunnel=True))
    add('null-tunnel-dummy', config(NULL, tunnel=True),
        esp(NULL, IPv6(src='2001:db8::1', dst='2001:db8::2', nh=59), 1))
    # Bursts: several packets back to back, split by their IP lengths.
    a, b, c = (esp(GCM128, inner_v4(i), i) for i in (1, 2, 3))
    add('burst-gcm128-3', config(GCM128, pieces=3, sa_mask=0b010), a, b, c)
    add('burst-gcm128-dup', config(GCM128, pieces=2, dup=True), b, a)
    a, b = (esp(CHACHA, inner_v6(i), i, tunnel=True, udp=True)
            for i in (5, 4))
    add('burst-chacha-tunnel-4', config(CHACHA, tunnel=True, udp=True,
                                        window=32, pieces=4, sa_mask=0b0100),
        a, b, a, b)
    a, b = (esp(NULL_HMAC, inner_v4(i), i) for i in (40, 3))
    add('burst-hmac-window', config(NULL_HMAC, window=32, pieces=2), a, b)
    # Drops.
    good = esp(GCM128, inner_v4(), 1)
    add('drop-truncated', config(GCM128), good[:len(good) // 2])
    add('drop-icv-flipped', config(GCM128), flip(good, len(good) - 1))
    add('drop-wrong-spi', config(GCM128), flip(good, 20 + 3))
    add('drop-replay', config(GCM128, window=32, top=1000),
        esp(GCM128, inner_v4(), 968))
    frag = bytearray(good)
    frag[6] |= 0x20  # more fragments
    add('drop-fragment', config(GCM128), fix_lengths(bytes(frag), False))
    add('drop-ike-marker', config(GCM128, udp=True),
        raw(outer(False) / UDP(sport=PORT, dport=PORT) / Raw(b'\0' * 4 +
                                                             b'ike' * 10)))
    add('drop-keepalive', config(GCM128, udp=True),
        raw(outer(False) / UDP(sport=PORT, dport=PORT) / Raw(b'\xff')))
    nullbad = bytearray(esp(NULL, inner_v4(), 1))
    nullbad[-2] = 200  # pad length past the payload
    add('drop-null-bad-pad', config(NULL), bytes(nullbad))
    add('drop-garbage', config(CHACHA, esn=True),
        bytes((i * 37 + 11) & 0xff for i in range(96)))
    add('drop-empty', config(GCM256, tunnel=True, udp=True))
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        here, 'corpus', 'esp')
    os.makedirs(outdir, exist_ok=True)
    for i, (name, data) in enumerate(seeds(), 1):
        assert len(data) <= 2048, name
        with open(os.path.join(outdir, '%02d-%s' % (i, name)), 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    main()
