/* SPDX-License-Identifier: MIT */
/*
 * tunsec esp encrypt|decrypt: the command line of the offline capture tool.
 * This file reads and checks the options and sets up the SA;
 * cli/esp_capture.c runs it over the capture.
 *
 * Every usage error prints one line naming the option and what is wrong,
 * then a pointer to --help, and exits CLI_EXIT_USAGE. An option that
 * contradicts another (tunnel addresses in transport mode, ports without UDP
 * encapsulation) is an error; an SA property one direction does not use
 * (the replay window when encrypting) is accepted, so both directions can
 * be given the same SA description.
 *
 * Secrets: the decoded key material (struct esp_args.key) is wiped on every
 * path out of cli_esp(); a key file's text is wiped once decoded; a key
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

#define KEY_BUF_MAX 128   /* more than any cipher's key material */
#define KEY_FILE_MAX 1024 /* a key file longer than this is refused */
#define SEQ32_MAX 0xffffffffULL

enum opt_id {
	OPT_SPI,
	OPT_CIPHER,
	OPT_ICV,
	OPT_KEY,
	OPT_MODE,
	OPT_ENCAP,
	OPT_SPORT,
	OPT_DPORT,
	OPT_ESN,
	OPT_SEQ,
	OPT_WINDOW,
	OPT_TUNNEL_SRC,
	OPT_TUNNEL_DST,
	OPT_TFC_PAD,
	OPT_IN,
	OPT_OUT,
	OPT_COUNT
};

/* getopt_long() returns OPT_BASE + id for the long options. */
#define OPT_BASE 256

static const struct option long_opts[] = {
	{ "spi", required_argument, NULL, OPT_BASE + OPT_SPI },
	{ "cipher", required_argument, NULL, OPT_BASE + OPT_CIPHER },
	{ "icv", required_argument, NULL, OPT_BASE + OPT_ICV },
	{ "key", required_argument, NULL, OPT_BASE + OPT_KEY },
	{ "mode", required_argument, NULL, OPT_BASE + OPT_MODE },
	{ "encap", required_argument, NULL, OPT_BASE + OPT_ENCAP },
	{ "sport", required_argument, NULL, OPT_BASE + OPT_SPORT },
	{ "dport", required_argument, NULL, OPT_BASE + OPT_DPORT },
	{ "esn", no_argument, NULL, OPT_BASE + OPT_ESN },
	{ "seq", required_argument, NULL, OPT_BASE + OPT_SEQ },
	{ "replay-window", required_argument, NULL, OPT_BASE + OPT_WINDOW },
	{ "tunnel-src", required_argument, NULL, OPT_BASE + OPT_TUNNEL_SRC },
	{ "tunnel-dst", required_argument, NULL, OPT_BASE + OPT_TUNNEL_DST },
	{ "tfc-pad", required_argument, NULL, OPT_BASE + OPT_TFC_PAD },
	{ "in", required_argument, NULL, OPT_BASE + OPT_IN },
	{ "out", required_argument, NULL, OPT_BASE + OPT_OUT },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct esp_args {
	bool encrypt;
	bool seen[OPT_COUNT];
	struct esp_sa_config cfg;
	const struct esp_cipher_info *info; /* set once --cipher is read */
	uint64_t icv;
	const char *in, *out;
	uint8_t key[KEY_BUF_MAX]; /* secret: wiped before cli_esp() returns */
	size_t key_len;
};

static const char *opt_name(enum opt_id id)
{
	return long_opts[id].name;
}

/* Print "tunsec esp: MESSAGE" and the pointer to --help; returns the exit
 * status for bad usage. */
__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("tunsec esp: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'tunsec esp --help' for more information.\n", stderr);
	return CLI_EXIT_USAGE;
}

/* Parse a decimal or 0x-prefixed hexadecimal number into *out: no sign, no
 * spaces, nothing after it, no overflow. */
static bool parse_number(const char *s, uint64_t *out)
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

