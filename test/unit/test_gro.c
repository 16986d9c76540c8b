/* SPDX-License-Identifier: MIT */
/*
 * Coalescing (dp/gro.c): what merges, what never does (gaps, reordering,
 * flag, option and header changes, other flows, unusual packets), the
 * bounds, and that every super-packet segments back into exactly the
 * packets that went in.
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
#include "util/csum.h"

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10
#define TH_URG 0x20
#define TH_ECE 0x40
#define TH_CWR 0x80

/* Payload bytes: segment i of a flow carries pool[i * mss ...]. */
static uint8_t pool[1 << 18];

struct fixture {
	struct ou_capture *cap;
	struct gro *g;
	uint8_t *in[OU_FRAMES_MAX]; /* every packet offered, in order */
	uint32_t in_len[OU_FRAMES_MAX];
	unsigned n_in;
};

static void fx_init(struct fixture *fx)
{
	memset(fx, 0, sizeof(*fx));
	test_rand_bytes(pool, sizeof(pool));
	fx->cap = calloc(1, sizeof(*fx->cap));
	REQUIRE(fx->cap);
	fx->g = ou_gro_new(fx->cap);
}

static void fx_free(struct fixture *fx)
{
	unsigned i;

	for (i = 0; i < fx->n_in; i++)
		free(fx->in[i]);
	ou_capture_reset(fx->cap);
	free(fx->cap);
	free(fx->g);
}

/* Offer the packet described by s; returns the verdict. */
static int fx_add(struct fixture *fx, const struct ou_spec *s)
{
	struct pkt p;
	uint32_t len;
	uint8_t *b = ou_build_alloc(s, &len);
	int v;

	ou_pkt_load(&p, b, len);
	v = gro_add(fx->g, &p);
	/* The caller's packet is left as it was. */
	CHECK_EQ(p.off, OU_HEADROOM);
	CHECK_EQ(p.len, len);
	CHECK_MEM(pkt_data(&p), b, len);
	free(p.head);
	if (fx->n_in < OU_FRAMES_MAX) {
		fx->in[fx->n_in] = b;
		fx->in_len[fx->n_in++] = len;
	} else {
		free(b);
	}
	return v;
}

/* Segment i of a bulk flow: mss bytes of payload, sequence number and IPv4
 * ID advancing, a correct checksum. */
static void seg_spec(const struct ou_spec *base, uint32_t i, uint32_t mss,
		     struct ou_spec *s)
{
	*s = *base;
	s->payload = pool + i * mss;
	s->plen = mss;
	s->seq = base->seq + i * mss;
	s->id = (uint16_t)(base->id + i);
	s->csum = OU_CSUM_FULL;
}

static int fx_add_seg(struct fixture *fx, const struct ou_spec *base,
		      uint32_t i, uint32_t mss)
{
	struct ou_spec s;

	seg_spec(base, i, mss, &s);
	return fx_add(fx, &s);
}

static bool vh_is_zero(const struct virtio_net_hdr *vh)
{
	static const struct virtio_net_hdr zero;

	return !memcmp(vh, &zero, sizeof(zero));
}

/* Frame k is input packet j, unchanged, with a zero header. */
static void check_plain(struct fixture *fx, unsigned k, unsigned j)
{
	REQUIRE(k < fx->cap->n && j < fx->n_in);
	CHECK(vh_is_zero(&fx->cap->f[k].vh));
	CHECK_EQ(fx->cap->f[k].len, fx->in_len[j]);
	if (fx->cap->f[k].len == fx->in_len[j])
		CHECK_MEM(fx->cap->f[k].pkt, fx->in[j], fx->in_len[j]);
}

