/*
 * Public browsing, no login: /<slug>/tickets lists the published events with their coming
 * performances; /<slug>/tickets/events/<id> shows one with its venue, performances (on sale,
 * not yet on sale, sale ended, sold out, cancelled), prices per category and ticket type, and
 * the merchandise sold with it. A performance on sale links to the shop's page for it
 * (/<slug>/tickets/performances/<id>). Drafts are not shown: their address answers 404.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"

/* A time of tickets_performance_json ("2026-05-01T09:30:00Z") back as seconds; 0 for null. */
static time_t iso_time(json_t *value)
{
	const char *text = json_string_value(value);
	struct tm tm = { 0 };
	if (text == NULL || sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
				   &tm.tm_min, &tm.tm_sec) != 6)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm);
}

/* The display fields of a performance of tickets_performance_json, for the pages: local times
 * in the reader's language and the link to the shop's page. */
static void decorate_performance(struct mg_ctx *ctx, json_t *p)
{
	struct mg_arena *a = mg_arena(ctx);
	time_t doors = iso_time(json_object_get(p, "doors_at"));
	json_object_set_new(p, "when", json_string(mg_time_text(ctx, iso_time(json_object_get(p, "starts_at")), MG_TZ_PEOPLE)));
	if (doors != 0)
		json_object_set_new(p, "doors", json_string(mg_time_text(ctx, doors, MG_TZ_PEOPLE)));
	json_object_set_new(p, "sale_from",
			    json_string(mg_time_text(ctx, iso_time(json_object_get(p, "sale_starts_at")), MG_TZ_PEOPLE)));
	json_object_set_new(p, "sale_until",
			    json_string(mg_time_text(ctx, iso_time(json_object_get(p, "sale_ends_at")), MG_TZ_PEOPLE)));
	json_object_set_new(p, "href", json_string(mg_arena_printf(a, "/%s/tickets/performances/%lld", mg_tenant_slug(ctx),
								   (long long)json_integer_value(json_object_get(p, "id")))));
}

/* Links and display fields for the list; each event shows its next three performances. */
static void decorate_list(struct mg_ctx *ctx, json_t *events)
{
	size_t i, j;
	json_t *event, *p;
	json_array_foreach(events, i, event) {
		json_t *all = json_object_get(event, "performances"), *next = json_array();
		json_object_set_new(event, "href",
				    json_string(mg_arena_printf(mg_arena(ctx), "/%s/tickets/events/%lld", mg_tenant_slug(ctx),
								(long long)json_integer_value(json_object_get(event, "id")))));
		json_array_foreach(all, j, p) {
			decorate_performance(ctx, p);
			if (j < 3)
				json_array_append(next, p);
		}
		json_object_set_new(event, "next", next);
		json_object_set_new(event, "more", json_boolean(json_array_size(all) > 3));
	}
}

/* GET /<slug>/tickets — the published events and their next performances. */
enum mg_err catalog_public_events(struct mg_ctx *ctx)
{
	enum mg_err err;
	json_t *events = tickets_published_events(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), mg_now(), &err);
	if (events == NULL)
		return err;
	decorate_list(ctx, events);
	json_t *data = json_pack("{s:s, s:o, s:s}", "page_title", mg_tr(ctx, N_("Tickets")), "events", events, "home",
				 mg_arena_printf(mg_arena(ctx), "/%s/", mg_tenant_slug(ctx)));
	return mg_render(ctx, 200, "tickets/public_events", data);
}

