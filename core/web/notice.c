#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "clock.h"
#include "backoffice.h"
#include "http.h"
#include "i18n.h"
#include "log.h"
#include "notice.h"
#include "operator.h"
#include "pages.h"

/* Times are stored in UTC and shown in JST (the platform's zone). */
#define JST_MINUTE(col) "DATE_FORMAT(" col " + INTERVAL 9 HOUR, '%Y-%m-%d %H:%i')"

const struct mg_sql mg_notice_statements[] = {
	[MG_SQL_NOTICE_INSERT] = { "core.notice_insert",
	  "INSERT INTO notice (tenant_id, kind, title, body, published_at, created_by)"
	  " VALUES (?, ?, ?, ?, FROM_UNIXTIME(?), ?)" },
	[MG_SQL_NOTICE_LIST] = { "core.notice_list",
	  "SELECT id, kind, title, body, " JST_MINUTE("published_at") " FROM notice WHERE tenant_id = ?"
	  " ORDER BY published_at DESC, id DESC LIMIT 100" },
	[MG_SQL_NOTICE_GET] = { "core.notice_get",
	  "SELECT kind, title, body FROM notice WHERE tenant_id = ? AND id = ?" },
	[MG_SQL_NOTICE_UNREAD] = { "core.notice_unread",
	  "SELECT n.tenant_id, n.id, n.kind, n.title, n.body, " JST_MINUTE("n.published_at") " FROM notice n"
	  " WHERE n.tenant_id IN (0, ?) AND NOT EXISTS (SELECT 1 FROM notice_read r WHERE r.tenant_id = ?"
	  "  AND r.staff_id = ? AND r.notice_id = n.id)"
	  " ORDER BY n.published_at DESC, n.id DESC LIMIT 20" },
	[MG_SQL_NOTICE_VISIBLE] = { "core.notice_visible",
	  "SELECT 1 FROM notice WHERE tenant_id IN (0, ?) AND id = ?" },
	[MG_SQL_NOTICE_MARK_READ] = { "core.notice_mark_read",
	  "INSERT INTO notice_read (tenant_id, staff_id, notice_id, read_at) VALUES (?, ?, ?, FROM_UNIXTIME(?))"
	  " ON DUPLICATE KEY UPDATE read_at = read_at" },
	[MG_SQL_NOTICE_SETTING_GET] = { "core.setting_get", "SELECT value FROM platform_setting WHERE name = ?" },
	[MG_SQL_NOTICE_SETTING_PUT] = { "core.setting_put",
	  "INSERT INTO platform_setting (name, value, updated_at) VALUES (?, ?, UTC_TIMESTAMP(6))"
	  " ON DUPLICATE KEY UPDATE value = VALUES(value), updated_at = VALUES(updated_at)" },
	[MG_SQL_NOTICE_SETTING_DELETE] = { "core.setting_delete", "DELETE FROM platform_setting WHERE name = ?" },
	[MG_SQL_NOTICE__MAX] = { NULL, NULL },
};

static const char *const notice_kinds[] = { "maintenance", "incident", "info", NULL };

static bool kind_ok(const char *kind)
{
	for (int i = 0; kind != NULL && notice_kinds[i] != NULL; i++)
		if (strcmp(kind, notice_kinds[i]) == 0)
			return true;
	return false;
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* ---- the maintenance switch ---- */

enum mg_err mg_maintenance_get(struct mg_db *db, struct mg_arena *arena, struct mg_maintenance *out)
{
	memset(out, 0, sizeof(*out));
	struct mg_rows rows;
	struct mg_dbval name[] = { MG_TEXT("maintenance") };
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_notice_statements[MG_SQL_NOTICE_SETTING_GET], name, 1, &rows, NULL, NULL);
	if (err != MG_OK || rows.nrows == 0)
		return err;
	json_t *value = json_loads(MG_CELL(&rows, 0, 0), 0, NULL);
	json_int_t notice = 0, retry = MG_MAINTENANCE_RETRY_DEFAULT;
	json_unpack(value, "{s?I, s?I}", "notice", &notice, "retry_after", &retry);
	json_decref(value);
	out->on = true;
	out->notice_id = notice > 0 ? (uint64_t)notice : 0;
	out->retry_after = retry > 0 ? (long)retry : MG_MAINTENANCE_RETRY_DEFAULT;
	if (out->notice_id == 0)
		return MG_OK;
	struct mg_dbval key[] = { MG_INT(0), MG_INT(out->notice_id) };
	if ((err = mg_db_exec(db, arena, &mg_notice_statements[MG_SQL_NOTICE_GET], key, 2, &rows, NULL, NULL)) != MG_OK)
		return err;
	if (rows.nrows > 0) {
		out->title = MG_CELL(&rows, 0, 1);
		out->body = MG_CELL(&rows, 0, 2);
	}
	return MG_OK;
}

