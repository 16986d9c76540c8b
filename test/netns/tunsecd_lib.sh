# shellcheck shell=bash disable=SC2034 # variables are for the sourcing tests
# tunsecd in the two-host lab: configuration pairs with fresh keys, start
# and stop of the daemon in a namespace, counters from `tunsec show --json`,
# captures and small traffic checks. Sourced by the tunsecd_*.sh tests after
# lib.sh; not executable on purpose (test/run.sh runs only executables).
#
#  ns $A                                              ns $B
#  tunsecd -c $LAB_TMP/a.conf                         tunsecd -c $LAB_TMP/b.conf
#   ts0 (TUN), nft inet tunsec_ts0,                    ts0, nft inet tunsec_ts0, ...
#   ip rule fwmark -> table 7473                      control $LAB_TMP/b.sock
#   control $LAB_TMP/a.sock
#  ua 10.201.0.1 fd00:201::1  ==== ESP in UDP 4500 ====  ub 10.201.0.2 fd00:201::2
#
# A's outbound SA is B's inbound SA (SPI TSD_SPI_AB, key TSD_KEY_AB) and the
# reverse (TSD_SPI_BA, TSD_KEY_BA). Keys are drawn from /dev/urandom for
# every configuration written, so no two daemon starts share a nonce space.
#
# Environment: TUNSEC_BUILD (directory with tunsecd and tunsec),
# TUNSEC_SRCDIR (the source tree).

TSD_SRCDIR=${TUNSEC_SRCDIR:-$(cd "$LAB_DIR/../.." && pwd)}
TSD_BUILD=${TUNSEC_BUILD:-$TSD_SRCDIR/build}
TSD_BIN=$TSD_BUILD/tunsecd
TSD_CLI=$TSD_BUILD/tunsec
TSD_TUN=ts0
TSD_TABLE=7473      # tunsecd.conf(5) defaults: routing table and fwmark
TSD_FWMARK=0x00007473
TSD_LIFETIME=${TSD_LIFETIME:-120} # bound on one daemon's run, seconds

# What the next tsd_write_pair writes (change before calling it).
TSD_CIPHER=aes-gcm-256
TSD_ICV=              # empty: the cipher's default
TSD_MODE=transport
TSD_FAMILY=4          # underlay family: 4 or 6
TSD_MTU=1500
TSD_SPI_AB=0x00001001 # A -> B
TSD_SPI_BA=0x00002001 # B -> A
TSD_SELECTORS=()      # as A sees them; B gets the mirror image
TSD_EXTRA_A=          # appended verbatim to A's [peer] section
TSD_EXTRA_B=
TSD_ARGS=             # extra tunsecd options (e.g. --no-offload)
TSD_KEY_AB=           # hex, set by tsd_write_pair
TSD_KEY_BA=

declare -A TSD_WRAP   # name -> pid of the timeout wrapper (lab_bg)
declare -A TSD_PID    # name -> pid of tunsecd itself

[ -x "$TSD_BIN" ] && [ -x "$TSD_CLI" ] ||
	lab_die "tunsecd/tunsec not built in $TSD_BUILD (set TUNSEC_BUILD)"

# ---------------------------------------------------------------- configs

# tsd_key_len CIPHER: bytes of key material (key + salt), tunsecd.conf(5).
tsd_key_len() {
	case $1 in
	aes-gcm-256 | chacha20-poly1305) echo 36 ;;
	aes-gcm-128) echo 20 ;;
	aes-ccm-128) echo 19 ;;
	null-hmac-sha256) echo 32 ;;
	null) echo 0 ;;
	*) return 1 ;;
	esac
}

# tsd_random_hex N: N random bytes as hex.
tsd_random_hex() {
	[ "$1" -gt 0 ] || return 0
	head -c "$1" /dev/urandom | od -An -v -tx1 | tr -d ' \n'
}

# tsd_mirror SELECTOR: the same traffic as the peer sees it (local and
# remote swapped, lport and rport swapped).
tsd_mirror() {
	local w out=()
	for w in $1; do
		case $w in
		local) w=remote ;;
		remote) w=local ;;
		lport) w=rport ;;
		rport) w=lport ;;
		esac
		out+=("$w")
	done
	echo "${out[*]}"
}

