/* SPDX-License-Identifier: MIT */
/*
 * A negotiated Child SA into the data plane: KEYMAT from SK_d, the nonces
 * of the exchange that created it and, with PFS, its new shared secret
 * (RFC 7296 §2.17), the
 * outbound keys of that exchange's initiator first, each direction an
 * esp_sa_config (RFC 4106/4309/7634 salts come with the key material).
 * Rekeys replace SAs make-before-break: the new inbound SA first, the
 * new outbound one when the peer has its inbound one, the old inbound one
 * after a grace time.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ike/ikesa.h"
#include "ike/nego.h"
#include "util/log.h"
#include "util/secure.h"

uint32_t ike_child_new_spi(struct ike *ike)
{
	uint32_t spi;

	do
		ike->env.random(ike->env.ctx, &spi, sizeof(spi));
	while (spi < 256); /* 1-255 are reserved (RFC 4303 §2.1) */
	return spi;
}

/* One direction's key for the data plane: an AEAD's key || salt, or, for
 * NULL with HMAC-SHA-256, the integrity key. */
static void dir_key(const uint8_t *encr, const uint8_t *integ,
		    const struct ike_child_keys *k, bool aead,
		    struct esp_sa_config *cfg)
{
	cfg->key = aead ? encr : integ;
	cfg->key_len = (uint32_t)(aead ? k->encr_len : k->integ_len);
}

static void base_config(const struct ike_child *c, enum esp_cipher cipher,
			uint8_t icv, struct esp_sa_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->cipher = cipher;
	cfg->icv_len = icv;
	cfg->mode = c->transport ? ESP_MODE_TRANSPORT : ESP_MODE_TUNNEL;
	cfg->encap = ESP_ENCAP_UDP;
	cfg->esn = c->suite.esn;
}

/* Both halves of the child from KEYMAT; keys point into *k. */
static int configs(struct ike_sa *sa, const struct ike_child *c,
		   bool we_init, const struct ike_child_seed *seed,
		   struct ike_child_sa *cs, struct ike_child_keys *k)
{
	struct ike_child_suite suite = {
		.encr = (enum ike_encr_alg)c->suite.encr,
		.encr_key_bits = c->suite.encr_key_bits,
		.integ = (enum ike_integ_alg)c->suite.integ,
	};
	enum esp_cipher cipher;
	bool aead = !c->suite.integ;
	size_t keymat;
	uint8_t icv;
	int err;

	if (nego_esp_cipher(&c->suite, &cipher, &icv, &keymat))
		return -ENOTSUP;
	err = ike_keys_child(sa->keys, &suite, seed->g_ir, seed->g_ir_len,
			     seed->ni, seed->ni_len, seed->nr, seed->nr_len, k);
	if (err)
		return err;
	memset(cs, 0, sizeof(*cs));
	cs->peer = sa->peer;
	cs->sel = c->sel;
	cs->nsel = c->nsel;
	cs->remote = sa->remote;
	cs->slot = c->slot;
	base_config(c, cipher, icv, &cs->in);
	base_config(c, cipher, icv, &cs->out);
	cs->in.spi = c->spi_in;
	cs->out.spi = c->spi_out;
	cs->out.seq = 1;
	if (we_init) {
		dir_key(k->i2r_encr, k->i2r_integ, k, aead, &cs->out);
		dir_key(k->r2i_encr, k->r2i_integ, k, aead, &cs->in);
	} else {
		dir_key(k->r2i_encr, k->r2i_integ, k, aead, &cs->out);
		dir_key(k->i2r_encr, k->i2r_integ, k, aead, &cs->in);
	}
	return 0;
}

/* Keep the outbound half for ike_child_switch_out(). */
static void keep_out(struct ike *ike, struct ike_child *c,
		     const struct esp_sa_config *out)
{
	struct ike_pending_out *p = &c->out;

	p->valid = true;
	p->spi = out->spi;
	memcpy(p->key, out->key, out->key_len);
	p->key_len = out->key_len;
	p->at = ike->env.now_ms(ike->env.ctx) + IKE_SWITCH_MS;
}

