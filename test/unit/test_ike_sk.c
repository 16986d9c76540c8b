/* SPDX-License-Identifier: MIT */
/*
 * The Encrypted payload (src/ike/sk.c): known answers from Python's
 * cryptography (AES-GCM and ChaCha20-Poly1305 sealed byte for byte; AES-CBC
 * with HMAC opened), round trips for every cipher and key size, every bit
 * flip refused, a wrong key refused, every truncation refused, Pad Length
 * beyond the text refused, and nothing released on a refusal.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ike/sk.h"
#include "ikevec.h"
#include "test.h"

#define BUF_MAX 2048

struct cipher {
	const char *name;
	enum ike_encr_alg encr;
	unsigned bits;
	enum ike_integ_alg integ;
};

static const struct cipher ciphers[] = {
	{ "aes-gcm-128", IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE },
	{ "aes-gcm-256", IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_NONE },
	{ "chacha20-poly1305", IKE_ENCR_CHACHA20_POLY1305, 256, IKE_INTEG_NONE },
	{ "aes-cbc-128 sha256", IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA2_256_128 },
	{ "aes-cbc-128 sha384", IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA2_384_192 },
	{ "aes-cbc-128 sha512", IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA2_512_256 },
	{ "aes-cbc-256 sha256", IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_256_128 },
	{ "aes-cbc-256 sha384", IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_384_192 },
	{ "aes-cbc-256 sha512", IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_512_256 },
};
#define N_CIPHERS (sizeof(ciphers) / sizeof(ciphers[0]))

static bool is_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* A context for c with random keys (or keys from seed bytes). */
static struct ike_sk *sk_random(const struct cipher *c)
{
	uint8_t ekey[IKE_ENCR_KEY_MAX], akey[IKE_INTEG_KEY_MAX];
	size_t el = ike_encr_keymat_len(c->encr, c->bits);
	size_t al = ike_integ_key_len(c->integ);
	struct ike_sk *sk = NULL;

	test_rand_bytes(ekey, sizeof(ekey));
	test_rand_bytes(akey, sizeof(akey));
	if (ike_sk_new(&sk, c->encr, c->bits, c->integ, ekey, el,
		       al ? akey : NULL, al))
		test_fail(__FILE__, __LINE__, "%s: ike_sk_new failed", c->name);
	return sk;
}

/* Seal inner_len random bytes behind a random AAD; returns the length. */
static size_t seal_random(const struct ike_sk *sk, uint8_t *buf,
			  size_t aad_len, size_t inner_len, uint8_t *inner)
{
	const struct ike_sk_overhead *ov = ike_sk_get_overhead(sk);
	size_t len = 0;

	test_rand_bytes(buf, aad_len);
	test_rand_bytes(inner, inner_len);
	memcpy(buf + aad_len + ov->iv_len, inner, inner_len);
	if (ike_sk_seal(sk, buf, BUF_MAX, aad_len, inner_len, test_rand(),
			&len))
		test_fail(__FILE__, __LINE__, "ike_sk_seal failed");
	return len;
}

TEST(ike_sk_round_trip_every_cipher)
{
	uint8_t buf[BUF_MAX], inner[600];
	size_t i, n, len, off, ilen;
	static const size_t sizes[] = { 0, 1, 14, 15, 16, 17, 31, 32, 33,
					100, 255, 256, 599 };

	for (i = 0; i < N_CIPHERS; i++) {
		struct ike_sk *sk = sk_random(&ciphers[i]);

		REQUIRE(sk);
		for (n = 0; n < sizeof(sizes) / sizeof(sizes[0]); n++) {
			size_t aad = 28 + 4 + (n % 3) * 4;

			len = seal_random(sk, buf, aad, sizes[n], inner);
			CHECK_EQ(len, aad + ike_sk_body_len(sk, sizes[n]));
			CHECK(len - aad <= ike_sk_get_overhead(sk)->total_max +
						   sizes[n]);
			CHECK_EQ(ike_sk_open(sk, buf, len, aad, &off, &ilen), 0);
			CHECK_EQ(off, aad + ike_sk_get_overhead(sk)->iv_len);
			CHECK_EQ(ilen, sizes[n]);
			CHECK_MEM(buf + off, inner, sizes[n]);
		}
		ike_sk_free(sk);
	}
}