# _tsd_sa NAME PEER DIR SPI KEY: one [sa] section of the current settings.
_tsd_sa() {
	echo "[sa $1]"
	echo "peer = $2"
	echo "direction = $3"
	echo "spi = $4"
	echo "cipher = $TSD_CIPHER"
	[ -n "$TSD_ICV" ] && echo "icv = $TSD_ICV"
	[ -n "$5" ] && echo "key = $5"
	echo
}

# tsd_write_conf FILE NAME LOCAL PEERNAME PEERADDR OUTSPI OUTKEY INSPI INKEY
#                EXTRA SELECTOR...
tsd_write_conf() {
	local file=$1 name=$2 local=$3 pname=$4 paddr=$5 ospi=$6 okey=$7
	local ispi=$8 ikey=$9 extra=${10} s
	shift 10
	{
		echo "# $name: written by $LAB_TEST for one run"
		echo "[daemon]"
		echo "local-address = $local"
		echo "control-socket = $LAB_TMP/$name.sock"
		echo "tun = $TSD_TUN"
		echo "mtu = $TSD_MTU"
		echo "log-level = debug"
		echo
		echo "[peer $pname]"
		echo "address = $paddr"
		echo "mode = $TSD_MODE"
		for s in "$@"; do
			echo "protect = $s"
		done
		[ -n "$extra" ] && echo "$extra"
		echo
		_tsd_sa "$pname-out" "$pname" out "$ospi" "$okey"
		_tsd_sa "$pname-in" "$pname" in "$ispi" "$ikey"
	} >"$file"
	chmod 600 "$file"
}

# tsd_write_pair: $LAB_TMP/a.conf and b.conf from the TSD_* settings, with
# fresh keys (left in TSD_KEY_AB and TSD_KEY_BA).
tsd_write_pair() {
	local n la=$LAB_A4 lb=$LAB_B4 s mirrored=()
	n=$(tsd_key_len "$TSD_CIPHER") || lab_die "unknown cipher $TSD_CIPHER"
	TSD_KEY_AB=$(tsd_random_hex "$n")
	TSD_KEY_BA=$(tsd_random_hex "$n")
	[ "$TSD_FAMILY" = 6 ] && { la=$LAB_A6; lb=$LAB_B6; }
	for s in "${TSD_SELECTORS[@]}"; do
		mirrored+=("$(tsd_mirror "$s")")
	done
	tsd_write_conf "$LAB_TMP/a.conf" a "$la" b "$lb" "$TSD_SPI_AB" "$TSD_KEY_AB" \
		"$TSD_SPI_BA" "$TSD_KEY_BA" "$TSD_EXTRA_A" "${TSD_SELECTORS[@]}"
	tsd_write_conf "$LAB_TMP/b.conf" b "$lb" a "$la" "$TSD_SPI_BA" "$TSD_KEY_BA" \
		"$TSD_SPI_AB" "$TSD_KEY_AB" "$TSD_EXTRA_B" "${mirrored[@]}"
}

# ---------------------------------------------------------------- daemon

# tsd_ns NAME: the namespace of daemon a or b.
tsd_ns() {
	case $1 in a) echo "$A" ;; b) echo "$B" ;; *) return 1 ;; esac
}

# tsd_child WRAPPER: the pid of the process a lab_bg wrapper (timeout) runs.
tsd_child() {
	local c=
	# The file is one line without a newline: read reports EOF but fills c.
	read -r c _ <"/proc/$1/task/$1/children" 2>/dev/null
	[ -n "$c" ] && echo "$c"
}

_tsd_sock_ready() { [ -S "$1" ]; }

