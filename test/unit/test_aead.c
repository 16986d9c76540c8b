/* SPDX-License-Identifier: MIT */
/*
 * The AEAD layer against its contract (crypto/aead.h): published vectors,
 * round trips, in place == out of place, ipsec-mb == OpenSSL on random
 * inputs, every flipped bit rejected with the output wiped, a burst equals
 * single calls, bad lengths refused, contexts shared across threads.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/aead.h"
#include "test.h"
#include "util/hex.h"

static const enum aead_engine engines[] = {
	AEAD_ENGINE_IPSECMB,
	AEAD_ENGINE_OPENSSL,
};

static const enum aead_alg algs[] = {
	AEAD_NULL,		AEAD_NULL_HMAC_SHA256, AEAD_AES_GCM_128,
	AEAD_AES_GCM_256,	AEAD_AES_CCM_128,      AEAD_CHACHA20_POLY1305,
};

#define N_ENGINES (sizeof(engines) / sizeof(engines[0]))
#define N_ALGS (sizeof(algs) / sizeof(algs[0]))

/* ESP's nonce lengths: RFC 4106, RFC 4309 and RFC 7634 §2. */
static size_t esp_nonce_len(enum aead_alg alg)
{
	switch (alg) {
	case AEAD_AES_CCM_128:
		return 11;
	case AEAD_AES_GCM_128:
	case AEAD_AES_GCM_256:
	case AEAD_CHACHA20_POLY1305:
		return 12;
	default:
		return 0;
	}
}

static size_t max_tag(enum aead_alg alg)
{
	return alg == AEAD_NULL ? 0 : 16;
}

/* Exact-size heap copies, so that a read past the end trips ASan. */
static uint8_t *xalloc(size_t n)
{
	uint8_t *p = malloc(n ? n : 1);

	if (!p)
		abort();
	return p;
}

static uint8_t *xrand(size_t n)
{
	uint8_t *p = xalloc(n);

	test_rand_bytes(p, n);
	return p;
}

