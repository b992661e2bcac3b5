/*
 * The rentals JSON API v1 (docs/api.md): the rooms of a tenant. Availability and bookings
 * stand on the venue calendar (core/commerce/calendar.h) and arrive with its implementation.
 * Errors are {"error":"<word>","message":"<text in the request's language>"} as in tickets.
 */
#include <stdlib.h>
#include <string.h>

#include "rentals.h"

/*
 * GET /<slug>/api/v1/rooms — the tenant's active rooms, wholes before their parts:
 * {"rooms":[{"id","name","capacity","parts":[<room id>…]}]}; a part names its whole's id in
 * the whole's "parts".
 */
enum mg_err rentals_api_rooms(struct mg_ctx *ctx)
{
	struct mg_rows rows;
	struct mg_dbval args[] = { MG_INT(mg_tenant_id(ctx)) };
	enum mg_err err = mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), RENTALS_SQL(API_ROOMS), args, 1, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	json_t *list = json_array();
	for (size_t r = 0; r < rows.nrows; r++) {
		uint64_t id = mg_cell_u64(MG_CELL(&rows, r, 0));
		json_t *parts = json_array();
		for (size_t p = 0; p < rows.nrows; p++)
			if (mg_cell_u64(MG_CELL(&rows, p, 3)) == id)
				json_array_append_new(parts, json_integer((json_int_t)mg_cell_u64(MG_CELL(&rows, p, 0))));
		json_array_append_new(list, json_pack("{s:I, s:s, s:I, s:o}", "id", (json_int_t)id, "name",
						      MG_CELL(&rows, r, 1), "capacity",
						      (json_int_t)mg_cell_u64(MG_CELL(&rows, r, 2)), "parts", parts));
	}
	return mg_json(ctx, 200, json_pack("{s:o}", "rooms", list));
}
