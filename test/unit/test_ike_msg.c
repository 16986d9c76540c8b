/* SPDX-License-Identifier: MIT */
/*
 * IKEv2 message codec (ike/msg.h): a header encoded by hand from RFC 7296
 * §3.1, a round trip of every payload type (built, parsed, decoded and
 * rendered equal to the inputs), the Encrypted payload's framing (SK and
 * SKF) against offsets worked out by hand, every prefix of a message
 * refused without a read past it, the writer's bounds, and the builder's
 * refusals. Refusals of malformed messages and payloads are in
 * test_ike_msg_refuse.c; scapy-built messages in test_ike_msg_scapy.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ike/msg.h"
#include "ike_util.h"
#include "test.h"
#include "util/bytes.h"

#define BUF_MAX 4096

static const struct ike_hdr hdr_init = {
	.spi_i = 0x0102030405060708ULL,
	.exchange = IKE_EXCH_SA_INIT,
	.flags = IKE_FLAG_INITIATOR,
};

static const struct ike_hdr hdr_auth = {
	.spi_i = 0x0102030405060708ULL,
	.spi_r = 0x1112131415161718ULL,
	.exchange = IKE_EXCH_AUTH,
	.flags = IKE_FLAG_RESPONSE,
	.msg_id = 1,
};

/* ---- inputs: one value of every payload type ---- */

static uint8_t pat[512];

static void pat_init(void)
{
	unsigned i;

	for (i = 0; i < sizeof(pat); i++)
		pat[i] = (uint8_t)(i * 7 + 3);
}

static struct ike_proposal props[3];

static void props_init(void)
{
	static const struct ike_transform ike_xf[] = {
		{ IKE_XF_ENCR, IKE_TF_ENCR_AES_GCM_16, 256, false },
		{ IKE_XF_ENCR, IKE_TF_ENCR_AES_CBC, 128, false },
		{ IKE_XF_ENCR, IKE_TF_ENCR_CHACHA20_POLY1305, 0, false },
		{ IKE_XF_PRF, IKE_TF_PRF_HMAC_SHA2_256, 0, false },
		{ IKE_XF_PRF, IKE_TF_PRF_HMAC_SHA2_512, 0, false },
		{ IKE_XF_INTEG, IKE_TF_INTEG_HMAC_SHA2_384_192, 0, false },
		{ IKE_XF_DH, IKE_TF_DH_ECP_256, 0, false },
		{ IKE_XF_DH, IKE_TF_DH_CURVE25519, 0, false },
		{ IKE_XF_DH, IKE_TF_DH_MODP_2048, 0, false },
	};
	static const struct ike_transform esp_xf[] = {
		{ IKE_XF_ENCR, IKE_TF_ENCR_AES_CCM_8, 128, false },
		{ IKE_XF_ESN, IKE_TF_ESN_NO, 0, false },
		{ IKE_XF_ESN, IKE_TF_ESN_YES, 0, false },
	};

	memset(props, 0, sizeof(props));
	props[0].num = 1;
	props[0].protocol = IKE_PROTO_IKE;
	memcpy(props[0].xf, ike_xf, sizeof(ike_xf));
	props[0].nxf = sizeof(ike_xf) / sizeof(ike_xf[0]);
	props[1].num = 2;
	props[1].protocol = IKE_PROTO_ESP;
	props[1].spi_size = 4;
	memcpy(props[1].spi, "\xc0\xff\xee\x01", 4);
	memcpy(props[1].xf, esp_xf, sizeof(esp_xf));
	props[1].nxf = sizeof(esp_xf) / sizeof(esp_xf[0]);
	props[2] = props[1];          /* same number: AH AND ESP style */
	props[2].protocol = IKE_PROTO_AH;
	props[2].xf[0].type = IKE_XF_INTEG;
	props[2].xf[0].id = IKE_TF_INTEG_HMAC_SHA2_256_128;
	props[2].xf[0].key_len = 0;
	props[2].nxf = 1;
}

static struct ike_ts ts_i[2], ts_r[1];

