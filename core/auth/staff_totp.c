/*
 * Two-factor login for staff (RFC 6238 TOTP) and the one-time recovery codes that replace a
 * lost phone. The secret is sealed with the tenant's data key; each code is accepted once
 * (totp_last_step). Recovery codes are stored as HMAC-SHA-256 under the tenant's data key,
 * bound to the account, so a copy of the table alone cannot test guesses, and destroying the
 * tenant key at the end of a contract leaves nothing usable. Wrong codes count toward the
 * same lockout as wrong passwords.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "audit.h"
#include "clock.h"
#include "crypto.h"
#include "i18n.h"
#include "staff.h"

const struct mg_sql mg_staff_totp_statements[] = {
	[MG_SQL_STAFF_TOTP_FOR_UPDATE] = { "core.staff_totp_for_update",
	  "SELECT totp_secret_sealed, totp_last_step, failed_logins, COALESCE(UNIX_TIMESTAMP(locked_until), 0), active"
	  " FROM staff WHERE tenant_id = ? AND id = ? FOR UPDATE" },
	[MG_SQL_STAFF_TOTP_USED] = { "core.staff_totp_used",
	  "UPDATE staff SET totp_last_step = ?, failed_logins = 0, locked_until = NULL WHERE tenant_id = ? AND id = ?" },
	[MG_SQL_STAFF_TOTP_SET] = { "core.staff_totp_set",
	  "UPDATE staff SET totp_secret_sealed = ?, totp_last_step = ?, updated_at = FROM_UNIXTIME(?)"
	  " WHERE tenant_id = ? AND id = ?" },
	[MG_SQL_STAFF_TOTP_STAFF_RECOVERY_CLEAR] = { "core.staff_recovery_clear",
	  "DELETE FROM staff_recovery_code WHERE tenant_id = ? AND staff_id = ?" },
	[MG_SQL_STAFF_TOTP_STAFF_RECOVERY_INSERT] = { "core.staff_recovery_insert",
	  "INSERT INTO staff_recovery_code (tenant_id, staff_id, code_hash) VALUES (?, ?, ?)" },
	[MG_SQL_STAFF_TOTP_STAFF_RECOVERY_USE] = { "core.staff_recovery_use",
	  "UPDATE staff_recovery_code SET used_at = FROM_UNIXTIME(?)"
	  " WHERE tenant_id = ? AND staff_id = ? AND code_hash = ? AND used_at IS NULL" },
	[MG_SQL_STAFF_TOTP_STAFF_RECOVERY_LEFT] = { "core.staff_recovery_left",
	  "SELECT COUNT(*) FROM staff_recovery_code WHERE tenant_id = ? AND staff_id = ? AND used_at IS NULL" },
	[MG_SQL_STAFF_TOTP__MAX] = { NULL, NULL },
};

enum { TOTP_WINDOW = 1 }; /* one 30-second step either side: clocks of phones drift */

static void totp_aad(uint64_t tenant_id, uint64_t id, char *out, size_t len)
{
	snprintf(out, len, "staff.totp:tenant=%llu:staff=%llu", (unsigned long long)tenant_id, (unsigned long long)id);
}

/* The stored form of a recovery code: HMAC under the tenant key, bound to the account. */
static enum mg_err recovery_hash(const unsigned char *key, uint64_t tenant_id, uint64_t id, const char *typed,
				 char out[65])
{
	char normal[32], message[96];
	mg_recovery_code_normalise(typed, normal, sizeof(normal));
	if (strlen(normal) != MG_RECOVERY_CHARS - 1)
		return MG_ERR_INPUT;
	snprintf(message, sizeof(message), "staff.recovery:%llu:%llu:%s", (unsigned long long)tenant_id,
		 (unsigned long long)id, normal);
	return mg_hmac_sha256_hex(key, MG_KEY_BYTES, message, strlen(message), out);
}

/* A code from an app is digits (possibly typed with spaces); anything else is tried as a
 * recovery code. */
static bool looks_like_totp(const char *code)
{
	size_t digits = 0;
	for (const unsigned char *c = (const unsigned char *)code; *c; c++) {
		if (*c >= '0' && *c <= '9')
			digits++;
		else if (*c == 0xef && c[1] == 0xbc && c[2] >= 0x90 && c[2] <= 0x99) /* full-width 0-9 */
			digits++, c += 2;
		else if (*c != ' ' && !(*c == 0xe3 && c[1] == 0x80 && c[2] == 0x80))
			return false;
		else if (*c == 0xe3)
			c += 2;
	}
	return digits == 6;
}

