/* SPDX-License-Identifier: MIT */
/*
 * IKE_SA_INIT (RFC 7296 §1.2): proposals, key exchange and nonces, NAT
 * detection (§2.23), COOKIE (§2.6) and INVALID_KE_PAYLOAD (§1.2) retries.
 *
 * tunsec's data plane carries ESP in UDP only (RFC 3948), so both sides
 * must believe a NAT lies between them: our NAT_DETECTION_SOURCE_IP is a
 * hash of nothing the peer can reproduce, which makes the peer encapsulate
 * (as strongSwan's "encap = yes" does), and we move to port 4500 for
 * everything after IKE_SA_INIT. The peer's NAT_DETECTION_DESTINATION_IP
 * is checked honestly: when it is not the hash of our own address and
 * port, a NAT stands in front of us and we send NAT-keepalives (ike.c).
 */
#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "ike/cookie.h"
#include "ike/ikesa.h"
#include "ike/nego.h"
#include "util/bytes.h"
#include "util/log.h"
#include "util/secure.h"

/* NAT detection data: SHA-1(SPIi | SPIr | IP | port) (§2.23). */
static int natd_hash(uint64_t spi_i, uint64_t spi_r,
		     const struct ike_endpoint *ep, uint8_t out[20])
{
	uint8_t in[8 + 8 + 16 + 2];
	size_t alen = addr_len(ep->addr.family);
	unsigned md_len = 0;

	put_be64(in, spi_i);
	put_be64(in + 8, spi_r);
	memcpy(in + 16, ep->addr.bytes, alen);
	put_be16(in + 16 + alen, ep->port);
	if (!EVP_Digest(in, 16 + alen + 2, out, &md_len, EVP_sha1(), NULL) ||
	    md_len != 20)
		return -EIO;
	return 0;
}

static int put_notify(struct ike_writer *w, uint16_t type, const void *data,
		      size_t len)
{
	struct ike_notify n = { .type = type, .data = data, .len = len };

	return ike_put_notify(w, &n);
}

/* Both NAT detection notifications: the destination's real, the source's
 * one the peer cannot match (see the top of the file). */
static void put_natd(struct ike *ike, struct ike_writer *w,
		     const struct ike_sa *sa)
{
	uint8_t h[IKE_NATD_HASH_LEN];

	ike->env.random(ike->env.ctx, h, sizeof(h));
	put_notify(w, IKE_N_NAT_DETECTION_SOURCE_IP, h, sizeof(h));
	if (!natd_hash(sa->spi_i, sa->spi_r, &sa->remote, h))
		put_notify(w, IKE_N_NAT_DETECTION_DESTINATION_IP, h, sizeof(h));
}

/* Whether a NAT stands in front of us: the peer's hash of the address and
 * port it sent to is not ours (§2.23); then we keep the NAT's mapping
 * open with keepalives. No notification: no NAT known. */
static bool nat_in_front(uint64_t spi_i, uint64_t spi_r,
			 const struct ike_endpoint *local,
			 const struct ike_notify *dst)
{
	uint8_t h[IKE_NATD_HASH_LEN];

	if (!dst->type || dst->len != sizeof(h) ||
	    natd_hash(spi_i, spi_r, local, h))
		return false;
	return memcmp(h, dst->data, sizeof(h)) != 0;
}

static void note_nat(struct ike *ike, struct ike_sa *sa)
{
	if (sa->nat_local)
		log_info("ike %s: a NAT is in front of us: NAT-keepalives "
			 "every %u s", ikesa_cfg(ike, sa)->name,
			 ikesa_cfg(ike, sa)->keepalive_s);
}

/* The hashes we take in RFC 7427 signatures (§4). */
static void put_hashes(struct ike_writer *w)
{
	static const uint8_t h[] = { 0, IKE_HASH_SHA2_256, 0, IKE_HASH_SHA2_384,
				     0, IKE_HASH_SHA2_512 };

	put_notify(w, IKE_N_SIGNATURE_HASH_ALGORITHMS, h, sizeof(h));
}

