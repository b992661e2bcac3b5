/*
 * Carts (table cart, cart_item): what a buyer holds before checkout. The units a cart holds
 * are inventory units (core/commerce/inventory.h) whose hold token is the cart's id; the cart's
 * expires_at is the expiry of every one of them, renewed for all at each add. The buyer knows
 * the cart by a random token (mg_token_new); only its SHA-256 is stored.
 *
 * Each function is one unit of work with its own transaction (a 409 holds nothing, a lapsed
 * cart answers MG_ERR_EXPIRED). Modules call the ctx wrappers declared in core/module.h
 * ("carts and orders"); these db-level ones serve the core and the tests.
 */
#ifndef MG_CART_H
#define MG_CART_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "arena.h"
#include "db.h"
#include "err.h"

enum {
	MG_CART_HOLD_DEFAULT = 600, /* seconds a cart holds its units when the tenant set nothing */
	MG_CART_HOLD_MIN = 60,
	MG_CART_HOLD_MAX = 3600,
	MG_CART_UNITS_MAX = 50,     /* units in one cart, whatever the module allows */
	MG_CART_TOKEN_CHARS = 43,   /* = MG_TOKEN_CHARS */
};

/* The statements of mg_cart_statements (cart.c); a call names one as &mg_cart_statements[<constant>]. */
enum mg_cart_sql {
	MG_SQL_CART_HOLD_SECONDS,
	MG_SQL_CART_INSERT,
	MG_SQL_CART_FIND,
	MG_SQL_CART_LOCK,
	MG_SQL_CART_ITEMS,
	MG_SQL_CART_COUNT,
	MG_SQL_CART_ITEM_PUT,
	MG_SQL_CART_ITEM_DELETE,
	MG_SQL_CART_RENEW,
	MG_SQL_CART_RENEW_UNITS,
	MG_SQL_CART_SET_STATE,
	MG_SQL_CART__MAX
};
extern const struct mg_sql mg_cart_statements[MG_SQL_CART__MAX + 1];

struct mg_cart {
	uint64_t tenant_id, id;
	const char *state; /* "open", "checked_out", "abandoned" */
	uint64_t person_id, staff_id;
	time_t expires_at;
};

/* One unit in a cart. */
struct mg_cart_item {
	const char *module, *kind;
	uint64_t resource;
	uint32_t unit;
	uint64_t variant;        /* the module's choice for the unit (ticket type), 0 for none */
	const char *description; /* as the buyer reads it: "S席 1階 A列 12番 一般" */
	unsigned amount;         /* yen */
};

struct mg_cart_view {
	struct mg_cart cart;
	size_t n;
	struct mg_cart_item *items; /* in the order they were added (kind, resource, unit) */
	unsigned long long total;
};

/*
 * What to put in a cart: exact units (seats: units/n, all or nothing) or any `quantity` free
 * units (general admission, merchandise: n == 0). describe() names and prices each unit once
 * it is held, inside the same transaction; it may read the database. It returns MG_ERR_INPUT
 * (or another error) to refuse the unit, which rolls the whole add back.
 */
struct mg_cart_add {
	const char *module, *kind;
	uint64_t resource;
	uint32_t *units;
	size_t n;
	uint32_t quantity;
	enum mg_err (*describe)(struct mg_db *db, struct mg_arena *arena, void *arg, uint32_t unit,
				struct mg_cart_item *item);
	void *arg;
};

/* What an add did: the units now held (ascending), or on MG_ERR_CONFLICT the ones that were
 * not free (none of the asked are held then). Arrays in the arena. */
struct mg_cart_added {
	uint32_t *units;
	size_t n;
	uint32_t *unavailable;
	size_t nunavailable;
	time_t expires_at;
};

/* The tenant's hold time in seconds (tenant_setting 'cart_hold_seconds', else the default). */
enum mg_err mg_cart_hold_seconds(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, int *seconds);

/* A new open cart of the tenant; token (43 characters and the NUL) is the buyer's key to it.
 * person_id / staff_id may be 0. */
enum mg_err mg_cart_open(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t person_id,
			 uint64_t staff_id, time_t now, char token[MG_CART_TOKEN_CHARS + 1], struct mg_cart *out);

/* The cart the token names: MG_ERR_NOT_FOUND when none (or not open), MG_ERR_EXPIRED when its
 * hold lapsed. */
enum mg_err mg_cart_find(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const char *token, time_t now,
			 struct mg_cart *out);

/* Holds what `add` asks for and records the items; every unit of the cart is then held until
 * the new expiry. MG_ERR_CONFLICT (out->unavailable), MG_ERR_EXPIRED, MG_ERR_NOT_FOUND,
 * MG_ERR_TOO_LARGE (over MG_CART_UNITS_MAX) or describe()'s error: nothing changed. */
enum mg_err mg_cart_add_units(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const char *token,
			      const struct mg_cart_add *add, time_t now, struct mg_cart_added *out);

/* Takes one unit out of the cart and frees it; MG_ERR_NOT_FOUND when the cart lacks it. */
enum mg_err mg_cart_remove_unit(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const char *token,
				const char *kind, uint64_t resource, uint32_t unit, time_t now);

/* The cart with its items and total (an expired cart: MG_ERR_EXPIRED). */
enum mg_err mg_cart_view(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const char *token, time_t now,
			 struct mg_cart_view *out);

/* Abandons an open cart and frees what it held (expired or not). */
enum mg_err mg_cart_abandon(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const char *token);

/* For checkout (core/commerce/order.c), in its transaction: the open cart locked FOR UPDATE with its
 * items; MG_ERR_EXPIRED when lapsed, MG_ERR_NOT_FOUND when none or not open. */
enum mg_err mg_cart_lock_for_checkout(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const char *token,
				      time_t now, struct mg_cart_view *out);
/* Marks the locked cart checked out. In a transaction. */
enum mg_err mg_cart_mark_checked_out(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t cart_id);

#endif
