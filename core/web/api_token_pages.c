/*
 * The back-office page where administrators create, list and revoke staff API tokens
 * (/<slug>/admin/api-tokens). The tokens themselves: core/auth/api_token.c.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "api_token.h"
#include "api_token_pages.h"
#include "backoffice.h"
#include "clock.h"
#include "http.h"
#include "i18n.h"
#include "staff.h"
#include "tz.h"

/* ---- the back-office page ---- */

/* The tenant's active staff as [{id, label, selected}] for the "acts as" choice. */
static json_t *staff_choices(struct mg_ctx *ctx, json_t *accounts, const char *selected)
{
	json_t *choices = json_array(), *account;
	size_t i;
	json_array_foreach(accounts, i, account) {
		if (!json_is_true(json_object_get(account, "active")))
			continue;
		const char *id = json_string_value(json_object_get(account, "id"));
		json_array_append_new(choices, json_pack("{s:s, s:s, s:b}", "id", id, "label",
							 mg_arena_printf(mg_arena(ctx), "%s (%s)",
									 json_string_value(json_object_get(account, "name")),
									 json_string_value(json_object_get(account, "login"))),
							 "selected", selected != NULL && strcmp(selected, id) == 0));
	}
	return choices;
}

static json_t *find_account(json_t *accounts, const char *id)
{
	json_t *account;
	size_t i;
	json_array_foreach(accounts, i, account)
		if (strcmp(json_string_value(json_object_get(account, "id")), id) == 0)
			return account;
	return NULL;
}

/* The list of tokens with who each acts as; NULL and *err on a database error. */
static json_t *token_list(struct mg_ctx *ctx, json_t *accounts, enum mg_err *err)
{
	struct mg_rows rows;
	struct mg_dbval key[] = { MG_INT(mg_tenant_id(ctx)) };
	if ((*err = mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &mg_api_token_statements[MG_SQL_API_TOKEN_LIST], key, 1,
	                       &rows, NULL, NULL)) != MG_OK)
		return NULL;
	json_t *list = json_array();
	for (size_t r = 0; r < rows.nrows; r++) {
		json_t *account = find_account(accounts, MG_CELL(&rows, r, 1));
		const char *who = account ? mg_arena_printf(mg_arena(ctx), "%s (%s)",
							    json_string_value(json_object_get(account, "name")),
							    json_string_value(json_object_get(account, "login")))
					  : "?";
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s}", "id", MG_CELL(&rows, r, 0),
						      "name", MG_CELL(&rows, r, 2), "staff", who, "created",
						      mg_time_cell(ctx, MG_CELL(&rows, r, 3), MG_TZ_MINUTE), "last_used",
						      mg_time_cell(ctx, MG_CELL(&rows, r, 4), MG_TZ_MINUTE), "revoked",
						      mg_time_cell(ctx, MG_CELL(&rows, r, 5), MG_TZ_MINUTE), "staff_active",
						      account != NULL && json_is_true(json_object_get(account, "active")),
						      "revoke_action",
						      mg_arena_printf(mg_arena(ctx), "%s/%s/revoke", mg_admin_path(ctx, "/api-tokens"),
								      MG_CELL(&rows, r, 0))));
	}
	return list;
}

static enum mg_err render_page(struct mg_ctx *ctx, int status, json_t *errors)
{
	enum mg_err err;
	json_t *accounts = mg_staff_list(mg_ctx_db(ctx), mg_arena(ctx), mg_ctx_tenant_key(ctx), mg_tenant_id(ctx), &err);
	if (accounts == NULL) {
		json_decref(errors);
		return err;
	}
	json_t *tokens = token_list(ctx, accounts, &err);
	if (tokens == NULL) {
		json_decref(accounts);
		json_decref(errors);
		return err;
	}
	const char *staff = mg_form_typed(ctx, "staff");
	if (staff == NULL)
		staff = mg_arena_printf(mg_arena(ctx), "%llu", (unsigned long long)mg_staff_id(ctx));
	const char *name = mg_form_typed(ctx, "name");
	json_t *data = mg_admin_page(ctx, N_("API tokens"));
	json_object_set_new(data, "tokens", tokens);
	json_object_set_new(data, "staff_choices", staff_choices(ctx, accounts, staff));
	json_object_set_new(data, "action", json_string(mg_admin_path(ctx, "/api-tokens")));
	json_object_set_new(data, "form", json_pack("{s:s}", "name", name ? name : ""));
	json_object_set_new(data, "errors", errors ? errors : json_object());
	json_decref(accounts);
	return mg_render(ctx, status, "core/admin_api_tokens", data);
}

/* GET /<slug>/admin/api-tokens — the tokens (never their value) and the form for a new one. */
static enum mg_err tokens_page(struct mg_ctx *ctx)
{
	return render_page(ctx, 200, NULL);
}

