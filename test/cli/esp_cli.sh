#!/usr/bin/env bash
# tunsec esp encrypt|decrypt, through the real binary.
#
#   TUNSEC_BUILD=build TUNSEC_SRCDIR=. test/cli/esp_cli.sh
#
# Input captures are made with scapy; results are read back with a small
# pcap reader written here in plain Python (independent of libpcap) and with
# tshark. Prints "PASS name" or "FAIL name: why" per case; exits non-zero
# when any case failed.
set -u
TS=${TUNSEC_BUILD:?set TUNSEC_BUILD to the build directory}/tunsec
PY=/usr/bin/python3 # Debian's python, where python3-scapy is installed
# Under ASan/UBSan a sanitizer report must not pass for exit status 1 (drops).
export ASAN_OPTIONS="exitcode=86:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="exitcode=86:halt_on_error=1:${UBSAN_OPTIONS:-}"
tmp=$(mktemp -d /tmp/tunsec-esp-cli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
failures=0
cd "$tmp" || exit 1

pass() { echo "PASS $1"; }
fail() {
	echo "FAIL $1: $2"
	failures=$((failures + 1))
}

# Key material per cipher: key || salt, lengths from RFC 4106 §8.1, RFC 4309
# §7.1, RFC 7634 §2 and RFC 4868 (the 32-byte HMAC-SHA-256 key).
declare -A KEY=(
	[aes-gcm-256]=4c80cdefbb5d10da906ac73c3613a634c80cdefbb5d10da906ac73c3613a6341decafbad
	[aes-gcm-128]=feffe9928665731c6d6a8f9467308308cafebabe
	[aes-ccm-128]=d3da3b1cff7a4e1b8b7d4a6c2f3e5a91d0c0ff
	[chacha20-poly1305]=808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3
	[null-hmac-sha256]=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
	[null]=""
)
CIPHERS="aes-gcm-256 aes-gcm-128 aes-ccm-128 chacha20-poly1305 null-hmac-sha256 null"
WRONG_GCM256=00${KEY[aes-gcm-256]:2}

# ts ARGS...: run tunsec; stdout in $tmp/out, stderr in $tmp/err, status in rc.
ts() {
	"$TS" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# cipher_args CIPHER: the --cipher and --key options for CIPHER, into CA.
cipher_args() {
	CA=(--cipher "$1")
	if [ -n "${KEY[$1]}" ]; then
		CA+=(--key "${KEY[$1]}")
	fi
}

# ---------------------------------------------------------------------------
# The pcap helper: makes the input captures (scapy) and reads results back
# (plain struct parsing).
cat >"$tmp/pcaptool.py" <<'PYEOF'
import struct, sys

def read(path):
    """(linktype, [(ts_ns, bytes)]) of a pcap file, any byte order, us or ns."""
    data = open(path, "rb").read()
    magic = data[:4]
    table = {b"\xd4\xc3\xb2\xa1": ("<", 1000), b"\xa1\xb2\xc3\xd4": (">", 1000),
             b"\x4d\x3c\xb2\xa1": ("<", 1), b"\xa1\xb2\x3c\x4d": (">", 1)}
    if magic not in table:
        raise SystemExit("%s: not a pcap file" % path)
    e, mult = table[magic]
    linktype = struct.unpack(e + "I", data[20:24])[0] & 0x0fffffff
    off, recs = 24, []
    while off < len(data):
        sec, frac, incl, orig = struct.unpack(e + "IIII", data[off:off + 16])
        off += 16
        recs.append((sec * 10**9 + frac * mult, data[off:off + incl]))
        if incl != orig:
            raise SystemExit("%s: record %d: caplen %d != len %d" % (path, len(recs), incl, orig))
        off += incl
    return linktype, recs

def write(path, linktype, recs, nano=False):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b23c4d if nano else 0xa1b2c3d4,
                            2, 4, 0, 0, 262144, linktype))
        for ts, b in recs:
            frac = ts % 10**9 if nano else (ts % 10**9) // 1000
            f.write(struct.pack("<IIII", ts // 10**9, frac, len(b), len(b)) + b)

def ip_start(linktype, b):
    """Offset of the IP header in a record, or None."""
    if linktype in (101, 228, 229):
        return 0
    if linktype == 1:
        off, t = 14, struct.unpack(">H", b[12:14])[0]
        while t in (0x8100, 0x88a8):
            t = struct.unpack(">H", b[off + 2:off + 4])[0]
            off += 4
        return off if t in (0x0800, 0x86dd) else None
    if linktype == 113:
        return 16
    return None

def esp_at(linktype, b, dport):
    """(spi, seq) of an ESP record, raw or in UDP to dport; None if not ESP."""
    off = ip_start(linktype, b)
    if off is None:
        return None
    v = b[off] >> 4
    if v == 4:
        proto, off = b[off + 9], off + (b[off] & 15) * 4
    elif v == 6:
        proto, off = b[off + 6], off + 40
        while proto in (0, 43, 60, 44):
            n = 8 if proto == 44 else (b[off + 1] + 1) * 8
            proto, off = b[off], off + n
    else:
        return None
    if proto == 17:
        if struct.unpack(">H", b[off + 2:off + 4])[0] != dport:
            return None
        proto, off = 50, off + 8
    if proto != 50:
        return None
    return struct.unpack(">II", b[off:off + 8])

def cmd_same(a, b):
    la, ra = read(a)
    lb, rb = read(b)
    if la != lb:
        raise SystemExit("link type %d != %d" % (la, lb))
    if len(ra) != len(rb):
        raise SystemExit("%d records != %d" % (len(ra), len(rb)))
    for i, (x, y) in enumerate(zip(ra, rb)):
        if x[0] != y[0]:
            raise SystemExit("record %d: timestamp %d != %d" % (i + 1, x[0], y[0]))
        if x[1] != y[1]:
            raise SystemExit("record %d: %d bytes differ from %d bytes" % (i + 1, len(x[1]), len(y[1])))

def cmd_esp(path, spi, dport, first_seq, count):
    """Every record is ESP with spi; sequence numbers (low 32 bits) count up
    from first_seq; count records."""
    lt, recs = read(path)
    if len(recs) != int(count):
        raise SystemExit("%d records, expected %s" % (len(recs), count))
    for i, (_, b) in enumerate(recs):
        got = esp_at(lt, b, int(dport))
        want = (int(spi, 0), (int(first_seq) + i) & 0xffffffff)
        if got != want:
            raise SystemExit("record %d: ESP (spi, seq) %r, expected %r" % (i + 1, got, want))

def cmd_count(path):
    print(len(read(path)[1]))

def cmd_linktype(path):
    print(read(path)[0])

def cmd_cat(out, *ins):
    lt, recs = read(ins[0])
    for p in ins[1:]:
        recs += read(p)[1]
    write(out, lt, recs)

def cmd_relink(inp, out, linktype):
    """The records of inp under another link type (a mislabelled capture)."""
    write(out, int(linktype), read(inp)[1])

def cmd_damage(d):
    """Captures scapy will not make: cut by the snapshot length, with lengths
    that do not add up, damaged in the middle, not a capture, another link."""
    udp = bytes.fromhex("450000e4000100004011f9e20a0000010a000002")
    udp += bytes.fromhex("0035003500d00000") + b"a" * 200
    recs = struct.pack("<IIII", 1, 0, 100, 228) + udp[:100]       # cut: truncated
    recs += struct.pack("<IIII", 2, 0, 30, 30) + udp[:30]          # short: malformed
    recs += struct.pack("<IIII", 3, 0, len(udp), len(udp)) + udp   # fine
    hdr = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 101)
    open(d + "/cut.pcap", "wb").write(hdr + recs)
    whole = struct.pack("<IIII", 3, 0, len(udp), len(udp)) + udp
    open(d + "/damaged.pcap", "wb").write(hdr + whole + struct.pack("<IIII", 4, 0, 500, 500) + b"x" * 10)
    open(d + "/garbage.pcap", "wb").write(b"this is not a capture file\n" * 4)
    hdr0 = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 105)  # 802.11
    open(d + "/wifi.pcap", "wb").write(hdr0 + whole)

