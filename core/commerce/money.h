/*
 * Money for every module (pure, unit-tested in tests/unit/test_money.c): signed order lines
 * and their total, the consumption tax a tax-inclusive (税込) price contains, the tenant's
 * invoice registration number (適格請求書発行事業者登録番号), and cancellation fees by a
 * ladder of days before use that a module supplies.
 *
 * Amounts are whole yen. A line may be negative (a discount, a 減免 of −50 %) or extra (入会金,
 * a fee); the total of an order is never negative.
 */
#ifndef MG_MONEY_H
#define MG_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "err.h"

enum {
	MG_TAX_RATE_PERCENT = 10,       /* the standard consumption tax rate (10 %対象) */
	MG_INVOICE_NUMBER_CHARS = 14,   /* "T" + 13 digits */
	MG_FEE_STEPS_MAX = 16,
	MG_LINE_AMOUNT_MAX = 100000000, /* ¥100,000,000: a line beyond it is a typing error */
};

/* What an order line is (order_line.line_type). */
#define MG_LINE_UNIT "unit"                     /* a unit sold (a seat, a block, a place) */
#define MG_LINE_DISCOUNT "discount"             /* negative */
#define MG_LINE_REDUCTION "reduction"           /* 減免, negative */
#define MG_LINE_FEE "fee"                       /* an extra charge */
#define MG_LINE_ADMISSION "admission"           /* 入会金 */
#define MG_LINE_CANCELLATION_FEE "cancellation_fee"

/* Whether type is one of the MG_LINE_* names. */
bool mg_line_type_valid(const char *type);

/*
 * The total of n amounts into *total: MG_ERR_INPUT when it would be negative (an order never
 * is: a discount larger than what it discounts is refused, not clamped) or when one amount is
 * beyond ±MG_LINE_AMOUNT_MAX.
 */
enum mg_err mg_money_total(const long long *amounts, size_t n, long long *total);

/* A reduction of percent (1–100) of base as a negative amount, rounded toward zero (never
 * more than percent off): −floor(base × percent / 100). −50 % of ¥2,501 is −¥1,250. */
long long mg_money_reduction(long long base, unsigned percent);

/* The consumption tax contained in a tax-inclusive total at MG_TAX_RATE_PERCENT, rounded
 * down (切り捨て) once per receipt: floor(total × 10 / 110). ¥5,500 contains ¥500. */
long long mg_money_tax_included(long long total);

/* Whether s is an invoice registration number: "T" followed by 13 ASCII digits. Only the
 * shape is checked (the National Tax Agency's register is the authority on whether it
 * exists). A full-width "Ｔ１２３…" is the caller's to normalise first. */
bool mg_invoice_number_valid(const char *s);

/*
 * A cancellation fee rule, supplied by the module that sold the order: a ladder of steps,
 * each "from min_days days before the day of use, percent of the amount paid". Steps are
 * looked at from the largest min_days down; the first one the cancellation is at or beyond
 * applies. Example (rentals): {8, 0}, {1, 20}, {0, 100}: 8+ days before: free; 7–1 days: 20 %;
 * on the day: 100 %. A cancellation after the day of use (days < 0) pays 100 %.
 */
struct mg_fee_step {
	int min_days;
	unsigned percent;
};
struct mg_fee_rule {
	const struct mg_fee_step *steps;
	size_t n;
};

/* The percent of rule for a cancellation days days before use (0 when no step applies). */
unsigned mg_fee_percent(const struct mg_fee_rule *rule, int days);
/* floor(amount × percent / 100). */
long long mg_fee_amount(long long amount, unsigned percent);
/* Calendar days from now's date to use_at's date, both dates in zone (the tenant's; a day of
 * 23 or 25 hours counts as one): the day of use is 0, the day before 1. An unknown zone counts
 * UTC dates. */
int mg_days_before(time_t now, time_t use_at, const char *zone);

#endif
