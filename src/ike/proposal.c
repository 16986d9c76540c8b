/* SPDX-License-Identifier: MIT */
#include "ike/proposal.h"

#include <errno.h>
#include <string.h>

#include "ike/wire.h"

#define KIND_IKE 0x1
#define KIND_ESP 0x2
#define KIND_BOTH (KIND_IKE | KIND_ESP)

/* The configuration's algorithm names: the one table. key is the Key
 * Length attribute in bits (RFC 7296 §3.3.5), 0 for ciphers of one key
 * length (ChaCha20-Poly1305 takes no attribute, RFC 7634 §2) and for the
 * other transform types. */
struct token {
	const char *name;
	uint8_t type;
	uint16_t id;
	uint16_t key;
	uint8_t kinds;
};

static const struct token tokens[] = {
	{ "aes128", IKE_XF_ENCR, IKE_TF_ENCR_AES_CBC, 128, KIND_IKE },
	{ "aes256", IKE_XF_ENCR, IKE_TF_ENCR_AES_CBC, 256, KIND_IKE },
	{ "aes128gcm16", IKE_XF_ENCR, IKE_TF_ENCR_AES_GCM_16, 128, KIND_BOTH },
	{ "aes256gcm16", IKE_XF_ENCR, IKE_TF_ENCR_AES_GCM_16, 256, KIND_BOTH },
	{ "aes128ccm8", IKE_XF_ENCR, IKE_TF_ENCR_AES_CCM_8, 128, KIND_ESP },
	{ "aes128ccm16", IKE_XF_ENCR, IKE_TF_ENCR_AES_CCM_16, 128, KIND_ESP },
	{ "chacha20poly1305", IKE_XF_ENCR, IKE_TF_ENCR_CHACHA20_POLY1305, 0,
	  KIND_BOTH },
	{ "null", IKE_XF_ENCR, IKE_TF_ENCR_NULL, 0, KIND_ESP },
	{ "sha256", IKE_XF_INTEG, IKE_TF_INTEG_HMAC_SHA2_256_128, 0, KIND_BOTH },
	{ "sha384", IKE_XF_INTEG, IKE_TF_INTEG_HMAC_SHA2_384_192, 0, KIND_IKE },
	{ "sha512", IKE_XF_INTEG, IKE_TF_INTEG_HMAC_SHA2_512_256, 0, KIND_IKE },
	{ "prfsha256", IKE_XF_PRF, IKE_TF_PRF_HMAC_SHA2_256, 0, KIND_IKE },
	{ "prfsha384", IKE_XF_PRF, IKE_TF_PRF_HMAC_SHA2_384, 0, KIND_IKE },
	{ "prfsha512", IKE_XF_PRF, IKE_TF_PRF_HMAC_SHA2_512, 0, KIND_IKE },
	{ "modp2048", IKE_XF_DH, IKE_TF_DH_MODP_2048, 0, KIND_BOTH },
	{ "ecp256", IKE_XF_DH, IKE_TF_DH_ECP_256, 0, KIND_BOTH },
	{ "ecp384", IKE_XF_DH, IKE_TF_DH_ECP_384, 0, KIND_BOTH },
	{ "x25519", IKE_XF_DH, IKE_TF_DH_CURVE25519, 0, KIND_BOTH },
	{ "curve25519", IKE_XF_DH, IKE_TF_DH_CURVE25519, 0, KIND_BOTH },
	{ "esn", IKE_XF_ESN, IKE_TF_ESN_YES, 0, KIND_ESP },
	{ "noesn", IKE_XF_ESN, IKE_TF_ESN_NO, 0, KIND_ESP },
};

#define NTOKENS (sizeof(tokens) / sizeof(tokens[0]))

/* A parse failure: the reason and the token it names (may be empty). */
struct perr {
	const char *why;
	const char *tok;
	size_t len;
};

