# SPDX-License-Identifier: MIT
"""
The interop cases outside the cipher x mode x encapsulation x ESN x IP
version grid: checks of the reference's own workarounds, Ethernet pcaps,
non-default UDP ports, and packets tunsec must drop (wrong key, replay, a
wrong ESN high half).
"""

import hashlib
import hmac

from scapy.layers.inet import UDP
from scapy.layers.inet6 import IPv6
from scapy.layers.ipsec import CRYPT_ALGOS

import packets
from esplib import (GCM_TRUNC, LINKTYPE_ETHERNET, LINKTYPE_RAW, RefError,
                    RefSA, SaConfig, describe_diff, esp_offset, walk)
from harness import (Fail, check_encrypted, expect_clean, missing_decrypted,
                     missing_encrypted, run_case, run_tunsec)

KEY_GCM128 = bytes(range(0x10, 0x24))
KEY_GCM256 = bytes(range(0x40, 0x64))
KEY_CCM = bytes(range(0x70, 0x83))
KEY_CHACHA = bytes(range(0x90, 0xb4))
KEY_HMAC = bytes(range(0xc0, 0xe0))


def _cfg(cipher, icv, key, **kw):
    return SaConfig(0x7000, cipher, icv, key, **kw)


# ------------------------------------------------ the reference itself


def ref_gcm_truncated():
    """Workaround 1 agrees with scapy's own AES-GCM: the truncating
    algorithm with a 16-byte ICV gives scapy's bytes, and the 8/12-byte ICV
    is the 16-byte one cut short over the same ciphertext (RFC 4106 §3)."""
    plain = packets.ipv4_packets()[5]
    stock = RefSA(_cfg('aes-gcm-128', 16, KEY_GCM128, encap='none'))
    if stock.sa.crypt_algo.name != 'AES-GCM':
        raise Fail('ICV 16 does not use scapy\'s own AES-GCM')
    full = stock.encrypt(plain, 9)
    legacy = RefSA(_cfg('aes-gcm-128', 16, KEY_GCM128, encap='none'))
    legacy.sa.crypt_algo = CRYPT_ALGOS[GCM_TRUNC]
    if legacy.encrypt(plain, 9) != full:
        raise Fail('truncating AES-GCM with a 16-byte ICV differs from scapy\'s')
    full = full[esp_offset(full, 'none'):]
    for icv in (8, 12):
        ref = RefSA(_cfg('aes-gcm-128', icv, KEY_GCM128, encap='none'))
        if ref.sa.crypt_algo.name != GCM_TRUNC:
            raise Fail('ICV %d does not use the truncating AES-GCM' % icv)
        short = ref.encrypt(plain, 9)
        short = short[esp_offset(short, 'none'):]
        if short != full[:-16] + full[-16:-16 + icv]:
            raise Fail('ICV %d: %s' % (icv, describe_diff(short, full)))


def ref_hmac_esn():
    """Workaround 2: without ESN the hand-made HMAC equals scapy's ICV;
    with ESN it covers the high half (RFC 4303 §3.3.2.1), so a high half of
    0 still changes it."""
    plain = packets.ipv4_packets()[2]
    scapy_icv = RefSA(_cfg('null-hmac-sha256', 16, KEY_HMAC, encap='none')).encrypt(plain, 5)
    off = esp_offset(scapy_icv, 'none')
    mine = hmac.new(KEY_HMAC, scapy_icv[off:-16], hashlib.sha256).digest()[:16]
    if mine != scapy_icv[-16:]:
        raise Fail('HMAC-SHA-256-128 by hand differs from scapy\'s')
    esn = RefSA(_cfg('null-hmac-sha256', 16, KEY_HMAC, encap='none', esn=True)).encrypt(plain, 5)
    want = hmac.new(KEY_HMAC, scapy_icv[off:-16] + bytes(4), hashlib.sha256).digest()[:16]
    if esn[:-16] != scapy_icv[:-16] or esn[-16:] != want:
        raise Fail('ESN ICV is not HMAC(SPI|seq|payload|seq_hi)')


