/* Unit tests for the scheduler's arithmetic (core/base/schedule.c): parsing schedules, the slots
 * they name in JST, the retry back-off and the decision what to run now. The scheduler against
 * a database: tests/http/test_jobs.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "core/base/schedule.h"
#include "core/base/tz.h"

/* A wall-clock time in Japan as a UTC instant. */
static time_t jst(int year, int month, int day, int hour, int minute, int second)
{
	struct tm tm = { .tm_year = year - 1900, .tm_mon = month - 1, .tm_mday = day,
			 .tm_hour = hour, .tm_min = minute, .tm_sec = second };
	return timegm(&tm) - 9 * 3600;
}

static struct mg_schedule parsed(const char *text)
{
	struct mg_schedule s = { 0, 0 };
	char errbuf[256] = "";
	assert_int_equal(mg_schedule_parse(text, &s, errbuf, sizeof(errbuf)), MG_OK);
	return s;
}

static void parses_the_three_forms(void **state)
{
	(void)state;
	struct mg_schedule s = parsed("every 1m");
	assert_int_equal(s.period, 60);
	assert_int_equal(s.offset, 0);
	assert_int_equal(parsed("every 10m").period, 600);
	assert_int_equal(parsed("every 1440m").period, 86400);
	assert_int_equal(parsed("every 1h").period, 3600);
	assert_int_equal(parsed("every 24h").period, 86400);
	s = parsed("daily 03:00");
	assert_int_equal(s.period, 86400);
	assert_int_equal(s.offset, 3 * 3600);
	assert_int_equal(parsed("daily 00:00").offset, 0);
	assert_int_equal(parsed("daily 23:59").offset, 23 * 3600 + 59 * 60);
}

static void refuses_what_it_cannot_mean_exactly(void **state)
{
	(void)state;
	const char *bad[] = { "every 0m", "every 7m", "every 5h", "every 25h", "every 2880m", "every 10",
			      "every m", "every 10s", "every 010m", "every 10m ", "every  10m", "every -1m",
			      "daily 3:00", "daily 24:00", "daily 03:60", "daily 03:00 ", "daily 0300",
			      "hourly", "", "Every 10m" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mg_schedule s = { 42, 7 };
		char errbuf[256] = "";
		assert_int_equal(mg_schedule_parse(bad[i], &s, errbuf, sizeof(errbuf)), MG_ERR_INPUT);
		assert_true(errbuf[0] != '\0');
		assert_int_equal(s.period, 42); /* untouched on error */
	}
	char errbuf[256];
	assert_int_equal(mg_schedule_parse(NULL, &(struct mg_schedule){ 0, 0 }, errbuf, sizeof(errbuf)), MG_ERR_INPUT);
	mg_schedule_parse("every 7m", &(struct mg_schedule){ 0, 0 }, errbuf, sizeof(errbuf));
	assert_non_null(strstr(errbuf, "divide a day"));
}

static void every_minute_aligns_to_minute_boundaries(void **state)
{
	(void)state;
	struct mg_schedule s = parsed("every 1m");
	time_t t = jst(2026, 4, 1, 10, 7, 30);
	assert_int_equal(mg_schedule_latest(&s, t), jst(2026, 4, 1, 10, 7, 0));
	assert_int_equal(mg_schedule_next(&s, t), jst(2026, 4, 1, 10, 8, 0));
	/* a slot is due at its own second, and the next one is a whole minute later */
	time_t boundary = jst(2026, 4, 1, 10, 7, 0);
	assert_int_equal(mg_schedule_latest(&s, boundary), boundary);
	assert_int_equal(mg_schedule_next(&s, boundary), boundary + 60);
	assert_int_equal(mg_schedule_latest(&s, boundary - 1), boundary - 60);
	for (time_t u = t; u < t + 3 * 3600; u += 7) {
		time_t latest = mg_schedule_latest(&s, u);
		assert_int_equal(latest % 60, 0);
		assert_true(latest <= u && u < latest + 60);
		assert_int_equal(mg_schedule_next(&s, u), latest + 60);
	}
}