static int refuse(struct perr *e, const char *why, const char *tok,
		  size_t len)
{
	e->why = why;
	e->tok = tok;
	e->len = len;
	return -EINVAL;
}

/* Combined-mode ciphers: integrity is built in (RFC 5282 §8, RFC 4543). */
static bool encr_is_aead(uint16_t id)
{
	switch (id) {
	case IKE_TF_ENCR_AES_CCM_8:
	case IKE_TF_ENCR_AES_CCM_12:
	case IKE_TF_ENCR_AES_CCM_16:
	case IKE_TF_ENCR_AES_GCM_8:
	case IKE_TF_ENCR_AES_GCM_12:
	case IKE_TF_ENCR_AES_GCM_16:
	case IKE_TF_ENCR_NULL_AUTH_AES_GMAC:
	case IKE_TF_ENCR_CHACHA20_POLY1305:
		return true;
	}
	return false;
}

/* The prf over the same hash as an HMAC integrity algorithm, 0 if none. */
static uint16_t integ_prf(uint16_t integ)
{
	switch (integ) {
	case IKE_TF_INTEG_HMAC_SHA2_256_128:
		return IKE_TF_PRF_HMAC_SHA2_256;
	case IKE_TF_INTEG_HMAC_SHA2_384_192:
		return IKE_TF_PRF_HMAC_SHA2_384;
	case IKE_TF_INTEG_HMAC_SHA2_512_256:
		return IKE_TF_PRF_HMAC_SHA2_512;
	}
	return 0;
}

static const struct token *token_find(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < NTOKENS; i++)
		if (strlen(tokens[i].name) == len &&
		    !memcmp(tokens[i].name, s, len))
			return &tokens[i];
	return NULL;
}

static bool conf_has(const struct ike_prop_conf *p, uint8_t type, uint16_t id,
		     uint16_t key)
{
	unsigned i;

	for (i = 0; i < p->nxf; i++)
		if (p->xf[i].type == type && p->xf[i].id == id &&
		    p->xf[i].key_len == key)
			return true;
	return false;
}

static unsigned conf_count(const struct ike_prop_conf *p, uint8_t type)
{
	unsigned i, n = 0;

	for (i = 0; i < p->nxf; i++)
		n += p->xf[i].type == type;
	return n;
}

static int conf_add(struct ike_prop_conf *p, uint8_t type, uint16_t id,
		    uint16_t key)
{
	if (p->nxf >= IKE_PROP_XF_MAX)
		return -E2BIG;
	p->xf[p->nxf].type = type;
	p->xf[p->nxf].id = id;
	p->xf[p->nxf].key_len = key;
	p->xf[p->nxf].unknown_attr = false;
	p->nxf++;
	return 0;
}

static int add_token(struct ike_prop_conf *p, unsigned kind, const char *s,
		     size_t len, struct perr *e)
{
	const struct token *t = token_find(s, len);

	if (!len)
		return refuse(e, "empty algorithm name", s, len);
	if (!t)
		return refuse(e, "unknown algorithm", s, len);
	if (!(t->kinds & kind))
		return refuse(e, kind == KIND_IKE ?
				  "algorithm not allowed in IKE proposals" :
				  "algorithm not allowed in ESP proposals",
			      s, len);
	if (conf_has(p, t->type, t->id, t->key))
		return refuse(e, "algorithm repeated", s, len);
	if (conf_add(p, t->type, t->id, t->key))
		return refuse(e, "too many algorithms in one proposal", s, len);
	return 0;
}

/* Ciphers present, not AEAD and non-AEAD mixed, integrity exactly when
 * the ciphers are not AEADs (RFC 7296 §3.3.3, RFC 5282 §8). */
