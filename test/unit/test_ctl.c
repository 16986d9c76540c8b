/* SPDX-License-Identifier: MIT */
/*
 * Control message codec: known-answer encodings written by hand from
 * ctl/proto.h, round trips of every attribute kind, a randomised round trip
 * against a rendering computed from the inputs, builder bounds, rollback
 * and wiping. The parser's refusals are tested in test_ctl_parse.c, the
 * socket server and client in test_ctl_server.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ctl/msg.h"
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

/* Append a rendering of the attributes in |it| to out: "name=value", space
 * separated; nests as "name{...}"; unknown types as "#type/len". */
static void render_iter(struct ctl_iter *it, char *out, size_t cap);

static void render_value(const struct ctl_attr *a, char *v, size_t cap)
{
	uint8_t u8v;
	uint16_t u16v;
	uint32_t u32v;
	uint64_t u64v;
	int32_t i32v;
	const uint8_t *p;
	size_t n, i;
	struct ip_addr ad;
	char buf[ADDR_STRLEN];

	switch (ctl_attr_kind(a->type)) {
	case CTL_KIND_U8:
		snprintf(v, cap, "%u", ctl_attr_u8(a, &u8v) ? u8v : 999u);
		break;
	case CTL_KIND_U16:
		snprintf(v, cap, "%u", ctl_attr_u16(a, &u16v) ? u16v : 99999u);
		break;
	case CTL_KIND_U32:
		CHECK(ctl_attr_u32(a, &u32v));
		snprintf(v, cap, "%u", u32v);
		break;
	case CTL_KIND_U64:
		CHECK(ctl_attr_u64(a, &u64v));
		snprintf(v, cap, "%llu", (unsigned long long)u64v);
		break;
	case CTL_KIND_I32:
		CHECK(ctl_attr_i32(a, &i32v));
		snprintf(v, cap, "%d", i32v);
		break;
	case CTL_KIND_STR:
		snprintf(v, cap, "'%s'", ctl_attr_str(a) ? ctl_attr_str(a) : "!");
		break;
	case CTL_KIND_BYTES:
		CHECK(ctl_attr_bytes(a, &p, &n));
		for (i = 0; i < n && 2 * i + 2 < cap; i++)
			snprintf(v + 2 * i, cap - 2 * i, "%02x", p[i]);
		v[2 * i] = '\0';
		break;
	case CTL_KIND_ADDR:
		CHECK(ctl_attr_addr(a, &ad));
		snprintf(v, cap, "%s", addr_format(&ad, buf));
		break;
	default:
		snprintf(v, cap, "/%zu", cursor_left(&a->val));
		break;
	}
}

static void render_attr(const struct ctl_attr *a, char *out, size_t cap)
{
	static char v[4096];
	struct ctl_iter sub;
	size_t len = strlen(out);

	if (ctl_attr_iter(a, &sub)) {
		snprintf(out + len, cap - len, "%s{", ctl_attr_name(a->type));
		render_iter(&sub, out, cap);
		len = strlen(out);
		snprintf(out + len, cap - len, "} ");
		return;
	}
	render_value(a, v, sizeof(v));
	if (ctl_attr_kind(a->type) == CTL_KIND_UNKNOWN)
		snprintf(out + len, cap - len, "#%u%s ", a->type, v);
	else
		snprintf(out + len, cap - len, "%s=%s ", ctl_attr_name(a->type),
			 v);
}

static void render_iter(struct ctl_iter *it, char *out, size_t cap)
{
	struct ctl_attr a;

	while (ctl_iter_next(it, &a))
		render_attr(&a, out, cap);
}

static void render_msg(const struct ctl_msg *m, char *out, size_t cap)
{
	struct ctl_iter it;

	out[0] = '\0';
	ctl_msg_iter(m, &it);
	render_iter(&it, out, cap);
}

static uint8_t buf[CTL_MSG_MAX + 64];
static char text[1 << 17], want[1 << 17];

/* Known answer: SA_DEL written out by hand from the layout in proto.h. */
TEST(ctl_known_answer_sa_del)
{
	static const char *hex =
		"54534331 0003 0000 00000007 00000020"
		"0003 0005 01 000000"
		"0004 0008 00001001";
	uint8_t expect[64];
	size_t n = unhex(hex, expect, sizeof(expect));
	struct ctl_builder b;

	REQUIRE(n == 32);
	CHECK_EQ(ctl_builder_init(&b, buf, sizeof(buf), CTL_SA_DEL, 7), 0);
	CHECK_EQ(ctl_put_u8(&b, CTL_A_DIR, CTL_DIR_OUT), 0);
	CHECK_EQ(ctl_put_u32(&b, CTL_A_SPI, 0x1001), 0);
	CHECK_EQ(ctl_builder_finish(&b), 32);
	CHECK_MEM(buf, expect, 32);
}

