/* SPDX-License-Identifier: MIT */
/*
 * tunsecd configuration: the model a configuration file becomes, and the
 * parser that builds it. The format is described in docs/tunsecd.conf.5.
 *
 * The parser treats its input as untrusted: lines are bounded
 * (CONF_LINE_MAX), every value is validated, and the whole file is
 * cross-checked before anything is returned. A file with any error yields no
 * model at all: the output is left zeroed and every key byte read so far is
 * wiped. The first error is reported as file, line (0 for an error about the
 * whole file) and reason; a reason never contains key material.
 *
 * A struct conf owns all its memory; conf_free() wipes its keys and frees it.
 * Nothing here is thread-safe; a parsed conf is read-only and may then be
 * read by several threads.
 */
#ifndef TUNSEC_CONF_CONF_H
#define TUNSEC_CONF_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/aead.h"
#include "esp/esp.h"
#include "ike/wire.h"
#include "sadb/spd.h"
#include "util/addr.h"
#include "util/log.h"

/* Bounds. A file past any of them is refused with an error. */
#define CONF_LINE_MAX 4096          /* bytes per line, without its newline */
#define CONF_FILE_MAX (1u << 20)    /* bytes per file */
#define CONF_PEERS_MAX 1024
#define CONF_SAS_MAX 2048
#define CONF_SELECTORS_MAX 256      /* protect lines per peer */
#define CONF_NAME_MAX 63            /* peer and SA names */
#define CONF_IFNAME_MAX 15          /* IFNAMSIZ - 1 */
#define CONF_SOCKET_PATH_MAX 107    /* sizeof(sun_path) - 1 */
#define CONF_KEY_MAX (AEAD_KEY_MAX + 4) /* key || salt, bytes */
#define CONF_KEY_FILE_MAX 4096      /* bytes in a key file */
#define CONF_WORKERS_MAX 64         /* data-plane workers; SA cpu < this */
#define CONF_PSK_MIN 16             /* bytes of a pre-shared key, at least */
#define CONF_PSK_MAX 256            /* and at most */
#define CONF_ID_MAX 255             /* bytes of an IKE identity's data */
#define CONF_PROPOSALS_MAX 16       /* proposals per list */
#define CONF_PROPOSAL_MAX 127       /* characters of one proposal */
#define CONF_PATH_MAX 255           /* bytes of a certificate or key path */
#define CONF_CA_MAX 8               /* "ca" lines per peer */

/* Defaults of the [daemon] and [peer] settings. */
#define CONF_DEFAULT_PORT 4500
#define CONF_DEFAULT_SOCKET "/run/tunsec/tunsecd.sock"
#define CONF_DEFAULT_TUN "tunsec0"
#define CONF_DEFAULT_MTU 1500
#define CONF_DEFAULT_FWMARK 0x7473
#define CONF_DEFAULT_TABLE 7473
#define CONF_DEFAULT_WORKERS 0      /* one per online CPU */

/* Defaults of IKE-managed peers (docs/tunsecd.conf.5, IKE-MANAGED PEERS).
 * Durations are in seconds unless named _MS. */
#define CONF_DEFAULT_IKE_PROPOSALS                                         \
	"aes256gcm16-prfsha256-x25519,aes256gcm16-prfsha384-ecp256,"       \
	"aes128gcm16-prfsha256-modp2048"
#define CONF_DEFAULT_ESP_PROPOSALS                                         \
	"aes256gcm16,aes128gcm16,chacha20poly1305,aes128ccm8"
#define CONF_DEFAULT_IKE_LIFETIME (4 * 3600)
#define CONF_DEFAULT_CHILD_LIFETIME 3600
#define CONF_DEFAULT_REKEY_MARGIN (9 * 60)
#define CONF_DEFAULT_REKEY_JITTER (9 * 60)
#define CONF_DEFAULT_DPD_DELAY 30
#define CONF_DEFAULT_NAT_KEEPALIVE 20
#define CONF_DEFAULT_RETRANSMIT_TIMEOUT_MS 4000
#define CONF_DEFAULT_RETRANSMIT_TRIES 5
#define CONF_DEFAULT_FRAGMENT_SIZE 1280

/* The first error of a parse. */
struct conf_error {
	char file[256];   /* as given to the parser, truncated */
	unsigned line;    /* from 1; 0: about the whole file */
	char reason[256];
};

/*
 * The keys of each section, indexing the key_line arrays below: the line on
 * which the key was set, 0 when it was not (the default applies). For the
 * repeatable "protect" it is the first such line.
 */
