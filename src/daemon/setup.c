/* SPDX-License-Identifier: MIT */
/* From a configuration to a running data plane and a configured host. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <signal.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "io/tun.h"
#include "io/udp.h"
#include "util/log.h"
#include "util/secure.h"

static int add_peer(const struct conf_peer *p, struct dp *dp)
{
	struct spd_selector *sel = calloc(p->nsel, sizeof(*sel));
	unsigned i;
	int r;

	if (!sel)
		return -ENOMEM;
	for (i = 0; i < p->nsel; i++)
		conf_selector_to_spd(&p->sel[i], true, &sel[i]);
	r = dp_peer_add(dp, p->name, &p->addr, p->port, p->mode, sel, p->nsel);
	free(sel);
	if (r < 0)
		log_err("peer %s: cannot add its policies (%s)", p->name,
			strerror(-r));
	return r < 0 ? r : 0;
}

static int add_sa(const struct conf *c, const struct conf_sa *sa,
		  struct dp *dp)
{
	struct esp_sa_config cfg;
	const char *why = NULL;
	int err = conf_sa_config(c, sa, &cfg);

	if (!err)
		err = dp_sa_install_cpu(dp, sa->peer, sa->inbound, sa->cpu,
					sa->name, &cfg, &why);
	secure_zero(&cfg, sizeof(cfg));
	if (err)
		log_err("sa %s: %s", sa->name, why ? why : strerror(-err));
	return err;
}

int daemon_build_dp(const struct conf *c, struct dp *dp)
{
	unsigned i;
	int err;

	err = dp_init(dp, &c->daemon.local, c->daemon.port, c->daemon.mtu);
	for (i = 0; !err && i < c->npeers; i++)
		err = add_peer(&c->peers[i], dp);
	for (i = 0; !err && i < c->nsas; i++)
		err = add_sa(c, &c->sas[i], dp);
	if (err)
		dp_free(dp);
	return err;
}

static uint8_t sel_family(const struct conf_selector *s, uint8_t fallback)
{
	if (s->local.addr.family)
		return s->local.addr.family;
	if (s->remote.addr.family)
		return s->remote.addr.family;
	return fallback;
}

int daemon_build_net(const struct conf *c, struct daemon_net *net)
{
	size_t n = 0, k = 0;
	unsigned i, j;

	memset(net, 0, sizeof(*net));
	for (i = 0; i < c->npeers; i++)
		n += c->peers[i].nsel;
	net->sels = calloc(n ? n : 1, sizeof(*net->sels));
	if (!net->sels)
		return -ENOMEM;
	for (i = 0; i < c->npeers; i++) {
		const struct conf_peer *p = &c->peers[i];

		for (j = 0; j < p->nsel; j++) {
			const struct conf_selector *s = &p->sel[j];
			struct netcfg_sel *o = &net->sels[k++];

			o->family = sel_family(s, c->daemon.local.family);
			o->local = s->local;
			o->remote = s->remote;
			o->proto = s->proto;
			o->lport_lo = s->lport_lo;
			o->lport_hi = s->lport_hi;
			o->rport_lo = s->rport_lo;
			o->rport_hi = s->rport_hi;
			o->mode = p->mode == ESP_MODE_TUNNEL ? NETCFG_TUNNEL
							     : NETCFG_TRANSPORT;
		}
	}
	snprintf(net->cfg.tun, sizeof(net->cfg.tun), "%s", c->daemon.tun);
	net->cfg.table = c->daemon.table;
	net->cfg.fwmark = c->daemon.fwmark;
	net->cfg.bypass_mark = c->daemon.fwmark ^ DAEMON_BYPASS_MARK_XOR;
	net->cfg.local = c->daemon.local;
	net->cfg.port = c->daemon.port;
	net->cfg.tun_mtu = (uint16_t)daemon_tun_mtu(c);
	net->cfg.sels = net->sels;
	net->cfg.nsels = n;
	return netcfg_validate(&net->cfg);
}

unsigned daemon_tun_mtu(const struct conf *c)
{
	bool tunnel = false;
	unsigned i;
	int mtu;

	for (i = 0; i < c->npeers; i++)
		tunnel |= c->peers[i].mode == ESP_MODE_TUNNEL;
	/* Worst case over every cipher: an 8-byte IV and a 16-byte ICV. */
	mtu = netcfg_tun_mtu(c->daemon.mtu,
			     tunnel ? NETCFG_TUNNEL : NETCFG_TRANSPORT,
			     c->daemon.local.family, ESP_IV_LEN, AEAD_TAG_MAX);
	return mtu > 0 ? (unsigned)mtu : 0;
}

/* Workers: as configured, or one per online CPU. */
static unsigned worker_count(const struct daemon *d)
{
	long cpus;

	if (d->opts.workers)
		return d->opts.workers;
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (cpus < 1)
		return 1;
	return cpus > WORKERS_MAX ? WORKERS_MAX : (unsigned)cpus;
}

