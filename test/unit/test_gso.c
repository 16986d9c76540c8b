/* SPDX-License-Identifier: MIT */
/*
 * Segmentation (dp/gso.c): every segment against a naive reference built
 * field by field from the super-packet's description, checksums verified
 * with an independent sum, the round trip through the coalescer, UDP
 * segmentation, and every refusal.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "dp/gro.h"
#include "dp/gso.h"
#include "offload_util.h"
#include "test.h"
#include "util/bytes.h"

#define TH_FIN 0x01
#define TH_PSH 0x08
#define TH_ACK 0x10
#define TH_URG 0x20
#define TH_ECE 0x40
#define TH_CWR 0x80

#define ROOM 128 /* headroom left in front of each segment, as for ESP */

static uint8_t payload_pool[65536];

static void pool_init(void)
{
	test_rand_bytes(payload_pool, sizeof(payload_pool));
}

/* Naive reference: segment i of count of the super-packet sp cut at seg
 * payload bytes, built from the description as the kernel's GSO would
 * leave it (RFC 9293 §3.1 sequence numbers, RFC 791 IDs). */
static uint32_t ref_segment(const struct ou_spec *sp, uint32_t seg,
			    uint32_t i, uint32_t count, bool partial,
			    uint8_t *out)
{
	struct ou_spec s = *sp;
	uint32_t off = i * seg;

	s.payload = sp->payload + off;
	s.plen = sp->plen - off < seg ? sp->plen - off : seg;
	s.id = (uint16_t)(sp->id + i);
	s.csum = partial ? OU_CSUM_PARTIAL : OU_CSUM_FULL;
	if (s.proto == IPPROTO_TCP) {
		s.seq = sp->seq + off;
		if (i + 1 < count)
			s.flags &= (uint8_t)~(TH_FIN | TH_PSH);
		if (i)
			s.flags &= (uint8_t)~TH_CWR;
	}
	return ou_build(&s, out);
}

static void out_init(struct pkt *p, uint32_t room)
{
	pkt_init(p, ou_xalloc(ROOM + room), ROOM + room, ROOM);
}

/* Segment sp (built as the kernel hands it over) into one reused buffer
 * and compare each segment with the reference. Returns the segment count,
 * or the error. */
static int check_segments(const struct ou_spec *sp,
			  const struct virtio_net_hdr *vh, uint32_t mtu,
			  unsigned flags, uint32_t want_seg)
{
	uint8_t *super, *ref = ou_xalloc(ou_hdr_len(sp) + want_seg);
	struct gso_iter it;
	struct pkt out;
	uint32_t len, i;
	int n;

	super = ou_build_alloc(sp, &len);
	out_init(&out, ou_hdr_len(sp) + want_seg);
	n = gso_begin(&it, vh, super, len, mtu, flags);
	for (i = 0; n > 0 && i < (uint32_t)n; i++) {
		uint32_t rlen = ref_segment(sp, want_seg, i, (uint32_t)n,
					    flags & GSO_CSUM_PARTIAL, ref);

		if (gso_next(&it, &out) != 1) {
			test_fail(__FILE__, __LINE__, "gso_next %u of %d", i, n);
			break;
		}
		CHECK_EQ(out.off, ROOM);
		CHECK_EQ(out.len, rlen);
		if (out.len != rlen || memcmp(pkt_data(&out), ref, rlen)) {
			test_fail(__FILE__, __LINE__, "segment %u of %d", i, n);
			break;
		}
		if (!(flags & GSO_CSUM_PARTIAL))
			CHECK(ou_csum_ok(pkt_data(&out), out.len));
	}
	if (n > 0 && i == (uint32_t)n)
		CHECK_EQ(gso_next(&it, &out), 0);
	free(out.head);
	free(super);
	free(ref);
	return n;
}

