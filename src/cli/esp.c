/* SPDX-License-Identifier: MIT */
/*
 * tunsec esp encrypt|decrypt: the command line of the offline capture tool,
 * and the SA options it shares with `tunsec sa add` (cli/sa.c). This file
 * reads and checks the options and sets up the SA; cli/esp_capture.c runs it
 * over the capture.
 *
 * Every usage error prints one line naming the option and what is wrong,
 * then a pointer to --help, and exits CLI_EXIT_USAGE. An option that
 * contradicts another (tunnel addresses in transport mode, ports without UDP
 * encapsulation) is an error; an SA property one direction does not use
 * (the replay window when encrypting) is accepted, so both directions can
 * be given the same SA description.
 *
 * Secrets: the decoded key material (struct cli_sa_args.key) is wiped on
 * every path out of cli_esp(); a key file's text is wiped once decoded; a key
 * given in hex on the command line is overwritten in argv once decoded,
 * which also blanks it in /proc/PID/cmdline for the rest of the run.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "dp/limits.h"
#include "esp/esp.h"
#include "util/hex.h"
#include "util/secure.h"

#define KEY_FILE_MAX 1024 /* a key file longer than this is refused */
#define SEQ32_MAX 0xffffffffULL

/* getopt_long() returns OPT_BASE + id for the SA options and EXTRA_BASE + i
 * for the command's own. */
#define OPT_BASE 256
#define EXTRA_BASE (OPT_BASE + CLI_SA_OPTS)
#define LONG_OPTS_MAX (CLI_SA_OPTS + CLI_EXTRA_MAX + 2)

static const struct option sa_opts[CLI_SA_OPTS] = {
	{ "spi", required_argument, NULL, OPT_BASE + CLI_SA_SPI },
	{ "cipher", required_argument, NULL, OPT_BASE + CLI_SA_CIPHER },
	{ "icv", required_argument, NULL, OPT_BASE + CLI_SA_ICV },
	{ "key", required_argument, NULL, OPT_BASE + CLI_SA_KEY },
	{ "mode", required_argument, NULL, OPT_BASE + CLI_SA_MODE },
	{ "encap", required_argument, NULL, OPT_BASE + CLI_SA_ENCAP },
	{ "sport", required_argument, NULL, OPT_BASE + CLI_SA_SPORT },
	{ "dport", required_argument, NULL, OPT_BASE + CLI_SA_DPORT },
	{ "esn", no_argument, NULL, OPT_BASE + CLI_SA_ESN },
	{ "seq", required_argument, NULL, OPT_BASE + CLI_SA_SEQ },
	{ "replay-window", required_argument, NULL, OPT_BASE + CLI_SA_WINDOW },
	{ "tunnel-src", required_argument, NULL, OPT_BASE + CLI_SA_TUNNEL_SRC },
	{ "tunnel-dst", required_argument, NULL, OPT_BASE + CLI_SA_TUNNEL_DST },
	{ "tfc-pad", required_argument, NULL, OPT_BASE + CLI_SA_TFC_PAD },
};

/* The options of `tunsec esp encrypt|decrypt` besides the SA's. */
enum { EXTRA_IN, EXTRA_OUT };

static const struct cli_opt esp_extra[] = {
	[EXTRA_IN] = { "in", true, true },
	[EXTRA_OUT] = { "out", true, true },
};

struct esp_args {
	struct cli_sa_args sa; /* holds the key: wiped by cli_esp() */
	bool encrypt;
};

static const char *opt_name(enum cli_sa_opt id)
{
	return sa_opts[id].name;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "tunsec %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'tunsec %s --help' for more information.\n",
		cmd);
	return CLI_EXIT_USAGE;
}

/* Print "tunsec CMD: MESSAGE" and the pointer to --help; returns the exit
 * status for bad usage. */
#define usage_error(a, ...) cli_usage_error((a)->cmd, __VA_ARGS__)

bool cli_parse_number(const char *s, uint64_t *out)
{
	int base = 10;
	char *end;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!(base == 16 ? isxdigit((unsigned char)s[0])
			 : isdigit((unsigned char)s[0])))
		return false;
	errno = 0;
	*out = strtoull(s, &end, base);
	return errno == 0 && *end == '\0';
}