static void ts_init(void)
{
	memset(ts_i, 0, sizeof(ts_i));
	memset(ts_r, 0, sizeof(ts_r));
	ts_i[0].type = IKE_TS_IPV4_ADDR_RANGE;
	ts_i[0].end_port = 65535;
	memcpy(ts_i[0].start, "\x0a\x00\x00\x00", 4);
	memcpy(ts_i[0].end, "\x0a\x00\xff\xff", 4);
	ts_i[1].type = IKE_TS_IPV6_ADDR_RANGE;
	ts_i[1].ip_proto = 17;
	ts_i[1].start_port = ts_i[1].end_port = 4500;
	memcpy(ts_i[1].start, pat, 16);
	memcpy(ts_i[1].end, pat, 16);
	ts_i[1].end[15] ^= 0xff;
	if (ts_i[1].end[15] < ts_i[1].start[15]) {
		uint8_t t = ts_i[1].end[15];

		ts_i[1].end[15] = ts_i[1].start[15];
		ts_i[1].start[15] = t;
	}
	ts_r[0].type = IKE_TS_IPV4_ADDR_RANGE;
	ts_r[0].ip_proto = 6;
	ts_r[0].start_port = ts_r[0].end_port = 443;
	memcpy(ts_r[0].start, "\xc0\x00\x02\x07", 4);
	memcpy(ts_r[0].end, "\xc0\x00\x02\x07", 4);
}

static const uint8_t ecdsa_alg[] = {
	0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02
};

static struct ike_ke ke;
static struct ike_id idi, idr;
static struct ike_cert cert, certreq;
static struct ike_auth auth_psk;
static struct ike_auth_sig auth_sig;
static struct ike_notify n_natd, n_rekey, n_frag, n_sigs;
static struct ike_delete del_esp, del_ike;

static void values_init(void)
{
	pat_init();
	props_init();
	ts_init();
	ke = (struct ike_ke){ IKE_TF_DH_ECP_256, pat, 64 };
	idi = (struct ike_id){ IKE_ID_FQDN, (const uint8_t *)"a.example", 9 };
	idr = (struct ike_id){ IKE_ID_IPV6_ADDR, pat + 100, 16 };
	cert = (struct ike_cert){ IKE_CERT_X509_SIG, pat + 10, 300 };
	certreq = (struct ike_cert){ IKE_CERT_X509_SIG, pat + 20, 60 };
	auth_psk = (struct ike_auth){ IKE_AM_PSK, pat + 30, 32 };
	auth_sig = (struct ike_auth_sig){ ecdsa_alg, sizeof(ecdsa_alg),
					  pat + 40, 71 };
	n_natd = (struct ike_notify){ .type = IKE_N_NAT_DETECTION_SOURCE_IP,
				      .data = pat + 50, .len = 20 };
	n_rekey = (struct ike_notify){ .protocol = IKE_PROTO_ESP,
				       .spi_size = 4, .type = IKE_N_REKEY_SA,
				       .spi = { 1, 2, 3, 4 } };
	n_frag = (struct ike_notify){ .type =
					      IKE_N_IKEV2_FRAGMENTATION_SUPPORTED };
	n_sigs = (struct ike_notify){ .type = IKE_N_SIGNATURE_HASH_ALGORITHMS,
				      .data = (const uint8_t *)"\0\2\0\3\0\4",
				      .len = 6 };
	del_esp = (struct ike_delete){ IKE_PROTO_ESP, 4, 3, pat + 60 };
	del_ike = (struct ike_delete){ IKE_PROTO_IKE, 0, 0, NULL };
}

