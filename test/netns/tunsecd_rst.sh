#!/usr/bin/env bash
# The seed's attack against a connection tunsecd protects: a forged
# clear-text TCP RST with the exact sequence number, injected on the
# underlay "from A", must not reset it. In the same run, the same attack on
# a connection no selector covers must reset it (the control).
#
#  ns $A                                           ns $B
#  clients :40001 -> B:7001 (not protected)        servers :7001, :7002
#          :40002 -> B:7002 (protected)            tunsecd: nft inet tunsec_ts0
#  tunsecd: ts0  <- attacker sniffs here (clear      chain in: clear tcp from A
#                   text of the protected flow)        to :7002 -> counter drop
#  ua 10.201.0.1  <====== veth ======>  ub 10.201.0.2   tcpdump: forged RSTs
#   ^-- attacker writes forged RST frames onto ua (packet socket, A's MAC/IP)
#
# The attacker learns B's RCV.NXT from each data segment A sends (on ua for
# the control, on ts0 for the protected flow: the most favourable position,
# where tunsecd's traffic is still clear text) and injects a RST with
# exactly that number at once (rst_attack.py inject --seq-offset 0).
# Checks: each forged RST arrived on ub with the number the attacker
# reported; the control connection is reset at both ends; the protected one
# closes in order with every byte delivered; B's nftables drop counter for
# the protected flow counted the RSTs.
set -u
. "$(dirname "$0")/lib.sh"
. "$LAB_DIR/tunsecd_lib.sh"

ATTACK=$LAB_DIR/rst_attack.py
SECS=15 # bound on every victim process; the attack itself takes ~3 s

jget() {
	"$LAB_PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2" 2>/dev/null
}

# start_case NAME PORT SPORT SNIFF_IFACE: attacker (first: scapy takes the
# longest to start), server in B, client in A.
start_case() {
	local name=$1 port=$2 sport=$3 sniff=$4 d=$LAB_TMP/$1
	mkdir -p "$d"
	lab_bg -t 12 "$A" "$LAB_PY" "$ATTACK" inject --inject-iface ua --sniff-iface "$sniff" \
		--src "$LAB_A4" --sport "$sport" --dst "$LAB_B4" --dport "$port" \
		--seq-offset 0 --count 8 --timeout 10 --ready-file "$d/ready" \
		>"$d/inject.out" 2>"$d/inject.err"
	eval "ATTACKER_$name=\$LAB_PID"
	lab_bg -t "$SECS" "$B" "$LAB_PY" "$ATTACK" server --bind "$LAB_B4" --port "$port" \
		--result "$d/server.json" --duration "$SECS" 2>"$d/server.err"
	lab_wait_port "$B" "$port" 5 || lab_die "$name: server did not listen"
	# The ready file is created empty (lab_wait_file waits for content).
	_lab_poll 6 test -e "$d/ready" || lab_log "$name: attacker not ready yet"
	lab_bg -t "$SECS" "$A" "$LAB_PY" "$ATTACK" client --connect "$LAB_B4" --port "$port" \
		--sport "$sport" --result "$d/client.json" --stop-file "$d/stop" \
		--interval 0.25 --duration "$SECS" 2>"$d/client.err"
}

