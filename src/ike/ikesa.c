/* SPDX-License-Identifier: MIT */
/* IKE SAs: the table, keys, sealing and opening, the message windows. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ike/ikesa.h"
#include "util/bytes.h"
#include "util/log.h"
#include "util/secure.h"

static const char *const state_names[] = {
	[IKE_S_INIT_SENT] = "connecting",
	[IKE_S_AUTH_SENT] = "authenticating",
	[IKE_S_INIT_DONE] = "half-open",
	[IKE_S_ESTABLISHED] = "established",
	[IKE_S_DELETING] = "deleting",
	[IKE_S_REKEYED] = "rekeyed",
	[IKE_S_DEAD] = "dead",
};

const char *ike_state_name(enum ike_sa_state s)
{
	if ((unsigned)s >= sizeof(state_names) / sizeof(state_names[0]))
		return "?";
	return state_names[s];
}

uint64_t ike_now(struct ike *ike)
{
	return ike->env.now_ms(ike->env.ctx);
}

void ike_count_drop(struct ike *ike, enum ike_drop d)
{
	ike->stats.drops[d]++;
}

const struct ike_peer_cfg *ikesa_cfg(const struct ike *ike,
				     const struct ike_sa *sa)
{
	return &ike->peers[sa->peer];
}

uint64_t ikesa_our_spi(const struct ike_sa *sa)
{
	return sa->initiator ? sa->spi_i : sa->spi_r;
}

/* A fresh SPI of ours: random, non-zero, unused. */
static uint64_t new_spi(struct ike *ike)
{
	uint64_t spi;

	do
		ike->env.random(ike->env.ctx, &spi, sizeof(spi));
	while (!spi || ikesa_find(ike, spi));
	return spi;
}

/* Our fragment size (RFC 7383 §2.5.1); 0: we send no fragments. */
static uint16_t frag_size(const struct ike_peer_cfg *cfg)
{
	if (!cfg->fragmentation)
		return 0;
	if (!cfg->frag_size)
		return IKE_FRAG_SIZE_DEFAULT;
	return cfg->frag_size < IKE_FRAG_SIZE_MIN ? IKE_FRAG_SIZE_MIN
						  : cfg->frag_size;
}

struct ike_sa *ikesa_new(struct ike *ike, unsigned peer, bool initiator)
{
	const struct ike_peer_cfg *cfg = &ike->peers[peer];
	struct ike_sa *sa = calloc(1, sizeof(*sa));
	unsigned i;

	if (!sa)
		return NULL;
	for (i = 0; i < IKE_CHILDREN_MAX; i++)
		sa->child[i].slot = (uint8_t)i;
	sa->peer = peer;
	sa->initiator = initiator;
	if (initiator)
		sa->spi_i = new_spi(ike);
	else
		sa->spi_r = new_spi(ike);
	sa->local = cfg->local;
	sa->remote = cfg->remote;
	sa->frag_size = frag_size(cfg);
	sa->created = sa->last_rx = ike_now(ike);
	sa->next = ike->sas;
	ike->sas = sa;
	ike->nsas++;
	return sa;
}

static void unlink_sa(struct ike *ike, struct ike_sa *sa)
{
	struct ike_sa **p;

	for (p = &ike->sas; *p; p = &(*p)->next)
		if (*p == sa) {
			*p = sa->next;
			ike->nsas--;
			return;
		}
}

/* Every SA the data plane holds for sa's Child SAs goes. */
static void children_down(struct ike *ike, struct ike_sa *sa)
{
	unsigned i;

	for (i = 0; i < IKE_CHILDREN_MAX; i++)
		ike_child_drop(ike, sa, &sa->child[i]);
	if (sa->twin.valid)
		ike->env.child_down(ike->env.ctx, sa->peer,
				    sa->twin.next.spi_in, 0);
	secure_zero(&sa->twin, sizeof(sa->twin));
	for (i = 0; i < IKE_RETIRED_MAX; i++)
		if (sa->retired[i].spi)
			ike->env.child_down(ike->env.ctx, sa->peer,
					    sa->retired[i].spi, 0);
}

