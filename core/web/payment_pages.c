/*
 * The test card provider's pages (a payment simulator for development and tests; never
 * reachable in a production configuration — see payment.h) and the shop's side of it, the
 * signed callback that marks an order paid.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "clock.h"
#include "crypto.h"
#include "http.h"
#include "i18n.h"
#include "log.h"
#include "payment.h"
#include "payment_pages.h"
#include "shop_api.h"

struct deferred_delivery {
	const char *slug, *session;
};

/* After the simulator's page was answered: the provider calls the site back. */
static void deliver_after_response(const struct mg_app *app, struct mg_db *db, struct mg_arena *arena, void *arg)
{
	struct deferred_delivery *d = arg;
	enum mg_err err = mg_test_card_deliver(app->master_key, db, arena, d->slug, d->session, mg_now());
	if (err != MG_OK)
		mg_log_warn("test_card: callback for a session of %s not sent: %s (the job retries)", d->slug,
			    mg_strerror(err));
}

/* ---- the simulator's pages ---- */

static const char *session_path(struct mg_ctx *ctx)
{
	return mg_arena_printf(mg_arena(ctx), "/_testcard/pay/%s/%s", mg_param(ctx, "t"), mg_param(ctx, "session"));
}

static enum mg_err render_pay_page(struct mg_ctx *ctx, int status, struct mg_rows *s, const char *card,
				   const char *error)
{
	struct mg_arena *arena = mg_arena(ctx);
	const char *result = MG_CELL(s, 0, 3);
	json_t *data = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, s:b, s:s?}", "page_title",
				 mg_tr(ctx, N_("Test card payment")), "merchant", MG_CELL(s, 0, 4), "order",
				 MG_CELL(s, 0, 0), "amount", mg_yen(arena, strtoull(MG_CELL(s, 0, 1), NULL, 10)),
				 "action", session_path(ctx), "result", result, "card", card, "error", error, "open",
				 strcmp(result, "open") == 0, "return_path", MG_CELL(s, 0, 2));
	return mg_render(ctx, status, "core/testcard_pay", data);
}

static enum mg_err find_session(struct mg_ctx *ctx, struct mg_rows *rows)
{
	struct mg_dbval args[] = { MG_TEXT(mg_param(ctx, "t")), MG_TEXT(mg_param(ctx, "session")) };
	enum mg_err err = mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx),
	                             &mg_payment_statements[MG_SQL_PAYMENT_TEST_CARD_FIND], args, 2, rows, NULL, NULL);
	return err != MG_OK ? err : rows->nrows == 0 ? MG_ERR_NOT_FOUND : MG_OK;
}

/*
 * GET /_testcard/pay/<slug>/<session> — the test provider's payment page a buyer is sent to
 * from checkout: the merchant, the amount, a card number and pay / decline. Changes nothing.
 */
static enum mg_err pay_page(struct mg_ctx *ctx)
{
	struct mg_rows s;
	enum mg_err err = find_session(ctx, &s);
	return err != MG_OK ? err : render_pay_page(ctx, 200, &s, NULL, NULL);
}

/*
 * POST /_testcard/pay/<slug>/<session> — the buyer pays or declines (once). The provider
 * answers the buyer first (back to the shop's order page) and calls the shop back after.
 */
