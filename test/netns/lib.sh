# shellcheck shell=bash disable=SC2034 # variables are for the sourcing tests
# The two-host lab: network namespaces joined by a veth pair, sourced by the
# tests in test/netns/. Not executable on purpose (test/run.sh runs every
# executable test/netns/*.sh); `bash test/netns/lib.sh clean` removes lab
# namespaces whose creating process is gone.
#
# Standard topology (lab_up; the tenants only after lab_vxlan_up):
#
#  ┌─────────────────────────┐                       ┌─────────────────────────┐
#  │ $TA  tenant of A        │                       │ $TB  tenant of B        │
#  │ eth0 192.168.42.1/24    │                       │ eth0 192.168.42.2/24    │
#  │      fd00:42::1/64      │                       │      fd00:42::2/64      │
#  └──────────┬──────────────┘                       └──────────────┬──────────┘
#             │ veth                                           veth │
#  ┌──────────┴──────────────┐                       ┌──────────────┴──────────┐
#  │ $A  host A    ta        │                       │        tb    host B  $B │
#  │       br42 ───┴── vxlan42 (VNI 42, udp/4789) ··· vxlan42 ──┴─── br42     │
#  │                         │                       │                         │
#  │ ua 10.201.0.1/24        │        veth           │        10.201.0.2/24 ub │
#  │    fd00:201::1/64  ─────┼───────────────────────┼─────  fd00:201::2/64    │
#  │     ▲                   │     (the underlay)    │                         │
#  │     └─ attacker: AF_PACKET frames written onto ua (rst_attack.py inject)  │
#  └─────────────────────────┘                       └─────────────────────────┘
#
# The attacker position: a process in $A that writes complete Ethernet frames
# onto ua through a packet socket (scapy sendp), with A's MAC and IP address
# as source. The frame leaves A below its IP stack: A's routing, fwmark rules
# and nftables never see it, so it reaches ub exactly as a packet forged on
# the wire would, "from A". Sniffing for what the attacker needs to know may
# happen elsewhere (see rst_attack.py --sniff-iface).
#
# Rules every lab test keeps:
#  - names are per run: ts-<test>-<pid>-{a,b,r,ta,tb}, so two tests (or two
#    copies of one) run at the same time without colliding. Interfaces are
#    created inside the namespaces (veth peers are made in place with
#    `peer ... netns`), never in the root namespace;
#  - traffic flows only between lab namespaces;
#  - every process is bounded by `timeout`; every wait has a deadline;
#    transfers have a size cap (LAB_MAX_BYTES);
#  - lab_cleanup runs on EXIT, INT and TERM: it kills every process in the
#    lab namespaces and deletes them. LAB_KEEP=1 keeps them for debugging
#    (ignored when CI=true).
#
# Results: a test prints only "PASS name" / "FAIL name: why" on stdout (what
# test/run.sh counts); diagnostics go to stderr (lab_log).

LAB_TEST=$(basename "$0" .sh | tr -c 'A-Za-z0-9_\n-' '_')
LAB_PREFIX="ts-$LAB_TEST-$$"
A="$LAB_PREFIX-a"
B="$LAB_PREFIX-b"
R="$LAB_PREFIX-r"
TA="$LAB_PREFIX-ta"
TB="$LAB_PREFIX-tb"
LAB_A4=10.201.0.1
LAB_B4=10.201.0.2
LAB_A6=fd00:201::1
LAB_B6=fd00:201::2
LAB_TA4=192.168.42.1
LAB_TB4=192.168.42.2
LAB_TA6=fd00:42::1
LAB_TB6=fd00:42::2
LAB_PY=${LAB_PY:-/usr/bin/python3} # Debian's python, where scapy is installed
LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_MAX_BYTES=$((256 * 1024 * 1024))
LAB_BG_TIMEOUT=${LAB_BG_TIMEOUT:-60}

LAB_NAMESPACES=()  # created by this run, deleted by lab_cleanup
LAB_PIDS=()        # background `timeout` wrappers started by lab_bg
LAB_PID=           # the last one, for the caller
LAB_RC=            # exit status of the process lab_wait_pid waited for
LAB_TMP=           # per-run scratch directory
LAB_FAILURES=0
LAB_OWNER=$$       # only this shell (not subshells) cleans up
LAB_CLEANED=0