def ref_udp6_checksum():
    """Workaround 3: the IPv6 UDP checksum written into scapy's NAT-T output
    is the one scapy computes itself when asked to rebuild the header."""
    cfg = _cfg('aes-gcm-256', 16, KEY_GCM256, mode='tunnel',
               tunnel=packets.TUNNEL6)
    out = RefSA(cfg).encrypt(packets.ipv4_packets()[6], 77)
    pkt = IPv6(out)
    del pkt[UDP].chksum
    again = bytes(pkt)
    if again != out:
        raise Fail('scapy rebuilds the checksum as %s' % describe_diff(out, again))
    v6 = _cfg('aes-gcm-256', 16, KEY_GCM256)
    for plain in [p for p in packets.ipv6_packets() if walk(p)[1]]:
        out = RefSA(v6).encrypt(plain, 3)
        pkt = IPv6(out)
        del pkt[UDP].chksum
        if bytes(pkt) != out:
            raise Fail('transport with extension headers: %s'
                       % describe_diff(out, bytes(pkt)))


def ref_rejects_tampering():
    """The reference is not a pushover: one flipped bit anywhere in the
    ESP packet, or the wrong ESN high half, fails its decrypt."""
    plain = packets.ipv6_packets()[3]
    for cipher, icv, key in (('aes-gcm-128', 8, KEY_GCM128),
                             ('aes-gcm-256', 12, KEY_GCM256),
                             ('aes-ccm-128', 8, KEY_CCM),
                             ('chacha20-poly1305', 16, KEY_CHACHA),
                             ('null-hmac-sha256', 16, KEY_HMAC)):
        for esn in (False, True):
            ref = RefSA(_cfg(cipher, icv, key, esn=esn))
            seq = (3 << 32) + 1 if esn else 1
            out = ref.encrypt(plain, seq)
            off = esp_offset(out, 'udp')
            for pos in range(off + 8, len(out), 7):
                bad = bytearray(out)
                bad[pos] ^= 0x10
                try:
                    ref.decrypt(bytes(bad), seq)
                except RefError:
                    continue
                raise Fail('%s: flipped byte %d accepted' % (cipher, pos))
            if esn:
                try:
                    ref.decrypt(out, seq + (1 << 32))
                except RefError:
                    continue
                raise Fail('%s: wrong ESN high half accepted' % cipher)


# ------------------------------------------------ link types and ports

ETH = bytes.fromhex('020000000002' '020000000001')


def _eth(raw):
    return ETH + (b'\x08\x00' if raw[0] >> 4 == 4 else b'\x86\xdd') + raw


def _both_directions(cfg, outer, plains, seqs, linktype):
    """Decrypt scapy's packets and encrypt the originals with tunsec, in a
    pcap of linktype; Ethernet frames must carry the ethertype of the IP
    version inside."""
    ref = RefSA(cfg)
    enc = [ref.encrypt(p, s) for p, s in zip(plains, seqs)]
    wrap = _eth if linktype == LINKTYPE_ETHERNET else (lambda r: r)
    seq = seqs[0] if seqs[0] != 1 else None
    rc, err, lt, got = run_tunsec('decrypt', cfg, [wrap(e) for e in enc],
                                  linktype, seq=None if seq is None else seq - 1)
    expect_clean('decrypt', rc, err, lt, linktype, got, plains,
                 lambda: missing_decrypted(got, [wrap(p) for p in plains]))
    for i, (g, p) in enumerate(zip(got, plains)):
        if g != wrap(p):
            raise Fail('decrypt packet %d: %s' % (i, describe_diff(g, wrap(p))))
    rc, err, lt, got = run_tunsec('encrypt', cfg, [wrap(p) for p in plains],
                                  linktype, seq=seq)
    hdr = len(ETH) + 2 if linktype == LINKTYPE_ETHERNET else 0
    expect_clean('encrypt', rc, err, lt, linktype, got, plains,
                 lambda: missing_encrypted(ref, got, plains, seqs, hdr))
    for i, (g, p, e) in enumerate(zip(got, plains, enc)):
        if g[:hdr] != wrap(e)[:hdr]:
            raise Fail('encrypt packet %d: link header %s, expected %s'
                       % (i, g[:hdr].hex(), wrap(e)[:hdr].hex()))
        try:
            check_encrypted(cfg, ref, outer, g[hdr:], p, e, seqs[i])
        except Fail as err2:
            raise Fail('encrypt packet %d: %s' % (i, err2)) from None


