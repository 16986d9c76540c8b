/* SPDX-License-Identifier: MIT */
/* The Internet checksum (RFC 1071) and its incremental update (RFC 1624). */
#ifndef TUNSEC_UTIL_CSUM_H
#define TUNSEC_UTIL_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* Add len bytes at p, as big-endian 16-bit words (an odd last byte padded
 * with zero), to the 32-bit accumulator sum. */
uint32_t csum_add(uint32_t sum, const void *p, size_t len);

/* The same sum 32 bytes per step, for payloads on the data path. The
 * accumulator returned may differ from csum_add()'s but is congruent to it
 * modulo 0xffff and zero exactly when csum_add()'s is, so csum_fold() of
 * either gives the same field. Any alignment of p. */
uint32_t csum_add_fast(uint32_t sum, const void *p, size_t len);

/* Fold an accumulator to 16 bits and complement it: the checksum field. */
uint16_t csum_fold(uint32_t sum);

/* The IPv4 header checksum of the ihl_bytes-long header at hdr, computed
 * with the checksum field taken as zero. */
uint16_t csum_ipv4_header(const uint8_t *hdr, unsigned ihl_bytes);

/* RFC 1624 eqn. 3: the checksum field after one 16-bit word of the covered
 * data changed from old_word to new_word. Applying it again with the words
 * swapped restores the original field exactly. */
uint16_t csum_replace16(uint16_t field, uint16_t old_word, uint16_t new_word);

/* The same for two words changed at once (one fold instead of two). */
uint16_t csum_replace2x16(uint16_t field, uint16_t old1, uint16_t new1,
			  uint16_t old2, uint16_t new2);

#endif
