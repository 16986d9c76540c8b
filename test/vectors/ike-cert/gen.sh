#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Test certificates and keys for the IKEv2 certificate tests
# (test/unit/test_ike_cert.c, test_ike_authsig.c, test_ike_keyproc*.c).
# Everything here is test data: the keys are published with the tree and
# protect nothing.
#
#   cd test/vectors/ike-cert && ./gen.sh
#
# Needs only the openssl command (3.x). Writes, in this directory:
#   ca.pem ca.key         test CA (ECDSA P-256), CN=tunsec test CA
#   inter.pem inter.key   intermediate CA signed by ca
#   other-ca.pem          a second, unrelated CA (ECDSA P-256)
#   a.pem a.key           ECDSA P-256 host, SAN dNSName a.lab.example,
#                         rfc822Name admin@a.lab.example, iPAddress
#                         192.0.2.10 and 2001:db8::10; signed by ca
#   b.pem b.key           ECDSA P-384 host, SAN dNSName b.lab.example; ca
#   rsa.pem rsa.key       RSA 2048 host, SAN dNSName rsa.lab.example; ca
#   expired.pem           P-256 host a.lab.example valid 2020-2021; ca
#   other.pem             P-256 host a.lab.example signed by other-ca
#   c.pem c.key           P-256 host c.lab.example signed by inter
#   a.subject.der         DER of a.pem's subject Name (an ID_DER_ASN1_DN)
#   certreq.txt           SHA-1 of each CA's SubjectPublicKeyInfo, the
#                         CERTREQ Certification Authority values (RFC 7296
#                         §3.7), computed here by the openssl command
# The host certificates are valid from 2025-01-01 to 2125-01-01 (the tests
# verify at fixed times inside and outside that range).
set -eu
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat >"$work/ca.cnf" <<CNF
[ca]
default_ca = tca
[tca]
database = $work/index.txt
new_certs_dir = $work
serial = $work/serial
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
[anything]
commonName = supplied
organizationName = optional
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[host_a]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
subjectAltName = DNS:a.lab.example, email:admin@a.lab.example, IP:192.0.2.10, IP:2001:db8::10
[host_b]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
subjectAltName = DNS:b.lab.example
[host_c]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
subjectAltName = DNS:c.lab.example
[host_rsa]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
subjectAltName = DNS:rsa.lab.example
CNF

ec_key() { openssl genpkey -algorithm EC -pkeyopt "ec_paramgen_curve:$2" -out "$1"; }

# sign NAME KEY CN ISSUER_PEM ISSUER_KEY EXT START END
sign() {
	: >"$work/index.txt"
	echo 1000 >"$work/serial"
	openssl req -new -key "$2" -subj "/O=tunsec test/CN=$3" -out "$work/$1.csr"
	openssl ca -batch -config "$work/ca.cnf" -cert "$4" -keyfile "$5" \
		-extensions "$6" -startdate "$7" -enddate "$8" -notext \
		-in "$work/$1.csr" -out "$1.pem" 2>/dev/null
}

# The roots: self-signed.
ec_key ca.key P-256
openssl req -new -x509 -key ca.key -subj "/O=tunsec test/CN=tunsec test CA" \
	-config "$work/ca.cnf" -extensions v3_ca -days 36500 -sha256 -out ca.pem
ec_key "$work/other-ca.key" P-256
openssl req -new -x509 -key "$work/other-ca.key" \
	-subj "/O=tunsec test/CN=tunsec other CA" -config "$work/ca.cnf" \
	-extensions v3_ca -days 36500 -sha256 -out other-ca.pem

LONG="20250101000000Z 21250101000000Z"
ec_key inter.key P-256
# shellcheck disable=SC2086
sign inter inter.key "tunsec test intermediate" ca.pem ca.key v3_ca $LONG
ec_key a.key P-256
# shellcheck disable=SC2086
sign a a.key a.lab.example ca.pem ca.key host_a $LONG
ec_key b.key P-384
# shellcheck disable=SC2086
sign b b.key b.lab.example ca.pem ca.key host_b $LONG
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.key
# shellcheck disable=SC2086
sign rsa rsa.key rsa.lab.example ca.pem ca.key host_rsa $LONG
ec_key "$work/expired.key" P-256
sign expired "$work/expired.key" a.lab.example ca.pem ca.key host_a \
	20200101000000Z 20210101000000Z
ec_key "$work/other.key" P-256
# shellcheck disable=SC2086
sign other "$work/other.key" a.lab.example other-ca.pem "$work/other-ca.key" \
	host_a $LONG
ec_key c.key P-256
# shellcheck disable=SC2086
sign c c.key c.lab.example inter.pem inter.key host_c $LONG

# The subject Name's DER, cut out of the certificate by asn1parse: the
# TBSCertificate's sixth element (version, serial, signature, issuer,
# validity, subject).
openssl x509 -in a.pem -outform DER -out "$work/a.der"
set -- $(openssl asn1parse -inform DER -in "$work/a.der" |
	sed 's/[:=]/ /g' | awk '$3 == 2 { if (++n == 6) { print $1, $5, $7; exit } }')
tail -c +$(($1 + 1)) "$work/a.der" | head -c $(($2 + $3)) >a.subject.der

spki_sha1() {
	openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER |
		openssl dgst -sha1 -r | cut -d' ' -f1
}
{
	echo "# SHA-1 of each CA certificate's SubjectPublicKeyInfo (DER), the"
	echo "# CERTREQ Certification Authority value (RFC 7296 §3.7). Made by"
	echo "# gen.sh: openssl x509 -pubkey | openssl pkey -pubin -outform DER |"
	echo "# openssl dgst -sha1."
	echo "ca = $(spki_sha1 ca.pem)"
	echo "inter = $(spki_sha1 inter.pem)"
	echo "other-ca = $(spki_sha1 other-ca.pem)"
} >certreq.txt
chmod 644 ./*.key
