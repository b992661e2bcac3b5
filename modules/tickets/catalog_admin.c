/*
 * The back office of the catalogue (permission tickets.manage): events, their seat
 * categories, ticket types and price grid, performances and general-admission quotas.
 * Every form keeps what was typed and shows each problem next to its field; every change is
 * audited. Objects are always looked up in the request's tenant, so another tenant's id is
 * simply not found (404).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"

enum {
	TITLE_CHARS = 200,
	DESCRIPTION_CHARS = 5000,
	NAME_CHARS = 100,
	MAX_PER_ORDER = 100,
	MAX_RANK = 999,
	MAX_PRICE = 1000000,
	MAX_CAPACITY = 100000,
};

/* Which form of a page was sent back with problems: its typed values are shown again and its
 * errors next to their fields. */
struct sent_form {
	const char *form; /* "edit", "state", "categories", "category_add", "type_add", "type", "prices",
			   * "performance_add", "quota_add", "quota" */
	uint64_t row;     /* the ticket type or quota of a per-row form */
	json_t *errors;   /* field → message; borrowed */
	const char *error; /* a message for the whole form, translated; may be NULL */
};

static bool is_sent(const struct sent_form *s, const char *form, uint64_t row)
{
	return s != NULL && strcmp(s->form, form) == 0 && s->row == row;
}

/* The value a field shows: as typed when its form came back, else the stored one. */
static const char *shown(struct mg_ctx *ctx, const struct sent_form *s, const char *form, uint64_t row,
			 const char *field, const char *stored)
{
	return is_sent(s, form, row) ? catalog_typed(ctx, field) : (stored != NULL ? stored : "");
}

static json_t *form_errors(const struct sent_form *s, const char *form, uint64_t row)
{
	return is_sent(s, form, row) ? json_deep_copy(s->errors) : json_object();
}

static json_t *form_error(const struct sent_form *s, const char *form, uint64_t row)
{
	return is_sent(s, form, row) && s->error != NULL ? json_string(s->error) : json_null();
}

static const char *u64s(struct mg_ctx *ctx, uint64_t v)
{
	return mg_arena_printf(mg_arena(ctx), "%llu", (unsigned long long)v);
}

static const char *event_href(struct mg_ctx *ctx, uint64_t id, const char *rest)
{
	return mg_admin_path(ctx, mg_arena_printf(mg_arena(ctx), "/tickets/events/%llu%s", (unsigned long long)id, rest));
}

static const char *performance_href(struct mg_ctx *ctx, uint64_t id, const char *rest)
{
	return mg_admin_path(ctx,
			     mg_arena_printf(mg_arena(ctx), "/tickets/performances/%llu%s", (unsigned long long)id, rest));
}

/* Runs fn in a transaction with the request's arena. */
struct txn {
	struct mg_ctx *ctx;
	enum mg_err (*fn)(struct mg_db *db, struct mg_ctx *ctx, void *arg);
	void *arg;
};

static enum mg_err txn_body(struct mg_db *db, void *arg)
{
	struct txn *t = arg;
	return t->fn(db, t->ctx, t->arg);
}

static enum mg_err in_transaction(struct mg_ctx *ctx, enum mg_err (*fn)(struct mg_db *, struct mg_ctx *, void *),
				  void *arg)
{
	struct txn t = { ctx, fn, arg };
	return mg_db_transaction(mg_ctx_db(ctx), txn_body, &t);
}

/* ==== the event form (new and edit) ==== */

struct event_input {
	const char *title, *description, *kind;
	uint64_t venue_id, seat_map_id;
	unsigned per_order_limit;
};

/* The venue and seat map choices, the chosen ones marked. */
static enum mg_err venue_choices(struct mg_ctx *ctx, const char *venue_id, const char *seat_map_id, json_t *form)
{
	struct mg_db *db = mg_ctx_db(ctx);
	struct mg_dbval args[] = { MG_INT(mg_tenant_id(ctx)) };
	struct mg_rows venues, maps;
	enum mg_err err = mg_db_exec(db, mg_arena(ctx), &tickets_statements[TICKETS_SQL_CATALOG_VENUES], args, 1,
	                             &venues, NULL, NULL);
	if (err == MG_OK)
		err = mg_db_exec(db, mg_arena(ctx), &tickets_statements[TICKETS_SQL_CATALOG_SEAT_MAPS], args, 1, &maps,
		                 NULL, NULL);
	if (err != MG_OK)
		return err;
	json_t *vlist = json_array(), *mlist = json_array();
	for (size_t r = 0; r < venues.nrows; r++)
		json_array_append_new(vlist, json_pack("{s:s, s:s, s:b}", "id", MG_CELL(&venues, r, 0), "name",
						       MG_CELL(&venues, r, 1),
						       "selected", strcmp(MG_CELL(&venues, r, 0), venue_id) == 0));
	for (size_t r = 0; r < maps.nrows; r++)
		json_array_append_new(
			mlist, json_pack("{s:s, s:s, s:b}", "id", MG_CELL(&maps, r, 0), "label",
					 mg_arena_printf(mg_arena(ctx), "%s — %s (%s)", MG_CELL(&maps, r, 2),
							 MG_CELL(&maps, r, 3), MG_CELL(&maps, r, 4)),
					 "selected", strcmp(MG_CELL(&maps, r, 0), seat_map_id) == 0));
	json_object_set_new(form, "venues", vlist);
	json_object_set_new(form, "seat_maps", mlist);
	return MG_OK;
}

/* The event form's data: values, errors, choices. */
static json_t *event_form(struct mg_ctx *ctx, const struct tickets_event *ev, const struct sent_form *s,
			  enum mg_err *err)
{
	const char *kind = shown(ctx, s, "edit", 0, "kind", ev ? ev->kind : "seated");
	const char *venue = shown(ctx, s, "edit", 0, "venue_id", ev ? u64s(ctx, ev->venue_id) : "");
	const char *map = shown(ctx, s, "edit", 0, "seat_map_id", ev && ev->seat_map_id ? u64s(ctx, ev->seat_map_id) : "");
	json_t *values = json_pack("{s:s, s:s, s:s, s:s}", "title", shown(ctx, s, "edit", 0, "title", ev ? ev->title : ""),
				   "description", shown(ctx, s, "edit", 0, "description", ev ? ev->description : ""),
				   "per_order_limit",
				   shown(ctx, s, "edit", 0, "per_order_limit",
					 ev ? mg_arena_printf(mg_arena(ctx), "%u", ev->per_order_limit) : "8"),
				   "kind", kind);
	json_t *form = json_pack("{s:o, s:o, s:o, s:b, s:b}", "values", values, "errors", form_errors(s, "edit", 0),
				 "error", form_error(s, "edit", 0), "seated", strcmp(kind, "ga") != 0, "ga",
				 strcmp(kind, "ga") == 0);
	if ((*err = venue_choices(ctx, venue, map, form)) != MG_OK) {
		json_decref(form);
		return NULL;
	}
	return form;
}

/* Reads and checks the event form; the problems by field (empty when none). */
static json_t *read_event_form(struct mg_ctx *ctx, struct event_input *in, enum mg_err *err)
{
	json_t *errors = json_object();
	unsigned long n = 0;
	*err = MG_OK;
	memset(in, 0, sizeof(*in));
	in->title = mg_form(ctx, "title");
	in->description = mg_form(ctx, "description") ? mg_form(ctx, "description") : "";
	in->kind = mg_form(ctx, "kind");
	if (!catalog_text_ok(in->title, TITLE_CHARS))
		catalog_field_error(ctx, errors, "title", N_("Enter a title of up to 200 characters."));
	if (catalog_chars(in->description) > DESCRIPTION_CHARS)
		catalog_field_error(ctx, errors, "description", N_("Keep the description within 5,000 characters."));
	if (in->kind == NULL || (strcmp(in->kind, "seated") != 0 && strcmp(in->kind, "ga") != 0))
		catalog_field_error(ctx, errors, "kind", N_("Choose reserved seating or general admission."));
	if (!catalog_parse_number(mg_form(ctx, "per_order_limit"), MAX_PER_ORDER, &n) || n < 1)
		catalog_field_error(ctx, errors, "per_order_limit", N_("Enter a number from 1 to 100."));
	in->per_order_limit = (unsigned)n;

	struct mg_db *db = mg_ctx_db(ctx);
	struct mg_rows rows;
	uint64_t id;
	if (mg_parse_id(mg_form(ctx, "venue_id"), &id) == MG_OK) {
		struct mg_dbval args[] = { MG_INT(mg_tenant_id(ctx)), MG_INT(id) };
		if ((*err = mg_db_exec(db, mg_arena(ctx), &tickets_statements[TICKETS_SQL_CATALOG_VENUE_GET], args, 2,
		                       &rows, NULL, NULL)) != MG_OK)
			return errors;
		in->venue_id = rows.nrows == 1 ? id : 0;
	}
	if (in->venue_id == 0)
		catalog_field_error(ctx, errors, "venue_id", N_("Choose a venue."));
	if (in->kind == NULL || strcmp(in->kind, "seated") != 0)
		return errors;
	uint64_t map_venue = 0, seats = 0;
	if (mg_parse_id(mg_form(ctx, "seat_map_id"), &id) == MG_OK) {
		struct mg_dbval args[] = { MG_INT(mg_tenant_id(ctx)), MG_INT(id) };
		if ((*err = mg_db_exec(db, mg_arena(ctx), &tickets_statements[TICKETS_SQL_CATALOG_SEAT_MAP_GET], args,
		                       2, &rows, NULL, NULL)) != MG_OK)
			return errors;
		if (rows.nrows == 1) {
			map_venue = strtoull(MG_CELL(&rows, 0, 0), NULL, 10);
			seats = strtoull(MG_CELL(&rows, 0, 1), NULL, 10);
			in->seat_map_id = id;
		}
	}
	if (in->seat_map_id == 0 || seats == 0)
		catalog_field_error(ctx, errors, "seat_map_id", N_("Choose a seat map for reserved seating."));
	else if (in->venue_id != 0 && map_venue != in->venue_id)
		catalog_field_error(ctx, errors, "seat_map_id", N_("This seat map belongs to another venue."));
	return errors;
}

