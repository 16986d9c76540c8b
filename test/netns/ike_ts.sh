#!/usr/bin/env bash
# Traffic selectors narrowed by the responder become the data plane's
# policy. A (initiator) protects all TCP, UDP to port 5201 and ICMP between
# the hosts; B (responder) only TCP to its port 5201, and narrows A's
# proposal to that (RFC 7296 §2.9). Then: both sides list the narrowed
# selectors in `tunsec show` (text and JSON); a TCP transfer to B:5201
# crosses as ESP; and what A's configuration protects but the Child SA
# does not carry (TCP to another port, UDP to 5201, ICMP) is dropped by A
# and counted as outside-ts: on the wire it appears neither in the clear
# nor as ESP, and A's outbound SA carries nothing more.
#
#  ns $A                                      ns $B
#  tunsecd (ike: initiate)                    tunsecd (ike: wait)
#  protect tcp, udp rport 5201, icmp          protect tcp lport 5201
#  ua 10.201.0.1  <== IKE udp/500 then 4500, ESP udp/4500 ==>  ub 10.201.0.2
set -u
. "$(dirname "$0")/lib.sh"
. "$LAB_DIR/tunsecd_lib.sh"
. "$LAB_DIR/ike_lib.sh"

XFER_BYTES=$((2 << 20))
LAB_TRANSFER_TIMEOUT=20
TSD_LIFETIME=90

# write_ike HOST PEER PEERADDR LOCAL START PSK PROTECT...: an IKE-managed
# transport configuration for HOST with one protect line per argument.
write_ike() {
	local host=$1 peer=$2 paddr=$3 local=$4 start=$5 psk=$6 p
	shift 6
	{
		cat <<EOF
[daemon]
local-address = $local
control-socket = $LAB_TMP/$host.sock
tun = $TSD_TUN
log-level = debug

[peer $peer]
address = $paddr
mode = transport
EOF
		for p in "$@"; do
			echo "protect = $p"
		done
		cat <<EOF
auth = psk
psk = $psk
local-id = fqdn:$host.lab.example
remote-id = fqdn:$peer.lab.example
start = $start
retransmit-timeout = 500ms
retransmit-tries = 2
EOF
	} >"$LAB_TMP/$host.conf"
	chmod 600 "$LAB_TMP/$host.conf"
}

# selectors HOST: the IKE SA's negotiated selectors, as a python list.
selectors() { tsd_query "$1" "j['ike_sas'][0]['selectors']"; }

# out_packets: what A's outbound IKE SA has carried.
out_packets() { tsd_query a "[s['packets'] for s in j['sas'] if s['name'] == 'ike-out'][0]"; }

lab_up
PSK=0x$(tsd_random_hex 32)
write_ike a b "$LAB_B4" "$LAB_A4" initiate "$PSK" \
	"proto tcp" "proto udp rport 5201" "proto icmp"
write_ike b a "$LAB_A4" "$LAB_B4" wait "$PSK" "proto tcp lport 5201"
tsd_start b && tsd_start a || lab_die "tunsecd did not start"
if wait_for 10 both_up; then
	pass established
else
	fail established "a: $(state a), b: $(state b)"
fi

# What was agreed, on both sides, from each side's point of view.
want_a="['local $LAB_A4/32 remote $LAB_B4/32 proto tcp rport 5201']"
want_b="['local $LAB_B4/32 remote $LAB_A4/32 proto tcp lport 5201']"
got_a=$(selectors a)
got_b=$(selectors b)
[ "$got_a" = "$want_a" ] && pass initiator_shows_narrowed ||
	fail initiator_shows_narrowed "a lists $got_a, want $want_a"
[ "$got_b" = "$want_b" ] && pass responder_shows_narrowed ||
	fail responder_shows_narrowed "b lists $got_b, want $want_b"
# The text form too: a "selectors:" line under the IKE SA.
if "$TSD_CLI" show --socket "$LAB_TMP/a.sock" |
	grep -Eq "^  selectors: +local $LAB_A4/32 remote $LAB_B4/32 proto tcp rport 5201$"; then
	pass text_shows_selectors
else
	fail text_shows_selectors "$("$TSD_CLI" show --socket "$LAB_TMP/a.sock" | grep -A8 ike-sa)"
fi

# Inside the selectors: TCP to B:5201 crosses, as ESP only.
tsd_capture "$B" ub "$LAB_TMP/in.pcap" 30 udp port 4500 or tcp port 5201
lab_transfer_sha "$A" "$B" "$LAB_B4" 5201 "$XFER_BYTES" && pass inside_tcp_sha256 ||
	fail inside_tcp_sha256 "2 MiB to port 5201: sha256 differs"
tsd_capture_stop
n_esp=$(tsd_tshark_count "$LAB_TMP/in.pcap" "esp && ip.src == $LAB_A4")
n_clear=$(tsd_tshark_count "$LAB_TMP/in.pcap" "tcp.port == 5201")
if [ "$n_esp" -gt 0 ] && [ "$n_clear" = 0 ]; then
	pass inside_as_esp
else
	fail inside_as_esp "ESP from A $n_esp, clear TCP to 5201 $n_clear"
fi

# Outside them (but inside A's configuration): dropped by A, counted.
before_drops=$(tsd_query a "drop('outside-ts')")
before_out=$(out_packets)
tsd_capture "$B" ub "$LAB_TMP/out.pcap" 30 not udp port 500
lab_bg -t 10 "$B" "$LAB_PY" -c "
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('$LAB_B4', 5202)); s.listen(1); s.settimeout(8)
try:
    s.accept()
except socket.timeout:
    pass
"
lab_wait_port "$B" 5202 5 || lab_log "listener on 5202 did not start"
if lab_exec "$A" timeout 4 "$LAB_PY" -c "
import socket
socket.create_connection(('$LAB_B4', 5202), timeout=3)
" 2>/dev/null; then
	fail outside_tcp_refused "a connection to port 5202 was made"
else
	pass outside_tcp_refused
fi
lab_exec "$A" "$LAB_PY" -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(5):
    s.sendto(b'outside %d' % i, ('$LAB_B4', 5201))
"
tsd_ping "$A" "$LAB_B4" 2 && fail outside_icmp_refused "ping answered" ||
	pass outside_icmp_refused
tsd_capture_stop
after_drops=$(tsd_query a "drop('outside-ts')")
after_out=$(out_packets)
# 5 datagrams, 2 echo requests and at least one SYN.
if [ "$((after_drops - before_drops))" -ge 8 ]; then
	pass outside_counted
else
	fail outside_counted "outside-ts went from $before_drops to $after_drops"
fi
[ "$after_out" = "$before_out" ] && pass outside_not_on_sa ||
	fail outside_not_on_sa "A's outbound SA went from $before_out to $after_out packets"
n_esp=$(tsd_tshark_count "$LAB_TMP/out.pcap" "esp && ip.src == $LAB_A4")
n_clear=$(tsd_tshark_count "$LAB_TMP/out.pcap" "tcp.port == 5202 || udp.port == 5201 || icmp")
if [ "$n_esp" = 0 ] && [ "$n_clear" = 0 ]; then
	pass outside_not_on_wire
else
	fail outside_not_on_wire "ESP from A $n_esp, clear packets $n_clear"
fi
# B's own SAs dropped nothing as outside their selectors.
[ "$(tsd_query b "drop('policy')")" = 0 ] && pass responder_no_policy_drops ||
	fail responder_no_policy_drops "b: $(tsd_query b drops)"

tsd_stop_pair clean_exit
lab_finish
