/* SPDX-License-Identifier: MIT */
/*
 * What the commands that talk to tunsecd share (show, sa add, sa del,
 * reload): the --socket option, a small option parser for the commands
 * without SA options, and the call that sends one request and prints why it
 * failed. Not thread-safe (getopt state); the CLI is single-threaded.
 */
#ifndef TUNSEC_CLI_CTLOPT_H
#define TUNSEC_CLI_CTLOPT_H

#include <stdbool.h>

#include "cli/cli.h"
#include "conf/conf.h"
#include "ctl/client.h"

/* How long a command waits for the daemon's reply. */
#define CLI_CTL_TIMEOUT_MS CTL_CALL_TIMEOUT_MS

/* Room for any request the CLI builds (an SA_ADD with two names and a
 * key stays below 1 KiB). */
#define CLI_CTL_REQ_MAX 2048

/* The --socket option, as a struct cli_opt. */
#define CLI_CTL_SOCKET_OPT { "socket", true, false }

/* The socket to use: |given| (--socket), or CONF_DEFAULT_SOCKET. */
const char *cli_ctl_socket(const char *given);

/*
 * Parse argv[1..argc) for the options in opts[0..n) (n <= CLI_EXTRA_MAX)
 * and --help: vals[i] receives option i's value ("" for a flag, NULL when
 * absent); up to maxpos positional arguments go to pos[], *npos counts them.
 * Returns 0, CLI_EXIT_USAGE with one line on stderr naming the option
 * (unknown option, missing value, option given twice, too many arguments,
 * a required option missing), or -1 when --help was asked for.
 */
int cli_ctl_parse(const char *cmd, int argc, char **argv,
		  const struct cli_opt *opts, unsigned n, char **vals,
		  char **pos, unsigned maxpos, unsigned *npos);

/*
 * Parse "in" or "out" given to --dir into a CTL_DIR_* value: 0 or
 * CLI_EXIT_USAGE (message printed).
 */
int cli_ctl_dir(const char *cmd, const char *arg, uint8_t *dir);

/* A zeroed reply on the heap (it is CTL_MSG_MAX bytes), or NULL with a
 * message printed. Free it with free(). */
struct ctl_reply *cli_ctl_reply_new(const char *cmd);

/*
 * Send |req| to tunsecd on |path| and wait for the reply. CLI_EXIT_OK when
 * the daemon answered STATUS 0 (|reply| holds its answer); otherwise one
 * line on stderr and CLI_EXIT_FAILED: the daemon's MESSAGE (or its errno
 * text), or why it could not be reached ("cannot reach tunsecd at PATH:
 * no such socket ..."). The request buffer is wiped before this returns.
 */
int cli_ctl_call(const char *cmd, const char *path, struct ctl_builder *req,
		 struct ctl_reply *reply);

/*
 * A request of |type| without attributes (show, reload): build it, call
 * tunsecd on |path| as cli_ctl_call() does, and on success hand the reply
 * to |print| (may be NULL), whose result is returned.
 */
int cli_ctl_request(const char *cmd, const char *path, uint16_t type,
		    int (*print)(const struct ctl_reply *reply, void *arg),
		    void *arg);

/* A peer or SA name as the configuration file allows them: 1 to
 * CONF_NAME_MAX letters, digits, '.', '_' or '-'. */
bool cli_name_ok(const char *s);

#endif
