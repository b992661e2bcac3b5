/*
 * Venues and seat maps in the back office (permission tickets.manage), the command that
 * imports a map from a file, loading a stored map, and the seat map as SVG (see seatmap.h
 * for how it is drawn and picked).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seatmap.h"
#include "catalog.h" /* tickets_venue_space */

/* ---- loading ---- */

static long long cell_int(const struct mg_rows *rows, size_t r, size_t c)
{
	const char *v = MG_CELL(rows, r, c);
	return v ? strtoll(v, NULL, 10) : 0;
}

enum mg_err tickets_seatmap_load(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t seat_map_id,
				 struct tickets_map *out)
{
	struct mg_rows rows;
	struct mg_dbval args[] = { MG_INT(tenant), MG_INT(seat_map_id) };
	enum mg_err err =
	    mg_db_exec(db, arena, &tickets_statements[TICKETS_SQL_SEAT_MAP_GET], args, 2, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	if (rows.nrows == 0)
		return MG_ERR_NOT_FOUND;
	memset(out, 0, sizeof(*out));
	struct tickets_seatmap *m = &out->map;
	out->id = (uint64_t)cell_int(&rows, 0, 0);
	out->venue_id = (uint64_t)cell_int(&rows, 0, 1);
	out->venue_name = MG_CELL(&rows, 0, 2);
	m->name = MG_CELL(&rows, 0, 3);
	m->width = (unsigned)cell_int(&rows, 0, 4);
	m->height = (unsigned)cell_int(&rows, 0, 5);
	m->has_stage = MG_CELL(&rows, 0, 6) != NULL;
	m->stage_x = (int)cell_int(&rows, 0, 6), m->stage_y = (int)cell_int(&rows, 0, 7);
	m->stage_width = (int)cell_int(&rows, 0, 8), m->stage_height = (int)cell_int(&rows, 0, 9);
	m->stage_label = MG_CELL(&rows, 0, 10) ? MG_CELL(&rows, 0, 10) : "";
	if ((err = mg_db_exec(db, arena, &tickets_statements[TICKETS_SQL_SEAT_MAP_SEATS], args, 2, &rows, NULL,
	                      NULL)) != MG_OK)
		return err;
	m->nseats = rows.nrows;
	m->seats = mg_arena_alloc(arena, (rows.nrows + 1) * sizeof(*m->seats));
	for (size_t r = 0; r < rows.nrows; r++)
		m->seats[r] = (struct tickets_seat){
			.seat_no = (uint32_t)cell_int(&rows, r, 0), .section = MG_CELL(&rows, r, 1),
			.row = MG_CELL(&rows, r, 2), .number = MG_CELL(&rows, r, 3), .label = MG_CELL(&rows, r, 4),
			.category = MG_CELL(&rows, r, 5), .x = (int)cell_int(&rows, r, 6), .y = (int)cell_int(&rows, r, 7),
			.best = (uint32_t)cell_int(&rows, r, 8), .row_order = (uint32_t)cell_int(&rows, r, 9),
			.wheelchair = cell_int(&rows, r, 10) != 0, .companion = cell_int(&rows, r, 11) != 0,
			.restricted_view = cell_int(&rows, r, 12) != 0,
		};
	return MG_OK;
}

/* ---- saving an imported map ---- */

struct save {
	struct mg_arena *arena;
	uint64_t tenant, venue, staff;
	const char *name, *xml;
	const struct tickets_seatmap *map;
	const char *actor; /* audit actor for a command; NULL on a page (the page audits) */
	uint64_t id;       /* out */
};

static enum mg_err save_seats(struct mg_db *db, struct save *s)
{
	const struct tickets_seatmap *m = s->map;
	for (size_t i = 0; i < m->nseats; i++) {
		const struct tickets_seat *t = &m->seats[i];
		struct mg_dbval args[] = { MG_INT(s->tenant), MG_INT(s->id), MG_INT(t->seat_no), MG_TEXT(t->section),
					   MG_TEXT(t->row), MG_TEXT(t->number), MG_TEXT(t->label), MG_TEXT(t->category),
					   MG_INT(t->x), MG_INT(t->y), MG_INT(t->best), MG_INT(t->row_order),
					   MG_INT(t->wheelchair), MG_INT(t->companion), MG_INT(t->restricted_view) };
		enum mg_err err =
		    mg_db_exec(db, s->arena, &tickets_statements[TICKETS_SQL_SEAT_INSERT], args, 15, NULL, NULL, NULL);
		if (err != MG_OK)
			return err;
	}
	return MG_OK;
}

/* In a transaction: the map, its seats (all or none) and, for a command, its audit row. */
static enum mg_err save_map(struct mg_db *db, void *arg)
{
	struct save *s = arg;
	const struct tickets_seatmap *m = s->map;
	unsigned long long id = 0;
	struct mg_dbval stage_x = m->has_stage ? MG_INT(m->stage_x) : MG_NULL;
	struct mg_dbval stage_y = m->has_stage ? MG_INT(m->stage_y) : MG_NULL;
	struct mg_dbval stage_w = m->has_stage ? MG_INT(m->stage_width) : MG_NULL;
	struct mg_dbval stage_h = m->has_stage ? MG_INT(m->stage_height) : MG_NULL;
	struct mg_dbval args[] = { MG_INT(s->tenant), MG_INT(s->venue), MG_TEXT(s->name), MG_TEXT(s->xml),
				   MG_INT(m->width), MG_INT(m->height), MG_INT(m->nseats),
				   s->staff ? MG_INT(s->staff) : MG_NULL, stage_x, stage_y, stage_w, stage_h,
				   MG_TEXT(m->has_stage ? m->stage_label : "") };
	enum mg_err err =
	    mg_db_exec(db, s->arena, &tickets_statements[TICKETS_SQL_SEAT_MAP_INSERT], args, 13, NULL, NULL, &id);
	if (err != MG_OK)
		return err;
	s->id = id;
	if ((err = save_seats(db, s)) != MG_OK)
		return err;
	if (s->actor != NULL)
		err = mg_audit_command(db, s->arena, s->tenant, s->actor, "tickets.seatmap.import",
				       mg_arena_printf(s->arena, "seat_map:%llu", id),
				       mg_arena_printf(s->arena, "venue %llu, %zu seats", (unsigned long long)s->venue,
						       m->nseats));
	return err;
}

static struct tickets_seatmap_schema *worker_schema;
static bool schema_tried;

const struct tickets_seatmap_schema *tickets_seatmap_schema(void)
{
	if (!schema_tried) {
		schema_tried = true;
		char path[512];
		snprintf(path, sizeof(path), "%s/seatmap.rng", mg_schema_dir());
		worker_schema = tickets_seatmap_schema_load(path);
	}
	return worker_schema;
}

static bool venue_exists(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t venue,
			 struct mg_rows *rows, enum mg_err *err)
{
	struct mg_dbval args[] = { MG_INT(tenant), MG_INT(venue) };
	*err = mg_db_exec(db, arena, &tickets_statements[TICKETS_SQL_VENUE_GET], args, 2, rows, NULL, NULL);
	return *err == MG_OK && rows->nrows == 1;
}

/* ---- the SVG seat map and the picker's data ---- */

enum { CONTROL_FREE = 1, CONTROL_BLOCKED = 2 };

static const char *state_msgid(enum mg_unit_state s, bool selected)
{
	if (selected)
		return N_("Selected");
	switch (s) {
	case MG_UNIT_FREE:
		return N_("Available");
	case MG_UNIT_HELD:
		return N_("Held");
	case MG_UNIT_SOLD:
		return N_("Sold");
	default:
		return N_("Blocked");
	}
}

/* The radius of a seat: a little under half the closest spacing of neighbours in a row. */
static int seat_radius(const struct tickets_seatmap *m)
{
	int closest = 0;
	for (size_t i = 1; i < m->nseats; i++) {
		const struct tickets_seat *a = &m->seats[i - 1], *b = &m->seats[i];
		if (strcmp(a->section, b->section) != 0 || strcmp(a->row, b->row) != 0)
			continue;
		int dx = abs(a->x - b->x), dy = abs(a->y - b->y), d = dx > dy ? dx : dy;
		if (d > 0 && (closest == 0 || d < closest))
			closest = d;
	}
	int r = closest > 0 ? closest * 2 / 5 : (int)(m->width / 100);
	return r < 2 ? 2 : r > 40 ? 40 : r;
}

struct ordered {
	const struct tickets_seat *seat;
	size_t section_first, row_first;
};

static int by_section_row_order(const void *a, const void *b)
{
	const struct ordered *x = a, *y = b;
	if (x->section_first != y->section_first)
		return x->section_first < y->section_first ? -1 : 1;
	if (x->row_first != y->row_first)
		return x->row_first < y->row_first ? -1 : 1;
	return x->seat->row_order < y->seat->row_order ? -1 : x->seat->row_order > y->seat->row_order;
}

/* The picker's fieldsets: sections (in map order) → rows → seats left to right that have a
 * control (their state in mask), each {no, id, label, category, checked, state}. */
static json_t *picker_sections(struct mg_ctx *ctx, const struct tickets_seatmap *m, const enum mg_unit_state *state,
			       const bool *selected, unsigned mask)
{
	struct mg_arena *arena = mg_arena(ctx);
	struct ordered *o = mg_arena_alloc(arena, (m->nseats + 1) * sizeof(*o));
	json_t *firsts = json_object();
	for (size_t i = 0; i < m->nseats; i++) {
		const struct tickets_seat *s = &m->seats[i];
		const char *row_key = mg_arena_printf(arena, "%s\x1f%s", s->section, s->row);
		if (json_object_get(firsts, s->section) == NULL)
			json_object_set_new(firsts, s->section, json_integer((json_int_t)i));
		if (json_object_get(firsts, row_key) == NULL)
			json_object_set_new(firsts, row_key, json_integer((json_int_t)i));
		o[i] = (struct ordered){ s, (size_t)json_integer_value(json_object_get(firsts, s->section)),
					 (size_t)json_integer_value(json_object_get(firsts, row_key)) };
	}
	json_decref(firsts);
	qsort(o, m->nseats, sizeof(*o), by_section_row_order);
	json_t *sections = json_array(), *section = NULL, *row = NULL;
	for (size_t i = 0; i < m->nseats; i++) {
		const struct tickets_seat *s = o[i].seat;
		uint32_t no = s->seat_no;
		bool control = selected[no] || (state[no] == MG_UNIT_FREE && (mask & CONTROL_FREE)) ||
			       (state[no] == MG_UNIT_BLOCKED && (mask & CONTROL_BLOCKED));
		if (!control)
			continue;
		if (section == NULL || strcmp(json_string_value(json_object_get(section, "name")), s->section) != 0) {
			section = json_pack("{s:s, s:[]}", "name", s->section, "rows");
			json_array_append_new(sections, section);
			row = NULL;
		}
		if (row == NULL || strcmp(json_string_value(json_object_get(row, "name")), s->row) != 0) {
			row = json_pack("{s:s, s:s, s:[]}", "name", s->row, "id",
					mg_arena_printf(arena, "seat-row-%u", no), "seats");
			json_array_append_new(json_object_get(section, "rows"), row);
		}
		json_array_append_new(json_object_get(row, "seats"),
				      json_pack("{s:I, s:s, s:s, s:s, s:b, s:s, s:b, s:b}", "no", (json_int_t)no, "id",
						mg_arena_printf(arena, "seat-%u", no), "label", s->label, "category",
						s->category, "checked", selected[no], "state",
						mg_tr(ctx, state_msgid(state[no], selected[no])), "wheelchair", s->wheelchair,
						"blocked", state[no] == MG_UNIT_BLOCKED));
	}
	return sections;
}

static const char *seat_title(struct mg_ctx *ctx, const struct tickets_seat *s, const char *state_text)
{
	const char *flags = "";
	if (s->wheelchair)
		flags = mg_arena_printf(mg_arena(ctx), "%s — %s", flags, mg_tr(ctx, N_("wheelchair space")));
	if (s->companion)
		flags = mg_arena_printf(mg_arena(ctx), "%s — %s", flags, mg_tr(ctx, N_("companion seat")));
	if (s->restricted_view)
		flags = mg_arena_printf(mg_arena(ctx), "%s — %s", flags, mg_tr(ctx, N_("restricted view")));
	return mg_arena_printf(mg_arena(ctx), "%s — %s %s — %s%s", s->label, mg_tr(ctx, N_("category")), s->category,
			       state_text, flags);
}

/* The legend under the map: one entry per state, drawn as the seats are. */
static json_t *legend(struct mg_ctx *ctx, const struct tickets_seatmap *m, int r, int band_top, int font)
{
	static const struct {
		const char *state;
		enum mg_unit_state s;
		bool selected;
	} entries[] = {
		{ "free", MG_UNIT_FREE, false }, { "selected", MG_UNIT_FREE, true }, { "held", MG_UNIT_HELD, false },
		{ "sold", MG_UNIT_SOLD, false }, { "blocked", MG_UNIT_BLOCKED, false },
	};
	json_t *items = json_array();
	int step = (int)m->width / 5, cy = band_top + font;
	for (int i = 0; i < 5; i++) {
		int cx = i * step + r + 2;
		json_array_append_new(items, json_pack("{s:s, s:s, s:i, s:i, s:i, s:i, s:s, s:i, s:i}", "state",
						       entries[i].state, "text",
						       mg_tr(ctx, state_msgid(entries[i].s, entries[i].selected)), "cx", cx,
						       "cy", cy, "x0", cx - r, "y0", cy - r, "cross",
						       mg_arena_printf(mg_arena(ctx), "M%d %d L%d %d M%d %d L%d %d", cx - r,
								       cy - r, cx + r, cy + r, cx - r, cy + r, cx + r,
								       cy - r),
						       "text_x", cx + r + font / 2, "text_y", cy + font / 3));
	}
	return items;
}

static json_t *seatmap_json(struct mg_ctx *ctx, const struct tickets_map *stored, const struct mg_unit_view *states,
			    const uint32_t *selected_list, size_t nselected, bool selectable, unsigned mask)
{
	struct mg_arena *arena = mg_arena(ctx);
	const struct tickets_seatmap *m = &stored->map;
	enum mg_unit_state *state = mg_arena_alloc(arena, (m->nseats + 1) * sizeof(*state));
	bool *selected = mg_arena_alloc(arena, (m->nseats + 1) * sizeof(*selected));
	for (size_t no = 1; no <= m->nseats; no++)
		state[no] = states ? MG_UNIT_BLOCKED : MG_UNIT_FREE; /* a seat without a unit is not for sale */
	for (size_t i = 0; states != NULL && i < states->n; i++)
		if (states->units[i] >= 1 && states->units[i] <= m->nseats)
			state[states->units[i]] = states->states[i];
	for (size_t i = 0; i < nselected; i++)
		if (selected_list[i] >= 1 && selected_list[i] <= m->nseats)
			selected[selected_list[i]] = true;
	int r = seat_radius(m), font = (int)(m->width > m->height ? m->width : m->height) / 50;
	font = font < 8 ? 8 : font;
	int band_top = (int)m->height + font, total_height = band_top + 3 * font;
	json_t *seats = json_array();
	for (size_t i = 0; i < m->nseats; i++) {
		const struct tickets_seat *s = &m->seats[i];
		uint32_t no = s->seat_no;
		const char *name = selected[no]             ? "selected"
				   : state[no] == MG_UNIT_FREE ? "free"
				   : state[no] == MG_UNIT_HELD ? "held"
				   : state[no] == MG_UNIT_SOLD ? "sold"
							       : "blocked";
		json_array_append_new(
			seats, json_pack("{s:I, s:s, s:i, s:i, s:i, s:i, s:s, s:s, s:b, s:b, s:s}", "no", (json_int_t)no,
					 "state", name, "cx", s->x, "cy", s->y, "x0", s->x - r, "y0", s->y - r, "title",
					 seat_title(ctx, s, mg_tr(ctx, state_msgid(state[no], selected[no]))), "category",
					 s->category, "wheelchair", s->wheelchair, "restricted", s->restricted_view, "cross",
					 mg_arena_printf(arena, "M%d %d L%d %d M%d %d L%d %d", s->x - r, s->y - r, s->x + r,
							 s->y + r, s->x - r, s->y + r, s->x + r, s->y - r)));
	}
	json_t *data = json_pack("{s:i, s:i, s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:o, s:o, s:b, s:s, s:s}", "width",
				 (int)m->width, "height", total_height, "viewbox",
				 mg_arena_printf(arena, "0 0 %u %d", m->width, total_height), "r", r, "d", 2 * r,
				 "ring", r + r / 2 + 1, "stroke", r / 4 + 1, "hatch", r < 4 ? 2 : r / 2, "font", font, "seats", seats, "legend",
				 legend(ctx, m, r, band_top, font), "selectable", selectable, "name", m->name,
				 "venue", stored->venue_name ? stored->venue_name : "");
	if (m->has_stage)
		json_object_set_new(data, "stage",
				    json_pack("{s:i, s:i, s:i, s:i, s:s, s:i, s:i}", "x", m->stage_x, "y", m->stage_y,
					      "width", m->stage_width, "height", m->stage_height, "label",
					      m->stage_label[0] ? m->stage_label : mg_tr(ctx, N_("Stage")), "label_x",
					      m->stage_x + m->stage_width / 2, "label_y",
					      m->stage_y + m->stage_height / 2 + font / 3));
	if (selectable)
		json_object_set_new(data, "sections", picker_sections(ctx, m, state, selected, mask));
	return data;
}

json_t *tickets_seatmap_json(struct mg_ctx *ctx, const struct tickets_map *map, const struct mg_unit_view *states,
			     const uint32_t *selected, size_t nselected, bool selectable)
{
	return seatmap_json(ctx, map, states, selected, nselected, selectable && states != NULL, CONTROL_FREE);
}

json_t *tickets_seatmap_chart_json(struct mg_ctx *ctx, const struct tickets_map *map, const struct mg_unit_view *states)
{
	return seatmap_json(ctx, map, states, NULL, 0, true, CONTROL_FREE | CONTROL_BLOCKED);
}

enum mg_err tickets_seatmap_svg(struct mg_ctx *ctx, uint64_t seat_map_id, const struct mg_unit_view *states,
				const uint32_t *selected, size_t nselected, bool selectable, struct mg_buf *out)
{
	struct tickets_map map;
	enum mg_err err = tickets_seatmap_load(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), seat_map_id, &map);
	if (err != MG_OK)
		return err;
	json_t *data = json_object();
	json_object_set_new(data, "seatmap", tickets_seatmap_json(ctx, &map, states, selected, nselected, selectable));
	return mg_render_to(ctx, "tickets/seatmap_svg", data, out);
}

