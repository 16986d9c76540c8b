#!/usr/bin/env bash
# IKE_SA_INIT flood against a responder (RFC 7296 §2.6 stateless cookies,
# src/ike/cookie.h). B (start = wait) knows peer a and 100 peers f100..f199
# at 10.201.0.100-.199; those addresses sit on A's ua, where a small
# builder (python, standard library) sends, from all of them at once,
#  1. a flood: 2000 IKE_SA_INIT requests, round robin, over about 4 s,
#     never echoing a cookie (what a spoofer can do). B must keep at most
#     IKE_COOKIE_THRESHOLD (32) half-open SAs and answer the rest with
#     N(COOKIE) alone; meanwhile tunsecd A (start = initiate) connects: it
#     is asked for a cookie, echoes it, gets its IKE SA and Child SA, and
#     ping crosses;
#  2. proven sources: 4 addresses that echo every cookie, 12 requests each.
#     Each gets IKE_HALF_OPEN_PER_SOURCE (8) half-open SAs; the rest are
#     dropped unanswered.
# tshark reads the cookies off the wire (notify type 16390), to the flood
# addresses and in A's own exchange.
#
#  ns $A                                              ns $B
#  tunsecd (ike: initiate)                            tunsecd (ike: wait,
#  flood builder, sources .100-.199                    peers a, f100..f199)
#  ua 10.201.0.1, 10.201.0.100-.199/24  <== udp/500, 4500 ==>  ub 10.201.0.2
set -u
. "$(dirname "$0")/lib.sh"
. "$LAB_DIR/tunsecd_lib.sh"
. "$LAB_DIR/ike_lib.sh"

TSD_LIFETIME=90
FLOOD_N=2000
FLOOD_SECS=4
FLOOD_FIRST=100
FLOOD_LAST=199
THRESHOLD=32          # IKE_COOKIE_THRESHOLD
PER_SOURCE=8          # IKE_HALF_OPEN_PER_SOURCE
PROVEN="10.201.0.196 10.201.0.197 10.201.0.198 10.201.0.199"
PROVEN_N=12

# ike_peer NAME ADDR START PSK: one IKE-managed transport [peer] section.
ike_peer() {
	cat <<EOF
[peer $1]
address = $2
mode = transport
protect = proto icmp
auth = psk
psk = $4
start = $3
dpd-delay = 5s
retransmit-timeout = 500ms
retransmit-tries = 4

EOF
}

# write_confs PSK: a.conf (peer b, initiate) and b.conf (peer a and the
# flood peers, wait; each flood peer its own key, never used).
write_confs() {
	local i
	{
		printf '[daemon]\nlocal-address = %s\ncontrol-socket = %s\ntun = %s\nlog-level = info\n\n' \
			"$LAB_A4" "$LAB_TMP/a.sock" "$TSD_TUN"
		ike_peer b "$LAB_B4" initiate "$1"
	} >"$LAB_TMP/a.conf"
	{
		printf '[daemon]\nlocal-address = %s\ncontrol-socket = %s\ntun = %s\nlog-level = info\n\n' \
			"$LAB_B4" "$LAB_TMP/b.sock" "$TSD_TUN"
		ike_peer a "$LAB_A4" wait "$1"
		for ((i = FLOOD_FIRST; i <= FLOOD_LAST; i++)); do
			ike_peer "f$i" "10.201.0.$i" wait "0x$(tsd_random_hex 32)"
		done
	} >"$LAB_TMP/b.conf"
	chmod 600 "$LAB_TMP/a.conf" "$LAB_TMP/b.conf"
}

# The builder. flood DST N SECS SRC...: N requests round robin over the
# sources, paced over SECS, cookies never echoed. proven DST N SRC...: N
# requests from each source, every cookie echoed once. Answers are read
# until 1.5 s after the last request; prints one JSON object of counts
# (per source for proven). Proposal: aes256gcm16-prfsha256-x25519.
FLOOD_PY='
import json, os, selectors, socket, struct, sys, time

def request(spi, ke, ni, cookie=None):
    # ENCR AES-GCM-16 (20) with a 256-bit key, PRF HMAC-SHA2-256 (5),
    # DH Curve25519 (31); one IKE proposal.
    tr = [struct.pack("!BBHBBHHH", 3, 0, 12, 1, 0, 20, 0x800e, 256),
          struct.pack("!BBHBBH", 3, 0, 8, 2, 0, 5),
          struct.pack("!BBHBBH", 0, 0, 8, 4, 0, 31)]
    prop = b"".join(tr)
    prop = struct.pack("!BBHBBBB", 0, 0, 8 + len(prop), 1, 1, 0, len(tr)) + prop
    pls = []
    if cookie:
        pls.append((41, struct.pack("!BBH", 0, 0, 16390) + cookie))
    pls += [(33, prop), (34, struct.pack("!HH", 31, 0) + ke), (40, ni)]
    body = b""
    for i, (kind, data) in enumerate(pls):
        nxt = pls[i + 1][0] if i + 1 < len(pls) else 0
        body += struct.pack("!BBH", nxt, 0, 4 + len(data)) + data
    hdr = struct.pack("!QQBBBBII", spi, 0, pls[0][0], 0x20, 34, 0x08, 0,
                      28 + len(body))
    return hdr + body

