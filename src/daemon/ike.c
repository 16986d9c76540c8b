/* SPDX-License-Identifier: MIT */
/*
 * The IKE engine inside tunsecd: its peers from the configuration, its
 * sockets (UDP 500, and port 4500's IKE socket in the workers' SO_REUSEPORT
 * group, which receives the datagrams carrying the non-ESP marker), a
 * timer, the keys process that holds the pre-shared keys, and Child SAs
 * into the data plane through the one install seam with the workers
 * parked. Runs in the main thread.
 */
#include <errno.h>
#include <netinet/in.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "ike/cert.h"
#include "io/udp.h"
#include "util/log.h"
#include "util/secure.h"

#define KEYPROC_WAIT_MS 2000

bool daemon_conf_has_ike(const struct conf *c)
{
	unsigned i;

	for (i = 0; i < c->npeers; i++)
		if (c->peers[i].ike.enabled)
			return true;
	return false;
}

/* ---- the engine's world ---- */

static uint64_t now_ms(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void random_bytes(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	if (RAND_bytes(buf, (int)len) != 1)
		abort(); /* no randomness: nothing safe can follow */
}

static int send_dgram(void *ctx, const struct ike_endpoint *local,
		      const struct ike_endpoint *remote, bool marker,
		      const uint8_t *buf, size_t len)
{
	struct daemon *d = ctx;
	uint8_t out[4 + IKE_MSG_MAX];
	/* Port 4500's socket also sends NAT-keepalives, without a marker. */
	int fd = marker || local->port != IKE_PORT ? d->ike.fd4500
						    : d->ike.fd500;

	if (len > IKE_MSG_MAX || fd < 0)
		return -EINVAL;
	memset(out, 0, 4);
	memcpy(out + (marker ? 4 : 0), buf, len);
	return udp_send(fd, out, len + (marker ? 4 : 0), &remote->addr,
			remote->port) < 0 ? -EIO : 0;
}

static int sign(void *ctx, unsigned peer, uint16_t hash, int scheme,
		const uint8_t *octets, size_t len, uint8_t *sig, size_t cap,
		size_t *sig_len)
{
	struct daemon *d = ctx;

	return keyproc_sign(&d->ike.kp, peer, hash, (uint8_t)scheme, octets,
			    len, sig, cap, sig_len, KEYPROC_WAIT_MS);
}

/* The data plane's counters of a Child SA pair (workers parked). */
static int child_usage(void *ctx, unsigned peer, uint32_t spi_in,
		       uint32_t spi_out, uint64_t *bytes, uint64_t *packets,
		       uint64_t *seq_left)
{
	struct daemon *d = ctx;
	const struct dp_sa *in, *out;
	int err = 0;

	(void)peer;
	daemon_park(d);
	in = dp_sa_find(&d->dp, true, spi_in);
	out = dp_sa_find(&d->dp, false, spi_out);
	if (!in || !out) {
		err = -ENOENT;
	} else {
		*bytes = in->esp.stats.bytes + out->esp.stats.bytes;
		*packets = in->esp.stats.packets + out->esp.stats.packets;
		*seq_left = out->esp.esn ? UINT64_MAX - out->esp.seq_next
					 : (1ull << 32) - out->esp.seq_next;
	}
	daemon_unpark(d);
	return err;
}

static int auth_psk(void *ctx, unsigned peer, enum ike_prf_alg prf,
		    const uint8_t *octets, size_t len, uint8_t *out,
		    size_t out_len)
{
	struct daemon *d = ctx;

	return keyproc_auth_psk(&d->ike.kp, peer, prf, octets, len, out,
				out_len, KEYPROC_WAIT_MS);
}

/* Ports and tunnel addresses, which the data plane knows. */
static void complete(struct daemon *d, const struct dp_peer *p,
		     struct esp_sa_config *in, struct esp_sa_config *out)
{
	in->sport = out->dport = p->port;
	in->dport = out->sport = d->dp.port;
	if (in->mode == ESP_MODE_TUNNEL) {
		in->tunnel_src = p->addr;
		in->tunnel_dst = d->dp.local;
	}
	if (out->mode == ESP_MODE_TUNNEL) {
		out->tunnel_src = d->dp.local;
		out->tunnel_dst = p->addr;
	}
}

static int child_up(void *ctx, const struct ike_child_sa *c, unsigned halves)
{
	struct daemon *d = ctx;
	unsigned peer = d->ike.engine.peers[c->peer].dp_peer;
	struct ike_child_sa cs = *c;
	const char *why = NULL;
	int err;

	daemon_park(d);
	if (c->remote.port) /* behind a NAT, the port it mapped */
		d->dp.peers[peer].port = c->remote.port;
	complete(d, &d->dp.peers[peer], &cs.in, &cs.out);
	/* Each SA carries the negotiated selectors: the data plane drops
	 * what the peer's configured ones allow but the Child SA does not. */
	err = halves & IKE_HALF_IN ?
		dp_sa_install_ts(&d->dp, peer, true, c->slot, "ike-in", &cs.in,
				 c->sel, c->nsel, &why) : 0;
	if (!err && halves & IKE_HALF_OUT)
		err = dp_sa_install_ts(&d->dp, peer, false, c->slot, "ike-out",
				       &cs.out, c->sel, c->nsel, &why);
	daemon_unpark(d);
	if (err)
		log_err("ike %s: Child SA refused by the data plane: %s",
			d->dp.peers[peer].name, why ? why : strerror(-err));
	return err;
}

static void peer_moved(void *ctx, unsigned peer,
		       const struct ike_endpoint *remote)
{
	struct daemon *d = ctx;
	struct dp_peer *p = &d->dp.peers[d->ike.engine.peers[peer].dp_peer];

	daemon_park(d);
	p->addr = remote->addr;
	p->port = remote->port;
	daemon_unpark(d);
}

static void child_down(void *ctx, unsigned peer, uint32_t spi_in,
		       uint32_t spi_out)
{
	struct daemon *d = ctx;

	(void)peer;
	daemon_park(d);
	if (spi_in)
		dp_sa_remove(&d->dp, true, spi_in);
	if (spi_out)
		dp_sa_remove(&d->dp, false, spi_out);
	daemon_unpark(d);
}

/* ---- configuration ---- */

static void ident_from_conf(const struct conf_ike_id *c, struct ike_ident *i)
{
	i->type = c->type;
	i->len = c->len < IKE_ID_MAX ? c->len : IKE_ID_MAX;
	memcpy(i->data, c->data, i->len);
}

/* One configured list of proposal names into the engine's form. */
static int proposals_from_conf(const struct conf_ike_proposals *p,
			       enum ike_prop_kind kind,
			       struct ike_prop_conf *out, unsigned *n,
			       const char *peer)
{
	const char *why;
	char bad[IKE_PROP_TOKEN_MAX];
	unsigned i;

	for (i = 0; i < p->n && i < IKE_OFFERS_MAX; i++)
		if (ike_proposal_parse(p->name[i], strlen(p->name[i]), kind,
				       &out[i], &why, bad, sizeof(bad))) {
			log_err("peer %s: %s proposal \"%s\": %s (\"%s\")",
				peer, kind == IKE_PROP_IKE ? "ike" : "esp",
				p->name[i], why, bad);
			return -EINVAL;
		}
	*n = i;
	return 0;
}

static int peer_cfg(const struct conf *c, unsigned dp_peer,
		    struct ike_peer_cfg *out)
{
	const struct conf_peer *p = &c->peers[dp_peer];
	const struct conf_ike *k = &p->ike;
	unsigned i;

	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", p->name);
	out->dp_peer = dp_peer;
	out->local.addr = c->daemon.local;
	out->local.port = IKE_PORT;
	out->remote.addr = p->addr;
	out->remote.port = IKE_PORT;
	out->esp_port = p->port;
	out->natt_port = c->daemon.port;
	ident_from_conf(&k->local_id, &out->local_id);
	ident_from_conf(&k->remote_id, &out->remote_id);
	if (proposals_from_conf(&k->ike_proposals, IKE_PROP_IKE, out->ike,
				&out->nike, p->name) ||
	    proposals_from_conf(&k->esp_proposals, IKE_PROP_ESP, out->esp,
				&out->nesp, p->name))
		return -EINVAL;
	out->auth = k->auth == CONF_IKE_AUTH_PUBKEY ? IKE_AUTH_PUBKEY
						   : IKE_AUTH_PSK;
	out->mode = p->mode;
	for (i = 0; i < p->nsel && i < IKE_SEL_MAX; i++)
		conf_selector_to_spd(&p->sel[i], true, &out->sel[i]);
	out->nsel = i;
	out->start = k->start == CONF_IKE_START_WAIT ? IKE_START_WAIT :
		     k->start == CONF_IKE_START_TRAP ? IKE_START_TRAP
						     : IKE_START_INITIATE;
	out->rtx_ms = k->retransmit_timeout_ms;
	out->rtx_tries = k->retransmit_tries;
	out->dpd_s = k->dpd_delay;
	out->keepalive_s = k->nat_keepalive;
	out->fragmentation = k->fragmentation;
	out->frag_size = (uint16_t)k->fragment_size;
	out->ike_life_s = k->ike_lifetime;
	out->child_life_s = k->child_lifetime;
	out->margin_s = k->rekey_margin;
	out->jitter_s = k->rekey_jitter;
	out->child_bytes = k->child_lifetime_bytes;
	out->child_packets = k->child_lifetime_packets;
	return 0;
}

int daemon_ike_peers(const struct conf *c, struct ike_peer_cfg **out,
		     unsigned *n)
{
	struct ike_peer_cfg *cfg = calloc(c->npeers ? c->npeers : 1,
					  sizeof(*cfg));
	unsigned i;

	*n = 0;
	if (!cfg)
		return -ENOMEM;
	for (i = 0; i < c->npeers; i++) {
		if (!c->peers[i].ike.enabled)
			continue;
		if (peer_cfg(c, i, &cfg[*n])) {
			free(cfg);
			return -EINVAL;
		}
		(*n)++;
	}
	*out = cfg;
	return 0;
}

static void arm(struct daemon *d, uint64_t at);

/* The keys process's table from c: engine peer i's secret under id i;
 * c's copies are wiped. NULL (and *n 0) without memory. */
static struct keyproc_secret *secrets_of(struct conf *c, unsigned *n)
{
	struct keyproc_secret *s;
	unsigned i;

	*n = 0;
	s = calloc(c->npeers ? c->npeers : 1, sizeof(*s));
	for (i = 0; s && i < c->npeers; i++) {
		struct conf_ike *k = &c->peers[i].ike;

		if (!k->enabled)
			continue;
		s[*n].id = *n;
		if (k->auth == CONF_IKE_AUTH_PUBKEY) {
			/* The keys process reads the key file itself. */
			s[*n].kind = KEYPROC_KIND_KEY_FILE;
			s[*n].len = strlen(k->key);
			memcpy(s[(*n)++].bytes, k->key, strlen(k->key));
			continue;
		}
		s[*n].kind = KEYPROC_KIND_PSK;
		memcpy(s[*n].bytes, k->psk, k->psk_len);
		s[(*n)++].len = k->psk_len;
		secure_zero(k->psk, sizeof(k->psk));
	}
	return s;
}

static int start_keys(struct daemon *d)
{
	unsigned n;
	struct keyproc_secret *s = secrets_of(&d->conf, &n);
	int err;

	if (!s)
		return -ENOMEM;
	err = keyproc_start(&d->ike.kp, s, n); /* wipes s */
	free(s);
	return err;
}

int daemon_ike_reload_check(struct daemon *d, const struct conf *next,
			    char *why, size_t cap)
{
	struct ike_peer_cfg *cfg;
	unsigned n, i;
	int err = 0;

	if (!d->ike.on)
		return daemon_conf_has_ike(next) ? (snprintf(why, cap,
			"IKE-managed peers added: restart tunsecd to apply"),
			-EINVAL) : 0;
	if (daemon_ike_peers(next, &cfg, &n)) {
		snprintf(why, cap, "an IKE proposal cannot be used (see the log)");
		return -EINVAL;
	}
	for (i = 0; !err && i < n; i++)
		if (n != d->ike.engine.npeers ||
		    strcmp(cfg[i].name, d->ike.engine.peers[i].name))
			err = -EINVAL;
	if (n != d->ike.engine.npeers)
		err = -EINVAL;
	free(cfg);
	if (err)
		snprintf(why, cap, "IKE-managed peers added, removed or "
			 "reordered: restart tunsecd to apply");
	return err;
}

void daemon_ike_reload_apply(struct daemon *d, struct conf *next)
{
	struct keyproc_secret *s;
	struct ike_peer_cfg *cfg;
	unsigned n, i;

	if (!d->ike.on)
		return;
	if (!daemon_ike_peers(next, &cfg, &n)) {
		/* Same peers, same order (checked): new settings apply to the
		 * IKE SAs from their next exchange on. */
		for (i = 0; i < n && i < d->ike.engine.npeers; i++) {
			cfg[i].cert = d->ike.engine.peers[i].cert;
			memcpy(cfg[i].chain, d->ike.engine.peers[i].chain,
			       sizeof(cfg[i].chain));
			cfg[i].nchain = d->ike.engine.peers[i].nchain;
			cfg[i].cas = d->ike.engine.peers[i].cas;
			d->ike.engine.peers[i] = cfg[i];
		}
		free(cfg);
	}
	s = secrets_of(next, &n);
	if (!s || keyproc_reload(&d->ike.kp, s, n, KEYPROC_WAIT_MS))
		log_err("ike: the keys process did not take the new keys: "
			"authentication will fail until tunsecd restarts");
	free(s);
	arm(d, ike_tick(&d->ike.engine));
}

/* ---- sockets and the timer ---- */

static void arm(struct daemon *d, uint64_t at)
{
	struct itimerspec its = { 0 };
	uint64_t now = now_ms(d);

	if (at == UINT64_MAX)
		at = now + 60000;
	if (at <= now)
		at = now + 1;
	its.it_value.tv_sec = (time_t)((at - now) / 1000);
	its.it_value.tv_nsec = (long)((at - now) % 1000) * 1000000;
	timerfd_settime(d->ike.timer_fd, 0, &its, NULL);
}

void daemon_ike_tick(struct daemon *d)
{
	uint64_t v;

	if (read(d->ike.timer_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_debug("ike: timer: %s", strerror(errno));
	arm(d, ike_tick(&d->ike.engine));
}

/* ---- start = trap ---- */

/* From a worker: peer's traffic met no outbound SA. One wake-up of the
 * main thread per peer until it has looked. */
static void acquire(void *ctx, unsigned peer)
{
	struct daemon *d = ctx;
	uint64_t bit = 1ull << (peer % 64), *w, one = 1;

	if (peer >= CONF_PEERS_MAX)
		return;
	w = &d->ike.wanted[peer / 64];
	if (__atomic_load_n(w, __ATOMIC_RELAXED) & bit ||
	    __atomic_fetch_or(w, bit, __ATOMIC_ACQ_REL) & bit)
		return;
	if (write(d->ike.acquire_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_debug("ike: acquire: %s", strerror(errno));
}

static bool any_trap(const struct ike *ike)
{
	unsigned i;

	for (i = 0; i < ike->npeers; i++)
		if (ike->peers[i].start == IKE_START_TRAP)
			return true;
	return false;
}

void daemon_ike_hook_dp(struct daemon *d)
{
	bool on = d->ike.on && d->ike.acquire_fd >= 0 &&
		  any_trap(&d->ike.engine);
	struct ike_sa_info info;
	unsigned i;

	d->dp.acquire = on ? acquire : NULL;
	d->dp.acquire_ctx = on ? d : NULL;
	/* A new data plane has the configured addresses and ports: the
	 * peers' as their IKE SAs know them (a NAT's) again. */
	for (i = 0; d->ike.on && ike_sa_get(&d->ike.engine, i, &info); i++) {
		struct dp_peer *p;

		if (!info.children || !info.remote.port)
			continue;
		p = &d->dp.peers[d->ike.engine.peers[info.peer].dp_peer];
		p->addr = info.remote.addr;
		p->port = info.remote.port;
	}
}

void daemon_ike_acquired(struct daemon *d)
{
	struct ike *ike = &d->ike.engine;
	uint64_t v, bits;
	unsigned i, k;

	if (read(d->ike.acquire_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_debug("ike: acquire: %s", strerror(errno));
	for (k = 0; k < CONF_PEERS_MAX / 64; k++) {
		bits = __atomic_exchange_n(&d->ike.wanted[k], 0,
					   __ATOMIC_ACQ_REL);
		for (i = 0; bits && i < ike->npeers; i++)
			if (ike->peers[i].dp_peer / 64 == k &&
			    bits & 1ull << (ike->peers[i].dp_peer % 64))
				ike_acquire(ike, i);
	}
	arm(d, ike_tick(ike));
}

/* Datagrams waiting on one IKE socket; natt: port 4500 with markers. */
void daemon_ike_receive(struct daemon *d, int fd)
{
	static uint8_t buf[4 + IKE_MSG_MAX];
	struct ike_endpoint local = { .addr = d->dp.local };
	struct ike_endpoint remote;
	bool natt = fd == d->ike.fd4500;
	ssize_t n;
	int i;

	local.port = natt ? d->dp.port : IKE_PORT;
	for (i = 0; i < 64; i++) {
		n = udp_recv(fd, buf, sizeof(buf), &remote.addr, &remote.port);
		if (n == -EAGAIN)
			break;
		if (n < 0)
			continue;
		if (natt && (n < 4 || buf[0] | buf[1] | buf[2] | buf[3]))
			continue; /* not IKE: steered here by mistake */
		ike_input(&d->ike.engine, &local, &remote, buf + (natt ? 4 : 0),
			  (size_t)n - (natt ? 4 : 0));
	}
	arm(d, ike_tick(&d->ike.engine));
}

int daemon_ike_start(struct daemon *d, int fd4500)
{
	struct ike_env env = {
		.ctx = d, .send = send_dgram, .auth_psk = auth_psk, .sign = sign,
		.child_usage = child_usage,
		.child_up = child_up, .child_down = child_down,
		.peer_moved = peer_moved,
		.now_ms = now_ms, .random = random_bytes,
	};
	struct ike_peer_cfg *cfg;
	unsigned n;
	int err;

	d->ike.fd4500 = fd4500;
	err = daemon_ike_peers(&d->conf, &cfg, &n);
	if (err)
		return err;
	err = daemon_ike_creds(d, cfg, n);
	if (!err)
		err = ike_init(&d->ike.engine, &env, cfg, n);
	free(cfg);
	if (!err)
		err = start_keys(d);
	if (!err)
		err = udp_open(&d->conf.daemon.local, IKE_PORT,
			       d->net.cfg.bypass_mark, &d->ike.fd500);
	if (err)
		return err;
	/* IKE messages too long for the path and not cut in RFC 7383
	 * fragments leave as IP fragments; ESP never does. */
	if (udp_allow_fragments(d->ike.fd500, d->conf.daemon.local.family) ||
	    udp_allow_fragments(fd4500, d->conf.daemon.local.family))
		log_warn("ike: IP fragmentation refused on the IKE sockets: "
			 "messages longer than the path MTU need fragmentation");
	d->ike.timer_fd = timerfd_create(CLOCK_MONOTONIC,
					 TFD_NONBLOCK | TFD_CLOEXEC);
	d->ike.acquire_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (d->ike.timer_fd < 0 || d->ike.acquire_fd < 0)
		return -errno;
	d->ike.on = true;
	daemon_ike_hook_dp(d);
	log_info("ike: %u peer(s), ports %u and %u", n, IKE_PORT,
		 d->conf.daemon.port);
	arm(d, 0);
	return 0;
}

void daemon_ike_stop(struct daemon *d)
{
	if (d->ike.on) {
		ike_shutdown(&d->ike.engine);
		ike_free(&d->ike.engine);
	}
	keyproc_stop(&d->ike.kp);
	daemon_ike_creds_free(d);
	if (d->ike.fd500 >= 0)
		close(d->ike.fd500);
	if (d->ike.timer_fd >= 0)
		close(d->ike.timer_fd);
	if (d->ike.acquire_fd >= 0)
		close(d->ike.acquire_fd);
	d->ike.fd500 = d->ike.timer_fd = d->ike.acquire_fd = -1;
	d->ike.on = false;
	daemon_ike_hook_dp(d);
}

/* The engine's index of the IKE-managed peer called name, or -1. */
static int engine_peer(const struct daemon *d, const char *name)
{
	unsigned i;

	for (i = 0; d->ike.on && i < d->ike.engine.npeers; i++)
		if (!strcmp(d->ike.engine.peers[i].name, name))
			return (int)i;
	return -1;
}

int daemon_ike_up_down(struct daemon *d, const char *peer, bool up)
{
	int i = engine_peer(d, peer), err;

	if (i < 0)
		return -ENOENT;
	err = up ? ike_up(&d->ike.engine, (unsigned)i)
		 : ike_down(&d->ike.engine, (unsigned)i);
	arm(d, ike_tick(&d->ike.engine));
	return err;
}

int daemon_ike_rekey(struct daemon *d, const char *peer, bool ike_sa)
{
	int i = engine_peer(d, peer), err;

	if (i < 0)
		return -ENOENT;
	err = ike_rekey(&d->ike.engine, (unsigned)i, ike_sa);
	arm(d, ike_tick(&d->ike.engine));
	return err;
}

/* ---- certificates ---- */

/* A peer's certificate (the first of its file), the intermediates after
 * it (IKE_CHAIN_MAX slots at inter) and CA store, kept by the daemon for
 * the engine. 0 or -errno, logged. */
static int load_creds(const struct conf_peer *p, struct ike_x509 **cert,
		      struct ike_x509 **inter, struct ike_cert_store **cas)
{
	struct ike_x509 *chain[IKE_CERT_FILE_MAX];
	unsigned n = 0, i;
	int err;

	err = ike_cert_load(p->ike.cert, chain, IKE_CERT_FILE_MAX, &n);
	if (err || !n) {
		log_err("peer %s: certificate %s: cannot load it", p->name,
			p->ike.cert);
		return err ? err : -EINVAL;
	}
	*cert = chain[0];
	for (i = 1; i < n; i++)
		if (i <= IKE_CHAIN_MAX)
			inter[i - 1] = chain[i];
		else
			ike_cert_free(chain[i]);
	if (n - 1 > IKE_CHAIN_MAX) {
		log_err("peer %s: certificate %s: more than %u intermediate "
			"CA certificates", p->name, p->ike.cert, IKE_CHAIN_MAX);
		return -E2BIG;
	}
	*cas = ike_cert_store_new();
	if (!*cas)
		return -ENOMEM;
	for (i = 0; i < p->ike.nca; i++)
		if (ike_cert_store_add_file(*cas, p->ike.ca[i])) {
			log_err("peer %s: CA %s: cannot load it", p->name,
				p->ike.ca[i]);
			return -EINVAL;
		}
	return 0;
}

int daemon_ike_creds(struct daemon *d, struct ike_peer_cfg *cfg, unsigned n)
{
	unsigned i;
	int err;

	d->ike.certs = calloc(n ? n : 1, sizeof(*d->ike.certs));
	d->ike.chains = calloc((n ? n : 1) * IKE_CHAIN_MAX,
			       sizeof(*d->ike.chains));
	d->ike.cas = calloc(n ? n : 1, sizeof(*d->ike.cas));
	if (!d->ike.certs || !d->ike.chains || !d->ike.cas)
		return -ENOMEM;
	d->ike.ncreds = n;
	for (i = 0; i < n; i++) {
		const struct conf_peer *p = &d->conf.peers[cfg[i].dp_peer];

		if (p->ike.auth != CONF_IKE_AUTH_PUBKEY)
			continue;
		struct ike_x509 **inter = &d->ike.chains[i * IKE_CHAIN_MAX];

		err = load_creds(p, &d->ike.certs[i], inter, &d->ike.cas[i]);
		if (err)
			return err;
		cfg[i].cert = d->ike.certs[i];
		for (cfg[i].nchain = 0; cfg[i].nchain < IKE_CHAIN_MAX &&
					inter[cfg[i].nchain];
		     cfg[i].nchain++)
			cfg[i].chain[cfg[i].nchain] = inter[cfg[i].nchain];
		cfg[i].cas = d->ike.cas[i];
	}
	return 0;
}

void daemon_ike_creds_free(struct daemon *d)
{
	unsigned i;

	for (i = 0; d->ike.certs && i < d->ike.ncreds; i++) {
		ike_cert_free(d->ike.certs[i]);
		ike_cert_store_free(d->ike.cas[i]);
	}
	for (i = 0; d->ike.chains && i < d->ike.ncreds * IKE_CHAIN_MAX; i++)
		ike_cert_free(d->ike.chains[i]);
	free(d->ike.certs);
	free(d->ike.chains);
	free(d->ike.cas);
	d->ike.certs = NULL;
	d->ike.chains = NULL;
	d->ike.cas = NULL;
	d->ike.ncreds = 0;
}
