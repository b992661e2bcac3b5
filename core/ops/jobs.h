/*
 * The job scheduler behind `madoguchi jobs`: the core's jobs and each module's (struct mg_job,
 * core/module.h), run when their schedule (core/base/schedule.h) says, each run recorded in
 * job_run, and a lease row per job in job_lease so that only one scheduler runs a job at a time
 * even with several hosts.
 *
 * A run: take the job's lease (a conditional UPDATE that succeeds only when the lease is free or
 * expired), record any run left 'running' by a scheduler that died as 'abandoned', decide from
 * the last run what is due (mg_job_plan), insert a 'running' row, call run() while a second
 * connection renews the lease, record ok or failed with a detail, release the lease. The job's
 * run() owns its transactions; the scheduler only records. Every time comes from mg_now(), so
 * the tests move the scheduler's clock as they move the workers'.
 */
#ifndef MG_JOBS_H
#define MG_JOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "db.h"
#include "err.h"
#include "schedule.h"

#include <time.h>
#include "arena.h"

/* A periodic job run by `madoguchi jobs`. */
struct mg_job {
	const char *name;     /* "<module>.<what>" */
	const char *schedule; /* "every 1m", "daily 03:00" (platform_time_zone) */
	enum mg_err (*run)(struct mg_db *db, struct mg_arena *arena, time_t now);
};

/* Seconds a lease lasts without renewal, and how often a running job's lease is renewed. */
enum { MG_JOB_LEASE_TTL = 60, MG_JOB_LEASE_RENEW = 20 };

/* The core's own jobs, ended by a { NULL } entry (modules declare theirs in .jobs). */
extern const struct mg_job mg_core_jobs[];
/* The statements of mg_jobs_statements (jobs.c); a call names one as &mg_jobs_statements[<constant>]. */
enum mg_jobs_sql {
	MG_SQL_JOBS_JOB_LEASE_ENSURE,
	MG_SQL_JOBS_JOB_LEASE_TAKE,
	MG_SQL_JOBS_JOB_LEASE_GET,
	MG_SQL_JOBS_JOB_LEASE_RENEW,
	MG_SQL_JOBS_JOB_LEASE_RELEASE,
	MG_SQL_JOBS_JOB_ABANDON,
	MG_SQL_JOBS_JOB_LAST_SCHEDULED,
	MG_SQL_JOBS_JOB_RUN_START,
	MG_SQL_JOBS_JOB_RUN_FINISH,
	MG_SQL_JOBS_JOB_LAST_RUN,
	MG_SQL_JOBS_JOB_HISTORY,
	MG_SQL_JOBS_HEARTBEAT,
	MG_SQL_JOBS__MAX
};
extern const struct mg_sql mg_jobs_statements[MG_SQL_JOBS__MAX + 1];

/* Records a line of detail with the current run ("deleted 12 expired sessions"); the last
 * call of a run wins. For a job's run() only. */
void mg_job_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The job_run id of the run in progress (0 outside a run), for a job's own records. */
unsigned long long mg_job_run_id(void);

struct mg_job_entry {
	const struct mg_job *job;
	const char *owner; /* "core" or the module's name */
	struct mg_schedule schedule;
	time_t check_at;   /* the serve loop looks at the job again at this time */
};

struct mg_scheduler {
	struct mg_db *db;       /* runs the jobs and records their runs */
	struct mg_db *lease_db; /* renews the lease while a job runs (used by that thread only) */
	char holder[128];       /* who holds a lease: "host:pid:random" */
	struct mg_job_entry *entries;
	size_t n;
};

/* Gathers the core's jobs and every loaded module's, checking names and schedules; errbuf
 * names the job and the problem. The scheduler borrows both connections. */
enum mg_err mg_scheduler_init(struct mg_scheduler *s, struct mg_db *db, struct mg_db *lease_db, char *errbuf,
			      size_t errlen);
void mg_scheduler_free(struct mg_scheduler *s);
struct mg_job_entry *mg_scheduler_find(const struct mg_scheduler *s, const char *name);

/* What one look at a job came to. */
struct mg_job_result {
	bool ran;
	enum mg_job_outcome outcome; /* of the run, when ran */
	time_t slot;
	int attempt;
	time_t wake;                 /* when the job is next due (or its retry) */
	char detail[1024];
	char holder[128];            /* MG_ERR_CONFLICT: who holds the lease, and until when */
	time_t lease_until;
};

/* Runs the job if its schedule says so, under its lease, and records the run. MG_OK whether
 * the job succeeded or failed (see out->outcome); MG_ERR_CONFLICT when another scheduler
 * holds its lease; a database error when the run could not be recorded. */
enum mg_err mg_scheduler_consider(struct mg_scheduler *s, struct mg_job_entry *e, struct mg_job_result *out);
/* Runs the job now whatever its schedule, as a manual run whose run() sees `as_of` as the
 * time; same results as mg_scheduler_consider. */
enum mg_err mg_scheduler_run_manual(struct mg_scheduler *s, struct mg_job_entry *e, time_t as_of,
				    struct mg_job_result *out);
/* What the schedule and the last scheduled run say about the job at `now` (for `jobs list`). */
enum mg_err mg_scheduler_plan(struct mg_scheduler *s, const struct mg_job_entry *e, time_t now,
			      struct mg_job_plan *out);
/* The loop of `madoguchi jobs`: looks at every job (catching up what was missed while no
 * scheduler ran), then sleeps until the next is due, until SIGTERM or SIGINT, which stop it
 * after the job in progress. With once, one pass and no sleep. Returns the exit status: 0,
 * or 1 when a run failed or could not be recorded. */
int mg_scheduler_serve(struct mg_scheduler *s, bool once);
/* The loop also records its heartbeat (platform_setting "scheduler_heartbeat": the UNIX time of
 * its latest pass, written at most every MG_JOB_HEARTBEAT seconds), which the watcher reads
 * (core/ops/monitor.c). */
enum { MG_JOB_HEARTBEAT = 30 };

/* The module loader registers each module's jobs (ended by a { NULL } entry) under the module's
 * name; the scheduler runs them beside the core's. MG_ERR_CONFIG past MG_MAX_MODULES. */
enum mg_err mg_jobs_register(const char *owner, const struct mg_job *jobs);
void mg_jobs_forget(void);

#endif
