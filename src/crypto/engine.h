/* SPDX-License-Identifier: MIT */
/*
 * The interface every AEAD engine implements behind aead.h. Private to
 * src/crypto: aead.c validates every request and dispatches here; the
 * self-tests in selftest.c drive the engines directly.
 */
#ifndef TUNSEC_CRYPTO_ENGINE_H
#define TUNSEC_CRYPTO_ENGINE_H

#include "crypto/aead.h"

/*
 * The part of every context aead.c reads. Each engine embeds it as the first
 * member of its own context. Immutable once ctx_new() returns.
 */
struct aead_ctx {
	const struct aead_ops *ops;
	enum aead_alg alg;
	size_t tag_len;
	uint64_t id; /* never reused within the process; never 0 */
};

/* Engines take requests checked by aead_req_check() only, from any number
 * of threads at once, on shared contexts (aead.h contract 1). Besides the
 * codes aead.h lists, seal and open may fail with -ENOMEM (per-thread
 * scratch state could not be allocated) or -EIO (the library failed
 * unexpectedly); a failed open has wiped out, a failed seal its tag. */
struct aead_ops {
	enum aead_engine engine;
	/* 0, or -ENOTSUP when the engine cannot run on this machine. */
	int (*probe)(void);
	bool (*has)(enum aead_alg alg);
	/* Key schedules for alg and key. The caller has checked key_len: it
	 * is aead_key_len(alg), except for AEAD_NULL_HMAC_SHA256, which takes
	 * any length (RFC 2104 §2; the RFC 4231 known answers need it); and
	 * tag_len has passed aead_tag_len_ok(). Returns 0 or -ENOMEM. */
	int (*ctx_new)(struct aead_ctx **out, enum aead_alg alg,
		       const uint8_t *key, size_t key_len, size_t tag_len);
	/* Wipe every key schedule and free. ctx is not NULL. */
	void (*ctx_free)(struct aead_ctx *ctx);
	int (*seal)(struct aead_req *req);
	int (*open)(struct aead_req *req);
	/* Set reqs[i]->status for each of n <= BURST_MAX requests, all of
	 * this engine. */
	void (*seal_burst)(struct aead_req *const *reqs, unsigned n);
	void (*open_burst)(struct aead_req *const *reqs, unsigned n);
};

extern const struct aead_ops aead_ipsecmb_ops;
extern const struct aead_ops aead_openssl_ops;

/* The engine behind engine, or NULL for AEAD_ENGINE_AUTO or out of
 * range. */
const struct aead_ops *aead_engine_ops(enum aead_engine engine);

/* Fill the common part of a context being made by ops. */
void aead_ctx_init(struct aead_ctx *ctx, const struct aead_ops *ops,
		   enum aead_alg alg, size_t tag_len);

/* 0 when req is well-formed for its context's algorithm, else -EINVAL. */
int aead_req_check(const struct aead_req *req);

#endif
