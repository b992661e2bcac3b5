/*
 * The staff's live seat chart of a performance (issue 4, item 6): the seat map drawn with
 * every seat's state now (free / held / sold / blocked), the counts, and blocking free seats
 * (house seats, kills) or releasing blocked ones through core/inventory. Performances come
 * from catalog.c; the seats of a performance are inventory units (kind "tickets.seat", resource = the
 * performance, unit = seat_no).
 */
#include <stdlib.h>
#include <string.h>

#include "seatmap.h"

struct performance {
	uint64_t id, seat_map_id;
	const char *title, *starts_at;
};

static enum mg_err load_performance(struct mg_ctx *ctx, struct performance *out)
{
	struct mg_rows rows;
	enum mg_err err = mg_param_id(ctx, "performance", &out->id);
	if (err != MG_OK)
		return err;
	struct mg_dbval args[] = { MG_INT(mg_tenant_id(ctx)), MG_INT(out->id) };
	err = mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &tickets_statements[TICKETS_SQL_CHART_PERFORMANCE], args, 2,
	                 &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	if (rows.nrows == 0 || MG_CELL(&rows, 0, 3) == NULL) /* none, or general admission only */
		return MG_ERR_NOT_FOUND;
	out->title = MG_CELL(&rows, 0, 1);
	out->starts_at = mg_time_cell(ctx, MG_CELL(&rows, 0, 2), MG_TZ_MINUTE);
	out->seat_map_id = strtoull(MG_CELL(&rows, 0, 3), NULL, 10);
	return MG_OK;
}

static const char *chart_path(struct mg_ctx *ctx, uint64_t performance)
{
	return mg_admin_path(ctx, mg_arena_printf(mg_arena(ctx), "/tickets/performances/%llu/seats",
						  (unsigned long long)performance));
}

static enum mg_err render_chart(struct mg_ctx *ctx, int status, const char *error)
{
	struct performance p;
	struct tickets_map map;
	struct mg_unit_view view;
	struct mg_unit_counts counts;
	struct mg_db *db = mg_ctx_db(ctx);
	time_t now = mg_now();
	enum mg_err err;
	if ((err = load_performance(ctx, &p)) != MG_OK ||
	    (err = tickets_seatmap_load(db, mg_arena(ctx), mg_tenant_id(ctx), p.seat_map_id, &map)) != MG_OK ||
	    (err = mg_inventory_view(db, mg_arena(ctx), mg_tenant_id(ctx), TICKETS_KIND_SEAT, p.id, now, &view)) != MG_OK ||
	    (err = mg_inventory_counts(db, mg_arena(ctx), mg_tenant_id(ctx), TICKETS_KIND_SEAT, p.id, now, &counts)) != MG_OK)
		return err;
	const char *blocked = mg_query(ctx, "blocked"), *released = mg_query(ctx, "released");
	json_t *data = mg_admin_page(ctx, N_("Seat chart"));
	json_object_set_new(data, "performance", json_pack("{s:I, s:s, s:s}", "id", (json_int_t)p.id, "title", p.title,
							   "starts_at", p.starts_at));
	json_object_set_new(data, "counts", json_pack("{s:I, s:I, s:I, s:I}", "free", (json_int_t)counts.free, "held",
						      (json_int_t)counts.held, "sold", (json_int_t)counts.sold, "blocked",
						      (json_int_t)counts.blocked));
	json_object_set_new(data, "action", json_string(chart_path(ctx, p.id)));
	json_object_set_new(data, "seatmap", tickets_seatmap_chart_json(ctx, &map, &view));
	if (blocked != NULL)
		json_object_set_new(data, "done_blocked", json_string(blocked));
	if (released != NULL)
		json_object_set_new(data, "done_released", json_string(released));
	if (error != NULL)
		json_object_set_new(data, "error", json_string(mg_tr(ctx, error)));
	return mg_render(ctx, status, "tickets/seatmap_chart", data);
}

/* GET /<slug>/admin/tickets/performances/<id>/seats — the live chart (?blocked=n / ?released=n
 * after a change). */
enum mg_err tickets_seatmap_chart_page(struct mg_ctx *ctx)
{
	return render_chart(ctx, 200, NULL);
}

struct change {
	struct mg_arena *arena;
	uint64_t tenant, performance;
	const uint32_t *units;
	size_t n, changed;
	bool block;
	time_t now;
};

static enum mg_err apply_change(struct mg_db *db, void *arg)
{
	struct change *c = arg;
	return c->block ? mg_inventory_block(db, c->arena, c->tenant, TICKETS_KIND_SEAT, c->performance, c->units, c->n,
					     c->now, &c->changed)
			: mg_inventory_unblock(db, c->arena, c->tenant, TICKETS_KIND_SEAT, c->performance, c->units, c->n,
					       &c->changed);
}

