/*
 * The platform operator console (/_operator/…): login and logout, the forced password change,
 * a dashboard (tenants by state, platform notices, the maintenance switch), and the tenants'
 * contracts (create, suspend, resume, terminate) with the same checks and the same functions as
 * `madoguchi tenant` (core/tenant/tenant.c). Every change is audited in the platform's chain (tenant 0).
 * Access rules live in http.c: operators hold every "operator.*" permission and nothing else.
 * The console stays usable while the maintenance switch closes everything else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backoffice.h"
#include "backup.h"
#include "clock.h"
#include "http.h"
#include "i18n.h"
#include "modules.h"
#include "notice.h"
#include "console.h"
#include "operator.h"
#include "session.h"
#include "staff.h"
#include "tenant.h"
#include "tz.h"

#define CONSOLE "/_operator"

static const char *console_path(struct mg_ctx *ctx, const char *rest)
{
	return mg_arena_printf(mg_arena(ctx), CONSOLE "%s", rest);
}

/* A local path inside the console, else its dashboard (never another site). */
static const char *safe_next(const char *next)
{
	if (next != NULL && strncmp(next, CONSOLE "/", strlen(CONSOLE "/")) == 0 && strstr(next, "//") == NULL)
		return next;
	return CONSOLE "/";
}

json_t *mg_console_page(struct mg_ctx *ctx, const char *title)
{
	static const char *const entries[][2] = {
		{ N_("Dashboard"), "/" },
		{ N_("Tenants"), "/tenants" },
		{ N_("Platform notices"), "/notices" },
		{ N_("Deletion records"), "/deletions" },
		{ N_("Password"), "/password" },
	};
	json_t *nav = json_array();
	for (size_t i = 0; i < sizeof(entries) / sizeof(entries[0]); i++)
		json_array_append_new(nav, json_pack("{s:s, s:s}", "label", mg_tr(ctx, entries[i][0]), "href",
						     console_path(ctx, entries[i][1])));
	const struct mg_operator *op = mg_ctx_operator(ctx);
	return json_pack("{s:s, s:o, s:s, s:s, s:{s:s}, s:{s:s}}", "page_title", mg_tr(ctx, title), "nav", nav,
			 "logout_action", CONSOLE "/logout", "home", CONSOLE "/", "tenant", "name",
			 mg_tr(ctx, N_("Operator console")), "staff", "name", op != NULL ? op->name : "");
}

/* ---- login, logout, password ---- */

static enum mg_err render_login(struct mg_ctx *ctx, const char *login, const char *next, const char *error)
{
	json_t *data = json_pack("{s:s, s:{s:s}, s:s, s:s, s:s, s:s*}", "page_title", mg_tr(ctx, N_("Operator login")),
				 "tenant", "name", mg_tr(ctx, N_("Operator console")), "action", CONSOLE "/login", "login",
				 login ? login : "", "next", safe_next(next), "error", error ? mg_tr(ctx, error) : NULL);
	return mg_render(ctx, 200, "core/admin_login", data);
}

/* GET /_operator/login — the operator login form. */
static enum mg_err login_form(struct mg_ctx *ctx)
{
	if (mg_ctx_operator(ctx) != NULL)
		return mg_redirect(ctx, 303, safe_next(mg_query(ctx, "next")));
	return render_login(ctx, NULL, mg_query(ctx, "next"), NULL);
}

/*
 * POST /_operator/login — checks the ID and password with the staff's rules (lockout after 5
 * failures for 15 minutes, audited; core/auth/staff.c), then starts a fresh operator session.
 */
