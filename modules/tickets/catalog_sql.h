/*
 * The catalogue's statements (catalog*.c), listed in tickets_statements[] by tickets.c
 * through CATALOG_STATEMENTS. Every one takes the tenant from the request context as its
 * first tenant_id placeholder; times go in and out as Unix seconds (the connection's time
 * zone is UTC).
 */
#ifndef TICKETS_CATALOG_SQL_H
#define TICKETS_CATALOG_SQL_H

/* A unit that can be taken now: free, or held by a hold that has lapsed. */
#define CATALOG_UNIT_FREE "(u.state = 'free' OR (u.state = 'held' AND u.hold_expires < FROM_UNIXTIME(?)))"

#define CATALOG_EVENT_COLUMNS                                                                                  \
	"e.id, e.title, e.description, e.venue_id, v.name, v.address, COALESCE(e.seat_map_id, 0),"             \
	" COALESCE(m.name, ''), COALESCE(m.seat_count, 0), e.kind, e.state, e.per_order_limit"
#define CATALOG_EVENT_FROM                                                                                     \
	" FROM tickets_event e JOIN tickets_venue v ON v.tenant_id = e.tenant_id AND v.id = e.venue_id"       \
	" LEFT JOIN tickets_seat_map m ON m.tenant_id = e.tenant_id AND m.id = e.seat_map_id"
#define CATALOG_PERFORMANCE_COLUMNS                                                                            \
	"p.id, p.event_id, UNIX_TIMESTAMP(p.starts_at), COALESCE(UNIX_TIMESTAMP(p.doors_at), 0),"             \
	" UNIX_TIMESTAMP(p.sale_starts_at), UNIX_TIMESTAMP(p.sale_ends_at), p.state,"                          \
	" COALESCE(UNIX_TIMESTAMP(p.ends_at), 0)"

