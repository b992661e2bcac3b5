/* Unit tests for the pure draw (core/commerce/lottery_draw.c, docs/lottery.md): a fixed seed
 * gives a fixed result, the order of the input does not matter, bundles are won all together or
 * not at all, every first choice is drawn before any second one, per-entry limits hold. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "lottery.h"

/* Computed by scripts/lottery_recompute.py (Python's hashlib and hmac, not this code) from the
 * document below and the seed 00 01 02 … 1f. */
#define EXPECTED_HASH "62babaee83a86411ff7da4e25050273dd156d7bd026305272f4b5716e752b476"
#define EXPECTED_RESULT "101.0:- 102.0:1 103.0:- 104.0:1 104.1:1 105.0:- "

static void seed_of(unsigned n, unsigned char seed[MG_LOTTERY_SEED_BYTES])
{
	for (unsigned i = 0; i < MG_LOTTERY_SEED_BYTES; i++)
		seed[i] = (unsigned char)(i + n * 7);
}

static struct mg_lottery_entry entry(uint64_t applicant, uint32_t member, uint32_t max_wins, const char *choices)
{
	struct mg_lottery_entry e;
	memset(&e, 0, sizeof(e));
	e.applicant = applicant;
	e.member = member;
	e.max_wins = max_wins;
	assert_int_equal(mg_lottery_choices_parse(choices, &e), MG_OK);
	return e;
}

static char *won_text(struct mg_arena *arena, struct mg_lottery_entry *entries, size_t n)
{
	char *out = mg_arena_strdup(arena, "");
	for (size_t i = 0; i < n; i++) {
		char ranks[40] = "";
		for (unsigned r = 0; r < entries[i].nchoices; r++)
			if (entries[i].won[r])
				snprintf(ranks + strlen(ranks), sizeof(ranks) - strlen(ranks), "%s%u", ranks[0] ? "," : "",
					 r + 1);
		out = mg_arena_printf(arena, "%s%llu.%u:%s ", out, (unsigned long long)entries[i].applicant,
				      entries[i].member, ranks[0] ? ranks : "-");
	}
	return out;
}

/* The reference case of docs/lottery.md. */
static void a_fixed_seed_gives_a_fixed_result(void **state)
{
	(void)state;
	struct mg_arena *arena = mg_arena_new();
	unsigned char seed[MG_LOTTERY_SEED_BYTES];
	seed_of(0, seed);
	struct mg_lottery_item items[] = { { 11, 1 }, { 12, 1 }, { 13, 2 } };
	struct mg_lottery_entry entries[] = {
		entry(101, 0, 1, "11;13"), entry(102, 0, 1, "11,12"), entry(103, 0, 2, "12;13;11"),
		entry(104, 0, 1, "13"),	   entry(104, 1, 1, "13;11"), entry(105, 0, 1, "11"),
	};
	size_t n = sizeof(entries) / sizeof(entries[0]);
	assert_int_equal(mg_lottery_canonicalise(items, 3, entries, n), MG_OK);
	char hash[65];
	mg_lottery_entries_hash(arena, 7, items, 3, entries, n, hash);
	size_t len = 0;
	const char *doc = mg_lottery_document(arena, 7, items, 3, entries, n, &len);
	assert_string_equal(doc, "madoguchi-lottery-v1\ndraw 7\nitem 11 1\nitem 12 1\nitem 13 2\n"
				 "entry 101.0 1 11;13\nentry 102.0 1 11,12\nentry 103.0 2 12;13;11\n"
				 "entry 104.0 1 13\nentry 104.1 1 13;11\nentry 105.0 1 11\n");
	assert_string_equal(hash, EXPECTED_HASH);
	assert_int_equal(mg_lottery_compute(seed, items, 3, entries, n), MG_OK);
	assert_string_equal(won_text(arena, entries, n), EXPECTED_RESULT);
	mg_arena_free(arena);
}

