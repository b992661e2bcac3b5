/*
 * Merchandise in the back office (permission tickets.manage): programmes, T-shirts… with a
 * price and a stock that is inventory units (kind 'tickets.merch', resource = the item, units
 * 1..stock), optionally tied to an event, and withdrawn from sale when no longer sold.
 * Raising the stock adds units; lowering it removes free ones, never what is sold or held.
 */
#include <stdlib.h>
#include <string.h>

#include "catalog.h"

enum { MERCH_NAME_CHARS = 200, MAX_MERCH_PRICE = 1000000, MAX_STOCK = 100000 };

struct merch_input {
	const char *name;
	unsigned long price, stock;
	uint64_t event_id; /* 0: none */
};

static const char *merch_href(struct mg_ctx *ctx, uint64_t id, const char *rest)
{
	return mg_admin_path(ctx, mg_arena_printf(mg_arena(ctx), "/tickets/merch/%llu%s", (unsigned long long)id, rest));
}

/* The events an item can be tied to, the chosen one marked. */
static enum mg_err event_choices(struct mg_ctx *ctx, const char *chosen, json_t **out)
{
	struct mg_dbval args[] = { MG_INT(mg_now()), MG_INT(mg_tenant_id(ctx)) };
	struct mg_rows rows;
	enum mg_err err =
	    mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &tickets_statements[TICKETS_SQL_CATALOG_EVENT_ADMIN_LIST], args,
	               2, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	*out = json_array();
	for (size_t r = 0; r < rows.nrows; r++)
		json_array_append_new(*out, json_pack("{s:s, s:s, s:b}", "id", MG_CELL(&rows, r, 0), "title",
						      MG_CELL(&rows, r, 1), "selected",
						      strcmp(MG_CELL(&rows, r, 0), chosen) == 0));
	return MG_OK;
}

static const char *shown(struct mg_ctx *ctx, bool typed, const char *field, const char *stored)
{
	return typed ? catalog_typed(ctx, field) : stored;
}

/* The item form: as stored (m), as typed (errors given), or empty (new). */
static json_t *merch_form(struct mg_ctx *ctx, const struct tickets_merch *m, json_t *errors, const char *action,
			  enum mg_err *err)
{
	bool typed = errors != NULL;
	struct mg_arena *a = mg_arena(ctx);
	const char *event = shown(ctx, typed, "event_id", m && m->event_id ? mg_arena_printf(a, "%llu",
									(unsigned long long)m->event_id) : "");
	json_t *events;
	if ((*err = event_choices(ctx, event, &events)) != MG_OK)
		return NULL;
	return json_pack("{s:s, s:o, s:{s:s, s:s, s:s}, s:o}", "action", action, "events", events, "values", "name",
			 shown(ctx, typed, "name", m ? m->name : ""), "price",
			 shown(ctx, typed, "price", m ? mg_arena_printf(a, "%u", m->price) : ""), "stock",
			 shown(ctx, typed, "stock", m ? mg_arena_printf(a, "%u", m->stock) : ""), "errors",
			 errors ? json_deep_copy(errors) : json_object());
}

static json_t *merch_json(struct mg_ctx *ctx, const struct tickets_merch *m)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:i, s:b, s:{s:I, s:I, s:I}}", "href", merch_href(ctx, m->id, ""), "name",
			 m->name, "event", m->event_title, "price", mg_arena_thousands(mg_arena(ctx), m->price), "stock",
			 (int)m->stock, "withdrawn", m->withdrawn, "counts", "free", (json_int_t)m->counts.free, "held",
			 (json_int_t)m->counts.held, "sold", (json_int_t)m->counts.sold);
}

static enum mg_err render_list(struct mg_ctx *ctx, int status, json_t *errors)
{
	struct tickets_merch *items;
	size_t n;
	enum mg_err err = catalog_merch_all(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), mg_now(), &items, &n);
	if (err != MG_OK)
		return err;
	json_t *form = merch_form(ctx, NULL, errors, mg_admin_path(ctx, "/tickets/merch"), &err);
	if (form == NULL)
		return err;
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, merch_json(ctx, &items[i]));
	json_t *data = mg_admin_page(ctx, N_("Merchandise"));
	json_object_set_new(data, "items", list);
	json_object_set_new(data, "form", form);
	json_object_set_new(data, "events_href", json_string(mg_admin_path(ctx, "/tickets/events")));
	return mg_render(ctx, status, "tickets/merch_list", data);
}

/* GET /<slug>/admin/tickets/merch — every item (withdrawn ones last) and the new-item form. */
enum mg_err catalog_admin_merch_list(struct mg_ctx *ctx)
{
	return render_list(ctx, 200, NULL);
}