struct second_args {
	const unsigned char *key;
	uint64_t tenant_id, id;
	const char *code, *ip, *user_agent;
	enum mg_login_result result;
	bool used_recovery;
};

static enum mg_err audit_second(struct mg_db *db, struct mg_arena *arena, const struct second_args *a,
				const char *action, const char *outcome, const char *detail)
{
	const char *actor = a->result == MG_LOGIN_LOCKED_NOW && strcmp(action, "account.lock") == 0
				    ? "system"
				    : mg_arena_printf(arena, "staff:%llu", (unsigned long long)a->id);
	struct mg_audit_event ev = { a->tenant_id, actor, action,
				     mg_arena_printf(arena, "staff:%llu", (unsigned long long)a->id), a->ip,
				     a->user_agent, outcome, detail };
	return mg_audit_append(db, arena, &ev);
}

/* Checks the typed code against the secret or the unused recovery codes; on a match records
 * it as used. *matched tells. */
static enum mg_err match_code(struct mg_db *db, struct mg_arena *arena, struct second_args *a, struct mg_rows *row,
			      bool *matched)
{
	*matched = false;
	if (!looks_like_totp(a->code)) {
		char hash[65];
		if (recovery_hash(a->key, a->tenant_id, a->id, a->code, hash) != MG_OK)
			return MG_OK;
		unsigned long long affected = 0;
		struct mg_dbval use[] = { MG_INT(mg_now()), MG_INT(a->tenant_id), MG_INT(a->id), MG_TEXT(hash) };
		enum mg_err err = mg_db_exec(db, arena, &mg_staff_totp_statements[MG_SQL_STAFF_TOTP_STAFF_RECOVERY_USE],
		                             use, 4, NULL, &affected, NULL);
		*matched = err == MG_OK && affected == 1;
		a->used_recovery = *matched;
		return err;
	}
	char aad[96];
	struct mg_buf secret;
	mg_buf_init(&secret);
	totp_aad(a->tenant_id, a->id, aad, sizeof(aad));
	long long step = -1;
	if (MG_CELL(row, 0, 0) != NULL &&
	    mg_unseal(a->key, aad, MG_CELL(row, 0, 0), row->lens[0], &secret) == MG_OK && secret.data != NULL)
		*matched = mg_totp_verify(secret.data, a->code, mg_now(), TOTP_WINDOW, strtoll(MG_CELL(row, 0, 1), NULL, 10),
					  &step);
	if (secret.data != NULL)
		OPENSSL_cleanse(secret.data, secret.len);
	mg_buf_free(&secret);
	if (!*matched)
		return MG_OK;
	struct mg_dbval used[] = { MG_INT(step), MG_INT(a->tenant_id), MG_INT(a->id) };
	return mg_db_exec(db, arena, &mg_staff_totp_statements[MG_SQL_STAFF_TOTP_USED], used, 3, NULL, NULL, NULL);
}

static enum mg_err second_factor_txn(struct mg_db *db, void *arg)
{
	struct second_args *a = arg;
	struct mg_arena *arena = mg_arena_new();
	struct mg_rows rows;
	a->result = MG_LOGIN_BAD;
	a->used_recovery = false;
	struct mg_dbval key[] = { MG_INT(a->tenant_id), MG_INT(a->id) };
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_staff_totp_statements[MG_SQL_STAFF_TOTP_FOR_UPDATE], key, 2, &rows, NULL, NULL);
	if (err != MG_OK || rows.nrows == 0 || strcmp(MG_CELL(&rows, 0, 4), "1") != 0) {
		err = err != MG_OK ? err : MG_ERR_NOT_FOUND;
		goto out;
	}
	if (strtoll(MG_CELL(&rows, 0, 3), NULL, 10) > mg_now()) {
		err = audit_second(db, arena, a, "login.second_factor", "denied", "account locked");
		goto out;
	}
	bool matched = false;
	if ((err = match_code(db, arena, a, &rows, &matched)) != MG_OK)
		goto out;
	if (matched) {
		a->result = MG_LOGIN_OK;
		err = audit_second(db, arena, a, "login.second_factor", "success",
				   a->used_recovery ? "recovery code" : "authenticator code");
		goto out;
	}
	bool locked_now = false;
	if ((err = mg_staff_count_failure(db, arena, a->tenant_id, a->id, atoi(MG_CELL(&rows, 0, 2)), &locked_now)) !=
	    MG_OK)
		goto out;
	if ((err = audit_second(db, arena, a, "login.second_factor", "failure", "wrong code")) != MG_OK)
		goto out;
	if (locked_now) {
		a->result = MG_LOGIN_LOCKED_NOW;
		err = audit_second(db, arena, a, "account.lock", "success", "5 failed logins: locked for 15 minutes");
	}
