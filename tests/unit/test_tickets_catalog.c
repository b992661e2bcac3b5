/* Unit tests for the tickets catalogue's text helpers (modules/tickets/catalog_text.c): JST
 * times as staff type them and as pages show them, numbers and text from forms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/base/arena.h"
#include "core/base/tz.h"
#include "core/base/tz_text.h"
#include "modules/tickets/catalog.h"

/* The back office's performance times as read and shown for a tenant in Asia/Tokyo (the
 * module goes through core/base/tz.h; other zones: tests/unit/test_tz.c). */
#define parse_tokyo(text, t) (mg_tz_parse_local("Asia/Tokyo", (text), (t), NULL) == MG_OK)
#define people_tokyo(a, t, lang) mg_tz_text((a), "Asia/Tokyo", (t), MG_TZ_PEOPLE, (lang))
#define input_tokyo(a, t) mg_tz_text((a), "Asia/Tokyo", (t), MG_TZ_INPUT, NULL)

/* 2026-05-01 18:30 JST = 09:30 UTC. */
#define MAY_DAY_1830 ((time_t)1777627800)

static void jst_input_is_read_as_japan_time(void **state)
{
	(void)state;
	time_t t = 0;
	assert_true(parse_tokyo("2026-05-01T18:30", &t));
	assert_int_equal(t, MAY_DAY_1830);
	assert_true(parse_tokyo("2026-05-01 18:30", &t));
	assert_int_equal(t, MAY_DAY_1830);
	assert_true(parse_tokyo("2026-05-01T18:30:15", &t));
	assert_int_equal(t, MAY_DAY_1830 + 15);
	/* 00:30 JST is the evening before in UTC */
	assert_true(parse_tokyo("2026-05-02T00:30", &t));
	assert_int_equal(t, MAY_DAY_1830 + 6 * 3600);
}

static void impossible_or_malformed_times_are_refused(void **state)
{
	(void)state;
	time_t t = 42;
	const char *bad[] = { "",
			      "2026-02-30T18:00", /* no such day */
			      "2026-04-31T10:00",
			      "2026-13-01T10:00",
			      "2026-05-01T24:00",
			      "2026-05-01T18:60",
			      "2026-05-01",
			      "2026-05-01T18:30Z",
			      "2026-05-01X18:30",
			      "2026-5-01T18:30:",
			      "+026-05-01T18:30",
			      "2026-05-01T 8:30",
			      "1999-12-31T23:59", /* before the range MariaDB's Unix times keep */
			      "2038-01-20T00:00",
			      "soon" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(parse_tokyo(bad[i], &t));
	assert_false(parse_tokyo(NULL, &t));
	assert_int_equal(t, 42); /* untouched */
	assert_true(parse_tokyo("2028-02-29T12:00", &t)); /* a leap day */
}

static void times_are_shown_in_jst_in_the_readers_language(void **state)
{
	(void)state;
	struct mg_arena *a = mg_arena_new();
	assert_string_equal(people_tokyo(a, MAY_DAY_1830, "ja"), "2026年5月1日(金) 18:30");
	assert_string_equal(people_tokyo(a, MAY_DAY_1830, "en"), "Fri 1 May 2026, 18:30");
	assert_string_equal(people_tokyo(a, MAY_DAY_1830 + 6 * 3600, "ja"), "2026年5月2日(土) 00:30");
	assert_string_equal(input_tokyo(a, MAY_DAY_1830), "2026-05-01T18:30");
	assert_string_equal(tickets_iso_utc(a, MAY_DAY_1830), "2026-05-01T09:30:00Z");
	time_t back = 0;
	assert_true(parse_tokyo(input_tokyo(a, MAY_DAY_1830), &back));
	assert_int_equal(back, MAY_DAY_1830);
	mg_arena_free(a);
}

static void form_numbers_are_digits_within_their_range(void **state)
{
	(void)state;
	unsigned long v = 7;
	assert_true(catalog_parse_number("0", 10, &v));
	assert_int_equal(v, 0);
	assert_true(catalog_parse_number("3000", 1000000, &v));
	assert_int_equal(v, 3000);
	assert_false(catalog_parse_number("1000001", 1000000, &v));
	const char *bad[] = { "", "-1", "+1", " 1", "1 ", "1.5", "1e3", "３０００", "9999999999" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(catalog_parse_number(bad[i], 999999999UL, &v));
	assert_false(catalog_parse_number(NULL, 10, &v));
}

static void text_is_counted_in_characters_not_bytes(void **state)
{
	(void)state;
	assert_int_equal(catalog_chars("abc"), 3);
	assert_int_equal(catalog_chars("春の演奏会"), 5);
	assert_int_equal(catalog_chars(""), 0);
	assert_true(catalog_text_ok("春の演奏会", 5));
	assert_false(catalog_text_ok("春の演奏会", 4));
	assert_false(catalog_text_ok(" \t\r\n", 10)); /* blank */
	assert_false(catalog_text_ok(NULL, 10));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(jst_input_is_read_as_japan_time),
		cmocka_unit_test(impossible_or_malformed_times_are_refused),
		cmocka_unit_test(times_are_shown_in_jst_in_the_readers_language),
		cmocka_unit_test(form_numbers_are_digits_within_their_range),
		cmocka_unit_test(text_is_counted_in_characters_not_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
