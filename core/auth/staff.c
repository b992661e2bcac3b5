#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit.h"
#include "buf.h"
#include "clock.h"
#include "crypto.h"
#include "i18n.h"
#include "log.h"
#include "session.h"
#include "staff.h"
#include "tz_text.h"

const struct mg_sql mg_staff_statements[] = {
	[MG_SQL_STAFF_INSERT] = { "core.staff_insert",
	  "INSERT INTO staff (tenant_id, login, name_sealed, role, password_hash, must_change_password)"
	  " VALUES (?, ?, ?, ?, ?, 1)" },
	[MG_SQL_STAFF_FOR_LOGIN] = { "core.staff_for_login",
	  "SELECT id, password_hash, active FROM staff WHERE tenant_id = ? AND login = ?" },
	[MG_SQL_STAFF_LOCK_STATE] = { "core.staff_lock_state",
	  "SELECT password_hash, failed_logins, COALESCE(UNIX_TIMESTAMP(locked_until), 0)"
	  " FROM staff WHERE tenant_id = ? AND id = ? FOR UPDATE" },
	[MG_SQL_STAFF_LOGIN_FAILED] = { "core.staff_login_failed",
	  "UPDATE staff SET failed_logins = ?, locked_until = IF(? = 0, locked_until, FROM_UNIXTIME(?))"
	  " WHERE tenant_id = ? AND id = ?" },
	[MG_SQL_STAFF_LOGIN_OK] = { "core.staff_login_ok",
	  "UPDATE staff SET failed_logins = 0, locked_until = NULL, last_login_at = FROM_UNIXTIME(?)"
	  " WHERE tenant_id = ? AND id = ?" },
	[MG_SQL_STAFF_BY_ID] = { "core.staff_by_id",
	  "SELECT login, role, must_change_password, active, name_sealed, totp_secret_sealed IS NOT NULL,"
	  " COALESCE(UNIX_TIMESTAMP(locked_until), 0), COALESCE(UNIX_TIMESTAMP(last_login_at), 0),"
	  " (SELECT t.time_zone FROM tenant t WHERE t.id = staff.tenant_id)"
	  " FROM staff WHERE tenant_id = ? AND id = ?" },
	[MG_SQL_STAFF_PASSWORD_FOR_UPDATE] = { "core.staff_password_for_update",
	  "SELECT password_hash FROM staff WHERE tenant_id = ? AND id = ? FOR UPDATE" },
	[MG_SQL_STAFF_SET_PASSWORD] = { "core.staff_set_password",
	  "UPDATE staff SET password_hash = ?, must_change_password = 0, updated_at = FROM_UNIXTIME(?)"
	  " WHERE tenant_id = ? AND id = ?" },
	[MG_SQL_STAFF_HISTORY_INSERT] = { "core.staff_history_insert",
	  "INSERT INTO staff_password_history (tenant_id, staff_id, changed_at, password_hash)"
	  " VALUES (?, ?, UTC_TIMESTAMP(6), ?)" },
	[MG_SQL_STAFF_HISTORY_RECENT] = { "core.staff_history_recent",
	  "SELECT password_hash FROM staff_password_history WHERE tenant_id = ? AND staff_id = ?"
	  " ORDER BY changed_at DESC LIMIT 5" },
	[MG_SQL_STAFF_LIST] = { "core.staff_list",
	  "SELECT id, login, role, active, name_sealed,"
	  " COALESCE(UNIX_TIMESTAMP(last_login_at), 0),"
	  " totp_secret_sealed IS NOT NULL, COALESCE(UNIX_TIMESTAMP(locked_until), 0),"
	  " (SELECT t.time_zone FROM tenant t WHERE t.id = staff.tenant_id)"
	  " FROM staff WHERE tenant_id = ? ORDER BY id" },
	[MG_SQL_STAFF_SET_ROLE] = { "core.staff_set_role",
	  "UPDATE staff SET role = ?, updated_at = FROM_UNIXTIME(?) WHERE tenant_id = ? AND id = ?" },
	[MG_SQL_STAFF_SET_ACTIVE] = { "core.staff_set_active",
	  "UPDATE staff SET active = ?, updated_at = FROM_UNIXTIME(?) WHERE tenant_id = ? AND id = ?" },
	[MG_SQL_STAFF_ISSUE_PASSWORD] = { "core.staff_issue_password",
	  "UPDATE staff SET password_hash = ?, must_change_password = 1, failed_logins = 0, locked_until = NULL,"
	  " updated_at = FROM_UNIXTIME(?) WHERE tenant_id = ? AND id = ?" },
	[MG_SQL_STAFF_UNLOCK] = { "core.staff_unlock",
	  "UPDATE staff SET failed_logins = 0, locked_until = NULL, updated_at = FROM_UNIXTIME(?)"
	  " WHERE tenant_id = ? AND id = ?" },
	[MG_SQL_STAFF_LOCKED] = { "core.staff_locked",
	  "SELECT id, login, UNIX_TIMESTAMP(locked_until), (SELECT t.time_zone FROM tenant t WHERE t.id = staff.tenant_id)"
	  " FROM staff WHERE tenant_id = ? AND locked_until > FROM_UNIXTIME(?) ORDER BY locked_until" },
	[MG_SQL_STAFF__MAX] = { NULL, NULL },
};

