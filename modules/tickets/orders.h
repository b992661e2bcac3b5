/*
 * The back office's side of selling (modules/tickets/orders.c): sales per performance with an
 * SVG chart; orders (search, detail, cancel, refund, bank transfers), the box office and the
 * CSV export come with the shop's core/order.c.
 */
#ifndef TICKETS_ORDERS_H
#define TICKETS_ORDERS_H

#include "tickets.h"

enum mg_err orders_sales(struct mg_ctx *ctx);

/* Entries of tickets.c's tables (its "orders.c" sections). */
#define ORDERS_ROUTES \
	{ "GET", "/tickets/sales", orders_sales, MG_SCOPE_ADMIN, "tickets.sell", NULL, \
	  "sales per performance: sold, held, free and blocked units, revenue, a bar chart" },

#define ORDERS_STATEMENTS \
	{ "tickets.sales_performances", \
	  "SELECT p.id, e.title, DATE_FORMAT(p.starts_at + INTERVAL 9 HOUR, '%Y-%m-%d %H:%i'), e.kind, p.state" \
	  " FROM tickets_performance p JOIN tickets_event e ON e.tenant_id = p.tenant_id AND e.id = p.event_id" \
	  " WHERE p.tenant_id = ? ORDER BY p.starts_at DESC, p.id DESC LIMIT 100" }, \
	{ "tickets.sales_quotas", "SELECT id FROM tickets_ga_quota WHERE tenant_id = ? AND performance_id = ?" }, \
	{ "tickets.sales_revenue", \
	  "SELECT COALESCE(SUM(CASE WHEN o.state = 'paid' THEN l.amount ELSE 0 END), 0)," \
	  " COALESCE(SUM(CASE WHEN o.state = 'pending' THEN l.amount ELSE 0 END), 0)" \
	  " FROM tickets_ticket t" \
	  " JOIN orders o ON o.tenant_id = t.tenant_id AND o.id = t.order_id" \
	  " JOIN order_line l ON l.tenant_id = t.tenant_id AND l.order_id = t.order_id AND l.line_no = t.line_no" \
	  " WHERE t.tenant_id = ? AND t.performance_id = ?" },

#define ORDERS_NAV { N_("Sales per performance"), "/tickets/sales", "tickets.sell" },

#endif
