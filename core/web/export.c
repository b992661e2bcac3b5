/*
 * The tenant's export (/<slug>/admin/export): every row the tenant has in the database, one
 * CSV file per table (core/base/csv.c: Excel-ready) in one ZIP archive (libarchive), for the
 * administrators to take their data with them — any time, and above all in the 30 days between
 * the end of a contract and its purge, when the back office is otherwise read-only (http.c).
 *
 * The tables are those with a tenant_id column (information_schema), the same set the purge's
 * check proves empty afterwards, so a table added later is exported without a change here.
 * Personal data sealed with the tenant's key (a column "<x>_sealed", sealed with the context
 * "<table>.<x>:tenant=<id>", as core/auth/people.c, core/auth/staff.c and core/platform/mail.c do) is exported
 * opened, under the column name "<x>". Credentials are left out: password and token hashes,
 * TOTP secrets, CSRF tokens are no data of the contractor's and would only help an attacker.
 */
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "backoffice.h"
#include "buf.h"
#include "clock.h"
#include "crypto.h"
#include "csv.h"
#include "export.h"
#include "form.h"
#include "grants.h"
#include "http.h"
#include "i18n.h"
#include "log.h"
#include "purge.h"
#include "tenant.h"
#include "tz.h"

/* Columns never exported, whatever the table (private_sealed: the tenant's signing key, which
 * would let anyone holding the export forge its e-tickets and receipts). */
static const char *const withheld_columns[] = {
	"password_hash", "token_hash", "code_hash", "csrf_token", "totp_secret_sealed", "private_sealed", NULL,
};

static bool withheld(const char *column)
{
	for (const char *const *c = withheld_columns; *c != NULL; c++)
		if (strcmp(*c, column) == 0)
			return true;
	return false;
}

/* "<x>" for a column "<x>_sealed", else NULL (owned by arena). */
static const char *sealed_base(struct mg_arena *arena, const char *column)
{
	size_t len = strlen(column), suffix = strlen("_sealed");
	if (len <= suffix || strcmp(column + len - suffix, "_sealed") != 0)
		return NULL;
	return mg_arena_strndup(arena, column, len - suffix);
}

struct export {
	struct mg_ctx *ctx;
	struct mg_arena *arena;
	const unsigned char *key; /* the tenant's data key, NULL when it cannot be opened */
	uint64_t tenant_id;
	struct archive *zip;
	struct mg_buf out;        /* the archive as it is written */
	size_t tables;
	unsigned long long rows;
};

static la_ssize_t collect(struct archive *a, void *arg, const void *data, size_t len)
{
	(void)a;
	mg_buf_append(&((struct export *)arg)->out, data, len);
	return (la_ssize_t)len;
}

/* A cell as the CSV shows it: the opened text of a sealed cell, text as it is, other bytes in hex. */
static const char *cell_text(struct export *x, const char *table, const char *base, const char *cell, size_t len)
{
	if (cell == NULL)
		return NULL;
	if (base != NULL) {
		char aad[160];
		snprintf(aad, sizeof(aad), "%s.%s:tenant=%llu", table, base, (unsigned long long)x->tenant_id);
		struct mg_buf plain;
		mg_buf_init(&plain);
		const char *text = "(sealed)";
		/* opened text only: bytes that are not text stay "(sealed)" rather than break the CSV */
		if (x->key != NULL && mg_unseal(x->key, aad, cell, len, &plain) == MG_OK &&
		    mg_utf8_valid(plain.data ? (const char *)plain.data : "", plain.len))
			text = mg_arena_strndup(x->arena, plain.data ? (const char *)plain.data : "", plain.len);
		if (plain.data != NULL)
			OPENSSL_cleanse(plain.data, plain.len);
		mg_buf_free(&plain);
		return text;
	}
	if (mg_utf8_valid(cell, len) && memchr(cell, '\0', len) == NULL)
		return cell;
	char *out = mg_arena_alloc(x->arena, 2 * len + 3);
	out[0] = '0';
	out[1] = 'x';
	mg_hex_encode(cell, len, out + 2);
	return out;
}

