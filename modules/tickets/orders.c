/*
 * The back office's side of selling (see orders.h).
 */
#include <stdlib.h>
#include <string.h>

#include "eticket.h"
#include "catalog.h"
#include "orders.h"

enum { PAGE_ORDERS = 50, CSV_BATCH = 500, CSV_MAX_ROWS = 100000 };

/* The order-state labels are the core's (mg_order_state_label), one list for every module. */
static const char *state_label(const char *state)
{
	const char *label = mg_order_state_label(state);
	return label != NULL ? label : state;
}

/* ---- searching ---- */

/* What the search form asks for. q is an order code (exactly) or an e-mail address (by its
 * keyed hash: addresses are sealed, so only an exact address finds anything). */
struct order_filter {
	const char *q, *state;
	const char *code;  /* "" for any */
	char email[65];    /* buyer_email_hmac, "" for any */
	uint64_t performance, before;
	const char *day;         /* "YYYY-MM-DD", a day of the tenant's zone; "" for any */
	time_t day_start, day_end; /* its bounds in UTC, from the zone's rules (23 to 25 hours) */
	const char *problem; /* an English msgid when q is neither a code nor an address */
};

static void read_filter(struct mg_ctx *ctx, struct order_filter *f)
{
	*f = (struct order_filter){ .q = mg_query(ctx, "q"), .state = mg_query(ctx, "state"), .code = "" };
	/* both checked by their pattern (MG_ID_PATTERN) before the handler: 0 when not given */
	mg_query_id(ctx, "performance", &f->performance);
	mg_query_id(ctx, "before", &f->before);
	if (f->state == NULL)
		f->state = "";
	f->day = mg_query(ctx, "day") != NULL ? mg_query(ctx, "day") : "";
	const char *zone = mg_tenant_time_zone(ctx);
	if (f->day[0] != '\0' && (mg_tz_parse_date(zone, f->day, &f->day_start) != MG_OK ||
				  mg_tz_day_start(zone, f->day_start, 1, &f->day_end) != MG_OK)) {
		f->problem = N_("Enter a date as YYYY-MM-DD, e.g. 2026-04-01.");
		f->day_start = f->day_end = 0;
	}
	if (f->q == NULL || f->q[0] == '\0') {
		f->q = "";
		return;
	}
	if (strchr(f->q, '@') != NULL) {
		if (mg_order_email_key(ctx, f->q, f->email) != MG_OK)
			f->problem = N_("This is not an e-mail address.");
		return;
	}
	char *code = mg_arena_strdup(mg_arena(ctx), f->q);
	for (char *c = code; *c != '\0'; c++)
		if (*c >= 'a' && *c <= 'z')
			*c = (char)(*c - 'a' + 'A');
	if (!mg_order_code_valid(code))
		f->problem = N_("Type an order code (12 letters and digits) or the buyer's e-mail address.");
	f->code = code;
}

static enum mg_err search(struct mg_ctx *ctx, const struct order_filter *f, uint64_t before, long limit,
			  struct mg_rows *rows)
{
	struct mg_dbval args[] = { MG_INT(mg_tenant_id(ctx)), MG_TEXT(f->code),	      MG_TEXT(f->code),
				   MG_TEXT(f->email),	      MG_TEXT(f->email),	      MG_TEXT(f->state),
				   MG_TEXT(f->state),	      MG_INT(before),		      MG_INT(before),
				   MG_INT(f->day_start),      MG_INT(f->day_start),	      MG_INT(f->day_end),
				   MG_INT(f->performance),    MG_INT(f->performance),	      MG_INT(limit) };
	return mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &tickets_statements[TICKETS_SQL_ORDERS_SEARCH], args, 15, rows,
	                  NULL, NULL);
}

enum { O_ID, O_CODE, O_STATE, O_CHANNEL, O_METHOD, O_TOTAL, O_CREATED, O_PAID, O_NAME, O_EMAIL };

static const char *buyer(struct mg_ctx *ctx, const struct mg_rows *rows, size_t r, int col)
{
	const char *text = mg_order_buyer_text(ctx, col == O_NAME ? "buyer_name" : "buyer_email", MG_CELL(rows, r, col),
					       rows->lens[r * rows->ncols + col]);
	return text != NULL ? text : "";
}

/* The query string of the filter (for the next page and the CSV link). */
static const char *filter_query(struct mg_ctx *ctx, const struct order_filter *f)
{
	struct mg_arena *a = mg_arena(ctx);
	return mg_arena_printf(a, "q=%s&state=%s&day=%s&performance=%s", mg_url_encode(a, f->q), mg_url_encode(a, f->state),
			       mg_url_encode(a, f->day),
			       f->performance ? mg_arena_printf(a, "%llu", (unsigned long long)f->performance) : "");
}

