/* SPDX-License-Identifier: MIT */
#include "ike_util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/bytes.h"

void iu_text_init(struct iu_text *t)
{
	t->s[0] = 0;
	t->n = 0;
}

void iu_add(struct iu_text *t, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (t->n >= IU_TEXT_MAX - 1)
		return;
	va_start(ap, fmt);
	k = vsnprintf(t->s + t->n, IU_TEXT_MAX - t->n, fmt, ap);
	va_end(ap);
	if (k > 0)
		t->n += (size_t)k < IU_TEXT_MAX - t->n ? (size_t)k
						       : IU_TEXT_MAX - 1 - t->n;
}

/* "<hex>", or "-" for nothing. */
static void put_hex(struct iu_text *t, const uint8_t *p, size_t n)
{
	size_t i;

	if (!n)
		iu_add(t, "-");
	for (i = 0; i < n; i++)
		iu_add(t, "%02x", p[i]);
}

static void add_hex(struct iu_text *t, const uint8_t *p, size_t n)
{
	iu_add(t, " ");
	put_hex(t, p, n);
}

void iu_render_hdr(struct iu_text *t, const struct ike_hdr *h)
{
	iu_add(t, "hdr %016llx %016llx %u %u %u\n",
	       (unsigned long long)h->spi_i, (unsigned long long)h->spi_r,
	       h->exchange, h->flags, h->msg_id);
}

void iu_render_sa(struct iu_text *t, const struct ike_sa_payload *sa)
{
	unsigned i, j;

	iu_add(t, "SA");
	for (i = 0; i < sa->n; i++) {
		const struct ike_proposal *p = &sa->prop[i];

		iu_add(t, "%s%u:%u:", i ? " | " : " ", p->num, p->protocol);
		put_hex(t, p->spi, p->spi_size);
		for (j = 0; j < p->nxf; j++) {
			const struct ike_transform *x = &p->xf[j];

			iu_add(t, " %u.%u", x->type, x->id);
			if (x->key_len)
				iu_add(t, ".%u", x->key_len);
			if (x->unknown_attr)
				iu_add(t, "?");
		}
	}
	iu_add(t, "\n");
}

void iu_render_ke(struct iu_text *t, const struct ike_ke *ke)
{
	iu_add(t, "KE %u", ke->group);
	add_hex(t, ke->data, ke->len);
	iu_add(t, "\n");
}

void iu_render_id(struct iu_text *t, uint8_t type, const struct ike_id *id)
{
	iu_add(t, "%s %u", type == IKE_PL_IDI ? "IDi" : "IDr", id->type);
	add_hex(t, id->data, id->len);
	iu_add(t, "\n");
}

void iu_render_cert(struct iu_text *t, uint8_t type, const struct ike_cert *c)
{
	iu_add(t, "%s %u", type == IKE_PL_CERT ? "CERT" : "CERTREQ",
	       c->encoding);
	add_hex(t, c->data, c->len);
	iu_add(t, "\n");
}

void iu_render_auth(struct iu_text *t, const struct ike_auth *a)
{
	struct ike_auth_sig sig;

	iu_add(t, "AUTH %u", a->method);
	add_hex(t, a->data, a->len);
	if (a->method == IKE_AM_DIGITAL_SIGNATURE &&
	    ike_decode_auth_sig(a, &sig) == IKE_PARSE_OK) {
		iu_add(t, " sig");
		add_hex(t, sig.alg, sig.alg_len);
		add_hex(t, sig.sig, sig.sig_len);
	}
	iu_add(t, "\n");
}

void iu_render_nonce(struct iu_text *t, const uint8_t *n, size_t len)
{
	iu_add(t, "Nonce");
	add_hex(t, n, len);
	iu_add(t, "\n");
}

void iu_render_notify(struct iu_text *t, const struct ike_notify *n)
{
	iu_add(t, "N %u", n->protocol);
	add_hex(t, n->spi, n->spi_size);
	iu_add(t, " %u", n->type);
	add_hex(t, n->data, n->len);
	iu_add(t, "\n");
}

void iu_render_delete(struct iu_text *t, const struct ike_delete *d)
{
	iu_add(t, "D %u %u %u", d->protocol, d->spi_size, d->count);
	add_hex(t, d->spis, (size_t)d->count * d->spi_size);
	iu_add(t, "\n");
}

void iu_render_vendor(struct iu_text *t, const uint8_t *v, size_t len)
{
	iu_add(t, "V");
	add_hex(t, v, len);
	iu_add(t, "\n");
}

