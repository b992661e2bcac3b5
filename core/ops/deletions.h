/*
 * The deletion records of the purges (core/ops/deletions.c): read for `madoguchi purge records`
 * and the console page /_operator/deletions, printed or exported as CSV.
 */
#ifndef MG_DELETIONS_H
#define MG_DELETIONS_H

#include "buf.h"
#include "db.h"

/* The statements of mg_deletion_statements (deletions.c); a call names one as &mg_deletion_statements[<constant>]. */
enum mg_deletion_sql {
	MG_SQL_DELETION_RECORDS,
	MG_SQL_DELETION_PURGE_STATUS,
	MG_SQL_DELETION__MAX
};
extern const struct mg_sql mg_deletion_statements[MG_SQL_DELETION__MAX + 1];

/* The records of one tenant (slug) or of all (NULL), oldest first. Columns: id,
 * subject_tenant_id, subject_slug, subject_name, step, at (unix seconds), row_count,
 * file_count, job, job_run_id ('' when none), detail. */
enum mg_err mg_deletion_records(struct mg_db *db, struct mg_arena *arena, const char *slug, struct mg_rows *rows);
/* An English msgid saying what a step ("rows", "backups", "key", "replay") deleted. */
const char *mg_deletion_step_label(const char *step);
/* The records as CSV (core/base/csv.c), headers and labels through tr (NULL: English). */
void mg_deletion_records_csv(const struct mg_rows *rows, const char *(*tr)(void *, const char *), void *arg,
			     struct mg_buf *out);

#endif
