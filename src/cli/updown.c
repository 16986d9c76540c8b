/* SPDX-License-Identifier: MIT */
/*
 * tunsec up|down PEER: start or stop IKE for one IKE-managed peer of the
 * running tunsecd (request UP or DOWN with one PEER_NAME, ctl/proto.h).
 * tunsec rekey PEER [--ike]: rekey its Child SA, or its IKE SA, now
 * (request REKEY; IKE = 1 for the IKE SA).
 *
 * `up` makes the daemon initiate an IKE SA and its Child SA (RFC 7296
 * §1.2) and returns once the daemon has accepted the request, not when the
 * SAs are established: `tunsec show` follows their progress. `down`
 * deletes the peer's IKE SA and its Child SA, telling the peer with an
 * INFORMATIONAL exchange (§1.4.1) when the IKE SA was established, and
 * keeps the peer down until the next `up`. A peer the daemon does not
 * manage with IKE, or one already up (or coming up) or already down, is a
 * refusal: the daemon's reason on stderr, exit status 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/ctlopt.h"
#include "conf/conf.h"

enum { OPT_SOCKET, OPT_IKE, OPT_COUNT };

static const struct cli_opt updown_opts[OPT_COUNT] = {
	[OPT_SOCKET] = CLI_CTL_SOCKET_OPT,
	[OPT_IKE] = { "ike", false, false },
};

static void help_print(FILE *f, bool up)
{
	fprintf(f, "usage: tunsec %s [--socket PATH] PEER\n\n", up ? "up"
								   : "down");
	fputs(up ?
"Bring up the IKE-managed peer PEER (a [peer] of tunsecd's configuration\n"
"with auth = psk): tunsecd initiates its IKE SA and Child SA. The command\n"
"returns once tunsecd has started; `tunsec show` shows the IKE SA's\n"
"progress.\n" :
"Take down the IKE-managed peer PEER: tunsecd deletes its IKE SA and Child\n"
"SA, telling the peer, and initiates nothing more for it until `tunsec up`.\n",
	      f);
	fputs(
"\n"
"  --socket PATH   tunsecd's control socket (default " CONF_DEFAULT_SOCKET ")\n"
"\n", f);
	fprintf(f, "Exit status: 0 requested; 1 refused (no such IKE-managed "
		   "peer, or it is\nalready %s), or tunsecd not reachable; 2 bad "
		   "usage.\n", up ? "up or coming up" : "down");
}

/* Options and the one positional PEER: 0, CLI_EXIT_USAGE (message
 * printed), or -1 for --help. */
static int updown_args(const char *cmd, int argc, char **argv, char **vals,
		       const char **peer)
{
	char *pos[1];
	unsigned npos;
	int rc;

	rc = cli_ctl_parse(cmd, argc, argv, updown_opts, OPT_COUNT, vals, pos,
			   1, &npos);
	if (rc)
		return rc;
	if (vals[OPT_IKE] && strcmp(cmd, "rekey"))
		return cli_usage_error(cmd, "--ike is for rekey only");
	if (npos == 0)
		return cli_usage_error(cmd, "missing the peer name");
	if (!cli_name_ok(pos[0]))
		return cli_usage_error(cmd, "'%s' is not a peer name (1 to %d "
				       "letters, digits, '.', '_' or '-')",
				       pos[0], CONF_NAME_MAX);
	*peer = pos[0];
	return 0;
}

static int updown_send(const char *cmd, const char *path, uint16_t type,
		       const char *peer, bool ike_sa)
{
	uint8_t buf[CLI_CTL_REQ_MAX];
	struct ctl_builder b;
	struct ctl_reply *reply = cli_ctl_reply_new(cmd);
	int rc;

	if (!reply)
		return CLI_EXIT_FAILED;
	ctl_builder_init(&b, buf, sizeof(buf), type, 1);
	ctl_put_str(&b, CTL_A_PEER_NAME, peer);
	if (ike_sa)
		ctl_put_u8(&b, CTL_A_IKE, 1);
	rc = cli_ctl_call(cmd, path, &b, reply);
	free(reply);
	return rc;
}

/* argv[0] is "up" or "down", as dispatched from cli/main.c. */
static int updown(int argc, char **argv, bool up)
{
	const char *cmd = up ? "up" : "down";
	const char *peer = NULL;
	char *vals[OPT_COUNT];
	int rc;

	rc = updown_args(cmd, argc, argv, vals, &peer);
	if (rc < 0) {
		help_print(stdout, up);
		return CLI_EXIT_OK;
	}
	if (rc)
		return rc;
	return updown_send(cmd, cli_ctl_socket(vals[OPT_SOCKET]),
			   up ? CTL_UP : CTL_DOWN, peer, false);
}

int cli_up(int argc, char **argv)
{
	return updown(argc, argv, true);
}

int cli_down(int argc, char **argv)
{
	return updown(argc, argv, false);
}

static void rekey_help(FILE *f)
{
	fputs(
"usage: tunsec rekey [--socket PATH] [--ike] PEER\n"
"\n"
"Rekey the Child SA of the IKE-managed peer PEER now, or with --ike its\n"
"IKE SA (RFC 7296 §1.3.2, §1.3.3), as when a lifetime runs out. Traffic\n"
"goes on: the new SAs are in force before the old ones go.\n"
"\n"
"  --socket PATH   tunsecd's control socket (default " CONF_DEFAULT_SOCKET ")\n"
"  --ike           the IKE SA rather than the Child SA\n"
"\n"
"Exit status: 0 started; 1 refused (nothing established with PEER, or an\n"
"exchange with it in flight: try again), or tunsecd not reachable; 2 bad\n"
"usage.\n", f);
}

int cli_rekey(int argc, char **argv)
{
	const char *peer = NULL;
	char *vals[OPT_COUNT];
	int rc;

	rc = updown_args("rekey", argc, argv, vals, &peer);
	if (rc < 0) {
		rekey_help(stdout);
		return CLI_EXIT_OK;
	}
	if (rc)
		return rc;
	return updown_send("rekey", cli_ctl_socket(vals[OPT_SOCKET]),
			   CTL_REKEY, peer, vals[OPT_IKE] != NULL);
}
