/*
 * What a request passes before its handler, registered into the dispatcher's phases
 * (core/http/http.c runs them; it names none of them):
 *
 *   route         the maintenance switch, then the tenant named by the URL
 *   authenticate  the session cookie of the route's kind of account, then a bearer API token
 *   csrf          the token of state-changing requests; machine routes then drop the session
 *   access        the route's permission, then the read-only back office of an ended contract
 *
 * Field validation is the dispatcher's own last phase. A new kind of authentication is a new
 * entry in phase_table below, not an edit of the dispatcher.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "api_token.h"
#include "audit.h"
#include "crypto.h"
#include "http.h"
#include "i18n.h"
#include "log.h"
#include "notice.h"
#include "operator.h"
#include "permission.h"
#include "phases.h"
#include "session.h"
#include "staff.h"
#include "status_pages.h"
#include "tenant.h"

static enum mg_route_scope scope_of(const struct mg_ctx *ctx)
{
	return mg_ctx_route(ctx)->scope;
}

static bool state_changing(const struct mg_ctx *ctx)
{
	const char *method = mg_method(ctx);
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

/* ---- route: maintenance and the tenant ------------------------------------------------------ */

/*
 * The maintenance switch (core/web/notice.c): while it is on, every page but the operator
 * console, /healthz, the status page and the language switch answers 503 with Retry-After and the operator's
 * notice. This costs one primary-key look-up of platform_setting per request: cheap, and a
 * switch takes effect at once on every worker and host with no cache to go stale. When the
 * database cannot answer, pages go on as they would without the switch (and report that
 * themselves).
 */
static enum mg_phase_result maintenance_phase(struct mg_ctx *ctx)
{
	const struct mg_route *route = mg_ctx_route(ctx);
	if (route->scope == MG_SCOPE_OPERATOR ||
	    (route->scope == MG_SCOPE_PLATFORM && strcmp(mg_ctx_route_owner(ctx), "core") == 0 &&
	     (strcmp(route->pattern, "/healthz") == 0 || strcmp(route->pattern, "/lang") == 0 ||
	      strcmp(route->pattern, "/status") == 0 || strcmp(route->pattern, "/status.atom") == 0)))
		return MG_PHASE_NEXT;
	struct mg_arena *arena = mg_arena(ctx);
	struct mg_maintenance m;
	if (mg_maintenance_get(mg_ctx_db(ctx), arena, &m) != MG_OK || !m.on)
		return MG_PHASE_NEXT;
	mg_header(ctx, "Retry-After", mg_arena_printf(arena, "%ld", m.retry_after));
	const char *message = N_("Madoguchi is closed for maintenance. Please come back a little later.");
	if (mg_wants_json(ctx)) {
		mg_error(ctx, 503, message);
		return MG_PHASE_ANSWERED;
	}
	const char *title = mg_tr(ctx, N_("Closed for maintenance"));
	json_t *data = json_pack("{s:s, s:s, s:s*, s:s*}", "page_title", title, "message", mg_tr(ctx, message),
				 "notice_title", m.title, "notice_body", m.body);
	if (data == NULL || mg_render(ctx, 503, "core/maintenance", data) != MG_OK)
		mg_error(ctx, 503, message);
	return MG_PHASE_ANSWERED;
}

/*
 * The tenant named by the URL. An unknown slug and a module the tenant has not contracted are
 * both 404, so nobody can probe which tenants or modules exist; a suspended or terminated
 * tenant's public pages say so politely, its back office stays reachable.
 */
static enum mg_phase_result tenant_phase(struct mg_ctx *ctx)
{
	enum mg_route_scope scope = scope_of(ctx);
	if (scope != MG_SCOPE_TENANT && scope != MG_SCOPE_ADMIN)
		return MG_PHASE_NEXT;
	struct mg_tenant *tenant = mg_arena_alloc(mg_arena(ctx), sizeof(*tenant));
	enum mg_err err = mg_tenant_load(mg_ctx_db(ctx), mg_arena(ctx), mg_param(ctx, "tenant"), tenant);
	if (err != MG_OK) {
		mg_error(ctx, err == MG_ERR_NOT_FOUND ? 404 : 503, NULL);
		return MG_PHASE_ANSWERED;
	}
	const char *owner = mg_ctx_route_owner(ctx);
	if (strcmp(owner, "core") != 0 && !mg_tenant_has_module(tenant, owner)) {
		mg_error(ctx, 404, NULL);
		return MG_PHASE_ANSWERED;
	}
	mg_ctx_set_tenant(ctx, tenant);
	if (scope == MG_SCOPE_TENANT && strcmp(tenant->state, "suspended") == 0) {
		mg_header(ctx, "Retry-After", "86400");
		mg_error(ctx, 503, N_("This service is temporarily suspended. We apologise for the inconvenience."));
		return MG_PHASE_ANSWERED;
	}
	if (scope == MG_SCOPE_TENANT && strcmp(tenant->state, "terminated") == 0) {
		mg_error(ctx, 410, N_("This service has ended. Thank you for using it."));
		return MG_PHASE_ANSWERED;
	}
	/* from the 30-day purge on, nothing of the tenant is served, its back office neither */
	if (tenant->purged_at != NULL) {
		mg_error(ctx, 410, N_("This contract has ended and its data has been deleted."));
		return MG_PHASE_ANSWERED;
	}
	return MG_PHASE_NEXT;
}

