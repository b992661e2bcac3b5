/*
 * Orders: checkout, payment outcomes, unpaid expiry, cancellation, confirmation mails (see
 * order.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cart.h"
#include "clock.h"
#include "crypto.h"
#include "form.h"
#include "hold.h"
#include "i18n.h"
#include "inventory.h"
#include "log.h"
#include "mail.h"
#include "money.h"
#include "order.h"
#include "payment.h"
#include "people.h"
#include "tenant.h"
#include "tz_text.h"

enum { CODE_ATTEMPTS = 8 };

#define ORDER_COLUMNS                                                                                              \
	"id, code, cart_id, person_id, staff_id, buyer_name_sealed, buyer_email_sealed, state, channel,"          \
	" payment_method, COALESCE(UNIX_TIMESTAMP(payment_deadline), 0), total, lang, view_path,"                  \
	" UNIX_TIMESTAMP(created_at), COALESCE(UNIX_TIMESTAMP(paid_at), 0), module, COALESCE(hold_id, 0),"          \
	" COALESCE(UNIX_TIMESTAMP(use_at), 0)"
enum { O_ID, O_CODE, O_CART, O_PERSON, O_STAFF, O_NAME, O_EMAIL, O_STATE, O_CHANNEL, O_METHOD, O_DEADLINE, O_TOTAL,
       O_LANG, O_VIEW, O_CREATED, O_PAID, O_MODULE, O_HOLD, O_USE };

const struct mg_sql mg_order_statements[] = {
	[MG_SQL_ORDER_INSERT] = { "core.order_insert",
	  "INSERT INTO orders (tenant_id, code, cart_id, person_id, buyer_name_sealed, buyer_email_sealed,"
	  " buyer_email_hmac, state, channel, staff_id, payment_method, payment_deadline, total, lang, created_at,"
	  " paid_at, module) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, FROM_UNIXTIME(?), ?, ?, FROM_UNIXTIME(?), ?, ?)" },
	[MG_SQL_ORDER_LINE_INSERT] = { "core.order_line_insert",
	  "INSERT INTO order_line (tenant_id, order_id, line_no, module, kind, resource_id, unit, variant_id,"
	  " description, amount, line_type) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" },
	[MG_SQL_ORDER_SET_VIEW_PATH] = { "core.order_set_view_path",
	  "UPDATE orders SET view_path = ? WHERE tenant_id = ? AND id = ?" },
	[MG_SQL_ORDER_BY_CODE] = { "core.order_by_code",
	  "SELECT " ORDER_COLUMNS " FROM orders WHERE tenant_id = ? AND code = ?" },
	[MG_SQL_ORDER_LOCK_BY_CODE] = { "core.order_lock_by_code",
	  "SELECT " ORDER_COLUMNS " FROM orders WHERE tenant_id = ? AND code = ? FOR UPDATE" },
	[MG_SQL_ORDER_LINES] = { "core.order_lines",
	  "SELECT line_no, module, kind, resource_id, unit, variant_id, description, amount, line_type FROM order_line"
	  " WHERE tenant_id = ? AND order_id = ? ORDER BY line_no" },
	[MG_SQL_ORDER_SET_PAID] = { "core.order_set_paid",
	  "UPDATE orders SET state = 'paid', paid_at = FROM_UNIXTIME(?) WHERE tenant_id = ? AND id = ? AND state = 'pending'" },
	[MG_SQL_ORDER_CLOSE] = { "core.order_close",
	  "UPDATE orders SET state = ?, closed_at = FROM_UNIXTIME(?) WHERE tenant_id = ? AND id = ?"
	  " AND state IN ('pending', 'paid')" },
	[MG_SQL_ORDER_PAYMENT_INSERT] = { "core.payment_insert",
	  "INSERT INTO payment (tenant_id, order_id, provider, provider_ref, amount, state, created_at, updated_at)"
	  " VALUES (?, ?, ?, ?, ?, 'started', FROM_UNIXTIME(?), FROM_UNIXTIME(?))" },
	/* a refund or a kept cancellation fee: a record of its own, never an edit of the charge */
	[MG_SQL_ORDER_PAYMENT_RECORD] = { "core.payment_record",
	  "INSERT INTO payment (tenant_id, order_id, kind, provider, amount, state, note, created_at, updated_at)"
	  " VALUES (?, ?, ?, ?, ?, 'succeeded', ?, FROM_UNIXTIME(?), FROM_UNIXTIME(?))" },
	[MG_SQL_ORDER_HISTORY_INSERT] = { "core.order_history_insert",
	  "INSERT INTO order_history (tenant_id, order_id, at, actor, from_state, to_state, note)"
	  " VALUES (?, ?, FROM_UNIXTIME(?), ?, ?, ?, ?)" },
	[MG_SQL_ORDER_PAYMENT_LOCK_BY_REF] = { "core.payment_lock_by_ref",
	  "SELECT id, state FROM payment WHERE tenant_id = ? AND order_id = ? AND provider = ? AND provider_ref = ?"
	  " AND kind = 'charge' FOR UPDATE" },
	[MG_SQL_ORDER_PAYMENT_LOCK_LATEST] = { "core.payment_lock_latest",
	  "SELECT id, state FROM payment WHERE tenant_id = ? AND order_id = ? AND provider = ? AND kind = 'charge'"
	  " ORDER BY id DESC LIMIT 1 FOR UPDATE" },
	[MG_SQL_ORDER_PAYMENT_SET_STATE] = { "core.payment_set_state",
	  "UPDATE payment SET state = ?, updated_at = FROM_UNIXTIME(?) WHERE tenant_id = ? AND id = ?" },
	[MG_SQL_ORDER_PAYMENTS_SETTLE] = { "core.payments_settle",
	  "UPDATE payment SET state = ?, updated_at = FROM_UNIXTIME(?) WHERE tenant_id = ? AND order_id = ? AND state = ?" },
	/* the expiry: per tenant, due orders picked without waiting on an order someone holds */
	[MG_SQL_ORDER_TENANTS] = { "core.order_tenants", "SELECT id FROM tenant ORDER BY id" },
	[MG_SQL_ORDER_ORDERS_DUE] = { "core.orders_due",
	  "SELECT id, code FROM orders WHERE tenant_id = ? AND state = 'pending' AND payment_deadline < FROM_UNIXTIME(?)"
	  " ORDER BY payment_deadline LIMIT ? FOR UPDATE SKIP LOCKED" },
	[MG_SQL_ORDER_EXPIRE] = { "core.order_expire",
	  "UPDATE orders SET state = 'expired', closed_at = FROM_UNIXTIME(?) WHERE tenant_id = ? AND id = ?"
	  " AND state = 'pending'" },
	[MG_SQL_ORDER__MAX] = { NULL, NULL },
};

