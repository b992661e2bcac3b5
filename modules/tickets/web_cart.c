/*
 * The buyer's cart and checkout pages (see web.h): the cart with its items, total and the
 * hold's deadline (in the tenant's zone, with the minutes left; a small script ticks it down), removing an
 * item or everything, and checkout — name, e-mail, phone, payment method — with each error
 * beside its field and the typed values kept. A lapsed hold answers 410 with a page saying the
 * seats were released. Checkout itself is shop_checkout(): these pages add no buying logic.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "web.h"

enum { CART_TOKEN_LEN = MG_CART_TOKEN_CHARS, PHONE_MAX = 30 };

/* The payment methods a buyer may choose on the web, in the order they are offered. */
static const char *const payment_methods[] = { "box_office", "bank_transfer", "test_card", NULL };

const char *web_path(struct mg_ctx *ctx, const char *rest)
{
	return mg_arena_printf(mg_arena(ctx), "/%s/tickets%s", mg_tenant_slug(ctx), rest);
}

static const char *cookie_name(struct mg_ctx *ctx)
{
	return mg_arena_printf(mg_arena(ctx), "mg_cart_%s", mg_tenant_slug(ctx));
}

static bool token_shaped(const char *s)
{
	if (s == NULL || strlen(s) != CART_TOKEN_LEN)
		return false;
	for (const char *c = s; *c != '\0'; c++)
		if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_')
			return false;
	return true;
}

const char *web_cart_token(struct mg_ctx *ctx)
{
	const char *token = mg_cookie(ctx, cookie_name(ctx));
	return token_shaped(token) ? token : NULL;
}

enum mg_err web_cart_remember(struct mg_ctx *ctx, const char *token)
{
	return token != NULL ? mg_set_cookie(ctx, cookie_name(ctx), token, -1)
			     : mg_set_cookie(ctx, cookie_name(ctx), "", 0);
}

enum mg_err web_cart_for_adding(struct mg_ctx *ctx, const char **token)
{
	const char *known = web_cart_token(ctx);
	struct mg_cart_view view;
	if (known != NULL && mg_cart_get(ctx, known, &view) == MG_OK) {
		*token = known;
		return MG_OK;
	}
	char *fresh = mg_arena_alloc(mg_arena(ctx), MG_CART_TOKEN_CHARS + 1);
	struct mg_cart cart;
	enum mg_err err = mg_cart_new(ctx, fresh, &cart);
	if (err == MG_OK)
		err = web_cart_remember(ctx, fresh);
	*token = fresh;
	return err;
}

enum mg_err web_hold_lapsed(struct mg_ctx *ctx)
{
	web_cart_remember(ctx, NULL);
	json_t *data = json_pack("{s:s, s:s, s:s}", "page_title", mg_tr(ctx, N_("Your hold has lapsed")), "events_href",
				 web_path(ctx, ""), "cart_href", web_path(ctx, "/cart"));
	return mg_render(ctx, 410, "tickets/buy_lapsed", data);
}

/* The deadline of the hold as people read it: local time and whole minutes left (rounded up), and
 * the seconds for the script. */
static json_t *hold_json(struct mg_ctx *ctx, time_t expires_at)
{
	time_t now = mg_now();
	long left = expires_at > now ? (long)(expires_at - now) : 0;
	return json_pack("{s:s, s:s, s:i, s:i}", "deadline", mg_time_text(ctx, expires_at, MG_TZ_MINUTE), "datetime",
			 tickets_iso_utc(mg_arena(ctx), expires_at), "minutes", (int)((left + 59) / 60), "seconds",
			 (int)left);
}

static json_t *items_json(struct mg_ctx *ctx, const struct mg_cart_view *v)
{
	json_t *items = json_array();
	for (size_t i = 0; i < v->n; i++) {
		const struct mg_cart_item *it = &v->items[i];
		json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:I, s:I, s:s}", "description", it->description,
						       "amount", mg_yen(mg_arena(ctx), it->amount), "kind", tickets_public_kind(it->kind),
						       "resource", (json_int_t)it->resource, "unit", (json_int_t)it->unit,
						       "id", mg_arena_printf(mg_arena(ctx), "item-%zu", i + 1)));
	}
	return items;
}

/* The buyer's cart now: MG_OK with a view (an empty one when there is none), MG_ERR_EXPIRED
 * when its hold lapsed. A cart that is gone (checked out, abandoned) reads as empty. */
static enum mg_err current_cart(struct mg_ctx *ctx, const char **token, struct mg_cart_view *v)
{
	*v = (struct mg_cart_view){ 0 };
	*token = web_cart_token(ctx);
	if (*token == NULL)
		return MG_OK;
	enum mg_err err = mg_cart_get(ctx, *token, v);
	if (err == MG_ERR_NOT_FOUND) {
		web_cart_remember(ctx, NULL);
		*token = NULL;
		*v = (struct mg_cart_view){ 0 };
		return MG_OK;
	}
	return err;
}

/*
 * GET /<slug>/tickets/cart — what the buyer holds: each item with its seat and price, the
 * total, the hold's deadline with a countdown, remove and empty buttons, the way to checkout.
 * Changes nothing (a lapsed hold: the 410 page).
 */
