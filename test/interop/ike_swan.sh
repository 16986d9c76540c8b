#!/usr/bin/env bash
# IKEv2 between tunsecd and strongSwan (charon with kernel-libipsec, its own
# user-space ESP), shared-key authentication, tunnel mode with ESP in UDP:
# tunsec as initiator and as responder, for AES-GCM-256, AES-CCM-128 with an
# 8-byte ICV and ChaCha20-Poly1305 Child SAs. Each case: both sides report
# the IKE SA and the same Child SA SPIs (each one's inbound is the other's
# outbound), ping and a 4 MiB TCP transfer (sha256) cross between the inner
# subnets, then DELETE from one side takes the SAs down on both. Then
# strongSwan reauthenticates (a new IKE SA beside the old one), and the
# Child SA and the IKE SA are rekeyed from each side in turn, with traffic
# after each and nothing dropped, without and with PFS (X25519 in every
# Child SA rekey), and from both sides at the same moment (the IKE SA also
# with each side answering the other's request while its own waits). Two Child
# SAs in one IKE SA, the second by CREATE_CHILD_SA, traffic on each. ECDSA
# certificates authenticate both ways; so do RSA-3072 ones under an
# intermediate CA, tunsecd sending the intermediate too and its IKE_AUTH
# in 576-byte fragments (RFC 7383), or whole as IP fragments with
# fragmentation = no. A wrong key fails on both sides and leaves no SA.
#
#  ns $A                                     ns $B
#  lo 10.88.1.1/32                           lo 10.88.2.1/32
#  tunsecd (ts0: 10.88.2.0/24)               charon (ipsec0: 10.88.1.0/24)
#  ua 10.201.0.1  <== IKE udp/500 then 4500, ESP in udp/4500 ==>  ub 10.201.0.2
set -u
. "$(dirname "$0")/../netns/lib.sh"
. "$LAB_DIR/tunsecd_lib.sh"
. "$LAB_DIR/../interop/swan_lib.sh"
. "$LAB_DIR/ike_lib.sh"

XFER_BYTES=$((4 << 20))
LAB_TRANSFER_TIMEOUT=30

if why=$(swan_missing); then
	lab_log "strongSwan missing: $why"
	fail swan_installed "$why"
	lab_finish
fi

PSK=
TSD_LIFETIME=90
# One charon serves every case: about 105 s here unloaded, more under
# ASan and a busy machine (past 120 s, its bound ended it mid-case).
SWAN_LIFETIME=400

# write_tunsec ROLE ESP PSK: tunsecd's configuration on A.
write_tunsec() {
	local start=initiate
	[ "$1" = responder ] && start=wait
	cat >"$LAB_TMP/a.conf" <<EOF
[daemon]
local-address = $LAB_A4
control-socket = $LAB_TMP/a.sock
tun = $TSD_TUN
log-level = debug

[peer swan]
address = $LAB_B4
mode = tunnel
protect = local 10.88.1.0/24 remote 10.88.2.0/24
auth = psk
psk = $3
esp-proposals = $2
start = $start
retransmit-timeout = 1s
retransmit-tries = 3
EOF
	chmod 600 "$LAB_TMP/a.conf"
}

# ike_up_both: the IKE SA established on both sides, within 15 s.
ike_established() {
	[ "$(tsd_query a "any(s['state'] == 'established' for s in j.get('ike_sas', []))" 2>/dev/null)" = True ] &&
		[ "$(swan_ike_state b c 2>/dev/null)" = ESTABLISHED ]
}

wait_established() {
	local i
	for ((i = 0; i < 150; i++)); do
		ike_established && return 0
		sleep 0.1
	done
	return 1
}

# spis_mirror: tunsec's Child SA SPIs are strongSwan's, the other way round.
spis_mirror() {
	local ours theirs
	ours=$(tsd_query a "' '.join('%08x' % s[k] for s in j['ike_sas'] if 'spi_in' in s for k in ('spi_in', 'spi_out'))") || return 1
	theirs=$(swan_child_spis b c) || return 1
	set -- $theirs
	[ "$ours" = "$2 $1" ] || { echo "tunsec in/out $ours, strongSwan in/out $theirs"; return 1; }
}

