/*
 * Bookings on the venue calendar (issue 11, items 4 and 8): availability by block, the
 * provisional booking (仮予約: a provisional occupation of the room's space lapsing at the
 * booking's deadline, equipment counted per block, the fee line by line), approval (本予約),
 * cancellation by the facility's ladder, and the job that lapses unpaid, unapproved bookings.
 *
 * The occupation's hold is the booking itself (hold_id = the booking's id, expires = its
 * deadline) until the core's provisional holds (branch commerce, hold.h) are in main: then
 * mg_hold_create/confirm/close join booking_insert and booking_change, and hold_id becomes the
 * core hold's id.
 *
 * Nothing here decides whether a slot is free: mg_calendar_occupy does, in the booking's own
 * transaction, under the calendar's unique claims; the equipment counters are one conditional
 * UPDATE each. A lost race rolls the whole booking back and answers 409 slot_unavailable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rentals.h"

#define OWNER_KIND "rentals.booking"

/* {"error": word, "message": the msgid in the request's language}. */
static enum mg_err fail(struct mg_ctx *ctx, int status, const char *word, const char *msgid)
{
	return mg_json(ctx, status, json_pack("{s:s, s:s}", "error", word, "message", mg_tr(ctx, msgid)));
}

/* ---- rooms and their blocks ---- */

