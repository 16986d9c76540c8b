/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the segmentation and coalescing tests (test_gso.c,
 * test_gro.c): a packet builder that writes IPv4/IPv6 TCP/UDP packets field
 * by field from a description, checksum checks computed independently of
 * dp/gso.c and dp/gro.c (plain csum_add() over an explicit pseudo-header),
 * and a capture of the frames a coalescer emits. Names carry ou_
 * (offload util). Allocation failure aborts the test binary.
 */
#ifndef TUNSEC_TEST_OFFLOAD_UTIL_H
#define TUNSEC_TEST_OFFLOAD_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "dp/gro.h"
#include "dp/vnet.h"
#include "util/pkt.h"

enum ou_csum {
	OU_CSUM_FULL,    /* the checksum a sender computes */
	OU_CSUM_PARTIAL, /* the folded pseudo-header sum (CHECKSUM_PARTIAL) */
	OU_CSUM_ZERO,
};

/* One packet, field by field. Option lengths are multiples of 4. */
struct ou_spec {
	bool v6;
	uint8_t proto; /* IPPROTO_TCP or IPPROTO_UDP */
	uint8_t src[16], dst[16];
	uint8_t tos;   /* TOS or traffic class */
	uint8_t ttl;   /* TTL or hop limit */
	uint16_t id;   /* IPv4 */
	bool df;       /* IPv4 */
	uint32_t flow_label; /* IPv6, 20 bits */
	uint8_t ip_opts[40];
	unsigned ip_optlen; /* IPv4 only */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win, urg;
	uint8_t tcp_opts[40];
	unsigned tcp_optlen;
	const uint8_t *payload;
	uint32_t plen;
	enum ou_csum csum;
};

/* A TCP ACK segment from 192.0.2.1:40000 to 198.51.100.2:5201 (or
 * 2001:db8::1 to 2001:db8::2), TTL 64, DF, no options, no payload. */
void ou_spec_tcp(struct ou_spec *s, bool v6);
void ou_spec_udp(struct ou_spec *s, bool v6);

/* A TCP timestamp option (NOP, NOP, kind 8, length 10) in tcp_opts. */
void ou_spec_add_timestamps(struct ou_spec *s, uint32_t tsval, uint32_t ecr);

/* IP header bytes, and IP + L4 header bytes. */
unsigned ou_l3_len(const struct ou_spec *s);
unsigned ou_hdr_len(const struct ou_spec *s);

/* Write the packet to out (room for ou_hdr_len() + plen bytes); returns its
 * length. */
uint32_t ou_build(const struct ou_spec *s, uint8_t *out);

/* The same into fresh heap storage of exactly that length. */
uint8_t *ou_build_alloc(const struct ou_spec *s, uint32_t *len);

/* The virtio-net header TUN would give with s as a super-packet: NEEDS_CSUM
 * at the L4 checksum, hdr_len = the headers, gso_type from s (ECN when CWR
 * is set), gso_size as given. */
void ou_vh_for(const struct ou_spec *s, uint16_t gso_size,
	       struct virtio_net_hdr *vh);

/* The IPv4 header checksum is right (when IPv4) and the TCP/UDP checksum
 * verifies over the pseudo-header, all summed with csum_add(). */
bool ou_csum_ok(const uint8_t *pkt, uint32_t len);

/* The checksum field as a sender computes it (0 or 0xffff when the sum is
 * zero, TCP and UDP respectively), for pkt's L4 header at l3. */
uint16_t ou_ref_l4_csum(const uint8_t *pkt, uint32_t len);

uint8_t *ou_xalloc(uint32_t n);

/* A packet buffer with OU_HEADROOM bytes before data (a copy of len bytes
 * at data) and exactly enough storage after it. Free p->head. */
#define OU_HEADROOM 64
void ou_pkt_load(struct pkt *p, const uint8_t *data, uint32_t len);

/* Frames a coalescer emitted, copied. */
#define OU_FRAMES_MAX 512
struct ou_frame {
	struct virtio_net_hdr vh;
	uint8_t *pkt;
	uint32_t len;
};
struct ou_capture {
	struct ou_frame f[OU_FRAMES_MAX];
	unsigned n;
};

/* gro_emit_fn for a struct ou_capture *ctx. */
void ou_capture_emit(void *ctx, const struct pkt *frame);
void ou_capture_reset(struct ou_capture *c);

/* A coalescer emitting into c (heap; free it). */
struct gro *ou_gro_new(struct ou_capture *c);

#endif
