/* SPDX-License-Identifier: MIT */
/*
 * The simple IKEv2 payloads, decoded and built: KE (RFC 7296 §3.4), ID
 * (§3.5), CERT and CERTREQ (§3.6, §3.7), AUTH (§3.8, RFC 7427 §3), Nonce
 * (§3.9), Notify (§3.10), Delete (§3.11), Vendor ID (§3.12) and the
 * fragment fields of SKF (RFC 7383 §2.5). The checks each decoder makes are
 * listed in ike/msg.h; each builder refuses exactly the values its decoder
 * would, so what is built decodes to what was given.
 */
#include "ike/build.h"

#include <errno.h>

#define RESERVED3 3  /* bytes of RESERVED after a one-byte type field */

/* The rest of the body as (data, len). */
static void take_rest(struct cursor *c, const uint8_t **data, size_t *len)
{
	*len = cursor_left(c);
	cursor_bytes(c, data, *len);
}

/* A one-byte type, three reserved bytes (ignored, §3.2) and data: the
 * layout of ID and AUTH. */
static enum ike_parse type_and_data(struct cursor c, uint8_t *type,
				    const uint8_t **data, size_t *len)
{
	if (!cursor_u8(&c, type) || !cursor_skip(&c, RESERVED3))
		return IKE_PARSE_BODY_SHORT;
	take_rest(&c, data, len);
	return IKE_PARSE_OK;
}

static int put_type_and_data(struct ike_writer *w, uint8_t pl, uint8_t type,
			     const uint8_t *data, size_t len)
{
	if (ike_w_open(w, pl, false) || ike_w_u8(w, type) ||
	    ike_w_zeros(w, RESERVED3) || ike_w_bytes(w, data, len))
		return w->err;
	return ike_w_close(w);
}

/* ---- KE ---- */

enum ike_parse ike_decode_ke(struct cursor body, struct ike_ke *out)
{
	if (!cursor_u16(&body, &out->group) || !cursor_skip(&body, 2))
		return IKE_PARSE_BODY_SHORT;
	take_rest(&body, &out->data, &out->len);
	return out->len ? IKE_PARSE_OK : IKE_PARSE_EMPTY;
}

int ike_put_ke(struct ike_writer *w, const struct ike_ke *ke)
{
	if (!w->err && !ke->len)
		return ike_w_fail(w, -EINVAL);
	if (ike_w_open(w, IKE_PL_KE, false) || ike_w_u16(w, ke->group) ||
	    ike_w_zeros(w, 2) || ike_w_bytes(w, ke->data, ke->len))
		return w->err;
	return ike_w_close(w);
}

/* ---- ID ---- */

static enum ike_parse check_id(uint8_t type, size_t len)
{
	switch (type) {
	case IKE_ID_IPV4_ADDR:
		return len == 4 ? IKE_PARSE_OK : IKE_PARSE_ID_LEN;
	case IKE_ID_IPV6_ADDR:
		return len == 16 ? IKE_PARSE_OK : IKE_PARSE_ID_LEN;
	case IKE_ID_FQDN:
	case IKE_ID_RFC822_ADDR:
	case IKE_ID_DER_ASN1_DN:
	case IKE_ID_DER_ASN1_GN:
	case IKE_ID_KEY_ID:
		return len ? IKE_PARSE_OK : IKE_PARSE_EMPTY;
	}
	return IKE_PARSE_OK;
}

enum ike_parse ike_decode_id(struct cursor body, struct ike_id *out)
{
	enum ike_parse r = type_and_data(body, &out->type, &out->data,
					 &out->len);

	return r != IKE_PARSE_OK ? r : check_id(out->type, out->len);
}

int ike_put_id(struct ike_writer *w, uint8_t type, const struct ike_id *id)
{
	if (!w->err && ((type != IKE_PL_IDI && type != IKE_PL_IDR) ||
			check_id(id->type, id->len) != IKE_PARSE_OK))
		return ike_w_fail(w, -EINVAL);
	return put_type_and_data(w, type, id->type, id->data, id->len);
}

/* ---- CERT, CERTREQ ---- */

static enum ike_parse decode_cert(struct cursor body, struct ike_cert *out)
{
	if (!cursor_u8(&body, &out->encoding))
		return IKE_PARSE_BODY_SHORT;
	take_rest(&body, &out->data, &out->len);
	return IKE_PARSE_OK;
}

static enum ike_parse check_cert(uint8_t pl, const struct ike_cert *c)
{
	if (pl == IKE_PL_CERT)
		return c->len ? IKE_PARSE_OK : IKE_PARSE_EMPTY;
	if (c->encoding == IKE_CERT_X509_SIG && c->len % IKE_CERT_HASH_LEN)
		return IKE_PARSE_CERT_HASH;
	return IKE_PARSE_OK;
}

