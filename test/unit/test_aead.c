/* SPDX-License-Identifier: MIT */
/*
 * The AEAD layer against its contract (crypto/aead.h), one engine at a
 * time: published vectors, round trips, in place == out of place, every
 * flipped bit rejected with the output wiped, bad lengths and requests
 * refused, engine choice and names. Engines against each other, bursts and
 * threads: test_aead_burst.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aead_util.h"
#include "crypto/aead.h"
#include "test.h"
#include "util/hex.h"

static uint8_t *xhex(const char *s, size_t *len)
{
	size_t cap = strlen(s) / 2;
	uint8_t *p = au_xalloc(cap);
	int n = hex_decode(s, p, cap);

	if (n < 0)
		abort();
	*len = (size_t)n;
	return p;
}

/* ---- known answers ---------------------------------------------------- */

TEST(aead_selftest_passes)
{
	CHECK_EQ(aead_selftest(AEAD_ENGINE_IPSECMB), 0);
	CHECK_EQ(aead_selftest(AEAD_ENGINE_OPENSSL), 0);
	CHECK_EQ(aead_selftest(AEAD_ENGINE_AUTO), 0);
	/* Cached: a second call agrees. */
	CHECK_EQ(aead_selftest(AEAD_ENGINE_IPSECMB), 0);
}

struct vec {
	const char *source;
	enum aead_alg alg;
	const char *key, *nonce, *aad, *pt, *ct, *tag;
};

/* Through the public interface, with the key lengths aead_new() takes. */
static const struct vec vecs[] = {
	{ "GCM spec test case 16", AEAD_AES_GCM_256,
	  "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
	  "cafebabefacedbaddecaf888",
	  "feedfacedeadbeeffeedfacedeadbeefabaddad2",
	  "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
	  "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
	  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
	  "76fc6ece0f4e1768cddf8853bb2d551b" },
	{ "GCM spec test case 3", AEAD_AES_GCM_128,
	  "feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888", "",
	  "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
	  "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
	  "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
	  "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
	  "4d5c2af327cd64a62cf35abd2ba6fab4" },
	{ "RFC 3610 packet vector 1", AEAD_AES_CCM_128,
	  "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf", "00000003020100a0a1a2a3a4a5",
	  "0001020304050607",
	  "08090a0b0c0d0e0f101112131415161718191a1b1c1d1e",
	  "588c979a61c663d2f066d0c2c0f989806d5f6b61dac384",
	  "17e8d12cfdf926e0" },
	{ "Wycheproof AES-CCM tcId 225", AEAD_AES_CCM_128,
	  "1d286e525ec2864d9ea6e7adfbdc4970", "1ad44879f1947abd503dce",
	  "1db0eaaaa1e2c848", "7b40e6c987692d0202cb6f44b423c267dd",
	  "84f91f9d35b998598e50feb34dcaa0d260",
	  "ae4e38cc4b730944bc459df85a536f4e" },
	/* The text is "Ladies and Gentlemen of the class of '99: ...". */
	{ "RFC 8439 §2.8.2", AEAD_CHACHA20_POLY1305,
	  "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
	  "070000004041424344454647", "50515253c0c1c2c3c4c5c6c7",
	  "4c616469657320616e642047656e746c656d656e206f662074686520636c6173"
	  "73206f66202739393a204966204920636f756c64206f6666657220796f75206f"
	  "6e6c79206f6e652074697020666f7220746865206675747572652c2073756e73"
	  "637265656e20776f756c642062652069742e",
	  "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
	  "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
	  "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
	  "3ff4def08e4b7a9de576d26586cec64b6116",
	  "1ae10b594f09e26a7e902ecbd0600691" },
	/* RFC 4868 §2.7.2, HMAC-SHA-256-128 test cases AUTH256-1 and -2. */
	{ "RFC 4868 AUTH256-1", AEAD_NULL_HMAC_SHA256,
	  "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
	  "", "4869205468657265", "", "", "198a607eb44bfbc69903a0f1cf2bbdc5" },
	{ "RFC 4868 AUTH256-2", AEAD_NULL_HMAC_SHA256,
	  "4a6566654a6566654a6566654a6566654a6566654a6566654a6566654a656665",
	  "", "7768617420646f2079612077616e7420",
	  "666f72206e6f7468696e673f", "666f72206e6f7468696e673f",
	  "167f928588c5cc2eef8e3093caa0e87c" },
};

