/* SPDX-License-Identifier: MIT */
/*
 * IKE fragments (RFC 7383). Receiving: pieces in any order, duplicates and
 * retransmissions, a new message replacing an unfinished one, bounds. The
 * pieces here are inner payload bytes as the SK opener hands them over;
 * opening itself is tested with the engine and against strongSwan.
 * Sending: sealed messages cut into fragments that open one by one and
 * put back together give the inner payloads; which messages go whole.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "ike/ikesa.h"
#include "test.h"
#include "util/bytes.h"

static struct ike_sa sa;

/* Inner payloads: one Nonce (type 40) of 20 bytes then a Notify. */
static const uint8_t whole[] = {
	41, 0, 0, 24, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99,
	0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x10, 0x20, 0x30, 0x40, 0x50,
	0, 0, 0, 8, 0, 0, 0x40, 0x0c, /* N(NO_ADDITIONAL... status 16396) */
};

static int add(uint32_t id, uint16_t num, uint16_t total, size_t from,
	       size_t to, struct ike_chain *c)
{
	struct ike_msg m;
	struct ike_skf skf = { num, total };

	memset(&m, 0, sizeof(m));
	m.hdr.msg_id = id;
	m.chain.sk_next = num == 1 ? IKE_PL_NONCE : 0;
	return ike_frag_add(&sa, &m, &skf, whole + from, to - from, c);
}

TEST(ike_frag_reassembles_in_any_order)
{
	struct ike_chain c;

	memset(&sa, 0, sizeof(sa));
	CHECK_EQ(add(1, 3, 3, 20, sizeof(whole), &c), -EAGAIN);
	CHECK_EQ(add(1, 1, 3, 0, 10, &c), -EAGAIN);
	CHECK_EQ(add(1, 1, 3, 0, 10, &c), -EAGAIN); /* a duplicate */
	REQUIRE(add(1, 2, 3, 10, 20, &c) == 0);
	CHECK_EQ(c.n, 2);
	CHECK_EQ(c.pl[0].type, IKE_PL_NONCE);
	CHECK_EQ(c.pl[1].type, IKE_PL_NOTIFY);
	CHECK_EQ(cursor_left(&c.pl[0].body), 20);
}

TEST(ike_frag_refusals)
{
	struct ike_chain c;

	memset(&sa, 0, sizeof(sa));
	CHECK_EQ(add(1, 0, 3, 0, 10, &c), -EBADMSG);  /* number 0 */
	CHECK_EQ(add(1, 4, 3, 0, 10, &c), -EBADMSG);  /* above the total */
	CHECK_EQ(add(1, 1, IKE_FRAGS_MAX + 1, 0, 10, &c), -EBADMSG);
	/* A new message ID starts over: the old pieces do not count. */
	CHECK_EQ(add(1, 1, 2, 0, 10, &c), -EAGAIN);
	CHECK_EQ(add(2, 2, 2, 10, sizeof(whole), &c), -EAGAIN);
	CHECK_EQ(add(2, 1, 2, 0, 10, &c), 0);
	/* Pieces that do not make payloads are refused at the end. */
	memset(&sa, 0, sizeof(sa));
	CHECK_EQ(add(3, 1, 2, 0, 10, &c), -EAGAIN);
	CHECK_EQ(add(3, 2, 2, 12, 20, &c), -EBADMSG);
}

/* ---- sending (frag_send.c, through ikesa_seal) ----
 * An IKE_AUTH request of Vendor ID payloads sealed on an SA whose peer
 * announced fragmentation, with 576-byte fragments over IPv4 behind the
 * non-ESP marker: at most 544 bytes of IKE message per datagram. The SA
 * opens its own fragments (both directions keyed alike). */

#define FRAG_SIZE 576
#define MSG_LIMIT (FRAG_SIZE - 20 - 8 - 4)

static uint8_t msg[IKE_PKT_MAX], plain[IKE_PKT_MAX], got[IKE_PKT_MAX];

static void send_sa(enum ike_encr_alg encr, enum ike_integ_alg integ)
{
	uint8_t ek[64], ik[64];
	size_t el = ike_encr_keymat_len(encr, 256);
	size_t il = ike_integ_key_len(integ);

	memset(&sa, 0, sizeof(sa));
	memset(ek, 0x11, sizeof(ek));
	memset(ik, 0x22, sizeof(ik));
	sa.spi_i = 0x0102030405060708ull;
	sa.spi_r = 0x1112131415161718ull;
	sa.initiator = true;
	sa.next_req = 1;
	sa.frag_offered = true;
	sa.frag_size = FRAG_SIZE;
	sa.local.port = sa.remote.port = IKE_NATT_PORT;
	sa.remote.addr.family = AF_INET;
	REQUIRE(ike_sk_new(&sa.sk_out, encr, 256, integ, ek, el,
			   il ? ik : NULL, il) == 0);
	REQUIRE(ike_sk_new(&sa.sk_in, encr, 256, integ, ek, el, il ? ik : NULL,
			   il) == 0);
}

static void send_sa_free(void)
{
	ike_sk_free(sa.sk_out);
	ike_sk_free(sa.sk_in);
	memset(&sa, 0, sizeof(sa));
}

/* Seal n Vendor ID payloads of len bytes each; the inner payloads as
 * written go to plain[0..*plain_len). The sealed length, or -errno. */
static int seal_vendors(unsigned n, size_t len, size_t *plain_len)
{
	uint8_t body[1024];
	struct ike_writer w;
	unsigned i;

	ikesa_begin(&sa, IKE_EXCH_AUTH, &w, msg, sizeof(msg), false, 0);
	for (i = 0; i < n; i++) {
		memset(body, (int)(i + 1), len);
		if (ike_put_vendor(&w, body, len))
			return -ENOSPC;
	}
	*plain_len = w.len - w.ct_off;
	memcpy(plain, w.buf + w.ct_off, *plain_len);
	return ikesa_seal(&sa, &w);
}