/* ---- venues ---- */

static const char *venue_href(struct mg_ctx *ctx, const char *id)
{
	return mg_admin_path(ctx, mg_arena_printf(mg_arena(ctx), "/tickets/venues/%s", id));
}

static enum mg_err render_venues(struct mg_ctx *ctx, int status, json_t *errors)
{
	struct mg_rows rows;
	struct mg_dbval args[] = { MG_INT(mg_tenant_id(ctx)) };
	enum mg_err err = mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &tickets_statements[TICKETS_SQL_VENUE_LIST], args,
	                             1, &rows, NULL, NULL);
	if (err != MG_OK) {
		json_decref(errors);
		return err;
	}
	json_t *venues = json_array();
	for (size_t r = 0; r < rows.nrows; r++)
		json_array_append_new(venues, json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", MG_CELL(&rows, r, 0), "name",
							MG_CELL(&rows, r, 1), "address", MG_CELL(&rows, r, 2), "maps",
							MG_CELL(&rows, r, 3), "href", venue_href(ctx, MG_CELL(&rows, r, 0))));
	const char *name = mg_form_typed(ctx, "name"), *address = mg_form_typed(ctx, "address");
	json_t *data = mg_admin_page(ctx, N_("Venues"));
	json_object_set_new(data, "venues", venues);
	json_object_set_new(data, "action", json_string(mg_admin_path(ctx, "/tickets/venues")));
	json_object_set_new(data, "form", json_pack("{s:s, s:s}", "name", name ? name : "", "address",
						    address ? address : ""));
	json_object_set_new(data, "errors", errors ? errors : json_object());
	return mg_render(ctx, status, "tickets/venues", data);
}

