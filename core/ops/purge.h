/*
 * The 30/60-day purges of a terminated tenant (issue 5, item 4), for a contract that ended on
 * day T (tenant.contract_end, a date of the platform's zone):
 *
 *   T+30  "rows"     every row of the tenant goes: each module through its purge_tenant hook,
 *                    then every core table, in batches of MG_PURGE_BATCH rows (one DELETE …
 *                    LIMIT n per transaction, so locks stay short while other tenants are
 *                    served); the tenant row stays as a tombstone (purged_at, slug never
 *                    reused); then every table with a tenant_id column must hold zero rows
 *                    of it (information_schema), else the step fails loudly.
 *   T+60  "backups"  every backup folder whose id (its UTC start time) is before the T+30 purge
 *                    is deleted, whatever its age;
 *         "key"      the tenant's data key is destroyed (data_key_wrapped = NULL), so a stray
 *                    copy of its sealed personal data cannot be opened.
 *
 * Each step, once done, is appended to the purge ledger (<backup_dir>/purge-ledger.jsonl, one
 * JSON object a line, O_APPEND + fsync, outside the database so a restore cannot roll it back)
 * and writes a deletion record (table deletion_record). `madoguchi purge replay` applies every
 * ledger line to the database again; `madoguchi restore` calls it, so restoring a backup from
 * before a purge never brings the tenant back.
 *
 * The purge connects as the schema owner (cfg db_migrate_user): audit_log is append-only for
 * the application account, and the purge must still delete the tenant's chain.
 */
#ifndef MG_PURGE_H
#define MG_PURGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "arena.h"
#include "config.h"
#include "db.h"
#include "err.h"

enum {
	MG_PURGE_ROWS_AFTER_DAYS = 30,    /* T+30: the rows */
	MG_PURGE_BACKUPS_AFTER_DAYS = 60, /* T+60: the backups and the key */
	MG_PURGE_BATCH = 500,             /* rows per DELETE (and per transaction) */
};

/* The statements of mg_purge_statements (purge.c); a call names one as &mg_purge_statements[<constant>]. */
enum mg_purge_sql {
	MG_SQL_PURGE_DUE,
	MG_SQL_PURGE_TENANT_BY_ID,
	MG_SQL_PURGE_STEPS_DONE,
	MG_SQL_PURGE_MARK,
	MG_SQL_PURGE_TOMBSTONE,
	MG_SQL_PURGE_DESTROY_KEY,
	MG_SQL_PURGE_TENANT_TABLES,
	MG_SQL_PURGE_RECORD,
	MG_SQL_PURGE__MAX
};
extern const struct mg_sql mg_purge_statements[MG_SQL_PURGE__MAX + 1];
/* One DELETE of a batch per core table with tenant rows, in purge order (no enum: walked). */
extern const struct mg_sql mg_purge_delete_statements[];

/* Gives the purge job the configuration (owner account, backup_dir); called by main.c. */
void mg_purge_setup(const struct mg_config *cfg);

/* The job core.purge (daily): every step that is due as of now, for every terminated tenant.
 * A step that fails leaves the others to run and fails the job, naming the tenant and why. */
enum mg_err mg_purge_job(struct mg_db *db, struct mg_arena *arena, time_t now);

/* What `purge replay` did. */
struct mg_purge_replay {
	size_t lines;                 /* ledger lines read */
	unsigned long long rows;      /* rows deleted again (a restore had brought them back) */
	size_t backups;               /* backup folders deleted again */
	size_t keys;                  /* data keys destroyed again */
	size_t records;               /* deletion records written again from the ledger */
	size_t tombstones;            /* tenant rows put back as tombstones */
};

/* Applies every line of the ledger to the database over owner (the schema owner's
 * connection): idempotent, a second run changes nothing. errbuf says what failed. A ledger
 * that does not exist yet is an empty one. */
enum mg_err mg_purge_replay(const struct mg_config *cfg, struct mg_db *owner, struct mg_purge_replay *out,
			    char *errbuf, size_t errlen);

/* The schema owner's connection (NULL and errbuf on failure). */
struct mg_db *mg_purge_connect_owner(const struct mg_config *cfg, char *errbuf, size_t errlen);

/* ---- dates and backup folders (pure; tests/unit/test_purge.c) ---- */

/* The date ("YYYY-MM-DD") `days` days before the date of t, in the platform's zone. */
void mg_purge_date_minus(time_t t, int days, char out[11]);
/* The date of T+days for a contract end "YYYY-MM-DD"; false when end is not a date. */
bool mg_purge_date_plus(const char *end, int days, char out[11]);

/* Whether name is a backup folder's name, "YYYYMMDDTHHMMSSZ" or that with ".partial", and
 * the UTC time it names. */
bool mg_backup_id_time(const char *name, time_t *out);

/* ---- the ledger (core/ops/purge_ledger.c) ---- */

/* "<backup_dir>/purge-ledger.jsonl" into out. */
void mg_purge_ledger_path(const struct mg_config *cfg, char *out, size_t len);
/* Appends line (a JSON object) and a newline with one write() on an O_APPEND descriptor, then
 * fsync()s it (and the folder, when the file was new): when this returns MG_OK the step is on
 * disk. Creates backup_dir (0700) when missing. */
enum mg_err mg_purge_ledger_append(const char *path, json_t *line, char *errbuf, size_t errlen);
/* Reads every line into *lines (a JSON array; the caller decrefs it). A last line without its
 * newline (a write cut short by a crash) is skipped with a warning; any other line that is
 * not a JSON object with tenant_id, slug, step and at is an error naming its number. A missing
 * file gives an empty array. */
enum mg_err mg_purge_ledger_read(const char *path, json_t **lines, char *errbuf, size_t errlen);
/* The same over text already in memory (the unit tests). */
enum mg_err mg_purge_ledger_parse(const char *text, size_t len, json_t **lines, char *errbuf, size_t errlen);

/* Deletes every row of a tenant in a module's tables (the 30-day purge). */
typedef enum mg_err (*mg_purge_tenant_fn)(struct mg_db *db, uint64_t tenant_id);
/* The module loader registers each module's purge function under the module's name; the purge
 * calls them before deleting the core's rows (theirs may refer to the core's). */
enum mg_err mg_purge_register(const char *owner, mg_purge_tenant_fn fn);
void mg_purge_forget(void);

#endif
