/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the peer's certificate and signature as IKE_AUTH
 * carries them (src/ike/cert.c, src/ike/authsig.c), on hostile bytes.
 *
 * Input: one mode byte, then the payload data.
 *  - mode even: CERT Certificate Data of encoding 4 (ike_cert_parse). When
 *    it parses, its DER parses again, and ike_cert_matches_id,
 *    ike_cert_pubkey and ike_authsig_choose run on it for each ID type.
 *  - mode odd: AUTH method 14 data (ike_decode_auth_sig, then
 *    ike_authsig_verify with a P-256 key generated once, over fixed
 *    octets). No input can hold a signature by that key, so the verdict
 *    is always a refusal (-EACCES), never a crash or success.
 *
 * Seeds: fuzz/corpus/ike_cert/, written by fuzz/gen_ike_cert_corpus.sh.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/evp.h>

#include "ike/authsig.h"
#include "ike/cert.h"
#include "ike/msg.h"
#include "ike/wire.h"

#define check(cond)                                                        \
	do {                                                               \
		if (!(cond))                                               \
			abort();                                           \
	} while (0)

static const uint8_t id_types[] = {
	IKE_ID_IPV4_ADDR, IKE_ID_FQDN, IKE_ID_RFC822_ADDR, IKE_ID_IPV6_ADDR,
	IKE_ID_DER_ASN1_DN, IKE_ID_KEY_ID,
};

static void cert_one(const uint8_t *data, size_t size)
{
	static const uint16_t hashes[] = { 1, 2, 3, 4, 5 };
	struct ike_x509 *c = NULL, *again = NULL;
	const uint8_t *der;
	size_t len, i;
	int err = ike_cert_parse(data, size, &c);

	if (err) {
		check(err == -EBADMSG && !c);
		return;
	}
	der = ike_cert_der(c, &len);
	check(len > 0 && !ike_cert_parse(der, len, &again));
	for (i = 0; i < sizeof(id_types); i++) {
		ike_cert_matches_id(c, id_types[i], data, size);
		ike_cert_matches_id(c, id_types[i], data, size < 16 ? size : 16);
	}
	if (ike_cert_pubkey(c))
		ike_authsig_choose(ike_cert_pubkey(c), hashes, 5);
	ike_cert_free(again);
	ike_cert_free(c);
}

static void auth_one(const uint8_t *data, size_t size)
{
	static const uint8_t octets[] = "RealMessage | Nonce | prf(SK_p, ID)";
	static EVP_PKEY *key;
	struct ike_auth a = { IKE_AM_DIGITAL_SIGNATURE, data, size };
	struct ike_auth_sig s;
	const char *why = NULL;

	if (!key)
		key = EVP_EC_gen("P-256");
	check(key != NULL);
	if (ike_decode_auth_sig(&a, &s) != IKE_PARSE_OK)
		return;
	check(ike_authsig_verify(&s, octets, sizeof(octets), key, &why) ==
	      -EACCES);
	check(why != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		auth_one(data + 1, size - 1);
	else
		cert_one(data + 1, size - 1);
	return 0;
}
