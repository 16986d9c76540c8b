/* SPDX-License-Identifier: MIT */
/*
 * Where ESP goes in an IP packet and where it is found: the IP header walks
 * the ESP transforms share. Private to src/esp.
 */
#ifndef TUNSEC_ESP_IPHDR_H
#define TUNSEC_ESP_IPHDR_H

#include <stdbool.h>
#include <stdint.h>

#include "esp/wire.h"

/* An IP packet's header chain as far as ESP is concerned. */
struct iphdr_info {
	uint8_t version;  /* 4 or 6 */
	uint32_t len;     /* IP packet length from its header (<= buffer) */
	uint32_t hdr_len; /* bytes before the protected or ESP/UDP part */
	uint32_t nh_off;  /* offset of the byte naming what follows hdr_len */
	uint8_t nh;       /* the protocol that follows hdr_len */
};

/*
 * Parse the IP packet at pkt (len bytes in the buffer) for transport-mode
 * encryption: hdr_len covers the IPv4 header, or the IPv6 header with the
 * hop-by-hop and routing headers and destination options preceding a routing
 * header (RFC 4303 §3.1.1). Fragments are refused. With transport false only
 * the IP length is validated and hdr_len is 0.
 */
enum esp_drop iphdr_parse_plain(const uint8_t *pkt, uint32_t len,
				bool transport, struct iphdr_info *out);

/*
 * Parse a received outer IP packet down to ESP (protocol 50) or UDP
 * (protocol 17), skipping IPv6 extension headers. Fragments are refused;
 * any other protocol is ESP_DROP_NOT_ESP.
 */
enum esp_drop iphdr_parse_outer(const uint8_t *pkt, uint32_t len,
				struct iphdr_info *out);

/* Build a 20-byte IPv4 or 40-byte IPv6 tunnel header at hdr carrying
 * payload_len bytes of protocol proto, copying DSCP and ECN from the inner
 * packet's traffic class tos. */
void iphdr_build_outer(uint8_t *hdr, const uint8_t *src, const uint8_t *dst,
		       uint8_t version, uint8_t proto, uint8_t tos,
		       uint32_t payload_len);

/* The traffic class (IPv4 TOS / IPv6 traffic class) of an IP packet. */
uint8_t iphdr_tos(const uint8_t *pkt);

/*
 * After the part following hdr_len changed: set the next header byte to nh
 * and the length fields to new_len bytes in all, adjusting the IPv4 header
 * checksum incrementally (RFC 1624) so that undoing the change restores the
 * original bytes exactly.
 */
void iphdr_rewrite(uint8_t *pkt, const struct iphdr_info *info, uint8_t nh,
		   uint32_t new_len);

/* The UDP checksum of the IPv6 packet at pkt whose UDP header is at udp_off:
 * pseudo-header from the IPv6 header's addresses. */
uint16_t iphdr_udp6_csum(const uint8_t *pkt, uint32_t udp_off,
			 uint32_t udp_len);

#endif