/* Segment, coalesce, and expect the super-packet and its header back. */
static void check_round_trip(const struct ou_spec *sp, uint16_t mss)
{
	struct pkt out[64], in;
	struct virtio_net_hdr vh;
	struct ou_capture *cap = calloc(1, sizeof(*cap));
	struct gro *g = ou_gro_new(cap);
	uint8_t *super;
	uint32_t len;
	int n, i;

	super = ou_build_alloc(sp, &len);
	ou_vh_for(sp, mss, &vh);
	for (i = 0; i < 64; i++)
		out_init(&out[i], ou_hdr_len(sp) + mss);
	n = gso_segment(&vh, super, len, UINT32_MAX, 0, out, 64);
	CHECK(n > 1);
	for (i = 0; i < n; i++) {
		CHECK(ou_csum_ok(pkt_data(&out[i]), out[i].len));
		ou_pkt_load(&in, pkt_data(&out[i]), out[i].len);
		CHECK_EQ(gro_add(g, &in), i ? GRO_MERGED : GRO_HELD);
		free(in.head);
	}
	gro_flush(g);
	REQUIRE(cap->n == 1);
	CHECK_EQ(cap->f[0].len, len);
	if (cap->f[0].len == len)
		CHECK_MEM(cap->f[0].pkt, super, len);
	CHECK_MEM(&cap->f[0].vh, &vh, sizeof(vh));
	for (i = 0; i < 64; i++)
		free(out[i].head);
	ou_capture_reset(cap);
	free(cap);
	free(g);
	free(super);
}

/* TCP over IPv4 and IPv6, with and without timestamps, payloads that
 * divide evenly by the MSS and not, with PSH, FIN and CWR. */
TEST(gso_tcp_round_trip)
{
	static const uint8_t flags[] = { TH_ACK, TH_ACK | TH_PSH,
					 TH_ACK | TH_PSH | TH_FIN,
					 TH_ACK | TH_CWR | TH_ECE };
	struct virtio_net_hdr vh;
	struct ou_spec s;
	unsigned v6, ts, even, f;

	pool_init();
	for (v6 = 0; v6 < 2; v6++)
		for (ts = 0; ts < 2; ts++)
			for (even = 0; even < 2; even++)
				for (f = 0; f < sizeof(flags); f++) {
					ou_spec_tcp(&s, v6);
					if (ts)
						ou_spec_add_timestamps(&s, 7, 9);
					s.flags = flags[f];
					s.seq = 0xfffff000; /* wraps */
					s.id = 0xfffd;      /* wraps */
					s.payload = payload_pool;
					s.plen = even ? 1400 * 46 : 1400 * 46 + 5;
					s.csum = OU_CSUM_PARTIAL;
					ou_vh_for(&s, 1400, &vh);
					CHECK_EQ(check_segments(&s, &vh, 1500 + 12 * ts,
								0, 1400),
						 even ? 46 : 47);
					check_round_trip(&s, 1400);
				}
}

/* The largest super-packet TUN gives, cut to 1400 bytes of payload by the
 * gso_size and by a smaller MTU. */
TEST(gso_tcp_mtu_limit)
{
	struct virtio_net_hdr vh;
	struct ou_spec s;

	pool_init();
	ou_spec_tcp(&s, false);
	ou_spec_add_timestamps(&s, 1, 2);
	s.payload = payload_pool;
	s.plen = 65535 - ou_hdr_len(&s);
	s.csum = OU_CSUM_PARTIAL;
	ou_vh_for(&s, 1448, &vh);
	CHECK_EQ(check_segments(&s, &vh, UINT32_MAX, 0, 1448),
		 (s.plen + 1447) / 1448);
	/* MTU 1280 leaves 1280 - 52 bytes of payload. */
	CHECK_EQ(check_segments(&s, &vh, 1280, 0, 1228),
		 (s.plen + 1227) / 1228);
	CHECK_EQ(check_segments(&s, &vh, 1280, GSO_CSUM_PARTIAL, 1228),
		 (s.plen + 1227) / 1228);
	CHECK_EQ(check_segments(&s, &vh, 53, 0, 1), (int)s.plen);
	CHECK_EQ(check_segments(&s, &vh, 52, 0, 1), -EMSGSIZE);
}