/* Known answer with a nest, a padded string, addresses and flags. */
TEST(ctl_known_answer_nest)
{
	static const char *hex =
		"54534331 8000 0001 fffffffe 00000048"
		"001d 0030"
		"  0001 0007 616200 00"
		"  000f 0009 04 c0000201 000000"
		"  0010 0015 06 20010db8000000000000000000000001 000000"
		"0012 0008 ffffffea";
	uint8_t expect[128];
	size_t n = unhex(hex, expect, sizeof(expect));
	struct ip_addr v4, v6;
	struct ctl_builder b;

	REQUIRE(n == 72);
	REQUIRE(!addr_parse("192.0.2.1", &v4) && !addr_parse("2001:db8::1", &v6));
	ctl_builder_init(&b, buf, sizeof(buf), CTL_REPLY, 0xfffffffe);
	ctl_builder_set_flags(&b, CTL_F_TRUNCATED);
	ctl_nest_begin(&b, CTL_A_SA);
	ctl_put_str(&b, CTL_A_NAME, "ab");
	ctl_put_addr(&b, CTL_A_TUN_SRC, &v4);
	ctl_put_addr(&b, CTL_A_TUN_DST, &v6);
	ctl_nest_end(&b);
	ctl_put_i32(&b, CTL_A_STATUS, -EINVAL);
	CHECK_EQ(ctl_builder_finish(&b), 72);
	CHECK_MEM(buf, expect, 72);
}

/* Every kind, extremes included, read back through the getters. */
TEST(ctl_round_trip_every_kind)
{
	static char longstr[CTL_STR_MAX];
	uint8_t key[36];
	struct ip_addr v4, v6;
	struct ctl_builder b;
	struct ctl_msg m;
	int i, len;

	for (i = 0; i < 36; i++)
		key[i] = (uint8_t)(0xf0 + i);
	memset(longstr, 'x', CTL_STR_MAX - 1);
	longstr[CTL_STR_MAX - 1] = '\0';
	REQUIRE(!addr_parse("198.51.100.7", &v4) && !addr_parse("fe80::1:2", &v6));
	ctl_builder_init(&b, buf, sizeof(buf), CTL_SA_ADD, 1);
	ctl_put_u8(&b, CTL_A_DIR, 0xff);
	ctl_put_u8(&b, CTL_A_ICV, 0);
	ctl_put_u16(&b, CTL_A_SPORT, 0xabcd);
	ctl_put_u32(&b, CTL_A_SPI, 0xdeadbeef);
	ctl_put_u64(&b, CTL_A_SEQ, 0xfedcba9876543210ULL);
	ctl_put_i32(&b, CTL_A_STATUS, INT32_MIN);
	ctl_put_str(&b, CTL_A_NAME, "");
	ctl_put_str(&b, CTL_A_CIPHER, "aes-gcm-256");
	ctl_put_bytes(&b, CTL_A_KEY, key, sizeof(key));
	ctl_put_addr(&b, CTL_A_TUN_SRC, &v4);
	ctl_put_addr(&b, CTL_A_TUN_DST, &v6);
	ctl_nest_begin(&b, CTL_A_PEER);
	ctl_nest_begin(&b, CTL_A_SA);
	ctl_nest_begin(&b, CTL_A_DROPS);
	ctl_nest_begin(&b, CTL_A_DROP);
	ctl_put_str(&b, CTL_A_REASON, "auth");
	ctl_put_u64(&b, CTL_A_COUNT, 0);
	ctl_nest_end(&b);
	ctl_nest_begin(&b, CTL_A_DROP);
	ctl_nest_end(&b);
	ctl_nest_end(&b);
	ctl_nest_end(&b);
	ctl_nest_end(&b);
	ctl_put_str(&b, CTL_A_MESSAGE, longstr);
	CHECK(b.secret);
	len = ctl_builder_finish(&b);
	REQUIRE(len > 0);
	REQUIRE(ctl_msg_parse(&m, buf, (size_t)len) == CTL_PARSE_OK);
	CHECK_EQ(m.type, CTL_SA_ADD);
	CHECK_EQ(m.seq, 1);
	CHECK_EQ(m.len, len);
	render_msg(&m, text, sizeof(text));
	snprintf(want, sizeof(want),
		 "dir=255 icv=0 sport=43981 spi=3735928559 "
		 "seq=18364758544493064720 status=-2147483648 name='' "
		 "cipher='aes-gcm-256' key=f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"
		 "000102030405060708090a0b0c0d0e0f10111213 "
		 "tun-src=198.51.100.7 tun-dst=fe80::1:2 "
		 "peer{sa{drops{drop{reason='auth' count=0 } drop{} } } } "
		 "message='%s' ", longstr);
	CHECK(!strcmp(text, want));
	if (strcmp(text, want))
		printf("  got  %.300s\n  want %.300s\n", text, want);
}

