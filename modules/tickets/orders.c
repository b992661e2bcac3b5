/*
 * The back office's side of selling (see orders.h).
 */
#include <stdlib.h>
#include <string.h>

#include "orders.h"

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
	if ((err = mg_db_exec(db, mg_arena(ctx), "tickets.sales_quotas", key, 2, &rows, NULL, NULL)) != MG_OK)
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
	if ((err = mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), "tickets.sales_revenue", key, 2, &rows, NULL, NULL)) != MG_OK)
		return err;
	s->paid = strtoull(MG_CELL(&rows, 0, 0), NULL, 10);
	s->pending = strtoull(MG_CELL(&rows, 0, 1), NULL, 10);
	return MG_OK;
}

/* "12,345" */
static const char *grouped(struct mg_arena *arena, unsigned long long n)
{
	char digits[32], *out = mg_arena_alloc(arena, 48);
	int len = snprintf(digits, sizeof(digits), "%llu", n), o = 0;
	for (int i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
	return out;
}

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
	enum mg_err err = mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), "tickets.sales_performances", key, 1, &rows, NULL, NULL);
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
						      MG_CELL(&rows, r, 2), "cancelled", strcmp(MG_CELL(&rows, r, 4), "cancelled") == 0,
						      "sold", (json_int_t)s.units.sold, "held", (json_int_t)s.units.held, "free",
						      (json_int_t)s.units.free, "blocked", (json_int_t)s.units.blocked, "paid",
						      grouped(a, s.paid), "pending", grouped(a, s.pending), "bar", bar(ctx, &s, r)));
	}
	json_t *data = mg_admin_page(ctx, N_("Sales per performance"));
	json_object_set_new(data, "performances", list);
	json_object_set_new(data, "chart", json_pack("{s:I, s:I, s:s}", "width", (json_int_t)CHART_WIDTH, "height",
						     (json_int_t)(rows.nrows * ROW_HEIGHT), "viewbox",
						     mg_arena_printf(mg_arena(ctx), "0 0 %d %zu", CHART_WIDTH,
								     rows.nrows * ROW_HEIGHT)));
	json_object_set_new(data, "total", json_pack("{s:s, s:s}", "paid", grouped(mg_arena(ctx), paid), "pending",
						     grouped(mg_arena(ctx), pending)));
	return mg_render(ctx, 200, "tickets/sales", data);
}