static void periods_count_from_midnight_jst(void **state)
{
	(void)state;
	/* counted from midnight UTC, every 6h would fall at 03:00, 09:00, 15:00, 21:00 JST */
	struct mg_schedule six = parsed("every 6h");
	assert_int_equal(mg_schedule_latest(&six, jst(2026, 4, 1, 5, 59, 59)), jst(2026, 4, 1, 0, 0, 0));
	assert_int_equal(mg_schedule_next(&six, jst(2026, 4, 1, 5, 59, 59)), jst(2026, 4, 1, 6, 0, 0));
	struct mg_schedule ten = parsed("every 10m");
	assert_int_equal(mg_schedule_latest(&ten, jst(2026, 4, 1, 10, 19, 59)), jst(2026, 4, 1, 10, 10, 0));
	/* across midnight JST (15:00 UTC) */
	assert_int_equal(mg_schedule_next(&ten, jst(2026, 4, 1, 23, 55, 0)), jst(2026, 4, 2, 0, 0, 0));
}

static void daily_job_whose_time_passed_today_is_due_tomorrow(void **state)
{
	(void)state;
	struct mg_schedule s = parsed("daily 03:00");
	time_t morning = jst(2026, 4, 1, 10, 0, 0);
	assert_int_equal(mg_schedule_latest(&s, morning), jst(2026, 4, 1, 3, 0, 0));
	assert_int_equal(mg_schedule_next(&s, morning), jst(2026, 4, 2, 3, 0, 0));
	/* a minute before: yesterday's slot is the latest, today's the next */
	time_t before = jst(2026, 4, 1, 2, 59, 0);
	assert_int_equal(mg_schedule_latest(&s, before), jst(2026, 3, 31, 3, 0, 0));
	assert_int_equal(mg_schedule_next(&s, before), jst(2026, 4, 1, 3, 0, 0));
	/* 03:00 JST is 18:00 UTC the day before */
	assert_int_equal(mg_schedule_latest(&s, jst(2026, 4, 1, 3, 0, 0)), 1774980000); /* 2026-03-31T18:00:00Z */
}

static void midnight_and_the_end_of_the_year(void **state)
{
	(void)state;
	struct mg_schedule s = parsed("daily 00:00");
	assert_int_equal(mg_schedule_next(&s, jst(2026, 3, 31, 23, 59, 59)), jst(2026, 4, 1, 0, 0, 0));
	assert_int_equal(mg_schedule_latest(&s, jst(2026, 4, 1, 0, 0, 0)), jst(2026, 4, 1, 0, 0, 0));
	assert_int_equal(mg_schedule_next(&s, jst(2026, 12, 31, 23, 30, 0)), jst(2027, 1, 1, 0, 0, 0));
	struct mg_schedule late = parsed("daily 23:59");
	assert_int_equal(mg_schedule_latest(&late, jst(2027, 1, 1, 0, 0, 30)), jst(2026, 12, 31, 23, 59, 0));
}

static void japan_has_no_daylight_saving(void **state)
{
	(void)state;
	/* every day of a year, across the dates Europe and America change their clocks, the 03:00
	 * slot is 86400 s after the previous one and falls at 03:00 JST */
	struct mg_schedule s = parsed("daily 03:00");
	time_t slot = mg_schedule_latest(&s, jst(2026, 1, 1, 12, 0, 0));
	for (int day = 0; day < 366; day++) {
		time_t next = mg_schedule_next(&s, slot);
		assert_int_equal(next - slot, 86400);
		time_t local = next + 9 * 3600;
		struct tm tm;
		gmtime_r(&local, &tm);
		assert_int_equal(tm.tm_hour, 3);
		assert_int_equal(tm.tm_min, 0);
		slot = next;
	}
}

/* A platform in a zone with daylight saving (platform_time_zone = Europe/London, 2027): a daily
 * job keeps its local hour (23 and 25 hours between slots), a job every hour keeps running each
 * real hour through the repeated and the skipped hour, and slots only move forward. */