static enum mg_err login_submit(struct mg_ctx *ctx)
{
	const char *login = mg_form(ctx, "login"), *next = mg_form(ctx, "next");
	enum mg_login_result result;
	uint64_t id = 0;
	enum mg_err err = mg_account_authenticate(mg_ctx_db(ctx), &mg_operator_account, 0, login, mg_form(ctx, "password"),
						  mg_cgi_param(ctx, "REMOTE_ADDR"), mg_cgi_param(ctx, "HTTP_USER_AGENT"),
						  &result, &id);
	if (err != MG_OK)
		return err;
	if (result != MG_LOGIN_OK)
		return render_login(ctx, login, next,
				    N_("The login ID or password is not correct, or the account is locked for a while."));
	const struct mg_session *old = mg_ctx_session(ctx);
	if (old != NULL)
		mg_session_destroy(mg_ctx_db(ctx), old->tenant_id, old->token_hash);
	struct mg_operator op;
	if ((err = mg_operator_load(mg_ctx_db(ctx), mg_arena(ctx), id, &op)) != MG_OK)
		return err;
	char token[MG_TOKEN_CHARS + 1];
	if ((err = mg_session_create(mg_ctx_db(ctx), 0, "operator", id, "complete", mg_cgi_param(ctx, "REMOTE_ADDR"),
				     mg_cgi_param(ctx, "HTTP_USER_AGENT"), token)) != MG_OK)
		return err;
	mg_set_cookie(ctx, MG_OPERATOR_COOKIE, token, -1);
	return mg_redirect(ctx, 303, op.must_change_password ? CONSOLE "/password" : safe_next(next));
}

/* POST /_operator/logout — ends the operator's session (no permission: a session still owing
 * its password change can end too). */
static enum mg_err logout(struct mg_ctx *ctx)
{
	const struct mg_session *s = mg_ctx_session(ctx);
	if (s == NULL)
		return mg_redirect(ctx, 303, CONSOLE "/login");
	mg_audit(ctx, "logout", "session", "success", NULL);
	enum mg_err err = mg_session_destroy(mg_ctx_db(ctx), s->tenant_id, s->token_hash);
	if (err != MG_OK)
		return err;
	mg_set_cookie(ctx, MG_OPERATOR_COOKIE, "", 0);
	return mg_redirect(ctx, 303, CONSOLE "/login");
}

static enum mg_err render_password(struct mg_ctx *ctx, json_t *errors)
{
	json_t *data = mg_console_page(ctx, N_("Change password"));
	json_object_set_new(data, "action", json_string(CONSOLE "/password"));
	json_object_set_new(data, "must_change", json_boolean(mg_ctx_operator(ctx)->must_change_password));
	json_object_set_new(data, "errors", errors ? errors : json_object());
	return mg_render(ctx, 200, "core/admin_password", data);
}

/* GET /_operator/password — the form (forced at first login). */
static enum mg_err password_form(struct mg_ctx *ctx)
{
	return render_password(ctx, NULL);
}

/* POST /_operator/password — the staff's policy and history rules; every other session of the
 * operator ends and this one gets a new token. */
static enum mg_err password_submit(struct mg_ctx *ctx)
{
	const struct mg_operator *op = mg_ctx_operator(ctx);
	struct mg_password_change change = { op->login, mg_form(ctx, "current"), mg_form(ctx, "password"),
					     mg_form(ctx, "confirm"), NULL, NULL };
	enum mg_err err = mg_account_change_password(mg_ctx_db(ctx), &mg_operator_account, 0, op->id, &change);
	if (err != MG_OK && err != MG_ERR_INPUT)
		return err;
	if (err == MG_ERR_INPUT) {
		mg_audit(ctx, "password.change", "operator", "failure", change.problem);
		return render_password(ctx, json_pack("{s:s}", change.field, mg_tr(ctx, change.problem)));
	}
	mg_audit(ctx, "password.change", "operator", "success", NULL);
	err = mg_session_destroy_subject(mg_ctx_db(ctx), 0, "operator", op->id);
	char token[MG_TOKEN_CHARS + 1];
	if (err == MG_OK)
		err = mg_session_create(mg_ctx_db(ctx), 0, "operator", op->id, "complete", mg_cgi_param(ctx, "REMOTE_ADDR"),
					mg_cgi_param(ctx, "HTTP_USER_AGENT"), token);
	if (err != MG_OK)
		return err;
	mg_set_cookie(ctx, MG_OPERATOR_COOKIE, token, -1);
	return mg_redirect(ctx, 303, CONSOLE "/");
}

