/* SPDX-License-Identifier: MIT */
#include "util/secure.h"

#include <stdint.h>
#include <string.h>

void secure_zero(void *p, size_t n)
{
	if (n == 0)
		return;
	memset(p, 0, n);
	/* The barrier tells the compiler the zeroed memory may be read. */
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

bool ct_equal(const void *a, const void *b, size_t n)
{
	const volatile uint8_t *x = a, *y = b;
	uint8_t diff = 0;
	size_t i;

	for (i = 0; i < n; i++)
		diff |= (uint8_t)(x[i] ^ y[i]);
	return diff == 0;
}