/* GET /<slug>/admin/tickets/orders — the newest orders matching the filter, 50 a page. */
enum mg_err orders_list(struct mg_ctx *ctx)
{
	struct order_filter f;
	read_filter(ctx, &f);
	struct mg_rows rows = { 0 };
	enum mg_err err;
	if (f.problem == NULL && (err = search(ctx, &f, f.before, PAGE_ORDERS + 1, &rows)) != MG_OK)
		return err;
	struct mg_arena *a = mg_arena(ctx);
	json_t *list = json_array();
	size_t shown = rows.nrows > PAGE_ORDERS ? PAGE_ORDERS : rows.nrows;
	for (size_t r = 0; r < shown; r++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "code", MG_CELL(&rows, r, O_CODE),
						      "href", mg_admin_path(ctx, mg_arena_printf(a, "/tickets/orders/%s", MG_CELL(&rows, r, O_CODE))),
						      "state", MG_CELL(&rows, r, O_STATE), "state_label",
						      mg_tr(ctx, state_label(MG_CELL(&rows, r, O_STATE))), "created",
						      mg_time_cell(ctx, MG_CELL(&rows, r, O_CREATED), MG_TZ_MINUTE), "total", mg_yen(a, mg_cell_u64(MG_CELL(&rows, r, O_TOTAL))),
						      "name", buyer(ctx, &rows, r, O_NAME), "email", buyer(ctx, &rows, r, O_EMAIL)));
	if (shown > 0)
		mg_audit(ctx, "order.search", "orders", "success", f.q[0] ? "by code or e-mail" : NULL);
	json_t *data = mg_admin_page(ctx, N_("Orders"));
	json_object_set_new(data, "orders", list);
	json_object_set_new(data, "filter", json_pack("{s:s, s:s, s:s, s:s}", "q", f.q, "state", f.state, "day", f.day,
						      "performance",
						      f.performance ? mg_arena_printf(a, "%llu", (unsigned long long)f.performance) : ""));
	json_object_set_new(data, "states", json_pack("{s:b, s:b, s:b, s:b, s:b}", "pending", strcmp(f.state, "pending") == 0,
						      "paid", strcmp(f.state, "paid") == 0, "cancelled",
						      strcmp(f.state, "cancelled") == 0, "expired", strcmp(f.state, "expired") == 0,
						      "refunded", strcmp(f.state, "refunded") == 0));
	json_object_set_new(data, "action", json_string(mg_admin_path(ctx, "/tickets/orders")));
	json_object_set_new(data, "csv_href", json_string(mg_arena_printf(a, "%s?%s", mg_admin_path(ctx, "/tickets/orders.csv"),
									   filter_query(ctx, &f))));
	if (rows.nrows > PAGE_ORDERS)
		json_object_set_new(data, "next_href",
				    json_string(mg_arena_printf(a, "%s?%s&before=%s", mg_admin_path(ctx, "/tickets/orders"),
								filter_query(ctx, &f), MG_CELL(&rows, PAGE_ORDERS - 1, O_ID))));
	if (f.problem != NULL)
		json_object_set_new(data, "error", json_string(mg_tr(ctx, f.problem)));
	return mg_render(ctx, f.problem != NULL ? 422 : 200, "tickets/orders", data);
}

/* GET /<slug>/admin/tickets/orders.csv — every order the filter finds (newest first, at most
 * 100,000), with the buyer, as CSV that Excel opens (BOM, CRLF, formulas guarded). Audited:
 * it carries personal data. */
