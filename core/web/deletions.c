/*
 * The deletion records (table deletion_record, written by core/purge.c), as the operator hands
 * them to a contractor: `madoguchi purge records [--tenant SLUG] [--csv]` and the console page
 * /_operator/deletions (printable HTML, and the same as a CSV file for Excel).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backoffice.h"
#include "csv.h"
#include "deletions.h"
#include "http.h"
#include "i18n.h"
#include "operator.h"
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
	for (const char *const *h = header; *h != NULL; h++)
		mg_csv_field(&csv, tr(arg, *h));
	mg_csv_end_row(&csv);
	for (size_t r = 0; r < rows->nrows; r++) {
		char at[32];
		mg_time_format_jst((time_t)strtoll(MG_CELL(rows, r, 5), NULL, 10), at, sizeof(at));
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

/* ---- the console page --------------------------------------------------------------------------- */

static const char *translate(void *ctx, const char *msgid)
{
	return mg_tr(ctx, msgid);
}

/* The ?tenant= filter: a slug, or NULL for every tenant. */
static const char *slug_filter(struct mg_ctx *ctx)
{
	const char *slug = mg_query(ctx, "tenant");
	return slug != NULL && slug[0] != '\0' ? slug : NULL;
}

/* GET /_operator/deletions[?tenant=SLUG] — every deletion record, oldest first, to print. */
static enum mg_err deletions_page(struct mg_ctx *ctx)
{
	const char *slug = slug_filter(ctx);
	struct mg_rows rows;
	enum mg_err err = mg_deletion_records(mg_ctx_db(ctx), mg_arena(ctx), slug, &rows);
	if (err != MG_OK)
		return err;
	json_t *list = json_array();
	for (size_t r = 0; r < rows.nrows; r++) {
		char at[32];
		mg_time_format_jst((time_t)strtoll(MG_CELL(&rows, r, 5), NULL, 10), at, sizeof(at));
		json_array_append_new(
			list, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", MG_CELL(&rows, r, 0),
					"at", at, "slug", MG_CELL(&rows, r, 2), "tenant_id", MG_CELL(&rows, r, 1), "name",
					MG_CELL(&rows, r, 3), "step", MG_CELL(&rows, r, 4), "what",
					mg_tr(ctx, mg_deletion_step_label(MG_CELL(&rows, r, 4))), "rows", MG_CELL(&rows, r, 6),
					"backups", MG_CELL(&rows, r, 7), "job", MG_CELL(&rows, r, 8), "job_run",
					MG_CELL(&rows, r, 9)));
	}
	json_t *data = mg_console_page(ctx, N_("Deletion records"));
	json_object_set_new(data, "records", list);
	json_object_set_new(data, "filter", json_string(slug ? slug : ""));
	json_object_set_new(data, "csv_href",
			    json_string(slug ? mg_arena_printf(mg_arena(ctx), "/_operator/deletions.csv?tenant=%s",
							       mg_url_encode(mg_arena(ctx), slug))
					     : "/_operator/deletions.csv"));
	return mg_render(ctx, 200, "core/operator_deletions", data);
}

/* GET /_operator/deletions.csv[?tenant=SLUG] — the same records as a CSV file (audited). */
static enum mg_err deletions_csv(struct mg_ctx *ctx)
{
	const char *slug = slug_filter(ctx);
	struct mg_rows rows;
	enum mg_err err = mg_deletion_records(mg_ctx_db(ctx), mg_arena(ctx), slug, &rows);
	if (err != MG_OK)
		return err;
	struct mg_buf out;
	mg_buf_init(&out);
	mg_deletion_records_csv(&rows, translate, ctx, &out);
	if ((err = mg_audit(ctx, "deletions.export", slug ? slug : "*", "success",
			    mg_arena_printf(mg_arena(ctx), "%zu records", rows.nrows))) == MG_OK &&
	    (err = mg_header(ctx, "Content-Disposition",
			     mg_arena_printf(mg_arena(ctx), "attachment; filename=\"deletion-records%s%s.csv\"",
					     slug ? "-" : "", slug ? slug : ""))) == MG_OK)
		err = mg_send(ctx, 200, "text/csv; charset=utf-8", &out);
	mg_buf_free(&out);
	return err;
}

static const struct mg_field filter_fields[] = {
	{ "tenant", MG_FROM_QUERY, "[a-z0-9-]{1,63}", false, 63, N_("Tenant") },
	{ NULL, 0, NULL, false, 0, NULL },
};

const struct mg_route mg_deletion_routes[] = {
	{ "GET", "/deletions", deletions_page, MG_SCOPE_OPERATOR, "operator.console", filter_fields,
	  "deletion records of the purges, to print" },
	{ "GET", "/deletions\\.csv", deletions_csv, MG_SCOPE_OPERATOR, "operator.console", filter_fields,
	  "deletion records as CSV (audited)" },
	{ NULL, NULL, NULL, 0, NULL, NULL, NULL },
};
