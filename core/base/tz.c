/*
 * Time zones through the C library and the system tz database (see tz.h for the rules).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tz.h"

static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;
static char platform_zone[MG_TZ_NAME_MAX + 1] = MG_TZ_DEFAULT;
static char current_zone[MG_TZ_NAME_MAX + 1]; /* TZ as last set, under tz_lock */
/* TZ as the process found it, put back for the programs it runs (mg_tz_restore_env) */
static char found_tz[256];
static bool found_saved, found_set;

/* Zones found valid, so a request does not read the zone file twice to check it. */
enum { KNOWN_MAX = 32 };
static char known[KNOWN_MAX][MG_TZ_NAME_MAX + 1];
static size_t nknown;

static bool name_shape_ok(const char *zone)
{
	size_t len = zone != NULL ? strlen(zone) : 0;
	if (len == 0 || len > MG_TZ_NAME_MAX || zone[0] == '/' || zone[0] == '.' || zone[0] == '-' ||
	    strspn(zone, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-") != len)
		return false;
	return strstr(zone, "..") == NULL && strstr(zone, "//") == NULL && zone[len - 1] != '/';
}

/* Whether the tz database has a compiled zone file of that name (it starts "TZif"). */
static bool zone_file_ok(const char *zone)
{
	const char *dir = getenv("TZDIR");
	char path[512], magic[4];
	snprintf(path, sizeof(path), "%s/%s", dir != NULL && dir[0] ? dir : "/usr/share/zoneinfo", zone);
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return false;
	bool ok = fread(magic, 1, 4, f) == 4 && memcmp(magic, "TZif", 4) == 0;
	fclose(f);
	return ok;
}

/* Called with tz_lock held. */
static bool valid_locked(const char *zone)
{
	if (!name_shape_ok(zone))
		return false;
	for (size_t i = 0; i < nknown; i++)
		if (strcmp(known[i], zone) == 0)
			return true;
	if (!zone_file_ok(zone))
		return false;
	if (nknown < KNOWN_MAX)
		snprintf(known[nknown++], sizeof(known[0]), "%s", zone);
	return true;
}

bool mg_tz_valid(const char *zone)
{
	pthread_mutex_lock(&tz_lock);
	bool ok = valid_locked(zone);
	pthread_mutex_unlock(&tz_lock);
	return ok;
}

const char *mg_tz_platform(void) { return platform_zone; }

enum mg_err mg_tz_set_platform(const char *zone)
{
	if (!mg_tz_valid(zone))
		return MG_ERR_CONFIG;
	snprintf(platform_zone, sizeof(platform_zone), "%s", zone);
	return MG_OK;
}

/* Makes zone the C library's current zone; with tz_lock held. */
static bool use_locked(const char *zone)
{
	if (!valid_locked(zone))
		return false;
	if (strcmp(current_zone, zone) != 0) {
		if (!found_saved) {
			const char *tz = getenv("TZ");
			found_set = tz != NULL;
			snprintf(found_tz, sizeof(found_tz), "%s", tz != NULL ? tz : "");
			found_saved = true;
		}
		/* the leading ':' makes glibc read the zone file, never a POSIX rule string */
		char value[MG_TZ_NAME_MAX + 2];
		snprintf(value, sizeof(value), ":%s", zone);
		if (setenv("TZ", value, 1) != 0)
			return false;
		tzset();
		snprintf(current_zone, sizeof(current_zone), "%s", zone);
	}
	return true;
}

void mg_tz_restore_env(void)
{
	if (!found_saved)
		return;
	if (found_set)
		setenv("TZ", found_tz, 1);
	else
		unsetenv("TZ");
	tzset();
	current_zone[0] = '\0';
}

/* The offset east of UTC at t; with tz_lock held and the zone in use. */
static long offset_at(time_t t)
{
	struct tm tm;
	return localtime_r(&t, &tm) != NULL ? tm.tm_gmtoff : 0;
}

/*
 * Switching the C library's zone re-reads the zone file (about 25 µs), and a request of a tenant
 * in London alternates between its zone and the platform's (the log lines). So the offset of
 * each whole UTC hour looked up is remembered: when the offset is the same at both ends of the
 * hour it holds throughout (the tz database has no two changes within an hour), and a time in
 * that hour is converted without the C library.
 */
enum { SPANS = 16 };
static struct span {
	char zone[MG_TZ_NAME_MAX + 1];
	time_t hour; /* the UTC hour [hour, hour + 3600) */
	long gmtoff;
	int isdst;
	char abbr[16];
} spans[SPANS];
static size_t spans_next;

/* With tz_lock held. */
static const struct span *span_find(const char *zone, time_t hour)
{
	for (size_t i = 0; i < SPANS; i++)
		if (spans[i].hour == hour && spans[i].zone[0] != '\0' && strcmp(spans[i].zone, zone) == 0)
			return &spans[i];
	return NULL;
}

/* With tz_lock held and zone in use: remembers the hour of t when its offset holds throughout. */
static void span_keep(const char *zone, time_t hour, const struct tm *at_t)
{
	if (offset_at(hour) != at_t->tm_gmtoff || offset_at(hour + 3599) != at_t->tm_gmtoff)
		return;
	struct span *s = &spans[spans_next++ % SPANS];
	snprintf(s->zone, sizeof(s->zone), "%s", zone);
	s->hour = hour;
	s->gmtoff = at_t->tm_gmtoff;
	s->isdst = at_t->tm_isdst;
	snprintf(s->abbr, sizeof(s->abbr), "%s", at_t->tm_zone != NULL ? at_t->tm_zone : "");
}

enum mg_err mg_tz_local(const char *zone, time_t t, struct tm *out)
{
	time_t hour = t - ((t % 3600) + 3600) % 3600;
	enum mg_err err = MG_OK;
	pthread_mutex_lock(&tz_lock);
	const struct span *s = zone != NULL ? span_find(zone, hour) : NULL;
	if (s != NULL) {
		time_t wall = t + s->gmtoff;
		gmtime_r(&wall, out);
		out->tm_gmtoff = s->gmtoff;
		out->tm_isdst = s->isdst;
		out->tm_zone = s->abbr;
	} else if (use_locked(zone) && localtime_r(&t, out) != NULL) {
		span_keep(zone, hour, out);
	} else {
		err = MG_ERR_INPUT;
	}
	pthread_mutex_unlock(&tz_lock);
	return err;
}

/*
 * The local time read as if it were UTC is `wall`; an instant t shows it when t + offset_at(t)
 * = wall. Offsets change at most once within a day around it, so the offsets a day before and
 * after are the only candidates: both fit → an overlap, take the earlier; one fits → exact;
 * none fits → a gap, and the next valid instant is the first second with the later offset,
 * found by halving between the two candidates.
 */
static void utc_locked(time_t wall, time_t *out, enum mg_tz_fit *fit)
{
	long before = offset_at(wall - 86400), after = offset_at(wall + 86400);
	time_t a = wall - before, b = wall - after;
	bool a_fits = offset_at(a) == before, b_fits = offset_at(b) == after;
	if (a_fits && b_fits && a != b) {
		*out = a < b ? a : b;
		*fit = MG_TZ_OVERLAP;
	} else if (a_fits || b_fits) {
		*out = a_fits ? a : b;
		*fit = MG_TZ_EXACT;
	} else {
		/* clocks went forward: offset `after` > `before`, so b < a; the jump lies in (b, a] */
		time_t lo = b < a ? b : a, hi = b < a ? a : b;
		while (hi - lo > 1) {
			time_t mid = lo + (hi - lo) / 2;
			if (offset_at(mid) == before)
				lo = mid;
			else
				hi = mid;
		}
		*out = hi;
		*fit = MG_TZ_GAP;
	}
}

enum mg_err mg_tz_utc(const char *zone, const struct tm *local, time_t *out, enum mg_tz_fit *fit)
{
	struct tm fields = { .tm_year = local->tm_year, .tm_mon = local->tm_mon, .tm_mday = local->tm_mday,
			     .tm_hour = local->tm_hour, .tm_min = local->tm_min, .tm_sec = local->tm_sec };
	time_t wall = timegm(&fields);
	enum mg_tz_fit ignored;
	pthread_mutex_lock(&tz_lock);
	bool ok = use_locked(zone);
	if (ok)
		utc_locked(wall, out, fit != NULL ? fit : &ignored);
	pthread_mutex_unlock(&tz_lock);
	return ok ? MG_OK : MG_ERR_INPUT;
}

enum mg_err mg_tz_day_start(const char *zone, time_t t, int days, time_t *out)
{
	struct tm tm;
	enum mg_err err = mg_tz_local(zone, t, &tm);
	if (err != MG_OK)
		return err;
	tm.tm_mday += days;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	return mg_tz_utc(zone, &tm, out, NULL);
}

/* The number in text[from..from+len), all digits, or -1. */
static int digits_at(const char *text, size_t from, size_t len)
{
	int v = 0;
	for (size_t i = from; i < from + len; i++) {
		if (text[i] < '0' || text[i] > '9')
			return -1;
		v = v * 10 + (text[i] - '0');
	}
	return v;
}

/* Whether year-month-day is a real date (timegm carries 31 April into May). */
static bool real_date(int year, int month, int day)
{
	if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31)
		return false;
	struct tm tm = { .tm_year = year - 1900, .tm_mon = month - 1, .tm_mday = day, .tm_hour = 12 };
	(void)timegm(&tm);
	return tm.tm_mday == day && tm.tm_mon == month - 1;
}

enum mg_err mg_tz_parse_date(const char *zone, const char *text, time_t *out)
{
	if (text == NULL || strlen(text) != 10 || text[4] != '-' || text[7] != '-')
		return MG_ERR_INPUT;
	int year = digits_at(text, 0, 4), month = digits_at(text, 5, 2), day = digits_at(text, 8, 2);
	if (year < 1970 || year > 9998 || !real_date(year, month, day))
		return MG_ERR_INPUT;
	struct tm tm = { .tm_year = year - 1900, .tm_mon = month - 1, .tm_mday = day };
	return mg_tz_utc(zone, &tm, out, NULL);
}

enum mg_err mg_tz_parse_local(const char *zone, const char *text, time_t *out, enum mg_tz_fit *fit)
{
	size_t len = text != NULL ? strlen(text) : 0;
	if ((len != 16 && len != 19) || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != ' ') ||
	    text[13] != ':' || (len == 19 && text[16] != ':'))
		return MG_ERR_INPUT;
	int year = digits_at(text, 0, 4), month = digits_at(text, 5, 2), day = digits_at(text, 8, 2);
	int hour = digits_at(text, 11, 2), minute = digits_at(text, 14, 2);
	int second = len == 19 ? digits_at(text, 17, 2) : 0;
	/* FROM_UNIXTIME of MariaDB 10.11 stops at 2038-01-19 */
	if (year < 2000 || year > 2037 || !real_date(year, month, day) || hour < 0 || hour > 23 || minute < 0 ||
	    minute > 59 || second < 0 || second > 59)
		return MG_ERR_INPUT;
	struct tm tm = { .tm_year = year - 1900, .tm_mon = month - 1, .tm_mday = day, .tm_hour = hour,
			 .tm_min = minute, .tm_sec = second };
	return mg_tz_utc(zone, &tm, out, fit);
}