void ikesa_free(struct ike *ike, struct ike_sa *sa)
{
	children_down(ike, sa);
	ike_dh_free(sa->pend.dh);
	if (!sa->initiator && sa->state == IKE_S_INIT_DONE && ike->half_open)
		ike->half_open--;
	unlink_sa(ike, sa);
	ike_dh_free(sa->dh);
	ike_keys_free(sa->keys);
	ike_sk_free(sa->sk_out);
	ike_sk_free(sa->sk_in);
	free(sa->init_i);
	free(sa->init_r);
	secure_zero(sa, sizeof(*sa));
	free(sa);
}

struct ike_sa *ikesa_find(struct ike *ike, uint64_t our_spi)
{
	struct ike_sa *sa;

	for (sa = ike->sas; sa; sa = sa->next)
		if (ikesa_our_spi(sa) == our_spi && sa->state != IKE_S_DEAD)
			return sa;
	return NULL;
}

struct ike_sa *ikesa_find_init(struct ike *ike, uint64_t spi_i,
			       const struct ike_endpoint *remote)
{
	struct ike_sa *sa;

	for (sa = ike->sas; sa; sa = sa->next)
		if (!sa->initiator && sa->spi_i == spi_i &&
		    addr_equal(&sa->remote.addr, &remote->addr) &&
		    sa->state != IKE_S_DEAD)
			return sa;
	return NULL;
}

struct ike_sa *ikesa_of_peer(struct ike *ike, unsigned peer)
{
	struct ike_sa *sa;

	for (sa = ike->sas; sa; sa = sa->next)
		if (sa->peer == peer && sa->state != IKE_S_DEAD &&
		    sa->state != IKE_S_DELETING && sa->state != IKE_S_REKEYED)
			return sa;
	return NULL;
}

void ikesa_begin(struct ike_sa *sa, uint8_t exchange, struct ike_writer *w,
		 uint8_t *buf, size_t cap, bool response, uint32_t id)
{
	struct ike_hdr h;

	ikesa_hdr(sa, &h, exchange, response, id);
	ike_writer_init(w, buf, cap, &h);
	ike_sk_begin(w, ike_sk_get_overhead(sa->sk_out)->iv_len);
}

int ikesa_put_ke(struct ike_writer *w, const struct ike_dh *dh)
{
	uint8_t pub[IKE_DH_PUBLIC_MAX];
	enum ike_dh_group g = ike_dh_group_of(dh);
	size_t len = ike_dh_public_len(g);
	struct ike_ke ke = { .group = (uint16_t)g, .data = pub, .len = len };

	if (ike_dh_get_public(dh, pub, len))
		return -EIO;
	return ike_put_ke(w, &ke);
}

void ikesa_respond_notify(struct ike *ike, struct ike_sa *sa,
			  uint8_t exchange, uint32_t id, uint16_t type,
			  const void *data, size_t len)
{
	struct ike_notify n = { .type = type, .data = data, .len = len };
	uint8_t buf[512];
	struct ike_writer w;
	int l;

	ikesa_begin(sa, exchange, &w, buf, sizeof(buf), true, id);
	ike_put_notify(&w, &n);
	l = ikesa_seal(sa, &w);
	if (l > 0)
		ikesa_send_response(ike, sa, buf, (size_t)l, id);
}

int ikesa_dh_answer(uint16_t group, const struct ike_ke *ke,
		    struct ike_dh **dh, uint8_t *shared, size_t *slen)
{
	*dh = NULL;
	*slen = ike_dh_shared_len((enum ike_dh_group)group);
	if (!*slen || ke->group != group ||
	    ike_dh_new(dh, (enum ike_dh_group)group))
		return -ENOTSUP;
	return ike_dh_compute_shared(*dh, ke->data, ke->len, shared, *slen);
}

void ikesa_hdr(const struct ike_sa *sa, struct ike_hdr *h, uint8_t exchange,
	       bool response, uint32_t msg_id)
{
	memset(h, 0, sizeof(*h));
	h->spi_i = sa->spi_i;
	h->spi_r = sa->spi_r;
	h->exchange = exchange;
	h->flags = (uint8_t)((sa->initiator ? IKE_FLAG_INITIATOR : 0) |
			     (response ? IKE_FLAG_RESPONSE : 0));
	h->msg_id = response ? msg_id : sa->next_req;
}

