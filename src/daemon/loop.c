/* SPDX-License-Identifier: MIT */
/*
 * The event loop: packets from the TUN device go out as ESP datagrams,
 * datagrams from the UDP socket go into the TUN device, control requests
 * and signals are served between bursts.
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <signal.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "dp/gro.h"
#include "dp/gso.h"
#include "dp/limits.h"
#include "io/tun.h"
#include "io/udp.h"
#include "util/log.h"

/* A packet buffer: ESP_HEADROOM, the largest datagram, ESP_TAILROOM. */
#define SLOT_CAP (ESP_HEADROOM + IP_PACKET_MAX + ESP_TAILROOM)
#define ICMP_REPLY_MAX (VNET_HDR_LEN + 1280) /* header + the largest reply */

struct loop_bufs {
	uint8_t slot[BURST_MAX][SLOT_CAP];
	struct pkt pkts[BURST_MAX];
	struct udp_dgram dgrams[BURST_MAX];
	uint8_t reply[ICMP_REPLY_MAX];
};

static struct loop_bufs bufs;

/* With TUN offloads: one super-packet as read, with its virtio-net header,
 * and the coalescer of decrypted segments. */
static uint8_t tun_frame[VNET_HDR_LEN + IP_PACKET_MAX];
static struct gro gro;

static void count_io(struct dp *dp)
{
	dp->stats.drops[DP_DROP_IO]++;
}

/* Write one IP packet to TUN, behind an all-zero virtio-net header when
 * the device takes one (the packet's own headroom holds it). */
static void tun_put(struct daemon *d, struct pkt *p)
{
	if (d->vnet) {
		memset(pkt_push(p, VNET_HDR_LEN), 0, VNET_HDR_LEN);
	}
	if (tun_write(d->tun_fd, pkt_data(p), p->len) < 0)
		count_io(&d->dp);
}

/* Send the datagrams gathered so far. */
static void send_burst(struct daemon *d, unsigned n)
{
	unsigned i;

	if (!n)
		return;
	udp_send_burst(d->udp_fd, bufs.dgrams, n);
	for (i = 0; i < n; i++)
		if (bufs.dgrams[i].err)
			count_io(&d->dp);
}

/* Encrypt the packet in slot n; true when it joined the burst. */
static bool encrypt_slot(struct daemon *d, unsigned n)
{
	struct pkt *p = &bufs.pkts[n];
	struct dp_dest dest;
	uint32_t reply_len;

	if (dp_from_tun(&d->dp, p, &dest, bufs.reply + VNET_HDR_LEN,
			sizeof(bufs.reply) - VNET_HDR_LEN,
			&reply_len) != DP_OK) {
		if (reply_len) {
			struct pkt r;

			pkt_init(&r, bufs.reply, sizeof(bufs.reply),
				 VNET_HDR_LEN);
			r.len = reply_len;
			tun_put(d, &r);
		}
		return false;
	}
	bufs.dgrams[n] = (struct udp_dgram){
		.data = pkt_data(p), .len = p->len,
		.addr = dest.addr, .port = dest.port,
	};
	return true;
}

/*
 * TUN with offloads: each read is a super-packet of up to 64 KiB behind a
 * virtio-net header. Cut it into segments that fit the TUN MTU (what the
 * SAs were sized for), encrypt them, and send them in bursts.
 */
static void on_tun_vnet(struct daemon *d)
{
	const struct virtio_net_hdr *vh = (const void *)tun_frame;
	struct gso_iter it;
	unsigned n = 0, reads;
	ssize_t len;

	for (reads = 0; reads < BURST_MAX; reads++) {
		len = tun_read(d->tun_fd, tun_frame, sizeof(tun_frame));
		if (len <= VNET_HDR_LEN)
			break;
		if (gso_begin(&it, vh, tun_frame + VNET_HDR_LEN,
			      (uint32_t)len - VNET_HDR_LEN, d->tun_mtu, 0) < 0) {
			d->dp.stats.drops[DP_DROP_MALFORMED]++;
			continue;
		}
		for (;;) {
			struct pkt *p = &bufs.pkts[n];

			pkt_init(p, bufs.slot[n], SLOT_CAP, ESP_HEADROOM);
			if (gso_next(&it, p) <= 0)
				break;
			if (encrypt_slot(d, n) && ++n == BURST_MAX) {
				send_burst(d, n);
				n = 0;
			}
		}
	}
	send_burst(d, n);
}

