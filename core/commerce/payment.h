/*
 * Payment providers behind one interface. An order's payment starts at checkout (in its
 * transaction) and is decided later: by staff for 'box_office' (cash by a deadline) and
 * 'bank_transfer', by the provider's signed callback for a card.
 *
 * 'test_card' behaves like a real card provider, for development and tests: checkout answers
 * with a redirect to the provider's page (/_testcard/pay/<slug>/<session>, served here),
 * where the buyer types a card number (4242 4242 4242 4242 pays, 4000 0000 0000 0002 is
 * declined) and presses pay or decline; the provider then confirms ASYNCHRONOUSLY with a POST
 * to /<slug>/payments/test_card/callback, sent after its page was answered and retried by the
 * job core.test_card_callbacks until the site acknowledged it. The body is JSON
 * {"session","order","result":"succeeded"|"declined","amount"}, signed with HMAC-SHA-256 in the
 * header X-Testcard-Signature: "sha256=<hex>"; the key is derived from the master key
 * (HMAC-SHA-256(master, "test_card-callback")), so nothing more is configured. A bad
 * signature is 400; a replay changes nothing and is answered 200.
 */
#ifndef MG_PAYMENT_H
#define MG_PAYMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "arena.h"
#include "db.h"
#include "err.h"

/* What a provider's start() knows of the order. */
struct mg_payment_start {
	uint64_t tenant_id;
	const char *tenant_slug;
	const char *order_code;
	unsigned long long amount;
	const char *return_path; /* where the buyer comes back to (the order page), or NULL */
	time_t now;
};

struct mg_payment_provider {
	const char *name;      /* stored in orders.payment_method and payment.provider */
	const char *label;     /* English msgid shown to buyers */
	long deadline_seconds; /* from checkout to the payment deadline */
	/* In the checkout's transaction: *ref (the provider's id of the payment, or NULL) and
	 * *redirect (where to send the buyer, or NULL), both in the arena. NULL start: nothing. */
	enum mg_err (*start)(struct mg_db *db, struct mg_arena *arena, const struct mg_payment_start *p, const char **ref,
			     const char **redirect);
};

struct mg_config;
/* Remembers the configuration (public_url, master key file) for the job; call once at start. */
void mg_payment_setup(const struct mg_config *cfg);

/* The configured public_url (mails link to it), or NULL before mg_payment_setup. */
const char *mg_payment_public_url(void);

/* The provider of that name, or NULL. */
const struct mg_payment_provider *mg_payment_provider(const char *name);

/* The statements of mg_payment_statements (payment.c); a call names one as &mg_payment_statements[<constant>]. */
enum mg_payment_sql {
	MG_SQL_PAYMENT_TEST_CARD_INSERT,
	MG_SQL_PAYMENT_TEST_CARD_FIND,
	MG_SQL_PAYMENT_TEST_CARD_DECIDE,
	MG_SQL_PAYMENT_TEST_CARD_FOR_DELIVERY,
	MG_SQL_PAYMENT_TEST_CARD_TENANTS,
	MG_SQL_PAYMENT_TEST_CARD_UNDELIVERED,
	MG_SQL_PAYMENT_TEST_CARD_DELIVERED,
	MG_SQL_PAYMENT_TEST_CARD_ATTEMPTED,
	MG_SQL_PAYMENT__MAX
};
extern const struct mg_sql mg_payment_statements[MG_SQL_PAYMENT__MAX + 1];

/* The test provider calls the shop back for one decided session (unless that was done), its
 * signature made with master (NULL: the configured master key file). */
enum mg_err mg_test_card_deliver(const unsigned char *master, struct mg_db *db, struct mg_arena *arena, const char *slug,
				 const char *session, time_t now);
/* The largest callback body the shop accepts. */
enum { MG_TEST_CARD_CALLBACK_MAX = 512 };
/* The job core.test_card_callbacks: sends the callbacks the test provider still owes. */
enum mg_err mg_test_card_deliver_pending(struct mg_db *db, struct mg_arena *arena, time_t now);

/* ---- pure helpers (unit-tested) ---- */

/* The callback key from the master key. */
/* The callback key, HMAC-SHA-256(master, "test_card-callback") as 64 hex digits (the key is
 * those 64 characters). */
void mg_test_card_key(const unsigned char master[32], char key[65]);
/* "sha256=<64 hex>": HMAC-SHA-256 of body under key, into out. */
void mg_test_card_sign(const char key[65], const void *body, size_t len, char out[72]);
/* Whether header is the right signature of body (constant-time). */
bool mg_test_card_signature_ok(const char key[65], const void *body, size_t len, const char *header);
/* What the test provider does with a typed card number: 1 pays, 0 declines, -1 not a card
 * number it knows (spaces and dashes ignored). */
int mg_test_card_outcome(const char *number);

/* The English msgid naming a payment method ("box_office" → "Pay at the box office"), or NULL
 * for a method that does not exist. */
const char *mg_payment_method_label(const char *name);

#endif
