/*
 * A performance's buying page (see web.h): the seat map with the states of now and a checkbox
 * picker, "best available", general-admission quantities and merchandise, each a small form
 * that puts something in the buyer's cart through the shop's functions (shop_hold_seats,
 * shop_hold_places) or the core cart (merchandise), then goes to the cart. A seat someone else
 * took meanwhile brings the picker back naming it, with nothing held and the other choices
 * still ticked.
 */
#include <stdlib.h>
#include <string.h>

#include "best_available.h"
#include "catalog.h"
#include "seatmap.h"
#include "web.h"

enum {
	SECTION_PAGING_SEATS = 300, /* a map with more seats shows its picker a section at a time */
	QUANTITY_CHOICES = 10,      /* a quantity menu offers at most this many */
	BEST_ATTEMPTS = 5,          /* blocks tried when others keep taking them first */
};

/* What a render of the page shows besides the performance. */
struct pick_page {
	struct tickets_performance perf;
	enum tickets_sale sale;
	const char *section;   /* the picker's section ("" : the first, or every one on a small map) */
	const uint32_t *keep;  /* seats chosen but not held (after a conflict): still ticked */
	size_t nkeep;
	const char *problem;   /* translated, shown at the top */
	const char *form;      /* which form the problem is about: "seats", "best", "places", "merch" */
	uint64_t type_id;      /* the ticket type chosen last */
	const char *category;  /* best available: as chosen */
	unsigned quantity;
};

