/*
 * Orders of bookings and enrolments (rentals, lessons, and any module selling without a cart):
 * made from money lines a module computes — units (a time block, a place in a course), and
 * lines that may be negative (a discount, a 減免 of −50 %) or extra (入会金, a fee) — whose
 * total is never negative; their units wait in a provisional hold (core/commerce/hold.h).
 *
 *   requested ──approve──> approved ──> pending (awaiting payment) ──pay──> paid
 *       └──decline──> declined        (the hold confirmed: its units sold to the order)
 *   any open state ──cancel──> cancelled (paid: the module's fee rule keeps a fee, the rest is
 *                                         refunded; both payment rows)
 *   the hold lapses (job core.hold_sweep) ──> expired
 *
 * Every change is a row of order_history (who, when, from, to, note); payments and refunds
 * are payment rows, never edits. Each function runs its own transaction and needs no request:
 * modules call them through the request wrappers of core/module.h, jobs and tests directly.
 */
#ifndef MG_BOOKING_H
#define MG_BOOKING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "arena.h"
#include "db.h"
#include "err.h"
#include "money.h"
#include "order.h"

/* The statements of mg_booking_statements (booking.c); a call names one as &mg_booking_statements[<constant>]. */
enum mg_booking_sql {
	MG_SQL_BOOKING_ORDER_INSERT,
	MG_SQL_BOOKING_SET_STATE,
	MG_SQL_BOOKING_AWAIT_PAYMENT,
	MG_SQL_BOOKING_SET_PAID,
	MG_SQL_BOOKING_CLOSE,
	MG_SQL_BOOKING_ORDER_LOCK_BY_ID,
	MG_SQL_BOOKING_CHARGE_STARTED,
	MG_SQL_BOOKING_PAYMENT_SET_STATE,
	MG_SQL_BOOKING_CHARGE_INSERT,
	MG_SQL_BOOKING_CHARGES_FAIL,
	MG_SQL_BOOKING_TENANTS,
	MG_SQL_BOOKING_ORDER_HISTORY_ROWS,
	MG_SQL_BOOKING__MAX
};
extern const struct mg_sql mg_booking_statements[MG_SQL_BOOKING__MAX + 1];

/* Who acts, for which tenant, when; and what the buyer's mails need. */
struct mg_commerce_env {
	uint64_t tenant_id;
	const unsigned char *key; /* the tenant's data key (buyer sealed, mails); NULL: no buyer, no mail */
	const char *tenant_name;
	const char *actor;        /* history: "staff:<id>", "buyer", "system", "cli" */
	time_t now;
	const char *time_zone;    /* the tenant's zone (mails; days before use count its dates) */
};

/* A money line of a booking. A "unit" line names a unit its hold holds (kind, resource,
 * unit); the others carry no unit. */
struct mg_money_line {
	const char *type; /* MG_LINE_* */
	const char *kind;
	uint64_t resource;
	uint32_t unit;
	const char *description;
	long long amount; /* negative for a discount or 減免 */
};

struct mg_booking {
	const char *module;          /* "rentals" */
	uint64_t hold_id;            /* its provisional hold, 0: none */
	uint64_t person_id;          /* the buyer (table person), 0: none */
	const char *buyer_name, *buyer_email; /* sealed with env->key; the e-mail gets the mails */
	const char *lang;            /* of the buyer's mails */
	const char *payment;         /* provider name (core/commerce/payment.h) */
	const char *channel;         /* "web", "api", "box_office" */
	bool needs_approval;         /* 'requested' (else 'pending', awaiting payment, at once) */
	time_t payment_deadline;     /* of a booking awaiting payment at once */
	time_t use_at;               /* the day of use, for the fee ladder; 0: none */
	const char *view_path;       /* where the buyer sees it (below public_url), or NULL */
	const struct mg_money_line *lines;
	size_t n;
};

/* Makes the order of a booking: 'requested' (or 'pending'), its lines, its history row, the
 * hold tied to it (its lapse expires the order), the mail queued. MG_ERR_INPUT when a line is
 * malformed or the total would be negative (nothing written); MG_ERR_EXPIRED when the hold
 * is no longer held. Audited by the caller. */
enum mg_err mg_booking_order(struct mg_db *db, struct mg_arena *arena, const struct mg_commerce_env *env,
			     const struct mg_booking *b, struct mg_order *out);

/* Staff approve a requested order: 'approved', then 'pending' until payment_deadline with a
 * payment started; its hold confirmed (units sold to it). MG_ERR_CONFLICT when it is not
 * 'requested', MG_ERR_EXPIRED when its hold lapsed. The "approved" mail queued. */
enum mg_err mg_booking_approve(struct mg_db *db, struct mg_arena *arena, const struct mg_commerce_env *env,
			       const char *code, time_t payment_deadline, const char *note);
/* Staff decline a requested order: 'declined', its hold released. MG_ERR_CONFLICT. */
enum mg_err mg_booking_decline(struct mg_db *db, struct mg_arena *arena, const struct mg_commerce_env *env,
			       const char *code, const char *note);
/* A payment received for an order awaiting it (staff taking cash, a transfer seen): the
 * charge 'succeeded' (or recorded), the order 'paid', a hold still held confirmed. */
enum mg_err mg_booking_paid(struct mg_db *db, struct mg_arena *arena, const struct mg_commerce_env *env,
			    const char *code, const char *provider);

/* What a cancellation came to. */
struct mg_cancellation {
	const char *from;      /* the state it left */
	int days_before;       /* calendar days before use (0 when the order has no day of use) */
	unsigned percent;      /* the fee's percent of what was paid */
	long long paid, fee, refund;
};
/* Cancels an open order (requested, approved, pending or paid): 'cancelled', units and hold
 * released, hook called (the module's rows). A paid order keeps the fee rule's percent of
 * what was paid for the days before use (rule NULL: none) and refunds the rest: one 'fee'
 * and one 'refund' payment row (each only when not zero). MG_ERR_CONFLICT when it is closed. */
enum mg_err mg_booking_cancel(struct mg_db *db, struct mg_arena *arena, const struct mg_commerce_env *env,
			      const char *code, const struct mg_fee_rule *rule, mg_order_close_hook hook, void *arg,
			      struct mg_cancellation *out);

/* The job's part (core.hold_sweep): provisional holds past their deadline 'lapsed', their
 * units freed, the orders waiting on them 'expired'. *lapsed may be NULL. */
enum mg_err mg_bookings_lapse_due(struct mg_db *db, struct mg_arena *arena, time_t now, size_t *lapsed);

/* An order's history, oldest first: rows of (at as UNIX time, actor, from or NULL, to, note). */
enum mg_err mg_order_history(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t order_id,
			     struct mg_rows *rows);

#endif
