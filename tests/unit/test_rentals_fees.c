/* Unit tests for the rentals module's rules (modules/rentals/fees.c): consecutive blocks, the fee
 * line by line (purpose × residency, admission tier, holiday surcharge, 全日, equipment, 減免), the
 * provisional deadline, the cancellation ladder at 31/8/2 days before, booking windows, marks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/base/arena.h"
#include "core/base/tz.h"
#include "modules/rentals/fees.h"

#define TOKYO "Asia/Tokyo"

/* A 会議室: 午前 ¥1,000, 午後 ¥1,500, 夜間 ¥2,000. */
static const struct rentals_block ROOM[] = {
	{ "am", "午前", 9 * 60, 12 * 60, 1000 },
	{ "pm", "午後", 13 * 60, 17 * 60, 1500 },
	{ "night", "夜間", 18 * 60, 22 * 60, 2000 },
};

static struct rentals_fee_request plain(const size_t *chosen, size_t n)
{
	return (struct rentals_fee_request){ .chosen = chosen,
					     .n_chosen = n,
					     .purpose_percent = 100,
					     .residency_percent = 100,
					     .admission_percent = 100,
					     .weekend_percent = 20,
					     .full_day_percent = 10 };
}

static time_t at(const char *local)
{
	time_t t = 0;
	enum mg_tz_fit fit;
	assert_int_equal(mg_tz_parse_local(TOKYO, local, &t, &fit), MG_OK);
	return t;
}

static void consecutive_blocks_only(void **state)
{
	(void)state;
	static const size_t pm_night[] = { 1, 2 }, am_night[] = { 0, 2 }, backwards[] = { 2, 1 }, beyond[] = { 3 };
	assert_true(rentals_blocks_consecutive(pm_night, 2, 3));
	assert_false(rentals_blocks_consecutive(am_night, 2, 3));
	assert_false(rentals_blocks_consecutive(backwards, 2, 3));
	assert_false(rentals_blocks_consecutive(beyond, 1, 3));
	assert_false(rentals_blocks_consecutive(pm_night, 0, 3));
}

static void purpose_times_residency(void **state)
{
	(void)state;
	struct mg_arena *arena = mg_arena_new();
	static const size_t pm[] = { 1 };
	struct rentals_fee_request req = plain(pm, 1);
	struct rentals_fee_line lines[RENTALS_MAX_LINES];
	size_t n;
	long long total;
	assert_int_equal(rentals_fee_compute(arena, ROOM, 3, &req, lines, &n, &total), MG_OK);
	assert_int_equal(n, 1);
	assert_int_equal(total, 1500);
	assert_string_equal(lines[0].type, MG_LINE_UNIT);
	assert_string_equal(lines[0].label, "午後 13:00–17:00 施設使用料");
	/* 営利 ×3.0, 市外 ×1.5: ¥1,500 × 3 × 1.5 = ¥6,750 */
	req.purpose_percent = 300;
	req.residency_percent = 150;
	assert_int_equal(rentals_fee_compute(arena, ROOM, 3, &req, lines, &n, &total), MG_OK);
	assert_int_equal(total, 6750);
	/* rounded down once: ¥1,000 × 1.5 × 1.5 × 1.5 = ¥3,375 */
	static const size_t am[] = { 0 };
	req = plain(am, 1);
	req.purpose_percent = 150;
	req.residency_percent = 150;
	req.admission_percent = 150;
	assert_int_equal(rentals_fee_compute(arena, ROOM, 3, &req, lines, &n, &total), MG_OK);
	assert_int_equal(total, 3375);
	req.purpose_percent = 0;
	assert_int_equal(rentals_fee_compute(arena, ROOM, 3, &req, lines, &n, &total), MG_ERR_INPUT);
	mg_arena_free(arena);
}

static void admission_tier_and_holiday(void **state)
{
	(void)state;
	struct mg_arena *arena = mg_arena_new();
	static const size_t pm_night[] = { 1, 2 };
	struct rentals_fee_request req = plain(pm_night, 2);
	req.admission_percent = 200; /* 入場料 ¥1,001 以上: ×2.0 */
	req.weekend_or_holiday = true;
	struct rentals_fee_line lines[RENTALS_MAX_LINES];
	size_t n;
	long long total;
	assert_int_equal(rentals_fee_compute(arena, ROOM, 3, &req, lines, &n, &total), MG_OK);
	assert_int_equal(n, 3);
	assert_int_equal(lines[0].amount, 3000);
	assert_int_equal(lines[1].amount, 4000);
	assert_string_equal(lines[2].type, MG_LINE_FEE);
	assert_string_equal(lines[2].label, "土日祝加算 20%");
	assert_int_equal(lines[2].amount, 1400);
	assert_int_equal(total, 8400);
	mg_arena_free(arena);
}

