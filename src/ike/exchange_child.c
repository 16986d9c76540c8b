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

/* Our request rekeying the Child SA; with PFS (group != 0) a KE payload
 * of group, whose key pair waits in sa->pend for the answer. */
static int rekey_send(struct ike *ike, struct ike_sa *sa, uint16_t group)
{
	const struct ike_peer_cfg *cfg = ikesa_cfg(ike, sa);
	struct ike_proposal props[IKE_OFFERS_MAX];
	struct ike_ts_payload tsi, tsr;
	struct ike_rekey_state *p = &sa->pend;
	uint8_t buf[IKE_PKT_MAX];
	struct ike_writer w;
	unsigned n;
	int len;

	if (nego_ts_offer(cfg, &tsi, &tsr))
		return -EINVAL;
	ike_dh_free(p->dh);
	p->dh = NULL;
	if (group && ike_dh_new(&p->dh, (enum ike_dh_group)group))
		return -ENOTSUP;
	p->kind = IKE_REQ_CHILD_REKEY;
	p->spi = ike_child_new_spi(ike);
	p->nonce_len = IKE_NONCE_LEN;
	ike->env.random(ike->env.ctx, p->nonce, p->nonce_len);
	nego_esp_offer(cfg, p->spi, true, props, &n);
	ikesa_begin(sa, IKE_EXCH_CREATE_CHILD_SA, &w,
		    buf, sizeof(buf), false, 0);
	put_notify_spi(&w, IKE_N_REKEY_SA, sa->child.spi_in);
	if (sa->child.transport)
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
	log_info("ike %s: rekeying the Child SA (new spi in %08x%s%s)",
		 cfg->name, p->spi, group ? ", pfs " : "",
		 group ? ike_xform_id_name(IKE_XF_DH, group) : "");
	return 0;
}

