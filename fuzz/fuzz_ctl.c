/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: control message parsing (ctl_msg_parse), iteration,
 * indexing and the typed getters, on hostile datagrams.
 *
 * Input: one datagram as the daemon would receive it.
 *
 * Checked for every input (abort() on failure):
 *  - the verdict is below CTL_PARSE_COUNT;
 *  - a valid message is CTL_HDR_LEN..CTL_MSG_MAX bytes, a multiple of 4, and
 *    its length field equals the datagram length; the same bytes less their
 *    last 4 are refused;
 *  - walking a valid message visits at most CTL_ATTRS_MAX attributes, at
 *    most CTL_NEST_MAX nests deep, each value inside the input;
 *  - each typed getter succeeds exactly when the value has its size (u8 1,
 *    u16 2, u32/i32 4, u64 8) and reads the big-endian value; for an
 *    attribute of a known kind the getter of that kind succeeds: strings are
 *    NUL-terminated with no control character, addresses have a family that
 *    matches their length, bytes are at most CTL_BYTES_MAX; only nest types
 *    iterate;
 *  - ctl_iter_index() refuses a level exactly when a known type without
 *    CTL_AF_MULTI occurs twice in it (counted naively);
 *  - a valid message of known types only, rebuilt attribute by attribute
 *    with the builder, gives back the same bytes (the encoding is
 *    canonical), and what the builder produces parses.
 *
 * Seeds: fuzz/corpus/ctl/, written by fuzz/gen_ctl_corpus.c (see there).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/msg.h"

#define check(cond)                                                        \
	do {                                                               \
		if (!(cond))                                               \
			abort();                                           \
	} while (0)

struct walk {
	const uint8_t *data;
	size_t size;
	unsigned count;
	bool unknown; /* a type this version does not know was seen */
};

static uint64_t be_value(const struct ctl_attr *a)
{
	struct cursor c = a->val;
	uint64_t v = 0;
	uint8_t b;

	while (cursor_u8(&c, &b))
		v = v << 8 | b;
	return v;
}

/* Getters by size, whatever the attribute's kind. */
static void check_getters(const struct ctl_attr *a)
{
	size_t n = cursor_left(&a->val);
	uint64_t want = n <= 8 ? be_value(a) : 0;
	uint8_t u8v;
	uint16_t u16v;
	uint32_t u32v;
	uint64_t u64v;
	int32_t i32v;

	check(ctl_attr_u8(a, &u8v) == (n == 1) && (n != 1 || u8v == want));
	check(ctl_attr_u16(a, &u16v) == (n == 2) && (n != 2 || u16v == want));
	check(ctl_attr_u32(a, &u32v) == (n == 4) && (n != 4 || u32v == want));
	check(ctl_attr_i32(a, &i32v) == (n == 4) &&
	      (n != 4 || (uint32_t)i32v == want));
	check(ctl_attr_u64(a, &u64v) == (n == 8) && (n != 8 || u64v == want));
}

static void check_str(const struct ctl_attr *a)
{
	const char *s = ctl_attr_str(a);
	size_t i;

	check(s != NULL);
	check(strlen(s) + 1 == cursor_left(&a->val));
	check(cursor_left(&a->val) <= CTL_STR_MAX);
	for (i = 0; s[i]; i++)
		check((unsigned char)s[i] >= 0x20 && s[i] != 0x7f);
}

static void check_kind(const struct ctl_attr *a)
{
	size_t n = cursor_left(&a->val);
	struct ip_addr ad;
	const uint8_t *p;
	size_t len;

	switch (ctl_attr_kind(a->type)) {
	case CTL_KIND_STR:
		check_str(a);
		break;
	case CTL_KIND_BYTES:
		check(ctl_attr_bytes(a, &p, &len) && len == n && p == a->val.p);
		check(n <= CTL_BYTES_MAX);
		break;
	case CTL_KIND_ADDR:
		check(ctl_attr_addr(a, &ad));
		check(n == 1 + addr_len(ad.family));
		check(ad.family == AF_INET || ad.family == AF_INET6);
		break;
	case CTL_KIND_U8:
		check(n == 1);
		break;
	case CTL_KIND_U16:
		check(n == 2);
		break;
	case CTL_KIND_U32:
	case CTL_KIND_I32:
		check(n == 4);
		break;
	case CTL_KIND_U64:
		check(n == 8);
		break;
	default:
		break;
	}
}