/* Read up to BURST_MAX packets from TUN, encrypt each, send the burst. */
static void on_tun(struct daemon *d)
{
	unsigned n = 0;
	ssize_t len;

	if (d->vnet) {
		on_tun_vnet(d);
		return;
	}
	while (n < BURST_MAX) {
		struct pkt *p = &bufs.pkts[n];

		pkt_init(p, bufs.slot[n], SLOT_CAP, ESP_HEADROOM);
		len = tun_read(d->tun_fd, pkt_data(p), IP_PACKET_MAX);
		if (len <= 0)
			break;
		p->len = (uint32_t)len;
		n += encrypt_slot(d, n);
	}
	send_burst(d, n);
}

/* A frame leaving the coalescer: header and packet, one write. */
static void gro_emitted(void *ctx, const struct pkt *frame)
{
	struct daemon *d = ctx;

	if (tun_write(d->tun_fd, pkt_data(frame), frame->len) < 0)
		count_io(&d->dp);
}

/* Receive a burst of datagrams, decrypt each, write the packets to TUN. */
static void on_udp(struct daemon *d)
{
	int n, i;

	for (i = 0; i < BURST_MAX; i++) {
		pkt_init(&bufs.pkts[i], bufs.slot[i], SLOT_CAP, ESP_HEADROOM);
		bufs.dgrams[i] = (struct udp_dgram){
			.data = pkt_data(&bufs.pkts[i]), .cap = IP_PACKET_MAX,
		};
	}
	n = udp_recv_burst(d->udp_fd, bufs.dgrams, BURST_MAX);
	for (i = 0; i < n; i++) {
		struct udp_dgram *g = &bufs.dgrams[i];
		struct pkt *p = &bufs.pkts[i];

		if (g->trunc) {
			d->dp.stats.drops[DP_DROP_MALFORMED]++;
			continue;
		}
		p->len = g->len;
		if (dp_from_udp(&d->dp, p, &g->addr, g->port) != DP_OK)
			continue;
		if (!d->vnet)
			tun_put(d, p);
		else if (gro_add(&gro, p) < 0)
			tun_put(d, p);
	}
	if (d->vnet)
		gro_flush(&gro);
}

static void on_signal(struct daemon *d)
{
	struct signalfd_siginfo si;
	char why[320];

	while (read(d->sig_fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			if (daemon_reload(d, why, sizeof(why)))
				log_err("reload refused: %s", why);
			else
				log_info("configuration reloaded");
			continue;
		}
		log_info("%s: stopping", strsignal((int)si.ssi_signo));
		d->stop = true;
	}
}

int daemon_run(struct daemon *d)
{
	struct epoll_event ev[8];
	int n, i;

	gro_init(&gro, gro_emitted, d);
	while (!d->stop) {
		n = epoll_wait(d->ep_fd, ev, 8, -1);
		if (n < 0 && errno != EINTR) {
			log_err("epoll_wait: %s", strerror(errno));
			return -errno;
		}
		for (i = 0; i < n; i++) {
			int fd = ev[i].data.fd;

			if (fd == d->tun_fd)
				on_tun(d);
			else if (fd == d->udp_fd)
				on_udp(d);
			else if (fd == d->sig_fd)
				on_signal(d);
			else
				ctl_server_handle(d->ctl, daemon_ctl_handle, d);
		}
	}
	return 0;
}
