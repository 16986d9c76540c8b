#!/usr/bin/env bash
# IKEv2 between two tunsecd's, transport mode, shared key: the IKE SA and a
# Child SA come up by themselves (A initiates, B waits), ping and a 4 MiB
# TCP transfer cross as ESP, and tshark's independent IKEv2 dissector reads
# the exchange off the wire (IKE_SA_INIT in the clear on port 500 with SA,
# KE, nonce and NAT detection; IKE_AUTH encrypted on port 4500). Then:
# `tunsec down` from each side deletes the SAs on both; `tunsec up` brings
# them back; when B is killed, A's liveness checks find it dead and take the
# Child SA down (traffic is dropped, never sent in the clear), and when B
# comes back A connects again by itself; a wrong key gets no SA at all.
#
#  ns $A                                      ns $B
#  tunsecd (ike: initiate)                    tunsecd (ike: wait)
#  ua 10.201.0.1  <== IKE udp/500 then 4500, ESP udp/4500 ==>  ub 10.201.0.2
set -u
. "$(dirname "$0")/lib.sh"
. "$LAB_DIR/tunsecd_lib.sh"

XFER_BYTES=$((4 << 20))
LAB_TRANSFER_TIMEOUT=30
TSD_LIFETIME=90

# write_ike HOST PEER PEERADDR LOCAL START PSK FIRST SECOND: an IKE-managed
# transport configuration for HOST; FIRST and SECOND (lport, rport) order
# its two TCP selectors. The Child SA carries ICMP and the first TCP one of
# the side that narrows (ts.h): the transfer's direction (A to B's port
# 9000) comes first on both sides.
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
protect = proto tcp $7 9000
protect = proto tcp $8 9000
auth = psk
psk = $6
local-id = fqdn:$1.lab.example
remote-id = fqdn:$2.lab.example
start = $5
dpd-delay = 2s
retransmit-timeout = 500ms
retransmit-tries = 2
EOF
	chmod 600 "$LAB_TMP/$1.conf"
}

write_pair() {
	write_ike a b "$LAB_B4" "$LAB_A4" initiate "$1" rport lport
	write_ike b a "$LAB_A4" "$LAB_B4" wait "${2:-$1}" lport rport
}

# state HOST: the state of HOST's IKE SA, "none" without one.
state() {
	tsd_query "$1" "j['ike_sas'][0]['state'] if j.get('ike_sas') else 'none'"
}

# child_up HOST: HOST has both halves of an IKE Child SA in its data plane.
child_up() {
	[ "$(tsd_query "$1" "len([s for s in j['sas'] if s['name'].startswith('ike-')]) == 2")" = True ]
}

