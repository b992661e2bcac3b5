/*
 * Holding, selling and releasing units with conditional row updates (see inventory.h).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "inventory.h"
#include "log.h"

/* A unit may be taken when it is free, or held by a hold that has lapsed (or by the taker). */
#define TAKEABLE "(state = 'free' OR (state = 'held' AND (hold_expires < FROM_UNIXTIME(?) OR hold_token = ?)))"
#define SEEN_STATE "IF(state = 'held' AND hold_expires < FROM_UNIXTIME(?), 'free', state)"

const struct mg_sql mg_inventory_statements[] = {
	/* the numbers first..last without a round trip each; the server allows a recursion of at
	 * most max_recursive_iterations (1000), so callers go in chunks of ADD_CHUNK */
	[MG_SQL_INVENTORY_ADD] = { "core.inventory_add",
	  "INSERT IGNORE INTO inventory_unit (tenant_id, kind, resource_id, unit, state)"
	  " WITH RECURSIVE n (u) AS (SELECT CAST(? AS UNSIGNED) UNION ALL SELECT u + 1 FROM n WHERE u < ?)"
	  " SELECT ?, ?, ?, u, ? FROM n" },
	[MG_SQL_INVENTORY_TAKE] = { "core.inventory_take",
	  "UPDATE inventory_unit SET state = 'held', hold_token = ?, hold_expires = FROM_UNIXTIME(?), order_id = NULL"
	  " WHERE tenant_id = ? AND kind = ? AND resource_id = ? AND unit = ? AND " TAKEABLE },
	[MG_SQL_INVENTORY_PICK] = { "core.inventory_pick",
	  "SELECT unit FROM inventory_unit WHERE tenant_id = ? AND kind = ? AND resource_id = ?"
	  " AND (state = 'free' OR (state = 'held' AND hold_expires < FROM_UNIXTIME(?)))"
	  " ORDER BY unit LIMIT ? FOR UPDATE SKIP LOCKED" },
	[MG_SQL_INVENTORY_CONFIRM] = { "core.inventory_confirm",
	  "UPDATE inventory_unit SET state = 'sold', order_id = ?, hold_token = NULL, hold_expires = NULL"
	  " WHERE tenant_id = ? AND hold_token = ? AND state = 'held' AND hold_expires >= FROM_UNIXTIME(?)" },
	[MG_SQL_INVENTORY_RELEASE] = { "core.inventory_release",
	  "UPDATE inventory_unit SET state = 'free', hold_token = NULL, hold_expires = NULL"
	  " WHERE tenant_id = ? AND hold_token = ? AND state = 'held'" },
	[MG_SQL_INVENTORY_RELEASE_UNIT] = { "core.inventory_release_unit",
	  "UPDATE inventory_unit SET state = 'free', hold_token = NULL, hold_expires = NULL"
	  " WHERE tenant_id = ? AND kind = ? AND resource_id = ? AND unit = ? AND hold_token = ? AND state = 'held'" },
	[MG_SQL_INVENTORY_RELEASE_ORDER] = { "core.inventory_release_order",
	  "UPDATE inventory_unit SET state = 'free', order_id = NULL"
	  " WHERE tenant_id = ? AND order_id = ? AND state = 'sold'" },
	[MG_SQL_INVENTORY_BLOCK] = { "core.inventory_block",
	  "UPDATE inventory_unit SET state = 'blocked', hold_token = NULL, hold_expires = NULL"
	  " WHERE tenant_id = ? AND kind = ? AND resource_id = ? AND unit = ?"
	  " AND (state = 'free' OR (state = 'held' AND hold_expires < FROM_UNIXTIME(?)))" },
	[MG_SQL_INVENTORY_UNBLOCK] = { "core.inventory_unblock",
	  "UPDATE inventory_unit SET state = 'free'"
	  " WHERE tenant_id = ? AND kind = ? AND resource_id = ? AND unit = ? AND state = 'blocked'" },
	[MG_SQL_INVENTORY_VIEW] = { "core.inventory_view",
	  "SELECT unit, " SEEN_STATE ", IF(state = 'held' AND hold_expires >= FROM_UNIXTIME(?), hold_token, NULL),"
	  " order_id FROM inventory_unit WHERE tenant_id = ? AND kind = ? AND resource_id = ? ORDER BY unit" },
	[MG_SQL_INVENTORY_COUNTS] = { "core.inventory_counts",
	  "SELECT " SEEN_STATE " AS seen, COUNT(*) FROM inventory_unit"
	  " WHERE tenant_id = ? AND kind = ? AND resource_id = ? GROUP BY seen" },
	/* the sweep: a consistent read per tenant (no lock, index inventory_unit_lapse), then each
	 * row tidied by its key with the lapse checked again */
	[MG_SQL_INVENTORY_TENANTS] = { "core.inventory_tenants", "SELECT id FROM tenant ORDER BY id" },
	[MG_SQL_INVENTORY_LAPSED] = { "core.inventory_lapsed",
	  "SELECT kind, resource_id, unit FROM inventory_unit"
	  " WHERE tenant_id = ? AND state = 'held' AND hold_expires < FROM_UNIXTIME(?) LIMIT 1000" },
	[MG_SQL_INVENTORY_TIDY] = { "core.inventory_tidy",
	  "UPDATE inventory_unit SET state = 'free', hold_token = NULL, hold_expires = NULL"
	  " WHERE tenant_id = ? AND kind = ? AND resource_id = ? AND unit = ?"
	  " AND state = 'held' AND hold_expires < FROM_UNIXTIME(?)" },
	/* capacity lowered (tickets catalog: GA quotas, merchandise stock): the highest free
	 * units go, each deleted by its key with its freedom checked again */
	[MG_SQL_INVENTORY_TRIM_PICK] = { "core.inventory_trim_pick",
	  "SELECT unit FROM inventory_unit WHERE tenant_id = ? AND kind = ? AND resource_id = ?"
	  " AND (state = 'free' OR (state = 'held' AND hold_expires < FROM_UNIXTIME(?)))"
	  " ORDER BY unit DESC LIMIT ? FOR UPDATE SKIP LOCKED" },
	[MG_SQL_INVENTORY_TRIM_DELETE] = { "core.inventory_trim_delete",
	  "DELETE FROM inventory_unit WHERE tenant_id = ? AND kind = ? AND resource_id = ? AND unit = ?"
	  " AND (state = 'free' OR (state = 'held' AND hold_expires < FROM_UNIXTIME(?)))" },
	[MG_SQL_INVENTORY_LAST_UNIT] = { "core.inventory_last_unit",
	  "SELECT COALESCE(MAX(unit), 0) FROM inventory_unit WHERE tenant_id = ? AND kind = ? AND resource_id = ?" },
	/* the resources as a JSON array read as a table, each joined by the unit key */
	[MG_SQL_INVENTORY_FREE_OF] = { "core.inventory_free_of",
	  "SELECT COUNT(*) FROM JSON_TABLE(?, '$[*]' COLUMNS (rid BIGINT UNSIGNED PATH '$')) AS j"
	  " JOIN inventory_unit u ON u.tenant_id = ? AND u.kind = ? AND u.resource_id = j.rid"
	  " WHERE u.state = 'free' OR (u.state = 'held' AND u.hold_expires < FROM_UNIXTIME(?))" },
	[MG_SQL_INVENTORY__MAX] = { NULL, NULL },
};

