#!/usr/bin/env bash
# Traffic through two tunsecd's, for every cipher: ping, TCP (iperf3 and a
# file whose sha256 must match at both ends) and UDP (datagrams echoed one
# by one), in transport mode over IPv4 for all six ciphers, over IPv6 for
# one, and in tunnel mode between two overlay subnets for all six.
#
#  ns $A                                      ns $B
#  lo 10.88.1.1/32 fd00:88:1::1/128           lo 10.88.2.1/32 fd00:88:2::1/128
#     (tunnel mode: local 10.88.1.0/24           (overlay, routes through ts0
#      remote 10.88.2.0/24, via ts0)              installed by tunsecd)
#  tunsecd: ts0, nft, fwmark rule             tunsecd: ts0, nft, fwmark rule
#  ua 10.201.0.1 fd00:201::1  <== veth, ESP in UDP 4500 ==>  ub 10.201.0.2 fd00:201::2
#
# Transport mode protects, as A sees it: icmp (icmpv6), tcp rport 5201
# (iperf3), tcp rport 9000 (file transfer), udp rport 7777 (echo), all
# between the underlay addresses; B's configuration is the mirror image.
# Each case restarts both daemons with a new configuration and fresh keys
# (the namespaces stay). After the traffic, each side's inbound SA must have
# counted packets and no drops, and B's at least the bytes of the file: the
# traffic really crossed as ESP.
set -u
. "$(dirname "$0")/lib.sh"
. "$LAB_DIR/tunsecd_lib.sh"

XFER_BYTES=$((4 << 20))
UDP_N=60
LAB_TRANSFER_TIMEOUT=20

# gbps_positive G: iperf3 measured more than nothing.
gbps_positive() { awk -v g="$1" 'BEGIN { exit !(g + 0 > 0) }'; }

# sa_counted: both daemons' SAs are of the configured cipher (and ICV),
# counted packets, and their inbound SAs no drops; B's inbound SA carried
# at least the transferred file.
sa_counted() {
	local n q icv=${TSD_ICV:-0}
	q=$(tsd_query a "[s['cipher'] for s in j['sas']] == ['$TSD_CIPHER'] * 2 and ($icv == 0 or sa('out')['icv'] == $icv)")
	[ "$q" = True ] || { echo "a: SAs are not $TSD_CIPHER${TSD_ICV:+ with ICV $TSD_ICV}: $(tsd_query a "[(s['cipher'], s['icv']) for s in j['sas']]")"; return 1; }
	q=$(tsd_query b "sa('in')['bytes'] >= $XFER_BYTES") || { echo "tunsec show failed on b"; return 1; }
	[ "$q" = True ] || { echo "b: inbound SA carried less than the $XFER_BYTES-byte file"; return 1; }
	for n in a b; do
		q=$(tsd_query "$n" 'sa("in")["packets"] > 0 and sa("out")["packets"] > 0 and not sa("in")["drops"]') ||
			{ echo "tunsec show failed on $n"; return 1; }
		[ "$q" = True ] || { echo "$n: $(tsd_show "$n" | tr -d '\n ' | head -c 600)"; return 1; }
	done
}

# traffic NAME SRC DST [SRC6 DST6]: the checks of one case, A -> B (the
# server side is B). SRC is A's address for the UDP client (tunnel mode).
traffic() {
	local name=$1 src=$2 dst=$3 src6=${4:-} dst6=${5:-} g why
	tsd_ping "$A" "$dst" 3 && pass "${name}_ping" || fail "${name}_ping" "no reply from $dst"
	if [ -n "$dst6" ]; then
		tsd_ping "$A" "$dst6" 3 "$src6" && pass "${name}_ping6" || fail "${name}_ping6" "no reply from $dst6"
	fi
	if g=$(lab_iperf "$B" "$dst" "$A" 1) && gbps_positive "$g"; then
		pass "${name}_iperf3"
		lab_log "$name: iperf3 $g Gbit/s"
	else
		fail "${name}_iperf3" "iperf3 did not run or moved nothing (${g:-no result})"
	fi
	lab_transfer_sha "$A" "$B" "$dst" 9000 "$XFER_BYTES" &&
		pass "${name}_tcp_sha256" || fail "${name}_tcp_sha256" "4 MiB transfer: sha256 differs"
	tsd_udp_echo "$B" "$A" "$dst" 7777 "$UDP_N" "$src" &&
		pass "${name}_udp" || fail "${name}_udp" "datagrams lost or changed"
	if why=$(sa_counted); then
		pass "${name}_sa_counters"
	else
		fail "${name}_sa_counters" "$why"
	fi
}

