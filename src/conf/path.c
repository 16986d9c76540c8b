/* SPDX-License-Identifier: MIT */
/*
 * Files a configuration names: key files ("key = @PATH", "psk = @PATH")
 * and the certificate files of IKE peers ("certificate", "private-key",
 * "ca"). A relative path is relative to the directory of the
 * configuration file (the parser's base_dir). Paths are not secret and
 * errors quote them; the checks here look at a file's type and mode,
 * never at its bytes.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/parse.h"

/* base_dir as an absolute directory: as it is, or below the current one. */
static int dir_absolute(const char *base_dir, char *dir, size_t size)
{
	char cwd[PATH_MAX];
	int n;

	if (base_dir[0] == '/')
		n = snprintf(dir, size, "%s", base_dir);
	else if (!getcwd(cwd, sizeof(cwd)))
		return errno == ERANGE ? -ENAMETOOLONG : -errno;
	else if (!strcmp(base_dir, "."))
		n = snprintf(dir, size, "%s", cwd);
	else
		n = snprintf(dir, size, "%s/%s", cwd, base_dir);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

int conf_path_join(const char *base_dir, const char *rel, bool absolute,
		   char *path, size_t size)
{
	char dir[PATH_MAX];
	const char *sep = "/";
	int n, err;

	if (rel[0] == '/') {
		n = snprintf(path, size, "%s", rel);
	} else {
		if (absolute) {
			err = dir_absolute(base_dir, dir, sizeof(dir));
			if (err)
				return err;
			base_dir = dir;
		}
		if (!strcmp(base_dir, "/"))
			sep = "";
		n = snprintf(path, size, "%s%s%s", base_dir, sep, rel);
	}
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

int conf_file_check(struct conf_parser *p, const char *key, const char *noun,
		    const char *path, const struct stat *st, bool secret)
{
	if (!S_ISREG(st->st_mode))
		return conf_fail(p, p->line, "%s: %s \"%s\" is not a regular "
				 "file", key, noun, path);
	if (secret && (st->st_mode & 077))
		return conf_fail(p, p->line, "%s: %s \"%s\" is readable by "
				 "others (mode %04o; it must be 0600 or "
				 "stricter)", key, noun, path,
				 (unsigned)(st->st_mode & 07777));
	return 0;
}

int conf_path_parse(struct conf_parser *p, const char *key, const char *v,
		    bool secret, char *out)
{
	char path[PATH_MAX], q[CONF_QUOTE_MAX];
	struct stat st;
	int err;

	if (!v[0])
		return conf_fail(p, p->line, "%s: needs a file name", key);
	if (!p->base_dir)
		return conf_fail(p, p->line, "%s: file paths are not allowed "
				 "here", key);
	err = conf_path_join(p->base_dir, v, true, path, sizeof(path));
	if (err == -ENAMETOOLONG || (!err && strlen(path) > CONF_PATH_MAX))
		return conf_fail(p, p->line, "%s: the path of %s is longer "
				 "than %d bytes", key, conf_quote(v, q),
				 CONF_PATH_MAX);
	if (err)
		return conf_fail(p, p->line, "%s: no current directory: %s",
				 key, strerror(-err));
	if (stat(path, &st))
		return conf_fail(p, p->line, "%s: file \"%s\": %s", key, path,
				 strerror(errno));
	err = conf_file_check(p, key, "file", path, &st, secret);
	if (!err)
		memcpy(out, path, strlen(path) + 1);
	return err;
}
