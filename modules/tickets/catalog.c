/*
 * The catalogue's shared functions (see catalog.h): loading events and performances, their
 * sale state, the published list, categories, ticket types, prices, quotas, merchandise, local
 * times, and the tenant purge. The back office (catalog_admin.c, catalog_merch.c), the public
 * pages (catalog_public.c), the shop and the API all read the catalogue through these.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"

static time_t cell_time(const char *s)
{
	return s != NULL ? (time_t)strtoll(s, NULL, 10) : 0;
}

/* ---- events and performances ---- */

/* Columns of CATALOG_EVENT_COLUMNS. */
enum { E_ID, E_TITLE, E_DESCRIPTION, E_VENUE_ID, E_VENUE, E_ADDRESS, E_MAP_ID, E_MAP, E_SEATS, E_KIND, E_STATE, E_LIMIT };

static void event_from_row(const struct mg_rows *rows, size_t r, struct tickets_event *e)
{
	e->id = mg_cell_u64(MG_CELL(rows, r, E_ID));
	e->title = MG_CELL(rows, r, E_TITLE);
	e->description = MG_CELL(rows, r, E_DESCRIPTION);
	e->venue_id = mg_cell_u64(MG_CELL(rows, r, E_VENUE_ID));
	e->venue_name = MG_CELL(rows, r, E_VENUE);
	e->venue_address = MG_CELL(rows, r, E_ADDRESS);
	e->seat_map_id = mg_cell_u64(MG_CELL(rows, r, E_MAP_ID));
	e->seat_map_name = MG_CELL(rows, r, E_MAP);
	e->seat_count = (uint32_t)mg_cell_u64(MG_CELL(rows, r, E_SEATS));
	e->kind = MG_CELL(rows, r, E_KIND);
	e->seated = strcmp(e->kind, "seated") == 0;
	e->state = MG_CELL(rows, r, E_STATE);
	e->per_order_limit = (unsigned)mg_cell_u64(MG_CELL(rows, r, E_LIMIT));
}

