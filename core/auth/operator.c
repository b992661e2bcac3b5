#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "operator.h"
#include "tz_text.h"
#include "staff.h"

/* The login flow's statements (mg_operator_account) keep the staff's parameters, tenant_id
 * always 0. */
const struct mg_sql mg_operator_statements[] = {
	[MG_SQL_OPERATOR_INSERT] = { "core.operator_insert",
	  "INSERT INTO operator (tenant_id, login, name, password_hash, must_change_password) VALUES (0, ?, ?, ?, 1)" },
	[MG_SQL_OPERATOR_FOR_LOGIN] = { "core.operator_for_login",
	  "SELECT id, password_hash, active FROM operator WHERE tenant_id = ? AND login = ?" },
	[MG_SQL_OPERATOR_LOCK_STATE] = { "core.operator_lock_state",
	  "SELECT password_hash, failed_logins, COALESCE(UNIX_TIMESTAMP(locked_until), 0)"
	  " FROM operator WHERE tenant_id = ? AND id = ? FOR UPDATE" },
	[MG_SQL_OPERATOR_LOGIN_FAILED] = { "core.operator_login_failed",
	  "UPDATE operator SET failed_logins = ?, locked_until = IF(? = 0, locked_until, FROM_UNIXTIME(?))"
	  " WHERE tenant_id = ? AND id = ?" },
	[MG_SQL_OPERATOR_LOGIN_OK] = { "core.operator_login_ok",
	  "UPDATE operator SET failed_logins = 0, locked_until = NULL, last_login_at = FROM_UNIXTIME(?)"
	  " WHERE tenant_id = ? AND id = ?" },
	[MG_SQL_OPERATOR_PASSWORD_FOR_UPDATE] = { "core.operator_password_for_update",
	  "SELECT password_hash FROM operator WHERE tenant_id = ? AND id = ? FOR UPDATE" },
	[MG_SQL_OPERATOR_SET_PASSWORD] = { "core.operator_set_password",
	  "UPDATE operator SET password_hash = ?, must_change_password = 0, updated_at = FROM_UNIXTIME(?)"
	  " WHERE tenant_id = ? AND id = ?" },
	[MG_SQL_OPERATOR_HISTORY_INSERT] = { "core.operator_history_insert",
	  "INSERT INTO operator_password_history (tenant_id, operator_id, changed_at, password_hash)"
	  " VALUES (?, ?, UTC_TIMESTAMP(6), ?)" },
	[MG_SQL_OPERATOR_HISTORY_RECENT] = { "core.operator_history_recent",
	  "SELECT password_hash FROM operator_password_history WHERE tenant_id = ? AND operator_id = ?"
	  " ORDER BY changed_at DESC LIMIT 5" },
	[MG_SQL_OPERATOR_BY_ID] = { "core.operator_by_id",
	  "SELECT login, name, must_change_password, active FROM operator WHERE tenant_id = 0 AND id = ?" },
	[MG_SQL_OPERATOR_LIST] = { "core.operator_list",
	  "SELECT id, login, name, active, COALESCE(UNIX_TIMESTAMP(last_login_at), 0)"
	  " FROM operator WHERE tenant_id = 0 ORDER BY id" },
	[MG_SQL_OPERATOR__MAX] = { NULL, NULL },
};

const struct mg_account_kind mg_operator_account = {
	"operator",
	&mg_operator_statements[MG_SQL_OPERATOR_FOR_LOGIN],
	&mg_operator_statements[MG_SQL_OPERATOR_LOCK_STATE],
	&mg_operator_statements[MG_SQL_OPERATOR_LOGIN_FAILED],
	&mg_operator_statements[MG_SQL_OPERATOR_LOGIN_OK],
	&mg_operator_statements[MG_SQL_OPERATOR_PASSWORD_FOR_UPDATE],
	&mg_operator_statements[MG_SQL_OPERATOR_HISTORY_RECENT],
	&mg_operator_statements[MG_SQL_OPERATOR_SET_PASSWORD],
	&mg_operator_statements[MG_SQL_OPERATOR_HISTORY_INSERT],
};

bool mg_operator_login_ok(const char *login)
{
	size_t n = strlen(login);
	return n >= 1 && n <= 64 &&
	       strspn(login, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._@-") == n;
}

struct create_args {
	const char *login, *name, *hash;
	uint64_t id;
};

static enum mg_err create_txn(struct mg_db *db, void *arg)
{
	struct create_args *a = arg;
	struct mg_arena *arena = mg_arena_new();
	unsigned long long id = 0;
	struct mg_dbval row[] = { MG_TEXT(a->login), MG_TEXT(a->name), MG_TEXT(a->hash) };
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_operator_statements[MG_SQL_OPERATOR_INSERT], row, 3, NULL, NULL, &id);
	if (err == MG_OK) {
		struct mg_dbval history[] = { MG_INT(0), MG_INT(id), MG_TEXT(a->hash) };
		err = mg_db_exec(db, arena, &mg_operator_statements[MG_SQL_OPERATOR_HISTORY_INSERT], history, 3, NULL,
		                 NULL, NULL);
	}
	if (err == MG_OK)
		a->id = id;
	mg_arena_free(arena);
	return err;
}

enum mg_err mg_operator_create(struct mg_db *db, const char *login, const char *name, char initial[17],
			       uint64_t *id)
{
	char hash[MG_PASSWORD_HASH_MAX + 1];
	mg_initial_password(initial);
	enum mg_err err = mg_password_hash(initial, hash, sizeof(hash));
	if (err != MG_OK)
		return err;
	struct create_args a = { login, name, hash, 0 };
	if ((err = mg_db_transaction(db, create_txn, &a)) == MG_OK)
		*id = a.id;
	return err;
}

enum mg_err mg_operator_load(struct mg_db *db, struct mg_arena *arena, uint64_t id, struct mg_operator *out)
{
	struct mg_rows rows;
	struct mg_dbval key[] = { MG_INT(id) };
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_operator_statements[MG_SQL_OPERATOR_BY_ID], key, 1, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	if (rows.nrows == 0)
		return MG_ERR_NOT_FOUND;
	memset(out, 0, sizeof(*out));
	out->id = id;
	out->login = MG_CELL(&rows, 0, 0);
	out->name = MG_CELL(&rows, 0, 1);
	out->must_change_password = strcmp(MG_CELL(&rows, 0, 2), "1") == 0;
	out->active = strcmp(MG_CELL(&rows, 0, 3), "1") == 0;
	return MG_OK;
}

json_t *mg_operator_list(struct mg_db *db, struct mg_arena *arena, enum mg_err *err)
{
	struct mg_rows rows;
	*err = mg_db_exec(db, arena, &mg_operator_statements[MG_SQL_OPERATOR_LIST], NULL, 0, &rows, NULL, NULL);
	if (*err != MG_OK)
		return NULL;
	json_t *list = json_array();
	for (size_t r = 0; r < rows.nrows; r++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:b, s:s}", "id", MG_CELL(&rows, r, 0), "login",
						      MG_CELL(&rows, r, 1), "name", MG_CELL(&rows, r, 2), "active",
						      strcmp(MG_CELL(&rows, r, 3), "1") == 0, "last_login",
						      mg_tz_text_cell(arena, mg_tz_platform(), MG_CELL(&rows, r, 4), MG_TZ_MINUTE,
								      NULL)));
	return list;
}
