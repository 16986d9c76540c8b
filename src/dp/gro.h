/* SPDX-License-Identifier: MIT */
/*
 * Generic receive offload in user space: decrypted inbound TCP segments of
 * one flow, consecutive and in order, coalesced into one super-packet that
 * is written to TUN once with a virtio-net GSO header (dp/vnet.h). The
 * kernel then treats it as its own GRO would have built it.
 *
 * A segment joins the flow held for its 4-tuple only when, as in the
 * kernel's tcp_gro_receive():
 *   - it follows the held bytes exactly (seq == previous seq + length);
 *   - its payload is at most the first segment's (gso_size); a shorter one
 *     is the last and closes the flow, as PSH and FIN do;
 *   - its IP header equals the first's except the lengths and checksum,
 *     with the IPv4 ID one more than the previous segment's (incrementing
 *     IDs, as segmentation makes them), same TOS/TTL/DF or traffic class,
 *     flow label and hop limit;
 *   - its TCP header equals the first's except sequence number and
 *     checksum: same ACK number, window, urgent pointer and option bytes
 *     (timestamps included), same flags but that CWR may be on the first
 *     only and PSH/FIN on the last only;
 *   - the super-packet stays within IP_PACKET_MAX bytes and GRO_SEGS_MAX
 *     segments.
 * Otherwise the held flow is emitted first and the segment starts a new
 * flow or passes through. A segment is held or merged only when it is
 * IPv4 without options and not a fragment, or IPv6 with TCP directly after
 * the header; carries payload; has ACK and no SYN, RST or URG; and has a
 * correct IPv4 header checksum and TCP checksum, each in the form a
 * sender computes (a TCP checksum of 0xffff where 0 is meant passes), so
 * that segmenting the super-packet again gives back the same bytes.
 * Anything else passes through unchanged, after any held segments of its
 * own TCP flow, so no flow is reordered.
 *
 * Output: every packet leaves through the emit callback as one frame, a
 * virtio-net header followed by the IP packet, ready for a single write()
 * to TUN. Packets passed through, and flows holding one segment, carry an
 * all-zero header and are unchanged. A super-packet carries
 *   flags NEEDS_CSUM, gso_type TCPV4/TCPV6 (plus ECN when the first
 *   segment had CWR), hdr_len = IP + TCP header bytes, gso_size = the
 *   first segment's payload, csum_start = the TCP header, csum_offset 16,
 * with the IPv4 total length and header checksum (or IPv6 payload length)
 * of the whole, and the folded pseudo-header sum of the whole in the TCP
 * checksum field: the CHECKSUM_PARTIAL form the kernel's own TCP stack
 * builds, which TUN (virtio_net_hdr_to_skb) accepts and the receiving
 * stack trusts without summing the payload again. DATA_VALID is not used:
 * it would require a full checksum over the super-packet.
 *
 * One coalescer per worker; no locking, not thread-safe. No allocation per
 * packet: each held flow copies its segments into its slot of the arena.
 */
#ifndef TUNSEC_DP_GRO_H
#define TUNSEC_DP_GRO_H

#include <stdbool.h>
#include <stdint.h>

#include "dp/limits.h"
#include "dp/vnet.h"
#include "util/pkt.h"

/* Receives each frame leaving the coalescer: pkt_data(frame) is the
 * VNET_HDR_LEN-byte header followed by the IP packet, frame->len bytes in
 * all. The frame is valid only during the call; the callback must not keep
 * it nor call back into the coalescer. */
typedef void (*gro_emit_fn)(void *ctx, const struct pkt *frame);

enum gro_verdict {
	GRO_MERGED, /* appended to a held flow (which may have been emitted) */
	GRO_HELD,   /* copied in as the first segment of a new held flow */
	GRO_PASSED, /* emitted at once, unchanged, with a zero header */
};

struct gro_stats {
	uint64_t merged;  /* segments appended to a held flow */
	uint64_t held;    /* segments that started a flow */
	uint64_t passed;  /* packets passed through */
	uint64_t supers;  /* super-packets emitted (two segments or more) */
	uint64_t singles; /* held flows emitted with one segment */
};

/* Slot stride: the IP packet starts 16 bytes in, the header just before. */
#define GRO_IP_OFF 16
#define GRO_SLOT_LEN ((GRO_IP_OFF + IP_PACKET_MAX + 63) & ~63)

/* A held flow; private to gro.c. */
struct gro_flow {
	uint8_t *slot;     /* arena slot; the IP packet at slot + GRO_IP_OFF */
	uint64_t born;     /* start order, to emit the oldest first */
	uint32_t len;      /* IP packet bytes held */
	uint32_t next_seq; /* sequence number the next segment must carry */
	uint16_t next_id;  /* IPv4 ID the next segment must carry */
	bool fixed_id;     /* IPv4 with DF: every segment carries one ID */
	uint16_t seg;      /* payload of the first segment: gso_size */
	uint16_t count;    /* segments held */
	uint8_t l3;        /* IP header bytes */
	uint8_t hdr;       /* IP + TCP header bytes */
	uint8_t flags;     /* TCP flags of the first segment */
	bool v6;
	bool used;
};

/* The coalescer, about GRO_FLOWS_MAX * 64 KiB: allocate it once per
 * worker. Must not be copied or moved after gro_init(). */
struct gro {
	gro_emit_fn emit;
	void *ctx;
	uint64_t clock;
	unsigned held;
	struct gro_stats stats;
	struct gro_flow flow[GRO_FLOWS_MAX];
	uint8_t arena[GRO_FLOWS_MAX][GRO_SLOT_LEN] __attribute__((aligned(64)));
};

/* Start with nothing held; frames go to emit(ctx, frame). */
void gro_init(struct gro *g, gro_emit_fn emit, void *ctx);

/* Offer one decrypted IP packet. p needs VNET_HDR_LEN bytes of headroom
 * (for the header of a packet passed through); it is left as it was on
 * return, and may be reused then: merged and held segments are copied.
 * Zero or more frames are emitted during the call, in an order that keeps
 * every TCP flow in sequence. Returns a gro_verdict, or -EINVAL (nothing
 * done) when p lacks the headroom. */
int gro_add(struct gro *g, struct pkt *p);

/* Emit every held flow, oldest first (at the end of each burst). */
void gro_flush(struct gro *g);

/* Flows held now. */
static inline unsigned gro_held(const struct gro *g)
{
	return g->held;
}

#endif
