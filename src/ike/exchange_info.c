/* SPDX-License-Identifier: MIT */
/*
 * INFORMATIONAL (RFC 7296 §1.4): deleting the IKE SA or a Child SA, and
 * liveness checks (an empty request, §2.4).
 */
#include <errno.h>
#include <string.h>

#include "ike/ikesa.h"
#include "util/bytes.h"
#include "util/log.h"
#include "util/secure.h"

/* Start an INFORMATIONAL message on sa; payloads go inside its SK. */
static void send_request(struct ike *ike, struct ike_sa *sa,
			 struct ike_writer *w)
{
	int len = ikesa_seal(sa, w);

	if (len > 0)
		ikesa_send_request(ike, sa, w->buf, (size_t)len);
}

void ike_info_send_delete(struct ike *ike, struct ike_sa *sa)
{
	struct ike_delete d = { .protocol = IKE_PROTO_IKE };
	uint8_t buf[512];
	struct ike_writer w;

	if (sa->req.valid || !sa->sk_out) {
		sa->state = IKE_S_DEAD; /* no room in the window: just go */
		return;
	}
	ikesa_begin(sa, IKE_EXCH_INFORMATIONAL, &w, buf, sizeof(buf), false, 0);
	ike_put_delete(&w, &d);
	send_request(ike, sa, &w);
	sa->state = IKE_S_DELETING;
}

void ike_info_send_dpd(struct ike *ike, struct ike_sa *sa)
{
	uint8_t buf[256];
	struct ike_writer w;

	if (sa->req.valid)
		return;
	ikesa_begin(sa, IKE_EXCH_INFORMATIONAL, &w, buf, sizeof(buf), false, 0);
	send_request(ike, sa, &w);
}

/* What the peer deletes: the IKE SA, or SPIs of its inbound ESP SAs. */
struct deletes {
	bool ike;
	bool child;               /* our Child SA's outbound SPI is named */
	bool twin;                /* the twin's (its redundant pair) */
};

void ike_info_send_child_delete(struct ike *ike, struct ike_sa *sa,
				uint32_t spi)
{
	uint8_t s[4], buf[512];
	struct ike_delete d = { .protocol = IKE_PROTO_ESP, .spi_size = 4,
				.count = 1, .spis = s };
	struct ike_writer w;

	put_be32(s, spi);
	if (sa->req.valid) {
		/* No room in the window: the SA goes after its grace. */
		ike_child_retire(ike, sa, spi);
		if (sa->child.old_spi_in == spi)
			sa->child.old_spi_in = 0;
		return;
	}
	ikesa_begin(sa, IKE_EXCH_INFORMATIONAL, &w, buf, sizeof(buf), false, 0);
	ike_put_delete(&w, &d);
	sa->pend.kind = IKE_REQ_CHILD_DELETE;
	sa->pend.spi = spi;
	send_request(ike, sa, &w);
}

static bool read_deletes(const struct ike_sa *sa, const struct ike_chain *c,
			 struct deletes *del)
{
	struct ike_delete d;
	unsigned i, k;

	memset(del, 0, sizeof(*del));
	for (i = 0; i < c->n; i++) {
		if (c->pl[i].type != IKE_PL_DELETE)
			continue;
		if (ike_decode_delete(c->pl[i].body, &d) != IKE_PARSE_OK)
			return false;
		if (d.protocol == IKE_PROTO_IKE)
			del->ike = true;
		for (k = 0; d.protocol == IKE_PROTO_ESP && k < d.count; k++) {
			uint32_t spi = get_be32(d.spis + 4 * k);

			if (spi == sa->child.spi_out && sa->child.up)
				del->child = true;
			else if (sa->twin.valid &&
				 spi == sa->twin.next.spi_out)
				del->twin = true;
		}
	}
	return true;
}

/* The peer deletes the old pair of a Child SA we answered a rekey for:
 * its new inbound SA is in force, so ours switches outbound now; we
 * delete our old inbound one in the answer, and keep it for the grace
 * time. */
static bool rekey_finished(struct ike *ike, struct ike_sa *sa,
			   struct ike_writer *w, uint32_t *old_in)
{
	struct ike_child *c = &sa->child;
	uint8_t spi[4];
	struct ike_delete d = { .protocol = IKE_PROTO_ESP, .spi_size = 4,
				.count = 1, .spis = spi };

	if (!c->out.valid)
		return false;
	ike_child_switch_out(ike, sa);
	*old_in = c->old_spi_in;
	c->old_spi_in = 0;
	if (*old_in) {
		put_be32(spi, *old_in);
		ike_put_delete(w, &d);
	}
	return true;
}

