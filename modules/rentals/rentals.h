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

/* ---- bookings.c: rooms, days and the one way a booking is made (API and pages) ---- */

struct room {
	uint64_t id, space_id, facility_id;
	const char *name, *default_purpose;
	bool lottery_only;
	unsigned weekend_percent, full_day_percent;
	int days_after, days_before;
	const char *ladder;
	struct rentals_block blocks[RENTALS_MAX_BLOCKS];
	size_t n_blocks;
};

struct equipment_take {
	uint64_t id;
	unsigned quantity;
	long long fee_per_block;
	const char *name;
};

struct booking_new {
	struct mg_arena *arena;
	uint64_t tenant;
	const struct room *room;
	const char *date, *purpose;
	size_t first, last; /* block indexes */
	time_t from, to, now, deadline;
	unsigned attendees;
	unsigned residency_percent; /* 100 市内, 150 市外 (0: 100) */
	uint64_t staff_id, person_id;
	struct equipment_take equipment[RENTALS_MAX_EQUIPMENT];
	size_t n_equipment;
	struct rentals_fee_line lines[RENTALS_MAX_LINES];
	size_t n_lines;
	long long total;
	const char *label;
	/* out */
	uint64_t id;
	const char *code;
	struct mg_calendar_conflict conflict;
	uint64_t short_equipment; /* the equipment that ran out, or 0 */
	bool dry_run;             /* the fee only: nothing is booked */
};

enum book_outcome { BOOK_OK, BOOK_BAD, BOOK_NO_ROOM, BOOK_LOTTERY, BOOK_TAKEN, BOOK_SHORT, BOOK_ERROR };

/* The active room id with its facility's rules and its blocks in day order (arena). */
enum mg_err rentals_room_load(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t id, struct room *out);
/* Each block of the room on a local date: its UTC times and free / taken (any module) / closed. */
enum mg_err rentals_day_states(struct mg_ctx *ctx, const struct room *room, const char *date, time_t *starts,
			       time_t *ends, enum rentals_block_state *states);
/* b->room = room id loaded into *room: BOOK_OK, BOOK_NO_ROOM, or BOOK_ERROR with *err. */
enum book_outcome rentals_book_room(struct mg_ctx *ctx, struct booking_new *b, struct room *room, uint64_t id,
				    enum mg_err *err);
/* Adds equipment of the room's facility to b: false when it is not one, or named twice. */
bool rentals_add_equipment(struct mg_ctx *ctx, struct booking_new *b, uint64_t id, long long quantity);
/* Makes the provisional booking (or with b->dry_run only its fee): BOOK_BAD with *problem (a
 * msgid), BOOK_TAKEN, BOOK_SHORT, BOOK_LOTTERY, BOOK_ERROR with *err. */
enum book_outcome rentals_book(struct mg_ctx *ctx, struct booking_new *b, const char *const *codes, size_t n_codes,
			       const char **problem, enum mg_err *err);

/* Approves (本予約) a provisional booking by code (bookings.c): MG_ERR_CONFLICT with *problem. */
enum mg_err rentals_approve(struct mg_ctx *ctx, const char *code, const char **problem);

/* ---- admin.c: the back office ---- */
enum mg_err rentals_admin_calendar(struct mg_ctx *ctx);
enum mg_err rentals_admin_approve(struct mg_ctx *ctx);
enum mg_err rentals_admin_occupancy(struct mg_ctx *ctx);
enum mg_err rentals_admin_csv(struct mg_ctx *ctx);
extern const struct mg_field rentals_admin_calendar_query[], rentals_admin_approve_fields[],
	rentals_admin_month_query[];

#define RENTALS_ADMIN_ROUTES                                                                                          \
	{ "GET", "/rentals/calendar", rentals_admin_calendar, MG_SCOPE_ADMIN, "rentals.manage",                      \
	  rentals_admin_calendar_query, "the day × rooms calendar: rentals, performances and courses together" },      \
	{ "POST", "/rentals/bookings/(?<code>[^/]{1,64})/approve", rentals_admin_approve, MG_SCOPE_ADMIN,              \
	  "rentals.manage", rentals_admin_approve_fields, "approves a provisional booking (本予約)" },          \
	{ "GET", "/rentals/occupancy", rentals_admin_occupancy, MG_SCOPE_ADMIN, "rentals.manage",                    \
	  rentals_admin_month_query, "稼働率 per room for a month, with an SVG chart" },                               \
	{ "GET", "/rentals/bookings.csv", rentals_admin_csv, MG_SCOPE_ADMIN, "rentals.manage",                       \
	  rentals_admin_month_query, "the month's bookings as CSV (UTF-8 with BOM)" },

/* ---- web.c: the public pages ---- */
enum mg_err rentals_page_rooms(struct mg_ctx *ctx);
enum mg_err rentals_page_room(struct mg_ctx *ctx);
enum mg_err rentals_page_book(struct mg_ctx *ctx);
enum mg_err rentals_page_booking(struct mg_ctx *ctx);
enum mg_err rentals_page_booking_ics(struct mg_ctx *ctx);
extern const struct mg_field rentals_room_query[], rentals_book_fields[];

