/* SPDX-License-Identifier: MIT */
#ifndef TUNSEC_UTIL_HEX_H
#define TUNSEC_UTIL_HEX_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decode the hex string s (an optional "0x" prefix; no separators) into at
 * most cap bytes at out. Returns the number of bytes written, or -EINVAL for
 * a bad digit or odd length, -E2BIG when it does not fit. On failure out may
 * hold partial output; callers decoding keys wipe it.
 */
int hex_decode(const char *s, uint8_t *out, size_t cap);

/* Write 2*n lower-case hex digits and a NUL to out (cap >= 2*n+1). */
void hex_encode(const uint8_t *in, size_t n, char *out);

#endif
