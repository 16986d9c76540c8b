/* SPDX-License-Identifier: MIT */
/*
 * The IKE message writer (ike/msg.h): header, payload chaining, lengths and
 * the Encrypted payload's framing (RFC 7296 §3.14, RFC 7383 §2.5). Every
 * write is preceded by a check that it fits in w->cap, which never exceeds
 * the caller's buffer nor IKE_MSG_MAX, so every length fits its field.
 */
#include "ike/build.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "util/bytes.h"

#define HDR_OFF_NEXT 16
#define HDR_OFF_LEN 24
#define NO_LINK SIZE_MAX     /* no payload may be put here */

int ike_w_fail(struct ike_writer *w, int err)
{
	if (!w->err)
		w->err = err;
	return w->err;
}

uint8_t *ike_w_room(struct ike_writer *w, size_t n)
{
	uint8_t *p;

	if (w->err)
		return NULL;
	if (w->cap - w->len < n) {
		ike_w_fail(w, -ENOSPC);
		return NULL;
	}
	p = w->buf + w->len;
	w->len += n;
	return p;
}

int ike_w_bytes(struct ike_writer *w, const void *p, size_t n)
{
	uint8_t *d = ike_w_room(w, n);

	if (!d)
		return w->err;
	if (n)
		memcpy(d, p, n);
	return 0;
}

int ike_w_zeros(struct ike_writer *w, size_t n)
{
	uint8_t *d = ike_w_room(w, n);

	if (!d)
		return w->err;
	memset(d, 0, n);
	return 0;
}

int ike_w_u8(struct ike_writer *w, uint8_t v)
{
	return ike_w_bytes(w, &v, 1);
}

int ike_w_u16(struct ike_writer *w, uint16_t v)
{
	uint8_t *d = ike_w_room(w, 2);

	if (!d)
		return w->err;
	put_be16(d, v);
	return 0;
}

int ike_w_open(struct ike_writer *w, uint8_t type, bool critical)
{
	size_t off = w->len;
	uint8_t *h;

	if (w->err)
		return w->err;
	if (w->sealed || w->link == NO_LINK || type == IKE_PL_NONE)
		return ike_w_fail(w, -EINVAL);
	if (w->payloads >= IKE_PAYLOADS_MAX)
		return ike_w_fail(w, -E2BIG);
	h = ike_w_room(w, IKE_PAYLOAD_HDR_LEN);
	if (!h)
		return w->err;
	h[0] = IKE_PL_NONE;
	h[1] = critical ? IKE_PAYLOAD_CRITICAL : 0;
	put_be16(h + 2, IKE_PAYLOAD_HDR_LEN);
	w->buf[w->link] = type;
	w->link = off;
	w->open = off;
	w->payloads++;
	return 0;
}

int ike_w_close(struct ike_writer *w)
{
	if (w->err)
		return w->err;
	put_be16(w->buf + w->open + 2, (uint16_t)(w->len - w->open));
	return 0;
}

int ike_writer_init(struct ike_writer *w, void *buf, size_t size,
		    const struct ike_hdr *h)
{
	memset(w, 0, sizeof(*w));
	w->buf = buf;
	w->cap = size < IKE_MSG_MAX ? size : IKE_MSG_MAX;
	if (w->cap < IKE_HDR_LEN) {
		w->cap = 0;
		w->link = NO_LINK;
		return ike_w_fail(w, -ENOSPC);
	}
	if (!ike_exchange_known(h->exchange)) {
		w->link = NO_LINK;
		return ike_w_fail(w, -EINVAL);
	}
	put_be64(w->buf, h->spi_i);
	put_be64(w->buf + 8, h->spi_r);
	w->buf[HDR_OFF_NEXT] = IKE_PL_NONE;
	w->buf[17] = IKE_VERSION;
	w->buf[18] = h->exchange;
	w->buf[19] = h->flags;
	put_be32(w->buf + 20, h->msg_id);
	put_be32(w->buf + HDR_OFF_LEN, IKE_HDR_LEN);
	w->len = IKE_HDR_LEN;
	w->link = HDR_OFF_NEXT;
	return 0;
}

