/*
 * Buying: what a performance sells at what price, holds in a cart, checkout with e-tickets
 * (see shop.h). The catalog reads here are the few buying needs; the catalog feature
 * (catalog.c) owns events and performances.
 */
#include <stdlib.h>
#include <string.h>

#include "eticket.h"
#include "shop.h"

enum mg_err shop_performance_load(struct mg_ctx *ctx, uint64_t id, struct shop_performance *out)
{
	struct mg_rows rows;
	struct mg_dbval args[] = { MG_INT(mg_tenant_id(ctx)), MG_INT(id) };
	enum mg_err err = mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &tickets_statements[TICKETS_SQL_SHOP_PERFORMANCE],
	                             args, 2, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	if (rows.nrows == 0)
		return MG_ERR_NOT_FOUND;
	*out = (struct shop_performance){ .id = mg_cell_u64(MG_CELL(&rows, 0, 0)),
					  .event_id = mg_cell_u64(MG_CELL(&rows, 0, 1)),
					  .seat_map_id = mg_cell_u64(MG_CELL(&rows, 0, 2)),
					  .event_title = MG_CELL(&rows, 0, 3),
					  .event_kind = MG_CELL(&rows, 0, 4),
					  .per_order_limit = (unsigned)mg_cell_u64(MG_CELL(&rows, 0, 5)),
					  .starts_at = (time_t)mg_cell_u64(MG_CELL(&rows, 0, 6)),
					  .sale_starts_at = (time_t)mg_cell_u64(MG_CELL(&rows, 0, 7)),
					  .sale_ends_at = (time_t)mg_cell_u64(MG_CELL(&rows, 0, 8)),
					  .state = MG_CELL(&rows, 0, 9) };
	return MG_OK;
}

const char *shop_not_on_sale(const struct shop_performance *p, time_t now)
{
	if (strcmp(p->state, "on_sale") != 0)
		return N_("This performance has been cancelled.");
	if (now < p->sale_starts_at)
		return N_("Sales for this performance have not started yet.");
	if (now > p->sale_ends_at || now >= p->starts_at)
		return N_("Sales for this performance have ended.");
	return NULL;
}

enum mg_err shop_ticket_type(struct mg_ctx *ctx, const struct shop_performance *p, uint64_t id, uint64_t *type_id,
			     const char **name)
{
	struct mg_rows rows;
	struct mg_dbval args[] = { MG_INT(mg_tenant_id(ctx)), MG_INT(p->event_id), MG_INT(id), MG_INT(id) };
	enum mg_err err = mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &tickets_statements[TICKETS_SQL_SHOP_TICKET_TYPE],
	                             args, 4, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	if (rows.nrows == 0)
		return MG_ERR_NOT_FOUND;
	*type_id = mg_cell_u64(MG_CELL(&rows, 0, 0));
	*name = MG_CELL(&rows, 0, 1);
	return MG_OK;
}

/* The price of a category for a ticket type; MG_ERR_NOT_FOUND when the event has none. */
static enum mg_err price_of(struct mg_ctx *ctx, const struct shop_performance *p, const char *category,
			    uint64_t type_id, unsigned *amount)
{
	struct mg_rows rows;
	struct mg_dbval args[] = { MG_INT(mg_tenant_id(ctx)), MG_INT(p->event_id), MG_TEXT(category), MG_INT(type_id) };
	enum mg_err err = mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &tickets_statements[TICKETS_SQL_SHOP_PRICE], args,
	                             4, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	if (rows.nrows == 0)
		return MG_ERR_NOT_FOUND;
	*amount = (unsigned)mg_cell_u64(MG_CELL(&rows, 0, 0));
	return MG_OK;
}

/* How many units of this performance the cart already has (for the per-order limit). */
static enum mg_err units_of_performance(struct mg_ctx *ctx, const char *token, const struct shop_performance *p,
					size_t *count)
{
	struct mg_cart_view cart;
	enum mg_err err = mg_cart_get(ctx, token, &cart);
	if (err != MG_OK)
		return err;
	*count = 0;
	for (size_t i = 0; i < cart.n; i++) {
		const struct mg_cart_item *it = &cart.items[i];
		if (strcmp(it->module, "tickets") != 0)
			continue;
		if (strcmp(it->kind, TICKETS_KIND_SEAT) == 0 && it->resource == p->id)
			(*count)++;
		else if (strcmp(it->kind, TICKETS_KIND_GA) == 0)
			*count += eticket_quota_performance(ctx, it->resource) == p->id;
	}
	return MG_OK;
}