static void random_spec(struct ou_spec *s)
{
	static const uint8_t fl[] = { TH_FIN, TH_PSH, TH_ACK,
				      TH_URG, TH_ECE, TH_CWR };
	unsigned i;

	(test_rand() & 3 ? ou_spec_tcp : ou_spec_udp)(s, test_rand() & 1);
	s->tos = (uint8_t)test_rand();
	s->ttl = (uint8_t)test_rand();
	s->id = (uint16_t)test_rand();
	s->df = test_rand() & 1;
	s->flow_label = (uint32_t)test_rand() & 0xfffff;
	if (!s->v6 && !(test_rand() % 4))
		s->ip_optlen = (unsigned)(test_rand() % 11) * 4;
	test_rand_bytes(s->ip_opts, sizeof(s->ip_opts));
	s->seq = (uint32_t)test_rand();
	s->ack = (uint32_t)test_rand();
	s->win = (uint16_t)test_rand();
	s->urg = (uint16_t)test_rand();
	s->flags = 0;
	for (i = 0; i < sizeof(fl); i++)
		if (test_rand() & 1)
			s->flags |= fl[i];
	if (test_rand() & 1)
		s->tcp_optlen = (unsigned)(test_rand() % 11) * 4;
	test_rand_bytes(s->tcp_opts, sizeof(s->tcp_opts));
}

static uint32_t random_plen(uint32_t max)
{
	uint32_t r = (uint32_t)test_rand() % 10;
	uint32_t cap = r < 5 ? 3000 : r < 9 ? 20000 : max;

	if (cap > max)
		cap = max;
	return 1 + (uint32_t)test_rand() % cap;
}

/* One random super-packet against the reference. */
static void differential_one(void)
{
	struct virtio_net_hdr vh;
	struct ou_spec s;
	uint32_t plen_max, gso_size, mtu, seg, hdr;
	unsigned flags = test_rand() % 8 ? 0 : GSO_CSUM_PARTIAL;
	int want;

	random_spec(&s);
	hdr = ou_hdr_len(&s);
	plen_max = 65535 - hdr;
	s.plen = random_plen(plen_max);
	s.payload = payload_pool + test_rand() % (sizeof(payload_pool) - s.plen);
	s.csum = (enum ou_csum)(test_rand() % 3);
	gso_size = 1 + (uint32_t)test_rand() % (test_rand() & 1 ? 9000 : 70000);
	if (gso_size < s.plen / 300 + 1)
		gso_size = s.plen / 300 + 1;
	if (gso_size > 65535)
		gso_size = 65535;
	mtu = test_rand() & 1 ? UINT32_MAX
			      : hdr + 1 + (uint32_t)test_rand() % 9000;
	if (mtu != UINT32_MAX && mtu - hdr < s.plen / 300 + 1)
		mtu = hdr + s.plen / 300 + 1;
	ou_vh_for(&s, (uint16_t)gso_size, &vh);
	if (test_rand() & 1)
		vh.flags = (uint8_t)(test_rand() & 1 ? 0 : VIRTIO_NET_HDR_F_DATA_VALID);
	vh.hdr_len = vnet_put16((uint16_t)(test_rand() % (hdr + s.plen + 1)));
	seg = gso_size;
	want = (int)((s.plen + seg - 1) / seg);
	if (s.proto == IPPROTO_TCP && seg > mtu - hdr)
		seg = mtu - hdr;
	if (s.proto == IPPROTO_TCP)
		want = (int)((s.plen + seg - 1) / seg);
	else if (hdr + (s.plen < seg ? s.plen : seg) > mtu)
		want = -EMSGSIZE;
	if (s.proto == IPPROTO_TCP && (s.flags & 0x06))
		want = -EINVAL;
	CHECK_EQ(check_segments(&s, &vh, mtu, flags, seg), want);
}

TEST(gso_differential_random)
{
	unsigned n;

	pool_init();
	for (n = 0; n < 4000 && !test_failures(); n++)
		differential_one();
}