enum mg_err rentals_room_load(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t id, struct room *out)
{
	struct mg_rows rows;
	struct mg_dbval args[] = { MG_INT(tenant), MG_INT(id) };
	enum mg_err err = mg_db_exec(db, arena, RENTALS_SQL(ROOM_GET), args, 2, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	if (rows.nrows == 0)
		return MG_ERR_NOT_FOUND;
	*out = (struct room){
		.id = id,
		.space_id = mg_cell_u64(MG_CELL(&rows, 0, 0)),
		.facility_id = mg_cell_u64(MG_CELL(&rows, 0, 1)),
		.name = MG_CELL(&rows, 0, 2),
		.default_purpose = MG_CELL(&rows, 0, 3),
		.lottery_only = mg_cell_u64(MG_CELL(&rows, 0, 4)) != 0,
		.weekend_percent = (unsigned)mg_cell_u64(MG_CELL(&rows, 0, 5)),
		.full_day_percent = (unsigned)mg_cell_u64(MG_CELL(&rows, 0, 6)),
		.days_after = (int)mg_cell_u64(MG_CELL(&rows, 0, 7)),
		.days_before = (int)mg_cell_u64(MG_CELL(&rows, 0, 8)),
		.ladder = MG_CELL(&rows, 0, 9),
	};
	struct mg_dbval bargs[] = { MG_INT(id), MG_INT(tenant), MG_INT(out->facility_id) };
	err = mg_db_exec(db, arena, RENTALS_SQL(BLOCKS), bargs, 3, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	for (size_t r = 0; r < rows.nrows && r < RENTALS_MAX_BLOCKS; r++)
		out->blocks[out->n_blocks++] = (struct rentals_block){
			MG_CELL(&rows, r, 0), MG_CELL(&rows, r, 1), (int)mg_cell_u64(MG_CELL(&rows, r, 2)),
			(int)mg_cell_u64(MG_CELL(&rows, r, 3)), (long long)mg_cell_u64(MG_CELL(&rows, r, 4)),
		};
	return MG_OK;
}

/* The UTC instant of minute (after local midnight) of the local date "YYYY-MM-DD". */
static enum mg_err local_instant(const char *zone, const char *date, int minute, time_t *out)
{
	char text[32];
	snprintf(text, sizeof text, "%.10sT%02d:%02d", date, minute / 60, minute % 60);
	enum mg_tz_fit fit;
	return mg_tz_parse_local(zone, text, out, &fit);
}

/* The index of the block named code, or -1. */
static int block_index(const struct room *room, const char *code)
{
	for (size_t i = 0; i < room->n_blocks; i++)
		if (strcmp(room->blocks[i].code, code) == 0)
			return (int)i;
	return -1;
}

/* The facility's ladder "30:0,7:50,0:100" as a core fee rule (steps in the arena). */
static struct mg_fee_rule ladder_rule(struct mg_arena *arena, const char *text)
{
	struct mg_fee_step *steps = mg_arena_alloc(arena, sizeof(*steps) * MG_FEE_STEPS_MAX);
	size_t n = 0;
	const char *p = text != NULL ? text : "";
	while (*p != '\0' && n < MG_FEE_STEPS_MAX) {
		char *end;
		long days = strtol(p, &end, 10);
		if (*end != ':')
			break;
		long percent = strtol(end + 1, &end, 10);
		if (days < 0 || percent < 0 || percent > 100)
			break;
		steps[n++] = (struct mg_fee_step){ (int)days, (unsigned)percent };
		p = *end == ',' ? end + 1 : end;
		if (*end != ',')
			break;
	}
	return (struct mg_fee_rule){ steps, n };
}

/* ---- availability ---- */

/* The state of each block of room on the local date: closed days from the calendar, taken
 * when any live occupation (any module's) touches the block's time on the room's space, its
 * parts or the spaces above it. */
enum mg_err rentals_day_states(struct mg_ctx *ctx, const struct room *room, const char *date, time_t *starts,
			       time_t *ends, enum rentals_block_state *states)
{
	const char *zone = mg_tenant_time_zone(ctx);
	struct mg_db *db = mg_ctx_db(ctx);
	struct mg_arena *arena = mg_arena(ctx);
	time_t open_at = 0, close_at = 0;
	const char *why = NULL;
	enum mg_err err = mg_space_day(db, arena, mg_tenant_id(ctx), room->space_id, date, &open_at, &close_at, &why);
	bool closed = err == MG_ERR_NOT_FOUND;
	if (err != MG_OK && !closed)
		return err;
	for (size_t i = 0; i < room->n_blocks; i++) {
		if ((err = local_instant(zone, date, room->blocks[i].start_minute, &starts[i])) != MG_OK ||
		    (err = local_instant(zone, date, room->blocks[i].end_minute, &ends[i])) != MG_OK)
			return err;
		states[i] = closed || starts[i] < open_at || ends[i] > close_at ? RENTALS_CLOSED : RENTALS_FREE;
	}
	if (closed || room->n_blocks == 0)
		return MG_OK;
	struct mg_occupation *busy = NULL;
	size_t n = 0;
	err = mg_calendar_busy(db, arena, mg_tenant_id(ctx), room->space_id, starts[0], ends[room->n_blocks - 1], mg_now(),
			       &busy, &n);
	if (err != MG_OK)
		return err;
	for (size_t i = 0; i < room->n_blocks; i++)
		for (size_t k = 0; k < n && states[i] == RENTALS_FREE; k++)
			if (busy[k].from < ends[i] && busy[k].to > starts[i])
				states[i] = RENTALS_TAKEN;
	return MG_OK;
}

/*
 * GET /<slug>/api/v1/rooms/<id>/availability?from=YYYY-MM-DD&days=N — each block of each day:
 * {"room":id,"days":[{"date","blocks":[{"block","label","starts_at","ends_at","state"}]}]}, state
 * free, taken (by any module) or closed. days 1–31, 7 when absent; from today when absent.
 */
enum mg_err rentals_api_availability(struct mg_ctx *ctx)
{
	uint64_t id;
	if (mg_param_id(ctx, "id", &id) != MG_OK)
		return MG_ERR_INPUT;
	struct room room;
	enum mg_err err = rentals_room_load(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), id, &room);
	if (err == MG_ERR_NOT_FOUND)
		return fail(ctx, 404, "room_not_found", N_("There is no such room."));
	if (err != MG_OK)
		return err;
	const char *zone = mg_tenant_time_zone(ctx);
	const char *from = mg_query(ctx, "from"), *days_text = mg_query(ctx, "days");
	time_t day;
	if (from == NULL || from[0] == '\0')
		err = mg_tz_day_start(zone, mg_now(), 0, &day);
	else
		err = mg_tz_parse_date(zone, from, &day);
	int days = days_text == NULL || days_text[0] == '\0' ? 7 : atoi(days_text);
	if (err != MG_OK || days < 1 || days > MG_CALENDAR_MAX_DAYS)
		return fail(ctx, 400, "invalid",
			    N_("Give from as a date (YYYY-MM-DD) and days as a number from 1 to 31."));
	json_t *list = json_array();
	for (int d = 0; d < days; d++) {
		time_t start;
		if ((err = mg_tz_day_start(zone, day, d, &start)) != MG_OK)
			break;
		const char *date = mg_time_text(ctx, start, MG_TZ_DATE);
		time_t starts[RENTALS_MAX_BLOCKS], ends[RENTALS_MAX_BLOCKS];
		enum rentals_block_state states[RENTALS_MAX_BLOCKS];
		if ((err = rentals_day_states(ctx, &room, date, starts, ends, states)) != MG_OK)
			break;
		json_t *blocks = json_array();
		for (size_t i = 0; i < room.n_blocks; i++)
			json_array_append_new(
				blocks, json_pack("{s:s, s:s, s:s, s:s, s:s}", "block", room.blocks[i].code, "label",
						  room.blocks[i].label, "starts_at", mg_time_text(ctx, starts[i], MG_TZ_ISO),
						  "ends_at", mg_time_text(ctx, ends[i], MG_TZ_ISO), "state",
						  rentals_block_state_code(room.lottery_only && states[i] == RENTALS_FREE
										   ? RENTALS_CLOSED
										   : states[i])));
		json_array_append_new(list, json_pack("{s:s, s:o}", "date", date, "blocks", blocks));
	}
	if (err != MG_OK) {
		json_decref(list);
		return err;
	}
	return mg_json(ctx, 200, json_pack("{s:I, s:o}", "room", (json_int_t)id, "days", list));
}

/* ---- making a booking ---- */

static enum mg_err booking_insert(struct mg_db *db, void *arg)
{
	struct booking_new *b = arg;
	const struct room *room = b->room;
	unsigned long long id = 0;
	struct mg_dbval args[] = {
		MG_INT(b->tenant),	       MG_INT(room->id),	  MG_TEXT(b->date),
		MG_TEXT(room->blocks[b->first].code), MG_TEXT(room->blocks[b->last].code), MG_INT(b->from),
		MG_INT(b->to),		       MG_TEXT(b->purpose),	  MG_INT(b->attendees),
		MG_INT(b->deadline),	       MG_INT(b->total),	  b->staff_id ? MG_INT(b->staff_id) : MG_NULL,
		b->person_id ? MG_INT(b->person_id) : MG_NULL,
	};
	enum mg_err err = mg_db_exec(db, b->arena, RENTALS_SQL(BOOKING_INSERT), args, 13, NULL, NULL, &id);
	if (err != MG_OK)
		return err;
	b->id = id;
	b->code = mg_arena_printf(b->arena, "R%08llu", id);
	struct mg_dbval cargs[] = { MG_TEXT(b->code), MG_INT(b->tenant), MG_INT(id) };
	if ((err = mg_db_exec(db, b->arena, RENTALS_SQL(BOOKING_SET_CODE), cargs, 3, NULL, NULL, NULL)) != MG_OK)
		return err;
	uint64_t hold_id = id;
	struct mg_occupation occ = {
		.space_id = room->space_id,
		.from = b->from,
		.to = b->to,
		.owner_kind = OWNER_KIND,
		.owner_id = id,
		.hold_id = hold_id,
		.expires = b->deadline,
		.label = b->label,
	};
	uint64_t occupation_id = 0;
	err = mg_calendar_occupy(db, b->arena, b->tenant, &occ, false, b->now, &occupation_id, &b->conflict);
	if (err != MG_OK)
		return err; /* MG_ERR_CONFLICT or MG_ERR_INPUT: everything above rolls back */
	struct mg_dbval oargs[] = { MG_INT(hold_id), MG_INT(occupation_id), MG_INT(b->tenant), MG_INT(id) };
	if ((err = mg_db_exec(db, b->arena, RENTALS_SQL(BOOKING_SET_OCCUPATION), oargs, 4, NULL, NULL, NULL)) != MG_OK)
		return err;
	for (size_t e = 0; e < b->n_equipment; e++) {
		struct mg_dbval eargs[] = { MG_INT(b->tenant), MG_INT(id), MG_INT(b->equipment[e].id),
					    MG_INT(b->equipment[e].quantity) };
		if ((err = mg_db_exec(db, b->arena, RENTALS_SQL(BOOKING_EQUIPMENT_INSERT), eargs, 4, NULL, NULL, NULL)) !=
		    MG_OK)
			return err;
		for (size_t k = b->first; k <= b->last; k++) {
			struct mg_dbval rargs[] = { MG_INT(b->tenant), MG_INT(b->equipment[e].id), MG_TEXT(b->date),
						    MG_TEXT(room->blocks[k].code) };
			if ((err = mg_db_exec(db, b->arena, RENTALS_SQL(EQUIPMENT_USE_ROW), rargs, 4, NULL, NULL, NULL)) !=
			    MG_OK)
				return err;
			unsigned long long taken = 0;
			struct mg_dbval targs[] = { MG_INT(b->equipment[e].quantity), MG_INT(b->tenant),
						    MG_INT(b->equipment[e].id), MG_TEXT(b->date),
						    MG_TEXT(room->blocks[k].code), MG_INT(b->equipment[e].quantity) };
			if ((err = mg_db_exec(db, b->arena, RENTALS_SQL(EQUIPMENT_TAKE), targs, 6, NULL, &taken, NULL)) !=
			    MG_OK)
				return err;
			if (taken == 0) {
				b->short_equipment = b->equipment[e].id;
				return MG_ERR_CONFLICT;
			}
		}
	}
	for (size_t i = 0; i < b->n_lines; i++) {
		struct mg_dbval largs[] = { MG_INT(b->tenant), MG_INT(id), MG_INT(i + 1), MG_TEXT(b->lines[i].type),
					    MG_TEXT(b->lines[i].label), MG_INT(b->lines[i].amount) };
		if ((err = mg_db_exec(db, b->arena, RENTALS_SQL(LINE_INSERT), largs, 6, NULL, NULL, NULL)) != MG_OK)
			return err;
	}
	return MG_OK;
}

static json_t *lines_json(const struct rentals_fee_line *lines, size_t n)
{
	json_t *out = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(out, json_pack("{s:s, s:s, s:I}", "type", lines[i].type, "label", lines[i].label,
						     "amount", (json_int_t)lines[i].amount));
	return out;
}

/* Adds equipment id × quantity to b: false when it is not the facility's, or named twice. */
bool rentals_add_equipment(struct mg_ctx *ctx, struct booking_new *b, uint64_t id, long long quantity)
{
	if (id == 0 || quantity < 1 || quantity > 10000 || b->n_equipment >= RENTALS_MAX_EQUIPMENT)
		return false;
	struct mg_rows rows;
	struct mg_dbval args[] = { MG_INT(b->tenant), MG_INT(b->room->facility_id), MG_INT(id) };
	if (mg_db_exec(mg_ctx_db(ctx), b->arena, RENTALS_SQL(EQUIPMENT_GET), args, 3, &rows, NULL, NULL) != MG_OK ||
	    rows.nrows == 0)
		return false;
	for (size_t k = 0; k < b->n_equipment; k++)
		if (b->equipment[k].id == id)
			return false;
	b->equipment[b->n_equipment++] = (struct equipment_take){
		id, (unsigned)quantity, (long long)mg_cell_u64(MG_CELL(&rows, 0, 1)), MG_CELL(&rows, 0, 0),
	};
	return true;
}

/*
 * Makes the provisional booking b asks for: the room loaded (b->room), the blocks (codes, in
 * any order), purpose, equipment already in b. Outcomes other than MG_OK: *problem set (a
 * msgid) for a 400; BOOK_NO_ROOM, BOOK_LOTTERY, BOOK_TAKEN, BOOK_SHORT; or an error.
 */
enum book_outcome rentals_book(struct mg_ctx *ctx, struct booking_new *b, const char *const *codes, size_t n_codes,
			      const char **problem, enum mg_err *err)
{
	const struct room *room = b->room;
	const char *zone = mg_tenant_time_zone(ctx);
	struct mg_arena *arena = b->arena;
	*err = MG_OK;
	if (room->lottery_only)
		return BOOK_LOTTERY;
	time_t day;
	if (b->date == NULL || mg_tz_parse_date(zone, b->date, &day) != MG_OK) {
		*problem = N_("The date is not valid.");
		return BOOK_BAD;
	}
	size_t chosen[RENTALS_MAX_BLOCKS], n_chosen = 0;
	for (size_t i = 0; i < n_codes && n_chosen < RENTALS_MAX_BLOCKS; i++) {
		int k = block_index(room, codes[i]);
		if (k < 0) {
			*problem = N_("A block is not one of this room's blocks.");
			return BOOK_BAD;
		}
		chosen[n_chosen++] = (size_t)k;
	}
	for (size_t a = 1; a < n_chosen; a++) /* in day order, whatever order they were sent in */
		for (size_t c = a; c > 0 && chosen[c - 1] > chosen[c]; c--) {
			size_t t = chosen[c];
			chosen[c] = chosen[c - 1];
			chosen[c - 1] = t;
		}
	if (n_codes > RENTALS_MAX_BLOCKS || !rentals_blocks_consecutive(chosen, n_chosen, room->n_blocks)) {
		*problem = N_("Choose consecutive blocks (for example afternoon and evening), each once.");
		return BOOK_BAD;
	}
	b->first = chosen[0];
	b->last = chosen[n_chosen - 1];
	struct mg_rows prow;
	struct mg_dbval pargs[] = { MG_INT(b->tenant), MG_INT(room->facility_id), MG_TEXT(b->purpose) };
	if ((*err = mg_db_exec(mg_ctx_db(ctx), arena, RENTALS_SQL(PURPOSE_GET), pargs, 3, &prow, NULL, NULL)) != MG_OK)
		return BOOK_ERROR;
	if (prow.nrows == 0) {
		*problem = N_("The purpose is not one of this facility's purposes.");
		return BOOK_BAD;
	}
	if (local_instant(zone, b->date, room->blocks[b->first].start_minute, &b->from) != MG_OK ||
	    local_instant(zone, b->date, room->blocks[b->last].end_minute, &b->to) != MG_OK) {
		*problem = N_("The date is not valid.");
		return BOOK_BAD;
	}
	if (rentals_deadline(zone, b->now, b->from, room->days_after, room->days_before, &b->deadline) != MG_OK) {
		*problem = N_("It is too late to book this day online; please book at the counter.");
		return BOOK_BAD;
	}
	struct rentals_equipment_use uses[RENTALS_MAX_EQUIPMENT];
	for (size_t e = 0; e < b->n_equipment; e++)
		uses[e] = (struct rentals_equipment_use){ b->equipment[e].name, b->equipment[e].quantity,
							  b->equipment[e].fee_per_block };
	struct tm local = { 0 };
	mg_tz_local(zone, day, &local);
	struct rentals_fee_request req = {
		.chosen = chosen,
		.n_chosen = n_chosen,
		.purpose_percent = (unsigned)mg_cell_u64(MG_CELL(&prow, 0, 0)),
		.residency_percent = b->residency_percent ? b->residency_percent : 100,
		.admission_percent = 100,
		.weekend_or_holiday = local.tm_wday == 0 || local.tm_wday == 6,
		.weekend_percent = room->weekend_percent,
		.full_day_percent = room->full_day_percent,
		.equipment = uses,
		.n_equipment = b->n_equipment,
	};
	if (rentals_fee_compute(arena, room->blocks, room->n_blocks, &req, b->lines, &b->n_lines, &b->total) != MG_OK) {
		*problem = N_("The fee of this booking could not be computed; please ask the facility.");
		return BOOK_BAD;
	}
	if (b->dry_run)
		return BOOK_OK;
	b->label = b->first == b->last
			   ? mg_arena_printf(arena, "%s %s", room->name, room->blocks[b->first].label)
			   : mg_arena_printf(arena, "%s %s–%s", room->name, room->blocks[b->first].label,
					     room->blocks[b->last].label);
	*err = mg_db_transaction(mg_ctx_db(ctx), booking_insert, b);
	if (*err == MG_ERR_CONFLICT) {
		*err = MG_OK;
		return b->short_equipment != 0 ? BOOK_SHORT : BOOK_TAKEN;
	}
	if (*err == MG_ERR_INPUT) {
		*err = MG_OK;
		*problem = N_("The room is closed at that time.");
		return BOOK_BAD;
	}
	return *err == MG_OK ? BOOK_OK : BOOK_ERROR;
}

/* Loads room id into *room for b; BOOK_NO_ROOM when there is none. */
enum book_outcome rentals_book_room(struct mg_ctx *ctx, struct booking_new *b, struct room *room, uint64_t id,
				   enum mg_err *err)
{
	*err = rentals_room_load(mg_ctx_db(ctx), b->arena, b->tenant, id, room);
	b->room = room;
	if (*err == MG_ERR_NOT_FOUND) {
		*err = MG_OK;
		return BOOK_NO_ROOM;
	}
	return *err == MG_OK ? BOOK_OK : BOOK_ERROR;
}

/*
 * POST /<slug>/api/v1/bookings (a staff API token) — a provisional booking of consecutive
 * blocks of a room on a day: 201 {"booking","state":"provisional","deadline","total","lines"};
 * 409 {"error":"slot_unavailable","blocks":[…]} when any block is taken (nothing is held);
 * 409 equipment_unavailable when the facility's stock is short for those blocks.
 */
enum mg_err rentals_api_book(struct mg_ctx *ctx)
{
	size_t len = 0;
	const char *body = mg_body(ctx, &len);
	json_error_t jerr;
	json_t *in = body != NULL && len > 0 ? json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr) : NULL;
	if (!json_is_object(in)) {
		json_decref(in);
		return fail(ctx, 400, "bad_json", N_("The body must be a JSON object."));
	}
	struct mg_arena *arena = mg_arena(ctx);
	const json_t *room_v = json_object_get(in, "room"), *date_v = json_object_get(in, "date"),
		     *blocks_v = json_object_get(in, "blocks"), *purpose_v = json_object_get(in, "purpose"),
		     *attendees_v = json_object_get(in, "attendees"), *equipment_v = json_object_get(in, "equipment");
	struct room room;
	struct booking_new b = { .arena = arena, .tenant = mg_tenant_id(ctx), .now = mg_now(),
				 .staff_id = mg_staff_id(ctx) };
	enum mg_err err = MG_OK;
	const char *problem = N_("Send {\"room\": a number, \"date\": \"YYYY-MM-DD\", \"blocks\": [block codes]} and "
				 "optionally purpose, attendees and equipment.");
	enum book_outcome outcome = BOOK_BAD;
	const char *codes[RENTALS_MAX_BLOCKS];
	size_t n_codes = 0;
	if (!json_is_integer(room_v) || json_integer_value(room_v) < 1 || !json_is_string(date_v) ||
	    !json_is_array(blocks_v) || json_array_size(blocks_v) == 0 ||
	    json_array_size(blocks_v) > RENTALS_MAX_BLOCKS || (purpose_v != NULL && !json_is_string(purpose_v)) ||
	    (attendees_v != NULL && (!json_is_integer(attendees_v) || json_integer_value(attendees_v) < 0 ||
				     json_integer_value(attendees_v) > 100000)))
		goto answer;
	for (size_t i = 0; i < json_array_size(blocks_v); i++) {
		const json_t *item = json_array_get(blocks_v, i);
		if (!json_is_string(item))
			goto answer;
		codes[n_codes++] = mg_arena_strdup(arena, json_string_value(item));
	}
	outcome = rentals_book_room(ctx, &b, &room, (uint64_t)json_integer_value(room_v), &err);
	if (outcome != BOOK_OK)
		goto answer;
	outcome = BOOK_BAD;
	b.date = mg_arena_strdup(arena, json_string_value(date_v));
	b.purpose = mg_arena_strdup(arena, purpose_v != NULL ? json_string_value(purpose_v) : room.default_purpose);
	b.attendees = attendees_v != NULL ? (unsigned)json_integer_value(attendees_v) : 0;
	if (equipment_v != NULL && !json_is_null(equipment_v)) {
		if (!json_is_array(equipment_v) || json_array_size(equipment_v) > RENTALS_MAX_EQUIPMENT)
			goto equipment;
		for (size_t i = 0; i < json_array_size(equipment_v); i++) {
			const json_t *item = json_array_get(equipment_v, i), *id = json_object_get(item, "id"),
				     *q = json_object_get(item, "quantity");
			if (!json_is_integer(id) || !json_is_integer(q) || json_integer_value(id) < 1 ||
			    !rentals_add_equipment(ctx, &b, (uint64_t)json_integer_value(id), json_integer_value(q)))
				goto equipment;
		}
	}
	outcome = rentals_book(ctx, &b, codes, n_codes, &problem, &err);
	goto answer;
equipment:
	problem = N_("Equipment is a list of {\"id\": equipment of this facility, \"quantity\": 1 or more}, each once.");
answer:
	json_decref(in);
	switch (outcome) {
	case BOOK_OK:
		return mg_json(ctx, 201, json_pack("{s:s, s:s, s:s, s:I, s:o}", "booking", b.code, "state", "provisional",
						   "deadline", mg_time_text(ctx, b.deadline, MG_TZ_ISO), "total",
						   (json_int_t)b.total, "lines", lines_json(b.lines, b.n_lines)));
	case BOOK_BAD:
		return fail(ctx, 400, "invalid", problem);
	case BOOK_NO_ROOM:
		return fail(ctx, 404, "room_not_found", N_("There is no such room."));
	case BOOK_LOTTERY:
		return fail(ctx, 409, "lottery_only", N_("This room is booked through the lottery only."));
	case BOOK_SHORT:
		return mg_json(ctx, 409, json_pack("{s:s, s:s, s:I}", "error", "equipment_unavailable", "message",
						   mg_tr(ctx, N_("Not enough of this equipment is free for these blocks.")),
						   "equipment", (json_int_t)b.short_equipment));
	case BOOK_TAKEN: {
		json_t *taken = json_array();
		for (size_t k = b.first; k <= b.last; k++)
			json_array_append_new(taken, json_string(room.blocks[k].code));
		return mg_json(ctx, 409, json_pack("{s:s, s:s, s:o}", "error", "slot_unavailable", "message",
						   mg_tr(ctx, N_("These blocks are no longer free. Please choose others.")),
						   "blocks", taken));
	}
	case BOOK_ERROR:
		break;
	}
	return err != MG_OK ? err : MG_ERR_INTERNAL;
}

