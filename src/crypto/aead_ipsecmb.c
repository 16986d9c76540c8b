/* SPDX-License-Identifier: MIT */
/*
 * The Intel multi-buffer engine (libIPSec_MB 1.3).
 *
 * AES-GCM runs through the direct API, one request at a time (it is already
 * parallel within a buffer). AES-CCM, ChaCha20-Poly1305 and HMAC-SHA-256 run
 * through the job API: a burst submits every request, then flushes, so
 * several buffers are in flight in the library's lanes at once.
 *
 * An IMB_MGR is mutable (job ring, lane state), so each thread owns its
 * managers, made on first use and freed, wiped, at thread exit: the best
 * one for the CPU, and for HMAC-SHA-256 an SSE one when the CPU has the SHA
 * extensions, which in this library version only the SSE code uses (the
 * AVX2 lanes hash without them, several times slower per packet). A context
 * holds only the immutable key schedules and may be shared by any number of
 * threads: every thread's main manager comes from init_mb_mgr_auto() on the
 * same CPU, so a GCM key schedule (whose layout depends on the code path)
 * made on one thread serves all.
 *
 * Open never trusts the library's verdict: the engine computes the tag into
 * its own buffer and compares with ct_equal(); on mismatch out is wiped.
 * In place (in == out) is supported by the library for all three modes: the
 * job structure documents src == dst, GCM and ChaCha20-Poly1305 hash the
 * ciphertext before or after ciphering it, and CCM hashes the plaintext
 * before encrypting and after decrypting (checked by the unit tests).
 */
#include <errno.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include <intel-ipsec-mb.h>

#include "crypto/engine.h"
#include "dp/limits.h"
#include "util/secure.h"

#define SHA256_BLOCK 64 /* RFC 6234 */
#define SHA256_LEN 32
#define AES_KEY_SCHEDULE (16 * 15)
#define CHACHA_KEY_LEN 32
/* What the library's lanes take: CCM formats the AAD into B_1..B_3 only,
 * and CCM and HMAC lengths are 16-bit with two values reserved. */
#define CCM_AAD_MAX 46
#define LANE_LEN_MAX 65534
#define SCRATCH_KEEP (1u << 20) /* larger scratch is freed after use */

/* Aligned for the library's vector loads: gcm_key_data asks for 64 bytes
 * only when LINUX is defined by the library's own build. */
struct imb_ctx {
	struct aead_ctx base;
	alignas(64) union {
		struct gcm_key_data gcm;
		struct {
			alignas(16) uint8_t enc[AES_KEY_SCHEDULE];
			alignas(16) uint8_t dec[AES_KEY_SCHEDULE];
		} aes;
		struct {
			/* RFC 2104 §2: K ^ ipad and K ^ opad, and the SHA-256
			 * states after each, which the lanes start from. */
			uint8_t iblock[SHA256_BLOCK];
			uint8_t oblock[SHA256_BLOCK];
			alignas(16) uint8_t ipad[SHA256_LEN];
			alignas(16) uint8_t opad[SHA256_LEN];
		} hmac;
		alignas(16) uint8_t chacha[CHACHA_KEY_LEN];
	} k;
};

/* Per-thread state; see the file comment. */
struct imb_thread {
	IMB_MGR *mgr;
	IMB_MGR *hash_mgr; /* HMAC jobs; may be mgr */
	/* aad || in for HMAC requests whose two parts are not adjacent, not
	 * secret: with a null cipher both travel in the clear. The direct HMAC
	 * puts K ^ ipad in front and wipes it after use. */
	uint8_t *scratch;
	size_t scratch_cap;
};

/* One request of a burst while its job is in flight. */
struct imb_slot {
	struct aead_req *req;
	uint8_t calc[SHA256_LEN]; /* open: the tag computed by the library */
};

/* Stands in for the NULL pointers of empty buffers: the library checks
 * pointers before lengths in places. Never read or written. */
static uint8_t empty[16];

static pthread_once_t thread_key_once = PTHREAD_ONCE_INIT;
static pthread_key_t thread_key;
static bool thread_key_ok;
static _Thread_local struct imb_thread *thread_self;