def cmd_gen(d):
    import logging
    logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
    from scapy.all import (IP, IPv6, TCP, UDP, ICMP, ICMPv6EchoRequest, Raw,
                           IPv6ExtHdrHopByHop, RouterAlert, Ether, Dot1Q,
                           Dot1AD, ARP, Padding, CookedLinux, raw)
    E = dict(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
    v4 = dict(src="192.0.2.1", dst="198.51.100.2")
    v6 = dict(src="2001:db8::1", dst="2001:db8:1::2")
    ips = [
        IP(**v4) / TCP(sport=40000, dport=80, flags="S"),
        IP(**v4) / UDP(sport=5353, dport=53) / Raw(b"query"),
        IP(**v4) / ICMP() / Raw(b"ping"),
        IPv6(**v6) / TCP(sport=40001, dport=443, flags="PA") / Raw(b"x" * 100),
        IPv6(**v6) / UDP(sport=1000, dport=2000) / Raw(b"y" * 33),
        IPv6(**v6) / ICMPv6EchoRequest(data=b"hello"),
        IPv6(**v6) / IPv6ExtHdrHopByHop(options=[RouterAlert()]) / UDP(sport=7, dport=9) / Raw(b"hbh"),
        IP(**v4) / UDP(sport=9, dport=9) / Raw(b"z" * (1400 - 28)),
    ]
    ips = [raw(p) for p in ips]
    ts = [1700000000 * 10**9 + i * 1001001000 for i in range(len(ips))]
    write(d + "/raw.pcap", 101, list(zip(ts, ips)))
    eth = [raw(Ether(**E) / IP(p)) if p[0] >> 4 == 4 else raw(Ether(**E) / IPv6(p)) for p in ips]
    write(d + "/eth.pcap", 1, list(zip(ts, eth)))
    sll = [raw(CookedLinux(pkttype=4, lladdrtype=1, lladdrlen=6, src=b"\2\0\0\0\0\1\0\0",
                           proto=0x800 if p[0] >> 4 == 4 else 0x86dd)) + p for p in ips]
    write(d + "/sll.pcap", 113, list(zip(ts, sll)))
    nts = [t + 123456789 for t in ts]           # nanoseconds a us file cannot hold
    write(d + "/nano.pcap", 101, list(zip(nts, ips)), nano=True)
    ten = [raw(IP(**v4) / UDP(sport=1, dport=2) / Raw(bytes([i]) * (i + 1))) for i in range(10)]
    write(d + "/ten.pcap", 101, [(ts[0] + i * 1000, p) for i, p in enumerate(ten)])
    many = [raw(IPv6(**v6) / UDP(sport=1, dport=2) / Raw(struct.pack(">I", i) * (i % 50 + 1))) for i in range(150)]
    write(d + "/many.pcap", 101, [(ts[0] + i * 1000, p) for i, p in enumerate(many)])
    # Ethernet edge cases: what goes in, and what a round trip gives back.
    vlan = raw(Ether(**E) / Dot1Q(vlan=10) / IP(**v4) / UDP(sport=1, dport=2) / Raw(b"vlan"))
    qinq = raw(Ether(**E) / Dot1AD(vlan=3) / Dot1Q(vlan=10) / IPv6(**v6) / UDP(sport=1, dport=2) / Raw(b"qinq"))
    short = raw(Ether(**E) / IP(**v4) / ICMP())
    padded = short + b"\0" * (60 - len(short))        # trailer padding to 60 bytes
    arp = raw(Ether(src=E["src"], dst="ff:ff:ff:ff:ff:ff") / ARP(pdst="192.0.2.2"))
    liar = raw(Ether(type=0x86dd, **E) / IP(**v4) / ICMP())   # says IPv6, is IPv4
    mixed = [arp, vlan, padded, liar, qinq]
    write(d + "/mixed.pcap", 1, [(ts[i], p) for i, p in enumerate(mixed)])
    write(d + "/mixed_expected.pcap", 1, [(ts[1], vlan), (ts[2], short), (ts[4], qinq)])
    cmd_damage(d)

def cmd_noise(d):
    """Random records, seeded: mostly garbage, some starting like IPv4/IPv6
    headers with random lengths, some empty."""
    import random
    rnd = random.Random(4303)
    for lt in (101, 1, 113, 276, 228):
        recs = []
        for i in range(400):
            n = rnd.choice([0, 1, 2, 13, 14, 15, 19, 20, 21, 39, 40, 41, rnd.randrange(200)])
            b = bytearray(rnd.getrandbits(8) for _ in range(n))
            if n > 20 and i % 3 == 0:
                off = {101: 0, 228: 0, 1: 14, 113: 16, 276: 20}[lt]
                if lt == 1 and off <= n - 2:
                    b[12:14] = rnd.choice([b"\x08\x00", b"\x86\xdd", b"\x81\x00"])
                if off < n:
                    b[off] = rnd.choice([0x45, 0x46, 0x60, 0x4f])
            recs.append((i * 1000, bytes(b)))
        write("%s/noise%d.pcap" % (d, lt), lt, recs)

if __name__ == "__main__":
    globals()["cmd_" + sys.argv[1]](*sys.argv[2:])
PYEOF
pt() { "$PY" "$tmp/pcaptool.py" "$@"; }

if ! pt gen "$tmp" 2>"$tmp/gen.err"; then
	fail gen "cannot make the input captures: $(tail -n 1 "$tmp/gen.err")"
	exit 1
fi

# ---------------------------------------------------------------------------
# Usage errors: exit 2, one line naming what is wrong, a pointer to --help.

# usage NAME EXPECTED-TEXT ARGS...: tunsec esp ARGS must fail with usage.
usage() {
	local name=$1 want=$2
	shift 2
	ts esp "$@"
	if [ "$rc" -ne 2 ]; then
		fail "usage $name" "exit $rc, expected 2"
	elif ! head -n 1 "$tmp/err" | grep -qF -- "$want"; then
		fail "usage $name" "stderr lacks '$want': $(head -n 1 "$tmp/err")"
	elif ! grep -qF "tunsec esp --help" "$tmp/err"; then
		fail "usage $name" "no pointer to --help"
	elif [ -e "$tmp/u.pcap" ]; then
		fail "usage $name" "output file created"
	else
		pass "usage $name"
	fi
	rm -f "$tmp/u.pcap"
}

G256=${KEY[aes-gcm-256]}
IO=(--in "$tmp/raw.pcap" --out "$tmp/u.pcap")
OK=(--spi 0x1000 --cipher aes-gcm-256 --key "$G256")
usage no-direction "say encrypt or decrypt"
usage options-first "say encrypt or decrypt before the options (got '--spi')" "${OK[@]}" encrypt "${IO[@]}"
usage bad-direction "'sideways' is not encrypt or decrypt" sideways "${OK[@]}" "${IO[@]}"
usage missing-spi "missing --spi" encrypt --cipher aes-gcm-256 --key "$G256" "${IO[@]}"
usage missing-cipher "missing --cipher" encrypt --spi 1 --key "$G256" "${IO[@]}"
usage missing-key "missing --key" encrypt --spi 1 --cipher aes-gcm-256 "${IO[@]}"
usage missing-in "missing --in" encrypt "${OK[@]}" --out "$tmp/u.pcap"
usage missing-out "missing --out" decrypt "${OK[@]}" --in "$tmp/raw.pcap"
usage spi-zero "--spi: 0 is reserved" encrypt --spi 0 --cipher aes-gcm-256 --key "$G256" "${IO[@]}"
usage spi-hex-zero "--spi: 0 is reserved" decrypt --spi 0x0 --cipher aes-gcm-256 --key "$G256" "${IO[@]}"
usage spi-too-big "--spi: '4294967296'" encrypt --spi 4294967296 --cipher aes-gcm-256 --key "$G256" "${IO[@]}"
usage spi-negative "--spi: '-1'" encrypt --spi -1 --cipher aes-gcm-256 --key "$G256" "${IO[@]}"
usage spi-junk "--spi: '12ab'" encrypt --spi 12ab --cipher aes-gcm-256 --key "$G256" "${IO[@]}"
usage bad-cipher "--cipher: unknown cipher 'aes-gcm-512'" encrypt --spi 1 --cipher aes-gcm-512 --key "$G256" "${IO[@]}"
usage key-short "--key: aes-gcm-256 takes 36 bytes of key material (32-byte key + 4-byte salt), got 32" \
	encrypt --spi 1 --cipher aes-gcm-256 --key "${G256:0:64}" "${IO[@]}"
usage key-long-ccm "--key: aes-ccm-128 takes 19 bytes of key material (16-byte key + 3-byte salt), got 20" \
	encrypt --spi 1 --cipher aes-ccm-128 --key "${KEY[aes-gcm-128]}" "${IO[@]}"
usage key-hmac "--key: null-hmac-sha256 takes 32 bytes of key material (32-byte key), got 36" \
	encrypt --spi 1 --cipher null-hmac-sha256 --key "$G256" "${IO[@]}"
usage key-null "--key: null takes no key material, got 36" encrypt --spi 1 --cipher null --key "$G256" "${IO[@]}"
usage key-bad-hex "--key: character 3 is not a hex digit" encrypt --spi 1 --cipher aes-gcm-128 --key "00zz${KEY[aes-gcm-128]:4}" "${IO[@]}"
usage key-odd "--key: odd number of hex digits" encrypt --spi 1 --cipher aes-gcm-128 --key "${KEY[aes-gcm-128]}0" "${IO[@]}"
usage key-no-file "--key: cannot read key file $tmp/nokey" encrypt --spi 1 --cipher aes-gcm-128 --key "@$tmp/nokey" "${IO[@]}"
usage icv-chacha "--icv: chacha20-poly1305 allows an ICV of 16 bytes, not 8" \
	encrypt --spi 1 --cipher chacha20-poly1305 --key "${KEY[chacha20-poly1305]}" --icv 8 "${IO[@]}"
usage icv-gcm "--icv: aes-gcm-256 allows an ICV of 8, 12 or 16 bytes, not 10" encrypt "${OK[@]}" --icv 10 "${IO[@]}"
usage icv-null "--icv: null has no ICV" encrypt --spi 1 --cipher null --icv 16 "${IO[@]}"
usage icv-junk "--icv: 'sixteen'" encrypt "${OK[@]}" --icv sixteen "${IO[@]}"
usage seq-zero "--seq: the first sequence number sent is 1 or more" encrypt "${OK[@]}" --seq 0 "${IO[@]}"
usage seq-32 "--seq: 4294967296 does not fit in 32 bits" encrypt "${OK[@]}" --seq 4294967296 "${IO[@]}"
usage seq-32-dec "--seq: 4294967296 does not fit in 32 bits" decrypt "${OK[@]}" --seq 4294967296 "${IO[@]}"
usage seq-64 "--seq: '18446744073709551616'" encrypt "${OK[@]}" --esn --seq 18446744073709551616 "${IO[@]}"
usage window-small "--replay-window: '31' is not a number from 32 to 65536" decrypt "${OK[@]}" --replay-window 31 "${IO[@]}"
usage window-big "--replay-window: '65537'" decrypt "${OK[@]}" --replay-window 65537 "${IO[@]}"
usage port-zero "--dport: '0' is not a number from 1 to 65535" encrypt "${OK[@]}" --dport 0 "${IO[@]}"
usage port-big "--sport: '65536'" encrypt "${OK[@]}" --sport 65536 "${IO[@]}"
usage port-no-udp "--sport: only for --encap udp" encrypt "${OK[@]}" --encap none --sport 4500 "${IO[@]}"
usage bad-mode "--mode: 'tunel' is not transport or tunnel" encrypt "${OK[@]}" --mode tunel "${IO[@]}"
usage bad-encap "--encap: 'tcp' is not udp or none" encrypt "${OK[@]}" --encap tcp "${IO[@]}"
usage tunnel-no-addr "--mode tunnel: encrypt needs --tunnel-src and --tunnel-dst" encrypt "${OK[@]}" --mode tunnel "${IO[@]}"
usage tunnel-one-addr "--tunnel-src needs --tunnel-dst" encrypt "${OK[@]}" --mode tunnel --tunnel-src 192.0.2.1 "${IO[@]}"
usage tunnel-families "--tunnel-src and --tunnel-dst must be of one address family" \
	encrypt "${OK[@]}" --mode tunnel --tunnel-src 192.0.2.1 --tunnel-dst 2001:db8::1 "${IO[@]}"
usage tunnel-bad-addr "--tunnel-dst: '192.0.2.300' is not an IPv4 or IPv6 address" \
	encrypt "${OK[@]}" --mode tunnel --tunnel-src 192.0.2.1 --tunnel-dst 192.0.2.300 "${IO[@]}"
usage transport-addr "--tunnel-src: only for --mode tunnel" encrypt "${OK[@]}" --tunnel-src 192.0.2.1 --tunnel-dst 192.0.2.2 "${IO[@]}"
usage transport-tfc "--tfc-pad: only for --mode tunnel" encrypt "${OK[@]}" --tfc-pad 100 "${IO[@]}"
usage unknown-option "unknown or ambiguous option '--frobnicate'" encrypt "${OK[@]}" --frobnicate "${IO[@]}"
usage unknown-short "unknown option '-x'" encrypt "${OK[@]}" -x "${IO[@]}"
usage no-value "--in needs a value" encrypt "${OK[@]}" --out "$tmp/u.pcap" --in
usage twice "--spi given twice" encrypt "${OK[@]}" --spi 2 "${IO[@]}"
usage stray "unexpected argument 'extra'" encrypt "${OK[@]}" "${IO[@]}" extra
usage same-file "--out: $tmp/raw.pcap is the same file as --in" encrypt "${OK[@]}" --in "$tmp/raw.pcap" --out "$tmp/raw.pcap"

# The top-level command table.
"$TS" >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] && grep -q "usage: tunsec" "$tmp/err" && pass "cmd no-args" || fail "cmd no-args" "exit $rc"
"$TS" frobnicate >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] && grep -q "unknown command 'frobnicate'" "$tmp/err" && pass "cmd unknown" || fail "cmd unknown" "exit $rc"
for h in --help -h help; do
	"$TS" $h >"$tmp/out" 2>&1
	rc=$?
	[ "$rc" -eq 0 ] && grep -q "tunsec esp" "$tmp/out" && pass "cmd $h" || fail "cmd $h" "exit $rc"