# transport CIPHER [ICV]: one transport-mode case over IPv4.
transport() {
	TSD_CIPHER=$1 TSD_ICV=${2:-} TSD_MODE=transport TSD_FAMILY=4
	TSD_SELECTORS=("proto icmp" "proto tcp rport 5201" "proto tcp rport 9000"
		"proto udp rport 7777")
	tsd_start_pair
	traffic "transport_$1${2:+_icv$2}" "$LAB_A4" "$LAB_B4"
	tsd_stop_pair "transport_$1${2:+_icv$2}_clean_exit"
}

# The same without TUN offloads (one packet per TUN read and write), and
# a check that the offloaded runs above really had them.
no_offload() {
	local logs
	logs=$(cat "$LAB_TMP/a.log" "$LAB_TMP/b.log")
	if grep -q "segmentation offloads on" <<<"$logs"; then
		pass offloads_were_on
	else
		fail offloads_were_on "no daemon log says offloads were on"
	fi
	TSD_ARGS=--no-offload
	TSD_CIPHER=aes-gcm-256 TSD_ICV='' TSD_MODE=transport TSD_FAMILY=4
	TSD_SELECTORS=("proto icmp" "proto tcp rport 5201" "proto tcp rport 9000"
		"proto udp rport 7777")
	tsd_start_pair
	traffic "no_offload_aes-gcm-256" "$LAB_A4" "$LAB_B4"
	tsd_stop_pair "no_offload_clean_exit"
	TSD_ARGS=
}

transport6() {
	TSD_CIPHER=$1 TSD_ICV='' TSD_MODE=transport TSD_FAMILY=6
	TSD_SELECTORS=("proto icmpv6" "proto tcp rport 5201" "proto tcp rport 9000"
		"proto udp rport 7777")
	tsd_start_pair
	traffic "transport6_$1" "$LAB_A6" "$LAB_B6"
	tsd_stop_pair "transport6_$1_clean_exit"
}

tunnel() {
	TSD_CIPHER=$1 TSD_ICV=${2:-} TSD_MODE=tunnel TSD_FAMILY=4
	TSD_SELECTORS=("local 10.88.1.0/24 remote 10.88.2.0/24"
		"local fd00:88:1::/64 remote fd00:88:2::/64")
	tsd_start_pair
	traffic "tunnel_$1" 10.88.1.1 10.88.2.1 fd00:88:1::1 fd00:88:2::1
	tsd_stop_pair "tunnel_$1_clean_exit"
}

lab_up
ip -n "$A" addr add 10.88.1.1/32 dev lo
ip -n "$A" addr add fd00:88:1::1/128 dev lo nodad
ip -n "$B" addr add 10.88.2.1/32 dev lo
ip -n "$B" addr add fd00:88:2::1/128 dev lo nodad

transport aes-gcm-256
transport aes-gcm-128
transport aes-ccm-128 8
transport chacha20-poly1305
transport null-hmac-sha256
transport null
transport6 aes-gcm-256
no_offload
tunnel aes-gcm-256
tunnel aes-gcm-128
tunnel aes-ccm-128 8
tunnel chacha20-poly1305
tunnel null-hmac-sha256
tunnel null
lab_finish
