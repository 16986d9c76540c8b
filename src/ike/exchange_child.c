/* SPDX-License-Identifier: MIT */
/*
 * CREATE_CHILD_SA rekeying a Child SA (RFC 7296 §1.3.3, §2.8), make-
 * before-break:
 *   initiator: request (REKEY_SA names our inbound SPI, a new SPI, Ni,
 *              and with PFS a KE payload of our first ESP proposal's
 *              group, sent again with the group INVALID_KE_PAYLOAD asks
 *              for when we offer it);
 *              on the answer both new halves go in force (the responder
 *              already has the new inbound one), then an INFORMATIONAL
 *              deletes the old pair; the old inbound SA stays for a grace
 *              time for what is still in flight.
 *   responder: the new inbound half at once; the new outbound half when
 *              the old pair's DELETE arrives (the initiator then surely
 *              has its new inbound half) or after IKE_SWITCH_MS.
 * With PFS the new Child SA's keys also take the exchange's new shared
 * secret (§2.17). IKE SA rekeys share the exchange; see exchange_rekey.c.
 */
#include <errno.h>
#include <string.h>

#include "ike/ikesa.h"
#include "ike/nego.h"
#include "util/bytes.h"
#include "util/log.h"
#include "util/secure.h"

static int put_notify_spi(struct ike_writer *w, uint16_t type, uint32_t spi)
{
	uint8_t s[4];
	struct ike_notify n = { .type = type, .protocol = IKE_PROTO_ESP,
				.spi_size = 4 };

	put_be32(s, spi);
	memcpy(n.spi, s, 4);
	return ike_put_notify(w, &n);
}

static int put_notify(struct ike_writer *w, uint16_t type)
{
	struct ike_notify n = { .type = type };

	return ike_put_notify(w, &n);
}

/* What our request offers: a rekey, what the Child SA carries (RFC 7296
 * §2.9.2); a new Child SA, the configured selector it is asked for. */
static int ts_offer(const struct ike_peer_cfg *cfg, const struct ike_sa *sa,
		    struct ike_ts_payload *tsi, struct ike_ts_payload *tsr)
{
	const struct ike_rekey_state *p = &sa->pend;
	const struct ike_child *c = &sa->child[p->idx];

	if (p->kind == IKE_REQ_CHILD_NEW)
		return nego_ts_offer_sel(&cfg->sel[p->sel], 1, tsi, tsr);
	return nego_ts_offer_sel(c->sel, c->nsel, tsi, tsr);
}

/* Our CREATE_CHILD_SA of sa->pend's kind for child[pend.idx]: a rekey
 * (REKEY_SA names its inbound SPI) or a new Child SA; with PFS (group !=
 * 0) a KE payload of group, whose key pair waits in sa->pend. */
static int child_send(struct ike *ike, struct ike_sa *sa, uint16_t group)
{
	const struct ike_peer_cfg *cfg = ikesa_cfg(ike, sa);
	struct ike_proposal props[IKE_OFFERS_MAX];
	struct ike_ts_payload tsi, tsr;
	struct ike_rekey_state *p = &sa->pend;
	const struct ike_child *c = &sa->child[p->idx];
	bool rekey = p->kind == IKE_REQ_CHILD_REKEY;
	uint8_t buf[IKE_PKT_MAX];
	struct ike_writer w;
	unsigned n;
	int len;

	if (ts_offer(cfg, sa, &tsi, &tsr))
		return -EINVAL;
	ike_dh_free(p->dh);
	p->dh = NULL;
	if (group && ike_dh_new(&p->dh, (enum ike_dh_group)group))
		return -ENOTSUP;
	p->spi = ike_child_new_spi(ike);
	p->nonce_len = IKE_NONCE_LEN;
	ike->env.random(ike->env.ctx, p->nonce, p->nonce_len);
	nego_esp_offer(cfg, p->spi, true, props, &n);
	ikesa_begin(sa, IKE_EXCH_CREATE_CHILD_SA, &w,
		    buf, sizeof(buf), false, 0);
	if (rekey)
		put_notify_spi(&w, IKE_N_REKEY_SA, c->spi_in);
	if (rekey ? c->transport : cfg->mode == ESP_MODE_TRANSPORT)
		put_notify(&w, IKE_N_USE_TRANSPORT_MODE);
	ike_put_sa(&w, props, n);
	ike_put_nonce(&w, p->nonce, p->nonce_len);
	if (p->dh)
		ikesa_put_ke(&w, p->dh);
	ike_put_ts(&w, IKE_PL_TSI, tsi.ts, tsi.n);
	ike_put_ts(&w, IKE_PL_TSR, tsr.ts, tsr.n);
	len = ikesa_seal(sa, &w);
	if (len < 0) {
		p->kind = IKE_REQ_NONE;
		ike_dh_free(p->dh);
		p->dh = NULL;
		return len;
	}
	ikesa_send_request(ike, sa, buf, (size_t)len);
	log_info("ike %s: %s (new spi in %08x%s%s)", cfg->name,
		 rekey ? "rekeying a Child SA" : "asking for one more Child SA",
		 p->spi, group ? ", pfs " : "",
		 group ? ike_xform_id_name(IKE_XF_DH, group) : "");
	return 0;
}

