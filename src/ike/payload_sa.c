/* SPDX-License-Identifier: MIT */
/*
 * The Security Association payload (RFC 7296 §3.3): proposals, transforms
 * and transform attributes, decoded into struct ike_proposal and built from
 * it.
 */
#include "ike/build.h"

#include <errno.h>

#include "util/bytes.h"

/* §3.3.1: IKE proposals carry no SPI in IKE_SA_INIT and an 8-byte one when
 * rekeying; AH and ESP proposals a 4-byte one. */
static enum ike_parse check_spi(uint8_t proto, uint8_t spi_size)
{
	if (!ike_proto_ok(proto))
		return IKE_PARSE_PROTOCOL;
	if (proto == IKE_PROTO_IKE ? spi_size != 0 && spi_size != 8
				   : spi_size != 4)
		return IKE_PARSE_SPI_SIZE;
	return IKE_PARSE_OK;
}

/* One attribute (§3.3.5) into t. */
static enum ike_parse decode_attr(struct cursor *c, struct ike_transform *t)
{
	uint16_t type, val;

	if (!cursor_u16(c, &type) || !cursor_u16(c, &val))
		return IKE_PARSE_ATTR_LEN;
	if (!(type & IKE_ATTR_TV)) {
		if (!cursor_skip(c, val))
			return IKE_PARSE_ATTR_LEN;
		if (type == IKE_ATTR_KEY_LENGTH)
			return IKE_PARSE_ATTR_FORMAT;
		t->unknown_attr = true;
		return IKE_PARSE_OK;
	}
	if ((type & ~IKE_ATTR_TV) != IKE_ATTR_KEY_LENGTH) {
		t->unknown_attr = true;
		return IKE_PARSE_OK;
	}
	if (t->key_len || val == 0)
		return IKE_PARSE_ATTR_FORMAT;
	t->key_len = val;
	return IKE_PARSE_OK;
}

/* One transform (§3.3.2); *last gets its Last Substruc field. */
static enum ike_parse decode_transform(struct cursor *c,
				       struct ike_transform *t, uint8_t *last)
{
	struct cursor tc;
	uint16_t len;
	enum ike_parse r;

	if (!cursor_u8(c, last) || !cursor_skip(c, 1) || !cursor_u16(c, &len))
		return IKE_PARSE_TRANSFORM_LEN;
	if (len < IKE_TRANSFORM_HDR_LEN ||
	    !cursor_sub(c, &tc, len - IKE_PAYLOAD_HDR_LEN))
		return IKE_PARSE_TRANSFORM_LEN;
	t->key_len = 0;
	t->unknown_attr = false;
	if (!cursor_u8(&tc, &t->type) || !cursor_skip(&tc, 1) ||
	    !cursor_u16(&tc, &t->id))
		return IKE_PARSE_TRANSFORM_LEN; /* unreachable: len >= 8 */
	while (cursor_left(&tc)) {
		r = decode_attr(&tc, t);
		if (r != IKE_PARSE_OK)
			return r;
	}
	return IKE_PARSE_OK;
}

static enum ike_parse decode_transforms(struct cursor *c,
					struct ike_proposal *p)
{
	unsigned i;

	if (p->nxf > IKE_TRANSFORMS_MAX)
		return IKE_PARSE_TRANSFORMS_MAX;
	for (i = 0; i < p->nxf; i++) {
		uint8_t last, want = i + 1 == p->nxf ? IKE_SUBSTRUC_LAST
						     : IKE_SUBSTRUC_TRANSFORM;
		enum ike_parse r;

		if (!cursor_left(c))
			return IKE_PARSE_TRANSFORM_COUNT;
		r = decode_transform(c, &p->xf[i], &last);
		if (r != IKE_PARSE_OK)
			return r;
		if (last != want)
			return IKE_PARSE_SUBSTRUC;
	}
	return cursor_left(c) ? IKE_PARSE_TRANSFORM_COUNT : IKE_PARSE_OK;
}

/* One proposal (§3.3.1); *last gets its Last Substruc field. */
static enum ike_parse decode_proposal(struct cursor *c, struct ike_proposal *p,
				      uint8_t *last)
{
	struct cursor pc;
	uint16_t len;
	uint8_t nxf;
	enum ike_parse r;

	if (!cursor_u8(c, last) || !cursor_skip(c, 1) || !cursor_u16(c, &len))
		return IKE_PARSE_PROPOSAL_LEN;
	if (*last != IKE_SUBSTRUC_LAST && *last != IKE_SUBSTRUC_PROPOSAL)
		return IKE_PARSE_SUBSTRUC;
	if (len < IKE_PROPOSAL_HDR_LEN ||
	    !cursor_sub(c, &pc, len - IKE_PAYLOAD_HDR_LEN))
		return IKE_PARSE_PROPOSAL_LEN;
	if (!cursor_u8(&pc, &p->num) || !cursor_u8(&pc, &p->protocol) ||
	    !cursor_u8(&pc, &p->spi_size) || !cursor_u8(&pc, &nxf))
		return IKE_PARSE_PROPOSAL_LEN; /* unreachable: len >= 8 */
	r = check_spi(p->protocol, p->spi_size);
	if (r != IKE_PARSE_OK)
		return r;
	if (!cursor_copy(&pc, p->spi, p->spi_size))
		return IKE_PARSE_PROPOSAL_LEN;
	p->nxf = nxf;
	return decode_transforms(&pc, p);
}

