/* SPDX-License-Identifier: MIT */
/*
 * Inside the engine (not for other modules): the IKE SA, its message
 * windows, and the helpers the exchange files share.
 *
 * Message IDs (RFC 7296 §2.3): each side numbers its own requests from 0;
 * the window is one request in flight each way. A request is kept until its
 * response arrives and retransmitted (§2.1) meanwhile; the last response
 * sent is kept and sent again when its request comes again (§2.1: the
 * responder never reprocesses a request).
 */
#ifndef TUNSEC_IKE_IKESA_H
#define TUNSEC_IKE_IKESA_H

#include "ike/dh.h"
#include "ike/ike.h"
#include "ike/keys.h"
#include "ike/sk.h"

#define IKE_NONCE_LEN 32          /* ours: 256 bits (§2.10) */
#define IKE_PKT_MAX 8192          /* largest message built or kept */

enum ike_sa_state {
	IKE_S_INIT_SENT,     /* initiator: IKE_SA_INIT request out */
	IKE_S_AUTH_SENT,     /* initiator: IKE_AUTH request out */
	IKE_S_INIT_DONE,     /* responder: IKE_SA_INIT answered */
	IKE_S_ESTABLISHED,
	IKE_S_DELETING,      /* our DELETE of the IKE SA is out */
	IKE_S_REKEYED,       /* replaced; the peer deletes it */
	IKE_S_DEAD,          /* to be freed at the next tick */
};

const char *ike_state_name(enum ike_sa_state s);

/* A kept message: a request awaiting its response, or the last response.
 * Sent in fragments (RFC 7383), it is the fragments' datagrams end to end,
 * each IKE header's Length telling where the next begins. */
struct ike_pkt {
	uint8_t buf[IKE_PKT_MAX];
	size_t len;
	uint32_t msg_id;
	bool valid;
};

#define IKE_RETIRED_MAX 4        /* old inbound SAs in their grace time */
#define IKE_GRACE_MS 3000        /* how long an old inbound SA stays */
#define IKE_SWITCH_MS 5000       /* a rekey responder switches outbound by
				  * then even without the old SA's DELETE */

/* The new outbound half of a rekeyed Child SA, held by the rekey's
 * responder until the initiator has deleted the old pair (by then the
 * initiator's new inbound SA is in force): make-before-break. */
struct ike_pending_out {
	bool valid;
	uint32_t spi;
	uint8_t key[IKE_ENCR_KEY_MAX + IKE_INTEG_KEY_MAX]; /* secret */
	uint32_t key_len;
	uint64_t at;              /* switch by then */
};

/* A Child SA of an IKE SA: child[0] comes with IKE_AUTH, the others
 * from CREATE_CHILD_SA (§1.3.1); slot is its index there, and the per-CPU
 * slot of its outbound SA in the data plane. */
struct ike_child {
	bool up;
	uint8_t slot;
	uint32_t spi_in, spi_out;
	uint32_t old_spi_in;      /* rekeyed away, still accepted; 0: none */
	struct ike_suite_esp suite;
	struct spd_selector sel[IKE_SEL_MAX];
	unsigned nsel;
	bool transport;
	uint64_t rekey_at;        /* 0: never */
	uint64_t expire_at;       /* hard lifetime; 0: never */
	uint64_t usage_at;        /* next look at its counters; 0: never */
	struct ike_pending_out out;
};

/* The peer's rekey of our Child SA, answered while our own rekey of it was
 * in flight (RFC 7296 §2.25.1): its new inbound half in force, the
 * outbound half kept in next.out, settled by the four nonces once our
 * answer is in (§2.8.1). */
struct ike_twin {
	bool valid;
	unsigned idx;             /* the Child SA both rekey */
	struct ike_child next;
	uint8_t ni[IKE_NONCE_MAX], nr[IKE_NONCE_MAX];
	size_t ni_len, nr_len;
};

/* An inbound SA that was replaced; it goes at remove_at. */
struct ike_retired {
	uint32_t spi;
	uint64_t remove_at;
};

#define IKE_FRAGS_MAX 16         /* fragments of one message taken */

/* A message the peer sent in fragments (RFC 7383), being collected. */
struct ike_frags {
	bool active, response;
	uint32_t msg_id;
	uint16_t total;
	unsigned count;
	uint8_t first;            /* fragment 1's Next Payload */
	bool have[IKE_FRAGS_MAX];
	size_t off[IKE_FRAGS_MAX], len[IKE_FRAGS_MAX], used;
	uint8_t buf[2 * IKE_PKT_MAX]; /* fragments below, the message above */
};

