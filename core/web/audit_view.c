/*
 * The tenant's audit log in the back office (issue 3, item 7): a filtered, paged view and a
 * CSV export of the same selection. Filters live in the query string, so a view can be
 * bookmarked: from/to (dates of the tenant's zone, inclusive), actor (a staff login, or an actor as stored such
 * as "system"), action (a prefix: "login." finds every login event), outcome, q (text within
 * the object). Pages run newest first, 50 at a time; the link to the next one names the last
 * row shown by its seq and the page starts below that row's (at, seq) (keyset, never OFFSET,
 * so rows appended meanwhile do not shift pages).
 *
 * The audit log holds IP addresses and user agents, personal data: every view and every export
 * is itself audited ("audit.view", "audit.export", the filter in the detail), and nothing is
 * shown or sent when that record cannot be written. Times are shown in the tenant's zone (tz.h),
 * and a day of the date filter is that zone's local day (23 or 25 hours on a change of clocks).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit_view.h"
#include "backoffice.h"
#include "clock.h"
#include "csv.h"
#include "i18n.h"
#include "pages.h"
#include "tz_text.h"

enum {
	PAGE_ROWS = 50,
	EXPORT_BATCH = 1000,      /* rows per query while exporting */
	EXPORT_MAX_ROWS = 100000, /* keep in step with the msgid of the truncation note */
};

const struct mg_sql mg_audit_view_statements[] = {
	/* Newest first, below the (at, seq) of the last row shown, every filter always present: an
	 * empty actor or outcome matches everything, an empty LIKE text too. audit_log_at, which
	 * InnoDB extends to (tenant_id, at, seq), serves the order, the keyset and the date range
	 * in one backward range scan that stops after LIMIT rows (EXPLAIN over 200 000 rows: 51
	 * read for a page, also for a narrow old date range); a rare action prefix goes by
	 * audit_log_action instead. Ordering by seq would leave a date range to a filter over the
	 * whole primary key. The staff join is an eq_ref on staff's primary key. */
	[MG_SQL_AUDIT_VIEW_ROWS] = { "core.audit_view_rows",
	  "SELECT a.seq, UNIX_TIMESTAMP(a.at),"
	  " DATE_FORMAT(a.at, '%Y-%m-%d %H:%i:%s.%f'), a.actor, s.login, a.action, a.object, a.ip, a.user_agent,"
	  " a.outcome, a.detail, a.prev_hash, a.hash"
	  " FROM audit_log a LEFT JOIN staff s ON s.tenant_id = a.tenant_id"
	  "  AND s.id = IF(a.actor LIKE 'staff:%', CAST(SUBSTRING(a.actor, 7) AS UNSIGNED), NULL)"
	  " WHERE a.tenant_id = ? AND a.at <= ? AND (a.at < ? OR a.seq < ?) AND a.at >= ? AND a.at < ?"
	  "  AND (? = '' OR a.actor = ?) AND a.action LIKE CONCAT(?, '%') ESCAPE '!'"
	  "  AND (? = '' OR a.outcome = ?) AND a.object LIKE CONCAT('%', ?, '%') ESCAPE '!'"
	  " ORDER BY a.at DESC, a.seq DESC LIMIT ?" },
	/* where a page starts: the time of the row its link names by seq */
	[MG_SQL_AUDIT_VIEW_AT] = { "core.audit_view_at",
	  "SELECT DATE_FORMAT(at, '%Y-%m-%d %H:%i:%s.%f') FROM audit_log WHERE tenant_id = ? AND seq = ?" },
	/* the actions this tenant's log holds, for the action field's suggestions (a loose index
	 * scan of audit_log_action) */
	[MG_SQL_AUDIT_VIEW_ACTIONS] = { "core.audit_view_actions",
	  "SELECT DISTINCT action FROM audit_log WHERE tenant_id = ? ORDER BY action LIMIT 200" },
	[MG_SQL_AUDIT_VIEW_STAFF_BY_LOGIN] = { "core.audit_view_staff_by_login",
	  "SELECT id FROM staff WHERE tenant_id = ? AND login = ?" },
	[MG_SQL_AUDIT_VIEW__MAX] = { NULL, NULL },
};

/* Columns of core.audit_view_rows. */
enum { C_SEQ, C_AT_UNIX, C_AT_UTC, C_ACTOR, C_LOGIN, C_ACTION, C_OBJECT, C_IP, C_AGENT, C_OUTCOME, C_DETAIL,
       C_PREV_HASH, C_HASH };