/* The SK contexts: the original initiator seals with SK_ei/SK_ai. */
static int make_sk(struct ike_sa *sa)
{
	const struct ike_keys *k = sa->keys;
	const struct ike_suite *s = &sa->suite.alg;
	const uint8_t *ea = k->sk_ei, *aa = k->sk_ai;
	const uint8_t *eb = k->sk_er, *ab = k->sk_ar;
	int err;

	if (!sa->initiator) {
		ea = k->sk_er, aa = k->sk_ar;
		eb = k->sk_ei, ab = k->sk_ai;
	}
	err = ike_sk_new(&sa->sk_out, s->encr, s->encr_key_bits, s->integ, ea,
			 k->encr_len, k->integ_len ? aa : NULL, k->integ_len);
	if (!err)
		err = ike_sk_new(&sa->sk_in, s->encr, s->encr_key_bits, s->integ,
				 eb, k->encr_len, k->integ_len ? ab : NULL,
				 k->integ_len);
	return err;
}

/* Octet by octet, a prefix before what it starts (§2.8's "lowest"). */
static int nonce_cmp(const uint8_t *a, size_t alen, const uint8_t *b,
		     size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	return c ? c : (alen > blen) - (alen < blen);
}

bool ike_nonces_lowest(const uint8_t *a1, size_t a1_len, const uint8_t *a2,
		       size_t a2_len, const uint8_t *b1, size_t b1_len,
		       const uint8_t *b2, size_t b2_len)
{
	const uint8_t *lo = a1;
	size_t lo_len = a1_len;

	if (nonce_cmp(a2, a2_len, lo, lo_len) < 0) {
		lo = a2;
		lo_len = a2_len;
	}
	return nonce_cmp(lo, lo_len, b1, b1_len) < 0 &&
	       nonce_cmp(lo, lo_len, b2, b2_len) < 0;
}

uint64_t ike_retry_delay(struct ike *ike)
{
	uint16_t r;

	ike->env.random(ike->env.ctx, &r, sizeof(r));
	return 2000 + r % 8001;
}

int ikesa_rekeyed_sk(struct ike_sa *sa)
{
	return make_sk(sa);
}

void ikesa_schedule(struct ike *ike, struct ike_sa *sa)
{
	const struct ike_peer_cfg *cfg = ikesa_cfg(ike, sa);
	uint32_t jitter = 0, life = cfg->ike_life_s;

	sa->expire_at = life ? ike_now(ike) + 1000ull * life : 0;
	if (!life || life <= cfg->margin_s + cfg->jitter_s) {
		sa->rekey_at = 0;
		return;
	}
	if (cfg->jitter_s)
		ike->env.random(ike->env.ctx, &jitter, sizeof(jitter));
	jitter = cfg->jitter_s ? jitter % cfg->jitter_s : 0;
	sa->rekey_at = ike_now(ike) + 1000ull * (life - cfg->margin_s - jitter);
}

int ikesa_derive(struct ike_sa *sa, const uint8_t *shared, size_t len)
{
	const struct ike_suite *suite = &sa->suite.alg;
	uint8_t spi_i[8], spi_r[8];
	int err;

	put_be64(spi_i, sa->spi_i);
	put_be64(spi_r, sa->spi_r);
	err = ike_keys_derive(&sa->keys, suite, shared, len, sa->ni,
			      sa->ni_len, sa->nr, sa->nr_len, spi_i, spi_r);
	if (!err)
		err = make_sk(sa);
	return err;
}

int ikesa_seal(struct ike_sa *sa, struct ike_writer *w)
{
	const struct ike_sk_overhead *ov = ike_sk_get_overhead(sa->sk_out);
	struct ike_sk_layout lay;
	size_t inner, msg_len;
	int len, err;

	len = ike_frag_seal(sa, w);
	if (len != -E2BIG)
		return len;
	inner = w->len - w->ct_off;
	len = ike_sk_end(w, ov->block_len, ov->icv_len, &lay);
	if (len < 0)
		return len;
	err = ike_sk_seal(sa->sk_out, w->buf, w->cap, lay.aad_len, inner,
			  sa->iv_counter++, &msg_len);
	if (err)
		return err;
	if (msg_len != (size_t)len)
		abort(); /* the writer's framing and the sealer disagree */
	return len;
}