/* ---- dashboard and maintenance ---- */

static enum mg_err render_home(struct mg_ctx *ctx, json_t *errors)
{
	struct mg_db *db = mg_ctx_db(ctx);
	struct mg_rows rows;
	struct mg_maintenance m;
	enum mg_err err;
	if ((err = mg_tenant_list(db, mg_arena(ctx), &rows)) != MG_OK ||
	    (err = mg_maintenance_get(db, mg_arena(ctx), &m)) != MG_OK) {
		json_decref(errors);
		return err;
	}
	json_int_t active = 0, suspended = 0, terminated = 0;
	for (size_t r = 0; r < rows.nrows; r++) {
		const char *state = MG_CELL(&rows, r, 1);
		active += strcmp(state, "active") == 0;
		suspended += strcmp(state, "suspended") == 0;
		terminated += strcmp(state, "terminated") == 0;
	}
	json_t *notices = mg_platform_notices(db, mg_arena(ctx), &err);
	if (notices == NULL) {
		json_decref(errors);
		return err;
	}
	json_t *backups = mg_drill_console(db, mg_arena(ctx), mg_now(), &err);
	if (backups == NULL) {
		json_decref(notices);
		json_decref(errors);
		return err;
	}
	json_t *recent = json_array();
	for (size_t i = 0; i < json_array_size(notices) && i < 5; i++)
		json_array_append(recent, json_array_get(notices, i));
	json_t *data = mg_console_page(ctx, N_("Operator console"));
	json_object_set_new(data, "tenants", json_pack("{s:I, s:I, s:I, s:I}", "total", (json_int_t)rows.nrows, "active",
						       active, "suspended", suspended, "terminated", terminated));
	json_object_set_new(data, "recent_notices", recent);
	json_object_set_new(data, "backups", backups);
	size_t i;
	json_t *n;
	json_array_foreach(notices, i, n)
		json_object_set_new(n, "selected", json_boolean(m.notice_id != 0 && strtoull(json_string_value(
							json_object_get(n, "id")), NULL, 10) == m.notice_id));
	json_object_set_new(data, "notice_choices", notices);
	json_object_set_new(data, "maintenance",
			    json_pack("{s:b, s:I, s:s*}", "on", m.on, "retry_after",
				      (json_int_t)(m.on ? m.retry_after : MG_MAINTENANCE_RETRY_DEFAULT), "title", m.title));
	json_object_set_new(data, "maintenance_action", json_string(CONSOLE "/maintenance"));
	json_object_set_new(data, "errors", errors ? errors : json_object());
	return mg_render(ctx, 200, "core/operator_home", data);
}

/* GET /_operator/ — tenants by state, the last restore drill (an alert when none passed in 48
 * hours), failed job runs of the last 7 days, the latest platform notices, the maintenance
 * switch. */
static enum mg_err home(struct mg_ctx *ctx)
{
	return render_home(ctx, NULL);
}

/*
 * POST /_operator/maintenance — turns the maintenance switch on (with a platform notice to
 * show and a Retry-After) or off. Every worker sees it at its next request. Audited.
 */
static enum mg_err maintenance_submit(struct mg_ctx *ctx)
{
	bool on = strcmp(mg_form(ctx, "state"), "on") == 0;
	const char *notice = mg_form(ctx, "notice"), *retry = mg_form(ctx, "retry_after");
	uint64_t notice_id = 0;
	if (notice != NULL && notice[0] != '\0' && mg_parse_id(notice, &notice_id) != MG_OK)
		return MG_ERR_INPUT;
	long retry_after = retry != NULL && retry[0] != '\0' ? strtol(retry, NULL, 10) : MG_MAINTENANCE_RETRY_DEFAULT;
	const char *actor = mg_arena_printf(mg_arena(ctx), "operator:%llu", (unsigned long long)mg_operator_id(ctx));
	enum mg_err err = mg_maintenance_set(mg_ctx_db(ctx), on, notice_id, retry_after, actor,
					     mg_cgi_param(ctx, "REMOTE_ADDR"), mg_cgi_param(ctx, "HTTP_USER_AGENT"));
	if (err == MG_ERR_INPUT)
		return render_home(ctx, json_pack("{s:s}", "retry_after",
						  mg_tr(ctx, N_("Give a number of seconds from 1 to 604800 (7 days)."))));
	if (err == MG_ERR_NOT_FOUND)
		return render_home(ctx, json_pack("{s:s}", "notice", mg_tr(ctx, N_("Choose one of the platform notices."))));
	if (err != MG_OK)
		return err;
	return mg_redirect(ctx, 303, CONSOLE "/");
}