static const struct imb_ctx *ctx_of(const struct aead_req *req)
{
	return (const struct imb_ctx *)req->ctx;
}

static const void *nonnull(const void *p)
{
	return p ? p : empty;
}

static void mgr_free(IMB_MGR *m)
{
	if (!m)
		return;
	/* Lanes may hold pointers to key schedules and digests. */
	secure_zero(m, imb_get_mb_mgr_size());
	free_mb_mgr(m);
}

static void thread_free(void *arg)
{
	struct imb_thread *t = arg;

	if (t->hash_mgr != t->mgr)
		mgr_free(t->hash_mgr);
	mgr_free(t->mgr);
	free(t->scratch);
	free(t);
}

static IMB_MGR *mgr_new(bool sse)
{
	IMB_ARCH arch = IMB_ARCH_SSE;
	IMB_MGR *m = alloc_mb_mgr(0);

	if (!m)
		return NULL;
	if (sse)
		init_mb_mgr_sse(m);
	else
		init_mb_mgr_auto(m, &arch);
	if (imb_get_errno(m) || arch < IMB_ARCH_SSE) {
		mgr_free(m);
		return NULL;
	}
	return m;
}

static void thread_key_create(void)
{
	thread_key_ok = pthread_key_create(&thread_key, thread_free) == 0;
}

static struct imb_thread *thread_create(void)
{
	bool shani = imb_get_feature_flags() & IMB_FEATURE_SHANI;
	struct imb_thread *t;

	if (pthread_once(&thread_key_once, thread_key_create) || !thread_key_ok)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->mgr = mgr_new(false);
	t->hash_mgr = shani ? mgr_new(true) : t->mgr;
	if (!t->mgr || !t->hash_mgr || pthread_setspecific(thread_key, t)) {
		thread_free(t);
		return NULL;
	}
	thread_self = t;
	return t;
}

static struct imb_thread *thread_get(void)
{
	return thread_self ? thread_self : thread_create();
}

static int imb_probe(void)
{
	const uint64_t need = IMB_FEATURE_AESNI | IMB_FEATURE_PCLMULQDQ;

	if ((imb_get_feature_flags() & need) != need)
		return -ENOTSUP;
	return thread_get() ? 0 : -ENOTSUP;
}

static bool imb_has(enum aead_alg alg)
{
	return (unsigned)alg < AEAD_ALG_COUNT;
}

/* RFC 2104 §2: keys longer than the block are hashed first; shorter ones
 * are padded with zeros. */
static void hmac_key(IMB_MGR *m, struct imb_ctx *c, const uint8_t *key,
		     size_t key_len)
{
	uint8_t k[SHA256_BLOCK] = { 0 };
	size_t i;

	if (key_len > SHA256_BLOCK)
		IMB_SHA256(m, key, key_len, k);
	else if (key_len)
		memcpy(k, key, key_len);
	for (i = 0; i < SHA256_BLOCK; i++) {
		c->k.hmac.iblock[i] = k[i] ^ 0x36;
		c->k.hmac.oblock[i] = k[i] ^ 0x5c;
	}
	IMB_SHA256_ONE_BLOCK(m, c->k.hmac.iblock, c->k.hmac.ipad);
	IMB_SHA256_ONE_BLOCK(m, c->k.hmac.oblock, c->k.hmac.opad);
	secure_zero(k, sizeof(k));
}

static void key_expand(IMB_MGR *m, struct imb_ctx *c, const uint8_t *key,
		       size_t key_len)
{
	switch (c->base.alg) {
	case AEAD_NULL_HMAC_SHA256:
		hmac_key(m, c, key, key_len);
		break;
	case AEAD_AES_GCM_128:
		IMB_AES128_GCM_PRE(m, key, &c->k.gcm);
		break;
	case AEAD_AES_GCM_256:
		IMB_AES256_GCM_PRE(m, key, &c->k.gcm);
		break;
	case AEAD_AES_CCM_128:
		IMB_AES_KEYEXP_128(m, key, c->k.aes.enc, c->k.aes.dec);
		break;
	case AEAD_CHACHA20_POLY1305:
		memcpy(c->k.chacha, key, CHACHA_KEY_LEN);
		break;
	default:
		break;
	}
}

