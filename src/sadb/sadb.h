/* SPDX-License-Identifier: MIT */
/*
 * Security association database: SPI -> inbound SA, found in O(1) by an
 * open-addressing hash table (linear probing, backward-shift deletion, grown
 * at 50% load). The table does not own the SAs it indexes.
 *
 * Not thread-safe: the owner serialises writers and readers.
 */
#ifndef TUNSEC_SADB_SADB_H
#define TUNSEC_SADB_SADB_H

#include <stdint.h>

struct esp_sa;

struct sadb_slot {
	uint32_t spi;
	struct esp_sa *sa; /* NULL: empty slot */
};

struct sadb {
	struct sadb_slot *slots;
	uint32_t mask;  /* slots - 1; a power of two */
	uint32_t count;
};

/* 0 or -ENOMEM. */
int sadb_init(struct sadb *db);

/* Free the table (not the SAs). Safe on a zeroed struct. */
void sadb_free(struct sadb *db);

/* Index sa under spi. 0, -EEXIST when spi is present, -EINVAL for SPI 0
 * (reserved, RFC 4303 §2.1), -ENOMEM. */
int sadb_insert(struct sadb *db, uint32_t spi, struct esp_sa *sa);

/* The SA under spi, or NULL. */
struct esp_sa *sadb_lookup_spi(const struct sadb *db, uint32_t spi);

/* Put sa under spi in place of what was there, returning the old SA (or NULL
 * when spi was absent and sa was inserted). -ENOMEM leaves the table as it
 * was and returns NULL with *err set; *err is 0 otherwise. */
struct esp_sa *sadb_replace(struct sadb *db, uint32_t spi, struct esp_sa *sa,
			    int *err);

/* Remove spi and return its SA, or NULL when absent. */
struct esp_sa *sadb_remove(struct sadb *db, uint32_t spi);

#endif
