/*
 * What the back office's pages share (core/web/backoffice.c, core/web/twofactor.c, core/web/staff_admin.c):
 * paths under /<slug>/admin, the page frame with the menu, and starting a fresh session.
 */
#ifndef MG_BACKOFFICE_H
#define MG_BACKOFFICE_H

#include <stdint.h>

#include <jansson.h>

#include "request.h"

extern const struct mg_route mg_twofactor_routes[];
extern const struct mg_route mg_staff_admin_routes[];

/* The fields of the login form (and its ?next=) and of the password change, for the back
 * office and the operator console alike. */
extern const struct mg_field mg_login_fields[], mg_login_query[], mg_password_fields[];

/* "/<slug>/admin<rest>", owned by the request's arena. */
const char *mg_admin_path(struct mg_ctx *ctx, const char *rest);
/* next if it is a path under this tenant's back office, else the dashboard (never another site). */
const char *mg_admin_safe_next(struct mg_ctx *ctx, const char *next);
/* The data every back-office page starts from: title, menu, logout form, home link. */
json_t *mg_admin_page(struct mg_ctx *ctx, const char *title_msgid);
/* Ends the request's session (if any) and starts a new one for the staff member at stage
 * ("password" or "complete"), setting the cookie: a new token at every login and at every
 * change of privilege, never the one sent before. */
enum mg_err mg_backoffice_new_session(struct mg_ctx *ctx, uint64_t staff_id, const char *stage);

#endif
