/*
 * Staff API tokens (see api_token.h): creating one and the look-up the bearer phase
 * (core/web/phases.c) makes for "Authorization: Bearer". Their page: core/web/api_token_pages.c.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "api_token.h"
#include "clock.h"


const struct mg_sql mg_api_token_statements[] = {
	[MG_SQL_API_TOKEN_INSERT] = { "core.api_token_insert",
	  "INSERT INTO api_token (tenant_id, staff_id, name, token_hash, created_at) VALUES (?, ?, ?, ?, FROM_UNIXTIME(?))" },
	[MG_SQL_API_TOKEN_FIND] = { "core.api_token_find",
	  "SELECT id, staff_id, COALESCE(UNIX_TIMESTAMP(last_used_at), 0) FROM api_token"
	  " WHERE tenant_id = ? AND token_hash = ? AND revoked_at IS NULL" },
	[MG_SQL_API_TOKEN_USED] = { "core.api_token_used",
	  "UPDATE api_token SET last_used_at = FROM_UNIXTIME(?) WHERE tenant_id = ? AND id = ?" },
	[MG_SQL_API_TOKEN_LIST] = { "core.api_token_list",
	  "SELECT id, staff_id, name, UNIX_TIMESTAMP(created_at), COALESCE(UNIX_TIMESTAMP(last_used_at), 0),"
	  " COALESCE(UNIX_TIMESTAMP(revoked_at), 0) FROM api_token WHERE tenant_id = ? ORDER BY id DESC" },
	[MG_SQL_API_TOKEN_GET] = { "core.api_token_get",
	  "SELECT id, name, revoked_at IS NOT NULL FROM api_token WHERE tenant_id = ? AND id = ?" },
	[MG_SQL_API_TOKEN_REVOKE] = { "core.api_token_revoke",
	  "UPDATE api_token SET revoked_at = FROM_UNIXTIME(?) WHERE tenant_id = ? AND id = ? AND revoked_at IS NULL" },
	[MG_SQL_API_TOKEN__MAX] = { NULL, NULL },
};

enum mg_err mg_api_token_create(struct mg_db *db, uint64_t tenant_id, uint64_t staff_id, const char *name,
				char token[MG_TOKEN_CHARS + 1], uint64_t *id)
{
	char hash[65];
	mg_token_new(token);
	mg_sha256_hex(token, strlen(token), hash);
	struct mg_arena *arena = mg_arena_new();
	unsigned long long insert_id = 0;
	struct mg_dbval args[] = { MG_INT(tenant_id), MG_INT(staff_id), MG_TEXT(name), MG_TEXT(hash), MG_INT(mg_now()) };
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_api_token_statements[MG_SQL_API_TOKEN_INSERT], args, 5, NULL, NULL, &insert_id);
	mg_arena_free(arena);
	*id = insert_id;
	if (err != MG_OK)
		OPENSSL_cleanse(token, MG_TOKEN_CHARS + 1);
	return err;
}

enum mg_err mg_api_token_authenticate(struct mg_db *db, struct mg_arena *arena, uint64_t tenant_id, const char *token,
				      uint64_t *token_id, uint64_t *staff_id)
{
	*token_id = *staff_id = 0;
	if (token == NULL || strlen(token) != MG_TOKEN_CHARS)
		return MG_ERR_NOT_FOUND;
	char hash[65];
	mg_sha256_hex(token, MG_TOKEN_CHARS, hash);
	struct mg_rows rows;
	struct mg_dbval key[] = { MG_INT(tenant_id), MG_TEXT(hash) };
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_api_token_statements[MG_SQL_API_TOKEN_FIND], key, 2, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	if (rows.nrows != 1)
		return MG_ERR_NOT_FOUND;
	*token_id = strtoull(MG_CELL(&rows, 0, 0), NULL, 10);
	*staff_id = strtoull(MG_CELL(&rows, 0, 1), NULL, 10);
	/* a scanner may send several requests a second: one write a minute says enough */
	time_t now = mg_now(), last = (time_t)strtoll(MG_CELL(&rows, 0, 2), NULL, 10);
	if (now - last < 60)
		return MG_OK;
	struct mg_dbval used[] = { MG_INT(now), MG_INT(tenant_id), MG_INT(*token_id) };
	return mg_db_exec(db, arena, &mg_api_token_statements[MG_SQL_API_TOKEN_USED], used, 3, NULL, NULL, NULL);
}