done
for h in "esp --help" "esp encrypt --help" "help esp"; do
	"$TS" $h >"$tmp/out" 2>&1
	rc=$?
	[ "$rc" -eq 0 ] && grep -q -- "--replay-window" "$tmp/out" && grep -q "aes-ccm-128" "$tmp/out" &&
		pass "cmd $h" || fail "cmd $h" "exit $rc"
done
"$TS" version >"$tmp/out" 2>&1
rc=$?
[ "$rc" -eq 0 ] && grep -q "^tunsec [0-9]" "$tmp/out" && pass "cmd version" || fail "cmd version" "exit $rc"

# ---------------------------------------------------------------------------
# Round trips: encrypt, check it is ESP, decrypt, compare with the input.

# roundtrip NAME CAPTURE ENC-ARGS -- DEC-ARGS: both with the shared ARGS in
# the array RT; checks exit 0 both ways, ESP with SPI 0x1234 on the wire
# (UDP port from RT_DPORT, 0 for raw ESP) and byte-identical records.
roundtrip() {
	local name=$1 cap=$2 n
	shift 2
	local enc=() dec=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do enc+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	dec=("$@")
	n=$(pt count "$tmp/$cap.pcap")
	ts esp encrypt --spi 0x1234 "${RT[@]}" "${enc[@]}" --in "$tmp/$cap.pcap" --out "$tmp/rt.esp.pcap"
	if [ "$rc" -ne 0 ]; then
		fail "roundtrip $name" "encrypt exit $rc: $(tail -n 1 "$tmp/err")"
		return
	fi
	if ! pt esp "$tmp/rt.esp.pcap" 0x1234 "$RT_DPORT" "${RT_SEQ:-1}" "$n" >"$tmp/py.err" 2>&1; then
		fail "roundtrip $name" "encrypted capture: $(tail -n 1 "$tmp/py.err")"
		return
	fi
	ts esp decrypt --spi 0x1234 "${RT[@]}" "${dec[@]}" --in "$tmp/rt.esp.pcap" --out "$tmp/rt.dec.pcap"
	if [ "$rc" -ne 0 ]; then
		fail "roundtrip $name" "decrypt exit $rc: $(tail -n 1 "$tmp/err")"
		return
	fi
	if ! pt same "$tmp/$cap.pcap" "$tmp/rt.dec.pcap" >"$tmp/py.err" 2>&1; then
		fail "roundtrip $name" "decrypted capture: $(tail -n 1 "$tmp/py.err")"
		return
	fi
	pass "roundtrip $name"
}

