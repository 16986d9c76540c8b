/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: IKEv2 message parsing (ike_msg_parse, ike_inner_parse),
 * every payload decoder, the Encrypted payload's framing (ike_sk_locate,
 * ike_sk_unpad) and the writer, on hostile bytes.
 *
 * Input: one mode byte, then the bytes.
 *   bits 0-1  cipher shape for ike_sk_locate(): shapes[] (IV, ICV, block)
 *   bit  2    the bytes are inner payloads (as after decryption): the next
 *             byte is the first payload type, the rest ike_inner_parse()'s;
 *             otherwise the bytes are a whole message.
 * A message's SK or SKF "ciphertext" is taken as plaintext as it stands
 * (no decryption here), so seeds built in clear reach the inner chain.
 * fuzz/gen_ike_corpus.c writes the seeds.
 *
 * Checked for every input (abort() on failure):
 *  - every verdict is below IKE_PARSE_COUNT;
 *  - a valid message: its length field is the input's length, major
 *    version 2, a known exchange; and the same bytes less the last one are
 *    refused;
 *  - a valid chain: at most IKE_PAYLOADS_MAX payloads, each of a known
 *    type, in increasing order, its body within the input right after its
 *    generic header; an SK/SKF payload only last and ending the input, and
 *    never in an inner chain;
 *  - ike_sk_locate(): the parts lie in order within the message, the ICV
 *    ends it, the encrypted part is a whole number of blocks;
 *    ike_sk_unpad(): the inner length is within the encrypted part;
 *  - each payload that decodes is built again with the writer (which must
 *    accept it, but for a transform with an unknown attribute, which it
 *    must refuse with -EINVAL), and the rebuilt message parses and decodes
 *    to the same values.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ike/msg.h"

#define check(cond)                                                        \
	do {                                                               \
		if (!(cond))                                               \
			abort();                                           \
	} while (0)

struct shape {
	size_t iv, icv, block;
};

static const struct shape shapes[4] = {
	{ 8, 16, 1 },    /* AES-GCM-16, ChaCha20-Poly1305 */
	{ 16, 16, 16 },  /* AES-CBC, HMAC-SHA2-256-128 */
	{ 16, 32, 16 },  /* AES-CBC, HMAC-SHA2-512-256 */
	{ 0, 0, 1 },
};

/* Every decoded form; one is filled per payload. */
struct vals {
	struct ike_sa_payload sa;
	struct ike_ts_payload ts;
	struct ike_ke ke;
	struct ike_id id;
	struct ike_cert cert;
	struct ike_auth auth;
	struct ike_notify n;
	struct ike_delete del;
	const uint8_t *data;
	size_t len;
};

static bool same_bytes(const uint8_t *a, size_t an, const uint8_t *b,
		       size_t bn)
{
	return an == bn && (!an || !memcmp(a, b, an));
}

static bool same_sa(const struct ike_sa_payload *a,
		    const struct ike_sa_payload *b)
{
	unsigned i, j;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++) {
		const struct ike_proposal *p = &a->prop[i], *q = &b->prop[i];

		if (p->num != q->num || p->protocol != q->protocol ||
		    !same_bytes(p->spi, p->spi_size, q->spi, q->spi_size) ||
		    p->nxf != q->nxf)
			return false;
		for (j = 0; j < p->nxf; j++)
			if (p->xf[j].type != q->xf[j].type ||
			    p->xf[j].id != q->xf[j].id ||
			    p->xf[j].key_len != q->xf[j].key_len ||
			    p->xf[j].unknown_attr || q->xf[j].unknown_attr)
				return false;
	}
	return true;
}

static bool same_ts(const struct ike_ts_payload *a,
		    const struct ike_ts_payload *b)
{
	return a->n == b->n && !memcmp(a->ts, b->ts, a->n * sizeof(a->ts[0]));
}

static bool has_unknown_attr(const struct ike_sa_payload *sa)
{
	unsigned i, j;

	for (i = 0; i < sa->n; i++)
		for (j = 0; j < sa->prop[i].nxf; j++)
			if (sa->prop[i].xf[j].unknown_attr)
				return true;
	return false;
}

