/* SPDX-License-Identifier: MIT */
/*
 * Entry points of the configuration parser: splitting text into lines,
 * reading the file, error recording, and the model's accessors.
 */
#include "conf/conf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/parse.h"
#include "util/cursor.h"
#include "util/secure.h"

void conf_defaults(struct conf *c)
{
	struct conf_daemon *d = &c->daemon;

	memset(c, 0, sizeof(*c));
	d->port = CONF_DEFAULT_PORT;
	d->mtu = CONF_DEFAULT_MTU;
	snprintf(d->control_socket, sizeof(d->control_socket), "%s",
		 CONF_DEFAULT_SOCKET);
	snprintf(d->tun, sizeof(d->tun), "%s", CONF_DEFAULT_TUN);
	d->log_level = LOG_INFO;
	d->fwmark = CONF_DEFAULT_FWMARK;
	d->table = CONF_DEFAULT_TABLE;
	d->workers = CONF_DEFAULT_WORKERS;
	d->tun_offload = true;
	d->udp_gso = true;
	d->udp_gro = true;
	d->coalesce = true;
}

void conf_free(struct conf *c)
{
	unsigned i;

	for (i = 0; i < c->npeers; i++)
		free(c->peers[i].sel);
	if (c->peers)
		secure_zero(c->peers, c->npeers * sizeof(*c->peers));
	free(c->peers);
	if (c->sas)
		secure_zero(c->sas, c->nsas * sizeof(*c->sas));
	free(c->sas);
	secure_zero(c, sizeof(*c));
}