enum conf_daemon_key {
	CONF_DAEMON_LOCAL_ADDRESS, CONF_DAEMON_PORT, CONF_DAEMON_CONTROL_SOCKET,
	CONF_DAEMON_TUN, CONF_DAEMON_MTU, CONF_DAEMON_LOG_LEVEL,
	CONF_DAEMON_FWMARK, CONF_DAEMON_TABLE, CONF_DAEMON_WORKERS,
	CONF_DAEMON_TUN_OFFLOAD, CONF_DAEMON_UDP_GSO, CONF_DAEMON_UDP_GRO,
	CONF_DAEMON_COALESCE,
	CONF_DAEMON_KEYS
};

enum conf_peer_key {
	CONF_PEER_ADDRESS, CONF_PEER_PORT, CONF_PEER_MODE, CONF_PEER_PROTECT,
	CONF_PEER_KEYS
};

/* The keys of a [peer] that belong to IKE: struct conf_ike's key_line. */
enum conf_ike_key {
	CONF_IKE_AUTH, CONF_IKE_PSK, CONF_IKE_CERTIFICATE,
	CONF_IKE_PRIVATE_KEY, CONF_IKE_CA, CONF_IKE_LOCAL_ID, CONF_IKE_REMOTE_ID,
	CONF_IKE_IKE_PROPOSALS, CONF_IKE_ESP_PROPOSALS, CONF_IKE_START,
	CONF_IKE_IKE_LIFETIME, CONF_IKE_CHILD_LIFETIME, CONF_IKE_REKEY_MARGIN,
	CONF_IKE_REKEY_JITTER, CONF_IKE_CHILD_LIFETIME_BYTES,
	CONF_IKE_CHILD_LIFETIME_PACKETS, CONF_IKE_DPD_DELAY,
	CONF_IKE_RETRANSMIT_TIMEOUT, CONF_IKE_RETRANSMIT_TRIES,
	CONF_IKE_FRAGMENTATION, CONF_IKE_FRAGMENT_SIZE, CONF_IKE_NAT_TRAVERSAL,
	CONF_IKE_NAT_KEEPALIVE,
	CONF_IKE_KEYS
};

enum conf_sa_key {
	CONF_SA_PEER, CONF_SA_DIRECTION, CONF_SA_SPI, CONF_SA_CIPHER,
	CONF_SA_ICV, CONF_SA_KEY, CONF_SA_ESN, CONF_SA_REPLAY_WINDOW,
	CONF_SA_TFC_PAD, CONF_SA_CPU,
	CONF_SA_KEYS
};

struct conf_daemon {
	struct ip_addr local;     /* underlay address of this host */
	uint16_t port;            /* UDP port of ESP in UDP */
	uint16_t mtu;             /* underlay path MTU */
	char control_socket[CONF_SOCKET_PATH_MAX + 1];
	char tun[CONF_IFNAME_MAX + 1];
	enum log_level log_level;
	uint32_t fwmark;          /* non-zero */
	uint32_t table;           /* 1..2^32-1, not 253..255 */
	unsigned workers;         /* 0: one per online CPU; else 1..MAX */
	/* The speed switches, all on by default. Each only allows the data
	 * plane to use the kernel feature; coalesce has no effect without
	 * tun_offload (not an error). */
	bool tun_offload;         /* IFF_VNET_HDR + TUNSETOFFLOAD on the TUN */
	bool udp_gso;             /* UDP_SEGMENT: one sendmsg per burst */
	bool udp_gro;             /* UDP_GRO: coalesced datagrams on receive */
	bool coalesce;            /* decrypted TCP segments into super-packets */
	unsigned line;            /* of the [daemon] header */
	unsigned key_line[CONF_DAEMON_KEYS];
};

/*
 * The traffic a peer's SAs protect, as seen from this host: "local" is this
 * side's inner address, "remote" the far side's. After a successful parse the
 * prefixes are the effective ones: a prefix not written takes its default
 * (transport mode: the underlay address of this host or of the peer as a host
 * prefix; tunnel mode: the whole family of the other prefix, or family 0 =
 * any address of any family when neither is written). Port ranges are
 * inclusive, 0..65535 when not written; proto 0 is any protocol.
 */
struct conf_selector {
	struct ip_prefix local, remote;
	bool has_local, has_remote; /* written in the file */
	uint8_t proto;
	uint16_t lport_lo, lport_hi;
	uint16_t rport_lo, rport_hi;
	unsigned line;
};

/* Longest text conf_selector_format() writes, with its NUL. */
#define CONF_SELECTOR_STRLEN 192

/* How the peers prove their identities (RFC 7296 §2.15): a shared key, or
 * signatures with the private keys of certificates (RFC 7296 §3.8,
 * RFC 7427). */
enum conf_ike_auth {
	CONF_IKE_AUTH_NONE, CONF_IKE_AUTH_PSK, CONF_IKE_AUTH_PUBKEY
};