void iu_render_ts(struct iu_text *t, uint8_t type,
		  const struct ike_ts_payload *ts)
{
	unsigned i;

	iu_add(t, "%s", type == IKE_PL_TSI ? "TSi" : "TSr");
	for (i = 0; i < ts->n; i++) {
		const struct ike_ts *s = &ts->ts[i];
		size_t alen = s->type == IKE_TS_IPV4_ADDR_RANGE ? 4 : 16;

		iu_add(t, " %u/%u/%u-%u/", s->type, s->ip_proto,
		       s->start_port, s->end_port);
		put_hex(t, s->start, alen);
		iu_add(t, "-");
		put_hex(t, s->end, alen);
	}
	iu_add(t, "\n");
}

static enum ike_parse render_sk(struct iu_text *t, const struct ike_chain *c,
				const struct ike_payload *p)
{
	struct ike_skf f;
	enum ike_parse r;

	if (p->type == IKE_PL_SK) {
		iu_add(t, "SK %u %zu\n", c->sk_next, cursor_left(&p->body));
		return IKE_PARSE_OK;
	}
	r = ike_decode_skf(p->body, &f);
	if (r == IKE_PARSE_OK)
		iu_add(t, "SKF %u/%u %u %zu\n", f.number, f.total, c->sk_next,
		       cursor_left(&p->body) - IKE_SKF_HDR_LEN);
	return r;
}

/* Payloads with a struct of their own that is not one of the simple
 * type-and-data ones. */
static enum ike_parse render_struct(struct iu_text *t,
				    const struct ike_payload *p)
{
	static struct ike_sa_payload sa;   /* large: not on the stack */
	static struct ike_ts_payload ts;
	enum ike_parse r;

	if (p->type == IKE_PL_SA) {
		r = ike_decode_sa(p->body, &sa);
		if (r == IKE_PARSE_OK)
			iu_render_sa(t, &sa);
		return r;
	}
	r = ike_decode_ts(p->body, &ts);
	if (r == IKE_PARSE_OK)
		iu_render_ts(t, p->type, &ts);
	return r;
}

static enum ike_parse render_simple(struct iu_text *t,
				    const struct ike_payload *p)
{
	union {
		struct ike_ke ke;
		struct ike_id id;
		struct ike_cert cert;
		struct ike_auth auth;
		struct ike_notify n;
		struct ike_delete d;
	} u;
	const uint8_t *data;
	size_t len;
	enum ike_parse r = IKE_PARSE_OK;

	switch (p->type) {
	case IKE_PL_KE:
		if ((r = ike_decode_ke(p->body, &u.ke)) == IKE_PARSE_OK)
			iu_render_ke(t, &u.ke);
		break;
	case IKE_PL_IDI:
	case IKE_PL_IDR:
		if ((r = ike_decode_id(p->body, &u.id)) == IKE_PARSE_OK)
			iu_render_id(t, p->type, &u.id);
		break;
	case IKE_PL_CERT:
		if ((r = ike_decode_cert(p->body, &u.cert)) == IKE_PARSE_OK)
			iu_render_cert(t, p->type, &u.cert);
		break;
	case IKE_PL_CERTREQ:
		if ((r = ike_decode_certreq(p->body, &u.cert)) == IKE_PARSE_OK)
			iu_render_cert(t, p->type, &u.cert);
		break;
	case IKE_PL_AUTH:
		if ((r = ike_decode_auth(p->body, &u.auth)) == IKE_PARSE_OK)
			iu_render_auth(t, &u.auth);
		break;
	case IKE_PL_NONCE:
		if ((r = ike_decode_nonce(p->body, &data, &len)) ==
		    IKE_PARSE_OK)
			iu_render_nonce(t, data, len);
		break;
	case IKE_PL_NOTIFY:
		if ((r = ike_decode_notify(p->body, &u.n)) == IKE_PARSE_OK)
			iu_render_notify(t, &u.n);
		break;
	case IKE_PL_DELETE:
		if ((r = ike_decode_delete(p->body, &u.d)) == IKE_PARSE_OK)
			iu_render_delete(t, &u.d);
		break;
	case IKE_PL_VENDOR:
		if ((r = ike_decode_vendor(p->body, &data, &len)) ==
		    IKE_PARSE_OK)
			iu_render_vendor(t, data, len);
		break;
	default:
		iu_add(t, "%s", p->type == IKE_PL_CP ? "CP" : "EAP");
		add_hex(t, p->body.p, cursor_left(&p->body));
		iu_add(t, "\n");
	}
	return r;
}