/* UDP_L4: each segment a datagram of its own, IPv4 and IPv6. */
TEST(gso_udp)
{
	struct virtio_net_hdr vh;
	struct ou_spec s;
	unsigned v6;

	pool_init();
	for (v6 = 0; v6 < 2; v6++) {
		ou_spec_udp(&s, v6);
		s.payload = payload_pool;
		s.plen = 1200 * 20 + 17;
		s.csum = OU_CSUM_PARTIAL;
		ou_vh_for(&s, 1200, &vh);
		CHECK_EQ(check_segments(&s, &vh, UINT32_MAX, 0, 1200), 21);
		CHECK_EQ(check_segments(&s, &vh, 1200 + ou_hdr_len(&s), 0,
					1200), 21);
		CHECK_EQ(check_segments(&s, &vh, 1200 + ou_hdr_len(&s),
					GSO_CSUM_PARTIAL, 1200), 21);
		/* A datagram is never split below gso_size. */
		CHECK_EQ(check_segments(&s, &vh, 1199 + ou_hdr_len(&s), 0,
					1200), -EMSGSIZE);
		/* One short datagram fits an MTU smaller than gso_size. */
		s.plen = 100;
		CHECK_EQ(check_segments(&s, &vh, 100 + ou_hdr_len(&s), 0,
					1200), 1);
	}
}

/* A UDP segment whose sum is zero carries 0xffff (RFC 768). */
TEST(gso_udp_zero_checksum)
{
	uint8_t pay[64] = { 0 }, *super, seg[128];
	struct virtio_net_hdr vh;
	struct ou_spec s;
	struct pkt out;
	uint32_t len;
	uint16_t c0;

	ou_spec_udp(&s, false);
	s.payload = pay;
	s.plen = 32;
	s.csum = OU_CSUM_PARTIAL;
	ou_vh_for(&s, 16, &vh);
	/* First datagram with payload word 0 has checksum c0; making that
	 * word c0 brings the sum to 0xffff, i.e. a computed checksum of 0. */
	ref_segment(&s, 16, 0, 2, false, seg);
	c0 = get_be16(seg + 26);
	put_be16(pay, c0);
	super = ou_build_alloc(&s, &len);
	out_init(&out, 64);
	REQUIRE(gso_segment(&vh, super, len, UINT32_MAX, 0, &out, 1) == -ENOSPC);
	{
		struct gso_iter it;

		REQUIRE(gso_begin(&it, &vh, super, len, UINT32_MAX, 0) == 2);
		REQUIRE(gso_next(&it, &out) == 1);
	}
	CHECK_EQ(get_be16(pkt_data(&out) + 26), 0xffff);
	CHECK(ou_csum_ok(pkt_data(&out), out.len));
	free(out.head);
	free(super);
}

/* No segmentation: copied whole, a NEEDS_CSUM checksum completed. */
TEST(gso_none)
{
	struct virtio_net_hdr vh;
	uint8_t *partial, *full;
	struct ou_spec s;
	struct pkt out;
	uint32_t len;
	unsigned v6;

	pool_init();
	for (v6 = 0; v6 < 4; v6++) {
		(v6 & 2 ? ou_spec_udp : ou_spec_tcp)(&s, v6 & 1);
		s.payload = payload_pool;
		s.plen = 999;
		s.csum = OU_CSUM_PARTIAL;
		partial = ou_build_alloc(&s, &len);
		s.csum = OU_CSUM_FULL;
		full = ou_build_alloc(&s, &len);
		ou_vh_for(&s, 0, &vh);
		vh.gso_type = VIRTIO_NET_HDR_GSO_NONE;
		vh.hdr_len = 0;
		out_init(&out, len);
		CHECK_EQ(gso_segment(&vh, partial, len, 100, 0, &out, 1), 1);
		CHECK_EQ(out.len, len);
		CHECK_MEM(pkt_data(&out), full, len);
		/* Left partial when asked. */
		CHECK_EQ(gso_segment(&vh, partial, len, 100, GSO_CSUM_PARTIAL,
				     &out, 1), 1);
		CHECK_MEM(pkt_data(&out), partial, len);
		/* Without NEEDS_CSUM, copied as it is. */
		vh.flags = 0;
		CHECK_EQ(gso_segment(&vh, partial, len, 100, 0, &out, 1), 1);
		CHECK_MEM(pkt_data(&out), partial, len);
		free(out.head);
		/* Too small a buffer: -ENOSPC, nothing written. */
		out_init(&out, len - 1);
		CHECK_EQ(gso_segment(&vh, partial, len, 100, 0, &out, 1), -ENOSPC);
		CHECK_EQ(out.len, 0);
		free(out.head);
		free(partial);
		free(full);
	}
}

