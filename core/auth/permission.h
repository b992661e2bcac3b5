/* Which role may do what: the core's permissions plus those each module declares. */
#ifndef MG_PERMISSION_H
#define MG_PERMISSION_H

#include <stdbool.h>

#include "module.h"

extern const struct mg_permission mg_core_permissions[];

/* The MG_ROLE_* bit of a role name, 0 for none. */
unsigned mg_role_bit(const char *role);
/* Whether role may use permission; an unknown permission is refused (and logged). */
bool mg_permission_allows(const char *role, const char *permission);

#endif