enum ike_parse iu_render_chain(struct iu_text *t, const struct ike_chain *c)
{
	unsigned i;

	for (i = 0; i < c->n; i++) {
		const struct ike_payload *p = &c->pl[i];
		enum ike_parse r;

		if (p->type == IKE_PL_SK || p->type == IKE_PL_SKF)
			r = render_sk(t, c, p);
		else if (p->type == IKE_PL_SA || p->type == IKE_PL_TSI ||
			 p->type == IKE_PL_TSR)
			r = render_struct(t, p);
		else
			r = render_simple(t, p);
		if (r != IKE_PARSE_OK)
			return r;
	}
	if (c->skipped)
		iu_add(t, "skipped %u\n", c->skipped);
	return IKE_PARSE_OK;
}

static int rebuild_struct(struct ike_writer *w, const struct ike_payload *p)
{
	static struct ike_sa_payload sa;
	static struct ike_ts_payload ts;

	if (p->type == IKE_PL_SA) {
		if (ike_decode_sa(p->body, &sa) != IKE_PARSE_OK)
			return -EBADMSG;
		return ike_put_sa(w, sa.prop, sa.n);
	}
	if (ike_decode_ts(p->body, &ts) != IKE_PARSE_OK)
		return -EBADMSG;
	return ike_put_ts(w, p->type, ts.ts, ts.n);
}

static int rebuild_one(struct ike_writer *w, const struct ike_payload *p)
{
	union {
		struct ike_ke ke;
		struct ike_id id;
		struct ike_cert cert;
		struct ike_auth auth;
		struct ike_notify n;
		struct ike_delete d;
	} u;
	const uint8_t *data;
	size_t len;

	switch (p->type) {
	case IKE_PL_SA:
	case IKE_PL_TSI:
	case IKE_PL_TSR:
		return rebuild_struct(w, p);
	case IKE_PL_KE:
		return ike_decode_ke(p->body, &u.ke) ? -EBADMSG
						     : ike_put_ke(w, &u.ke);
	case IKE_PL_IDI:
	case IKE_PL_IDR:
		return ike_decode_id(p->body, &u.id) ? -EBADMSG
			: ike_put_id(w, p->type, &u.id);
	case IKE_PL_CERT:
		return ike_decode_cert(p->body, &u.cert) ? -EBADMSG
			: ike_put_cert(w, p->type, &u.cert);
	case IKE_PL_CERTREQ:
		return ike_decode_certreq(p->body, &u.cert) ? -EBADMSG
			: ike_put_cert(w, p->type, &u.cert);
	case IKE_PL_AUTH:
		return ike_decode_auth(p->body, &u.auth) ? -EBADMSG
			: ike_put_auth(w, &u.auth);
	case IKE_PL_NONCE:
		return ike_decode_nonce(p->body, &data, &len) ? -EBADMSG
			: ike_put_nonce(w, data, len);
	case IKE_PL_NOTIFY:
		return ike_decode_notify(p->body, &u.n) ? -EBADMSG
			: ike_put_notify(w, &u.n);
	case IKE_PL_DELETE:
		return ike_decode_delete(p->body, &u.d) ? -EBADMSG
			: ike_put_delete(w, &u.d);
	case IKE_PL_VENDOR:
		return ike_decode_vendor(p->body, &data, &len) ? -EBADMSG
			: ike_put_vendor(w, data, len);
	case IKE_PL_CP:
	case IKE_PL_EAP:
		return ike_put_raw(w, p->type, p->critical, p->body.p,
				   cursor_left(&p->body));
	}
	return -ENOTSUP;
}

int iu_rebuild(const struct ike_msg *m, uint8_t *out, size_t cap)
{
	struct ike_writer w;
	unsigned i;
	int err;

	if (ike_writer_init(&w, out, cap, &m->hdr))
		return w.err;
	for (i = 0; i < m->chain.n; i++) {
		err = rebuild_one(&w, &m->chain.pl[i]);
		if (err)
			return err;
	}
	return ike_writer_finish(&w);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long iu_unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; *s; s++) {
		int v;

		if (*s == ' ' || *s == '\t' || *s == '\n')
			continue;
		v = hexval(*s);
		if (v < 0)
			return -1;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= cap)
			return -1;
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	return hi < 0 ? (long)n : -1;
}