int ike_child_install(struct ike *ike, struct ike_sa *sa,
		      struct ike_child *c, bool we_init,
		      const struct ike_child_seed *seed, unsigned halves)
{
	struct ike_child_sa cs;
	struct ike_child_keys k;
	int err;

	err = configs(sa, c, we_init, seed, &cs, &k);
	if (err)
		return err;
	err = ike->env.child_up(ike->env.ctx, &cs, halves);
	if (!err && !(halves & IKE_HALF_OUT))
		keep_out(ike, c, &cs.out);
	ike_child_keys_wipe(&k);
	if (err)
		return err;
	c->up = true;
	log_info("ike %s: Child SA in force (spi in %08x, out %08x%s)",
		 ikesa_cfg(ike, sa)->name, c->spi_in, c->spi_out,
		 halves & IKE_HALF_OUT ? "" : " from the old SA's deletion");
	return 0;
}

void ike_child_twin_promote(struct ike *ike, struct ike_sa *sa)
{
	struct ike_twin *t = &sa->twin;
	struct ike_child *c, old;

	if (!t->valid)
		return;
	c = &sa->child[t->idx];
	old = *c;
	*c = t->next;
	c->spi_out = old.spi_out; /* until the peer deletes it */
	c->old_spi_in = old.spi_in;
	secure_zero(t, sizeof(*t));
	ike_child_schedule(ike, sa, c);
	ike->stats.child_rekeys++;
}

struct ike_child *ike_child_by_out(struct ike_sa *sa, uint32_t spi)
{
	unsigned i;

	for (i = 0; i < IKE_CHILDREN_MAX; i++)
		if (sa->child[i].up && sa->child[i].spi_out == spi)
			return &sa->child[i];
	return NULL;
}

bool ike_children_switching(const struct ike_sa *sa)
{
	unsigned i;

	for (i = 0; i < IKE_CHILDREN_MAX; i++)
		if (sa->child[i].out.valid)
			return true;
	return sa->twin.valid;
}

bool ike_children_settling(const struct ike_sa *sa)
{
	unsigned i;

	for (i = 0; i < IKE_CHILDREN_MAX; i++)
		if (sa->child[i].old_spi_in)
			return true;
	return ike_children_switching(sa);
}

bool ike_children_up(const struct ike_sa *sa)
{
	unsigned i;

	for (i = 0; i < IKE_CHILDREN_MAX; i++)
		if (sa->child[i].up)
			return true;
	return false;
}

void ike_child_drop(struct ike *ike, struct ike_sa *sa, struct ike_child *c)
{
	uint8_t slot = c->slot;

	if (c->up)
		ike->env.child_down(ike->env.ctx, sa->peer, c->spi_in,
				    c->spi_out);
	if (c->up && c->old_spi_in)
		ike->env.child_down(ike->env.ctx, sa->peer, c->old_spi_in, 0);
	secure_zero(c, sizeof(*c));
	c->slot = slot;
}

void ike_child_switch_out(struct ike *ike, struct ike_sa *sa,
			  struct ike_child *c)
{
	struct ike_pending_out *p = &c->out;
	struct ike_child_sa cs;
	enum esp_cipher cipher;
	size_t keymat;
	uint8_t icv;

	if (!p->valid || nego_esp_cipher(&c->suite, &cipher, &icv, &keymat))
		return;
	memset(&cs, 0, sizeof(cs));
	cs.peer = sa->peer;
	cs.sel = c->sel;
	cs.nsel = c->nsel;
	cs.remote = sa->remote;
	cs.slot = c->slot;
	base_config(c, cipher, icv, &cs.out);
	cs.out.spi = p->spi;
	cs.out.seq = 1;
	cs.out.key = p->key;
	cs.out.key_len = p->key_len;
	if (!ike->env.child_up(ike->env.ctx, &cs, IKE_HALF_OUT))
		c->spi_out = p->spi;
	secure_zero(p, sizeof(*p));
}

/* Counters are looked at this often: with byte or packet limits, and
 * always for sequence numbers (which last at least hours). */
