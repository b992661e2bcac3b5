/*
 * Orders of bookings and enrolments: made from money lines, approved or declined, paid,
 * cancelled with the module's fee, expired when their provisional hold lapses (booking.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "booking.h"
#include "hold.h"
#include "inventory.h"
#include "log.h"
#include "mail.h"
#include "money.h"
#include "order.h"
#include "payment.h"
#include "people.h"

enum { CODE_ATTEMPTS = 8, LINES_MAX = 200 };

const struct mg_sql mg_booking_statements[] = {
	[MG_SQL_BOOKING_ORDER_INSERT] = { "core.booking_order_insert",
	  "INSERT INTO orders (tenant_id, code, person_id, buyer_name_sealed, buyer_email_sealed, buyer_email_hmac,"
	  " state, channel, payment_method, payment_deadline, total, lang, created_at, module, hold_id, use_at, view_path)"
	  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, FROM_UNIXTIME(?), ?, ?, FROM_UNIXTIME(?), ?, ?, FROM_UNIXTIME(?), ?)" },
	/* new state, tenant, id, the state it must be in */
	[MG_SQL_BOOKING_SET_STATE] = { "core.booking_set_state",
	  "UPDATE orders SET state = ? WHERE tenant_id = ? AND id = ? AND state = ?" },
	[MG_SQL_BOOKING_AWAIT_PAYMENT] = { "core.booking_await_payment",
	  "UPDATE orders SET state = 'pending', payment_deadline = FROM_UNIXTIME(?) WHERE tenant_id = ? AND id = ?"
	  " AND state = 'approved'" },
	[MG_SQL_BOOKING_SET_PAID] = { "core.booking_set_paid",
	  "UPDATE orders SET state = 'paid', paid_at = FROM_UNIXTIME(?) WHERE tenant_id = ? AND id = ? AND state = 'pending'" },
	[MG_SQL_BOOKING_CLOSE] = { "core.booking_close",
	  "UPDATE orders SET state = ?, closed_at = FROM_UNIXTIME(?) WHERE tenant_id = ? AND id = ? AND state = ?" },
	[MG_SQL_BOOKING_ORDER_LOCK_BY_ID] = { "core.booking_order_lock_by_id",
	  "SELECT code, state FROM orders WHERE tenant_id = ? AND id = ? FOR UPDATE" },
	[MG_SQL_BOOKING_CHARGE_STARTED] = { "core.booking_charge_started",
	  "SELECT id FROM payment WHERE tenant_id = ? AND order_id = ? AND kind = 'charge' AND state = 'started'"
	  " ORDER BY id DESC LIMIT 1 FOR UPDATE" },
	[MG_SQL_BOOKING_PAYMENT_SET_STATE] = { "core.booking_payment_set_state",
	  "UPDATE payment SET state = ?, updated_at = FROM_UNIXTIME(?) WHERE tenant_id = ? AND id = ?" },
	[MG_SQL_BOOKING_CHARGE_INSERT] = { "core.booking_charge_insert",
	  "INSERT INTO payment (tenant_id, order_id, kind, provider, amount, state, created_at, updated_at)"
	  " VALUES (?, ?, 'charge', ?, ?, ?, FROM_UNIXTIME(?), FROM_UNIXTIME(?))" },
	[MG_SQL_BOOKING_CHARGES_FAIL] = { "core.booking_charges_fail",
	  "UPDATE payment SET state = 'failed', updated_at = FROM_UNIXTIME(?) WHERE tenant_id = ? AND order_id = ?"
	  " AND kind = 'charge' AND state = 'started'" },
	[MG_SQL_BOOKING_TENANTS] = { "core.booking_tenants",
	  "SELECT id FROM tenant ORDER BY id" },
	[MG_SQL_BOOKING_ORDER_HISTORY_ROWS] = { "core.order_history_rows",
	  "SELECT UNIX_TIMESTAMP(at), actor, from_state, to_state, note FROM order_history"
	  " WHERE tenant_id = ? AND order_id = ? ORDER BY id" },
	[MG_SQL_BOOKING__MAX] = { NULL, NULL },
};

/* ---- making the order ---- */

