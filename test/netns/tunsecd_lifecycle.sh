#!/usr/bin/env bash
# tunsecd's life on a host: a malformed configuration refused with
# FILE:LINE and nothing applied, --check, a clean stop on SIGTERM, recovery
# after SIGKILL, reload (valid, invalid, SIGHUP), the TUN MTU and DF
# packets too big for it, the control socket's mode.
#
#  ns $A                                      ns $B
#  tunsecd -c a.conf (started, stopped,       tunsecd -c b.conf
#   killed, reloaded)                          tcpdump -i ub (reload checks)
#   what it installs: nft inet tunsec_ts0,
#   ip rule fwmark 0x7473 lookup 7473,
#   default dev ts0 table 7473, ts0
#  ua 10.201.0.1  <====== veth, ESP in UDP 4500 ======>  ub 10.201.0.2
#
# "Nothing left" means: no nft table tunsec_*, no fwmark rule, no route in
# table 7473 or through ts0, no ts0 (tsd_host_state).
set -u
. "$(dirname "$0")/lib.sh"
. "$LAB_DIR/tunsecd_lib.sh"

# ESP in UDP overhead in transport mode, the worst case over the ciphers
# (RFC 3948 UDP header 8, RFC 4303 SPI + sequence 8, IV 8, padding up to 3,
# pad length and next header 2, ICV up to 16).
ESP_OVERHEAD=$((8 + 8 + 8 + 3 + 2 + 16))
TUN_MTU=$((1500 - ESP_OVERHEAD))

# write_a_variant NAME SED_EXPR: a copy of a.conf changed by SED_EXPR, as
# $LAB_TMP/NAME.conf (mode 0600).
write_a_variant() {
	sed "$2" "$LAB_TMP/a.conf" >"$LAB_TMP/$1.conf"
	chmod 600 "$LAB_TMP/$1.conf"
}

# line_of FILE PATTERN: the number of the first line matching PATTERN.
line_of() { grep -n -m 1 -- "$2" "$1" | cut -d: -f1; }

# refused NAME PATTERN: tunsecd refuses $LAB_TMP/NAME.conf, naming the
# file and the line matching PATTERN; nothing is left on A.
refused() {
	local name=$1 conf=$LAB_TMP/$1.conf line out rc state
	line=$(line_of "$conf" "$2")
	out=$(timeout 10 ip netns exec "$A" "$TSD_BIN" -c "$conf" 2>&1)
	rc=$?
	state=$(tsd_host_state "$A")
	if [ "$rc" = 0 ] || [ "$rc" = 124 ]; then
		fail "refused_$name" "tunsecd exited $rc"
	elif [[ $out != *"$conf:$line: "* ]]; then
		fail "refused_$name" "stderr does not name $conf:$line: '$out'"
	elif [ -n "$state" ]; then
		fail "refused_$name" "left behind: $state"
	elif [ -e "$LAB_TMP/a.sock" ]; then
		fail "refused_$name" "control socket created"
	else
		pass "refused_${name}_file_line_nothing_applied"
	fi
	lab_log "$name (exit $rc): $out"
	timeout 10 "$TSD_BIN" -c "$conf" --check >/dev/null 2>&1
	rc=$?
	[ "$rc" = 1 ] && pass "check_${name}_exit_1" || fail "check_${name}_exit_1" "--check exited $rc"
}

# nft_rules NS: the rules of the tunsec table without counters and handles.
nft_rules() {
	ip netns exec "$1" nft list table inet "tunsec_$TSD_TUN" 2>/dev/null |
		sed 's/counter packets [0-9]* bytes [0-9]*/counter/'
}

# both_reload: `tunsec reload` on A and B; status 0 when both succeeded.
both_reload() {
	local n rc=0
	for n in a b; do
		timeout 10 "$TSD_CLI" reload --socket "$LAB_TMP/$n.sock" >"$LAB_TMP/reload.$n" 2>&1 ||
			{ rc=1; lab_log "reload $n: $(cat "$LAB_TMP/reload.$n")"; }
	done
	return "$rc"
}

