/*
 * Time zones: instants are stored in UTC and shown and read in a named zone of the system tz
 * database (Debian's tzdata, /usr/share/zoneinfo): the tenant's zone for everything a tenant's
 * staff or public see, the platform's zone (config `platform_time_zone`, Asia/Tokyo by default)
 * for the platform's own schedule, purge dates and logs.
 *
 * Through the C library: the zone is made current with TZ and tzset(), then localtime_r does
 * the work. That keeps the tz database's own rules (DST, historical changes) without a parser
 * of ours; the switch is serialised by a mutex (the jobs process logs from a second thread),
 * and nothing else in Madoguchi may call localtime/mktime.
 *
 * Local → UTC follows two rules (unit-tested in tests/unit/test_tz.c):
 *  - a local time that exists twice (the hour the clocks go back) is the EARLIER instant;
 *  - a local time that does not exist (the hour the clocks go forward) is reported as
 *    MG_TZ_GAP with the next valid instant (the moment the clocks jumped): form input refuses
 *    it with a message, day boundaries take that instant.
 */
#ifndef MG_TZ_H
#define MG_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "err.h"

enum { MG_TZ_NAME_MAX = 63 }; /* tenant.time_zone is VARCHAR(64) */

#define MG_TZ_DEFAULT "Asia/Tokyo"

/* Whether zone names a zone of the tz database ("Asia/Tokyo", "Europe/London", "UTC"); POSIX
 * rule strings ("JST-9") and paths are refused. */
bool mg_tz_valid(const char *zone);

/* Puts TZ back as the process found it, so a program it runs (mariadbd, mariadb-backup, a
 * shell) keeps the machine's zone; the next conversion sets it again. Takes no lock: call it
 * only where no other thread converts times (in a child after fork, in a command before
 * system()). */
void mg_tz_restore_env(void);

/* The platform's own zone (jobs schedule, purge dates, logs): Asia/Tokyo until set. */
const char *mg_tz_platform(void);
/* Sets it; MG_ERR_CONFIG (and unchanged) when zone is not valid. */
enum mg_err mg_tz_set_platform(const char *zone);

/* The local date and time of t in zone, with tm_gmtoff (seconds east of UTC) and tm_zone
 * ("JST", "BST"; valid until the next call) set. MG_ERR_INPUT when the zone is unknown. */
enum mg_err mg_tz_local(const char *zone, time_t t, struct tm *out);

enum mg_tz_fit {
	MG_TZ_EXACT,   /* the local time exists once */
	MG_TZ_OVERLAP, /* it exists twice: the earlier instant was taken */
	MG_TZ_GAP,     /* it does not exist: the next valid instant was taken */
};

/* The UTC instant of a local date and time in zone. Only tm_year, tm_mon, tm_mday, tm_hour,
 * tm_min and tm_sec are read, and they may be out of range (tm_mday 32 is the 1st of the next
 * month), as for timegm. *fit (may be NULL) says which rule applied. MG_ERR_INPUT when the zone
 * is unknown. */
enum mg_err mg_tz_utc(const char *zone, const struct tm *local, time_t *out, enum mg_tz_fit *fit);

/* The UTC instant of 00:00 (or the first valid time after it) of the local day `days` days
 * after the day of t in zone (days may be negative). */
enum mg_err mg_tz_day_start(const char *zone, time_t t, int days, time_t *out);

/* Reads "YYYY-MM-DD" (a real date) as the UTC instant its local day starts in zone;
 * MG_ERR_INPUT when it is not a date. */
enum mg_err mg_tz_parse_date(const char *zone, const char *text, time_t *out);

/* Reads "YYYY-MM-DDTHH:MM" (or a space for the T, optionally ":SS"; years 2000–2037) as a local
 * time in zone. MG_ERR_INPUT when it is not one; *fit says whether it fell in a gap (the caller
 * refuses it or takes *out, the next valid instant) or an overlap (*out is the earlier). */
enum mg_err mg_tz_parse_local(const char *zone, const char *text, time_t *out, enum mg_tz_fit *fit);

enum mg_tz_style {
	MG_TZ_MINUTE,  /* 2026-05-01 19:00 */
	MG_TZ_CLOCK,   /* 19:00 */
	MG_TZ_SECOND,  /* 2026-05-01 19:00:00 */
	MG_TZ_DATE,    /* 2026-05-01 */
	MG_TZ_DAY,     /* 20260501 (file names) */
	MG_TZ_INPUT,   /* 2026-05-01T19:00 (a datetime-local input's value) */
	MG_TZ_ISO,     /* 2026-05-01T19:00:00+09:00 */
	MG_TZ_PEOPLE,  /* ja: 2026年5月1日(金) 19:00; en: Fri 1 May 2026, 19:00 */
	MG_TZ_PEOPLE_DATE, /* ja: 2026年5月1日(金); en: Fri 1 May 2026 */
};

/* Formats t in zone in the style (lang "ja" or "en" for the PEOPLE styles; anything else is
 * English) into out; returns the length, 0 when it did not fit or the zone is unknown. */
size_t mg_tz_format(const char *zone, time_t t, enum mg_tz_style style, const char *lang, char *out, size_t outlen);
/* How a page names the zone next to a time: "日本時間" / "Japan time" for Asia/Tokyo, else the
 * zone's name ("Europe/London"). */
const char *mg_tz_label(const char *zone, const char *lang);

#endif
