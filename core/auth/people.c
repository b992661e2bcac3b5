#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "audit.h"
#include "clock.h"
#include "crypto.h"
#include "mail.h"
#include "people.h"

/* core/web/account.c runs its transactions on these too. */
const struct mg_sql mg_people_statements[] = {
	[MG_SQL_PEOPLE_PERSON_BY_EMAIL] = { "core.person_by_email",
	  "SELECT id, state, password_hash FROM person WHERE tenant_id = ? AND email_hmac = ?" },
	[MG_SQL_PEOPLE_PERSON_BY_EMAIL_FOR_UPDATE] = { "core.person_by_email_for_update",
	  "SELECT id, state FROM person WHERE tenant_id = ? AND email_hmac = ? FOR UPDATE" },
	[MG_SQL_PEOPLE_PERSON_INSERT] = { "core.person_insert",
	  "INSERT INTO person (tenant_id, email_hmac, email_sealed, name_sealed, phone_sealed, state, lang, created_at,"
	  " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, FROM_UNIXTIME(?), FROM_UNIXTIME(?))" },
	/* LAST_INSERT_ID(id) hands back the existing row's id on a duplicate address */
	[MG_SQL_PEOPLE_PERSON_UPSERT_GUEST] = { "core.person_upsert_guest",
	  "INSERT INTO person (tenant_id, email_hmac, email_sealed, name_sealed, phone_sealed, state, lang, created_at,"
	  " updated_at) VALUES (?, ?, ?, ?, ?, 'guest', ?, FROM_UNIXTIME(?), FROM_UNIXTIME(?))"
	  " ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id)" },
	/* a guest keeps the name it gave at checkout; name_sealed is set before state changes */
	[MG_SQL_PEOPLE_PERSON_SET_PENDING] = { "core.person_set_pending",
	  "UPDATE person SET name_sealed = IF(state = 'guest' AND name_sealed IS NOT NULL, name_sealed, ?),"
	  " state = 'pending', lang = ?, updated_at = FROM_UNIXTIME(?)"
	  " WHERE tenant_id = ? AND id = ? AND state IN ('pending', 'guest')" },
	[MG_SQL_PEOPLE_PERSON_BY_ID] = { "core.person_by_id",
	  "SELECT email_sealed, name_sealed, phone_sealed, state, lang FROM person WHERE tenant_id = ? AND id = ?" },
	[MG_SQL_PEOPLE_PERSON_SET_CONTACT] = { "core.person_set_contact",
	  "UPDATE person SET name_sealed = ?, phone_sealed = ?, updated_at = FROM_UNIXTIME(?) WHERE tenant_id = ? AND id = ?" },
	[MG_SQL_PEOPLE_PERSON_ACTIVATE] = { "core.person_activate",
	  "UPDATE person SET state = 'active', password_hash = ?, confirmed_at = FROM_UNIXTIME(?), failed_logins = 0,"
	  " locked_until = NULL, updated_at = FROM_UNIXTIME(?) WHERE tenant_id = ? AND id = ?" },
	[MG_SQL_PEOPLE_PERSON_SET_PASSWORD] = { "core.person_set_password",
	  "UPDATE person SET password_hash = ?, failed_logins = 0, locked_until = NULL, updated_at = FROM_UNIXTIME(?)"
	  " WHERE tenant_id = ? AND id = ? AND state = 'active'" },
	[MG_SQL_PEOPLE_PERSON_LOCK_STATE] = { "core.person_lock_state",
	  "SELECT password_hash, failed_logins, COALESCE(UNIX_TIMESTAMP(locked_until), 0), state FROM person"
	  " WHERE tenant_id = ? AND id = ? FOR UPDATE" },
	[MG_SQL_PEOPLE_PERSON_LOGIN_FAILED] = { "core.person_login_failed",
	  "UPDATE person SET failed_logins = ?, locked_until = IF(? = 0, locked_until, FROM_UNIXTIME(?))"
	  " WHERE tenant_id = ? AND id = ?" },
	[MG_SQL_PEOPLE_PERSON_LOGIN_OK] = { "core.person_login_ok",
	  "UPDATE person SET failed_logins = 0, locked_until = NULL, last_login_at = FROM_UNIXTIME(?)"
	  " WHERE tenant_id = ? AND id = ?" },
	[MG_SQL_PEOPLE_PERSON_TOKEN_INSERT] = { "core.person_token_insert",
	  "INSERT INTO person_token (tenant_id, token_hash, purpose, person_id, password_hash, created_at, expires_at)"
	  " VALUES (?, ?, ?, ?, ?, FROM_UNIXTIME(?), FROM_UNIXTIME(?))" },
	[MG_SQL_PEOPLE_PERSON_TOKEN_RECENT] = { "core.person_token_recent",
	  "SELECT COUNT(*) FROM person_token WHERE tenant_id = ? AND person_id = ? AND purpose = ?"
	  " AND created_at > FROM_UNIXTIME(?)" },
	[MG_SQL_PEOPLE_PERSON_TOKEN_FIND] = { "core.person_token_find",
	  "SELECT person_id, password_hash, UNIX_TIMESTAMP(expires_at), used_at IS NOT NULL FROM person_token"
	  " WHERE tenant_id = ? AND token_hash = ? AND purpose = ?" },
	[MG_SQL_PEOPLE_PERSON_TOKEN_LOCK] = { "core.person_token_lock",
	  "SELECT person_id, password_hash, UNIX_TIMESTAMP(expires_at), used_at IS NOT NULL FROM person_token"
	  " WHERE tenant_id = ? AND token_hash = ? AND purpose = ? FOR UPDATE" },
	/* using one link of a purpose spends every other of the person too */
	[MG_SQL_PEOPLE_PERSON_TOKEN_USE_ALL] = { "core.person_token_use_all",
	  "UPDATE person_token SET used_at = FROM_UNIXTIME(?)"
	  " WHERE tenant_id = ? AND person_id = ? AND purpose = ? AND used_at IS NULL" },
	[MG_SQL_PEOPLE__MAX] = { NULL, NULL },
};

