/* SPDX-License-Identifier: MIT */
/*
 * tunsec sa add|del: install and remove SAs in the running tunsecd.
 *
 * `sa add` takes the SA options of `tunsec esp` (parsed and checked by the
 * same code, cli/esp.c) and sends only those given: what is left out the
 * daemon takes from the peer (UDP ports, tunnel addresses) or from the ESP
 * defaults. Adding an SA whose direction and SPI exist replaces it
 * atomically in the daemon (ctl/proto.h); that is how new keys go in.
 *
 * Secrets: the key material lives in struct cli_sa_args.key and in the
 * request buffer; both are wiped on every path out of sa_add(). A hex key
 * on the command line is overwritten in argv once decoded. Nothing here
 * prints key material.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/ctlopt.h"
#include "conf/conf.h"
#include "util/secure.h"

#define SPI_MAX 0xffffffffULL

/* sa add: options besides the SA's. */
enum { ADD_SOCKET, ADD_PEER, ADD_NAME, ADD_DIR, ADD_CPU, ADD_COUNT };

static const struct cli_opt add_opts[ADD_COUNT] = {
	[ADD_SOCKET] = CLI_CTL_SOCKET_OPT,
	[ADD_PEER] = { "peer", true, false },
	[ADD_NAME] = { "name", true, false },
	[ADD_DIR] = { "dir", true, true },
	[ADD_CPU] = { "cpu", true, false },
};

/* sa del: its options; the SPI is positional. */
enum { DEL_SOCKET, DEL_DIR, DEL_COUNT };

static const struct cli_opt del_opts[DEL_COUNT] = {
	[DEL_SOCKET] = CLI_CTL_SOCKET_OPT,
	[DEL_DIR] = { "dir", true, true },
};

static void help_add(FILE *f)
{
	fputs(
"usage: tunsec sa add [--socket PATH] [--peer NAME] [--name NAME]\n"
"         --dir in|out --spi N --cipher NAME [--icv 8|12|16]\n"
"         --key HEX|@FILE [--mode transport|tunnel] [--encap udp|none]\n"
"         [--sport N] [--dport N] [--esn] [--seq N] [--replay-window N]\n"
"         [--tunnel-src ADDR --tunnel-dst ADDR] [--tfc-pad N] [--cpu N]\n"
"\n"
"Install an SA in the running tunsecd. An SA with the same direction and\n"
"SPI is replaced atomically: no packet is lost to the swap.\n"
"\n"
"  --socket PATH        tunsecd's control socket\n"
"                       (default " CONF_DEFAULT_SOCKET ")\n"
"  --peer NAME          the peer the SA belongs to (may be left out when\n"
"                       the daemon has a single peer)\n"
"  --name NAME          a name for `tunsec show`\n"
"  --dir in|out         in: the peer sends with it; out: this host does\n"
"  --spi N              SPI, 1 to 4294967295 (decimal or 0x hex)\n"
"  --cipher NAME        see the table below\n"
"  --icv N              ICV length in bytes (default 16)\n"
"  --key HEX|@FILE      key material (key then salt) in hex, or read from\n"
"                       FILE so it does not show in the process list\n"
"  --mode M             transport (default) or tunnel\n"
"  --encap E            udp (default; RFC 3948) or none (IP protocol 50)\n"
"  --sport N, --dport N UDP ports (default: the daemon's and the peer's)\n"
"  --esn                64-bit extended sequence numbers\n"
"  --seq N              out: the first sequence number to send (default\n"
"                       1); in: the highest already received (default 0)\n"
"  --replay-window N    anti-replay window, 32 to 65536 (default 1024)\n"
"  --tunnel-src ADDR    tunnel mode: outer source address\n"
"  --tunnel-dst ADDR    tunnel mode: outer destination address\n"
"                       (default: this host's and the peer's address)\n"
"  --tfc-pad N          tunnel mode: pad inner packets to N bytes (TFC)\n"
"  --cpu N              out: the per-CPU slot (RFC 9611), 0 to 63 (default\n"
"                       0); replaces only the SA in that slot\n"
"\n", f);
	cli_sa_help_ciphers(f);
	fputs(
"\n"
"Exit status: 0 installed; 1 refused (the daemon's reason on stderr), or\n"
"tunsecd not reachable; 2 bad usage. See tunsec(1).\n", f);
}

