/* SPDX-License-Identifier: MIT */
/*
 * The reader of the known-answer vector files in test/vectors/ (format:
 * test/vectors/README.md). A file is read case by case; each case is
 * decoded, checked for consistency with itself (lengths, ESP header fields,
 * padding) and handed to a callback. Reading stops at the first malformed
 * line or case; the result says where and why. No test harness calls: the
 * caller decides what a malformed file means.
 */
#ifndef TUNSEC_TEST_VECFILE_H
#define TUNSEC_TEST_VECFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/aead.h"

#define VEC_BYTES_MAX 512   /* largest hex value, in bytes */

/* A cipher a vector may name, with what its key material holds: key_len
 * bytes of key, then salt_len bytes of salt. */
struct vec_cipher {
	const char *name;
	enum aead_alg alg;
	size_t key_len, salt_len;
	bool gcm;
};

struct vec_bytes {
	uint8_t b[VEC_BYTES_MAX];
	size_t n;
};

/* One case, decoded. Keys in vectors are published test keys, not secrets.
 * esp_level: an ESP packet (spi, seq, esn, iv, padding, next_header, esp
 * set); otherwise AEAD inputs (aad, ciphertext, tag, and either nonce or
 * iv after a key || salt). */
struct vec {
	char name[128];
	int line;                        /* where the case begins */
	bool esp_level;
	const struct vec_cipher *cipher; /* static; never NULL */
	unsigned icv;
	struct vec_bytes key, iv, nonce, aad, plaintext, padding, esp, ct, tag;
	uint32_t spi;
	uint64_t seq;
	bool esn;
	uint8_t next_header;
};

/* What reading one file came to. */
struct vecfile_result {
	int cases;       /* cases decoded and handed to the callback */
	bool failed;     /* unreadable or malformed; why and line say where */
	int line;
	char why[256];
};

/* Called once per decoded case; v is valid only during the call. */
typedef void vecfile_case_fn(const struct vec *v, void *arg);

/* Read path and hand every case in it to fn, up to the first error, which
 * is recorded in *res (res->failed). A file with no case is not an error
 * here: res->cases is 0. */
void vecfile_read(const char *path, vecfile_case_fn *fn, void *arg,
		  struct vecfile_result *res);

/* Lines of path that begin a "name = ..." field, counted without the
 * parser, so a parser that skipped cases is caught; 0 if unreadable. */
int vecfile_count_names(const char *path);

#endif
