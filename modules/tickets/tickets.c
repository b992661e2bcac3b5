/*
 * The tickets module: event-goers buy seats or admission and merchandise; e-tickets are
 * checked at the gate. This file is only the descriptor: each feature file (see tickets.h)
 * adds its routes, statements, jobs, menu entries and permissions in its own section below.
 */
#include "tickets.h"
#include "seatmap.h"
#include "catalog.h"
#include "shop.h"
#include "api.h"
#include "eticket.h"
#include "checkin.h"
#include "orders.h"
#include "web.h"

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
	{ "GET", "/_modules/tickets", about, MG_SCOPE_PLATFORM, NULL, MG_NO_FIELDS, "module status" },
	{ "GET", "/tickets/_about", about, MG_SCOPE_TENANT, NULL, MG_NO_FIELDS, "module status for a tenant" },

	/* ---- seatmap.c ---- */
	{ "GET", "/tickets/venues", tickets_seatmap_venues_page, MG_SCOPE_ADMIN, "tickets.manage", MG_NO_FIELDS,
	  "venues and a form to add one" },
	{ "POST", "/tickets/venues", tickets_seatmap_venue_create, MG_SCOPE_ADMIN, "tickets.manage", tickets_venue_fields,
	  "add a venue" },
	{ "GET", TICKETS_VENUE, tickets_seatmap_venue_page, MG_SCOPE_ADMIN, "tickets.manage", MG_NO_FIELDS,
	  "a venue, its seat maps and the upload form" },
	{ "POST", TICKETS_VENUE "/maps", tickets_seatmap_map_upload, MG_SCOPE_ADMIN, "tickets.manage",
	  tickets_seatmap_fields, "import a seat map (XML checked against schema/seatmap.rng; errors name the line)" },
	{ "GET", TICKETS_MAP, tickets_seatmap_map_page, MG_SCOPE_ADMIN, "tickets.manage", MG_NO_FIELDS, "a seat map's preview" },
	{ "GET", TICKETS_MAP "/svg", tickets_seatmap_map_svg, MG_SCOPE_ADMIN, "tickets.manage", MG_NO_FIELDS,
	  "a seat map as an SVG file" },
	{ "GET", TICKETS_CHART, tickets_seatmap_chart_page, MG_SCOPE_ADMIN, "tickets.manage", tickets_seatmap_chart_query,
	  "live seat chart of a performance (free / held / sold / blocked)" },
	{ "POST", TICKETS_CHART, tickets_seatmap_chart_change, MG_SCOPE_ADMIN, "tickets.manage",
	  tickets_seatmap_chart_fields, "block free seats or release blocked ones (house seats, kills)" },
	{ "GET", TICKETS_CHART "/picker", tickets_seatmap_picker_preview, MG_SCOPE_ADMIN, "tickets.manage",
	  tickets_seatmap_picker_query, "the seat picker as buyers get it (staff preview)" },

	/* ---- catalog.c ---- */
	CATALOG_ROUTES

	/* ---- shop.c ---- */

	/* ---- api.c ---- */
	API_ROUTES

	/* ---- eticket.c ---- */
	ETICKET_ROUTES

	/* ---- checkin.c ---- */
	CHECKIN_ROUTES

	/* ---- orders.c ---- */
	ORDERS_ROUTES

	/* ---- web_pick.c, web_cart.c (the public buying pages) ---- */
	WEB_ROUTES

	{ NULL, NULL, NULL, 0, NULL, NULL, NULL },
};

