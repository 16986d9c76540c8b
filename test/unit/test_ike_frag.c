/* SPDX-License-Identifier: MIT */
/*
 * Receiving IKE fragments (RFC 7383): pieces in any order, duplicates and
 * retransmissions, a new message replacing an unfinished one, bounds. The
 * pieces here are inner payload bytes as the SK opener hands them over;
 * opening itself is tested with the engine and against strongSwan.
 */
#include <errno.h>
#include <string.h>

#include "ike/ikesa.h"
#include "test.h"

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
