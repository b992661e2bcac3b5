/*
 * Provisional holds: rows of provisional_hold over inventory units (see hold.h).
 */
#include <stdlib.h>
#include <string.h>

#include "hold.h"
#include "inventory.h"

#define HOLD_COLUMNS                                                                                               \
	"id, owner_kind, owner_id, state, units, COALESCE(order_id, 0), UNIX_TIMESTAMP(created_at),"               \
	" UNIX_TIMESTAMP(expires_at), COALESCE(UNIX_TIMESTAMP(closed_at), 0)"
enum { H_ID, H_OWNER_KIND, H_OWNER_ID, H_STATE, H_UNITS, H_ORDER, H_CREATED, H_EXPIRES, H_CLOSED };

const struct mg_sql mg_hold_statements[] = {
	[MG_SQL_HOLD_INSERT] = { "core.hold_insert",
	  "INSERT INTO provisional_hold (tenant_id, owner_kind, owner_id, state, created_at, expires_at)"
	  " VALUES (?, ?, ?, 'held', FROM_UNIXTIME(?), FROM_UNIXTIME(?))" },
	[MG_SQL_HOLD_BY_ID] = { "core.hold_by_id",
	  "SELECT " HOLD_COLUMNS " FROM provisional_hold WHERE tenant_id = ? AND id = ?" },
	[MG_SQL_HOLD_LOCK_BY_ID] = { "core.hold_lock_by_id",
	  "SELECT " HOLD_COLUMNS " FROM provisional_hold WHERE tenant_id = ? AND id = ? FOR UPDATE" },
	[MG_SQL_HOLD_BY_OWNER] = { "core.hold_by_owner",
	  "SELECT " HOLD_COLUMNS " FROM provisional_hold WHERE tenant_id = ? AND owner_kind = ? AND owner_id = ?"
	  " ORDER BY id DESC LIMIT 1" },
	/* the units it holds, counted (a unit held again is not counted twice): tenant, token, tenant, id */
	[MG_SQL_HOLD_COUNT_UNITS] = { "core.hold_count_units",
	  "UPDATE provisional_hold SET units = (SELECT COUNT(*) FROM inventory_unit WHERE tenant_id = ? AND hold_token = ?"
	  " AND state = 'held') WHERE tenant_id = ? AND id = ?" },
	[MG_SQL_HOLD_SET_ORDER] = { "core.hold_set_order",
	  "UPDATE provisional_hold SET order_id = ? WHERE tenant_id = ? AND id = ?" },
	/* state, order (or NULL: keep), closed, tenant, id; only a held hold changes */
	[MG_SQL_HOLD_SET_STATE] = { "core.hold_set_state",
	  "UPDATE provisional_hold SET state = ?, order_id = COALESCE(?, order_id), closed_at = FROM_UNIXTIME(?)"
	  " WHERE tenant_id = ? AND id = ? AND state = 'held'" },
	/* the lapse job: held holds past their deadline, without waiting on one someone holds */
	[MG_SQL_HOLD_DUE] = { "core.holds_due",
	  "SELECT id, order_id FROM provisional_hold WHERE tenant_id = ? AND state = 'held'"
	  " AND expires_at < FROM_UNIXTIME(?) ORDER BY expires_at LIMIT ? FOR UPDATE SKIP LOCKED" },
	[MG_SQL_HOLD__MAX] = { NULL, NULL },
};

uint64_t mg_hold_token(uint64_t hold_id)
{
	return MG_HOLD_TOKEN_BASE + hold_id;
}

enum mg_err mg_hold_create(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const char *owner_kind,
			   uint64_t owner_id, time_t expires, time_t now, uint64_t *id)
{
	*id = 0;
	if (owner_kind == NULL || strchr(owner_kind, '.') == NULL || strlen(owner_kind) > 32 ||
	    expires < now + MG_HOLD_SECONDS_MIN || expires > now + MG_HOLD_SECONDS_MAX)
		return MG_ERR_INPUT;
	unsigned long long made = 0;
	struct mg_dbval args[] = { MG_INT(tenant), MG_TEXT(owner_kind), MG_INT(owner_id), MG_INT(now), MG_INT(expires) };
	enum mg_err err = mg_db_exec(db, arena, &mg_hold_statements[MG_SQL_HOLD_INSERT], args, 5, NULL, NULL, &made);
	*id = made;
	return err;
}

static void hold_from_row(const struct mg_rows *rows, uint64_t tenant, struct mg_hold *h)
{
	*h = (struct mg_hold){ .tenant_id = tenant,
			       .id = mg_cell_u64(MG_CELL(rows, 0, H_ID)),
			       .owner_kind = MG_CELL(rows, 0, H_OWNER_KIND),
			       .owner_id = mg_cell_u64(MG_CELL(rows, 0, H_OWNER_ID)),
			       .state = MG_CELL(rows, 0, H_STATE),
			       .units = (unsigned)mg_cell_u64(MG_CELL(rows, 0, H_UNITS)),
			       .order_id = mg_cell_u64(MG_CELL(rows, 0, H_ORDER)),
			       .created_at = (time_t)mg_cell_u64(MG_CELL(rows, 0, H_CREATED)),
			       .expires_at = (time_t)mg_cell_u64(MG_CELL(rows, 0, H_EXPIRES)),
			       .closed_at = (time_t)mg_cell_u64(MG_CELL(rows, 0, H_CLOSED)) };
}

