/* SPDX-License-Identifier: MIT */
/*
 * The IKE keys of a [peer] (docs/tunsecd.conf.5, IKE-MANAGED PEERS). A peer
 * with "auth" is managed by IKEv2 (RFC 7296): its Child SAs come from IKE,
 * never from [sa] sections, and its other IKE keys are optional with the
 * CONF_DEFAULT_* values. "auth = psk" takes a pre-shared key (psk.c);
 * "auth = pubkey" a certificate, its private key and trusted CAs, of which
 * only the paths are kept (path.c). Proposal names are checked for syntax
 * only; the IKE engine gives them their meaning.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/parse.h"

/* Bounds of the durations, in seconds (retransmit-timeout: ms). */
#define LIFETIME_MIN 60
#define LIFETIME_MAX (30 * 86400)
#define REKEY_MAX 86400
#define DPD_MAX 86400
#define NAT_KEEPALIVE_MAX 3600
#define RETRANSMIT_MS_MIN 100
#define RETRANSMIT_MS_MAX 60000
#define RETRANSMIT_TRIES_MAX 16
/* fragment-size, in bytes: the IPv4 datagram every host takes (RFC 791),
 * to the largest UDP datagram. */
#define FRAGMENT_SIZE_MIN 576
#define FRAGMENT_SIZE_MAX 65535

static int set_auth(struct conf_parser *p, void *item, const char *v)
{
	static const char *const words[] = { "psk", "pubkey" };
	static const enum conf_ike_auth auths[] = { CONF_IKE_AUTH_PSK,
						    CONF_IKE_AUTH_PUBKEY };
	struct conf_ike *ike = item;
	unsigned i;
	int err;

	err = conf_value_word(p, "auth", v, words, 2, &i);
	if (err)
		return err;
	ike->auth = auths[i];
	ike->enabled = true;
	return 0;
}

static int set_psk(struct conf_parser *p, void *item, const char *v)
{
	return conf_psk_parse(p, item, v);
}

/* The certificate files (RFC 7296 §3.6, §3.8): paths only, checked here,
 * read by the IKE engine; the private key's by the keys process alone. */
static int set_certificate(struct conf_parser *p, void *item, const char *v)
{
	return conf_path_parse(p, "certificate", v, false,
			       ((struct conf_ike *)item)->cert);
}

static int set_private_key(struct conf_parser *p, void *item, const char *v)
{
	return conf_path_parse(p, "private-key", v, true,
			       ((struct conf_ike *)item)->key);
}

/* Repeatable: one trusted CA per line, each at most once. */
static int set_ca(struct conf_parser *p, void *item, const char *v)
{
	struct conf_ike *ike = item;
	char path[CONF_PATH_MAX + 1];
	unsigned i;
	int err;

	if (ike->nca == CONF_CA_MAX)
		return conf_fail(p, p->line, "ca: more than %d CA "
				 "certificates", CONF_CA_MAX);
	err = conf_path_parse(p, "ca", v, false, path);
	if (err)
		return err;
	for (i = 0; i < ike->nca; i++)
		if (!strcmp(ike->ca[i], path))
			return conf_fail(p, p->line, "ca: \"%s\" is listed "
					 "twice", path);
	memcpy(ike->ca[ike->nca++], path, strlen(path) + 1);
	return 0;
}

static int set_local_id(struct conf_parser *p, void *item, const char *v)
{
	return conf_id_parse(p, "local-id", v,
			     &((struct conf_ike *)item)->local_id);
}

static int set_remote_id(struct conf_parser *p, void *item, const char *v)
{
	return conf_id_parse(p, "remote-id", v,
			     &((struct conf_ike *)item)->remote_id);
}

enum split_err { SPLIT_OK, SPLIT_EMPTY, SPLIT_SYNTAX, SPLIT_LONG,
		 SPLIT_MANY, SPLIT_TWICE };