static void the_order_of_the_input_does_not_matter(void **state)
{
	(void)state;
	struct mg_arena *arena = mg_arena_new();
	enum { N = 60 };
	struct mg_lottery_item items[5];
	for (unsigned i = 0; i < 5; i++)
		items[i] = (struct mg_lottery_item){ 20 + i, 1 + i % 3 };
	struct mg_lottery_entry a[N], b[N];
	for (unsigned i = 0; i < N; i++) {
		char choices[40];
		snprintf(choices, sizeof(choices), "%u;%u,%u;%u", 20 + i % 5, 20 + (i + 1) % 5, 20 + (i + 3) % 5,
			 20 + (i + 2) % 5);
		a[i] = entry(1000 + i / 2, i % 2, 1 + i % 2, choices);
	}
	for (unsigned seedno = 0; seedno < 5; seedno++) {
		unsigned char seed[MG_LOTTERY_SEED_BYTES];
		seed_of(seedno, seed);
		memcpy(b, a, sizeof(a));
		/* b: reversed, then rotated, with the bundles' items reversed and the items shuffled */
		for (unsigned i = 0; i < N / 2; i++) {
			struct mg_lottery_entry t = b[i];
			b[i] = b[N - 1 - i];
			b[N - 1 - i] = t;
		}
		for (unsigned i = 0; i < N; i++)
			for (unsigned r = 0; r < b[i].nchoices; r++)
				if (b[i].choices[r].nitems == 2) {
					uint64_t t = b[i].choices[r].items[0];
					b[i].choices[r].items[0] = b[i].choices[r].items[1];
					b[i].choices[r].items[1] = t;
				}
		struct mg_lottery_item items_a[5], items_b[5];
		memcpy(items_a, items, sizeof(items));
		for (unsigned i = 0; i < 5; i++)
			items_b[i] = items[(i + 3) % 5];
		struct mg_lottery_entry ca[N];
		memcpy(ca, a, sizeof(a));
		assert_int_equal(mg_lottery_canonicalise(items_a, 5, ca, N), MG_OK);
		assert_int_equal(mg_lottery_canonicalise(items_b, 5, b, N), MG_OK);
		char ha[65], hb[65];
		mg_lottery_entries_hash(arena, 1, items_a, 5, ca, N, ha);
		mg_lottery_entries_hash(arena, 1, items_b, 5, b, N, hb);
		assert_string_equal(ha, hb);
		assert_int_equal(mg_lottery_compute(seed, items_a, 5, ca, N), MG_OK);
		assert_int_equal(mg_lottery_compute(seed, items_b, 5, b, N), MG_OK);
		assert_string_equal(won_text(arena, ca, N), won_text(arena, b, N));
	}
	mg_arena_free(arena);
}

static void bundles_are_won_all_together_or_not_at_all(void **state)
{
	(void)state;
	/* A=1, B=2, C=3, capacity 1 each. X wants A+B; Y wants B; Z wants C, else A; W wants C. */
	for (unsigned seedno = 0; seedno < 200; seedno++) {
		unsigned char seed[MG_LOTTERY_SEED_BYTES];
		seed_of(seedno, seed);
		struct mg_lottery_item items[] = { { 1, 1 }, { 2, 1 }, { 3, 1 } };
		struct mg_lottery_entry e[] = { entry(1, 0, 1, "1,2"), entry(2, 0, 1, "2"), entry(3, 0, 1, "3;1"),
						entry(4, 0, 1, "3") };
		assert_int_equal(mg_lottery_canonicalise(items, 3, e, 4), MG_OK);
		assert_int_equal(mg_lottery_compute(seed, items, 3, e, 4), MG_OK);
		bool x = e[0].won[0], y = e[1].won[0], z1 = e[2].won[0], z2 = e[2].won[1], w = e[3].won[0];
		assert_true(x != y);  /* B goes to exactly one of them */
		assert_true(z1 != w); /* C too */
		if (x)
			assert_false(z2); /* A went with the bundle */
		else if (!z1)
			assert_true(z2); /* A is not half-taken by a lost bundle: Z gets it */
	}
}

static void every_first_choice_is_drawn_before_any_second(void **state)
{
	(void)state;
	for (unsigned seedno = 0; seedno < 100; seedno++) {
		unsigned char seed[MG_LOTTERY_SEED_BYTES];
		seed_of(seedno, seed);
		/* P: C first, A second (may win two); Q: A first */
		struct mg_lottery_item items[] = { { 1, 1 }, { 3, 1 } };
		struct mg_lottery_entry e[] = { entry(1, 0, 2, "3;1"), entry(2, 0, 1, "1") };
		assert_int_equal(mg_lottery_canonicalise(items, 2, e, 2), MG_OK);
		assert_int_equal(mg_lottery_compute(seed, items, 2, e, 2), MG_OK);
		assert_true(e[0].won[0]);
		assert_false(e[0].won[1]);
		assert_true(e[1].won[0]);
	}
}

