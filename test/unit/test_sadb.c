/* SPDX-License-Identifier: MIT */
/*
 * SPI -> SA table: table-driven cases, growth, and a differential test
 * against a linear array of (spi, sa) pairs.
 */
#include <errno.h>
#include <string.h>

#include "esp/esp.h"
#include "sadb/sadb.h"
#include "test.h"

/* The SAs are only addresses to the table: never initialised or read. */
#define NSAS 64
static struct esp_sa sas[NSAS];

/* Structural checks that hold after any sequence of operations: count is
 * the number of occupied slots, load stays at or below 50%, no slot holds
 * SPI 0, and every stored entry is found by its SPI. */
static void check_table(const struct sadb *db)
{
	uint32_t i, used = 0;

	for (i = 0; i <= db->mask; i++) {
		const struct sadb_slot *s = &db->slots[i];

		if (!s->sa)
			continue;
		used++;
		CHECK(s->spi != 0);
		CHECK(sadb_lookup_spi(db, s->spi) == s->sa);
	}
	CHECK_EQ(used, db->count);
	CHECK((uint64_t)db->count * 2 <= (uint64_t)db->mask + 1);
	CHECK(((db->mask + 1) & db->mask) == 0);
}

enum op_kind { OP_INSERT, OP_LOOKUP, OP_REPLACE, OP_REMOVE };

struct op_case {
	enum op_kind kind;
	uint32_t spi;
	int sa;        /* index into sas, -1 for NULL */
	int want_err;  /* insert's return, or replace's *err */
	int want_sa;   /* SA returned (lookup, replace, remove), -1 for NULL */
	uint32_t want_count;
};

static const struct op_case op_cases[] = {
	{ OP_LOOKUP, 1, -1, 0, -1, 0 },
	{ OP_INSERT, 1, 0, 0, -1, 1 },
	{ OP_INSERT, 1, 1, -EEXIST, -1, 1 },
	{ OP_LOOKUP, 1, -1, 0, 0, 1 },
	{ OP_INSERT, 0, 2, -EINVAL, -1, 1 },
	{ OP_LOOKUP, 0, -1, 0, -1, 1 },
	{ OP_REMOVE, 0, -1, 0, -1, 1 },
	{ OP_INSERT, 5, -1, -EINVAL, -1, 1 },
	{ OP_REPLACE, 1, 3, 0, 0, 1 },
	{ OP_LOOKUP, 1, -1, 0, 3, 1 },
	{ OP_REPLACE, 2, 4, 0, -1, 2 },
	{ OP_LOOKUP, 2, -1, 0, 4, 2 },
	{ OP_REPLACE, 0, 7, -EINVAL, -1, 2 },
	{ OP_REMOVE, 3, -1, 0, -1, 2 },
	{ OP_REMOVE, 1, -1, 0, 3, 1 },
	{ OP_LOOKUP, 1, -1, 0, -1, 1 },
	{ OP_REMOVE, 1, -1, 0, -1, 1 },
	{ OP_LOOKUP, 2, -1, 0, 4, 1 },
	{ OP_INSERT, 1, 5, 0, -1, 2 },
	{ OP_LOOKUP, 1, -1, 0, 5, 2 },
	{ OP_INSERT, 0xffffffff, 6, 0, -1, 3 },
	{ OP_LOOKUP, 0xffffffff, -1, 0, 6, 3 },
	{ OP_LOOKUP, 0xfffffffe, -1, 0, -1, 3 },
	{ OP_INSERT, 0x80000000, 6, 0, -1, 4 },
	{ OP_LOOKUP, 0x80000000, -1, 0, 6, 4 },
	{ OP_REMOVE, 0xffffffff, -1, 0, 6, 3 },
	{ OP_LOOKUP, 0x80000000, -1, 0, 6, 3 },
	{ OP_REMOVE, 2, -1, 0, 4, 2 },
	{ OP_REMOVE, 1, -1, 0, 5, 1 },
	{ OP_REMOVE, 0x80000000, -1, 0, 6, 0 },
	{ OP_LOOKUP, 0x80000000, -1, 0, -1, 0 },
};

