/*
 * The rentals module: facility users book rooms and halls by time block, with equipment, approval, fees and lotteries.
 * For now only its descriptor and an "about" route, which prove the loader end to end;
 * the features arrive with the rentals issue.
 */
#include "core/module.h"

/* GET /_modules/rentals — says the module is loaded and which ABI it was built for. */
static enum mg_err about(struct mg_ctx *ctx)
{
	return mg_json(ctx, 200, json_pack("{s:s, s:i}", "module", "rentals", "abi", (int)MG_MODULE_ABI));
}

static const struct mg_route rentals_routes[] = {
	{ "GET", "/_modules/rentals", about, MG_SCOPE_PLATFORM, NULL, NULL, "module status" },
	{ NULL, NULL, NULL, 0, NULL, NULL, NULL },
};

const struct mg_module mg_module = {
	.abi = MG_MODULE_ABI,
	.name = "rentals",
	.version = "0.1.0",
	.routes = rentals_routes,
	.migrations = "rentals",
};
