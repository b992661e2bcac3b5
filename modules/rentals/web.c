/*
 * The public rentals pages (issue 11, item 4): the rooms, a room's month and week with the
 * marks people know (○ 空き, △ 一部空き, × 予約済み, 休 休館) that a screen reader reads as words,
 * and the booking form of a logged-in customer: blocks, purpose, attendees, equipment, 市内/市外
 * → the fee line by line → 仮予約 with its deadline. Bookings go through book() (bookings.c),
 * the same path as the API.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rentals.h"

/* A signed amount for people: "¥1,500", "−¥750". */
static const char *yen_signed(struct mg_arena *a, long long amount)
{
	return amount < 0 ? mg_arena_printf(a, "−%s", mg_yen(a, (unsigned long long)-amount))
			  : mg_yen(a, (unsigned long long)amount);
}

/* "/<slug><rest>" in the arena. */
static const char *here(struct mg_ctx *ctx, const char *rest)
{
	return mg_arena_printf(mg_arena(ctx), "/%s%s", mg_tenant_slug(ctx), rest);
}

/*
 * GET /<slug>/rentals — the rooms that can be booked (wholes and their parts) for anyone.
 */
enum mg_err rentals_page_rooms(struct mg_ctx *ctx)
{
	struct mg_rows rows;
	struct mg_dbval args[] = { MG_INT(mg_tenant_id(ctx)) };
	enum mg_err err = mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), RENTALS_SQL(API_ROOMS), args, 1, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	json_t *rooms = json_array();
	for (size_t r = 0; r < rows.nrows; r++)
		json_array_append_new(
			rooms, json_pack("{s:s, s:I, s:b, s:s}", "name", MG_CELL(&rows, r, 1), "capacity",
					 (json_int_t)mg_cell_u64(MG_CELL(&rows, r, 2)), "part", MG_CELL(&rows, r, 3) != NULL,
					 "href",
					 here(ctx, mg_arena_printf(mg_arena(ctx), "/rentals/rooms/%s", MG_CELL(&rows, r, 0)))));
	return mg_render(ctx, 200, "rentals/rooms",
			 json_pack("{s:s, s:o, s:s}", "page_title", mg_tr(ctx, N_("Room booking")), "rooms", rooms, "home",
				   here(ctx, "/")));
}

/* The month (YYYY-MM) asked for, else the current one: year and month. */
static void month_asked(struct mg_ctx *ctx, int *year, int *month)
{
	struct tm now;
	mg_tz_local(mg_tenant_time_zone(ctx), mg_now(), &now);
	*year = now.tm_year + 1900;
	*month = now.tm_mon + 1;
	const char *m = mg_query(ctx, "month");
	int y = 0, mo = 0;
	if (m != NULL && sscanf(m, "%4d-%2d", &y, &mo) == 2 && y >= 2000 && y <= 2100 && mo >= 1 && mo <= 12) {
		*year = y;
		*month = mo;
	}
}

static int days_in(int year, int month)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return d[month - 1] + (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0));
}

/*
 * GET /<slug>/rentals/rooms/<id>?month=YYYY-MM&date=YYYY-MM-DD — the room's month (one mark a
 * day) and the blocks of the chosen day's week, each free block a link to the booking form.
 */
