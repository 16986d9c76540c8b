/* SPDX-License-Identifier: MIT */
#include "dp/gro.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "util/bytes.h"
#include "util/csum.h"
#include "util/cursor.h"

#ifndef TH_ECE
#define TH_ECE 0x40
#endif
#ifndef TH_CWR
#define TH_CWR 0x80
#endif

#define IPV4_HDR_LEN 20
#define IPV6_HDR_LEN 40
#define TCP_HDR_MIN 20

/* Flags a held or merged segment may carry; ACK is required. */
#define FLAGS_HOLD (TH_ACK | TH_ECE | TH_CWR)
#define FLAGS_LAST (TH_PUSH | TH_FIN)

/* One parsed packet. Offsets below hdr (IP and TCP headers) and the
 * payload up to len were bounds-checked by parse(). */
struct seg {
	const uint8_t *ip;
	uint32_t len;
	uint32_t seq;
	uint16_t id;
	bool df;
	uint8_t l3;
	uint8_t hdr;
	uint8_t flags;
	bool v6;
	bool ok; /* may be held or merged */
};

static uint8_t *flow_ip(const struct gro_flow *f)
{
	return f->slot + GRO_IP_OFF;
}

/* Pseudo-header sum (RFC 9293 §3.1, RFC 8200 §8.1) of an l4-byte TCP
 * segment, whose addresses lie at 12 (IPv4) or 8 (IPv6). */
static uint32_t pseudo_sum(const uint8_t *ip, bool v6, uint32_t l4)
{
	if (v6)
		return csum_add_fast(IPPROTO_TCP + l4, ip + 8, 32);
	return csum_add_fast(IPPROTO_TCP + l4, ip + 12, 8);
}

/* The TCP checksum is the one a sender computes: it verifies, and is not
 * 0xffff (a sender's sum of non-zero data is never 0, so 0xffff would
 * stand for 0 and segmenting again would not give the same bytes). */
static bool tcp_csum_ok(const struct seg *s)
{
	uint32_t l4 = s->len - s->l3;
	uint32_t sum = pseudo_sum(s->ip, s->v6, l4);

	if (get_be16(s->ip + s->l3 + 16) == 0xffff)
		return false;
	return csum_fold(csum_add_fast(sum, s->ip + s->l3, l4)) == 0;
}

/* TCP header at l3; sets hdr, seq, flags and whether s may coalesce. */
static bool parse_tcp(struct cursor c, struct seg *s, uint32_t end)
{
	uint8_t doff;

	if (!cursor_skip(&c, s->l3) || !cursor_skip(&c, 4) ||
	    !cursor_u32(&c, &s->seq) || !cursor_skip(&c, 4) ||
	    !cursor_u8(&c, &doff) || !cursor_u8(&c, &s->flags))
		return false;
	if (doff >> 4 < TCP_HDR_MIN / 4 || s->l3 + (doff >> 4) * 4u > end)
		return false;
	s->hdr = (uint8_t)(s->l3 + (doff >> 4) * 4);
	s->ok = s->ok && s->hdr < s->len && (s->flags & TH_ACK) &&
		!(s->flags & ~(FLAGS_HOLD | FLAGS_LAST)) && tcp_csum_ok(s);
	return true;
}

/* IPv4 (RFC 791): TCP, not a fragment. ok needs no options, a total
 * length equal to the packet's and a correct header checksum. */
static bool parse_v4(struct cursor c, struct seg *s)
{
	struct cursor hdr = c;
	uint16_t total, frag, csum;
	uint8_t vihl, proto;
	unsigned ihl;

	if (!cursor_u8(&c, &vihl) || !cursor_skip(&c, 1) ||
	    !cursor_u16(&c, &total) || !cursor_u16(&c, &s->id) ||
	    !cursor_u16(&c, &frag) || !cursor_skip(&c, 1) ||
	    !cursor_u8(&c, &proto) || !cursor_u16(&c, &csum) ||
	    !cursor_skip(&c, 8))
		return false;
	ihl = (vihl & 15) * 4u;
	if (proto != IPPROTO_TCP || (frag & 0x3fff) || ihl < IPV4_HDR_LEN ||
	    total < ihl || total > s->len)
		return false;
	s->l3 = (uint8_t)ihl;
	s->df = (frag & 0x4000) != 0;
	s->ok = ihl == IPV4_HDR_LEN && total == s->len &&
		csum_ipv4_header(s->ip, IPV4_HDR_LEN) == csum;
	return parse_tcp(hdr, s, total);
}

/* IPv6 (RFC 8200) with TCP as the first next header; ok needs a payload
 * length equal to the packet's (no jumbogram). */
