#include <ctype.h>
#include <errno.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "form.h"
#include "http.h"
#include "i18n.h"
#include "input.h"
#include "lang.h"
#include "log.h"
#include "audit.h"
#include "operator.h"
#include "permission.h"
#include "session.h"
#include "signing.h"
#include "staff.h"
#include "tenant.h"
#include "tz_text.h"

struct header {
	const char *name, *value;
	struct header *next;
};

struct mg_ctx {
	const struct mg_app *app;
	struct mg_db *db;
	struct mg_arena *arena;
	char **envp;
	const char *method, *path, *lang;
	struct mg_kvlist query, form, cookies;
	const char *body;
	size_t body_len;
	struct mg_route_match match;
	/* set by the phases (core/web/phases.c), rows in the arena */
	const struct mg_tenant *tenant; /* from the URL, for tenant and back-office routes */
	unsigned char tenant_key[32];   /* unwrapped on first use */
	int have_tenant_key;
	const struct mg_session *session; /* the live session of this tenant, if any */
	const struct mg_staff *staff;   /* the staff member of a staff session or API token */
	const struct mg_operator *operator; /* the operator of a console session */
	const char *csrf;               /* the token forms must carry */
	uint64_t bearer_id;             /* the staff API token of a "Bearer" API request, else 0 */
	const char *undeclared;         /* a field the handler read without declaring it (a bug) */
	const char *input_msgid;        /* why the handler's MG_ERR_INPUT is a 400 (a bad id) */
	/* the answer */
	int status;
	const char *content_type;
	struct header *headers, *last_header;
	struct mg_buf out;
	int answered;
};

/* The security headers every answer carries, set in this one place. */
static const char *const security_headers[][2] = {
	{ "Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
				     "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'" },
	{ "X-Content-Type-Options", "nosniff" },
	{ "X-Frame-Options", "DENY" },
	{ "Referrer-Policy", "same-origin" },
	{ "Strict-Transport-Security", "max-age=31536000" },
	{ "Permissions-Policy", "camera=(), microphone=(), geolocation=()" },
	{ "Cross-Origin-Opener-Policy", "same-origin" },
	{ NULL, NULL },
};

struct status_info {
	int code;
	const char *reason;  /* HTTP reason phrase */
	const char *error;   /* machine-readable word for JSON errors */
	const char *title;   /* msgid */
	const char *message; /* msgid: the default explanation */
};

static const struct status_info statuses[] = {
	{ 200, "OK", NULL, NULL, NULL },
	{ 201, "Created", NULL, NULL, NULL },
	{ 204, "No Content", NULL, NULL, NULL },
	{ 301, "Moved Permanently", NULL, NULL, NULL },
	{ 302, "Found", NULL, NULL, NULL },
	{ 303, "See Other", NULL, NULL, NULL },
	{ 304, "Not Modified", NULL, NULL, NULL },
	{ 400, "Bad Request", "bad_request", N_("Bad request"), N_("The request could not be understood.") },
	{ 401, "Unauthorized", "unauthorized", N_("Login required"), N_("Please log in to continue.") },
	{ 403, "Forbidden", "forbidden", N_("Forbidden"), N_("You do not have permission to see this page.") },
	{ 404, "Not Found", "not_found", N_("Not found"), N_("The page you asked for does not exist.") },
	{ 405, "Method Not Allowed", "method_not_allowed", N_("Method not allowed"),
	  N_("This address does not accept that method.") },
	{ 409, "Conflict", "conflict", N_("Conflict"), N_("Someone else changed this at the same time. Please try again.") },
	{ 410, "Gone", "gone", N_("Expired"), N_("This is no longer available.") },
	{ 413, "Content Too Large", "too_large", N_("Request too large"),
	  N_("The request is larger than this service accepts.") },
	{ 414, "URI Too Long", "uri_too_long", N_("Request too large"),
	  N_("The request is larger than this service accepts.") },
	{ 415, "Unsupported Media Type", "unsupported_media_type", N_("Bad request"),
	  N_("This address accepts forms (application/x-www-form-urlencoded) or JSON only.") },
	{ 422, "Unprocessable Content", "invalid", N_("Bad request"), N_("The request could not be understood.") },
	{ 429, "Too Many Requests", "too_many_requests", N_("Too many requests"),
	  N_("Too many requests. Please wait a moment and try again.") },
	{ 500, "Internal Server Error", "internal", N_("Internal error"),
	  N_("Something went wrong on our side. The error has been logged.") },
	{ 503, "Service Unavailable", "unavailable", N_("Service unavailable"),
	  N_("The service is temporarily unavailable. Please try again in a moment.") },
	{ 0, NULL, NULL, NULL, NULL },
};

static const struct status_info *status_info(int code)
{
	for (const struct status_info *s = statuses; s->code != 0; s++)
		if (s->code == code)
			return s;
	return code == 500 ? NULL : status_info(500); /* a status missing from the table is a bug */
}

/* ---- reading the request ---- */

const char *mg_cgi_param(const struct mg_ctx *ctx, const char *name)
{
	size_t len = strlen(name);
	for (char **e = ctx->envp; e != NULL && *e != NULL; e++)
		if (strncmp(*e, name, len) == 0 && (*e)[len] == '=')
			return *e + len + 1;
	return NULL;
}

const char *mg_method(const struct mg_ctx *ctx) { return ctx->method; }
const char *mg_path(const struct mg_ctx *ctx) { return ctx->path; }
/* A declared name ending in '*' stands for every name it begins ("module_*": one checkbox
 * per loaded module). */
