/* SPDX-License-Identifier: MIT */
/*
 * The IKEv2 engine (RFC 7296): IKE SAs with their peers, the exchanges that
 * authenticate them and negotiate Child SAs, retransmission and timers. It
 * does no I/O of its own: datagrams come in through ike_input(), and go
 * out, together with every other effect on the world (AUTH values from the
 * keys process, Child SAs for the data plane, the clock, randomness),
 * through the callbacks of struct ike_env. Two engines can therefore talk
 * to each other inside one test.
 *
 * Single-threaded: one thread calls everything here (tunsecd's main
 * thread). Long-term secrets never enter the engine (the auth_psk callback
 * computes with them elsewhere); session keys (SK_*) live in its IKE SAs
 * and are wiped when an SA goes.
 */
#ifndef TUNSEC_IKE_IKE_H
#define TUNSEC_IKE_IKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esp/esp.h"
#include "ike/msg.h"
#include "ike/prf.h"
#include "ike/proposal.h"
#include "ike/wire.h"
#include "sadb/spd.h"
#include "util/addr.h"

#define IKE_PORT 500
#define IKE_NATT_PORT 4500
#define IKE_NAME_MAX 64
#define IKE_ID_MAX 256            /* identification data bytes */
#define IKE_OFFERS_MAX 16         /* proposals configured per peer */
#define IKE_SEL_MAX 16            /* selectors negotiated per Child SA */
#define IKE_CHILDREN_MAX 4        /* Child SAs of one IKE SA */
#define IKE_CHAIN_MAX 4           /* intermediate CA certificates sent */
/* Responder IKE SAs past IKE_SA_INIT but not authenticated. A request
 * beyond it is dropped and counted (half-open); cookies (RFC 7296 §2.6)
 * come in before it is reached. */
#define IKE_HALF_OPEN_MAX 256
/* Fragment sizes (RFC 7383 §2.5.1): 1280 fits the IPv6 minimum MTU and
 * most IPv4 paths; 576 is the IPv4 datagram every host takes. */
#define IKE_FRAG_SIZE_DEFAULT 1280
#define IKE_FRAG_SIZE_MIN 576

/* Where a datagram is sent from or to. */
struct ike_endpoint {
	struct ip_addr addr;
	uint16_t port;
};

/* An identity (§3.5) as sent: type and data. */
struct ike_ident {
	uint8_t type;             /* IKE_ID_* */
	uint8_t data[IKE_ID_MAX];
	size_t len;
};

enum ike_start { IKE_START_INITIATE, IKE_START_TRAP, IKE_START_WAIT };
enum ike_auth_kind { IKE_AUTH_PSK, IKE_AUTH_PUBKEY };

struct ike_x509;
struct ike_cert_store;

/* What the engine knows of a peer (from the configuration). */
struct ike_peer_cfg {
	char name[IKE_NAME_MAX];
	unsigned dp_peer;         /* the data plane's peer index */
	struct ike_endpoint local, remote; /* underlay addresses; ports are
					    * the IKE port (500) */
	uint16_t esp_port;        /* the peer's ESP-in-UDP port: IKE moves
				   * there after IKE_SA_INIT (§2.23) */
	uint16_t natt_port;       /* ours (the data plane's) */
	struct ike_ident local_id, remote_id;
	enum ike_auth_kind auth;
	/* PUBKEY: our certificate (its private key is the keys process's)
	 * and the CAs the peer's must chain to; the caller's, alive as long
	 * as the engine. */
	const struct ike_x509 *cert;
	/* Intermediate CA certificates sent after it (RFC 7296 §3.6: the
	 * end-entity certificate first), in the order of its file. */
	const struct ike_x509 *chain[IKE_CHAIN_MAX];
	unsigned nchain;
	const struct ike_cert_store *cas;
	struct ike_prop_conf ike[IKE_OFFERS_MAX]; /* in our preference */
	unsigned nike;
	struct ike_prop_conf esp[IKE_OFFERS_MAX];
	unsigned nesp;
	enum esp_mode mode;
	struct spd_selector sel[IKE_SEL_MAX]; /* this host's view */
	unsigned nsel;
	enum ike_start start;
	uint32_t rtx_ms;          /* first retransmission timeout */
	unsigned rtx_tries;       /* retransmissions before giving up */
	uint32_t dpd_s;           /* liveness check interval; 0: off */
	uint32_t keepalive_s;     /* NAT-keepalive interval when we are
				   * behind a NAT (RFC 3948 §2.3); 0: off */
	bool fragmentation;       /* RFC 7383: announce it; take fragments,
				   * and send them when the peer announced
				   * it too */
	/* The largest IP datagram an IKE fragment of ours makes (RFC 7383
	 * §2.5.1), IP and UDP headers and the non-ESP marker included; 0:
	 * IKE_FRAG_SIZE_DEFAULT; below IKE_FRAG_SIZE_MIN taken as that. */
	uint16_t frag_size;
	/* Rekeying (§2.8) starts a random 0..jitter_s plus margin_s before a
	 * lifetime ends; 0: never. */
	uint32_t ike_life_s, child_life_s, margin_s, jitter_s;
	/* A Child SA is rekeyed at 90% of these and deleted at 100% when
	 * the rekey has not happened; 0: no limit. */
	uint64_t child_bytes, child_packets;
};

