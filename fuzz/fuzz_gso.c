/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: segmentation (dp/gso.c) of hostile virtio-net headers
 * and super-packets.
 *
 * Input:
 *   bytes 0-9    struct virtio_net_hdr as TUN gives it (little-endian u16s)
 *   bytes 10-11  MTU, big-endian; 0 means none (UINT32_MAX)
 *   byte  12     bit 0  GSO_CSUM_PARTIAL
 *                bit 1  make the lengths agree first: IPv4 total length,
 *                       IPv6 payload length and UDP length set to the
 *                       packet's, so mutations reach the segmentation
 *                bit 2  also set hdr_len, csum_start and csum_offset to
 *                       the parsed headers
 *                bit 3  pass an output buffer one byte short
 *   bytes 13-    the IP packet (at most 65535 bytes)
 *
 * Checked (abort() on failure):
 *  - gso_begin() returns a segment count > 0, -EINVAL or -EMSGSIZE, and
 *    gso_segment() agrees with it;
 *  - each segment lies within its buffer after the headroom left for it;
 *    a buffer too short gives -ENOSPC and leaves the iterator where it was;
 *  - without segmentation the output is the input, but for the completed
 *    checksum field;
 *  - with segmentation: exactly count segments, none longer than the MTU,
 *    each carrying its own length in the IP (and UDP) header, a correct
 *    IPv4 header checksum, an L4 checksum that verifies over the
 *    pseudo-header (full mode) or equals the pseudo-header sum (partial),
 *    the input's headers but for the fields segmentation rewrites, and the
 *    next slice of the input's payload; the slices add up to all of it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dp/gso.h"
#include "dp/limits.h"
#include "util/bytes.h"
#include "util/csum.h"

#define CONFIG_LEN 13
#define ROOM 32

