/*
 * The public's accounts at a tenant (table person): found only by a keyed hash of the
 * normalised e-mail address, every personal field sealed with the tenant's data key, login
 * with lockout (5 failures → 15 minutes, as for staff). Guests (a checkout without an
 * account) are persons without a password; the pages are in core/web/account.c.
 */
#ifndef MG_PEOPLE_H
#define MG_PEOPLE_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "buf.h"
#include "db.h"
#include "err.h"
#include "staff.h" /* enum mg_login_result, MG_LOGIN_MAX_FAILURES, MG_LOCKOUT_SECONDS */

enum {
	MG_CONFIRM_SECONDS = 24 * 3600, /* a registration link lives a day */
	MG_RESET_SECONDS = 3600,        /* a password reset link an hour */
	MG_TOKENS_PER_HOUR = 5,         /* links of one purpose mailed to one person per hour, at most */
	MG_PERSON_NAME_MAX = 100,       /* characters */
	MG_PERSON_PHONE_MAX = 30,
};

/* The statements of mg_people_statements (people.c); a call names one as &mg_people_statements[<constant>]. */
enum mg_people_sql {
	MG_SQL_PEOPLE_PERSON_BY_EMAIL,
	MG_SQL_PEOPLE_PERSON_BY_EMAIL_FOR_UPDATE,
	MG_SQL_PEOPLE_PERSON_INSERT,
	MG_SQL_PEOPLE_PERSON_UPSERT_GUEST,
	MG_SQL_PEOPLE_PERSON_SET_PENDING,
	MG_SQL_PEOPLE_PERSON_BY_ID,
	MG_SQL_PEOPLE_PERSON_SET_CONTACT,
	MG_SQL_PEOPLE_PERSON_ACTIVATE,
	MG_SQL_PEOPLE_PERSON_SET_PASSWORD,
	MG_SQL_PEOPLE_PERSON_LOCK_STATE,
	MG_SQL_PEOPLE_PERSON_LOGIN_FAILED,
	MG_SQL_PEOPLE_PERSON_LOGIN_OK,
	MG_SQL_PEOPLE_PERSON_TOKEN_INSERT,
	MG_SQL_PEOPLE_PERSON_TOKEN_RECENT,
	MG_SQL_PEOPLE_PERSON_TOKEN_FIND,
	MG_SQL_PEOPLE_PERSON_TOKEN_LOCK,
	MG_SQL_PEOPLE_PERSON_TOKEN_USE_ALL,
	MG_SQL_PEOPLE__MAX
};
extern const struct mg_sql mg_people_statements[MG_SQL_PEOPLE__MAX + 1];

struct mg_person {
	uint64_t tenant_id, id;
	const char *email, *name, *phone; /* unsealed; name and phone may be "" */
	const char *state;                /* "pending", "active" or "guest" */
	const char *lang;                 /* "ja" or "en": the language of its mails */
};

/* Computes the hash that unknown addresses are checked against (call before forking). */
void mg_people_prepare(void);

/* The look-up column for a normalised address: HMAC-SHA-256 under a key derived from the
 * tenant key (HMAC(tenant key, "email-lookup")), as 64 hex digits. */
enum mg_err mg_person_email_hmac(const unsigned char *tenant_key, const char *email, char out[65]);

/* Seals text for column ("email", "name", "phone", "address") of a person of tenant_id;
 * out is reset. */
enum mg_err mg_person_seal(const unsigned char *tenant_key, uint64_t tenant_id, const char *column, const char *text,
			   struct mg_buf *out);
/* The reverse, into the arena; "" for a NULL cell, NULL when it does not open. */
const char *mg_person_unseal(struct mg_arena *arena, const unsigned char *tenant_key, uint64_t tenant_id,
			     const char *column, const char *sealed, size_t len);

/*
 * The person with this address, made a guest (no password) when there is none yet; *id
 * receives it either way. An existing person keeps its state, name and phone; a new guest
 * gets name and phone (either may be NULL). One statement, so it runs in the caller's
 * transaction (e.g. a module's checkout). email is normalised here; MG_ERR_INPUT when it is
 * not an address.
 */
enum mg_err mg_person_upsert_guest(struct mg_db *db, const unsigned char *tenant_key, uint64_t tenant_id,
				   const char *email, const char *name, const char *phone, const char *lang,
				   uint64_t *id);

enum mg_err mg_person_load(struct mg_db *db, struct mg_arena *arena, const unsigned char *tenant_key,
			   uint64_t tenant_id, uint64_t id, struct mg_person *out);

/* Replaces name and phone (phone may be ""). */
enum mg_err mg_person_set_contact(struct mg_db *db, const unsigned char *tenant_key, uint64_t tenant_id, uint64_t id,
				  const char *name, const char *phone);

/*
 * Checks a customer login (normalised address and password) with its lockout counters and
 * audit rows, like mg_staff_authenticate; only active accounts may log in. On MG_LOGIN_OK *id
 * is set.
 */
enum mg_err mg_person_authenticate(struct mg_db *db, const unsigned char *tenant_key, uint64_t tenant_id,
				   const char *email, const char *password, const char *ip, const char *user_agent,
				   enum mg_login_result *result, uint64_t *id);

#endif