/* gso_next() refuses a short buffer without advancing. */
TEST(gso_next_short_buffer)
{
	struct virtio_net_hdr vh;
	struct gso_iter it;
	struct pkt small, big;
	struct ou_spec s;
	uint8_t *super;
	uint32_t len;

	pool_init();
	ou_spec_tcp(&s, false);
	s.payload = payload_pool;
	s.plen = 3000;
	super = ou_build_alloc(&s, &len);
	ou_vh_for(&s, 1000, &vh);
	out_init(&small, 40 + 999);
	out_init(&big, 40 + 1000);
	REQUIRE(gso_begin(&it, &vh, super, len, 1500, 0) == 3);
	CHECK_EQ(gso_next(&it, &small), -ENOSPC);
	CHECK_EQ(gso_next(&it, &big), 1);
	CHECK_EQ(get_be32(pkt_data(&big) + 24), s.seq);
	CHECK_EQ(gso_next(&it, &big), 1);
	CHECK_EQ(get_be32(pkt_data(&big) + 24), s.seq + 1000);
	free(small.head);
	free(big.head);
	free(super);
}

enum bad {
	BAD_VH_FLAG, BAD_TYPE_UFO, BAD_TYPE_2, BAD_TYPE_6, BAD_TYPE_TUNNEL,
	BAD_ECN_UDP, BAD_ECN_NONE, BAD_GSO_SIZE_0, BAD_HDR_LEN,
	BAD_CSUM_START, BAD_CSUM_OFFSET, BAD_NONE_CSUM_END, BAD_NONE_CSUM_ODD,
	BAD_NONE_GSO_SIZE,
	BAD_V4_AS_V6, BAD_V6_AS_V4, BAD_VERSION, BAD_TOTAL_SHORT,
	BAD_TOTAL_LONG, BAD_IHL_4, BAD_IHL_PAST_END, BAD_PROTO_UDP,
	BAD_UDP_L4_TCP, BAD_FRAG_MF, BAD_FRAG_OFF, BAD_V6_PLEN, BAD_V6_EXT,
	BAD_DOFF_4, BAD_DOFF_PAST_END, BAD_SYN, BAD_RST, BAD_NO_PAYLOAD,
	BAD_UDP_LEN, BAD_TRUNCATED, BAD_EMPTY, BAD_CALL_FLAGS, BAD_UDP_CSUM_OFF,
	BAD_COUNT
};

struct bad_case {
	const char *name;
	bool v6, udp;
};

