/*
 * The back office's own pages (/<slug>/admin/…): login and logout, the dashboard, and the
 * password change every new account goes through. Access rules live in http.c, not here.
 */
#include <string.h>

#include "backoffice.h"
#include "status_pages.h"
#include "http.h"
#include "i18n.h"
#include "log.h"
#include "modules.h"
#include "notice.h"
#include "pages.h"
#include "permission.h"
#include "session.h"
#include "staff.h"
#include "tenant.h"
#include "tz.h"

const char *mg_admin_path(struct mg_ctx *ctx, const char *rest)
{
	return mg_arena_printf(mg_arena(ctx), "/%s/admin%s", mg_tenant_slug(ctx), rest);
}

enum mg_err mg_backoffice_new_session(struct mg_ctx *ctx, uint64_t staff_id, const char *stage)
{
	const struct mg_session *old = mg_ctx_session(ctx);
	enum mg_err err = MG_OK;
	if (old != NULL && (err = mg_session_destroy(mg_ctx_db(ctx), old->tenant_id, old->token_hash)) != MG_OK)
		return err;
	char token[MG_TOKEN_CHARS + 1];
	if ((err = mg_session_create(mg_ctx_db(ctx), mg_tenant_id(ctx), "staff", staff_id, stage,
				     mg_cgi_param(ctx, "REMOTE_ADDR"), mg_cgi_param(ctx, "HTTP_USER_AGENT"), token)) != MG_OK)
		return err;
	mg_set_cookie(ctx, MG_SESSION_COOKIE, token, -1);
	return MG_OK;
}

/* A local path under this tenant's back office, else its dashboard (never another site). */
const char *mg_admin_safe_next(struct mg_ctx *ctx, const char *next)
{
	const char *prefix = mg_admin_path(ctx, "/");
	if (next != NULL && strncmp(next, prefix, strlen(prefix)) == 0 && strstr(next, "//") == NULL)
		return next;
	return prefix;
}

static json_t *nav(struct mg_ctx *ctx)
{
	json_t *items = json_array();
	json_array_append_new(items, json_pack("{s:s, s:s}", "label", mg_tr(ctx, N_("Dashboard")), "href",
					       mg_admin_path(ctx, "/")));
	for (size_t i = 0; i < mg_modules_count(); i++) {
		const struct mg_module *m = mg_modules_get(i);
		if (!mg_tenant_has_module(mg_ctx_tenant(ctx), m->name))
			continue;
		for (const struct mg_nav *n = m->nav; n != NULL && n->label != NULL; n++) {
			/* restricted staff see only what they may open (the gate: check-in alone) */
			if (n->permission != NULL && !mg_permission_allows(mg_staff_role(ctx), n->permission))
				continue;
			json_array_append_new(items, json_pack("{s:s, s:s}", "label", mg_tr(ctx, n->label), "href",
							       mg_admin_path(ctx, n->path)));
		}
	}
	if (mg_permission_allows(mg_staff_role(ctx), "core.notices.manage"))
		json_array_append_new(items, json_pack("{s:s, s:s}", "label", mg_tr(ctx, N_("Notices")), "href",
						       mg_admin_path(ctx, "/notices")));
	if (mg_permission_allows(mg_staff_role(ctx), "core.staff.manage"))
		json_array_append_new(items, json_pack("{s:s, s:s}", "label", mg_tr(ctx, N_("Staff accounts")), "href",
						       mg_admin_path(ctx, "/staff")));
	if (mg_permission_allows(mg_staff_role(ctx), "core.api_tokens"))
		json_array_append_new(items, json_pack("{s:s, s:s}", "label", mg_tr(ctx, N_("API tokens")), "href",
						       mg_admin_path(ctx, "/api-tokens")));
	if (mg_permission_allows(mg_staff_role(ctx), "core.settings"))
		json_array_append_new(items, json_pack("{s:s, s:s}", "label", mg_tr(ctx, N_("Receipts and invoices")), "href",
						       mg_admin_path(ctx, "/settings/invoice")));
	if (mg_permission_allows(mg_staff_role(ctx), "core.audit.view"))
		json_array_append_new(items, json_pack("{s:s, s:s}", "label", mg_tr(ctx, N_("Audit log")), "href",
						       mg_admin_path(ctx, "/audit")));
	if (mg_permission_allows(mg_staff_role(ctx), "core.export"))
		json_array_append_new(items, json_pack("{s:s, s:s}", "label", mg_tr(ctx, N_("Export")), "href",
						       mg_admin_path(ctx, "/export")));
	json_array_append_new(items, json_pack("{s:s, s:s}", "label", mg_tr(ctx, N_("Password")), "href",
					       mg_admin_path(ctx, "/password")));
	json_array_append_new(items, json_pack("{s:s, s:s}", "label", mg_tr(ctx, N_("Two-factor login")), "href",
					       mg_admin_path(ctx, "/two-factor")));
	return items;
}