/* ---- approving, cancelling, lapsing ---- */

struct booking_change {
	struct mg_arena *arena;
	uint64_t tenant;
	const char *code;
	uint64_t id; /* instead of code (the job) */
	const char *to_state; /* "confirmed", "cancelled", "lapsed", "declined" */
	time_t now;
	const char *zone;
	/* out */
	const char *was;
	long long fee, refund;
	bool wrong_state, deadline_passed;
};

/* Gives back the equipment a booking counted (in its transaction). */
static enum mg_err give_back_equipment(struct mg_db *db, struct booking_change *c, const char *date,
				       const char *first, const char *last, uint64_t facility)
{
	struct mg_rows eq;
	struct mg_dbval args[] = { MG_INT(c->tenant), MG_INT(c->id) };
	enum mg_err err = mg_db_exec(db, c->arena, RENTALS_SQL(BOOKING_EQUIPMENT), args, 2, &eq, NULL, NULL);
	for (size_t r = 0; err == MG_OK && r < eq.nrows; r++) {
		struct mg_dbval gargs[] = { MG_INT(mg_cell_u64(MG_CELL(&eq, r, 1))), MG_INT(c->tenant),
					    MG_INT(mg_cell_u64(MG_CELL(&eq, r, 0))), MG_TEXT(date),
					    MG_TEXT(first), MG_TEXT(last), MG_INT(c->tenant), MG_INT(facility) };
		err = mg_db_exec(db, c->arena, RENTALS_SQL(EQUIPMENT_GIVE), gargs, 8, NULL, NULL, NULL);
	}
	return err;
}