static void table_csv(struct export *x, const char *table, const struct mg_rows *rows, struct mg_buf *out)
{
	struct mg_csv csv;
	mg_csv_begin(&csv, out);
	const char **bases = mg_arena_alloc(x->arena, (rows->ncols + 1) * sizeof(*bases));
	for (size_t c = 0; c < rows->ncols; c++) {
		bases[c] = sealed_base(x->arena, rows->columns[c]);
		if (!withheld(rows->columns[c]))
			mg_csv_field(&csv, bases[c] != NULL ? bases[c] : rows->columns[c]);
	}
	mg_csv_end_row(&csv);
	for (size_t r = 0; r < rows->nrows; r++) {
		for (size_t c = 0; c < rows->ncols; c++)
			if (!withheld(rows->columns[c]))
				mg_csv_field(&csv, cell_text(x, table, bases[c], MG_CELL(rows, r, c),
							     rows->lens[r * rows->ncols + c]));
		mg_csv_end_row(&csv);
	}
}

static enum mg_err add_file(struct export *x, const char *folder, const char *name, const struct mg_buf *data)
{
	struct archive_entry *e = archive_entry_new();
	if (e == NULL)
		return MG_ERR_NOMEM;
	archive_entry_set_pathname(e, mg_arena_printf(x->arena, "%s/%s", folder, name));
	archive_entry_set_size(e, (la_int64_t)data->len);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_mtime(e, mg_now(), 0);
	enum mg_err err = MG_OK;
	if (archive_write_header(x->zip, e) != ARCHIVE_OK ||
	    (data->len > 0 && archive_write_data(x->zip, data->data, data->len) != (la_ssize_t)data->len)) {
		mg_log_error("export: cannot add %s: %s", name, archive_error_string(x->zip));
		err = MG_ERR_INTERNAL;
	}
	archive_entry_free(e);
	return err;
}

/* One CSV per table with a tenant_id column, and index.csv listing them with their row counts. */
static enum mg_err write_tables(struct export *x, const char *folder)
{
	struct mg_db *db = mg_ctx_db(x->ctx);
	struct mg_rows tables;
	enum mg_err err =
	    mg_db_exec(db, x->arena, &mg_purge_statements[MG_SQL_PURGE_TENANT_TABLES], NULL, 0, &tables, NULL, NULL);
	if (err != MG_OK)
		return err;
	struct mg_buf index, file;
	struct mg_csv index_csv;
	mg_buf_init(&index);
	mg_buf_init(&file);
	mg_csv_begin(&index_csv, &index);
	mg_csv_field(&index_csv, "table");
	mg_csv_field(&index_csv, "rows");
	mg_csv_end_row(&index_csv);
	for (size_t i = 0; err == MG_OK && i < tables.nrows; i++) {
		const char *table = MG_CELL(&tables, i, 0);
		if (!mg_grants_valid_identifier(table)) {
			mg_log_error("export: table '%s' has a name that cannot be quoted safely; left out", table);
			continue;
		}
		char sql[160];
		snprintf(sql, sizeof(sql), "SELECT * FROM `%s` WHERE tenant_id = ?", table);
		struct mg_dbval args[] = { MG_INT(x->tenant_id) };
		struct mg_rows rows;
		if ((err = mg_db_exec_dynamic(db, x->arena, sql, args, 1, &rows, NULL)) != MG_OK)
			break;
		mg_buf_reset(&file);
		table_csv(x, table, &rows, &file);
		err = add_file(x, folder, mg_arena_printf(x->arena, "%s.csv", table), &file);
		mg_csv_field(&index_csv, table);
		mg_csv_int(&index_csv, (long long)rows.nrows);
		mg_csv_end_row(&index_csv);
		x->tables++;
		x->rows += rows.nrows;
	}
	if (err == MG_OK)
		err = add_file(x, folder, "index.csv", &index);
	if (file.data != NULL)
		OPENSSL_cleanse(file.data, file.len);
	mg_buf_free(&file);
	mg_buf_free(&index);
	return err;
}