enum mg_err tickets_event_load(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t id,
			       struct tickets_event *out)
{
	struct mg_dbval args[] = { MG_INT(tenant), MG_INT(id) };
	struct mg_rows rows;
	enum mg_err err =
	    mg_db_exec(db, arena, &tickets_statements[TICKETS_SQL_CATALOG_EVENT_GET], args, 2, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	if (rows.nrows != 1)
		return MG_ERR_NOT_FOUND;
	event_from_row(&rows, 0, out);
	return MG_OK;
}

/* Columns of CATALOG_PERFORMANCE_COLUMNS. */
enum { P_ID, P_EVENT, P_STARTS, P_DOORS, P_SALE_STARTS, P_SALE_ENDS, P_STATE, P_ENDS };

static void performance_from_row(const struct mg_rows *rows, size_t r, struct tickets_performance *p)
{
	p->id = mg_cell_u64(MG_CELL(rows, r, P_ID));
	p->event_id = mg_cell_u64(MG_CELL(rows, r, P_EVENT));
	p->starts_at = cell_time(MG_CELL(rows, r, P_STARTS));
	p->doors_at = cell_time(MG_CELL(rows, r, P_DOORS));
	p->sale_starts_at = cell_time(MG_CELL(rows, r, P_SALE_STARTS));
	p->sale_ends_at = cell_time(MG_CELL(rows, r, P_SALE_ENDS));
	p->cancelled = strcmp(MG_CELL(rows, r, P_STATE), "cancelled") == 0;
	p->ends_at = cell_time(MG_CELL(rows, r, P_ENDS));
}

enum mg_err tickets_venue_space(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t venue,
				uint64_t *space)
{
	struct mg_dbval args[] = { MG_INT(tenant), MG_INT(venue) };
	struct mg_rows rows;
	enum mg_err err =
	    mg_db_exec(db, arena, &tickets_statements[TICKETS_SQL_VENUE_SPACE_LOCK], args, 2, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	if (rows.nrows == 0)
		return MG_ERR_NOT_FOUND;
	*space = mg_cell_u64(MG_CELL(&rows, 0, 0));
	if (*space != 0)
		return MG_OK;
	struct mg_space hall = { .name = MG_CELL(&rows, 0, 1), .kind = "hall", .active = true };
	if ((err = mg_space_create(db, arena, tenant, &hall, space)) != MG_OK)
		return err;
	struct mg_dbval set[] = { MG_INT(*space), MG_INT(tenant), MG_INT(venue) };
	return mg_db_exec(db, arena, &tickets_statements[TICKETS_SQL_VENUE_SPACE_SET], set, 3, NULL, NULL, NULL);
}

enum mg_err tickets_performance_load(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t id,
				     struct tickets_performance *out)
{
	struct mg_dbval args[] = { MG_INT(tenant), MG_INT(id) };
	struct mg_rows rows;
	enum mg_err err =
	    mg_db_exec(db, arena, &tickets_statements[TICKETS_SQL_CATALOG_PERFORMANCE_GET], args, 2, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	if (rows.nrows != 1)
		return MG_ERR_NOT_FOUND;
	performance_from_row(&rows, 0, out);
	return tickets_event_load(db, arena, tenant, out->event_id, &out->event);
}

static const char *const sale_names[] = { "on_sale", "not_yet", "ended", "sold_out", "cancelled", "unlisted" };

const char *tickets_sale_name(enum tickets_sale sale)
{
	return (unsigned)sale < sizeof(sale_names) / sizeof(sale_names[0]) ? sale_names[sale] : "unlisted";
}

enum tickets_sale tickets_sale_window(const struct tickets_performance *p, time_t now)
{
	if (p->cancelled)
		return TICKETS_SALE_CANCELLED;
	if (strcmp(p->event.state, "draft") == 0)
		return TICKETS_SALE_UNLISTED;
	if (strcmp(p->event.state, "closed") == 0 || now >= p->sale_ends_at)
		return TICKETS_SALE_ENDED;
	if (now < p->sale_starts_at)
		return TICKETS_SALE_NOT_YET;
	return TICKETS_SALE_ON;
}

enum mg_err tickets_performance_free(struct mg_db *db, struct mg_arena *arena, uint64_t tenant,
				     const struct tickets_performance *p, time_t now, uint64_t *free_units)
{
	/* the units are the core's: a seat is a unit of the performance, a place one of a quota */
	if (p->event.seated)
		return mg_inventory_free_of(db, arena, tenant, TICKETS_KIND_SEAT, &p->id, 1, now, free_units);
	*free_units = 0;
	struct mg_dbval args[] = { MG_INT(tenant), MG_INT(p->id) };
	struct mg_rows rows;
	enum mg_err err =
	    mg_db_exec(db, arena, &tickets_statements[TICKETS_SQL_SALES_QUOTAS], args, 2, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	uint64_t *quotas = mg_arena_alloc(arena, (rows.nrows + 1) * sizeof(*quotas));
	if (quotas == NULL)
		return MG_ERR_NOMEM;
	for (size_t r = 0; r < rows.nrows; r++)
		quotas[r] = mg_cell_u64(MG_CELL(&rows, r, 0));
	return mg_inventory_free_of(db, arena, tenant, TICKETS_KIND_GA, quotas, rows.nrows, now, free_units);
}

enum mg_err tickets_performance_sale(struct mg_db *db, struct mg_arena *arena, uint64_t tenant,
				     const struct tickets_performance *p, time_t now, enum tickets_sale *out)
{
	*out = tickets_sale_window(p, now);
	if (*out != TICKETS_SALE_ON)
		return MG_OK;
	uint64_t free_units = 0;
	enum mg_err err = tickets_performance_free(db, arena, tenant, p, now, &free_units);
	if (err == MG_OK && free_units == 0)
		*out = TICKETS_SALE_SOLD_OUT;
	return err;
}

enum mg_err tickets_performances_of_event(struct mg_db *db, struct mg_arena *arena, uint64_t tenant,
					  const struct tickets_event *event, struct tickets_performance **out,
					  size_t *n)
{
	struct mg_dbval args[] = { MG_INT(tenant), MG_INT(event->id) };
	struct mg_rows rows;
	*out = NULL;
	*n = 0;
	enum mg_err err = mg_db_exec(db, arena, &tickets_statements[TICKETS_SQL_CATALOG_PERFORMANCES_OF_EVENT], args, 2,
	                             &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	*out = mg_arena_alloc(arena, (rows.nrows ? rows.nrows : 1) * sizeof(**out));
	for (size_t r = 0; r < rows.nrows; r++) {
		performance_from_row(&rows, r, &(*out)[r]);
		(*out)[r].event = *event;
	}
	*n = rows.nrows;
	return MG_OK;
}

static json_t *time_or_null(struct mg_arena *arena, time_t t)
{
	return t != 0 ? json_string(tickets_iso_utc(arena, t)) : json_null();
}

json_t *tickets_performance_json(struct mg_db *db, struct mg_arena *arena, uint64_t tenant,
				 const struct tickets_performance *p, time_t now, enum mg_err *err)
{
	enum tickets_sale sale = tickets_sale_window(p, now);
	uint64_t free_units = 0;
	*err = MG_OK;
	if (!p->cancelled && (*err = tickets_performance_free(db, arena, tenant, p, now, &free_units)) != MG_OK)
		return NULL;
	if (sale == TICKETS_SALE_ON && free_units == 0)
		sale = TICKETS_SALE_SOLD_OUT;
	return json_pack("{s:I, s:s, s:o, s:s, s:s, s:s, s:I}", "id", (json_int_t)p->id, "starts_at",
			 tickets_iso_utc(arena, p->starts_at), "doors_at", time_or_null(arena, p->doors_at),
			 "sale_starts_at", tickets_iso_utc(arena, p->sale_starts_at), "sale_ends_at",
			 tickets_iso_utc(arena, p->sale_ends_at), "sale", tickets_sale_name(sale), "free",
			 (json_int_t)free_units);
}

static json_t *event_json(const struct tickets_event *e)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:{s:I, s:s, s:s}, s:i, s:[]}", "id", (json_int_t)e->id, "title",
			 e->title, "description", e->description, "kind", e->kind, "venue", "id",
			 (json_int_t)e->venue_id, "name", e->venue_name, "address", e->venue_address, "per_order_limit",
			 (int)e->per_order_limit, "performances");
}

json_t *tickets_published_events(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, time_t now,
				 enum mg_err *err)
{
	struct mg_dbval args[] = { MG_INT(tenant) };
	struct mg_rows events, performances;
	if ((*err = mg_db_exec(db, arena, &tickets_statements[TICKETS_SQL_CATALOG_EVENT_PUBLISHED], args, 1, &events,
	                       NULL, NULL)) != MG_OK)
		return NULL;
	struct mg_dbval coming[] = { MG_INT(tenant), MG_INT(now) };
	if ((*err = mg_db_exec(db, arena, &tickets_statements[TICKETS_SQL_CATALOG_PERFORMANCES_COMING], coming, 2,
	                       &performances, NULL, NULL)) != MG_OK)
		return NULL;
	json_t *list = json_array();
	for (size_t r = 0; r < events.nrows; r++) {
		struct tickets_event e;
		event_from_row(&events, r, &e);
		json_t *item = event_json(&e);
		json_t *dates = json_object_get(item, "performances");
		for (size_t q = 0; q < performances.nrows; q++) {
			struct tickets_performance p;
			performance_from_row(&performances, q, &p);
			if (p.event_id != e.id)
				continue;
			p.event = e;
			json_t *date = tickets_performance_json(db, arena, tenant, &p, now, err);
			if (date == NULL) {
				json_decref(item);
				json_decref(list);
				return NULL;
			}
			json_array_append_new(dates, date);
		}
		json_array_append_new(list, item);
	}
	return list;
}

/* ---- categories, ticket types, prices ---- */

enum mg_err tickets_categories(struct mg_db *db, struct mg_arena *arena, uint64_t tenant,
			       const struct tickets_event *event, struct tickets_category **out, size_t *n)
{
	struct mg_dbval args[] = { MG_INT(tenant), MG_INT(event->id) };
	struct mg_rows named, codes = { 0 };
	*out = NULL;
	*n = 0;
	enum mg_err err =
	    mg_db_exec(db, arena, &tickets_statements[TICKETS_SQL_CATALOG_CATEGORY_LIST], args, 2, &named, NULL, NULL);
	if (err != MG_OK)
		return err;
	if (event->seated) {
		struct mg_dbval map[] = { MG_INT(tenant), MG_INT(event->seat_map_id) };
		if ((err = mg_db_exec(db, arena, &tickets_statements[TICKETS_SQL_CATALOG_MAP_CATEGORIES], map, 2,
		                      &codes, NULL, NULL)) != MG_OK)
			return err;
	}
	size_t max = named.nrows + codes.nrows;
	struct tickets_category *list = mg_arena_alloc(arena, (max ? max : 1) * sizeof(*list));
	size_t count = 0;
	/* the named ones in their rank order; for a seated event only codes the map still has */
	for (size_t r = 0; r < named.nrows; r++) {
		const char *code = MG_CELL(&named, r, 0);
		uint32_t seats = 0;
		bool in_map = !event->seated;
		for (size_t c = 0; c < codes.nrows; c++)
			if (strcmp(MG_CELL(&codes, c, 0), code) == 0) {
				in_map = true;
				seats = (uint32_t)mg_cell_u64(MG_CELL(&codes, c, 1));
			}
		if (!in_map)
			continue;
		list[count++] = (struct tickets_category){ code, MG_CELL(&named, r, 1),
							   (unsigned)mg_cell_u64(MG_CELL(&named, r, 2)), seats };
	}
	/* then the map's codes nobody named yet, ranked after the rest */
	for (size_t c = 0; c < codes.nrows; c++) {
		const char *code = MG_CELL(&codes, c, 0);
		bool named_already = false;
		for (size_t r = 0; r < named.nrows && !named_already; r++)
			named_already = strcmp(MG_CELL(&named, r, 0), code) == 0;
		if (named_already)
			continue;
		list[count] = (struct tickets_category){ code, code, (unsigned)(count + 1),
							 (uint32_t)mg_cell_u64(MG_CELL(&codes, c, 1)) };
		count++;
	}
	*out = list;
	*n = count;
	return MG_OK;
}

enum mg_err tickets_ticket_types(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t event_id,
				 struct tickets_ticket_type **out, size_t *n)
{
	struct mg_dbval args[] = { MG_INT(tenant), MG_INT(event_id) };
	struct mg_rows rows;
	*out = NULL;
	*n = 0;
	enum mg_err err =
	    mg_db_exec(db, arena, &tickets_statements[TICKETS_SQL_CATALOG_TYPE_LIST], args, 2, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	*out = mg_arena_alloc(arena, (rows.nrows ? rows.nrows : 1) * sizeof(**out));
	for (size_t r = 0; r < rows.nrows; r++)
		(*out)[r] = (struct tickets_ticket_type){ mg_cell_u64(MG_CELL(&rows, r, 0)), MG_CELL(&rows, r, 1),
							  (unsigned)mg_cell_u64(MG_CELL(&rows, r, 2)) };
	*n = rows.nrows;
	return MG_OK;
}

enum mg_err tickets_price(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t event_id,
			  const char *category, uint64_t ticket_type_id, unsigned *yen)
{
	struct mg_dbval args[] = { MG_INT(tenant), MG_INT(event_id), MG_TEXT(category), MG_INT(ticket_type_id) };
	struct mg_rows rows;
	enum mg_err err =
	    mg_db_exec(db, arena, &tickets_statements[TICKETS_SQL_CATALOG_PRICE_GET], args, 4, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	if (rows.nrows != 1)
		return MG_ERR_NOT_FOUND;
	*yen = (unsigned)mg_cell_u64(MG_CELL(&rows, 0, 0));
	return MG_OK;
}

enum mg_err tickets_prices(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t event_id,
			   struct tickets_price_cell **out, size_t *n)
{
	struct mg_dbval args[] = { MG_INT(tenant), MG_INT(event_id) };
	struct mg_rows rows;
	*out = NULL;
	*n = 0;
	enum mg_err err =
	    mg_db_exec(db, arena, &tickets_statements[TICKETS_SQL_CATALOG_PRICE_LIST], args, 2, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	*out = mg_arena_alloc(arena, (rows.nrows ? rows.nrows : 1) * sizeof(**out));
	for (size_t r = 0; r < rows.nrows; r++)
		(*out)[r] = (struct tickets_price_cell){ MG_CELL(&rows, r, 0), mg_cell_u64(MG_CELL(&rows, r, 1)),
							 (unsigned)mg_cell_u64(MG_CELL(&rows, r, 2)) };
	*n = rows.nrows;
	return MG_OK;
}

/* ---- general-admission quotas ---- */

static enum mg_err quota_from_row(struct mg_db *db, struct mg_arena *arena, uint64_t tenant,
				  const struct mg_rows *rows, size_t r, time_t now, struct tickets_ga_quota *q)
{
	q->id = mg_cell_u64(MG_CELL(rows, r, 0));
	q->performance_id = mg_cell_u64(MG_CELL(rows, r, 1));
	q->name = MG_CELL(rows, r, 2);
	q->price_category = MG_CELL(rows, r, 3);
	q->capacity = (uint32_t)mg_cell_u64(MG_CELL(rows, r, 4));
	return mg_inventory_counts(db, arena, tenant, TICKETS_KIND_GA, q->id, now, &q->counts);
}

enum mg_err tickets_ga_quotas(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t performance_id,
			      time_t now, struct tickets_ga_quota **out, size_t *n)
{
	struct mg_dbval args[] = { MG_INT(tenant), MG_INT(performance_id) };
	struct mg_rows rows;
	*out = NULL;
	*n = 0;
	enum mg_err err =
	    mg_db_exec(db, arena, &tickets_statements[TICKETS_SQL_CATALOG_QUOTA_LIST], args, 2, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	*out = mg_arena_alloc(arena, (rows.nrows ? rows.nrows : 1) * sizeof(**out));
	for (size_t r = 0; r < rows.nrows; r++)
		if ((err = quota_from_row(db, arena, tenant, &rows, r, now, &(*out)[r])) != MG_OK)
			return err;
	*n = rows.nrows;
	return MG_OK;
}

enum mg_err tickets_ga_quota_load(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t id,
				  time_t now, struct tickets_ga_quota *out)
{
	struct mg_dbval args[] = { MG_INT(tenant), MG_INT(id) };
	struct mg_rows rows;
	enum mg_err err =
	    mg_db_exec(db, arena, &tickets_statements[TICKETS_SQL_CATALOG_QUOTA_GET], args, 2, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	if (rows.nrows != 1)
		return MG_ERR_NOT_FOUND;
	return quota_from_row(db, arena, tenant, &rows, 0, now, out);
}

/* ---- merchandise ---- */

static enum mg_err merch_from_row(struct mg_db *db, struct mg_arena *arena, uint64_t tenant,
				  const struct mg_rows *rows, size_t r, time_t now, struct tickets_merch *m)
{
	m->id = mg_cell_u64(MG_CELL(rows, r, 0));
	m->event_id = mg_cell_u64(MG_CELL(rows, r, 1));
	m->event_title = MG_CELL(rows, r, 2);
	m->name = MG_CELL(rows, r, 3);
	m->price = (unsigned)mg_cell_u64(MG_CELL(rows, r, 4));
	m->stock = (uint32_t)mg_cell_u64(MG_CELL(rows, r, 5));
	m->withdrawn = strcmp(MG_CELL(rows, r, 6), "withdrawn") == 0;
	return mg_inventory_counts(db, arena, tenant, TICKETS_KIND_MERCH, m->id, now, &m->counts);
}

static enum mg_err merch_rows(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const struct mg_rows *rows,
			      time_t now, struct tickets_merch **out, size_t *n)
{
	*out = mg_arena_alloc(arena, (rows->nrows ? rows->nrows : 1) * sizeof(**out));
	*n = 0;
	for (size_t r = 0; r < rows->nrows; r++) {
		enum mg_err err = merch_from_row(db, arena, tenant, rows, r, now, &(*out)[r]);
		if (err != MG_OK)
			return err;
	}
	*n = rows->nrows;
	return MG_OK;
}

enum mg_err tickets_merch_on_sale(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t event_id,
				  time_t now, struct tickets_merch **out, size_t *n)
{
	struct mg_dbval args[] = { MG_INT(tenant), MG_INT(event_id), MG_INT(event_id) };
	struct mg_rows rows;
	*out = NULL;
	*n = 0;
	enum mg_err err =
	    mg_db_exec(db, arena, &tickets_statements[TICKETS_SQL_CATALOG_MERCH_ON_SALE], args, 3, &rows, NULL, NULL);
	return err != MG_OK ? err : merch_rows(db, arena, tenant, &rows, now, out, n);
}

/* Every item of the tenant, withdrawn ones last (the back office). */
enum mg_err catalog_merch_all(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, time_t now,
			      struct tickets_merch **out, size_t *n)
{
	struct mg_dbval args[] = { MG_INT(tenant) };
	struct mg_rows rows;
	*out = NULL;
	*n = 0;
	enum mg_err err =
	    mg_db_exec(db, arena, &tickets_statements[TICKETS_SQL_CATALOG_MERCH_LIST], args, 1, &rows, NULL, NULL);
	return err != MG_OK ? err : merch_rows(db, arena, tenant, &rows, now, out, n);
}

enum mg_err tickets_merch_load(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t id, time_t now,
			       struct tickets_merch *out)
{
	struct mg_dbval args[] = { MG_INT(tenant), MG_INT(id) };
	struct mg_rows rows;
	enum mg_err err =
	    mg_db_exec(db, arena, &tickets_statements[TICKETS_SQL_CATALOG_MERCH_GET], args, 2, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	if (rows.nrows != 1)
		return MG_ERR_NOT_FOUND;
	return merch_from_row(db, arena, tenant, &rows, 0, now, out);
}

/* ---- what the catalogue's pages share ---- */

const char *catalog_typed(struct mg_ctx *ctx, const char *name)
{
	const char *v = mg_form(ctx, name);
	return v != NULL ? v : "";
}

const char *catalog_object(struct mg_ctx *ctx, const char *table, uint64_t id)
{
	return mg_arena_printf(mg_arena(ctx), "%s:%llu", table, (unsigned long long)id);
}

const char *catalog_message(struct mg_ctx *ctx, const char *msgid, const char *placeholder, const char *value)
{
	const char *text = mg_tr(ctx, msgid);
	const char *at = strstr(text, placeholder);
	if (at == NULL)
		return text;
	return mg_arena_printf(mg_arena(ctx), "%.*s%s%s", (int)(at - text), text, value, at + strlen(placeholder));
}

void catalog_field_error(struct mg_ctx *ctx, json_t *errors, const char *field, const char *msgid)
{
	if (json_object_get(errors, field) == NULL) /* the first problem of a field is the one shown */
		json_object_set_new(errors, field, json_string(mg_tr(ctx, msgid)));
}

/* ---- the purge ---- */

/* Every tickets_* table, children before parents. tests/http/test_tickets_catalog.py checks
 * that every tickets_* table with a tenant_id column is here. */
static const struct mg_sql *const purge_statements[] = {
	&tickets_statements[TICKETS_SQL_PURGE_TICKET],
	&tickets_statements[TICKETS_SQL_PURGE_MERCH],
	&tickets_statements[TICKETS_SQL_PURGE_GA_QUOTA],
	&tickets_statements[TICKETS_SQL_PURGE_PRICE],
	&tickets_statements[TICKETS_SQL_PURGE_TICKET_TYPE],
	&tickets_statements[TICKETS_SQL_PURGE_CATEGORY],
	&tickets_statements[TICKETS_SQL_PURGE_PERFORMANCE],
	&tickets_statements[TICKETS_SQL_PURGE_EVENT],
	&tickets_statements[TICKETS_SQL_PURGE_SEAT],
	&tickets_statements[TICKETS_SQL_PURGE_SEAT_MAP],
	&tickets_statements[TICKETS_SQL_PURGE_VENUE],
};

enum mg_err tickets_purge(struct mg_db *db, uint64_t tenant_id)
{
	struct mg_arena *arena = mg_arena_new();
	enum mg_err err = MG_OK;
	for (size_t i = 0; err == MG_OK && i < sizeof(purge_statements) / sizeof(purge_statements[0]); i++) {
		/* small batches: no long lock on a big table while the tenant's rows go */
		unsigned long long affected = 1000;
		while (err == MG_OK && affected == 1000) {
			struct mg_dbval args[] = { MG_INT(tenant_id) };
			err = mg_db_exec(db, arena, purge_statements[i], args, 1, NULL, &affected, NULL);
			mg_arena_reset(arena);
		}
		if (err != MG_OK)
			mg_log_error("tickets: purging tenant %llu stopped at %s: %s", (unsigned long long)tenant_id,
				     purge_statements[i]->name, mg_strerror(err));
	}
	mg_arena_free(arena);
	return err;
}
