/* SPDX-License-Identifier: MIT */
/*
 * The AEAD layer against its contract (crypto/aead.h), by comparison:
 * ipsec-mb == OpenSSL on random inputs, at the edges of ipsec-mb's HMAC
 * lanes and across OpenSSL's rekeying; a burst equals single calls; contexts
 * shared across threads give what they give on one thread. One engine at a
 * time: test_aead.c.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "aead_util.h"
#include "crypto/aead.h"
#include "test.h"

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
		return au_max_tag(alg);
	}
}

/* Random inputs within what both engines take: ipsec-mb's CCM takes at
 * most 46 bytes of AAD. */
static void msg_random_for(struct msg *m, enum aead_alg alg)
{
	size_t nonce_len = au_esp_nonce_len(alg);
	size_t aad_max = alg == AEAD_AES_CCM_128 ? 47 : 100;

	if (alg == AEAD_AES_CCM_128)
		nonce_len = 7 + test_rand() % 7;
	au_msg_random(m, nonce_len, test_rand() % 4 ? test_rand() % aad_max : 0,
		      test_rand() % 4 ? test_rand() % 2048 : test_rand() % 20);
}

/* One random case: both engines seal alike and open each other's output. */
static void differ_once(enum aead_alg alg)
{
	size_t tag_len = random_tag_len(alg), key_len = aead_key_len(alg);
	uint8_t *key = au_xrand(key_len), tag[2][AEAD_TAG_MAX], *ct[2], *back;
	struct aead_ctx *x = au_ctx_make(alg, AEAD_ENGINE_IPSECMB, key,
					 tag_len);
	struct aead_ctx *y = au_ctx_make(alg, AEAD_ENGINE_OPENSSL, key,
					 tag_len);
	struct msg m;

	msg_random_for(&m, alg);
	ct[0] = au_xalloc(m.len);
	ct[1] = au_xalloc(m.len);
	back = au_xalloc(m.len);
	if (x && y) {
		CHECK_EQ(au_seal(x, &m, m.in, ct[0], tag[0]), 0);
		CHECK_EQ(au_seal(y, &m, m.in, ct[1], tag[1]), 0);
		CHECK_MEM(ct[0], ct[1], m.len);
		CHECK_MEM(tag[0], tag[1], tag_len);
		CHECK_EQ(au_open(x, &m, ct[1], back, tag[1]), 0);
		CHECK_MEM(back, m.in, m.len);
		CHECK_EQ(au_open(y, &m, ct[0], back, tag[0]), 0);
		CHECK_MEM(back, m.in, m.len);
	}
	aead_free(x);
	aead_free(y);
	au_msg_free(&m);
	free(ct[0]);
	free(ct[1]);
	free(back);
	free(key);
}

TEST(aead_ipsecmb_equals_openssl)
{
	size_t a, i;

	for (a = 0; a < AU_N_ALGS; a++)
		for (i = 0; i < 300; i++)
			differ_once(au_algs[a]);
}

