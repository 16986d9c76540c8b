#!/usr/bin/env bash
# IKEv2 through a NAT that maps ports at random (nftables masquerade on a
# router between the hosts): A, behind it, initiates to B, which knows A
# only by the NAT's address. Both move to port 4500 and B sends its ESP to
# the port the NAT mapped, not to 4500: ping and a TCP transfer cross the
# tunnel. A finds the NAT in front of it (B's NAT_DETECTION_DESTINATION_IP)
# and keeps the mapping open with one-byte NAT-keepalives; B, with no NAT
# in front, sends none. When the NAT forgets its mappings (conntrack
# flushed), A's next message comes from a new port and B's IKE SA and ESP
# follow it; so they do when the NAT then takes another public address.
#
#  ns $A                    ns $R                         ns $B
#  tunsecd (initiate)       masquerade to :20000-29999    tunsecd (wait)
#  lo 10.88.1.1/32                                        lo 10.88.2.1/32
#  ua 10.202.0.1 <-> ra 10.202.0.254 | rb 10.201.0.1 <-> ub 10.201.0.2
set -u
. "$(dirname "$0")/lib.sh"
. "$LAB_DIR/tunsecd_lib.sh"
. "$LAB_DIR/ike_lib.sh"

XFER_BYTES=$((4 << 20))
LAB_TRANSFER_TIMEOUT=30
TSD_LIFETIME=60

# write_nat HOST PEER LOCAL PEERADDR LOCALNET REMOTENET START PSK
write_nat() {
	cat >"$LAB_TMP/$1.conf" <<CONF
[daemon]
local-address = $3
control-socket = $LAB_TMP/$1.sock
tun = $TSD_TUN
log-level = debug

[peer $2]
address = $4
mode = tunnel
protect = local $5 remote $6
auth = psk
psk = $8
local-id = fqdn:$1.lab.example
remote-id = fqdn:$2.lab.example
start = $7
dpd-delay = 2s
nat-keepalive = 1s
retransmit-timeout = 500ms
retransmit-tries = 3
CONF
	chmod 600 "$LAB_TMP/$1.conf"
}

# b_ports FILE: the UDP destination ports of B's ESP and IKE towards A
# in capture FILE, "port port ... " (sorted, unique).
b_ports() {
	tshark -r "$1" -Y "ip.src == $LAB_B4 && udp.srcport == 4500" \
		-T fields -e udp.dstport 2>/dev/null | sort -u | tr '\n' ' '
}

lab_nat_up
ip -n "$A" addr add 10.88.1.1/32 dev lo
ip -n "$B" addr add 10.88.2.1/32 dev lo
PSK=0x$(tsd_random_hex 32)
write_nat a b "$LAB_A4_PRIV" "$LAB_B4" 10.88.1.0/24 10.88.2.0/24 initiate "$PSK"
write_nat b a "$LAB_B4" "$LAB_A4" 10.88.2.0/24 10.88.1.0/24 wait "$PSK"
tsd_capture "$B" ub "$LAB_TMP/b.pcap" 40 udp
tsd_start b && tsd_start a || lab_die "tunsecd did not start"
if wait_for 10 both_up; then
	pass established_through_nat
else
	fail established_through_nat "a: $(state a), b: $(state b)"
fi
tsd_ping "$A" 10.88.2.1 3 10.88.1.1 && pass ping_through_nat ||
	fail ping_through_nat "no echo"
lab_transfer_sha "$A" "$B" 10.88.2.1 9000 "$XFER_BYTES" && pass tcp_sha256_through_nat ||
	fail tcp_sha256_through_nat "4 MiB transfer: sha256 differs"
sleep 3 # three keepalive periods
tsd_capture_stop
ports=$(b_ports "$LAB_TMP/b.pcap")
lab_log "B sent from 4500 to A's ports: $ports"
case " $ports" in
*" 4500 "*) fail esp_to_mapped_port "B sent to port 4500: $ports" ;;
" ") fail esp_to_mapped_port "nothing from B's port 4500" ;;
*) pass esp_to_mapped_port ;;
esac
# tunsec show: A knows the NAT is in front of it, B not; B shows A at the
# NAT's address and the port its ESP went to.
na=$(tsd_query a "j['ike_sas'][0]['nat_local']")
nb=$(tsd_query b "j['ike_sas'][0]['nat_local']")
[ "$na" = 1 ] && [ "$nb" = 0 ] && pass show_nat_side ||
	fail show_nat_side "nat_local a: $na, b: $nb"