static int imb_ctx_new(struct aead_ctx **out, enum aead_alg alg,
		       const uint8_t *key, size_t key_len, size_t tag_len)
{
	struct imb_thread *t = thread_get();
	size_t size = (sizeof(struct imb_ctx) + 63) & ~(size_t)63;
	struct imb_ctx *c;

	if (!t)
		return -ENOMEM;
	c = aligned_alloc(64, size);
	if (!c)
		return -ENOMEM;
	memset(c, 0, size);
	aead_ctx_init(&c->base, &aead_ipsecmb_ops, alg, tag_len);
	key_expand(t->mgr, c, key, key_len);
	*out = &c->base;
	return 0;
}

static void imb_ctx_free(struct aead_ctx *ctx)
{
	secure_zero(ctx, sizeof(struct imb_ctx));
	free(ctx);
}

/* What IMB_AES{128,256}_GCM_{ENC,DEC} call. */
static aes_gcm_enc_dec_t gcm_fn(const IMB_MGR *m, enum aead_alg alg, bool seal)
{
	if (alg == AEAD_AES_GCM_128)
		return seal ? m->gcm128_enc : m->gcm128_dec;
	return seal ? m->gcm256_enc : m->gcm256_dec;
}

/* SP 800-38D §7.1 and §7.2 via the direct API. On open the library writes
 * the plaintext before the tag is known: it is wiped on mismatch. */
static int gcm_run(IMB_MGR *m, const struct imb_ctx *c, struct aead_req *r,
		   bool seal)
{
	struct gcm_context_data g; /* keystream and hash state: wiped */
	size_t tag_len = c->base.tag_len;
	const uint8_t *in = nonnull(r->in), *aad = nonnull(r->aad);
	uint8_t *out = r->out ? r->out : empty;
	uint8_t calc[AEAD_TAG_MAX] = { 0 };
	uint8_t *tag = seal ? r->tag : calc;
	int err = 0;

	gcm_fn(m, c->base.alg, seal)(&c->k.gcm, &g, out, in, r->len, r->nonce,
				     aad, r->aad_len, tag, tag_len);
	if (!seal && !ct_equal(calc, r->tag, tag_len)) {
		secure_zero(r->out, r->len);
		err = -EBADMSG;
	}
	secure_zero(&g, sizeof(g));
	secure_zero(calc, sizeof(calc));
	return err;
}

static bool hmac_in_lane(const struct aead_req *r)
{
	size_t n = r->aad_len + r->len;

	return n > 0 && n <= LANE_LEN_MAX;
}

/* Requests that do not go through the job ring: GCM, null, and HMAC over
 * lengths the lanes refuse. */
static bool runs_direct(const struct aead_req *r)
{
	switch (r->ctx->alg) {
	case AEAD_NULL_HMAC_SHA256:
		return !hmac_in_lane(r);
	case AEAD_AES_CCM_128:
	case AEAD_CHACHA20_POLY1305:
		return false;
	default:
		return true;
	}
}

/* Bytes of scratch a request needs: for a direct HMAC the block K ^ ipad
 * then aad || in; for a lane HMAC aad || in when the two are not adjacent
 * already. */
static size_t scratch_need(const struct aead_req *r)
{
	if (r->ctx->alg != AEAD_NULL_HMAC_SHA256)
		return 0;
	if (!hmac_in_lane(r))
		return SHA256_BLOCK + r->aad_len + r->len;
	if (!r->len || !r->aad_len || r->aad + r->aad_len == r->in)
		return 0;
	return r->aad_len + r->len;
}

/* Copy aad || in to p. */
static void gather(uint8_t *p, const struct aead_req *r)
{
	if (r->aad_len)
		memcpy(p, r->aad, r->aad_len);
	if (r->len)
		memcpy(p + r->aad_len, r->in, r->len);
}

/* RFC 2104 §2 as two one-shot hashes; the lanes take neither an empty
 * input nor one past LANE_LEN_MAX. buf has scratch_need(r) bytes. */
