/* SPDX-License-Identifier: MIT */
/*
 * Generic segmentation in user space: the super-packets TUN hands over with
 * TSO/USO enabled (a virtio-net header, dp/vnet.h, then one IP packet of up
 * to 64 KiB) cut into packets the size of the SA's MTU, as the kernel's
 * software GSO would cut them:
 *
 *   TCP (gso_type TCPV4/TCPV6): every segment carries a copy of the IP and
 *   TCP headers (IPv4 options and TCP options included); the IPv4 ID grows
 *   by one per segment, the IPv4 total length / IPv6 payload length and
 *   header checksum are those of the segment, the sequence number advances
 *   by the payload before it; FIN and PSH stay only on the last segment,
 *   CWR only on the first.
 *   UDP (gso_type UDP_L4): every segment is a UDP datagram of its own with
 *   its own UDP length; IPv4 IDs grow as for TCP.
 *   No segmentation (gso_type NONE): the packet is copied whole; with
 *   NEEDS_CSUM its checksum is completed (csum_start/csum_offset).
 *
 * Checksums are computed in full (pseudo-header + segment) unless the caller
 * asks for GSO_CSUM_PARTIAL. IPv6 extension headers are not supported: the
 * TCP or UDP header must follow the IPv6 header directly (Linux TCP and UDP
 * add none unless a socket sets IPv6 options); such packets are refused.
 *
 * The header and packet come from the kernel but are treated as untrusted:
 * every field is checked against the packet before anything is copied, and
 * anything inconsistent is refused with -EINVAL. No allocation; the caller
 * provides the output buffers. Not thread-safe per iterator; any number of
 * iterators may run at once on distinct packets.
 */
#ifndef TUNSEC_DP_GSO_H
#define TUNSEC_DP_GSO_H

#include <stdint.h>

#include "dp/vnet.h"
#include "util/pkt.h"

/* Leave every L4 checksum partial: the field holds the folded pseudo-header
 * sum of the segment (IP addresses, protocol, L4 length), as the kernel
 * keeps it for CHECKSUM_PARTIAL. IPv4 header checksums are always full. */
#define GSO_CSUM_PARTIAL 1u

/* Progress through one super-packet; fields are private to gso.c. */
struct gso_iter {
	const uint8_t *pkt;
	uint32_t len;
	uint32_t hdr;    /* IP + L4 header bytes copied before each payload */
	uint32_t off;    /* offset of the next segment's payload in pkt */
	uint32_t seg;    /* payload bytes per segment (the last may be fewer) */
	uint32_t pseudo; /* pseudo-header sum without the L4 length */
	uint32_t seq;    /* TCP sequence number of the first payload byte */
	uint32_t count;  /* segments in all */
	uint32_t index;  /* segments written so far */
	uint16_t l3;     /* IP header bytes */
	uint16_t id;     /* IPv4 ID of the first segment */
	uint16_t csum_start, csum_offset; /* NONE with NEEDS_CSUM */
	uint8_t kind;
	uint8_t v6;
	uint8_t tcp_flags;
	uint8_t flags;
};

/* Check vh and the packet of len bytes at pkt and prepare to segment it so
 * that no segment is longer than mtu bytes (the whole IP packet): TCP
 * payload per segment is min(gso_size, mtu - headers). UDP datagrams are
 * never split below gso_size, so a UDP segment that would pass mtu is
 * refused with -EMSGSIZE, as is TCP when the headers alone reach mtu; the
 * caller may then segment with mtu = UINT32_MAX and treat each datagram as
 * too big. A packet without segmentation (NONE) is not held to mtu.
 *
 * hdr_len is the kernel's hint of its linear part and is only checked to
 * lie within the packet; the headers are found by parsing. Without
 * segmentation, NEEDS_CSUM needs the checksum field inside the packet at an
 * even csum_offset. With NEEDS_CSUM
 * on a GSO packet, csum_start must be the L4 header and csum_offset its
 * checksum field; GSO without NEEDS_CSUM is accepted (the checksums are
 * computed anyway).
 *
 * Returns the number of segments (>= 1), -EINVAL for an inconsistent
 * header or packet, or -EMSGSIZE as above. pkt must stay unchanged and
 * readable until the last gso_next(). */
int gso_begin(struct gso_iter *it, const struct virtio_net_hdr *vh,
	      const uint8_t *pkt, uint32_t len, uint32_t mtu, unsigned flags);

/* Write the next segment at pkt_data(out), replacing out's data (its
 * headroom is kept, so out->off may reserve room for ESP). Returns 1 when a
 * segment was written, 0 when there are no more, or -ENOSPC when out has
 * fewer than the segment's bytes between out->off and out->cap (nothing is
 * written and the iterator does not advance). */
int gso_next(struct gso_iter *it, struct pkt *out);

/* gso_begin() and every gso_next() at once into out[0..max_out). Returns the
 * number of segments, a gso_begin() error, or -ENOSPC when there are more
 * than max_out segments or one does not fit its buffer (out[] then holds
 * garbage). */
int gso_segment(const struct virtio_net_hdr *vh, const uint8_t *pkt,
		uint32_t len, uint32_t mtu, unsigned flags, struct pkt *out,
		unsigned max_out);

#endif