static int field_name_is(const struct mg_field *f, const char *name)
{
	size_t len = strlen(f->name);
	if (len > 0 && f->name[len - 1] == '*')
		return strncmp(f->name, name, len - 1) == 0;
	return strcmp(f->name, name) == 0;
}

/*
 * Whether the matched route declares name from source. A handler that reads another field
 * gets NULL, as if it had not been sent, and the read is logged as an error: scripts/test
 * fails on that line, and with strict_fields (the tests' configuration) the answer becomes a
 * 500 naming the field, so the test that took the path fails at once. Production only logs:
 * an absent optional field is a case every handler already answers, never with a 5xx.
 */
static int field_declared(const struct mg_ctx *ctx, enum mg_field_source source, const char *name)
{
	const struct mg_field *fields = ctx->match.route != NULL ? ctx->match.route->fields : NULL;
	if (source == MG_FROM_FORM && strcmp(name, "csrf") == 0)
		return 1; /* the token every form carries, read by the csrf phase (never normalised) */
	for (size_t i = 0; fields != NULL && fields[i].name != NULL; i++)
		if (fields[i].source == source && field_name_is(&fields[i], name))
			return 1;
	mg_log_error("http: undeclared field: %s handler for %s %s read %s field '%s' it does not declare",
		     ctx->match.owner ? ctx->match.owner : "-", ctx->method,
		     ctx->match.route != NULL ? ctx->match.route->pattern : ctx->path,
		     source == MG_FROM_FORM ? "form" : "query", name);
	((struct mg_ctx *)ctx)->undeclared = name; /* bookkeeping only: the request stays as it was */
	return 0;
}

const char *mg_query(const struct mg_ctx *ctx, const char *name)
{
	return field_declared(ctx, MG_FROM_QUERY, name) ? mg_kv_get(&ctx->query, name) : NULL;
}

const char *mg_form(const struct mg_ctx *ctx, const char *name)
{
	return field_declared(ctx, MG_FROM_FORM, name) ? mg_kv_get(&ctx->form, name) : NULL;
}

const char *mg_form_typed(const struct mg_ctx *ctx, const char *name)
{
	return strcmp(ctx->method, "GET") != 0 && strcmp(ctx->method, "HEAD") != 0 ? mg_form(ctx, name) : NULL;
}

/* An id field: MG_ERR_NOT_FOUND when absent, MG_ERR_INPUT (with the 400's message) when bad. */
static enum mg_err field_id(struct mg_ctx *ctx, const char *text, uint64_t *out)
{
	*out = 0;
	if (text == NULL || text[0] == '\0')
		return MG_ERR_NOT_FOUND;
	if (mg_parse_id(text, out) == MG_OK)
		return MG_OK;
	ctx->input_msgid = N_("This id is not valid: an id is a whole number from 1, written in digits only.");
	return MG_ERR_INPUT;
}

enum mg_err mg_param_id(struct mg_ctx *ctx, const char *name, uint64_t *out)
{
	const char *text = mg_param(ctx, name);
	enum mg_err err = field_id(ctx, text, out);
	if (err == MG_ERR_NOT_FOUND) {
		mg_log_error("http: route %s has no id group named %s", ctx->match.route->pattern, name);
		return MG_ERR_INTERNAL;
	}
	if (err == MG_ERR_INPUT)
		ctx->input_msgid = N_("The address holds an id that is not valid: an id is a whole number from 1, "
				      "written in digits only.");
	return err;
}

enum mg_err mg_query_id(struct mg_ctx *ctx, const char *name, uint64_t *out)
{
	return field_id(ctx, mg_query(ctx, name), out);
}

enum mg_err mg_form_id(struct mg_ctx *ctx, const char *name, uint64_t *out)
{
	return field_id(ctx, mg_form(ctx, name), out);
}

size_t mg_form_values(struct mg_ctx *ctx, const char *name, const char ***values)
{
	size_t n = 0;
	if (!field_declared(ctx, MG_FROM_FORM, name)) {
		*values = mg_arena_alloc(ctx->arena, sizeof(**values));
		return 0;
	}
	for (size_t i = 0; i < ctx->form.n; i++)
		n += strcmp(ctx->form.items[i].key, name) == 0;
	*values = mg_arena_alloc(ctx->arena, (n + 1) * sizeof(**values));
	for (size_t i = 0, j = 0; i < ctx->form.n; i++)
		if (strcmp(ctx->form.items[i].key, name) == 0)
			(*values)[j++] = ctx->form.items[i].value;
	return n;
}
const char *mg_cookie(const struct mg_ctx *ctx, const char *name) { return mg_kv_get(&ctx->cookies, name); }
const char *mg_lang(const struct mg_ctx *ctx) { return ctx->lang; }
struct mg_arena *mg_arena(struct mg_ctx *ctx) { return ctx->arena; }
struct mg_db *mg_ctx_db(struct mg_ctx *ctx) { return ctx->db; }
const struct mg_app *mg_ctx_app(const struct mg_ctx *ctx) { return ctx->app; }
const struct mg_tenant *mg_ctx_tenant(const struct mg_ctx *ctx) { return ctx->tenant; }
uint64_t mg_tenant_id(const struct mg_ctx *ctx) { return ctx->tenant ? ctx->tenant->id : 0; }
const char *mg_tenant_slug(const struct mg_ctx *ctx) { return ctx->tenant ? ctx->tenant->slug : NULL; }
const char *mg_tenant_name(const struct mg_ctx *ctx) { return ctx->tenant ? ctx->tenant->name : NULL; }