const struct mg_field web_performance_query[] = {
	{ "section", MG_FROM_QUERY, NULL, false, 200, N_("Section"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};

const struct mg_field web_seat_fields[] = {
	{ "seat", MG_FROM_FORM, "[0-9]{1,9}", false, 9, N_("Seat"), MG_TEXT_NFKC },
	{ "had", MG_FROM_FORM, "[0-9]{1,9}", false, 9, N_("Seat"), MG_TEXT_NFKC },
	{ "ticket_type", MG_FROM_FORM, MG_ID_PATTERN, false, 18, N_("Ticket type"), MG_TEXT_NFKC },
	{ "section", MG_FROM_FORM, NULL, false, 200, N_("Section"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};

const struct mg_field web_best_fields[] = {
	{ "category", MG_FROM_FORM, NULL, false, 16, N_("Category"), MG_TEXT_NFKC },
	{ "quantity", MG_FROM_FORM, "[0-9]{1,2}", true, 2, N_("Number of seats"), MG_TEXT_NFKC },
	{ "ticket_type", MG_FROM_FORM, MG_ID_PATTERN, false, 18, N_("Ticket type"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};

const struct mg_field web_place_fields[] = {
	{ "quota", MG_FROM_FORM, MG_ID_PATTERN, true, 18, N_("Admission"), MG_TEXT_NFKC },
	{ "quantity", MG_FROM_FORM, "[0-9]{1,2}", true, 2, N_("Number of tickets"), MG_TEXT_NFKC },
	{ "ticket_type", MG_FROM_FORM, MG_ID_PATTERN, false, 18, N_("Ticket type"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};

const struct mg_field web_merch_fields[] = {
	{ "item", MG_FROM_FORM, MG_ID_PATTERN, true, 18, N_("Item"), MG_TEXT_NFKC },
	{ "quantity", MG_FROM_FORM, "[0-9]{1,2}", true, 2, N_("Quantity"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};

/* An optional id of the form, 0 when not given: its pattern (MG_ID_PATTERN) was checked before
 * the handler ran, so a value that is there parses. */
static uint64_t form_id(struct mg_ctx *ctx, const char *name)
{
	uint64_t id;
	return mg_form_id(ctx, name, &id) == MG_OK ? id : 0;
}

/* A count of the form ("quantity", checked by its pattern), 0 when not given. */
static unsigned form_count(struct mg_ctx *ctx, const char *name)
{
	const char *v = mg_form(ctx, name);
	return v != NULL ? (unsigned)strtoul(v, NULL, 10) : 0;
}

/* The performance of the route, of a listed event; MG_ERR_NOT_FOUND otherwise. */
static enum mg_err load_performance(struct mg_ctx *ctx, struct pick_page *page)
{
	uint64_t id;
	enum mg_err err = mg_param_id(ctx, "id", &id);
	if (err != MG_OK || (err = tickets_performance_load(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), id,
							     &page->perf)) != MG_OK)
		return err;
	if (tickets_sale_window(&page->perf, mg_now()) == TICKETS_SALE_UNLISTED)
		return MG_ERR_NOT_FOUND;
	return tickets_performance_sale(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), &page->perf, mg_now(),
					&page->sale);
}

/* Why nothing of this performance can be bought now (a msgid), or NULL. */
static const char *not_on_sale(enum tickets_sale sale)
{
	switch (sale) {
	case TICKETS_SALE_ON:
		return NULL;
	case TICKETS_SALE_NOT_YET:
		return N_("Sales for this performance have not started yet.");
	case TICKETS_SALE_SOLD_OUT:
		return N_("This performance is sold out.");
	case TICKETS_SALE_CANCELLED:
		return N_("This performance has been cancelled.");
	default:
		return N_("Sales for this performance have ended.");
	}
}

/* The seats of this performance in the buyer's cart (may be none). */
static void cart_seats(struct mg_ctx *ctx, uint64_t performance, uint32_t **seats, size_t *n, size_t *items)
{
	*seats = NULL;
	*n = *items = 0;
	const char *token = web_cart_token(ctx);
	struct mg_cart_view v;
	if (token == NULL || mg_cart_get(ctx, token, &v) != MG_OK)
		return;
	*items = v.n;
	*seats = mg_arena_alloc(mg_arena(ctx), (v.n + 1) * sizeof(**seats));
	for (size_t i = 0; i < v.n; i++)
		if (strcmp(v.items[i].kind, TICKETS_KIND_SEAT) == 0 && v.items[i].resource == performance)
			(*seats)[(*n)++] = v.items[i].unit;
}

static bool listed(const uint32_t *list, size_t n, uint32_t value)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == value)
			return true;
	return false;
}

/* 1..max (at most QUANTITY_CHOICES) for a quantity menu, `chosen` selected. */
static json_t *quantities(unsigned max, unsigned chosen)
{
	json_t *list = json_array();
	if (max > QUANTITY_CHOICES)
		max = QUANTITY_CHOICES;
	for (unsigned q = 1; q <= max; q++)
		json_array_append_new(list, json_pack("{s:i, s:b}", "value", (int)q, "selected", q == chosen));
	return list;
}

static enum mg_err ticket_types_json(struct mg_ctx *ctx, const struct pick_page *page, json_t *data)
{
	struct tickets_ticket_type *types;
	size_t n;
	enum mg_err err = tickets_ticket_types(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), page->perf.event.id,
					       &types, &n);
	if (err != MG_OK)
		return err;
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, json_pack("{s:I, s:s, s:b}", "id", (json_int_t)types[i].id, "name",
						      types[i].name, "selected", types[i].id == page->type_id));
	json_object_set_new(data, "types", list);
	return MG_OK;
}

/* The prices as "category: ¥ per type" lines. */
static enum mg_err prices_json(struct mg_ctx *ctx, const struct pick_page *page, json_t *data)
{
	struct mg_arena *a = mg_arena(ctx);
	struct tickets_category *cats;
	struct tickets_ticket_type *types;
	struct tickets_price_cell *cells;
	size_t ncats, ntypes, ncells;
	enum mg_err err;
	if ((err = tickets_categories(mg_ctx_db(ctx), a, mg_tenant_id(ctx), &page->perf.event, &cats, &ncats)) != MG_OK ||
	    (err = tickets_ticket_types(mg_ctx_db(ctx), a, mg_tenant_id(ctx), page->perf.event.id, &types, &ntypes)) !=
		    MG_OK ||
	    (err = tickets_prices(mg_ctx_db(ctx), a, mg_tenant_id(ctx), page->perf.event.id, &cells, &ncells)) != MG_OK)
		return err;
	json_t *rows = json_array(), *best = json_array();
	for (size_t c = 0; c < ncats; c++) {
		json_t *list = json_array();
		for (size_t t = 0; t < ntypes; t++)
			for (size_t k = 0; k < ncells; k++)
				if (cells[k].ticket_type_id == types[t].id && strcmp(cells[k].category, cats[c].code) == 0)
					json_array_append_new(list, json_pack("{s:s, s:s}", "type", types[t].name, "yen",
									      mg_arena_thousands(a, cells[k].yen)));
		if (json_array_size(list) == 0) {
			json_decref(list);
			continue;
		}
		json_array_append_new(rows, json_pack("{s:s, s:o}", "category", cats[c].name, "prices", list));
		if (cats[c].seats > 0)
			json_array_append_new(best, json_pack("{s:s, s:s, s:b}", "code", cats[c].code, "name", cats[c].name,
							      "selected", page->category != NULL &&
									  strcmp(page->category, cats[c].code) == 0));
	}
	json_object_set_new(data, "prices", rows);
	json_object_set_new(data, "categories", best);
	return MG_OK;
}

/* The picker of a big map shows one section: the asked one if it exists, else the first. */
static const char *shown_section(const struct tickets_map *map, const char *asked)
{
	if (map->map.nseats <= SECTION_PAGING_SEATS)
		return NULL;
	const char *first = NULL;
	for (size_t i = 0; i < map->map.nseats; i++) {
		const char *s = map->map.seats[i].section;
		if (first == NULL)
			first = s;
		if (asked != NULL && strcmp(asked, s) == 0)
			return s;
	}
	return first;
}

/* Section links of a big map: [{name, href, current: "page" for the shown one}]. */
static json_t *section_links(struct mg_ctx *ctx, const struct tickets_map *map, const char *self, const char *shown)
{
	json_t *links = json_array(), *seen = json_object();
	for (size_t i = 0; i < map->map.nseats; i++) {
		const char *s = map->map.seats[i].section;
		if (json_object_get(seen, s) != NULL)
			continue;
		json_object_set_new(seen, s, json_true());
		json_array_append_new(links, json_pack("{s:s, s:s, s:s?}", "name", s, "href",
						       mg_arena_printf(mg_arena(ctx), "%s?section=%s#picker", self,
								       mg_url_encode(mg_arena(ctx), s)),
						       "current", strcmp(s, shown) == 0 ? "page" : NULL));
	}
	json_decref(seen);
	return links;
}

/* The map with the states of now, the buyer's seats (and the kept choices) ticked; on a big
 * map the picker keeps only the shown section. */
static enum mg_err seatmap_data(struct mg_ctx *ctx, const struct pick_page *page, json_t *data)
{
	struct mg_arena *a = mg_arena(ctx);
	struct tickets_map map;
	struct mg_unit_view view;
	enum mg_err err = tickets_seatmap_load(mg_ctx_db(ctx), a, mg_tenant_id(ctx), page->perf.event.seat_map_id, &map);
	if (err == MG_OK)
		err = mg_inventory_view(mg_ctx_db(ctx), a, mg_tenant_id(ctx), TICKETS_KIND_SEAT, page->perf.id, mg_now(),
					&view);
	if (err != MG_OK)
		return err;
	uint32_t *mine;
	size_t nmine, items;
	cart_seats(ctx, page->perf.id, &mine, &nmine, &items);
	uint32_t *selected = mg_arena_alloc(a, (nmine + page->nkeep + 1) * sizeof(*selected));
	size_t nselected = 0;
	for (size_t i = 0; i < nmine; i++)
		selected[nselected++] = mine[i];
	for (size_t i = 0; i < page->nkeep; i++)
		if (!listed(selected, nselected, page->keep[i]))
			selected[nselected++] = page->keep[i];
	json_t *seatmap = tickets_seatmap_json(ctx, &map, &view, selected, nselected, true);
	const char *section = shown_section(&map, page->section);
	json_t *had = json_array();
	if (section != NULL) {
		json_t *sections = json_object_get(seatmap, "sections"), *keep = json_array(), *s;
		size_t i;
		json_array_foreach(sections, i, s)
			if (strcmp(json_string_value(json_object_get(s, "name")), section) == 0)
				json_array_append(keep, s);
		json_object_set_new(seatmap, "sections", keep);
		json_object_set_new(data, "section_links",
				    section_links(ctx, &map, json_string_value(json_object_get(data, "self")), section));
		json_object_set_new(data, "section", json_string(section));
	}
	/* the seats in the cart whose boxes the form shows: unticking one gives it back */
	for (size_t i = 0; i < nmine; i++)
		if (mine[i] >= 1 && mine[i] <= map.map.nseats &&
		    (section == NULL || strcmp(map.map.seats[mine[i] - 1].section, section) == 0))
			json_array_append_new(had, json_integer(mine[i]));
	json_object_set_new(data, "had", had);
	json_object_set_new(data, "seatmap", seatmap);
	return MG_OK;
}

static enum mg_err places_data(struct mg_ctx *ctx, const struct pick_page *page, json_t *data)
{
	struct tickets_ga_quota *quotas;
	size_t n;
	enum mg_err err = tickets_ga_quotas(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), page->perf.id, mg_now(),
					    &quotas, &n);
	if (err != MG_OK)
		return err;
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++) {
		unsigned max = quotas[i].counts.free < page->perf.event.per_order_limit ? (unsigned)quotas[i].counts.free
											   : page->perf.event.per_order_limit;
		unsigned long long id = (unsigned long long)quotas[i].id;
		json_array_append_new(list, json_pack("{s:I, s:s, s:I, s:o, s:s, s:s}", "id", (json_int_t)id, "name",
						      quotas[i].name, "free", (json_int_t)quotas[i].counts.free,
						      "quantities", quantities(max, 1), "field",
						      mg_arena_printf(mg_arena(ctx), "quota-%llu-quantity", id), "type_field",
						      mg_arena_printf(mg_arena(ctx), "quota-%llu-type", id)));
	}
	json_object_set_new(data, "quotas", list);
	return MG_OK;
}

static enum mg_err merch_data(struct mg_ctx *ctx, const struct pick_page *page, json_t *data)
{
	struct tickets_merch *items;
	size_t n;
	enum mg_err err = tickets_merch_on_sale(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), page->perf.event.id,
						mg_now(), &items, &n);
	if (err != MG_OK)
		return err;
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, json_pack("{s:I, s:s, s:s, s:I, s:o, s:s}", "id", (json_int_t)items[i].id,
						      "name", items[i].name, "price", mg_arena_thousands(mg_arena(ctx), items[i].price),
						      "free", (json_int_t)items[i].counts.free, "quantities",
						      quantities((unsigned)items[i].counts.free, 1), "field",
						      mg_arena_printf(mg_arena(ctx), "merch-%llu-quantity",
								      (unsigned long long)items[i].id)));
	json_object_set_new(data, "merch", list);
	return MG_OK;
}