static const char *const state_names[] = { "free", "held", "sold", "blocked" };

const char *mg_unit_state_name(enum mg_unit_state s)
{
	return (unsigned)s < sizeof(state_names) / sizeof(state_names[0]) ? state_names[s] : "free";
}

static enum mg_unit_state state_from_name(const char *name)
{
	for (size_t i = 0; name != NULL && i < sizeof(state_names) / sizeof(state_names[0]); i++)
		if (strcmp(name, state_names[i]) == 0)
			return (enum mg_unit_state)i;
	return MG_UNIT_FREE;
}

static int compare_units(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

size_t mg_inventory_normalise(uint32_t *units, size_t n)
{
	if (n == 0)
		return 0;
	qsort(units, n, sizeof(*units), compare_units);
	size_t out = 1;
	for (size_t i = 1; i < n; i++)
		if (units[i] != units[out - 1])
			units[out++] = units[i];
	return out;
}

enum mg_err mg_inventory_add(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const char *kind,
			     uint64_t resource, uint32_t first, uint32_t count, enum mg_unit_state state)
{
	if (count == 0)
		return MG_OK;
	if (first == 0 || (state != MG_UNIT_FREE && state != MG_UNIT_BLOCKED))
		return MG_ERR_INTERNAL;
	enum { ADD_CHUNK = 1000 };
	uint64_t last = (uint64_t)first + count - 1;
	enum mg_err err = MG_OK;
	for (uint64_t from = first; err == MG_OK && from <= last; from += ADD_CHUNK) {
		uint64_t to = from + ADD_CHUNK - 1 < last ? from + ADD_CHUNK - 1 : last;
		struct mg_dbval args[] = { MG_INT(from),	 MG_INT(to),	   MG_INT(tenant),
					   MG_TEXT(kind), MG_INT(resource), MG_TEXT(mg_unit_state_name(state)) };
		err = mg_db_exec(db, arena, &mg_inventory_statements[MG_SQL_INVENTORY_ADD], args, 6, NULL, NULL, NULL);
	}
	return err;
}

/* Takes one unit for token; *taken says whether the conditional update matched. */
static enum mg_err take_unit(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const char *kind,
			     uint64_t resource, uint32_t unit, uint64_t token, time_t expires, time_t now, bool *taken)
{
	struct mg_dbval args[] = { MG_INT(token),  MG_INT(expires), MG_INT(tenant), MG_TEXT(kind),
				   MG_INT(resource), MG_INT(unit), MG_INT(now),    MG_INT(token) };
	unsigned long long affected = 0;
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_inventory_statements[MG_SQL_INVENTORY_TAKE], args, 8, NULL, &affected, NULL);
	*taken = err == MG_OK && affected == 1;
	return err;
}

