/*
 * One request from nginx to the answer: CGI parameters, strict decoding with limits, the
 * route, field validation, the handler, security headers, the error pages. Independent of
 * FastCGI: serve.c hands it the parameters and two I/O callbacks.
 */
#ifndef MG_HTTP_H
#define MG_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "db.h"
#include "migrate.h"
#include "request.h"
#include "router.h"
#include "template.h"

/* Everything a worker shares between requests; built by the master before forking. */
struct mg_app {
	const struct mg_config *cfg;
	struct mg_router *router;
	struct mg_templates *templates;
	struct mg_migration_list migrations;
	unsigned char master_key[32]; /* wraps the tenants' data keys; loaded at start */
};

struct mg_tenant;
struct mg_session;
struct mg_staff;
struct mg_operator;

struct mg_http_io {
	char **envp; /* "NAME=value" CGI parameters, NULL-terminated */
	/* reads up to len body bytes; 0 at the end, -1 on error */
	int (*read)(void *io_ctx, char *buf, int len);
	/* writes len bytes of the response; -1 on error */
	int (*write)(void *io_ctx, const char *buf, size_t len);
	void *io_ctx;
};

/* Answers one request. arena is reset by the caller afterwards. */
void mg_http_handle(const struct mg_app *app, struct mg_db *db, struct mg_arena *arena,
		    const struct mg_http_io *io);

/* Work a core handler leaves for after its answer has been sent (a payment provider calling
 * the shop back): fn runs in the same worker with its connection once the response is
 * flushed; arg must live in the request's arena or longer. */
typedef void (*mg_deferred_fn)(const struct mg_app *app, struct mg_db *db, struct mg_arena *arena, void *arg);
enum mg_err mg_http_defer(struct mg_ctx *ctx, mg_deferred_fn fn, void *arg);
/* Runs (and forgets) what the last request left; serve.c calls it after finishing a request. */
void mg_http_run_deferred(const struct mg_app *app, struct mg_db *db, struct mg_arena *arena);

/* ---- phases: what runs between finding the route and calling its handler ----
 *
 * The dispatcher runs the phases in this order; the layers above register their checks into
 * them (core/web/phases.c), the way nginx's access and auth modules register into its access
 * phase, so http/ names no feature. Field validation is the dispatcher's own last phase. */
enum mg_phase {
	MG_PHASE_ROUTE,        /* the route is known, the body not yet read: maintenance, tenant */
	MG_PHASE_AUTHENTICATE, /* who is calling: session cookies, bearer tokens */
	MG_PHASE_CSRF,         /* whether a state-changing request comes from our own pages */
	MG_PHASE_ACCESS,       /* whether the caller may use the route */
	MG_PHASE__MAX
};
enum mg_phase_result {
	MG_PHASE_NEXT,     /* go on with the next check */
	MG_PHASE_ANSWERED, /* the check has answered (an error, a redirect): stop here */
};
typedef enum mg_phase_result (*mg_phase_fn)(struct mg_ctx *ctx);
/* Appends fn to a phase; checks run in the order added. MG_ERR_CONFIG when the table is full. */
enum mg_err mg_http_phase_add(enum mg_phase phase, const char *name, mg_phase_fn fn);
/* Forgets every registered check (tests). */
void mg_http_phases_clear(void);

/* What phases read and set. The rows set live at least as long as the request (its arena). */
const struct mg_route *mg_ctx_route(const struct mg_ctx *ctx);
/* "core" or the name of the module whose route this is. */
const char *mg_ctx_route_owner(const struct mg_ctx *ctx);
void mg_ctx_set_tenant(struct mg_ctx *ctx, const struct mg_tenant *tenant);
void mg_ctx_set_session(struct mg_ctx *ctx, const struct mg_session *session);
void mg_ctx_set_staff(struct mg_ctx *ctx, const struct mg_staff *staff);
void mg_ctx_set_operator(struct mg_ctx *ctx, const struct mg_operator *operator);
/* The staff API token that authenticated the request (its id), 0 for none. */
void mg_ctx_set_bearer(struct mg_ctx *ctx, uint64_t token_id);
uint64_t mg_ctx_bearer(const struct mg_ctx *ctx);
/* Who the audit log names as the request's actor: "staff:3", "operator:1", "customer:8" or
 * "anonymous" (arena). */
const char *mg_ctx_audit_actor(struct mg_ctx *ctx);
/* Whether the answer should be JSON: API paths, /healthz, or Accept: application/json. */
bool mg_wants_json(const struct mg_ctx *ctx);

/* For the core's own pages. */
const struct mg_app *mg_ctx_app(const struct mg_ctx *ctx);
const struct mg_tenant *mg_ctx_tenant(const struct mg_ctx *ctx);
const struct mg_session *mg_ctx_session(const struct mg_ctx *ctx);
const struct mg_staff *mg_ctx_staff(const struct mg_ctx *ctx);
/* The logged-in operator of a console request: 0 / NULL when none. */
uint64_t mg_operator_id(const struct mg_ctx *ctx);
const struct mg_operator *mg_ctx_operator(const struct mg_ctx *ctx);
/* The tenant's data key (unwrapped once per request), or NULL. */
const unsigned char *mg_ctx_tenant_key(struct mg_ctx *ctx);

#endif