static char dummy_hash[MG_PASSWORD_HASH_MAX + 1];

void mg_people_prepare(void)
{
	if (dummy_hash[0] == '\0')
		mg_password_hash("madoguchi-dummy-customer-password", dummy_hash, sizeof(dummy_hash));
}

enum mg_err mg_person_email_hmac(const unsigned char *tenant_key, const char *email, char out[65])
{
	static const char label[] = "email-lookup";
	char lookup_key[65];
	enum mg_err err = mg_hmac_sha256_hex(tenant_key, MG_KEY_BYTES, label, strlen(label), lookup_key);
	if (err == MG_OK) /* the derived key, as its 64 hex digits, keys the address's MAC */
		err = mg_hmac_sha256_hex((const unsigned char *)lookup_key, 64, email, strlen(email), out);
	OPENSSL_cleanse(lookup_key, sizeof(lookup_key));
	return err;
}

static void person_aad(char *out, size_t len, const char *column, uint64_t tenant_id)
{
	snprintf(out, len, "person.%s:tenant=%llu", column, (unsigned long long)tenant_id);
}

enum mg_err mg_person_seal(const unsigned char *tenant_key, uint64_t tenant_id, const char *column, const char *text,
			   struct mg_buf *out)
{
	char aad[64];
	person_aad(aad, sizeof(aad), column, tenant_id);
	return mg_seal(tenant_key, aad, text, strlen(text), out);
}

const char *mg_person_unseal(struct mg_arena *arena, const unsigned char *tenant_key, uint64_t tenant_id,
			     const char *column, const char *sealed, size_t len)
{
	if (sealed == NULL)
		return "";
	char aad[64];
	struct mg_buf plain;
	mg_buf_init(&plain);
	person_aad(aad, sizeof(aad), column, tenant_id);
	const char *text = NULL;
	if (mg_unseal(tenant_key, aad, sealed, len, &plain) == MG_OK)
		text = mg_arena_strndup(arena, plain.data ? plain.data : "", plain.len);
	OPENSSL_cleanse(plain.data, plain.len);
	mg_buf_free(&plain);
	return text;
}

/* Seals an optional field: an empty or NULL text stays NULL in the row. */
static enum mg_err seal_optional(const unsigned char *key, uint64_t tenant_id, const char *column, const char *text,
				 struct mg_buf *out, struct mg_dbval *val)
{
	*val = MG_NULL;
	if (text == NULL || text[0] == '\0')
		return MG_OK;
	enum mg_err err = mg_person_seal(key, tenant_id, column, text, out);
	if (err == MG_OK)
		*val = MG_BLOB(out->data, out->len);
	return err;
}

