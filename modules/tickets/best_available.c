/*
 * "Best available": the best block of side-by-side free seats that leaves no lone seat (see
 * best_available.h). Pure: no database, no request.
 */
#include <stdlib.h>
#include <string.h>

#include "best_available.h"

/* Seats in the order people sit: section, row, then left to right. */
static int by_place(const void *a, const void *b)
{
	const struct best_seat *x = *(const struct best_seat *const *)a, *y = *(const struct best_seat *const *)b;
	int c = strcmp(x->section, y->section);
	if (c == 0)
		c = strcmp(x->row, y->row);
	if (c != 0)
		return c;
	return x->row_order < y->row_order ? -1 : x->row_order > y->row_order;
}

static bool same_row(const struct best_seat *a, const struct best_seat *b)
{
	return strcmp(a->section, b->section) == 0 && strcmp(a->row, b->row) == 0;
}

/* b sits right beside a, on its right. */
static bool beside(const struct best_seat *a, const struct best_seat *b)
{
	return same_row(a, b) && b->row_order == a->row_order + 1;
}

static int category_index(const char *category, const char *const *categories, size_t ncategories)
{
	for (size_t i = 0; i < ncategories; i++)
		if (strcmp(categories[i], category) == 0)
			return (int)i;
	return -1;
}

/*
 * Whether the neighbour on one side of a block would be left alone: it is free, and the seat
 * beyond it (on the same side, right beside it) is taken. near/far are NULL where the row
 * ends (or where it has a gap in row_order: an aisle).
 */
static bool leaves_lone_seat(const struct best_seat *near, const struct best_seat *far)
{
	return near != NULL && near->free && far != NULL && !far->free;
}

struct block {
	size_t first; /* index in the sorted list */
	int category;
	uint64_t rank_sum;
	uint32_t lowest_no;
};

static bool better(const struct block *a, const struct block *b)
{
	if (a->category != b->category)
		return a->category < b->category;
	if (a->rank_sum != b->rank_sum)
		return a->rank_sum < b->rank_sum;
	return a->lowest_no < b->lowest_no;
}

/* The block of q seats starting at sorted[i], if it is one: side by side, free, one category
 * of the list, and leaving no lone seat on either side. */
static bool block_at(struct best_seat *const *sorted, size_t n, size_t i, unsigned q, const char *const *categories,
		     size_t ncategories, struct block *out)
{
	if (i + q > n)
		return false;
	int category = category_index(sorted[i]->category, categories, ncategories);
	if (category < 0)
		return false;
	uint64_t rank_sum = 0;
	uint32_t lowest = UINT32_MAX;
	for (size_t k = i; k < i + q; k++) {
		const struct best_seat *s = sorted[k];
		if (!s->free || strcmp(s->category, sorted[i]->category) != 0 || (k > i && !beside(sorted[k - 1], s)))
			return false;
		rank_sum += s->rank;
		lowest = s->seat_no < lowest ? s->seat_no : lowest;
	}
	const struct best_seat *left = i >= 1 && beside(sorted[i - 1], sorted[i]) ? sorted[i - 1] : NULL;
	const struct best_seat *far_left = left != NULL && i >= 2 && beside(sorted[i - 2], left) ? sorted[i - 2] : NULL;
	size_t last = i + q - 1;
	const struct best_seat *right = last + 1 < n && beside(sorted[last], sorted[last + 1]) ? sorted[last + 1] : NULL;
	const struct best_seat *far_right =
		right != NULL && last + 2 < n && beside(right, sorted[last + 2]) ? sorted[last + 2] : NULL;
	if (leaves_lone_seat(left, far_left) || leaves_lone_seat(right, far_right))
		return false;
	*out = (struct block){ i, category, rank_sum, lowest };
	return true;
}

bool best_available_block(struct mg_arena *arena, const struct best_seat *seats, size_t n,
			  const char *const *categories, size_t ncategories, unsigned quantity, uint32_t *out)
{
	if (quantity == 0 || quantity > BEST_QUANTITY_MAX || n == 0 || ncategories == 0 || quantity > n)
		return false;
	struct best_seat **sorted = mg_arena_alloc(arena, n * sizeof(*sorted));
	for (size_t i = 0; i < n; i++)
		sorted[i] = (struct best_seat *)&seats[i];
	qsort(sorted, n, sizeof(*sorted), by_place);
	struct block best = { 0 }, candidate;
	bool found = false;
	for (size_t i = 0; i < n; i++)
		if (block_at(sorted, n, i, quantity, categories, ncategories, &candidate) &&
		    (!found || better(&candidate, &best))) {
			best = candidate;
			found = true;
		}
	if (!found)
		return false;
	for (unsigned k = 0; k < quantity; k++)
		out[k] = sorted[best.first + k]->seat_no;
	return true;
}

void best_available_mark_taken(struct best_seat *seats, size_t n, const uint32_t *taken, size_t ntaken)
{
	for (size_t i = 0; i < n; i++)
		for (size_t t = 0; t < ntaken; t++)
			if (seats[i].seat_no == taken[t])
				seats[i].free = false;
}
