#!/usr/bin/env bash
# Tunnel throughput in one sitting on the two-host lab (test/netns/lib.sh):
# TCP iperf3 from host A to host B over
#   - clear veth, the kernel's offloads on (the default) and TSO/GSO/GRO off;
#   - tunsecd, transport mode, for each cipher, its offloads on and off;
#   - strongSwan's user-space ESP (charon-systemd with kernel-libipsec,
#     tunnel mode, ESP in UDP) with AES-GCM-256 and AES-CCM-128-ICV8;
#   - wireguard-go;
# one stream each, then 8 streams over tunsecd and over clear veth. For every
# run: Gbit/s (iperf3's receiver), CPU seconds of each daemon (utime+stime
# of /proc/PID/stat) and of the whole machine (/proc/stat), per gigabit.
# Writes tunnel.json, tunnel.md and tunnel.png (bench/plot.gp) into the
# output directory and prints tunnel.md. A benchmark, not a test: no number
# makes it fail.
#
#   bench/tunnel.sh BUILD [--quick] [--runs N] [--seconds S] [--only REGEX]
#                         [--out DIR] [--off SWITCH]... [--workers N]
#
#   --quick       1 run of 2 s per configuration
#   --only REGEX  only the configurations whose id matches (bash regex)
#   --off SWITCH  keep one tunsecd offload switch off in the "on" rows too
#   --workers N   the many-flows run goes from 1 to N workers (default nproc)
#
# Rounds are interleaved (round 1 of every configuration, then round 2, ...)
# so that a change of load on a shared machine hits every row alike. Each
# round starts the daemons afresh with new keys.
set -u
TUNSEC_SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
TUNSEC_BUILD=$(cd "${1:-build}" 2>/dev/null && pwd) ||
	{ echo "usage: $0 BUILD [options]" >&2; exit 2; }
export TUNSEC_SRCDIR TUNSEC_BUILD
shift

BENCH_RUNS=3
BENCH_SECS=5
BENCH_ONLY=
BENCH_OUT=$TUNSEC_SRCDIR/bench/results
BENCH_WORKERS=$(nproc)
BENCH_PORT=5201
BENCH_OFF=()
while [ $# -gt 0 ]; do
	case $1 in
	--quick) BENCH_RUNS=1 BENCH_SECS=2; shift ;;
	--runs) BENCH_RUNS=$2; shift 2 ;;
	--seconds) BENCH_SECS=$2; shift 2 ;;
	--only) BENCH_ONLY=$2; shift 2 ;;
	--out) BENCH_OUT=$2; shift 2 ;;
	--off) BENCH_OFF+=("$2"); shift 2 ;;
	--workers) BENCH_WORKERS=$2; shift 2 ;;
	*) echo "$0: unknown option $1" >&2; exit 2 ;;
	esac
done

# shellcheck source=../test/netns/lib.sh
. "$TUNSEC_SRCDIR/test/netns/lib.sh"
# shellcheck source=../test/netns/tunsecd_lib.sh
. "$TUNSEC_SRCDIR/test/netns/tunsecd_lib.sh"

BENCH_CIPHERS=(null null-hmac-sha256 aes-gcm-256 aes-gcm-128 aes-ccm-128 chacha20-poly1305)
BENCH_HZ=$(getconf CLK_TCK)
# Every daemon lives for one round of one configuration.
TSD_LIFETIME=$((BENCH_SECS + 60))
SWAN_A=10.202.1.1 # strongSwan: protected addresses on lo, routed via ipsec0
SWAN_B=10.202.2.1
WG_A=10.203.0.1 # wireguard-go: addresses on wg0
WG_B=10.203.0.2

# ---------------------------------------------------------------- switches

# tunsecd's offload switches. Each is NAME:FLAG, FLAG the
# tunsecd option that turns it off. A switch is available when tunsecd
# accepts FLAG (`tunsecd --check FLAG`), or else the [daemon] line
# "NAME = no" of tunsecd.conf(5); until then the tunsec rows run without it
# and the output says "not available yet" (so today "offloads on" and
# "offloads off" are one code path, measured twice). "off" rows turn every
# available switch off; "on" rows leave them on, except those named by
# --off. The many-flows run sets the worker count likewise (--workers N or
# "workers = N").
BENCH_SWITCHES=(tun-offload:--no-tun-offload udp-gso:--no-udp-gso udp-gro:--no-udp-gro
	coalesce:--no-coalesce)