const char *mg_tenant_time_zone(const struct mg_ctx *ctx)
{
	return ctx->tenant != NULL && ctx->tenant->time_zone != NULL ? ctx->tenant->time_zone : mg_tz_platform();
}

const char *mg_time_text(struct mg_ctx *ctx, time_t t, enum mg_tz_style style)
{
	return mg_tz_text(mg_arena(ctx), mg_tenant_time_zone(ctx), t, style, mg_lang(ctx));
}

const char *mg_time_cell(struct mg_ctx *ctx, const char *unix_seconds, enum mg_tz_style style)
{
	return mg_tz_text_cell(mg_arena(ctx), mg_tenant_time_zone(ctx), unix_seconds, style, mg_lang(ctx));
}
const struct mg_session *mg_ctx_session(const struct mg_ctx *ctx) { return ctx->session; }
const struct mg_staff *mg_ctx_staff(const struct mg_ctx *ctx) { return ctx->staff; }
uint64_t mg_staff_id(const struct mg_ctx *ctx) { return ctx->staff ? ctx->staff->id : 0; }
const char *mg_staff_role(const struct mg_ctx *ctx) { return ctx->staff ? ctx->staff->role : NULL; }
const struct mg_operator *mg_ctx_operator(const struct mg_ctx *ctx) { return ctx->operator; }
uint64_t mg_operator_id(const struct mg_ctx *ctx) { return ctx->operator ? ctx->operator->id : 0; }

uint64_t mg_customer_id(const struct mg_ctx *ctx)
{
	const struct mg_session *s = ctx->session;
	return s != NULL && strcmp(s->kind, "customer") == 0 ? s->subject_id : 0;
}

enum mg_err mg_sign_code(struct mg_ctx *ctx, const char *payload, const char **code)
{
	return mg_signing_sign(ctx->db, ctx->arena, mg_tenant_id(ctx), mg_ctx_tenant_key(ctx), payload, code);
}

enum mg_err mg_verify_code(struct mg_ctx *ctx, const char *code, const char **payload)
{
	return mg_signing_verify(ctx->db, ctx->arena, mg_tenant_id(ctx), code, payload);
}

const unsigned char *mg_ctx_tenant_key(struct mg_ctx *ctx)
{
	if (ctx->tenant == NULL)
		return NULL;
	if (!ctx->have_tenant_key) {
		if (mg_tenant_data_key(ctx->app->master_key, ctx->tenant, ctx->tenant_key) != MG_OK) {
			mg_log_error("tenant %s: its data key cannot be unwrapped", ctx->tenant->slug);
			return NULL;
		}
		ctx->have_tenant_key = 1;
	}
	return ctx->tenant_key;
}

const char *mg_csrf_token(struct mg_ctx *ctx)
{
	if (ctx->csrf != NULL)
		return ctx->csrf;
	if (ctx->session != NULL) {
		ctx->csrf = ctx->session->csrf;
		return ctx->csrf;
	}
	const char *cookie = mg_cookie(ctx, MG_CSRF_COOKIE);
	if (cookie != NULL && strlen(cookie) == MG_TOKEN_CHARS) {
		ctx->csrf = cookie;
		return ctx->csrf;
	}
	/* a visitor without a session gets a random token in a cookie, echoed by each form */
	char *token = mg_arena_alloc(ctx->arena, MG_TOKEN_CHARS + 1);
	mg_token_new(token);
	mg_set_cookie(ctx, MG_CSRF_COOKIE, token, -1);
	ctx->csrf = token;
	return token;
}

const char *mg_ctx_audit_actor(struct mg_ctx *ctx)
{
	if (ctx->staff != NULL)
		return mg_arena_printf(ctx->arena, "staff:%llu", (unsigned long long)ctx->staff->id);
	if (ctx->operator != NULL)
		return mg_arena_printf(ctx->arena, "operator:%llu", (unsigned long long)ctx->operator->id);
	if (mg_customer_id(ctx) != 0)
		return mg_arena_printf(ctx->arena, "customer:%llu", (unsigned long long)mg_customer_id(ctx));
	return "anonymous";
}

enum mg_err mg_audit(struct mg_ctx *ctx, const char *action, const char *object, const char *outcome,
		     const char *detail)
{
	const char *actor = mg_ctx_audit_actor(ctx);
	struct mg_audit_event ev = { mg_tenant_id(ctx), actor, action, object, mg_cgi_param(ctx, "REMOTE_ADDR"),
				     mg_cgi_param(ctx, "HTTP_USER_AGENT"), outcome, detail };
	enum mg_err err = mg_audit_record(ctx->db, &ev);
	if (err != MG_OK)
		mg_log_error("audit: could not record %s %s: %s", action, object ? object : "", mg_strerror(err));
	return err;
}

const char *mg_tr(const struct mg_ctx *ctx, const char *msgid)
{
	return mg_i18n_translate(ctx->lang, msgid);
}

const char *mg_param(const struct mg_ctx *ctx, const char *name)
{
	for (size_t i = 0; i < ctx->match.nparams; i++)
		if (strcmp(ctx->match.names[i], name) == 0)
			return ctx->match.values[i];
	return NULL;
}

const char *mg_body(const struct mg_ctx *ctx, size_t *len)
{
	if (len != NULL)
		*len = ctx->body_len;
	return ctx->body;
}