static struct mg_dbval seat_map_value(const struct event_input *in)
{
	return in->seat_map_id ? MG_INT(in->seat_map_id) : MG_NULL;
}

static enum mg_err render_new(struct mg_ctx *ctx, int status, const struct sent_form *s)
{
	enum mg_err err;
	json_t *form = event_form(ctx, NULL, s, &err);
	if (form == NULL)
		return err;
	json_t *data = mg_admin_page(ctx, N_("New event"));
	json_object_set_new(form, "action", json_string(mg_admin_path(ctx, "/tickets/events")));
	json_object_set_new(data, "form", form);
	json_object_set_new(data, "list_href", json_string(mg_admin_path(ctx, "/tickets/events")));
	return mg_render(ctx, status, "tickets/event_new", data);
}

/* GET /<slug>/admin/tickets/events/new */
enum mg_err catalog_admin_event_new(struct mg_ctx *ctx)
{
	return render_new(ctx, 200, NULL);
}

/* POST /<slug>/admin/tickets/events — creates the event as a draft, then shows it. */
enum mg_err catalog_admin_event_create(struct mg_ctx *ctx)
{
	struct event_input in;
	enum mg_err err;
	json_t *errors = read_event_form(ctx, &in, &err);
	if (err != MG_OK || json_object_size(errors) > 0) {
		struct sent_form s = { "edit", 0, errors, NULL };
		if (err == MG_OK)
			err = render_new(ctx, 422, &s);
		json_decref(errors);
		return err;
	}
	json_decref(errors);
	struct mg_dbval args[] = { MG_INT(mg_tenant_id(ctx)), MG_TEXT(in.title), MG_TEXT(in.description),
				   MG_INT(in.venue_id), seat_map_value(&in), MG_TEXT(in.kind), MG_INT(in.per_order_limit) };
	unsigned long long id = 0;
	if ((err = mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &tickets_statements[TICKETS_SQL_CATALOG_EVENT_INSERT],
	                      args, 7, NULL, NULL, &id)) != MG_OK)
		return err;
	mg_audit(ctx, "tickets.event.create", catalog_object(ctx, "tickets_event", id), "success", in.title);
	return mg_redirect(ctx, 303, event_href(ctx, id, ""));
}

/* ==== the event list ==== */

/* GET /<slug>/admin/tickets/events — every event, newest first, with its next performance. */
enum mg_err catalog_admin_events(struct mg_ctx *ctx)
{
	struct mg_dbval args[] = { MG_INT(mg_now()), MG_INT(mg_tenant_id(ctx)) };
	struct mg_rows rows;
	enum mg_err err =
	    mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &tickets_statements[TICKETS_SQL_CATALOG_EVENT_ADMIN_LIST], args,
	               2, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	json_t *events = json_array();
	for (size_t r = 0; r < rows.nrows; r++) {
		const char *next = MG_CELL(&rows, r, 5);
		json_array_append_new(
			events, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s*, s:s}", "href",
					  event_href(ctx, strtoull(MG_CELL(&rows, r, 0), NULL, 10), ""), "title",
					  MG_CELL(&rows, r, 1), "kind", MG_CELL(&rows, r, 2), "state", MG_CELL(&rows, r, 3),
					  "venue", MG_CELL(&rows, r, 4), "next",
					  next ? mg_time_text(ctx, (time_t)strtoll(next, NULL, 10), MG_TZ_PEOPLE)
					       : NULL,
					  "performances", MG_CELL(&rows, r, 6)));
	}
	json_t *data = mg_admin_page(ctx, N_("Events"));
	json_object_set_new(data, "events", events);
	json_object_set_new(data, "new_href", json_string(mg_admin_path(ctx, "/tickets/events/new")));
	json_object_set_new(data, "merch_href", json_string(mg_admin_path(ctx, "/tickets/merch")));
	return mg_render(ctx, 200, "tickets/event_list", data);
}

/* ==== one event's page ==== */

static json_t *categories_section(struct mg_ctx *ctx, const struct tickets_event *ev,
				  const struct tickets_category *cats, size_t ncats, const struct sent_form *s)
{
	json_t *rows = json_array();
	json_t *errors = form_errors(s, "categories", 0);
	for (size_t i = 0; i < ncats; i++) {
		const char *name_field = mg_arena_printf(mg_arena(ctx), "name_%zu", i);
		const char *rank_field = mg_arena_printf(mg_arena(ctx), "rank_%zu", i);
		json_t *name_error = json_object_get(errors, name_field), *rank_error = json_object_get(errors, rank_field);
		json_array_append_new(
			rows, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:O*, s:O*}", "code", cats[i].code,
					"code_field", mg_arena_printf(mg_arena(ctx), "code_%zu", i), "name_field", name_field,
					"rank_field", rank_field, "name",
					shown(ctx, s, "categories", 0, name_field, cats[i].name), "rank",
					shown(ctx, s, "categories", 0, rank_field,
					      mg_arena_printf(mg_arena(ctx), "%u", cats[i].rank)),
					"seats", (int)cats[i].seats, "id",
					mg_arena_printf(mg_arena(ctx), "category-%zu", i), "name_error", name_error,
					"rank_error", rank_error));
	}
	json_decref(errors);
	json_t *add = json_pack("{s:s, s:{s:s, s:s, s:s}, s:o}", "action", event_href(ctx, ev->id, "/categories/new"),
				"values", "code", shown(ctx, s, "category_add", 0, "code", ""), "name",
				shown(ctx, s, "category_add", 0, "name", ""), "rank",
				shown(ctx, s, "category_add", 0, "rank", mg_arena_printf(mg_arena(ctx), "%zu", ncats + 1)),
				"errors", form_errors(s, "category_add", 0));
	return json_pack("{s:s, s:o, s:o, s:o}", "action", event_href(ctx, ev->id, "/categories"), "rows", rows, "add",
			 add, "error", form_error(s, "categories", 0));
}

static json_t *types_section(struct mg_ctx *ctx, const struct tickets_event *ev,
			     const struct tickets_ticket_type *types, size_t ntypes, const struct sent_form *s)
{
	json_t *rows = json_array();
	for (size_t j = 0; j < ntypes; j++)
		json_array_append_new(
			rows,
			json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "action",
				  event_href(ctx, ev->id, mg_arena_printf(mg_arena(ctx), "/types/%llu",
									  (unsigned long long)types[j].id)),
				  "name_id", mg_arena_printf(mg_arena(ctx), "type-%llu-name", (unsigned long long)types[j].id),
				  "sort_id", mg_arena_printf(mg_arena(ctx), "type-%llu-sort", (unsigned long long)types[j].id),
				  "name",
				  shown(ctx, s, "type", types[j].id, "name", types[j].name), "sort_no",
				  shown(ctx, s, "type", types[j].id, "sort_no",
					mg_arena_printf(mg_arena(ctx), "%u", types[j].sort_no)),
				  "errors", form_errors(s, "type", types[j].id)));
	json_t *add = json_pack("{s:s, s:{s:s, s:s}, s:o}", "action", event_href(ctx, ev->id, "/types"), "values", "name",
				shown(ctx, s, "type_add", 0, "name", ""), "sort_no",
				shown(ctx, s, "type_add", 0, "sort_no", mg_arena_printf(mg_arena(ctx), "%zu", ntypes + 1)),
				"errors", form_errors(s, "type_add", 0));
	return json_pack("{s:o, s:o}", "rows", rows, "add", add);
}

static json_t *prices_section(struct mg_ctx *ctx, const struct tickets_event *ev, const struct tickets_category *cats,
			      size_t ncats, const struct tickets_ticket_type *types, size_t ntypes,
			      const struct tickets_price_cell *prices, size_t nprices, const struct sent_form *s)
{
	json_t *head = json_array(), *rows = json_array(), *hidden = json_array();
	json_t *errors = form_errors(s, "prices", 0);
	for (size_t j = 0; j < ntypes; j++) {
		json_array_append_new(head, json_pack("{s:s}", "name", types[j].name));
		json_array_append_new(hidden, json_pack("{s:s, s:s}", "name", mg_arena_printf(mg_arena(ctx), "type_%zu", j),
							 "value", u64s(ctx, types[j].id)));
	}
	for (size_t i = 0; i < ncats; i++) {
		json_array_append_new(hidden, json_pack("{s:s, s:s}", "name", mg_arena_printf(mg_arena(ctx), "cat_%zu", i),
							 "value", cats[i].code));
		json_t *cells = json_array();
		for (size_t j = 0; j < ntypes; j++) {
			const char *stored = "";
			for (size_t k = 0; k < nprices; k++)
				if (prices[k].ticket_type_id == types[j].id && strcmp(prices[k].category, cats[i].code) == 0)
					stored = mg_arena_printf(mg_arena(ctx), "%u", prices[k].yen);
			const char *field = mg_arena_printf(mg_arena(ctx), "price_%zu_%zu", i, j);
			json_array_append_new(
				cells, json_pack("{s:s, s:s, s:s, s:O*}", "field", field, "value",
						 shown(ctx, s, "prices", 0, field, stored), "label",
						 mg_arena_printf(mg_arena(ctx), "%s / %s", cats[i].name, types[j].name),
						 "error", json_object_get(errors, field)));
		}
		json_array_append_new(rows, json_pack("{s:s, s:s, s:o}", "code", cats[i].code, "name", cats[i].name, "cells",
						      cells));
	}
	json_decref(errors);
	return json_pack("{s:s, s:o, s:o, s:o, s:b, s:o}", "action", event_href(ctx, ev->id, "/prices"), "head", head,
			 "rows", rows, "hidden", hidden, "ready", ncats > 0 && ntypes > 0, "error",
			 form_error(s, "prices", 0));
}