# udp_seen PORT: over a fresh capture on ub, echo 10 datagrams A -> B:PORT
# and back; prints "CLEAR ESP" (packet counts on the wire).
udp_seen() {
	local port=$1 pcap=$LAB_TMP/udp$1.$RANDOM.pcap c e
	tsd_capture "$B" ub "$pcap" 20 || { echo "? ?"; return 1; }
	tsd_udp_echo "$B" "$A" "$LAB_B4" "$port" 10 || lab_log "udp echo on $port failed"
	tsd_capture_stop
	c=$(tsd_tshark_count "$pcap" "udp.port==$port")
	e=$(tsd_tshark_count "$pcap" "esp")
	echo "$c $e"
}

lab_up
TSD_CIPHER=aes-gcm-256
TSD_SELECTORS=("proto icmp" "proto tcp rport 5201")
tsd_write_pair

# ---- (a) malformed configurations
timeout 10 "$TSD_BIN" -c "$LAB_TMP/a.conf" --check >/dev/null 2>&1
rc=$?
[ "$rc" = 0 ] && pass check_good_exit_0 || fail check_good_exit_0 "--check of a good file exited $rc"
write_a_variant unknown_key '/^\[peer b\]/a adress = 10.201.0.9'
refused unknown_key '^adress = '
write_a_variant bad_spi "/^\[sa b-out\]/,/^\$/ s/^spi = .*/spi = 0x/"
refused bad_spi '^spi = 0x$'
write_a_variant short_key "/^\[sa b-out\]/,/^\$/ s/^key = .*/key = $(tsd_random_hex 32)/"
refused short_key "^key = [0-9a-f]\{64\}\$"

# ---- (f) control socket, (e) MTU, with the pair running
tsd_start a || lab_die "tunsecd a did not start"
tsd_start b || lab_die "tunsecd b did not start"
mode=$(stat -c '%a %F' "$LAB_TMP/a.sock" 2>/dev/null)
[ "$mode" = "600 socket" ] && pass control_socket_0600 || fail control_socket_0600 "'$mode'"

mtu=$(ip -n "$A" -o link show "$TSD_TUN" | sed -n 's/.* mtu \([0-9]*\) .*/\1/p')
[ "$mtu" = "$TUN_MTU" ] && pass tun_mtu_underlay_minus_esp ||
	fail tun_mtu_underlay_minus_esp "ts0 MTU '$mtu', want 1500 - $ESP_OVERHEAD = $TUN_MTU"
# A DF ping that fits exactly passes; one byte more gets an error back.
if timeout 10 ip netns exec "$A" ping -c 2 -i 0.2 -W 2 -q -M "do" -s $((TUN_MTU - 28)) "$LAB_B4" 2>&1 |
	grep -q ' 2 received'; then
	pass df_ping_at_tun_mtu_passes
else
	fail df_ping_at_tun_mtu_passes "a $TUN_MTU-byte DF ping did not cross"
fi
# tunsecd's own answer to a packet larger than its SA carries: with the
# TUN MTU raised by hand to the underlay's, the kernel hands it a 1500-byte
# DF packet, and the ICMP "fragmentation needed" must come from tunsecd.
ip -n "$A" link set "$TSD_TUN" mtu 1500
ip -n "$A" route flush cache
tb0=$(tsd_query a "drop('too-big')")
out=$(timeout 10 ip netns exec "$A" ping -c 1 -W 2 -M "do" -s 1472 "$LAB_B4" 2>&1)
tb1=$(tsd_query a "drop('too-big')")
lab_log "1500-byte DF ping into a 1500-byte ts0: $(echo "$out" | grep -i -m 1 frag); too-big $tb0 -> $tb1"
if echo "$out" | grep -q "Frag needed and DF set (mtu = $TUN_MTU)" && [ "$tb1" -gt "$tb0" ]; then
	pass daemon_answers_too_big_with_icmp
else
	fail daemon_answers_too_big_with_icmp "no 'Frag needed (mtu = $TUN_MTU)' or too-big $tb0 -> $tb1: $(echo "$out" | tail -n 2)"
