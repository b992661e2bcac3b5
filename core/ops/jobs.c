#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "crypto.h"
#include "jobs.h"
#include "log.h"
#include "tz.h"

/* ---- statements ----------------------------------------------------------------------------- */

/* Every time is bound from mg_now(), never the server's NOW(), so that one clock rules. */
const struct mg_sql mg_jobs_statements[] = {
	/* the lease row of a job, created free the first time */
	[MG_SQL_JOBS_JOB_LEASE_ENSURE] = { "core.job_lease_ensure",
	  "INSERT INTO job_lease (job, holder, expires_at) VALUES (?, '', FROM_UNIXTIME(0))"
	  " ON DUPLICATE KEY UPDATE job = job" },
	/* taken when released, expired or already ours: holder, expires, job, holder, now. A
	 * released lease is free whatever its time (a clock moved back must not hold it) */
	[MG_SQL_JOBS_JOB_LEASE_TAKE] = { "core.job_lease_take",
	  "UPDATE job_lease SET holder = ?, expires_at = FROM_UNIXTIME(?)"
	  " WHERE job = ? AND (holder = ? OR holder = '' OR expires_at <= FROM_UNIXTIME(?))" },
	[MG_SQL_JOBS_JOB_LEASE_GET] = { "core.job_lease_get",
	  "SELECT holder, UNIX_TIMESTAMP(expires_at) FROM job_lease WHERE job = ?" },
	[MG_SQL_JOBS_JOB_LEASE_RENEW] = { "core.job_lease_renew",
	  "UPDATE job_lease SET expires_at = FROM_UNIXTIME(?) WHERE job = ? AND holder = ?" },
	[MG_SQL_JOBS_JOB_LEASE_RELEASE] = { "core.job_lease_release",
	  "UPDATE job_lease SET holder = '', expires_at = FROM_UNIXTIME(?) WHERE job = ? AND holder = ?" },
	/* runs left 'running' by a scheduler whose lease expired: it stopped (killed, host gone) */
	[MG_SQL_JOBS_JOB_ABANDON] = { "core.job_abandon",
	  "UPDATE job_run SET outcome = 'abandoned', finished_at = FROM_UNIXTIME(?),"
	  " detail = CONCAT('abandoned: its scheduler ', holder, ' stopped before the run finished')"
	  " WHERE job = ? AND outcome = 'running'" },
	[MG_SQL_JOBS_JOB_LAST_SCHEDULED] = { "core.job_last_scheduled",
	  "SELECT UNIX_TIMESTAMP(scheduled_for), outcome, attempt, UNIX_TIMESTAMP(COALESCE(finished_at, started_at))"
	  " FROM job_run WHERE job = ? AND manual = 0 ORDER BY scheduled_for DESC, id DESC LIMIT 1" },
	[MG_SQL_JOBS_JOB_RUN_START] = { "core.job_run_start",
	  "INSERT INTO job_run (job, scheduled_for, manual, attempt, started_at, outcome, holder)"
	  " VALUES (?, FROM_UNIXTIME(?), ?, ?, FROM_UNIXTIME(?), 'running', ?)" },
	[MG_SQL_JOBS_JOB_RUN_FINISH] = { "core.job_run_finish",
	  "UPDATE job_run SET outcome = ?, finished_at = FROM_UNIXTIME(?), detail = ? WHERE id = ?" },
	[MG_SQL_JOBS_JOB_LAST_RUN] = { "core.job_last_run",
	  "SELECT outcome, attempt, manual, UNIX_TIMESTAMP(started_at) FROM job_run WHERE job = ?"
	  " ORDER BY id DESC LIMIT 1" },
	/* job ('' for all), job, limit */
	[MG_SQL_JOBS_JOB_HISTORY] = { "core.job_history",
	  "SELECT id, job, UNIX_TIMESTAMP(scheduled_for), manual, attempt, UNIX_TIMESTAMP(started_at),"
	  " UNIX_TIMESTAMP(finished_at), outcome, holder, COALESCE(detail, '') FROM job_run"
	  " WHERE ? = '' OR job = ? ORDER BY id DESC LIMIT ?" },
	[MG_SQL_JOBS_HEARTBEAT] = { "core.job_heartbeat",
	  "INSERT INTO platform_setting (name, value, updated_at) VALUES ('scheduler_heartbeat', ?, UTC_TIMESTAMP(6))"
	  " ON DUPLICATE KEY UPDATE value = VALUES(value), updated_at = VALUES(updated_at)" },
	[MG_SQL_JOBS__MAX] = { NULL, NULL },
};

