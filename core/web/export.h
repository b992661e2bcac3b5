/*
 * The tenant's export: every row it has, one CSV per table in a ZIP archive
 * (/<slug>/admin/export, core/web/export.c), for administrators.
 */
#ifndef MG_EXPORT_H
#define MG_EXPORT_H

#include "request.h"

extern const struct mg_route mg_export_routes[];

#endif
