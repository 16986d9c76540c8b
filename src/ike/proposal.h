/* SPDX-License-Identifier: MIT */
/*
 * IKEv2 SA negotiation (RFC 7296 §2.7, §3.3): proposals as the
 * configuration writes them, the Proposal substructures we offer, the one
 * a responder chooses from what it is offered, the initiator's check of
 * that choice, and the resulting algorithm suites.
 *
 * Configuration text (strongSwan-like names, lower case, case-sensitive):
 * a proposal is algorithm tokens joined by '-', each token adds one
 * transform, and the proposal is the set of them ("aes256gcm16-aes128gcm16-
 * prfsha256-x25519-ecp256" offers two ciphers and two groups). A list of
 * proposals is comma-separated, in order of preference. The tokens (one
 * table in proposal.c):
 *   cipher   aes128 aes256 (AES-CBC, IKE only)  aes128gcm16 aes256gcm16
 *            chacha20poly1305  aes128ccm8 aes128ccm16 null (ESP only)
 *   integ    sha256 (HMAC-SHA2-256-128)  sha384 sha512 (IKE only)
 *   prf      prfsha256 prfsha384 prfsha512 (IKE only)
 *   group    modp2048 ecp256 ecp384 x25519 (alias curve25519)
 *   esn      esn noesn (ESP only; neither: noesn)
 * IKE proposals need a cipher and a group, and a prf: written, or for
 * non-AEAD ciphers taken from each integrity algorithm's hash. AEAD and
 * non-AEAD ciphers are not mixed in one proposal (RFC 5282 §8); an AEAD
 * takes no integrity token, any other cipher needs one (RFC 7296 §3.3.3).
 * A group in an ESP proposal asks for a key exchange in CREATE_CHILD_SA
 * (PFS); it is left out in IKE_AUTH (IKE_PROP_NO_KE, RFC 7296 §1.2).
 *
 * Selection policy (the responder): RFC 7296 §2.7 lets the responder pick
 * any acceptable proposal. We take OUR order: the first of our configured
 * proposals that some received proposal satisfies, and the first such
 * received proposal; within it, per transform type, our first algorithm
 * the peer offers (for the key exchange group, the group of the peer's KE
 * payload when that one is acceptable, to save an INVALID_KE_PAYLOAD round
 * trip). This is what strongSwan does by default.
 *
 * Everything here is pure: no state, no I/O, no allocation; thread-safe.
 */
#ifndef TUNSEC_IKE_PROPOSAL_H
#define TUNSEC_IKE_PROPOSAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esp/esp.h"
#include "ike/dh.h"
#include "ike/keys.h"
#include "ike/msg.h"

/* Bounds. A configured list longer than IKE_PROPOSALS_MAX could not be
 * sent in one SA payload; a proposal with more transforms than
 * IKE_PROP_XF_MAX is refused by the parser (the token table has 21 names,
 * a real proposal a handful). */
#define IKE_PROP_CONF_MAX IKE_PROPOSALS_MAX
#define IKE_PROP_XF_MAX 24
#define IKE_PROP_TOKEN_MAX 32   /* a bad_token buffer of this size never
				 * truncates a token that could be valid */

enum ike_prop_kind { IKE_PROP_IKE, IKE_PROP_ESP };

/* Flags of ike_proposals_build(), ike_proposal_select(),
 * ike_proposal_check(). */
#define IKE_PROP_NO_KE 0x1  /* IKE_AUTH: Child SA proposals carry no key
			     * exchange (RFC 7296 §1.2); KE transforms we
			     * configured are not sent and those received are
			     * ignored */

/* One configured proposal: its transforms ordered by type (ENCR, PRF,
 * INTEG, KE, ESN) and, within a type, by the order of the tokens. key_len
 * is the Key Length attribute (bits) for AES, 0 for fixed-length ciphers;
 * unknown_attr is always false. */
struct ike_prop_conf {
	uint8_t protocol;  /* IKE_PROTO_IKE or IKE_PROTO_ESP */
	struct ike_transform xf[IKE_PROP_XF_MAX];
	unsigned nxf;
};

/* An IKE SA's algorithms: what ike_keys_derive() takes, and the group. */
struct ike_suite_ike {
	struct ike_suite alg;
	enum ike_dh_group dh;
};

/* A Child SA's (ESP) algorithms, as wire identifiers (IKE_TF_*). */
struct ike_suite_esp {
	uint16_t encr;            /* IKE_TF_ENCR_* */
	unsigned encr_key_bits;   /* 128 or 256; 256 for ChaCha20-Poly1305,
				   * 0 for ENCR_NULL */
	uint16_t integ;           /* IKE_TF_INTEG_NONE with an AEAD */
	uint16_t dh;              /* 0: no key exchange (IKE_TF_DH_NONE) */
	bool esn;
};

/* A negotiated proposal. prop is the proposal to answer with (responder)
 * or the one accepted (initiator): the peer's proposal number, protocol
 * and SPI (the responder replaces the SPI with its own before sending),
 * and exactly one transform of each type that takes part. conf is the
 * index of our configured proposal it came from. Only the suite of
 * prop.protocol is filled; the other is zeroed. */