static int opt_number(const struct cli_sa_args *a, enum cli_sa_opt id,
		      const char *arg, uint64_t min, uint64_t max,
		      uint64_t *out)
{
	if (!cli_parse_number(arg, out) || *out < min || *out > max)
		return usage_error(a, "--%s: '%s' is not a number from %" PRIu64
				   " to %" PRIu64, opt_name(id), arg, min, max);
	return 0;
}

static void cipher_list(char *buf, size_t cap)
{
	size_t used = 0;
	int c;

	buf[0] = '\0';
	for (c = 0; c < ESP_CIPHER_COUNT && used < cap; c++)
		used += (size_t)snprintf(buf + used, cap - used, "%s%s",
					 c ? ", " : "",
					 esp_cipher_info((enum esp_cipher)c)->name);
}

static int opt_cipher(struct cli_sa_args *a, const char *arg)
{
	char names[256];

	if (esp_cipher_from_name(arg, &a->cfg.cipher) != 0) {
		cipher_list(names, sizeof(names));
		return usage_error(a, "--cipher: unknown cipher '%s' (one of: "
				   "%s)", arg, names);
	}
	a->info = esp_cipher_info(a->cfg.cipher);
	return 0;
}

/* Decode hex key material into a->key. Messages never quote the key. */
static int key_decode(struct cli_sa_args *a, const char *hex)
{
	size_t i, n;
	int len;

	if (hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X'))
		hex += 2;
	n = strlen(hex);
	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)hex[i]))
			return usage_error(a, "--key: character %zu is not a "
					   "hex digit", i + 1);
	if (n % 2)
		return usage_error(a, "--key: odd number of hex digits (%zu)",
				   n);
	len = hex_decode(hex, a->key, sizeof(a->key));
	if (len < 0) {
		secure_zero(a->key, sizeof(a->key));
		return usage_error(a, "--key: %zu bytes is longer than any "
				   "cipher's key material", n / 2);
	}
	a->key_len = (size_t)len;
	return 0;
}

/* Trim leading and trailing white space in place; returns the start. */
static char *trim_space(char *s, size_t len)
{
	while (len && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

/* Read at most cap - 1 bytes of path into buf, NUL-terminated. Returns the
 * length, or -errno; -EFBIG when the file holds more. */
static ssize_t read_small_file(const char *path, char *buf, size_t cap)
{
	size_t used = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	do {
		n = read(fd, buf + used, cap - used);
		if (n > 0)
			used += (size_t)n;
	} while ((n > 0 || (n < 0 && errno == EINTR)) && used < cap);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return n;
	if (used == cap)
		return -EFBIG;
	buf[used] = '\0';
	return (ssize_t)used;
}

static void key_file_warn(const struct cli_sa_args *a, const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_mode & (S_IRWXG | S_IRWXO)))
		fprintf(stderr, "tunsec %s: warning: key file %s is "
				"accessible by group or others\n", a->cmd, path);
}

/* --key @FILE: the hex key material is the file's text, white space around
 * it ignored. */
static int key_read(struct cli_sa_args *a, const char *path)
{
	char text[KEY_FILE_MAX]; /* secret: wiped below */
	ssize_t n = read_small_file(path, text, sizeof(text));
	int rc;

	if (n < 0) {
		secure_zero(text, sizeof(text));
		if (n == -EFBIG)
			return usage_error(a, "--key: key file %s is longer "
					   "than %d bytes", path,
					   KEY_FILE_MAX - 1);
		return usage_error(a, "--key: cannot read key file %s: %s",
				   path, strerror((int)-n));
	}
	key_file_warn(a, path);
	rc = key_decode(a, trim_space(text, (size_t)n));
	secure_zero(text, sizeof(text));
	return rc;
}

static int opt_key(struct cli_sa_args *a, char *arg)
{
	int rc;

	if (arg[0] == '@')
		return key_read(a, arg + 1);
	rc = key_decode(a, arg);
	secure_zero(arg, strlen(arg));
	return rc;
}

static int opt_addr(const struct cli_sa_args *a, enum cli_sa_opt id,
		    const char *arg, struct ip_addr *out)
{
	if (addr_parse(arg, out) != 0)
		return usage_error(a, "--%s: '%s' is not an IPv4 or IPv6 "
				   "address", opt_name(id), arg);
	return 0;
}

