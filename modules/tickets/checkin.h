/*
 * The gate (modules/tickets/checkin.c): the check-in page for staff and the JSON endpoint for
 * scanners with a staff API token. A code is "<payload>.<signature>" with payload
 * "T1-<ticket id>" (eticket.c signs it): the signature is checked first, from the code alone,
 * so a forged or altered code never reaches tickets_ticket; then one conditional UPDATE marks
 * the ticket used, so two gates scanning one ticket at once admit it once.
 */
#ifndef TICKETS_CHECKIN_H
#define TICKETS_CHECKIN_H

#include "tickets.h"

/* The payload prefix of a ticket code, version 1 ("T1-<id>"). */
#define TICKETS_CODE_PREFIX "T1-"

/* What a scan found. */
enum checkin_result {
	CHECKIN_OK,                /* admitted now */
	CHECKIN_ALREADY,           /* admitted before: at, gate say when and where */
	CHECKIN_INVALID,           /* malformed, forged or altered code */
	CHECKIN_UNKNOWN,           /* correctly signed, but no such ticket */
	CHECKIN_VOID,              /* the order was cancelled or refunded */
	CHECKIN_WRONG_PERFORMANCE, /* a ticket for another performance than the gate's */
};

enum mg_err checkin_page(struct mg_ctx *ctx);
enum mg_err checkin_submit(struct mg_ctx *ctx);
enum mg_err checkin_api(struct mg_ctx *ctx);
extern const struct mg_field checkin_fields[], checkin_query[];

/* Entries of tickets.c's tables (its "checkin.c" sections). */
#define CHECKIN_ROUTES \
	{ "GET", "/tickets/checkin", checkin_page, MG_SCOPE_ADMIN, "tickets.checkin", checkin_query, \
	  "gate check-in page: type or scan a ticket code" }, \
	{ "POST", "/tickets/checkin", checkin_submit, MG_SCOPE_ADMIN, "tickets.checkin", checkin_fields, \
	  "check a ticket in at a gate (marks it used once)" }, \
	{ "POST", "/api/v1/checkin", checkin_api, MG_SCOPE_TENANT, "tickets.checkin", MG_NO_FIELDS, \
	  "API: check a ticket in with a staff API token ({\"code\", \"gate\"})" },

#define CHECKIN_STATEMENTS \
	[TICKETS_SQL_CHECKIN_MARK] = { "tickets.checkin_mark",                                        \
	  "UPDATE tickets_ticket SET checked_in_at = FROM_UNIXTIME(?), checked_in_gate = ?, checked_in_by = ?" \
	  " WHERE tenant_id = ? AND id = ? AND checked_in_at IS NULL AND state = 'valid'" \
	  " AND (? = 0 OR performance_id = ?)" }, \
	[TICKETS_SQL_CHECKIN_TICKET] = { "tickets.checkin_ticket",                                    \
	  "SELECT t.state, t.checked_in_at IS NOT NULL," \
	  " COALESCE(UNIX_TIMESTAMP(t.checked_in_at), 0), COALESCE(UNIX_TIMESTAMP(t.checked_in_at), 0)," \
	  " COALESCE(t.checked_in_gate, ''), t.performance_id, COALESCE(l.description, '')," \
	  " COALESCE(e.title, ''), COALESCE(UNIX_TIMESTAMP(p.starts_at), 0)" \
	  " FROM tickets_ticket t" \
	  " LEFT JOIN order_line l ON l.tenant_id = t.tenant_id AND l.order_id = t.order_id AND l.line_no = t.line_no" \
	  " LEFT JOIN tickets_performance p ON p.tenant_id = t.tenant_id AND p.id = t.performance_id" \
	  " LEFT JOIN tickets_event e ON e.tenant_id = p.tenant_id AND e.id = p.event_id" \
	  " WHERE t.tenant_id = ? AND t.id = ?" }, \
	[TICKETS_SQL_CHECKIN_PERFORMANCES] = { "tickets.checkin_performances",                        \
	  "SELECT p.id, e.title, UNIX_TIMESTAMP(p.starts_at)" \
	  " FROM tickets_performance p JOIN tickets_event e ON e.tenant_id = p.tenant_id AND e.id = p.event_id" \
	  " WHERE p.tenant_id = ? AND p.starts_at >= FROM_UNIXTIME(?) - INTERVAL 1 DAY AND p.state = 'on_sale'" \
	  " ORDER BY p.starts_at, p.id LIMIT 50" },

#define CHECKIN_NAV { N_("Check-in"), "/tickets/checkin", "tickets.checkin" },

#endif
