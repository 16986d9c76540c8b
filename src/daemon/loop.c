/* SPDX-License-Identifier: MIT */
/*
 * The main thread's loop: signals and control requests. Packets never pass
 * here (see worker.c); anything that reads or changes the data plane holds
 * the workers parked while it does.
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <signal.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "util/log.h"

static void on_signal(struct daemon *d)
{
	struct signalfd_siginfo si;
	char why[320];
	int err;

	while (read(d->sig_fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			daemon_park(d);
			err = daemon_reload(d, why, sizeof(why));
			daemon_unpark(d);
			if (err)
				log_err("reload refused: %s", why);
			else
				log_info("configuration reloaded");
			continue;
		}
		log_info("%s: stopping", strsignal((int)si.ssi_signo));
		__atomic_store_n(&d->stop, true, __ATOMIC_RELEASE);
	}
}

/* A control request may read counters or change SAs: workers parked. */
static void on_control(struct daemon *d)
{
	daemon_park(d);
	ctl_server_handle(d->ctl, daemon_ctl_handle, d);
	daemon_unpark(d);
}

int daemon_run(struct daemon *d)
{
	struct epoll_event ev[4];
	int n, i, err;

	err = workers_start(d);
	if (err)
		return err;
	while (!d->stop) {
		n = epoll_wait(d->ep_fd, ev, 4, -1);
		if (n < 0 && errno != EINTR) {
			err = -errno;
			log_err("epoll_wait: %s", strerror(errno));
			break;
		}
		for (i = 0; i < n; i++) {
			int fd = ev[i].data.fd;

			if (fd == d->sig_fd)
				on_signal(d);
			else if (d->ike.on && fd == d->ike.timer_fd)
				daemon_ike_tick(d);
			else if (d->ike.on && fd == d->ike.acquire_fd)
				daemon_ike_acquired(d);
			else if (d->ike.on &&
				 (fd == d->ike.fd500 || fd == d->ike.fd4500))
				daemon_ike_receive(d, fd);
			else
				on_control(d);
		}
	}
	workers_stop(d);
	return err;
}
