/* SPDX-License-Identifier: MIT */
/*
 * ESP transforms (RFC 4303): security associations and the packet-level
 * encrypt/decrypt in transport and tunnel mode, over IPv4 and IPv6, as raw
 * ESP (IP protocol 50) or in UDP (RFC 3948). Pure transforms: no I/O, no
 * allocation on the packet path.
 *
 * An SA is one direction. Each SA is used by one thread at a time (the worker
 * that owns it); its counters and sequence state are not locked.
 */
#ifndef TUNSEC_ESP_ESP_H
#define TUNSEC_ESP_ESP_H

#include <stdbool.h>
#include <stdint.h>

#include "crypto/aead.h"
#include "esp/replay.h"
#include "esp/wire.h"
#include "util/addr.h"
#include "util/pkt.h"

enum esp_cipher {
	ESP_CIPHER_NULL,              /* "null": benchmarks only */
	ESP_CIPHER_NULL_HMAC_SHA256,  /* "null-hmac-sha256" */
	ESP_CIPHER_AES_GCM_128,       /* "aes-gcm-128" */
	ESP_CIPHER_AES_GCM_256,       /* "aes-gcm-256" */
	ESP_CIPHER_AES_CCM_128,       /* "aes-ccm-128" */
	ESP_CIPHER_CHACHA20_POLY1305, /* "chacha20-poly1305" */
	ESP_CIPHER_COUNT
};

enum esp_mode { ESP_MODE_TRANSPORT, ESP_MODE_TUNNEL };
enum esp_encap { ESP_ENCAP_NONE, ESP_ENCAP_UDP };

/* What a cipher is on the wire; from esp_cipher_info(). */
struct esp_cipher_info {
	const char *name;       /* command-line name */
	enum aead_alg alg;
	uint8_t key_len;        /* cipher or HMAC key, without salt */
	uint8_t salt_len;       /* salt appended to the key material */
	uint8_t iv_len;         /* 8, or 0 for the null ciphers */
	uint8_t default_icv;
	uint8_t icv_lens[3];    /* accepted ICV lengths; 0 ends the list */
	bool integrity;         /* false only for "null" */
};

const struct esp_cipher_info *esp_cipher_info(enum esp_cipher c);

/* Whether icv_len is an ICV length the cipher allows ("null": only 0). */
bool esp_cipher_icv_ok(const struct esp_cipher_info *info, unsigned icv_len);

/* Look up a cipher by its command-line name: 0 or -ENOENT. */
int esp_cipher_from_name(const char *name, enum esp_cipher *out);

/* Everything that defines an SA; input to esp_sa_init(). */
struct esp_sa_config {
	uint32_t spi;
	enum esp_cipher cipher;
	uint8_t icv_len;          /* 0: the cipher's default */
	const uint8_t *key;       /* key material: key || salt */
	uint32_t key_len;
	enum esp_mode mode;
	enum esp_encap encap;
	uint16_t sport, dport;    /* UDP encapsulation ports */
	bool esn;                 /* 64-bit extended sequence numbers */
	/* Outbound: the sequence number the first packet carries (>= 1).
	 * Inbound: the highest sequence number already received. */
	uint64_t seq;
	uint32_t replay_window;   /* inbound; 0: REPLAY_WINDOW_DEFAULT */
	struct ip_addr tunnel_src, tunnel_dst; /* tunnel mode outer header */
	uint16_t tfc_pad;         /* tunnel mode: pad inner packets to at
				   * least this many bytes (0: off) */
	enum aead_engine engine;  /* AEAD_ENGINE_AUTO unless testing */
};

/* Packets and bytes passed, and drops by reason. */
struct esp_stats {
	uint64_t packets;
	uint64_t bytes;           /* inner bytes, before encrypt/after decrypt */
	uint64_t drops[ESP_DROP_COUNT];
};

struct esp_sa {
	uint32_t spi;
	enum esp_cipher cipher;
	const struct esp_cipher_info *info;
	uint8_t icv_len;
	uint8_t salt[4];          /* secret: wiped by esp_sa_clear() */
	enum esp_mode mode;
	enum esp_encap encap;
	uint16_t sport, dport;
	bool esn;
	struct ip_addr tunnel_src, tunnel_dst;
	uint16_t tfc_pad;
	struct aead_ctx *aead;
	uint64_t seq_next;        /* outbound: next sequence number to send */
	struct replay replay;     /* inbound */
	struct esp_stats stats;
};

