#!/usr/bin/env bash
# Rekeying without loss: iperf3 runs through two tunsecd's (IKEv2, shared
# key, transport mode) while the Child SA and the IKE SA are rekeyed again
# and again, from each side in turn (`tunsec rekey`). Afterwards no packet
# was dropped by either data plane (no ESP for an unknown SPI, no packet
# without an SA, no drop by any SA), TCP retransmitted nothing, every rekey
# happened (new SPIs each time), and the old SAs are gone. The load is
# bounded (iperf3 -b) so that nothing but the tunnel could lose a packet.
#
#  ns $A                                      ns $B
#  tunsecd (initiate)  iperf3 -c ---------->  tunsecd (wait)  iperf3 -s
#  ua 10.201.0.1  <== IKE 500/4500, ESP udp/4500 ==>  ub 10.201.0.2
set -u
. "$(dirname "$0")/lib.sh"
. "$LAB_DIR/tunsecd_lib.sh"
. "$LAB_DIR/ike_lib.sh"

TSD_LIFETIME=90
RATE=200M
ROUNDS=3   # each round: Child SA from A, from B, IKE SA from A, from B

write_ike() {
	cat >"$LAB_TMP/$1.conf" <<EOF
[daemon]
local-address = $4
control-socket = $LAB_TMP/$1.sock
tun = $TSD_TUN
log-level = debug

[peer $2]
address = $3
mode = transport
protect = proto icmp
protect = proto tcp $7 5201
protect = proto tcp $8 5201
auth = psk
psk = $6
start = $5
EOF
	chmod 600 "$LAB_TMP/$1.conf"
}

# spis HOST: its IKE SA SPIs and its Child SA's in/out SPIs.
spis() {
	tsd_query "$1" "' '.join(str(s.get(k)) for s in j['ike_sas'] for k in ('spi_i', 'spi_r', 'spi_in', 'spi_out'))"
}

# rekey HOST PEER [--ike]: until the daemon takes it (an exchange may be in
# flight for a moment).
rekey() {
	local i
	for ((i = 0; i < 50; i++)); do
		"$TSD_CLI" rekey --socket "$LAB_TMP/$1.sock" "$2" ${3:-} >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# drops HOST: every data-plane drop counter and every SA's drops, summed.
drops() {
	tsd_query "$1" "sum(drops.values()) + sum(sum(s.get('drops', {}).values()) for s in j['sas'])"
}

lab_up
PSK=0x$(tsd_random_hex 32)
# iperf3's direction (A to B's port 5201) comes right after ICMP on both
# sides: a Child SA carries ICMP and one of the two TCP selectors (the one
# whose side narrows picks; ts.h), and rekeys are narrowed by either.
write_ike a b "$LAB_B4" "$LAB_A4" initiate "$PSK" rport lport
write_ike b a "$LAB_A4" "$LAB_B4" wait "$PSK" lport rport
tsd_start b && tsd_start a || lab_die "tunsecd did not start"
# The two TCP selectors of one port cannot share a Child SA: A asks for a
# second one (CREATE_CHILD_SA), and both are rekeyed below.
for ((i = 0; i < 100; i++)); do
	[ "$(children a)" = 2 ] && [ "$(children b)" = 2 ] && child_up a && child_up b && break
	sleep 0.1
done
[ "$i" -lt 100 ] && pass established_two_child_sas || lab_die "no Child SAs: a $(children a), b $(children b)"

# The load: 16 s of TCP at a bounded rate, JSON to a file.
out=$LAB_TMP/iperf.json
timeout 40 ip netns exec "$B" iperf3 -s -1 -B "$LAB_B4" >"$out.server" 2>&1 &
LAB_PIDS+=($!)
lab_wait_port "$B" 5201 5 || lab_die "iperf3 server did not start"
timeout 40 ip netns exec "$A" iperf3 -c "$LAB_B4" -t 16 -b "$RATE" --json >"$out" 2>"$out.err" &
client=$!
LAB_PIDS+=($client)
sleep 2

seen=("$(spis a)")
ok=0 total=0
for ((r = 0; r < ROUNDS; r++)); do
	for step in "a b" "b a" "a b --ike" "b a --ike"; do
		# shellcheck disable=SC2086 # "HOST PEER [--ike]" on purpose
		rekey $step && ok=$((ok + 1))
		total=$((total + 1))
		sleep 1
		seen+=("$(spis a)")
	done
done
wait "$client"
[ "$ok" -eq "$total" ] && pass "rekeys_accepted_$total" ||
	fail "rekeys_accepted_$total" "only $ok of $total rekeys were taken"

# Every rekey gave new SPIs: all the snapshots differ.
distinct=$(printf '%s\n' "${seen[@]}" | sort -u | wc -l)
[ "$distinct" -eq $((total + 1)) ] && pass every_rekey_new_spis ||
	fail every_rekey_new_spis "$distinct distinct SPI sets in $((total + 1)) snapshots: ${seen[*]}"

sleep 4 # the old inbound SAs' grace time
for h in a b; do
	d=$(drops "$h")
	[ "$d" = 0 ] && pass "${h}_no_drops" ||
		fail "${h}_no_drops" "$(tsd_query "$h" "(drops, [(s['spi'], s.get('drops')) for s in j['sas']])")"
	n=$(tsd_query "$h" "len(j['sas'])")
	[ "$n" = 4 ] && pass "${h}_old_sas_gone" || fail "${h}_old_sas_gone" "$n SAs left, 4 wanted"
done

# TCP saw nothing lost or reordered: no loss recovery (SACK), no
# retransmission timeout, no segment out of order at the receiver. (A
# retransmission without loss — a tail loss probe on a busy machine — is
# logged: it is not the tunnel's doing, as the counters above show.)
read -r rtx gbps < <("$LAB_PY" - "$out" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
s = j["end"]["sum_sent"]
print(s.get("retransmits", -1), s["bits_per_second"] / 1e9)
PY
)
# nstat_sum NS NAME...: the sum of those kernel counters in NS.
nstat_sum() {
	local ns=$1
	shift
	ip netns exec "$ns" nstat -az "$@" 2>/dev/null | awk 'NR > 1 { n += $2 } END { print n + 0 }'
}
loss=$(nstat_sum "$A" TcpExtTCPSackRecovery TcpExtTCPTimeouts TcpExtTCPLostRetransmit TcpExtTCPRenoRecovery)
ofo=$(nstat_sum "$B" TcpExtTCPOFOQueue)
probes=$(nstat_sum "$A" TcpExtTCPLossProbes)
lab_log "iperf3 at $RATE: $gbps Gbit/s through $total rekeys; $rtx retransmits, $probes tail loss probes, $loss loss recoveries, $ofo out-of-order at the receiver"
[ "$loss" = 0 ] && [ "$ofo" = 0 ] && [ "$rtx" -le "$probes" ] && pass tcp_saw_no_loss ||
	fail tcp_saw_no_loss "$loss loss recoveries, $ofo out of order, $rtx retransmits for $probes probes"
tsd_stop_pair clean_exit
lab_finish