enum ike_parse ike_decode_cert(struct cursor body, struct ike_cert *out)
{
	enum ike_parse r = decode_cert(body, out);

	return r != IKE_PARSE_OK ? r : check_cert(IKE_PL_CERT, out);
}

enum ike_parse ike_decode_certreq(struct cursor body, struct ike_cert *out)
{
	enum ike_parse r = decode_cert(body, out);

	return r != IKE_PARSE_OK ? r : check_cert(IKE_PL_CERTREQ, out);
}

int ike_put_cert(struct ike_writer *w, uint8_t type, const struct ike_cert *c)
{
	if (!w->err && ((type != IKE_PL_CERT && type != IKE_PL_CERTREQ) ||
			check_cert(type, c) != IKE_PARSE_OK))
		return ike_w_fail(w, -EINVAL);
	if (ike_w_open(w, type, false) || ike_w_u8(w, c->encoding) ||
	    ike_w_bytes(w, c->data, c->len))
		return w->err;
	return ike_w_close(w);
}

/* ---- AUTH ---- */

enum ike_parse ike_decode_auth_sig(const struct ike_auth *a,
				   struct ike_auth_sig *out)
{
	struct cursor c = cursor_make(a->data, a->len);
	uint8_t alg_len;

	if (!cursor_u8(&c, &alg_len) || alg_len == 0 ||
	    !cursor_bytes(&c, &out->alg, alg_len) || !cursor_left(&c))
		return IKE_PARSE_AUTH_SIG;
	out->alg_len = alg_len;
	take_rest(&c, &out->sig, &out->sig_len);
	return IKE_PARSE_OK;
}

static enum ike_parse check_auth(const struct ike_auth *a)
{
	struct ike_auth_sig sig;

	if (!a->len)
		return IKE_PARSE_EMPTY;
	if (a->method == IKE_AM_DIGITAL_SIGNATURE)
		return ike_decode_auth_sig(a, &sig);
	return IKE_PARSE_OK;
}

enum ike_parse ike_decode_auth(struct cursor body, struct ike_auth *out)
{
	enum ike_parse r = type_and_data(body, &out->method, &out->data,
					 &out->len);

	return r != IKE_PARSE_OK ? r : check_auth(out);
}

int ike_put_auth(struct ike_writer *w, const struct ike_auth *a)
{
	if (!w->err && check_auth(a) != IKE_PARSE_OK)
		return ike_w_fail(w, -EINVAL);
	return put_type_and_data(w, IKE_PL_AUTH, a->method, a->data, a->len);
}

int ike_put_auth_sig(struct ike_writer *w, const struct ike_auth_sig *s)
{
	if (!w->err && (s->alg_len == 0 || s->alg_len > UINT8_MAX ||
			s->sig_len == 0))
		return ike_w_fail(w, -EINVAL);
	if (ike_w_open(w, IKE_PL_AUTH, false) ||
	    ike_w_u8(w, IKE_AM_DIGITAL_SIGNATURE) ||
	    ike_w_zeros(w, RESERVED3) || ike_w_u8(w, (uint8_t)s->alg_len) ||
	    ike_w_bytes(w, s->alg, s->alg_len) ||
	    ike_w_bytes(w, s->sig, s->sig_len))
		return w->err;
	return ike_w_close(w);
}

/* ---- Nonce ---- */

static bool nonce_len_ok(size_t len)
{
	return len >= IKE_NONCE_MIN && len <= IKE_NONCE_MAX;
}

enum ike_parse ike_decode_nonce(struct cursor body, const uint8_t **nonce,
				size_t *len)
{
	take_rest(&body, nonce, len);
	return nonce_len_ok(*len) ? IKE_PARSE_OK : IKE_PARSE_NONCE_LEN;
}

int ike_put_nonce(struct ike_writer *w, const uint8_t *nonce, size_t len)
{
	if (!w->err && !nonce_len_ok(len))
		return ike_w_fail(w, -EINVAL);
	return ike_put_raw(w, IKE_PL_NONCE, false, nonce, len);
}

/* ---- Notify ---- */

/* Data lengths the RFCs fix for some types (§2.6, §2.23, §3.10.1, RFC 7427
 * §4); other types are opaque here. */
