#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Lab test of src/io: the TUN device, the marked UDP socket, and the host
# configuration (nftables table, fwmark rule, routes) that steers protected
# traffic into the TUN device and keeps it from crossing in the clear.
#
#   +---------------------------------+            +-------------------------+
#   | ns $A (tsio-PID-a)              |            | ns $B (tsio-PID-b)      |
#   |  io_driver run: tsio0 (TUN)     |            |  python3 listeners:     |
#   |   nft table inet tunsec_tsio0   |            |   tcp 7000, 7001        |
#   |   ip rule fwmark 0x100 lookup   |            |   udp echo 4500         |
#   |     100: default dev tsio0      |            |                         |
#   |  io_driver udp: SO_MARK 0x101   |            |                         |
#   |  va 10.77.0.1/24 fd77::1/64     +============+ vb 10.77.0.2/24         |
#   |  rp_filter 1 (strict) for all   |    veth    |    fd77::2/64           |
#   +---------------------------------+            +-------------------------+
#
# A selector in $A steers matching traffic to $B into tsio0, where the
# driver prints it; other traffic to $B crosses the veth. Clear-text traffic
# from $B matching a selector is dropped (and counted) by $A's input chain;
# selected traffic that would leave $A by the veth (no rule, or the TUN
# device gone after a crash) is dropped by its postrouting chain. The
# driver's UDP socket (SO_MARK = bypass mark) reaches $B even when every
# packet to $B is selected.
# Every process is bounded by timeout(1); traffic stays between $A and $B.
#
# Env: TUNSEC_BUILD (build directory with libtunsec.a; ".../asan" builds the
# driver with sanitizers), TUNSEC_SRCDIR (source tree). Needs root.
set -u

SRCDIR=${TUNSEC_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${TUNSEC_BUILD:-$SRCDIR/build}
PY=/usr/bin/python3
A=tsio-$$-a
B=tsio-$$-b
TMP=$(mktemp -d /tmp/tsio.XXXXXX)
DRV=$TMP/io_driver
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
	ip netns del "$A" 2>/dev/null
	ip netns del "$B" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; failures=$((failures + 1)); }
ina() { ip netns exec "$A" "$@"; }
inb() { ip netns exec "$B" "$@"; }

# wait_for FILE PATTERN: up to 5 s for a line matching PATTERN.
wait_for() {
	local i
	for i in $(seq 50); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# wait_exit PID: up to 10 s for a background process to end; its exit
# status in EXIT_STATUS.
wait_exit() {
	local i
	for i in $(seq 100); do
		if ! kill -0 "$1" 2>/dev/null; then
			wait "$1" 2>/dev/null
			EXIT_STATUS=$?
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# Small socket tools, run with Debian's python.
TCP_CONNECT='
import socket, sys
addr, port = sys.argv[1], int(sys.argv[2])
sport = int(sys.argv[3]) if len(sys.argv) > 3 else 0
s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
if sport:
    s.bind(("", sport))
s.settimeout(1.5)
try:
    s.connect((addr, port)); print("ok")
except ConnectionRefusedError:
    print("refused")
except socket.timeout:
    print("timeout")
except OSError as e:
    print("error", e)
'
TCP_LISTEN='
import select, socket, sys, time
addr, ports = sys.argv[1], [int(p) for p in sys.argv[2:]]
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
socks = []
for p in ports:
    s = socket.socket(fam); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, p)); s.listen(8); socks.append(s)
print("listening", flush=True)
while True:
    for s in select.select(socks, [], [], 0.2)[0]:
        c, _ = s.accept(); print("accepted", s.getsockname()[1], flush=True); c.close()
'
UDP_ECHO='
import socket, sys
addr, port = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_DGRAM)
s.bind((addr, port)); print("listening", flush=True)
while True:
    d, a = s.recvfrom(2048); s.sendto(d, a)
'
UDP_ROUNDTRIP='
import socket, sys
addr, port = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.sendto(b"reflect me", (addr, port))
try:
    d, a = s.recvfrom(2048)
    print("reply" if d == b"reflect me" and a[0] == addr and a[1] == port else "wrong")
except socket.timeout:
    print("timeout")
'

# bg NS LOG CMD...: run CMD in namespace NS in the background for 60 s at
# most. --foreground: a SIGTERM for timeout(1) reaches CMD alone, not the
# commands CMD runs while it cleans up.
bg() {
	local ns=$1 log=$2
	shift 2
	ip netns exec "$ns" timeout --foreground 60 "$@" >"$log" 2>&1 &
	PIDS+=("$!")
	LAST=$!
}