/* Put every payload type; and render what was put, in the same order. */
static int put_all(struct ike_writer *w, struct iu_text *t)
{
	struct ike_sa_payload sa = { .n = 3 };
	struct ike_ts_payload tsi = { .n = 2 }, tsr = { .n = 1 };
	struct ike_auth sig_as_auth;
	uint8_t sigdata[1 + sizeof(ecdsa_alg) + 71];

	memcpy(sa.prop, props, sizeof(props));
	memcpy(tsi.ts, ts_i, sizeof(ts_i));
	memcpy(tsr.ts, ts_r, sizeof(ts_r));
	sigdata[0] = sizeof(ecdsa_alg);
	memcpy(sigdata + 1, ecdsa_alg, sizeof(ecdsa_alg));
	memcpy(sigdata + 1 + sizeof(ecdsa_alg), auth_sig.sig, 71);
	sig_as_auth = (struct ike_auth){ IKE_AM_DIGITAL_SIGNATURE, sigdata,
					 sizeof(sigdata) };

	ike_put_sa(w, props, 3);            iu_render_sa(t, &sa);
	ike_put_ke(w, &ke);                 iu_render_ke(t, &ke);
	ike_put_nonce(w, pat + 200, 16);    iu_render_nonce(t, pat + 200, 16);
	ike_put_notify(w, &n_natd);         iu_render_notify(t, &n_natd);
	ike_put_notify(w, &n_frag);         iu_render_notify(t, &n_frag);
	ike_put_notify(w, &n_sigs);         iu_render_notify(t, &n_sigs);
	ike_put_notify(w, &n_rekey);        iu_render_notify(t, &n_rekey);
	ike_put_id(w, IKE_PL_IDI, &idi);    iu_render_id(t, IKE_PL_IDI, &idi);
	ike_put_cert(w, IKE_PL_CERT, &cert);
	iu_render_cert(t, IKE_PL_CERT, &cert);
	ike_put_cert(w, IKE_PL_CERTREQ, &certreq);
	iu_render_cert(t, IKE_PL_CERTREQ, &certreq);
	ike_put_id(w, IKE_PL_IDR, &idr);    iu_render_id(t, IKE_PL_IDR, &idr);
	ike_put_auth_sig(w, &auth_sig);     iu_render_auth(t, &sig_as_auth);
	ike_put_auth(w, &auth_psk);         iu_render_auth(t, &auth_psk);
	ike_put_ts(w, IKE_PL_TSI, ts_i, 2); iu_render_ts(t, IKE_PL_TSI, &tsi);
	ike_put_ts(w, IKE_PL_TSR, ts_r, 1); iu_render_ts(t, IKE_PL_TSR, &tsr);
	ike_put_delete(w, &del_esp);        iu_render_delete(t, &del_esp);
	ike_put_delete(w, &del_ike);        iu_render_delete(t, &del_ike);
	ike_put_vendor(w, pat + 300, 16);   iu_render_vendor(t, pat + 300, 16);
	ike_put_vendor(w, NULL, 0);         iu_render_vendor(t, NULL, 0);
	ike_put_nonce(w, pat, 256);         iu_render_nonce(t, pat, 256);
	ike_put_raw(w, IKE_PL_CP, false, "\x01\0\0\0", 4);
	iu_add(t, "CP 01000000\n");
	return w->err;
}

#define PUT_ALL_PAYLOADS 21

/* Build the all-payload message into buf; returns its length. */
static int build_all(uint8_t *buf, size_t cap, struct iu_text *want)
{
	struct ike_writer w;

	values_init();
	ike_writer_init(&w, buf, cap, &hdr_init);
	iu_render_hdr(want, &hdr_init);
	put_all(&w, want);
	return ike_writer_finish(&w);
}

/* A heap copy of exactly n bytes, so ASan sees any read past it. */
static uint8_t *exact(const uint8_t *p, size_t n)
{
	uint8_t *q = malloc(n ? n : 1);

	if (q && n)
		memcpy(q, p, n);
	return q;
}