static int opt_number(enum opt_id id, const char *arg, uint64_t min,
		      uint64_t max, uint64_t *out)
{
	if (!parse_number(arg, out) || *out < min || *out > max)
		return usage_error("--%s: '%s' is not a number from %" PRIu64
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

static int opt_cipher(struct esp_args *a, const char *arg)
{
	char names[256];

	if (esp_cipher_from_name(arg, &a->cfg.cipher) != 0) {
		cipher_list(names, sizeof(names));
		return usage_error("--cipher: unknown cipher '%s' (one of: %s)",
				   arg, names);
	}
	a->info = esp_cipher_info(a->cfg.cipher);
	return 0;
}

/* Decode hex key material into a->key. Messages never quote the key. */
static int key_decode(struct esp_args *a, const char *hex)
{
	size_t i, n;
	int len;

	if (hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X'))
		hex += 2;
	n = strlen(hex);
	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)hex[i]))
			return usage_error("--key: character %zu is not a hex "
					   "digit", i + 1);
	if (n % 2)
		return usage_error("--key: odd number of hex digits (%zu)", n);
	len = hex_decode(hex, a->key, sizeof(a->key));
	if (len < 0) {
		secure_zero(a->key, sizeof(a->key));
		return usage_error("--key: %zu bytes is longer than any cipher's "
				   "key material", n / 2);
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

static void key_file_warn(const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_mode & (S_IRWXG | S_IRWXO)))
		fprintf(stderr, "tunsec esp: warning: key file %s is "
				"accessible by group or others\n", path);
}

/* --key @FILE: the hex key material is the file's text, white space around
 * it ignored. */
static int key_read(struct esp_args *a, const char *path)
{
	char text[KEY_FILE_MAX]; /* secret: wiped below */
	ssize_t n = read_small_file(path, text, sizeof(text));
	int rc;

	if (n < 0) {
		secure_zero(text, sizeof(text));
		if (n == -EFBIG)
			return usage_error("--key: key file %s is longer than %d "
					   "bytes", path, KEY_FILE_MAX - 1);
		return usage_error("--key: cannot read key file %s: %s", path,
				   strerror((int)-n));
	}
	key_file_warn(path);
	rc = key_decode(a, trim_space(text, (size_t)n));
	secure_zero(text, sizeof(text));
	return rc;
}

static int opt_key(struct esp_args *a, char *arg)
{
	int rc;

	if (arg[0] == '@')
		return key_read(a, arg + 1);
	rc = key_decode(a, arg);
	secure_zero(arg, strlen(arg));
	return rc;
}

static int opt_addr(enum opt_id id, const char *arg, struct ip_addr *out)
{
	if (addr_parse(arg, out) != 0)
		return usage_error("--%s: '%s' is not an IPv4 or IPv6 address",
				   opt_name(id), arg);
	return 0;
}

static int opt_choice(enum opt_id id, const char *arg, const char *a0,
		      const char *a1, int *out)
{
	if (strcmp(arg, a0) == 0)
		*out = 0;
	else if (strcmp(arg, a1) == 0)
		*out = 1;
	else
		return usage_error("--%s: '%s' is not %s or %s", opt_name(id),
				   arg, a0, a1);
	return 0;
}

static int opt_port(enum opt_id id, const char *arg, uint16_t *out)
{
	uint64_t v = 0;
	int rc = opt_number(id, arg, 1, 65535, &v);

	*out = (uint16_t)v;
	return rc;
}

static int opt_spi(struct esp_args *a, const char *arg)
{
	uint64_t v;

	if (parse_number(arg, &v) && v == 0)
		return usage_error("--spi: 0 is reserved and never sent "
				   "(RFC 4303 §2.1); use 1 to 4294967295");
	if (opt_number(OPT_SPI, arg, 1, SEQ32_MAX, &v))
		return CLI_EXIT_USAGE;
	a->cfg.spi = (uint32_t)v;
	return 0;
}