static enum mg_err render_page(struct mg_ctx *ctx, int status, const struct pick_page *page)
{
	struct mg_arena *a = mg_arena(ctx);
	const struct tickets_performance *p = &page->perf;
	const char *self = web_path(ctx, mg_arena_printf(a, "/performances/%llu", (unsigned long long)p->id));
	uint32_t *mine;
	size_t nmine, items;
	cart_seats(ctx, p->id, &mine, &nmine, &items);
	const char *closed = not_on_sale(page->sale);
	json_t *data = json_pack(
		"{s:s, s:{s:s, s:s, s:s, s:b, s:i}, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:{s:i, s:s}, s:o, s:s}",
		"page_title", p->event.title, "event", "title", p->event.title, "venue", p->event.venue_name, "href",
		mg_arena_printf(a, "/%s/tickets/events/%llu", mg_tenant_slug(ctx), (unsigned long long)p->event.id),
		"seated", p->event.seated, "per_order_limit", (int)p->event.per_order_limit, "when",
		mg_time_text(ctx, p->starts_at, MG_TZ_PEOPLE), "datetime", tickets_iso_utc(a, p->starts_at),
		"sale", tickets_sale_name(page->sale), "seats_action", mg_arena_printf(a, "%s/seats", self),
		"best_action", mg_arena_printf(a, "%s/best", self), "places_action", mg_arena_printf(a, "%s/places", self),
		"merch_action", mg_arena_printf(a, "%s/merch", self), "sale_from",
		mg_time_text(ctx, p->sale_starts_at, MG_TZ_PEOPLE), "cart", "items", (int)items, "href",
		web_path(ctx, "/cart"), "quantities", quantities(p->event.per_order_limit, page->quantity ? page->quantity : 2),
		"self", self);
	if (closed != NULL)
		json_object_set_new(data, "closed", json_string(mg_tr(ctx, closed)));
	if (page->problem != NULL)
		json_object_set_new(data, "problem", json_pack("{s:s, s:s}", "text", page->problem, "form",
								  page->form ? page->form : "page"));
	enum mg_err err = MG_OK;
	if (closed == NULL) {
		if ((err = ticket_types_json(ctx, page, data)) == MG_OK && (err = prices_json(ctx, page, data)) == MG_OK &&
		    (err = p->event.seated ? seatmap_data(ctx, page, data) : places_data(ctx, page, data)) == MG_OK)
			err = merch_data(ctx, page, data);
	}
	if (err != MG_OK) {
		json_decref(data);
		return err;
	}
	return mg_render(ctx, status, "tickets/buy_performance", data);
}

