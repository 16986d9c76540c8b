# SPDX-License-Identifier: MIT
"""
The independent side of the ESP interop tests: scapy's ESP implementation
(scapy.layers.ipsec, Debian's python3-scapy 2.5) configured like a tunsec SA,
plus pcap files and a walker for IP headers that knows nothing of tunsec.

scapy 2.5 has gaps that are worked around here, each at the place it bites;
none of them relaxes a check:
  1. AES-GCM through the cryptography AEAD API cannot truncate the tag
     (ICV 8 and 12): an AES-GCM CryptAlgo on cryptography's Cipher API, which
     truncates on seal and takes short tags on open (GCM_TRUNC below).
  2. ESP integrity for non-AEAD transforms (HMAC) ignores ESN: with ESN the
     ICV covers SPI | seq low | payload | seq high (RFC 4303 §2.2.1, §3.3.2.1,
     the high half appended for the ICV only), computed with hmac here.
  3. NAT-T (RFC 3948) output: the UDP length is frozen at 8 for IPv4 (the
     header is rebuilt before ESP is appended), an IPv6 extension header
     before the UDP header keeps next header 50, and the UDP checksum is 0
     for IPv6 too. fix_udp_encap() repairs all three in the bytes.
  4. SecurityAssociation.decrypt cannot take ESP in UDP over IPv6 (it sets
     the next header on the UDP layer): strip_udp_encap() turns any ESP-in-UDP
     packet into raw ESP before scapy decrypts it.
  5. seq_num 0 cannot be passed to encrypt() ("seq_num or self.seq_num"), a
     valid low half with ESN: the low half is set on the SA instead.
  6. SecurityAssociation.decrypt in IPv6 transport mode guesses the class
     of the decrypted payload from the base header's next header, which is
     the first extension header's type when there are extension headers
     before ESP, and the dissection fails or misparses: for those packets
     the ESP layer is decrypted with scapy's own verify/CryptAlgo.decrypt
     (what SecurityAssociation.decrypt calls) and put back here.
"""

import hashlib
import hmac
import struct

from cryptography.hazmat.primitives.ciphers import algorithms, modes
from scapy.layers.inet import IP, UDP
from scapy.layers.inet6 import IPv6
from scapy.layers.ipsec import (CRYPT_ALGOS, CryptAlgo, ESP,
                                IPSecIntegrityError, SecurityAssociation)

# tunsec cipher name -> key bytes, salt bytes, ICV lengths (first: default).
CIPHERS = {
    'aes-gcm-128': (16, 4, (16, 8, 12)),
    'aes-gcm-256': (32, 4, (16, 8, 12)),
    'aes-ccm-128': (16, 3, (8, 12, 16)),
    'chacha20-poly1305': (32, 4, (16,)),
    'null-hmac-sha256': (32, 0, (16,)),
    'null': (0, 0, (0,)),
}

PROTO_UDP = 17
PROTO_ESP = 50
EXT_HBH, EXT_ROUTING, EXT_FRAGMENT, EXT_DSTOPT = 0, 43, 44, 60
IPV6_EXT = (EXT_HBH, EXT_ROUTING, EXT_FRAGMENT, EXT_DSTOPT)

# Gap 1: AES-GCM on cryptography's Cipher API, which truncates the tag to
# crypt_icv_size on seal and accepts a short tag (min_tag_length = its
# length) on open. Same framing as scapy's own 'AES-GCM' entry: 4-byte salt
# || 8-byte IV as the nonce (RFC 4106 §4).
GCM_TRUNC = 'AES-GCM-TRUNCATED-TAG'
CRYPT_ALGOS[GCM_TRUNC] = CryptAlgo(
    GCM_TRUNC, cipher=algorithms.AES, mode=modes.GCM, key_size=(16, 32),
    block_size=1, iv_size=8, salt_size=4, icv_size=16,
    format_mode_iv=lambda sa, iv, **kw: sa.crypt_salt + iv)


class RefError(Exception):
    """The reference rejected or could not parse a packet."""


# ---------------------------------------------------------------- headers