/* Whether the lines are well formed, and their total (never negative) into *total. */
static enum mg_err check_lines(struct mg_arena *arena, const struct mg_booking *b, long long *total)
{
	if (b->n == 0 || b->n > LINES_MAX || b->lines == NULL)
		return MG_ERR_INPUT;
	long long *amounts = mg_arena_alloc(arena, b->n * sizeof(*amounts));
	if (amounts == NULL)
		return MG_ERR_NOMEM;
	for (size_t i = 0; i < b->n; i++) {
		const struct mg_money_line *l = &b->lines[i];
		bool unit = l->type != NULL && strcmp(l->type, MG_LINE_UNIT) == 0;
		if (!mg_line_type_valid(l->type) || l->description == NULL || l->description[0] == '\0' ||
		    strlen(l->description) > 255 || (unit && (l->kind == NULL || strchr(l->kind, '.') == NULL)))
			return MG_ERR_INPUT;
		/* a discount or 減免 takes off; an extra line adds */
		bool negative = strcmp(l->type, MG_LINE_DISCOUNT) == 0 || strcmp(l->type, MG_LINE_REDUCTION) == 0;
		if ((negative && l->amount > 0) || (!negative && l->amount < 0))
			return MG_ERR_INPUT;
		amounts[i] = l->amount;
	}
	return mg_money_total(amounts, b->n, total);
}

struct order_job {
	struct mg_arena *arena;
	const struct mg_commerce_env *env;
	const struct mg_booking *b;
	long long total;
	struct mg_buf *sealed_name, *sealed_email;
	const char *email_hmac;
	struct mg_order *out;
};

static enum mg_err insert_booking_order(struct mg_db *db, struct order_job *j)
{
	const struct mg_booking *b = j->b;
	struct mg_order *o = j->out;
	const char *state = b->needs_approval ? "requested" : "pending";
	enum mg_err err = MG_ERR_CONFLICT;
	for (int attempt = 0; attempt < CODE_ATTEMPTS && err == MG_ERR_CONFLICT; attempt++) {
		mg_order_code_new(o->code);
		unsigned long long id = 0;
		struct mg_dbval args[] = {
			MG_INT(j->env->tenant_id),
			MG_TEXT(o->code),
			b->person_id ? MG_INT(b->person_id) : MG_NULL,
			j->sealed_name->len ? MG_BLOB(j->sealed_name->data, j->sealed_name->len) : MG_NULL,
			j->sealed_email->len ? MG_BLOB(j->sealed_email->data, j->sealed_email->len) : MG_NULL,
			MG_TEXT(j->email_hmac),
			MG_TEXT(state),
			MG_TEXT(b->channel ? b->channel : "web"),
			MG_TEXT(b->payment),
			b->needs_approval || b->payment_deadline == 0 ? MG_NULL : MG_INT(b->payment_deadline),
			MG_INT(j->total),
			MG_TEXT(b->lang != NULL && strcmp(b->lang, "en") == 0 ? "en" : "ja"),
			MG_INT(j->env->now),
			MG_TEXT(b->module),
			b->hold_id ? MG_INT(b->hold_id) : MG_NULL,
			b->use_at ? MG_INT(b->use_at) : MG_NULL,
			MG_TEXT(b->view_path),
		};
		/* a duplicate code is a statement error only; try another */
		err = mg_db_exec(db, j->arena, &mg_booking_statements[MG_SQL_BOOKING_ORDER_INSERT], args, 17, NULL, NULL, &id);
		o->id = id;
	}
	return err;
}

static enum mg_err insert_booking_lines(struct mg_db *db, struct order_job *j)
{
	const struct mg_booking *b = j->b;
	struct mg_order *o = j->out;
	o->n = b->n;
	o->lines = mg_arena_alloc(j->arena, (b->n + 1) * sizeof(*o->lines));
	if (o->lines == NULL)
		return MG_ERR_NOMEM;
	for (size_t i = 0; i < b->n; i++) {
		const struct mg_money_line *l = &b->lines[i];
		bool unit = strcmp(l->type, MG_LINE_UNIT) == 0;
		o->lines[i] = (struct mg_order_line){ (unsigned)i + 1, b->module,	      unit ? l->kind : l->type,
						      unit ? l->resource : 0, unit ? l->unit : 0, 0,
						      l->description,	      l->amount,	  l->type };
		struct mg_dbval args[] = { MG_INT(o->tenant_id),     MG_INT(o->id),
					   MG_INT(i + 1),	     MG_TEXT(b->module),
					   MG_TEXT(o->lines[i].kind), MG_INT(o->lines[i].resource),
					   MG_INT(o->lines[i].unit), MG_NULL,
					   MG_TEXT(l->description),  MG_INT(l->amount),
					   MG_TEXT(l->type) };
		enum mg_err err = mg_db_exec(db, j->arena, &mg_order_statements[MG_SQL_ORDER_LINE_INSERT], args, 11, NULL, NULL, NULL);
		if (err != MG_OK)
			return err;
	}
	return MG_OK;
}

