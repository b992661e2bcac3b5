/*
 * madoguchi jobs [serve] [--once]
 * madoguchi jobs run JOB [--now ISO-TIME]
 * madoguchi jobs list
 * madoguchi jobs history [--job JOB] [--limit N]
 *
 * The scheduler (core/ops/jobs.c) in the foreground, and the operator's look at it. It connects as
 * the application account: the job tables are ordinary platform tables.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tz.h"
#include "clock.h"
#include "jobs.h"
#include "log.h"

static const char jobs_usage[] =
	"usage: madoguchi jobs [serve] [--once]   run the scheduler in the foreground until SIGTERM/SIGINT\n"
	"                                         (--once: catch up and run what is due, then exit)\n"
	"       madoguchi jobs run JOB [--now 2026-04-01T03:00 | 2026-03-31T18:00:00Z]\n"
	"                                         run one job now, its clock set to --now; exit 1 on failure\n"
	"       madoguchi jobs list               jobs, schedules (platform_time_zone), next due, last outcome\n"
	"       madoguchi jobs history [--job JOB] [--limit N]\n";

/* Opens a connection as the application; the scheduler also starts while the database is
 * down (the handle reconnects), the other commands say why they cannot. */
static struct mg_db *open_db(const struct mg_cli *cli, bool tolerate_down)
{
	if (!tolerate_down)
		return mg_cli_connect(cli, false);
	const struct mg_config *cfg = cli->cfg;
	struct mg_db_params params = { cfg->db_socket, cfg->db_host, (unsigned)cfg->db_port, cfg->db_user,
				       cfg->db_password, cfg->db_name };
	struct mg_db *db = NULL;
	enum mg_err err = mg_db_open(&params, &db);
	if (err == MG_ERR_DB_GONE && db != NULL) {
		mg_log_warn("jobs: the database is not reachable yet (%s); the scheduler tries again", mg_db_error(db));
		return db;
	}
	if (err != MG_OK) {
		mg_cli_fail("database", "cannot connect as %s: %s", params.user, db ? mg_db_error(db) : "out of memory");
		mg_db_close(db);
		return NULL;
	}
	return db;
}

/* Connects twice (the jobs' connection and the lease keeper's) and loads the job table. */
static int open_scheduler(const struct mg_cli *cli, bool tolerate_down, struct mg_scheduler *s)
{
	memset(s, 0, sizeof(*s));
	struct mg_db *db = open_db(cli, tolerate_down), *lease_db = db ? open_db(cli, tolerate_down) : NULL;
	if (lease_db == NULL) {
		mg_db_close(db);
		return 1;
	}
	char errbuf[512];
	if (mg_scheduler_init(s, db, lease_db, errbuf, sizeof(errbuf)) != MG_OK) {
		mg_scheduler_free(s);
		mg_db_close(db);
		mg_db_close(lease_db);
		return mg_cli_fail("jobs", "%s", errbuf);
	}
	return 0;
}

static void close_scheduler(struct mg_scheduler *s)
{
	mg_db_close(s->db);
	mg_db_close(s->lease_db);
	mg_scheduler_free(s);
}

static int jobs_serve(struct mg_cli *cli, int argc, char **argv)
{
	bool once = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--once") == 0)
			once = true;
		else if (!(i == 1 && strcmp(argv[i], "serve") == 0))
			return fputs(jobs_usage, stderr), 2;
	}
	struct mg_scheduler s;
	if (open_scheduler(cli, true, &s) != 0)
		return 1;
	int status = mg_scheduler_serve(&s, once);
	close_scheduler(&s);
	return status;
}

static int jobs_run(struct mg_cli *cli, int argc, char **argv)
{
	const char *now_text = NULL, *name = NULL;
	const struct mg_cli_option options[] = { { "now", &now_text, NULL, false, false },
						 { NULL, NULL, NULL, false, false } };
	struct mg_cli_args spec = { jobs_usage, options, &name, 1, 1, 0 };
	if (mg_cli_parse(&spec, argc, argv) != 0)
		return 2;
	time_t as_of = mg_now();
	if (now_text != NULL && mg_time_parse_iso(now_text, &as_of) != MG_OK)
		return mg_cli_fail("jobs run", "--now '%s' is not a time like 2026-04-01T03:00:00Z or 2026-04-01T03:00 (%s when "
			       "no zone is given)", now_text, mg_tz_platform());
	struct mg_scheduler s;
	if (open_scheduler(cli, false, &s) != 0)
		return 1;
	int status = 1;
	struct mg_job_entry *e = mg_scheduler_find(&s, name);
	if (e == NULL) {
		mg_cli_fail("jobs run", "no job '%s' (madoguchi jobs list shows them)", name);
		goto out;
	}
	struct mg_job_result r;
	enum mg_err err = mg_scheduler_run_manual(&s, e, as_of, &r);
	char when[32];
	if (err == MG_ERR_CONFLICT) {
		mg_time_format_platform(r.lease_until, when, sizeof(when));
		mg_cli_fail("jobs run", "%s is being run by %s (its lease lasts until %s %s); try again when it is done",
			    name, r.holder, when, mg_tz_platform());
	} else if (err != MG_OK) {
		mg_cli_fail("jobs run", "%s could not be run or recorded: %s: %s", name, mg_strerror(err),
			    mg_db_error(s.db));
	} else if (r.outcome != MG_OUTCOME_OK) {
		mg_cli_fail("jobs run", "%s failed: %s", name, r.detail);
	} else {
		mg_time_format_platform(as_of, when, sizeof(when));
		printf("%s: ok (as of %s %s)%s%s\n", name, when, mg_tz_platform(), r.detail[0] ? ": " : "", r.detail);
		status = 0;
	}
out:
	close_scheduler(&s);
	return status;
}

