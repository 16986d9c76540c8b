#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR disable=SC2317 # functions called through step and _lab_poll
# Seeds for fuzz/fuzz_ike.c captured off the wire: real IKEv2 messages of
# strongSwan (charon-systemd with kernel-libipsec) talking to tunsecd and
# to a second strongSwan in the two-host lab. Needs root, strongSwan and a
# built tunsecd:
#
#   TUNSEC_BUILD=build fuzz/gen_ike_swan_corpus.sh [OUTDIR]
#
# OUTDIR (default fuzz/corpus/ike) gets swan-NN-LABEL-EXCHANGE-req|resp
# files (its earlier swan-* files are replaced); fuzz/pcap_to_ike_seeds.py
# turns the captures into seeds (fuzz_ike.c's mode byte, then the message).
# Nothing is written unless every step succeeded. SWAN_PCAP_DIR=DIR keeps
# a copy of the captures there. Keys, SPIs and nonces are fresh on every
# run, so the bytes differ from run to run; the exchanges are the same.
#
#  ns $A                                         ns $B
#  lo 10.88.1.1/32                               lo 10.88.2.1/32
#  tunsecd, later charon "a"                     charon "b"
#  ua 10.201.0.1  <== IKE udp/500, then 4500 ==>  ub 10.201.0.2
#  (tcpdump on ua, one capture per step)
#
# Steps, each captured on its own (the label names its seeds):
#  tsi-*   tunsecd initiates (AES-GCM IKE SA, shared key): IKE_SA_INIT,
#          IKE_AUTH; empty INFORMATIONAL liveness checks (dpd-delay 2s);
#          tunsecd deletes the IKE SA.
#  tsr-*   strongSwan initiates to tunsecd with AES-CBC/HMAC-SHA2-256 and a
#          KE payload for a group tunsecd does not take: INVALID_KE_PAYLOAD,
#          the retry with MODP-2048, IKE_AUTH; strongSwan deletes.
#  cert-*  strongSwan to strongSwan, ECDSA certificates (CERT, CERTREQ),
#          IKE fragmentation forced (RFC 7383; 576-byte fragments), PFS:
#          Child SA rekey (CREATE_CHILD_SA with KE) and the old SA's
#          DELETE, IKE SA rekey from the responder, a Child SA DELETE, the
#          IKE SA DELETE.
#  psk-*   strongSwan to strongSwan, AES-CBC/HMAC-SHA2-512 with
#          INVALID_KE_PAYLOAD, IKE SA rekey, Child SA rekey, DELETE.
# Everything is bounded (lab_bg, swanctl timeouts, SWAN_LIFETIME) and the
# lab is removed on exit (lib.sh's trap), whatever happened.
set -u
# shellcheck source=../test/netns/lib.sh
. "$(dirname "$0")/../test/netns/lib.sh"
# shellcheck source=../test/netns/tunsecd_lib.sh
. "$LAB_DIR/tunsecd_lib.sh"
# shellcheck source=../test/interop/swan_lib.sh
. "$LAB_DIR/../interop/swan_lib.sh"

OUTDIR=${1:-$TSD_SRCDIR/fuzz/corpus/ike}
EXTRACT=$TSD_SRCDIR/fuzz/pcap_to_ike_seeds.py
# shellcheck disable=SC2034 # bounds read by the libraries
TSD_LIFETIME=60 SWAN_LIFETIME=90
CAP_SECONDS=40
CAPS=() # LABEL:MODE:FILE, in step order, for the extractor

# fuzz_ike.c's mode byte: the Encrypted payload's shape of the IKE SA.
MODE_AEAD=0       # AES-GCM-16: IV 8, ICV 16
MODE_CBC_SHA256=1 # AES-CBC, HMAC-SHA2-256-128: IV 16, ICV 16
MODE_CBC_SHA512=2 # AES-CBC, HMAC-SHA2-512-256: IV 16, ICV 32

