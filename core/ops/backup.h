/*
 * Backups, restores and the restore drill (issue 5, items 2 and 3).
 *
 * A backup is a physical copy taken with mariadb-backup (--backup, then --prepare) while the
 * workers serve; see docs/OPERATIONS.md for why not mariadb-dump. Layout (a contract the purge
 * work relies on):
 *
 *   <backup_dir>/<id>/            id = UTC start time YYYYMMDDTHHMMSSZ
 *       manifest.json             what is in it (below); written last
 *       manifest.sig              HMAC-SHA-256 of manifest.json under a key derived from the
 *                                 backup key (a changed manifest is refused too)
 *       db/<path>.gz.enc          every file of the prepared copy, compressed and sealed
 *                                 (core/ops/backup_stream.h)
 *       purge-ledger.jsonl        a copy of <backup_dir>/purge-ledger.jsonl when it exists
 *   <backup_dir>/<id>.partial/    while it is written; renamed to <id>/ only once manifest.json
 *                                 is complete. list, verify and the drill never look at a
 *                                 .partial; the next backup deletes the stale ones.
 *
 * manifest.json: {"format": 1, "id", "started_at", "finished_at" (UTC ISO), "server_version",
 * "binlog": {"file", "position"} or null, "tables": {name: {"rows", "checksum"}},
 * "tenants": {table: {tenant_id: rows}} (every table with a tenant_id column),
 * "files": [{"path", "plain_bytes", "bytes", "sha256", "sealed"}]}. The counts and checksums
 * are read from the prepared copy itself (a scratch server started on it), so they describe
 * exactly what is in the backup, not the live database a moment later.
 */
#ifndef MG_BACKUP_H
#define MG_BACKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "arena.h"
#include "config.h"
#include "db.h"
#include "err.h"

enum { MG_BACKUP_ID_LEN = 16 }; /* "20260401T030000Z" */

/* ---- pure parts (backup_manifest.c, unit-tested) ---- */

/* The id of a backup started at t; out holds MG_BACKUP_ID_LEN + 1 bytes. */
void mg_backup_id_format(time_t t, char *out);
/* True when name is exactly an id (a ".partial" or anything else is not); *t its time. */
bool mg_backup_id_parse(const char *name, time_t *t);
/* True when a backup taken at `taken` is older than keep_days at `now`. */
bool mg_backup_expired(time_t taken, time_t now, size_t keep_days);
/* Parses manifest.json and checks its shape; *out is a new reference. why says what is wrong. */
enum mg_err mg_manifest_parse(const char *text, size_t len, json_t **out, char *why, size_t whylen);
/* Compares what a restored copy holds (`actual`: {"tables", "tenants"} as in the manifest) with
 * the manifest. MG_OK when every table, count and checksum agree; else MG_ERR_INPUT and why
 * names the first differences (a table missing or extra, a count or checksum that differs). */
enum mg_err mg_manifest_compare(const json_t *manifest, const json_t *actual, char *why, size_t whylen);

/* ---- backups (backup.c) ---- */

/* The configuration the backup job and the drill read (set by load_app, like the mail's). */
void mg_backup_setup(const struct mg_config *cfg);
const struct mg_config *mg_backup_config(void);

/* Takes a backup now (its id is the clock's time, mg_now()): copies, prepares, seals, measures,
 * writes the manifest and renames <id>.partial to <id>. Waits for a backup in progress (one at
 * a time, a lock file in backup_dir). Progress lines on stderr. On error why says what failed
 * and nothing is left but a .partial, which the next backup deletes. */
enum mg_err mg_backup_take(char *id_out, char *why, size_t whylen);
/* Deletes the backups older than backup_keep_days at `now`, never `keep` (the one just taken);
 * each deletion is audited when db is not NULL. */
enum mg_err mg_backup_prune(struct mg_db *db, time_t now, const char *keep, unsigned *deleted, char *why,
			    size_t whylen);

/* The complete backups (no .partial), oldest first; names owned by the arena. */
enum mg_err mg_backup_ids(struct mg_arena *arena, const char ***ids, size_t *n, char *why, size_t whylen);
/* Reads and authenticates a backup's manifest (manifest.sig). */
enum mg_err mg_backup_manifest(const char *id, json_t **out, char *why, size_t whylen);
/* Checks every file of a backup against its manifest (size, SHA-256) and opens every sealed one
 * (GCM tags, gzip), without writing anything. MG_ERR_INPUT names the first bad file in why,
 * and *bad counts them all. */
enum mg_err mg_backup_verify(const char *id, unsigned *bad, char *why, size_t whylen);
/* Restores a backup's database files into dir (created; must not exist or be empty), checking
 * each file as it goes; *manifest (may be NULL) receives the manifest. */
enum mg_err mg_backup_extract(const char *id, const char *dir, json_t **manifest, char *why, size_t whylen);

/* Records a backup event in the platform's audit chain (tenant 0); failures only logged. */
void mg_backup_audit(struct mg_db *db, const char *actor, const char *action, const char *object, bool ok,
		     const char *detail);

/* The job core.backup: a backup, then the retention (backups older than backup_keep_days by
 * their id's time relative to `now`). */
enum mg_err mg_backup_job(struct mg_db *db, struct mg_arena *arena, time_t now);

/* ---- the restore drill (drill.c) ---- */

/* The statements of mg_drill_statements (drill.c); a call names one as &mg_drill_statements[<constant>]. */
enum mg_drill_sql {
	MG_SQL_DRILL_BACKUP_DATADIR,
	MG_SQL_DRILL_RECORD,
	MG_SQL_DRILL_LAST,
	MG_SQL_DRILL_PASSED_SINCE,
	MG_SQL_DRILL_JOB_FAILED_SINCE,
	MG_SQL_DRILL__MAX
};
extern const struct mg_sql mg_drill_statements[MG_SQL_DRILL__MAX + 1];

/* Restores backup `id` (NULL: the newest) into a scratch MariaDB under scratch_dir, starts it,
 * runs CHECK TABLE, compares every count and checksum with the manifest, stops and deletes it,
 * and records the result in restore_drill (when db is not NULL). MG_ERR_INPUT when the drill
 * failed (why says why, naming the file or table); *used receives the id drilled. */
enum mg_err mg_drill_run(struct mg_db *db, const char *id, time_t now, char *used, char *why, size_t whylen);
/* The job core.restore_drill: drills the newest backup. */
enum mg_err mg_drill_job(struct mg_db *db, struct mg_arena *arena, time_t now);
/* For the operator console: {"last": {backup_id, outcome, finished, detail} or null,
 * "alert": true when no drill passed in the 48 hours before now, "failed_runs": [{job,
 * outcome, started, detail}] of the last 7 days}. */
json_t *mg_drill_console(struct mg_db *db, struct mg_arena *arena, time_t now, enum mg_err *err);

#endif
