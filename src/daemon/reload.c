/* SPDX-License-Identifier: MIT */
/* Re-reading the configuration: all of it in force, or none of it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/daemon.h"
#include "io/tun.h"
#include "util/log.h"

/* Settings that bind sockets and devices, or shape the workers: changing
 * them needs a restart. */
static bool same_binding(const struct conf_daemon *a, const struct conf_daemon *b)
{
	return addr_equal(&a->local, &b->local) && a->port == b->port &&
	       !strcmp(a->tun, b->tun) &&
	       !strcmp(a->control_socket, b->control_socket) &&
	       a->fwmark == b->fwmark && a->table == b->table &&
	       a->workers == b->workers && a->tun_offload == b->tun_offload &&
	       a->udp_gso == b->udp_gso && a->udp_gro == b->udp_gro &&
	       a->coalesce == b->coalesce;
}

/* The old configuration's own SAs leave the old data plane (those kept
 * were carried into the new one); what remains was put in at run time
 * (tunsec sa add, IKE) and moves over. */
static void drop_conf_sas(struct dp *dp, const struct conf *c)
{
	unsigned i;

	for (i = 0; i < c->nsas; i++)
		dp_sa_remove(dp, c->sas[i].inbound, c->sas[i].spi);
}

/* Put next in force: host configuration first (the one step that can fail
 * half way), then the data plane in one swap. */
static int switch_to(struct daemon *d, struct conf *next, struct dp *dp,
		     struct daemon_net *net, char *why, size_t cap)
{
	unsigned mtu = daemon_tun_mtu(next);
	int err = netcfg_apply(&net->cfg);

	if (err) {
		snprintf(why, cap, "host configuration failed (%s); "
			 "previous configuration restored", strerror(-err));
		if (netcfg_apply(&d->net.cfg))
			log_err("previous host configuration could not be restored");
		return err;
	}
	daemon_carry_sa_state(dp, next, &d->dp, &d->conf);
	drop_conf_sas(&d->dp, &d->conf);
	dp_adopt_sas(dp, &d->dp);
	daemon_ike_reload_apply(d, next);
	dp_free(&d->dp);
	d->dp = *dp;
	daemon_ike_hook_dp(d);
	conf_free(&d->conf);
	d->conf = *next;
	free(d->net.sels);
	d->net = *net;
	d->net.applied = true;
	if (mtu != d->tun_mtu && !tun_set_mtu(d->conf.daemon.tun, mtu))
		d->tun_mtu = mtu;
	log_set_level(d->cli_log_level >= 0 ? (enum log_level)d->cli_log_level
					    : d->conf.daemon.log_level);
	return 0;
}

int daemon_reload(struct daemon *d, char *why, size_t cap)
{
	struct conf_error cerr;
	struct daemon_net net;
	struct conf next;
	struct dp dp;
	int err;

	err = conf_parse_file(d->conf_path, &next, &cerr);
	if (err) {
		conf_error_format(&cerr, why, cap);
		return err;
	}
	if (!same_binding(&next.daemon, &d->conf.daemon)) {
		snprintf(why, cap, "%s: [daemon] address, port, tun, "
			 "control-socket, fwmark, table, workers or an offload "
			 "switch changed: restart tunsecd to apply", d->conf_path);
		conf_free(&next);
		return -EINVAL;
	}
	err = daemon_ike_reload_check(d, &next, why, cap);
	if (err) {
		conf_free(&next);
		return err;
	}
	err = daemon_build_dp(&next, &dp);
	if (err) {
		snprintf(why, cap, "%s: the SAs could not be built (see the log)",
			 d->conf_path);
		conf_free(&next);
		return err;
	}
	err = daemon_build_net(&next, &net);
	if (!err)
		err = switch_to(d, &next, &dp, &net, why, cap);
	else
		snprintf(why, cap, "host configuration refused (%s)",
			 strerror(-err));
	if (err) {
		free(net.sels);
		dp_free(&dp);
		conf_free(&next);
	}
	return err;
}