int ike_writer_finish(struct ike_writer *w)
{
	if (w->err)
		return w->err;
	if (w->sk_off)
		return ike_w_fail(w, -EINVAL);
	put_be32(w->buf + HDR_OFF_LEN, (uint32_t)w->len);
	return (int)w->len;
}

int ike_put_raw(struct ike_writer *w, uint8_t type, bool critical,
		const void *body, size_t len)
{
	if (!w->err && (type == IKE_PL_SK || type == IKE_PL_SKF))
		return ike_w_fail(w, -EINVAL);
	if (ike_w_open(w, type, critical) || ike_w_bytes(w, body, len))
		return w->err;
	return ike_w_close(w);
}

/* Common to SK and SKF: the payload is open and its fixed fields written;
 * reserve the IV and remember where the plaintext starts. */
static int sk_reserve_iv(struct ike_writer *w, size_t iv_len)
{
	if (ike_w_zeros(w, iv_len))
		return w->err;
	w->sk_off = w->open;
	w->iv_len = iv_len;
	w->ct_off = w->len;
	return 0;
}

int ike_sk_begin(struct ike_writer *w, size_t iv_len)
{
	if (!w->err && w->sk_off)
		return ike_w_fail(w, -EINVAL);
	if (ike_w_open(w, IKE_PL_SK, false) || sk_reserve_iv(w, iv_len))
		return w->err;
	w->payloads = 0;             /* the inner chain is counted anew */
	return 0;
}

int ike_skf_begin(struct ike_writer *w, uint16_t number, uint16_t total,
		  uint8_t first, size_t iv_len)
{
	if (!w->err && (w->sk_off || number == 0 || number > total))
		return ike_w_fail(w, -EINVAL);
	if (ike_w_open(w, IKE_PL_SKF, false) || ike_w_u16(w, number) ||
	    ike_w_u16(w, total) || sk_reserve_iv(w, iv_len))
		return w->err;
	w->buf[w->sk_off] = first;
	w->link = NO_LINK;           /* the content is a slice, not payloads */
	return 0;
}

int ike_sk_put_data(struct ike_writer *w, const void *data, size_t len)
{
	if (!w->err && !w->sk_off)
		return ike_w_fail(w, -EINVAL);
	return ike_w_bytes(w, data, len);
}

/* Padding, pad length and ICV room (§3.14). */
static int sk_trailer(struct ike_writer *w, size_t block, size_t icv_len)
{
	size_t plain = w->len - w->ct_off + 1;
	size_t pad = (block - plain % block) % block;
	uint8_t *p = ike_w_room(w, pad + 1);

	if (!p)
		return w->err;
	memset(p, 0, pad);
	p[pad] = (uint8_t)pad;
	return ike_w_zeros(w, icv_len);
}

int ike_sk_end(struct ike_writer *w, size_t block, size_t icv_len,
	       struct ike_sk_layout *out)
{
	if (w->err)
		return w->err;
	if (block == 0)
		block = 1;
	if (!w->sk_off || block > 256)
		return ike_w_fail(w, -EINVAL);
	if (sk_trailer(w, block, icv_len))
		return w->err;
	put_be16(w->buf + w->sk_off + 2, (uint16_t)(w->len - w->sk_off));
	if (out) {
		out->aad_len = out->iv_off = w->ct_off - w->iv_len;
		out->iv_len = w->iv_len;
		out->ct_off = w->ct_off;
		out->icv_len = icv_len;
		out->icv_off = w->len - icv_len;
		out->ct_len = out->icv_off - w->ct_off;
	}
	w->sk_off = 0;
	w->sealed = true;
	w->link = NO_LINK;
	return ike_writer_finish(w);
}
