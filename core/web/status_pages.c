/*
 * The status page: GET /status (anyone: each service's state now, maintenance ahead, the
 * incidents of the last 90 days with their downtime, cause and measures, availability per
 * month) and GET /status.atom (the same as a feed). The store: core/platform/status.c.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <libxml/tree.h>

#include "clock.h"
#include "i18n.h"
#include "status.h"
#include "status_pages.h"
#include "tz.h"

json_t *mg_status_banners(struct mg_ctx *ctx, long lead)
{
	json_t *list = json_array();
	struct mg_rows rows;
	time_t now = mg_now();
	if (mg_windows_list(mg_ctx_db(ctx), mg_arena(ctx), now, &rows) != MG_OK)
		return list;
	for (size_t r = 0; r < rows.nrows; r++) {
		time_t from = (time_t)mg_cell_u64(MG_CELL(&rows, r, 1)), to = (time_t)mg_cell_u64(MG_CELL(&rows, r, 2));
		if (from - now > lead)
			continue;
		const char *when = mg_window_text(mg_arena(ctx), mg_tenant_time_zone(ctx), from, to, mg_lang(ctx));
		bool ja = strcmp(mg_lang(ctx), "ja") == 0;
		const char *text = mg_arena_printf(mg_arena(ctx), ja ? "%s はメンテナンスのためご利用いただけません"
								      : "%s: the service is unavailable for maintenance",
						   when);
		json_array_append_new(list, json_pack("{s:s, s:s, s:b}", "text", text,
						      "reason", MG_CELL(&rows, r, 3), "active",
						      strcmp(MG_CELL(&rows, r, 5), "active") == 0));
	}
	return list;
}

static const char *duration_text(struct mg_ctx *ctx, long long seconds)
{
	long long minutes = (seconds + 59) / 60;
	bool ja = strcmp(mg_lang(ctx), "ja") == 0;
	if (minutes < 60)
		return mg_arena_printf(mg_arena(ctx), ja ? "%lld分" : "%lld min", minutes);
	return mg_arena_printf(mg_arena(ctx), ja ? "%lld時間%lld分" : "%lld h %lld min", minutes / 60, minutes % 60);
}

/* The incidents of the last 90 days as [{id, started, ended, duration, what, cause, measures, open}]. */
static json_t *incidents_json(struct mg_ctx *ctx, const struct mg_rows *rows, time_t now)
{
	json_t *list = json_array();
	for (size_t r = 0; r < rows->nrows; r++) {
		time_t s = (time_t)mg_cell_u64(MG_CELL(rows, r, 1)), e = (time_t)mg_cell_u64(MG_CELL(rows, r, 2));
		json_array_append_new(
		    list, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "id", MG_CELL(rows, r, 0), "started",
				    mg_time_text(ctx, s, MG_TZ_PEOPLE), "ended", e ? mg_time_text(ctx, e, MG_TZ_PEOPLE) : "",
				    "duration", duration_text(ctx, (e ? e : now) - s), "what", MG_CELL(rows, r, 3), "cause",
				    MG_CELL(rows, r, 5), "measures", MG_CELL(rows, r, 6), "open", e == 0));
	}
	return list;
}

json_t *mg_status_incidents(struct mg_ctx *ctx)
{
	time_t now = mg_now();
	struct mg_rows rows;
	if (mg_incidents_list(mg_ctx_db(ctx), mg_arena(ctx), now - MG_STATUS_DAYS * 24L * 3600, &rows) != MG_OK)
		return json_array();
	return incidents_json(ctx, &rows, now);
}