enum mg_err mg_person_upsert_guest(struct mg_db *db, const unsigned char *tenant_key, uint64_t tenant_id,
				   const char *email, const char *name, const char *phone, const char *lang,
				   uint64_t *id)
{
	char normal[MG_EMAIL_MAX + 1], hmac[65];
	if (!mg_email_normalise(email, normal, sizeof(normal)))
		return MG_ERR_INPUT;
	struct mg_buf sealed_email, sealed_name, sealed_phone;
	mg_buf_init(&sealed_email);
	mg_buf_init(&sealed_name);
	mg_buf_init(&sealed_phone);
	struct mg_arena *arena = mg_arena_new();
	struct mg_dbval name_val, phone_val;
	unsigned long long row_id = 0;
	enum mg_err err;
	if ((err = mg_person_email_hmac(tenant_key, normal, hmac)) != MG_OK ||
	    (err = mg_person_seal(tenant_key, tenant_id, "email", normal, &sealed_email)) != MG_OK ||
	    (err = seal_optional(tenant_key, tenant_id, "name", name, &sealed_name, &name_val)) != MG_OK ||
	    (err = seal_optional(tenant_key, tenant_id, "phone", phone, &sealed_phone, &phone_val)) != MG_OK)
		goto out;
	time_t now = mg_now();
	struct mg_dbval row[] = { MG_INT(tenant_id), MG_TEXT(hmac), MG_BLOB(sealed_email.data, sealed_email.len), name_val,
				  phone_val, MG_TEXT(lang && strcmp(lang, "en") == 0 ? "en" : "ja"), MG_INT(now),
				  MG_INT(now) };
	if ((err = mg_db_exec(db, arena, &mg_people_statements[MG_SQL_PEOPLE_PERSON_UPSERT_GUEST], row, 8, NULL, NULL,
	                      &row_id)) == MG_OK)
		*id = row_id;
out:
	mg_buf_free(&sealed_email);
	mg_buf_free(&sealed_name);
	mg_buf_free(&sealed_phone);
	mg_arena_free(arena);
	return err;
}

enum mg_err mg_person_load(struct mg_db *db, struct mg_arena *arena, const unsigned char *tenant_key,
			   uint64_t tenant_id, uint64_t id, struct mg_person *out)
{
	struct mg_rows rows;
	struct mg_dbval key[] = { MG_INT(tenant_id), MG_INT(id) };
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_people_statements[MG_SQL_PEOPLE_PERSON_BY_ID], key, 2, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	if (rows.nrows == 0)
		return MG_ERR_NOT_FOUND;
	memset(out, 0, sizeof(*out));
	out->tenant_id = tenant_id;
	out->id = id;
	out->email = mg_person_unseal(arena, tenant_key, tenant_id, "email", MG_CELL(&rows, 0, 0), rows.lens[0]);
	out->name = mg_person_unseal(arena, tenant_key, tenant_id, "name", MG_CELL(&rows, 0, 1), rows.lens[1]);
	out->phone = mg_person_unseal(arena, tenant_key, tenant_id, "phone", MG_CELL(&rows, 0, 2), rows.lens[2]);
	out->state = MG_CELL(&rows, 0, 3);
	out->lang = MG_CELL(&rows, 0, 4);
	if (out->email == NULL || out->name == NULL || out->phone == NULL)
		return MG_ERR_INPUT; /* sealed under another key: the data cannot be shown */
	return MG_OK;
}

enum mg_err mg_person_set_contact(struct mg_db *db, const unsigned char *tenant_key, uint64_t tenant_id, uint64_t id,
				  const char *name, const char *phone)
{
	struct mg_buf sealed_name, sealed_phone;
	mg_buf_init(&sealed_name);
	mg_buf_init(&sealed_phone);
	struct mg_arena *arena = mg_arena_new();
	struct mg_dbval name_val, phone_val;
	enum mg_err err;
	if ((err = seal_optional(tenant_key, tenant_id, "name", name, &sealed_name, &name_val)) != MG_OK ||
	    (err = seal_optional(tenant_key, tenant_id, "phone", phone, &sealed_phone, &phone_val)) != MG_OK)
		goto out;
	struct mg_dbval set[] = { name_val, phone_val, MG_INT(mg_now()), MG_INT(tenant_id), MG_INT(id) };
	err = mg_db_exec(db, arena, &mg_people_statements[MG_SQL_PEOPLE_PERSON_SET_CONTACT], set, 5, NULL, NULL, NULL);
out:
	mg_buf_free(&sealed_name);
	mg_buf_free(&sealed_phone);
	mg_arena_free(arena);
	return err;
}

/* --- login --- */

struct auth_args {
	uint64_t tenant_id;
	const char *ip, *user_agent;
	uint64_t id; /* found before the transaction */
	const char *hash;
	bool found, password_ok;
	enum mg_login_result result; /* decided inside it */
};

static enum mg_err audit_login(struct mg_db *db, struct mg_arena *arena, const struct auth_args *a, const char *action,
			       const char *outcome, const char *detail)
{
	const char *actor = a->found ? mg_arena_printf(arena, "customer:%llu", (unsigned long long)a->id) : "anonymous";
	const char *object = a->found ? mg_arena_printf(arena, "person:%llu", (unsigned long long)a->id) : "person:unknown";
	struct mg_audit_event ev = { a->tenant_id, actor, action, object, a->ip, a->user_agent, outcome, detail };
	return mg_audit_append(db, arena, &ev);
}

/* The locked part of a login; the password was checked before, outside the lock (as staff.c
 * does, so attempts on one account do not queue and tell that it exists). */