def walk(buf):
    """Parse the IP header chain of buf. Returns (version, exts, nh_off,
    off, proto): exts = [(type, offset, length)] of IPv6 extension headers,
    nh_off the offset of the byte naming proto, off where proto's header
    begins."""
    if len(buf) < 20:
        raise RefError('packet shorter than an IP header')
    version = buf[0] >> 4
    if version == 4:
        return 4, [], 9, (buf[0] & 15) * 4, buf[9]
    if version != 6 or len(buf) < 40:
        raise RefError('not an IP packet')
    exts, nh_off, off, proto = [], 6, 40, buf[6]
    while proto in IPV6_EXT:
        if off + 8 > len(buf):
            raise RefError('truncated extension header')
        length = 8 if proto == EXT_FRAGMENT else (buf[off + 1] + 1) * 8
        exts.append((proto, off, length))
        nh_off, proto, off = off, buf[off], off + length
    return version, exts, nh_off, off, proto


def engine_split(exts):
    """How many of a plaintext IPv6 packet's extension headers stay before
    ESP in transport mode (RFC 4303 §3.1.1): hop-by-hop, routing and
    fragment headers, and destination options that precede a routing
    header."""
    types = [t for t, _, _ in exts]
    n = 0
    for i, t in enumerate(types):
        if t == EXT_DSTOPT and EXT_ROUTING not in types[i + 1:]:
            break
        n = i + 1
    return n


def scapy_split(exts):
    """The same count as scapy's split_for_transport() has it: it walks
    hop-by-hop, routing and destination options, stops at destination
    options after a routing header, and does not know fragment headers.
    Where it differs from engine_split() (destination options without a
    following routing header: scapy puts ESP after them, the engine before),
    both placements are allowed by RFC 4303 §3.1.1 and the encrypted
    payloads differ, so for those packets the tests compare the decrypted
    packets, not the ESP bytes; tunsec must still decrypt scapy's."""
    n, routing = 0, False
    for t, _, _ in exts:
        if t == EXT_ROUTING:
            routing = True
        elif t == EXT_DSTOPT and routing:
            break
        elif t not in (EXT_HBH, EXT_DSTOPT):
            break
        n += 1
    return n


def inet_sum(data):
    """RFC 1071 one's-complement sum, folded, not inverted."""
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s > 0xffff:
        s = (s & 0xffff) + (s >> 16)
    return s


def ipv4_header_checksum_ok(buf):
    return inet_sum(buf[:(buf[0] & 15) * 4]) == 0xffff


def udp6_checksum(buf, udp_off):
    """The UDP checksum (RFC 8200 §8.1) of the UDP datagram at udp_off in an
    IPv6 packet without a routing header left to visit."""
    udp = bytearray(buf[udp_off:])
    udp[6:8] = b'\0\0'
    pseudo = bytes(buf[8:40]) + struct.pack('!IxxxB', len(udp), PROTO_UDP)
    c = 0xffff - inet_sum(pseudo + bytes(udp))
    return c or 0xffff


def set_ipv4_length(buf):
    struct.pack_into('!H', buf, 2, len(buf))
    struct.pack_into('!H', buf, 10, 0)
    struct.pack_into('!H', buf, 10, 0xffff - inet_sum(bytes(buf[:(buf[0] & 15) * 4])))


def set_ip_length(buf):
    if buf[0] >> 4 == 4:
        set_ipv4_length(buf)
    else:
        struct.pack_into('!H', buf, 4, len(buf) - 40)


def fix_udp_encap(raw):
    """Gap 3: repair scapy's ESP-in-UDP output (UDP length, IPv6 next header
    before UDP, IPv6 UDP checksum). Leaves the ESP bytes alone."""
    buf = bytearray(raw)
    version, _, nh_off, off, proto = walk(buf)
    if proto not in (PROTO_UDP, PROTO_ESP):
        raise RefError('scapy produced no UDP header')
    buf[nh_off] = PROTO_UDP
    struct.pack_into('!H', buf, off + 4, len(buf) - off)
    if version == 6:
        struct.pack_into('!H', buf, off + 6, udp6_checksum(buf, off))
    return bytes(buf)


def strip_udp_encap(raw, dport):
    """Gap 4: ESP in UDP -> raw ESP (UDP header removed, next header 50,
    lengths fixed), after checking the UDP header: the destination port,
    the length, and the checksum (0 on IPv4, RFC 3948 §2.1; a valid one on
    IPv6, RFC 8200 §8.1)."""
    buf = bytearray(raw)
    version, _, nh_off, off, proto = walk(buf)
    if proto != PROTO_UDP:
        raise RefError('next header %d, expected UDP' % proto)
    _, dp, length, csum = struct.unpack_from('!HHHH', buf, off)
    if dp != dport:
        raise RefError('UDP destination port %d, expected %d' % (dp, dport))
    if length != len(buf) - off:
        raise RefError('UDP length %d, datagram is %d' % (length, len(buf) - off))
    if version == 4 and csum != 0:
        raise RefError('IPv4 UDP checksum 0x%04x, expected 0' % csum)
    if version == 6 and csum != udp6_checksum(buf, off):
        raise RefError('IPv6 UDP checksum 0x%04x, correct is 0x%04x'
                       % (csum, udp6_checksum(buf, off)))
    buf[nh_off] = PROTO_ESP
    del buf[off:off + 8]
    set_ip_length(buf)
    return bytes(buf)


