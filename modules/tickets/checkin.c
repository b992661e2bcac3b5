/*
 * The gate: staff (restricted staff included) check e-tickets in on a page made for a phone
 * or a scanner that types like a keyboard, and scanners do the same through the JSON API with
 * a staff API token. See checkin.h for the order of the checks.
 */
#include <stdlib.h>
#include <string.h>

#include "checkin.h"

/* One scan: what was sent and what was found. */
struct scan {
	const char *code, *gate;
	uint64_t performance; /* the gate's performance, 0 for any */
	enum checkin_result result;
	uint64_t ticket;
	/* from tickets_ticket, for the answer */
	const char *at_hhmm, *at_iso, *at_gate, *description, *event, *starts;
};

/* "T1-<id>" → id; 0 for any other payload. */
static uint64_t ticket_of_payload(const char *payload)
{
	size_t n = strlen(TICKETS_CODE_PREFIX);
	uint64_t id;
	if (strncmp(payload, TICKETS_CODE_PREFIX, n) != 0 || mg_parse_id(payload + n, &id) != MG_OK)
		return 0;
	return id;
}

/* The ticket's row after the UPDATE, to say why it was not admitted (or what was admitted). */
static enum mg_err read_ticket(struct mg_ctx *ctx, struct scan *s, bool admitted)
{
	struct mg_rows rows;
	struct mg_dbval key[] = { MG_INT(mg_tenant_id(ctx)), MG_INT(s->ticket) };
	enum mg_err err = mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &tickets_statements[TICKETS_SQL_CHECKIN_TICKET],
	                             key, 2, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	if (rows.nrows != 1) {
		s->result = CHECKIN_UNKNOWN;
		return MG_OK;
	}
	/* times in the tenant's zone; "" when the ticket was never scanned */
	s->at_hhmm = mg_time_cell(ctx, MG_CELL(&rows, 0, 2), MG_TZ_CLOCK);
	s->at_iso = mg_time_cell(ctx, MG_CELL(&rows, 0, 3), MG_TZ_ISO);
	s->at_gate = MG_CELL(&rows, 0, 4);
	s->description = MG_CELL(&rows, 0, 6);
	s->event = MG_CELL(&rows, 0, 7);
	s->starts = mg_time_cell(ctx, MG_CELL(&rows, 0, 8), MG_TZ_MINUTE);
	if (admitted)
		s->result = CHECKIN_OK;
	else if (strcmp(MG_CELL(&rows, 0, 0), "valid") != 0)
		s->result = CHECKIN_VOID;
	else if (s->performance != 0 && strtoull(MG_CELL(&rows, 0, 5), NULL, 10) != s->performance)
		s->result = CHECKIN_WRONG_PERFORMANCE;
	else
		s->result = CHECKIN_ALREADY;
	return MG_OK;
}

/*
 * Checks one code in: the signature from the code alone, then one conditional UPDATE (only a
 * valid ticket not yet checked in, of the gate's performance if it has one). Sets s->result;
 * an error only when the database fails.
 */
static enum mg_err check_in(struct mg_ctx *ctx, struct scan *s)
{
	const char *payload = NULL;
	enum mg_err err = mg_verify_code(ctx, s->code, &payload);
	if (err == MG_ERR_INPUT || (err == MG_OK && (s->ticket = ticket_of_payload(payload)) == 0)) {
		s->result = CHECKIN_INVALID;
		mg_audit(ctx, "tickets.checkin", "ticket", "failure", "code not signed by this tenant");
		return MG_OK;
	}
	if (err != MG_OK)
		return err;
	struct mg_dbval args[] = { MG_INT(mg_now()), MG_TEXT(s->gate), MG_INT(mg_staff_id(ctx)), MG_INT(mg_tenant_id(ctx)),
				   MG_INT(s->ticket), MG_INT(s->performance), MG_INT(s->performance) };
	unsigned long long affected = 0;
	if ((err = mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &tickets_statements[TICKETS_SQL_CHECKIN_MARK], args, 7,
	                      NULL, &affected, NULL)) != MG_OK)
		return err;
	if ((err = read_ticket(ctx, s, affected == 1)) != MG_OK)
		return err;
	const char *object = mg_arena_printf(mg_arena(ctx), "ticket:%llu", (unsigned long long)s->ticket);
	if (s->result == CHECKIN_OK)
		mg_audit(ctx, "tickets.checkin", object, "success", s->gate[0] ? s->gate : NULL);
	return MG_OK;
}

