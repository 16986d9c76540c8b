/* SPDX-License-Identifier: MIT */
#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static enum log_level max_level = LOG_INFO;
static const char *ident = "tunsec";

static const char *const level_names[] = {
	[LOG_ERR] = "error",
	[LOG_WARN] = "warning",
	[LOG_INFO] = "info",
	[LOG_DEBUG] = "debug",
};

void log_set_level(enum log_level level)
{
	max_level = level;
}

enum log_level log_get_level(void)
{
	return max_level;
}

void log_set_ident(const char *name)
{
	ident = name;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (level > max_level)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One fprintf per line so lines from several threads do not interleave. */
	fprintf(stderr, "%s: %s: %s\n", ident, level_names[level], line);
}

bool log_rate_allow(struct log_rate *r)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	if (now.tv_sec != r->second) {
		if (r->suppressed)
			log_msg(LOG_DEBUG, "%lu similar lines suppressed",
				r->suppressed);
		r->second = now.tv_sec;
		r->lines = 0;
		r->suppressed = 0;
	}
	if (r->lines >= LOG_RATE_BURST) {
		r->suppressed++;
		return false;
	}
	r->lines++;
	return true;
}