/* Passwords of 12 characters or more that lists of leaked passwords show people choose. */
/* A UNIX_TIMESTAMP() cell as "2026-05-01 19:00" in the tenant's zone; "" when never set. */
static const char *tenant_minute(struct mg_arena *arena, const char *zone, const char *unix_seconds)
{
	return mg_tz_text_cell(arena, zone, unix_seconds, MG_TZ_MINUTE, NULL);
}

static const char *const common_passwords[] = {
	"password1234", "password12345", "password123456", "passwordpassword", "password1234567",
	"123456789012", "1234567890123", "12345678901234", "123456789123", "1234567890qwerty",
	"qwertyuiop12", "qwertyuiop123", "qwerty123456", "qwertyuiopasdf", "qwertyuiopasdfgh",
	"asdfghjkl123", "1qaz2wsx3edc", "1qaz2wsx3edc4rfv", "zaq12wsxcde3", "qazwsxedcrfv",
	"abc123456789", "abcdefghijkl", "abcd12345678", "aaaaaaaaaaaa", "111111111111",
	"000000000000", "iloveyou1234", "welcome12345", "welcome123456", "letmein12345",
	"administrator", "administrator1", "admin1234567", "adminadmin12", "changeme1234",
	"football1234", "baseball1234", "sunshine1234", "princess1234", "starwars1234",
	"trustno11234", "monkey123456", "dragon123456", "master123456", "superman1234",
	"michael12345", "jennifer1234", "pokemon12345", "naruto123456", "doraemon1234",
	"sakura123456", "tokyo1234567", "nippon123456", "arigatou1234", "konnichiwa12",
	"madoguchi123", "madoguchi1234", "passw0rd1234", "p@ssw0rd1234", "p@ssword1234",
	"qwerty1234567", "1q2w3e4r5t6y", "1q2w3e4r5t6y7u", "q1w2e3r4t5y6", "987654321098",
	"123123123123", "121212121212", "123qweasdzxc", "zxcvbnm12345", "asdfasdfasdf",
	"qwertyqwerty", "iloveyouiloveyou", "computer1234", "internet1234", "whatever1234",
	NULL,
};

