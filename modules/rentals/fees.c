/*
 * The rentals module's rules (see fees.h): blocks, fees, deadlines, cancellations, windows,
 * marks. No database, no request: everything here is a function of its arguments.
 */
#include <string.h>

#include "fees.h"
#include "tz.h"

bool rentals_blocks_consecutive(const size_t *chosen, size_t n_chosen, size_t n_blocks)
{
	if (n_chosen == 0 || n_chosen > n_blocks || n_blocks > RENTALS_MAX_BLOCKS)
		return false;
	for (size_t i = 0; i < n_chosen; i++) {
		if (chosen[i] >= n_blocks)
			return false;
		if (i > 0 && chosen[i] != chosen[i - 1] + 1)
			return false;
	}
	return true;
}

static bool percent_ok(unsigned p)
{
	return p > 0 && p <= 1000;
}

/* amount × a% × b% × c%, rounded down once (at most ¥100,000,000 × 10³ fits a long long). */
static long long scaled(long long amount, unsigned a, unsigned b, unsigned c)
{
	return amount * (long long)a * (long long)b * (long long)c / 1000000;
}

enum mg_err rentals_fee_compute(struct mg_arena *arena, const struct rentals_block *blocks, size_t n_blocks,
				const struct rentals_fee_request *req, struct rentals_fee_line *lines, size_t *n_lines,
				long long *total)
{
	*n_lines = 0;
	*total = 0;
	if (!rentals_blocks_consecutive(req->chosen, req->n_chosen, n_blocks))
		return MG_ERR_INPUT;
	if (!percent_ok(req->purpose_percent) || !percent_ok(req->residency_percent) ||
	    !percent_ok(req->admission_percent) || req->weekend_percent > 100 || req->full_day_percent > 100)
		return MG_ERR_INPUT;
	if (req->reduction_percent != 0 && req->reduction_percent != 50 && req->reduction_percent != 100)
		return MG_ERR_INPUT;
	if (req->n_equipment > RENTALS_MAX_EQUIPMENT)
		return MG_ERR_INPUT;

	size_t n = 0;
	long long room = 0;
	for (size_t i = 0; i < req->n_chosen; i++) {
		const struct rentals_block *b = &blocks[req->chosen[i]];
		if (b->fee < 0 || b->fee > MG_LINE_AMOUNT_MAX)
			return MG_ERR_INPUT;
		long long amount =
			scaled(b->fee, req->purpose_percent, req->residency_percent, req->admission_percent);
		lines[n++] = (struct rentals_fee_line){
			MG_LINE_UNIT,
			mg_arena_printf(arena, "%s %02d:%02d–%02d:%02d 施設使用料", b->label, b->start_minute / 60,
					b->start_minute % 60, b->end_minute / 60, b->end_minute % 60),
			amount,
		};
		room += amount;
	}
	long long blocks_sum = room;
	if (req->weekend_or_holiday && req->weekend_percent > 0) {
		long long extra = blocks_sum * (long long)req->weekend_percent / 100;
		lines[n++] = (struct rentals_fee_line){
			MG_LINE_FEE, mg_arena_printf(arena, "土日祝加算 %u%%", req->weekend_percent), extra
		};
		room += extra;
	}
	if (req->n_chosen == n_blocks && n_blocks > 1 && req->full_day_percent > 0) {
		long long off = -(blocks_sum * (long long)req->full_day_percent / 100);
		lines[n++] = (struct rentals_fee_line){
			MG_LINE_DISCOUNT, mg_arena_printf(arena, "全日割引 %u%%", req->full_day_percent), off
		};
		room += off;
	}
	for (size_t i = 0; i < req->n_equipment; i++) {
		const struct rentals_equipment_use *e = &req->equipment[i];
		if (e->quantity == 0 || e->fee_per_block < 0 || e->fee_per_block > MG_LINE_AMOUNT_MAX ||
		    e->quantity > 10000)
			return MG_ERR_INPUT;
		lines[n++] = (struct rentals_fee_line){
			MG_LINE_FEE,
			mg_arena_printf(arena, "%s ×%u (%zu区分)", e->label, e->quantity, req->n_chosen),
			e->fee_per_block * (long long)e->quantity * (long long)req->n_chosen,
		};
	}
	if (req->reduction_percent > 0) {
		const char *reason = req->reduction_reason != NULL && req->reduction_reason[0] != '\0'
					     ? req->reduction_reason
					     : NULL;
		lines[n++] = (struct rentals_fee_line){
			MG_LINE_REDUCTION,
			reason != NULL ? mg_arena_printf(arena, "減免 %u%% (%s)", req->reduction_percent, reason)
				       : mg_arena_printf(arena, "減免 %u%%", req->reduction_percent),
			mg_money_reduction(room, req->reduction_percent),
		};
	}
	long long amounts[RENTALS_MAX_LINES];
	for (size_t i = 0; i < n; i++)
		amounts[i] = lines[i].amount;
	enum mg_err e = mg_money_total(amounts, n, total);
	if (e != MG_OK)
		return e;
	*n_lines = n;
	return MG_OK;
}