static int hmac_direct(IMB_MGR *m, const struct imb_ctx *c,
		       struct aead_req *r, bool seal, uint8_t *buf)
{
	uint8_t outer[SHA256_BLOCK + SHA256_LEN], calc[SHA256_LEN];
	size_t tag_len = c->base.tag_len;
	int err = 0;

	memcpy(buf, c->k.hmac.iblock, SHA256_BLOCK);
	gather(buf + SHA256_BLOCK, r);
	IMB_SHA256(m, buf, SHA256_BLOCK + r->aad_len + r->len,
		   outer + SHA256_BLOCK);
	memcpy(outer, c->k.hmac.oblock, SHA256_BLOCK);
	IMB_SHA256(m, outer, sizeof(outer), calc);
	if (seal)
		memcpy(r->tag, calc, tag_len);
	else if (!ct_equal(calc, r->tag, tag_len))
		err = -EBADMSG;
	if (!err && r->out != r->in && r->len)
		memcpy(r->out, r->in, r->len);
	if (err)
		secure_zero(r->out, r->len);
	secure_zero(buf, SHA256_BLOCK);
	secure_zero(outer, sizeof(outer));
	secure_zero(calc, sizeof(calc));
	return err;
}

static int direct_run(IMB_MGR *m, struct aead_req *r, bool seal,
		      uint8_t **scratch)
{
	uint8_t *buf = *scratch;

	switch (r->ctx->alg) {
	case AEAD_NULL_HMAC_SHA256:
		*scratch += scratch_need(r);
		return hmac_direct(m, ctx_of(r), r, seal, buf);
	case AEAD_NULL:
		if (r->out != r->in && r->len)
			memcpy(r->out, r->in, r->len);
		return 0;
	default:
		return gcm_run(m, ctx_of(r), r, seal);
	}
}

static int scratch_reserve(struct imb_thread *t, struct aead_req *const *reqs,
			   unsigned n)
{
	size_t need = 0;
	uint8_t *p;
	unsigned i;

	for (i = 0; i < n; i++)
		need += scratch_need(reqs[i]);
	if (need <= t->scratch_cap)
		return 0;
	p = realloc(t->scratch, need);
	if (!p)
		return -ENOMEM;
	t->scratch = p;
	t->scratch_cap = need;
	return 0;
}

static void scratch_trim(struct imb_thread *t)
{
	if (t->scratch_cap <= SCRATCH_KEEP)
		return;
	free(t->scratch);
	t->scratch = NULL;
	t->scratch_cap = 0;
}

/* The contiguous bytes a lane HMAC covers; bumps *scratch past any copy. */
static const uint8_t *hmac_input(const struct aead_req *r, uint8_t **scratch)
{
	size_t need = scratch_need(r);
	uint8_t *p = *scratch;

	if (!need)
		return r->aad_len ? r->aad : r->in;
	gather(p, r);
	*scratch = p + need;
	return p;
}

static void job_common(IMB_JOB *j, struct aead_req *r, struct imb_slot *s,
		       bool seal)
{
	j->src = nonnull(r->in);
	j->dst = r->out ? r->out : empty;
	j->cipher_start_src_offset_in_bytes = 0;
	j->msg_len_to_cipher_in_bytes = r->len;
	j->hash_start_src_offset_in_bytes = 0;
	j->msg_len_to_hash_in_bytes = r->len;
	j->iv = r->nonce;
	j->iv_len_in_bytes = r->nonce_len;
	j->auth_tag_output = seal ? r->tag : s->calc;
	j->auth_tag_output_len_in_bytes = r->ctx->tag_len;
	j->cipher_direction = seal ? IMB_DIR_ENCRYPT : IMB_DIR_DECRYPT;
	j->user_data = s;
	j->user_data2 = NULL;
}

/* SP 800-38C: MAC over the plaintext, so the MAC comes first on seal and
 * last on open. */