enum mg_err rentals_page_room(struct mg_ctx *ctx)
{
	uint64_t id;
	if (mg_param_id(ctx, "id", &id) != MG_OK)
		return MG_ERR_INPUT;
	struct mg_arena *a = mg_arena(ctx);
	struct room room;
	enum mg_err err = rentals_room_load(mg_ctx_db(ctx), a, mg_tenant_id(ctx), id, &room);
	if (err == MG_ERR_NOT_FOUND)
		return mg_error(ctx, 404, N_("There is no such room."));
	if (err != MG_OK)
		return err;
	int year, month;
	month_asked(ctx, &year, &month);
	const char *zone = mg_tenant_time_zone(ctx);
	json_t *weeks = json_array(), *week = json_array();
	char date[48];
	snprintf(date, sizeof date, "%04d-%02d-01", year, month);
	time_t first;
	if (mg_tz_parse_date(zone, date, &first) != MG_OK)
		return MG_ERR_INPUT;
	struct tm first_tm;
	mg_tz_local(zone, first, &first_tm);
	for (int blank = 0; blank < first_tm.tm_wday; blank++)
		json_array_append_new(week, json_pack("{s:b}", "blank", 1));
	const char *base = mg_arena_printf(a, "/rentals/rooms/%llu", (unsigned long long)id);
	for (int d = 1; d <= days_in(year, month); d++) {
		snprintf(date, sizeof date, "%04d-%02d-%02d", year, month, d);
		time_t starts[RENTALS_MAX_BLOCKS], ends[RENTALS_MAX_BLOCKS];
		enum rentals_block_state states[RENTALS_MAX_BLOCKS];
		if ((err = rentals_day_states(ctx, &room, date, starts, ends, states)) != MG_OK) {
			json_decref(weeks);
			json_decref(week);
			return err;
		}
		const char *spoken;
		const char *mark = rentals_day_mark(states, room.n_blocks, &spoken);
		time_t day;
		mg_tz_parse_date(zone, date, &day);
		bool past = day + 86400 <= mg_now();
		json_array_append_new(
			week, json_pack("{s:i, s:s, s:s, s:s, s:s, s:b, s:s}", "day", d, "mark", mark, "spoken", spoken,
					"state", strcmp(mark, "○") == 0 ? "free" : strcmp(mark, "△") == 0 ? "some"
										 : strcmp(mark, "×") == 0 ? "full"
													   : "closed",
					"label", mg_time_text(ctx, day, MG_TZ_PEOPLE_DATE), "past", past, "href",
					here(ctx, mg_arena_printf(a, "%s?month=%04d-%02d&date=%s#day", base, year, month, date))));
		if (json_array_size(week) == 7) {
			json_array_append_new(weeks, week);
			week = json_array();
		}
	}
	if (json_array_size(week) > 0)
		json_array_append_new(weeks, week);
	else
		json_decref(week);

	/* the chosen day (or today) and its blocks */
	const char *chosen = mg_query(ctx, "date");
	time_t day;
	if (chosen == NULL || mg_tz_parse_date(zone, chosen, &day) != MG_OK) {
		mg_tz_day_start(zone, mg_now(), 0, &day);
		chosen = mg_time_text(ctx, day, MG_TZ_DATE);
	}
	json_t *blocks = json_array();
	{
		time_t starts[RENTALS_MAX_BLOCKS], ends[RENTALS_MAX_BLOCKS];
		enum rentals_block_state states[RENTALS_MAX_BLOCKS];
		if ((err = rentals_day_states(ctx, &room, chosen, starts, ends, states)) != MG_OK) {
			json_decref(weeks);
			json_decref(blocks);
			return err;
		}
		for (size_t i = 0; i < room.n_blocks; i++) {
			bool free_now = states[i] == RENTALS_FREE && !room.lottery_only && starts[i] > mg_now();
			const char *spoken = states[i] == RENTALS_FREE ? "空き" : states[i] == RENTALS_TAKEN ? "予約済み" : "休館";
			json_array_append_new(
				blocks,
				json_pack("{s:s, s:s, s:s, s:s, s:s, s:s*}", "label", room.blocks[i].label, "time",
					  mg_arena_printf(a, "%s–%s", mg_time_text(ctx, starts[i], MG_TZ_CLOCK),
							  mg_time_text(ctx, ends[i], MG_TZ_CLOCK)),
					  "mark", states[i] == RENTALS_FREE ? "○" : states[i] == RENTALS_TAKEN ? "×" : "休",
					  "spoken", spoken, "fee", mg_yen(a, (unsigned long long)room.blocks[i].fee), "href",
					  free_now ? here(ctx, mg_arena_printf(a, "%s/book?date=%s&block=%s", base, chosen,
									 room.blocks[i].code))
						   : NULL));
		}
	}
	int py = month == 1 ? year - 1 : year, pm = month == 1 ? 12 : month - 1;
	int ny = month == 12 ? year + 1 : year, nm = month == 12 ? 1 : month + 1;
	json_t *data = json_pack(
		"{s:s, s:{s:s, s:I, s:b}, s:s, s:o, s:s, s:s, s:s, s:o, s:s}", "page_title", room.name, "room", "name",
		room.name, "capacity", (json_int_t)0, "lottery", room.lottery_only, "month_label",
		mg_arena_printf(a, "%d年%d月", year, month), "weeks", weeks, "prev_href",
		here(ctx, mg_arena_printf(a, "%s?month=%04d-%02d", base, py, pm)), "next_href",
		here(ctx, mg_arena_printf(a, "%s?month=%04d-%02d", base, ny, nm)), "day_label",
		mg_time_text(ctx, day, MG_TZ_PEOPLE_DATE), "blocks", blocks, "rooms_href", here(ctx, "/rentals"));
	return mg_render(ctx, 200, "rentals/room", data);
}

