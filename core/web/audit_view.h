/*
 * The back office's audit view and CSV export (core/web/audit_view.c): GET /<slug>/admin/audit
 * and GET /<slug>/admin/audit.csv, for roles with "core.audit.view".
 */
#ifndef MG_AUDIT_VIEW_H
#define MG_AUDIT_VIEW_H

#include "db.h"
#include "request.h"

/* The statements of mg_audit_view_statements (audit_view.c); a call names one as &mg_audit_view_statements[<constant>].
 */
enum mg_audit_view_sql {
	MG_SQL_AUDIT_VIEW_ROWS,
	MG_SQL_AUDIT_VIEW_AT,
	MG_SQL_AUDIT_VIEW_ACTIONS,
	MG_SQL_AUDIT_VIEW_STAFF_BY_LOGIN,
	MG_SQL_AUDIT_VIEW__MAX
};
extern const struct mg_sql mg_audit_view_statements[MG_SQL_AUDIT_VIEW__MAX + 1];
extern const struct mg_route mg_audit_view_routes[];

#endif