/* What our request in flight is for, beyond its exchange type. */
enum ike_req_kind { IKE_REQ_NONE, IKE_REQ_CHILD_REKEY, IKE_REQ_IKE_REKEY,
		    IKE_REQ_CHILD_DELETE, IKE_REQ_IKE_DELETE, IKE_REQ_CHILD_NEW };

struct ike_rekey_state {
	enum ike_req_kind kind;
	unsigned idx;             /* CHILD_REKEY, CHILD_NEW: the Child SA */
	unsigned sel;             /* CHILD_NEW: the configured selector */
	uint32_t spi;             /* CHILD_REKEY, CHILD_NEW: our new inbound
				   * SPI;
				   * CHILD_DELETE: the inbound SPI deleted */
	uint64_t new_spi;         /* IKE_REKEY: our SPI of the new IKE SA */
	uint8_t nonce[IKE_NONCE_MAX];
	size_t nonce_len;
	struct ike_dh *dh;        /* IKE_REKEY, or CHILD_REKEY with PFS */
	bool superseded;          /* CHILD_REKEY: the peer's colliding rekey
				   * went in force first; ours will go */
};

struct ike_sa {
	struct ike_sa *next;
	unsigned peer;
	bool initiator;           /* we are the original initiator */
	enum ike_sa_state state;
	uint64_t spi_i, spi_r;
	struct ike_endpoint local, remote;
	bool natt;                /* on port 4500 with the non-ESP marker */
	bool nat_local;           /* a NAT is in front of us (the peer's
				   * NAT_DETECTION_DESTINATION_IP) */
	uint64_t keepalive_at;    /* next NAT-keepalive; 0: at once */
	struct ike_suite_ike suite;
	struct ike_dh *dh;        /* until the keys are derived */
	uint8_t ni[IKE_NONCE_MAX], nr[IKE_NONCE_MAX];
	size_t ni_len, nr_len;
	struct ike_keys *keys;    /* secret; from IKE_SA_INIT on */
	struct ike_sk *sk_out, *sk_in;
	uint64_t iv_counter;      /* AEAD IVs of sk_out: one per message */
	/* IKE_SA_INIT messages as sent, for the AUTH payloads (§2.15). */
	uint8_t *init_i, *init_r;
	size_t init_i_len, init_r_len;
	bool frag_offered;        /* the peer sent IKEV2_FRAGMENTATION_SUPPORTED */
	uint16_t frag_size;       /* ours (RFC 7383 §2.5.1); 0: we send none */
	uint64_t frags_sent;      /* fragment datagrams, retransmitted too */
	uint16_t peer_hashes[8];  /* SIGNATURE_HASH_ALGORITHMS (RFC 7427) */
	unsigned n_peer_hashes;
	uint8_t cookie[IKE_COOKIE_MAX];
	size_t cookie_len;
	unsigned cookie_tries;    /* COOKIE answers taken (bounded) */
	uint32_t next_req;        /* ID of our next request */
	uint32_t next_peer_req;   /* ID the peer's next request must carry */
	struct ike_pkt req, resp;
	unsigned tries;
	uint64_t rtx_at;          /* next retransmission; 0: none */
	uint64_t created, established, last_rx, dpd_at;
	uint32_t child_spi_in;    /* ours, proposed in IKE_AUTH */
	struct ike_child child[IKE_CHILDREN_MAX];
	uint32_t child_asked;     /* configured selectors (bit k) an extra
				   * Child SA was asked for on this IKE SA */
	struct ike_retired retired[IKE_RETIRED_MAX];
	struct ike_rekey_state pend; /* of our request in flight */
	struct ike_twin twin;     /* secret (a kept outbound key) */
	uint64_t rekey_twin;      /* our SPI of the IKE SA the peer's rekey
				   * made while ours is in flight (§2.8.2) */
	uint8_t twin_lo[IKE_NONCE_MAX]; /* the lower of its two nonces */
	size_t twin_lo_len;
	struct ike_frags frags;   /* secret while collecting (plaintext) */
	uint64_t rekey_at;        /* IKE SA rekey; 0: never */
	uint64_t expire_at;       /* IKE SA hard lifetime; 0: never */
};

/* ---- ikesa.c ---- */

