/* SPDX-License-Identifier: MIT */
#include "util/csum.h"

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