enum mg_err mg_inventory_hold(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const char *kind,
			      uint64_t resource, uint32_t *units, size_t n, uint64_t token, time_t expires,
			      time_t now, uint32_t **unavailable, size_t *nunavailable)
{
	*unavailable = NULL;
	*nunavailable = 0;
	n = mg_inventory_normalise(units, n);
	if (n == 0)
		return MG_ERR_INPUT;
	uint32_t *missed = mg_arena_alloc(arena, n * sizeof(*missed));
	if (missed == NULL)
		return MG_ERR_NOMEM;
	size_t nmissed = 0;
	/* Ascending order: two carts wanting overlapping seats lock them in the same order, so
	 * one waits for the other instead of both deadlocking. Go on after a miss to name every
	 * unit that is gone; the caller rolls back anyway. */
	for (size_t i = 0; i < n; i++) {
		bool taken = false;
		enum mg_err err = take_unit(db, arena, tenant, kind, resource, units[i], token, expires, now, &taken);
		if (err != MG_OK)
			return err;
		if (!taken)
			missed[nmissed++] = units[i];
	}
	if (nmissed == 0)
		return MG_OK;
	*unavailable = missed;
	*nunavailable = nmissed;
	return MG_ERR_CONFLICT;
}

enum mg_err mg_inventory_hold_any(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const char *kind,
				  uint64_t resource, uint32_t n, uint64_t token, time_t expires, time_t now,
				  uint32_t *out)
{
	if (n == 0)
		return MG_ERR_INPUT;
	struct mg_dbval args[] = { MG_INT(tenant), MG_TEXT(kind), MG_INT(resource), MG_INT(now), MG_INT(n) };
	struct mg_rows rows;
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_inventory_statements[MG_SQL_INVENTORY_PICK], args, 5, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	if (rows.nrows < n)
		return MG_ERR_CONFLICT;
	for (size_t i = 0; i < n; i++) {
		out[i] = (uint32_t)strtoul(MG_CELL(&rows, i, 0), NULL, 10);
		bool taken = false;
		if ((err = take_unit(db, arena, tenant, kind, resource, out[i], token, expires, now, &taken)) != MG_OK)
			return err;
		if (!taken) /* we hold its row lock, so this cannot happen */
			return MG_ERR_INTERNAL;
	}
	return MG_OK;
}