[ -d "$OUTDIR" ] || lab_die "$OUTDIR: no such directory"
if why=$(swan_missing); then
	lab_die "strongSwan missing: $why"
fi

# cap_start LABEL MODE: capture IKE (and ESP-in-UDP, dropped later) on ua.
cap_start() {
	CAP_FILE=$LAB_TMP/caps/$(printf '%02d' "${#CAPS[@]}")-$1.pcap
	CAPS+=("$1:$2:$CAP_FILE")
	tsd_capture "$A" ua "$CAP_FILE" "$CAP_SECONDS" udp port 500 or udp port 4500 ||
		lab_die "tcpdump did not start: $(cat "$CAP_FILE.err")"
}

cap_stop() { tsd_capture_stop; }

# step NAME CMD...: CMD must succeed, or the run fails (no seeds written).
step() {
	local name=$1
	shift
	SWAN_ERR=
	if "$@"; then
		lab_log "$name: done"
		return 0
	fi
	fail "$name" "${SWAN_ERR:-failed}"
	swan_alive a && swan_log a 15
	swan_alive b && swan_log b 15
	[ -f "$LAB_TMP/a.log" ] && tail -n 15 "$LAB_TMP/a.log" >&2
	return 1
}

# ---------------------------------------------------------------- tunsecd

# write_tunsec START IKE PSK: tunsecd's configuration on A.
write_tunsec() {
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
ike-proposals = $2
esp-proposals = aes256gcm16
start = $1
dpd-delay = 2s
retransmit-timeout = 1s
retransmit-tries = 3
EOF
	chmod 600 "$LAB_TMP/a.conf"
}

tsd_ike_count() { tsd_query a "len(j.get('ike_sas', []))"; }

tsd_up() {
	[ "$(tsd_query a "any(s['state'] == 'established' for s in j.get('ike_sas', []))" 2>/dev/null)" = True ] &&
		[ "$(swan_ike_state b ts 2>/dev/null)" = ESTABLISHED ]
}

tsd_gone() {
	[ "$(tsd_ike_count 2>/dev/null)" = 0 ] && [ "$(swan_sa_count b ike 2>/dev/null)" = 0 ]
}

tsd_down() { "$TSD_CLI" down --socket "$LAB_TMP/a.sock" swan >/dev/null 2>&1; }

# swan_to_tsd IKE PSK: connection "ts" of charon b towards tunsecd.
swan_to_tsd() {
	swan_conn b ts local="$LAB_B4" remote="$LAB_A4" psk="$2" ike="$1" \
		local_ts=10.88.2.0/24 remote_ts=10.88.1.0/24 esp=aes256gcm16
}

tunsec_initiator() {
	local psk
	psk=0x$(tsd_random_hex 32)
	write_tunsec initiate aes256gcm16-prfsha256-x25519 "$psk"
	step tsi_conn swan_to_tsd aes256gcm16-prfsha256-x25519 "$psk" || return 1
	cap_start tsi-setup "$MODE_AEAD"
	step tsi_start tsd_start a || return 1
	step tsi_established _lab_poll 15 tsd_up || return 1
	cap_stop
	cap_start tsi-dpd "$MODE_AEAD"
	sleep 4.5 # dpd-delay 2s without traffic: liveness checks
	cap_stop
	cap_start tsi-delete "$MODE_AEAD"
	step tsi_down tsd_down || return 1
	step tsi_gone _lab_poll 10 tsd_gone || return 1
	cap_stop
	tsd_stop a || { fail tsi_stop "tunsecd exit ${TSD_RC:-?}"; return 1; }
	swan_unconn b ts >/dev/null
}