static struct esp_sa *sa_at(int i)
{
	return i < 0 ? NULL : &sas[i];
}

static void op_run(struct sadb *db, const struct op_case *c, size_t n)
{
	struct esp_sa *got = NULL;
	int err = 0;

	switch (c->kind) {
	case OP_INSERT:
		err = sadb_insert(db, c->spi, sa_at(c->sa));
		break;
	case OP_LOOKUP:
		got = sadb_lookup_spi(db, c->spi);
		break;
	case OP_REPLACE:
		err = 12345;
		got = sadb_replace(db, c->spi, sa_at(c->sa), &err);
		break;
	case OP_REMOVE:
		got = sadb_remove(db, c->spi);
		break;
	}
	if (err != c->want_err || got != sa_at(c->want_sa) ||
	    db->count != c->want_count)
		test_fail(__FILE__, __LINE__,
			  "case %zu: err %d (want %d), sa %s, count %u (want %u)",
			  n, err, c->want_err,
			  got == sa_at(c->want_sa) ? "ok" : "wrong", db->count,
			  c->want_count);
}

TEST(sadb_cases)
{
	struct sadb db;
	size_t i;

	REQUIRE(sadb_init(&db) == 0);
	for (i = 0; i < sizeof(op_cases) / sizeof(op_cases[0]); i++) {
		op_run(&db, &op_cases[i], i);
		check_table(&db);
	}
	sadb_free(&db);
	CHECK(db.slots == NULL);
	sadb_free(&db);
}

TEST(sadb_zeroed)
{
	struct sadb db;

	memset(&db, 0, sizeof(db));
	CHECK(sadb_lookup_spi(&db, 1) == NULL);
	CHECK(sadb_remove(&db, 1) == NULL);
	sadb_free(&db);
	CHECK(db.slots == NULL);
}

TEST(sadb_replace_null_err)
{
	struct sadb db;

	REQUIRE(sadb_init(&db) == 0);
	CHECK(sadb_replace(&db, 9, &sas[0], NULL) == NULL);
	CHECK(sadb_replace(&db, 9, &sas[1], NULL) == &sas[0]);
	CHECK(sadb_lookup_spi(&db, 9) == &sas[1]);
	sadb_free(&db);
}

/* SPI number i of a growth test: sequential, then spaced by powers of two
 * (which an unmixed hash would pile into a few slots). */
static uint32_t growth_spi(uint32_t i, unsigned pattern)
{
	switch (pattern) {
	case 0:
		return i + 1;
	case 1:
		return (i + 1) << 12;
	default:
		return (i + 1) * 0x10001u ^ 0x80000000u;
	}
}

static void growth_run(unsigned pattern, uint32_t n)
{
	struct sadb db;
	uint32_t i, missing = 0, wrong = 0;

	REQUIRE(sadb_init(&db) == 0);
	for (i = 0; i < n; i++)
		CHECK_EQ(sadb_insert(&db, growth_spi(i, pattern),
				     &sas[i % NSAS]), 0);
	CHECK_EQ(db.count, n);
	check_table(&db);
	/* Remove the odd ones; the even ones must survive the shifting. */
	for (i = 1; i < n; i += 2)
		if (sadb_remove(&db, growth_spi(i, pattern)) != &sas[i % NSAS])
			wrong++;
	for (i = 0; i < n; i++) {
		struct esp_sa *got = sadb_lookup_spi(&db, growth_spi(i, pattern));

		if (i % 2 ? got != NULL : got != &sas[i % NSAS])
			missing++;
	}
	CHECK_EQ(wrong, 0);
	CHECK_EQ(missing, 0);
	CHECK_EQ(db.count, (n + 1) / 2);
	check_table(&db);
	for (i = 0; i < n; i++)
		CHECK_EQ(sadb_insert(&db, growth_spi(i, pattern), &sas[0]),
			 i % 2 ? 0 : -EEXIST);
	CHECK_EQ(db.count, n);
	sadb_free(&db);
}

TEST(sadb_growth)
{
	growth_run(0, 100000);
	growth_run(1, 50000);
	growth_run(2, 50000);
}

