/* SPDX-License-Identifier: MIT */
/* Helpers shared by the AEAD unit tests; see aead_util.h. */
#include "aead_util.h"

#include <stdlib.h>

#include "test.h"

const enum aead_engine au_engines[] = {
	AEAD_ENGINE_IPSECMB,
	AEAD_ENGINE_OPENSSL,
};

const enum aead_alg au_algs[] = {
	AEAD_NULL,		AEAD_NULL_HMAC_SHA256, AEAD_AES_GCM_128,
	AEAD_AES_GCM_256,	AEAD_AES_CCM_128,      AEAD_CHACHA20_POLY1305,
};

size_t au_esp_nonce_len(enum aead_alg alg)
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

size_t au_max_tag(enum aead_alg alg)
{
	return alg == AEAD_NULL ? 0 : 16;
}

uint8_t *au_xalloc(size_t n)
{
	uint8_t *p = malloc(n ? n : 1);

	if (!p)
		abort();
	return p;
}

uint8_t *au_xrand(size_t n)
{
	uint8_t *p = au_xalloc(n);

	test_rand_bytes(p, n);
	return p;
}

bool au_all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

struct aead_ctx *au_ctx_make(enum aead_alg alg, enum aead_engine engine,
			     const uint8_t *key, size_t tag_len)
{
	struct aead_ctx *ctx = NULL;
	int err = aead_new(&ctx, alg, engine, key, aead_key_len(alg), tag_len);

	if (err)
		test_fail(__FILE__, __LINE__, "aead_new(%s, %s) = %d",
			  aead_alg_name(alg), aead_engine_name(engine), err);
	return ctx;
}

void au_msg_random(struct msg *m, size_t nonce_len, size_t aad_len,
		   size_t len)
{
	m->nonce_len = nonce_len;
	m->aad_len = aad_len;
	m->len = len;
	m->nonce = au_xrand(nonce_len);
	m->aad = au_xrand(aad_len);
	m->in = au_xrand(len);
}

void au_msg_free(struct msg *m)
{
	free(m->nonce);
	free(m->aad);
	free(m->in);
}

struct aead_req au_req_make(const struct aead_ctx *ctx, const struct msg *m,
			    const uint8_t *in, uint8_t *out, uint8_t *tag)
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

int au_seal(const struct aead_ctx *ctx, const struct msg *m,
	    const uint8_t *in, uint8_t *out, uint8_t *tag)
{
	struct aead_req r = au_req_make(ctx, m, in, out, tag);

	return aead_seal(&r);
}

int au_open(const struct aead_ctx *ctx, const struct msg *m,
	    const uint8_t *in, uint8_t *out, uint8_t *tag)
{
	struct aead_req r = au_req_make(ctx, m, in, out, tag);

	return aead_open(&r);
}