/* Free and sold units of a performance: its seats, or the places of all its quotas. */
static enum mg_err performance_counts(struct mg_ctx *ctx, const struct tickets_performance *p, time_t now,
				      struct mg_unit_counts *c)
{
	memset(c, 0, sizeof(*c));
	if (p->event.seated)
		return mg_inventory_counts(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), TICKETS_KIND_SEAT, p->id, now,
					   c);
	struct tickets_ga_quota *quotas;
	size_t n;
	enum mg_err err = tickets_ga_quotas(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), p->id, now, &quotas, &n);
	for (size_t i = 0; err == MG_OK && i < n; i++) {
		c->free += quotas[i].counts.free;
		c->held += quotas[i].counts.held;
		c->sold += quotas[i].counts.sold;
		c->blocked += quotas[i].counts.blocked;
	}
	return err;
}

static json_t *counts_json(const struct mg_unit_counts *c)
{
	return json_pack("{s:I, s:I, s:I, s:I}", "free", (json_int_t)c->free, "held", (json_int_t)c->held, "sold",
			 (json_int_t)c->sold, "blocked", (json_int_t)c->blocked);
}

static json_t *performance_values(struct mg_ctx *ctx, const struct sent_form *s, const char *form, uint64_t row,
				  const struct tickets_performance *p)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "ends_at",
			 shown(ctx, s, form, row, "ends_at", p && p->ends_at ? mg_time_text(ctx, p->ends_at, MG_TZ_INPUT) : ""),
			 "starts_at",
			 shown(ctx, s, form, row, "starts_at", p ? mg_time_text(ctx, p->starts_at, MG_TZ_INPUT) : ""), "doors_at",
			 shown(ctx, s, form, row, "doors_at", p && p->doors_at ? mg_time_text(ctx, p->doors_at, MG_TZ_INPUT) : ""),
			 "sale_starts_at",
			 shown(ctx, s, form, row, "sale_starts_at", p ? mg_time_text(ctx, p->sale_starts_at, MG_TZ_INPUT) : ""),
			 "sale_ends_at", shown(ctx, s, form, row, "sale_ends_at", p ? mg_time_text(ctx, p->sale_ends_at, MG_TZ_INPUT) : ""));
}

static json_t *performances_section(struct mg_ctx *ctx, const struct tickets_event *ev, const struct sent_form *s,
				    enum mg_err *err)
{
	struct tickets_performance *list;
	size_t n;
	time_t now = mg_now();
	if ((*err = tickets_performances_of_event(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), ev, &list, &n)) !=
	    MG_OK)
		return NULL;
	json_t *rows = json_array();
	for (size_t i = 0; i < n; i++) {
		struct mg_unit_counts c;
		enum tickets_sale sale;
		if ((*err = performance_counts(ctx, &list[i], now, &c)) != MG_OK ||
		    (*err = tickets_performance_sale(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), &list[i], now,
						     &sale)) != MG_OK) {
			json_decref(rows);
			return NULL;
		}
		json_array_append_new(
			rows, json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "href", performance_href(ctx, list[i].id, ""),
					"starts", mg_time_text(ctx, list[i].starts_at, MG_TZ_PEOPLE),
					"sale_from", mg_time_text(ctx, list[i].sale_starts_at, MG_TZ_PEOPLE),
					"sale_to", mg_time_text(ctx, list[i].sale_ends_at, MG_TZ_PEOPLE),
					"sale", tickets_sale_name(sale), "counts", counts_json(&c)));
	}
	json_t *add = json_pack("{s:s, s:o, s:o}", "action", event_href(ctx, ev->id, "/performances"), "values",
				performance_values(ctx, s, "performance_add", 0, NULL), "errors",
				form_errors(s, "performance_add", 0));
	return json_pack("{s:o, s:o}", "rows", rows, "add", add);
}

static enum mg_err render_event(struct mg_ctx *ctx, int status, const struct tickets_event *ev,
				const struct sent_form *s)
{
	struct mg_db *db = mg_ctx_db(ctx);
	struct mg_arena *a = mg_arena(ctx);
	uint64_t tenant = mg_tenant_id(ctx);
	struct tickets_category *cats;
	struct tickets_ticket_type *types;
	struct tickets_price_cell *prices;
	size_t ncats, ntypes, nprices;
	enum mg_err err;
	if ((err = tickets_categories(db, a, tenant, ev, &cats, &ncats)) != MG_OK ||
	    (err = tickets_ticket_types(db, a, tenant, ev->id, &types, &ntypes)) != MG_OK ||
	    (err = tickets_prices(db, a, tenant, ev->id, &prices, &nprices)) != MG_OK)
		return err;
	json_t *edit = event_form(ctx, ev, s, &err);
	if (edit == NULL)
		return err;
	json_object_set_new(edit, "action", json_string(event_href(ctx, ev->id, "")));
	json_t *performances = performances_section(ctx, ev, s, &err);
	if (performances == NULL) {
		json_decref(edit);
		return err;
	}
	json_t *data = mg_admin_page(ctx, N_("Event"));
	json_object_set_new(data, "event",
			    json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:b}", "title", ev->title, "kind", ev->kind,
				      "state", ev->state, "venue", ev->venue_name, "seat_map", ev->seat_map_name, "seats",
				      (int)ev->seat_count, "public_href",
				      mg_arena_printf(a, "/%s/tickets/events/%llu", mg_tenant_slug(ctx),
						      (unsigned long long)ev->id),
				      "seated", ev->seated));
	json_object_set_new(data, "form", edit);
	json_object_set_new(data, "state_form",
			    json_pack("{s:s, s:b, s:b, s:o}", "action", event_href(ctx, ev->id, "/state"), "can_publish",
				      strcmp(ev->state, "draft") == 0, "can_close", strcmp(ev->state, "published") == 0,
				      "error", form_error(s, "state", 0)));
	json_object_set_new(data, "categories", categories_section(ctx, ev, cats, ncats, s));
	json_object_set_new(data, "types", types_section(ctx, ev, types, ntypes, s));
	json_object_set_new(data, "prices", prices_section(ctx, ev, cats, ncats, types, ntypes, prices, nprices, s));
	json_object_set(data, "pf", json_object_get(performances, "add")); /* tickets/performance_fields */
	json_object_set_new(data, "performances", performances);
	json_object_set_new(data, "list_href", json_string(mg_admin_path(ctx, "/tickets/events")));
	return mg_render(ctx, status, "tickets/event_edit", data);
}

/* The event named by the URL, in this tenant only. */
static enum mg_err load_event(struct mg_ctx *ctx, struct tickets_event *ev)
{
	uint64_t id;
	enum mg_err err = mg_param_id(ctx, "id", &id);
	return err != MG_OK ? err : tickets_event_load(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), id, ev);
}

/* Answers a form that came back with problems: the event page again, typed values kept. */
static enum mg_err event_problems(struct mg_ctx *ctx, int status, const struct tickets_event *ev, const char *form,
				  uint64_t row, json_t *errors, const char *error_msgid)
{
	struct sent_form s = { form, row, errors, error_msgid ? mg_tr(ctx, error_msgid) : NULL };
	enum mg_err err = render_event(ctx, status, ev, &s);
	json_decref(errors);
	return err;
}

/* GET /<slug>/admin/tickets/events/<id> */
enum mg_err catalog_admin_event(struct mg_ctx *ctx)
{
	struct tickets_event ev;
	enum mg_err err = load_event(ctx, &ev);
	return err != MG_OK ? err : render_event(ctx, 200, &ev, NULL);
}

static enum mg_err performance_count(struct mg_ctx *ctx, uint64_t event_id, unsigned long *n)
{
	struct mg_dbval args[] = { MG_INT(mg_tenant_id(ctx)), MG_INT(event_id) };
	struct mg_rows rows;
	enum mg_err err =
	    mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &tickets_statements[TICKETS_SQL_CATALOG_EVENT_PERFORMANCE_COUNT],
	               args, 2, &rows, NULL, NULL);
	*n = err == MG_OK && rows.nrows == 1 ? strtoul(MG_CELL(&rows, 0, 0), NULL, 10) : 0;
	return err;
}

/*
 * POST /<slug>/admin/tickets/events/<id> — title, description, venue, kind, seat map, limit.
 * Once the event has performances their units exist, so kind, venue and map stay as they are.
 */
enum mg_err catalog_admin_event_update(struct mg_ctx *ctx)
{
	struct tickets_event ev;
	struct event_input in;
	enum mg_err err = load_event(ctx, &ev);
	if (err != MG_OK)
		return err;
	json_t *errors = read_event_form(ctx, &in, &err);
	unsigned long performances = 0;
	if (err == MG_OK)
		err = performance_count(ctx, ev.id, &performances);
	if (err != MG_OK) {
		json_decref(errors);
		return err;
	}
	if (performances > 0 && in.kind != NULL &&
	    (strcmp(in.kind, ev.kind) != 0 || in.venue_id != ev.venue_id || in.seat_map_id != ev.seat_map_id))
		catalog_field_error(ctx, errors, "kind",
				    N_("The kind, venue and seat map cannot change once the event has performances."));
	if (json_object_size(errors) > 0)
		return event_problems(ctx, 422, &ev, "edit", 0, errors, NULL);
	json_decref(errors);
	struct mg_dbval args[] = { MG_TEXT(in.title), MG_TEXT(in.description), MG_INT(in.venue_id), seat_map_value(&in),
				   MG_TEXT(in.kind), MG_INT(in.per_order_limit), MG_INT(mg_tenant_id(ctx)), MG_INT(ev.id) };
	if ((err = mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &tickets_statements[TICKETS_SQL_CATALOG_EVENT_UPDATE],
	                      args, 8, NULL, NULL, NULL)) != MG_OK)
		return err;
	mg_audit(ctx, "tickets.event.update", catalog_object(ctx, "tickets_event", ev.id), "success", in.title);
	return mg_redirect(ctx, 303, event_href(ctx, ev.id, ""));
}

