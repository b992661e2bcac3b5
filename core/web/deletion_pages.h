/* The console page of the deletion records (core/web/deletion_pages.c). */
#ifndef MG_DELETION_PAGES_H
#define MG_DELETION_PAGES_H

#include "request.h"

extern const struct mg_route mg_deletion_routes[];

#endif
