/* SPDX-License-Identifier: MIT */
/*
 * The engine-independent half of aead.h: names, lengths, request checks,
 * engine choice and dispatch. Every request is checked here, once, before
 * an engine sees it.
 */
#include "crypto/aead.h"

#include <errno.h>
#include <limits.h>
#include <stdatomic.h>

#include "crypto/engine.h"
#include "dp/limits.h"

/* Longest text or AAD accepted: OpenSSL's EVP interface counts in int. */
#define AEAD_LEN_MAX ((size_t)INT_MAX)

/* Engines in order of preference for AEAD_ENGINE_AUTO, fastest first. */
static const struct aead_ops *const engines[] = {
	&aead_ipsecmb_ops,
	&aead_openssl_ops,
};

#define N_ENGINES (sizeof(engines) / sizeof(engines[0]))

static const char *const alg_names[AEAD_ALG_COUNT] = {
	[AEAD_NULL] = "null",
	[AEAD_NULL_HMAC_SHA256] = "null-hmac-sha256",
	[AEAD_AES_GCM_128] = "aes-gcm-128",
	[AEAD_AES_GCM_256] = "aes-gcm-256",
	[AEAD_AES_CCM_128] = "aes-ccm-128",
	[AEAD_CHACHA20_POLY1305] = "chacha20-poly1305",
};

static const char *const engine_names[AEAD_ENGINE_COUNT] = {
	[AEAD_ENGINE_AUTO] = "auto",
	[AEAD_ENGINE_IPSECMB] = "ipsec-mb",
	[AEAD_ENGINE_OPENSSL] = "openssl",
};

static _Atomic uint64_t next_ctx_id = 1;

const char *aead_alg_name(enum aead_alg alg)
{
	if ((unsigned)alg >= AEAD_ALG_COUNT)
		return "unknown";
	return alg_names[alg];
}

const char *aead_engine_name(enum aead_engine engine)
{
	if ((unsigned)engine >= AEAD_ENGINE_COUNT)
		return "unknown";
	return engine_names[engine];
}

size_t aead_key_len(enum aead_alg alg)
{
	switch (alg) {
	case AEAD_NULL_HMAC_SHA256: /* RFC 4868: the key is one output long */
	case AEAD_AES_GCM_256:
	case AEAD_CHACHA20_POLY1305:
		return 32;
	case AEAD_AES_GCM_128:
	case AEAD_AES_CCM_128:
		return 16;
	default:
		return 0;
	}
}

bool aead_tag_len_ok(enum aead_alg alg, size_t tag_len)
{
	switch (alg) {
	case AEAD_NULL:
		return tag_len == 0;
	case AEAD_NULL_HMAC_SHA256: /* HMAC-SHA-256-128, RFC 4868 */
	case AEAD_CHACHA20_POLY1305: /* RFC 8439 §2.8 */
		return tag_len == 16;
	case AEAD_AES_GCM_128: /* RFC 4106 §6 ICV lengths */
	case AEAD_AES_GCM_256:
		return tag_len == 8 || tag_len == 12 || tag_len == 16;
	case AEAD_AES_CCM_128: /* SP 800-38C §A.1: 4, 6, ..., 16 */
		return tag_len >= 4 && tag_len <= 16 && tag_len % 2 == 0;
	default:
		return false;
	}
}

static bool nonce_len_ok(enum aead_alg alg, size_t nonce_len)
{
	switch (alg) {
	case AEAD_NULL:
	case AEAD_NULL_HMAC_SHA256:
		return nonce_len == 0;
	case AEAD_AES_GCM_128:
	case AEAD_AES_GCM_256:
	case AEAD_CHACHA20_POLY1305:
		return nonce_len == 12;
	case AEAD_AES_CCM_128: /* SP 800-38C §A.1: n = 15 - q */
		return nonce_len >= 7 && nonce_len <= 13;
	default:
		return false;
	}
}

/* SP 800-38C §A.1: the length field has q = 15 - n bytes. */
static bool ccm_len_ok(size_t nonce_len, size_t len)
{
	size_t q = 15 - nonce_len;

	return q >= sizeof(size_t) || (len >> (8 * q)) == 0;
}

static bool overlap(const void *a, size_t a_len, const void *b, size_t b_len)
{
	uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;

	if (!a_len || !b_len)
		return false;
	return x < y + b_len && y < x + a_len;
}

int aead_req_check(const struct aead_req *req)
{
	const struct aead_ctx *ctx = req->ctx;

	if (!ctx || !nonce_len_ok(ctx->alg, req->nonce_len))
		return -EINVAL;
	if (req->len > AEAD_LEN_MAX || req->aad_len > AEAD_LEN_MAX)
		return -EINVAL;
	if ((req->nonce_len && !req->nonce) || (req->aad_len && !req->aad) ||
	    (req->len && (!req->in || !req->out)) ||
	    (ctx->tag_len && !req->tag))
		return -EINVAL;
	/* aead.h contract 2: in-place or disjoint; the tag apart from both. */
	if ((req->in != req->out &&
	     overlap(req->in, req->len, req->out, req->len)) ||
	    overlap(req->tag, ctx->tag_len, req->out, req->len) ||
	    overlap(req->tag, ctx->tag_len, req->in, req->len))
		return -EINVAL;
	if (ctx->alg == AEAD_AES_CCM_128 &&
	    !ccm_len_ok(req->nonce_len, req->len))
		return -EINVAL;
	return 0;
}