static enum mg_err pay_submit(struct mg_ctx *ctx)
{
	struct mg_rows s;
	enum mg_err err = find_session(ctx, &s);
	if (err != MG_OK)
		return err;
	if (strcmp(MG_CELL(&s, 0, 3), "open") != 0)
		return render_pay_page(ctx, 409, &s, NULL, mg_tr(ctx, N_("This payment has already been completed.")));
	const char *card = mg_form(ctx, "card");
	bool decline = strcmp(mg_form(ctx, "action"), "decline") == 0;
	int outcome = decline ? 0 : mg_test_card_outcome(card);
	if (outcome < 0)
		return render_pay_page(ctx, 400, &s, card,
				       mg_tr(ctx, N_("Use a test card number: 4242 4242 4242 4242 pays, "
						     "4000 0000 0000 0002 is declined.")));
	char digits[32] = "", last4[5] = "";
	size_t n = 0;
	for (const char *c = card; c != NULL && *c != '\0' && n + 1 < sizeof(digits); c++)
		if (isdigit((unsigned char)*c))
			digits[n++] = *c;
	if (n >= 4)
		memcpy(last4, digits + n - 4, 4);
	struct mg_dbval args[] = { MG_TEXT(outcome == 1 ? "succeeded" : "declined"), last4[0] ? MG_TEXT(last4) : MG_NULL,
				   MG_INT(mg_now()), MG_TEXT(mg_param(ctx, "t")), MG_TEXT(mg_param(ctx, "session")) };
	unsigned long long affected = 0;
	if ((err = mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &mg_payment_statements[MG_SQL_PAYMENT_TEST_CARD_DECIDE],
	                      args, 5, NULL, &affected, NULL)) != MG_OK)
		return err;
	if (affected == 1) {
		struct deferred_delivery *d = mg_arena_alloc(mg_arena(ctx), sizeof(*d));
		d->slug = mg_arena_strdup(mg_arena(ctx), mg_param(ctx, "t"));
		d->session = mg_arena_strdup(mg_arena(ctx), mg_param(ctx, "session"));
		mg_http_defer(ctx, deliver_after_response, d);
	}
	const char *back = MG_CELL(&s, 0, 2);
	if (back != NULL && back[0] == '/')
		return mg_redirect(ctx, 303, back);
	if ((err = find_session(ctx, &s)) != MG_OK)
		return err;
	return render_pay_page(ctx, 200, &s, NULL, NULL);
}

/* ---- the shop's side: the callback ---- */

/*
 * POST /<slug>/payments/test_card/callback — the test provider reports a payment's outcome
 * (signed; see payment.h). Marks the order paid (and mails the buyer) or the payment failed.
 * Called without cookies; a replay is answered 200 and changes nothing.
 */
static enum mg_err test_card_callback(struct mg_ctx *ctx)
{
	size_t len = 0;
	const char *body = mg_body(ctx, &len);
	unsigned char master[32];
	char key[65];
	memcpy(master, mg_ctx_app(ctx)->master_key, sizeof(master));
	mg_test_card_key(master, key);
	OPENSSL_cleanse(master, sizeof(master));
	bool signed_ok = body != NULL && len <= MG_TEST_CARD_CALLBACK_MAX &&
			 mg_test_card_signature_ok(key, body, len, mg_cgi_param(ctx, "HTTP_X_TESTCARD_SIGNATURE"));
	OPENSSL_cleanse(key, sizeof(key));
	if (!signed_ok) {
		mg_audit(ctx, "payment.callback_refused", "test_card", "denied", "bad signature");
		return mg_error(ctx, 400, N_("The signature of this callback is not valid."));
	}
	json_error_t jerr;
	json_t *msg = json_loadb(body, len, 0, &jerr);
	const char *session = NULL, *order = NULL, *result = NULL;
	if (msg == NULL || json_unpack(msg, "{s:s, s:s, s:s}", "session", &session, "order", &order, "result", &result) != 0 ||
	    (strcmp(result, "succeeded") != 0 && strcmp(result, "declined") != 0)) {
		json_decref(msg);
		return mg_error(ctx, 400, NULL);
	}
	bool already = false;
	enum mg_err err = mg_order_payment_result(ctx, order, "test_card", session, strcmp(result, "succeeded") == 0,
						  &already);
	json_decref(msg);
	if (err != MG_OK)
		return err;
	return mg_json(ctx, 200, json_pack("{s:b, s:b}", "ok", 1, "already", already));
}

static const struct mg_field pay_fields[] = {
	{ "card", MG_FROM_FORM, "[0-9 -]{0,30}", false, 30, N_("Card number"), MG_TEXT_NFKC },
	{ "action", MG_FROM_FORM, "pay|decline", true, 10, N_("Action"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};

#define TESTCARD_PATH "/_testcard/pay/(?<t>[a-z0-9][a-z0-9-]{0,62})/(?<session>[A-Za-z0-9_-]{1,64})"

const struct mg_route mg_payment_routes[] = {
	{ "GET", TESTCARD_PATH, pay_page, MG_SCOPE_PLATFORM, NULL, MG_NO_FIELDS, "test card provider: the payment page" },
	{ "POST", TESTCARD_PATH, pay_submit, MG_SCOPE_PLATFORM, NULL, pay_fields,
	  "test card provider: the buyer pays or declines; the shop is called back after" },
	{ "POST", "/payments/test_card/callback", test_card_callback, MG_SCOPE_TENANT, NULL, MG_NO_FIELDS,
	  "test card provider's signed callback: marks the order paid or the payment failed" },
	{ NULL, NULL, NULL, 0, NULL, NULL, NULL },
};
