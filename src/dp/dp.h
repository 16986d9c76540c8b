/* SPDX-License-Identifier: MIT */
/*
 * The data plane of one host: peers, their SAs and policies, and the two
 * packet paths — a packet from the TUN device to an ESP datagram for a peer,
 * and an ESP datagram from a peer to a packet for the TUN device. Pure: the
 * caller does the I/O, so the paths are tested without devices.
 *
 * Threads: the packet paths (dp_from_tun_burst, dp_from_udp_burst) may run
 * in several workers at once, each with its own struct dp_stats. Everything
 * else changes the data plane and runs only while no worker is inside a
 * packet path (the daemon parks its workers between bursts), so a change is
 * atomic for every packet. Within the packet paths: an outbound SA may be
 * shared by workers (its sequence numbers are reserved atomically per
 * burst); an inbound SA is normally reached by one worker only (steering by
 * SPI) and is held with a per-SA lock across a burst's replay check,
 * decryption and window update, so a datagram steered elsewhere cannot race
 * the window.
 */
#ifndef TUNSEC_DP_DP_H
#define TUNSEC_DP_DP_H

#include <stdbool.h>
#include <stdint.h>

#include "dp/limits.h"
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
	DP_DROP_OUTSIDE_TS,   /* from TUN: the peer's policy matched, but the
			       * outbound SA's negotiated selectors do not */
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
	/* Outbound SAs by per-CPU slot (RFC 9611), and the same packed in
	 * slot order: worker w sends on outv[w % nout]. */
	struct dp_sa *out[WORKERS_MAX];
	struct dp_sa *outv[WORKERS_MAX];
	unsigned nout;
};

/* An SA and what the data plane knows of it. */
struct dp_sa {
	struct esp_sa esp;
	char name[DP_NAME_MAX];
	unsigned peer;           /* index into dp.peers */
	bool inbound;
	/* The traffic the SA may carry, negotiated by IKE (outbound view:
	 * src = this host's side; owned); NULL: the peer's selectors. */
	struct spd_selector *sel;
	unsigned nsel;
	bool ts_check;           /* out: some flow of the peer's policies
				  * lies outside sel: check each one */
	uint8_t cpu;             /* out: per-CPU slot, < WORKERS_MAX */
	uint32_t mtu;            /* out: largest inner packet that fits */
	uint8_t busy;            /* in: held by the worker decrypting on it */
	uint64_t workers;        /* bit w: worker w carried a packet on it */
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
	/* Told of a packet dropped because its peer has no outbound SA (an
	 * IKE peer's start = trap); from the workers, so cheap and thread-
	 * safe. NULL: nobody. */
	void (*acquire)(void *ctx, unsigned peer);
	void *acquire_ctx;
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

/* dp_sa_install() for the per-CPU slot cpu (< WORKERS_MAX) of an outbound
 * SA: it replaces the SA in that slot only. Inbound SAs ignore cpu. */
int dp_sa_install_cpu(struct dp *dp, unsigned peer, bool inbound,
		      unsigned cpu, const char *name,
		      const struct esp_sa_config *cfg, const char **why);

/*
 * dp_sa_install_cpu() for an SA that carries only the traffic of its own
 * selectors sel[0..nsel) (negotiated by IKE; this host's view, src = local;
 * copied), not all of the peer's: decrypted packets outside them are
 * dropped as DP_DROP_POLICY, and packets the peer's policies send to an
 * outbound SA but outside them as DP_DROP_OUTSIDE_TS. sel NULL (nsel 0):
 * the peer's selectors, as dp_sa_install_cpu(). -EINVAL with *why for
 * nsel 0 or an invalid selector.
 */
int dp_sa_install_ts(struct dp *dp, unsigned peer, bool inbound,
		     unsigned cpu, const char *name,
		     const struct esp_sa_config *cfg,
		     const struct spd_selector *sel, unsigned nsel,
		     const char **why);

/*
 * Move into to every SA of from that to does not have (by direction and
 * SPI) and whose peer to has (by name); an outbound one only into a free
 * per-CPU slot. For a reload: SAs put in at run time (tunsec sa add, IKE)
 * live on in the new data plane with their sequence numbers, replay
 * windows and selectors. Returns how many moved; what stays in from is
 * freed with it.
 */
unsigned dp_adopt_sas(struct dp *to, struct dp *from);

/* Remove the SA with spi in that direction. 0 or -ENOENT. */
int dp_sa_remove(struct dp *dp, bool inbound, uint32_t spi);

/* Outbound SA of a given SPI, or inbound, or NULL. */
struct dp_sa *dp_sa_find(const struct dp *dp, bool inbound, uint32_t spi);

/* Where an encrypted packet goes (or, receiving, where it came from). */
struct dp_dest {
	struct ip_addr addr;
	uint16_t port;
	uint32_t spi;            /* to: the SA it was sealed with */
	uint32_t mtu;            /* to, on DP_DROP_TOO_BIG: the SA's MTU */
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
 * dp_from_tun() for a burst of n (<= BURST_MAX) packets read by worker
 * (which picks the peer's per-CPU SA), counting into st: verdicts[i] and
 * dests[i] for each. Packets of one SA are sealed in one esp_encrypt_burst()
 * in the order given. On DP_DROP_TOO_BIG dests[i].mtu is set; the caller
 * may answer with dp_too_big_reply().
 */
void dp_from_tun_burst(struct dp *dp, unsigned worker, struct dp_stats *st,
		       struct pkt *const *pkts, unsigned n,
		       enum dp_drop *verdicts, struct dp_dest *dests);

/* The ICMP/ICMPv6 "packet too big" for packet p and mtu, written at reply
 * (cap bytes) for the TUN device: its length, or 0 when none is due. */
uint32_t dp_too_big_reply(const struct pkt *p, uint32_t mtu, uint8_t *reply,
			  uint32_t cap);

/*
 * dp_from_udp() for a burst of n (<= BURST_MAX) datagrams received by
 * worker, datagram i from from[i] (address and port), counting into st. The packets of one SA are
 * opened in one esp_decrypt_burst() under the SA's lock.
 */
void dp_from_udp_burst(struct dp *dp, unsigned worker, struct dp_stats *st,
		       struct pkt *const *pkts, const struct dp_dest *from,
		       unsigned n, enum dp_drop *verdicts);

/*
 * An ESP datagram (the UDP payload) received from from:from_port. On DP_OK
 * *p holds the decrypted IP packet for the TUN device. p needs
 * ESP_HEADROOM in front (the outer headers are rebuilt there).
 */
enum dp_drop dp_from_udp(struct dp *dp, struct pkt *p,
			 const struct ip_addr *from, uint16_t from_port);

#endif