/* text with every "{name}" replaced by value */
static const char *fill(struct mg_arena *arena, const char *text, const char *name, const char *value)
{
	char *placeholder = mg_arena_printf(arena, "{%s}", name);
	const char *at = strstr(text, placeholder);
	if (at == NULL)
		return text;
	const char *rest = fill(arena, at + strlen(placeholder), name, value);
	return mg_arena_printf(arena, "%.*s%s%s", (int)(at - text), text, value, rest);
}

/* ---- sealing the buyer ---- */

static const char *aad(struct mg_arena *arena, uint64_t tenant, const char *column)
{
	return mg_arena_printf(arena, "orders.%s:tenant=%llu", column, (unsigned long long)tenant);
}

static enum mg_err seal(const unsigned char *key, struct mg_arena *arena, uint64_t tenant, const char *column,
			const char *text, struct mg_buf *out)
{
	return mg_seal(key, aad(arena, tenant, column), text, strlen(text), out);
}

static const char *unseal(const unsigned char *key, struct mg_arena *arena, uint64_t tenant, const char *column,
			  const char *sealed, size_t len)
{
	if (sealed == NULL || key == NULL)
		return NULL;
	struct mg_buf plain;
	mg_buf_init(&plain);
	const char *out = NULL;
	if (mg_unseal(key, aad(arena, tenant, column), sealed, len, &plain) == MG_OK)
		out = plain.len > 0 ? mg_arena_strndup(arena, plain.data, plain.len) : "";
	mg_buf_free(&plain);
	return out;
}

enum mg_err mg_order_seal_buyer(const unsigned char *key, struct mg_arena *arena, uint64_t tenant, const char *column,
				const char *text, struct mg_buf *out)
{
	return seal(key, arena, tenant, column, text, out);
}

/* A name of 1 to MG_ORDER_NAME_MAX characters without control characters, trimmed. */
static const char *clean_name(struct mg_arena *arena, const char *typed)
{
	if (typed == NULL)
		return NULL;
	while (*typed == ' ' || strncmp(typed, "\xe3\x80\x80", 3) == 0)
		typed += *typed == ' ' ? 1 : 3;
	size_t len = strlen(typed);
	while (len > 0 && (typed[len - 1] == ' ' || (len >= 3 && memcmp(typed + len - 3, "\xe3\x80\x80", 3) == 0)))
		len -= typed[len - 1] == ' ' ? 1 : 3;
	if (len == 0 || !mg_utf8_valid(typed, len))
		return NULL;
	size_t chars = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)typed[i];
		if (c < 0x20 || c == 0x7f)
			return NULL;
		chars += (c & 0xc0) != 0x80;
	}
	return chars <= MG_ORDER_NAME_MAX ? mg_arena_strndup(arena, typed, len) : NULL;
}

/* ---- loading ---- */