struct switch_args {
	bool on;
	uint64_t notice_id;
	long retry_after;
	const char *actor, *ip, *user_agent;
};

static enum mg_err switch_txn(struct mg_db *db, void *arg)
{
	struct switch_args *a = arg;
	struct mg_arena *arena = mg_arena_new();
	struct mg_rows rows;
	enum mg_err err = MG_OK;
	char *value = NULL;
	if (a->on && a->notice_id != 0) {
		struct mg_dbval key[] = { MG_INT(0), MG_INT(a->notice_id) };
		if ((err = mg_db_exec(db, arena, &mg_notice_statements[MG_SQL_NOTICE_GET], key, 2, &rows, NULL,
		                      NULL)) != MG_OK)
			goto out;
		if (rows.nrows == 0) {
			err = MG_ERR_NOT_FOUND;
			goto out;
		}
	}
	if (a->on) {
		json_t *json = json_pack("{s:I, s:I}", "notice", (json_int_t)a->notice_id, "retry_after",
					 (json_int_t)a->retry_after);
		value = json_dumps(json, JSON_COMPACT);
		json_decref(json);
		if (value == NULL) {
			err = MG_ERR_NOMEM;
			goto out;
		}
		struct mg_dbval put[] = { MG_TEXT("maintenance"), MG_TEXT(value) };
		err = mg_db_exec(db, arena, &mg_notice_statements[MG_SQL_NOTICE_SETTING_PUT], put, 2, NULL, NULL, NULL);
	} else {
		struct mg_dbval name[] = { MG_TEXT("maintenance") };
		err = mg_db_exec(db, arena, &mg_notice_statements[MG_SQL_NOTICE_SETTING_DELETE], name, 1, NULL, NULL,
		                 NULL);
	}
	if (err != MG_OK)
		goto out;
	struct mg_audit_event ev = { 0, a->actor, a->on ? "maintenance.on" : "maintenance.off", "platform",
				     a->ip, a->user_agent, "success", value };
	err = mg_audit_append(db, arena, &ev);
out:
	free(value);
	mg_arena_free(arena);
	return err;
}

enum mg_err mg_maintenance_set(struct mg_db *db, bool on, uint64_t notice_id, long retry_after, const char *actor,
			       const char *ip, const char *user_agent)
{
	if (on && (retry_after < 1 || retry_after > 7L * 24 * 3600))
		return MG_ERR_INPUT;
	struct switch_args a = { on, notice_id, retry_after, actor, ip, user_agent };
	return mg_db_transaction(db, switch_txn, &a);
}

/* ---- notices ---- */

static json_t *notice_rows(struct mg_db *db, struct mg_arena *arena, uint64_t tenant_id, enum mg_err *err)
{
	struct mg_rows rows;
	struct mg_dbval key[] = { MG_INT(tenant_id) };
	if ((*err = mg_db_exec(db, arena, &mg_notice_statements[MG_SQL_NOTICE_LIST], key, 1, &rows, NULL, NULL)) !=
	    MG_OK)
		return NULL;
	json_t *list = json_array();
	for (size_t r = 0; r < rows.nrows; r++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", MG_CELL(&rows, r, 0), "kind",
						      MG_CELL(&rows, r, 1), "title", MG_CELL(&rows, r, 2), "body",
						      MG_CELL(&rows, r, 3), "published", MG_CELL(&rows, r, 4)));
	return list;
}

json_t *mg_platform_notices(struct mg_db *db, struct mg_arena *arena, enum mg_err *err)
{
	return notice_rows(db, arena, 0, err);
}

