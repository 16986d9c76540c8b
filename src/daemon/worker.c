/* SPDX-License-Identifier: MIT */
/*
 * The data-plane workers. Each runs every burst to completion on its own
 * TUN queue and UDP socket — waking a thread on the other CPU costs more
 * than a burst — and hands nothing to another thread:
 *
 *   TUN -> [segment super-packets] -> seal a burst per SA -> UDP (GSO runs)
 *   UDP (GRO runs) -> split -> open a burst per SA -> [coalesce] -> TUN
 *
 * Between bursts a worker checks whether the main thread asked it to park
 * (to change the data plane or read counters) and waits there if so.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "dp/gro.h"
#include "dp/gso.h"
#include "dp/limits.h"
#include "io/tun.h"
#include "io/udp.h"
#include "util/log.h"

/* A packet buffer: ESP_HEADROOM, the largest packet, ESP_TAILROOM. */
#define SLOT_CAP (ESP_HEADROOM + IP_PACKET_MAX + ESP_TAILROOM)
#define ICMP_REPLY_MAX (VNET_HDR_LEN + 1280) /* header + the largest reply */

/* A worker's buffers: one burst of packet slots, the datagrams that go with
 * them, a TUN super-packet, coalesced UDP receives and the coalescer. */
struct worker_bufs {
	uint8_t slot[BURST_MAX][SLOT_CAP];
	struct pkt pkts[BURST_MAX];
	struct pkt *ptrs[BURST_MAX];
	struct dp_dest dests[BURST_MAX];
	enum dp_drop verdicts[BURST_MAX];
	struct udp_dgram dgrams[BURST_MAX];
	uint8_t tun_frame[VNET_HDR_LEN + IP_PACKET_MAX];
	uint8_t rx[UDP_GRO_MSGS][UDP_GRO_BUF];
	struct udp_dgram rx_dgrams[UDP_GRO_MSGS];
	uint8_t reply[ICMP_REPLY_MAX];
	struct gro gro;
};

static void count_io(struct worker *w)
{
	w->stats.drops[DP_DROP_IO]++;
}

/* Write one IP packet to TUN, behind an all-zero virtio-net header when
 * the device takes one (the packet's own headroom holds it). */
static void tun_put(struct worker *w, struct pkt *p)
{
	if (w->d->vnet)
		memset(pkt_push(p, VNET_HDR_LEN), 0, VNET_HDR_LEN);
	if (tun_write(w->tun_fd, pkt_data(p), p->len) < 0)
		count_io(w);
}

/* Answer a packet too big for its SA with ICMP through TUN. */
static void reply_too_big(struct worker *w, const struct pkt *p, uint32_t mtu)
{
	struct worker_bufs *b = w->bufs;
	struct pkt r;

	pkt_init(&r, b->reply, sizeof(b->reply), VNET_HDR_LEN);
	r.len = dp_too_big_reply(p, mtu, b->reply + VNET_HDR_LEN,
				 sizeof(b->reply) - VNET_HDR_LEN);
	if (r.len)
		tun_put(w, &r);
}

/* Seal the n packets in the slots and send what was sealed. */
static void tx_flush(struct worker *w, unsigned n)
{
	struct worker_bufs *b = w->bufs;
	unsigned i, m = 0;
	int sent;

	if (!n)
		return;
	dp_from_tun_burst(&w->d->dp, w->id, &w->stats, b->ptrs, n,
			  b->verdicts, b->dests);
	for (i = 0; i < n; i++) {
		struct pkt *p = b->ptrs[i];

		if (b->verdicts[i] == DP_DROP_TOO_BIG)
			reply_too_big(w, p, b->dests[i].mtu);
		if (b->verdicts[i] != DP_OK)
			continue;
		b->dgrams[m++] = (struct udp_dgram){
			.data = pkt_data(p), .len = p->len,
			.addr = b->dests[i].addr, .port = b->dests[i].port,
			.flow = b->dests[i].spi,
		};
	}
	sent = udp_send_burst_gso(w->udp_fd, b->dgrams, m, &w->udp_gso);
	if (sent >= 0 && (unsigned)sent < m)
		w->stats.drops[DP_DROP_IO] += m - (unsigned)sent;
}

/* The next free slot, ready for a packet. */
static struct pkt *slot_take(struct worker *w, unsigned n)
{
	struct worker_bufs *b = w->bufs;
	struct pkt *p = &b->pkts[n];

	pkt_init(p, b->slot[n], SLOT_CAP, ESP_HEADROOM);
	b->ptrs[n] = p;
	return p;
}

/* Cut one super-packet into segments that fit the TUN MTU (what the SAs
 * were sized for), sealing and sending whenever the slots are full. */
static unsigned tx_segment(struct worker *w, uint32_t len, unsigned n)
{
	const struct virtio_net_hdr *vh = (const void *)w->bufs->tun_frame;
	struct gso_iter it;

	if (gso_begin(&it, vh, w->bufs->tun_frame + VNET_HDR_LEN,
		      len - VNET_HDR_LEN, w->d->tun_mtu, 0) < 0) {
		w->stats.drops[DP_DROP_MALFORMED]++;
		return n;
	}
	while (gso_next(&it, slot_take(w, n)) > 0) {
		if (++n == BURST_MAX) {
			tx_flush(w, n);
			n = 0;
		}
	}
	return n;
}

