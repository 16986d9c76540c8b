#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The tunsec commands that talk to tunsecd (show, sa add, sa del, reload,
# up, down), through the real binaries.
#
#   TUNSEC_BUILD=build TUNSEC_SRCDIR=. test/cli/ctl_cli.sh      (as root)
#
# 1. Usage errors and "tunsecd not running", with no daemon at all.
# 2. A fake daemon (Python, written below from the specification in
#    src/ctl/proto.h) that replies with crafted messages: hostile strings,
#    IPv6, unknown enum values, a truncated reply, a malformed reply, an
#    error, IKE SAs, the refusals of up and down; and that records what
#    `tunsec sa add`, `sa del`, `up` and `down` send.
# 3. The real tunsecd, when $TUNSEC_BUILD/tunsecd exists:
#
#   +---------------------------------------------------------+
#   | ns ts-ctl-PID-x                                         |
#   |   tunsecd -c $tmp/tunsecd.conf                          |
#   |     tun tscPID, ESP in UDP on 10.250.0.1:4500           |
#   |     peer b = 10.250.0.2 (nobody: pings to it are        |
#   |     encrypted, counted, and go nowhere)                 |
#   |   d0 10.250.0.1/24 (dummy; a veth pair d0/d1 when the   |
#   |   kernel has no dummy driver)                           |
#   +---------------------------------------------------------+
#        ^  $tmp/ctl/tunsecd.sock (unix socket, mode 0600)
#        |
#   tunsec show | sa add | sa del | reload | up | down   (root namespace)
#
# Every process is bounded by timeout(1); traffic stays in the namespace.
# Prints "PASS name", "FAIL name: why" or "SKIP name: why" per case; exits
# non-zero when any case failed.
set -u
BUILD=${TUNSEC_BUILD:?set TUNSEC_BUILD to the build directory}
TS=$BUILD/tunsec
TSD=$BUILD/tunsecd
PY=/usr/bin/python3 # Debian's python
# Under ASan/UBSan a sanitizer report must not pass for exit status 1.
export ASAN_OPTIONS="exitcode=86:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="exitcode=86:halt_on_error=1:${UBSAN_OPTIONS:-}"
tmp=$(mktemp -d /tmp/tunsec-ctl-cli.XXXXXX)
NS=ts-ctl-$$-x
PIDS=()
failures=0

cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	ip netns del "$NS" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

pass() { echo "PASS $1"; }
fail() {
	echo "FAIL $1: $2"
	failures=$((failures + 1))
}
skip() { echo "SKIP $1: $2"; }

