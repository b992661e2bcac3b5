/*
 * A request as handlers see it: the route and field tables a layer registers, reading the
 * request, and answering it. Implemented by core/http/http.c; modules see it through
 * core/module.h, which includes it.
 */
#ifndef MG_REQUEST_H
#define MG_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "arena.h"
#include "buf.h"
#include "db.h"
#include "err.h"
#include "i18n.h"

struct mg_ctx; /* one request being answered; opaque */

typedef enum mg_err (*mg_handler_fn)(struct mg_ctx *ctx);

enum mg_field_source { MG_FROM_QUERY, MG_FROM_FORM };

/* A field a route reads; checked by the core before the handler runs (kcgi kvalid). */
struct mg_field {
	const char *name;
	enum mg_field_source source;
	const char *pattern; /* PCRE2 the whole value must match; NULL accepts any text */
	bool required;
	size_t max_len;      /* bytes; 0 leaves only the global limit */
	const char *label;   /* English msgid naming the field in messages */
};

/* Where a route's pattern is anchored. */
enum mg_route_scope {
	MG_SCOPE_PLATFORM, /* the pattern is the whole path: "/healthz" */
	MG_SCOPE_TENANT,   /* below "/<slug>": public pages of a tenant */
	MG_SCOPE_ADMIN,    /* below "/<slug>/admin": the back office */
	MG_SCOPE_OPERATOR, /* below "/_operator": the platform operator console */
};

struct mg_route {
	const char *method;  /* "GET" (also answers HEAD), "POST", "PUT", "PATCH", "DELETE" */
	const char *pattern; /* PCRE2 matched against the whole rest of the path; named groups
			      * "(?<id>[0-9]+)" are read with mg_param() */
	mg_handler_fn handler;
	enum mg_route_scope scope;
	const char *permission;        /* NULL: anyone may call it */
	const struct mg_field *fields; /* ended by a { NULL } entry; NULL for none */
	const char *summary;           /* one line: who calls it and what it changes */
};

/* ---- reading the request ---- */

const char *mg_method(const struct mg_ctx *ctx);
const char *mg_path(const struct mg_ctx *ctx);
/* A named group of the route pattern, or NULL. */
const char *mg_param(const struct mg_ctx *ctx, const char *name);
/* A field of the query string or of the urlencoded body, or NULL. Declared fields are
 * already validated when the handler runs. */
const char *mg_query(const struct mg_ctx *ctx, const char *name);
const char *mg_form(const struct mg_ctx *ctx, const char *name);
const char *mg_cookie(const struct mg_ctx *ctx, const char *name);
/* A raw FastCGI parameter such as "HTTP_USER_AGENT" or "REMOTE_ADDR", or NULL. */
const char *mg_cgi_param(const struct mg_ctx *ctx, const char *name);
/* The language of the answer ("ja" or "en") and a translation of an English msgid into it. */
const char *mg_lang(const struct mg_ctx *ctx);
const char *mg_tr(const struct mg_ctx *ctx, const char *msgid);
/* The raw request body (JSON APIs), or NULL; *len receives its length. */
const char *mg_body(const struct mg_ctx *ctx, size_t *len);
/* Memory freed after the response. */
struct mg_arena *mg_arena(struct mg_ctx *ctx);
/* The tenant of a tenant or back-office route (from the URL): 0 / NULL on platform routes. */
uint64_t mg_tenant_id(const struct mg_ctx *ctx);
const char *mg_tenant_slug(const struct mg_ctx *ctx);
const char *mg_tenant_name(const struct mg_ctx *ctx);
/* The logged-in staff member of a back-office request: 0 / NULL when none. */
uint64_t mg_staff_id(const struct mg_ctx *ctx);
const char *mg_staff_role(const struct mg_ctx *ctx);
/* The logged-in customer (table person) of a tenant's public page: 0 when none. */
uint64_t mg_customer_id(const struct mg_ctx *ctx);
/* The CSRF token a form must carry in its hidden "csrf" field (page data has it as "csrf"). */
const char *mg_csrf_token(struct mg_ctx *ctx);
/* Appends a row to the tenant's audit log (actor, IP and user agent from the request);
 * outcome is "success", "failure" or "denied". */
enum mg_err mg_audit(struct mg_ctx *ctx, const char *action, const char *object, const char *outcome,
		     const char *detail);
/* The worker's database connection. */
struct mg_db *mg_ctx_db(struct mg_ctx *ctx);

/* ---- signed codes (e-tickets; core/signing.c) ---- */

/* Signs payload (printable ASCII without '.', at most 160 bytes) with the request's tenant's
 * Ed25519 key: *code = "<payload>.<signature>" (arena). */
enum mg_err mg_sign_code(struct mg_ctx *ctx, const char *payload, const char **code);
/* Checks a code against the request's tenant's public key: MG_OK and *payload (arena), or
 * MG_ERR_INPUT for anything malformed, forged or altered. */
enum mg_err mg_verify_code(struct mg_ctx *ctx, const char *code, const char **payload);

/* Whether the request's staff member holds permission (to offer only the buttons they may use). */
bool mg_staff_may(const struct mg_ctx *ctx, const char *permission);

/* ---- answering ---- */

/* Renders a template (e.g. "core/landing") with data; takes ownership of data. */
enum mg_err mg_render(struct mg_ctx *ctx, int status, const char *template_name, json_t *data);
/* Answers with a JSON body; takes ownership of body. */
enum mg_err mg_json(struct mg_ctx *ctx, int status, json_t *body);
/* An error page (HTML, or JSON under /api/) with an English msgid explaining it. */
enum mg_err mg_error(struct mg_ctx *ctx, int status, const char *msgid);
enum mg_err mg_redirect(struct mg_ctx *ctx, int status, const char *location);
/* Percent-encodes all but RFC 3986 unreserved characters and '/' (for a query value). */
const char *mg_url_encode(struct mg_arena *arena, const char *s);
/* Answers with body as it is (a CSV export, a download), taking over its memory: body is left
 * empty. content_type e.g. "text/csv; charset=utf-8". */
enum mg_err mg_send(struct mg_ctx *ctx, int status, const char *content_type, struct mg_buf *body);
/* Adds a response header; refuses names or values with control characters. */
enum mg_err mg_header(struct mg_ctx *ctx, const char *name, const char *value);
/* Sets a cookie for the whole site (Path=/; Secure; HttpOnly; SameSite=Lax); max_age in
 * seconds, 0 deletes it. */
enum mg_err mg_set_cookie(struct mg_ctx *ctx, const char *name, const char *value, long max_age);

/* ---- rendering without answering, repeated fields ---- */

/* Renders a template into out (appended; the caller frees it) in the request's language,
 * without answering: an SVG image, a fragment. Takes ownership of data. */
enum mg_err mg_render_to(struct mg_ctx *ctx, const char *template_name, json_t *data, struct mg_buf *out);
/* Every value of a repeated form field (checkboxes "seat=3&seat=7"), in the order sent; the
 * array (NULL-terminated) in the arena. mg_form() gives only the first. */
size_t mg_form_values(struct mg_ctx *ctx, const char *name, const char ***values);
#endif