out:
	mg_arena_free(arena);
	return err;
}

enum mg_err mg_staff_second_factor(struct mg_db *db, const unsigned char *tenant_key, uint64_t tenant_id, uint64_t id,
				   const char *code, const char *ip, const char *user_agent,
				   enum mg_login_result *result, bool *used_recovery)
{
	struct second_args a = { tenant_key, tenant_id, id, code, ip, user_agent, MG_LOGIN_BAD, false };
	enum mg_err err = mg_db_transaction(db, second_factor_txn, &a);
	*result = err == MG_OK ? a.result : MG_LOGIN_BAD;
	*used_recovery = a.used_recovery;
	return err;
}

/* --- enrolment --- */

/* The pending secret travels in the enrolment form, sealed and bound to the account and to
 * the time it was made, so nothing is stored until the user proves their app shows codes. */
enum { PENDING_LIFETIME = 15 * 60 };

static void pending_aad(uint64_t tenant_id, uint64_t id, char *out, size_t len)
{
	snprintf(out, len, "staff.totp.pending:tenant=%llu:staff=%llu", (unsigned long long)tenant_id,
		 (unsigned long long)id);
}

enum mg_err mg_staff_totp_pending_seal(const unsigned char *tenant_key, uint64_t tenant_id, uint64_t id,
				       const char *secret, struct mg_arena *arena, const char **sealed_b32)
{
	char plain[64], aad[96];
	struct mg_buf sealed;
	mg_buf_init(&sealed);
	snprintf(plain, sizeof(plain), "%lld|%s", (long long)mg_now(), secret);
	pending_aad(tenant_id, id, aad, sizeof(aad));
	enum mg_err err = mg_seal(tenant_key, aad, plain, strlen(plain), &sealed);
	OPENSSL_cleanse(plain, sizeof(plain));
	if (err == MG_OK) {
		size_t size = (sealed.len + 4) / 5 * 8 + 1;
		char *out = mg_arena_alloc(arena, size);
		if ((err = mg_base32_encode(sealed.data, sealed.len, out, size)) == MG_OK)
			*sealed_b32 = out;
	}
	mg_buf_free(&sealed);
	return err;
}

enum mg_err mg_staff_totp_pending_open(const unsigned char *tenant_key, uint64_t tenant_id, uint64_t id,
				       const char *sealed_b32, char secret[MG_TOTP_SECRET_CHARS + 1])
{
	unsigned char raw[160];
	size_t len = 0;
	char aad[96];
	struct mg_buf plain;
	mg_buf_init(&plain);
	secret[0] = '\0';
	pending_aad(tenant_id, id, aad, sizeof(aad));
	enum mg_err err = mg_base32_decode(sealed_b32, raw, sizeof(raw), &len);
	if (err == MG_OK)
		err = mg_unseal(tenant_key, aad, raw, len, &plain);
	if (err == MG_OK) {
		char *bar = plain.data ? strchr(plain.data, '|') : NULL;
		long long made = plain.data ? strtoll(plain.data, NULL, 10) : 0;
		if (bar == NULL || strlen(bar + 1) != MG_TOTP_SECRET_CHARS)
			err = MG_ERR_INPUT;
		else if (mg_now() - made > PENDING_LIFETIME)
			err = MG_ERR_EXPIRED;
		else
			memcpy(secret, bar + 1, MG_TOTP_SECRET_CHARS + 1);
	}
	if (plain.data != NULL)
		OPENSSL_cleanse(plain.data, plain.len);
	mg_buf_free(&plain);
	return err == MG_ERR_TOO_LARGE ? MG_ERR_INPUT : err;
}

struct enable_args {
	const unsigned char *key;
	uint64_t tenant_id, id;
	const char *secret;
	long long step;
	char (*codes)[MG_RECOVERY_CHARS + 1];
};

