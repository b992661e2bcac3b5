/*
 * The venue calendar's arithmetic without a database: slots and closed-day rules (calendar.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "calendar.h"

enum mg_err mg_calendar_slots(time_t from, time_t to, int buffer_minutes, uint32_t *first, uint32_t *last)
{
	if (from < 0 || from >= to || buffer_minutes < 0 || buffer_minutes > 24 * 60)
		return MG_ERR_INPUT;
	long long end = (long long)to + (long long)buffer_minutes * 60;
	if (end - (long long)from > (long long)MG_CALENDAR_MAX_DAYS * 86400)
		return MG_ERR_INPUT;
	long long lo = (long long)from / MG_CALENDAR_SLOT_SECONDS;
	long long hi = (end + MG_CALENDAR_SLOT_SECONDS - 1) / MG_CALENDAR_SLOT_SECONDS - 1;
	if (hi > (long long)UINT32_MAX)
		return MG_ERR_INPUT;
	*first = (uint32_t)lo;
	*last = (uint32_t)hi;
	return MG_OK;
}

static const char *const weekday_names[] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };

static bool valid_month_day(int month, int day)
{
	static const int days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return month >= 1 && month <= 12 && day >= 1 && day <= days[month - 1];
}

enum mg_err mg_closed_rule_parse(const char *text, struct mg_closed_rule *out)
{
	char buf[32];
	if (text == NULL)
		return MG_ERR_INPUT;
	while (isspace((unsigned char)*text))
		text++;
	size_t n = strlen(text);
	while (n > 0 && isspace((unsigned char)text[n - 1]))
		n--;
	if (n == 0 || n >= sizeof(buf))
		return MG_ERR_INPUT;
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)tolower((unsigned char)text[i]);
	buf[n] = '\0';
	memset(out, 0, sizeof(*out));
	if (strcmp(buf, "holidays") == 0) {
		out->kind = MG_CLOSED_HOLIDAYS;
		return MG_OK;
	}
	for (int w = 0; w < 7; w++)
		if (strcmp(buf, weekday_names[w]) == 0) {
			out->kind = MG_CLOSED_WEEKDAY;
			out->weekday = w;
			return MG_OK;
		}
	int a, b, c, d, used = 0;
	if (n == 10 && sscanf(buf, "%4d-%2d-%2d%n", &a, &b, &c, &used) == 3 && used == 10 && isdigit((unsigned char)buf[0]) &&
	    buf[4] == '-' && buf[7] == '-') {
		bool leap = (a % 4 == 0 && a % 100 != 0) || a % 400 == 0;
		if (a < 2000 || a > 2099 || !valid_month_day(b, c) || (b == 2 && c == 29 && !leap))
			return MG_ERR_INPUT;
		out->kind = MG_CLOSED_DATE;
		out->year = a;
		out->month = b;
		out->day = c;
		return MG_OK;
	}
	if (n == 12 && sscanf(buf, "%2d-%2d..%2d-%2d%n", &a, &b, &c, &d, &used) == 4 && used == 12 && buf[2] == '-' &&
	    buf[5] == '.' && buf[9] == '-' && isdigit((unsigned char)buf[0]) && isdigit((unsigned char)buf[7])) {
		if (!valid_month_day(a, b) || !valid_month_day(c, d))
			return MG_ERR_INPUT;
		out->kind = MG_CLOSED_YEARLY;
		out->month = a;
		out->day = b;
		out->to_month = c;
		out->to_day = d;
		return MG_OK;
	}
	return MG_ERR_INPUT;
}

bool mg_closed_rule_matches(const struct mg_closed_rule *rule, int year, int month, int day, int weekday,
			    bool holiday)
{
	switch (rule->kind) {
	case MG_CLOSED_DATE:
		return rule->year == year && rule->month == month && rule->day == day;
	case MG_CLOSED_WEEKDAY:
		return rule->weekday == weekday;
	case MG_CLOSED_HOLIDAYS:
		return holiday;
	case MG_CLOSED_YEARLY: {
		int at = month * 100 + day, lo = rule->month * 100 + rule->day, hi = rule->to_month * 100 + rule->to_day;
		return lo <= hi ? (at >= lo && at <= hi) : (at >= lo || at <= hi);
	}
	}
	return false;
}