# rst_delivered NAME PORT: every RST the attacker reported was captured on
# B's underlay with that sequence number; their count in RSTS_SENT.
rst_delivered() {
	local name=$1 port=$2 d=$LAB_TMP/$1 seq n=0
	while read -r seq; do
		n=$((n + 1))
		lab_wait_file "$LAB_TMP/capture.txt" 2 "\\.$port: Flags \\[R\\], seq $seq," ||
			{ echo "RST seq $seq not seen on B"; return 1; }
	done < <("$LAB_PY" -c 'import json,sys
for l in open(sys.argv[1]): print(json.loads(l)["seq"])' "$d/inject.out" 2>/dev/null)
	RSTS_SENT=$n
	[ "$n" -gt 0 ] || { echo "the attacker sent nothing: $(tail -n 3 "$d/inject.err")"; return 1; }
}

# nft_drops PORT: packets counted by B's input-chain drop rule for clear
# TCP to PORT from A.
nft_drops() {
	ip netns exec "$B" nft list chain inet "tunsec_$TSD_TUN" in 2>/dev/null |
		grep "tcp dport $1 " | sed -n 's/.*counter packets \([0-9]*\) .*/\1/p' | head -n 1
}

lab_up
TSD_CIPHER=aes-gcm-256
TSD_SELECTORS=("proto tcp rport 7002" "proto icmp")
tsd_start_pair
tsd_ping "$A" "$LAB_B4" 1 || lab_log "ping through tunsecd failed"
before=$(nft_drops 7002)
[ "$before" = 0 ] || lab_log "drop counter for :7002 before the attack: '${before}'"

: >"$LAB_TMP/capture.txt"
lab_bg -t 30 "$B" tcpdump -i ub -nn -S -l --immediate-mode -Z root \
	"src host $LAB_A4 and tcp[tcpflags] & tcp-rst != 0" \
	>"$LAB_TMP/capture.txt" 2>"$LAB_TMP/tcpdump.err"
lab_wait_file "$LAB_TMP/tcpdump.err" 5 "listening on" || lab_die "tcpdump did not start"

start_case control 7001 40001 ua
start_case protected 7002 40002 "$TSD_TUN"

for name in control protected; do
	pid_var=ATTACKER_$name
	lab_wait_pid "${!pid_var}" 12 || lab_log "$name: attacker still running"
	lab_log "$name attacker (status ${LAB_RC:-?}): $(tr '\n' ' ' <"$LAB_TMP/$name/inject.out")"
done
sleep 0.3 # a RST acts on arrival; this only lets the victims notice
for name in control protected; do
	[ -e "$LAB_TMP/$name/server.json" ] && touch "$LAB_TMP/$name/ended-early"
	touch "$LAB_TMP/$name/stop"
done

# (a) the control: the exact RST kills a connection tunsecd does not cover.
d=$LAB_TMP/control
lab_wait_file "$d/server.json" 3
lab_wait_file "$d/client.json" 3
if ! why=$(rst_delivered control 7001); then
	fail rst_control_unprotected_killed "$why"
elif [ "$(jget "$d/server.json" outcome)" != reset ]; then
	fail rst_control_unprotected_killed "server was not reset: $(cat "$d/server.json" 2>/dev/null || echo 'no result')"
elif [ "$(jget "$d/client.json" outcome)" != reset ]; then
	fail rst_control_unprotected_killed "client did not die: $(cat "$d/client.json" 2>/dev/null || echo 'no result')"
else
	pass rst_control_unprotected_killed
fi

# (b) the protected connection survives, and tunsecd's B dropped the RSTs.
d=$LAB_TMP/protected
lab_wait_file "$d/server.json" 5
lab_wait_file "$d/client.json" 5
sent=$(jget "$d/client.json" bytes)
got=$(jget "$d/server.json" bytes)
RSTS_SENT=0
if ! why=$(rst_delivered protected 7002); then
	fail rst_protected_survives "$why"
elif [ -e "$d/ended-early" ]; then
	fail rst_protected_survives "connection ended during the attack: $(cat "$d/server.json")"
elif [ "$(jget "$d/server.json" outcome)" != eof ] || [ "$(jget "$d/client.json" outcome)" != closed ]; then
	fail rst_protected_survives "no orderly close: server $(cat "$d/server.json" 2>/dev/null), client $(cat "$d/client.json" 2>/dev/null)"
elif [ -z "$sent" ] || [ "$sent" != "$got" ] || [ "$sent" -eq 0 ]; then
	fail rst_protected_survives "client sent $sent bytes, server read $got"
else
	pass rst_protected_survives
fi
rst_delivered protected 7002 >/dev/null # sets RSTS_SENT
after=$(nft_drops 7002)
lab_log "nft drop counter for :7002: before ${before:-?}, after ${after:-?}; RSTs sent $RSTS_SENT"
if [ -n "$after" ] && [ -n "$before" ] && [ "$RSTS_SENT" -gt 0 ] &&
	[ $((after - before)) -ge "$RSTS_SENT" ]; then
	pass rst_dropped_by_nft_in_chain
else
	fail rst_dropped_by_nft_in_chain "counter ${before:-?} -> ${after:-?}, $RSTS_SENT RSTs sent"
fi
# The protected flow crossed as ESP: B's inbound SA carried its bytes.
q=$(tsd_query b "sa('in')['bytes'] >= ${got:-0} > 0")
[ "$q" = True ] && pass protected_flow_through_sa || fail protected_flow_through_sa "B's inbound SA: ${q:-no answer}"
tsd_stop_pair daemons_clean_exit
lab_finish
