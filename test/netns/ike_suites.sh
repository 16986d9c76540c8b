#!/usr/bin/env bash
# IKEv2 between two tunsecd's in transport mode, with the cipher suites and
# authentication the strongSwan run covers, between two of ours: AES-CCM-8
# and ChaCha20-Poly1305 Child SAs with shared keys (the IKE SA too with
# ChaCha20-Poly1305), and certificates (ECDSA P-256 and P-384, then RSA)
# from one CA. Each case: both sides up, ping and a 4 MiB TCP transfer,
# the Child SA rekeyed from B and the IKE SA from A with traffic after
# each, and `tunsec down` from B deleting everything on both.
#
#  ns $A                                      ns $B
#  tunsecd (ike: initiate)                    tunsecd (ike: wait)
#  ua 10.201.0.1  <== IKE udp/500 then 4500, ESP udp/4500 ==>  ub 10.201.0.2
set -u
. "$(dirname "$0")/lib.sh"
. "$LAB_DIR/tunsecd_lib.sh"
. "$LAB_DIR/ike_lib.sh"

XFER_BYTES=$((4 << 20))
LAB_TRANSFER_TIMEOUT=30
TSD_LIFETIME=60
VEC=$TUNSEC_SRCDIR/test/vectors/ike-cert

# write_suite HOST PEER PEERADDR LOCAL START PORTDIR ESP IKE AUTH...: HOST's
# configuration; PORTDIR is rport on A and lport on B (TCP to B's port
# 9000); AUTH is the lines of its authentication.
write_suite() {
	local host=$1 peer=$2 addr=$3 local=$4 start=$5 dir=$6 esp=$7 ike=$8
	shift 8
	{
		cat <<CONF
[daemon]
local-address = $local
control-socket = $LAB_TMP/$host.sock
tun = $TSD_TUN
log-level = debug

[peer $peer]
address = $addr
mode = transport
protect = proto icmp
protect = proto tcp $dir 9000
esp-proposals = $esp
ike-proposals = $ike
start = $start
retransmit-timeout = 500ms
retransmit-tries = 3
CONF
		printf '%s\n' "$@"
	} >"$LAB_TMP/$host.conf"
	chmod 600 "$LAB_TMP/$host.conf"
}

# key NAME: a copy of the test key NAME.key that only root may read.
key() {
	install -m 600 "$VEC/$1.key" "$LAB_TMP/$1.key" && echo "$LAB_TMP/$1.key"
}

# suite NAME ESP IKE ALGS AUTH-A AUTH-B: one case (AUTH-* are "|"-separated
# lines); ALGS is how tunsec show must name the IKE SA's and the Child
# SA's algorithms on both sides ("IKE_ALG/ESP_ALG").
suite() {
	local name=$1 esp=$2 ike=$3 algs=$4 a b i
	IFS='|' read -r -a a <<<"$5"
	IFS='|' read -r -a b <<<"$6"
	write_suite a b "$LAB_B4" "$LAB_A4" initiate rport "$esp" "$ike" "${a[@]}"
	write_suite b a "$LAB_A4" "$LAB_B4" wait lport "$esp" "$ike" "${b[@]}"
	tsd_start b && tsd_start a || { fail "${name}_start" "tunsecd did not start"; tsd_stop a; tsd_stop b; return; }
	if ! wait_for 10 both_up; then
		fail "${name}_up" "a: $(state a), b: $(state b)"
		tsd_stop a; tsd_stop b
		return
	fi
	pass "${name}_up"
	[ "$(tsd_query a "'%s/%s' % (j['ike_sas'][0]['ike_alg'], j['ike_sas'][0]['esp_alg'])")" = "$algs" ] &&
		[ "$(tsd_query b "'%s/%s' % (j['ike_sas'][0]['ike_alg'], j['ike_sas'][0]['esp_alg'])")" = "$algs" ] &&
		pass "${name}_suite" || fail "${name}_suite" "a $(tsd_query a "j['ike_sas'][0]")"
	tsd_ping "$A" "$LAB_B4" 3 && pass "${name}_ping" || fail "${name}_ping" "no echo"
	lab_transfer_sha "$A" "$B" "$LAB_B4" 9000 "$XFER_BYTES" && pass "${name}_tcp_sha256" ||
		fail "${name}_tcp_sha256" "4 MiB transfer: sha256 differs"
	for i in "b a" "a b --ike"; do
		# shellcheck disable=SC2086 # "HOST PEER [--ike]" on purpose
		set -- $i
		"$TSD_CLI" rekey --socket "$LAB_TMP/$1.sock" "$2" ${3:-} >/dev/null ||
			fail "${name}_rekey_$1${3:-}" "refused"
		sleep 1
		wait_for 5 both_up && tsd_ping "$A" "$LAB_B4" 2 && pass "${name}_rekey_$1${3:-}" ||
			fail "${name}_rekey_$1${3:-}" "a: $(state a), b: $(state b)"
	done
	"$TSD_CLI" down --socket "$LAB_TMP/b.sock" a >/dev/null && wait_for 5 both_gone &&
		pass "${name}_down" || fail "${name}_down" "a: $(state a), b: $(state b)"
	tsd_stop a || fail "${name}_a_clean_exit" "tunsecd a exit ${TSD_RC:-?}"
	tsd_stop b || fail "${name}_b_clean_exit" "tunsecd b exit ${TSD_RC:-?}"
}

lab_up
PSK=0x$(tsd_random_hex 32)
PSK_A="auth = psk|psk = $PSK|local-id = fqdn:a.lab.example|remote-id = fqdn:b.lab.example"
PSK_B="auth = psk|psk = $PSK|local-id = fqdn:b.lab.example|remote-id = fqdn:a.lab.example"
suite ccm8 aes128ccm8 aes256gcm16-prfsha256-x25519 \
	"AES_GCM_16-256 HMAC_SHA2_256 CURVE25519/AES_CCM_8-128" "$PSK_A" "$PSK_B"
suite chacha chacha20poly1305 chacha20poly1305-prfsha256-x25519 \
	"CHACHA20_POLY1305-256 HMAC_SHA2_256 CURVE25519/CHACHA20_POLY1305-256" \
	"$PSK_A" "$PSK_B"
KA=$(key a) && KB=$(key b) && KR=$(key rsa) || lab_die "test keys"
suite ecdsa aes256gcm16 aes256gcm16-prfsha384-ecp384 \
	"AES_GCM_16-256 HMAC_SHA2_384 ECP_384/AES_GCM_16-256" \
	"auth = pubkey|certificate = $VEC/a.pem|private-key = $KA|ca = $VEC/ca.pem|local-id = fqdn:a.lab.example|remote-id = fqdn:b.lab.example" \
	"auth = pubkey|certificate = $VEC/b.pem|private-key = $KB|ca = $VEC/ca.pem|local-id = fqdn:b.lab.example|remote-id = fqdn:a.lab.example"
suite rsa aes256gcm16 aes256gcm16-prfsha256-x25519 \
	"AES_GCM_16-256 HMAC_SHA2_256 CURVE25519/AES_GCM_16-256" \
	"auth = pubkey|certificate = $VEC/rsa.pem|private-key = $KR|ca = $VEC/ca.pem|local-id = fqdn:rsa.lab.example|remote-id = fqdn:b.lab.example" \
	"auth = pubkey|certificate = $VEC/b.pem|private-key = $KB|ca = $VEC/ca.pem|local-id = fqdn:b.lab.example|remote-id = fqdn:rsa.lab.example"
lab_finish
