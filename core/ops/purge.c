/*
 * The 30/60-day purges: the job core.purge and `madoguchi purge replay` (see purge.h for the
 * steps and why the purge runs as the schema owner).
 *
 * Order within a step: do it in the database, append it to the ledger (fsync), then write its
 * deletion record. A crash between two of these leaves a step without its record, so the next
 * run does it again: every step is idempotent (deleting what is already gone deletes nothing),
 * and at worst the ledger holds a step twice, which replay applies twice to the same effect.
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "clock.h"
#include "grants.h"
#include "jobs.h"
#include "log.h"
#include "purge.h"

const struct mg_sql mg_purge_statements[] = {
	/* terminated tenants whose contract ended on or before the date given (T+30 reached) */
	[MG_SQL_PURGE_DUE] = { "core.purge_due",
	  "SELECT id, slug, name, contract_start, contract_end, data_key_wrapped IS NOT NULL FROM tenant"
	  " WHERE state = 'terminated' AND contract_end IS NOT NULL AND contract_end <= ? ORDER BY contract_end, id" },
	[MG_SQL_PURGE_TENANT_BY_ID] = { "core.purge_tenant_by_id",
	  "SELECT id, slug, name, contract_start, contract_end, data_key_wrapped IS NOT NULL FROM tenant WHERE id = ?" },
	/* the steps of a tenant already done (and when) */
	[MG_SQL_PURGE_STEPS_DONE] = { "core.purge_steps_done",
	  "SELECT step, UNIX_TIMESTAMP(MIN(at)) FROM deletion_record WHERE subject_tenant_id = ?"
	  " AND step IN ('rows', 'backups', 'key') GROUP BY step" },
	/* from now on nothing of the tenant is served (http.c answers 410); state too, for a restore
	 * of a backup from before the termination: contract_end, at, id */
	[MG_SQL_PURGE_MARK] = { "core.purge_mark",
	  "UPDATE tenant SET state = 'terminated', contract_end = COALESCE(contract_end, ?),"
	  " purged_at = COALESCE(purged_at, FROM_UNIXTIME(?)) WHERE id = ?" },
	/* a restored backup older than the tenant: its slug stays taken */
	[MG_SQL_PURGE_TOMBSTONE] = { "core.purge_tombstone",
	  "INSERT IGNORE INTO tenant (id, slug, name, contract_start, contract_end, state, purged_at)"
	  " VALUES (?, ?, ?, ?, ?, 'terminated', FROM_UNIXTIME(?))" },
	[MG_SQL_PURGE_DESTROY_KEY] = { "core.purge_destroy_key",
	  "UPDATE tenant SET data_key_wrapped = NULL, updated_at = CURRENT_TIMESTAMP(6)"
	  " WHERE id = ? AND data_key_wrapped IS NOT NULL" },
	/* every base table of this database with a tenant_id column */
	[MG_SQL_PURGE_TENANT_TABLES] = { "core.purge_tenant_tables",
	  "SELECT c.TABLE_NAME FROM information_schema.COLUMNS c JOIN information_schema.TABLES t"
	  " ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME"
	  " WHERE c.TABLE_SCHEMA = DATABASE() AND c.COLUMN_NAME = 'tenant_id' AND t.TABLE_TYPE = 'BASE TABLE'"
	  " ORDER BY c.TABLE_NAME" },
	[MG_SQL_PURGE_RECORD] = { "core.purge_record",
	  "INSERT INTO deletion_record (subject_tenant_id, subject_slug, subject_name, step, at, row_count,"
	  " file_count, job, job_run_id, detail) VALUES (?, ?, ?, ?, FROM_UNIXTIME(?), ?, ?, ?, ?, ?)" },
	[MG_SQL_PURGE__MAX] = { NULL, NULL },
};

/* The core's tables that carry tenant rows, in the order the purge empties them: what refers
 * to other rows first, the audit chain last (a request still running for the tenant would
 * log into it). One statement per table deletes a batch of the tenant's rows; the table's name
 * follows DELETE_PREFIX in the statement's name. The purge walks this table in order and never
 * names one entry, so it has no enum. The check afterwards finds any table with a tenant_id
 * column missing here. */