struct ike_sa *ikesa_new(struct ike *ike, unsigned peer, bool initiator);
/* Take its Child SA down, wipe and unlink it, free it. */
void ikesa_free(struct ike *ike, struct ike_sa *sa);
/* By our own SPI (spi_i when we initiated, else spi_r). */
struct ike_sa *ikesa_find(struct ike *ike, uint64_t our_spi);
/* The half-open responder SA the initiator's SPI names. */
struct ike_sa *ikesa_find_init(struct ike *ike, uint64_t spi_i,
			       const struct ike_endpoint *remote);
struct ike_sa *ikesa_of_peer(struct ike *ike, unsigned peer);
uint64_t ikesa_our_spi(const struct ike_sa *sa);
const struct ike_peer_cfg *ikesa_cfg(const struct ike *ike,
				     const struct ike_sa *sa);

/* Header fields for a message on sa: a request of ours (next_req) or a
 * response to the peer's request msg_id. */
void ikesa_hdr(const struct ike_sa *sa, struct ike_hdr *h, uint8_t exchange,
	       bool response, uint32_t msg_id);

/* Start a message on sa in w (buf, cap bytes) with its SK payload open:
 * a request of ours, or the response to the peer's request id. */
void ikesa_begin(struct ike_sa *sa, uint8_t exchange, struct ike_writer *w,
		 uint8_t *buf, size_t cap, bool response, uint32_t id);
/* Answer the peer's request id of exchange with one notification (an
 * error, or INVALID_KE_PAYLOAD with its group as data). */
void ikesa_respond_notify(struct ike *ike, struct ike_sa *sa,
			  uint8_t exchange, uint32_t id, uint16_t type,
			  const void *data, size_t len);
/* A KE payload with dh's public value (§3.4). 0 or -errno. */
int ikesa_put_ke(struct ike_writer *w, const struct ike_dh *dh);
/* A responder's half of a CREATE_CHILD_SA key exchange in group, whose
 * peer's KE payload is ke: our new key pair in *dh (to be freed by the
 * caller, also on failure) and the shared secret in shared[0..*slen), of
 * at least IKE_DH_SHARED_MAX bytes. 0 or -errno. */
int ikesa_dh_answer(uint16_t group, const struct ike_ke *ke,
		    struct ike_dh **dh, uint8_t *shared, size_t *slen);

/* Keys from the DH shared secret and the nonces: SK_* and the two SK
 * contexts. 0 or -errno. */
int ikesa_derive(struct ike_sa *sa, const uint8_t *shared, size_t len);
/* The two SK contexts from sa->keys (set by a rekey). 0 or -errno. */
int ikesa_rekeyed_sk(struct ike_sa *sa);
/* When the IKE SA should next be rekeyed, from now. */
void ikesa_schedule(struct ike *ike, struct ike_sa *sa);

/* Seal the message being written in w (an SK payload open, inner payloads
 * written) and return its length, or -errno. When fragments are to be
 * sent (ike_frag_seal) w's buffer holds them instead, end to end, and the
 * length is theirs together: what ikesa_send_request/response take. */
int ikesa_seal(struct ike_sa *sa, struct ike_writer *w);

/* Open the SK payload of m (buf is m's writable bytes) and walk the inner
 * payloads into *inner. 0, or -errno (counted as a decrypt drop). */
int ikesa_open(struct ike_sa *sa, uint8_t *buf, const struct ike_msg *m,
	       struct ike_chain *inner);

/* Send a request (kept for retransmission) or a response (kept to answer
 * a retransmitted request): buf[0..len) is one message or, from
 * ikesa_seal, its fragments end to end, each sent as a datagram. */
void ikesa_send_request(struct ike *ike, struct ike_sa *sa, const uint8_t *buf,
			size_t len);
void ikesa_send_response(struct ike *ike, struct ike_sa *sa,
			 const uint8_t *buf, size_t len, uint32_t msg_id);
/* Send a kept message again: every datagram of it (RFC 7383 §2.6.1: all
 * fragments). */
void ikesa_resend(struct ike *ike, struct ike_sa *sa, const struct ike_pkt *p);
/* Send without keeping (errors answered outside any IKE SA). */
void ike_send_raw(struct ike *ike, const struct ike_endpoint *local,
		  const struct ike_endpoint *remote, const uint8_t *buf,
		  size_t len);

uint64_t ike_now(struct ike *ike);
void ike_count_drop(struct ike *ike, enum ike_drop d);

/* ---- frag.c ---- */

