/*
 * One request from nginx to the answer: CGI parameters, strict decoding with limits, the
 * route, field validation, the handler, security headers, the error pages. Independent of
 * FastCGI: serve.c hands it the parameters and two I/O callbacks.
 */
#ifndef MG_HTTP_H
#define MG_HTTP_H

#include <stddef.h>

#include "config.h"
#include "db.h"
#include "migrate.h"
#include "module.h"
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

/* For the core's own pages. */
const struct mg_app *mg_ctx_app(const struct mg_ctx *ctx);
const struct mg_tenant *mg_ctx_tenant(const struct mg_ctx *ctx);
const struct mg_session *mg_ctx_session(const struct mg_ctx *ctx);
const struct mg_staff *mg_ctx_staff(const struct mg_ctx *ctx);
/* The tenant's data key (unwrapped once per request), or NULL. */
const unsigned char *mg_ctx_tenant_key(struct mg_ctx *ctx);

#endif