enum mg_err orders_csv(struct mg_ctx *ctx)
{
	struct order_filter f;
	read_filter(ctx, &f);
	if (f.problem != NULL)
		return mg_error(ctx, 400, f.problem);
	struct mg_buf out;
	struct mg_csv csv;
	mg_buf_init(&out);
	mg_csv_begin(&csv, &out);
	const char *const header[] = { N_("Order code"), N_("Ordered at (JST)"), N_("Order state"), N_("Sales channel"),
				       N_("Payment method"), N_("Total (yen)"), N_("Paid at (JST)"), N_("Buyer name"),
				       N_("Buyer e-mail") };
	/* the two times are in the tenant's zone: named in the header unless it is Japan's */
	const char *zone = mg_tenant_time_zone(ctx);
	bool tokyo = strcmp(zone, "Asia/Tokyo") == 0;
	for (size_t i = 0; i < sizeof(header) / sizeof(header[0]); i++)
		if (!tokyo && (i == 1 || i == 6))
			mg_csv_field(&csv, catalog_message(ctx, i == 1 ? N_("Ordered at ({zone})") : N_("Paid at ({zone})"),
							   "{zone}", zone));
		else
			mg_csv_field(&csv, mg_tr(ctx, header[i]));
	mg_csv_end_row(&csv);
	uint64_t before = f.before;
	size_t total = 0;
	enum mg_err err = MG_OK;
	for (;;) {
		struct mg_rows rows;
		if ((err = search(ctx, &f, before, CSV_BATCH, &rows)) != MG_OK)
			break;
		for (size_t r = 0; r < rows.nrows; r++) {
			const char *method = mg_payment_method_label(MG_CELL(&rows, r, O_METHOD));
			mg_csv_field(&csv, MG_CELL(&rows, r, O_CODE));
			mg_csv_field(&csv, mg_time_cell(ctx, MG_CELL(&rows, r, O_CREATED), MG_TZ_MINUTE));
			mg_csv_field(&csv, mg_tr(ctx, state_label(MG_CELL(&rows, r, O_STATE))));
			mg_csv_field(&csv, MG_CELL(&rows, r, O_CHANNEL));
			mg_csv_field(&csv, method ? mg_tr(ctx, method) : MG_CELL(&rows, r, O_METHOD));
			mg_csv_int(&csv, (long long)mg_cell_u64(MG_CELL(&rows, r, O_TOTAL)));
			mg_csv_field(&csv, mg_time_cell(ctx, MG_CELL(&rows, r, O_PAID), MG_TZ_MINUTE));
			mg_csv_field(&csv, buyer(ctx, &rows, r, O_NAME));
			mg_csv_field(&csv, buyer(ctx, &rows, r, O_EMAIL));
			mg_csv_end_row(&csv);
		}
		total += rows.nrows;
		if (rows.nrows < CSV_BATCH || total >= CSV_MAX_ROWS)
			break;
		before = mg_cell_u64(MG_CELL(&rows, rows.nrows - 1, O_ID));
	}
	if (err == MG_OK) {
		mg_audit(ctx, "order.export", "orders", "success", mg_arena_printf(mg_arena(ctx), "%zu rows", total));
		mg_header(ctx, "Content-Disposition", "attachment; filename=\"orders.csv\"");
		err = mg_send(ctx, 200, "text/csv; charset=utf-8", &out);
	}
	mg_buf_free(&out);
	return err;
}

/* ---- one order ---- */

static enum mg_err render_detail(struct mg_ctx *ctx, int status, const char *message)
{
	struct mg_order o;
	enum mg_err err = mg_order_find(ctx, mg_param(ctx, "code"), &o);
	if (err != MG_OK)
		return err; /* another tenant's order is simply not found */
	struct mg_arena *a = mg_arena(ctx);
	/* everything read before any JSON is built: an error return then leaks nothing */
	size_t n = 0;
	struct shop_ticket *tickets = NULL;
	struct mg_rows state, pays;
	struct mg_dbval key[] = { MG_INT(mg_tenant_id(ctx)), MG_INT(o.id) };
	if ((err = eticket_of_order(ctx, o.id, &n, &tickets)) != MG_OK ||
	    (err = mg_db_exec(mg_ctx_db(ctx), a, &tickets_statements[TICKETS_SQL_ORDERS_TICKETS], key, 2, &state, NULL,
			      NULL)) != MG_OK ||
	    (err = mg_db_exec(mg_ctx_db(ctx), a, &tickets_statements[TICKETS_SQL_ORDERS_PAYMENTS], key, 2, &pays, NULL,
			      NULL)) != MG_OK)
		return err;
	json_t *lines = json_array();
	for (size_t i = 0; i < o.n; i++)
		json_array_append_new(lines, json_pack("{s:s, s:s}", "description", o.lines[i].description, "amount",
						       mg_yen_signed(a, o.lines[i].amount)));
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *t = json_pack("{s:s, s:s, s:s}", "label", tickets[i].label, "href", tickets[i].path, "code",
				      tickets[i].code);
		for (size_t r = 0; r < state.nrows; r++)
			if (mg_cell_u64(MG_CELL(&state, r, 0)) == tickets[i].id) {
				json_object_set_new(t, "void", json_boolean(strcmp(MG_CELL(&state, r, 1), "void") == 0));
				json_object_set_new(t, "checked_in", json_string(mg_time_cell(ctx, MG_CELL(&state, r, 2), MG_TZ_MINUTE)));
				json_object_set_new(t, "gate", json_string(MG_CELL(&state, r, 3)));
			}
		json_array_append_new(list, t);
	}
	json_t *payments = json_array();
	for (size_t r = 0; r < pays.nrows; r++) {
		const char *label = mg_payment_method_label(MG_CELL(&pays, r, 0));
		json_array_append_new(payments, json_pack("{s:s, s:s, s:s, s:s}", "method",
							  label ? mg_tr(ctx, label) : MG_CELL(&pays, r, 0), "amount",
							  mg_yen(a, mg_cell_u64(MG_CELL(&pays, r, 1))), "state", MG_CELL(&pays, r, 2),
							  "at", mg_time_cell(ctx, MG_CELL(&pays, r, 3), MG_TZ_MINUTE)));
	}
	const char *base = mg_admin_path(ctx, mg_arena_printf(a, "/tickets/orders/%s", o.code));
	bool pending = strcmp(o.state, "pending") == 0, paid = strcmp(o.state, "paid") == 0;
	bool may_refund = mg_staff_may(ctx, "tickets.refund");
	json_t *data = mg_admin_page(ctx, N_("Order"));
	const char *method = mg_payment_method_label(o.payment_method);
	json_object_set_new(data, "order",
			    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o}", "code", o.code,
				      "state", o.state, "state_label", mg_tr(ctx, state_label(o.state)), "channel", o.channel,
				      "method", method ? mg_tr(ctx, method) : o.payment_method, "created",
				      mg_time_text(ctx, o.created_at, MG_TZ_MINUTE), "deadline", o.payment_deadline ? mg_time_text(ctx, o.payment_deadline, MG_TZ_MINUTE) : "",
				      "total", mg_yen(a, o.total), "name", o.buyer_name ? o.buyer_name : "", "email",
				      o.buyer_email ? o.buyer_email : "", "lines", lines, "tickets", list, "payments",
				      payments));
	json_object_set_new(json_object_get(data, "order"), "tax", json_string(mg_yen(a, (unsigned long long)o.tax)));
	const char *receipt = paid ? mg_receipt_path(ctx, o.code) : NULL;
	if (receipt != NULL)
		json_object_set_new(json_object_get(data, "order"), "receipt", json_string(receipt));
	json_object_set_new(data, "actions",
			    json_pack("{s:s*, s:s*, s:s*}", "cancel",
				      pending && may_refund ? mg_arena_printf(a, "%s/cancel", base) : NULL, "refund",
				      paid && may_refund ? mg_arena_printf(a, "%s/refund", base) : NULL, "confirm_transfer",
				      pending && strcmp(o.payment_method, "bank_transfer") == 0
					      ? mg_arena_printf(a, "%s/confirm-transfer", base) : NULL));
	json_object_set_new(data, "list_href", json_string(mg_admin_path(ctx, "/tickets/orders")));
	if (message != NULL)
		json_object_set_new(data, "message", json_string(mg_tr(ctx, message)));
	mg_audit(ctx, "order.view", o.code, "success", NULL);
	return mg_render(ctx, status, "tickets/order_admin", data);
}