/* Index agrees with a naive duplicate count over the same level. */
static void check_index(const struct ctl_iter *level)
{
	static unsigned seen[CTL_A_END];
	struct ctl_attr tb[CTL_A_END], a;
	struct ctl_iter it = *level;
	bool dup = false;

	memset(seen, 0, sizeof(seen));
	while (ctl_iter_next(&it, &a)) {
		if (a.type == CTL_A_UNSPEC || a.type >= CTL_A_END)
			continue;
		if (seen[a.type]++ && !(ctl_attr_flags(a.type) & CTL_AF_MULTI))
			dup = true;
	}
	check(ctl_iter_index(level, tb) == !dup);
}

static void walk_level(struct walk *w, struct ctl_iter it, unsigned depth)
{
	struct ctl_attr a;
	struct ctl_iter sub;

	check(depth <= CTL_NEST_MAX);
	check_index(&it);
	while (ctl_iter_next(&it, &a)) {
		check(++w->count <= CTL_ATTRS_MAX);
		check(a.val.p >= w->data &&
		      a.val.p + cursor_left(&a.val) <= w->data + w->size);
		if (ctl_attr_kind(a.type) == CTL_KIND_UNKNOWN)
			w->unknown = true;
		check_getters(&a);
		check_kind(&a);
		check(ctl_attr_iter(&a, &sub) ==
		      (ctl_attr_kind(a.type) == CTL_KIND_NEST));
		if (ctl_attr_kind(a.type) == CTL_KIND_NEST)
			walk_level(w, sub, depth + 1);
	}
	check(cursor_left(&it.rest) == 0);
}

/* Append the attributes of one level to |b| with the typed put functions. */
static void rebuild_level(struct ctl_builder *b, struct ctl_iter it)
{
	struct ctl_attr a;
	struct ctl_iter sub;
	struct ip_addr ad;
	const uint8_t *p;
	size_t n;

	while (ctl_iter_next(&it, &a)) {
		uint64_t v = be_value(&a);

		switch (ctl_attr_kind(a.type)) {
		case CTL_KIND_U8:
			ctl_put_u8(b, a.type, (uint8_t)v);
			break;
		case CTL_KIND_U16:
			ctl_put_u16(b, a.type, (uint16_t)v);
			break;
		case CTL_KIND_U32:
			ctl_put_u32(b, a.type, (uint32_t)v);
			break;
		case CTL_KIND_I32:
			ctl_put_i32(b, a.type, (int32_t)(uint32_t)v);
			break;
		case CTL_KIND_U64:
			ctl_put_u64(b, a.type, v);
			break;
		case CTL_KIND_STR:
			ctl_put_str(b, a.type, ctl_attr_str(&a));
			break;
		case CTL_KIND_BYTES:
			ctl_attr_bytes(&a, &p, &n);
			ctl_put_bytes(b, a.type, p, n);
			break;
		case CTL_KIND_ADDR:
			ctl_attr_addr(&a, &ad);
			ctl_put_addr(b, a.type, &ad);
			break;
		default:
			ctl_nest_begin(b, a.type);
			ctl_attr_iter(&a, &sub);
			rebuild_level(b, sub);
			ctl_nest_end(b);
			break;
		}
	}
}

static void check_rebuild(const struct ctl_msg *m, const uint8_t *data,
			  size_t size)
{
	static uint8_t out[CTL_MSG_MAX];
	struct ctl_builder b;
	struct ctl_msg again;
	struct ctl_iter it;
	int len;

	ctl_builder_init(&b, out, sizeof(out), m->type, m->seq);
	ctl_builder_set_flags(&b, m->flags);
	ctl_msg_iter(m, &it);
	rebuild_level(&b, it);
	len = ctl_builder_finish(&b);
	check(len >= 0 && (size_t)len == size);
	check(memcmp(out, data, size) == 0);
	check(ctl_msg_parse(&again, out, (size_t)len) == CTL_PARSE_OK);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct walk w = { .data = data, .size = size };
	enum ctl_parse_result r;
	struct ctl_iter it;
	struct ctl_msg m;

	r = ctl_msg_parse(&m, data, size);
	check((unsigned)r < CTL_PARSE_COUNT);
	if (r != CTL_PARSE_OK)
		return 0;
	check(size >= CTL_HDR_LEN && size <= CTL_MSG_MAX);
	check(size % CTL_ALIGN == 0 && m.len == size);
	check(m.attrs.p == data + CTL_HDR_LEN &&
	      cursor_left(&m.attrs) == size - CTL_HDR_LEN);
	if (size >= CTL_HDR_LEN + 4) {
		struct ctl_msg shorter;

		check(ctl_msg_parse(&shorter, data, size - 4) != CTL_PARSE_OK);
	}
	ctl_msg_iter(&m, &it);
	walk_level(&w, it, 0);
	if (!w.unknown)
		check_rebuild(&m, data, size);
	return 0;
}
