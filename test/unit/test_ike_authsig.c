/* SPDX-License-Identifier: MIT */
/*
 * AUTH method 14, Digital Signature (src/ike/authsig.c): the
 * AlgorithmIdentifiers against the bytes printed in RFC 7427 Appendix A;
 * sign/verify round trips with the test keys of test/vectors/ike-cert/
 * (ECDSA P-256 and P-384, RSA 2048 with RSASSA-PSS and PKCS#1 v1.5) through
 * ike_authsig_sign, ike_decode_auth_sig and ike_authsig_verify; every
 * flipped bit of the octets, identifier and signature refused; the wrong
 * key, a key of the wrong kind and a weak key refused; the PSS salt and
 * MGF1 checked by a separate raw verification; algorithm choice from the
 * peer's SIGNATURE_HASH_ALGORITHMS.
 */
#include <errno.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "cert_util.h"
#include "ike/authsig.h"
#include "ike/msg.h"
#include "ike/wire.h"
#include "test.h"

/* ---- RFC 7427 Appendix A ---- */

struct algid_case {
	const char *section;
	const char *name;        /* table entry expected; NULL: refused */
	uint8_t der[80];
	size_t len;
};

/* Copied from RFC 7427 Appendix A, section by section. */
static const struct algid_case rfc7427[] = {
	{ "A.1.1 sha1WithRSAEncryption", NULL,
	  { 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
	    0x01, 0x05, 0x05, 0x00 }, 15 },
	{ "A.1.2 sha256WithRSAEncryption", "sha256WithRSAEncryption",
	  { 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
	    0x01, 0x0b, 0x05, 0x00 }, 15 },
	{ "A.1.3 sha384WithRSAEncryption", "sha384WithRSAEncryption",
	  { 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
	    0x01, 0x0c, 0x05, 0x00 }, 15 },
	{ "A.1.4 sha512WithRSAEncryption", "sha512WithRSAEncryption",
	  { 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
	    0x01, 0x0d, 0x05, 0x00 }, 15 },
	{ "A.3.1 ecdsa-with-sha1", NULL,
	  { 0x30, 0x09, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01 },
	  11 },
	{ "A.3.2 ecdsa-with-sha256", "ecdsa-with-SHA256",
	  { 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03,
	    0x02 }, 12 },
	{ "A.3.3 ecdsa-with-sha384", "ecdsa-with-SHA384",
	  { 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03,
	    0x03 }, 12 },
	{ "A.3.4 ecdsa-with-sha512", "ecdsa-with-SHA512",
	  { 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03,
	    0x04 }, 12 },
	{ "A.4.1 RSASSA-PSS with empty parameters", NULL,
	  { 0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
	    0x01, 0x0a }, 13 },
	{ "A.4.2 RSASSA-PSS with default parameters", NULL,
	  { 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
	    0x01, 0x0a, 0x30, 0x00 }, 15 },
	{ "A.4.3 RSASSA-PSS with SHA-256", "RSASSA-PSS-SHA256",
	  { 0x30, 0x46, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
	    0x01, 0x0a, 0x30, 0x39, 0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60,
	    0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0xa1,
	    0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
	    0x01, 0x01, 0x08, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
	    0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0xa2, 0x03, 0x02, 0x01,
	    0x20, 0xa3, 0x03, 0x02, 0x01, 0x01 }, 72 },
};

/*
 * RSASSA-PSS with SHA-256 as sent: A.4.3 in DER, the DEFAULT trailerField
 * left out. These are the signatureAlgorithm bytes OpenSSL wrote into a
 * certificate made with
 *   openssl req -x509 -new -key rsa.key -subj /CN=x -sha256 \
 *       -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 \
 *       -sigopt rsa_mgf1_md:sha256 -outform DER
 * (OpenSSL 3.0.19), cut out after the OID 1.2.840.113549.1.1.10.
 */