/* GET /<slug>/admin/tickets/venues — the tenant's venues and a form to add one. */
enum mg_err tickets_seatmap_venues_page(struct mg_ctx *ctx)
{
	return render_venues(ctx, 200, NULL);
}

struct web_venue {
	struct mg_arena *arena;
	uint64_t tenant;
	const char *name, *address;
	unsigned long long id;
};

/* The venue and its space on the venue calendar, together. */
static enum mg_err insert_web_venue(struct mg_db *db, void *arg)
{
	struct web_venue *v = arg;
	uint64_t space;
	struct mg_dbval args[] = { MG_INT(v->tenant), MG_TEXT(v->name), MG_TEXT(v->address) };
	enum mg_err err =
	    mg_db_exec(db, v->arena, &tickets_statements[TICKETS_SQL_VENUE_INSERT], args, 3, NULL, NULL, &v->id);
	return err != MG_OK ? err : tickets_venue_space(db, v->arena, v->tenant, v->id, &space);
}

/* POST /<slug>/admin/tickets/venues — adds a venue (name required) with its calendar space,
 * then shows it. */
enum mg_err tickets_seatmap_venue_create(struct mg_ctx *ctx)
{
	const char *name = mg_form(ctx, "name"), *address = mg_form(ctx, "address");
	if (name == NULL || strspn(name, " \t\r\n") == strlen(name))
		return render_venues(ctx, 422, json_pack("{s:s}", "name", mg_tr(ctx, N_("Enter the venue's name."))));
	struct web_venue v = { mg_arena(ctx), mg_tenant_id(ctx), name, address ? address : "", 0 };
	enum mg_err err = mg_db_transaction(mg_ctx_db(ctx), insert_web_venue, &v);
	if (err != MG_OK)
		return err;
	unsigned long long id = v.id;
	const char *ids = mg_arena_printf(mg_arena(ctx), "%llu", id);
	mg_audit(ctx, "tickets.venue.create", mg_arena_printf(mg_arena(ctx), "venue:%s", ids), "success", name);
	return mg_redirect(ctx, 303, venue_href(ctx, ids));
}

