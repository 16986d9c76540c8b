/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the keys process's request handler
 * (keyproc_server_handle, and through it keyproc_msg_parse_request) and
 * the parent's reply parser (keyproc_msg_parse_reply), on hostile
 * datagrams. Format in src/ike/keyproc_msg.h.
 *
 * Input: one datagram, given whole to both parsers (a request and a reply
 * differ in the header's type byte). The handler starts from a fixed table
 * of three secrets: ids 1, 2 and 0x10000, of 5, 32 and 256 bytes.
 *
 * Checked for every input (abort() on failure):
 *  - the handler always answers, with a reply that parses, carries the
 *    request's id and type as far as the header was read, and the status
 *    keyproc_msg_parse_request() gave for a malformed request;
 *  - PING: status 0. AUTH_PSK: for an id in the table, status 0 and an
 *    AUTH value of ike_prf_len(prf) bytes equal to
 *    prf(prf(psk, "Key Pad for IKEv2"), octets) computed here; -ENOENT
 *    for any other id. RELOAD: a part that is the whole table (first 0,
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

#include "ike/keyproc.h"
#include "util/secure.h"

#define check(cond)                                                        \
	do {                                                               \
		if (!(cond))                                               \
			abort();                                           \
	} while (0)

#define N_SECRETS 3

static struct keyproc_secret base[N_SECRETS];

static void base_init(void)
{
	static const uint32_t ids[N_SECRETS] = { 1, 2, 0x10000 };
	static const size_t lens[N_SECRETS] = { 5, 32, 256 };
	unsigned i;

	for (i = 0; i < N_SECRETS; i++) {
		base[i].id = ids[i];
		base[i].kind = KEYPROC_KIND_PSK;
		base[i].len = lens[i];
		memset(base[i].bytes, (int)(0x21 + i), lens[i]);
	}
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
	check(r->status == 0 && cursor_left(&r->auth) == plen);
	check(!ike_prf(prf, s->bytes, s->len, &pad, 1, k));
	check(!ike_prf(prf, k, plen, &oct, 1, want));
	check(!memcmp(r->auth.p, want, plen));
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
	n = keyproc_server_handle(&sv, data, size, reply, sizeof(reply));
	st = keyproc_msg_parse_request(data, size, &q);
	check(keyproc_msg_parse_reply(reply, n, &r) == 0);
	check(r.id == q.id && r.type == q.type);
	if (st)
		check(r.status == st && st < 0);
	else if (q.type == KEYPROC_T_AUTH_PSK)
		check_auth(&q, &r);
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