/* The data of the booking form: the day's free blocks (checked: those asked for), purposes,
 * equipment with their quantities, and what was typed. */
static enum mg_err form_data(struct mg_ctx *ctx, const struct room *room, const char *date, const char *const *asked,
			     size_t n_asked, json_t *data)
{
	struct mg_arena *a = mg_arena(ctx);
	time_t starts[RENTALS_MAX_BLOCKS], ends[RENTALS_MAX_BLOCKS];
	enum rentals_block_state states[RENTALS_MAX_BLOCKS];
	enum mg_err err = rentals_day_states(ctx, room, date, starts, ends, states);
	if (err != MG_OK)
		return err;
	json_t *blocks = json_array();
	for (size_t i = 0; i < room->n_blocks; i++) {
		bool checked = false;
		for (size_t k = 0; k < n_asked; k++)
			checked = checked || strcmp(asked[k], room->blocks[i].code) == 0;
		json_array_append_new(
			blocks,
			json_pack("{s:s, s:s, s:s, s:b, s:b, s:s}", "code", room->blocks[i].code, "label",
				  mg_arena_printf(a, "%s %s–%s", room->blocks[i].label,
						  mg_time_text(ctx, starts[i], MG_TZ_CLOCK), mg_time_text(ctx, ends[i], MG_TZ_CLOCK)),
				  "id", mg_arena_printf(a, "block-%s", room->blocks[i].code), "checked", checked,
				  "disabled", states[i] != RENTALS_FREE, "fee", mg_yen(a, (unsigned long long)room->blocks[i].fee)));
	}
	struct mg_rows rows;
	struct mg_dbval args[] = { MG_INT(mg_tenant_id(ctx)), MG_INT(room->facility_id) };
	if ((err = mg_db_exec(mg_ctx_db(ctx), a, RENTALS_SQL(PURPOSES), args, 2, &rows, NULL, NULL)) != MG_OK) {
		json_decref(blocks);
		return err;
	}
	const char *purpose = mg_form_typed(ctx, "purpose");
	if (purpose == NULL)
		purpose = room->default_purpose;
	json_t *purposes = json_array();
	for (size_t r = 0; r < rows.nrows; r++)
		json_array_append_new(purposes, json_pack("{s:s, s:s, s:b}", "value", MG_CELL(&rows, r, 0), "label",
							  MG_CELL(&rows, r, 1), "selected",
							  strcmp(MG_CELL(&rows, r, 0), purpose) == 0));
	if ((err = mg_db_exec(mg_ctx_db(ctx), a, RENTALS_SQL(EQUIPMENT_LIST), args, 2, &rows, NULL, NULL)) != MG_OK) {
		json_decref(blocks);
		json_decref(purposes);
		return err;
	}
	json_t *equipment = json_array();
	const char **ids = NULL, **qtys = NULL;
	size_t n_ids = strcmp(mg_method(ctx), "POST") == 0 ? mg_form_values(ctx, "eq_id", &ids) : 0;
	size_t n_qtys = n_ids > 0 ? mg_form_values(ctx, "eq_qty", &qtys) : 0;
	for (size_t r = 0; r < rows.nrows; r++) {
		const char *typed = "0";
		for (size_t k = 0; k < n_ids && k < n_qtys; k++)
			if (strcmp(ids[k], MG_CELL(&rows, r, 0)) == 0)
				typed = qtys[k];
		json_array_append_new(equipment,
				      json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", MG_CELL(&rows, r, 1), "id",
						MG_CELL(&rows, r, 0), "value", typed, "max", MG_CELL(&rows, r, 2), "fee",
						mg_yen(a, mg_cell_u64(MG_CELL(&rows, r, 3)))));
	}
	const char *attendees = mg_form_typed(ctx, "attendees");
	const char *resident = mg_form_typed(ctx, "resident");
	json_object_set_new(data, "blocks", blocks);
	json_object_set_new(data, "purposes", purposes);
	json_object_set_new(data, "equipment", equipment);
	json_object_set_new(data, "attendees", json_string(attendees != NULL ? attendees : ""));
	json_object_set_new(data, "resident", json_boolean(resident == NULL || strcmp(resident, "yes") == 0));
	json_object_set_new(data, "non_resident", json_boolean(resident != NULL && strcmp(resident, "no") == 0));
	json_object_set_new(data, "date", json_string(date));
	return MG_OK;
}

