/*
 * Logged-in sessions: a 256-bit random token in a __Host- cookie, stored only as its SHA-256,
 * with an idle time-out (30 min) and an absolute one (12 h), and a CSRF token per session.
 */
#ifndef MG_SESSION_H
#define MG_SESSION_H

#include <stdint.h>
#include <time.h>

#include "arena.h"
#include "crypto.h"
#include "db.h"
#include "err.h"

enum { MG_SESSION_IDLE = 30 * 60, MG_SESSION_ABSOLUTE = 12 * 3600 };

#define MG_SESSION_COOKIE "__Host-mg_session"
#define MG_CSRF_COOKIE "__Host-mg_csrf"
/* The public's (customers') sessions on a tenant's pages: a cookie of its own, so a staff
 * member's back-office session and a customer session in one browser never meet. */
#define MG_ACCOUNT_COOKIE "__Host-mg_account"

struct mg_session {
	uint64_t tenant_id; /* 0 for the platform operators */
	const char *kind;   /* "staff", "operator", "customer" */
	uint64_t subject_id;
	const char *stage;  /* "password" (second factor pending) or "complete" */
	const char *csrf;
	char token_hash[65];
	time_t last_seen;
};

/* The statements of mg_session_statements (session.c); a call names one as &mg_session_statements[<constant>]. */
enum mg_session_sql {
	MG_SQL_SESSION_INSERT,
	MG_SQL_SESSION_FIND,
	MG_SQL_SESSION_TOUCH,
	MG_SQL_SESSION_DELETE,
	MG_SQL_SESSION_DELETE_SUBJECT,
	MG_SQL_SESSION_EXPIRED,
	MG_SQL_SESSION_DELETE_EXPIRED,
	MG_SQL_SESSION__MAX
};
extern const struct mg_sql mg_session_statements[MG_SQL_SESSION__MAX + 1];

/* Starts a session; token receives the cookie value (shown to nobody else, stored hashed). */
enum mg_err mg_session_create(struct mg_db *db, uint64_t tenant_id, const char *kind, uint64_t subject_id,
			      const char *stage, const char *ip, const char *user_agent,
			      char token[MG_TOKEN_CHARS + 1]);
/* Finds the live session of this tenant for token; MG_ERR_NOT_FOUND when none or expired. */
enum mg_err mg_session_load(struct mg_db *db, struct mg_arena *arena, uint64_t tenant_id, const char *token,
			    struct mg_session *out);
/* Records activity (at most once a minute, so a busy page does not write on every request). */
enum mg_err mg_session_touch(struct mg_db *db, const struct mg_session *s);
enum mg_err mg_session_destroy(struct mg_db *db, uint64_t tenant_id, const char *token_hash);
/* Ends every session of an account (deactivation, role change, password change). */
enum mg_err mg_session_destroy_subject(struct mg_db *db, uint64_t tenant_id, const char *kind, uint64_t subject_id);
/* Deletes the sessions past their idle or absolute time-out at `now` (the job
 * core.session_sweep), in batches of 500, each row by its key in a statement of its own so no
 * lock is held long; *deleted receives how many. */
enum mg_err mg_session_sweep(struct mg_db *db, struct mg_arena *arena, time_t now, unsigned long long *deleted);

#endif
