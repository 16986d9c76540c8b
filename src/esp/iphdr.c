/* SPDX-License-Identifier: MIT */
#include "esp/iphdr.h"

#include <netinet/in.h>

#include "util/bytes.h"
#include "util/csum.h"
#include "util/cursor.h"

#define IPV4_MF_OFFSET_MASK 0x3fff


static enum esp_drop parse_ipv4(const uint8_t *pkt, uint32_t len,
				struct iphdr_info *out)
{
	uint32_t ihl, total;

	if (len < IPV4_HDR_LEN)
		return ESP_DROP_SHORT;
	ihl = (pkt[0] & 15) * 4u;
	total = get_be16(pkt + 2);
	if (ihl < IPV4_HDR_LEN || total < ihl || total > len)
		return ESP_DROP_MALFORMED;
	out->version = 4;
	out->len = total;
	out->hdr_len = ihl;
	out->nh_off = 9;
	out->nh = pkt[9];
	return ESP_OK;
}

static bool ipv4_is_fragment(const uint8_t *pkt)
{
	return get_be16(pkt + 6) & IPV4_MF_OFFSET_MASK;
}

static enum esp_drop parse_ipv6(const uint8_t *pkt, uint32_t len,
				struct iphdr_info *out)
{
	uint32_t payload;

	if (len < IPV6_HDR_LEN)
		return ESP_DROP_SHORT;
	payload = get_be16(pkt + 4);
	/* A zero payload length before a hop-by-hop header means a jumbogram
	 * (RFC 2675): not handled. */
	if ((payload == 0 && pkt[6] == IPPROTO_HOPOPTS) ||
	    payload + IPV6_HDR_LEN > len)
		return ESP_DROP_MALFORMED;
	out->version = 6;
	out->len = payload + IPV6_HDR_LEN;
	out->hdr_len = IPV6_HDR_LEN;
	out->nh_off = 6;
	out->nh = pkt[6];
	return ESP_OK;
}

static enum esp_drop parse_ip(const uint8_t *pkt, uint32_t len,
			      struct iphdr_info *out)
{
	if (len < 1)
		return ESP_DROP_SHORT;
	switch (pkt[0] >> 4) {
	case 4:
		return parse_ipv4(pkt, len, out);
	case 6:
		return parse_ipv6(pkt, len, out);
	default:
		return ESP_DROP_MALFORMED;
	}
}

static bool is_ext_header(uint8_t nh)
{
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING ||
	       nh == IPPROTO_DSTOPTS || nh == IPPROTO_FRAGMENT;
}

/*
 * Step over the IPv6 extension header at info->hdr_len: set nh_off to its
 * next-header byte and advance hdr_len past it. Extension headers other
 * than fragment give their length in 8-byte units after the first 8.
 */
static enum esp_drop ext_step(const uint8_t *pkt, struct iphdr_info *info)
{
	struct cursor c = cursor_make(pkt + info->hdr_len,
				      info->len - info->hdr_len);
	uint8_t next, hlen;
	uint32_t size;

	if (!cursor_u8(&c, &next) || !cursor_u8(&c, &hlen))
		return ESP_DROP_MALFORMED;
	size = info->nh == IPPROTO_FRAGMENT ? 8 : (hlen + 1u) * 8;
	if (!cursor_skip(&c, size - 2))
		return ESP_DROP_MALFORMED;
	info->nh_off = info->hdr_len;
	info->hdr_len += size;
	info->nh = next;
	return ESP_OK;
}

/* Whether the destination options header at info->hdr_len precedes a
 * routing header (then it stays outside ESP, RFC 4303 §3.1.1). */
static bool dstopts_before_routing(const uint8_t *pkt,
				   const struct iphdr_info *info)
{
	return info->len - info->hdr_len >= 1 &&
	       pkt[info->hdr_len] == IPPROTO_ROUTING;
}

static enum esp_drop walk_ipv6_transport(const uint8_t *pkt,
					 struct iphdr_info *info)
{
	enum esp_drop r;

	for (;;) {
		switch (info->nh) {
		case IPPROTO_FRAGMENT:
			return ESP_DROP_FRAGMENT;
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
			break;
		case IPPROTO_DSTOPTS:
			if (!dstopts_before_routing(pkt, info))
				return ESP_OK;
			break;
		default:
			return ESP_OK;
		}
		r = ext_step(pkt, info);
		if (r != ESP_OK)
			return r;
	}
}

