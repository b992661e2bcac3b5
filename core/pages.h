/* The core's own pages: /healthz, the platform landing page, the language switch. */
#ifndef MG_PAGES_H
#define MG_PAGES_H

#include "module.h"

extern const struct mg_route mg_core_routes[];
extern const struct mg_route mg_backoffice_routes[];

/* The data every back-office page starts from (page_title translated, nav, logout_action). */
json_t *mg_backoffice_page(struct mg_ctx *ctx, const char *title);

#endif