/* Where a page starts: below this row (the newest end when seq is INT64_MAX). */
struct keyset {
	const char *at; /* UTC, "YYYY-MM-DD HH:MM:SS.ffffff" */
	long long seq;
};

static const struct keyset newest = { "9999-12-31 23:59:59.999999", INT64_MAX };

struct filter {
	/* as typed ("" when absent): the form shows them again, the links carry them on */
	const char *from, *to, *actor, *action, *outcome, *q, *before;
	/* as queried */
	const char *from_utc, *to_utc; /* "YYYY-MM-DD HH:MM:SS", to exclusive */
	const char *actor_match;       /* "" or the actor as stored ("staff:12", "system") */
	const char *action_like, *q_like;
	struct keyset start;
};

static const char *or_empty(const char *s)
{
	return s != NULL ? s : "";
}

static const char *utc_text(struct mg_arena *arena, time_t t)
{
	struct tm tm;
	char text[24];
	gmtime_r(&t, &tm);
	strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S", &tm);
	return mg_arena_strdup(arena, text);
}

/* The time of an entry (a UNIX_TIMESTAMP() cell) in the tenant's zone, "2026-04-01 09:00:00". */
static const char *local_second(struct mg_ctx *ctx, struct mg_arena *arena, const char *unix_seconds)
{
	return mg_tz_text_cell(arena, mg_tenant_time_zone(ctx), unix_seconds, MG_TZ_SECOND, NULL);
}

/* s with LIKE's wildcards and the escape character itself escaped by '!'. */
static const char *like_escape(struct mg_arena *arena, const char *s)
{
	char *out = mg_arena_alloc(arena, 2 * strlen(s) + 1), *o = out;
	for (; *s != '\0'; s++) {
		if (*s == '!' || *s == '%' || *s == '_')
			*o++ = '!';
		*o++ = *s;
	}
	*o = '\0';
	return out;
}

/* A staff login of this tenant becomes "staff:<id>", the form rows store; any other text is
 * taken as an actor as stored ("system", "anonymous", "operator:cli"). */
static enum mg_err resolve_actor(struct mg_ctx *ctx, const char *actor, const char **out)
{
	*out = actor;
	size_t len = strlen(actor);
	if (len == 0 || len > 64 || strspn(actor, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._@-") != len)
		return MG_OK;
	struct mg_dbval key[] = { MG_INT(mg_tenant_id(ctx)), MG_TEXT(actor) };
	struct mg_rows rows;
	enum mg_err err =
	    mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &mg_audit_view_statements[MG_SQL_AUDIT_VIEW_STAFF_BY_LOGIN], key,
	               2, &rows, NULL, NULL);
	if (err == MG_OK && rows.nrows == 1)
		*out = mg_arena_printf(mg_arena(ctx), "staff:%s", MG_CELL(&rows, 0, 0));
	return err;
}

/* The keyset of the row named by seq (the "before" of a page link); MG_ERR_NOT_FOUND when
 * this tenant has no such row. */
static enum mg_err page_start(struct mg_ctx *ctx, const char *before, struct keyset *out)
{
	*out = newest;
	if (before[0] == '\0')
		return MG_OK;
	uint64_t seq;
	if (mg_parse_id(before, &seq) != MG_OK)
		return MG_ERR_INPUT;
	struct mg_dbval key[] = { MG_INT(mg_tenant_id(ctx)), MG_INT(seq) };
	struct mg_rows rows;
	enum mg_err err = mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &mg_audit_view_statements[MG_SQL_AUDIT_VIEW_AT],
	                             key, 2, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	if (rows.nrows != 1)
		return MG_ERR_NOT_FOUND;
	out->at = MG_CELL(&rows, 0, 0);
	out->seq = (long long)seq;
	return MG_OK;
}

/* Reads and checks the filter; a problem goes into errors under the field's name as an
 * English msgid. */
static enum mg_err read_filter(struct mg_ctx *ctx, struct filter *f, json_t *errors)
{
	struct mg_arena *arena = mg_arena(ctx);
	memset(f, 0, sizeof(*f));
	f->from = or_empty(mg_query(ctx, "from"));
	f->to = or_empty(mg_query(ctx, "to"));
	f->actor = or_empty(mg_query(ctx, "actor"));
	f->action = or_empty(mg_query(ctx, "action"));
	f->outcome = or_empty(mg_query(ctx, "outcome"));
	f->q = or_empty(mg_query(ctx, "q"));
	f->before = or_empty(mg_query(ctx, "before"));