bool mg_staff_login_ok(const char *login)
{
	size_t n = strlen(login);
	return n >= 1 && n <= 64 &&
	       strspn(login, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._@-") == n;
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static int all_one_character(const char *s)
{
	for (const char *c = s + 1; *c; c++)
		if (*c != *s)
			return 0;
	return 1;
}

const char *mg_password_problem(const char *password, const char *login)
{
	if (utf8_chars(password) < 12)
		return N_("The password must be at least 12 characters long.");
	if (all_one_character(password))
		return N_("This password is too common. Choose another one.");
	for (int i = 0; common_passwords[i] != NULL; i++)
		if (strcasecmp(password, common_passwords[i]) == 0)
			return N_("This password is too common. Choose another one.");
	if (login != NULL && strlen(login) >= 3 && strcasestr(password, login) != NULL)
		return N_("The password must not contain your login ID.");
	return NULL;
}

void mg_initial_password(char out[17])
{
	/* no 0/O, 1/l/I: it is read off a screen and typed once */
	static const char alphabet[] = "ABCDEFGHJKMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789";
	const unsigned limit = 256 - 256 % (sizeof(alphabet) - 1);
	size_t n = 0;
	while (n < 16) {
		unsigned char b;
		mg_random_bytes(&b, 1);
		if (b < limit) /* rejection keeps every character equally likely */
			out[n++] = alphabet[b % (sizeof(alphabet) - 1)];
	}
	out[16] = '\0';
}

static void name_aad(uint64_t tenant_id, char *out, size_t len)
{
	snprintf(out, len, "staff.name:tenant=%llu", (unsigned long long)tenant_id);
}

struct create_args {
	const unsigned char *key;
	uint64_t tenant_id, id;
	const char *login, *name, *role, *hash;
};

static enum mg_err create_txn(struct mg_db *db, void *arg)
{
	struct create_args *a = arg;
	struct mg_arena *arena = mg_arena_new();
	struct mg_buf sealed;
	mg_buf_init(&sealed);
	char aad[64];
	unsigned long long id = 0;
	name_aad(a->tenant_id, aad, sizeof(aad));
	enum mg_err err = mg_seal(a->key, aad, a->name, strlen(a->name), &sealed);
	if (err != MG_OK)
		goto out;
	struct mg_dbval row[] = { MG_INT(a->tenant_id), MG_TEXT(a->login), MG_BLOB(sealed.data, sealed.len),
				  MG_TEXT(a->role), MG_TEXT(a->hash) };
	if ((err = mg_db_exec(db, arena, &mg_staff_statements[MG_SQL_STAFF_INSERT], row, 5, NULL, NULL, &id)) != MG_OK)
		goto out;
	struct mg_dbval history[] = { MG_INT(a->tenant_id), MG_INT(id), MG_TEXT(a->hash) };
	if ((err = mg_db_exec(db, arena, &mg_staff_statements[MG_SQL_STAFF_HISTORY_INSERT], history, 3, NULL, NULL,
	                      NULL)) != MG_OK)
		goto out;
	a->id = id;
out:
	mg_buf_free(&sealed);
	mg_arena_free(arena);
	return err;
}

enum mg_err mg_staff_create(struct mg_db *db, const unsigned char *tenant_key, uint64_t tenant_id,
			    const char *login, const char *name, const char *role, char initial[17], uint64_t *id)
{
	char hash[256];
	mg_initial_password(initial);
	enum mg_err err = mg_password_hash(initial, hash, sizeof(hash));
	if (err != MG_OK)
		return err;
	struct create_args a = { tenant_key, tenant_id, 0, login, name, role, hash };
	if ((err = mg_db_transaction(db, create_txn, &a)) == MG_OK)
		*id = a.id;
	return err;
}

const struct mg_account_kind mg_staff_account = {
	"staff",
	&mg_staff_statements[MG_SQL_STAFF_FOR_LOGIN],
	&mg_staff_statements[MG_SQL_STAFF_LOCK_STATE],
	&mg_staff_statements[MG_SQL_STAFF_LOGIN_FAILED],
	&mg_staff_statements[MG_SQL_STAFF_LOGIN_OK],
	&mg_staff_statements[MG_SQL_STAFF_PASSWORD_FOR_UPDATE],
	&mg_staff_statements[MG_SQL_STAFF_HISTORY_RECENT],
	&mg_staff_statements[MG_SQL_STAFF_SET_PASSWORD],
	&mg_staff_statements[MG_SQL_STAFF_HISTORY_INSERT],
};

struct auth_args {
	const struct mg_account_kind *kind;
	uint64_t tenant_id;
	const char *login, *password, *ip, *user_agent;
	/* found before the transaction */
	uint64_t id;
	const char *hash;
	bool found, password_ok;
	/* decided inside it */
	enum mg_login_result result;
};

static enum mg_err audit_login(struct mg_db *db, struct mg_arena *arena, const struct auth_args *a,
			       const char *actor, const char *action, const char *outcome, const char *detail)
{
	struct mg_audit_event ev = { a->tenant_id, actor, action, mg_arena_printf(arena, "login:%s", a->login),
				     a->ip, a->user_agent, outcome, detail };
	return mg_audit_append(db, arena, &ev);
}

static char dummy_hash[MG_PASSWORD_HASH_MAX + 1];

void mg_staff_prepare(void)
{
	if (dummy_hash[0] == '\0')
		mg_password_hash("madoguchi-dummy-password", dummy_hash, sizeof(dummy_hash));
}

/* Spends the time of a real check, so a missing account is not faster to refuse. */
static void verify_dummy(const char *password)
{
	bool ok, rehash;
	mg_staff_prepare();
	mg_password_verify(password, dummy_hash, &ok, &rehash);
}

/*
 * Counts one failure under the row lock; the fifth locks the account for 15 minutes and ends
 * its sessions. *locked_now tells the caller.
 */
static enum mg_err count_failure(struct mg_db *db, struct mg_arena *arena, const struct mg_account_kind *kind, uint64_t tenant_id,
				 uint64_t id, int failures, bool *locked_now)
{
	time_t now = mg_now();
	failures++;
	long long lock = failures >= MG_LOGIN_MAX_FAILURES ? now + MG_LOCKOUT_SECONDS : 0;
	struct mg_dbval upd[] = { MG_INT(lock ? 0 : failures), MG_INT(lock), MG_INT(lock), MG_INT(tenant_id), MG_INT(id) };
	enum mg_err err = mg_db_exec(db, arena, kind->login_failed, upd, 5, NULL, NULL, NULL);
	*locked_now = err == MG_OK && lock != 0;
	if (*locked_now)
		err = mg_db_exec(db, arena, &mg_session_statements[MG_SQL_SESSION_DELETE_SUBJECT],
				 (struct mg_dbval[]){ MG_INT(tenant_id), MG_TEXT(kind->name), MG_INT(id) }, 3, NULL, NULL, NULL);
	return err;
}

enum mg_err mg_staff_count_failure(struct mg_db *db, struct mg_arena *arena, uint64_t tenant_id, uint64_t id,
				   int failures, bool *locked_now)
{
	return count_failure(db, arena, &mg_staff_account, tenant_id, id, failures, locked_now);
}

/*
 * The short, locked part of a login: the password was checked before, outside any lock, so
 * attempts on an existing account do not queue behind each other (which would tell an
 * attacker the ID exists). Here only the counters move, together with the audit rows.
 */
static enum mg_err auth_txn(struct mg_db *db, void *arg)
{
	struct auth_args *a = arg;
	struct mg_arena *arena = mg_arena_new();
	struct mg_rows rows;
	a->result = MG_LOGIN_BAD;
	enum mg_err err;
	if (!a->found) {
		err = audit_login(db, arena, a, "anonymous", "login.failure", "failure", "unknown or inactive login");
		goto out;
	}
	const char *actor = mg_arena_printf(arena, "%s:%llu", a->kind->name, (unsigned long long)a->id);
	struct mg_dbval key[] = { MG_INT(a->tenant_id), MG_INT(a->id) };
	if ((err = mg_db_exec(db, arena, a->kind->lock_state, key, 2, &rows, NULL, NULL)) != MG_OK)
		goto out;
	if (rows.nrows == 0 || strcmp(MG_CELL(&rows, 0, 0), a->hash) != 0) {
		/* the password changed meanwhile: the check above no longer counts */
		err = audit_login(db, arena, a, actor, "login.failure", "failure", "password changed during login");
		goto out;
	}
	int failures = atoi(MG_CELL(&rows, 0, 1));
	if (strtoll(MG_CELL(&rows, 0, 2), NULL, 10) > mg_now()) {
		err = audit_login(db, arena, a, actor, "login.failure", "denied", "account locked");
		goto out;
	}
	if (!a->password_ok) {
		bool locked_now = false;
		if ((err = count_failure(db, arena, a->kind, a->tenant_id, a->id, failures, &locked_now)) != MG_OK)
			goto out;
		if ((err = audit_login(db, arena, a, actor, "login.failure", "failure", "wrong password")) != MG_OK)
			goto out;
		if (locked_now) {
			a->result = MG_LOGIN_LOCKED_NOW;
			err = audit_login(db, arena, a, "system", "account.lock", "success",
					  "5 failed logins: locked for 15 minutes");
		}
		goto out;
	}
	struct mg_dbval upd[] = { MG_INT(mg_now()), MG_INT(a->tenant_id), MG_INT(a->id) };
	if ((err = mg_db_exec(db, arena, a->kind->login_ok, upd, 3, NULL, NULL, NULL)) != MG_OK)
		goto out;
	if ((err = audit_login(db, arena, a, actor, "login.success", "success", NULL)) != MG_OK)
		goto out;
	a->result = MG_LOGIN_OK;
out:
	mg_arena_free(arena);
	return err;
}

enum mg_err mg_staff_authenticate(struct mg_db *db, uint64_t tenant_id, const char *login, const char *password,
				  const char *ip, const char *user_agent, enum mg_login_result *result, uint64_t *id)
{
	return mg_account_authenticate(db, &mg_staff_account, tenant_id, login, password, ip, user_agent, result, id);
}

enum mg_err mg_account_authenticate(struct mg_db *db, const struct mg_account_kind *kind, uint64_t tenant_id, const char *login,
				    const char *password, const char *ip, const char *user_agent,
				    enum mg_login_result *result, uint64_t *id)
{
	struct auth_args a = { .kind = kind, .tenant_id = tenant_id, .login = login, .password = password, .ip = ip,
			       .user_agent = user_agent, .result = MG_LOGIN_BAD };
	struct mg_arena *arena = mg_arena_new();
	struct mg_rows rows;
	struct mg_dbval key[] = { MG_INT(tenant_id), MG_TEXT(login) };
	bool rehash = false;
	enum mg_err err = mg_db_exec(db, arena, kind->for_login, key, 2, &rows, NULL, NULL);
	if (err != MG_OK)
		goto out;
	a.found = rows.nrows > 0 && strcmp(MG_CELL(&rows, 0, 2), "1") == 0;
	if (a.found) {
		a.id = strtoull(MG_CELL(&rows, 0, 0), NULL, 10);
		a.hash = MG_CELL(&rows, 0, 1);
		if ((err = mg_password_verify(password, a.hash, &a.password_ok, &rehash)) != MG_OK)
			goto out;
	} else {
		verify_dummy(password);
	}
	err = mg_db_transaction(db, auth_txn, &a);
out:
	*result = a.result;
	*id = a.result == MG_LOGIN_OK ? a.id : 0;
	mg_arena_free(arena);
	return err;
}

enum mg_err mg_staff_load(struct mg_db *db, struct mg_arena *arena, const unsigned char *tenant_key,
			  uint64_t tenant_id, uint64_t id, struct mg_staff *out)
{
	struct mg_rows rows;
	struct mg_dbval key[] = { MG_INT(tenant_id), MG_INT(id) };
	enum mg_err err = mg_db_exec(db, arena, &mg_staff_statements[MG_SQL_STAFF_BY_ID], key, 2, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	if (rows.nrows == 0)
		return MG_ERR_NOT_FOUND;
	memset(out, 0, sizeof(*out));
	out->tenant_id = tenant_id;
	out->id = id;
	out->login = MG_CELL(&rows, 0, 0);
	out->role = MG_CELL(&rows, 0, 1);
	out->must_change_password = strcmp(MG_CELL(&rows, 0, 2), "1") == 0;
	out->active = strcmp(MG_CELL(&rows, 0, 3), "1") == 0;
	out->has_totp = strcmp(MG_CELL(&rows, 0, 5), "1") == 0;
	out->locked = strtoll(MG_CELL(&rows, 0, 6), NULL, 10) > mg_now();
	out->last_login = tenant_minute(arena, MG_CELL(&rows, 0, 8), MG_CELL(&rows, 0, 7));
	if (tenant_key != NULL) {
		char aad[64];
		struct mg_buf name;
		mg_buf_init(&name);
		name_aad(tenant_id, aad, sizeof(aad));
		if (mg_unseal(tenant_key, aad, MG_CELL(&rows, 0, 4), rows.lens[4], &name) == MG_OK)
			out->name = mg_arena_strndup(arena, name.data ? name.data : "", name.len);
		mg_buf_free(&name);
	}
	return MG_OK;
}

struct change_args {
	const struct mg_account_kind *kind;
	uint64_t tenant_id, id;
	const char *current, *fresh, *problem;
	bool wrong_current;
};

/* A wrong current password counts like a failed login, so a stolen session cannot guess it. */
static enum mg_err count_wrong_current(struct mg_db *db, void *arg)
{
	struct change_args *a = arg;
	struct mg_arena *arena = mg_arena_new();
	struct mg_rows rows;
	bool locked_now = false;
	struct mg_dbval key[] = { MG_INT(a->tenant_id), MG_INT(a->id) };
	enum mg_err err = mg_db_exec(db, arena, a->kind->lock_state, key, 2, &rows, NULL, NULL);
	if (err == MG_OK && rows.nrows > 0)
		err = count_failure(db, arena, a->kind, a->tenant_id, a->id, atoi(MG_CELL(&rows, 0, 1)), &locked_now);
	mg_arena_free(arena);
	return err;
}

static enum mg_err change_txn(struct mg_db *db, void *arg)
{
	struct change_args *a = arg;
	struct mg_arena *arena = mg_arena_new();
	struct mg_rows rows;
	bool ok = false, rehash = false;
	char hash[256];
	a->problem = NULL;
	struct mg_dbval key[] = { MG_INT(a->tenant_id), MG_INT(a->id) };
	enum mg_err err = mg_db_exec(db, arena, a->kind->password_for_update, key, 2, &rows, NULL, NULL);
	if (err != MG_OK || rows.nrows == 0) {
		err = err != MG_OK ? err : MG_ERR_NOT_FOUND;
		goto out;
	}
	if ((err = mg_password_verify(a->current, MG_CELL(&rows, 0, 0), &ok, &rehash)) != MG_OK)
		goto out;
	if (!ok) {
		a->problem = N_("The current password is not correct.");
		a->wrong_current = true;
		err = MG_ERR_INPUT;
		goto out;
	}
	if ((err = mg_db_exec(db, arena, a->kind->history_recent, key, 2, &rows, NULL, NULL)) != MG_OK)
		goto out;
	for (size_t r = 0; r < rows.nrows; r++) {
		if (mg_password_verify(a->fresh, MG_CELL(&rows, r, 0), &ok, &rehash) == MG_OK && ok) {
			a->problem = N_("This password was used recently. Choose one you have not used for your last 5 changes.");
			err = MG_ERR_INPUT;
			goto out;
		}
	}
	if ((err = mg_password_hash(a->fresh, hash, sizeof(hash))) != MG_OK)
		goto out;
	struct mg_dbval set[] = { MG_TEXT(hash), MG_INT(mg_now()), MG_INT(a->tenant_id), MG_INT(a->id) };
	if ((err = mg_db_exec(db, arena, a->kind->set_password, set, 4, NULL, NULL, NULL)) != MG_OK)
		goto out;
	struct mg_dbval history[] = { MG_INT(a->tenant_id), MG_INT(a->id), MG_TEXT(hash) };
	err = mg_db_exec(db, arena, a->kind->history_insert, history, 3, NULL, NULL, NULL);
out:
	mg_arena_free(arena);
	return err;
}

enum mg_err mg_account_change_password(struct mg_db *db, const struct mg_account_kind *kind, uint64_t tenant_id, uint64_t id,
				       struct mg_password_change *c)
{
	c->field = "password";
	c->problem = mg_password_problem(c->fresh, c->login);
	if (strcmp(c->fresh, c->confirm) != 0) {
		c->problem = N_("The two new passwords are not the same.");
		c->field = "confirm";
	}
	if (c->problem != NULL)
		return MG_ERR_INPUT;
	struct change_args a = { kind, tenant_id, id, c->current, c->fresh, NULL, false };
	enum mg_err err = mg_db_transaction(db, change_txn, &a);
	c->problem = a.problem;
	if (err == MG_ERR_INPUT && a.wrong_current) {
		c->field = "current";
		enum mg_err counted = mg_db_transaction(db, count_wrong_current, &a);
		if (counted != MG_OK)
			return counted;
	}
	return err;
}

json_t *mg_staff_list(struct mg_db *db, struct mg_arena *arena, const unsigned char *tenant_key, uint64_t tenant_id,
		      enum mg_err *err)
{
	struct mg_rows rows;
	struct mg_dbval key[] = { MG_INT(tenant_id) };
	*err = mg_db_exec(db, arena, &mg_staff_statements[MG_SQL_STAFF_LIST], key, 1, &rows, NULL, NULL);
	if (*err != MG_OK)
		return NULL;
	char aad[64];
	name_aad(tenant_id, aad, sizeof(aad));
	json_t *list = json_array();
	for (size_t r = 0; r < rows.nrows; r++) {
		struct mg_buf name;
		mg_buf_init(&name);
		if (tenant_key == NULL || mg_unseal(tenant_key, aad, MG_CELL(&rows, r, 4), rows.lens[r * rows.ncols + 4],
						    &name) != MG_OK)
			mg_buf_puts(&name, "?");
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:b, s:s, s:s, s:b, s:b}", "id", MG_CELL(&rows, r, 0),
						      "login", MG_CELL(&rows, r, 1), "role", MG_CELL(&rows, r, 2), "active",
						      strcmp(MG_CELL(&rows, r, 3), "1") == 0, "name", name.data ? name.data : "",
						      "last_login", tenant_minute(arena, MG_CELL(&rows, r, 8), MG_CELL(&rows, r, 5)),
						      "two_factor",
						      strcmp(MG_CELL(&rows, r, 6), "1") == 0, "locked",
						      strtoll(MG_CELL(&rows, r, 7), NULL, 10) > mg_now()));
		mg_buf_free(&name);
	}
	return list;
}

