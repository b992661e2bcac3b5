/* Unit tests for core/base/tz.c: local times read and shown in a named zone of the system tz
 * database — Asia/Tokyo, Europe/London on both changes of 2026 (the gap in March, the overlap in
 * October), a zone whose midnight did not exist, and zone names that are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/base/arena.h"
#include "core/base/tz.h"
#include "core/base/tz_text.h"

/* Local time in, UTC out, and which rule applied. */
static const struct {
	const char *zone, *local;
	time_t utc;
	enum mg_tz_fit fit;
} to_utc[] = {
	{ "Asia/Tokyo", "2026-12-18T18:30", 1797586200, MG_TZ_EXACT },    /* 09:30 UTC */
	{ "Asia/Tokyo", "2026-12-19 00:30", 1797586200 + 6 * 3600, MG_TZ_EXACT },
	{ "Europe/London", "2026-03-29T00:30", 1774744200, MG_TZ_EXACT }, /* GMT, before the change */
	{ "Europe/London", "2026-03-29T01:30", 1774746000, MG_TZ_GAP },   /* no such time: 02:00 BST */
	{ "Europe/London", "2026-03-29T02:30", 1774747800, MG_TZ_EXACT }, /* BST = 01:30 UTC */
	{ "Europe/London", "2026-07-01T12:00", 1782903600, MG_TZ_EXACT }, /* summer: 11:00 UTC */
	{ "Europe/London", "2026-10-25T01:30", 1792888200, MG_TZ_OVERLAP }, /* twice: the BST one */
	{ "Europe/London", "2026-10-25T02:30", 1792895400, MG_TZ_EXACT }, /* GMT again */
	{ "Europe/London", "2026-10-25T01:30:15", 1792888215, MG_TZ_OVERLAP },
	{ "UTC", "2026-10-25T01:30", 1792891800, MG_TZ_EXACT },
	{ NULL, NULL, 0, 0 },
};

static void local_times_become_utc(void **state)
{
	(void)state;
	for (size_t i = 0; to_utc[i].zone != NULL; i++) {
		time_t t = 0;
		enum mg_tz_fit fit = 99;
		print_message("%s %s\n", to_utc[i].zone, to_utc[i].local);
		assert_int_equal(mg_tz_parse_local(to_utc[i].zone, to_utc[i].local, &t, &fit), MG_OK);
		assert_int_equal(t, to_utc[i].utc);
		assert_int_equal(fit, to_utc[i].fit);
	}
}

/* UTC in, text out. */
static const struct {
	const char *zone;
	time_t utc;
	enum mg_tz_style style;
	const char *lang, *text;
} shown[] = {
	{ "Asia/Tokyo", 1797586200, MG_TZ_PEOPLE, "ja", "2026年12月18日(金) 18:30" },
	{ "Asia/Tokyo", 1797586200, MG_TZ_PEOPLE, "en", "Fri 18 Dec 2026, 18:30" },
	{ "Asia/Tokyo", 1797586200, MG_TZ_PEOPLE_DATE, "ja", "2026年12月18日(金)" },
	{ "Asia/Tokyo", 1797586200, MG_TZ_MINUTE, NULL, "2026-12-18 18:30" },
	{ "Asia/Tokyo", 1797586200, MG_TZ_SECOND, NULL, "2026-12-18 18:30:00" },
	{ "Asia/Tokyo", 1797586200, MG_TZ_CLOCK, NULL, "18:30" },
	{ "Asia/Tokyo", 1797586200, MG_TZ_DATE, NULL, "2026-12-18" },
	{ "Asia/Tokyo", 1797586200, MG_TZ_DAY, NULL, "20261218" },
	{ "Asia/Tokyo", 1797586200, MG_TZ_INPUT, NULL, "2026-12-18T18:30" },
	{ "Asia/Tokyo", 1797586200, MG_TZ_ISO, NULL, "2026-12-18T18:30:00+09:00" },
	{ "Asia/Tokyo", 1797586200 + 6 * 3600, MG_TZ_PEOPLE, "ja", "2026年12月19日(土) 00:30" },
	{ "Europe/London", 1797586200, MG_TZ_ISO, NULL, "2026-12-18T09:30:00+00:00" },
	{ "Europe/London", 1774746000 - 1, MG_TZ_ISO, NULL, "2026-03-29T00:59:59+00:00" },
	{ "Europe/London", 1774746000, MG_TZ_ISO, NULL, "2026-03-29T02:00:00+01:00" },
	{ "Europe/London", 1792888200, MG_TZ_ISO, NULL, "2026-10-25T01:30:00+01:00" }, /* the first 01:30 */
	{ "Europe/London", 1792891800, MG_TZ_ISO, NULL, "2026-10-25T01:30:00+00:00" }, /* the second */
	{ "Europe/London", 1792888200, MG_TZ_PEOPLE, "en", "Sun 25 Oct 2026, 01:30" },
	{ "Europe/London", 1792888200, MG_TZ_PEOPLE, "ja", "2026年10月25日(日) 01:30" },
	{ "America/New_York", 1797586200, MG_TZ_ISO, NULL, "2026-12-18T04:30:00-05:00" },
	{ "Asia/Kolkata", 1797586200, MG_TZ_ISO, NULL, "2026-12-18T15:00:00+05:30" },
	/* Lord Howe Island moves its clocks by half an hour, in the middle of a UTC hour */
	{ "Australia/Lord_Howe", 1791039600, MG_TZ_ISO, NULL, "2026-10-04T01:30:00+10:30" },
	{ "Australia/Lord_Howe", 1791041399, MG_TZ_ISO, NULL, "2026-10-04T01:59:59+10:30" },
	{ "Australia/Lord_Howe", 1791041400, MG_TZ_ISO, NULL, "2026-10-04T02:30:00+11:00" },
	{ NULL, 0, 0, NULL, NULL },
};