build_driver() {
	local extra=()
	# shellcheck disable=SC2054 # the commas belong to one flag
	case $BUILD in
	*/asan) extra=(-O1 -fno-omit-frame-pointer -fsanitize=address,undefined) ;;
	*) extra=(-O2) ;;
	esac
	"${CC:-cc}" -std=gnu11 -g -D_GNU_SOURCE -I"$SRCDIR/src" "${extra[@]}" \
		-o "$DRV" "$SRCDIR/test/netns/io_driver.c" "$BUILD/libtunsec.a" \
		-lIPSec_MB -lcrypto -lpcap -pthread 2>"$TMP/cc.log"
}

setup() {
	ip netns add "$A" && ip netns add "$B" &&
	ip link add va netns "$A" type veth peer name vb netns "$B" &&
	ina ip addr add 10.77.0.1/24 dev va &&
	ina ip addr add fd77::1/64 dev va nodad &&
	inb ip addr add 10.77.0.2/24 dev vb &&
	inb ip addr add fd77::2/64 dev vb nodad &&
	ina ip link set lo up && inb ip link set lo up &&
	ina ip link set va up && inb ip link set vb up &&
	ina sysctl -qw net.ipv4.conf.all.rp_filter=1
}

# The driver's configuration in $A, plus selectors given as arguments.
cfg4() { echo -t tsio0 -T 100 -m 0x100 -b 0x101 -l 10.77.0.1 -p 4500; }
cfg6() { echo -t tsio0 -T 100 -m 0x100 -b 0x101 -l fd77::1 -p 4500; }

# start_run LOG ARGS...: io_driver run in $A; waits for "ready".
start_run() {
	local log=$1
	shift
	bg "$A" "$log" "$DRV" run "$@"
	RUN_PID=$LAST
	wait_for "$log" '^ready'
}

# stop_run: SIGTERM the driver; true when it exited with status 0.
stop_run() {
	kill -TERM "$RUN_PID" 2>/dev/null
	wait_exit "$RUN_PID" && [ "$EXIT_STATUS" = 0 ]
}

# Packets of the "in" chain's drop rule matching PATTERN.
drop_count() {
	ina nft list chain inet tunsec_tsio0 in 2>/dev/null |
		grep -- "$1" | sed -n 's/.*counter packets \([0-9]*\) .*/\1/p'
}

# Nothing of ours left in $A: no table, no fwmark rule, no route in 100.
# What is left is in LEFT.
nothing_left() {
	LEFT=$( {
		ina nft list tables | grep tunsec_tsio0
		ina ip -4 rule | grep 'fwmark 0x100'
		ina ip -6 rule | grep 'fwmark 0x100'
		ina ip -4 route show table 100 2>/dev/null
		ina ip -6 route show table 100 2>/dev/null
	} | tr '\n' ';')
	[ -z "$LEFT" ]
}

test_nft_check() {
	local i sels=(
		"transport 6 10.77.0.1 10.77.0.2 any 7000"
		"transport 17 fd77::1/128 any 5201-5210 any"
		"tunnel 0 10.1.0.0/24 10.2.0.0/16 any any"
		"transport 1 10.77.0.1 10.77.0.2 any any|tunnel 132 fd01::/48 fd02::/48 9 any|transport 6 10.77.0.1 any any 22-23"
	)
	for i in "${!sels[@]}"; do
		local args=() s
		IFS='|' read -ra list <<<"${sels[$i]}"
		for s in "${list[@]}"; do
			args+=(-s "$s")
		done
		# shellcheck disable=SC2046
		"$DRV" render $(cfg4) "${args[@]}" >"$TMP/r$i.nft" 2>"$TMP/r$i.err" ||
			{ fail io_nft_check "render $i: $(cat "$TMP/r$i.err")"; return; }
		ina nft -c -f "$TMP/r$i.nft" >"$TMP/c$i.err" 2>&1 ||
			{ fail io_nft_check "nft -c refused ruleset $i: $(head -3 "$TMP/c$i.err")"; return; }
	done
	pass io_nft_check
}

