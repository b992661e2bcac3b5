/*
 * E-tickets (eticket.c): one tickets_ticket per seat or admission place of an order, issued
 * inside the checkout's transaction; its code is "T1-<ticket id>" signed with the tenant's
 * Ed25519 key (mg_sign_code), which is what the QR carries and the secret of the ticket's
 * link. The printable ticket page and the order page (linked from the confirmation mail, by a
 * signed "O1-<order code>") live here too.
 */
#ifndef TICKETS_ETICKET_H
#define TICKETS_ETICKET_H

#include "shop.h"

/* The checkout hook (struct mg_checkout): issues the order's tickets and sets its view_path.
 * arg is a struct eticket_issue; on success it lists the tickets (arena). */
struct eticket_issue {
	struct mg_ctx *ctx;
	size_t n;
	struct shop_ticket *tickets;
};
/* The mail of a tickets order (mg_order_mailer, the descriptor's .order_mail). */
enum mg_err eticket_order_mail(struct mg_arena *arena, const struct mg_order_mail *mail, const char **subject,
			       const char **body);
enum mg_err eticket_issue_hook(struct mg_db *db, struct mg_arena *arena, struct mg_order *order, void *arg);

/* The order-close hook (expiry, cancellation): voids the order's tickets. */
enum mg_err eticket_void_order(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t order_id, void *arg);

/* The performance of a general-admission quota, 0 when none. */
uint64_t eticket_quota_performance(struct mg_ctx *ctx, uint64_t quota);

/* The tickets of an order, in line order. */
enum mg_err eticket_of_order(struct mg_ctx *ctx, uint64_t order_id, size_t *n, struct shop_ticket **tickets);

/* The order page's path: /<slug>/tickets/orders/<signed "O1-<code>">. */
enum mg_err eticket_order_path(struct mg_ctx *ctx, const char *order_code, const char **path);

enum mg_err eticket_ticket_page(struct mg_ctx *ctx);
enum mg_err eticket_order_page(struct mg_ctx *ctx);

#define ETICKET_ROUTES                                                                                                \
	{ "GET", "/tickets/t/(?<code>T1-[0-9]{1,20}\\.[A-Za-z0-9_-]{86})", eticket_ticket_page, MG_SCOPE_TENANT, NULL,  \
	  MG_NO_FIELDS, "the printable e-ticket with its QR code (the signed code is the link's secret)" },                      \
	{ "GET", "/tickets/orders/(?<code>O1-[A-Z0-9]{12}\\.[A-Za-z0-9_-]{86})", eticket_order_page, MG_SCOPE_TENANT,   \
	  NULL, MG_NO_FIELDS, "an order and its tickets, as linked from the confirmation mail" },

#define ETICKET_SELECT                                                                                                \
	"SELECT t.id, t.kind, t.unit, t.code, t.state, e.title, UNIX_TIMESTAMP(p.starts_at), o.code, o.state,"         \
	" l.description, COALESCE(s.label, q.name, ''), v.name, t.order_id"                                           \
	" FROM tickets_ticket t"                                                                                      \
	" JOIN tickets_performance p ON p.tenant_id = t.tenant_id AND p.id = t.performance_id"                        \
	" JOIN tickets_event e ON e.tenant_id = p.tenant_id AND e.id = p.event_id"                                    \
	" JOIN tickets_venue v ON v.tenant_id = e.tenant_id AND v.id = e.venue_id"                                    \
	" JOIN orders o ON o.tenant_id = t.tenant_id AND o.id = t.order_id"                                           \
	" JOIN order_line l ON l.tenant_id = t.tenant_id AND l.order_id = t.order_id AND l.line_no = t.line_no"       \
	" LEFT JOIN tickets_seat s ON t.kind = 'tickets.seat' AND s.tenant_id = t.tenant_id AND s.seat_map_id = e.seat_map_id" \
	" AND s.seat_no = t.unit"                                                                                     \
	" LEFT JOIN tickets_ga_quota q ON t.kind = 'tickets.ga' AND q.tenant_id = t.tenant_id AND q.id = t.resource_id"

#define ETICKET_STATEMENTS                                                                                            \
	[TICKETS_SQL_ETICKET_INSERT] = { "tickets.eticket_insert",                                                    \
	  "INSERT INTO tickets_ticket (tenant_id, order_id, line_no, performance_id, kind, resource_id, unit, code)"  \
	  " VALUES (?, ?, ?, ?, ?, ?, ?, '')" },                                                                       \
	[TICKETS_SQL_ETICKET_SET_CODE] = { "tickets.eticket_set_code",                                                \
	  "UPDATE tickets_ticket SET code = ? WHERE tenant_id = ? AND id = ?" },                                      \
	[TICKETS_SQL_ETICKET_QUOTA_PERFORMANCE] = { "tickets.eticket_quota_performance",                              \
	  "SELECT performance_id FROM tickets_ga_quota WHERE tenant_id = ? AND id = ?" },                             \
	[TICKETS_SQL_ETICKET_VOID] = { "tickets.eticket_void",                                                        \
	  "UPDATE tickets_ticket SET state = 'void' WHERE tenant_id = ? AND order_id = ? AND state = 'valid'" },      \
	[TICKETS_SQL_ETICKET_BY_ID] = { "tickets.eticket_by_id",                                                      \
	  ETICKET_SELECT " WHERE t.tenant_id = ? AND t.id = ?" },                                                     \
	[TICKETS_SQL_ETICKET_BY_ORDER] = { "tickets.eticket_by_order",                                                \
	  ETICKET_SELECT " WHERE t.tenant_id = ? AND t.order_id = ? ORDER BY t.line_no" },

#endif