int ike_child_rekey_start(struct ike *ike, struct ike_sa *sa,
			  struct ike_child *c)
{
	if (sa->state != IKE_S_ESTABLISHED || !c->up)
		return -ENOENT;
	if (sa->req.valid || ike_rekey_unsettled(ike, sa))
		return -EBUSY;
	sa->pend.kind = IKE_REQ_CHILD_REKEY;
	sa->pend.idx = c->slot;
	return child_send(ike, sa, nego_esp_first_dh(ikesa_cfg(ike, sa)));
}

/* Whether a Child SA in force carries every flow of configured selector
 * k. */
static bool carried(const struct ike_sa *sa, const struct spd_selector *k)
{
	unsigned i, j;

	for (i = 0; i < IKE_CHILDREN_MAX; i++)
		for (j = 0; sa->child[i].up && j < sa->child[i].nsel; j++)
			if (spd_selector_covers(&sa->child[i].sel[j], k))
				return true;
	return false;
}

int ike_child_new_start(struct ike *ike, struct ike_sa *sa)
{
	const struct ike_peer_cfg *cfg = ikesa_cfg(ike, sa);
	unsigned k, slot;

	if (sa->state != IKE_S_ESTABLISHED)
		return -ENOENT;
	if (sa->req.valid || ike_rekey_unsettled(ike, sa))
		return -EBUSY;
	for (slot = 1; slot < IKE_CHILDREN_MAX && sa->child[slot].up; slot++)
		;
	for (k = 0; k < cfg->nsel && k < 32; k++) {
		if (sa->child_asked & 1u << k || carried(sa, &cfg->sel[k]))
			continue;
		/* Asked once per IKE SA, whatever the answer. */
		sa->child_asked |= 1u << k;
		if (slot == IKE_CHILDREN_MAX) {
			log_warn("ike %s: selector %u not carried: an IKE SA "
				 "holds at most %d Child SAs", cfg->name,
				 k + 1, IKE_CHILDREN_MAX);
			continue;
		}
		sa->pend.kind = IKE_REQ_CHILD_NEW;
		sa->pend.idx = slot;
		sa->pend.sel = k;
		return child_send(ike, sa, nego_esp_first_dh(cfg));
	}
	return -ENOENT;
}

/* ---- what CREATE_CHILD_SA carries ---- */

struct child_in {
	struct ike_sa_payload sa;
	struct ike_ts_payload tsi, tsr;
	struct ike_ke ke;
	const uint8_t *nonce;
	size_t nonce_len;
	uint32_t rekey_spi;       /* REKEY_SA for ESP, or 0 */
	uint16_t error;
	uint16_t ke_wanted;       /* INVALID_KE_PAYLOAD's group, or 0 */
	bool transport, has_sa, has_tsi, has_tsr, has_ke;
};

