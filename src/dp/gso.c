/* SPDX-License-Identifier: MIT */
#include "dp/gso.h"

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

#define IPV4_HDR_MIN 20
#define IPV6_HDR_LEN 40
#define TCP_HDR_MIN 20
#define UDP_HDR_LEN 8

/* What gso_next() does; the segmenting kinds come last. */
enum gso_kind {
	KIND_COPY, /* NONE: copied whole */
	KIND_CSUM, /* NONE + NEEDS_CSUM: copied, checksum completed */
	KIND_TCP,
	KIND_UDP,
};

/* IPv4 header (RFC 791): no fragment, total length equal to the packet. */
static int parse_v4(struct gso_iter *it, struct cursor c, uint8_t proto)
{
	const uint8_t *addrs;
	uint16_t total, frag;
	uint8_t vihl, p;

	if (!cursor_u8(&c, &vihl) || !cursor_skip(&c, 1) ||
	    !cursor_u16(&c, &total) || !cursor_u16(&c, &it->id) ||
	    !cursor_u16(&c, &frag) || !cursor_skip(&c, 1) ||
	    !cursor_u8(&c, &p) || !cursor_skip(&c, 2) ||
	    !cursor_bytes(&c, &addrs, 8))
		return -EINVAL;
	it->l3 = (uint16_t)((vihl & 15) * 4);
	if (vihl >> 4 != 4 || it->l3 < IPV4_HDR_MIN || it->l3 > it->len ||
	    total != it->len || (frag & 0x3fff) || p != proto)
		return -EINVAL;
	it->pseudo = csum_add(proto, addrs, 8);
	return 0;
}

/* IPv6 header (RFC 8200) directly followed by the L4 header. */
static int parse_v6(struct gso_iter *it, struct cursor c, uint8_t proto)
{
	const uint8_t *addrs;
	uint16_t plen;
	uint8_t v, nh;

	if (!cursor_u8(&c, &v) || !cursor_skip(&c, 3) ||
	    !cursor_u16(&c, &plen) || !cursor_u8(&c, &nh) ||
	    !cursor_skip(&c, 1) || !cursor_bytes(&c, &addrs, 32))
		return -EINVAL;
	if (v >> 4 != 6 || (uint32_t)plen + IPV6_HDR_LEN != it->len ||
	    nh != proto)
		return -EINVAL;
	it->l3 = IPV6_HDR_LEN;
	it->v6 = 1;
	it->pseudo = csum_add(proto, addrs, 32);
	return 0;
}

/* TCP header (RFC 9293 §3.1) within the packet, no SYN or RST. */
static int parse_tcp(struct gso_iter *it, struct cursor c)
{
	uint8_t doff;

	if (!cursor_skip(&c, it->l3) || !cursor_skip(&c, 4) ||
	    !cursor_u32(&c, &it->seq) || !cursor_skip(&c, 4) ||
	    !cursor_u8(&c, &doff) || !cursor_u8(&c, &it->tcp_flags))
		return -EINVAL;
	it->hdr = it->l3 + (uint32_t)(doff >> 4) * 4;
	if (doff >> 4 < TCP_HDR_MIN / 4 || it->hdr > it->len ||
	    (it->tcp_flags & (TH_SYN | TH_RST)))
		return -EINVAL;
	return 0;
}

/* UDP header (RFC 768) whose length is the rest of the packet. */
static int parse_udp(struct gso_iter *it, struct cursor c)
{
	uint16_t ulen;

	if (!cursor_skip(&c, it->l3) || !cursor_skip(&c, 4) ||
	    !cursor_u16(&c, &ulen))
		return -EINVAL;
	it->hdr = it->l3 + UDP_HDR_LEN;
	if (ulen != it->len - it->l3)
		return -EINVAL;
	return 0;
}

