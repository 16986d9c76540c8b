/* SPDX-License-Identifier: MIT */
/*
 * Control message builder (ctl/msg.h). Every write is preceded by a check
 * that it fits in b->cap, which never exceeds the caller's buffer.
 */
#include "ctl/msg.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/bytes.h"
#include "util/secure.h"

static size_t align4(size_t n)
{
	return (n + CTL_ALIGN - 1) & ~(size_t)(CTL_ALIGN - 1);
}

static int fail(struct ctl_builder *b, int err)
{
	if (!b->err)
		b->err = err;
	return b->err;
}

int ctl_builder_init(struct ctl_builder *b, void *buf, size_t size,
		     uint16_t type, uint32_t seq)
{
	memset(b, 0, sizeof(*b));
	b->buf = buf;
	b->cap = size < CTL_MSG_MAX ? size : CTL_MSG_MAX;
	if (b->cap < CTL_HDR_LEN) {
		b->cap = 0;
		return fail(b, -EMSGSIZE);
	}
	put_be32(b->buf + CTL_HDR_OFF_MAGIC, CTL_MAGIC);
	put_be16(b->buf + CTL_HDR_OFF_TYPE, type);
	put_be16(b->buf + CTL_HDR_OFF_FLAGS, 0);
	put_be32(b->buf + CTL_HDR_OFF_SEQ, seq);
	put_be32(b->buf + CTL_HDR_OFF_LEN, CTL_HDR_LEN);
	b->len = CTL_HDR_LEN;
	return 0;
}

void ctl_builder_set_flags(struct ctl_builder *b, uint16_t flags)
{
	if (b->len >= CTL_HDR_LEN)
		put_be16(b->buf + CTL_HDR_OFF_FLAGS, flags);
}

/* Reserve room for an attribute of |type| and kind |kind| with an n-byte
 * value and write its header and padding. Returns the value's offset, or 0
 * after recording the error (offset 0 is the message header, never a
 * value). */
static size_t reserve(struct ctl_builder *b, uint16_t type,
		      enum ctl_kind kind, size_t n)
{
	size_t total = align4(CTL_ATTR_HDR_LEN + n);

	if (b->err)
		return 0;
	if (ctl_attr_kind(type) != kind) {
		fail(b, -EINVAL);
		return 0;
	}
	if (b->cap - b->len < total || b->attrs >= CTL_ATTRS_MAX) {
		fail(b, -EMSGSIZE);
		return 0;
	}
	/* total <= cap <= CTL_MSG_MAX, and the header leaves at most 65520
	 * bytes, so the length fits in 16 bits. */
	put_be16(b->buf + b->len, type);
	put_be16(b->buf + b->len + 2, (uint16_t)(CTL_ATTR_HDR_LEN + n));
	memset(b->buf + b->len + CTL_ATTR_HDR_LEN + n, 0,
	       total - CTL_ATTR_HDR_LEN - n);
	b->len += total;
	b->attrs++;
	if (ctl_attr_flags(type) & CTL_AF_SECRET)
		b->secret = true;
	return b->len - total + CTL_ATTR_HDR_LEN;
}

int ctl_put_u8(struct ctl_builder *b, uint16_t type, uint8_t v)
{
	size_t off = reserve(b, type, CTL_KIND_U8, 1);

	if (!off)
		return b->err;
	b->buf[off] = v;
	return 0;
}

int ctl_put_u16(struct ctl_builder *b, uint16_t type, uint16_t v)
{
	size_t off = reserve(b, type, CTL_KIND_U16, 2);

	if (!off)
		return b->err;
	put_be16(b->buf + off, v);
	return 0;
}

int ctl_put_u32(struct ctl_builder *b, uint16_t type, uint32_t v)
{
	size_t off = reserve(b, type, CTL_KIND_U32, 4);

	if (!off)
		return b->err;
	put_be32(b->buf + off, v);
	return 0;
}

int ctl_put_u64(struct ctl_builder *b, uint16_t type, uint64_t v)
{
	size_t off = reserve(b, type, CTL_KIND_U64, 8);

	if (!off)
		return b->err;
	put_be64(b->buf + off, v);
	return 0;
}

int ctl_put_i32(struct ctl_builder *b, uint16_t type, int32_t v)
{
	size_t off = reserve(b, type, CTL_KIND_I32, 4);

	if (!off)
		return b->err;
	put_be32(b->buf + off, (uint32_t)v);
	return 0;
}