def ethernet_transport():
    plains = packets.ipv4_packets() + packets.ipv6_packets()
    cfg = _cfg('aes-gcm-256', 16, KEY_GCM256)
    _both_directions(cfg, None, plains, list(range(1, len(plains) + 1)),
                     LINKTYPE_ETHERNET)


def ethernet_tunnel_v4_in_v6():
    plains = packets.ipv4_packets()
    cfg = _cfg('chacha20-poly1305', 16, KEY_CHACHA, mode='tunnel',
               tunnel=packets.TUNNEL6, esn=True)
    seqs = [(1 << 32) + 10 + i for i in range(len(plains))]
    _both_directions(cfg, 6, plains, seqs, LINKTYPE_ETHERNET)


def ethernet_tunnel_v6_in_v4():
    plains = packets.ipv6_packets()
    cfg = _cfg('aes-ccm-128', 12, KEY_CCM, mode='tunnel', encap='none',
               tunnel=packets.TUNNEL4)
    _both_directions(cfg, 4, plains, list(range(1, len(plains) + 1)),
                     LINKTYPE_ETHERNET)


def raw_mixed_versions():
    """One transport SA carries IPv4 and IPv6 packets in one capture."""
    plains = packets.ipv6_packets() + packets.ipv4_packets()
    cfg = _cfg('aes-gcm-128', 12, KEY_GCM128, encap='none')
    _both_directions(cfg, None, plains, list(range(1, len(plains) + 1)),
                     LINKTYPE_RAW)


def header_only():
    """A bare IPv4 header and a bare IPv6 header (payload length 0), in
    transport mode and as the inner packet of either outer version."""
    plains = packets.header_only_packets()
    for mode, tunnel, outer in (('transport', None, None),
                                ('tunnel', packets.TUNNEL4, 4),
                                ('tunnel', packets.TUNNEL6, 6)):
        cfg = _cfg('aes-gcm-256', 16, KEY_GCM256, mode=mode, tunnel=tunnel)
        try:
            _both_directions(cfg, outer, plains, [1, 2], LINKTYPE_RAW)
        except Fail as e:
            raise Fail('%s%s: %s' % (mode, ' over IPv%d' % outer if outer else '', e)) from None


def udp_ports():
    """--sport/--dport other than 4500 on both sides."""
    for mode, tunnel, inner in (('transport', None, 4),
                                ('tunnel', packets.TUNNEL6, 6)):
        cfg = _cfg('aes-gcm-128', 16, KEY_GCM128, mode=mode, tunnel=tunnel,
                   sport=40001, dport=4501)
        plains = packets.packets(inner)[:6]
        _both_directions(cfg, 6 if tunnel else None, plains,
                         list(range(1, len(plains) + 1)), LINKTYPE_RAW)


# ------------------------------------------------ drops


def _expect_drops(cfg, records, reason, want, seq=None, extra=()):
    rc, err, _, got = run_tunsec('decrypt', cfg, records, seq=seq, extra=extra)
    if rc != 1:
        raise Fail('exit %d, expected 1; stderr: %s' % (rc, err.strip()[-200:]))
    if reason not in err.lower():
        raise Fail('stderr does not report "%s": %s' % (reason, err.strip()[-200:]))
    if got != want:
        raise Fail('%d packets written, expected the %d that verify'
                   % (len(got), len(want)))


def _flip(key, pos):
    k = bytearray(key)
    k[pos] ^= 0x01
    return bytes(k)