enum mg_err mg_inventory_confirm(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t token,
				 size_t expected, uint64_t order_id, time_t now)
{
	struct mg_dbval args[] = { MG_INT(order_id), MG_INT(tenant), MG_INT(token), MG_INT(now) };
	unsigned long long affected = 0;
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_inventory_statements[MG_SQL_INVENTORY_CONFIRM], args, 4, NULL, &affected, NULL);
	if (err != MG_OK)
		return err;
	return affected == expected ? MG_OK : MG_ERR_EXPIRED;
}

enum mg_err mg_inventory_release(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t token,
				 size_t *released)
{
	struct mg_dbval args[] = { MG_INT(tenant), MG_INT(token) };
	unsigned long long affected = 0;
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_inventory_statements[MG_SQL_INVENTORY_RELEASE], args, 2, NULL, &affected, NULL);
	if (released != NULL)
		*released = (size_t)affected;
	return err;
}

enum mg_err mg_inventory_release_unit(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const char *kind,
				      uint64_t resource, uint32_t unit, uint64_t token)
{
	struct mg_dbval args[] = { MG_INT(tenant), MG_TEXT(kind), MG_INT(resource), MG_INT(unit), MG_INT(token) };
	return mg_db_exec(db, arena, &mg_inventory_statements[MG_SQL_INVENTORY_RELEASE_UNIT], args, 5, NULL, NULL,
	                  NULL);
}

enum mg_err mg_inventory_release_order(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t order_id,
				       size_t *released)
{
	struct mg_dbval args[] = { MG_INT(tenant), MG_INT(order_id) };
	unsigned long long affected = 0;
	enum mg_err err = mg_db_exec(db, arena, &mg_inventory_statements[MG_SQL_INVENTORY_RELEASE_ORDER], args, 2, NULL,
	                             &affected, NULL);
	if (released != NULL)
		*released = (size_t)affected;
	return err;
}

/* Applies a one-unit statement (block/unblock) to each unit in order; counts the matches. */
static enum mg_err change_units(struct mg_db *db, struct mg_arena *arena, const struct mg_sql *statement, uint64_t tenant,
				const char *kind, uint64_t resource, const uint32_t *units, size_t n, time_t now,
				bool with_now, size_t *changed)
{
	uint32_t *sorted = mg_arena_alloc(arena, (n ? n : 1) * sizeof(*sorted));
	if (sorted == NULL)
		return MG_ERR_NOMEM;
	memcpy(sorted, units, n * sizeof(*sorted));
	n = mg_inventory_normalise(sorted, n);
	size_t count = 0;
	for (size_t i = 0; i < n; i++) {
		struct mg_dbval args[] = { MG_INT(tenant), MG_TEXT(kind), MG_INT(resource), MG_INT(sorted[i]),
					   MG_INT(now) };
		unsigned long long affected = 0;
		enum mg_err err = mg_db_exec(db, arena, statement, args, with_now ? 5 : 4, NULL, &affected, NULL);
		if (err != MG_OK)
			return err;
		count += (size_t)affected;
	}
	if (changed != NULL)
		*changed = count;
	return MG_OK;
}