json_t *mg_admin_page(struct mg_ctx *ctx, const char *title)
{
	return json_pack("{s:s, s:o, s:s, s:s}", "page_title", mg_tr(ctx, title), "nav", nav(ctx), "logout_action",
			 mg_admin_path(ctx, "/logout"), "home", mg_admin_path(ctx, "/"));
}

static enum mg_err render_login(struct mg_ctx *ctx, int status, const char *login, const char *next, const char *error)
{
	json_t *data = json_pack("{s:s, s:s, s:s, s:s, s:s*}", "page_title", mg_tr(ctx, N_("Staff login")), "action",
				 mg_admin_path(ctx, "/login"), "login", login ? login : "", "next",
				 mg_admin_safe_next(ctx, next), "error", error ? mg_tr(ctx, error) : NULL);
	return mg_render(ctx, status, "core/admin_login", data);
}

/* GET /<slug>/admin/login — the staff login form. */
static enum mg_err login_form(struct mg_ctx *ctx)
{
	if (mg_ctx_staff(ctx) != NULL && strcmp(mg_ctx_session(ctx)->stage, "complete") == 0)
		return mg_redirect(ctx, 303, mg_admin_safe_next(ctx, mg_query(ctx, "next")));
	return render_login(ctx, 200, NULL, mg_query(ctx, "next"), NULL);
}

/*
 * POST /<slug>/admin/login — checks the ID and password (lockout and audit in core/auth/staff.c),
 * then starts a fresh session: a new token at every login, never the one sent before.
 */
static enum mg_err login_submit(struct mg_ctx *ctx)
{
	const char *login = mg_form(ctx, "login"), *next = mg_form(ctx, "next");
	enum mg_login_result result;
	uint64_t id = 0;
	enum mg_err err = mg_staff_authenticate(mg_ctx_db(ctx), mg_tenant_id(ctx), login, mg_form(ctx, "password"),
						mg_cgi_param(ctx, "REMOTE_ADDR"), mg_cgi_param(ctx, "HTTP_USER_AGENT"),
						&result, &id);
	if (err != MG_OK)
		return err;
	if (result != MG_LOGIN_OK)
		return render_login(ctx, 200, login, next,
				    N_("The login ID or password is not correct, or the account is locked for a while."));
	struct mg_staff staff;
	if ((err = mg_staff_load(mg_ctx_db(ctx), mg_arena(ctx), NULL, mg_tenant_id(ctx), id, &staff)) != MG_OK)
		return err;
	if ((err = mg_backoffice_new_session(ctx, id, staff.has_totp ? "password" : "complete")) != MG_OK)
		return err;
	if (staff.has_totp)
		return mg_redirect(ctx, 303, mg_arena_printf(mg_arena(ctx), "%s?next=%s", mg_admin_path(ctx, "/login/second-factor"),
							     mg_url_encode(mg_arena(ctx), mg_admin_safe_next(ctx, next))));
	return mg_redirect(ctx, 303, staff.must_change_password ? mg_admin_path(ctx, "/password") : mg_admin_safe_next(ctx, next));
}

