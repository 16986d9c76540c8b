#!/usr/bin/env bash
# IKEv2 with start = trap: A's tunsecd sets nothing up until traffic for
# the peer finds no SA; that first packet is dropped (counted "no-sa"),
# never sent in the clear, and A initiates. Pings then cross as ESP.
# `tunsec down` leaves the trap armed: the next packet brings the SAs back.
#
#  ns $A                                      ns $B
#  tunsecd (ike: trap)                        tunsecd (ike: wait)
#  ua 10.201.0.1  <== IKE udp/500 then 4500, ESP udp/4500 ==>  ub 10.201.0.2
set -u
. "$(dirname "$0")/lib.sh"
. "$LAB_DIR/tunsecd_lib.sh"
. "$LAB_DIR/ike_lib.sh"

TSD_LIFETIME=60

# ping_until_up: one echo request at a time until both sides are up (the
# first ones start the exchange and are dropped); within 10 s.
ping_until_up() {
	local i
	for ((i = 0; i < 20; i++)); do
		ip netns exec "$A" ping -c 1 -W 0.5 -q "$LAB_B4" >/dev/null 2>&1
		both_up && return 0
	done
	return 1
}

lab_up
PSK=0x$(tsd_random_hex 32)
write_ike a b "$LAB_B4" "$LAB_A4" trap "$PSK"
write_ike b a "$LAB_A4" "$LAB_B4" wait "$PSK"
tsd_start b && tsd_start a || lab_die "tunsecd did not start"

# No traffic, no SA: give an initiating peer's time to come up, and more.
sleep 2
[ "$(state a)" = none ] && [ "$(state b)" = none ] && pass idle_without_traffic ||
	fail idle_without_traffic "a: $(state a), b: $(state b)"

tsd_capture "$B" ub "$LAB_TMP/trap.pcap" 20 icmp or udp port 500 or udp port 4500
if ping_until_up; then
	pass traffic_starts_ike
else
	fail traffic_starts_ike "a: $(state a), b: $(state b)"
fi
tsd_ping "$A" "$LAB_B4" 3 && pass ping_after_trap || fail ping_after_trap "no echo"
tsd_capture_stop
n=$(tsd_query a "drops.get('no-sa', 0)")
[ "${n:-0}" -ge 1 ] && pass first_packet_counted_no_sa ||
	fail first_packet_counted_no_sa "no-sa drops: ${n:-?}"
[ "$(tsd_tshark_count "$LAB_TMP/trap.pcap" icmp)" = 0 ] && pass nothing_in_clear ||
	fail nothing_in_clear "ICMP crossed in the clear"
[ "$(tsd_tshark_count "$LAB_TMP/trap.pcap" isakmp)" -ge 4 ] && pass ike_on_the_wire ||
	fail ike_on_the_wire "IKE messages: $(tsd_tshark_count "$LAB_TMP/trap.pcap" isakmp)"

# Down from A: the trap stays; the next packet brings the SAs back.
"$TSD_CLI" down --socket "$LAB_TMP/a.sock" b >/dev/null && wait_for 5 both_gone &&
	pass down || fail down "a: $(state a), b: $(state b)"
if ping_until_up; then
	pass trap_rearmed_after_down
else
	fail trap_rearmed_after_down "a: $(state a), b: $(state b)"
fi
tsd_ping "$A" "$LAB_B4" 3 && pass ping_after_rearm || fail ping_after_rearm "no echo"

tsd_stop a || fail a_clean_exit "tunsecd a exit ${TSD_RC:-?}"
tsd_stop b || fail b_clean_exit "tunsecd b exit ${TSD_RC:-?}"
lab_finish