static const struct bad_case bad_cases[BAD_COUNT] = {
	[BAD_VH_FLAG] = { "unknown vnet flag" },
	[BAD_TYPE_UFO] = { "gso_type UDP (UFO)" },
	[BAD_TYPE_2] = { "gso_type 2" },
	[BAD_TYPE_6] = { "gso_type 6" },
	[BAD_TYPE_TUNNEL] = { "gso_type tunnel bit" },
	[BAD_ECN_UDP] = { "ECN with UDP_L4", false, true },
	[BAD_ECN_NONE] = { "ECN without GSO" },
	[BAD_GSO_SIZE_0] = { "gso_size 0" },
	[BAD_HDR_LEN] = { "hdr_len past the packet" },
	[BAD_CSUM_START] = { "csum_start not the TCP header" },
	[BAD_CSUM_OFFSET] = { "csum_offset not the TCP checksum", true },
	[BAD_NONE_CSUM_END] = { "NONE csum field past the end" },
	[BAD_NONE_CSUM_ODD] = { "NONE csum_offset odd" },
	[BAD_NONE_GSO_SIZE] = { "NONE with gso_size" },
	[BAD_V4_AS_V6] = { "TCPV6 on IPv4" },
	[BAD_V6_AS_V4] = { "TCPV4 on IPv6", true },
	[BAD_VERSION] = { "IP version 5" },
	[BAD_TOTAL_SHORT] = { "IPv4 total length short" },
	[BAD_TOTAL_LONG] = { "IPv4 total length long" },
	[BAD_IHL_4] = { "IPv4 IHL 4" },
	[BAD_IHL_PAST_END] = { "IPv4 IHL past the packet" },
	[BAD_PROTO_UDP] = { "TCPV4 on UDP" },
	[BAD_UDP_L4_TCP] = { "UDP_L4 on TCP" },
	[BAD_FRAG_MF] = { "IPv4 more fragments" },
	[BAD_FRAG_OFF] = { "IPv4 fragment offset" },
	[BAD_V6_PLEN] = { "IPv6 payload length", true },
	[BAD_V6_EXT] = { "IPv6 extension header", true },
	[BAD_DOFF_4] = { "TCP data offset 4" },
	[BAD_DOFF_PAST_END] = { "TCP data offset past the packet" },
	[BAD_SYN] = { "SYN", true },
	[BAD_RST] = { "RST" },
	[BAD_NO_PAYLOAD] = { "no payload" },
	[BAD_UDP_LEN] = { "UDP length", true, true },
	[BAD_TRUNCATED] = { "truncated IPv4 header" },
	[BAD_EMPTY] = { "empty packet" },
	[BAD_CALL_FLAGS] = { "unknown gso flag" },
	[BAD_UDP_CSUM_OFF] = { "UDP csum_offset 16", false, true },
};

/* Apply one fault to a valid super-packet (pkt, len), its header vh and
 * the call's flags. The IPv4 header checksum is left stale: it is not
 * checked. */