test_steer_tcp() {
	local r1 r2 listener
	bg "$B" "$TMP/listen4.log" "$PY" -c "$TCP_LISTEN" 10.77.0.2 7000 7001
	listener=$LAST
	wait_for "$TMP/listen4.log" listening || { fail io_steer_tcp "listener did not start"; return 1; }
	# shellcheck disable=SC2046
	start_run "$TMP/run1.log" $(cfg4) -s "transport 6 10.77.0.1/32 10.77.0.2/32 any 7000" ||
		{ fail io_steer_tcp "driver not ready: $(tail -3 "$TMP/run1.log")"; return 1; }
	if [ "$(ina cat /proc/sys/net/ipv4/conf/tsio0/rp_filter)" != 2 ] ||
	   [ "$(ina cat /proc/sys/net/ipv4/conf/tsio0/accept_local)" != 1 ] ||
	   [ "$(ina cat /proc/sys/net/ipv4/conf/tsio0/src_valid_mark)" != 1 ]; then
		fail io_netcfg_installed "rp_filter, accept_local or src_valid_mark not set on tsio0"
	elif ! ina ip -4 rule | grep -q '^1000:.*fwmark 0x100 lookup 100' ||
	     ! ina ip -4 route show table 100 | grep -q 'default dev tsio0' ||
	     ! ina nft list table inet tunsec_tsio0 >/dev/null 2>&1; then
		fail io_netcfg_installed "rule, route or table missing"
	else
		pass io_netcfg_installed
	fi
	r1=$(ina "$PY" -c "$TCP_CONNECT" 10.77.0.2 7001)
	r2=$(ina "$PY" -c "$TCP_CONNECT" 10.77.0.2 7000)
	sleep 0.3
	if [ "$r1" != ok ]; then
		fail io_steer_tcp "unselected port 7001: $r1 (expected ok over the veth)"
	elif [ "$r2" != timeout ]; then
		fail io_steer_tcp "selected port 7000: $r2 (expected timeout: steered into TUN)"
	elif ! grep -q '^pkt tcp 10\.77\.0\.1:[0-9]* > 10\.77\.0\.2:7000 flags 0x02' "$TMP/run1.log"; then
		fail io_steer_tcp "no SYN to 7000 read from the TUN device"
	elif grep -q ':7001 ' "$TMP/run1.log" || grep -q 'accepted 7000' "$TMP/listen4.log"; then
		fail io_steer_tcp "traffic crossed the wrong way"
	elif ! grep -q 'accepted 7001' "$TMP/listen4.log"; then
		fail io_steer_tcp "listener did not see port 7001"
	else
		pass io_steer_tcp
	fi
	test_fail_closed
	# B's client ports in the next test are the listener's.
	kill -TERM "$listener"
	wait_exit "$listener"
}

# Without the fwmark rule, marked packets would leave by the main table:
# chain post drops them instead. The rule is put back afterwards.
test_fail_closed() {
	local c r
	ina ip -4 rule del fwmark 0x100 lookup 100
	r=$(ina "$PY" -c "$TCP_CONNECT" 10.77.0.2 7000)
	c=$(ina nft list chain inet tunsec_tsio0 post | grep 'tcp dport 7000' |
		sed -n 's/.*counter packets \([0-9]*\) .*/\1/p')
	ina ip -4 rule add fwmark 0x100 lookup 100 priority 1000
	if [ "$r" != timeout ] || grep -q 'accepted 7000' "$TMP/listen4.log"; then
		fail io_fail_closed "port 7000 without the rule: $r (expected timeout, nothing at B)"
	elif [ "${c:-0}" -lt 1 ]; then
		fail io_fail_closed "post chain counter '$c' (expected >= 1)"
	else
		pass io_fail_closed
	fi
}

test_drop_cleartext() {
	local c0 c1 r1 r2
	c0=$(drop_count 'tcp sport 7000')
	r1=$(inb "$PY" -c "$TCP_CONNECT" 10.77.0.1 9 7001)
	c1=$(drop_count 'tcp sport 7000')
	r2=$(inb "$PY" -c "$TCP_CONNECT" 10.77.0.1 9 7000)
	c2=$(drop_count 'tcp sport 7000')
	if [ "$c0" != 0 ] || [ "$c1" != 0 ]; then
		fail io_drop_cleartext "counter before: '$c0', after sport 7001: '$c1' (expected 0, 0)"
	elif [ "$r1" != refused ]; then
		fail io_drop_cleartext "sport 7001: $r1 (expected refused: A answers RST)"
	elif [ "$r2" != timeout ] || [ "${c2:-0}" -lt 1 ]; then
		fail io_drop_cleartext "sport 7000: $r2, counter '$c2' (expected timeout, >= 1)"
	else
		pass io_drop_cleartext
	fi
}