static const uint8_t pss256_der[] = {
	0x30, 0x41, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
	0x01, 0x0a, 0x30, 0x34, 0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60,
	0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0xa1,
	0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
	0x01, 0x01, 0x08, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
	0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0xa2, 0x03, 0x02, 0x01,
	0x20,
};

TEST(authsig_rfc7427_algids)
{
	const struct ike_authsig_alg *a;
	uint8_t d[80];
	size_t i, bit;

	for (i = 0; i < sizeof(rfc7427) / sizeof(rfc7427[0]); i++) {
		const struct algid_case *c = &rfc7427[i];

		a = ike_authsig_find(c->der, c->len);
		if (!c->name) {
			if (a)
				test_fail(__FILE__, __LINE__, "%s accepted",
					  c->section);
			continue;
		}
		if (!a || strcmp(a->name, c->name)) {
			test_fail(__FILE__, __LINE__, "%s not found",
				  c->section);
			continue;
		}
		/* What is sent is the RFC's bytes (PSS: in DER, below). */
		if (strcmp(c->name, "RSASSA-PSS-SHA256"))
			CHECK(a->der_len == c->len &&
			      !memcmp(a->der, c->der, c->len));
		CHECK(!ike_authsig_find(c->der, c->len - 1));
		/* A flipped bit is refused or names another entry (the
		 * ecdsa-with-SHA2 OIDs differ in one bit). */
		for (bit = 0; bit < c->len * 8; bit++) {
			memcpy(d, c->der, c->len);
			d[bit / 8] ^= (uint8_t)(1 << bit % 8);
			CHECK(ike_authsig_find(d, c->len) != a);
		}
	}
	a = cu_alg("RSASSA-PSS-SHA256");
	REQUIRE(a);
	CHECK_EQ(a->der_len, sizeof(pss256_der));
	CHECK_MEM(a->der, pss256_der, sizeof(pss256_der));
	CHECK(ike_authsig_find(pss256_der, sizeof(pss256_der)) == a);
	CHECK_EQ(a->hash, IKE_HASH_SHA2_256);
	CHECK_EQ(a->scheme, IKE_SIG_RSA_PSS);
	CHECK_EQ(cu_alg("ecdsa-with-SHA384")->hash, IKE_HASH_SHA2_384);
	CHECK_EQ(cu_alg("sha512WithRSAEncryption")->scheme,
		 IKE_SIG_RSA_PKCS1);
	CHECK(!ike_authsig_find(NULL, 0));
}

/* ---- round trips ---- */

struct signer {
	EVP_PKEY *key;
	int calls;
	int fail;         /* returned instead of signing when set */
};

static int sign_cb(void *ctx, uint16_t hash, enum ike_sig_scheme scheme,
		   const uint8_t *octets, size_t len, uint8_t *sig,
		   size_t cap, size_t *sig_len)
{
	struct signer *s = ctx;

	s->calls++;
	if (s->fail)
		return s->fail;
	return ike_authsig_sign_key(s->key, hash, scheme, octets, len, sig,
				    cap, sig_len);
}

/* Split AUTH data as the engine will (ike_decode_auth_sig). */
static bool split(const uint8_t *data, size_t len, struct ike_auth_sig *s)
{
	struct ike_auth a = { IKE_AM_DIGITAL_SIGNATURE, data, len };

	return ike_decode_auth_sig(&a, s) == IKE_PARSE_OK;
}

static int verify(const uint8_t *data, size_t len, const uint8_t *oct,
		  size_t olen, EVP_PKEY *pub, const char **why)
{
	struct ike_auth_sig s;

	if (!split(data, len, &s)) {
		*why = "split";
		return 1;
	}
	return ike_authsig_verify(&s, oct, olen, pub, why);
}

/* The PSS signature checked apart from authsig.c: EVP_PKEY_verify over a
 * SHA-256 digest made here, salt 32 and MGF1-SHA-256 set explicitly. */