declare -A SWITCH_STATE # NAME -> "available: HOW" | "not available yet"
declare -A SWITCH_HOW   # NAME -> "flag" | "conf" (available ones only)

# _bench_accepts LINE [OPTION...]: tunsecd --check accepts LINE in [daemon]
# and the OPTIONs.
_bench_accepts() {
	local f=$LAB_TMP/probe.conf
	printf '[daemon]\nlocal-address = %s\ncontrol-socket = %s\n%s\n\n[peer p]\naddress = %s\nprotect = proto tcp rport %s\n' \
		"$LAB_A4" "$LAB_TMP/probe.sock" "$1" "$LAB_B4" "$BENCH_PORT" >"$f"
	shift
	timeout 10 "$TSD_BIN" -c "$f" --check "$@" >/dev/null 2>&1
}

# _bench_probe NAME FLAG CONFLINE: how the switch NAME can be set, if at all.
# Options reach tunsecd only through TSD_ARGS of tunsecd_lib.sh.
_bench_probe() {
	SWITCH_STATE[$1]="not available yet"
	# shellcheck disable=SC2086 # FLAG may be an option with its value
	if [ -n "${TSD_ARGS+set}" ] && _bench_accepts "" $2; then
		SWITCH_HOW[$1]=flag SWITCH_STATE[$1]="available: tunsecd ${2% *}"
	elif _bench_accepts "$3"; then
		SWITCH_HOW[$1]=conf SWITCH_STATE[$1]="available: tunsecd.conf ${3% = *}"
	fi
}

bench_probe_switches() {
	local s
	for s in "${BENCH_SWITCHES[@]}"; do
		_bench_probe "${s%%:*}" "${s#*:}" "${s%%:*} = no"
	done
	_bench_probe workers "--workers 2" "workers = 2"
}

# bench_switches on|off [WORKERS]: TSD_ARGS for one row, and its [daemon]
# lines in $LAB_TMP/switches.
bench_switches() {
	local s name
	TSD_ARGS=''
	: >"$LAB_TMP/switches"
	for s in "${BENCH_SWITCHES[@]}"; do
		name=${s%%:*}
		[ "$1" = on ] && [[ " ${BENCH_OFF[*]} " != *" $name "* ]] && continue
		case ${SWITCH_HOW[$name]:-} in
		flag) TSD_ARGS="$TSD_ARGS ${s#*:}" ;;
		conf) echo "$name = no" >>"$LAB_TMP/switches" ;;
		esac
	done
	[ -n "${2:-}" ] || return 0
	case ${SWITCH_HOW[workers]:-} in
	flag) TSD_ARGS="$TSD_ARGS --workers $2" ;;
	conf) echo "workers = $2" >>"$LAB_TMP/switches" ;;
	esac
}

# ---------------------------------------------------------------- configurations

CFG_IDS=()
declare -A CFG_KIND CFG_CIPHER CFG_OFFLOAD CFG_STREAMS CFG_WORKERS CFG_STATUS

# bench_add ID KIND CIPHER OFFLOAD STREAMS WORKERS [STATUS]: one row; a
# STATUS ("unavailable: why") means it is reported but not run.
bench_add() {
	[ -n "$BENCH_ONLY" ] && ! [[ $1 =~ $BENCH_ONLY ]] && return 0
	CFG_IDS+=("$1")
	CFG_KIND[$1]=$2 CFG_CIPHER[$1]=$3 CFG_OFFLOAD[$1]=$4
	CFG_STREAMS[$1]=$5 CFG_WORKERS[$1]=$6 CFG_STATUS[$1]=${7:-}
}

# swan_missing / wg_missing: why the peer cannot run here, or nothing.
swan_missing() {
	local f m=
	for f in /usr/sbin/charon-systemd /usr/sbin/swanctl; do
		[ -x "$f" ] || m="$m $f"
	done
	for f in kernel-libipsec kernel-netlink gcm ccm openssl vici curve25519; do
		[ -e "/usr/lib/ipsec/plugins/libstrongswan-$f.so" ] || m="$m plugin $f"
	done
	[ -n "$m" ] && echo "not installed:$m (scripts/deps.sh)"
}