const struct aead_ops *aead_engine_ops(enum aead_engine engine)
{
	size_t i;

	for (i = 0; i < N_ENGINES; i++)
		if (engines[i]->engine == engine)
			return engines[i];
	return NULL;
}

void aead_ctx_init(struct aead_ctx *ctx, const struct aead_ops *ops,
		   enum aead_alg alg, size_t tag_len)
{
	ctx->ops = ops;
	ctx->alg = alg;
	ctx->tag_len = tag_len;
	ctx->id = atomic_fetch_add(&next_ctx_id, 1);
}

bool aead_engine_has(enum aead_engine engine, enum aead_alg alg)
{
	const struct aead_ops *ops;
	size_t i;

	if ((unsigned)alg >= AEAD_ALG_COUNT)
		return false;
	if (engine != AEAD_ENGINE_AUTO) {
		ops = aead_engine_ops(engine);
		return ops && ops->has(alg);
	}
	for (i = 0; i < N_ENGINES; i++)
		if (engines[i]->has(alg))
			return true;
	return false;
}

static bool engine_usable(const struct aead_ops *ops, enum aead_alg alg)
{
	return ops->has(alg) && aead_selftest(ops->engine) == 0;
}

/* The engine a new context for alg runs on: engine itself, or with
 * AEAD_ENGINE_AUTO the first usable one in order of preference. */
static const struct aead_ops *engine_pick(enum aead_engine engine,
					  enum aead_alg alg)
{
	const struct aead_ops *ops;
	size_t i;

	if (engine != AEAD_ENGINE_AUTO) {
		ops = aead_engine_ops(engine);
		return ops && engine_usable(ops, alg) ? ops : NULL;
	}
	for (i = 0; i < N_ENGINES; i++)
		if (engine_usable(engines[i], alg))
			return engines[i];
	return NULL;
}

int aead_new(struct aead_ctx **out, enum aead_alg alg, enum aead_engine engine,
	     const uint8_t *key, size_t key_len, size_t tag_len)
{
	const struct aead_ops *ops;

	*out = NULL;
	if ((unsigned)alg >= AEAD_ALG_COUNT ||
	    (unsigned)engine >= AEAD_ENGINE_COUNT)
		return -EINVAL;
	if (key_len != aead_key_len(alg) || (key_len && !key) ||
	    !aead_tag_len_ok(alg, tag_len))
		return -EINVAL;
	ops = engine_pick(engine, alg);
	if (!ops)
		return -ENOTSUP;
	return ops->ctx_new(out, alg, key, key_len, tag_len);
}

void aead_free(struct aead_ctx *ctx)
{
	if (ctx)
		ctx->ops->ctx_free(ctx);
}

enum aead_alg aead_ctx_alg(const struct aead_ctx *ctx)
{
	return ctx->alg;
}

enum aead_engine aead_ctx_engine(const struct aead_ctx *ctx)
{
	return ctx->ops->engine;
}

size_t aead_ctx_tag_len(const struct aead_ctx *ctx)
{
	return ctx->tag_len;
}

int aead_seal(struct aead_req *req)
{
	req->status = aead_req_check(req);
	if (!req->status)
		req->status = req->ctx->ops->seal(req);
	return req->status;
}

int aead_open(struct aead_req *req)
{
	req->status = aead_req_check(req);
	if (!req->status)
		req->status = req->ctx->ops->open(req);
	return req->status;
}

static void engine_run(const struct aead_ops *ops,
		       struct aead_req *const *batch, unsigned n, bool seal)
{
	if (seal)
		ops->seal_burst(batch, n);
	else
		ops->open_burst(batch, n);
}

/* Hand ops every checked request of its own, BURST_MAX at a time. */
static void burst_dispatch(const struct aead_ops *ops, struct aead_req *reqs,
			   unsigned n, bool seal)
{
	struct aead_req *batch[BURST_MAX];
	unsigned i, k = 0;

	for (i = 0; i < n; i++) {
		if (reqs[i].status || reqs[i].ctx->ops != ops)
			continue;
		batch[k++] = &reqs[i];
		if (k == BURST_MAX) {
			engine_run(ops, batch, k, seal);
			k = 0;
		}
	}
	if (k)
		engine_run(ops, batch, k, seal);
}

static void burst_run(struct aead_req *reqs, unsigned n, bool seal)
{
	unsigned i;
	size_t e;

	for (i = 0; i < n; i++)
		reqs[i].status = aead_req_check(&reqs[i]);
	for (e = 0; e < N_ENGINES; e++)
		burst_dispatch(engines[e], reqs, n, seal);
}

void aead_seal_burst(struct aead_req *reqs, unsigned n)
{
	burst_run(reqs, n, true);
}

void aead_open_burst(struct aead_req *reqs, unsigned n)
{
	burst_run(reqs, n, false);
}
