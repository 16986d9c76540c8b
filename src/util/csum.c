/* SPDX-License-Identifier: MIT */
#include "util/csum.h"

#include <string.h>

uint32_t csum_add(uint32_t sum, const void *p, size_t len)
{
	const uint8_t *b = p;
	uint64_t acc = sum;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		acc += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		acc += (uint32_t)(b[len - 1] << 8);
	while (acc >> 32)
		acc = (acc & 0xffffffff) + (acc >> 32);
	return (uint32_t)acc;
}

static inline uint32_t load32(const uint8_t *b)
{
	uint32_t w;

	memcpy(&w, b, sizeof(w));
	return w;
}

/* 64-bit one's complement addition: the carry out wraps around. */
static inline uint64_t add64(uint64_t a, uint64_t b)
{
	uint64_t r = a + b;

	return r + (r < b);
}

/* One's complement sum of len bytes as 16-bit words in host order, folded
 * to 16 bits. Summing in either byte order and swapping the bytes of the
 * result is the same as summing in the other (RFC 1071 §2(B)). 32-bit
 * words go into four 64-bit accumulators, which cannot carry out before
 * 2^32 additions, so the loop needs no carry handling. */
static uint16_t sum_host16(const uint8_t *b, size_t len)
{
	uint64_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
	uint32_t tail = 0;

	for (; len >= 32; b += 32, len -= 32) {
		a0 += load32(b);
		a1 += load32(b + 4);
		a2 += load32(b + 8);
		a3 += load32(b + 12);
		a0 += load32(b + 16);
		a1 += load32(b + 20);
		a2 += load32(b + 24);
		a3 += load32(b + 28);
	}
	for (; len >= 4; b += 4, len -= 4)
		a0 += load32(b);
	/* The rest lies at an even offset: zero-padded it keeps its pairs. */
	memcpy(&tail, b, len);
	a0 = add64(add64(a0, a1), add64(a2, a3 + tail));
	a0 = (a0 & 0xffffffff) + (a0 >> 32);
	a0 = (a0 & 0xffff) + (a0 >> 16);
	a0 = (a0 & 0xffff) + (a0 >> 16);
	return (uint16_t)((a0 & 0xffff) + (a0 >> 16));
}

uint32_t csum_add_fast(uint32_t sum, const void *p, size_t len)
{
	uint64_t acc = sum;
	uint16_t s = sum_host16(p, len);

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	s = (uint16_t)(s << 8 | s >> 8);
#endif
	acc += s;
	return (uint32_t)((acc & 0xffffffff) + (acc >> 32));
}

uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t csum_ipv4_header(const uint8_t *hdr, unsigned ihl_bytes)
{
	uint32_t sum = csum_add(0, hdr, 10);

	sum = csum_add(sum, hdr + 12, ihl_bytes - 12);
	return csum_fold(sum);
}

uint16_t csum_replace16(uint16_t field, uint16_t old_word, uint16_t new_word)
{
	uint32_t sum = (uint16_t)~field;

	sum += (uint16_t)~old_word;
	sum += new_word;
	return csum_fold(sum);
}

uint16_t csum_replace2x16(uint16_t field, uint16_t old1, uint16_t new1,
			  uint16_t old2, uint16_t new2)
{
	uint32_t sum = (uint16_t)~field;

	sum += (uint16_t)~old1;
	sum += new1;
	sum += (uint16_t)~old2;
	sum += new2;
	return csum_fold(sum);
}