/* GET /<slug>/admin/tickets/orders/<code> */
enum mg_err orders_detail(struct mg_ctx *ctx)
{
	const char *done = mg_query(ctx, "done");
	const char *message = done == NULL ? NULL
			      : strcmp(done, "cancelled") == 0 ? N_("The order is cancelled: its seats are free again and its tickets void.")
			      : strcmp(done, "refunded") == 0 ? N_("The order is refunded: its seats are free again and its tickets void. Pay the money back to the buyer.")
			      : strcmp(done, "paid") == 0 ? N_("The payment is recorded: the order is paid.")
							  : NULL;
	return render_detail(ctx, 200, message);
}

/* Cancel or refund: only from the state the button was offered for (409 otherwise). */
static enum mg_err close_order(struct mg_ctx *ctx, const char *from_state, bool refund)
{
	struct mg_order o;
	enum mg_err err = mg_order_find(ctx, mg_param(ctx, "code"), &o);
	if (err != MG_OK)
		return err;
	if (strcmp(o.state, from_state) != 0)
		return render_detail(ctx, 409, refund ? N_("Only a paid order can be refunded.")
						      : N_("Only an order awaiting payment can be cancelled."));
	err = mg_order_cancel(ctx, o.code, refund, eticket_void_order, NULL);
	if (err == MG_ERR_CONFLICT)
		return render_detail(ctx, 409, N_("Someone else changed this order at the same time. Look at it again."));
	if (err != MG_OK)
		return err;
	return mg_redirect(ctx, 303, mg_arena_printf(mg_arena(ctx), "%s?done=%s",
						     mg_admin_path(ctx, mg_arena_printf(mg_arena(ctx), "/tickets/orders/%s", o.code)),
						     refund ? "refunded" : "cancelled"));
}

/* POST /<slug>/admin/tickets/orders/<code>/cancel — an unpaid order (tickets.refund). */
enum mg_err orders_cancel(struct mg_ctx *ctx)
{
	return close_order(ctx, "pending", false);
}

/* POST /<slug>/admin/tickets/orders/<code>/refund — a paid order (tickets.refund). */
enum mg_err orders_refund(struct mg_ctx *ctx)
{
	return close_order(ctx, "paid", true);
}

/* POST /<slug>/admin/tickets/orders/<code>/confirm-transfer — staff saw the money arrive. */
enum mg_err orders_confirm_transfer(struct mg_ctx *ctx)
{
	struct mg_order o;
	enum mg_err err = mg_order_find(ctx, mg_param(ctx, "code"), &o);
	if (err != MG_OK)
		return err;
	if (strcmp(o.state, "pending") != 0 || strcmp(o.payment_method, "bank_transfer") != 0)
		return render_detail(ctx, 409, N_("Only an order awaiting a bank transfer can be marked as paid."));
	bool already = false;
	if ((err = mg_order_payment_result(ctx, o.code, "bank_transfer", NULL, true, &already)) != MG_OK)
		return err;
	return mg_redirect(ctx, 303, mg_arena_printf(mg_arena(ctx), "%s?done=paid",
						     mg_admin_path(ctx, mg_arena_printf(mg_arena(ctx), "/tickets/orders/%s", o.code))));
}

