/* SPDX-License-Identifier: MIT */
/*
 * A minimal unit-test harness. Each test file defines TEST(name) functions;
 * test/unit/main.c runs those named on the command line, or all of them,
 * printing one line per test ("PASS name" or "FAIL name: file:line: what")
 * and exiting non-zero when any failed. test/run.sh counts the lines.
 */
#ifndef TUNSEC_TEST_H
#define TUNSEC_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct test_case {
	const char *name;
	void (*fn)(void);
	struct test_case *next;
};

void test_register(struct test_case *tc);
void test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Failures so far in the running test. */
int test_failures(void);

#define TEST(name)                                                         \
	static void test_##name(void);                                     \
	static struct test_case tc_##name = { #name, test_##name, NULL };  \
	__attribute__((constructor)) static void reg_##name(void)          \
	{                                                                  \
		test_register(&tc_##name);                                 \
	}                                                                  \
	static void test_##name(void)

/* Record a failure and go on with the test. */
#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond))                                               \
			test_fail(__FILE__, __LINE__, "%s", #cond);        \
	} while (0)

#define CHECK_EQ(a, b)                                                     \
	do {                                                               \
		long long _a = (long long)(a), _b = (long long)(b);        \
		if (_a != _b)                                              \
			test_fail(__FILE__, __LINE__, "%s == %s (%lld != %lld)", \
				  #a, #b, _a, _b);                         \
	} while (0)

#define CHECK_MEM(a, b, n)                                                 \
	do {                                                               \
		if (memcmp((a), (b), (n)))                                 \
			test_fail(__FILE__, __LINE__, "memory %s == %s",   \
				  #a, #b);                                 \
	} while (0)

/* Stop the test when a check fails (for checks later steps depend on). */
#define REQUIRE(cond)                                                      \
	do {                                                               \
		if (!(cond)) {                                             \
			test_fail(__FILE__, __LINE__, "%s", #cond);        \
			return;                                            \
		}                                                          \
	} while (0)

/* A deterministic pseudo-random generator for property tests (xorshift64*).
 * Seeded from TUNSEC_TEST_SEED or a fixed value; the seed is printed on
 * failure so a run can be repeated. */
uint64_t test_rand(void);
void test_rand_bytes(void *p, size_t n);
uint64_t test_seed(void);

/* Directory of the source tree (for vectors); from TUNSEC_SRCDIR or ".". */
const char *test_srcdir(void);

#endif
