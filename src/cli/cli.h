/* SPDX-License-Identifier: MIT */
/*
 * The tunsec command line: one file per subcommand, dispatched from the
 * table in cli/main.c.
 *
 * A subcommand is called with argv[0] set to its own name and returns the
 * process exit status. Every subcommand keeps to one convention:
 *   CLI_EXIT_OK     done, nothing lost
 *   CLI_EXIT_DROPS  tunsec esp: done, but some input was not passed on
 *                   (counted on stderr)
 *   CLI_EXIT_FAILED a command for the daemon: tunsecd refused it (its
 *                   reason on stderr) or could not be reached
 *   CLI_EXIT_USAGE  bad command line: one line on stderr says what is wrong
 *   CLI_EXIT_IO     could not run to the end: a file could not be read or
 *                   written, or the system lacks what is needed (no working
 *                   crypto engine)
 */
#ifndef TUNSEC_CLI_CLI_H
#define TUNSEC_CLI_CLI_H

#ifndef TUNSEC_VERSION
#define TUNSEC_VERSION "0.1.0"
#endif

enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_DROPS = 1,
	CLI_EXIT_FAILED = 1,
	CLI_EXIT_USAGE = 2,
	CLI_EXIT_IO = 3,
};

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "esp/esp.h"

/* tunsec esp encrypt|decrypt ... (cli/esp.c) */
int cli_esp(int argc, char **argv);
/* tunsec show [--json] (cli/show.c) */
int cli_show(int argc, char **argv);
/* tunsec sa add|del ... (cli/sa.c) */
int cli_sa(int argc, char **argv);
/* tunsec reload (cli/reload.c) */
int cli_reload(int argc, char **argv);
/* tunsec up PEER, tunsec down PEER: start or stop IKE for an IKE-managed
 * peer (cli/updown.c) */
int cli_up(int argc, char **argv);
int cli_down(int argc, char **argv);
int cli_rekey(int argc, char **argv);

/*
 * Encrypt (or decrypt) every IP packet of the capture in with sa and write
 * the results to out, keeping link type and timestamps (cli/esp_capture.c).
 * Prints per-reason drop counts and I/O errors on stderr; returns
 * CLI_EXIT_OK, CLI_EXIT_DROPS or CLI_EXIT_IO.
 */
int cli_esp_capture(struct esp_sa *sa, bool encrypt, const char *in,
		    const char *out);

/*
 * Print "tunsec CMD: MESSAGE" and "Try 'tunsec CMD --help' ..." on stderr;
 * returns CLI_EXIT_USAGE (cli/esp.c).
 */
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Parse a decimal or 0x-prefixed hexadecimal number: no sign, no spaces,
 * nothing after it, no overflow (cli/esp.c). */
bool cli_parse_number(const char *s, uint64_t *out);

/*
 * The SA options shared by `tunsec esp` and `tunsec sa add` (cli/esp.c):
 * --spi --cipher --icv --key --mode --encap --sport --dport --esn --seq
 * --replay-window --tunnel-src --tunnel-dst --tfc-pad, plus up to
 * CLI_EXTRA_MAX options of the command's own.
 */
enum cli_sa_opt {
	CLI_SA_SPI,
	CLI_SA_CIPHER,
	CLI_SA_ICV,
	CLI_SA_KEY,
	CLI_SA_MODE,
	CLI_SA_ENCAP,
	CLI_SA_SPORT,
	CLI_SA_DPORT,
	CLI_SA_ESN,
	CLI_SA_SEQ,
	CLI_SA_WINDOW,
	CLI_SA_TUNNEL_SRC,
	CLI_SA_TUNNEL_DST,
	CLI_SA_TFC_PAD,
	CLI_SA_OPTS
};

#define CLI_EXTRA_MAX 8
#define CLI_SA_KEY_MAX 128 /* more than any cipher's key material */

/* An option of the command's own, taken as text. */
struct cli_opt {
	const char *name;  /* long name, without "--" */
	bool has_arg;      /* takes a value; else a flag */
	bool required;     /* "missing --NAME" when absent */
};

struct cli_sa_args {
	const char *cmd;           /* "esp", "sa add": starts every message */
	/* Set by the command before cli_sa_check(): the SA sends (encrypt,
	 * --dir out); tunnel mode outbound needs --tunnel-src/--tunnel-dst. */
	bool outbound;
	bool tunnel_addrs;
	bool seen[CLI_SA_OPTS];    /* options given */
	struct esp_sa_config cfg;  /* key and key_len set by cli_sa_check() */
	const struct esp_cipher_info *info; /* set once --cipher is read */
	uint64_t icv;
	uint8_t key[CLI_SA_KEY_MAX]; /* secret: cli_sa_wipe() */
	size_t key_len;
	const struct cli_opt *extra; /* the command's own options */
	unsigned nextra;             /* <= CLI_EXTRA_MAX */
	/* Value of each extra option given ("" for a flag), NULL if absent;
	 * points into argv. */
	char *extra_val[CLI_EXTRA_MAX];
};

/* Defaults (transport mode, UDP encapsulation on port 4500, ...) and the
 * command's own options. */
void cli_sa_init(struct cli_sa_args *a, const char *cmd,
		 const struct cli_opt *extra, unsigned nextra);

/*
 * Read argv[1..argc) (argv[0] is the command word). Each SA option is
 * checked as it is read; a hex --key is overwritten in argv once decoded.
 * Returns 0, CLI_EXIT_USAGE (message printed), or -1 when --help was asked
 * for (nothing printed). Positional arguments are refused.
 */
int cli_sa_parse(struct cli_sa_args *a, int argc, char **argv);

/*
 * Check the options together (required ones, key length for the cipher,
 * ICV, sequence number, contradictions between mode, encapsulation and
 * the other options) and point cfg.key at the key material. 0 or
 * CLI_EXIT_USAGE (message printed).
 */
int cli_sa_check(struct cli_sa_args *a);

/* The warning printed whenever the "null" cipher is used. */
void cli_sa_warn_null(const struct cli_sa_args *a);

/* The cipher table of --help: name, key material, ICV lengths. */
void cli_sa_help_ciphers(FILE *f);

/* Wipe everything, key material included. */
void cli_sa_wipe(struct cli_sa_args *a);

#endif
