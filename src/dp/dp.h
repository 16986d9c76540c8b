/* SPDX-License-Identifier: MIT */
/*
 * The data plane of one host: peers, their SAs and policies, and the two
 * packet paths — a packet from the TUN device to an ESP datagram for a peer,
 * and an ESP datagram from a peer to a packet for the TUN device. Pure: the
 * caller does the I/O, so the paths are tested without devices.
 *
 * Single-threaded: one loop owns a struct dp and calls everything here; SAs
 * change only between packets, so a change is atomic for every packet.
 */
#ifndef TUNSEC_DP_DP_H
#define TUNSEC_DP_DP_H

#include <stdbool.h>
#include <stdint.h>

#include "esp/esp.h"
#include "sadb/sadb.h"
#include "sadb/spd.h"

#define DP_NAME_MAX 64

/* Drops that happen before an SA is known, or outside any SA. */
enum dp_drop {
	DP_OK = 0,
	DP_DROP_MALFORMED,    /* not an IP packet or datagram we can take */
	DP_DROP_NO_POLICY,    /* from TUN: no policy protects it */
	DP_DROP_DISCARD,      /* from TUN: a discard policy matched */
	DP_DROP_NO_SA,        /* from TUN: the peer has no outbound SA yet */
	DP_DROP_TOO_BIG,      /* from TUN: larger than the SA's MTU */
	DP_DROP_NOT_ESP,      /* from the UDP socket: see esp_drops[] */
	DP_DROP_UNKNOWN_SPI,  /* from the UDP socket: no inbound SA */
	DP_DROP_WRONG_PEER,   /* ESP from an address that is not the SA's peer */
	DP_DROP_SA,           /* dropped by the SA: see its esp_stats */
	DP_DROP_POLICY,       /* decrypted, but outside the SA's selectors */
	DP_DROP_IO,           /* a send or TUN write failed */
	DP_DROP_COUNT
};

const char *dp_drop_name(enum dp_drop reason);

struct dp_peer {
	char name[DP_NAME_MAX];
	struct ip_addr addr;     /* underlay address */
	uint16_t port;
	enum esp_mode mode;
	struct spd_selector *sel; /* outbound view: src = this host's side */
	unsigned nsel;
	struct dp_sa *out;       /* current outbound SA, or NULL */
	struct dp_sa *in;        /* current inbound SA, or NULL */
};

/* An SA and what the data plane knows of it. */
struct dp_sa {
	struct esp_sa esp;
	char name[DP_NAME_MAX];
	unsigned peer;           /* index into dp.peers */
	bool inbound;
	uint32_t mtu;            /* out: largest inner packet that fits */
};

struct dp_stats {
	uint64_t drops[DP_DROP_COUNT];
	uint64_t esp_drops[ESP_DROP_COUNT]; /* before an SA was found */
	uint64_t tun_packets, udp_packets;  /* handled from each side */
};

struct dp {
	struct ip_addr local;    /* this host's underlay address */
	uint16_t port;           /* ESP-in-UDP port */
	uint32_t underlay_mtu;
	struct dp_peer *peers;
	unsigned npeers;
	struct spd spd;          /* policy id = peer << 16 | selector */
	struct sadb in;          /* SPI -> inbound SA */
	struct sadb out;         /* SPI -> outbound SA */
	struct dp_stats stats;
};

/* Set up an empty data plane. 0 or -ENOMEM. */
int dp_init(struct dp *dp, const struct ip_addr *local, uint16_t port,
	    uint32_t underlay_mtu);

/* Wipe and free every SA and peer. Safe on a zeroed struct. */
void dp_free(struct dp *dp);

/* Add a peer protecting the given selectors (outbound view; copied).
 * Returns its index, or -ENOMEM / -EINVAL (bad selector). */
int dp_peer_add(struct dp *dp, const char *name, const struct ip_addr *addr,
		uint16_t port, enum esp_mode mode,
		const struct spd_selector *sel, unsigned nsel);

/* The peer called name, or -1. */
int dp_peer_find(const struct dp *dp, const char *name);

/*
 * The one seam through which SAs enter the data plane (static keys, the
 * control socket, and later IKE). Builds the SA from cfg and puts it in place
 * of the one with the same SPI and direction, or of the peer's current SA in
 * that direction, in one step: no packet sees a half-installed SA and none
 * is lost for want of one. The old SA is wiped and freed. Returns 0, or
 * -EINVAL with *why set (as esp_sa_init), -ENOENT for a bad peer index,
 * -ENOMEM.
 */
int dp_sa_install(struct dp *dp, unsigned peer, bool inbound, const char *name,
		  const struct esp_sa_config *cfg, const char **why);

/* Remove the SA with spi in that direction. 0 or -ENOENT. */
int dp_sa_remove(struct dp *dp, bool inbound, uint32_t spi);

/* Outbound SA of a given SPI, or inbound, or NULL. */
struct dp_sa *dp_sa_find(const struct dp *dp, bool inbound, uint32_t spi);

/* Where an encrypted packet goes. */
struct dp_dest {
	struct ip_addr addr;
	uint16_t port;
};

/*
 * A packet read from the TUN device: classify it, find the policy and the
 * peer's outbound SA, encrypt it. On DP_OK *p holds the ESP datagram (the
 * UDP payload) and *dest where to send it. When the packet is too big for
 * the SA and a reply is due, *reply_len is set to the length of an ICMP
 * "packet too big" written at reply (reply_cap bytes) for the TUN device.
 */
enum dp_drop dp_from_tun(struct dp *dp, struct pkt *p, struct dp_dest *dest,
			 uint8_t *reply, uint32_t reply_cap,
			 uint32_t *reply_len);

/*
 * An ESP datagram (the UDP payload) received from from:from_port. On DP_OK
 * *p holds the decrypted IP packet for the TUN device. p needs
 * ESP_HEADROOM in front (the outer headers are rebuilt there).
 */
enum dp_drop dp_from_udp(struct dp *dp, struct pkt *p,
			 const struct ip_addr *from, uint16_t from_port);

#endif