/* ---- authenticate: session cookies and bearer tokens ---------------------------------------- */

/*
 * Machine endpoints of a tenant: the JSON API (/<slug>/api/…) and payment providers'
 * callbacks (/<slug>/payments/…). Programs call them without cookies, so they never act on a
 * session cookie: a session sent along is dropped once the CSRF check is done (a route that
 * needs rights must authenticate the caller itself, e.g. by an API token), which leaves a
 * forged cross-site request no authority to borrow. They therefore need no CSRF token when
 * the request carries no cookies; one that carries cookies anyway (a browser's) must still
 * show the token, checked as on any page.
 */
static bool machine_route(const struct mg_ctx *ctx)
{
	const struct mg_route *route = mg_ctx_route(ctx);
	return route->scope == MG_SCOPE_TENANT &&
	       (strncmp(route->pattern, "/api/", 5) == 0 || strncmp(route->pattern, "/payments/", 10) == 0);
}

/* A staff session's member, or NULL (and the session ended) when the member is gone. */
static enum mg_err session_staff(struct mg_ctx *ctx, const struct mg_session *session, uint64_t tenant_id)
{
	struct mg_staff *staff = mg_arena_alloc(mg_arena(ctx), sizeof(*staff));
	enum mg_err err = mg_staff_load(mg_ctx_db(ctx), mg_arena(ctx), mg_ctx_tenant_key(ctx), tenant_id,
					session->subject_id, staff);
	if (err == MG_ERR_NOT_FOUND || (err == MG_OK && !staff->active)) {
		mg_session_destroy(mg_ctx_db(ctx), tenant_id, session->token_hash);
		return MG_ERR_NOT_FOUND;
	}
	if (err == MG_OK)
		mg_ctx_set_staff(ctx, staff);
	return err;
}

/* An operator session's operator, or NOT_FOUND (and the session ended) when they are gone. */
static enum mg_err session_operator(struct mg_ctx *ctx, const struct mg_session *session)
{
	struct mg_operator *operator = mg_arena_alloc(mg_arena(ctx), sizeof(*operator));
	enum mg_err err = mg_operator_load(mg_ctx_db(ctx), mg_arena(ctx), session->subject_id, operator);
	if (err == MG_ERR_NOT_FOUND || (err == MG_OK && !operator->active)) {
		mg_session_destroy(mg_ctx_db(ctx), 0, session->token_hash);
		return MG_ERR_NOT_FOUND;
	}
	if (err == MG_OK)
		mg_ctx_set_operator(ctx, operator);
	return err;
}

/*
 * The session cookie of this tenant (or of the operator console), and its staff member. A
 * tenant's public pages read the customers' cookie instead and accept only customer
 * sessions there; the back office keeps the staff cookie.
 */
static enum mg_err load_session(struct mg_ctx *ctx)
{
	enum mg_route_scope scope = scope_of(ctx);
	/* one cookie per kind of account, so none can stand in for another */
	const char *token = mg_cookie(ctx, scope == MG_SCOPE_OPERATOR ? MG_OPERATOR_COOKIE
					   : scope == MG_SCOPE_TENANT ? MG_ACCOUNT_COOKIE
								      : MG_SESSION_COOKIE);
	if (token == NULL || scope == MG_SCOPE_PLATFORM)
		return MG_OK;
	uint64_t tenant_id = scope == MG_SCOPE_OPERATOR ? 0 : mg_tenant_id(ctx);
	struct mg_session *session = mg_arena_alloc(mg_arena(ctx), sizeof(*session));
	enum mg_err err = mg_session_load(mg_ctx_db(ctx), mg_arena(ctx), tenant_id, token, session);
	if (err == MG_ERR_NOT_FOUND)
		return MG_OK; /* expired or another tenant's: simply not logged in here */
	if (err != MG_OK)
		return err;
	const char *kind = scope == MG_SCOPE_OPERATOR ? "operator" : scope == MG_SCOPE_TENANT ? "customer" : "staff";
	if (strcmp(session->kind, kind) != 0)
		return MG_OK; /* a session of another kind in this cookie counts for nothing */
	if (strcmp(session->kind, "staff") == 0)
		err = session_staff(ctx, session, tenant_id);
	else if (strcmp(session->kind, "operator") == 0)
		err = session_operator(ctx, session);
	if (err == MG_ERR_NOT_FOUND)
		return MG_OK;
	if (err != MG_OK)
		return err;
	mg_ctx_set_session(ctx, session);
	return mg_session_touch(mg_ctx_db(ctx), session);
}

