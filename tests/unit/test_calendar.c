/*
 * core/commerce/calendar_rules.c: the slots an occupation claims (rounded outward, plus the
 * space's buffer, bounded in length) and the closed-day rules (a date, a yearly range across the
 * new year, a weekday, national holidays). The claims against a database:
 * tests/db/calendar_race.c, run by tests/http/test_calendar.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "calendar.h"

enum { SLOT = MG_CALENDAR_SLOT_SECONDS };

/* 2026-12-18 09:00 UTC (18:00 in Tokyo), on a slot boundary (a multiple of 900 s) */
static const time_t T0 = 1797584400;

static void test_slot_boundaries(void **state)
{
	(void)state;
	uint32_t first, last;
	assert_int_equal(T0 % SLOT, 0);
	/* exactly one slot */
	assert_int_equal(mg_calendar_slots(T0, T0 + SLOT, 0, &first, &last), MG_OK);
	assert_int_equal(first, T0 / SLOT);
	assert_int_equal(last, first);
	/* 18:00–22:00: 16 slots */
	assert_int_equal(mg_calendar_slots(T0, T0 + 4 * 3600, 0, &first, &last), MG_OK);
	assert_int_equal(last - first + 1, 16);
	/* an end on a boundary does not claim the next slot: back-to-back occupations fit */
	uint32_t first2, last2;
	assert_int_equal(mg_calendar_slots(T0 + 4 * 3600, T0 + 5 * 3600, 0, &first2, &last2), MG_OK);
	assert_int_equal(first2, last + 1);
}

static void test_slot_widening(void **state)
{
	(void)state;
	uint32_t first, last;
	/* 18:10–18:20 (JST) straddles 18:15: both slots around it, 18:00–18:30 */
	assert_int_equal(mg_calendar_slots(T0 + 600, T0 + 1200, 0, &first, &last), MG_OK);
	assert_int_equal(first, T0 / SLOT);
	assert_int_equal(last, first + 1); /* 18:10 is in slot 0, 18:20 in slot 1 */
	/* a second past a boundary takes the whole next slot */
	assert_int_equal(mg_calendar_slots(T0, T0 + SLOT + 1, 0, &first, &last), MG_OK);
	assert_int_equal(last - first + 1, 2);
	/* a start a second before a boundary takes the slot before */
	assert_int_equal(mg_calendar_slots(T0 - 1, T0 + SLOT, 0, &first, &last), MG_OK);
	assert_int_equal(first, T0 / SLOT - 1);
}

static void test_slot_buffer(void **state)
{
	(void)state;
	uint32_t first, last;
	/* 18:00–21:00 with a 30-minute buffer claims until 21:30 */
	assert_int_equal(mg_calendar_slots(T0, T0 + 3 * 3600, 30, &first, &last), MG_OK);
	assert_int_equal(last - first + 1, 14);
	/* a 10-minute buffer rounds up to a whole slot */
	assert_int_equal(mg_calendar_slots(T0, T0 + 3 * 3600, 10, &first, &last), MG_OK);
	assert_int_equal(last - first + 1, 13);
	assert_int_equal(mg_calendar_slots(T0, T0 + 3600, -1, &first, &last), MG_ERR_INPUT);
	assert_int_equal(mg_calendar_slots(T0, T0 + 3600, 24 * 60 + 1, &first, &last), MG_ERR_INPUT);
}

static void test_slot_refusals(void **state)
{
	(void)state;
	uint32_t first = 7, last = 7;
	assert_int_equal(mg_calendar_slots(T0, T0, 0, &first, &last), MG_ERR_INPUT);
	assert_int_equal(mg_calendar_slots(T0, T0 - 1, 0, &first, &last), MG_ERR_INPUT);
	assert_int_equal(mg_calendar_slots(-SLOT, T0, 0, &first, &last), MG_ERR_INPUT);
	assert_int_equal(first, 7); /* untouched on refusal */
	/* the longest span: MG_CALENDAR_MAX_DAYS exactly, not a second more (buffer included) */
	time_t most = (time_t)MG_CALENDAR_MAX_DAYS * 86400;
	assert_int_equal(mg_calendar_slots(T0, T0 + most, 0, &first, &last), MG_OK);
	assert_int_equal(last - first + 1, MG_CALENDAR_MAX_DAYS * 96);
	assert_int_equal(mg_calendar_slots(T0, T0 + most + 1, 0, &first, &last), MG_ERR_INPUT);
	assert_int_equal(mg_calendar_slots(T0, T0 + most, 15, &first, &last), MG_ERR_INPUT);
}