/* What the engine does with the peer once the configuration is loaded. */
enum conf_ike_start {
	CONF_IKE_START_INITIATE, /* start the IKE SA and Child SA at once */
	CONF_IKE_START_TRAP,     /* start them on the first matching packet */
	CONF_IKE_START_WAIT,     /* responder only: never initiate */
};

/* An IKE identity as it goes into an IDi/IDr payload (RFC 7296 §3.5). */
struct conf_ike_id {
	uint8_t type;             /* enum ike_id_type */
	uint16_t len;             /* 1..CONF_ID_MAX */
	/* IPV4_ADDR/IPV6_ADDR: 4/16 bytes in network order; FQDN and
	 * RFC822_ADDR: the text; DER_ASN1_DN: the DER of the Name. Not
	 * secret. */
	uint8_t data[CONF_ID_MAX];
};

/* A proposal list in order of preference. Only the syntax is checked here:
 * each name is 1..CONF_PROPOSAL_MAX characters, words of [a-z0-9] joined
 * by single "-". What the names mean is the IKE engine's business. */
struct conf_ike_proposals {
	unsigned n;               /* 1..CONF_PROPOSALS_MAX */
	char name[CONF_PROPOSALS_MAX][CONF_PROPOSAL_MAX + 1];
};

/*
 * The IKE settings of a [peer]. All zero unless enabled ("auth" given);
 * an enabled peer has every field filled in (defaults included) and no
 * [sa] sections. Durations are whole seconds unless named _ms.
 *
 * auth PSK: psk is set; cert, key and ca are empty (nca 0).
 * auth PUBKEY: psk_len is 0; cert, key and ca[0..nca) (nca >= 1) are
 * absolute paths of regular files that existed when the file was parsed,
 * key one that neither group nor others may access. Only the paths are
 * here: the parser reads none of these files' bytes.
 */
struct conf_ike {
	bool enabled;
	enum conf_ike_auth auth;
	uint8_t psk[CONF_PSK_MAX]; /* secret; wiped by conf_free */
	uint32_t psk_len;         /* CONF_PSK_MIN..CONF_PSK_MAX; 0 with pubkey */
	bool psk_inline;          /* written in the file itself */
	/* PEM certificate (chain: leaf first), absolute path */
	char cert[CONF_PATH_MAX + 1];
	/* PEM/DER private key file, absolute path; read by the keys process
	 * only (the path is not secret) */
	char key[CONF_PATH_MAX + 1];
	/* trusted CA certificates (PEM), absolute paths */
	char ca[CONF_CA_MAX][CONF_PATH_MAX + 1];
	unsigned nca;             /* 0 with psk; 1..CONF_CA_MAX with pubkey */
	struct conf_ike_id local_id, remote_id;
	struct conf_ike_proposals ike_proposals, esp_proposals;
	enum conf_ike_start start;
	uint32_t ike_lifetime;    /* hard lifetime of the IKE SA */
	uint32_t child_lifetime;  /* hard lifetime of a Child SA */
	/* Rekeying starts rekey_margin plus a random 0..rekey_jitter before a
	 * lifetime ends; margin + jitter < either lifetime. */
	uint32_t rekey_margin, rekey_jitter;
	uint64_t child_lifetime_bytes;   /* 0: no limit */
	uint64_t child_lifetime_packets; /* 0: no limit */
	uint32_t dpd_delay;       /* idle seconds before a liveness check; 0 off */
	uint32_t retransmit_timeout_ms; /* the first one */
	uint32_t retransmit_tries;      /* retransmissions before giving up */
	bool fragmentation;       /* RFC 7383 */
	uint32_t fragment_size;   /* largest IP datagram of a fragment sent */
	bool nat_traversal;       /* RFC 7296 §2.23 NAT detection */
	uint32_t nat_keepalive;   /* behind a NAT: seconds between NAT-
				   * keepalives (RFC 3948 §2.3); 0 off */
	unsigned key_line[CONF_IKE_KEYS];
};

struct conf_peer {
	char name[CONF_NAME_MAX + 1];
	struct ip_addr addr;      /* underlay address, family of local */
	uint16_t port;
	enum esp_mode mode;
	struct conf_selector *sel; /* nsel >= 1, owned */
	unsigned nsel;
	unsigned line;            /* of the [peer NAME] header */
	unsigned key_line[CONF_PEER_KEYS];
	struct conf_ike ike;      /* holds a key: see struct conf_ike */
};

/*
 * One direction of a static SA. A peer may have several SAs per direction
 * for the same traffic (per-resource SAs, RFC 9611): outbound ones differ
 * in "cpu" (unique per peer), and with K of them, ordered by cpu, worker w
 * sends with the (w mod K)-th. Inbound SAs are told apart by SPI alone and
 * steered to worker SPI mod the number of workers.
 */