wg_missing() {
	local c m=
	for c in wireguard-go wg unshare nsenter; do
		command -v "$c" >/dev/null || m="$m $c"
	done
	[ -n "$m" ] && echo "not installed:$m (scripts/deps.sh)"
}

bench_configs() {
	local c o w why
	bench_add clear-off clear - off 1 -
	bench_add clear-on clear - on 1 -
	# "off": every switch off, one worker; "on": all on, the default
	# worker count.
	for o in off on; do
		w=1
		[ "$o" = on ] && w=$BENCH_WORKERS
		for c in "${BENCH_CIPHERS[@]}"; do
			bench_add "tunsec-$c-$o" tunsec "$c" "$o" 1 "$w"
		done
	done
	why=$(swan_missing)
	bench_add swan-aes-gcm-256 swan aes-gcm-256 - 1 - "${why:+unavailable: $why}"
	bench_add swan-aes-ccm-128 swan aes-ccm-128 - 1 - "${why:+unavailable: $why}"
	why=$(wg_missing)
	bench_add wg-chacha20-poly1305 wg chacha20-poly1305 - 1 - "${why:+unavailable: $why}"
	bench_add clear-on-p8 clear - on 8 -
	bench_add tunsec-aes-gcm-256-on-p8-w1 tunsec aes-gcm-256 on 8 1
	for ((w = 2; w <= BENCH_WORKERS; w++)); do
		why=
		[ -n "${SWITCH_HOW[workers]:-}" ] ||
			why="unavailable: tunsecd has no workers switch (multi-worker not yet implemented)"
		bench_add "tunsec-aes-gcm-256-on-p8-w$w" tunsec aes-gcm-256 on 8 "$w" "$why"
	done
}

# ---------------------------------------------------------------- measuring

# _bench_cpu: "BUSY TOTAL" ticks of the machine (/proc/stat). Busy is user,
# nice, system, irq and softirq; steal (time the hypervisor took) is not.
_bench_cpu() {
	awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9; exit }' /proc/stat
}

# _bench_ticks PID: utime + stime of the process (all its threads), 0
# without a PID. The fields are counted after the ")" ending the name.
_bench_ticks() {
	local s
	[ -n "$1" ] && s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
	s=${s##*) }
	awk '{ print $12 + $13 }' <<<"$s"
}

# bench_iperf ID ROUND SERVER_NS ADDR CLIENT_NS SRC PID_A PID_B: one
# iperf3 run (server in SERVER_NS bound to ADDR, client in CLIENT_NS bound
# to SRC unless "-"), CPU snapshots around the client. Leaves the numbers in
# RUN_* for bench_record; status 1 when iperf3 gave no JSON.
bench_iperf() {
	local id=$1 round=$2 srv=$3 addr=$4 cli=$5 src=$6 pa=$7 pb=$8 spid c0 c1
	local args=(-c "$addr" -p "$BENCH_PORT" -t "$BENCH_SECS" -P "${CFG_STREAMS[$id]}" --json)
	[ "$src" != - ] && args+=(-B "$src")
	RUN_JSON=$LAB_TMP/iperf.$id.$round.json
	timeout -k 2 $((BENCH_SECS + 25)) ip netns exec "$srv" \
		iperf3 -s -1 -B "$addr" -p "$BENCH_PORT" >"$RUN_JSON.server" 2>&1 &
	spid=$!
	LAB_PIDS+=("$spid")
	lab_wait_port "$srv" "$BENCH_PORT" 5 || { RUN_ERR="iperf3 server did not listen"; return 1; }
	RUN_LOAD=$(cut -d' ' -f1 /proc/loadavg)
	c0=$(_bench_cpu) RUN_PA=$(_bench_ticks "$pa") RUN_PB=$(_bench_ticks "$pb")
	RUN_T0=$EPOCHREALTIME
	timeout -k 2 $((BENCH_SECS + 15)) ip netns exec "$cli" iperf3 "${args[@]}" \
		>"$RUN_JSON" 2>"$RUN_JSON.err"
	RUN_T1=$EPOCHREALTIME
	c1=$(_bench_cpu)
	RUN_PA="$RUN_PA $(_bench_ticks "$pa")" RUN_PB="$RUN_PB $(_bench_ticks "$pb")"
	RUN_CPU="$c0 $c1"
	lab_wait_pid "$spid" 5 || kill "$spid" 2>/dev/null
	[ -s "$RUN_JSON" ] || { RUN_ERR="iperf3: $(head -c 300 "$RUN_JSON.err")"; return 1; }
}

# bench_record ID ROUND STATUS WITNESS: one line of runs.tsv (the report
# reads the iperf3 JSON named there). WITNESS: bytes the tunnel counted on
# A's outbound side, "-" for clear veth. RUN_SET: the tunsecd switches used.
bench_record() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" \
		"${RUN_JSON:-}" "${RUN_T0:-0}" "${RUN_T1:-0}" "${RUN_CPU:-0 0 0 0}" \
		"${RUN_PA:-0 0}" "${RUN_PB:-0 0}" "${RUN_LOAD:-0}" "$4" "${RUN_SET:-}" >>"$LAB_TMP/runs.tsv"
}

