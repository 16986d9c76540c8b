/* SPDX-License-Identifier: MIT */
/*
 * A negotiated Child SA into the data plane: KEYMAT from SK_d and the
 * nonces (RFC 7296 §2.17, no PFS in IKE_AUTH), the initiator's outbound
 * keys first, each direction an esp_sa_config (RFC 4106/4309/7634 salts
 * come with the key material).
 */
#include <errno.h>
#include <string.h>

#include "ike/ikesa.h"
#include "ike/nego.h"
#include "util/log.h"
#include "util/secure.h"

/* One direction's key for the data plane: an AEAD's key || salt, or, for
 * NULL with HMAC-SHA-256, the integrity key. */
static void dir_key(const uint8_t *encr, const uint8_t *integ,
		    const struct ike_child_keys *k, bool aead,
		    struct esp_sa_config *cfg)
{
	cfg->key = aead ? encr : integ;
	cfg->key_len = (uint32_t)(aead ? k->encr_len : k->integ_len);
}

static void base_config(const struct ike_sa *sa, enum esp_cipher cipher,
			uint8_t icv, struct esp_sa_config *cfg)
{
	const struct ike_child *c = &sa->child;

	memset(cfg, 0, sizeof(*cfg));
	cfg->cipher = cipher;
	cfg->icv_len = icv;
	cfg->mode = c->transport ? ESP_MODE_TRANSPORT : ESP_MODE_TUNNEL;
	cfg->encap = ESP_ENCAP_UDP;
	cfg->esn = c->suite.esn;
}

int ike_child_install(struct ike *ike, struct ike_sa *sa)
{
	struct ike_child *c = &sa->child;
	struct ike_child_suite suite = {
		.encr = (enum ike_encr_alg)c->suite.encr,
		.encr_key_bits = c->suite.encr_key_bits,
		.integ = (enum ike_integ_alg)c->suite.integ,
	};
	struct ike_child_sa cs = { .peer = sa->peer, .sel = c->sel,
				   .nsel = c->nsel };
	struct ike_child_keys k;
	enum esp_cipher cipher;
	uint8_t icv;
	size_t keymat;
	bool aead;
	int err;

	if (nego_esp_cipher(&c->suite, &cipher, &icv, &keymat))
		return -ENOTSUP;
	aead = !c->suite.integ;
	err = ike_keys_child(sa->keys, &suite, NULL, 0, sa->ni, sa->ni_len,
			     sa->nr, sa->nr_len, &k);
	if (err)
		return err;
	base_config(sa, cipher, icv, &cs.in);
	base_config(sa, cipher, icv, &cs.out);
	cs.in.spi = c->spi_in;
	cs.out.spi = c->spi_out;
	cs.out.seq = 1;
	if (sa->initiator) {
		dir_key(k.i2r_encr, k.i2r_integ, &k, aead, &cs.out);
		dir_key(k.r2i_encr, k.r2i_integ, &k, aead, &cs.in);
	} else {
		dir_key(k.r2i_encr, k.r2i_integ, &k, aead, &cs.out);
		dir_key(k.i2r_encr, k.i2r_integ, &k, aead, &cs.in);
	}
	err = ike->env.child_up(ike->env.ctx, &cs);
	ike_child_keys_wipe(&k);
	if (!err) {
		c->up = true;
		log_info("ike %s: Child SA up (spi in %08x, out %08x)",
			 ikesa_cfg(ike, sa)->name, c->spi_in, c->spi_out);
	}
	return err;
}