/* What each result is called in the JSON answer, its status and its message. */
static const struct {
	const char *word;
	int status;
	const char *message;
} results[] = {
	[CHECKIN_OK] = { "ok", 200, N_("Checked in. Welcome!") },
	[CHECKIN_ALREADY] = { "already_checked_in", 409, N_("Already checked in at {at} ({gate}).") },
	[CHECKIN_INVALID] = { "invalid_code", 400, N_("This is not a valid ticket code. It may be forged or mistyped.") },
	[CHECKIN_UNKNOWN] = { "not_found", 404, N_("No ticket has this code.") },
	[CHECKIN_VOID] = { "void", 410, N_("This ticket is void: its order was cancelled or refunded.") },
	[CHECKIN_WRONG_PERFORMANCE] = { "wrong_performance", 409, N_("This ticket is for another performance: {event} {starts}.") },
};

/* Replaces each "{name}" of a translated message by its value (text, never markup). */
static const char *fill(struct mg_ctx *ctx, const char *message, const char *const pairs[][2], size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *at = strstr(message, pairs[i][0]);
		if (at != NULL)
			message = mg_arena_printf(mg_arena(ctx), "%.*s%s%s", (int)(at - message), message, pairs[i][1],
						  at + strlen(pairs[i][0]));
	}
	return message;
}

static const char *result_message(struct mg_ctx *ctx, const struct scan *s)
{
	const char *message = mg_tr(ctx, results[s->result].message);
	if (s->result == CHECKIN_ALREADY && (s->at_gate == NULL || s->at_gate[0] == '\0'))
		message = mg_tr(ctx, N_("Already checked in at {at}."));
	const char *const pairs[][2] = { { "{at}", s->at_hhmm ? s->at_hhmm : "" },
					 { "{gate}", s->at_gate ? s->at_gate : "" },
					 { "{event}", s->event ? s->event : "" },
					 { "{starts}", s->starts ? s->starts : "" } };
	return fill(ctx, message, pairs, 4);
}

/* ---- the page ---- */

/* Upcoming performances (from yesterday on) for the gate's choice. */
static json_t *performance_choices(struct mg_ctx *ctx, uint64_t selected, enum mg_err *err)
{
	struct mg_rows rows;
	struct mg_dbval args[] = { MG_INT(mg_tenant_id(ctx)), MG_INT(mg_now()) };
	if ((*err = mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &tickets_statements[TICKETS_SQL_CHECKIN_PERFORMANCES],
	                       args, 2, &rows, NULL, NULL)) != MG_OK)
		return NULL;
	json_t *list = json_array();
	for (size_t r = 0; r < rows.nrows; r++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:b}", "id", MG_CELL(&rows, r, 0), "label",
						      mg_arena_printf(mg_arena(ctx), "%s %s", mg_time_cell(ctx, MG_CELL(&rows, r, 2), MG_TZ_MINUTE),
								      MG_CELL(&rows, r, 1)),
						      "selected", strtoull(MG_CELL(&rows, r, 0), NULL, 10) == selected));
	return list;
}

static enum mg_err render(struct mg_ctx *ctx, int status, const struct scan *s, const char *error)
{
	enum mg_err err;
	json_t *performances = performance_choices(ctx, s->performance, &err);
	if (performances == NULL)
		return err;
	json_t *data = mg_admin_page(ctx, N_("Check-in"));
	json_object_set_new(data, "action", json_string(mg_admin_path(ctx, "/tickets/checkin")));
	json_object_set_new(data, "gate", json_string(s->gate ? s->gate : ""));
	json_object_set_new(data, "performances", performances);
	if (error != NULL)
		json_object_set_new(data, "error", json_string(mg_tr(ctx, error)));
	if (error == NULL && s->code != NULL)
		json_object_set_new(data, "result",
				    json_pack("{s:s, s:s, s:s, s:s, s:s}", "kind", results[s->result].word, "message",
					      result_message(ctx, s), "description", s->description ? s->description : "",
					      "event", s->event ? s->event : "", "starts", s->starts ? s->starts : ""));
	return mg_render(ctx, status, "tickets/checkin", data);
}

/* GET /<slug>/admin/tickets/checkin — the form: code first, the gate and its performance. */
enum mg_err checkin_page(struct mg_ctx *ctx)
{
	struct scan s = { .gate = mg_query(ctx, "gate") };
	if (mg_query_id(ctx, "performance", &s.performance) == MG_ERR_INPUT)
		return MG_ERR_INPUT;
	return render(ctx, 200, &s, NULL);
}

/* POST /<slug>/admin/tickets/checkin — one scan; the answer is the same page with the result
 * on top and the code field empty and focused for the next one. */