static uint8_t *xhex(const char *s, size_t *len)
{
	size_t cap = strlen(s) / 2;
	uint8_t *p = xalloc(cap);
	int n = hex_decode(s, p, cap);

	if (n < 0)
		abort();
	*len = (size_t)n;
	return p;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static struct aead_ctx *ctx_make(enum aead_alg alg, enum aead_engine engine,
				 const uint8_t *key, size_t tag_len)
{
	struct aead_ctx *ctx = NULL;
	int err = aead_new(&ctx, alg, engine, key, aead_key_len(alg), tag_len);

	if (err)
		test_fail(__FILE__, __LINE__, "aead_new(%s, %s) = %d",
			  aead_alg_name(alg), aead_engine_name(engine), err);
	return ctx;
}

/* The inputs of one request; out and tag are the caller's. */
struct msg {
	uint8_t *nonce, *aad, *in;
	size_t nonce_len, aad_len, len;
};

static void msg_random(struct msg *m, size_t nonce_len, size_t aad_len,
		       size_t len)
{
	m->nonce_len = nonce_len;
	m->aad_len = aad_len;
	m->len = len;
	m->nonce = xrand(nonce_len);
	m->aad = xrand(aad_len);
	m->in = xrand(len);
}

static void msg_free(struct msg *m)
{
	free(m->nonce);
	free(m->aad);
	free(m->in);
}

static struct aead_req req_make(const struct aead_ctx *ctx,
				const struct msg *m, const uint8_t *in,
				uint8_t *out, uint8_t *tag)
{
	struct aead_req r = {
		.ctx = ctx,
		.nonce = m->nonce,
		.nonce_len = m->nonce_len,
		.aad = m->aad,
		.aad_len = m->aad_len,
		.in = in,
		.out = out,
		.len = m->len,
		.tag = tag,
	};

	return r;
}

static int seal(const struct aead_ctx *ctx, const struct msg *m,
		const uint8_t *in, uint8_t *out, uint8_t *tag)
{
	struct aead_req r = req_make(ctx, m, in, out, tag);

	return aead_seal(&r);
}

static int open_(const struct aead_ctx *ctx, const struct msg *m,
		 const uint8_t *in, uint8_t *out, uint8_t *tag)
{
	struct aead_req r = req_make(ctx, m, in, out, tag);

	return aead_open(&r);
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
	struct aead_ctx *ctx = ctx_make(v->alg, engine, key, tag_len);

	m.nonce = xhex(v->nonce, &m.nonce_len);
	m.aad = xhex(v->aad, &m.aad_len);
	m.in = xhex(v->pt, &m.len);
	out = xalloc(m.len);
	CHECK_EQ(key_len, aead_key_len(v->alg));
	if (ctx && ct_len == m.len) {
		CHECK_EQ(seal(ctx, &m, m.in, out, got), 0);
		CHECK_MEM(out, ct, ct_len);
		CHECK_MEM(got, tag, tag_len);
		CHECK_EQ(open_(ctx, &m, ct, out, tag), 0);
		CHECK_MEM(out, m.in, m.len);
	}
	CHECK(ctx && ct_len == m.len);
	aead_free(ctx);
	msg_free(&m);
	free(key);
	free(ct);
	free(tag);
	free(out);
}

TEST(aead_published_vectors)
{
	size_t i, e;

	for (i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++)
		for (e = 0; e < N_ENGINES; e++)
			vec_check(&vecs[i], engines[e]);
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

	msg_random(&m, esp_nonce_len(alg), alg == AEAD_NULL ? 0 : 12, len);
	ct = xalloc(len);
	buf = xalloc(len);
	back = xalloc(len);
	CHECK_EQ(seal(ctx, &m, m.in, ct, tag), 0);
	if (len)
		memcpy(buf, m.in, len);
	CHECK_EQ(seal(ctx, &m, buf, buf, tag2), 0);
	CHECK_MEM(buf, ct, len);
	CHECK_MEM(tag2, tag, tag_len);
	if (alg == AEAD_NULL || alg == AEAD_NULL_HMAC_SHA256)
		CHECK_MEM(ct, m.in, len); /* no confidentiality */
	else if (len >= 16)
		CHECK(memcmp(ct, m.in, len) != 0);
	CHECK_EQ(open_(ctx, &m, ct, back, tag), 0);
	CHECK_MEM(back, m.in, len);
	CHECK_EQ(open_(ctx, &m, buf, buf, tag), 0);
	CHECK_MEM(buf, m.in, len);
	free(ct);
	free(buf);
	free(back);
	msg_free(&m);
}

TEST(aead_round_trip_in_place)
{
	size_t e, a, i;

	for (e = 0; e < N_ENGINES; e++) {
		for (a = 0; a < N_ALGS; a++) {
			uint8_t *key = xrand(aead_key_len(algs[a]));
			struct aead_ctx *ctx = ctx_make(algs[a], engines[e],
							key, max_tag(algs[a]));

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
	uint8_t *out = xalloc(m->len);

	for (b = 0; b < bits; b++) {
		size_t byte = b / 8;
		uint8_t *p = byte < m->len ? ct + byte
			   : byte < m->len + tag_len ? tag + byte - m->len
			   : m->aad + byte - m->len - tag_len;

		*p ^= (uint8_t)(1u << (b % 8));
		memset(out, 0xa5, m->len);
		if (open_(ctx, m, ct, out, tag) != -EBADMSG ||
		    !all_zero(out, m->len))
			test_fail(__FILE__, __LINE__, "%s/%s: bit %zu accepted",
				  aead_engine_name(aead_ctx_engine(ctx)),
				  aead_alg_name(aead_ctx_alg(ctx)), b);
		*p ^= (uint8_t)(1u << (b % 8));
	}
	CHECK_EQ(open_(ctx, m, ct, out, tag), 0);
	CHECK_MEM(out, m->in, m->len);
	free(out);
}

TEST(aead_every_bit_flip_rejected)
{
	size_t e, a;

	for (e = 0; e < N_ENGINES; e++) {
		for (a = 1; a < N_ALGS; a++) { /* all but AEAD_NULL */
			uint8_t *key = xrand(aead_key_len(algs[a]));
			struct aead_ctx *ctx = ctx_make(algs[a], engines[e],
							key, 16);
			uint8_t tag[AEAD_TAG_MAX], *ct;
			struct msg m;

			msg_random(&m, esp_nonce_len(algs[a]), 12, 33);
			ct = xalloc(m.len);
			if (ctx && seal(ctx, &m, m.in, ct, tag) == 0)
				flip_all(ctx, &m, ct, tag);
			CHECK(ctx != NULL);
			aead_free(ctx);
			msg_free(&m);
			free(ct);
			free(key);
		}
	}
}

/* In place, a failed open wipes the caller's buffer: the ciphertext. */
TEST(aead_failed_open_in_place_wipes)
{
	size_t e;

	for (e = 0; e < N_ENGINES; e++) {
		uint8_t key[16] = { 1 }, tag[16], *buf;
		struct aead_ctx *ctx = ctx_make(AEAD_AES_CCM_128, engines[e],
						key, 16);
		struct msg m;

		REQUIRE(ctx);
		msg_random(&m, 11, 8, 100);
		buf = xalloc(m.len);
		memcpy(buf, m.in, m.len);
		CHECK_EQ(seal(ctx, &m, buf, buf, tag), 0);
		tag[0] ^= 1;
		CHECK_EQ(open_(ctx, &m, buf, buf, tag), -EBADMSG);
		CHECK(all_zero(buf, m.len));
		aead_free(ctx);
		msg_free(&m);
		free(buf);
	}
}

/* ---- ipsec-mb against OpenSSL ----------------------------------------- */

static size_t random_tag_len(enum aead_alg alg)
{
	static const size_t gcm[] = { 8, 12, 16 };

	switch (alg) {
	case AEAD_AES_GCM_128:
	case AEAD_AES_GCM_256:
		return gcm[test_rand() % 3];
	case AEAD_AES_CCM_128:
		return 4 + 2 * (test_rand() % 7);
	default:
		return max_tag(alg);
	}
}

/* Random inputs within what both engines take: ipsec-mb's CCM takes at
 * most 46 bytes of AAD. */
static void msg_random_for(struct msg *m, enum aead_alg alg)
{
	size_t nonce_len = esp_nonce_len(alg);
	size_t aad_max = alg == AEAD_AES_CCM_128 ? 47 : 100;

	if (alg == AEAD_AES_CCM_128)
		nonce_len = 7 + test_rand() % 7;
	msg_random(m, nonce_len, test_rand() % 4 ? test_rand() % aad_max : 0,
		   test_rand() % 4 ? test_rand() % 2048 : test_rand() % 20);
}

/* One random case: both engines seal alike and open each other's output. */
static void differ_once(enum aead_alg alg)
{
	size_t tag_len = random_tag_len(alg), key_len = aead_key_len(alg);
	uint8_t *key = xrand(key_len), tag[2][AEAD_TAG_MAX], *ct[2], *back;
	struct aead_ctx *x = ctx_make(alg, AEAD_ENGINE_IPSECMB, key, tag_len);
	struct aead_ctx *y = ctx_make(alg, AEAD_ENGINE_OPENSSL, key, tag_len);
	struct msg m;

	msg_random_for(&m, alg);
	ct[0] = xalloc(m.len);
	ct[1] = xalloc(m.len);
	back = xalloc(m.len);
	if (x && y) {
		CHECK_EQ(seal(x, &m, m.in, ct[0], tag[0]), 0);
		CHECK_EQ(seal(y, &m, m.in, ct[1], tag[1]), 0);
		CHECK_MEM(ct[0], ct[1], m.len);
		CHECK_MEM(tag[0], tag[1], tag_len);
		CHECK_EQ(open_(x, &m, ct[1], back, tag[1]), 0);
		CHECK_MEM(back, m.in, m.len);
		CHECK_EQ(open_(y, &m, ct[0], back, tag[0]), 0);
		CHECK_MEM(back, m.in, m.len);
	}
	aead_free(x);
	aead_free(y);
	msg_free(&m);
	free(ct[0]);
	free(ct[1]);
	free(back);
	free(key);
}

TEST(aead_ipsecmb_equals_openssl)
{
	size_t a, i;

	for (a = 0; a < N_ALGS; a++)
		for (i = 0; i < 300; i++)
			differ_once(algs[a]);
}

/* HMAC covers aad || in alike whether or not the two are adjacent. */
TEST(aead_hmac_adjacent_and_apart)
{
	uint8_t key[32], buf[190], *aad = xalloc(40), tag[2][2][16];
	size_t e, apart;

	test_rand_bytes(key, sizeof(key));
	test_rand_bytes(buf, sizeof(buf));
	memcpy(aad, buf, 40);
	for (e = 0; e < N_ENGINES; e++) {
		struct aead_ctx *ctx = ctx_make(AEAD_NULL_HMAC_SHA256,
						engines[e], key, 16);

		REQUIRE(ctx);
		for (apart = 0; apart < 2; apart++) {
			struct msg m = { NULL, apart ? aad : buf, buf + 40,
					 0, 40, 150 };

			CHECK_EQ(seal(ctx, &m, m.in, m.in, tag[e][apart]), 0);
		}
		aead_free(ctx);
	}
	CHECK_MEM(tag[0][0], tag[0][1], 16);
	CHECK_MEM(tag[0][0], tag[1][0], 16);
	CHECK_MEM(tag[0][0], tag[1][1], 16);
	free(aad);
}

/* Both engines give one HMAC for m, accept it and refuse it changed. */
static void hmac_agree(struct aead_ctx *const *ctx, const struct msg *m)
{
	uint8_t tag[2][16], *out = xalloc(m->len);
	size_t e;

	for (e = 0; e < N_ENGINES; e++) {
		CHECK_EQ(seal(ctx[e], m, m->in, out, tag[e]), 0);
		CHECK_MEM(out, m->in, m->len);
	}
	CHECK_MEM(tag[0], tag[1], 16);
	tag[0][15] ^= 1;
	for (e = 0; e < N_ENGINES; e++) {
		CHECK_EQ(open_(ctx[e], m, m->in, out, tag[1]), 0);
		CHECK_EQ(open_(ctx[e], m, m->in, out, tag[0]), -EBADMSG);
	}
	free(out);
}

/* HMAC at the edges of ipsec-mb's lanes (empty, 65534, past it). */
TEST(aead_hmac_lengths_agree)
{
	static const size_t totals[] = { 0, 1, 65533, 65534, 65535, 70001 };
	uint8_t key[32], *buf = xrand(70001);
	struct aead_ctx *ctx[N_ENGINES];
	size_t i, e, split;

	test_rand_bytes(key, sizeof(key));
	for (e = 0; e < N_ENGINES; e++) {
		ctx[e] = ctx_make(AEAD_NULL_HMAC_SHA256, engines[e], key, 16);
		REQUIRE(ctx[e]);
	}
	for (i = 0; i < sizeof(totals) / sizeof(totals[0]); i++) {
		for (split = 0; split < 2; split++) {
			size_t aad_len = split * (totals[i] / 3);
			struct msg m = { NULL, buf, buf + aad_len, 0, aad_len,
					 totals[i] - aad_len };

			hmac_agree(ctx, &m);
		}
	}
	aead_free(ctx[0]);
	aead_free(ctx[1]);
	free(buf);
}

/* One OpenSSL CCM context used with changing nonce lengths and directions,
 * among more contexts than a thread keeps keyed, against ipsec-mb. */
TEST(aead_openssl_rekeys_across_contexts)
{
	const enum aead_alg ccm = AEAD_AES_CCM_128;
	struct aead_ctx *x[9], *y[9];
	uint8_t key[9][16], tag[2][16], *ct[2], *back;
	size_t i, k;

	test_rand_bytes(key, sizeof(key));
	for (k = 0; k < 9; k++) {
		x[k] = ctx_make(ccm, AEAD_ENGINE_IPSECMB, key[k], 8);
		y[k] = ctx_make(ccm, AEAD_ENGINE_OPENSSL, key[k], 8);
		REQUIRE(x[k] && y[k]);
	}
	for (i = 0; i < 400; i++) {
		struct msg m;

		k = test_rand() % 9;
		msg_random(&m, 7 + test_rand() % 7, test_rand() % 20,
			   test_rand() % 200);
		ct[0] = xalloc(m.len);
		ct[1] = xalloc(m.len);
		back = xalloc(m.len);
		CHECK_EQ(seal(x[k], &m, m.in, ct[0], tag[0]), 0);
		if (test_rand() % 2) {
			CHECK_EQ(seal(y[k], &m, m.in, ct[1], tag[1]), 0);
			CHECK_MEM(ct[1], ct[0], m.len);
			CHECK_MEM(tag[1], tag[0], 8);
		}
		CHECK_EQ(open_(y[k], &m, ct[0], back, tag[0]), 0);
		CHECK_MEM(back, m.in, m.len);
		free(ct[0]);
		free(ct[1]);
		free(back);
		msg_free(&m);
	}
	for (k = 0; k < 9; k++) {
		aead_free(x[k]);
		aead_free(y[k]);
	}
}

/* ---- bursts ------------------------------------------------------------ */

#define BURST_CASES 150 /* more than two engine batches */

struct bcase {
	const struct aead_ctx *ctx;
	struct msg m;
	bool in_place, tamper;
	int expect;		     /* status of the open */
	uint8_t *ct, ct_tag[AEAD_TAG_MAX];
	uint8_t *out[2];	     /* [0] single calls, [1] the burst */
	uint8_t tag[2][AEAD_TAG_MAX];
};

static void bcase_init(struct bcase *c, struct aead_ctx *const *pool,
		       size_t n_pool)
{
	enum aead_alg alg;

	c->ctx = pool[test_rand() % n_pool];
	alg = aead_ctx_alg(c->ctx);
	msg_random_for(&c->m, alg);
	c->in_place = test_rand() % 2;
	c->tamper = alg != AEAD_NULL && test_rand() % 4 == 0;
	c->expect = c->tamper ? -EBADMSG : 0;
	if (test_rand() % 10 == 0) { /* a nonce length alg refuses */
		c->m.nonce_len = esp_nonce_len(alg) ? 0 : 1;
		c->expect = -EINVAL;
	}
	c->ct = xalloc(c->m.len);
	c->out[0] = xalloc(c->m.len);
	c->out[1] = xalloc(c->m.len);
}

static void bcase_free(struct bcase *c)
{
	msg_free(&c->m);
	free(c->ct);
	free(c->out[0]);
	free(c->out[1]);
}

/* The request for run which (0 single, 1 burst) reading in. */
static struct aead_req bcase_req(struct bcase *c, int which,
				 const uint8_t *in, uint8_t *tag)
{
	uint8_t *out = c->out[which];

	if (c->in_place) {
		if (c->m.len)
			memcpy(out, in, c->m.len);
		in = out;
	}
	return req_make(c->ctx, &c->m, in, out, tag);
}

static void burst_seal_check(struct bcase *c, size_t n)
{
	struct aead_req reqs[BURST_CASES];
	size_t i;

	for (i = 0; i < n; i++) {
		struct aead_req r = bcase_req(&c[i], 0, c[i].m.in, c[i].tag[0]);

		CHECK_EQ(aead_seal(&r), c[i].expect == -EINVAL ? -EINVAL : 0);
		reqs[i] = bcase_req(&c[i], 1, c[i].m.in, c[i].tag[1]);
	}
	aead_seal_burst(reqs, (unsigned)n);
	for (i = 0; i < n; i++) {
		CHECK_EQ(reqs[i].status, c[i].expect == -EINVAL ? -EINVAL : 0);
		if (c[i].expect == -EINVAL)
			continue;
		CHECK_MEM(c[i].out[1], c[i].out[0], c[i].m.len);
		CHECK_MEM(c[i].tag[1], c[i].tag[0], aead_ctx_tag_len(c[i].ctx));
		if (c[i].m.len)
			memcpy(c[i].ct, c[i].out[0], c[i].m.len);
		memcpy(c[i].ct_tag, c[i].tag[0], AEAD_TAG_MAX);
		if (c[i].tamper)
			c[i].ct_tag[0] ^= 0x40;
	}
}

static void burst_open_check(struct bcase *c, size_t n)
{
	struct aead_req reqs[BURST_CASES];
	size_t i;

	for (i = 0; i < n; i++) {
		struct aead_req r = bcase_req(&c[i], 0, c[i].ct, c[i].ct_tag);

		CHECK_EQ(aead_open(&r), c[i].expect);
		reqs[i] = bcase_req(&c[i], 1, c[i].ct, c[i].ct_tag);
	}
	aead_open_burst(reqs, (unsigned)n);
	for (i = 0; i < n; i++) {
		CHECK_EQ(reqs[i].status, c[i].expect);
		if (c[i].expect == 0)
			CHECK_MEM(c[i].out[1], c[i].m.in, c[i].m.len);
		if (c[i].expect == -EBADMSG)
			CHECK(all_zero(c[i].out[1], c[i].m.len));
		if (c[i].expect != -EINVAL)
			CHECK_MEM(c[i].out[1], c[i].out[0], c[i].m.len);
	}
}

/* A burst of requests on every engine and algorithm, some in place, some
 * forged, some malformed, gives what the same requests give one by one. */
TEST(aead_burst_equals_single_calls)
{
	struct aead_ctx *pool[N_ENGINES * N_ALGS];
	static struct bcase cases[BURST_CASES];
	size_t e, a, n = 0, i;

	for (e = 0; e < N_ENGINES; e++) {
		for (a = 0; a < N_ALGS; a++) {
			uint8_t *key = xrand(aead_key_len(algs[a]));

			pool[n] = ctx_make(algs[a], engines[e], key,
					   random_tag_len(algs[a]));
			free(key);
			REQUIRE(pool[n++]);
		}
	}
	for (i = 0; i < BURST_CASES; i++)
		bcase_init(&cases[i], pool, n);
	burst_seal_check(cases, BURST_CASES);
	burst_open_check(cases, BURST_CASES);
	for (i = 0; i < BURST_CASES; i++)
		bcase_free(&cases[i]);
	for (i = 0; i < n; i++)
		aead_free(pool[i]);
}

TEST(aead_empty_burst)
{
	aead_seal_burst(NULL, 0);
	aead_open_burst(NULL, 0);
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

	for (a = 0; a < N_ALGS; a++) {
		enum aead_alg alg = algs[a];
		size_t key_len = key_lens[alg], tag_len = max_tag(alg);

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
	struct aead_req r = req_make(gcm, &m, m.in, m.in, tag);

	r.nonce_len = 11;
	expect_einval(r);
	r.nonce_len = 0;
	expect_einval(r);
	r = req_make(gcm, &m, m.in, m.in, tag);
	r.nonce = NULL;
	expect_einval(r);
	r = req_make(gcm, &m, m.in, m.in, tag);
	r.aad = NULL;
	expect_einval(r);
	r = req_make(gcm, &m, NULL, m.in, tag);
	expect_einval(r);
	r = req_make(gcm, &m, m.in, m.in, NULL);
	expect_einval(r);
	r = req_make(gcm, &m, m.in, m.in + 1, tag); /* partial overlap */
	expect_einval(r);
	r = req_make(gcm, &m, m.in, m.in, m.in + 8); /* tag inside out */
	expect_einval(r);
	r = req_make(NULL, &m, m.in, m.in, tag);
	expect_einval(r);
	r = req_make(hm, &m, m.in, m.in, tag); /* HMAC takes no nonce */
	expect_einval(r);
}

TEST(aead_bad_requests_refused)
{
	uint8_t key[32] = { 0 };
	size_t e;

	for (e = 0; e < N_ENGINES; e++) {
		struct aead_ctx *gcm = ctx_make(AEAD_AES_GCM_128, engines[e],
						key, 16);
		struct aead_ctx *hm = ctx_make(AEAD_NULL_HMAC_SHA256,
					       engines[e], key, 16);

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
	err = seal(ctx, &m, buf, buf, tag);
	free(buf);
	return err;
}

TEST(aead_ccm_length_limits)
{
	uint8_t key[16] = { 0 };
	size_t e;

	for (e = 0; e < N_ENGINES; e++) {
		struct aead_ctx *ctx = ctx_make(AEAD_AES_CCM_128, engines[e],
						key, 16);

		REQUIRE(ctx);
		bool imb = engines[e] == AEAD_ENGINE_IPSECMB;

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

	for (a = 0; a < N_ALGS; a++) {
		struct aead_ctx *ctx = ctx_make(algs[a], AEAD_ENGINE_AUTO, key,
						max_tag(algs[a]));

		REQUIRE(ctx);
		CHECK_EQ(aead_ctx_engine(ctx), AEAD_ENGINE_IPSECMB);
		CHECK_EQ(aead_ctx_alg(ctx), algs[a]);
		CHECK_EQ(aead_ctx_tag_len(ctx), max_tag(algs[a]));
		aead_free(ctx);
		for (e = 0; e < N_ENGINES; e++) {
			CHECK(aead_engine_has(engines[e], algs[a]));
			ctx = ctx_make(algs[a], engines[e], key,
				       max_tag(algs[a]));
			CHECK(ctx && aead_ctx_engine(ctx) == engines[e]);
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

/* ---- sharing across threads -------------------------------------------- */

#define THREADS 4
#define SHARED (N_ENGINES * N_ALGS)

struct shared {
	struct aead_ctx *ctx[SHARED];
	struct msg m[SHARED];
	uint8_t *ct[SHARED], tag[SHARED][AEAD_TAG_MAX];
};

struct worker {
	const struct shared *s;
	unsigned id, mismatches;
};

/* Seal and open every shared context many times; count differences from
 * the answers computed on the main thread. */
static void *worker_run(void *arg)
{
	struct worker *w = arg;
	const struct shared *s = w->s;
	uint8_t out[1400], tag[AEAD_TAG_MAX];
	unsigned i;

	for (i = 0; i < 300; i++) {
		size_t k = (i + w->id) % SHARED;
		size_t tag_len = aead_ctx_tag_len(s->ctx[k]);
		struct aead_req r = req_make(s->ctx[k], &s->m[k], s->m[k].in,
					     out, tag);

		if (i % 2)
			aead_seal_burst(&r, 1);
		else
			aead_seal(&r);
		w->mismatches += r.status || memcmp(out, s->ct[k], 1400) ||
				 memcmp(tag, s->tag[k], tag_len);
		r = req_make(s->ctx[k], &s->m[k], s->ct[k], out,
			     (uint8_t *)s->tag[k]);
		w->mismatches += aead_open(&r) ||
				 memcmp(out, s->m[k].in, 1400);
	}
	return NULL;
}

TEST(aead_contexts_shared_by_threads)
{
	static struct shared s;
	struct worker w[THREADS];
	pthread_t th[THREADS];
	size_t e, a, k = 0;

	for (e = 0; e < N_ENGINES; e++) {
		for (a = 0; a < N_ALGS; a++, k++) {
			uint8_t *key = xrand(aead_key_len(algs[a]));

			s.ctx[k] = ctx_make(algs[a], engines[e], key,
					    max_tag(algs[a]));
			free(key);
			REQUIRE(s.ctx[k]);
			msg_random(&s.m[k], esp_nonce_len(algs[a]), 8, 1400);
			s.ct[k] = xalloc(1400);
			CHECK_EQ(seal(s.ctx[k], &s.m[k], s.m[k].in, s.ct[k],
				      s.tag[k]), 0);
		}
	}
	for (k = 0; k < THREADS; k++) {
		w[k] = (struct worker){ &s, (unsigned)k, 0 };
		REQUIRE(pthread_create(&th[k], NULL, worker_run, &w[k]) == 0);
	}
	for (k = 0; k < THREADS; k++) {
		pthread_join(th[k], NULL);
		CHECK_EQ(w[k].mismatches, 0);
	}
	for (k = 0; k < SHARED; k++) {
		aead_free(s.ctx[k]);
		msg_free(&s.m[k]);
		free(s.ct[k]);
	}
}
