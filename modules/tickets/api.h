/*
 * The public JSON API v1 (api.c; documented in docs/api.md): events, a performance's seats,
 * carts, holds and checkout, on the same functions as the web pages (shop.c). Called without
 * cookies: core/http/http.c loads no session for /api/ routes and asks no CSRF token of a request
 * without cookies. Errors are {"error":"<word>","message":"<text in the request's language>"}.
 */
#ifndef TICKETS_API_H
#define TICKETS_API_H

#include "shop.h"

enum mg_err api_events(struct mg_ctx *ctx);
enum mg_err api_seats(struct mg_ctx *ctx);
enum mg_err api_cart_create(struct mg_ctx *ctx);
enum mg_err api_cart_show(struct mg_ctx *ctx);
enum mg_err api_cart_abandon(struct mg_ctx *ctx);
enum mg_err api_cart_hold(struct mg_ctx *ctx);
enum mg_err api_cart_checkout(struct mg_ctx *ctx);

#define API_CART "/api/v1/carts/(?<cart>[A-Za-z0-9_-]{1,64})"

#define API_ROUTES                                                                                                    \
	{ "GET", "/api/v1/events", api_events, MG_SCOPE_TENANT, NULL, MG_NO_FIELDS,                                           \
	  "API: published events and their performances" },                                                          \
	{ "GET", "/api/v1/performances/" MG_ID_GROUP("id") "/seats", api_seats, MG_SCOPE_TENANT, NULL, MG_NO_FIELDS,             \
	  "API: every seat of a performance with its state now" },                                                    \
	{ "POST", "/api/v1/carts", api_cart_create, MG_SCOPE_TENANT, NULL, MG_NO_FIELDS, "API: opens a cart" },              \
	{ "GET", API_CART, api_cart_show, MG_SCOPE_TENANT, NULL, MG_NO_FIELDS, "API: a cart's items, total and expiry" },     \
	{ "DELETE", API_CART, api_cart_abandon, MG_SCOPE_TENANT, NULL, MG_NO_FIELDS,                                          \
	  "API: abandons a cart and frees its seats" },                                                               \
	{ "POST", API_CART "/seats", api_cart_hold, MG_SCOPE_TENANT, NULL, MG_NO_FIELDS,                                      \
	  "API: holds seats (all or nothing) or general-admission places in a cart" },                               \
	{ "POST", API_CART "/checkout", api_cart_checkout, MG_SCOPE_TENANT, NULL, MG_NO_FIELDS,                               \
	  "API: makes an order of the cart and issues its e-tickets" },

#define API_STATEMENTS                                                                                                \
	[TICKETS_SQL_API_EVENTS] = { "tickets.api_events",                                                            \
	  "SELECT e.id, e.title, e.kind, v.name FROM tickets_event e"                                                 \
	  " JOIN tickets_venue v ON v.tenant_id = e.tenant_id AND v.id = e.venue_id"                                  \
	  " WHERE e.tenant_id = ? AND e.state = 'published' ORDER BY e.id" },                                         \
	[TICKETS_SQL_API_PERFORMANCES] = { "tickets.api_performances",                                                \
	  "SELECT p.id, p.event_id, UNIX_TIMESTAMP(p.starts_at), UNIX_TIMESTAMP(p.sale_starts_at),"                   \
	  " UNIX_TIMESTAMP(p.sale_ends_at) FROM tickets_performance p"                                                \
	  " JOIN tickets_event e ON e.tenant_id = p.tenant_id AND e.id = p.event_id"                                  \
	  " WHERE p.tenant_id = ? AND e.state = 'published' AND p.state = 'on_sale' ORDER BY p.starts_at, p.id" },     \
	[TICKETS_SQL_API_SEATS] = { "tickets.api_seats",                                                              \
	  "SELECT seat_no, label, category FROM tickets_seat WHERE tenant_id = ? AND seat_map_id = ? ORDER BY seat_no" }, \
	[TICKETS_SQL_API_QUOTAS] = { "tickets.api_quotas",                                                            \
	  "SELECT id, name, capacity FROM tickets_ga_quota WHERE tenant_id = ? AND performance_id = ? ORDER BY id" },

#endif