remote=$(tsd_query b "'%s %s' % (j['ike_sas'][0]['remote'], j['ike_sas'][0]['remote_port'])")
case "$remote" in
"$LAB_A4 4500" | "") fail show_remote_mapped "B shows A at ${remote:-nothing}" ;;
"$LAB_A4 "*) case " $ports" in
	*" ${remote#* } "*) pass show_remote_mapped ;;
	*) fail show_remote_mapped "B shows $remote, sent to $ports" ;;
	esac ;;
*) fail show_remote_mapped "B shows A at $remote" ;;
esac
n=$(tsd_tshark_count "$LAB_TMP/b.pcap" "ip.src == $LAB_A4 && udp.length == 9 && udp.payload[0] == 0xff")
[ "$n" -ge 2 ] && pass keepalives_from_behind_nat ||
	fail keepalives_from_behind_nat "$n keepalives reached B"
n=$(tsd_tshark_count "$LAB_TMP/b.pcap" "ip.src == $LAB_B4 && udp.length == 9")
[ "$n" = 0 ] && pass no_keepalives_without_nat ||
	fail no_keepalives_without_nat "B sent $n keepalives"

# nat_forgets PCAP ADDR FOLLOWED PING: the NAT's mappings flushed with a
# capture of B's link running into PCAP; A's next packets leave with a new
# mapping, and a liveness check of A's reaches B from it: B must say the
# peer moved to ADDR within 15 s (case FOLLOWED), and ping must cross
# after (case PING). The capture is stopped.
nat_forgets() {
	tsd_capture "$B" ub "$1" 30 udp
	ip netns exec "$R" conntrack -F >/dev/null 2>&1 || lab_log "conntrack -F failed"
	if wait_for 15 grep -q "the peer moved to $2 port" "$LAB_TMP/b.log"; then
		pass "$3"
	else
		fail "$3" "no move to $2 seen by B"
	fi
	tsd_ping "$A" 10.88.2.1 3 10.88.1.1 && pass "$4" || fail "$4" "no echo"
	tsd_capture_stop
}

# The NAT forgets: A's next packets get a new port; B's IKE SA and ESP
# follow it.
nat_forgets "$LAB_TMP/moved.pcap" "$LAB_A4" peer_move_followed ping_after_new_mapping
new=$(b_ports "$LAB_TMP/moved.pcap")
lab_log "after the flush, B sent to A's ports: $new"
fresh=0
for p in $new; do
	case " $ports" in *" $p "*) ;; *) fresh=1 ;; esac
done
[ "$fresh" = 1 ] && pass new_port_used ||
	fail new_port_used "B sent to $new after the flush, to $ports before"

# The NAT takes another public address (CGNAT pools do): A's next IKE
# message comes from it; B's IKE SA and ESP follow it there.
NAT_NEW=10.201.0.3
ip -n "$R" addr add "$NAT_NEW/24" dev rb || lab_die "second NAT address"
ip netns exec "$R" nft -f - <<EOF || lab_die "nft snat"
flush chain ip lab_nat post
add rule ip lab_nat post oifname "rb" meta l4proto { tcp, udp } snat to $NAT_NEW:20000-29999 random
add rule ip lab_nat post oifname "rb" snat to $NAT_NEW
EOF
nat_forgets "$LAB_TMP/readdr.pcap" "$NAT_NEW" peer_new_address_followed ping_after_new_address
n=$(tsd_tshark_count "$LAB_TMP/readdr.pcap" "ip.src == $LAB_B4 && ip.dst == $NAT_NEW && udp.srcport == 4500 && !(udp.payload[0:4] == 00:00:00:00)")
[ "$n" -ge 3 ] && pass esp_to_new_address || fail esp_to_new_address "$n ESP datagrams from B to $NAT_NEW"
remote=$(tsd_query b "j['ike_sas'][0]['remote']")
[ "$remote" = "$NAT_NEW" ] && pass show_new_address ||
	fail show_new_address "B shows A at $remote"

tsd_stop a || fail a_clean_exit "tunsecd a exit ${TSD_RC:-?}"
tsd_stop b || fail b_clean_exit "tunsecd b exit ${TSD_RC:-?}"
lab_finish