static enum mg_err order_in_transaction(struct mg_db *db, void *arg)
{
	struct order_job *j = arg;
	const struct mg_commerce_env *env = j->env;
	const struct mg_booking *b = j->b;
	struct mg_order *o = j->out;
	*o = (struct mg_order){ 0 };
	o->tenant_id = env->tenant_id;
	enum mg_err err;
	if (b->hold_id != 0) {
		struct mg_hold h;
		if ((err = mg_hold_get(db, j->arena, env->tenant_id, b->hold_id, true, &h)) != MG_OK)
			return err;
		if (strcmp(h.state, "held") != 0 || h.expires_at < env->now || h.order_id != 0)
			return MG_ERR_EXPIRED;
	}
	if ((err = insert_booking_order(db, j)) != MG_OK || (err = insert_booking_lines(db, j)) != MG_OK)
		return err;
	if (b->hold_id != 0 && (err = mg_hold_attach_order(db, j->arena, env->tenant_id, b->hold_id, o->id)) != MG_OK)
		return err;
	o->person_id = b->person_id;
	o->state = b->needs_approval ? "requested" : "pending";
	o->channel = b->channel ? b->channel : "web";
	o->payment_method = b->payment;
	o->created_at = env->now;
	o->payment_deadline = b->needs_approval ? 0 : b->payment_deadline;
	o->total = (unsigned long long)j->total;
	o->tax = mg_money_tax_included(j->total);
	o->lang = b->lang != NULL && strcmp(b->lang, "en") == 0 ? "en" : "ja";
	o->view_path = b->view_path;
	o->buyer_name = b->buyer_name;
	o->buyer_email = j->email_hmac != NULL ? b->buyer_email : NULL;
	o->module = b->module;
	o->hold_id = b->hold_id;
	o->use_at = b->use_at;
	if ((err = mg_order_history_add(db, j->arena, env->tenant_id, o->id, env->actor, NULL, o->state, "",
					env->now)) != MG_OK)
		return err;
	if (!b->needs_approval && j->total > 0) {
		struct mg_dbval pay[] = { MG_INT(env->tenant_id), MG_INT(o->id), MG_TEXT(b->payment), MG_INT(j->total),
					  MG_TEXT("started"),	  MG_INT(env->now), MG_INT(env->now) };
		if ((err = mg_db_exec(db, j->arena, &mg_booking_statements[MG_SQL_BOOKING_CHARGE_INSERT], pay, 7, NULL, NULL, NULL)) != MG_OK)
			return err;
	}
	return mg_order_queue_mail(db, j->arena, env->key, env->tenant_name, env->time_zone, o,
				   b->needs_approval ? "requested" : "received");
}

enum mg_err mg_booking_order(struct mg_db *db, struct mg_arena *arena, const struct mg_commerce_env *env,
			     const struct mg_booking *b, struct mg_order *out)
{
	*out = (struct mg_order){ 0 };
	struct order_job j = { arena, env, b, 0, NULL, NULL, NULL, out };
	char email[MG_EMAIL_MAX + 1], hmac[65];
	if (b->module == NULL || b->payment == NULL || mg_payment_provider(b->payment) == NULL ||
	    (!b->needs_approval && b->payment_deadline <= env->now))
		return MG_ERR_INPUT;
	enum mg_err err = check_lines(arena, b, &j.total);
	if (err != MG_OK)
		return err;
	struct mg_buf sealed_name, sealed_email;
	mg_buf_init(&sealed_name);
	mg_buf_init(&sealed_email);
	j.sealed_name = &sealed_name;
	j.sealed_email = &sealed_email;
	if (b->buyer_email != NULL && b->buyer_email[0] != '\0') {
		if (env->key == NULL || !mg_email_normalise(b->buyer_email, email, sizeof(email))) {
			err = MG_ERR_INPUT;
			goto out;
		}
		if ((err = mg_person_email_hmac(env->key, email, hmac)) != MG_OK ||
		    (err = mg_order_seal_buyer(env->key, arena, env->tenant_id, "buyer_email", email, &sealed_email)) !=
			    MG_OK)
			goto out;
		j.email_hmac = hmac;
	}
	if (b->buyer_name != NULL && env->key != NULL &&
	    (err = mg_order_seal_buyer(env->key, arena, env->tenant_id, "buyer_name", b->buyer_name, &sealed_name)) != MG_OK)
		goto out;
	err = mg_db_transaction(db, order_in_transaction, &j);
	if (err != MG_OK)
		*out = (struct mg_order){ 0 };
out:
	mg_buf_free(&sealed_name);
	mg_buf_free(&sealed_email);
	return err;
}