static void read_notify(const struct ike_notify *n, struct child_in *in)
{
	if (n->type == IKE_N_REKEY_SA && n->protocol == IKE_PROTO_ESP &&
	    n->spi_size == 4)
		in->rekey_spi = get_be32(n->spi);
	else if (n->type == IKE_N_USE_TRANSPORT_MODE)
		in->transport = true;
	else if (n->type < IKE_NOTIFY_STATUS_MIN && !in->error)
		in->error = n->type;
	if (n->type == IKE_N_INVALID_KE_PAYLOAD && n->len == 2)
		in->ke_wanted = get_be16(n->data);
}

static enum ike_parse read_one(const struct ike_payload *p,
			       struct child_in *in)
{
	struct ike_notify n;
	enum ike_parse r = IKE_PARSE_OK;

	if (p->type == IKE_PL_SA) {
		r = ike_decode_sa(p->body, &in->sa);
		in->has_sa = true;
	} else if (p->type == IKE_PL_NONCE) {
		r = ike_decode_nonce(p->body, &in->nonce, &in->nonce_len);
	} else if (p->type == IKE_PL_TSI) {
		r = ike_decode_ts(p->body, &in->tsi);
		in->has_tsi = true;
	} else if (p->type == IKE_PL_TSR) {
		r = ike_decode_ts(p->body, &in->tsr);
		in->has_tsr = true;
	} else if (p->type == IKE_PL_KE) {
		r = ike_decode_ke(p->body, &in->ke);
		in->has_ke = true;
	} else if (p->type == IKE_PL_NOTIFY) {
		r = ike_decode_notify(p->body, &n);
		if (r == IKE_PARSE_OK)
			read_notify(&n, in);
	}
	return r;
}

static bool read_child(const struct ike_chain *c, struct child_in *in)
{
	unsigned i;

	memset(in, 0, sizeof(*in));
	for (i = 0; i < c->n; i++)
		if (read_one(&c->pl[i], in) != IKE_PARSE_OK)
			return false;
	return true;
}

/* ---- responder ---- */

void ike_child_refuse(struct ike *ike, struct ike_sa *sa, uint32_t id,
		      uint16_t type, const void *data, size_t len)
{
	ikesa_respond_notify(ike, sa, IKE_EXCH_CREATE_CHILD_SA, id, type,
			     data, len);
}

/* What the responder settles on: the next Child SA, its nonce and, with
 * PFS, the new shared secret (secret). */
struct child_answer {
	struct ike_child next;
	uint8_t nr[IKE_NONCE_LEN];
	uint8_t shared[IKE_DH_SHARED_MAX];
	size_t shared_len;
	uint8_t want_group[2];    /* INVALID_KE_PAYLOAD's data */
};

/* The suite and selectors of the rekeyed or new Child SA (a->next),
 * checked against the request. 0, or the notification type of the
 * refusal. */
static uint16_t choose(struct ike *ike, struct ike_sa *sa,
		       const struct child_in *in, uint32_t new_in,
		       struct ike_proposal *reply, struct ike_ts_payload *tsi,
		       struct ike_ts_payload *tsr, struct child_answer *a)
{
	const struct ike_peer_cfg *cfg = ikesa_cfg(ike, sa);
	struct ike_child *c = &a->next;

	if (!in->has_sa || !in->has_tsi || !in->has_tsr || !in->nonce ||
	    in->transport != c->transport)
		return IKE_N_NO_PROPOSAL_CHOSEN;
	if (nego_esp_select(cfg, &in->sa, true, in->has_ke ? in->ke.group : 0,
			    new_in, &c->suite, &c->spi_out, reply))
		return IKE_N_NO_PROPOSAL_CHOSEN;
	if (c->suite.dh && (!in->has_ke || in->ke.group != c->suite.dh)) {
		/* §1.3: the initiator tries again with our group. */
		put_be16(a->want_group, c->suite.dh);
		return IKE_N_INVALID_KE_PAYLOAD;
	}
	if (nego_ts_narrow(cfg, &in->tsi, &in->tsr, tsi, tsr, c->sel,
			   &c->nsel))
		return IKE_N_TS_UNACCEPTABLE;
	return 0;
}

