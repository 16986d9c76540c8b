#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Seed corpus for fuzz/fuzz_ike_cert.c, from the test certificates of
# test/vectors/ike-cert/ (test data) with the openssl command:
#   0x00 | the DER of each certificate (CERT payload data, encoding 4),
#   0x00 | one of them cut short or with a byte appended,
#   0x01 | AUTH method 14 data: each AlgorithmIdentifier of RFC 7427
#          Appendix A that tunsec knows, with a signature made by a test
#          key (not the target's key: it must be refused) or of junk.
#
#   fuzz/gen_ike_cert_corpus.sh            (from the top of the tree)
set -eu
cd "$(dirname "$0")/.."
out=fuzz/corpus/ike_cert
vec=test/vectors/ike-cert
mkdir -p "$out"
rm -f "$out"/*
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# seed NAME: stdin into the next numbered file.
seed() { cat >"$out/$(printf %02d $(($(ls "$out" | wc -l) + 1)))-$1"; }

for c in a b rsa c inter ca expired other; do
	openssl x509 -in "$vec/$c.pem" -outform DER -out "$work/$c.der"
	{ printf '\000'; cat "$work/$c.der"; } | seed "cert-$c"
done
{ printf '\000'; head -c 200 "$work/a.der"; } | seed cert-truncated
{ printf '\000'; cat "$work/a.der"; printf '\000'; } | seed cert-trailing

printf 'RealMessage | Nonce | prf(SK_p, ID)\000' >"$work/octets"
hexbin() { printf '%s' "$1" | sed 's/../\\x&/g' | xargs -0 printf; }
# auth NAME ALGID_HEX DIGEST KEY [SIGOPTS...]
auth() {
	name=$1 alg=$2 md=$3 key=$4
	shift 4
	openssl dgst "-$md" -sign "$vec/$key" "$@" -out "$work/sig" \
		"$work/octets"
	{
		printf '\001'
		printf "\\$(printf %03o $((${#alg} / 2)))"
		hexbin "$alg"
		cat "$work/sig"
	} | seed "auth-$name"
}
auth ecdsa256 300a06082a8648ce3d040302 sha256 a.key
auth ecdsa384 300a06082a8648ce3d040303 sha384 b.key
auth rsa256 300d06092a864886f70d01010b0500 sha256 rsa.key
auth pss256 304106092a864886f70d01010a3034a00f300d060960864801650304020105\
00a11c301a06092a864886f70d010108300d06096086480165030402010500a203020120 \
	sha256 rsa.key -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32
auth unknown 300906072a8648ce3d0401 sha1 a.key
{ printf '\001\014'; hexbin 300a06082a8648ce3d040302; printf 'junk'; } |
	seed auth-junk-signature