/* ---- state changes ---- */

/* One state change of an order, by code: the job names what to do in the transaction. */
struct change_job {
	struct mg_arena *arena;
	const struct mg_commerce_env *env;
	const char *code, *note, *provider;
	time_t deadline;
	const struct mg_fee_rule *rule;
	mg_order_close_hook hook;
	void *hook_arg;
	struct mg_cancellation *cancel;
	const char *mail_event;
	struct mg_order order;
};

/* Moves the order from one state to the next, with its history row. */
static enum mg_err move(struct mg_db *db, struct change_job *j, const char *from, const char *to, const char *note)
{
	unsigned long long affected = 0;
	struct mg_dbval args[] = { MG_TEXT(to), MG_INT(j->env->tenant_id), MG_INT(j->order.id), MG_TEXT(from) };
	enum mg_err err = mg_db_exec(db, j->arena, &mg_booking_statements[MG_SQL_BOOKING_SET_STATE], args, 4, NULL, &affected, NULL);
	if (err != MG_OK)
		return err;
	if (affected != 1)
		return MG_ERR_CONFLICT;
	j->order.state = to;
	return mg_order_history_add(db, j->arena, j->env->tenant_id, j->order.id, j->env->actor, from, to, note,
				    j->env->now);
}

static enum mg_err lock_order(struct mg_db *db, struct change_job *j)
{
	return mg_order_load(db, j->arena, j->env->key, j->env->tenant_id, j->code, true, &j->order);
}

static enum mg_err approve_in_transaction(struct mg_db *db, void *arg)
{
	struct change_job *j = arg;
	const struct mg_commerce_env *env = j->env;
	enum mg_err err = lock_order(db, j);
	if (err != MG_OK)
		return err;
	if (strcmp(j->order.state, "requested") != 0)
		return MG_ERR_CONFLICT;
	if (j->order.hold_id != 0 &&
	    (err = mg_hold_confirm(db, j->arena, env->tenant_id, j->order.hold_id, j->order.id, env->now)) != MG_OK)
		return err;
	if ((err = move(db, j, "requested", "approved", j->note)) != MG_OK)
		return err;
	if (j->order.total == 0) {
		/* nothing to pay: approved is paid */
		struct mg_dbval args[] = { MG_TEXT("paid"), MG_INT(env->tenant_id), MG_INT(j->order.id), MG_TEXT("approved") };
		if ((err = mg_db_exec(db, j->arena, &mg_booking_statements[MG_SQL_BOOKING_SET_STATE], args, 4, NULL, NULL, NULL)) != MG_OK)
			return err;
		j->order.state = "paid";
		j->mail_event = "paid";
		return mg_order_history_add(db, j->arena, env->tenant_id, j->order.id, env->actor, "approved", "paid",
					    "nothing to pay", env->now);
	}
	struct mg_dbval wait[] = { MG_INT(j->deadline), MG_INT(env->tenant_id), MG_INT(j->order.id) };
	if ((err = mg_db_exec(db, j->arena, &mg_booking_statements[MG_SQL_BOOKING_AWAIT_PAYMENT], wait, 3, NULL, NULL, NULL)) != MG_OK ||
	    (err = mg_order_history_add(db, j->arena, env->tenant_id, j->order.id, env->actor, "approved", "pending",
					"awaiting payment", env->now)) != MG_OK)
		return err;
	j->order.state = "pending";
	j->order.payment_deadline = j->deadline;
	struct mg_dbval pay[] = { MG_INT(env->tenant_id), MG_INT(j->order.id), MG_TEXT(j->order.payment_method),
				  MG_INT(j->order.total), MG_TEXT("started"),	  MG_INT(env->now),
				  MG_INT(env->now) };
	j->mail_event = "approved";
	return mg_db_exec(db, j->arena, &mg_booking_statements[MG_SQL_BOOKING_CHARGE_INSERT], pay, 7, NULL, NULL, NULL);
}