/* Apply one option; returns 0 or the usage exit status. */
static int opt_apply(struct esp_args *a, enum opt_id id, char *arg)
{
	struct esp_sa_config *cfg = &a->cfg;
	uint64_t v = 0;
	int rc = 0, choice = 0;

	switch (id) {
	case OPT_SPI:
		return opt_spi(a, arg);
	case OPT_CIPHER:
		return opt_cipher(a, arg);
	case OPT_ICV:
		return opt_number(id, arg, 1, 255, &a->icv);
	case OPT_KEY:
		return opt_key(a, arg);
	case OPT_SPORT:
		return opt_port(id, arg, &cfg->sport);
	case OPT_DPORT:
		return opt_port(id, arg, &cfg->dport);
	case OPT_SEQ:
		return opt_number(id, arg, 0, UINT64_MAX, &cfg->seq);
	case OPT_TUNNEL_SRC:
		return opt_addr(id, arg, &cfg->tunnel_src);
	case OPT_TUNNEL_DST:
		return opt_addr(id, arg, &cfg->tunnel_dst);
	case OPT_ESN:
		cfg->esn = true;
		return 0;
	case OPT_IN:
		a->in = arg;
		return 0;
	case OPT_OUT:
		a->out = arg;
		return 0;
	case OPT_MODE:
		rc = opt_choice(id, arg, "transport", "tunnel", &choice);
		cfg->mode = choice ? ESP_MODE_TUNNEL : ESP_MODE_TRANSPORT;
		return rc;
	case OPT_ENCAP:
		rc = opt_choice(id, arg, "udp", "none", &choice);
		cfg->encap = choice ? ESP_ENCAP_NONE : ESP_ENCAP_UDP;
		return rc;
	case OPT_WINDOW:
		rc = opt_number(id, arg, REPLAY_WINDOW_MIN, REPLAY_WINDOW_MAX, &v);
		cfg->replay_window = (uint32_t)v;
		return rc;
	case OPT_TFC_PAD:
		rc = opt_number(id, arg, 0, TFC_PAD_MAX, &v);
		cfg->tfc_pad = (uint16_t)v;
		return rc;
	default:
		abort(); /* args_parse() passes only ids of long_opts */
	}
}

static void args_init(struct esp_args *a)
{
	memset(a, 0, sizeof(*a));
	a->cfg.mode = ESP_MODE_TRANSPORT;
	a->cfg.encap = ESP_ENCAP_UDP;
	a->cfg.sport = ESP_UDP_PORT;
	a->cfg.dport = ESP_UDP_PORT;
	a->cfg.engine = AEAD_ENGINE_AUTO;
}

/* Report what getopt_long() refused: an unknown or ambiguous option, or one
 * without its value. */
static int getopt_error(int ret, char **argv)
{
	const char *arg = argv[optind - 1];

	if (ret == ':' && optopt >= OPT_BASE && optopt < OPT_BASE + OPT_COUNT)
		return usage_error("--%s needs a value",
				   opt_name((enum opt_id)(optopt - OPT_BASE)));
	if (ret == ':')
		return usage_error("%s needs a value", arg);
	if (optopt > 0 && optopt < OPT_BASE)
		return usage_error("unknown option '-%c'", optopt);
	return usage_error("unknown or ambiguous option '%s'", arg);
}

/*
 * Read the options after "encrypt"/"decrypt" (argv[0]). Returns 0, the usage
 * exit status, or -1 when --help was asked for (help already printed).
 */