struct conf_sa {
	char name[CONF_NAME_MAX + 1];
	char peer_name[CONF_NAME_MAX + 1];
	unsigned peer;            /* index into conf.peers */
	bool inbound;
	uint32_t spi;             /* non-zero; unique per direction */
	enum esp_cipher cipher;
	uint8_t icv;              /* the cipher's default when not written */
	uint8_t key[CONF_KEY_MAX]; /* secret: key || salt; wiped by conf_free */
	uint32_t key_len;         /* exactly what the cipher takes */
	bool key_inline;          /* written as hex in the file itself */
	bool esn;
	uint32_t replay_window;   /* inbound: REPLAY_WINDOW_MIN..MAX; out: 0 */
	uint16_t tfc_pad;         /* outbound, tunnel mode only; else 0 */
	uint8_t cpu;              /* outbound: 0..CONF_WORKERS_MAX-1; in: 0 */
	unsigned line;            /* of the [sa NAME] header */
	unsigned key_line[CONF_SA_KEYS];
};

struct conf {
	struct conf_daemon daemon;
	struct conf_peer *peers;  /* owned; holds pre-shared keys */
	unsigned npeers;
	struct conf_sa *sas;      /* owned; holds keys */
	unsigned nsas;
	/* Set by conf_parse_file(): some key (an SA key or a pre-shared key)
	 * is written inline in a file that group or others may read. The
	 * daemon should warn. */
	bool inline_keys_exposed;
};

/* Zero c and set the [daemon] defaults; no peers, no SAs. */
void conf_defaults(struct conf *c);

/*
 * Parse the configuration text[0..len) into *out, naming it |name| in
 * errors. *out is overwritten, not freed: pass a zeroed or freed conf.
 * "key = @PATH" reads PATH relative to base_dir (absolute paths as they
 * are); "certificate", "private-key" and "ca" name files relative to
 * base_dir that are checked (stat) but not read. With base_dir NULL all
 * of these keys are refused, and no I/O happens.
 *
 * Returns 0 with *out filled, or -EINVAL (a bad configuration) or -ENOMEM
 * with *err describing the first error and *out zeroed, any key material
 * wiped. The text itself is neither kept nor modified.
 */
int conf_parse_text(const char *name, const char *text, size_t len,
		    const char *base_dir, struct conf *out,
		    struct conf_error *err);

/*
 * Read and parse the file at path, with key files relative to its
 * directory. Returns 0, -EINVAL (bad file; also: not a regular file, larger
 * than CONF_FILE_MAX), -ENOMEM, or the -errno of a failed open or read (the
 * reason then reads "cannot open: ..."). On failure *out is zeroed and *err
 * filled. The file's text is wiped from memory before returning.
 */
int conf_parse_file(const char *path, struct conf *out,
		    struct conf_error *err);

/* Wipe the keys (SA keys and pre-shared keys), free what c holds and zero
 * it. Safe on a zeroed conf and
 * on the output of a failed parse. */
void conf_free(struct conf *c);

/* "FILE:LINE: REASON" (or "FILE: REASON" for line 0) into buf; returns buf. */
const char *conf_error_format(const struct conf_error *err, char *buf,
			      size_t size);

/* The peer called name, or NULL. */
const struct conf_peer *conf_find_peer(const struct conf *c, const char *name);

/*
 * Fill *out for esp_sa_init() from sa, one of c's SAs: UDP encapsulation
 * (daemon port to peer port outbound, and the reverse inbound), the peer's
 * mode, tunnel addresses local -> peer outbound and peer -> local inbound
 * (tunnel mode only), sequence number 1 out / 0 in, and the SA's ICV, ESN,
 * replay window and TFC padding. out->key points into c: valid while c is,
 * and esp_sa_init() copies it. Returns 0, or -EINVAL when sa's peer index
 * is not one of c's peers (out is then zeroed).
 */
int conf_sa_config(const struct conf *c, const struct conf_sa *sa,
		   struct esp_sa_config *out);

/*
 * Write sel as selector text that parses back to the same effective
 * selector ("local 10.0.0.0/8 remote 10.1.0.0/16 proto tcp rport 5201"),
 * truncated to size (CONF_SELECTOR_STRLEN always fits). Prefixes of family
 * 0 (any) and full port ranges are left out; a selector that leaves out
 * everything (no valid input does) is written as "any". Returns buf.
 */
const char *conf_selector_format(const struct conf_selector *sel, char *buf,
				 size_t size);

/* The SPD selector of packets this host sends (outbound: local is the
 * source) or receives (inbound: local is the destination) under sel. */
void conf_selector_to_spd(const struct conf_selector *sel, bool outbound,
			  struct spd_selector *out);

/* The reverse of conf_selector_to_spd(outbound): a selector of this
 * host's view (src = local) as written in the file, for
 * conf_selector_format(); both prefixes count as written. */
void conf_selector_from_spd(const struct spd_selector *sel,
			    struct conf_selector *out);

#endif