#define RENTALS_PAGE_ROUTES                                                                                           \
	{ "GET", "/rentals", rentals_page_rooms, MG_SCOPE_TENANT, NULL, MG_NO_FIELDS, "the rooms that can be booked" }, \
	{ "GET", "/rentals/rooms/" MG_ID_GROUP("id"), rentals_page_room, MG_SCOPE_TENANT, NULL, rentals_room_query,    \
	  "a room's month and a day's blocks with ○ △ × 休" },                                                          \
	{ "GET", "/rentals/rooms/" MG_ID_GROUP("id") "/book", rentals_page_book, MG_SCOPE_TENANT, NULL,                \
	  rentals_book_fields, "the booking form of a logged-in customer" },                                          \
	{ "POST", "/rentals/rooms/" MG_ID_GROUP("id") "/book", rentals_page_book, MG_SCOPE_TENANT, NULL,               \
	  rentals_book_fields, "the fee line by line, then a provisional booking (仮予約)" },                           \
	{ "GET", "/rentals/bookings/(?<code>[^/]{1,64})", rentals_page_booking, MG_SCOPE_TENANT, NULL, MG_NO_FIELDS,    \
	  "a customer's own booking with its fee and deadline" },                                                     \
	{ "GET", "/rentals/bookings/(?<code>[^/]{1,64})/ics", rentals_page_booking_ics, MG_SCOPE_TENANT, NULL,         \
	  MG_NO_FIELDS, "a customer's booking as an iCalendar file" },


#define RENTALS_BOOKING "/api/v1/bookings/(?<code>[^/]{1,64})"

#define RENTALS_API_ROUTES                                                                                            \
	{ "GET", "/api/v1/rooms", rentals_api_rooms, MG_SCOPE_TENANT, NULL, MG_NO_FIELDS,                             \
	  "API: the rooms that can be booked, with their parts" },                                                    \
	{ "GET", "/api/v1/rooms/" MG_ID_GROUP("id") "/availability", rentals_api_availability, MG_SCOPE_TENANT, NULL, \
	  rentals_availability_query, "API: each block of a room's days, free, taken (by any module) or closed" },     \
	{ "POST", "/api/v1/bookings", rentals_api_book, MG_SCOPE_TENANT, "rentals.book", MG_NO_FIELDS,                \
	  "API: a provisional booking (仮予約) of consecutive blocks, all or nothing, with a staff API token" },        \
	{ "POST", RENTALS_BOOKING "/approve", rentals_api_approve, MG_SCOPE_TENANT, NULL, MG_NO_FIELDS,               \
	  "API: approves a provisional booking (本予約)" },                                                            \
	{ "DELETE", RENTALS_BOOKING, rentals_api_cancel, MG_SCOPE_TENANT, NULL, MG_NO_FIELDS,                         \
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
	RENTALS_SQL_PURPOSES,
	RENTALS_SQL_EQUIPMENT_LIST,
	RENTALS_SQL_BOOKING_SHOW,
	RENTALS_SQL_BOOKING_LINES,
	RENTALS_SQL_BOOKING_CODE,
	RENTALS_SQL_BOOKINGS_MONTH,
	RENTALS_SQL_BOOKING_BY_CODE,
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
	  " ORDER BY deadline, id LIMIT 100" },                                                                      \
	[RENTALS_SQL_PURPOSES] = { "rentals.purposes",                                                                \
	  "SELECT code, label FROM rentals_purpose WHERE tenant_id = ? AND facility_id = ? ORDER BY sort_order, code" }, \
	[RENTALS_SQL_EQUIPMENT_LIST] = { "rentals.equipment_list",                                                    \
	  "SELECT id, name, stock, fee_per_block FROM rentals_equipment WHERE tenant_id = ? AND facility_id = ?"      \
	  " ORDER BY id" },                                                                                           \
	[RENTALS_SQL_BOOKING_SHOW] = { "rentals.booking_show",                                                        \
	  "SELECT b.id, b.state, r.name, UNIX_TIMESTAMP(b.starts_at), UNIX_TIMESTAMP(b.ends_at), b.total,"            \
	  " UNIX_TIMESTAMP(b.deadline) FROM rentals_booking b"                                                        \
	  " JOIN rentals_room r ON r.tenant_id = b.tenant_id AND r.id = b.room_id"                                    \
	  " WHERE b.tenant_id = ? AND b.code = ? AND b.person_id = ?" },                                              \
	[RENTALS_SQL_BOOKING_LINES] = { "rentals.booking_lines",                                                      \
	  "SELECT label, amount FROM rentals_booking_line WHERE tenant_id = ? AND booking_id = ? ORDER BY line_no" }, \
	[RENTALS_SQL_BOOKING_CODE] = { "rentals.booking_code",                                                        \
	  "SELECT code, state FROM rentals_booking WHERE tenant_id = ? AND id = ?" },                                 \
	[RENTALS_SQL_BOOKINGS_MONTH] = { "rentals.bookings_month",                                                    \
	  "SELECT b.code, r.name, b.use_date, bf.label, bl.label, b.state, COALESCE(p.label, b.purpose), b.attendees," \
	  " b.total, UNIX_TIMESTAMP(b.created_at) FROM rentals_booking b"                                             \
	  " JOIN rentals_room r ON r.tenant_id = b.tenant_id AND r.id = b.room_id"                                    \
	  " LEFT JOIN rentals_block bf ON bf.tenant_id = r.tenant_id AND bf.facility_id = r.facility_id"              \
	  " AND bf.code = b.first_block"                                                                              \
	  " LEFT JOIN rentals_block bl ON bl.tenant_id = r.tenant_id AND bl.facility_id = r.facility_id"              \
	  " AND bl.code = b.last_block"                                                                               \
	  " LEFT JOIN rentals_purpose p ON p.tenant_id = r.tenant_id AND p.facility_id = r.facility_id"               \
	  " AND p.code = b.purpose"                                                                                   \
	  " WHERE b.tenant_id = ? AND b.use_date >= ? AND b.use_date < ? + INTERVAL 1 MONTH"                          \
	  " ORDER BY b.use_date, r.sort_order, b.starts_at, b.id LIMIT 10000" },                                      \
	[RENTALS_SQL_BOOKING_BY_CODE] = { "rentals.booking_by_code",                                                  \
	  "SELECT id FROM rentals_booking WHERE tenant_id = ? AND code = ?" },

#endif
