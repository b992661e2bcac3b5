/*
 * Orders (tables orders, order_line, payment): a cart becomes an order at checkout, in ONE
 * transaction — the cart checked, its units confirmed sold to the order, the order and its
 * lines written, the buyer sealed, a payment started, the module's own rows (e-tickets) added
 * through a hook, the confirmation mail queued — so there is never a half-written order.
 * Orders are 'pending' (awaiting payment) until paid; unpaid ones expire at their payment
 * deadline and give their units back (mg_orders_expire_due, run by a module's job).
 *
 * A booking or enrolment (rentals, lessons) makes its order without a cart (core/commerce/booking.h):
 * 'requested' → 'approved' (→ 'pending' at once) or 'declined'; its units wait in a
 * provisional hold (core/commerce/hold.h). Every change of state is a row of order_history.
 *
 * Modules reach these through core/module.h ("carts and orders"): the request-level versions
 * (core/web/shop_api.h) fill a struct mg_caller from the request and call the _for functions.
 */
#ifndef MG_ORDER_H
#define MG_ORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "arena.h"
#include "db.h"
#include "err.h"

/* Who asks, for which tenant: what a request (core/web/shop_api.c), a job or a command tells
 * the order functions. Strings and the key live at least as long as the call. */
struct mg_caller {
	struct mg_db *db;
	struct mg_arena *arena;
	uint64_t tenant_id;
	const char *tenant_slug, *tenant_name, *time_zone;
	const char *lang;         /* the buyer's language: "ja" or "en" */
	const unsigned char *key; /* the tenant's data key */
	uint64_t staff_id;        /* the staff member acting (box office, back office), else 0 */
	uint64_t customer_id;     /* the logged-in customer of a web checkout, else 0 */
	const char *audit_actor;  /* "staff:3", "customer:8", "anonymous" … */
	const char *ip, *user_agent;
};

enum {
	MG_ORDER_CODE_CHARS = 12, /* from MG_ORDER_CODE_ALPHABET: no 0/O/1/I/L */
	MG_ORDER_NAME_MAX = 100,  /* characters of a buyer's name */
	MG_ORDER_EXPIRE_BATCH = 100,
};

#define MG_ORDER_CODE_ALPHABET "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

/* The statements of mg_order_statements (order.c); a call names one as &mg_order_statements[<constant>]. */
enum mg_order_sql {
	MG_SQL_ORDER_INSERT,
	MG_SQL_ORDER_LINE_INSERT,
	MG_SQL_ORDER_SET_VIEW_PATH,
	MG_SQL_ORDER_BY_CODE,
	MG_SQL_ORDER_LOCK_BY_CODE,
	MG_SQL_ORDER_LINES,
	MG_SQL_ORDER_SET_PAID,
	MG_SQL_ORDER_CLOSE,
	MG_SQL_ORDER_PAYMENT_INSERT,
	MG_SQL_ORDER_PAYMENT_RECORD,
	MG_SQL_ORDER_HISTORY_INSERT,
	MG_SQL_ORDER_PAYMENT_LOCK_BY_REF,
	MG_SQL_ORDER_PAYMENT_LOCK_LATEST,
	MG_SQL_ORDER_PAYMENT_SET_STATE,
	MG_SQL_ORDER_PAYMENTS_SETTLE,
	MG_SQL_ORDER_TENANTS,
	MG_SQL_ORDER_ORDERS_DUE,
	MG_SQL_ORDER_EXPIRE,
	MG_SQL_ORDER_PAYMENT_LIST,
	MG_SQL_ORDER_LINES_OF,
	MG_SQL_ORDER_SEARCH,
	MG_SQL_ORDER__MAX
};
extern const struct mg_sql mg_order_statements[MG_SQL_ORDER__MAX + 1];

struct mg_order_line {
	unsigned line_no; /* 1.. */
	const char *module, *kind;
	uint64_t resource;
	uint32_t unit;
	uint64_t variant;
	const char *description;
	long long amount;  /* yen; negative for a discount or 減免 */
	const char *type;  /* MG_LINE_* (core/commerce/money.h): "unit" for a unit sold */
};

struct mg_order {
	uint64_t tenant_id, id, cart_id, person_id, staff_id;
	char code[MG_ORDER_CODE_CHARS + 1];
	const char *state;          /* "requested", "approved", "declined", "pending" (awaiting
				     * payment), "paid", "cancelled", "expired", "refunded" */
	const char *channel;        /* "web", "api", "box_office" */
	const char *payment_method; /* a provider name (core/commerce/payment.h) */
	time_t created_at, payment_deadline, paid_at; /* 0: none */
	unsigned long long total;   /* yen */
	const char *lang;           /* of the buyer's mails: "ja" or "en" */
	const char *view_path;      /* where the buyer sees it (below public_url), or NULL */
	const char *buyer_name, *buyer_email; /* unsealed when loaded with the key, else NULL */
	size_t n;
	struct mg_order_line *lines;
	const char *payment_url;    /* checkout only: where to send the buyer to pay, or NULL */
	const char *module;         /* the module that sold it (its mail, its fee rule), or NULL */
	uint64_t hold_id;           /* its provisional hold (core/commerce/hold.h), 0: none */
	time_t use_at;              /* the day of use (a cancellation's fee counts to it), 0: none */
	long long tax;              /* the consumption tax the total contains (mg_money_tax_included) */
};