/* ---- the detail a job notes ----------------------------------------------------------------- */

/* Jobs run one at a time in the main thread. */
static char job_note[512];
static unsigned long long job_run_current;

unsigned long long mg_job_run_id(void)
{
	return job_run_current;
}

void mg_job_note(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(job_note, sizeof(job_note), fmt, ap);
	va_end(ap);
}

/* ---- the job table -------------------------------------------------------------------------- */

static enum mg_err add_jobs(struct mg_scheduler *s, const char *owner, const struct mg_job *jobs, char *errbuf,
			    size_t errlen)
{
	for (const struct mg_job *j = jobs; j != NULL && j->name != NULL; j++) {
		if (j->run == NULL || strlen(j->name) > 64 || strchr(j->name, '.') == NULL) {
			snprintf(errbuf, errlen, "job '%s' of %s: a job is named \"<owner>.<what>\" (64 bytes at most) and "
				 "has a run function", j->name, owner);
			return MG_ERR_CONFIG;
		}
		if (mg_scheduler_find(s, j->name) != NULL) {
			snprintf(errbuf, errlen, "job '%s' is declared twice (by %s)", j->name, owner);
			return MG_ERR_CONFIG;
		}
		struct mg_job_entry *e = &s->entries[s->n];
		char why[256];
		if (mg_schedule_parse(j->schedule, &e->schedule, why, sizeof(why)) != MG_OK) {
			snprintf(errbuf, errlen, "job '%s' of %s: %s", j->name, owner, why);
			return MG_ERR_CONFIG;
		}
		e->job = j;
		e->owner = owner;
		e->check_at = 0;
		s->n++;
	}
	return MG_OK;
}

/* The modules' job tables, registered by the loader with the module's name. */
static struct {
	const char *owner;
	const struct mg_job *jobs;
} module_jobs[MG_MAX_MODULES];
static size_t nmodule_jobs;

enum mg_err mg_jobs_register(const char *owner, const struct mg_job *jobs)
{
	if (jobs == NULL)
		return MG_OK;
	if (nmodule_jobs == MG_MAX_MODULES)
		return MG_ERR_CONFIG;
	module_jobs[nmodule_jobs].owner = owner;
	module_jobs[nmodule_jobs].jobs = jobs;
	nmodule_jobs++;
	return MG_OK;
}

void mg_jobs_forget(void)
{
	nmodule_jobs = 0;
}

static size_t count_jobs(const struct mg_job *jobs)
{
	size_t n = 0;
	for (const struct mg_job *j = jobs; j != NULL && j->name != NULL; j++)
		n++;
	return n;
}

enum mg_err mg_scheduler_init(struct mg_scheduler *s, struct mg_db *db, struct mg_db *lease_db, char *errbuf,
			      size_t errlen)
{
	memset(s, 0, sizeof(*s));
	s->db = db;
	s->lease_db = lease_db;
	char host[64] = "localhost", token[MG_TOKEN_CHARS + 1];
	gethostname(host, sizeof(host) - 1);
	mg_token_new(token);
	snprintf(s->holder, sizeof(s->holder), "%s:%ld:%.8s", host, (long)getpid(), token);

	size_t total = count_jobs(mg_core_jobs);
	for (size_t i = 0; i < nmodule_jobs; i++)
		total += count_jobs(module_jobs[i].jobs);
	s->entries = calloc(total + 1, sizeof(*s->entries));
	if (s->entries == NULL)
		return MG_ERR_NOMEM;
	enum mg_err err = add_jobs(s, "core", mg_core_jobs, errbuf, errlen);
	for (size_t i = 0; err == MG_OK && i < nmodule_jobs; i++)
		err = add_jobs(s, module_jobs[i].owner, module_jobs[i].jobs, errbuf, errlen);
	return err;
}

void mg_scheduler_free(struct mg_scheduler *s)
{
	free(s->entries);
	s->entries = NULL;
	s->n = 0;
}

struct mg_job_entry *mg_scheduler_find(const struct mg_scheduler *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->entries[i].job->name, name) == 0)
			return &s->entries[i];
	return NULL;
}

/* ---- the lease ------------------------------------------------------------------------------ */