/* Decode p's body into v and put it into w. *put: the writer's verdict. */
static enum ike_parse decode_put(uint8_t type, struct cursor body,
				 struct vals *v, struct ike_writer *w,
				 int *put)
{
	enum ike_parse r;

	*put = 0;
	switch (type) {
	case IKE_PL_SA:
		if ((r = ike_decode_sa(body, &v->sa)) == IKE_PARSE_OK)
			*put = ike_put_sa(w, v->sa.prop, v->sa.n);
		return r;
	case IKE_PL_TSI:
	case IKE_PL_TSR:
		if ((r = ike_decode_ts(body, &v->ts)) == IKE_PARSE_OK)
			*put = ike_put_ts(w, type, v->ts.ts, v->ts.n);
		return r;
	case IKE_PL_KE:
		if ((r = ike_decode_ke(body, &v->ke)) == IKE_PARSE_OK)
			*put = ike_put_ke(w, &v->ke);
		return r;
	case IKE_PL_IDI:
	case IKE_PL_IDR:
		if ((r = ike_decode_id(body, &v->id)) == IKE_PARSE_OK)
			*put = ike_put_id(w, type, &v->id);
		return r;
	case IKE_PL_CERT:
		if ((r = ike_decode_cert(body, &v->cert)) == IKE_PARSE_OK)
			*put = ike_put_cert(w, type, &v->cert);
		return r;
	case IKE_PL_CERTREQ:
		if ((r = ike_decode_certreq(body, &v->cert)) == IKE_PARSE_OK)
			*put = ike_put_cert(w, type, &v->cert);
		return r;
	case IKE_PL_AUTH:
		if ((r = ike_decode_auth(body, &v->auth)) == IKE_PARSE_OK)
			*put = ike_put_auth(w, &v->auth);
		return r;
	case IKE_PL_NONCE:
		if ((r = ike_decode_nonce(body, &v->data, &v->len)) ==
		    IKE_PARSE_OK)
			*put = ike_put_nonce(w, v->data, v->len);
		return r;
	case IKE_PL_NOTIFY:
		if ((r = ike_decode_notify(body, &v->n)) == IKE_PARSE_OK)
			*put = ike_put_notify(w, &v->n);
		return r;
	case IKE_PL_DELETE:
		if ((r = ike_decode_delete(body, &v->del)) == IKE_PARSE_OK)
			*put = ike_put_delete(w, &v->del);
		return r;
	case IKE_PL_VENDOR:
		if ((r = ike_decode_vendor(body, &v->data, &v->len)) ==
		    IKE_PARSE_OK)
			*put = ike_put_vendor(w, v->data, v->len);
		return r;
	}
	return IKE_PARSE_COUNT;  /* CP, EAP, SK, SKF: nothing to decode */
}

static bool same_vals(uint8_t type, const struct vals *a,
		      const struct vals *b)
{
	switch (type) {
	case IKE_PL_SA:
		return same_sa(&a->sa, &b->sa);
	case IKE_PL_TSI:
	case IKE_PL_TSR:
		return same_ts(&a->ts, &b->ts);
	case IKE_PL_KE:
		return a->ke.group == b->ke.group &&
		       same_bytes(a->ke.data, a->ke.len, b->ke.data, b->ke.len);
	case IKE_PL_IDI:
	case IKE_PL_IDR:
		return a->id.type == b->id.type &&
		       same_bytes(a->id.data, a->id.len, b->id.data, b->id.len);
	case IKE_PL_CERT:
	case IKE_PL_CERTREQ:
		return a->cert.encoding == b->cert.encoding &&
		       same_bytes(a->cert.data, a->cert.len, b->cert.data,
				  b->cert.len);
	case IKE_PL_AUTH:
		return a->auth.method == b->auth.method &&
		       same_bytes(a->auth.data, a->auth.len, b->auth.data,
				  b->auth.len);
	case IKE_PL_NOTIFY:
		return a->n.type == b->n.type &&
		       (!a->n.spi_size || a->n.protocol == b->n.protocol) &&
		       same_bytes(a->n.spi, a->n.spi_size, b->n.spi,
				  b->n.spi_size) &&
		       same_bytes(a->n.data, a->n.len, b->n.data, b->n.len);
	case IKE_PL_DELETE:
		return a->del.protocol == b->del.protocol &&
		       a->del.count == b->del.count &&
		       same_bytes(a->del.spis,
				  (size_t)a->del.count * a->del.spi_size,
				  b->del.spis,
				  (size_t)b->del.count * b->del.spi_size);
	}
	return same_bytes(a->data, a->len, b->data, b->len);
}

