/*
 * The audit log: an append-only table (schema/core/0003_audit_log.sql) holding one SHA-256
 * hash chain per tenant. Row seq n stores the hash of row n-1 and the hash of its own
 * canonical serialisation, so `madoguchi audit verify` finds the first row that was changed,
 * removed or slipped in. The application account may only SELECT and INSERT the table
 * (core/db/grants.c); the chain is what catches whoever holds more rights than that.
 *
 * What the chain does not stop: an account that may INSERT can append well-formed rows that
 * never happened (the hash is not keyed), and an owner who rewrites the whole chain from some
 * row on, hashes included, leaves a chain that verifies. Handing out exports (which carry the
 * hashes) is what pins history down against that.
 */
#ifndef MG_AUDIT_H
#define MG_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "buf.h"
#include "db.h"
#include "err.h"

/* mg_audit_verify's tenant_id for "every tenant" (0 is the platform, a real chain). */
#define MG_AUDIT_ALL UINT64_MAX

/* Column widths in characters; longer text is cut (on a character boundary) before hashing. */
enum {
	MG_AUDIT_ACTOR_MAX = 100,
	MG_AUDIT_ACTION_MAX = 64,
	MG_AUDIT_OBJECT_MAX = 200,
	MG_AUDIT_IP_MAX = 45,
	MG_AUDIT_USER_AGENT_MAX = 300,
	MG_AUDIT_DETAIL_MAX = 500,
};

/*
 * One event. actor ("staff:12", "operator:3", "customer:88", "anonymous", "system:purge"),
 * action ([a-z0-9_.-]+, "login.failure") and outcome ("success", "failure" or "denied") are
 * required; object, ip and user_agent may be NULL (stored as ''), detail may be NULL (stored
 * as NULL, which hashes differently from ''). Text that is not valid UTF-8 has each bad byte
 * replaced by U+FFFD, so a hostile User-Agent can neither fail the insert nor the login that
 * records it.
 */
struct mg_audit_event {
	uint64_t tenant_id;
	const char *actor, *action, *object, *ip, *user_agent, *outcome, *detail;
};

/*
 * Appends ev to its tenant's chain. Must run inside a transaction (the caller's own, so that
 * e.g. a failed-login counter and its audit row commit or roll back together; use
 * mg_db_transaction, whose deadlock retry this relies on the first time a tenant's head row
 * is created). Locks the tenant's audit_head row until that transaction ends. Temporary
 * memory comes from arena. MG_ERR_INPUT for a missing actor or action, a malformed action or
 * an unknown outcome.
 */
enum mg_err mg_audit_append(struct mg_db *db, struct mg_arena *arena, const struct mg_audit_event *ev);

/* The same in a transaction of its own (deadlocks and lock-wait timeouts retried). */
enum mg_err mg_audit_record(struct mg_db *db, const struct mg_audit_event *ev);

struct mg_audit_verdict {
	bool intact;             /* every chain checked is whole */
	uint64_t rows;           /* rows checked */
	uint64_t tenants;        /* chains checked */
	uint64_t broken_tenants; /* chains found broken (each is reported by its first break) */
	/* the first break found (chains are checked in tenant_id order) */
	uint64_t tenant_id;
	uint64_t seq;
	char why[160]; /* "hash mismatch", "seq 7 missing", "head says 12 rows, chain has 11" … */
};

/*
 * Walks the chain of tenant_id (or of every tenant with MG_AUDIT_ALL) in seq order, in
 * batches, each chain within one consistent snapshot so appends going on meanwhile are not
 * mistaken for breaks: recomputes every hash, checks every prev_hash link, that seq runs
 * 1, 2, 3 … without a gap, and that audit_head ends where the chain ends. progress (may be
 * NULL) is called with the running row count every few thousand rows. Returns MG_OK when the
 * check ran, whatever it found (read *out); an error only when it could not run.
 */
enum mg_err mg_audit_verify(struct mg_db *db, uint64_t tenant_id, struct mg_audit_verdict *out,
			    void (*progress)(void *arg, uint64_t rows), void *arg);

/* --- the pure part, for the unit tests and for verify --- */

/* A row as hashed. at is "YYYY-MM-DD HH:MM:SS.ffffff" (UTC); detail may be NULL, the other
 * text fields may not. */
struct mg_audit_row {
	uint64_t tenant_id, seq;
	const char *at, *actor, *action, *object, *ip, *user_agent, *outcome, *detail, *prev_hash;
};

/*
 * The canonical serialisation: the tag "mg-audit-v1", then every field in the order of
 * struct mg_audit_row as a netstring "<decimal byte length>:<bytes>," (numbers as decimal
 * text), a NULL detail as "-,". Lengths come first, so no two different rows serialise to
 * the same bytes. Appended to out.
 */
void mg_audit_serialise(const struct mg_audit_row *row, struct mg_buf *out);

/* SHA-256 of mg_audit_serialise(row) as 64 lower-case hex digits. */
void mg_audit_hash(const struct mg_audit_row *row, char out[65]);

/* The 64 zeros that seq 1 carries as its prev_hash. */
extern const char mg_audit_genesis[65];

/*
 * s as it will be stored: invalid UTF-8 bytes replaced by U+FFFD, then cut to at most
 * max_chars characters. NULL stays NULL. Owned by arena.
 */
char *mg_audit_clean(struct mg_arena *arena, const char *s, size_t max_chars);

/* The operator command `madoguchi audit verify|record` (core/cli/cmd_audit.c). */

/* The audit statements ("core.audit_…"), registered by main.c. */
/* The statements of mg_audit_statements (audit.c); a call names one as &mg_audit_statements[<constant>]. */
enum mg_audit_sql {
	MG_SQL_AUDIT_HEAD_LOCK,
	MG_SQL_AUDIT_HEAD_CREATE,
	MG_SQL_AUDIT_INSERT,
	MG_SQL_AUDIT_HEAD_MOVE,
	MG_SQL_AUDIT_TENANTS,
	MG_SQL_AUDIT_HEAD_GET,
	MG_SQL_AUDIT_ROWS,
	MG_SQL_AUDIT_TENANT_BY_SLUG,
	MG_SQL_AUDIT_TENANT_SLUG,
	MG_SQL_AUDIT__MAX
};
extern const struct mg_sql mg_audit_statements[MG_SQL_AUDIT__MAX + 1];

#endif
