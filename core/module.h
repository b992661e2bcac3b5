/*
 * The one interface between the core and a plug-in module (tickets, rentals, lessons, and
 * any later one). A module is a shared object exporting exactly one symbol:
 *
 *     const struct mg_module mg_module = { .abi = MG_MODULE_ABI, .name = "tickets", ... };
 *
 * and it calls back into the core only through the functions declared here.
 */
#ifndef MG_MODULE_H
#define MG_MODULE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "arena.h"
#include "buf.h"
#include "cart.h"
#include "csv.h"
#include "db.h"
#include "err.h"
#include "inventory.h"
#include "log.h"
#include "order.h"

/* Marks an English msgid for the catalogs; mg_tr() translates it when the page is made. */
#ifndef N_
#define N_(msgid) (msgid)
#endif

/* Raised whenever struct mg_module or anything it points to changes layout or meaning.
 * 3: mg_db_exec() takes a statement handle (a pointer into the module's table), not a name. */
#define MG_MODULE_ABI 3u

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

/* A periodic job run by `madoguchi jobs`. */
struct mg_job {
	const char *name;     /* "<module>.<what>" */
	const char *schedule; /* "every 1m", "daily 03:00" (JST) */
	enum mg_err (*run)(struct mg_db *db, struct mg_arena *arena, time_t now);
};

/* An operator command of a module, run as `madoguchi <module> <name> ARGS…` with the
 * application loaded and db connected as the application account. argv[0] is name; returns
 * the process's exit status; messages go to stdout/stderr. */
struct mg_command {
	const char *name;  /* "import-map" */
	const char *usage; /* the arguments, one line: "--tenant SLUG --venue ID FILE" */
	int (*run)(struct mg_db *db, int argc, char **argv);
};

/* Staff roles, as a bit set in permissions. */
enum { MG_ROLE_ADMIN = 1, MG_ROLE_GENERAL = 2, MG_ROLE_RESTRICTED = 4, MG_ROLE_ALL = 7 };

/* A permission a route can require, and the roles that have it. */
struct mg_permission {
	const char *name;  /* "<module>.<what>", e.g. "tickets.checkin" */
	unsigned roles;    /* MG_ROLE_* bits */
	const char *label; /* English msgid for the staff pages */
};

/* A back-office menu entry. */
struct mg_nav {
	const char *label; /* English msgid */
	const char *path;  /* below /<slug>/admin */
	const char *permission;
};