/* The peer's SIGNATURE_HASH_ALGORITHMS, as far as there is room. */
static void keep_hashes(struct ike_sa *sa, const struct ike_notify *n)
{
	size_t i;

	sa->n_peer_hashes = 0;
	for (i = 0; n->type && i + 1 < n->len && sa->n_peer_hashes < 8; i += 2)
		sa->peer_hashes[sa->n_peer_hashes++] = get_be16(n->data + i);
}

static uint8_t *dup_bytes(const uint8_t *p, size_t len)
{
	uint8_t *d = malloc(len);

	if (d)
		memcpy(d, p, len);
	return d;
}

/* (Re)build and send our IKE_SA_INIT request with the key exchange of
 * group (and the COOKIE, when the responder asked for one). */
static int send_init(struct ike *ike, struct ike_sa *sa, uint16_t group)
{
	const struct ike_peer_cfg *cfg = ikesa_cfg(ike, sa);
	struct ike_proposal props[IKE_OFFERS_MAX];
	uint8_t buf[IKE_PKT_MAX];
	struct ike_writer w;
	struct ike_hdr h;
	unsigned n;
	int len;

	ike_dh_free(sa->dh);
	sa->dh = NULL;
	if (ike_dh_new(&sa->dh, (enum ike_dh_group)group))
		return -ENOTSUP;
	nego_ike_offer(cfg, props, &n);
	ikesa_hdr(sa, &h, IKE_EXCH_SA_INIT, false, 0);
	ike_writer_init(&w, buf, sizeof(buf), &h);
	if (sa->cookie_len)
		put_notify(&w, IKE_N_COOKIE, sa->cookie, sa->cookie_len);
	ike_put_sa(&w, props, n);
	ikesa_put_ke(&w, sa->dh);
	ike_put_nonce(&w, sa->ni, sa->ni_len);
	put_natd(ike, &w, sa);
	put_hashes(&w);
	if (cfg->fragmentation)
		put_notify(&w, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
	len = ike_writer_finish(&w);
	if (len < 0)
		return len;
	free(sa->init_i);
	sa->init_i = dup_bytes(buf, (size_t)len);
	if (!sa->init_i)
		return -ENOMEM;
	sa->init_i_len = (size_t)len;
	sa->state = IKE_S_INIT_SENT;
	ikesa_send_request(ike, sa, buf, (size_t)len);
	return 0;
}

int ike_init_start(struct ike *ike, unsigned peer)
{
	const struct ike_peer_cfg *cfg = &ike->peers[peer];
	struct ike_sa *sa;
	int err;

	if (!cfg->nike)
		return -EINVAL;
	sa = ikesa_new(ike, peer, true);
	if (!sa)
		return -ENOMEM;
	sa->ni_len = IKE_NONCE_LEN;
	ike->env.random(ike->env.ctx, sa->ni, sa->ni_len);
	err = send_init(ike, sa, ike_proposals_first_dh(cfg->ike, cfg->nike));
	if (err) {
		log_warn("ike %s: cannot start: %s", cfg->name, strerror(-err));
		ikesa_free(ike, sa);
	}
	return err;
}

/* ---- payloads of a received IKE_SA_INIT ---- */

struct init_in {
	struct ike_sa_payload sa;
	struct ike_ke ke;
	const uint8_t *nonce;
	size_t nonce_len;
	struct ike_notify err;    /* an error notification, type 0: none */
	struct ike_notify cookie, invalid_ke, hashes;
	struct ike_notify natd_dst; /* NAT_DETECTION_DESTINATION_IP */
	bool frag;                /* IKEV2_FRAGMENTATION_SUPPORTED */
	bool has_sa, has_ke;
};

static void read_notify(const struct ike_notify *n, struct init_in *in)
{
	if (n->type == IKE_N_IKEV2_FRAGMENTATION_SUPPORTED)
		in->frag = true;
	else if (n->type == IKE_N_SIGNATURE_HASH_ALGORITHMS)
		in->hashes = *n;
	else if (n->type == IKE_N_COOKIE)
		in->cookie = *n;
	else if (n->type == IKE_N_INVALID_KE_PAYLOAD)
		in->invalid_ke = *n;
	else if (n->type == IKE_N_NAT_DETECTION_DESTINATION_IP &&
		 !in->natd_dst.type)
		in->natd_dst = *n;
	else if (n->type < IKE_NOTIFY_STATUS_MIN && !in->err.type)
		in->err = *n;
}

/* Decode what IKE_SA_INIT carries; false when a payload is malformed. */
static bool read_init(const struct ike_chain *c, struct init_in *in)
{
	struct ike_notify n;
	unsigned i;

	memset(in, 0, sizeof(*in));
	for (i = 0; i < c->n; i++) {
		const struct ike_payload *p = &c->pl[i];
		enum ike_parse r = IKE_PARSE_OK;

		if (p->type == IKE_PL_SA) {
			r = ike_decode_sa(p->body, &in->sa);
			in->has_sa = r == IKE_PARSE_OK;
		} else if (p->type == IKE_PL_KE) {
			r = ike_decode_ke(p->body, &in->ke);
			in->has_ke = r == IKE_PARSE_OK;
		} else if (p->type == IKE_PL_NONCE) {
			r = ike_decode_nonce(p->body, &in->nonce,
					     &in->nonce_len);
		} else if (p->type == IKE_PL_NOTIFY) {
			r = ike_decode_notify(p->body, &n);
			if (r == IKE_PARSE_OK)
				read_notify(&n, in);
		}
		if (r != IKE_PARSE_OK)
			return false;
	}
	return true;
}

/* ---- responder ---- */

/* An error answer outside any SA: a notification in the clear (§2.21.1). */
static void answer_error(struct ike *ike, const struct ike_msg *m,
			 const struct ike_endpoint *local,
			 const struct ike_endpoint *remote, uint16_t type,
			 const void *data, size_t len)
{
	uint8_t buf[256];
	struct ike_writer w;
	struct ike_hdr h = {
		.spi_i = m->hdr.spi_i, .exchange = m->hdr.exchange,
		.flags = IKE_FLAG_RESPONSE, .msg_id = m->hdr.msg_id,
	};
	int n;

	ike_writer_init(&w, buf, sizeof(buf), &h);
	put_notify(&w, type, data, len);
	n = ike_writer_finish(&w);
	if (n > 0)
		ike_send_raw(ike, local, remote, buf, (size_t)n);
	ike_count_drop(ike, IKE_DROP_REFUSED);
}

static int find_peer(const struct ike *ike, const struct ike_endpoint *local,
		     const struct ike_endpoint *remote)
{
	unsigned i;

	for (i = 0; i < ike->npeers; i++)
		if (addr_equal(&ike->peers[i].remote.addr, &remote->addr) &&
		    addr_equal(&ike->peers[i].local.addr, &local->addr))
			return (int)i;
	return -1;
}

/* Our half of the key exchange and the keys. */
static int respond_keys(struct ike_sa *sa, const struct init_in *in)
{
	uint8_t shared[IKE_DH_SHARED_MAX];
	size_t slen = ike_dh_shared_len(sa->suite.dh);
	int err;

	if (ike_dh_new(&sa->dh, sa->suite.dh))
		return -ENOTSUP;
	err = ike_dh_compute_shared(sa->dh, in->ke.data, in->ke.len, shared,
				    slen);
	if (!err)
		err = ikesa_derive(sa, shared, slen);
	secure_zero(shared, sizeof(shared));
	return err;
}

static int respond_init(struct ike *ike, struct ike_sa *sa,
			const struct ike_proposal *reply)
{
	uint8_t buf[IKE_PKT_MAX];
	struct ike_writer w;
	struct ike_hdr h;
	int len;

	ikesa_hdr(sa, &h, IKE_EXCH_SA_INIT, true, 0);
	ike_writer_init(&w, buf, sizeof(buf), &h);
	ike_put_sa(&w, reply, 1);
	ikesa_put_ke(&w, sa->dh);
	ike_put_nonce(&w, sa->nr, sa->nr_len);
	put_natd(ike, &w, sa);
	put_hashes(&w);
	if (sa->frag_offered && ikesa_cfg(ike, sa)->fragmentation)
		put_notify(&w, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
	len = ike_writer_finish(&w);
	if (len < 0)
		return len;
	sa->init_r = dup_bytes(buf, (size_t)len);
	if (!sa->init_r)
		return -ENOMEM;
	sa->init_r_len = (size_t)len;
	ikesa_send_response(ike, sa, buf, (size_t)len, 0);
	return 0;
}

/* A new responder SA for an acceptable request. */
static void accept_init(struct ike *ike, const struct ike_msg *m,
			const struct ike_endpoint *local,
			const struct ike_endpoint *remote, unsigned peer,
			const struct init_in *in,
			const struct ike_suite_ike *chosen,
			const struct ike_proposal *reply)
{
	struct ike_sa *sa = ikesa_new(ike, peer, false);
	int err;

	if (!sa)
		return;
	sa->spi_i = m->hdr.spi_i;
	sa->local = *local;
	sa->remote = *remote;
	/* The request's hash has SPIr 0: the initiator knew no other. */
	sa->nat_local = nat_in_front(sa->spi_i, 0, local, &in->natd_dst);
	sa->suite = *chosen;
	memcpy(sa->ni, in->nonce, in->nonce_len);
	keep_hashes(sa, &in->hashes);
	sa->frag_offered = in->frag;
	sa->ni_len = in->nonce_len;
	sa->nr_len = IKE_NONCE_LEN;
	ike->env.random(ike->env.ctx, sa->nr, sa->nr_len);
	sa->init_i = dup_bytes(m->buf, m->len);
	sa->init_i_len = m->len;
	sa->next_peer_req = 1;
	err = sa->init_i ? respond_keys(sa, in) : -ENOMEM;
	if (!err)
		err = respond_init(ike, sa, reply);
	if (err) {
		log_warn("ike %s: IKE_SA_INIT: %s", ike->peers[peer].name,
			 strerror(-err));
		ikesa_free(ike, sa);
		return;
	}
	sa->state = IKE_S_INIT_DONE;
	ike->half_open++;
	note_nat(ike, sa);
}

/* Whether a new request from a configured peer may have an SA: well
 * formed (its payloads into *in), then within the cookie and half-open
 * bounds (cookie.h), all checked before any state or key exchange. A
 * cookie is asked for even when the table is full, so a proven initiator
 * gets in once a place frees. A refusal is answered or counted here. */
static bool admit(struct ike *ike, const struct ike_msg *m,
		  const struct ike_endpoint *local,
		  const struct ike_endpoint *remote, struct init_in *in)
{
	struct ike_cookie_req req;

	if (m->hdr.spi_r || m->hdr.msg_id || !read_init(&m->chain, in) ||
	    !in->has_sa || !in->has_ke || !in->nonce) {
		ike_count_drop(ike, IKE_DROP_MALFORMED);
		return false;
	}
	req.spi_i = m->hdr.spi_i;
	req.ip = remote->addr;
	req.ni = in->nonce;
	req.ni_len = in->nonce_len;
	if (!ike_cookie_admit(ike, m, local, remote, &req))
		return false;
	if (ike->half_open >= IKE_HALF_OPEN_MAX) {
		ike_count_drop(ike, IKE_DROP_HALF_OPEN);
		return false;
	}
	return true;
}

void ike_init_request(struct ike *ike, const struct ike_msg *m,
		      const struct ike_endpoint *local,
		      const struct ike_endpoint *remote)
{
	struct ike_suite_ike chosen;
	struct ike_proposal reply;
	struct init_in in;
	struct ike_sa *old;
	uint8_t group[2];
	int peer;

	old = ikesa_find_init(ike, m->hdr.spi_i, remote);
	if (old) {
		/* A retransmission: the same answer (§2.1). */
		if (old->resp.valid && old->resp.msg_id == 0)
			ikesa_resend(ike, old, &old->resp);
		return;
	}
	peer = find_peer(ike, local, remote);
	if (peer < 0) {
		ike_count_drop(ike, IKE_DROP_NO_PEER);
		return;
	}
	if (!admit(ike, m, local, remote, &in))
		return;
	if (nego_ike_select(&ike->peers[peer], &in.sa, in.ke.group, &chosen,
			    &reply)) {
		answer_error(ike, m, local, remote, IKE_N_NO_PROPOSAL_CHOSEN,
			     NULL, 0);
		return;
	}
	if (in.ke.group != (uint16_t)chosen.dh) {
		put_be16(group, (uint16_t)chosen.dh);
		answer_error(ike, m, local, remote, IKE_N_INVALID_KE_PAYLOAD,
			     group, sizeof(group));
		return;
	}
	accept_init(ike, m, local, remote, (unsigned)peer, &in, &chosen,
		    &reply);
}

/* ---- initiator ---- */

static void fail(struct ike *ike, struct ike_sa *sa, const char *why)
{
	log_warn("ike %s: IKE_SA_INIT failed: %s", ikesa_cfg(ike, sa)->name,
		 why);
	ike->stats.failed++;
	sa->state = IKE_S_DEAD;
}

/* COOKIE or INVALID_KE_PAYLOAD: the same request again, changed. true
 * when one of them was handled. */
static bool retry_init(struct ike *ike, struct ike_sa *sa,
		       const struct init_in *in)
{
	uint16_t group;

	if (in->cookie.type && sa->cookie_tries < 3) {
		/* A first cookie, or a fresh one for a stale one (§2.6). */
		sa->cookie_tries++;
		memcpy(sa->cookie, in->cookie.data, in->cookie.len);
		sa->cookie_len = in->cookie.len;
		if (send_init(ike, sa, (uint16_t)ike_dh_group_of(sa->dh)))
			fail(ike, sa, "cannot resend with the cookie");
		return true;
	}
	if (!in->invalid_ke.type)
		return false;
	group = get_be16(in->invalid_ke.data);
	if (!nego_dh_offered(ikesa_cfg(ike, sa), group) ||
	    group == (uint16_t)ike_dh_group_of(sa->dh) ||
	    send_init(ike, sa, group))
		fail(ike, sa, "INVALID_KE_PAYLOAD names a group not offered");
	return true;
}

static int initiator_keys(struct ike_sa *sa, const struct init_in *in)
{
	uint8_t shared[IKE_DH_SHARED_MAX];
	size_t slen = ike_dh_shared_len(sa->suite.dh);
	int err;

	if (in->ke.group != (uint16_t)sa->suite.dh ||
	    sa->suite.dh != ike_dh_group_of(sa->dh))
		return -EBADMSG;
	err = ike_dh_compute_shared(sa->dh, in->ke.data, in->ke.len, shared,
				    slen);
	if (!err)
		err = ikesa_derive(sa, shared, slen);
	secure_zero(shared, sizeof(shared));
	return err;
}

void ike_init_response(struct ike *ike, struct ike_sa *sa,
		       const struct ike_msg *m)
{
	struct init_in in;

	if (sa->state != IKE_S_INIT_SENT || m->hdr.msg_id != 0) {
		ike_count_drop(ike, IKE_DROP_UNEXPECTED);
		return;
	}
	if (!read_init(&m->chain, &in)) {
		ike_count_drop(ike, IKE_DROP_MALFORMED);
		return;
	}
	if (retry_init(ike, sa, &in))
		return;
	if (in.err.type) {
		fail(ike, sa, ike_notify_name(in.err.type));
		return;
	}
	sa->spi_r = m->hdr.spi_r;
	if (!sa->spi_r || !in.has_sa || !in.has_ke || !in.nonce ||
	    nego_ike_check(ikesa_cfg(ike, sa), &in.sa, &sa->suite)) {
		fail(ike, sa, "unacceptable response");
		return;
	}
	memcpy(sa->nr, in.nonce, in.nonce_len);
	keep_hashes(sa, &in.hashes);
	sa->frag_offered = in.frag;
	sa->nr_len = in.nonce_len;
	if (initiator_keys(sa, &in)) {
		fail(ike, sa, "key exchange failed");
		return;
	}
	sa->init_r = dup_bytes(m->buf, m->len);
	if (!sa->init_r) {
		fail(ike, sa, "out of memory");
		return;
	}
	sa->init_r_len = m->len;
	sa->nat_local = nat_in_front(sa->spi_i, sa->spi_r, &sa->local,
				     &in.natd_dst);
	note_nat(ike, sa);
	sa->req.valid = false;
	sa->rtx_at = 0;
	sa->next_req = 1;
	sa->natt = true;
	sa->local.port = ikesa_cfg(ike, sa)->natt_port;
	sa->remote.port = ikesa_cfg(ike, sa)->esp_port;
	if (ike_auth_start(ike, sa))
		fail(ike, sa, "cannot build IKE_AUTH");
}