int conf_fail(struct conf_parser *p, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return -EINVAL;
	p->failed = true;
	p->err->line = line;
	va_start(ap, fmt);
	vsnprintf(p->err->reason, sizeof(p->err->reason), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int conf_fail_nomem(struct conf_parser *p)
{
	conf_fail(p, p->line, "out of memory");
	return -ENOMEM;
}

static void error_init(struct conf_error *err, const char *name)
{
	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof(err->file), "%s", name ? name : "-");
}

const char *conf_error_format(const struct conf_error *err, char *buf,
			      size_t size)
{
	if (err->line)
		snprintf(buf, size, "%s:%u: %s", err->file, err->line,
			 err->reason);
	else
		snprintf(buf, size, "%s: %s", err->file, err->reason);
	return buf;
}

/* Feed text to the parser line by line. A line ends at "\n" or the end of
 * the text; one "\r" before the "\n" belongs to the line ending. A UTF-8
 * byte order mark at the start is skipped. */
static int lines_feed(struct conf_parser *p, const char *text, size_t len)
{
	struct cursor c = cursor_make(text, len);
	static const uint8_t bom[3] = { 0xef, 0xbb, 0xbf };
	int err = 0;

	if (len >= 3 && !memcmp(text, bom, 3))
		cursor_skip(&c, 3);
	while (!err && cursor_left(&c)) {
		const uint8_t *nl = memchr(c.p, '\n', cursor_left(&c));
		size_t n = nl ? (size_t)(nl - c.p) : cursor_left(&c);
		const uint8_t *line;

		if (!cursor_bytes(&c, &line, n))
			abort(); /* n <= cursor_left() by construction */
		if (nl)
			cursor_skip(&c, 1);
		if (n && line[n - 1] == '\r')
			n--;
		p->line++;
		err = conf_line_feed(p, (const char *)line, n);
	}
	return err;
}

int conf_parse_text(const char *name, const char *text, size_t len,
		    const char *base_dir, struct conf *out,
		    struct conf_error *err)
{
	struct conf_parser p = { .c = out, .err = err, .base_dir = base_dir };
	int rc;

	error_init(err, name);
	conf_defaults(out);
	if (len > CONF_FILE_MAX)
		rc = conf_fail(&p, 0, "file is larger than %u bytes",
			       CONF_FILE_MAX);
	else
		rc = lines_feed(&p, text, len);
	if (!rc)
		rc = conf_check_file(&p);
	if (rc)
		conf_free(out);
	return rc;
}

static int read_all(int fd, char *buf, size_t cap, size_t *len)
{
	size_t n = 0;

	while (n < cap) {
		ssize_t r = read(fd, buf + n, cap - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*len = n;
	return 0;
}

static int load_fail(struct conf_error *err, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int load_fail(struct conf_error *err, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->reason, sizeof(err->reason), fmt, ap);
	va_end(ap);
	return rc;
}

static int file_check(int fd, mode_t *mode, struct conf_error *err)
{
	struct stat st;

	if (fstat(fd, &st))
		return load_fail(err, -errno, "cannot open: %m");
	if (!S_ISREG(st.st_mode))
		return load_fail(err, -EINVAL, "not a regular file");
	if (st.st_size > (off_t)CONF_FILE_MAX)
		return load_fail(err, -EINVAL, "file is larger than %u bytes",
				 CONF_FILE_MAX);
	*mode = st.st_mode;
	return 0;
}

/* Read a whole regular file of at most CONF_FILE_MAX bytes into a new
 * buffer (the caller wipes and frees it). Fills err on failure. */
static int file_load(const char *path, char **text, size_t *len,
		     mode_t *mode, struct conf_error *err)
{
	char *buf = NULL;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return load_fail(err, -errno, "cannot open: %m");
	rc = file_check(fd, mode, err);
	/* One byte more than allowed, to see a file that grew meanwhile. */
	if (!rc && !(buf = malloc(CONF_FILE_MAX + 1)))
		rc = load_fail(err, -ENOMEM, "out of memory");
	if (!rc)
		rc = read_all(fd, buf, CONF_FILE_MAX + 1, len);
	if (rc < 0 && buf)
		load_fail(err, rc, "cannot read: %s", strerror(-rc));
	close(fd);
	if (rc && buf) {
		secure_zero(buf, CONF_FILE_MAX + 1);
		free(buf);
		buf = NULL;
	}
	*text = buf;
	return rc;
}

/* The directory part of path ("." when it has none). */
static int dir_of(const char *path, char *dir, size_t size)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (!slash)
		return snprintf(dir, size, ".") < (int)size ? 0 : -ENAMETOOLONG;
	n = (size_t)(slash - path);
	if (n == 0)
		n = 1; /* "/file": the root */
	if (n >= size)
		return -ENAMETOOLONG;
	memcpy(dir, path, n);
	dir[n] = '\0';
	return 0;
}

static bool any_inline_key(const struct conf *c)
{
	unsigned i;

	for (i = 0; i < c->nsas; i++)
		if (c->sas[i].key_inline && c->sas[i].key_len)
			return true;
	for (i = 0; i < c->npeers; i++)
		if (c->peers[i].ike.psk_inline && c->peers[i].ike.psk_len)
			return true;
	return false;
}

int conf_parse_file(const char *path, struct conf *out,
		    struct conf_error *err)
{
	char dir[PATH_MAX];
	char *text = NULL;
	size_t len = 0;
	mode_t mode = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	error_init(err, path);
	if (dir_of(path, dir, sizeof(dir))) {
		snprintf(err->reason, sizeof(err->reason), "path too long");
		return -ENAMETOOLONG;
	}
	rc = file_load(path, &text, &len, &mode, err);
	if (rc)
		return rc;
	rc = conf_parse_text(path, text, len, dir, out, err);
	if (!rc)
		out->inline_keys_exposed = (mode & 077) && any_inline_key(out);
	secure_zero(text, len);
	free(text);
	return rc;
}

const struct conf_peer *conf_find_peer(const struct conf *c, const char *name)
{
	unsigned i;

	for (i = 0; i < c->npeers; i++)
		if (!strcmp(c->peers[i].name, name))
			return &c->peers[i];
	return NULL;
}

int conf_sa_config(const struct conf *c, const struct conf_sa *sa,
		   struct esp_sa_config *out)
{
	const struct conf_peer *peer;

	memset(out, 0, sizeof(*out));
	if (sa->peer >= c->npeers)
		return -EINVAL;
	peer = &c->peers[sa->peer];
	out->spi = sa->spi;
	out->cipher = sa->cipher;
	out->icv_len = sa->icv;
	out->key = sa->key;
	out->key_len = sa->key_len;
	out->mode = peer->mode;
	out->encap = ESP_ENCAP_UDP;
	out->esn = sa->esn;
	out->engine = AEAD_ENGINE_AUTO;
	if (sa->inbound) {
		out->sport = peer->port;
		out->dport = c->daemon.port;
		out->seq = 0;
		out->replay_window = sa->replay_window;
	} else {
		out->sport = c->daemon.port;
		out->dport = peer->port;
		out->seq = 1;
		out->tfc_pad = sa->tfc_pad;
	}
	if (peer->mode == ESP_MODE_TUNNEL) {
		out->tunnel_src = sa->inbound ? peer->addr : c->daemon.local;
		out->tunnel_dst = sa->inbound ? c->daemon.local : peer->addr;
	}
	return 0;
}