#define DELETE_PREFIX "core.purge_delete_"
#define DELETE_BATCH(table) { DELETE_PREFIX table, "DELETE FROM " table " WHERE tenant_id = ? LIMIT ?" }
const struct mg_sql mg_purge_delete_statements[] = {
	DELETE_BATCH("lottery_award"),
	DELETE_BATCH("lottery_entry"),
	DELETE_BATCH("lottery_item"),
	DELETE_BATCH("lottery_draw"),
	DELETE_BATCH("calendar_claim"),
	DELETE_BATCH("calendar_occupation"),
	DELETE_BATCH("calendar_closed"),
	DELETE_BATCH("calendar_hours"),
	DELETE_BATCH("calendar_space"),
	DELETE_BATCH("inventory_unit"),
	DELETE_BATCH("cart_item"),
	DELETE_BATCH("cart"),
	DELETE_BATCH("provisional_hold"),
	DELETE_BATCH("order_line"),
	DELETE_BATCH("order_history"),
	DELETE_BATCH("payment"),
	DELETE_BATCH("test_card_session"),
	DELETE_BATCH("orders"),
	DELETE_BATCH("tenant_setting"),
	DELETE_BATCH("api_token"),
	DELETE_BATCH("signing_key"),
	DELETE_BATCH("session"),
	DELETE_BATCH("person_token"),
	DELETE_BATCH("mail_outbox"),
	DELETE_BATCH("person"),
	DELETE_BATCH("notice_read"),
	DELETE_BATCH("notice"),
	DELETE_BATCH("staff_recovery_code"),
	DELETE_BATCH("staff_password_history"),
	DELETE_BATCH("staff"),
	DELETE_BATCH("tenant_module"),
	DELETE_BATCH("audit_head"),
	DELETE_BATCH("audit_log"),
	{ NULL, NULL },
};

static const struct mg_config *purge_cfg;

void mg_purge_setup(const struct mg_config *cfg)
{
	purge_cfg = cfg;
}

struct mg_db *mg_purge_connect_owner(const struct mg_config *cfg, char *errbuf, size_t errlen)
{
	struct mg_db_params params = { cfg->db_socket, cfg->db_host, (unsigned)cfg->db_port, cfg->db_migrate_user,
				       cfg->db_migrate_password, cfg->db_name };
	struct mg_db *db = NULL;
	if (mg_db_open(&params, &db) != MG_OK) {
		snprintf(errbuf, errlen, "cannot connect as the schema owner %s: %s", cfg->db_migrate_user,
			 db ? mg_db_error(db) : "out of memory");
		mg_db_close(db);
		return NULL;
	}
	return db;
}

/* ---- one run: the job's or a replay's --------------------------------------------------------- */

struct run {
	const struct mg_config *cfg;
	struct mg_db *db; /* the schema owner's connection */
	struct mg_arena *arena;
	const char *job;  /* "core.purge" or "purge replay" */
	unsigned long long run_id;
	char ledger[512];
	char why[512];    /* the first failure, for the job's detail */
	/* what the run did */
	size_t tenants;
	unsigned long long rows;
	size_t backups, keys, records, tombstones;
};

struct subject {
	uint64_t id;
	const char *slug, *name, *contract_start, *contract_end;
	bool key_present;
};