static void help_del(FILE *f)
{
	fputs(
"usage: tunsec sa del [--socket PATH] --dir in|out SPI\n"
"\n"
"Remove an SA from the running tunsecd. SPI is decimal or 0x hex.\n"
"\n"
"  --socket PATH   tunsecd's control socket (default " CONF_DEFAULT_SOCKET ")\n"
"  --dir in|out    the direction of the SA\n"
"\n"
"Exit status: 0 removed; 1 no such SA (or another refusal), or tunsecd not\n"
"reachable; 2 bad usage.\n", f);
}

static int name_check(const char *opt, const char *arg)
{
	if (!arg || cli_name_ok(arg))
		return 0;
	return cli_usage_error("sa add", "--%s: '%s' is not a name (1 to %d "
			       "letters, digits, '.', '_' or '-')", opt, arg,
			       CONF_NAME_MAX);
}

/* --cpu: a per-CPU slot of an outbound SA. */
static int cpu_check(const char *arg, uint8_t dir)
{
	char *end;
	unsigned long v;

	if (!arg)
		return 0;
	v = strtoul(arg, &end, 10);
	if (!*arg || *end || !isdigit((unsigned char)*arg) || v > 63)
		return cli_usage_error("sa add", "--cpu: '%s' is not 0 to 63",
				       arg);
	if (dir != CTL_DIR_OUT)
		return cli_usage_error("sa add", "--cpu: outbound SAs only");
	return 0;
}

static uint8_t mode_value(const struct esp_sa_config *cfg)
{
	return cfg->mode == ESP_MODE_TUNNEL ? CTL_MODE_TUNNEL
					    : CTL_MODE_TRANSPORT;
}

static uint8_t encap_value(const struct esp_sa_config *cfg)
{
	return cfg->encap == ESP_ENCAP_UDP ? CTL_ENCAP_UDP : CTL_ENCAP_NONE;
}

/* The optional SA attributes: only what was given on the command line. */
static void put_given(struct ctl_builder *b, const struct cli_sa_args *a)
{
	const struct esp_sa_config *cfg = &a->cfg;

	if (a->seen[CLI_SA_ICV])
		ctl_put_u8(b, CTL_A_ICV, cfg->icv_len);
	if (a->seen[CLI_SA_MODE])
		ctl_put_u8(b, CTL_A_MODE, mode_value(cfg));
	if (a->seen[CLI_SA_ENCAP])
		ctl_put_u8(b, CTL_A_ENCAP, encap_value(cfg));
	if (a->seen[CLI_SA_SPORT])
		ctl_put_u16(b, CTL_A_SPORT, cfg->sport);
	if (a->seen[CLI_SA_DPORT])
		ctl_put_u16(b, CTL_A_DPORT, cfg->dport);
	if (a->seen[CLI_SA_ESN])
		ctl_put_u8(b, CTL_A_ESN, 1);
	if (a->seen[CLI_SA_SEQ])
		ctl_put_u64(b, CTL_A_SEQ, cfg->seq);
	if (a->seen[CLI_SA_WINDOW])
		ctl_put_u32(b, CTL_A_WINDOW, cfg->replay_window);
	if (a->seen[CLI_SA_TUNNEL_SRC])
		ctl_put_addr(b, CTL_A_TUN_SRC, &cfg->tunnel_src);
	if (a->seen[CLI_SA_TUNNEL_DST])
		ctl_put_addr(b, CTL_A_TUN_DST, &cfg->tunnel_dst);
	if (a->seen[CLI_SA_TFC_PAD])
		ctl_put_u16(b, CTL_A_TFC, cfg->tfc_pad);
}

/* The SA_ADD request (ctl/proto.h) for checked arguments. Errors stick in
 * the builder and surface in the call. */
static void add_build(struct ctl_builder *b, const struct cli_sa_args *a,
		      uint8_t dir)
{
	const char *name = a->extra_val[ADD_NAME];
	const char *peer = a->extra_val[ADD_PEER];

	if (name)
		ctl_put_str(b, CTL_A_NAME, name);
	if (peer)
		ctl_put_str(b, CTL_A_PEER_NAME, peer);
	ctl_put_u8(b, CTL_A_DIR, dir);
	ctl_put_u32(b, CTL_A_SPI, a->cfg.spi);
	ctl_put_str(b, CTL_A_CIPHER, a->info->name);
	if (a->extra_val[ADD_CPU])
		ctl_put_u8(b, CTL_A_CPU, (uint8_t)strtoul(a->extra_val[ADD_CPU],
							 NULL, 10));
	if (a->key_len)
		ctl_put_bytes(b, CTL_A_KEY, a->key, a->key_len);
	put_given(b, a);
}

/* Parse and check; --dir is read between the two since the checks of the
 * sequence number depend on it. */
