#!/usr/bin/env bash
# IKEv2 between two tunsecd's, transport mode, shared key: the IKE SA and
# two Child SAs (TCP to each side's port 9000 cannot share one) come up by
# themselves (A initiates, B waits), ping and 4 MiB TCP transfers each way
# cross as ESP, and tshark's independent IKEv2 dissector reads
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
. "$LAB_DIR/ike_lib.sh"

XFER_BYTES=$((4 << 20))
LAB_TRANSFER_TIMEOUT=30
TSD_LIFETIME=90

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
# TCP to B's port 9000 and TCP to A's port 9000 cannot share a Child SA
# (ts.h): A asked for a second one (CREATE_CHILD_SA, RFC 7296 §1.3.1).
# A transfer to A's port 9000 goes on it, and every ike- SA of both hosts
# has carried packets.
[ "$(children a)" = 2 ] && [ "$(children b)" = 2 ] && pass two_child_sas ||
	fail two_child_sas "Child SAs: a $(children a), b $(children b)"
# tunsec show gives the next rekey of the IKE SA (default lifetime 4h)
# and of each Child SA (1h), from now.
[ "$(tsd_query a "(lambda s: 0 < s['rekey_in'] <= 4 * 3600 and 0 < s['child_rekey_in'] <= 3600 and all(0 < c['rekey_in'] <= 3600 for c in s['more_children']))(j['ike_sas'][0])")" = True ] &&
	pass show_next_rekeys || fail show_next_rekeys "$(tsd_query a "j['ike_sas']")"
lab_transfer_sha "$B" "$A" "$LAB_A4" 9000 "$XFER_BYTES" && pass reverse_tcp_sha256 ||
	fail reverse_tcp_sha256 "4 MiB transfer B to A: sha256 differs"
for h in a b; do
	n=$(tsd_query "$h" "len([s for s in j['sas'] if s['name'].startswith('ike-') and s.get('packets', 0) > 0])")
	[ "$n" = 4 ] && pass "${h}_every_child_sa_carried" ||
		fail "${h}_every_child_sa_carried" "$n of 4 ike- SAs carried packets"
done
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