tunsec_responder() {
	local psk
	psk=0x$(tsd_random_hex 32)
	write_tunsec wait aes128-sha256-prfsha256-modp2048 "$psk"
	# One proposal, two groups: the KE payload is for ECP-256, which
	# tunsecd does not accept here (RFC 7296 §1.2 INVALID_KE_PAYLOAD).
	step tsr_conn swan_to_tsd aes128-sha256-prfsha256-ecp256-modp2048 "$psk" || return 1
	step tsr_start tsd_start a || return 1
	cap_start tsr-setup "$MODE_CBC_SHA256"
	step tsr_initiate swan_initiate b ts || return 1
	step tsr_established _lab_poll 15 tsd_up || return 1
	cap_stop
	cap_start tsr-delete "$MODE_CBC_SHA256"
	step tsr_terminate swan_terminate b ike ts || return 1
	step tsr_gone _lab_poll 10 tsd_gone || return 1
	cap_stop
	tsd_stop a || { fail tsr_stop "tunsecd exit ${TSD_RC:-?}"; return 1; }
	swan_unconn b ts >/dev/null
}

# ---------------------------------------------------------------- swan-swan

# ike_id NAME CONN: unique id of the only IKE SA of CONN on charon NAME.
ike_id() { swan_query "$1" "ike('$2')['uniqueid']"; }

child_id() { swan_query "$1" "child('$2')['uniqueid']"; }

# ike_rekeyed NAME CONN OLD: one ESTABLISHED IKE SA of CONN, not OLD, on
# both charons; child_rekeyed: one INSTALLED Child SA, not OLD, and no
# other left (the old one's DELETE done).
ike_rekeyed() {
	swan_wait "$1" 15 "len(ikes) == 1 and ike('$2')['state'] == 'ESTABLISHED' and ike('$2')['uniqueid'] != '$3' and child('$2')" &&
		swan_wait "$4" 15 "len(ikes) == 1 and ike('$2')['state'] == 'ESTABLISHED' and child('$2')"
}

child_rekeyed() {
	swan_wait "$1" 15 "len(children()) == 1 and child('$2')['uniqueid'] != '$3'" &&
		swan_wait "$4" 15 "len(children()) == 1 and child('$2')"
}

swans_gone() {
	swan_wait a 10 "len(ikes) == 0" && swan_wait b 10 "len(ikes) == 0"
}

# swan_pair CONN ARGS_A ARGS_B: connection CONN loaded on both charons
# (ARGS_* are extra KEY=VALUE words), inner prefixes as the drawing.
swan_pair() {
	local conn=$1 a=$2 b=$3
	# shellcheck disable=SC2086 # the extra arguments are words
	swan_conn a "$conn" local="$LAB_A4" remote="$LAB_B4" \
		local_ts=10.88.1.0/24 remote_ts=10.88.2.0/24 $a &&
		swan_conn b "$conn" local="$LAB_B4" remote="$LAB_A4" \
			local_ts=10.88.2.0/24 remote_ts=10.88.1.0/24 $b
}

swan_cert() {
	local c=$LAB_TMP/pki old common
	step cert_pki swan_make_ca_and_certs "$c" || return 1
	common="auth=pubkey cacert=$c/ca.crt ike=aes256gcm16-prfsha256-x25519 esp=aes256gcm16-x25519 fragmentation=force"
	step cert_conn swan_pair cert \
		"$common cert=$c/a.crt key=$c/a.key local_id=host-a.tunsec.test remote_id=host-b.tunsec.test" \
		"$common cert=$c/b.crt key=$c/b.key local_id=host-b.tunsec.test remote_id=host-a.tunsec.test" ||
		return 1
	cap_start cert-setup "$MODE_AEAD"
	step cert_initiate swan_initiate a cert || return 1
	cap_stop
	# What the seeds are meant to hold, as charon logged it (the payloads
	# themselves are encrypted on the wire).
	step cert_certreq grep -qE "generating IKE_AUTH request .* CERT .* CERTREQ " "$(swan_dir a)/charon.log" &&
		step cert_fragmented grep -q "splitting IKE message .* into [2-9] fragments" \
			"$(swan_dir b)/charon.log" || return 1
	cap_start cert-child-rekey "$MODE_AEAD"
	old=$(child_id a cert) && step cert_child_rekey swan_rekey a child cert &&
		step cert_child_rekeyed child_rekeyed a cert "$old" b || return 1
	cap_stop
	cap_start cert-ike-rekey "$MODE_AEAD"
	old=$(ike_id b cert) && step cert_ike_rekey swan_rekey b ike cert &&
		step cert_ike_rekeyed ike_rekeyed b cert "$old" a || return 1
	cap_stop
	cap_start cert-child-delete "$MODE_AEAD"
	step cert_child_delete swan_terminate a child cert &&
		step cert_child_gone swan_wait b 10 "len(children()) == 0" || return 1
	cap_stop
	cap_start cert-delete "$MODE_AEAD"
	step cert_delete swan_terminate b ike cert && step cert_gone swans_gone || return 1
	cap_stop
	swan_unconn a cert >/dev/null && swan_unconn b cert >/dev/null
}