static void job_ccm(IMB_JOB *j, const struct imb_ctx *c, bool seal)
{
	const struct aead_req *r = ((struct imb_slot *)j->user_data)->req;

	j->cipher_mode = IMB_CIPHER_CCM;
	j->hash_alg = IMB_AUTH_AES_CCM;
	j->chain_order = seal ? IMB_ORDER_HASH_CIPHER : IMB_ORDER_CIPHER_HASH;
	j->enc_keys = c->k.aes.enc;
	j->dec_keys = c->k.aes.enc;
	j->key_len_in_bytes = IMB_KEY_128_BYTES;
	j->u.CCM.aad = nonnull(r->aad);
	j->u.CCM.aad_len_in_bytes = r->aad_len;
}

/* RFC 8439 §2.8: Poly1305 over the ciphertext. */
static void job_chacha(IMB_JOB *j, const struct imb_ctx *c, bool seal)
{
	const struct aead_req *r = ((struct imb_slot *)j->user_data)->req;

	j->cipher_mode = IMB_CIPHER_CHACHA20_POLY1305;
	j->hash_alg = IMB_AUTH_CHACHA20_POLY1305;
	j->chain_order = seal ? IMB_ORDER_CIPHER_HASH : IMB_ORDER_HASH_CIPHER;
	j->enc_keys = c->k.chacha;
	j->dec_keys = c->k.chacha;
	j->key_len_in_bytes = CHACHA_KEY_LEN;
	j->u.CHACHA20_POLY1305.aad = nonnull(r->aad);
	j->u.CHACHA20_POLY1305.aad_len_in_bytes = r->aad_len;
}

/* RFC 2410 null cipher with RFC 4868 HMAC-SHA-256-128 over aad || in. The
 * library's null cipher copies nothing; seal copies in to out here, open
 * after the tag has verified. */
static void job_hmac(IMB_JOB *j, const struct imb_ctx *c, bool seal,
		     uint8_t **scratch)
{
	struct aead_req *r = ((struct imb_slot *)j->user_data)->req;

	j->cipher_mode = IMB_CIPHER_NULL;
	j->hash_alg = IMB_AUTH_HMAC_SHA_256;
	j->chain_order = seal ? IMB_ORDER_CIPHER_HASH : IMB_ORDER_HASH_CIPHER;
	j->src = hmac_input(r, scratch);
	j->msg_len_to_cipher_in_bytes = 0;
	j->msg_len_to_hash_in_bytes = r->aad_len + r->len;
	j->iv = NULL;
	j->iv_len_in_bytes = 0;
	j->enc_keys = NULL;
	j->dec_keys = NULL;
	j->key_len_in_bytes = 0;
	j->u.HMAC._hashed_auth_key_xor_ipad = c->k.hmac.ipad;
	j->u.HMAC._hashed_auth_key_xor_opad = c->k.hmac.opad;
	if (seal && r->out != r->in && r->len)
		memcpy(r->out, r->in, r->len);
}

static void job_fill(IMB_JOB *j, struct imb_slot *s, bool seal,
		     uint8_t **scratch)
{
	const struct imb_ctx *c = ctx_of(s->req);

	job_common(j, s->req, s, seal);
	switch (c->base.alg) {
	case AEAD_AES_CCM_128:
		job_ccm(j, c, seal);
		break;
	case AEAD_CHACHA20_POLY1305:
		job_chacha(j, c, seal);
		break;
	default:
		job_hmac(j, c, seal, scratch);
		break;
	}
}

/* Contract 3 of aead.h for a request that did not complete: nothing
 * usable may remain in out (open) or tag (seal). */
static void req_fail(struct aead_req *r, bool seal, int err)
{
	if (seal)
		secure_zero(r->tag, r->ctx->tag_len);
	else
		secure_zero(r->out, r->len);
	r->status = err;
}

static void job_done(IMB_JOB *j)
{
	struct imb_slot *s = j->user_data;
	struct aead_req *r = s->req;
	bool seal = j->cipher_direction == IMB_DIR_ENCRYPT;

	if (j->status != IMB_STATUS_COMPLETED) {
		req_fail(r, seal, -EIO);
		return;
	}
	if (seal) {
		r->status = 0;
		return;
	}
	if (!ct_equal(s->calc, r->tag, r->ctx->tag_len)) {
		req_fail(r, false, -EBADMSG);
		return;
	}
	if (r->ctx->alg == AEAD_NULL_HMAC_SHA256 && r->out != r->in && r->len)
		memcpy(r->out, r->in, r->len);
	r->status = 0;
}