# ts ARGS...: run tunsec; stdout in $tmp/out, stderr in $tmp/err, status rc.
ts() {
	timeout 20 "$TS" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# Key material: key || salt (RFC 4106 §8.1, RFC 7634 §2 lengths).
K256=4c80cdefbb5d10da906ac73c3613a634c80cdefbb5d10da906ac73c3613a6341decafbad
K128=feffe9928665731c6d6a8f9467308308cafebabe
KCHACHA=808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3

# ---------------------------------------------------------------------------
# 1. Without a daemon.

# usage NAME EXPECTED-TEXT ARGS...: tunsec ARGS must fail with a usage error
# whose first line holds EXPECTED-TEXT, and point to --help.
usage() {
	local name=$1 want=$2
	shift 2
	ts "$@"
	if [ "$rc" -ne 2 ]; then
		fail "usage $name" "exit $rc, expected 2 ($(head -n 1 "$tmp/err"))"
	elif ! head -n 1 "$tmp/err" | grep -qF -- "$want"; then
		fail "usage $name" "stderr lacks '$want': $(head -n 1 "$tmp/err")"
	elif ! grep -qF -- "--help' for more information" "$tmp/err"; then
		fail "usage $name" "no pointer to --help"
	elif [ -s "$tmp/out" ]; then
		fail "usage $name" "wrote to stdout"
	else
		pass "usage $name"
	fi
}

NOSOCK=$tmp/none/tunsecd.sock
ADD=(sa add --socket "$NOSOCK")
usage show-arg "tunsec show: unexpected argument 'peers'" show peers
usage show-option "unknown or ambiguous option '--jsonn'" show --jsonn
usage show-socket-value "--socket needs a value" show --socket
usage show-twice "--json given twice" show --json --json
usage reload-arg "tunsec reload: unexpected argument 'now'" reload now
usage sa-none "tunsec sa: say add or del" sa
usage sa-bad "'list' is not add or del" sa list
usage add-no-dir "tunsec sa add: missing --dir" "${ADD[@]}" --spi 1 --cipher aes-gcm-128 --key "$K128"
usage add-bad-dir "--dir: 'both' is not in or out" "${ADD[@]}" --dir both --spi 1 --cipher aes-gcm-128 --key "$K128"
usage add-no-spi "missing --spi" "${ADD[@]}" --dir in --cipher aes-gcm-128 --key "$K128"
usage add-no-cipher "missing --cipher" "${ADD[@]}" --dir in --spi 1 --key "$K128"
usage add-no-key "missing --key (aes-gcm-128 takes 20 bytes" "${ADD[@]}" --dir in --spi 1 --cipher aes-gcm-128
usage add-spi-zero "--spi: 0 is reserved" "${ADD[@]}" --dir in --spi 0 --cipher aes-gcm-128 --key "$K128"
usage add-key-short "--key: aes-gcm-256 takes 36 bytes of key material (32-byte key + 4-byte salt), got 20" \
	"${ADD[@]}" --dir in --spi 1 --cipher aes-gcm-256 --key "$K128"
usage add-icv "--icv: chacha20-poly1305 allows an ICV of 16 bytes, not 8" \
	"${ADD[@]}" --dir in --spi 1 --cipher chacha20-poly1305 --key "$KCHACHA" --icv 8
usage add-seq-out "--seq: the first sequence number sent is 1 or more" \
	"${ADD[@]}" --dir out --spi 1 --cipher aes-gcm-128 --key "$K128" --seq 0
usage add-seq-32 "--seq: 4294967296 does not fit in 32 bits" \
	"${ADD[@]}" --dir in --spi 1 --cipher aes-gcm-128 --key "$K128" --seq 4294967296
usage add-window "--replay-window: '16' is not a number from 32 to 65536" \
	"${ADD[@]}" --dir in --spi 1 --cipher aes-gcm-128 --key "$K128" --replay-window 16
usage add-tunnel-addr "--tunnel-src: only for --mode tunnel" \
	"${ADD[@]}" --dir out --spi 1 --cipher aes-gcm-128 --key "$K128" --tunnel-src 192.0.2.1 --tunnel-dst 192.0.2.2
usage add-tunnel-one "--tunnel-dst needs --tunnel-src too" \
	"${ADD[@]}" --dir out --spi 1 --cipher aes-gcm-128 --key "$K128" --mode tunnel --tunnel-dst 192.0.2.2
usage add-sport-none "--sport: only for --encap udp" \
	"${ADD[@]}" --dir out --spi 1 --cipher aes-gcm-128 --key "$K128" --encap none --sport 4500
usage add-in-option "unknown or ambiguous option '--in'" \
	"${ADD[@]}" --dir out --spi 1 --cipher aes-gcm-128 --key "$K128" --in x.pcap
usage add-name "--name: 'my sa' is not a name" \
	"${ADD[@]}" --dir out --name "my sa" --spi 1 --cipher aes-gcm-128 --key "$K128"
usage add-peer-long "--peer: '$(printf 'p%.0s' {1..64})' is not a name" \
	"${ADD[@]}" --dir out --peer "$(printf 'p%.0s' {1..64})" --spi 1 --cipher aes-gcm-128 --key "$K128"
usage add-twice "--dir given twice" "${ADD[@]}" --dir in --dir out --spi 1 --cipher aes-gcm-128 --key "$K128"
usage add-stray "unexpected argument 'now'" "${ADD[@]}" --dir in --spi 1 --cipher aes-gcm-128 --key "$K128" now
usage del-no-dir "tunsec sa del: missing --dir" sa del --socket "$NOSOCK" 5
usage del-bad-dir "--dir: 'sideways' is not in or out" sa del --socket "$NOSOCK" --dir sideways 5
usage del-no-spi "missing the SPI" sa del --socket "$NOSOCK" --dir in
usage del-spi-zero "SPI: '0' is not a number from 1 to 4294967295" sa del --socket "$NOSOCK" --dir in 0
usage del-spi-big "SPI: '0x100000000'" sa del --socket "$NOSOCK" --dir in 0x100000000
usage del-spi-junk "SPI: '12ab'" sa del --socket "$NOSOCK" --dir in 12ab
usage del-two "unexpected argument '6'" sa del --socket "$NOSOCK" --dir in 5 6
usage up-no-peer "tunsec up: missing the peer name" up --socket "$NOSOCK"
usage down-no-peer "tunsec down: missing the peer name" down --socket "$NOSOCK"
usage up-two "tunsec up: unexpected argument 'c'" up --socket "$NOSOCK" b c
usage up-bad-name "tunsec up: 'my peer' is not a peer name" up --socket "$NOSOCK" "my peer"
usage down-slash "tunsec down: 'a/b' is not a peer name" down --socket "$NOSOCK" a/b
usage down-long "'$(printf 'p%.0s' {1..64})' is not a peer name" down --socket "$NOSOCK" "$(printf 'p%.0s' {1..64})"
usage up-empty "tunsec up: '' is not a peer name" up --socket "$NOSOCK" ""
usage up-option "tunsec up: unknown or ambiguous option '--peer'" up --socket "$NOSOCK" --peer b
usage down-socket-value "tunsec down: --socket needs a value" down b --socket

# A usage error about the key never quotes it.
ts "${ADD[@]}" --dir in --spi 1 --cipher aes-gcm-256 --key "$K128"
if grep -qi "${K128:8:16}" "$tmp/err"; then
	fail "usage key-not-printed" "the key shows in the message"
else
	pass "usage key-not-printed"
fi

for c in show "sa add" "sa del" reload sa up down; do
	# shellcheck disable=SC2086 # "sa add" is two words
	ts $c --help
	if [ "$rc" -eq 0 ] && grep -q "^usage: tunsec ${c%% *}" "$tmp/out" &&
	   grep -qF -- "--socket PATH" "$tmp/out"; then
		pass "help ${c// /-}"
	else
		fail "help ${c// /-}" "exit $rc: $(head -n 1 "$tmp/out")"
	fi
done

# not_running NAME WANT ARGS...: exit 1 and exactly one line on stderr that
# names the socket and says what is wrong.
not_running() {
	local name=$1 want=$2
	shift 2
	ts "$@"
	if [ "$rc" -ne 1 ]; then
		fail "not-running $name" "exit $rc, expected 1"
	elif [ "$(wc -l <"$tmp/err")" -ne 1 ]; then
		fail "not-running $name" "$(wc -l <"$tmp/err") lines on stderr"
	elif ! grep -qF -- "$want" "$tmp/err"; then
		fail "not-running $name" "stderr: $(cat "$tmp/err"), expected '$want'"
	elif [ -s "$tmp/out" ]; then
		fail "not-running $name" "wrote to stdout"
	else
		pass "not-running $name"
	fi
}

GONE="tunsec: cannot reach tunsecd at $NOSOCK: no such socket — is tunsecd running?"
not_running show "$GONE" show --socket "$NOSOCK"
not_running show-json "$GONE" show --json --socket "$NOSOCK"
not_running reload "$GONE" reload --socket "$NOSOCK"
not_running sa-add "$GONE" "${ADD[@]}" --dir in --spi 1 --cipher aes-gcm-128 --key "$K128"
not_running sa-del "$GONE" sa del --socket "$NOSOCK" --dir in 0x10
not_running up "$GONE" up --socket "$NOSOCK" b
not_running down "$GONE" down --socket "$NOSOCK" b
if [ -e /run/tunsec/tunsecd.sock ]; then
	skip "not-running default-path" "a tunsecd socket exists at /run/tunsec/tunsecd.sock"
else
	not_running default-path "cannot reach tunsecd at /run/tunsec/tunsecd.sock: no such socket" show
fi

# A socket file nobody listens on (left by a killed daemon).
"$PY" -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.bind(sys.argv[1])
s.close()' "$tmp/stale.sock"
not_running stale-socket "cannot reach tunsecd at $tmp/stale.sock: nothing is listening" show --socket "$tmp/stale.sock"

# ---------------------------------------------------------------------------
# 2. A fake daemon: one connection, one reply chosen by MODE.
cat >"$tmp/fake.py" <<'PYEOF'
import json, os, socket, struct, sys

MAGIC, REPLY = 0x54534331, 0x8000
A = dict(NAME=1, PEER_NAME=2, DIR=3, SPI=4, CIPHER=5, ICV=6, KEY=7, MODE=8,
         ENCAP=9, SPORT=10, DPORT=11, ESN=12, SEQ=13, WINDOW=14, TUN_SRC=15,
         TUN_DST=16, TFC=17, STATUS=18, MESSAGE=19, DAEMON=20, VERSION=21,
         UPTIME=22, LOCAL=23, PORT=24, TUN=25, PEER=26, ADDR=27, SELECTOR=28,
         SA=29, PACKETS=30, BYTES=31, DROPS=32, DROP=33, REASON=34, COUNT=35,
         IKE_SA=43, STATE=44, ROLE=45, SPI_I=46, SPI_R=47, IKE_ALG=48, AGE=49,
         ESP_ALG=50, SPI_IN=51, SPI_OUT=52, FRAGMENTS=54, NAT=55, CHILD=56,
         IKE_REKEY=57, CHILD_REKEY=58)

def attr(name, val):
    n = 4 + len(val)
    return struct.pack(">HH", A[name], n) + val + b"\0" * (-n % 4)

def num(fmt):
    return lambda name, v: attr(name, struct.pack(fmt, v))

u8, u16, u32, u64, i32 = num(">B"), num(">H"), num(">I"), num(">Q"), num(">i")
def s(name, b): return attr(name, b + b"\0")
def nest(name, *kids): return attr(name, b"".join(kids))
def addr6(name, text):
    return attr(name, b"\6" + socket.inet_pton(socket.AF_INET6, text))

# Quote, backslash, euro sign, a byte that is not UTF-8, a C1 control (CSI).
TRICKY = b'q"b\\s\xe2\x82\xac\xff\xc2\x9bz'

def drop(reason, count):
    return nest("DROP", s("REASON", reason), u64("COUNT", count))

def show_tricky():
    d = nest("DAEMON", s("VERSION", b"9.9"), u64("UPTIME", 90061),
             addr6("LOCAL", "fd00::1"), u16("PORT", 4500), s("TUN", b"t0"))
    p = nest("PEER", s("NAME", TRICKY), addr6("ADDR", "fd00::2"),
             u16("PORT", 4501), u8("MODE", 7), s("SELECTOR", b"proto icmp"),
             s("SELECTOR", b"any"))
    sa = nest("SA", s("NAME", b"x"), s("PEER_NAME", TRICKY), u8("DIR", 1),
              u32("SPI", 0xdeadbeef), s("CIPHER", b"aes-gcm-256"),
              u8("ICV", 16), u8("MODE", 0), u8("ENCAP", 1), u8("ESN", 1),
              u64("PACKETS", 2**64 - 1), u64("BYTES", 1536),
              u64("SEQ", 2**32 + 5), u32("WINDOW", 0),
              nest("DROPS", drop(b"auth", 7), drop(b"replay", 1)))
    g = nest("DROPS", drop(b"unknown-spi", 42))
    return i32("STATUS", 0) + d + p + sa + g, 1  # CTL_F_TRUNCATED

# Three IKE SAs between the peer and the SA: one established with its Child
# SA (algorithm names as src/ike/wire.c spells them) that sent IKE
# fragments (the one being deleted sent none: no text line), one that has just
# sent its IKE_SA_INIT (responder SPI 0, no algorithms yet), and one being
# deleted; the last two carry hostile strings.
def show_ike():
    p = nest("PEER", s("NAME", b"b"), addr6("ADDR", "fd00::2"))
    up = nest("IKE_SA", s("PEER_NAME", b"b"), s("STATE", b"established"),
              s("ROLE", b"initiator"), u64("SPI_I", 0x0123456789abcdef),
              u64("SPI_R", 2**64 - 1), u64("AGE", 3665),
              s("IKE_ALG", b"AES_GCM_16-256 HMAC_SHA2_256 CURVE25519"),
              s("ESP_ALG", b"AES_GCM_16-256"), u32("SPI_IN", 0xc0000001),
              u32("SPI_OUT", 0xabcd),
              s("SELECTOR", b"local 10.0.0.1/32 remote 10.0.0.2/32 proto icmp"),
              s("SELECTOR", b"local 10.0.0.1/32 remote 10.0.0.2/32 proto tcp rport 5201"),
              u64("FRAGMENTS", 7), u64("IKE_REKEY", 7200),
              u64("CHILD_REKEY", 125),
              nest("CHILD", s("ESP_ALG", b"AES_GCM_16-256 CURVE25519"),
                   u32("SPI_IN", 0xc0000002), u32("SPI_OUT", 0xabce),
                   u64("CHILD_REKEY", 3000),
                   s("SELECTOR", b"local 10.0.0.1/32 remote 10.0.0.2/32 proto tcp lport 5201")))
    init = nest("IKE_SA", s("PEER_NAME", TRICKY),
                s("STATE", b"connecting\xc2\x9b"), s("ROLE", b"responder"),
                u64("SPI_I", 1), u64("SPI_R", 0), u64("AGE", 0))
    # Being deleted, hostile algorithm names, one Child SA SPI missing.
    gone = nest("IKE_SA", s("PEER_NAME", b"c"), s("STATE", b"deleting"),
                s("ROLE", b"responder"), u64("SPI_I", 0xfedcba9876543210),
                u64("SPI_R", 0x10), u64("AGE", 2 * 86400 + 1),
                s("IKE_ALG", b"AES_CBC-256 \xffHMAC_SHA2_256_128"),
                s("ESP_ALG", b"AES_CBC-128\xc2\x9b31m"), u32("SPI_OUT", 7),
                s("SELECTOR", b"local \xff::/0\xc2\x9b"),
                u64("FRAGMENTS", 0))
    sa = nest("SA", s("NAME", b"b-out"), s("PEER_NAME", b"b"), u8("DIR", 1),
              u32("SPI", 0xabcd))
    return i32("STATUS", 0) + p + up + init + gone + sa, 0

def show_ike_repeated():
    ike = nest("IKE_SA", s("PEER_NAME", b"b"), s("STATE", b"dead"),
               s("STATE", b"established"))
    return i32("STATUS", 0) + ike, 0

def show_repeated():
    sa = nest("SA", s("NAME", b"x"), u32("SPI", 1), u32("SPI", 2))
    return i32("STATUS", 0) + sa, 0

def error():
    return i32("STATUS", -1) + s("MESSAGE", b"peer uid 1000 not allowed"), 0

# The refusals of UP and DOWN (src/daemon/control.c handle_up_down()).
def enoent():
    return i32("STATUS", -2) + s("MESSAGE", b'no IKE-managed peer "zz"'), 0

def ealready():
    return (i32("STATUS", -114) +
            s("MESSAGE", b'peer "b" is already up or coming up'), 0)

# A refusal without a MESSAGE: the client gives the errno's text.
def ealready_bare():
    return i32("STATUS", -114), 0

def top_attrs(msg):
    out, off = [], 16
    while off < len(msg):
        t, n = struct.unpack(">HH", msg[off:off + 4])
        out.append([t, msg[off + 4:off + n].hex()])
        off += (n + 3) & ~3
    return out

sock, mode, record = sys.argv[1], sys.argv[2], sys.argv[3]
srv = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
srv.bind(sock + ".tmp")
srv.listen(1)
os.rename(sock + ".tmp", sock)  # the socket appears ready to connect
conn, _ = srv.accept()
req = conn.recv(65536)
magic, rtype, flags, seq, length = struct.unpack(">IHHII", req[:16])
json.dump({"type": rtype, "attrs": top_attrs(req)}, open(record, "w"))
if mode == "noreply":
    sys.exit(0)
body, fl = {"tricky": show_tricky, "repeated": show_repeated,
            "ike": show_ike, "ike-repeated": show_ike_repeated,
            "error": error, "enoent": enoent, "ealready": ealready,
            "ealready-bare": ealready_bare,
            "ok": lambda: (i32("STATUS", 0), 0)}[mode]()
conn.send(struct.pack(">IHHII", MAGIC, REPLY, fl, seq, 16 + len(body)) + body)
conn.close()
PYEOF

# fake MODE ARGS...: run tunsec ARGS against a fake daemon answering MODE;
# the request it received is in $tmp/req.json.
fake() {
	local mode=$1 sock=$tmp/fake.sock i fpid
	shift
	rm -f "$sock" "$tmp/req.json"
	timeout 20 "$PY" "$tmp/fake.py" "$sock" "$mode" "$tmp/req.json" 2>"$tmp/fake.err" &
	fpid=$!
	for i in $(seq 100); do
		[ -S "$sock" ] && break
		sleep 0.05
	done
	ts "$@" --socket "$sock"
	wait "$fpid"
}

# pycheck NAME FILE EXPR: the python expression EXPR, with d the JSON
# document in FILE, must be true.
pycheck() {
	local name=$1 file=$2 expr=$3 why
	if why=$("$PY" - "$file" "$expr" 2>&1 <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
def ike(peer):
    m = [x for x in d["ike_sas"] if x.get("peer") == peer]
    return m[0] if len(m) == 1 else {}
def sa(direction, spi):
    m = [x for x in d["sas"] if x.get("direction") == direction and x.get("spi") == spi]
    return m[0] if len(m) == 1 else {}
def attrs():
    return {t: v for t, v in d["attrs"]}
if not eval(sys.argv[2]):
    sys.exit("false: " + sys.argv[2])
PYEOF
	); then
		pass "$name"
	else
		fail "$name" "$(echo "$why" | tail -n 1)"
	fi
}

# has NAME REGEX: a line of $tmp/out matches the extended REGEX.
has() {
	if grep -qE -- "$2" "$tmp/out"; then
		pass "$1"
	else
		fail "$1" "no line matches '$2' in: $(tr '\n' '|' <"$tmp/out")"
	fi
}

fake tricky show --json
cp "$tmp/out" "$tmp/fake.json"
if [ "$rc" -eq 0 ] && "$PY" -m json.tool "$tmp/fake.json" >/dev/null 2>"$tmp/jerr"; then
	pass "fake json-valid"
else
	fail "fake json-valid" "exit $rc, $(head -n 1 "$tmp/jerr")"
fi
pycheck "fake request-show" "$tmp/req.json" 'd["type"] == 1 and d["attrs"] == []'
pycheck "fake json-truncated" "$tmp/fake.json" 'd["truncated"] is True'
pycheck "fake json-escapes" "$tmp/fake.json" \
	'd["peers"][0]["name"] == "q\"b\\s\u20ac\ufffd\x9bz" and d["sas"][0]["peer"] == d["peers"][0]["name"]'
pycheck "fake json-daemon" "$tmp/fake.json" \
	'd["daemon"] == {"version": "9.9", "uptime": 90061, "local": "fd00::1", "port": 4500, "tun": "t0", "offloads": []}'
pycheck "fake json-peer" "$tmp/fake.json" \
	'd["peers"][0]["address"] == "fd00::2" and d["peers"][0]["port"] == 4501 and d["peers"][0]["mode"] == 7 and d["peers"][0]["selectors"] == ["proto icmp", "any"]'
pycheck "fake json-sa" "$tmp/fake.json" \
	'sa("out", 3735928559)["spi_hex"] == "0xdeadbeef" and sa("out", 3735928559)["esn"] is True and sa("out", 3735928559)["packets"] == 2**64 - 1 and sa("out", 3735928559)["bytes"] == 1536 and sa("out", 3735928559)["seq"] == 2**32 + 5 and sa("out", 3735928559)["mode"] == "transport" and sa("out", 3735928559)["encap"] == "udp" and sa("out", 3735928559)["icv"] == 16'
pycheck "fake json-drops" "$tmp/fake.json" \
	'd["sas"][0]["drops"] == {"auth": 7, "replay": 1} and d["drops"] == {"unknown-spi": 42}'

fake tricky show
if [ "$rc" -eq 0 ]; then pass "fake text-exit"; else fail "fake text-exit" "exit $rc"; fi
has "fake text-uptime" '^  uptime: +1 day, 1 hour, 1 minute, 1 second$'
has "fake text-ipv6" '^  listening: +\[fd00::1\]:4500$'
has "fake text-peer" '^  address: +\[fd00::2\]:4501$'
has "fake text-clean" '^peer: q"b\\s€\?\?\?z$'
has "fake text-mode" '^  mode: +unknown \(7\)$'
has "fake text-selectors" '^ +any$'
has "fake text-spi" '^  spi: +0xdeadbeef \(3735928559\)$'
has "fake text-traffic" '^  traffic: +18446744073709551615 packets, 1\.50 KiB \(1536 bytes\) sent$'
has "fake text-seq" '^  next seq: +4294967301$'
has "fake text-sa-drops" '^  drops: +auth 7, replay 1$'
has "fake text-drops" '^drops \(no SA\): +unknown-spi 42$'
has "fake text-truncated" '^\(truncated'
if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]\|\xc2[\x80-\x9f]\|\xff' "$tmp/out"; then
	fail "fake text-no-control" "a control or non-UTF-8 byte reached the output"
