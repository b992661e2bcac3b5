/*
 * The public JSON API v1 (see api.h and docs/api.md).
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"

/* ISO 8601 in the tenant's zone with its offset at that instant: "2026-05-01T19:00:00+01:00"
 * for a tenant in London in May. */
static json_t *iso(struct mg_ctx *ctx, time_t t)
{
	return json_string(mg_time_text(ctx, t, MG_TZ_ISO));
}

/* {"error": word, "message": the msgid in the request's language}. */
static enum mg_err fail(struct mg_ctx *ctx, int status, const char *word, const char *msgid)
{
	return mg_json(ctx, status, json_pack("{s:s, s:s}", "error", word, "message", mg_tr(ctx, msgid)));
}

/* The answer for an error of the cart functions; problem (a msgid) explains an input error. */
static enum mg_err fail_with(struct mg_ctx *ctx, enum mg_err err, const char *problem)
{
	switch (err) {
	case MG_ERR_NOT_FOUND:
		return fail(ctx, 404, "cart_not_found", N_("There is no open cart with this token."));
	case MG_ERR_EXPIRED:
		return fail(ctx, 410, "cart_expired",
			    N_("The hold on this cart has lapsed and its seats were released. Please choose them again."));
	case MG_ERR_TOO_LARGE:
		return fail(ctx, 422, "too_many",
			    problem ? problem : N_("That is more tickets than one order may hold."));
	case MG_ERR_INPUT:
		return fail(ctx, 400, "invalid", problem ? problem : N_("The request could not be understood."));
	case MG_ERR_CONFLICT:
		return fail(ctx, 409, "conflict", N_("Someone else changed this at the same time. Please try again."));
	default:
		return err;
	}
}

/* The request's JSON object: NULL after answering 400 (malformed, or not an object). */
static json_t *read_json(struct mg_ctx *ctx)
{
	size_t len = 0;
	const char *body = mg_body(ctx, &len);
	json_error_t jerr;
	json_t *doc = body != NULL && len > 0 ? json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr) : NULL;
	if (doc == NULL || !json_is_object(doc)) {
		json_decref(doc);
		fail(ctx, 400, "bad_json", N_("The body must be a JSON object."));
		return NULL;
	}
	return doc;
}

/* A whole number from 1 to max, or 0. */
static uint64_t positive(const json_t *v, uint64_t max)
{
	if (!json_is_integer(v))
		return 0;
	json_int_t i = json_integer_value(v);
	return i >= 1 && (uint64_t)i <= max ? (uint64_t)i : 0;
}

/*
 * GET /<slug>/api/v1/events — published events with their performances on sale:
 * {"events":[{"id","title","kind","venue","performances":[{"id","starts_at",…}]}]}.
 */
enum mg_err api_events(struct mg_ctx *ctx)
{
	struct mg_rows events, perfs;
	struct mg_dbval args[] = { MG_INT(mg_tenant_id(ctx)) };
	enum mg_err err = mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &tickets_statements[TICKETS_SQL_API_EVENTS], args,
	                             1, &events, NULL, NULL);
	if (err == MG_OK)
		err = mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &tickets_statements[TICKETS_SQL_API_PERFORMANCES], args,
		                 1, &perfs, NULL, NULL);
	if (err != MG_OK)
		return err;
	time_t now = mg_now();
	json_t *list = json_array();
	for (size_t e = 0; e < events.nrows; e++) {
		json_t *dates = json_array();
		for (size_t p = 0; p < perfs.nrows; p++) {
			if (strcmp(MG_CELL(&perfs, p, 1), MG_CELL(&events, e, 0)) != 0)
				continue;
			time_t starts = (time_t)mg_cell_u64(MG_CELL(&perfs, p, 2)), from = (time_t)mg_cell_u64(MG_CELL(&perfs, p, 3)),
			       until = (time_t)mg_cell_u64(MG_CELL(&perfs, p, 4));
			json_array_append_new(dates, json_pack("{s:I, s:o, s:o, s:o, s:b}", "id",
							       (json_int_t)mg_cell_u64(MG_CELL(&perfs, p, 0)), "starts_at",
							       iso(ctx, starts), "sale_starts_at", iso(ctx, from),
							       "sale_ends_at", iso(ctx, until), "on_sale",
							       now >= from && now <= until && now < starts));
		}
		json_array_append_new(list, json_pack("{s:I, s:s, s:s, s:s, s:o}", "id",
						      (json_int_t)mg_cell_u64(MG_CELL(&events, e, 0)), "title",
						      MG_CELL(&events, e, 1), "kind", MG_CELL(&events, e, 2), "venue",
						      MG_CELL(&events, e, 3), "performances", dates));
	}
	return mg_json(ctx, 200, json_pack("{s:o}", "events", list));
}