for c in $CIPHERS; do
	for cap in raw eth; do
		for mode in transport tunnel4 tunnel6; do
			for encap in udp none; do
				cipher_args "$c"
				RT=("${CA[@]}" --encap "$encap")
				RT_DPORT=4500
				[ "$encap" = none ] && RT_DPORT=0
				case $mode in
				transport) RT+=(--mode transport) ;;
				tunnel4) RT+=(--mode tunnel --tunnel-src 203.0.113.1 --tunnel-dst 203.0.113.2) ;;
				tunnel6) RT+=(--mode tunnel --tunnel-src 2001:db8:ffff::1 --tunnel-dst 2001:db8:ffff::2) ;;
				esac
				roundtrip "$c $cap $mode $encap" "$cap" 2>/dev/null
			done
		done
	done
done
# Decrypting a tunnel needs no outer addresses.
cipher_args aes-gcm-128
RT=("${CA[@]}" --mode tunnel)
RT_DPORT=4500
roundtrip "tunnel decrypt without addresses" eth --tunnel-src 192.0.2.9 --tunnel-dst 192.0.2.10 --
# Every ICV length, ports other than 4500, TFC padding, ESN, other link types.
for c in aes-gcm-256 aes-gcm-128 aes-ccm-128; do
	for icv in 8 12; do
		cipher_args "$c"
		RT=("${CA[@]}" --icv "$icv")
		roundtrip "$c icv $icv" raw
	done