struct rule_case {
	const char *text;
	int ok;
	enum mg_closed_kind kind;
};

static void test_rule_parse(void **state)
{
	(void)state;
	static const struct rule_case cases[] = {
		{ "2026-08-15", 1, MG_CLOSED_DATE },   { " 2028-02-29 ", 1, MG_CLOSED_DATE },
		{ "2027-02-29", 0, 0 },                { "2026-13-01", 0, 0 },
		{ "2026-8-15", 0, 0 },                 { "12-29..01-03", 1, MG_CLOSED_YEARLY },
		{ "08-13..08-16", 1, MG_CLOSED_YEARLY }, { "12-32..01-03", 0, 0 },
		{ "12-29..1-3", 0, 0 },                { "mon", 1, MG_CLOSED_WEEKDAY },
		{ "SUN", 1, MG_CLOSED_WEEKDAY },       { "monday", 0, 0 },
		{ "holidays", 1, MG_CLOSED_HOLIDAYS }, { "", 0, 0 },
		{ "12-29..01-03x", 0, 0 },             { "2026-08-15;", 0, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mg_closed_rule rule;
		enum mg_err err = mg_closed_rule_parse(cases[i].text, &rule);
		if (cases[i].ok) {
			assert_int_equal(err, MG_OK);
			assert_int_equal(rule.kind, cases[i].kind);
		} else {
			assert_int_equal(err, MG_ERR_INPUT);
		}
	}
	assert_int_equal(mg_closed_rule_parse(NULL, &(struct mg_closed_rule){ 0 }), MG_ERR_INPUT);
}

static bool closes(const char *text, int y, int m, int d, int weekday, bool holiday)
{
	struct mg_closed_rule rule;
	assert_int_equal(mg_closed_rule_parse(text, &rule), MG_OK);
	return mg_closed_rule_matches(&rule, y, m, d, weekday, holiday);
}

static void test_rule_matches(void **state)
{
	(void)state;
	/* 年末年始 across the new year: 12-29 … 01-03 inclusive */
	assert_true(closes("12-29..01-03", 2026, 12, 29, 2, false));
	assert_true(closes("12-29..01-03", 2026, 12, 31, 4, false));
	assert_true(closes("12-29..01-03", 2027, 1, 1, 5, true));
	assert_true(closes("12-29..01-03", 2027, 1, 3, 0, false));
	assert_false(closes("12-29..01-03", 2027, 1, 4, 1, false));
	assert_false(closes("12-29..01-03", 2026, 12, 28, 1, false));
	/* a range inside one year (お盆) */
	assert_true(closes("08-13..08-16", 2026, 8, 13, 4, false));
	assert_false(closes("08-13..08-16", 2026, 8, 17, 1, false));
	assert_false(closes("08-13..08-16", 2026, 12, 14, 1, false));
	/* every Monday */
	assert_true(closes("mon", 2026, 12, 7, 1, false));
	assert_false(closes("mon", 2026, 12, 8, 2, false));
	/* one date, that year only */
	assert_true(closes("2026-08-15", 2026, 8, 15, 6, false));
	assert_false(closes("2026-08-15", 2027, 8, 15, 0, false));
	/* national holidays: whatever the caller found in the platform's table */
	assert_true(closes("holidays", 2026, 11, 3, 2, true));
	assert_false(closes("holidays", 2026, 11, 4, 3, false));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slot_boundaries), cmocka_unit_test(test_slot_widening),
		cmocka_unit_test(test_slot_buffer),     cmocka_unit_test(test_slot_refusals),
		cmocka_unit_test(test_rule_parse),      cmocka_unit_test(test_rule_matches),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
