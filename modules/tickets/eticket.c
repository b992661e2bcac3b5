/*
 * E-tickets: issue at checkout, void when the order closes, the printable ticket and the
 * order page (see eticket.h).
 */
#include <stdlib.h>
#include <string.h>

#include "eticket.h"

enum { T_ID, T_KIND, T_UNIT, T_CODE, T_STATE, T_TITLE, T_STARTS, T_ORDER, T_ORDER_STATE, T_LINE, T_LABEL, T_VENUE,
       T_ORDER_ID };

uint64_t eticket_quota_performance(struct mg_ctx *ctx, uint64_t quota)
{
	struct mg_rows rows;
	struct mg_dbval args[] = { MG_INT(mg_tenant_id(ctx)), MG_INT(quota) };
	if (mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &tickets_statements[TICKETS_SQL_ETICKET_QUOTA_PERFORMANCE], args,
	               2, &rows, NULL, NULL) != MG_OK ||
	    rows.nrows == 0)
		return 0;
	return mg_cell_u64(MG_CELL(&rows, 0, 0));
}

static const char *ticket_path(struct mg_ctx *ctx, const char *code)
{
	return mg_arena_printf(mg_arena(ctx), "/%s/tickets/t/%s", mg_tenant_slug(ctx), code);
}

enum mg_err eticket_order_path(struct mg_ctx *ctx, const char *order_code, const char **path)
{
	const char *signed_code;
	enum mg_err err = mg_sign_code(ctx, mg_arena_printf(mg_arena(ctx), "O1-%s", order_code), &signed_code);
	if (err == MG_OK)
		*path = mg_arena_printf(mg_arena(ctx), "/%s/tickets/orders/%s", mg_tenant_slug(ctx), signed_code);
	return err;
}

static void ticket_from_row(struct mg_ctx *ctx, const struct mg_rows *rows, size_t r, struct shop_ticket *t)
{
	*t = (struct shop_ticket){ mg_cell_u64(MG_CELL(rows, r, T_ID)),
				   MG_CELL(rows, r, T_KIND),
				   (uint32_t)mg_cell_u64(MG_CELL(rows, r, T_UNIT)),
				   MG_CELL(rows, r, T_LABEL),
				   MG_CELL(rows, r, T_CODE),
				   ticket_path(ctx, MG_CELL(rows, r, T_CODE)) };
}

enum mg_err eticket_of_order(struct mg_ctx *ctx, uint64_t order_id, size_t *n, struct shop_ticket **tickets)
{
	struct mg_rows rows;
	struct mg_dbval args[] = { MG_INT(mg_tenant_id(ctx)), MG_INT(order_id) };
	enum mg_err err = mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &tickets_statements[TICKETS_SQL_ETICKET_BY_ORDER],
	                             args, 2, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	*n = rows.nrows;
	*tickets = mg_arena_alloc(mg_arena(ctx), (rows.nrows + 1) * sizeof(**tickets));
	if (*tickets == NULL)
		return MG_ERR_NOMEM;
	for (size_t r = 0; r < rows.nrows; r++)
		ticket_from_row(ctx, &rows, r, &(*tickets)[r]);
	return MG_OK;
}

/* One ticket for one order line: inserted, then signed with its id. */
static enum mg_err issue_line(struct mg_db *db, struct mg_arena *arena, struct mg_ctx *ctx, const struct mg_order *o,
			      const struct mg_order_line *l)
{
	uint64_t performance = strcmp(l->kind, TICKETS_KIND_SEAT) == 0 ? l->resource
										: eticket_quota_performance(ctx, l->resource);
	if (performance == 0)
		return MG_ERR_INTERNAL;
	unsigned long long id = 0;
	struct mg_dbval row[] = { MG_INT(o->tenant_id), MG_INT(o->id),	    MG_INT(l->line_no), MG_INT(performance),
				  MG_TEXT(l->kind),	MG_INT(l->resource), MG_INT(l->unit) };
	enum mg_err err =
	    mg_db_exec(db, arena, &tickets_statements[TICKETS_SQL_ETICKET_INSERT], row, 7, NULL, NULL, &id);
	if (err != MG_OK)
		return err;
	const char *code;
	if ((err = mg_sign_code(ctx, mg_arena_printf(arena, "T1-%llu", id), &code)) != MG_OK)
		return err;
	struct mg_dbval set[] = { MG_TEXT(code), MG_INT(o->tenant_id), MG_INT(id) };
	return mg_db_exec(db, arena, &tickets_statements[TICKETS_SQL_ETICKET_SET_CODE], set, 3, NULL, NULL, NULL);
}