done
cipher_args chacha20-poly1305
RT=("${CA[@]}" --sport 1000 --dport 2000)
RT_DPORT=2000
roundtrip "udp ports 1000 2000" eth
RT_DPORT=4500
cipher_args aes-gcm-256
RT=("${CA[@]}" --mode tunnel --tunnel-src 203.0.113.1 --tunnel-dst 203.0.113.2 --tfc-pad 600)
roundtrip "tfc-pad 600" eth
cipher_args aes-ccm-128
RT=("${CA[@]}" --esn)
RT_SEQ=77 roundtrip "esn seq 77" raw --seq 77 -- --seq 76
cipher_args aes-gcm-256
RT=("${CA[@]}")
roundtrip "linux cooked capture" sll
roundtrip "nanosecond timestamps" nano
RT_SEQ=1 roundtrip "150 packets, several bursts" many

# What goes on the wire does not depend on the direction's own options.
cipher_args aes-gcm-256
RT=("${CA[@]}")
ts esp encrypt --spi 0x1234 "${RT[@]}" --seq 5 --in "$tmp/eth.pcap" --out "$tmp/e1.pcap"
ts esp encrypt --spi 0x1234 "${RT[@]}" --seq 5 --replay-window 64 --in "$tmp/eth.pcap" --out "$tmp/e2.pcap"
if cmp -s "$tmp/e1.pcap" "$tmp/e2.pcap" && pt esp "$tmp/e1.pcap" 0x1234 4500 5 8 >/dev/null 2>&1; then
	pass "encrypt deterministic from --seq"
else
	fail "encrypt deterministic from --seq" "outputs differ or not ESP from sequence number 5"
fi

# The ciphertext is not the plaintext (except for the null ciphers).
ts esp encrypt --spi 0x1234 "${RT[@]}" --in "$tmp/raw.pcap" --out "$tmp/e.pcap"
if grep -q "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz" "$tmp/e.pcap"; then
	fail "ciphertext hides payload" "plaintext found in the aes-gcm-256 output"
