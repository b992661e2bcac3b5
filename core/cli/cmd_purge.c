/*
 * madoguchi purge run [--now ISO-TIME]          the job core.purge now (as `jobs run core.purge`)
 * madoguchi purge status                        terminated tenants: T, T+30, T+60, what is done
 * madoguchi purge replay                        apply the purge ledger to the database again
 * madoguchi purge records [--tenant SLUG] [--csv]   the deletion records, to hand over
 *
 * The operator's side of core/ops/purge.c. replay connects as the schema owner (it deletes audit
 * rows); `madoguchi restore` runs it after every restore.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tz.h"
#include "deletions.h"
#include "purge.h"
#include "schedule.h"

static const char purge_usage[] =
	"usage: madoguchi purge run [--now 2026-04-01T04:00 | 2026-03-31T19:00:00Z]\n"
	"                                   run the purge job now, its clock set to --now\n"
	"       madoguchi purge status      terminated tenants and where each stands in the purge\n"
	"       madoguchi purge replay      apply every step of the purge ledger to the database again\n"
	"                                   (idempotent; run by `madoguchi restore`)\n"
	"       madoguchi purge records [--tenant SLUG] [--csv]\n"
	"                                   the deletion records (CSV: UTF-8 with BOM, for Excel)\n";

static int purge_run(struct mg_cli *cli, int argc, char **argv)
{
	const char *now = NULL;
	const struct mg_cli_option options[] = { { "now", &now, NULL, false, false }, { NULL, NULL, NULL, false, false } };
	struct mg_cli_args spec = { purge_usage, options, NULL, 0, 0, 0 };
	if (mg_cli_parse(&spec, argc, argv) != 0)
		return 2;
	char *args[6] = { "jobs", "run", "core.purge", NULL, NULL, NULL };
	int n = 3;
	if (now != NULL) {
		args[n++] = "--now";
		args[n++] = (char *)now;
	}
	return mg_cmd_jobs(cli, n, args);
}

static void format_when(const char *unix_seconds, char *out, size_t len)
{
	if (unix_seconds == NULL)
		snprintf(out, len, "-");
	else
		mg_time_format_platform((time_t)strtoll(unix_seconds, NULL, 10), out, len);
}

static int purge_status(struct mg_cli *cli)
{
	struct mg_db *db = mg_cli_connect(cli, false);
	if (db == NULL)
		return 1;
	struct mg_arena *arena = mg_arena_new();
	struct mg_rows rows;
	int status = 0;
	if (mg_db_exec(db, arena, &mg_deletion_statements[MG_SQL_DELETION_PURGE_STATUS], NULL, 0, &rows, NULL, NULL) !=
	    MG_OK) {
		status = mg_cli_fail("purge status", "%s", mg_db_error(db));
		goto out;
	}
	printf("%-20s %-10s %-10s %-10s %-19s %-19s %-19s %s\n", "SLUG", "ENDED (T)", "T+30", "T+60", "ROWS DELETED",
	       "BACKUPS DELETED", "KEY DESTROYED", "DATA KEY");
	for (size_t r = 0; r < rows.nrows; r++) {
		char t30[11] = "-", t60[11] = "-", rows_at[32], backups_at[32], key_at[32];
		const char *end = MG_CELL(&rows, r, 1);
		mg_purge_date_plus(end, MG_PURGE_ROWS_AFTER_DAYS, t30);
		mg_purge_date_plus(end, MG_PURGE_BACKUPS_AFTER_DAYS, t60);
		format_when(MG_CELL(&rows, r, 4), rows_at, sizeof(rows_at));
		format_when(MG_CELL(&rows, r, 5), backups_at, sizeof(backups_at));
		format_when(MG_CELL(&rows, r, 6), key_at, sizeof(key_at));
		printf("%-20s %-10s %-10s %-10s %-19s %-19s %-19s %s\n", MG_CELL(&rows, r, 0), end ? end : "-", t30, t60,
		       rows_at, backups_at, key_at, strcmp(MG_CELL(&rows, r, 3), "1") == 0 ? "present" : "destroyed");
	}
	if (rows.nrows == 0)
		printf("(no terminated tenants)\n");
out:
	mg_arena_free(arena);
	mg_db_close(db);
	return status;
}

static int purge_replay(struct mg_cli *cli)
{
	struct mg_db *db = mg_cli_connect(cli, true);
	if (db == NULL)
		return 1;
	struct mg_purge_replay done;
	char errbuf[768];
	int status = 0;
	if (mg_purge_replay(cli->cfg, db, &done, errbuf, sizeof(errbuf)) != MG_OK)
		status = mg_cli_fail("purge replay", "%s", errbuf);
	else
		printf("purge replay: %zu ledger step(s) applied: %llu row(s) and %zu backup(s) deleted again, %zu data "
		       "key(s) destroyed again, %zu tombstone(s) and %zu deletion record(s) written\n",
		       done.lines, done.rows, done.backups, done.keys, done.tombstones, done.records);
	mg_db_close(db);
	return status;
}

static int purge_records(struct mg_cli *cli, int argc, char **argv)
{
	const char *slug = NULL;
	bool csv = false;
	const struct mg_cli_option options[] = { { "tenant", &slug, NULL, false, false },
						 { "csv", NULL, &csv, false, false },
						 { NULL, NULL, NULL, false, false } };
	struct mg_cli_args spec = { purge_usage, options, NULL, 0, 0, 0 };
	if (mg_cli_parse(&spec, argc, argv) != 0)
		return 2;
	struct mg_db *db = mg_cli_connect(cli, false);
	if (db == NULL)
		return 1;
	struct mg_arena *arena = mg_arena_new();
	struct mg_rows rows;
	int status = 0;
	if (mg_deletion_records(db, arena, slug, &rows) != MG_OK) {
		status = mg_cli_fail("purge records", "%s", mg_db_error(db));
		goto out;
	}
	if (csv) {
		struct mg_buf out;
		mg_buf_init(&out);
		mg_deletion_records_csv(&rows, NULL, NULL, &out);
		fwrite(out.data, 1, out.len, stdout);
		mg_buf_free(&out);
		goto out;
	}
	printf("%-6s %-19s %-20s %-8s %12s %8s %-14s %-8s %s   (times: %s)\n", "RECORD", "AT", "TENANT", "STEP", "ROWS",
	       "BACKUPS", "JOB", "RUN", "DETAIL", mg_tz_platform());
	for (size_t r = 0; r < rows.nrows; r++) {
		char at[32];
		format_when(MG_CELL(&rows, r, 5), at, sizeof(at));
		printf("%-6s %-19s %-20s %-8s %12s %8s %-14s %-8s %s\n", MG_CELL(&rows, r, 0), at, MG_CELL(&rows, r, 2),
		       MG_CELL(&rows, r, 4), MG_CELL(&rows, r, 6), MG_CELL(&rows, r, 7), MG_CELL(&rows, r, 8),
		       MG_CELL(&rows, r, 9)[0] ? MG_CELL(&rows, r, 9) : "-", MG_CELL(&rows, r, 10));
	}
	if (rows.nrows == 0)
		printf("(no deletion records%s%s)\n", slug ? " for " : "", slug ? slug : "");
out:
	mg_arena_free(arena);
	mg_db_close(db);
	return status;
}

int mg_cmd_purge(struct mg_cli *cli, int argc, char **argv)
{
	const char *verb = argc >= 2 ? argv[1] : "";
	if (strcmp(verb, "run") == 0)
		return purge_run(cli, argc - 1, argv + 1);
	if (strcmp(verb, "status") == 0 && argc == 2)
		return purge_status(cli);
	if (strcmp(verb, "replay") == 0 && argc == 2)
		return purge_replay(cli);
	if (strcmp(verb, "records") == 0)
		return purge_records(cli, argc - 1, argv + 1);
	fputs(purge_usage, stderr);
	return 2;
}