static int check_ciphers(const struct ike_prop_conf *p, struct perr *e)
{
	unsigned i, aead = 0, plain = 0;

	for (i = 0; i < p->nxf; i++) {
		if (p->xf[i].type != IKE_XF_ENCR)
			continue;
		if (encr_is_aead(p->xf[i].id))
			aead++;
		else
			plain++;
	}
	if (!aead && !plain)
		return refuse(e, "no cipher", "", 0);
	if (aead && plain)
		return refuse(e, "AEAD and non-AEAD ciphers in one proposal",
			      "", 0);
	if (aead && conf_count(p, IKE_XF_INTEG))
		return refuse(e, "integrity algorithm with an AEAD cipher",
			      "", 0);
	if (plain && !conf_count(p, IKE_XF_INTEG))
		return refuse(e, "cipher without an integrity algorithm", "",
			      0);
	return 0;
}

/* IKE: a group, and a prf (from the integrity hashes if none written). */
static int finish_ike(struct ike_prop_conf *p, struct perr *e)
{
	unsigned i, n = p->nxf;
	uint16_t prf;

	if (check_ciphers(p, e))
		return -EINVAL;
	if (!conf_count(p, IKE_XF_DH))
		return refuse(e, "no key exchange group", "", 0);
	if (conf_count(p, IKE_XF_PRF))
		return 0;
	if (!conf_count(p, IKE_XF_INTEG))
		return refuse(e, "AEAD cipher without a prf", "", 0);
	for (i = 0; i < n; i++) {
		if (p->xf[i].type != IKE_XF_INTEG)
			continue;
		prf = integ_prf(p->xf[i].id);
		if (!conf_has(p, IKE_XF_PRF, prf, 0) &&
		    conf_add(p, IKE_XF_PRF, prf, 0))
			return refuse(e, "too many algorithms in one proposal",
				      "", 0);
	}
	return 0;
}

/* ESP: NO_ESN unless ESN was asked for. */
static int finish_esp(struct ike_prop_conf *p, struct perr *e)
{
	if (check_ciphers(p, e))
		return -EINVAL;
	if (!conf_count(p, IKE_XF_ESN) &&
	    conf_add(p, IKE_XF_ESN, IKE_TF_ESN_NO, 0))
		return refuse(e, "too many algorithms in one proposal", "", 0);
	return 0;
}

/* Stable sort by transform type: ENCR, PRF, INTEG, KE, ESN. */
static void sort_by_type(struct ike_prop_conf *p)
{
	struct ike_transform t;
	unsigned i, j;

	for (i = 1; i < p->nxf; i++) {
		t = p->xf[i];
		for (j = i; j > 0 && p->xf[j - 1].type > t.type; j--)
			p->xf[j] = p->xf[j - 1];
		p->xf[j] = t;
	}
}

static int parse_one(const char *text, size_t len, unsigned kind,
		     struct ike_prop_conf *out, struct perr *e)
{
	size_t i = 0, start;
	int err;

	memset(out, 0, sizeof(*out));
	out->protocol = kind == KIND_IKE ? IKE_PROTO_IKE : IKE_PROTO_ESP;
	if (!len)
		return refuse(e, "empty proposal", "", 0);
	for (;;) {
		start = i;
		while (i < len && text[i] != '-')
			i++;
		err = add_token(out, kind, text + start, i - start, e);
		if (err)
			return err;
		if (i == len)
			break;
		i++;
		if (i == len)
			return refuse(e, "empty algorithm name", "", 0);
	}
	err = kind == KIND_IKE ? finish_ike(out, e) : finish_esp(out, e);
	if (!err)
		sort_by_type(out);
	return err;
}

static void report(const struct perr *e, const char **why, char *bad,
		   size_t cap)
{
	size_t n;

	if (why)
		*why = e->why;
	if (!bad || !cap)
		return;
	n = e->len < cap - 1 ? e->len : cap - 1;
	if (n)
		memcpy(bad, e->tok, n);
	bad[n] = '\0';
}

static unsigned kind_bit(enum ike_prop_kind kind)
{
	return kind == IKE_PROP_IKE ? KIND_IKE : KIND_ESP;
}