/*
 * GET /<slug>/api/v1/performances/<id>/seats — every seat of the performance with its state
 * now ("free", "held", "sold", "blocked"), and its general-admission quotas with the places
 * free: {"performance", "seats":[{"id","label","category","state"}], "general_admission":[…]}.
 */
enum mg_err api_seats(struct mg_ctx *ctx)
{
	struct mg_arena *arena = mg_arena(ctx);
	struct shop_performance p;
	uint64_t id;
	enum mg_err err = mg_param_id(ctx, "id", &id);
	if (err == MG_OK)
		err = shop_performance_load(ctx, id, &p);
	if (err == MG_ERR_NOT_FOUND)
		return fail(ctx, 404, "not_found", N_("There is no such performance."));
	if (err != MG_OK)
		return err;
	time_t now = mg_now();
	json_t *seats = json_array(), *quotas = json_array();
	if (p.seat_map_id != 0) {
		struct mg_rows rows;
		struct mg_unit_view view;
		struct mg_dbval args[] = { MG_INT(mg_tenant_id(ctx)), MG_INT(p.seat_map_id) };
		if ((err = mg_db_exec(mg_ctx_db(ctx), arena, &tickets_statements[TICKETS_SQL_API_SEATS], args, 2, &rows,
		                      NULL, NULL)) != MG_OK ||
		    (err = mg_inventory_view(mg_ctx_db(ctx), arena, mg_tenant_id(ctx), TICKETS_KIND_SEAT, p.id, now,
		                             &view)) != MG_OK) {
			json_decref(seats);
			json_decref(quotas);
			return err;
		}
		/* both in seat order: one pass; a seat without a unit cannot be sold */
		size_t u = 0;
		for (size_t r = 0; r < rows.nrows; r++) {
			uint32_t seat = (uint32_t)mg_cell_u64(MG_CELL(&rows, r, 0));
			while (u < view.n && view.units[u] < seat)
				u++;
			const char *state = u < view.n && view.units[u] == seat ? mg_unit_state_name(view.states[u])
										 : "blocked";
			json_array_append_new(seats, json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)seat, "label",
							       MG_CELL(&rows, r, 1), "category", MG_CELL(&rows, r, 2),
							       "state", state));
		}
	}
	struct mg_rows qrows;
	struct mg_dbval qargs[] = { MG_INT(mg_tenant_id(ctx)), MG_INT(p.id) };
	err = mg_db_exec(mg_ctx_db(ctx), arena, &tickets_statements[TICKETS_SQL_API_QUOTAS], qargs, 2, &qrows, NULL,
	                 NULL);
	for (size_t r = 0; err == MG_OK && r < qrows.nrows; r++) {
		struct mg_unit_counts counts;
		uint64_t quota = mg_cell_u64(MG_CELL(&qrows, r, 0));
		err = mg_inventory_counts(mg_ctx_db(ctx), arena, mg_tenant_id(ctx), TICKETS_KIND_GA, quota, now, &counts);
		if (err == MG_OK)
			json_array_append_new(quotas, json_pack("{s:I, s:s, s:I, s:I}", "id", (json_int_t)quota, "name",
								MG_CELL(&qrows, r, 1), "capacity",
								(json_int_t)mg_cell_u64(MG_CELL(&qrows, r, 2)), "free",
								(json_int_t)counts.free));
	}
	if (err != MG_OK) {
		json_decref(seats);
		json_decref(quotas);
		return err;
	}
	return mg_json(ctx, 200, json_pack("{s:I, s:o, s:o}", "performance", (json_int_t)p.id, "seats", seats,
					   "general_admission", quotas));
}

/* POST /<slug>/api/v1/carts — opens a cart: 201 {"cart":"<token>","expires_at":…}. */
enum mg_err api_cart_create(struct mg_ctx *ctx)
{
	char token[MG_CART_TOKEN_CHARS + 1];
	struct mg_cart cart;
	enum mg_err err = mg_cart_new(ctx, token, &cart);
	if (err != MG_OK)
		return err;
	return mg_json(ctx, 201, json_pack("{s:s, s:o}", "cart", token, "expires_at", iso(ctx, cart.expires_at)));
}

static json_t *cart_json(struct mg_ctx *ctx, const char *token, const struct mg_cart_view *v)
{
	json_t *items = json_array();
	for (size_t i = 0; i < v->n; i++) {
		const struct mg_cart_item *it = &v->items[i];
		json_array_append_new(items, json_pack("{s:s, s:I, s:I, s:s, s:I}", "kind", tickets_public_kind(it->kind), "resource",
						       (json_int_t)it->resource, "unit", (json_int_t)it->unit,
						       "description", it->description, "amount", (json_int_t)it->amount));
	}
	return json_pack("{s:s, s:o, s:o, s:I}", "cart", token, "expires_at", iso(ctx, v->cart.expires_at), "items", items,
			 "total", (json_int_t)v->total);
}