# swan_ike_spi: the initiator SPI of strongSwan's one IKE SA, 16 hex
# digits.
swan_ike_spi() { swan_query b "'%016x' % int(ikes[0]['initiator-spi'], 16)"; }

# one_ike_sa_each: one IKE SA on each side, established, with the same
# SPIs, tunsec's holding the Child SA.
one_ike_sa_each() {
	local ours theirs
	ours=$(tsd_query a "'%016x' % j['ike_sas'][0]['spi_i'] if len(j['ike_sas']) == 1 and j['ike_sas'][0]['state'] == 'established' and 'spi_in' in j['ike_sas'][0] else 'no'") &&
		[ "$(swan_query b "len(ikes) == 1 and ikes[0]['state'] == 'ESTABLISHED'")" = True ] &&
		theirs=$(swan_ike_spi) && [ "$ours" = "$theirs" ]
}

# reauthenticated SPI: one IKE SA on each side, the same, and not the one
# whose initiator SPI (swan_ike_spi) was SPI.
reauthenticated() {
	local now
	one_ike_sa_each && now=$(swan_ike_spi) && [ -n "$1" ] && [ "$now" != "$1" ]
}

# gone_both: no IKE SA left on either side, within 10 s.
gone_both() {
	local i
	for ((i = 0; i < 100; i++)); do
		if [ "$(tsd_query a "len(j.get('ike_sas', [])) == 0 and len(j['sas']) == 0")" = True ] &&
			[ "$(swan_sa_count b ike 2>/dev/null)" = 0 ]; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# one_case ROLE ESP DELETER: one connection, its checks, its deletion.
one_case() {
	local role=$1 esp=$2 who=$3 name="${1}_$2" why
	PSK=0x$(tsd_random_hex 32)
	write_tunsec "$role" "$esp" "$PSK"
	swan_conn b c local="$LAB_B4" remote="$LAB_A4" psk="$PSK" \
		local_ts=10.88.2.0/24 remote_ts=10.88.1.0/24 esp="$esp" ||
		{ fail "${name}_swan_conn" "$SWAN_ERR"; return; }
	tsd_start a || { fail "${name}_start" "tunsecd did not start"; return; }
	[ "$role" = responder ] && { swan_initiate b c || lab_log "initiate: $SWAN_ERR"; }
	if wait_established; then
		pass "${name}_ike_sa"
	else
		fail "${name}_ike_sa" "not established: tunsec $(tsd_query a "j.get('ike_sas')"), strongSwan $(swan_ike_state b c)"
		tsd_stop a
		return
	fi
	why=$(spis_mirror) && pass "${name}_spis" || fail "${name}_spis" "$why"
	tsd_ping "$A" 10.88.2.1 3 10.88.1.1 && pass "${name}_ping" ||
		fail "${name}_ping" "no echo across"
	lab_transfer_sha "$A" "$B" 10.88.2.1 9000 "$XFER_BYTES" &&
		pass "${name}_tcp_sha256" || fail "${name}_tcp_sha256" "4 MiB transfer: sha256 differs"
	if [ "$who" = tunsec ]; then
		"$TSD_CLI" down --socket "$LAB_TMP/a.sock" swan >/dev/null 2>&1 ||
			fail "${name}_down" "tunsec down refused"
	else
		swan_terminate b ike c || lab_log "terminate: $SWAN_ERR"
	fi
	gone_both && pass "${name}_delete_by_$who" ||
		fail "${name}_delete_by_$who" "tunsec $(tsd_query a "(j.get('ike_sas'), len(j['sas']))"), strongSwan IKE SAs $(swan_sa_count b ike)"
	tsd_stop a || fail "${name}_clean_exit" "tunsecd exit ${TSD_RC:-?}"
	swan_unconn b c >/dev/null 2>&1
}

lab_up
ip -n "$A" addr add 10.88.1.1/32 dev lo
ip -n "$B" addr add 10.88.2.1/32 dev lo
# strongSwan fragments what is longer than 576 bytes (RFC 7383) when its
# peer announces support, as tunsecd does: its certificate messages reach
# tunsecd in fragments. It reauthenticates make-before-break: the new IKE
# SA and its Child SA up beside the old ones before it deletes them.
SWAN_CHARON_EXTRA="fragment_size = 576
  make_before_break = yes"
swan_start b "$B" || lab_die "strongSwan did not start: $SWAN_ERR"

one_case initiator aes256gcm16 tunsec
one_case responder aes256gcm16 swan
one_case initiator aes128ccm8 swan
one_case responder aes128ccm8 tunsec
one_case initiator chacha20poly1305 tunsec
one_case responder chacha20poly1305 swan

# crossed_ike_rekey: both sides rekey the IKE SA, each answering the
# other's request while its own waits (§2.8.2), in an order made sure by
# dropping tunsec's IKE messages to strongSwan (UDP 4500, non-ESP marker)
# in A's output chain, step by step rather than for a time:
#  1. all of them: tunsec's request is lost; strongSwan's reaches tunsec,
#     which answers it while its own waits (it logs so), and that answer
#     is lost;
#  2. then only its responses (IKE header flags, R bit): tunsec's request,
#     retransmitted, reaches strongSwan, whose own is still unanswered; it
#     answers, and tunsec settles the two new IKE SAs by nonces (it logs
#     so);
#  3. then nothing: strongSwan's retransmitted request gets tunsec's kept
#     answer, and strongSwan settles them by the same rule.
# Each wait is bounded (10 s, within both sides' retransmissions).
crossed_ike_rekey() {
	local rc=0 answered settled
	answered=$(grep -c "while our rekey is in flight" "$LAB_TMP/a.log")
	settled=$(grep -c "simultaneous IKE SA rekeys" "$LAB_TMP/a.log")
	ip netns exec "$A" nft -f - <<EOF || return 1
table inet ts_block {
	chain out {
		type filter hook output priority 0;
		ip daddr $LAB_B4 udp dport 4500 @th,64,32 0 drop
	}
}
EOF
	"$TSD_CLI" rekey --socket "$LAB_TMP/a.sock" --ike swan >/dev/null &&
		swan_rekey b ike c || rc=1
	[ "$rc" = 0 ] && ! wait_for 10 log_grew "while our rekey is in flight" "$answered" &&
		SWAN_ERR="tunsecd did not answer strongSwan's rekey while its own waited" rc=1
	ip netns exec "$A" nft -f - <<EOF || rc=1
flush chain inet ts_block out
add rule inet ts_block out ip daddr $LAB_B4 udp dport 4500 @th,64,32 0 @th,248,8 & 0x20 == 0x20 drop
EOF
	[ "$rc" = 0 ] && ! wait_for 10 log_grew "simultaneous IKE SA rekeys" "$settled" &&
		SWAN_ERR="tunsecd settled no simultaneous IKE SA rekey" rc=1
	ip netns exec "$A" nft delete table inet ts_block || rc=1
	return $rc
}

# log_grew TEXT N: tunsecd A's log has more than N lines with TEXT.
log_grew() { [ "$(grep -c "$1" "$LAB_TMP/a.log")" -gt "$2" ]; }

# rekey_case NAME ESP [GROUP]: rekeys from each side, Child SA and IKE
# SA, with traffic after each: both sides agree on the new SPIs and tunsec
# dropped nothing. With GROUP (strongSwan's name of the ESP proposal's
# key exchange) every rekeyed Child SA has that group on strongSwan's side
# too: the rekeys carry a KE payload (PFS), and traffic crossing proves
# both derived the same keys from it.
rekey_case() {
	local name=$1 esp=$2 group=${3:-} step why n=0 ike_before=
	PSK=0x$(tsd_random_hex 32)
	write_tunsec initiator "$esp" "$PSK"
	swan_conn b c local="$LAB_B4" remote="$LAB_A4" psk="$PSK" \
		local_ts=10.88.2.0/24 remote_ts=10.88.1.0/24 esp="$esp" ||
		{ fail "${name}_swan_conn" "$SWAN_ERR"; return; }
	tsd_start a && wait_established || { fail "${name}_setup" "not established"; tsd_stop a; return; }
	for step in swan-reauth tunsec-child swan-child tunsec-ike swan-ike tunsec-child swan-ike both-child both-ike crossed-ike; do
		n=$((n + 1))
		case $step in
		tunsec-child) "$TSD_CLI" rekey --socket "$LAB_TMP/a.sock" swan >/dev/null ;;
		tunsec-ike) "$TSD_CLI" rekey --socket "$LAB_TMP/a.sock" --ike swan >/dev/null ;;
		swan-child) swan_rekey b child c ;;
		swan-ike) swan_rekey b ike c ;;
		swan-reauth) # a new IKE SA from IKE_SA_INIT on, then the old
			# one deleted (strongSwan's reauthentication)
			ike_before=$(swan_ike_spi)
			swan_rekey b ike c reauth ;;
		both-child) # at the same moment: simultaneous rekeys (§2.8.1)
			swan_rekey b child c &
			"$TSD_CLI" rekey --socket "$LAB_TMP/a.sock" swan >/dev/null
			wait $! ;;
		both-ike) # the IKE SA, at the same moment (§2.8.2)
			swan_rekey b ike c &
			"$TSD_CLI" rekey --socket "$LAB_TMP/a.sock" --ike swan >/dev/null
			wait $! ;;
		crossed-ike) # each side answers the other's IKE SA rekey while
			# its own is in flight (§2.8.2); fails unless tunsecd
			# settled the collision
			crossed_ike_rekey ;;
		esac || { fail "${name}_${n}_$step" "refused: ${SWAN_ERR:-tunsec rekey}"; continue; }
		sleep 1.5
		why=
		if [ -n "$group" ] && [ "${step#*-}" = child ]; then
			[ "$(swan_query b "child('c').get('dh-group')")" = "$group" ] ||
				why="strongSwan's Child SA: group $(swan_query b "child('c').get('dh-group')"), not $group"
			[ "$(tsd_query a "j['ike_sas'][0]['esp_alg'].endswith(' ${group/_/}')")" = True ] ||
				why="${why:+$why; }tunsec's Child SA: $(tsd_query a "j['ike_sas'][0]['esp_alg']")"
		fi
		if [ "$step" = swan-reauth ]; then
			wait_for 15 reauthenticated "$ike_before" ||
				why="no new IKE SA: tunsec $(tsd_query a "[s['state'] for s in j['ike_sas']]"), strongSwan $(swan_query b "[(i['state'], i['initiator-spi']) for i in ikes]"), before $ike_before"
		fi
		if [ "$step" = crossed-ike ]; then
			wait_for 35 one_ike_sa_each ||
				why="not one IKE SA each: tunsec $(tsd_query a "[s['state'] for s in j['ike_sas']]"), strongSwan $(swan_sa_count b ike)"
			lab_log "$name: tunsecd: $(grep -o "simultaneous IKE SA rekeys.*" "$LAB_TMP/a.log" | tail -n 1)"
		fi
		[ -z "$why" ] && why=$(spis_mirror) &&
			tsd_ping "$A" 10.88.2.1 2 10.88.1.1 &&
			pass "${name}_${n}_$step" || fail "${name}_${n}_$step" "${why:-no echo after the rekey}"
	done
	# One IKE SA left on each side, the same (a redundant one of a
	# simultaneous rekey is deleted by its initiator), and tunsec's holds
	# the Child SA.
	wait_for 35 one_ike_sa_each && pass "${name}_one_ike_sa_left" ||
		fail "${name}_one_ike_sa_left" "tunsec $(tsd_query a "[(s['state'], s['spi_i'], s['spi_r']) for s in j['ike_sas']]"), strongSwan $(swan_sa_count b ike) IKE SA(s)"
	sleep 3 # the old inbound SAs' grace time
	[ "$(tsd_query a "sum(drops.values()) + sum(sum(s.get('drops', {}).values()) for s in j['sas'])")" = 0 ] &&
		[ "$(tsd_query a "len(j['sas'])")" = 2 ] && pass "${name}_no_drops_old_sas_gone" ||
		fail "${name}_no_drops_old_sas_gone" "$(tsd_query a "(drops, [(s['spi'], s.get('drops')) for s in j['sas']])")"
	tsd_stop a || fail "${name}_clean_exit" "tunsecd exit ${TSD_RC:-?}"
	swan_unconn b c >/dev/null 2>&1
}
rekey_case rekey aes256gcm16
rekey_case pfs_rekey aes256gcm16-x25519 CURVE_25519

