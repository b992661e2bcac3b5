/*
 * The catalogue's text helpers that need no database (unit-tested in
 * tests/unit/test_tickets_catalog.c): JST times in and out, yen amounts, numbers and text as
 * typed into the back office's forms.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"

/* ---- JST ---- */

enum { JST_OFFSET = 9 * 3600 }; /* Japan keeps no daylight saving time */

/* The number in text[from..from+len), all digits. */
static int digits_at(const char *text, size_t from, size_t len, bool *ok)
{
	int v = 0;
	for (size_t i = from; i < from + len; i++) {
		if (text[i] < '0' || text[i] > '9')
			*ok = false;
		v = v * 10 + (text[i] - '0');
	}
	return v;
}

bool tickets_parse_jst(const char *text, time_t *out)
{
	size_t len = text != NULL ? strlen(text) : 0;
	if ((len != 16 && len != 19) || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != ' ') ||
	    text[13] != ':' || (len == 19 && text[16] != ':'))
		return false;
	bool ok = true;
	int year = digits_at(text, 0, 4, &ok), month = digits_at(text, 5, 2, &ok), day = digits_at(text, 8, 2, &ok);
	int hour = digits_at(text, 11, 2, &ok), minute = digits_at(text, 14, 2, &ok);
	int second = len == 19 ? digits_at(text, 17, 2, &ok) : 0;
	/* FROM_UNIXTIME of MariaDB 10.11 stops at 2038-01-19 */
	if (!ok || year < 2000 || year > 2037 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 ||
	    second > 59)
		return false;
	struct tm tm = { .tm_year = year - 1900, .tm_mon = month - 1, .tm_mday = day, .tm_hour = hour,
			 .tm_min = minute, .tm_sec = second };
	time_t t = timegm(&tm);
	if (tm.tm_mday != day || tm.tm_mon != month - 1) /* 31 April and the like */
		return false;
	*out = t - JST_OFFSET;
	return true;
}

static struct tm jst_tm(time_t t)
{
	time_t local = t + JST_OFFSET;
	struct tm tm;
	gmtime_r(&local, &tm);
	return tm;
}

const char *tickets_format_jst(struct mg_arena *arena, time_t t, const char *lang)
{
	static const char *const ja_days[] = { "日", "月", "火", "水", "木", "金", "土" };
	static const char *const en_days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const en_months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
						 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm = jst_tm(t);
	if (lang != NULL && strcmp(lang, "ja") == 0)
		return mg_arena_printf(arena, "%d年%d月%d日(%s) %02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
				       ja_days[tm.tm_wday], tm.tm_hour, tm.tm_min);
	return mg_arena_printf(arena, "%s %d %s %d, %02d:%02d", en_days[tm.tm_wday], tm.tm_mday, en_months[tm.tm_mon],
			       tm.tm_year + 1900, tm.tm_hour, tm.tm_min);
}

const char *tickets_input_jst(struct mg_arena *arena, time_t t)
{
	struct tm tm = jst_tm(t);
	return mg_arena_printf(arena, "%04d-%02d-%02dT%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			       tm.tm_hour, tm.tm_min);
}

const char *tickets_iso_utc(struct mg_arena *arena, time_t t)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	return mg_arena_printf(arena, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			       tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* ---- form values ---- */

bool catalog_parse_number(const char *text, unsigned long max, unsigned long *out)
{
	size_t len = text != NULL ? strlen(text) : 0;
	if (len == 0 || len > 9 || strspn(text, "0123456789") != len)
		return false;
	*out = strtoul(text, NULL, 10);
	return *out <= max;
}

size_t catalog_chars(const char *text)
{
	size_t n = 0;
	for (const unsigned char *c = (const unsigned char *)text; c != NULL && *c; c++)
		n += (*c & 0xC0) != 0x80; /* count every byte but UTF-8 continuations */
	return n;
}

bool catalog_text_ok(const char *text, size_t max_chars)
{
	if (text == NULL)
		return false;
	size_t lead = strspn(text, " \t\r\n");
	return text[lead] != '\0' && catalog_chars(text) <= max_chars;
}