static void a_platform_zone_with_daylight_saving(void **state)
{
	(void)state;
	assert_int_equal(mg_tz_set_platform("Europe/London"), MG_OK);
	struct mg_schedule daily = parsed("daily 03:00"), hourly = parsed("every 1h"), often = parsed("every 10m");
	/* spring: 03:00 GMT on the 27th (03:00 UTC), 03:00 BST on the 28th (02:00 UTC) */
	assert_int_equal(mg_schedule_next(&daily, 1806116400), 1806199200);
	assert_int_equal(mg_schedule_latest(&daily, 1806199200 + 60), 1806199200);
	assert_int_equal(mg_schedule_latest(&daily, 1806199200 - 60), 1806116400);
	/* autumn: 03:00 BST on the 30th (02:00 UTC), 03:00 GMT on the 31st (03:00 UTC), 25 hours */
	assert_int_equal(mg_schedule_next(&daily, 1824861600), 1824951600);
	/* in the hour that happens twice (00:00 to 02:00 UTC on the 31st) the daily slot stays put */
	for (time_t t = 1824940800; t < 1824951600; t += 600)
		assert_int_equal(mg_schedule_latest(&daily, t), 1824861600);
	/* every hour: 01:00 BST (00:00 UTC), 01:00 GMT (01:00 UTC), 02:00 GMT: each real hour */
	assert_int_equal(mg_schedule_latest(&hourly, 1824942600), 1824940800);
	assert_int_equal(mg_schedule_next(&hourly, 1824942600), 1824944400);
	assert_int_equal(mg_schedule_latest(&hourly, 1824946200), 1824944400);
	/* slots never go back and always come after t, every 10 minutes across both changes */
	const time_t from[] = { 1806112800, 1824933600 };
	for (size_t i = 0; i < 2; i++) {
		time_t last = mg_schedule_latest(&often, from[i]);
		for (time_t t = from[i]; t < from[i] + 6 * 3600; t += 60) {
			time_t slot = mg_schedule_latest(&often, t), next = mg_schedule_next(&often, t);
			assert_true(slot <= t && slot >= last && next > t && next - t <= 600);
			last = slot;
		}
	}
	assert_int_equal(mg_tz_set_platform("Asia/Tokyo"), MG_OK);
}

static void retry_backs_off_and_is_capped(void **state)
{
	(void)state;
	assert_int_equal(mg_job_retry_delay(1), 60);
	assert_int_equal(mg_job_retry_delay(2), 120);
	assert_int_equal(mg_job_retry_delay(3), 240);
	assert_int_equal(mg_job_retry_delay(4), 480);
	assert_int_equal(mg_job_retry_delay(5), 960);
	assert_int_equal(mg_job_retry_delay(6), MG_JOB_RETRY_CAP);
	assert_int_equal(mg_job_retry_delay(40), MG_JOB_RETRY_CAP);
	assert_int_equal(mg_job_retry_delay(0), 60);
}

static void plan_runs_a_job_that_never_ran(void **state)
{
	(void)state;
	struct mg_schedule s = parsed("every 10m");
	struct mg_job_last none = { .outcome = MG_OUTCOME_NONE };
	time_t now = jst(2026, 4, 1, 10, 7, 0);
	struct mg_job_plan p = mg_job_plan(&s, &none, now);
	assert_true(p.run);
	assert_int_equal(p.slot, jst(2026, 4, 1, 10, 0, 0));
	assert_int_equal(p.attempt, 1);
	assert_int_equal(p.wake, jst(2026, 4, 1, 10, 10, 0));
}

static void plan_catches_up_the_latest_missed_slot_once(void **state)
{
	(void)state;
	struct mg_schedule s = parsed("every 10m");
	/* down for three days: only the latest slot runs, not the 432 missed ones */
	struct mg_job_last last = { .outcome = MG_OUTCOME_OK, .slot = jst(2026, 3, 29, 9, 0, 0), .attempt = 1 };
	time_t now = jst(2026, 4, 1, 10, 7, 0);
	struct mg_job_plan p = mg_job_plan(&s, &last, now);
	assert_true(p.run);
	assert_int_equal(p.slot, jst(2026, 4, 1, 10, 0, 0));
	assert_int_equal(p.attempt, 1);
	/* once it ran, nothing more until the next slot */
	last = (struct mg_job_last){ .outcome = MG_OUTCOME_OK, .slot = p.slot, .attempt = 1 };
	p = mg_job_plan(&s, &last, now + 5);
	assert_false(p.run);
	assert_int_equal(p.wake, jst(2026, 4, 1, 10, 10, 0));
	p = mg_job_plan(&s, &last, jst(2026, 4, 1, 10, 10, 0));
	assert_true(p.run);
	assert_int_equal(p.slot, jst(2026, 4, 1, 10, 10, 0));

	struct mg_schedule daily = parsed("daily 03:00");
	last = (struct mg_job_last){ .outcome = MG_OUTCOME_OK, .slot = jst(2026, 3, 30, 3, 0, 0), .attempt = 1 };
	p = mg_job_plan(&daily, &last, jst(2026, 4, 1, 9, 30, 0));
	assert_true(p.run);
	assert_int_equal(p.slot, jst(2026, 4, 1, 3, 0, 0));
	assert_int_equal(p.wake, jst(2026, 4, 2, 3, 0, 0));
}