/* ---- tenants ---- */

/* GET /_operator/tenants — every contract with its state and services. */
static enum mg_err tenants(struct mg_ctx *ctx)
{
	struct mg_rows rows;
	enum mg_err err = mg_tenant_list(mg_ctx_db(ctx), mg_arena(ctx), &rows);
	if (err != MG_OK)
		return err;
	json_t *list = json_array();
	for (size_t r = 0; r < rows.nrows; r++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "slug", MG_CELL(&rows, r, 0),
						      "state", MG_CELL(&rows, r, 1), "start", MG_CELL(&rows, r, 2), "end",
						      MG_CELL(&rows, r, 3), "modules", MG_CELL(&rows, r, 4), "name",
						      MG_CELL(&rows, r, 5), "href",
						      console_path(ctx, mg_arena_printf(mg_arena(ctx), "/tenants/%s",
											MG_CELL(&rows, r, 0)))));
	json_t *data = mg_console_page(ctx, N_("Tenants"));
	json_object_set_new(data, "tenants", list);
	json_object_set_new(data, "new_href", json_string(CONSOLE "/new-tenant"));
	return mg_render(ctx, 200, "core/operator_tenants", data);
}

/* The services a tenant can contract, each checked when it is in the space-separated list. */
static json_t *module_choices(const char *chosen)
{
	json_t *list = json_array();
	struct mg_tenant picked = { .modules = chosen ? chosen : "" };
	for (size_t i = 0; i < mg_modules_count(); i++) {
		const char *name = mg_modules_get(i)->name;
		char field[64];
		snprintf(field, sizeof(field), "module_%s", name);
		json_array_append_new(list, json_pack("{s:s, s:s, s:b}", "name", name, "field", field, "checked",
						      mg_tenant_has_module(&picked, name)));
	}
	return list;
}

static enum mg_err render_new_tenant(struct mg_ctx *ctx, const struct mg_tenant_new *t, json_t *errors)
{
	json_t *data = mg_console_page(ctx, N_("New tenant"));
	json_object_set_new(data, "action", json_string(CONSOLE "/tenants"));
	json_object_set_new(data, "values", json_pack("{s:s, s:s, s:s, s:s, s:s}", "slug", t->slug ? t->slug : "", "name",
						      t->name ? t->name : "", "contract_start", t->contract_start,
						      "contract_end", t->contract_end ? t->contract_end : "", "time_zone",
						      t->time_zone ? t->time_zone : MG_TZ_DEFAULT));
	json_object_set_new(data, "modules", module_choices(t->modules));
	json_object_set_new(data, "errors", errors ? errors : json_object());
	return mg_render(ctx, 200, "core/operator_tenant_new", data);
}

/* GET /_operator/new-tenant — the form for a new contract (starts today in the platform's zone;
 * the tenant's own zone defaults to Asia/Tokyo). */
static enum mg_err new_tenant_form(struct mg_ctx *ctx)
{
	char *today = mg_arena_alloc(mg_arena(ctx), 11);
	mg_tenant_today(today);
	struct mg_tenant_new t = { .contract_start = today, .modules = "" };
	return render_new_tenant(ctx, &t, NULL);
}

static const char *form_text(struct mg_ctx *ctx, const char *name)
{
	const char *v = mg_form(ctx, name);
	return v != NULL ? v : "";
}

/*
 * POST /_operator/tenants — creates a tenant with a fresh data key, checked exactly as
 * `madoguchi tenant create` checks it; a problem shows next to its field with what was typed.
 */
