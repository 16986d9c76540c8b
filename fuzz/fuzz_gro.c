/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: coalescing (dp/gro.c) of a hostile sequence of
 * decrypted packets, flushed at the end.
 *
 * Input: byte 0 chooses how the rest becomes packets.
 *
 *   bit 0 clear, raw: records of a 2-byte big-endian length and that many
 *     bytes (the last record takes what is left); length 0 flushes. With
 *     bit 1 set, IPv4 header and TCP checksums are recomputed first where
 *     the headers are readable, so mutations get past verification.
 *   bit 0 set, synthetic: 4-byte records, each one TCP segment of one of
 *     four bulk flows (IPv4, IPv6, IPv4 with timestamps, IPv6 with small
 *     segments), built with correct checksums:
 *       byte 0  bits 0-1 flow; bit 2 flush after; bits 3-4 sequence: next,
 *               next, a gap, the previous again; bits 5-7 a change: none
 *               (0-3), TTL, timestamp, window, IPv4 ID skipped
 *       byte 1  payload: the flow's MSS if >= 128, else 8 * byte 1
 *       byte 2  flags: PSH, FIN, CWR, ECE, URG, SYN, RST, no ACK
 *       byte 3  payload fill; 0xff adds IPv4 options
 *
 * Checked (abort() on failure):
 *  - every verdict is a gro_verdict, the counters add up to the packets;
 *  - every frame is a header and at most IP_PACKET_MAX bytes of packet; its
 *    header is all zero, or a TCP GSO header (NEEDS_CSUM, TCPV4/TCPV6 with
 *    or without ECN, csum_start at the TCP header, csum_offset 16, hdr_len
 *    within the packet, gso_size non-zero);
 *  - a zero-header frame is a packet offered, unchanged; a GSO frame,
 *    segmented again by gso_begin()/gso_next(), gives 2..GRO_SEGS_MAX
 *    packets offered, unchanged;
 *  - each packet offered comes out exactly once (so the payload bytes out
 *    are the payload bytes in), and in synthetic mode each flow's packets
 *    come out in the order they went in;
 *  - nothing is held after the final flush.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dp/gro.h"
#include "dp/gso.h"
#include "util/bytes.h"
#include "util/csum.h"

#define INPUTS_MAX 1024
#define ROOM 16