static enum mg_err decline_in_transaction(struct mg_db *db, void *arg)
{
	struct change_job *j = arg;
	enum mg_err err = lock_order(db, j);
	if (err != MG_OK)
		return err;
	if (strcmp(j->order.state, "requested") != 0)
		return MG_ERR_CONFLICT;
	bool changed = false;
	if (j->order.hold_id != 0 && (err = mg_hold_close(db, j->arena, j->env->tenant_id, j->order.hold_id, "released",
							   j->env->now, &changed)) != MG_OK)
		return err;
	j->mail_event = "declined";
	return move(db, j, "requested", "declined", j->note);
}

static enum mg_err paid_in_transaction(struct mg_db *db, void *arg)
{
	struct change_job *j = arg;
	const struct mg_commerce_env *env = j->env;
	enum mg_err err = lock_order(db, j);
	if (err != MG_OK)
		return err;
	if (strcmp(j->order.state, "pending") != 0)
		return MG_ERR_CONFLICT;
	/* an enrolment paid without approval: its hold is confirmed by the payment */
	struct mg_hold h;
	if (j->order.hold_id != 0 &&
	    ((err = mg_hold_get(db, j->arena, env->tenant_id, j->order.hold_id, true, &h)) != MG_OK ||
	     (strcmp(h.state, "held") == 0 &&
	      (err = mg_hold_confirm(db, j->arena, env->tenant_id, j->order.hold_id, j->order.id, env->now)) != MG_OK)))
		return err;
	struct mg_rows started;
	struct mg_dbval find[] = { MG_INT(env->tenant_id), MG_INT(j->order.id) };
	if ((err = mg_db_exec(db, j->arena, &mg_booking_statements[MG_SQL_BOOKING_CHARGE_STARTED], find, 2, &started, NULL, NULL)) != MG_OK)
		return err;
	if (started.nrows == 1) {
		struct mg_dbval set[] = { MG_TEXT("succeeded"), MG_INT(env->now), MG_INT(env->tenant_id),
					  MG_INT(mg_cell_u64(MG_CELL(&started, 0, 0))) };
		err = mg_db_exec(db, j->arena, &mg_booking_statements[MG_SQL_BOOKING_PAYMENT_SET_STATE], set, 4, NULL, NULL, NULL);
	} else {
		struct mg_dbval pay[] = { MG_INT(env->tenant_id), MG_INT(j->order.id), MG_TEXT(j->provider),
					  MG_INT(j->order.total), MG_TEXT("succeeded"),	 MG_INT(env->now),
					  MG_INT(env->now) };
		err = mg_db_exec(db, j->arena, &mg_booking_statements[MG_SQL_BOOKING_CHARGE_INSERT], pay, 7, NULL, NULL, NULL);
	}
	if (err != MG_OK)
		return err;
	struct mg_dbval paid[] = { MG_INT(env->now), MG_INT(env->tenant_id), MG_INT(j->order.id) };
	if ((err = mg_db_exec(db, j->arena, &mg_booking_statements[MG_SQL_BOOKING_SET_PAID], paid, 3, NULL, NULL, NULL)) != MG_OK)
		return err;
	j->order.state = "paid";
	j->order.paid_at = env->now;
	j->mail_event = "paid";
	return mg_order_history_add(db, j->arena, env->tenant_id, j->order.id, env->actor, "pending", "paid", j->provider,
				    env->now);
}