int ike_proposal_parse(const char *text, size_t len, enum ike_prop_kind kind,
		       struct ike_prop_conf *out, const char **why,
		       char *bad_token, size_t bad_cap)
{
	struct perr e = { "", "", 0 };
	int err = parse_one(text, len, kind_bit(kind), out, &e);

	if (err)
		report(&e, why, bad_token, bad_cap);
	return err;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

int ike_proposals_parse(const char *text, enum ike_prop_kind kind,
			struct ike_prop_conf *out, unsigned max, unsigned *n,
			const char **why, char *bad_token, size_t bad_cap)
{
	struct perr e = { "", "", 0 };
	const char *p = text, *end;
	size_t len;
	int err = 0;

	*n = 0;
	for (;;) {
		end = strchr(p, ',');
		len = end ? (size_t)(end - p) : strlen(p);
		while (len && is_blank(*p)) {
			p++;
			len--;
		}
		while (len && is_blank(p[len - 1]))
			len--;
		if (*n >= max) {
			err = refuse(&e, "too many proposals", p, len);
			break;
		}
		err = parse_one(p, len, kind_bit(kind), &out[*n], &e);
		if (err)
			break;
		(*n)++;
		if (!end)
			break;
		p = end + 1;
	}
	if (err)
		report(&e, why, bad_token, bad_cap);
	return err;
}

/* ---- Proposals on the wire ----------------------------------------- */

/* Whether KE transforms are left out: Child SA proposals in IKE_AUTH. */
static bool skip_ke(uint8_t protocol, unsigned flags)
{
	return protocol == IKE_PROTO_ESP && (flags & IKE_PROP_NO_KE);
}

static bool spi_size_ok(uint8_t size)
{
	return size == 0 || size == 4 || size == 8;
}

int ike_proposals_build(const struct ike_prop_conf *conf, unsigned n,
			const uint8_t *spi, uint8_t spi_size, unsigned flags,
			struct ike_proposal *out, unsigned cap)
{
	const struct ike_transform *t;
	struct ike_proposal *p;
	unsigned i, j;

	if (!n || n > cap || n > IKE_PROPOSALS_MAX || !spi_size_ok(spi_size) ||
	    (spi_size && !spi))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		p = &out[i];
		memset(p, 0, sizeof(*p));
		p->num = (uint8_t)(i + 1);
		p->protocol = conf[i].protocol;
		p->spi_size = spi_size;
		if (spi_size)
			memcpy(p->spi, spi, spi_size);
		for (j = 0; j < conf[i].nxf; j++) {
			t = &conf[i].xf[j];
			if (t->type == IKE_XF_DH && skip_ke(p->protocol, flags))
				continue;
			if (p->nxf >= IKE_TRANSFORMS_MAX)
				return -EINVAL;
			p->xf[p->nxf++] = *t;
		}
		if (!p->nxf)
			return -EINVAL;
	}
	return (int)n;
}

/* Transform types of a protocol (RFC 7296 §3.3.3). */
static bool type_applies(uint8_t protocol, uint8_t type)
{
	switch (type) {
	case IKE_XF_ENCR:
	case IKE_XF_INTEG:
	case IKE_XF_DH:
		return true;
	case IKE_XF_PRF:
		return protocol == IKE_PROTO_IKE;
	case IKE_XF_ESN:
		return protocol == IKE_PROTO_ESP;
	}
	return false;
}

static bool spi_size_fits(uint8_t protocol, uint8_t size)
{
	if (protocol == IKE_PROTO_IKE)
		return size == 0 || size == IKE_SPI_LEN;
	return protocol == IKE_PROTO_ESP && size == 4;
}

/* The same algorithm, and one we can take: no unknown attribute (§3.3.6). */
static bool xf_equal(const struct ike_transform *a,
		     const struct ike_transform *b)
{
	return a->type == b->type && a->id == b->id &&
	       a->key_len == b->key_len && !a->unknown_attr &&
	       !b->unknown_attr;
}