static void full_day_discount(void **state)
{
	(void)state;
	struct mg_arena *arena = mg_arena_new();
	static const size_t all[] = { 0, 1, 2 };
	struct rentals_fee_request req = plain(all, 3);
	struct rentals_fee_line lines[RENTALS_MAX_LINES];
	size_t n;
	long long total;
	assert_int_equal(rentals_fee_compute(arena, ROOM, 3, &req, lines, &n, &total), MG_OK);
	assert_int_equal(n, 4);
	assert_string_equal(lines[3].type, MG_LINE_DISCOUNT);
	assert_int_equal(lines[3].amount, -450);
	assert_int_equal(total, 4050);
	mg_arena_free(arena);
}

static void equipment_per_block(void **state)
{
	(void)state;
	struct mg_arena *arena = mg_arena_new();
	static const size_t pm_night[] = { 1, 2 };
	const struct rentals_equipment_use eq[] = { { "プロジェクター", 1, 1000 }, { "椅子", 50, 10 } };
	struct rentals_fee_request req = plain(pm_night, 2);
	req.equipment = eq;
	req.n_equipment = 2;
	struct rentals_fee_line lines[RENTALS_MAX_LINES];
	size_t n;
	long long total;
	assert_int_equal(rentals_fee_compute(arena, ROOM, 3, &req, lines, &n, &total), MG_OK);
	assert_int_equal(n, 4);
	assert_string_equal(lines[2].label, "プロジェクター ×1 (2区分)");
	assert_int_equal(lines[2].amount, 2000);
	assert_int_equal(lines[3].amount, 1000);
	assert_int_equal(total, 3500 + 2000 + 1000);
	mg_arena_free(arena);
}

static void half_reduction_is_a_negative_line(void **state)
{
	(void)state;
	struct mg_arena *arena = mg_arena_new();
	static const size_t pm[] = { 1 };
	const struct rentals_equipment_use eq[] = { { "プロジェクター", 1, 1000 } };
	struct rentals_fee_request req = plain(pm, 1);
	req.equipment = eq;
	req.n_equipment = 1;
	req.weekend_or_holiday = true;
	req.reduction_percent = 50;
	req.reduction_reason = "障害者団体の利用";
	struct rentals_fee_line lines[RENTALS_MAX_LINES];
	size_t n;
	long long total;
	assert_int_equal(rentals_fee_compute(arena, ROOM, 3, &req, lines, &n, &total), MG_OK);
	/* 午後 1,500 + 加算 300 = 1,800 reduced by half: −900; the projector is not reduced */
	assert_int_equal(n, 4);
	assert_string_equal(lines[3].type, MG_LINE_REDUCTION);
	assert_string_equal(lines[3].label, "減免 50% (障害者団体の利用)");
	assert_int_equal(lines[3].amount, -900);
	assert_int_equal(total, 900 + 1000);
	req.reduction_percent = 100;
	assert_int_equal(rentals_fee_compute(arena, ROOM, 3, &req, lines, &n, &total), MG_OK);
	assert_int_equal(total, 1000);
	req.reduction_percent = 30;
	assert_int_equal(rentals_fee_compute(arena, ROOM, 3, &req, lines, &n, &total), MG_ERR_INPUT);
	mg_arena_free(arena);
}

/* The ladder of the demo's facilities: 100 % refund to 30 days before, 50 % to 7, none after. */
static const struct mg_fee_step LADDER[] = { { 30, 0 }, { 7, 50 }, { 0, 100 } };

