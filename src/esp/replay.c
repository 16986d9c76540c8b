/* SPDX-License-Identifier: MIT */
/*
 * Anti-replay window: RFC 4303 §3.4.3 acceptance, RFC 6479 bitmap ring,
 * RFC 4303 Appendix A2.2 inference of the ESN high half.
 *
 * Invariants (hold between calls):
 *  - words is a power of two and at least window/64 rounded up, plus one.
 *    The sequence numbers top - window + 1 .. top therefore lie in distinct
 *    slots of the ring, with at least one slot to spare, so advancing the top
 *    only ever clears whole slots that hold nothing inside the new window.
 *  - Bit (s % 64) of slot ((s / 64) & mask) is set for every s inside the
 *    window that was recorded, and clear for every s inside the window that
 *    was not. Bits for numbers left of the window are stale and never read:
 *    acceptance uses exactly window, not the ring's capacity.
 */
#include "esp/replay.h"

#include <errno.h>
#include <stdlib.h>

#include "dp/limits.h"

#define WORD_BITS 64u

static uint32_t ring_words(uint32_t window)
{
	uint32_t need = (window + WORD_BITS - 1) / WORD_BITS + 1;
	uint32_t words = 1;

	while (words < need)
		words <<= 1;
	return words;
}

static uint64_t *slot(const struct replay *r, uint64_t seq)
{
	return &r->words[(seq / WORD_BITS) & r->mask];
}

static uint64_t bit(uint64_t seq)
{
	return 1ULL << (seq % WORD_BITS);
}

/* The top, when set, counts as received: a copy of it is a replay. */
int replay_init(struct replay *r, uint32_t window, uint64_t top)
{
	uint32_t words;

	r->words = NULL;
	if (window < REPLAY_WINDOW_MIN || window > REPLAY_WINDOW_MAX)
		return -EINVAL;
	words = ring_words(window);
	r->words = calloc(words, sizeof(*r->words));
	if (!r->words)
		return -ENOMEM;
	r->top = top;
	r->window = window;
	r->mask = words - 1;
	if (top)
		*slot(r, top) |= bit(top);
	return 0;
}

void replay_free(struct replay *r)
{
	free(r->words);
	r->words = NULL;
}

/*
 * RFC 4303 Appendix A2.2 with Tl/Th the halves of top and W the window.
 * Case A (Tl >= W - 1): the window lies within one 2^32 block; a low half
 * below its left edge belongs to the next block (Th + 1).
 * Case B (Tl < W - 1): the window straddles the block boundary; a low half
 * at or right of the left edge (taken mod 2^32) belongs to the previous
 * block (Th - 1), which does not exist when Th is 0.
 */
static bool infer_esn(const struct replay *r, uint32_t seq_lo, uint64_t *out)
{
	uint32_t tl = (uint32_t)r->top;
	uint32_t th = (uint32_t)(r->top >> 32);
	uint32_t w = r->window;
	uint32_t left = tl - w + 1; /* mod 2^32 in case B */

	if (tl >= w - 1) {
		if (seq_lo < left) {
			if (th == UINT32_MAX)
				return false;
			th++;
		}
	} else if (seq_lo >= left) {
		if (th == 0)
			return false;
		th--;
	}
	*out = (uint64_t)th << 32 | seq_lo;
	return true;
}

uint64_t replay_infer(const struct replay *r, uint32_t seq_lo, bool esn,
		      bool *ok)
{
	uint64_t seq = seq_lo;

	if (esn && !infer_esn(r, seq_lo, &seq)) {
		*ok = false;
		return 0;
	}
	*ok = seq != 0;
	return seq;
}

bool replay_check(const struct replay *r, uint64_t seq)
{
	if (seq == 0)
		return false;
	if (seq > r->top)
		return true;
	if (r->top - seq >= r->window)
		return false;
	return !(*slot(r, seq) & bit(seq));
}

/* Move the top to seq (> top), clearing every slot the window enters. A
 * jump of a whole ring or more clears them all. */
static void advance(struct replay *r, uint64_t seq)
{
	uint64_t from = r->top / WORD_BITS;
	uint64_t steps = seq / WORD_BITS - from;
	uint64_t i;

	if (steps > r->mask)
		steps = (uint64_t)r->mask + 1;
	for (i = 1; i <= steps; i++)
		r->words[(from + i) & r->mask] = 0;
	r->top = seq;
}

bool replay_update(struct replay *r, uint64_t seq)
{
	if (!replay_check(r, seq))
		return false;
	if (seq > r->top)
		advance(r, seq);
	*slot(r, seq) |= bit(seq);
	return true;
}