static enum mg_err booking_change(struct mg_db *db, void *arg)
{
	struct booking_change *c = arg;
	struct mg_rows rows;
	struct mg_dbval args[] = { MG_INT(c->tenant), MG_TEXT(c->code), MG_INT(c->id) };
	enum mg_err err = mg_db_exec(db, c->arena, RENTALS_SQL(BOOKING_LOCK), args, 3, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	if (rows.nrows == 0)
		return MG_ERR_NOT_FOUND;
	c->id = mg_cell_u64(MG_CELL(&rows, 0, 0));
	c->was = mg_arena_strdup(c->arena, MG_CELL(&rows, 0, 1));
	uint64_t occupation_id = mg_cell_u64(MG_CELL(&rows, 0, 3));
	time_t starts_at = (time_t)mg_cell_u64(MG_CELL(&rows, 0, 4)), deadline = (time_t)mg_cell_u64(MG_CELL(&rows, 0, 5));
	long long paid = (long long)mg_cell_u64(MG_CELL(&rows, 0, 6)), total = (long long)mg_cell_u64(MG_CELL(&rows, 0, 7));
	const char *date = MG_CELL(&rows, 0, 8), *first = MG_CELL(&rows, 0, 9), *last = MG_CELL(&rows, 0, 10),
		   *ladder = MG_CELL(&rows, 0, 11);
	uint64_t facility = mg_cell_u64(MG_CELL(&rows, 0, 12));
	bool provisional = strcmp(c->was, "provisional") == 0, confirmed = strcmp(c->was, "confirmed") == 0;
	if (strcmp(c->to_state, "confirmed") == 0) {
		if (!provisional) {
			c->wrong_state = true;
			return MG_ERR_CONFLICT;
		}
		if (deadline <= c->now) {
			c->deadline_passed = true;
			return MG_ERR_CONFLICT;
		}
		if ((err = mg_calendar_confirm(db, c->arena, c->tenant, occupation_id)) != MG_OK)
			return err;
	} else {
		if ((!provisional && !confirmed) ||
		    (strcmp(c->to_state, "lapsed") == 0 && (!provisional || deadline > c->now))) {
			c->wrong_state = true;
			return MG_ERR_CONFLICT;
		}
		if (confirmed && strcmp(c->to_state, "cancelled") == 0) {
			struct mg_fee_rule rule = ladder_rule(c->arena, ladder);
			rentals_cancellation(&rule, c->zone, c->now, starts_at, paid, &c->fee, &c->refund);
		}
		size_t released;
		if ((err = mg_calendar_release_owner(db, c->arena, c->tenant, OWNER_KIND, c->id, &released)) != MG_OK ||
		    (err = give_back_equipment(db, c, date, first, last, facility)) != MG_OK)
			return err;
	}
	(void)total;
	struct mg_dbval uargs[] = { MG_TEXT(c->to_state), MG_INT(c->fee), MG_INT(c->refund), MG_INT(c->tenant),
				    MG_INT(c->id) };
	return mg_db_exec(db, c->arena, RENTALS_SQL(BOOKING_SET_STATE), uargs, 5, NULL, NULL, NULL);
}

static enum mg_err change_answer(struct mg_ctx *ctx, enum mg_err err, const struct booking_change *c)
{
	switch (err) {
	case MG_OK:
		if (strcmp(c->to_state, "confirmed") == 0)
			return mg_json(ctx, 200, json_pack("{s:s, s:s}", "booking", c->code, "state", "confirmed"));
		return mg_json(ctx, 200, json_pack("{s:s, s:s, s:I, s:I}", "booking", c->code, "state", c->to_state, "fee",
						   (json_int_t)c->fee, "refund", (json_int_t)c->refund));
	case MG_ERR_NOT_FOUND:
		return fail(ctx, 404, "booking_not_found", N_("There is no such booking."));
	case MG_ERR_CONFLICT:
		if (c->deadline_passed)
			return fail(ctx, 409, "deadline_passed", N_("The deadline of this provisional booking has passed."));
		return fail(ctx, 409, "wrong_state", N_("The booking is no longer in a state that allows this."));
	default:
		return err;
	}
}

/* The answer for a staff-only booking route: 404 when the code names no booking of this tenant
 * (whoever asks), then 401 without a staff API token, 403 without rentals.manage; *answered
 * false when the caller may go on. */
static enum mg_err staff_booking_gate(struct mg_ctx *ctx, const char *code, bool *answered)
{
	struct mg_rows found;
	struct mg_dbval args[] = { MG_INT(mg_tenant_id(ctx)), MG_TEXT(code) };
	enum mg_err err = mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), RENTALS_SQL(BOOKING_BY_CODE), args, 2, &found, NULL,
				     NULL);
	*answered = true;
	if (err != MG_OK)
		return err;
	if (found.nrows == 0)
		return fail(ctx, 404, "booking_not_found", N_("There is no such booking."));
	if (mg_staff_id(ctx) == 0) {
		mg_header(ctx, "WWW-Authenticate", "Bearer");
		return fail(ctx, 401, "unauthorized", N_("This needs a staff API token."));
	}
	if (!mg_staff_may(ctx, "rentals.manage"))
		return fail(ctx, 403, "forbidden", N_("This staff member may not approve or cancel bookings."));
	*answered = false;
	return MG_OK;
}