else
	pass "ciphertext hides payload"
fi

# ---------------------------------------------------------------------------
# Drops and exit status 1.

# expect_drops NAME EXIT WANT-SUMMARY RECORDS: after ts, check exit status,
# the summary line on stderr, and the records written to $tmp/d.pcap.
expect_drops() {
	local name=$1 want_rc=$2 want=$3 want_n=$4 n
	n=$(pt count "$tmp/d.pcap" 2>/dev/null)
	if [ "$rc" -ne "$want_rc" ]; then
		fail "$name" "exit $rc, expected $want_rc: $(tail -n 1 "$tmp/err")"
	elif ! grep -qF -- "$want" "$tmp/err"; then
		fail "$name" "stderr lacks '$want': $(tail -n 1 "$tmp/err")"
	elif [ "$n" != "$want_n" ]; then
		fail "$name" "$n records written, expected $want_n"
	else
		pass "$name"
	fi
}

ts esp encrypt --spi 7 --cipher aes-gcm-256 --key "$G256" --in "$tmp/raw.pcap" --out "$tmp/g.pcap"
ts esp decrypt --spi 7 --cipher aes-gcm-256 --key "$WRONG_GCM256" --in "$tmp/g.pcap" --out "$tmp/d.pcap"
expect_drops "wrong key" 1 "tunsec esp: 8 of 8 packets dropped: auth 8" 0

ts esp decrypt --spi 7 --cipher aes-gcm-256 --key "$G256" --icv 12 --in "$tmp/g.pcap" --out "$tmp/d.pcap"
expect_drops "wrong icv length" 1 "8 of 8 packets dropped:" 0

ts esp decrypt --spi 8 --cipher aes-gcm-256 --key "$G256" --in "$tmp/g.pcap" --out "$tmp/d.pcap"
expect_drops "wrong spi" 1 "8 of 8 packets dropped: unknown-spi 8" 0

ts esp decrypt --spi 7 --cipher aes-gcm-256 --key "$G256" --encap none --in "$tmp/g.pcap" --out "$tmp/d.pcap"
expect_drops "wrong encapsulation" 1 "8 of 8 packets dropped: not-esp 8" 0

pt cat "$tmp/twice.pcap" "$tmp/g.pcap" "$tmp/g.pcap"
ts esp decrypt --spi 7 --cipher aes-gcm-256 --key "$G256" --in "$tmp/twice.pcap" --out "$tmp/d.pcap"
expect_drops "replayed capture" 1 "tunsec esp: 8 of 16 packets dropped: replay 8" 8
pt same "$tmp/raw.pcap" "$tmp/d.pcap" >/dev/null 2>&1 && pass "replayed capture keeps the first copy" ||
	fail "replayed capture keeps the first copy" "records differ from the input"

# --seq N on decrypt: N counts as received, the window ends at N; numbers
# left of the window are replays (RFC 4303 §3.4.3).
ts esp decrypt --spi 7 --cipher aes-gcm-256 --key "$G256" --seq 4 --in "$tmp/g.pcap" --out "$tmp/d.pcap"
expect_drops "decrypt --seq N: N is received" 1 "1 of 8 packets dropped: replay 1" 7
ts esp decrypt --spi 7 --cipher aes-gcm-256 --key "$G256" --seq 38 --replay-window 32 --in "$tmp/g.pcap" --out "$tmp/d.pcap"
expect_drops "decrypt --seq left of the window" 1 "tunsec esp: 6 of 8 packets dropped: replay 6" 2

ts esp decrypt --spi 7 --cipher aes-gcm-256 --key "$G256" --in "$tmp/raw.pcap" --out "$tmp/d.pcap"
expect_drops "decrypt plaintext" 1 "8 of 8 packets dropped: not-esp 8" 0

# Link-layer cases: ARP is not IP; an ethertype that lies is malformed; VLAN
# tags are kept; Ethernet trailer padding is not part of the IP packet.
ts esp encrypt --spi 7 --cipher aes-gcm-256 --key "$G256" --in "$tmp/mixed.pcap" --out "$tmp/m.pcap"
cp "$tmp/m.pcap" "$tmp/d.pcap"
expect_drops "ethernet not-ip and malformed" 1 "2 of 5 packets dropped: malformed 1, not-ip 1" 3
ts esp decrypt --spi 7 --cipher aes-gcm-256 --key "$G256" --in "$tmp/m.pcap" --out "$tmp/d.pcap"
if [ "$rc" -eq 0 ] && pt same "$tmp/mixed_expected.pcap" "$tmp/d.pcap" >"$tmp/py.err" 2>&1; then
	pass "ethernet vlan, qinq, padding round trip"
else
	fail "ethernet vlan, qinq, padding round trip" "exit $rc: $(tail -n 1 "$tmp/py.err")"
fi

ts esp encrypt --spi 7 --cipher aes-gcm-256 --key "$G256" --in "$tmp/cut.pcap" --out "$tmp/d.pcap"
expect_drops "snaplen-cut and short records" 1 "2 of 3 packets dropped: malformed 1, truncated 1" 1

