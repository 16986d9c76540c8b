/* SPDX-License-Identifier: MIT */
/*
 * Anti-replay window (src/esp/replay.c). Numbered table-driven cases run
 * through the receiver's order of calls (infer, check, ICV, update) with
 * hand-computed expectations, and a differential test against a naive
 * reference: a list of every accepted number, the top, and RFC 4303
 * Appendix A2.2 restated as "the one candidate in [top - W + 1, top - W +
 * 2^32]".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dp/limits.h"
#include "esp/replay.h"
#include "test.h"

/* What the receiver does with one packet. */
enum verdict {
	A, /* accepted: inferred, checked, ICV ok, recorded */
	R, /* rejected as a replay (by infer or check) */
	C, /* passes the check, then its ICV fails: the window must not move */
};

#define BAD UINT64_MAX /* expected seq: inference must fail */

struct step {
	uint32_t lo;       /* sequence number on the wire (low half) */
	enum verdict v;
	uint64_t seq;      /* expected inferred number; 0: not checked */
};

struct replay_case {
	int num;
	uint32_t window;
	uint64_t top;
	bool esn;
	const struct step *steps;
	size_t n;
};

#define STEPS(...)                                                         \
	.steps = (const struct step[]){ __VA_ARGS__ },                     \
	.n = sizeof((const struct step[]){ __VA_ARGS__ }) / sizeof(struct step)