enum mg_err mg_inventory_block(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const char *kind,
			       uint64_t resource, const uint32_t *units, size_t n, time_t now, size_t *changed)
{
	return change_units(db, arena, &mg_inventory_statements[MG_SQL_INVENTORY_BLOCK], tenant, kind, resource, units,
	                    n, now, true, changed);
}

enum mg_err mg_inventory_unblock(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const char *kind,
				 uint64_t resource, const uint32_t *units, size_t n, size_t *changed)
{
	return change_units(db, arena, &mg_inventory_statements[MG_SQL_INVENTORY_UNBLOCK], tenant, kind, resource,
	                    units, n, 0, false, changed);
}

enum mg_err mg_inventory_view(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const char *kind,
			      uint64_t resource, time_t now, struct mg_unit_view *out)
{
	memset(out, 0, sizeof(*out));
	struct mg_dbval args[] = { MG_INT(now), MG_INT(now), MG_INT(tenant), MG_TEXT(kind), MG_INT(resource) };
	struct mg_rows rows;
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_inventory_statements[MG_SQL_INVENTORY_VIEW], args, 5, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	size_t n = rows.nrows ? rows.nrows : 1;
	out->units = mg_arena_alloc(arena, n * sizeof(*out->units));
	out->states = mg_arena_alloc(arena, n * sizeof(*out->states));
	out->tokens = mg_arena_alloc(arena, n * sizeof(*out->tokens));
	out->orders = mg_arena_alloc(arena, n * sizeof(*out->orders));
	if (out->units == NULL || out->states == NULL || out->tokens == NULL || out->orders == NULL)
		return MG_ERR_NOMEM;
	for (size_t r = 0; r < rows.nrows; r++) {
		out->units[r] = (uint32_t)mg_cell_u64(MG_CELL(&rows, r, 0));
		out->states[r] = state_from_name(MG_CELL(&rows, r, 1));
		out->tokens[r] = mg_cell_u64(MG_CELL(&rows, r, 2));
		out->orders[r] = mg_cell_u64(MG_CELL(&rows, r, 3));
	}
	out->n = rows.nrows;
	return MG_OK;
}

enum mg_err mg_inventory_counts(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const char *kind,
				uint64_t resource, time_t now, struct mg_unit_counts *out)
{
	memset(out, 0, sizeof(*out));
	struct mg_dbval args[] = { MG_INT(now), MG_INT(tenant), MG_TEXT(kind), MG_INT(resource) };
	struct mg_rows rows;
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_inventory_statements[MG_SQL_INVENTORY_COUNTS], args, 4, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	for (size_t r = 0; r < rows.nrows; r++) {
		uint64_t count = mg_cell_u64(MG_CELL(&rows, r, 1));
		switch (state_from_name(MG_CELL(&rows, r, 0))) {
		case MG_UNIT_FREE: out->free += count; break;
		case MG_UNIT_HELD: out->held += count; break;
		case MG_UNIT_SOLD: out->sold += count; break;
		case MG_UNIT_BLOCKED: out->blocked += count; break;
		}
	}
	return MG_OK;
}

/* Tidies one tenant's lapsed holds, a page at a time. */
static enum mg_err sweep_tenant(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, time_t now,
				size_t *tidied)
{
	for (;;) {
		struct mg_dbval args[] = { MG_INT(tenant), MG_INT(now) };
		struct mg_rows rows;
		enum mg_err err = mg_db_exec(db, arena, &mg_inventory_statements[MG_SQL_INVENTORY_LAPSED], args, 2,
		                             &rows, NULL, NULL);
		if (err != MG_OK)
			return err;
		for (size_t r = 0; r < rows.nrows; r++) {
			struct mg_dbval key[] = { MG_INT(tenant), MG_TEXT(MG_CELL(&rows, r, 0)),
						  MG_INT(mg_cell_u64(MG_CELL(&rows, r, 1))),
						  MG_INT(mg_cell_u64(MG_CELL(&rows, r, 2))), MG_INT(now) };
			unsigned long long affected = 0;
			if ((err = mg_db_exec(db, arena, &mg_inventory_statements[MG_SQL_INVENTORY_TIDY], key, 5, NULL,
			                      &affected, NULL)) != MG_OK)
				return err;
			*tidied += (size_t)affected;
		}
		if (rows.nrows < 1000)
			return MG_OK;
	}
}