lab_log() { echo "[$LAB_TEST] $*" >&2; }

pass() { echo "PASS $1"; }

fail() {
	echo "FAIL $1: $2"
	LAB_FAILURES=$((LAB_FAILURES + 1))
}

# lab_die WHY: a setup step failed; report it as a failed case and exit.
lab_die() {
	fail "$LAB_TEST-setup" "$1"
	exit 1
}

# lab_finish: exit, non-zero when any case failed (cleanup runs on EXIT).
lab_finish() {
	[ "$LAB_FAILURES" -eq 0 ] && exit 0
	exit 1
}

lab_exec() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# ---------------------------------------------------------------- lifetime

# _lab_ns_pids: every process in the lab namespaces, into the array PIDS.
_lab_ns_pids() {
	local ns
	PIDS=()
	for ns in "${LAB_NAMESPACES[@]}"; do
		mapfile -t -O "${#PIDS[@]}" PIDS < <(ip netns pids "$ns" 2>/dev/null)
	done
}

# _lab_kill_all: TERM every process of the lab, give them up to 2 s to
# finish (a daemon removes what it installed), then KILL what is left.
_lab_kill_all() {
	local pid i PIDS
	for pid in "${LAB_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	_lab_ns_pids
	[ "${#PIDS[@]}" -gt 0 ] && kill -TERM "${PIDS[@]}" 2>/dev/null
	for ((i = 0; i < 40; i++)); do
		_lab_ns_pids
		[ "${#PIDS[@]}" -eq 0 ] && break
		sleep 0.05
	done
	[ "${#PIDS[@]}" -gt 0 ] && kill -KILL "${PIDS[@]}" 2>/dev/null
	for pid in "${LAB_PIDS[@]}"; do
		wait "$pid" 2>/dev/null
	done
}

# lab_cleanup: idempotent; only the shell that sourced this file acts.
lab_cleanup() {
	local ns
	[ "${BASHPID:-$$}" = "$LAB_OWNER" ] || return 0
	[ "$LAB_CLEANED" = 1 ] && return 0
	LAB_CLEANED=1
	trap '' INT TERM # a second ^C must not cut the cleanup short
	if [ "${LAB_KEEP:-0}" = 1 ] && [ "${CI:-}" != true ]; then
		lab_log "LAB_KEEP=1: kept ${LAB_NAMESPACES[*]} and ${LAB_TMP:-no scratch dir}"
		lab_log "remove them with: bash $LAB_DIR/lib.sh clean $LAB_PREFIX"
		return 0
	fi
	_lab_kill_all
	for ns in "${LAB_NAMESPACES[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	LAB_NAMESPACES=()
	[ -n "$LAB_TMP" ] && rm -rf "$LAB_TMP"
	return 0
}

_lab_on_exit() {
	local rc=$?
	lab_cleanup
	exit "$rc"
}

_lab_on_signal() {
	fail "$LAB_TEST" "interrupted by SIG$1"
	exit "$2"
}

trap _lab_on_exit EXIT
trap '_lab_on_signal INT 130' INT
trap '_lab_on_signal TERM 143' TERM

# _lab_ns_add NS: create a namespace with lo up and IPv6 usable at once
# (no duplicate address detection on any interface created later).
_lab_ns_add() {
	local ns=$1
	LAB_NAMESPACES+=("$ns") # first: a signal may land right after the add
	# A namespace of this name can only be left over from a dead run whose
	# pid this shell now has.
	ip netns del "$ns" 2>/dev/null
	ip netns add "$ns" || lab_die "ip netns add $ns"
	ip -n "$ns" link set lo up
	# shellcheck disable=SC2016 # $k is the inner shell's
	ip netns exec "$ns" sh -c '
		for k in all default; do
			echo 0 >/proc/sys/net/ipv6/conf/$k/disable_ipv6
			echo 0 >/proc/sys/net/ipv6/conf/$k/accept_dad
			echo 0 >/proc/sys/net/ipv6/conf/$k/dad_transmits
		done' || lab_die "sysctl in $ns"
}

