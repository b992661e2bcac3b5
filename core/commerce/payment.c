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
#include <jansson.h>
#include <openssl/crypto.h>

#include "clock.h"
#include "config.h"
#include "crypto.h"
#include "i18n.h"
#include "log.h"
#include "payment.h"

enum {
	BOX_OFFICE_DEADLINE = 3 * 24 * 3600,
	BANK_TRANSFER_DEADLINE = 7 * 24 * 3600,
	TEST_CARD_DEADLINE = 30 * 60,
	CALLBACK_TIMEOUT = 10,       /* seconds one delivery may take */
	CALLBACK_MAX_ATTEMPTS = 20,  /* then the job stops trying (the order expires unpaid) */
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

static bool master_key(const unsigned char *given, unsigned char key[32])
{
	if (given != NULL) {
		memcpy(key, given, 32);
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
enum mg_err mg_test_card_deliver(const unsigned char *master_key_given, struct mg_db *db, struct mg_arena *arena,
				 const char *slug, const char *session, time_t now)
{
	const struct mg_config *cfg = payment_cfg;
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
	if (body == NULL || !master_key(master_key_given, master)) {
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
			err = mg_test_card_deliver(NULL, db, arena, MG_CELL(&tenants, t, 1), MG_CELL(&sessions, s, 0), now);
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