# wait_for SECS CMD...: poll CMD every 0.1 s.
wait_for() {
	local i n=$(($1 * 10))
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

both_up() { [ "$(state a)" = established ] && [ "$(state b)" = established ] && child_up a && child_up b; }
both_gone() { [ "$(state a)" = none ] && [ "$(state b)" = none ] && ! child_up a && ! child_up b; }

traffic() {
	tsd_ping "$A" "$LAB_B4" 3 && pass "$1_ping" || fail "$1_ping" "no echo"
	lab_transfer_sha "$A" "$B" "$LAB_B4" 9000 "$XFER_BYTES" && pass "$1_tcp_sha256" ||
		fail "$1_tcp_sha256" "4 MiB transfer: sha256 differs"
}

lab_up
PSK=0x$(tsd_random_hex 32)
write_pair "$PSK"
tsd_capture "$B" ub "$LAB_TMP/ike.pcap" 30 udp port 500 or udp port 4500
tsd_start b && tsd_start a || lab_die "tunsecd did not start"
if wait_for 10 both_up; then
	pass established
else
	fail established "a: $(state a), b: $(state b)"
fi
traffic first
# The IKE SAs agree: same SPIs, a is the initiator.
if [ "$(tsd_query a "(j['ike_sas'][0]['spi_i'], j['ike_sas'][0]['spi_r'], j['ike_sas'][0]['role'])")" = \
	"$(tsd_query b "(j['ike_sas'][0]['spi_i'], j['ike_sas'][0]['spi_r'], 'initiator' if j['ike_sas'][0]['role'] == 'responder' else '?')")" ]; then
	pass ike_sa_spis_agree
else
	fail ike_sa_spis_agree "a $(tsd_query a "j['ike_sas']"), b $(tsd_query b "j['ike_sas']")"
fi
tsd_capture_stop
# tshark: IKE_SA_INIT request and response in the clear on port 500 with
# SA, KE, Nonce and both NAT detection notifications; IKE_AUTH on 4500
# behind the non-ESP marker, encrypted (an SK payload).
n_init=$(tsd_tshark_count "$LAB_TMP/ike.pcap" 'isakmp.exchangetype == 34 && udp.port == 500 && isakmp.nextpayload == 33')
n_ke=$(tsd_tshark_count "$LAB_TMP/ike.pcap" 'isakmp.exchangetype == 34 && isakmp.typepayload == 34 && isakmp.typepayload == 40')
n_natd=$(tsd_tshark_count "$LAB_TMP/ike.pcap" 'isakmp.exchangetype == 34 && isakmp.notify.msgtype == 16388 && isakmp.notify.msgtype == 16389')
n_auth=$(tsd_tshark_count "$LAB_TMP/ike.pcap" 'isakmp.exchangetype == 35 && udp.port == 4500 && isakmp.nextpayload == 46')
if [ "$n_init" -ge 2 ] && [ "$n_ke" -ge 2 ] && [ "$n_natd" -ge 2 ] && [ "$n_auth" -ge 2 ]; then
	pass tshark_reads_ike
else
	fail tshark_reads_ike "IKE_SA_INIT $n_init, with KE and nonce $n_ke, NAT-D $n_natd, IKE_AUTH in SK on 4500 $n_auth"
fi

# tunsec down from B (the responder), then up again from A.
"$TSD_CLI" down --socket "$LAB_TMP/b.sock" a >/dev/null && wait_for 5 both_gone &&
	pass down_from_responder || fail down_from_responder "a: $(state a), b: $(state b)"
"$TSD_CLI" up --socket "$LAB_TMP/a.sock" b >/dev/null && wait_for 10 both_up &&
	pass up_again || fail up_again "a: $(state a), b: $(state b)"
traffic after_up
"$TSD_CLI" down --socket "$LAB_TMP/a.sock" b >/dev/null && wait_for 5 both_gone &&
	pass down_from_initiator || fail down_from_initiator "a: $(state a), b: $(state b)"
"$TSD_CLI" down --socket "$LAB_TMP/a.sock" nobody >/dev/null 2>&1
[ $? -eq 1 ] && pass down_unknown_peer_refused || fail down_unknown_peer_refused "exit status not 1"
"$TSD_CLI" up --socket "$LAB_TMP/a.sock" b >/dev/null && wait_for 10 both_up ||
	fail up_third "a: $(state a), b: $(state b)"

# B dies: A's liveness checks go unanswered, its Child SA goes; pings are
# dropped (no SA), not sent in the clear.
tsd_kill b
if wait_for 20 eval '[ "$(state a)" = none ] && ! child_up a'; then
	pass dead_peer_detected
else
	fail dead_peer_detected "a: $(state a)"
fi
tsd_capture "$B" ub "$LAB_TMP/dead.pcap" 10 icmp
tsd_ping "$A" "$LAB_B4" 2 && fail dead_peer_no_clear "ping answered without an SA"
tsd_capture_stop
[ "$(tsd_tshark_count "$LAB_TMP/dead.pcap" icmp)" = 0 ] && pass dead_peer_no_clear ||
	fail dead_peer_no_clear "ICMP crossed in the clear"
# B back: A starts again by itself (start = initiate retries).
tsd_start b || fail restart_b "tunsecd b did not start again"
if wait_for 25 both_up; then
	pass reconnected
else
	fail reconnected "a: $(state a), b: $(state b)"
fi
traffic reconnected

# A reload keeps the IKE SA and its Child SA in the data plane (same SPIs,
# state carried), applies changed settings, and refuses a new IKE peer.
before=$(tsd_query a "sorted((s['name'], s['spi']) for s in j['sas'])")
sed -i 's/^dpd-delay = 2s/dpd-delay = 3s/' "$LAB_TMP/a.conf"
"$TSD_CLI" reload --socket "$LAB_TMP/a.sock" >/dev/null && tsd_signal b HUP && sleep 0.5
if [ "$(tsd_query a "sorted((s['name'], s['spi']) for s in j['sas'])")" = "$before" ] &&
	[ "$(state a)" = established ] && [ "$(state b)" = established ]; then
	pass reload_keeps_ike_sas
else
	fail reload_keeps_ike_sas "before $before, after $(tsd_query a "sorted((s['name'], s['spi']) for s in j['sas'])")"
fi
traffic after_reload
cp "$LAB_TMP/a.conf" "$LAB_TMP/a.conf.good"
printf '\n[peer c]\naddress = 10.201.0.9\nmode = transport\nprotect = proto icmp\nauth = psk\npsk = %s\n' "$PSK" >>"$LAB_TMP/a.conf"
if ! "$TSD_CLI" reload --socket "$LAB_TMP/a.sock" 2>"$LAB_TMP/reload.err" &&
	grep -q "restart tunsecd" "$LAB_TMP/reload.err"; then
	pass reload_new_ike_peer_refused
else
	fail reload_new_ike_peer_refused "$(cat "$LAB_TMP/reload.err")"
fi
cp "$LAB_TMP/a.conf.good" "$LAB_TMP/a.conf"
tsd_stop_pair clean_exit

# A wrong key: no SA on either side, the failure logged.
write_pair "0x$(tsd_random_hex 32)" "0x$(tsd_random_hex 32)"
tsd_start b && tsd_start a || lab_die "tunsecd did not start"
sleep 2
if [ "$(state a)" != established ] && [ "$(state b)" != established ] &&
	! child_up a && ! child_up b; then
	pass wrong_psk_no_sa
else
	fail wrong_psk_no_sa "a: $(state a), b: $(state b)"
fi
grep -q "failed to authenticate" "$LAB_TMP/b.log" && pass wrong_psk_logged ||
	fail wrong_psk_logged "b did not log the failure"
tsd_stop_pair wrong_psk_clean_exit
lab_finish