static int alloc_workers(struct daemon *d)
{
	unsigned i, n = worker_count(d);

	d->workers = calloc(n, sizeof(*d->workers));
	if (!d->workers)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct worker *w = &d->workers[i];

		w->d = d;
		w->id = i;
		w->tun_fd = w->udp_fd = w->ep_fd = w->wake_fd = -1;
	}
	d->nworkers = n;
	return 0;
}

static void close_all(int *fds, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		close(fds[i]);
}

/*
 * With offloads the kernel hands over super-packets behind a virtio-net
 * header and takes coalesced ones back. When it refuses, say so once and
 * run without (each packet then crosses TUN on its own).
 */
static int open_tun_offload(struct daemon *d, char *name, int *fds)
{
	unsigned i;
	int err = tun_open_queues(name, true, fds, d->nworkers);

	for (i = 0; !err && i < d->nworkers; i++)
		err = tun_set_offload(fds[i], &d->tun_uso);
	if (!err) {
		d->vnet = true;
		log_info("tun %s: %u queue(s), segmentation offloads on (TSO%s "
			 "in, GRO out)", name, d->nworkers,
			 d->tun_uso ? " and USO" : "");
		return 0;
	}
	if (i)
		close_all(fds, d->nworkers);
	else
		return err; /* the device itself could not be opened */
	log_warn("tun %s: the kernel refused TUN offloads (%s): running "
		 "without", name, strerror(-err));
	return tun_open_queues(name, false, fds, d->nworkers);
}

static int open_tun(struct daemon *d)
{
	char name[TUN_NAME_MAX];
	int fds[WORKERS_MAX];
	unsigned i;
	int err;

	snprintf(name, sizeof(name), "%s", d->conf.daemon.tun);
	d->vnet = false;
	err = d->opts.tun_offload ? open_tun_offload(d, name, fds)
				  : tun_open_queues(name, false, fds,
						    d->nworkers);
	if (err)
		return err;
	for (i = 0; i < d->nworkers; i++)
		d->workers[i].tun_fd = fds[i];
	if (d->nworkers > 1) {
		err = tun_steer_by_flow(fds[0]);
		if (err)
			log_warn("tun %s: the kernel refused flow steering (%s): "
				 "a flow may move between workers", name,
				 strerror(-err));
		d->tun_steered = !err;
	}
	d->tun_mtu = daemon_tun_mtu(&d->conf);
	err = tun_set_mtu(name, d->tun_mtu);
	if (!err)
		err = tun_set_up(name);
	return err;
}

/* UDP_GRO on every socket, or (refused) on none; UDP_SEGMENT probed. */
static void udp_offloads(struct daemon *d)
{
	unsigned i;
	int err = 0;

	for (i = 0; d->opts.udp_gro && !err && i < d->nworkers; i++)
		err = udp_enable_gro(d->workers[i].udp_fd);
	if (err) {
		log_warn("udp: the kernel refused UDP_GRO (%s): receiving "
			 "datagram by datagram", strerror(-err));
		d->opts.udp_gro = false;
	}
	if (d->opts.udp_gso && !udp_gso_available(d->workers[0].udp_fd)) {
		log_warn("udp: no UDP_SEGMENT here: sending datagram by "
			 "datagram");
		d->opts.udp_gso = false;
	}
}

/* The workers' sockets, and with IKE-managed peers one more: the IKE
 * socket of port 4500, which gets what carries the non-ESP marker. */
static int open_udp(struct daemon *d, int *fd4500)
{
	bool ike = daemon_conf_has_ike(&d->conf);
	int fds[WORKERS_MAX + 1];
	unsigned i;
	int err;

	*fd4500 = -1;
	err = udp_open_group(&d->conf.daemon.local, d->conf.daemon.port,
			     d->net.cfg.bypass_mark, fds, d->nworkers, ike,
			     &d->steered);
	if (err)
		return err;
	for (i = 0; i < d->nworkers; i++)
		d->workers[i].udp_fd = fds[i];
	if (ike)
		*fd4500 = fds[d->nworkers];
	udp_offloads(d);
	log_info("udp port %u: %u socket(s)%s, GSO %s, GRO %s",
		 d->conf.daemon.port, d->nworkers,
		 d->steered ? " steered by SPI" : "",
		 d->opts.udp_gso ? "on" : "off", d->opts.udp_gro ? "on" : "off");
	return 0;
}

static int watch(int ep, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

static int open_signals(struct daemon *d)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	d->sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return d->sig_fd < 0 ? -errno : 0;
}