static json_t *read_merch_form(struct mg_ctx *ctx, struct merch_input *in, enum mg_err *err)
{
	json_t *errors = json_object();
	const char *price = mg_form(ctx, "price"), *stock = mg_form(ctx, "stock"), *event = mg_form(ctx, "event_id");
	*err = MG_OK;
	in->name = mg_form(ctx, "name");
	in->event_id = 0;
	if (!catalog_text_ok(in->name, MERCH_NAME_CHARS))
		catalog_field_error(ctx, errors, "name", N_("Enter a name of up to 200 characters."));
	if (price != NULL && price[0] == '-')
		catalog_field_error(ctx, errors, "price", N_("A price cannot be negative. Enter 0 yen or more."));
	else if (!catalog_parse_number(price, MAX_MERCH_PRICE, &in->price))
		catalog_field_error(ctx, errors, "price", N_("Enter the price in whole yen, from 0 to 1,000,000."));
	if (!catalog_parse_number(stock, MAX_STOCK, &in->stock))
		catalog_field_error(ctx, errors, "stock", N_("Enter a stock from 0 to 100,000."));
	if (event != NULL && event[0] != '\0') {
		struct tickets_event ev;
		uint64_t id = 0;
		*err = mg_parse_id(event, &id) == MG_OK
			       ? tickets_event_load(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), id, &ev)
			       : MG_ERR_NOT_FOUND;
		if (*err == MG_ERR_NOT_FOUND)
			catalog_field_error(ctx, errors, "event_id", N_("Choose one of the events, or none."));
		else
			in->event_id = id;
		if (*err == MG_ERR_NOT_FOUND)
			*err = MG_OK;
	}
	return errors;
}

static struct mg_dbval event_value(const struct merch_input *in)
{
	return in->event_id ? MG_INT(in->event_id) : MG_NULL;
}

struct merch_change {
	uint64_t id; /* 0: new */
	struct merch_input in;
	uint64_t taken;
};

/* A change with the request it belongs to (for mg_db_transaction). */
struct merch_update {
	struct mg_ctx *ctx;
	struct merch_change *c;
};

/* A new item and its stock as units 1..stock: both or neither. */
static enum mg_err insert_merch(struct mg_db *db, void *arg)
{
	struct merch_update *u = arg;
	struct merch_change *c = u->c;
	uint64_t tenant = mg_tenant_id(u->ctx);
	unsigned long long id = 0;
	struct mg_dbval args[] = { MG_INT(tenant), event_value(&c->in), MG_TEXT(c->in.name), MG_INT(c->in.price),
				   MG_INT(c->in.stock) };
	enum mg_err err = mg_db_exec(db, mg_arena(u->ctx), &tickets_statements[TICKETS_SQL_CATALOG_MERCH_INSERT], args,
	                             5, NULL, NULL, &id);
	c->id = id;
	if (err != MG_OK)
		return err;
	return mg_inventory_add(db, mg_arena(u->ctx), tenant, TICKETS_KIND_MERCH, c->id, 1, (uint32_t)c->in.stock,
				MG_UNIT_FREE);
}

/* POST /<slug>/admin/tickets/merch — a new item on sale. */
enum mg_err catalog_admin_merch_create(struct mg_ctx *ctx)
{
	struct merch_change c = { 0 };
	enum mg_err err;
	json_t *errors = read_merch_form(ctx, &c.in, &err);
	if (err != MG_OK || json_object_size(errors) > 0) {
		if (err == MG_OK)
			err = render_list(ctx, 422, errors);
		json_decref(errors);
		return err;
	}
	json_decref(errors);
	struct merch_update u = { ctx, &c };
	if ((err = mg_db_transaction(mg_ctx_db(ctx), insert_merch, &u)) != MG_OK)
		return err;
	mg_audit(ctx, "tickets.merch.create", catalog_object(ctx, "tickets_merch", c.id), "success",
		 mg_arena_printf(mg_arena(ctx), "%s, %lu yen, stock %lu", c.in.name, c.in.price, c.in.stock));
	return mg_redirect(ctx, 303, mg_admin_path(ctx, "/tickets/merch"));
}

static enum mg_err render_item(struct mg_ctx *ctx, int status, const struct tickets_merch *m, json_t *errors)
{
	enum mg_err err;
	json_t *form = merch_form(ctx, m, errors, merch_href(ctx, m->id, ""), &err);
	if (form == NULL)
		return err;
	json_t *data = mg_admin_page(ctx, N_("Merchandise item"));
	json_object_set_new(data, "item", merch_json(ctx, m));
	json_object_set_new(data, "form", form);
	json_object_set_new(data, "withdraw_action", json_string(merch_href(ctx, m->id, "/withdraw")));
	json_object_set_new(data, "list_href", json_string(mg_admin_path(ctx, "/tickets/merch")));
	return mg_render(ctx, status, "tickets/merch_edit", data);
}

static enum mg_err load_item(struct mg_ctx *ctx, struct tickets_merch *m)
{
	uint64_t id;
	enum mg_err err = mg_param_id(ctx, "id", &id);
	return err != MG_OK ? err : tickets_merch_load(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), id, mg_now(), m);
}