def answer(buf):
    """(spi_i, kind, cookie): kind "cookie" (N(COOKIE) alone), "init" (an
    SA payload), or "other"."""
    if len(buf) < 28:
        return None, "other", None
    spi, _, nxt, _, exch, flags, _, length = struct.unpack("!QQBBBBII", buf[:28])
    off, kinds, cookie = 28, [], None
    while nxt and off + 4 <= len(buf):
        n2, _, plen = struct.unpack("!BBH", buf[off:off + 4])
        if plen < 4:
            break
        if nxt == 41 and struct.unpack("!H", buf[off + 6:off + 8])[0] == 16390:
            cookie = buf[off + 8:off + plen]
        kinds.append(nxt)
        nxt, off = n2, off + plen
    if exch != 34 or not flags & 0x20:
        return spi, "other", None
    if kinds == [41] and cookie is not None:
        return spi, "cookie", cookie
    return spi, "init" if 33 in kinds else "other", None

mode, dst = sys.argv[1], sys.argv[2]
n = int(sys.argv[3])
secs = float(sys.argv[4]) if mode == "flood" else 0.0
srcs = sys.argv[5:] if mode == "flood" else sys.argv[4:]
sel = selectors.DefaultSelector()
socks = []
for a in srcs:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((a, 0))
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ, a)
    socks.append(s)
sent = {}         # spi -> (source index, ke, ni, cookie echoed)
count = {a: {"sent": 0, "cookie": 0, "init": 0, "other": 0, "echoed": 0}
         for a in srcs}

def send(i, spi, cookie=None):
    _, ke, ni, _ = sent[spi]
    socks[i].sendto(request(spi, ke, ni, cookie), (dst, 500))
    count[srcs[i]]["sent"] += 1

def drain(timeout):
    for key, _ in sel.select(timeout):
        while True:
            try:
                buf = key.fileobj.recv(65535)
            except BlockingIOError:
                break
            spi, kind, cookie = answer(buf)
            count[key.data][kind] += 1
            if mode == "proven" and kind == "cookie" and spi in sent \
               and not sent[spi][3]:
                i, ke, ni, _ = sent[spi]
                sent[spi] = (i, ke, ni, True)
                count[key.data]["echoed"] += 1
                send(i, spi, cookie)

start = time.monotonic()
total = n if mode == "flood" else n * len(srcs)
for k in range(total):
    i = k % len(srcs)
    spi = int.from_bytes(os.urandom(8), "big") | 1
    sent[spi] = (i, os.urandom(32), os.urandom(32), False)
    send(i, spi)
    if mode == "flood":
        due = start + secs * (k + 1) / total
        while time.monotonic() < due:
            drain(due - time.monotonic())
    else:
        drain(0.02)
end = time.monotonic() + 1.5
while time.monotonic() < end:
    drain(0.1)
if mode == "flood":
    tot = {k: sum(c[k] for c in count.values()) for k in count[srcs[0]]}
    tot["seconds"] = round(time.monotonic() - start, 2)
    print(json.dumps(tot))
else:
    print(json.dumps(count))
'