def esp_offset(raw, encap):
    """Offset of the ESP header in an outer packet."""
    _, _, _, off, proto = walk(raw)
    want = PROTO_UDP if encap == 'udp' else PROTO_ESP
    if proto != want:
        raise RefError('next header %d, expected %d' % (proto, want))
    return off + 8 if encap == 'udp' else off


def dissect(raw):
    return (IP if raw[0] >> 4 == 4 else IPv6)(raw)


# ---------------------------------------------------------------- the SA


class SaConfig:
    """One SA, as given to tunsec on its command line and to scapy."""

    def __init__(self, spi, cipher, icv, key, mode='transport', encap='udp',
                 esn=False, sport=4500, dport=4500, tunnel=None):
        self.spi, self.cipher, self.icv, self.key = spi, cipher, icv, key
        self.mode, self.encap, self.esn = mode, encap, esn
        self.sport, self.dport = sport, dport
        self.tunnel = tunnel  # (src, dst) strings in tunnel mode

    def args(self):
        """tunsec esp options for this SA, without --seq/--in/--out."""
        a = ['--spi', str(self.spi), '--cipher', self.cipher,
             '--mode', self.mode, '--encap', self.encap]
        if self.icv:
            a += ['--icv', str(self.icv)]
        if self.key:
            a += ['--key', self.key.hex()]
        if self.encap == 'udp':
            a += ['--sport', str(self.sport), '--dport', str(self.dport)]
        if self.esn:
            a += ['--esn']
        if self.mode == 'tunnel':
            a += ['--tunnel-src', self.tunnel[0], '--tunnel-dst', self.tunnel[1]]
        return a


def _scapy_algos(cfg):
    """SecurityAssociation keyword arguments for cfg's transform."""
    if cfg.cipher.startswith('aes-gcm'):
        algo = 'AES-GCM' if cfg.icv == 16 else GCM_TRUNC
        return dict(crypt_algo=algo, crypt_key=cfg.key, crypt_icv_size=cfg.icv)
    if cfg.cipher == 'aes-ccm-128':
        return dict(crypt_algo='AES-CCM', crypt_key=cfg.key,
                    crypt_icv_size=cfg.icv)
    if cfg.cipher == 'chacha20-poly1305':
        return dict(crypt_algo='CHACHA20-POLY1305', crypt_key=cfg.key,
                    crypt_icv_size=cfg.icv)
    if cfg.cipher == 'null-hmac-sha256':
        return dict(crypt_algo='NULL', auth_algo='SHA2-256-128',
                    auth_key=cfg.key)
    return dict(crypt_algo='NULL')


def hmac_icv(key, esp_without_icv, seq_hi, icv_len):
    """Gap 2: HMAC-SHA-256-128 over the ESP packet with the ESN high half
    appended (RFC 4303 §3.3.2.1)."""
    data = bytes(esp_without_icv) + struct.pack('!I', seq_hi)
    return hmac.new(key, data, hashlib.sha256).digest()[:icv_len]


