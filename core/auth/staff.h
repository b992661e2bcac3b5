/*
 * Contractor staff accounts: creation with a one-time initial password, login with lockout
 * (5 failures → 15 minutes), password changes under the policy (12+ characters, not a common
 * password, not one of the last 5). Names are sealed with the tenant's data key.
 */
#ifndef MG_STAFF_H
#define MG_STAFF_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "arena.h"
#include "db.h"
#include "err.h"

enum { MG_LOGIN_MAX_FAILURES = 5, MG_LOCKOUT_SECONDS = 15 * 60, MG_PASSWORD_HISTORY = 5, MG_RECOVERY_CODES = 10 };

struct mg_staff {
	uint64_t tenant_id, id;
	const char *login, *role, *name; /* name unsealed, may be NULL if the key is gone */
	const char *last_login;          /* "YYYY-MM-DD HH:MM" in the tenant's zone, "" before the first */
	bool must_change_password, active, has_totp, locked;
};

/* The statements of mg_staff_statements (staff.c); a call names one as &mg_staff_statements[<constant>]. */
enum mg_staff_sql {
	MG_SQL_STAFF_INSERT,
	MG_SQL_STAFF_FOR_LOGIN,
	MG_SQL_STAFF_LOCK_STATE,
	MG_SQL_STAFF_LOGIN_FAILED,
	MG_SQL_STAFF_LOGIN_OK,
	MG_SQL_STAFF_BY_ID,
	MG_SQL_STAFF_PASSWORD_FOR_UPDATE,
	MG_SQL_STAFF_SET_PASSWORD,
	MG_SQL_STAFF_HISTORY_INSERT,
	MG_SQL_STAFF_HISTORY_RECENT,
	MG_SQL_STAFF_LIST,
	MG_SQL_STAFF_SET_ROLE,
	MG_SQL_STAFF_SET_ACTIVE,
	MG_SQL_STAFF_ISSUE_PASSWORD,
	MG_SQL_STAFF_UNLOCK,
	MG_SQL_STAFF_LOCKED,
	MG_SQL_STAFF__MAX
};
extern const struct mg_sql mg_staff_statements[MG_SQL_STAFF__MAX + 1];
/* The statements of mg_staff_totp_statements (staff_totp.c); a call names one as &mg_staff_totp_statements[<constant>].
 */
enum mg_staff_totp_sql {
	MG_SQL_STAFF_TOTP_FOR_UPDATE,
	MG_SQL_STAFF_TOTP_USED,
	MG_SQL_STAFF_TOTP_SET,
	MG_SQL_STAFF_TOTP_STAFF_RECOVERY_CLEAR,
	MG_SQL_STAFF_TOTP_STAFF_RECOVERY_INSERT,
	MG_SQL_STAFF_TOTP_STAFF_RECOVERY_USE,
	MG_SQL_STAFF_TOTP_STAFF_RECOVERY_LEFT,
	MG_SQL_STAFF_TOTP__MAX
};
extern const struct mg_sql mg_staff_totp_statements[MG_SQL_STAFF_TOTP__MAX + 1];

/* A login ID is 1 to 64 ASCII letters, digits, '.', '_', '@' or '-'. */
bool mg_staff_login_ok(const char *login);

/* NULL when the password is acceptable for this login, else an English msgid saying why. */
const char *mg_password_problem(const char *password, const char *login);

/* Creates an account; initial receives the one-time password to hand over (16 characters). */
enum mg_err mg_staff_create(struct mg_db *db, const unsigned char *tenant_key, uint64_t tenant_id,
			    const char *login, const char *name, const char *role, char initial[17], uint64_t *id);

enum mg_login_result {
	MG_LOGIN_OK,
	MG_LOGIN_BAD,    /* unknown id, wrong password, inactive or locked: never said which */
	MG_LOGIN_LOCKED_NOW, /* this failure locked the account */
};

/* What the login flow below needs of a kind of account: its name ("staff", or "operator" with
 * tenant_id 0) and its statements, each shaped like the staff's. */
struct mg_account_kind {
	const char *name;
	const struct mg_sql *for_login, *lock_state, *login_failed, *login_ok, *password_for_update, *history_recent,
		*set_password, *history_insert;
};
extern const struct mg_account_kind mg_staff_account; /* the operators': mg_operator_account */

/* The same two for any kind of account (mg_staff_account, mg_operator_account). Audit rows go
 * to tenant_id's chain with actor "<name>:<id>". */
enum mg_err mg_account_authenticate(struct mg_db *db, const struct mg_account_kind *kind, uint64_t tenant_id, const char *login,
				    const char *password, const char *ip, const char *user_agent,
				    enum mg_login_result *result, uint64_t *id);
