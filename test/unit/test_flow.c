/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "dp/flow.h"
#include "dp/icmp.h"
#include "test.h"
#include "util/bytes.h"
#include "util/csum.h"

static uint32_t v4_packet(uint8_t *d, uint8_t proto, uint16_t frag,
			  uint32_t payload)
{
	uint32_t len = 20 + payload;

	memset(d, 0, len);
	d[0] = 0x45;
	put_be16(d + 2, (uint16_t)len);
	put_be16(d + 6, frag);
	d[8] = 64;
	d[9] = proto;
	inet_pton(AF_INET, "10.0.0.1", d + 12);
	inet_pton(AF_INET, "10.0.0.2", d + 16);
	put_be16(d + 10, csum_ipv4_header(d, 20));
	if (payload >= 4) {
		put_be16(d + 20, 40000);
		put_be16(d + 22, 5201);
	}
	return len;
}

TEST(flow_ipv4_tcp)
{
	uint8_t d[64];
	struct spd_flow f, r;
	uint32_t len = v4_packet(d, IPPROTO_TCP, 0x4000, 20);

	REQUIRE(flow_parse(d, len, &f));
	CHECK_EQ(f.src.family, AF_INET);
	CHECK_EQ(f.proto, IPPROTO_TCP);
	CHECK_EQ(f.sport, 40000);
	CHECK_EQ(f.dport, 5201);
	CHECK_EQ(f.dst.bytes[3], 2);
	flow_reverse(&f, &r);
	CHECK_EQ(r.sport, 5201);
	CHECK_EQ(r.src.bytes[3], 2);
	/* No ports for ICMP, nor for a non-first fragment. */
	len = v4_packet(d, IPPROTO_ICMP, 0, 8);
	REQUIRE(flow_parse(d, len, &f));
	CHECK_EQ(f.sport, 0);
	len = v4_packet(d, IPPROTO_UDP, 0x2005, 8);
	REQUIRE(flow_parse(d, len, &f));
	CHECK_EQ(f.dport, 0);
	/* Truncated: ports missing, header lengths lying. */
	len = v4_packet(d, IPPROTO_UDP, 0, 2);
	CHECK(!flow_parse(d, len, &f));
	len = v4_packet(d, IPPROTO_UDP, 0, 8);
	CHECK(!flow_parse(d, len - 1, &f));
	d[0] = 0x44;
	CHECK(!flow_parse(d, len, &f));
	CHECK(!flow_parse(d, 0, &f));
}

TEST(flow_ipv6_extension_headers)
{
	uint8_t d[128] = { 0 };
	struct spd_flow f;

	d[0] = 0x60;
	put_be16(d + 4, 8 + 8 + 8);
	d[6] = IPPROTO_HOPOPTS;
	inet_pton(AF_INET6, "fd00::1", d + 8);
	inet_pton(AF_INET6, "fd00::2", d + 24);
	d[40] = IPPROTO_FRAGMENT; /* hop-by-hop, 8 bytes */
	d[48] = IPPROTO_UDP;      /* fragment header, offset 0 */
	put_be16(d + 56, 4789);
	put_be16(d + 58, 4790);
	REQUIRE(flow_parse(d, 64, &f));
	CHECK_EQ(f.proto, IPPROTO_UDP);
	CHECK_EQ(f.sport, 4789);
	CHECK_EQ(f.dport, 4790);
	CHECK_EQ(f.src.family, AF_INET6);
	put_be16(d + 50, 0x0010); /* a later fragment: no ports */
	REQUIRE(flow_parse(d, 64, &f));
	CHECK_EQ(f.proto, IPPROTO_UDP);
	CHECK_EQ(f.sport, 0);
	put_be16(d + 4, 100); /* payload length past the buffer */
	CHECK(!flow_parse(d, 64, &f));
}

TEST(icmp_too_big_ipv4)
{
	uint8_t d[1500], out[600];
	uint32_t len = v4_packet(d, IPPROTO_TCP, 0x4000, 1400), n;

	n = icmp_too_big(d, len, 1400, out, sizeof(out));
	REQUIRE(n == 576);
	CHECK_EQ(out[9], IPPROTO_ICMP);
	CHECK_MEM(out + 12, d + 16, 4);
	CHECK_MEM(out + 16, d + 12, 4);
	CHECK_EQ(csum_fold(csum_add(0, out, 20)), 0);
	CHECK_EQ(out[20], 3);
	CHECK_EQ(out[21], 4);
	CHECK_EQ(get_be16(out + 26), 1400);
	CHECK_EQ(csum_fold(csum_add(0, out + 20, n - 20)), 0);
	CHECK_MEM(out + 28, d, 28);
	/* Without DF the packet may be fragmented: no reply. */
	len = v4_packet(d, IPPROTO_TCP, 0, 1400);
	CHECK_EQ(icmp_too_big(d, len, 1400, out, sizeof(out)), 0);
	/* An ICMP error is never answered; an echo request is. */
	len = v4_packet(d, IPPROTO_ICMP, 0x4000, 1400);
	d[20] = 3;
	CHECK_EQ(icmp_too_big(d, len, 1400, out, sizeof(out)), 0);
	d[20] = 8;
	CHECK(icmp_too_big(d, len, 1400, out, sizeof(out)) > 0);
	CHECK_EQ(icmp_too_big(d, len, 1400, out, 100), 0);
}

TEST(icmp_too_big_ipv6)
{
	uint8_t d[1500] = { 0 }, out[1400];
	uint8_t pseudo[8] = { 0 };
	uint32_t n, sum;

	d[0] = 0x60;
	put_be16(d + 4, 1400);
	d[6] = IPPROTO_TCP;
	inet_pton(AF_INET6, "fd00::1", d + 8);
	inet_pton(AF_INET6, "fd00::2", d + 24);
	n = icmp_too_big(d, 1440, 1300, out, sizeof(out));
	REQUIRE(n == 1280);
	CHECK_EQ(out[6], IPPROTO_ICMPV6);
	CHECK_MEM(out + 8, d + 24, 16);
	CHECK_EQ(out[40], 2);
	CHECK_EQ(get_be32(out + 44), 1300);
	put_be32(pseudo, n - 40);
	pseudo[7] = IPPROTO_ICMPV6;
	sum = csum_add(0, out + 8, 32);
	sum = csum_add(sum, pseudo, 8);
	sum = csum_add(sum, out + 40, n - 40);
	CHECK_EQ(csum_fold(sum), 0);
	d[6] = IPPROTO_ICMPV6;
	d[40] = 1; /* destination unreachable */
	CHECK_EQ(icmp_too_big(d, 1440, 1300, out, sizeof(out)), 0);
}