json_t *mg_notices_for_staff(struct mg_ctx *ctx)
{
	json_t *list = json_array();
	struct mg_rows rows;
	uint64_t tenant_id = mg_tenant_id(ctx);
	struct mg_dbval key[] = { MG_INT(tenant_id), MG_INT(tenant_id), MG_INT(mg_staff_id(ctx)) };
	enum mg_err err = mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &mg_notice_statements[MG_SQL_NOTICE_UNREAD], key, 3,
	                             &rows, NULL, NULL);
	if (err != MG_OK) {
		mg_log_warn("notices: cannot read the unread notices: %s", mg_strerror(err));
		return list;
	}
	for (size_t r = 0; r < rows.nrows; r++)
		json_array_append_new(
			list, json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:s}", "id", MG_CELL(&rows, r, 1), "kind",
					MG_CELL(&rows, r, 2), "title", MG_CELL(&rows, r, 3), "body", MG_CELL(&rows, r, 4),
					"published", MG_CELL(&rows, r, 5), "platform", strcmp(MG_CELL(&rows, r, 0), "0") == 0,
					"read_action",
					mg_arena_printf(mg_arena(ctx), "/%s/admin/notices/%s/read", mg_tenant_slug(ctx),
							MG_CELL(&rows, r, 1))));
	return list;
}

/* The frame of a notices page: the operator console's for platform notices, else the back office's. */
static bool platform(const struct mg_ctx *ctx)
{
	return mg_tenant_id(ctx) == 0;
}

static const char *notices_path(struct mg_ctx *ctx)
{
	return platform(ctx) ? "/_operator/notices"
			     : mg_arena_printf(mg_arena(ctx), "/%s/admin/notices", mg_tenant_slug(ctx));
}

static enum mg_err render_notices(struct mg_ctx *ctx, json_t *values, json_t *errors)
{
	enum mg_err err;
	json_t *list = notice_rows(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), &err);
	if (list == NULL) {
		json_decref(values);
		json_decref(errors);
		return err;
	}
	const char *title = platform(ctx) ? N_("Platform notices") : N_("Notices");
	json_t *data = platform(ctx) ? mg_console_page(ctx, title) : mg_admin_page(ctx, title);
	json_object_set_new(data, "notices", list);
	json_object_set_new(data, "action", json_string(notices_path(ctx)));
	json_object_set_new(data, "platform", json_boolean(platform(ctx)));
	if (values == NULL)
		values = json_pack("{s:s}", "kind", "info");
	static const char *const labels[] = { N_("Maintenance"), N_("Incident"), N_("Information") };
	const char *chosen = json_string_value(json_object_get(values, "kind"));
	json_t *kinds = json_array();
	for (int i = 0; notice_kinds[i] != NULL; i++)
		json_array_append_new(kinds, json_pack("{s:s, s:s, s:b}", "value", notice_kinds[i], "label",
						       mg_tr(ctx, labels[i]), "selected",
						       chosen != NULL && strcmp(chosen, notice_kinds[i]) == 0));
	json_object_set_new(data, "kinds", kinds);
	json_object_set_new(data, "values", values);
	json_object_set_new(data, "errors", errors ? errors : json_object());
	return mg_render(ctx, 200, "core/notices", data);
}

/*
 * GET /<slug>/admin/notices (tenant administrators) and GET /_operator/notices (operators):
 * the notices posted so far and the form for a new one.
 */
static enum mg_err notices_page(struct mg_ctx *ctx)
{
	return render_notices(ctx, NULL, NULL);
}

/*
 * POST /<slug>/admin/notices and POST /_operator/notices — publishes a notice to the tenant's
 * staff (or, from the console, to every tenant's staff) at once. Audited.
 */