/*
 * POST /<slug>/admin/tickets/performances/<id>/seats — blocks the chosen free seats (house
 * seats, kills) or releases the chosen blocked ones (action=block|release, seat=<seat_no>…).
 * Seats that changed state meanwhile are left alone and not counted. Audited.
 */
enum mg_err tickets_seatmap_chart_change(struct mg_ctx *ctx)
{
	struct performance p;
	enum mg_err err = load_performance(ctx, &p);
	if (err != MG_OK)
		return err;
	const char **values;
	size_t n = mg_form_values(ctx, "seat", &values);
	if (n == 0)
		return render_chart(ctx, 422, N_("Choose at least one seat."));
	uint32_t *units = mg_arena_alloc(mg_arena(ctx), n * sizeof(*units));
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(values[i]);
		if (len == 0 || len > 6 || strspn(values[i], "0123456789") != len || (units[i] = (uint32_t)atol(values[i])) == 0)
			return render_chart(ctx, 400, N_("Choose seats from the chart."));
	}
	struct change c = { mg_arena(ctx), mg_tenant_id(ctx), p.id, units, n, 0,
			    strcmp(mg_form(ctx, "action"), "block") == 0, mg_now() };
	if ((err = mg_db_transaction(mg_ctx_db(ctx), apply_change, &c)) != MG_OK)
		return err;
	const char *what = c.block ? "blocked" : "released";
	mg_audit(ctx, c.block ? "tickets.seats.block" : "tickets.seats.release",
		 mg_arena_printf(mg_arena(ctx), "performance:%llu", (unsigned long long)p.id), "success",
		 mg_arena_printf(mg_arena(ctx), "%zu of %zu seats %s", c.changed, n, what));
	return mg_redirect(ctx, 303, mg_arena_printf(mg_arena(ctx), "%s?%s=%zu", chart_path(ctx, p.id), what, c.changed));
}

const struct mg_field tickets_seatmap_chart_query[] = {
	{ "blocked", MG_FROM_QUERY, "[0-9]{1,6}", false, 6, N_("Blocked"), MG_TEXT_NFKC },
	{ "released", MG_FROM_QUERY, "[0-9]{1,6}", false, 6, N_("Released"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};

const struct mg_field tickets_seatmap_chart_fields[] = {
	{ "action", MG_FROM_FORM, "block|release", true, 7, N_("Action"), MG_TEXT_NFKC },
	{ "seat", MG_FROM_FORM, "[0-9]{1,6}", false, 6, N_("Seat"), MG_TEXT_NFKC },
	/* the chart shown again after a refusal reads the address's counts, as its GET does */
	{ "blocked", MG_FROM_QUERY, "[0-9]{1,6}", false, 6, N_("Blocked"), MG_TEXT_NFKC },
	{ "released", MG_FROM_QUERY, "[0-9]{1,6}", false, 6, N_("Released"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};

/*
 * GET /<slug>/admin/tickets/performances/<id>/seats/picker — the seat picker as buyers get it
 * (tickets_seatmap_json with controls on free seats only), for staff to check a map before the
 * sale; ?seat=<seat_no> shows that seat as the viewer's own choice.
 */
enum mg_err tickets_seatmap_picker_preview(struct mg_ctx *ctx)
{
	struct performance p;
	struct tickets_map map;
	struct mg_unit_view view;
	enum mg_err err;
	if ((err = load_performance(ctx, &p)) != MG_OK ||
	    (err = tickets_seatmap_load(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), p.seat_map_id, &map)) != MG_OK ||
	    (err = mg_inventory_view(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), TICKETS_KIND_SEAT, p.id, mg_now(),
				     &view)) != MG_OK)
		return err;
	const char *seat = mg_query(ctx, "seat");
	uint32_t selected = seat ? (uint32_t)atol(seat) : 0;
	json_t *data = mg_admin_page(ctx, N_("Seat picker preview"));
	json_object_set_new(data, "performance", json_pack("{s:I, s:s, s:s}", "id", (json_int_t)p.id, "title", p.title,
							   "starts_at", p.starts_at));
	json_object_set_new(data, "chart_href", json_string(chart_path(ctx, p.id)));
	json_object_set_new(data, "seatmap", tickets_seatmap_json(ctx, &map, &view, &selected, selected ? 1 : 0, true));
	return mg_render(ctx, 200, "tickets/seatmap_preview", data);
}

const struct mg_field tickets_seatmap_picker_query[] = {
	{ "seat", MG_FROM_QUERY, "[0-9]{1,6}", false, 6, N_("Seat"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};
