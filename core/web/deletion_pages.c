/*
 * The console page of the deletion records, /_operator/deletions: printable HTML, and the same
 * as a CSV file for Excel. The records themselves: core/ops/deletions.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "csv.h"
#include "deletion_pages.h"
#include "deletions.h"
#include "http.h"
#include "i18n.h"
#include "operator.h"
#include "schedule.h"

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
		mg_time_format_platform((time_t)strtoll(MG_CELL(&rows, r, 5), NULL, 10), at, sizeof(at));
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
	{ "tenant", MG_FROM_QUERY, "[a-z0-9-]{1,63}", false, 63, N_("Tenant"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};

const struct mg_route mg_deletion_routes[] = {
	{ "GET", "/deletions", deletions_page, MG_SCOPE_OPERATOR, "operator.console", filter_fields,
	  "deletion records of the purges, to print" },
	{ "GET", "/deletions\\.csv", deletions_csv, MG_SCOPE_OPERATOR, "operator.console", filter_fields,
	  "deletion records as CSV (audited)" },
	{ NULL, NULL, NULL, 0, NULL, NULL, NULL },
};
