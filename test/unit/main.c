/* SPDX-License-Identifier: MIT */
#include "test.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

static struct test_case *cases;
static int failures;
static uint64_t seed, state;

void test_register(struct test_case *tc)
{
	struct test_case **p = &cases;

	/* Keep the order of the files' declarations within one file. */
	while (*p)
		p = &(*p)->next;
	*p = tc;
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (failures < 20)
		printf("  %s:%d: %s\n", file, line, msg);
	failures++;
}

int test_failures(void)
{
	return failures;
}

uint64_t test_rand(void)
{
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return state * 2685821657736338717ULL;
}

void test_rand_bytes(void *p, size_t n)
{
	uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (uint8_t)(test_rand() >> 56);
}

uint64_t test_seed(void)
{
	return seed;
}

const char *test_srcdir(void)
{
	const char *d = getenv("TUNSEC_SRCDIR");

	return d ? d : ".";
}

static bool selected(const char *name, int argc, char **argv)
{
	int i;

	if (argc < 2)
		return true;
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], name))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	const char *s = getenv("TUNSEC_TEST_SEED");
	struct test_case *tc;
	int failed = 0;

	seed = s ? strtoull(s, NULL, 0) : 0x74756e7365630001ULL;
	log_set_ident("unit");
	log_set_level(LOG_WARN);
	for (tc = cases; tc; tc = tc->next) {
		if (!selected(tc->name, argc, argv))
			continue;
		state = seed ? seed : 1;
		failures = 0;
		tc->fn();
		if (failures) {
			printf("FAIL %s (seed %#" PRIx64 ")\n", tc->name, seed);
			failed++;
		} else {
			printf("PASS %s\n", tc->name);
		}
		fflush(stdout);
	}
	return failed ? 1 : 0;
}