/*
 * The mail of a tickets order (the descriptor's .order_mail): the core's text of the order,
 * then the link to the buyer's tickets, in the buyer's language.
 */
enum mg_err eticket_order_mail(struct mg_arena *arena, const struct mg_order_mail *mail, const char **subject,
			       const char **body)
{
	struct mg_order_mail without_link = *mail;
	without_link.order_url = NULL;
	enum mg_err err = mg_order_mail_generic(arena, &without_link, subject, body);
	if (err != MG_OK || mail->order_url == NULL)
		return err;
	*body = mg_arena_printf(arena, "%s\n%s\n%s\n", *body, mg_i18n_translate(mail->lang, N_("Your order and tickets:")),
				mail->order_url);
	return *body != NULL ? MG_OK : MG_ERR_NOMEM;
}

enum mg_err eticket_issue_hook(struct mg_db *db, struct mg_arena *arena, struct mg_order *order, void *arg)
{
	struct eticket_issue *issue = arg;
	struct mg_ctx *ctx = issue->ctx;
	issue->n = 0;
	issue->tickets = NULL;
	enum mg_err err = MG_OK;
	for (size_t i = 0; err == MG_OK && i < order->n; i++) {
		const struct mg_order_line *l = &order->lines[i];
		if (strcmp(l->module, "tickets") == 0 &&
		    (strcmp(l->kind, TICKETS_KIND_SEAT) == 0 || strcmp(l->kind, TICKETS_KIND_GA) == 0))
			err = issue_line(db, arena, ctx, order, l);
	}
	if (err == MG_OK)
		err = eticket_order_path(ctx, order->code, &order->view_path);
	if (err == MG_OK)
		err = eticket_of_order(ctx, order->id, &issue->n, &issue->tickets);
	return err;
}

enum mg_err eticket_void_order(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t order_id, void *arg)
{
	(void)arg;
	struct mg_dbval args[] = { MG_INT(tenant), MG_INT(order_id) };
	return mg_db_exec(db, arena, &tickets_statements[TICKETS_SQL_ETICKET_VOID], args, 2, NULL, NULL, NULL);
}

/* ---- pages ---- */

static json_t *order_state(struct mg_ctx *ctx, const char *state)
{
	const char *label = mg_order_state_label(state);
	return json_string(label != NULL ? mg_tr(ctx, label) : state);
}

/*
 * GET /<slug>/tickets/t/<code> — the printable e-ticket: event, date and time (tenant's zone), seat,
 * order, and the code as a QR. The signed code is the secret of the link: anything altered
 * or forged is 404 before any look-up. Changes nothing.
 */