static int jobs_list(struct mg_cli *cli)
{
	struct mg_scheduler s;
	if (open_scheduler(cli, false, &s) != 0)
		return 1;
	struct mg_arena *arena = mg_arena_new();
	time_t now = mg_now();
	int status = 0;
	printf("%-28s %-12s %-20s %-20s %s   (times: %s)\n", "JOB", "SCHEDULE", "NEXT DUE", "LAST RUN", "OUTCOME",
	       mg_tz_platform());
	for (size_t i = 0; i < s.n && status == 0; i++) {
		const struct mg_job_entry *e = &s.entries[i];
		struct mg_job_plan plan;
		struct mg_dbval args[] = { MG_TEXT(e->job->name) };
		struct mg_rows rows;
		if (mg_scheduler_plan(&s, e, now, &plan) != MG_OK ||
		    mg_db_exec(s.db, arena, &mg_jobs_statements[MG_SQL_JOBS_JOB_LAST_RUN], args, 1, &rows, NULL,
		               NULL) != MG_OK) {
			status = mg_cli_fail("jobs list", "%s", mg_db_error(s.db));
			break;
		}
		char next[32] = "now", last[32] = "never", outcome[64] = "-";
		if (!plan.run)
			mg_time_format_platform(plan.wake, next, sizeof(next));
		if (rows.nrows > 0) {
			mg_time_format_platform((time_t)strtoll(MG_CELL(&rows, 0, 3), NULL, 10), last, sizeof(last));
			snprintf(outcome, sizeof(outcome), "%s%s%s", MG_CELL(&rows, 0, 0),
				 atoi(MG_CELL(&rows, 0, 1)) > 1 ? " (retry)" : "",
				 strcmp(MG_CELL(&rows, 0, 2), "1") == 0 ? " (manual)" : "");
		}
		printf("%-28s %-12s %-20s %-20s %s\n", e->job->name, e->job->schedule, next, last, outcome);
	}
	mg_arena_free(arena);
	close_scheduler(&s);
	return status;
}

static void format_cell_time(const char *unix_seconds, char *out, size_t len)
{
	if (unix_seconds == NULL)
		snprintf(out, len, "-");
	else
		mg_time_format_platform((time_t)strtoll(unix_seconds, NULL, 10), out, len);
}

static int jobs_history(struct mg_cli *cli, int argc, char **argv)
{
	const char *job = "", *limit_text = "20";
	const struct mg_cli_option options[] = { { "job", &job, NULL, false, true },
						 { "limit", &limit_text, NULL, false, true },
						 { NULL, NULL, NULL, false, false } };
	struct mg_cli_args spec = { jobs_usage, options, NULL, 0, 0, 0 };
	if (mg_cli_parse(&spec, argc, argv) != 0)
		return 2;
	char *end = NULL;
	long limit = strtol(limit_text, &end, 10);
	if (end == limit_text || *end != '\0' || limit < 1 || limit > 10000)
		return mg_cli_fail("jobs history", "--limit is a number from 1 to 10000");
	struct mg_db *db = mg_cli_connect(cli, false);
	if (db == NULL)
		return 1;
	struct mg_arena *arena = mg_arena_new();
	struct mg_dbval args[] = { MG_TEXT(job), MG_TEXT(job), MG_INT(limit) };
	struct mg_rows rows;
	int status = 0;
	if (mg_db_exec(db, arena, &mg_jobs_statements[MG_SQL_JOBS_JOB_HISTORY], args, 3, &rows, NULL, NULL) != MG_OK) {
		status = mg_cli_fail("jobs history", "%s", mg_db_error(db));
		goto out;
	}
	printf("%-6s %-24s %-6s %-19s %-3s %-19s %-19s %-9s %s   (times: %s)\n", "RUN", "JOB", "KIND", "FOR", "TRY",
	       "STARTED", "FINISHED", "OUTCOME", "DETAIL", mg_tz_platform());
	for (size_t r = 0; r < rows.nrows; r++) {
		char slot[32], started[32], finished[32];
		format_cell_time(MG_CELL(&rows, r, 2), slot, sizeof(slot));
		format_cell_time(MG_CELL(&rows, r, 5), started, sizeof(started));
		format_cell_time(MG_CELL(&rows, r, 6), finished, sizeof(finished));
		printf("%-6s %-24s %-6s %-19s %-3s %-19s %-19s %-9s %s [%s]\n", MG_CELL(&rows, r, 0), MG_CELL(&rows, r, 1),
		       strcmp(MG_CELL(&rows, r, 3), "1") == 0 ? "manual" : "slot", slot, MG_CELL(&rows, r, 4), started,
		       finished, MG_CELL(&rows, r, 7), MG_CELL(&rows, r, 9), MG_CELL(&rows, r, 8));
	}
	if (rows.nrows == 0)
		printf("(no runs recorded%s%s)\n", job[0] ? " for " : "", job);
out:
	mg_arena_free(arena);
	mg_db_close(db);
	return status;
}

int mg_cmd_jobs(struct mg_cli *cli, int argc, char **argv)
{
	const char *verb = argc >= 2 ? argv[1] : "serve";
	if (strcmp(verb, "serve") == 0 || strcmp(verb, "--once") == 0)
		return jobs_serve(cli, argc, argv);
	if (strcmp(verb, "run") == 0)
		return jobs_run(cli, argc - 1, argv + 1);
	if (strcmp(verb, "list") == 0 && argc == 2)
		return jobs_list(cli);
	if (strcmp(verb, "history") == 0)
		return jobs_history(cli, argc - 1, argv + 1);
	fputs(jobs_usage, stderr);
	return 2;
}