static enum mg_err cancel_in_transaction(struct mg_db *db, void *arg)
{
	struct change_job *j = arg;
	const struct mg_commerce_env *env = j->env;
	struct mg_cancellation *c = j->cancel;
	enum mg_err err = lock_order(db, j);
	if (err != MG_OK)
		return err;
	const char *from = j->order.state;
	bool paid = strcmp(from, "paid") == 0;
	if (!paid && strcmp(from, "requested") != 0 && strcmp(from, "approved") != 0 && strcmp(from, "pending") != 0)
		return MG_ERR_CONFLICT;
	*c = (struct mg_cancellation){ .from = from };
	if (paid) {
		c->paid = (long long)j->order.total;
		c->days_before = j->order.use_at ? mg_days_before(env->now, j->order.use_at, env->time_zone) : 0;
		c->percent = j->order.use_at ? mg_fee_percent(j->rule, c->days_before) : 0;
		c->fee = mg_fee_amount(c->paid, c->percent);
		c->refund = c->paid - c->fee;
	}
	const char *note = paid ? mg_arena_printf(j->arena, "fee %u%% %s, refund %s", c->percent,
						  mg_yen(j->arena, (unsigned long long)c->fee),
						  mg_yen(j->arena, (unsigned long long)c->refund))
				: (j->note ? j->note : "");
	unsigned long long affected = 0;
	struct mg_dbval close[] = { MG_TEXT("cancelled"), MG_INT(env->now), MG_INT(env->tenant_id), MG_INT(j->order.id),
				    MG_TEXT(from) };
	if ((err = mg_db_exec(db, j->arena, &mg_booking_statements[MG_SQL_BOOKING_CLOSE], close, 5, NULL, &affected, NULL)) != MG_OK)
		return err;
	if (affected != 1)
		return MG_ERR_CONFLICT;
	j->order.state = "cancelled";
	if ((err = mg_order_history_add(db, j->arena, env->tenant_id, j->order.id, env->actor, from, "cancelled", note,
					env->now)) != MG_OK)
		return err;
	if (c->fee > 0 && (err = mg_order_record_payment(db, j->arena, env->tenant_id, j->order.id, "fee",
							  j->order.payment_method, c->fee,
							  mg_arena_printf(j->arena, "cancellation fee %u%%", c->percent),
							  env->now)) != MG_OK)
		return err;
	if (c->refund > 0 && (err = mg_order_record_payment(db, j->arena, env->tenant_id, j->order.id, "refund",
							     j->order.payment_method, c->refund, "cancellation refund",
							     env->now)) != MG_OK)
		return err;
	bool changed = false;
	struct mg_dbval fail[] = { MG_INT(env->now), MG_INT(env->tenant_id), MG_INT(j->order.id) };
	if ((err = mg_db_exec(db, j->arena, &mg_booking_statements[MG_SQL_BOOKING_CHARGES_FAIL], fail, 3, NULL, NULL, NULL)) != MG_OK ||
	    (err = mg_inventory_release_order(db, j->arena, env->tenant_id, j->order.id, NULL)) != MG_OK ||
	    (j->order.hold_id != 0 && (err = mg_hold_close(db, j->arena, env->tenant_id, j->order.hold_id, "released",
							    env->now, &changed)) != MG_OK))
		return err;
	j->mail_event = "cancelled";
	return j->hook != NULL ? j->hook(db, j->arena, env->tenant_id, j->order.id, j->hook_arg) : MG_OK;
}

/* Runs one change in its own transaction, then queues its mail in a second one (a mail that
 * cannot be queued is logged: the change stands). */
static enum mg_err change(struct mg_db *db, struct change_job *j, enum mg_err (*step)(struct mg_db *, void *))
{
	j->mail_event = NULL;
	enum mg_err err = mg_db_transaction(db, step, j);
	if (err != MG_OK || j->mail_event == NULL || j->env->key == NULL)
		return err;
	if (mg_order_queue_mail(db, j->arena, j->env->key, j->env->tenant_name, j->env->time_zone, &j->order,
				j->mail_event) != MG_OK)
		mg_log_error("booking: could not queue the %s mail of %s", j->mail_event, j->code);
	return MG_OK;
}

enum mg_err mg_booking_approve(struct mg_db *db, struct mg_arena *arena, const struct mg_commerce_env *env,
			       const char *code, time_t payment_deadline, const char *note)
{
	if (payment_deadline <= env->now)
		return MG_ERR_INPUT;
	struct change_job j = { .arena = arena, .env = env, .code = code, .note = note, .deadline = payment_deadline };
	return change(db, &j, approve_in_transaction);
}

enum mg_err mg_booking_decline(struct mg_db *db, struct mg_arena *arena, const struct mg_commerce_env *env,
			       const char *code, const char *note)
{
	struct change_job j = { .arena = arena, .env = env, .code = code, .note = note };
	return change(db, &j, decline_in_transaction);
}

enum mg_err mg_booking_paid(struct mg_db *db, struct mg_arena *arena, const struct mg_commerce_env *env,
			    const char *code, const char *provider)
{
	if (provider == NULL || mg_payment_provider(provider) == NULL)
		return MG_ERR_INPUT;
	struct change_job j = { .arena = arena, .env = env, .code = code, .provider = provider };
	return change(db, &j, paid_in_transaction);
}

