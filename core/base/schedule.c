#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schedule.h"
#include "tz.h"

/* Reads 1 to `max` decimal digits; returns the number of characters read, 0 for none. */
static size_t read_number(const char *s, size_t max, long *out)
{
	size_t n = 0;
	long v = 0;
	while (n < max && isdigit((unsigned char)s[n]))
		v = v * 10 + (s[n++] - '0');
	*out = v;
	return n;
}

static enum mg_err parse_every(const char *s, struct mg_schedule *out, char *errbuf, size_t errlen)
{
	long n = 0;
	size_t digits = read_number(s, 4, &n);
	char unit = digits > 0 ? s[digits] : '\0';
	if (digits == 0 || s[0] == '0' || (unit != 'm' && unit != 'h') || s[digits + 1] != '\0') {
		snprintf(errbuf, errlen, "write \"every Nm\" or \"every Nh\" with a whole number N from 1");
		return MG_ERR_INPUT;
	}
	long per_day = unit == 'm' ? 1440 : 24;
	if (n > per_day || per_day % n != 0) {
		snprintf(errbuf, errlen, "every %ld%c: the period must divide a day (%ld %s), so the slots fall at the "
			 "same times every day", n, unit, per_day, unit == 'm' ? "minutes" : "hours");
		return MG_ERR_INPUT;
	}
	out->period = n * (unit == 'm' ? 60 : 3600);
	out->offset = 0;
	return MG_OK;
}

static enum mg_err parse_daily(const char *s, struct mg_schedule *out, char *errbuf, size_t errlen)
{
	long hh = 0, mm = 0;
	if (strlen(s) != 5 || read_number(s, 2, &hh) != 2 || s[2] != ':' || read_number(s + 3, 2, &mm) != 2 ||
	    hh > 23 || mm > 59) {
		snprintf(errbuf, errlen, "write \"daily HH:MM\" with a time from 00:00 to 23:59 (the platform's zone)");
		return MG_ERR_INPUT;
	}
	out->period = MG_DAY;
	out->offset = hh * 3600 + mm * 60;
	return MG_OK;
}

enum mg_err mg_schedule_parse(const char *text, struct mg_schedule *out, char *errbuf, size_t errlen)
{
	struct mg_schedule parsed;
	enum mg_err err = MG_ERR_INPUT;
	if (text != NULL && strncmp(text, "every ", 6) == 0)
		err = parse_every(text + 6, &parsed, errbuf, errlen);
	else if (text != NULL && strncmp(text, "daily ", 6) == 0)
		err = parse_daily(text + 6, &parsed, errbuf, errlen);
	else
		snprintf(errbuf, errlen, "a schedule is \"every Nm\", \"every Nh\" or \"daily HH:MM\" (local time), not \"%s\"",
			 text ? text : "");
	if (err == MG_OK)
		*out = parsed;
	return err;
}

/* Floor division: the slot arithmetic must not round towards zero before 1970. */
static long long floor_div(long long a, long long b)
{
	long long q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* The UTC instant of a wall-clock time (seconds since 1970-01-01 00:00 local) in the platform's
 * zone: with the offset in force at `near` when that offset holds there too (so a job every
 * 10 minutes keeps running through the hour the clocks go back), else by tz's rules (the
 * earlier of a repeated time, the next valid one after a skipped time). */
static time_t wall_to_utc(long long wall, long near_offset)
{
	time_t guess = (time_t)(wall - near_offset), t = guess;
	struct tm tm;
	if (mg_tz_local(mg_tz_platform(), guess, &tm) == MG_OK && tm.tm_gmtoff == near_offset)
		return guess;
	time_t w = (time_t)wall;
	gmtime_r(&w, &tm);
	if (mg_tz_utc(mg_tz_platform(), &tm, &t, NULL) != MG_OK)
		t = guess;
	return t;
}

time_t mg_schedule_latest(const struct mg_schedule *s, time_t t)
{
	/* slots are wall-clock times of the platform's zone: offset + k periods after local midnight */
	struct tm tm;
	long gmtoff = mg_tz_local(mg_tz_platform(), t, &tm) == MG_OK ? tm.tm_gmtoff : 0;
	long long wall = (long long)t + gmtoff;
	long long slot_wall = floor_div(wall - s->offset, s->period) * s->period + s->offset;
	time_t slot = wall_to_utc(slot_wall, gmtoff);
	/* around a change of the clocks the slot's instant may come after t: take the one before */
	for (int i = 0; slot > t && i < 4; i++) {
		slot_wall -= s->period;
		slot = wall_to_utc(slot_wall, gmtoff);
	}
	return slot;
}

time_t mg_schedule_next(const struct mg_schedule *s, time_t t)
{
	time_t next = t;
	for (int k = 1; next <= t && k < 8; k++)
		next = mg_schedule_latest(s, t + (time_t)k * s->period);
	return next > t ? next : t + s->period; /* never a slot at or before t: no busy loop */
}

long mg_job_retry_delay(int attempt)
{
	if (attempt < 1)
		attempt = 1;
	long delay = 60;
	for (int i = 1; i < attempt && delay < MG_JOB_RETRY_CAP; i++)
		delay *= 2;
	return delay < MG_JOB_RETRY_CAP ? delay : MG_JOB_RETRY_CAP;
}

