/* SPDX-License-Identifier: MIT */
/* Helpers of the keys-process tests (keyproc_util.h). */
#include "keyproc_util.h"

#include <string.h>

#include "util/secure.h"

struct keyproc_secret ku_secret(uint32_t id, const void *p, size_t n)
{
	struct keyproc_secret s = { .id = id, .kind = KEYPROC_KIND_PSK };

	memcpy(s.bytes, p, n);
	s.len = n;
	return s;
}

void ku_table(struct keyproc_secret *t, unsigned n, uint32_t step)
{
	uint8_t b[KEYPROC_SECRET_MAX];
	unsigned i;

	for (i = 0; i < n; i++) {
		memset(b, (int)(0x40 + i), sizeof(b));
		t[i] = ku_secret(i * step, b, i % 200 + 1);
	}
}

bool ku_all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

void ku_ref_auth(enum ike_prf_alg prf, const struct keyproc_secret *s,
		 const uint8_t *octets, size_t len, uint8_t *out)
{
	const struct ike_bytes pad = { (const uint8_t *)"Key Pad for IKEv2",
				       17 };
	const struct ike_bytes oct = { octets, len };
	uint8_t k[IKE_PRF_LEN_MAX];

	ike_prf(prf, s->bytes, s->len, &pad, 1, k);
	ike_prf(prf, k, ike_prf_len(prf), &oct, 1, out);
	secure_zero(k, sizeof(k));
}