/* Empty and maximum bytes values, and unknown types (opaque, any length). */
TEST(ctl_round_trip_bytes_and_unknown)
{
	static const char *hex =
		"54534331 0001 0000 00000000 00000020"
		"7fff 0005 aa 000000"
		"0100 0004"
		"0007 0004";
	uint8_t big[CTL_BYTES_MAX], msg[64];
	struct ctl_builder b;
	struct ctl_msg m;
	int len;

	memset(big, 0x5a, sizeof(big));
	ctl_builder_init(&b, buf, sizeof(buf), CTL_SA_ADD, 2);
	CHECK_EQ(ctl_put_bytes(&b, CTL_A_KEY, NULL, 0), 0);
	CHECK_EQ(ctl_put_bytes(&b, CTL_A_KEY, big, sizeof(big)), 0);
	len = ctl_builder_finish(&b);
	CHECK_EQ(len, 16 + 4 + 4 + CTL_BYTES_MAX);
	REQUIRE(ctl_msg_parse(&m, buf, (size_t)len) == CTL_PARSE_OK);
	render_msg(&m, text, sizeof(text));
	CHECK(!strncmp(text, "key= key=5a5a5a", 15));
	CHECK_EQ(strlen(text), strlen("key= key= ") + 2 * CTL_BYTES_MAX);

	len = (int)unhex(hex, msg, sizeof(msg));
	REQUIRE(ctl_msg_parse(&m, msg, (size_t)len) == CTL_PARSE_OK);
	render_msg(&m, text, sizeof(text));
	CHECK(!strcmp(text, "#32767/1 #256/0 key= "));
}

/*
 * Random messages: a random tree of attributes of random known types with
 * random values is built, and rendered independently from the same values
 * (no codec involved); parsing and rendering the built message must give
 * the same text. Nothing the builder accepts is refused by the parser.
 */
struct gen {
	struct ctl_builder *b;
	char *out;
	size_t cap;
};