# tsd_start NAME [CONF]: tunsecd for host NAME (a|b) in its namespace with
# CONF (default $LAB_TMP/NAME.conf), logging to $LAB_TMP/NAME.log; waits up
# to 10 s for its control socket. Status 1 (with the log's tail on stderr)
# when it did not come up.
tsd_start() {
	local name=$1 conf=${2:-$LAB_TMP/$1.conf} ns sock=$LAB_TMP/$1.sock i from
	local log=$LAB_TMP/$1.log
	ns=$(tsd_ns "$name") || return 1
	echo "--- start $(date +%T.%N) $conf" >>"$log"
	from=$(wc -l <"$log") # only this start's lines count (a socket file and
	                      # a "running" line may be left by an earlier one)
	# shellcheck disable=SC2086 # TSD_ARGS holds whole options
	lab_bg -t "$TSD_LIFETIME" "$ns" "$TSD_BIN" -c "$conf" --log-level debug \
		$TSD_ARGS 2>>"$log"
	TSD_WRAP[$name]=$LAB_PID
	TSD_PID[$name]=
	for ((i = 0; i < 200; i++)); do
		[ -z "${TSD_PID[$name]}" ] && TSD_PID[$name]=$(tsd_child "$LAB_PID")
		if [ -n "${TSD_PID[$name]}" ] && _tsd_sock_ready "$sock" &&
			tail -n "+$from" "$log" | grep -q 'running:'; then
			return 0
		fi
		kill -0 "$LAB_PID" 2>/dev/null || break
		sleep 0.05
	done
	lab_log "tunsecd $name did not start; log:"
	tail -n "+$from" "$log" | tail -n 20 >&2
	return 1
}

# tsd_alive NAME: the daemon still runs.
tsd_alive() {
	[ -n "${TSD_PID[$1]:-}" ] && kill -0 "${TSD_PID[$1]}" 2>/dev/null
}

# tsd_signal NAME SIG: send SIG to tunsecd itself (not to its timeout
# wrapper, which would forward it but also arm its SIGKILL timer).
tsd_signal() {
	[ -n "${TSD_PID[$1]:-}" ] && kill "-$2" "${TSD_PID[$1]}" 2>/dev/null
}

# tsd_sanitizer_clean NAME: no sanitizer report in the daemon's log.
tsd_sanitizer_clean() {
	! grep -q -e 'ERROR: AddressSanitizer' -e 'ERROR: LeakSanitizer' \
		-e 'runtime error:' "$LAB_TMP/$1.log"
}

# tsd_stop NAME: SIGTERM, then up to 10 s for the exit. Status 0 when it
# exited with status 0 and left no sanitizer report; TSD_RC holds the status.
tsd_stop() {
	local name=$1
	TSD_RC=
	tsd_signal "$name" TERM || { TSD_RC=gone; return 1; }
	if ! lab_wait_pid "${TSD_WRAP[$name]}" 10; then
		TSD_RC=hung
		return 1
	fi
	TSD_RC=$LAB_RC
	TSD_PID[$name]=
	[ "$TSD_RC" = 0 ] && tsd_sanitizer_clean "$name"
}

# tsd_kill NAME: SIGKILL (a crash); waits for the wrapper to see it.
tsd_kill() {
	tsd_signal "$1" KILL || return 1
	lab_wait_pid "${TSD_WRAP[$1]}" 10
	TSD_PID[$1]=
}

# tsd_start_pair: write a fresh pair of configurations and start both
# daemons (lab_die when one does not come up).
tsd_start_pair() {
	tsd_write_pair
	tsd_start a || lab_die "tunsecd a did not start"
	tsd_start b || lab_die "tunsecd b did not start"
}

# tsd_stop_pair CHECK: stop both; one PASS/FAIL line named CHECK.
tsd_stop_pair() {
	local n why=
	for n in a b; do
		tsd_stop "$n" || why="$why $n: exit ${TSD_RC:-?}"
		tsd_sanitizer_clean "$n" || why="$why $n: sanitizer report in its log"
	done
	if [ -z "$why" ]; then
		pass "$1"
	else
		fail "$1" "${why# }"
		for n in a b; do
			lab_log "tail of tunsecd $n log:"
			tail -n 15 "$LAB_TMP/$n.log" >&2
		done
	fi
}

