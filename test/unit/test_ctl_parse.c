/* SPDX-License-Identifier: MIT */
/*
 * Control message parser: a table of malformed messages, each refused for
 * its own reason (ctl_parse_result), next to valid edge cases built the same
 * way; size limits; typed getters; indexing; name tables. Messages are
 * written as hex from the layout in ctl/proto.h, not by the builder.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/msg.h"
#include "util/bytes.h"
#include "test.h"

/* Decode hex with optional spaces; returns the byte count. */
static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	unsigned v;

	for (; *s; s++) {
		if (*s == ' ')
			continue;
		if (n >= cap || sscanf(s, "%2x", &v) != 1)
			return n;
		out[n++] = (uint8_t)v;
		s++;
	}
	return n;
}

static uint8_t buf[CTL_MSG_MAX + 64];

/*
 * Malformed messages. Each "attrs" case is the hex of the attribute area,
 * after a correct header (type SHOW, seq 1, len = 16 + area); "raw" cases
 * are the whole message.
 */
struct bad_case {
	const char *name;
	bool raw;
	const char *hex;
	enum ctl_parse_result want;
};

#define HDR(len) "54534331 0001 0000 00000001 " len
static const struct bad_case bad_cases[] = {
	{ "empty", true, "", CTL_PARSE_SHORT },
	{ "truncated header", true, "54534331 0001 0000 00000001 0000",
	  CTL_PARSE_SHORT },
	{ "bad magic", true, "54534332 0001 0000 00000001 00000010",
	  CTL_PARSE_MAGIC },
	{ "magic byte-swapped", true, "31435354 0001 0000 00000001 00000010",
	  CTL_PARSE_MAGIC },
	{ "len longer than datagram", true, HDR("00000014"),
	  CTL_PARSE_LENGTH },
	{ "len shorter than datagram", true,
	  HDR("00000010") "0003 0005 01000000", CTL_PARSE_LENGTH },
	{ "len zero", true, HDR("00000000"), CTL_PARSE_LENGTH },
	{ "message not a multiple of 4", true, HDR("00000015") "0003 0005 01",
	  CTL_PARSE_ALIGN },
	{ "unpadded last attribute", true, HDR("00000016") "0003 0006 0102",
	  CTL_PARSE_ALIGN },
	{ "attribute len 0", false, "0003 0000", CTL_PARSE_ATTR_SHORT },
	{ "attribute len 3", false, "0003 0003", CTL_PARSE_ATTR_SHORT },
	{ "attribute past message", false, "0004 000c 00001001",
	  CTL_PARSE_ATTR_OVERRUN },
	{ "child past its nest", false, "001d 0008 0004 0008 00000001",
	  CTL_PARSE_ATTR_OVERRUN },
	{ "child len 0 in nest", false, "001d 0008 0004 0000",
	  CTL_PARSE_ATTR_SHORT },
	{ "nest len not a multiple of 4", false,
	  "001d 000a 0003 0005 01 000000", CTL_PARSE_ALIGN },
	{ "non-zero padding", false, "0003 0005 01 000100", CTL_PARSE_PADDING },
	{ "non-zero padding in nest", false,
	  "001d 000c 0001 0006 6100 ff00", CTL_PARSE_PADDING },
	{ "nests five deep", false,
	  "001a 0014 001d 0010 0020 000c 0021 0008 001a 0004",
	  CTL_PARSE_DEPTH },
	{ "u8 of 2 bytes", false, "0003 0006 0101 0000", CTL_PARSE_SIZE },
	{ "u8 of 0 bytes", false, "0006 0004", CTL_PARSE_SIZE },
	{ "u16 of 1 byte", false, "0018 0005 11 000000", CTL_PARSE_SIZE },
	{ "u32 of 8 bytes", false, "0004 000c 00000000 00001001",
	  CTL_PARSE_SIZE },
	{ "u64 of 4 bytes", false, "000d 0008 00000001", CTL_PARSE_SIZE },
	{ "i32 of 2 bytes", false, "0012 0006 ffea 0000", CTL_PARSE_SIZE },
	{ "wrong size deep in nests", false,
	  "001d 0014 0020 0010 0021 000c 0023 0008 00000007", CTL_PARSE_SIZE },
	{ "empty string value", false, "0001 0004", CTL_PARSE_STRING },
	{ "string without NUL", false, "0001 0006 6162 0000",
	  CTL_PARSE_STRING },
	{ "string with NUL inside", false, "0001 0008 6100 6200",
	  CTL_PARSE_STRING },
	{ "string with two NULs at the end", false, "0001 0007 610000 00",
	  CTL_PARSE_STRING },
	{ "string with newline", false, "0013 0007 0a6100 00",
	  CTL_PARSE_STRING },
	{ "string with DEL", false, "0005 0006 7f00 0000", CTL_PARSE_STRING },
	{ "string in nest without NUL", false, "001a 000c 0001 0005 61 000000",
	  CTL_PARSE_STRING },
	{ "addr empty", false, "001b 0004", CTL_PARSE_ADDR },
	{ "addr family 5", false, "001b 0009 05 c0000201 000000",
	  CTL_PARSE_ADDR },
	{ "addr family 4 with 16 bytes", false,
	  "001b 0015 04 20010db8000000000000000000000001 000000",
	  CTL_PARSE_ADDR },
	{ "addr family 6 with 4 bytes", false, "001b 0009 06 c0000201 000000",
	  CTL_PARSE_ADDR },
	{ "addr family 4 truncated", false, "001b 0008 04 c00002",
	  CTL_PARSE_ADDR },
};