/* Reads who holds the job's lease and until when. */
static enum mg_err lease_get(struct mg_db *db, struct mg_arena *arena, const char *job, char *holder, size_t len,
			     time_t *until)
{
	struct mg_dbval args[] = { MG_TEXT(job) };
	struct mg_rows rows;
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_jobs_statements[MG_SQL_JOBS_JOB_LEASE_GET], args, 1, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	if (rows.nrows == 0)
		return MG_ERR_NOT_FOUND;
	snprintf(holder, len, "%s", MG_CELL(&rows, 0, 0));
	*until = (time_t)strtoll(MG_CELL(&rows, 0, 1), NULL, 10);
	return MG_OK;
}

/* Takes the job's lease until now + TTL; MG_ERR_CONFLICT (out->holder, out->lease_until) when
 * another scheduler holds it. The read-back decides, not the affected-row count, which is 0
 * when nothing changed. */
static enum mg_err lease_take(struct mg_scheduler *s, struct mg_arena *arena, const char *job, time_t now,
			      struct mg_job_result *out)
{
	struct mg_dbval ensure[] = { MG_TEXT(job) };
	enum mg_err err =
	    mg_db_exec(s->db, arena, &mg_jobs_statements[MG_SQL_JOBS_JOB_LEASE_ENSURE], ensure, 1, NULL, NULL, NULL);
	if (err != MG_OK)
		return err;
	struct mg_dbval take[] = { MG_TEXT(s->holder), MG_INT(now + MG_JOB_LEASE_TTL), MG_TEXT(job), MG_TEXT(s->holder),
				   MG_INT(now) };
	if ((err = mg_db_exec(s->db, arena, &mg_jobs_statements[MG_SQL_JOBS_JOB_LEASE_TAKE], take, 5, NULL, NULL,
	                      NULL)) != MG_OK)
		return err;
	if ((err = lease_get(s->db, arena, job, out->holder, sizeof(out->holder), &out->lease_until)) != MG_OK)
		return err;
	return strcmp(out->holder, s->holder) == 0 ? MG_OK : MG_ERR_CONFLICT;
}

static void lease_release(struct mg_scheduler *s, struct mg_arena *arena, const char *job)
{
	struct mg_dbval args[] = { MG_INT(mg_now()), MG_TEXT(job), MG_TEXT(s->holder) };
	if (mg_db_exec(s->db, arena, &mg_jobs_statements[MG_SQL_JOBS_JOB_LEASE_RELEASE], args, 3, NULL, NULL, NULL) !=
	    MG_OK)
		mg_log_warn("jobs: %s: could not release the lease (it expires by itself): %s", job, mg_db_error(s->db));
}

/* Renews the lease from a thread of its own (with its own connection) while run() works. */
struct lease_keeper {
	struct mg_scheduler *s;
	const char *job;
	pthread_t thread;
	pthread_mutex_t mutex;
	pthread_cond_t wake;
	bool stop, lost, started;
};

static enum mg_err lease_renew(struct mg_scheduler *s, const char *job)
{
	struct mg_arena *arena = mg_arena_new();
	struct mg_dbval args[] = { MG_INT(mg_now() + MG_JOB_LEASE_TTL), MG_TEXT(job), MG_TEXT(s->holder) };
	char holder[128] = "";
	time_t until = 0;
	enum mg_err err =
	    mg_db_exec(s->lease_db, arena, &mg_jobs_statements[MG_SQL_JOBS_JOB_LEASE_RENEW], args, 3, NULL, NULL, NULL);
	if (err == MG_OK)
		err = lease_get(s->lease_db, arena, job, holder, sizeof(holder), &until);
	if (err == MG_OK && strcmp(holder, s->holder) != 0)
		err = MG_ERR_CONFLICT;
	mg_arena_free(arena);
	return err;
}

static void *keep_lease(void *arg)
{
	struct lease_keeper *k = arg;
	pthread_mutex_lock(&k->mutex);
	while (!k->stop) {
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += MG_JOB_LEASE_RENEW;
		while (!k->stop && pthread_cond_timedwait(&k->wake, &k->mutex, &until) != ETIMEDOUT)
			;
		if (k->stop)
			break;
		pthread_mutex_unlock(&k->mutex);
		enum mg_err err = lease_renew(k->s, k->job);
		if (err == MG_ERR_CONFLICT)
			mg_log_error("jobs: %s: another scheduler took the lease while this run goes on", k->job);
		else if (err != MG_OK)
			mg_log_warn("jobs: %s: could not renew the lease: %s", k->job, mg_strerror(err));
		pthread_mutex_lock(&k->mutex);
		k->lost |= err == MG_ERR_CONFLICT;
	}
	pthread_mutex_unlock(&k->mutex);
	return NULL;
}