static void gen_printf(struct gen *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void gen_printf(struct gen *g, const char *fmt, ...)
{
	size_t len = strlen(g->out);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(g->out + len, g->cap - len, fmt, ap);
	va_end(ap);
}

static uint16_t gen_type(enum ctl_kind kind)
{
	uint16_t t;

	do
		t = (uint16_t)(1 + test_rand() % (CTL_A_END - 1));
	while (ctl_attr_kind(t) != kind);
	return t;
}

static void gen_str(struct gen *g, uint16_t t)
{
	char s[40];
	size_t n = test_rand() % sizeof(s), i;

	for (i = 0; i < n; i++)
		s[i] = (char)(0x20 + test_rand() % 0x5f);
	s[n] = '\0';
	for (i = 0; s[i]; i++)
		if (s[i] == '\'')
			s[i] = '"';
	ctl_put_str(g->b, t, s);
	gen_printf(g, "%s='%s' ", ctl_attr_name(t), s);
}

static void gen_addr(struct gen *g, uint16_t t)
{
	struct ip_addr a = { .family = test_rand() & 1 ? AF_INET6 : AF_INET };
	char s[ADDR_STRLEN];

	test_rand_bytes(a.bytes, addr_len(a.family));
	ctl_put_addr(g->b, t, &a);
	gen_printf(g, "%s=%s ", ctl_attr_name(t), addr_format(&a, s));
}

static void gen_bytes(struct gen *g, uint16_t t)
{
	uint8_t v[48];
	size_t n = test_rand() % sizeof(v), i;

	test_rand_bytes(v, n);
	ctl_put_bytes(g->b, t, v, n);
	gen_printf(g, "%s=", ctl_attr_name(t));
	for (i = 0; i < n; i++)
		gen_printf(g, "%02x", v[i]);
	gen_printf(g, " ");
}

static void gen_attrs(struct gen *g, unsigned depth);

static void gen_one(struct gen *g, unsigned depth)
{
	enum ctl_kind kind = (enum ctl_kind)(1 + test_rand() % 9);
	uint16_t t = gen_type(kind);
	uint64_t v = test_rand();

	switch (kind) {
	case CTL_KIND_U8:
		ctl_put_u8(g->b, t, (uint8_t)v);
		gen_printf(g, "%s=%u ", ctl_attr_name(t), (unsigned)(uint8_t)v);
		break;
	case CTL_KIND_U16:
		ctl_put_u16(g->b, t, (uint16_t)v);
		gen_printf(g, "%s=%u ", ctl_attr_name(t), (unsigned)(uint16_t)v);
		break;
	case CTL_KIND_U32:
		ctl_put_u32(g->b, t, (uint32_t)v);
		gen_printf(g, "%s=%u ", ctl_attr_name(t), (uint32_t)v);
		break;
	case CTL_KIND_U64:
		ctl_put_u64(g->b, t, v);
		gen_printf(g, "%s=%llu ", ctl_attr_name(t),
			   (unsigned long long)v);
		break;
	case CTL_KIND_I32:
		ctl_put_i32(g->b, t, (int32_t)(uint32_t)v);
		gen_printf(g, "%s=%d ", ctl_attr_name(t), (int32_t)(uint32_t)v);
		break;
	case CTL_KIND_STR:
		gen_str(g, t);
		break;
	case CTL_KIND_BYTES:
		gen_bytes(g, t);
		break;
	case CTL_KIND_ADDR:
		gen_addr(g, t);
		break;
	default:
		if (depth >= CTL_NEST_MAX)
			break;
		ctl_nest_begin(g->b, t);
		gen_printf(g, "%s{", ctl_attr_name(t));
		gen_attrs(g, depth + 1);
		ctl_nest_end(g->b);
		gen_printf(g, "} ");
		break;
	}
}

static void gen_attrs(struct gen *g, unsigned depth)
{
	unsigned n = (unsigned)(test_rand() % (depth ? 5 : 12));

	while (n--)
		gen_one(g, depth);
}

TEST(ctl_round_trip_random)
{
	struct ctl_builder b;
	struct ctl_msg m;
	struct gen g = { &b, want, sizeof(want) };
	int iter, len;

	for (iter = 0; iter < 2000; iter++) {
		uint32_t seq = (uint32_t)test_rand();

		want[0] = '\0';
		ctl_builder_init(&b, buf, CTL_MSG_MAX, CTL_REPLY, seq);
		gen_attrs(&g, 0);
		len = ctl_builder_finish(&b);
		REQUIRE(len >= CTL_HDR_LEN);
		REQUIRE(ctl_msg_parse(&m, buf, (size_t)len) == CTL_PARSE_OK);
		CHECK_EQ(m.seq, seq);
		render_msg(&m, text, sizeof(text));
		if (strcmp(text, want)) {
			CHECK(!strcmp(text, want));
			printf("  got  %.300s\n  want %.300s\n", text, want);
			return;
		}
	}
}

/* A fixed message of nests and strings; returns the builder's result. */
static int build_sample(struct ctl_builder *b, size_t size)
{
	char name[16];
	int i;

	ctl_builder_init(b, buf, size, CTL_REPLY, 9);
	for (i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "sa-%d", i);
		ctl_nest_begin(b, CTL_A_SA);
		ctl_put_str(b, CTL_A_NAME, name);
		ctl_put_u32(b, CTL_A_SPI, (uint32_t)(0x1000 + i));
		ctl_put_u64(b, CTL_A_PACKETS, (uint64_t)i << 40);
		ctl_nest_begin(b, CTL_A_DROPS);
		ctl_nest_begin(b, CTL_A_DROP);
		ctl_put_str(b, CTL_A_REASON, "replay");
		ctl_put_u64(b, CTL_A_COUNT, 3);
		ctl_nest_end(b);
		ctl_nest_end(b);
		ctl_nest_end(b);
	}
	ctl_put_u8(b, CTL_A_DIR, 1);
	ctl_put_i32(b, CTL_A_STATUS, 0);
	return ctl_builder_finish(b);
}

/* Every buffer size short of the full message fails with -EMSGSIZE and
 * leaves every byte from the buffer's end on untouched. */
