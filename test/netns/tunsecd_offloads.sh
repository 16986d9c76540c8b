#!/usr/bin/env bash
# The speed machinery must never change what arrives: a 32 MiB TCP transfer
# each way arrives intact (sha256) with every offload on, and with each one
# off in turn (TUN segmentation, UDP GSO, UDP GRO, coalescing, one worker);
# and two workers with per-CPU SAs share the traffic: both carry packets on
# both hosts, and every SA stays on one worker (outbound: its per-CPU slot;
# inbound: steered by SPI).
#
#  ns $A                                            ns $B
#  tunsecd: ts0 (one queue per worker)              tunsecd: ts0
#  ua 10.201.0.1  <== veth, ESP in UDP 4500, one SO_REUSEPORT socket per ==>  ub 10.201.0.2
#                     worker, steered by SPI mod 2
#
# Transport mode, AES-GCM-256; A protects tcp 5201 (iperf3) and tcp 9000
# both ways (the transfers) and icmp. Each case restarts both daemons with
# fresh keys. One switch is turned off in the configuration file (udp-gro),
# the others on the command line, so both ways are exercised.
set -u
. "$(dirname "$0")/lib.sh"
. "$LAB_DIR/tunsecd_lib.sh"

XFER_BYTES=$((32 << 20))
LAB_TRANSFER_TIMEOUT=60
SELECTORS=("proto icmp" "proto tcp rport 5201" "proto tcp rport 9000"
	"proto tcp lport 9000")

# daemon_line HOST LINE: add LINE to the [daemon] section of HOST's config.
daemon_line() {
	sed -i "/^\[daemon\]\$/a $2" "$LAB_TMP/$1.conf"
}

# start_case ARGS [DAEMON-LINE]: both daemons with tunsecd ARGS and LINE.
start_case() {
	TSD_ARGS=$1
	tsd_write_pair
	if [ -n "${2:-}" ]; then
		daemon_line a "$2"
		daemon_line b "$2"
	fi
	tsd_start a && tsd_start b
}

# offloads_in_force HOST: the offloads tunsec show lists, space-separated.
offloads_in_force() {
	tsd_query "$1" "' '.join(j['daemon']['offloads'])"
}

# transfer_case NAME ARGS [DAEMON-LINE] EXPECT-ABSENT: the transfers, and
# the switch really off (EXPECT-ABSENT not among the offloads in force).
transfer_case() {
	local name=$1 args=$2 line=$3 absent=$4 off
	TSD_CIPHER=aes-gcm-256 TSD_ICV='' TSD_MODE=transport TSD_FAMILY=4
	TSD_SELECTORS=("${SELECTORS[@]}")
	if ! start_case "$args" "$line"; then
		fail "${name}_start" "tunsecd did not start"
		tsd_stop_pair "${name}_clean_exit"
		return
	fi
	off=$(offloads_in_force a)
	lab_log "$name: offloads in force on a: $off"
	if [ -z "$absent" ] || [[ " $off " != *" $absent "* ]]; then
		pass "${name}_switch"
	else
		fail "${name}_switch" "$absent still in force: $off"
	fi
	lab_transfer_sha "$A" "$B" "$LAB_B4" 9000 "$XFER_BYTES" &&
		pass "${name}_a_to_b_sha256" ||
		fail "${name}_a_to_b_sha256" "32 MiB A -> B: sha256 differs"
	lab_transfer_sha "$B" "$A" "$LAB_A4" 9000 "$XFER_BYTES" &&
		pass "${name}_b_to_a_sha256" ||
		fail "${name}_b_to_a_sha256" "32 MiB B -> A: sha256 differs"
	if [ "$(tsd_query a 'not drop("sa") and not drop("unparsable")')" = True ] &&
		[ "$(tsd_query b 'not drop("sa") and not drop("unparsable")')" = True ]; then
		pass "${name}_no_drops"
	else
		fail "${name}_no_drops" "a: $(tsd_query a drops) b: $(tsd_query b drops)"
	fi
	tsd_stop_pair "${name}_clean_exit"
}

# ---------------------------------------------------------------- workers

