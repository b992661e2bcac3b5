/*
 * Provisional holds (仮予約, an enrolment awaiting payment, a waitlist offer): units held for a
 * booking, enrolment or offer of a module — its owner, (owner_kind, owner_id), e.g.
 * ("rentals.booking", 42) — until a deadline hours to weeks away, where a cart holds minutes.
 * A hold is confirmed by payment or staff approval (its units then sold to an order), or
 * lapses: past its deadline its units count as free at once (core/inventory's lapse rule,
 * nothing to wait for), and the job core.hold_sweep marks it 'lapsed', tidies its units and
 * expires the order waiting on it.
 *
 * The units are ordinary inventory units held with one conditional UPDATE each (no GET_LOCK,
 * no table lock); their hold token is MG_HOLD_TOKEN_BASE + the hold's id, so a provisional
 * hold and a cart (whose token is its id, far below) never share a token.
 *
 * Functions marked "in a transaction" run inside the caller's mg_db_transaction().
 */
#ifndef MG_HOLD_H
#define MG_HOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "arena.h"
#include "db.h"
#include "err.h"

#define MG_HOLD_TOKEN_BASE (UINT64_C(1) << 62)

enum {
	MG_HOLD_SECONDS_MIN = 60,            /* a minute: shorter is a cart's job */
	MG_HOLD_SECONDS_MAX = 90 * 86400,    /* ninety days */
	MG_HOLD_LAPSE_BATCH = 100,           /* holds one transaction of the job lapses */
};

/* The statements of mg_hold_statements (hold.c); a call names one as &mg_hold_statements[<constant>]. */
enum mg_hold_sql {
	MG_SQL_HOLD_INSERT,
	MG_SQL_HOLD_BY_ID,
	MG_SQL_HOLD_LOCK_BY_ID,
	MG_SQL_HOLD_BY_OWNER,
	MG_SQL_HOLD_COUNT_UNITS,
	MG_SQL_HOLD_SET_ORDER,
	MG_SQL_HOLD_SET_STATE,
	MG_SQL_HOLD_DUE,
	MG_SQL_HOLD__MAX
};
extern const struct mg_sql mg_hold_statements[MG_SQL_HOLD__MAX + 1];

struct mg_hold {
	uint64_t tenant_id, id, owner_id, order_id; /* order_id 0: none yet */
	const char *owner_kind;
	const char *state; /* "held", "confirmed", "lapsed", "released" */
	unsigned units;    /* how many units it holds */
	time_t created_at, expires_at, closed_at;
};

/* The inventory hold token of a hold. */
uint64_t mg_hold_token(uint64_t hold_id);

/* A new hold of owner (owner_kind "<module>.<what>") until expires, holding nothing yet;
 * MG_ERR_INPUT when expires is not MG_HOLD_SECONDS_MIN..MAX after now. In a transaction. */
enum mg_err mg_hold_create(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const char *owner_kind,
			   uint64_t owner_id, time_t expires, time_t now, uint64_t *id);

/* Holds exactly these units for the hold, all or nothing (mg_inventory_hold: MG_ERR_CONFLICT
 * with *unavailable listing those taken; roll back). MG_ERR_EXPIRED when the hold is no
 * longer held. In a transaction. */
enum mg_err mg_hold_units(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t hold_id,
			  const char *kind, uint64_t resource, uint32_t *units, size_t n, time_t now,
			  uint32_t **unavailable, size_t *nunavailable);
/* Holds any n free units of a resource for the hold (general admission, places of a session):
 * out (n, caller's) receives them. MG_ERR_CONFLICT when fewer are free. In a transaction. */
enum mg_err mg_hold_any(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t hold_id, const char *kind,
			uint64_t resource, uint32_t n, time_t now, uint32_t *out);

/* The hold (locked FOR UPDATE when lock; strings in the arena); MG_ERR_NOT_FOUND. */
enum mg_err mg_hold_get(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t id, bool lock,
			struct mg_hold *out);
/* The hold's owner's newest hold (any state); MG_ERR_NOT_FOUND. */
enum mg_err mg_hold_of_owner(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const char *owner_kind,
			     uint64_t owner_id, struct mg_hold *out);

/* Confirms a held, unlapsed hold: every unit it holds sold to order_id, the hold
 * 'confirmed'. MG_ERR_EXPIRED when it lapsed (or a unit was taken after a lapse): roll back.
 * In a transaction. */
enum mg_err mg_hold_confirm(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t hold_id,
			    uint64_t order_id, time_t now);
/* Ties the hold to the order waiting on it (its lapse expires that order). In a transaction. */
enum mg_err mg_hold_attach_order(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t hold_id,
				 uint64_t order_id);
/* Gives a held hold up ('released' by its owner, 'lapsed' by the job): its units freed.
 * Nothing happens to a hold no longer held (*changed false). In a transaction. */
enum mg_err mg_hold_close(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t hold_id,
			  const char *state, time_t now, bool *changed);
/* The ids and orders of up to MG_HOLD_LAPSE_BATCH held holds of a tenant past their deadline,
 * locked and skipping those someone else has locked (rows in the arena: id, order_id or
 * NULL). In a transaction. */
enum mg_err mg_holds_due(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, time_t now, struct mg_rows *due);

#endif