/* A Child SA for the data plane: both directions' SA configurations. The
 * keys point into the engine's memory for the duration of the call. */
struct ike_child_sa {
	unsigned peer;            /* index into the engine's peers */
	struct esp_sa_config in, out;
	const struct spd_selector *sel; /* negotiated, this host's view */
	unsigned nsel;
	/* The peer's end of the IKE SA on port 4500: its ESP comes from
	 * there and goes there (behind a NAT, the NAT's port). */
	struct ike_endpoint remote;
	/* Which of the IKE SA's Child SAs (0: the one of IKE_AUTH): the
	 * per-CPU slot of its outbound SA in the data plane. */
	unsigned slot;
};

#define IKE_HALF_IN 0x1
#define IKE_HALF_OUT 0x2

struct ike_env {
	void *ctx;
	/* Send buf[0..len) from local to remote; with marker, the four zero
	 * bytes of the non-ESP marker go first (RFC 3948 §2.2). 0 or -errno
	 * (the engine retransmits requests; a lost response is resent when
	 * the request comes again). */
	int (*send)(void *ctx, const struct ike_endpoint *local,
		    const struct ike_endpoint *remote, bool marker,
		    const uint8_t *buf, size_t len);
	/* AUTH for the shared key of peer over the signed octets (RFC 7296
	 * §2.15), out_len = the prf's length. 0 or -errno. */
	int (*auth_psk)(void *ctx, unsigned peer, enum ike_prf_alg prf,
			const uint8_t *octets, size_t len, uint8_t *out,
			size_t out_len);
	/* A signature over octets with the private key of peer's
	 * configuration (RFC 7427: hash IKE_HASH_*, scheme enum
	 * ike_sig_scheme), into sig (cap bytes). 0 or -errno. */
	int (*sign)(void *ctx, unsigned peer, uint16_t hash, int scheme,
		    const uint8_t *octets, size_t len, uint8_t *sig,
		    size_t cap, size_t *sig_len);
	/* Put the halves (IKE_HALF_*) of a Child SA pair in force, inbound
	 * first; an outbound half takes the place of the peer's current
	 * outbound SA. 0 or -errno. */
	int (*child_up)(void *ctx, const struct ike_child_sa *c,
			unsigned halves);
	/* Take SAs out of force: the inbound one with spi_in and the
	 * outbound one with spi_out (0: none). */
	void (*child_down)(void *ctx, unsigned peer, uint32_t spi_in,
			   uint32_t spi_out);
	/* What a Child SA's pair has carried (both directions) and how many
	 * sequence numbers its outbound SA has left. 0 or -ENOENT; NULL: not
	 * known (no byte, packet or sequence number limits). */
	int (*child_usage)(void *ctx, unsigned peer, uint32_t spi_in,
			   uint32_t spi_out, uint64_t *bytes,
			   uint64_t *packets, uint64_t *seq_left);
	/* The peer, behind a NAT, now speaks from another port (an
	 * authenticated request came from it, RFC 7296 §2.23): its ESP goes
	 * there from now on. NULL: not followed. */
	void (*peer_moved)(void *ctx, unsigned peer,
			   const struct ike_endpoint *remote);
	uint64_t (*now_ms)(void *ctx);
	/* len random bytes (a CSPRNG). */
	void (*random)(void *ctx, void *buf, size_t len);
};

/* Why messages were dropped: one counter each. */
#define IKE_DROPS(X)                                                  \
	X(NONE, "none")                                               \
	X(MALFORMED, "malformed")         /* the parser refused it */ \
	X(NO_PEER, "no-peer")             /* from an unknown address */\
	X(NO_SA, "no-sa")                 /* unknown SPI */           \
	X(WINDOW, "window")               /* message ID out of window */\
	X(DECRYPT, "decrypt")             /* SK did not open */       \
	X(UNEXPECTED, "unexpected")       /* not now, not this exchange */\
	X(HALF_OPEN, "half-open")         /* too many half-open SAs */\
	X(REFUSED, "refused")             /* answered with an error */

enum ike_drop {
#define IKE_DROP_ENUM(n, s) IKE_DROP_##n,
	IKE_DROPS(IKE_DROP_ENUM)
#undef IKE_DROP_ENUM
	IKE_DROP_COUNT
};

const char *ike_drop_name(enum ike_drop d);