static enum mg_err tenant_create(struct mg_ctx *ctx)
{
	char *modules = mg_arena_strdup(mg_arena(ctx), "");
	for (size_t i = 0; i < mg_modules_count(); i++) {
		const char *name = mg_modules_get(i)->name;
		if (mg_form(ctx, mg_arena_printf(mg_arena(ctx), "module_%s", name)) != NULL)
			modules = mg_arena_printf(mg_arena(ctx), "%s%s%s", modules, modules[0] ? " " : "", name);
	}
	const char *end = form_text(ctx, "contract_end"), *zone = form_text(ctx, "time_zone");
	struct mg_tenant_new t = { .slug = form_text(ctx, "slug"), .name = form_text(ctx, "name"), .modules = modules,
				   .contract_start = form_text(ctx, "contract_start"),
				   .contract_end = end[0] ? end : NULL, .time_zone = zone[0] ? zone : MG_TZ_DEFAULT };
	const char *field, *value, *problem = mg_tenant_new_problem(mg_arena(ctx), &t, &field, &value);
	if (problem != NULL)
		return render_new_tenant(ctx, &t, json_pack("{s:s}", field, mg_tr(ctx, problem)));
	uint64_t id = 0;
	enum mg_err err = mg_tenant_create(mg_ctx_db(ctx), mg_ctx_app(ctx)->master_key, &t, &id);
	if (err == MG_ERR_CONFLICT)
		return render_new_tenant(ctx, &t, json_pack("{s:s}", "slug",
							    mg_tr(ctx, N_("This slug is taken (slugs are never reused)."))));
	if (err != MG_OK)
		return err;
	mg_audit(ctx, "tenant.create", mg_arena_printf(mg_arena(ctx), "tenant:%s", t.slug), "success",
		 modules[0] ? modules : NULL);
	return mg_redirect(ctx, 303, console_path(ctx, mg_arena_printf(mg_arena(ctx), "/tenants/%s", t.slug)));
}

static enum mg_err render_tenant(struct mg_ctx *ctx, const struct mg_tenant *t, const char *on, json_t *errors)
{
	const char *base = mg_arena_printf(mg_arena(ctx), CONSOLE "/tenants/%s", t->slug);
	char *today = mg_arena_alloc(mg_arena(ctx), 11);
	mg_tenant_today(today);
	json_t *data = mg_console_page(ctx, N_("Tenant"));
	json_object_set_new(
		data, "contract",
		json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "slug", t->slug, "name", t->name, "state",
			  t->state, "start", t->contract_start, "end", t->contract_end ? t->contract_end : "", "modules",
			  t->modules, "time_zone", t->time_zone, "public_href",
			  mg_arena_printf(mg_arena(ctx), "/%s/", t->slug), "has_key", t->data_key_wrapped != NULL));
	json_object_set_new(data, "suspend_action", json_string(mg_arena_printf(mg_arena(ctx), "%s/suspend", base)));
	json_object_set_new(data, "resume_action", json_string(mg_arena_printf(mg_arena(ctx), "%s/resume", base)));
	json_object_set_new(data, "terminate_action", json_string(mg_arena_printf(mg_arena(ctx), "%s/terminate", base)));
	json_object_set_new(data, "terminate_on", json_string(on ? on : today));
	json_object_set_new(data, "zone_action", json_string(mg_arena_printf(mg_arena(ctx), "%s/time-zone", base)));
	/* what was typed when it was refused, else the zone in force */
	const char *typed = errors != NULL ? json_string_value(json_object_get(errors, "time_zone_typed")) : NULL;
	json_object_set_new(data, "zone_value", json_string(typed != NULL ? typed : t->time_zone));
	json_object_set_new(data, "errors", errors ? errors : json_object());
	return mg_render(ctx, 200, "core/operator_tenant", data);
}

static enum mg_err load_tenant(struct mg_ctx *ctx, struct mg_tenant *t)
{
	return mg_tenant_load(mg_ctx_db(ctx), mg_arena(ctx), mg_param(ctx, "slug"), t);
}

