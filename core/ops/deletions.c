/*
 * The deletion records (table deletion_record, written by core/ops/purge.c), as the operator hands
 * them to a contractor: `madoguchi purge records [--tenant SLUG] [--csv]` and the console page
 * /_operator/deletions (printable HTML, and the same as a CSV file for Excel).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "deletions.h"
#include "tz.h"
#include "i18n.h"
#include "schedule.h"

const struct mg_sql mg_deletion_statements[] = {
	/* slug ('' for every tenant), slug */
	[MG_SQL_DELETION_RECORDS] = { "core.deletion_records",
	  "SELECT id, subject_tenant_id, subject_slug, subject_name, step, UNIX_TIMESTAMP(at), row_count, file_count,"
	  " job, COALESCE(job_run_id, ''), detail FROM deletion_record WHERE ? = '' OR subject_slug = ?"
	  " ORDER BY at, id" },
	/* the terminated tenants and where each stands in the purge */
	[MG_SQL_DELETION_PURGE_STATUS] = { "core.purge_status",
	  "SELECT t.slug, t.contract_end, t.purged_at IS NOT NULL, t.data_key_wrapped IS NOT NULL,"
	  " (SELECT UNIX_TIMESTAMP(MIN(d.at)) FROM deletion_record d WHERE d.subject_tenant_id = t.id AND d.step = 'rows'),"
	  " (SELECT UNIX_TIMESTAMP(MIN(d.at)) FROM deletion_record d WHERE d.subject_tenant_id = t.id"
	  "  AND d.step = 'backups'),"
	  " (SELECT UNIX_TIMESTAMP(MIN(d.at)) FROM deletion_record d WHERE d.subject_tenant_id = t.id AND d.step = 'key')"
	  " FROM tenant t WHERE t.state = 'terminated' ORDER BY t.contract_end, t.id" },
	[MG_SQL_DELETION__MAX] = { NULL, NULL },
};

enum mg_err mg_deletion_records(struct mg_db *db, struct mg_arena *arena, const char *slug, struct mg_rows *rows)
{
	struct mg_dbval args[] = { MG_TEXT(slug ? slug : ""), MG_TEXT(slug ? slug : "") };
	return mg_db_exec(db, arena, &mg_deletion_statements[MG_SQL_DELETION_RECORDS], args, 2, rows, NULL, NULL);
}

const char *mg_deletion_step_label(const char *step)
{
	if (strcmp(step, "rows") == 0)
		return N_("Every row of the tenant's data in the database (30 days after the contract ended)");
	if (strcmp(step, "backups") == 0)
		return N_("Every backup taken before that deletion (60 days after the contract ended)");
	if (strcmp(step, "key") == 0)
		return N_("The tenant's encryption key, so no copy of its personal data can be read (60 days after the "
			  "contract ended)");
	return N_("Data that a restore from a backup had brought back, deleted again");
}

static const char *untranslated(void *arg, const char *msgid)
{
	(void)arg;
	return msgid;
}

void mg_deletion_records_csv(const struct mg_rows *rows, const char *(*tr)(void *, const char *), void *arg,
			     struct mg_buf *out)
{
	static const char *const header[] = {
		N_("Record"), N_("Time (JST)"), N_("Tenant"),  N_("Tenant ID"), N_("Contractor"), N_("Step"),
		N_("What was deleted"), N_("Rows"), N_("Backups"), N_("Job"), N_("Job run"), N_("Detail"), NULL,
	};
	if (tr == NULL)
		tr = untranslated;
	struct mg_csv csv;
	mg_csv_begin(&csv, out);
	for (const char *const *h = header; *h != NULL; h++) {
		char zoned[160];
		/* the platform's zone: "Time (JST)" for Asia/Tokyo, else "Time (Europe/London)" */
		if (h == &header[1] && strcmp(mg_tz_platform(), "Asia/Tokyo") != 0) {
			snprintf(zoned, sizeof(zoned), "%s (%s)", tr(arg, N_("Time")), mg_tz_platform());
			mg_csv_field(&csv, zoned);
			continue;
		}
		mg_csv_field(&csv, tr(arg, *h));
	}
	mg_csv_end_row(&csv);
	for (size_t r = 0; r < rows->nrows; r++) {
		char at[32];
		mg_time_format_platform((time_t)strtoll(MG_CELL(rows, r, 5), NULL, 10), at, sizeof(at));
		mg_csv_int(&csv, strtoll(MG_CELL(rows, r, 0), NULL, 10));
		mg_csv_field(&csv, at);
		mg_csv_field(&csv, MG_CELL(rows, r, 2));
		mg_csv_int(&csv, strtoll(MG_CELL(rows, r, 1), NULL, 10));
		mg_csv_field(&csv, MG_CELL(rows, r, 3));
		mg_csv_field(&csv, MG_CELL(rows, r, 4));
		mg_csv_field(&csv, tr(arg, mg_deletion_step_label(MG_CELL(rows, r, 4))));
		mg_csv_int(&csv, strtoll(MG_CELL(rows, r, 6), NULL, 10));
		mg_csv_int(&csv, strtoll(MG_CELL(rows, r, 7), NULL, 10));
		mg_csv_field(&csv, MG_CELL(rows, r, 8));
		mg_csv_field(&csv, MG_CELL(rows, r, 9));
		mg_csv_field(&csv, MG_CELL(rows, r, 10));
		mg_csv_end_row(&csv);
	}
}
