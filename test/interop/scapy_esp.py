#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""
ESP interoperability between `tunsec esp` and scapy's independent ESP
implementation, in both directions, through pcap files:

  scapy encrypts -> pcap -> tunsec esp decrypt -> packets equal the originals
  originals -> pcap -> tunsec esp encrypt -> scapy decrypts them, and the ESP
      bytes equal scapy's for the same packet, sequence number and IV

for every cipher and ICV length x transport/tunnel x UDP/raw ESP x ESN
off/on x IPv4/IPv6 (inner and, in tunnel mode, outer independently), plus
Ethernet pcaps, non-default ports and negative cases (wrong key, replay).
Scapy's gaps and their workarounds are documented in lib/esplib.py.

Environment: TUNSEC_BUILD (directory holding tunsec), TUNSEC_SRCDIR. Prints
"PASS name" or "FAIL name: reason" per case; exit status 1 if any failed.
"""

import multiprocessing
import os
import random
import shutil
import sys
import tempfile

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))

import extra_cases  # noqa: E402
import harness  # noqa: E402
import packets  # noqa: E402
from esplib import CIPHERS, LINKTYPE_RAW, RefError, RefSA, SaConfig, describe_diff  # noqa: E402
from harness import (Fail, check_encrypted, expect_clean,  # noqa: E402
                     missing_decrypted, missing_encrypted, run_case,
                     run_tunsec, seq_args)


# ---------------------------------------------------------------- combos

# Cases where scapy decrypts its own packets, reported as one line unless
# some fail.
ROUNDTRIP = 'reference round trip '


class Combo:
    def __init__(self, idx, cipher, icv, mode, inner, outer, encap, esn):
        rng = random.Random(idx)
        klen, slen, _ = CIPHERS[cipher]
        key = bytes(rng.randrange(256) for _ in range(klen + slen))
        tunnel = None
        if mode == 'tunnel':
            tunnel = packets.TUNNEL4 if outer == 4 else packets.TUNNEL6
        self.cfg = SaConfig(0x1000 + idx, cipher, icv, key, mode, encap, esn,
                            tunnel=tunnel)
        self.inner, self.outer = inner, outer
        # Sequence numbers, picked per combination: the defaults or the top
        # of the 32-bit space; with ESN, runs that cross 2^32 (low half 0)
        # or 2^35.
        if esn:
            self.start = rng.choice(((1 << 32) - 4, (8 << 32) - 3))
        else:
            self.start = rng.choice((1, 0xfffffff0))
        ip = 'v%d' % inner if mode == 'transport' else 'v%d-in-v%d' % (inner, outer)
        self.name = '%s/icv%d/%s/%s/%s/%s' % (
            cipher, icv, mode, ip, encap, 'esn' if esn else 'no-esn')


def all_combos():
    out = []
    for cipher, (_, _, icvs) in CIPHERS.items():
        for icv in sorted(icvs):
            for mode, ips in (('transport', [(4, None), (6, None)]),
                              ('tunnel', [(4, 4), (4, 6), (6, 4), (6, 6)])):
                for inner, outer in ips:
                    for encap in ('udp', 'none'):
                        for esn in (False, True):
                            out.append(Combo(len(out), cipher, icv, mode,
                                             inner, outer, encap, esn))
    return out


def reference_roundtrip(c, plains, seqs, enc):
    """The reference decrypts its own output: the workarounds hold."""
    ref = RefSA(c.cfg)
    for p, s, e in zip(plains, seqs, enc):
        try:
            d = ref.decrypt(e, s)
        except RefError as err:
            raise Fail('scapy cannot decrypt its own packet seq %d: %s' % (s, err)) from None
        if d != p:
            raise Fail('scapy round trip seq %d: %s' % (s, describe_diff(d, p)))


def direction_decrypt(c, plains, seqs, enc):
    _, dseq = seq_args(c.start)
    rc, err, lt, got = run_tunsec('decrypt', c.cfg, enc, seq=dseq)
    expect_clean('decrypt', rc, err, lt, LINKTYPE_RAW, got, plains,
                 lambda: missing_decrypted(got, plains))
    for i, (g, p) in enumerate(zip(got, plains)):
        if g != p:
            raise Fail('packet %d (seq %d, %d bytes): %s'
                       % (i, seqs[i], len(p), describe_diff(g, p)))


def direction_encrypt(c, plains, seqs, enc):
    eseq, _ = seq_args(c.start)
    rc, err, lt, got = run_tunsec('encrypt', c.cfg, plains, seq=eseq)
    ref = RefSA(c.cfg)
    expect_clean('encrypt', rc, err, lt, LINKTYPE_RAW, got, plains,
                 lambda: missing_encrypted(ref, got, plains, seqs))
    for i, (g, p, w) in enumerate(zip(got, plains, enc)):
        try:
            check_encrypted(c.cfg, ref, c.outer, g, p, w, seqs[i])
        except Fail as e:
            raise Fail('packet %d (seq %d, %d bytes): %s' % (i, seqs[i], len(p), e)) from None


def run_combo(c):
    plains = packets.packets(c.inner)
    seqs = [c.start + i for i in range(len(plains))]
    try:
        ref = RefSA(c.cfg)
        enc = [ref.encrypt(p, s) for p, s in zip(plains, seqs)]
    except Exception as e:
        return [('FAIL', ROUNDTRIP + c.name, 'scapy cannot encrypt: %r' % e)]
    res = [run_case(ROUNDTRIP + c.name, reference_roundtrip, c, plains, seqs, enc)]
    if res[0][0] == 'FAIL':
        return res
    res.append(run_case('decrypt ' + c.name, direction_decrypt, c, plains, seqs, enc))
    res.append(run_case('encrypt ' + c.name, direction_encrypt, c, plains, seqs, enc))
    return res


def main():
    tmp = harness.TMP = tempfile.mkdtemp(prefix='tunsec-interop.')
    try:
        if not os.access(harness.TUNSEC, os.X_OK):
            print('FAIL scapy_esp: %s is not built' % harness.TUNSEC)
            return 1
        combos = all_combos()
        jobs = 2 * (os.cpu_count() or 1)
        with multiprocessing.Pool(jobs) as pool:
            results = [r for rs in pool.imap(run_combo, combos) for r in rs]
            results += pool.map(extra_cases.run, extra_cases.CASES)
        # The reference's own round trips: one line, or one per failure.
        refs = [r for r in results if r[1].startswith(ROUNDTRIP)]
        results = [r for r in results if not r[1].startswith(ROUNDTRIP)]
        bad = [r for r in refs if r[0] == 'FAIL']
        results = (bad or [('PASS', ROUNDTRIP + 'all %d combinations'
                            % len(refs), '')]) + results
        failed = 0
        for status, name, why in results:
            if status == 'PASS':
                print('PASS', name)
            else:
                failed += 1
                print('FAIL %s: %s' % (name, why))
        return 1 if failed else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