static int opt_choice(const struct cli_sa_args *a, enum cli_sa_opt id,
		      const char *arg, const char *a0, const char *a1,
		      int *out)
{
	if (strcmp(arg, a0) == 0)
		*out = 0;
	else if (strcmp(arg, a1) == 0)
		*out = 1;
	else
		return usage_error(a, "--%s: '%s' is not %s or %s",
				   opt_name(id), arg, a0, a1);
	return 0;
}

static int opt_port(const struct cli_sa_args *a, enum cli_sa_opt id,
		    const char *arg, uint16_t *out)
{
	uint64_t v = 0;
	int rc = opt_number(a, id, arg, 1, 65535, &v);

	*out = (uint16_t)v;
	return rc;
}

static int opt_spi(struct cli_sa_args *a, const char *arg)
{
	uint64_t v;

	if (cli_parse_number(arg, &v) && v == 0)
		return usage_error(a, "--spi: 0 is reserved and never sent "
				   "(RFC 4303 §2.1); use 1 to 4294967295");
	if (opt_number(a, CLI_SA_SPI, arg, 1, SEQ32_MAX, &v))
		return CLI_EXIT_USAGE;
	a->cfg.spi = (uint32_t)v;
	return 0;
}

/* The options with a choice of two words. */
static int opt_word(struct cli_sa_args *a, enum cli_sa_opt id,
		    const char *arg)
{
	struct esp_sa_config *cfg = &a->cfg;
	int rc, choice = 0;

	if (id == CLI_SA_MODE) {
		rc = opt_choice(a, id, arg, "transport", "tunnel", &choice);
		cfg->mode = choice ? ESP_MODE_TUNNEL : ESP_MODE_TRANSPORT;
	} else {
		rc = opt_choice(a, id, arg, "udp", "none", &choice);
		cfg->encap = choice ? ESP_ENCAP_NONE : ESP_ENCAP_UDP;
	}
	return rc;
}

/* Apply one SA option; returns 0 or the usage exit status. */
static int opt_apply(struct cli_sa_args *a, enum cli_sa_opt id, char *arg)
{
	struct esp_sa_config *cfg = &a->cfg;
	uint64_t v = 0;
	int rc = 0;

	switch (id) {
	case CLI_SA_SPI:
		return opt_spi(a, arg);
	case CLI_SA_CIPHER:
		return opt_cipher(a, arg);
	case CLI_SA_ICV:
		return opt_number(a, id, arg, 1, 255, &a->icv);
	case CLI_SA_KEY:
		return opt_key(a, arg);
	case CLI_SA_SPORT:
		return opt_port(a, id, arg, &cfg->sport);
	case CLI_SA_DPORT:
		return opt_port(a, id, arg, &cfg->dport);
	case CLI_SA_SEQ:
		return opt_number(a, id, arg, 0, UINT64_MAX, &cfg->seq);
	case CLI_SA_TUNNEL_SRC:
		return opt_addr(a, id, arg, &cfg->tunnel_src);
	case CLI_SA_TUNNEL_DST:
		return opt_addr(a, id, arg, &cfg->tunnel_dst);
	case CLI_SA_ESN:
		cfg->esn = true;
		return 0;
	case CLI_SA_MODE:
	case CLI_SA_ENCAP:
		return opt_word(a, id, arg);
	case CLI_SA_WINDOW:
		rc = opt_number(a, id, arg, REPLAY_WINDOW_MIN,
				REPLAY_WINDOW_MAX, &v);
		cfg->replay_window = (uint32_t)v;
		return rc;
	case CLI_SA_TFC_PAD:
		rc = opt_number(a, id, arg, 0, TFC_PAD_MAX, &v);
		cfg->tfc_pad = (uint16_t)v;
		return rc;
	default:
		abort(); /* cli_sa_parse() passes only ids of sa_opts */
	}
}