/* The login page that comes back here. */
static enum mg_err to_login(struct mg_ctx *ctx, const char *back)
{
	return mg_redirect(ctx, 303,
			   here(ctx, mg_arena_printf(mg_arena(ctx), "/account/login?next=%s", mg_url_encode(mg_arena(ctx), back))));
}

/*
 * GET /<slug>/rentals/rooms/<id>/book?date=&block= — the booking form of a logged-in customer
 * (others are sent to log in and come back).
 * POST the same — without "confirm": the fee line by line and a button to confirm; with it:
 * the provisional booking, then its page (303). Errors come back on the form, typed values kept.
 */
enum mg_err rentals_page_book(struct mg_ctx *ctx)
{
	uint64_t id;
	if (mg_param_id(ctx, "id", &id) != MG_OK)
		return MG_ERR_INPUT;
	struct mg_arena *a = mg_arena(ctx);
	bool post = strcmp(mg_method(ctx), "POST") == 0;
	const char *date = post ? mg_form(ctx, "date") : mg_query(ctx, "date");
	const char *block = mg_query(ctx, "block");
	struct room room;
	struct booking_new b = { .arena = a, .tenant = mg_tenant_id(ctx), .now = mg_now(),
				 .person_id = mg_customer_id(ctx) };
	enum mg_err err = MG_OK;
	enum book_outcome outcome = rentals_book_room(ctx, &b, &room, id, &err);
	if (outcome == BOOK_NO_ROOM)
		return mg_error(ctx, 404, N_("There is no such room."));
	if (outcome != BOOK_OK)
		return err;
	if (mg_customer_id(ctx) == 0)
		return to_login(ctx, post ? here(ctx, mg_arena_printf(a, "/rentals/rooms/%llu", (unsigned long long)id))
					  : mg_arena_printf(a, "%s?date=%s&block=%s",
							    here(ctx, mg_arena_printf(a, "/rentals/rooms/%llu/book",
										      (unsigned long long)id)),
							    date != NULL ? date : "", block != NULL ? block : ""));
	time_t day;
	if (date == NULL || mg_tz_parse_date(mg_tenant_time_zone(ctx), date, &day) != MG_OK)
		return mg_error(ctx, 400, N_("The date is not valid."));
	const char **asked = NULL;
	size_t n_asked = 0;
	if (post)
		n_asked = mg_form_values(ctx, "block", &asked);
	else if (block != NULL) {
		asked = mg_arena_alloc(a, sizeof(*asked) * 2);
		asked[0] = block;
		asked[1] = NULL;
		n_asked = 1;
	}
	const char *problem = NULL;
	json_t *data = json_pack("{s:s, s:s, s:s, s:s, s:s}", "page_title", mg_tr(ctx, N_("Book a room")), "room",
				 room.name, "day_label", mg_time_text(ctx, day, MG_TZ_PEOPLE_DATE), "action",
				 here(ctx, mg_arena_printf(a, "/rentals/rooms/%llu/book", (unsigned long long)id)), "back",
				 here(ctx, mg_arena_printf(a, "/rentals/rooms/%llu?date=%s", (unsigned long long)id, date)));
	if (post) {
		b.date = date;
		b.purpose = mg_form(ctx, "purpose") != NULL ? mg_form(ctx, "purpose") : room.default_purpose;
		const char *attendees = mg_form(ctx, "attendees");
		b.attendees = attendees != NULL ? (unsigned)atoi(attendees) : 0;
		const char *resident = mg_form(ctx, "resident");
		b.residency_percent = resident != NULL && strcmp(resident, "no") == 0 ? 150 : 100;
		b.dry_run = mg_form(ctx, "confirm") == NULL;
		const char **ids = NULL, **qtys = NULL;
		size_t n_ids = mg_form_values(ctx, "eq_id", &ids), n_qtys = mg_form_values(ctx, "eq_qty", &qtys);
		if (n_ids != n_qtys)
			problem = N_("Enter how many of each piece of equipment you need (0 for none).");
		for (size_t k = 0; k < n_ids && problem == NULL; k++) {
			long long n = qtys[k][0] != '\0' ? atoll(qtys[k]) : 0;
			uint64_t eq = 0;
			if (mg_parse_id(ids[k], &eq) != MG_OK ||
			    (n > 0 && !rentals_add_equipment(ctx, &b, eq, n)))
				problem = N_("Enter how many of each piece of equipment you need (0 for none).");
		}
		if (problem == NULL) {
			outcome = rentals_book(ctx, &b, asked, n_asked, &problem, &err);
			if (outcome == BOOK_OK && !b.dry_run) {
				json_decref(data);
				return mg_redirect(ctx, 303, here(ctx, mg_arena_printf(a, "/rentals/bookings/%s", b.code)));
			}
			if (outcome == BOOK_OK) {
				json_t *lines = json_array();
				for (size_t i = 0; i < b.n_lines; i++)
					json_array_append_new(lines, json_pack("{s:s, s:s}", "label", b.lines[i].label, "amount",
									       yen_signed(a, b.lines[i].amount)));
				json_object_set_new(data, "lines", lines);
				json_object_set_new(data, "total", json_string(mg_yen(a, (unsigned long long)b.total)));
				json_object_set_new(data, "deadline",
						    json_string(mg_time_text(ctx, b.deadline, MG_TZ_PEOPLE)));
			} else if (outcome == BOOK_TAKEN)
				problem = N_("These blocks are no longer free. Please choose others.");
			else if (outcome == BOOK_SHORT)
				problem = N_("Not enough of this equipment is free for these blocks.");
			else if (outcome == BOOK_LOTTERY)
				problem = N_("This room is booked through the lottery only.");
			else if (outcome == BOOK_ERROR) {
				json_decref(data);
				return err;
			}
		}
	}
	if (problem != NULL)
		json_object_set_new(data, "problem", json_string(mg_tr(ctx, problem)));
	if ((err = form_data(ctx, &room, date, asked, n_asked, data)) != MG_OK) {
		json_decref(data);
		return err;
	}
	return mg_render(ctx, problem != NULL ? 400 : 200, "rentals/book", data);
}

