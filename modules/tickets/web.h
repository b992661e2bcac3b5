/*
 * The public buying pages (issue 4, item 4, in HTML), built on the shop's functions (shop.h)
 * and the catalogue's reads (catalog.h); no login needed, a logged-in customer's details are
 * prefilled. They work without JavaScript; a small script (www/static/cart-countdown.js) only
 * ticks the hold's countdown down.
 *
 *   web_pick.c   /<slug>/tickets/performances/<id>: the seat map with its live states and a
 *                checkbox picker (one section at a time on a big map), "best available"
 *                (best_available.c), a quantity per general-admission quota, merchandise
 *   web_cart.c   /<slug>/tickets/cart (items, total, the hold's deadline and countdown, remove,
 *                empty) and /<slug>/tickets/checkout (buyer, payment; 410 when the hold lapsed)
 *
 * The buyer's cart is known by its token in the cookie "mg_cart_<slug>" (one cart per tenant
 * and browser; HttpOnly, Secure, SameSite=Lax, for the browser session). A cart that lapsed or
 * was checked out is replaced by a new one at the next add.
 */
#ifndef TICKETS_WEB_H
#define TICKETS_WEB_H

#include "shop.h"

/* Shared inside tickets.so only. */
#pragma GCC visibility push(hidden)

/* ---- the cart cookie (web_cart.c) ---- */

/* The token of the buyer's cart from the cookie, or NULL when there is none (or it is not the
 * shape of a token). */
const char *web_cart_token(struct mg_ctx *ctx);
/* Sets the cookie to token (NULL deletes it). */
enum mg_err web_cart_remember(struct mg_ctx *ctx, const char *token);
/* The buyer's cart: the cookie's while it is open and its hold is good, else a new one (and
 * the cookie set). *token in the arena. */
enum mg_err web_cart_for_adding(struct mg_ctx *ctx, const char **token);
/* The 410 page: the hold lapsed and the seats were released (the cookie is deleted). */
enum mg_err web_hold_lapsed(struct mg_ctx *ctx);
/* "/<slug>/tickets<rest>" in the arena. */
const char *web_path(struct mg_ctx *ctx, const char *rest);

/* ---- handlers ---- */

enum mg_err web_performance_page(struct mg_ctx *ctx);
enum mg_err web_hold_seats(struct mg_ctx *ctx);
enum mg_err web_best_available(struct mg_ctx *ctx);
enum mg_err web_hold_places(struct mg_ctx *ctx);
enum mg_err web_add_merch(struct mg_ctx *ctx);
enum mg_err web_cart_page(struct mg_ctx *ctx);
enum mg_err web_cart_remove(struct mg_ctx *ctx);
enum mg_err web_cart_empty(struct mg_ctx *ctx);
enum mg_err web_checkout_page(struct mg_ctx *ctx);
enum mg_err web_checkout(struct mg_ctx *ctx);

extern const struct mg_field web_performance_query[], web_seat_fields[], web_best_fields[], web_place_fields[],
	web_merch_fields[], web_remove_fields[], web_checkout_fields[];

#pragma GCC visibility pop

#define WEB_PERFORMANCE "/tickets/performances/" MG_ID_GROUP("id")

/* The routes, for tickets_routes[] (all public, below /<slug>). */
#define WEB_ROUTES                                                                                                    \
	{ "GET", WEB_PERFORMANCE, web_performance_page, MG_SCOPE_TENANT, NULL, web_performance_query,                \
	  "public: a performance's seat map with live states, best available, admission and merchandise to buy" },   \
	{ "POST", WEB_PERFORMANCE "/seats", web_hold_seats, MG_SCOPE_TENANT, NULL, web_seat_fields,                   \
	  "public: holds the seats ticked in the picker in the buyer's cart (all or nothing)" },                     \
	{ "POST", WEB_PERFORMANCE "/best", web_best_available, MG_SCOPE_TENANT, NULL, web_best_fields,                \
	  "public: holds the best side-by-side seats of a category (no lone seat left)" },                           \
	{ "POST", WEB_PERFORMANCE "/places", web_hold_places, MG_SCOPE_TENANT, NULL, web_place_fields,                \
	  "public: holds a quantity of general-admission places" },                                                   \
	{ "POST", WEB_PERFORMANCE "/merch", web_add_merch, MG_SCOPE_TENANT, NULL, web_merch_fields,                   \
	  "public: puts merchandise in the buyer's cart" },                                                           \
	{ "GET", "/tickets/cart", web_cart_page, MG_SCOPE_TENANT, NULL, MG_NO_FIELDS,                                         \
	  "public: the buyer's cart, its total and the hold's deadline" },                                            \
	{ "POST", "/tickets/cart/remove", web_cart_remove, MG_SCOPE_TENANT, NULL, web_remove_fields,                  \
	  "public: takes one item out of the cart and frees it" },                                                    \
	{ "POST", "/tickets/cart/empty", web_cart_empty, MG_SCOPE_TENANT, NULL, MG_NO_FIELDS,                                 \
	  "public: empties the cart and frees everything it held" },                                                  \
	{ "GET", "/tickets/checkout", web_checkout_page, MG_SCOPE_TENANT, NULL, MG_NO_FIELDS,                                 \
	  "public: the buyer's details and the payment method" },                                                     \
	{ "POST", "/tickets/checkout", web_checkout, MG_SCOPE_TENANT, NULL, web_checkout_fields,                      \
	  "public: makes an order of the cart and issues its e-tickets (410 when the hold lapsed)" },

#endif
