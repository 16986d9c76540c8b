/* SPDX-License-Identifier: MIT */
/*
 * tunsecd -c FILE [--check] [--log-level LEVEL] [--workers N]
 *         [--no-offload] [--no-tun-offload] [--no-udp-gso] [--no-udp-gro]
 *         [--no-coalesce]
 *
 * Runs in the foreground, logs to stderr, stops cleanly on SIGTERM/SIGINT,
 * reloads its configuration on SIGHUP or `tunsec reload`.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/aead.h"
#include "daemon/daemon.h"
#include "dp/limits.h"
#include "util/log.h"

enum { EXIT_USAGE = 2 };

struct options {
	const char *conf_path;
	bool check;
	struct daemon_opts off; /* switches turned off; workers set */
	int log_level; /* -1: from the configuration */
};

static void usage(FILE *f)
{
	fprintf(f, "usage: tunsecd -c FILE [--check] [--log-level LEVEL] [--workers N]\n"
		   "               [--no-offload] [--no-tun-offload] [--no-udp-gso]\n"
		   "               [--no-udp-gro] [--no-coalesce]\n"
		   "  -c, --config FILE   configuration (see tunsecd.conf(5))\n"
		   "  --check             validate the configuration and exit\n"
		   "  --log-level LEVEL   error, warning, info or debug\n"
		   "  --workers N         data-plane threads (1..%d; default: the\n"
		   "                      configuration's, else one per CPU)\n"
		   "  --no-tun-offload    one packet per TUN read and write\n"
		   "  --no-udp-gso        one send per ESP datagram\n"
		   "  --no-udp-gro        one receive per ESP datagram\n"
		   "  --no-coalesce       no coalescing before the TUN write\n"
		   "  --no-offload        all four of the above\n", WORKERS_MAX);
}

static int level_from_name(const char *s)
{
	static const char *const names[] = { "error", "warning", "info",
					     "debug" };
	int i;

	for (i = 0; i < 4; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

static int parse_workers(const char *s, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v < 1 ||
	    v > WORKERS_MAX) {
		fprintf(stderr, "tunsecd: --workers: \"%s\" is not 1..%d\n",
			s, WORKERS_MAX);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longs[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'k' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "no-offload", no_argument, NULL, 'o' },
		{ "no-tun-offload", no_argument, NULL, 'T' },
		{ "no-udp-gso", no_argument, NULL, 'S' },
		{ "no-udp-gro", no_argument, NULL, 'R' },
		{ "no-coalesce", no_argument, NULL, 'C' },
		{ "workers", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	o->log_level = -1;
	while ((c = getopt_long(argc, argv, "c:h", longs, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->conf_path = optarg;
			break;
		case 'k':
			o->check = true;
			break;
		case 'o':
			o->off.tun_offload = o->off.udp_gso = true;
			o->off.udp_gro = o->off.coalesce = true;
			break;
		case 'T':
			o->off.tun_offload = true;
			break;
		case 'S':
			o->off.udp_gso = true;
			break;
		case 'R':
			o->off.udp_gro = true;
			break;
		case 'C':
			o->off.coalesce = true;
			break;
		case 'w':
			if (parse_workers(optarg, &o->off.workers))
				return EXIT_USAGE;
			break;
		case 'l':
			o->log_level = level_from_name(optarg);
			if (o->log_level < 0) {
				fprintf(stderr, "tunsecd: --log-level: unknown level \"%s\"\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (!o->conf_path || optind != argc) {
		fprintf(stderr, "tunsecd: %s\n", o->conf_path ? "unexpected argument"
					       : "-c FILE is required");
		usage(stderr);
		return EXIT_USAGE;
	}
	return 0;
}

static int load_conf(struct daemon *d, const struct options *o)
{
	struct conf_error err;
	char msg[600];

	if (conf_parse_file(o->conf_path, &d->conf, &err)) {
		fprintf(stderr, "tunsecd: %s\n", conf_error_format(&err, msg, sizeof(msg)));
		return 1;
	}
	snprintf(d->conf_path, sizeof(d->conf_path), "%s", o->conf_path);
	log_set_level(o->log_level >= 0 ? (enum log_level)o->log_level
					: d->conf.daemon.log_level);
	return 0;
}

static void warn_about_keys(const struct daemon *d)
{
	unsigned i;

	if (d->conf.inline_keys_exposed)
		log_warn("%s holds keys and is readable by group or others",
			 d->conf_path);
	for (i = 0; i < d->conf.nsas; i++)
		if (d->conf.sas[i].cipher == ESP_CIPHER_NULL)
			log_warn("sa %s uses cipher null: NO confidentiality "
				 "and NO integrity", d->conf.sas[i].name);
	if (d->conf.nsas)
		log_warn("static keys: outbound sequence numbers start again "
			 "at each start; give the SAs fresh keys whenever "
			 "tunsecd restarts, or nonces repeat");
}

/* What the parser leaves to the IKE engine: its proposals must name
 * algorithms it has. 0, or 1 with the reason logged. */
static int check_ike(const struct conf *c)
{
	struct ike_peer_cfg *cfg;
	unsigned n;

	if (!daemon_conf_has_ike(c))
		return 0;
	if (daemon_ike_peers(c, &cfg, &n))
		return 1;
	free(cfg);
	return 0;
}

static int serve(struct daemon *d)
{
	int err;

	if (aead_selftest(AEAD_ENGINE_AUTO)) {
		log_err("no crypto engine passed its self-test");
		return 1;
	}
	warn_about_keys(d);
	if (check_ike(&d->conf) || daemon_build_dp(&d->conf, &d->dp))
		return 1;
	err = daemon_start(d);
	if (err) {
		log_err("cannot start: %s", strerror(-err));
		dp_free(&d->dp);
		return 1;
	}
	d->started = time(NULL);
	log_info("running: %u peer(s), %u SA(s), tun %s mtu %u, port %u, "
		 "%u worker(s)", d->dp.npeers, d->conf.nsas, d->conf.daemon.tun,
		 d->tun_mtu, d->conf.daemon.port, d->nworkers);
	err = daemon_run(d);
	daemon_stop(d);
	dp_free(&d->dp);
	log_info("stopped");
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	static struct daemon d;
	struct options o = { 0 };
	int rc;

	log_set_ident("tunsecd");
	rc = parse_options(argc, argv, &o);
	if (rc)
		return rc;
	if (load_conf(&d, &o))
		return 1;
	if (o.check) {
		rc = check_ike(&d.conf);
		if (!rc)
			printf("%s: configuration OK (%u peers, %u SAs)\n",
			       o.conf_path, d.conf.npeers, d.conf.nsas);
		conf_free(&d.conf);
		return rc;
	}
	d.cli_off = o.off;
	d.cli_log_level = o.log_level;
	rc = serve(&d);
	conf_free(&d.conf);
	return rc;
}