/* Decode p; if it decodes, build it again and decode that. */
static void check_payload(const struct ike_payload *p)
{
	static const struct ike_hdr h = { .exchange = IKE_EXCH_AUTH };
	static uint8_t out[IKE_MSG_MAX], out2[IKE_MSG_MAX];
	static struct vals v1, v2;
	static struct ike_msg m;
	struct ike_writer w;
	enum ike_parse r;
	int put, len;

	ike_writer_init(&w, out, sizeof(out), &h);
	r = decode_put(p->type, p->body, &v1, &w, &put);
	check((unsigned)r <= IKE_PARSE_COUNT);
	if (r != IKE_PARSE_OK)
		return;
	if (p->type == IKE_PL_SA && has_unknown_attr(&v1.sa)) {
		check(put == -EINVAL);
		return;
	}
	check(put == 0);
	len = ike_writer_finish(&w);
	check(len > IKE_HDR_LEN);
	check(ike_msg_parse(out, (size_t)len, &m) == IKE_PARSE_OK);
	check(m.chain.n == 1 && m.chain.pl[0].type == p->type);
	ike_writer_init(&w, out2, sizeof(out2), &h);
	r = decode_put(p->type, m.chain.pl[0].body, &v2, &w, &put);
	check(r == IKE_PARSE_OK && put == 0);
	check(same_vals(p->type, &v1, &v2));
}

static void check_chain(const struct ike_chain *c, const uint8_t *buf,
			size_t len, bool inner)
{
	size_t prev_end = 0;
	unsigned i;

	check(c->n <= IKE_PAYLOADS_MAX);
	for (i = 0; i < c->n; i++) {
		const struct ike_payload *p = &c->pl[i];
		size_t body = cursor_left(&p->body);

		check(ike_payload_known(p->type));
		check(p->off >= prev_end && p->off + 4 + body <= len);
		check(p->body.p == buf + p->off + IKE_PAYLOAD_HDR_LEN);
		prev_end = p->off + 4 + body;
		check_payload(p);
	}
	if (c->sk >= 0) {
		check(!inner && (unsigned)c->sk == c->n - 1);
		check(prev_end == len);
	}
}

static void fuzz_inner(const uint8_t *d, size_t n)
{
	static struct ike_chain c;
	enum ike_parse r;

	if (n < 1)
		return;
	r = ike_inner_parse(d + 1, n - 1, d[0], &c);
	check((unsigned)r < IKE_PARSE_COUNT);
	if (r == IKE_PARSE_OK)
		check_chain(&c, d + 1, n - 1, true);
}

/* The SK/SKF parts and, taking the encrypted part as plaintext, the inner
 * chain. */
static void fuzz_sk(const struct ike_msg *m, const struct shape *s)
{
	static struct ike_chain inner;
	struct ike_sk_layout l;
	size_t in_len;
	enum ike_parse r;

	r = ike_sk_locate(m, s->iv, s->icv, s->block, &l);
	check((unsigned)r < IKE_PARSE_COUNT);
	if (r != IKE_PARSE_OK)
		return;
	check(l.aad_len == l.iv_off && l.iv_off + l.iv_len == l.ct_off);
	check(l.ct_off + l.ct_len == l.icv_off && l.ct_len >= 1);
	check(l.icv_off + l.icv_len == m->len && l.ct_len % s->block == 0);
	r = ike_sk_unpad(m->buf + l.ct_off, l.ct_len, &in_len);
	if (r != IKE_PARSE_OK)
		return;
	check(in_len < l.ct_len);
	r = ike_inner_parse(m->buf + l.ct_off, in_len, m->chain.sk_next, &inner);
	check((unsigned)r < IKE_PARSE_COUNT);
	if (r == IKE_PARSE_OK)
		check_chain(&inner, m->buf + l.ct_off, in_len, true);
}

static void fuzz_msg(const uint8_t *d, size_t n, const struct shape *s)
{
	static struct ike_msg m, m2;
	enum ike_parse r = ike_msg_parse(d, n, &m);

	check((unsigned)r < IKE_PARSE_COUNT);
	if (r != IKE_PARSE_OK)
		return;
	check(m.hdr.len == n && m.hdr.version >> 4 == IKE_VERSION_MAJOR);
	check(ike_exchange_known(m.hdr.exchange));
	check(ike_msg_parse(d, n - 1, &m2) != IKE_PARSE_OK);
	check_chain(&m.chain, d, n, false);
	if (m.chain.sk >= 0)
		fuzz_sk(&m, s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > IKE_MSG_MAX + 2)
		return 0;
	if (data[0] & 4)
		fuzz_inner(data + 1, size - 1);
	else
		fuzz_msg(data + 1, size - 1, &shapes[data[0] & 3]);
	return 0;
}