static int args_parse(struct esp_args *a, int argc, char **argv)
{
	int ret, rc;

	optind = 0; /* full re-initialisation of GNU getopt */
	opterr = 0;
	while ((ret = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
		enum opt_id id = (enum opt_id)(ret - OPT_BASE);

		if (ret == 'h')
			return -1;
		if (ret < OPT_BASE || ret >= OPT_BASE + OPT_COUNT)
			return getopt_error(ret, argv);
		if (a->seen[id])
			return usage_error("--%s given twice", opt_name(id));
		a->seen[id] = true;
		rc = opt_apply(a, id, optarg);
		if (rc)
			return rc;
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	return 0;
}

static int check_required(const struct esp_args *a)
{
	static const enum opt_id required[] = { OPT_SPI, OPT_CIPHER, OPT_IN,
						OPT_OUT };
	size_t i;

	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!a->seen[required[i]])
			return usage_error("missing --%s", opt_name(required[i]));
	if (!a->seen[OPT_KEY] && a->info->key_len + a->info->salt_len > 0)
		return usage_error("missing --key (%s takes %u bytes of key "
				   "material)", a->info->name,
				   a->info->key_len + a->info->salt_len);
	return 0;
}

static int check_key(const struct esp_args *a)
{
	const struct esp_cipher_info *ci = a->info;
	size_t want = (size_t)ci->key_len + ci->salt_len;

	if (a->key_len == want)
		return 0;
	if (want == 0)
		return usage_error("--key: %s takes no key material, got %zu "
				   "bytes", ci->name, a->key_len);
	if (ci->salt_len == 0)
		return usage_error("--key: %s takes %zu bytes of key material "
				   "(%u-byte key), got %zu", ci->name, want,
				   ci->key_len, a->key_len);
	return usage_error("--key: %s takes %zu bytes of key material (%u-byte "
			   "key + %u-byte salt), got %zu", ci->name, want,
			   ci->key_len, ci->salt_len, a->key_len);
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

static int check_icv(struct esp_args *a)
{
	const struct esp_cipher_info *ci = a->info;
	char list[32];

	if (!a->seen[OPT_ICV])
		return 0;
	if (!ci->integrity)
		return usage_error("--icv: %s has no ICV", ci->name);
	if (!esp_cipher_icv_ok(ci, (unsigned)a->icv)) {
		icv_list(ci, list, sizeof(list));
		return usage_error("--icv: %s allows an ICV of %s bytes, not %"
				   PRIu64, ci->name, list, a->icv);
	}
	a->cfg.icv_len = (uint8_t)a->icv;
	return 0;
}

static int check_seq(struct esp_args *a)
{
	uint64_t seq = a->cfg.seq;

	if (a->encrypt && !a->seen[OPT_SEQ])
		a->cfg.seq = seq = 1;
	if (a->encrypt && seq == 0)
		return usage_error("--seq: the first sequence number sent is 1 "
				   "or more (RFC 4303 §3.3.3), got 0");
	if (!a->cfg.esn && seq > SEQ32_MAX)
		return usage_error("--seq: %" PRIu64 " does not fit in 32 bits; "
				   "add --esn for 64-bit sequence numbers", seq);
	return 0;
}

/* Options that only mean something in another mode or encapsulation. */
static int check_contradictions(const struct esp_args *a)
{
	static const enum opt_id tunnel_only[] = { OPT_TUNNEL_SRC,
						   OPT_TUNNEL_DST, OPT_TFC_PAD };
	size_t i;

	if (a->cfg.mode == ESP_MODE_TRANSPORT)
		for (i = 0; i < sizeof(tunnel_only) / sizeof(tunnel_only[0]); i++)
			if (a->seen[tunnel_only[i]])
				return usage_error("--%s: only for --mode tunnel",
						   opt_name(tunnel_only[i]));
	if (a->cfg.encap == ESP_ENCAP_NONE) {
		if (a->seen[OPT_SPORT])
			return usage_error("--sport: only for --encap udp");
		if (a->seen[OPT_DPORT])
			return usage_error("--dport: only for --encap udp");
	}
	return 0;
}

static int check_tunnel(const struct esp_args *a)
{
	bool src = a->seen[OPT_TUNNEL_SRC], dst = a->seen[OPT_TUNNEL_DST];

	if (a->cfg.mode != ESP_MODE_TUNNEL)
		return 0;
	if (a->encrypt && !src && !dst)
		return usage_error("--mode tunnel: encrypt needs --tunnel-src "
				   "and --tunnel-dst");
	if (src != dst)
		return usage_error("--%s needs --%s too",
				   opt_name(src ? OPT_TUNNEL_SRC : OPT_TUNNEL_DST),
				   opt_name(src ? OPT_TUNNEL_DST : OPT_TUNNEL_SRC));
	if (src && a->cfg.tunnel_src.family != a->cfg.tunnel_dst.family)
		return usage_error("--tunnel-src and --tunnel-dst must be of one "
				   "address family (one is IPv4, the other IPv6)");
	return 0;
}

/* --in and --out naming one file would truncate the input before it is
 * read. */
static int check_files(const struct esp_args *a)
{
	struct stat si, so;

	if (strcmp(a->in, "-") == 0 || strcmp(a->out, "-") == 0)
		return 0;
	if (stat(a->in, &si) == 0 && stat(a->out, &so) == 0 &&
	    si.st_dev == so.st_dev && si.st_ino == so.st_ino)
		return usage_error("--out: %s is the same file as --in", a->out);
	return 0;
}

static int args_check(struct esp_args *a)
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
	if (!rc)
		rc = check_files(a);
	return rc;
}

static void help_ciphers(FILE *f)
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
	help_ciphers(f);
	fputs(
"\n"
"Exit status: 0 every packet was processed; 1 some were dropped (counts per\n"
"reason on stderr; the others are written); 2 bad usage; 3 a file could not\n"
"be read or written, or no crypto engine works. See tunsec(1).\n", f);
}