TEST(ctl_builder_overflow)
{
	static uint8_t ref[1024];
	struct ctl_builder b;
	size_t size, i;
	int full = build_sample(&b, sizeof(buf));

	REQUIRE(full > 0 && (size_t)full <= sizeof(ref));
	memcpy(ref, buf, (size_t)full);
	for (size = 0; size <= (size_t)full + 8; size++) {
		int r;

		memset(buf, 0xa5, sizeof(buf));
		r = build_sample(&b, size);
		if (size >= (size_t)full) {
			CHECK_EQ(r, full);
			CHECK_MEM(buf, ref, (size_t)full);
		} else {
			CHECK_EQ(r, -EMSGSIZE);
			CHECK(b.len <= size);
		}
		for (i = size < (size_t)full ? size : (size_t)full;
		     i < (size_t)full + 64; i++)
			if (buf[i] != 0xa5) {
				CHECK_EQ(buf[i], 0xa5);
				break;
			}
		/* Sticky: a small attribute after the failure fails too. */
		if (r < 0)
			CHECK_EQ(ctl_put_u8(&b, CTL_A_DIR, 0), r);
	}
}

/* Attribute count bound: CTL_ATTRS_MAX empty nests fit, one more does not. */
TEST(ctl_builder_attr_limit)
{
	struct ctl_builder b;
	struct ctl_msg m;
	int i, len;

	ctl_builder_init(&b, buf, CTL_MSG_MAX, CTL_REPLY, 0);
	for (i = 0; i < CTL_ATTRS_MAX; i++) {
		ctl_nest_begin(&b, CTL_A_DROP);
		ctl_nest_end(&b);
	}
	len = ctl_builder_finish(&b);
	CHECK_EQ(len, CTL_HDR_LEN + 4 * CTL_ATTRS_MAX);
	CHECK(ctl_msg_parse(&m, buf, (size_t)len) == CTL_PARSE_OK);
	CHECK_EQ(ctl_nest_begin(&b, CTL_A_DROP), -EMSGSIZE);
	CHECK_EQ(b.len, (size_t)len);
}

TEST(ctl_builder_rejects_misuse)
{
	static char longstr[CTL_STR_MAX + 1];
	static uint8_t big[CTL_BYTES_MAX + 1];
	struct ip_addr none = { 0 };
	struct ctl_builder b;
	int i;

	memset(longstr, 'y', CTL_STR_MAX);
	ctl_builder_init(&b, buf, sizeof(buf), CTL_SHOW, 0);
	CHECK_EQ(ctl_put_u8(&b, CTL_A_SPI, 1), -EINVAL); /* SPI is u32 */
#define FRESH() ctl_builder_init(&b, buf, sizeof(buf), CTL_SHOW, 0)
	FRESH();
	CHECK_EQ(ctl_put_u32(&b, 999, 1), -EINVAL);      /* unknown type */
	FRESH();
	CHECK_EQ(ctl_put_u32(&b, CTL_A_UNSPEC, 1), -EINVAL);
	FRESH();
	CHECK_EQ(ctl_put_str(&b, CTL_A_NAME, "a\nb"), -EINVAL);
	FRESH();
	CHECK_EQ(ctl_put_str(&b, CTL_A_NAME, "del\x7f"), -EINVAL);
	FRESH();
	CHECK_EQ(ctl_put_str(&b, CTL_A_NAME, longstr), -EINVAL);
	longstr[CTL_STR_MAX - 1] = '\0';
	FRESH();
	CHECK_EQ(ctl_put_str(&b, CTL_A_NAME, longstr), 0);
	FRESH();
	CHECK_EQ(ctl_put_bytes(&b, CTL_A_KEY, big, sizeof(big)), -EINVAL);
	FRESH();
	CHECK_EQ(ctl_put_addr(&b, CTL_A_ADDR, &none), -EINVAL);
	FRESH();
	CHECK_EQ(ctl_nest_begin(&b, CTL_A_NAME), -EINVAL);
	FRESH();
	CHECK_EQ(ctl_nest_end(&b), -EINVAL);
	FRESH();
	for (i = 0; i < CTL_NEST_MAX; i++)
		CHECK_EQ(ctl_nest_begin(&b, CTL_A_SA), 0);
	CHECK_EQ(ctl_nest_begin(&b, CTL_A_SA), -EINVAL);
	FRESH();
	ctl_nest_begin(&b, CTL_A_SA);
	CHECK_EQ(ctl_builder_finish(&b), -EINVAL); /* nest left open */
	CHECK_EQ(ctl_builder_init(&b, buf, CTL_HDR_LEN - 1, CTL_SHOW, 0),
		 -EMSGSIZE);
	CHECK_EQ(ctl_builder_finish(&b), -EMSGSIZE);
#undef FRESH
}