/* Negotiate the rekeyed or new Child SA into a and write the answer's
 * payloads; a notification type on refusal. */
static uint16_t negotiate(struct ike *ike, struct ike_sa *sa,
			  const struct child_in *in, uint32_t new_in,
			  struct ike_writer *w, struct child_answer *a)
{
	struct ike_ts_payload tsi, tsr;
	struct ike_proposal reply;
	struct ike_dh *dh = NULL;
	uint16_t refuse;

	refuse = choose(ike, sa, in, new_in, &reply, &tsi, &tsr, a);
	if (refuse)
		return refuse;
	if (a->next.suite.dh &&
	    ikesa_dh_answer(a->next.suite.dh, &in->ke, &dh, a->shared,
			    &a->shared_len)) {
		ike_dh_free(dh);
		return IKE_N_INVALID_SYNTAX;
	}
	if (a->next.transport)
		put_notify(w, IKE_N_USE_TRANSPORT_MODE);
	ike_put_sa(w, &reply, 1);
	ike_put_nonce(w, a->nr, sizeof(a->nr));
	if (dh)
		ikesa_put_ke(w, dh);
	ike_dh_free(dh);
	ike_put_ts(w, IKE_PL_TSI, tsi.ts, tsi.n);
	ike_put_ts(w, IKE_PL_TSR, tsr.ts, tsr.n);
	return 0;
}

/* Put the halves of a->next in force; the outbound half, when not among
 * them, kept in a->next.out. 0 or -errno. */
static int respond_install(struct ike *ike, struct ike_sa *sa,
			   const struct child_in *in, uint32_t new_in,
			   struct child_answer *a, unsigned halves)
{
	struct ike_child_seed seed = {
		.ni = in->nonce, .ni_len = in->nonce_len,
		.nr = a->nr, .nr_len = sizeof(a->nr),
		.g_ir = a->shared_len ? a->shared : NULL,
		.g_ir_len = a->shared_len,
	};

	a->next.spi_in = new_in;
	a->next.old_spi_in = 0;
	a->next.up = false;
	return ike_child_install(ike, sa, &a->next, false, &seed, halves);
}

/* The answered rekey takes effect: the new pair replaces the Child SA,
 * whose old outbound SA carries on until the switch. */
static void respond_adopt(struct ike *ike, struct ike_sa *sa,
			  struct child_answer *a)
{
	struct ike_child *c = &sa->child[a->next.slot];
	uint32_t old_out = c->spi_out, old_in = c->spi_in;

	*c = a->next;
	c->spi_out = old_out;
	c->old_spi_in = old_in;
	ike_child_schedule(ike, sa, c);
	ike->stats.child_rekeys++;
}

/* A rekey of the peer's met ours in flight (§2.25.1): answered as usual,
 * its pair kept aside until our answer settles which pair stays. */
static void respond_twin(struct ike_sa *sa, const struct child_in *in,
			 struct child_answer *a)
{
	struct ike_twin *t = &sa->twin;

	t->valid = true;
	t->idx = a->next.slot;
	t->next = a->next;
	memcpy(t->ni, in->nonce, in->nonce_len);
	t->ni_len = in->nonce_len;
	memcpy(t->nr, a->nr, sizeof(a->nr));
	t->nr_len = sizeof(a->nr);
}

/* Answer the request with the Child SA in a->next (negotiated, its
 * halves put in force); the response in buf[0..*len) or a refusal's
 * notification type. */