/* The same builder, valid: each shows the header and area helpers are
 * right, so the cases above fail for the reason they name. */
static const struct bad_case good_cases[] = {
	{ "header only", true, HDR("00000010"), CTL_PARSE_OK },
	{ "u8", false, "0003 0005 01 000000", CTL_PARSE_OK },
	{ "nest with child", false, "001d 000c 0004 0008 00000001",
	  CTL_PARSE_OK },
	{ "nests four deep", false,
	  "001a 0014 001d 0010 0020 000c 0021 0008 0100 0004", CTL_PARSE_OK },
	{ "string", false, "0001 0007 616200 00", CTL_PARSE_OK },
	{ "empty string", false, "0001 0005 00 000000", CTL_PARSE_OK },
	{ "addr v4", false, "001b 0009 04 c0000201 000000", CTL_PARSE_OK },
	{ "unknown type, odd length", false, "0100 0007 ffffff 00",
	  CTL_PARSE_OK },
	{ "unknown type 0", false, "0000 0004", CTL_PARSE_OK },
	{ "reserved flags", true, "54534331 0001 ffff 00000001 00000010",
	  CTL_PARSE_OK },
};
#undef HDR

static size_t case_bytes(const struct bad_case *c, uint8_t *out)
{
	size_t n;

	if (c->raw)
		return unhex(c->hex, out, CTL_MSG_MAX);
	unhex("54534331 0001 0000 00000001", out, 12);
	n = CTL_HDR_LEN + unhex(c->hex, out + CTL_HDR_LEN,
				CTL_MSG_MAX - CTL_HDR_LEN);
	put_be32(out + 12, (uint32_t)n);
	return n;
}

static void run_cases(const struct bad_case *cases, size_t count)
{
	struct ctl_msg m;
	size_t i, n;

	for (i = 0; i < count; i++) {
		enum ctl_parse_result r;

		n = case_bytes(&cases[i], buf);
		/* A copy of exactly n bytes, so ASan sees any overread. */
		{
			uint8_t *copy = malloc(n ? n : 1);

			memcpy(copy, buf, n);
			r = ctl_msg_parse(&m, copy, n);
			free(copy);
		}
		if (r != cases[i].want) {
			test_fail(__FILE__, __LINE__, "%s: %s, want %s",
				  cases[i].name, ctl_parse_reason(r),
				  ctl_parse_reason(cases[i].want));
		}
	}
}

TEST(ctl_parse_rejects_malformed)
{
	CHECK(sizeof(bad_cases) / sizeof(bad_cases[0]) >= 25);
	run_cases(bad_cases, sizeof(bad_cases) / sizeof(bad_cases[0]));
}