void cli_sa_init(struct cli_sa_args *a, const char *cmd,
		 const struct cli_opt *extra, unsigned nextra)
{
	if (nextra > CLI_EXTRA_MAX)
		abort(); /* a command table larger than its bound */
	memset(a, 0, sizeof(*a));
	a->cmd = cmd;
	a->cfg.mode = ESP_MODE_TRANSPORT;
	a->cfg.encap = ESP_ENCAP_UDP;
	a->cfg.sport = ESP_UDP_PORT;
	a->cfg.dport = ESP_UDP_PORT;
	a->cfg.engine = AEAD_ENGINE_AUTO;
	a->extra = extra;
	a->nextra = nextra;
}

void cli_sa_wipe(struct cli_sa_args *a)
{
	secure_zero(a, sizeof(*a));
}

/* The getopt_long() table: the SA options, the command's own, --help. */
static void long_opts_fill(const struct cli_sa_args *a,
			   struct option opts[LONG_OPTS_MAX])
{
	unsigned i, n = 0;

	for (i = 0; i < CLI_SA_OPTS; i++)
		opts[n++] = sa_opts[i];
	for (i = 0; i < a->nextra; i++)
		opts[n++] = (struct option){
			a->extra[i].name,
			a->extra[i].has_arg ? required_argument : no_argument,
			NULL, EXTRA_BASE + (int)i
		};
	opts[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	opts[n] = (struct option){ NULL, 0, NULL, 0 };
}

/* The long name getopt_long() returns |val| for, or NULL. */
static const char *val_name(const struct cli_sa_args *a, int val)
{
	if (val >= OPT_BASE && val < EXTRA_BASE)
		return opt_name((enum cli_sa_opt)(val - OPT_BASE));
	if (val >= EXTRA_BASE && val < EXTRA_BASE + (int)a->nextra)
		return a->extra[val - EXTRA_BASE].name;
	return NULL;
}

/* Report what getopt_long() refused: an unknown or ambiguous option, or one
 * without its value. */
static int getopt_error(const struct cli_sa_args *a, int ret, char **argv)
{
	const char *arg = argv[optind - 1];
	const char *name = val_name(a, optopt);

	if (ret == ':' && name)
		return usage_error(a, "--%s needs a value", name);
	if (ret == ':')
		return usage_error(a, "%s needs a value", arg);
	if (optopt > 0 && optopt < OPT_BASE)
		return usage_error(a, "unknown option '-%c'", optopt);
	return usage_error(a, "unknown or ambiguous option '%s'", arg);
}

/* Take one option getopt_long() returned: 0 or the usage exit status. */
static int opt_take(struct cli_sa_args *a, int ret, char *arg,
		    bool extra_seen[CLI_EXTRA_MAX])
{
	unsigned i;

	if (ret >= OPT_BASE && ret < EXTRA_BASE) {
		enum cli_sa_opt id = (enum cli_sa_opt)(ret - OPT_BASE);

		if (a->seen[id])
			return usage_error(a, "--%s given twice", opt_name(id));
		a->seen[id] = true;
		return opt_apply(a, id, arg);
	}
	i = (unsigned)(ret - EXTRA_BASE);
	if (extra_seen[i])
		return usage_error(a, "--%s given twice", a->extra[i].name);
	extra_seen[i] = true;
	a->extra_val[i] = a->extra[i].has_arg ? arg : (char *)"";
	return 0;
}

int cli_sa_parse(struct cli_sa_args *a, int argc, char **argv)
{
	struct option opts[LONG_OPTS_MAX];
	bool extra_seen[CLI_EXTRA_MAX] = { false };
	int ret, rc;

	long_opts_fill(a, opts);
	optind = 0; /* full re-initialisation of GNU getopt */
	opterr = 0;
	while ((ret = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (ret == 'h')
			return -1;
		if (!val_name(a, ret))
			return getopt_error(a, ret, argv);
		rc = opt_take(a, ret, optarg, extra_seen);
		if (rc)
			return rc;
	}
	if (optind < argc)
		return usage_error(a, "unexpected argument '%s'", argv[optind]);
	return 0;
}

static int check_required(const struct cli_sa_args *a)
{
	unsigned i;

	if (!a->seen[CLI_SA_SPI])
		return usage_error(a, "missing --%s", opt_name(CLI_SA_SPI));
	if (!a->seen[CLI_SA_CIPHER])
		return usage_error(a, "missing --%s", opt_name(CLI_SA_CIPHER));
	for (i = 0; i < a->nextra; i++)
		if (a->extra[i].required && !a->extra_val[i])
			return usage_error(a, "missing --%s", a->extra[i].name);
	if (!a->seen[CLI_SA_KEY] && a->info->key_len + a->info->salt_len > 0)
		return usage_error(a, "missing --key (%s takes %u bytes of key "
				   "material)", a->info->name,
				   a->info->key_len + a->info->salt_len);
	return 0;
}

static int check_key(const struct cli_sa_args *a)
{
	const struct esp_cipher_info *ci = a->info;
	size_t want = (size_t)ci->key_len + ci->salt_len;

	if (a->key_len == want)
		return 0;
	if (want == 0)
		return usage_error(a, "--key: %s takes no key material, got "
				   "%zu bytes", ci->name, a->key_len);
	if (ci->salt_len == 0)
		return usage_error(a, "--key: %s takes %zu bytes of key "
				   "material (%u-byte key), got %zu", ci->name,
				   want, ci->key_len, a->key_len);
	return usage_error(a, "--key: %s takes %zu bytes of key material "
			   "(%u-byte key + %u-byte salt), got %zu", ci->name,
			   want, ci->key_len, ci->salt_len, a->key_len);
}

/* "8, 12 or 16" for the cipher's ICV lengths. */
static void icv_list(const struct esp_cipher_info *ci, char *buf, size_t cap)
{
	size_t i, n = 0, used = 0;

	while (n < sizeof(ci->icv_lens) && ci->icv_lens[n])
		n++;
	buf[0] = '\0';
	for (i = 0; i < n && used < cap; i++)
		used += (size_t)snprintf(buf + used, cap - used, "%s%u",
					 i == 0 ? "" : i + 1 == n ? " or " : ", ",
					 ci->icv_lens[i]);
}

static int check_icv(struct cli_sa_args *a)
{
	const struct esp_cipher_info *ci = a->info;
	char list[32];

	if (!a->seen[CLI_SA_ICV])
		return 0;
	if (!ci->integrity)
		return usage_error(a, "--icv: %s has no ICV", ci->name);
	if (!esp_cipher_icv_ok(ci, (unsigned)a->icv)) {
		icv_list(ci, list, sizeof(list));
		return usage_error(a, "--icv: %s allows an ICV of %s bytes, "
				   "not %" PRIu64, ci->name, list, a->icv);
	}
	a->cfg.icv_len = (uint8_t)a->icv;
	return 0;
}

static int check_seq(struct cli_sa_args *a)
{
	uint64_t seq = a->cfg.seq;

	if (a->outbound && !a->seen[CLI_SA_SEQ])
		a->cfg.seq = seq = 1;
	if (a->outbound && seq == 0)
		return usage_error(a, "--seq: the first sequence number sent "
				   "is 1 or more (RFC 4303 §3.3.3), got 0");
	if (!a->cfg.esn && seq > SEQ32_MAX)
		return usage_error(a, "--seq: %" PRIu64 " does not fit in 32 "
				   "bits; add --esn for 64-bit sequence "
				   "numbers", seq);
	return 0;
}

/* Options that only mean something in another mode or encapsulation. */
static int check_contradictions(const struct cli_sa_args *a)
{
	static const enum cli_sa_opt tunnel_only[] = {
		CLI_SA_TUNNEL_SRC, CLI_SA_TUNNEL_DST, CLI_SA_TFC_PAD
	};
	size_t i;

	if (a->cfg.mode == ESP_MODE_TRANSPORT)
		for (i = 0; i < sizeof(tunnel_only) / sizeof(tunnel_only[0]); i++)
			if (a->seen[tunnel_only[i]])
				return usage_error(a, "--%s: only for --mode "
						   "tunnel",
						   opt_name(tunnel_only[i]));
	if (a->cfg.encap == ESP_ENCAP_NONE) {
		if (a->seen[CLI_SA_SPORT])
			return usage_error(a, "--sport: only for --encap udp");
		if (a->seen[CLI_SA_DPORT])
			return usage_error(a, "--dport: only for --encap udp");
	}
	return 0;
}

static int check_tunnel(const struct cli_sa_args *a)
{
	bool src = a->seen[CLI_SA_TUNNEL_SRC], dst = a->seen[CLI_SA_TUNNEL_DST];

	if (a->cfg.mode != ESP_MODE_TUNNEL)
		return 0;
	if (a->tunnel_addrs && a->outbound && !src && !dst)
		return usage_error(a, "--mode tunnel: encrypt needs "
				   "--tunnel-src and --tunnel-dst");
	if (src != dst)
		return usage_error(a, "--%s needs --%s too",
				   opt_name(src ? CLI_SA_TUNNEL_SRC
						: CLI_SA_TUNNEL_DST),
				   opt_name(src ? CLI_SA_TUNNEL_DST
						: CLI_SA_TUNNEL_SRC));
	if (src && a->cfg.tunnel_src.family != a->cfg.tunnel_dst.family)
		return usage_error(a, "--tunnel-src and --tunnel-dst must be of "
				   "one address family (one is IPv4, the other "
				   "IPv6)");
	return 0;
}

int cli_sa_check(struct cli_sa_args *a)
{
	int rc = check_required(a);

	if (!rc)
		rc = check_key(a);
	if (!rc)
		rc = check_icv(a);
	if (!rc)
		rc = check_seq(a);
	if (!rc)
		rc = check_contradictions(a);
	if (!rc)
		rc = check_tunnel(a);
	a->cfg.key = a->key;
	a->cfg.key_len = (uint32_t)a->key_len;
	return rc;
}

void cli_sa_warn_null(const struct cli_sa_args *a)
{
	if (a->info->integrity)
		return;
	fprintf(stderr,
		"tunsec %s: WARNING: --cipher %s gives NO confidentiality and "
		"NO integrity: anyone can read and change these packets. Use "
		"it only to measure overhead.\n", a->cmd, a->info->name);
}

/* --in and --out naming one file would truncate the input before it is
 * read. */
static int check_files(const struct esp_args *e)
{
	const char *in = e->sa.extra_val[EXTRA_IN];
	const char *out = e->sa.extra_val[EXTRA_OUT];
	struct stat si, so;

	if (strcmp(in, "-") == 0 || strcmp(out, "-") == 0)
		return 0;
	if (stat(in, &si) == 0 && stat(out, &so) == 0 &&
	    si.st_dev == so.st_dev && si.st_ino == so.st_ino)
		return usage_error(&e->sa, "--out: %s is the same file as --in",
				   out);
	return 0;
}

void cli_sa_help_ciphers(FILE *f)
{
	char icvs[32];
	int c;

	fprintf(f, "cipher               key material                ICV bytes\n");
	for (c = ESP_CIPHER_COUNT - 1; c >= 0; c--) {
		const struct esp_cipher_info *ci =
			esp_cipher_info((enum esp_cipher)c);
		char km[40];

		if (ci->salt_len)
			snprintf(km, sizeof(km), "%2u bytes (%u key + %u salt)",
				 ci->key_len + ci->salt_len, ci->key_len,
				 ci->salt_len);
		else
			snprintf(km, sizeof(km), "%2u bytes", ci->key_len);
		icv_list(ci, icvs, sizeof(icvs));
		fprintf(f, "  %-18s %-27s %s\n", ci->name, km,
			ci->integrity ? icvs : "none");
	}
}

static void help_print(FILE *f)
{
	fputs(
"usage: tunsec esp encrypt|decrypt --spi N --cipher NAME [--icv 8|12|16]\n"
"         --key HEX|@FILE [--mode transport|tunnel] [--encap udp|none]\n"
"         [--sport N] [--dport N] [--esn] [--seq N] [--replay-window N]\n"
"         [--tunnel-src ADDR --tunnel-dst ADDR] [--tfc-pad N]\n"
"         --in FILE.pcap --out FILE.pcap\n"
"\n"
"Encrypt every IP packet of a capture with one ESP SA (RFC 4303), or decrypt\n"
"the ESP packets of a capture. Raw IP, Ethernet and Linux cooked captures;\n"
"the output keeps the input's link type and timestamps.\n"
"\n"
"  --spi N              SPI, 1 to 4294967295 (decimal or 0x hex)\n"
"  --cipher NAME        see the table below\n"
"  --icv N              ICV length in bytes (default 16)\n"
"  --key HEX|@FILE      key material (key then salt) in hex, or read from\n"
"                       FILE so it does not show in the process list\n"
"  --mode M             transport (default) or tunnel\n"
"  --encap E            udp (default; RFC 3948) or none (IP protocol 50)\n"
"  --sport N, --dport N UDP ports (default 4500)\n"
"  --esn                64-bit extended sequence numbers\n"
"  --seq N              encrypt: sequence number of the first packet\n"
"                       (default 1); decrypt: highest already received\n"
"                       (default 0)\n"
"  --replay-window N    anti-replay window, 32 to 65536 (default 1024)\n"
"  --tunnel-src ADDR    tunnel mode: outer source address\n"
"  --tunnel-dst ADDR    tunnel mode: outer destination address\n"
"                       (both required to encrypt in tunnel mode)\n"
"  --tfc-pad N          tunnel mode: pad inner packets to N bytes (TFC)\n"
"  --in FILE            capture to read (- for standard input)\n"
"  --out FILE           capture to write (- for standard output)\n"
"\n", f);
	cli_sa_help_ciphers(f);
	fputs(
"\n"
"Exit status: 0 every packet was processed; 1 some were dropped (counts per\n"
"reason on stderr; the others are written); 2 bad usage; 3 a file could not\n"
"be read or written, or no crypto engine works. See tunsec(1).\n", f);
}

/* Set up the SA from checked arguments. */
static int sa_setup(struct esp_args *e, struct esp_sa *sa)
{
	const char *why = NULL;
	int err;

	err = esp_sa_init(sa, &e->sa.cfg, &why);
	if (err == -EINVAL)
		return usage_error(&e->sa, "%s", why ? why : "invalid SA");
	if (err) {
		fprintf(stderr, "tunsec esp: cannot set up the SA: %s\n",
			why ? why : strerror(-err));
		return CLI_EXIT_IO;
	}
	return 0;
}

/* Parse, check and run; the key material is wiped by the caller. */
static int esp_main(struct esp_args *e, int argc, char **argv)
{
	struct cli_sa_args *a = &e->sa;
	struct esp_sa sa;
	int rc;

	rc = cli_sa_parse(a, argc, argv);
	if (rc < 0) {
		help_print(stdout);
		return CLI_EXIT_OK;
	}
	if (!rc)
		rc = cli_sa_check(a);
	if (!rc)
		rc = check_files(e);
	if (!rc)
		rc = sa_setup(e, &sa);
	secure_zero(a->key, sizeof(a->key));
	if (rc)
		return rc;
	cli_sa_warn_null(a);
	rc = cli_esp_capture(&sa, e->encrypt, a->extra_val[EXTRA_IN],
			     a->extra_val[EXTRA_OUT]);
	esp_sa_clear(&sa);
	return rc;
}

/* The word before the options: encrypt or decrypt. 0 or the usage exit
 * status. */
static int direction_check(const struct cli_sa_args *a, int argc,
			   const char *dir)
{
	if (strcmp(dir, "encrypt") == 0 || strcmp(dir, "decrypt") == 0)
		return 0;
	if (argc < 2)
		return usage_error(a, "say encrypt or decrypt");
	if (dir[0] == '-')
		return usage_error(a, "say encrypt or decrypt before the "
				   "options (got '%s')", dir);
	return usage_error(a, "'%s' is not encrypt or decrypt", dir);
}

int cli_esp(int argc, char **argv)
{
	struct esp_args e;
	const char *dir = argc > 1 ? argv[1] : "";
	int rc;

	if (strcmp(dir, "-h") == 0 || strcmp(dir, "--help") == 0) {
		help_print(stdout);
		return CLI_EXIT_OK;
	}
	cli_sa_init(&e.sa, "esp", esp_extra,
		    sizeof(esp_extra) / sizeof(esp_extra[0]));
	rc = direction_check(&e.sa, argc, dir);
	if (rc)
		return rc;
	e.encrypt = strcmp(dir, "encrypt") == 0;
	e.sa.outbound = e.encrypt;
	e.sa.tunnel_addrs = true;
	rc = esp_main(&e, argc - 1, argv + 1);
	cli_sa_wipe(&e.sa);
	return rc;
}
