/*
 * The notice pages (新着情報): operators post platform-wide notices from the console
 * (/_operator/notices), tenant administrators their tenant's (/<slug>/admin/notices), and staff
 * mark the ones on their dashboard read. The notices themselves: core/platform/notice.c.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "backoffice.h"
#include "clock.h"
#include "console.h"
#include "form.h"
#include "http.h"
#include "i18n.h"
#include "log.h"
#include "notice.h"
#include "notice_pages.h"

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
	json_t *list = mg_notices_list(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), mg_tenant_time_zone(ctx), &err);
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
	for (int i = 0; mg_notice_kinds[i] != NULL; i++)
		json_array_append_new(kinds, json_pack("{s:s, s:s, s:b}", "value", mg_notice_kinds[i], "label",
						       mg_tr(ctx, labels[i]), "selected",
						       chosen != NULL && strcmp(chosen, mg_notice_kinds[i]) == 0));
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
	if (!mg_notice_kind_ok(kind))
		json_object_set_new(errors, "kind", json_string(mg_tr(ctx, N_("Choose the kind of notice."))));
	if (title[0] == '\0' || mg_utf8_chars(title) > MG_NOTICE_TITLE_MAX)
		json_object_set_new(errors, "title",
				    json_string(mg_tr(ctx, N_("A title is required (at most 200 characters)."))));
	if (body[0] == '\0' || mg_utf8_chars(body) > MG_NOTICE_BODY_MAX)
		json_object_set_new(errors, "body",
				    json_string(mg_tr(ctx, N_("The text is required (at most 10000 characters)."))));
	if (json_object_size(errors) > 0)
		return render_notices(ctx, json_pack("{s:s, s:s, s:s}", "kind", mg_notice_kind_ok(kind) ? kind : "", "title", title,
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
	uint64_t id;
	enum mg_err err = mg_param_id(ctx, "id", &id);
	if (err != MG_OK)
		return err;
	struct mg_rows rows;
	struct mg_dbval key[] = { MG_INT(mg_tenant_id(ctx)), MG_INT(id) };
	err = mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &mg_notice_statements[MG_SQL_NOTICE_VISIBLE], key, 2, &rows,
	                 NULL, NULL);
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
	{ "kind", MG_FROM_FORM, NULL, false, 32, N_("Kind"), MG_TEXT_NFKC },
	/* free text: as the operator or administrator wrote it */
	{ "title", MG_FROM_FORM, NULL, false, 4 * MG_NOTICE_TITLE_MAX, N_("Title"), MG_TEXT_RAW },
	{ "body", MG_FROM_FORM, NULL, false, 4 * MG_NOTICE_BODY_MAX, N_("Text"), MG_TEXT_RAW },
	MG_FIELDS_END,
};

const struct mg_route mg_notice_routes[] = {
	{ "GET", "/notices", notices_page, MG_SCOPE_ADMIN, "core.notices.manage", MG_NO_FIELDS, "the tenant's notices" },
	{ "POST", "/notices", notice_post, MG_SCOPE_ADMIN, "core.notices.manage", notice_fields,
	  "post a notice to the tenant's staff" },
	{ "POST", "/notices/" MG_ID_GROUP("id") "/read", notice_mark_read, MG_SCOPE_ADMIN, "core.backoffice", MG_NO_FIELDS,
	  "mark a notice as read" },
	{ "GET", "/notices", notices_page, MG_SCOPE_OPERATOR, "operator.console", MG_NO_FIELDS, "platform notices" },
	{ "POST", "/notices", notice_post, MG_SCOPE_OPERATOR, "operator.console", notice_fields,
	  "post a notice to every tenant's staff" },
	{ NULL, NULL, NULL, 0, NULL, NULL, NULL },
};