static enum mg_err auth_txn(struct mg_db *db, void *arg)
{
	struct auth_args *a = arg;
	struct mg_arena *arena = mg_arena_new();
	struct mg_rows rows;
	enum mg_err err;
	time_t now = mg_now();
	a->result = MG_LOGIN_BAD;
	if (!a->found) {
		err = audit_login(db, arena, a, "account.login.failure", "failure", "unknown address or no active account");
		goto out;
	}
	struct mg_dbval key[] = { MG_INT(a->tenant_id), MG_INT(a->id) };
	if ((err = mg_db_exec(db, arena, &mg_people_statements[MG_SQL_PEOPLE_PERSON_LOCK_STATE], key, 2, &rows, NULL,
	                      NULL)) != MG_OK)
		goto out;
	if (rows.nrows == 0 || MG_CELL(&rows, 0, 0) == NULL || strcmp(MG_CELL(&rows, 0, 0), a->hash) != 0 ||
	    strcmp(MG_CELL(&rows, 0, 3), "active") != 0) {
		err = audit_login(db, arena, a, "account.login.failure", "failure", "password changed during login");
		goto out;
	}
	if (strtoll(MG_CELL(&rows, 0, 2), NULL, 10) > now) {
		err = audit_login(db, arena, a, "account.login.failure", "denied", "account locked");
		goto out;
	}
	if (!a->password_ok) {
		int failures = atoi(MG_CELL(&rows, 0, 1)) + 1;
		long long lock = failures >= MG_LOGIN_MAX_FAILURES ? now + MG_LOCKOUT_SECONDS : 0;
		struct mg_dbval upd[] = { MG_INT(lock ? 0 : failures), MG_INT(lock), MG_INT(lock), MG_INT(a->tenant_id),
					  MG_INT(a->id) };
		if ((err = mg_db_exec(db, arena, &mg_people_statements[MG_SQL_PEOPLE_PERSON_LOGIN_FAILED], upd, 5, NULL,
		                      NULL, NULL)) != MG_OK ||
		    (err = audit_login(db, arena, a, "account.login.failure", "failure", "wrong password")) != MG_OK)
			goto out;
		if (lock != 0) {
			a->result = MG_LOGIN_LOCKED_NOW;
			err = audit_login(db, arena, a, "account.lock", "success", "5 failed logins: locked for 15 minutes");
		}
		goto out;
	}
	struct mg_dbval ok[] = { MG_INT(now), MG_INT(a->tenant_id), MG_INT(a->id) };
	if ((err = mg_db_exec(db, arena, &mg_people_statements[MG_SQL_PEOPLE_PERSON_LOGIN_OK], ok, 3, NULL, NULL,
	                      NULL)) != MG_OK ||
	    (err = audit_login(db, arena, a, "account.login.success", "success", NULL)) != MG_OK)
		goto out;
	a->result = MG_LOGIN_OK;
out:
	mg_arena_free(arena);
	return err;
}

enum mg_err mg_person_authenticate(struct mg_db *db, const unsigned char *tenant_key, uint64_t tenant_id,
				   const char *email, const char *password, const char *ip, const char *user_agent,
				   enum mg_login_result *result, uint64_t *id)
{
	struct auth_args a = { .tenant_id = tenant_id, .ip = ip, .user_agent = user_agent, .result = MG_LOGIN_BAD };
	struct mg_arena *arena = mg_arena_new();
	struct mg_rows rows;
	char hmac[65];
	bool rehash = false;
	enum mg_err err = mg_person_email_hmac(tenant_key, email, hmac);
	if (err != MG_OK)
		goto out;
	struct mg_dbval key[] = { MG_INT(tenant_id), MG_TEXT(hmac) };
	if ((err = mg_db_exec(db, arena, &mg_people_statements[MG_SQL_PEOPLE_PERSON_BY_EMAIL], key, 2, &rows, NULL,
	                      NULL)) != MG_OK)
		goto out;
	a.found = rows.nrows > 0 && strcmp(MG_CELL(&rows, 0, 1), "active") == 0 && MG_CELL(&rows, 0, 2) != NULL;
	if (a.found) {
		a.id = strtoull(MG_CELL(&rows, 0, 0), NULL, 10);
		a.hash = MG_CELL(&rows, 0, 2);
		if ((err = mg_password_verify(password, a.hash, &a.password_ok, &rehash)) != MG_OK)
			goto out;
	} else {
		bool ok;
		mg_people_prepare();
		mg_password_verify(password, dummy_hash, &ok, &rehash); /* the same time as a real check */
	}
	err = mg_db_transaction(db, auth_txn, &a);
out:
	*result = a.result;
	*id = a.result == MG_LOGIN_OK ? a.id : 0;
	mg_arena_free(arena);
	return err;
}