/*
 * GET /<slug>/tickets/performances/<id>[?section=…] — the buying page of a performance (no
 * login): its seat map and picker (seated), or a quantity per quota (general admission),
 * "best available", merchandise; or, when it is not on sale, why. Changes nothing.
 */
enum mg_err web_performance_page(struct mg_ctx *ctx)
{
	struct pick_page page = { .section = mg_query(ctx, "section") };
	enum mg_err err = load_performance(ctx, &page);
	return err != MG_OK ? err : render_page(ctx, 200, &page);
}

/* ---- putting things in the cart ---- */

/* The shop's view of the performance and whether it may be sold now; an answer given (the
 * page again with the reason) when not. */
static enum mg_err ready_to_hold(struct mg_ctx *ctx, struct pick_page *page, struct shop_performance *sp,
				 bool *answered)
{
	*answered = true;
	enum mg_err err = load_performance(ctx, page);
	if (err != MG_OK)
		return err;
	/* the catalogue's sale window and the shop's own check (it also stops at the start time) */
	const char *why = not_on_sale(page->sale);
	if (why == NULL) {
		if ((err = shop_performance_load(ctx, page->perf.id, sp)) != MG_OK)
			return err;
		why = shop_not_on_sale(sp, mg_now());
	}
	if (why != NULL) {
		page->problem = mg_tr(ctx, why);
		return render_page(ctx, 409, page);
	}
	*answered = false;
	return MG_OK;
}