static uint16_t answer(struct ike *ike, struct ike_sa *sa,
		       const struct ike_msg *m, const struct child_in *in,
		       struct child_answer *a, unsigned halves, uint8_t *buf,
		       size_t cap, int *len)
{
	uint32_t new_in = ike_child_new_spi(ike);
	struct ike_writer w;
	uint16_t refuse;

	ike->env.random(ike->env.ctx, a->nr, sizeof(a->nr));
	ikesa_begin(sa, IKE_EXCH_CREATE_CHILD_SA, &w, buf, cap, true,
		    m->hdr.msg_id);
	refuse = negotiate(ike, sa, in, new_in, &w, a);
	*len = refuse ? -1 : ikesa_seal(sa, &w);
	if (*len >= 0 && respond_install(ike, sa, in, new_in, a, halves))
		refuse = IKE_N_TEMPORARY_FAILURE;
	secure_zero(a->shared, sizeof(a->shared));
	if (refuse)
		ike_child_refuse(ike, sa, m->hdr.msg_id, refuse, a->want_group,
				 refuse == IKE_N_INVALID_KE_PAYLOAD ? 2 : 0);
	return refuse ? refuse : *len < 0 ? IKE_N_TEMPORARY_FAILURE : 0;
}

static void rekey_respond(struct ike *ike, struct ike_sa *sa,
			  const struct ike_msg *m, const struct child_in *in)
{
	const struct ike_child *old = ike_child_by_out(sa, in->rekey_spi);
	uint32_t id = m->hdr.msg_id;
	bool collide;
	struct child_answer a;
	uint8_t buf[IKE_PKT_MAX];
	int len;

	if (!old) {
		ike_child_refuse(ike, sa, id, IKE_N_CHILD_SA_NOT_FOUND, NULL, 0);
		return;
	}
	collide = ike_rekeying(sa) && sa->pend.kind == IKE_REQ_CHILD_REKEY &&
		  sa->pend.idx == old->slot;
	if (old->out.valid || sa->twin.valid ||
	    (ike_rekeying(sa) && !collide)) {
		/* The last rekey is not finished, or an IKE SA rekey of ours
		 * is in flight: the peer tries again later (§2.25). */
		ike_child_refuse(ike, sa, id, IKE_N_TEMPORARY_FAILURE, NULL, 0);
		return;
	}
	memset(&a, 0, sizeof(a));
	a.next = *old;
	if (answer(ike, sa, m, in, &a, IKE_HALF_IN, buf, sizeof(buf), &len))
		return;
	if (collide)
		respond_twin(sa, in, &a);
	else
		respond_adopt(ike, sa, &a);
	secure_zero(&a, sizeof(a));
	ikesa_send_response(ike, sa, buf, (size_t)len, id);
}

/* A slot for one more Child SA: not in force, not the twin's, not the
 * one our own request for a new Child SA holds; 0 when none is left. */
static unsigned free_slot(const struct ike_sa *sa)
{
	unsigned i;

	for (i = 1; i < IKE_CHILDREN_MAX; i++)
		if (!sa->child[i].up && !(sa->twin.valid && sa->twin.idx == i) &&
		    !(sa->req.valid && sa->pend.kind == IKE_REQ_CHILD_NEW &&
		      sa->pend.idx == i))
			return i;
	return 0;
}

/* The peer asks for one more Child SA (§1.3.1): both halves in force at
 * once, as for the first one. */
static void new_respond(struct ike *ike, struct ike_sa *sa,
			const struct ike_msg *m, const struct child_in *in)
{
	const struct ike_peer_cfg *cfg = ikesa_cfg(ike, sa);
	unsigned slot = free_slot(sa);
	struct child_answer a;
	uint8_t buf[IKE_PKT_MAX];
	int len;

	if (!slot) {
		ike_child_refuse(ike, sa, m->hdr.msg_id,
				 IKE_N_NO_ADDITIONAL_SAS, NULL, 0);
		return;
	}
	memset(&a, 0, sizeof(a));
	a.next.slot = (uint8_t)slot;
	a.next.transport = cfg->mode == ESP_MODE_TRANSPORT;
	if (answer(ike, sa, m, in, &a, IKE_HALF_IN | IKE_HALF_OUT, buf,
		   sizeof(buf), &len))
		return;
	sa->child[slot] = a.next;
	ike_child_schedule(ike, sa, &sa->child[slot]);
	secure_zero(&a, sizeof(a));
	log_info("ike %s: one more Child SA, at the peer's request",
		 cfg->name);
	ikesa_send_response(ike, sa, buf, (size_t)len, m->hdr.msg_id);
}