	time_t from = 0, to = 0;
	const char *zone = mg_tenant_time_zone(ctx);
	bool from_ok = f->from[0] == '\0' || mg_tz_parse_date(zone, f->from, &from) == MG_OK;
	bool to_ok = f->to[0] == '\0' || mg_tz_parse_date(zone, f->to, &to) == MG_OK;
	if (!from_ok)
		json_object_set_new(errors, "from", json_string(N_("Enter a date as YYYY-MM-DD, e.g. 2026-04-01.")));
	if (!to_ok)
		json_object_set_new(errors, "to", json_string(N_("Enter a date as YYYY-MM-DD, e.g. 2026-04-01.")));
	if (from_ok && to_ok && f->from[0] != '\0' && f->to[0] != '\0' && to < from)
		json_object_set_new(errors, "to", json_string(N_("The end date is before the start date.")));
	f->from_utc = f->from[0] != '\0' && from_ok ? utc_text(arena, from) : "1000-01-01 00:00:00";
	/* "to" is inclusive: everything before the next local day's start (not 24 h: a day with a
	 * change of the clocks is 23 or 25 hours long) */
	time_t after_to = to;
	if (f->to[0] != '\0' && to_ok && mg_tz_day_start(zone, to, 1, &after_to) != MG_OK)
		to_ok = false;
	f->to_utc = f->to[0] != '\0' && to_ok ? utc_text(arena, after_to) : "9999-12-31 23:59:59";

	f->action_like = like_escape(arena, f->action);
	f->q_like = like_escape(arena, f->q);
	enum mg_err err = resolve_actor(ctx, f->actor, &f->actor_match);
	if (err == MG_OK)
		err = page_start(ctx, f->before, &f->start);
	return err;
}

static enum mg_err query_rows(struct mg_ctx *ctx, const struct filter *f, const struct keyset *start, int limit,
			      struct mg_arena *arena, struct mg_rows *rows)
{
	struct mg_dbval args[] = {
		MG_INT(mg_tenant_id(ctx)), MG_TEXT(start->at),	   MG_TEXT(start->at),	     MG_INT(start->seq),
		MG_TEXT(f->from_utc),	   MG_TEXT(f->to_utc),	   MG_TEXT(f->actor_match),  MG_TEXT(f->actor_match),
		MG_TEXT(f->action_like),   MG_TEXT(f->outcome),	   MG_TEXT(f->outcome),	     MG_TEXT(f->q_like),
		MG_INT(limit),
	};
	return mg_db_exec(mg_ctx_db(ctx), arena, &mg_audit_view_statements[MG_SQL_AUDIT_VIEW_ROWS], args,
	                  sizeof(args) / sizeof(args[0]), rows, NULL, NULL);
}

/* The filter as the detail of the audit row recording the view or the export (JSON). */
static const char *filter_detail(struct mg_ctx *ctx, const struct filter *f, const char *extra_key, json_int_t extra)
{
	json_t *o = json_object();
	const char *names[] = { "from", "to", "actor", "action", "outcome", "q", "before" };
	const char *values[] = { f->from, f->to, f->actor, f->action, f->outcome, f->q, f->before };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (values[i][0] != '\0')
			json_object_set_new(o, names[i], json_string(values[i]));
	if (extra_key != NULL)
		json_object_set_new(o, extra_key, json_integer(extra));
	char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	const char *detail = mg_arena_strdup(mg_arena(ctx), text != NULL ? text : "{}");
	free(text);
	return detail;
}

/* Percent-encodes all but RFC 3986 unreserved characters, for a query-string value. */
static void query_value(struct mg_buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *c = (const unsigned char *)s; *c != '\0'; c++) {
		if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
		    strchr("-._~", *c) != NULL) {
			mg_buf_append(out, c, 1);
		} else {
			char esc[3] = { '%', hex[*c >> 4], hex[*c & 15] };
			mg_buf_append(out, esc, 3);
		}
	}
}

/* /<slug>/admin/<page>?<the filter>[&before=N] */
static const char *filter_href(struct mg_ctx *ctx, const char *page, const struct filter *f, const char *before)
{
	struct mg_buf url;
	mg_buf_init(&url);
	mg_buf_printf(&url, "/%s/admin/%s", mg_tenant_slug(ctx), page);
	const char *names[] = { "from", "to", "actor", "action", "outcome", "q", "before" };
	const char *values[] = { f->from, f->to, f->actor, f->action, f->outcome, f->q, or_empty(before) };
	char sep = '?';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (values[i][0] == '\0')
			continue;
		mg_buf_printf(&url, "%c%s=", sep, names[i]);
		query_value(&url, values[i]);
		sep = '&';
	}
	const char *href = mg_arena_strdup(mg_arena(ctx), url.data);
	mg_buf_free(&url);
	return href;
}