/* §3.3.1: proposals made start at number 1, each next one the same number
 * (an AND of protocols) or one more; an accepted proposal comes back under
 * the number it was offered with, so the first may be any non-zero
 * number. */
static bool num_ok(const struct ike_proposal *props, unsigned i)
{
	if (i == 0)
		return props[0].num >= 1;
	return props[i].num == props[i - 1].num ||
	       props[i].num == props[i - 1].num + 1;
}

enum ike_parse ike_decode_sa(struct cursor body, struct ike_sa_payload *out)
{
	uint8_t last = IKE_SUBSTRUC_PROPOSAL;

	out->n = 0;
	while (last == IKE_SUBSTRUC_PROPOSAL) {
		enum ike_parse r;

		if (!cursor_left(&body))
			return out->n ? IKE_PARSE_SUBSTRUC : IKE_PARSE_EMPTY;
		if (out->n == IKE_PROPOSALS_MAX)
			return IKE_PARSE_PROPOSALS_MAX;
		r = decode_proposal(&body, &out->prop[out->n], &last);
		if (r != IKE_PARSE_OK)
			return r;
		if (!num_ok(out->prop, out->n))
			return IKE_PARSE_PROPOSAL_NUM;
		out->n++;
	}
	return cursor_left(&body) ? IKE_PARSE_BODY_TRAILING : IKE_PARSE_OK;
}

/* ---- Building ---- */

static bool proposal_ok(const struct ike_proposal *props, unsigned i)
{
	const struct ike_proposal *p = &props[i];
	unsigned j;

	if (!num_ok(props, i) || p->nxf > IKE_TRANSFORMS_MAX ||
	    check_spi(p->protocol, p->spi_size) != IKE_PARSE_OK)
		return false;
	for (j = 0; j < p->nxf; j++)
		if (p->xf[j].unknown_attr)
			return false;  /* not representable */
	return true;
}

static int put_transform(struct ike_writer *w, const struct ike_transform *t,
			 bool last)
{
	uint16_t len = IKE_TRANSFORM_HDR_LEN + (t->key_len ? IKE_ATTR_HDR_LEN
							   : 0);

	if (ike_w_u8(w, last ? IKE_SUBSTRUC_LAST : IKE_SUBSTRUC_TRANSFORM) ||
	    ike_w_u8(w, 0) || ike_w_u16(w, len) || ike_w_u8(w, t->type) ||
	    ike_w_u8(w, 0) || ike_w_u16(w, t->id))
		return w->err;
	if (t->key_len && (ike_w_u16(w, IKE_ATTR_TV | IKE_ATTR_KEY_LENGTH) ||
			   ike_w_u16(w, t->key_len)))
		return w->err;
	return 0;
}

static int put_proposal(struct ike_writer *w, const struct ike_proposal *p,
			bool last)
{
	size_t start = w->len;
	unsigned j;

	if (ike_w_u8(w, last ? IKE_SUBSTRUC_LAST : IKE_SUBSTRUC_PROPOSAL) ||
	    ike_w_u8(w, 0) || ike_w_u16(w, 0) || ike_w_u8(w, p->num) ||
	    ike_w_u8(w, p->protocol) || ike_w_u8(w, p->spi_size) ||
	    ike_w_u8(w, (uint8_t)p->nxf) ||
	    ike_w_bytes(w, p->spi, p->spi_size))
		return w->err;
	for (j = 0; j < p->nxf; j++)
		if (put_transform(w, &p->xf[j], j + 1 == p->nxf))
			return w->err;
	put_be16(w->buf + start + 2, (uint16_t)(w->len - start));
	return 0;
}

int ike_put_sa(struct ike_writer *w, const struct ike_proposal *props,
	       unsigned n)
{
	unsigned i;

	if (w->err)
		return w->err;
	if (n == 0 || n > IKE_PROPOSALS_MAX)
		return ike_w_fail(w, -EINVAL);
	for (i = 0; i < n; i++)
		if (!proposal_ok(props, i))
			return ike_w_fail(w, -EINVAL);
	if (ike_w_open(w, IKE_PL_SA, false))
		return w->err;
	for (i = 0; i < n; i++)
		if (put_proposal(w, &props[i], i + 1 == n))
			return w->err;
	return ike_w_close(w);
}