void ike_child_request(struct ike *ike, struct ike_sa *sa,
		       const struct ike_msg *m, const struct ike_chain *inner)
{
	struct child_in in;

	if (sa->state != IKE_S_ESTABLISHED) {
		ike_child_refuse(ike, sa, m->hdr.msg_id,
				 IKE_N_TEMPORARY_FAILURE, NULL, 0);
		return;
	}
	if (!read_child(inner, &in)) {
		ike_count_drop(ike, IKE_DROP_MALFORMED);
		ike_child_refuse(ike, sa, m->hdr.msg_id, IKE_N_INVALID_SYNTAX,
				 NULL, 0);
		return;
	}
	if (in.has_sa && in.sa.n && in.sa.prop[0].protocol == IKE_PROTO_IKE) {
		ike_rekey_request(ike, sa, m, inner);
		return;
	}
	if (!in.rekey_spi) {
		new_respond(ike, sa, m, &in);
		return;
	}
	rekey_respond(ike, sa, m, &in);
}

/* ---- initiator: the answer ---- */

static void rekey_failed(struct ike *ike, struct ike_sa *sa, const char *why)
{
	if (sa->twin.valid || sa->pend.superseded) {
		/* The peer's simultaneous rekey stands instead (§2.25.1). */
		log_info("ike %s: the peer's Child SA rekey stands; ours: %s",
			 ikesa_cfg(ike, sa)->name, why);
		return;
	}
	log_warn("ike %s: Child SA rekey failed: %s", ikesa_cfg(ike, sa)->name,
		 why);
	/* Try again later: the old SA goes on meanwhile. */
	sa->child[sa->pend.idx].rekey_at = ike->env.now_ms(ike->env.ctx) +
					   ike_retry_delay(ike);
}

/* With PFS, the shared secret of our KE and the answer's into
 * shared[0..IKE_DH_SHARED_MAX) and *seed. 0, or -EBADMSG when the answer
 * does not go with what we sent. */
static int pfs_shared(const struct ike_rekey_state *p,
		      const struct child_in *in, uint16_t group,
		      uint8_t *shared, struct ike_child_seed *seed)
{
	size_t len = ike_dh_shared_len((enum ike_dh_group)group);

	if (!group)
		return 0;
	if (!p->dh || !in->has_ke || in->ke.group != group ||
	    ike_dh_group_of(p->dh) != group ||
	    ike_dh_compute_shared(p->dh, in->ke.data, in->ke.len, shared, len))
		return -EBADMSG;
	seed->g_ir = shared;
	seed->g_ir_len = len;
	return 0;
}

/* Simultaneous rekeys (§2.8.1): the pair whose exchange has the lowest of
 * the four nonces is redundant, and closed by the side that created it.
 * Whether that is ours (nonces ni, nr) rather than the twin. */
static bool ours_redundant(const uint8_t *ni, size_t ni_len,
			   const uint8_t *nr, size_t nr_len,
			   const struct ike_twin *t)
{
	return ike_nonces_lowest(ni, ni_len, nr, nr_len, t->ni, t->ni_len,
				 t->nr, t->nr_len);
}

/* Our pair lost to the peer's (or came after it went in force): its
 * inbound half in force for what the peer may send on it meanwhile, then
 * deleted by us, its creator; the peer's pair stays. */
static void rekey_redundant(struct ike *ike, struct ike_sa *sa,
			    struct ike_child *next,
			    const struct ike_child_seed *seed)
{
	uint32_t spi = next->spi_in;

	if (ike_child_install(ike, sa, next, true, seed, IKE_HALF_IN))
		spi = 0;
	secure_zero(&next->out, sizeof(next->out));
	ike_child_twin_promote(ike, sa);
	log_info("ike %s: simultaneous Child SA rekeys: the peer's stays, "
		 "ours goes", ikesa_cfg(ike, sa)->name);
	if (spi)
		ike_info_send_child_delete(ike, sa, spi);
}