/* Mark and rollback: how a SHOW reply leaves out what does not fit. */
TEST(ctl_builder_rollback_truncates)
{
	struct ctl_attr tb[CTL_A_END];
	struct ctl_builder b;
	struct ctl_mark mk;
	struct ctl_iter it;
	struct ctl_msg m;
	unsigned fitted = 0;
	int len;

	memset(buf, 0xee, 256);
	ctl_builder_init(&b, buf, 208, CTL_REPLY, 3);
	for (;;) {
		mk = ctl_builder_mark(&b);
		ctl_nest_begin(&b, CTL_A_SA);
		ctl_put_str(&b, CTL_A_CIPHER, "chacha20-poly1305");
		ctl_put_u32(&b, CTL_A_SPI, fitted);
		ctl_nest_end(&b);
		if (b.err)
			break;
		fitted++;
	}
	CHECK_EQ(b.err, -EMSGSIZE);
	ctl_builder_rollback(&b, &mk);
	CHECK_EQ(b.err, 0);
	CHECK_EQ(b.depth, 0);
	/* 16 + n * (4 + 24 + 8) fits in 208 for n = 5; the sixth nest's
	 * header was written at 196 and is wiped by the rollback. */
	CHECK_EQ(fitted, 5);
	CHECK_EQ(b.len, 196);
	CHECK(buf[196] == 0 && buf[197] == 0 && buf[198] == 0 && buf[199] == 0);
	CHECK_EQ(buf[200], 0xee);
	ctl_builder_set_flags(&b, CTL_F_TRUNCATED);
	CHECK_EQ(ctl_put_i32(&b, CTL_A_STATUS, 0), 0);
	len = ctl_builder_finish(&b);
	CHECK_EQ(len, 16 + 5 * 36 + 8);
	REQUIRE(ctl_msg_parse(&m, buf, (size_t)len) == CTL_PARSE_OK);
	CHECK_EQ(m.flags, CTL_F_TRUNCATED);
	ctl_msg_iter(&m, &it);
	CHECK(ctl_iter_index(&it, tb));
	CHECK(tb[CTL_A_STATUS].type == CTL_A_STATUS);
}

TEST(ctl_reply_error_replaces_reply)
{
	struct ctl_builder b;
	struct ctl_msg m;
	int len;

	ctl_builder_init(&b, buf, sizeof(buf), CTL_REPLY, 5);
	ctl_nest_begin(&b, CTL_A_SA);
	ctl_put_u32(&b, CTL_A_SPI, 1);
	CHECK_EQ(ctl_reply_error(&b, -ENOENT, "no SA %d\nhere\t", 7), -ENOENT);
	len = ctl_builder_finish(&b);
	REQUIRE(len > 0);
	REQUIRE(ctl_msg_parse(&m, buf, (size_t)len) == CTL_PARSE_OK);
	CHECK_EQ(m.seq, 5);
	render_msg(&m, text, sizeof(text));
	CHECK(!strcmp(text, "status=-2 message='no SA 7?here?' "));
}

TEST(ctl_builder_wipe_clears_key)
{
	static const uint8_t key[20] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
					 11, 12, 13, 14, 15, 16, 17, 18, 19,
					 20 };
	uint8_t small[128];
	struct ctl_builder b;
	size_t i, nonzero = 0;

	ctl_builder_init(&b, small, sizeof(small), CTL_SA_ADD, 1);
	ctl_put_u32(&b, CTL_A_SPI, 0x1234);
	CHECK(!b.secret);
	ctl_put_bytes(&b, CTL_A_KEY, key, sizeof(key));
	CHECK(b.secret);
	CHECK(memmem(small, sizeof(small), key, sizeof(key)) != NULL);
	ctl_builder_wipe(&b);
	for (i = 0; i < sizeof(small); i++)
		nonzero += small[i] != 0;
	CHECK_EQ(nonzero, 0);
	CHECK(!b.secret);
	CHECK(ctl_builder_finish(&b) < 0);
	CHECK(ctl_put_u8(&b, CTL_A_DIR, 0) < 0);
}
