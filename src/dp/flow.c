/* SPDX-License-Identifier: MIT */
#include "dp/flow.h"

#include <netinet/in.h>
#include <string.h>

#include "util/cursor.h"

#define IPPROTO_UDPLITE_NUM 136
#define IPPROTO_SCTP_NUM 132

static bool has_ports(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_UDPLITE_NUM || proto == IPPROTO_SCTP_NUM;
}

static bool read_ports(struct cursor *c, struct spd_flow *flow)
{
	if (!has_ports(flow->proto))
		return true;
	return cursor_u16(c, &flow->sport) && cursor_u16(c, &flow->dport);
}

static bool parse_v4(struct cursor c, struct spd_flow *flow)
{
	uint8_t vihl, proto;
	uint16_t total, frag;
	struct cursor hdr = c;
	size_t ihl;

	if (!cursor_u8(&c, &vihl) || !cursor_skip(&c, 1) ||
	    !cursor_u16(&c, &total) || !cursor_skip(&c, 2) ||
	    !cursor_u16(&c, &frag) || !cursor_skip(&c, 1) ||
	    !cursor_u8(&c, &proto) || !cursor_skip(&c, 2))
		return false;
	ihl = (size_t)(vihl & 15) * 4;
	if (ihl < 20 || total < ihl || total > cursor_left(&hdr))
		return false;
	flow->src.family = flow->dst.family = AF_INET;
	if (!cursor_copy(&c, flow->src.bytes, 4) ||
	    !cursor_copy(&c, flow->dst.bytes, 4))
		return false;
	flow->proto = proto;
	/* Non-first fragments carry no ports. */
	if (frag & 0x1fff)
		return true;
	c = hdr;
	if (!cursor_skip(&c, ihl))
		return false;
	c.len = total - ihl;
	return read_ports(&c, flow);
}

static bool is_ext(uint8_t nh)
{
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING ||
	       nh == IPPROTO_DSTOPTS || nh == IPPROTO_FRAGMENT;
}

static bool parse_v6(struct cursor c, struct spd_flow *flow)
{
	uint16_t plen, frag;
	uint8_t nh, next, hlen;

	if (!cursor_skip(&c, 4) || !cursor_u16(&c, &plen) ||
	    !cursor_u8(&c, &nh) || !cursor_skip(&c, 1))
		return false;
	flow->src.family = flow->dst.family = AF_INET6;
	if (!cursor_copy(&c, flow->src.bytes, 16) ||
	    !cursor_copy(&c, flow->dst.bytes, 16) || plen > cursor_left(&c))
		return false;
	c.len = plen;
	while (is_ext(nh)) {
		if (!cursor_u8(&c, &next) || !cursor_u8(&c, &hlen))
			return false;
		if (nh == IPPROTO_FRAGMENT) {
			if (!cursor_u16(&c, &frag) || !cursor_skip(&c, 4))
				return false;
			if (frag & 0xfff8) {
				flow->proto = next;
				return true;
			}
		} else if (!cursor_skip(&c, (size_t)(hlen + 1) * 8 - 2)) {
			return false;
		}
		nh = next;
	}
	flow->proto = nh;
	return read_ports(&c, flow);
}

bool flow_parse(const uint8_t *pkt, uint32_t len, struct spd_flow *flow)
{
	struct cursor c = cursor_make(pkt, len);
	uint8_t first;

	memset(flow, 0, sizeof(*flow));
	if (!cursor_peek_u8(&c, 0, &first))
		return false;
	if (first >> 4 == 4)
		return parse_v4(c, flow);
	if (first >> 4 == 6)
		return parse_v6(c, flow);
	return false;
}

void flow_reverse(const struct spd_flow *in, struct spd_flow *out)
{
	struct spd_flow r = *in;

	r.src = in->dst;
	r.dst = in->src;
	r.sport = in->dport;
	r.dport = in->sport;
	*out = r;
}