else
	pass "fake text-no-control"
fi

fake repeated show
if [ "$rc" -eq 1 ] && grep -q "^tunsec show: malformed reply" "$tmp/err" && [ ! -s "$tmp/out" ]; then
	pass "fake malformed"
else
	fail "fake malformed" "exit $rc: $(cat "$tmp/err")"
fi
fake error show
if [ "$rc" -eq 1 ] && [ "$(cat "$tmp/err")" = "tunsec show: peer uid 1000 not allowed" ]; then
	pass "fake error-message"
else
	fail "fake error-message" "exit $rc: $(cat "$tmp/err")"
fi
fake noreply reload
if [ "$rc" -eq 1 ] && grep -q "^tunsec reload: .*without replying" "$tmp/err"; then
	pass "fake no-reply"
else
	fail "fake no-reply" "exit $rc: $(cat "$tmp/err")"
fi
pycheck "fake request-reload" "$tmp/req.json" 'd["type"] == 4 and d["attrs"] == []'

# What sa add sends: exactly the attributes given, values per
# src/ctl/proto.h (DIR 1 = out, strings NUL-terminated, KEY = key || salt).
fake ok sa add --peer b --name n1 --dir out --spi 0x1234 --cipher aes-gcm-128 --key "$K128" --icv 12
if [ "$rc" -eq 0 ] && [ ! -s "$tmp/out" ] && [ ! -s "$tmp/err" ]; then
	pass "fake add-silent"