/* Remembers the first failure (the job's detail shows it) and logs every one. */
static enum mg_err fail(struct run *r, enum mg_err err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static enum mg_err fail(struct run *r, enum mg_err err, const char *fmt, ...)
{
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	mg_log_error("purge: %s", text);
	if (r->why[0] == '\0')
		snprintf(r->why, sizeof(r->why), "%s", text);
	return err;
}

static void subject_from_row(const struct mg_rows *rows, size_t i, struct subject *t)
{
	t->id = strtoull(MG_CELL(rows, i, 0), NULL, 10);
	t->slug = MG_CELL(rows, i, 1);
	t->name = MG_CELL(rows, i, 2);
	t->contract_start = MG_CELL(rows, i, 3);
	t->contract_end = MG_CELL(rows, i, 4);
	t->key_present = strcmp(MG_CELL(rows, i, 5), "1") == 0;
}

static void audit_step(struct run *r, const struct subject *t, const char *action, const char *detail)
{
	struct mg_audit_event ev = { 0, mg_arena_printf(r->arena, "job:%s", r->job), action,
				     mg_arena_printf(r->arena, "tenant:%s", t->slug), "", "", "success", detail };
	if (mg_audit_record(r->db, &ev) != MG_OK)
		mg_log_error("purge: could not audit %s of tenant %s (the deletion record has it)", action, t->slug);
}

static enum mg_err write_record(struct run *r, const struct subject *t, const char *step, time_t at,
				unsigned long long rows, size_t files, const char *job, unsigned long long run_id,
				const char *detail)
{
	struct mg_dbval args[] = { MG_INT(t->id),   MG_TEXT(t->slug),	  MG_TEXT(t->name),
				   MG_TEXT(step),   MG_INT(at),		  MG_INT(rows),
				   MG_INT(files),   MG_TEXT(job),	  run_id ? MG_INT(run_id) : MG_NULL,
				   MG_TEXT(detail) };
	enum mg_err err =
	    mg_db_exec(r->db, r->arena, &mg_purge_statements[MG_SQL_PURGE_RECORD], args, 10, NULL, NULL, NULL);
	if (err != MG_OK)
		return fail(r, err, "tenant %s: the deletion record of step %s could not be written: %s", t->slug, step,
			    mg_db_error(r->db));
	r->records++;
	return MG_OK;
}

/* The ledger line of a step: who, what, when, by which run, and the step's own facts. */
static json_t *ledger_line(const struct run *r, const struct subject *t, const char *step, time_t at)
{
	char iso[32];
	struct tm tm;
	gmtime_r(&at, &tm);
	strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_pack("{s:I, s:s, s:s, s:s?, s:s?, s:s, s:I, s:s, s:s, s:I}", "tenant_id", (json_int_t)t->id, "slug",
			 t->slug, "name", t->name, "contract_start", t->contract_start, "contract_end", t->contract_end,
			 "step", step, "at", (json_int_t)at, "at_utc", iso, "job", r->job, "job_run", (json_int_t)r->run_id);
}

static enum mg_err append_ledger(struct run *r, const struct subject *t, json_t *line)
{
	char why[512];
	enum mg_err err = line ? mg_purge_ledger_append(r->ledger, line, why, sizeof(why)) : MG_ERR_NOMEM;
	json_decref(line);
	if (err != MG_OK)
		return fail(r, err, "tenant %s: %s", t->slug, why);
	return MG_OK;
}

/* ---- step "rows" -------------------------------------------------------------------------- */

/* Deletes the tenant's rows of one core table, MG_PURGE_BATCH at a time, each DELETE its own
 * transaction (autocommit), so no lock is held longer than one batch. */
static enum mg_err delete_in_batches(struct run *r, const struct mg_sql *statement, uint64_t tenant_id,
				     unsigned long long *deleted)
{
	*deleted = 0;
	for (int busy = 0;;) {
		unsigned long long affected = 0;
		struct mg_dbval args[] = { MG_INT(tenant_id), MG_INT(MG_PURGE_BATCH) };
		enum mg_err err = mg_db_exec(r->db, r->arena, statement, args, 2, NULL, &affected, NULL);
		/* a lock wait on a row of ours (a request still finishing): the batch is tried again,
		 * a few times; then the job fails and its retry comes back later */
		if (err == MG_ERR_DB_BUSY && ++busy <= MG_DB_RETRIES)
			continue;
		if (err != MG_OK)
			return err;
		*deleted += affected;
		if (affected < MG_PURGE_BATCH)
			return MG_OK;
	}
}

/*
 * The proof: every base table with a tenant_id column holds zero rows of the tenant. The table
 * names come from information_schema and are pasted into the COUNT only after the same check
 * as the names in GRANT (core/db/grants.c); the tenant id is bound. *left names the tables that
 * still hold rows ("table: n", in checked), *ntables how many tables were looked at.
 */
static enum mg_err check_zero_rows(struct run *r, uint64_t tenant_id, json_t *checked, size_t *ntables,
				   unsigned long long *left)
{
	struct mg_rows tables;
	*ntables = 0;
	*left = 0;
	enum mg_err err =
	    mg_db_exec(r->db, r->arena, &mg_purge_statements[MG_SQL_PURGE_TENANT_TABLES], NULL, 0, &tables, NULL, NULL);
	if (err != MG_OK)
		return err;
	for (size_t i = 0; i < tables.nrows; i++) {
		const char *table = MG_CELL(&tables, i, 0);
		if (!mg_grants_valid_identifier(table))
			return fail(r, MG_ERR_CONFIG, "table '%s' has a tenant_id column but a name the check cannot use",
				    table);
		char sql[160];
		snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM `%s` WHERE tenant_id = ?", table);
		struct mg_dbval args[] = { MG_INT(tenant_id) };
		struct mg_rows count;
		if ((err = mg_db_exec_dynamic(r->db, r->arena, sql, args, 1, &count, NULL)) != MG_OK)
			return err;
		unsigned long long n = strtoull(MG_CELL(&count, 0, 0), NULL, 10);
		if (n > 0)
			json_object_set_new(checked, table, json_integer((json_int_t)n));
		*left += n;
		(*ntables)++;
	}
	return MG_OK;
}

/* Deletes every row of the tenant (modules, then core) and proves none is left. *deleted
 * receives the core rows deleted (modules' hooks do not count theirs), detail gets per table
 * counts. */
/* The modules' purge functions, registered by the loader with the module's name. */
static struct {
	const char *owner;
	mg_purge_tenant_fn fn;
} module_purges[MG_MAX_MODULES];
static size_t nmodule_purges;

enum mg_err mg_purge_register(const char *owner, mg_purge_tenant_fn fn)
{
	if (fn == NULL)
		return MG_OK;
	if (nmodule_purges == MG_MAX_MODULES)
		return MG_ERR_CONFIG;
	module_purges[nmodule_purges].owner = owner;
	module_purges[nmodule_purges].fn = fn;
	nmodule_purges++;
	return MG_OK;
}

void mg_purge_forget(void)
{
	nmodule_purges = 0;
}

static enum mg_err delete_tenant_rows(struct run *r, const struct subject *t, unsigned long long *deleted,
				      json_t *detail)
{
	enum mg_err err = MG_OK;
	json_t *tables = json_object(), *modules = json_array(), *left = json_object();
	json_object_set_new(detail, "tables", tables);
	json_object_set_new(detail, "modules", modules);
	*deleted = 0;
	/* modules first: their rows may refer to the core's (people, orders) */
	for (size_t i = 0; i < nmodule_purges; i++) {
		const char *owner = module_purges[i].owner;
		if ((err = module_purges[i].fn(r->db, t->id)) != MG_OK) {
			json_decref(left);
			return fail(r, err, "tenant %s: module %s could not purge it: %s (%s)", t->slug, owner,
				    mg_strerror(err), mg_db_error(r->db));
		}
		json_array_append_new(modules, json_string(owner));
	}
	for (const struct mg_sql *d = mg_purge_delete_statements; d->name != NULL; d++) {
		const char *table = d->name + strlen(DELETE_PREFIX);
		unsigned long long n = 0;
		if ((err = delete_in_batches(r, d, t->id, &n)) != MG_OK) {
			json_decref(left);
			return fail(r, err, "tenant %s: deleting from %s failed: %s", t->slug, table, mg_db_error(r->db));
		}
		if (n > 0)
			json_object_set_new(tables, table, json_integer((json_int_t)n));
		*deleted += n;
	}
	size_t ntables = 0;
	unsigned long long remaining = 0;
	if ((err = check_zero_rows(r, t->id, left, &ntables, &remaining)) != MG_OK) {
		json_decref(left);
		return r->why[0] ? err : fail(r, err, "tenant %s: the check could not run: %s", t->slug, mg_db_error(r->db));
	}
	if (remaining > 0) {
		char *which = json_dumps(left, JSON_COMPACT | JSON_SORT_KEYS);
		err = fail(r, MG_ERR_INTERNAL, "tenant %s: %llu row(s) are left after the purge: %s (a table missing from "
			   "the purge or a module's purge_tenant)", t->slug, remaining, which ? which : "?");
		free(which);
		json_decref(left);
		return err;
	}
	json_decref(left);
	json_object_set_new(detail, "checked_tables", json_integer((json_int_t)ntables));
	json_object_set_new(detail, "rows_left", json_integer(0));
	return MG_OK;
}

static enum mg_err mark_purged(struct run *r, const struct subject *t, time_t at)
{
	struct mg_dbval args[] = { MG_TEXT(t->contract_end), MG_INT(at), MG_INT(t->id) };
	enum mg_err err =
	    mg_db_exec(r->db, r->arena, &mg_purge_statements[MG_SQL_PURGE_MARK], args, 3, NULL, NULL, NULL);
	if (err != MG_OK)
		return fail(r, err, "tenant %s: cannot mark it purged: %s", t->slug, mg_db_error(r->db));
	return MG_OK;
}

static char *dump(struct mg_arena *arena, json_t *o)
{
	char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	char *copy = mg_arena_strdup(arena, text ? text : "{}");
	free(text);
	return copy;
}

/* T+30: the rows. */
static enum mg_err step_rows(struct run *r, const struct subject *t, time_t now)
{
	unsigned long long deleted = 0;
	json_t *detail = json_object();
	enum mg_err err = mark_purged(r, t, now);
	if (err == MG_OK)
		err = delete_tenant_rows(r, t, &deleted, detail);
	if (err == MG_OK) {
		json_t *line = ledger_line(r, t, "rows", now);
		json_object_set_new(line, "rows", json_integer((json_int_t)deleted));
		err = append_ledger(r, t, line);
	}
	if (err == MG_OK)
		err = write_record(r, t, "rows", now, deleted, 0, r->job, r->run_id, dump(r->arena, detail));
	if (err == MG_OK) {
		audit_step(r, t, "tenant.purge.rows", mg_arena_printf(r->arena, "%llu rows deleted", deleted));
		mg_log_info("purge: tenant %s (id %llu): %llu rows deleted, none left", t->slug, (unsigned long long)t->id,
			    deleted);
		r->rows += deleted;
		r->tenants++;
	}
	json_decref(detail);
	return err;
}

/* ---- step "backups" --------------------------------------------------------------------------- */

static size_t files_removed; /* nftw() takes no argument; the purge runs in one thread */

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	int rc = type == FTW_DP ? rmdir(path) : unlink(path);
	if (rc == 0 && type != FTW_DP)
		files_removed++;
	return rc == 0 || errno == ENOENT ? 0 : -1;
}