static enum mg_phase_result session_phase(struct mg_ctx *ctx)
{
	if (load_session(ctx) == MG_OK)
		return MG_PHASE_NEXT;
	mg_error(ctx, 503, NULL);
	return MG_PHASE_ANSWERED;
}

/* "/<slug>/api/…": the only paths where a bearer token counts. */
static bool api_path(const struct mg_ctx *ctx)
{
	const char *slug = mg_tenant_slug(ctx), *path = mg_path(ctx);
	if (scope_of(ctx) != MG_SCOPE_TENANT || slug == NULL)
		return false;
	size_t n = strlen(slug);
	return path[0] == '/' && strncmp(path + 1, slug, n) == 0 && strncmp(path + 1 + n, "/api/", 5) == 0;
}

/*
 * "Authorization: Bearer <token>" on a tenant's /api/ routes (core/web/api_token.c): the
 * request acts as the token's staff member with that member's role, and no cookie session
 * counts. A token that is unknown, revoked or another tenant's, or whose member is
 * deactivated, answers 401. Elsewhere the header is ignored: a token never opens the back
 * office.
 */
static enum mg_phase_result bearer_phase(struct mg_ctx *ctx)
{
	const char *auth = mg_cgi_param(ctx, "HTTP_AUTHORIZATION");
	if (auth == NULL || strncasecmp(auth, "Bearer", 6) != 0 || (auth[6] != ' ' && auth[6] != '\0') || !api_path(ctx))
		return MG_PHASE_NEXT;
	const char *token = auth + 6;
	while (*token == ' ')
		token++;
	uint64_t token_id = 0, staff_id = 0, tenant_id = mg_tenant_id(ctx);
	struct mg_staff *staff = mg_arena_alloc(mg_arena(ctx), sizeof(*staff));
	enum mg_err err = mg_api_token_authenticate(mg_ctx_db(ctx), mg_arena(ctx), tenant_id, token, &token_id, &staff_id);
	if (err == MG_OK)
		err = mg_staff_load(mg_ctx_db(ctx), mg_arena(ctx), mg_ctx_tenant_key(ctx), tenant_id, staff_id, staff);
	if (err == MG_ERR_NOT_FOUND || (err == MG_OK && !staff->active)) {
		mg_header(ctx, "WWW-Authenticate", "Bearer");
		mg_error(ctx, 401, N_("This API token is not valid: it is unknown, revoked, or its staff member is deactivated."));
		return MG_PHASE_ANSWERED;
	}
	if (err != MG_OK) {
		mg_error(ctx, 503, NULL);
		return MG_PHASE_ANSWERED;
	}
	mg_ctx_set_staff(ctx, staff);
	mg_ctx_set_session(ctx, NULL);
	mg_ctx_set_bearer(ctx, token_id);
	return MG_PHASE_NEXT;
}

/* ---- csrf ------------------------------------------------------------------------------------ */

static bool csrf_matches(const char *expected, const char *sent)
{
	return expected != NULL && sent != NULL && strlen(expected) == MG_TOKEN_CHARS && strlen(sent) == MG_TOKEN_CHARS &&
	       mg_ct_equal(expected, sent, MG_TOKEN_CHARS);
}

/* A machine route loads no session (no authority from cookies), but a browser that sends
 * cookies there shows the token of the page it came from: its staff or customer session's.
 * Read only to compare that token; the request still acts with no session. */
static const char *machine_session_csrf(struct mg_ctx *ctx)
{
	const char *token = mg_cookie(ctx, MG_SESSION_COOKIE);
	if (token == NULL)
		token = mg_cookie(ctx, MG_ACCOUNT_COOKIE);
	struct mg_session row;
	if (token == NULL || mg_tenant_id(ctx) == 0 ||
	    mg_session_load(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), token, &row) != MG_OK)
		return NULL;
	return row.csrf;
}

