/* SPDX-License-Identifier: MIT */
/*
 * Stateless cookies (RFC 7296 §2.6) and the half-open bound per source;
 * the format and the policy are described in cookie.h.
 */
#include <errno.h>
#include <string.h>

#include "ike/cookie.h"
#include "ike/ikesa.h"
#include "util/bytes.h"
#include "util/cursor.h"
#include "util/secure.h"

/* Replace the current secret when its time is up: it becomes the previous
 * one for one more period, on the same schedule, so no cookie lives past
 * two periods (after a longer quiet time none of the old ones is kept).
 * The first call makes the first secret. */
static void refresh(struct ike *ike)
{
	struct ike_cookie_secrets *s = &ike->cookie;
	uint64_t now = ike_now(ike);

	if (s->have_cur && now < s->change_at)
		return;
	if (s->have_cur && now - s->change_at < IKE_COOKIE_SECRET_MS) {
		memcpy(s->prev, s->cur, sizeof(s->prev));
		s->have_prev = true;
		s->change_at += IKE_COOKIE_SECRET_MS;
	} else {
		secure_zero(s->prev, sizeof(s->prev));
		s->have_prev = false;
		s->change_at = now + IKE_COOKIE_SECRET_MS;
	}
	ike->env.random(ike->env.ctx, s->cur, sizeof(s->cur));
	s->version++;
	s->have_cur = true;
}

/* The MAC of req under secret, with the cookie's version byte. */
static int mac(const uint8_t *secret, uint8_t version,
	       const struct ike_cookie_req *req,
	       uint8_t out[IKE_COOKIE_MAC_LEN])
{
	uint8_t head[1 + 1 + 8 + 2], full[32];
	struct ike_bytes in[3];
	int err;

	if (req->ni_len < IKE_NONCE_MIN || req->ni_len > IKE_NONCE_MAX ||
	    (req->ip.family != AF_INET && req->ip.family != AF_INET6))
		return -EINVAL;
	head[0] = version;
	head[1] = req->ip.family == AF_INET ? 4 : 6;
	put_be64(head + 2, req->spi_i);
	put_be16(head + 10, (uint16_t)req->ni_len);
	in[0] = (struct ike_bytes){ head, sizeof(head) };
	in[1] = (struct ike_bytes){ req->ni, req->ni_len };
	in[2] = (struct ike_bytes){ req->ip.bytes, addr_len(req->ip.family) };
	err = ike_prf(IKE_PRF_HMAC_SHA2_256, secret, IKE_COOKIE_SECRET_LEN, in,
		      3, full);
	memcpy(out, full, IKE_COOKIE_MAC_LEN);
	secure_zero(full, sizeof(full));
	return err;
}

int ike_cookie_make(struct ike *ike, const struct ike_cookie_req *req,
		    uint8_t out[IKE_COOKIE_LEN])
{
	int err;

	refresh(ike);
	out[0] = ike->cookie.version;
	err = mac(ike->cookie.cur, ike->cookie.version, req, out + 1);
	if (err)
		secure_zero(out, IKE_COOKIE_LEN);
	return err;
}

bool ike_cookie_verify(struct ike *ike, const struct ike_cookie_req *req,
		       const uint8_t *cookie, size_t len)
{
	struct cursor c = cursor_make(cookie, len);
	const uint8_t *secret = NULL, *got;
	uint8_t version, want[IKE_COOKIE_MAC_LEN];
	bool ok;

	if (len != IKE_COOKIE_LEN || !cursor_u8(&c, &version) ||
	    !cursor_bytes(&c, &got, IKE_COOKIE_MAC_LEN))
		return false;
	refresh(ike);
	if (version == ike->cookie.version)
		secret = ike->cookie.cur;
	else if (ike->cookie.have_prev &&
		 version == (uint8_t)(ike->cookie.version - 1))
		secret = ike->cookie.prev;
	if (!secret || mac(secret, version, req, want))
		return false;
	ok = ct_equal(want, got, sizeof(want));
	secure_zero(want, sizeof(want));
	return ok;
}

unsigned ike_cookie_half_open_from(const struct ike *ike,
				   const struct ip_addr *ip)
{
	const struct ike_sa *sa;
	unsigned n = 0;

	for (sa = ike->sas; sa; sa = sa->next)
		if (!sa->initiator && sa->state == IKE_S_INIT_DONE &&
		    addr_equal(&sa->remote.addr, ip))
			n++;
	return n;
}

/* Whether m carries a cookie for req: a COOKIE notification that is the
 * first payload (§2.6) and verifies. One present otherwise is counted. */
static bool has_valid_cookie(struct ike *ike, const struct ike_msg *m,
			     const struct ike_cookie_req *req)
{
	struct ike_notify n;
	int at = -1;
	unsigned i;

	for (i = 0; i < m->chain.n && at < 0; i++)
		if (m->chain.pl[i].type == IKE_PL_NOTIFY &&
		    ike_decode_notify(m->chain.pl[i].body, &n) ==
			    IKE_PARSE_OK &&
		    n.type == IKE_N_COOKIE)
			at = (int)i;
	if (at < 0)
		return false;
	if (at == 0 && ike_cookie_verify(ike, req, n.data, n.len))
		return true;
	ike->stats.cookies_bad++;
	return false;
}

/* Answer m with N(COOKIE) alone: HDR(SPIi, 0), N(COOKIE) (§2.6). */
static void send_cookie(struct ike *ike, const struct ike_msg *m,
			const struct ike_endpoint *local,
			const struct ike_endpoint *remote,
			const struct ike_cookie_req *req)
{
	uint8_t cookie[IKE_COOKIE_LEN], buf[128];
	struct ike_notify n = { .type = IKE_N_COOKIE, .data = cookie,
				.len = sizeof(cookie) };
	struct ike_hdr h = {
		.spi_i = m->hdr.spi_i, .exchange = IKE_EXCH_SA_INIT,
		.flags = IKE_FLAG_RESPONSE, .msg_id = 0,
	};
	struct ike_writer w;
	int len;

	if (ike_cookie_make(ike, req, cookie))
		return;
	ike_writer_init(&w, buf, sizeof(buf), &h);
	ike_put_notify(&w, &n);
	len = ike_writer_finish(&w);
	if (len > 0) {
		ike_send_raw(ike, local, remote, buf, (size_t)len);
		ike->stats.cookies_sent++;
	}
}

bool ike_cookie_admit(struct ike *ike, const struct ike_msg *m,
		      const struct ike_endpoint *local,
		      const struct ike_endpoint *remote,
		      const struct ike_cookie_req *req)
{
	bool proven = has_valid_cookie(ike, m, req);
	unsigned from;

	/* Under load the source is not even counted without a cookie. */
	if (!proven && ike->half_open >= IKE_COOKIE_THRESHOLD) {
		send_cookie(ike, m, local, remote, req);
		return false;
	}
	from = ike_cookie_half_open_from(ike, &remote->addr);
	if (!proven && from >= IKE_COOKIE_PER_SOURCE) {
		send_cookie(ike, m, local, remote, req);
		return false;
	}
	if (from >= IKE_HALF_OPEN_PER_SOURCE) {
		ike_count_drop(ike, IKE_DROP_HALF_OPEN);
		return false;
	}
	return true;
}