# ---------------------------------------------------------------- counters

# tsd_show NAME: `tunsec show --json` of daemon NAME on stdout.
tsd_show() {
	timeout 5 "$TSD_CLI" show --json --socket "$LAB_TMP/$1.sock"
}

# tsd_query NAME EXPR: EXPR, a python expression over the SHOW reply of
# daemon NAME, printed. Helpers in EXPR:
#   sa(DIR, SPI=None)      the SA dict (DIR "in"/"out"; the only one if no SPI)
#   sadrop(DIR, REASON)    that SA's drop counter (0 when absent)
#   drop(REASON)           a global drop counter (0 when absent; the reply
#                          may list a reason twice, from the data plane and
#                          from ESP parsing: the counts are added)
#   drops                  the global drop dict
# Prints nothing and returns 1 when the daemon does not answer.
tsd_query() {
	local json
	json=$(tsd_show "$1") || return 1
	"$LAB_PY" -c "$_TSD_QUERY_PY" "$2" <<<"$json"
}

_TSD_QUERY_PY='
import json, sys
def pairs(kv):
    d = {}
    for k, v in kv:
        if k in d and isinstance(v, int) and isinstance(d[k], int):
            d[k] += v
        else:
            d[k] = v
    return d
j = json.load(sys.stdin, object_pairs_hook=pairs)
drops = j.get("drops", {})
def sa(direction, spi=None):
    m = [s for s in j["sas"] if s["direction"] == direction
         and (spi is None or s["spi"] == spi)]
    if len(m) != 1:
        raise SystemExit("no single %s SA %s in %s" % (direction, spi, j["sas"]))
    return m[0]
def sadrop(direction, reason, spi=None):
    return sa(direction, spi).get("drops", {}).get(reason, 0)
def drop(reason):
    return drops.get(reason, 0)
print(eval(sys.argv[1]))
'

# ---------------------------------------------------------------- host state

# tsd_host_state NS: what a tunsecd leaves on a host, one item a line: its
# nft tables, the fwmark rules, routes in its table and through the TUN
# device, the TUN device itself. Empty when nothing is left.
tsd_host_state() {
	local ns=$1 f
	ip netns exec "$ns" nft list tables 2>/dev/null | grep tunsec_ | sed 's/^/nft: /'
	for f in -4 -6; do
		ip -n "$ns" "$f" rule show 2>/dev/null | grep -i "fwmark\|lookup $TSD_TABLE" |
			sed "s/^/rule$f: /"
		ip -n "$ns" "$f" route show table "$TSD_TABLE" 2>/dev/null | sed "s/^/table$f: /"
		ip -n "$ns" "$f" route show dev "$TSD_TUN" 2>/dev/null | sed "s/^/route$f: /"
	done
	ip -n "$ns" link show "$TSD_TUN" >/dev/null 2>&1 && echo "link: $TSD_TUN"
	return 0
}

# ---------------------------------------------------------------- traffic

# tsd_ping NS DST [COUNT [SRC]]: every echo answered (3 by default).
tsd_ping() {
	local ns=$1 dst=$2 n=${3:-3} src=${4:-}
	local args=(-c "$n" -i 0.2 -W 2 -q)
	[ -n "$src" ] && args+=(-I "$src")
	timeout 10 ip netns exec "$ns" ping "${args[@]}" "$dst" 2>&1 |
		grep -q " $n received"
}

