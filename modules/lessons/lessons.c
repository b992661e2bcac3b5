/*
 * The lessons module: learners enroll in courses with capacity, waitlists and lotteries.
 * For now only its descriptor and an "about" route, which prove the loader end to end;
 * the features arrive with the lessons issue.
 */
#include "core/module.h"

/*
 * GET /_modules/lessons and GET /<slug>/lessons/_about — say the module is loaded, which ABI it
 * was built for and, on the tenant route, for which tenant (only one that contracted it).
 */
static enum mg_err about(struct mg_ctx *ctx)
{
	return mg_json(ctx, 200, json_pack("{s:s, s:i, s:s*}", "module", "lessons", "abi", (int)MG_MODULE_ABI, "tenant",
					   mg_tenant_slug(ctx)));
}

static const struct mg_route lessons_routes[] = {
	{ "GET", "/_modules/lessons", about, MG_SCOPE_PLATFORM, NULL, MG_NO_FIELDS, "module status" },
	{ "GET", "/lessons/_about", about, MG_SCOPE_TENANT, NULL, MG_NO_FIELDS, "module status for a tenant" },
	{ NULL, NULL, NULL, 0, NULL, NULL, NULL },
};

const struct mg_module mg_module = {
	.abi = MG_MODULE_ABI,
	.name = "lessons",
	.version = "0.1.0",
	.routes = lessons_routes,
	.migrations = "lessons",
};