/* Words of [a-z0-9] joined by single "-". */
static bool proposal_ok(const char *s)
{
	size_t i, word = 0;

	for (i = 0; s[i]; i++) {
		if (s[i] == '-' && word == 0)
			return false;
		if (s[i] == '-')
			word = 0;
		else if ((s[i] >= 'a' && s[i] <= 'z') ||
			 (s[i] >= '0' && s[i] <= '9'))
			word++;
		else
			return false;
	}
	return word > 0;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

/* One name of a list, cut in place, appended to out. */
static enum split_err proposal_add(char *s, struct conf_ike_proposals *out)
{
	unsigned i;

	s = trim(s);
	if (!s[0])
		return SPLIT_EMPTY;
	if (strlen(s) > CONF_PROPOSAL_MAX)
		return SPLIT_LONG;
	if (!proposal_ok(s))
		return SPLIT_SYNTAX;
	for (i = 0; i < out->n; i++)
		if (!strcmp(out->name[i], s))
			return SPLIT_TWICE;
	if (out->n == CONF_PROPOSALS_MAX)
		return SPLIT_MANY;
	memcpy(out->name[out->n++], s, strlen(s) + 1);
	return SPLIT_OK;
}

/* "NAME, NAME, ..." into out; on failure bad holds the name at fault. */
static enum split_err proposals_split(const char *v,
				      struct conf_ike_proposals *out,
				      char *bad, size_t size)
{
	char text[CONF_LINE_MAX + 1], *s = text, *comma;
	enum split_err e;

	memset(out, 0, sizeof(*out));
	snprintf(text, sizeof(text), "%s", v);
	for (;;) {
		comma = strchr(s, ',');
		if (comma)
			*comma = '\0';
		e = proposal_add(s, out);
		if (e) {
			snprintf(bad, size, "%s", trim(s));
			return e;
		}
		if (!comma)
			return SPLIT_OK;
		s = comma + 1;
	}
}

static int set_proposals(struct conf_parser *p, const char *key,
			 const char *v, struct conf_ike_proposals *out)
{
	char bad[CONF_PROPOSAL_MAX + 2], q[CONF_QUOTE_MAX];
	enum split_err e = proposals_split(v, out, bad, sizeof(bad));

	conf_quote(bad, q);
	switch (e) {
	case SPLIT_OK:
		return 0;
	case SPLIT_EMPTY:
		return conf_fail(p, p->line, "%s: empty proposal (\",,\" or "
				 "\",\" at an end)", key);
	case SPLIT_LONG:
		return conf_fail(p, p->line, "%s: %s is longer than %d "
				 "characters", key, q, CONF_PROPOSAL_MAX);
	case SPLIT_SYNTAX:
		return conf_fail(p, p->line, "%s: %s is not a proposal (words "
				 "of a-z 0-9 joined by \"-\")", key, q);
	case SPLIT_TWICE:
		return conf_fail(p, p->line, "%s: %s is listed twice", key, q);
	default:
		return conf_fail(p, p->line, "%s: more than %d proposals", key,
				 CONF_PROPOSALS_MAX);
	}
}

static int set_ike_proposals(struct conf_parser *p, void *item, const char *v)
{
	return set_proposals(p, "ike-proposals", v,
			     &((struct conf_ike *)item)->ike_proposals);
}

static int set_esp_proposals(struct conf_parser *p, void *item, const char *v)
{
	return set_proposals(p, "esp-proposals", v,
			     &((struct conf_ike *)item)->esp_proposals);
}

static int set_start(struct conf_parser *p, void *item, const char *v)
{
	static const char *const words[] = { "initiate", "trap", "wait" };
	static const enum conf_ike_start starts[] = {
		CONF_IKE_START_INITIATE, CONF_IKE_START_TRAP,
		CONF_IKE_START_WAIT,
	};
	unsigned i;
	int err = conf_value_word(p, "start", v, words, 3, &i);

	if (!err)
		((struct conf_ike *)item)->start = starts[i];
	return err;
}

static int set_ike_lifetime(struct conf_parser *p, void *item, const char *v)
{
	return conf_value_duration(p, "ike-lifetime", v, LIFETIME_MIN,
				   LIFETIME_MAX,
				   &((struct conf_ike *)item)->ike_lifetime);
}

static int set_child_lifetime(struct conf_parser *p, void *item,
			      const char *v)
{
	return conf_value_duration(p, "child-lifetime", v, LIFETIME_MIN,
				   LIFETIME_MAX,
				   &((struct conf_ike *)item)->child_lifetime);
}

static int set_rekey_margin(struct conf_parser *p, void *item, const char *v)
{
	return conf_value_duration(p, "rekey-margin", v, 1, REKEY_MAX,
				   &((struct conf_ike *)item)->rekey_margin);
}

static int set_rekey_jitter(struct conf_parser *p, void *item, const char *v)
{
	return conf_value_duration(p, "rekey-jitter", v, 0, REKEY_MAX,
				   &((struct conf_ike *)item)->rekey_jitter);
}

static int set_life_bytes(struct conf_parser *p, void *item, const char *v)
{
	return conf_value_count(p, "child-lifetime-bytes", v,
				&((struct conf_ike *)item)->child_lifetime_bytes);
}

static int set_life_packets(struct conf_parser *p, void *item, const char *v)
{
	return conf_value_count(p, "child-lifetime-packets", v,
				&((struct conf_ike *)item)->child_lifetime_packets);
}

static int set_dpd_delay(struct conf_parser *p, void *item, const char *v)
{
	return conf_value_duration(p, "dpd-delay", v, 0, DPD_MAX,
				   &((struct conf_ike *)item)->dpd_delay);
}

static int set_retransmit_timeout(struct conf_parser *p, void *item,
				  const char *v)
{
	uint64_t ms;
	int err = conf_value_duration_ms(p, "retransmit-timeout", v,
					 RETRANSMIT_MS_MIN, RETRANSMIT_MS_MAX,
					 &ms);

	if (!err)
		((struct conf_ike *)item)->retransmit_timeout_ms = (uint32_t)ms;
	return err;
}

static int set_retransmit_tries(struct conf_parser *p, void *item,
				const char *v)
{
	return conf_value_u32(p, "retransmit-tries", v, 0, RETRANSMIT_TRIES_MAX,
			      &((struct conf_ike *)item)->retransmit_tries);
}

static int set_fragmentation(struct conf_parser *p, void *item, const char *v)
{
	return conf_value_bool(p, "fragmentation", v,
			       &((struct conf_ike *)item)->fragmentation);
}

static int set_fragment_size(struct conf_parser *p, void *item, const char *v)
{
	return conf_value_u32(p, "fragment-size", v, FRAGMENT_SIZE_MIN,
			      FRAGMENT_SIZE_MAX,
			      &((struct conf_ike *)item)->fragment_size);
}

static int set_nat_traversal(struct conf_parser *p, void *item, const char *v)
{
	return conf_value_bool(p, "nat-traversal", v,
			       &((struct conf_ike *)item)->nat_traversal);
}

static int set_nat_keepalive(struct conf_parser *p, void *item, const char *v)
{
	return conf_value_duration(p, "nat-keepalive", v, 0, NAT_KEEPALIVE_MAX,
				   &((struct conf_ike *)item)->nat_keepalive);
}

const struct conf_key_def conf_ike_keys[CONF_IKE_KEYS] = {
	[CONF_IKE_AUTH] = { "auth", set_auth, false },
	[CONF_IKE_PSK] = { "psk", set_psk, false },
	[CONF_IKE_CERTIFICATE] = { "certificate", set_certificate, false },
	[CONF_IKE_PRIVATE_KEY] = { "private-key", set_private_key, false },
	[CONF_IKE_CA] = { "ca", set_ca, true },
	[CONF_IKE_LOCAL_ID] = { "local-id", set_local_id, false },
	[CONF_IKE_REMOTE_ID] = { "remote-id", set_remote_id, false },
	[CONF_IKE_IKE_PROPOSALS] = { "ike-proposals", set_ike_proposals, false },
	[CONF_IKE_ESP_PROPOSALS] = { "esp-proposals", set_esp_proposals, false },
	[CONF_IKE_START] = { "start", set_start, false },
	[CONF_IKE_IKE_LIFETIME] = { "ike-lifetime", set_ike_lifetime, false },
	[CONF_IKE_CHILD_LIFETIME] = { "child-lifetime", set_child_lifetime,
				      false },
	[CONF_IKE_REKEY_MARGIN] = { "rekey-margin", set_rekey_margin, false },
	[CONF_IKE_REKEY_JITTER] = { "rekey-jitter", set_rekey_jitter, false },
	[CONF_IKE_CHILD_LIFETIME_BYTES] = { "child-lifetime-bytes",
					    set_life_bytes, false },
	[CONF_IKE_CHILD_LIFETIME_PACKETS] = { "child-lifetime-packets",
					      set_life_packets, false },
	[CONF_IKE_DPD_DELAY] = { "dpd-delay", set_dpd_delay, false },
	[CONF_IKE_RETRANSMIT_TIMEOUT] = { "retransmit-timeout",
					  set_retransmit_timeout, false },
	[CONF_IKE_RETRANSMIT_TRIES] = { "retransmit-tries",
					set_retransmit_tries, false },
	[CONF_IKE_FRAGMENTATION] = { "fragmentation", set_fragmentation,
				     false },
	[CONF_IKE_FRAGMENT_SIZE] = { "fragment-size", set_fragment_size,
				     false },
	[CONF_IKE_NAT_TRAVERSAL] = { "nat-traversal", set_nat_traversal,
				     false },
	[CONF_IKE_NAT_KEEPALIVE] = { "nat-keepalive", set_nat_keepalive,
				     false },
};

/* The defaults of the keys not written. The default proposal lists are
 * constants that always split (abort otherwise: a broken build). */
static void defaults_fill(struct conf_ike *ike)
{
	const unsigned *set = ike->key_line;
	char bad[CONF_PROPOSAL_MAX + 2];

	if (!set[CONF_IKE_IKE_PROPOSALS] &&
	    proposals_split(CONF_DEFAULT_IKE_PROPOSALS, &ike->ike_proposals,
			    bad, sizeof(bad)))
		abort();
	if (!set[CONF_IKE_ESP_PROPOSALS] &&
	    proposals_split(CONF_DEFAULT_ESP_PROPOSALS, &ike->esp_proposals,
			    bad, sizeof(bad)))
		abort();
	if (!set[CONF_IKE_IKE_LIFETIME])
		ike->ike_lifetime = CONF_DEFAULT_IKE_LIFETIME;
	if (!set[CONF_IKE_CHILD_LIFETIME])
		ike->child_lifetime = CONF_DEFAULT_CHILD_LIFETIME;
	if (!set[CONF_IKE_REKEY_MARGIN])
		ike->rekey_margin = CONF_DEFAULT_REKEY_MARGIN;
	if (!set[CONF_IKE_REKEY_JITTER])
		ike->rekey_jitter = CONF_DEFAULT_REKEY_JITTER;
	if (!set[CONF_IKE_DPD_DELAY])
		ike->dpd_delay = CONF_DEFAULT_DPD_DELAY;
	if (!set[CONF_IKE_RETRANSMIT_TIMEOUT])
		ike->retransmit_timeout_ms = CONF_DEFAULT_RETRANSMIT_TIMEOUT_MS;
	if (!set[CONF_IKE_RETRANSMIT_TRIES])
		ike->retransmit_tries = CONF_DEFAULT_RETRANSMIT_TRIES;
	if (!set[CONF_IKE_FRAGMENTATION])
		ike->fragmentation = true;
	if (!set[CONF_IKE_FRAGMENT_SIZE])
		ike->fragment_size = CONF_DEFAULT_FRAGMENT_SIZE;
	if (!set[CONF_IKE_NAT_TRAVERSAL])
		ike->nat_traversal = true;
	if (!set[CONF_IKE_NAT_KEEPALIVE])
		ike->nat_keepalive = CONF_DEFAULT_NAT_KEEPALIVE;
}

static unsigned max3(unsigned a, unsigned b, unsigned c)
{
	unsigned m = a > b ? a : b;

	return m > c ? m : c;
}

/* Rekeying must start before the SA expires, whatever the jitter. The
 * error is on the last line of the three keys (one of them is written:
 * the defaults fit). */
static int rekey_check(struct conf_parser *p, const struct conf_peer *peer,
		       enum conf_ike_key life_key, const char *life_name)
{
	const struct conf_ike *ike = &peer->ike;
	uint32_t life = life_key == CONF_IKE_IKE_LIFETIME ? ike->ike_lifetime
							  : ike->child_lifetime;

	if ((uint64_t)ike->rekey_margin + ike->rekey_jitter < life)
		return 0;
	return conf_fail(p, max3(ike->key_line[CONF_IKE_REKEY_MARGIN],
				 ike->key_line[CONF_IKE_REKEY_JITTER],
				 ike->key_line[life_key]),
			 "peer \"%s\": rekey-margin (%us) + rekey-jitter (%us) "
			 "must be less than %s (%us)", peer->name,
			 ike->rekey_margin, ike->rekey_jitter, life_name, life);
}

/* The first IKE key written in the peer, 0 when there is none. */
static unsigned first_ike_key(const struct conf_ike *ike, unsigned *key)
{
	unsigned i, line = 0;

	for (i = 0; i < CONF_IKE_KEYS; i++) {
		if (ike->key_line[i] && (!line || ike->key_line[i] < line)) {
			line = ike->key_line[i];
			*key = i;
		}
	}
	return line;
}

/* What "auth" makes a peer need, and the keys it refuses: a pre-shared
 * key, or a certificate with its private key and trusted CAs. */
static int auth_check(struct conf_parser *p, const struct conf_peer *peer)
{
	static const enum conf_ike_key cert_keys[] = {
		CONF_IKE_CERTIFICATE, CONF_IKE_PRIVATE_KEY, CONF_IKE_CA,
	};
	enum { NCERT_KEYS = sizeof(cert_keys) / sizeof(cert_keys[0]) };
	const struct conf_ike *ike = &peer->ike;
	bool pubkey = ike->auth == CONF_IKE_AUTH_PUBKEY;
	unsigned i;

	if (pubkey && ike->key_line[CONF_IKE_PSK])
		return conf_fail(p, ike->key_line[CONF_IKE_PSK],
				 "psk: not used with auth = pubkey");
	for (i = 0; !pubkey && i < NCERT_KEYS; i++)
		if (ike->key_line[cert_keys[i]])
			return conf_fail(p, ike->key_line[cert_keys[i]],
					 "%s: not used with auth = psk",
					 conf_ike_keys[cert_keys[i]].name);
	if (!pubkey && !ike->key_line[CONF_IKE_PSK])
		return conf_fail(p, peer->line, "peer \"%s\": \"auth = psk\" "
				 "needs \"psk\"", peer->name);
	for (i = 0; pubkey && i < NCERT_KEYS; i++)
		if (!ike->key_line[cert_keys[i]])
			return conf_fail(p, peer->line, "peer \"%s\": \"auth = "
					 "pubkey\" needs \"%s\"", peer->name,
					 conf_ike_keys[cert_keys[i]].name);
	return 0;
}

/* The "auth" that a key without one calls for. */
static const char *auth_hint(unsigned key)
{
	if (key == CONF_IKE_PSK)
		return "\"auth = psk\"";
	if (key == CONF_IKE_CERTIFICATE || key == CONF_IKE_PRIVATE_KEY ||
	    key == CONF_IKE_CA)
		return "\"auth = pubkey\"";
	return "\"auth = psk\" or \"auth = pubkey\"";
}

int conf_ike_check_section(struct conf_parser *p, struct conf_peer *peer)
{
	struct conf_ike *ike = &peer->ike;
	unsigned key = 0, line;
	int err;

	if (!ike->enabled) {
		line = first_ike_key(ike, &key);
		if (!line)
			return 0;
		return conf_fail(p, line, "peer \"%s\": \"%s\" applies to "
				 "IKE-managed peers only (add %s)",
				 peer->name, conf_ike_keys[key].name,
				 auth_hint(key));
	}
	err = auth_check(p, peer);
	if (err)
		return err;
	defaults_fill(ike);
	err = rekey_check(p, peer, CONF_IKE_IKE_LIFETIME, "ike-lifetime");
	if (!err)
		err = rekey_check(p, peer, CONF_IKE_CHILD_LIFETIME,
				  "child-lifetime");
	return err;
}

void conf_ike_resolve(const struct conf *c, struct conf_peer *peer)
{
	struct conf_ike *ike = &peer->ike;

	if (!ike->enabled)
		return;
	if (!ike->key_line[CONF_IKE_LOCAL_ID])
		conf_id_from_addr(&c->daemon.local, &ike->local_id);
	if (!ike->key_line[CONF_IKE_REMOTE_ID])
		conf_id_from_addr(&peer->addr, &ike->remote_id);
}