else
	fail "fake add-silent" "exit $rc, out '$(cat "$tmp/out")', err '$(cat "$tmp/err")'"
fi
pycheck "fake add-request" "$tmp/req.json" \
	'd["type"] == 2 and attrs() == {1: "6e3100", 2: "6200", 3: "01", 4: "00001234", 5: "6165732d67636d2d31323800", 6: "0c", 7: "'"$K128"'"}'
printf '  %s\n' "$KCHACHA" >"$tmp/chacha.key"
chmod 600 "$tmp/chacha.key"
fake ok sa add --dir in --spi 7 --cipher chacha20-poly1305 --key "@$tmp/chacha.key" \
	--mode tunnel --tunnel-src 192.0.2.1 --tunnel-dst 192.0.2.2 --encap udp \
	--sport 1000 --dport 2000 --esn --seq 99 --replay-window 64 --tfc-pad 100
pycheck "fake add-request-all" "$tmp/req.json" \
	'attrs() == {3: "00", 4: "00000007", 5: "63686163686132302d706f6c793133303500", 7: "'"$KCHACHA"'", 8: "01", 9: "01", 10: "03e8", 11: "07d0", 12: "01", 13: "0000000000000063", 14: "00000040", 15: "04c0000201", 16: "04c0000202", 17: "0064"}'