/* Runs one of the shop's holds in the buyer's cart; a cart that lapsed or closed meanwhile is
 * replaced once by a new one. */
typedef enum mg_err (*hold_fn)(struct mg_ctx *ctx, const char *token, void *arg, struct mg_cart_added *added,
			       const char **problem);

static enum mg_err hold_in_cart(struct mg_ctx *ctx, hold_fn hold, void *arg, struct mg_cart_added *added,
				const char **problem)
{
	const char *token;
	enum mg_err err = web_cart_for_adding(ctx, &token);
	if (err != MG_OK)
		return err;
	err = hold(ctx, token, arg, added, problem);
	if (err == MG_ERR_EXPIRED || err == MG_ERR_NOT_FOUND) {
		web_cart_remember(ctx, NULL);
		char *fresh = mg_arena_alloc(mg_arena(ctx), MG_CART_TOKEN_CHARS + 1);
		struct mg_cart cart;
		if ((err = mg_cart_new(ctx, fresh, &cart)) != MG_OK || (err = web_cart_remember(ctx, fresh)) != MG_OK)
			return err;
		err = hold(ctx, fresh, arg, added, problem);
	}
	return err;
}

/* The page again with an error of the shop's hold: status by kind, its message. */
static enum mg_err refused(struct mg_ctx *ctx, struct pick_page *page, enum mg_err err, const char *problem,
			   const char *form)
{
	int status = err == MG_ERR_TOO_LARGE ? 422 : err == MG_ERR_CONFLICT ? 409 : 400;
	if (err != MG_ERR_TOO_LARGE && err != MG_ERR_CONFLICT && err != MG_ERR_INPUT)
		return err;
	page->form = form;
	page->problem = mg_tr(ctx, problem ? problem
				      : err == MG_ERR_TOO_LARGE ? N_("That is more than one order may hold.")
								: N_("Not enough places are left."));
	return render_page(ctx, status, page);
}

struct seat_hold {
	const struct shop_performance *sp;
	uint32_t *seats;
	size_t n;
	uint64_t type_id;
};

static enum mg_err hold_seats(struct mg_ctx *ctx, const char *token, void *arg, struct mg_cart_added *added,
			      const char **problem)
{
	struct seat_hold *h = arg;
	return shop_hold_seats(ctx, token, h->sp, h->seats, h->n, h->type_id, added, problem);
}

/* "1階 A列 3番、1階 A列 4番": the labels of seat numbers, for a message. */
static const char *seat_labels(struct mg_ctx *ctx, uint64_t seat_map_id, const uint32_t *seats, size_t n)
{
	struct tickets_map map;
	const char *sep = strcmp(mg_lang(ctx), "ja") == 0 ? "、" : ", ";
	const char *text = "";
	bool have_map = tickets_seatmap_load(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), seat_map_id, &map) == MG_OK;
	for (size_t i = 0; i < n; i++) {
		const char *label = have_map && seats[i] >= 1 && seats[i] <= map.map.nseats
					    ? map.map.seats[seats[i] - 1].label
					    : mg_arena_printf(mg_arena(ctx), "%u", seats[i]);
		text = mg_arena_printf(mg_arena(ctx), "%s%s%s", text, i ? sep : "", label);
	}
	return text;
}

