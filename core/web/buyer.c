/*
 * What the public buying pages of a module need to know of the buyer (core/module.h, "web:
 * buying pages"): the logged-in customer's contact details to prefill a checkout form, and
 * whether a typed e-mail address is one a checkout accepts (so the form can say so beside the
 * field instead of failing the whole checkout).
 */
#include "module.h"
#include "http.h"
#include "mail.h"
#include "people.h"

enum mg_err mg_customer_contact(struct mg_ctx *ctx, const char **name, const char **email, const char **phone)
{
	*name = *email = *phone = "";
	uint64_t id = mg_customer_id(ctx);
	const unsigned char *key = mg_ctx_tenant_key(ctx);
	if (id == 0 || key == NULL)
		return MG_ERR_NOT_FOUND;
	struct mg_person p;
	enum mg_err err = mg_person_load(mg_ctx_db(ctx), mg_arena(ctx), key, mg_tenant_id(ctx), id, &p);
	if (err != MG_OK)
		return err;
	*name = p.name ? p.name : "";
	*email = p.email ? p.email : "";
	*phone = p.phone ? p.phone : "";
	return MG_OK;
}

bool mg_email_acceptable(const char *typed)
{
	char normalised[MG_EMAIL_MAX + 1];
	return typed != NULL && mg_email_normalise(typed, normalised, sizeof(normalised));
}