/* Deletes every backup folder (finished or .partial) whose id is before `before`; *ids gets
 * their names. Not there at all is nothing to delete. */
static enum mg_err delete_backups_before(struct run *r, const struct subject *t, time_t before, json_t *ids,
					 size_t *folders, size_t *files)
{
	*folders = 0;
	files_removed = 0;
	DIR *dir = opendir(r->cfg->backup_dir);
	if (dir == NULL && errno == ENOENT)
		return MG_OK;
	if (dir == NULL)
		return fail(r, MG_ERR_IO, "tenant %s: cannot read the backups in %s: %s", t->slug, r->cfg->backup_dir,
			    strerror(errno));
	enum mg_err err = MG_OK;
	struct dirent *e;
	while ((e = readdir(dir)) != NULL) {
		time_t taken;
		if (!mg_backup_id_time(e->d_name, &taken) || taken >= before)
			continue;
		char path[1024];
		snprintf(path, sizeof(path), "%s/%s", r->cfg->backup_dir, e->d_name);
		if (nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0) {
			err = fail(r, MG_ERR_IO, "tenant %s: cannot delete the backup %s: %s", t->slug, path, strerror(errno));
			break;
		}
		json_array_append_new(ids, json_string(e->d_name));
		(*folders)++;
	}
	closedir(dir);
	*files = files_removed;
	return err;
}