static bool pss_raw_ok(EVP_PKEY *pub, const uint8_t *oct, size_t olen,
		       const uint8_t *sig, size_t slen)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pub, NULL);
	uint8_t md[32];
	unsigned mdlen = 0;
	bool ok;

	ok = ctx && EVP_Digest(oct, olen, md, &mdlen, EVP_sha256(), NULL) &&
	     EVP_PKEY_verify_init(ctx) == 1 &&
	     EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) > 0 &&
	     EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) > 0 &&
	     EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) > 0 &&
	     EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, 32) > 0 &&
	     EVP_PKEY_verify(ctx, sig, slen, md, mdlen) == 1;
	EVP_PKEY_CTX_free(ctx);
	return ok;
}

/* An ECDSA signature is one DER Ecdsa-Sig-Value (RFC 7427 §3). */
static bool ecdsa_der_ok(const uint8_t *sig, size_t len)
{
	const unsigned char *p = sig;
	unsigned char *again = NULL;
	ECDSA_SIG *e = d2i_ECDSA_SIG(NULL, &p, (long)len);
	int n = e ? i2d_ECDSA_SIG(e, &again) : 0;
	bool ok = e && p == sig + len && n == (int)len &&
		  !memcmp(again, sig, len);

	OPENSSL_free(again);
	ECDSA_SIG_free(e);
	return ok;
}

static void flips(const uint8_t *data, size_t len, const uint8_t *oct,
		  size_t olen, EVP_PKEY *pub)
{
	uint8_t d[600], o[300];
	const char *why;
	size_t bit;

	memcpy(o, oct, olen);
	for (bit = 0; bit < olen * 8; bit += 7) {
		o[bit / 8] ^= (uint8_t)(1 << bit % 8);
		CHECK_EQ(verify(data, len, o, olen, pub, &why), -EACCES);
		o[bit / 8] ^= (uint8_t)(1 << bit % 8);
	}
	memcpy(d, data, len);
	for (bit = 8; bit < len * 8; bit += 3) {
		d[bit / 8] ^= (uint8_t)(1 << bit % 8);
		CHECK(verify(d, len, oct, olen, pub, &why) != 0);
		d[bit / 8] ^= (uint8_t)(1 << bit % 8);
	}
	CHECK_EQ(verify(data, len - 1, oct, olen, pub, &why), -EACCES);
	CHECK_EQ(verify(data, len, oct, olen - 1, pub, &why), -EACCES);
	CHECK(!strcmp(why, "bad signature"));
}

static void round_trip(const char *key, const char *cert, const char *alg,
		       const char *wrong_cert)
{
	const struct ike_authsig_alg *a = cu_alg(alg);
	struct signer s = { cu_key(key), 0, 0 };
	struct ike_x509 *c = cu_cert(cert), *w = cu_cert(wrong_cert);
	uint8_t out[1 + IKE_AUTHSIG_ALGID_MAX + IKE_AUTHSIG_SIG_MAX];
	uint8_t oct[300];
	struct ike_auth_sig sp;
	const char *why = NULL;
	size_t len = 0;

	if (!a || !s.key || !c || !w) {
		test_fail(__FILE__, __LINE__, "%s/%s/%s: setup", key, cert, alg);
		goto out;
	}
	test_rand_bytes(oct, sizeof(oct));
	CHECK_EQ(ike_authsig_sign(a, sign_cb, &s, oct, sizeof(oct), out,
				  sizeof(out), &len), 0);
	CHECK_EQ(s.calls, 1);
	REQUIRE(split(out, len, &sp));
	CHECK(sp.alg_len == a->der_len && !memcmp(sp.alg, a->der, a->der_len));
	CHECK_EQ(out[0], a->der_len);
	CHECK_EQ(verify(out, len, oct, sizeof(oct), ike_cert_pubkey(c), &why),
		 0);
	if (a->scheme == IKE_SIG_ECDSA)
		CHECK(ecdsa_der_ok(sp.sig, sp.sig_len));
	if (a->scheme == IKE_SIG_RSA_PSS)
		CHECK(pss_raw_ok(ike_cert_pubkey(c), oct, sizeof(oct), sp.sig,
				 sp.sig_len));
	flips(out, len, oct, sizeof(oct), ike_cert_pubkey(c));
	CHECK_EQ(verify(out, len, oct, sizeof(oct), ike_cert_pubkey(w), &why),
		 -EACCES);
out:
	EVP_PKEY_free(s.key);
	ike_cert_free(c);
	ike_cert_free(w);
}

