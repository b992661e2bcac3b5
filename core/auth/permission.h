/* Which role may do what: the core's permissions plus those each module declares. */
#ifndef MG_PERMISSION_H
#define MG_PERMISSION_H

#include <stdbool.h>

#include "err.h"

/* Staff roles, as a bit set in permissions. */
enum { MG_ROLE_ADMIN = 1, MG_ROLE_GENERAL = 2, MG_ROLE_RESTRICTED = 4, MG_ROLE_ALL = 7 };

/* A permission a route can require, and the roles that have it. */
struct mg_permission {
	const char *name;  /* "<module>.<what>", e.g. "tickets.checkin" */
	unsigned roles;    /* MG_ROLE_* bits */
	const char *label; /* English msgid for the staff pages */
};


extern const struct mg_permission mg_core_permissions[];

/* The MG_ROLE_* bit of a role name, 0 for none. */
unsigned mg_role_bit(const char *role);
/* The module loader registers each module's permission table (ended by a { NULL } entry);
 * MG_ERR_CONFIG past MG_MAX_MODULES. Forget drops them all. */
enum mg_err mg_permissions_register(const struct mg_permission *table);
void mg_permissions_forget(void);
/* Whether role may use permission; an unknown permission is refused (and logged). */
bool mg_permission_allows(const char *role, const char *permission);

#endif
