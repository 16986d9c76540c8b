/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the tunsecd configuration parser (conf_parse_text) on
 * arbitrary text, without a base directory (so "key = @PATH" is refused and
 * no file is opened).
 *
 * Checked for every input (abort() on failure):
 *  - on success: counts within their bounds and matching the arrays; the
 *    daemon has a local address; every peer has a valid name, an address of
 *    the local family and 1..CONF_SELECTORS_MAX selectors whose text form
 *    fits; every SA has a valid name, a peer index below npeers naming that
 *    peer, a non-zero SPI, key material of exactly the cipher's length, an
 *    allowed ICV, a replay window in range (inbound) or 0 (outbound), TFC
 *    padding only outbound to tunnel-mode peers, a cpu below
 *    CONF_WORKERS_MAX and 0 on inbound SAs, SPIs unique per direction, cpu
 *    unique among a peer's outbound SAs, and conf_sa_config() accepts it;
 *    workers at most CONF_WORKERS_MAX; a peer without "auth" has an
 *    all-zero struct conf_ike; an IKE-managed peer has no SAs; with
 *    auth = psk a psk of CONF_PSK_MIN..CONF_PSK_MAX bytes and no
 *    certificate, private key or CA (all-zero paths, nca 0); with
 *    auth = pubkey no psk (psk_len 0, psk all zero), and absolute,
 *    NUL-terminated certificate and key paths and 1..CONF_CA_MAX such CA
 *    paths, the unused CA slots all zero (no input reaches this while the
 *    target passes no base directory: the paths are refused); identities
 *    of a known type and
 *    1..CONF_ID_MAX bytes (4 or 16 for addresses), 1..CONF_PROPOSALS_MAX
 *    proposals per list of well-formed names, durations within their
 *    bounds and rekey margin + jitter below both lifetimes;
 *  - on failure: -EINVAL or -ENOMEM, a non-empty reason, a line between 0
 *    and the number of lines in the input, and a zeroed output.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "dp/limits.h"

#define check(cond)                                                        \
	do {                                                               \
		if (!(cond))                                               \
			abort();                                           \
	} while (0)

static bool name_ok(const char *s)
{
	size_t n = strnlen(s, CONF_NAME_MAX + 1), i;

	if (n == 0 || n > CONF_NAME_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '.' ||
		      s[i] == '_' || s[i] == '-'))
			return false;
	return true;
}

static void check_id(const struct conf_ike_id *id)
{
	check(id->len >= 1 && id->len <= CONF_ID_MAX);
	if (id->type == IKE_ID_IPV4_ADDR)
		check(id->len == 4);
	else if (id->type == IKE_ID_IPV6_ADDR)
		check(id->len == 16);
	else
		check(id->type == IKE_ID_FQDN || id->type == IKE_ID_RFC822_ADDR ||
		      id->type == IKE_ID_DER_ASN1_DN);
	if (id->type == IKE_ID_DER_ASN1_DN)
		check(id->data[0] == 0x30);
}

static void check_proposals(const struct conf_ike_proposals *l)
{
	unsigned i;
	size_t n, j;

	check(l->n >= 1 && l->n <= CONF_PROPOSALS_MAX);
	for (i = 0; i < l->n; i++) {
		n = strnlen(l->name[i], CONF_PROPOSAL_MAX + 1);
		check(n >= 1 && n <= CONF_PROPOSAL_MAX);
		check(l->name[i][0] != '-' && l->name[i][n - 1] != '-');
		for (j = 0; j < n; j++)
			check((l->name[i][j] >= 'a' && l->name[i][j] <= 'z') ||
			      (l->name[i][j] >= '0' && l->name[i][j] <= '9') ||
			      l->name[i][j] == '-');
	}
}

static bool all_zero(const void *b, size_t n)
{
	const uint8_t *u = b;
	size_t i;

	for (i = 0; i < n; i++)
		if (u[i])
			return false;
	return true;
}

/* An absolute path of 1..CONF_PATH_MAX bytes, NUL-terminated in its
 * field, nothing after the NUL. */
static void check_path(const char *s)
{
	size_t n = strnlen(s, CONF_PATH_MAX + 1);

	check(n >= 1 && n <= CONF_PATH_MAX && s[0] == '/');
	check(all_zero(s + n, CONF_PATH_MAX + 1 - n));
}

static void check_psk(const struct conf_ike *k, const struct conf_peer *p)
{
	check(k->auth == CONF_IKE_AUTH_PSK);
	check(k->psk_len >= CONF_PSK_MIN && k->psk_len <= CONF_PSK_MAX);
	check(k->key_line[CONF_IKE_PSK] > p->line);
	check(all_zero(k->cert, sizeof(k->cert)) &&
	      all_zero(k->key, sizeof(k->key)) &&
	      all_zero(k->ca, sizeof(k->ca)) && k->nca == 0);
	check(!k->key_line[CONF_IKE_CERTIFICATE] &&
	      !k->key_line[CONF_IKE_PRIVATE_KEY] && !k->key_line[CONF_IKE_CA]);
}

static void check_pubkey(const struct conf_ike *k, const struct conf_peer *p)
{
	unsigned i;

	check(k->psk_len == 0 && !k->psk_inline &&
	      all_zero(k->psk, sizeof(k->psk)) && !k->key_line[CONF_IKE_PSK]);
	check(k->nca >= 1 && k->nca <= CONF_CA_MAX);
	check_path(k->cert);
	check_path(k->key);
	for (i = 0; i < k->nca; i++)
		check_path(k->ca[i]);
	check(all_zero(k->ca[k->nca], (CONF_CA_MAX - k->nca) * sizeof(k->ca[0])));
	check(k->key_line[CONF_IKE_CERTIFICATE] > p->line &&
	      k->key_line[CONF_IKE_PRIVATE_KEY] > p->line &&
	      k->key_line[CONF_IKE_CA] > p->line);
}