static void vec_check(const struct vec *v, enum aead_engine engine)
{
	struct msg m;
	size_t key_len, ct_len, tag_len;
	uint8_t *key = xhex(v->key, &key_len), *ct = xhex(v->ct, &ct_len);
	uint8_t *tag = xhex(v->tag, &tag_len), *out, got[AEAD_TAG_MAX];
	struct aead_ctx *ctx = au_ctx_make(v->alg, engine, key, tag_len);

	m.nonce = xhex(v->nonce, &m.nonce_len);
	m.aad = xhex(v->aad, &m.aad_len);
	m.in = xhex(v->pt, &m.len);
	out = au_xalloc(m.len);
	CHECK_EQ(key_len, aead_key_len(v->alg));
	if (ctx && ct_len == m.len) {
		CHECK_EQ(au_seal(ctx, &m, m.in, out, got), 0);
		CHECK_MEM(out, ct, ct_len);
		CHECK_MEM(got, tag, tag_len);
		CHECK_EQ(au_open(ctx, &m, ct, out, tag), 0);
		CHECK_MEM(out, m.in, m.len);
	}
	CHECK(ctx && ct_len == m.len);
	aead_free(ctx);
	au_msg_free(&m);
	free(key);
	free(ct);
	free(tag);
	free(out);
}

TEST(aead_published_vectors)
{
	size_t i, e;

	for (i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++)
		for (e = 0; e < AU_N_ENGINES; e++)
			vec_check(&vecs[i], au_engines[e]);
}

/* ---- properties of each engine and algorithm -------------------------- */

static const size_t lengths[] = { 0, 1, 15, 16, 17, 64, 1400, 9000 };

#define N_LENGTHS (sizeof(lengths) / sizeof(lengths[0]))

/* Seal then open at one length: out of place, then in place; both give the
 * same ciphertext and tag, and open returns the text. */
static void round_trip(const struct aead_ctx *ctx, size_t len)
{
	enum aead_alg alg = aead_ctx_alg(ctx);
	size_t tag_len = aead_ctx_tag_len(ctx);
	uint8_t tag[AEAD_TAG_MAX], tag2[AEAD_TAG_MAX], *ct, *buf, *back;
	struct msg m;

	au_msg_random(&m, au_esp_nonce_len(alg), alg == AEAD_NULL ? 0 : 12,
		      len);
	ct = au_xalloc(len);
	buf = au_xalloc(len);
	back = au_xalloc(len);
	CHECK_EQ(au_seal(ctx, &m, m.in, ct, tag), 0);
	if (len)
		memcpy(buf, m.in, len);
	CHECK_EQ(au_seal(ctx, &m, buf, buf, tag2), 0);
	CHECK_MEM(buf, ct, len);
	CHECK_MEM(tag2, tag, tag_len);
	if (alg == AEAD_NULL || alg == AEAD_NULL_HMAC_SHA256)
		CHECK_MEM(ct, m.in, len); /* no confidentiality */
	else if (len >= 16)
		CHECK(memcmp(ct, m.in, len) != 0);
	CHECK_EQ(au_open(ctx, &m, ct, back, tag), 0);
	CHECK_MEM(back, m.in, len);
	CHECK_EQ(au_open(ctx, &m, buf, buf, tag), 0);
	CHECK_MEM(buf, m.in, len);
	free(ct);
	free(buf);
	free(back);
	au_msg_free(&m);
}

TEST(aead_round_trip_in_place)
{
	size_t e, a, i;

	for (e = 0; e < AU_N_ENGINES; e++) {
		for (a = 0; a < AU_N_ALGS; a++) {
			enum aead_alg alg = au_algs[a];
			size_t tag_len = au_max_tag(alg);
			uint8_t *key = au_xrand(aead_key_len(alg));
			struct aead_ctx *ctx = au_ctx_make(alg, au_engines[e],
							   key, tag_len);

			for (i = 0; ctx && i < N_LENGTHS; i++)
				round_trip(ctx, lengths[i]);
			aead_free(ctx);
			free(key);
		}
	}
}

/* Every single-bit change to text, tag or AAD fails the open, and the
 * output holds nothing but zeros. */
