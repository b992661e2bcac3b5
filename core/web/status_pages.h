/* The status page (/status, /status.atom) and the maintenance banners (core/web/status_pages.c). */
#ifndef MG_STATUS_PAGES_H
#define MG_STATUS_PAGES_H

#include <jansson.h>

#include "request.h"

extern const struct mg_route mg_status_routes[];
/* The maintenance windows not yet ended that start within lead seconds, as [{text, reason,
 * active}] with the time in the request's tenant's zone and language: the banners of the
 * dashboard (every upcoming window) and of the public pages (from the configured lead time). */
json_t *mg_status_banners(struct mg_ctx *ctx, long lead);
/* The incidents of the last 90 days as on /status ([{id, started, ended, duration, what, cause,
 * measures, open}]), for the dashboard's panel; an empty array when they cannot be read. */
json_t *mg_status_incidents(struct mg_ctx *ctx);

#endif
