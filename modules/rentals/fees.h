/*
 * The rentals module's rules, pure and unit-tested (tests/unit/test_rentals_fees.c): which
 * 利用区分 blocks a booking may take, the fee line by line, the provisional booking's deadline,
 * the cancellation fee through the core's fee ladder, the booking window by status, and the
 * availability mark of a day.
 *
 * Amounts are whole yen; multipliers are percent (営利 ×3.0 is 300) so that nothing is a float.
 * Times are UTC seconds; local dates are computed in the tenant's zone (core/base/tz.h).
 */
#ifndef RENTALS_FEES_H
#define RENTALS_FEES_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "arena.h"
#include "err.h"
#include "money.h"

enum {
	RENTALS_MAX_BLOCKS = 16,      /* blocks of one room in one day */
	RENTALS_MAX_EQUIPMENT = 16,   /* equipment lines of one booking */
	RENTALS_MAX_LINES = RENTALS_MAX_BLOCKS + RENTALS_MAX_EQUIPMENT + 4,
};

/* One 利用区分 of a room: 午前 9:00–12:00 is { "am", "午前", 540, 720, fee }. */
struct rentals_block {
	const char *code;     /* "am", "pm", "night": what the API names */
	const char *label;    /* "午前" */
	int start_minute;     /* after local midnight */
	int end_minute;
	long long fee;        /* the base fee of this block for this room (yen, 税込) */
};

/* Equipment taken by a booking: fee per unit per block. */
struct rentals_equipment_use {
	const char *label;    /* "プロジェクター" */
	unsigned quantity;
	long long fee_per_block;
};

/* What the fee depends on besides the room. */
struct rentals_fee_request {
	const size_t *chosen;          /* indexes into the room's blocks, ascending */
	size_t n_chosen;
	unsigned purpose_percent;      /* 100 一般; 300 営利 */
	unsigned residency_percent;    /* 100 市内; 150 市外 */
	unsigned admission_percent;    /* 100 入場料なし; by tier otherwise (150, 200) */
	bool weekend_or_holiday;       /* Saturday, Sunday or 祝日 */
	unsigned weekend_percent;      /* the facility's surcharge, e.g. 20 */
	unsigned full_day_percent;     /* 全日 discount when every block of the day is taken, e.g. 10 */
	const struct rentals_equipment_use *equipment;
	size_t n_equipment;
	unsigned reduction_percent;    /* 減免 approved by staff: 0, 50 or 100 */
	const char *reduction_reason;  /* shown on the line ("障害者団体の利用") */
};

/* A line of the fee, as the core's money lines are (MG_LINE_* types). */
struct rentals_fee_line {
	const char *type;   /* MG_LINE_UNIT, MG_LINE_FEE, MG_LINE_DISCOUNT, MG_LINE_REDUCTION */
	const char *label;  /* arena */
	long long amount;   /* signed */
};

/* Whether the chosen blocks are valid for a room of n blocks: at least one, ascending, each
 * below n, no gap between them (午後+夜間 yes, 午前+夜間 no). */
bool rentals_blocks_consecutive(const size_t *chosen, size_t n_chosen, size_t n_blocks);

/*
 * The fee of one booking, line by line, into lines (room for RENTALS_MAX_LINES) and *total:
 *   one unit line per block: fee × purpose % × residency % × admission %, rounded down;
 *   the weekend/holiday surcharge on the blocks' sum (a fee line);
 *   the 全日 discount on the blocks' sum when every block of the day is taken (negative);
 *   one line per equipment: quantity × fee × number of blocks;
 *   the 減免 on the room's charge (blocks + surcharge − discount; equipment is not reduced) as
 *   a negative reduction line (mg_money_reduction);
 * *total through mg_money_total (never negative). MG_ERR_INPUT when the blocks are not
 * consecutive, a percent is 0 or a reduction is not 0, 50 or 100.
 */
enum mg_err rentals_fee_compute(struct mg_arena *arena, const struct rentals_block *blocks, size_t n_blocks,
				const struct rentals_fee_request *req, struct rentals_fee_line *lines, size_t *n_lines,
				long long *total);

/*
 * The deadline of a provisional booking (仮予約) made at booked_at for a use starting at
 * use_at: days_after days after booking, and no later than the start of the local day
 * days_before days before the day of use. MG_ERR_INPUT when that is not after booked_at (too
 * late for a provisional booking: it must be made and paid at the counter).
 */
enum mg_err rentals_deadline(const char *zone, time_t booked_at, time_t use_at, int days_after, int days_before,
			     time_t *deadline);

/* Days from now's local date to use_at's local date (the day of use is 0). */
int rentals_days_before(const char *zone, time_t now, time_t use_at);

/*
 * A cancellation at now of a booking for use_at that was paid `paid` yen: the fee by the
 * facility's ladder (the core's mg_fee_percent) and what is refunded.
 */
void rentals_cancellation(const struct mg_fee_rule *rule, const char *zone, time_t now, time_t use_at,
			  long long paid, long long *fee, long long *refund);

/* Whether a booking for the local date of use_at may be made at now by someone whose window
 * is months_ahead months (residents 3, others 1): the day of use is after today and no later
 * than the same day months_ahead months on. */
bool rentals_in_window(const char *zone, time_t now, time_t use_at, int months_ahead);

/* The state of a block for the availability views and the API. */
enum rentals_block_state { RENTALS_FREE, RENTALS_TAKEN, RENTALS_CLOSED };
const char *rentals_block_state_code(enum rentals_block_state s); /* "free", "taken", "closed" */

/* The mark of a day: "○" every block free, "△" some, "×" none, "休" closed; *spoken is the
 * msgid a screen reader reads instead ("空き", "一部空き", "予約済み", "休館"). */
const char *rentals_day_mark(const enum rentals_block_state *states, size_t n, const char **spoken);

#endif