TEST(ike_msg_names)
{
	int r;

	CHECK(!strcmp(ike_payload_name(IKE_PL_SA), "SA"));
	CHECK(!strcmp(ike_payload_name(IKE_PL_SKF), "SKF"));
	CHECK(!strcmp(ike_payload_name(99), "?"));
	CHECK(!strcmp(ike_exchange_name(IKE_EXCH_CREATE_CHILD_SA),
		      "CREATE_CHILD_SA"));
	CHECK(!strcmp(ike_exchange_name(33), "?"));
	CHECK(!strcmp(ike_notify_name(IKE_N_COOKIE), "COOKIE"));
	CHECK(!strcmp(ike_notify_name(IKE_N_TS_UNACCEPTABLE),
		      "TS_UNACCEPTABLE"));
	CHECK(!strcmp(ike_notify_name(12345), "?"));
	CHECK(!strcmp(ike_xform_id_name(IKE_XF_ENCR, 20), "AES_GCM_16"));
	CHECK(!strcmp(ike_xform_id_name(IKE_XF_INTEG, 14),
		      "HMAC_SHA2_512_256"));
	CHECK(!strcmp(ike_xform_id_name(IKE_XF_DH, 31), "CURVE25519"));
	CHECK(!strcmp(ike_xform_id_name(IKE_XF_ESN, 1), "ESN"));
	CHECK(!strcmp(ike_xform_id_name(9, 1), "?"));
	CHECK(!strcmp(ike_xform_type_name(IKE_XF_PRF), "PRF"));
	CHECK(!strcmp(ike_proto_name(IKE_PROTO_ESP), "ESP"));
	CHECK(!strcmp(ike_id_type_name(IKE_ID_FQDN), "FQDN"));
	CHECK(!strcmp(ike_auth_method_name(14), "DIGITAL_SIGNATURE"));
	CHECK(!strcmp(ike_cert_encoding_name(4), "X509_SIG"));
	CHECK(ike_payload_known(IKE_PL_SKF) && !ike_payload_known(49) &&
	      !ike_payload_known(IKE_PL_NONE));
	for (r = 0; r < IKE_PARSE_COUNT; r++) {
		int s;

		CHECK(strcmp(ike_parse_error_name(r), "?"));
		for (s = 0; s < r; s++)
			CHECK(strcmp(ike_parse_error_name(r),
				     ike_parse_error_name(s)));
	}
	CHECK(!strcmp(ike_parse_error_name(IKE_PARSE_COUNT), "?"));
}

/* RFC 7296 §3.1 by hand: an INFORMATIONAL response with one empty Notify
 * (INITIAL_CONTACT: protocol 0, SPI size 0, type 0x4000). */
TEST(ike_msg_header_known_answer)
{
	static const uint8_t want[] = {
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, /* SPIi */
		0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, /* SPIr */
		41, 0x20, 37, 0x20,           /* N, 2.0, INFORMATIONAL, R */
		0x00, 0x00, 0x00, 0x05,       /* message ID */
		0x00, 0x00, 0x00, 36,         /* length */
		0, 0, 0x00, 0x08, 0, 0, 0x40, 0x00,
	};
	struct ike_hdr h = hdr_auth;
	struct ike_notify n = { .type = IKE_N_INITIAL_CONTACT };
	struct ike_writer w;
	struct ike_msg m;
	uint8_t buf[64];

	h.exchange = IKE_EXCH_INFORMATIONAL;
	h.msg_id = 5;
	ike_writer_init(&w, buf, sizeof(buf), &h);
	ike_put_notify(&w, &n);
	REQUIRE(ike_writer_finish(&w) == (int)sizeof(want));
	CHECK_MEM(buf, want, sizeof(want));
	REQUIRE(ike_msg_parse(want, sizeof(want), &m) == IKE_PARSE_OK);
	CHECK(m.hdr.spi_i == h.spi_i && m.hdr.spi_r == h.spi_r);
	CHECK_EQ(m.hdr.next, IKE_PL_NOTIFY);
	CHECK_EQ(m.hdr.version, 0x20);
	CHECK_EQ(m.hdr.exchange, 37);
	CHECK_EQ(m.hdr.flags, IKE_FLAG_RESPONSE);
	CHECK_EQ(m.hdr.msg_id, 5);
	CHECK_EQ(m.hdr.len, 36);
	CHECK_EQ(m.chain.n, 1);
	CHECK_EQ(m.chain.pl[0].off, 28);
	CHECK_EQ(cursor_left(&m.chain.pl[0].body), 4);
	CHECK_EQ(m.chain.sk, -1);
}

TEST(ike_msg_round_trip_every_payload)
{
	static uint8_t buf[BUF_MAX];
	static struct ike_msg m;
	struct iu_text want, got;
	int len;

	iu_text_init(&want);
	len = build_all(buf, sizeof(buf), &want);
	REQUIRE(len > IKE_HDR_LEN);
	REQUIRE(ike_msg_parse(buf, (size_t)len, &m) == IKE_PARSE_OK);
	CHECK_EQ(m.chain.n, PUT_ALL_PAYLOADS);
	CHECK_EQ(m.hdr.next, IKE_PL_SA);
	iu_text_init(&got);
	iu_render_hdr(&got, &m.hdr);
	CHECK_EQ(iu_render_chain(&got, &m.chain), IKE_PARSE_OK);
	if (strcmp(got.s, want.s))
		test_fail(__FILE__, __LINE__, "got:\n%s\nwant:\n%s", got.s,
			  want.s);
	CHECK_EQ(ike_chain_find(&m.chain, IKE_PL_TSR, 0), 14);
	CHECK_EQ(ike_chain_find(&m.chain, IKE_PL_NONCE, 3), 19);
	CHECK_EQ(ike_chain_find(&m.chain, IKE_PL_EAP, 0), -1);
}