enum mg_err rentals_deadline(const char *zone, time_t booked_at, time_t use_at, int days_after, int days_before,
			     time_t *deadline)
{
	time_t latest;
	enum mg_err e = mg_tz_day_start(zone, use_at, -days_before, &latest);
	if (e != MG_OK)
		return e;
	time_t d = booked_at + (time_t)days_after * 86400;
	if (latest < d)
		d = latest;
	if (d <= booked_at)
		return MG_ERR_INPUT;
	*deadline = d;
	return MG_OK;
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static long civil_days(int y, int m, int d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static long local_day(const char *zone, time_t t)
{
	struct tm tm;
	if (mg_tz_local(zone, t, &tm) != MG_OK)
		return 0;
	return civil_days(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

int rentals_days_before(const char *zone, time_t now, time_t use_at)
{
	return (int)(local_day(zone, use_at) - local_day(zone, now));
}

void rentals_cancellation(const struct mg_fee_rule *rule, const char *zone, time_t now, time_t use_at,
			  long long paid, long long *fee, long long *refund)
{
	unsigned percent = mg_fee_percent(rule, rentals_days_before(zone, now, use_at));
	*fee = mg_fee_amount(paid, percent);
	*refund = paid - *fee;
}

bool rentals_in_window(const char *zone, time_t now, time_t use_at, int months_ahead)
{
	struct tm today, use;
	if (mg_tz_local(zone, now, &today) != MG_OK || mg_tz_local(zone, use_at, &use) != MG_OK)
		return false;
	long use_day = civil_days(use.tm_year + 1900, use.tm_mon + 1, use.tm_mday);
	long today_day = civil_days(today.tm_year + 1900, today.tm_mon + 1, today.tm_mday);
	if (use_day <= today_day)
		return false;
	int y = today.tm_year + 1900, m = today.tm_mon + 1 + months_ahead, d = today.tm_mday;
	y += (m - 1) / 12;
	m = (m - 1) % 12 + 1;
	static const int month_days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int last = month_days[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
	if (d > last)
		d = last; /* 11月30日 + 3 months: 2月28日 */
	return use_day <= civil_days(y, m, d);
}

const char *rentals_block_state_code(enum rentals_block_state s)
{
	switch (s) {
	case RENTALS_FREE:
		return "free";
	case RENTALS_TAKEN:
		return "taken";
	case RENTALS_CLOSED:
		return "closed";
	}
	return "closed";
}

const char *rentals_day_mark(const enum rentals_block_state *states, size_t n, const char **spoken)
{
	size_t free = 0, closed = 0;
	for (size_t i = 0; i < n; i++) {
		free += states[i] == RENTALS_FREE;
		closed += states[i] == RENTALS_CLOSED;
	}
	if (n == 0 || closed == n) {
		*spoken = "休館";
		return "休";
	}
	if (free == n) {
		*spoken = "空き";
		return "○";
	}
	if (free > 0) {
		*spoken = "一部空き";
		return "△";
	}
	*spoken = "予約済み";
	return "×";
}
