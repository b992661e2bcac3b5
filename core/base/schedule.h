/*
 * The arithmetic of `madoguchi jobs`, kept apart from the database so it can be tested alone:
 * job schedules ("every 10m", "every 1h", "daily 03:00", all in the platform's zone, config
 * platform_time_zone, Asia/Tokyo by default), the slots they name, the
 * retry policy after a failed run, and the decision "what should run now" from the last run.
 *
 * A schedule is a period and an offset from local midnight: "every 10m" has slots at 00:00,
 * 00:10, … local time; "daily 03:00" at 03:00 local time each day (tz.h converts; in a zone with
 * daylight saving a slot in the skipped hour runs at the next valid time, one in the repeated
 * hour runs once, at the earlier).
 */
#ifndef MG_SCHEDULE_H
#define MG_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "err.h"

enum { MG_DAY = 86400 };

struct mg_schedule {
	long period; /* seconds between slots; divides a day */
	long offset; /* seconds after local midnight of the day's first slot; < period */
};

/* Parses "every Nm" (N divides 1440), "every Nh" (N divides 24) or "daily HH:MM". On error
 * errbuf says why; *out is untouched. */
enum mg_err mg_schedule_parse(const char *text, struct mg_schedule *out, char *errbuf, size_t errlen);
/* The latest slot at or before t. */
time_t mg_schedule_latest(const struct mg_schedule *s, time_t t);
/* The first slot strictly after t. */
time_t mg_schedule_next(const struct mg_schedule *s, time_t t);

/* A failed run is tried again after 1, 2, 4, 8… minutes (at most MG_JOB_RETRY_CAP), up to
 * MG_JOB_MAX_ATTEMPTS attempts per slot; then it stays failed until the next slot. */
enum { MG_JOB_MAX_ATTEMPTS = 5, MG_JOB_RETRY_CAP = 30 * 60 };
/* Seconds to wait after failed attempt number `attempt` (1 for the first run of a slot). */
long mg_job_retry_delay(int attempt);

enum mg_job_outcome {
	MG_OUTCOME_NONE,      /* the job never ran on a schedule */
	MG_OUTCOME_RUNNING,   /* a scheduler holds its lease and runs it */
	MG_OUTCOME_OK,
	MG_OUTCOME_FAILED,
	MG_OUTCOME_ABANDONED, /* its scheduler stopped (killed, host gone) before it finished */
};

/* The outcome named as job_run.outcome stores it ("ok"); MG_OUTCOME_NONE for an unknown name. */
enum mg_job_outcome mg_job_outcome_parse(const char *name);
const char *mg_job_outcome_name(enum mg_job_outcome outcome);

/* The last scheduled run of a job (manual runs do not count). */
struct mg_job_last {
	enum mg_job_outcome outcome; /* MG_OUTCOME_NONE: no run at all; the rest is unset */
	time_t slot;                 /* scheduled_for */
	int attempt;                 /* 1 for the first run of the slot */
	time_t finished;             /* when it failed */
};

struct mg_job_plan {
	bool run;     /* run now, for slot, as attempt */
	time_t slot;
	int attempt;
	time_t wake;  /* when to look again (after this run, if run is set: the next slot) */
};

/*
 * What to do at `now` for a job with schedule s whose last scheduled run is `last`:
 *  - a slot newer than the last run's is due: run it (only the latest missed slot, once);
 *  - the last run of the current slot failed: run it again once its back-off has passed, or
 *    at once when it was abandoned, until MG_JOB_MAX_ATTEMPTS attempts;
 *  - otherwise wait for the next slot (or the retry time, when that comes first).
 * A last run newer than the current slot (the clock went back) waits for the clock.
 */
struct mg_job_plan mg_job_plan(const struct mg_schedule *s, const struct mg_job_last *last, time_t now);

/* Parses an ISO 8601 time: "2026-04-01T03:00:00+01:00", "…Z", "…+0100", seconds optional,
 * a space for the T; without a zone it is the platform's zone. MG_ERR_INPUT when it is not one. */
enum mg_err mg_time_parse_iso(const char *text, time_t *out);
/* Formats t as "2026-04-01 03:00:00" in the platform's zone into out (at least 20 bytes). */
void mg_time_format_platform(time_t t, char *out, size_t outlen);

#endif
