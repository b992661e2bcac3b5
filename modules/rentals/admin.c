/*
 * The back office of rentals (issue 11, item 7), so far: the day × rooms calendar that shows
 * rentals, performances and course sessions together (mg_calendar_busy over each room's space,
 * its parts and the spaces above it), with an approve button on each provisional rental.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rentals.h"

/* What a calendar entry is, for people. */
static const char *kind_label(const char *owner_kind)
{
	if (strcmp(owner_kind, "rentals.booking") == 0)
		return N_("Rental");
	if (strcmp(owner_kind, "tickets.performance") == 0)
		return N_("Performance");
	if (strcmp(owner_kind, "lessons.session") == 0)
		return N_("Course");
	return N_("Other");
}

/*
 * GET /<slug>/admin/rentals/calendar?date=YYYY-MM-DD — one row per room, one column per block of
 * the day; each cell lists what occupies the room (or a part of it, or the whole it belongs to)
 * then, provisional rentals with a button to approve them.
 */
enum mg_err rentals_admin_calendar(struct mg_ctx *ctx)
{
	struct mg_arena *a = mg_arena(ctx);
	const char *zone = mg_tenant_time_zone(ctx);
	const char *date = mg_query(ctx, "date");
	time_t day;
	if (date == NULL || mg_tz_parse_date(zone, date, &day) != MG_OK) {
		mg_tz_day_start(zone, mg_now(), 0, &day);
		date = mg_time_text(ctx, day, MG_TZ_DATE);
	}
	struct mg_rows rooms;
	struct mg_dbval args[] = { MG_INT(mg_tenant_id(ctx)) };
	enum mg_err err = mg_db_exec(mg_ctx_db(ctx), a, RENTALS_SQL(API_ROOMS), args, 1, &rooms, NULL, NULL);
	if (err != MG_OK)
		return err;
	json_t *rows = json_array(), *head = NULL;
	for (size_t r = 0; r < rooms.nrows; r++) {
		struct room room;
		if ((err = rentals_room_load(mg_ctx_db(ctx), a, mg_tenant_id(ctx), mg_cell_u64(MG_CELL(&rooms, r, 0)),
					     &room)) != MG_OK)
			break;
		time_t starts[RENTALS_MAX_BLOCKS], ends[RENTALS_MAX_BLOCKS];
		enum rentals_block_state states[RENTALS_MAX_BLOCKS];
		if ((err = rentals_day_states(ctx, &room, date, starts, ends, states)) != MG_OK)
			break;
		if (head == NULL) {
			head = json_array();
			for (size_t i = 0; i < room.n_blocks; i++)
				json_array_append_new(head, json_pack("{s:s, s:s}", "label", room.blocks[i].label, "time",
								      mg_arena_printf(a, "%s–%s",
										      mg_time_text(ctx, starts[i], MG_TZ_CLOCK),
										      mg_time_text(ctx, ends[i], MG_TZ_CLOCK))));
		}
		struct mg_occupation *busy = NULL;
		size_t n = 0;
		if (room.n_blocks > 0 &&
		    (err = mg_calendar_busy(mg_ctx_db(ctx), a, mg_tenant_id(ctx), room.space_id, starts[0],
					    ends[room.n_blocks - 1], mg_now(), &busy, &n)) != MG_OK)
			break;
		json_t *cells = json_array();
		for (size_t i = 0; i < room.n_blocks; i++) {
			json_t *entries = json_array();
			for (size_t k = 0; k < n; k++) {
				if (!(busy[k].from < ends[i] && busy[k].to > starts[i]))
					continue;
				const char *approve = NULL, *code = NULL;
				bool provisional = busy[k].expires != 0;
				if (strcmp(busy[k].owner_kind, "rentals.booking") == 0) {
					struct mg_rows b;
					struct mg_dbval bargs[] = { MG_INT(mg_tenant_id(ctx)), MG_INT(busy[k].owner_id) };
					if ((err = mg_db_exec(mg_ctx_db(ctx), a, RENTALS_SQL(BOOKING_CODE), bargs, 2, &b, NULL,
							      NULL)) != MG_OK)
						break;
					if (b.nrows > 0) {
						code = MG_CELL(&b, 0, 0);
						provisional = strcmp(MG_CELL(&b, 0, 1), "provisional") == 0;
						if (provisional)
							approve = mg_admin_path(
								ctx, mg_arena_printf(a, "/rentals/bookings/%s/approve", code));
					}
				}
				json_array_append_new(
					entries, json_pack("{s:s, s:s, s:s, s:b, s:s*, s:s*}", "kind",
							   mg_tr(ctx, kind_label(busy[k].owner_kind)), "kind_code",
							   busy[k].owner_kind, "label", busy[k].label ? busy[k].label : "",
							   "provisional", provisional, "code", code, "approve", approve));
			}
			json_array_append_new(cells, json_pack("{s:o, s:b}", "entries", entries, "closed",
							       states[i] == RENTALS_CLOSED));
		}
		json_array_append_new(rows, json_pack("{s:s, s:b, s:o}", "room", room.name, "part",
						      MG_CELL(&rooms, r, 3) != NULL, "cells", cells));
	}
	if (err != MG_OK) {
		json_decref(rows);
		json_decref(head);
		return err;
	}
	json_t *data = mg_admin_page(ctx, N_("Room calendar"));
	json_object_set_new(data, "rows", rows);
	json_object_set_new(data, "head", head != NULL ? head : json_array());
	json_object_set_new(data, "date", json_string(date));
	json_object_set_new(data, "day_label", json_string(mg_time_text(ctx, day, MG_TZ_PEOPLE_DATE)));
	json_object_set_new(data, "action", json_string(mg_admin_path(ctx, "/rentals/calendar")));
	const char *done = mg_query(ctx, "approved");
	if (done != NULL)
		json_object_set_new(data, "approved", json_string(done));
	return mg_render(ctx, 200, "rentals/admin_calendar", data);
}

