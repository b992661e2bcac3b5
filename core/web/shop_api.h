/*
 * Carts and orders for a request (core/module.h, "carts and orders"): the request's tenant,
 * its key, the buyer's language, the logged-in customer or staff member and the audit details
 * are taken from the request and handed to core/commerce (struct mg_caller), so that commerce
 * itself never sees a request.
 */
#ifndef MG_SHOP_API_H
#define MG_SHOP_API_H

#include <stdbool.h>
#include <stdint.h>

#include "cart.h"
#include "order.h"
#include "request.h"

/* The caller of a request, as the order functions take it. */
void mg_caller_of(struct mg_ctx *ctx, struct mg_caller *out);

/* ---- carts ---- */

/* A new open cart of the request's tenant (the logged-in customer's on public pages, the
 * staff member's in the back office); token receives the buyer's key to it. */
enum mg_err mg_cart_new(struct mg_ctx *ctx, char token[MG_CART_TOKEN_CHARS + 1], struct mg_cart *out);
/* Holds units in the cart, all or nothing (see struct mg_cart_add); MG_ERR_CONFLICT lists the
 * units that were not free in out->unavailable, MG_ERR_EXPIRED when the cart's hold lapsed. */
enum mg_err mg_cart_put(struct mg_ctx *ctx, const char *token, const struct mg_cart_add *add, struct mg_cart_added *out);
/* Takes one unit out of the cart and frees it. */
enum mg_err mg_cart_take_out(struct mg_ctx *ctx, const char *token, const char *kind, uint64_t resource, uint32_t unit);
/* The cart, its items, total and expiry. */
enum mg_err mg_cart_get(struct mg_ctx *ctx, const char *token, struct mg_cart_view *out);
/* Abandons the cart and frees its units. */
enum mg_err mg_cart_drop(struct mg_ctx *ctx, const char *token);


/* ---- orders ---- */

/* Makes an order of a buyer's cart (see the top). Errors, with nothing written: MG_ERR_EXPIRED
 * (the hold lapsed: answer 410), MG_ERR_NOT_FOUND (no such open cart), MG_ERR_INPUT (empty
 * cart, unknown payment method, a name or e-mail that is missing or malformed), the hook's.
 * The buyer is the logged-in customer (mg_customer_id) on a web checkout, else a guest person
 * made from the e-mail address. Audited as order.placed. */
enum mg_err mg_order_checkout(struct mg_ctx *ctx, const struct mg_checkout *co, struct mg_order *out);

/* The tenant's order with this code, its lines and the buyer unsealed; MG_ERR_NOT_FOUND. */
enum mg_err mg_order_find(struct mg_ctx *ctx, const char *code, struct mg_order *out);

/*
 * A payment's outcome reported by its provider (a card callback, staff confirming a bank
 * transfer or taking cash: provider_ref NULL means the order's open payment of that
 * provider). Succeeded: payment 'succeeded', a pending order 'paid' and the "paid" mail
 * queued; failed: payment 'failed', the order stays pending until its deadline. Idempotent:
 * a payment already decided changes nothing and sets *already. MG_ERR_NOT_FOUND when no such
 * payment. Audited.
 */
enum mg_err mg_order_payment_result(struct mg_ctx *ctx, const char *order_code, const char *provider,
					const char *provider_ref, bool succeeded, bool *already);

/* Cancels a pending or paid order (staff, box office): 'cancelled' (or 'refunded' when
 * refund and it was paid), units released, hook called, audited. MG_ERR_CONFLICT when the
 * order is already closed. */
enum mg_err mg_order_cancel(struct mg_ctx *ctx, const char *code, bool refund, mg_order_close_hook hook,
			       void *arg);

#endif