/* GET /<slug>/api/v1/carts/<token> — the cart's items, total and expiry. */
enum mg_err api_cart_show(struct mg_ctx *ctx)
{
	struct mg_cart_view v;
	enum mg_err err = mg_cart_get(ctx, mg_param(ctx, "cart"), &v);
	if (err != MG_OK)
		return fail_with(ctx, err, NULL);
	return mg_json(ctx, 200, cart_json(ctx, mg_param(ctx, "cart"), &v));
}

/* DELETE /<slug>/api/v1/carts/<token> — abandons the cart; its seats are free at once. */
enum mg_err api_cart_abandon(struct mg_ctx *ctx)
{
	enum mg_err err = mg_cart_drop(ctx, mg_param(ctx, "cart"));
	if (err != MG_OK)
		return fail_with(ctx, err, NULL);
	return mg_json(ctx, 200, json_pack("{s:b}", "abandoned", 1));
}

/* The cart before the body: an unknown or lapsed cart is 404 / 410 whatever was sent. */
static enum mg_err known_cart(struct mg_ctx *ctx, const char *token)
{
	struct mg_cart_view v;
	return mg_cart_get(ctx, token, &v);
}

/* 409 {"error":"seat_unavailable","seats":[…]}: the hold took none of them. */
static enum mg_err seats_unavailable(struct mg_ctx *ctx, const struct mg_cart_added *added)
{
	json_t *gone = json_array();
	for (size_t i = 0; i < added->nunavailable; i++)
		json_array_append_new(gone, json_integer(added->unavailable[i]));
	const char *msgid = added->nunavailable > 0
				    ? N_("Some of these seats have just been taken by someone else. None of them is held; "
					 "please choose others.")
				    : N_("Not enough places are left.");
	return mg_json(ctx, 409, json_pack("{s:s, s:s, s:o}", "error", "seat_unavailable", "message", mg_tr(ctx, msgid),
					   "seats", gone));
}

/* Reads "seats": an array of 1 to MG_CART_UNITS_MAX seat numbers; NULL (*n 0) if malformed. */
static uint32_t *seat_list(struct mg_ctx *ctx, const json_t *array, size_t *n)
{
	*n = 0;
	size_t len = json_array_size(array);
	if (!json_is_array(array) || len == 0 || len > MG_CART_UNITS_MAX)
		return NULL;
	uint32_t *seats = mg_arena_alloc(mg_arena(ctx), len * sizeof(*seats));
	for (size_t i = 0; seats != NULL && i < len; i++) {
		uint64_t seat = positive(json_array_get(array, i), UINT32_MAX);
		if (seat == 0)
			return NULL;
		seats[i] = (uint32_t)seat;
	}
	*n = len;
	return seats;
}

/*
 * POST /<slug>/api/v1/carts/<token>/seats — holds {"performance":id,"seats":[…]} (all or
 * nothing) or {"performance":id,"quantity":n} general-admission places (optionally "quota",
 * "ticket_type"). 200 {"cart","expires_at","seats":[held],"items","total"}; 409
 * seat_unavailable holding none; 410 when the cart lapsed.
 */