enum mg_err eticket_ticket_page(struct mg_ctx *ctx)
{
	struct mg_arena *arena = mg_arena(ctx);
	const char *code = mg_param(ctx, "code"), *payload = NULL;
	uint64_t ticket_id = 0;
	if (mg_verify_code(ctx, code, &payload) != MG_OK || strncmp(payload, "T1-", 3) != 0 ||
	    mg_parse_id(payload + 3, &ticket_id) != MG_OK)
		return mg_error(ctx, 404, N_("This ticket does not exist. Check that the link is complete."));
	struct mg_rows rows;
	struct mg_dbval args[] = { MG_INT(mg_tenant_id(ctx)), MG_INT(ticket_id) };
	enum mg_err err = mg_db_exec(mg_ctx_db(ctx), arena, &tickets_statements[TICKETS_SQL_ETICKET_BY_ID], args, 2,
	                             &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	if (rows.nrows == 0 || strcmp(MG_CELL(&rows, 0, T_CODE), code) != 0)
		return mg_error(ctx, 404, N_("This ticket does not exist. Check that the link is complete."));
	int size = 0;
	const char *qr = NULL;
	if ((err = mg_qr_svg_path(code, arena, &size, &qr)) != MG_OK)
		return err;
	const char *order_path = NULL;
	if ((err = eticket_order_path(ctx, MG_CELL(&rows, 0, T_ORDER), &order_path)) != MG_OK)
		return err;
	bool valid = strcmp(MG_CELL(&rows, 0, T_STATE), "valid") == 0;
	bool paid = strcmp(MG_CELL(&rows, 0, T_ORDER_STATE), "paid") == 0;
	json_t *data = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:b, s:b, s:s, s:s, s:s}", "page_title",
				 mg_tr(ctx, N_("E-ticket")), "event", MG_CELL(&rows, 0, T_TITLE), "venue",
				 MG_CELL(&rows, 0, T_VENUE), "starts_at",
				 mg_time_text(ctx, (time_t)mg_cell_u64(MG_CELL(&rows, 0, T_STARTS)), MG_TZ_MINUTE), "seat", MG_CELL(&rows, 0, T_LABEL),
				 "line", MG_CELL(&rows, 0, T_LINE), "order", MG_CELL(&rows, 0, T_ORDER), "order_state",
				 order_state(ctx, MG_CELL(&rows, 0, T_ORDER_STATE)), "valid", valid, "paid", paid, "code",
				 code, "qr_path", qr, "qr_box", mg_arena_printf(arena, "0 0 %d %d", size, size));
	json_object_set_new(data, "order_path", json_string(order_path));
	return mg_render(ctx, 200, "tickets/ticket", data);
}

/*
 * GET /<slug>/tickets/orders/<signed order code> — an order as its buyer sees it (the link
 * in the confirmation mail): state, how and by when to pay, the lines, and a link to each
 * ticket. Changes nothing.
 */
enum mg_err eticket_order_page(struct mg_ctx *ctx)
{
	struct mg_arena *arena = mg_arena(ctx);
	const char *payload = NULL;
	if (mg_verify_code(ctx, mg_param(ctx, "code"), &payload) != MG_OK || strncmp(payload, "O1-", 3) != 0)
		return mg_error(ctx, 404, NULL);
	struct mg_order o;
	enum mg_err err = mg_order_find(ctx, payload + 3, &o);
	if (err != MG_OK)
		return err;
	size_t n = 0;
	struct shop_ticket *tickets = NULL;
	if ((err = eticket_of_order(ctx, o.id, &n, &tickets)) != MG_OK)
		return err;
	json_t *lines = json_array(), *list = json_array();
	for (size_t i = 0; i < o.n; i++)
		json_array_append_new(lines, json_pack("{s:s, s:s}", "description", o.lines[i].description, "amount",
						       mg_yen_signed(arena, o.lines[i].amount)));
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, json_pack("{s:s, s:s}", "label", tickets[i].label, "href", tickets[i].path));
	const char *method = mg_payment_method_label(o.payment_method);
	bool pending = strcmp(o.state, "pending") == 0;
	json_t *data = json_pack("{s:s, s:s, s:o, s:b, s:s, s:s?, s:s, s:o, s:o}", "page_title",
				 mg_tr(ctx, N_("Your order")), "order", o.code, "state", order_state(ctx, o.state),
				 "pending", pending, "total", mg_yen(arena, o.total), "deadline",
				 pending && o.payment_deadline ? mg_time_text(ctx, o.payment_deadline, MG_TZ_MINUTE) : NULL, "method",
				 method ? mg_tr(ctx, method) : o.payment_method, "lines", lines, "tickets", list);
	json_object_set_new(data, "tax", json_string(mg_yen(arena, (unsigned long long)o.tax)));
	const char *receipt = strcmp(o.state, "paid") == 0 ? mg_receipt_path(ctx, o.code) : NULL;
	if (receipt != NULL)
		json_object_set_new(data, "receipt", json_string(receipt));
	return mg_render(ctx, 200, "tickets/order", data);
}