static const struct replay_case cases[] = {
	/* First packet, then its duplicate. */
	{ 1, 64, 0, false, STEPS({ 1, A, 1 }, { 1, R, 1 }) },
	/* Sequence number 0 is never valid, before or after traffic. */
	{ 2, 64, 0, false, STEPS({ 0, R, 0 }, { 5, A, 5 }, { 0, R, 0 }) },
	{ 3, 64, 0, true, STEPS({ 0, R, BAD }, { 1, A, 1 }, { 0, R, 0 }) },
	/* In order. */
	{ 4, 32, 0, false,
	  STEPS({ 1, A }, { 2, A }, { 3, A }, { 4, A }, { 5, A }, { 6, A },
		{ 7, A }, { 8, A }) },
	/* Duplicates, in and out of order. */
	{ 5, 64, 0, false,
	  STEPS({ 1, A }, { 2, A }, { 3, A }, { 2, R }, { 1, R }, { 3, R },
		{ 5, A }, { 4, A }, { 4, R }, { 5, R }) },
	/* Left edge, W = 32, top 1000 (itself already received): the window
	 * is 969..1000. */
	{ 6, 32, 1000, false,
	  STEPS({ 968, R }, { 969, A }, { 969, R }, { 1000, R }, { 1001, A },
		{ 970, A }, { 969, R }, { 999, A }) },
	/* Left edge from a fresh start, W = 32: after 40 it is 9..40. */
	{ 7, 32, 0, false,
	  STEPS({ 1, A }, { 2, A }, { 40, A }, { 8, R }, { 9, A }, { 2, R },
		{ 39, A }, { 41, A }, { 9, R }, { 10, A }) },
	/* W = 64, top 1000: 937..1000. */
	{ 8, 64, 1000, false,
	  STEPS({ 936, R }, { 937, A }, { 937, R }, { 1000, R }, { 1001, A },
		{ 937, R }, { 938, A }) },
	/* W = 1024, top 5000: 3977..5000. */
	{ 9, 1024, 5000, false,
	  STEPS({ 3976, R }, { 3977, A }, { 3977, R }, { 4999, A },
		{ 5001, A }, { 3977, R }, { 3978, A }) },
	/* W = 65536, top 100000: 34465..100000. */
	{ 10, 65536, 100000, false,
	  STEPS({ 34464, R }, { 34465, A }, { 34465, R }, { 100001, A },
		{ 34465, R }, { 34466, A }, { 100000, R }) },
	/* W = 100 (not a multiple of 64), top 1000: 901..1000. */
	{ 11, 100, 1000, false,
	  STEPS({ 900, R }, { 901, A }, { 901, R }, { 960, A }, { 1064, A },
		{ 964, R }, { 965, A }, { 960, R }) },
	/* W = 100 from 0: after 130 the window is 31..130, crossing words. */
	{ 12, 100, 0, false,
	  STEPS({ 30, A }, { 31, A }, { 64, A }, { 130, A }, { 30, R },
		{ 31, R }, { 64, R }, { 32, A }, { 63, A }, { 65, A },
		{ 129, A }, { 131, A }, { 32, R }) },
	/* Far-ahead jump beyond the ring (W = 64: 2 words, 128 bits): 3 and
	 * 1027 share a ring bit, which the jump must have cleared. */
	{ 13, 64, 0, false,
	  STEPS({ 1, A }, { 2, A }, { 3, A }, { 1028, A }, { 3, R },
		{ 1027, A }, { 1027, R }, { 965, A }, { 964, R }) },
	/* Jump of exactly the ring (W = 64, 128 bits): 11 and 139 share a
	 * ring bit. */
	{ 14, 64, 0, false,
	  STEPS({ 10, A }, { 11, A }, { 12, A }, { 140, A }, { 139, A },
		{ 138, A }, { 139, R }, { 76, R }, { 77, A }, { 77, R }) },
	/* Jump of exactly the ring for W = 1024 (32 words, 2048 bits): 100
	 * and 2148, 101 and 2149 share ring bits. */
	{ 15, 1024, 0, false,
	  STEPS({ 100, A }, { 101, A }, { 102, A }, { 2150, A }, { 2149, A },
		{ 2148, A }, { 2147, A }, { 1127, A }, { 1126, R },
		{ 2149, R }, { 101, R }) },
	/* Jump of exactly W = 1024: the old top falls just out. */
	{ 16, 1024, 0, false,
	  STEPS({ 500, A }, { 600, A }, { 1524, A }, { 500, R }, { 501, A },
		{ 600, R }, { 1523, A }) },
	/* Jump of exactly W = 100 from 5: 5 falls out, 6 stays in. */
	{ 17, 100, 0, false,
	  STEPS({ 5, A }, { 6, A }, { 105, A }, { 5, R }, { 6, R }, { 7, A }) },
	/* Out of order within the window after a jump. */
	{ 18, 64, 0, false,
	  STEPS({ 1, A }, { 2, A }, { 3, A }, { 200, A }, { 190, A },
		{ 150, A }, { 137, A }, { 136, R }, { 190, R }, { 199, A },
		{ 201, A }, { 137, R }, { 138, A }) },
	/* Without ESN the 32-bit number is taken as is: after a top just
	 * below 2^32 a small number is far left of the window. */
	{ 19, 64, 0xfffffff0, false,
	  STEPS({ 2, R, 2 }, { 0xffffffb1, A, 0xffffffb1 },
		{ 0xffffffb0, R, 0xffffffb0 }, { 0xfffffff5, A, 0xfffffff5 },
		{ 0xffffffb5, R }, { 0xffffffb6, A }) },
	/* ESN crossing 2^32, W = 64, top 0xfffffff0 (case A, left edge
	 * 0xffffffb1, then 0xffffffb6). A small low half belongs to the next
	 * block. After the top moved to 2^32 + 2 (case B, left edge
	 * 0xffffffc3 mod 2^32) a large low half belongs to the previous
	 * block, down to that edge; below it, to the current block (far
	 * ahead: its ICV fails). */
	{ 20, 64, 0xfffffff0, true,
	  STEPS({ 0xffffffb1, A, 0xffffffb1 }, { 0xffffffb0, C, 0x1ffffffb0 },
		{ 0xfffffff5, A, 0xfffffff5 }, { 2, A, 0x100000002 },
		{ 0xfffffff0, R, 0xfffffff0 }, { 0xfffffff5, R, 0xfffffff5 },
		{ 0xfffffff8, A, 0xfffffff8 }, { 0xffffffc3, A, 0xffffffc3 },
		{ 0xffffffc2, C, 0x1ffffffc2 }, { 0, A, 0x100000000 },
		{ 3, A, 0x100000003 }, { 2, R, 0x100000002 },
		{ 0xffffffc3, C, 0x1ffffffc3 },
		{ 0xffffffc4, A, 0xffffffc4 }) },
	/* ESN, top < W (case B) with Th = 0: a low half at or right of the
	 * left edge (100 - 1023 mod 2^32 = 0xfffffc65) would need Th - 1. */
	{ 21, 1024, 100, true,
	  STEPS({ 50, A, 50 }, { 0xffffff00, R, BAD }, { 0xfffffc65, R, BAD },
		{ 0xffffffff, R, BAD }, { 0xfffffc64, C, 0xfffffc64 },
		{ 100, R, 100 }, { 101, A, 101 }, { 50, R, 50 }) },
	/* ESN case B with Th = 5, W = 64, top 0x500000010: left edge
	 * 0xffffffd1 (mod 2^32) of block 4. */
	{ 22, 64, 0x500000010, true,
	  STEPS({ 0xffffffe0, A, 0x4ffffffe0 }, { 0xffffffd1, A, 0x4ffffffd1 },
		{ 0xffffffd0, C, 0x5ffffffd0 }, { 0x10, R, 0x500000010 },
		{ 0x11, A, 0x500000011 }, { 0xffffffd1, C, 0x5ffffffd1 },
		{ 0xffffffd2, A, 0x4ffffffd2 }) },
	/* ESN case A inside a block, W = 64, top 0x280000000: left edge
	 * 0x7fffffc1, then 0x7fffffc2; below it is the next block. */
	{ 23, 64, 0x280000000, true,
	  STEPS({ 0x80000001, A, 0x280000001 }, { 0x7fffffc2, A, 0x27fffffc2 },
		{ 0x7fffffc1, C, 0x37fffffc1 }, { 0x7fffffc0, C, 0x37fffffc0 },
		{ 0x7fffffc3, A, 0x27fffffc3 }) },
	/* ESN, the last block: Th + 1 does not exist. */
	{ 24, 64, 0xffffffff80000000, true,
	  STEPS({ 1, R, BAD }, { 0x80000001, A, 0xffffffff80000001 },
		{ 0x7fffffff, A, 0xffffffff7fffffff }) },
	/* ESN, W = 65536, case B at 2^32 + 0x100: left edge 0xffff0101. */
	{ 25, 65536, 0x100000100, true,
	  STEPS({ 0xffff0101, A, 0xffff0101 }, { 0xffff0100, C, 0x1ffff0100 },
		{ 0xffffffff, A, 0xffffffff }, { 0, A, 0x100000000 },
		{ 0xffff0101, R, 0xffff0101 }) },
	/* ESN, case A at its boundary (Tl = W - 1 = 31): the left edge is
	 * 0, so low half 0 infers 0, which is no sequence number. */
	{ 26, 32, 31, true,
	  STEPS({ 1, A, 1 }, { 0, R, BAD }, { 31, R, 31 },
		{ 32, A, 32 }, { 1, R, 1 }) },
	/* ESN, Tl = W - 2 = 30 (case B): low half 0xffffffff needs Th - 1. */
	{ 27, 32, 30, true,
	  STEPS({ 0xffffffff, R, BAD }, { 0, R, BAD }, { 1, A, 1 },
		{ 0xfffffffe, C, 0xfffffffe }) },
	/* Advancing by one word at a time (W = 32: 2 words) clears the slot
	 * entered: 10 and 138 share a ring bit. */
	{ 28, 32, 0, false,
	  STEPS({ 10, A }, { 100, A }, { 140, A }, { 138, A }, { 138, R },
		{ 109, A }, { 108, R }) },
};