static enum mg_err keeper_start(struct lease_keeper *k, struct mg_scheduler *s, const char *job)
{
	memset(k, 0, sizeof(*k));
	k->s = s;
	k->job = job;
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_mutex_init(&k->mutex, NULL);
	pthread_cond_init(&k->wake, &attr);
	pthread_condattr_destroy(&attr);
	k->started = pthread_create(&k->thread, NULL, keep_lease, k) == 0;
	return k->started ? MG_OK : MG_ERR_NOMEM;
}

/* Stops the keeper; true when the lease was lost meanwhile. */
static bool keeper_stop(struct lease_keeper *k)
{
	if (k->started) {
		pthread_mutex_lock(&k->mutex);
		k->stop = true;
		pthread_cond_signal(&k->wake);
		pthread_mutex_unlock(&k->mutex);
		pthread_join(k->thread, NULL);
	}
	pthread_cond_destroy(&k->wake);
	pthread_mutex_destroy(&k->mutex);
	return k->lost;
}

/* ---- one run -------------------------------------------------------------------------------- */

static enum mg_err last_scheduled(struct mg_db *db, struct mg_arena *arena, const char *job, struct mg_job_last *out)
{
	memset(out, 0, sizeof(*out));
	struct mg_dbval args[] = { MG_TEXT(job) };
	struct mg_rows rows;
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_jobs_statements[MG_SQL_JOBS_JOB_LAST_SCHEDULED], args, 1, &rows, NULL, NULL);
	if (err != MG_OK || rows.nrows == 0)
		return err;
	out->slot = (time_t)strtoll(MG_CELL(&rows, 0, 0), NULL, 10);
	out->outcome = mg_job_outcome_parse(MG_CELL(&rows, 0, 1));
	out->attempt = atoi(MG_CELL(&rows, 0, 2));
	out->finished = (time_t)strtoll(MG_CELL(&rows, 0, 3), NULL, 10);
	return MG_OK;
}

static bool is_db_error(enum mg_err err)
{
	return err == MG_ERR_DB || err == MG_ERR_DB_GONE || err == MG_ERR_DB_BUSY || err == MG_ERR_CONFLICT;
}

/* The detail recorded with a run: the job's note, and for a failure what went wrong. */
static void describe(struct mg_scheduler *s, enum mg_err err, bool lease_lost, char *out, size_t len)
{
	size_t o = 0;
	if (err != MG_OK)
		o += (size_t)snprintf(out, len, "%s%s%s", mg_strerror(err), is_db_error(err) ? ": " : "",
				      is_db_error(err) ? mg_db_error(s->db) : "");
	else
		out[0] = '\0';
	if (job_note[0] != '\0' && o < len)
		o += (size_t)snprintf(out + o, len - o, "%s%s", o ? "; " : "", job_note);
	if (lease_lost && o < len)
		snprintf(out + o, len - o, "%sanother scheduler took the lease while it ran", o ? "; " : "");
}

