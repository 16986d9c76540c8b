/* SPDX-License-Identifier: MIT */
/*
 * tunsec reload: tunsecd re-reads its configuration file. The daemon puts
 * all of the new file in force or none of it; on refusal its reason
 * ("FILE:LINE: reason") is printed and the exit status is 1.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cli/ctlopt.h"

enum { OPT_SOCKET, OPT_COUNT };

static const struct cli_opt reload_opts[OPT_COUNT] = {
	[OPT_SOCKET] = CLI_CTL_SOCKET_OPT,
};

static void help_print(FILE *f)
{
	fputs(
"usage: tunsec reload [--socket PATH]\n"
"\n"
"Make tunsecd re-read its configuration file. An invalid file changes\n"
"nothing: the daemon's reason (FILE:LINE: reason) is printed.\n"
"\n"
"  --socket PATH   tunsecd's control socket (default " CONF_DEFAULT_SOCKET ")\n"
"\n"
"Exit status: 0 reloaded; 1 refused, or tunsecd not reachable; 2 bad usage.\n",
	      f);
}

int cli_reload(int argc, char **argv)
{
	char *vals[OPT_COUNT];
	unsigned npos;
	int rc;

	rc = cli_ctl_parse("reload", argc, argv, reload_opts, OPT_COUNT, vals,
			   NULL, 0, &npos);
	if (rc < 0) {
		help_print(stdout);
		return CLI_EXIT_OK;
	}
	if (rc)
		return rc;
	return cli_ctl_request("reload", cli_ctl_socket(vals[OPT_SOCKET]),
			       CTL_RELOAD, NULL, NULL);
}