/*
 * POST /<slug>/admin/tickets/events/<id>/state — draft → published → closed, one way. An event
 * is published only when something can be bought: a ticket type with a price.
 */
enum mg_err catalog_admin_event_state(struct mg_ctx *ctx)
{
	struct tickets_event ev;
	enum mg_err err = load_event(ctx, &ev);
	if (err != MG_OK)
		return err;
	const char *to = mg_form(ctx, "to");
	const char *from = strcmp(to, "published") == 0 ? "draft" : "published";
	if (strcmp(ev.state, from) != 0)
		return event_problems(ctx, 409, &ev, "state", 0, json_object(),
				      N_("That change is not possible in the event's present state."));
	if (strcmp(to, "published") == 0) {
		struct tickets_price_cell *prices;
		size_t nprices;
		if ((err = tickets_prices(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), ev.id, &prices, &nprices)) !=
		    MG_OK)
			return err;
		if (nprices == 0)
			return event_problems(ctx, 422, &ev, "state", 0, json_object(),
					      N_("Set at least one price before publishing the event."));
	}
	struct mg_dbval args[] = { MG_TEXT(to), MG_INT(mg_tenant_id(ctx)), MG_INT(ev.id), MG_TEXT(from) };
	unsigned long long changed = 0;
	if ((err = mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &tickets_statements[TICKETS_SQL_CATALOG_EVENT_SET_STATE],
	                      args, 4, NULL, &changed, NULL)) != MG_OK)
		return err;
	if (changed != 1) /* another member of staff was quicker */
		return event_problems(ctx, 409, &ev, "state", 0, json_object(),
				      N_("That change is not possible in the event's present state."));
	mg_audit(ctx, strcmp(to, "published") == 0 ? "tickets.event.publish" : "tickets.event.close",
		 catalog_object(ctx, "tickets_event", ev.id), "success", mg_arena_printf(mg_arena(ctx), "%s -> %s", from, to));
	return mg_redirect(ctx, 303, event_href(ctx, ev.id, ""));
}

/* ==== categories ==== */

struct category_rows {
	const struct tickets_event *ev;
	const char **codes, **names;
	unsigned long *ranks;
	size_t n;
};

static enum mg_err save_categories(struct mg_db *db, struct mg_ctx *ctx, void *arg)
{
	struct category_rows *c = arg;
	for (size_t i = 0; i < c->n; i++) {
		struct mg_dbval args[] = { MG_INT(mg_tenant_id(ctx)), MG_INT(c->ev->id), MG_TEXT(c->codes[i]),
					   MG_TEXT(c->names[i]), MG_INT(c->ranks[i]) };
		enum mg_err err =
		    mg_db_exec(db, mg_arena(ctx), &tickets_statements[TICKETS_SQL_CATALOG_CATEGORY_UPSERT], args, 5,
		               NULL, NULL, NULL);
		if (err != MG_OK)
			return err;
	}
	return MG_OK;
}

/* Checks a category's display name and rank; problems go under the given field names. */
static void check_category(struct mg_ctx *ctx, json_t *errors, const char *name, const char *name_field,
			   const char *rank, const char *rank_field, unsigned long *rank_out)
{
	if (!catalog_text_ok(name, NAME_CHARS))
		catalog_field_error(ctx, errors, name_field, N_("Enter a name of up to 100 characters."));
	if (!catalog_parse_number(rank, MAX_RANK, rank_out) || *rank_out < 1)
		catalog_field_error(ctx, errors, rank_field, N_("Enter a rank from 1 (best) to 999."));
}

/* POST /<slug>/admin/tickets/events/<id>/categories — display names and ranks of every
 * category (the seat map's codes, or a GA event's own). */
enum mg_err catalog_admin_categories(struct mg_ctx *ctx)
{
	struct tickets_event ev;
	struct tickets_category *cats;
	size_t ncats;
	struct mg_arena *a = mg_arena(ctx);
	enum mg_err err = load_event(ctx, &ev);
	if (err != MG_OK || (err = tickets_categories(mg_ctx_db(ctx), a, mg_tenant_id(ctx), &ev, &cats, &ncats)) != MG_OK)
		return err;
	struct category_rows rows = { &ev, mg_arena_alloc(a, (ncats + 1) * sizeof(char *)),
				      mg_arena_alloc(a, (ncats + 1) * sizeof(char *)),
				      mg_arena_alloc(a, (ncats + 1) * sizeof(unsigned long)), 0 };
	json_t *errors = json_object();
	for (size_t i = 0; i < ncats; i++) {
		/* rows are matched by the code sent with them, so a list that changed meanwhile
		 * never names the wrong category */
		const char *code = mg_form(ctx, mg_arena_printf(a, "code_%zu", i));
		bool known = false;
		for (size_t k = 0; code != NULL && k < ncats && !known; k++)
			known = strcmp(cats[k].code, code) == 0;
		if (!known)
			continue;
		const char *name_field = mg_arena_printf(a, "name_%zu", i), *rank_field = mg_arena_printf(a, "rank_%zu", i);
		check_category(ctx, errors, mg_form(ctx, name_field), name_field, mg_form(ctx, rank_field), rank_field,
			       &rows.ranks[rows.n]);
		rows.codes[rows.n] = code;
		rows.names[rows.n++] = mg_form(ctx, name_field);
	}
	if (json_object_size(errors) > 0)
		return event_problems(ctx, 422, &ev, "categories", 0, errors, NULL);
	json_decref(errors);
	if ((err = in_transaction(ctx, save_categories, &rows)) != MG_OK)
		return err;
	mg_audit(ctx, "tickets.category.update", catalog_object(ctx, "tickets_event", ev.id), "success",
		 mg_arena_printf(a, "%zu categories", rows.n));
	return mg_redirect(ctx, 303, event_href(ctx, ev.id, "#categories"));
}

/* POST /<slug>/admin/tickets/events/<id>/categories/new — a price category of a GA event
 * (a seated event's categories are the codes of its seat map). */
enum mg_err catalog_admin_category_add(struct mg_ctx *ctx)
{
	struct tickets_event ev;
	struct tickets_category *cats;
	size_t ncats;
	enum mg_err err = load_event(ctx, &ev);
	if (err != MG_OK ||
	    (err = tickets_categories(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), &ev, &cats, &ncats)) != MG_OK)
		return err;
	json_t *errors = json_object();
	const char *code = mg_form(ctx, "code");
	size_t len = code ? strlen(code) : 0;
	if (ev.seated)
		catalog_field_error(ctx, errors, "code",
				    N_("A reserved-seating event takes its categories from its seat map."));
	else if (len < 1 || len > 16 ||
		 strspn(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") != len)
		catalog_field_error(ctx, errors, "code", N_("Use 1 to 16 letters or digits."));
	for (size_t i = 0; len > 0 && i < ncats; i++)
		if (strcmp(cats[i].code, code) == 0)
			catalog_field_error(ctx, errors, "code", N_("This event already has a category with this code."));
	struct category_rows rows = { &ev, &code, NULL, mg_arena_alloc(mg_arena(ctx), sizeof(unsigned long)), 1 };
	const char *name = mg_form(ctx, "name");
	rows.names = &name;
	check_category(ctx, errors, name, "name", mg_form(ctx, "rank"), "rank", rows.ranks);
	if (json_object_size(errors) > 0)
		return event_problems(ctx, 422, &ev, "category_add", 0, errors, NULL);
	json_decref(errors);
	if ((err = in_transaction(ctx, save_categories, &rows)) != MG_OK)
		return err;
	mg_audit(ctx, "tickets.category.create", catalog_object(ctx, "tickets_event", ev.id), "success", code);
	return mg_redirect(ctx, 303, event_href(ctx, ev.id, "#categories"));
}

/* ==== ticket types ==== */

static json_t *read_type_form(struct mg_ctx *ctx, unsigned long *sort_no)
{
	json_t *errors = json_object();
	if (!catalog_text_ok(mg_form(ctx, "name"), NAME_CHARS))
		catalog_field_error(ctx, errors, "name", N_("Enter a name of up to 100 characters."));
	if (!catalog_parse_number(mg_form(ctx, "sort_no"), MAX_RANK, sort_no))
		catalog_field_error(ctx, errors, "sort_no", N_("Enter a number from 0 to 999."));
	return errors;
}

/* POST /<slug>/admin/tickets/events/<id>/types — adds a ticket type (adult, child…). */
enum mg_err catalog_admin_type_add(struct mg_ctx *ctx)
{
	struct tickets_event ev;
	unsigned long sort_no = 0;
	enum mg_err err = load_event(ctx, &ev);
	if (err != MG_OK)
		return err;
	json_t *errors = read_type_form(ctx, &sort_no);
	if (json_object_size(errors) > 0)
		return event_problems(ctx, 422, &ev, "type_add", 0, errors, NULL);
	json_decref(errors);
	struct mg_dbval args[] = { MG_INT(mg_tenant_id(ctx)), MG_INT(ev.id), MG_TEXT(mg_form(ctx, "name")),
				   MG_INT(sort_no) };
	unsigned long long id = 0;
	if ((err = mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &tickets_statements[TICKETS_SQL_CATALOG_TYPE_INSERT], args,
	                      4, NULL, NULL, &id)) != MG_OK)
		return err;
	mg_audit(ctx, "tickets.ticket_type.create", catalog_object(ctx, "tickets_ticket_type", id), "success",
		 mg_form(ctx, "name"));
	return mg_redirect(ctx, 303, event_href(ctx, ev.id, "#types"));
}