/*
 * The module's part of a checkout, run inside the checkout's transaction after the order and
 * its lines are written (the units are already sold to it): it writes its own rows (e.g.
 * e-tickets) and may set order->view_path (arena). Any error rolls the whole checkout back.
 */
typedef enum mg_err (*mg_checkout_hook)(struct mg_db *db, struct mg_arena *arena, struct mg_order *order,
					void *arg);

struct mg_checkout {
	const char *cart_token;
	const char *name, *email;  /* the buyer (required; a logged-in customer's are prefilled) */
	const char *phone;         /* may be NULL */
	const char *payment;       /* provider name: "box_office", "bank_transfer", "test_card" */
	const char *channel;       /* "web", "api" or "box_office" */
	time_t deadline_cap;       /* the payment deadline is never later (the performance); 0: none */
	mg_checkout_hook hook;     /* may be NULL */
	void *hook_arg;
};

/* Makes an order of a buyer's cart (see the top). Errors, with nothing written: MG_ERR_EXPIRED
 * (the hold lapsed: answer 410), MG_ERR_NOT_FOUND (no such open cart), MG_ERR_INPUT (empty
 * cart, unknown payment method, a name or e-mail that is missing or malformed), the hook's.
 * The buyer is the logged-in customer (mg_customer_id) on a web checkout, else a guest person
 * made from the e-mail address. Audited as order.placed. */
enum mg_err mg_order_checkout_for(const struct mg_caller *who, const struct mg_checkout *co, struct mg_order *out);

/* The tenant's order with this code, its lines and the buyer unsealed; MG_ERR_NOT_FOUND. */
enum mg_err mg_order_find_for(const struct mg_caller *who, const char *code, struct mg_order *out);

/*
 * A payment's outcome reported by its provider (a card callback, staff confirming a bank
 * transfer or taking cash: provider_ref NULL means the order's open payment of that
 * provider). Succeeded: payment 'succeeded', a pending order 'paid' and the "paid" mail
 * queued; failed: payment 'failed', the order stays pending until its deadline. Idempotent:
 * a payment already decided changes nothing and sets *already. MG_ERR_NOT_FOUND when no such
 * payment. Audited.
 */
enum mg_err mg_order_payment_result_for(const struct mg_caller *who, const char *order_code, const char *provider,
					const char *provider_ref, bool succeeded, bool *already);

/* What happens to the module's rows of an order that closes unpaid or is cancelled (e.g.
 * its tickets voided), in the closing transaction. */
typedef enum mg_err (*mg_order_close_hook)(struct mg_db *db, struct mg_arena *arena, uint64_t tenant,
					   uint64_t order_id, void *arg);

/* Expires pending orders past their payment deadline: each 'expired', its units released, its
 * open payments failed, hook called; in batches of MG_ORDER_EXPIRE_BATCH per transaction,
 * picked with SKIP LOCKED so two runners never wait on each other. *expired may be NULL. */
enum mg_err mg_orders_expire_due(struct mg_db *db, struct mg_arena *arena, time_t now, mg_order_close_hook hook,
				 void *arg, size_t *expired);

/* Cancels a pending or paid order (staff, box office): 'cancelled' (or 'refunded' when
 * refund and it was paid), units released, hook called, audited. MG_ERR_CONFLICT when the
 * order is already closed. */
enum mg_err mg_order_cancel_for(const struct mg_caller *who, const char *code, bool refund, mg_order_close_hook hook,
			       void *arg);

/* Reads an order by code, with its lines (locked FOR UPDATE when lock, in a transaction); the
 * buyer is unsealed when key is given. MG_ERR_NOT_FOUND. */
enum mg_err mg_order_load(struct mg_db *db, struct mg_arena *arena, const unsigned char *key, uint64_t tenant,
			  const char *code, bool lock, struct mg_order *out);

/* Seals a buyer column of orders ("buyer_name", "buyer_email") with the tenant key into out. */
struct mg_buf;
enum mg_err mg_order_seal_buyer(const unsigned char *key, struct mg_arena *arena, uint64_t tenant, const char *column,
				const char *text, struct mg_buf *out);

