/* SPDX-License-Identifier: MIT */
/*
 * A packet buffer with headroom and tailroom, so transforms grow and shrink
 * packets in place. The storage belongs to whoever allocated it; struct pkt
 * only describes where the data lies within it.
 */
#ifndef TUNSEC_UTIL_PKT_H
#define TUNSEC_UTIL_PKT_H

#include <stdbool.h>
#include <stdint.h>

struct pkt {
	uint8_t *head; /* start of storage */
	uint32_t cap;  /* bytes of storage */
	uint32_t off;  /* data begins at head + off */
	uint32_t len;  /* bytes of data */
};

static inline uint8_t *pkt_data(const struct pkt *p)
{
	return p->head + p->off;
}

static inline uint32_t pkt_headroom(const struct pkt *p)
{
	return p->off;
}

static inline uint32_t pkt_tailroom(const struct pkt *p)
{
	return p->cap - p->off - p->len;
}

/* Describe storage of cap bytes holding nothing yet, data to start at off. */
static inline void pkt_init(struct pkt *p, uint8_t *head, uint32_t cap,
			    uint32_t off)
{
	p->head = head;
	p->cap = cap;
	p->off = off;
	p->len = 0;
}

/* Grow the data at the front by n bytes (n <= headroom, checked by caller). */
static inline uint8_t *pkt_push(struct pkt *p, uint32_t n)
{
	p->off -= n;
	p->len += n;
	return pkt_data(p);
}

/* Drop n bytes from the front (n <= len, checked by caller). */
static inline void pkt_pull(struct pkt *p, uint32_t n)
{
	p->off += n;
	p->len -= n;
}

/* Grow the data at the end by n bytes (n <= tailroom); returns the old end. */
static inline uint8_t *pkt_put(struct pkt *p, uint32_t n)
{
	uint8_t *end = pkt_data(p) + p->len;

	p->len += n;
	return end;
}

/* Cut the data to len bytes (len <= current length). */
static inline void pkt_trim(struct pkt *p, uint32_t len)
{
	p->len = len;
}

#endif