enum mg_err api_cart_hold(struct mg_ctx *ctx)
{
	const char *token = mg_param(ctx, "cart");
	enum mg_err err = known_cart(ctx, token);
	if (err != MG_OK)
		return fail_with(ctx, err, NULL);
	json_t *req = read_json(ctx);
	if (req == NULL)
		return MG_OK;
	uint64_t perf = positive(json_object_get(req, "performance"), INT64_MAX);
	uint64_t type = positive(json_object_get(req, "ticket_type"), INT64_MAX);
	uint64_t quota = positive(json_object_get(req, "quota"), INT64_MAX);
	const json_t *seats_json = json_object_get(req, "seats"), *quantity_json = json_object_get(req, "quantity");
	size_t n = 0;
	uint32_t *seats = seats_json != NULL ? seat_list(ctx, seats_json, &n) : NULL;
	uint64_t quantity = quantity_json != NULL ? positive(quantity_json, MG_CART_UNITS_MAX) : 0;
	json_decref(req);
	if (perf == 0 || (seats_json != NULL) == (quantity_json != NULL) || (seats_json != NULL && seats == NULL) ||
	    (quantity_json != NULL && quantity == 0))
		return fail(ctx, 400, "invalid",
			    N_("Send \"performance\" and either \"seats\" (a list of seat numbers) or \"quantity\"."));
	struct shop_performance p;
	if ((err = shop_performance_load(ctx, perf, &p)) == MG_ERR_NOT_FOUND)
		return fail(ctx, 404, "not_found", N_("There is no such performance."));
	if (err != MG_OK)
		return err;
	const char *why = shop_not_on_sale(&p, mg_now());
	if (why != NULL)
		return fail(ctx, 409, "not_on_sale", why);
	struct mg_cart_added added;
	const char *problem = NULL;
	err = seats != NULL ? shop_hold_seats(ctx, token, &p, seats, n, type, &added, &problem)
			    : shop_hold_places(ctx, token, &p, quota, (uint32_t)quantity, type, &added, &problem);
	if (err == MG_ERR_CONFLICT)
		return seats_unavailable(ctx, &added);
	if (err != MG_OK)
		return fail_with(ctx, err, problem);
	struct mg_cart_view v;
	if ((err = mg_cart_get(ctx, token, &v)) != MG_OK)
		return fail_with(ctx, err, NULL);
	json_t *body = cart_json(ctx, token, &v), *held = json_array();
	for (size_t i = 0; i < added.n; i++)
		json_array_append_new(held, json_integer(added.units[i]));
	json_object_set_new(body, "seats", held);
	return mg_json(ctx, 200, body);
}

/*
 * POST /<slug>/api/v1/carts/<token>/checkout — {"name","email","payment"} (payment
 * "box_office" by default, "bank_transfer" or "test_card"): 201 {"order","state","total",
 * "payment","payment_deadline","payment_url"?,"order_url","tickets":[{"seat","label","code",
 * "url"}]}; 410 when the hold lapsed (nothing is written).
 */
enum mg_err api_cart_checkout(struct mg_ctx *ctx)
{
	enum mg_err err = known_cart(ctx, mg_param(ctx, "cart"));
	if (err != MG_OK)
		return fail_with(ctx, err, NULL);
	json_t *req = read_json(ctx);
	if (req == NULL)
		return MG_OK;
	struct mg_arena *arena = mg_arena(ctx);
	const char *name = json_string_value(json_object_get(req, "name"));
	const char *email = json_string_value(json_object_get(req, "email"));
	const char *payment = json_string_value(json_object_get(req, "payment"));
	name = name ? mg_arena_strdup(arena, name) : NULL;
	email = email ? mg_arena_strdup(arena, email) : NULL;
	payment = payment ? mg_arena_strdup(arena, payment) : "box_office";
	json_decref(req);
	if (name == NULL || name[0] == '\0')
		return fail(ctx, 400, "invalid", N_("Send the buyer's \"name\"."));
	if (email == NULL || email[0] == '\0')
		return fail(ctx, 400, "invalid", N_("Send the buyer's \"email\"."));
	if (mg_payment_method_label(payment) == NULL)
		return fail(ctx, 400, "invalid",
			    N_("\"payment\" must be \"box_office\", \"bank_transfer\" or \"test_card\"."));
	struct shop_order out;
	err = shop_checkout(ctx, mg_param(ctx, "cart"), name, email, NULL, payment, "api", &out);
	if (err == MG_ERR_INPUT)
		return fail(ctx, 400, "invalid",
			    N_("The cart is empty, or the name or e-mail address is not valid (a name of at most 100 "
			       "characters, an address such as name@example.jp)."));
	if (err != MG_OK)
		return fail_with(ctx, err, NULL);
	json_t *tickets = json_array();
	for (size_t i = 0; i < out.n; i++) {
		const struct shop_ticket *t = &out.tickets[i];
		bool seat = strcmp(t->kind, TICKETS_KIND_SEAT) == 0;
		json_array_append_new(tickets, json_pack("{s:o, s:s, s:s, s:s}", "seat",
							 seat ? json_integer(t->unit) : json_null(), "label", t->label,
							 "code", t->code, "url", t->path));
	}
	const struct mg_order *o = &out.order;
	json_t *body = json_pack("{s:s, s:s, s:I, s:s, s:s?, s:o}", "order", o->code, "state", o->state, "total",
				 (json_int_t)o->total, "payment", o->payment_method, "order_url", o->view_path, "tickets",
				 tickets);
	json_object_set_new(body, "tax", json_integer((json_int_t)o->tax));
	json_object_set_new(body, "payment_deadline", o->payment_deadline ? iso(ctx, o->payment_deadline) : json_null());
	if (o->payment_url != NULL)
		json_object_set_new(body, "payment_url", json_string(o->payment_url));
	return mg_json(ctx, 201, body);
}