TEST(ctl_parse_accepts_edges)
{
	run_cases(good_cases, sizeof(good_cases) / sizeof(good_cases[0]));
}

/* Size-driven cases: too big, too many attributes, too-long values. */
TEST(ctl_parse_rejects_oversize)
{
	static uint8_t big[CTL_MSG_MAX + 4];
	struct ctl_msg m;
	size_t n;

	/* 65540 bytes with a matching length field. */
	memset(big, 0, sizeof(big));
	unhex("54534331 0001 0000 00000001 00010004", big, 16);
	CHECK_EQ(ctl_msg_parse(&m, big, sizeof(big)), CTL_PARSE_TOO_BIG);
	/* Exactly CTL_MSG_MAX: 8190 unknown attributes of 8 bytes. */
	for (n = CTL_HDR_LEN; n < CTL_MSG_MAX; n += 8)
		unhex("0100 0008", big + n, 4);
	unhex("00010000", big + 12, 4);
	CHECK_EQ(ctl_msg_parse(&m, big, CTL_MSG_MAX), CTL_PARSE_OK);
	/* CTL_ATTRS_MAX + 1 empty attributes. */
	memset(big, 0, sizeof(big));
	n = CTL_HDR_LEN + 4 * (CTL_ATTRS_MAX + 1);
	unhex("54534331 0001 0000 00000001", big, 12);
	big[13] = (uint8_t)(n >> 16);
	big[14] = (uint8_t)(n >> 8);
	big[15] = (uint8_t)n;
	for (size_t off = CTL_HDR_LEN; off < n; off += 4)
		unhex("0021 0004", big + off, 4);
	CHECK_EQ(ctl_msg_parse(&m, big, n), CTL_PARSE_TOO_MANY);
	n -= 4;
	big[14] = (uint8_t)(n >> 8);
	big[15] = (uint8_t)n;
	CHECK_EQ(ctl_msg_parse(&m, big, n), CTL_PARSE_OK);
}

TEST(ctl_parse_rejects_long_values)
{
	static uint8_t msg[CTL_HDR_LEN + 4 + CTL_STR_MAX + 8];
	struct ctl_msg m;
	size_t vlen;

	for (vlen = CTL_STR_MAX; vlen <= CTL_STR_MAX + 1; vlen++) {
		size_t n = CTL_HDR_LEN + ((4 + vlen + 3) & ~(size_t)3);

		memset(msg, 0, sizeof(msg));
		unhex("54534331 0001 0000 00000001", msg, 12);
		msg[14] = (uint8_t)(n >> 8);
		msg[15] = (uint8_t)n;
		msg[16] = 0;
		msg[17] = CTL_A_NAME;
		msg[18] = (uint8_t)((4 + vlen) >> 8);
		msg[19] = (uint8_t)(4 + vlen);
		memset(msg + 20, 'z', vlen - 1);
		CHECK_EQ(ctl_msg_parse(&m, msg, n),
			 vlen <= CTL_STR_MAX ? CTL_PARSE_OK : CTL_PARSE_STRING);
		/* The same length as bytes. */
		msg[17] = CTL_A_KEY;
		CHECK_EQ(ctl_msg_parse(&m, msg, n), CTL_PARSE_BYTES);
	}
}