/* One burst in progress on the calling thread. */
struct imb_burst {
	struct imb_thread *t;
	uint8_t *scratch; /* the next free byte of t->scratch */
	bool seal;
	bool queued[2]; /* jobs went to t->mgr, to t->hash_mgr */
	struct imb_slot slots[BURST_MAX];
};

static void job_submit(struct imb_burst *b, struct imb_slot *s)
{
	bool hash = s->req->ctx->alg == AEAD_NULL_HMAC_SHA256;
	IMB_MGR *m = hash ? b->t->hash_mgr : b->t->mgr;
	IMB_JOB *j = IMB_GET_NEXT_JOB(m);

	job_fill(j, s, b->seal, &b->scratch);
	b->queued[hash] = true;
	for (j = IMB_SUBMIT_JOB(m); j; j = IMB_GET_COMPLETED_JOB(m))
		job_done(j);
}

/* Start one request: done at once when direct, else submitted. */
static void slot_start(struct imb_burst *b, struct imb_slot *s)
{
	struct aead_req *r = s->req;

	if (runs_direct(r)) {
		r->status = direct_run(b->t->mgr, r, b->seal, &b->scratch);
		return;
	}
	if (r->ctx->alg == AEAD_AES_CCM_128 &&
	    (r->aad_len > CCM_AAD_MAX || r->len > LANE_LEN_MAX)) {
		r->status = -EINVAL;
		return;
	}
	r->status = -EINPROGRESS;
	job_submit(b, s);
}

/* Complete every job still in the lanes. */
static void burst_flush(struct imb_burst *b)
{
	IMB_JOB *j;

	if (b->queued[0])
		while ((j = IMB_FLUSH_JOB(b->t->mgr)))
			job_done(j);
	if (b->queued[1])
		while ((j = IMB_FLUSH_JOB(b->t->hash_mgr)))
			job_done(j);
}

static void imb_burst(struct aead_req *const *reqs, unsigned n, bool seal)
{
	struct imb_burst b; /* slots are set as used: not zeroed up front */
	unsigned i;

	b.t = thread_get();
	b.seal = seal;
	b.queued[0] = b.queued[1] = false;
	if (!b.t || scratch_reserve(b.t, reqs, n)) {
		for (i = 0; i < n; i++)
			req_fail(reqs[i], seal, -ENOMEM);
		return;
	}
	b.scratch = b.t->scratch;
	for (i = 0; i < n; i++) {
		b.slots[i].req = reqs[i];
		slot_start(&b, &b.slots[i]);
	}
	burst_flush(&b);
	for (i = 0; i < n; i++)
		if (reqs[i]->status == -EINPROGRESS)
			req_fail(reqs[i], seal, -EIO);
	/* A computed tag would authenticate a forged open request. */
	secure_zero(b.slots, n * sizeof(b.slots[0]));
	scratch_trim(b.t);
}

static void imb_seal_burst(struct aead_req *const *reqs, unsigned n)
{
	imb_burst(reqs, n, true);
}

static void imb_open_burst(struct aead_req *const *reqs, unsigned n)
{
	imb_burst(reqs, n, false);
}

static int imb_seal(struct aead_req *req)
{
	imb_burst(&req, 1, true);
	return req->status;
}

static int imb_open(struct aead_req *req)
{
	imb_burst(&req, 1, false);
	return req->status;
}

const struct aead_ops aead_ipsecmb_ops = {
	.engine = AEAD_ENGINE_IPSECMB,
	.probe = imb_probe,
	.has = imb_has,
	.ctx_new = imb_ctx_new,
	.ctx_free = imb_ctx_free,
	.seal = imb_seal,
	.open = imb_open,
	.seal_burst = imb_seal_burst,
	.open_burst = imb_open_burst,
};