/* Payloads put inside SK come out of the inner chain the same; the layout
 * matches what ike_sk_locate() finds and offsets worked out by hand. */
static void sk_round_trip(size_t iv, size_t block, size_t icv)
{
	static uint8_t buf[BUF_MAX];
	static struct ike_msg m;
	static struct ike_chain inner;
	struct ike_sk_layout lay, found;
	struct iu_text want, got;
	struct ike_writer w;
	size_t inner_len, pt_len;
	int len;

	values_init();
	iu_text_init(&want);
	ike_writer_init(&w, buf, sizeof(buf), &hdr_auth);
	ike_put_vendor(&w, pat, 8);          /* before SK: in the AAD */
	ike_sk_begin(&w, iv);
	put_all(&w, &want);
	len = ike_sk_end(&w, block, icv, &lay);
	REQUIRE(len > 0);
	/* header 28, vendor 4 + 8, SK header 4 */
	CHECK_EQ(lay.aad_len, 44);
	CHECK_EQ(lay.iv_off, 44);
	CHECK_EQ(lay.iv_len, iv);
	CHECK_EQ(lay.ct_off, 44 + iv);
	CHECK_EQ(lay.ct_len % block, 0);
	CHECK_EQ(lay.icv_off + lay.icv_len, (size_t)len);
	CHECK_EQ(lay.icv_len, icv);
	CHECK_EQ(get_be32(buf + 24), (uint32_t)len);
	CHECK_EQ(get_be16(buf + 42), (uint16_t)(len - 40));
	REQUIRE(ike_msg_parse(buf, (size_t)len, &m) == IKE_PARSE_OK);
	CHECK_EQ(m.chain.n, 2);
	CHECK_EQ(m.chain.sk, 1);
	CHECK_EQ(m.chain.sk_next, IKE_PL_SA);
	REQUIRE(ike_sk_locate(&m, iv, icv, block, &found) == IKE_PARSE_OK);
	CHECK_MEM(&found, &lay, sizeof(lay));
	REQUIRE(ike_sk_unpad(buf + lay.ct_off, lay.ct_len, &inner_len) ==
		IKE_PARSE_OK);
	pt_len = inner_len + 1 + buf[lay.ct_off + lay.ct_len - 1];
	CHECK_EQ(pt_len, lay.ct_len);
	CHECK(buf[lay.ct_off + lay.ct_len - 1] < block);
	REQUIRE(ike_inner_parse(buf + lay.ct_off, inner_len, m.chain.sk_next,
				&inner) == IKE_PARSE_OK);
	CHECK_EQ(inner.n, PUT_ALL_PAYLOADS);
	iu_text_init(&got);
	CHECK_EQ(iu_render_chain(&got, &inner), IKE_PARSE_OK);
	CHECK(!strcmp(got.s, want.s));
	/* Misfits: a wider ICV or IV than the payload holds, bad block. */
	CHECK_EQ(ike_sk_locate(&m, iv, lay.ct_len + icv, 1, &found),
		 IKE_PARSE_SK_SHORT);
	if (block > 1)
		CHECK_EQ(ike_sk_locate(&m, iv + 1, icv, block, &found),
			 IKE_PARSE_SK_ALIGN);
}

TEST(ike_msg_sk_framing)
{
	sk_round_trip(8, 1, 16);     /* AES-GCM, ChaCha20-Poly1305 */
	sk_round_trip(16, 16, 16);   /* AES-CBC + HMAC-SHA2-256-128 */
	sk_round_trip(16, 16, 32);   /* AES-CBC + HMAC-SHA2-512-256 */
	sk_round_trip(0, 4, 0);
}

