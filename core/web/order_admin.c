/*
 * What the back office needs of orders beyond core/commerce/order.c (gate work, issue 4 item 6): the
 * sealed buyer columns of many orders opened for a list or a CSV without loading each order,
 * and the keyed look-up value of a typed e-mail address for searching by it. Declared in
 * core/module.h ("gate").
 */
#include <string.h>

#include "module.h"
#include "crypto.h"
#include "http.h"
#include "mail.h"
#include "people.h"

/* The associated data core/commerce/order.c seals orders.<column> with (its aad()): keep them equal. */
static const char *buyer_aad(struct mg_arena *arena, uint64_t tenant, const char *column)
{
	return mg_arena_printf(arena, "orders.%s:tenant=%llu", column, (unsigned long long)tenant);
}

const char *mg_order_buyer_text(struct mg_ctx *ctx, const char *column, const void *sealed, size_t len)
{
	const unsigned char *key = mg_ctx_tenant_key(ctx);
	if (sealed == NULL || key == NULL || (strcmp(column, "buyer_name") != 0 && strcmp(column, "buyer_email") != 0))
		return NULL;
	struct mg_buf plain;
	mg_buf_init(&plain);
	const char *out = NULL;
	if (mg_unseal(key, buyer_aad(mg_arena(ctx), mg_tenant_id(ctx), column), sealed, len, &plain) == MG_OK)
		out = mg_arena_strdup(mg_arena(ctx), plain.len > 0 ? plain.data : "");
	mg_buf_free(&plain);
	return out;
}

enum mg_err mg_order_email_key(struct mg_ctx *ctx, const char *typed, char hmac[65])
{
	const unsigned char *key = mg_ctx_tenant_key(ctx);
	char email[MG_EMAIL_MAX + 1];
	if (key == NULL)
		return MG_ERR_INTERNAL;
	if (typed == NULL || !mg_email_normalise(typed, email, sizeof(email)))
		return MG_ERR_INPUT;
	return mg_person_email_hmac(key, email, hmac);
}
