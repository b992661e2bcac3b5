/*
 * The catalogue's text helpers that need no database (unit-tested in
 * tests/unit/test_tickets_catalog.c): UTC times for machines (local ones: core/base/tz.h), yen amounts, numbers and text as
 * typed into the back office's forms.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"

/* ---- times ---- */

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