fake ok sa add --dir out --spi 9 --cipher null
pycheck "fake add-request-null" "$tmp/req.json" 'attrs() == {3: "01", 4: "00000009", 5: "6e756c6c00"}'
if grep -q "WARNING: --cipher null" "$tmp/err"; then
	pass "fake add-null-warning"
else
	fail "fake add-null-warning" "no warning: $(cat "$tmp/err")"
fi
fake error sa del --dir out 0xc0ffee
pycheck "fake del-request" "$tmp/req.json" 'd["type"] == 3 and attrs() == {3: "01", 4: "00c0ffee"}'
if [ "$rc" -eq 1 ] && [ "$(cat "$tmp/err")" = "tunsec sa del: peer uid 1000 not allowed" ]; then
	pass "fake del-refused"
else
	fail "fake del-refused" "exit $rc: $(cat "$tmp/err")"
fi

# IKE SAs in show: a block per IKE SA after the peers, before the SAs.
fake ike show --json
cp "$tmp/out" "$tmp/ike.json"
if [ "$rc" -eq 0 ] && "$PY" -m json.tool "$tmp/ike.json" >/dev/null 2>"$tmp/jerr"; then
	pass "fake ike-json-valid"
else
	fail "fake ike-json-valid" "exit $rc, $(head -n 1 "$tmp/jerr")"
fi
pycheck "fake ike-json-established" "$tmp/ike.json" \
	'ike("b") == {"peer": "b", "state": "established", "role": "initiator", "spi_i": 0x0123456789abcdef, "spi_i_hex": "0x0123456789abcdef", "spi_r": 2**64 - 1, "spi_r_hex": "0xffffffffffffffff", "age": 3665, "rekey_in": 7200, "fragments_sent": 7, "ike_alg": "AES_GCM_16-256 HMAC_SHA2_256 CURVE25519", "esp_alg": "AES_GCM_16-256", "spi_in": 0xc0000001, "spi_out": 0xabcd, "child_rekey_in": 125, "selectors": ["local 10.0.0.1/32 remote 10.0.0.2/32 proto icmp", "local 10.0.0.1/32 remote 10.0.0.2/32 proto tcp rport 5201"], "more_children": [{"esp_alg": "AES_GCM_16-256 CURVE25519", "spi_in": 0xc0000002, "spi_out": 0xabce, "rekey_in": 3000, "selectors": ["local 10.0.0.1/32 remote 10.0.0.2/32 proto tcp lport 5201"]}]}'
pycheck "fake ike-json-connecting" "$tmp/ike.json" \
	'ike("q\"b\\s\u20ac\ufffd\x9bz") == {"peer": "q\"b\\s\u20ac\ufffd\x9bz", "state": "connecting\x9b", "role": "responder", "spi_i": 1, "spi_i_hex": "0x0000000000000001", "spi_r": 0, "spi_r_hex": "0x0000000000000000", "age": 0, "selectors": [], "more_children": []}'
pycheck "fake ike-json-deleting" "$tmp/ike.json" \
	'ike("c") == {"peer": "c", "state": "deleting", "role": "responder", "spi_i": 0xfedcba9876543210, "spi_i_hex": "0xfedcba9876543210", "spi_r": 16, "spi_r_hex": "0x0000000000000010", "age": 172801, "fragments_sent": 0, "ike_alg": "AES_CBC-256 \ufffdHMAC_SHA2_256_128", "esp_alg": "AES_CBC-128\x9b31m", "spi_out": 7, "selectors": ["local \ufffd::/0\x9b"], "more_children": []}'
pycheck "fake ike-json-order" "$tmp/ike.json" \
	'list(d) == ["truncated", "workers", "peers", "ike_sas", "sas"] and [x["peer"] for x in d["ike_sas"]] == ["b", "q\"b\\s\u20ac\ufffd\x9bz", "c"]'