/* TUN with offloads: each read is a super-packet behind a virtio-net
 * header. */
static void on_tun_vnet(struct worker *w)
{
	unsigned n = 0, reads;
	ssize_t len;

	for (reads = 0; reads < BURST_MAX; reads++) {
		len = tun_read(w->tun_fd, w->bufs->tun_frame,
			       sizeof(w->bufs->tun_frame));
		if (len <= VNET_HDR_LEN)
			break;
		n = tx_segment(w, (uint32_t)len, n);
	}
	tx_flush(w, n);
}

/* Read up to BURST_MAX packets from TUN, seal them, send the burst. */
static void on_tun(struct worker *w)
{
	unsigned n;
	ssize_t len;

	if (w->d->vnet) {
		on_tun_vnet(w);
		return;
	}
	for (n = 0; n < BURST_MAX; n++) {
		struct pkt *p = slot_take(w, n);

		len = tun_read(w->tun_fd, pkt_data(p), IP_PACKET_MAX);
		if (len <= 0)
			break;
		p->len = (uint32_t)len;
	}
	tx_flush(w, n);
}

/* A frame leaving the coalescer: header and packet, one write. */
static void gro_emitted(void *ctx, const struct pkt *frame)
{
	struct worker *w = ctx;

	if (tun_write(w->tun_fd, pkt_data(frame), frame->len) < 0)
		count_io(w);
}

/* Open the n datagrams in the slots and write the packets to TUN. */
static void rx_flush(struct worker *w, unsigned n)
{
	struct worker_bufs *b = w->bufs;
	bool coalesce = w->d->vnet && w->d->opts.coalesce;
	unsigned i;

	if (!n)
		return;
	dp_from_udp_burst(&w->d->dp, w->id, &w->stats, b->ptrs, b->dests, n,
			  b->verdicts);
	for (i = 0; i < n; i++) {
		if (b->verdicts[i] != DP_OK)
			continue;
		if (!coalesce || gro_add(&b->gro, b->ptrs[i]) < 0)
			tun_put(w, b->ptrs[i]);
	}
}

/* Copy the datagrams of one (possibly coalesced) receive into slots,
 * opening a burst whenever the slots are full. */
static unsigned rx_split(struct worker *w, const struct udp_dgram *g,
			 unsigned n)
{
	struct worker_bufs *b = w->bufs;
	uint32_t off, len;

	if (g->trunc) {
		w->stats.drops[DP_DROP_MALFORMED]++;
		return n;
	}
	for (off = 0; (len = udp_dgram_next(g, off)) > 0; off += len) {
		struct pkt *p = slot_take(w, n);

		memcpy(pkt_data(p), g->data + off, len);
		p->len = len;
		b->dests[n] = (struct dp_dest){ .addr = g->addr,
						.port = g->port };
		if (++n == BURST_MAX) {
			rx_flush(w, n);
			n = 0;
		}
	}
	return n;
}

/* With UDP_GRO: a few large receives, each split into its datagrams. */
static void on_udp_gro(struct worker *w)
{
	struct worker_bufs *b = w->bufs;
	unsigned n = 0;
	int got, i;

	for (i = 0; i < UDP_GRO_MSGS; i++)
		b->rx_dgrams[i] = (struct udp_dgram){ .data = b->rx[i],
						      .cap = UDP_GRO_BUF };
	got = udp_recv_burst(w->udp_fd, b->rx_dgrams, UDP_GRO_MSGS);
	for (i = 0; i < got; i++)
		n = rx_split(w, &b->rx_dgrams[i], n);
	rx_flush(w, n);
}

/* Without: one datagram per slot, received in place. */
static void on_udp_plain(struct worker *w)
{
	struct worker_bufs *b = w->bufs;
	unsigned n = 0;
	int got, i;

	for (i = 0; i < BURST_MAX; i++)
		b->dgrams[i] = (struct udp_dgram){
			.data = pkt_data(slot_take(w, (unsigned)i)),
			.cap = IP_PACKET_MAX,
		};
	got = udp_recv_burst(w->udp_fd, b->dgrams, BURST_MAX);
	for (i = 0; i < got; i++) {
		const struct udp_dgram *g = &b->dgrams[i];

		if (g->trunc) {
			w->stats.drops[DP_DROP_MALFORMED]++;
			continue;
		}
		slot_take(w, n)->len = g->len;
		if ((unsigned)i != n)
			memmove(pkt_data(&b->pkts[n]), g->data, g->len);
		b->dests[n++] = (struct dp_dest){ .addr = g->addr,
						  .port = g->port };
	}
	rx_flush(w, n);
}

static void on_udp(struct worker *w)
{
	if (w->d->opts.udp_gro)
		on_udp_gro(w);
	else
		on_udp_plain(w);
	if (w->d->vnet && w->d->opts.coalesce)
		gro_flush(&w->bufs->gro);
}