/* An Encrypted Fragment payload (RFC 7383 §2.5): authenticated and
 * opened on its own, then kept until the message is whole. */
static int open_fragment(struct ike_sa *sa, uint8_t *buf,
			 const struct ike_msg *m,
			 const struct ike_sk_layout *lay,
			 struct ike_chain *inner)
{
	struct ike_skf skf;
	size_t off, len;

	if (ike_decode_skf(m->chain.pl[m->chain.sk].body, &skf) !=
	    IKE_PARSE_OK)
		return -EBADMSG;
	if (ike_sk_open(sa->sk_in, buf, m->len, lay->aad_len, &off, &len))
		return -EBADMSG;
	return ike_frag_add(sa, m, &skf, buf + off, len, inner);
}

int ikesa_open(struct ike_sa *sa, uint8_t *buf, const struct ike_msg *m,
	       struct ike_chain *inner)
{
	const struct ike_sk_overhead *ov;
	struct ike_sk_layout lay;
	size_t off, len;

	if (!sa->sk_in)
		return -ENOKEY;
	ov = ike_sk_get_overhead(sa->sk_in);
	if (m->chain.sk < 0 ||
	    ike_sk_locate(m, ov->iv_len, ov->icv_len, ov->block_len, &lay) !=
		    IKE_PARSE_OK)
		return -EBADMSG;
	if (m->chain.pl[m->chain.sk].type == IKE_PL_SKF)
		return open_fragment(sa, buf, m, &lay, inner);
	if (ike_sk_open(sa->sk_in, buf, m->len, lay.aad_len, &off, &len))
		return -EBADMSG;
	if (ike_inner_parse(buf + off, len, m->chain.sk_next, inner) !=
	    IKE_PARSE_OK)
		return -EBADMSG;
	return 0;
}

void ike_send_raw(struct ike *ike, const struct ike_endpoint *local,
		  const struct ike_endpoint *remote, const uint8_t *buf,
		  size_t len)
{
	bool marker = local->port != IKE_PORT; /* §2.23: off port 500 */

	ike->stats.tx++;
	if (ike->env.send(ike->env.ctx, local, remote, marker, buf, len))
		log_debug("ike: send to port %u failed", remote->port);
}

/* Offsets in the IKE header (RFC 7296 §3.1). */
#define HDR_OFF_NEXT 16
#define HDR_OFF_LEN 24

/* Send buf[0..len): one message, or fragments end to end. The framing is
 * ours (ikesa_seal, ike_frag_seal): a Length that does not add up is a
 * broken invariant. */
static void send_all(struct ike *ike, struct ike_sa *sa, const uint8_t *buf,
		     size_t len)
{
	size_t off, n;

	for (off = 0; off < len; off += n) {
		if (len - off < IKE_HDR_LEN)
			abort();
		n = get_be32(buf + off + HDR_OFF_LEN);
		if (n < IKE_HDR_LEN || n > len - off)
			abort();
		if (buf[off + HDR_OFF_NEXT] == IKE_PL_SKF) {
			ike->stats.frags_sent++;
			sa->frags_sent++;
		}
		ike_send_raw(ike, &sa->local, &sa->remote, buf + off, n);
	}
}

void ikesa_resend(struct ike *ike, struct ike_sa *sa, const struct ike_pkt *p)
{
	send_all(ike, sa, p->buf, p->len);
}

static void keep(struct ike_pkt *p, const uint8_t *buf, size_t len,
		 uint32_t id)
{
	if (len > sizeof(p->buf))
		abort(); /* every message is built in at most IKE_PKT_MAX */
	memcpy(p->buf, buf, len);
	p->len = len;
	p->msg_id = id;
	p->valid = true;
}

void ikesa_send_request(struct ike *ike, struct ike_sa *sa, const uint8_t *buf,
			size_t len)
{
	keep(&sa->req, buf, len, sa->next_req);
	sa->tries = 0;
	sa->rtx_at = ike_now(ike) + ikesa_cfg(ike, sa)->rtx_ms;
	send_all(ike, sa, buf, len);
}

void ikesa_send_response(struct ike *ike, struct ike_sa *sa,
			 const uint8_t *buf, size_t len, uint32_t msg_id)
{
	keep(&sa->resp, buf, len, msg_id);
	send_all(ike, sa, buf, len);
}