/* T+60: every backup from before the T+30 purge. */
static enum mg_err step_backups(struct run *r, const struct subject *t, time_t purged_at, time_t now)
{
	json_t *ids = json_array();
	size_t folders = 0, files = 0;
	enum mg_err err = delete_backups_before(r, t, purged_at, ids, &folders, &files);
	if (err == MG_OK) {
		json_t *line = ledger_line(r, t, "backups", now);
		json_object_set_new(line, "before", json_integer((json_int_t)purged_at));
		json_object_set_new(line, "backups", json_integer((json_int_t)folders));
		json_object_set_new(line, "files", json_integer((json_int_t)files));
		err = append_ledger(r, t, line);
	}
	if (err == MG_OK) {
		json_t *detail = json_pack("{s:I, s:O, s:I}", "before", (json_int_t)purged_at, "backups", ids, "files",
					   (json_int_t)files);
		err = write_record(r, t, "backups", now, 0, folders, r->job, r->run_id, dump(r->arena, detail));
		json_decref(detail);
	}
	if (err == MG_OK) {
		audit_step(r, t, "tenant.purge.backups",
			   mg_arena_printf(r->arena, "%zu backups (%zu files) deleted", folders, files));
		r->backups += folders;
	}
	json_decref(ids);
	return err;
}