/* The ticked seats: every "seat" value (each a seat number); false when one is not. */
static bool ticked(struct mg_ctx *ctx, const char *name, uint32_t **out, size_t *n)
{
	const char **values;
	size_t count = mg_form_values(ctx, name, &values);
	*out = mg_arena_alloc(mg_arena(ctx), (count + 1) * sizeof(**out));
	*n = 0;
	for (size_t i = 0; i < count; i++) {
		char *end;
		unsigned long v = strtoul(values[i], &end, 10);
		if (*end != '\0' || v == 0 || v > UINT32_MAX)
			return false;
		if (!listed(*out, *n, (uint32_t)v))
			(*out)[(*n)++] = (uint32_t)v;
	}
	return true;
}

/*
 * POST /<slug>/tickets/performances/<id>/seats — the picker's form: the ticked seats not yet in
 * the cart are held all or nothing (shop_hold_seats) for the chosen ticket type; seats of the
 * cart that were shown ticked and are now unticked are given back. Then the cart. Someone
 * else's seat among them: 409 with the page naming it, nothing held, the rest still ticked.
 */
enum mg_err web_hold_seats(struct mg_ctx *ctx)
{
	struct pick_page page = { .section = mg_form(ctx, "section"), .type_id = form_id(ctx, "ticket_type") };
	struct shop_performance sp;
	bool answered;
	enum mg_err err = ready_to_hold(ctx, &page, &sp, &answered);
	if (answered)
		return err;
	uint32_t *chosen, *had, *mine;
	size_t nchosen, nhad, nmine, items;
	if (!ticked(ctx, "seat", &chosen, &nchosen) || !ticked(ctx, "had", &had, &nhad))
		return mg_error(ctx, 400, N_("The request could not be understood."));
	cart_seats(ctx, page.perf.id, &mine, &nmine, &items);
	struct seat_hold h = { &sp, mg_arena_alloc(mg_arena(ctx), (nchosen + 1) * sizeof(uint32_t)), 0, page.type_id };
	for (size_t i = 0; i < nchosen; i++)
		if (!listed(mine, nmine, chosen[i]))
			h.seats[h.n++] = chosen[i];
	size_t given_back = 0;
	for (size_t i = 0; i < nhad; i++)
		given_back += listed(mine, nmine, had[i]) && !listed(chosen, nchosen, had[i]);
	if (h.n == 0 && given_back == 0) {
		page.form = "seats";
		page.problem = mg_tr(ctx, N_("Choose at least one seat: tick its box in the list of seats."));
		return render_page(ctx, 400, &page);
	}
	if (h.n > 0) {
		struct mg_cart_added added;
		const char *problem = NULL;
		err = hold_in_cart(ctx, hold_seats, &h, &added, &problem);
		if (err == MG_ERR_CONFLICT) {
			/* nothing held: the seats still free stay ticked for another try */
			uint32_t *rest = mg_arena_alloc(mg_arena(ctx), (h.n + 1) * sizeof(*rest));
			size_t nrest = 0;
			for (size_t i = 0; i < h.n; i++)
				if (!listed(added.unavailable, added.nunavailable, h.seats[i]))
					rest[nrest++] = h.seats[i];
			page.keep = rest;
			page.nkeep = nrest;
			page.form = "seats";
			page.problem = catalog_message(
				ctx, N_("Someone else has just taken {seats}. Nothing was added to your cart; the other seats you chose are still ticked."),
				"{seats}", seat_labels(ctx, sp.seat_map_id, added.unavailable, added.nunavailable));
			return render_page(ctx, 409, &page);
		}
		if (err != MG_OK) {
			page.keep = h.seats;
			page.nkeep = h.n;
			return refused(ctx, &page, err, problem, "seats");
		}
	}
	const char *token = web_cart_token(ctx);
	for (size_t i = 0; token != NULL && i < nhad; i++)
		if (listed(mine, nmine, had[i]) && !listed(chosen, nchosen, had[i]) &&
		    (err = mg_cart_take_out(ctx, token, TICKETS_KIND_SEAT, page.perf.id, had[i])) != MG_OK &&
		    err != MG_ERR_NOT_FOUND && err != MG_ERR_EXPIRED)
			return err;
	return mg_redirect(ctx, 303, web_path(ctx, "/cart"));
}

