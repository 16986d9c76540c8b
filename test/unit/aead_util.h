/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the AEAD unit tests (test_aead.c, test_aead_burst.c):
 * the engines and algorithms to cover, exact-size heap buffers (so a read
 * past the end trips ASan), and one request's inputs. Names carry au_
 * (aead_util). Buffers come from malloc and are the caller's to free;
 * allocation failure aborts the test binary.
 */
#ifndef TUNSEC_TEST_AEAD_UTIL_H
#define TUNSEC_TEST_AEAD_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/aead.h"

#define AU_N_ENGINES 2
#define AU_N_ALGS 6

/* Every concrete engine (not AEAD_ENGINE_AUTO), and every algorithm. */
extern const enum aead_engine au_engines[AU_N_ENGINES];
extern const enum aead_alg au_algs[AU_N_ALGS];

/* ESP's nonce length for alg (RFC 4106, RFC 4309 and RFC 7634 §2); 0 for
 * the algorithms that take none. */
size_t au_esp_nonce_len(enum aead_alg alg);

/* The longest tag alg takes: 16, or 0 for AEAD_NULL. */
size_t au_max_tag(enum aead_alg alg);

/* n bytes (at least one allocated), uninitialised or test_rand() bytes. */
uint8_t *au_xalloc(size_t n);
uint8_t *au_xrand(size_t n);

bool au_all_zero(const uint8_t *p, size_t n);

/* aead_new() with aead_key_len(alg) bytes of key; on failure records a
 * test failure and returns NULL. */
struct aead_ctx *au_ctx_make(enum aead_alg alg, enum aead_engine engine,
			     const uint8_t *key, size_t tag_len);

/* The inputs of one request; out and tag are the caller's. */
struct msg {
	uint8_t *nonce, *aad, *in;
	size_t nonce_len, aad_len, len;
};

/* Random nonce, AAD and text in exact-size buffers; au_msg_free() frees
 * all three. */
void au_msg_random(struct msg *m, size_t nonce_len, size_t aad_len,
		   size_t len);
void au_msg_free(struct msg *m);

/* The request for m on ctx, reading in and writing out and tag. */
struct aead_req au_req_make(const struct aead_ctx *ctx, const struct msg *m,
			    const uint8_t *in, uint8_t *out, uint8_t *tag);

/* aead_seal() / aead_open() of that request: 0 or -errno. */
int au_seal(const struct aead_ctx *ctx, const struct msg *m,
	    const uint8_t *in, uint8_t *out, uint8_t *tag);
int au_open(const struct aead_ctx *ctx, const struct msg *m,
	    const uint8_t *in, uint8_t *out, uint8_t *tag);

#endif
