/*
 * The module's buying functions (shop.c), shared by the JSON API (api.c) and the HTML buying
 * pages: what a performance sells and at what price, holding seats or admission places in a
 * cart (core/cart), and checkout (core/order) with the e-tickets issued in its transaction
 * (eticket.c). Also the job that expires unpaid orders.
 */
#ifndef TICKETS_SHOP_H
#define TICKETS_SHOP_H

#include "tickets.h"

/* A performance of a published event, as the shop sells it. */
struct shop_performance {
	uint64_t id, event_id, seat_map_id; /* seat_map_id 0 for general admission */
	const char *event_title, *event_kind, *state;
	unsigned per_order_limit;
	time_t starts_at, sale_starts_at, sale_ends_at;
};

/* The performance (of a published event); MG_ERR_NOT_FOUND otherwise. */
enum mg_err shop_performance_load(struct mg_ctx *ctx, uint64_t id, struct shop_performance *out);

/* Why a performance cannot be bought now: NULL when it can, else an English msgid. */
const char *shop_not_on_sale(const struct shop_performance *p, time_t now);

/* A ticket type of the performance's event (0: its first); MG_ERR_NOT_FOUND when none. */
enum mg_err shop_ticket_type(struct mg_ctx *ctx, const struct shop_performance *p, uint64_t id, uint64_t *type_id,
			     const char **name);

/*
 * Holds seats (seat numbers of the map) or any `quantity` general-admission places (quota 0:
 * the performance's first quota) of p in the cart, priced for ticket type type_id, all or
 * nothing. MG_ERR_INPUT: a seat not on the map, no price, no such quota (*problem: an English
 * msgid); MG_ERR_TOO_LARGE: over the event's per-order limit; MG_ERR_CONFLICT: out->unavailable
 * lists the seats taken; MG_ERR_EXPIRED / MG_ERR_NOT_FOUND: the cart.
 */
enum mg_err shop_hold_seats(struct mg_ctx *ctx, const char *token, const struct shop_performance *p, uint32_t *seats,
			    size_t n, uint64_t type_id, struct mg_cart_added *out, const char **problem);
enum mg_err shop_hold_places(struct mg_ctx *ctx, const char *token, const struct shop_performance *p, uint64_t quota,
			     uint32_t quantity, uint64_t type_id, struct mg_cart_added *out, const char **problem);

/* An e-ticket as the buyer gets it. */
struct shop_ticket {
	uint64_t id;
	const char *kind;  /* "seat" or "ga" */
	uint32_t unit;     /* seat number, or place number of the quota */
	const char *label; /* "1階 A列 12番", or the quota's name */
	const char *code;  /* the signed code the QR carries */
	const char *path;  /* the printable ticket page */
};

struct shop_order {
	struct mg_order order;
	size_t n;
	struct shop_ticket *tickets;
};

/* Checks a cart out (see mg_order_checkout) and issues its e-tickets in the same transaction.
 * channel "web", "api" or "box_office". */
enum mg_err shop_checkout(struct mg_ctx *ctx, const char *token, const char *name, const char *email,
			  const char *phone, const char *payment, const char *channel, struct shop_order *out);

/* The job tickets.order_expiry: unpaid orders past their deadline expire, seats come back,
 * tickets are voided. */
enum mg_err shop_expire_unpaid(struct mg_db *db, struct mg_arena *arena, time_t now);

/* Its entries in the module's tables (tickets.c, section "shop.c"). */
#define SHOP_STATEMENTS                                                                                               \
	[TICKETS_SQL_SHOP_PERFORMANCE] = { "tickets.shop_performance",                                                \
	  "SELECT p.id, p.event_id, COALESCE(e.seat_map_id, 0), e.title, e.kind, e.per_order_limit,"                  \
	  " UNIX_TIMESTAMP(p.starts_at), UNIX_TIMESTAMP(p.sale_starts_at), UNIX_TIMESTAMP(p.sale_ends_at), p.state"   \
	  " FROM tickets_performance p JOIN tickets_event e ON e.tenant_id = p.tenant_id AND e.id = p.event_id"       \
	  " WHERE p.tenant_id = ? AND p.id = ? AND e.state = 'published'" },                                          \
	[TICKETS_SQL_SHOP_TICKET_TYPE] = { "tickets.shop_ticket_type",                                                \
	  "SELECT id, name FROM tickets_ticket_type WHERE tenant_id = ? AND event_id = ? AND (? = 0 OR id = ?)"       \
	  " ORDER BY sort_no, id LIMIT 1" },                                                                          \
	[TICKETS_SQL_SHOP_PRICE] = { "tickets.shop_price",                                                            \
	  "SELECT amount FROM tickets_price WHERE tenant_id = ? AND event_id = ? AND category = ? AND ticket_type_id = ?" }, \
	[TICKETS_SQL_SHOP_SEAT] = { "tickets.shop_seat",                                                              \
	  "SELECT label, category FROM tickets_seat WHERE tenant_id = ? AND seat_map_id = ? AND seat_no = ?" },       \
	[TICKETS_SQL_SHOP_QUOTA] = { "tickets.shop_quota",                                                            \
	  "SELECT id, name, price_category FROM tickets_ga_quota WHERE tenant_id = ? AND performance_id = ?"          \
	  " AND (? = 0 OR id = ?) ORDER BY id LIMIT 1" },

/* every minute: unpaid orders past their payment deadline give their seats back */
#define SHOP_JOBS { "tickets.order_expiry", "every 1m", shop_expire_unpaid },

#endif