# A capture labelled with the wrong link type never crashes the tool.
pt relink "$tmp/eth.pcap" "$tmp/lie.pcap" 101
ts esp decrypt --spi 7 --cipher aes-gcm-256 --key "$G256" --in "$tmp/lie.pcap" --out "$tmp/d.pcap"
expect_drops "ethernet labelled raw" 1 "8 of 8 packets dropped: not-ip 8" 0
pt relink "$tmp/g.pcap" "$tmp/lie.pcap" 1
ts esp decrypt --spi 7 --cipher aes-gcm-256 --key "$G256" --in "$tmp/lie.pcap" --out "$tmp/d.pcap"
expect_drops "raw labelled ethernet" 1 "8 of 8 packets dropped:" 0
pt relink "$tmp/raw.pcap" "$tmp/v4only.pcap" 228
ts esp encrypt --spi 7 --cipher aes-gcm-256 --key "$G256" --in "$tmp/v4only.pcap" --out "$tmp/d.pcap"
expect_drops "IPv6 in a LINKTYPE_IPV4 capture" 1 "4 of 8 packets dropped: malformed 4" 4
pt relink "$tmp/ten.pcap" "$tmp/v4only.pcap" 228
ts esp encrypt --spi 7 --cipher aes-gcm-256 --key "$G256" --mode tunnel --tunnel-src 2001:db8::a \
	--tunnel-dst 2001:db8::b --in "$tmp/v4only.pcap" --out "$tmp/d.pcap"
expect_drops "IPv6 outer into a LINKTYPE_IPV4 capture" 1 "10 of 10 packets dropped: link-type 10" 0

# Random records of every link type: counted, never a crash or a sanitizer
# report (exit 1 with a summary line, not 86 or a signal).
pt noise "$tmp"
for lt in 101 1 113 276 228; do
	ok=yes
	for dir in encrypt decrypt; do
		ts esp "$dir" --spi 7 --cipher aes-gcm-256 --key "$G256" --in "$tmp/noise$lt.pcap" --out "$tmp/d.pcap"
		if [ "$rc" -ne 1 ] || ! grep -q "packets dropped" "$tmp/err"; then
			ok="$dir exit $rc: $(tail -n 1 "$tmp/err")"
			break
		fi
	done
	[ "$ok" = yes ] && pass "random records, link type $lt" || fail "random records, link type $lt" "$ok"
done

# Sequence numbers: ESN crosses 2^32; without ESN the sender stops at 2^32-1.
ts esp encrypt --spi 9 --cipher aes-gcm-256 --key "$G256" --esn --seq 4294967290 --in "$tmp/ten.pcap" --out "$tmp/e.pcap"
if [ "$rc" -eq 0 ] && pt esp "$tmp/e.pcap" 9 4500 4294967290 10 >"$tmp/py.err" 2>&1; then
	pass "esn encrypt across 2^32"
else
	fail "esn encrypt across 2^32" "exit $rc: $(tail -n 1 "$tmp/err" "$tmp/py.err")"
fi
ts esp decrypt --spi 9 --cipher aes-gcm-256 --key "$G256" --esn --seq 4294967289 --in "$tmp/e.pcap" --out "$tmp/d.pcap"
if [ "$rc" -eq 0 ] && pt same "$tmp/ten.pcap" "$tmp/d.pcap" >"$tmp/py.err" 2>&1; then
	pass "esn decrypt across 2^32"
else
	fail "esn decrypt across 2^32" "exit $rc: $(tail -n 1 "$tmp/err" "$tmp/py.err")"
fi
ts esp encrypt --spi 9 --cipher aes-gcm-256 --key "$G256" --seq 4294967290 --in "$tmp/ten.pcap" --out "$tmp/d.pcap"
expect_drops "no esn stops at 2^32-1" 1 "4 of 10 packets dropped: seq-exhausted 4" 6
pt esp "$tmp/d.pcap" 9 4500 4294967290 6 >"$tmp/py.err" 2>&1 && pass "no esn sends up to 2^32-1" ||
	fail "no esn sends up to 2^32-1" "$(tail -n 1 "$tmp/py.err")"

# ---------------------------------------------------------------------------
# Keys, warnings, files.

printf '  %s\n' "$G256" >"$tmp/key"
chmod 600 "$tmp/key"
ts esp encrypt --spi 7 --cipher aes-gcm-256 --key "@$tmp/key" --in "$tmp/raw.pcap" --out "$tmp/k.pcap"
if [ "$rc" -eq 0 ] && cmp -s "$tmp/k.pcap" "$tmp/g.pcap" && [ ! -s "$tmp/err" ]; then
	pass "--key @file"
else
	fail "--key @file" "exit $rc, or output differs from --key HEX: $(head -n 1 "$tmp/err")"
fi
chmod 644 "$tmp/key"
ts esp decrypt --spi 7 --cipher aes-gcm-256 --key "@$tmp/key" --in "$tmp/g.pcap" --out "$tmp/d.pcap"
[ "$rc" -eq 0 ] && grep -q "warning: key file .* accessible by group or others" "$tmp/err" &&
	pass "--key @file readable by others warns" || fail "--key @file readable by others warns" "exit $rc"
if grep -qi "${G256:0:16}" "$tmp/err" "$tmp/out"; then
	fail "key never printed" "key material on stdout or stderr"
else
	pass "key never printed"
fi

ts esp encrypt --spi 7 --cipher null --in "$tmp/raw.pcap" --out "$tmp/d.pcap"
[ "$rc" -eq 0 ] && grep -q "NO confidentiality and NO integrity" "$tmp/err" &&
	pass "null cipher warns" || fail "null cipher warns" "exit $rc: $(head -n 1 "$tmp/err")"

# The hex key is blanked in /proc/PID/cmdline once read: block the run on a
# FIFO input, look at its command line, then feed it.
mkfifo "$tmp/fifo"
"$TS" esp encrypt --spi 7 --cipher aes-gcm-256 --key "$G256" --in "$tmp/fifo" --out "$tmp/f.pcap" 2>/dev/null &
pid=$!
seen=no
for _ in $(seq 50); do
	cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)
	case $cmd in
	*"--in $tmp/fifo"*)
		case $cmd in
		*"$G256"*) ;;
		*) seen=wiped; break ;;
		esac ;;
	esac
	sleep 0.1