/* Fill in the SA from checked arguments and set it up. */
static int sa_setup(struct esp_args *a, struct esp_sa *sa)
{
	const char *why = NULL;
	int err;

	a->cfg.key = a->key;
	a->cfg.key_len = (uint32_t)a->key_len;
	err = esp_sa_init(sa, &a->cfg, &why);
	if (err == -EINVAL)
		return usage_error("%s", why ? why : "invalid SA");
	if (err) {
		fprintf(stderr, "tunsec esp: cannot set up the SA: %s\n",
			why ? why : strerror(-err));
		return CLI_EXIT_IO;
	}
	return 0;
}

static void warn_null(const struct esp_args *a)
{
	if (a->info->integrity)
		return;
	fprintf(stderr,
		"tunsec esp: WARNING: --cipher %s gives NO confidentiality and "
		"NO integrity: anyone can read and change these packets. Use "
		"it only to measure overhead.\n", a->info->name);
}

/* Parse, check and run; a->key is wiped by the caller. */
static int esp_main(struct esp_args *a, int argc, char **argv)
{
	struct esp_sa sa;
	int rc;

	rc = args_parse(a, argc, argv);
	if (rc < 0) {
		help_print(stdout);
		return CLI_EXIT_OK;
	}
	if (!rc)
		rc = args_check(a);
	if (!rc)
		rc = sa_setup(a, &sa);
	secure_zero(a->key, sizeof(a->key));
	if (rc)
		return rc;
	warn_null(a);
	rc = cli_esp_capture(&sa, a->encrypt, a->in, a->out);
	esp_sa_clear(&sa);
	return rc;
}

int cli_esp(int argc, char **argv)
{
	struct esp_args a;
	const char *dir = argc > 1 ? argv[1] : "";
	int rc;

	if (strcmp(dir, "-h") == 0 || strcmp(dir, "--help") == 0) {
		help_print(stdout);
		return CLI_EXIT_OK;
	}
	args_init(&a);
	if (strcmp(dir, "encrypt") == 0)
		a.encrypt = true;
	else if (argc < 2)
		return usage_error("say encrypt or decrypt");
	else if (dir[0] == '-')
		return usage_error("say encrypt or decrypt before the options "
				   "(got '%s')", dir);
	else if (strcmp(dir, "decrypt") != 0)
		return usage_error("'%s' is not encrypt or decrypt", dir);
	rc = esp_main(&a, argc - 1, argv + 1);
	secure_zero(&a, sizeof(a));
	return rc;
}
