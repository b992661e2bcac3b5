#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include <curl/curl.h>
#include <jansson.h>

#include "jobs.h"
#include "log.h"
#include "monitor.h"
#include "status.h"

const struct mg_sql mg_monitor_statements[] = {
	[MG_SQL_MONITOR_HEARTBEAT] = { "core.monitor_heartbeat",
	  "SELECT COALESCE(MAX(CAST(value AS SIGNED)), 0) FROM platform_setting WHERE name = 'scheduler_heartbeat'" },
	[MG_SQL_MONITOR_LAST_RUN] = { "core.monitor_last_run",
	  "SELECT outcome, UNIX_TIMESTAMP(started_at) FROM job_run WHERE job = ? AND outcome IN ('ok', 'failed')"
	  " ORDER BY started_at DESC, id DESC LIMIT 1" },
	[MG_SQL_MONITOR__MAX] = { NULL, NULL },
};

static const struct mg_config *monitor_cfg;

const char *const mg_monitor_checks[] = { "web", "database", "scheduler", "backup", "drill", "disk", NULL };

/* Whether check name is in the space-separated list only (NULL: every check). */
static bool wanted(const char *only, const char *name)
{
	if (only == NULL)
		return true;
	size_t n = strlen(name);
	for (const char *p = strstr(only, name); p != NULL; p = strstr(p + 1, name))
		if ((p == only || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

void mg_monitor_setup(const struct mg_config *cfg)
{
	monitor_cfg = cfg;
}

struct body {
	char text[512];
	size_t len;
};

static size_t keep_body(char *data, size_t size, size_t n, void *arg)
{
	struct body *b = arg;
	size_t len = size * n, room = sizeof(b->text) - 1 - b->len;
	memcpy(b->text + b->len, data, len < room ? len : room);
	b->len += len < room ? len : room;
	b->text[b->len] = '\0';
	return len;
}

/* GET url: healthy when it answers 200 with "status":"ok" within 10 s. */
static bool healthz_ok(const char *url, bool insecure, char *detail, size_t len)
{
	CURL *curl = curl_easy_init();
	struct body b = { "", 0 };
	long status = 0;
	if (curl == NULL) {
		snprintf(detail, len, "no curl handle");
		return false;
	}
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, keep_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
	if (insecure) {
		curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	CURLcode rc = curl_easy_perform(curl);
	if (rc == CURLE_OK)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(curl);
	json_t *health = rc == CURLE_OK ? json_loads(b.text, 0, NULL) : NULL;
	const char *said = json_string_value(json_object_get(health, "status"));
	bool ok = rc == CURLE_OK && status == 200 && said != NULL && strcmp(said, "ok") == 0;
	json_decref(health);
	if (!ok && rc != CURLE_OK)
		snprintf(detail, len, "%s", curl_easy_strerror(rc));
	else if (!ok)
		snprintf(detail, len, "HTTP %ld", status);
	return ok;
}

/* The newest finished run of job: fails when it failed or the newest is older than the age
 * allowed; no run at all is not a failure (a new installation). */
static bool job_fresh(struct mg_db *db, struct mg_arena *arena, const char *job, time_t now, char *detail, size_t len)
{
	struct mg_rows rows;
	struct mg_dbval key[] = { MG_TEXT(job) };
	if (mg_db_exec(db, arena, &mg_monitor_statements[MG_SQL_MONITOR_LAST_RUN], key, 1, &rows, NULL, NULL) != MG_OK) {
		snprintf(detail, len, "cannot read the runs");
		return false;
	}
	if (rows.nrows == 0)
		return true;
	if (strcmp(MG_CELL(&rows, 0, 0), "ok") != 0) {
		snprintf(detail, len, "the last run failed");
		return false;
	}
	time_t at = (time_t)mg_cell_u64(MG_CELL(&rows, 0, 1));
	if (now - at > MG_MONITOR_BACKUP_AGE) {
		snprintf(detail, len, "the last good run is %lld h old", (long long)(now - at) / 3600);
		return false;
	}
	return true;
}

static bool disk_ok(const char *dir, char *detail, size_t len)
{
	struct statvfs st;
	if (dir[0] == '\0' || statvfs(dir, &st) != 0)
		return true; /* not configured or not made yet: nothing to watch */
	unsigned long long total = (unsigned long long)st.f_blocks, avail = (unsigned long long)st.f_bavail;
	if (total > 0 && avail * 100 < total * MG_MONITOR_DISK_FREE_PERCENT) {
		snprintf(detail, len, "%s: %llu%% free", dir, avail * 100 / total);
		return false;
	}
	return true;
}

static enum mg_err record(struct mg_db *db, struct mg_arena *arena, time_t now, const char *name, bool ok,
			  const char *detail, struct mg_monitor_round *out)
{
	out->checks++;
	out->failing += !ok;
	if (!ok)
		mg_log_warn("monitor: %s failing: %s", name, detail);
	return mg_check_record(db, arena, now, name, ok, ok ? "" : detail);
}

enum mg_err mg_monitor_round(struct mg_db *db, struct mg_arena *arena, time_t now, const char *extra_urls,
			     bool insecure, const char *only, struct mg_monitor_round *out)
{
	memset(out, 0, sizeof(*out));
	char detail[256] = "";
	enum mg_err err = MG_OK;
	char *urls = mg_arena_printf(arena, "%s %s", monitor_cfg ? monitor_cfg->monitor_urls : "",
				     extra_urls ? extra_urls : "");
	char *save = NULL;
	for (char *url = strtok_r(urls, " \t", &save); err == MG_OK && wanted(only, "web") && url != NULL;
	     url = strtok_r(NULL, " \t", &save)) {
		bool ok = healthz_ok(url, insecure, detail, sizeof(detail));
		err = record(db, arena, now, mg_arena_printf(arena, "web %.180s", url), ok, detail, out);
	}
	/* the database answers: this round is recorded in it */
	if (err == MG_OK && wanted(only, "database"))
		err = record(db, arena, now, "database", true, "", out);
	struct mg_rows rows;
	if (err == MG_OK && wanted(only, "scheduler") &&
	    (err = mg_db_exec(db, arena, &mg_monitor_statements[MG_SQL_MONITOR_HEARTBEAT], NULL, 0, &rows, NULL,
			      NULL)) == MG_OK) {
		time_t beat = (time_t)mg_cell_u64(MG_CELL(&rows, 0, 0));
		bool ok = beat == 0 || now - beat <= MG_MONITOR_HEARTBEAT;
		snprintf(detail, sizeof(detail), "no heartbeat for %lld s", (long long)(now - beat));
		err = record(db, arena, now, "scheduler", ok, detail, out);
	}
	if (err == MG_OK && wanted(only, "backup"))
		err = record(db, arena, now, "backup", job_fresh(db, arena, "core.backup", now, detail, sizeof(detail)),
			     detail, out);
	if (err == MG_OK && wanted(only, "drill"))
		err = record(db, arena, now, "drill",
			     job_fresh(db, arena, "core.restore_drill", now, detail, sizeof(detail)), detail, out);
	if (err == MG_OK && monitor_cfg != NULL && wanted(only, "disk")) {
		bool ok = disk_ok(monitor_cfg->backup_dir, detail, sizeof(detail)) &&
			  disk_ok(monitor_cfg->scratch_dir, detail, sizeof(detail));
		err = record(db, arena, now, "disk", ok, detail, out);
	}
	long threshold = monitor_cfg && monitor_cfg->monitor_threshold > 0 ? monitor_cfg->monitor_threshold : 180;
	if (err == MG_OK)
		err = mg_incident_evaluate(db, arena, now, threshold, &out->opened, &out->closed);
	return err;
}

enum mg_err mg_monitor_job(struct mg_db *db, struct mg_arena *arena, time_t now)
{
	struct mg_monitor_round round;
	enum mg_err err = mg_monitor_round(db, arena, now, NULL, false, NULL, &round);
	mg_job_note("%u check(s), %u failing%s", round.checks, round.failing,
		    round.opened ? ", an incident open" : round.closed ? ", the incident closed" : "");
	return err;
}