/* Availability of this month and the two before, in the request's zone. */
static json_t *months_json(struct mg_ctx *ctx, const struct mg_rows *rows, time_t now)
{
	json_t *list = json_array();
	const char *zone = mg_tenant_time_zone(ctx);
	struct tm local;
	if (mg_tz_local(zone, now, &local) != MG_OK)
		return list;
	for (int back = 0; back < 3; back++) {
		struct tm first = { .tm_year = local.tm_year, .tm_mon = local.tm_mon - back, .tm_mday = 1 };
		struct tm next = { .tm_year = local.tm_year, .tm_mon = local.tm_mon - back + 1, .tm_mday = 1 };
		time_t from, to;
		if (mg_tz_utc(zone, &first, &from, NULL) != MG_OK || mg_tz_utc(zone, &next, &to, NULL) != MG_OK)
			break;
		char label[40];
		struct tm shown;
		mg_tz_local(zone, from, &shown);
		if (strcmp(mg_lang(ctx), "ja") == 0)
			snprintf(label, sizeof(label), "%d年%d月", shown.tm_year + 1900, shown.tm_mon + 1);
		else
			strftime(label, sizeof(label), "%B %Y", &shown);
		json_array_append_new(list, json_pack("{s:s, s:s}", "month", label, "availability",
						      mg_arena_printf(mg_arena(ctx), "%.2f %%",
								      mg_availability(rows, from, to, now))));
	}
	return list;
}

/* GET /status — for contractors and the public: the platform's state now and its history. */
static enum mg_err status_page(struct mg_ctx *ctx)
{
	time_t now = mg_now();
	struct mg_rows incidents, checks;
	enum mg_err err;
	if ((err = mg_incidents_list(mg_ctx_db(ctx), mg_arena(ctx), now - MG_STATUS_DAYS * 24L * 3600, &incidents)) != MG_OK ||
	    (err = mg_checks_list(mg_ctx_db(ctx), mg_arena(ctx), &checks)) != MG_OK)
		return err;
	bool disrupted = false;
	for (size_t r = 0; r < incidents.nrows; r++)
		disrupted |= mg_cell_u64(MG_CELL(&incidents, r, 2)) == 0;
	json_t *services = json_array();
	static const char *const names[] = { N_("Public pages and booking"), N_("Back office"), N_("Mail"),
					     N_("Backups") };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		json_array_append_new(services, json_pack("{s:s, s:b}", "name", mg_tr(ctx, names[i]), "ok", !disrupted));
	json_t *data = json_pack("{s:s, s:b, s:o, s:o, s:o, s:o, s:s}", "page_title", mg_tr(ctx, N_("Service status")),
				 "disrupted", disrupted, "services", services, "maintenance",
				 mg_status_banners(ctx, 90L * 24 * 3600), "incidents", incidents_json(ctx, &incidents, now),
				 "months", months_json(ctx, &incidents, now), "checked",
				 mg_time_text(ctx, now, MG_TZ_PEOPLE));
	(void)checks;
	return mg_render(ctx, 200, "core/status", data);
}