static const char *const outcome_names[] = {
	[MG_OUTCOME_NONE] = "none", [MG_OUTCOME_RUNNING] = "running", [MG_OUTCOME_OK] = "ok",
	[MG_OUTCOME_FAILED] = "failed", [MG_OUTCOME_ABANDONED] = "abandoned",
};

enum mg_job_outcome mg_job_outcome_parse(const char *name)
{
	for (size_t i = MG_OUTCOME_RUNNING; i < sizeof(outcome_names) / sizeof(outcome_names[0]); i++)
		if (name != NULL && strcmp(name, outcome_names[i]) == 0)
			return (enum mg_job_outcome)i;
	return MG_OUTCOME_NONE;
}

const char *mg_job_outcome_name(enum mg_job_outcome outcome)
{
	if ((size_t)outcome >= sizeof(outcome_names) / sizeof(outcome_names[0]))
		return "none";
	return outcome_names[outcome];
}

static time_t earlier(time_t a, time_t b)
{
	return a < b ? a : b;
}

struct mg_job_plan mg_job_plan(const struct mg_schedule *s, const struct mg_job_last *last, time_t now)
{
	time_t slot = mg_schedule_latest(s, now), next = slot + s->period;
	struct mg_job_plan plan = { .run = false, .slot = slot, .attempt = 1, .wake = next };
	if (last->outcome == MG_OUTCOME_NONE || last->slot < slot) {
		plan.run = true;
		return plan;
	}
	if (last->slot > slot)
		return plan; /* the clock went back: this slot was passed already */
	switch (last->outcome) {
	case MG_OUTCOME_ABANDONED:
		plan.run = last->attempt < MG_JOB_MAX_ATTEMPTS;
		plan.attempt = last->attempt + 1;
		break;
	case MG_OUTCOME_FAILED:
		if (last->attempt >= MG_JOB_MAX_ATTEMPTS)
			break;
		time_t retry_at = last->finished + mg_job_retry_delay(last->attempt);
		plan.attempt = last->attempt + 1;
		if (now >= retry_at)
			plan.run = true;
		else
			plan.wake = earlier(retry_at, next);
		break;
	case MG_OUTCOME_RUNNING:
		/* another scheduler's run in progress: look again in a minute */
		plan.wake = earlier(now + 60, next);
		break;
	default:
		break;
	}
	return plan;
}

/* Reads "+01:00", "+0100", "-05" or "Z" at s into seconds east of UTC; false when not one. */
static bool parse_zone(const char *s, long *offset)
{
	if (strcmp(s, "Z") == 0) {
		*offset = 0;
		return true;
	}
	if (*s != '+' && *s != '-')
		return false;
	long hh = 0, mm = 0;
	const char *p = s + 1;
	if (read_number(p, 2, &hh) != 2)
		return false;
	p += 2;
	if (*p == ':')
		p++;
	if (*p != '\0' && read_number(p, 2, &mm) != 2)
		return false;
	if (*p != '\0')
		p += 2;
	if (*p != '\0' || hh > 23 || mm > 59)
		return false;
	*offset = (*s == '-' ? -1 : 1) * (hh * 3600 + mm * 60);
	return true;
}

enum mg_err mg_time_parse_iso(const char *text, time_t *out)
{
	if (text == NULL)
		return MG_ERR_INPUT;
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	const char *rest = strptime(text, "%Y-%m-%d", &tm);
	if (rest == NULL || (*rest != 'T' && *rest != ' ') || rest - text != 10)
		return MG_ERR_INPUT;
	const char *time_part = rest + 1;
	long hh = 0, mm = 0, ss = 0;
	if (read_number(time_part, 2, &hh) != 2 || time_part[2] != ':' || read_number(time_part + 3, 2, &mm) != 2)
		return MG_ERR_INPUT;
	rest = time_part + 5;
	if (*rest == ':') {
		if (read_number(rest + 1, 2, &ss) != 2)
			return MG_ERR_INPUT;
		rest += 3;
	}
	if (hh > 23 || mm > 59 || ss > 59)
		return MG_ERR_INPUT;
	long offset = 0;
	bool zoned = *rest != '\0';
	if (zoned && !parse_zone(rest, &offset))
		return MG_ERR_INPUT;
	/* strptime accepts 2026-02-31; timegm would carry it into March, so check the round trip */
	int year = tm.tm_year, month = tm.tm_mon, day = tm.tm_mday;
	tm.tm_hour = (int)hh;
	tm.tm_min = (int)mm;
	tm.tm_sec = (int)ss;
	time_t local = timegm(&tm);
	if (tm.tm_year != year || tm.tm_mon != month || tm.tm_mday != day)
		return MG_ERR_INPUT;
	if (!zoned) /* a local time of the platform's zone; in a gap, the next valid time */
		return mg_tz_utc(mg_tz_platform(), &tm, out, NULL) == MG_OK ? MG_OK : MG_ERR_INPUT;
	*out = local - offset;
	return MG_OK;
}

void mg_time_format_platform(time_t t, char *out, size_t outlen)
{
	mg_tz_format(mg_tz_platform(), t, MG_TZ_SECOND, NULL, out, outlen);
}
