/* SPDX-License-Identifier: MIT */
/*
 * Levelled logging to stderr. Never pass key material to these functions:
 * no log line may contain a key, a nonce salt or a decrypted payload.
 */
#ifndef TUNSEC_UTIL_LOG_H
#define TUNSEC_UTIL_LOG_H

#include <stdbool.h>

enum log_level { LOG_ERR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* The most verbose level printed; LOG_INFO unless changed. Not thread-safe to
 * change once workers run. */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

/* Prefix every line with this program name (not copied; must outlive use). */
void log_set_ident(const char *ident);

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_err(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)                                       \
	do {                                                 \
		if (log_get_level() >= LOG_DEBUG)            \
			log_msg(LOG_DEBUG, __VA_ARGS__);     \
	} while (0)

/* A budget of LOG_RATE_BURST lines per second for one call site, so
 * per-packet events (drops) cannot flood the log. Not thread-safe: one per
 * thread or per call site of a single-threaded loop. */
#define LOG_RATE_BURST 10

struct log_rate {
	long second;
	unsigned lines;
	unsigned long suppressed;
};

/* Whether one more line may be logged now; counts the refused ones. */
bool log_rate_allow(struct log_rate *r);

#endif
