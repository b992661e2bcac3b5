/* Unit tests for "best available" (modules/tickets/best_available.c): side-by-side seats of the
 * best category in one row, never a lone seat left between taken ones, the next block after a
 * lost race. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/base/arena.h"
#include "modules/tickets/best_available.h"

/* A row of `n` seats numbered from `first`, ranked by seat number; state is a string with one
 * character per seat: '.' free, 'x' taken. */
static void row(struct best_seat *out, const char *section, const char *row_name, uint32_t first, const char *state,
		const char *category)
{
	for (size_t i = 0; state[i] != '\0'; i++)
		out[i] = (struct best_seat){ first + (uint32_t)i, section, row_name, (uint32_t)i + 1, first + (uint32_t)i,
					     category, state[i] == '.' };
}

static const char *const S[] = { "S" };
static const char *const S_THEN_A[] = { "S", "A" };

static void takes_the_best_ranked_seats_side_by_side(void **state)
{
	(void)state;
	struct mg_arena *arena = mg_arena_new();
	struct best_seat seats[10];
	row(seats, "1階", "A", 1, "..........", "S");
	uint32_t out[3] = { 0 };
	assert_true(best_available_block(arena, seats, 10, S, 1, 3, out));
	assert_int_equal(out[0], 1);
	assert_int_equal(out[1], 2);
	assert_int_equal(out[2], 3);
	mg_arena_free(arena);
}

static void never_leaves_a_single_seat_between_taken_ones(void **state)
{
	(void)state;
	struct mg_arena *arena = mg_arena_new();
	struct best_seat seats[10];
	/* seat 4 is sold: 1-2 would leave seat 3 alone between the block and seat 4 */
	row(seats, "1階", "A", 1, "...x......", "S");
	uint32_t out[2] = { 0 };
	assert_true(best_available_block(arena, seats, 10, S, 1, 2, out));
	assert_int_equal(out[0], 2);
	assert_int_equal(out[1], 3);
	/* seats 1 and 5 sold: 2-3 would leave 4 alone, 3-4 would leave 2 alone; 2-3-4 fills the gap
	 * when three are asked, and two go after seat 5 */
	row(seats, "1階", "A", 1, "x...x.....", "S");
	assert_true(best_available_block(arena, seats, 10, S, 1, 2, out));
	assert_int_equal(out[0], 6);
	assert_int_equal(out[1], 7);
	uint32_t three[3] = { 0 };
	assert_true(best_available_block(arena, seats, 10, S, 1, 3, three));
	assert_int_equal(three[0], 2);
	assert_int_equal(three[2], 4);
	mg_arena_free(arena);
}

static void a_seat_at_the_end_of_a_row_is_not_between_taken_ones(void **state)
{
	(void)state;
	struct mg_arena *arena = mg_arena_new();
	struct best_seat seats[4];
	row(seats, "1階", "A", 1, "...x", "S");
	uint32_t out[2] = { 0 };
	/* 1-2 leaves 3 between the block and 4: refused; 2-3 leaves seat 1 by the aisle: allowed */
	assert_true(best_available_block(arena, seats, 4, S, 1, 2, out));
	assert_int_equal(out[0], 2);
	assert_int_equal(out[1], 3);
	mg_arena_free(arena);
}

static void a_block_stays_in_one_row_and_skips_aisles(void **state)
{
	(void)state;
	struct mg_arena *arena = mg_arena_new();
	struct best_seat seats[8];
	row(seats, "1階", "A", 1, "..", "S");         /* seats 1-2: a short row */
	row(seats + 2, "1階", "B", 3, "......", "S"); /* seats 3-8 */
	uint32_t out[3] = { 0 };
	assert_true(best_available_block(arena, seats, 8, S, 1, 3, out));
	assert_int_equal(out[0], 3); /* not 1, 2, 3 across two rows */
	/* a gap in row_order (an aisle) splits a row */
	seats[4].row_order = 10, seats[5].row_order = 11, seats[6].row_order = 12, seats[7].row_order = 13;
	assert_true(best_available_block(arena, seats, 8, S, 1, 3, out));
	assert_int_equal(out[0], 5);
	assert_int_equal(out[2], 7);
	mg_arena_free(arena);
}