/* POST /<slug>/admin/tickets/events/<id>/types/<type> — renames or reorders a ticket type. */
enum mg_err catalog_admin_type_update(struct mg_ctx *ctx)
{
	struct tickets_event ev;
	struct tickets_ticket_type *types;
	size_t ntypes;
	unsigned long sort_no = 0;
	uint64_t type_id;
	enum mg_err err = mg_param_id(ctx, "type", &type_id);
	if (err != MG_OK || (err = load_event(ctx, &ev)) != MG_OK ||
	    (err = tickets_ticket_types(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), ev.id, &types, &ntypes)) != MG_OK)
		return err;
	bool found = false;
	for (size_t j = 0; j < ntypes; j++)
		found |= types[j].id == type_id;
	if (!found)
		return MG_ERR_NOT_FOUND;
	json_t *errors = read_type_form(ctx, &sort_no);
	if (json_object_size(errors) > 0)
		return event_problems(ctx, 422, &ev, "type", type_id, errors, NULL);
	json_decref(errors);
	struct mg_dbval args[] = { MG_TEXT(mg_form(ctx, "name")), MG_INT(sort_no), MG_INT(mg_tenant_id(ctx)),
				   MG_INT(ev.id), MG_INT(type_id) };
	if ((err = mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &tickets_statements[TICKETS_SQL_CATALOG_TYPE_UPDATE], args,
	                      5, NULL, NULL, NULL)) != MG_OK)
		return err;
	mg_audit(ctx, "tickets.ticket_type.update", catalog_object(ctx, "tickets_ticket_type", type_id), "success",
		 mg_form(ctx, "name"));
	return mg_redirect(ctx, 303, event_href(ctx, ev.id, "#types"));
}

/* ==== the price grid ==== */

struct price_change {
	const char *category;
	uint64_t type_id;
	long yen; /* -1: not sold (the cell was left empty) */
};

struct price_grid {
	const struct tickets_event *ev;
	struct price_change *cells;
	size_t n;
};

static enum mg_err save_prices(struct mg_db *db, struct mg_ctx *ctx, void *arg)
{
	struct price_grid *g = arg;
	for (size_t k = 0; k < g->n; k++) {
		const struct price_change *c = &g->cells[k];
		struct mg_dbval args[] = { MG_INT(mg_tenant_id(ctx)), MG_INT(g->ev->id), MG_TEXT(c->category),
					   MG_INT(c->type_id), MG_INT(c->yen) };
		enum mg_err err =
		    c->yen < 0 ? mg_db_exec(db, mg_arena(ctx), &tickets_statements[TICKETS_SQL_CATALOG_PRICE_DELETE],
		                            args, 4, NULL, NULL, NULL)
		               : mg_db_exec(db, mg_arena(ctx), &tickets_statements[TICKETS_SQL_CATALOG_PRICE_UPSERT],
		                            args, 5, NULL, NULL, NULL);
		if (err != MG_OK)
			return err;
	}
	return MG_OK;
}

/* One cell of the grid: "" (not sold), or whole yen 0..1,000,000. */
static const char *price_problem(const char *text, long *yen)
{
	unsigned long v = 0;
	*yen = -1;
	if (text == NULL || text[strspn(text, " ")] == '\0')
		return NULL;
	if (text[0] == '-')
		return N_("A price cannot be negative. Enter 0 yen or more.");
	if (!catalog_parse_number(text, 999999999UL, &v))
		return N_("Enter the price in whole yen, digits only (e.g. 3000).");
	if (v > MAX_PRICE)
		return N_("Enter at most 1,000,000 yen.");
	*yen = (long)v;
	return NULL;
}

/* POST /<slug>/admin/tickets/events/<id>/prices — the whole grid category × ticket type; an
 * empty cell means that combination is not sold. */
enum mg_err catalog_admin_prices(struct mg_ctx *ctx)
{
	struct tickets_event ev;
	struct tickets_category *cats;
	struct tickets_ticket_type *types;
	size_t ncats, ntypes;
	struct mg_arena *a = mg_arena(ctx);
	enum mg_err err = load_event(ctx, &ev);
	if (err != MG_OK || (err = tickets_categories(mg_ctx_db(ctx), a, mg_tenant_id(ctx), &ev, &cats, &ncats)) != MG_OK ||
	    (err = tickets_ticket_types(mg_ctx_db(ctx), a, mg_tenant_id(ctx), ev.id, &types, &ntypes)) != MG_OK)
		return err;
	struct price_grid grid = { &ev, mg_arena_alloc(a, (ncats * ntypes + 1) * sizeof(struct price_change)), 0 };
	json_t *errors = json_object();
	for (size_t i = 0; i < ncats; i++) {
		const char *code = mg_form(ctx, mg_arena_printf(a, "cat_%zu", i));
		bool known_code = false;
		for (size_t k = 0; code != NULL && k < ncats; k++)
			known_code |= strcmp(cats[k].code, code) == 0;
		for (size_t j = 0; known_code && j < ntypes; j++) {
			uint64_t type_id = 0; /* checked by its pattern; 0 (no type) when not sent */
			mg_form_id(ctx, mg_arena_printf(a, "type_%zu", j), &type_id);
			bool known_type = false;
			for (size_t k = 0; k < ntypes; k++)
				known_type |= types[k].id == type_id;
			const char *field = mg_arena_printf(a, "price_%zu_%zu", i, j);
			long yen;
			const char *problem = price_problem(mg_form(ctx, field), &yen);
			if (problem != NULL)
				catalog_field_error(ctx, errors, field, problem);
			else if (known_type)
				grid.cells[grid.n++] = (struct price_change){ code, type_id, yen };
		}
	}
	if (json_object_size(errors) > 0)
		return event_problems(ctx, 422, &ev, "prices", 0, errors, N_("Some prices need correcting."));
	json_decref(errors);
	if ((err = in_transaction(ctx, save_prices, &grid)) != MG_OK)
		return err;
	mg_audit(ctx, "tickets.price.update", catalog_object(ctx, "tickets_event", ev.id), "success",
		 mg_arena_printf(a, "%zu cells", grid.n));
	return mg_redirect(ctx, 303, event_href(ctx, ev.id, "#prices"));
}

/* ==== performances ==== */

struct performance_input {
	time_t starts_at, doors_at, sale_starts_at, sale_ends_at, ends_at;
};

/* A date and time field in the tenant's zone: required or not; *out 0 when empty and optional.
 * A time the clocks skip (the hour they go forward) is refused with the first valid time after
 * it; one they pass twice (the hour they go back) is the earlier of the two. */
static void read_time(struct mg_ctx *ctx, json_t *errors, const char *field, bool required, time_t *out)
{
	const char *text = mg_form(ctx, field), *zone = mg_tenant_time_zone(ctx), *problem = NULL;
	enum mg_tz_fit fit = MG_TZ_EXACT;
	*out = 0;
	if ((text == NULL || text[0] == '\0') && !required)
		return;
	if (mg_tz_parse_local(zone, text, out, &fit) != MG_OK) {
		problem = catalog_message(ctx, N_("Enter a date and time in {zone}, e.g. 2026-05-01 18:30."), "{zone}",
					  mg_tz_label(zone, mg_lang(ctx)));
	} else if (fit == MG_TZ_GAP) {
		const char *next = mg_time_text(ctx, *out, MG_TZ_MINUTE);
		problem = catalog_message(ctx, N_("There is no such time in {zone}: the clocks go forward then. The next "
						  "valid time is {next}."),
					  "{zone}", zone);
		const char *at = strstr(problem, "{next}");
		if (at != NULL)
			problem = mg_arena_printf(mg_arena(ctx), "%.*s%s%s", (int)(at - problem), problem, next,
						  at + strlen("{next}"));
	}
	if (problem != NULL) {
		*out = 0;
		if (json_object_get(errors, field) == NULL) /* the first problem of a field is the one shown */
			json_object_set_new(errors, field, json_string(problem));
	}
}

static json_t *read_performance_form(struct mg_ctx *ctx, struct performance_input *in)
{
	json_t *errors = json_object();
	read_time(ctx, errors, "starts_at", true, &in->starts_at);
	read_time(ctx, errors, "doors_at", false, &in->doors_at);
	read_time(ctx, errors, "sale_starts_at", true, &in->sale_starts_at);
	read_time(ctx, errors, "sale_ends_at", true, &in->sale_ends_at);
	read_time(ctx, errors, "ends_at", false, &in->ends_at);
	if (in->ends_at != 0 && in->starts_at != 0 && in->ends_at <= in->starts_at)
		catalog_field_error(ctx, errors, "ends_at", N_("The performance must end after it starts."));
	if (in->doors_at != 0 && in->starts_at != 0 && in->doors_at > in->starts_at)
		catalog_field_error(ctx, errors, "doors_at", N_("The doors must open before the performance starts."));
	if (in->sale_starts_at != 0 && in->sale_ends_at != 0 && in->sale_ends_at <= in->sale_starts_at)
		catalog_field_error(ctx, errors, "sale_ends_at", N_("The sale must end after it starts."));
	return errors;
}

static struct mg_dbval time_value(time_t t)
{
	return t != 0 ? MG_INT(t) : MG_NULL;
}

