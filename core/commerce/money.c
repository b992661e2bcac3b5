/*
 * Money lines, tax, invoice numbers and fee ladders (see money.h).
 */
#include <string.h>

#include "money.h"

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

/* days since 1970-01-01 of a local date, flooring for instants before the epoch */
static long long local_day(time_t t, long utc_offset)
{
	long long local = (long long)t + utc_offset;
	return local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
}

int mg_days_before(time_t now, time_t use_at, long utc_offset)
{
	return (int)(local_day(use_at, utc_offset) - local_day(now, utc_offset));
}
