/*
 * The tickets module: event-goers buy seats or admission and merchandise; e-tickets are checked at the gate.
 * For now only its descriptor and an "about" route, which prove the loader end to end;
 * the features arrive with the tickets issue.
 */
#include "core/module.h"

/* GET /_modules/tickets — says the module is loaded and which ABI it was built for. */
static enum mg_err about(struct mg_ctx *ctx)
{
	return mg_json(ctx, 200, json_pack("{s:s, s:i}", "module", "tickets", "abi", (int)MG_MODULE_ABI));
}

static const struct mg_route tickets_routes[] = {
	{ "GET", "/_modules/tickets", about, MG_SCOPE_PLATFORM, NULL, NULL, "module status" },
	{ NULL, NULL, NULL, 0, NULL, NULL, NULL },
};

const struct mg_module mg_module = {
	.abi = MG_MODULE_ABI,
	.name = "tickets",
	.version = "0.1.0",
	.routes = tickets_routes,
	.migrations = "tickets",
};