static int begin_plain(struct gso_iter *it, const struct virtio_net_hdr *vh)
{
	uint32_t start = vnet_get16(vh->csum_start);
	uint32_t off = vnet_get16(vh->csum_offset);

	if (vh->gso_type != VIRTIO_NET_HDR_GSO_NONE || vh->gso_size)
		return -EINVAL;
	it->count = 1;
	if (!(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return 1;
	/* The field is a 16-bit word of the summed range (even offset). */
	if (start + off + 2 > it->len || (off & 1))
		return -EINVAL;
	it->kind = KIND_CSUM;
	it->csum_start = (uint16_t)start;
	it->csum_offset = (uint16_t)off;
	return 1;
}

/* Parse the IP and L4 headers the gso_type names. */
static int parse_gso(struct gso_iter *it, uint8_t type)
{
	struct cursor c = cursor_make(it->pkt, it->len);
	uint8_t first, proto = type == VIRTIO_NET_HDR_GSO_UDP_L4 ? IPPROTO_UDP
								: IPPROTO_TCP;
	int err;

	if (!cursor_peek_u8(&c, 0, &first))
		return -EINVAL;
	if (type == VIRTIO_NET_HDR_GSO_TCPV4 ||
	    (type == VIRTIO_NET_HDR_GSO_UDP_L4 && first >> 4 == 4))
		err = parse_v4(it, c, proto);
	else
		err = parse_v6(it, c, proto);
	if (err)
		return err;
	it->kind = proto == IPPROTO_TCP ? KIND_TCP : KIND_UDP;
	return proto == IPPROTO_TCP ? parse_tcp(it, c) : parse_udp(it, c);
}

/* Segment size and count once the headers are known. */
static int size_gso(struct gso_iter *it, const struct virtio_net_hdr *vh,
		    uint32_t mtu)
{
	uint32_t payload = it->len - it->hdr;
	uint32_t gso_size = vnet_get16(vh->gso_size);
	unsigned csum_off = it->kind == KIND_TCP ? VNET_CSUM_OFF_TCP
						 : VNET_CSUM_OFF_UDP;

	if (!payload || !gso_size)
		return -EINVAL;
	if ((vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    (vnet_get16(vh->csum_start) != it->l3 ||
	     vnet_get16(vh->csum_offset) != csum_off))
		return -EINVAL;
	it->seg = gso_size;
	if (it->kind == KIND_TCP) {
		if (mtu <= it->hdr)
			return -EMSGSIZE;
		if (it->seg > mtu - it->hdr)
			it->seg = mtu - it->hdr;
	} else if (it->hdr + (payload < gso_size ? payload : gso_size) > mtu) {
		return -EMSGSIZE;
	}
	it->off = it->hdr;
	it->count = (payload + it->seg - 1) / it->seg;
	return (int)it->count;
}

int gso_begin(struct gso_iter *it, const struct virtio_net_hdr *vh,
	      const uint8_t *pkt, uint32_t len, uint32_t mtu, unsigned flags)
{
	uint8_t type = vh->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;
	int err;

	memset(it, 0, sizeof(*it));
	it->pkt = pkt;
	it->len = len;
	it->flags = (uint8_t)flags;
	if (!len || (flags & ~GSO_CSUM_PARTIAL) ||
	    (vh->flags & ~(VIRTIO_NET_HDR_F_NEEDS_CSUM |
			   VIRTIO_NET_HDR_F_DATA_VALID)) ||
	    vnet_get16(vh->hdr_len) > len)
		return -EINVAL;
	if (type == VIRTIO_NET_HDR_GSO_NONE)
		return begin_plain(it, vh);
	/* The ECN bit qualifies TCP only. */
	if (type == VIRTIO_NET_HDR_GSO_UDP_L4 && type != vh->gso_type)
		return -EINVAL;
	if (type != VIRTIO_NET_HDR_GSO_TCPV4 &&
	    type != VIRTIO_NET_HDR_GSO_TCPV6 &&
	    type != VIRTIO_NET_HDR_GSO_UDP_L4)
		return -EINVAL;
	err = parse_gso(it, type);
	if (err)
		return err;
	return size_gso(it, vh, mtu);
}

/* Store the L4 checksum of the l4-byte segment at th, field at csum. */
static void put_l4_csum(const struct gso_iter *it, uint8_t *th, uint32_t l4,
			unsigned csum)
{
	uint32_t sum = it->pseudo + l4;
	uint16_t c;

	if (it->flags & GSO_CSUM_PARTIAL) {
		put_be16(th + csum, (uint16_t)~csum_fold(sum));
		return;
	}
	put_be16(th + csum, 0);
	c = csum_fold(csum_add_fast(sum, th, l4));
	/* RFC 768: a computed zero is sent as all ones. */
	if (it->kind == KIND_UDP && !c)
		c = 0xffff;
	put_be16(th + csum, c);
}

static void put_ip(const struct gso_iter *it, uint8_t *d, uint32_t total)
{
	if (it->v6) {
		put_be16(d + 4, (uint16_t)(total - IPV6_HDR_LEN));
		return;
	}
	put_be16(d + 2, (uint16_t)total);
	put_be16(d + 4, (uint16_t)(it->id + it->index));
	put_be16(d + 10, csum_ipv4_header(d, it->l3));
}

static void put_tcp(const struct gso_iter *it, uint8_t *th, uint32_t l4)
{
	uint8_t fl = it->tcp_flags;

	put_be32(th + 4, it->seq + (it->off - it->hdr));
	if (it->index + 1 < it->count)
		fl &= (uint8_t)~(TH_FIN | TH_PUSH);
	if (it->index)
		fl &= (uint8_t)~TH_CWR;
	th[13] = fl;
	put_l4_csum(it, th, l4, VNET_CSUM_OFF_TCP);
}

static void put_udp(const struct gso_iter *it, uint8_t *uh, uint32_t l4)
{
	put_be16(uh + 4, (uint16_t)l4);
	put_l4_csum(it, uh, l4, VNET_CSUM_OFF_UDP);
}

/* Complete a NEEDS_CSUM checksum as the kernel's skb_checksum_help(): the
 * field holds the pseudo-header sum and is summed with the rest. */
static void put_plain_csum(const struct gso_iter *it, uint8_t *d)
{
	uint16_t c;

	c = csum_fold(csum_add_fast(0, d + it->csum_start,
				    it->len - it->csum_start));
	put_be16(d + it->csum_start + it->csum_offset, c ? c : 0xffff);
}

int gso_next(struct gso_iter *it, struct pkt *out)
{
	uint32_t plen, need;
	uint8_t *d;

	if (it->index >= it->count)
		return 0;
	/* Whole packets have hdr = off = 0: their payload is all of it. */
	plen = it->len - it->off;
	if (it->kind >= KIND_TCP && plen > it->seg)
		plen = it->seg;
	need = it->hdr + plen;
	if (out->off > out->cap || out->cap - out->off < need)
		return -ENOSPC;
	d = pkt_data(out);
	memcpy(d, it->pkt, it->hdr);
	memcpy(d + it->hdr, it->pkt + it->off, plen);
	out->len = need;
	if (it->kind == KIND_CSUM && !(it->flags & GSO_CSUM_PARTIAL))
		put_plain_csum(it, d);
	if (it->kind >= KIND_TCP) {
		put_ip(it, d, need);
		if (it->kind == KIND_TCP)
			put_tcp(it, d + it->l3, need - it->l3);
		else
			put_udp(it, d + it->l3, need - it->l3);
	}
	it->off += plen;
	it->index++;
	return 1;
}

int gso_segment(const struct virtio_net_hdr *vh, const uint8_t *pkt,
		uint32_t len, uint32_t mtu, unsigned flags, struct pkt *out,
		unsigned max_out)
{
	struct gso_iter it;
	int n = gso_begin(&it, vh, pkt, len, mtu, flags);
	int i, err;

	if (n < 0)
		return n;
	if ((unsigned)n > max_out)
		return -ENOSPC;
	for (i = 0; i < n; i++) {
		err = gso_next(&it, &out[i]);
		if (err < 0)
			return err;
	}
	return n;
}