TEST(ike_sk_every_bit_flip_refused)
{
	uint8_t buf[BUF_MAX], copy[BUF_MAX], inner[40];
	size_t i, bit, len, off, ilen, aad = 32;
	int err;

	for (i = 0; i < N_CIPHERS; i++) {
		struct ike_sk *sk = sk_random(&ciphers[i]);

		REQUIRE(sk);
		len = seal_random(sk, buf, aad, sizeof(inner), inner);
		memcpy(copy, buf, len);
		for (bit = 0; bit < len * 8; bit++) {
			memcpy(buf, copy, len);
			buf[bit / 8] ^= (uint8_t)(1 << (bit % 8));
			err = ike_sk_open(sk, buf, len, aad, &off, &ilen);
			if (err != -EBADMSG) {
				test_fail(__FILE__, __LINE__,
					  "%s: bit %zu flipped: %d",
					  ciphers[i].name, bit, err);
				break;
			}
			if (!is_zero(buf + aad, len - aad)) {
				test_fail(__FILE__, __LINE__,
					  "%s: body not wiped", ciphers[i].name);
				break;
			}
		}
		memcpy(buf, copy, len);
		CHECK_EQ(ike_sk_open(sk, buf, len, aad, &off, &ilen), 0);
		ike_sk_free(sk);
	}
}

TEST(ike_sk_wrong_key_refused)
{
	uint8_t buf[BUF_MAX], inner[64];
	size_t i, len, off, ilen;

	for (i = 0; i < N_CIPHERS; i++) {
		struct ike_sk *a = sk_random(&ciphers[i]);
		struct ike_sk *b = sk_random(&ciphers[i]);

		REQUIRE(a && b);
		len = seal_random(a, buf, 28, sizeof(inner), inner);
		CHECK_EQ(ike_sk_open(b, buf, len, 28, &off, &ilen), -EBADMSG);
		ike_sk_free(a);
		ike_sk_free(b);
	}
}

TEST(ike_sk_truncated_refused)
{
	uint8_t buf[BUF_MAX], copy[BUF_MAX], inner[33];
	size_t i, cut, len, off, ilen, aad = 32;
	int err;

	for (i = 0; i < N_CIPHERS; i++) {
		struct ike_sk *sk = sk_random(&ciphers[i]);

		REQUIRE(sk);
		len = seal_random(sk, buf, aad, sizeof(inner), inner);
		memcpy(copy, buf, len);
		for (cut = aad; cut < len; cut++) {
			memcpy(buf, copy, len);
			err = ike_sk_open(sk, buf, cut, aad, &off, &ilen);
			if (err != -EBADMSG && err != -EMSGSIZE)
				test_fail(__FILE__, __LINE__, "%s: %zu of %zu "
					  "bytes: %d", ciphers[i].name, cut,
					  len, err);
		}
		/* The AAD boundary moved: the ICV no longer verifies. */
		memcpy(buf, copy, len);
		CHECK(ike_sk_open(sk, buf, len, aad - 4, &off, &ilen) != 0);
		memcpy(buf, copy, len);
		CHECK_EQ(ike_sk_open(sk, buf, len, len + 1, &off, &ilen),
			 -EINVAL);
		ike_sk_free(sk);
	}
}