/* Records money paid back ("refund") or kept as a cancellation fee ("fee") of an order as a
 * payment row of its own (succeeded; never an edit of the charge). In a transaction. */
enum mg_err mg_order_record_payment(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t order_id,
				    const char *kind, const char *provider, long long amount, const char *note, time_t now);

/* The payment rows of an order for people, oldest first, as rows of four cells: provider,
 * amount (yen), state (the kind for a refund or fee row: "refund", "fee"), updated at (Unix
 * time). One query. For modules: they read payments only through this (docs/modules.md). */
enum mg_err mg_order_payments(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t order_id,
			      struct mg_rows *out);

/* The core side of a set of order lines a module refers to (a ticket names its order and line):
 * for refs[i], out[i] holds the order's code and state and the line's description and amount,
 * found false (and "" texts) when there is no such line in the tenant. One query for the whole
 * set, never one per line: a module reads its own rows, then asks for their lines here. */
struct mg_line_ref {
	uint64_t order_id;
	uint32_t line_no;
};
struct mg_line_info {
	bool found;
	const char *order_code, *order_state, *description;
	unsigned long long amount;
};
enum mg_err mg_order_lines_of(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const struct mg_line_ref *refs,
			      size_t n, struct mg_line_info *out);

/* Orders of a tenant for a back-office list, newest first, at most limit rows of ten cells: id,
 * code, state, channel, payment method, total, created at and paid at (Unix time, 0 when
 * unpaid), the sealed buyer name and e-mail (mg_order_buyer_text shows them). Each filter is
 * off when "" or 0; only_ids keeps the orders among ids[0..nids) (a module's own rows name
 * them, e.g. the orders with a ticket for one performance; none when nids is 0). One query. */
struct mg_order_query {
	const char *code, *email_key, *state; /* email_key: mg_order_email_key's hash */
	uint64_t before;                      /* ids below it (the next page), 0 for any */
	time_t from, to;                      /* created in [from, to), 0 for any */
	bool only_ids;
	const uint64_t *ids;
	size_t nids;
	long limit;
};
enum mg_err mg_order_search(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const struct mg_order_query *q,
			    struct mg_rows *out);

/* Appends a row to the order's history: actor ("staff:<id>", "buyer", "system", "cli"), the
 * state it left (NULL when it was made) and entered, a note ("" for none). In a transaction. */
enum mg_err mg_order_history_add(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t order_id,
				 const char *actor, const char *from, const char *to, const char *note, time_t now);

/* The English msgid naming an order state for people ("pending" → "Awaiting payment"), or
 * NULL for a state that does not exist. */
const char *mg_order_state_label(const char *state);

/*
 * The mail of an order event, composed by the module that sold the order (its own text, in
 * the buyer's language lang): event is "received" (placed, awaiting payment), "requested",
 * "approved", "declined", "paid", "cancelled". *subject and *body in the arena; MG_OK with
 * *subject NULL sends nothing. Modules register theirs with mg_order_set_mailer (the module
 * loader does, from the descriptor); an order of a module without one gets the core's
 * generic mail, which names no tickets.
 */
struct mg_order_mail {
	const struct mg_order *order;
	const char *event, *lang;
	const char *tenant_name;
	const char *order_url; /* the order's page (public_url + view_path), or NULL */
	const char *time_zone; /* the tenant's zone: times in the mail are shown in it */
};
typedef enum mg_err (*mg_order_mailer)(struct mg_arena *arena, const struct mg_order_mail *mail, const char **subject,
				       const char **body);
/* Registers module's mailer (NULL removes it); at start, before the workers fork. */
void mg_order_set_mailer(const char *module, mg_order_mailer mailer);
/* The core's generic mail of an event (what a module's mailer may fall back on). */
enum mg_err mg_order_mail_generic(struct mg_arena *arena, const struct mg_order_mail *mail, const char **subject,
				  const char **body);
/* Composes (module's mailer or the generic one) and queues the mail of event to the order's
 * buyer, in the caller's transaction; nothing when the order has no address or key is NULL. */
enum mg_err mg_order_queue_mail(struct mg_db *db, struct mg_arena *arena, const unsigned char *key,
				const char *tenant_name, const char *time_zone, const struct mg_order *o, const char *event);

/* ---- pure helpers (unit-tested) ---- */

/* A fresh order code: MG_ORDER_CODE_CHARS characters of MG_ORDER_CODE_ALPHABET. */
void mg_order_code_new(char out[MG_ORDER_CODE_CHARS + 1]);
/* Whether s has the shape of an order code. */
bool mg_order_code_valid(const char *s);
/* "¥12,345" */
const char *mg_yen(struct mg_arena *arena, unsigned long long amount);
/* "¥12,345", or "-¥1,250" for a negative amount (a discount line). */
const char *mg_yen_signed(struct mg_arena *arena, long long amount);

#endif