static int add_args(struct cli_sa_args *a, int argc, char **argv,
		    uint8_t *dir)
{
	int rc = cli_sa_parse(a, argc, argv);

	if (rc)
		return rc;
	if (a->extra_val[ADD_DIR] &&
	    cli_ctl_dir("sa add", a->extra_val[ADD_DIR], dir))
		return CLI_EXIT_USAGE;
	a->outbound = *dir == CTL_DIR_OUT;
	rc = name_check("peer", a->extra_val[ADD_PEER]);
	if (!rc)
		rc = name_check("name", a->extra_val[ADD_NAME]);
	if (!rc)
		rc = cpu_check(a->extra_val[ADD_CPU], *dir);
	if (!rc)
		rc = cli_sa_check(a);
	return rc;
}

static int sa_add_send(struct cli_sa_args *a, uint8_t dir,
		       struct ctl_reply *reply)
{
	uint8_t buf[CLI_CTL_REQ_MAX]; /* secret: holds the KEY */
	struct ctl_builder b;
	int rc;

	ctl_builder_init(&b, buf, sizeof(buf), CTL_SA_ADD, 1);
	add_build(&b, a, dir);
	rc = cli_ctl_call("sa add", cli_ctl_socket(a->extra_val[ADD_SOCKET]),
			  &b, reply);
	secure_zero(buf, sizeof(buf));
	return rc;
}

static int sa_add(int argc, char **argv)
{
	struct cli_sa_args a;
	struct ctl_reply *reply = NULL;
	uint8_t dir = CTL_DIR_IN;
	int rc;

	cli_sa_init(&a, "sa add", add_opts, ADD_COUNT);
	rc = add_args(&a, argc, argv, &dir);
	if (rc < 0) {
		help_add(stdout);
		rc = CLI_EXIT_OK;
		goto out;
	}
	if (rc)
		goto out;
	cli_sa_warn_null(&a);
	reply = cli_ctl_reply_new("sa add");
	rc = reply ? sa_add_send(&a, dir, reply) : CLI_EXIT_FAILED;
out:
	cli_sa_wipe(&a);
	free(reply);
	return rc;
}

static int spi_parse(const char *arg, uint32_t *spi)
{
	uint64_t v;

	if (!cli_parse_number(arg, &v) || v == 0 || v > SPI_MAX)
		return cli_usage_error("sa del", "SPI: '%s' is not a number "
				       "from 1 to 4294967295", arg);
	*spi = (uint32_t)v;
	return 0;
}

static int del_args(int argc, char **argv, char **vals, uint8_t *dir,
		    uint32_t *spi)
{
	char *pos[1];
	unsigned npos;
	int rc;

	rc = cli_ctl_parse("sa del", argc, argv, del_opts, DEL_COUNT, vals,
			   pos, 1, &npos);
	if (rc)
		return rc;
	if (cli_ctl_dir("sa del", vals[DEL_DIR], dir))
		return CLI_EXIT_USAGE;
	if (npos == 0)
		return cli_usage_error("sa del", "missing the SPI");
	return spi_parse(pos[0], spi);
}

static int sa_del(int argc, char **argv)
{
	char *vals[DEL_COUNT];
	uint8_t buf[CLI_CTL_REQ_MAX];
	struct ctl_builder b;
	struct ctl_reply *reply;
	uint32_t spi = 0;
	uint8_t dir = CTL_DIR_IN;
	int rc;

	rc = del_args(argc, argv, vals, &dir, &spi);
	if (rc < 0) {
		help_del(stdout);
		return CLI_EXIT_OK;
	}
	if (rc)
		return rc;
	reply = cli_ctl_reply_new("sa del");
	if (!reply)
		return CLI_EXIT_FAILED;
	ctl_builder_init(&b, buf, sizeof(buf), CTL_SA_DEL, 1);
	ctl_put_u8(&b, CTL_A_DIR, dir);
	ctl_put_u32(&b, CTL_A_SPI, spi);
	rc = cli_ctl_call("sa del", cli_ctl_socket(vals[DEL_SOCKET]), &b,
			  reply);
	free(reply);
	return rc;
}

int cli_sa(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "";

	if (strcmp(sub, "add") == 0)
		return sa_add(argc - 1, argv + 1);
	if (strcmp(sub, "del") == 0)
		return sa_del(argc - 1, argv + 1);
	if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0) {
		help_add(stdout);
		fputc('\n', stdout);
		help_del(stdout);
		return CLI_EXIT_OK;
	}
	if (argc < 2)
		return cli_usage_error("sa", "say add or del");
	return cli_usage_error("sa", "'%s' is not add or del", sub);
}
