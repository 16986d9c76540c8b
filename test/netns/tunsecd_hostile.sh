#!/usr/bin/env bash
# Hostile input on the underlay against tunsecd on B: replayed ESP,
# bit-flipped ESP, a peer with the wrong key, and a burst of random garbage
# to the ESP-in-UDP port. Everything must be dropped, counted in
# `tunsec show`, and never delivered (twice); the daemon must live on.
#
#  ns $A                                         ns $B
#  udp sender -> B:7777/7778 (protected)         receivers :7777, :7778
#  tunsecd (aes-gcm-256)                         tunsecd (the target)
#  ua 10.201.0.1  <====== veth ======>  ub 10.201.0.2
#   ^-- tcpdump captures A's ESP on ua; scapy writes captured frames back
#       onto ua, as they were or with a bit flipped (packet socket, below
#       A's IP stack: they reach ub as copies forged on the wire would)
#
# (a) replay: ESP frames of a flow B received are written again: B counts
#     a replay drop for each on its inbound SA; the receiver got each
#     datagram once.
# (b) bit flips: ESP frames held back from B (B's prerouting drops them
#     while they are captured) are written with one bit flipped in the
#     ciphertext or in the ICV: an auth drop for each, nothing delivered;
#     then the unmodified frames are accepted (so the flips were the only
#     fault) and, written again, dropped as replays.
# (d) garbage: random datagrams of random lengths, IKE (non-ESP marker)
#     and keepalive datagrams, and "ESP" with B's SPI and random bytes to
#     B:4500: B still runs, still passes traffic, and its counters moved.
# (c) wrong key: A's outbound key differs from B's inbound key: nothing
#     gets through and B counts auth drops.
set -u
. "$(dirname "$0")/lib.sh"
. "$LAB_DIR/tunsecd_lib.sh"

N_REPLAY=20
N_HELD=10

# recv_start NAME PORT: a receiver in B counting the datagrams to PORT
# until $LAB_TMP/NAME.stop exists; its result is $LAB_TMP/NAME.json.
recv_start() {
	lab_bg -t 30 "$B" "$LAB_PY" -c "$RECV_PY" "$LAB_B4" "$2" "$LAB_TMP/$1.stop" \
		"$LAB_TMP/$1.json" "$LAB_TMP/$1.count" 2>"$LAB_TMP/$1.err"
	lab_wait_port "$B" "$2" 5 udp || lab_die "receiver $1 did not bind"
}
RECV_PY='
import json, os, socket, sys
addr, port, stop, out, progress = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((addr, port))
s.settimeout(0.05)
got = []
while not os.path.exists(stop):
    try:
        got.append(s.recv(65536))
    except socket.timeout:
        continue
    with open(progress + ".tmp", "w") as f:
        f.write("%d\n" % len(got))
    os.rename(progress + ".tmp", progress)
with open(out + ".tmp", "w") as f:
    json.dump({"count": len(got), "distinct": len(set(got))}, f)
os.rename(out + ".tmp", out)
'

# recv_result NAME: "count distinct" once the receiver has stopped.
recv_result() {
	touch "$LAB_TMP/$1.stop"
	lab_wait_file "$LAB_TMP/$1.json" 5 || { echo "none"; return 1; }
	"$LAB_PY" -c 'import json,sys; j=json.load(open(sys.argv[1])); print(j["count"], j["distinct"])' \
		"$LAB_TMP/$1.json"
}

# send_udp PORT N TAG: N distinct datagrams from A to B:PORT, 5 ms apart.
send_udp() {
	timeout 20 ip netns exec "$A" "$LAB_PY" -c '
import socket, sys, time
port, n, tag = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(n):
    s.sendto(("%s-%d-" % (tag, i)).encode() * 8, (sys.argv[4], port))
    time.sleep(0.005)
' "$1" "$2" "$3" "$LAB_B4"
}

