/*
 * The tickets module: event-goers buy seats or admission and merchandise; e-tickets are
 * checked at the gate. This file is only the descriptor: each feature file (see tickets.h)
 * adds its routes, statements, jobs, menu entries and permissions in its own section below.
 */
#include "tickets.h"
#include "shop.h"
#include "api.h"
#include "eticket.h"
#include "checkin.h"
#include "orders.h"

/*
 * GET /_modules/tickets and GET /<slug>/tickets/_about — say the module is loaded, which ABI it
 * was built for and, on the tenant route, for which tenant (only one that contracted it).
 */
static enum mg_err about(struct mg_ctx *ctx)
{
	return mg_json(ctx, 200, json_pack("{s:s, s:i, s:s*}", "module", "tickets", "abi", (int)MG_MODULE_ABI, "tenant",
					   mg_tenant_slug(ctx)));
}

static const struct mg_route tickets_routes[] = {
	{ "GET", "/_modules/tickets", about, MG_SCOPE_PLATFORM, NULL, NULL, "module status" },
	{ "GET", "/tickets/_about", about, MG_SCOPE_TENANT, NULL, NULL, "module status for a tenant" },

	/* ---- seatmap.c ---- */

	/* ---- catalog.c ---- */

	/* ---- shop.c ---- */

	/* ---- api.c ---- */
	API_ROUTES

	/* ---- eticket.c ---- */
	ETICKET_ROUTES

	/* ---- checkin.c ---- */
	CHECKIN_ROUTES

	/* ---- orders.c ---- */
	ORDERS_ROUTES

	{ NULL, NULL, NULL, 0, NULL, NULL, NULL },
};

static const struct mg_sql tickets_statements[] = {
	/* ---- seatmap.c ---- */

	/* ---- catalog.c ---- */

	/* ---- shop.c ---- */
	SHOP_STATEMENTS

	/* ---- api.c ---- */
	API_STATEMENTS

	/* ---- eticket.c ---- */
	ETICKET_STATEMENTS

	/* ---- checkin.c ---- */
	CHECKIN_STATEMENTS

	/* ---- orders.c ---- */
	ORDERS_STATEMENTS

	{ NULL, NULL },
};

static const struct mg_job tickets_jobs[] = {
	/* ---- shop.c ---- */
	SHOP_JOBS

	{ NULL, NULL, NULL },
};

/* Back-office menu, in the order staff use it. */
static const struct mg_nav tickets_nav[] = {
	/* ---- seatmap.c ---- */

	/* ---- catalog.c ---- */

	/* ---- orders.c ---- */
	ORDERS_NAV

	/* ---- checkin.c ---- */
	CHECKIN_NAV

	{ NULL, NULL, NULL },
};

/* Who may do what: administrators everything; general staff run events and sell; restricted
 * staff only check tickets in at the gate. */
static const struct mg_permission tickets_permissions[] = {
	{ "tickets.manage", MG_ROLE_ADMIN | MG_ROLE_GENERAL, N_("Manage venues, events and prices") },
	{ "tickets.sell", MG_ROLE_ADMIN | MG_ROLE_GENERAL, N_("Sell at the box office and look up orders") },
	{ "tickets.refund", MG_ROLE_ADMIN, N_("Cancel and refund orders") },
	{ "tickets.checkin", MG_ROLE_ALL, N_("Check tickets in at the gate") },
	{ "tickets.api_tokens", MG_ROLE_ADMIN, N_("Create API tokens for gate scanners") },
	{ NULL, 0, NULL },
};

const struct mg_module mg_module = {
	.abi = MG_MODULE_ABI,
	.name = "tickets",
	.version = "0.2.0",
	.routes = tickets_routes,
	.migrations = "tickets",
	.statements = tickets_statements,
	.jobs = tickets_jobs,
	.nav = tickets_nav,
	.permissions = tickets_permissions,
};
