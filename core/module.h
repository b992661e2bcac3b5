/*
 * The one interface between the core and a plug-in module (tickets, rentals, lessons, and
 * any later one). A module is a shared object exporting exactly one symbol:
 *
 *     const struct mg_module mg_module = { .abi = MG_MODULE_ABI, .name = "tickets", ... };
 *
 * and it calls back into the core only through the functions declared here.
 */
#ifndef MG_MODULE_H
#define MG_MODULE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "arena.h"
#include "buf.h"
#include "cart.h"
#include "clock.h"
#include "crypto.h"
#include "csv.h"
#include "db.h"
#include "err.h"
#include "input.h"
#include "inventory.h"
#include "calendar.h"
#include "log.h"
#include "lottery.h"
#include "modules.h"
#include "order.h"
#include "payment.h"
#include "request.h"
#include "shop_api.h"
#include "tz.h"


/* ---- carts and orders: core/commerce/cart.h, order.h, payment.h (included above) ---- */

/* Checkout, order look-up, payment outcomes, cancellation and the unpaid expiry: order.h
 * (mg_order_checkout, mg_order_find, mg_order_payment_result, mg_order_cancel,
 * mg_orders_expire_due); money for people: mg_yen; times in the tenant's zone: mg_time_text,
 * mg_time_cell (request.h) and tz.h. */


/* ---- gate: check-in and the back office's orders (issue 4) ---- */

/* (the back-office frame, mg_admin_page/mg_admin_path, and mg_form_values: see the
 * "back office" block below) */
/* A sealed buyer column of orders ("buyer_name" or "buyer_email") opened with the tenant's
 * key (arena), or NULL when it is NULL or does not open (core/web/order_admin.c). */
const char *mg_order_buyer_text(struct mg_ctx *ctx, const char *column, const void *sealed, size_t len);
/* The value of orders.buyer_email_hmac for a typed address (normalised as at checkout);
 * MG_ERR_INPUT when it is not an e-mail address. */
enum mg_err mg_order_email_key(struct mg_ctx *ctx, const char *typed, char hmac[65]);
/* CSV exports (UTF-8 BOM, CRLF, formula guard): core/base/csv.h, mg_csv_begin/field/int/end_row. */
/* ---- back office (module pages), rendering without answering, shipped schema files, what
 *      module commands need ---- */

/* "/<slug>/admin<rest>", in the request's arena. */
const char *mg_admin_path(struct mg_ctx *ctx, const char *rest);
/* The data every back-office page starts from: title (translated), menu, logout form, home;
 * the page's template includes "core/admin_nav". */
json_t *mg_admin_page(struct mg_ctx *ctx, const char *title_msgid);
/* The id of the tenant with this slug (for commands; routes have mg_tenant_id): MG_ERR_NOT_FOUND
 * when there is none. */
enum mg_err mg_tenant_lookup(struct mg_db *db, struct mg_arena *arena, const char *slug, uint64_t *id);
/* Appends a successful event to the tenant's audit log for a command (actor e.g. "cli"), in the
 * caller's transaction (mg_db_transaction). */
enum mg_err mg_audit_command(struct mg_db *db, struct mg_arena *arena, uint64_t tenant_id, const char *actor,
			     const char *action, const char *object, const char *detail);

/* ---- web: the public buying pages (issue 4, item 4; core/web/buyer.c) ---- */

/* The logged-in customer's name, e-mail address and phone ("" for what is unknown), to
 * prefill a checkout form; MG_ERR_NOT_FOUND when no customer is logged in. Strings in the
 * arena. */
enum mg_err mg_customer_contact(struct mg_ctx *ctx, const char **name, const char **email, const char **phone);
/* Whether typed is an e-mail address a checkout accepts (as mg_order_checkout checks it). */
bool mg_email_acceptable(const char *typed);

/* ==== commerce for every module (issue 10, item 6; branch commerce) ===========================
 * Kept together so the module.h reorganisation can move it as one block. The types and the
 * functions that need no request are declared in the headers included here:
 *   core/commerce/hold.h     provisional holds (仮予約) over inventory units, hours to weeks:
 *                            mg_hold_create, mg_hold_units, mg_hold_any, mg_hold_get,
 *                            mg_hold_of_owner, mg_hold_confirm, mg_hold_close
 *   core/commerce/booking.h  orders of bookings and enrolments from signed money lines:
 *                            mg_booking_order (requested / awaiting payment), mg_booking_approve,
 *                            mg_booking_decline, mg_booking_paid, mg_booking_cancel (the
 *                            module's fee ladder, fee + refund payment rows), mg_order_history
 *   core/commerce/money.h    line types (MG_LINE_*), mg_money_total (never negative),
 *                            mg_money_reduction (減免), mg_money_tax_included (10 %, rounded
 *                            down), mg_invoice_number_valid, struct mg_fee_rule, mg_fee_percent
 *   core/commerce/order.h    mg_order_state_label, mg_order_history_add, struct mg_order_mail
 *                            and the descriptor's .order_mail (the module's own mail text)
 * Inventory kinds are "<module>.<kind>" ("tickets.seat", "rentals.block").
 */
#include "booking.h"
#include "hold.h"
#include "money.h"

/* The environment the booking functions take, for this request: its tenant, the tenant's key
 * and name, who acts ("staff:<id>" in the back office, else "buyer"), the application clock
 * and the tenant's zone. Call as
 *   struct mg_commerce_env env; mg_commerce_env(ctx, &env);
 *   mg_booking_approve(mg_ctx_db(ctx), mg_arena(ctx), &env, code, deadline, note); */
void mg_commerce_env(struct mg_ctx *ctx, struct mg_commerce_env *env);
/* The tenant's invoice registration number ("T" + 13 digits, set by its administrators in the
 * back office), or NULL when it has none. */
const char *mg_invoice_number(struct mg_ctx *ctx);
/* An English msgid in a language ("ja", "en") without a request: a module's mail text in
 * the buyer's language (core/base/i18n.c). */
const char *mg_i18n_translate(const char *lang, const char *msgid);
/* "/<slug>/receipts/R1-<code>.<signature>": the printable receipt (領収書) of a paid order,
 * signed with the tenant's key like an e-ticket (arena); NULL when it cannot be signed. */
const char *mg_receipt_path(struct mg_ctx *ctx, const char *code);
/* ==== end of commerce for every module ======================================================= */

#endif