/* Today in the tenant's zone as YYYYMMDD, for the file name. */
static void local_day(struct mg_ctx *ctx, char *out, size_t len)
{
	if (mg_tz_format(mg_tenant_time_zone(ctx), mg_now(), MG_TZ_DAY, NULL, out, len) == 0)
		snprintf(out, len, "export");
}

/*
 * GET /<slug>/admin/export.zip — the archive, built in memory, sent as a download. Recorded
 * as "export.download" with the number of tables and rows; not sent if that record fails.
 */
static enum mg_err export_zip(struct mg_ctx *ctx)
{
	struct export x = { .ctx = ctx, .arena = mg_arena(ctx), .key = mg_ctx_tenant_key(ctx),
			    .tenant_id = mg_tenant_id(ctx) };
	mg_buf_init(&x.out);
	enum mg_err err = MG_ERR_NOMEM;
	char date[16];
	local_day(ctx, date, sizeof(date));
	const char *folder = mg_arena_printf(x.arena, "madoguchi-%s-%s", mg_tenant_slug(ctx), date);
	if ((x.zip = archive_write_new()) == NULL)
		goto out;
	if (archive_write_set_format_zip(x.zip) != ARCHIVE_OK || archive_write_set_bytes_in_last_block(x.zip, 1) != ARCHIVE_OK ||
	    archive_write_open(x.zip, &x, NULL, collect, NULL) != ARCHIVE_OK) {
		mg_log_error("export: cannot start the archive: %s", archive_error_string(x.zip));
		err = MG_ERR_INTERNAL;
		goto out;
	}
	if ((err = write_tables(&x, folder)) != MG_OK)
		goto out;
	if (archive_write_close(x.zip) != ARCHIVE_OK) {
		mg_log_error("export: cannot finish the archive: %s", archive_error_string(x.zip));
		err = MG_ERR_INTERNAL;
		goto out;
	}
	const char *detail = mg_arena_printf(x.arena, "{\"tables\":%zu,\"rows\":%llu}", x.tables, x.rows);
	if ((err = mg_audit(ctx, "export.download", "tenant", "success", detail)) != MG_OK)
		goto out;
	if ((err = mg_header(ctx, "Content-Disposition",
			     mg_arena_printf(x.arena, "attachment; filename=\"%s.zip\"", folder))) != MG_OK)
		goto out;
	err = mg_send(ctx, 200, "application/zip", &x.out);
out:
	if (x.zip != NULL)
		archive_write_free(x.zip);
	mg_buf_free(&x.out);
	return err;
}

/* GET /<slug>/admin/export — what the export holds, and, after the contract ended, until when. */
static enum mg_err export_page(struct mg_ctx *ctx)
{
	const struct mg_tenant *t = mg_ctx_tenant(ctx);
	json_t *data = mg_admin_page(ctx, N_("Export"));
	bool ended = strcmp(t->state, "terminated") == 0;
	char purge_on[11] = "";
	if (ended && t->contract_end != NULL)
		mg_purge_date_plus(t->contract_end, MG_PURGE_ROWS_AFTER_DAYS, purge_on);
	json_object_set_new(data, "ended", json_boolean(ended));
	json_object_set_new(data, "contract_end", json_string(t->contract_end ? t->contract_end : ""));
	json_object_set_new(data, "purge_on", json_string(purge_on));
	json_object_set_new(data, "download_href", json_string(mg_admin_path(ctx, "/export.zip")));
	return mg_render(ctx, 200, "core/admin_export", data);
}

const struct mg_route mg_export_routes[] = {
	{ "GET", "/export", export_page, MG_SCOPE_ADMIN, "core.export", MG_NO_FIELDS, "the export page (administrators)" },
	{ "GET", "/export\\.zip", export_zip, MG_SCOPE_ADMIN, "core.export", MG_NO_FIELDS,
	  "every row of the tenant as CSV files in a ZIP archive (audited)" },
	{ NULL, NULL, NULL, 0, NULL, NULL, NULL },
};