/* Frame k, segmented again, is exactly input packets idx[0..n). */
static void check_super_idx(struct fixture *fx, unsigned k,
			    const unsigned *idx, unsigned n)
{
	struct gso_iter it;
	struct ou_frame *f;
	struct pkt out;
	unsigned i;
	int got;

	REQUIRE(k < fx->cap->n);
	f = &fx->cap->f[k];
	CHECK_EQ(f->vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	got = gso_begin(&it, &f->vh, f->pkt, f->len, UINT32_MAX, 0);
	if (got != (int)n) {
		test_fail(__FILE__, __LINE__, "frame %u: %d segments, want %u",
			  k, got, n);
		return;
	}
	pkt_init(&out, ou_xalloc(70000), 70000, 0);
	for (i = 0; i < n; i++) {
		REQUIRE(idx[i] < fx->n_in);
		if (gso_next(&it, &out) != 1 || out.len != fx->in_len[idx[i]] ||
		    memcmp(pkt_data(&out), fx->in[idx[i]], out.len)) {
			test_fail(__FILE__, __LINE__, "frame %u segment %u", k, i);
			break;
		}
	}
	free(out.head);
}

/* Frame k is input packets first..first+n-1 coalesced. */
static void check_super(struct fixture *fx, unsigned k, unsigned first,
			unsigned n)
{
	unsigned idx[GRO_SEGS_MAX], i;

	REQUIRE(n <= GRO_SEGS_MAX);
	for (i = 0; i < n; i++)
		idx[i] = first + i;
	check_super_idx(fx, k, idx, n);
}

TEST(gro_merges_bulk_flow)
{
	struct fixture fx;
	struct ou_spec base;
	unsigned i;

	fx_init(&fx);
	ou_spec_tcp(&base, false);
	ou_spec_add_timestamps(&base, 100, 200);
	for (i = 0; i < 10; i++)
		CHECK_EQ(fx_add_seg(&fx, &base, i, 1000),
			 i ? GRO_MERGED : GRO_HELD);
	CHECK_EQ(fx.cap->n, 0);
	CHECK_EQ(gro_held(fx.g), 1);
	gro_flush(fx.g);
	CHECK_EQ(gro_held(fx.g), 0);
	REQUIRE(fx.cap->n == 1);
	CHECK_EQ(fx.cap->f[0].len, 20 + 32 + 10000);
	CHECK_EQ(get_be16(fx.cap->f[0].pkt + 2), 20 + 32 + 10000);
	CHECK_EQ(csum_fold(csum_add(0, fx.cap->f[0].pkt, 20)), 0);
	CHECK_EQ(fx.cap->f[0].vh.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	CHECK_EQ(vnet_get16(fx.cap->f[0].vh.gso_size), 1000);
	CHECK_EQ(vnet_get16(fx.cap->f[0].vh.hdr_len), 52);
	CHECK_EQ(vnet_get16(fx.cap->f[0].vh.csum_start), 20);
	CHECK_EQ(vnet_get16(fx.cap->f[0].vh.csum_offset), 16);
	check_super(&fx, 0, 0, 10);
	CHECK_EQ(fx.g->stats.merged, 9);
	CHECK_EQ(fx.g->stats.supers, 1);
	fx_free(&fx);
}

/* A missing segment: the flow before the gap is emitted on its own. */
TEST(gro_refuses_gap)
{
	struct fixture fx;
	struct ou_spec base;

	fx_init(&fx);
	ou_spec_tcp(&base, true);
	CHECK_EQ(fx_add_seg(&fx, &base, 0, 1200), GRO_HELD);
	CHECK_EQ(fx_add_seg(&fx, &base, 1, 1200), GRO_MERGED);
	CHECK_EQ(fx_add_seg(&fx, &base, 3, 1200), GRO_HELD);
	CHECK_EQ(fx_add_seg(&fx, &base, 4, 1200), GRO_MERGED);
	gro_flush(fx.g);
	REQUIRE(fx.cap->n == 2);
	check_super(&fx, 0, 0, 2);
	check_super(&fx, 1, 2, 2);
	CHECK_EQ(fx.cap->f[1].vh.gso_type, VIRTIO_NET_HDR_GSO_TCPV6);
	fx_free(&fx);
}

/* Out of order: nothing merges, nothing is reordered. */
TEST(gro_refuses_reordering)
{
	static const unsigned order[] = { 0, 2, 1, 3, 3, 4 };
	struct fixture fx;
	struct ou_spec base;
	unsigned i;

	fx_init(&fx);
	ou_spec_tcp(&base, false);
	for (i = 0; i < 6; i++)
		fx_add_seg(&fx, &base, order[i], 800);
	gro_flush(fx.g);
	/* 0 | 2 | 1 | 3 (the duplicate 3 does not follow 3) | 3 4 */
	REQUIRE(fx.cap->n == 5);
	for (i = 0; i < 4; i++)
		check_plain(&fx, i, i);
	check_super(&fx, 4, 4, 2);
	fx_free(&fx);
}

/* One field of segment 1 differs from segment 0: never one super-packet. */
static void check_split(void (*change)(struct ou_spec *), bool v6,
			const char *what)
{
	struct fixture fx;
	struct ou_spec base, s;
	int v;

	fx_init(&fx);
	ou_spec_tcp(&base, v6);
	ou_spec_add_timestamps(&base, 5, 6);
	CHECK_EQ(fx_add_seg(&fx, &base, 0, 500), GRO_HELD);
	seg_spec(&base, 1, 500, &s);
	change(&s);
	v = fx_add(&fx, &s);
	gro_flush(fx.g);
	if (v == GRO_MERGED || fx.cap->n != 2)
		test_fail(__FILE__, __LINE__, "%s: verdict %d, %u frames", what,
			  v, fx.cap->n);
	else {
		check_plain(&fx, 0, 0);
		check_plain(&fx, 1, 1);
	}
	fx_free(&fx);
}

static void set_ece(struct ou_spec *s) { s->flags |= TH_ECE; }
static void set_cwr(struct ou_spec *s) { s->flags |= TH_CWR; }
static void set_urg(struct ou_spec *s) { s->flags |= TH_URG; }
static void set_syn(struct ou_spec *s) { s->flags |= TH_SYN; }
static void set_rst(struct ou_spec *s) { s->flags |= TH_RST; }
static void no_ack(struct ou_spec *s) { s->flags = TH_PSH; }
static void tsval(struct ou_spec *s) { s->tcp_opts[7]++; }
static void no_opts(struct ou_spec *s) { s->tcp_optlen = 0; }
static void more_opts(struct ou_spec *s) { ou_spec_add_timestamps(s, 1, 2); }
static void ttl(struct ou_spec *s) { s->ttl--; }
static void tos(struct ou_spec *s) { s->tos = 4; }
static void no_df(struct ou_spec *s) { s->df = false; }
static void id_jump(struct ou_spec *s) { s->id++; }
static void same_id_no_df(struct ou_spec *s) { s->id--; s->df = false; }
static void flow_label(struct ou_spec *s) { s->flow_label = 7; }
static void ack_num(struct ou_spec *s) { s->ack++; }
static void window(struct ou_spec *s) { s->win++; }
static void urg_ptr(struct ou_spec *s) { s->urg = 1; }
static void bigger(struct ou_spec *s) { s->plen++; }
static void ip_opts(struct ou_spec *s) { s->ip_optlen = 4; s->ip_opts[0] = 1; s->ip_opts[1] = 1; s->ip_opts[2] = 1; s->ip_opts[3] = 0; }
static void bad_csum(struct ou_spec *s) { s->csum = OU_CSUM_PARTIAL; }
static void no_payload(struct ou_spec *s) { s->plen = 0; }
static void other_port(struct ou_spec *s) { s->sport++; }

TEST(gro_refuses_flag_changes)
{
	check_split(set_ece, false, "ECE");
	check_split(set_cwr, false, "CWR after the first");
	check_split(set_urg, false, "URG");
	check_split(set_syn, false, "SYN");
	check_split(set_rst, true, "RST");
	check_split(no_ack, false, "no ACK");
}

TEST(gro_refuses_option_changes)
{
	check_split(tsval, false, "timestamp value");
	check_split(tsval, true, "timestamp value v6");
	check_split(no_opts, false, "options dropped");
	check_split(more_opts, true, "options added");
}

TEST(gro_refuses_header_changes)
{
	check_split(ttl, false, "TTL");
	check_split(ttl, true, "hop limit");
	check_split(tos, false, "TOS");
	check_split(tos, true, "traffic class");
	check_split(no_df, false, "DF");
	check_split(same_id_no_df, false, "fixed IPv4 ID without DF");
	check_split(id_jump, false, "IPv4 ID jump");
	check_split(flow_label, true, "flow label");
	check_split(ack_num, false, "ACK number");
	check_split(window, true, "window");
	check_split(urg_ptr, false, "urgent pointer");
	check_split(bigger, false, "segment larger than the first");
	check_split(ip_opts, false, "IPv4 options");
	check_split(bad_csum, false, "bad TCP checksum");
	check_split(bad_csum, true, "bad TCP checksum v6");
	check_split(no_payload, false, "no payload");
	check_split(other_port, false, "another flow");
}

/*
 * Atomic IPv4 datagrams (DF) may keep one ID (RFC 6864 §4.1): the kernel's
 * rule, decided at the second segment. A fixed-ID flow then takes no
 * increasing ID, and an increasing flow no repeated one.
 */
TEST(gro_fixed_id_with_df)
{
	struct fixture fx;
	struct ou_spec base, s;
	uint32_t i;

	fx_init(&fx);
	ou_spec_tcp(&base, false);
	for (i = 0; i < 4; i++) {
		seg_spec(&base, i, 500, &s);
		s.id = base.id;
		CHECK_EQ(fx_add(&fx, &s), i ? GRO_MERGED : GRO_HELD);
	}
	seg_spec(&base, 4, 500, &s); /* an increasing ID now: a new flow */
	CHECK_EQ(fx_add(&fx, &s), GRO_HELD);
	gro_flush(fx.g);
	REQUIRE(fx.cap->n == 2);
	CHECK_EQ(fx.cap->f[0].len, fx.in_len[0] + 3 * 500);
	CHECK_EQ(fx.cap->f[0].vh.gso_size, 500);
	check_plain(&fx, 1, 4);
	fx_free(&fx);

	fx_init(&fx);
	for (i = 0; i < 3; i++)
		CHECK_EQ(fx_add_seg(&fx, &base, i, 500), i ? GRO_MERGED : GRO_HELD);
	seg_spec(&base, 3, 500, &s);
	s.id = (uint16_t)(base.id + 2); /* repeats the last ID */
	CHECK(fx_add(&fx, &s) != GRO_MERGED);
	gro_flush(fx.g);
	CHECK_EQ(fx.cap->n, 2);
	fx_free(&fx);
}

/* PSH and FIN end a super-packet; a shorter segment does too. */
TEST(gro_last_segment_closes)
{
	static const uint8_t last[] = { TH_PSH, TH_FIN, TH_PSH | TH_FIN, 0 };
	struct fixture fx;
	struct ou_spec base, s;
	unsigned f;

	for (f = 0; f < sizeof(last); f++) {
		fx_init(&fx);
		ou_spec_tcp(&base, f & 1);
		fx_add_seg(&fx, &base, 0, 1000);
		fx_add_seg(&fx, &base, 1, 1000);
		seg_spec(&base, 2, 1000, &s);
		s.flags |= last[f];
		if (!last[f])
			s.plen = 999;
		CHECK_EQ(fx_add(&fx, &s), GRO_MERGED);
		/* Emitted at once, not on flush. */
		REQUIRE(fx.cap->n == 1);
		CHECK_EQ(fx.cap->f[0].pkt[(f & 1 ? 40 : 20) + 13],
			 TH_ACK | last[f]);
		check_super(&fx, 0, 0, 3);
		CHECK_EQ(fx_add_seg(&fx, &base, 3, 1000), GRO_HELD);
		gro_flush(fx.g);
		CHECK_EQ(fx.cap->n, 2);
		fx_free(&fx);
	}
}

/* PSH on a segment with nothing held passes straight through. */
TEST(gro_psh_alone_passes)
{
	struct fixture fx;
	struct ou_spec base, s;

	fx_init(&fx);
	ou_spec_tcp(&base, false);
	seg_spec(&base, 0, 100, &s);
	s.flags |= TH_PSH;
	CHECK_EQ(fx_add(&fx, &s), GRO_PASSED);
	REQUIRE(fx.cap->n == 1);
	check_plain(&fx, 0, 0);
	fx_free(&fx);
}

/* CWR on the first segment: allowed, and the header says ECN. */
TEST(gro_ecn_first_segment)
{
	struct fixture fx;
	struct ou_spec base, s;

	fx_init(&fx);
	ou_spec_tcp(&base, false);
	base.flags = TH_ACK | TH_ECE;
	seg_spec(&base, 0, 700, &s);
	s.flags |= TH_CWR;
	CHECK_EQ(fx_add(&fx, &s), GRO_HELD);
	CHECK_EQ(fx_add_seg(&fx, &base, 1, 700), GRO_MERGED);
	CHECK_EQ(fx_add_seg(&fx, &base, 2, 700), GRO_MERGED);
	gro_flush(fx.g);
	REQUIRE(fx.cap->n == 1);
	CHECK_EQ(fx.cap->f[0].vh.gso_type,
		 VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN);
	check_super(&fx, 0, 0, 3);
	fx_free(&fx);
}

/* Two flows interleaved segment by segment give two super-packets. */
TEST(gro_interleaved_flows)
{
	struct fixture fx;
	struct ou_spec a, b, super;
	struct virtio_net_hdr vh;
	unsigned i, idx[8], f;
	uint32_t len;
	uint8_t *want;

	fx_init(&fx);
	ou_spec_tcp(&a, false);
	ou_spec_tcp(&b, false);
	b.dport = 5202;
	b.seq = 0x7fffffff;
	for (i = 0; i < 8; i++) {
		CHECK_EQ(fx_add_seg(&fx, &a, i, 1400), i ? GRO_MERGED : GRO_HELD);
		CHECK_EQ(fx_add_seg(&fx, &b, i, 1400), i ? GRO_MERGED : GRO_HELD);
	}
	CHECK_EQ(gro_held(fx.g), 2);
	gro_flush(fx.g);
	REQUIRE(fx.cap->n == 2);
	/* Flow a, then b; each as the kernel would have built it. */
	for (f = 0; f < 2; f++) {
		seg_spec(f ? &b : &a, 0, 1400, &super);
		super.plen = 8 * 1400;
		super.csum = OU_CSUM_PARTIAL;
		want = ou_build_alloc(&super, &len);
		ou_vh_for(&super, 1400, &vh);
		CHECK_EQ(fx.cap->f[f].len, len);
		if (fx.cap->f[f].len == len)
			CHECK_MEM(fx.cap->f[f].pkt, want, len);
		CHECK_MEM(&fx.cap->f[f].vh, &vh, sizeof(vh));
		for (i = 0; i < 8; i++)
			idx[i] = 2 * i + f;
		check_super_idx(&fx, f, idx, 8);
		free(want);
	}
	fx_free(&fx);
}

/* Packets of another kind pass through unchanged, after their flow. */
TEST(gro_passes_unusual)
{
	struct fixture fx;
	struct ou_spec base, s;
	struct pkt p;
	unsigned k;

	fx_init(&fx);
	ou_spec_tcp(&base, false);
	fx_add_seg(&fx, &base, 0, 300);
	fx_add_seg(&fx, &base, 1, 300);
	/* IPv4 options on the same flow: the held pair goes first. */
	seg_spec(&base, 2, 300, &s);
	ip_opts(&s);
	CHECK_EQ(fx_add(&fx, &s), GRO_PASSED);
	REQUIRE(fx.cap->n == 2);
	check_super(&fx, 0, 0, 2);
	check_plain(&fx, 1, 2);
	/* UDP and a zero-payload ACK. */
	ou_spec_udp(&s, false);
	s.plen = 10;
	s.payload = pool;
	CHECK_EQ(fx_add(&fx, &s), GRO_PASSED);
	seg_spec(&base, 3, 0, &s);
	CHECK_EQ(fx_add(&fx, &s), GRO_PASSED);
	for (k = 1; k < fx.cap->n; k++)
		check_plain(&fx, k, k + 1);
	/* No headroom for the header: refused, nothing emitted. */
	pkt_init(&p, pool, 100, VNET_HDR_LEN - 1);
	pkt_put(&p, 60);
	k = fx.cap->n;
	CHECK_EQ(gro_add(fx.g, &p), -EINVAL);
	CHECK_EQ(fx.cap->n, k);
	fx_free(&fx);
}

/* Raw bytes that are not a coalescible segment, each after one held
 * segment of the flow they resemble. */
TEST(gro_passes_malformed)
{
	struct fixture fx;
	struct ou_spec base, s;
	uint8_t b[2000];
	struct pkt p;
	uint32_t len;
	unsigned c;

	for (c = 0; c < 12; c++) {
		fx_init(&fx);
		ou_spec_tcp(&base, c & 1);
		seg_spec(&base, 1, 300, &s);
		len = ou_build(&s, b);
		switch (c) {
		case 0: put_be16(b + 6, 0x2000); break;  /* MF */
		case 1: b[6] = IPPROTO_HOPOPTS; break;   /* v6 extension */
		case 2: put_be16(b + 6, 0x0010); break;  /* fragment offset */
		case 3: put_be16(b + 4, 0); break;       /* v6 jumbogram */
		case 4: b[10] ^= 1; break;               /* IPv4 header csum */
		case 5: len -= 1; break;                 /* v6 length past end */
		case 6: b[20 + 12] = 0x40; break;        /* TCP data offset 4 */
		case 7: len = 50; break;                 /* truncated */
		case 8: b[9] = IPPROTO_ICMP; break;
		case 9: b[0] = 0x50; break;              /* not IP */
		case 10: put_be16(b + 2, (uint16_t)(len - 4)); break; /* padded */
		case 11: b[40 + 16] ^= 0x80; break;      /* TCP checksum */
		}
		fx_add_seg(&fx, &base, 0, 300);
		ou_pkt_load(&p, b, len);
		CHECK_EQ(gro_add(fx.g, &p), GRO_PASSED);
		free(p.head);
		gro_flush(fx.g);
		if (fx.cap->n != 2)
			test_fail(__FILE__, __LINE__, "case %u: %u frames", c,
				  fx.cap->n);
		fx_free(&fx);
	}
}

/* A segment whose TCP checksum is 0 merges; the same with 0xffff (also
 * verifying, one's complement -0) does not: a sender never writes it, so
 * segmenting again would not give the same bytes. */
TEST(gro_checksum_zero_merges)
{
	struct fixture fx;
	struct ou_spec base, s;
	uint8_t b[2000], pay[300];
	struct pkt p;
	uint32_t len;

	fx_init(&fx);
	ou_spec_tcp(&base, true);
	fx_add_seg(&fx, &base, 0, 300);
	seg_spec(&base, 1, 300, &s);
	memcpy(pay, s.payload, 300);
	s.payload = pay;
	/* Make the sum come out at zero through the first payload word. */
	put_be16(pay, 0);
	len = ou_build(&s, b);
	put_be16(pay, get_be16(b + 40 + 16));
	len = ou_build(&s, b);
	CHECK_EQ(get_be16(b + 40 + 16), 0);
	CHECK_EQ(len, 360);
	CHECK_EQ(fx_add(&fx, &s), GRO_MERGED);
	gro_flush(fx.g);
	REQUIRE(fx.cap->n == 1);
	check_super(&fx, 0, 0, 2);
	fx_free(&fx);

	fx_init(&fx);
	fx_add_seg(&fx, &base, 0, 300);
	put_be16(b + 40 + 16, 0xffff);
	CHECK_EQ(csum_fold(csum_add(csum_add(0, b + 8, 32), b + 40, 320) +
			   IPPROTO_TCP + 320), 0);
	ou_pkt_load(&p, b, len);
	CHECK_EQ(gro_add(fx.g, &p), GRO_PASSED);
	free(p.head);
	gro_flush(fx.g);
	CHECK_EQ(fx.cap->n, 2);
	fx_free(&fx);
}

/* More flows than the table holds: the oldest is emitted to make room. */
TEST(gro_flow_table_full)
{
	struct fixture fx;
	struct ou_spec base[GRO_FLOWS_MAX + 1];
	unsigned i;

	fx_init(&fx);
	for (i = 0; i <= GRO_FLOWS_MAX; i++) {
		ou_spec_tcp(&base[i], i & 1);
		base[i].sport = (uint16_t)(1000 + i);
		CHECK_EQ(fx_add_seg(&fx, &base[i], 0, 100), GRO_HELD);
	}
	CHECK_EQ(gro_held(fx.g), GRO_FLOWS_MAX);
	REQUIRE(fx.cap->n == 1);
	check_plain(&fx, 0, 0);
	/* Flow 1 gets a second segment; the flush emits by age. */
	CHECK_EQ(fx_add_seg(&fx, &base[1], 1, 100), GRO_MERGED);
	gro_flush(fx.g);
	REQUIRE(fx.cap->n == GRO_FLOWS_MAX + 1);
	check_super_idx(&fx, 1, (const unsigned[]){ 1, GRO_FLOWS_MAX + 1 }, 2);
	for (i = 2; i <= GRO_FLOWS_MAX; i++)
		check_plain(&fx, i, i);
	fx_free(&fx);
}

/* At most GRO_SEGS_MAX segments and IP_PACKET_MAX bytes per super-packet. */
TEST(gro_bounds)
{
	struct fixture fx;
	struct ou_spec base;
	unsigned i, n;

	fx_init(&fx);
	ou_spec_tcp(&base, false);
	for (i = 0; i < GRO_SEGS_MAX + 3; i++)
		fx_add_seg(&fx, &base, i, 100);
	REQUIRE(fx.cap->n == 1);
	check_super(&fx, 0, 0, GRO_SEGS_MAX);
	gro_flush(fx.g);
	check_super(&fx, 1, GRO_SEGS_MAX, 3);
	fx_free(&fx);

	/* 1460-byte segments: 44 fit in 65535 bytes, the 45th starts anew. */
	fx_init(&fx);
	ou_spec_tcp(&base, false);
	n = 50;
	for (i = 0; i < n; i++)
		CHECK_EQ(fx_add_seg(&fx, &base, i, 1460),
			 i == 0 || i == 44 ? GRO_HELD : GRO_MERGED);
	gro_flush(fx.g);
	REQUIRE(fx.cap->n == 2);
	CHECK_EQ(fx.cap->f[0].len, 40 + 44 * 1460);
	check_super(&fx, 0, 0, 44);
	check_super(&fx, 1, 44, 6);
	fx_free(&fx);
}

/* Input j of fx matching segment bytes d (len): the first not yet used;
 * -1 if none. */
static int match_input(const struct fixture *fx, const bool *used,
		       const uint8_t *d, uint32_t len)
{
	unsigned j;

	for (j = 0; j < fx->n_in; j++)
		if (!used[j] && fx->in_len[j] == len && !memcmp(fx->in[j], d, len))
			return (int)j;
	return -1;
}

/* Segmenting every emitted frame again gives back every packet offered,
 * each once, and each flow's packets in the order offered. */
static void check_conservation(struct fixture *fx, const unsigned *flow_of)
{
	bool used[OU_FRAMES_MAX] = { false };
	unsigned k, j, n_out = 0;
	struct pkt out;

	pkt_init(&out, ou_xalloc(70000), 70000, 0);
	for (k = 0; k < fx->cap->n; k++) {
		struct ou_frame *fr = &fx->cap->f[k];
		struct gso_iter it;
		int m;

		REQUIRE(gso_begin(&it, &fr->vh, fr->pkt, fr->len, UINT32_MAX,
				  0) > 0);
		while (gso_next(&it, &out) == 1) {
			m = match_input(fx, used, pkt_data(&out), out.len);
			if (m < 0) {
				test_fail(__FILE__, __LINE__, "frame %u: segment not offered", k);
				goto out;
			}
			for (j = 0; j < (unsigned)m; j++)
				if (!used[j] && flow_of[j] == flow_of[m])
					test_fail(__FILE__, __LINE__,
						  "input %u before %u", m, j);
			used[m] = true;
			n_out++;
		}
	}
	CHECK_EQ(n_out, fx->n_in);
out:
	free(out.head);
}

/* A random mix of flows, gaps, PSH, short segments and flushes. */
TEST(gro_random_round_trip)
{
	unsigned flow_of[OU_FRAMES_MAX], round, i, f;
	struct ou_spec base[3], s;
	uint32_t next[3];
	struct fixture fx;

	for (round = 0; round < 40 && !test_failures(); round++) {
		fx_init(&fx);
		for (f = 0; f < 3; f++) {
			ou_spec_tcp(&base[f], f == 1);
			base[f].sport = (uint16_t)(f + 1);
			next[f] = 0;
		}
		for (i = 0; i < 300; i++) {
			f = (unsigned)(test_rand() % 3);
			seg_spec(&base[f], next[f], 500, &s);
			if (test_rand() % 10 == 0)
				s.seq += 500; /* a gap, or a repeat later */
			if (test_rand() % 15 == 0)
				s.flags |= TH_PSH;
			if (test_rand() % 15 == 0)
				s.plen = (uint32_t)test_rand() % 500;
			next[f]++;
			flow_of[fx.n_in] = f;
			fx_add(&fx, &s);
			if (test_rand() % 50 == 0)
				gro_flush(fx.g);
		}
		gro_flush(fx.g);
		CHECK(fx.g->stats.merged > 100);
		check_conservation(&fx, flow_of);
		fx_free(&fx);
	}
}
