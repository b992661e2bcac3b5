/*
 * Payment providers (see payment.h): pay at the box office, bank transfer, and the test card
 * provider with its simulator pages, its signed asynchronous callback and the job that
 * redelivers callbacks that did not get through.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "clock.h"
#include "config.h"
#include "crypto.h"
#include "http.h"
#include "log.h"
#include "order.h"
#include "payment.h"

enum {
	BOX_OFFICE_DEADLINE = 3 * 24 * 3600,
	BANK_TRANSFER_DEADLINE = 7 * 24 * 3600,
	TEST_CARD_DEADLINE = 30 * 60,
	CALLBACK_TIMEOUT = 10,       /* seconds one delivery may take */
	CALLBACK_MAX_ATTEMPTS = 20,  /* then the job stops trying (the order expires unpaid) */
	CALLBACK_BODY_MAX = 512,
};

static enum mg_err test_card_start(struct mg_db *db, struct mg_arena *arena, const struct mg_payment_start *p,
				   const char **ref, const char **redirect);

static const struct mg_payment_provider providers[] = {
	{ "box_office", N_("Pay at the box office"), BOX_OFFICE_DEADLINE, NULL },
	{ "bank_transfer", N_("Bank transfer"), BANK_TRANSFER_DEADLINE, NULL },
	{ "test_card", N_("Card (test)"), TEST_CARD_DEADLINE, test_card_start },
	{ NULL, NULL, 0, NULL },
};