swan_psk() {
	local psk old
	psk=0x$(tsd_random_hex 32)
	# a's KE payload is for X25519, which b does not take.
	step psk_conn swan_pair psk \
		"psk=$psk ike=aes256-sha512-prfsha512-x25519-ecp384 esp=aes128gcm16" \
		"psk=$psk ike=aes256-sha512-prfsha512-ecp384 esp=aes128gcm16" || return 1
	cap_start psk-setup "$MODE_CBC_SHA512"
	step psk_initiate swan_initiate a psk || return 1
	cap_stop
	cap_start psk-ike-rekey "$MODE_CBC_SHA512"
	old=$(ike_id a psk) && step psk_ike_rekey swan_rekey a ike psk &&
		step psk_ike_rekeyed ike_rekeyed a psk "$old" b || return 1
	cap_stop
	cap_start psk-child-rekey "$MODE_CBC_SHA512"
	old=$(child_id b psk) && step psk_child_rekey swan_rekey b child psk &&
		step psk_child_rekeyed child_rekeyed b psk "$old" a || return 1
	cap_stop
	cap_start psk-delete "$MODE_CBC_SHA512"
	step psk_delete swan_terminate a ike psk && step psk_gone swans_gone || return 1
	cap_stop
}

# ---------------------------------------------------------------- main

lab_up --mtu 1500
mkdir -p "$LAB_TMP/caps"
ip -n "$A" addr add 10.88.1.1/32 dev lo
ip -n "$B" addr add 10.88.2.1/32 dev lo
swan_start b "$B" || lab_die "charon b did not start: $SWAN_ERR"
if ! tunsec_initiator || ! tunsec_responder; then
	lab_die "tunsecd with strongSwan failed"
fi
swan_stop b || lab_die "charon b: $SWAN_ERR"

# Both charons again, with fragments small enough to split IKE_AUTH.
# shellcheck disable=SC2034 # read by swan_start
SWAN_CHARON_EXTRA="fragment_size = 576"
swan_start a "$A" || lab_die "charon a did not start: $SWAN_ERR"
swan_start b "$B" || lab_die "charon b did not start: $SWAN_ERR"
if ! swan_cert || ! swan_psk; then
	lab_die "strongSwan with strongSwan failed"
fi
swan_stop a
swan_stop b

if [ -n "${SWAN_PCAP_DIR:-}" ]; then
	mkdir -p "$SWAN_PCAP_DIR" && cp "$LAB_TMP"/caps/*.pcap "$SWAN_PCAP_DIR"/
fi
"$LAB_PY" "$EXTRACT" --clean --prefix swan --max 60 "$OUTDIR" "${CAPS[@]}" >&2 ||
	lab_die "no seeds extracted"
pass "swan_seeds $(find "$OUTDIR" -maxdepth 1 -name 'swan-*' | wc -l)"
lab_finish
