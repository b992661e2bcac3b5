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

enum { MG_LOGIN_MAX_FAILURES = 5, MG_LOCKOUT_SECONDS = 15 * 60, MG_PASSWORD_HISTORY = 5 };

struct mg_staff {
	uint64_t tenant_id, id;
	const char *login, *role, *name; /* name unsealed, may be NULL if the key is gone */
	bool must_change_password, active, has_totp;
};

extern const struct mg_sql mg_staff_statements[];

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

/* The same two for any kind of account with "core.<kind>_…" statements shaped like the staff's
 * ("staff", or "operator" with tenant_id 0): for_login, lock_state, login_failed, login_ok,
 * password_for_update, set_password, history_insert, history_recent. Audit rows go to
 * tenant_id's chain with actor "<kind>:<id>". */
enum mg_err mg_account_authenticate(struct mg_db *db, const char *kind, uint64_t tenant_id, const char *login,
				    const char *password, const char *ip, const char *user_agent,
				    enum mg_login_result *result, uint64_t *id);
enum mg_err mg_account_change_password(struct mg_db *db, const char *kind, uint64_t tenant_id, uint64_t id,
				       const char *current, const char *fresh, const char **problem);

/* A random one-time password of 16 characters without look-alikes (0/O, 1/l/I). */
void mg_initial_password(char out[17]);

/* Computes the hash that unknown logins are checked against (call before forking workers). */
void mg_staff_prepare(void);

/* Checks a login in one transaction with its counters and audit rows. On MG_LOGIN_OK *id is set. */
enum mg_err mg_staff_authenticate(struct mg_db *db, uint64_t tenant_id, const char *login, const char *password,
				  const char *ip, const char *user_agent, enum mg_login_result *result, uint64_t *id);

enum mg_err mg_staff_load(struct mg_db *db, struct mg_arena *arena, const unsigned char *tenant_key,
			  uint64_t tenant_id, uint64_t id, struct mg_staff *out);

/* Changes the password after checking the current one and the policy; *problem receives an
 * English msgid when refused (MG_ERR_INPUT). */
enum mg_err mg_staff_change_password(struct mg_db *db, uint64_t tenant_id, uint64_t id, const char *current,
				     const char *fresh, const char **problem);

/* Every account of the tenant as [{id, login, role, active, name, last_login}] (names unsealed). */
json_t *mg_staff_list(struct mg_db *db, struct mg_arena *arena, const unsigned char *tenant_key, uint64_t tenant_id,
		      enum mg_err *err);

#endif