/* ---- answering ---- */

static int header_text_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

enum mg_err mg_header(struct mg_ctx *ctx, const char *name, const char *value)
{
	if (!header_text_ok(name) || !header_text_ok(value) || strchr(name, ':') != NULL) {
		mg_log_error("http: refused header %s with control characters", name);
		return MG_ERR_INTERNAL;
	}
	struct header *h = mg_arena_alloc(ctx->arena, sizeof(*h));
	h->name = mg_arena_strdup(ctx->arena, name);
	h->value = mg_arena_strdup(ctx->arena, value);
	if (ctx->last_header != NULL)
		ctx->last_header->next = h;
	else
		ctx->headers = h;
	ctx->last_header = h;
	return MG_OK;
}

enum mg_err mg_set_cookie(struct mg_ctx *ctx, const char *name, const char *value, long max_age)
{
	for (const char *c = value; *c != '\0'; c++)
		if (*c == ';' || *c == ',' || *c == '"' || *c == '\\' || isspace((unsigned char)*c))
			return MG_ERR_INTERNAL;
	char *cookie = max_age < 0 ? mg_arena_printf(ctx->arena, "%s=%s; Path=/; Secure; HttpOnly; SameSite=Lax", name,
						     value)
				   : mg_arena_printf(ctx->arena, "%s=%s; Path=/; Max-Age=%ld; Secure; HttpOnly; SameSite=Lax",
						     name, value, max_age);
	return mg_header(ctx, "Set-Cookie", cookie);
}

static void answer(struct mg_ctx *ctx, int status, const char *content_type)
{
	ctx->status = status;
	ctx->content_type = content_type;
	ctx->answered = 1;
}

static const char *translate_for_template(void *arg, const char *msgid)
{
	return mg_i18n_translate(arg, msgid);
}

/* Percent-encodes everything but RFC 3986 unreserved characters and '/'. */
const char *mg_url_encode(struct mg_arena *arena, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = mg_arena_alloc(arena, 3 * strlen(s) + 1), *o = out;
	for (const unsigned char *c = (const unsigned char *)s; *c != '\0'; c++) {
		if (isalnum(*c) || strchr("-._~/", *c) != NULL) {
			*o++ = (char)*c;
		} else {
			*o++ = '%';
			*o++ = hex[*c >> 4];
			*o++ = hex[*c & 15];
		}
	}
	*o = '\0';
	return out;
}

/* The data every page's layout reads. */
static json_t *page_data(struct mg_ctx *ctx, json_t *data)
{
	if (data == NULL)
		data = json_object();
	const char *other = strcmp(ctx->lang, "ja") == 0 ? "en" : "ja";
	json_object_set_new(data, "lang", json_string(ctx->lang));
	json_object_set_new(data, "version", json_string(PACKAGE_VERSION));
	json_object_set_new(data, "request_id", json_string(mg_log_request_id()));
	json_t *switcher = json_object();
	json_object_set_new(switcher, "code", json_string(other));
	json_object_set_new(switcher, "label", json_string(strcmp(other, "ja") == 0 ? "日本語" : "English"));
	json_object_set_new(switcher, "href",
			    json_string(mg_arena_printf(ctx->arena, "/lang?to=%s&next=%s", other,
							mg_url_encode(ctx->arena, strcmp(ctx->path, "/lang") == 0 ? "/" : ctx->path))));
	json_object_set_new(data, "other_lang", switcher);
	json_object_set_new(data, "csrf", json_string(mg_csrf_token(ctx)));
	/* the zone the page's times are in: labels say "JST" for Japan, else the zone's name */
	const char *zone = mg_tenant_time_zone(ctx);
	json_object_set_new(data, "tz", json_pack("{s:s, s:s, s:b}", "zone", zone, "label", mg_tz_label(zone, ctx->lang),
						  "japan", strcmp(zone, "Asia/Tokyo") == 0));
	if (ctx->tenant != NULL && json_object_get(data, "tenant") == NULL)
		json_object_set_new(data, "tenant", json_pack("{s:s, s:s}", "name", ctx->tenant->name, "slug",
							      ctx->tenant->slug));
	if (ctx->operator != NULL && json_object_get(data, "operator") == NULL)
		json_object_set_new(data, "operator", json_pack("{s:s, s:s}", "login", ctx->operator->login, "name",
								ctx->operator->name));
	if (ctx->staff != NULL)
		json_object_set_new(data, "staff", json_pack("{s:s, s:s, s:s}", "login", ctx->staff->login, "role",
							     ctx->staff->role, "name",
							     ctx->staff->name ? ctx->staff->name : ctx->staff->login));
	return data;
}

enum mg_err mg_render(struct mg_ctx *ctx, int status, const char *template_name, json_t *data)
{
	data = page_data(ctx, data);
	mg_buf_reset(&ctx->out);
	enum mg_err err = mg_template_render(ctx->app->templates, template_name, data, translate_for_template,
					     (void *)ctx->lang, &ctx->out);
	json_decref(data);
	if (err != MG_OK) {
		mg_log_error("http: rendering %s failed: %s", template_name, mg_strerror(err));
		mg_buf_reset(&ctx->out);
		return err;
	}
	answer(ctx, status, "text/html; charset=utf-8");
	return MG_OK;
}