/* GET /<slug>/admin/tickets/merch/<id> */
enum mg_err catalog_admin_merch(struct mg_ctx *ctx)
{
	struct tickets_merch m;
	enum mg_err err = load_item(ctx, &m);
	return err != MG_OK ? err : render_item(ctx, 200, &m, NULL);
}

/* The item changed, its row locked first so two stock changes never interleave. */
static enum mg_err update_merch(struct mg_db *db, void *arg)
{
	struct merch_update *u = arg;
	struct mg_ctx *ctx = u->ctx;
	struct merch_change *c = u->c;
	struct mg_dbval key[] = { MG_INT(mg_tenant_id(ctx)), MG_INT(c->id) };
	struct mg_rows rows;
	enum mg_err err = mg_db_exec(db, mg_arena(ctx), &tickets_statements[TICKETS_SQL_CATALOG_MERCH_LOCK], key, 2,
	                             &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	if (rows.nrows != 1)
		return MG_ERR_NOT_FOUND;
	uint32_t current = (uint32_t)strtoul(MG_CELL(&rows, 0, 0), NULL, 10);
	if ((err = catalog_resize_units(db, mg_arena(ctx), mg_tenant_id(ctx), TICKETS_KIND_MERCH, c->id, current,
					(uint32_t)c->in.stock, &c->taken)) != MG_OK)
		return err;
	struct mg_dbval args[] = { event_value(&c->in), MG_TEXT(c->in.name), MG_INT(c->in.price), MG_INT(c->in.stock),
				   MG_INT(mg_tenant_id(ctx)), MG_INT(c->id) };
	return mg_db_exec(db, mg_arena(ctx), &tickets_statements[TICKETS_SQL_CATALOG_MERCH_UPDATE], args, 6, NULL, NULL,
	                  NULL);
}

/* POST /<slug>/admin/tickets/merch/<id> — name, price, event and stock. */
enum mg_err catalog_admin_merch_update(struct mg_ctx *ctx)
{
	struct tickets_merch m;
	enum mg_err err = load_item(ctx, &m);
	if (err != MG_OK)
		return err;
	struct merch_change c = { m.id, { 0 }, 0 };
	json_t *errors = read_merch_form(ctx, &c.in, &err);
	int status = 422;
	if (err == MG_OK && json_object_size(errors) == 0) {
		struct merch_update u = { ctx, &c };
		err = mg_db_transaction(mg_ctx_db(ctx), update_merch, &u);
		if (err == MG_OK) {
			json_decref(errors);
			mg_audit(ctx, "tickets.merch.update", catalog_object(ctx, "tickets_merch", m.id), "success",
				 mg_arena_printf(mg_arena(ctx), "%s, %lu yen, stock %u -> %lu", c.in.name, c.in.price,
						 m.stock, c.in.stock));
			return mg_redirect(ctx, 303, merch_href(ctx, m.id, ""));
		}
		if (err == MG_ERR_CONFLICT) { /* fewer free than the stock would remove */
			err = MG_OK;
			status = 409;
			json_object_set_new(errors, "stock",
					    json_string(catalog_message(ctx, N_("{n} are sold, held or blocked: the stock "
										 "cannot be lower than that."),
									"{n}", mg_arena_printf(mg_arena(ctx), "%llu",
											       (unsigned long long)c.taken))));
			mg_audit(ctx, "tickets.merch.update", catalog_object(ctx, "tickets_merch", m.id), "failure",
				 mg_arena_printf(mg_arena(ctx), "stock %u -> %lu refused", m.stock, c.in.stock));
		}
	}
	if (err == MG_OK)
		err = render_item(ctx, status, &m, errors);
	json_decref(errors);
	return err;
}

/* POST /<slug>/admin/tickets/merch/<id>/withdraw — no longer sold (what was sold stays sold). */
enum mg_err catalog_admin_merch_withdraw(struct mg_ctx *ctx)
{
	struct tickets_merch m;
	enum mg_err err = load_item(ctx, &m);
	if (err != MG_OK)
		return err;
	struct mg_dbval args[] = { MG_INT(mg_tenant_id(ctx)), MG_INT(m.id) };
	unsigned long long changed = 0;
	if ((err = mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &tickets_statements[TICKETS_SQL_CATALOG_MERCH_WITHDRAW],
	                      args, 2, NULL, &changed, NULL)) != MG_OK)
		return err;
	if (changed == 1)
		mg_audit(ctx, "tickets.merch.withdraw", catalog_object(ctx, "tickets_merch", m.id), "success", m.name);
	return mg_redirect(ctx, 303, merch_href(ctx, m.id, ""));
}

const struct mg_field catalog_merch_fields[] = {
	{ "name", MG_FROM_FORM, NULL, false, 1000, N_("Item name"), MG_TEXT_RAW },
	{ "price", MG_FROM_FORM, NULL, false, 20, N_("Price (yen)"), MG_TEXT_AMOUNT },
	{ "stock", MG_FROM_FORM, NULL, false, 20, N_("Stock"), MG_TEXT_AMOUNT },
	{ "event_id", MG_FROM_FORM, NULL, false, 20, N_("Event"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};