static void the_best_category_comes_first_and_blocks_do_not_mix_categories(void **state)
{
	(void)state;
	struct mg_arena *arena = mg_arena_new();
	struct best_seat seats[8];
	row(seats, "1階", "A", 1, "....", "A"); /* better ranks, lesser category */
	row(seats + 4, "1階", "B", 5, "....", "S");
	uint32_t out[2] = { 0 };
	assert_true(best_available_block(arena, seats, 8, S_THEN_A, 2, 2, out));
	assert_int_equal(out[0], 5);
	/* S full: A's seats are next */
	row(seats + 4, "1階", "B", 5, "xxxx", "S");
	assert_true(best_available_block(arena, seats, 8, S_THEN_A, 2, 2, out));
	assert_int_equal(out[0], 1);
	/* only S asked for: none */
	assert_false(best_available_block(arena, seats, 8, S, 1, 2, out));
	/* a row half S half A gives no mixed block */
	row(seats, "1階", "A", 1, "..", "S");
	row(seats + 2, "1階", "A", 3, "..", "A");
	seats[2].row_order = 3, seats[3].row_order = 4;
	assert_false(best_available_block(arena, seats, 4, S, 1, 3, out));
	mg_arena_free(arena);
}

static void after_a_lost_race_the_next_good_block_is_offered(void **state)
{
	(void)state;
	struct mg_arena *arena = mg_arena_new();
	struct best_seat seats[10];
	row(seats, "1階", "A", 1, "..........", "S");
	uint32_t out[2] = { 0 };
	assert_true(best_available_block(arena, seats, 10, S, 1, 2, out));
	assert_int_equal(out[0], 1);
	/* someone took seat 2 first: the caller marks it taken and asks again; 3-4 is next (seat 1
	 * stays free by the aisle, as the other buyer left it) */
	uint32_t lost[] = { 2 };
	best_available_mark_taken(seats, 10, lost, 1);
	assert_false(seats[1].free);
	assert_true(best_available_block(arena, seats, 10, S, 1, 2, out));
	assert_int_equal(out[0], 3);
	assert_int_equal(out[1], 4);
	/* lost again on seat 3: 4-5 */
	uint32_t lost_again[] = { 3 };
	best_available_mark_taken(seats, 10, lost_again, 1);
	assert_true(best_available_block(arena, seats, 10, S, 1, 2, out));
	assert_int_equal(out[0], 4);
	mg_arena_free(arena);
}

static void no_block_when_nothing_fits(void **state)
{
	(void)state;
	struct mg_arena *arena = mg_arena_new();
	struct best_seat seats[5];
	row(seats, "1階", "A", 1, ".x.x.", "S");
	uint32_t out[2] = { 7, 7 };
	assert_false(best_available_block(arena, seats, 5, S, 1, 2, out));
	assert_int_equal(out[0], 7); /* untouched */
	assert_false(best_available_block(arena, seats, 5, S, 1, 0, out));
	assert_false(best_available_block(arena, seats, 5, S, 1, BEST_QUANTITY_MAX + 1, out));
	assert_false(best_available_block(arena, seats, 0, S, 1, 1, out));
	/* one seat: any free one, the best ranked */
	assert_true(best_available_block(arena, seats, 5, S, 1, 1, out));
	assert_int_equal(out[0], 1);
	mg_arena_free(arena);
}

static void the_order_of_the_input_does_not_change_the_answer(void **state)
{
	(void)state;
	struct mg_arena *arena = mg_arena_new();
	struct best_seat seats[6], reversed[6];
	row(seats, "2階", "C", 1, "......", "S");
	for (int i = 0; i < 6; i++)
		reversed[i] = seats[5 - i];
	uint32_t a[2], b[2];
	assert_true(best_available_block(arena, seats, 6, S, 1, 2, a));
	assert_true(best_available_block(arena, reversed, 6, S, 1, 2, b));
	assert_memory_equal(a, b, sizeof(a));
	mg_arena_free(arena);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(takes_the_best_ranked_seats_side_by_side),
		cmocka_unit_test(never_leaves_a_single_seat_between_taken_ones),
		cmocka_unit_test(a_seat_at_the_end_of_a_row_is_not_between_taken_ones),
		cmocka_unit_test(a_block_stays_in_one_row_and_skips_aisles),
		cmocka_unit_test(the_best_category_comes_first_and_blocks_do_not_mix_categories),
		cmocka_unit_test(after_a_lost_race_the_next_good_block_is_offered),
		cmocka_unit_test(no_block_when_nothing_fits),
		cmocka_unit_test(the_order_of_the_input_does_not_change_the_answer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