TEST(authsig_round_trips)
{
	round_trip("a.key", "a.pem", "ecdsa-with-SHA256", "other.pem");
	round_trip("a.key", "a.pem", "ecdsa-with-SHA512", "b.pem");
	round_trip("b.key", "b.pem", "ecdsa-with-SHA384", "a.pem");
	round_trip("b.key", "b.pem", "ecdsa-with-SHA256", "c.pem");
	round_trip("rsa.key", "rsa.pem", "RSASSA-PSS-SHA256", "a.pem");
	round_trip("rsa.key", "rsa.pem", "sha256WithRSAEncryption", "b.pem");
	round_trip("rsa.key", "rsa.pem", "sha512WithRSAEncryption", "a.pem");
}

/* A.4.3's spelling of PSS (trailerField written out) verifies too. */
TEST(authsig_pss_rfc_spelling)
{
	EVP_PKEY *k = cu_key("rsa.key");
	struct ike_x509 *c = cu_cert("rsa.pem");
	uint8_t oct[64], sig[IKE_AUTHSIG_SIG_MAX];
	struct ike_auth_sig s;
	const char *why;
	size_t slen;

	REQUIRE(k && c);
	memset(oct, 0x5a, sizeof(oct));
	CHECK_EQ(ike_authsig_sign_key(k, IKE_HASH_SHA2_256, IKE_SIG_RSA_PSS,
				      oct, sizeof(oct), sig, sizeof(sig),
				      &slen), 0);
	CHECK_EQ(slen, 256);
	s = (struct ike_auth_sig){ rfc7427[10].der, rfc7427[10].len, sig,
				   slen };
	CHECK_EQ(ike_authsig_verify(&s, oct, sizeof(oct), ike_cert_pubkey(c),
				    &why), 0);
	s.alg = pss256_der;
	s.alg_len = sizeof(pss256_der);
	CHECK_EQ(ike_authsig_verify(&s, oct, sizeof(oct), ike_cert_pubkey(c),
				    &why), 0);
	/* A PKCS#1 v1.5 identifier over a PSS signature: refused. */
	s.alg = rfc7427[1].der;
	s.alg_len = rfc7427[1].len;
	CHECK_EQ(ike_authsig_verify(&s, oct, sizeof(oct), ike_cert_pubkey(c),
				    &why), -EACCES);
	CHECK(!strcmp(why, "bad signature"));
	EVP_PKEY_free(k);
	ike_cert_free(c);
}

