#!/usr/bin/env bash
# The forged-RST attack without tunsec: the control case that shows the
# attack works, so that a protected run surviving it means something.
#
#   test/netns/rst_control.sh        (as root; LAB_KEEP=1 keeps the lab)
#
# Topology: lib.sh's two hosts, A (client, attacker) and B (server). Four
# long-lived TCP connections A -> B run at once, each a few KB/s. For each,
# an attacker in A learns the sequence number by sniffing ua and writes
# forged RSTs "from A" onto the wire (rst_attack.py inject):
#
#   exact      seq = B's RCV.NXT             the connection must die
#   outside    seq = RCV.NXT + 2^30          out of window: ignored (RFC 793)
#   inexact    seq = RCV.NXT + 1             in window but not exact: B sends
#                                            a challenge ACK, no reset
#                                            (RFC 5961 §3.2)
#   exact6     as exact, over IPv6           the connection must die
#
# A capture on B's underlay proves every forged RST arrived, with the
# sequence number the attacker reported, so "survived" cannot mean "never
# delivered". The survivors then close in order and B must have read every
# byte A sent.
set -u
. "$(dirname "$0")/lib.sh"

ATTACK=$LAB_DIR/rst_attack.py
SECS=15 # bound on every victim process; the test itself takes ~3 s
# The client writes every 0.25 s and the attacker tries after each of up
# to 8 data segments: a forged RST must reach B before A's next segment
# moves RCV.NXT, which a loaded machine can miss a few times in a row.

# jget FILE KEY: one field of a JSON result file.
jget() {
	"$LAB_PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2" 2>/dev/null
}

# start_case NAME PORT SPORT OFFSET [6]: attacker in A (first: it takes the
# longest to start, and acts only on data segments), server in B, client in
# A; over IPv4, or IPv6 when the fifth argument is 6.
start_case() {
	local name=$1 port=$2 sport=$3 off=$4 d=$LAB_TMP/$1 a=$LAB_A4 b=$LAB_B4
	[ "${5:-4}" = 6 ] && { a=$LAB_A6; b=$LAB_B6; }
	mkdir -p "$d"
	lab_bg -t 12 "$A" "$LAB_PY" "$ATTACK" inject --inject-iface ua \
		--src "$a" --sport "$sport" --dst "$b" --dport "$port" \
		--seq-offset "$off" --count 8 --timeout 10 >"$d/inject.out" 2>"$d/inject.err"
	eval "ATTACKER_$name=\$LAB_PID"
	lab_bg -t "$SECS" "$B" "$LAB_PY" "$ATTACK" server --bind "$b" --port "$port" \
		--result "$d/server.json" --duration "$SECS" 2>"$d/server.err"
	lab_wait_port "$B" "$port" 5 || lab_die "$name: server did not listen"
	lab_bg -t "$SECS" "$A" "$LAB_PY" "$ATTACK" client --connect "$b" --port "$port" \
		--sport "$sport" --result "$d/client.json" --stop-file "$d/stop" \
		--interval 0.25 --duration "$SECS" 2>"$d/client.err"
}

# rst_delivered NAME PORT: every RST the attacker reported was captured on
# B's underlay with that sequence number (the capture keeps only A's RSTs,
# and each case has its own port).
rst_delivered() {
	local name=$1 port=$2 d=$LAB_TMP/$1 seq n=0
	while read -r seq; do
		n=$((n + 1))
		lab_wait_file "$LAB_TMP/capture.txt" 2 "\\.$port: Flags \\[R\\], seq $seq," ||
			{ echo "RST seq $seq not seen on B"; return 1; }
	done < <("$LAB_PY" -c 'import json,sys
for l in open(sys.argv[1]): print(json.loads(l)["seq"])' "$d/inject.out" 2>/dev/null)
	[ "$n" -gt 0 ] || { echo "the attacker sent nothing: $(tail -n 3 "$d/inject.err")"; return 1; }
}

check_killed() {
	local name=$1 port=$2 d=$LAB_TMP/$1 why
	lab_wait_file "$d/server.json" 3
	lab_wait_file "$d/client.json" 3
	if ! why=$(rst_delivered "$name" "$port"); then
		fail "rst_$name" "$why"
	elif [ "$(jget "$d/server.json" outcome)" != reset ]; then
		fail "rst_$name" "server was not reset: $(cat "$d/server.json" 2>/dev/null || echo 'no result')"
	elif [ "$(jget "$d/client.json" outcome)" != reset ]; then
		fail "rst_$name" "client connection did not die: $(cat "$d/client.json" 2>/dev/null || echo 'no result')"
	else
		pass "rst_${name}_seq_kills_unprotected_connection"
	fi
}

check_survived() {
	local name=$1 port=$2 d=$LAB_TMP/$1 why sent got
	if [ -e "$d/ended-early" ]; then
		fail "rst_$name" "connection ended during the attack: $(cat "$d/server.json")"
		return
	fi
	lab_wait_file "$d/server.json" 3
	lab_wait_file "$d/client.json" 3
	sent=$(jget "$d/client.json" bytes)
	got=$(jget "$d/server.json" bytes)
	if ! why=$(rst_delivered "$name" "$port"); then
		fail "rst_$name" "$why"
	elif [ "$(jget "$d/server.json" outcome)" != eof ] ||
		[ "$(jget "$d/client.json" outcome)" != closed ]; then
		fail "rst_$name" "no orderly close: server $(cat "$d/server.json" 2>/dev/null), client $(cat "$d/client.json" 2>/dev/null)"
	elif [ -z "$sent" ] || [ "$sent" != "$got" ] || [ "$sent" -eq 0 ]; then
		fail "rst_$name" "client sent $sent bytes, server read $got"
	else
		pass "rst_${name}_seq_ignored"
	fi
}

# shellcheck disable=SC2119 # no options: the defaults
lab_up
: >"$LAB_TMP/capture.txt"
lab_bg -t 30 "$B" tcpdump -i ub -nn -S -l -Z root \
	"(src host $LAB_A4 and tcp[tcpflags] & tcp-rst != 0) or
	 (src host $LAB_A6 and ip6[6] = 6 and ip6[53] & 4 != 0)" \
	>"$LAB_TMP/capture.txt" 2>"$LAB_TMP/tcpdump.err"
lab_wait_file "$LAB_TMP/tcpdump.err" 5 "listening on" || lab_die "tcpdump did not start"

start_case exact 7001 40001 0
start_case outside 7002 40002 0x40000000
start_case inexact 7003 40003 1
start_case exact6 7004 40004 0 6

for name in exact outside inexact exact6; do
	pid_var=ATTACKER_$name
	lab_wait_pid "${!pid_var}" 12 || lab_log "$name: attacker still running"
	lab_log "$name attacker (status ${LAB_RC:-?}): $(tr '\n' ' ' <"$LAB_TMP/$name/inject.out")"
done
sleep 0.3 # a RST acts on arrival; this only lets the victims notice
# Note what ended during the attack, then ask every client to close.
for name in exact outside inexact exact6; do
	[ -e "$LAB_TMP/$name/server.json" ] && touch "$LAB_TMP/$name/ended-early"
	touch "$LAB_TMP/$name/stop"
done
check_killed exact 7001
check_survived outside 7002
check_survived inexact 7003
check_killed exact6 7004
lab_finish