/* What stood in the way of a performance on the venue calendar. */
struct venue_taken {
	bool taken;
	struct mg_calendar_conflict conflict;
};

/* The performance occupies its venue's space on the venue calendar (core/commerce/calendar.h)
 * from its doors (else its start) to its end (else TICKETS_DEFAULT_LENGTH after the start); the
 * space adds its buffer. Staff schedule performances, so the space's hours do not apply.
 * MG_ERR_CONFLICT with *taken filled when something else is there. In a transaction. */
static enum mg_err occupy_venue(struct mg_db *db, struct mg_ctx *ctx, const struct tickets_event *ev,
				uint64_t performance, const struct performance_input *in, struct venue_taken *taken)
{
	uint64_t space = 0;
	enum mg_err err = tickets_venue_space(db, mg_arena(ctx), mg_tenant_id(ctx), ev->venue_id, &space);
	if (err != MG_OK)
		return err;
	struct mg_occupation occ = { .space_id = space,
				     .from = in->doors_at != 0 ? in->doors_at : in->starts_at,
				     .to = in->ends_at != 0 ? in->ends_at : in->starts_at + TICKETS_DEFAULT_LENGTH,
				     .owner_kind = "tickets.performance",
				     .owner_id = performance,
				     .label = ev->title };
	err = mg_calendar_occupy(db, mg_arena(ctx), mg_tenant_id(ctx), &occ, true, mg_now(), NULL, &taken->conflict);
	taken->taken = err == MG_ERR_CONFLICT || err == MG_ERR_INPUT;
	return err == MG_ERR_INPUT ? MG_ERR_CONFLICT : err;
}

/* "{venue}はこの時間、すでに「{what}」で使用されています（{from}〜{to}）…" for the form. */
static const char *venue_taken_message(struct mg_ctx *ctx, const struct tickets_event *ev,
				       const struct mg_calendar_conflict *c)
{
	struct mg_arena *a = mg_arena(ctx);
	if (c->from == 0 || c->label == NULL)
		return catalog_message(ctx, N_("{venue} is not available at that time. Choose another time."), "{venue}",
				       ev->venue_name);
	const char *what = c->label[0] != '\0' ? c->label : mg_tr(ctx, N_("another booking"));
	const char *from = mg_time_text(ctx, c->from, MG_TZ_PEOPLE);
	bool same_day = strcmp(mg_time_text(ctx, c->from, MG_TZ_DATE), mg_time_text(ctx, c->to, MG_TZ_DATE)) == 0;
	const char *to = mg_time_text(ctx, c->to, same_day ? MG_TZ_CLOCK : MG_TZ_PEOPLE);
	const char *text = mg_tr(ctx, N_("{venue} is already in use at that time by “{what}” ({from} – {to}). "
					 "Choose another time."));
	const char *keys[] = { "{venue}", "{what}", "{from}", "{to}" };
	const char *values[] = { ev->venue_name, what, from, to };
	for (size_t i = 0; i < 4; i++) {
		const char *at = strstr(text, keys[i]);
		if (at != NULL)
			text = mg_arena_printf(a, "%.*s%s%s", (int)(at - text), text, values[i], at + strlen(keys[i]));
	}
	return text;
}

struct new_performance {
	const struct tickets_event *ev;
	struct performance_input in;
	unsigned long long id;
	struct venue_taken taken;
};

/* The performance, its occupation of the venue and, for reserved seating, one unit per seat of
 * the map: all or nothing. */
static enum mg_err insert_performance(struct mg_db *db, struct mg_ctx *ctx, void *arg)
{
	struct new_performance *p = arg;
	struct mg_dbval args[] = { MG_INT(mg_tenant_id(ctx)),	  MG_INT(p->ev->id),
				   MG_INT(p->in.starts_at),	  time_value(p->in.doors_at),
				   MG_INT(p->in.sale_starts_at), MG_INT(p->in.sale_ends_at),
				   time_value(p->in.ends_at) };
	enum mg_err err = mg_db_exec(db, mg_arena(ctx), &tickets_statements[TICKETS_SQL_CATALOG_PERFORMANCE_INSERT],
	                             args, 7, NULL, NULL, &p->id);
	if (err == MG_OK)
		err = occupy_venue(db, ctx, p->ev, p->id, &p->in, &p->taken);
	if (err != MG_OK || !p->ev->seated)
		return err;
	return mg_inventory_add(db, mg_arena(ctx), mg_tenant_id(ctx), TICKETS_KIND_SEAT, p->id, 1, p->ev->seat_count,
				MG_UNIT_FREE);
}

/* POST /<slug>/admin/tickets/events/<id>/performances — a date of the event; its seats become
 * inventory units 1..seat_count (GA places come with its quotas). */
enum mg_err catalog_admin_performance_add(struct mg_ctx *ctx)
{
	struct tickets_event ev;
	enum mg_err err = load_event(ctx, &ev);
	if (err != MG_OK)
		return err;
	struct new_performance p = { &ev, { 0 }, 0, { 0 } };
	json_t *errors = read_performance_form(ctx, &p.in);
	if (ev.seated && ev.seat_count == 0)
		catalog_field_error(ctx, errors, "starts_at", N_("The event's seat map has no seats."));
	if (json_object_size(errors) > 0)
		return event_problems(ctx, 422, &ev, "performance_add", 0, errors, NULL);
	err = in_transaction(ctx, insert_performance, &p);
	if (err == MG_ERR_CONFLICT && p.taken.taken) {
		json_object_set_new(errors, "starts_at", json_string(venue_taken_message(ctx, &ev, &p.taken.conflict)));
		return event_problems(ctx, 409, &ev, "performance_add", 0, errors, N_("The venue is taken at that time."));
	}
	json_decref(errors);
	if (err != MG_OK)
		return err;
	mg_audit(ctx, "tickets.performance.create", catalog_object(ctx, "tickets_performance", p.id), "success",
		 mg_arena_printf(mg_arena(ctx), "event %llu, starts %s, %u seats", (unsigned long long)ev.id,
				 tickets_iso_utc(mg_arena(ctx), p.in.starts_at), ev.seated ? ev.seat_count : 0));
	return mg_redirect(ctx, 303, performance_href(ctx, p.id, ""));
}

static json_t *quota_values(struct mg_ctx *ctx, const struct sent_form *s, const char *form, uint64_t row,
			    const struct tickets_ga_quota *q)
{
	return json_pack("{s:s, s:s, s:s}", "name", shown(ctx, s, form, row, "name", q ? q->name : ""), "capacity",
			 shown(ctx, s, form, row, "capacity", q ? mg_arena_printf(mg_arena(ctx), "%u", q->capacity) : ""),
			 "price_category", shown(ctx, s, form, row, "price_category", q ? q->price_category : ""));
}

/* The event's categories as choices of a quota's price category, the chosen one marked. */
static json_t *category_choices(const struct tickets_category *cats, size_t ncats, json_t *values)
{
	const char *chosen = json_string_value(json_object_get(values, "price_category"));
	json_t *list = json_array();
	for (size_t i = 0; i < ncats; i++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:b}", "code", cats[i].code, "name", cats[i].name,
						      "selected", chosen != NULL && strcmp(chosen, cats[i].code) == 0));
	return list;
}

/* One quota form (a quota's or the new one's), its field ids made unique by prefix. */
static json_t *quota_form(struct mg_ctx *ctx, const char *action, const char *prefix, json_t *categories,
			  json_t *values, json_t *errors)
{
	struct mg_arena *a = mg_arena(ctx);
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o}", "action", action, "name_id",
			 mg_arena_printf(a, "%s-name", prefix), "capacity_id", mg_arena_printf(a, "%s-capacity", prefix),
			 "category_id", mg_arena_printf(a, "%s-category", prefix), "categories", categories, "values",
			 values, "errors", errors);
}

static enum mg_err render_performance(struct mg_ctx *ctx, int status, const struct tickets_performance *p,
				      const struct sent_form *s)
{
	struct mg_db *db = mg_ctx_db(ctx);
	struct mg_arena *a = mg_arena(ctx);
	time_t now = mg_now();
	struct tickets_ga_quota *quotas = NULL;
	struct tickets_category *cats;
	size_t nquotas = 0, ncats;
	struct mg_unit_counts counts;
	enum tickets_sale sale;
	enum mg_err err;
	if ((err = tickets_categories(db, a, mg_tenant_id(ctx), &p->event, &cats, &ncats)) != MG_OK ||
	    (err = performance_counts(ctx, p, now, &counts)) != MG_OK ||
	    (err = tickets_performance_sale(db, a, mg_tenant_id(ctx), p, now, &sale)) != MG_OK ||
	    (!p->event.seated && (err = tickets_ga_quotas(db, a, mg_tenant_id(ctx), p->id, now, &quotas, &nquotas)) != MG_OK))
		return err;
	json_t *rows = json_array();
	for (size_t i = 0; i < nquotas; i++) {
		json_t *values = quota_values(ctx, s, "quota", quotas[i].id, &quotas[i]);
		json_t *row = quota_form(ctx, mg_admin_path(ctx, mg_arena_printf(a, "/tickets/quotas/%llu",
										 (unsigned long long)quotas[i].id)),
					 mg_arena_printf(a, "quota-%llu", (unsigned long long)quotas[i].id),
					 category_choices(cats, ncats, values), values, form_errors(s, "quota", quotas[i].id));
		json_object_set_new(row, "counts", counts_json(&quotas[i].counts));
		json_array_append_new(rows, row);
	}
	json_t *add_values = quota_values(ctx, s, "quota_add", 0, NULL);
	json_t *add = quota_form(ctx, performance_href(ctx, p->id, "/quotas"), "quota-new",
				 category_choices(cats, ncats, add_values), add_values, form_errors(s, "quota_add", 0));
	json_t *data = mg_admin_page(ctx, N_("Performance"));
	json_object_set_new(
		data, "performance",
		json_pack("{s:s, s:s, s:s, s:b, s:b, s:s, s:s, s:s, s:o}", "event", p->event.title, "event_href",
			  event_href(ctx, p->event.id, ""), "starts", mg_time_text(ctx, p->starts_at, MG_TZ_PEOPLE),
			  "cancelled", p->cancelled, "seated", p->event.seated, "sale", tickets_sale_name(sale), "sale_from",
			  mg_time_text(ctx, p->sale_starts_at, MG_TZ_PEOPLE), "sale_to",
			  mg_time_text(ctx, p->sale_ends_at, MG_TZ_PEOPLE), "counts", counts_json(&counts)));
	json_object_set_new(data, "pf", /* tickets/performance_fields */
			    json_pack("{s:s, s:o, s:o}", "action", performance_href(ctx, p->id, ""), "values",
				      performance_values(ctx, s, "edit", 0, p), "errors", form_errors(s, "edit", 0)));
	json_object_set_new(data, "cancel_action", json_string(performance_href(ctx, p->id, "/cancel")));
	json_object_set_new(data, "quotas", json_pack("{s:o, s:[o], s:b}", "rows", rows, "add_list", add, "no_categories",
						      ncats == 0));
	json_object_set_new(data, "error", s != NULL && s->error != NULL ? json_string(s->error) : json_null());
	return mg_render(ctx, status, "tickets/performance_edit", data);
}