static enum mg_err render_venue(struct mg_ctx *ctx, int status, const struct mg_rows *venue, json_t *errors)
{
	struct mg_rows rows;
	struct mg_dbval args[] = { MG_INT(mg_tenant_id(ctx)), MG_TEXT(MG_CELL(venue, 0, 0)) };
	enum mg_err err = mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &tickets_statements[TICKETS_SQL_SEAT_MAP_LIST],
	                             args, 2, &rows, NULL, NULL);
	if (err != MG_OK) {
		json_decref(errors);
		return err;
	}
	json_t *maps = json_array();
	for (size_t r = 0; r < rows.nrows; r++)
		json_array_append_new(
			maps, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", MG_CELL(&rows, r, 0), "name",
					MG_CELL(&rows, r, 1), "seats", MG_CELL(&rows, r, 2), "size",
					mg_arena_printf(mg_arena(ctx), "%s × %s", MG_CELL(&rows, r, 3), MG_CELL(&rows, r, 4)),
					"created",
					mg_time_cell(ctx, MG_CELL(&rows, r, 5), MG_TZ_MINUTE),
					"href",
					mg_admin_path(ctx, mg_arena_printf(mg_arena(ctx), "/tickets/maps/%s", MG_CELL(&rows, r, 0)))));
	const char *name = mg_form_typed(ctx, "name"), *xml = mg_form_typed(ctx, "xml");
	json_t *data = mg_admin_page(ctx, N_("Venue"));
	json_object_set_new(data, "venue", json_pack("{s:s, s:s, s:s}", "id", MG_CELL(venue, 0, 0), "name",
						     MG_CELL(venue, 0, 1), "address", MG_CELL(venue, 0, 2)));
	json_object_set_new(data, "maps", maps);
	json_object_set_new(data, "venues_href", json_string(mg_admin_path(ctx, "/tickets/venues")));
	json_object_set_new(data, "action", json_string(mg_arena_printf(mg_arena(ctx), "%s/maps",
									venue_href(ctx, MG_CELL(venue, 0, 0)))));
	json_object_set_new(data, "form", json_pack("{s:s, s:s}", "name", name ? name : "", "xml", xml ? xml : ""));
	json_object_set_new(data, "errors", errors ? errors : json_object());
	return mg_render(ctx, status, "tickets/venue", data);
}

