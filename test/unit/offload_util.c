/* SPDX-License-Identifier: MIT */
#include "offload_util.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/bytes.h"
#include "util/csum.h"

static const uint8_t v4_src[4] = { 192, 0, 2, 1 };
static const uint8_t v4_dst[4] = { 198, 51, 100, 2 };
static const uint8_t v6_src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t v6_dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

void ou_spec_tcp(struct ou_spec *s, bool v6)
{
	memset(s, 0, sizeof(*s));
	s->v6 = v6;
	s->proto = IPPROTO_TCP;
	memcpy(s->src, v6 ? v6_src : v4_src, v6 ? 16 : 4);
	memcpy(s->dst, v6 ? v6_dst : v4_dst, v6 ? 16 : 4);
	s->ttl = 64;
	s->id = 0x1234;
	s->df = true;
	s->sport = 40000;
	s->dport = 5201;
	s->seq = 1000;
	s->ack = 77777;
	s->flags = 0x10;
	s->win = 512;
}

void ou_spec_udp(struct ou_spec *s, bool v6)
{
	ou_spec_tcp(s, v6);
	s->proto = IPPROTO_UDP;
}

void ou_spec_add_timestamps(struct ou_spec *s, uint32_t tsval, uint32_t ecr)
{
	uint8_t *o = s->tcp_opts + s->tcp_optlen;

	o[0] = 1;
	o[1] = 1;
	o[2] = 8;
	o[3] = 10;
	put_be32(o + 4, tsval);
	put_be32(o + 8, ecr);
	s->tcp_optlen += 12;
}

unsigned ou_l3_len(const struct ou_spec *s)
{
	return s->v6 ? 40 : 20 + s->ip_optlen;
}

unsigned ou_hdr_len(const struct ou_spec *s)
{
	return ou_l3_len(s) + (s->proto == IPPROTO_TCP ? 20 + s->tcp_optlen : 8);
}

static void build_ip(const struct ou_spec *s, uint8_t *o, uint32_t total)
{
	unsigned i, l3 = ou_l3_len(s);
	uint32_t sum = 0;

	if (s->v6) {
		o[0] = (uint8_t)(0x60 | s->tos >> 4);
		o[1] = (uint8_t)(s->tos << 4 | (s->flow_label >> 16 & 15));
		put_be16(o + 2, (uint16_t)s->flow_label);
		put_be16(o + 4, (uint16_t)(total - 40));
		o[6] = s->proto;
		o[7] = s->ttl;
		memcpy(o + 8, s->src, 16);
		memcpy(o + 24, s->dst, 16);
		return;
	}
	o[0] = (uint8_t)(0x40 | l3 / 4);
	o[1] = s->tos;
	put_be16(o + 2, (uint16_t)total);
	put_be16(o + 4, s->id);
	put_be16(o + 6, s->df ? 0x4000 : 0);
	o[8] = s->ttl;
	o[9] = s->proto;
	put_be16(o + 10, 0);
	memcpy(o + 12, s->src, 4);
	memcpy(o + 16, s->dst, 4);
	for (i = 0; i < s->ip_optlen; i++)
		o[20 + i] = s->ip_opts[i];
	sum = csum_add(0, o, l3);
	put_be16(o + 10, csum_fold(sum));
}

/* Pseudo-header sum, built as bytes (RFC 9293 §3.1, RFC 8200 §8.1). */
static uint32_t ref_pseudo(const uint8_t *ip, uint32_t l4)
{
	uint8_t ph[40];

	memset(ph, 0, sizeof(ph));
	if (ip[0] >> 4 == 6) {
		memcpy(ph, ip + 8, 32);
		put_be32(ph + 32, l4);
		ph[39] = ip[6];
		return csum_add(0, ph, 40);
	}
	memcpy(ph, ip + 12, 8);
	ph[9] = ip[9];
	put_be16(ph + 10, (uint16_t)l4);
	return csum_add(0, ph, 12);
}

static unsigned ref_l3(const uint8_t *pkt)
{
	return pkt[0] >> 4 == 6 ? 40 : (pkt[0] & 15) * 4u;
}

static unsigned ref_csum_off(const uint8_t *pkt)
{
	uint8_t proto = pkt[0] >> 4 == 6 ? pkt[6] : pkt[9];

	return proto == IPPROTO_TCP ? 16 : 6;
}

uint16_t ou_ref_l4_csum(const uint8_t *pkt, uint32_t len)
{
	unsigned l3 = ref_l3(pkt), off = ref_csum_off(pkt);
	uint32_t sum = ref_pseudo(pkt, len - l3);
	uint16_t c;

	sum = csum_add(sum, pkt + l3, off);
	sum = csum_add(sum, pkt + l3 + off + 2, len - l3 - off - 2);
	c = csum_fold(sum);
	if (off == 6 && c == 0)
		c = 0xffff;
	return c;
}

