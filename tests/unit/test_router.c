/* Unit tests for the PCRE2 router: scopes, named groups, 404/405, field patterns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/http/router.h"

static enum mg_err handler_a(struct mg_ctx *ctx) { return MG_OK; }
static enum mg_err handler_b(struct mg_ctx *ctx) { return MG_OK; }

static const struct mg_field order_fields[] = {
	{ "qty", MG_FROM_FORM, "[1-9][0-9]{0,2}", true, 3, "Quantity", MG_TEXT_AMOUNT },
	{ "note", MG_FROM_FORM, NULL, false, 0, "Note", MG_TEXT_RAW },
	MG_FIELDS_END,
};

static const struct mg_route routes[] = {
	{ "GET", "/healthz", handler_a, MG_SCOPE_PLATFORM, NULL, MG_NO_FIELDS, "health" },
	{ "GET", "/events/(?<id>[0-9]+)", handler_a, MG_SCOPE_TENANT, NULL, MG_NO_FIELDS, "event" },
	{ "POST", "/events/(?<id>[0-9]+)", handler_b, MG_SCOPE_TENANT, NULL, order_fields, "order" },
	{ "GET", "/events", handler_b, MG_SCOPE_ADMIN, "tickets.edit", MG_NO_FIELDS, "admin events" },
	{ "GET", "/tenants/(?<slug>[a-z]+)", handler_a, MG_SCOPE_OPERATOR, NULL, MG_NO_FIELDS, "operator" },
	{ NULL, NULL, NULL, 0, NULL, NULL, NULL },
};

struct fixture {
	struct mg_router *router;
	struct mg_arena *arena;
};

static int setup(void **state)
{
	static struct fixture f;
	char errbuf[256];
	f.router = mg_router_new();
	f.arena = mg_arena_new();
	assert_int_equal(mg_router_add(f.router, "test", routes, errbuf, sizeof(errbuf)), MG_OK);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	mg_router_free(f->router);
	mg_arena_free(f->arena);
	return 0;
}

static const char *param(const struct mg_route_match *m, const char *name)
{
	for (size_t i = 0; i < m->nparams; i++)
		if (strcmp(m->names[i], name) == 0)
			return m->values[i];
	return NULL;
}

static void platform_route_matches_whole_path_only(void **state)
{
	struct fixture *f = *state;
	struct mg_route_match m;
	char allow[64];
	assert_int_equal(mg_router_match(f->router, f->arena, "GET", "/healthz", &m, allow, sizeof(allow)),
			 MG_ROUTE_FOUND);
	assert_ptr_equal(m.route, &routes[0]);
	assert_string_equal(m.owner, "test");
	assert_int_equal(mg_router_match(f->router, f->arena, "GET", "/healthz/x", &m, allow, sizeof(allow)),
			 MG_ROUTE_NOT_FOUND);
	assert_int_equal(mg_router_match(f->router, f->arena, "GET", "/xhealthz", &m, allow, sizeof(allow)),
			 MG_ROUTE_NOT_FOUND);
}

static void tenant_scope_captures_slug_and_params(void **state)
{
	struct fixture *f = *state;
	struct mg_route_match m;
	char allow[64];
	assert_int_equal(mg_router_match(f->router, f->arena, "GET", "/city-hall/events/42", &m, allow, sizeof(allow)),
			 MG_ROUTE_FOUND);
	assert_ptr_equal(m.route, &routes[1]);
	assert_string_equal(param(&m, "tenant"), "city-hall");
	assert_string_equal(param(&m, "id"), "42");
	assert_null(param(&m, "nope"));
	assert_int_equal(mg_router_match(f->router, f->arena, "GET", "/city-hall/events/4x", &m, allow, sizeof(allow)),
			 MG_ROUTE_NOT_FOUND);
}

static void post_picks_the_post_route(void **state)
{
	struct fixture *f = *state;
	struct mg_route_match m;
	char allow[64];
	assert_int_equal(mg_router_match(f->router, f->arena, "POST", "/a/events/7", &m, allow, sizeof(allow)),
			 MG_ROUTE_FOUND);
	assert_ptr_equal(m.route, &routes[2]);
	assert_string_equal(param(&m, "id"), "7");
}

static void head_is_answered_by_get(void **state)
{
	struct fixture *f = *state;
	struct mg_route_match m;
	char allow[64];
	assert_int_equal(mg_router_match(f->router, f->arena, "HEAD", "/healthz", &m, allow, sizeof(allow)),
			 MG_ROUTE_FOUND);
}

static void wrong_method_lists_allowed_ones(void **state)
{
	struct fixture *f = *state;
	struct mg_route_match m;
	char allow[64];
	assert_int_equal(mg_router_match(f->router, f->arena, "DELETE", "/a/events/7", &m, allow, sizeof(allow)),
			 MG_ROUTE_BAD_METHOD);
	assert_string_equal(allow, "GET, HEAD, POST");
	assert_int_equal(mg_router_match(f->router, f->arena, "FOO", "/healthz", &m, allow, sizeof(allow)),
			 MG_ROUTE_BAD_METHOD);
	assert_string_equal(allow, "GET, HEAD");
}

static void admin_and_operator_scopes(void **state)
{
	struct fixture *f = *state;
	struct mg_route_match m;
	char allow[64];
	assert_int_equal(mg_router_match(f->router, f->arena, "GET", "/hall/admin/events", &m, allow, sizeof(allow)),
			 MG_ROUTE_FOUND);
	assert_ptr_equal(m.route, &routes[3]);
	assert_string_equal(param(&m, "tenant"), "hall");
	assert_int_equal(mg_router_match(f->router, f->arena, "GET", "/_operator/tenants/abc", &m, allow, sizeof(allow)),
			 MG_ROUTE_FOUND);
	assert_string_equal(param(&m, "slug"), "abc");
	/* a slug never starts with '_' so operator paths are not tenant paths */
	assert_int_equal(mg_router_match(f->router, f->arena, "GET", "/_operator/events", &m, allow, sizeof(allow)),
			 MG_ROUTE_NOT_FOUND);
}