/* GET /<slug>/admin/tickets/venues/<id> — a venue, its seat maps and the upload form. */
enum mg_err tickets_seatmap_venue_page(struct mg_ctx *ctx)
{
	struct mg_rows venue;
	uint64_t venue_id;
	enum mg_err err = mg_param_id(ctx, "venue", &venue_id);
	if (err != MG_OK)
		return err;
	if (!venue_exists(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), venue_id, &venue, &err))
		return err != MG_OK ? err : MG_ERR_NOT_FOUND;
	return render_venue(ctx, 200, &venue, NULL);
}

/*
 * POST /<slug>/admin/tickets/venues/<id>/maps — imports a seat map pasted as XML: checked
 * (errors name the line; the pasted text stays in the form), then the map and its seats are
 * stored in one transaction and the preview is shown.
 */
enum mg_err tickets_seatmap_map_upload(struct mg_ctx *ctx)
{
	struct mg_rows venue;
	uint64_t venue_id;
	enum mg_err err = mg_param_id(ctx, "venue", &venue_id);
	if (err != MG_OK)
		return err;
	if (!venue_exists(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), venue_id, &venue, &err))
		return err != MG_OK ? err : MG_ERR_NOT_FOUND;
	const char *name = mg_form(ctx, "name"), *xml = mg_form(ctx, "xml");
	struct tickets_seatmap map;
	struct tickets_seatmap_problem problem;
	const struct tickets_seatmap_schema *schema = tickets_seatmap_schema();
	if (schema == NULL)
		return MG_ERR_CONFIG;
	json_t *errors = json_object();
	if (name == NULL || strspn(name, " \t\r\n") == strlen(name))
		json_object_set_new(errors, "name", json_string(mg_tr(ctx, N_("Enter a name for the map."))));
	if (tickets_seatmap_import(mg_arena(ctx), xml ? xml : "", xml ? strlen(xml) : 0, schema, &map, &problem) != MG_OK)
		json_object_set_new(errors, "xml", json_string(tickets_seatmap_problem_text(mg_arena(ctx),
											    mg_tr(ctx, problem.msgid), &problem)));
	if (json_object_size(errors) > 0) {
		mg_audit(ctx, "tickets.seatmap.import", mg_arena_printf(mg_arena(ctx), "venue:%llu", (unsigned long long)venue_id),
			 "failure", json_string_value(json_object_get(errors, "xml")));
		return render_venue(ctx, 422, &venue, errors);
	}
	json_decref(errors);
	struct save save = { mg_arena(ctx), mg_tenant_id(ctx), venue_id, mg_staff_id(ctx), name, xml, &map, NULL, 0 };
	if ((err = mg_db_transaction(mg_ctx_db(ctx), save_map, &save)) == MG_ERR_CONFLICT)
		/* two places the database's collation counts as one (full-width and ASCII letters) */
		return render_venue(ctx, 422, &venue,
				    json_pack("{s:s}", "xml", mg_tr(ctx, N_("Two seats of the map have the same section, row and number."))));
	if (err != MG_OK)
		return err;
	mg_audit(ctx, "tickets.seatmap.import", mg_arena_printf(mg_arena(ctx), "seat_map:%llu", (unsigned long long)save.id),
		 "success", mg_arena_printf(mg_arena(ctx), "venue %llu, %zu seats", (unsigned long long)venue_id, map.nseats));
	return mg_redirect(ctx, 303, mg_admin_path(ctx, mg_arena_printf(mg_arena(ctx), "/tickets/maps/%llu",
									(unsigned long long)save.id)));
}

