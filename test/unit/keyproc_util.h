/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the keys-process tests (test_ike_keyproc*.c): secret
 * tables with fixed patterns and the reference AUTH computation.
 */
#ifndef TUNSEC_TEST_KEYPROC_UTIL_H
#define TUNSEC_TEST_KEYPROC_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/keyproc.h"

#define KU_TMO 2000 /* ms; the keys side answers in microseconds */

/* A shared-key secret id of the n bytes at p (n <= KEYPROC_SECRET_MAX). */
struct keyproc_secret ku_secret(uint32_t id, const void *p, size_t n);

/* A table of n secrets, ids 0, step, 2 step..., secret i made of
 * i % 200 + 1 bytes of the value 0x40 + i. */
void ku_table(struct keyproc_secret *t, unsigned n, uint32_t step);

bool ku_all_zero(const void *p, size_t n);

/* The reference: out = prf(prf(s, "Key Pad for IKEv2"), octets), RFC 7296
 * §2.15 with the signed octets given assembled. */
void ku_ref_auth(enum ike_prf_alg prf, const struct keyproc_secret *s,
		 const uint8_t *octets, size_t len, uint8_t *out);

#endif