static const char *outcome_label(const char *outcome)
{
	if (strcmp(outcome, "success") == 0)
		return N_("Success");
	if (strcmp(outcome, "failure") == 0)
		return N_("Failure");
	return N_("Denied");
}

/* Who did it, for people: the staff login when the actor is a staff account, else as stored. */
static const char *actor_display(const struct mg_rows *rows, size_t r)
{
	const char *login = MG_CELL(rows, r, C_LOGIN);
	return login != NULL ? login : MG_CELL(rows, r, C_ACTOR);
}

static json_t *entry_json(struct mg_ctx *ctx, const struct mg_rows *rows, size_t r)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "seq", MG_CELL(rows, r, C_SEQ), "at",
			 local_second(ctx, mg_arena(ctx), MG_CELL(rows, r, C_AT_UNIX)), "actor", actor_display(rows, r), "action",
			 MG_CELL(rows, r, C_ACTION), "object", MG_CELL(rows, r, C_OBJECT), "ip", MG_CELL(rows, r, C_IP),
			 "user_agent", MG_CELL(rows, r, C_AGENT), "outcome", MG_CELL(rows, r, C_OUTCOME),
			 "outcome_label", mg_tr(ctx, outcome_label(MG_CELL(rows, r, C_OUTCOME))), "detail",
			 or_empty(MG_CELL(rows, r, C_DETAIL)));
}

static json_t *known_actions(struct mg_ctx *ctx, enum mg_err *err)
{
	struct mg_dbval key[] = { MG_INT(mg_tenant_id(ctx)) };
	struct mg_rows rows;
	*err = mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx), &mg_audit_view_statements[MG_SQL_AUDIT_VIEW_ACTIONS], key, 1,
	                  &rows, NULL, NULL);
	if (*err != MG_OK)
		return NULL;
	json_t *list = json_array();
	for (size_t r = 0; r < rows.nrows; r++)
		json_array_append_new(list, json_string(MG_CELL(&rows, r, 0)));
	return list;
}

/* The page's data but the entries: the filter as typed, its errors translated, the links. */
static json_t *page_data(struct mg_ctx *ctx, const struct filter *f, json_t *errors, json_t *actions)
{
	json_t *data = mg_admin_page(ctx, N_("Audit log"));
	json_t *translated = json_object(), *invalid = json_object(), *described = json_object();
	const char *field;
	json_t *msgid;
	json_object_foreach(errors, field, msgid) {
		json_object_set_new(translated, field, json_string(mg_tr(ctx, json_string_value(msgid))));
		json_object_set_new(invalid, field, json_string("true"));
		json_object_set_new(described, field, json_string(mg_arena_printf(mg_arena(ctx), "%s-error", field)));
	}
	json_object_set_new(data, "errors", translated);
	json_object_set_new(data, "invalid", invalid);
	json_object_set_new(data, "described", described);
	json_object_set_new(data, "filter",
			    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "from", f->from, "to", f->to, "actor", f->actor,
				      "action", f->action, "outcome", f->outcome, "q", f->q));
	json_object_set_new(data, "outcome_is", json_pack("{s:b, s:b, s:b}", "success", strcmp(f->outcome, "success") == 0,
							  "failure", strcmp(f->outcome, "failure") == 0, "denied",
							  strcmp(f->outcome, "denied") == 0));
	json_object_set_new(data, "actions", actions);
	json_object_set_new(data, "search_action",
			    json_string(mg_arena_printf(mg_arena(ctx), "/%s/admin/audit", mg_tenant_slug(ctx))));
	json_object_set_new(data, "csv_href", json_string(filter_href(ctx, "audit.csv", f, NULL)));
	return data;
}

/*
 * GET /<slug>/admin/audit — the tenant's audit log for its administrators, filtered and paged
 * (see the top of this file). A bad filter answers 400 with the page, the message next to the
 * field and the typed values kept. Each view is recorded as "audit.view".
 */
static enum mg_err audit_page(struct mg_ctx *ctx)
{
	struct filter f;
	json_t *errors = json_object();
	enum mg_err err = read_filter(ctx, &f, errors);
	json_t *actions = err == MG_OK ? known_actions(ctx, &err) : NULL;
	if (err != MG_OK) {
		json_decref(errors);
		return err;
	}
	json_t *data = page_data(ctx, &f, errors, actions);
	bool bad = json_object_size(errors) > 0;
	json_decref(errors);
	if (bad)
		return mg_render(ctx, 400, "core/admin_audit", data);