#define USAGE_LIMITS_MS 2000
#define USAGE_SEQ_MS 10000
/* A non-ESN outbound SA is rekeyed with fewer sequence numbers left. */
#define SEQ_SOFT (1ull << 31)

void ike_child_schedule(struct ike *ike, struct ike_sa *sa,
			struct ike_child *c)
{
	const struct ike_peer_cfg *cfg = ikesa_cfg(ike, sa);
	uint32_t jitter = 0, life = cfg->child_life_s;
	uint64_t now = ike->env.now_ms(ike->env.ctx);

	c->expire_at = life ? now + 1000ull * life : 0;
	c->usage_at = !ike->env.child_usage ? 0 :
		now + (cfg->child_bytes || cfg->child_packets ?
			       USAGE_LIMITS_MS : USAGE_SEQ_MS);
	if (!life || life <= cfg->margin_s + cfg->jitter_s) {
		c->rekey_at = 0;
		return;
	}
	if (cfg->jitter_s)
		ike->env.random(ike->env.ctx, &jitter, sizeof(jitter));
	jitter = cfg->jitter_s ? jitter % cfg->jitter_s : 0;
	c->rekey_at = now + 1000ull * (life - cfg->margin_s - jitter);
}

void ike_child_retire(struct ike *ike, struct ike_sa *sa, uint32_t spi)
{
	unsigned i;

	for (i = 0; i < IKE_RETIRED_MAX; i++)
		if (!sa->retired[i].spi) {
			sa->retired[i].spi = spi;
			sa->retired[i].remove_at = ike->env.now_ms(ike->env.ctx) +
						   IKE_GRACE_MS;
			return;
		}
	/* No room: it goes now. */
	ike->env.child_down(ike->env.ctx, sa->peer, spi, 0);
}

uint64_t ike_child_reap(struct ike *ike, struct ike_sa *sa, uint64_t now)
{
	uint64_t next = 0;
	unsigned i;

	for (i = 0; i < IKE_RETIRED_MAX; i++) {
		struct ike_retired *r = &sa->retired[i];

		if (!r->spi)
			continue;
		if (now >= r->remove_at) {
			ike->env.child_down(ike->env.ctx, sa->peer, r->spi, 0);
			r->spi = 0;
		} else if (!next || r->remove_at < next) {
			next = r->remove_at;
		}
	}
	return next;
}

/* Over the soft (90%) or hard limit of what. */
static int over(uint64_t used, uint64_t limit)
{
	if (!limit)
		return 0;
	if (used >= limit)
		return 2;
	return used >= limit - limit / 10 ? 1 : 0;
}

bool ike_child_limits(struct ike *ike, struct ike_sa *sa, struct ike_child *c,
		      uint64_t now)
{
	const struct ike_peer_cfg *cfg = ikesa_cfg(ike, sa);
	uint64_t bytes, packets, left;
	int level;

	if (!c->up || !c->usage_at || now < c->usage_at)
		return false;
	c->usage_at = now + (cfg->child_bytes || cfg->child_packets ?
				     USAGE_LIMITS_MS : USAGE_SEQ_MS);
	if (ike->env.child_usage(ike->env.ctx, sa->peer, c->spi_in, c->spi_out,
				 &bytes, &packets, &left))
		return false;
	level = over(bytes, cfg->child_bytes);
	if (over(packets, cfg->child_packets) > level)
		level = over(packets, cfg->child_packets);
	if (!c->suite.esn && left < SEQ_SOFT && level < 1)
		level = 1; /* RFC 4303 §3.3.3: rekey before the numbers end */
	if (level == 2) {
		log_warn("ike %s: Child SA at its hard limit: deleted",
			 cfg->name);
		ike->stats.expired++;
		ike_info_send_child_delete(ike, sa, c->spi_in);
		ike->env.child_down(ike->env.ctx, sa->peer, c->spi_in,
				    c->spi_out);
		c->up = false;
		return true;
	}
	if (level == 1 && !c->out.valid && !c->old_spi_in) {
		c->rekey_at = now; /* due now: rekeys() starts it */
		return false;
	}
	return false;
}
