/*
 * The back office's audit view and CSV export (core/audit_view.c): GET /<slug>/admin/audit
 * and GET /<slug>/admin/audit.csv, for roles with "core.audit.view".
 */
#ifndef MG_AUDIT_VIEW_H
#define MG_AUDIT_VIEW_H

#include "db.h"
#include "request.h"

extern const struct mg_sql mg_audit_view_statements[];
extern const struct mg_route mg_audit_view_routes[];

#endif
