/* SPDX-License-Identifier: MIT */
/* Proposals for the exchanges, over proposal.c. */
#include <errno.h>
#include <string.h>

#include "ike/nego.h"
#include "ike/ts.h"
#include "util/bytes.h"

void nego_ike_offer(const struct ike_peer_cfg *cfg, struct ike_proposal *out,
		    unsigned *n)
{
	int r = ike_proposals_build(cfg->ike, cfg->nike, NULL, 0, 0, out,
				    IKE_OFFERS_MAX);

	*n = r > 0 ? (unsigned)r : 0;
}

static unsigned esp_flags(bool pfs)
{
	return pfs ? 0 : IKE_PROP_NO_KE;
}

void nego_esp_offer(const struct ike_peer_cfg *cfg, uint32_t spi, bool pfs,
		    struct ike_proposal *out, unsigned *n)
{
	uint8_t s[4];
	int r;

	put_be32(s, spi);
	r = ike_proposals_build(cfg->esp, cfg->nesp, s, 4, esp_flags(pfs), out,
				IKE_OFFERS_MAX);
	*n = r > 0 ? (unsigned)r : 0;
}

int nego_ike_select(const struct ike_peer_cfg *cfg,
		    const struct ike_sa_payload *sa, uint16_t ke_group,
		    struct ike_suite_ike *chosen, struct ike_proposal *reply)
{
	struct ike_choice c;

	if (ike_proposal_select(sa, cfg->ike, cfg->nike, 0, ke_group, &c))
		return -ENOENT;
	*chosen = c.ike;
	*reply = c.prop;
	return 0;
}

int nego_esp_select(const struct ike_peer_cfg *cfg,
		    const struct ike_sa_payload *sa, bool pfs,
		    uint16_t ke_group, uint32_t our_spi,
		    struct ike_suite_esp *chosen, uint32_t *peer_spi,
		    struct ike_proposal *reply)
{
	struct ike_choice c;

	if (ike_proposal_select(sa, cfg->esp, cfg->nesp, esp_flags(pfs),
				pfs ? ke_group : 0, &c) ||
	    c.prop.spi_size != 4)
		return -ENOENT;
	*chosen = c.esp;
	*peer_spi = get_be32(c.prop.spi);
	*reply = c.prop;
	put_be32(reply->spi, our_spi);
	return 0;
}

int nego_ike_check(const struct ike_peer_cfg *cfg,
		   const struct ike_sa_payload *sa,
		   struct ike_suite_ike *chosen)
{
	struct ike_choice c;

	if (ike_proposal_check(sa, cfg->ike, cfg->nike, 0, &c))
		return -EBADMSG;
	*chosen = c.ike;
	return 0;
}

int nego_esp_check(const struct ike_peer_cfg *cfg,
		   const struct ike_sa_payload *sa, bool pfs,
		   struct ike_suite_esp *chosen, uint32_t *peer_spi)
{
	struct ike_choice c;

	if (ike_proposal_check(sa, cfg->esp, cfg->nesp, esp_flags(pfs), &c) ||
	    c.prop.spi_size != 4)
		return -EBADMSG;
	*chosen = c.esp;
	*peer_spi = get_be32(c.prop.spi);
	return *peer_spi >= 256 ? 0 : -EBADMSG;
}

bool nego_dh_offered(const struct ike_peer_cfg *cfg, uint16_t group)
{
	return ike_proposals_offer_dh(cfg->ike, cfg->nike, group);
}

bool nego_esp_dh_offered(const struct ike_peer_cfg *cfg, uint16_t group)
{
	return ike_proposals_offer_dh(cfg->esp, cfg->nesp, group);
}

uint16_t nego_esp_first_dh(const struct ike_peer_cfg *cfg)
{
	return ike_proposals_first_dh(cfg->esp, cfg->nesp);
}

int nego_esp_cipher(const struct ike_suite_esp *s, enum esp_cipher *cipher,
		    uint8_t *icv, size_t *keymat)
{
	return ike_suite_esp_to_cipher(s, cipher, icv, keymat) ? -ENOTSUP : 0;
}

int nego_ts_offer_sel(const struct spd_selector *sel, unsigned n,
		      struct ike_ts_payload *tsi, struct ike_ts_payload *tsr)
{
	return ike_ts_build(sel, n, tsi, tsr) ? -EINVAL : 0;
}

int nego_ts_offer(const struct ike_peer_cfg *cfg, struct ike_ts_payload *tsi,
		  struct ike_ts_payload *tsr)
{
	return ike_ts_build(cfg->sel, cfg->nsel, tsi, tsr) ? -EINVAL : 0;
}

int nego_ts_narrow(const struct ike_peer_cfg *cfg,
		   const struct ike_ts_payload *in_i,
		   const struct ike_ts_payload *in_r,
		   struct ike_ts_payload *tsi, struct ike_ts_payload *tsr,
		   struct spd_selector *sel, unsigned *nsel)
{
	unsigned which;

	if (ike_ts_narrow(in_i, in_r, cfg->sel, cfg->nsel, tsi, tsr, &which))
		return -ENOENT;
	/* Our view: our side is TSr. */
	if (!ike_ts_to_selectors(tsr, tsi, sel, IKE_SEL_MAX, nsel))
		return 0;
	/* Selectors joined past what a Child SA holds: the first alone. */
	if (ike_ts_narrow(in_i, in_r, &cfg->sel[which], 1, tsi, tsr, &which))
		return -ENOENT;
	return ike_ts_to_selectors(tsr, tsi, sel, IKE_SEL_MAX, nsel) ? -ENOENT
								     : 0;
}

int nego_ts_check(const struct ike_peer_cfg *cfg,
		  const struct ike_ts_payload *tsi,
		  const struct ike_ts_payload *tsr, struct spd_selector *sel,
		  unsigned *nsel)
{
	struct ike_ts_payload our_i, our_r;

	if (ike_ts_build(cfg->sel, cfg->nsel, &our_i, &our_r) ||
	    ike_ts_check(&our_i, &our_r, tsi, tsr) ||
	    ike_ts_to_selectors(tsi, tsr, sel, IKE_SEL_MAX, nsel))
		return -EBADMSG;
	return 0;
}
