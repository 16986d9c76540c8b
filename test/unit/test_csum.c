/* SPDX-License-Identifier: MIT */
/*
 * The wide checksum against the byte-pair one and a published example
 * (RFC 1071).
 */
#include <string.h>

#include "test.h"
#include "util/csum.h"

/* RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to ddf2. Without the last
 * byte the words are 0001 f203 f4f5 f600, summing to dcfb. */
TEST(csum_rfc1071_example)
{
	static const uint8_t d[8] = { 0x00, 0x01, 0xf2, 0x03,
				      0xf4, 0xf5, 0xf6, 0xf7 };

	CHECK_EQ(csum_fold(csum_add(0, d, 8)), 0xffff & ~0xddf2);
	CHECK_EQ(csum_fold(csum_add_fast(0, d, 8)), 0xffff & ~0xddf2);
	CHECK_EQ(csum_fold(csum_add_fast(0, d, 7)), 0xffff & ~0xdcfb);
	CHECK_EQ(csum_fold(csum_add_fast(0, d + 1, 7)),
		 csum_fold(csum_add(0, d + 1, 7)));
}

TEST(csum_fast_matches_simple)
{
	static uint8_t buf[70000];
	unsigned n, bad = 0;

	test_rand_bytes(buf, sizeof(buf));
	for (n = 0; n < 20000 && !bad; n++) {
		size_t off = test_rand() % 64;
		size_t len = test_rand() % 4 ? test_rand() % 2100
					     : test_rand() % 65600;
		uint32_t sum = test_rand() % 3 ? 0 : (uint32_t)test_rand();
		uint16_t want = csum_fold(csum_add(sum, buf + off, len));

		if (csum_fold(csum_add_fast(sum, buf + off, len)) != want)
			bad++;
	}
	CHECK_EQ(bad, 0);
}

/* Carries at every width: all ones, all zeros, large sums in, chaining. */
TEST(csum_fast_edges)
{
	static uint8_t ones[65536], zeros[4096];
	size_t len;

	memset(ones, 0xff, sizeof(ones));
	memset(zeros, 0, sizeof(zeros));
	for (len = 0; len < 80; len++) {
		CHECK_EQ(csum_fold(csum_add_fast(0, ones, len)),
			 csum_fold(csum_add(0, ones, len)));
		CHECK_EQ(csum_fold(csum_add_fast(0, zeros, len)), 0xffff);
	}
	CHECK_EQ(csum_fold(csum_add_fast(0xffffffff, ones, sizeof(ones))),
		 csum_fold(csum_add(0xffffffff, ones, sizeof(ones))));
	/* An even split chains: the second call starts on a word. */
	CHECK_EQ(csum_fold(csum_add_fast(csum_add_fast(0, ones + 3, 1000),
					 ones + 1003, 3001)),
		 csum_fold(csum_add(0, ones + 3, 4001)));
}