# children_case: TCP to B's port 9000 and TCP to A's port 9000 cannot share
# one Child SA; strongSwan has a Child SA config for each (c: ICMP and TCP
# to its port 9000; d: TCP to A's port 9000). tunsecd, initiating, gets
# the first with IKE_AUTH and asks for the second with CREATE_CHILD_SA
# (RFC 7296 §1.3.1): both sides hold both, with mirrored SPIs, traffic
# crosses on each (a transfer each way), both are rekeyed from tunsec, and
# tunsec down deletes everything.
# tunsec_pairs: tunsec's Child SAs as sorted "in/out" SPI pairs;
# swan_pairs: strongSwan's INSTALLED ones as "out/in" (the mirror).
tunsec_pairs() {
	tsd_query a "' '.join(sorted('%08x/%08x' % (c['spi_in'], c['spi_out']) for s in j['ike_sas'] for c in [s] + s.get('more_children', []) if 'spi_in' in c))"
}
swan_pairs() {
	swan_query b "' '.join(sorted('%s/%s' % (c['spi-out'], c['spi-in']) for c in children(state='INSTALLED')))"
}
children_case() {
	local n
	PSK=0x$(tsd_random_hex 32)
	cat >"$LAB_TMP/a.conf" <<EOF
[daemon]
local-address = $LAB_A4
control-socket = $LAB_TMP/a.sock
tun = $TSD_TUN
log-level = debug

[peer swan]
address = $LAB_B4
mode = tunnel
protect = local 10.88.1.0/24 remote 10.88.2.0/24 proto icmp
protect = local 10.88.1.0/24 remote 10.88.2.0/24 proto tcp rport 9000
protect = local 10.88.1.0/24 remote 10.88.2.0/24 proto tcp lport 9000
auth = psk
psk = $PSK
esp-proposals = aes256gcm16
start = initiate
retransmit-timeout = 1s
retransmit-tries = 3
EOF
	chmod 600 "$LAB_TMP/a.conf"
	swan_conn b c local="$LAB_B4" remote="$LAB_A4" psk="$PSK" \
		local_ts="10.88.2.0/24[icmp],10.88.2.0/24[tcp/9000]" \
		remote_ts="10.88.1.0/24[icmp],10.88.1.0/24[tcp]" \
		child2=d child2_local_ts="10.88.2.0/24[tcp]" \
		child2_remote_ts="10.88.1.0/24[tcp/9000]" ||
		{ fail children_swan_conn "$SWAN_ERR"; return; }
	tsd_start a && wait_established || { fail children_setup "not established"; tsd_stop a; return; }
	for ((n = 0; n < 50; n++)); do
		[ "$(children a)" = 2 ] && [ "$(swan_child_state b d)" = INSTALLED ] && break
		sleep 0.1
	done
	[ "$(children a)" = 2 ] && [ "$(swan_child_state b c)" = INSTALLED ] &&
		[ "$(swan_child_state b d)" = INSTALLED ] && pass children_two_child_sas ||
		fail children_two_child_sas "tunsec $(children a), strongSwan c: $(swan_child_state b c), d: $(swan_child_state b d)"
	[ "$(tunsec_pairs)" = "$(swan_pairs)" ] && pass children_spis_mirror ||
		fail children_spis_mirror "tunsec $(tunsec_pairs), strongSwan (mirrored) $(swan_pairs)"
	tsd_ping "$A" 10.88.2.1 3 10.88.1.1 && pass children_ping || fail children_ping "no echo across"
	lab_transfer_sha "$A" "$B" 10.88.2.1 9000 "$XFER_BYTES" &&
		pass children_tcp_to_b || fail children_tcp_to_b "4 MiB to B's port 9000: sha256 differs"
	lab_transfer_sha "$B" "$A" 10.88.1.1 9000 "$XFER_BYTES" &&
		pass children_tcp_to_a || fail children_tcp_to_a "4 MiB to A's port 9000: sha256 differs"
	"$TSD_CLI" rekey --socket "$LAB_TMP/a.sock" swan >/dev/null ||
		fail children_rekey "tunsec rekey refused"
	sleep 3
	[ "$(children a)" = 2 ] && [ "$(tunsec_pairs)" = "$(swan_pairs)" ] &&
		lab_transfer_sha "$B" "$A" 10.88.1.1 9000 "$XFER_BYTES" &&
		tsd_ping "$A" 10.88.2.1 2 10.88.1.1 && pass children_rekeyed ||
		fail children_rekeyed "tunsec $(tunsec_pairs), strongSwan (mirrored) $(swan_pairs)"
	"$TSD_CLI" down --socket "$LAB_TMP/a.sock" swan >/dev/null 2>&1
	gone_both && pass children_deleted || fail children_deleted "strongSwan IKE SAs $(swan_sa_count b ike)"
	tsd_stop a || fail children_clean_exit "tunsecd exit ${TSD_RC:-?}"
	swan_unconn b c >/dev/null 2>&1
}
children_case

