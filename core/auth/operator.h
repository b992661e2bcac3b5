/*
 * Platform operator accounts: the people who run contracts, notices and maintenance from the
 * console at /_operator/. Separate from every tenant's staff (rows and sessions of tenant 0,
 * their own cookie); login, lockout (5 failures → 15 minutes) and the password policy are the
 * staff's (core/auth/staff.c, mg_account_*).
 */
#ifndef MG_OPERATOR_H
#define MG_OPERATOR_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "arena.h"
#include "db.h"
#include "err.h"
#include "staff.h"

/* The console's session cookie: never the staff's, so the two can never be mistaken. */
#define MG_OPERATOR_COOKIE "__Host-mg_operator"

struct mg_operator {
	uint64_t id;
	const char *login, *name;
	bool must_change_password, active;
};

/* The statements of mg_operator_statements (operator.c); a call names one as &mg_operator_statements[<constant>]. */
enum mg_operator_sql {
	MG_SQL_OPERATOR_INSERT,
	MG_SQL_OPERATOR_FOR_LOGIN,
	MG_SQL_OPERATOR_LOCK_STATE,
	MG_SQL_OPERATOR_LOGIN_FAILED,
	MG_SQL_OPERATOR_LOGIN_OK,
	MG_SQL_OPERATOR_PASSWORD_FOR_UPDATE,
	MG_SQL_OPERATOR_SET_PASSWORD,
	MG_SQL_OPERATOR_HISTORY_INSERT,
	MG_SQL_OPERATOR_HISTORY_RECENT,
	MG_SQL_OPERATOR_BY_ID,
	MG_SQL_OPERATOR_LIST,
	MG_SQL_OPERATOR__MAX
};
extern const struct mg_sql mg_operator_statements[MG_SQL_OPERATOR__MAX + 1];
/* The operators' side of the staff's login flow (mg_account_*, core/auth/staff.h). */
extern const struct mg_account_kind mg_operator_account;

/* Creates an account; initial receives the one-time password to hand over.
 * MG_ERR_CONFLICT when the login is taken. */
enum mg_err mg_operator_create(struct mg_db *db, const char *login, const char *name, char initial[17],
			       uint64_t *id);
enum mg_err mg_operator_load(struct mg_db *db, struct mg_arena *arena, uint64_t id, struct mg_operator *out);
/* Every operator as [{id, login, name, active, last_login}]; NULL with *err on failure. */
json_t *mg_operator_list(struct mg_db *db, struct mg_arena *arena, enum mg_err *err);

/* Whether a login ID is well formed (as for staff): 1–64 of A-Z a-z 0-9 . _ @ - */
bool mg_operator_login_ok(const char *login);

#endif
