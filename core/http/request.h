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
#include "input.h"
#include "tz.h"

struct mg_ctx; /* one request being answered; opaque */

typedef enum mg_err (*mg_handler_fn)(struct mg_ctx *ctx);

enum mg_field_source { MG_FROM_QUERY, MG_FROM_FORM };

/* What the core does to a value before checking it against the field's pattern; the handler
 * reads the result. */
enum mg_field_text {
	/* NFKC (core/base/input.c): full-width digits, Latin letters, hyphens and the ideographic
	 * space become ASCII, half-width katakana full-width: "０９０-１２３４-５６７８" is
	 * "090-1234-5678". The default: numbers, codes typed by people, names, e-mail addresses. */
	MG_TEXT_NFKC = 0,
	/* NFKC, then the commas of a thousands grouping dropped: "５，０００" and "2,500" are
	 * "5000" and "2500". Prices, fees, amounts of money, counts. */
	MG_TEXT_AMOUNT,
	/* Exactly as sent. Secrets compared byte for byte (passwords, tokens, TOTP set-up keys),
	 * signed codes (a normalised code is not the one that was signed), return addresses,
	 * uploaded documents and free text where NFKC would change what was written ("①" → "1",
	 * "㌔" → "キロ", "㈱" → "(株)"): titles, descriptions, notices, names of things. */
	MG_TEXT_RAW,
};

/*
 * A field a route reads; the core normalises and checks it before the handler runs (kcgi
 * kvalid). A handler can read only what its route declares: mg_query()/mg_form() of any other
 * name give NULL and log "undeclared field", which fails ./scripts/test. A name ending in '*'
 * declares every name it begins ("price_*": a grid of price_0_0, price_0_1, …).
 */
struct mg_field {
	const char *name;
	enum mg_field_source source;
	const char *pattern; /* PCRE2 the whole value must match; NULL accepts any text */
	bool required;
	size_t max_len;      /* bytes (after normalisation); 0 leaves only the global limit */
	const char *label;   /* English msgid naming the field in messages */
	enum mg_field_text text; /* what is done to the value first (MG_TEXT_NFKC = 0) */
};

/* The entry that ends a field table. */
#define MG_FIELDS_END { NULL, MG_FROM_QUERY, NULL, false, 0, NULL, MG_TEXT_NFKC }
/* The fields of a route that reads none: every route declares its fields, and the router
 * refuses a route whose table is NULL. One copy per file that includes this header, so that
 * no data symbol is exported for it. */
static const struct mg_field mg_no_fields[] __attribute__((unused)) = { MG_FIELDS_END };
#define MG_NO_FIELDS mg_no_fields

/* A named group of a route pattern that holds an id: "/staff/" MG_ID_GROUP("id"). It takes any
 * text up to the next '/', so that a bad id ("abc", "0", "-1", "007", one too large) reaches
 * the handler, whose mg_param_id() answers 400 saying so, rather than a bare 404. A literal
 * sibling ("/staff/new") must come before it in the table. */
#define MG_ID_GROUP(name) "(?<" name ">[^/]{1,64})"

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
	const struct mg_field *fields; /* ended by MG_FIELDS_END; MG_NO_FIELDS when it reads none */
	const char *summary;           /* one line: who calls it and what it changes */
};

/* ---- reading the request ---- */

const char *mg_method(const struct mg_ctx *ctx);
const char *mg_path(const struct mg_ctx *ctx);
/* A named group of the route pattern, or NULL. */
const char *mg_param(const struct mg_ctx *ctx, const char *name);
/*
 * Ids from the request, parsed by mg_parse_id (core/base/input.h: digits, 1 to 2^63-1, no
 * sign, space or leading zero). MG_OK and *out; MG_ERR_INPUT (*out = 0) for anything else, and
 * the 400 the handler's MG_ERR_INPUT then makes says which id was wrong. mg_query_id and
 * mg_form_id answer MG_ERR_NOT_FOUND (*out = 0) when the field is absent or empty: an optional
 * id is simply not given (a handler passes that on only where 404 is meant).
 */
enum mg_err mg_param_id(struct mg_ctx *ctx, const char *name, uint64_t *out);
enum mg_err mg_query_id(struct mg_ctx *ctx, const char *name, uint64_t *out);
enum mg_err mg_form_id(struct mg_ctx *ctx, const char *name, uint64_t *out);
/* A declared field of the query string or of the urlencoded body (normalised and validated
 * before the handler runs), or NULL when absent — or undeclared, which is logged as a bug. */
const char *mg_query(const struct mg_ctx *ctx, const char *name);
const char *mg_form(const struct mg_ctx *ctx, const char *name);
/* For a page that shows a form again with what was typed: mg_form() when the request sent the
 * form (POST, …), NULL when the page is shown afresh by a GET, which has no form to read. */
const char *mg_form_typed(const struct mg_ctx *ctx, const char *name);
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
/* The zone the request's tenant shows and reads times in (tenant.time_zone, a zone of the tz
 * database); the platform's zone on platform routes. */
const char *mg_tenant_time_zone(const struct mg_ctx *ctx);
/* t in the request's tenant's zone in a style of tz.h, in the request's language (arena). */
const char *mg_time_text(struct mg_ctx *ctx, time_t t, enum mg_tz_style style);
/* The same for a UNIX_TIMESTAMP() cell: "" when it is NULL, empty or 0 (never set). */
const char *mg_time_cell(struct mg_ctx *ctx, const char *unix_seconds, enum mg_tz_style style);
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

/* ---- signed codes (e-tickets; core/tenant/signing.c) ---- */

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