/* Replaces the account's recovery codes with MG_RECOVERY_CODES new ones. */
static enum mg_err new_recovery_codes(struct mg_db *db, struct mg_arena *arena, const unsigned char *key,
				      uint64_t tenant_id, uint64_t id, char (*codes)[MG_RECOVERY_CHARS + 1])
{
	struct mg_dbval owner[] = { MG_INT(tenant_id), MG_INT(id) };
	enum mg_err err = mg_db_exec(db, arena, &mg_staff_totp_statements[MG_SQL_STAFF_TOTP_STAFF_RECOVERY_CLEAR],
	                             owner, 2, NULL, NULL, NULL);
	for (int i = 0; err == MG_OK && i < MG_RECOVERY_CODES; i++) {
		char hash[65];
		mg_recovery_code_new(codes[i]);
		if ((err = recovery_hash(key, tenant_id, id, codes[i], hash)) != MG_OK)
			break;
		struct mg_dbval row[] = { MG_INT(tenant_id), MG_INT(id), MG_TEXT(hash) };
		err = mg_db_exec(db, arena, &mg_staff_totp_statements[MG_SQL_STAFF_TOTP_STAFF_RECOVERY_INSERT], row, 3,
		                 NULL, NULL, NULL);
	}
	return err;
}

static enum mg_err enable_txn(struct mg_db *db, void *arg)
{
	struct enable_args *a = arg;
	struct mg_arena *arena = mg_arena_new();
	struct mg_buf sealed;
	mg_buf_init(&sealed);
	char aad[96];
	totp_aad(a->tenant_id, a->id, aad, sizeof(aad));
	enum mg_err err = mg_seal(a->key, aad, a->secret, strlen(a->secret), &sealed);
	if (err == MG_OK) {
		struct mg_dbval set[] = { MG_BLOB(sealed.data, sealed.len), MG_INT(a->step), MG_INT(mg_now()),
					  MG_INT(a->tenant_id), MG_INT(a->id) };
		err = mg_db_exec(db, arena, &mg_staff_totp_statements[MG_SQL_STAFF_TOTP_SET], set, 5, NULL, NULL, NULL);
	}
	if (err == MG_OK)
		err = new_recovery_codes(db, arena, a->key, a->tenant_id, a->id, a->codes);
	mg_buf_free(&sealed);
	mg_arena_free(arena);
	return err;
}

enum mg_err mg_staff_totp_enable(struct mg_db *db, const unsigned char *tenant_key, uint64_t tenant_id, uint64_t id,
				 const char *secret, const char *code, char codes[MG_RECOVERY_CODES][MG_RECOVERY_CHARS + 1])
{
	long long step = -1;
	if (!mg_totp_verify(secret, code, mg_now(), TOTP_WINDOW, -1, &step))
		return MG_ERR_INPUT;
	struct enable_args a = { tenant_key, tenant_id, id, secret, step, codes };
	return mg_db_transaction(db, enable_txn, &a);
}

struct disable_args {
	uint64_t tenant_id, id;
};

static enum mg_err disable_txn(struct mg_db *db, void *arg)
{
	struct disable_args *a = arg;
	struct mg_arena *arena = mg_arena_new();
	struct mg_dbval set[] = { MG_NULL, MG_INT(0), MG_INT(mg_now()), MG_INT(a->tenant_id), MG_INT(a->id) };
	struct mg_dbval owner[] = { MG_INT(a->tenant_id), MG_INT(a->id) };
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_staff_totp_statements[MG_SQL_STAFF_TOTP_SET], set, 5, NULL, NULL, NULL);
	if (err == MG_OK)
		err = mg_db_exec(db, arena, &mg_staff_totp_statements[MG_SQL_STAFF_TOTP_STAFF_RECOVERY_CLEAR], owner, 2,
		                 NULL, NULL, NULL);
	mg_arena_free(arena);
	return err;
}

enum mg_err mg_staff_totp_disable(struct mg_db *db, uint64_t tenant_id, uint64_t id)
{
	struct disable_args a = { tenant_id, id };
	return mg_db_transaction(db, disable_txn, &a);
}

int mg_staff_recovery_codes_left(struct mg_db *db, struct mg_arena *arena, uint64_t tenant_id, uint64_t id)
{
	struct mg_rows rows;
	struct mg_dbval owner[] = { MG_INT(tenant_id), MG_INT(id) };
	if (mg_db_exec(db, arena, &mg_staff_totp_statements[MG_SQL_STAFF_TOTP_STAFF_RECOVERY_LEFT], owner, 2, &rows,
	               NULL, NULL) != MG_OK ||
	    rows.nrows == 0)
		return -1;
	return atoi(MG_CELL(&rows, 0, 0));
}