/* Walk the datagrams of msg[0..len): each a fragment of at most limit
 * bytes, numbered 1..N of N, fragment 1 naming Vendor ID, each opening on
 * its own; their plaintexts end to end into got. N, or 0 when something
 * is wrong (reported). */
static unsigned walk_fragments(size_t len, size_t limit, size_t *got_len)
{
	const struct ike_sk_overhead *ov = ike_sk_get_overhead(sa.sk_in);
	size_t off = 0, n, ioff, ilen;
	unsigned count = 0, total = 0;

	*got_len = 0;
	while (off < len) {
		struct ike_sk_layout lay;
		struct ike_skf skf;
		struct ike_msg m;

		n = get_be32(msg + off + 24);
		if (ike_msg_parse(msg + off, n, &m) != IKE_PARSE_OK ||
		    m.chain.sk < 0 || m.chain.pl[m.chain.sk].type != IKE_PL_SKF ||
		    ike_decode_skf(m.chain.pl[m.chain.sk].body, &skf) !=
			    IKE_PARSE_OK) {
			test_fail(__FILE__, __LINE__, "datagram %u: no SKF",
				  count + 1);
			return 0;
		}
		CHECK(n <= limit);
		CHECK_EQ(skf.number, count + 1);
		CHECK_EQ(m.chain.sk_next, count ? 0 : IKE_PL_VENDOR);
		CHECK_EQ(m.hdr.msg_id, 1);
		if (!count)
			total = skf.total;
		CHECK_EQ(skf.total, total);
		if (ike_sk_locate(&m, ov->iv_len, ov->icv_len, ov->block_len,
				  &lay) != IKE_PARSE_OK ||
		    ike_sk_open(sa.sk_in, msg + off, n, lay.aad_len, &ioff,
				&ilen)) {
			test_fail(__FILE__, __LINE__, "fragment %u: does not open",
				  count + 1);
			return 0;
		}
		memcpy(got + *got_len, msg + off + ioff, ilen);
		*got_len += ilen;
		off += n;
		count++;
	}
	CHECK_EQ(count, total);
	return count;
}

/* Round trip: the fragments, opened and laid end to end, are the inner
 * payloads; every one fits. For an AEAD and for AES-CBC with padding over
 * IPv4, and for the AEAD over IPv6 (20 bytes less per fragment). */
TEST(ike_frag_send_round_trip)
{
	static const enum ike_encr_alg encr[] = { IKE_ENCR_AES_GCM_16,
						  IKE_ENCR_AES_CBC,
						  IKE_ENCR_AES_GCM_16 };
	static const enum ike_integ_alg integ[] = {
		IKE_INTEG_NONE, IKE_INTEG_HMAC_SHA2_256_128, IKE_INTEG_NONE };
	static const size_t limit[] = { MSG_LIMIT, MSG_LIMIT, MSG_LIMIT - 20 };
	size_t plain_len, got_len;
	unsigned i, n;
	int len;

	for (i = 0; i < 3; i++) {
		send_sa(encr[i], integ[i]);
		if (i == 2)
			sa.remote.addr.family = AF_INET6;
		len = seal_vendors(5, 301, &plain_len);
		REQUIRE(len > 0);
		n = walk_fragments((size_t)len, limit[i], &got_len);
		CHECK(n > 2);
		CHECK_EQ(got_len, plain_len);
		CHECK_MEM(got, plain, plain_len);
		/* One IV per fragment: the counter moved n times. */
		CHECK_EQ(sa.iv_counter, n);
		send_sa_free();
	}
}

/* Whole messages: one that fits, one sealed without the peer's
 * IKEV2_FRAGMENTATION_SUPPORTED or with fragmentation off, and one that
 * would need more than IKE_FRAGS_MAX fragments. */
TEST(ike_frag_send_whole)
{
	size_t plain_len, got_len;
	int len;

	send_sa(IKE_ENCR_AES_GCM_16, IKE_INTEG_NONE);
	len = seal_vendors(1, 400, &plain_len);
	CHECK(len > 0 && len <= MSG_LIMIT);
	CHECK_EQ(msg[16], IKE_PL_SK);
	CHECK_EQ(get_be32(msg + 24), (uint32_t)len);

	sa.frag_offered = false;
	len = seal_vendors(5, 301, &plain_len);
	CHECK(len > MSG_LIMIT);
	CHECK_EQ(msg[16], IKE_PL_SK);
	CHECK_EQ(get_be32(msg + 24), (uint32_t)len);

	sa.frag_offered = true;
	sa.frag_size = 0;
	len = seal_vendors(5, 301, &plain_len);
	CHECK_EQ(msg[16], IKE_PL_SK);
	CHECK_EQ(get_be32(msg + 24), (uint32_t)len);

	/* 17 fragments' worth: whole. 15 go in fragments. */
	sa.frag_size = FRAG_SIZE;
	len = seal_vendors(17, 470, &plain_len);
	CHECK(len > 0);
	CHECK_EQ(msg[16], IKE_PL_SK);
	CHECK_EQ(get_be32(msg + 24), (uint32_t)len);
	sa.iv_counter = 0;
	len = seal_vendors(15, 470, &plain_len);
	REQUIRE(len > 0);
	CHECK_EQ(walk_fragments((size_t)len, MSG_LIMIT, &got_len), 15);
	CHECK_EQ(got_len, plain_len);
	CHECK_MEM(got, plain, plain_len);
	send_sa_free();
}