# ---------------------------------------------------------------- clear veth

# The three features of each veth end as lab_up left them, to restore.
declare -A VETH_SAVED

_bench_veth_features() {
	ip netns exec "$1" ethtool -k "$2" 2>/dev/null | awk '
		/^tcp-segmentation-offload:/ { printf "tso %s ", $2 }
		/^generic-segmentation-offload:/ { printf "gso %s ", $2 }
		/^generic-receive-offload:/ { printf "gro %s ", $2 }'
}

bench_clear_up() {
	local ns dev
	[ "${CFG_OFFLOAD[$1]}" = off ] || return 0
	for ns in "$A:ua" "$B:ub"; do
		dev=${ns#*:} ns=${ns%%:*}
		[ -n "${VETH_SAVED[$dev]:-}" ] || VETH_SAVED[$dev]=$(_bench_veth_features "$ns" "$dev")
		ip netns exec "$ns" ethtool -K "$dev" tso off gso off gro off ||
			{ RUN_ERR="ethtool -K $dev tso off gso off gro off failed"; return 1; }
	done
}

bench_clear_down() {
	local dev ns
	[ "${CFG_OFFLOAD[$1]}" = off ] || return 0
	for dev in ua ub; do
		ns=$A
		[ "$dev" = ub ] && ns=$B
		# shellcheck disable=SC2086 # "tso on gso on gro off": words on purpose
		ip netns exec "$ns" ethtool -K "$dev" ${VETH_SAVED[$dev]} 2>/dev/null
	done
}

bench_run_clear() {
	bench_clear_up "$1" || return 1
	bench_iperf "$1" "$2" "$B" "$LAB_B4" "$A" - "" ""
	local rc=$?
	bench_clear_down "$1"
	WITNESS=-
	return "$rc"
}

# ---------------------------------------------------------------- tunsec

# bench_per_cpu_sas: a second SA each way on each host, per-CPU slot 1
# (tunsecd.conf(5)), so the many-flows rows run over four SAs. Its SPIs
# differ from the first pair's mod 2: the receiving workers split them.
bench_per_cpu_sas() {
	local n k1 k2 h peer o i ko ki
	n=$(tsd_key_len "$TSD_CIPHER")
	k1=$(tsd_random_hex "$n") k2=$(tsd_random_hex "$n")
	for h in a b; do
		if [ "$h" = a ]; then peer=b o=0x00001002 i=0x00002002 ko=$k1 ki=$k2
		else peer=a o=0x00002002 i=0x00001002 ko=$k2 ki=$k1; fi
		printf '[sa %s-out1]\npeer = %s\ndirection = out\nspi = %s\ncpu = 1\ncipher = %s\n%skey = %s\n\n[sa %s-in1]\npeer = %s\ndirection = in\nspi = %s\ncipher = %s\n%skey = %s\n\n' \
			"$peer" "$peer" "$o" "$TSD_CIPHER" "${TSD_ICV:+icv = $TSD_ICV\n}" "$ko" \
			"$peer" "$peer" "$i" "$TSD_CIPHER" "${TSD_ICV:+icv = $TSD_ICV\n}" "$ki" \
			>>"$LAB_TMP/$h.conf"
	done
}

# shellcheck disable=SC2034 # TSD_* are read by tunsecd_lib.sh
bench_run_tunsec() {
	local id=$1 round=$2 rc f
	TSD_CIPHER=${CFG_CIPHER[$id]} TSD_ICV='' TSD_MODE=transport TSD_FAMILY=4
	[ "$TSD_CIPHER" = aes-ccm-128 ] && TSD_ICV=8
	TSD_SELECTORS=("proto tcp rport $BENCH_PORT" "proto tcp lport $BENCH_PORT")
	tsd_write_pair
	bench_switches "${CFG_OFFLOAD[$id]}" "${CFG_WORKERS[$id]}"
	RUN_SET="${TSD_ARGS# }$(tr '\n' ';' <"$LAB_TMP/switches")"
	for f in a b; do
		sed -i "/^\[daemon\]\$/r $LAB_TMP/switches" "$LAB_TMP/$f.conf"
	done
	[ "${CFG_STREAMS[$id]}" -gt 1 ] && bench_per_cpu_sas
	if ! tsd_start a || ! tsd_start b; then
		RUN_ERR="tunsecd did not start: $(tail -n 2 "$LAB_TMP"/[ab].log | tr '\n' ' ')"
		tsd_stop a; tsd_stop b
		return 1
	fi
	bench_iperf "$id" "$round" "$B" "$LAB_B4" "$A" - "${TSD_PID[a]}" "${TSD_PID[b]}"
	rc=$?
	WITNESS=$(tsd_query a "sum(s['bytes'] for s in j['sas'] if s['direction'] == 'out')") ||
		WITNESS=0
	tsd_stop a || lab_log "tunsecd a: exit ${TSD_RC:-?}"
	tsd_stop b || lab_log "tunsecd b: exit ${TSD_RC:-?}"
	return "$rc"
}

# ---------------------------------------------------------------- strongSwan

declare -A SWAN_PID SWAN_WRAP

# _swan_esp CIPHER: strongSwan's name of the ESP proposal.
_swan_esp() {
	case $1 in aes-gcm-256) echo aes256gcm16 ;; aes-ccm-128) echo aes128ccm8 ;; esac
}