static enum mg_err load_lines(struct mg_db *db, struct mg_arena *arena, struct mg_order *o)
{
	struct mg_rows rows;
	struct mg_dbval args[] = { MG_INT(o->tenant_id), MG_INT(o->id) };
	enum mg_err err = mg_db_exec(db, arena, &mg_order_statements[MG_SQL_ORDER_LINES], args, 2, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	o->n = rows.nrows;
	o->lines = mg_arena_alloc(arena, (rows.nrows + 1) * sizeof(*o->lines));
	if (o->lines == NULL)
		return MG_ERR_NOMEM;
	for (size_t r = 0; r < rows.nrows; r++)
		o->lines[r] = (struct mg_order_line){ .line_no = (unsigned)mg_cell_u64(MG_CELL(&rows, r, 0)),
						      .module = MG_CELL(&rows, r, 1),
						      .kind = MG_CELL(&rows, r, 2),
						      .resource = mg_cell_u64(MG_CELL(&rows, r, 3)),
						      .unit = (uint32_t)mg_cell_u64(MG_CELL(&rows, r, 4)),
						      .variant = mg_cell_u64(MG_CELL(&rows, r, 5)),
						      .description = MG_CELL(&rows, r, 6),
						      .amount = strtoll(MG_CELL(&rows, r, 7), NULL, 10),
						      .type = MG_CELL(&rows, r, 8) };
	return MG_OK;
}

enum mg_err mg_order_load(struct mg_db *db, struct mg_arena *arena, const unsigned char *key, uint64_t tenant,
			  const char *code, bool lock, struct mg_order *o)
{
	*o = (struct mg_order){ 0 };
	if (!mg_order_code_valid(code))
		return MG_ERR_NOT_FOUND;
	struct mg_rows rows;
	struct mg_dbval args[] = { MG_INT(tenant), MG_TEXT(code) };
	enum mg_err err = mg_db_exec(db, arena,
	                             lock ? &mg_order_statements[MG_SQL_ORDER_LOCK_BY_CODE]
	                                  : &mg_order_statements[MG_SQL_ORDER_BY_CODE],
	                             args, 2, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	if (rows.nrows == 0)
		return MG_ERR_NOT_FOUND;
	o->tenant_id = tenant;
	o->id = mg_cell_u64(MG_CELL(&rows, 0, O_ID));
	snprintf(o->code, sizeof(o->code), "%s", MG_CELL(&rows, 0, O_CODE));
	o->cart_id = mg_cell_u64(MG_CELL(&rows, 0, O_CART));
	o->person_id = mg_cell_u64(MG_CELL(&rows, 0, O_PERSON));
	o->staff_id = mg_cell_u64(MG_CELL(&rows, 0, O_STAFF));
	o->buyer_name = unseal(key, arena, tenant, "buyer_name", MG_CELL(&rows, 0, O_NAME), rows.lens[O_NAME]);
	o->buyer_email = unseal(key, arena, tenant, "buyer_email", MG_CELL(&rows, 0, O_EMAIL), rows.lens[O_EMAIL]);
	o->state = MG_CELL(&rows, 0, O_STATE);
	o->channel = MG_CELL(&rows, 0, O_CHANNEL);
	o->payment_method = MG_CELL(&rows, 0, O_METHOD);
	o->payment_deadline = (time_t)mg_cell_u64(MG_CELL(&rows, 0, O_DEADLINE));
	o->total = mg_cell_u64(MG_CELL(&rows, 0, O_TOTAL));
	o->lang = MG_CELL(&rows, 0, O_LANG);
	o->view_path = MG_CELL(&rows, 0, O_VIEW);
	o->created_at = (time_t)mg_cell_u64(MG_CELL(&rows, 0, O_CREATED));
	o->paid_at = (time_t)mg_cell_u64(MG_CELL(&rows, 0, O_PAID));
	o->module = MG_CELL(&rows, 0, O_MODULE);
	o->hold_id = mg_cell_u64(MG_CELL(&rows, 0, O_HOLD));
	o->use_at = (time_t)mg_cell_u64(MG_CELL(&rows, 0, O_USE));
	o->tax = mg_money_tax_included((long long)o->total);
	return load_lines(db, arena, o);
}

enum mg_err mg_order_find_for(const struct mg_caller *who, const char *code, struct mg_order *out)
{
	return mg_order_load(who->db, who->arena, who->key, who->tenant_id, code, false, out);
}

/* ---- history ---- */

enum mg_err mg_order_history_add(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t order_id,
				 const char *actor, const char *from, const char *to, const char *note, time_t now)
{
	struct mg_dbval args[] = { MG_INT(tenant), MG_INT(order_id), MG_INT(now), MG_TEXT(actor ? actor : "system"),
				   MG_TEXT(from),  MG_TEXT(to),	     MG_TEXT(note ? note : "") };
	return mg_db_exec(db, arena, &mg_order_statements[MG_SQL_ORDER_HISTORY_INSERT], args, 7, NULL, NULL, NULL);
}

/* Who acts in a request: the staff member, else the buyer. */
static const char *request_actor(const struct mg_caller *who)
{
	uint64_t staff = who->staff_id;
	return staff ? mg_arena_printf(who->arena, "staff:%llu", (unsigned long long)staff) : "buyer";
}

/* An event of the caller's request in the tenant's audit log (as mg_audit does for a request). */
static void caller_audit(const struct mg_caller *who, const char *action, const char *object, const char *outcome,
			 const char *detail)
{
	struct mg_audit_event ev = { who->tenant_id, who->audit_actor ? who->audit_actor : "anonymous", action, object,
				     who->ip, who->user_agent, outcome, detail };
	if (mg_audit_record(who->db, &ev) != MG_OK)
		mg_log_error("audit: could not record %s %s", action, object ? object : "");
}

static const struct {
	const char *state, *label;
} state_labels[] = {
	{ "requested", N_("Requested (awaiting approval)") },
	{ "approved", N_("Approved") },
	{ "declined", N_("Declined") },
	{ "pending", N_("Awaiting payment") },
	{ "paid", N_("Paid") },
	{ "cancelled", N_("Cancelled") },
	{ "expired", N_("Expired (unpaid)") },
	{ "refunded", N_("Refunded") },
	{ NULL, NULL },
};

const char *mg_order_state_label(const char *state)
{
	for (size_t i = 0; state != NULL && state_labels[i].state != NULL; i++)
		if (strcmp(state, state_labels[i].state) == 0)
			return state_labels[i].label;
	return NULL;
}

/* ---- mails ---- */

enum { MAILERS_MAX = 16 };
static struct {
	char module[33];
	mg_order_mailer mailer;
} mailers[MAILERS_MAX];

void mg_order_set_mailer(const char *module, mg_order_mailer mailer)
{
	size_t free_slot = MAILERS_MAX;
	for (size_t i = 0; i < MAILERS_MAX; i++) {
		if (strcmp(mailers[i].module, module) == 0) {
			mailers[i].mailer = mailer;
			return;
		}
		if (mailers[i].module[0] == '\0' && free_slot == MAILERS_MAX)
			free_slot = i;
	}
	if (free_slot < MAILERS_MAX && mailer != NULL) {
		snprintf(mailers[free_slot].module, sizeof(mailers[free_slot].module), "%s", module);
		mailers[free_slot].mailer = mailer;
	}
}

static mg_order_mailer mailer_of(const char *module)
{
	for (size_t i = 0; module != NULL && i < MAILERS_MAX; i++)
		if (strcmp(mailers[i].module, module) == 0)
			return mailers[i].mailer;
	return NULL;
}

/* The subject of each event (English msgids; {tenant} and {code} filled in). */
static const char *event_subject(const char *event)
{
	if (strcmp(event, "paid") == 0)
		return N_("[{tenant}] Your order {code} is confirmed");
	if (strcmp(event, "requested") == 0)
		return N_("[{tenant}] We have received your request {code}");
	if (strcmp(event, "approved") == 0)
		return N_("[{tenant}] Your request {code} is approved");
	if (strcmp(event, "declined") == 0)
		return N_("[{tenant}] Your request {code} could not be accepted");
	if (strcmp(event, "cancelled") == 0)
		return N_("[{tenant}] Your order {code} is cancelled");
	return N_("[{tenant}] We have received your order {code}");
}

enum mg_err mg_order_mail_generic(struct mg_arena *arena, const struct mg_order_mail *m, const char **subject,
				  const char **body)
{
	const struct mg_order *o = m->order;
	const char *lang = m->lang;
	struct mg_buf b;
	mg_buf_init(&b);
	mg_buf_puts(&b, mg_i18n_translate(lang, N_("Dear {name},\n\nThank you for your order at {tenant}.\n")));
	mg_buf_printf(&b, "\n%s %s\n\n", mg_i18n_translate(lang, N_("Order number:")), o->code);
	for (size_t i = 0; i < o->n; i++)
		mg_buf_printf(&b, "- %s  %s\n", o->lines[i].description, mg_yen_signed(arena, o->lines[i].amount));
	mg_buf_printf(&b, "%s %s\n", mg_i18n_translate(lang, N_("Total:")), mg_yen(arena, o->total));
	mg_buf_printf(&b, "%s %s\n",
		      mg_i18n_translate(lang, N_("of which consumption tax (10%):")), mg_yen(arena, (unsigned long long)o->tax));
	const struct mg_payment_provider *p = mg_payment_provider(o->payment_method);
	if (p != NULL && strcmp(m->event, "requested") != 0 && strcmp(m->event, "declined") != 0)
		mg_buf_printf(&b, "%s %s\n", mg_i18n_translate(lang, N_("Payment:")), mg_i18n_translate(lang, p->label));
	if (strcmp(m->event, "paid") == 0)
		mg_buf_printf(&b, "\n%s\n", mg_i18n_translate(lang, N_("Your payment has been received.")));
	else if (strcmp(m->event, "requested") == 0)
		mg_buf_printf(&b, "\n%s\n", mg_i18n_translate(lang, N_("The staff will look at your request and write to you.")));
	else if (strcmp(m->event, "declined") == 0)
		mg_buf_printf(&b, "\n%s\n", mg_i18n_translate(lang, N_("We are sorry: your request could not be accepted.")));
	else if (strcmp(m->event, "cancelled") == 0)
		mg_buf_printf(&b, "\n%s\n", mg_i18n_translate(lang, N_("Your order is cancelled.")));
	else if (o->payment_deadline != 0)
		mg_buf_printf(&b, "\n%s\n",
			      fill(arena,
				   fill(arena,
					mg_i18n_translate(lang, N_("Please pay by {deadline} ({zone}). Unpaid orders are "
								   "cancelled automatically after that time.")),
					"deadline", mg_tz_text(arena, m->time_zone, o->payment_deadline, MG_TZ_MINUTE, lang)),
				   "zone", mg_tz_label(m->time_zone, lang)));
	if (m->order_url != NULL)
		mg_buf_printf(&b, "\n%s\n%s\n", mg_i18n_translate(lang, N_("Your order:")), m->order_url);
	*subject = mg_i18n_translate(lang, event_subject(m->event));
	*body = mg_arena_strndup(arena, b.data != NULL ? b.data : "", b.len);
	mg_buf_free(&b);
	return *body != NULL ? MG_OK : MG_ERR_NOMEM;
}

enum mg_err mg_order_queue_mail(struct mg_db *db, struct mg_arena *arena, const unsigned char *key,
				const char *tenant_name, const char *time_zone, const struct mg_order *o, const char *event)
{
	if (o->buyer_email == NULL || o->buyer_email[0] == '\0' || key == NULL)
		return MG_OK; /* a box-office sale without an address */
	const char *url = mg_payment_public_url();
	struct mg_order_mail m = { o, event, o->lang != NULL && strcmp(o->lang, "en") == 0 ? "en" : "ja", tenant_name,
				   o->view_path != NULL && url != NULL ? mg_arena_printf(arena, "%s%s", url, o->view_path)
								       : NULL,
				   time_zone };
	mg_order_mailer mailer = mailer_of(o->module);
	const char *subject = NULL, *body = NULL;
	enum mg_err err = mailer != NULL ? mailer(arena, &m, &subject, &body) : mg_order_mail_generic(arena, &m, &subject, &body);
	if (err != MG_OK || subject == NULL || body == NULL)
		return err;
	const char *name = o->buyer_name != NULL ? o->buyer_name : "";
	body = fill(arena, fill(arena, body, "name", name), "tenant", tenant_name);
	subject = fill(arena, fill(arena, subject, "tenant", tenant_name), "code", o->code);
	return mg_mail_enqueue(db, o->tenant_id, key, o->buyer_email, subject, body);
}

/* The order mail of a request. In the caller's transaction. */
static enum mg_err queue_order_mail(const struct mg_caller *who, struct mg_db *db, const struct mg_order *o)
{
	return mg_order_queue_mail(db, who->arena, who->key, who->tenant_name,
				   who->time_zone, o, strcmp(o->state, "paid") == 0 ? "paid" : "received");
}

/* ---- payment records ---- */

enum mg_err mg_order_record_payment(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t order_id,
				    const char *kind, const char *provider, long long amount, const char *note, time_t now)
{
	if (amount < 0 || (strcmp(kind, "refund") != 0 && strcmp(kind, "fee") != 0))
		return MG_ERR_INTERNAL;
	struct mg_dbval args[] = { MG_INT(tenant), MG_INT(order_id), MG_TEXT(kind), MG_TEXT(provider),
				   MG_INT(amount), MG_TEXT(note),    MG_INT(now),   MG_INT(now) };
	return mg_db_exec(db, arena, &mg_order_statements[MG_SQL_ORDER_PAYMENT_RECORD], args, 8, NULL, NULL, NULL);
}

/* ---- checkout ---- */

struct checkout_job {
	const struct mg_caller *who;
	const struct mg_checkout *co;
	const struct mg_payment_provider *provider;
	const char *name, *email, *email_hmac;
	struct mg_buf *sealed_name, *sealed_email;
	time_t now;
	struct mg_order *out;
};

static enum mg_err insert_order(struct mg_db *db, struct checkout_job *j, const struct mg_cart_view *cart,
				uint64_t person_id)
{
	const struct mg_caller *who = j->who;
	struct mg_order *o = j->out;
	bool free_of_charge = cart->total == 0;
	time_t deadline = j->now + j->provider->deadline_seconds;
	if (j->co->deadline_cap != 0 && deadline > j->co->deadline_cap)
		deadline = j->co->deadline_cap > j->now ? j->co->deadline_cap : j->now;
	uint64_t staff = who->staff_id;
	enum mg_err err = MG_ERR_CONFLICT;
	for (int attempt = 0; attempt < CODE_ATTEMPTS && err == MG_ERR_CONFLICT; attempt++) {
		mg_order_code_new(o->code);
		unsigned long long id = 0;
		struct mg_dbval args[] = { MG_INT(who->tenant_id),
					   MG_TEXT(o->code),
					   MG_INT(cart->cart.id),
					   person_id ? MG_INT(person_id) : MG_NULL,
					   MG_BLOB(j->sealed_name->data, j->sealed_name->len),
					   j->email != NULL ? MG_BLOB(j->sealed_email->data, j->sealed_email->len) : MG_NULL,
					   MG_TEXT(j->email_hmac),
					   MG_TEXT(free_of_charge ? "paid" : "pending"),
					   MG_TEXT(j->co->channel),
					   staff ? MG_INT(staff) : MG_NULL,
					   MG_TEXT(j->provider->name),
					   MG_INT(deadline),
					   MG_INT(cart->total),
					   MG_TEXT(who->lang),
					   MG_INT(j->now),
					   free_of_charge ? MG_INT(j->now) : MG_NULL,
					   MG_TEXT(cart->n > 0 ? cart->items[0].module : NULL) };
		/* a duplicate code (31^12 of them: rare) is a statement error only; try another */
		err =
		    mg_db_exec(db, who->arena, &mg_order_statements[MG_SQL_ORDER_INSERT], args, 17, NULL, NULL, &id);
		o->id = id;
	}
	if (err != MG_OK)
		return err;
	o->tenant_id = who->tenant_id;
	o->cart_id = cart->cart.id;
	o->person_id = person_id;
	o->staff_id = staff;
	o->state = free_of_charge ? "paid" : "pending";
	o->channel = j->co->channel;
	o->payment_method = j->provider->name;
	o->created_at = j->now;
	o->payment_deadline = free_of_charge ? 0 : deadline;
	o->paid_at = free_of_charge ? j->now : 0;
	o->total = cart->total;
	o->lang = who->lang;
	o->buyer_name = j->name;
	o->buyer_email = j->email;
	o->module = cart->n > 0 ? cart->items[0].module : NULL;
	o->tax = mg_money_tax_included((long long)o->total);
	return mg_order_history_add(db, who->arena, o->tenant_id, o->id, request_actor(who), NULL, o->state,
				    j->co->channel, j->now);
}

static enum mg_err insert_lines(struct mg_db *db, struct mg_arena *arena, struct mg_order *o,
				const struct mg_cart_view *cart)
{
	o->n = cart->n;
	o->lines = mg_arena_alloc(arena, (cart->n + 1) * sizeof(*o->lines));
	if (o->lines == NULL)
		return MG_ERR_NOMEM;
	for (size_t i = 0; i < cart->n; i++) {
		const struct mg_cart_item *it = &cart->items[i];
		o->lines[i] = (struct mg_order_line){ (unsigned)i + 1, it->module,	it->kind,	 it->resource,
						      it->unit,		 it->variant,	it->description, it->amount,
						      MG_LINE_UNIT };
		struct mg_dbval args[] = { MG_INT(o->tenant_id), MG_INT(o->id),	    MG_INT(i + 1),
					   MG_TEXT(it->module),	 MG_TEXT(it->kind), MG_INT(it->resource),
					   MG_INT(it->unit),	 it->variant ? MG_INT(it->variant) : MG_NULL,
					   MG_TEXT(it->description), MG_INT(it->amount), MG_TEXT(MG_LINE_UNIT) };
		enum mg_err err =
		    mg_db_exec(db, arena, &mg_order_statements[MG_SQL_ORDER_LINE_INSERT], args, 11, NULL, NULL, NULL);
		if (err != MG_OK)
			return err;
	}
	return MG_OK;
}

static enum mg_err start_payment(struct mg_db *db, struct checkout_job *j)
{
	const struct mg_caller *who = j->who;
	struct mg_order *o = j->out;
	struct mg_arena *arena = who->arena;
	if (o->total == 0)
		return MG_OK;
	const char *ref = NULL, *redirect = NULL;
	struct mg_payment_start p = { o->tenant_id, who->tenant_slug, o->code, o->total, o->view_path, j->now };
	enum mg_err err;
	if (j->provider->start != NULL && (err = j->provider->start(db, arena, &p, &ref, &redirect)) != MG_OK)
		return err;
	struct mg_dbval args[] = { MG_INT(o->tenant_id), MG_INT(o->id), MG_TEXT(j->provider->name), MG_TEXT(ref),
				   MG_INT(o->total),	 MG_INT(j->now), MG_INT(j->now) };
	if ((err = mg_db_exec(db, arena, &mg_order_statements[MG_SQL_ORDER_PAYMENT_INSERT], args, 7, NULL, NULL,
	                      NULL)) != MG_OK)
		return err;
	o->payment_url = redirect;
	return MG_OK;
}

static enum mg_err checkout_in_transaction(struct mg_db *db, void *arg)
{
	struct checkout_job *j = arg;
	const struct mg_caller *who = j->who;
	struct mg_arena *arena = who->arena;
	uint64_t tenant = who->tenant_id;
	*j->out = (struct mg_order){ 0 };
	struct mg_cart_view cart;
	enum mg_err err = mg_cart_lock_for_checkout(db, arena, tenant, j->co->cart_token, j->now, &cart);
	if (err != MG_OK)
		return err;
	if (cart.n == 0)
		return MG_ERR_INPUT;
	uint64_t person = strcmp(j->co->channel, "web") == 0 ? who->customer_id : 0;
	if (person == 0 && j->email != NULL &&
	    (err = mg_person_upsert_guest(db, who->key, tenant, j->email, j->name, j->co->phone,
					  who->lang, &person)) != MG_OK)
		return err;
	if ((err = insert_order(db, j, &cart, person)) != MG_OK)
		return err;
	/* the units become the order's only while the cart's hold is still good */
	if ((err = mg_inventory_confirm(db, arena, tenant, cart.cart.id, cart.n, j->out->id, j->now)) != MG_OK)
		return err;
	if ((err = insert_lines(db, arena, j->out, &cart)) != MG_OK ||
	    (err = mg_cart_mark_checked_out(db, arena, tenant, cart.cart.id)) != MG_OK)
		return err;
	if (j->co->hook != NULL && (err = j->co->hook(db, arena, j->out, j->co->hook_arg)) != MG_OK)
		return err;
	if (j->out->view_path != NULL) {
		struct mg_dbval args[] = { MG_TEXT(j->out->view_path), MG_INT(tenant), MG_INT(j->out->id) };
		if ((err = mg_db_exec(db, arena, &mg_order_statements[MG_SQL_ORDER_SET_VIEW_PATH], args, 3, NULL, NULL,
		                      NULL)) != MG_OK)
			return err;
	}
	if ((err = start_payment(db, j)) != MG_OK)
		return err;
	/* a card order is confirmed by mail once paid; the others now, with how to pay */
	if (j->out->payment_url == NULL)
		err = queue_order_mail(who, db, j->out);
	return err;
}

enum mg_err mg_order_checkout_for(const struct mg_caller *who, const struct mg_checkout *co, struct mg_order *out)
{
	struct mg_arena *arena = who->arena;
	const unsigned char *key = who->key;
	*out = (struct mg_order){ 0 };
	const struct mg_payment_provider *provider = mg_payment_provider(co->payment);
	const char *name = clean_name(arena, co->name);
	char email[MG_EMAIL_MAX + 1], hmac[65];
	if (key == NULL)
		return MG_ERR_INTERNAL;
	if (co->channel == NULL || (strcmp(co->channel, "web") != 0 && strcmp(co->channel, "api") != 0 &&
				    strcmp(co->channel, "box_office") != 0))
		return MG_ERR_INPUT;
	/* a box-office buyer may leave no address; everyone else gets the mail */
	bool no_email = strcmp(co->channel, "box_office") == 0 && (co->email == NULL || co->email[0] == '\0');
	if (provider == NULL || name == NULL ||
	    (!no_email && (co->email == NULL || !mg_email_normalise(co->email, email, sizeof(email)))))
		return MG_ERR_INPUT;
	struct mg_buf sealed_name, sealed_email;
	mg_buf_init(&sealed_name);
	mg_buf_init(&sealed_email);
	enum mg_err err;
	if ((err = seal(key, arena, who->tenant_id, "buyer_name", name, &sealed_name)) != MG_OK ||
	    (!no_email && ((err = mg_person_email_hmac(key, email, hmac)) != MG_OK ||
			   (err = seal(key, arena, who->tenant_id, "buyer_email", email, &sealed_email)) != MG_OK)))
		goto out;
	struct checkout_job j = { who,
				  co,
				  provider,
				  name,
				  no_email ? NULL : mg_arena_strdup(arena, email),
				  no_email ? NULL : hmac,
				  &sealed_name,
				  &sealed_email,
				  mg_now(),
				  out };
	err = mg_db_transaction(who->db, checkout_in_transaction, &j);
	if (err == MG_OK)
		caller_audit(who, "order.placed", out->code, "success",
			 mg_arena_printf(arena, "%zu unit(s), total %llu, %s, %s", out->n, out->total, provider->name,
					 co->channel));
	else
		*out = (struct mg_order){ 0 };
out:
	mg_buf_free(&sealed_name);
	mg_buf_free(&sealed_email);
	return err;
}

/* ---- payment outcomes ---- */

struct result_job {
	const struct mg_caller *who;
	const char *code, *provider, *ref;
	bool succeeded;
	time_t now;
	bool already, order_was_open;
	struct mg_order order;
};

static enum mg_err result_in_transaction(struct mg_db *db, void *arg)
{
	struct result_job *j = arg;
	const struct mg_caller *who = j->who;
	struct mg_arena *arena = who->arena;
	uint64_t tenant = who->tenant_id;
	j->already = j->order_was_open = false;
	enum mg_err err = mg_order_load(db, arena, who->key, tenant, j->code, true, &j->order);
	if (err != MG_OK)
		return err;
	struct mg_rows rows;
	struct mg_dbval by_ref[] = { MG_INT(tenant), MG_INT(j->order.id), MG_TEXT(j->provider), MG_TEXT(j->ref) };
	struct mg_dbval latest[] = { MG_INT(tenant), MG_INT(j->order.id), MG_TEXT(j->provider) };
	err = j->ref != NULL ? mg_db_exec(db, arena, &mg_order_statements[MG_SQL_ORDER_PAYMENT_LOCK_BY_REF], by_ref, 4,
	                                  &rows, NULL, NULL)
	                     : mg_db_exec(db, arena, &mg_order_statements[MG_SQL_ORDER_PAYMENT_LOCK_LATEST], latest, 3,
	                                  &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	if (rows.nrows == 0)
		return MG_ERR_NOT_FOUND;
	if (strcmp(MG_CELL(&rows, 0, 1), "started") != 0) {
		j->already = true;
		return MG_OK;
	}
	struct mg_dbval set[] = { MG_TEXT(j->succeeded ? "succeeded" : "failed"), MG_INT(j->now), MG_INT(tenant),
				  MG_INT(mg_cell_u64(MG_CELL(&rows, 0, 0))) };
	if ((err = mg_db_exec(db, arena, &mg_order_statements[MG_SQL_ORDER_PAYMENT_SET_STATE], set, 4, NULL, NULL,
	                      NULL)) != MG_OK ||
	    !j->succeeded)
		return err;
	unsigned long long affected = 0;
	struct mg_dbval paid[] = { MG_INT(j->now), MG_INT(tenant), MG_INT(j->order.id) };
	if ((err = mg_db_exec(db, arena, &mg_order_statements[MG_SQL_ORDER_SET_PAID], paid, 3, NULL, &affected,
	                      NULL)) != MG_OK)
		return err;
	j->order_was_open = affected == 1;
	if (!j->order_was_open)
		return MG_OK; /* paid after it expired or was cancelled: staff refund it (audited) */
	/* an enrolment paid by card without approval: the payment confirms its provisional hold */
	struct mg_hold h;
	if (j->order.hold_id != 0 &&
	    ((err = mg_hold_get(db, arena, tenant, j->order.hold_id, true, &h)) != MG_OK ||
	     (strcmp(h.state, "held") == 0 &&
	      (err = mg_hold_confirm(db, arena, tenant, j->order.hold_id, j->order.id, j->now)) != MG_OK)))
		return err;
	j->order.state = "paid";
	j->order.paid_at = j->now;
	/* staff confirming a transfer or taking cash, else the provider's callback */
	const char *actor = who->staff_id ? request_actor(who) : mg_arena_printf(arena, "provider:%s", j->provider);
	if ((err = mg_order_history_add(db, arena, tenant, j->order.id, actor, "pending", "paid", j->provider, j->now)) !=
	    MG_OK)
		return err;
	return queue_order_mail(who, db, &j->order);
}

enum mg_err mg_order_payment_result_for(const struct mg_caller *who, const char *order_code, const char *provider,
				    const char *provider_ref, bool succeeded, bool *already)
{
	struct result_job j = { who, order_code, provider, provider_ref, succeeded, mg_now(), false, false, { 0 } };
	enum mg_err err = mg_db_transaction(who->db, result_in_transaction, &j);
	if (already != NULL)
		*already = j.already;
	if (err != MG_OK || j.already)
		return err;
	struct mg_arena *arena = who->arena;
	const char *detail = mg_arena_printf(arena, "%s %s", provider, provider_ref ? provider_ref : "");
	if (!succeeded)
		caller_audit(who, "order.payment_failed", order_code, "failure", detail);
	else if (j.order_was_open)
		caller_audit(who, "order.paid", order_code, "success", detail);
	else
		caller_audit(who, "order.paid_after_close", order_code, "failure",
			 mg_arena_printf(arena, "%s; the order is %s: refund it", detail, j.order.state));
	return MG_OK;
}

/* ---- closing orders ---- */

/* Releases an order's units, settles its payments and lets the module close its rows. */
static enum mg_err close_rows(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t order_id, time_t now,
			      const char *payment_from, const char *payment_to, mg_order_close_hook hook, void *arg)
{
	enum mg_err err = mg_inventory_release_order(db, arena, tenant, order_id, NULL);
	if (err != MG_OK)
		return err;
	struct mg_dbval settle[] = { MG_TEXT(payment_to), MG_INT(now), MG_INT(tenant), MG_INT(order_id),
				     MG_TEXT(payment_from) };
	if ((err = mg_db_exec(db, arena, &mg_order_statements[MG_SQL_ORDER_PAYMENTS_SETTLE], settle, 5, NULL, NULL,
	                      NULL)) != MG_OK)
		return err;
	return hook != NULL ? hook(db, arena, tenant, order_id, arg) : MG_OK;
}

struct expire_job {
	struct mg_arena *arena;
	uint64_t tenant;
	time_t now;
	mg_order_close_hook hook;
	void *arg;
	size_t done;
	struct mg_rows codes;
};

static enum mg_err expire_batch(struct mg_db *db, void *arg)
{
	struct expire_job *j = arg;
	j->done = 0;
	struct mg_dbval args[] = { MG_INT(j->tenant), MG_INT(j->now), MG_INT(MG_ORDER_EXPIRE_BATCH) };
	enum mg_err err =
	    mg_db_exec(db, j->arena, &mg_order_statements[MG_SQL_ORDER_ORDERS_DUE], args, 3, &j->codes, NULL, NULL);
	for (size_t r = 0; err == MG_OK && r < j->codes.nrows; r++) {
		uint64_t id = mg_cell_u64(MG_CELL(&j->codes, r, 0));
		struct mg_dbval expire[] = { MG_INT(j->now), MG_INT(j->tenant), MG_INT(id) };
		err = mg_db_exec(db, j->arena, &mg_order_statements[MG_SQL_ORDER_EXPIRE], expire, 3, NULL, NULL, NULL);
		if (err == MG_OK)
			err = mg_order_history_add(db, j->arena, j->tenant, id, "system", "pending", "expired",
						   "unpaid at the payment deadline", j->now);
		if (err == MG_OK)
			err = close_rows(db, j->arena, j->tenant, id, j->now, "started", "failed", j->hook, j->arg);
	}
	if (err == MG_OK)
		j->done = j->codes.nrows;
	return err;
}

static void audit_expired(struct mg_db *db, const struct expire_job *j)
{
	for (size_t r = 0; r < j->codes.nrows; r++) {
		struct mg_audit_event ev = { j->tenant, "system", "order.expired", MG_CELL(&j->codes, r, 1), NULL, NULL,
					     "success", "unpaid at the payment deadline; units released" };
		if (mg_audit_record(db, &ev) != MG_OK)
			mg_log_error("order: could not audit the expiry of %s", MG_CELL(&j->codes, r, 1));
	}
}

enum mg_err mg_orders_expire_due(struct mg_db *db, struct mg_arena *arena, time_t now, mg_order_close_hook hook,
				 void *arg, size_t *expired)
{
	size_t total = 0;
	struct mg_rows tenants;
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_order_statements[MG_SQL_ORDER_TENANTS], NULL, 0, &tenants, NULL, NULL);
	for (size_t t = 0; err == MG_OK && t < tenants.nrows; t++) {
		struct expire_job j = { arena, mg_cell_u64(MG_CELL(&tenants, t, 0)), now, hook, arg, 0, { 0 } };
		do {
			err = mg_db_transaction(db, expire_batch, &j);
			if (err == MG_OK) {
				audit_expired(db, &j);
				total += j.done;
			}
		} while (err == MG_OK && j.done == MG_ORDER_EXPIRE_BATCH);
	}
	if (expired != NULL)
		*expired = total;
	return err;
}

struct cancel_job {
	const struct mg_caller *who;
	const char *code;
	bool refund;
	mg_order_close_hook hook;
	void *arg;
	time_t now;
	const char *new_state;
};

static enum mg_err cancel_in_transaction(struct mg_db *db, void *arg)
{
	struct cancel_job *j = arg;
	struct mg_arena *arena = j->who->arena;
	uint64_t tenant = j->who->tenant_id;
	struct mg_order o;
	enum mg_err err = mg_order_load(db, arena, NULL, tenant, j->code, true, &o);
	if (err != MG_OK)
		return err;
	bool paid = strcmp(o.state, "paid") == 0;
	if (!paid && strcmp(o.state, "pending") != 0)
		return MG_ERR_CONFLICT;
	j->new_state = paid && j->refund ? "refunded" : "cancelled";
	struct mg_dbval args[] = { MG_TEXT(j->new_state), MG_INT(j->now), MG_INT(tenant), MG_INT(o.id) };
	if ((err = mg_db_exec(db, arena, &mg_order_statements[MG_SQL_ORDER_CLOSE], args, 4, NULL, NULL, NULL)) != MG_OK ||
	    (err = mg_order_history_add(db, arena, tenant, o.id, request_actor(j->who), o.state, j->new_state, "",
					j->now)) != MG_OK)
		return err;
	/* a refund is a payment row of its own; the charge stays what it was */
	if (paid && j->refund &&
	    (err = mg_order_record_payment(db, arena, tenant, o.id, "refund", o.payment_method, (long long)o.total,
					   "refund in full", j->now)) != MG_OK)
		return err;
	return close_rows(db, arena, tenant, o.id, j->now, "started", "failed", j->hook, j->arg);
}

enum mg_err mg_order_cancel_for(const struct mg_caller *who, const char *code, bool refund, mg_order_close_hook hook, void *arg)
{
	struct cancel_job j = { who, code, refund, hook, arg, mg_now(), NULL };
	enum mg_err err = mg_db_transaction(who->db, cancel_in_transaction, &j);
	if (err == MG_OK)
		caller_audit(who, strcmp(j.new_state, "refunded") == 0 ? "order.refunded" : "order.cancelled", code, "success",
			 "units released");
	return err;
}
