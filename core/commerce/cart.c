/*
 * Carts: holding units for a buyer until checkout (see cart.h).
 */
#include <stdlib.h>
#include <string.h>

#include "cart.h"
#include "clock.h"
#include "crypto.h"
#include "inventory.h"
#include "log.h"

const struct mg_sql mg_cart_statements[] = {
	[MG_SQL_CART_HOLD_SECONDS] = { "core.cart_hold_seconds",
	  "SELECT value FROM tenant_setting WHERE tenant_id = ? AND name = 'cart_hold_seconds'" },
	[MG_SQL_CART_INSERT] = { "core.cart_insert",
	  "INSERT INTO cart (tenant_id, token_hash, state, person_id, staff_id, created_at, expires_at)"
	  " VALUES (?, ?, 'open', ?, ?, FROM_UNIXTIME(?), FROM_UNIXTIME(?))" },
	[MG_SQL_CART_FIND] = { "core.cart_find",
	  "SELECT id, state, person_id, staff_id, UNIX_TIMESTAMP(expires_at) FROM cart"
	  " WHERE tenant_id = ? AND token_hash = ?" },
	/* the cart row is the lock that puts one buyer's adds, removals and checkout in a line */
	[MG_SQL_CART_LOCK] = { "core.cart_lock",
	  "SELECT id, state, person_id, staff_id, UNIX_TIMESTAMP(expires_at) FROM cart"
	  " WHERE tenant_id = ? AND token_hash = ? FOR UPDATE" },
	[MG_SQL_CART_ITEMS] = { "core.cart_items",
	  "SELECT module, kind, resource_id, unit, variant_id, description, amount FROM cart_item"
	  " WHERE tenant_id = ? AND cart_id = ? ORDER BY kind, resource_id, unit" },
	[MG_SQL_CART_COUNT] = { "core.cart_count",
	  "SELECT COUNT(*) FROM cart_item WHERE tenant_id = ? AND cart_id = ?" },
	[MG_SQL_CART_ITEM_PUT] = { "core.cart_item_put",
	  "INSERT INTO cart_item (tenant_id, cart_id, kind, resource_id, unit, module, variant_id, description, amount)"
	  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
	  " ON DUPLICATE KEY UPDATE module = VALUES(module), variant_id = VALUES(variant_id),"
	  " description = VALUES(description), amount = VALUES(amount)" },
	[MG_SQL_CART_ITEM_DELETE] = { "core.cart_item_delete",
	  "DELETE FROM cart_item WHERE tenant_id = ? AND cart_id = ? AND kind = ? AND resource_id = ? AND unit = ?" },
	[MG_SQL_CART_RENEW] = { "core.cart_renew",
	  "UPDATE cart SET expires_at = FROM_UNIXTIME(?) WHERE tenant_id = ? AND id = ?" },
	/* every unit the cart holds gets the cart's new expiry */
	[MG_SQL_CART_RENEW_UNITS] = { "core.cart_renew_units",
	  "UPDATE inventory_unit SET hold_expires = FROM_UNIXTIME(?)"
	  " WHERE tenant_id = ? AND hold_token = ? AND state = 'held'" },
	[MG_SQL_CART_SET_STATE] = { "core.cart_set_state",
	  "UPDATE cart SET state = ? WHERE tenant_id = ? AND id = ? AND state = 'open'" },
	[MG_SQL_CART__MAX] = { NULL, NULL },
};

enum mg_err mg_cart_hold_seconds(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, int *seconds)
{
	*seconds = MG_CART_HOLD_DEFAULT;
	struct mg_rows rows;
	struct mg_dbval args[] = { MG_INT(tenant) };
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_cart_statements[MG_SQL_CART_HOLD_SECONDS], args, 1, &rows, NULL, NULL);
	if (err != MG_OK || rows.nrows == 0)
		return err;
	long v = strtol(MG_CELL(&rows, 0, 0), NULL, 10);
	if (v >= MG_CART_HOLD_MIN && v <= MG_CART_HOLD_MAX)
		*seconds = (int)v;
	else
		mg_log_warn("cart: tenant %llu has cart_hold_seconds '%s' out of range; using %d",
			    (unsigned long long)tenant, MG_CELL(&rows, 0, 0), MG_CART_HOLD_DEFAULT);
	return MG_OK;
}