# _swan_write SIDE LOCAL REMOTE ID LTS RTS ESP PSK: strongswan.conf and
# swanctl.conf of one charon under $LAB_TMP/swan-SIDE. One setting a line:
# strongSwan's settings syntax has no separator between settings.
_swan_write() {
	local d=$LAB_TMP/swan-$1 sub
	for sub in x509 x509ca x509crl x509ocsp x509aa x509ac pubkey private rsa ecdsa bliss pkcs8 pkcs12; do
		mkdir -p "$d/$sub"
	done
	cat >"$d/strongswan.conf" <<-EOF
		charon-systemd {
		  load = random nonce openssl aesni aes gcm ccm chapoly sha1 sha2 hmac kdf pem pkcs1 x509 pubkey curve25519 kernel-libipsec kernel-netlink socket-default vici updown
		  load_modular = no
		  install_routes = yes
		  journal {
		    default = -1
		  }
		  filelog {
		    main {
		      path = $d/charon.log
		      default = 1
		      flush_line = yes
		    }
		  }
		  plugins {
		    vici {
		      socket = unix://$d/charon.vici
		    }
		  }
		}
		swanctl {
		  socket = unix://$d/charon.vici
		}
	EOF
	cat >"$d/swanctl.conf" <<-EOF
		connections {
		  lab {
		    version = 2
		    local_addrs = $2
		    remote_addrs = $3
		    encap = yes
		    proposals = aes256gcm16-prfsha256-x25519
		    local {
		      auth = psk
		      id = $4
		    }
		    remote {
		      auth = psk
		    }
		    children {
		      net {
		        local_ts = $5
		        remote_ts = $6
		        esp_proposals = $7
		        mode = tunnel
		      }
		    }
		  }
		}
		secrets {
		  ike-lab {
		    id-a = host-a
		    id-b = host-b
		    secret = 0x$8
		  }
		}
	EOF
	chmod 600 "$d/swanctl.conf"
}

# _swanctl SIDE ARGS...: swanctl against that side's charon.
_swanctl() {
	local d=$LAB_TMP/swan-$1
	shift
	STRONGSWAN_CONF=$d/strongswan.conf timeout 20 swanctl "$@" --uri "unix://$d/charon.vici" 2>&1 |
		grep -v "^plugin '"
	return "${PIPESTATUS[0]}"
}

_swan_vici_ready() { [ -S "$1" ]; }

# _swan_why OUTPUT: the lines of swanctl's OUTPUT that say what failed.
_swan_why() {
	grep -iE 'fail|invalid|error|not supported|unknown' <<<"$1" | head -n 3 | tr '\n' ' '
}

