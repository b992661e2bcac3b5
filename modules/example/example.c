/*
 * The smallest useful module: the example of docs/modules.md, built here and loaded by the test
 * stack (scripts/test), never by a production configuration. It includes nothing of the core
 * but core/module.h, and everything it calls is in core/module.sym.
 *
 * It answers GET /_modules/example/greeting?name=… with a greeting in the visitor's language,
 * and GET /<slug>/example/greeting for a tenant that has contracted the module.
 */
#include "core/module.h"

/* GET /_modules/example/greeting and GET /<slug>/example/greeting — anyone; changes nothing.
 * The core has already checked "name" against its declaration when this runs. */
static enum mg_err greeting(struct mg_ctx *ctx)
{
	const char *name = mg_query(ctx, "name");
	const char *hello = mg_tr(ctx, N_("Hello"));
	return mg_json(ctx, 200,
		       json_pack("{s:s, s:s*, s:s*, s:s}", "greeting", hello, "name", name, "tenant", mg_tenant_slug(ctx),
				 "lang", mg_lang(ctx)));
}

static const struct mg_field greeting_fields[] = {
	/* letters of any script, digits, spaces and a few marks; at most 40 characters */
	{ "name", MG_FROM_QUERY, "[\\p{L}\\p{N} ・ー'.-]{1,40}", false, 160, N_("Name"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};

static const struct mg_route example_routes[] = {
	{ "GET", "/_modules/example/greeting", greeting, MG_SCOPE_PLATFORM, NULL, greeting_fields, "a greeting" },
	{ "GET", "/example/greeting", greeting, MG_SCOPE_TENANT, NULL, greeting_fields, "a greeting for a tenant" },
	{ NULL, NULL, NULL, 0, NULL, NULL, NULL },
};

const struct mg_module mg_module = {
	.abi = MG_MODULE_ABI,
	.name = "example",
	.version = "1.0.0",
	.routes = example_routes,
};