# Certificates (RFC 7427 signatures), each side naming the other by its
# FQDN: tunsec as initiator, then as responder. ecdsa: P-256 from one CA.
# rsa: RSA-3072 under an intermediate CA. strongSwan trusts the root
# only: tunsecd must send the intermediate after its own certificate
# (a-chain.crt). tunsecd trusts both CAs (strongSwan, not holding the
# intermediate, sends its own certificate alone). tunsecd cuts what it
# sends to 576-byte datagrams: its IKE_AUTH (two certificates and a
# 384-byte signature, some 2.8 KB) must go in fragments (RFC 7383), which
# strongSwan must put back together.
cert_case() {
	local kind=$1 role=$2 start=initiate name="cert_$2" why i swan_ca frag=
	local log_from cert=$CERTS/a.crt key=$CERTS/a.key cas="ca = $CERTS/ca.crt"
	local swan_cert=$CERTS/b.crt swan_key=$CERTS/b.key
	[ "$role" = responder ] && start=wait
	swan_ca=$CERTS/ca.crt
	if [ "$kind" = rsa ] || [ "$kind" = rsa-whole ]; then
		name="cert_${kind/-/_}_$role" cert=$RSA_CERTS/a-chain.crt key=$RSA_CERTS/a.key
		cas="ca = $RSA_CERTS/rca.crt
ca = $RSA_CERTS/ica.crt"
		swan_cert=$RSA_CERTS/b.crt swan_key=$RSA_CERTS/b.key
		swan_ca=$RSA_CERTS/rca.crt
		frag="fragment-size = 576"
		[ "$kind" = rsa-whole ] && frag="fragmentation = no"
	fi
	log_from=$(($(wc -l <"$(swan_dir b)/charon.log") + 1))
	cat >"$LAB_TMP/a.conf" <<EOF
[daemon]
local-address = $LAB_A4
control-socket = $LAB_TMP/a.sock
tun = $TSD_TUN
log-level = debug

[peer swan]
address = $LAB_B4
mode = tunnel
protect = local 10.88.1.0/24 remote 10.88.2.0/24
auth = pubkey
certificate = $cert
private-key = $key
$cas
local-id = fqdn:a.lab.example
remote-id = fqdn:b.lab.example
esp-proposals = aes256gcm16
start = $start
retransmit-timeout = 1s
retransmit-tries = 3
$frag
EOF
	chmod 600 "$LAB_TMP/a.conf"
	swan_conn b c local="$LAB_B4" remote="$LAB_A4" auth=pubkey \
		cert="$swan_cert" key="$swan_key" cacert="$swan_ca" \
		local_id=b.lab.example remote_id=a.lab.example \
		local_ts=10.88.2.0/24 remote_ts=10.88.1.0/24 esp=aes256gcm16 ||
		{ fail "${name}_swan_conn" "$SWAN_ERR"; return; }
	[ "$kind" != ecdsa ] && { tsd_capture "$A" ua "$LAB_TMP/$name.pcap" 30 udp ||
		lab_log "$name: tcpdump did not start"; }
	tsd_start a || { fail "${name}_start" "tunsecd did not start"; return; }
	[ "$role" = responder ] && { swan_initiate b c || lab_log "initiate: $SWAN_ERR"; }
	if wait_established; then
		pass "${name}_ike_sa"
		why=$(spis_mirror) && pass "${name}_spis" || fail "${name}_spis" "$why"
		tsd_ping "$A" 10.88.2.1 3 10.88.1.1 && pass "${name}_ping" ||
			fail "${name}_ping" "no echo across"
		# This start's lines of the log only.
		# strongSwan fragments to tunsecd when tunsecd announced it.
		if [ "$kind" != rsa-whole ]; then
			sed -n "$(grep -n -- '--- start' "$LAB_TMP/a.log" | tail -n 1 | cut -d: -f1),\$p" \
				"$LAB_TMP/a.log" | grep -q "reassembled from [0-9]* fragments" &&
				pass "${name}_fragments_reassembled" ||
				fail "${name}_fragments_reassembled" "strongSwan's IKE_AUTH did not come in fragments"
		fi
		[ "$kind" = rsa ] && rsa_checks "$name" "$log_from"
		[ "$kind" = rsa-whole ] && rsa_whole_checks "$name"
	else
		fail "${name}_ike_sa" "tunsec $(tsd_query a "j.get('ike_sas')"), strongSwan $(swan_ike_state b c)"
		[ "$kind" != ecdsa ] && tsd_capture_stop
	fi
	tsd_stop a || fail "${name}_clean_exit" "tunsecd exit ${TSD_RC:-?}"
	swan_unconn b c >/dev/null 2>&1
	for ((i = 0; i < 50; i++)); do
		[ "$(swan_sa_count b ike)" = 0 ] && break
		sleep 0.1
	done
}
# rsa_checks NAME LINE: tunsecd sent its IKE_AUTH in fragments (it says
# so, and tshark sees Encrypted Fragment payloads from it on the wire, no
# datagram of it over 576 bytes and no IP fragment), strongSwan put them
# together and took the intermediate CA from it (its log from LINE on),
# and bulk traffic crosses.
rsa_checks() {
	local name=$1 from=$2 n log pcap=$LAB_TMP/$1.pcap from_a="ip.src==$LAB_A4"
	tsd_capture_stop
	n=$(tsd_query a "max(s.get('fragments_sent', 0) for s in j['ike_sas'])")
	[ "${n:-0}" -gt 1 ] && pass "${name}_tunsec_sent_fragments" ||
		fail "${name}_tunsec_sent_fragments" "tunsec show: ${n:-?} fragments sent"
	n=$(tsd_tshark_count "$pcap" "$from_a && isakmp.nextpayload == 53" -o ip.defragment:FALSE)
	[ "$n" -gt 1 ] && pass "${name}_wire_fragments" ||
		fail "${name}_wire_fragments" "$n datagrams with an Encrypted Fragment payload from tunsecd"
	n=$(tsd_tshark_count "$pcap" "$from_a && (ip.len > 576 || ip.flags.mf == 1 || ip.frag_offset > 0)" \
		-o ip.defragment:FALSE)
	[ "$n" = 0 ] && pass "${name}_wire_within_576" ||
		fail "${name}_wire_within_576" "$n datagrams from tunsecd over 576 bytes or IP fragments"
	log=$(tail -n +"$from" "$(swan_dir b)/charon.log")
	grep -q "reassembled fragmented IKE message" <<<"$log" &&
		pass "${name}_swan_reassembled" ||
		fail "${name}_swan_reassembled" "strongSwan logged no reassembled message"
	grep -q 'received issuer cert "O=tunsec lab, CN=tunsec lab RSA intermediate"' <<<"$log" &&
		pass "${name}_swan_got_intermediate" ||
		fail "${name}_swan_got_intermediate" "strongSwan did not receive tunsecd's intermediate CA"
	lab_transfer_sha "$A" "$B" 10.88.2.1 9000 "$XFER_BYTES" &&
		pass "${name}_tcp_sha256" || fail "${name}_tcp_sha256" "4 MiB transfer: sha256 differs"
}
# rsa_whole_checks NAME: with fragmentation = no, tunsecd's 2.8 KB
# IKE_AUTH left whole, as IP fragments (the IKE sockets let the kernel
# fragment; ESP's never do), and no Encrypted Fragment payload.
rsa_whole_checks() {
	local name=$1 n pcap=$LAB_TMP/$1.pcap from_a="ip.src==$LAB_A4"
	tsd_capture_stop
	n=$(tsd_tshark_count "$pcap" "$from_a && ip.flags.mf == 1" -o ip.defragment:FALSE)
	[ "$n" -ge 1 ] && pass "${name}_ip_fragments" ||
		fail "${name}_ip_fragments" "$n IP fragments from tunsecd"
	n=$(tsd_tshark_count "$pcap" "$from_a && isakmp.nextpayload == 53" -o ip.defragment:FALSE)
	[ "$n" = 0 ] && pass "${name}_no_ike_fragments" ||
		fail "${name}_no_ike_fragments" "$n Encrypted Fragment payloads from tunsecd"
}
CERTS=$LAB_TMP/certs
if swan_make_ca_and_certs "$CERTS" a.lab.example b.lab.example; then
	cert_case ecdsa initiator
	cert_case ecdsa responder
