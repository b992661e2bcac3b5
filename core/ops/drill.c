/*
 * The restore drill: a backup nobody has restored is a hope, not a backup. The newest backup
 * (or a named one) is restored into a scratch MariaDB of its own under scratch_dir, started,
 * checked table by table (CHECK TABLE), and every table's row count and checksum and every
 * tenant's row counts are compared with the manifest; then the scratch server is stopped and
 * its files deleted, and the outcome is recorded in restore_drill for the operator console.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backup.h"
#include "clock.h"
#include "jobs.h"
#include "log.h"
#include "schedule.h"
#include "scratch_db.h"

enum { ALERT_AFTER = 48 * 3600, FAILED_RUNS_WINDOW = 7 * 86400 };

const struct mg_sql mg_drill_statements[] = {
	/* where the live server keeps its files (restore into the live server) */
	[MG_SQL_DRILL_BACKUP_DATADIR] = { "core.backup_datadir", "SELECT @@datadir" },
	[MG_SQL_DRILL_RECORD] = { "core.drill_record",
	  "INSERT INTO restore_drill (backup_id, started_at, finished_at, outcome, detail)"
	  " VALUES (?, FROM_UNIXTIME(?), FROM_UNIXTIME(?), ?, ?)" },
	[MG_SQL_DRILL_LAST] = { "core.drill_last",
	  "SELECT backup_id, outcome, UNIX_TIMESTAMP(finished_at), detail FROM restore_drill"
	  " ORDER BY finished_at DESC, id DESC LIMIT 1" },
	/* passed drills that finished after ? (the alert when there is none in 48 hours) */
	[MG_SQL_DRILL_PASSED_SINCE] = { "core.drill_passed_since",
	  "SELECT COUNT(*) FROM restore_drill WHERE outcome = 'passed' AND finished_at > FROM_UNIXTIME(?)" },
	/* failed or abandoned job runs started after ? (operator console) */
	[MG_SQL_DRILL_JOB_FAILED_SINCE] = { "core.job_failed_since",
	  "SELECT job, outcome, UNIX_TIMESTAMP(started_at), attempt, COALESCE(detail, '') FROM job_run"
	  " WHERE outcome IN ('failed', 'abandoned') AND started_at > FROM_UNIXTIME(?)"
	  " ORDER BY started_at DESC, id DESC LIMIT 50" },
	[MG_SQL_DRILL__MAX] = { NULL, NULL },
};

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

static void remove_tree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) == 0)
		nftw(path, remove_entry, 32, FTW_DEPTH | FTW_PHYS);
}

/* One drill at a time per scratch_dir; the holder deletes what an earlier drill that was
 * killed left (drill-*), its server having died with it. */
static int lock_scratch(const char *scratch, char *why, size_t whylen)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/drill.lock", scratch);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX) != 0) {
		snprintf(why, whylen, "cannot lock %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	DIR *dir = opendir(scratch);
	struct dirent *e;
	while (dir != NULL && (e = readdir(dir)) != NULL) {
		if (strncmp(e->d_name, "drill-", 6) != 0)
			continue;
		char stale[1100];
		snprintf(stale, sizeof(stale), "%s/%s", scratch, e->d_name);
		mg_log_warn("drill: deleting %s, left by a drill that did not finish", stale);
		remove_tree(stale);
	}
	if (dir != NULL)
		closedir(dir);
	return fd;
}

static enum mg_err drill_backup(const char *id, const char *scratch, char *why, size_t whylen)
{
	const struct mg_config *cfg = mg_backup_config();
	char base[1024], datadir[1100], rundir[1100];
	snprintf(base, sizeof(base), "%s/drill-%s", scratch, id);
	snprintf(datadir, sizeof(datadir), "%s/data", base);
	snprintf(rundir, sizeof(rundir), "%s/run", base);
	json_t *manifest = NULL, *measure = NULL;
	struct mg_scratch server;
	memset(&server, 0, sizeof(server));
	server.pid = -1;
	mg_progress(1, "drill: restoring %s into %s", id, datadir);
	enum mg_err err = mg_backup_extract(id, datadir, &manifest, why, whylen);
	if (err == MG_OK && mkdir(rundir, 0700) != 0) {
		snprintf(why, whylen, "cannot create %s: %s", rundir, strerror(errno));
		err = MG_ERR_IO;
	}
	if (err == MG_OK) {
		mg_progress(1, "drill: starting a scratch MariaDB on it");
		err = mg_scratch_start(&server, datadir, rundir, cfg->db_name, why, whylen);
	}
	if (err == MG_OK) {
		mg_progress(1, "drill: CHECK TABLE on every table");
		err = mg_scratch_check_tables(&server, cfg->db_name, why, whylen);
	}
	if (err == MG_OK) {
		mg_progress(1, "drill: comparing every count and checksum with the manifest");
		err = mg_scratch_measure(&server, cfg->db_name, &measure, why, whylen);
	}
	if (err == MG_OK && (err = mg_manifest_compare(manifest, measure, why, whylen)) == MG_OK)
		snprintf(why, whylen, "%s: restored, started, CHECK TABLE ok on %zu tables, every count and checksum as in "
			 "the manifest", id, json_object_size(json_object_get(manifest, "tables")));
	mg_scratch_stop(&server);
	remove_tree(base);
	json_decref(manifest);
	json_decref(measure);
	/* whatever went wrong with the backup itself is the drill's failure, said as such */
	return err == MG_ERR_NOT_FOUND || err == MG_ERR_CONFLICT ? MG_ERR_INPUT : err;
}