static void limits_per_entry_hold(void **state)
{
	(void)state;
	unsigned char seed[MG_LOTTERY_SEED_BYTES];
	seed_of(3, seed);
	struct mg_lottery_item items[] = { { 1, 5 }, { 2, 5 }, { 3, 5 }, { 4, 5 } };
	struct mg_lottery_entry e[] = { entry(1, 0, 1, "1;2;3"), entry(2, 0, 2, "1;2;3"), entry(3, 0, 3, "4;4,1;1") };
	assert_int_equal(mg_lottery_canonicalise(items, 4, e, 3), MG_OK);
	assert_int_equal(mg_lottery_compute(seed, items, 4, e, 3), MG_OK);
	assert_true(e[0].won[0] && !e[0].won[1] && !e[0].won[2]);
	assert_true(e[1].won[0] && e[1].won[1] && !e[1].won[2]);
	/* nothing is won twice by one entry: 4, then not 4+1 again, then 1 */
	assert_true(e[2].won[0] && !e[2].won[1] && e[2].won[2]);
}

static void each_applicant_has_an_even_chance(void **state)
{
	(void)state;
	unsigned first = 0;
	for (unsigned seedno = 0; seedno < 2000; seedno++) {
		unsigned char seed[MG_LOTTERY_SEED_BYTES];
		seed_of(seedno, seed);
		seed[31] ^= (unsigned char)(seedno >> 3);
		struct mg_lottery_item items[] = { { 1, 1 } };
		struct mg_lottery_entry e[] = { entry(1, 0, 1, "1"), entry(2, 0, 1, "1") };
		assert_int_equal(mg_lottery_canonicalise(items, 1, e, 2), MG_OK);
		assert_int_equal(mg_lottery_compute(seed, items, 1, e, 2), MG_OK);
		assert_true(e[0].won[0] != e[1].won[0]);
		first += e[0].won[0];
	}
	assert_in_range(first, 880, 1120);
}

static void bad_input_is_refused(void **state)
{
	(void)state;
	struct mg_lottery_entry e;
	memset(&e, 0, sizeof(e));
	assert_int_equal(mg_lottery_choices_parse("", &e), MG_ERR_INPUT);
	assert_int_equal(mg_lottery_choices_parse("1;;2", &e), MG_ERR_INPUT);
	assert_int_equal(mg_lottery_choices_parse("1,", &e), MG_ERR_INPUT);
	assert_int_equal(mg_lottery_choices_parse("0", &e), MG_ERR_INPUT);
	assert_int_equal(mg_lottery_choices_parse("1;2;3;4;5;6;7;8;9;10;11", &e), MG_ERR_INPUT);
	assert_int_equal(mg_lottery_choices_parse("99999999999999999999999", &e), MG_ERR_INPUT);
	struct mg_lottery_item items[] = { { 1, 1 }, { 2, 1 } };
	struct mg_lottery_entry twice[] = { entry(1, 0, 1, "1"), entry(1, 0, 1, "2") };
	assert_int_equal(mg_lottery_canonicalise(items, 2, twice, 2), MG_ERR_INPUT);
	struct mg_lottery_entry unknown[] = { entry(1, 0, 1, "3") };
	assert_int_equal(mg_lottery_canonicalise(items, 2, unknown, 1), MG_ERR_INPUT);
	struct mg_lottery_entry repeat[] = { entry(1, 0, 1, "2,2") };
	assert_int_equal(mg_lottery_canonicalise(items, 2, repeat, 1), MG_ERR_INPUT);
	struct mg_arena *arena = mg_arena_new();
	struct mg_lottery_entry round = entry(5, 0, 1, "12,3;7");
	assert_string_equal(mg_lottery_choices_text(arena, &round), "12,3;7");
	mg_arena_free(arena);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_fixed_seed_gives_a_fixed_result),
		cmocka_unit_test(the_order_of_the_input_does_not_matter),
		cmocka_unit_test(bundles_are_won_all_together_or_not_at_all),
		cmocka_unit_test(every_first_choice_is_drawn_before_any_second),
		cmocka_unit_test(limits_per_entry_hold),
		cmocka_unit_test(each_applicant_has_an_even_chance),
		cmocka_unit_test(bad_input_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