else
	fail certs_made "$SWAN_ERR"
fi
RSA_CERTS=$LAB_TMP/rsa-certs
if swan_make_rsa_chain "$RSA_CERTS" 3072 a.lab.example b.lab.example; then
	cert_case rsa initiator
	cert_case rsa responder
	cert_case rsa-whole initiator
else
	fail rsa_certs_made "$SWAN_ERR"
fi

# A wrong key: strongSwan refuses tunsec's AUTH; no SA anywhere.
write_tunsec initiator aes256gcm16 "0x$(tsd_random_hex 32)"
swan_conn b c local="$LAB_B4" remote="$LAB_A4" psk="0x$(tsd_random_hex 32)" \
	local_ts=10.88.2.0/24 remote_ts=10.88.1.0/24 esp=aes256gcm16 ||
	fail wrong_psk_conn "$SWAN_ERR"
tsd_start a || fail wrong_psk_start "tunsecd did not start"
sleep 3
if [ "$(tsd_query a "len(j['sas']) == 0 and not any(s['state'] == 'established' for s in j.get('ike_sas', []))")" = True ] &&
	[ "$(swan_sa_count b ike)" = 0 ]; then
	pass wrong_psk_refused
else
	fail wrong_psk_refused "tunsec $(tsd_query a "j.get('ike_sas')"), strongSwan $(swan_sa_count b ike)"
fi
grep -q "IKE_AUTH failed" "$LAB_TMP/a.log" && pass wrong_psk_logged ||
	fail wrong_psk_logged "tunsecd did not log the failure"
tsd_stop a
swan_stop b
lab_finish