struct ike_choice {
	struct ike_proposal prop;
	unsigned conf;
	struct ike_suite_ike ike;
	struct ike_suite_esp esp;
};

/*
 * Parse one proposal text[0..len) of kind into *out. Returns 0, or -EINVAL
 * with *why a static reason and the offending token copied (cut to
 * bad_cap - 1 bytes, NUL-terminated; "" when the proposal as a whole is
 * wrong) to bad_token when bad_token is non-NULL and bad_cap > 0. *out is
 * unspecified on failure. Neither the reason nor the token is secret.
 */
int ike_proposal_parse(const char *text, size_t len, enum ike_prop_kind kind,
		       struct ike_prop_conf *out, const char **why,
		       char *bad_token, size_t bad_cap);

/*
 * Parse a comma-separated list of proposals (blanks around each one
 * allowed) into out[0..max), setting *n. Returns 0 or -EINVAL as
 * ike_proposal_parse() (also for an empty item, an empty list, and more
 * than max proposals). *out and *n are unspecified on failure.
 */
int ike_proposals_parse(const char *text, enum ike_prop_kind kind,
			struct ike_prop_conf *out, unsigned max, unsigned *n,
			const char **why, char *bad_token, size_t bad_cap);

/*
 * The Proposal substructures for an SA payload from conf[0..n): numbered
 * from 1 in order, each with spi[0..spi_size) (0 in IKE_SA_INIT, 8 for an
 * IKE SA rekey, 4 for ESP; the caller's SPI, copied). flags:
 * IKE_PROP_NO_KE. Returns the number of proposals written to out (n), or
 * -EINVAL (n 0, n > cap or > IKE_PROPOSALS_MAX, spi_size not 0/4/8, a
 * configured proposal with no transforms left).
 */
int ike_proposals_build(const struct ike_prop_conf *conf, unsigned n,
			const uint8_t *spi, uint8_t spi_size, unsigned flags,
			struct ike_proposal *out, unsigned cap);

/*
 * Responder: choose from the peer's SA payload against conf[0..n) (our
 * preference order; see the policy above). A received proposal takes part
 * only when its protocol is ours, its SPI size fits it (IKE: 0 or 8; ESP:
 * 4) and each of its transform types applies to the protocol (otherwise
 * it is skipped, RFC 7296 §3.3.6). A transform is acceptable when its ID
 * and Key Length equal one of ours and it has no unknown attribute. It
 * must offer, for each type, an algorithm we accept: a cipher; IKE a prf
 * and a group; integrity unless the cipher is an AEAD, with which INTEG
 * may only be absent or NONE (anything else refuses the AEAD); ESP a
 * group only when we ask for PFS (otherwise none or NONE); ESN absent
 * counts as NO_ESN. ke_group is the group of the peer's KE payload (0:
 * none) and is preferred when acceptable. flags: IKE_PROP_NO_KE.
 * Returns 0 with *out filled, or -ENOENT (NO_PROPOSAL_CHOSEN); *out is
 * unspecified then.
 */
int ike_proposal_select(const struct ike_sa_payload *peer,
			const struct ike_prop_conf *conf, unsigned n,
			unsigned flags, uint16_t ke_group,
			struct ike_choice *out);

/*
 * Initiator: check the responder's SA payload against what we offered,
 * ike_proposals_build(conf, n, ..., flags): exactly one proposal, whose
 * number names one of ours and whose protocol is its protocol, SPI size
 * fitting (IKE 0 or 8, ESP 4), and exactly one transform of each type we
 * offered in it, each one we offered; nothing else but INTEG NONE with an
 * AEAD and, when we offered no group, KE NONE. Returns 0 with *out filled
 * (out->conf = number - 1), or -EBADMSG: the exchange fails.
 */
int ike_proposal_check(const struct ike_sa_payload *reply,
		       const struct ike_prop_conf *conf, unsigned n,
		       unsigned flags, struct ike_choice *out);

/* The group an initiator first sends a KE payload for: the first group of
 * the first proposal; 0 when conf[0..n) offers none. */
uint16_t ike_proposals_first_dh(const struct ike_prop_conf *conf,
				unsigned n);

/* Whether conf[0..n) offers group (INVALID_KE_PAYLOAD, RFC 7296 §1.2: the
 * initiator retries only with a group it offered). */
bool ike_proposals_offer_dh(const struct ike_prop_conf *conf, unsigned n,
			    uint16_t group);

/*
 * The data plane's form of an ESP suite: the cipher, the ICV length and
 * the bytes of key material per direction (key || salt: salt 4 bytes for
 * AES-GCM, RFC 4106 §8.1; 3 for AES-CCM, RFC 4309 §7.1; 4 for
 * ChaCha20-Poly1305, RFC 7634 §2; ENCR_NULL with HMAC-SHA2-256-128: the
 * 32-byte HMAC key, RFC 4868). Returns 0, or -ENOTSUP for a suite the
 * data plane does not implement (outputs untouched).
 */
int ike_suite_esp_to_cipher(const struct ike_suite_esp *s,
			    enum esp_cipher *cipher, uint8_t *icv_len,
			    size_t *keymat_len);

#endif
