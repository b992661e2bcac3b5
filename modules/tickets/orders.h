/*
 * The back office's side of selling (modules/tickets/orders.c), on the shop's core/commerce/order.c and
 * shop.c: orders (search by code, e-mail or performance and state, detail, cancel, refund,
 * confirming a bank transfer), the CSV export, the box office (staff sell seats or places for
 * cash, tickets printable at once) and sales per performance with an SVG chart.
 */
#ifndef TICKETS_ORDERS_H
#define TICKETS_ORDERS_H

#include "tickets.h"

enum mg_err orders_sales(struct mg_ctx *ctx);
enum mg_err orders_list(struct mg_ctx *ctx);
enum mg_err orders_csv(struct mg_ctx *ctx);
enum mg_err orders_detail(struct mg_ctx *ctx);
enum mg_err orders_cancel(struct mg_ctx *ctx);
enum mg_err orders_refund(struct mg_ctx *ctx);
enum mg_err orders_confirm_transfer(struct mg_ctx *ctx);
enum mg_err box_office_list(struct mg_ctx *ctx);
enum mg_err box_office_form(struct mg_ctx *ctx);
enum mg_err box_office_sell(struct mg_ctx *ctx);
extern const struct mg_field orders_search_fields[], orders_detail_query[], box_office_fields[];

/* An order in a back-office path: its code (a shorter text simply finds nothing). */
#define ORDER_PATH "/tickets/orders/(?<code>[0-9A-Z]{1,12})"

/* Entries of tickets.c's tables (its "orders.c" sections). */
#define ORDERS_ROUTES \
	{ "GET", "/tickets/orders", orders_list, MG_SCOPE_ADMIN, "tickets.sell", orders_search_fields, \
	  "orders: search by code, e-mail, performance, state" }, \
	{ "GET", "/tickets/orders.csv", orders_csv, MG_SCOPE_ADMIN, "tickets.sell", orders_search_fields, \
	  "the orders found, as CSV for Excel (audited)" }, \
	{ "GET", ORDER_PATH, orders_detail, MG_SCOPE_ADMIN, "tickets.sell", orders_detail_query, \
	  "one order: buyer, lines, payments, tickets and their check-in" }, \
	{ "POST", ORDER_PATH "/cancel", orders_cancel, MG_SCOPE_ADMIN, "tickets.refund", MG_NO_FIELDS, \
	  "cancel an unpaid order: seats released, tickets voided" }, \
	{ "POST", ORDER_PATH "/refund", orders_refund, MG_SCOPE_ADMIN, "tickets.refund", MG_NO_FIELDS, \
	  "refund a paid order: seats released, tickets voided" }, \
	{ "POST", ORDER_PATH "/confirm-transfer", orders_confirm_transfer, MG_SCOPE_ADMIN, "tickets.sell", MG_NO_FIELDS, \
	  "record that a bank transfer for an order arrived (the order is paid)" }, \
	{ "GET", "/tickets/box-office", box_office_list, MG_SCOPE_ADMIN, "tickets.sell", MG_NO_FIELDS, \
	  "box office: the performances on sale" }, \
	{ "GET", "/tickets/box-office/" MG_ID_GROUP("id"), box_office_form, MG_SCOPE_ADMIN, "tickets.sell", MG_NO_FIELDS, \
	  "box office: free seats or places of a performance" }, \
	{ "POST", "/tickets/box-office/" MG_ID_GROUP("id"), box_office_sell, MG_SCOPE_ADMIN, "tickets.sell", \
	  box_office_fields, "box office: sell seats or places for cash (order paid, tickets printable)" }, \
	{ "GET", "/tickets/sales", orders_sales, MG_SCOPE_ADMIN, "tickets.sell", MG_NO_FIELDS, \
	  "sales per performance: sold, held, free and blocked units, revenue, a bar chart" },

#define ORDERS_STATEMENTS \
	[TICKETS_SQL_ORDERS_OF_PERFORMANCE] = { "tickets.orders_of_performance", \
	  "SELECT DISTINCT order_id FROM tickets_ticket WHERE tenant_id = ? AND performance_id = ?" }, \
	[TICKETS_SQL_ORDERS_TICKETS] = { "tickets.orders_tickets", \
	  "SELECT id, state, COALESCE(UNIX_TIMESTAMP(checked_in_at), 0)," \
	  " COALESCE(checked_in_gate, '') FROM tickets_ticket WHERE tenant_id = ? AND order_id = ? ORDER BY line_no" }, \
	[TICKETS_SQL_BOX_OFFICE_PERFORMANCES] = { "tickets.box_office_performances", \
	  "SELECT p.id, e.title, UNIX_TIMESTAMP(p.starts_at), e.kind" \
	  " FROM tickets_performance p JOIN tickets_event e ON e.tenant_id = p.tenant_id AND e.id = p.event_id" \
	  " WHERE p.tenant_id = ? AND p.state = 'on_sale' AND e.state = 'published' AND p.starts_at >= FROM_UNIXTIME(?)" \
	  " ORDER BY p.starts_at, p.id LIMIT 100" }, \
	[TICKETS_SQL_BOX_OFFICE_SEATS] = { "tickets.box_office_seats", \
	  "SELECT seat_no, label, category FROM tickets_seat WHERE tenant_id = ? AND seat_map_id = ? ORDER BY seat_no" }, \
	[TICKETS_SQL_BOX_OFFICE_QUOTAS] = { "tickets.box_office_quotas", \
	  "SELECT id, name FROM tickets_ga_quota WHERE tenant_id = ? AND performance_id = ? ORDER BY id" }, \
	[TICKETS_SQL_BOX_OFFICE_TYPES] = { "tickets.box_office_types", \
	  "SELECT id, name FROM tickets_ticket_type WHERE tenant_id = ? AND event_id = ? ORDER BY sort_no, id" }, \
	[TICKETS_SQL_SALES_PERFORMANCES] = { "tickets.sales_performances", \
	  "SELECT p.id, e.title, UNIX_TIMESTAMP(p.starts_at), e.kind, p.state" \
	  " FROM tickets_performance p JOIN tickets_event e ON e.tenant_id = p.tenant_id AND e.id = p.event_id" \
	  " WHERE p.tenant_id = ? ORDER BY p.starts_at DESC, p.id DESC LIMIT 100" }, \
	[TICKETS_SQL_SALES_QUOTAS] = { "tickets.sales_quotas", \
	  "SELECT id FROM tickets_ga_quota WHERE tenant_id = ? AND performance_id = ?" }, \
	[TICKETS_SQL_SALES_REVENUE] = { "tickets.sales_revenue", \
	  "SELECT order_id, line_no FROM tickets_ticket WHERE tenant_id = ? AND performance_id = ?" },

#define ORDERS_NAV \
	{ N_("Orders"), "/tickets/orders", "tickets.sell" }, \
	{ N_("Box office"), "/tickets/box-office", "tickets.sell" }, \
	{ N_("Sales per performance"), "/tickets/sales", "tickets.sell" },

#endif
