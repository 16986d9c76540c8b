/* SPDX-License-Identifier: MIT */
/*
 * Bounds-checked reading of untrusted bytes.
 *
 * Every read of packet or message data goes through a struct cursor. A read
 * that would pass the end fails, consumes nothing, and leaves the cursor
 * unchanged; callers test the bool and drop the input. No function here
 * allocates or performs I/O.
 */
#ifndef TUNSEC_UTIL_CURSOR_H
#define TUNSEC_UTIL_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cursor {
	const uint8_t *p;
	size_t len;
};

static inline struct cursor cursor_make(const void *p, size_t len)
{
	struct cursor c = { .p = p, .len = len };
	return c;
}

static inline size_t cursor_left(const struct cursor *c)
{
	return c->len;
}

/* Advance by n bytes. */
static inline bool cursor_skip(struct cursor *c, size_t n)
{
	if (c->len < n)
		return false;
	c->p += n;
	c->len -= n;
	return true;
}

/* Point *out at the next n bytes and advance past them. */
static inline bool cursor_bytes(struct cursor *c, const uint8_t **out, size_t n)
{
	if (c->len < n)
		return false;
	*out = c->p;
	c->p += n;
	c->len -= n;
	return true;
}

/* Split off the next n bytes as a cursor of their own and advance. */
static inline bool cursor_sub(struct cursor *c, struct cursor *sub, size_t n)
{
	const uint8_t *p;

	if (!cursor_bytes(c, &p, n))
		return false;
	*sub = cursor_make(p, n);
	return true;
}

static inline bool cursor_copy(struct cursor *c, void *out, size_t n)
{
	const uint8_t *p;
	size_t i;

	if (!cursor_bytes(c, &p, n))
		return false;
	for (i = 0; i < n; i++)
		((uint8_t *)out)[i] = p[i];
	return true;
}

static inline bool cursor_u8(struct cursor *c, uint8_t *v)
{
	if (c->len < 1)
		return false;
	*v = c->p[0];
	c->p++;
	c->len--;
	return true;
}

static inline bool cursor_u16(struct cursor *c, uint16_t *v)
{
	if (c->len < 2)
		return false;
	*v = (uint16_t)(c->p[0] << 8 | c->p[1]);
	c->p += 2;
	c->len -= 2;
	return true;
}

static inline bool cursor_u32(struct cursor *c, uint32_t *v)
{
	if (c->len < 4)
		return false;
	*v = (uint32_t)c->p[0] << 24 | (uint32_t)c->p[1] << 16 |
	     (uint32_t)c->p[2] << 8 | c->p[3];
	c->p += 4;
	c->len -= 4;
	return true;
}

/* Peek without consuming: byte at offset off from the current position. */
static inline bool cursor_peek_u8(const struct cursor *c, size_t off, uint8_t *v)
{
	if (c->len <= off)
		return false;
	*v = c->p[off];
	return true;
}

#endif