enum esp_drop iphdr_parse_plain(const uint8_t *pkt, uint32_t len,
				bool transport, struct iphdr_info *out)
{
	enum esp_drop r = parse_ip(pkt, len, out);

	if (r != ESP_OK || !transport) {
		out->hdr_len = 0;
		return r;
	}
	if (out->version == 4)
		return ipv4_is_fragment(pkt) ? ESP_DROP_FRAGMENT : ESP_OK;
	return walk_ipv6_transport(pkt, out);
}

enum esp_drop iphdr_parse_outer(const uint8_t *pkt, uint32_t len,
				struct iphdr_info *out)
{
	enum esp_drop r = parse_ip(pkt, len, out);

	if (r != ESP_OK)
		return r;
	if (out->version == 4 && ipv4_is_fragment(pkt))
		return ESP_DROP_FRAGMENT;
	while (out->version == 6 && is_ext_header(out->nh)) {
		if (out->nh == IPPROTO_FRAGMENT)
			return ESP_DROP_FRAGMENT;
		r = ext_step(pkt, out);
		if (r != ESP_OK)
			return r;
	}
	if (out->nh != IPPROTO_ESP_NUM && out->nh != IPPROTO_UDP)
		return ESP_DROP_NOT_ESP;
	return ESP_OK;
}

uint8_t iphdr_tos(const uint8_t *pkt)
{
	if (pkt[0] >> 4 == 4)
		return pkt[1];
	return (uint8_t)(get_be16(pkt) >> 4);
}

void iphdr_build_outer(uint8_t *hdr, const uint8_t *src, const uint8_t *dst,
		       uint8_t version, uint8_t proto, uint8_t tos,
		       uint32_t payload_len)
{
	unsigned i;

	if (version == 4) {
		hdr[0] = 0x45;
		hdr[1] = tos;
		put_be16(hdr + 2, (uint16_t)(IPV4_HDR_LEN + payload_len));
		/* ID 0 with DF set: an atomic datagram (RFC 6864). */
		put_be16(hdr + 4, 0);
		put_be16(hdr + 6, 0x4000);
		hdr[8] = 64;
		hdr[9] = proto;
		for (i = 0; i < 4; i++) {
			hdr[12 + i] = src[i];
			hdr[16 + i] = dst[i];
		}
		put_be16(hdr + 10, csum_ipv4_header(hdr, IPV4_HDR_LEN));
		return;
	}
	put_be32(hdr, 6u << 28 | (uint32_t)tos << 20);
	put_be16(hdr + 4, (uint16_t)payload_len);
	hdr[6] = proto;
	hdr[7] = 64;
	for (i = 0; i < 16; i++) {
		hdr[8 + i] = src[i];
		hdr[24 + i] = dst[i];
	}
}

void iphdr_rewrite(uint8_t *pkt, const struct iphdr_info *info, uint8_t nh,
		   uint32_t new_len)
{
	if (info->version == 4) {
		uint16_t old_word = get_be16(pkt + 8), old_len = get_be16(pkt + 2);

		pkt[9] = nh;
		put_be16(pkt + 10, csum_replace2x16(get_be16(pkt + 10), old_word,
						    get_be16(pkt + 8), old_len,
						    (uint16_t)new_len));
		put_be16(pkt + 2, (uint16_t)new_len);
		return;
	}
	pkt[info->nh_off] = nh;
	put_be16(pkt + 4, (uint16_t)(new_len - IPV6_HDR_LEN));
}

uint16_t iphdr_udp6_csum(const uint8_t *pkt, uint32_t udp_off,
			 uint32_t udp_len)
{
	uint8_t tail[8] = { 0 };
	uint32_t sum;
	uint16_t c;

	put_be32(tail, udp_len);
	tail[7] = IPPROTO_UDP;
	sum = csum_add(0, pkt + 8, 32);
	sum = csum_add(sum, tail, sizeof(tail));
	sum = csum_add(sum, pkt + udp_off, 6);
	sum = csum_add(sum, pkt + udp_off + 8, udp_len - 8);
	c = csum_fold(sum);
	/* RFC 768 / RFC 8200 §8.1: a computed zero is sent as all ones. */
	return c ? c : 0xffff;
}
