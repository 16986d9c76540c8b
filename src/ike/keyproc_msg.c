/* SPDX-License-Identifier: MIT */
/*
 * The keys-process messages: parsing through the cursor and building
 * (format and status values in ike/keyproc_msg.h).
 */
#include "ike/keyproc_msg.h"

#include <errno.h>
#include <string.h>

#include "ike/authsig.h"
#include "ike/prf.h"
#include "ike/wire.h"
#include "util/bytes.h"
#include "util/secure.h"

struct hdr {
	uint8_t version, type;
	uint32_t id;
};

/* Magic, version, reserved and the body length against the datagram.
 * h->type and h->id are set as soon as they are read. */
static int parse_hdr(struct cursor *c, struct hdr *h)
{
	uint32_t magic, body_len;
	uint16_t reserved;

	if (!cursor_u32(c, &magic) || !cursor_u8(c, &h->version) ||
	    !cursor_u8(c, &h->type) || !cursor_u16(c, &reserved) ||
	    !cursor_u32(c, &h->id) || !cursor_u32(c, &body_len))
		return -EBADMSG;
	if (magic != KEYPROC_MAGIC)
		return -EBADMSG;
	if (h->version != KEYPROC_VERSION)
		return -EPROTONOSUPPORT;
	if (reserved || body_len != cursor_left(c))
		return -EBADMSG;
	return 0;
}

static int parse_auth(struct cursor *c, struct keyproc_req *req)
{
	uint16_t reserved;
	size_t n;

	if (!cursor_u32(c, &req->secret_id) || !cursor_u16(c, &req->prf) ||
	    !cursor_u16(c, &reserved) || reserved)
		return -EBADMSG;
	if (!ike_prf_len((enum ike_prf_alg)req->prf))
		return -EINVAL;
	n = cursor_left(c);
	if (n == 0 || n > KEYPROC_OCTETS_MAX)
		return -EINVAL;
	cursor_sub(c, &req->octets, n);
	return 0;
}

static bool hash_ok(uint16_t hash)
{
	return hash == IKE_HASH_SHA2_256 || hash == IKE_HASH_SHA2_384 ||
	       hash == IKE_HASH_SHA2_512;
}

static int parse_sign(struct cursor *c, struct keyproc_req *req)
{
	uint8_t reserved;
	size_t n;

	if (!cursor_u32(c, &req->secret_id) || !cursor_u16(c, &req->hash) ||
	    !cursor_u8(c, &req->scheme) || !cursor_u8(c, &reserved) ||
	    reserved)
		return -EBADMSG;
	if (!hash_ok(req->hash) || req->scheme < IKE_SIG_ECDSA ||
	    req->scheme > IKE_SIG_RSA_PKCS1)
		return -EINVAL;
	n = cursor_left(c);
	if (n == 0 || n > KEYPROC_OCTETS_MAX)
		return -EINVAL;
	cursor_sub(c, &req->octets, n);
	return 0;
}

/* The bytes of a secret of kind fit it: a shared key is any 1..SECRET_MAX
 * bytes, a key file's path is absolute and holds no NUL. */
static bool secret_bytes_ok(uint8_t kind, const uint8_t *p, size_t len)
{
	if (len < 1 || len > KEYPROC_SECRET_MAX)
		return false;
	if (kind == KEYPROC_KIND_PSK)
		return true;
	return kind == KEYPROC_KIND_KEY_FILE && p[0] == '/' &&
	       !memchr(p, 0, len);
}

bool keyproc_msg_secret_ok(const struct keyproc_secret *s)
{
	return secret_bytes_ok(s->kind, s->bytes, s->len);
}

/* One entry: its fields in range and its id above the last one seen. */
static int parse_entry(struct cursor *c, bool *have_last, uint32_t *last)
{
	const uint8_t *bytes;
	uint8_t kind, reserved;
	uint16_t len;
	uint32_t id;

	if (!cursor_u32(c, &id) || !cursor_u8(c, &kind) ||
	    !cursor_u8(c, &reserved) || !cursor_u16(c, &len) ||
	    !cursor_bytes(c, &bytes, len))
		return -EBADMSG;
	if (reserved)
		return -EBADMSG;
	if (!secret_bytes_ok(kind, bytes, len) || (*have_last && id <= *last))
		return -EINVAL;
	*have_last = true;
	*last = id;
	return 0;
}