enum mg_err checkin_submit(struct mg_ctx *ctx)
{
	struct scan s = { .code = mg_form(ctx, "code"), .gate = mg_form(ctx, "gate") };
	if (mg_form_id(ctx, "performance", &s.performance) == MG_ERR_INPUT)
		return MG_ERR_INPUT;
	if (s.gate == NULL)
		s.gate = "";
	if (s.code == NULL || s.code[0] == '\0')
		return render(ctx, 422, &s, N_("Type or scan a ticket code."));
	enum mg_err err = check_in(ctx, &s);
	if (err != MG_OK)
		return err;
	return render(ctx, results[s.result].status, &s, NULL);
}

/* ---- the API ---- */

static enum mg_err api_error(struct mg_ctx *ctx, int status, const char *word, const char *msgid)
{
	return mg_json(ctx, status, json_pack("{s:s, s:s}", "error", word, "message", mg_tr(ctx, msgid)));
}

/*
 * POST /<slug>/api/v1/checkin — {"code": "...", "gate": "East", "performance": 12} with a staff
 * API token. 200 {"result":"ok", "ticket":…} the first time; 409 {"error":"already_checked_in",
 * "checked_in_at", "gate", "message"} after; 400 for a malformed or forged code; 404 for a
 * signed code of no ticket; 410 for a void ticket; 409 "wrong_performance".
 */
enum mg_err checkin_api(struct mg_ctx *ctx)
{
	size_t len = 0;
	const char *body = mg_body(ctx, &len);
	json_error_t jerr;
	json_t *in = body != NULL ? json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr) : NULL;
	if (!json_is_object(in)) {
		json_decref(in);
		return api_error(ctx, 400, "bad_json", N_("The request body must be a JSON object."));
	}
	json_t *code = json_object_get(in, "code"), *gate = json_object_get(in, "gate"),
	       *performance = json_object_get(in, "performance");
	struct scan s = { 0 };
	if (json_is_string(code))
		s.code = mg_arena_strdup(mg_arena(ctx), json_string_value(code));
	if (json_is_string(gate))
		s.gate = mg_arena_strdup(mg_arena(ctx), json_string_value(gate));
	bool bad = !json_is_string(code) || (gate != NULL && !json_is_null(gate) && !json_is_string(gate)) ||
		   (performance != NULL && !json_is_null(performance) &&
		    (!json_is_integer(performance) || json_integer_value(performance) < 0));
	if (json_is_integer(performance))
		s.performance = (uint64_t)json_integer_value(performance);
	json_decref(in);
	if (bad)
		return api_error(ctx, 400, "bad_request",
				 N_("Send {\"code\": the ticket code} and optionally \"gate\" (text) and \"performance\" (a number)."));
	if (s.gate == NULL)
		s.gate = "";
	if (strlen(s.gate) > 64)
		return api_error(ctx, 400, "bad_request", N_("The gate name is too long (64 bytes at most)."));
	if (strlen(s.code) > 400) {
		s.result = CHECKIN_INVALID;
	} else {
		enum mg_err err = check_in(ctx, &s);
		if (err != MG_OK)
			return err;
	}
	json_t *out = json_pack("{s:s, s:s}", s.result == CHECKIN_OK ? "result" : "error", results[s.result].word,
				"message", result_message(ctx, &s));
	if (s.result == CHECKIN_OK || s.result == CHECKIN_ALREADY || s.result == CHECKIN_WRONG_PERFORMANCE ||
	    s.result == CHECKIN_VOID)
		json_object_set_new(out, "ticket",
				    json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)s.ticket, "description",
					      s.description, "event", s.event, "starts_at", s.starts));
	if (s.result == CHECKIN_OK || s.result == CHECKIN_ALREADY) {
		json_object_set_new(out, "checked_in_at", json_string(s.at_iso));
		json_object_set_new(out, "gate", json_string(s.at_gate));
	}
	return mg_json(ctx, results[s.result].status, out);
}

const struct mg_field checkin_query[] = {
	/* the gate's settings kept in the page's address between scans */
	{ "gate", MG_FROM_QUERY, NULL, false, 64, N_("Gate name"), MG_TEXT_NFKC },
	{ "performance", MG_FROM_QUERY, MG_ID_PATTERN, false, 19, N_("Performance at this gate"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};

const struct mg_field checkin_fields[] = {
	{ "code", MG_FROM_FORM, NULL, false, 400, N_("Ticket code to check in"), MG_TEXT_RAW },
	{ "gate", MG_FROM_FORM, NULL, false, 64, N_("Gate name"), MG_TEXT_NFKC },
	{ "performance", MG_FROM_FORM, MG_ID_PATTERN, false, 19, N_("Performance at this gate"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};