/* T+60: the data key. */
static enum mg_err step_key(struct run *r, const struct subject *t, time_t now)
{
	unsigned long long destroyed = 0;
	struct mg_dbval args[] = { MG_INT(t->id) };
	enum mg_err err = mg_db_exec(r->db, r->arena, &mg_purge_statements[MG_SQL_PURGE_DESTROY_KEY], args, 1, NULL,
	                             &destroyed, NULL);
	if (err != MG_OK)
		return fail(r, err, "tenant %s: cannot destroy its data key: %s", t->slug, mg_db_error(r->db));
	if ((err = append_ledger(r, t, ledger_line(r, t, "key", now))) != MG_OK)
		return err;
	const char *detail = destroyed ? "{\"data_key_wrapped\":\"destroyed\"}" : "{\"data_key_wrapped\":\"already gone\"}";
	if ((err = write_record(r, t, "key", now, destroyed, 0, r->job, r->run_id, detail)) != MG_OK)
		return err;
	audit_step(r, t, "tenant.purge.key", "data key destroyed");
	r->keys += destroyed;
	return MG_OK;
}

/* ---- the job ---------------------------------------------------------------------------------- */

struct steps_done {
	bool rows, backups, key;
	time_t rows_at;
};

static enum mg_err steps_done(struct run *r, uint64_t tenant_id, struct steps_done *out)
{
	memset(out, 0, sizeof(*out));
	struct mg_dbval args[] = { MG_INT(tenant_id) };
	struct mg_rows rows;
	enum mg_err err =
	    mg_db_exec(r->db, r->arena, &mg_purge_statements[MG_SQL_PURGE_STEPS_DONE], args, 1, &rows, NULL, NULL);
	for (size_t i = 0; err == MG_OK && i < rows.nrows; i++) {
		const char *step = MG_CELL(&rows, i, 0);
		if (strcmp(step, "rows") == 0) {
			out->rows = true;
			out->rows_at = (time_t)strtoll(MG_CELL(&rows, i, 1), NULL, 10);
		}
		out->backups |= strcmp(step, "backups") == 0;
		out->key |= strcmp(step, "key") == 0;
	}
	return err;
}

/* Every step due for one tenant whose T+30 has come. */
static enum mg_err purge_tenant_due(struct run *r, const struct subject *t, const char *t60_cutoff, time_t now)
{
	struct steps_done done;
	enum mg_err err = steps_done(r, t->id, &done);
	if (err != MG_OK)
		return fail(r, err, "tenant %s: cannot read its deletion records: %s", t->slug, mg_db_error(r->db));
	if (!done.rows) {
		if ((err = step_rows(r, t, now)) != MG_OK)
			return err;
		done.rows = true;
		done.rows_at = now;
	}
	if (strcmp(t->contract_end, t60_cutoff) > 0)
		return MG_OK; /* T+60 not yet */
	if (!done.backups && (err = step_backups(r, t, done.rows_at, now)) != MG_OK)
		return err;
	if (!done.key && (err = step_key(r, t, now)) != MG_OK)
		return err;
	return MG_OK;
}

static void run_init(struct run *r, const struct mg_config *cfg, struct mg_db *owner, struct mg_arena *arena,
		     const char *job, unsigned long long run_id)
{
	memset(r, 0, sizeof(*r));
	r->cfg = cfg;
	r->db = owner;
	r->arena = arena;
	r->job = job;
	r->run_id = run_id;
	mg_purge_ledger_path(cfg, r->ledger, sizeof(r->ledger));
}

