/*
 * The rentals module: facility users book rooms and halls by time block, with equipment, approval, fees and lotteries.
 * Built so far: the schema of facilities, rooms, blocks, fees and bookings, the fee rules
 * (fees.c), the JSON API (api.c: rooms; bookings.c: availability, provisional bookings on the
 * venue calendar, approval, cancellation) and the job that lapses unapproved bookings.
 */
#include "rentals.h"

/*
 * GET /_modules/rentals and GET /<slug>/rentals/_about — say the module is loaded, which ABI it
 * was built for and, on the tenant route, for which tenant (only one that contracted it).
 */
static enum mg_err about(struct mg_ctx *ctx)
{
	return mg_json(ctx, 200, json_pack("{s:s, s:i, s:s*}", "module", "rentals", "abi", (int)MG_MODULE_ABI, "tenant",
					   mg_tenant_slug(ctx)));
}

static const struct mg_route rentals_routes[] = {
	{ "GET", "/_modules/rentals", about, MG_SCOPE_PLATFORM, NULL, MG_NO_FIELDS, "module status" },
	{ "GET", "/rentals/_about", about, MG_SCOPE_TENANT, NULL, MG_NO_FIELDS, "module status for a tenant" },
	RENTALS_API_ROUTES
	RENTALS_PAGE_ROUTES
	RENTALS_ADMIN_ROUTES
	{ NULL, NULL, NULL, 0, NULL, NULL, NULL },
};

const struct mg_sql rentals_statements[] = {
	RENTALS_API_STATEMENTS
	[RENTALS_SQL__MAX] = { NULL, NULL },
};

static const struct mg_job rentals_jobs[] = {
	/* provisional bookings past their deadline lapse and free their blocks (bookings.c) */
	{ "rentals.lapse", "every 1m", rentals_lapse_job },
	{ NULL, NULL, NULL },
};

static const struct mg_nav rentals_nav[] = {
	{ N_("Room calendar"), "/rentals/calendar", "rentals.manage" },
	{ N_("Occupancy"), "/rentals/occupancy", "rentals.manage" },
	{ NULL, NULL, NULL },
};

static const struct mg_permission rentals_permissions[] = {
	{ "rentals.book", MG_ROLE_ALL, N_("Book rooms for users at the counter") },
	{ "rentals.manage", MG_ROLE_ADMIN | MG_ROLE_GENERAL, N_("Approve, decline and cancel room bookings") },
	{ NULL, 0, NULL },
};

const struct mg_module mg_module = {
	.abi = MG_MODULE_ABI,
	.name = "rentals",
	.version = "0.1.0",
	.routes = rentals_routes,
	.migrations = "rentals",
	.statements = rentals_statements,
	.jobs = rentals_jobs,
	.permissions = rentals_permissions,
	.nav = rentals_nav,
};