/* One UPDATE of an account by an administrator, and the end of the account's sessions, in
 * one transaction: a demoted or deactivated member is logged out at once. */
struct admin_change {
	const struct mg_sql *statement;
	struct mg_dbval args[4];
	size_t nargs;
	uint64_t tenant_id, id;
};

static enum mg_err admin_change_txn(struct mg_db *db, void *arg)
{
	struct admin_change *c = arg;
	struct mg_arena *arena = mg_arena_new();
	unsigned long long affected = 0;
	enum mg_err err = mg_db_exec(db, arena, c->statement, c->args, c->nargs, NULL, &affected, NULL);
	if (err == MG_OK && affected == 0)
		err = MG_ERR_NOT_FOUND;
	if (err == MG_OK)
		err = mg_db_exec(db, arena, &mg_session_statements[MG_SQL_SESSION_DELETE_SUBJECT],
				 (struct mg_dbval[]){ MG_INT(c->tenant_id), MG_TEXT("staff"), MG_INT(c->id) }, 3, NULL, NULL,
				 NULL);
	mg_arena_free(arena);
	return err;
}

enum mg_err mg_staff_set_role(struct mg_db *db, uint64_t tenant_id, uint64_t id, const char *role)
{
	struct admin_change c = { &mg_staff_statements[MG_SQL_STAFF_SET_ROLE],
				  { MG_TEXT(role), MG_INT(mg_now()), MG_INT(tenant_id), MG_INT(id) }, 4, tenant_id, id };
	return mg_db_transaction(db, admin_change_txn, &c);
}

