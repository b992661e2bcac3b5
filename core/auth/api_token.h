/*
 * Staff API tokens (table api_token): an administrator creates one in the back office for a
 * gate scanner or another API client; it acts as one staff member with that member's role.
 * The token is shown once and stored as its SHA-256. core/http/http.c reads
 * "Authorization: Bearer <token>" on /<slug>/api/ routes only; a revoked token or a
 * deactivated member answers 401.
 */
#ifndef MG_API_TOKEN_H
#define MG_API_TOKEN_H

#include <stdint.h>

#include "arena.h"
#include "crypto.h"
#include "db.h"
#include "err.h"

/* The statements of mg_api_token_statements (api_token.c); a call names one as &mg_api_token_statements[<constant>]. */
enum mg_api_token_sql {
	MG_SQL_API_TOKEN_INSERT,
	MG_SQL_API_TOKEN_FIND,
	MG_SQL_API_TOKEN_USED,
	MG_SQL_API_TOKEN_LIST,
	MG_SQL_API_TOKEN_GET,
	MG_SQL_API_TOKEN_REVOKE,
	MG_SQL_API_TOKEN__MAX
};
extern const struct mg_sql mg_api_token_statements[MG_SQL_API_TOKEN__MAX + 1];

/* Creates a token acting as staff_id; token receives it (shown once, stored hashed). */
enum mg_err mg_api_token_create(struct mg_db *db, uint64_t tenant_id, uint64_t staff_id, const char *name,
				char token[MG_TOKEN_CHARS + 1], uint64_t *id);
/* The live (not revoked) token of this tenant: *token_id and *staff_id; MG_ERR_NOT_FOUND
 * when none. Records the use (last_used_at, at most once a minute). */
enum mg_err mg_api_token_authenticate(struct mg_db *db, struct mg_arena *arena, uint64_t tenant_id, const char *token,
				      uint64_t *token_id, uint64_t *staff_id);

#endif