TEST(ike_sk_overhead_and_sizes)
{
	struct ike_sk_overhead ov;
	uint8_t buf[BUF_MAX], inner[16];
	size_t i, len;

	CHECK_EQ(ike_sk_overhead(IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE, &ov),
		 0);
	CHECK(ov.iv_len == 8 && ov.icv_len == 16 && ov.pad_max == 0 &&
	      ov.block_len == 1 && ov.total_max == 25);
	CHECK_EQ(ike_sk_overhead(IKE_ENCR_AES_CBC, 256,
				 IKE_INTEG_HMAC_SHA2_384_192, &ov), 0);
	CHECK(ov.iv_len == 16 && ov.icv_len == 24 && ov.pad_max == 15 &&
	      ov.block_len == 16 && ov.total_max == 56);
	CHECK_EQ(ike_sk_overhead(IKE_ENCR_AES_CCM_16, 128, IKE_INTEG_NONE, &ov),
		 -EINVAL);
	CHECK_EQ(ike_sk_overhead(IKE_ENCR_AES_GCM_16, 128,
				 IKE_INTEG_HMAC_SHA2_256_128, &ov), -EINVAL);
	CHECK_EQ(ike_sk_overhead(IKE_ENCR_AES_CBC, 128, IKE_INTEG_NONE, &ov),
		 -EINVAL);
	for (i = 0; i < N_CIPHERS; i++) {
		struct ike_sk *sk = sk_random(&ciphers[i]);
		size_t need;

		REQUIRE(sk);
		need = 28 + ike_sk_body_len(sk, sizeof(inner));
		len = 0;
		CHECK_EQ(ike_sk_seal(sk, buf, need - 1, 28, sizeof(inner), 1,
				     &len), -EMSGSIZE);
		CHECK_EQ(ike_sk_seal(sk, buf, need, 28, sizeof(inner), 1,
				     &len), 0);
		CHECK_EQ(len, need);
		ike_sk_free(sk);
	}
}

/* CBC IVs are random, AEAD IVs the counter (RFC 5282 §3.1). */
TEST(ike_sk_iv_sources)
{
	uint8_t a[BUF_MAX], b[BUF_MAX], inner[16] = { 0 };
	struct ike_sk *cbc = sk_random(&ciphers[3]);
	struct ike_sk *gcm = sk_random(&ciphers[0]);
	size_t len;

	REQUIRE(cbc && gcm);
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	CHECK_EQ(ike_sk_seal(cbc, a, BUF_MAX, 28, sizeof(inner), 5, &len), 0);
	CHECK_EQ(ike_sk_seal(cbc, b, BUF_MAX, 28, sizeof(inner), 5, &len), 0);
	CHECK(memcmp(a + 28, b + 28, 16) != 0);
	memset(a, 0, sizeof(a));
	CHECK_EQ(ike_sk_seal(gcm, a, BUF_MAX, 28, sizeof(inner),
			     0x0102030405060708ull, &len), 0);
	CHECK(a[28] == 1 && a[35] == 8);
	ike_sk_free(cbc);
	ike_sk_free(gcm);
}

TEST(ike_sk_new_refusals)
{
	uint8_t key[64] = { 0 };
	struct ike_sk *sk = NULL;

	CHECK_EQ(ike_sk_new(&sk, IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE, key,
			    16, NULL, 0), -EINVAL);  /* no salt */
	CHECK_EQ(ike_sk_new(&sk, IKE_ENCR_AES_CBC, 128,
			    IKE_INTEG_HMAC_SHA2_256_128, key, 16, key, 16),
		 -EINVAL);                       /* short integ key */
	CHECK_EQ(ike_sk_new(&sk, IKE_ENCR_AES_CCM_16, 128, IKE_INTEG_NONE, key,
			    19, NULL, 0), -EINVAL);  /* ESP only */
	CHECK_EQ(ike_sk_new(&sk, IKE_ENCR_CHACHA20_POLY1305, 128,
			    IKE_INTEG_NONE, key, 20, NULL, 0), -EINVAL);
	CHECK(sk == NULL);
	ike_sk_free(NULL);
}

/* --- known answers ---------------------------------------------------- */