static int parse_reload(struct cursor *c, struct keyproc_req *req)
{
	struct cursor all = *c;
	bool have_last = false;
	uint32_t last = 0;
	uint16_t reserved, i;
	int err;

	if (!cursor_u32(c, &req->total) || !cursor_u32(c, &req->first) ||
	    !cursor_u16(c, &req->count) || !cursor_u16(c, &reserved) ||
	    reserved)
		return -EBADMSG;
	if (req->total > KEYPROC_SECRETS_MAX ||
	    req->count > KEYPROC_RELOAD_PART ||
	    req->first > req->total || req->count > req->total - req->first)
		return -EINVAL;
	all = *c;
	for (i = 0; i < req->count; i++) {
		err = parse_entry(c, &have_last, &last);
		if (err)
			return err;
	}
	if (cursor_left(c))
		return -EBADMSG;
	req->entries = all;
	return 0;
}

static int parse_body(struct cursor *c, struct keyproc_req *req)
{
	switch (req->type) {
	case KEYPROC_T_PING:
		return cursor_left(c) ? -EBADMSG : 0;
	case KEYPROC_T_AUTH_PSK:
		return parse_auth(c, req);
	case KEYPROC_T_RELOAD:
		return parse_reload(c, req);
	case KEYPROC_T_SIGN:
		return parse_sign(c, req);
	}
	return -EOPNOTSUPP;
}

static bool type_known(uint8_t type)
{
	return type == KEYPROC_T_PING || type == KEYPROC_T_AUTH_PSK ||
	       type == KEYPROC_T_RELOAD || type == KEYPROC_T_SIGN;
}

int keyproc_msg_parse_request(const uint8_t *p, size_t len,
			      struct keyproc_req *req)
{
	struct cursor c = cursor_make(p, len > KEYPROC_REQ_MAX ?
					 KEYPROC_HDR_LEN : len);
	struct hdr h = { 0 };
	int err;

	memset(req, 0, sizeof(*req));
	err = parse_hdr(&c, &h);
	req->id = h.id;
	req->type = type_known(h.type) ? h.type : KEYPROC_T_NONE;
	if (len > KEYPROC_REQ_MAX)
		return -EMSGSIZE;
	if (err)
		return err;
	if (req->type == KEYPROC_T_NONE)
		return -EOPNOTSUPP;
	return parse_body(&c, req);
}

bool keyproc_msg_next_secret(struct cursor *entries,
			     struct keyproc_secret *out)
{
	uint8_t reserved;
	uint16_t len;

	secure_zero(out, sizeof(*out));
	if (!cursor_u32(entries, &out->id) || !cursor_u8(entries, &out->kind) ||
	    !cursor_u8(entries, &reserved) || !cursor_u16(entries, &len) ||
	    len > KEYPROC_SECRET_MAX || !cursor_copy(entries, out->bytes, len)) {
		secure_zero(out, sizeof(*out));
		return false;
	}
	out->len = len;
	return true;
}

/* The value after a status of 0: an AUTH value of a prf's length, a
 * signature of 1..KEYPROC_SIG_MAX bytes, nothing for the other types. */
static bool value_len_ok(uint8_t type, size_t n)
{
	if (type == KEYPROC_T_SIGN)
		return n >= 1 && n <= KEYPROC_SIG_MAX;
	if (type != KEYPROC_T_AUTH_PSK)
		return n == 0;
	return n == ike_prf_len(IKE_PRF_HMAC_SHA2_256) ||
	       n == ike_prf_len(IKE_PRF_HMAC_SHA2_384) ||
	       n == ike_prf_len(IKE_PRF_HMAC_SHA2_512);
}

int keyproc_msg_parse_reply(const uint8_t *p, size_t len,
			    struct keyproc_reply *r)
{
	struct cursor c = cursor_make(p, len);
	struct hdr h = { 0 };
	uint32_t status;
	int err;

	memset(r, 0, sizeof(*r));
	err = parse_hdr(&c, &h);
	if (err)
		return err;
	if (!(h.type & KEYPROC_REPLY) || !cursor_u32(&c, &status))
		return -EBADMSG;
	r->type = h.type & (uint8_t)~KEYPROC_REPLY;
	r->id = h.id;
	r->status = (int32_t)status;
	if (r->type != KEYPROC_T_NONE && !type_known(r->type))
		return -EBADMSG;
	if (r->status > 0 || (r->status == 0 && r->type == KEYPROC_T_NONE))
		return -EBADMSG;
	if (r->status ? cursor_left(&c) != 0
		      : !value_len_ok(r->type, cursor_left(&c)))
		return -EBADMSG;
	r->auth = c;
	return 0;
}