/* ---- the box office ---- */

/* GET /<slug>/admin/tickets/box-office — the performances on sale from now on. */
enum mg_err box_office_list(struct mg_ctx *ctx)
{
	struct mg_rows rows;
	struct mg_dbval args[] = { MG_INT(mg_tenant_id(ctx)), MG_INT(mg_now()) };
	enum mg_err err =
	    mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &tickets_statements[TICKETS_SQL_BOX_OFFICE_PERFORMANCES], args, 2,
	               &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	json_t *list = json_array();
	for (size_t r = 0; r < rows.nrows; r++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "title", MG_CELL(&rows, r, 1), "starts",
						      mg_time_cell(ctx, MG_CELL(&rows, r, 2), MG_TZ_MINUTE), "href",
						      mg_admin_path(ctx, mg_arena_printf(mg_arena(ctx), "/tickets/box-office/%s",
											 MG_CELL(&rows, r, 0)))));
	json_t *data = mg_admin_page(ctx, N_("Box office"));
	json_object_set_new(data, "performances", list);
	return mg_render(ctx, 200, "tickets/box_office", data);
}

/* The free seats of a seated performance as [{no, label, category, checked}]. */
static enum mg_err free_seats(struct mg_ctx *ctx, const struct shop_performance *p, json_t *out)
{
	struct mg_arena *a = mg_arena(ctx);
	struct mg_unit_view view;
	struct mg_rows seats;
	struct mg_dbval key[] = { MG_INT(mg_tenant_id(ctx)), MG_INT(p->seat_map_id) };
	enum mg_err err = mg_inventory_view(mg_ctx_db(ctx), a, mg_tenant_id(ctx), TICKETS_KIND_SEAT, p->id, mg_now(), &view);
	if (err == MG_OK)
		err = mg_db_exec(mg_ctx_db(ctx), a, &tickets_statements[TICKETS_SQL_BOX_OFFICE_SEATS], key, 2, &seats,
		                 NULL, NULL);
	if (err != MG_OK)
		return err;
	const char **chosen = NULL; /* ticked before, when the form is shown again */
	size_t nchosen = mg_form_typed(ctx, "seat") != NULL ? mg_form_values(ctx, "seat", &chosen) : 0;
	/* both lists are in seat order: one pass */
	for (size_t i = 0, r = 0; i < view.n; i++) {
		while (r < seats.nrows && mg_cell_u64(MG_CELL(&seats, r, 0)) < view.units[i])
			r++;
		if (view.states[i] != MG_UNIT_FREE || r == seats.nrows || mg_cell_u64(MG_CELL(&seats, r, 0)) != view.units[i])
			continue;
		bool checked = false;
		for (size_t c = 0; c < nchosen && !checked; c++)
			checked = strcmp(chosen[c], MG_CELL(&seats, r, 0)) == 0;
		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:b}", "no", MG_CELL(&seats, r, 0), "label",
						     MG_CELL(&seats, r, 1), "category", MG_CELL(&seats, r, 2), "checked", checked));
	}
	return MG_OK;
}

static json_t *choices(struct mg_ctx *ctx, const struct mg_sql *statement, uint64_t owner, const char *selected,
                       enum mg_err *err)
{
	struct mg_rows rows;
	struct mg_dbval key[] = { MG_INT(mg_tenant_id(ctx)), MG_INT(owner) };
	if ((*err = mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), statement, key, 2, &rows, NULL, NULL)) != MG_OK)
		return NULL;
	json_t *list = json_array();
	for (size_t r = 0; r < rows.nrows; r++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:b}", "id", MG_CELL(&rows, r, 0), "name", MG_CELL(&rows, r, 1),
						      "selected", selected != NULL && strcmp(selected, MG_CELL(&rows, r, 0)) == 0));
	return list;
}

static enum mg_err render_box_office(struct mg_ctx *ctx, int status, const struct shop_performance *p, const char *error)
{
	enum mg_err err = MG_OK;
	json_t *seats = json_array(), *types = NULL, *quotas = NULL;
	bool seated = p->seat_map_id != 0;
	if (seated)
		err = free_seats(ctx, p, seats);
	if (err == MG_OK)
		types = choices(ctx, &tickets_statements[TICKETS_SQL_BOX_OFFICE_TYPES], p->event_id,
		                mg_form_typed(ctx, "type"), &err);
	if (err == MG_OK)
		quotas = choices(ctx, &tickets_statements[TICKETS_SQL_BOX_OFFICE_QUOTAS], p->id,
		                 mg_form_typed(ctx, "quota"), &err);
	if (err != MG_OK) {
		json_decref(seats);
		json_decref(types);
		return err;
	}
	const char *name = mg_form_typed(ctx, "name"), *email = mg_form_typed(ctx, "email"),
		   *quantity = mg_form_typed(ctx, "quantity");
	json_t *data = mg_admin_page(ctx, N_("Box office"));
	json_object_set_new(data, "performance",
			    json_pack("{s:s, s:s, s:b}", "title", p->event_title, "starts", mg_time_text(ctx, p->starts_at, MG_TZ_MINUTE),
				      "seated", seated));
	json_object_set_new(data, "seats", seats);
	json_object_set_new(data, "types", types);
	json_object_set_new(data, "quotas", quotas);
	json_object_set_new(data, "form", json_pack("{s:s, s:s, s:s}", "name", name ? name : "", "email", email ? email : "",
						    "quantity", quantity ? quantity : "1"));
	json_object_set_new(data, "action", json_string(mg_admin_path(ctx, mg_arena_printf(mg_arena(ctx), "/tickets/box-office/%llu",
											   (unsigned long long)p->id))));
	if (error != NULL)
		json_object_set_new(data, "error", json_string(mg_tr(ctx, error)));
	return mg_render(ctx, status, "tickets/box_office_sell", data);
}