static void aead_case(struct ikevec *v, void *arg)
{
	enum ike_encr_alg encr = ikevec_encr(v, "encr");
	unsigned bits = (unsigned)ikevec_uint(v, "key_bits");
	size_t kl, cl, al, il, ml, len = 0, off, ilen;
	uint8_t *key = ikevec_hex(v, "key", &kl);
	uint8_t *ctr = ikevec_hex(v, "counter", &cl);
	uint8_t *aad = ikevec_hex(v, "aad", &al);
	uint8_t *inner = ikevec_hex(v, "inner", &il);
	uint8_t *msg = ikevec_hex(v, "message", &ml);
	uint8_t buf[BUF_MAX];
	struct ike_sk *sk = NULL;
	uint64_t counter = 0;
	size_t i;

	(void)arg;
	if (!key || !ctr || cl != 8 || !aad || !inner || !msg ||
	    ml > BUF_MAX || ike_sk_new(&sk, encr, bits, IKE_INTEG_NONE, key, kl,
				       NULL, 0)) {
		IKEVEC_FAIL(v, "bad inputs");
		goto out;
	}
	for (i = 0; i < 8; i++)
		counter = counter << 8 | ctr[i];
	memcpy(buf, aad, al);
	memcpy(buf + al + 8, inner, il);
	if (ike_sk_seal(sk, buf, sizeof(buf), al, il, counter, &len) ||
	    len != ml || memcmp(buf, msg, ml))
		IKEVEC_FAIL(v, "ike_sk_seal: wrong message");
	memcpy(buf, msg, ml);
	if (ike_sk_open(sk, buf, ml, al, &off, &ilen) || ilen != il ||
	    memcmp(buf + off, inner, il))
		IKEVEC_FAIL(v, "ike_sk_open: wrong inner payloads");
out:
	ike_sk_free(sk);
	free(key);
	free(ctr);
	free(aad);
	free(inner);
	free(msg);
}

TEST(ike_sk_aead_vectors)
{
	CHECK_EQ(ikevec_read("sk-aead.txt", aead_case, NULL), 6);
}

/* A context from the vector's keys. */
static struct ike_sk *sk_from(struct ikevec *v, const char *ekey_field)
{
	enum ike_encr_alg encr = ikevec_encr(v, "encr");
	enum ike_integ_alg integ = ikevec_integ(v, "integ");
	unsigned bits = (unsigned)ikevec_uint(v, "key_bits");
	size_t el, al;
	uint8_t *ekey = ikevec_hex(v, ekey_field, &el);
	uint8_t *akey = ikevec_hex(v, "integ_key", &al);
	struct ike_sk *sk = NULL;

	if (!ekey || !akey || ike_sk_new(&sk, encr, bits, integ, ekey, el,
					 al ? akey : NULL, al))
		IKEVEC_FAIL(v, "ike_sk_new failed");
	free(ekey);
	free(akey);
	return sk;
}

static void cbc_case(struct ikevec *v, void *arg)
{
	struct ike_sk *sk = sk_from(v, "encr_key");
	size_t al, il, ml, off, ilen;
	uint8_t *aad = ikevec_hex(v, "aad", &al);
	uint8_t *inner = ikevec_hex(v, "inner", &il);
	uint8_t *msg = ikevec_hex(v, "message", &ml);
	int err;

	(void)arg;
	if (!sk || !aad || !inner || !msg)
		goto out;
	err = ike_sk_open(sk, msg, ml, al, &off, &ilen);
	if (err || ilen != il || memcmp(msg + off, inner, il))
		IKEVEC_FAIL(v, "ike_sk_open: %d or wrong inner payloads", err);
out:
	ike_sk_free(sk);
	free(aad);
	free(inner);
	free(msg);
}

TEST(ike_sk_cbc_vectors)
{
	CHECK_EQ(ikevec_read("sk-cbc.txt", cbc_case, NULL), 5);
}

static void bad_pad_case(struct ikevec *v, void *arg)
{
	struct ike_sk *sk = sk_from(v, "encr_key");
	size_t al, ml, off = 0, ilen = 0;
	uint8_t *aad = ikevec_hex(v, "aad", &al);
	uint8_t *msg = ikevec_hex(v, "message", &ml);
	int err;

	(void)arg;
	(void)ikevec_uint(v, "pad_length");
	if (!sk || !aad || !msg)
		goto out;
	err = ike_sk_open(sk, msg, ml, al, &off, &ilen);
	if (err != -EPROTO)
		IKEVEC_FAIL(v, "ike_sk_open: %d, want -EPROTO", err);
	if (!is_zero(msg + al, ml - al) || memcmp(msg, aad, al))
		IKEVEC_FAIL(v, "body not wiped, or AAD changed");
out:
	ike_sk_free(sk);
	free(aad);
	free(msg);
}

TEST(ike_sk_pad_length_beyond_text_refused)
{
	CHECK_EQ(ikevec_read("sk-bad-padding.txt", bad_pad_case, NULL), 5);
}
