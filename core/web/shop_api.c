/*
 * The request-level carts and orders of core/module.h (see shop_api.h): each fills a
 * struct mg_caller from the request and calls core/commerce.
 */
#include "clock.h"
#include "http.h"
#include "shop_api.h"
#include "tenant.h"

void mg_caller_of(struct mg_ctx *ctx, struct mg_caller *out)
{
	const struct mg_tenant *t = mg_ctx_tenant(ctx);
	*out = (struct mg_caller){
		.db = mg_ctx_db(ctx),
		.arena = mg_arena(ctx),
		.tenant_id = mg_tenant_id(ctx),
		.tenant_slug = mg_tenant_slug(ctx),
		.tenant_name = mg_tenant_name(ctx),
		.time_zone = t != NULL ? mg_tenant_time_zone(ctx) : NULL,
		.lang = mg_lang(ctx),
		.key = mg_ctx_tenant_key(ctx),
		.staff_id = mg_staff_id(ctx),
		.customer_id = mg_customer_id(ctx),
		.audit_actor = mg_ctx_audit_actor(ctx),
		.ip = mg_cgi_param(ctx, "REMOTE_ADDR"),
		.user_agent = mg_cgi_param(ctx, "HTTP_USER_AGENT"),
	};
}

/* ---- carts ---- */

enum mg_err mg_cart_new(struct mg_ctx *ctx, char token[MG_CART_TOKEN_CHARS + 1], struct mg_cart *out)
{
	return mg_cart_open(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), mg_customer_id(ctx), mg_staff_id(ctx),
			    mg_now(), token, out);
}

enum mg_err mg_cart_put(struct mg_ctx *ctx, const char *token, const struct mg_cart_add *add, struct mg_cart_added *out)
{
	return mg_cart_add_units(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), token, add, mg_now(), out);
}

enum mg_err mg_cart_take_out(struct mg_ctx *ctx, const char *token, const char *kind, uint64_t resource, uint32_t unit)
{
	return mg_cart_remove_unit(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), token, kind, resource, unit,
				   mg_now());
}

enum mg_err mg_cart_get(struct mg_ctx *ctx, const char *token, struct mg_cart_view *out)
{
	return mg_cart_view(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), token, mg_now(), out);
}

enum mg_err mg_cart_drop(struct mg_ctx *ctx, const char *token)
{
	return mg_cart_abandon(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), token);
}

/* ---- orders ---- */

enum mg_err mg_order_checkout(struct mg_ctx *ctx, const struct mg_checkout *co, struct mg_order *out)
{
	struct mg_caller who;
	mg_caller_of(ctx, &who);
	return mg_order_checkout_for(&who, co, out);
}

enum mg_err mg_order_find(struct mg_ctx *ctx, const char *code, struct mg_order *out)
{
	struct mg_caller who;
	mg_caller_of(ctx, &who);
	return mg_order_find_for(&who, code, out);
}

enum mg_err mg_order_payment_result(struct mg_ctx *ctx, const char *order_code, const char *provider,
				    const char *provider_ref, bool succeeded, bool *already)
{
	struct mg_caller who;
	mg_caller_of(ctx, &who);
	return mg_order_payment_result_for(&who, order_code, provider, provider_ref, succeeded, already);
}

enum mg_err mg_order_cancel(struct mg_ctx *ctx, const char *code, bool refund, mg_order_close_hook hook, void *arg)
{
	struct mg_caller who;
	mg_caller_of(ctx, &who);
	return mg_order_cancel_for(&who, code, refund, hook, arg);
}