/*
 * POST /<slug>/admin/logout — ends the session here and in the database. It asks for no
 * permission so that a session still owing a password change or a second factor can end too.
 */
static enum mg_err logout(struct mg_ctx *ctx)
{
	const struct mg_session *s = mg_ctx_session(ctx);
	if (s == NULL)
		return mg_redirect(ctx, 303, mg_admin_path(ctx, "/login"));
	mg_audit(ctx, "logout", "session", "success", NULL);
	enum mg_err err = mg_session_destroy(mg_ctx_db(ctx), s->tenant_id, s->token_hash);
	if (err != MG_OK)
		return err;
	mg_set_cookie(ctx, MG_SESSION_COOKIE, "", 0);
	return mg_redirect(ctx, 303, mg_admin_path(ctx, "/login"));
}

/* The unread notices (platform and own tenant, newest first) of the logged-in staff member as
 * [{id, kind, title, body, published, platform, read_action}], for the dashboard; an empty
 * array when there are none or they cannot be read. */
static json_t *notices_for_staff(struct mg_ctx *ctx)
{
	json_t *list = json_array();
	struct mg_rows rows;
	enum mg_err err = mg_notices_unread(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), mg_staff_id(ctx), &rows);
	if (err != MG_OK) {
		mg_log_warn("notices: cannot read the unread notices: %s", mg_strerror(err));
		return list;
	}
	for (size_t r = 0; r < rows.nrows; r++)
		json_array_append_new(
			list, json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:s}", "id", MG_CELL(&rows, r, 1), "kind",
					MG_CELL(&rows, r, 2), "title", MG_CELL(&rows, r, 3), "body", MG_CELL(&rows, r, 4),
					"published", mg_time_cell(ctx, MG_CELL(&rows, r, 5), MG_TZ_MINUTE), "platform", strcmp(MG_CELL(&rows, r, 0), "0") == 0,
					"read_action",
					mg_arena_printf(mg_arena(ctx), "/%s/admin/notices/%s/read", mg_tenant_slug(ctx),
							MG_CELL(&rows, r, 1))));
	return list;
}


/* GET /<slug>/admin/ — the dashboard every role lands on. */
static enum mg_err dashboard(struct mg_ctx *ctx)
{
	json_t *data = mg_admin_page(ctx, N_("Dashboard"));
	bool manages_staff = mg_permission_allows(mg_staff_role(ctx), "core.staff.manage");
	json_object_set_new(data, "is_admin", json_boolean(strcmp(mg_staff_role(ctx), "admin") == 0));
	if (manages_staff) { /* lockouts are for administrators to notice (and lift if need be) */
		enum mg_err err;
		json_t *locked = mg_staff_locked(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), &err);
		if (locked == NULL) {
			json_decref(data);
			return err;
		}
		size_t i;
		json_t *account;
		json_array_foreach(locked, i, account)
			json_object_set_new(account, "href", json_string(mg_arena_printf(mg_arena(ctx), "%s%s",
				mg_admin_path(ctx, "/staff/"), json_string_value(json_object_get(account, "id")))));
		json_object_set_new(data, "locked", locked);
	}
	json_object_set_new(data, "notices", notices_for_staff(ctx));
	json_object_set_new(data, "maintenance", mg_status_banners(ctx, 365L * 24 * 3600));
	json_object_set_new(data, "incidents", mg_status_incidents(ctx));
	return mg_render(ctx, 200, "core/admin_home", data);
}

static enum mg_err render_password(struct mg_ctx *ctx, int status, json_t *errors)
{
	json_t *data = mg_admin_page(ctx, N_("Change password"));
	json_object_set_new(data, "action", json_string(mg_admin_path(ctx, "/password")));
	json_object_set_new(data, "must_change", json_boolean(mg_ctx_staff(ctx)->must_change_password));
	json_object_set_new(data, "errors", errors ? errors : json_object());
	return mg_render(ctx, status, "core/admin_password", data);
}

