/*
 * The receipt (領収書) of a paid order, printable, and the back-office setting of the
 * tenant's invoice registration number (適格請求書発行事業者登録番号) it shows.
 *
 * A receipt names what a Japanese receipt must: the tenant (issuer) and its registration
 * number when set, the buyer (宛名), the date of payment, the amount, what it was for (但し
 *書き), the lines, and the consumption tax the tax-inclusive total contains at 10 %
 * (floor(total × 10 / 110), rounded down once per receipt; core/commerce/money.h).
 */
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "backoffice.h"
#include "commerce_web.h"
#include "money.h"
#include "order.h"
#include "shop_api.h"

#define INVOICE_SETTING "invoice_registration_number"

const struct mg_sql mg_receipt_statements[] = {
	[MG_SQL_RECEIPT_INVOICE_NUMBER_GET] = { "core.invoice_number_get",
	  "SELECT value FROM tenant_setting WHERE tenant_id = ? AND name = '" INVOICE_SETTING "'" },
	[MG_SQL_RECEIPT_INVOICE_NUMBER_SET] = { "core.invoice_number_set",
	  "INSERT INTO tenant_setting (tenant_id, name, value) VALUES (?, '" INVOICE_SETTING "', ?)"
	  " ON DUPLICATE KEY UPDATE value = VALUES(value), updated_at = CURRENT_TIMESTAMP(6)" },
	[MG_SQL_RECEIPT_INVOICE_NUMBER_CLEAR] = { "core.invoice_number_clear",
	  "DELETE FROM tenant_setting WHERE tenant_id = ? AND name = '" INVOICE_SETTING "'" },
	[MG_SQL_RECEIPT__MAX] = { NULL, NULL },
};

const char *mg_invoice_number(struct mg_ctx *ctx)
{
	struct mg_rows rows;
	struct mg_dbval args[] = { MG_INT(mg_tenant_id(ctx)) };
	if (mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &mg_receipt_statements[MG_SQL_RECEIPT_INVOICE_NUMBER_GET], args, 1, &rows, NULL, NULL) != MG_OK ||
	    rows.nrows == 0 || !mg_invoice_number_valid(MG_CELL(&rows, 0, 0)))
		return NULL;
	return MG_CELL(&rows, 0, 0);
}

const char *mg_receipt_path(struct mg_ctx *ctx, const char *code)
{
	const char *signed_code = NULL;
	if (mg_sign_code(ctx, mg_arena_printf(mg_arena(ctx), "R1-%s", code), &signed_code) != MG_OK)
		return NULL;
	return mg_arena_printf(mg_arena(ctx), "/%s/receipts/%s", mg_tenant_slug(ctx), signed_code);
}

/* "2026年5月1日(金)" / "Fri 1 May 2026": the date of an instant in the tenant's zone. */
static const char *receipt_date(struct mg_ctx *ctx, time_t t)
{
	return mg_time_text(ctx, t, MG_TZ_PEOPLE_DATE);
}

/*
 * GET /<slug>/receipts/R1-<order code>.<signature> — the buyer (or staff, from the order)
 * prints the receipt of a paid order. The tenant's signature on the order code is the key to
 * it, as to the order's own page (a bare order code is quoted too widely to show a name to
 * whoever types it). 404 for anything altered or no such order, 409 while it is not paid (no
 * money received, nothing to acknowledge).
 */
static enum mg_err receipt_page(struct mg_ctx *ctx)
{
	struct mg_arena *a = mg_arena(ctx);
	const char *payload = NULL;
	if (mg_verify_code(ctx, mg_param(ctx, "code"), &payload) != MG_OK || strncmp(payload, "R1-", 3) != 0)
		return mg_error(ctx, 404, N_("There is no such order."));
	struct mg_order o;
	enum mg_err err = mg_order_find(ctx, payload + 3, &o);
	if (err == MG_ERR_NOT_FOUND)
		return mg_error(ctx, 404, N_("There is no such order."));
	if (err != MG_OK)
		return err;
	if (strcmp(o.state, "paid") != 0)
		return mg_error(ctx, 409, N_("A receipt is issued once the order is paid."));
	json_t *lines = json_array();
	for (size_t i = 0; i < o.n; i++)
		json_array_append_new(lines, json_pack("{s:s, s:s}", "description", o.lines[i].description, "amount",
						       mg_yen_signed(a, o.lines[i].amount)));
	const char *number = mg_invoice_number(ctx);
	json_t *data = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "page_title", mg_tr(ctx, N_("Receipt")),
				 "issuer", mg_tenant_name(ctx), "buyer", o.buyer_name != NULL ? o.buyer_name : "", "date",
				 receipt_date(ctx, o.paid_at), "code", o.code, "total", mg_yen(a, o.total), "tax",
				 mg_yen(a, (unsigned long long)o.tax), "lines", lines);
	if (number != NULL)
		json_object_set_new(data, "invoice_number", json_string(number));
	return mg_render(ctx, 200, "core/receipt", data);
}

