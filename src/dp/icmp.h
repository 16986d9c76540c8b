/* SPDX-License-Identifier: MIT */
/* "Packet too big" replies for local senders whose packets do not fit. */
#ifndef TUNSEC_DP_ICMP_H
#define TUNSEC_DP_ICMP_H

#include <stdint.h>

/*
 * Build, at out (cap bytes), the ICMP "fragmentation needed" (RFC 792,
 * RFC 1191) or ICMPv6 "packet too big" (RFC 4443 §3.2) reply telling the
 * sender of the IP packet pkt that the path takes at most mtu bytes. The
 * reply goes from the packet's destination to its source, so it can be
 * written into the TUN device for the local stack. Returns its length, or 0
 * when no reply is due: an IPv4 packet without DF, an ICMP error (never
 * answered, RFC 1122 §3.2.2), or a malformed packet.
 */
uint32_t icmp_too_big(const uint8_t *pkt, uint32_t len, uint32_t mtu,
		      uint8_t *out, uint32_t cap);

#endif