static enum mg_err load_performance(struct mg_ctx *ctx, struct tickets_performance *p)
{
	uint64_t id;
	enum mg_err err = mg_param_id(ctx, "id", &id);
	return err != MG_OK ? err : tickets_performance_load(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), id, p);
}

static enum mg_err performance_problems(struct mg_ctx *ctx, int status, const struct tickets_performance *p,
					const char *form, uint64_t row, json_t *errors, const char *error_msgid)
{
	struct sent_form s = { form, row, errors, error_msgid ? mg_tr(ctx, error_msgid) : NULL };
	enum mg_err err = render_performance(ctx, status, p, &s);
	json_decref(errors);
	return err;
}

/* GET /<slug>/admin/tickets/performances/<id> */
enum mg_err catalog_admin_performance(struct mg_ctx *ctx)
{
	struct tickets_performance p;
	enum mg_err err = load_performance(ctx, &p);
	return err != MG_OK ? err : render_performance(ctx, 200, &p, NULL);
}

struct moved_performance {
	const struct tickets_performance *p;
	struct performance_input in;
	struct venue_taken taken;
};

/* New times and, unless it was cancelled, its occupation of the venue moved with them: the old
 * one released and the new one claimed in the same transaction (a move onto a taken evening
 * changes nothing). */
static enum mg_err move_performance(struct mg_db *db, struct mg_ctx *ctx, void *arg)
{
	struct moved_performance *m = arg;
	struct mg_dbval args[] = { MG_INT(m->in.starts_at),	time_value(m->in.doors_at),
				   MG_INT(m->in.sale_starts_at), MG_INT(m->in.sale_ends_at),
				   time_value(m->in.ends_at),	MG_INT(mg_tenant_id(ctx)),
				   MG_INT(m->p->id) };
	enum mg_err err = mg_db_exec(db, mg_arena(ctx), &tickets_statements[TICKETS_SQL_CATALOG_PERFORMANCE_UPDATE],
	                             args, 7, NULL, NULL, NULL);
	if (err == MG_OK)
		err = mg_calendar_release_owner(db, mg_arena(ctx), mg_tenant_id(ctx), "tickets.performance", m->p->id,
						NULL);
	if (err == MG_OK && !m->p->cancelled)
		err = occupy_venue(db, ctx, &m->p->event, m->p->id, &m->in, &m->taken);
	return err;
}

/* POST /<slug>/admin/tickets/performances/<id> — new times and sale window (the seats stay);
 * its occupation of the venue moves with it. */
enum mg_err catalog_admin_performance_update(struct mg_ctx *ctx)
{
	struct tickets_performance p;
	enum mg_err err = load_performance(ctx, &p);
	if (err != MG_OK)
		return err;
	struct moved_performance m = { &p, { 0 }, { 0 } };
	struct performance_input in = { 0 };
	json_t *errors = read_performance_form(ctx, &in);
	if (json_object_size(errors) > 0)
		return performance_problems(ctx, 422, &p, "edit", 0, errors, NULL);
	m.in = in;
	err = in_transaction(ctx, move_performance, &m);
	if (err == MG_ERR_CONFLICT && m.taken.taken) {
		json_object_set_new(errors, "starts_at", json_string(venue_taken_message(ctx, &p.event, &m.taken.conflict)));
		return performance_problems(ctx, 409, &p, "edit", 0, errors, N_("The venue is taken at that time."));
	}
	json_decref(errors);
	if (err != MG_OK)
		return err;
	struct mg_arena *a = mg_arena(ctx);
	mg_audit(ctx, "tickets.performance.update", catalog_object(ctx, "tickets_performance", p.id), "success",
		 mg_arena_printf(a, "starts %s, sale %s..%s", tickets_iso_utc(a, in.starts_at),
				 tickets_iso_utc(a, in.sale_starts_at), tickets_iso_utc(a, in.sale_ends_at)));
	return mg_redirect(ctx, 303, performance_href(ctx, p.id, ""));
}

struct cancelled_performance {
	uint64_t id;
	unsigned long long changed;
};

/* Cancelled, and its evening on the venue calendar freed, together. */
static enum mg_err cancel_performance(struct mg_db *db, struct mg_ctx *ctx, void *arg)
{
	struct cancelled_performance *c = arg;
	struct mg_dbval args[] = { MG_INT(mg_tenant_id(ctx)), MG_INT(c->id) };
	enum mg_err err = mg_db_exec(db, mg_arena(ctx), &tickets_statements[TICKETS_SQL_CATALOG_PERFORMANCE_CANCEL],
	                             args, 2, NULL, &c->changed, NULL);
	if (err == MG_OK && c->changed == 1)
		err = mg_calendar_release_owner(db, mg_arena(ctx), mg_tenant_id(ctx), "tickets.performance", c->id, NULL);
	return err;
}

/* POST /<slug>/admin/tickets/performances/<id>/cancel — nothing more is sold for it; orders
 * already made are refunded from the orders pages. */
enum mg_err catalog_admin_performance_cancel(struct mg_ctx *ctx)
{
	struct tickets_performance p;
	enum mg_err err = load_performance(ctx, &p);
	if (err != MG_OK)
		return err;
	struct cancelled_performance c = { p.id, 0 };
	if ((err = in_transaction(ctx, cancel_performance, &c)) != MG_OK)
		return err;
	if (c.changed != 1)
		return performance_problems(ctx, 409, &p, "cancel", 0, json_object(),
					    N_("This performance is already cancelled."));
	mg_audit(ctx, "tickets.performance.cancel", catalog_object(ctx, "tickets_performance", p.id), "success", NULL);
	return mg_redirect(ctx, 303, performance_href(ctx, p.id, ""));
}

/* ==== general-admission quotas ==== */

struct quota_input {
	const char *name, *price_category;
	unsigned long capacity;
};

static json_t *read_quota_form(struct mg_ctx *ctx, const struct tickets_event *ev, struct quota_input *in,
			       enum mg_err *err)
{
	json_t *errors = json_object();
	struct tickets_category *cats;
	size_t ncats;
	in->name = mg_form(ctx, "name");
	in->price_category = mg_form(ctx, "price_category");
	if ((*err = tickets_categories(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), ev, &cats, &ncats)) != MG_OK)
		return errors;
	if (ev->seated)
		catalog_field_error(ctx, errors, "name", N_("Reserved-seating events sell seats, not quotas."));
	if (!catalog_text_ok(in->name, NAME_CHARS))
		catalog_field_error(ctx, errors, "name", N_("Enter a name of up to 100 characters."));
	if (!catalog_parse_number(mg_form(ctx, "capacity"), MAX_CAPACITY, &in->capacity) || in->capacity < 1)
		catalog_field_error(ctx, errors, "capacity", N_("Enter a capacity from 1 to 100,000."));
	bool known = false;
	for (size_t i = 0; in->price_category != NULL && i < ncats; i++)
		known |= strcmp(cats[i].code, in->price_category) == 0;
	if (!known)
		catalog_field_error(ctx, errors, "price_category", N_("Choose one of the event's price categories."));
	return errors;
}

struct quota_change {
	uint64_t performance_id, id; /* id 0: a new quota */
	struct quota_input in;
	uint64_t taken; /* sold, held or blocked places when the capacity cannot go lower */
};

/* A new quota and its places 1..capacity. */
static enum mg_err insert_quota(struct mg_db *db, struct mg_ctx *ctx, void *arg)
{
	struct quota_change *q = arg;
	struct mg_dbval args[] = { MG_INT(mg_tenant_id(ctx)), MG_INT(q->performance_id), MG_TEXT(q->in.name),
				   MG_TEXT(q->in.price_category), MG_INT(q->in.capacity) };
	unsigned long long id = 0;
	enum mg_err err = mg_db_exec(db, mg_arena(ctx), &tickets_statements[TICKETS_SQL_CATALOG_QUOTA_INSERT], args, 5,
	                             NULL, NULL, &id);
	q->id = id;
	if (err != MG_OK)
		return err;
	return mg_inventory_add(db, mg_arena(ctx), mg_tenant_id(ctx), TICKETS_KIND_GA, q->id, 1, (uint32_t)q->in.capacity,
				MG_UNIT_FREE);
}

