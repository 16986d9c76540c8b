/* SPDX-License-Identifier: MIT */
/*
 * The AEAD interface every data-path transform uses, and its contract.
 *
 * Contract (every engine, every algorithm):
 *  1. A context is immutable once aead_new() returns. It may be shared by any
 *     number of threads, which may call seal/open on it concurrently. Engines
 *     keep any mutable scratch state per thread, never in the context.
 *  2. In-place operation is allowed (in == out). Partially overlapping in and
 *     out buffers are not.
 *  3. Never partial output: a request either completes (status 0) or fails
 *     with nothing usable written. On a failed open the output buffer is
 *     wiped (zeroed) before returning: no plaintext is released before the
 *     tag has been verified, and tag comparison is constant-time.
 *  4. Nonce uniqueness is the caller's duty (ESP uses the sequence number).
 *  5. The key given to aead_new() is copied into engine key schedules; the
 *     caller may wipe its copy at once. aead_free() wipes every schedule.
 *  6. Engines run known-answer self-tests before first use
 *     (aead_selftest()); an engine that fails is never used.
 *
 * Algorithms:
 *  AEAD_NULL              no confidentiality, no integrity: out = in, no tag.
 *                         For benchmarks only.
 *  AEAD_NULL_HMAC_SHA256  out = in (no confidentiality); tag = the first
 *                         tag_len bytes of HMAC-SHA-256(key, aad || in)
 *                         (RFC 2410 with RFC 4868). No nonce.
 *  AEAD_AES_GCM_128/256   NIST SP 800-38D, 12-byte nonce, tag 8, 12 or 16.
 *  AEAD_AES_CCM_128       NIST SP 800-38C, nonce 7..13 bytes (ESP: 11),
 *                         tag 8, 12 or 16 (4..16 even where the engine can).
 *  AEAD_CHACHA20_POLY1305 RFC 8439, 12-byte nonce, tag 16.
 */
#ifndef TUNSEC_CRYPTO_AEAD_H
#define TUNSEC_CRYPTO_AEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum aead_alg {
	AEAD_NULL,
	AEAD_NULL_HMAC_SHA256,
	AEAD_AES_GCM_128,
	AEAD_AES_GCM_256,
	AEAD_AES_CCM_128,
	AEAD_CHACHA20_POLY1305,
	AEAD_ALG_COUNT
};

enum aead_engine {
	AEAD_ENGINE_AUTO,    /* the fastest engine that passed its self-test */
	AEAD_ENGINE_IPSECMB, /* Intel multi-buffer crypto (libIPSec_MB) */
	AEAD_ENGINE_OPENSSL, /* OpenSSL 3 EVP */
	AEAD_ENGINE_COUNT
};

#define AEAD_KEY_MAX 64
#define AEAD_NONCE_MAX 13
#define AEAD_TAG_MAX 16

struct aead_ctx;

/* One seal or open. All pointers are the caller's; none is kept. */
struct aead_req {
	const struct aead_ctx *ctx;
	const uint8_t *nonce;
	size_t nonce_len;
	const uint8_t *aad; /* may be NULL when aad_len is 0 */
	size_t aad_len;
	const uint8_t *in;
	uint8_t *out; /* may equal in */
	size_t len;   /* bytes of in and of out */
	uint8_t *tag; /* seal: tag_len bytes written; open: tag_len bytes read */
	int status;   /* set by the burst calls: 0, -EBADMSG (open: tag
		       * mismatch) or -EINVAL (bad lengths) */
};

/* Engine and algorithm names, for logs and the command line. */
const char *aead_alg_name(enum aead_alg alg);
const char *aead_engine_name(enum aead_engine engine);

/* Key length in bytes the algorithm takes (AEAD_NULL_HMAC_SHA256: 32;
 * AEAD_NULL: 0). */
size_t aead_key_len(enum aead_alg alg);

/* Whether tag_len is valid for alg. */
bool aead_tag_len_ok(enum aead_alg alg, size_t tag_len);

/*
 * Run the known-answer tests of engine for every algorithm it implements.
 * Results are cached; thread-safe. Returns 0 when all pass, -ENOTSUP when the
 * engine is not available on this machine (e.g. no AES-NI), -EIO when a test
 * fails (logged).
 */
int aead_selftest(enum aead_engine engine);

/* Whether engine implements alg (regardless of self-test results). */
bool aead_engine_has(enum aead_engine engine, enum aead_alg alg);

/*
 * Make a context for alg with key (aead_key_len(alg) bytes) producing and
 * checking tag_len-byte tags. AEAD_ENGINE_AUTO picks the fastest engine that
 * implements alg and passed its self-test. Returns 0 and sets *out, or
 * -EINVAL (bad key or tag length), -ENOTSUP (no engine passed its self-test
 * for alg), -ENOMEM. Thread-safe.
 */
int aead_new(struct aead_ctx **out, enum aead_alg alg, enum aead_engine engine,
	     const uint8_t *key, size_t key_len, size_t tag_len);

/* Wipe and free. NULL is a no-op. The context must no longer be in use. */
void aead_free(struct aead_ctx *ctx);

enum aead_alg aead_ctx_alg(const struct aead_ctx *ctx);
enum aead_engine aead_ctx_engine(const struct aead_ctx *ctx);
size_t aead_ctx_tag_len(const struct aead_ctx *ctx);

/* Seal one request: 0, or -EINVAL for lengths the algorithm refuses. */
int aead_seal(struct aead_req *req);

/* Open one request: 0, -EBADMSG when the tag does not verify (out wiped),
 * or -EINVAL. */
int aead_open(struct aead_req *req);

/*
 * Seal or open n requests, possibly with different contexts and engines,
 * setting each req->status. Engines with a multi-buffer path process the
 * burst together; the results equal n single calls.
 */
void aead_seal_burst(struct aead_req *reqs, unsigned n);
void aead_open_burst(struct aead_req *reqs, unsigned n);

#endif