/* GET /status.atom — the incidents and maintenance windows as an Atom feed (newest first). */
static enum mg_err status_feed(struct mg_ctx *ctx)
{
	time_t now = mg_now();
	struct mg_rows incidents, windows;
	enum mg_err err;
	if ((err = mg_incidents_list(mg_ctx_db(ctx), mg_arena(ctx), now - MG_STATUS_DAYS * 24L * 3600, &incidents)) != MG_OK ||
	    (err = mg_windows_list(mg_ctx_db(ctx), mg_arena(ctx), now - MG_STATUS_DAYS * 24L * 3600, &windows)) != MG_OK)
		return err;
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr feed = xmlNewNode(NULL, BAD_CAST "feed");
	xmlNewNs(feed, BAD_CAST "http://www.w3.org/2005/Atom", NULL);
	xmlDocSetRootElement(doc, feed);
	xmlNewTextChild(feed, NULL, BAD_CAST "title", BAD_CAST mg_tr(ctx, N_("Madoguchi service status")));
	xmlNewTextChild(feed, NULL, BAD_CAST "id", BAD_CAST "urn:madoguchi:status");
	xmlNewTextChild(feed, NULL, BAD_CAST "updated", BAD_CAST mg_time_text(ctx, now, MG_TZ_ISO));
	xmlNodePtr link = xmlNewChild(feed, NULL, BAD_CAST "link", NULL);
	xmlNewProp(link, BAD_CAST "href", BAD_CAST "/status");
	for (size_t r = 0; r < incidents.nrows; r++) {
		time_t s = (time_t)mg_cell_u64(MG_CELL(&incidents, r, 1)), e = (time_t)mg_cell_u64(MG_CELL(&incidents, r, 2));
		xmlNodePtr entry = xmlNewChild(feed, NULL, BAD_CAST "entry", NULL);
		bool ja = strcmp(mg_lang(ctx), "ja") == 0;
		const char *started = mg_time_text(ctx, s, MG_TZ_PEOPLE);
		const char *title = e ? mg_arena_printf(mg_arena(ctx), ja ? "障害 %s（復旧済み、%s）" : "Incident %s (resolved, %s)",
							started, duration_text(ctx, e - s))
				      : mg_arena_printf(mg_arena(ctx), ja ? "障害 %s から（対応中）" : "Incident since %s (ongoing)",
							started);
		xmlNewTextChild(entry, NULL, BAD_CAST "title", BAD_CAST title);
		xmlNewTextChild(entry, NULL, BAD_CAST "id",
				BAD_CAST mg_arena_printf(mg_arena(ctx), "urn:madoguchi:incident:%s", MG_CELL(&incidents, r, 0)));
		xmlNewTextChild(entry, NULL, BAD_CAST "updated", BAD_CAST mg_time_text(ctx, e ? e : s, MG_TZ_ISO));
		xmlNewTextChild(entry, NULL, BAD_CAST "summary",
				BAD_CAST mg_arena_printf(mg_arena(ctx), "%s %s %s", MG_CELL(&incidents, r, 3),
							 MG_CELL(&incidents, r, 5), MG_CELL(&incidents, r, 6)));
	}
	for (size_t r = 0; r < windows.nrows; r++) {
		time_t s = (time_t)mg_cell_u64(MG_CELL(&windows, r, 1)), e = (time_t)mg_cell_u64(MG_CELL(&windows, r, 2));
		xmlNodePtr entry = xmlNewChild(feed, NULL, BAD_CAST "entry", NULL);
		const char *when = mg_window_text(mg_arena(ctx), mg_tenant_time_zone(ctx), s, e, mg_lang(ctx));
		xmlNewTextChild(entry, NULL, BAD_CAST "title",
				BAD_CAST mg_arena_printf(mg_arena(ctx), strcmp(mg_lang(ctx), "ja") == 0 ? "メンテナンス %s"
													 : "Maintenance %s",
							 when));
		xmlNewTextChild(entry, NULL, BAD_CAST "id",
				BAD_CAST mg_arena_printf(mg_arena(ctx), "urn:madoguchi:maintenance:%s", MG_CELL(&windows, r, 0)));
		xmlNewTextChild(entry, NULL, BAD_CAST "updated", BAD_CAST mg_time_text(ctx, s, MG_TZ_ISO));
		xmlNewTextChild(entry, NULL, BAD_CAST "summary", BAD_CAST MG_CELL(&windows, r, 3));
	}
	xmlChar *text = NULL;
	int len = 0;
	xmlDocDumpFormatMemoryEnc(doc, &text, &len, "UTF-8", 1);
	xmlFreeDoc(doc);
	struct mg_buf out;
	mg_buf_init(&out);
	mg_buf_append(&out, text, (size_t)len);
	xmlFree(text);
	return mg_send(ctx, 200, "application/atom+xml; charset=utf-8", &out);
}

const struct mg_route mg_status_routes[] = {
	{ "GET", "/status", status_page, MG_SCOPE_PLATFORM, NULL, MG_NO_FIELDS, "the platform's service status" },
	{ "GET", "/status.atom", status_feed, MG_SCOPE_PLATFORM, NULL, MG_NO_FIELDS, "the service status as an Atom feed" },
	{ NULL, NULL, NULL, 0, NULL, NULL, NULL },
};