const struct mg_payment_provider *mg_payment_provider(const char *name)
{
	for (const struct mg_payment_provider *p = providers; name != NULL && p->name != NULL; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

const struct mg_sql mg_payment_statements[] = {
	[MG_SQL_PAYMENT_TEST_CARD_INSERT] = { "core.test_card_insert",
	  "INSERT INTO test_card_session (tenant_id, session, order_code, amount, return_path, created_at)"
	  " VALUES (?, ?, ?, ?, ?, FROM_UNIXTIME(?))" },
	[MG_SQL_PAYMENT_TEST_CARD_FIND] = { "core.test_card_find",
	  "SELECT s.order_code, s.amount, s.return_path, s.result, t.name FROM test_card_session s"
	  " JOIN tenant t ON t.id = s.tenant_id WHERE t.slug = ? AND s.session = ?" },
	/* the buyer's choice is made once: a second press changes nothing */
	[MG_SQL_PAYMENT_TEST_CARD_DECIDE] = { "core.test_card_decide",
	  "UPDATE test_card_session s JOIN tenant t ON t.id = s.tenant_id"
	  " SET s.result = ?, s.card_last4 = ?, s.decided_at = FROM_UNIXTIME(?)"
	  " WHERE t.slug = ? AND s.session = ? AND s.result = 'open'" },
	[MG_SQL_PAYMENT_TEST_CARD_FOR_DELIVERY] = { "core.test_card_for_delivery",
	  "SELECT s.tenant_id, t.slug, s.session, s.order_code, s.result, s.amount FROM test_card_session s"
	  " JOIN tenant t ON t.id = s.tenant_id WHERE t.slug = ? AND s.session = ? AND s.result <> 'open'"
	  " AND s.delivered_at IS NULL" },
	[MG_SQL_PAYMENT_TEST_CARD_TENANTS] = { "core.test_card_tenants", "SELECT id, slug FROM tenant ORDER BY id" },
	[MG_SQL_PAYMENT_TEST_CARD_UNDELIVERED] = { "core.test_card_undelivered",
	  "SELECT session FROM test_card_session WHERE tenant_id = ? AND result IN ('succeeded', 'declined')"
	  " AND delivered_at IS NULL AND attempts < ? LIMIT 100" },
	[MG_SQL_PAYMENT_TEST_CARD_DELIVERED] = { "core.test_card_delivered",
	  "UPDATE test_card_session SET delivered_at = FROM_UNIXTIME(?), attempts = attempts + 1"
	  " WHERE tenant_id = ? AND session = ?" },
	[MG_SQL_PAYMENT_TEST_CARD_ATTEMPTED] = { "core.test_card_attempted",
	  "UPDATE test_card_session SET attempts = attempts + 1 WHERE tenant_id = ? AND session = ?" },
	[MG_SQL_PAYMENT__MAX] = { NULL, NULL },
};

const char *mg_payment_method_label(const char *name)
{
	const struct mg_payment_provider *p = mg_payment_provider(name);
	return p != NULL ? p->label : NULL;
}

/* ---- the provider's side ---- */

static const struct mg_config *payment_cfg;

static enum mg_err test_card_start(struct mg_db *db, struct mg_arena *arena, const struct mg_payment_start *p,
				   const char **ref, const char **redirect)
{
	char *session = mg_arena_alloc(arena, MG_TOKEN_CHARS + 1);
	if (session == NULL)
		return MG_ERR_NOMEM;
	mg_token_new(session);
	struct mg_dbval args[] = { MG_INT(p->tenant_id), MG_TEXT(session),	   MG_TEXT(p->order_code),
				   MG_INT(p->amount),	 MG_TEXT(p->return_path), MG_INT(p->now) };
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_payment_statements[MG_SQL_PAYMENT_TEST_CARD_INSERT], args, 6, NULL, NULL, NULL);
	if (err != MG_OK)
		return err;
	*ref = session;
	*redirect = mg_arena_printf(arena, "/_testcard/pay/%s/%s", p->tenant_slug, session);
	return MG_OK;
}

static bool master_key(const struct mg_app *app, unsigned char key[32])
{
	if (app != NULL) {
		memcpy(key, app->master_key, 32);
		return true;
	}
	char errbuf[256];
	if (payment_cfg == NULL || mg_master_key_load(payment_cfg->master_key_file, key, errbuf, sizeof(errbuf)) != MG_OK) {
		mg_log_error("test_card: no master key to sign callbacks with: %s", payment_cfg ? errbuf : "not set up");
		return false;
	}
	return true;
}

static size_t discard(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	(void)ptr;
	(void)userdata;
	return size * nmemb;
}

/* POSTs body to url; true on a 2xx answer. The simulated provider trusts the self-signed
 * certificate of a site on this machine (development and tests); anything else is verified. */
static bool post_callback(const char *url, const char *body, const char *signature)
{
	CURL *curl = curl_easy_init();
	char header[100];
	snprintf(header, sizeof(header), "X-Testcard-Signature: %s", signature);
	struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
	headers = headers ? curl_slist_append(headers, header) : NULL;
	long status = 0;
	if (curl != NULL && headers != NULL) {
		bool local = strncmp(url, "https://localhost", 17) == 0 || strncmp(url, "https://127.0.0.1", 17) == 0;
		curl_easy_setopt(curl, CURLOPT_URL, url);
		curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https,http");
		curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
		curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 5L);
		curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)CALLBACK_TIMEOUT);
		curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
		if (local) {
			curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
			curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
		}
		CURLcode rc = curl_easy_perform(curl);
		if (rc == CURLE_OK)
			curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
		else
			mg_log_warn("test_card: callback to %s failed: %s", url, curl_easy_strerror(rc));
	}
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	if (status != 0 && (status < 200 || status > 299))
		mg_log_warn("test_card: callback to %s answered %ld", url, status);
	return status >= 200 && status <= 299;
}