static void flip_all(const struct aead_ctx *ctx, const struct msg *m,
		     uint8_t *ct, uint8_t *tag)
{
	size_t tag_len = aead_ctx_tag_len(ctx);
	size_t bits = 8 * (m->len + tag_len + m->aad_len), b;
	uint8_t *out = au_xalloc(m->len);

	for (b = 0; b < bits; b++) {
		size_t byte = b / 8;
		uint8_t *p = byte < m->len ? ct + byte
			   : byte < m->len + tag_len ? tag + byte - m->len
			   : m->aad + byte - m->len - tag_len;

		*p ^= (uint8_t)(1u << (b % 8));
		memset(out, 0xa5, m->len);
		if (au_open(ctx, m, ct, out, tag) != -EBADMSG ||
		    !au_all_zero(out, m->len))
			test_fail(__FILE__, __LINE__, "%s/%s: bit %zu accepted",
				  aead_engine_name(aead_ctx_engine(ctx)),
				  aead_alg_name(aead_ctx_alg(ctx)), b);
		*p ^= (uint8_t)(1u << (b % 8));
	}
	CHECK_EQ(au_open(ctx, m, ct, out, tag), 0);
	CHECK_MEM(out, m->in, m->len);
	free(out);
}

TEST(aead_every_bit_flip_rejected)
{
	size_t e, a;

	for (e = 0; e < AU_N_ENGINES; e++) {
		for (a = 1; a < AU_N_ALGS; a++) { /* all but AEAD_NULL */
			enum aead_alg alg = au_algs[a];
			uint8_t *key = au_xrand(aead_key_len(alg));
			struct aead_ctx *ctx = au_ctx_make(alg, au_engines[e],
							   key, 16);
			uint8_t tag[AEAD_TAG_MAX], *ct;
			struct msg m;

			au_msg_random(&m, au_esp_nonce_len(alg), 12, 33);
			ct = au_xalloc(m.len);
			if (ctx && au_seal(ctx, &m, m.in, ct, tag) == 0)
				flip_all(ctx, &m, ct, tag);
			CHECK(ctx != NULL);
			aead_free(ctx);
			au_msg_free(&m);
			free(ct);
			free(key);
		}
	}
}

/* In place, a failed open wipes the caller's buffer: the ciphertext. */
TEST(aead_failed_open_in_place_wipes)
{
	size_t e;

	for (e = 0; e < AU_N_ENGINES; e++) {
		uint8_t key[16] = { 1 }, tag[16], *buf;
		struct aead_ctx *ctx = au_ctx_make(AEAD_AES_CCM_128,
						   au_engines[e], key, 16);
		struct msg m;

		REQUIRE(ctx);
		au_msg_random(&m, 11, 8, 100);
		buf = au_xalloc(m.len);
		memcpy(buf, m.in, m.len);
		CHECK_EQ(au_seal(ctx, &m, buf, buf, tag), 0);
		tag[0] ^= 1;
		CHECK_EQ(au_open(ctx, &m, buf, buf, tag), -EBADMSG);
		CHECK(au_all_zero(buf, m.len));
		aead_free(ctx);
		au_msg_free(&m);
		free(buf);
	}
}

/* ---- refusals ---------------------------------------------------------- */

/* Valid tag lengths as bit masks, from aead.h's algorithm list. */
static const uint32_t tag_masks[AEAD_ALG_COUNT] = {
	[AEAD_NULL] = 1u << 0,
	[AEAD_NULL_HMAC_SHA256] = 1u << 16,
	[AEAD_AES_GCM_128] = 1u << 8 | 1u << 12 | 1u << 16,
	[AEAD_AES_GCM_256] = 1u << 8 | 1u << 12 | 1u << 16,
	[AEAD_AES_CCM_128] = 0x15550, /* 4, 6, ..., 16 */
	[AEAD_CHACHA20_POLY1305] = 1u << 16,
};

static const size_t key_lens[AEAD_ALG_COUNT] = {
	[AEAD_NULL] = 0,	  [AEAD_NULL_HMAC_SHA256] = 32,
	[AEAD_AES_GCM_128] = 16,  [AEAD_AES_GCM_256] = 32,
	[AEAD_AES_CCM_128] = 16,  [AEAD_CHACHA20_POLY1305] = 32,
};

static int new_auto(enum aead_alg alg, size_t key_len, size_t tag_len)
{
	static const uint8_t key[AEAD_KEY_MAX + 1];
	struct aead_ctx *ctx = (struct aead_ctx *)1;
	int err = aead_new(&ctx, alg, AEAD_ENGINE_AUTO, key, key_len, tag_len);

	CHECK(err ? ctx == NULL : ctx != NULL);
	if (!err)
		aead_free(ctx);
	return err;
}