/* Records the start, runs the job with the lease kept alive, records the end. */
static enum mg_err execute(struct mg_scheduler *s, struct mg_arena *arena, struct mg_job_entry *e, bool manual,
			   time_t as_of, struct mg_job_result *out)
{
	const char *name = e->job->name;
	char slot[32];
	mg_time_format_platform(out->slot, slot, sizeof(slot));
	time_t started = mg_now();
	unsigned long long run_id = 0;
	struct mg_dbval start[] = { MG_TEXT(name), MG_INT(out->slot), MG_INT(manual), MG_INT(out->attempt),
				    MG_INT(started), MG_TEXT(s->holder) };
	enum mg_err err =
	    mg_db_exec(s->db, arena, &mg_jobs_statements[MG_SQL_JOBS_JOB_RUN_START], start, 6, NULL, NULL, &run_id);
	if (err != MG_OK)
		return err;
	out->ran = true;
	mg_log_info("jobs: %s started (%s %s %s, attempt %d, run %llu)", name, manual ? "manual, as of" : "slot", slot,
		    mg_tz_platform(), out->attempt, run_id);

	struct lease_keeper keeper;
	job_note[0] = '\0';
	job_run_current = run_id;
	enum mg_err job_err = keeper_start(&keeper, s, name);
	if (job_err == MG_OK) {
		struct mg_arena *job_arena = mg_arena_new();
		job_err = e->job->run(s->db, job_arena, manual ? as_of : started);
		mg_arena_free(job_arena);
	}
	bool lost = keeper_stop(&keeper);
	job_run_current = 0;
	describe(s, job_err, lost, out->detail, sizeof(out->detail));
	if (job_err != MG_OK && mg_db_connected(s->db))
		mg_db_simple(s->db, "ROLLBACK"); /* in case run() left a transaction open */

	time_t finished = mg_now();
	out->outcome = job_err == MG_OK ? MG_OUTCOME_OK : MG_OUTCOME_FAILED;
	struct mg_dbval finish[] = { MG_TEXT(mg_job_outcome_name(out->outcome)), MG_INT(finished),
				     MG_TEXT(out->detail), MG_INT(run_id) };
	if ((err = mg_db_exec(s->db, arena, &mg_jobs_statements[MG_SQL_JOBS_JOB_RUN_FINISH], finish, 4, NULL, NULL,
	                      NULL)) != MG_OK) {
		/* the row stays 'running'; the next scheduler to take the expired lease marks it abandoned */
		mg_log_error("jobs: %s: run %llu ended %s but could not be recorded: %s", name, run_id,
			     mg_job_outcome_name(out->outcome), mg_db_error(s->db));
		return err;
	}
	if (out->outcome == MG_OUTCOME_OK)
		mg_log_info("jobs: %s ok in %lds: %s", name, (long)(finished - started), out->detail);
	else
		mg_log_error("jobs: %s failed (attempt %d of %d): %s", name, out->attempt, MG_JOB_MAX_ATTEMPTS,
			     out->detail);
	if (!manual) {
		struct mg_job_last now_last = { out->outcome, out->slot, out->attempt, finished };
		out->wake = mg_job_plan(&e->schedule, &now_last, finished).wake;
	}
	return MG_OK;
}

/* Takes the lease, settles abandoned runs, then runs the job if due (or always, manual). */
static enum mg_err attempt_job(struct mg_scheduler *s, struct mg_job_entry *e, bool manual, time_t as_of,
			       struct mg_job_result *out)
{
	memset(out, 0, sizeof(*out));
	const char *name = e->job->name;
	struct mg_arena *arena = mg_arena_new();
	time_t now = mg_now();
	out->wake = mg_schedule_next(&e->schedule, now);
	bool taken = false;
	enum mg_err err = lease_take(s, arena, name, now, out);
	if (err != MG_OK)
		goto out;
	taken = true;
	unsigned long long abandoned = 0;
	struct mg_dbval abandon[] = { MG_INT(now), MG_TEXT(name) };
	if ((err = mg_db_exec(s->db, arena, &mg_jobs_statements[MG_SQL_JOBS_JOB_ABANDON], abandon, 2, NULL, &abandoned,
	                      NULL)) != MG_OK)
		goto out;
	if (abandoned > 0)
		mg_log_warn("jobs: %s: %llu run(s) left running by a scheduler that stopped, recorded as abandoned", name,
			    abandoned);
	if (manual) {
		out->slot = as_of;
		out->attempt = 1;
	} else {
		struct mg_job_last last;
		if ((err = last_scheduled(s->db, arena, name, &last)) != MG_OK)
			goto out;
		struct mg_job_plan plan = mg_job_plan(&e->schedule, &last, now);
		out->wake = plan.wake;
		if (!plan.run)
			goto out;
		out->slot = plan.slot;
		out->attempt = plan.attempt;
	}
	err = execute(s, arena, e, manual, as_of, out);
out:
	if (taken)
		lease_release(s, arena, name);
	mg_arena_free(arena);
	return err;
}

enum mg_err mg_scheduler_consider(struct mg_scheduler *s, struct mg_job_entry *e, struct mg_job_result *out)
{
	return attempt_job(s, e, false, 0, out);
}

enum mg_err mg_scheduler_run_manual(struct mg_scheduler *s, struct mg_job_entry *e, time_t as_of,
				    struct mg_job_result *out)
{
	return attempt_job(s, e, true, as_of, out);
}

enum mg_err mg_scheduler_plan(struct mg_scheduler *s, const struct mg_job_entry *e, time_t now,
			      struct mg_job_plan *out)
{
	struct mg_arena *arena = mg_arena_new();
	struct mg_job_last last;
	enum mg_err err = last_scheduled(s->db, arena, e->job->name, &last);
	if (err == MG_OK)
		*out = mg_job_plan(&e->schedule, &last, now);
	mg_arena_free(arena);
	return err;
}