/* Every state-changing request carries the CSRF token, checked here so no handler can forget. */
static bool csrf_ok(struct mg_ctx *ctx)
{
	/* a bearer token is not sent by browsers on their own, so it cannot be forged cross-site */
	if (!state_changing(ctx) || mg_ctx_bearer(ctx) != 0)
		return true;
	if (machine_route(ctx) && mg_cgi_param(ctx, "HTTP_COOKIE") == NULL)
		return true;
	const struct mg_session *session = mg_ctx_session(ctx);
	const char *expected = session != NULL ? session->csrf : mg_cookie(ctx, MG_CSRF_COOKIE);
	const char *sent = mg_form(ctx, "csrf");
	if (sent == NULL)
		sent = mg_cgi_param(ctx, "HTTP_X_CSRF_TOKEN");
	return csrf_matches(expected, sent) || (machine_route(ctx) && csrf_matches(machine_session_csrf(ctx), sent));
}

static enum mg_phase_result csrf_phase(struct mg_ctx *ctx)
{
	if (!csrf_ok(ctx)) {
		mg_error(ctx, 403, N_("This form has expired or was not sent from this site. Please reload the page and try again."));
		return MG_PHASE_ANSWERED;
	}
	if (machine_route(ctx) && mg_ctx_bearer(ctx) == 0) {
		/* a session sent along served the CSRF check only: machine endpoints never act on it
		 * (a staff API token, by contrast, is the request's authority) */
		mg_ctx_set_session(ctx, NULL);
		mg_ctx_set_staff(ctx, NULL);
		mg_ctx_set_operator(ctx, NULL);
	}
	return MG_PHASE_NEXT;
}

/* ---- access: permissions and read-only contracts -------------------------------------------- */

/* The console's gate: an operator logged in who has changed the issued password. Operators
 * hold every "operator.*" permission and no other; staff never reach here (other cookie,
 * sessions of tenant 0 only). */
static enum mg_phase_result operator_permitted(struct mg_ctx *ctx, const char *permission)
{
	const struct mg_operator *operator = mg_ctx_operator(ctx);
	struct mg_arena *arena = mg_arena(ctx);
	if (operator == NULL) {
		if (!state_changing(ctx))
			mg_redirect(ctx, 303, mg_arena_printf(arena, "/_operator/login?next=%s",
							      mg_url_encode(arena, mg_path(ctx))));
		else
			mg_error(ctx, 401, NULL);
		return MG_PHASE_ANSWERED;
	}
	if (strncmp(permission, "operator.", 9) != 0) {
		mg_log_error("console route %s asks for %s, which operators do not hold", mg_path(ctx), permission);
		mg_error(ctx, 403, NULL);
		return MG_PHASE_ANSWERED;
	}
	if (operator->must_change_password && strcmp(permission, "operator.profile") != 0) {
		mg_redirect(ctx, 303, "/_operator/password");
		return MG_PHASE_ANSWERED;
	}
	return MG_PHASE_NEXT;
}

static enum mg_phase_result role_allows(struct mg_ctx *ctx, const char *permission)
{
	if (!mg_permission_allows(mg_ctx_staff(ctx)->role, permission)) {
		mg_audit(ctx, "access.denied", mg_path(ctx), "denied", permission);
		mg_error(ctx, 403, NULL);
		return MG_PHASE_ANSWERED;
	}
	return MG_PHASE_NEXT;
}

/* Where a logged-in staff member who is not yet allowed in goes first, or NULL: the second
 * factor, a forced password change, an administrator's two-factor enrolment. */
static const char *staff_detour(struct mg_ctx *ctx, const char *permission, const char *slug)
{
	const struct mg_staff *staff = mg_ctx_staff(ctx);
	struct mg_arena *arena = mg_arena(ctx);
	if (strcmp(mg_ctx_session(ctx)->stage, "complete") != 0)
		return mg_arena_printf(arena, "/%s/admin/login/second-factor", slug);
	bool own_profile = strcmp(permission, "core.profile") == 0;
	if (staff->must_change_password && !own_profile)
		return mg_arena_printf(arena, "/%s/admin/password", slug);
	/* two-factor login is required of administrators: until they enrol, only their profile */
	if (strcmp(staff->role, "admin") == 0 && !staff->has_totp && !own_profile)
		return mg_arena_printf(arena, "/%s/admin/two-factor", slug);
	return NULL;
}