void keyproc_msg_put_hdr(uint8_t *p, uint8_t type, uint32_t id,
			 uint32_t body_len)
{
	put_be32(p, KEYPROC_MAGIC);
	p[4] = KEYPROC_VERSION;
	p[5] = type;
	put_be16(p + 6, 0);
	put_be32(p + 8, id);
	put_be32(p + 12, body_len);
}

void keyproc_msg_put_auth(uint8_t *p, uint32_t id, uint32_t secret_id,
			  uint16_t prf, size_t octets_len)
{
	keyproc_msg_put_hdr(p, KEYPROC_T_AUTH_PSK, id,
			    (uint32_t)(KEYPROC_AUTH_FIXED + octets_len));
	p += KEYPROC_HDR_LEN;
	put_be32(p, secret_id);
	put_be16(p + 4, prf);
	put_be16(p + 6, 0);
}

void keyproc_msg_put_sign(uint8_t *p, uint32_t id, uint32_t secret_id,
			  uint16_t hash, uint8_t scheme, size_t octets_len)
{
	keyproc_msg_put_hdr(p, KEYPROC_T_SIGN, id,
			    (uint32_t)(KEYPROC_SIGN_FIXED + octets_len));
	p += KEYPROC_HDR_LEN;
	put_be32(p, secret_id);
	put_be16(p + 4, hash);
	p[6] = scheme;
	p[7] = 0;
}

/* The length of a RELOAD of s[0..count-1]; SIZE_MAX when an entry is
 * longer than a secret can be. */
static size_t reload_len(const struct keyproc_secret *s, unsigned count)
{
	size_t n = KEYPROC_HDR_LEN + KEYPROC_RELOAD_FIXED;
	unsigned i;

	for (i = 0; i < count; i++) {
		if (s[i].len > KEYPROC_SECRET_MAX)
			return SIZE_MAX;
		n += KEYPROC_ENTRY_FIXED + s[i].len;
	}
	return n;
}

int keyproc_msg_build_reload(uint8_t *p, size_t cap, uint32_t id,
			     uint32_t total, uint32_t first,
			     const struct keyproc_secret *s, unsigned count)
{
	size_t n = reload_len(s, count), off;
	unsigned i;

	if (n > cap || count > UINT16_MAX) {
		secure_zero(p, cap);
		return -ENOSPC;
	}
	keyproc_msg_put_hdr(p, KEYPROC_T_RELOAD, id,
			    (uint32_t)(n - KEYPROC_HDR_LEN));
	off = KEYPROC_HDR_LEN;
	put_be32(p + off, total);
	put_be32(p + off + 4, first);
	put_be16(p + off + 8, (uint16_t)count);
	put_be16(p + off + 10, 0);
	off += KEYPROC_RELOAD_FIXED;
	for (i = 0; i < count; i++) {
		put_be32(p + off, s[i].id);
		p[off + 4] = s[i].kind;
		p[off + 5] = 0;
		put_be16(p + off + 6, (uint16_t)s[i].len);
		memcpy(p + off + KEYPROC_ENTRY_FIXED, s[i].bytes, s[i].len);
		off += KEYPROC_ENTRY_FIXED + s[i].len;
	}
	return (int)n;
}

int keyproc_msg_build_reply(uint8_t *p, size_t cap, uint8_t type,
			    uint32_t id, int32_t status, const uint8_t *auth,
			    size_t auth_len)
{
	size_t n = KEYPROC_HDR_LEN + KEYPROC_STATUS_LEN + auth_len;

	if (n > cap)
		return -ENOSPC;
	keyproc_msg_put_hdr(p, (uint8_t)(type | KEYPROC_REPLY), id,
			    (uint32_t)(n - KEYPROC_HDR_LEN));
	put_be32(p + KEYPROC_HDR_LEN, (uint32_t)status);
	if (auth_len)
		memcpy(p + KEYPROC_HDR_LEN + KEYPROC_STATUS_LEN, auth,
		       auth_len);
	return (int)n;
}