/* The peer deletes the pair of its own rekey that lost to ours
 * (§2.8.1), before our answer told us: it may have sent on it, so our
 * inbound half goes after the grace time. */
static uint32_t twin_deleted(struct ike_sa *sa, struct ike_writer *w)
{
	uint32_t spi_in = sa->twin.next.spi_in;
	uint8_t spi[4];
	struct ike_delete d = { .protocol = IKE_PROTO_ESP, .spi_size = 4,
				.count = 1, .spis = spi };

	put_be32(spi, spi_in);
	ike_put_delete(w, &d);
	secure_zero(&sa->twin, sizeof(sa->twin));
	return spi_in;
}

static void child_deleted(struct ike *ike, struct ike_sa *sa,
			  struct ike_writer *w)
{
	uint8_t spi[4];
	struct ike_delete d = { .protocol = IKE_PROTO_ESP, .spi_size = 4,
				.count = 1, .spis = spi };

	put_be32(spi, sa->child.spi_in);
	ike_put_delete(w, &d);
	log_info("ike %s: the peer deleted the Child SA",
		 ikesa_cfg(ike, sa)->name);
	ike->env.child_down(ike->env.ctx, sa->peer, sa->child.spi_in,
			    sa->child.spi_out);
	if (sa->child.old_spi_in)
		ike->env.child_down(ike->env.ctx, sa->peer,
				    sa->child.old_spi_in, 0);
	memset(&sa->child, 0, sizeof(sa->child));
}

void ike_info_request(struct ike *ike, struct ike_sa *sa,
		      const struct ike_msg *m, const struct ike_chain *in)
{
	uint8_t buf[512];
	struct deletes del;
	struct ike_writer w;
	uint32_t old_in = 0, twin_in = 0;
	bool switched = false;
	int len;

	if (!read_deletes(sa, in, &del)) {
		ike_count_drop(ike, IKE_DROP_MALFORMED);
		return;
	}
	ikesa_begin(sa, IKE_EXCH_INFORMATIONAL, &w,
		    buf, sizeof(buf), true, m->hdr.msg_id);
	if (del.child && !del.ike && !sa->child.out.valid && sa->twin.valid) {
		/* The peer finished its rekey of the pair ours is rekeying
		 * too, and deletes the old pair: its pair stays (§2.25.1),
		 * ours will go when its answer comes. */
		ike_child_twin_promote(ike, sa);
		if (ike_rekeying(sa) && sa->pend.kind == IKE_REQ_CHILD_REKEY)
			sa->pend.superseded = true;
	}
	if (del.child && !del.ike)
		switched = rekey_finished(ike, sa, &w, &old_in);
	if (del.child && !del.ike && !switched)
		child_deleted(ike, sa, &w);
	if (del.twin && !del.ike)
		twin_in = twin_deleted(sa, &w);
	len = ikesa_seal(sa, &w);
	if (len > 0)
		ikesa_send_response(ike, sa, buf, (size_t)len, m->hdr.msg_id);
	if (old_in)
		ike_child_retire(ike, sa, old_in);
	if (twin_in)
		ike_child_retire(ike, sa, twin_in);
	if (del.ike) {
		log_info("ike %s: the peer deleted the IKE SA",
			 ikesa_cfg(ike, sa)->name);
		if (sa->state != IKE_S_REKEYED)
			ike->stats.deleted++;
		sa->state = IKE_S_DEAD;
	}
}

void ike_info_response(struct ike *ike, struct ike_sa *sa,
		       const struct ike_msg *m, const struct ike_chain *in)
{
	(void)in;
	if (!sa->req.valid || m->hdr.msg_id != sa->req.msg_id) {
		ike_count_drop(ike, IKE_DROP_UNEXPECTED);
		return;
	}
	sa->req.valid = false;
	sa->rtx_at = 0;
	sa->next_req++;
	if (sa->pend.kind == IKE_REQ_CHILD_DELETE) {
		/* Our old inbound SA of a rekey: it goes after its grace. */
		ike_child_retire(ike, sa, sa->pend.spi);
		if (sa->child.old_spi_in == sa->pend.spi)
			sa->child.old_spi_in = 0;
	}
	sa->pend.kind = IKE_REQ_NONE;
	if (sa->state == IKE_S_DELETING) {
		ike->stats.deleted++;
		sa->state = IKE_S_DEAD;
	}
}