static void field_patterns_match_whole_values(void **state)
{
	struct fixture *f = *state;
	struct mg_route_match m;
	char allow[64];
	assert_int_equal(mg_router_match(f->router, f->arena, "POST", "/a/events/7", &m, allow, sizeof(allow)),
			 MG_ROUTE_FOUND);
	assert_int_equal(mg_router_field_ok(&m, 0, "12"), MG_OK);
	assert_int_equal(mg_router_field_ok(&m, 0, "012"), MG_ERR_INPUT);
	assert_int_equal(mg_router_field_ok(&m, 0, "12a"), MG_ERR_INPUT);
	assert_int_equal(mg_router_field_ok(&m, 0, "1234"), MG_ERR_INPUT);
	assert_int_equal(mg_router_field_ok(&m, 1, "anything <at> all"), MG_OK);
}

static void bad_patterns_are_refused_at_start(void **state)
{
	static const struct mg_route broken[] = {
		{ "GET", "/x/(?<id>[0-9+", handler_a, MG_SCOPE_PLATFORM, NULL, MG_NO_FIELDS, "broken" },
		{ NULL, NULL, NULL, 0, NULL, NULL, NULL },
	};
	static const struct mg_route bad_method[] = {
		{ "BREW", "/coffee", handler_a, MG_SCOPE_PLATFORM, NULL, MG_NO_FIELDS, "teapot" },
		{ NULL, NULL, NULL, 0, NULL, NULL, NULL },
	};
	char errbuf[256];
	struct mg_router *router = mg_router_new();
	assert_int_equal(mg_router_add(router, "mod", broken, errbuf, sizeof(errbuf)), MG_ERR_CONFIG);
	assert_non_null(strstr(errbuf, "mod"));
	assert_non_null(strstr(errbuf, "missing"));
	assert_int_equal(mg_router_add(router, "mod", bad_method, errbuf, sizeof(errbuf)), MG_ERR_CONFIG);
	assert_non_null(strstr(errbuf, "BREW"));
	mg_router_free(router);
}

/* Every route declares the fields it reads: a table without one is refused at start. */
static void route_without_field_table_is_refused(void **state)
{
	static const struct mg_route undeclared[] = {
		{ "POST", "/carts", handler_a, MG_SCOPE_TENANT, NULL, NULL, "no field table" },
		{ NULL, NULL, NULL, 0, NULL, NULL, NULL },
	};
	char errbuf[256];
	struct mg_router *router = mg_router_new();
	assert_int_equal(mg_router_add(router, "mod", undeclared, errbuf, sizeof(errbuf)), MG_ERR_CONFIG);
	assert_non_null(strstr(errbuf, "declares no fields"));
	assert_non_null(strstr(errbuf, "/carts"));
	mg_router_free(router);
}

static void visit(void *arg, const char *owner, const struct mg_route *route, const char *full)
{
	int *count = arg;
	(*count)++;
	assert_string_equal(owner, "test");
	assert_non_null(strstr(full, route->pattern));
}

static void each_visits_every_route(void **state)
{
	struct fixture *f = *state;
	int count = 0;
	mg_router_each(f->router, visit, &count);
	assert_int_equal(count, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(platform_route_matches_whole_path_only),
		cmocka_unit_test(tenant_scope_captures_slug_and_params),
		cmocka_unit_test(post_picks_the_post_route),
		cmocka_unit_test(head_is_answered_by_get),
		cmocka_unit_test(wrong_method_lists_allowed_ones),
		cmocka_unit_test(admin_and_operator_scopes),
		cmocka_unit_test(route_without_field_table_is_refused),
		cmocka_unit_test(field_patterns_match_whole_values),
		cmocka_unit_test(bad_patterns_are_refused_at_start),
		cmocka_unit_test(each_visits_every_route),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