/* GET /_operator/tenants/<slug> — one contract and what can be done with it. */
static enum mg_err tenant_page(struct mg_ctx *ctx)
{
	struct mg_tenant t;
	enum mg_err err = load_tenant(ctx, &t);
	return err != MG_OK ? err : render_tenant(ctx, &t, NULL, NULL);
}

/* Suspends, resumes or terminates (with a contract end date) the tenant of the URL, with the
 * rule of `madoguchi tenant`: a terminated contract is not reopened. Audited. */
static enum mg_err change_state(struct mg_ctx *ctx, const char *action, const char *state)
{
	struct mg_tenant t;
	enum mg_err err = load_tenant(ctx, &t);
	if (err != MG_OK)
		return err;
	const char *on = NULL;
	if (strcmp(state, "terminated") == 0) {
		on = form_text(ctx, "on");
		if (!mg_tenant_date_ok(on))
			return render_tenant(ctx, &t, on, json_pack("{s:s}", "on", mg_tr(ctx, N_("Dates are written YYYY-MM-DD."))));
	}
	err = mg_tenant_change_state(mg_ctx_db(ctx), &t, state, on);
	const char *object = mg_arena_printf(mg_arena(ctx), "tenant:%s", t.slug);
	if (err == MG_ERR_CONFLICT) {
		mg_audit(ctx, action, object, "denied", "terminated contracts are not reopened");
		return render_tenant(ctx, &t, NULL,
				     json_pack("{s:s}", "state",
					       mg_tr(ctx, N_("This contract has ended; an ended contract is not reopened."))));
	}
	if (err != MG_OK)
		return err;
	mg_audit(ctx, action, object, "success", on);
	return mg_redirect(ctx, 303, console_path(ctx, mg_arena_printf(mg_arena(ctx), "/tenants/%s", t.slug)));
}

/* POST /_operator/tenants/<slug>/suspend — the public pages answer 503 politely; the back office stays. */
static enum mg_err tenant_suspend(struct mg_ctx *ctx)
{
	return change_state(ctx, "tenant.suspend", "suspended");
}

/* POST /_operator/tenants/<slug>/resume — back to active (not for a terminated contract). */
static enum mg_err tenant_resume(struct mg_ctx *ctx)
{
	return change_state(ctx, "tenant.resume", "active");
}

/* POST /_operator/tenants/<slug>/terminate — ends the contract on the date given (the purges follow). */
static enum mg_err tenant_terminate(struct mg_ctx *ctx)
{
	return change_state(ctx, "tenant.terminate", "terminated");
}

/* POST /_operator/tenants/<slug>/time-zone — sets the zone the tenant's pages show and read
 * times in, checked as `madoguchi tenant update --tz` checks it; stored times (UTC) stay.
 * Audited with the old and the new zone. */
static enum mg_err tenant_time_zone(struct mg_ctx *ctx)
{
	struct mg_tenant t;
	enum mg_err err = load_tenant(ctx, &t);
	if (err != MG_OK)
		return err;
	const char *zone = form_text(ctx, "time_zone"), *problem = mg_tenant_time_zone_problem(zone);
	if (problem != NULL)
		return render_tenant(ctx, &t, NULL,
				     json_pack("{s:s, s:s}", "time_zone", mg_tr(ctx, problem), "time_zone_typed", zone));
	if ((err = mg_tenant_set_time_zone(mg_ctx_db(ctx), t.id, zone)) != MG_OK)
		return err;
	mg_audit(ctx, "tenant.time_zone", mg_arena_printf(mg_arena(ctx), "tenant:%s", t.slug), "success",
		 mg_arena_printf(mg_arena(ctx), "%s -> %s", t.time_zone, zone));
	return mg_redirect(ctx, 303, console_path(ctx, mg_arena_printf(mg_arena(ctx), "/tenants/%s", t.slug)));
}