/* ---- the loop ------------------------------------------------------------------------------- */

/* The longest sleep: the loop reads the clock at least this often, so a clock moved by a test
 * (or stepped by NTP) is noticed, and a database that came back is used again. */
enum { MAX_NAP = 10 };

static bool stop_pending(const sigset_t *stop_signals)
{
	sigset_t pending;
	sigpending(&pending);
	for (int sig = 1; sig < NSIG; sig++)
		if (sigismember(stop_signals, sig) == 1 && sigismember(&pending, sig) == 1)
			return true;
	return false;
}

/* Sleeps until `until` (mg_now() time), at most MAX_NAP; true when a stop signal came. */
static bool nap(time_t until, const sigset_t *stop_signals)
{
	time_t now = mg_now();
	long seconds = until > now ? (long)(until - now) : 0;
	if (seconds > MAX_NAP)
		seconds = MAX_NAP;
	if (seconds == 0)
		return stop_pending(stop_signals);
	struct timespec ts = { .tv_sec = seconds, .tv_nsec = 0 };
	int sig = sigtimedwait(stop_signals, NULL, &ts);
	return sig > 0 || stop_pending(stop_signals);
}

static void look_at(struct mg_scheduler *s, struct mg_job_entry *e, time_t now, int *status)
{
	struct mg_job_result r;
	enum mg_err err = mg_scheduler_consider(s, e, &r);
	if (err == MG_OK) {
		e->check_at = r.wake;
		if (r.ran && r.outcome != MG_OUTCOME_OK)
			*status = 1;
	} else if (err == MG_ERR_CONFLICT) {
		char until[32];
		mg_time_format_platform(r.lease_until, until, sizeof(until));
		mg_log_info("jobs: %s: held by %s until %s %s; not run here", e->job->name, r.holder, until, mg_tz_platform());
		time_t next = mg_schedule_next(&e->schedule, now);
		e->check_at = r.lease_until + 1 < next ? r.lease_until + 1 : next;
	} else {
		mg_log_warn("jobs: %s: cannot be run or recorded (%s: %s); trying again in a minute", e->job->name,
			    mg_strerror(err), mg_db_error(s->db));
		e->check_at = now + 60;
		*status = 1;
	}
	if (e->check_at <= now)
		e->check_at = now + 1;
}

int mg_scheduler_serve(struct mg_scheduler *s, bool once)
{
	/* Blocked here (and so in the lease keepers), the stop signals are taken by sigtimedwait
	 * between jobs: a job's statements are never interrupted, and the loop stops after it. */
	sigset_t stop_signals;
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
	mg_log_info("jobs: scheduler %s %s with %zu job(s)", s->holder, once ? "makes one pass" : "started", s->n);
	for (size_t i = 0; i < s->n; i++) {
		s->entries[i].check_at = 0; /* at start every job is looked at: what was missed is caught up */
		mg_log_info("jobs: %s (%s): %s %s", s->entries[i].job->name, s->entries[i].owner,
			    s->entries[i].job->schedule, mg_tz_platform());
	}
	int status = 0;
	bool stopping = false;
	time_t beat = 0;
	while (!stopping) {
		time_t now = mg_now();
		if (now < beat || now - beat >= MG_JOB_HEARTBEAT) {
			struct mg_arena *arena = mg_arena_new();
			struct mg_dbval value[] = { MG_TEXT(mg_arena_printf(arena, "%lld", (long long)now)) };
			if (mg_db_exec(s->db, arena, &mg_jobs_statements[MG_SQL_JOBS_HEARTBEAT], value, 1, NULL, NULL, NULL) ==
			    MG_OK)
				beat = now;
			mg_arena_free(arena);
		}
		for (size_t i = 0; i < s->n && !stopping; i++) {
			if (stop_pending(&stop_signals))
				stopping = true;
			else if (s->entries[i].check_at <= now)
				look_at(s, &s->entries[i], now, &status);
		}
		if (once || stopping)
			break;
		time_t wake = now + MAX_NAP;
		for (size_t i = 0; i < s->n; i++)
			if (s->entries[i].check_at < wake)
				wake = s->entries[i].check_at;
		stopping = nap(wake, &stop_signals);
	}
	mg_log_info("jobs: scheduler %s %s", s->holder, once ? "done" : "stopped");
	return status;
}
