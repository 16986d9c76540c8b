/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the certificate tests (test_ike_cert.c, test_ike_authsig.c,
 * test_ike_keyproc.c): the files of test/vectors/ike-cert/ (see its
 * README.md; its keys are test data).
 */
#ifndef TUNSEC_TEST_CERT_UTIL_H
#define TUNSEC_TEST_CERT_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include "ike/authsig.h"
#include "ike/cert.h"

/* The absolute path of test/vectors/ike-cert/name, in a static buffer
 * (one per call site is enough: the next call overwrites it). */
const char *cu_path(const char *name);

/* The private key in test/vectors/ike-cert/name; NULL when it does not
 * load. */
EVP_PKEY *cu_key(const char *name);

/* The first certificate of test/vectors/ike-cert/name; NULL on failure. */
struct ike_x509 *cu_cert(const char *name);

/* The hex value of "field = HEX" in test/vectors/ike-cert/file into out
 * (exactly len bytes). */
bool cu_hex_field(const char *file, const char *field, uint8_t *out,
		  size_t len);

/* The authsig table entry named name ("ecdsa-with-SHA256" ...); NULL
 * when there is none. */
const struct ike_authsig_alg *cu_alg(const char *name);

/* Read test/vectors/ike-cert/name whole into a malloc'd buffer. */
uint8_t *cu_read(const char *name, size_t *len);

#endif