enum mg_err mg_cart_open(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t person_id,
			 uint64_t staff_id, time_t now, char token[MG_CART_TOKEN_CHARS + 1], struct mg_cart *out)
{
	int hold;
	enum mg_err err = mg_cart_hold_seconds(db, arena, tenant, &hold);
	if (err != MG_OK)
		return err;
	char hash[65];
	mg_token_new(token);
	mg_sha256_hex(token, strlen(token), hash);
	time_t expires = now + hold;
	struct mg_dbval args[] = { MG_INT(tenant),
				   MG_TEXT(hash),
				   person_id ? MG_INT(person_id) : MG_NULL,
				   staff_id ? MG_INT(staff_id) : MG_NULL,
				   MG_INT(now),
				   MG_INT(expires) };
	unsigned long long id = 0;
	if ((err = mg_db_exec(db, arena, &mg_cart_statements[MG_SQL_CART_INSERT], args, 6, NULL, NULL, &id)) != MG_OK)
		return err;
	*out = (struct mg_cart){ tenant, id, "open", person_id, staff_id, expires };
	return MG_OK;
}

/* Reads the cart by token (locking it when `statement` is core.cart_lock). */
static enum mg_err load_cart(struct mg_db *db, struct mg_arena *arena, const struct mg_sql *statement, uint64_t tenant,
			     const char *token, struct mg_cart *out)
{
	if (token == NULL || strlen(token) != MG_CART_TOKEN_CHARS)
		return MG_ERR_NOT_FOUND;
	char hash[65];
	mg_sha256_hex(token, strlen(token), hash);
	struct mg_rows rows;
	struct mg_dbval args[] = { MG_INT(tenant), MG_TEXT(hash) };
	enum mg_err err = mg_db_exec(db, arena, statement, args, 2, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	if (rows.nrows == 0)
		return MG_ERR_NOT_FOUND;
	*out = (struct mg_cart){ tenant,
				 mg_cell_u64(MG_CELL(&rows, 0, 0)),
				 MG_CELL(&rows, 0, 1),
				 mg_cell_u64(MG_CELL(&rows, 0, 2)),
				 mg_cell_u64(MG_CELL(&rows, 0, 3)),
				 (time_t)strtoll(MG_CELL(&rows, 0, 4), NULL, 10) };
	return MG_OK;
}

/* Open and within its hold, else the error that says why not. */
static enum mg_err usable(const struct mg_cart *cart, time_t now)
{
	if (strcmp(cart->state, "open") != 0)
		return MG_ERR_NOT_FOUND;
	return cart->expires_at < now ? MG_ERR_EXPIRED : MG_OK;
}

enum mg_err mg_cart_find(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const char *token, time_t now,
			 struct mg_cart *out)
{
	enum mg_err err = load_cart(db, arena, &mg_cart_statements[MG_SQL_CART_FIND], tenant, token, out);
	return err != MG_OK ? err : usable(out, now);
}

static enum mg_err load_items(struct mg_db *db, struct mg_arena *arena, struct mg_cart_view *view)
{
	struct mg_rows rows;
	struct mg_dbval args[] = { MG_INT(view->cart.tenant_id), MG_INT(view->cart.id) };
	enum mg_err err = mg_db_exec(db, arena, &mg_cart_statements[MG_SQL_CART_ITEMS], args, 2, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	view->n = rows.nrows;
	view->total = 0;
	view->items = mg_arena_alloc(arena, (rows.nrows + 1) * sizeof(*view->items));
	if (view->items == NULL)
		return MG_ERR_NOMEM;
	for (size_t r = 0; r < rows.nrows; r++) {
		struct mg_cart_item *it = &view->items[r];
		it->module = MG_CELL(&rows, r, 0);
		it->kind = MG_CELL(&rows, r, 1);
		it->resource = mg_cell_u64(MG_CELL(&rows, r, 2));
		it->unit = (uint32_t)mg_cell_u64(MG_CELL(&rows, r, 3));
		it->variant = mg_cell_u64(MG_CELL(&rows, r, 4));
		it->description = MG_CELL(&rows, r, 5);
		it->amount = (unsigned)mg_cell_u64(MG_CELL(&rows, r, 6));
		view->total += it->amount;
	}
	return MG_OK;
}

/* ---- add ---- */

struct add_job {
	struct mg_arena *arena;
	uint64_t tenant;
	const char *token;
	const struct mg_cart_add *add;
	time_t now;
	struct mg_cart_added *out;
};

static enum mg_err count_items(struct mg_db *db, struct mg_arena *arena, const struct mg_cart *cart, size_t *n)
{
	struct mg_rows rows;
	struct mg_dbval args[] = { MG_INT(cart->tenant_id), MG_INT(cart->id) };
	enum mg_err err = mg_db_exec(db, arena, &mg_cart_statements[MG_SQL_CART_COUNT], args, 2, &rows, NULL, NULL);
	if (err == MG_OK)
		*n = rows.nrows > 0 ? (size_t)mg_cell_u64(MG_CELL(&rows, 0, 0)) : 0;
	return err;
}

static enum mg_err hold_units(struct mg_db *db, struct add_job *j, const struct mg_cart *cart, time_t expires)
{
	const struct mg_cart_add *add = j->add;
	struct mg_cart_added *out = j->out;
	if (add->n > 0) {
		/* a private copy: hold() sorts it, and a retried transaction starts again from the ask */
		uint32_t *units = mg_arena_alloc(j->arena, add->n * sizeof(*units));
		if (units == NULL)
			return MG_ERR_NOMEM;
		memcpy(units, add->units, add->n * sizeof(*units));
		size_t n = mg_inventory_normalise(units, add->n);
		enum mg_err err = mg_inventory_hold(db, j->arena, j->tenant, add->kind, add->resource, units, n, cart->id,
						    expires, j->now, &out->unavailable, &out->nunavailable);
		if (err == MG_OK) {
			out->units = units;
			out->n = n;
		}
		return err;
	}
	out->units = mg_arena_alloc(j->arena, add->quantity * sizeof(*out->units));
	if (out->units == NULL)
		return MG_ERR_NOMEM;
	enum mg_err err = mg_inventory_hold_any(db, j->arena, j->tenant, add->kind, add->resource, add->quantity,
						cart->id, expires, j->now, out->units);
	if (err == MG_OK)
		out->n = add->quantity;
	return err;
}

static enum mg_err put_item(struct mg_db *db, struct mg_arena *arena, const struct mg_cart *cart,
			    const struct mg_cart_item *it)
{
	struct mg_dbval args[] = { MG_INT(cart->tenant_id), MG_INT(cart->id),	      MG_TEXT(it->kind),
				   MG_INT(it->resource),     MG_INT(it->unit),	      MG_TEXT(it->module),
				   it->variant ? MG_INT(it->variant) : MG_NULL, MG_TEXT(it->description),
				   MG_INT(it->amount) };
	return mg_db_exec(db, arena, &mg_cart_statements[MG_SQL_CART_ITEM_PUT], args, 9, NULL, NULL, NULL);
}

static enum mg_err renew(struct mg_db *db, struct mg_arena *arena, const struct mg_cart *cart, time_t expires)
{
	struct mg_dbval cart_args[] = { MG_INT(expires), MG_INT(cart->tenant_id), MG_INT(cart->id) };
	struct mg_dbval unit_args[] = { MG_INT(expires), MG_INT(cart->tenant_id), MG_INT(cart->id) };
	enum mg_err err = mg_db_exec(db, arena, &mg_cart_statements[MG_SQL_CART_RENEW], cart_args, 3, NULL, NULL, NULL);
	return err != MG_OK ? err
	                    : mg_db_exec(db, arena, &mg_cart_statements[MG_SQL_CART_RENEW_UNITS], unit_args, 3, NULL,
	                                 NULL, NULL);
}

static enum mg_err add_in_transaction(struct mg_db *db, void *arg)
{
	struct add_job *j = arg;
	const struct mg_cart_add *add = j->add;
	*j->out = (struct mg_cart_added){ 0 };
	struct mg_cart cart;
	enum mg_err err = load_cart(db, j->arena, &mg_cart_statements[MG_SQL_CART_LOCK], j->tenant, j->token, &cart);
	if (err != MG_OK || (err = usable(&cart, j->now)) != MG_OK)
		return err;
	size_t already = 0;
	if ((err = count_items(db, j->arena, &cart, &already)) != MG_OK)
		return err;
	size_t asked = add->n > 0 ? add->n : add->quantity;
	if (already + asked > MG_CART_UNITS_MAX)
		return MG_ERR_TOO_LARGE;
	int hold;
	if ((err = mg_cart_hold_seconds(db, j->arena, j->tenant, &hold)) != MG_OK)
		return err;
	time_t expires = j->now + hold;
	if ((err = hold_units(db, j, &cart, expires)) != MG_OK)
		return err;
	for (size_t i = 0; i < j->out->n; i++) {
		struct mg_cart_item it = { add->module, add->kind, add->resource, j->out->units[i], 0, "", 0 };
		if (add->describe != NULL && (err = add->describe(db, j->arena, add->arg, it.unit, &it)) != MG_OK)
			return err;
		it.module = add->module;
		it.kind = add->kind;
		it.resource = add->resource;
		it.unit = j->out->units[i];
		if ((err = put_item(db, j->arena, &cart, &it)) != MG_OK)
			return err;
	}
	if ((err = renew(db, j->arena, &cart, expires)) != MG_OK)
		return err;
	j->out->expires_at = expires;
	return MG_OK;
}

enum mg_err mg_cart_add_units(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const char *token,
			      const struct mg_cart_add *add, time_t now, struct mg_cart_added *out)
{
	*out = (struct mg_cart_added){ 0 };
	if (add->kind == NULL || add->module == NULL || (add->n == 0 && add->quantity == 0))
		return MG_ERR_INPUT;
	if (add->n > MG_CART_UNITS_MAX || add->quantity > MG_CART_UNITS_MAX)
		return MG_ERR_TOO_LARGE;
	struct add_job j = { arena, tenant, token, add, now, out };
	enum mg_err err = mg_db_transaction(db, add_in_transaction, &j);
	if (err != MG_OK) {
		/* the list of unavailable units survives the rollback (it is in the arena) */
		uint32_t *gone = out->unavailable;
		size_t ngone = out->nunavailable;
		*out = (struct mg_cart_added){ 0 };
		if (err == MG_ERR_CONFLICT) {
			out->unavailable = gone;
			out->nunavailable = ngone;
		}
	}
	return err;
}

/* ---- remove, view, abandon ---- */

struct remove_job {
	struct mg_arena *arena;
	uint64_t tenant;
	const char *token, *kind;
	uint64_t resource;
	uint32_t unit;
	time_t now;
};

static enum mg_err remove_in_transaction(struct mg_db *db, void *arg)
{
	struct remove_job *j = arg;
	struct mg_cart cart;
	enum mg_err err = load_cart(db, j->arena, &mg_cart_statements[MG_SQL_CART_LOCK], j->tenant, j->token, &cart);
	if (err != MG_OK || (err = usable(&cart, j->now)) != MG_OK)
		return err;
	struct mg_dbval args[] = { MG_INT(j->tenant), MG_INT(cart.id), MG_TEXT(j->kind), MG_INT(j->resource),
				   MG_INT(j->unit) };
	unsigned long long affected = 0;
	if ((err = mg_db_exec(db, j->arena, &mg_cart_statements[MG_SQL_CART_ITEM_DELETE], args, 5, NULL, &affected,
	                      NULL)) != MG_OK)
		return err;
	if (affected == 0)
		return MG_ERR_NOT_FOUND;
	return mg_inventory_release_unit(db, j->arena, j->tenant, j->kind, j->resource, j->unit, cart.id);
}

enum mg_err mg_cart_remove_unit(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const char *token,
				const char *kind, uint64_t resource, uint32_t unit, time_t now)
{
	struct remove_job j = { arena, tenant, token, kind, resource, unit, now };
	return mg_db_transaction(db, remove_in_transaction, &j);
}

enum mg_err mg_cart_view(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const char *token, time_t now,
			 struct mg_cart_view *out)
{
	*out = (struct mg_cart_view){ 0 };
	enum mg_err err = mg_cart_find(db, arena, tenant, token, now, &out->cart);
	return err != MG_OK ? err : load_items(db, arena, out);
}

struct abandon_job {
	struct mg_arena *arena;
	uint64_t tenant;
	const char *token;
};

static enum mg_err abandon_in_transaction(struct mg_db *db, void *arg)
{
	struct abandon_job *j = arg;
	struct mg_cart cart;
	enum mg_err err = load_cart(db, j->arena, &mg_cart_statements[MG_SQL_CART_LOCK], j->tenant, j->token, &cart);
	if (err != MG_OK)
		return err;
	if (strcmp(cart.state, "open") != 0)
		return MG_ERR_NOT_FOUND;
	struct mg_dbval args[] = { MG_TEXT("abandoned"), MG_INT(j->tenant), MG_INT(cart.id) };
	if ((err = mg_db_exec(db, j->arena, &mg_cart_statements[MG_SQL_CART_SET_STATE], args, 3, NULL, NULL, NULL)) !=
	    MG_OK)
		return err;
	return mg_inventory_release(db, j->arena, j->tenant, cart.id, NULL);
}

enum mg_err mg_cart_abandon(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const char *token)
{
	struct abandon_job j = { arena, tenant, token };
	return mg_db_transaction(db, abandon_in_transaction, &j);
}

/* ---- checkout's part ---- */

enum mg_err mg_cart_lock_for_checkout(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const char *token,
				      time_t now, struct mg_cart_view *out)
{
	*out = (struct mg_cart_view){ 0 };
	enum mg_err err = load_cart(db, arena, &mg_cart_statements[MG_SQL_CART_LOCK], tenant, token, &out->cart);
	if (err != MG_OK || (err = usable(&out->cart, now)) != MG_OK)
		return err;
	return load_items(db, arena, out);
}

enum mg_err mg_cart_mark_checked_out(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t cart_id)
{
	struct mg_dbval args[] = { MG_TEXT("checked_out"), MG_INT(tenant), MG_INT(cart_id) };
	unsigned long long affected = 0;
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_cart_statements[MG_SQL_CART_SET_STATE], args, 3, NULL, &affected, NULL);
	return err != MG_OK ? err : affected == 1 ? MG_OK : MG_ERR_CONFLICT;
}