enum mg_err mg_render_to(struct mg_ctx *ctx, const char *template_name, json_t *data, struct mg_buf *out)
{
	data = page_data(ctx, data);
	enum mg_err err = mg_template_render(ctx->app->templates, template_name, data, translate_for_template,
					     (void *)ctx->lang, out);
	json_decref(data);
	if (err != MG_OK)
		mg_log_error("http: rendering %s failed: %s", template_name, mg_strerror(err));
	return err;
}

enum mg_err mg_json(struct mg_ctx *ctx, int status, json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (text == NULL)
		return MG_ERR_NOMEM;
	mg_buf_reset(&ctx->out);
	mg_buf_puts(&ctx->out, text);
	mg_buf_puts(&ctx->out, "\n");
	free(text);
	answer(ctx, status, "application/json");
	return MG_OK;
}

enum mg_err mg_redirect(struct mg_ctx *ctx, int status, const char *location)
{
	enum mg_err err = mg_header(ctx, "Location", location);
	if (err != MG_OK)
		return err;
	mg_buf_reset(&ctx->out);
	answer(ctx, status, "text/plain; charset=utf-8");
	return MG_OK;
}

enum mg_err mg_send(struct mg_ctx *ctx, int status, const char *content_type, struct mg_buf *body)
{
	if (!header_text_ok(content_type))
		return MG_ERR_INTERNAL;
	mg_buf_free(&ctx->out);
	ctx->out = *body;
	mg_buf_init(body);
	answer(ctx, status, mg_arena_strdup(ctx->arena, content_type));
	return MG_OK;
}

bool mg_wants_json(const struct mg_ctx *ctx)
{
	if (ctx->path != NULL && (strncmp(ctx->path, "/api/", 5) == 0 || strstr(ctx->path, "/api/v") != NULL ||
				  strcmp(ctx->path, "/healthz") == 0))
		return 1;
	const char *accept = mg_cgi_param(ctx, "HTTP_ACCEPT");
	return accept != NULL && strncmp(accept, "application/json", 16) == 0;
}

/* The last resort when even the error template cannot be rendered. */
static void plain_error(struct mg_ctx *ctx, int status, const char *title, const char *message)
{
	mg_buf_reset(&ctx->out);
	mg_buf_printf(&ctx->out, "%d %s\n%s\n", status, title, message);
	answer(ctx, status, "text/plain; charset=utf-8");
}

enum mg_err mg_error(struct mg_ctx *ctx, int status, const char *msgid)
{
	const struct status_info *info = status_info(status);
	const char *title = mg_tr(ctx, info->title ? info->title : N_("Error"));
	const char *message = mg_tr(ctx, msgid != NULL ? msgid : info->message);
	if (mg_wants_json(ctx)) {
		json_t *body = json_pack("{s:s, s:s, s:s}", "error", info->error ? info->error : "error", "message",
					 message, "request_id", mg_log_request_id());
		if (body != NULL && mg_json(ctx, status, body) == MG_OK)
			return MG_OK;
	}
	json_t *data = json_pack("{s:i, s:s, s:s, s:s}", "status", status, "title", title, "message", message,
				 "page_title", title);
	if (data == NULL || mg_render(ctx, status, "core/error", data) != MG_OK)
		plain_error(ctx, status, title, message);
	return MG_OK;
}

/* Replaces "{field}" in a translated message. */
static const char *with_field(struct mg_ctx *ctx, const char *message, const char *field)
{
	const char *at = strstr(message, "{field}");
	if (at == NULL)
		return message;
	return mg_arena_printf(ctx->arena, "%.*s%s%s", (int)(at - message), message, field, at + 7);
}

static void field_error(struct mg_ctx *ctx, const char *msgid, const struct mg_field *field)
{
	const char *label = mg_tr(ctx, field->label ? field->label : field->name);
	const char *message = with_field(ctx, mg_tr(ctx, msgid), label);
	/* mg_error translates its msgid; an already translated text passes through unchanged */
	mg_error(ctx, 400, message);
}

/* ---- work left for after the answer ---- */

/* A worker answers one request at a time, so one list per process is enough. */
enum { MAX_DEFERRED = 4 };
static struct deferred {
	mg_deferred_fn fn;
	void *arg;
} deferred[MAX_DEFERRED];
static size_t ndeferred;

enum mg_err mg_http_defer(struct mg_ctx *ctx, mg_deferred_fn fn, void *arg)
{
	(void)ctx;
	if (ndeferred == MAX_DEFERRED) {
		mg_log_error("http: more than %d jobs left for after the answer", MAX_DEFERRED);
		return MG_ERR_INTERNAL;
	}
	deferred[ndeferred++] = (struct deferred){ fn, arg };
	return MG_OK;
}

void mg_http_run_deferred(const struct mg_app *app, struct mg_db *db, struct mg_arena *arena)
{
	for (size_t i = 0; i < ndeferred; i++)
		deferred[i].fn(app, db, arena, deferred[i].arg);
	ndeferred = 0;
}

/* ---- the pipeline ---- */