/* The reference: an unordered array of (spi, sa) pairs. */
struct ref_pair {
	uint32_t spi;
	struct esp_sa *sa;
};

struct ref_db {
	struct ref_pair p[1024];
	unsigned n;
};

static int ref_find(const struct ref_db *r, uint32_t spi)
{
	unsigned i;

	for (i = 0; i < r->n; i++)
		if (r->p[i].spi == spi)
			return (int)i;
	return -1;
}

static struct esp_sa *ref_lookup(const struct ref_db *r, uint32_t spi)
{
	int i = ref_find(r, spi);

	return i < 0 ? NULL : r->p[i].sa;
}

static int ref_insert(struct ref_db *r, uint32_t spi, struct esp_sa *sa)
{
	if (!spi)
		return -EINVAL;
	if (ref_find(r, spi) >= 0)
		return -EEXIST;
	r->p[r->n].spi = spi;
	r->p[r->n].sa = sa;
	r->n++;
	return 0;
}

static struct esp_sa *ref_remove(struct ref_db *r, uint32_t spi)
{
	int i = ref_find(r, spi);
	struct esp_sa *sa;

	if (i < 0)
		return NULL;
	sa = r->p[i].sa;
	r->p[i] = r->p[--r->n];
	return sa;
}

static struct esp_sa *ref_replace(struct ref_db *r, uint32_t spi,
				  struct esp_sa *sa, int *err)
{
	int i = ref_find(r, spi);
	struct esp_sa *old;

	*err = 0;
	if (!spi) {
		*err = -EINVAL;
		return NULL;
	}
	if (i < 0) {
		*err = ref_insert(r, spi, sa);
		return NULL;
	}
	old = r->p[i].sa;
	r->p[i].sa = sa;
	return old;
}

/* SPIs from a small range (so inserts collide with present SPIs and removed
 * ones come back), sometimes 0, sometimes anywhere. */
static uint32_t random_spi(uint32_t range)
{
	uint64_t r = test_rand();

	if (r % 64 == 0)
		return 0;
	if (r % 64 == 1)
		return (uint32_t)(r >> 32);
	return 1 + (uint32_t)((r >> 16) % range);
}

static unsigned diff_step(struct sadb *db, struct ref_db *ref, uint32_t range)
{
	uint32_t spi = random_spi(range);
	struct esp_sa *sa = &sas[test_rand() % NSAS];
	int err, ref_err;

	switch (test_rand() % 4) {
	case 0:
		if (ref->n >= sizeof(ref->p) / sizeof(ref->p[0]))
			return 0;
		return sadb_insert(db, spi, sa) != ref_insert(ref, spi, sa);
	case 1:
		return sadb_remove(db, spi) != ref_remove(ref, spi);
	case 2:
		if (ref->n >= sizeof(ref->p) / sizeof(ref->p[0]))
			return 0;
		if (sadb_replace(db, spi, sa, &err) !=
		    ref_replace(ref, spi, sa, &ref_err))
			return 1;
		return err != ref_err;
	default:
		return sadb_lookup_spi(db, spi) != ref_lookup(ref, spi);
	}
}

static void diff_run(uint32_t range, unsigned steps)
{
	static struct ref_db ref;
	struct sadb db;
	unsigned i, bad = 0;
	uint32_t spi;

	memset(&ref, 0, sizeof(ref));
	REQUIRE(sadb_init(&db) == 0);
	for (i = 0; i < steps; i++) {
		bad += diff_step(&db, &ref, range);
		if (i % 997 == 0) {
			check_table(&db);
			for (spi = 0; spi <= range + 1; spi++)
				bad += sadb_lookup_spi(&db, spi) !=
				       ref_lookup(&ref, spi);
		}
		if (db.count != ref.n)
			bad++;
	}
	check_table(&db);
	for (i = 0; i < ref.n; i++)
		bad += sadb_lookup_spi(&db, ref.p[i].spi) != ref.p[i].sa;
	CHECK_EQ(bad, 0);
	sadb_free(&db);
}

TEST(sadb_differential)
{
	diff_run(8, 5000);
	diff_run(40, 20000);
	diff_run(300, 20000);
	diff_run(2000, 20000);
}
