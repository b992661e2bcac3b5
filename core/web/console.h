/* The operator console's pages under /_operator/ (core/web/console.c). */
#ifndef MG_CONSOLE_H
#define MG_CONSOLE_H

#include <jansson.h>

#include "request.h"

extern const struct mg_route mg_console_routes[];

/* The data every console page starts from: page_title (translated), nav, logout_action, and the
 * operator's name where core/admin_nav shows the account (so that partial serves both). */
json_t *mg_console_page(struct mg_ctx *ctx, const char *title);

#endif