# _lab_offload NS DEV MODE: MODE is default (leave the veth defaults), on or
# off (checksum offload, TSO, GSO, GRO together).
_lab_offload() {
	local ns=$1 dev=$2 mode=$3
	[ "$mode" = default ] && return 0
	case $mode in on | off) ;; *) lab_die "offload mode '$mode' (default|on|off)" ;; esac
	command -v ethtool >/dev/null || lab_die "ethtool is needed for --offload $mode"
	ip netns exec "$ns" ethtool -K "$dev" rx "$mode" tx "$mode" tso "$mode" \
		gso "$mode" gro "$mode" >/dev/null 2>&1 || lab_die "ethtool -K $dev ... $mode"
}

# lab_up [--offload default|on|off] [--mtu N]: namespaces $A and $B, the
# underlay veth ua <-> ub with the addresses of the drawing, and the scratch
# directory $LAB_TMP. Exits through lab_die on any failure.
lab_up() {
	local offload=${LAB_OFFLOAD:-default} mtu=1500
	while [ $# -gt 0 ]; do
		case $1 in
		--offload) offload=$2; shift 2 ;;
		--mtu) mtu=$2; shift 2 ;;
		*) lab_die "lab_up: unknown option $1" ;;
		esac
	done
	[ "$(id -u)" = 0 ] || lab_die "the lab needs root (network namespaces)"
	LAB_TMP=$(mktemp -d "/tmp/tunsec-lab.$LAB_PREFIX.XXXXXX") || lab_die "mktemp"
	_lab_ns_add "$A"
	_lab_ns_add "$B"
	# Distinct ifindexes for the two ends: the kernel applies a link state
	# change at once only on a device whose ifindex differs from its peer's
	# (linkwatch_urgent_event), otherwise up to a second later.
	ip -n "$A" link add name ua index 101 mtu "$mtu" type veth \
		peer name ub index 102 mtu "$mtu" netns "$B" || lab_die "veth ua/ub"
	ip -n "$A" addr add "$LAB_A4/24" dev ua
	ip -n "$A" addr add "$LAB_A6/64" dev ua nodad
	ip -n "$B" addr add "$LAB_B4/24" dev ub
	ip -n "$B" addr add "$LAB_B6/64" dev ub nodad
	_lab_offload "$A" ua "$offload"
	_lab_offload "$B" ub "$offload"
	ip -n "$A" link set ua up || lab_die "ua up"
	ip -n "$B" link set ub up || lab_die "ub up"
	if ! lab_wait_up "$A" ua 5 || ! lab_wait_up "$B" ub 5; then
		lab_die "underlay did not come up"
	fi
}

# lab_nat_up: A behind a NAT. Namespaces $A, $R (a router that
# masquerades what leaves towards B, mapping source ports at random from
# 20000-29999) and $B, and the scratch directory $LAB_TMP:
#
#   $A ua 10.202.0.1/24 -- veth -- ra 10.202.0.254/24  $R
#                                   rb $LAB_A4/24      -- veth -- ub $LAB_B4/24 $B
#
# B reaches A only through the NAT's address, $LAB_A4; A's route to B's
# network goes through R. LAB_A4_PRIV is A's own address.
LAB_A4_PRIV=10.202.0.1
lab_nat_up() {
	[ "$(id -u)" = 0 ] || lab_die "the lab needs root (network namespaces)"
	LAB_TMP=$(mktemp -d "/tmp/tunsec-lab.$LAB_PREFIX.XXXXXX") || lab_die "mktemp"
	_lab_ns_add "$A"
	_lab_ns_add "$R"
	_lab_ns_add "$B"
	ip -n "$A" link add name ua index 101 type veth peer name ra index 102 \
		netns "$R" || lab_die "veth ua/ra"
	ip -n "$R" link add name rb index 103 type veth peer name ub index 104 \
		netns "$B" || lab_die "veth rb/ub"
	ip -n "$A" addr add "$LAB_A4_PRIV/24" dev ua
	ip -n "$R" addr add 10.202.0.254/24 dev ra
	ip -n "$R" addr add "$LAB_A4/24" dev rb
	ip -n "$B" addr add "$LAB_B4/24" dev ub
	ip -n "$A" link set ua up && ip -n "$R" link set ra up &&
		ip -n "$R" link set rb up && ip -n "$B" link set ub up ||
		lab_die "links up"
	ip -n "$A" route add 10.201.0.0/24 via 10.202.0.254 || lab_die "route via R"
	ip netns exec "$R" sysctl -q -w net.ipv4.ip_forward=1 || lab_die "forwarding"
	ip netns exec "$R" nft -f - <<EOF || lab_die "nft masquerade"
table ip lab_nat {
	chain post {
		type nat hook postrouting priority srcnat;
		oifname "rb" meta l4proto { tcp, udp } masquerade to :20000-29999 random
		oifname "rb" masquerade
	}
}
EOF
	if ! lab_wait_up "$A" ua 5 || ! lab_wait_up "$R" rb 5 ||
		! lab_wait_up "$B" ub 5; then
		lab_die "links did not come up"
	fi
}