int ike_child_rekey_start(struct ike *ike, struct ike_sa *sa)
{
	if (sa->state != IKE_S_ESTABLISHED || !sa->child.up)
		return -ENOENT;
	if (sa->req.valid)
		return -EBUSY;
	return rekey_send(ike, sa, nego_esp_first_dh(ikesa_cfg(ike, sa)));
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

/* The suite and selectors of the rekeyed child (a->next), checked against
 * the request. 0, or the notification type of the refusal. */
static uint16_t choose(struct ike *ike, struct ike_sa *sa,
		       const struct child_in *in, uint32_t new_in,
		       struct ike_proposal *reply, struct ike_ts_payload *tsi,
		       struct ike_ts_payload *tsr, struct child_answer *a)
{
	const struct ike_peer_cfg *cfg = ikesa_cfg(ike, sa);
	struct ike_child *c = &a->next;

	if (!in->has_sa || !in->has_tsi || !in->has_tsr || !in->nonce ||
	    in->transport != sa->child.transport)
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

/* Negotiate the rekeyed child into a and write the answer's payloads; a
 * notification type on refusal. */
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

/* Put the new inbound half of a->next in force, its outbound half kept in
 * a->next.out. 0 or -errno. */
static int respond_install(struct ike *ike, struct ike_sa *sa,
			   const struct child_in *in, uint32_t new_in,
			   struct child_answer *a)
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
	return ike_child_install(ike, sa, &a->next, false, &seed, IKE_HALF_IN);
}

/* The answered rekey takes effect: the new pair replaces the Child SA,
 * whose old outbound SA carries on until the switch. */
static void respond_adopt(struct ike *ike, struct ike_sa *sa,
			  struct child_answer *a)
{
	uint32_t old_out = sa->child.spi_out, old_in = sa->child.spi_in;

	sa->child = a->next;
	sa->child.spi_out = old_out;
	sa->child.old_spi_in = old_in;
	ike_child_schedule(ike, sa);
	ike->stats.child_rekeys++;
}

/* A rekey of the peer's met ours in flight (§2.25.1): answered as usual,
 * its pair kept aside until our answer settles which pair stays. */
static void respond_twin(struct ike_sa *sa, const struct child_in *in,
			 struct child_answer *a)
{
	struct ike_twin *t = &sa->twin;

	t->valid = true;
	t->next = a->next;
	memcpy(t->ni, in->nonce, in->nonce_len);
	t->ni_len = in->nonce_len;
	memcpy(t->nr, a->nr, sizeof(a->nr));
	t->nr_len = sizeof(a->nr);
}

static void rekey_respond(struct ike *ike, struct ike_sa *sa,
			  const struct ike_msg *m, const struct child_in *in)
{
	const struct ike_child *old = &sa->child;
	uint32_t id = m->hdr.msg_id, new_in = ike_child_new_spi(ike);
	bool collide = ike_rekeying(sa) && sa->pend.kind == IKE_REQ_CHILD_REKEY;
	struct child_answer a;
	uint8_t buf[IKE_PKT_MAX];
	struct ike_writer w;
	uint16_t refuse;
	int len;

	if (!old->up || old->spi_out != in->rekey_spi) {
		ike_child_refuse(ike, sa, id, IKE_N_CHILD_SA_NOT_FOUND, NULL, 0);
		return;
	}
	if (old->out.valid || sa->twin.valid ||
	    (ike_rekeying(sa) && !collide)) {
		/* The last rekey is not finished, or an IKE SA rekey of ours
		 * is in flight: the peer tries again later (§2.25). */
		ike_child_refuse(ike, sa, id, IKE_N_TEMPORARY_FAILURE, NULL, 0);
		return;
	}
	memset(&a, 0, sizeof(a));
	a.next = *old;
	ike->env.random(ike->env.ctx, a.nr, sizeof(a.nr));
	ikesa_begin(sa, IKE_EXCH_CREATE_CHILD_SA, &w,
		    buf, sizeof(buf), true, id);
	refuse = negotiate(ike, sa, in, new_in, &w, &a);
	len = refuse ? -1 : ikesa_seal(sa, &w);
	if (len >= 0 && respond_install(ike, sa, in, new_in, &a))
		refuse = IKE_N_TEMPORARY_FAILURE;
	secure_zero(a.shared, sizeof(a.shared));
	if (refuse) {
		ike_child_refuse(ike, sa, id, refuse, a.want_group,
				 refuse == IKE_N_INVALID_KE_PAYLOAD ? 2 : 0);
		return;
	}
	if (len < 0)
		return;
	if (collide)
		respond_twin(sa, in, &a);
	else
		respond_adopt(ike, sa, &a);
	secure_zero(&a, sizeof(a));
	ikesa_send_response(ike, sa, buf, (size_t)len, id);
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
		/* One Child SA per peer: no more (§1.3.1). */
		ike_child_refuse(ike, sa, m->hdr.msg_id,
				 IKE_N_NO_ADDITIONAL_SAS, NULL, 0);
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
	sa->child.rekey_at = ike->env.now_ms(ike->env.ctx) +
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

/* Octet by octet, a prefix before what it starts (§2.8.1's "lowest"). */
static int nonce_cmp(const uint8_t *a, size_t alen, const uint8_t *b,
		     size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	return c ? c : (alen > blen) - (alen < blen);
}

/* Simultaneous rekeys (§2.8.1): the pair whose exchange has the lowest of
 * the four nonces is redundant, and closed by the side that created it.
 * Whether that is ours (nonces ni, nr) rather than the twin. */
static bool ours_redundant(const uint8_t *ni, size_t ni_len,
			   const uint8_t *nr, size_t nr_len,
			   const struct ike_twin *t)
{
	const uint8_t *lo = ni;
	size_t lo_len = ni_len;

	if (nonce_cmp(nr, nr_len, lo, lo_len) < 0) {
		lo = nr;
		lo_len = nr_len;
	}
	return nonce_cmp(lo, lo_len, t->ni, t->ni_len) < 0 &&
	       nonce_cmp(lo, lo_len, t->nr, t->nr_len) < 0;
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
	struct ike_child next = sa->child, old = sa->child;
	struct ike_rekey_state *p = &sa->pend;
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
	sa->child = next;
	ike_child_schedule(ike, sa);
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
	return rekey_send(ike, sa, in->ke_wanted) == 0;
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
	ike_dh_free(sa->pend.dh);
	sa->pend.dh = NULL;
	sa->pend.superseded = false;
}

void ike_child_response(struct ike *ike, struct ike_sa *sa,
			const struct ike_msg *m, const struct ike_chain *inner)
{
	enum ike_req_kind kind = sa->pend.kind;

	(void)m;
	sa->req.valid = false;
	sa->rtx_at = 0;
	sa->next_req++;
	sa->pend.kind = IKE_REQ_NONE;
	if (kind == IKE_REQ_IKE_REKEY)
		ike_rekey_response(ike, sa, inner);
	else if (kind == IKE_REQ_CHILD_REKEY)
		child_rekey_answer(ike, sa, inner);
	else
		ike_count_drop(ike, IKE_DROP_UNEXPECTED);
}
