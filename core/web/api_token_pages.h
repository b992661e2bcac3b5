/* The back-office page of staff API tokens (core/web/api_token_pages.c). */
#ifndef MG_API_TOKEN_PAGES_H
#define MG_API_TOKEN_PAGES_H

#include "request.h"

extern const struct mg_route mg_api_token_routes[];

#endif