TEST(ike_msg_sk_empty_and_unpad)
{
	uint8_t buf[128], plain[4] = { 9, 9, 9, 3 };
	struct ike_sk_layout lay;
	struct ike_writer w;
	struct ike_msg m;
	size_t n;
	int len;

	ike_writer_init(&w, buf, sizeof(buf), &hdr_auth);
	ike_sk_begin(&w, 8);
	len = ike_sk_end(&w, 1, 16, &lay);
	REQUIRE(len == 28 + 4 + 8 + 1 + 16);
	CHECK_EQ(buf[16], IKE_PL_SK);
	CHECK_EQ(buf[28], 0);             /* no inner payload */
	CHECK_EQ(lay.ct_len, 1);
	REQUIRE(ike_msg_parse(buf, (size_t)len, &m) == IKE_PARSE_OK);
	CHECK_EQ(m.chain.sk_next, 0);
	CHECK_EQ(ike_sk_unpad(plain, 4, &n), IKE_PARSE_OK);
	CHECK_EQ(n, 0);
	CHECK_EQ(ike_sk_unpad(plain, 3, &n), IKE_PARSE_PAD);
	CHECK_EQ(ike_sk_unpad(plain, 0, &n), IKE_PARSE_PAD);
	CHECK_EQ(ike_msg_parse(buf, (size_t)len, &m), IKE_PARSE_OK);
	m.chain.sk = -1;
	CHECK_EQ(ike_sk_locate(&m, 8, 16, 1, &lay), IKE_PARSE_NO_SK);
}

/* RFC 7383 §2.5: fragment 1 names the first inner payload, the others 0;
 * the AAD takes in the fragment number and total. */
TEST(ike_msg_skf_framing)
{
	static const uint8_t chunk[40] = { 1, 2, 3 };
	uint8_t buf[256];
	struct ike_sk_layout lay, found;
	struct ike_writer w;
	struct ike_msg m;
	struct ike_skf f;
	int len;

	ike_writer_init(&w, buf, sizeof(buf), &hdr_auth);
	ike_skf_begin(&w, 2, 3, 0, 16);
	ike_sk_put_data(&w, chunk, sizeof(chunk));
	CHECK_EQ(ike_put_vendor(&w, chunk, 4), -EINVAL); /* slice only */
	ike_writer_init(&w, buf, sizeof(buf), &hdr_auth);
	ike_skf_begin(&w, 1, 3, IKE_PL_IDI, 16);
	ike_sk_put_data(&w, chunk, sizeof(chunk));
	len = ike_sk_end(&w, 16, 16, &lay);
	REQUIRE(len > 0);
	CHECK_EQ(lay.aad_len, 28 + 4 + 4);
	CHECK_EQ(lay.ct_len, 48);        /* 40 + 7 padding + 1 */
	REQUIRE(ike_msg_parse(buf, (size_t)len, &m) == IKE_PARSE_OK);
	CHECK_EQ(m.chain.pl[m.chain.sk].type, IKE_PL_SKF);
	CHECK_EQ(m.chain.sk_next, IKE_PL_IDI);
	REQUIRE(ike_decode_skf(m.chain.pl[0].body, &f) == IKE_PARSE_OK);
	CHECK(f.number == 1 && f.total == 3);
	REQUIRE(ike_sk_locate(&m, 16, 16, 16, &found) == IKE_PARSE_OK);
	CHECK_MEM(&found, &lay, sizeof(lay));
	CHECK_MEM(buf + lay.ct_off, chunk, sizeof(chunk));
	ike_writer_init(&w, buf, sizeof(buf), &hdr_auth);
	CHECK_EQ(ike_skf_begin(&w, 0, 3, 0, 16), -EINVAL);
	ike_writer_init(&w, buf, sizeof(buf), &hdr_auth);
	CHECK_EQ(ike_skf_begin(&w, 4, 3, 0, 16), -EINVAL);
}

/* Every proper prefix of a valid message is refused, both as it is (length
 * field too big) and with the length field cut to match (the chain then
 * ends inside a payload). Exact-size heap copies: ASan catches any read
 * past the end. */