enum mg_err mg_hold_get(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t id, bool lock,
			struct mg_hold *out)
{
	struct mg_rows rows;
	struct mg_dbval args[] = { MG_INT(tenant), MG_INT(id) };
	enum mg_err err = mg_db_exec(db, arena, lock ? &mg_hold_statements[MG_SQL_HOLD_LOCK_BY_ID] : &mg_hold_statements[MG_SQL_HOLD_BY_ID], args, 2, &rows, NULL,
				     NULL);
	if (err != MG_OK)
		return err;
	if (rows.nrows == 0)
		return MG_ERR_NOT_FOUND;
	hold_from_row(&rows, tenant, out);
	return MG_OK;
}

enum mg_err mg_hold_of_owner(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const char *owner_kind,
			     uint64_t owner_id, struct mg_hold *out)
{
	struct mg_rows rows;
	struct mg_dbval args[] = { MG_INT(tenant), MG_TEXT(owner_kind), MG_INT(owner_id) };
	enum mg_err err = mg_db_exec(db, arena, &mg_hold_statements[MG_SQL_HOLD_BY_OWNER], args, 3, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	if (rows.nrows == 0)
		return MG_ERR_NOT_FOUND;
	hold_from_row(&rows, tenant, out);
	return MG_OK;
}

/* The hold, locked, when it is still held and unlapsed: else MG_ERR_EXPIRED. */
static enum mg_err live_hold(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t id, time_t now,
			     struct mg_hold *h)
{
	enum mg_err err = mg_hold_get(db, arena, tenant, id, true, h);
	if (err != MG_OK)
		return err;
	return strcmp(h->state, "held") == 0 && h->expires_at >= now ? MG_OK : MG_ERR_EXPIRED;
}

static enum mg_err count_units(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t id)
{
	struct mg_dbval args[] = { MG_INT(tenant), MG_INT(mg_hold_token(id)), MG_INT(tenant), MG_INT(id) };
	return mg_db_exec(db, arena, &mg_hold_statements[MG_SQL_HOLD_COUNT_UNITS], args, 4, NULL, NULL, NULL);
}

enum mg_err mg_hold_units(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t hold_id,
			  const char *kind, uint64_t resource, uint32_t *units, size_t n, time_t now,
			  uint32_t **unavailable, size_t *nunavailable)
{
	*unavailable = NULL;
	*nunavailable = 0;
	struct mg_hold h;
	enum mg_err err = live_hold(db, arena, tenant, hold_id, now, &h);
	if (err != MG_OK)
		return err;
	n = mg_inventory_normalise(units, n);
	if ((err = mg_inventory_hold(db, arena, tenant, kind, resource, units, n, mg_hold_token(hold_id), h.expires_at,
				     now, unavailable, nunavailable)) != MG_OK)
		return err;
	return count_units(db, arena, tenant, hold_id);
}

enum mg_err mg_hold_any(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t hold_id, const char *kind,
			uint64_t resource, uint32_t n, time_t now, uint32_t *out)
{
	struct mg_hold h;
	enum mg_err err = live_hold(db, arena, tenant, hold_id, now, &h);
	if (err != MG_OK)
		return err;
	if ((err = mg_inventory_hold_any(db, arena, tenant, kind, resource, n, mg_hold_token(hold_id), h.expires_at, now,
					 out)) != MG_OK)
		return err;
	return count_units(db, arena, tenant, hold_id);
}

static enum mg_err set_state(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t hold_id,
			     const char *state, uint64_t order_id, time_t now, bool *changed)
{
	unsigned long long affected = 0;
	struct mg_dbval args[] = { MG_TEXT(state), order_id ? MG_INT(order_id) : MG_NULL, MG_INT(now), MG_INT(tenant),
				   MG_INT(hold_id) };
	enum mg_err err = mg_db_exec(db, arena, &mg_hold_statements[MG_SQL_HOLD_SET_STATE], args, 5, NULL, &affected, NULL);
	if (changed != NULL)
		*changed = affected == 1;
	return err;
}

enum mg_err mg_hold_confirm(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t hold_id,
			    uint64_t order_id, time_t now)
{
	struct mg_hold h;
	enum mg_err err = live_hold(db, arena, tenant, hold_id, now, &h);
	if (err != MG_OK)
		return err;
	/* every unit must still be ours: a unit taken by someone after a lapse cannot be sold */
	if ((err = mg_inventory_confirm(db, arena, tenant, mg_hold_token(hold_id), h.units, order_id, now)) != MG_OK)
		return err;
	return set_state(db, arena, tenant, hold_id, "confirmed", order_id, now, NULL);
}

enum mg_err mg_hold_attach_order(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t hold_id,
				 uint64_t order_id)
{
	struct mg_dbval args[] = { MG_INT(order_id), MG_INT(tenant), MG_INT(hold_id) };
	return mg_db_exec(db, arena, &mg_hold_statements[MG_SQL_HOLD_SET_ORDER], args, 3, NULL, NULL, NULL);
}

enum mg_err mg_hold_close(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t hold_id,
			  const char *state, time_t now, bool *changed)
{
	*changed = false;
	if (strcmp(state, "released") != 0 && strcmp(state, "lapsed") != 0)
		return MG_ERR_INTERNAL;
	enum mg_err err = set_state(db, arena, tenant, hold_id, state, 0, now, changed);
	if (err != MG_OK || !*changed)
		return err;
	/* only units still carrying this hold's token: one taken by someone after the lapse is theirs */
	return mg_inventory_release(db, arena, tenant, mg_hold_token(hold_id), NULL);
}

enum mg_err mg_holds_due(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, time_t now, struct mg_rows *due)
{
	struct mg_dbval args[] = { MG_INT(tenant), MG_INT(now), MG_INT(MG_HOLD_LAPSE_BATCH) };
	return mg_db_exec(db, arena, &mg_hold_statements[MG_SQL_HOLD_DUE], args, 3, due, NULL, NULL);
}