test_remove() {
	local r
	stop_run || { fail io_remove "driver did not stop cleanly: $(tail -3 "$TMP/run1.log" | tr '\n' ';')"; return; }
	grep -q '^removed' "$TMP/run1.log" || { fail io_remove "driver: $(tail -3 "$TMP/run1.log")"; return; }
	nothing_left || { fail io_remove "leftovers after netcfg_remove: $LEFT"; return; }
	bg "$B" "$TMP/listen4b.log" "$PY" -c "$TCP_LISTEN" 10.77.0.2 7000
	wait_for "$TMP/listen4b.log" listening || { fail io_remove "listener did not start"; return; }
	r=$(ina "$PY" -c "$TCP_CONNECT" 10.77.0.2 7000)
	[ "$r" = ok ] || { fail io_remove "port 7000 after removal: $r (expected ok)"; return; }
	pass io_remove
}

# A run that dies without cleaning up, then a normal run over its leftovers.
test_crash_restart() {
	local r1 sel="transport 6 10.77.0.1/32 10.77.0.2/32 any 7000"
	# shellcheck disable=SC2046
	ina timeout 10 "$DRV" run $(cfg4) -s "$sel" -S 1 -k >"$TMP/crash.log" 2>&1
	if ! ina nft list tables | grep -q tunsec_tsio0 ||
	   ! ina ip -4 rule | grep -q 'fwmark 0x100'; then
		fail io_apply_after_crash "the crash left nothing to clean up"
		return
	fi
	# shellcheck disable=SC2046
	start_run "$TMP/run2.log" $(cfg4) -s "$sel" ||
		{ fail io_apply_after_crash "not ready: $(tail -3 "$TMP/run2.log")"; return; }
	if [ "$(ina ip -4 rule | grep -c 'fwmark 0x100')" != 1 ]; then
		fail io_apply_after_crash "expected exactly one fwmark rule: $(ina ip -4 rule | tr '\n' ';')"
	elif [ "$(ina nft list tables | grep -c tunsec_tsio0)" != 1 ]; then
		fail io_apply_after_crash "expected one table"
	else
		pass io_apply_after_crash
	fi
	stop_run
	nothing_left || fail io_apply_after_crash "leftovers after the second run: $LEFT"
	# shellcheck disable=SC2046
	ina timeout 10 "$DRV" run $(cfg4) -s "$sel" -S 1 -k >"$TMP/crash2.log" 2>&1
	# The TUN device died with the driver; the table still blocks.
	r1=$(ina "$PY" -c "$TCP_CONNECT" 10.77.0.2 7000)
	# shellcheck disable=SC2046
	if ! ina timeout 10 "$DRV" remove $(cfg4) -s "$sel" >"$TMP/rm.log" 2>&1; then
		fail io_remove_after_crash "remove failed: $(tail -3 "$TMP/rm.log")"
	elif ! nothing_left; then
		fail io_remove_after_crash "leftovers: $LEFT"
	elif [ "$r1" != timeout ]; then
		fail io_remove_after_crash "port 7000 after the crash: $r1 (expected timeout: blocked, not in the clear)"
	elif [ "$(ina "$PY" -c "$TCP_CONNECT" 10.77.0.2 7000)" != ok ]; then
		fail io_remove_after_crash "port 7000 after remove not reachable"
	else
		pass io_remove_after_crash
	fi
}