/* Wait here while the main thread holds the workers parked. */
static void park_here(struct worker *w)
{
	struct daemon *d = w->d;

	pthread_mutex_lock(&d->park_mu);
	d->parked++;
	pthread_cond_broadcast(&d->park_cv);
	while (d->park)
		pthread_cond_wait(&d->park_cv, &d->park_mu);
	d->parked--;
	pthread_mutex_unlock(&d->park_mu);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct epoll_event ev[4];
	int n, i;

	uint64_t v;

	while (!__atomic_load_n(&w->d->stop, __ATOMIC_ACQUIRE)) {
		n = epoll_wait(w->ep_fd, ev, 4, -1);
		for (i = 0; i < n; i++) {
			if (ev[i].data.fd == w->tun_fd)
				on_tun(w);
			else if (ev[i].data.fd == w->udp_fd)
				on_udp(w);
			else if (read(w->wake_fd, &v, sizeof(v)) < 0)
				log_debug("worker %u: wake: %s", w->id,
					  strerror(errno));
		}
		if (__atomic_load_n(&w->d->park, __ATOMIC_ACQUIRE))
			park_here(w);
	}
	return NULL;
}

static int watch(int ep, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

/* The worker's epoll set: its TUN queue, its socket, its wake-up. */
static int worker_open_loop(struct worker *w)
{
	int err;

	w->ep_fd = epoll_create1(EPOLL_CLOEXEC);
	w->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->ep_fd < 0 || w->wake_fd < 0)
		return -errno;
	err = watch(w->ep_fd, w->tun_fd);
	if (!err)
		err = watch(w->ep_fd, w->udp_fd);
	if (!err)
		err = watch(w->ep_fd, w->wake_fd);
	return err;
}

int workers_init(struct daemon *d)
{
	unsigned i;
	int err;

	pthread_mutex_init(&d->park_mu, NULL);
	pthread_cond_init(&d->park_cv, NULL);
	for (i = 0; i < d->nworkers; i++) {
		struct worker *w = &d->workers[i];

		w->bufs = calloc(1, sizeof(*w->bufs));
		if (!w->bufs)
			return -ENOMEM;
		gro_init(&w->bufs->gro, gro_emitted, w);
		w->udp_gso = d->opts.udp_gso;
		err = worker_open_loop(w);
		if (err)
			return err;
	}
	return 0;
}

static void wake(struct worker *w)
{
	uint64_t one = 1;

	if (write(w->wake_fd, &one, sizeof(one)) < 0)
		log_debug("worker %u: wake: %s", w->id, strerror(errno));
}

int workers_start(struct daemon *d)
{
	unsigned i;
	int err;

	for (i = 0; i < d->nworkers; i++) {
		struct worker *w = &d->workers[i];

		err = -pthread_create(&w->thread, NULL, worker_main, w);
		if (err) {
			log_err("worker %u: %s", i, strerror(-err));
			workers_stop(d);
			return err;
		}
		w->running = true;
	}
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void workers_stop(struct daemon *d)
{
	unsigned i;

	__atomic_store_n(&d->stop, true, __ATOMIC_RELEASE);
	for (i = 0; i < d->nworkers; i++) {
		struct worker *w = &d->workers[i];

		if (w->running) {
			wake(w);
			pthread_join(w->thread, NULL);
			w->running = false;
		}
		close_fd(&w->ep_fd);
		close_fd(&w->wake_fd);
		free(w->bufs);
		w->bufs = NULL;
	}
}

static unsigned running(const struct daemon *d)
{
	unsigned i, n = 0;

	for (i = 0; i < d->nworkers; i++)
		n += d->workers[i].running;
	return n;
}

void daemon_park(struct daemon *d)
{
	unsigned i, want = running(d);

	if (d->park_depth++)
		return; /* parked already, by a caller of ours */
	pthread_mutex_lock(&d->park_mu);
	__atomic_store_n(&d->park, 1, __ATOMIC_RELEASE);
	for (i = 0; i < d->nworkers; i++)
		if (d->workers[i].running)
			wake(&d->workers[i]);
	while (d->parked < want)
		pthread_cond_wait(&d->park_cv, &d->park_mu);
	pthread_mutex_unlock(&d->park_mu);
}

void daemon_unpark(struct daemon *d)
{
	if (--d->park_depth)
		return;
	pthread_mutex_lock(&d->park_mu);
	__atomic_store_n(&d->park, 0, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&d->park_cv);
	pthread_mutex_unlock(&d->park_mu);
}

static void add_counts(uint64_t *to, const uint64_t *from, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		to[i] += from[i];
}

void daemon_stats_sum(const struct daemon *d, struct dp_stats *sum)
{
	unsigned i;

	*sum = d->dp.stats;
	for (i = 0; i < d->nworkers; i++) {
		const struct dp_stats *s = &d->workers[i].stats;

		add_counts(sum->drops, s->drops, DP_DROP_COUNT);
		add_counts(sum->esp_drops, s->esp_drops, ESP_DROP_COUNT);
		sum->tun_packets += s->tun_packets;
		sum->udp_packets += s->udp_packets;
	}
}