fi
ip -n "$A" link set "$TSD_TUN" mtu "$TUN_MTU"
ip -n "$A" route flush cache
# The kernel's answer when the packet does not fit ts0 itself.
out=$(timeout 10 ip netns exec "$A" ping -c 2 -i 0.2 -W 2 -M "do" -s $((TUN_MTU - 27)) "$LAB_B4" 2>&1)
lab_log "oversize DF ping: $(echo "$out" | grep -i -m 2 -e 'too long' -e 'frag' -e received)"
if echo "$out" | grep -q -i -e 'message too long' -e 'frag needed'; then
	pass df_ping_too_big_gets_error
else
	fail df_ping_too_big_gets_error "no 'message too long'/'Frag needed': $(echo "$out" | tail -n 2)"
fi

# ---- (d) reload: a new selector takes effect; an invalid file changes nothing
read -r clear esp < <(udp_seen 7000)
[ "${clear:-0}" -gt 0 ] && pass reload_port_clear_before_control ||
	fail reload_port_clear_before_control "udp/7000 not seen in clear before the reload ($clear)"
pk0=$(tsd_query b "sa('in')['packets']")
sed -i '/^protect = proto icmp$/a protect = proto udp rport 7000' "$LAB_TMP/a.conf"
sed -i '/^protect = proto icmp$/a protect = proto udp lport 7000' "$LAB_TMP/b.conf"
both_reload && pass reload_valid_accepted || fail reload_valid_accepted "tunsec reload failed"
read -r clear esp < <(udp_seen 7000)
[ "$clear" = 0 ] && [ "${esp:-0}" -ge 20 ] && pass reload_new_selector_protects ||
	fail reload_new_selector_protects "after the reload: udp/7000 clear $clear, ESP $esp"
pk1=$(tsd_query b "sa('in')['packets']")
[ -n "$pk0" ] && [ -n "$pk1" ] && [ "$pk1" -ge $((pk0 + 10)) ] && pass reload_sa_state_carried ||
	fail reload_sa_state_carried "B's inbound SA packets $pk0 -> $pk1 (10 more sent)"

rules0=$(nft_rules "$A")
cp "$LAB_TMP/a.conf" "$LAB_TMP/a.good"
sed -i '/^protect = proto icmp$/a protect = proto udp rport 7001\nmtu = bogus' "$LAB_TMP/a.conf"
line=$(line_of "$LAB_TMP/a.conf" '^mtu = bogus')
out=$(timeout 10 "$TSD_CLI" reload --socket "$LAB_TMP/a.sock" 2>&1)
rc=$?
lab_log "invalid reload (exit $rc): $out"
[ "$rc" = 1 ] && [[ $out == *"$LAB_TMP/a.conf:$line: "* ]] && pass reload_invalid_refused_file_line ||
	fail reload_invalid_refused_file_line "exit $rc, want 1 and $LAB_TMP/a.conf:$line: '$out'"
tsd_alive a && [ "$(nft_rules "$A")" = "$rules0" ] && pass reload_invalid_changes_nothing ||
	fail reload_invalid_changes_nothing "daemon gone or nft table changed"
pk2=$(tsd_query a "sa('in')['packets']")
tsd_ping "$A" "$LAB_B4" 2 && pass reload_invalid_traffic_flows || fail reload_invalid_traffic_flows "ping failed"
pk3=$(tsd_query a "sa('in')['packets']")
[ -n "$pk2" ] && [ -n "$pk3" ] && [ "$pk3" -ge $((pk2 + 2)) ] && pass reload_invalid_counters_kept ||
	fail reload_invalid_counters_kept "A's inbound SA packets $pk2 -> $pk3"

# SIGHUP reloads as well: a valid file with another selector.
cp "$LAB_TMP/a.good" "$LAB_TMP/a.conf"
sed -i '/^protect = proto icmp$/a protect = proto udp rport 7001' "$LAB_TMP/a.conf"
hups=$(grep -c 'configuration reloaded' "$LAB_TMP/a.log")
tsd_signal a HUP
if _lab_poll 5 eval '[ "$(grep -c "configuration reloaded" "$LAB_TMP/a.log")" -gt '"$hups"' ]' &&
	nft_rules "$A" | grep -q 'udp dport 7001'; then
	pass sighup_reloads