/* The price grid as rows of categories with one cell per ticket type ("" when not sold). */
static enum mg_err price_table(struct mg_ctx *ctx, const struct tickets_event *ev, json_t *data)
{
	struct mg_db *db = mg_ctx_db(ctx);
	struct mg_arena *a = mg_arena(ctx);
	struct tickets_category *cats;
	struct tickets_ticket_type *types;
	struct tickets_price_cell *prices;
	size_t ncats, ntypes, nprices;
	enum mg_err err;
	if ((err = tickets_categories(db, a, mg_tenant_id(ctx), ev, &cats, &ncats)) != MG_OK ||
	    (err = tickets_ticket_types(db, a, mg_tenant_id(ctx), ev->id, &types, &ntypes)) != MG_OK ||
	    (err = tickets_prices(db, a, mg_tenant_id(ctx), ev->id, &prices, &nprices)) != MG_OK)
		return err;
	json_t *head = json_array(), *rows = json_array();
	for (size_t j = 0; j < ntypes; j++)
		json_array_append_new(head, json_pack("{s:s}", "name", types[j].name));
	for (size_t i = 0; i < ncats; i++) {
		json_t *cells = json_array();
		bool any = false;
		for (size_t j = 0; j < ntypes; j++) {
			const char *yen = NULL;
			for (size_t k = 0; k < nprices; k++)
				if (prices[k].ticket_type_id == types[j].id && strcmp(prices[k].category, cats[i].code) == 0)
					yen = mg_arena_thousands(a, prices[k].yen);
			any |= yen != NULL;
			json_array_append_new(cells, json_pack("{s:s*}", "yen", yen));
		}
		if (any) /* a category nothing is sold in is not worth a row */
			json_array_append_new(rows, json_pack("{s:s, s:o}", "name", cats[i].name, "cells", cells));
		else
			json_decref(cells);
	}
	json_object_set_new(data, "prices", json_pack("{s:o, s:o}", "head", head, "rows", rows));
	return MG_OK;
}

static enum mg_err merch_list(struct mg_ctx *ctx, const struct tickets_event *ev, json_t *data)
{
	struct tickets_merch *items;
	size_t n;
	enum mg_err err = tickets_merch_on_sale(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), ev->id, mg_now(), &items, &n);
	if (err != MG_OK)
		return err;
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:b}", "name", items[i].name, "price",
						      mg_arena_thousands(mg_arena(ctx), items[i].price), "sold_out",
						      items[i].counts.free == 0));
	json_object_set_new(data, "merch", list);
	return MG_OK;
}

/* The description as its lines (the page shows each as a paragraph; markup stays text). */
static json_t *paragraphs(const char *text)
{
	json_t *list = json_array();
	while (text != NULL && *text != '\0') {
		size_t len = strcspn(text, "\r\n");
		json_array_append_new(list, json_stringn(text, len));
		text += len;
		text += strspn(text, "\r\n");
	}
	return list;
}

/* GET /<slug>/tickets/events/<id> — one event for buyers (published or closed; never a draft). */
enum mg_err catalog_public_event(struct mg_ctx *ctx)
{
	struct mg_db *db = mg_ctx_db(ctx);
	struct mg_arena *a = mg_arena(ctx);
	struct tickets_event ev;
	uint64_t id;
	enum mg_err err = mg_param_id(ctx, "id", &id);
	if (err != MG_OK || (err = tickets_event_load(db, a, mg_tenant_id(ctx), id, &ev)) != MG_OK)
		return err;
	if (strcmp(ev.state, "draft") == 0)
		return MG_ERR_NOT_FOUND;
	struct tickets_performance *list;
	size_t n;
	time_t now = mg_now();
	if ((err = tickets_performances_of_event(db, a, mg_tenant_id(ctx), &ev, &list, &n)) != MG_OK)
		return err;
	json_t *performances = json_array();
	for (size_t i = 0; i < n; i++) {
		if (list[i].starts_at < now) /* past dates are of no use to a buyer */
			continue;
		json_t *p = tickets_performance_json(db, a, mg_tenant_id(ctx), &list[i], now, &err);
		if (p == NULL) {
			json_decref(performances);
			return err;
		}
		decorate_performance(ctx, p);
		json_array_append_new(performances, p);
	}
	json_t *data = json_pack("{s:s, s:{s:s, s:o, s:s, s:s, s:b, s:i}, s:o, s:s}", "page_title", ev.title, "event",
				 "title", ev.title, "description", paragraphs(ev.description), "venue", ev.venue_name, "address",
				 ev.venue_address, "closed", strcmp(ev.state, "closed") == 0, "per_order_limit",
				 (int)ev.per_order_limit, "performances", performances, "list_href",
				 mg_arena_printf(a, "/%s/tickets", mg_tenant_slug(ctx)));
	if ((err = price_table(ctx, &ev, data)) != MG_OK || (err = merch_list(ctx, &ev, data)) != MG_OK) {
		json_decref(data);
		return err;
	}
	return mg_render(ctx, 200, "tickets/public_event", data);
}