# swan_start SIDE: charon-systemd in that side's namespace, up to 10 s for
# its vici socket, then its configuration loaded.
swan_start() {
	local s=$1 ns=$A d=$LAB_TMP/swan-$1 out
	[ "$s" = b ] && ns=$B
	rm -f "$d/charon.vici"
	lab_bg -t "$TSD_LIFETIME" "$ns" env STRONGSWAN_CONF="$d/strongswan.conf" \
		/usr/sbin/charon-systemd 2>>"$d/charon.stderr"
	SWAN_WRAP[$s]=$LAB_PID
	if ! _lab_poll 10 _swan_vici_ready "$d/charon.vici"; then
		RUN_ERR="charon ($s) opened no vici socket: $(tail -n 2 "$d/charon.log" "$d/charon.stderr" 2>/dev/null | tr '\n' ' ')"
		return 1
	fi
	SWAN_PID[$s]=$(tsd_child "$LAB_PID")
	out=$(_swanctl "$s" --load-all --noprompt --file "$d/swanctl.conf") ||
		{ RUN_ERR="swanctl --load-all ($s): $(_swan_why "$out")"; return 1; }
}

swan_stop() {
	local s c
	for s in a b; do
		[ -n "${SWAN_WRAP[$s]:-}" ] || continue
		c=$(tsd_child "${SWAN_WRAP[$s]}") && kill -TERM "$c" 2>/dev/null
		lab_wait_pid "${SWAN_WRAP[$s]}" 5 || kill -KILL "$(tsd_child "${SWAN_WRAP[$s]}")" 2>/dev/null
		lab_wait_pid "${SWAN_WRAP[$s]}" 5
		SWAN_WRAP[$s]='' SWAN_PID[$s]=''
	done
}

# swan_up CIPHER: both charons, the IKE and Child SA initiated from A.
swan_up() {
	local esp psk out
	esp=$(_swan_esp "$1") psk=$(tsd_random_hex 32)
	_swan_write a "$LAB_A4" "$LAB_B4" host-a "$SWAN_A/32" "$SWAN_B/32" "$esp" "$psk"
	_swan_write b "$LAB_B4" "$LAB_A4" host-b "$SWAN_B/32" "$SWAN_A/32" "$esp" "$psk"
	swan_start a && swan_start b || return 1
	out=$(_swanctl a --initiate --child net --timeout 15) ||
		{ RUN_ERR="swanctl --initiate: $(_swan_why "$out")"; return 1; }
	out=$(_swanctl a --list-sas)
	grep -q "INSTALLED, TUNNEL-in-UDP" <<<"$out" ||
		{ RUN_ERR="no Child SA installed: $(tr '\n' ' ' <<<"$out" | head -c 300)"; return 1; }
}

# swan_out_bytes: bytes of A's outbound Child SA ("out SPI, N bytes, ...").
swan_out_bytes() {
	_swanctl a --list-sas | awk '$1 == "out" { gsub(",", "", $3); print $3; exit }'
}

bench_run_swan() {
	local id=$1 round=$2 rc
	if ! swan_up "${CFG_CIPHER[$id]}"; then
		swan_stop
		return 2
	fi
	bench_iperf "$id" "$round" "$B" "$SWAN_B" "$A" "$SWAN_A" "${SWAN_PID[a]}" "${SWAN_PID[b]}"
	rc=$?
	WITNESS=$(swan_out_bytes)
	swan_stop
	return "$rc"
}

# ---------------------------------------------------------------- wireguard-go

declare -A WG_PID WG_WRAP

_wg_ready() { nsenter -t "$1" -m -n wg show wg0 >/dev/null 2>&1; }

# wg_start SIDE: wireguard-go in that side's namespace with a private /run
# (its control socket lives in /run/wireguard), up to 10 s for the socket.
wg_start() {
	local s=$1 ns=$A
	[ "$s" = b ] && ns=$B
	lab_bg -t "$TSD_LIFETIME" "$ns" unshare -m --propagation private sh -c \
		'mount -t tmpfs wgrun /run && mkdir -p /run/wireguard &&
		 exec env WG_PROCESS_FOREGROUND=1 LOG_LEVEL=error wireguard-go -f wg0' \
		2>>"$LAB_TMP/wg-$s.log"
	WG_WRAP[$s]=$LAB_PID
	_lab_poll 5 tsd_child "$LAB_PID" >/dev/null || { RUN_ERR="wireguard-go ($s) did not start"; return 1; }
	WG_PID[$s]=$(tsd_child "$LAB_PID")
	_lab_poll 10 _wg_ready "${WG_PID[$s]}" ||
		{ RUN_ERR="wireguard-go ($s): no wg0: $(tail -n 2 "$LAB_TMP/wg-$s.log" | tr '\n' ' ')"; return 1; }
}

