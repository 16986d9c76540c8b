/* SPDX-License-Identifier: MIT */
/*
 * The OpenSSL 3 engine: EVP ciphers for the AEADs, EVP_MAC for HMAC.
 *
 * An EVP context is mutable, so a shared aead_ctx cannot hold one. A context
 * keeps its raw key; each thread keeps a few working EVP contexts per
 * algorithm and direction, each remembering which aead_ctx (by its
 * never-reused id) it was last keyed for. A working context is used in one
 * direction only: OpenSSL's CCM picks its encrypt or decrypt routine when
 * the key is loaded. A request on a context whose key is still loaded only
 * sets the nonce; otherwise the working context is re-keyed first. Slots
 * go by context id, so up to SLOTS contexts of one algorithm made one after
 * another keep their keys loaded side by side.
 *
 * Open: OpenSSL writes plaintext before the tag is checked; the engine wipes
 * out when the check fails. GCM and ChaCha20-Poly1305 compare in
 * EVP_CipherFinal_ex() and CCM in the last EVP_CipherUpdate(), both with
 * CRYPTO_memcmp() (constant time); HMAC is compared here with ct_equal().
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "crypto/engine.h"
#include "util/secure.h"

#define SHA256_LEN 32
#define SLOTS 4 /* working contexts per thread, algorithm and direction */
#define N_SLOTS (AEAD_ALG_COUNT * 2 * SLOTS)

struct ossl_ctx {
	struct aead_ctx base;
	size_t key_len;
	uint8_t key[]; /* wiped by ctx_free */
};

/* A working context and the aead_ctx whose key it holds (0: none). */
struct ossl_slot {
	uint64_t id;
	size_t nonce_len; /* CCM: the nonce length the key was loaded for */
	EVP_CIPHER_CTX *cipher;
	EVP_MAC_CTX *mac;
};

struct ossl_thread {
	struct ossl_slot slot[N_SLOTS]; /* see slot_get() */
};

/* Fetched once, kept for the life of the process. */
static const char *const cipher_names[AEAD_ALG_COUNT] = {
	[AEAD_AES_GCM_128] = "AES-128-GCM",
	[AEAD_AES_GCM_256] = "AES-256-GCM",
	[AEAD_AES_CCM_128] = "AES-128-CCM",
	[AEAD_CHACHA20_POLY1305] = "ChaCha20-Poly1305",
};
static EVP_CIPHER *ciphers[AEAD_ALG_COUNT];
static EVP_MAC *hmac;
static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;

static pthread_once_t thread_key_once = PTHREAD_ONCE_INIT;
static pthread_key_t thread_key;
static bool thread_key_ok;
static _Thread_local struct ossl_thread *thread_self;

/* Stands in for the NULL pointers of empty buffers: OpenSSL reads a NULL
 * input as "no data" in CCM. Never read or written. */
static uint8_t empty[16];

static const struct ossl_ctx *ctx_of(const struct aead_req *req)
{
	return (const struct ossl_ctx *)req->ctx;
}

static void fetch_all(void)
{
	const char *name;
	int a;

	for (a = 0; a < AEAD_ALG_COUNT; a++) {
		name = cipher_names[a];
		if (name)
			ciphers[a] = EVP_CIPHER_fetch(NULL, name, NULL);
	}
	hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

static bool ossl_has(enum aead_alg alg)
{
	if ((unsigned)alg >= AEAD_ALG_COUNT)
		return false;
	pthread_once(&fetch_once, fetch_all);
	if (alg == AEAD_NULL)
		return true;
	if (alg == AEAD_NULL_HMAC_SHA256)
		return hmac != NULL;
	return ciphers[alg] != NULL;
}

static void thread_free(void *arg)
{
	struct ossl_thread *t = arg;
	size_t i;

	/* The EVP free functions cleanse their key schedules. */
	for (i = 0; i < N_SLOTS; i++) {
		EVP_CIPHER_CTX_free(t->slot[i].cipher);
		EVP_MAC_CTX_free(t->slot[i].mac);
	}
	free(t);
}

static void thread_key_create(void)
{
	thread_key_ok = pthread_key_create(&thread_key, thread_free) == 0;
}

static struct ossl_thread *thread_get(void)
{
	struct ossl_thread *t = thread_self;

	if (t)
		return t;
	if (pthread_once(&thread_key_once, thread_key_create) || !thread_key_ok)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	if (pthread_setspecific(thread_key, t)) {
		free(t);
		return NULL;
	}
	thread_self = t;
	return t;
}

static int ossl_probe(void)
{
	enum aead_alg a;

	for (a = 0; a < AEAD_ALG_COUNT; a++)
		if (a != AEAD_NULL && ossl_has(a))
			return 0;
	return -ENOTSUP;
}

static int ossl_ctx_new(struct aead_ctx **out, enum aead_alg alg,
			const uint8_t *key, size_t key_len, size_t tag_len)
{
	struct ossl_ctx *c = calloc(1, sizeof(*c) + key_len);

	if (!c)
		return -ENOMEM;
	aead_ctx_init(&c->base, &aead_openssl_ops, alg, tag_len);
	c->key_len = key_len;
	if (key_len)
		memcpy(c->key, key, key_len);
	*out = &c->base;
	return 0;
}

static void ossl_ctx_free(struct aead_ctx *ctx)
{
	struct ossl_ctx *c = (struct ossl_ctx *)ctx;

	secure_zero(c, sizeof(*c) + c->key_len);
	free(c);
}

/* The calling thread's slot for c in one direction: may hold another
 * context's key. */
static struct ossl_slot *slot_get(const struct ossl_ctx *c, bool seal)
{
	struct ossl_thread *t = thread_get();
	size_t row = (size_t)c->base.alg * 2 + seal;

	return t ? &t->slot[row * SLOTS + c->base.id % SLOTS] : NULL;
}

/* SP 800-38C through EVP: OpenSSL fixes the tag length M and the length
 * field size q = 15 - nonce length when the key is loaded (they enter the
 * flags of B_0), so both are set first and a CCM key is loaded per nonce
 * length. */
static int key_load(EVP_CIPHER_CTX *x, const struct ossl_ctx *c,
		    size_t nonce_len, bool seal)
{
	if (c->base.alg == AEAD_AES_CCM_128 &&
	    (!EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_IVLEN, (int)nonce_len,
				  NULL) ||
	     !EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_TAG,
				  (int)c->base.tag_len, NULL)))
		return -EIO;
	return EVP_CipherInit_ex2(x, NULL, c->key, NULL, seal, NULL) ? 0 : -EIO;
}