# ---------------------------------------------------------------- waiting

# _lab_us [SECONDS]: microseconds, now (no argument) or in SECONDS (which
# may have a fraction, "1.5").
_lab_us() {
	local t=${1:-${EPOCHREALTIME/[.,]/.}} f=000000
	[[ $t == *.* ]] && f=${t#*.}000000
	echo $((10#${t%%.*} * 1000000 + 10#${f:0:6}))
}

# _lab_poll TIMEOUT CMD...: run CMD every 50 ms until it succeeds (status 0)
# or TIMEOUT seconds have passed (status 1).
_lab_poll() {
	local deadline
	deadline=$(($(_lab_us) + $(_lab_us "$1")))
	shift
	while ! "$@"; do
		[ "$(_lab_us)" -ge "$deadline" ] && return 1
		sleep 0.05
	done
	return 0
}

_lab_is_up() {
	[ "$(ip netns exec "$1" cat "/sys/class/net/$2/operstate" 2>/dev/null)" = up ]
}

lab_wait_up() { _lab_poll "$3" _lab_is_up "$1" "$2"; }

_lab_listening() {
	local flag=-Htln
	[ "$3" = udp ] && flag=-Huln
	[ -n "$(ss -N "$1" "$flag" "sport = :$2" 2>/dev/null)" ]
}

# lab_wait_port NS PORT TIMEOUT [tcp|udp]: until a socket listens (TCP) or
# is bound (UDP) on PORT in NS.
lab_wait_port() { _lab_poll "$3" _lab_listening "$1" "$2" "${4:-tcp}"; }

_lab_file_ready() {
	[ -s "$1" ] || return 1
	[ -z "$2" ] || grep -q -- "$2" "$1"
}

# lab_wait_file FILE TIMEOUT [PATTERN]: until FILE is non-empty (and holds a
# line matching PATTERN, when given).
lab_wait_file() { _lab_poll "$2" _lab_file_ready "$1" "${3:-}"; }

# lab_wait_pid PID TIMEOUT: until a child started by lab_bg has exited; its
# exit status is then in LAB_RC (124 when its timeout bound killed it).
lab_wait_pid() {
	LAB_RC=
	_lab_poll "$2" _lab_gone "$1" || return 1
	wait "$1" 2>/dev/null
	LAB_RC=$?
	return 0
}

_lab_gone() { ! kill -0 "$1" 2>/dev/null; }

# lab_bg [-t SECONDS] NS CMD...: start CMD in NS in the background, bounded
# by timeout (default LAB_BG_TIMEOUT), remembered for lab_cleanup. The pid
# (of the timeout wrapper) is left in LAB_PID. Do not call it inside $(...):
# the caller must be the shell that cleans up.
lab_bg() {
	local secs=$LAB_BG_TIMEOUT ns
	if [ "$1" = -t ]; then
		secs=$2
		shift 2
	fi
	ns=$1
	shift
	timeout -k 2 "$secs" ip netns exec "$ns" "$@" &
	LAB_PID=$!
	LAB_PIDS+=("$LAB_PID")
}

# ---------------------------------------------------------------- overlay

# _lab_vxlan_side NS TNS UNDERLAY LOCAL REMOTE TENANT4 TENANT6 MTU IFINDEX
_lab_vxlan_side() {
	local ns=$1 tns=$2 dev=$3 loc=$4 rem=$5 t4=$6 t6=$7 mtu=$8 idx=$9 tv
	tv=t${dev#u}
	ip -n "$ns" link add name vxlan42 type vxlan id 42 dstport 4789 \
		local "$loc" remote "$rem" dev "$dev" || return 1
	ip -n "$ns" link add name br42 type bridge || return 1
	ip -n "$ns" link add name "$tv" index "$idx" type veth \
		peer name eth0 index $((idx + 1)) netns "$tns" || return 1
	ip -n "$ns" link set vxlan42 mtu "$mtu" addrgenmode none master br42 || return 1
	ip -n "$ns" link set "$tv" mtu "$mtu" addrgenmode none master br42 || return 1
	ip -n "$ns" link set br42 mtu "$mtu" addrgenmode none || return 1
	ip -n "$tns" link set eth0 mtu "$mtu" || return 1
	ip -n "$tns" addr add "$t4/24" dev eth0 || return 1
	ip -n "$tns" addr add "$t6/64" dev eth0 nodad || return 1
	ip -n "$ns" link set vxlan42 up && ip -n "$ns" link set "$tv" up &&
		ip -n "$ns" link set br42 up && ip -n "$tns" link set eth0 up
}

# lab_vxlan_up [TENANT_MTU] [4|6]: a kernel VXLAN (VNI 42, udp/4789) between
# A and B over the IPv4 (default) or IPv6 underlay addresses; in each host a
# bridge br42 joins it to a veth into the tenant namespace ($TA, $TB).
# TENANT_MTU (default 1380) must leave room below the underlay MTU for VXLAN
# (50 bytes over IPv4, 70 over IPv6) and for whatever carries the underlay
# (ESP in UDP: up to 45 bytes in transport mode).
lab_vxlan_up() {
	local mtu=${1:-1380} fam=${2:-4}
	local la=$LAB_A4 lb=$LAB_B4
	[ "$fam" = 6 ] && { la=$LAB_A6; lb=$LAB_B6; }
	_lab_ns_add "$TA"
	_lab_ns_add "$TB"
	_lab_vxlan_side "$A" "$TA" ua "$la" "$lb" "$LAB_TA4" "$LAB_TA6" "$mtu" 201 ||
		lab_die "vxlan on A"
	_lab_vxlan_side "$B" "$TB" ub "$lb" "$la" "$LAB_TB4" "$LAB_TB6" "$mtu" 203 ||
		lab_die "vxlan on B"
	if ! lab_wait_up "$TA" eth0 5 || ! lab_wait_up "$TB" eth0 5; then
		lab_die "tenant links did not come up"
	fi
}

# ---------------------------------------------------------------- loads

# lab_iperf NS_SERVER ADDR NS_CLIENT SECONDS [iperf3 client args...]: one
# iperf3 run (server bound to ADDR in NS_SERVER, -s -1). Prints the
# throughput in Gbit/s (as the receiver measured it for TCP, the sender's
# sum for UDP) on stdout; status 1 and a message on stderr when it failed.
lab_iperf() {
	local srv=$1 addr=$2 cli=$3 secs=$4 port=${LAB_IPERF_PORT:-5201} out spid
	shift 4
	out=$(mktemp "$LAB_TMP/iperf.XXXXXX")
	timeout -k 2 $((secs + 15)) ip netns exec "$srv" \
		iperf3 -s -1 -B "$addr" -p "$port" >"$out.server" 2>&1 &
	spid=$!
	LAB_PIDS+=("$spid")
	if ! lab_wait_port "$srv" "$port" 5; then
		lab_log "iperf3 server did not start: $(cat "$out.server")"
		return 1
	fi
	timeout -k 2 $((secs + 10)) ip netns exec "$cli" \
		iperf3 -c "$addr" -p "$port" -t "$secs" --json "$@" >"$out" 2>"$out.err"
	lab_wait_pid "$spid" 5 || kill "$spid" 2>/dev/null
	"$LAB_PY" - "$out" <<'PY'
import json, sys
try:
    with open(sys.argv[1]) as f:
        j = json.load(f)
except (OSError, ValueError) as e:
    sys.exit("iperf3 gave no JSON: %s" % e)
if "error" in j:
    sys.exit("iperf3: %s" % j["error"])
end = j.get("end", {})
s = end.get("sum_received") or end.get("sum")
if not s or "bits_per_second" not in s:
    sys.exit("iperf3 JSON without a result")
print("%.3f" % (s["bits_per_second"] / 1e9))
PY
}

# lab_transfer_sha NS_SRC NS_DST ADDR PORT BYTES: BYTES random bytes sent
# over one TCP connection from NS_SRC to ADDR:PORT (a listener in NS_DST
# writing what it receives to a file). Status 0 when the sha256 of the file
# received equals that of the file sent; the digests go to stderr.
lab_transfer_sha() {
	local src=$1 dst=$2 addr=$3 port=$4 bytes=$5 secs=${LAB_TRANSFER_TIMEOUT:-60}
	local f spid h1 h2
	if [ "$bytes" -le 0 ] || [ "$bytes" -gt "$LAB_MAX_BYTES" ]; then
		lab_log "transfer size $bytes outside 1..$LAB_MAX_BYTES"
		return 1
	fi
	f=$(mktemp "$LAB_TMP/xfer.XXXXXX")
	head -c "$bytes" /dev/urandom >"$f.sent"
	timeout -k 2 "$secs" ip netns exec "$dst" \
		"$LAB_PY" -c "$_LAB_RECV_PY" "$addr" "$port" "$f.recv" "$secs" 2>"$f.err" &
	spid=$!
	LAB_PIDS+=("$spid")
	lab_wait_port "$dst" "$port" 5 || { lab_log "receiver did not listen"; return 1; }
	timeout -k 2 "$secs" ip netns exec "$src" \
		"$LAB_PY" -c "$_LAB_SEND_PY" "$addr" "$port" "$f.sent" "$secs" 2>>"$f.err" ||
		lab_log "sender failed: $(cat "$f.err")"
	lab_wait_pid "$spid" "$secs" || kill "$spid" 2>/dev/null
	h1=$(sha256sum <"$f.sent" | cut -d' ' -f1)
	h2=$(sha256sum <"$f.recv" 2>/dev/null | cut -d' ' -f1)
	lab_log "sha256 sent $h1, received $h2 ($(stat -c %s "$f.recv" 2>/dev/null || echo 0) of $bytes bytes)"
	rm -f "$f.sent" "$f.recv"
	[ -n "$h1" ] && [ "$h1" = "$h2" ]
}

# Receiver: ADDR PORT OUTFILE SECONDS. One connection, everything to OUTFILE.
_LAB_RECV_PY='
import socket, sys
addr, port, out, secs = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((addr, port))
s.listen(1)
s.settimeout(secs)
c, _ = s.accept()
c.settimeout(secs)
with open(out, "wb") as f:
    while True:
        b = c.recv(1 << 16)
        if not b:
            break
        f.write(b)
c.close()
'
# Sender: ADDR PORT INFILE SECONDS. Sends INFILE, half-closes, waits for the
# receiver to close (so it has read everything).
_LAB_SEND_PY='
import socket, sys
addr, port, inp, secs = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
c = socket.create_connection((addr, port), timeout=secs)
with open(inp, "rb") as f:
    c.sendfile(f)
c.shutdown(socket.SHUT_WR)
while c.recv(4096):
    pass
c.close()
'

# ---------------------------------------------------------------- by hand

# _lab_stale NAME: NAME (a namespace or scratch directory) belongs to a lab
# run whose shell no longer runs.
_lab_stale() {
	local pid
	pid=$(echo "$1" | sed -n 's/^.*ts-.*-\([0-9][0-9]*\)[-.].*$/\1/p')
	[ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null
}

# bash lib.sh clean [PREFIX]: without PREFIX, delete every lab namespace
# (ts-*) and scratch directory whose creating shell no longer runs; with
# PREFIX (as printed under LAB_KEEP=1), those of PREFIX whatever runs.
# Processes inside the namespaces are killed.
_lab_clean() {
	local prefix=${1:-ts} ns d pids
	for ns in $(ip netns list | awk '{print $1}'); do
		case $ns in "$prefix"-*) ;; *) continue ;; esac
		[ -n "${1:-}" ] || _lab_stale "$ns" || continue
		mapfile -t pids < <(ip netns pids "$ns")
		[ "${#pids[@]}" -gt 0 ] && kill -KILL "${pids[@]}" 2>/dev/null
		ip netns del "$ns" && echo "deleted $ns"
	done
	for d in /tmp/tunsec-lab."$prefix"[-.]*; do
		[ -d "$d" ] || continue
		[ -n "${1:-}" ] || _lab_stale "$d" || continue
		rm -rf "$d" && echo "deleted $d"
	done
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	trap - EXIT INT TERM
	case ${1:-} in
	clean) _lab_clean "${2:-}" ;;
	*) echo "usage: bash $0 clean [PREFIX]  (the lab is sourced by tests)" >&2; exit 2 ;;
	esac
fi