/* Keep one authenticated fragment (plain[0..len), its skf fields) of m;
 * 0 with *inner the whole message's payloads once all are in, -EAGAIN
 * while some are missing (or for a duplicate), -EBADMSG/-EMSGSIZE. */
int ike_frag_add(struct ike_sa *sa, const struct ike_msg *m,
		 const struct ike_skf *skf, const uint8_t *plain, size_t len,
		 struct ike_chain *inner);

/* ---- frag_send.c ---- */

/* Seal the message being written in w as Encrypted Fragment payloads
 * (RFC 7383 §2.5) when both sides announced fragmentation and the whole
 * message would make a datagram longer than sa->frag_size. Returns the
 * fragments' length together (laid end to end in w's buffer, every
 * plaintext byte there overwritten), -E2BIG when the message goes whole
 * (it fits, fragmentation is off, or it needs more than IKE_FRAGS_MAX
 * fragments or room w lacks; w untouched), or another -errno (w's buffer
 * wiped). */
int ike_frag_seal(struct ike_sa *sa, struct ike_writer *w);

/* ---- auth.c ---- */

/* Our identity and authentication (ID, with certificates CERT, AUTH). 0
 * or -errno. */
int ike_auth_put(struct ike *ike, struct ike_sa *sa, struct ike_writer *w);
/* With certificates: the CERTREQ naming our CAs (RFC 7296 §3.7). */
void ike_auth_put_certreq(struct ike *ike, const struct ike_sa *sa,
			  struct ike_writer *w);
/* The peer's identity and AUTH (with its CERT payloads): 0 or -EACCES. */
int ike_auth_verify(struct ike *ike, const struct ike_sa *sa,
		    const struct ike_id *id, const struct ike_auth *auth,
		    const struct ike_cert *certs, unsigned ncerts);

/* ---- exchange_init.c ---- */
int ike_init_start(struct ike *ike, unsigned peer);
void ike_init_request(struct ike *ike, const struct ike_msg *m,
		      const struct ike_endpoint *local,
		      const struct ike_endpoint *remote);
void ike_init_response(struct ike *ike, struct ike_sa *sa,
		       const struct ike_msg *m);

/* ---- exchange_auth.c ---- */
int ike_auth_start(struct ike *ike, struct ike_sa *sa);
void ike_auth_request(struct ike *ike, struct ike_sa *sa,
		      const struct ike_msg *m, const struct ike_chain *in);
void ike_auth_response(struct ike *ike, struct ike_sa *sa,
		       const struct ike_msg *m, const struct ike_chain *in);

/* ---- exchange_info.c ---- */
void ike_info_request(struct ike *ike, struct ike_sa *sa,
		      const struct ike_msg *m, const struct ike_chain *in);
void ike_info_response(struct ike *ike, struct ike_sa *sa,
		       const struct ike_msg *m, const struct ike_chain *in);
/* Send an INFORMATIONAL request: a DELETE of the IKE SA, or (empty) a
 * liveness check. */
void ike_info_send_delete(struct ike *ike, struct ike_sa *sa);
void ike_info_send_dpd(struct ike *ike, struct ike_sa *sa);

/* ---- child.c ---- */

/* What keys a Child SA (RFC 7296 §2.17): the nonces of the exchange that
 * created it (IKE_AUTH: the IKE SA's) and, with PFS, that exchange's new
 * shared secret g^ir (NULL: none). */
struct ike_child_seed {
	const uint8_t *ni, *nr, *g_ir;
	size_t ni_len, nr_len, g_ir_len;
};

/* Derive the keys of Child SA c (sa's, or one being made) from the IKE
 * SA's SK_d and seed, we_init telling whether we sent the request that
 * created it, and put the halves in force through the env; with
 * IKE_HALF_IN only, the outbound half is kept in c->out for later. 0 or
 * -errno; c->up on success. */
int ike_child_install(struct ike *ike, struct ike_sa *sa,
		      struct ike_child *c, bool we_init,
		      const struct ike_child_seed *seed, unsigned halves);
/* The twin becomes the Child SA being rekeyed, as if we had answered
 * only the peer's rekey: the old pair stays until the peer deletes it. */
void ike_child_twin_promote(struct ike *ike, struct ike_sa *sa);
/* Put c's kept outbound half in force (the old outbound SA goes). */
void ike_child_switch_out(struct ike *ike, struct ike_sa *sa,
			  struct ike_child *c);
