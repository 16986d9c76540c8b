/* SPDX-License-Identifier: MIT */
/*
 * SPI -> SA hash table (see sadb.h).
 *
 * Invariants:
 *  - slots has mask + 1 entries, a power of two >= SADB_MIN_SLOTS; an entry
 *    is empty exactly when its sa is NULL, and a stored spi is never 0.
 *  - count * 2 <= mask + 1: the table is at most half full, so every probe
 *    sequence ends at an empty slot.
 *  - Linear probing without tombstones: every entry sits at its home slot or
 *    after it, with no empty slot between the two (cyclically). Removal keeps
 *    this by shifting later entries of the run back (backward-shift
 *    deletion).
 *
 * SPIs of inbound SAs may be chosen by a peer, so slots are not indexed by
 * the SPI itself: the hash is multiply-add-shift with a random 64-bit
 * multiplier and addend, a universal family, drawn per table from
 * getrandom() and redrawn whenever the table grows. The key lives in a
 * trailer right after the last slot, in the same allocation, so struct sadb
 * stays as declared; it is not secret beyond keeping peers from aiming
 * SPIs at one probe run.
 */
#include "sadb/sadb.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define SADB_MIN_SLOTS 16u
#define SADB_MAX_SLOTS 0x80000000u /* mask must fit in 32 bits */

struct sadb_key {
	uint64_t mul;    /* odd */
	uint64_t add;
	unsigned shift;  /* 64 - log2(slots) */
};

static struct sadb_key *key_of(const struct sadb *db)
{
	return (struct sadb_key *)(void *)(db->slots + db->mask + 1);
}

static uint32_t home_of(const struct sadb_key *k, uint32_t spi)
{
	return (uint32_t)((k->mul * spi + k->add) >> k->shift);
}

/* A fresh key for a table of nslots slots. getrandom() of 16 bytes does not
 * fail on Linux once the pool is ready; should it fail anyway, a growing
 * table keeps its previous multiplier and addend (still unknown to peers),
 * and a new table is refused: callers see -ENOMEM, the one error sadb.h
 * declares. */
static int key_draw(struct sadb_key *k, const struct sadb_key *prev,
		    uint32_t nslots)
{
	uint64_t r[2];
	ssize_t n;

	do
		n = getrandom(r, sizeof(r), 0);
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof(r)) {
		k->mul = r[0] | 1;
		k->add = r[1];
	} else if (prev) {
		k->mul = prev->mul;
		k->add = prev->add;
	} else {
		return -EIO;
	}
	k->shift = 64 - (unsigned)__builtin_ctz(nslots);
	return 0;
}

/* A zeroed table of nslots slots plus the key trailer, or NULL. */
static struct sadb_slot *slots_alloc(uint32_t nslots)
{
	return calloc(1, (size_t)nslots * sizeof(struct sadb_slot) +
			       sizeof(struct sadb_key));
}

/* The slot holding spi, or the empty slot ending its probe run. */
static uint32_t probe(const struct sadb *db, uint32_t spi)
{
	uint32_t i = home_of(key_of(db), spi);

	while (db->slots[i].sa && db->slots[i].spi != spi)
		i = (i + 1) & db->mask;
	return i;
}

/* Place an entry known to be absent; the table has room. */
static void place(struct sadb *db, uint32_t spi, struct esp_sa *sa)
{
	uint32_t i = probe(db, spi);

	db->slots[i].spi = spi;
	db->slots[i].sa = sa;
	db->count++;
}

/* Move every entry into a fresh table of nslots slots under a new key. On
 * failure (-ENOMEM, -EIO) the table is unchanged. */
static int rehash(struct sadb *db, uint32_t nslots)
{
	struct sadb old = *db;
	struct sadb_slot *slots;
	struct sadb_key k;
	uint32_t i;
	int err;

	slots = slots_alloc(nslots);
	if (!slots)
		return -ENOMEM;
	err = key_draw(&k, old.slots ? key_of(&old) : NULL, nslots);
	if (err) {
		free(slots);
		return err;
	}
	db->slots = slots;
	db->mask = nslots - 1;
	db->count = 0;
	*key_of(db) = k;
	for (i = 0; old.slots && i <= old.mask; i++)
		if (old.slots[i].sa)
			place(db, old.slots[i].spi, old.slots[i].sa);
	free(old.slots);
	return 0;
}

/* Make room for one more entry, keeping the load at or below 50%. */
static int reserve(struct sadb *db)
{
	uint64_t nslots = db->slots ? (uint64_t)db->mask + 1 : 0;

	if (nslots && ((uint64_t)db->count + 1) * 2 <= nslots)
		return 0;
	nslots = nslots ? nslots * 2 : SADB_MIN_SLOTS;
	if (nslots > SADB_MAX_SLOTS)
		return -ENOMEM;
	return rehash(db, (uint32_t)nslots);
}

int sadb_init(struct sadb *db)
{
	memset(db, 0, sizeof(*db));
	return rehash(db, SADB_MIN_SLOTS) ? -ENOMEM : 0;
}

void sadb_free(struct sadb *db)
{
	free(db->slots);
	memset(db, 0, sizeof(*db));
}

/* A NULL sa would read as an empty slot: refused with -EINVAL, like SPI 0. */
int sadb_insert(struct sadb *db, uint32_t spi, struct esp_sa *sa)
{
	if (!spi || !sa)
		return -EINVAL;
	if (sadb_lookup_spi(db, spi))
		return -EEXIST;
	if (reserve(db))
		return -ENOMEM;
	place(db, spi, sa);
	return 0;
}

struct esp_sa *sadb_lookup_spi(const struct sadb *db, uint32_t spi)
{
	if (!db->slots || !spi)
		return NULL;
	return db->slots[probe(db, spi)].sa;
}

/* SPI 0 or a NULL sa: NULL with *err = -EINVAL, the table untouched. err may
 * be NULL. */
struct esp_sa *sadb_replace(struct sadb *db, uint32_t spi, struct esp_sa *sa,
			    int *err)
{
	struct esp_sa *old;
	int dummy;

	if (!err)
		err = &dummy;
	*err = 0;
	if (!spi || !sa) {
		*err = -EINVAL;
		return NULL;
	}
	if (db->slots) {
		struct sadb_slot *s = &db->slots[probe(db, spi)];

		if (s->sa) {
			old = s->sa;
			s->sa = sa;
			return old;
		}
	}
	*err = sadb_insert(db, spi, sa);
	return NULL;
}

/* Whether the entry at j, whose home is h, may move back to the hole at i:
 * true unless h lies cyclically in (i, j]. */
static bool may_fill(uint32_t mask, uint32_t h, uint32_t i, uint32_t j)
{
	return ((j - h) & mask) >= ((j - i) & mask);
}

struct esp_sa *sadb_remove(struct sadb *db, uint32_t spi)
{
	const struct sadb_key *k;
	struct esp_sa *sa;
	uint32_t i, j;

	if (!db->slots || !spi)
		return NULL;
	k = key_of(db);
	i = probe(db, spi);
	sa = db->slots[i].sa;
	if (!sa)
		return NULL;
	/* Backward shift: pull later entries of the run into the hole as long
	 * as that does not put them before their home slot. */
	for (j = (i + 1) & db->mask; db->slots[j].sa; j = (j + 1) & db->mask) {
		if (may_fill(db->mask, home_of(k, db->slots[j].spi), i, j)) {
			db->slots[i] = db->slots[j];
			i = j;
		}
	}
	db->slots[i].spi = 0;
	db->slots[i].sa = NULL;
	db->count--;
	return sa;
}