static enum mg_err notice_post(struct mg_ctx *ctx)
{
	const char *kind = mg_form(ctx, "kind"), *title = mg_form(ctx, "title"), *body = mg_form(ctx, "body");
	title = title ? title : "";
	body = body ? body : "";
	json_t *errors = json_object();
	if (!kind_ok(kind))
		json_object_set_new(errors, "kind", json_string(mg_tr(ctx, N_("Choose the kind of notice."))));
	if (title[0] == '\0' || utf8_chars(title) > MG_NOTICE_TITLE_MAX)
		json_object_set_new(errors, "title",
				    json_string(mg_tr(ctx, N_("A title is required (at most 200 characters)."))));
	if (body[0] == '\0' || utf8_chars(body) > MG_NOTICE_BODY_MAX)
		json_object_set_new(errors, "body",
				    json_string(mg_tr(ctx, N_("The text is required (at most 10000 characters)."))));
	if (json_object_size(errors) > 0)
		return render_notices(ctx, json_pack("{s:s, s:s, s:s}", "kind", kind_ok(kind) ? kind : "", "title", title,
						     "body", body),
				      errors);
	json_decref(errors);
	const char *author = platform(ctx) ? mg_arena_printf(mg_arena(ctx), "operator:%llu",
							       (unsigned long long)mg_operator_id(ctx))
					   : mg_arena_printf(mg_arena(ctx), "staff:%llu", (unsigned long long)mg_staff_id(ctx));
	unsigned long long id = 0;
	struct mg_dbval row[] = { MG_INT(mg_tenant_id(ctx)), MG_TEXT(kind), MG_TEXT(title), MG_TEXT(body),
				  MG_INT(mg_now()), MG_TEXT(author) };
	enum mg_err err = mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &mg_notice_statements[MG_SQL_NOTICE_INSERT], row, 6,
	                             NULL, NULL, &id);
	if (err != MG_OK)
		return err;
	mg_audit(ctx, "notice.create", mg_arena_printf(mg_arena(ctx), "notice:%llu", id), "success", kind);
	return mg_redirect(ctx, 303, notices_path(ctx));
}

/* POST /<slug>/admin/notices/<id>/read — a staff member marks a notice (platform or own
 * tenant) as read; it leaves their dashboard. Another tenant's notice is 404. */
static enum mg_err notice_mark_read(struct mg_ctx *ctx)
{
	errno = 0;
	unsigned long long id = strtoull(mg_param(ctx, "id"), NULL, 10);
	if (errno != 0)
		return MG_ERR_NOT_FOUND;
	struct mg_rows rows;
	struct mg_dbval key[] = { MG_INT(mg_tenant_id(ctx)), MG_INT(id) };
	enum mg_err err = mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &mg_notice_statements[MG_SQL_NOTICE_VISIBLE], key,
	                             2, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	if (rows.nrows == 0)
		return MG_ERR_NOT_FOUND;
	struct mg_dbval row[] = { MG_INT(mg_tenant_id(ctx)), MG_INT(mg_staff_id(ctx)), MG_INT(id), MG_INT(mg_now()) };
	if ((err = mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &mg_notice_statements[MG_SQL_NOTICE_MARK_READ], row, 4,
	                      NULL, NULL, NULL)) != MG_OK)
		return err;
	return mg_redirect(ctx, 303, mg_arena_printf(mg_arena(ctx), "/%s/admin/", mg_tenant_slug(ctx)));
}

/* Checked by the handler, so that each problem shows next to its field with the typed text kept. */
static const struct mg_field notice_fields[] = {
	{ "kind", MG_FROM_FORM, NULL, false, 32, N_("Kind") },
	{ "title", MG_FROM_FORM, NULL, false, 4 * MG_NOTICE_TITLE_MAX, N_("Title") },
	{ "body", MG_FROM_FORM, NULL, false, 4 * MG_NOTICE_BODY_MAX, N_("Text") },
	{ NULL, 0, NULL, false, 0, NULL },
};

const struct mg_route mg_notice_routes[] = {
	{ "GET", "/notices", notices_page, MG_SCOPE_ADMIN, "core.notices.manage", NULL, "the tenant's notices" },
	{ "POST", "/notices", notice_post, MG_SCOPE_ADMIN, "core.notices.manage", notice_fields,
	  "post a notice to the tenant's staff" },
	{ "POST", "/notices/(?<id>[0-9]{1,19})/read", notice_mark_read, MG_SCOPE_ADMIN, "core.backoffice", NULL,
	  "mark a notice as read" },
	{ "GET", "/notices", notices_page, MG_SCOPE_OPERATOR, "operator.console", NULL, "platform notices" },
	{ "POST", "/notices", notice_post, MG_SCOPE_OPERATOR, "operator.console", notice_fields,
	  "post a notice to every tenant's staff" },
	{ NULL, NULL, NULL, 0, NULL, NULL, NULL },
};