/* The items a hold will record, made before it (prices and labels read outside the lock). */
struct priced {
	size_t n;
	uint32_t *units;
	struct mg_cart_item *items;
	struct mg_cart_item one; /* general admission: the same for every place */
};

static enum mg_err describe_unit(struct mg_db *db, struct mg_arena *arena, void *arg, uint32_t unit,
				 struct mg_cart_item *item)
{
	(void)db;
	(void)arena;
	const struct priced *pr = arg;
	if (pr->n == 0) {
		*item = pr->one;
		return MG_OK;
	}
	for (size_t i = 0; i < pr->n; i++)
		if (pr->units[i] == unit) {
			*item = pr->items[i];
			return MG_OK;
		}
	return MG_ERR_INTERNAL; /* held a unit nobody asked for */
}

static enum mg_err check_limit(struct mg_ctx *ctx, const char *token, const struct shop_performance *p, size_t more,
			       const char **problem)
{
	size_t already = 0;
	enum mg_err err = units_of_performance(ctx, token, p, &already);
	if (err != MG_OK)
		return err;
	if (already + more > p->per_order_limit) {
		*problem = N_("That is more tickets than one order may hold for this performance.");
		return MG_ERR_TOO_LARGE;
	}
	return MG_OK;
}

static const char *line_text(struct mg_ctx *ctx, const struct shop_performance *p, const char *where,
			     const char *type_name)
{
	return mg_arena_printf(mg_arena(ctx), "%.80s %s %.60s %.40s", p->event_title, mg_time_text(ctx, p->starts_at, MG_TZ_MINUTE),
			       where, type_name);
}

enum mg_err shop_hold_seats(struct mg_ctx *ctx, const char *token, const struct shop_performance *p, uint32_t *seats,
			    size_t n, uint64_t type_id, struct mg_cart_added *out, const char **problem)
{
	struct mg_arena *arena = mg_arena(ctx);
	*problem = NULL;
	*out = (struct mg_cart_added){ 0 };
	if (p->seat_map_id == 0 || n == 0) {
		*problem = N_("This performance has no seat map; ask for a quantity instead.");
		return MG_ERR_INPUT;
	}
	const char *type_name;
	enum mg_err err = shop_ticket_type(ctx, p, type_id, &type_id, &type_name);
	if (err == MG_ERR_NOT_FOUND)
		*problem = N_("There is no such ticket type for this event.");
	if (err != MG_OK)
		return err == MG_ERR_NOT_FOUND ? MG_ERR_INPUT : err;
	n = mg_inventory_normalise(seats, n);
	if ((err = check_limit(ctx, token, p, n, problem)) != MG_OK)
		return err;
	struct priced pr = { n, seats, mg_arena_alloc(arena, n * sizeof(struct mg_cart_item)), { 0 } };
	if (pr.items == NULL)
		return MG_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		struct mg_rows rows;
		struct mg_dbval args[] = { MG_INT(mg_tenant_id(ctx)), MG_INT(p->seat_map_id), MG_INT(seats[i]) };
		if ((err = mg_db_exec(mg_ctx_db(ctx), arena, &tickets_statements[TICKETS_SQL_SHOP_SEAT], args, 3, &rows,
		                      NULL, NULL)) != MG_OK)
			return err;
		unsigned amount = 0;
		if (rows.nrows == 0) {
			*problem = N_("There is no such seat.");
			return MG_ERR_INPUT;
		}
		if ((err = price_of(ctx, p, MG_CELL(&rows, 0, 1), type_id, &amount)) != MG_OK) {
			*problem = N_("This seat has no price for that ticket type.");
			return err == MG_ERR_NOT_FOUND ? MG_ERR_INPUT : err;
		}
		pr.items[i] = (struct mg_cart_item){ "tickets",
						     TICKETS_KIND_SEAT,
						     p->id,
						     seats[i],
						     type_id,
						     line_text(ctx, p, MG_CELL(&rows, 0, 0), type_name),
						     amount };
	}
	struct mg_cart_add add = { "tickets", TICKETS_KIND_SEAT, p->id, seats, n, 0, describe_unit, &pr };
	return mg_cart_put(ctx, token, &add, out);
}