/* HMAC covers aad || in alike whether or not the two are adjacent. */
TEST(aead_hmac_adjacent_and_apart)
{
	uint8_t key[32], buf[190], *aad = au_xalloc(40), tag[2][2][16];
	size_t e, apart;

	test_rand_bytes(key, sizeof(key));
	test_rand_bytes(buf, sizeof(buf));
	memcpy(aad, buf, 40);
	for (e = 0; e < AU_N_ENGINES; e++) {
		struct aead_ctx *ctx = au_ctx_make(AEAD_NULL_HMAC_SHA256,
						   au_engines[e], key, 16);

		REQUIRE(ctx);
		for (apart = 0; apart < 2; apart++) {
			struct msg m = { NULL, apart ? aad : buf, buf + 40,
					 0, 40, 150 };

			CHECK_EQ(au_seal(ctx, &m, m.in, m.in, tag[e][apart]),
				 0);
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
	uint8_t tag[2][16], *out = au_xalloc(m->len);
	size_t e;

	for (e = 0; e < AU_N_ENGINES; e++) {
		CHECK_EQ(au_seal(ctx[e], m, m->in, out, tag[e]), 0);
		CHECK_MEM(out, m->in, m->len);
	}
	CHECK_MEM(tag[0], tag[1], 16);
	tag[0][15] ^= 1;
	for (e = 0; e < AU_N_ENGINES; e++) {
		CHECK_EQ(au_open(ctx[e], m, m->in, out, tag[1]), 0);
		CHECK_EQ(au_open(ctx[e], m, m->in, out, tag[0]), -EBADMSG);
	}
	free(out);
}

/* HMAC at the edges of ipsec-mb's lanes (empty, 65534, past it). */
TEST(aead_hmac_lengths_agree)
{
	static const size_t totals[] = { 0, 1, 65533, 65534, 65535, 70001 };
	uint8_t key[32], *buf = au_xrand(70001);
	struct aead_ctx *ctx[AU_N_ENGINES];
	size_t i, e, split;

	test_rand_bytes(key, sizeof(key));
	for (e = 0; e < AU_N_ENGINES; e++) {
		ctx[e] = au_ctx_make(AEAD_NULL_HMAC_SHA256, au_engines[e],
				     key, 16);
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
		x[k] = au_ctx_make(ccm, AEAD_ENGINE_IPSECMB, key[k], 8);
		y[k] = au_ctx_make(ccm, AEAD_ENGINE_OPENSSL, key[k], 8);
		REQUIRE(x[k] && y[k]);
	}
	for (i = 0; i < 400; i++) {
		struct msg m;

		k = test_rand() % 9;
		au_msg_random(&m, 7 + test_rand() % 7, test_rand() % 20,
			      test_rand() % 200);
		ct[0] = au_xalloc(m.len);
		ct[1] = au_xalloc(m.len);
		back = au_xalloc(m.len);
		CHECK_EQ(au_seal(x[k], &m, m.in, ct[0], tag[0]), 0);
		if (test_rand() % 2) {
			CHECK_EQ(au_seal(y[k], &m, m.in, ct[1], tag[1]), 0);
			CHECK_MEM(ct[1], ct[0], m.len);
			CHECK_MEM(tag[1], tag[0], 8);
		}
		CHECK_EQ(au_open(y[k], &m, ct[0], back, tag[0]), 0);
		CHECK_MEM(back, m.in, m.len);
		free(ct[0]);
		free(ct[1]);
		free(back);
		au_msg_free(&m);
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
		c->m.nonce_len = au_esp_nonce_len(alg) ? 0 : 1;
		c->expect = -EINVAL;
	}
	c->ct = au_xalloc(c->m.len);
	c->out[0] = au_xalloc(c->m.len);
	c->out[1] = au_xalloc(c->m.len);
}

static void bcase_free(struct bcase *c)
{
	au_msg_free(&c->m);
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
	return au_req_make(c->ctx, &c->m, in, out, tag);
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
			CHECK(au_all_zero(c[i].out[1], c[i].m.len));
		if (c[i].expect != -EINVAL)
			CHECK_MEM(c[i].out[1], c[i].out[0], c[i].m.len);
	}
}

/* A burst of requests on every engine and algorithm, some in place, some
 * forged, some malformed, gives what the same requests give one by one. */
TEST(aead_burst_equals_single_calls)
{
	struct aead_ctx *pool[AU_N_ENGINES * AU_N_ALGS];
	static struct bcase cases[BURST_CASES];
	size_t e, a, n = 0, i;

	for (e = 0; e < AU_N_ENGINES; e++) {
		for (a = 0; a < AU_N_ALGS; a++) {
			uint8_t *key = au_xrand(aead_key_len(au_algs[a]));

			pool[n] = au_ctx_make(au_algs[a], au_engines[e], key,
					      random_tag_len(au_algs[a]));
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

/* ---- sharing across threads -------------------------------------------- */

#define THREADS 4
#define SHARED (AU_N_ENGINES * AU_N_ALGS)

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
		struct aead_req r = au_req_make(s->ctx[k], &s->m[k],
						s->m[k].in, out, tag);

		if (i % 2)
			aead_seal_burst(&r, 1);
		else
			aead_seal(&r);
		w->mismatches += r.status || memcmp(out, s->ct[k], 1400) ||
				 memcmp(tag, s->tag[k], tag_len);
		r = au_req_make(s->ctx[k], &s->m[k], s->ct[k], out,
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

	for (e = 0; e < AU_N_ENGINES; e++) {
		for (a = 0; a < AU_N_ALGS; a++, k++) {
			uint8_t *key = au_xrand(aead_key_len(au_algs[a]));

			s.ctx[k] = au_ctx_make(au_algs[a], au_engines[e], key,
					       au_max_tag(au_algs[a]));
			free(key);
			REQUIRE(s.ctx[k]);
			au_msg_random(&s.m[k], au_esp_nonce_len(au_algs[a]), 8,
				      1400);
			s.ct[k] = au_xalloc(1400);
			CHECK_EQ(au_seal(s.ctx[k], &s.m[k], s.m[k].in, s.ct[k],
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
		au_msg_free(&s.m[k]);
		free(s.ct[k]);
	}
}