/* The seats of the map with their states now, for best_available_block(). */
static enum mg_err best_seats(struct mg_ctx *ctx, const struct pick_page *page, struct best_seat **out, size_t *n)
{
	struct tickets_map map;
	struct mg_unit_view view;
	enum mg_err err = tickets_seatmap_load(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx),
					       page->perf.event.seat_map_id, &map);
	if (err == MG_OK)
		err = mg_inventory_view(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), TICKETS_KIND_SEAT,
					page->perf.id, mg_now(), &view);
	if (err != MG_OK)
		return err;
	*n = map.map.nseats;
	*out = mg_arena_alloc(mg_arena(ctx), (*n + 1) * sizeof(**out));
	for (size_t i = 0; i < *n; i++) {
		const struct tickets_seat *s = &map.map.seats[i];
		(*out)[i] = (struct best_seat){ s->seat_no, s->section, s->row, s->row_order, s->best, s->category, false };
	}
	for (size_t u = 0; u < view.n; u++) /* a seat without a unit is not for sale */
		if (view.units[u] >= 1 && view.units[u] <= *n)
			(*out)[view.units[u] - 1].free = view.states[u] == MG_UNIT_FREE;
	return MG_OK;
}

/* The categories best available may use, best first: the asked one, or every category with a
 * price for the ticket type. */
static enum mg_err best_categories(struct mg_ctx *ctx, const struct pick_page *page, uint64_t type_id,
				   const char ***out, size_t *n)
{
	struct tickets_category *cats;
	size_t ncats;
	enum mg_err err = tickets_categories(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), &page->perf.event, &cats,
					     &ncats);
	if (err != MG_OK)
		return err;
	*out = mg_arena_alloc(mg_arena(ctx), (ncats + 1) * sizeof(**out));
	*n = 0;
	for (size_t i = 0; i < ncats; i++) {
		unsigned yen;
		if (page->category[0] != '\0' && strcmp(page->category, cats[i].code) != 0)
			continue;
		if (tickets_price(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), page->perf.event.id, cats[i].code,
				  type_id, &yen) == MG_OK)
			(*out)[(*n)++] = cats[i].code;
	}
	return MG_OK;
}

/*
 * POST /<slug>/tickets/performances/<id>/best — "best available": the best block of side-by-side
 * free seats in one row of the chosen category (or of the best category that has one), never
 * leaving a lone seat (best_available.c), held in the cart; when someone takes one of them
 * first, the next block is tried (a few times). Then the cart; nothing fits: 409 with the page.
 */
enum mg_err web_best_available(struct mg_ctx *ctx)
{
	struct pick_page page = { .type_id = form_id(ctx, "ticket_type"),
				  .category = catalog_typed(ctx, "category"),
				  .quantity = form_count(ctx, "quantity") };
	struct shop_performance sp;
	bool answered;
	enum mg_err err = ready_to_hold(ctx, &page, &sp, &answered);
	if (answered)
		return err;
	const char *type_name;
	uint64_t type_id;
	if (!page.perf.event.seated || page.quantity < 1 || page.quantity > BEST_QUANTITY_MAX ||
	    shop_ticket_type(ctx, &sp, page.type_id, &type_id, &type_name) != MG_OK)
		return refused(ctx, &page, MG_ERR_INPUT, N_("Choose a number of seats and a ticket type."), "best");
	const char **categories;
	size_t ncategories, nseats;
	struct best_seat *seats;
	if ((err = best_categories(ctx, &page, type_id, &categories, &ncategories)) != MG_OK ||
	    (err = best_seats(ctx, &page, &seats, &nseats)) != MG_OK)
		return err;
	uint32_t *block = mg_arena_alloc(mg_arena(ctx), page.quantity * sizeof(*block));
	for (int attempt = 0; attempt < BEST_ATTEMPTS; attempt++) {
		if (!best_available_block(mg_arena(ctx), seats, nseats, categories, ncategories, page.quantity, block))
			break;
		struct seat_hold h = { &sp, block, page.quantity, type_id };
		struct mg_cart_added added;
		const char *problem = NULL;
		err = hold_in_cart(ctx, hold_seats, &h, &added, &problem);
		if (err == MG_OK)
			return mg_redirect(ctx, 303, web_path(ctx, "/cart"));
		if (err != MG_ERR_CONFLICT)
			return refused(ctx, &page, err, problem, "best");
		best_available_mark_taken(seats, nseats, added.unavailable, added.nunavailable);
	}
	page.form = "best";
	page.problem = catalog_message(ctx, N_("There are no longer {n} seats side by side in that category. Try fewer seats or another category."),
				       "{n}", mg_arena_printf(mg_arena(ctx), "%u", page.quantity));
	return render_page(ctx, 409, &page);
}