# tsd_udp_echo NS_SRV NS_CLI ADDR PORT N [SRC]: N datagrams of random sizes
# (1..1200 bytes) from NS_CLI to an echo server on ADDR:PORT in NS_SRV, one
# at a time; status 0 when every one came back unchanged and the server
# received exactly N, each once.
tsd_udp_echo() {
	local srv=$1 cli=$2 addr=$3 port=$4 n=$5 src=${6:-} spid base=$LAB_TMP/udp.$4
	timeout -k 2 20 ip netns exec "$srv" "$LAB_PY" -c "$_TSD_UDP_SRV" \
		"$addr" "$port" "$n" >"$base.srv" 2>&1 &
	spid=$!
	LAB_PIDS+=("$spid")
	lab_wait_port "$srv" "$port" 5 udp || { lab_log "udp echo server did not bind"; return 1; }
	if ! timeout -k 2 20 ip netns exec "$cli" "$LAB_PY" -c "$_TSD_UDP_CLI" \
		"$addr" "$port" "$n" "$src" >"$base.cli" 2>&1; then
		lab_log "udp client: $(tail -n 2 "$base.cli")"
		kill "$spid" 2>/dev/null
		return 1
	fi
	lab_wait_pid "$spid" 5 || kill "$spid" 2>/dev/null
	[ "${LAB_RC:-1}" = 0 ] || { lab_log "udp server: $(tail -n 2 "$base.srv")"; return 1; }
}

# Server: ADDR PORT N. Echo every datagram; exit 0 after N distinct ones
# (a duplicate is an error), 1 after 15 s without them.
_TSD_UDP_SRV='
import socket, sys
addr, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_DGRAM)
s.bind((addr, port))
s.settimeout(15)
seen = set()
while len(seen) < n:
    try:
        b, peer = s.recvfrom(65536)
    except socket.timeout:
        sys.exit("server: %d of %d datagrams" % (len(seen), n))
    if b in seen:
        sys.exit("server: a datagram arrived twice")
    seen.add(b)
    s.sendto(b, peer)
print("server: %d datagrams" % len(seen))
'
# Client: ADDR PORT N [SRC]. Each datagram starts with its index, so all
# differ; waits up to 3 s for each echo.
_TSD_UDP_CLI='
import os, random, socket, struct, sys
addr, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
src = sys.argv[4] if len(sys.argv) > 4 else ""
s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_DGRAM)
if src:
    s.bind((src, 0))
s.settimeout(3)
for i in range(n):
    b = struct.pack("!I", i) + os.urandom(random.randint(1, 1196))
    s.sendto(b, (addr, port))
    try:
        r, _ = s.recvfrom(65536)
    except socket.timeout:
        sys.exit("client: no echo for datagram %d of %d" % (i, n))
    if r != b:
        sys.exit("client: echo %d differs" % i)
print("client: %d echoes" % n)
'

# tsd_capture NS IFACE FILE SECONDS [FILTER...]: tcpdump writing FILE in the
# background (pid of its wrapper in TSD_CAP_PID), bounded by SECONDS and
# 20000 packets; returns once it listens. Immediate mode: each packet is
# handed to tcpdump as it arrives, not in blocks up to a second later.
tsd_capture() {
	local ns=$1 dev=$2 file=$3 secs=$4
	shift 4
	lab_bg -t "$secs" "$ns" tcpdump -i "$dev" -nn -U --immediate-mode -Z root -c 20000 -w "$file" "$@" \
		2>"$file.err"
	TSD_CAP_PID=$LAB_PID
	lab_wait_file "$file.err" 5 "listening on"
}

# tsd_capture_stop: end the capture started last (after 0.3 s for what is
# still in flight), wait for the file.
tsd_capture_stop() {
	local c
	sleep 0.3
	c=$(tsd_child "$TSD_CAP_PID") && kill -INT "$c" 2>/dev/null
	lab_wait_pid "$TSD_CAP_PID" 5 || kill "$TSD_CAP_PID" 2>/dev/null
}

# tsd_tshark_count FILE FILTER [TSHARK ARGS...]: packets of FILE matching a
# display filter; -1 (which no check accepts) when tshark fails, so a bad
# filter or option cannot pass for "no packets".
tsd_tshark_count() {
	local file=$1 filter=$2 out
	shift 2
	if ! out=$(timeout 30 tshark -n -r "$file" "$@" -Y "$filter" -T fields -e frame.number 2>"$file.tshark.err"); then
		lab_log "tshark -Y '$filter' $*: $(grep -v 'Running as' "$file.tshark.err" | head -n 2)"
		echo -1
		return 1
	fi
	[ -z "$out" ] && echo 0 || wc -l <<<"$out"
}
