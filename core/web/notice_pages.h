/* The notice pages of the back office and of the operator console (core/web/notice_pages.c). */
#ifndef MG_NOTICE_PAGES_H
#define MG_NOTICE_PAGES_H

#include "request.h"

extern const struct mg_route mg_notice_routes[];

#endif
