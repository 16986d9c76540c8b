/* SPDX-License-Identifier: MIT */
/*
 * The tunsec command line: one file per subcommand, dispatched from the
 * table in cli/main.c.
 *
 * A subcommand is called with argv[0] set to its own name and returns the
 * process exit status. Every subcommand keeps to one convention:
 *   CLI_EXIT_OK     done, nothing lost
 *   CLI_EXIT_DROPS  done, but some input was not passed on (counted on stderr)
 *   CLI_EXIT_USAGE  bad command line: one line on stderr says what is wrong
 *   CLI_EXIT_IO     could not run to the end: a file could not be read or
 *                   written, or the system lacks what is needed (no working
 *                   crypto engine; later: no daemon to talk to)
 */
#ifndef TUNSEC_CLI_CLI_H
#define TUNSEC_CLI_CLI_H

#ifndef TUNSEC_VERSION
#define TUNSEC_VERSION "0.1.0"
#endif

enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_DROPS = 1,
	CLI_EXIT_USAGE = 2,
	CLI_EXIT_IO = 3,
};

#include <stdbool.h>

struct esp_sa;

/* tunsec esp encrypt|decrypt ... (cli/esp.c) */
int cli_esp(int argc, char **argv);

/*
 * Encrypt (or decrypt) every IP packet of the capture in with sa and write
 * the results to out, keeping link type and timestamps (cli/esp_capture.c).
 * Prints per-reason drop counts and I/O errors on stderr; returns
 * CLI_EXIT_OK, CLI_EXIT_DROPS or CLI_EXIT_IO.
 */
int cli_esp_capture(struct esp_sa *sa, bool encrypt, const char *in,
		    const char *out);

#endif