static void rekey_done(struct ike *ike, struct ike_sa *sa,
		       const struct child_in *in)
{
	const struct ike_peer_cfg *cfg = ikesa_cfg(ike, sa);
	struct ike_rekey_state *p = &sa->pend;
	struct ike_child *c = &sa->child[p->idx];
	struct ike_child next = *c, old = *c;
	uint8_t shared[IKE_DH_SHARED_MAX];
	struct ike_child_seed seed = {
		.ni = p->nonce, .ni_len = p->nonce_len,
		.nr = in->nonce, .nr_len = in->nonce_len,
	};
	int err;

	if (nego_esp_check(cfg, &in->sa, true, &next.suite, &next.spi_out) ||
	    nego_ts_check(cfg, &in->tsi, &in->tsr, next.sel, &next.nsel) ||
	    in->transport != old.transport || !in->nonce ||
	    pfs_shared(p, in, next.suite.dh, shared, &seed)) {
		rekey_failed(ike, sa, "unacceptable answer");
		return;
	}
	next.spi_in = p->spi;
	next.old_spi_in = old.spi_in;
	next.out.valid = false;
	if (p->superseded || (sa->twin.valid &&
			      ours_redundant(p->nonce, p->nonce_len, in->nonce,
					     in->nonce_len, &sa->twin))) {
		rekey_redundant(ike, sa, &next, &seed);
		secure_zero(shared, sizeof(shared));
		return;
	}
	err = ike_child_install(ike, sa, &next, true, &seed,
				IKE_HALF_IN | IKE_HALF_OUT);
	secure_zero(shared, sizeof(shared));
	if (err) {
		rekey_failed(ike, sa, "the data plane refused the new SAs");
		return;
	}
	*c = next;
	ike_child_schedule(ike, sa, c);
	ike->stats.child_rekeys++;
	if (sa->twin.valid) {
		/* The peer's pair is the redundant one: the peer deletes it;
		 * nothing is ever sent on it, so its inbound half just goes
		 * after the grace time. */
		log_info("ike %s: simultaneous Child SA rekeys: ours stays, "
			 "the peer's goes", cfg->name);
		ike_child_retire(ike, sa, sa->twin.next.spi_in);
		secure_zero(&sa->twin, sizeof(sa->twin));
	}
	/* The old pair goes; its inbound half after the grace time. */
	ike_info_send_child_delete(ike, sa, old.spi_in);
}

/* INVALID_KE_PAYLOAD naming another group we offer: ask again at once
 * with it (§1.3). True when the new request is out. */
static bool retry_group(struct ike *ike, struct ike_sa *sa,
			const struct child_in *in)
{
	const struct ike_dh *dh = sa->pend.dh;

	if (in->error != IKE_N_INVALID_KE_PAYLOAD || !in->ke_wanted ||
	    (dh && ike_dh_group_of(dh) == in->ke_wanted) ||
	    !nego_esp_dh_offered(ikesa_cfg(ike, sa), in->ke_wanted))
		return false;
	return child_send(ike, sa, in->ke_wanted) == 0;
}

static void child_rekey_answer(struct ike *ike, struct ike_sa *sa,
			       const struct ike_chain *inner)
{
	struct child_in in;

	if (!read_child(inner, &in))
		rekey_failed(ike, sa, "malformed answer");
	else if (retry_group(ike, sa, &in))
		return; /* its key pair stays for the new answer */
	else if (in.error)
		rekey_failed(ike, sa, ike_notify_name(in.error));
	else
		rekey_done(ike, sa, &in);
	/* Ours failed with the peer's answered: the peer's is the rekey. */
	ike_child_twin_promote(ike, sa);
	if (!sa->req.valid) /* else a DELETE of ours is out */
		sa->pend.kind = IKE_REQ_NONE;
	ike_dh_free(sa->pend.dh);
	sa->pend.dh = NULL;
	sa->pend.superseded = false;
}