/* Sends the callback of one decided session unless it was delivered already. */
static enum mg_err deliver(const struct mg_app *app, struct mg_db *db, struct mg_arena *arena, const char *slug,
			   const char *session, time_t now)
{
	const struct mg_config *cfg = app != NULL ? app->cfg : payment_cfg;
	struct mg_rows rows;
	struct mg_dbval find[] = { MG_TEXT(slug), MG_TEXT(session) };
	enum mg_err err = mg_db_exec(db, arena, &mg_payment_statements[MG_SQL_PAYMENT_TEST_CARD_FOR_DELIVERY], find, 2,
	                             &rows, NULL, NULL);
	if (err != MG_OK || rows.nrows == 0 || cfg == NULL)
		return err;
	uint64_t tenant = strtoull(MG_CELL(&rows, 0, 0), NULL, 10);
	json_t *payload = json_pack("{s:s, s:s, s:s, s:I}", "session", session, "order", MG_CELL(&rows, 0, 3), "result",
				    MG_CELL(&rows, 0, 4), "amount", (json_int_t)strtoll(MG_CELL(&rows, 0, 5), NULL, 10));
	char *body = payload ? json_dumps(payload, JSON_COMPACT) : NULL;
	json_decref(payload);
	unsigned char master[32];
	char key[65], signature[72];
	if (body == NULL || !master_key(app, master)) {
		free(body);
		return body == NULL ? MG_ERR_NOMEM : MG_ERR_CONFIG;
	}
	mg_test_card_key(master, key);
	OPENSSL_cleanse(master, sizeof(master));
	mg_test_card_sign(key, body, strlen(body), signature);
	OPENSSL_cleanse(key, sizeof(key));
	const char *url = mg_arena_printf(arena, "%s/%s/payments/test_card/callback", cfg->public_url, slug);
	bool ok = post_callback(url, body, signature);
	free(body);
	struct mg_dbval done[] = { MG_INT(now), MG_INT(tenant), MG_TEXT(session) };
	struct mg_dbval tried[] = { MG_INT(tenant), MG_TEXT(session) };
	return ok ? mg_db_exec(db, arena, &mg_payment_statements[MG_SQL_PAYMENT_TEST_CARD_DELIVERED], done, 3, NULL,
	                       NULL, NULL)
	          : mg_db_exec(db, arena, &mg_payment_statements[MG_SQL_PAYMENT_TEST_CARD_ATTEMPTED], tried, 2, NULL,
	                       NULL, NULL);
}

struct deferred_delivery {
	const char *slug, *session;
};

/* After the simulator's page was answered: the provider calls the site back. */
static void deliver_after_response(const struct mg_app *app, struct mg_db *db, struct mg_arena *arena, void *arg)
{
	struct deferred_delivery *d = arg;
	enum mg_err err = deliver(app, db, arena, d->slug, d->session, mg_now());
	if (err != MG_OK)
		mg_log_warn("test_card: callback for a session of %s not sent: %s (the job retries)", d->slug,
			    mg_strerror(err));
}

enum mg_err mg_test_card_deliver_pending(struct mg_db *db, struct mg_arena *arena, time_t now)
{
	struct mg_rows tenants;
	enum mg_err err = mg_db_exec(db, arena, &mg_payment_statements[MG_SQL_PAYMENT_TEST_CARD_TENANTS], NULL, 0,
	                             &tenants, NULL, NULL);
	size_t sent = 0;
	for (size_t t = 0; err == MG_OK && t < tenants.nrows; t++) {
		struct mg_rows sessions;
		struct mg_dbval args[] = { MG_INT(strtoull(MG_CELL(&tenants, t, 0), NULL, 10)),
					   MG_INT(CALLBACK_MAX_ATTEMPTS) };
		err = mg_db_exec(db, arena, &mg_payment_statements[MG_SQL_PAYMENT_TEST_CARD_UNDELIVERED], args, 2,
		                 &sessions, NULL, NULL);
		for (size_t s = 0; err == MG_OK && s < sessions.nrows; s++, sent++)
			err = deliver(NULL, db, arena, MG_CELL(&tenants, t, 1), MG_CELL(&sessions, s, 0), now);
	}
	if (sent > 0)
		mg_log_info("test_card: %zu callback(s) redelivered", sent);
	return err;
}

const char *mg_payment_public_url(void)
{
	return payment_cfg != NULL ? payment_cfg->public_url : NULL;
}

void mg_payment_setup(const struct mg_config *cfg)
{
	payment_cfg = cfg;
	curl_global_init(CURL_GLOBAL_DEFAULT);
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
	bool signed_ok = body != NULL && len <= CALLBACK_BODY_MAX &&
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