/* One packet through the receiver's order of calls. */
static enum verdict receive(struct replay *r, bool esn, uint32_t lo,
			    bool icv_ok, uint64_t *seq, bool *ok)
{
	*seq = replay_infer(r, lo, esn, ok);
	if (!*ok || !replay_check(r, *seq))
		return R;
	if (!icv_ok)
		return C;
	return replay_update(r, *seq) ? A : R;
}

static void run_case(const struct replay_case *tc)
{
	struct replay r;
	size_t i;

	if (replay_init(&r, tc->window, tc->top)) {
		test_fail(__FILE__, __LINE__, "case %d: init", tc->num);
		return;
	}
	for (i = 0; i < tc->n; i++) {
		const struct step *s = &tc->steps[i];
		uint64_t before = r.top, seq;
		bool ok;
		enum verdict v = receive(&r, tc->esn, s->lo, s->v != C, &seq,
					 &ok);

		if (v != s->v)
			test_fail(__FILE__, __LINE__,
				  "case %d step %zu: lo %#" PRIx32
				  ": verdict %d, expected %d",
				  tc->num, i, s->lo, v, s->v);
		if (s->seq == BAD && ok)
			test_fail(__FILE__, __LINE__,
				  "case %d step %zu: inferred %#" PRIx64
				  ", expected none", tc->num, i, seq);
		if (s->seq && s->seq != BAD && (!ok || seq != s->seq))
			test_fail(__FILE__, __LINE__,
				  "case %d step %zu: inferred %#" PRIx64
				  " (ok %d), expected %#" PRIx64,
				  tc->num, i, seq, ok, s->seq);
		if (v != A && r.top != before)
			test_fail(__FILE__, __LINE__,
				  "case %d step %zu: top moved", tc->num, i);
	}
	replay_free(&r);
}