static bool peer_offers(const struct ike_proposal *p,
			const struct ike_transform *t)
{
	unsigned i;

	for (i = 0; i < p->nxf; i++)
		if (xf_equal(&p->xf[i], t))
			return true;
	return false;
}

static unsigned peer_count(const struct ike_proposal *p, uint8_t type)
{
	unsigned i, n = 0;

	for (i = 0; i < p->nxf; i++)
		n += p->xf[i].type == type;
	return n;
}

/* Our first transform of |type| that the peer offers; NULL if none. */
static const struct ike_transform *pick(const struct ike_prop_conf *c,
					const struct ike_proposal *p,
					uint8_t type)
{
	unsigned i;

	for (i = 0; i < c->nxf; i++)
		if (c->xf[i].type == type && peer_offers(p, &c->xf[i]))
			return &c->xf[i];
	return NULL;
}

static void put(struct ike_proposal *res, uint8_t type, uint16_t id,
		uint16_t key)
{
	struct ike_transform *t = &res->xf[res->nxf++];

	memset(t, 0, sizeof(*t));
	t->type = type;
	t->id = id;
	t->key_len = key;
}

static int take(struct ike_proposal *res, const struct ike_transform *t)
{
	if (!t)
		return -ENOENT;
	put(res, t->type, t->id, t->key_len);
	return 0;
}

/* INTEG: ours for a plain cipher; with an AEAD absent, or NONE only
 * (RFC 5282 §8). res->xf[0] is the chosen cipher. */
static int match_integ(const struct ike_prop_conf *c,
		       const struct ike_proposal *p, struct ike_proposal *res)
{
	const struct ike_transform none = { IKE_XF_INTEG, 0, 0, false };
	unsigned n = peer_count(p, IKE_XF_INTEG);

	if (!encr_is_aead(res->xf[0].id))
		return take(res, pick(c, p, IKE_XF_INTEG));
	if (!n)
		return 0;
	if (n != 1 || !peer_offers(p, &none))
		return -ENOENT;
	put(res, IKE_XF_INTEG, IKE_TF_INTEG_NONE, 0);
	return 0;
}

/* KE: ours, the peer's KE payload group first; with no group of ours
 * (ESP without PFS) absent or NONE. */
static int match_dh(const struct ike_prop_conf *c,
		    const struct ike_proposal *p, unsigned flags,
		    uint16_t ke_group, struct ike_proposal *res)
{
	const struct ike_transform ke = { IKE_XF_DH, ke_group, 0, false };
	const struct ike_transform none = { IKE_XF_DH, 0, 0, false };

	if (skip_ke(p->protocol, flags))
		return 0;
	if (conf_count(c, IKE_XF_DH)) {
		if (ke_group && conf_has(c, IKE_XF_DH, ke_group, 0) &&
		    peer_offers(p, &ke))
			return take(res, &ke);
		return take(res, pick(c, p, IKE_XF_DH));
	}
	if (!peer_count(p, IKE_XF_DH))
		return 0;
	return take(res, peer_offers(p, &none) ? &none : NULL);
}

/* ESN: ours; absent counts as NO_ESN. */
static int match_esn(const struct ike_prop_conf *c,
		     const struct ike_proposal *p, struct ike_proposal *res)
{
	if (p->protocol != IKE_PROTO_ESP)
		return 0;
	if (peer_count(p, IKE_XF_ESN))
		return take(res, pick(c, p, IKE_XF_ESN));
	return conf_has(c, IKE_XF_ESN, IKE_TF_ESN_NO, 0) ? 0 : -ENOENT;
}

static bool proposal_usable(const struct ike_prop_conf *c,
			    const struct ike_proposal *p)
{
	unsigned i;

	if (p->protocol != c->protocol ||
	    !spi_size_fits(p->protocol, p->spi_size))
		return false;
	for (i = 0; i < p->nxf; i++)
		if (!type_applies(p->protocol, p->xf[i].type))
			return false;
	return true;
}