static void plan_retries_a_failure_after_its_back_off(void **state)
{
	(void)state;
	struct mg_schedule s = parsed("daily 03:00");
	time_t slot = jst(2026, 4, 1, 3, 0, 0);
	struct mg_job_last last = { .outcome = MG_OUTCOME_FAILED, .slot = slot, .attempt = 1, .finished = slot + 20 };
	struct mg_job_plan p = mg_job_plan(&s, &last, slot + 30);
	assert_false(p.run);
	assert_int_equal(p.wake, slot + 20 + 60);
	p = mg_job_plan(&s, &last, slot + 80);
	assert_true(p.run);
	assert_int_equal(p.slot, slot);
	assert_int_equal(p.attempt, 2);
	/* the third attempt waits 4 minutes after the second failed */
	last = (struct mg_job_last){ .outcome = MG_OUTCOME_FAILED, .slot = slot, .attempt = 3, .finished = slot + 600 };
	assert_false(mg_job_plan(&s, &last, slot + 600 + 239).run);
	p = mg_job_plan(&s, &last, slot + 600 + 240);
	assert_true(p.run);
	assert_int_equal(p.attempt, 4);
}

static void plan_gives_up_after_the_last_attempt(void **state)
{
	(void)state;
	struct mg_schedule s = parsed("daily 03:00");
	time_t slot = jst(2026, 4, 1, 3, 0, 0);
	struct mg_job_last last = { .outcome = MG_OUTCOME_FAILED, .slot = slot, .attempt = MG_JOB_MAX_ATTEMPTS,
				    .finished = slot + 3600 };
	struct mg_job_plan p = mg_job_plan(&s, &last, slot + 6 * 3600);
	assert_false(p.run);
	assert_int_equal(p.wake, jst(2026, 4, 2, 3, 0, 0));
	/* the next slot starts afresh */
	p = mg_job_plan(&s, &last, jst(2026, 4, 2, 3, 0, 0));
	assert_true(p.run);
	assert_int_equal(p.attempt, 1);
}

static void plan_lets_the_next_slot_overtake_a_retry(void **state)
{
	(void)state;
	struct mg_schedule s = parsed("every 1m");
	time_t slot = jst(2026, 4, 1, 10, 7, 0);
	struct mg_job_last last = { .outcome = MG_OUTCOME_FAILED, .slot = slot, .attempt = 1, .finished = slot + 10 };
	struct mg_job_plan p = mg_job_plan(&s, &last, slot + 20);
	assert_false(p.run);
	assert_int_equal(p.wake, slot + 60); /* the next slot comes before the retry at +70 */
	p = mg_job_plan(&s, &last, slot + 60);
	assert_true(p.run);
	assert_int_equal(p.slot, slot + 60);
	assert_int_equal(p.attempt, 1);
}

static void plan_runs_an_abandoned_run_again_at_once(void **state)
{
	(void)state;
	struct mg_schedule s = parsed("daily 03:00");
	time_t slot = jst(2026, 4, 1, 3, 0, 0);
	struct mg_job_last last = { .outcome = MG_OUTCOME_ABANDONED, .slot = slot, .attempt = 1, .finished = slot + 90 };
	struct mg_job_plan p = mg_job_plan(&s, &last, slot + 91);
	assert_true(p.run);
	assert_int_equal(p.slot, slot);
	assert_int_equal(p.attempt, 2);
	last.attempt = MG_JOB_MAX_ATTEMPTS;
	assert_false(mg_job_plan(&s, &last, slot + 91).run);
}