TEST(aead_bad_key_and_tag_lengths)
{
	struct aead_ctx *ctx;
	size_t a, t, k;

	for (a = 0; a < AU_N_ALGS; a++) {
		enum aead_alg alg = au_algs[a];
		size_t key_len = key_lens[alg], tag_len = au_max_tag(alg);

		CHECK_EQ(aead_key_len(alg), key_len);
		for (t = 0; t <= 20; t++) {
			bool ok = tag_masks[alg] >> t & 1;

			CHECK_EQ(aead_tag_len_ok(alg, t), ok);
			CHECK_EQ(new_auto(alg, key_len, t), ok ? 0 : -EINVAL);
		}
		for (k = 0; k <= AEAD_KEY_MAX; k++)
			if (k != key_len)
				CHECK_EQ(new_auto(alg, k, tag_len), -EINVAL);
		if (key_len)
			CHECK_EQ(aead_new(&ctx, alg, AEAD_ENGINE_AUTO, NULL,
					  key_len, tag_len), -EINVAL);
	}
	CHECK_EQ(new_auto(AEAD_ALG_COUNT, 16, 16), -EINVAL);
	CHECK_EQ(aead_new(&ctx, AEAD_AES_GCM_128, AEAD_ENGINE_COUNT,
			  (const uint8_t *)"0123456789abcdef", 16, 16),
		 -EINVAL);
	CHECK(!aead_tag_len_ok(AEAD_ALG_COUNT, 16));
}

static void expect_einval(struct aead_req r)
{
	struct aead_req b = r;

	CHECK_EQ(aead_seal(&r), -EINVAL);
	CHECK_EQ(aead_open(&r), -EINVAL);
	aead_seal_burst(&b, 1);
	CHECK_EQ(b.status, -EINVAL);
	aead_open_burst(&b, 1);
	CHECK_EQ(b.status, -EINVAL);
}

static void bad_requests(const struct aead_ctx *gcm, const struct aead_ctx *hm)
{
	uint8_t buf[64] = { 0 }, nonce[13] = { 0 }, tag[16];
	struct msg m = { nonce, buf, buf + 16, 12, 8, 16 };
	struct aead_req r = au_req_make(gcm, &m, m.in, m.in, tag);

	r.nonce_len = 11;
	expect_einval(r);
	r.nonce_len = 0;
	expect_einval(r);
	r = au_req_make(gcm, &m, m.in, m.in, tag);
	r.nonce = NULL;
	expect_einval(r);
	r = au_req_make(gcm, &m, m.in, m.in, tag);
	r.aad = NULL;
	expect_einval(r);
	r = au_req_make(gcm, &m, NULL, m.in, tag);
	expect_einval(r);
	r = au_req_make(gcm, &m, m.in, m.in, NULL);
	expect_einval(r);
	r = au_req_make(gcm, &m, m.in, m.in + 1, tag); /* partial overlap */
	expect_einval(r);
	r = au_req_make(gcm, &m, m.in, m.in, m.in + 8); /* tag inside out */
	expect_einval(r);
	r = au_req_make(NULL, &m, m.in, m.in, tag);
	expect_einval(r);
	r = au_req_make(hm, &m, m.in, m.in, tag); /* HMAC takes no nonce */
	expect_einval(r);
}

TEST(aead_bad_requests_refused)
{
	uint8_t key[32] = { 0 };
	size_t e;

	for (e = 0; e < AU_N_ENGINES; e++) {
		struct aead_ctx *gcm = au_ctx_make(AEAD_AES_GCM_128,
						   au_engines[e], key, 16);
		struct aead_ctx *hm = au_ctx_make(AEAD_NULL_HMAC_SHA256,
						  au_engines[e], key, 16);

		REQUIRE(gcm && hm);
		bad_requests(gcm, hm);
		aead_free(gcm);
		aead_free(hm);
	}
}