/* Getters check the size (and encoding) of whatever value they are given. */
TEST(ctl_getters_check_size)
{
	static const uint8_t raw[] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05,
				       0x06, 0x07, 0x08, 0x00 };
	struct ctl_attr a = { .type = CTL_A_SPI };
	struct ip_addr ad;
	uint8_t u8v;
	uint16_t u16v;
	uint32_t u32v;
	uint64_t u64v;
	int32_t i32v;
	size_t n;

	for (n = 0; n <= 9; n++) {
		a.val = cursor_make(raw, n);
		CHECK_EQ(ctl_attr_u8(&a, &u8v), n == 1);
		CHECK_EQ(ctl_attr_u16(&a, &u16v), n == 2);
		CHECK_EQ(ctl_attr_u32(&a, &u32v), n == 4);
		CHECK_EQ(ctl_attr_i32(&a, &i32v), n == 4);
		CHECK_EQ(ctl_attr_u64(&a, &u64v), n == 8);
		/* raw[0] is NUL: only the 1-byte value is a string ("") */
		CHECK((ctl_attr_str(&a) != NULL) == (n == 1));
		CHECK(!ctl_attr_addr(&a, &ad));
	}
	a.val = cursor_make(raw + 1, 8);
	CHECK(ctl_attr_u64(&a, &u64v) && u64v == 0x0102030405060708ULL);
	a.val = cursor_make(raw + 5, 4);
	CHECK(ctl_attr_i32(&a, &i32v) && i32v == 0x05060708);
	a.val = cursor_make("ok", 3);
	CHECK(ctl_attr_str(&a) && !strcmp(ctl_attr_str(&a), "ok"));
	a.val = cursor_make("ok", 2);
	CHECK(ctl_attr_str(&a) == NULL);
	a.val = cursor_make("\x04\xc0\x00\x02\x01", 5);
	CHECK(ctl_attr_addr(&a, &ad) && ad.family == AF_INET &&
	      ad.bytes[0] == 0xc0 && ad.bytes[3] == 1);
	a.type = CTL_A_NAME; /* not a nest: no iteration */
	{
		struct ctl_iter it;
		struct ctl_attr sub;

		CHECK(!ctl_attr_iter(&a, &it));
		CHECK(!ctl_iter_next(&it, &sub));
	}
}

TEST(ctl_index_duplicates)
{
	static const char *dup = "0004 0008 00000001 0004 0008 00000002";
	static const char *multi =
		"001c 0006 6100 0000 001c 0006 6200 0000 0100 0004";
	struct ctl_attr tb[CTL_A_END];
	struct ctl_iter it;
	struct ctl_msg m;
	struct bad_case c = { "dup", false, dup, CTL_PARSE_OK };
	size_t n = case_bytes(&c, buf);

	REQUIRE(ctl_msg_parse(&m, buf, n) == CTL_PARSE_OK);
	ctl_msg_iter(&m, &it);
	CHECK(!ctl_iter_index(&it, tb));
	c.hex = multi;
	n = case_bytes(&c, buf);
	REQUIRE(ctl_msg_parse(&m, buf, n) == CTL_PARSE_OK);
	ctl_msg_iter(&m, &it);
	CHECK(ctl_iter_index(&it, tb));
	CHECK(tb[CTL_A_SELECTOR].type == CTL_A_SELECTOR);
	CHECK(!strcmp(ctl_attr_str(&tb[CTL_A_SELECTOR]), "a"));
	CHECK_EQ(tb[CTL_A_SPI].type, 0);
}

TEST(ctl_names)
{
	CHECK(!strcmp(ctl_attr_name(CTL_A_SPI), "spi"));
	CHECK(!strcmp(ctl_attr_name(CTL_A_PEER_NAME), "peer-name"));
	CHECK(!strcmp(ctl_attr_name(CTL_A_COUNT), "count"));
	CHECK(!strcmp(ctl_attr_name(0), "?"));
	CHECK(!strcmp(ctl_attr_name(CTL_A_END), "?"));
	CHECK(!strcmp(ctl_type_name(CTL_SA_ADD), "sa-add"));
	CHECK(!strcmp(ctl_type_name(CTL_REPLY), "reply"));
	CHECK(!strcmp(ctl_type_name(0x7777), "?"));
	CHECK(!strcmp(ctl_parse_reason(CTL_PARSE_MAGIC), "bad magic"));
	CHECK(!strcmp(ctl_parse_reason(CTL_PARSE_COUNT), "?"));
	CHECK_EQ(ctl_attr_kind(CTL_A_KEY), CTL_KIND_BYTES);
	CHECK_EQ(ctl_attr_flags(CTL_A_KEY), CTL_AF_SECRET);
	CHECK_EQ(ctl_attr_kind(CTL_A_END + 1), CTL_KIND_UNKNOWN);
}