/*
 * GET /<slug>/rentals/bookings/<code> — the customer's own booking: state, deadline, the fee
 * line by line, and its ICS file.
 */
enum mg_err rentals_page_booking(struct mg_ctx *ctx)
{
	struct mg_arena *a = mg_arena(ctx);
	const char *code = mg_param(ctx, "code");
	if (mg_customer_id(ctx) == 0) {
		/* a booking of this tenant: log in to see it; anything else is not here */
		struct mg_rows found;
		struct mg_dbval fargs[] = { MG_INT(mg_tenant_id(ctx)), MG_TEXT(code) };
		enum mg_err ferr = mg_db_exec(mg_ctx_db(ctx), a, RENTALS_SQL(BOOKING_BY_CODE), fargs, 2, &found, NULL, NULL);
		if (ferr != MG_OK)
			return ferr;
		if (found.nrows == 0)
			return mg_error(ctx, 404, N_("There is no such booking."));
		return to_login(ctx, here(ctx, mg_arena_printf(a, "/rentals/bookings/%s", code)));
	}
	struct mg_rows rows, lines;
	struct mg_dbval args[] = { MG_INT(mg_tenant_id(ctx)), MG_TEXT(code), MG_INT(mg_customer_id(ctx)) };
	enum mg_err err = mg_db_exec(mg_ctx_db(ctx), a, RENTALS_SQL(BOOKING_SHOW), args, 3, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	if (rows.nrows == 0)
		return mg_error(ctx, 404, N_("There is no such booking."));
	uint64_t booking = mg_cell_u64(MG_CELL(&rows, 0, 0));
	struct mg_dbval largs[] = { MG_INT(mg_tenant_id(ctx)), MG_INT(booking) };
	if ((err = mg_db_exec(mg_ctx_db(ctx), a, RENTALS_SQL(BOOKING_LINES), largs, 2, &lines, NULL, NULL)) != MG_OK)
		return err;
	json_t *list = json_array();
	for (size_t r = 0; r < lines.nrows; r++)
		json_array_append_new(list, json_pack("{s:s, s:s}", "label", MG_CELL(&lines, r, 0), "amount",
						      yen_signed(a, atoll(MG_CELL(&lines, r, 1)))));
	const char *state = MG_CELL(&rows, 0, 1);
	const char *state_label = strcmp(state, "provisional") == 0 ? N_("Provisional (awaiting payment or approval)")
				  : strcmp(state, "confirmed") == 0 ? N_("Confirmed")
				  : strcmp(state, "lapsed") == 0    ? N_("Cancelled: the deadline passed")
								    : N_("Booking cancelled");
	time_t from = (time_t)mg_cell_u64(MG_CELL(&rows, 0, 3)), to = (time_t)mg_cell_u64(MG_CELL(&rows, 0, 4));
	json_t *data = json_pack(
		"{s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:o, s:s, s:s, s:s}", "page_title", mg_tr(ctx, N_("Your booking")),
		"code", code, "state", state, "state_label", mg_tr(ctx, state_label), "provisional",
		strcmp(state, "provisional") == 0, "room", MG_CELL(&rows, 0, 2), "when",
		mg_arena_printf(a, "%s–%s", mg_time_text(ctx, from, MG_TZ_PEOPLE), mg_time_text(ctx, to, MG_TZ_CLOCK)),
		"lines", list, "total", yen_signed(a, atoll(MG_CELL(&rows, 0, 5))), "deadline",
		mg_time_cell(ctx, MG_CELL(&rows, 0, 6), MG_TZ_PEOPLE), "ics",
		here(ctx, mg_arena_printf(a, "/rentals/bookings/%s/ics", code)));
	return mg_render(ctx, 200, "rentals/booking", data);
}

/* Folds nothing and escapes ICS text: backslash, semicolon, comma, newline. */
static const char *ics_text(struct mg_arena *a, const char *s)
{
	size_t n = strlen(s);
	char *out = mg_arena_alloc(a, 2 * n + 1), *p = out;
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == ';' || *s == ',')
			*p++ = '\\';
		if (*s == '\n') {
			*p++ = '\\';
			*p++ = 'n';
			continue;
		}
		*p++ = *s;
	}
	*p = '\0';
	return out;
}