static void instants_are_shown_in_the_zone(void **state)
{
	(void)state;
	/* twice, interleaving zones: the second pass answers from the remembered hours (mg_tz_local) */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; shown[i].zone != NULL; i++) {
			char text[96];
			print_message("%s %lld\n", shown[i].zone, (long long)shown[i].utc);
			assert_int_equal(mg_tz_format(shown[i].zone, shown[i].utc, shown[i].style, shown[i].lang, text,
						      sizeof(text)),
					 strlen(shown[i].text));
			assert_string_equal(text, shown[i].text);
		}
	char small[8];
	assert_int_equal(mg_tz_format("Asia/Tokyo", 1797586200, MG_TZ_MINUTE, NULL, small, sizeof(small)), 0);
	assert_string_equal(small, "");
}

/* The local day of an instant: where it starts, and how long the days around a change are. */
static void days_start_at_local_midnight(void **state)
{
	(void)state;
	time_t start = 0, next = 0;
	/* 2026-03-29 in London: starts 00:00 GMT, lasts 23 hours */
	assert_int_equal(mg_tz_day_start("Europe/London", 1774747800, 0, &start), MG_OK);
	assert_int_equal(start, 1774742400);
	assert_int_equal(mg_tz_day_start("Europe/London", 1774747800, 1, &next), MG_OK);
	assert_int_equal(next, 1774825200);
	assert_int_equal(next - start, 23 * 3600);
	/* 2026-10-25: starts 00:00 BST (23:00 UTC the day before), lasts 25 hours */
	assert_int_equal(mg_tz_parse_date("Europe/London", "2026-10-25", &start), MG_OK);
	assert_int_equal(start, 1792882800);
	assert_int_equal(mg_tz_parse_date("Europe/London", "2026-10-26", &next), MG_OK);
	assert_int_equal(next - start, 25 * 3600);
	/* Tokyo: every day 24 h, midnight is 15:00 UTC the day before; days count backwards too */
	assert_int_equal(mg_tz_parse_date("Asia/Tokyo", "2026-12-18", &start), MG_OK);
	assert_int_equal(start, 1797586200 - 18 * 3600 - 30 * 60);
	assert_int_equal(mg_tz_day_start("Asia/Tokyo", 1797586200, -30, &next), MG_OK);
	assert_int_equal(start - next, 30 * 86400);
	/* Sao Paulo skipped midnight on 2018-11-04: the day starts at 01:00 (-02), the next valid time */
	enum mg_tz_fit fit = MG_TZ_EXACT;
	struct tm midnight = { .tm_year = 118, .tm_mon = 10, .tm_mday = 4 };
	assert_int_equal(mg_tz_utc("America/Sao_Paulo", &midnight, &start, &fit), MG_OK);
	assert_int_equal(fit, MG_TZ_GAP);
	assert_int_equal(start, 1541300400);
	assert_int_equal(mg_tz_parse_date("America/Sao_Paulo", "2018-11-04", &next), MG_OK);
	assert_int_equal(next, start);
	/* not dates */
	const char *bad[] = { "2026-02-30", "2026-13-01", "2026-1-01", "20261218", "", "2026-12-18x" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(mg_tz_parse_date("Asia/Tokyo", bad[i], &start), MG_ERR_INPUT);
	assert_int_equal(mg_tz_parse_date("Asia/Tokyo", NULL, &start), MG_ERR_INPUT);
}

static void malformed_local_times_are_refused(void **state)
{
	(void)state;
	const char *bad[] = { "", "2026-02-30T18:00", "2026-04-31T10:00", "2026-13-01T10:00", "2026-05-01T24:00",
			      "2026-05-01T10:60", "1999-05-01T10:00", "2038-05-01T10:00", "2026-05-01 10:00 ",
			      "2026/05/01 10:00", "2026-05-01T1000" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		time_t t = 42;
		assert_int_equal(mg_tz_parse_local("Asia/Tokyo", bad[i], &t, NULL), MG_ERR_INPUT);
		assert_int_equal(t, 42);
	}
}

/* A zone that is not in the tz database is refused everywhere, never taken for UTC. */
static void unknown_zones_are_refused(void **state)
{
	(void)state;
	const char *bad[] = { "Mars/Olympus_Mons", "", "asia/tokyo", "../../etc/passwd", "/usr/share/zoneinfo/UTC",
			      "JST-9", "Asia/Tokyo/", "Asia//Tokyo", "Europe", "UTC+9", "Asia/Tokyo\n" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		print_message("'%s'\n", bad[i]);
		assert_false(mg_tz_valid(bad[i]));
		time_t t = 42;
		assert_int_equal(mg_tz_parse_local(bad[i], "2026-05-01T10:00", &t, NULL), MG_ERR_INPUT);
		assert_int_equal(t, 42);
		char text[32] = "x";
		assert_int_equal(mg_tz_format(bad[i], 0, MG_TZ_MINUTE, NULL, text, sizeof(text)), 0);
		assert_string_equal(text, "");
	}
	assert_false(mg_tz_valid(NULL));
	assert_true(mg_tz_valid("Asia/Tokyo"));
	assert_true(mg_tz_valid("Europe/London"));
	assert_true(mg_tz_valid("UTC"));
	/* the arena form falls back to the platform's zone rather than showing nothing */
	struct mg_arena *arena = mg_arena_new();
	assert_string_equal(mg_tz_text(arena, "Mars/Olympus_Mons", 1797586200, MG_TZ_MINUTE, NULL), "2026-12-18 18:30");
	mg_arena_free(arena);
}

static void the_platform_zone_is_tokyo_until_set(void **state)
{
	(void)state;
	assert_string_equal(mg_tz_platform(), "Asia/Tokyo");
	assert_int_equal(mg_tz_set_platform("Nowhere/Else"), MG_ERR_CONFIG);
	assert_string_equal(mg_tz_platform(), "Asia/Tokyo");
	assert_int_equal(mg_tz_set_platform("Europe/London"), MG_OK);
	assert_string_equal(mg_tz_platform(), "Europe/London");
	assert_int_equal(mg_tz_set_platform("Asia/Tokyo"), MG_OK);
	assert_string_equal(mg_tz_label("Asia/Tokyo", "ja"), "日本時間");
	assert_string_equal(mg_tz_label("Asia/Tokyo", "en"), "Japan time");
	assert_string_equal(mg_tz_label("Europe/London", "ja"), "Europe/London");
}

static char start_tz[64];
static int start_tz_set;

/* The programs Madoguchi runs (mariadbd, a shell) get TZ as the process found it. */
static void the_environment_is_given_back(void **state)
{
	(void)state;
	time_t t;
	assert_int_equal(mg_tz_parse_local("Europe/London", "2026-07-01T12:00", &t, NULL), MG_OK);
	assert_non_null(getenv("TZ"));
	mg_tz_restore_env();
	if (start_tz_set)
		assert_string_equal(getenv("TZ"), start_tz);
	else
		assert_null(getenv("TZ"));
	/* and the next conversion is right again */
	assert_int_equal(mg_tz_parse_local("Europe/London", "2026-07-01T12:00", &t, NULL), MG_OK);
	assert_int_equal(t, 1782903600);
}

int main(void)
{
	const char *tz = getenv("TZ");
	start_tz_set = tz != NULL;
	snprintf(start_tz, sizeof(start_tz), "%s", tz != NULL ? tz : "");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(local_times_become_utc),
		cmocka_unit_test(instants_are_shown_in_the_zone),
		cmocka_unit_test(days_start_at_local_midnight),
		cmocka_unit_test(malformed_local_times_are_refused),
		cmocka_unit_test(unknown_zones_are_refused),
		cmocka_unit_test(the_platform_zone_is_tokyo_until_set),
		cmocka_unit_test(the_environment_is_given_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
