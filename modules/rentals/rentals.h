/*
 * The rentals module's parts (rentals.c holds the descriptor): the JSON API (api.c, bookings.c)
 * and the pure rules (fees.h).
 */
#ifndef RENTALS_H
#define RENTALS_H

#include "core/module.h"
#include "fees.h"

enum mg_err rentals_api_rooms(struct mg_ctx *ctx);
enum mg_err rentals_api_availability(struct mg_ctx *ctx);
enum mg_err rentals_api_book(struct mg_ctx *ctx);
enum mg_err rentals_api_approve(struct mg_ctx *ctx);
enum mg_err rentals_api_cancel(struct mg_ctx *ctx);
enum mg_err rentals_lapse_job(struct mg_db *db, struct mg_arena *arena, time_t now);

extern const struct mg_field rentals_availability_query[];

#define RENTALS_BOOKING "/api/v1/bookings/(?<code>R[0-9]{8})"

#define RENTALS_API_ROUTES                                                                                            \
	{ "GET", "/api/v1/rooms", rentals_api_rooms, MG_SCOPE_TENANT, NULL, MG_NO_FIELDS,                             \
	  "API: the rooms that can be booked, with their parts" },                                                    \
	{ "GET", "/api/v1/rooms/" MG_ID_GROUP("id") "/availability", rentals_api_availability, MG_SCOPE_TENANT, NULL, \
	  rentals_availability_query, "API: each block of a room's days, free, taken (by any module) or closed" },     \
	{ "POST", "/api/v1/bookings", rentals_api_book, MG_SCOPE_TENANT, "rentals.book", MG_NO_FIELDS,                \
	  "API: a provisional booking (仮予約) of consecutive blocks, all or nothing, with a staff API token" },        \
	{ "POST", RENTALS_BOOKING "/approve", rentals_api_approve, MG_SCOPE_TENANT, "rentals.manage", MG_NO_FIELDS,   \
	  "API: approves a provisional booking (本予約)" },                                                            \
	{ "DELETE", RENTALS_BOOKING, rentals_api_cancel, MG_SCOPE_TENANT, "rentals.manage", MG_NO_FIELDS,             \
	  "API: cancels a booking by the facility's ladder and frees its blocks" },

/* The module's one statement table (rentals.c), indexed by this enum. */
enum rentals_sql {
	RENTALS_SQL_API_ROOMS,
	RENTALS_SQL_ROOM_GET,
	RENTALS_SQL_BLOCKS,
	RENTALS_SQL_PURPOSE_GET,
	RENTALS_SQL_EQUIPMENT_GET,
	RENTALS_SQL_BOOKING_INSERT,
	RENTALS_SQL_BOOKING_SET_CODE,
	RENTALS_SQL_BOOKING_SET_OCCUPATION,
	RENTALS_SQL_BOOKING_EQUIPMENT_INSERT,
	RENTALS_SQL_EQUIPMENT_USE_ROW,
	RENTALS_SQL_EQUIPMENT_TAKE,
	RENTALS_SQL_LINE_INSERT,
	RENTALS_SQL_BOOKING_LOCK,
	RENTALS_SQL_BOOKING_EQUIPMENT,
	RENTALS_SQL_EQUIPMENT_GIVE,
	RENTALS_SQL_BOOKING_SET_STATE,
	RENTALS_SQL_BOOKINGS_DUE,
	RENTALS_SQL__MAX
};
extern const struct mg_sql rentals_statements[RENTALS_SQL__MAX + 1];
#define RENTALS_SQL(what) (&rentals_statements[RENTALS_SQL_##what])