enum mg_err shop_hold_places(struct mg_ctx *ctx, const char *token, const struct shop_performance *p, uint64_t quota,
			     uint32_t quantity, uint64_t type_id, struct mg_cart_added *out, const char **problem)
{
	*problem = NULL;
	*out = (struct mg_cart_added){ 0 };
	struct mg_rows rows;
	struct mg_dbval args[] = { MG_INT(mg_tenant_id(ctx)), MG_INT(p->id), MG_INT(quota), MG_INT(quota) };
	enum mg_err err = mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &tickets_statements[TICKETS_SQL_SHOP_QUOTA], args,
	                             4, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	if (rows.nrows == 0) {
		*problem = N_("This performance has no general admission; choose seats instead.");
		return MG_ERR_INPUT;
	}
	const char *type_name;
	err = shop_ticket_type(ctx, p, type_id, &type_id, &type_name);
	if (err == MG_ERR_NOT_FOUND)
		*problem = N_("There is no such ticket type for this event.");
	if (err != MG_OK)
		return err == MG_ERR_NOT_FOUND ? MG_ERR_INPUT : err;
	if ((err = check_limit(ctx, token, p, quantity, problem)) != MG_OK)
		return err;
	uint64_t quota_id = mg_cell_u64(MG_CELL(&rows, 0, 0));
	unsigned amount = 0;
	if ((err = price_of(ctx, p, MG_CELL(&rows, 0, 2), type_id, &amount)) != MG_OK) {
		*problem = N_("This seat has no price for that ticket type.");
		return err == MG_ERR_NOT_FOUND ? MG_ERR_INPUT : err;
	}
	struct priced pr = { 0, NULL, NULL,
			     { "tickets", TICKETS_KIND_GA, quota_id, 0, type_id,
			       line_text(ctx, p, MG_CELL(&rows, 0, 1), type_name), amount } };
	struct mg_cart_add add = { "tickets", TICKETS_KIND_GA, quota_id, NULL, 0, quantity, describe_unit, &pr };
	return mg_cart_put(ctx, token, &add, out);
}

/* The payment deadline is never after the earliest performance in the cart. */
static enum mg_err earliest_start(struct mg_ctx *ctx, const char *token, time_t *cap)
{
	struct mg_cart_view cart;
	enum mg_err err = mg_cart_get(ctx, token, &cart);
	*cap = 0;
	for (size_t i = 0; err == MG_OK && i < cart.n; i++) {
		const struct mg_cart_item *it = &cart.items[i];
		uint64_t perf = strcmp(it->kind, TICKETS_KIND_SEAT) == 0 ? it->resource
			      : strcmp(it->kind, TICKETS_KIND_GA) == 0	 ? eticket_quota_performance(ctx, it->resource)
									 : 0;
		struct shop_performance p;
		if (perf != 0 && shop_performance_load(ctx, perf, &p) == MG_OK && (*cap == 0 || p.starts_at < *cap))
			*cap = p.starts_at;
	}
	return err;
}

enum mg_err shop_checkout(struct mg_ctx *ctx, const char *token, const char *name, const char *email,
			  const char *phone, const char *payment, const char *channel, struct shop_order *out)
{
	*out = (struct shop_order){ 0 };
	time_t cap = 0;
	enum mg_err err = earliest_start(ctx, token, &cap);
	if (err != MG_OK)
		return err;
	struct eticket_issue issue = { ctx, 0, NULL };
	struct mg_checkout co = { token, name, email, phone, payment, channel, cap, eticket_issue_hook, &issue };
	if ((err = mg_order_checkout(ctx, &co, &out->order)) != MG_OK)
		return err;
	out->n = issue.n;
	out->tickets = issue.tickets;
	return MG_OK;
}

enum mg_err shop_expire_unpaid(struct mg_db *db, struct mg_arena *arena, time_t now)
{
	size_t expired = 0;
	enum mg_err err = mg_orders_expire_due(db, arena, now, eticket_void_order, NULL, &expired);
	if (expired > 0)
		mg_log_info("tickets: %zu unpaid order(s) expired; their seats are free again", expired);
	return err;
}