struct place_hold {
	const struct shop_performance *sp;
	uint64_t quota;
	uint32_t quantity;
	uint64_t type_id;
};

static enum mg_err hold_places(struct mg_ctx *ctx, const char *token, void *arg, struct mg_cart_added *added,
			       const char **problem)
{
	struct place_hold *h = arg;
	return shop_hold_places(ctx, token, h->sp, h->quota, h->quantity, h->type_id, added, problem);
}

/* POST /<slug>/tickets/performances/<id>/places — a quantity of one general-admission quota
 * (shop_hold_places), then the cart; too few left: 409 with the page. */
enum mg_err web_hold_places(struct mg_ctx *ctx)
{
	struct pick_page page = { .type_id = form_id(ctx, "ticket_type") };
	struct shop_performance sp;
	bool answered;
	enum mg_err err = ready_to_hold(ctx, &page, &sp, &answered);
	if (answered)
		return err;
	struct place_hold h = { &sp, form_id(ctx, "quota"), form_count(ctx, "quantity"), page.type_id };
	struct tickets_ga_quota quota;
	/* a quota of another performance (or none) is not this page's */
	if (h.quota == 0 || h.quantity == 0 ||
	    tickets_ga_quota_load(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), h.quota, mg_now(), &quota) != MG_OK ||
	    quota.performance_id != page.perf.id)
		return refused(ctx, &page, MG_ERR_INPUT, N_("Choose a number of tickets."), "places");
	struct mg_cart_added added;
	const char *problem = NULL;
	err = hold_in_cart(ctx, hold_places, &h, &added, &problem);
	if (err != MG_OK)
		return refused(ctx, &page, err, err == MG_ERR_CONFLICT ? N_("Not enough places are left.") : problem,
			       "places");
	return mg_redirect(ctx, 303, web_path(ctx, "/cart"));
}

/* ---- merchandise ---- */

struct merch_hold {
	const struct tickets_merch *item;
	uint32_t quantity;
};

/* Every unit of an item is the same line: its name and price. */
static enum mg_err describe_merch(struct mg_db *db, struct mg_arena *arena, void *arg, uint32_t unit,
				  struct mg_cart_item *it)
{
	(void)db;
	(void)arena;
	(void)unit;
	const struct tickets_merch *item = arg;
	it->description = item->name;
	it->amount = item->price;
	return MG_OK;
}

static enum mg_err hold_merch(struct mg_ctx *ctx, const char *token, void *arg, struct mg_cart_added *added,
			      const char **problem)
{
	struct merch_hold *h = arg;
	*problem = NULL;
	struct mg_cart_add add = { "tickets", TICKETS_KIND_MERCH, h->item->id, NULL, 0, h->quantity, describe_merch,
				   (void *)h->item };
	return mg_cart_put(ctx, token, &add, added);
}

/* POST /<slug>/tickets/performances/<id>/merch — a quantity of an item sold with the event (or
 * with every event) put in the cart; then the cart. Too few left: 409 with the page. */
enum mg_err web_add_merch(struct mg_ctx *ctx)
{
	struct pick_page page = { 0 };
	struct shop_performance sp;
	bool answered;
	enum mg_err err = ready_to_hold(ctx, &page, &sp, &answered);
	if (answered)
		return err;
	struct tickets_merch item;
	struct merch_hold h = { &item, form_count(ctx, "quantity") };
	if (h.quantity == 0 ||
	    tickets_merch_load(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), form_id(ctx, "item"), mg_now(), &item) !=
		    MG_OK ||
	    item.withdrawn || (item.event_id != 0 && item.event_id != page.perf.event.id))
		return refused(ctx, &page, MG_ERR_INPUT, N_("Choose an item and a quantity."), "merch");
	struct mg_cart_added added;
	const char *problem = NULL;
	err = hold_in_cart(ctx, hold_merch, &h, &added, &problem);
	if (err != MG_OK)
		return refused(ctx, &page, err, err == MG_ERR_CONFLICT ? N_("Not enough of this item is left.") : problem,
			       "merch");
	return mg_redirect(ctx, 303, web_path(ctx, "/cart"));
}