/* GET /<slug>/admin/tickets/box-office/<performance> — pick seats (or a quantity), a ticket type. */
enum mg_err box_office_form(struct mg_ctx *ctx)
{
	struct shop_performance p;
	uint64_t id;
	enum mg_err err = mg_param_id(ctx, "id", &id);
	if (err == MG_OK)
		err = shop_performance_load(ctx, id, &p);
	return err != MG_OK ? err : render_box_office(ctx, 200, &p, NULL);
}

/* The chosen seat numbers; 0 and *bad when one is not a number. */
static size_t chosen_seats(struct mg_ctx *ctx, uint32_t **seats, bool *bad)
{
	const char **values = NULL;
	size_t n = mg_form_values(ctx, "seat", &values);
	*seats = mg_arena_alloc(mg_arena(ctx), (n + 1) * sizeof(**seats));
	*bad = false;
	for (size_t i = 0; i < n; i++) {
		unsigned long long v = strtoull(values[i], NULL, 10);
		if (values[i][0] == '\0' || strspn(values[i], "0123456789") != strlen(values[i]) || v == 0 || v > UINT32_MAX)
			*bad = true;
		(*seats)[i] = (uint32_t)v;
	}
	return n;
}

/* Holds, checks out and pays (cash) in a staff cart; an error message for the form, or NULL. */
static const char *sell(struct mg_ctx *ctx, const struct shop_performance *p, struct shop_order *order, enum mg_err *err)
{
	uint32_t *seats = NULL;
	bool bad = false;
	size_t n = p->seat_map_id != 0 ? chosen_seats(ctx, &seats, &bad) : 0;
	const char *quantity_text = mg_form(ctx, "quantity");
	uint32_t quantity = quantity_text != NULL ? (uint32_t)strtoul(quantity_text, NULL, 10) : 0;
	if (bad || (p->seat_map_id != 0 && n == 0) || (p->seat_map_id == 0 && (quantity == 0 || quantity > 50)))
		return p->seat_map_id != 0 ? N_("Choose at least one seat.") : N_("Type how many places to sell (1 to 50).");
	uint64_t type = 0;
	const char *type_name = NULL, *problem = NULL;
	uint64_t chosen_type = 0, quota = 0; /* checked by their pattern: 0 when not given */
	mg_form_id(ctx, "type", &chosen_type);
	mg_form_id(ctx, "quota", &quota);
	if ((*err = shop_ticket_type(ctx, p, chosen_type, &type, &type_name)) != MG_OK)
		return *err == MG_ERR_NOT_FOUND ? (*err = MG_OK, N_("Choose a ticket type.")) : NULL;
	char token[MG_CART_TOKEN_CHARS + 1];
	struct mg_cart cart;
	struct mg_cart_added added;
	if ((*err = mg_cart_new(ctx, token, &cart)) != MG_OK)
		return NULL;
	*err = p->seat_map_id != 0 ? shop_hold_seats(ctx, token, p, seats, n, type, &added, &problem)
				   : shop_hold_places(ctx, token, p, quota, quantity, type, &added, &problem);
	const char *message = NULL;
	if (*err == MG_ERR_CONFLICT)
		message = N_("Some of these seats were taken meanwhile. Choose again.");
	else if (*err == MG_ERR_TOO_LARGE)
		message = N_("That is more than one order may buy for this event.");
	else if (*err == MG_ERR_INPUT)
		message = problem ? problem : N_("These seats cannot be sold.");
	if (message != NULL || *err != MG_OK) {
		mg_cart_drop(ctx, token);
		if (message != NULL)
			*err = MG_OK;
		return message;
	}
	const char *name = mg_form(ctx, "name"), *email = mg_form(ctx, "email");
	if (name == NULL || name[0] == '\0')
		name = mg_tr(ctx, N_("Box office customer"));
	*err = shop_checkout(ctx, token, name, email, NULL, "box_office", "box_office", order);
	if (*err == MG_ERR_INPUT) {
		mg_cart_drop(ctx, token);
		*err = MG_OK;
		return N_("Check the buyer's name and e-mail address (the address may be left empty).");
	}
	if (*err != MG_OK) {
		mg_cart_drop(ctx, token);
		return NULL;
	}
	bool already = false;
	*err = mg_order_payment_result(ctx, order->order.code, "box_office", NULL, true, &already);
	return NULL;
}