#define check(cond)                                                        \
	do {                                                               \
		if (!(cond))                                               \
			abort();                                           \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct input {
	uint8_t *buf; /* ROOM bytes of headroom, then the packet */
	uint32_t len;
	int flow;     /* synthetic flow, or -1 */
	bool used;
};

struct state {
	struct gro *g;
	struct input in[INPUTS_MAX];
	unsigned n_in;
	uint8_t *seg; /* scratch for segmenting frames again */
};

static struct gro *gro_mem;

static unsigned l3_len(const uint8_t *p)
{
	return p[0] >> 4 == 6 ? 40 : (p[0] & 15) * 4u;
}

/* The first unused input with these bytes, marked used; in synthetic mode
 * no earlier input of its flow may still be unused. */
static void consume(struct state *st, const uint8_t *p, uint32_t len)
{
	unsigned i, j;

	for (i = 0; i < st->n_in; i++) {
		struct input *in = &st->in[i];

		if (in->used || in->len != len || memcmp(in->buf + ROOM, p, len))
			continue;
		for (j = 0; j < i; j++)
			check(st->in[j].used || in->flow < 0 ||
			      st->in[j].flow != in->flow);
		in->used = true;
		return;
	}
	abort();
}

static void check_gso_header(const struct virtio_net_hdr *vh,
			     const uint8_t *p, uint32_t len)
{
	uint8_t type = vh->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;

	check(vh->flags == VIRTIO_NET_HDR_F_NEEDS_CSUM);
	check(type == (p[0] >> 4 == 6 ? VIRTIO_NET_HDR_GSO_TCPV6
				      : VIRTIO_NET_HDR_GSO_TCPV4));
	check(vnet_get16(vh->csum_start) == l3_len(p));
	check(vnet_get16(vh->csum_offset) == 16);
	check(vnet_get16(vh->hdr_len) <= len && vnet_get16(vh->gso_size));
}

static void emit(void *ctx, const struct pkt *frame)
{
	static const struct virtio_net_hdr zero;
	struct state *st = ctx;
	struct virtio_net_hdr vh;
	const uint8_t *p = pkt_data(frame) + VNET_HDR_LEN;
	uint32_t len = frame->len - VNET_HDR_LEN;
	struct gso_iter it;
	struct pkt out;
	int n, k = 0;

	check(frame->len >= VNET_HDR_LEN && len <= IP_PACKET_MAX);
	vnet_hdr_load(&vh, pkt_data(frame));
	if (!memcmp(&vh, &zero, sizeof(vh))) {
		consume(st, p, len);
		return;
	}
	check(len >= 40);
	check_gso_header(&vh, p, len);
	n = gso_begin(&it, &vh, p, len, UINT32_MAX, 0);
	check(n >= 2 && n <= GRO_SEGS_MAX);
	pkt_init(&out, st->seg, IP_PACKET_MAX, 0);
	while (gso_next(&it, &out) == 1) {
		consume(st, pkt_data(&out), out.len);
		k++;
	}
	check(k == n);
}

static void offer(struct state *st, const uint8_t *p, uint32_t len, int flow)
{
	struct input *in;
	struct pkt pk;
	int v;

	if (st->n_in == INPUTS_MAX)
		return;
	in = &st->in[st->n_in++];
	in->buf = malloc(ROOM + len);
	check(in->buf);
	in->len = len;
	in->flow = flow;
	in->used = false;
	memcpy(in->buf + ROOM, p, len);
	pkt_init(&pk, in->buf, ROOM + len, ROOM);
	pk.len = len;
	v = gro_add(st->g, &pk);
	check(v == GRO_MERGED || v == GRO_HELD || v == GRO_PASSED);
	check(pk.off == ROOM && pk.len == len &&
	      !memcmp(in->buf + ROOM, p, len));
}

/* Raw mode, bit 1: checksums made right where the headers allow. */
static void fix_checksums(uint8_t *p, uint32_t len)
{
	unsigned l3;
	uint32_t sum;
	uint8_t ph[40] = { 0 };

	if (len < 40 || (p[0] >> 4 != 4 && p[0] >> 4 != 6))
		return;
	l3 = l3_len(p);
	if (l3 < 20 || l3 + 20 > len)
		return;
	if (p[0] >> 4 == 4) {
		put_be16(p + 10, 0);
		put_be16(p + 10, csum_fold(csum_add(0, p, l3)));
		memcpy(ph, p + 12, 8);
		ph[9] = 6;
		put_be16(ph + 10, (uint16_t)(len - l3));
		sum = csum_add(0, ph, 12);
	} else {
		memcpy(ph, p + 8, 32);
		put_be32(ph + 32, len - l3);
		ph[39] = 6;
		sum = csum_add(0, ph, 40);
	}
	put_be16(p + l3 + 16, 0);
	put_be16(p + l3 + 16, csum_fold(csum_add(sum, p + l3, len - l3)));
}

static void run_raw(struct state *st, const uint8_t *d, size_t n, bool fix)
{
	uint8_t *tmp = malloc(IP_PACKET_MAX);

	check(tmp);
	while (n >= 2) {
		uint32_t len = get_be16(d);

		d += 2;
		n -= 2;
		if (len > n)
			len = (uint32_t)n;
		if (!len) {
			gro_flush(st->g);
			continue;
		}
		memcpy(tmp, d, len);
		if (fix)
			fix_checksums(tmp, len);
		offer(st, tmp, len, -1);
		d += len;
		n -= len;
	}
	free(tmp);
}

/* Synthetic mode: one segment of flow (bit 0: IPv6, bit 1: timestamps). */
struct seg_desc {
	unsigned flow;
	uint32_t seq, tsval, plen;
	uint16_t id, win;
	uint8_t ttl, flags, fill;
	bool ip_opts;
};

static void build_ip(uint8_t *p, const struct seg_desc *d, unsigned l3,
		     uint32_t len)
{
	if (l3 == 40) {
		p[0] = 0x60;
		put_be16(p + 4, (uint16_t)(len - 40));
		p[6] = 6;
		p[7] = d->ttl;
		p[8] = p[24] = 0x20;
		p[9] = p[25] = 0x01;
		p[23] = 1;
		p[39] = 2;
		return;
	}
	p[0] = (uint8_t)(0x40 | l3 / 4);
	put_be16(p + 2, (uint16_t)len);
	put_be16(p + 4, d->id);
	put_be16(p + 6, 0x4000);
	p[8] = d->ttl;
	p[9] = 6;
	p[12] = p[16] = 10;
	p[15] = 1;
	p[19] = 2;
	if (l3 == 24)
		p[20] = p[21] = p[22] = 1; /* NOPs, then end of options */
}

static uint32_t build_seg(uint8_t *p, const struct seg_desc *d)
{
	bool v6 = d->flow & 1, ts = d->flow & 2;
	unsigned l3 = v6 ? 40 : d->ip_opts ? 24 : 20, thl = ts ? 32 : 20;
	uint32_t len = l3 + thl + d->plen;
	uint8_t *t = p + l3;

	memset(p, 0, l3 + thl);
	build_ip(p, d, l3, len);
	put_be16(t, (uint16_t)(40000 + d->flow));
	put_be16(t + 2, 5201);
	put_be32(t + 4, d->seq);
	put_be32(t + 8, 12345);
	t[12] = (uint8_t)(thl / 4 << 4);
	t[13] = d->flags;
	put_be16(t + 14, d->win);
	if (ts) {
		t[20] = t[21] = 1;
		t[22] = 8;
		t[23] = 10;
		put_be32(t + 24, d->tsval);
		put_be32(t + 28, 7);
	}
	memset(p + l3 + thl, d->fill, d->plen);
	fix_checksums(p, len);
	return len;
}

/* TCP flags byte 2's bits add (the last takes ACK away). */
static uint8_t synth_flags(uint8_t b)
{
	static const uint8_t bits[7] = { 0x08, 0x01, 0x80, 0x40,
					 0x20, 0x02, 0x04 };
	uint8_t f = 0x10;
	unsigned i;

	for (i = 0; i < 7; i++)
		if (b >> i & 1)
			f |= bits[i];
	return b & 0x80 ? f & (uint8_t)~0x10 : f;
}

static void run_synth(struct state *st, const uint8_t *d, size_t n)
{
	static const uint16_t mss[4] = { 1448, 1200, 536, 64 };
	uint32_t seq[4] = { 1000, 2000, 0xffffff00, 4000 }, prev[4] = { 0 };
	uint16_t id[4] = { 0, 100, 0xfff0, 0 };
	uint8_t *p = malloc(IP_PACKET_MAX);
	struct seg_desc s;

	check(p);
	for (; n >= 4; d += 4, n -= 4) {
		unsigned f = d[0] & 3, sm = d[0] >> 3 & 3, ch = d[0] >> 5;

		memset(&s, 0, sizeof(s));
		s.flow = f;
		s.plen = d[1] >= 128 ? mss[f] : d[1] * 8u;
		s.flags = synth_flags(d[2]);
		s.fill = d[3];
		s.ip_opts = d[3] == 0xff && !(f & 1);
		s.seq = sm == 2 ? seq[f] + mss[f] : sm == 3 ? prev[f] : seq[f];
		s.ttl = (uint8_t)(64 + (ch == 4));
		s.tsval = 1 + (ch == 5);
		s.win = (uint16_t)(1000 + (ch == 6));
		s.id = (uint16_t)(id[f] + (ch == 7));
		offer(st, p, build_seg(p, &s), (int)f);
		prev[f] = s.seq;
		seq[f] = s.seq + s.plen;
		id[f] = (uint16_t)(s.id + 1);
		if (d[0] & 4)
			gro_flush(st->g);
	}
	free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct state st;
	struct gro_stats *s;
	unsigned i;

	if (size < 1 || size > 200000)
		return 0;
	if (!gro_mem) {
		gro_mem = malloc(sizeof(*gro_mem));
		check(gro_mem);
	}
	memset(&st, 0, sizeof(st));
	st.g = gro_mem;
	st.seg = malloc(IP_PACKET_MAX);
	check(st.seg);
	gro_init(st.g, emit, &st);
	if (data[0] & 1)
		run_synth(&st, data + 1, size - 1);
	else
		run_raw(&st, data + 1, size - 1, data[0] & 2);
	gro_flush(st.g);
	check(gro_held(st.g) == 0);
	s = &st.g->stats;
	check(s->merged + s->held + s->passed == st.n_in);
	for (i = 0; i < st.n_in; i++) {
		check(st.in[i].used);
		free(st.in[i].buf);
	}
	free(st.seg);
	return 0;
}
