/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the keys process's request handler
 * (keyproc_server_handle, and through it keyproc_msg_parse_request) and
 * the parent's reply parser (keyproc_msg_parse_reply), on hostile
 * datagrams. Format in src/ike/keyproc_msg.h.
 *
 * Input: one datagram, given whole to both parsers (a request and a reply
 * differ in the header's type byte). The handler starts from a fixed table
 * of four secrets: shared keys 1, 2 and 0x10000, of 5, 32 and 256 bytes,
 * and KEY_FILE 3, whose file does not exist; the target puts a P-256 key
 * (generated once) in its place, so SIGN signs without touching files.
 *
 * Checked for every input (abort() on failure):
 *  - the handler always answers, with a reply that parses, carries the
 *    request's id and type as far as the header was read, and the status
 *    keyproc_msg_parse_request() gave for a malformed request;
 *  - PING: status 0. AUTH_PSK: for an id in the table, status 0 and an
 *    AUTH value of ike_prf_len(prf) bytes equal to
 *    prf(prf(psk, "Key Pad for IKEv2"), octets) computed here; -ENOENT
 *    for any other id, -EKEYREJECTED for the KEY_FILE. SIGN: for id 3
 *    and ECDSA, status 0 and a signature that ike_authsig_verify()
 *    accepts with the key; -EKEYREJECTED for an RSA scheme or a shared
 *    key; -ENOENT for an id not in the table. RELOAD: a part that is the
 *    whole table (first 0,
 *    count = total) replaces it with exactly its entries; a first part of
 *    a larger table leaves the table as it was; a later part with no table
 *    being filled is refused with -EINVAL and changes nothing;
 *  - a valid request rebuilt with the builders gives back the input bytes
 *    (the encoding is canonical);
 *  - a valid reply has a status <= 0, an AUTH value only after status 0,
 *    and rebuilt with keyproc_msg_build_reply() gives back the input.
 *
 * Seeds: fuzz/corpus/keyproc/, written by fuzz/gen_keyproc_corpus.c.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/evp.h>

#include "ike/authsig.h"
#include "ike/keyproc.h"
#include "util/secure.h"

#define check(cond)                                                        \
	do {                                                               \
		if (!(cond))                                               \
			abort();                                           \
	} while (0)

#define N_SECRETS 4
#define KEY_ID 3
#define KEY_INDEX 2
#define KEY_PATH "/nonexistent/tunsec-fuzz.key"

static struct keyproc_secret base[N_SECRETS];
static EVP_PKEY *key;

static void base_init(void)
{
	static const uint32_t ids[N_SECRETS] = { 1, 2, KEY_ID, 0x10000 };
	static const size_t lens[N_SECRETS] = { 5, 32, 0, 256 };
	unsigned i;

	for (i = 0; i < N_SECRETS; i++) {
		base[i].id = ids[i];
		base[i].kind = KEYPROC_KIND_PSK;
		base[i].len = lens[i];
		memset(base[i].bytes, (int)(0x21 + i), lens[i]);
	}
	base[KEY_INDEX].kind = KEYPROC_KIND_KEY_FILE;
	base[KEY_INDEX].len = strlen(KEY_PATH);
	memcpy(base[KEY_INDEX].bytes, KEY_PATH, strlen(KEY_PATH));
	key = EVP_EC_gen("P-256");
	check(key != NULL);
}

static const struct keyproc_secret *base_find(uint32_t id)
{
	unsigned i;

	for (i = 0; i < N_SECRETS; i++)
		if (base[i].id == id)
			return &base[i];
	return NULL;
}

static void check_auth(const struct keyproc_req *q,
		       const struct keyproc_reply *r)
{
	const struct keyproc_secret *s = base_find(q->secret_id);
	enum ike_prf_alg prf = (enum ike_prf_alg)q->prf;
	const struct ike_bytes pad = { (const uint8_t *)"Key Pad for IKEv2",
				       17 };
	const struct ike_bytes oct = { q->octets.p, q->octets.len };
	uint8_t k[IKE_PRF_LEN_MAX], want[IKE_PRF_LEN_MAX];
	size_t plen = ike_prf_len(prf);

	if (!s) {
		check(r->status == -ENOENT && !cursor_left(&r->auth));
		return;
	}
	if (s->kind != KEYPROC_KIND_PSK) {
		check(r->status == -EKEYREJECTED && !cursor_left(&r->auth));
		return;
	}
	check(r->status == 0 && cursor_left(&r->auth) == plen);
	check(!ike_prf(prf, s->bytes, s->len, &pad, 1, k));
	check(!ike_prf(prf, k, plen, &oct, 1, want));
	check(!memcmp(r->auth.p, want, plen));
}

/* The table entry of hash and scheme (every ECDSA hash has one). */
static const struct ike_authsig_alg *alg_of(uint16_t hash, uint8_t scheme)
{
	const struct ike_authsig_alg *t;
	size_t n, i;

	t = ike_authsig_algs(&n);
	for (i = 0; i < n; i++)
		if (t[i].hash == hash && t[i].scheme == scheme)
			return &t[i];
	return NULL;
}

static void check_sign(const struct keyproc_req *q,
		       const struct keyproc_reply *r)
{
	const struct keyproc_secret *s = base_find(q->secret_id);
	const struct ike_authsig_alg *a;
	struct ike_auth_sig sig;

	if (!s) {
		check(r->status == -ENOENT);
		return;
	}
	if (s->kind != KEYPROC_KIND_KEY_FILE || q->scheme != IKE_SIG_ECDSA) {
		check(r->status == -EKEYREJECTED && !cursor_left(&r->auth));
		return;
	}
	a = alg_of(q->hash, q->scheme);
	check(r->status == 0 && a != NULL);
	sig = (struct ike_auth_sig){ a->der, a->der_len, r->auth.p,
				     r->auth.len };
	check(!ike_authsig_verify(&sig, q->octets.p, q->octets.len, key,
				  NULL));
}

/* The entries of a valid RELOAD, decoded. */
static unsigned entries(const struct keyproc_req *q,
			struct keyproc_secret *out)
{
	struct cursor c = q->entries;
	unsigned n = 0;

	while (n < KEYPROC_RELOAD_PART && keyproc_msg_next_secret(&c, &out[n]))
		n++;
	check(n == q->count && !cursor_left(&c));
	return n;
}

static bool table_is(const struct keyproc_server *sv,
		     const struct keyproc_secret *t, unsigned n)
{
	return sv->n == n && (!n || !memcmp(sv->table, t, n * sizeof(*t)));
}

static void check_reload(const struct keyproc_server *sv,
			 const struct keyproc_req *q,
			 const struct keyproc_reply *r,
			 const uint8_t *data, size_t size)
{
	static struct keyproc_secret e[KEYPROC_RELOAD_PART];
	static uint8_t again[KEYPROC_RELOAD_MAX];
	unsigned n = entries(q, e);
	int len;

	if (q->first == 0 && q->count == q->total)
		check(r->status == 0 && table_is(sv, e, n));
	else if (q->first == 0)
		check(r->status == 0 && table_is(sv, base, N_SECRETS));
	else
		check(r->status == -EINVAL && table_is(sv, base, N_SECRETS));
	len = keyproc_msg_build_reload(again, sizeof(again), q->id, q->total,
				       q->first, e, n);
	check(len > 0 && (size_t)len == size && !memcmp(again, data, size));
	secure_zero(e, sizeof(e));
}

static void check_rebuild(const struct keyproc_req *q, const uint8_t *data,
			  size_t size)
{
	uint8_t h[KEYPROC_HDR_LEN + KEYPROC_AUTH_FIXED];

	if (q->type == KEYPROC_T_PING) {
		keyproc_msg_put_hdr(h, KEYPROC_T_PING, q->id, 0);
		check(size == KEYPROC_HDR_LEN && !memcmp(h, data, size));
	} else if (q->type == KEYPROC_T_AUTH_PSK) {
		keyproc_msg_put_auth(h, q->id, q->secret_id, q->prf,
				     q->octets.len);
		check(size == sizeof(h) + q->octets.len &&
		      !memcmp(h, data, sizeof(h)) &&
		      q->octets.p == data + sizeof(h));
	} else if (q->type == KEYPROC_T_SIGN) {
		keyproc_msg_put_sign(h, q->id, q->secret_id, q->hash,
				     q->scheme, q->octets.len);
		check(size == sizeof(h) + q->octets.len &&
		      !memcmp(h, data, sizeof(h)) &&
		      q->octets.p == data + sizeof(h));
	}
}

static void request_one(const uint8_t *data, size_t size)
{
	struct keyproc_secret t[N_SECRETS];
	uint8_t reply[KEYPROC_REPLY_MAX];
	struct keyproc_server sv;
	struct keyproc_reply r;
	struct keyproc_req q;
	size_t n;
	int st;

	memcpy(t, base, sizeof(t));
	check(keyproc_server_init(&sv, t, N_SECRETS) == 0);
	check(sv.keys && !sv.keys[KEY_INDEX] && EVP_PKEY_up_ref(key));
	sv.keys[KEY_INDEX] = key;
	n = keyproc_server_handle(&sv, data, size, reply, sizeof(reply));
	st = keyproc_msg_parse_request(data, size, &q);
	check(keyproc_msg_parse_reply(reply, n, &r) == 0);
	check(r.id == q.id && r.type == q.type);
	if (st)
		check(r.status == st && st < 0);
	else if (q.type == KEYPROC_T_AUTH_PSK)
		check_auth(&q, &r);
	else if (q.type == KEYPROC_T_SIGN)
		check_sign(&q, &r);
	else if (q.type == KEYPROC_T_RELOAD)
		check_reload(&sv, &q, &r, data, size);
	else
		check(q.type == KEYPROC_T_PING && r.status == 0);
	if (!st)
		check_rebuild(&q, data, size);
	if (q.type != KEYPROC_T_RELOAD || st)
		check(table_is(&sv, base, N_SECRETS));
	keyproc_server_free(&sv);
	secure_zero(reply, sizeof(reply));
}

static void reply_one(const uint8_t *data, size_t size)
{
	uint8_t again[KEYPROC_REPLY_MAX];
	struct keyproc_reply r;
	int len;

	if (keyproc_msg_parse_reply(data, size, &r))
		return;
	check(r.status <= 0 && (!cursor_left(&r.auth) || r.status == 0));
	len = keyproc_msg_build_reply(again, sizeof(again), r.type, r.id,
				      r.status, r.auth.p, r.auth.len);
	check(len > 0 && (size_t)len == size && !memcmp(again, data, size));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!base[0].len)
		base_init();
	request_one(data, size);
	reply_one(data, size);
	return 0;
}
