# SPDX-License-Identifier: MIT
"""
Running `tunsec esp` on pcap files and checking what it encrypted against
the scapy reference (esplib), shared by the interop test cases.
"""

import os
import shutil
import struct
import subprocess
import tempfile

import esplib
from esplib import (LINKTYPE_RAW, RefError, describe_diff, engine_split,
                    esp_offset, pcap_read, pcap_write, scapy_split, walk)

SRCDIR = os.environ.get('TUNSEC_SRCDIR') or os.path.abspath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..'))
BUILD = os.environ.get('TUNSEC_BUILD') or os.path.join(SRCDIR, 'build')
TUNSEC = os.path.join(BUILD, 'tunsec')
TIMEOUT = 60
TMP = None  # per-run scratch directory, set by the test's main()
# Under ASan a report exits 1, the status of a drop: the text tells them apart.
SANITIZER = 'ERROR: AddressSanitizer'


class Fail(Exception):
    """A case failed; the message says why."""


# ---------------------------------------------------------------- running


def run_tunsec(op, cfg, records, linktype=LINKTYPE_RAW, seq=None, extra=()):
    """Write records to a pcap, run `tunsec esp op` for cfg on it. Returns
    (exit status, stderr, output linktype, output records)."""
    d = tempfile.mkdtemp(dir=TMP)
    inp, out = os.path.join(d, 'in.pcap'), os.path.join(d, 'out.pcap')
    pcap_write(inp, linktype, records)
    cmd = [TUNSEC, 'esp', op] + cfg.args()
    if seq is not None:
        cmd += ['--seq', str(seq)]
    cmd += list(extra) + ['--in', inp, '--out', out]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise Fail('%s timed out after %ds' % (' '.join(cmd), TIMEOUT)) from None
    if SANITIZER in r.stderr or 'runtime error:' in r.stderr:
        raise Fail('tunsec esp %s: sanitizer report: %s'
                   % (op, r.stderr[r.stderr.find('ERROR'):][:300]))
    if r.returncode not in (0, 1):
        raise Fail('tunsec esp %s exited %d: %s'
                   % (op, r.returncode, stderr_tail(r.stderr)))
    try:
        lt, recs = pcap_read(out)
    except (OSError, RefError) as e:
        raise Fail('tunsec esp %s (exit %d) wrote no readable pcap: %s; stderr: %s'
                   % (op, r.returncode, e, stderr_tail(r.stderr))) from None
    shutil.rmtree(d, ignore_errors=True)
    return r.returncode, r.stderr, lt, recs


def stderr_tail(err):
    return ' | '.join(err.strip().splitlines()[-2:])[-300:]


def missing_decrypted(got, plains):
    return [i for i, p in enumerate(plains) if p not in got]


def missing_encrypted(ref, got, plains, seqs, hdr=0):
    """Which plaintexts the reference finds in none of tunsec's packets."""
    found, by_low = set(), {s & 0xffffffff: s for s in seqs}
    for g in got:
        try:
            off = esp_offset(g[hdr:], ref.cfg.encap)
            lo = struct.unpack_from('!I', g, hdr + off + 4)[0]
            found.add(ref.decrypt(g[hdr:], by_low[lo]))
        except (RefError, KeyError, struct.error):
            pass
    return [i for i, p in enumerate(plains) if p not in found]


def expect_clean(op, rc, err, lt, want_lt, got, plains, missing):
    """tunsec processed every packet: exit 0, link type kept, one packet out
    per packet in. missing() names the packets that did not come out."""
    if rc != 0 or len(got) != len(plains):
        lost = ', '.join('%d (%d bytes)' % (i, len(plains[i])) for i in missing())
        raise Fail('tunsec esp %s exited %d, %d of %d packets out%s: %s'
                   % (op, rc, len(got), len(plains),
                      ', missing ' + lost if lost else '', stderr_tail(err)))
    if lt != want_lt:
        raise Fail('output linktype %d, input was %d' % (lt, want_lt))