# flood_json FILE EXPR: EXPR over the builder's JSON object j.
flood_json() {
	"$LAB_PY" -c 'import json, sys; j = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# half_open [PEER]: B's half-open SAs (of PEER only, when given).
half_open() {
	tsd_query b "len([s for s in j.get('ike_sas', []) if s['state'] == 'half-open' and ('${1:-}' == '' or s['peer'] == '${1:-}')])"
}

state_of() {
	tsd_query "$1" "[s['state'] for s in j.get('ike_sas', []) if s['peer'] == '$2'][:1] or ['none']" |
		tr -d "[]'"
}

a_up() {
	[ "$(state_of a b)" = established ] && [ "$(state_of b a)" = established ] &&
		child_up a && child_up b
}

lab_up
# The flood addresses: on A's side of the lab's own link, in its subnet.
for ((i = FLOOD_FIRST; i <= FLOOD_LAST; i++)); do
	echo "addr add 10.201.0.$i/24 dev ua"
done | ip -n "$A" -batch - || lab_die "flood addresses on ua"
srcs=()
for ((i = FLOOD_FIRST; i <= FLOOD_LAST; i++)); do
	srcs+=("10.201.0.$i")
done
write_confs "0x$(tsd_random_hex 32)"
tsd_capture "$B" ub "$LAB_TMP/flood.pcap" 60 udp port 500 or udp port 4500 ||
	lab_die "tcpdump did not start"
tsd_start b || lab_die "tunsecd b did not start"

# 1. The flood; A comes up in the middle of it.
lab_bg -t 30 "$A" "$LAB_PY" -c "$FLOOD_PY" flood "$LAB_B4" "$FLOOD_N" \
	"$FLOOD_SECS" "${srcs[@]}" >"$LAB_TMP/flood.json" 2>"$LAB_TMP/flood.err"
flood_pid=$LAB_PID
max_half=0
sample() {
	local h
	h=$(half_open) || return 1
	[ "$h" -gt "$max_half" ] && max_half=$h
	[ "$h" -ge "$THRESHOLD" ]
}
if wait_for 5 sample; then
	pass flood_reaches_threshold
else
	fail flood_reaches_threshold "b holds $max_half half-open SAs"
fi
tsd_start a || lab_die "tunsecd a did not start"
if wait_for 15 eval 'sample; a_up'; then
	pass established_under_flood
else
	fail established_under_flood "a: $(state_of a b), b: $(state_of b a)"
fi
tsd_ping "$A" "$LAB_B4" 3 && pass ping_under_flood || fail ping_under_flood "no echo"
while kill -0 "$flood_pid" 2>/dev/null; do
	sample
	sleep 0.2
done
lab_wait_pid "$flood_pid" 5
[ "$LAB_RC" = 0 ] || lab_die "flood builder: $(tail -n 3 "$LAB_TMP/flood.err")"
sample
lab_log "flood: $(cat "$LAB_TMP/flood.json"), most half-open seen $max_half"
# A's own IKE SA may be half-open for a moment: one more.
if [ "$max_half" -le $((THRESHOLD + 1)) ]; then
	pass half_open_bounded
else
	fail half_open_bounded "b held $max_half half-open SAs"
fi
if [ "$(flood_json "$LAB_TMP/flood.json" "j['sent'] == $FLOOD_N and j['init'] <= $THRESHOLD and j['cookie'] >= $FLOOD_N * 9 // 10 and j['other'] == 0")" = True ]; then
	pass flood_answered_with_cookies
else
	fail flood_answered_with_cookies "$(cat "$LAB_TMP/flood.json")"
fi

# 2. Proven sources: PER_SOURCE half-open SAs each, the rest dropped.
# shellcheck disable=SC2086 # PROVEN is a list
timeout 20 ip netns exec "$A" "$LAB_PY" -c "$FLOOD_PY" proven "$LAB_B4" \
	"$PROVEN_N" $PROVEN >"$LAB_TMP/proven.json" 2>"$LAB_TMP/proven.err" ||
	lab_die "proven builder: $(tail -n 3 "$LAB_TMP/proven.err")"
lab_log "proven: $(cat "$LAB_TMP/proven.json")"
why=
for a in $PROVEN; do
	h=$(half_open "f${a##*.}")
	[ "$h" = "$PER_SOURCE" ] || why="$why f${a##*.}: $h half-open;"
	[ "$(flood_json "$LAB_TMP/proven.json" "j['$a']['echoed'] == j['$a']['sent'] - $PROVEN_N and j['$a']['init'] == $PER_SOURCE")" = True ] ||
		why="$why $a: $(flood_json "$LAB_TMP/proven.json" "j['$a']");"
done
[ -z "$why" ] && pass per_source_limit || fail per_source_limit "${why# }"
[ "$(half_open)" -le $((THRESHOLD + 4 * PER_SOURCE)) ] && pass half_open_total_bounded ||
	fail half_open_total_bounded "b holds $(half_open) half-open SAs"
a_up && tsd_ping "$A" "$LAB_B4" 3 && pass still_up_after || fail still_up_after "a: $(state_of a b)"
tsd_capture_stop

# On the wire: N(COOKIE) answers to the flood addresses; A was asked for
# one and sent it back.
n_flood=$(tsd_tshark_count "$LAB_TMP/flood.pcap" 'ip.src == 10.201.0.2 && ip.dst != 10.201.0.1 && isakmp.exchangetype == 34 && isakmp.notify.msgtype == 16390')
n_to_a=$(tsd_tshark_count "$LAB_TMP/flood.pcap" 'ip.src == 10.201.0.2 && ip.dst == 10.201.0.1 && isakmp.notify.msgtype == 16390')
n_from_a=$(tsd_tshark_count "$LAB_TMP/flood.pcap" 'ip.src == 10.201.0.1 && isakmp.exchangetype == 34 && isakmp.notify.msgtype == 16390')
if [ "$n_flood" -ge $((FLOOD_N * 9 / 10)) ] && [ "$n_to_a" -ge 1 ] && [ "$n_from_a" -ge 1 ]; then
	pass tshark_sees_cookies
else
	fail tshark_sees_cookies "to flood $n_flood, to a $n_to_a, echoed by a $n_from_a"
fi
tsd_stop_pair clean_exit
lab_finish