# wg_conf SIDE PEER MYADDR PEERADDR ENDPOINT: keys, peer, address, link up.
wg_conf() {
	local p=${WG_PID[$1]}
	nsenter -t "$p" -m -n wg set wg0 private-key "$LAB_TMP/wg-$1.key" listen-port 51820 \
		peer "$(cat "$LAB_TMP/wg-$2.pub")" allowed-ips "$4/32" endpoint "$5:51820" &&
		nsenter -t "$p" -n ip addr add "$3/24" dev wg0 &&
		nsenter -t "$p" -n ip link set wg0 up
}

wg_stop() {
	local s
	for s in a b; do
		[ -n "${WG_WRAP[$s]:-}" ] || continue
		[ -n "${WG_PID[$s]:-}" ] && kill -TERM "${WG_PID[$s]}" 2>/dev/null
		lab_wait_pid "${WG_WRAP[$s]}" 5 || kill -KILL "${WG_PID[$s]}" 2>/dev/null
		lab_wait_pid "${WG_WRAP[$s]}" 5
		WG_WRAP[$s]='' WG_PID[$s]=''
	done
}

wg_up() {
	local s
	for s in a b; do
		(umask 077 && wg genkey >"$LAB_TMP/wg-$s.key") &&
			wg pubkey <"$LAB_TMP/wg-$s.key" >"$LAB_TMP/wg-$s.pub" ||
			{ RUN_ERR="wg genkey failed"; return 1; }
		wg_start "$s" || return 1
	done
	wg_conf a b "$WG_A" "$WG_B" "$LAB_B4" && wg_conf b a "$WG_B" "$WG_A" "$LAB_A4" ||
		{ RUN_ERR="wg set / ip on wg0 failed"; return 1; }
	tsd_ping "$A" "$WG_B" 1 || { RUN_ERR="no ping across wg0 (handshake)"; return 1; }
}

bench_run_wg() {
	local id=$1 round=$2 rc
	if ! wg_up; then
		wg_stop
		return 2
	fi
	bench_iperf "$id" "$round" "$B" "$WG_B" "$A" - "${WG_PID[a]}" "${WG_PID[b]}"
	rc=$?
	WITNESS=$(nsenter -t "${WG_PID[a]}" -m -n wg show wg0 transfer | awk '{ print $3; exit }')
	wg_stop
	return "$rc"
}

# ---------------------------------------------------------------- rounds

# bench_run ID ROUND: one run of one configuration, recorded. A peer that
# cannot be set up (status 2) is marked unavailable and not tried again.
bench_run() {
	local id=$1 round=$2 rc
	RUN_ERR='' RUN_JSON='' RUN_T0='' RUN_T1='' RUN_CPU='' RUN_PA='' RUN_PB='' RUN_LOAD='' RUN_SET='' WITNESS=-
	"bench_run_${CFG_KIND[$id]}" "$id" "$round"
	rc=$?
	if [ "$rc" = 2 ]; then
		CFG_STATUS[$id]="unavailable: $RUN_ERR"
		lab_log "$id: $RUN_ERR"
		return
	fi
	if [ "$rc" != 0 ]; then
		lab_log "$id round $round failed: $RUN_ERR"
		bench_record "$id" "$round" "failed: $RUN_ERR" "${WITNESS:--}"
		return
	fi
	bench_record "$id" "$round" ok "${WITNESS:-0}"
	lab_log "$id round $round: $("$LAB_PY" -c "$_BENCH_GBPS_PY" "$RUN_JSON") Gbit/s${RUN_SET:+ [$RUN_SET]}"
}

_BENCH_GBPS_PY='
import json, sys
try:
    e = json.load(open(sys.argv[1]))["end"]["sum_received"]
    print("%.2f" % (e["bits_per_second"] / 1e9))
except Exception as x:
    print("? (%s)" % x)