	struct mg_rows rows;
	if ((err = query_rows(ctx, &f, &f.start, PAGE_ROWS + 1, mg_arena(ctx), &rows)) != MG_OK)
		goto fail;
	size_t shown = rows.nrows > PAGE_ROWS ? PAGE_ROWS : rows.nrows;
	json_t *entries = json_array();
	for (size_t r = 0; r < shown; r++)
		json_array_append_new(entries, entry_json(ctx, &rows, r));
	json_object_set_new(data, "entries", entries);
	json_object_set_new(data, "searched", json_true());
	if (rows.nrows > PAGE_ROWS)
		json_object_set_new(data, "older_href",
				    json_string(filter_href(ctx, "audit", &f, MG_CELL(&rows, PAGE_ROWS - 1, C_SEQ))));
	if (f.before[0] != '\0')
		json_object_set_new(data, "newest_href", json_string(filter_href(ctx, "audit", &f, NULL)));
	json_object_set_new(data, "paged", json_boolean(rows.nrows > PAGE_ROWS || f.before[0] != '\0'));
	/* nothing is shown unless the view is on record */
	if ((err = mg_audit(ctx, "audit.view", "audit_log", "success", filter_detail(ctx, &f, NULL, 0))) != MG_OK)
		goto fail;
	return mg_render(ctx, 200, "core/admin_audit", data);
fail:
	json_decref(data);
	return err;
}

/* "Time (JST)" for a tenant in Asia/Tokyo, "Time (Europe/London)" for one in London. */
static const char *local_time_header(struct mg_ctx *ctx)
{
	const char *zone = mg_tenant_time_zone(ctx);
	if (strcmp(zone, "Asia/Tokyo") == 0)
		return mg_tr(ctx, N_("Time (JST)"));
	return mg_arena_printf(mg_arena(ctx), "%s (%s)", mg_tr(ctx, N_("Time")), zone);
}

static void csv_header(struct mg_ctx *ctx, struct mg_csv *csv)
{
	static const char *const columns[] = {
		N_("No."),	  NULL /* the local time */, N_("Time (UTC)"), N_("Actor"),	N_("Actor as stored"),
		N_("Action"),	  N_("Object"),	    N_("IP address"), N_("User agent"), N_("Outcome"),
		N_("Detail"),	  N_("Previous hash"), N_("Hash"),
	};
	for (size_t c = 0; c < sizeof(columns) / sizeof(columns[0]); c++)
		mg_csv_field(csv, columns[c] != NULL ? mg_tr(ctx, columns[c]) : local_time_header(ctx));
	mg_csv_end_row(csv);
}

static void csv_row(struct mg_ctx *ctx, struct mg_csv *csv, const struct mg_rows *rows, size_t r)
{
	char local[32];
	mg_csv_int(csv, strtoll(MG_CELL(rows, r, C_SEQ), NULL, 10));
	mg_tz_format(mg_tenant_time_zone(ctx), (time_t)strtoll(MG_CELL(rows, r, C_AT_UNIX), NULL, 10), MG_TZ_SECOND,
		     NULL, local, sizeof(local));
	mg_csv_field(csv, local);
	mg_csv_field(csv, MG_CELL(rows, r, C_AT_UTC));
	mg_csv_field(csv, actor_display(rows, r));
	for (int c = C_ACTOR; c <= C_HASH; c++)
		if (c != C_LOGIN)
			mg_csv_field(csv, MG_CELL(rows, r, c));
	mg_csv_end_row(csv);
}

/* Writes the selection, newest first, at most EXPORT_MAX_ROWS rows; *truncated when more. */
static enum mg_err csv_rows(struct mg_ctx *ctx, const struct filter *f, struct mg_csv *csv, size_t *written,
			    bool *truncated)
{
	struct mg_arena *batch = mg_arena_new();
	struct keyset start = f->start;
	char start_at[32];
	enum mg_err err = MG_OK;
	*written = 0;
	*truncated = false;
	for (;;) {
		struct mg_rows rows;
		mg_arena_reset(batch);
		if ((err = query_rows(ctx, f, &start, EXPORT_BATCH, batch, &rows)) != MG_OK)
			break;
		for (size_t r = 0; r < rows.nrows && !*truncated; r++) {
			if (*written == EXPORT_MAX_ROWS) {
				*truncated = true;
				break;
			}
			csv_row(ctx, csv, &rows, r);
			(*written)++;
			/* the batch's memory goes at the next reset: keep the keyset's text apart */
			snprintf(start_at, sizeof(start_at), "%s", MG_CELL(&rows, r, C_AT_UTC));
			start.at = start_at;
			start.seq = strtoll(MG_CELL(&rows, r, C_SEQ), NULL, 10);
		}
		if (*truncated || rows.nrows < EXPORT_BATCH)
			break;
	}
	mg_arena_free(batch);
	return err;
}