# per_cpu_sas HOST PEER OUTSPI INSPI KEYOUT KEYIN: a second per-CPU SA
# pair for HOST's peer (the first pair, cpu 0, is tsd_write_pair's).
per_cpu_sas() {
	cat >>"$LAB_TMP/$1.conf" <<EOF
[sa $2-out1]
peer = $2
direction = out
spi = $3
cpu = 1
cipher = $TSD_CIPHER
key = $5

[sa $2-in1]
peer = $2
direction = in
spi = $4
cipher = $TSD_CIPHER
key = $6
EOF
}

# The workers' checks, as python over `tunsec show --json` (tsd_query).
BOTH_WORKERS="len(j['workers']) == 2 and all(w['tun_packets'] > 0 and w['udp_packets'] > 0 for w in j['workers'])"
ONE_WORKER_EACH="len(j['sas']) == 4 and all(len(s['workers']) == 1 for s in j['sas'])"
IN_BY_SPI="all(s['workers'] == [s['spi'] % 2] for s in j['sas'] if s['direction'] == 'in')"
OUT_BY_CPU="all(s['workers'] == [s['cpu']] for s in j['sas'] if s['direction'] == 'out')"

workers_case() {
	local n k1 k2 h q
	TSD_CIPHER=aes-gcm-256 TSD_ICV='' TSD_MODE=transport TSD_FAMILY=4
	TSD_SELECTORS=("${SELECTORS[@]}")
	# SPIs of one direction differ mod 2: each lands on its own worker.
	TSD_SPI_AB=0x00001000 TSD_SPI_BA=0x00002000
	TSD_ARGS="--workers 2"
	tsd_write_pair
	n=$(tsd_key_len "$TSD_CIPHER")
	k1=$(tsd_random_hex "$n")
	k2=$(tsd_random_hex "$n")
	per_cpu_sas a b 0x00001001 0x00002001 "$k1" "$k2"
	per_cpu_sas b a 0x00002001 0x00001001 "$k2" "$k1"
	if ! { tsd_start a && tsd_start b; }; then
		fail workers_start "tunsecd did not start with 2 workers"
		tsd_stop_pair workers_clean_exit
		return
	fi
	[ "$(tsd_query a "'spi-steering' in j['daemon']['offloads']")" = True ] &&
		pass workers_spi_steering ||
		fail workers_spi_steering "no SPI steering: $(offloads_in_force a)"
	# 8 streams each way: flows spread over the TUN queues by hash, so
	# both workers read from TUN (all 16 on one queue: about 1 in 30000).
	LAB_IPERF_PORT=5201 lab_iperf "$B" "$LAB_B4" "$A" 3 -P 8 --bidir >/dev/null ||
		fail workers_iperf3 "iperf3 -P 8 --bidir failed"
	lab_transfer_sha "$A" "$B" "$LAB_B4" 9000 "$((8 << 20))" &&
		pass workers_sha256 || fail workers_sha256 "8 MiB transfer: sha256 differs"
	for h in a b; do
		for q in BOTH_WORKERS ONE_WORKER_EACH IN_BY_SPI OUT_BY_CPU; do
			if [ "$(tsd_query "$h" "${!q}")" = True ]; then
				pass "workers_${h}_$q"
			else
				fail "workers_${h}_$q" "$(tsd_query "$h" "(j['workers'], [(s['direction'], s['spi'], s.get('cpu'), s['workers'], s['packets']) for s in j['sas']])")"
			fi
		done
	done
	tsd_stop_pair workers_clean_exit
	TSD_SPI_AB=0x00001001 TSD_SPI_BA=0x00002001
}

lab_up
transfer_case all_on "" "" ""
transfer_case no_tun_offload --no-tun-offload "" tun-offload
transfer_case no_udp_gso --no-udp-gso "" udp-gso
transfer_case no_udp_gro "" "udp-gro = no" udp-gro
transfer_case no_coalesce --no-coalesce "" coalesce
transfer_case one_worker "--workers 1" "" spi-steering
transfer_case all_off "--no-offload --workers 1" "" udp-gso
workers_case
lab_finish