enum mg_err mg_staff_set_active(struct mg_db *db, uint64_t tenant_id, uint64_t id, bool active)
{
	struct admin_change c = { &mg_staff_statements[MG_SQL_STAFF_SET_ACTIVE],
				  { MG_INT(active ? 1 : 0), MG_INT(mg_now()), MG_INT(tenant_id), MG_INT(id) }, 4, tenant_id,
				  id };
	return mg_db_transaction(db, admin_change_txn, &c);
}

enum mg_err mg_staff_issue_password(struct mg_db *db, uint64_t tenant_id, uint64_t id, char initial[17])
{
	char hash[MG_PASSWORD_HASH_MAX];
	mg_initial_password(initial);
	enum mg_err err = mg_password_hash(initial, hash, sizeof(hash));
	if (err != MG_OK)
		return err;
	struct admin_change c = { &mg_staff_statements[MG_SQL_STAFF_ISSUE_PASSWORD],
				  { MG_TEXT(hash), MG_INT(mg_now()), MG_INT(tenant_id), MG_INT(id) }, 4, tenant_id, id };
	return mg_db_transaction(db, admin_change_txn, &c);
}

enum mg_err mg_staff_unlock(struct mg_db *db, uint64_t tenant_id, uint64_t id)
{
	struct mg_arena *arena = mg_arena_new();
	unsigned long long affected = 0;
	struct mg_dbval args[] = { MG_INT(mg_now()), MG_INT(tenant_id), MG_INT(id) };
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_staff_statements[MG_SQL_STAFF_UNLOCK], args, 3, NULL, &affected, NULL);
	mg_arena_free(arena);
	return err == MG_OK && affected == 0 ? MG_ERR_NOT_FOUND : err;
}

json_t *mg_staff_locked(struct mg_db *db, struct mg_arena *arena, uint64_t tenant_id, enum mg_err *err)
{
	struct mg_rows rows;
	struct mg_dbval args[] = { MG_INT(tenant_id), MG_INT(mg_now()) };
	if ((*err = mg_db_exec(db, arena, &mg_staff_statements[MG_SQL_STAFF_LOCKED], args, 2, &rows, NULL, NULL)) !=
	    MG_OK)
		return NULL;
	json_t *list = json_array();
	for (size_t r = 0; r < rows.nrows; r++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "id", MG_CELL(&rows, r, 0), "login",
						      MG_CELL(&rows, r, 1), "until",
						      tenant_minute(arena, MG_CELL(&rows, r, 3), MG_CELL(&rows, r, 2))));
	return list;
}
