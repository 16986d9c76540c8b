/* SPDX-License-Identifier: MIT */
/*
 * Two IKEv2 engines talking to each other in memory, for the engine tests
 * (test_ike_engine*.c): the datagrams one sends are handed to the other
 * (or lost, duplicated, altered, as a test says), the clock is the test's,
 * the keys process is a function here. What each side puts in force
 * through child_up must mirror the other's.
 */
#ifndef TUNSEC_TEST_IKE_ENGINE_UTIL_H
#define TUNSEC_TEST_IKE_ENGINE_UTIL_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stdint.h>

#include "ike/cert.h"
#include "ike/ike.h"

#define QMAX 64

struct dgram {
	int to;
	struct ike_endpoint from, dst;
	uint8_t buf[4096];
	size_t len;
};

#define SAS_MAX 16

/* An SA as the data plane would hold it. */
struct held {
	uint32_t spi;
	uint8_t key[64];
	uint32_t key_len;
};

struct side {
	int id;
	struct ike ike;
	struct ike_peer_cfg cfg;
	uint8_t psk[64];
	size_t psk_len;
	unsigned ups, downs;
	struct ike_child_sa up;   /* the last pair put in force */
	uint8_t in_key[64], out_key[64];
	uint32_t down_in, down_out;
	struct held in[SAS_MAX];  /* inbound SAs in force */
	unsigned nin;
	struct held out;          /* the outbound SA in force (spi 0: none) */
	EVP_PKEY *key;            /* certificates: what the keys process holds */
	struct ike_x509 *cert;
	struct ike_cert_store *cas;
};

/* The two sides, A (0) and B (1), and the datagrams between them. */
extern struct side sides[2];
extern struct dgram queue[QMAX];
extern unsigned qlen, sent_total;
extern uint64_t clock_ms;
extern int drop_next;          /* drop this many datagrams from now on */
extern unsigned drop_at;       /* drop the datagram sent as this one (the
				* first is 1); 0: none */
/* On the wire, whoever sent them: IKE fragments (RFC 7383), and those
 * making IP datagrams larger than their sender's fragment size. */
extern unsigned wire_frags, wire_frags_over;
extern unsigned broken;        /* deliveries after which a side sent into
				* the void (make-before-break broken) */
extern bool keep_copies;       /* remember every datagram delivered */
extern struct dgram delivered[QMAX];
extern unsigned ndelivered;
extern uint16_t nat_shift;     /* A behind a NAT: B sees A's ports moved
				* up by this much (0: no NAT) */
extern unsigned keepalives[2]; /* NAT-keepalives each side sent */
extern uint16_t moved_to[2];   /* peer_moved: the peer's new port */
extern struct ip_addr moved_addr[2]; /* and its new address */
/* What child_usage reports: bytes carried, sequence numbers left. */
extern uint64_t usage_bytes, usage_left;

/* Make-before-break: what from sends on, to can open. */
bool sendable(const struct side *from, const struct side *to);

/* Side s (id 0: A, 1: B) with these IKE and ESP proposals and mode, a
 * shared key, one host-to-host selector, start = wait. */
void side_cfg(struct side *s, int id, const char *ike, const char *esp,
	      enum esp_mode mode);
void set_props(struct side *s, const char *ike, const char *esp);
/* Both engines from sides[].cfg, with nothing in flight; and freed. */
void engines_start(void);
void engines_stop(void);

/* Deliver queued datagrams until none is left (bounded); one, out of the
 * queue's order; take the first one out of the queue. */
void pump(void);
void deliver(const struct dgram *d);
void take_first(struct dgram *d);
/* Move the clock, tick both engines, deliver what they sent. */
void advance(uint64_t ms);

/* Side i's newest IKE SA's state name, "none" without one. */
const char *state_of(int i);
/* Both sides up, with mirror-image Child SAs. */
void check_mirrored(void);
/* Both sides with these proposals, A initiates, everything delivered. */
void establish(const char *ike, const char *esp, enum esp_mode mode);

/* Rekey the Child SA (the IKE SA) from side who, checking the result. */
void child_rekey(int who);
void ike_sa_rekey(int who);
uint64_t ike_spi_of(int i);

/* Certificates of test/vectors/ike-cert. */
void vec_path(char *buf, size_t cap, const char *name);
EVP_PKEY *load_key(const char *name);
void use_cert(struct side *s, const char *cert, const char *key,
	      const char *ca, const char *me, const char *them);
void drop_certs(void);
void cert_pair(const char *a_cert, const char *a_key, const char *b_ca,
	       const char *b_expects);

#endif