/* GET /<slug>/admin/tickets/maps/<id> — a map's preview: the SVG and its seats per category. */
enum mg_err tickets_seatmap_map_page(struct mg_ctx *ctx)
{
	struct tickets_map map;
	uint64_t map_id;
	enum mg_err err = mg_param_id(ctx, "map", &map_id);
	if (err != MG_OK || (err = tickets_seatmap_load(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), map_id, &map)) != MG_OK)
		return err;
	json_t *categories = json_object();
	size_t wheelchair = 0;
	for (size_t i = 0; i < map.map.nseats; i++) {
		const char *c = map.map.seats[i].category;
		json_object_set_new(categories, c, json_integer(json_integer_value(json_object_get(categories, c)) + 1));
		wheelchair += map.map.seats[i].wheelchair;
	}
	json_t *counts = json_array();
	const char *key;
	json_t *value;
	json_object_foreach(categories, key, value)
		json_array_append_new(counts, json_pack("{s:s, s:O}", "category", key, "seats", value));
	json_decref(categories);
	json_t *data = mg_admin_page(ctx, N_("Seat map"));
	json_object_set_new(data, "map", json_pack("{s:I, s:s, s:s, s:I, s:I, s:s}", "id", (json_int_t)map.id, "name",
						   map.map.name, "venue", map.venue_name, "seats", (json_int_t)map.map.nseats,
						   "wheelchair", (json_int_t)wheelchair, "venue_href",
						   venue_href(ctx, mg_arena_printf(mg_arena(ctx), "%llu",
										   (unsigned long long)map.venue_id))));
	json_object_set_new(data, "categories", counts);
	json_object_set_new(data, "svg_href", json_string(mg_arena_printf(mg_arena(ctx), "%s/svg",
									  mg_admin_path(ctx, mg_arena_printf(mg_arena(ctx),
									  "/tickets/maps/%llu", (unsigned long long)map.id)))));
	json_object_set_new(data, "seatmap", tickets_seatmap_json(ctx, &map, NULL, NULL, 0, false));
	return mg_render(ctx, 200, "tickets/seatmap", data);
}

