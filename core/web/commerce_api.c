/*
 * What a module's request needs to call the booking functions (core/commerce/booking.h): the
 * tenant, its key and name, who acts, the application's clock.
 */
#include "clock.h"
#include "commerce_web.h"

void mg_commerce_env(struct mg_ctx *ctx, struct mg_commerce_env *env)
{
	uint64_t staff = mg_staff_id(ctx);
	*env = (struct mg_commerce_env){
		.tenant_id = mg_tenant_id(ctx),
		.key = mg_ctx_tenant_key(ctx),
		.tenant_name = mg_tenant_name(ctx),
		.actor = staff ? mg_arena_printf(mg_arena(ctx), "staff:%llu", (unsigned long long)staff) : "buyer",
		.now = mg_now(),
		.time_zone = mg_tenant_time_zone(ctx),
	};
}
