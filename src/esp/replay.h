/* SPDX-License-Identifier: MIT */
/*
 * Anti-replay window (RFC 4303 §3.4.3) kept as a ring of 64-bit words in the
 * manner of RFC 6479: advancing the window clears whole words and never
 * shifts the bitmap. Extended sequence numbers are inferred from the low 32
 * bits as in RFC 4303 Appendix A.
 *
 * A window belongs to one inbound SA and is used only by the worker that owns
 * that SA; nothing here locks.
 */
#ifndef TUNSEC_ESP_REPLAY_H
#define TUNSEC_ESP_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

struct replay {
	uint64_t top;     /* highest sequence number verified so far (0: none) */
	uint32_t window;  /* packets accepted left of top, inclusive of top */
	uint32_t mask;    /* words - 1; words is a power of two */
	uint64_t *words;  /* bit (seq % 64) of word ((seq / 64) & mask) */
};

/*
 * Set up a window of window packets (REPLAY_WINDOW_MIN..REPLAY_WINDOW_MAX)
 * whose highest sequence number already received is top. Returns 0,
 * -EINVAL for a window out of range, -ENOMEM.
 */
int replay_init(struct replay *r, uint32_t window, uint64_t top);

/* Free the bitmap; safe on a zeroed or already-freed struct. */
void replay_free(struct replay *r);

/*
 * The full 64-bit sequence number of a packet carrying seq_lo. Without ESN
 * that is seq_lo. With ESN, RFC 4303 Appendix A2.2: the high half is chosen
 * so the number lies within or right of the window. Sets *ok false when no
 * valid number exists (it would precede sequence number 1).
 */
uint64_t replay_infer(const struct replay *r, uint32_t seq_lo, bool esn,
		      bool *ok);

/* Whether seq would be accepted now: not 0, not left of the window, not
 * already seen. Changes nothing; use before verifying the ICV. */
bool replay_check(const struct replay *r, uint64_t seq);

/* Record seq as received, after its ICV verified. Checks again and returns
 * false, changing nothing, when seq is now a replay (e.g. an earlier packet of
 * the same burst carried it). */
bool replay_update(struct replay *r, uint64_t seq);

#endif