done
# Bounded: if tunsec died before opening the FIFO, nothing would read it.
timeout 10 sh -c 'cat "$1" >"$2"' sh "$tmp/raw.pcap" "$tmp/fifo" || kill "$pid" 2>/dev/null
wait "$pid"
rc=$?
[ "$seen" = wiped ] && [ "$rc" -eq 0 ] && pass "key blanked in /proc cmdline" ||
	fail "key blanked in /proc cmdline" "still visible after 5 s, or exit $rc"

# Standard input to standard output, through a pipe.
"$TS" esp encrypt --spi 7 --cipher chacha20-poly1305 --key "${KEY[chacha20-poly1305]}" --in - --out - <"$tmp/eth.pcap" |
	"$TS" esp decrypt --spi 7 --cipher chacha20-poly1305 --key "${KEY[chacha20-poly1305]}" --in - --out "$tmp/d.pcap"
rc=$?
pt same "$tmp/eth.pcap" "$tmp/d.pcap" >"$tmp/py.err" 2>&1 && [ "$rc" -eq 0 ] && pass "stdin to stdout pipe" ||
	fail "stdin to stdout pipe" "exit $rc: $(tail -n 1 "$tmp/py.err")"

# Exit 3: the run cannot complete.
rm -f "$tmp/d.pcap"
ts esp encrypt "${OK[@]}" --in "$tmp/nonexistent.pcap" --out "$tmp/d.pcap"
[ "$rc" -eq 3 ] && grep -q -- "--in .*nonexistent.pcap" "$tmp/err" && [ ! -e "$tmp/d.pcap" ] &&
	pass "io missing input" || fail "io missing input" "exit $rc"
ts esp encrypt "${OK[@]}" --in "$tmp/garbage.pcap" --out "$tmp/d.pcap"
[ "$rc" -eq 3 ] && pass "io not a capture" || fail "io not a capture" "exit $rc"
ts esp encrypt "${OK[@]}" --in "$tmp/wifi.pcap" --out "$tmp/d.pcap"
[ "$rc" -eq 3 ] && grep -q "not supported" "$tmp/err" && pass "io unsupported link type" ||
	fail "io unsupported link type" "exit $rc: $(head -n 1 "$tmp/err")"
ts esp encrypt "${OK[@]}" --in "$tmp/raw.pcap" --out "$tmp/no/such/dir.pcap"
[ "$rc" -eq 3 ] && grep -q -- "--out" "$tmp/err" && pass "io unwritable output" || fail "io unwritable output" "exit $rc"
ts esp encrypt "${OK[@]}" --in "$tmp/damaged.pcap" --out "$tmp/d.pcap"
[ "$rc" -eq 3 ] && [ "$(pt count "$tmp/d.pcap")" = 1 ] && pass "io damaged capture keeps what was read" ||
	fail "io damaged capture keeps what was read" "exit $rc"
if [ -w /dev/full ]; then
	ts esp encrypt "${OK[@]}" --in "$tmp/many.pcap" --out /dev/full
	[ "$rc" -eq 3 ] && grep -q "No space left" "$tmp/err" && pass "io disk full" || fail "io disk full" "exit $rc"
fi

# ---------------------------------------------------------------------------
# tshark, an independent dissector, sees the ESP we wrote.
if command -v tshark >/dev/null; then
	tsf() { tshark -r "$1" "${@:2}" -T fields -e esp.spi -e esp.sequence 2>/dev/null | tr '\t' ' ' | tr '\n' ';'; }
	ts esp encrypt --spi 0xabcdef01 --cipher aes-gcm-128 --key "${KEY[aes-gcm-128]}" --seq 1000 \
		--in "$tmp/ten.pcap" --out "$tmp/t1.pcap"
	want="0xabcdef01 1000;0xabcdef01 1001;0xabcdef01 1002;"
	got=$(tsf "$tmp/t1.pcap" -Y esp -c 3)
	[ "$got" = "$want" ] && pass "tshark udp-encapsulated ESP" || fail "tshark udp-encapsulated ESP" "got '$got'"
	ts esp encrypt --spi 0x42 --cipher aes-ccm-128 --key "${KEY[aes-ccm-128]}" --encap none --seq 7 \
		--mode tunnel --tunnel-src 2001:db8::1 --tunnel-dst 2001:db8::2 --in "$tmp/eth.pcap" --out "$tmp/t2.pcap"
	got=$(tsf "$tmp/t2.pcap" -Y "esp && ipv6.nxt == 50" -c 2)
	[ "$got" = "0x00000042 7;0x00000042 8;" ] && pass "tshark raw ESP over IPv6" || fail "tshark raw ESP over IPv6" "got '$got'"
	ts esp encrypt --spi 0x99 --cipher chacha20-poly1305 --key "${KEY[chacha20-poly1305]}" --sport 1000 --dport 2000 \
		--in "$tmp/raw.pcap" --out "$tmp/t3.pcap"
	got=$(tsf "$tmp/t3.pcap" -d udp.port==2000,udpencap -Y esp -c 1)
	[ "$got" = "0x00000099 1;" ] && pass "tshark ESP on UDP port 2000" || fail "tshark ESP on UDP port 2000" "got '$got'"
	got=$(tshark -r "$tmp/t2.pcap" -T fields -e frame.protocols -c 1 2>/dev/null)
	case $got in
	eth:ethertype:ipv6:esp*) pass "tshark link type kept, ethertype follows outer IP" ;;
	*) fail "tshark link type kept, ethertype follows outer IP" "got '$got'" ;;
	esac
else
	fail tshark "tshark is not installed (scripts/deps.sh installs it)"
fi

[ "$failures" -eq 0 ]