static void cancellation_ladder_31_8_2(void **state)
{
	(void)state;
	const struct mg_fee_rule rule = { LADDER, 3 };
	time_t use = at("2027-03-20T13:00");
	long long fee, refund;
	rentals_cancellation(&rule, TOKYO, at("2027-02-17T23:30"), use, 6000, &fee, &refund);
	assert_int_equal(rentals_days_before(TOKYO, at("2027-02-17T23:30"), use), 31);
	assert_int_equal(fee, 0);
	assert_int_equal(refund, 6000);
	rentals_cancellation(&rule, TOKYO, at("2027-03-12T09:00"), use, 6000, &fee, &refund);
	assert_int_equal(fee, 3000);
	assert_int_equal(refund, 3000);
	rentals_cancellation(&rule, TOKYO, at("2027-03-18T00:10"), use, 6000, &fee, &refund);
	assert_int_equal(fee, 6000);
	assert_int_equal(refund, 0);
	/* the edges: 30 days still free, 7 days still half */
	rentals_cancellation(&rule, TOKYO, at("2027-02-18T12:00"), use, 6000, &fee, &refund);
	assert_int_equal(fee, 0);
	rentals_cancellation(&rule, TOKYO, at("2027-03-13T12:00"), use, 6000, &fee, &refund);
	assert_int_equal(fee, 3000);
}

static void deadline_seven_days_or_three_before(void **state)
{
	(void)state;
	time_t deadline;
	time_t booked = at("2027-01-10T10:00");
	assert_int_equal(rentals_deadline(TOKYO, booked, at("2027-03-20T13:00"), 7, 3, &deadline), MG_OK);
	assert_int_equal(deadline, at("2027-01-17T10:00"));
	/* use in 5 days: no later than the start of the day 3 days before */
	assert_int_equal(rentals_deadline(TOKYO, booked, at("2027-01-15T13:00"), 7, 3, &deadline), MG_OK);
	assert_int_equal(deadline, at("2027-01-12T00:00"));
	/* use in 2 days: too late for a provisional booking */
	assert_int_equal(rentals_deadline(TOKYO, booked, at("2027-01-12T13:00"), 7, 3, &deadline), MG_ERR_INPUT);
}

static void windows_by_status(void **state)
{
	(void)state;
	time_t now = at("2026-11-30T10:00");
	assert_true(rentals_in_window(TOKYO, now, at("2027-02-28T13:00"), 3));
	assert_false(rentals_in_window(TOKYO, now, at("2027-03-01T09:00"), 3));
	assert_true(rentals_in_window(TOKYO, now, at("2026-12-30T09:00"), 1));
	assert_false(rentals_in_window(TOKYO, now, at("2027-01-01T09:00"), 1));
	assert_false(rentals_in_window(TOKYO, now, at("2026-11-30T18:00"), 3));
}

static void marks_and_what_they_say(void **state)
{
	(void)state;
	const char *spoken;
	const enum rentals_block_state all_free[] = { RENTALS_FREE, RENTALS_FREE, RENTALS_FREE };
	const enum rentals_block_state some[] = { RENTALS_TAKEN, RENTALS_FREE, RENTALS_FREE };
	const enum rentals_block_state none[] = { RENTALS_TAKEN, RENTALS_TAKEN, RENTALS_TAKEN };
	const enum rentals_block_state shut[] = { RENTALS_CLOSED, RENTALS_CLOSED, RENTALS_CLOSED };
	assert_string_equal(rentals_day_mark(all_free, 3, &spoken), "○");
	assert_string_equal(spoken, "空き");
	assert_string_equal(rentals_day_mark(some, 3, &spoken), "△");
	assert_string_equal(spoken, "一部空き");
	assert_string_equal(rentals_day_mark(none, 3, &spoken), "×");
	assert_string_equal(spoken, "予約済み");
	assert_string_equal(rentals_day_mark(shut, 3, &spoken), "休");
	assert_string_equal(spoken, "休館");
	assert_string_equal(rentals_block_state_code(RENTALS_TAKEN), "taken");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(consecutive_blocks_only),
		cmocka_unit_test(purpose_times_residency),
		cmocka_unit_test(admission_tier_and_holiday),
		cmocka_unit_test(full_day_discount),
		cmocka_unit_test(equipment_per_block),
		cmocka_unit_test(half_reduction_is_a_negative_line),
		cmocka_unit_test(cancellation_ladder_31_8_2),
		cmocka_unit_test(deadline_seven_days_or_three_before),
		cmocka_unit_test(windows_by_status),
		cmocka_unit_test(marks_and_what_they_say),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