enum mg_err mg_inventory_sweep(struct mg_db *db, struct mg_arena *arena, time_t now, size_t *tidied)
{
	size_t count = 0;
	struct mg_rows tenants;
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_inventory_statements[MG_SQL_INVENTORY_TENANTS], NULL, 0, &tenants, NULL, NULL);
	for (size_t t = 0; err == MG_OK && t < tenants.nrows; t++)
		err = sweep_tenant(db, arena, mg_cell_u64(MG_CELL(&tenants, t, 0)), now, &count);
	if (tidied != NULL)
		*tidied = count;
	return err;
}

enum mg_err mg_inventory_remove_free(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const char *kind,
				     uint64_t resource, uint32_t n, time_t now)
{
	if (n == 0)
		return MG_OK;
	struct mg_dbval args[] = { MG_INT(tenant), MG_TEXT(kind), MG_INT(resource), MG_INT(now), MG_INT(n) };
	struct mg_rows rows;
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_inventory_statements[MG_SQL_INVENTORY_TRIM_PICK], args, 5, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	/* units a buyer is taking this instant are skipped, not waited for: they count as taken */
	if (rows.nrows < n)
		return MG_ERR_CONFLICT;
	for (size_t r = 0; r < n; r++) {
		struct mg_dbval key[] = { MG_INT(tenant), MG_TEXT(kind), MG_INT(resource),
					  MG_INT(mg_cell_u64(MG_CELL(&rows, r, 0))), MG_INT(now) };
		unsigned long long affected = 0;
		if ((err = mg_db_exec(db, arena, &mg_inventory_statements[MG_SQL_INVENTORY_TRIM_DELETE], key, 5, NULL,
		                      &affected, NULL)) != MG_OK)
			return err;
		if (affected != 1) /* we hold its row lock, so this cannot happen */
			return MG_ERR_INTERNAL;
	}
	return MG_OK;
}

enum mg_err mg_inventory_last_unit(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const char *kind,
				   uint64_t resource, uint32_t *last)
{
	struct mg_dbval args[] = { MG_INT(tenant), MG_TEXT(kind), MG_INT(resource) };
	struct mg_rows rows;
	*last = 0;
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_inventory_statements[MG_SQL_INVENTORY_LAST_UNIT], args, 3, &rows, NULL, NULL);
	if (err == MG_OK && rows.nrows == 1)
		*last = (uint32_t)mg_cell_u64(MG_CELL(&rows, 0, 0));
	return err;
}

enum mg_err mg_inventory_free_of(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const char *kind,
				 const uint64_t *resources, size_t n, time_t now, uint64_t *free_units)
{
	*free_units = 0;
	if (n == 0)
		return MG_OK;
	struct mg_buf set;
	mg_buf_init(&set);
	for (size_t i = 0; i < n; i++)
		mg_buf_printf(&set, "%c%llu", i ? ',' : '[', (unsigned long long)resources[i]);
	mg_buf_puts(&set, "]");
	const char *json = mg_arena_strdup(arena, set.data);
	mg_buf_free(&set);
	if (json == NULL)
		return MG_ERR_NOMEM;
	struct mg_dbval args[] = { MG_TEXT(json), MG_INT(tenant), MG_TEXT(kind), MG_INT(now) };
	struct mg_rows rows;
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_inventory_statements[MG_SQL_INVENTORY_FREE_OF], args, 4, &rows, NULL, NULL);
	if (err == MG_OK && rows.nrows == 1)
		*free_units = mg_cell_u64(MG_CELL(&rows, 0, 0));
	return err;
}