/*
 * GET /<slug>/admin/audit.csv — the same selection as the view, every page of it, as a CSV
 * file for Excel (core/base/csv.c: BOM, CRLF, quoting, formula guard), the header in the request's
 * language. The hashes ride along, so a handed-out file pins the chain down. Built in memory,
 * at most EXPORT_MAX_ROWS rows (the file says so when it stops there). Recorded as
 * "audit.export" with the filter and the row count; not sent if that record fails.
 */
static enum mg_err audit_csv(struct mg_ctx *ctx)
{
	struct filter f;
	json_t *errors = json_object();
	enum mg_err err = read_filter(ctx, &f, errors);
	const char *problem = NULL;
	if (json_object_get(errors, "from") != NULL)
		problem = json_string_value(json_object_get(errors, "from"));
	else if (json_object_get(errors, "to") != NULL)
		problem = json_string_value(json_object_get(errors, "to"));
	if (err == MG_OK && problem != NULL)
		mg_error(ctx, 400, problem); /* before errors, which holds the text, is freed */
	json_decref(errors);
	if (err != MG_OK || problem != NULL)
		return err;

	struct mg_buf out;
	struct mg_csv csv;
	size_t written = 0;
	bool truncated = false;
	mg_buf_init(&out);
	mg_csv_begin(&csv, &out);
	csv_header(ctx, &csv);
	if ((err = csv_rows(ctx, &f, &csv, &written, &truncated)) != MG_OK)
		goto out;
	if (truncated) {
		mg_csv_field(&csv, mg_tr(ctx, N_("This file stops at the newest 100000 entries; narrow the filter to "
						 "export the rest.")));
		mg_csv_end_row(&csv);
	}
	const char *detail = filter_detail(ctx, &f, truncated ? "rows_truncated_at" : "rows", (json_int_t)written);
	if ((err = mg_audit(ctx, "audit.export", "audit_log", "success", detail)) != MG_OK)
		goto out;
	const char *date = mg_time_text(ctx, mg_now(), MG_TZ_DAY);
	if ((err = mg_header(ctx, "Content-Disposition",
			     mg_arena_printf(mg_arena(ctx), "attachment; filename=\"audit-%s-%s.csv\"", mg_tenant_slug(ctx),
					     date))) != MG_OK)
		goto out;
	err = mg_send(ctx, 200, "text/csv; charset=utf-8", &out);
out:
	mg_buf_free(&out);
	return err;
}

static const struct mg_field filter_fields[] = {
	/* dates and texts are checked by the handler, which answers next to the field */
	{ "from", MG_FROM_QUERY, NULL, false, 32, N_("From"), MG_TEXT_NFKC },
	{ "to", MG_FROM_QUERY, NULL, false, 32, N_("To"), MG_TEXT_NFKC },
	{ "actor", MG_FROM_QUERY, NULL, false, 100, N_("Actor"), MG_TEXT_NFKC },
	{ "action", MG_FROM_QUERY, NULL, false, 64, N_("Action"), MG_TEXT_NFKC },
	{ "outcome", MG_FROM_QUERY, "success|failure|denied", false, 16, N_("Outcome"), MG_TEXT_NFKC },
	{ "q", MG_FROM_QUERY, NULL, false, 200, N_("Object contains"), MG_TEXT_NFKC },
	{ "before", MG_FROM_QUERY, MG_ID_PATTERN, false, 19, N_("Page"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};

const struct mg_route mg_audit_view_routes[] = {
	{ "GET", "/audit", audit_page, MG_SCOPE_ADMIN, "core.audit.view", filter_fields, "audit log view (audited)" },
	{ "GET", "/audit\\.csv", audit_csv, MG_SCOPE_ADMIN, "core.audit.view", filter_fields,
	  "audit log CSV export (audited)" },
	{ NULL, NULL, NULL, 0, NULL, NULL, NULL },
};