/* The active staff member of this tenant the form names, or 0 with a message in errors. */
static uint64_t chosen_staff(struct mg_ctx *ctx, json_t *errors)
{
	uint64_t id;
	struct mg_staff staff;
	if (mg_form_id(ctx, "staff", &id) == MG_OK &&
	    mg_staff_load(mg_ctx_db(ctx), mg_arena(ctx), NULL, mg_tenant_id(ctx), id, &staff) == MG_OK && staff.active)
		return staff.id;
	json_object_set_new(errors, "staff", json_string(mg_tr(ctx, N_("Choose an active staff member."))));
	return 0;
}

/* POST /<slug>/admin/api-tokens — makes a token and shows it once; audited. */
static enum mg_err token_create(struct mg_ctx *ctx)
{
	json_t *errors = json_object();
	const char *name = mg_form(ctx, "name");
	if (name == NULL || name[0] == '\0' || strlen(name) > 100)
		json_object_set_new(errors, "name", json_string(mg_tr(ctx,
			N_("Give the token a name of at most 100 characters, such as the gate or device it is for."))));
	uint64_t staff = chosen_staff(ctx, errors);
	if (json_object_size(errors) > 0)
		return render_page(ctx, 422, errors);
	json_decref(errors);
	char token[MG_TOKEN_CHARS + 1];
	uint64_t id = 0;
	enum mg_err err = mg_api_token_create(mg_ctx_db(ctx), mg_tenant_id(ctx), staff, name, token, &id);
	if (err != MG_OK)
		return err;
	mg_audit(ctx, "api_token.create", mg_arena_printf(mg_arena(ctx), "api_token:%llu", (unsigned long long)id),
		 "success", mg_arena_printf(mg_arena(ctx), "staff:%llu %s", (unsigned long long)staff, name));
	json_t *data = mg_admin_page(ctx, N_("API token created"));
	json_object_set_new(data, "token", json_pack("{s:s, s:s}", "name", name, "value", token));
	json_object_set_new(data, "list_href", json_string(mg_admin_path(ctx, "/api-tokens")));
	err = mg_render(ctx, 200, "core/admin_api_token_created", data);
	OPENSSL_cleanse(token, sizeof(token));
	return err;
}

/* POST /<slug>/admin/api-tokens/<id>/revoke — the token stops working at once; audited. */
static enum mg_err token_revoke(struct mg_ctx *ctx)
{
	uint64_t id;
	enum mg_err err = mg_param_id(ctx, "id", &id);
	if (err != MG_OK)
		return err;
	struct mg_rows rows;
	struct mg_dbval key[] = { MG_INT(mg_tenant_id(ctx)), MG_INT(id) };
	err = mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &mg_api_token_statements[MG_SQL_API_TOKEN_GET], key, 2, &rows,
	                 NULL, NULL);
	if (err != MG_OK)
		return err;
	if (rows.nrows != 1)
		return MG_ERR_NOT_FOUND; /* another tenant's token is simply not here */
	struct mg_dbval args[] = { MG_INT(mg_now()), MG_INT(mg_tenant_id(ctx)), MG_INT(id) };
	unsigned long long affected = 0;
	if ((err = mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &mg_api_token_statements[MG_SQL_API_TOKEN_REVOKE], args, 3,
	                      NULL, &affected, NULL)) != MG_OK)
		return err;
	if (affected == 1)
		mg_audit(ctx, "api_token.revoke", mg_arena_printf(mg_arena(ctx), "api_token:%llu", (unsigned long long)id),
			 "success", MG_CELL(&rows, 0, 1));
	return mg_redirect(ctx, 303, mg_admin_path(ctx, "/api-tokens"));
}

static const struct mg_field create_fields[] = {
	{ "name", MG_FROM_FORM, NULL, false, 400, N_("Name"), MG_TEXT_RAW },
	{ "staff", MG_FROM_FORM, MG_ID_PATTERN, false, 19, N_("Acts as"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};

const struct mg_route mg_api_token_routes[] = {
	{ "GET", "/api-tokens", tokens_page, MG_SCOPE_ADMIN, "core.api_tokens", MG_NO_FIELDS,
	  "staff API tokens: list and the form for a new one" },
	{ "POST", "/api-tokens", token_create, MG_SCOPE_ADMIN, "core.api_tokens", create_fields,
	  "create a staff API token (shown once, stored hashed)" },
	{ "POST", "/api-tokens/" MG_ID_GROUP("id") "/revoke", token_revoke, MG_SCOPE_ADMIN, "core.api_tokens", MG_NO_FIELDS,
	  "revoke a staff API token" },
	{ NULL, NULL, NULL, 0, NULL, NULL, NULL },
};