/* The newest complete backup, into out. */
static enum mg_err newest_backup(char *out, char *why, size_t whylen)
{
	struct mg_arena *arena = mg_arena_new();
	const char **ids;
	size_t n;
	enum mg_err err = mg_backup_ids(arena, &ids, &n, why, whylen);
	if (err == MG_OK && n == 0) {
		snprintf(why, whylen, "no backup to drill in %s", mg_backup_config()->backup_dir);
		err = MG_ERR_INPUT;
	}
	if (err == MG_OK)
		snprintf(out, MG_BACKUP_ID_LEN + 1, "%s", ids[n - 1]);
	mg_arena_free(arena);
	return err;
}

enum mg_err mg_drill_run(struct mg_db *db, const char *id, time_t now, char *used, char *why, size_t whylen)
{
	const struct mg_config *cfg = mg_backup_config();
	time_t started = mg_now();
	char chosen[MG_BACKUP_ID_LEN + 1] = "";
	int lock = -1;
	why[0] = '\0';
	enum mg_err err = MG_OK;
	if (id != NULL)
		snprintf(chosen, sizeof(chosen), "%s", id);
	else
		err = newest_backup(chosen, why, whylen);
	snprintf(used, MG_BACKUP_ID_LEN + 1, "%s", chosen);
	if (err == MG_OK) {
		struct stat st;
		if (stat(cfg->scratch_dir, &st) != 0 && mkdir(cfg->scratch_dir, 0700) != 0) {
			snprintf(why, whylen, "cannot create scratch_dir %s: %s", cfg->scratch_dir, strerror(errno));
			err = MG_ERR_IO;
		} else if ((lock = lock_scratch(cfg->scratch_dir, why, whylen)) < 0) {
			err = MG_ERR_IO;
		}
	}
	if (err == MG_OK)
		err = drill_backup(chosen, cfg->scratch_dir, why, whylen);
	if (lock >= 0)
		close(lock);
	if (db != NULL) {
		struct mg_arena *arena = mg_arena_new();
		struct mg_dbval args[] = { MG_TEXT(chosen), MG_INT(started), MG_INT(mg_now()),
					   MG_TEXT(err == MG_OK ? "passed" : "failed"), MG_TEXT(why) };
		if (mg_db_exec(db, arena, &mg_drill_statements[MG_SQL_DRILL_RECORD], args, 5, NULL, NULL, NULL) !=
		    MG_OK)
			mg_log_error("drill: %s %s, but the result could not be recorded: %s", chosen,
				     err == MG_OK ? "passed" : "failed", mg_db_error(db));
		mg_arena_free(arena);
	}
	(void)now;
	return err;
}

enum mg_err mg_drill_job(struct mg_db *db, struct mg_arena *arena, time_t now)
{
	char used[MG_BACKUP_ID_LEN + 1], why[1024];
	if (mg_backup_config() == NULL)
		return MG_ERR_CONFIG;
	enum mg_err err = mg_drill_run(db, NULL, now, used, why, sizeof(why));
	mg_job_note("drill %s: %s", err == MG_OK ? "passed" : "FAILED", why);
	return err;
}

json_t *mg_drill_console(struct mg_db *db, struct mg_arena *arena, time_t now, enum mg_err *err)
{
	struct mg_rows last, passed, failed;
	struct mg_dbval since_48h[] = { MG_INT(now - ALERT_AFTER) }, since_7d[] = { MG_INT(now - FAILED_RUNS_WINDOW) };
	if ((*err = mg_db_exec(db, arena, &mg_drill_statements[MG_SQL_DRILL_LAST], NULL, 0, &last, NULL, NULL)) !=
	        MG_OK ||
	    (*err = mg_db_exec(db, arena, &mg_drill_statements[MG_SQL_DRILL_PASSED_SINCE], since_48h, 1, &passed, NULL,
	                       NULL)) != MG_OK ||
	    (*err = mg_db_exec(db, arena, &mg_drill_statements[MG_SQL_DRILL_JOB_FAILED_SINCE], since_7d, 1, &failed,
	                       NULL, NULL)) != MG_OK)
		return NULL;
	char when[32];
	json_t *last_json = json_null();
	if (last.nrows > 0) {
		mg_time_format_platform((time_t)strtoll(MG_CELL(&last, 0, 2), NULL, 10), when, sizeof(when));
		last_json = json_pack("{s:s, s:s, s:b, s:s, s:s}", "backup_id", MG_CELL(&last, 0, 0), "outcome",
				      MG_CELL(&last, 0, 1), "passed", strcmp(MG_CELL(&last, 0, 1), "passed") == 0,
				      "finished", when, "detail", MG_CELL(&last, 0, 3) ? MG_CELL(&last, 0, 3) : "");
	}
	json_t *runs = json_array();
	for (size_t r = 0; r < failed.nrows; r++) {
		mg_time_format_platform((time_t)strtoll(MG_CELL(&failed, r, 2), NULL, 10), when, sizeof(when));
		json_array_append_new(runs, json_pack("{s:s, s:s, s:s, s:s, s:s}", "job", MG_CELL(&failed, r, 0), "outcome",
						      MG_CELL(&failed, r, 1), "started", when, "attempt",
						      MG_CELL(&failed, r, 3), "detail", MG_CELL(&failed, r, 4)));
	}
	bool alert = strtoll(MG_CELL(&passed, 0, 0), NULL, 10) == 0;
	return json_pack("{s:o, s:b, s:o}", "last", last_json, "alert", alert, "failed_runs", runs);
}