/* Keys of the wrong kind, a weak key, unknown identifiers. */
TEST(authsig_key_refusals)
{
	EVP_PKEY *ec = cu_key("a.key"), *rsa = cu_key("rsa.key");
	EVP_PKEY *weak = EVP_RSA_gen(1024), *k1 = EVP_EC_gen("secp256k1");
	uint8_t oct[32] = { 1 }, sig[IKE_AUTHSIG_SIG_MAX];
	static const uint8_t junk[] = { 0x30, 0x03, 0x06, 0x01, 0x00 };
	struct ike_auth_sig s;
	const char *why;
	size_t slen = 99;

	REQUIRE(ec && rsa && weak && k1);
	CHECK_EQ(ike_authsig_sign_key(ec, IKE_HASH_SHA2_256, IKE_SIG_RSA_PSS,
				      oct, 32, sig, sizeof(sig), &slen),
		 -EKEYREJECTED);
	CHECK_EQ(slen, 0);
	CHECK_EQ(ike_authsig_sign_key(rsa, IKE_HASH_SHA2_256, IKE_SIG_ECDSA,
				      oct, 32, sig, sizeof(sig), &slen),
		 -EKEYREJECTED);
	CHECK_EQ(ike_authsig_sign_key(weak, IKE_HASH_SHA2_256,
				      IKE_SIG_RSA_PSS, oct, 32, sig,
				      sizeof(sig), &slen), -EKEYREJECTED);
	CHECK_EQ(ike_authsig_sign_key(k1, IKE_HASH_SHA2_256, IKE_SIG_ECDSA,
				      oct, 32, sig, sizeof(sig), &slen),
		 -EKEYREJECTED);
	CHECK_EQ(ike_authsig_sign_key(ec, IKE_HASH_SHA1, IKE_SIG_ECDSA, oct,
				      32, sig, sizeof(sig), &slen), -EINVAL);
	CHECK_EQ(ike_authsig_sign_key(ec, IKE_HASH_SHA2_256, 0, oct, 32, sig,
				      sizeof(sig), &slen), -EINVAL);
	CHECK_EQ(ike_authsig_sign_key(ec, IKE_HASH_SHA2_256, IKE_SIG_ECDSA,
				      oct, 0, sig, sizeof(sig), &slen), -EINVAL);
	CHECK_EQ(ike_authsig_sign_key(rsa, IKE_HASH_SHA2_256, IKE_SIG_RSA_PSS,
				      oct, 32, sig, 255, &slen), -ENOSPC);

	/* A signature made by the weak key outside authsig.c. */
	CHECK_EQ(ike_authsig_sign_key(ec, IKE_HASH_SHA2_256, IKE_SIG_ECDSA,
				      oct, 32, sig, sizeof(sig), &slen), 0);
	s = (struct ike_auth_sig){ rfc7427[5].der, rfc7427[5].len, sig, slen };
	CHECK_EQ(ike_authsig_verify(&s, oct, 32, ec, &why), 0);
	CHECK_EQ(ike_authsig_verify(&s, oct, 32, rsa, &why), -EACCES);
	CHECK(!strcmp(why, "algorithm does not fit the key"));
	s.alg = rfc7427[1].der;
	s.alg_len = rfc7427[1].len;
	CHECK_EQ(ike_authsig_verify(&s, oct, 32, weak, &why), -EACCES);
	CHECK(!strcmp(why, "key too weak"));
	s.alg = junk;
	s.alg_len = sizeof(junk);
	CHECK_EQ(ike_authsig_verify(&s, oct, 32, ec, &why), -EACCES);
	CHECK(!strcmp(why, "unsupported signature algorithm"));
	s.alg = rfc7427[5].der;
	s.alg_len = rfc7427[5].len;
	s.sig_len = 0;
	CHECK_EQ(ike_authsig_verify(&s, oct, 32, ec, &why), -EACCES);
	CHECK_EQ(ike_authsig_verify(NULL, oct, 32, ec, &why), -EINVAL);
	CHECK_EQ(ike_authsig_verify(&s, oct, 32, NULL, &why), -EINVAL);
	EVP_PKEY_free(ec);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(weak);
	EVP_PKEY_free(k1);
}

