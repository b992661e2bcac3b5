#include <string.h>

#include "http.h"
#include "i18n.h"
#include "modules.h"
#include "notice.h"
#include "pages.h"
#include "tenant.h"

static json_t *module_list(void)
{
	json_t *list = json_array();
	for (size_t i = 0; i < mg_modules_count(); i++) {
		const struct mg_module *m = mg_modules_get(i);
		json_array_append_new(list, json_pack("{s:s, s:s}", "name", m->name, "version", m->version ? m->version : ""));
	}
	return list;
}

/*
 * GET /healthz — for load balancers and operators: version, whether the database answers
 * and whether every migration on disk has been applied (503 when either is not so), and
 * whether the maintenance switch is on (still 200: the service itself is healthy).
 */
static enum mg_err healthz(struct mg_ctx *ctx)
{
	bool current = false;
	enum mg_err err = mg_migrate_current(mg_ctx_db(ctx), mg_arena(ctx), &mg_ctx_app(ctx)->migrations, &current);
	bool database = err == MG_OK;
	int ok = database && current;
	struct mg_maintenance m = { 0 };
	if (database)
		mg_maintenance_get(mg_ctx_db(ctx), mg_arena(ctx), &m);
	json_t *body = json_pack("{s:s, s:s, s:b, s:b, s:b, s:o}", "status", ok ? "ok" : "unavailable", "version",
				 PACKAGE_VERSION, "database", database, "migrations_current", current, "maintenance", m.on,
				 "modules", module_list());
	return mg_json(ctx, ok ? 200 : 503, body);
}

/* GET / — the platform's landing page: what Madoguchi is and which services run here. */
static enum mg_err landing(struct mg_ctx *ctx)
{
	json_t *data = json_pack("{s:s, s:o}", "page_title", mg_tr(ctx, N_("Madoguchi booking platform")), "modules",
				 module_list());
	return mg_render(ctx, 200, "core/landing", data);
}

/* GET /<slug>/ — a tenant's front page: who runs it and which services it offers. */
static enum mg_err tenant_home(struct mg_ctx *ctx)
{
	const struct mg_tenant *t = mg_ctx_tenant(ctx);
	json_t *services = json_array();
	for (size_t i = 0; i < mg_modules_count(); i++) {
		const char *name = mg_modules_get(i)->name;
		if (mg_tenant_has_module(t, name))
			json_array_append_new(services, json_pack("{s:s}", "name", name));
	}
	json_t *data = json_pack("{s:s, s:{s:s, s:s}, s:o}", "page_title", t->name, "tenant", "name", t->name, "slug",
				 t->slug, "services", services);
	return mg_render(ctx, 200, "core/tenant_home", data);
}

/*
 * GET or POST /lang?to=en&next=/path — remembers the reader's language in a cookie and
 * goes back to the page they were on (only a local path, never another site).
 */
static enum mg_err switch_language(struct mg_ctx *ctx)
{
	const char *to = strcmp(mg_method(ctx), "POST") == 0 ? mg_form(ctx, "to") : mg_query(ctx, "to");
	const char *next = strcmp(mg_method(ctx), "POST") == 0 ? mg_form(ctx, "next") : mg_query(ctx, "next");
	enum mg_err err = mg_set_cookie(ctx, "lang", to, 365L * 24 * 3600);
	if (err != MG_OK)
		return err;
	return mg_redirect(ctx, 303, next != NULL && next[0] != '\0' ? next : "/");
}

#define LANG_FIELDS(source)                                                                     \
	{ "to", source, "ja|en", true, 2, N_("Language"), MG_TEXT_NFKC },                                \
	{ "next", source, "/(?![/\\\\])[^\\x00-\\x1f]*", false, 512, N_("Return address"), MG_TEXT_RAW }, \
	MG_FIELDS_END

static const struct mg_field lang_query_fields[] = { LANG_FIELDS(MG_FROM_QUERY) };
static const struct mg_field lang_form_fields[] = { LANG_FIELDS(MG_FROM_FORM) };

/*
 * GET /_probe/undeclared-field?x=… — reads "x" without declaring it: mg_query() gives NULL and
 * logs "undeclared field", and strict_fields turns the answer into a 500. Registered only under
 * strict_fields (scripts/test), so that tests/http/test_input.py can show the check works.
 */
static enum mg_err probe_undeclared(struct mg_ctx *ctx)
{
	const char *x = mg_query(ctx, "x");
	return mg_json(ctx, 200, json_pack("{s:s*}", "x", x));
}

const struct mg_route mg_probe_routes[] = {
	{ "GET", "/_probe/undeclared-field", probe_undeclared, MG_SCOPE_PLATFORM, NULL, MG_NO_FIELDS,
	  "tests only (strict_fields): a handler that reads a field it did not declare" },
	{ NULL, NULL, NULL, 0, NULL, NULL, NULL },
};

const struct mg_route mg_core_routes[] = {
	{ "GET", "/healthz", healthz, MG_SCOPE_PLATFORM, NULL, MG_NO_FIELDS, "health for load balancers and operators" },
	{ "GET", "/", landing, MG_SCOPE_PLATFORM, NULL, MG_NO_FIELDS, "the platform landing page" },
	{ "GET", "/", tenant_home, MG_SCOPE_TENANT, NULL, MG_NO_FIELDS, "a tenant's front page" },
	{ "GET", "/lang", switch_language, MG_SCOPE_PLATFORM, NULL, lang_query_fields, "switch the language (link)" },
	{ "POST", "/lang", switch_language, MG_SCOPE_PLATFORM, NULL, lang_form_fields, "switch the language (form)" },
	{ NULL, NULL, NULL, 0, NULL, NULL, NULL },
};
