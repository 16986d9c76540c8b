#!/usr/bin/env bash
# A kernel VXLAN overlay carried over transport-mode ESP: tenants behind A
# and B ping and move TCP data while the underlay shows no VXLAN (udp/4789)
# in clear text, only ESP in UDP 4500.
#
#  ns $TA  eth0 192.168.42.1 fd00:42::1          ns $TB  eth0 192.168.42.2 fd00:42::2
#        | veth (MTU 1400)                                | veth (MTU 1400)
#  ns $A  br42 -- vxlan42 (VNI 42)   ...VXLAN...   vxlan42 -- br42  ns $B
#         tunsecd: ts0 (MTU 1455)                  tunsecd: ts0
#  ua 10.201.0.1  <====== veth: ESP in UDP 4500 ======>  ub 10.201.0.2
#                                                  tcpdump -i ub
#
# Protected (A's view, as examples/tunsecd.conf): udp rport 4789 and udp
# lport 4789. The tenant MTU leaves room for VXLAN (50 bytes) within the
# TUN MTU (the underlay's 1500 less at most 45 bytes of ESP in UDP).
# First, without tunsecd, the same capture must show the VXLAN packets in
# clear text: the control that gives the later "none" its meaning.
set -u
. "$(dirname "$0")/lib.sh"
. "$LAB_DIR/tunsecd_lib.sh"

TENANT_MTU=1400
XFER_BYTES=$((4 << 20))
LAB_TRANSFER_TIMEOUT=20

lab_up
lab_vxlan_up "$TENANT_MTU" 4

# Control: no tunsecd, VXLAN crosses in clear.
tsd_capture "$B" ub "$LAB_TMP/clear.pcap" 20 || lab_die "tcpdump did not start"
tsd_ping "$TA" "$LAB_TB4" 2 || lab_log "tenant ping without tunsecd failed"
tsd_capture_stop
n=$(tsd_tshark_count "$LAB_TMP/clear.pcap" "udp.port==4789")
[ "$n" -gt 0 ] && pass vxlan_clear_without_tunsecd_control ||
	fail vxlan_clear_without_tunsecd_control "no udp/4789 seen without tunsecd: the capture proves nothing"

TSD_CIPHER=aes-gcm-256
TSD_SELECTORS=("proto udp rport 4789" "proto udp lport 4789")
tsd_start_pair

mtu=$(ip -n "$A" -o link show "$TSD_TUN" | sed -n 's/.* mtu \([0-9]*\) .*/\1/p')
[ "$mtu" = 1455 ] && [ $((TENANT_MTU + 50)) -le "$mtu" ] && pass tun_mtu_fits_vxlan ||
	fail tun_mtu_fits_vxlan "TUN MTU '$mtu', want 1455 (>= tenant $TENANT_MTU + 50)"

tsd_capture "$B" ub "$LAB_TMP/esp.pcap" 30 || lab_die "tcpdump did not start"
tsd_ping "$TA" "$LAB_TB4" 3 && pass tenant_ping || fail tenant_ping "no reply from $LAB_TB4"
tsd_ping "$TA" "$LAB_TB6" 3 && pass tenant_ping6 || fail tenant_ping6 "no reply from $LAB_TB6"
# Full-size tenant frames: a DF ping of exactly the tenant MTU.
if timeout 10 ip netns exec "$TA" ping -c 2 -i 0.2 -W 2 -q -M "do" -s $((TENANT_MTU - 28)) \
	"$LAB_TB4" 2>&1 | grep -q ' 2 received'; then
	pass tenant_full_mtu_ping
else
	fail tenant_full_mtu_ping "a $TENANT_MTU-byte DF ping did not cross"
fi
lab_transfer_sha "$TA" "$TB" "$LAB_TB4" 9000 "$XFER_BYTES" && pass tenant_tcp_sha256 ||
	fail tenant_tcp_sha256 "4 MiB tenant transfer: sha256 differs"
tsd_capture_stop

n=$(tsd_tshark_count "$LAB_TMP/esp.pcap" "udp.port==4789 || vxlan")
[ "$n" -eq 0 ] && pass no_clear_vxlan_on_underlay ||
	fail no_clear_vxlan_on_underlay "$n udp/4789 packets in clear text"
n=$(tsd_tshark_count "$LAB_TMP/esp.pcap" "esp")
[ "$n" -gt 100 ] && pass underlay_carries_esp || fail underlay_carries_esp "only $n ESP packets"
n=$(tsd_tshark_count "$LAB_TMP/esp.pcap" "tcp.port==9000 || icmp")
[ "$n" -eq 0 ] && pass no_tenant_packets_visible || fail no_tenant_packets_visible "$n tenant packets readable on the underlay"

q=$(tsd_query b "sa('in')['bytes'] >= $XFER_BYTES and not sa('in')['drops']")
[ "$q" = True ] && pass vxlan_through_sa || fail vxlan_through_sa "B's inbound SA: ${q:-no answer}"
tsd_stop_pair daemons_clean_exit
lab_finish