static int match(const struct ike_prop_conf *c, const struct ike_proposal *p,
		 unsigned flags, uint16_t ke_group, struct ike_proposal *res)
{
	if (!proposal_usable(c, p))
		return -ENOENT;
	memset(res, 0, sizeof(*res));
	res->num = p->num;
	res->protocol = p->protocol;
	res->spi_size = p->spi_size;
	memcpy(res->spi, p->spi, sizeof(res->spi));
	if (take(res, pick(c, p, IKE_XF_ENCR)))
		return -ENOENT;
	if (p->protocol == IKE_PROTO_IKE &&
	    take(res, pick(c, p, IKE_XF_PRF)))
		return -ENOENT;
	if (match_integ(c, p, res) || match_dh(c, p, flags, ke_group, res) ||
	    match_esn(c, p, res))
		return -ENOENT;
	return 0;
}

/* The suites from a proposal holding one transform per type. */
static void fill_suites(struct ike_choice *out)
{
	const struct ike_proposal *p = &out->prop;
	struct ike_suite_esp s = { 0 };
	const struct ike_transform *t;
	uint16_t prf = 0;
	unsigned i;

	for (i = 0; i < p->nxf; i++) {
		t = &p->xf[i];
		if (t->type == IKE_XF_ENCR) {
			s.encr = t->id;
			s.encr_key_bits = t->key_len;
			if (t->id == IKE_TF_ENCR_CHACHA20_POLY1305)
				s.encr_key_bits = 256;
		}
		prf = t->type == IKE_XF_PRF ? t->id : prf;
		s.integ = t->type == IKE_XF_INTEG ? t->id : s.integ;
		s.dh = t->type == IKE_XF_DH ? t->id : s.dh;
		s.esn = t->type == IKE_XF_ESN ? t->id == IKE_TF_ESN_YES : s.esn;
	}
	memset(&out->ike, 0, sizeof(out->ike));
	memset(&out->esp, 0, sizeof(out->esp));
	if (p->protocol == IKE_PROTO_ESP) {
		out->esp = s;
		return;
	}
	out->ike.alg.encr = (enum ike_encr_alg)s.encr;
	out->ike.alg.encr_key_bits = s.encr_key_bits;
	out->ike.alg.integ = (enum ike_integ_alg)s.integ;
	out->ike.alg.prf = (enum ike_prf_alg)prf;
	out->ike.dh = (enum ike_dh_group)s.dh;
}

int ike_proposal_select(const struct ike_sa_payload *peer,
			const struct ike_prop_conf *conf, unsigned n,
			unsigned flags, uint16_t ke_group,
			struct ike_choice *out)
{
	unsigned i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < peer->n; j++) {
			if (match(&conf[i], &peer->prop[j], flags, ke_group,
				  &out->prop))
				continue;
			out->conf = i;
			fill_suites(out);
			return 0;
		}
	}
	return -ENOENT;
}

/* Whether the reply's transforms of |type| are the one transform of ours
 * that §2.7 asks for, or (types we did not offer) none, or the NONE that
 * an AEAD's INTEG or a group-less ESP proposal's KE may carry. */
static bool reply_type_ok(const struct ike_prop_conf *c,
			  const struct ike_proposal *r, uint8_t type,
			  unsigned flags)
{
	const struct ike_transform *got = NULL;
	unsigned i, n = 0, offered = conf_count(c, type);

	for (i = 0; i < r->nxf; i++) {
		if (r->xf[i].type == type) {
			got = &r->xf[i];
			n++;
		}
	}
	if (type == IKE_XF_DH && skip_ke(c->protocol, flags))
		offered = 0;
	if (offered)
		return n == 1 && conf_has(c, type, got->id, got->key_len) &&
		       !got->unknown_attr;
	if (!n)
		return true;
	if (n != 1 || got->id != 0 || got->key_len || got->unknown_attr)
		return false;
	if (type == IKE_XF_INTEG)
		return conf_count(c, IKE_XF_INTEG) == 0 &&
		       encr_is_aead(c->xf[0].id);
	return type == IKE_XF_DH && c->protocol == IKE_PROTO_ESP;
}