static const char *const handled_methods[] = { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", NULL };

static int method_handled(const char *method)
{
	for (int i = 0; handled_methods[i] != NULL; i++)
		if (strcmp(method, handled_methods[i]) == 0)
			return 1;
	return 0;
}

static void input_error(struct mg_ctx *ctx, enum mg_err err, enum mg_input_problem problem)
{
	mg_error(ctx, err == MG_ERR_TOO_LARGE ? 413 : 400, mg_input_problem_msgid(problem));
}

static const char *request_id(const struct mg_ctx *ctx, char *buf, size_t buflen)
{
	const char *rid = mg_cgi_param(ctx, "REQUEST_ID");
	int ok = rid != NULL && rid[0] != '\0' && strlen(rid) < buflen;
	for (const char *c = rid; ok && *c; c++)
		ok = isxdigit((unsigned char)*c);
	if (ok)
		return rid;
	unsigned char raw[16];
	if (RAND_bytes(raw, sizeof(raw)) != 1)
		memset(raw, 0, sizeof(raw));
	for (size_t i = 0; i < sizeof(raw) && 2 * i + 2 < buflen; i++)
		snprintf(buf + 2 * i, 3, "%02x", raw[i]);
	return buf;
}

/* Reads the body into the arena; a body over max_body is drained and refused. */
static enum mg_err read_body(struct mg_ctx *ctx, const struct mg_http_io *io)
{
	const char *length_text = mg_cgi_param(ctx, "CONTENT_LENGTH");
	if (length_text == NULL || length_text[0] == '\0')
		return MG_OK;
	char *end;
	errno = 0;
	unsigned long long length = strtoull(length_text, &end, 10);
	if (errno != 0 || *end != '\0' || !isdigit((unsigned char)length_text[0]))
		return MG_ERR_INPUT;
	int too_large = length > ctx->app->cfg->max_body;
	char *body = too_large ? NULL : mg_arena_alloc(ctx->arena, (size_t)length + 1);
	char sink[8192];
	unsigned long long got = 0;
	while (got < length) {
		int want = (int)(length - got < sizeof(sink) ? length - got : sizeof(sink));
		int n = io->read(io->io_ctx, too_large ? sink : body + got, want);
		if (n <= 0)
			return MG_ERR_INPUT;
		got += (unsigned long long)n;
	}
	if (too_large)
		return MG_ERR_TOO_LARGE;
	ctx->body = body;
	ctx->body_len = (size_t)length;
	return MG_OK;
}

static int content_type_is(const struct mg_ctx *ctx, const char *type)
{
	const char *ct = mg_cgi_param(ctx, "CONTENT_TYPE");
	size_t len = strlen(type);
	return ct != NULL && strncasecmp(ct, type, len) == 0 && (ct[len] == '\0' || ct[len] == ';' || ct[len] == ' ');
}

/* The 400 for a body that is not JSON: the API's "bad_json" word, or the error page. */
static void bad_json(struct mg_ctx *ctx)
{
	const char *message = mg_tr(ctx, N_("The request body is not valid JSON."));
	json_t *body = mg_wants_json(ctx) ? json_pack("{s:s, s:s, s:s}", "error", "bad_json", "message", message,
						   "request_id", mg_log_request_id())
				       : NULL;
	if (body == NULL || mg_json(ctx, 400, body) != MG_OK)
		mg_error(ctx, 400, message);
}

static enum mg_err decode_body(struct mg_ctx *ctx, const struct mg_limits *limits)
{
	enum mg_input_problem problem = MG_INPUT_OK;
	if (ctx->body_len == 0)
		return MG_OK;
	if (content_type_is(ctx, "application/x-www-form-urlencoded")) {
		enum mg_err err = mg_form_parse(ctx->arena, ctx->body, ctx->body_len, limits, &ctx->form, &problem);
		if (err != MG_OK)
			input_error(ctx, err, problem);
		return err;
	}
	if (content_type_is(ctx, "application/json")) {
		/* every JSON body parses, read by its handler or not: a client sending broken JSON
		 * learns it now, not when a later version of the route starts reading it */
		json_error_t error;
		json_t *doc = json_loadb(ctx->body, ctx->body_len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &error);
		if (doc != NULL) {
			json_decref(doc);
			return MG_OK;
		}
		bad_json(ctx);
		return MG_ERR_INPUT;
	}
	mg_error(ctx, 415, NULL);
	return MG_ERR_INPUT;
}

/* Replaces every value of field f (repeated ones too) by its normalised form. */
static enum mg_err normalise_field(struct mg_ctx *ctx, const struct mg_field *f)
{
	struct mg_kvlist *list = f->source == MG_FROM_FORM ? &ctx->form : &ctx->query;
	for (size_t i = 0; i < list->n && f->text != MG_TEXT_RAW; i++) {
		struct mg_kv *kv = &list->items[i];
		if (!field_name_is(f, kv->key))
			continue;
		const char *normal;
		enum mg_err err = f->text == MG_TEXT_AMOUNT ? mg_text_amount(ctx->arena, kv->value, &normal)
							    : mg_text_nfkc(ctx->arena, kv->value, &normal);
		if (err != MG_OK)
			return err;
		kv->value = normal;
		kv->value_len = strlen(normal);
	}
	return MG_OK;
}

/* Checks one value of field i: MG_OK, or MG_ERR_INPUT with the 400 made. */
static enum mg_err check_value(struct mg_ctx *ctx, size_t i, const char *value)
{
	const struct mg_field *f = &ctx->match.route->fields[i];
	if (f->max_len > 0 && strlen(value) > f->max_len) {
		field_error(ctx, N_("Field '{field}' is too long."), f);
		return MG_ERR_INPUT;
	}
	if (mg_router_field_ok(&ctx->match, i, value) != MG_OK) {
		field_error(ctx, N_("Field '{field}' has an invalid value."), f);
		return MG_ERR_INPUT;
	}
	return MG_OK;
}

/* Normalises and checks the route's declared fields before its handler runs: every value
 * sent under a declared name (a repeated field's each one), after NFKC where the field wants it. */
static enum mg_err validate_fields(struct mg_ctx *ctx)
{
	const struct mg_field *fields = ctx->match.route->fields;
	for (size_t i = 0; fields != NULL && fields[i].name != NULL; i++) {
		const struct mg_field *f = &fields[i];
		if (normalise_field(ctx, f) != MG_OK) {
			field_error(ctx, N_("Field '{field}' has an invalid value."), f);
			return MG_ERR_INPUT;
		}
		const struct mg_kvlist *list = f->source == MG_FROM_FORM ? &ctx->form : &ctx->query;
		int given = 0;
		for (size_t k = 0; k < list->n; k++) {
			if (!field_name_is(f, list->items[k].key) || list->items[k].value[0] == '\0')
				continue;
			given = 1;
			if (check_value(ctx, i, list->items[k].value) != MG_OK)
				return MG_ERR_INPUT;
		}
		if (!given && f->required) {
			field_error(ctx, N_("Field '{field}' is required."), f);
			return MG_ERR_INPUT;
		}
	}
	return MG_OK;
}

static void run_handler(struct mg_ctx *ctx)
{
	enum mg_err err = ctx->match.route->handler(ctx);
	if (ctx->undeclared != NULL && ctx->app->cfg->strict_fields) {
		mg_error(ctx, 500, mg_arena_printf(ctx->arena, "undeclared field '%s' (strict_fields)", ctx->undeclared));
		return;
	}
	if (err == MG_OK && ctx->answered)
		return;
	if (err != MG_OK)
		mg_log_warn("http: %s handler for %s answered %s", ctx->match.owner, ctx->match.route->pattern,
			    mg_strerror(err));
	switch (err) {
	case MG_ERR_DB_GONE:
	case MG_ERR_DB_BUSY:
		mg_error(ctx, 503, NULL);
		break;
	case MG_ERR_NOT_FOUND:
		mg_error(ctx, 404, NULL);
		break;
	case MG_ERR_INPUT:
		mg_error(ctx, 400, ctx->input_msgid);
		break;
	case MG_ERR_TOO_LARGE:
		mg_error(ctx, 413, NULL);
		break;
	case MG_ERR_CONFLICT:
		mg_error(ctx, 409, NULL);
		break;
	case MG_ERR_EXPIRED:
		mg_error(ctx, 410, NULL);
		break;
	default:
		mg_error(ctx, 500, NULL);
		break;
	}
}

static int path_ok(const char *path)
{
	if (path == NULL || path[0] != '/')
		return 0;
	for (const char *c = path; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return 0;
	return mg_utf8_valid(path, strlen(path));
}

bool mg_staff_may(const struct mg_ctx *ctx, const char *permission)
{
	return ctx->staff != NULL && mg_permission_allows(ctx->staff->role, permission);
}

/* ---- phases ---- */

const struct mg_route *mg_ctx_route(const struct mg_ctx *ctx) { return ctx->match.route; }
const char *mg_ctx_route_owner(const struct mg_ctx *ctx) { return ctx->match.owner; }
void mg_ctx_set_tenant(struct mg_ctx *ctx, const struct mg_tenant *tenant) { ctx->tenant = tenant; }
void mg_ctx_set_session(struct mg_ctx *ctx, const struct mg_session *session) { ctx->session = session; }
void mg_ctx_set_staff(struct mg_ctx *ctx, const struct mg_staff *staff) { ctx->staff = staff; }
void mg_ctx_set_operator(struct mg_ctx *ctx, const struct mg_operator *operator) { ctx->operator = operator; }
void mg_ctx_set_bearer(struct mg_ctx *ctx, uint64_t token_id) { ctx->bearer_id = token_id; }
uint64_t mg_ctx_bearer(const struct mg_ctx *ctx) { return ctx->bearer_id; }

enum { MAX_PHASE_CHECKS = 8 };

static struct {
	const char *name;
	mg_phase_fn fn;
} phase_checks[MG_PHASE__MAX][MAX_PHASE_CHECKS];
static size_t nphase_checks[MG_PHASE__MAX];

enum mg_err mg_http_phase_add(enum mg_phase phase, const char *name, mg_phase_fn fn)
{
	if (phase >= MG_PHASE__MAX || fn == NULL || nphase_checks[phase] == MAX_PHASE_CHECKS)
		return MG_ERR_CONFIG;
	phase_checks[phase][nphase_checks[phase]].name = name;
	phase_checks[phase][nphase_checks[phase]].fn = fn;
	nphase_checks[phase]++;
	return MG_OK;
}

void mg_http_phases_clear(void)
{
	memset(nphase_checks, 0, sizeof(nphase_checks));
}

/* Runs the checks of one phase in order; 0 when one of them answered. */
static int run_phase(struct mg_ctx *ctx, enum mg_phase phase)
{
	for (size_t i = 0; i < nphase_checks[phase]; i++)
		if (phase_checks[phase][i].fn(ctx) == MG_PHASE_ANSWERED)
			return 0;
	return 1;
}

/* Everything before the handler; returns 0 when an error answer was already made. */
static int prepare(struct mg_ctx *ctx, const struct mg_http_io *io)
{
	const struct mg_config *cfg = ctx->app->cfg;
	struct mg_limits limits = { cfg->max_fields, cfg->max_key, cfg->max_value };
	enum mg_input_problem problem = MG_INPUT_OK;
	enum mg_err err;

	const char *cookie_header = mg_cgi_param(ctx, "HTTP_COOKIE");
	if (cookie_header != NULL &&
	    (err = mg_cookie_parse(ctx->arena, cookie_header, &limits, &ctx->cookies, &problem)) != MG_OK) {
		ctx->lang = mg_lang_pick(NULL, mg_cgi_param(ctx, "HTTP_ACCEPT_LANGUAGE"));
		input_error(ctx, err, problem);
		return 0;
	}
	ctx->lang = mg_lang_pick(mg_cookie(ctx, "lang"), mg_cgi_param(ctx, "HTTP_ACCEPT_LANGUAGE"));
	if (!path_ok(ctx->path)) {
		ctx->path = "/";
		mg_error(ctx, 400, N_("The address contains characters that are not allowed."));
		return 0;
	}
	const char *qs = mg_cgi_param(ctx, "QUERY_STRING");
	if (qs != NULL && (err = mg_form_parse(ctx->arena, qs, strlen(qs), &limits, &ctx->query, &problem)) != MG_OK) {
		input_error(ctx, err, problem);
		return 0;
	}
	char allow[64];
	enum mg_route_result found = mg_router_match(ctx->app->router, ctx->arena, ctx->method, ctx->path, &ctx->match,
						      allow, sizeof(allow));
	if (found == MG_ROUTE_NOT_FOUND) {
		mg_error(ctx, 404, NULL);
		return 0;
	}
	if (found == MG_ROUTE_BAD_METHOD || !method_handled(ctx->method)) {
		if (allow[0] != '\0')
			mg_header(ctx, "Allow", allow);
		mg_error(ctx, 405, NULL);
		return 0;
	}
	if (!run_phase(ctx, MG_PHASE_ROUTE))
		return 0;
	if ((err = read_body(ctx, io)) != MG_OK) {
		mg_error(ctx, err == MG_ERR_TOO_LARGE ? 413 : 400, NULL);
		return 0;
	}
	if (decode_body(ctx, &limits) != MG_OK)
		return 0;
	/* CSRF and access before field checks: a forged or anonymous request learns nothing */
	if (!run_phase(ctx, MG_PHASE_AUTHENTICATE) || !run_phase(ctx, MG_PHASE_CSRF) || !run_phase(ctx, MG_PHASE_ACCESS))
		return 0;
	return validate_fields(ctx) == MG_OK;
}

static void write_response(struct mg_ctx *ctx, const struct mg_http_io *io)
{
	struct mg_buf head;
	mg_buf_init(&head);
	const struct status_info *info = status_info(ctx->status);
	mg_buf_printf(&head, "Status: %d %s\r\n", ctx->status, info->reason);
	if (ctx->content_type != NULL)
		mg_buf_printf(&head, "Content-Type: %s\r\n", ctx->content_type);
	mg_buf_printf(&head, "Content-Length: %zu\r\n", ctx->out.len);
	for (int i = 0; security_headers[i][0] != NULL; i++)
		mg_buf_printf(&head, "%s: %s\r\n", security_headers[i][0], security_headers[i][1]);
	int has_cache_control = 0;
	for (struct header *h = ctx->headers; h != NULL; h = h->next) {
		mg_buf_printf(&head, "%s: %s\r\n", h->name, h->value);
		has_cache_control |= strcasecmp(h->name, "Cache-Control") == 0;
	}
	/* pages may show personal data: nothing is cached unless a handler says so */
	if (!has_cache_control)
		mg_buf_puts(&head, "Cache-Control: no-store\r\n");
	mg_buf_printf(&head, "X-Request-Id: %s\r\n\r\n", mg_log_request_id());
	int ok = io->write(io->io_ctx, head.data, head.len) >= 0;
	if (ok && strcmp(ctx->method, "HEAD") != 0 && ctx->out.len > 0)
		ok = io->write(io->io_ctx, ctx->out.data, ctx->out.len) >= 0;
	if (!ok)
		mg_log_warn("http: the client went away before the answer was written");
	mg_buf_free(&head);
}

void mg_http_handle(const struct mg_app *app, struct mg_db *db, struct mg_arena *arena, const struct mg_http_io *io)
{
	struct timespec start, end;
	clock_gettime(CLOCK_MONOTONIC, &start);
	struct mg_ctx ctx = { .app = app, .db = db, .arena = arena, .envp = io->envp, .lang = "ja" };
	mg_buf_init(&ctx.out);
	char rid_buf[40];
	mg_log_set_request_id(request_id(&ctx, rid_buf, sizeof(rid_buf)));
	ctx.method = mg_cgi_param(&ctx, "REQUEST_METHOD");
	if (ctx.method == NULL)
		ctx.method = "GET";
	ctx.path = mg_cgi_param(&ctx, "DOCUMENT_URI");
	if (ctx.path == NULL)
		ctx.path = mg_cgi_param(&ctx, "SCRIPT_NAME");

	if (prepare(&ctx, io))
		run_handler(&ctx);
	if (!ctx.answered)
		mg_error(&ctx, 500, NULL);
	write_response(&ctx, io);

	clock_gettime(CLOCK_MONOTONIC, &end);
	double ms = (double)(end.tv_sec - start.tv_sec) * 1e3 + (double)(end.tv_nsec - start.tv_nsec) / 1e6;
	mg_log_info("%s %.200s %d %.1fms", ctx.method, ctx.path ? ctx.path : "-", ctx.status, ms);
	mg_buf_free(&ctx.out);
	mg_log_set_request_id(NULL);
}