static void bad_apply(enum bad b, struct virtio_net_hdr *vh, uint8_t *pkt,
		      uint32_t *len, unsigned *flags)
{
	unsigned l3 = pkt[0] >> 4 == 6 ? 40 : 20;

	switch (b) {
	case BAD_VH_FLAG: vh->flags |= VIRTIO_NET_HDR_F_RSC_INFO; break;
	case BAD_TYPE_UFO: vh->gso_type = VIRTIO_NET_HDR_GSO_UDP; break;
	case BAD_TYPE_2: vh->gso_type = 2; break;
	case BAD_TYPE_6: vh->gso_type = 6; break;
	case BAD_TYPE_TUNNEL: vh->gso_type |= 0x20; break;
	case BAD_ECN_UDP: vh->gso_type |= VIRTIO_NET_HDR_GSO_ECN; break;
	case BAD_ECN_NONE:
		vh->gso_type = VIRTIO_NET_HDR_GSO_NONE | VIRTIO_NET_HDR_GSO_ECN;
		vh->gso_size = 0;
		break;
	case BAD_GSO_SIZE_0: vh->gso_size = 0; break;
	case BAD_HDR_LEN: vh->hdr_len = vnet_put16((uint16_t)(*len + 1)); break;
	case BAD_CSUM_START: vh->csum_start = vnet_put16(0); break;
	case BAD_CSUM_OFFSET: vh->csum_offset = vnet_put16(6); break;
	case BAD_NONE_CSUM_END:
		vh->gso_type = VIRTIO_NET_HDR_GSO_NONE;
		vh->gso_size = 0;
		vh->csum_offset = vnet_put16((uint16_t)(*len - l3 - 1));
		break;
	case BAD_NONE_CSUM_ODD:
		vh->gso_type = VIRTIO_NET_HDR_GSO_NONE;
		vh->gso_size = 0;
		vh->csum_offset = vnet_put16(17);
		break;
	case BAD_NONE_GSO_SIZE: vh->gso_type = VIRTIO_NET_HDR_GSO_NONE; break;
	case BAD_V4_AS_V6: vh->gso_type = VIRTIO_NET_HDR_GSO_TCPV6; break;
	case BAD_V6_AS_V4: vh->gso_type = VIRTIO_NET_HDR_GSO_TCPV4; break;
	case BAD_VERSION: pkt[0] = 0x55; break;
	case BAD_TOTAL_SHORT: put_be16(pkt + 2, (uint16_t)(*len - 1)); break;
	case BAD_TOTAL_LONG: put_be16(pkt + 2, (uint16_t)(*len + 1)); break;
	case BAD_IHL_4: pkt[0] = 0x44; break;
	case BAD_IHL_PAST_END:
		pkt[0] = 0x4f;
		*len = 56;
		put_be16(pkt + 2, 56);
		vh->hdr_len = 0;
		break;
	case BAD_PROTO_UDP: pkt[9] = IPPROTO_UDP; break;
	case BAD_UDP_L4_TCP: vh->gso_type = VIRTIO_NET_HDR_GSO_UDP_L4; break;
	case BAD_FRAG_MF: put_be16(pkt + 6, 0x2000); break;
	case BAD_FRAG_OFF: put_be16(pkt + 6, 0x0001); break;
	case BAD_V6_PLEN: put_be16(pkt + 4, (uint16_t)(*len - 41)); break;
	case BAD_V6_EXT: pkt[6] = IPPROTO_HOPOPTS; break;
	case BAD_DOFF_4: pkt[l3 + 12] = 0x40; break;
	case BAD_DOFF_PAST_END:
		pkt[l3 + 12] = 0xf0;
		*len = l3 + 50;
		put_be16(pkt + 2, (uint16_t)*len);
		vh->hdr_len = 0;
		break;
	case BAD_SYN: pkt[l3 + 13] |= 0x02; break;
	case BAD_RST: pkt[l3 + 13] |= 0x04; break;
	case BAD_NO_PAYLOAD:
		*len = l3 + 20;
		put_be16(pkt + 2, (uint16_t)*len);
		vh->hdr_len = 0;
		break;
	case BAD_UDP_LEN: put_be16(pkt + l3 + 4, 9); break;
	case BAD_TRUNCATED: *len = 19; vh->hdr_len = 0; break;
	case BAD_EMPTY: *len = 0; vh->hdr_len = 0; break;
	case BAD_CALL_FLAGS: *flags = 2; break;
	case BAD_UDP_CSUM_OFF: vh->csum_offset = vnet_put16(16); break;
	case BAD_COUNT: break;
	}
}

TEST(gso_refuses_inconsistent)
{
	unsigned b;

	pool_init();
	for (b = 0; b < BAD_COUNT; b++) {
		const struct bad_case *bc = &bad_cases[b];
		struct virtio_net_hdr vh;
		struct ou_spec s;
		struct pkt out;
		unsigned flags = 0;
		uint8_t *super;
		uint32_t len;
		int r;

		(bc->udp ? ou_spec_udp : ou_spec_tcp)(&s, bc->v6);
		s.payload = payload_pool;
		s.plen = 3000;
		s.csum = OU_CSUM_PARTIAL;
		super = ou_build_alloc(&s, &len);
		ou_vh_for(&s, 1000, &vh);
		out_init(&out, 2000);
		/* The unmodified case is accepted. */
		REQUIRE(gso_segment(&vh, super, len, 1500, 0, &out, 1) == -ENOSPC);
		bad_apply((enum bad)b, &vh, super, &len, &flags);
		r = gso_segment(&vh, super, len, 1500, flags, &out, 1);
		if (r != -EINVAL)
			test_fail(__FILE__, __LINE__, "%s: %d, not -EINVAL",
				  bc->name, r);
		free(out.head);
		free(super);
	}
}