static EVP_CIPHER_CTX *cipher_ctx_new(enum aead_alg alg)
{
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();

	if (x && !EVP_CipherInit_ex2(x, ciphers[alg], NULL, NULL, 1, NULL)) {
		EVP_CIPHER_CTX_free(x);
		x = NULL;
	}
	return x;
}

/* A working cipher context holding c's key for nonce_len-byte nonces in
 * one direction; 0, -ENOMEM or -EIO. */
static int cipher_get(const struct ossl_ctx *c, size_t nonce_len, bool seal,
		      EVP_CIPHER_CTX **out)
{
	struct ossl_slot *s = slot_get(c, seal);
	int err;

	if (!s)
		return -ENOMEM;
	if (s->id != c->base.id || s->nonce_len != nonce_len) {
		s->id = 0;
		if (!s->cipher)
			s->cipher = cipher_ctx_new(c->base.alg);
		if (!s->cipher)
			return -ENOMEM;
		err = key_load(s->cipher, c, nonce_len, seal);
		if (err)
			return err;
		s->id = c->base.id;
		s->nonce_len = nonce_len;
	}
	*out = s->cipher;
	return 0;
}

/* A working HMAC context keyed with c's key and ready for data. */
static int mac_get(const struct ossl_ctx *c, bool seal, EVP_MAC_CTX **out)
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						 (char *)"SHA256", 0),
		OSSL_PARAM_construct_end(),
	};
	struct ossl_slot *s = slot_get(c, seal);

	if (!s)
		return -ENOMEM;
	*out = s->mac;
	if (s->id == c->base.id)
		return EVP_MAC_init(s->mac, NULL, 0, NULL) ? 0 : -EIO;
	s->id = 0;
	if (!s->mac) {
		s->mac = EVP_MAC_CTX_new(hmac);
		if (!s->mac)
			return -ENOMEM;
	}
	if (!EVP_MAC_init(s->mac, c->key, c->key_len, params))
		return -EIO;
	s->id = c->base.id;
	*out = s->mac;
	return 0;
}

/* After a failure the working context's state is unknown: re-key it next
 * time. */
static void slot_forget(const struct ossl_ctx *c, bool seal)
{
	struct ossl_slot *s = slot_get(c, seal);

	if (s)
		s->id = 0;
}

/* SP 800-38D §7 and RFC 8439 §2.8 share the EVP sequence: nonce, AAD,
 * text, then the tag. */
static int stream_seal(EVP_CIPHER_CTX *x, struct aead_req *r)
{
	uint8_t fin[16];
	int n;

	if (!EVP_CipherInit_ex2(x, NULL, NULL, r->nonce, 1, NULL) ||
	    (r->aad_len &&
	     !EVP_CipherUpdate(x, NULL, &n, r->aad, (int)r->aad_len)) ||
	    (r->len && !EVP_CipherUpdate(x, r->out, &n, r->in, (int)r->len)) ||
	    !EVP_CipherFinal_ex(x, fin, &n) ||
	    !EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_GET_TAG, (int)r->ctx->tag_len,
				 r->tag))
		return -EIO;
	return 0;
}

static int stream_open(EVP_CIPHER_CTX *x, struct aead_req *r)
{
	uint8_t fin[16];
	int n;

	if (!EVP_CipherInit_ex2(x, NULL, NULL, r->nonce, 0, NULL) ||
	    (r->aad_len &&
	     !EVP_CipherUpdate(x, NULL, &n, r->aad, (int)r->aad_len)) ||
	    (r->len && !EVP_CipherUpdate(x, r->out, &n, r->in, (int)r->len)) ||
	    !EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_TAG, (int)r->ctx->tag_len,
				 r->tag))
		return -EIO;
	return EVP_CipherFinal_ex(x, fin, &n) > 0 ? 0 : -EBADMSG;
}