TEST(replay_table)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
}

/* Case 29: two packets of one burst carry the same number; both pass the
 * check before the ICVs are verified, the second update must refuse. */
TEST(replay_burst_duplicate)
{
	static const uint64_t burst[] = { 7, 9, 7, 8, 9 };
	static const bool recorded[] = { true, true, false, true, false };
	struct replay r;
	size_t i;

	REQUIRE(replay_init(&r, 64, 5) == 0);
	for (i = 0; i < 5; i++)
		CHECK(replay_check(&r, burst[i]));
	for (i = 0; i < 5; i++)
		CHECK_EQ(replay_update(&r, burst[i]), recorded[i]);
	CHECK_EQ(r.top, 9);
	CHECK(!replay_check(&r, 7) && !replay_check(&r, 8));
	CHECK(replay_check(&r, 6));
	replay_free(&r);
}

/* Case 30: window bounds, ring shape, and freeing. */
TEST(replay_init_bounds)
{
	static const uint32_t ok[] = { REPLAY_WINDOW_MIN, 33, 64, 65, 100,
				       1024, 4097, REPLAY_WINDOW_MAX };
	struct replay r;
	size_t i;

	CHECK_EQ(replay_init(&r, REPLAY_WINDOW_MIN - 1, 0), -EINVAL);
	CHECK_EQ(replay_init(&r, REPLAY_WINDOW_MAX + 1, 0), -EINVAL);
	CHECK_EQ(replay_init(&r, 0, 0), -EINVAL);
	replay_free(&r);
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		uint64_t words;

		REQUIRE(replay_init(&r, ok[i], 0) == 0);
		words = (uint64_t)r.mask + 1;
		CHECK_EQ(r.window, ok[i]);
		CHECK_EQ(words & (words - 1), 0);
		CHECK(words * 64 >= (uint64_t)ok[i] + 64);
		replay_free(&r);
		replay_free(&r);
	}
	memset(&r, 0, sizeof(r));
	replay_free(&r);
}

/*
 * The naive reference. Every accepted number is kept in a list; the
 * inference picks the candidate h * 2^32 + lo (h = Th - 1, Th, Th + 1) in
 * [top - W + 1, top - W + 2^32], computed in 128 bits.
 */
struct ref {
	uint64_t top;
	uint32_t window;
	uint64_t *seen;
	size_t n, cap;
};

static bool ref_infer(const struct ref *f, uint32_t lo, bool esn,
		      uint64_t *seq)
{
	__int128 left = (__int128)f->top - f->window + 1;
	__int128 th = (__int128)(f->top >> 32);
	__int128 h;

	if (!esn) {
		*seq = lo;
		return lo != 0;
	}
	for (h = th - 1; h <= th + 1; h++) {
		__int128 c = h * ((__int128)1 << 32) + lo;

		if (c >= left && c < left + ((__int128)1 << 32)) {
			if (c < 1 || c > (__int128)UINT64_MAX)
				return false;
			*seq = (uint64_t)c;
			return true;
		}
	}
	return false;
}

static bool ref_seen(const struct ref *f, uint64_t s)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (f->seen[i] == s)
			return true;
	return false;
}

