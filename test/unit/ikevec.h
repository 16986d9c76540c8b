/* SPDX-License-Identifier: MIT */
/*
 * The reader of the IKE known-answer files in test/vectors/ike/ (written
 * by test/vectors/ike/gen_ike_vectors.py; format as test/vectors/README.md,
 * field names free, listed in each file's header comment). A file is read
 * case by case; the caller's function takes each field it needs by name.
 * Every failure (unreadable file, malformed line, missing or bad field, a
 * field no test looked at, fewer cases than "name =" lines) is reported
 * with test_fail(), so a file that is not fully used fails its test.
 */
#ifndef TUNSEC_TEST_IKEVEC_H
#define TUNSEC_TEST_IKEVEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/alg.h"
#include "ike/prf.h"

#define IKEVEC_FIELDS_MAX 24

struct ikevec_field {
	char key[24];
	char *text;  /* whole value, continuation lines joined */
	bool used;
};

struct ikevec {
	const char *file;
	int line;    /* where the case begins */
	const char *name;
	size_t n;
	struct ikevec_field f[IKEVEC_FIELDS_MAX];
};

typedef void ikevec_case_fn(struct ikevec *v, void *arg);

/* Read test/vectors/ike/<file> and call fn on every case; returns the
 * number of cases (0 after a failure). */
int ikevec_read(const char *file, ikevec_case_fn *fn, void *arg);

/* Whether the case has the field (marks it used). */
bool ikevec_has(struct ikevec *v, const char *key);

/* The field's text; "" (and a failure) when it is missing. */
const char *ikevec_text(struct ikevec *v, const char *key);

/* The field as hex bytes, in a buffer the caller frees; *len set. NULL
 * (and a failure) when missing or not hex. An empty value gives a
 * non-NULL one-byte buffer and *len 0. */
uint8_t *ikevec_hex(struct ikevec *v, const char *key, size_t *len);

/* The field as a decimal number (failure: 0). */
unsigned long ikevec_uint(struct ikevec *v, const char *key);

/* Algorithm names as the files write them (failure: 0). */
enum ike_prf_alg ikevec_prf(struct ikevec *v, const char *key);
enum ike_encr_alg ikevec_encr(struct ikevec *v, const char *key);
enum ike_integ_alg ikevec_integ(struct ikevec *v, const char *key);

/* A failure located at the case. */
#define IKEVEC_FAIL(v, fmt, ...)                                           \
	test_fail((v)->file, (v)->line, "%s: " fmt, (v)->name, ##__VA_ARGS__)

#endif