TEST(authsig_build_refusals)
{
	const struct ike_authsig_alg *a = cu_alg("ecdsa-with-SHA256");
	uint8_t out[600], sig[IKE_AUTHSIG_SIG_MAX + 1], oct[8] = { 0 };
	struct signer s = { NULL, 0, -EPIPE };
	size_t len = 0, i;

	memset(sig, 0xab, sizeof(sig));
	CHECK_EQ(ike_authsig_build(a, sig, 64, out, sizeof(out), &len), 0);
	CHECK_EQ(len, 1 + 12 + 64);
	CHECK_EQ(out[0], 12);
	CHECK_MEM(out + 1, a->der, 12);
	CHECK_MEM(out + 13, sig, 64);
	CHECK_EQ(ike_authsig_build(a, sig, 64, out, 76, &len), -ENOSPC);
	CHECK_EQ(ike_authsig_build(a, sig, 0, out, sizeof(out), &len),
		 -EINVAL);
	CHECK_EQ(ike_authsig_build(a, sig, IKE_AUTHSIG_SIG_MAX + 1, out,
				   sizeof(out), &len), -EINVAL);
	CHECK_EQ(ike_authsig_build(NULL, sig, 64, out, sizeof(out), &len),
		 -EINVAL);
	/* The signer's error is passed on and out wiped. */
	memset(out, 0xee, sizeof(out));
	CHECK_EQ(ike_authsig_sign(a, sign_cb, &s, oct, 8, out, sizeof(out),
				  &len), -EPIPE);
	for (i = 0; i < sizeof(out) && !out[i]; i++)
		;
	CHECK_EQ(i, sizeof(out));
	CHECK_EQ(ike_authsig_sign(a, sign_cb, &s, oct, 8, out, 13, &len),
		 -ENOSPC);
	CHECK_EQ(ike_authsig_sign(a, NULL, &s, oct, 8, out, sizeof(out), &len),
		 -EINVAL);
}

/* ---- choosing ---- */

TEST(authsig_choose)
{
	static const uint16_t all[] = { IKE_HASH_SHA1, IKE_HASH_SHA2_256,
					IKE_HASH_SHA2_384, IKE_HASH_SHA2_512,
					IKE_HASH_IDENTITY };
	static const uint16_t h256[] = { IKE_HASH_SHA2_256 };
	static const uint16_t h384[] = { IKE_HASH_SHA2_384 };
	static const uint16_t h512_384[] = { IKE_HASH_SHA2_512,
					     IKE_HASH_SHA2_384 };
	static const uint16_t legacy[] = { IKE_HASH_SHA1, IKE_HASH_IDENTITY };
	struct ike_x509 *a = cu_cert("a.pem"), *b = cu_cert("b.pem");
	struct ike_x509 *r = cu_cert("rsa.pem");
	EVP_PKEY *weak = EVP_RSA_gen(1024);
	const struct ike_authsig_alg *x;

	REQUIRE(a && b && r && weak);
	x = ike_authsig_choose(ike_cert_pubkey(a), all, 5);
	CHECK(x && !strcmp(x->name, "ecdsa-with-SHA256"));
	x = ike_authsig_choose(ike_cert_pubkey(a), h512_384, 2);
	CHECK(x && !strcmp(x->name, "ecdsa-with-SHA512"));
	x = ike_authsig_choose(ike_cert_pubkey(a), h384, 1);
	CHECK(x && !strcmp(x->name, "ecdsa-with-SHA384"));
	CHECK(!ike_authsig_choose(ike_cert_pubkey(a), legacy, 2));
	CHECK(!ike_authsig_choose(ike_cert_pubkey(a), all, 0));
	x = ike_authsig_choose(ike_cert_pubkey(b), all, 5);
	CHECK(x && !strcmp(x->name, "ecdsa-with-SHA384"));
	x = ike_authsig_choose(ike_cert_pubkey(b), h256, 1);
	CHECK(x && !strcmp(x->name, "ecdsa-with-SHA256"));
	x = ike_authsig_choose(ike_cert_pubkey(r), all, 5);
	CHECK(x && !strcmp(x->name, "RSASSA-PSS-SHA256"));
	x = ike_authsig_choose(ike_cert_pubkey(r), h512_384, 2);
	CHECK(x && !strcmp(x->name, "sha512WithRSAEncryption"));
	x = ike_authsig_choose(ike_cert_pubkey(r), h384, 1);
	CHECK(x && !strcmp(x->name, "sha384WithRSAEncryption"));
	CHECK(!ike_authsig_choose(ike_cert_pubkey(r), legacy, 2));
	CHECK(!ike_authsig_choose(weak, all, 5));
	CHECK(!ike_authsig_choose(NULL, all, 5));
	ike_cert_free(a);
	ike_cert_free(b);
	ike_cert_free(r);
	EVP_PKEY_free(weak);
}