struct mg_module {
	unsigned abi;                   /* MG_MODULE_ABI the module was built with */
	const char *name;               /* equals the name in madoguchi.conf */
	const char *version;
	const struct mg_route *routes;  /* ended by a { NULL } entry */
	const char *migrations;         /* folder under schema/, usually the name */
	const struct mg_sql *statements;/* indexed by the module's enum, ended by a { NULL, NULL } entry
					 * (core/db/db.h); checked by `madoguchi check-statements` */
	const struct mg_job *jobs;      /* ended by a { NULL } entry */
	const struct mg_nav *nav;       /* ended by a { NULL } entry */
	const struct mg_permission *permissions; /* ended by a { NULL } entry */
	/* Deletes every row of the tenant in the module's tables (the 30-day purge). */
	enum mg_err (*purge_tenant)(struct mg_db *db, uint64_t tenant_id);
	/* Operator commands, `madoguchi <module> <command> …`; ended by a { NULL } entry; may be
	 * NULL. (Took the first reserved slot: a module built before reads as having none.) */
	const struct mg_command *commands;
	void *reserved[7];              /* room to grow without an ABI change */
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

/* ---- carts and orders (core/cart.h, core/order.h, core/payment.c) ---- */

/* (the clock, mg_now, is in the "back office" block below) */

/* A new open cart of the request's tenant (the logged-in customer's on public pages, the
 * staff member's in the back office); token receives the buyer's key to it. */
enum mg_err mg_cart_new(struct mg_ctx *ctx, char token[MG_CART_TOKEN_CHARS + 1], struct mg_cart *out);
/* Holds units in the cart, all or nothing (see struct mg_cart_add); MG_ERR_CONFLICT lists the
 * units that were not free in out->unavailable, MG_ERR_EXPIRED when the cart's hold lapsed. */
enum mg_err mg_cart_put(struct mg_ctx *ctx, const char *token, const struct mg_cart_add *add, struct mg_cart_added *out);
/* Takes one unit out of the cart and frees it. */
enum mg_err mg_cart_take_out(struct mg_ctx *ctx, const char *token, const char *kind, uint64_t resource, uint32_t unit);
/* The cart, its items, total and expiry. */
enum mg_err mg_cart_get(struct mg_ctx *ctx, const char *token, struct mg_cart_view *out);
/* Abandons the cart and frees its units. */
enum mg_err mg_cart_drop(struct mg_ctx *ctx, const char *token);
/* Checkout, order look-up, payment outcomes, cancellation and the unpaid expiry: order.h
 * (mg_order_checkout, mg_order_find, mg_order_payment_result, mg_order_cancel,
 * mg_orders_expire_due); money and time for people: mg_yen, mg_jst. */
/* The English msgid naming a payment method ("box_office" → "Pay at the box office"), or NULL
 * for a method that does not exist. */
const char *mg_payment_method_label(const char *name);

/* ---- e-tickets: the QR code of a signed code (core/crypto.c) ---- */

/* The dark modules of text's QR code as one SVG path "d" (arena) and *size, the width in
 * modules with the quiet zone: draw <svg viewBox="0 0 size size"><path d="…"/></svg>. */
enum mg_err mg_qr_svg_path(const char *text, struct mg_arena *arena, int *size, const char **path_d);

/* ---- gate: check-in and the back office's orders (issue 4) ---- */

/* (the back-office frame, mg_admin_page/mg_admin_path, and mg_form_values: see the
 * "back office" block below) */
/* A sealed buyer column of orders ("buyer_name" or "buyer_email") opened with the tenant's
 * key (arena), or NULL when it is NULL or does not open (core/order_admin.c). */
const char *mg_order_buyer_text(struct mg_ctx *ctx, const char *column, const void *sealed, size_t len);
/* The value of orders.buyer_email_hmac for a typed address (normalised as at checkout);
 * MG_ERR_INPUT when it is not an e-mail address. */
enum mg_err mg_order_email_key(struct mg_ctx *ctx, const char *typed, char hmac[65]);
/* CSV exports (UTF-8 BOM, CRLF, formula guard): core/csv.h, mg_csv_begin/field/int/end_row. */
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

/* ---- back office (module pages), rendering without answering, shipped schema files, what
 *      module commands need ---- */

/* "/<slug>/admin<rest>", in the request's arena. */
const char *mg_admin_path(struct mg_ctx *ctx, const char *rest);
/* The data every back-office page starts from: title (translated), menu, logout form, home;
 * the page's template includes "core/admin_nav". */
json_t *mg_admin_page(struct mg_ctx *ctx, const char *title_msgid);
/* Renders a template into out (appended; the caller frees it) in the request's language,
 * without answering: an SVG image, a fragment. Takes ownership of data. */
enum mg_err mg_render_to(struct mg_ctx *ctx, const char *template_name, json_t *data, struct mg_buf *out);
/* Every value of a repeated form field (checkboxes "seat=3&seat=7"), in the order sent; the
 * array (NULL-terminated) in the arena. mg_form() gives only the first. */
size_t mg_form_values(struct mg_ctx *ctx, const char *name, const char ***values);
/* The clock of the application (the tests move it), as for core/inventory's now. */
time_t mg_now(void);
/* The configured schema folder (schema_dir: migrations, and files such as seatmap.rng). */
const char *mg_schema_dir(void);
/* The id of the tenant with this slug (for commands; routes have mg_tenant_id): MG_ERR_NOT_FOUND
 * when there is none. */
enum mg_err mg_tenant_lookup(struct mg_db *db, struct mg_arena *arena, const char *slug, uint64_t *id);
/* Appends a successful event to the tenant's audit log for a command (actor e.g. "cli"), in the
 * caller's transaction (mg_db_transaction). */
enum mg_err mg_audit_command(struct mg_db *db, struct mg_arena *arena, uint64_t tenant_id, const char *actor,
			     const char *action, const char *object, const char *detail);

/* ---- web: the public buying pages (issue 4, item 4; core/buyer.c) ---- */

/* The logged-in customer's name, e-mail address and phone ("" for what is unknown), to
 * prefill a checkout form; MG_ERR_NOT_FOUND when no customer is logged in. Strings in the
 * arena. */
enum mg_err mg_customer_contact(struct mg_ctx *ctx, const char **name, const char **email, const char **phone);
/* Whether typed is an e-mail address a checkout accepts (as mg_order_checkout checks it). */
bool mg_email_acceptable(const char *typed);

#endif