static const struct mg_field zone_fields[] = {
	{ "time_zone", MG_FROM_FORM, NULL, true, 64, N_("Time zone"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};

static const struct mg_field maintenance_fields[] = {
	{ "state", MG_FROM_FORM, "on|off", true, 3, N_("Maintenance"), MG_TEXT_NFKC },
	{ "notice", MG_FROM_FORM, MG_ID_PATTERN, false, 19, N_("Notice to show"), MG_TEXT_NFKC },
	{ "retry_after", MG_FROM_FORM, "[0-9]{1,9}", false, 9, N_("Expected length (seconds)"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};

/* The handler checks these itself, so each problem shows next to its field. */
static const struct mg_field tenant_fields[] = {
	{ "slug", MG_FROM_FORM, NULL, false, 256, N_("Slug"), MG_TEXT_NFKC },
	{ "name", MG_FROM_FORM, NULL, false, 1024, N_("Name"), MG_TEXT_RAW },
	{ "contract_start", MG_FROM_FORM, NULL, false, 32, N_("Contract start"), MG_TEXT_NFKC },
	{ "contract_end", MG_FROM_FORM, NULL, false, 32, N_("Contract end"), MG_TEXT_NFKC },
	{ "time_zone", MG_FROM_FORM, NULL, false, 64, N_("Time zone"), MG_TEXT_NFKC },
	/* one checkbox per loaded module: "module_tickets", … */
	{ "module_*", MG_FROM_FORM, "on", false, 2, N_("Services"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};

static const struct mg_field terminate_fields[] = {
	{ "on", MG_FROM_FORM, NULL, false, 32, N_("Contract end"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};

#define SLUG "/tenants/(?<slug>[a-z0-9-]{1,63})"

const struct mg_route mg_console_routes[] = {
	{ "GET", "/login", login_form, MG_SCOPE_OPERATOR, NULL, mg_login_query, "operator login form" },
	{ "POST", "/login", login_submit, MG_SCOPE_OPERATOR, NULL, mg_login_fields, "operator login" },
	{ "POST", "/logout", logout, MG_SCOPE_OPERATOR, NULL, MG_NO_FIELDS, "operator logout" },
	{ "GET", "/password", password_form, MG_SCOPE_OPERATOR, "operator.profile", MG_NO_FIELDS, "operator password form" },
	{ "POST", "/password", password_submit, MG_SCOPE_OPERATOR, "operator.profile", mg_password_fields,
	  "operator password change" },
	{ "GET", "/", home, MG_SCOPE_OPERATOR, "operator.console", MG_NO_FIELDS, "operator dashboard" },
	{ "POST", "/maintenance", maintenance_submit, MG_SCOPE_OPERATOR, "operator.console", maintenance_fields,
	  "turn the maintenance switch on or off" },
	{ "GET", "/tenants", tenants, MG_SCOPE_OPERATOR, "operator.console", MG_NO_FIELDS, "every tenant" },
	{ "GET", "/new-tenant", new_tenant_form, MG_SCOPE_OPERATOR, "operator.console", MG_NO_FIELDS, "new tenant form" },
	{ "POST", "/tenants", tenant_create, MG_SCOPE_OPERATOR, "operator.console", tenant_fields, "create a tenant" },
	{ "GET", SLUG, tenant_page, MG_SCOPE_OPERATOR, "operator.console", MG_NO_FIELDS, "one tenant's contract" },
	{ "POST", SLUG "/suspend", tenant_suspend, MG_SCOPE_OPERATOR, "operator.console", MG_NO_FIELDS, "suspend a tenant" },
	{ "POST", SLUG "/resume", tenant_resume, MG_SCOPE_OPERATOR, "operator.console", MG_NO_FIELDS, "resume a tenant" },
	{ "POST", SLUG "/terminate", tenant_terminate, MG_SCOPE_OPERATOR, "operator.console", terminate_fields,
	  "terminate a tenant's contract" },
	{ "POST", SLUG "/time-zone", tenant_time_zone, MG_SCOPE_OPERATOR, "operator.console", zone_fields,
	  "set a tenant's time zone" },
	{ NULL, NULL, NULL, 0, NULL, NULL, NULL },
};