enum mg_err mg_purge_job(struct mg_db *app_db, struct mg_arena *arena, time_t now)
{
	(void)app_db; /* the purge works as the schema owner */
	if (purge_cfg == NULL) {
		mg_job_note("mg_purge_setup was not called");
		return MG_ERR_INTERNAL;
	}
	char why[512];
	struct mg_db *owner = mg_purge_connect_owner(purge_cfg, why, sizeof(why));
	if (owner == NULL) {
		mg_job_note("%s", why);
		return MG_ERR_DB_GONE;
	}
	struct run r;
	run_init(&r, purge_cfg, owner, arena, "core.purge", mg_job_run_id());
	char t30_cutoff[11], t60_cutoff[11];
	mg_purge_date_minus(now, MG_PURGE_ROWS_AFTER_DAYS, t30_cutoff);
	mg_purge_date_minus(now, MG_PURGE_BACKUPS_AFTER_DAYS, t60_cutoff);
	struct mg_dbval args[] = { MG_TEXT(t30_cutoff) };
	struct mg_rows due;
	enum mg_err err = mg_db_exec(owner, arena, &mg_purge_statements[MG_SQL_PURGE_DUE], args, 1, &due, NULL, NULL),
	            first = MG_OK;
	if (err != MG_OK)
		first = fail(&r, err, "cannot list the terminated tenants: %s", mg_db_error(owner));
	for (size_t i = 0; err == MG_OK && i < due.nrows; i++) {
		struct subject t;
		subject_from_row(&due, i, &t);
		/* one tenant's failure does not hold back the others; the job fails at the end */
		enum mg_err e = purge_tenant_due(&r, &t, t60_cutoff, now);
		if (e != MG_OK && first == MG_OK)
			first = e;
	}
	if (first != MG_OK)
		mg_job_note("%s", r.why);
	else
		mg_job_note("%zu tenant(s) purged (%llu rows), %zu backup(s) deleted, %zu data key(s) destroyed", r.tenants,
			    r.rows, r.backups, r.keys);
	mg_db_close(owner);
	return first;
}

/* ---- replay ----------------------------------------------------------------------------------- */

static const char *line_text(json_t *line, const char *key)
{
	return json_string_value(json_object_get(line, key));
}

static json_int_t line_int(json_t *line, const char *key)
{
	return json_integer_value(json_object_get(line, key));
}

/* The tenant a ledger line speaks of, put back as a tombstone when the database does not have
 * it (a backup older than the tenant). A different tenant under that id is an error. */
static enum mg_err replay_subject(struct run *r, json_t *line, struct subject *t)
{
	uint64_t id = (uint64_t)line_int(line, "tenant_id");
	const char *slug = line_text(line, "slug");
	struct mg_dbval args[] = { MG_INT(id) };
	struct mg_rows rows;
	enum mg_err err =
	    mg_db_exec(r->db, r->arena, &mg_purge_statements[MG_SQL_PURGE_TENANT_BY_ID], args, 1, &rows, NULL, NULL);
	if (err != MG_OK)
		return fail(r, err, "tenant %s: %s", slug, mg_db_error(r->db));
	if (rows.nrows == 0) {
		const char *end = line_text(line, "contract_end"), *start = line_text(line, "contract_start");
		const char *name = line_text(line, "name");
		struct mg_dbval stone[] = { MG_INT(id), MG_TEXT(slug), MG_TEXT(name ? name : slug),
					    MG_TEXT(start ? start : end), MG_TEXT(end), MG_INT(line_int(line, "at")) };
		unsigned long long added = 0;
		if ((err = mg_db_exec(r->db, r->arena, &mg_purge_statements[MG_SQL_PURGE_TOMBSTONE], stone, 6, NULL,
		                      &added, NULL)) != MG_OK)
			return fail(r, err, "tenant %s: cannot put its tombstone back: %s", slug, mg_db_error(r->db));
		r->tombstones += added;
		if ((err = mg_db_exec(r->db, r->arena, &mg_purge_statements[MG_SQL_PURGE_TENANT_BY_ID], args, 1, &rows,
		                      NULL, NULL)) != MG_OK)
			return fail(r, err, "tenant %s: %s", slug, mg_db_error(r->db));
		if (rows.nrows == 0)
			return fail(r, MG_ERR_CONFLICT, "tenant %s: its tombstone could not be written (slug taken?)", slug);
	}
	subject_from_row(&rows, 0, t);
	if (strcmp(t->slug, slug) != 0)
		return fail(r, MG_ERR_CONFLICT, "ledger says tenant %llu is '%s' but the database has '%s' under that id; "
			    "nothing of it was touched", (unsigned long long)id, slug, t->slug);
	return MG_OK;
}

