/* SPDX-License-Identifier: MIT */
/*
 * The Traffic Selector payloads TSi and TSr (RFC 7296 §3.13), decoded into
 * struct ike_ts and built from it. Only the address-range types 7 and 8
 * are understood; a selector of another type makes the payload refused.
 */
#include "ike/build.h"

#include <errno.h>
#include <string.h>

#define RESERVED3 3

static size_t addr_len(uint8_t type)
{
	switch (type) {
	case IKE_TS_IPV4_ADDR_RANGE:
		return 4;
	case IKE_TS_IPV6_ADDR_RANGE:
		return 16;
	}
	return 0;
}

/* Both ranges ordered. Addresses are public values: memcmp is fine. */
static enum ike_parse check_ts(const struct ike_ts *ts)
{
	size_t alen = addr_len(ts->type);

	if (!alen)
		return IKE_PARSE_TS_TYPE;
	if (ts->start_port > ts->end_port ||
	    memcmp(ts->start, ts->end, alen) > 0)
		return IKE_PARSE_TS_RANGE;
	return IKE_PARSE_OK;
}

static enum ike_parse decode_one(struct cursor *c, struct ike_ts *ts)
{
	uint16_t len;
	size_t alen;

	memset(ts, 0, sizeof(*ts));
	if (!cursor_u8(c, &ts->type) || !cursor_u8(c, &ts->ip_proto) ||
	    !cursor_u16(c, &len))
		return IKE_PARSE_TS_LEN;
	alen = addr_len(ts->type);
	if (!alen)
		return IKE_PARSE_TS_TYPE;
	if (len != IKE_TS_HDR_LEN + 2 * alen)
		return IKE_PARSE_TS_LEN;
	if (!cursor_u16(c, &ts->start_port) || !cursor_u16(c, &ts->end_port) ||
	    !cursor_copy(c, ts->start, alen) || !cursor_copy(c, ts->end, alen))
		return IKE_PARSE_TS_LEN;
	return check_ts(ts);
}

enum ike_parse ike_decode_ts(struct cursor body, struct ike_ts_payload *out)
{
	uint8_t count;
	unsigned i;

	out->n = 0;
	if (!cursor_u8(&body, &count) || !cursor_skip(&body, RESERVED3))
		return IKE_PARSE_BODY_SHORT;
	if (count == 0)
		return IKE_PARSE_TS_COUNT;
	if (count > IKE_TS_MAX)
		return IKE_PARSE_TS_MAX;
	for (i = 0; i < count; i++) {
		enum ike_parse r;

		if (!cursor_left(&body))
			return IKE_PARSE_TS_COUNT;
		r = decode_one(&body, &out->ts[i]);
		if (r != IKE_PARSE_OK)
			return r;
	}
	if (cursor_left(&body))
		return IKE_PARSE_TS_COUNT;
	out->n = count;
	return IKE_PARSE_OK;
}

static int put_one(struct ike_writer *w, const struct ike_ts *ts)
{
	size_t alen = addr_len(ts->type);

	if (ike_w_u8(w, ts->type) || ike_w_u8(w, ts->ip_proto) ||
	    ike_w_u16(w, (uint16_t)(IKE_TS_HDR_LEN + 2 * alen)) ||
	    ike_w_u16(w, ts->start_port) || ike_w_u16(w, ts->end_port) ||
	    ike_w_bytes(w, ts->start, alen) || ike_w_bytes(w, ts->end, alen))
		return w->err;
	return 0;
}

int ike_put_ts(struct ike_writer *w, uint8_t type, const struct ike_ts *ts,
	       unsigned n)
{
	unsigned i;

	if (w->err)
		return w->err;
	if ((type != IKE_PL_TSI && type != IKE_PL_TSR) || n == 0 ||
	    n > IKE_TS_MAX)
		return ike_w_fail(w, -EINVAL);
	for (i = 0; i < n; i++)
		if (check_ts(&ts[i]) != IKE_PARSE_OK)
			return ike_w_fail(w, -EINVAL);
	if (ike_w_open(w, type, false) || ike_w_u8(w, (uint8_t)n) ||
	    ike_w_zeros(w, RESERVED3))
		return w->err;
	for (i = 0; i < n; i++)
		if (put_one(w, &ts[i]))
			return w->err;
	return ike_w_close(w);
}