fake ike show
cp "$tmp/out" "$tmp/ike.txt"
if [ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ]; then pass "fake ike-text-exit"; else fail "fake ike-text-exit" "exit $rc: $(cat "$tmp/err")"; fi
# ike_block NAME FIRST-LINE-REGEX: the block starting at FIRST-LINE-REGEX
# must equal $tmp/ike.want line for line.
ike_block() {
	if sed -n "/$2/,/^\$/p" "$tmp/ike.txt" | sed '/^$/d' | cmp -s - "$tmp/ike.want"; then
		pass "fake $1"
	else
		fail "fake $1" "$(sed -n "/$2/,/^\$/p" "$tmp/ike.txt" | tr '\n' '|')"
	fi
}
cat >"$tmp/ike.want" <<'EOF'
ike-sa: b
  state:          established
  role:           initiator
  spi:            0123456789abcdef/ffffffffffffffff
  age:            1 hour, 1 minute, 5 seconds
  rekey in:       2 hours
  ike algorithms: AES_GCM_16-256 HMAC_SHA2_256 CURVE25519
  child:          AES_GCM_16-256, spi in 0xc0000001, out 0x0000abcd
  child rekey in: 2 minutes, 5 seconds
  selectors:      local 10.0.0.1/32 remote 10.0.0.2/32 proto icmp
                  local 10.0.0.1/32 remote 10.0.0.2/32 proto tcp rport 5201
  child:          AES_GCM_16-256 CURVE25519, spi in 0xc0000002, out 0x0000abce
  child rekey in: 50 minutes
  selectors:      local 10.0.0.1/32 remote 10.0.0.2/32 proto tcp lport 5201
  fragments sent: 7
EOF
ike_block ike-text-established '^ike-sa: b$'
cat >"$tmp/ike.want" <<'EOF'
ike-sa: q"b\s€???z
  state:          connecting??
  role:           responder
  spi:            0000000000000001/0000000000000000
  age:            0 seconds
EOF
ike_block ike-text-connecting '^ike-sa: q'
cat >"$tmp/ike.want" <<'EOF'
ike-sa: c
  state:          deleting
  role:           responder
  spi:            fedcba9876543210/0000000000000010
  age:            2 days, 1 second
  ike algorithms: AES_CBC-256 ?HMAC_SHA2_256_128
  child:          AES_CBC-128??31m, spi in ?, out 0x00000007
  selectors:      local ?::/0??
EOF
ike_block ike-text-deleting '^ike-sa: c$'
if [ "$(grep -E '^(peer|ike-sa|sa):' "$tmp/ike.txt" | cut -d: -f1 | tr '\n' ' ')" = "peer ike-sa ike-sa ike-sa sa " ]; then
	pass "fake ike-text-order"
else
	fail "fake ike-text-order" "$(grep -E '^[a-z-]+:' "$tmp/ike.txt" | tr '\n' '|')"
fi
if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]\|\xc2[\x80-\x9f]\|\xff' "$tmp/ike.txt"; then
	fail "fake ike-text-no-control" "a control or non-UTF-8 byte reached the output"
else
	pass "fake ike-text-no-control"
fi
fake ike-repeated show
if [ "$rc" -eq 1 ] && grep -q "^tunsec show: malformed reply" "$tmp/err" && [ ! -s "$tmp/out" ]; then
	pass "fake ike-malformed"
else
	fail "fake ike-malformed" "exit $rc: $(cat "$tmp/err")"
fi

# up and down send one PEER_NAME (type 2, NUL-terminated) and nothing else;
# a refusal prints the daemon's reason verbatim on stderr, exit 1.
# updown NAME MODE WANT-RC WANT-ERR WANT-TYPE ARGS... (the peer name last)
updown() {
	local name=$1 mode=$2 want_rc=$3 want_err=$4 want_type=$5 hex
	shift 5
	hex=$(printf '%s' "${@: -1}" | od -An -v -tx1 | tr -d ' \n')00
	fake "$mode" "$@"
	if [ "$rc" -ne "$want_rc" ]; then
		fail "fake $name" "exit $rc, expected $want_rc: $(cat "$tmp/err")"
	elif [ "$(cat "$tmp/err")" != "$want_err" ]; then
		fail "fake $name" "stderr '$(cat "$tmp/err")', expected '$want_err'"
	elif [ -s "$tmp/out" ]; then
		fail "fake $name" "wrote to stdout: $(head -n 1 "$tmp/out")"
	else
		pass "fake $name"
	fi
	pycheck "fake $name-request" "$tmp/req.json" \
		"d['type'] == $want_type and attrs() == {2: '$hex'}"
}
EALREADY=$("$PY" -c 'import errno, os; print(os.strerror(errno.EALREADY))')
updown up-ok ok 0 "" 5 up b
updown down-ok ok 0 "" 6 down peer-1.x_y
updown up-longest-name ok 0 "" 5 up "$(printf 'p%.0s' {1..63})"
updown up-unknown enoent 1 'tunsec up: no IKE-managed peer "zz"' 5 up zz
updown up-already ealready 1 'tunsec up: peer "b" is already up or coming up' 5 up b
updown down-no-message ealready-bare 1 "tunsec down: $EALREADY" 6 down b
updown down-refused error 1 "tunsec down: peer uid 1000 not allowed" 6 down b
fake noreply up b
if [ "$rc" -eq 1 ] && grep -q "^tunsec up: .*without replying" "$tmp/err"; then
	pass "fake up-no-reply"
else
	fail "fake up-no-reply" "exit $rc: $(cat "$tmp/err")"
fi

# ---------------------------------------------------------------------------
# 3. The real daemon.
if [ ! -x "$TSD" ]; then
	skip daemon "$TSD not built"
	echo "$failures failed" >&2
	[ "$failures" -eq 0 ]
	exit
fi

SOCK=$tmp/ctl/tunsecd.sock
CONF=$tmp/tunsecd.conf
TUN=tsc$$
# conf WINDOW: the daemon's configuration, b-in's replay window WINDOW.
conf() {
	cat <<EOF
# ctl_cli.sh: one host, one peer with nobody behind it.
[daemon]
local-address = 10.250.0.1
port = 4500
control-socket = $SOCK
tun = $TUN
log-level = debug

[peer b]
address = 10.250.0.2
mode = transport
protect = proto icmp
protect = proto tcp rport 5201

[sa b-out]
peer = b
direction = out
spi = 0x1001
cipher = aes-gcm-256
key = $K256

[sa b-in]
peer = b
direction = in
spi = 0x2001
cipher = aes-gcm-256
key = $K256
replay-window = $1
EOF
}