static void plan_waits_when_the_clock_went_back_or_another_runs_it(void **state)
{
	(void)state;
	struct mg_schedule s = parsed("every 10m");
	time_t now = jst(2026, 4, 1, 10, 7, 0);
	struct mg_job_last later = { .outcome = MG_OUTCOME_OK, .slot = jst(2026, 5, 1, 0, 0, 0), .attempt = 1 };
	assert_false(mg_job_plan(&s, &later, now).run);
	struct mg_job_last running = { .outcome = MG_OUTCOME_RUNNING, .slot = jst(2026, 4, 1, 10, 0, 0), .attempt = 1 };
	struct mg_job_plan p = mg_job_plan(&s, &running, now);
	assert_false(p.run);
	assert_true(p.wake > now && p.wake <= now + 60);
}

static void outcome_names_round_trip(void **state)
{
	(void)state;
	const enum mg_job_outcome all[] = { MG_OUTCOME_RUNNING, MG_OUTCOME_OK, MG_OUTCOME_FAILED, MG_OUTCOME_ABANDONED };
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(mg_job_outcome_parse(mg_job_outcome_name(all[i])), all[i]);
	assert_int_equal(mg_job_outcome_parse("done"), MG_OUTCOME_NONE);
	assert_int_equal(mg_job_outcome_parse(NULL), MG_OUTCOME_NONE);
}

static void parses_iso_times(void **state)
{
	(void)state;
	time_t want = jst(2026, 4, 1, 3, 0, 0), t = 0;
	const char *same[] = { "2026-04-01T03:00:00+09:00", "2026-03-31T18:00:00Z", "2026-04-01T03:00",
			       "2026-04-01 03:00:00", "2026-04-01T03:00:00+0900", "2026-03-31T13:00:00-05:00",
			       "2026-04-01T03:00+09" };
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		t = 0;
		assert_int_equal(mg_time_parse_iso(same[i], &t), MG_OK);
		assert_int_equal(t, want);
	}
	assert_int_equal(mg_time_parse_iso("2026-04-01T03:00:59Z", &t), MG_OK);
	assert_int_equal(t, jst(2026, 4, 1, 12, 0, 59));
	const char *bad[] = { "2026-02-31T00:00", "2026-04-01", "2026-04-01T3:00", "tomorrow", "2026-04-01T03:00:00+9",
			      "2026-04-01T24:00", "2026-04-01T03:00:00 ", "26-04-01T03:00", "2026-04-01T03:00:00+09:00x",
			      "" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(mg_time_parse_iso(bad[i], &t), MG_ERR_INPUT);
	assert_int_equal(mg_time_parse_iso(NULL, &t), MG_ERR_INPUT);
}

static void formats_in_jst(void **state)
{
	(void)state;
	char out[32];
	mg_time_format_platform(jst(2026, 12, 31, 23, 59, 58), out, sizeof(out));
	assert_string_equal(out, "2026-12-31 23:59:58");
	mg_time_format_platform(0, out, sizeof(out));
	assert_string_equal(out, "1970-01-01 09:00:00");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_the_three_forms),
		cmocka_unit_test(refuses_what_it_cannot_mean_exactly),
		cmocka_unit_test(every_minute_aligns_to_minute_boundaries),
		cmocka_unit_test(periods_count_from_midnight_jst),
		cmocka_unit_test(daily_job_whose_time_passed_today_is_due_tomorrow),
		cmocka_unit_test(midnight_and_the_end_of_the_year),
		cmocka_unit_test(japan_has_no_daylight_saving),
		cmocka_unit_test(a_platform_zone_with_daylight_saving),
		cmocka_unit_test(retry_backs_off_and_is_capped),
		cmocka_unit_test(plan_runs_a_job_that_never_ran),
		cmocka_unit_test(plan_catches_up_the_latest_missed_slot_once),
		cmocka_unit_test(plan_retries_a_failure_after_its_back_off),
		cmocka_unit_test(plan_gives_up_after_the_last_attempt),
		cmocka_unit_test(plan_lets_the_next_slot_overtake_a_retry),
		cmocka_unit_test(plan_runs_an_abandoned_run_again_at_once),
		cmocka_unit_test(plan_waits_when_the_clock_went_back_or_another_runs_it),
		cmocka_unit_test(outcome_names_round_trip),
		cmocka_unit_test(parses_iso_times),
		cmocka_unit_test(formats_in_jst),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