'

# bench_background SECONDS: the machine's busy share before the run, in %.
bench_background() {
	local c0 c1
	c0=$(_bench_cpu)
	sleep "$1"
	c1=$(_bench_cpu)
	awk -v a="$c0" -v b="$c1" 'BEGIN { split(a, x, " "); split(b, y, " ");
		t = y[2] - x[2]; p = 0; if (t > 0) p = 100 * (y[1] - x[1]) / t; printf "%.0f", p }'
}

bench_meta() {
	local id
	{
		printf 'runs\t%s\nseconds\t%s\nhz\t%s\nnproc\t%s\n' "$BENCH_RUNS" "$BENCH_SECS" "$BENCH_HZ" "$(nproc)"
		printf 'cpu\t%s\n' "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
		printf 'kernel\t%s\n' "$(uname -r)"
		printf 'iperf3\t%s\n' "$(iperf3 --version | head -n 1)"
		# From the package database: `swanctl --version` would ask a daemon.
		# shellcheck disable=SC2016 # ${Version} is dpkg-query's
		printf 'strongswan\t%s\n' "$(dpkg-query -W -f='strongSwan ${Version}' strongswan-charon 2>/dev/null)"
		printf 'wireguard_go\t%s\n' "$(wireguard-go --version 2>/dev/null | head -n 1)"
		printf 'tunsecd\t%s\n' "$TSD_BIN"
		printf 'load_before\t%s\nload_after\t%s\n' "$LOAD_BEFORE" "$(cut -d' ' -f1-3 /proc/loadavg)"
		printf 'background_cpu\t%s\n' "$BACKGROUND"
		printf 'date\t%s\n' "$STAMP"
		for id in "${!SWITCH_STATE[@]}"; do
			printf 'switch\t%s\t%s\n' "$id" "${SWITCH_STATE[$id]}"
		done
		printf 'off\t%s\n' "${BENCH_OFF[*]}"
	} >"$LAB_TMP/meta.tsv"
	for id in "${CFG_IDS[@]}"; do
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "${CFG_KIND[$id]}" "${CFG_CIPHER[$id]}" \
			"${CFG_OFFLOAD[$id]}" "${CFG_STREAMS[$id]}" "${CFG_WORKERS[$id]}" "${CFG_STATUS[$id]}"
	done >"$LAB_TMP/configs.tsv"
}

main() {
	local r id
	command -v iperf3 >/dev/null && command -v ethtool >/dev/null ||
		lab_die "iperf3 and ethtool are needed (scripts/deps.sh)"
	STAMP=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
	BACKGROUND=$(bench_background 2)
	lab_up || lab_die "cannot build the two hosts"
	ip -n "$A" addr add "$SWAN_A/32" dev lo && ip -n "$B" addr add "$SWAN_B/32" dev lo ||
		lab_die "addresses on lo"
	bench_probe_switches
	bench_configs
	: >"$LAB_TMP/runs.tsv"
	lab_log "${#CFG_IDS[@]} configurations, $BENCH_RUNS round(s) of $BENCH_SECS s; lab $A $B"
	for ((r = 1; r <= BENCH_RUNS; r++)); do
		for id in "${CFG_IDS[@]}"; do
			[ -z "${CFG_STATUS[$id]}" ] && bench_run "$id" "$r"
		done
	done
	bench_meta
	mkdir -p "$BENCH_OUT" || lab_die "cannot create $BENCH_OUT"
	"$LAB_PY" "$TUNSEC_SRCDIR/bench/tunnel_report.py" "$LAB_TMP" "$BENCH_OUT" ||
		lab_die "report failed"
	if command -v gnuplot >/dev/null; then
		# Series without any run draw no bars; gnuplot warns about each.
		timeout 30 gnuplot -e "datafile='$BENCH_OUT/tunnel.dat'; outfile='$BENCH_OUT/tunnel.png'" \
			"$TUNSEC_SRCDIR/bench/plot.gp" 2>"$LAB_TMP/gnuplot.err" || {
			rm -f "$BENCH_OUT/tunnel.png"
			lab_log "gnuplot failed, no tunnel.png: $(tail -n 1 "$LAB_TMP/gnuplot.err")"
		}
	else
		lab_log "gnuplot not installed: no tunnel.png"
	fi
	cat "$BENCH_OUT/tunnel.md"
}

main