/* GET /<slug>/admin/tickets/maps/<id>/svg — the map alone as an SVG file (to print, to check). */
enum mg_err tickets_seatmap_map_svg(struct mg_ctx *ctx)
{
	uint64_t map_id;
	enum mg_err err = mg_param_id(ctx, "map", &map_id);
	if (err != MG_OK)
		return err;
	struct mg_buf svg;
	mg_buf_init(&svg);
	err = tickets_seatmap_svg(ctx, map_id, NULL, NULL, 0, false, &svg);
	if (err == MG_OK)
		err = mg_send(ctx, 200, "image/svg+xml; charset=utf-8", &svg);
	mg_buf_free(&svg);
	return err;
}

const struct mg_field tickets_venue_fields[] = {
	{ "name", MG_FROM_FORM, NULL, false, 200, N_("Venue name"), MG_TEXT_RAW },
	{ "address", MG_FROM_FORM, NULL, false, 400, N_("Address"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};

const struct mg_field tickets_seatmap_fields[] = {
	{ "name", MG_FROM_FORM, NULL, false, 200, N_("Map name"), MG_TEXT_RAW },
	{ "xml", MG_FROM_FORM, NULL, false, 0, N_("Seat map XML"), MG_TEXT_RAW },
	MG_FIELDS_END,
};

/* ---- madoguchi tickets import-map ---- */

static int import_usage(void)
{
	fputs("usage: madoguchi tickets import-map --tenant SLUG --venue ID [--name NAME] FILE\n"
	      "       (--venue-name NAME instead of --venue creates the venue)\n", stderr);
	return 2;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	struct mg_buf buf;
	mg_buf_init(&buf);
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && buf.len <= TICKETS_SEATMAP_MAX_BYTES)
		mg_buf_append(&buf, chunk, n);
	bool failed = ferror(f);
	fclose(f);
	if (failed) {
		mg_buf_free(&buf);
		return NULL;
	}
	*len = buf.len;
	return buf.data ? buf.data : calloc(1, 1);
}

struct venue_new {
	struct mg_arena *arena;
	uint64_t tenant;
	const char *name;
	uint64_t id;
};

static enum mg_err insert_venue(struct mg_db *db, void *arg)
{
	struct venue_new *v = arg;
	unsigned long long id = 0;
	struct mg_dbval args[] = { MG_INT(v->tenant), MG_TEXT(v->name), MG_TEXT("") };
	uint64_t space;
	enum mg_err err =
	    mg_db_exec(db, v->arena, &tickets_statements[TICKETS_SQL_VENUE_INSERT], args, 3, NULL, NULL, &id);
	if (err == MG_OK)
		err = tickets_venue_space(db, v->arena, v->tenant, id, &space);
	if (err == MG_OK)
		err = mg_audit_command(db, v->arena, v->tenant, "cli", "tickets.venue.create",
				       mg_arena_printf(v->arena, "venue:%llu", id), v->name);
	v->id = id;
	return err;
}

/* `madoguchi tickets import-map`: the same import as the page, from a file of any size up to
 * the import's limit (the page's textarea is bound by the form's field limit). Prints the new
 * map's id. */
static int import_map_command(struct mg_db *db, int argc, char **argv)
{
	const char *slug = NULL, *venue_text = NULL, *venue_name = NULL, *name = NULL, *file = NULL;
	for (int i = 1; i < argc; i++) {
		const char **opt = strcmp(argv[i], "--tenant") == 0       ? &slug
				   : strcmp(argv[i], "--venue") == 0      ? &venue_text
				   : strcmp(argv[i], "--venue-name") == 0 ? &venue_name
				   : strcmp(argv[i], "--name") == 0       ? &name
									  : NULL;
		if (opt != NULL && i + 1 < argc)
			*opt = argv[++i];
		else if (opt == NULL && argv[i][0] != '-' && file == NULL)
			file = argv[i];
		else
			return import_usage();
	}
	if (slug == NULL || file == NULL || (venue_text == NULL) == (venue_name == NULL))
		return import_usage();
	struct mg_arena *arena = mg_arena_new();
	char *xml = NULL;
	size_t len = 0;
	int status = 1;
	uint64_t tenant = 0, venue = 0;
	if (venue_text != NULL && mg_parse_id(venue_text, &venue) != MG_OK) {
		fprintf(stderr, "madoguchi: tickets import-map: --venue takes a venue id (a whole number from 1)\n");
		mg_arena_free(arena);
		return 2;
	}
	struct mg_rows rows;
	enum mg_err err;
	if (mg_tenant_lookup(db, arena, slug, &tenant) != MG_OK) {
		fprintf(stderr, "madoguchi: tickets import-map: no tenant '%s'\n", slug);
		goto out;
	}
	if ((xml = read_file(file, &len)) == NULL) {
		fprintf(stderr, "madoguchi: tickets import-map: cannot read %s\n", file);
		goto out;
	}
	struct tickets_seatmap map;
	struct tickets_seatmap_problem problem;
	const struct tickets_seatmap_schema *schema = tickets_seatmap_schema();
	if (schema == NULL) {
		fprintf(stderr, "madoguchi: tickets import-map: cannot read %s/seatmap.rng\n", mg_schema_dir());
		goto out;
	}
	if (tickets_seatmap_import(arena, xml, len, schema, &map, &problem) != MG_OK) {
		fprintf(stderr, "madoguchi: tickets import-map: %s: %s\n", file,
			tickets_seatmap_problem_text(arena, problem.msgid, &problem));
		goto out;
	}
	if (venue_name != NULL) {
		struct venue_new v = { arena, tenant, venue_name, 0 };
		if (mg_db_transaction(db, insert_venue, &v) != MG_OK) {
			fprintf(stderr, "madoguchi: tickets import-map: cannot create the venue: %s\n", mg_db_error(db));
			goto out;
		}
		venue = v.id;
	} else if (!venue_exists(db, arena, tenant, venue, &rows, &err)) {
		fprintf(stderr, "madoguchi: tickets import-map: tenant '%s' has no venue %s\n", slug, venue_text);
		goto out;
	}
	struct save save = { arena, tenant, venue, 0, name ? name : (map.name[0] ? map.name : file), xml, &map, "cli", 0 };
	if ((err = mg_db_transaction(db, save_map, &save)) != MG_OK) {
		fprintf(stderr, "madoguchi: tickets import-map: not stored (%s): %s\n", mg_strerror(err), mg_db_error(db));
		goto out;
	}
	printf("seat map %llu: %zu seats in venue %llu\n", (unsigned long long)save.id, map.nseats,
	       (unsigned long long)venue);
	status = 0;
out:
	free(xml);
	mg_arena_free(arena);
	return status;
}

int tickets_seatmap_import_command(struct mg_db *db, int argc, char **argv)
{
	return import_map_command(db, argc, argv);
}