def wrong_key():
    """Scapy encrypts with another key, or only another salt: tunsec drops
    those as "auth" and still writes the packets that verify."""
    plain = packets.ipv4_packets()[:3]
    for cipher, icv, key in (('aes-gcm-128', 16, KEY_GCM128),
                             ('aes-gcm-256', 8, KEY_GCM256),
                             ('aes-ccm-128', 12, KEY_CCM),
                             ('chacha20-poly1305', 16, KEY_CHACHA),
                             ('null-hmac-sha256', 16, KEY_HMAC)):
        good = _cfg(cipher, icv, key)
        wrong_key_cfg = _cfg(cipher, icv, _flip(key, 0))
        wrong_salt_cfg = _cfg(cipher, icv, _flip(key, len(key) - 1))
        recs = [RefSA(wrong_key_cfg).encrypt(plain[0], 1),
                RefSA(good).encrypt(plain[1], 2),
                RefSA(wrong_salt_cfg).encrypt(plain[2], 3)]
        try:
            _expect_drops(good, recs, 'auth', [plain[1]])
        except Fail as e:
            raise Fail('%s: %s' % (cipher, e)) from None


def replay_duplicate():
    """The same record twice: the copy is dropped as "replay"."""
    plains = packets.ipv6_packets()[:3]
    cfg = _cfg('aes-gcm-128', 16, KEY_GCM128, mode='tunnel', tunnel=packets.TUNNEL4)
    ref = RefSA(cfg)
    enc = [ref.encrypt(p, s) for p, s in zip(plains, (1, 2, 3))]
    _expect_drops(cfg, [enc[0], enc[1], enc[0], enc[2], enc[2]], 'replay', plains)


def replay_left_of_window():
    """With --replay-window 32, a packet 95 behind the highest is dropped
    as "replay", one just behind is not."""
    plains = packets.ipv4_packets()[:3]
    cfg = _cfg('chacha20-poly1305', 16, KEY_CHACHA, encap='none', esn=True)
    ref = RefSA(cfg)
    base = (2 << 32) + 50
    recs = [ref.encrypt(plains[0], base + 100), ref.encrypt(plains[1], base + 5),
            ref.encrypt(plains[2], base + 99)]
    _expect_drops(cfg, recs, 'replay', [plains[0], plains[2]], seq=base,
                  extra=['--replay-window', '32'])


def esn_wrong_high_half():
    """A packet sent with ESN high half 1 while the receiver, having seen
    sequence 10, infers high half 0 (RFC 4303 Appendix A): "auth"."""
    plain = packets.ipv4_packets()[3]
    for cipher, icv, key in (('aes-gcm-256', 16, KEY_GCM256),
                             ('null-hmac-sha256', 16, KEY_HMAC)):
        cfg = _cfg(cipher, icv, key, esn=True)
        rec = RefSA(cfg).encrypt(plain, (1 << 32) + 5)
        try:
            _expect_drops(cfg, [rec], 'auth', [], seq=10)
        except Fail as e:
            raise Fail('%s: %s' % (cipher, e)) from None


CASES = [
    ('reference gcm truncated tag', ref_gcm_truncated),
    ('reference hmac with esn', ref_hmac_esn),
    ('reference ipv6 udp checksum', ref_udp6_checksum),
    ('reference rejects tampering', ref_rejects_tampering),
    ('ethernet transport v4+v6 aes-gcm-256', ethernet_transport),
    ('ethernet tunnel v4-in-v6 chacha20-poly1305 esn', ethernet_tunnel_v4_in_v6),
    ('ethernet tunnel v6-in-v4 aes-ccm-128 icv12 raw esp', ethernet_tunnel_v6_in_v4),
    ('raw transport v6+v4 in one capture', raw_mixed_versions),
    ('header-only packets, 20 and 40 bytes', header_only),
    ('udp ports 40001->4501', udp_ports),
    ('drop wrong key or salt', wrong_key),
    ('drop replayed duplicate', replay_duplicate),
    ('drop left of replay window', replay_left_of_window),
    ('drop wrong esn high half', esn_wrong_high_half),
]


def run(case):
    name, fn = case
    return run_case(name, fn)
