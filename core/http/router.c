#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "router.h"

struct compiled_route {
	const struct mg_route *route;
	const char *owner;
	char *full_pattern;
	pcre2_code *code;
	pcre2_code **fields; /* one per declared field; NULL where the field has no pattern */
	size_t nfields;
};

struct mg_router {
	struct compiled_route *routes;
	size_t n, cap;
	pcre2_match_data *match_data; /* shared: a worker matches one path at a time */
};

/* What each scope puts in front of a route's own pattern. */
static const char *const scope_prefix[] = {
	[MG_SCOPE_PLATFORM] = "",
	[MG_SCOPE_TENANT] = "/(?<tenant>[a-z0-9][a-z0-9-]{0,62})",
	[MG_SCOPE_ADMIN] = "/(?<tenant>[a-z0-9][a-z0-9-]{0,62})/admin",
	[MG_SCOPE_OPERATOR] = "/_operator",
};

struct mg_router *mg_router_new(void)
{
	struct mg_router *router = calloc(1, sizeof(*router));
	if (router == NULL)
		return NULL;
	router->match_data = pcre2_match_data_create(2 * MG_ROUTE_MAX_PARAMS + 2, NULL);
	if (router->match_data == NULL) {
		free(router);
		return NULL;
	}
	return router;
}

void mg_router_free(struct mg_router *router)
{
	if (router == NULL)
		return;
	for (size_t i = 0; i < router->n; i++) {
		pcre2_code_free(router->routes[i].code);
		free(router->routes[i].full_pattern);
		for (size_t f = 0; f < router->routes[i].nfields; f++)
			pcre2_code_free(router->routes[i].fields[f]);
		free(router->routes[i].fields);
	}
	free(router->routes);
	pcre2_match_data_free(router->match_data);
	free(router);
}

static const char *const known_methods[] = { "GET", "POST", "PUT", "PATCH", "DELETE", NULL };

static int method_known(const char *method)
{
	for (int i = 0; known_methods[i] != NULL; i++)
		if (strcmp(method, known_methods[i]) == 0)
			return 1;
	return 0;
}

/* "^(?:pattern)$" compiled for UTF-8 text, or NULL with errbuf filled. */
static pcre2_code *compile_anchored(const char *owner, const char *pattern, char *errbuf, size_t errlen)
{
	size_t len = strlen(pattern) + 8;
	char *full = malloc(len);
	if (full == NULL)
		return NULL;
	snprintf(full, len, "^(?:%s)$", pattern);
	int code_err;
	PCRE2_SIZE offset;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)full, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_NO_AUTO_CAPTURE,
					 &code_err, &offset, NULL);
	if (code == NULL) {
		PCRE2_UCHAR message[160];
		pcre2_get_error_message(code_err, message, sizeof(message));
		snprintf(errbuf, errlen, "%s: pattern %s: %s at offset %zu", owner, pattern, (char *)message,
			 (size_t)offset);
	} else {
		pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
	}
	free(full);
	return code;
}

static enum mg_err compile_fields(struct compiled_route *out, const char *owner, const struct mg_route *route,
				  char *errbuf, size_t errlen)
{
	out->nfields = 0;
	out->fields = NULL;
	if (route->fields == NULL) {
		snprintf(errbuf, errlen, "%s: route %s %s declares no fields: list the fields it reads (MG_NO_FIELDS "
			 "when it reads none)", owner, route->method, route->pattern);
		return MG_ERR_CONFIG;
	}
	size_t n = 0;
	while (route->fields[n].name != NULL)
		n++;
	out->fields = calloc(n + 1, sizeof(*out->fields));
	if (out->fields == NULL)
		return MG_ERR_NOMEM;
	out->nfields = n;
	for (size_t i = 0; i < n; i++) {
		if ((unsigned)route->fields[i].text > MG_TEXT_RAW) {
			snprintf(errbuf, errlen, "%s: route %s %s: field %s has an unknown text kind", owner, route->method,
				 route->pattern, route->fields[i].name);
			return MG_ERR_CONFIG;
		}
		if (route->fields[i].pattern == NULL)
			continue;
		out->fields[i] = compile_anchored(owner, route->fields[i].pattern, errbuf, errlen);
		if (out->fields[i] == NULL)
			return MG_ERR_CONFIG;
	}
	return MG_OK;
}

static enum mg_err compile_route(struct compiled_route *out, const char *owner, const struct mg_route *route,
				 char *errbuf, size_t errlen)
{
	if ((unsigned)route->scope > MG_SCOPE_OPERATOR || route->handler == NULL || !method_known(route->method)) {
		snprintf(errbuf, errlen, "%s: route %s %s: bad scope, method or missing handler", owner,
			 route->method, route->pattern);
		return MG_ERR_CONFIG;
	}
	size_t len = strlen(scope_prefix[route->scope]) + strlen(route->pattern) + 8;
	char *full = malloc(len);
	if (full == NULL)
		return MG_ERR_NOMEM;
	snprintf(full, len, "%s(?:%s)", scope_prefix[route->scope], route->pattern);
	pcre2_code *code = compile_anchored(owner, full, errbuf, errlen);
	if (code == NULL) {
		free(full);
		return MG_ERR_CONFIG;
	}
	uint32_t groups = 0;
	pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &groups);
	if (groups > MG_ROUTE_MAX_PARAMS) {
		snprintf(errbuf, errlen, "%s: route pattern %s has more than %d groups", owner, full,
			 MG_ROUTE_MAX_PARAMS);
		pcre2_code_free(code);
		free(full);
		return MG_ERR_CONFIG;
	}
	out->route = route;
	out->owner = owner;
	out->full_pattern = full;
	out->code = code;
	return compile_fields(out, owner, route, errbuf, errlen);
}

