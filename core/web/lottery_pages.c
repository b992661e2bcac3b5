/*
 * GET /<slug>/lottery/<id> — a draw's public page (any module links to it): its period, the
 * commitment (SHA-256 of the seed) from the start, and once drawn the seed, the entries hash and
 * each entry's result by its 申込番号 (the entry's number), without names or any other personal
 * data. docs/lottery.md says how to recompute it.
 */
#include <string.h>

#include <jansson.h>

#include "i18n.h"
#include "lottery.h"
#include "lottery_pages.h"
#include "tz.h"

static json_t *time_value(struct mg_ctx *ctx, time_t t)
{
	return t > 0 ? json_string(mg_time_text(ctx, t, MG_TZ_PEOPLE)) : json_null();
}

static enum mg_err lottery_page(struct mg_ctx *ctx)
{
	uint64_t id;
	enum mg_err err = mg_param_id(ctx, "id", &id);
	if (err != MG_OK)
		return err;
	struct mg_lottery_draw d;
	if ((err = mg_lottery_get(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), id, &d)) != MG_OK)
		return err; /* another tenant's draw is simply not here: 404 */
	bool drawn = d.seed != NULL;
	json_t *results = json_array();
	size_t nwon = 0, nentries = 0;
	if (drawn) {
		struct mg_dbval key[] = { MG_INT(mg_tenant_id(ctx)), MG_INT(id) };
		struct mg_rows rows;
		if ((err = mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &mg_lottery_statements[MG_SQL_LOTTERY_RESULTS], key, 2,
				      &rows, NULL, NULL)) != MG_OK) {
			json_decref(results);
			return err;
		}
		nentries = rows.nrows;
		for (size_t i = 0; i < rows.nrows; i++) {
			const char *state = MG_CELL(&rows, i, 1), *won = MG_CELL(&rows, i, 2);
			if (won[0] != '\0')
				nwon++;
			json_array_append_new(results, json_pack("{s:s, s:s, s:s}", "number", MG_CELL(&rows, i, 0), "state",
								 state, "won", won[0] ? won : "—"));
		}
	}
	const char *zone = mg_tenant_time_zone(ctx);
	json_t *draw = json_pack("{s:I, s:s, s:o, s:o, s:o, s:o, s:s, s:b, s:I, s:s}", "id", (json_int_t)d.id, "title",
				 d.title, "opens", time_value(ctx, d.opens_at), "closes", time_value(ctx, d.closes_at),
				 "first_come", time_value(ctx, d.first_come_at), "drawn_at", time_value(ctx, d.drawn_at),
				 "commitment", d.commitment, "drawn", drawn, "confirm_days", (json_int_t)d.confirm_days,
				 "zone", mg_tz_label(zone, mg_lang(ctx)));
	if (drawn) {
		json_object_set_new(draw, "seed", json_string(d.seed));
		json_object_set_new(draw, "entries_hash", json_string(d.entries_hash));
		json_object_set_new(draw, "entries", json_integer((json_int_t)nentries));
		json_object_set_new(draw, "won", json_integer((json_int_t)nwon));
	}
	json_t *data = json_pack("{s:s, s:o, s:o}", "page_title", d.title, "draw", draw, "results", results);
	return mg_render(ctx, 200, "core/lottery", data);
}

const struct mg_route mg_lottery_routes[] = {
	{ "GET", "/lottery/" MG_ID_GROUP("id"), lottery_page, MG_SCOPE_TENANT, NULL, MG_NO_FIELDS,
	  "a lottery's public page: commitment, seed and entries hash once drawn, results by entry number" },
	{ NULL, NULL, NULL, 0, NULL, NULL, NULL },
};
