/* Unit tests for core/commerce/money.c: signed totals never negative, 減免, the tax a
 * tax-inclusive total contains, invoice registration numbers, fee ladders, days before use. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/commerce/money.h"

static void a_total_may_hold_negative_lines_but_is_never_negative(void **state)
{
	(void)state;
	long long total = -1;
	const long long enrolment[] = { 5500, 1100, -2750 };
	assert_int_equal(mg_money_total(enrolment, 3, &total), MG_OK);
	assert_int_equal(total, 3850);
	const long long too_much_off[] = { 1000, -1500 };
	assert_int_equal(mg_money_total(too_much_off, 2, &total), MG_ERR_INPUT);
	assert_int_equal(total, 0);
	const long long free_of_charge[] = { 1000, -1000 };
	assert_int_equal(mg_money_total(free_of_charge, 2, &total), MG_OK);
	assert_int_equal(total, 0);
	const long long absurd[] = { MG_LINE_AMOUNT_MAX + 1LL };
	assert_int_equal(mg_money_total(absurd, 1, &total), MG_ERR_INPUT);
}

static void a_reduction_takes_off_at_most_its_percent(void **state)
{
	(void)state;
	assert_int_equal(mg_money_reduction(5500, 50), -2750);
	assert_int_equal(mg_money_reduction(2501, 50), -1250);
	assert_int_equal(mg_money_reduction(3000, 100), -3000);
	assert_int_equal(mg_money_reduction(3000, 150), -3000);
	assert_int_equal(mg_money_reduction(3000, 0), 0);
}

static void the_tax_contained_is_rounded_down(void **state)
{
	(void)state;
	assert_int_equal(mg_money_tax_included(5500), 500);
	assert_int_equal(mg_money_tax_included(11000), 1000);
	assert_int_equal(mg_money_tax_included(3850), 350);
	assert_int_equal(mg_money_tax_included(1000), 90); /* 90.9… */
	assert_int_equal(mg_money_tax_included(109), 9);   /* 9.909… */
	assert_int_equal(mg_money_tax_included(0), 0);
}

static void an_invoice_number_is_t_and_13_digits(void **state)
{
	(void)state;
	assert_true(mg_invoice_number_valid("T1234567890123"));
	assert_false(mg_invoice_number_valid("1234567890123"));
	assert_false(mg_invoice_number_valid("T123456789012"));
	assert_false(mg_invoice_number_valid("T12345678901234"));
	assert_false(mg_invoice_number_valid("t1234567890123"));
	assert_false(mg_invoice_number_valid("T12345678901a3"));
	assert_false(mg_invoice_number_valid(""));
	assert_false(mg_invoice_number_valid(NULL));
}

static void a_fee_ladder_by_days_before_use(void **state)
{
	(void)state;
	static const struct mg_fee_step steps[] = { { 1, 20 }, { 8, 0 }, { 0, 100 } }; /* any order */
	const struct mg_fee_rule rule = { steps, 3 };
	assert_int_equal(mg_fee_percent(&rule, 30), 0);
	assert_int_equal(mg_fee_percent(&rule, 8), 0);
	assert_int_equal(mg_fee_percent(&rule, 7), 20);
	assert_int_equal(mg_fee_percent(&rule, 1), 20);
	assert_int_equal(mg_fee_percent(&rule, 0), 100);
	assert_int_equal(mg_fee_percent(&rule, -2), 100);
	assert_int_equal(mg_fee_percent(NULL, 3), 0);
	assert_int_equal(mg_fee_amount(11000, 20), 2200);
	assert_int_equal(mg_fee_amount(999, 20), 199);
}

static void days_before_count_calendar_days_in_the_zone(void **state)
{
	(void)state;
	/* 2026-05-10 00:30 JST is 2026-05-09 15:30 UTC; the day of use 2026-05-15 10:00 JST */
	time_t now = 1778340600, use = 1778806800;
	assert_int_equal(mg_days_before(now, use, "Asia/Tokyo"), 5);
	assert_int_equal(mg_days_before(use, use, "Asia/Tokyo"), 0);
	assert_int_equal(mg_days_before(use + 86400, use, "Asia/Tokyo"), -1);
	/* in UTC the same instants are six days apart by date */
	assert_int_equal(mg_days_before(now, use, "UTC"), 6);
	/* London, across the spring change (2026-03-29 has 23 hours): 28 March 12:00 to 30 March
	 * 12:00 local is two dates apart */
	assert_int_equal(mg_days_before(1774699200, 1774868400, "Europe/London"), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_total_may_hold_negative_lines_but_is_never_negative),
		cmocka_unit_test(a_reduction_takes_off_at_most_its_percent),
		cmocka_unit_test(the_tax_contained_is_rounded_down),
		cmocka_unit_test(an_invoice_number_is_t_and_13_digits),
		cmocka_unit_test(a_fee_ladder_by_days_before_use),
		cmocka_unit_test(days_before_count_calendar_days_in_the_zone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