/* GET /<slug>/admin/password — the form (forced at first login). */
static enum mg_err password_form(struct mg_ctx *ctx)
{
	return render_password(ctx, 200, NULL);
}

/*
 * POST /<slug>/admin/password — needs the current password; the new one must pass the policy
 * and differ from the last 5. A changed password ends every other session of the account.
 */
static enum mg_err password_submit(struct mg_ctx *ctx)
{
	const struct mg_staff *staff = mg_ctx_staff(ctx);
	struct mg_password_change change = { staff->login, mg_form(ctx, "current"), mg_form(ctx, "password"),
					     mg_form(ctx, "confirm"), NULL, NULL };
	enum mg_err err =
	    mg_account_change_password(mg_ctx_db(ctx), &mg_staff_account, mg_tenant_id(ctx), staff->id, &change);
	if (err != MG_OK && err != MG_ERR_INPUT)
		return err;
	if (err == MG_ERR_INPUT) {
		mg_audit(ctx, "password.change", "staff", "failure", change.problem);
		return render_password(ctx, 200, json_pack("{s:s}", change.field, mg_tr(ctx, change.problem)));
	}
	mg_audit(ctx, "password.change", "staff", "success", NULL);
	/* a new token after the change: every other session of this account ends */
	err = mg_session_destroy_subject(mg_ctx_db(ctx), mg_tenant_id(ctx), "staff", staff->id);
	if (err == MG_OK)
		err = mg_backoffice_new_session(ctx, staff->id, "complete");
	if (err != MG_OK)
		return err;
	return mg_redirect(ctx, 303, mg_admin_path(ctx, "/"));
}

/* The login and password-change forms' fields, shared with the operator console. */
const struct mg_field mg_login_fields[] = {
	{ "login", MG_FROM_FORM, "[A-Za-z0-9._@-]{1,64}", true, 64, N_("Login ID"), MG_TEXT_NFKC },
	{ "password", MG_FROM_FORM, NULL, true, 1024, N_("Password"), MG_TEXT_RAW },
	{ "next", MG_FROM_FORM, "/[^\\x00-\\x1f]*", false, 512, N_("Return address"), MG_TEXT_RAW },
	MG_FIELDS_END,
};

const struct mg_field mg_login_query[] = {
	{ "next", MG_FROM_QUERY, "/[^\\x00-\\x1f]*", false, 512, N_("Return address"), MG_TEXT_RAW },
	MG_FIELDS_END,
};

const struct mg_field mg_password_fields[] = {
	{ "current", MG_FROM_FORM, NULL, true, 1024, N_("Current password"), MG_TEXT_RAW },
	{ "password", MG_FROM_FORM, NULL, true, 1024, N_("New password"), MG_TEXT_RAW },
	{ "confirm", MG_FROM_FORM, NULL, true, 1024, N_("New password again"), MG_TEXT_RAW },
	MG_FIELDS_END,
};

const struct mg_route mg_backoffice_routes[] = {
	{ "GET", "/login", login_form, MG_SCOPE_ADMIN, NULL, mg_login_query, "staff login form" },
	{ "POST", "/login", login_submit, MG_SCOPE_ADMIN, NULL, mg_login_fields, "staff login" },
	{ "POST", "/logout", logout, MG_SCOPE_ADMIN, NULL, MG_NO_FIELDS, "staff logout" },
	{ "GET", "/", dashboard, MG_SCOPE_ADMIN, "core.backoffice", MG_NO_FIELDS, "back-office dashboard" },
	{ "GET", "/password", password_form, MG_SCOPE_ADMIN, "core.profile", MG_NO_FIELDS, "password change form" },
	{ "POST", "/password", password_submit, MG_SCOPE_ADMIN, "core.profile", mg_password_fields, "password change" },
	{ NULL, NULL, NULL, 0, NULL, NULL, NULL },
};
