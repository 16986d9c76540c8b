/* SPDX-License-Identifier: MIT */
/*
 * What the exchanges need of proposals (RFC 7296 §2.7, §3.3) and traffic
 * selectors (§2.9, §3.13), in the engine's terms: a peer's configuration
 * in, payload structures out, and back. Inside the engine only.
 */
#ifndef TUNSEC_IKE_NEGO_H
#define TUNSEC_IKE_NEGO_H

#include "ike/ike.h"

/* Our IKE proposals (SPI size 0) or ESP proposals (our SPI). pfs: ESP
 * proposals keep their groups, as in CREATE_CHILD_SA; in IKE_AUTH they
 * carry none (RFC 7296 §1.2). The same flag for select and check. */
void nego_ike_offer(const struct ike_peer_cfg *cfg, struct ike_proposal *out,
		    unsigned *n);
void nego_esp_offer(const struct ike_peer_cfg *cfg, uint32_t spi, bool pfs,
		    struct ike_proposal *out, unsigned *n);

/* Responder: the proposal we accept (ike_proposal_select(): our order of
 * preference; for IKE the group of the peer's KE payload first), as
 * *chosen and as the one proposal to send back (*reply, its number kept).
 * -ENOENT: NO_PROPOSAL_CHOSEN. For ESP *peer_spi is the peer's SPI of the
 * chosen proposal and reply carries our_spi; with pfs, ke_group (the group
 * of the peer's KE payload, 0: none) is preferred, and chosen->dh may
 * still differ from it (then INVALID_KE_PAYLOAD). */
int nego_ike_select(const struct ike_peer_cfg *cfg,
		    const struct ike_sa_payload *sa, uint16_t ke_group,
		    struct ike_suite_ike *chosen, struct ike_proposal *reply);
int nego_esp_select(const struct ike_peer_cfg *cfg,
		    const struct ike_sa_payload *sa, bool pfs,
		    uint16_t ke_group, uint32_t our_spi,
		    struct ike_suite_esp *chosen, uint32_t *peer_spi,
		    struct ike_proposal *reply);

/* Initiator: the responder's answer must be one proposal, one transform
 * of each type, all among what we offered. 0 or -EBADMSG. */
int nego_ike_check(const struct ike_peer_cfg *cfg,
		   const struct ike_sa_payload *sa,
		   struct ike_suite_ike *chosen);
int nego_esp_check(const struct ike_peer_cfg *cfg,
		   const struct ike_sa_payload *sa, bool pfs,
		   struct ike_suite_esp *chosen, uint32_t *peer_spi);

/* Whether the group is among our IKE (ESP) offers (INVALID_KE_PAYLOAD,
 * §1.2). */
bool nego_dh_offered(const struct ike_peer_cfg *cfg, uint16_t group);
bool nego_esp_dh_offered(const struct ike_peer_cfg *cfg, uint16_t group);
/* The group of a CREATE_CHILD_SA's KE payload (the first of our first ESP
 * proposal); 0: no PFS. */
uint16_t nego_esp_first_dh(const struct ike_peer_cfg *cfg);

/* The data plane's cipher for an ESP suite, its ICV length and the bytes
 * of key material per direction (key || salt). -ENOTSUP if none. */
int nego_esp_cipher(const struct ike_suite_esp *s, enum esp_cipher *cipher,
		    uint8_t *icv, size_t *keymat);

/* Initiator: TSi (our side) and TSr from our selectors, or from
 * sel[0..n) (a Child SA's, or one configured selector). */
int nego_ts_offer_sel(const struct spd_selector *sel, unsigned n,
		      struct ike_ts_payload *tsi, struct ike_ts_payload *tsr);
int nego_ts_offer(const struct ike_peer_cfg *cfg, struct ike_ts_payload *tsi,
		  struct ike_ts_payload *tsr);

/* Responder: narrow the initiator's TSi/TSr to our selectors. *sel (our
 * view: src = our side = TSr) gets the result for the data plane, and
 * tsi/tsr what to send back. -ENOENT: TS_UNACCEPTABLE. */
int nego_ts_narrow(const struct ike_peer_cfg *cfg,
		   const struct ike_ts_payload *in_i,
		   const struct ike_ts_payload *in_r,
		   struct ike_ts_payload *tsi, struct ike_ts_payload *tsr,
		   struct spd_selector *sel, unsigned *nsel);

/* Initiator: the responder's TSi/TSr must lie within what we offered;
 * *sel gets them in our view. -EBADMSG otherwise. */
int nego_ts_check(const struct ike_peer_cfg *cfg,
		  const struct ike_ts_payload *tsi,
		  const struct ike_ts_payload *tsr, struct spd_selector *sel,
		  unsigned *nsel);

#endif
