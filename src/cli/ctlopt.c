/* SPDX-License-Identifier: MIT */
/* The --socket option, option parsing and the daemon call shared by the
 * commands that talk to tunsecd. */
#include "cli/ctlopt.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "ctl/proto.h"

/* getopt_long() returns OPT_BASE + i for option i. */
#define OPT_BASE 256

const char *cli_ctl_socket(const char *given)
{
	return given ? given : CONF_DEFAULT_SOCKET;
}

static void opts_fill(const struct cli_opt *opts, unsigned n,
		      struct option *out)
{
	unsigned i;

	for (i = 0; i < n; i++)
		out[i] = (struct option){ opts[i].name,
					  opts[i].has_arg ? required_argument
							  : no_argument,
					  NULL, OPT_BASE + (int)i };
	out[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	out[n] = (struct option){ NULL, 0, NULL, 0 };
}

static int getopt_error(const char *cmd, const struct cli_opt *opts,
			unsigned n, int ret, char **argv)
{
	const char *arg = argv[optind - 1];

	if (ret == ':' && optopt >= OPT_BASE && optopt < OPT_BASE + (int)n)
		return cli_usage_error(cmd, "--%s needs a value",
				       opts[optopt - OPT_BASE].name);
	if (ret == ':')
		return cli_usage_error(cmd, "%s needs a value", arg);
	if (optopt > 0 && optopt < OPT_BASE)
		return cli_usage_error(cmd, "unknown option '-%c'", optopt);
	return cli_usage_error(cmd, "unknown or ambiguous option '%s'", arg);
}

static int positional_take(const char *cmd, int argc, char **argv,
			   char **pos, unsigned maxpos, unsigned *npos)
{
	*npos = 0;
	for (; optind < argc; optind++) {
		if (*npos == maxpos)
			return cli_usage_error(cmd, "unexpected argument '%s'",
					       argv[optind]);
		pos[(*npos)++] = argv[optind];
	}
	return 0;
}

static int required_check(const char *cmd, const struct cli_opt *opts,
			  unsigned n, char **vals)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (opts[i].required && !vals[i])
			return cli_usage_error(cmd, "missing --%s",
					       opts[i].name);
	return 0;
}

int cli_ctl_parse(const char *cmd, int argc, char **argv,
		  const struct cli_opt *opts, unsigned n, char **vals,
		  char **pos, unsigned maxpos, unsigned *npos)
{
	struct option longs[CLI_EXTRA_MAX + 2];
	unsigned i;
	int ret;

	if (n > CLI_EXTRA_MAX)
		abort(); /* a command table larger than its bound */
	opts_fill(opts, n, longs);
	for (i = 0; i < n; i++)
		vals[i] = NULL;
	optind = 0; /* full re-initialisation of GNU getopt */
	opterr = 0;
	while ((ret = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
		if (ret == 'h')
			return -1;
		if (ret < OPT_BASE || ret >= OPT_BASE + (int)n)
			return getopt_error(cmd, opts, n, ret, argv);
		i = (unsigned)(ret - OPT_BASE);
		if (vals[i])
			return cli_usage_error(cmd, "--%s given twice",
					       opts[i].name);
		vals[i] = opts[i].has_arg ? optarg : (char *)"";
	}
	ret = positional_take(cmd, argc, argv, pos, maxpos, npos);
	if (!ret)
		ret = required_check(cmd, opts, n, vals);
	return ret;
}

int cli_ctl_dir(const char *cmd, const char *arg, uint8_t *dir)
{
	if (strcmp(arg, "in") == 0)
		*dir = CTL_DIR_IN;
	else if (strcmp(arg, "out") == 0)
		*dir = CTL_DIR_OUT;
	else
		return cli_usage_error(cmd, "--dir: '%s' is not in or out",
				       arg);
	return 0;
}

struct ctl_reply *cli_ctl_reply_new(const char *cmd)
{
	struct ctl_reply *r = calloc(1, sizeof(*r));

	if (!r)
		fprintf(stderr, "tunsec %s: out of memory\n", cmd);
	return r;
}

/* The daemon could not be reached or gave no valid reply. */
static void call_error(const char *cmd, const char *path, int err,
		       const struct ctl_reply *reply)
{
	switch (err) {
	case -ENOENT:
		fprintf(stderr, "tunsec: cannot reach tunsecd at %s: no such "
				"socket — is tunsecd running?\n", path);
		break;
	case -ECONNREFUSED:
		fprintf(stderr, "tunsec: cannot reach tunsecd at %s: nothing "
				"is listening — is tunsecd running?\n", path);
		break;
	case -EACCES:
		fprintf(stderr, "tunsec: cannot reach tunsecd at %s: "
				"permission denied — run as root or as the "
				"daemon's user\n", path);
		break;
	default:
		fprintf(stderr, "tunsec %s: %s\n", cmd,
			reply->error[0] ? reply->error : strerror(-err));
	}
}

int cli_ctl_call(const char *cmd, const char *path, struct ctl_builder *req,
		 struct ctl_reply *reply)
{
	int err = ctl_client_call(path, req, reply, CLI_CTL_TIMEOUT_MS);

	ctl_builder_wipe(req);
	if (err < 0) {
		call_error(cmd, path, err, reply);
		return CLI_EXIT_FAILED;
	}
	if (reply->status < 0) {
		fprintf(stderr, "tunsec %s: %s\n", cmd,
			reply->message ? reply->message
				       : strerror(-reply->status));
		return CLI_EXIT_FAILED;
	}
	return CLI_EXIT_OK;
}

int cli_ctl_request(const char *cmd, const char *path, uint16_t type,
		    int (*print)(const struct ctl_reply *reply, void *arg),
		    void *arg)
{
	uint8_t buf[CLI_CTL_REQ_MAX];
	struct ctl_builder b;
	struct ctl_reply *reply = cli_ctl_reply_new(cmd);
	int rc;

	if (!reply)
		return CLI_EXIT_FAILED;
	ctl_builder_init(&b, buf, sizeof(buf), type, 1);
	rc = cli_ctl_call(cmd, path, &b, reply);
	if (rc == CLI_EXIT_OK && print)
		rc = print(reply, arg);
	free(reply);
	return rc;
}

bool cli_name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > CONF_NAME_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789._-", s[i]))
			return false;
	return true;
}