enum mg_err mg_booking_cancel(struct mg_db *db, struct mg_arena *arena, const struct mg_commerce_env *env,
			      const char *code, const struct mg_fee_rule *rule, mg_order_close_hook hook, void *arg,
			      struct mg_cancellation *out)
{
	struct mg_cancellation ignored;
	struct change_job j = { .arena = arena, .env = env, .code = code, .rule = rule, .hook = hook, .hook_arg = arg,
				.cancel = out != NULL ? out : &ignored };
	return change(db, &j, cancel_in_transaction);
}

/* ---- the lapse ---- */

struct lapse_job {
	struct mg_arena *arena;
	uint64_t tenant;
	time_t now;
	size_t done;
};

/* The order waiting on a lapsed hold: expired when still open. */
static enum mg_err expire_waiting(struct mg_db *db, struct lapse_job *j, uint64_t order_id)
{
	struct mg_rows rows;
	struct mg_dbval key[] = { MG_INT(j->tenant), MG_INT(order_id) };
	enum mg_err err = mg_db_exec(db, j->arena, &mg_booking_statements[MG_SQL_BOOKING_ORDER_LOCK_BY_ID], key, 2, &rows, NULL, NULL);
	if (err != MG_OK || rows.nrows == 0)
		return err;
	const char *state = MG_CELL(&rows, 0, 1);
	if (strcmp(state, "requested") != 0 && strcmp(state, "approved") != 0 && strcmp(state, "pending") != 0)
		return MG_OK;
	struct mg_dbval close[] = { MG_TEXT("expired"), MG_INT(j->now), MG_INT(j->tenant), MG_INT(order_id),
				    MG_TEXT(state) };
	struct mg_dbval fail[] = { MG_INT(j->now), MG_INT(j->tenant), MG_INT(order_id) };
	if ((err = mg_db_exec(db, j->arena, &mg_booking_statements[MG_SQL_BOOKING_CLOSE], close, 5, NULL, NULL, NULL)) != MG_OK ||
	    (err = mg_db_exec(db, j->arena, &mg_booking_statements[MG_SQL_BOOKING_CHARGES_FAIL], fail, 3, NULL, NULL, NULL)) != MG_OK)
		return err;
	return mg_order_history_add(db, j->arena, j->tenant, order_id, "system", state, "expired",
				    "provisional hold lapsed", j->now);
}

static enum mg_err lapse_batch(struct mg_db *db, void *arg)
{
	struct lapse_job *j = arg;
	j->done = 0;
	struct mg_rows due;
	enum mg_err err = mg_holds_due(db, j->arena, j->tenant, j->now, &due);
	for (size_t r = 0; err == MG_OK && r < due.nrows; r++) {
		bool changed = false;
		err = mg_hold_close(db, j->arena, j->tenant, mg_cell_u64(MG_CELL(&due, r, 0)), "lapsed", j->now,
				    &changed);
		if (err == MG_OK && changed && MG_CELL(&due, r, 1) != NULL)
			err = expire_waiting(db, j, mg_cell_u64(MG_CELL(&due, r, 1)));
	}
	if (err == MG_OK)
		j->done = due.nrows;
	return err;
}

enum mg_err mg_bookings_lapse_due(struct mg_db *db, struct mg_arena *arena, time_t now, size_t *lapsed)
{
	size_t total = 0;
	struct mg_rows tenants;
	enum mg_err err = mg_db_exec(db, arena, &mg_booking_statements[MG_SQL_BOOKING_TENANTS], NULL, 0, &tenants, NULL, NULL);
	for (size_t t = 0; err == MG_OK && t < tenants.nrows; t++) {
		struct lapse_job j = { arena, mg_cell_u64(MG_CELL(&tenants, t, 0)), now, 0 };
		do {
			err = mg_db_transaction(db, lapse_batch, &j);
			total += err == MG_OK ? j.done : 0;
		} while (err == MG_OK && j.done == MG_HOLD_LAPSE_BATCH);
	}
	if (lapsed != NULL)
		*lapsed = total;
	return err;
}

enum mg_err mg_order_history(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t order_id,
			     struct mg_rows *rows)
{
	struct mg_dbval args[] = { MG_INT(tenant), MG_INT(order_id) };
	return mg_db_exec(db, arena, &mg_booking_statements[MG_SQL_BOOKING_ORDER_HISTORY_ROWS], args, 2, rows, NULL, NULL);
}
