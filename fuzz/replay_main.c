/* SPDX-License-Identifier: MIT */
/*
 * Replays inputs through a libFuzzer target without libFuzzer, so the
 * committed corpora run under any compiler and sanitizer.
 *
 *   fuzz_X-replay FILE|DIR ...
 *
 * Each regular file named, and each regular file directly inside a directory
 * named (in name order), is passed once to LLVMFuzzerTestOneInput(); "PASS
 * path" is printed after it returns. A target that finds a broken invariant
 * aborts, which ends the run. Exit status: 0, or 1 when an argument could not
 * be read or held no input.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

/* Read the whole file into a buffer of its own size, so a sanitizer sees any
 * read past the input. Returns 0 or -errno. */
static int read_file(const char *path, uint8_t **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0;
	int err = 0;

	if (!f)
		return -errno;
	for (;;) {
		if (n == cap) {
			uint8_t *nb = realloc(buf, cap ? 2 * cap : 4096);

			if (!nb) {
				err = -ENOMEM;
				goto out;
			}
			buf = nb;
			cap = cap ? 2 * cap : 4096;
		}
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
	}
	if (ferror(f))
		err = -EIO;
out:
	fclose(f);
	if (err) {
		free(buf);
		return err;
	}
	*out = malloc(n ? n : 1);
	if (!*out) {
		free(buf);
		return -ENOMEM;
	}
	if (n)
		memcpy(*out, buf, n);
	free(buf);
	*len = n;
	return 0;
}

static int run_file(const char *path)
{
	uint8_t *data = NULL;
	size_t len = 0;
	int err = read_file(path, &data, &len);

	if (err) {
		fprintf(stderr, "%s: %s\n", path, strerror(-err));
		return err;
	}
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	printf("PASS %s\n", path);
	fflush(stdout);
	return 0;
}

static int only_files(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Run every regular file directly inside dir, sorted by name. Returns the
 * number run, or -errno. */
static int run_dir(const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, only_files, alphasort);
	int i, ran = 0, err = 0;

	if (n < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		char path[4096];
		struct stat st;

		if (!err &&
		    snprintf(path, sizeof(path), "%s/%s", dir,
			     names[i]->d_name) < (int)sizeof(path) &&
		    !stat(path, &st) && S_ISREG(st.st_mode)) {
			err = run_file(path);
			ran++;
		}
		free(names[i]);
	}
	free(names);
	return err ? err : ran;
}

static int run_arg(const char *arg)
{
	struct stat st;
	int n;

	if (stat(arg, &st)) {
		fprintf(stderr, "%s: %s\n", arg, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(arg) ? -1 : 0;
	n = run_dir(arg);
	if (n <= 0) {
		fprintf(stderr, "%s: %s\n", arg,
			n ? strerror(-n) : "no input files");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int i, bad = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR ...\n", argv[0]);
		return 2;
	}
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++)
		if (run_arg(argv[i]))
			bad = 1;
	return bad;
}