static int open_loop(struct daemon *d)
{
	int err;

	d->ep_fd = epoll_create1(EPOLL_CLOEXEC);
	if (d->ep_fd < 0)
		return -errno;
	err = open_signals(d);
	if (!err)
		err = watch(d->ep_fd, d->sig_fd);
	if (!err)
		err = watch(d->ep_fd, ctl_server_fd(d->ctl));
	if (!err && d->ike.on)
		err = watch(d->ep_fd, d->ike.fd500);
	if (!err && d->ike.on)
		err = watch(d->ep_fd, d->ike.fd4500);
	if (!err && d->ike.on)
		err = watch(d->ep_fd, d->ike.timer_fd);
	if (!err && d->ike.on)
		err = watch(d->ep_fd, d->ike.acquire_fd);
	if (!err)
		err = workers_init(d);
	return err;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void daemon_opts_resolve(struct daemon *d)
{
	const struct conf_daemon *c = &d->conf.daemon;
	const struct daemon_opts *off = &d->cli_off;

	d->opts.workers = off->workers ? off->workers : c->workers;
	d->opts.tun_offload = c->tun_offload && !off->tun_offload;
	d->opts.udp_gso = c->udp_gso && !off->udp_gso;
	d->opts.udp_gro = c->udp_gro && !off->udp_gro;
	d->opts.coalesce = c->coalesce && !off->coalesce;
}

int daemon_start(struct daemon *d)
{
	int err, fd4500 = -1;

	d->ep_fd = d->sig_fd = -1;
	d->ike.fd500 = d->ike.fd4500 = d->ike.timer_fd = -1;
	d->ike.acquire_fd = -1;
	d->ike.kp = KEYPROC_NONE;
	daemon_opts_resolve(d);
	err = alloc_workers(d);
	if (!err)
		err = daemon_build_net(&d->conf, &d->net);
	if (err) {
		log_err("host configuration refused (%s)", strerror(-err));
		goto fail;
	}
	err = open_tun(d);
	if (!err)
		err = open_udp(d, &fd4500);
	if (!err && fd4500 >= 0) {
		err = daemon_ike_start(d, fd4500);
		fd4500 = -1; /* the IKE side owns it now */
	}
	if (err)
		goto fail;
	err = netcfg_apply(&d->net.cfg);
	if (err)
		goto fail;
	d->net.applied = true;
	err = ctl_server_open(&d->ctl, d->conf.daemon.control_socket, 0600);
	if (!err)
		err = open_loop(d);
	if (!err)
		return 0;
fail:
	if (fd4500 >= 0)
		close(fd4500);
	daemon_stop(d);
	return err;
}

void daemon_stop(struct daemon *d)
{
	unsigned i;

	workers_stop(d);
	daemon_ike_stop(d);
	close_fd(&d->ike.fd4500);
	if (d->net.applied && netcfg_remove(&d->net.cfg))
		log_warn("some host configuration could not be removed");
	d->net.applied = false;
	free(d->net.sels);
	d->net.sels = NULL;
	ctl_server_close(d->ctl);
	d->ctl = NULL;
	close_fd(&d->ep_fd);
	close_fd(&d->sig_fd);
	for (i = 0; i < d->nworkers; i++) {
		close_fd(&d->workers[i].udp_fd);
		close_fd(&d->workers[i].tun_fd);
	}
	free(d->workers);
	d->workers = NULL;
	d->nworkers = 0;
}

static bool same_sa(const struct conf *a, const struct conf_sa *x,
		    const struct conf *b, const struct conf_sa *y)
{
	return x->cipher == y->cipher && x->icv == y->icv &&
	       x->esn == y->esn && x->key_len == y->key_len &&
	       x->replay_window == y->replay_window &&
	       a->peers[x->peer].mode == b->peers[y->peer].mode &&
	       ct_equal(x->key, y->key, x->key_len);
}

static const struct conf_sa *find_sa(const struct conf *c, bool inbound,
				     uint32_t spi)
{
	unsigned i;

	for (i = 0; i < c->nsas; i++)
		if (c->sas[i].inbound == inbound && c->sas[i].spi == spi)
			return &c->sas[i];
	return NULL;
}

void daemon_carry_sa_state(struct dp *to, const struct conf *to_conf,
			   const struct dp *from, const struct conf *from_conf)
{
	unsigned i;

	for (i = 0; i < to_conf->nsas; i++) {
		const struct conf_sa *n = &to_conf->sas[i], *o;
		struct dp_sa *ns, *os;

		o = find_sa(from_conf, n->inbound, n->spi);
		if (!o || !same_sa(to_conf, n, from_conf, o))
			continue;
		ns = dp_sa_find(to, n->inbound, n->spi);
		os = dp_sa_find(from, o->inbound, o->spi);
		if (!ns || !os)
			continue;
		esp_sa_carry_state(&ns->esp, &os->esp);
		ns->workers = os->workers;
	}
	to->stats = from->stats;
}
