/*
 * Seats, places and slots: holding units so that none is ever sold twice (DESIGN.md, "Seat and
 * slot locking"). A unit is a row (tenant, kind, resource, unit) of inventory_unit in state
 * free, held, sold or blocked. Every change is one conditional UPDATE on the unit's key; no
 * GET_LOCK, table lock or in-process lock, so it works across hosts and scales with the number
 * of units, not the number of events.
 *
 * Functions marked "in a transaction" must be called from inside mg_db_transaction() (so that
 * the caller's other writes — cart items, order lines — commit or roll back with them, and a
 * deadlock retries the whole unit of work). The others open their own.
 *
 * A hold token is the id of the cart (or any caller-chosen number) that holds the units.
 * Times are mg_now() seconds; a hold with hold_expires < now counts as free everywhere.
 */
#ifndef MG_INVENTORY_H
#define MG_INVENTORY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "arena.h"
#include "db.h"
#include "err.h"

enum mg_unit_state { MG_UNIT_FREE, MG_UNIT_HELD, MG_UNIT_SOLD, MG_UNIT_BLOCKED };

/* "free", "held", "sold", "blocked". */
const char *mg_unit_state_name(enum mg_unit_state s);

/* The statements, registered by the core at start. */
/* The statements of mg_inventory_statements (inventory.c); a call names one as &mg_inventory_statements[<constant>]. */
enum mg_inventory_sql {
	MG_SQL_INVENTORY_ADD,
	MG_SQL_INVENTORY_TAKE,
	MG_SQL_INVENTORY_PICK,
	MG_SQL_INVENTORY_CONFIRM,
	MG_SQL_INVENTORY_RELEASE,
	MG_SQL_INVENTORY_RELEASE_UNIT,
	MG_SQL_INVENTORY_RELEASE_ORDER,
	MG_SQL_INVENTORY_BLOCK,
	MG_SQL_INVENTORY_UNBLOCK,
	MG_SQL_INVENTORY_VIEW,
	MG_SQL_INVENTORY_COUNTS,
	MG_SQL_INVENTORY_TENANTS,
	MG_SQL_INVENTORY_LAPSED,
	MG_SQL_INVENTORY_TIDY,
	MG_SQL_INVENTORY_TRIM_PICK,
	MG_SQL_INVENTORY_TRIM_DELETE,
	MG_SQL_INVENTORY_LAST_UNIT,
	MG_SQL_INVENTORY__MAX
};
extern const struct mg_sql mg_inventory_statements[MG_SQL_INVENTORY__MAX + 1];

/* Creates units first..first+count-1 of a resource in the given state (free or blocked);
 * existing units are left as they are. In a transaction. */
enum mg_err mg_inventory_add(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const char *kind,
			     uint64_t resource, uint32_t first, uint32_t count, enum mg_unit_state state);

/*
 * Holds exactly the given units for token until expires, all or nothing: units are taken in
 * ascending order (so concurrent holders never deadlock on each other); a unit the same token
 * already holds is renewed. When any unit is taken, MG_ERR_CONFLICT, and *unavailable (in the
 * arena) lists every unit that was not free — the caller's transaction must then roll back
 * (returning the error from its function does). units may be reordered. In a transaction.
 */
enum mg_err mg_inventory_hold(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const char *kind,
			      uint64_t resource, uint32_t *units, size_t n, uint64_t token, time_t expires,
			      time_t now, uint32_t **unavailable, size_t *nunavailable);

/*
 * Holds any n free units of a resource (general admission, merchandise stock): picks them with
 * SELECT … FOR UPDATE SKIP LOCKED, so concurrent buyers never queue on each other. On success
 * out (n entries, caller's) lists them in ascending order; MG_ERR_CONFLICT when fewer than n
 * are free. In a transaction.
 */
enum mg_err mg_inventory_hold_any(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const char *kind,
				  uint64_t resource, uint32_t n, uint64_t token, time_t expires, time_t now,
				  uint32_t *out);

/* Makes every unit the token holds, whose hold has not lapsed, sold to order_id. expected is
 * the number the caller's cart has: when fewer are still held, MG_ERR_EXPIRED (roll back).
 * In a transaction. */
enum mg_err mg_inventory_confirm(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t token,
				 size_t expected, uint64_t order_id, time_t now);

/* Frees what the token holds (a cart emptied or abandoned); *released may be NULL. */
enum mg_err mg_inventory_release(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t token,
				 size_t *released);
/* Frees one unit the token holds (removed from a cart). */
enum mg_err mg_inventory_release_unit(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const char *kind,
				      uint64_t resource, uint32_t unit, uint64_t token);
/* Frees every unit sold to order_id (cancelled, refunded or expired unpaid). In a transaction. */
enum mg_err mg_inventory_release_order(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t order_id,
				       size_t *released);

/* Blocks free units (house seats, kills) or releases blocked ones back to free. Units not in
 * the expected state are left alone; *changed counts the others. In a transaction. */
enum mg_err mg_inventory_block(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const char *kind,
			       uint64_t resource, const uint32_t *units, size_t n, time_t now, size_t *changed);
enum mg_err mg_inventory_unblock(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const char *kind,
				 uint64_t resource, const uint32_t *units, size_t n, size_t *changed);

/* The state of every unit of a resource as seen now (lapsed holds are free), in unit order;
 * states[i] is the state of unit units[i]; token[i] the holder (0 when none). Arrays in the
 * arena. */
struct mg_unit_view {
	size_t n;
	uint32_t *units;
	enum mg_unit_state *states;
	uint64_t *tokens;
	uint64_t *orders;
};
enum mg_err mg_inventory_view(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const char *kind,
			      uint64_t resource, time_t now, struct mg_unit_view *out);

/* How many units of a resource are in each state now (lapsed holds count as free). */
struct mg_unit_counts {
	uint64_t free, held, sold, blocked;
};
enum mg_err mg_inventory_counts(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const char *kind,
				uint64_t resource, time_t now, struct mg_unit_counts *out);

/* Tidies lapsed holds back to free (the core.hold_sweep job); *tidied may be NULL. */
enum mg_err mg_inventory_sweep(struct mg_db *db, struct mg_arena *arena, time_t now, size_t *tidied);

/* Removes n free units of a resource (a capacity lowered), the highest-numbered first; units
 * being held, sold or blocked stay. MG_ERR_CONFLICT when fewer than n are free (roll back).
 * In a transaction. */
enum mg_err mg_inventory_remove_free(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const char *kind,
				     uint64_t resource, uint32_t n, time_t now);
/* The highest unit number of a resource (0 when it has none): a capacity raised adds units
 * after it. */
enum mg_err mg_inventory_last_unit(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const char *kind,
				   uint64_t resource, uint32_t *last);

/* Pure helpers (unit-tested): sorts units ascending and drops repeats; returns the new n. */
size_t mg_inventory_normalise(uint32_t *units, size_t n);

#endif