uint32_t ou_build(const struct ou_spec *s, uint8_t *o)
{
	unsigned l3 = ou_l3_len(s), hdr = ou_hdr_len(s), off, i;
	uint32_t len = hdr + s->plen;
	uint8_t *t = o + l3;

	build_ip(s, o, len);
	put_be16(t, s->sport);
	put_be16(t + 2, s->dport);
	if (s->proto == IPPROTO_TCP) {
		put_be32(t + 4, s->seq);
		put_be32(t + 8, s->ack);
		t[12] = (uint8_t)((20 + s->tcp_optlen) / 4 << 4);
		t[13] = s->flags;
		put_be16(t + 14, s->win);
		put_be16(t + 18, s->urg);
		for (i = 0; i < s->tcp_optlen; i++)
			t[20 + i] = s->tcp_opts[i];
		off = 16;
	} else {
		put_be16(t + 4, (uint16_t)(len - l3));
		off = 6;
	}
	for (i = 0; i < s->plen; i++)
		o[hdr + i] = s->payload[i];
	put_be16(t + off, 0);
	if (s->csum == OU_CSUM_FULL)
		put_be16(t + off, ou_ref_l4_csum(o, len));
	else if (s->csum == OU_CSUM_PARTIAL)
		put_be16(t + off, (uint16_t)~csum_fold(ref_pseudo(o, len - l3)));
	return len;
}

uint8_t *ou_xalloc(uint32_t n)
{
	uint8_t *p = malloc(n ? n : 1);

	if (!p) {
		fprintf(stderr, "out of memory\n");
		abort();
	}
	return p;
}

uint8_t *ou_build_alloc(const struct ou_spec *s, uint32_t *len)
{
	uint8_t *p = ou_xalloc(ou_hdr_len(s) + s->plen);

	*len = ou_build(s, p);
	return p;
}

void ou_vh_for(const struct ou_spec *s, uint16_t gso_size,
	       struct virtio_net_hdr *vh)
{
	memset(vh, 0, sizeof(*vh));
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	if (s->proto == IPPROTO_UDP)
		vh->gso_type = VIRTIO_NET_HDR_GSO_UDP_L4;
	else
		vh->gso_type = s->v6 ? VIRTIO_NET_HDR_GSO_TCPV6
				     : VIRTIO_NET_HDR_GSO_TCPV4;
	if (s->proto == IPPROTO_TCP && (s->flags & 0x80))
		vh->gso_type |= VIRTIO_NET_HDR_GSO_ECN;
	vh->hdr_len = htole16((uint16_t)ou_hdr_len(s));
	vh->gso_size = htole16(gso_size);
	vh->csum_start = htole16((uint16_t)ou_l3_len(s));
	vh->csum_offset = htole16(s->proto == IPPROTO_TCP ? 16 : 6);
}

bool ou_csum_ok(const uint8_t *pkt, uint32_t len)
{
	unsigned l3 = ref_l3(pkt);

	if (pkt[0] >> 4 == 4 && csum_fold(csum_add(0, pkt, l3)) != 0)
		return false;
	return get_be16(pkt + l3 + ref_csum_off(pkt)) ==
	       ou_ref_l4_csum(pkt, len);
}

void ou_pkt_load(struct pkt *p, const uint8_t *data, uint32_t len)
{
	pkt_init(p, ou_xalloc(OU_HEADROOM + len), OU_HEADROOM + len,
		 OU_HEADROOM);
	memcpy(pkt_put(p, len), data, len);
}

void ou_capture_emit(void *ctx, const struct pkt *frame)
{
	struct ou_capture *c = ctx;
	struct ou_frame *f;

	if (c->n >= OU_FRAMES_MAX || frame->len < VNET_HDR_LEN) {
		fprintf(stderr, "capture: too many or short frames\n");
		abort();
	}
	f = &c->f[c->n++];
	vnet_hdr_load(&f->vh, pkt_data(frame));
	f->len = frame->len - VNET_HDR_LEN;
	f->pkt = ou_xalloc(f->len);
	memcpy(f->pkt, pkt_data(frame) + VNET_HDR_LEN, f->len);
}

void ou_capture_reset(struct ou_capture *c)
{
	unsigned i;

	for (i = 0; i < c->n; i++)
		free(c->f[i].pkt);
	c->n = 0;
}

struct gro *ou_gro_new(struct ou_capture *c)
{
	struct gro *g = malloc(sizeof(*g));

	if (!g)
		abort();
	c->n = 0;
	gro_init(g, ou_capture_emit, c);
	return g;
}