# inject MODE PCAP: write the frames of PCAP onto ua in A, 2 ms apart.
# MODE: as-is, or flip (each frame twice: one bit flipped in the middle of
# the ciphertext, one in the last byte of the ICV). The UDP checksum is
# completed, so the kernel on B passes them to tunsecd. Prints the number
# written.
inject() {
	timeout 30 ip netns exec "$A" "$LAB_PY" - "$1" "$2" <<'PY'
import sys, time
from scapy.config import conf
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether
from scapy.packet import Raw
from scapy.utils import rdpcap

mode, pcap = sys.argv[1], sys.argv[2]
frames = [f for f in rdpcap(pcap) if UDP in f and f[UDP].dport == 4500]


def frame(f, esp):
    """f with UDP payload esp and a correct UDP checksum (a capture of a
    sent frame holds only the partial sum the NIC would complete)."""
    g = f.copy()
    g[UDP].remove_payload()
    g[UDP].add_payload(Raw(esp))
    del g[UDP].chksum  # recomputed by scapy
    return bytes(g)


out = []
for f in frames:
    esp = bytes(f[UDP].payload)
    if mode == 'as-is':
        out.append(frame(f, esp))
        continue
    for pos in (8 + (len(esp) - 8) // 2, len(esp) - 1):  # ciphertext, ICV
        b = bytearray(esp)
        b[pos] ^= 0x10
        out.append(frame(f, bytes(b)))
s = conf.L2socket(iface='ua')
for raw in out:
    s.send(Ether(raw))
    time.sleep(0.002)
s.close()
print(len(out))
PY
}

# garbage: random datagrams to B:4500 from a socket in A. Prints nothing;
# status 0 when all were sent.
garbage() {
	timeout 30 ip netns exec "$A" "$LAB_PY" - "$LAB_B4" "$TSD_SPI_AB" <<'PY'
import os, random, socket, struct, sys
dst, spi = sys.argv[1], int(sys.argv[2], 0)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
rnd = random.Random()
def send(b):
    s.sendto(b, (dst, 4500))
for i in range(5000):                  # random bytes, random length 0..1500
    send(os.urandom(rnd.randint(0, 1500)))
for i in range(50):                    # IKE: the non-ESP marker (RFC 3948)
    send(b'\0\0\0\0' + os.urandom(rnd.randint(0, 200)))
for i in range(50):                    # NAT keepalives
    send(b'\xff')
for i in range(200):                   # B's SPI, a fresh sequence number, junk
    send(struct.pack('!II', spi, 0x40000000 + i) + os.urandom(rnd.randint(32, 1400)))
PY
}

# delta NAME EXPR BEFORE: EXPR now minus BEFORE.
delta() {
	local now
	now=$(tsd_query "$1" "$2") || { echo "?"; return 1; }
	echo $((now - $3))
}

lab_up
TSD_CIPHER=aes-gcm-256
TSD_SELECTORS=("proto udp rport 7777-7778" "proto icmp")
tsd_start_pair
tsd_ping "$A" "$LAB_B4" 2 || lab_log "ping through tunsecd failed"

# ---- (a) replay of ESP B has received
recv_start r1 7777
tsd_capture "$A" ua "$LAB_TMP/flow.pcap" 20 "src host $LAB_A4 and udp dst port 4500" ||
	lab_die "tcpdump did not start"
send_udp 7777 "$N_REPLAY" replay || lab_log "sender failed"
lab_wait_file "$LAB_TMP/r1.count" 5 "^$N_REPLAY\$" || lab_log "r1 has $(cat "$LAB_TMP/r1.count" 2>/dev/null)"
tsd_capture_stop
rep0=$(tsd_query b "sadrop('in', 'replay')")
pk0=$(tsd_query b "sa('in')['packets']")
n=$(inject as-is "$LAB_TMP/flow.pcap") || n=0
sleep 0.5
d=$(delta b "sadrop('in', 'replay')" "$rep0")
lab_log "replayed $n frames; B's replay drops +$d, inbound packets +$(delta b "sa('in')['packets']" "$pk0")"
[ "$n" -ge "$N_REPLAY" ] && [ "$d" = "$n" ] && pass replay_counted ||
	fail replay_counted "$n ESP frames replayed, B counted $d replay drops"
r=$(recv_result r1)
[ "$r" = "$N_REPLAY $N_REPLAY" ] && pass replay_not_delivered_twice ||
	fail replay_not_delivered_twice "receiver: '$r' (count distinct), want $N_REPLAY once each"

# ---- (b) bit flips of ESP B has not seen yet
recv_start r2 7778
ip netns exec "$B" nft -f - <<EOF || lab_die "cannot hold back ESP in B"
table inet hold {
	chain pre {
		type filter hook prerouting priority raw; policy accept;
		ip saddr $LAB_A4 udp dport 4500 counter drop
	}
}
EOF
tsd_capture "$A" ua "$LAB_TMP/held.pcap" 20 "src host $LAB_A4 and udp dst port 4500" ||
	lab_die "tcpdump did not start"
send_udp 7778 "$N_HELD" held || lab_log "sender failed"
tsd_capture_stop
ip netns exec "$B" nft delete table inet hold
auth0=$(tsd_query b "sadrop('in', 'auth')")
pk0=$(tsd_query b "sa('in')['packets']")
n=$(inject flip "$LAB_TMP/held.pcap") || n=0
sleep 0.5
d=$(delta b "sadrop('in', 'auth')" "$auth0")
dp=$(delta b "sa('in')['packets']" "$pk0")
lab_log "flipped: $n frames written; B's auth drops +$d, inbound packets +$dp"
[ "$n" = $((2 * N_HELD)) ] && [ "$d" = "$n" ] && pass bitflip_counted_as_auth ||
	fail bitflip_counted_as_auth "$n flipped frames, B counted $d auth drops"
got=$(cat "$LAB_TMP/r2.count" 2>/dev/null || echo 0)
[ "$got" = 0 ] && [ "$dp" = 0 ] && pass bitflip_nothing_delivered ||
	fail bitflip_nothing_delivered "receiver got $got datagrams, SA counted $dp packets"
# Control: the same frames unmodified are accepted, once.
n=$(inject as-is "$LAB_TMP/held.pcap") || n=0
lab_wait_file "$LAB_TMP/r2.count" 5 "^$N_HELD\$" || true
rep0=$(tsd_query b "sadrop('in', 'replay')")
n2=$(inject as-is "$LAB_TMP/held.pcap") || n2=0
sleep 0.5
d=$(delta b "sadrop('in', 'replay')" "$rep0")
r=$(recv_result r2)
[ "$n" = "$N_HELD" ] && [ "$r" = "$N_HELD $N_HELD" ] && pass unflipped_frames_accepted_control ||
	fail unflipped_frames_accepted_control "$n frames written as captured, receiver: '$r'"
[ "$d" = "$n2" ] && [ "$n2" = "$N_HELD" ] && pass held_frames_replay_counted ||
	fail held_frames_replay_counted "$n2 written again, $d replay drops"

# ---- (d) garbage to the ESP port
g0=$(tsd_query b "drop('unknown-spi') + drop('ike') + drop('keepalive') + drop('not-esp') + drop('short')")
auth0=$(tsd_query b "sadrop('in', 'auth')")
pk0=$(tsd_query b "sa('in')['packets']")
garbage || lab_log "garbage sender failed"
sleep 0.5
if tsd_alive b; then pass garbage_daemon_alive; else fail garbage_daemon_alive "tunsecd on B is gone"; fi
tsd_ping "$A" "$LAB_B4" 3 && pass garbage_traffic_still_passes || fail garbage_traffic_still_passes "no ping reply"
q=$(tsd_query b "(drop('ike') > 0, drop('keepalive') > 0, drop('unknown-spi') > 0)")
dg=$(delta b "drop('unknown-spi') + drop('ike') + drop('keepalive') + drop('not-esp') + drop('short')" "$g0")
da=$(delta b "sadrop('in', 'auth')" "$auth0")
lab_log "garbage: global drops +$dg ($(tsd_query b drops)), auth +$da"
[ "$q" = "(True, True, True)" ] && [ "$dg" -gt 1000 ] && [ "$da" -gt 0 ] && pass garbage_counted ||
	fail garbage_counted "ike/keepalive/unknown-spi moved: $q; global drops +$dg; auth +$da"
dp=$(delta b "sa('in')['packets']" "$pk0")
[ "$dp" -le 3 ] && pass garbage_nothing_accepted || fail garbage_nothing_accepted "inbound SA counted +$dp packets (3 pings)"
tsd_stop_pair daemons_clean_exit_after_attacks

# ---- (c) a peer with the wrong key
tsd_write_pair
wrong=$(tsd_random_hex 36)
sed -i "/^\[sa b-out\]/,/^\$/ s/^key = .*/key = $wrong/" "$LAB_TMP/a.conf"
grep -q "key = $wrong" "$LAB_TMP/a.conf" || lab_die "wrong key not written"
tsd_start a || lab_die "tunsecd a did not start"
tsd_start b || lab_die "tunsecd b did not start"
if timeout 5 ip netns exec "$A" ping -c 3 -i 0.2 -W 1 -q "$LAB_B4" >/dev/null 2>&1; then
	fail wrong_key_nothing_through "ping got a reply"
else
	pass wrong_key_nothing_through
fi
send_udp 7777 5 wrongkey || true
sleep 0.3
q=$(tsd_query b "sadrop('in', 'auth') > 0 and sa('in')['packets'] == 0")
[ "$q" = True ] && pass wrong_key_auth_drops || fail wrong_key_auth_drops "B: ${q:-no answer} ($(tsd_query b "sa('in')"))"
tsd_stop_pair daemons_clean_exit_wrong_key
lab_finish
