/* SPDX-License-Identifier: MIT */
/*
 * Control message validation, iteration and typed getters (ctl/msg.h).
 * Message bytes are read only through struct cursor. ctl_msg_parse()
 * checks every rule of ctl/proto.h before any caller reads an attribute;
 * the getters check sizes again, so they are safe on any cursor.
 */
#include "ctl/msg.h"

#include <string.h>

static const char *const reasons[CTL_PARSE_COUNT] = {
#define CTL_PARSE_NAME(name, str) [CTL_PARSE_##name] = str,
	CTL_PARSE_RESULTS(CTL_PARSE_NAME)
#undef CTL_PARSE_NAME
};

const char *ctl_parse_reason(enum ctl_parse_result r)
{
	return (unsigned)r < CTL_PARSE_COUNT ? reasons[r] : "?";
}

/* Bytes of padding after an attribute of length len. */
static size_t pad_len(size_t len)
{
	return (CTL_ALIGN - len % CTL_ALIGN) % CTL_ALIGN;
}

/* Read the next attribute header and value; on success |c| is past the
 * padding. Does not check the padding's contents. */
static enum ctl_parse_result next_attr(struct cursor *c, struct ctl_attr *a,
				       struct cursor *pad)
{
	uint16_t len;

	if (!cursor_u16(c, &a->type) || !cursor_u16(c, &len))
		return CTL_PARSE_ATTR_OVERRUN;
	if (len < CTL_ATTR_HDR_LEN)
		return CTL_PARSE_ATTR_SHORT;
	if (!cursor_sub(c, &a->val, len - CTL_ATTR_HDR_LEN) ||
	    !cursor_sub(c, pad, pad_len(len)))
		return CTL_PARSE_ATTR_OVERRUN;
	return CTL_PARSE_OK;
}

static bool all_zero(struct cursor c)
{
	uint8_t v;

	while (cursor_u8(&c, &v))
		if (v)
			return false;
	return true;
}

/* The str rule: 1..CTL_STR_MAX bytes, the last one NUL, no NUL or control
 * character before it. */
static bool str_valid(struct cursor c)
{
	size_t n = cursor_left(&c);
	uint8_t v;

	if (n < 1 || n > CTL_STR_MAX)
		return false;
	while (--n) {
		if (!cursor_u8(&c, &v) || v < 0x20 || v == 0x7f)
			return false;
	}
	return cursor_u8(&c, &v) && v == 0;
}

static bool addr_valid(struct cursor c)
{
	uint8_t family;

	if (!cursor_peek_u8(&c, 0, &family))
		return false;
	if (family == CTL_ADDR_FAMILY4)
		return cursor_left(&c) == CTL_ADDR4_LEN;
	if (family == CTL_ADDR_FAMILY6)
		return cursor_left(&c) == CTL_ADDR6_LEN;
	return false;
}

static size_t fixed_size(enum ctl_kind kind)
{
	switch (kind) {
	case CTL_KIND_U8:
		return 1;
	case CTL_KIND_U16:
		return 2;
	case CTL_KIND_U32:
	case CTL_KIND_I32:
		return 4;
	case CTL_KIND_U64:
		return 8;
	default:
		return 0;
	}
}

static enum ctl_parse_result check_attrs(struct cursor c, unsigned depth,
					 unsigned *count);

static enum ctl_parse_result check_value(const struct ctl_attr *a,
					 unsigned depth, unsigned *count)
{
	enum ctl_kind kind = ctl_attr_kind(a->type);
	size_t n = cursor_left(&a->val);

	switch (kind) {
	case CTL_KIND_UNKNOWN:
		return CTL_PARSE_OK;
	case CTL_KIND_STR:
		return str_valid(a->val) ? CTL_PARSE_OK : CTL_PARSE_STRING;
	case CTL_KIND_BYTES:
		return n <= CTL_BYTES_MAX ? CTL_PARSE_OK : CTL_PARSE_BYTES;
	case CTL_KIND_ADDR:
		return addr_valid(a->val) ? CTL_PARSE_OK : CTL_PARSE_ADDR;
	case CTL_KIND_NEST:
		if (depth >= CTL_NEST_MAX)
			return CTL_PARSE_DEPTH;
		if (n % CTL_ALIGN)
			return CTL_PARSE_ALIGN;
		return check_attrs(a->val, depth + 1, count);
	default:
		return n == fixed_size(kind) ? CTL_PARSE_OK : CTL_PARSE_SIZE;
	}
}

/* Validate the attributes in |c| (a length multiple of 4), which sit inside
 * |depth| nests. Recursion is bounded by CTL_NEST_MAX. */
static enum ctl_parse_result check_attrs(struct cursor c, unsigned depth,
					 unsigned *count)
{
	enum ctl_parse_result r;
	struct ctl_attr a;
	struct cursor pad;

	while (cursor_left(&c)) {
		r = next_attr(&c, &a, &pad);
		if (r != CTL_PARSE_OK)
			return r;
		if (!all_zero(pad))
			return CTL_PARSE_PADDING;
		if (++*count > CTL_ATTRS_MAX)
			return CTL_PARSE_TOO_MANY;
		r = check_value(&a, depth, count);
		if (r != CTL_PARSE_OK)
			return r;
	}
	return CTL_PARSE_OK;
}