/* SP 800-38C §A.1: q = 15 - nonce length bytes of text length. */
static int ccm_seal_len(const struct aead_ctx *ctx, size_t nonce_len,
			size_t aad_len, size_t len)
{
	uint8_t nonce[13] = { 0 }, aad[64] = { 0 }, tag[16];
	uint8_t *buf = calloc(1, len ? len : 1);
	struct msg m = { nonce, aad, buf, nonce_len, aad_len, len };
	int err;

	if (!buf)
		abort();
	err = au_seal(ctx, &m, buf, buf, tag);
	free(buf);
	return err;
}

TEST(aead_ccm_length_limits)
{
	uint8_t key[16] = { 0 };
	size_t e;

	for (e = 0; e < AU_N_ENGINES; e++) {
		struct aead_ctx *ctx = au_ctx_make(AEAD_AES_CCM_128,
						   au_engines[e], key, 16);
		bool imb = au_engines[e] == AEAD_ENGINE_IPSECMB;

		REQUIRE(ctx);
		CHECK_EQ(ccm_seal_len(ctx, 6, 8, 16), -EINVAL);
		CHECK_EQ(ccm_seal_len(ctx, 14, 8, 16), -EINVAL);
		CHECK_EQ(ccm_seal_len(ctx, 13, 8, 65534), 0);
		CHECK_EQ(ccm_seal_len(ctx, 13, 8, 65536), -EINVAL);
		CHECK_EQ(ccm_seal_len(ctx, 7, 46, 100), 0);
		/* ipsec-mb's lanes take at most 46 bytes of AAD and 65534 of
		 * text; OpenSSL takes what SP 800-38C allows. */
		CHECK_EQ(ccm_seal_len(ctx, 13, 8, 65535), imb ? -EINVAL : 0);
		CHECK_EQ(ccm_seal_len(ctx, 12, 8, 65536), imb ? -EINVAL : 0);
		CHECK_EQ(ccm_seal_len(ctx, 11, 47, 100), imb ? -EINVAL : 0);
		aead_free(ctx);
	}
}

/* ---- engine choice and names ------------------------------------------- */

TEST(aead_auto_picks_ipsecmb)
{
	uint8_t key[32] = { 0 };
	size_t a, e;

	for (a = 0; a < AU_N_ALGS; a++) {
		struct aead_ctx *ctx = au_ctx_make(au_algs[a], AEAD_ENGINE_AUTO,
						   key, au_max_tag(au_algs[a]));

		REQUIRE(ctx);
		CHECK_EQ(aead_ctx_engine(ctx), AEAD_ENGINE_IPSECMB);
		CHECK_EQ(aead_ctx_alg(ctx), au_algs[a]);
		CHECK_EQ(aead_ctx_tag_len(ctx), au_max_tag(au_algs[a]));
		aead_free(ctx);
		for (e = 0; e < AU_N_ENGINES; e++) {
			CHECK(aead_engine_has(au_engines[e], au_algs[a]));
			ctx = au_ctx_make(au_algs[a], au_engines[e], key,
					  au_max_tag(au_algs[a]));
			CHECK(ctx && aead_ctx_engine(ctx) == au_engines[e]);
			aead_free(ctx);
		}
	}
	CHECK(!aead_engine_has(AEAD_ENGINE_AUTO, AEAD_ALG_COUNT));
	aead_free(NULL);
}

TEST(aead_names)
{
	CHECK(!strcmp(aead_alg_name(AEAD_NULL), "null"));
	CHECK(!strcmp(aead_alg_name(AEAD_NULL_HMAC_SHA256),
		      "null-hmac-sha256"));
	CHECK(!strcmp(aead_alg_name(AEAD_AES_GCM_128), "aes-gcm-128"));
	CHECK(!strcmp(aead_alg_name(AEAD_AES_GCM_256), "aes-gcm-256"));
	CHECK(!strcmp(aead_alg_name(AEAD_AES_CCM_128), "aes-ccm-128"));
	CHECK(!strcmp(aead_alg_name(AEAD_CHACHA20_POLY1305),
		      "chacha20-poly1305"));
	CHECK(!strcmp(aead_alg_name(AEAD_ALG_COUNT), "unknown"));
	CHECK(!strcmp(aead_engine_name(AEAD_ENGINE_AUTO), "auto"));
	CHECK(!strcmp(aead_engine_name(AEAD_ENGINE_IPSECMB), "ipsec-mb"));
	CHECK(!strcmp(aead_engine_name(AEAD_ENGINE_OPENSSL), "openssl"));
	CHECK(!strcmp(aead_engine_name(AEAD_ENGINE_COUNT), "unknown"));
}