static bool parse_v6(struct cursor c, struct seg *s)
{
	struct cursor hdr = c;
	uint16_t plen;
	uint8_t nh;

	if (!cursor_skip(&c, 4) || !cursor_u16(&c, &plen) ||
	    !cursor_u8(&c, &nh) || !cursor_skip(&c, 33))
		return false;
	if (nh != IPPROTO_TCP || IPV6_HDR_LEN + (uint32_t)plen > s->len)
		return false;
	s->v6 = true;
	s->l3 = IPV6_HDR_LEN;
	s->ok = IPV6_HDR_LEN + (uint32_t)plen == s->len;
	return parse_tcp(hdr, s, IPV6_HDR_LEN + (uint32_t)plen);
}

/* True when p is TCP with a readable header (a flow to keep in order). */
static bool parse(const struct pkt *p, struct seg *s)
{
	struct cursor c = cursor_make(pkt_data(p), p->len);
	uint8_t first;

	memset(s, 0, sizeof(*s));
	s->len = p->len;
	if (!cursor_peek_u8(&c, 0, &first) ||
	    !cursor_bytes(&c, &s->ip, p->len))
		return false;
	c = cursor_make(s->ip, s->len);
	if (first >> 4 == 4)
		return parse_v4(c, s);
	if (first >> 4 == 6)
		return parse_v6(c, s);
	return false;
}

static bool same_flow(const struct gro_flow *f, const struct seg *s)
{
	const uint8_t *h = flow_ip(f);

	if (f->v6 != s->v6 ||
	    memcmp(h + f->l3, s->ip + s->l3, 4) != 0) /* ports */
		return false;
	if (s->v6)
		return memcmp(h + 8, s->ip + 8, 32) == 0;
	return memcmp(h + 12, s->ip + 12, 8) == 0;
}

static struct gro_flow *flow_find(struct gro *g, const struct seg *s)
{
	unsigned i;

	if (!g->held)
		return NULL;
	for (i = 0; i < GRO_FLOWS_MAX; i++)
		if (g->flow[i].used && same_flow(&g->flow[i], s))
			return &g->flow[i];
	return NULL;
}

/* Headers equal to the held first segment's but for the fields that
 * change per segment: lengths, IPv4 ID and checksum, TCP sequence number,
 * flags (checked by the caller) and checksum. */
static bool same_headers(const struct gro_flow *f, const struct seg *s)
{
	const uint8_t *h = flow_ip(f), *n = s->ip;
	const uint8_t *ht = h + f->l3, *nt = n + s->l3;

	if (s->v6) {
		if (memcmp(h, n, 4) || memcmp(h + 6, n + 6, 2))
			return false;
	} else if (memcmp(h, n, 2) || memcmp(h + 6, n + 6, 4)) {
		return false;
	}
	return !memcmp(ht + 8, nt + 8, 5) && !memcmp(ht + 14, nt + 14, 2) &&
	       !memcmp(ht + 18, nt + 18, f->hdr - f->l3 - 18u);
}

/*
 * The IPv4 ID rule of the kernel's GRO: IDs increase by one per segment,
 * or — for atomic datagrams (DF set, RFC 6864 §4.1), decided at the second
 * segment — stay fixed. A fixed-ID flow is re-segmented with increasing
 * IDs, which atomic datagrams allow.
 */
static bool id_ok(const struct gro_flow *f, const struct seg *s)
{
	uint16_t first = (uint16_t)(f->next_id - f->count);

	if (s->v6)
		return true;
	if (f->count == 1 && s->df && s->id == first)
		return true;
	return f->fixed_id ? s->id == first : s->id == f->next_id;
}

static bool can_merge(const struct gro_flow *f, const struct seg *s)
{
	uint32_t plen = s->len - s->hdr;

	return s->ok && s->hdr == f->hdr && s->seq == f->next_seq &&
	       plen <= f->seg && f->len + plen <= IP_PACKET_MAX &&
	       id_ok(f, s) &&
	       (s->flags & (uint8_t)~FLAGS_LAST) ==
		       (f->flags & (uint8_t)~TH_CWR) &&
	       same_headers(f, s);
}

/* Turn the held segments into one super-packet and fill in its header. */
static void finish_super(struct gro_flow *f, struct virtio_net_hdr *vh)
{
	uint8_t *ip = flow_ip(f);
	uint32_t l4 = f->len - f->l3;

	if (f->v6) {
		put_be16(ip + 4, (uint16_t)l4);
	} else {
		put_be16(ip + 2, (uint16_t)f->len);
		put_be16(ip + 10, csum_ipv4_header(ip, IPV4_HDR_LEN));
	}
	put_be16(ip + f->l3 + 16,
		 (uint16_t)~csum_fold(pseudo_sum(ip, f->v6, l4)));
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->gso_type = f->v6 ? VIRTIO_NET_HDR_GSO_TCPV6
			     : VIRTIO_NET_HDR_GSO_TCPV4;
	if (f->flags & TH_CWR)
		vh->gso_type |= VIRTIO_NET_HDR_GSO_ECN;
	vh->hdr_len = vnet_put16(f->hdr);
	vh->gso_size = vnet_put16(f->seg);
	vh->csum_start = vnet_put16(f->l3);
	vh->csum_offset = vnet_put16(VNET_CSUM_OFF_TCP);
}