enum mg_err web_cart_page(struct mg_ctx *ctx)
{
	const char *token;
	struct mg_cart_view v;
	enum mg_err err = current_cart(ctx, &token, &v);
	if (err == MG_ERR_EXPIRED)
		return web_hold_lapsed(ctx);
	if (err != MG_OK)
		return err;
	json_t *data = json_pack("{s:s, s:o, s:s, s:s, s:s, s:s, s:s}", "page_title", mg_tr(ctx, N_("Your cart")), "items",
				 items_json(ctx, &v), "total", mg_yen(mg_arena(ctx), v.total), "events_href",
				 web_path(ctx, ""), "checkout_href", web_path(ctx, "/checkout"), "remove_action",
				 web_path(ctx, "/cart/remove"), "empty_action", web_path(ctx, "/cart/empty"));
	if (v.n > 0)
		json_object_set_new(data, "hold", hold_json(ctx, v.cart.expires_at));
	return mg_render(ctx, 200, "tickets/buy_cart", data);
}

const struct mg_field web_remove_fields[] = {
	{ "kind", MG_FROM_FORM, "seat|ga|merch", true, 8, N_("Item"), MG_TEXT_NFKC },
	{ "resource", MG_FROM_FORM, MG_ID_PATTERN, true, 18, N_("Item"), MG_TEXT_NFKC },
	{ "unit", MG_FROM_FORM, "[0-9]{1,9}", true, 9, N_("Item"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};

/* POST /<slug>/tickets/cart/remove — takes one item out of the cart; its seat or place is free
 * for everyone at once. Back to the cart. */
enum mg_err web_cart_remove(struct mg_ctx *ctx)
{
	const char *token = web_cart_token(ctx);
	uint64_t resource;
	enum mg_err err = mg_form_id(ctx, "resource", &resource);
	if (err != MG_OK)
		return MG_ERR_INPUT; /* required and checked: only a broken form gets here */
	if (token != NULL) {
		/* the form names the kind as buyers saw it ("seat"); the inventory's is namespaced */
		const char *kind = mg_arena_printf(mg_arena(ctx), TICKETS_KIND_PREFIX "%s", mg_form(ctx, "kind"));
		err = mg_cart_take_out(ctx, token, kind, resource, (uint32_t)strtoul(mg_form(ctx, "unit"), NULL, 10));
		if (err == MG_ERR_EXPIRED)
			return web_hold_lapsed(ctx);
		if (err != MG_OK && err != MG_ERR_NOT_FOUND) /* gone already: the cart shows it */
			return err;
	}
	return mg_redirect(ctx, 303, web_path(ctx, "/cart"));
}

/* POST /<slug>/tickets/cart/empty — abandons the cart and frees everything it held. */
enum mg_err web_cart_empty(struct mg_ctx *ctx)
{
	const char *token = web_cart_token(ctx);
	if (token != NULL) {
		enum mg_err err = mg_cart_drop(ctx, token);
		if (err != MG_OK && err != MG_ERR_NOT_FOUND)
			return err;
		web_cart_remember(ctx, NULL);
	}
	return mg_redirect(ctx, 303, web_path(ctx, "/cart"));
}

/* ---- checkout ---- */

const struct mg_field web_checkout_fields[] = {
	/* checked in the handler, so that each error stands beside its field */
	{ "name", MG_FROM_FORM, NULL, false, 400, N_("Name"), MG_TEXT_NFKC },
	{ "email", MG_FROM_FORM, NULL, false, 254, N_("E-mail address"), MG_TEXT_NFKC },
	{ "phone", MG_FROM_FORM, NULL, false, 120, N_("Phone"), MG_TEXT_NFKC },
	{ "payment", MG_FROM_FORM, NULL, false, 32, N_("Payment method"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};

static json_t *payments_json(struct mg_ctx *ctx, const char *chosen)
{
	json_t *list = json_array();
	for (size_t i = 0; payment_methods[i] != NULL; i++) {
		const char *label = mg_payment_method_label(payment_methods[i]);
		if (label == NULL)
			continue;
		bool checked = chosen != NULL ? strcmp(chosen, payment_methods[i]) == 0 : i == 0;
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:b}", "value", payment_methods[i], "label",
						      mg_tr(ctx, label), "id",
						      mg_arena_printf(mg_arena(ctx), "payment-%s", payment_methods[i]),
						      "checked", checked));
	}
	return list;
}

struct buyer {
	const char *name, *email, *phone, *payment;
};

static enum mg_err render_checkout(struct mg_ctx *ctx, int status, const struct mg_cart_view *v,
				   const struct buyer *typed, json_t *errors, const char *problem)
{
	json_t *data = json_pack("{s:s, s:o, s:s, s:o, s:s, s:s, s:s, s:o, s:o, s:s, s:s}", "page_title",
				 mg_tr(ctx, N_("Checkout")), "items", items_json(ctx, v), "total",
				 mg_yen(mg_arena(ctx), v->total), "hold", hold_json(ctx, v->cart.expires_at), "name",
				 typed->name, "email", typed->email, "phone", typed->phone, "payments",
				 payments_json(ctx, typed->payment), "errors", errors ? errors : json_object(), "action",
				 web_path(ctx, "/checkout"), "cart_href", web_path(ctx, "/cart"));
	if (problem != NULL)
		json_object_set_new(data, "problem", json_string(problem));
	if (mg_customer_id(ctx) != 0)
		json_object_set_new(data, "customer", json_true());
	return mg_render(ctx, status, "tickets/buy_checkout", data);
}

/* The cart for checkout, or an answer already given (none or empty: back to the cart; lapsed:
 * the 410 page). */
static enum mg_err cart_for_checkout(struct mg_ctx *ctx, const char **token, struct mg_cart_view *v, bool *answered)
{
	*answered = true;
	enum mg_err err = current_cart(ctx, token, v);
	if (err == MG_ERR_EXPIRED)
		return web_hold_lapsed(ctx);
	if (err != MG_OK)
		return err;
	if (*token == NULL || v->n == 0)
		return mg_redirect(ctx, 303, web_path(ctx, "/cart"));
	*answered = false;
	return MG_OK;
}

/* GET /<slug>/tickets/checkout — the buyer's details (a logged-in customer's prefilled) and the
 * payment methods, beside what the cart holds and until when. Changes nothing. */
enum mg_err web_checkout_page(struct mg_ctx *ctx)
{
	const char *token;
	struct mg_cart_view v;
	bool answered;
	enum mg_err err = cart_for_checkout(ctx, &token, &v, &answered);
	if (answered)
		return err;
	struct buyer known = { "", "", "", NULL };
	mg_customer_contact(ctx, &known.name, &known.email, &known.phone); /* none: empty fields */
	return render_checkout(ctx, 200, &v, &known, NULL, NULL);
}

static bool phone_ok(const char *s)
{
	size_t digits = 0;
	for (const char *c = s; *c != '\0'; c++) {
		if (isdigit((unsigned char)*c))
			digits++;
		else if (strchr("+-() ", *c) == NULL)
			return false;
	}
	return digits >= 6 && strlen(s) <= PHONE_MAX;
}

/* Each field's error, by the field; true when there is none. */
static bool check_buyer(struct mg_ctx *ctx, const struct buyer *b, json_t *errors)
{
	if (!catalog_text_ok(b->name, MG_ORDER_NAME_MAX))
		catalog_field_error(ctx, errors, "name", N_("Enter your name (at most 100 characters)."));
	if (b->email[0] == '\0')
		catalog_field_error(ctx, errors, "email", N_("Enter your e-mail address: your tickets are sent there."));
	else if (!mg_email_acceptable(b->email))
		catalog_field_error(ctx, errors, "email",
				    N_("This is not an e-mail address we can send to. Check it (for example name@example.jp)."));
	if (b->phone[0] != '\0' && !phone_ok(b->phone))
		catalog_field_error(ctx, errors, "phone",
				    N_("Enter a phone number with digits (and + - ( ) or spaces), or leave it empty."));
	if (b->payment[0] == '\0' || mg_payment_method_label(b->payment) == NULL)
		catalog_field_error(ctx, errors, "payment", N_("Choose how you will pay."));
	return json_object_size(errors) == 0;
}

/*
 * POST /<slug>/tickets/checkout — makes an order of the cart (shop_checkout: units sold,
 * e-tickets issued, the confirmation mail queued, audited as order.placed), then sends the
 * buyer to the order page, or to the card provider's page for a card. A field in error comes
 * back beside it with what was typed; a lapsed hold is the 410 page with nothing written.
 */
enum mg_err web_checkout(struct mg_ctx *ctx)
{
	const char *token;
	struct mg_cart_view v;
	bool answered;
	enum mg_err err = cart_for_checkout(ctx, &token, &v, &answered);
	if (answered)
		return err;
	struct buyer typed = { catalog_typed(ctx, "name"), catalog_typed(ctx, "email"), catalog_typed(ctx, "phone"),
			       catalog_typed(ctx, "payment") };
	json_t *errors = json_object();
	if (!check_buyer(ctx, &typed, errors))
		return render_checkout(ctx, 400, &v, &typed, errors, NULL);
	json_decref(errors);
	struct shop_order order;
	err = shop_checkout(ctx, token, typed.name, typed.email, typed.phone[0] ? typed.phone : NULL, typed.payment, "web",
			    &order);
	if (err == MG_ERR_EXPIRED)
		return web_hold_lapsed(ctx);
	if (err == MG_ERR_NOT_FOUND) /* checked out meanwhile (another tab) */
		return mg_redirect(ctx, 303, web_path(ctx, "/cart"));
	if (err == MG_ERR_INPUT)
		return render_checkout(ctx, 400, &v, &typed, NULL,
				       mg_tr(ctx, N_("The order could not be made from these details. Please check them.")));
	if (err != MG_OK)
		return err;
	web_cart_remember(ctx, NULL);
	const char *next = order.order.payment_url ? order.order.payment_url : order.order.view_path;
	return mg_redirect(ctx, 303, next ? next : web_path(ctx, ""));
}
