# SPDX-License-Identifier: MIT
"""
Plaintext IP packets for the ESP interop tests, as bytes: TCP, UDP, ICMP and
ICMPv6, from 29 bytes (a bare 20/40-byte header apart) to 1400 bytes, every
length modulo 4
(so every pad length 0..3), IPv4 options, and IPv6 extension headers in the
orders RFC 8200 §4.1 allows (to check where transport mode inserts ESP).
"""

from scapy.layers.inet import ICMP, IP, IPOption_Router_Alert, TCP, UDP
from scapy.layers.inet6 import (ICMPv6EchoRequest, IPv6, IPv6ExtHdrDestOpt,
                                IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, PadN,
                                RouterAlert)
from scapy.packet import Raw

V4 = ('10.1.0.1', '10.2.0.2')
V6 = ('fd00:1::1', 'fd00:2::2')
# Outer addresses in tunnel mode (documentation prefixes).
TUNNEL4 = ('192.0.2.1', '198.51.100.2')
TUNNEL6 = ('2001:db8::1', '2001:db8:ffff::2')

# Protocol 253 (RFC 3692 experimentation) with no payload: the smallest
# packet that is neither a fragment nor a TFC dummy (next header 59).
PROTO_EXPERIMENT = 253


def _fill(n, seed=0):
    return Raw(bytes((seed + i * 7) & 0xff for i in range(n)))


def header_only_packets():
    """A bare IPv4 header (20 bytes) and a bare IPv6 header (40 bytes,
    payload length 0: not a jumbogram, RFC 2675 needs a hop-by-hop header
    for that)."""
    return [bytes(IP(src=V4[0], dst=V4[1], proto=PROTO_EXPERIMENT)),
            bytes(IPv6(src=V6[0], dst=V6[1], nh=PROTO_EXPERIMENT))]


def ipv4_packets():
    s, d = V4
    ip = IP(src=s, dst=d, id=0x1234, ttl=61, tos=0x28)
    pkts = [
        ip / TCP(sport=40000, dport=80, flags='S'),
        ip / UDP(sport=5000, dport=53) / _fill(1),
        ip / UDP(sport=5000, dport=53) / _fill(2),
        ip / UDP(sport=5000, dport=53) / _fill(3),
        ip / ICMP(type=8, id=7, seq=1) / _fill(56),
        IP(src=s, dst=d, flags='DF') / TCP(
            sport=443, dport=40000, flags='PA', seq=1000, ack=2000,
            options=[('MSS', 1400), ('SAckOK', b''), ('NOP', None),
                     ('WScale', 7)]) / _fill(501),
        IP(src=s, dst=d, options=[IPOption_Router_Alert()]) /
        UDP(sport=1, dport=2) / _fill(10),
        ip / UDP(sport=5001, dport=5001) / _fill(1400 - 28, 3),
    ]
    return [bytes(p) for p in pkts]


def _hbh():
    return IPv6ExtHdrHopByHop(options=[RouterAlert(value=0)])


def _dst():
    return IPv6ExtHdrDestOpt(options=[PadN(optdata=b'\0' * 4)])


def _rt():
    # Type 0 with no segment left: the addresses are not used for the
    # upper-layer checksum (RFC 8200 §8.1).
    return IPv6ExtHdrRouting(type=0, segleft=0, addresses=['fd00:3::3'])


def ipv6_packets():
    s, d = V6
    ip = IPv6(src=s, dst=d, hlim=63, tc=0x28, fl=0x12345)
    udp = UDP(sport=5000, dport=53)
    pkts = [
        ip / TCP(sport=40000, dport=80, flags='S'),
        ip / udp / _fill(1),
        ip / udp / _fill(2),
        ip / udp / _fill(3),
        ip / ICMPv6EchoRequest(id=7, seq=1, data=bytes(56)),
        ip / UDP(sport=5001, dport=5001) / _fill(1400 - 48, 5),
        # Extension headers (RFC 8200 §4.1 order), for ESP placement.
        ip / _hbh() / udp / _fill(5),
        ip / _hbh() / _rt() / TCP(sport=1, dport=2, flags='A') / _fill(33),
        ip / _hbh() / _dst() / _rt() / _dst() / ICMPv6EchoRequest(data=bytes(9)),
        ip / _rt() / udp / _fill(6),
        ip / _dst() / udp / _fill(7),
        ip / _hbh() / _dst() / UDP(sport=9, dport=9) / _fill(300),
    ]
    return [bytes(p) for p in pkts]


def packets(version):
    return ipv4_packets() if version == 4 else ipv6_packets()