/* GET /<slug>/rentals/bookings/<code>/ics — the customer's booking as an iCalendar event. */
enum mg_err rentals_page_booking_ics(struct mg_ctx *ctx)
{
	struct mg_arena *a = mg_arena(ctx);
	const char *code = mg_param(ctx, "code");
	if (mg_customer_id(ctx) == 0)
		return mg_error(ctx, 404, N_("There is no such booking."));
	struct mg_rows rows;
	struct mg_dbval args[] = { MG_INT(mg_tenant_id(ctx)), MG_TEXT(code), MG_INT(mg_customer_id(ctx)) };
	enum mg_err err = mg_db_exec(mg_ctx_db(ctx), a, RENTALS_SQL(BOOKING_SHOW), args, 3, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	if (rows.nrows == 0)
		return mg_error(ctx, 404, N_("There is no such booking."));
	char from[32], to[32], stamp[32];
	time_t f = (time_t)mg_cell_u64(MG_CELL(&rows, 0, 3)), t = (time_t)mg_cell_u64(MG_CELL(&rows, 0, 4)),
	       now = mg_now();
	struct tm tm;
	strftime(from, sizeof from, "%Y%m%dT%H%M%SZ", gmtime_r(&f, &tm));
	strftime(to, sizeof to, "%Y%m%dT%H%M%SZ", gmtime_r(&t, &tm));
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", gmtime_r(&now, &tm));
	const char *body = mg_arena_printf(
		a,
		"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Madoguchi//rentals//JA\r\nBEGIN:VEVENT\r\n"
		"UID:%s-%s@madoguchi\r\nDTSTAMP:%s\r\nDTSTART:%s\r\nDTEND:%s\r\nSUMMARY:%s\r\nLOCATION:%s\r\n"
		"STATUS:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
		mg_tenant_slug(ctx), code, stamp, from, to, ics_text(a, mg_arena_printf(a, "%s %s", MG_CELL(&rows, 0, 2), code)),
		ics_text(a, mg_tenant_name(ctx)), strcmp(MG_CELL(&rows, 0, 1), "confirmed") == 0 ? "CONFIRMED" : "TENTATIVE");
	mg_header(ctx, "Content-Disposition", mg_arena_printf(a, "attachment; filename=\"%s.ics\"", code));
	struct mg_buf out;
	mg_buf_init(&out);
	mg_buf_append(&out, body, strlen(body));
	err = mg_send(ctx, 200, "text/calendar; charset=utf-8", &out);
	mg_buf_free(&out);
	return err;
}

const struct mg_field rentals_room_query[] = {
	{ "month", MG_FROM_QUERY, "[0-9]{4}-[0-9]{2}", false, 7, N_("Month"), MG_TEXT_NFKC },
	{ "date", MG_FROM_QUERY, "[0-9]{4}-[0-9]{2}-[0-9]{2}", false, 10, N_("Date"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};

const struct mg_field rentals_book_fields[] = {
	{ "date", MG_FROM_QUERY, "[0-9]{4}-[0-9]{2}-[0-9]{2}", false, 10, N_("Date"), MG_TEXT_NFKC },
	{ "block", MG_FROM_QUERY, "[a-z0-9_]{1,16}", false, 16, N_("Block"), MG_TEXT_NFKC },
	{ "date", MG_FROM_FORM, "[0-9]{4}-[0-9]{2}-[0-9]{2}", false, 10, N_("Date"), MG_TEXT_NFKC },
	{ "block", MG_FROM_FORM, "[a-z0-9_]{1,16}", false, 16, N_("Block"), MG_TEXT_NFKC },
	{ "purpose", MG_FROM_FORM, "[a-z0-9_]{1,32}", false, 32, N_("Purpose"), MG_TEXT_NFKC },
	{ "attendees", MG_FROM_FORM, "[0-9]{0,5}", false, 5, N_("Number of people"), MG_TEXT_NFKC },
	{ "resident", MG_FROM_FORM, "yes|no", false, 3, N_("Residence"), MG_TEXT_NFKC },
	{ "confirm", MG_FROM_FORM, "1", false, 1, N_("Confirm"), MG_TEXT_NFKC },
	{ "eq_id", MG_FROM_FORM, "[0-9]{1,19}", false, 19, N_("Equipment"), MG_TEXT_NFKC },
	{ "eq_qty", MG_FROM_FORM, "[0-9]{0,5}", false, 5, N_("Quantity"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};