/* Whether Child SA c would carry some flow none in force carries. */
static bool adds_traffic(const struct ike_sa *sa, const struct ike_child *c)
{
	unsigned j;

	for (j = 0; j < c->nsel; j++)
		if (!carried(sa, &c->sel[j]))
			return true;
	return false;
}

/* The answer to our request for one more Child SA: both halves in force,
 * in the slot the request held. */
static void new_done(struct ike *ike, struct ike_sa *sa,
		     const struct child_in *in)
{
	const struct ike_peer_cfg *cfg = ikesa_cfg(ike, sa);
	struct ike_rekey_state *p = &sa->pend;
	uint8_t shared[IKE_DH_SHARED_MAX];
	struct ike_child_seed seed = {
		.ni = p->nonce, .ni_len = p->nonce_len,
		.nr = in->nonce, .nr_len = in->nonce_len,
	};
	struct ike_child next;
	int err = -EBADMSG;

	memset(&next, 0, sizeof(next));
	next.slot = (uint8_t)p->idx;
	next.transport = cfg->mode == ESP_MODE_TRANSPORT;
	next.spi_in = p->spi;
	if (!nego_esp_check(cfg, &in->sa, true, &next.suite, &next.spi_out) &&
	    !nego_ts_check(cfg, &in->tsi, &in->tsr, next.sel, &next.nsel) &&
	    in->transport == next.transport && in->nonce &&
	    !pfs_shared(p, in, next.suite.dh, shared, &seed))
		err = adds_traffic(sa, &next) ?
			ike_child_install(ike, sa, &next, true, &seed,
					  IKE_HALF_IN | IKE_HALF_OUT) : -EEXIST;
	secure_zero(shared, sizeof(shared));
	if (err == -EEXIST) {
		/* Narrowed to what the others carry already: the peer's
		 * halves go again. */
		log_info("ike %s: one more Child SA would carry nothing new: "
			 "deleted", cfg->name);
		ike_info_send_child_delete(ike, sa, next.spi_in);
		return;
	}
	if (err) {
		log_warn("ike %s: the answer for one more Child SA is "
			 "unacceptable", cfg->name);
		return;
	}
	sa->child[p->idx] = next;
	ike_child_schedule(ike, sa, &sa->child[p->idx]);
}

static void child_new_answer(struct ike *ike, struct ike_sa *sa,
			     const struct ike_chain *inner)
{
	struct child_in in;

	if (!read_child(inner, &in))
		log_warn("ike %s: a malformed answer for one more Child SA",
			 ikesa_cfg(ike, sa)->name);
	else if (retry_group(ike, sa, &in))
		return;
	else if (in.error)
		/* Not asked again on this IKE SA (sa->child_asked). */
		log_info("ike %s: no Child SA for selector %u: %s",
			 ikesa_cfg(ike, sa)->name, sa->pend.sel + 1,
			 ike_notify_name(in.error));
	else
		new_done(ike, sa, &in);
	if (!sa->req.valid)
		sa->pend.kind = IKE_REQ_NONE;
	ike_dh_free(sa->pend.dh);
	sa->pend.dh = NULL;
}

void ike_child_response(struct ike *ike, struct ike_sa *sa,
			const struct ike_msg *m, const struct ike_chain *inner)
{
	enum ike_req_kind kind = sa->pend.kind;

	(void)m;
	sa->req.valid = false;
	sa->rtx_at = 0;
	sa->next_req++;
	/* A Child SA's answer keeps the kind: it may ask again at once. */
	if (kind != IKE_REQ_CHILD_REKEY && kind != IKE_REQ_CHILD_NEW)
		sa->pend.kind = IKE_REQ_NONE;
	if (kind == IKE_REQ_IKE_REKEY)
		ike_rekey_response(ike, sa, inner);
	else if (kind == IKE_REQ_CHILD_REKEY)
		child_rekey_answer(ike, sa, inner);
	else if (kind == IKE_REQ_CHILD_NEW)
		child_new_answer(ike, sa, inner);
	else
		ike_count_drop(ike, IKE_DROP_UNEXPECTED);
}
