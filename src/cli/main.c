/* SPDX-License-Identifier: MIT */
/*
 * tunsec: the command table. Each entry names a subcommand, the file that
 * implements it (cli/<name>.c; up and down share cli/updown.c), its
 * synopsis and a one-line summary; main() only dispatches. The commands
 * that talk to tunsecd (show, sa, reload, up, down) share cli/ctlopt.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "crypto/aead.h"

struct cli_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *synopsis;  /* what follows the name in the usage line */
	const char *summary;
};

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

static const struct cli_command commands[] = {
	{ "esp", cli_esp, "encrypt|decrypt --spi N --cipher NAME --key HEX ...",
	  "encrypt or decrypt the packets of a pcap capture with one ESP SA" },
	{ "show", cli_show, "[--json] [--socket PATH]",
	  "show the running tunsecd: peers, IKE SAs, SAs, counters, drops" },
	{ "sa", cli_sa, "add|del [--socket PATH] --dir in|out ...",
	  "install or remove an SA in the running tunsecd" },
	{ "reload", cli_reload, "[--socket PATH]",
	  "make tunsecd re-read its configuration file" },
	{ "up", cli_up, "[--socket PATH] PEER",
	  "start IKE for an IKE-managed peer of the running tunsecd" },
	{ "down", cli_down, "[--socket PATH] PEER",
	  "delete an IKE-managed peer's IKE SA and keep it down" },
	{ "rekey", cli_rekey, "[--socket PATH] [--ike] PEER",
	  "rekey an IKE-managed peer's Child SA (or IKE SA) now" },
	{ "version", cmd_version, "", "print the version and crypto engines" },
	{ "help", cmd_help, "[COMMAND]", "show this help, or a command's" },
};

#define COMMAND_COUNT (sizeof(commands) / sizeof(commands[0]))

static const struct cli_command *command_find(const char *name)
{
	size_t i;

	for (i = 0; i < COMMAND_COUNT; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: tunsec COMMAND [ARGS]\n\n");
	for (i = 0; i < COMMAND_COUNT; i++)
		fprintf(f, "  tunsec %s%s%s\n      %s\n", commands[i].name,
			commands[i].synopsis[0] ? " " : "",
			commands[i].synopsis, commands[i].summary);
	fprintf(f, "\n'tunsec help COMMAND' or 'tunsec COMMAND --help' shows "
		   "a command's options; man tunsec(1) has the details.\n");
}

static int cmd_help(int argc, char **argv)
{
	const struct cli_command *c;
	char help_opt[] = "--help";
	char *sub_argv[] = { NULL, help_opt, NULL };

	if (argc < 2 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	c = command_find(argv[1]);
	if (!c) {
		fprintf(stderr, "tunsec help: unknown command '%s'\n", argv[1]);
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	sub_argv[0] = argv[1];
	return c->run(2, sub_argv);
}

static const char *engine_state(enum aead_engine e)
{
	switch (aead_selftest(e)) {
	case 0:
		return "ok";
	case -ENOTSUP:
		return "not available on this machine";
	default:
		return "FAILED its self-test, not used";
	}
}

static int cmd_version(int argc, char **argv)
{
	int e;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "tunsec version: takes no arguments\n");
		return CLI_EXIT_USAGE;
	}
	printf("tunsec %s\n", TUNSEC_VERSION);
	for (e = AEAD_ENGINE_AUTO + 1; e < AEAD_ENGINE_COUNT; e++)
		printf("crypto engine %s: %s\n",
		       aead_engine_name((enum aead_engine)e),
		       engine_state((enum aead_engine)e));
	return CLI_EXIT_OK;
}

int main(int argc, char **argv)
{
	const struct cli_command *c;
	const char *name = argc > 1 ? argv[1] : NULL;

	if (!name) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0)
		return cmd_help(1, argv + 1);
	if (strcmp(name, "--version") == 0)
		return cmd_version(1, argv + 1);
	c = command_find(name);
	if (!c) {
		fprintf(stderr, "tunsec: unknown command '%s'\n", name);
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	return c->run(argc - 1, argv + 1);
}
