/* SPDX-License-Identifier: MIT */
/*
 * Secret hygiene: the one wiping function and the one constant-time compare.
 * Every buffer that held key material is cleared with secure_zero(); every
 * comparison of an ICV, MAC, AUTH payload or cookie uses ct_equal().
 */
#ifndef TUNSEC_UTIL_SECURE_H
#define TUNSEC_UTIL_SECURE_H

#include <stdbool.h>
#include <stddef.h>

/* Overwrite n bytes at p with zeros; never optimised away. p may be NULL
 * when n is 0. */
void secure_zero(void *p, size_t n);

/* True when the n bytes at a and b are equal. The time taken depends only
 * on n, never on the contents. */
bool ct_equal(const void *a, const void *b, size_t n);

#endif