/* The back office's gate: logged in, second factor done, password changed, role allowed. */
static enum mg_phase_result permission_phase(struct mg_ctx *ctx)
{
	const char *permission = mg_ctx_route(ctx)->permission;
	if (permission == NULL)
		return MG_PHASE_NEXT;
	if (scope_of(ctx) == MG_SCOPE_OPERATOR)
		return operator_permitted(ctx, permission);
	const char *slug = mg_tenant_slug(ctx);
	if (mg_ctx_staff(ctx) == NULL || slug == NULL) {
		if (!state_changing(ctx) && slug != NULL && !mg_wants_json(ctx))
			mg_redirect(ctx, 303, mg_arena_printf(mg_arena(ctx), "/%s/admin/login?next=%s", slug,
							      mg_url_encode(mg_arena(ctx), mg_path(ctx))));
		else
			mg_error(ctx, 401, NULL);
		return MG_PHASE_ANSWERED;
	}
	if (mg_ctx_bearer(ctx) != 0)
		return role_allows(ctx, permission);
	const char *detour = staff_detour(ctx, permission, slug);
	if (detour != NULL) {
		mg_redirect(ctx, 303, detour);
		return MG_PHASE_ANSWERED;
	}
	return role_allows(ctx, permission);
}

/*
 * A terminated contract's back office is read-only until its 30-day purge: staff can still log
 * in and look, and an administrator can download the export (a GET), but every state-changing
 * request is refused with a 403 that says why. Left open: the routes anyone may call (login,
 * its second factor, logout: they only open and close sessions) and one's own password and
 * two-factor settings (core.profile), without which a forced password change would lock an
 * administrator out of the export.
 */
static enum mg_phase_result read_only_phase(struct mg_ctx *ctx)
{
	const char *permission = mg_ctx_route(ctx)->permission;
	const struct mg_tenant *tenant = mg_ctx_tenant(ctx);
	if (scope_of(ctx) != MG_SCOPE_ADMIN || tenant == NULL || strcmp(tenant->state, "terminated") != 0 ||
	    !state_changing(ctx) || permission == NULL || strcmp(permission, "core.profile") == 0)
		return MG_PHASE_NEXT;
	mg_audit(ctx, "access.read_only", mg_path(ctx), "denied", permission);
	mg_error(ctx, 403, N_("This contract has ended, so the back office is read-only: nothing can be changed any "
			      "more. An administrator can still download all of the data from the Export page until "
			      "it is deleted."));
	return MG_PHASE_ANSWERED;
}

/* ---- the table ------------------------------------------------------------------------------ */

/*
 * Maintenance ahead: the public pages of a tenant show a banner from maintenance_lead_hours
 * before a window starts (the dashboard shows every window ahead: core/web/backoffice.c). One
 * indexed look-up of the windows not yet ended; nothing when the database cannot answer.
 */
static enum mg_phase_result maintenance_banner_phase(struct mg_ctx *ctx)
{
	const struct mg_route *route = mg_ctx_route(ctx);
	if (route->scope != MG_SCOPE_TENANT || mg_wants_json(ctx))
		return MG_PHASE_NEXT;
	long lead = (long)mg_ctx_app(ctx)->cfg->maintenance_lead_hours * 3600;
	json_t *banners = mg_status_banners(ctx, lead);
	if (json_array_size(banners) > 0)
		mg_ctx_set_site_banner(ctx, json_string_value(json_object_get(json_array_get(banners, 0), "text")));
	json_decref(banners);
	return MG_PHASE_NEXT;
}

static const struct {
	enum mg_phase phase;
	const char *name;
	mg_phase_fn fn;
} phase_table[] = {
	/* closed for maintenance: before anything else touches the tenant's data */
	{ MG_PHASE_ROUTE, "maintenance", maintenance_phase },
	/* the tenant of the URL, its contract and its modules */
	{ MG_PHASE_ROUTE, "tenant", tenant_phase },
	/* staff, customer and operator sessions, by their own cookies */
	{ MG_PHASE_AUTHENTICATE, "session", session_phase },
	/* staff API tokens on /<slug>/api/ */
	{ MG_PHASE_AUTHENTICATE, "bearer", bearer_phase },
	/* the CSRF token of state-changing requests */
	{ MG_PHASE_CSRF, "csrf", csrf_phase },
	/* the route's permission for the caller */
	{ MG_PHASE_ACCESS, "permission", permission_phase },
	/* an ended contract's back office is read-only */
	{ MG_PHASE_ACCESS, "read_only", read_only_phase },
	/* the banner of maintenance ahead on the public pages */
	{ MG_PHASE_ACCESS, "maintenance_banner", maintenance_banner_phase },
};

enum mg_err mg_web_register_phases(void)
{
	enum mg_err err = MG_OK;
	for (size_t i = 0; err == MG_OK && i < sizeof(phase_table) / sizeof(phase_table[0]); i++)
		err = mg_http_phase_add(phase_table[i].phase, phase_table[i].name, phase_table[i].fn);
	return err;
}