TEST(ike_msg_every_prefix_refused)
{
	static uint8_t buf[BUF_MAX];
	static struct ike_msg m;
	struct iu_text want;
	size_t n;
	int len;

	iu_text_init(&want);
	len = build_all(buf, sizeof(buf), &want);
	REQUIRE(len > 0);
	for (n = 0; n < (size_t)len; n++) {
		uint8_t *p = exact(buf, n);
		enum ike_parse r;

		REQUIRE(p != NULL);
		r = ike_msg_parse(p, n, &m);
		CHECK(r == (n < IKE_HDR_LEN ? IKE_PARSE_SHORT
					    : IKE_PARSE_LENGTH));
		if (n >= IKE_HDR_LEN) {
			put_be32(p + 24, (uint32_t)n);
			r = ike_msg_parse(p, n, &m);
			CHECK(r == IKE_PARSE_PAYLOAD_OVERRUN);
		}
		free(p);
	}
}

/* Every proper prefix of each structured payload body is refused by its
 * decoder; the whole body is accepted. */
TEST(ike_msg_every_body_prefix_refused)
{
	static uint8_t buf[BUF_MAX];
	static struct ike_msg m;
	static struct ike_sa_payload sa;
	static struct ike_ts_payload ts;
	struct iu_text want;
	unsigned i;
	int len;

	iu_text_init(&want);
	len = build_all(buf, sizeof(buf), &want);
	REQUIRE(ike_msg_parse(buf, (size_t)len, &m) == IKE_PARSE_OK);
	for (i = 0; i < m.chain.n; i++) {
		const struct ike_payload *p = &m.chain.pl[i];
		size_t n, full = cursor_left(&p->body);
		bool is_sa = p->type == IKE_PL_SA;

		if (!is_sa && p->type != IKE_PL_TSI && p->type != IKE_PL_TSR)
			continue;
		for (n = 0; n < full; n++) {
			uint8_t *q = exact(p->body.p, n);
			struct cursor c = cursor_make(q, n);

			CHECK(is_sa ? ike_decode_sa(c, &sa) != IKE_PARSE_OK
				    : ike_decode_ts(c, &ts) != IKE_PARSE_OK);
			free(q);
		}
	}
}

/* With every buffer size short of the message, the writer fails with
 * -ENOSPC and writes nothing past the buffer; the exact size works. */
TEST(ike_msg_writer_bounds)
{
	static uint8_t full[BUF_MAX], buf[BUF_MAX + 16];
	struct iu_text t;
	size_t n, i;
	int len;

	iu_text_init(&t);
	len = build_all(full, sizeof(full), &t);
	REQUIRE(len > 0);
	for (n = 0; n <= (size_t)len; n++) {
		struct ike_writer w;
		int r;

		memset(buf, 0xa5, sizeof(buf));
		ike_writer_init(&w, buf, n, &hdr_init);
		iu_text_init(&t);
		put_all(&w, &t);
		r = ike_writer_finish(&w);
		if (n < (size_t)len)
			CHECK_EQ(r, -ENOSPC);
		else
			CHECK(r == len && !memcmp(buf, full, n));
		for (i = n; i < n + 16; i++)
			if (buf[i] != 0xa5) {
				test_fail(__FILE__, __LINE__,
					  "byte %zu written, size %zu", i, n);
				break;
			}
	}
}

/* What each builder refuses: values the decoder would refuse, misuse, and
 * the sticky error. */
