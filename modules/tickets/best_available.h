/*
 * "Best available" (issue 4, item 4): which seats of a performance to offer a buyer who asks
 * for a quantity instead of pointing at seats. Pure — the seats and their states in, seat
 * numbers out — so it is unit-tested (tests/unit/test_best_available.c); the buying page
 * (web_pick.c) reads the map and the states and holds what this proposes.
 *
 * A block is `quantity` seats side by side in one row (consecutive row_order within a section
 * and row), all free, all of one category. A block is refused when taking it would leave a
 * single free seat between two taken ones (held, sold or blocked — or this block): nobody can
 * buy that seat but a buyer alone. The end of a row is not a taken seat: a free seat at the
 * aisle beside the block is left. Blocks are ranked by the caller's category order (best
 * first), then by the sum of the seats' ranks (tickets_seat.best, lower is better), then by
 * the lowest seat number, so the answer is the same for the same input.
 *
 * When another buyer takes one of the proposed seats first (the hold answers MG_ERR_CONFLICT),
 * the caller marks those seats taken and asks again: that gives the next block that is still
 * good under the same rule (not merely the runner-up of the first answer, which may now leave
 * a lone seat).
 */
#ifndef TICKETS_BEST_AVAILABLE_H
#define TICKETS_BEST_AVAILABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/arena.h"

/* One seat of the map with its state now. */
struct best_seat {
	uint32_t seat_no;
	const char *section, *row; /* the place of the row */
	uint32_t row_order;        /* 1..k left to right in its row */
	uint32_t rank;             /* tickets_seat.best: lower is better */
	const char *category;
	bool free;
};

enum { BEST_QUANTITY_MAX = 50 };

/*
 * The best block of `quantity` (1..BEST_QUANTITY_MAX) seats among seats[0..n) in one of the
 * categories (best first; ncategories > 0), into out[0..quantity) in row order. Returns false
 * (out untouched) when no block fits. Working memory comes from the arena.
 */
bool best_available_block(struct mg_arena *arena, const struct best_seat *seats, size_t n,
			  const char *const *categories, size_t ncategories, unsigned quantity, uint32_t *out);

/* Marks the seats with these numbers not free (a lost race), so the next call skips them. */
void best_available_mark_taken(struct best_seat *seats, size_t n, const uint32_t *taken, size_t ntaken);

#endif
