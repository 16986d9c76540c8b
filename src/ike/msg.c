/* SPDX-License-Identifier: MIT */
/*
 * IKEv2 header and payload chain (RFC 7296 §3.1, §3.2), and the framing of
 * the Encrypted payload (§3.14, RFC 7383 §2.5) on receipt. Reads only
 * through util/cursor.h.
 */
#include "ike/msg.h"

static const char *const parse_names[IKE_PARSE_COUNT] = {
#define IKE_PARSE_NAME(n, s) s,
	IKE_PARSE_RESULTS(IKE_PARSE_NAME)
#undef IKE_PARSE_NAME
};

const char *ike_parse_error_name(enum ike_parse r)
{
	return (unsigned)r < IKE_PARSE_COUNT ? parse_names[r] : "?";
}

static bool is_sk(uint8_t type)
{
	return type == IKE_PL_SK || type == IKE_PL_SKF;
}

static bool read_u64(struct cursor *c, uint64_t *v)
{
	uint32_t hi, lo;

	if (!cursor_u32(c, &hi) || !cursor_u32(c, &lo))
		return false;
	*v = (uint64_t)hi << 32 | lo;
	return true;
}

/* The 28-byte header; false when there are fewer bytes. */
static bool read_header(struct cursor *c, struct ike_hdr *h)
{
	return read_u64(c, &h->spi_i) && read_u64(c, &h->spi_r) &&
	       cursor_u8(c, &h->next) && cursor_u8(c, &h->version) &&
	       cursor_u8(c, &h->exchange) && cursor_u8(c, &h->flags) &&
	       cursor_u32(c, &h->msg_id) && cursor_u32(c, &h->len);
}

/* One generic payload header and its body from c, whose first byte is at
 * offset |off| of the walked buffer. */
static enum ike_parse read_payload(struct cursor *c, size_t off,
				   struct ike_payload *p, uint8_t *next)
{
	uint8_t flags;
	uint16_t plen;

	if (!cursor_u8(c, next) || !cursor_u8(c, &flags) ||
	    !cursor_u16(c, &plen))
		return IKE_PARSE_PAYLOAD_OVERRUN;
	if (plen < IKE_PAYLOAD_HDR_LEN)
		return IKE_PARSE_PAYLOAD_SHORT;
	if (!cursor_sub(c, &p->body, plen - IKE_PAYLOAD_HDR_LEN))
		return IKE_PARSE_PAYLOAD_OVERRUN;
	p->critical = flags & IKE_PAYLOAD_CRITICAL;
	p->off = (uint32_t)off;
	return IKE_PARSE_OK;
}

/* The SK or SKF payload p ends the chain: nothing may follow it (§3.14),
 * and its Next Payload names the first inner payload. */
static enum ike_parse take_sk(struct ike_chain *out, const struct cursor *c,
			      bool inner, uint8_t next)
{
	if (inner)
		return IKE_PARSE_SK_NESTED;
	if (cursor_left(c))
		return IKE_PARSE_SK_NOT_LAST;
	out->sk = (int)out->n - 1;
	out->sk_next = next;
	return IKE_PARSE_OK;
}

static void chain_reset(struct ike_chain *c)
{
	c->n = c->skipped = 0;
	c->bad_type = 0;
	c->sk = -1;
	c->sk_next = 0;
}

/* Walk the chain in c (total bytes |total|, first type |type|). */
static enum ike_parse walk(struct cursor c, size_t total, uint8_t type,
			   bool inner, struct ike_chain *out)
{
	unsigned seen = 0;

	chain_reset(out);
	while (type != IKE_PL_NONE) {
		struct ike_payload p = { .type = type };
		uint8_t next;
		enum ike_parse r;

		if (++seen > IKE_PAYLOADS_MAX)
			return IKE_PARSE_TOO_MANY;
		r = read_payload(&c, total - cursor_left(&c), &p, &next);
		if (r != IKE_PARSE_OK)
			return r;
		if (!ike_payload_known(type)) {
			if (p.critical) {
				out->bad_type = type;
				return IKE_PARSE_CRITICAL;
			}
			out->skipped++;
		} else {
			out->pl[out->n++] = p;
			if (is_sk(type))
				return take_sk(out, &c, inner, next);
		}
		type = next;
	}
	return cursor_left(&c) ? IKE_PARSE_TRAILING : IKE_PARSE_OK;
}

static enum ike_parse check_header(const struct ike_hdr *h, size_t len)
{
	if (h->version >> 4 != IKE_VERSION_MAJOR)
		return IKE_PARSE_VERSION;
	if (!ike_exchange_known(h->exchange))
		return IKE_PARSE_EXCHANGE;
	if (h->len != len)
		return IKE_PARSE_LENGTH;
	return IKE_PARSE_OK;
}

enum ike_parse ike_msg_parse(const uint8_t *buf, size_t len,
			     struct ike_msg *out)
{
	struct cursor c = cursor_make(buf, len);
	enum ike_parse r;

	out->buf = buf;
	out->len = len;
	chain_reset(&out->chain);
	if (!read_header(&c, &out->hdr))
		return IKE_PARSE_SHORT;
	if (len > IKE_MSG_MAX)
		return IKE_PARSE_TOO_BIG;
	r = check_header(&out->hdr, len);
	if (r != IKE_PARSE_OK)
		return r;
	return walk(c, len, out->hdr.next, false, &out->chain);
}

enum ike_parse ike_inner_parse(const uint8_t *buf, size_t len, uint8_t first,
			       struct ike_chain *out)
{
	return walk(cursor_make(buf, len), len, first, true, out);
}

int ike_chain_find(const struct ike_chain *c, uint8_t type, unsigned from)
{
	unsigned i;

	for (i = from; i < c->n; i++)
		if (c->pl[i].type == type)
			return (int)i;
	return -1;
}

enum ike_parse ike_sk_locate(const struct ike_msg *m, size_t iv_len,
			     size_t icv_len, size_t block,
			     struct ike_sk_layout *out)
{
	const struct ike_payload *p;
	size_t body_off, body_len, fixed = 0;

	if (m->chain.sk < 0)
		return IKE_PARSE_NO_SK;
	p = &m->chain.pl[m->chain.sk];
	if (p->type == IKE_PL_SKF)
		fixed = IKE_SKF_HDR_LEN;
	body_off = p->off + IKE_PAYLOAD_HDR_LEN;
	body_len = cursor_left(&p->body);
	if (iv_len > IKE_MSG_MAX || icv_len > IKE_MSG_MAX ||
	    body_len < fixed + iv_len + icv_len + 1)
		return IKE_PARSE_SK_SHORT;
	out->aad_len = out->iv_off = body_off + fixed;
	out->iv_len = iv_len;
	out->ct_off = out->iv_off + iv_len;
	out->ct_len = body_len - fixed - iv_len - icv_len;
	out->icv_off = out->ct_off + out->ct_len;
	out->icv_len = icv_len;
	if (block > 1 && out->ct_len % block)
		return IKE_PARSE_SK_ALIGN;
	return IKE_PARSE_OK;
}

enum ike_parse ike_sk_unpad(const uint8_t *plain, size_t len,
			    size_t *inner_len)
{
	struct cursor c = cursor_make(plain, len);
	uint8_t pad;

	if (len == 0 || !cursor_peek_u8(&c, len - 1, &pad))
		return IKE_PARSE_PAD;
	if ((size_t)pad + 1 > len)
		return IKE_PARSE_PAD;
	*inner_len = len - pad - 1;
	return IKE_PARSE_OK;
}