const struct mg_sql tickets_statements[] = {
	/* ---- seatmap.c ---- */
	[TICKETS_SQL_VENUE_LIST] = { "tickets.venue_list",
	  "SELECT v.id, v.name, v.address, (SELECT COUNT(*) FROM tickets_seat_map m WHERE m.tenant_id = v.tenant_id"
	  " AND m.venue_id = v.id) FROM tickets_venue v WHERE v.tenant_id = ? ORDER BY v.name, v.id" },
	[TICKETS_SQL_VENUE_INSERT] = { "tickets.venue_insert",
	  "INSERT INTO tickets_venue (tenant_id, name, address) VALUES (?, ?, ?)" },
	[TICKETS_SQL_VENUE_GET] = { "tickets.venue_get",
	  "SELECT id, name, address FROM tickets_venue WHERE tenant_id = ? AND id = ?" },
	[TICKETS_SQL_SEAT_MAP_LIST] = { "tickets.seat_map_list",
	  "SELECT id, name, seat_count, width, height, UNIX_TIMESTAMP(created_at)"
	  " FROM tickets_seat_map WHERE tenant_id = ? AND venue_id = ? ORDER BY id" },
	[TICKETS_SQL_SEAT_MAP_INSERT] = { "tickets.seat_map_insert",
	  "INSERT INTO tickets_seat_map (tenant_id, venue_id, name, xml, width, height, seat_count, created_by,"
	  " stage_x, stage_y, stage_width, stage_height, stage_label) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" },
	[TICKETS_SQL_SEAT_INSERT] = { "tickets.seat_insert",
	  "INSERT INTO tickets_seat (tenant_id, seat_map_id, seat_no, section, row_label, number_label, label, category,"
	  " x, y, best, row_order, wheelchair, companion, restricted_view)"
	  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" },
	[TICKETS_SQL_SEAT_MAP_GET] = { "tickets.seat_map_get",
	  "SELECT m.id, m.venue_id, v.name, m.name, m.width, m.height, m.stage_x, m.stage_y, m.stage_width,"
	  " m.stage_height, m.stage_label FROM tickets_seat_map m JOIN tickets_venue v ON v.tenant_id = m.tenant_id"
	  " AND v.id = m.venue_id WHERE m.tenant_id = ? AND m.id = ?" },
	[TICKETS_SQL_SEAT_MAP_SEATS] = { "tickets.seat_map_seats",
	  "SELECT seat_no, section, row_label, number_label, label, category, x, y, best, row_order, wheelchair,"
	  " companion, restricted_view FROM tickets_seat WHERE tenant_id = ? AND seat_map_id = ? ORDER BY seat_no" },
	[TICKETS_SQL_CHART_PERFORMANCE] = { "tickets.chart_performance",
	  "SELECT p.id, e.title, UNIX_TIMESTAMP(p.starts_at),"
	  " e.seat_map_id FROM tickets_performance p JOIN tickets_event e ON e.tenant_id = p.tenant_id"
	  " AND e.id = p.event_id WHERE p.tenant_id = ? AND p.id = ?" },

	/* ---- catalog.c ---- */
	CATALOG_STATEMENTS

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

	[TICKETS_SQL__MAX] = { NULL, NULL },
};

static const struct mg_job tickets_jobs[] = {
	/* ---- shop.c ---- */
	SHOP_JOBS

	{ NULL, NULL, NULL },
};

/* Back-office menu, in the order staff use it. */
static const struct mg_nav tickets_nav[] = {
	/* ---- seatmap.c ---- */
	{ N_("Venues and seat maps"), "/tickets/venues", "tickets.manage" },

	/* ---- catalog.c ---- */
	CATALOG_NAV

	/* ---- orders.c ---- */
	ORDERS_NAV

	/* ---- checkin.c ---- */
	CHECKIN_NAV

	{ NULL, NULL, NULL },
};

/* Operator commands: `madoguchi tickets <command> …`. */
static const struct mg_command tickets_commands[] = {
	/* ---- seatmap.c ---- */
	{ "import-map", "--tenant SLUG (--venue ID | --venue-name NAME) [--name NAME] FILE",
	  tickets_seatmap_import_command },

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
	.commands = tickets_commands,
	.order_mail = eticket_order_mail,
	.purge_tenant = tickets_purge,
};