#define CATALOG_STATEMENTS                                                                                     \
	/* events */                                                                                           \
	[TICKETS_SQL_CATALOG_EVENT_GET] = { "tickets.catalog_event_get",                                       \
	  "SELECT " CATALOG_EVENT_COLUMNS CATALOG_EVENT_FROM " WHERE e.tenant_id = ? AND e.id = ?" },          \
	[TICKETS_SQL_CATALOG_EVENT_GET_FOR_UPDATE] = { "tickets.catalog_event_get_for_update",                 \
	  "SELECT id FROM tickets_event WHERE tenant_id = ? AND id = ? FOR UPDATE" },                          \
	[TICKETS_SQL_CATALOG_EVENT_PUBLISHED] = { "tickets.catalog_event_published",                           \
	  "SELECT " CATALOG_EVENT_COLUMNS CATALOG_EVENT_FROM                                                   \
	  " WHERE e.tenant_id = ? AND e.state = 'published' ORDER BY e.id DESC LIMIT 500" },                   \
	[TICKETS_SQL_CATALOG_EVENT_ADMIN_LIST] = { "tickets.catalog_event_admin_list",                         \
	  "SELECT e.id, e.title, e.kind, e.state, v.name,"                                                     \
	  " (SELECT UNIX_TIMESTAMP(MIN(p.starts_at)) FROM tickets_performance p WHERE p.tenant_id = e.tenant_id" \
	  "  AND p.event_id = e.id AND p.state = 'on_sale' AND p.starts_at >= FROM_UNIXTIME(?)),"              \
	  " (SELECT COUNT(*) FROM tickets_performance p WHERE p.tenant_id = e.tenant_id AND p.event_id = e.id)" \
	  " FROM tickets_event e JOIN tickets_venue v ON v.tenant_id = e.tenant_id AND v.id = e.venue_id"     \
	  " WHERE e.tenant_id = ? ORDER BY e.id DESC LIMIT 1000" },                                           \
	[TICKETS_SQL_CATALOG_EVENT_INSERT] = { "tickets.catalog_event_insert",                                 \
	  "INSERT INTO tickets_event (tenant_id, title, description, venue_id, seat_map_id, kind, per_order_limit)" \
	  " VALUES (?, ?, ?, ?, ?, ?, ?)" },                                                                    \
	[TICKETS_SQL_CATALOG_EVENT_UPDATE] = { "tickets.catalog_event_update",                                 \
	  "UPDATE tickets_event SET title = ?, description = ?, venue_id = ?, seat_map_id = ?, kind = ?,"     \
	  " per_order_limit = ? WHERE tenant_id = ? AND id = ?" },                                             \
	[TICKETS_SQL_CATALOG_EVENT_SET_STATE] = { "tickets.catalog_event_set_state",                           \
	  "UPDATE tickets_event SET state = ? WHERE tenant_id = ? AND id = ? AND state = ?" },                 \
	[TICKETS_SQL_CATALOG_EVENT_PERFORMANCE_COUNT] = { "tickets.catalog_event_performance_count",           \
	  "SELECT COUNT(*) FROM tickets_performance WHERE tenant_id = ? AND event_id = ?" },                   \
	/* venues and seat maps (managed by seatmap.c; read here) */                                          \
	[TICKETS_SQL_CATALOG_VENUES] = { "tickets.catalog_venues",                                             \
	  "SELECT id, name FROM tickets_venue WHERE tenant_id = ? ORDER BY name, id" },                        \
	[TICKETS_SQL_CATALOG_SEAT_MAPS] = { "tickets.catalog_seat_maps",                                       \
	  "SELECT m.id, m.venue_id, v.name, m.name, m.seat_count FROM tickets_seat_map m"                      \
	  " JOIN tickets_venue v ON v.tenant_id = m.tenant_id AND v.id = m.venue_id"                          \
	  " WHERE m.tenant_id = ? ORDER BY v.name, m.venue_id, m.id" },                                       \
	[TICKETS_SQL_CATALOG_SEAT_MAP_GET] = { "tickets.catalog_seat_map_get",                                 \
	  "SELECT venue_id, seat_count FROM tickets_seat_map WHERE tenant_id = ? AND id = ?" },                \
	[TICKETS_SQL_CATALOG_VENUE_GET] = { "tickets.catalog_venue_get",                                       \
	  "SELECT id FROM tickets_venue WHERE tenant_id = ? AND id = ?" },                                     \
	/* the venue's calendar space: the venue row locked, so two first performances make one */           \
	[TICKETS_SQL_VENUE_SPACE_LOCK] = { "tickets.venue_space_lock",                                         \
	  "SELECT COALESCE(space_id, 0), name FROM tickets_venue WHERE tenant_id = ? AND id = ? FOR UPDATE" },  \
	[TICKETS_SQL_VENUE_SPACE_SET] = { "tickets.venue_space_set",                                           \
	  "UPDATE tickets_venue SET space_id = ? WHERE tenant_id = ? AND id = ?" },                            \
	/* performances */                                                                                     \
	[TICKETS_SQL_CATALOG_PERFORMANCE_GET] = { "tickets.catalog_performance_get",                           \
	  "SELECT " CATALOG_PERFORMANCE_COLUMNS " FROM tickets_performance p WHERE p.tenant_id = ? AND p.id = ?" }, \
	[TICKETS_SQL_CATALOG_PERFORMANCES_OF_EVENT] = { "tickets.catalog_performances_of_event",               \
	  "SELECT " CATALOG_PERFORMANCE_COLUMNS " FROM tickets_performance p"                                 \
	  " WHERE p.tenant_id = ? AND p.event_id = ? ORDER BY p.starts_at, p.id LIMIT 1000" },                 \
	[TICKETS_SQL_CATALOG_PERFORMANCES_COMING] = { "tickets.catalog_performances_coming",                   \
	  "SELECT " CATALOG_PERFORMANCE_COLUMNS " FROM tickets_performance p"                                 \
	  " JOIN tickets_event e ON e.tenant_id = p.tenant_id AND e.id = p.event_id"                          \
	  " WHERE p.tenant_id = ? AND e.state = 'published' AND p.starts_at >= FROM_UNIXTIME(?)"              \
	  " ORDER BY p.event_id, p.starts_at, p.id LIMIT 5000" },                                             \
	[TICKETS_SQL_CATALOG_PERFORMANCE_INSERT] = { "tickets.catalog_performance_insert",                     \
	  "INSERT INTO tickets_performance (tenant_id, event_id, starts_at, doors_at, sale_starts_at, sale_ends_at," \
	  " ends_at) VALUES (?, ?, FROM_UNIXTIME(?), FROM_UNIXTIME(?), FROM_UNIXTIME(?), FROM_UNIXTIME(?),"     \
	  " FROM_UNIXTIME(?))" },                                                                                \
	[TICKETS_SQL_CATALOG_PERFORMANCE_UPDATE] = { "tickets.catalog_performance_update",                     \
	  "UPDATE tickets_performance SET starts_at = FROM_UNIXTIME(?), doors_at = FROM_UNIXTIME(?),"         \
	  " sale_starts_at = FROM_UNIXTIME(?), sale_ends_at = FROM_UNIXTIME(?), ends_at = FROM_UNIXTIME(?)"    \
	  " WHERE tenant_id = ? AND id = ?" },                                                                   \
	[TICKETS_SQL_CATALOG_PERFORMANCE_CANCEL] = { "tickets.catalog_performance_cancel",                     \
	  "UPDATE tickets_performance SET state = 'cancelled' WHERE tenant_id = ? AND id = ? AND state = 'on_sale'" }, \
	[TICKETS_SQL_CATALOG_PERFORMANCE_FREE_SEATS] = { "tickets.catalog_performance_free_seats",             \
	  "SELECT COUNT(*) FROM inventory_unit u WHERE u.tenant_id = ? AND u.kind = 'tickets.seat' AND u.resource_id = ?" \
	  " AND " CATALOG_UNIT_FREE },                                                                          \
	[TICKETS_SQL_CATALOG_PERFORMANCE_FREE_PLACES] = { "tickets.catalog_performance_free_places",           \
	  "SELECT COUNT(*) FROM tickets_ga_quota q JOIN inventory_unit u ON u.tenant_id = q.tenant_id"         \
	  " AND u.kind = 'tickets.ga' AND u.resource_id = q.id"                                                       \
	  " WHERE q.tenant_id = ? AND q.performance_id = ? AND " CATALOG_UNIT_FREE },                          \
	/* categories, ticket types and prices */                                                             \
	[TICKETS_SQL_CATALOG_MAP_CATEGORIES] = { "tickets.catalog_map_categories",                             \
	  "SELECT category, COUNT(*) FROM tickets_seat WHERE tenant_id = ? AND seat_map_id = ?"               \
	  " GROUP BY category ORDER BY category" },                                                            \
	[TICKETS_SQL_CATALOG_CATEGORY_LIST] = { "tickets.catalog_category_list",                               \
	  "SELECT code, name, rank_no FROM tickets_category WHERE tenant_id = ? AND event_id = ?"             \
	  " ORDER BY rank_no, code" },                                                                          \
	[TICKETS_SQL_CATALOG_CATEGORY_UPSERT] = { "tickets.catalog_category_upsert",                           \
	  "INSERT INTO tickets_category (tenant_id, event_id, code, name, rank_no) VALUES (?, ?, ?, ?, ?)"     \
	  " ON DUPLICATE KEY UPDATE name = VALUES(name), rank_no = VALUES(rank_no)" },                          \
	[TICKETS_SQL_CATALOG_TYPE_LIST] = { "tickets.catalog_type_list",                                       \
	  "SELECT id, name, sort_no FROM tickets_ticket_type WHERE tenant_id = ? AND event_id = ?"             \
	  " ORDER BY sort_no, id" },                                                                            \
	[TICKETS_SQL_CATALOG_TYPE_INSERT] = { "tickets.catalog_type_insert",                                   \
	  "INSERT INTO tickets_ticket_type (tenant_id, event_id, name, sort_no) VALUES (?, ?, ?, ?)" },        \
	[TICKETS_SQL_CATALOG_TYPE_UPDATE] = { "tickets.catalog_type_update",                                   \
	  "UPDATE tickets_ticket_type SET name = ?, sort_no = ? WHERE tenant_id = ? AND event_id = ? AND id = ?" }, \
	[TICKETS_SQL_CATALOG_PRICE_LIST] = { "tickets.catalog_price_list",                                     \
	  "SELECT category, ticket_type_id, amount FROM tickets_price WHERE tenant_id = ? AND event_id = ?" },  \
	[TICKETS_SQL_CATALOG_PRICE_GET] = { "tickets.catalog_price_get",                                       \
	  "SELECT p.amount FROM tickets_price p JOIN tickets_ticket_type t ON t.tenant_id = p.tenant_id"       \
	  " AND t.id = p.ticket_type_id AND t.event_id = p.event_id"                                           \
	  " WHERE p.tenant_id = ? AND p.event_id = ? AND p.category = ? AND p.ticket_type_id = ?" },           \
	[TICKETS_SQL_CATALOG_PRICE_UPSERT] = { "tickets.catalog_price_upsert",                                 \
	  "INSERT INTO tickets_price (tenant_id, event_id, category, ticket_type_id, amount)"                  \
	  " VALUES (?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE amount = VALUES(amount)" },                         \
	[TICKETS_SQL_CATALOG_PRICE_DELETE] = { "tickets.catalog_price_delete",                                 \
	  "DELETE FROM tickets_price WHERE tenant_id = ? AND event_id = ? AND category = ? AND ticket_type_id = ?" }, \
	/* general-admission quotas */                                                                         \
	[TICKETS_SQL_CATALOG_QUOTA_LIST] = { "tickets.catalog_quota_list",                                     \
	  "SELECT id, performance_id, name, price_category, capacity FROM tickets_ga_quota"                    \
	  " WHERE tenant_id = ? AND performance_id = ? ORDER BY id" },                                         \
	[TICKETS_SQL_CATALOG_QUOTA_GET] = { "tickets.catalog_quota_get",                                       \
	  "SELECT id, performance_id, name, price_category, capacity FROM tickets_ga_quota"                    \
	  " WHERE tenant_id = ? AND id = ?" },                                                                  \
	[TICKETS_SQL_CATALOG_QUOTA_LOCK] = { "tickets.catalog_quota_lock",                                     \
	  "SELECT capacity FROM tickets_ga_quota WHERE tenant_id = ? AND id = ? FOR UPDATE" },                 \
	[TICKETS_SQL_CATALOG_QUOTA_INSERT] = { "tickets.catalog_quota_insert",                                 \
	  "INSERT INTO tickets_ga_quota (tenant_id, performance_id, name, price_category, capacity)"          \
	  " VALUES (?, ?, ?, ?, ?)" },                                                                          \
	[TICKETS_SQL_CATALOG_QUOTA_UPDATE] = { "tickets.catalog_quota_update",                                 \
	  "UPDATE tickets_ga_quota SET name = ?, price_category = ?, capacity = ? WHERE tenant_id = ? AND id = ?" }, \
	/* merchandise */                                                                                      \
	[TICKETS_SQL_CATALOG_MERCH_LIST] = { "tickets.catalog_merch_list",                                     \
	  "SELECT i.id, COALESCE(i.event_id, 0), COALESCE(e.title, ''), i.name, i.price, i.stock, i.state"     \
	  " FROM tickets_merch i LEFT JOIN tickets_event e ON e.tenant_id = i.tenant_id AND e.id = i.event_id" \
	  " WHERE i.tenant_id = ? ORDER BY i.state, i.id DESC LIMIT 1000" },                                  \
	[TICKETS_SQL_CATALOG_MERCH_ON_SALE] = { "tickets.catalog_merch_on_sale",                               \
	  "SELECT i.id, COALESCE(i.event_id, 0), COALESCE(e.title, ''), i.name, i.price, i.stock, i.state"     \
	  " FROM tickets_merch i LEFT JOIN tickets_event e ON e.tenant_id = i.tenant_id AND e.id = i.event_id" \
	  " WHERE i.tenant_id = ? AND i.state = 'on_sale' AND (? = 0 OR i.event_id IS NULL OR i.event_id = ?)" \
	  " ORDER BY i.id LIMIT 1000" },                                                                       \
	[TICKETS_SQL_CATALOG_MERCH_GET] = { "tickets.catalog_merch_get",                                       \
	  "SELECT i.id, COALESCE(i.event_id, 0), COALESCE(e.title, ''), i.name, i.price, i.stock, i.state"     \
	  " FROM tickets_merch i LEFT JOIN tickets_event e ON e.tenant_id = i.tenant_id AND e.id = i.event_id" \
	  " WHERE i.tenant_id = ? AND i.id = ?" },                                                             \
	[TICKETS_SQL_CATALOG_MERCH_LOCK] = { "tickets.catalog_merch_lock",                                     \
	  "SELECT stock FROM tickets_merch WHERE tenant_id = ? AND id = ? FOR UPDATE" },                       \
	[TICKETS_SQL_CATALOG_MERCH_INSERT] = { "tickets.catalog_merch_insert",                                 \
	  "INSERT INTO tickets_merch (tenant_id, event_id, name, price, stock) VALUES (?, ?, ?, ?, ?)" },     \
	[TICKETS_SQL_CATALOG_MERCH_UPDATE] = { "tickets.catalog_merch_update",                                 \
	  "UPDATE tickets_merch SET event_id = ?, name = ?, price = ?, stock = ? WHERE tenant_id = ? AND id = ?" }, \
	[TICKETS_SQL_CATALOG_MERCH_WITHDRAW] = { "tickets.catalog_merch_withdraw",                             \
	  "UPDATE tickets_merch SET state = 'withdrawn' WHERE tenant_id = ? AND id = ? AND state = 'on_sale'" }, \
	/* the purge: every tickets_* table, 1000 rows at a time */                                          \
	[TICKETS_SQL_PURGE_VENUE] = { "tickets.purge_venue",                                                   \
	  "DELETE FROM tickets_venue WHERE tenant_id = ? LIMIT 1000" },                                        \
	[TICKETS_SQL_PURGE_SEAT_MAP] = { "tickets.purge_seat_map",                                             \
	  "DELETE FROM tickets_seat_map WHERE tenant_id = ? LIMIT 1000" },                                     \
	[TICKETS_SQL_PURGE_SEAT] = { "tickets.purge_seat",                                                     \
	  "DELETE FROM tickets_seat WHERE tenant_id = ? LIMIT 1000" },                                         \
	[TICKETS_SQL_PURGE_EVENT] = { "tickets.purge_event",                                                   \
	  "DELETE FROM tickets_event WHERE tenant_id = ? LIMIT 1000" },                                        \
	[TICKETS_SQL_PURGE_PERFORMANCE] = { "tickets.purge_performance",                                       \
	  "DELETE FROM tickets_performance WHERE tenant_id = ? LIMIT 1000" },                                  \
	[TICKETS_SQL_PURGE_CATEGORY] = { "tickets.purge_category",                                             \
	  "DELETE FROM tickets_category WHERE tenant_id = ? LIMIT 1000" },                                     \
	[TICKETS_SQL_PURGE_TICKET_TYPE] = { "tickets.purge_ticket_type",                                       \
	  "DELETE FROM tickets_ticket_type WHERE tenant_id = ? LIMIT 1000" },                                  \
	[TICKETS_SQL_PURGE_PRICE] = { "tickets.purge_price",                                                   \
	  "DELETE FROM tickets_price WHERE tenant_id = ? LIMIT 1000" },                                        \
	[TICKETS_SQL_PURGE_GA_QUOTA] = { "tickets.purge_ga_quota",                                             \
	  "DELETE FROM tickets_ga_quota WHERE tenant_id = ? LIMIT 1000" },                                     \
	[TICKETS_SQL_PURGE_MERCH] = { "tickets.purge_merch",                                                   \
	  "DELETE FROM tickets_merch WHERE tenant_id = ? LIMIT 1000" },                                        \
	[TICKETS_SQL_PURGE_TICKET] = { "tickets.purge_ticket",                                                 \
	  "DELETE FROM tickets_ticket WHERE tenant_id = ? LIMIT 1000" },                                       \


#endif