static void check_ike(const struct conf *c, const struct conf_peer *p)
{
	static const struct conf_ike zero;
	const struct conf_ike *k = &p->ike;
	unsigned i;

	if (!k->enabled) {
		check(!memcmp(k, &zero, sizeof(zero)));
		return;
	}
	check(k->key_line[CONF_IKE_AUTH] > p->line);
	if (k->auth == CONF_IKE_AUTH_PUBKEY)
		check_pubkey(k, p);
	else
		check_psk(k, p);
	check_id(&k->local_id);
	check_id(&k->remote_id);
	check_proposals(&k->ike_proposals);
	check_proposals(&k->esp_proposals);
	check(k->start <= CONF_IKE_START_WAIT);
	check(k->ike_lifetime >= 60 && k->ike_lifetime <= 30 * 86400);
	check(k->child_lifetime >= 60 && k->child_lifetime <= 30 * 86400);
	check(k->rekey_margin >= 1);
	check((uint64_t)k->rekey_margin + k->rekey_jitter < k->ike_lifetime &&
	      (uint64_t)k->rekey_margin + k->rekey_jitter < k->child_lifetime);
	check(k->dpd_delay <= 86400 && k->retransmit_tries <= 16);
	check(k->retransmit_timeout_ms >= 100 &&
	      k->retransmit_timeout_ms <= 60000);
	check(k->child_lifetime_bytes <= INT64_MAX &&
	      k->child_lifetime_packets <= INT64_MAX);
	for (i = 0; i < c->nsas; i++)
		check(c->sas[i].peer != (unsigned)(p - c->peers));
}

static void check_peer(const struct conf *c, const struct conf_peer *p)
{
	char buf[CONF_SELECTOR_STRLEN];
	unsigned i;

	check(name_ok(p->name));
	check(p->addr.family == c->daemon.local.family);
	check(p->nsel >= 1 && p->nsel <= CONF_SELECTORS_MAX && p->sel);
	check(p->port != 0);
	for (i = 0; i < p->nsel; i++) {
		const struct conf_selector *s = &p->sel[i];

		check(s->lport_lo <= s->lport_hi && s->rport_lo <= s->rport_hi);
		check(s->line >= p->line);
		conf_selector_format(s, buf, sizeof(buf));
		check(strlen(buf) < sizeof(buf) - 1);
		if (p->mode == ESP_MODE_TRANSPORT)
			check(s->local.addr.family == c->daemon.local.family &&
			      s->remote.addr.family == c->daemon.local.family);
	}
	check_ike(c, p);
}

static void check_sa(const struct conf *c, unsigned idx)
{
	const struct conf_sa *sa = &c->sas[idx];
	const struct esp_cipher_info *info = esp_cipher_info(sa->cipher);
	struct esp_sa_config cfg;
	unsigned j;

	check(name_ok(sa->name) && info);
	check(sa->peer < c->npeers);
	check(!strcmp(c->peers[sa->peer].name, sa->peer_name));
	check(sa->spi != 0);
	check(sa->key_len == (uint32_t)info->key_len + info->salt_len);
	check(esp_cipher_icv_ok(info, sa->icv));
	if (sa->inbound)
		check(sa->replay_window >= REPLAY_WINDOW_MIN &&
		      sa->replay_window <= REPLAY_WINDOW_MAX && !sa->tfc_pad);
	else
		check(sa->replay_window == 0);
	if (sa->tfc_pad)
		check(c->peers[sa->peer].mode == ESP_MODE_TUNNEL);
	check(sa->cpu < CONF_WORKERS_MAX && (!sa->inbound || sa->cpu == 0));
	for (j = 0; j < idx; j++) {
		const struct conf_sa *o = &c->sas[j];

		if (o->inbound != sa->inbound)
			continue;
		check(o->spi != sa->spi);
		check(sa->inbound || o->peer != sa->peer || o->cpu != sa->cpu);
	}
	check(conf_sa_config(c, sa, &cfg) == 0);
	check(cfg.key == sa->key && cfg.spi == sa->spi);
}

static void check_success(const struct conf *c)
{
	unsigned i;

	check(c->daemon.line >= 1);
	check(c->daemon.local.family != 0);
	check(c->daemon.workers <= CONF_WORKERS_MAX);
	check(c->npeers <= CONF_PEERS_MAX && c->nsas <= CONF_SAS_MAX);
	check(!c->npeers == !c->peers && !c->nsas == !c->sas);
	for (i = 0; i < c->npeers; i++)
		check_peer(c, &c->peers[i]);
	for (i = 0; i < c->nsas; i++)
		check_sa(c, i);
}

static void check_failure(const struct conf *c, const struct conf_error *e,
			  const uint8_t *data, size_t size)
{
	static const struct conf zero;
	size_t lines = 1, i;

	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	check(e->reason[0] != '\0');
	check(e->line <= lines);
	check(!memcmp(c, &zero, sizeof(*c)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf c;
	struct conf_error e;
	int rc = conf_parse_text("fuzz", (const char *)data, size, NULL, &c,
				 &e);

	if (rc == 0) {
		check_success(&c);
		conf_free(&c);
	} else {
		check(rc == -EINVAL || rc == -ENOMEM);
		check_failure(&c, &e, data, size);
	}
	check(!strcmp(e.file, "fuzz"));
	return 0;
}