static bool ref_accept(const struct ref *f, uint64_t s)
{
	return s != 0 && s + f->window > f->top && !ref_seen(f, s);
}

static void ref_record(struct ref *f, uint64_t s)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 64;
		f->seen = realloc(f->seen, f->cap * sizeof(*f->seen));
		if (!f->seen)
			abort();
	}
	f->seen[f->n++] = s;
	if (s > f->top)
		f->top = s;
}

static uint32_t pick_window(void)
{
	static const uint32_t edges[] = { 32, 33, 63, 64, 65, 100, 127, 128,
					  129, 1000, 1024, 4096, 65535, 65536 };

	if (test_rand() % 2)
		return edges[test_rand() % (sizeof(edges) / sizeof(edges[0]))];
	return REPLAY_WINDOW_MIN +
	       (uint32_t)(test_rand() %
			  (REPLAY_WINDOW_MAX - REPLAY_WINDOW_MIN + 1));
}

static uint64_t pick_top(bool esn)
{
	switch (test_rand() % 4) {
	case 0:
		return 0;
	case 1:
		return test_rand() % 200000;
	case 2: /* just below a 2^32 boundary */
		return (esn ? (test_rand() % 4) << 32 : 0) + 0xffffffffULL -
		       test_rand() % 70000;
	default:
		return esn ? test_rand() >> 8 : (uint32_t)test_rand();
	}
}

/* The next number a sender (or an attacker) might put on the wire. */
static uint64_t pick_seq(uint64_t x, uint64_t top, uint32_t w, uint64_t ring)
{
	uint64_t k = test_rand() % 100;

	if (k < 50)
		return x + 1 + test_rand() % 3;
	if (k < 62) /* duplicate or nearby out of order */
		return x - test_rand() % ((uint64_t)w + w / 4 + 2);
	if (k < 70) /* around the left edge */
		return top - w + test_rand() % 5 - 2;
	if (k < 74) /* exactly W, exactly the ring, one past it */
		return top + (k == 70 ? w : k == 71 ? ring : ring + 1);
	if (k < 80)
		return x + test_rand() % (4 * ring);
	if (k < 84)
		return x + test_rand() % 0x40000000;
	if (k < 90)
		return x - test_rand() % (4 * ring);
	return test_rand() % 3 ? top + test_rand() % 70 : test_rand();
}

static void run_random(int iter, unsigned steps)
{
	struct ref f = { 0 };
	struct replay r;
	bool esn = test_rand() % 2;
	uint32_t w = pick_window();
	uint64_t x, ring;
	unsigned i;

	f.top = x = pick_top(esn);
	f.window = w;
	if (f.top)
		ref_record(&f, f.top);
	if (replay_init(&r, w, f.top))
		abort();
	ring = ((uint64_t)r.mask + 1) * 64;
	for (i = 0; i < steps; i++) {
		uint64_t s = pick_seq(x, f.top, w, ring), rs = 0, got;
		uint32_t lo = (uint32_t)s;
		bool icv = test_rand() % 16 != 0, rok, ok;
		enum verdict want, v;

		rok = ref_infer(&f, lo, esn, &rs);
		want = !rok || !ref_accept(&f, rs) ? R : icv ? A : C;
		v = receive(&r, esn, lo, icv, &got, &ok);
		if (want == A)
			ref_record(&f, rs);
		if (v != want || ok != rok || (ok && got != rs) ||
		    r.top != f.top) {
			test_fail(__FILE__, __LINE__,
				  "run %d step %u: W %" PRIu32 " esn %d lo %#"
				  PRIx32 ": verdict %d want %d, seq %#" PRIx64
				  " want %#" PRIx64 ", top %#" PRIx64
				  " want %#" PRIx64,
				  iter, i, w, esn, lo, v, want, got, rs, r.top,
				  f.top);
			break;
		}
		if (test_rand() % 8)
			x = esn ? s : (uint32_t)s;
	}
	replay_free(&r);
	free(f.seen);
}

/* Cases 31+: tens of thousands of packets against the reference. */
TEST(replay_differential)
{
	int i;

	for (i = 0; i < 300 && !test_failures(); i++)
		run_random(i, 300);
}