else
	fail sighup_reloads "no reload logged or no rule for udp/7001: $(tail -n 3 "$LAB_TMP/a.log")"
fi
tsd_alive a && tsd_ping "$A" "$LAB_B4" 2 && pass sighup_traffic_flows || fail sighup_traffic_flows "ping failed"

# ---- (b) SIGTERM: exit 0, everything removed
ref=$(tsd_host_state "$A" | sort)
lab_log "installed on A: $(echo "$ref" | tr '\n' ';')"
[ -n "$ref" ] || fail installed_state "tsd_host_state saw nothing of a running tunsecd"
if tsd_stop a; then pass sigterm_exit_0; else fail sigterm_exit_0 "exit ${TSD_RC:-?}"; fi
left=$(tsd_host_state "$A")
[ -z "$left" ] && pass sigterm_removes_everything || fail sigterm_removes_everything "left: $(echo "$left" | tr '\n' ';')"
[ ! -e "$LAB_TMP/a.sock" ] && pass sigterm_removes_socket || fail sigterm_removes_socket "$LAB_TMP/a.sock still there"

# ---- (c) SIGKILL, then a new start cleans up and installs one set
cp "$LAB_TMP/a.good" "$LAB_TMP/a.conf"
tsd_start a || lab_die "tunsecd a did not start again"
ref=$(tsd_host_state "$A" | sort)
tsd_kill a || lab_log "SIGKILL: wrapper did not exit"
left=$(tsd_host_state "$A")
lab_log "left by the killed daemon: $(echo "$left" | tr '\n' ';')"
echo "$left" | grep -q '^nft: ' && pass sigkill_leaves_leftovers_control ||
	fail sigkill_leaves_leftovers_control "no nft table after SIGKILL: the next check proves nothing"
# New keys for both sides (a restarted daemon must not reuse its nonces).
tsd_stop b || lab_log "tunsecd b exit ${TSD_RC:-?}"
tsd_write_pair
if tsd_start a; then pass start_after_sigkill; else fail start_after_sigkill "did not start"; fi
tsd_start b || lab_die "tunsecd b did not start"
now=$(tsd_host_state "$A" | sort)
[ "$now" = "$ref" ] && pass after_sigkill_exactly_one_set ||
	fail after_sigkill_exactly_one_set "state '$(echo "$now" | tr '\n' ';')', want '$(echo "$ref" | tr '\n' ';')'"
n=$(ip -n "$A" -4 rule show | grep -c "lookup $TSD_TABLE")
[ "$n" = 1 ] && pass after_sigkill_one_rule || fail after_sigkill_one_rule "$n fwmark rules"
tsd_ping "$A" "$LAB_B4" 2 && pass after_sigkill_traffic_flows || fail after_sigkill_traffic_flows "ping failed"

# Tunnel mode: the TUN MTU also leaves room for the outer IPv4 header.
tsd_stop_pair daemons_clean_exit
TSD_MODE=tunnel
TSD_SELECTORS=("local 10.88.1.0/24 remote 10.88.2.0/24")
tsd_write_pair
tsd_start a || lab_die "tunsecd a (tunnel) did not start"
mtu=$(ip -n "$A" -o link show "$TSD_TUN" | sed -n 's/.* mtu \([0-9]*\) .*/\1/p')
[ "$mtu" = $((TUN_MTU - 20)) ] && pass tunnel_tun_mtu ||
	fail tunnel_tun_mtu "ts0 MTU '$mtu', want $TUN_MTU - 20 = $((TUN_MTU - 20))"
if tsd_stop a && [ -z "$(tsd_host_state "$A")" ]; then
	pass tunnel_sigterm_removes_everything
else
	fail tunnel_sigterm_removes_everything "exit ${TSD_RC:-?}, left: $(tsd_host_state "$A" | tr '\n' ';')"
fi
lab_finish