struct ike_stats {
	uint64_t rx, tx, retransmits;
	uint64_t drops[IKE_DROP_COUNT];
	uint64_t established, failed, deleted;
	uint64_t child_rekeys, ike_rekeys;
	uint64_t expired;         /* SAs deleted at a hard limit */
	/* RFC 7296 §2.6 (cookie.c): IKE_SA_INIT requests answered with
	 * N(COOKIE); COOKIE notifications that did not verify. */
	uint64_t cookies_sent, cookies_bad;
	/* RFC 7383: datagrams sent that were Encrypted Fragments (each
	 * retransmitted one counted again). */
	uint64_t frags_sent;
};

struct ike_sa;

struct ike {
	struct ike_env env;
	struct ike_peer_cfg *peers; /* owned copy */
	uint64_t *retry_at;       /* per peer: next start = initiate try */
	unsigned npeers;
	uint8_t *rx;              /* a received message, IKE_MSG_MAX bytes */
	struct ike_sa *sas;       /* list, newest first */
	unsigned nsas, half_open;
	struct ike_stats stats;
	/* The secrets cookies are made with (RFC 7296 §2.6; cookie.c): the
	 * current one and the one before. Secret; set up on first use. */
	struct ike_cookie_secrets {
		uint8_t cur[32], prev[32];
		uint8_t version;          /* names cur; prev is version - 1 */
		bool have_cur, have_prev;
		uint64_t change_at;       /* ike_now() when cur is replaced */
	} cookie;
};

/* Set up an engine over a copy of peers[0..n). 0 or -ENOMEM. */
int ike_init(struct ike *ike, const struct ike_env *env,
	     const struct ike_peer_cfg *peers, unsigned n);

/* Delete every IKE SA (without telling the peers) and free. Child SAs are
 * taken down through the env. Safe on a zeroed struct. */
void ike_free(struct ike *ike);

/* A datagram for IKE arrived on local from remote (without its non-ESP
 * marker). Never fails: what cannot be used is counted and dropped. */
void ike_input(struct ike *ike, const struct ike_endpoint *local,
	       const struct ike_endpoint *remote, const uint8_t *buf,
	       size_t len);

/* Run what is due: retransmissions, give-ups, liveness checks, starting
 * peers with start = initiate. Returns the time (now_ms) of the next thing
 * due, or UINT64_MAX. */
uint64_t ike_tick(struct ike *ike);

/* Bring peer up (initiate an IKE SA unless one exists or is being set
 * up), or down (delete its IKE SA, telling the peer). 0, -ENOENT for a bad
 * peer, -EALREADY. */
int ike_up(struct ike *ike, unsigned peer);
/* Traffic for peer found no SA: a start = trap peer initiates its IKE SA
 * (and Child SA) unless one exists or is being set up, or it started less
 * than 10 s ago or failed less than 10 s ago (ike_down does not disarm a
 * trap: the peer's next packet starts it again). 0 when it
 * started; -ENOENT, -EPERM (not trap), -EALREADY, -EAGAIN (too soon). */
int ike_acquire(struct ike *ike, unsigned peer);
int ike_down(struct ike *ike, unsigned peer);

/* Going away: a DELETE to the peer of every established IKE SA (§1.4.1),
 * answers not awaited. ike_free() follows. */
void ike_shutdown(struct ike *ike);

/* Rekey peer's Child SA, or its IKE SA, now (as when its lifetime comes).
 * 0, -ENOENT (no established IKE SA / Child SA), -EBUSY (an exchange of
 * ours is in flight: try again). */
int ike_rekey(struct ike *ike, unsigned peer, bool ike_sa);

/* What `tunsec show` lists of an IKE SA. */
/* A Child SA of an IKE SA, for tunsec show. */
struct ike_child_info {
	uint32_t spi_in, spi_out;
	uint64_t rekey_in_ms;     /* until its next rekey; 0: none due */
	struct ike_suite_esp suite;
	/* The negotiated selectors (this host's view), the ones its SAs
	 * enforce; they point into the engine, valid until it next runs. */
	const struct spd_selector *sel;
	unsigned nsel;
};

struct ike_sa_info {
	unsigned peer;
	uint64_t spi_i, spi_r;
	bool initiator;
	const char *state;
	struct ike_suite_ike suite;
	uint64_t age_ms;
	uint64_t rekey_in_ms;     /* until the IKE SA's next rekey; 0: none */
	unsigned children;        /* Child SAs in force: child[0..children) */
	struct ike_child_info child[IKE_CHILDREN_MAX];
	struct ike_endpoint remote; /* where the peer speaks from */
	bool nat_local;           /* a NAT is in front of us */
	uint64_t frags_sent;      /* IKE fragments (RFC 7383) it sent */
};

/* The i-th IKE SA (0 = newest), false past the last. */
bool ike_sa_get(const struct ike *ike, unsigned i, struct ike_sa_info *out);

#endif