enum mg_err mg_router_add(struct mg_router *router, const char *owner, const struct mg_route *routes, char *errbuf,
			  size_t errlen)
{
	for (const struct mg_route *r = routes; r != NULL && r->method != NULL; r++) {
		if (router->n == router->cap) {
			size_t cap = router->cap ? router->cap * 2 : 32;
			struct compiled_route *grown = realloc(router->routes, cap * sizeof(*grown));
			if (grown == NULL)
				return MG_ERR_NOMEM;
			router->routes = grown;
			router->cap = cap;
		}
		/* counted before checking so mg_router_free() releases a half-compiled entry */
		memset(&router->routes[router->n], 0, sizeof(router->routes[0]));
		enum mg_err err = compile_route(&router->routes[router->n++], owner, r, errbuf, errlen);
		if (err != MG_OK)
			return err;
	}
	return MG_OK;
}

static int method_matches(const char *route_method, const char *method)
{
	return strcmp(route_method, method) == 0 || (strcmp(method, "HEAD") == 0 && strcmp(route_method, "GET") == 0);
}

static void append_allow(char *allow, size_t allowlen, const char *method)
{
	if (strstr(allow, method) != NULL)
		return;
	size_t used = strlen(allow);
	snprintf(allow + used, allowlen - used, "%s%s", used ? ", " : "", method);
	if (strcmp(method, "GET") == 0)
		append_allow(allow, allowlen, "HEAD");
}

static void collect_params(const struct compiled_route *cr, pcre2_match_data *md, const char *path,
			   struct mg_arena *arena, struct mg_route_match *match)
{
	uint32_t count = 0, entry_size = 0;
	PCRE2_SPTR table = NULL;
	PCRE2_SIZE *ovector = pcre2_get_ovector_pointer(md);
	pcre2_pattern_info(cr->code, PCRE2_INFO_NAMECOUNT, &count);
	pcre2_pattern_info(cr->code, PCRE2_INFO_NAMEENTRYSIZE, &entry_size);
	pcre2_pattern_info(cr->code, PCRE2_INFO_NAMETABLE, &table);
	match->nparams = 0;
	for (uint32_t i = 0; i < count && match->nparams < MG_ROUTE_MAX_PARAMS; i++) {
		PCRE2_SPTR entry = table + i * entry_size;
		int group = (entry[0] << 8) | entry[1];
		PCRE2_SIZE start = ovector[2 * group], end = ovector[2 * group + 1];
		if (start == PCRE2_UNSET)
			continue;
		match->names[match->nparams] = (const char *)entry + 2;
		match->values[match->nparams] = mg_arena_strndup(arena, path + start, end - start);
		match->nparams++;
	}
}

enum mg_route_result mg_router_match(const struct mg_router *router, struct mg_arena *arena, const char *method,
				     const char *path, struct mg_route_match *match, char *allow, size_t allowlen)
{
	enum mg_route_result result = MG_ROUTE_NOT_FOUND;
	size_t path_len = strlen(path);
	if (allowlen > 0)
		allow[0] = '\0';
	memset(match, 0, sizeof(*match));
	for (size_t i = 0; i < router->n; i++) {
		const struct compiled_route *cr = &router->routes[i];
		int rc = pcre2_match(cr->code, (PCRE2_SPTR)path, path_len, 0, PCRE2_NO_UTF_CHECK, router->match_data,
				     NULL);
		if (rc < 0)
			continue;
		if (!method_matches(cr->route->method, method)) {
			append_allow(allow, allowlen, cr->route->method);
			result = MG_ROUTE_BAD_METHOD;
			continue;
		}
		match->route = cr->route;
		match->owner = cr->owner;
		match->compiled = cr;
		collect_params(cr, router->match_data, path, arena, match);
		return MG_ROUTE_FOUND;
	}
	return result;
}

enum mg_err mg_router_field_ok(const struct mg_route_match *match, size_t i, const char *value)
{
	const struct compiled_route *cr = match->compiled;
	if (cr == NULL || i >= cr->nfields || cr->fields[i] == NULL)
		return MG_OK;
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(cr->fields[i], NULL);
	if (md == NULL)
		return MG_ERR_NOMEM;
	int rc = pcre2_match(cr->fields[i], (PCRE2_SPTR)value, strlen(value), 0, PCRE2_NO_UTF_CHECK, md, NULL);
	pcre2_match_data_free(md);
	return rc >= 0 ? MG_OK : MG_ERR_INPUT;
}

void mg_router_each(const struct mg_router *router, mg_route_visit_fn fn, void *arg)
{
	for (size_t i = 0; i < router->n; i++)
		fn(arg, router->routes[i].owner, router->routes[i].route, router->routes[i].full_pattern);
}
