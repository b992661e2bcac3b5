/*
 * The PCRE2 router: every route of the core and of each module, compiled once at start
 * (with JIT), matched against the request path. A path that matches with another method
 * answers 405 with the Allow list; no match answers 404.
 */
#ifndef MG_ROUTER_H
#define MG_ROUTER_H

#include <stddef.h>

#include "arena.h"
#include "err.h"
#include "request.h"

enum { MG_ROUTE_MAX_PARAMS = 8 };

struct mg_router;

struct mg_route_match {
	const struct mg_route *route;
	const char *owner; /* "core" or the module name */
	size_t nparams;
	const char *names[MG_ROUTE_MAX_PARAMS];
	const char *values[MG_ROUTE_MAX_PARAMS]; /* owned by the arena given to the match */
	const void *compiled; /* the router's entry, for mg_router_field_ok() */
};

enum mg_route_result { MG_ROUTE_FOUND, MG_ROUTE_NOT_FOUND, MG_ROUTE_BAD_METHOD };

struct mg_router *mg_router_new(void);
void mg_router_free(struct mg_router *router);
/* Compiles a route table (ended by a { NULL } entry) owned by owner; errbuf names a bad pattern. */
enum mg_err mg_router_add(struct mg_router *router, const char *owner, const struct mg_route *routes,
			  char *errbuf, size_t errlen);
/*
 * Finds the route for method and path. On MG_ROUTE_BAD_METHOD, allow receives the methods
 * that would have matched ("GET, HEAD, POST"). path must be valid UTF-8.
 */
enum mg_route_result mg_router_match(const struct mg_router *router, struct mg_arena *arena, const char *method,
				     const char *path, struct mg_route_match *match, char *allow, size_t allowlen);

/* Checks value against the pattern of field i of the matched route: MG_OK or MG_ERR_INPUT. */
enum mg_err mg_router_field_ok(const struct mg_route_match *match, size_t i, const char *value);

/* Calls fn for every route, in the order added (tests walk the route table with it). */
typedef void (*mg_route_visit_fn)(void *arg, const char *owner, const struct mg_route *route, const char *full_pattern);
void mg_router_each(const struct mg_router *router, mg_route_visit_fn fn, void *arg);

#endif