/* POST /<slug>/admin/tickets/box-office/<performance> — sells for cash: the order is paid at
 * once and its page lists the tickets to print. */
enum mg_err box_office_sell(struct mg_ctx *ctx)
{
	struct shop_performance p;
	uint64_t id;
	enum mg_err err = mg_param_id(ctx, "id", &id);
	if (err != MG_OK || (err = shop_performance_load(ctx, id, &p)) != MG_OK)
		return err;
	struct shop_order order;
	const char *message = sell(ctx, &p, &order, &err);
	if (err != MG_OK)
		return err;
	if (message != NULL)
		return render_box_office(ctx, 422, &p, message);
	return mg_redirect(ctx, 303, mg_admin_path(ctx, mg_arena_printf(mg_arena(ctx), "/tickets/orders/%s", order.order.code)));
}

const struct mg_field orders_detail_query[] = {
	/* set by the redirect after an action, to say it was done */
	{ "done", MG_FROM_QUERY, "cancelled|refunded|paid", false, 9, N_("Done"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};

const struct mg_field orders_search_fields[] = {
	{ "q", MG_FROM_QUERY, NULL, false, 254, N_("Order code or e-mail"), MG_TEXT_NFKC },
	{ "state", MG_FROM_QUERY, "pending|paid|cancelled|expired|refunded", false, 16, N_("Order state"), MG_TEXT_NFKC },
	{ "performance", MG_FROM_QUERY, MG_ID_PATTERN, false, 19, N_("Performance number"), MG_TEXT_NFKC },
	{ "day", MG_FROM_QUERY, NULL, false, 32, N_("Ordered on"), MG_TEXT_NFKC },
	{ "before", MG_FROM_QUERY, MG_ID_PATTERN, false, 19, N_("Page"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};

const struct mg_field box_office_fields[] = {
	{ "type", MG_FROM_FORM, MG_ID_PATTERN, false, 19, N_("Ticket type"), MG_TEXT_NFKC },
	{ "quota", MG_FROM_FORM, MG_ID_PATTERN, false, 19, N_("Standing area"), MG_TEXT_NFKC },
	{ "seat", MG_FROM_FORM, "[0-9]{1,9}", false, 9, N_("Seat"), MG_TEXT_NFKC },
	{ "quantity", MG_FROM_FORM, "[0-9]{1,3}", false, 3, N_("Number of places"), MG_TEXT_NFKC },
	{ "name", MG_FROM_FORM, NULL, false, 300, N_("Buyer name"), MG_TEXT_NFKC },
	{ "email", MG_FROM_FORM, NULL, false, 254, N_("Buyer e-mail"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};

/* The chart's geometry, in SVG user units: one bar per performance. */
enum { CHART_WIDTH = 600, LABEL_HEIGHT = 18, BAR_HEIGHT = 22, BAR_GAP = 10, ROW_HEIGHT = LABEL_HEIGHT + BAR_HEIGHT + BAR_GAP };

struct sales {
	uint64_t performance;
	struct mg_unit_counts units; /* seats and general admission places together */
	unsigned long long paid, pending; /* yen */
};

static void add_counts(struct mg_unit_counts *to, const struct mg_unit_counts *c)
{
	to->free += c->free;
	to->held += c->held;
	to->sold += c->sold;
	to->blocked += c->blocked;
}

/* The units of a performance now: its seats, and the places of its general-admission quotas. */
static enum mg_err performance_counts(struct mg_ctx *ctx, uint64_t performance, struct mg_unit_counts *out)
{
	struct mg_db *db = mg_ctx_db(ctx);
	uint64_t tenant = mg_tenant_id(ctx);
	time_t now = mg_now();
	memset(out, 0, sizeof(*out));
	enum mg_err err = mg_inventory_counts(db, mg_arena(ctx), tenant, TICKETS_KIND_SEAT, performance, now, out);
	if (err != MG_OK)
		return err;
	struct mg_rows rows;
	struct mg_dbval key[] = { MG_INT(tenant), MG_INT(performance) };
	if ((err = mg_db_exec(db, mg_arena(ctx), &tickets_statements[TICKETS_SQL_SALES_QUOTAS], key, 2, &rows, NULL,
	                      NULL)) != MG_OK)
		return err;
	for (size_t r = 0; r < rows.nrows; r++) {
		struct mg_unit_counts quota;
		if ((err = mg_inventory_counts(db, mg_arena(ctx), tenant, TICKETS_KIND_GA, strtoull(MG_CELL(&rows, r, 0), NULL, 10),
					       now, &quota)) != MG_OK)
			return err;
		add_counts(out, &quota);
	}
	return MG_OK;
}

static enum mg_err performance_sales(struct mg_ctx *ctx, struct sales *s)
{
	enum mg_err err = performance_counts(ctx, s->performance, &s->units);
	if (err != MG_OK)
		return err;
	struct mg_rows rows;
	struct mg_dbval key[] = { MG_INT(mg_tenant_id(ctx)), MG_INT(s->performance) };
	if ((err = mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &tickets_statements[TICKETS_SQL_SALES_REVENUE], key, 2,
	                      &rows, NULL, NULL)) != MG_OK)
		return err;
	s->paid = strtoull(MG_CELL(&rows, 0, 0), NULL, 10);
	s->pending = strtoull(MG_CELL(&rows, 0, 1), NULL, 10);
	return MG_OK;
}

/* "12,345" */
/* One stacked bar: a segment per state, widths in proportion to the units (the template draws
 * them as <rect>s, so the chart needs no script and no library). */
static json_t *bar(struct mg_ctx *ctx, const struct sales *s, size_t index)
{
	const struct mg_unit_counts *u = &s->units;
	uint64_t total = u->free + u->held + u->sold + u->blocked;
	const struct {
		const char *kind, *label;
		uint64_t units;
	} parts[] = { { "sold", N_("Units sold"), u->sold },
		      { "held", N_("Units held"), u->held },
		      { "blocked", N_("Units blocked"), u->blocked },
		      { "free", N_("Units free"), u->free } };
	json_t *segments = json_array();
	long x = 0;
	for (size_t i = 0; i < 4 && total > 0; i++) {
		long width = (long)(parts[i].units * CHART_WIDTH / total);
		if (width == 0)
			continue;
		json_array_append_new(segments, json_pack("{s:s, s:I, s:I, s:s}", "kind", parts[i].kind, "x", (json_int_t)x,
							  "width", (json_int_t)width, "title",
							  mg_arena_printf(mg_arena(ctx), "%s: %llu", mg_tr(ctx, parts[i].label),
									  (unsigned long long)parts[i].units)));
		x += width;
	}
	json_int_t top = (json_int_t)(index * ROW_HEIGHT);
	return json_pack("{s:I, s:I, s:I, s:o}", "label_y", top + LABEL_HEIGHT - 4, "y", top + LABEL_HEIGHT, "height",
			 (json_int_t)BAR_HEIGHT, "segments", segments);
}

/* GET /<slug>/admin/tickets/sales — for each performance (the latest 100): units sold, held,
 * free and blocked now, revenue paid and awaiting payment, and a stacked bar chart. */
enum mg_err orders_sales(struct mg_ctx *ctx)
{
	struct mg_rows rows;
	struct mg_dbval key[] = { MG_INT(mg_tenant_id(ctx)) };
	enum mg_err err = mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &tickets_statements[TICKETS_SQL_SALES_PERFORMANCES],
	                             key, 1, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	json_t *list = json_array();
	unsigned long long paid = 0, pending = 0;
	for (size_t r = 0; r < rows.nrows; r++) {
		struct sales s = { .performance = strtoull(MG_CELL(&rows, r, 0), NULL, 10) };
		if ((err = performance_sales(ctx, &s)) != MG_OK) {
			json_decref(list);
			return err;
		}
		paid += s.paid;
		pending += s.pending;
		struct mg_arena *a = mg_arena(ctx);
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:b, s:I, s:I, s:I, s:I, s:s, s:s, s:o}", "id",
						      MG_CELL(&rows, r, 0), "title", MG_CELL(&rows, r, 1), "starts",
						      mg_time_cell(ctx, MG_CELL(&rows, r, 2), MG_TZ_MINUTE), "cancelled", strcmp(MG_CELL(&rows, r, 4), "cancelled") == 0,
						      "sold", (json_int_t)s.units.sold, "held", (json_int_t)s.units.held, "free",
						      (json_int_t)s.units.free, "blocked", (json_int_t)s.units.blocked, "paid",
						      mg_arena_thousands(a, s.paid), "pending", mg_arena_thousands(a, s.pending), "bar",
						      bar(ctx, &s, r)));
	}
	json_t *data = mg_admin_page(ctx, N_("Sales per performance"));
	json_object_set_new(data, "performances", list);
	json_object_set_new(data, "chart", json_pack("{s:I, s:I, s:s}", "width", (json_int_t)CHART_WIDTH, "height",
						     (json_int_t)(rows.nrows * ROW_HEIGHT), "viewbox",
						     mg_arena_printf(mg_arena(ctx), "0 0 %d %zu", CHART_WIDTH,
								     rows.nrows * ROW_HEIGHT)));
	json_object_set_new(data, "total", json_pack("{s:s, s:s}", "paid", mg_arena_thousands(mg_arena(ctx), paid),
						     "pending", mg_arena_thousands(mg_arena(ctx), pending)));
	return mg_render(ctx, 200, "tickets/sales", data);
}