S=(--socket "$SOCK")
in_ns() { ip netns exec "$NS" "$@"; }

# show_json: `tunsec show --json` into $tmp/show.json.
show_json() {
	ts show --json "${S[@]}"
	cp "$tmp/out" "$tmp/show.json"
}

ns_up() {
	ip netns add "$NS" || return 1
	in_ns ip link set lo up || return 1
	if ! in_ns ip link add d0 type dummy 2>/dev/null; then
		in_ns ip link add d0 type veth peer name d1 || return 1
		in_ns ip link set d1 up
	fi
	in_ns ip addr add 10.250.0.1/24 dev d0 && in_ns ip link set d0 up
}

daemon_start() {
	local i
	conf 2048 >"$CONF"
	chmod 600 "$CONF"
	# ip netns exec and timeout exec and forward signals: $! is the
	# process that SIGTERM stops and whose status is tunsecd's.
	ip netns exec "$NS" timeout 120 "$TSD" -c "$CONF" 2>"$tmp/tunsecd.log" &
	DPID=$!
	PIDS+=("$DPID")
	for i in $(seq 100); do
		[ -S "$SOCK" ] && return 0
		kill -0 "$DPID" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

if ! ns_up; then
	fail "daemon netns" "cannot set up namespace $NS"
	exit 1
fi
if ! daemon_start; then
	fail "daemon start" "no socket at $SOCK: $(tail -n 3 "$tmp/tunsecd.log" | tr '\n' '|')"
	exit 1
fi
pass "daemon start"

if [ "$(stat -c '%F %a' "$SOCK")" = "socket 600" ]; then
	pass "daemon socket-0600"
else
	fail "daemon socket-0600" "$(stat -c '%F %a' "$SOCK")"
fi

ts show "${S[@]}"
if [ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ]; then pass "show exit"; else fail "show exit" "exit $rc: $(cat "$tmp/err")"; fi
has "show daemon" '^daemon: tunsecd'
has "show listening" '^  listening: +10\.250\.0\.1:4500$'
has "show tun" "^  tun: +$TUN\$"
has "show peer" '^peer: b$'
has "show peer-address" '^  address: +10\.250\.0\.2:4500$'
has "show selectors" '^  protect: +.*proto icmp$'
has "show sa" '^sa: b-out$'
has "show spi" '^  spi: +0x00002001 \(8193\)$'
has "show window" '^  replay window: +2048 packets$'

show_json
if [ "$rc" -eq 0 ] && "$PY" -m json.tool "$tmp/show.json" >/dev/null 2>&1; then
	pass "json valid"
else
	fail "json valid" "exit $rc: $(head -c 200 "$tmp/show.json")"
fi
pycheck "json daemon" "$tmp/show.json" \
	'd["truncated"] is False and d["daemon"]["local"] == "10.250.0.1" and d["daemon"]["port"] == 4500 and d["daemon"]["tun"] == "'"$TUN"'" and isinstance(d["daemon"]["uptime"], int)'
pycheck "json peer" "$tmp/show.json" \
	'[(p["name"], p["address"], p["port"], p["mode"], len(p["selectors"])) for p in d["peers"]] == [("b", "10.250.0.2", 4500, "transport", 2)]'
pycheck "json sa-out" "$tmp/show.json" \
	'{k: sa("out", 0x1001).get(k) for k in ("name", "peer", "spi_hex", "cipher", "icv", "mode", "encap", "esn", "seq")} == {"name": "b-out", "peer": "b", "spi_hex": "0x00001001", "cipher": "aes-gcm-256", "icv": 16, "mode": "transport", "encap": "udp", "esn": False, "seq": 1}'
pycheck "json sa-in" "$tmp/show.json" \
	'{k: sa("in", 0x2001).get(k) for k in ("name", "spi_hex", "replay_window", "seq", "packets", "bytes")} == {"name": "b-in", "spi_hex": "0x00002001", "replay_window": 2048, "seq": 0, "packets": 0, "bytes": 0}'
pycheck "json count" "$tmp/show.json" 'len(d["sas"]) == 2'
pycheck "json no-ike-sas" "$tmp/show.json" 'd["ike_sas"] == []'
if grep -q '^ike-sa:' "$tmp/out"; then fail "show no-ike-sa" "an ike-sa block without IKE"; else pass "show no-ike-sa"; fi

# Three pings to the peer: each an 84-byte IPv4 packet (20 IP + 8 ICMP + 56
# data) encrypted with b-out, sequence numbers 1, 2, 3.
in_ns timeout 10 ping -c 3 -i 0.2 -W 1 -q 10.250.0.2 >/dev/null 2>&1
for i in $(seq 30); do
	show_json
	"$PY" -c 'import json, sys; d = json.load(open(sys.argv[1]))
sys.exit(not any(s["spi"] == 0x1001 and s["packets"] >= 3 for s in d["sas"]))' "$tmp/show.json" 2>/dev/null && break
	sleep 0.1
done
pycheck "json traffic" "$tmp/show.json" \
	'(sa("out", 0x1001)["packets"], sa("out", 0x1001)["bytes"], sa("out", 0x1001)["seq"]) == (3, 252, 4)'
ts show "${S[@]}"
has "show traffic" '^  traffic: +3 packets, 252 bytes sent$'
has "show next-seq" '^  next seq: +4$'

# sa add: a second inbound SA (a rekey in progress keeps both).
printf '%s\n' "$KCHACHA" >"$tmp/c-in.key"
chmod 600 "$tmp/c-in.key"
ts sa add "${S[@]}" --peer b --name c-in --dir in --spi 0x5001 --cipher chacha20-poly1305 \
	--key "@$tmp/c-in.key" --esn --seq 100 --replay-window 4096
if [ "$rc" -eq 0 ] && [ ! -s "$tmp/out" ] && [ ! -s "$tmp/err" ]; then
	pass "add in"
else
	fail "add in" "exit $rc: $(cat "$tmp/err")"
fi
show_json
pycheck "add in-shown" "$tmp/show.json" \
	'{k: sa("in", 0x5001).get(k) for k in ("name", "peer", "spi_hex", "cipher", "icv", "mode", "encap", "esn", "replay_window", "seq", "packets")} == {"name": "c-in", "peer": "b", "spi_hex": "0x00005001", "cipher": "chacha20-poly1305", "icv": 16, "mode": "transport", "encap": "udp", "esn": True, "replay_window": 4096, "seq": 100, "packets": 0}'
pycheck "add in-keeps-old" "$tmp/show.json" 'sa("in", 0x2001).get("name") == "b-in" and len(d["sas"]) == 3'
ts show "${S[@]}"
has "add in-text" '^sa: c-in$'
if grep -qi "${KCHACHA:0:16}" "$tmp/out" || grep -qi "${KCHACHA:0:16}" "$tmp/tunsecd.log"; then
	fail "add key-not-shown" "key material in show output or daemon log"
else
	pass "add key-not-shown"
fi

# sa add replacing (out, 0x1001): new cipher and ICV, counters from zero.
ts sa add "${S[@]}" --peer b --name b-out2 --dir out --spi 0x1001 --cipher aes-gcm-128 --key "$K128" --icv 8
if [ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ]; then pass "replace out"; else fail "replace out" "exit $rc: $(cat "$tmp/err")"; fi
show_json
pycheck "replace out-shown" "$tmp/show.json" \
	'{k: sa("out", 0x1001).get(k) for k in ("name", "cipher", "icv", "packets", "bytes", "seq")} == {"name": "b-out2", "cipher": "aes-gcm-128", "icv": 8, "packets": 0, "bytes": 0, "seq": 1}'
pycheck "replace out-one" "$tmp/show.json" 'len([s for s in d["sas"] if s["direction"] == "out"]) == 1'

# A peer has one outbound SA: one with a new SPI takes the old one's place.
ts sa add "${S[@]}" --peer b --dir out --spi 0x3001 --cipher aes-gcm-128 --key "$K128"
show_json
pycheck "replace out-new-spi" "$tmp/show.json" \
	'[s["spi"] for s in d["sas"] if s["direction"] == "out"] == [0x3001]'
ts sa add "${S[@]}" --peer b --name b-out2 --dir out --spi 0x1001 --cipher aes-gcm-128 --key "$K128" --icv 8

# Refusals come back as the daemon's reason, exit 1.
ts sa add "${S[@]}" --peer nobody --dir out --spi 0x7001 --cipher aes-gcm-128 --key "$K128"
if [ "$rc" -eq 1 ] && grep -q "^tunsec sa add: ." "$tmp/err" && [ "$(wc -l <"$tmp/err")" -eq 1 ]; then
	pass "add refused"
else
	fail "add refused" "exit $rc: $(cat "$tmp/err")"
fi

ts sa del "${S[@]}" --dir in 0x5001
if [ "$rc" -eq 0 ] && [ ! -s "$tmp/out" ] && [ ! -s "$tmp/err" ]; then pass "del"; else fail "del" "exit $rc: $(cat "$tmp/err")"; fi
show_json
pycheck "del gone" "$tmp/show.json" 'sa("in", 0x5001) == {} and sa("in", 0x2001) != {} and len(d["sas"]) == 2'
ts sa del "${S[@]}" --dir in 20481
if [ "$rc" -eq 1 ] && grep -q "^tunsec sa del: .*\(0x5001\|20481\)" "$tmp/err"; then
	pass "del missing"
else
	fail "del missing" "exit $rc: $(cat "$tmp/err")"
fi

# up and down: b has its SAs in [sa] sections, not IKE-managed.
for c in up down; do
	ts $c "${S[@]}" b
	if [ "$rc" -eq 1 ] && [ "$(cat "$tmp/err")" = "tunsec $c: no IKE-managed peer \"b\"" ] && [ ! -s "$tmp/out" ]; then
		pass "$c not-ike"
	else
		fail "$c not-ike" "exit $rc: $(cat "$tmp/err")"
	fi
done

# reload: a valid file is put in force.
conf 512 >"$CONF"
ts reload "${S[@]}"
if [ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ]; then pass "reload valid"; else fail "reload valid" "exit $rc: $(cat "$tmp/err")"; fi
show_json
pycheck "reload applied" "$tmp/show.json" \
	'sa("in", 0x2001).get("replay_window") == 512 and sa("out", 0x1001).get("name") == "b-out" and sa("out", 0x1001).get("cipher") == "aes-gcm-256" and len(d["sas"]) == 2'

# reload: an SA put in at run time stays, with its state.
ts sa add "${S[@]}" --peer b --name rt-in --dir in --spi 0x7001 --cipher aes-gcm-128 --key "$K128"
[ "$rc" -eq 0 ] || fail "reload runtime-sa-add" "exit $rc: $(cat "$tmp/err")"
ts reload "${S[@]}"
show_json
pycheck "reload keeps runtime SA" "$tmp/show.json" \
	'sa("in", 0x7001).get("name") == "rt-in" and len(d["sas"]) == 3'
ts sa del "${S[@]}" --dir in 0x7001
show_json
cp "$tmp/show.json" "$tmp/before.json"

# reload: a broken file is refused with FILE:LINE and changes nothing.
conf 512 | sed 's/^replay-window = 512$/replay-window = 7/' >"$CONF"
line=$(grep -n '^replay-window = 7$' "$CONF" | cut -d: -f1)
ts reload "${S[@]}"
if [ "$rc" -eq 1 ] && grep -qF "tunsec reload: $CONF:$line: " "$tmp/err"; then
	pass "reload broken"
else
	fail "reload broken" "exit $rc, expected '$CONF:$line:' in: $(cat "$tmp/err")"
fi
show_json
"$PY" - "$tmp/before.json" "$tmp/show.json" <<'PYEOF' && pass "reload broken-unchanged" || fail "reload broken-unchanged" "show differs after a refused reload"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for d in (a, b):
    d["daemon"].pop("uptime")
sys.exit(a != b)
PYEOF

# SIGTERM: exit 0, socket removed.
kill -TERM "$DPID"
wait "$DPID"
drc=$?
PIDS=()
if [ "$drc" -eq 0 ]; then pass "daemon sigterm-exit"; else fail "daemon sigterm-exit" "exit $drc"; fi
if [ ! -e "$SOCK" ]; then pass "daemon socket-removed"; else fail "daemon socket-removed" "$SOCK still there"; fi
ts show "${S[@]}"
if [ "$rc" -eq 1 ] && grep -qF "cannot reach tunsecd at $SOCK" "$tmp/err"; then
	pass "daemon stopped"
else
	fail "daemon stopped" "exit $rc: $(cat "$tmp/err")"
fi

[ "$failures" -eq 0 ]