static bool notify_len_ok(uint16_t type, size_t len)
{
	switch (type) {
	case IKE_N_COOKIE:
		return len >= IKE_COOKIE_MIN && len <= IKE_COOKIE_MAX;
	case IKE_N_NAT_DETECTION_SOURCE_IP:
	case IKE_N_NAT_DETECTION_DESTINATION_IP:
		return len == IKE_NATD_HASH_LEN;
	case IKE_N_INVALID_KE_PAYLOAD:
		return len == 2;
	case IKE_N_SIGNATURE_HASH_ALGORITHMS:
		return len && len % 2 == 0;
	}
	return true;
}

static enum ike_parse check_notify(const struct ike_notify *n)
{
	if (!ike_spi_size_ok(n->spi_size))
		return IKE_PARSE_SPI_SIZE;
	if (n->spi_size && !ike_proto_ok(n->protocol))
		return IKE_PARSE_PROTOCOL;
	if (!notify_len_ok(n->type, n->len))
		return IKE_PARSE_NOTIFY_DATA;
	return IKE_PARSE_OK;
}

enum ike_parse ike_decode_notify(struct cursor body, struct ike_notify *out)
{
	if (!cursor_u8(&body, &out->protocol) ||
	    !cursor_u8(&body, &out->spi_size) || !cursor_u16(&body, &out->type))
		return IKE_PARSE_BODY_SHORT;
	if (!ike_spi_size_ok(out->spi_size))
		return IKE_PARSE_SPI_SIZE;
	if (!cursor_copy(&body, out->spi, out->spi_size))
		return IKE_PARSE_BODY_SHORT;
	take_rest(&body, &out->data, &out->len);
	return check_notify(out);
}

int ike_put_notify(struct ike_writer *w, const struct ike_notify *n)
{
	if (!w->err && check_notify(n) != IKE_PARSE_OK)
		return ike_w_fail(w, -EINVAL);
	if (ike_w_open(w, IKE_PL_NOTIFY, false) || ike_w_u8(w, n->protocol) ||
	    ike_w_u8(w, n->spi_size) || ike_w_u16(w, n->type) ||
	    ike_w_bytes(w, n->spi, n->spi_size) ||
	    ike_w_bytes(w, n->data, n->len))
		return w->err;
	return ike_w_close(w);
}

/* ---- Delete ---- */

static enum ike_parse check_delete(uint8_t proto, uint8_t spi_size)
{
	if (!ike_proto_ok(proto))
		return IKE_PARSE_PROTOCOL;
	if (spi_size != (proto == IKE_PROTO_IKE ? 0 : 4))
		return IKE_PARSE_SPI_SIZE;
	return IKE_PARSE_OK;
}

enum ike_parse ike_decode_delete(struct cursor body, struct ike_delete *out)
{
	enum ike_parse r;

	if (!cursor_u8(&body, &out->protocol) ||
	    !cursor_u8(&body, &out->spi_size) ||
	    !cursor_u16(&body, &out->count))
		return IKE_PARSE_BODY_SHORT;
	r = check_delete(out->protocol, out->spi_size);
	if (r != IKE_PARSE_OK)
		return r;
	if (cursor_left(&body) != (size_t)out->count * out->spi_size)
		return IKE_PARSE_DELETE_COUNT;
	cursor_bytes(&body, &out->spis, cursor_left(&body));
	return IKE_PARSE_OK;
}

int ike_put_delete(struct ike_writer *w, const struct ike_delete *d)
{
	if (!w->err && check_delete(d->protocol, d->spi_size) != IKE_PARSE_OK)
		return ike_w_fail(w, -EINVAL);
	if (ike_w_open(w, IKE_PL_DELETE, false) || ike_w_u8(w, d->protocol) ||
	    ike_w_u8(w, d->spi_size) || ike_w_u16(w, d->count) ||
	    ike_w_bytes(w, d->spis, (size_t)d->count * d->spi_size))
		return w->err;
	return ike_w_close(w);
}

/* ---- Vendor ID ---- */

enum ike_parse ike_decode_vendor(struct cursor body, const uint8_t **data,
				 size_t *len)
{
	take_rest(&body, data, len);
	return IKE_PARSE_OK;
}

int ike_put_vendor(struct ike_writer *w, const uint8_t *data, size_t len)
{
	return ike_put_raw(w, IKE_PL_VENDOR, false, data, len);
}

/* ---- SKF fragment fields ---- */

enum ike_parse ike_decode_skf(struct cursor body, struct ike_skf *out)
{
	if (!cursor_u16(&body, &out->number) || !cursor_u16(&body, &out->total))
		return IKE_PARSE_BODY_SHORT;
	if (out->number == 0 || out->number > out->total)
		return IKE_PARSE_SKF_NUMBER;
	return IKE_PARSE_OK;
}