#define check(cond)                                                        \
	do {                                                               \
		if (!(cond))                                               \
			abort();                                           \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct shape {
	unsigned l3, hdr, csum_off;
	bool v6, udp;
};

/* The headers of a packet gso_begin() accepted (so already validated). */
static void shape_of(const uint8_t *p, struct shape *sh)
{
	uint8_t proto;

	sh->v6 = p[0] >> 4 == 6;
	sh->l3 = sh->v6 ? 40 : (p[0] & 15) * 4u;
	proto = sh->v6 ? p[6] : p[9];
	sh->udp = proto == 17;
	sh->hdr = sh->l3 + (sh->udp ? 8 : (p[sh->l3 + 12] >> 4) * 4u);
	sh->csum_off = sh->udp ? 6 : 16;
}

/* Bit 1 and 2 of the configuration: best effort, no validation. */
static void fix_up(uint8_t *p, uint32_t len, struct virtio_net_hdr *vh,
		   uint8_t cfg)
{
	unsigned l3, hdr;

	if (len < 40)
		return;
	if (p[0] >> 4 == 4)
		put_be16(p + 2, (uint16_t)len);
	else
		put_be16(p + 4, (uint16_t)(len - 40));
	l3 = p[0] >> 4 == 6 ? 40 : (p[0] & 15) * 4u;
	if (l3 + 20 > len)
		return;
	if ((p[0] >> 4 == 6 ? p[6] : p[9]) == 17) {
		put_be16(p + l3 + 4, (uint16_t)(len - l3));
		hdr = l3 + 8;
	} else {
		hdr = l3 + (p[l3 + 12] >> 4) * 4u;
	}
	if (!(cfg & 4) || hdr > len)
		return;
	vh->hdr_len = vnet_put16((uint16_t)hdr);
	vh->csum_start = vnet_put16((uint16_t)l3);
	vh->csum_offset = vnet_put16(hdr == l3 + 8 ? 6 : 16);
}

static uint32_t l4_pseudo(const uint8_t *s, const struct shape *sh,
			  uint32_t l4)
{
	uint8_t ph[40] = { 0 };

	if (sh->v6) {
		memcpy(ph, s + 8, 32);
		put_be32(ph + 32, l4);
		ph[39] = sh->udp ? 17 : 6;
		return csum_add(0, ph, 40);
	}
	memcpy(ph, s + 12, 8);
	ph[9] = sh->udp ? 17 : 6;
	put_be16(ph + 10, (uint16_t)l4);
	return csum_add(0, ph, 12);
}

/* Header bytes of segment s equal the input's, but for lengths, ID,
 * checksums, sequence number and flags. */
static void check_headers(const uint8_t *in, const uint8_t *s,
			  const struct shape *sh)
{
	unsigned i;

	for (i = 0; i < sh->hdr; i++) {
		bool mutable_v4 = !sh->v6 && (i == 2 || i == 3 || i == 4 ||
					      i == 5 || i == 10 || i == 11);
		bool mutable_v6 = sh->v6 && (i == 4 || i == 5);
		unsigned t = i - sh->l3;
		bool mutable_l4 = i >= sh->l3 &&
				  (t == sh->csum_off || t == sh->csum_off + 1 ||
				   (sh->udp ? t == 4 || t == 5
					    : (t >= 4 && t < 8) || t == 13));

		if (!mutable_v4 && !mutable_v6 && !mutable_l4)
			check(in[i] == s[i]);
	}
}

static void check_segment(const uint8_t *in, uint32_t in_len,
			  const uint8_t *s, uint32_t len,
			  const struct shape *sh, unsigned flags,
			  uint32_t *payload_off)
{
	uint32_t plen = len - sh->hdr, l4 = len - sh->l3, sum;
	uint16_t field = get_be16(s + sh->l3 + sh->csum_off), folded;

	check(len > sh->hdr && *payload_off + plen <= in_len);
	check_headers(in, s, sh);
	check(!memcmp(s + sh->hdr, in + *payload_off, plen));
	*payload_off += plen;
	if (sh->v6)
		check(get_be16(s + 4) == len - 40);
	else
		check(get_be16(s + 2) == len &&
		      csum_fold(csum_add(0, s, sh->l3)) == 0);
	if (sh->udp)
		check(get_be16(s + sh->l3 + 4) == l4);
	sum = l4_pseudo(s, sh, l4);
	folded = (uint16_t)(0xffff ^ csum_fold(sum));
	if (flags & GSO_CSUM_PARTIAL)
		check(field == folded);
	else
		check(csum_fold(csum_add(sum, s + sh->l3, l4)) == 0);
}

/* The output of a packet without segmentation: the input, but for the
 * completed checksum. */
static void check_plain(const struct virtio_net_hdr *vh, const uint8_t *in,
			const uint8_t *out, uint32_t len, unsigned flags)
{
	uint32_t start = vnet_get16(vh->csum_start);
	uint32_t field = start + vnet_get16(vh->csum_offset);

	if (!(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) ||
	    (flags & GSO_CSUM_PARTIAL)) {
		check(!memcmp(in, out, len));
		return;
	}
	check(field + 2 <= len);
	check(!memcmp(in, out, field) &&
	      !memcmp(in + field + 2, out + field + 2, len - field - 2));
	/* The input's field stood for the pseudo-header sum: with it added
	 * back, the completed range verifies. */
	check(csum_fold(csum_add(get_be16(in + field), out + start,
				 len - start)) == 0);
}

/* Payload bytes per segment, from the header and MTU alone. */
static uint32_t seg_size(const struct virtio_net_hdr *vh,
			 const struct shape *sh, uint32_t mtu)
{
	uint32_t seg = vnet_get16(vh->gso_size);

	if (!sh->udp && seg > mtu - sh->hdr)
		seg = mtu - sh->hdr;
	return seg;
}

struct run {
	const struct virtio_net_hdr *vh;
	const uint8_t *in;
	uint32_t len, mtu;
	unsigned flags;
	int n;
	bool plain, short_buf;
};

/* Length of the next segment once payload_off bytes are done. */
static uint32_t next_len(const struct run *r, const struct shape *sh,
			 uint32_t payload_off)
{
	uint32_t seg = seg_size(r->vh, sh, r->mtu);

	if (r->plain)
		return r->len;
	return sh->hdr + (r->len - payload_off < seg ? r->len - payload_off
						     : seg);
}

static void run_segments(struct gso_iter *it, const struct run *r)
{
	uint8_t *buf = malloc(ROOM + r->len);
	uint32_t payload_off = 0, got = 0, want;
	struct shape sh = { 0 };
	struct pkt out;
	int v;

	check(buf);
	if (!r->plain) {
		shape_of(r->in, &sh);
		payload_off = sh.hdr;
	}
	for (;;) {
		want = got < (uint32_t)r->n ? next_len(r, &sh, payload_off) : 0;
		if (r->short_buf && want) {
			pkt_init(&out, buf, ROOM + want - 1, ROOM);
			check(gso_next(it, &out) == -ENOSPC);
		}
		pkt_init(&out, buf, ROOM + r->len, ROOM);
		v = gso_next(it, &out);
		check(v == (want ? 1 : 0));
		if (!v)
			break;
		check(out.off == ROOM && out.len == want);
		got++;
		if (r->plain) {
			check_plain(r->vh, r->in, pkt_data(&out), r->len,
				    r->flags);
			continue;
		}
		check(out.len <= r->mtu);
		check_segment(r->in, r->len, pkt_data(&out), out.len, &sh,
			      r->flags, &payload_off);
	}
	check(got == (uint32_t)r->n);
	check(r->plain || payload_off == r->len);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct virtio_net_hdr vh;
	struct gso_iter it;
	unsigned flags;
	uint32_t mtu, len;
	uint8_t cfg, *pkt;
	struct pkt one;
	bool plain;
	int n;

	if (size < CONFIG_LEN || size - CONFIG_LEN > IP_PACKET_MAX)
		return 0;
	vnet_hdr_load(&vh, data);
	mtu = get_be16(data + 10) ? get_be16(data + 10) : UINT32_MAX;
	cfg = data[12];
	flags = cfg & 1 ? GSO_CSUM_PARTIAL : 0;
	len = (uint32_t)(size - CONFIG_LEN);
	pkt = malloc(len ? len : 1);
	check(pkt);
	memcpy(pkt, data + CONFIG_LEN, len);
	if (cfg & 2)
		fix_up(pkt, len, &vh, cfg);

	n = gso_begin(&it, &vh, pkt, len, mtu, flags);
	check(n > 0 || n == -EINVAL || n == -EMSGSIZE);
	plain = (vh.gso_type & 0x7f) == VIRTIO_NET_HDR_GSO_NONE;
	if (n > 0) {
		/* gso_segment() agrees on the count with a single buffer. */
		uint8_t *b = malloc(ROOM + len);

		check(b);
		pkt_init(&one, b, ROOM + len, ROOM);
		check(gso_segment(&vh, pkt, len, mtu, flags, &one, 1) ==
		      (n == 1 ? 1 : -ENOSPC));
		free(b);
		run_segments(&it, &(struct run){ &vh, pkt, len, mtu, flags, n,
						 plain, cfg & 8 });
	}
	free(pkt);
	return 0;
}