/* The string rule of ctl/proto.h, for a C string: no control character,
 * short enough to fit CTL_STR_MAX with its NUL. Returns its length or -1. */
static long str_check(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f || i + 1 >= CTL_STR_MAX)
			return -1;
	}
	return (long)i;
}

int ctl_put_str(struct ctl_builder *b, uint16_t type, const char *s)
{
	long n = b->err ? 0 : str_check(s);
	size_t off;

	if (n < 0)
		return fail(b, -EINVAL);
	off = reserve(b, type, CTL_KIND_STR, (size_t)n + 1);
	if (!off)
		return b->err;
	memcpy(b->buf + off, s, (size_t)n + 1);
	return 0;
}

int ctl_put_bytes(struct ctl_builder *b, uint16_t type, const void *p,
		  size_t n)
{
	size_t off;

	if (!b->err && n > CTL_BYTES_MAX)
		return fail(b, -EINVAL);
	off = reserve(b, type, CTL_KIND_BYTES, n);
	if (!off)
		return b->err;
	if (n)
		memcpy(b->buf + off, p, n);
	return 0;
}

int ctl_put_addr(struct ctl_builder *b, uint16_t type,
		 const struct ip_addr *a)
{
	size_t off, n;

	if (!b->err && a->family != AF_INET && a->family != AF_INET6)
		return fail(b, -EINVAL);
	n = addr_len(a->family);
	off = reserve(b, type, CTL_KIND_ADDR, 1 + n);
	if (!off)
		return b->err;
	b->buf[off] = a->family == AF_INET6 ? CTL_ADDR_FAMILY6
					    : CTL_ADDR_FAMILY4;
	memcpy(b->buf + off + 1, a->bytes, n);
	return 0;
}

int ctl_nest_begin(struct ctl_builder *b, uint16_t type)
{
	size_t off;

	if (!b->err && b->depth >= CTL_NEST_MAX)
		return fail(b, -EINVAL);
	off = reserve(b, type, CTL_KIND_NEST, 0);
	if (!off)
		return b->err;
	b->nest[b->depth++] = off - CTL_ATTR_HDR_LEN;
	return 0;
}

int ctl_nest_end(struct ctl_builder *b)
{
	size_t off;

	if (b->err)
		return b->err;
	if (!b->depth)
		return fail(b, -EINVAL);
	off = b->nest[--b->depth];
	/* b->len - off <= CTL_MSG_MAX - CTL_HDR_LEN < 65536 */
	put_be16(b->buf + off + 2, (uint16_t)(b->len - off));
	return 0;
}

struct ctl_mark ctl_builder_mark(const struct ctl_builder *b)
{
	struct ctl_mark m;

	m.len = b->len;
	memcpy(m.nest, b->nest, sizeof(m.nest));
	m.depth = b->depth;
	m.attrs = b->attrs;
	return m;
}

void ctl_builder_rollback(struct ctl_builder *b, const struct ctl_mark *m)
{
	/* A wiped or never-initialised builder has nothing to return to. */
	if (b->cap < CTL_HDR_LEN || m->len < CTL_HDR_LEN || m->len > b->len)
		return;
	secure_zero(b->buf + m->len, b->len - m->len);
	b->len = m->len;
	memcpy(b->nest, m->nest, sizeof(b->nest));
	b->depth = m->depth;
	b->attrs = m->attrs;
	b->err = 0;
}

void ctl_builder_reset(struct ctl_builder *b)
{
	struct ctl_mark m = { .len = CTL_HDR_LEN };

	ctl_builder_rollback(b, &m);
}

int ctl_builder_finish(struct ctl_builder *b)
{
	if (b->err)
		return b->err;
	if (b->depth)
		return fail(b, -EINVAL);
	put_be32(b->buf + CTL_HDR_OFF_LEN, (uint32_t)b->len);
	return (int)b->len;
}

void ctl_builder_wipe(struct ctl_builder *b)
{
	secure_zero(b->buf, b->cap);
	b->len = 0;
	b->depth = 0;
	b->attrs = 0;
	b->secret = false;
	b->err = -EINVAL;
}

int ctl_reply_error(struct ctl_builder *reply, int err, const char *fmt, ...)
{
	char text[CTL_STR_MAX];
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	for (i = 0; text[i]; i++)
		if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f)
			text[i] = '?';
	ctl_builder_reset(reply);
	ctl_put_i32(reply, CTL_A_STATUS, err);
	ctl_put_str(reply, CTL_A_MESSAGE, text);
	return err;
}