/* POST /<slug>/api/v1/bookings/<code>/approve (staff: rentals.manage) — 本予約. */
enum mg_err rentals_api_approve(struct mg_ctx *ctx)
{
	bool answered;
	enum mg_err gate = staff_booking_gate(ctx, mg_param(ctx, "code"), &answered);
	if (answered)
		return gate;
	struct booking_change c = { .arena = mg_arena(ctx), .tenant = mg_tenant_id(ctx), .code = mg_param(ctx, "code"),
				    .to_state = "confirmed", .now = mg_now(), .zone = mg_tenant_time_zone(ctx) };
	enum mg_err err = mg_db_transaction(mg_ctx_db(ctx), booking_change, &c);
	if (err == MG_OK)
		mg_audit(ctx, "rentals.booking_approve", c.code, "success", NULL);
	return change_answer(ctx, err, &c);
}

/* DELETE /<slug>/api/v1/bookings/<code> (staff) — cancels: {"state":"cancelled","fee","refund"}
 * by the facility's ladder for a confirmed booking; a provisional one costs nothing. */
enum mg_err rentals_api_cancel(struct mg_ctx *ctx)
{
	bool answered;
	enum mg_err gate = staff_booking_gate(ctx, mg_param(ctx, "code"), &answered);
	if (answered)
		return gate;
	struct booking_change c = { .arena = mg_arena(ctx), .tenant = mg_tenant_id(ctx), .code = mg_param(ctx, "code"),
				    .to_state = "cancelled", .now = mg_now(), .zone = mg_tenant_time_zone(ctx) };
	enum mg_err err = mg_db_transaction(mg_ctx_db(ctx), booking_change, &c);
	if (err == MG_OK)
		mg_audit(ctx, "rentals.booking_cancel", c.code, "success", NULL);
	return change_answer(ctx, err, &c);
}