/* SP 800-38C through EVP, after key_load(): the nonce, on open the
 * expected tag, the text length before the AAD, then the text in one call,
 * which on open also checks the tag. */
static int ccm_begin(EVP_CIPHER_CTX *x, struct aead_req *r, bool seal)
{
	int n;

	if (!EVP_CipherInit_ex2(x, NULL, NULL, r->nonce, seal, NULL) ||
	    (!seal && !EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_TAG,
					   (int)r->ctx->tag_len, r->tag)) ||
	    !EVP_CipherUpdate(x, NULL, &n, NULL, (int)r->len) ||
	    (r->aad_len &&
	     !EVP_CipherUpdate(x, NULL, &n, r->aad, (int)r->aad_len)))
		return -EIO;
	return 0;
}

static int ccm_run(EVP_CIPHER_CTX *x, struct aead_req *r, bool seal)
{
	const uint8_t *in = r->in ? r->in : empty;
	uint8_t *out = r->out ? r->out : empty;
	uint8_t fin[16];
	int n, err = ccm_begin(x, r, seal);

	if (err)
		return err;
	if (!seal)
		return EVP_CipherUpdate(x, out, &n, in, (int)r->len) > 0
			       ? 0
			       : -EBADMSG;
	if (!EVP_CipherUpdate(x, out, &n, in, (int)r->len) ||
	    !EVP_CipherFinal_ex(x, fin, &n) ||
	    !EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_GET_TAG, (int)r->ctx->tag_len,
				 r->tag))
		return -EIO;
	return 0;
}

static int cipher_run(struct aead_req *r, bool seal)
{
	const struct ossl_ctx *c = ctx_of(r);
	EVP_CIPHER_CTX *x;
	int err = cipher_get(c, r->nonce_len, seal, &x);

	if (err)
		return err;
	if (c->base.alg == AEAD_AES_CCM_128)
		err = ccm_run(x, r, seal);
	else
		err = seal ? stream_seal(x, r) : stream_open(x, r);
	if (err == -EIO)
		slot_forget(c, seal);
	return err;
}

/* RFC 2410 null cipher with RFC 4868 HMAC-SHA-256-128 over aad || in. */
static int hmac_run(struct aead_req *r, bool seal)
{
	const struct ossl_ctx *c = ctx_of(r);
	uint8_t calc[SHA256_LEN];
	size_t tag_len = c->base.tag_len, n;
	EVP_MAC_CTX *m;
	int err = mac_get(c, seal, &m);

	if (!err &&
	    ((r->aad_len && !EVP_MAC_update(m, r->aad, r->aad_len)) ||
	     (r->len && !EVP_MAC_update(m, r->in, r->len)) ||
	     !EVP_MAC_final(m, calc, &n, sizeof(calc)))) {
		slot_forget(c, seal);
		err = -EIO;
	}
	if (!err && seal)
		memcpy(r->tag, calc, tag_len);
	if (!err && !seal && !ct_equal(calc, r->tag, tag_len))
		err = -EBADMSG;
	if (!err && r->out != r->in && r->len)
		memcpy(r->out, r->in, r->len);
	secure_zero(calc, sizeof(calc));
	return err;
}

/* aead.h contract 3 for a request that did not complete. */
static int req_fail(struct aead_req *r, bool seal, int err)
{
	if (seal)
		secure_zero(r->tag, r->ctx->tag_len);
	else
		secure_zero(r->out, r->len);
	return err;
}

static int ossl_run(struct aead_req *r, bool seal)
{
	int err;

	switch (r->ctx->alg) {
	case AEAD_NULL:
		if (r->out != r->in && r->len)
			memcpy(r->out, r->in, r->len);
		return 0;
	case AEAD_NULL_HMAC_SHA256:
		err = hmac_run(r, seal);
		break;
	default:
		err = cipher_run(r, seal);
		break;
	}
	return err ? req_fail(r, seal, err) : 0;
}

static int ossl_seal(struct aead_req *req)
{
	return ossl_run(req, true);
}

static int ossl_open(struct aead_req *req)
{
	return ossl_run(req, false);
}

static void ossl_seal_burst(struct aead_req *const *reqs, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		reqs[i]->status = ossl_run(reqs[i], true);
}

static void ossl_open_burst(struct aead_req *const *reqs, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		reqs[i]->status = ossl_run(reqs[i], false);
}

const struct aead_ops aead_openssl_ops = {
	.engine = AEAD_ENGINE_OPENSSL,
	.probe = ossl_probe,
	.has = ossl_has,
	.ctx_new = ossl_ctx_new,
	.ctx_free = ossl_ctx_free,
	.seal = ossl_seal,
	.open = ossl_open,
	.seal_burst = ossl_seal_burst,
	.open_burst = ossl_open_burst,
};