/* When Child SA c should next be rekeyed, from now. */
void ike_child_schedule(struct ike *ike, struct ike_sa *sa,
			struct ike_child *c);
/* Rekey or delete Child SA c at a byte, packet or sequence number limit:
 * true when it was deleted. */
bool ike_child_limits(struct ike *ike, struct ike_sa *sa, struct ike_child *c,
		      uint64_t now);
/* Take Child SA c out of the data plane (and its old inbound SA) and
 * forget it. */
void ike_child_drop(struct ike *ike, struct ike_sa *sa, struct ike_child *c);
/* The Child SA whose outbound SPI is spi, or NULL. */
struct ike_child *ike_child_by_out(struct ike_sa *sa, uint32_t spi);
/* Whether some Child SA's outbound half waits for its switch (or a twin
 * for its settling); that, or an old inbound SA not yet deleted; whether
 * some Child SA is in force. */
bool ike_children_switching(const struct ike_sa *sa);
bool ike_children_settling(const struct ike_sa *sa);
bool ike_children_up(const struct ike_sa *sa);
/* Keep an old inbound SA for the grace time; removed by ike_child_reap. */
void ike_child_retire(struct ike *ike, struct ike_sa *sa, uint32_t spi);
/* Remove retired SAs whose time is up; returns the next such time or 0. */
uint64_t ike_child_reap(struct ike *ike, struct ike_sa *sa, uint64_t now);
uint32_t ike_child_new_spi(struct ike *ike);

/* Whether our request in flight rekeys the Child SA or the IKE SA. */
static inline bool ike_rekeying(const struct ike_sa *sa)
{
	return sa->req.valid && (sa->pend.kind == IKE_REQ_CHILD_REKEY ||
				 sa->pend.kind == IKE_REQ_IKE_REKEY);
}

/* Simultaneous rekeys (RFC 7296 §2.8.1, §2.8.2): whether the exchange
 * with nonces a1, a2 holds the lowest of the four, nonces compared octet
 * by octet (a prefix first); that exchange made the redundant SA. */
bool ike_nonces_lowest(const uint8_t *a1, size_t a1_len, const uint8_t *a2,
		       size_t a2_len, const uint8_t *b1, size_t b1_len,
		       const uint8_t *b2, size_t b2_len);

/* When to try a refused or failed rekey again: 2 to 10 s, at random, so
 * that two peers refusing each other's colliding rekeys do not collide
 * again. */
uint64_t ike_retry_delay(struct ike *ike);

/* ---- exchange_rekey.c ---- */
int ike_rekey_start(struct ike *ike, struct ike_sa *sa);
void ike_rekey_request(struct ike *ike, struct ike_sa *old,
		       const struct ike_msg *m, const struct ike_chain *in);
void ike_rekey_response(struct ike *ike, struct ike_sa *old,
			const struct ike_chain *in);
/* The peer deleted twin: when it is the IKE SA a colliding rekey of the
 * peer's made while ours is in flight (§2.8.2), its Child SAs go back to
 * the old IKE SA, to move with our rekey's answer. */
void ike_rekey_twin_gone(struct ike *ike, struct ike_sa *twin);
/* Whether sa is such an IKE SA, its fate not settled yet: no rekey or new
 * Child SA starts on it meanwhile. */
bool ike_rekey_unsettled(const struct ike *ike, const struct ike_sa *sa);

/* ---- exchange_child.c ---- */
int ike_child_rekey_start(struct ike *ike, struct ike_sa *sa,
			  struct ike_child *c);
/* Ask for one more Child SA for the configured selectors child[0] does
 * not carry (the responder narrows to one at a time): 0 when a request
 * went, -ENOENT when none is left to ask for, -EBUSY. */
int ike_child_new_start(struct ike *ike, struct ike_sa *sa);
/* Answer the peer's CREATE_CHILD_SA request id with one notification. */
void ike_child_refuse(struct ike *ike, struct ike_sa *sa, uint32_t id,
		      uint16_t type, const void *data, size_t len);
void ike_child_request(struct ike *ike, struct ike_sa *sa,
		       const struct ike_msg *m, const struct ike_chain *in);
void ike_child_response(struct ike *ike, struct ike_sa *sa,
			const struct ike_msg *m, const struct ike_chain *in);
/* An INFORMATIONAL request of ours deleting the Child SA's inbound SPI
 * (the rekeyed-away one). */
void ike_info_send_child_delete(struct ike *ike, struct ike_sa *sa,
				uint32_t spi);

#endif