# Everything to B is selected; the driver's marked socket still reaches B.
test_udp_bypass() {
	local fam=$1 la=$2 ra=$3 cfg=$4 out r
	bg "$B" "$TMP/echo$fam.log" "$PY" -c "$UDP_ECHO" "$ra" 4500
	wait_for "$TMP/echo$fam.log" listening || { fail "io_udp_bypass_$fam" "echo did not start"; return; }
	ina ip neigh flush dev va
	inb ip neigh flush dev vb
	# shellcheck disable=SC2086
	start_run "$TMP/run$fam.log" $cfg -s "transport 0 $la $ra any any" -r 7009 ||
		{ fail "io_udp_bypass_$fam" "not ready: $(tail -3 "$TMP/run$fam.log")"; return; }
	out=$(ina timeout 10 "$DRV" udp "$la" 4500 0x101 "$ra" 4500 8 2>&1)
	if ! ina ip "-${fam#v}" rule | grep -q 'fwmark 0x100 lookup 100' ||
	   ! ina ip "-${fam#v}" route show table 100 | grep -q 'default dev tsio0'; then
		fail "io_udp_bypass_$fam" "fwmark rule or table 100 route missing"
	elif [ "$out" != "udp sent 9 echoed 9" ]; then
		fail "io_udp_bypass_$fam" "marked socket: $out"
	elif grep -q ':4500 ' "$TMP/run$fam.log"; then
		fail "io_udp_bypass_$fam" "marked datagrams went into the TUN device"
	else
		# Control: the same datagrams unmarked are steered into TUN.
		ina timeout 10 "$DRV" udp "$la" 4501 0 "$ra" 4500 1 >/dev/null 2>&1
		sleep 0.2
		if grep -q ":4501 > .*:4500 " "$TMP/run$fam.log"; then
			pass "io_udp_bypass_$fam"
		else
			fail "io_udp_bypass_$fam" "control: unmarked datagram not seen in TUN"
		fi
	fi
	# A datagram written into TUN from B's address reaches the local
	# socket under strict (1) and loose (2) reverse-path filtering.
	for rpf in 1 2; do
		[ "$fam" = v6 ] && [ "$rpf" = 2 ] && break
		ina sysctl -qw net.ipv4.conf.all.rp_filter="$rpf"
		r=$(ina "$PY" -c "$UDP_ROUNDTRIP" "$ra" 7009)
		if [ "$r" = reply ] &&
		   [ "$(grep -c '^reflected 7009' "$TMP/run$fam.log")" -ge "$rpf" ]; then
			pass "io_tun_write_${fam}_rpf$rpf"
		else
			fail "io_tun_write_${fam}_rpf$rpf" "reflected datagram: $r; driver: $(tail -3 "$TMP/run$fam.log" | tr '\n' ';')"
		fi
	done
	ina sysctl -qw net.ipv4.conf.all.rp_filter=1
	stop_run || fail "io_udp_bypass_$fam" "driver did not stop cleanly: $(tail -3 "$TMP/run$fam.log" | tr '\n' ';')"
	nothing_left || fail "io_udp_bypass_$fam" "leftovers: $LEFT"
}

# Tunnel mode: a route for the remote subnet through tsio0, removed again.
test_tunnel_route() {
	# shellcheck disable=SC2046
	start_run "$TMP/runt.log" $(cfg4) -s "tunnel 0 10.10.1.0/24 10.10.2.0/24 any any" ||
		{ fail io_tunnel_route "not ready: $(tail -3 "$TMP/runt.log")"; return; }
	ina ping -c 1 -W 1 10.10.2.7 >/dev/null 2>&1
	sleep 0.2
	if ! ina ip -4 route show 10.10.2.0/24 | grep -q 'dev tsio0'; then
		fail io_tunnel_route "no route for 10.10.2.0/24 via tsio0"
	elif ! grep -q '^pkt icmp [0-9.]* > 10\.10\.2\.7' "$TMP/runt.log"; then
		fail io_tunnel_route "ping to the remote subnet not read from TUN"
	elif ! ina nft list chain inet tunsec_tsio0 forward >/dev/null 2>&1; then
		fail io_tunnel_route "no forward chain"
	else
		pass io_tunnel_route
	fi
	stop_run || fail io_tunnel_route "driver did not stop cleanly: $(tail -3 "$TMP/runt.log" | tr '\n' ';')"
	if ! nothing_left || [ -n "$(ina ip -4 route show 10.10.2.0/24)" ]; then
		fail io_tunnel_route "leftovers: $LEFT $(ina ip -4 route show 10.10.2.0/24)"
	fi
}

[ "$(id -u)" = 0 ] || { echo "FAIL io_smoke: needs root"; exit 1; }
build_driver || { echo "FAIL io_driver_build: $(head -5 "$TMP/cc.log")"; exit 1; }
setup || { echo "FAIL io_setup: could not build the namespaces"; exit 1; }

test_nft_check
test_steer_tcp && { test_drop_cleartext; test_remove; }
test_crash_restart
test_tunnel_route
test_udp_bypass v4 10.77.0.1 10.77.0.2 "$(cfg4)"
test_udp_bypass v6 fd77::1 fd77::2 "$(cfg6)"

[ "$failures" -eq 0 ]