int ike_proposal_check(const struct ike_sa_payload *reply,
		       const struct ike_prop_conf *conf, unsigned n,
		       unsigned flags, struct ike_choice *out)
{
	const struct ike_proposal *r;
	const struct ike_prop_conf *c;
	unsigned type, counted = 0;

	if (reply->n != 1)
		return -EBADMSG;
	r = &reply->prop[0];
	if (!r->num || r->num > n)
		return -EBADMSG;
	c = &conf[r->num - 1];
	if (r->protocol != c->protocol ||
	    !spi_size_fits(r->protocol, r->spi_size))
		return -EBADMSG;
	for (type = IKE_XF_ENCR; type <= IKE_XF_ESN; type++) {
		if (!reply_type_ok(c, r, (uint8_t)type, flags))
			return -EBADMSG;
		counted += peer_count(r, (uint8_t)type);
	}
	if (counted != r->nxf)
		return -EBADMSG;
	out->prop = *r;
	out->conf = r->num - 1u;
	fill_suites(out);
	return 0;
}

uint16_t ike_proposals_first_dh(const struct ike_prop_conf *conf, unsigned n)
{
	unsigned i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < conf[i].nxf; j++)
			if (conf[i].xf[j].type == IKE_XF_DH)
				return conf[i].xf[j].id;
	return 0;
}

bool ike_proposals_offer_dh(const struct ike_prop_conf *conf, unsigned n,
			    uint16_t group)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (group && conf_has(&conf[i], IKE_XF_DH, group, 0))
			return true;
	return false;
}

/* ---- The data plane's form ----------------------------------------- */

static int esp_cipher_of(const struct ike_suite_esp *s, enum esp_cipher *c,
			 uint8_t *icv)
{
	bool aead = encr_is_aead(s->encr);

	if (aead != (s->integ == IKE_TF_INTEG_NONE))
		return -ENOTSUP;
	*icv = 16;
	switch (s->encr) {
	case IKE_TF_ENCR_AES_GCM_16:
		if (s->encr_key_bits != 128 && s->encr_key_bits != 256)
			return -ENOTSUP;
		*c = s->encr_key_bits == 128 ? ESP_CIPHER_AES_GCM_128 :
					       ESP_CIPHER_AES_GCM_256;
		return 0;
	case IKE_TF_ENCR_AES_CCM_8:
		*icv = 8;
		/* fall through */
	case IKE_TF_ENCR_AES_CCM_16:
		*c = ESP_CIPHER_AES_CCM_128;
		return s->encr_key_bits == 128 ? 0 : -ENOTSUP;
	case IKE_TF_ENCR_CHACHA20_POLY1305:
		*c = ESP_CIPHER_CHACHA20_POLY1305;
		return s->encr_key_bits == 256 ? 0 : -ENOTSUP;
	case IKE_TF_ENCR_NULL:
		*c = ESP_CIPHER_NULL_HMAC_SHA256;
		return s->integ == IKE_TF_INTEG_HMAC_SHA2_256_128 ? 0 :
								    -ENOTSUP;
	}
	return -ENOTSUP;
}

int ike_suite_esp_to_cipher(const struct ike_suite_esp *s,
			    enum esp_cipher *cipher, uint8_t *icv_len,
			    size_t *keymat_len)
{
	const struct esp_cipher_info *info;
	enum esp_cipher c;
	uint8_t icv;

	if (esp_cipher_of(s, &c, &icv))
		return -ENOTSUP;
	info = esp_cipher_info(c);
	*cipher = c;
	*icv_len = icv;
	*keymat_len = (size_t)info->key_len + info->salt_len;
	return 0;
}