/* POST /<slug>/admin/rentals/bookings/<code>/approve — 本予約; back to the calendar of its day. */
enum mg_err rentals_admin_approve(struct mg_ctx *ctx)
{
	const char *code = mg_param(ctx, "code"), *problem = NULL;
	enum mg_err err = rentals_approve(ctx, code, &problem);
	if (err == MG_ERR_NOT_FOUND)
		return mg_error(ctx, 404, N_("There is no such booking."));
	if (err == MG_ERR_CONFLICT)
		return mg_error(ctx, 409, problem);
	if (err != MG_OK)
		return err;
	const char *date = mg_form(ctx, "date");
	return mg_redirect(ctx, 303,
			   mg_admin_path(ctx, mg_arena_printf(mg_arena(ctx), "/rentals/calendar?date=%s&approved=%s",
							      date != NULL ? date : "", code)));
}

const struct mg_field rentals_admin_calendar_query[] = {
	{ "date", MG_FROM_QUERY, "[0-9]{4}-[0-9]{2}-[0-9]{2}", false, 10, N_("Date"), MG_TEXT_NFKC },
	{ "approved", MG_FROM_QUERY, "R[0-9]{8}", false, 9, N_("Booking number"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};

const struct mg_field rentals_admin_approve_fields[] = {
	{ "date", MG_FROM_FORM, "[0-9]{4}-[0-9]{2}-[0-9]{2}", false, 10, N_("Date"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};

/* A booking's state for people (msgid). */
static const char *state_label(const char *state)
{
	if (strcmp(state, "provisional") == 0)
		return N_("Provisional");
	if (strcmp(state, "confirmed") == 0)
		return N_("Confirmed");
	if (strcmp(state, "lapsed") == 0)
		return N_("Lapsed");
	if (strcmp(state, "declined") == 0)
		return N_("Declined");
	return N_("Booking cancelled");
}

/* The month asked for (YYYY-MM), else the current one, as the local date of its 1st. */
static void month_of(struct mg_ctx *ctx, int *year, int *month)
{
	struct tm now;
	mg_tz_local(mg_tenant_time_zone(ctx), mg_now(), &now);
	*year = now.tm_year + 1900;
	*month = now.tm_mon + 1;
	const char *m = mg_query(ctx, "month");
	int y, mo;
	if (m != NULL && sscanf(m, "%4d-%2d", &y, &mo) == 2 && y >= 2000 && y <= 2100 && mo >= 1 && mo <= 12) {
		*year = y;
		*month = mo;
	}
}

/*
 * GET /<slug>/admin/rentals/occupancy?month=YYYY-MM — 稼働率 per room: of the blocks the room is
 * open in the month, how many are taken (by a rental, a performance or a course), as a table and
 * an SVG bar chart.
 */
enum mg_err rentals_admin_occupancy(struct mg_ctx *ctx)
{
	struct mg_arena *a = mg_arena(ctx);
	int year, month;
	month_of(ctx, &year, &month);
	static const int month_days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int days = month_days[month - 1] + (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0));
	struct mg_rows rooms;
	struct mg_dbval args[] = { MG_INT(mg_tenant_id(ctx)) };
	enum mg_err err = mg_db_exec(mg_ctx_db(ctx), a, RENTALS_SQL(API_ROOMS), args, 1, &rooms, NULL, NULL);
	if (err != MG_OK)
		return err;
	json_t *list = json_array();
	for (size_t r = 0; r < rooms.nrows && err == MG_OK; r++) {
		struct room room;
		if ((err = rentals_room_load(mg_ctx_db(ctx), a, mg_tenant_id(ctx), mg_cell_u64(MG_CELL(&rooms, r, 0)),
					     &room)) != MG_OK)
			break;
		long open = 0, taken = 0;
		for (int d = 1; d <= days && err == MG_OK; d++) {
			char date[48];
			snprintf(date, sizeof date, "%04d-%02d-%02d", year, month, d);
			time_t starts[RENTALS_MAX_BLOCKS], ends[RENTALS_MAX_BLOCKS];
			enum rentals_block_state states[RENTALS_MAX_BLOCKS];
			if ((err = rentals_day_states(ctx, &room, date, starts, ends, states)) != MG_OK)
				break;
			for (size_t i = 0; i < room.n_blocks; i++) {
				open += states[i] != RENTALS_CLOSED;
				taken += states[i] == RENTALS_TAKEN;
			}
		}
		long percent = open > 0 ? taken * 100 / open : 0;
		size_t n = json_array_size(list);
		json_array_append_new(
			list, json_pack("{s:s, s:I, s:I, s:s, s:I, s:I, s:I, s:I}", "room", room.name, "open", (json_int_t)open,
					"taken", (json_int_t)taken, "percent", mg_arena_printf(a, "%ld%%", percent), "bar",
					(json_int_t)(percent * 3), "y", (json_int_t)(n * 28), "text_y", (json_int_t)(n * 28 + 16),
					"value_x", (json_int_t)(160 + percent * 3 + 6)));
	}
	if (err != MG_OK) {
		json_decref(list);
		return err;
	}
	json_t *data = mg_admin_page(ctx, N_("Occupancy"));
	json_object_set_new(data, "rooms", list);
	json_object_set_new(data, "month_label", json_string(mg_arena_printf(a, "%d年%d月", year, month)));
	json_object_set_new(data, "month", json_string(mg_arena_printf(a, "%04d-%02d", year, month)));
	json_object_set_new(data, "height", json_integer((json_int_t)(json_array_size(list) * 28 + 8)));
	json_object_set_new(data, "action", json_string(mg_admin_path(ctx, "/rentals/occupancy")));
	json_object_set_new(data, "csv_href", json_string(mg_arena_printf(
							a, "%s?month=%04d-%02d", mg_admin_path(ctx, "/rentals/bookings.csv"), year, month)));
	return mg_render(ctx, 200, "rentals/admin_occupancy", data);
}

/* GET /<slug>/admin/rentals/bookings.csv?month=YYYY-MM — the month's bookings (UTF-8 BOM, CRLF). */
enum mg_err rentals_admin_csv(struct mg_ctx *ctx)
{
	struct mg_arena *a = mg_arena(ctx);
	int year, month;
	month_of(ctx, &year, &month);
	const char *first = mg_arena_printf(a, "%04d-%02d-01", year, month);
	struct mg_rows rows;
	struct mg_dbval args[] = { MG_INT(mg_tenant_id(ctx)), MG_TEXT(first), MG_TEXT(first) };
	enum mg_err err = mg_db_exec(mg_ctx_db(ctx), a, RENTALS_SQL(BOOKINGS_MONTH), args, 3, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	struct mg_buf out;
	struct mg_csv csv;
	mg_buf_init(&out);
	mg_csv_begin(&csv, &out);
	static const char *const head[] = { N_("Booking number"), N_("Room"), N_("Date"), N_("Blocks"), N_("State"),
					    N_("Purpose"), N_("Number of people"), N_("Total (tax included)"),
					    N_("Booked at") };
	for (size_t i = 0; i < sizeof head / sizeof *head; i++)
		mg_csv_field(&csv, mg_tr(ctx, head[i]));
	mg_csv_end_row(&csv);
	for (size_t r = 0; r < rows.nrows; r++) {
		mg_csv_field(&csv, MG_CELL(&rows, r, 0));
		mg_csv_field(&csv, MG_CELL(&rows, r, 1));
		mg_csv_field(&csv, MG_CELL(&rows, r, 2));
		mg_csv_field(&csv, strcmp(MG_CELL(&rows, r, 3), MG_CELL(&rows, r, 4)) == 0
					   ? MG_CELL(&rows, r, 3)
					   : mg_arena_printf(a, "%s–%s", MG_CELL(&rows, r, 3), MG_CELL(&rows, r, 4)));
		mg_csv_field(&csv, mg_tr(ctx, state_label(MG_CELL(&rows, r, 5))));
		mg_csv_field(&csv, MG_CELL(&rows, r, 6));
		mg_csv_int(&csv, (long long)mg_cell_u64(MG_CELL(&rows, r, 7)));
		mg_csv_int(&csv, atoll(MG_CELL(&rows, r, 8)));
		mg_csv_field(&csv, mg_time_cell(ctx, MG_CELL(&rows, r, 9), MG_TZ_MINUTE));
		mg_csv_end_row(&csv);
	}
	mg_audit(ctx, "rentals.export", "bookings", "success", mg_arena_printf(a, "%zu rows", rows.nrows));
	mg_header(ctx, "Content-Disposition",
		  mg_arena_printf(a, "attachment; filename=\"rentals-%04d-%02d.csv\"", year, month));
	err = mg_send(ctx, 200, "text/csv; charset=utf-8", &out);
	mg_buf_free(&out);
	return err;
}

const struct mg_field rentals_admin_month_query[] = {
	{ "month", MG_FROM_QUERY, "[0-9]{4}-[0-9]{2}", false, 7, N_("Month"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};