class RefSA:
    """cfg's SA in scapy: encrypt a packet for a given 64-bit sequence
    number (the IV is that number, RFC 4106 §3.1), or decrypt one."""

    def __init__(self, cfg):
        self.cfg = cfg
        kw = _scapy_algos(cfg)
        if cfg.mode == 'tunnel':
            src, dst = cfg.tunnel
            kw['tunnel_header'] = (IPv6 if ':' in src else IP)(src=src, dst=dst)
        if cfg.encap == 'udp':
            kw['nat_t_header'] = UDP(sport=cfg.sport, dport=cfg.dport)
        self.sa = SecurityAssociation(ESP, spi=cfg.spi, esn_en=cfg.esn, **kw)
        self.hmac_esn = cfg.esn and cfg.cipher == 'null-hmac-sha256'

    def encrypt(self, raw, seq):
        """The outer packet for the IP packet raw with sequence number seq."""
        lo, hi = seq & 0xffffffff, seq >> 32
        self.sa.seq_num = lo            # gap 5
        iv = None if self.cfg.cipher.startswith('null') else struct.pack('!Q', seq)
        out = self.sa.encrypt(dissect(raw), iv=iv, esn=hi)
        if self.hmac_esn:
            esp = out[ESP]
            body = esp.data[:-self.cfg.icv]
            esp.data = body + hmac_icv(self.cfg.key, ESP(spi=esp.spi, seq=esp.seq, data=body), hi,
                                       self.cfg.icv)
        out = bytes(out)
        if self.cfg.encap == 'udp':
            out = fix_udp_encap(out)
        return out

    def decrypt(self, raw, seq):
        """The packet inside outer packet raw, which must carry sequence
        number seq; raises RefError when it does not verify or parse."""
        if self.cfg.encap == 'udp':
            raw = strip_udp_encap(raw, self.cfg.dport)
        off = esp_offset(raw, 'none')
        spi, lo = struct.unpack_from('!II', raw, off)
        if spi != self.cfg.spi or lo != seq & 0xffffffff:
            raise RefError('ESP header spi 0x%x seq %d, expected 0x%x %d'
                           % (spi, lo, self.cfg.spi, seq & 0xffffffff))
        verify = True
        if self.hmac_esn:
            n = self.cfg.icv
            want = hmac_icv(self.cfg.key, raw[off:-n], seq >> 32, n)
            if not hmac.compare_digest(want, raw[-n:]):
                raise RefError('HMAC ICV (with ESN) does not verify')
            verify = False
        version, exts, nh_off, _, _ = walk(raw)
        try:
            if self.cfg.mode == 'transport' and version == 6 and exts:
                return self._decrypt_after_exts(raw, nh_off, off, verify, seq >> 32)
            out = self.sa.decrypt(dissect(raw), verify=verify, esn=seq >> 32)
        except IPSecIntegrityError as e:
            raise RefError('ICV does not verify: %s' % e) from None
        return bytes(out)

    def _decrypt_after_exts(self, raw, nh_off, off, verify, seq_hi):
        """Gap 6: the steps of SecurityAssociation._decrypt_esp, then the
        packet is rebuilt from the bytes: headers before ESP, the last one's
        next header from the ESP trailer, payload length fixed."""
        sa = self.sa
        encrypted = dissect(raw)[ESP]
        if verify:
            sa.auth_algo.verify(encrypted, sa.auth_key)
        icv = sa.crypt_icv_size or sa.crypt_algo.icv_size or sa.auth_algo.icv_size
        esp = sa.crypt_algo.decrypt(sa, encrypted, sa.crypt_key, icv,
                                    esn_en=sa.esn_en, esn=seq_hi)
        buf = bytearray(raw[:off]) + bytes(esp.data)
        buf[nh_off] = esp.nh
        set_ip_length(buf)
        return bytes(buf)


# ---------------------------------------------------------------- pcap

LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101


def pcap_write(path, linktype, records):
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, linktype))
        for i, rec in enumerate(records):
            f.write(struct.pack('<IIII', 1700000000 + i, 0, len(rec), len(rec)))
            f.write(rec)


def pcap_read(path):
    """(linktype, [record bytes]) of a pcap file in either byte order."""
    with open(path, 'rb') as f:
        data = f.read()
    if len(data) < 24:
        raise RefError('%s: no pcap header' % path)
    magic = struct.unpack_from('<I', data)[0]
    if magic in (0xa1b2c3d4, 0xa1b23c4d):
        e = '<'
    elif magic in (0xd4c3b2a1, 0x4d3cb2a1):
        e = '>'
    else:
        raise RefError('%s: bad pcap magic 0x%08x' % (path, magic))
    linktype = struct.unpack_from(e + 'I', data, 20)[0] & 0x0fffffff
    recs, off = [], 24
    while off < len(data):
        if off + 16 > len(data):
            raise RefError('%s: truncated record header' % path)
        incl, orig = struct.unpack_from(e + 'II', data, off + 8)
        if incl != orig or off + 16 + incl > len(data):
            raise RefError('%s: truncated record' % path)
        recs.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return linktype, recs


def describe_diff(got, want):
    """Where two byte strings first differ, for a failure message."""
    if got == want:
        return 'equal'
    n = next((i for i in range(min(len(got), len(want))) if got[i] != want[i]),
             min(len(got), len(want)))
    return ('%d bytes vs %d expected, first difference at offset %d: '
            'got %s expected %s' % (len(got), len(want), n,
                                     got[n:n + 8].hex() or '-',
                                     want[n:n + 8].hex() or '-'))
