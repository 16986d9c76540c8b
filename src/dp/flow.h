/* SPDX-License-Identifier: MIT */
/* What the security policy sees of an IP packet: addresses, protocol, ports. */
#ifndef TUNSEC_DP_FLOW_H
#define TUNSEC_DP_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "sadb/spd.h"

/*
 * Fill flow from the IPv4 or IPv6 packet at pkt (len bytes), skipping IPv6
 * extension headers. Ports are read for TCP, UDP, UDP-Lite and SCTP (0 for
 * other protocols and for non-first fragments). Returns false for a packet
 * too short or malformed to classify; reads only through the cursor.
 */
bool flow_parse(const uint8_t *pkt, uint32_t len, struct spd_flow *flow);

/* The flow as seen from the other end: addresses and ports swapped. */
void flow_reverse(const struct spd_flow *in, struct spd_flow *out);

#endif