/*
 * Set up sa from cfg. Validates every field: returns 0, or -EINVAL with a
 * reason in *why (a static string) for a bad key length, ICV, window, port,
 * mode/address combination; -ENOTSUP when no crypto engine passed its
 * self-test for the cipher; -ENOMEM. On failure sa holds nothing to free.
 * The key is copied; the caller wipes its own.
 */
int esp_sa_init(struct esp_sa *sa, const struct esp_sa_config *cfg,
		const char **why);

/*
 * Give to, a new SA with the same keys and settings as from, from's state:
 * the next sequence number, the replay window (when both windows have the
 * same size; otherwise only its top) and the counters. For configuration
 * reloads: the SA lives on without reusing a sequence number.
 */
void esp_sa_carry_state(struct esp_sa *to, const struct esp_sa *from);

/* Wipe the SA's keys and free what it holds. Safe on a failed init. */
void esp_sa_clear(struct esp_sa *sa);

/*
 * Encrypt one IP packet (IPv4 or IPv6) in place for sa. On ESP_OK *p holds
 * the whole outer IP packet: transport mode keeps the packet's own addresses
 * and inserts ESP (and UDP) after its header (IPv6: after hop-by-hop,
 * routing and fragment headers, and destination options that precede a
 * routing header); tunnel mode wraps the packet in a new header from
 * tunnel_src to tunnel_dst. p needs ESP_HEADROOM and ESP_TAILROOM (plus the
 * TFC padding) free. On a drop the packet is left unchanged or partly
 * rewritten and must be discarded; the drop is counted in sa->stats.
 */
enum esp_drop esp_encrypt(struct esp_sa *sa, struct pkt *p);

/*
 * Encrypt n (<= BURST_MAX) packets for one SA. Sequence numbers are reserved
 * for the burst at once, in array order, and the crypto engine sees the whole
 * burst. verdicts[i] is the result for pkts[i]; the outcome equals n calls of
 * esp_encrypt().
 */
void esp_encrypt_burst(struct esp_sa *sa, struct pkt *const *pkts,
		       enum esp_drop *verdicts, unsigned n);

/*
 * Decrypt one outer IP packet in place for sa. On ESP_OK *p holds the packet
 * exactly as it was before encryption (transport mode: the IP header's
 * protocol/next header, length and checksum restored; tunnel mode: the inner
 * packet, without TFC padding). The replay window moves only after the ICV
 * verified. On a drop the packet must be discarded; the drop is counted.
 */
enum esp_drop esp_decrypt(struct esp_sa *sa, struct pkt *p);

/*
 * Decrypt n (<= BURST_MAX) packets, pkts[i] for sas[i] (SAs may repeat).
 * Replay is checked before and recorded after the burst's ICVs are verified,
 * in array order; the outcome equals n calls of esp_decrypt() with one
 * exception: ESN high bits are inferred from each window as it stood when
 * the burst began (they must be known before the ICV can be checked). A
 * packet whose inference would change during the burst — the window moving
 * by about 2^31 within it — may be dropped for a different reason (replay
 * rather than auth) than one call at a time would give.
 */
void esp_decrypt_burst(struct esp_sa *const *sas, struct pkt *const *pkts,
		       enum esp_drop *verdicts, unsigned n);

/*
 * Find the SPI of an outer IP packet without changing it, for looking up the
 * SA. Returns ESP_OK and sets *spi, or the reason the packet is not ESP for
 * the given encapsulation and UDP port (ESP_DROP_IKE, ESP_DROP_NOT_ESP, ...).
 */
enum esp_drop esp_peek_spi(const struct pkt *p, enum esp_encap encap,
			   uint16_t dport, uint32_t *spi);

/*
 * The offset of the ESP header in an outer IP packet (past the IP header
 * chain and, for UDP encapsulation, the UDP header), or 0 when the packet is
 * not ESP for that encapsulation and port. Used to take the UDP payload of
 * a packet esp_encrypt() built.
 */
uint32_t esp_header_offset(const struct pkt *p, enum esp_encap encap,
			   uint16_t dport);

#endif