TEST(ike_msg_writer_refusals)
{
	static uint8_t buf[BUF_MAX];
	struct ike_proposal p[IKE_PROPOSALS_MAX + 1];
	struct ike_ts ts;
	struct ike_notify n = { .type = IKE_N_COOKIE, .data = pat, .len = 65 };
	struct ike_writer w;
	unsigned i;

	values_init();
#define FRESH() ike_writer_init(&w, buf, sizeof(buf), &hdr_init)
	FRESH();
	CHECK_EQ(ike_put_nonce(&w, pat, 15), -EINVAL);
	CHECK_EQ(ike_put_ke(&w, &ke), -EINVAL);          /* sticky */
	CHECK_EQ(ike_writer_finish(&w), -EINVAL);
	FRESH();
	CHECK_EQ(ike_put_nonce(&w, pat, 257), -EINVAL);
	FRESH();
	CHECK_EQ(ike_put_notify(&w, &n), -EINVAL);
	n.len = 64;
	FRESH();
	CHECK_EQ(ike_put_notify(&w, &n), 0);
	FRESH();
	ts = ts_r[0];
	ts.start_port = 444;
	CHECK_EQ(ike_put_ts(&w, IKE_PL_TSI, &ts, 1), -EINVAL);
	FRESH();
	ts = ts_r[0];
	ts.end[3] = 6;
	CHECK_EQ(ike_put_ts(&w, IKE_PL_TSR, &ts, 1), -EINVAL);
	FRESH();
	CHECK_EQ(ike_put_ts(&w, IKE_PL_SA, ts_r, 1), -EINVAL);
	FRESH();
	CHECK_EQ(ike_put_id(&w, IKE_PL_AUTH, &idi), -EINVAL);
	FRESH();
	memcpy(p, props, sizeof(props));
	p[0].num = 0;
	CHECK_EQ(ike_put_sa(&w, p, 1), -EINVAL);
	FRESH();
	memcpy(p, props, sizeof(props));
	p[1].num = 3;                                    /* 1 then 3 */
	CHECK_EQ(ike_put_sa(&w, p, 2), -EINVAL);
	FRESH();
	memcpy(p, props, sizeof(props));
	p[1].spi_size = 8;                               /* ESP takes 4 */
	CHECK_EQ(ike_put_sa(&w, p, 2), -EINVAL);
	FRESH();
	for (i = 0; i <= IKE_PROPOSALS_MAX; i++) {
		p[i] = props[0];
		p[i].num = (uint8_t)(i + 1);
	}
	CHECK_EQ(ike_put_sa(&w, p, IKE_PROPOSALS_MAX + 1), -EINVAL);
	FRESH();
	CHECK_EQ(ike_put_sa(&w, p, IKE_PROPOSALS_MAX), 0);
	FRESH();
	CHECK_EQ(ike_sk_end(&w, 1, 16, NULL), -EINVAL);  /* none open */
	FRESH();
	ike_sk_begin(&w, 8);
	CHECK_EQ(ike_writer_finish(&w), -EINVAL);        /* still open */
	FRESH();
	ike_sk_begin(&w, 8);
	CHECK_EQ(ike_sk_begin(&w, 8), -EINVAL);
	FRESH();
	ike_sk_begin(&w, 8);
	CHECK(ike_sk_end(&w, 1, 16, NULL) > 0);
	CHECK_EQ(ike_put_nonce(&w, pat, 16), -EINVAL);   /* sealed */
	FRESH();
	for (i = 0; i < IKE_PAYLOADS_MAX; i++)
		ike_put_vendor(&w, NULL, 0);
	CHECK_EQ(w.err, 0);
	CHECK_EQ(ike_put_vendor(&w, NULL, 0), -E2BIG);
	FRESH();
	CHECK_EQ(ike_put_raw(&w, IKE_PL_SK, false, NULL, 0), -EINVAL);
	{
		struct ike_hdr h = hdr_init;

		h.exchange = 33;
		CHECK_EQ(ike_writer_init(&w, buf, sizeof(buf), &h), -EINVAL);
		CHECK_EQ(ike_put_vendor(&w, NULL, 0), -EINVAL);
	}
	CHECK_EQ(ike_writer_init(&w, buf, IKE_HDR_LEN - 1, &hdr_init),
		 -ENOSPC);
	CHECK_EQ(ike_put_vendor(&w, NULL, 0), -ENOSPC);
#undef FRESH
}

/* Random bytes and random single-byte changes to a valid message: parsing
 * and decoding return a verdict in range and never read out of bounds
 * (the fuzz target does this at length; this runs in every test build). */
TEST(ike_msg_mutations)
{
	static uint8_t buf[BUF_MAX];
	static struct ike_msg m;
	struct iu_text t;
	int len, i;

	iu_text_init(&t);
	len = build_all(buf, sizeof(buf), &t);
	REQUIRE(len > 0);
	for (i = 0; i < 3000; i++) {
		uint8_t *p = exact(buf, (size_t)len);
		size_t at = IKE_HDR_LEN + test_rand() % (size_t)(len - 28);
		enum ike_parse r;

		REQUIRE(p != NULL);
		p[at] ^= (uint8_t)(1 + test_rand() % 255);
		r = ike_msg_parse(p, (size_t)len, &m);
		CHECK((unsigned)r < IKE_PARSE_COUNT);
		if (r == IKE_PARSE_OK) {
			iu_text_init(&t);
			r = iu_render_chain(&t, &m.chain);
			CHECK((unsigned)r < IKE_PARSE_COUNT);
		}
		free(p);
	}
}