enum mg_err catalog_resize_units(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const char *kind,
				 uint64_t resource, uint32_t current, uint32_t wanted, uint64_t *taken)
{
	time_t now = mg_now();
	*taken = 0;
	if (wanted > current) {
		uint32_t last = 0;
		enum mg_err err = mg_inventory_last_unit(db, arena, tenant, kind, resource, &last);
		return err != MG_OK ? err : mg_inventory_add(db, arena, tenant, kind, resource, last + 1, wanted - current,
							     MG_UNIT_FREE);
	}
	if (wanted == current)
		return MG_OK;
	enum mg_err err = mg_inventory_remove_free(db, arena, tenant, kind, resource, current - wanted, now);
	if (err == MG_ERR_CONFLICT) {
		struct mg_unit_counts c;
		if (mg_inventory_counts(db, arena, tenant, kind, resource, now, &c) == MG_OK)
			*taken = c.held + c.sold + c.blocked;
	}
	return err;
}

/* A quota changed: its row locked first, so two changes of one quota never interleave. */
static enum mg_err update_quota(struct mg_db *db, struct mg_ctx *ctx, void *arg)
{
	struct quota_change *q = arg;
	struct mg_dbval key[] = { MG_INT(mg_tenant_id(ctx)), MG_INT(q->id) };
	struct mg_rows rows;
	enum mg_err err = mg_db_exec(db, mg_arena(ctx), &tickets_statements[TICKETS_SQL_CATALOG_QUOTA_LOCK], key, 2,
	                             &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	if (rows.nrows != 1)
		return MG_ERR_NOT_FOUND;
	uint32_t current = (uint32_t)strtoul(MG_CELL(&rows, 0, 0), NULL, 10);
	if ((err = catalog_resize_units(db, mg_arena(ctx), mg_tenant_id(ctx), TICKETS_KIND_GA, q->id, current,
					(uint32_t)q->in.capacity, &q->taken)) != MG_OK)
		return err;
	struct mg_dbval args[] = { MG_TEXT(q->in.name), MG_TEXT(q->in.price_category), MG_INT(q->in.capacity),
				   MG_INT(mg_tenant_id(ctx)), MG_INT(q->id) };
	return mg_db_exec(db, mg_arena(ctx), &tickets_statements[TICKETS_SQL_CATALOG_QUOTA_UPDATE], args, 5, NULL, NULL,
	                  NULL);
}

/* POST /<slug>/admin/tickets/performances/<id>/quotas — a GA quota and its places as units. */
enum mg_err catalog_admin_quota_add(struct mg_ctx *ctx)
{
	struct tickets_performance p;
	enum mg_err err = load_performance(ctx, &p);
	if (err != MG_OK)
		return err;
	struct quota_change q = { p.id, 0, { 0 }, 0 };
	json_t *errors = read_quota_form(ctx, &p.event, &q.in, &err);
	if (err != MG_OK || json_object_size(errors) > 0) {
		if (err != MG_OK) {
			json_decref(errors);
			return err;
		}
		return performance_problems(ctx, 422, &p, "quota_add", 0, errors, NULL);
	}
	json_decref(errors);
	if ((err = in_transaction(ctx, insert_quota, &q)) != MG_OK)
		return err;
	mg_audit(ctx, "tickets.quota.create", catalog_object(ctx, "tickets_ga_quota", q.id), "success",
		 mg_arena_printf(mg_arena(ctx), "performance %llu, capacity %lu", (unsigned long long)p.id, q.in.capacity));
	return mg_redirect(ctx, 303, performance_href(ctx, p.id, "#quotas"));
}

/* POST /<slug>/admin/tickets/quotas/<id> — name, price category, capacity (raising adds places;
 * lowering removes free ones and never goes below what is sold or held). */
enum mg_err catalog_admin_quota_update(struct mg_ctx *ctx)
{
	struct tickets_ga_quota quota;
	struct tickets_performance p;
	uint64_t id;
	enum mg_err err = mg_param_id(ctx, "id", &id);
	if (err != MG_OK ||
	    (err = tickets_ga_quota_load(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), id, mg_now(), &quota)) != MG_OK ||
	    (err = tickets_performance_load(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), quota.performance_id, &p)) !=
		    MG_OK)
		return err;
	struct quota_change q = { p.id, quota.id, { 0 }, 0 };
	json_t *errors = read_quota_form(ctx, &p.event, &q.in, &err);
	if (err != MG_OK) {
		json_decref(errors);
		return err;
	}
	if (json_object_size(errors) > 0)
		return performance_problems(ctx, 422, &p, "quota", quota.id, errors, NULL);
	err = in_transaction(ctx, update_quota, &q);
	if (err == MG_ERR_CONFLICT) {
		json_object_set_new(errors, "capacity",
				    json_string(catalog_message(ctx, N_("{n} places are sold, held or blocked: the capacity "
									 "cannot be lower than that."),
								"{n}", mg_arena_printf(mg_arena(ctx), "%llu",
										       (unsigned long long)q.taken))));
		mg_audit(ctx, "tickets.quota.update", catalog_object(ctx, "tickets_ga_quota", quota.id), "failure",
			 mg_arena_printf(mg_arena(ctx), "capacity %u -> %lu refused", quota.capacity, q.in.capacity));
		return performance_problems(ctx, 409, &p, "quota", quota.id, errors, NULL);
	}
	json_decref(errors);
	if (err != MG_OK)
		return err;
	mg_audit(ctx, "tickets.quota.update", catalog_object(ctx, "tickets_ga_quota", quota.id), "success",
		 mg_arena_printf(mg_arena(ctx), "capacity %u -> %lu", quota.capacity, q.in.capacity));
	return mg_redirect(ctx, 303, performance_href(ctx, p.id, "#quotas"));
}

/* ==== the fields the core checks first (lengths only: the handlers check the values, so
 * that every problem is shown next to its field with what was typed) ==== */

const struct mg_field catalog_event_fields[] = {
	{ "title", MG_FROM_FORM, NULL, false, 1000, N_("Event title"), MG_TEXT_RAW },
	{ "description", MG_FROM_FORM, NULL, false, 30000, N_("Description"), MG_TEXT_RAW },
	{ "venue_id", MG_FROM_FORM, NULL, false, 20, N_("Venue"), MG_TEXT_NFKC },
	{ "seat_map_id", MG_FROM_FORM, NULL, false, 20, N_("Seat map"), MG_TEXT_NFKC },
	{ "kind", MG_FROM_FORM, NULL, false, 20, N_("Kind"), MG_TEXT_NFKC },
	{ "per_order_limit", MG_FROM_FORM, NULL, false, 20, N_("Tickets per order"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};

/* The rows of the category table, numbered from 0 in the order shown: code_0, name_0, rank_0, … */
const struct mg_field catalog_categories_fields[] = {
	{ "code_*", MG_FROM_FORM, NULL, false, 64, N_("Category code"), MG_TEXT_NFKC },
	{ "name_*", MG_FROM_FORM, NULL, false, 500, N_("Display name"), MG_TEXT_RAW },
	{ "rank_*", MG_FROM_FORM, NULL, false, 20, N_("Rank"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};

/* The price grid: cat_<i> and type_<j> name its rows and columns, price_<i>_<j> is a cell in yen
 * ("2,500" and "２５００" are 2500). */
const struct mg_field catalog_prices_fields[] = {
	{ "cat_*", MG_FROM_FORM, NULL, false, 64, N_("Price category"), MG_TEXT_NFKC },
	{ "type_*", MG_FROM_FORM, MG_ID_PATTERN, false, 19, N_("Ticket type"), MG_TEXT_NFKC },
	{ "price_*", MG_FROM_FORM, NULL, false, 40, N_("Price (yen)"), MG_TEXT_AMOUNT },
	MG_FIELDS_END,
};

const struct mg_field catalog_state_fields[] = {
	{ "to", MG_FROM_FORM, "published|closed", true, 16, N_("New state"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};

const struct mg_field catalog_category_fields[] = {
	{ "code", MG_FROM_FORM, NULL, false, 64, N_("Category code"), MG_TEXT_NFKC },
	{ "name", MG_FROM_FORM, NULL, false, 500, N_("Display name"), MG_TEXT_RAW },
	{ "rank", MG_FROM_FORM, NULL, false, 20, N_("Rank"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};

const struct mg_field catalog_type_fields[] = {
	{ "name", MG_FROM_FORM, NULL, false, 500, N_("Ticket type name"), MG_TEXT_RAW },
	{ "sort_no", MG_FROM_FORM, NULL, false, 20, N_("Order"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};

const struct mg_field catalog_performance_fields[] = {
	{ "starts_at", MG_FROM_FORM, NULL, false, 40, N_("Starts"), MG_TEXT_NFKC },
	{ "doors_at", MG_FROM_FORM, NULL, false, 40, N_("Doors open"), MG_TEXT_NFKC },
	{ "ends_at", MG_FROM_FORM, NULL, false, 40, N_("Ends"), MG_TEXT_NFKC },
	{ "sale_starts_at", MG_FROM_FORM, NULL, false, 40, N_("Sale starts"), MG_TEXT_NFKC },
	{ "sale_ends_at", MG_FROM_FORM, NULL, false, 40, N_("Sale ends"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};

const struct mg_field catalog_quota_fields[] = {
	{ "name", MG_FROM_FORM, NULL, false, 500, N_("Quota name"), MG_TEXT_RAW },
	{ "capacity", MG_FROM_FORM, NULL, false, 20, N_("Capacity"), MG_TEXT_AMOUNT },
	{ "price_category", MG_FROM_FORM, NULL, false, 64, N_("Price category"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};