def seq_args(start):
    """--seq for encrypt and for decrypt; None leaves tunsec's default
    (1 and 0), which is what a first packet of 1 needs."""
    return (None, None) if start == 1 else (start, start - 1)


# ---------------------------------------------------------------- checks


def expected_esp_offset(cfg, plain, outer):
    """Where RFC 4303 puts the ESP header in the outer packet."""
    udp = 8 if cfg.encap == 'udp' else 0
    if cfg.mode == 'tunnel':
        return (20 if outer == 4 else 40) + udp
    version, exts, _, off, _ = walk(plain)
    if version == 4:
        return off + udp
    return 40 + sum(n for _, _, n in exts[:engine_split(exts)]) + udp


def check_ip_lengths(got):
    """The outer IP header's length (and IPv4 header checksum) match the
    packet."""
    if got[0] >> 4 == 4:
        total = struct.unpack_from('!H', got, 2)[0]
        if total != len(got) or not esplib.ipv4_header_checksum_ok(got):
            raise Fail('IPv4 total length %d (packet %d) or header checksum bad'
                       % (total, len(got)))
    elif struct.unpack_from('!H', got, 4)[0] != len(got) - 40:
        raise Fail('IPv6 payload length %d (packet %d)'
                   % (struct.unpack_from('!H', got, 4)[0], len(got)))


def check_outer_header(cfg, got, outer):
    """Tunnel mode: the new outer header (RFC 4303 §3.1.2) is well formed
    and goes from tunnel-src to tunnel-dst."""
    pkt = esplib.dissect(got)
    if got[0] >> 4 != outer:
        raise Fail('outer header is IPv%d, expected IPv%d' % (got[0] >> 4, outer))
    if (pkt.src, pkt.dst) != tuple(cfg.tunnel):
        raise Fail('outer %s -> %s, expected %s -> %s'
                   % (pkt.src, pkt.dst, cfg.tunnel[0], cfg.tunnel[1]))
    if outer == 4 and (pkt.frag != 0 or pkt.flags.MF or pkt.ttl == 0):
        raise Fail('outer IPv4 fragment bits or TTL bad')
    if outer == 6 and pkt.hlim == 0:
        raise Fail('outer IPv6 hop limit 0')


def check_encrypted(cfg, ref, outer, got, plain, want, seq):
    """One packet tunsec encrypted: placement, outer header, scapy decrypts
    it to plain, and its bytes equal scapy's encryption want."""
    try:
        off = esp_offset(got, cfg.encap)
    except RefError as e:
        raise Fail(str(e)) from None
    exp = expected_esp_offset(cfg, plain, outer)
    if off != exp:
        raise Fail('ESP at offset %d, expected %d' % (off, exp))
    check_ip_lengths(got)
    if cfg.mode == 'tunnel':
        check_outer_header(cfg, got, outer)
    try:
        dec = ref.decrypt(got, seq)
    except RefError as e:
        raise Fail('scapy cannot decrypt: %s' % e) from None
    if dec != plain:
        raise Fail('scapy decrypts to other bytes: %s' % describe_diff(dec, plain))
    same_place = True
    if cfg.mode == 'transport' and plain[0] >> 4 == 6:
        exts = walk(plain)[1]
        same_place = engine_split(exts) == scapy_split(exts)
    if not same_place:
        return  # RFC 4303 §3.1.1 allows both; see scapy_split()
    woff = esp_offset(want, cfg.encap)
    if got[off:] != want[woff:]:
        raise Fail('ESP bytes differ from scapy\'s: %s'
                   % describe_diff(got[off:], want[woff:]))
    head = 0 if cfg.mode == 'transport' else off - (8 if cfg.encap == 'udp' else 0)
    if got[head:] != want[head:]:
        raise Fail('packet differs from scapy\'s: %s'
                   % describe_diff(got[head:], want[head:]))


def run_case(name, fn, *args):
    try:
        fn(*args)
        return ('PASS', name, '')
    except Fail as e:
        return ('FAIL', name, str(e))
    except Exception as e:  # a crash in the test itself still fails the case
        return ('FAIL', name, 'unexpected %s: %s' % (type(e).__name__, e))