static enum ctl_parse_result parse_header(struct ctl_msg *m, struct cursor *c,
					  size_t len)
{
	uint32_t magic;

	if (!cursor_u32(c, &magic) || !cursor_u16(c, &m->type) ||
	    !cursor_u16(c, &m->flags) || !cursor_u32(c, &m->seq) ||
	    !cursor_u32(c, &m->len))
		return CTL_PARSE_SHORT;
	if (magic != CTL_MAGIC)
		return CTL_PARSE_MAGIC;
	if (len > CTL_MSG_MAX)
		return CTL_PARSE_TOO_BIG;
	if (m->len != len)
		return CTL_PARSE_LENGTH;
	if (len % CTL_ALIGN)
		return CTL_PARSE_ALIGN;
	return CTL_PARSE_OK;
}

enum ctl_parse_result ctl_msg_parse(struct ctl_msg *m, const void *buf,
				    size_t len)
{
	struct cursor c = cursor_make(buf, len);
	enum ctl_parse_result r;
	unsigned count = 0;

	memset(m, 0, sizeof(*m));
	r = parse_header(m, &c, len);
	if (r == CTL_PARSE_OK)
		r = check_attrs(c, 0, &count);
	m->attrs = r == CTL_PARSE_OK ? c : cursor_make(NULL, 0);
	return r;
}

void ctl_msg_iter(const struct ctl_msg *m, struct ctl_iter *it)
{
	it->rest = m->attrs;
}

bool ctl_attr_iter(const struct ctl_attr *a, struct ctl_iter *it)
{
	if (ctl_attr_kind(a->type) != CTL_KIND_NEST) {
		it->rest = cursor_make(NULL, 0);
		return false;
	}
	it->rest = a->val;
	return true;
}

bool ctl_iter_next(struct ctl_iter *it, struct ctl_attr *a)
{
	struct cursor c = it->rest, pad;

	if (!cursor_left(&c) || next_attr(&c, a, &pad) != CTL_PARSE_OK)
		return false;
	it->rest = c;
	return true;
}

bool ctl_iter_index(const struct ctl_iter *it, struct ctl_attr tb[CTL_A_END])
{
	struct ctl_iter i = *it;
	struct ctl_attr a;

	memset(tb, 0, CTL_A_END * sizeof(*tb));
	while (ctl_iter_next(&i, &a)) {
		if (a.type == CTL_A_UNSPEC || a.type >= CTL_A_END)
			continue;
		if (tb[a.type].type) {
			if (!(ctl_attr_flags(a.type) & CTL_AF_MULTI))
				return false;
			continue;
		}
		tb[a.type] = a;
	}
	return true;
}

bool ctl_attr_u8(const struct ctl_attr *a, uint8_t *v)
{
	struct cursor c = a->val;

	return cursor_left(&c) == 1 && cursor_u8(&c, v);
}

bool ctl_attr_u16(const struct ctl_attr *a, uint16_t *v)
{
	struct cursor c = a->val;

	return cursor_left(&c) == 2 && cursor_u16(&c, v);
}

bool ctl_attr_u32(const struct ctl_attr *a, uint32_t *v)
{
	struct cursor c = a->val;

	return cursor_left(&c) == 4 && cursor_u32(&c, v);
}

bool ctl_attr_u64(const struct ctl_attr *a, uint64_t *v)
{
	struct cursor c = a->val;
	uint32_t hi, lo;

	if (cursor_left(&c) != 8 || !cursor_u32(&c, &hi) ||
	    !cursor_u32(&c, &lo))
		return false;
	*v = (uint64_t)hi << 32 | lo;
	return true;
}

bool ctl_attr_i32(const struct ctl_attr *a, int32_t *v)
{
	uint32_t u;

	if (!ctl_attr_u32(a, &u))
		return false;
	*v = (int32_t)u;
	return true;
}

const char *ctl_attr_str(const struct ctl_attr *a)
{
	const uint8_t *p;
	struct cursor c = a->val;

	if (!str_valid(c) || !cursor_bytes(&c, &p, cursor_left(&c)))
		return NULL;
	return (const char *)p;
}

bool ctl_attr_bytes(const struct ctl_attr *a, const uint8_t **p, size_t *n)
{
	struct cursor c = a->val;

	*n = cursor_left(&c);
	return *n <= CTL_BYTES_MAX && cursor_bytes(&c, p, *n);
}

bool ctl_attr_addr(const struct ctl_attr *a, struct ip_addr *out)
{
	struct cursor c = a->val;
	uint8_t family;

	if (!addr_valid(c) || !cursor_u8(&c, &family))
		return false;
	memset(out, 0, sizeof(*out));
	out->family = family == CTL_ADDR_FAMILY6 ? AF_INET6 : AF_INET;
	return cursor_copy(&c, out->bytes, cursor_left(&c));
}