/* A password-change form: the two new passwords must agree and pass the policy, the current
 * one must be right (a wrong one counts as a failed login), the new one not be one of the
 * last 5. Refused: MG_ERR_INPUT with problem (an English msgid) and the field it concerns. */
struct mg_password_change {
	const char *login, *current, *fresh, *confirm;
	const char *problem; /* out */
	const char *field;   /* out: "current", "password" or "confirm" */
};
enum mg_err mg_account_change_password(struct mg_db *db, const struct mg_account_kind *kind, uint64_t tenant_id, uint64_t id,
				       struct mg_password_change *c);

/* A random one-time password of 16 characters without look-alikes (0/O, 1/l/I). */
void mg_initial_password(char out[17]);

/* Computes the hash that unknown logins are checked against (call before forking workers). */
void mg_staff_prepare(void);

/* Checks a login in one transaction with its counters and audit rows. On MG_LOGIN_OK *id is set. */
enum mg_err mg_staff_authenticate(struct mg_db *db, uint64_t tenant_id, const char *login, const char *password,
				  const char *ip, const char *user_agent, enum mg_login_result *result, uint64_t *id);

enum mg_err mg_staff_load(struct mg_db *db, struct mg_arena *arena, const unsigned char *tenant_key,
			  uint64_t tenant_id, uint64_t id, struct mg_staff *out);

/* Counts one failed login (or wrong code) under the caller's row lock; the fifth locks the
 * account for 15 minutes and ends its sessions; *locked_now tells. */
enum mg_err mg_staff_count_failure(struct mg_db *db, struct mg_arena *arena, uint64_t tenant_id, uint64_t id,
				   int failures, bool *locked_now);

/* --- what an administrator does to an account (each ends the account's sessions) --- */

/* MG_ERR_CONFLICT when the login is taken (by any account, active or not). */
enum mg_err mg_staff_set_role(struct mg_db *db, uint64_t tenant_id, uint64_t id, const char *role);
enum mg_err mg_staff_set_active(struct mg_db *db, uint64_t tenant_id, uint64_t id, bool active);
/* A new one-time password (16 characters) that must be changed at the next login. */
enum mg_err mg_staff_issue_password(struct mg_db *db, uint64_t tenant_id, uint64_t id, char initial[17]);
/* Lifts a lockout and clears the failure count. */
enum mg_err mg_staff_unlock(struct mg_db *db, uint64_t tenant_id, uint64_t id);
/* Accounts locked right now as [{id, login, until}] (until in the tenant's zone). */
json_t *mg_staff_locked(struct mg_db *db, struct mg_arena *arena, uint64_t tenant_id, enum mg_err *err);

/* --- two-factor (core/auth/staff_totp.c) --- */

/* Checks an authenticator code or an unused recovery code for an account whose password was
 * checked; wrong codes count toward the lockout. */
enum mg_err mg_staff_second_factor(struct mg_db *db, const unsigned char *tenant_key, uint64_t tenant_id, uint64_t id,
				   const char *code, const char *ip, const char *user_agent,
				   enum mg_login_result *result, bool *used_recovery);
/* The enrolment form carries the new secret sealed (base32) for 15 minutes. */
enum mg_err mg_staff_totp_pending_seal(const unsigned char *tenant_key, uint64_t tenant_id, uint64_t id,
				       const char *secret, struct mg_arena *arena, const char **sealed_b32);
/* MG_ERR_EXPIRED after 15 minutes, MG_ERR_INPUT when tampered with or not this account's. */
enum mg_err mg_staff_totp_pending_open(const unsigned char *tenant_key, uint64_t tenant_id, uint64_t id,
				       const char *sealed_b32, char secret[33]);
/* Stores the secret once code proves the app shows it (MG_ERR_INPUT otherwise) and makes
 * MG_RECOVERY_CODES new recovery codes, shown once. */
enum mg_err mg_staff_totp_enable(struct mg_db *db, const unsigned char *tenant_key, uint64_t tenant_id, uint64_t id,
				 const char *secret, const char *code, char codes[MG_RECOVERY_CODES][12]);
/* Removes the secret and the recovery codes (an administrator's reset, or a non-admin's choice). */
enum mg_err mg_staff_totp_disable(struct mg_db *db, uint64_t tenant_id, uint64_t id);
/* Unused recovery codes of the account, -1 on a database error. */
int mg_staff_recovery_codes_left(struct mg_db *db, struct mg_arena *arena, uint64_t tenant_id, uint64_t id);

/* Every account of the tenant as [{id, login, role, active, name, last_login}] (names unsealed). */
json_t *mg_staff_list(struct mg_db *db, struct mg_arena *arena, const unsigned char *tenant_key, uint64_t tenant_id,
		      enum mg_err *err);

#endif