static void flow_emit(struct gro *g, struct gro_flow *f)
{
	struct virtio_net_hdr vh;
	struct pkt frame;

	memset(&vh, 0, sizeof(vh));
	if (f->count > 1) {
		finish_super(f, &vh);
		g->stats.supers++;
	} else {
		g->stats.singles++;
	}
	pkt_init(&frame, f->slot, GRO_SLOT_LEN, GRO_IP_OFF - VNET_HDR_LEN);
	frame.len = VNET_HDR_LEN + f->len;
	vnet_hdr_store(pkt_data(&frame), &vh);
	f->used = false;
	g->held--;
	g->emit(g->ctx, &frame);
}

static struct gro_flow *oldest(struct gro *g)
{
	struct gro_flow *o = NULL;
	unsigned i;

	for (i = 0; i < GRO_FLOWS_MAX; i++)
		if (g->flow[i].used && (!o || g->flow[i].born < o->born))
			o = &g->flow[i];
	return o;
}

static void merge(struct gro *g, struct gro_flow *f, const struct seg *s)
{
	uint32_t plen = s->len - s->hdr;

	memcpy(flow_ip(f) + f->len, s->ip + s->hdr, plen);
	f->len += plen;
	f->next_seq += plen;
	if (!f->v6 && f->count == 1 && s->id == (uint16_t)(f->next_id - 1))
		f->fixed_id = true;
	f->next_id++;
	f->count++;
	g->stats.merged++;
	/* The last segment's PSH/FIN go on the whole (tcp_gro_receive()). */
	flow_ip(f)[f->l3 + 13] |= s->flags & FLAGS_LAST;
	/* A flow too full for another whole segment stays held: a shorter
	 * last one may still fit. */
	if ((s->flags & FLAGS_LAST) || plen < f->seg ||
	    f->count >= GRO_SEGS_MAX)
		flow_emit(g, f);
}

static void hold(struct gro *g, const struct seg *s)
{
	struct gro_flow *f = NULL;
	unsigned i;

	if (g->held == GRO_FLOWS_MAX)
		flow_emit(g, oldest(g));
	for (i = 0; !f; i++)
		if (!g->flow[i].used)
			f = &g->flow[i];
	memcpy(flow_ip(f), s->ip, s->len);
	f->born = g->clock++;
	f->len = s->len;
	f->next_seq = s->seq + (s->len - s->hdr);
	f->next_id = (uint16_t)(s->id + 1);
	f->fixed_id = false;
	f->seg = (uint16_t)(s->len - s->hdr);
	f->count = 1;
	f->l3 = s->l3;
	f->hdr = s->hdr;
	f->flags = s->flags;
	f->v6 = s->v6;
	f->used = true;
	g->held++;
	g->stats.held++;
}

static int pass(struct gro *g, struct pkt *p)
{
	uint8_t *h = pkt_push(p, VNET_HDR_LEN);

	memset(h, 0, VNET_HDR_LEN);
	g->stats.passed++;
	g->emit(g->ctx, p);
	pkt_pull(p, VNET_HDR_LEN);
	return GRO_PASSED;
}

void gro_init(struct gro *g, gro_emit_fn emit, void *ctx)
{
	unsigned i;

	memset(g->flow, 0, sizeof(g->flow));
	memset(&g->stats, 0, sizeof(g->stats));
	g->emit = emit;
	g->ctx = ctx;
	g->clock = 0;
	g->held = 0;
	for (i = 0; i < GRO_FLOWS_MAX; i++)
		g->flow[i].slot = g->arena[i];
}

int gro_add(struct gro *g, struct pkt *p)
{
	struct gro_flow *f;
	struct seg s;

	if (pkt_headroom(p) < VNET_HDR_LEN)
		return -EINVAL;
	if (!parse(p, &s))
		return pass(g, p);
	f = flow_find(g, &s);
	if (f && can_merge(f, &s)) {
		merge(g, f, &s);
		return GRO_MERGED;
	}
	if (f)
		flow_emit(g, f);
	if (!s.ok || (s.flags & FLAGS_LAST))
		return pass(g, p);
	hold(g, &s);
	return GRO_HELD;
}

void gro_flush(struct gro *g)
{
	while (g->held)
		flow_emit(g, oldest(g));
}