#define RENTALS_API_STATEMENTS                                                                                        \
	[RENTALS_SQL_API_ROOMS] = { "rentals.api_rooms",                                                              \
	  "SELECT r.id, r.name, r.capacity, r.parent_room_id FROM rentals_room r"                                     \
	  " JOIN rentals_facility f ON f.tenant_id = r.tenant_id AND f.id = r.facility_id"                           \
	  " WHERE r.tenant_id = ? AND r.active = 1"                                                                   \
	  " ORDER BY f.id, COALESCE(r.parent_room_id, r.id), r.parent_room_id IS NOT NULL, r.sort_order, r.id" },     \
	[RENTALS_SQL_ROOM_GET] = { "rentals.room_get",                                                                \
	  "SELECT r.space_id, r.facility_id, r.name, r.default_purpose, r.lottery_only, f.weekend_percent,"           \
	  " f.full_day_percent, f.deadline_days_after, f.deadline_days_before, f.cancel_ladder FROM rentals_room r"    \
	  " JOIN rentals_facility f ON f.tenant_id = r.tenant_id AND f.id = r.facility_id"                           \
	  " WHERE r.tenant_id = ? AND r.id = ? AND r.active = 1" },                                                   \
	[RENTALS_SQL_BLOCKS] = { "rentals.blocks",                                                                    \
	  "SELECT b.code, b.label, b.start_minute, b.end_minute, COALESCE(fe.amount, 0) FROM rentals_block b"         \
	  " LEFT JOIN rentals_fee fe ON fe.tenant_id = b.tenant_id AND fe.room_id = ? AND fe.block_code = b.code"     \
	  " WHERE b.tenant_id = ? AND b.facility_id = ? ORDER BY b.sort_order, b.code" },                             \
	[RENTALS_SQL_PURPOSE_GET] = { "rentals.purpose_get",                                                          \
	  "SELECT percent, label FROM rentals_purpose WHERE tenant_id = ? AND facility_id = ? AND code = ?" },        \
	[RENTALS_SQL_EQUIPMENT_GET] = { "rentals.equipment_get",                                                      \
	  "SELECT name, fee_per_block FROM rentals_equipment WHERE tenant_id = ? AND facility_id = ? AND id = ?" },   \
	[RENTALS_SQL_BOOKING_INSERT] = { "rentals.booking_insert",                                                    \
	  "INSERT INTO rentals_booking (tenant_id, code, room_id, use_date, first_block, last_block, starts_at,"      \
	  " ends_at, purpose, attendees, deadline, total, booked_by_staff, person_id) VALUES (?, UUID(), ?, ?, ?, ?," \
	  " FROM_UNIXTIME(?), FROM_UNIXTIME(?), ?, ?, FROM_UNIXTIME(?), ?, ?, ?)" },                                 \
	[RENTALS_SQL_BOOKING_SET_CODE] = { "rentals.booking_set_code",                                                \
	  "UPDATE rentals_booking SET code = ? WHERE tenant_id = ? AND id = ?" },                                     \
	[RENTALS_SQL_BOOKING_SET_OCCUPATION] = { "rentals.booking_set_occupation",                                    \
	  "UPDATE rentals_booking SET hold_id = ?, occupation_id = ? WHERE tenant_id = ? AND id = ?" },               \
	[RENTALS_SQL_BOOKING_EQUIPMENT_INSERT] = { "rentals.booking_equipment_insert",                                \
	  "INSERT INTO rentals_booking_equipment (tenant_id, booking_id, equipment_id, quantity) VALUES (?, ?, ?, ?)" }, \
	[RENTALS_SQL_EQUIPMENT_USE_ROW] = { "rentals.equipment_use_row",                                              \
	  "INSERT IGNORE INTO rentals_equipment_use (tenant_id, equipment_id, use_date, block_code, used)"            \
	  " VALUES (?, ?, ?, ?, 0)" },                                                                                \
	/* the stock guard: one conditional UPDATE, never more than the stock in use */                               \
	[RENTALS_SQL_EQUIPMENT_TAKE] = { "rentals.equipment_take",                                                    \
	  "UPDATE rentals_equipment_use u JOIN rentals_equipment e ON e.tenant_id = u.tenant_id"                      \
	  " AND e.id = u.equipment_id SET u.used = u.used + ? WHERE u.tenant_id = ? AND u.equipment_id = ?"           \
	  " AND u.use_date = ? AND u.block_code = ? AND u.used + ? <= e.stock" },                                     \
	[RENTALS_SQL_LINE_INSERT] = { "rentals.line_insert",                                                          \
	  "INSERT INTO rentals_booking_line (tenant_id, booking_id, line_no, line_type, label, amount)"              \
	  " VALUES (?, ?, ?, ?, ?, ?)" },                                                                             \
	[RENTALS_SQL_BOOKING_LOCK] = { "rentals.booking_lock",                                                        \
	  "SELECT b.id, b.state, COALESCE(b.hold_id, 0), COALESCE(b.occupation_id, 0), UNIX_TIMESTAMP(b.starts_at),"  \
	  " COALESCE(UNIX_TIMESTAMP(b.deadline), 0), b.paid, b.total, b.use_date, b.first_block, b.last_block,"      \
	  " f.cancel_ladder, r.facility_id FROM rentals_booking b"                                                    \
	  " JOIN rentals_room r ON r.tenant_id = b.tenant_id AND r.id = b.room_id"                                    \
	  " JOIN rentals_facility f ON f.tenant_id = r.tenant_id AND f.id = r.facility_id"                           \
	  " WHERE b.tenant_id = ? AND (b.code = ? OR b.id = ?) FOR UPDATE" },                                         \
	[RENTALS_SQL_BOOKING_EQUIPMENT] = { "rentals.booking_equipment",                                              \
	  "SELECT equipment_id, quantity FROM rentals_booking_equipment WHERE tenant_id = ? AND booking_id = ?" },    \
	[RENTALS_SQL_EQUIPMENT_GIVE] = { "rentals.equipment_give",                                                    \
	  "UPDATE rentals_equipment_use u SET u.used = u.used - ? WHERE u.tenant_id = ? AND u.equipment_id = ?"       \
	  " AND u.use_date = ? AND u.block_code IN (SELECT b.code FROM rentals_block b"                               \
	  " JOIN rentals_block b1 ON b1.tenant_id = b.tenant_id AND b1.facility_id = b.facility_id AND b1.code = ?"   \
	  " JOIN rentals_block b2 ON b2.tenant_id = b.tenant_id AND b2.facility_id = b.facility_id AND b2.code = ?"   \
	  " WHERE b.tenant_id = ? AND b.facility_id = ? AND b.sort_order BETWEEN b1.sort_order AND b2.sort_order)" }, \
	[RENTALS_SQL_BOOKING_SET_STATE] = { "rentals.booking_set_state",                                              \
	  "UPDATE rentals_booking SET state = ?, cancel_fee = ?, refund = ?,"                                         \
	  " closed_at = IF(state = 'confirmed', NULL, UTC_TIMESTAMP(6)) WHERE tenant_id = ? AND id = ?" },            \
	[RENTALS_SQL_BOOKINGS_DUE] = { "rentals.bookings_due",                                                        \
	  "SELECT tenant_id, id FROM rentals_booking WHERE state = 'provisional' AND deadline <= FROM_UNIXTIME(?)"    \
	  " ORDER BY deadline, id LIMIT 100" },

#endif