/*
 * The job rentals.lapse (every minute): provisional bookings past their deadline, neither paid
 * nor approved, become 'lapsed'; their blocks and equipment are free again.
 */
enum mg_err rentals_lapse_job(struct mg_db *db, struct mg_arena *arena, time_t now)
{
	struct mg_rows due;
	struct mg_dbval args[] = { MG_INT(now) };
	enum mg_err err = mg_db_exec(db, arena, RENTALS_SQL(BOOKINGS_DUE), args, 1, &due, NULL, NULL);
	for (size_t r = 0; err == MG_OK && r < due.nrows; r++) {
		uint64_t tenant = mg_cell_u64(MG_CELL(&due, r, 0));
		struct booking_change c = { .arena = arena, .tenant = tenant, .code = NULL,
					    .id = mg_cell_u64(MG_CELL(&due, r, 1)), .to_state = "lapsed", .now = now,
					    .zone = NULL /* no fee on a lapse: the zone is not needed */ };
		err = mg_db_transaction(db, booking_change, &c);
		if ((err == MG_ERR_CONFLICT && c.wrong_state) || err == MG_ERR_NOT_FOUND)
			err = MG_OK; /* approved or cancelled meanwhile */
	}
	return err;
}

/* The query of the availability route: a date and a number of days. */
const struct mg_field rentals_availability_query[] = {
	{ "from", MG_FROM_QUERY, "[0-9]{4}-[0-9]{2}-[0-9]{2}", false, 10, N_("Start date"), MG_TEXT_NFKC },
	{ "days", MG_FROM_QUERY, "[0-9]{1,2}", false, 2, N_("Days"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};

/* Approves (本予約) the provisional booking code: MG_OK; MG_ERR_NOT_FOUND; MG_ERR_CONFLICT with
 * *problem (a msgid) when it is no longer provisional or its deadline passed. */
enum mg_err rentals_approve(struct mg_ctx *ctx, const char *code, const char **problem)
{
	struct booking_change c = { .arena = mg_arena(ctx), .tenant = mg_tenant_id(ctx), .code = code,
				    .to_state = "confirmed", .now = mg_now(), .zone = mg_tenant_time_zone(ctx) };
	enum mg_err err = mg_db_transaction(mg_ctx_db(ctx), booking_change, &c);
	if (err == MG_OK)
		mg_audit(ctx, "rentals.booking_approve", code, "success", NULL);
	*problem = c.deadline_passed ? N_("The deadline of this provisional booking has passed.")
				     : N_("The booking is no longer in a state that allows this.");
	return err;
}