static size_t format_tm(const struct tm *tm, enum mg_tz_style style, const char *lang, char *out, size_t outlen)
{
	static const char *const ja_days[] = { "日", "月", "火", "水", "木", "金", "土" };
	static const char *const en_days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const en_months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
						 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	int y = tm->tm_year + 1900, mo = tm->tm_mon + 1, d = tm->tm_mday, h = tm->tm_hour, mi = tm->tm_min;
	int s = tm->tm_sec, wd = tm->tm_wday >= 0 && tm->tm_wday < 7 ? tm->tm_wday : 0;
	bool ja = lang != NULL && strcmp(lang, "ja") == 0;
	long off = tm->tm_gmtoff, aoff = off < 0 ? -off : off;
	int n;
	switch (style) {
	case MG_TZ_MINUTE: n = snprintf(out, outlen, "%04d-%02d-%02d %02d:%02d", y, mo, d, h, mi); break;
	case MG_TZ_CLOCK: n = snprintf(out, outlen, "%02d:%02d", h, mi); break;
	case MG_TZ_SECOND: n = snprintf(out, outlen, "%04d-%02d-%02d %02d:%02d:%02d", y, mo, d, h, mi, s); break;
	case MG_TZ_DATE: n = snprintf(out, outlen, "%04d-%02d-%02d", y, mo, d); break;
	case MG_TZ_DAY: n = snprintf(out, outlen, "%04d%02d%02d", y, mo, d); break;
	case MG_TZ_INPUT: n = snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d", y, mo, d, h, mi); break;
	case MG_TZ_ISO:
		n = snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld", y, mo, d, h, mi, s,
			     off < 0 ? '-' : '+', aoff / 3600, aoff / 60 % 60);
		break;
	case MG_TZ_PEOPLE:
		n = ja ? snprintf(out, outlen, "%d年%d月%d日(%s) %02d:%02d", y, mo, d, ja_days[wd], h, mi)
		       : snprintf(out, outlen, "%s %d %s %d, %02d:%02d", en_days[wd], d, en_months[mo - 1], y, h, mi);
		break;
	case MG_TZ_PEOPLE_DATE:
		n = ja ? snprintf(out, outlen, "%d年%d月%d日(%s)", y, mo, d, ja_days[wd])
		       : snprintf(out, outlen, "%s %d %s %d", en_days[wd], d, en_months[mo - 1], y);
		break;
	default: n = -1;
	}
	return n < 0 || (size_t)n >= outlen ? 0 : (size_t)n;
}

size_t mg_tz_format(const char *zone, time_t t, enum mg_tz_style style, const char *lang, char *out, size_t outlen)
{
	struct tm tm;
	if (outlen > 0)
		out[0] = '\0';
	if (mg_tz_local(zone, t, &tm) != MG_OK)
		return 0;
	size_t n = format_tm(&tm, style, lang, out, outlen);
	if (n == 0 && outlen > 0)
		out[0] = '\0';
	return n;
}

const char *mg_tz_label(const char *zone, const char *lang)
{
	if (zone == NULL || strcmp(zone, "Asia/Tokyo") == 0)
		return lang != NULL && strcmp(lang, "ja") == 0 ? "日本時間" : "Japan time";
	return zone;
}
