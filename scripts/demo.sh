#!/usr/bin/env bash
# The demo: two hosts (network namespaces joined by a veth pair), tunsecd on
# each with fresh random AES-GCM-256 keys in transport mode, iperf3 across
# for a few seconds, a capture proving the wire carries only ESP, and a
# table of what happened. Leaves nothing behind.
#
#   host A 10.201.0.1 [tunsecd] ==== ESP in UDP/4500 ==== [tunsecd] 10.201.0.2 host B
#
#   scripts/demo.sh BUILD
set -u
TUNSEC_SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
TUNSEC_BUILD=$(cd "${1:-build}" && pwd)
export TUNSEC_SRCDIR TUNSEC_BUILD
SECONDS_RUN=${DEMO_SECONDS:-5}
# shellcheck source=../test/netns/lib.sh
. "$TUNSEC_SRCDIR/test/netns/lib.sh"
# shellcheck source=../test/netns/tunsecd_lib.sh
. "$TUNSEC_SRCDIR/test/netns/tunsecd_lib.sh"

step() { printf '\n== %s\n' "$*"; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

step "two hosts: $A and $B"
lab_up || lab_die "cannot build the two hosts"
TSD_CIPHER=aes-gcm-256
TSD_MODE=transport
TSD_SELECTORS=("proto tcp rport 5201" "proto tcp lport 5201" "proto icmp")
tsd_start_pair
lab_log "tunsecd running on both hosts (logs in $LAB_TMP)"
"$TSD_CLI" show --socket "$LAB_TMP/a.sock" | sed -n '1,/^sa:/p' | head -n 14

step "ping through ESP"
lab_exec "$A" ping -c 2 -W 2 "$LAB_B4" | tail -n 2 ||
	lab_die "ping through tunsec failed"

step "iperf3 for $SECONDS_RUN s, capturing the underlay on B"
tsd_capture "$B" ub "$LAB_TMP/wire.pcap" $((SECONDS_RUN + 5)) host "$LAB_A4"
hz=$(getconf CLK_TCK)
a0=$(cpu_ticks "${TSD_PID[a]}")
b0=$(cpu_ticks "${TSD_PID[b]}")
t0=$(date +%s.%N)
gbps=$(lab_iperf "$B" "$LAB_B4" "$A" "$SECONDS_RUN") ||
	lab_die "iperf3 through tunsec failed"
t1=$(date +%s.%N)
a1=$(cpu_ticks "${TSD_PID[a]}")
b1=$(cpu_ticks "${TSD_PID[b]}")
sleep 1
kill "$TSD_CAP_PID" 2>/dev/null || true
wait "$TSD_CAP_PID" 2>/dev/null || true

step "what crossed the wire (tshark's protocol hierarchy of the capture)"
tshark -r "$LAB_TMP/wire.pcap" -q -z io,phs 2>/dev/null |
	sed -n '/^eth/,/^===/p'
clear=$(tshark -r "$LAB_TMP/wire.pcap" -Y 'tcp.port==5201' 2>/dev/null | wc -l)
esp=$(tshark -r "$LAB_TMP/wire.pcap" -Y esp 2>/dev/null | wc -l)
frags=$(tshark -r "$LAB_TMP/wire.pcap" -Y 'ip.flags.mf==1 || ip.frag_offset>0' 2>/dev/null | wc -l)

step "summary"
pa=$(tsd_query a "sa('out')['packets']")
pb=$(tsd_query b "sa('in')['packets']")
all_drops="sum(sum(s.get('drops', {}).values()) for s in j['sas']) + sum(drops.values())"
da=$(tsd_query a "$all_drops" || echo "?")
db=$(tsd_query b "$all_drops" || echo "?")
"$LAB_PY" - "$gbps" "$t0" "$t1" "$a0" "$a1" "$b0" "$b1" "$hz" "$pa" "$pb" "$esp" "$clear" "$da" "$db" "$frags" <<'PY'
import sys
g, t0, t1, a0, a1, b0, b1, hz, pa, pb, esp, clear, da, db, frags = sys.argv[1:]
wall = float(t1) - float(t0)
cpu = lambda x, y: 100.0 * (int(y) - int(x)) / int(hz) / wall
print("| measure | value |")
print("|---|---|")
print(f"| iperf3 TCP, one stream, AES-GCM-256 transport | {float(g):.2f} Gbit/s |")
print(f"| CPU of tunsecd on A (sender) | {cpu(a0, a1):.0f}% of a core |")
print(f"| CPU of tunsecd on B (receiver) | {cpu(b0, b1):.0f}% of a core |")
print(f"| ESP packets sent by A / received by B | {pa} / {pb} |")
print(f"| packets dropped (A, B) | {da}, {db} |")
print(f"| captured packets: ESP / clear tcp:5201 / IP fragments | {esp} / {clear} / {frags} |")
PY
[ "$clear" -eq 0 ] || lab_die "protected traffic crossed in the clear"
[ "$esp" -gt 0 ] || lab_die "the capture shows no ESP"
tsd_stop_pair demo_stop >/dev/null
step "done: namespaces and host configuration removed"
