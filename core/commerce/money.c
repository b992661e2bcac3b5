/*
 * Money lines, tax, invoice numbers and fee ladders (see money.h).
 */
#include <string.h>
#include <time.h>

#include "money.h"
#include "tz.h"

static const char *const line_types[] = { MG_LINE_UNIT,	     MG_LINE_DISCOUNT,	MG_LINE_REDUCTION,
					  MG_LINE_FEE,	     MG_LINE_ADMISSION, MG_LINE_CANCELLATION_FEE,
					  NULL };

bool mg_line_type_valid(const char *type)
{
	for (size_t i = 0; type != NULL && line_types[i] != NULL; i++)
		if (strcmp(type, line_types[i]) == 0)
			return true;
	return false;
}

enum mg_err mg_money_total(const long long *amounts, size_t n, long long *total)
{
	long long sum = 0;
	*total = 0;
	for (size_t i = 0; i < n; i++) {
		if (amounts[i] > MG_LINE_AMOUNT_MAX || amounts[i] < -(long long)MG_LINE_AMOUNT_MAX)
			return MG_ERR_INPUT;
		sum += amounts[i];
	}
	if (sum < 0)
		return MG_ERR_INPUT;
	*total = sum;
	return MG_OK;
}

long long mg_money_reduction(long long base, unsigned percent)
{
	if (base <= 0 || percent == 0)
		return 0;
	if (percent > 100)
		percent = 100;
	return -(base * (long long)percent / 100);
}

long long mg_money_tax_included(long long total)
{
	if (total <= 0)
		return 0;
	return total * MG_TAX_RATE_PERCENT / (100 + MG_TAX_RATE_PERCENT);
}

bool mg_invoice_number_valid(const char *s)
{
	if (s == NULL || strlen(s) != MG_INVOICE_NUMBER_CHARS || s[0] != 'T')
		return false;
	for (size_t i = 1; i < MG_INVOICE_NUMBER_CHARS; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

unsigned mg_fee_percent(const struct mg_fee_rule *rule, int days)
{
	if (rule == NULL || rule->n == 0)
		return 0;
	if (days < 0)
		return 100;
	const struct mg_fee_step *best = NULL;
	for (size_t i = 0; i < rule->n; i++)
		if (days >= rule->steps[i].min_days && (best == NULL || rule->steps[i].min_days > best->min_days))
			best = &rule->steps[i];
	if (best == NULL)
		return 0;
	return best->percent > 100 ? 100 : best->percent;
}

long long mg_fee_amount(long long amount, unsigned percent)
{
	if (amount <= 0)
		return 0;
	return amount * (long long)(percent > 100 ? 100 : percent) / 100;
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian; H. Hinnant's algorithm). */
static long long civil_day(long long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

/* The day number of t's date in zone (UTC's when the zone is unknown). */
static long long local_day(time_t t, const char *zone)
{
	struct tm tm;
	if (zone == NULL || mg_tz_local(zone, t, &tm) != MG_OK)
		gmtime_r(&t, &tm);
	return civil_day(tm.tm_year + 1900LL, (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday);
}

int mg_days_before(time_t now, time_t use_at, const char *zone)
{
	return (int)(local_day(use_at, zone) - local_day(now, zone));
}