/* The step's own deletion record, rebuilt from the ledger line when the database lost it. */
static enum mg_err replay_record(struct run *r, const struct subject *t, json_t *line, const char *step,
				 const struct steps_done *done)
{
	bool have = strcmp(step, "rows") == 0 ? done->rows : strcmp(step, "backups") == 0 ? done->backups : done->key;
	if (have)
		return MG_OK;
	const char *job = line_text(line, "job");
	return write_record(r, t, step, (time_t)line_int(line, "at"), (unsigned long long)line_int(line, "rows"),
			    (size_t)line_int(line, "backups"), job ? job : "core.purge",
			    (unsigned long long)line_int(line, "job_run"), "{\"restored_from\":\"purge ledger\"}");
}

static enum mg_err replay_line(struct run *r, json_t *line, time_t now)
{
	struct subject t;
	enum mg_err err = replay_subject(r, line, &t);
	if (err != MG_OK)
		return err;
	const char *step = line_text(line, "step");
	struct steps_done done;
	if ((err = steps_done(r, t.id, &done)) != MG_OK)
		return fail(r, err, "tenant %s: %s", t.slug, mg_db_error(r->db));
	if (strcmp(step, "rows") == 0) {
		unsigned long long deleted = 0;
		json_t *detail = json_object();
		if ((err = mark_purged(r, &t, (time_t)line_int(line, "at"))) == MG_OK &&
		    (err = delete_tenant_rows(r, &t, &deleted, detail)) == MG_OK &&
		    (err = replay_record(r, &t, line, step, &done)) == MG_OK && deleted > 0)
			err = write_record(r, &t, "replay", now, deleted, 0, r->job, 0, dump(r->arena, detail));
		json_decref(detail);
		if (err == MG_OK && deleted > 0) {
			audit_step(r, &t, "tenant.purge.replay", mg_arena_printf(r->arena, "%llu rows deleted again", deleted));
			r->rows += deleted;
		}
		return err;
	}
	if (strcmp(step, "backups") == 0) {
		json_t *ids = json_array();
		size_t folders = 0, files = 0;
		if ((err = delete_backups_before(r, &t, (time_t)line_int(line, "before"), ids, &folders, &files)) == MG_OK &&
		    (err = replay_record(r, &t, line, step, &done)) == MG_OK && folders > 0) {
			json_t *detail = json_pack("{s:O, s:I}", "backups", ids, "files", (json_int_t)files);
			err = write_record(r, &t, "replay", now, 0, folders, r->job, 0, dump(r->arena, detail));
			json_decref(detail);
		}
		json_decref(ids);
		r->backups += folders;
		return err;
	}
	if (strcmp(step, "key") == 0) {
		unsigned long long destroyed = 0;
		struct mg_dbval args[] = { MG_INT(t.id) };
		if ((err = mg_db_exec(r->db, r->arena, &mg_purge_statements[MG_SQL_PURGE_DESTROY_KEY], args, 1, NULL,
		                      &destroyed, NULL)) != MG_OK)
			return fail(r, err, "tenant %s: cannot destroy its data key: %s", t.slug, mg_db_error(r->db));
		if ((err = replay_record(r, &t, line, step, &done)) == MG_OK && destroyed > 0)
			err = write_record(r, &t, "replay", now, destroyed, 0, r->job, 0,
					   "{\"data_key_wrapped\":\"destroyed again\"}");
		r->keys += destroyed;
		return err;
	}
	return fail(r, MG_ERR_INPUT, "tenant %s: the ledger names an unknown step '%s'", t.slug, step);
}

enum mg_err mg_purge_replay(const struct mg_config *cfg, struct mg_db *owner, struct mg_purge_replay *out,
			    char *errbuf, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	struct mg_arena *arena = mg_arena_new();
	struct run r;
	run_init(&r, cfg, owner, arena, "purge replay", 0);
	json_t *lines = NULL;
	enum mg_err err = mg_purge_ledger_read(r.ledger, &lines, errbuf, errlen);
	if (err != MG_OK)
		goto out;
	time_t now = mg_now();
	size_t i;
	json_t *line;
	json_array_foreach(lines, i, line) {
		if ((err = replay_line(&r, line, now)) != MG_OK) {
			snprintf(errbuf, errlen, "ledger line %zu: %s", i + 1, r.why);
			goto out;
		}
		out->lines++;
	}
	out->rows = r.rows;
	out->backups = r.backups;
	out->keys = r.keys;
	out->records = r.records;
	out->tombstones = r.tombstones;
out:
	json_decref(lines);
	mg_arena_free(arena);
	return err;
}
