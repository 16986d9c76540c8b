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
#include "dp/limits.h"
#include "io/tun.h"
#include "io/udp.h"
#include "util/log.h"

/* A packet buffer: ESP_HEADROOM, the largest datagram, ESP_TAILROOM. */
#define SLOT_CAP (ESP_HEADROOM + IP_PACKET_MAX + ESP_TAILROOM)
#define ICMP_REPLY_MAX 1280

struct loop_bufs {
	uint8_t slot[BURST_MAX][SLOT_CAP];
	struct pkt pkts[BURST_MAX];
	struct udp_dgram dgrams[BURST_MAX];
	uint8_t reply[ICMP_REPLY_MAX];
};

static struct loop_bufs bufs;

static void count_io(struct dp *dp)
{
	dp->stats.drops[DP_DROP_IO]++;
}

/* Read up to BURST_MAX packets from TUN, encrypt each, send the burst. */
static void on_tun(struct daemon *d)
{
	unsigned n = 0, i;
	ssize_t len;

	while (n < BURST_MAX) {
		struct pkt *p = &bufs.pkts[n];
		struct dp_dest dest;
		uint32_t reply_len;

		pkt_init(p, bufs.slot[n], SLOT_CAP, ESP_HEADROOM);
		len = tun_read(d->tun_fd, pkt_data(p), IP_PACKET_MAX);
		if (len <= 0)
			break;
		p->len = (uint32_t)len;
		if (dp_from_tun(&d->dp, p, &dest, bufs.reply,
				sizeof(bufs.reply), &reply_len) != DP_OK) {
			if (reply_len &&
			    tun_write(d->tun_fd, bufs.reply, reply_len) < 0)
				count_io(&d->dp);
			continue;
		}
		bufs.dgrams[n] = (struct udp_dgram){
			.data = pkt_data(p), .len = p->len,
			.addr = dest.addr, .port = dest.port,
		};
		n++;
	}
	if (!n)
		return;
	udp_send_burst(d->udp_fd, bufs.dgrams, n);
	for (i = 0; i < n; i++)
		if (bufs.dgrams[i].err)
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
		if (tun_write(d->tun_fd, pkt_data(p), p->len) < 0)
			count_io(&d->dp);
	}
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
