/* SPDX-License-Identifier: MIT */
#include "dp/icmp.h"

#include <netinet/in.h>
#include <string.h>

#include "util/bytes.h"
#include "util/csum.h"

#define ICMP_HDR 8
#define ICMP4_QUOTE_MAX (576 - 20 - ICMP_HDR)   /* RFC 1812 §4.3.2.3 */
#define ICMP6_QUOTE_MAX (1280 - 40 - ICMP_HDR)  /* RFC 4443 §2.4 (c) */

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static uint32_t too_big_v4(const uint8_t *pkt, uint32_t len, uint32_t mtu,
			   uint8_t *out, uint32_t cap)
{
	uint32_t ihl = (uint32_t)(pkt[0] & 15) * 4, quote, total;

	if (ihl < 20 || len < ihl || !(get_be16(pkt + 6) & 0x4000))
		return 0;
	/* ICMP errors other than echo are never answered with errors. */
	if (pkt[9] == IPPROTO_ICMP &&
	    (len < ihl + 1 || (pkt[ihl] != 0 && pkt[ihl] != 8)))
		return 0;
	quote = min_u32(len, ICMP4_QUOTE_MAX);
	total = 20 + ICMP_HDR + quote;
	if (cap < total)
		return 0;
	memset(out, 0, 20 + ICMP_HDR);
	out[0] = 0x45;
	put_be16(out + 2, (uint16_t)total);
	out[8] = 64;
	out[9] = IPPROTO_ICMP;
	memcpy(out + 12, pkt + 16, 4);
	memcpy(out + 16, pkt + 12, 4);
	put_be16(out + 10, csum_ipv4_header(out, 20));
	out[20] = 3; /* destination unreachable */
	out[21] = 4; /* fragmentation needed and DF set */
	put_be16(out + 26, (uint16_t)mtu);
	memcpy(out + 28, pkt, quote);
	put_be16(out + 22, csum_fold(csum_add(0, out + 20, ICMP_HDR + quote)));
	return total;
}

static uint32_t too_big_v6(const uint8_t *pkt, uint32_t len, uint32_t mtu,
			   uint8_t *out, uint32_t cap)
{
	uint8_t pseudo[8] = { 0 };
	uint32_t quote, total, sum;

	if (len < 40)
		return 0;
	/* ICMPv6 errors (types below 128) are never answered. */
	if (pkt[6] == IPPROTO_ICMPV6 && (len < 41 || pkt[40] < 128))
		return 0;
	quote = min_u32(len, ICMP6_QUOTE_MAX);
	total = 40 + ICMP_HDR + quote;
	if (cap < total)
		return 0;
	memset(out, 0, 40 + ICMP_HDR);
	out[0] = 0x60;
	put_be16(out + 4, (uint16_t)(ICMP_HDR + quote));
	out[6] = IPPROTO_ICMPV6;
	out[7] = 64;
	memcpy(out + 8, pkt + 24, 16);
	memcpy(out + 24, pkt + 8, 16);
	out[40] = 2; /* packet too big */
	put_be32(out + 44, mtu);
	memcpy(out + 48, pkt, quote);
	put_be32(pseudo, ICMP_HDR + quote);
	pseudo[7] = IPPROTO_ICMPV6;
	sum = csum_add(0, out + 8, 32);
	sum = csum_add(sum, pseudo, sizeof(pseudo));
	sum = csum_add(sum, out + 40, ICMP_HDR + quote);
	put_be16(out + 42, csum_fold(sum));
	return total;
}

uint32_t icmp_too_big(const uint8_t *pkt, uint32_t len, uint32_t mtu,
		      uint8_t *out, uint32_t cap)
{
	if (len < 1)
		return 0;
	if (pkt[0] >> 4 == 4)
		return too_big_v4(pkt, len, mtu, out, cap);
	if (pkt[0] >> 4 == 6)
		return too_big_v6(pkt, len, mtu, out, cap);
	return 0;
}