/* The settings form, with an error (a msgid) or none. */
static enum mg_err settings_form(struct mg_ctx *ctx, int status, const char *typed, const char *error, bool saved)
{
	json_t *data = mg_admin_page(ctx, N_("Receipts and invoices"));
	const char *current = mg_invoice_number(ctx);
	json_object_set_new(data, "invoice_number", json_string(typed != NULL ? typed : current ? current : ""));
	json_object_set_new(data, "action", json_string(mg_admin_path(ctx, "/settings/invoice")));
	json_object_set_new(data, "csrf", json_string(mg_csrf_token(ctx)));
	if (error != NULL)
		json_object_set_new(data, "error", json_string(mg_tr(ctx, error)));
	if (saved)
		json_object_set_new(data, "saved", json_true());
	return mg_render(ctx, status, "core/admin_invoice", data);
}

/* GET /<slug>/admin/settings/invoice — administrators see the invoice registration number. */
static enum mg_err invoice_page(struct mg_ctx *ctx)
{
	return settings_form(ctx, 200, NULL, NULL, false);
}

/*
 * POST /<slug>/admin/settings/invoice — administrators set the invoice registration number
 * ("T" + 13 digits; spaces and hyphens people type are dropped) or clear it (empty). Anything
 * else is 400 with the form again. Audited.
 */
static enum mg_err invoice_save(struct mg_ctx *ctx)
{
	const char *typed = mg_form(ctx, "invoice_number");
	char clean[MG_INVOICE_NUMBER_CHARS + 1];
	size_t n = 0;
	for (const char *p = typed != NULL ? typed : ""; *p != '\0'; p++) {
		if (*p == ' ' || *p == '-')
			continue;
		if (n == MG_INVOICE_NUMBER_CHARS)
			return settings_form(ctx, 400, typed,
					     N_("An invoice registration number is T followed by 13 digits."), false);
		clean[n++] = *p == 't' ? 'T' : *p;
	}
	clean[n] = '\0';
	if (n > 0 && !mg_invoice_number_valid(clean))
		return settings_form(ctx, 400, typed, N_("An invoice registration number is T followed by 13 digits."),
				     false);
	struct mg_dbval set[] = { MG_INT(mg_tenant_id(ctx)), MG_TEXT(clean) };
	enum mg_err err = n > 0 ? mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &mg_receipt_statements[MG_SQL_RECEIPT_INVOICE_NUMBER_SET], set, 2, NULL, NULL,
					     NULL)
				: mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &mg_receipt_statements[MG_SQL_RECEIPT_INVOICE_NUMBER_CLEAR], set, 1, NULL, NULL,
					     NULL);
	if (err != MG_OK)
		return err;
	mg_audit(ctx, "settings.invoice_number", INVOICE_SETTING, "success", n > 0 ? clean : "cleared");
	return settings_form(ctx, 200, NULL, NULL, true);
}

static const struct mg_field invoice_fields[] = {
	{ "invoice_number", MG_FROM_FORM, NULL, false, 40, N_("Invoice registration number"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};

const struct mg_route mg_receipt_routes[] = {
	{ "GET", "/receipts/(?<code>R1-[A-Z0-9]{12}\\.[A-Za-z0-9_-]{86})", receipt_page, MG_SCOPE_TENANT, NULL, MG_NO_FIELDS,
	  "the printable receipt (領収書) of a paid order" },
	{ "GET", "/settings/invoice", invoice_page, MG_SCOPE_ADMIN, "core.settings", MG_NO_FIELDS,
	  "the tenant's invoice registration number (shown on receipts)" },
	{ "POST", "/settings/invoice", invoice_save, MG_SCOPE_ADMIN, "core.settings", invoice_fields,
	  "set or clear the tenant's invoice registration number" },
	{ NULL, NULL, NULL, 0, NULL, NULL, NULL },
};
