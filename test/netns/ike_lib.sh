# Helpers of the lab tests with two IKE-managed tunsecd's (transport mode,
# shared key): their configurations and what their `tunsec show` says.
# Sourced after lib.sh and tunsecd_lib.sh.

# write_ike HOST PEER PEERADDR LOCAL START PSK [FIRST SECOND]: an
# IKE-managed transport configuration for HOST; FIRST and SECOND (lport,
# rport; default rport lport) order its two TCP selectors. The Child SA
# carries ICMP and the first TCP one of the side that narrows (ts.h): the
# transfer's direction (A to B's port 9000) comes first on both sides.
write_ike() {
	cat >"$LAB_TMP/$1.conf" <<EOF
[daemon]
local-address = $4
control-socket = $LAB_TMP/$1.sock
tun = $TSD_TUN
log-level = debug

[peer $2]
address = $3
mode = transport
protect = proto icmp
protect = proto tcp ${7:-rport} 9000
protect = proto tcp ${8:-lport} 9000
auth = psk
psk = $6
local-id = fqdn:$1.lab.example
remote-id = fqdn:$2.lab.example
start = $5
dpd-delay = 2s
retransmit-timeout = 500ms
retransmit-tries = 2
EOF
	chmod 600 "$LAB_TMP/$1.conf"
}

write_pair() {
	write_ike a b "$LAB_B4" "$LAB_A4" initiate "$1" rport lport
	write_ike b a "$LAB_A4" "$LAB_B4" wait "${2:-$1}" lport rport
}

# state HOST: the state of HOST's IKE SA, "none" without one.
state() {
	tsd_query "$1" "j['ike_sas'][0]['state'] if j.get('ike_sas') else 'none'"
}

# children HOST: how many Child SAs HOST's IKE SAs have, all together (0
# without one). A half-open IKE SA has none: it is counted whatever its
# place in the list (a responder under a flood lists many).
children() {
	tsd_query "$1" "sum(1 + len(s['more_children']) for s in j.get('ike_sas', []) if 'esp_alg' in s)"
}

# child_up HOST: HOST's data plane holds both halves of every Child SA of
# its IKE SAs, and nothing more (no old inbound SA left).
child_up() {
	[ "$(tsd_query "$1" "len([s for s in j['sas'] if s['name'].startswith('ike-')])")" = \
		"$(($(children "$1") * 2))" ] && [ "$(children "$1")" -gt 0 ]
}

# wait_for SECS CMD...: poll CMD every 0.1 s.
wait_for() {
	local i n=$(($1 * 10))
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

both_up() { [ "$(state a)" = established ] && [ "$(state b)" = established ] && child_up a && child_up b; }
both_gone() { [ "$(state a)" = none ] && [ "$(state b)" = none ] && ! child_up a && ! child_up b; }
