/*
 * The venue calendar: spaces, hours, closed days and occupations claimed slot by slot under a
 * unique key (calendar.h; docs/calendar.md says why claims and not inventory units).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "clock.h"
#include "log.h"
#include "tz.h"

/* Claims go in by INSERT … SELECT over a recursive CTE; the server recurses at most
 * max_recursive_iterations (1000) times, so longer spans go in chunks. */
enum { CLAIM_CHUNK = 960 };

/* The spaces at or below one space (its parts, their parts…), ascending id: key order. */
#define BELOW                                                                                                  \
	"WITH RECURSIVE below (id) AS (SELECT id FROM calendar_space WHERE tenant_id = ? AND id = ?"            \
	" UNION ALL SELECT s.id FROM calendar_space s JOIN below b ON s.parent_id = b.id WHERE s.tenant_id = ?) "
/* A space and the wholes above it, nearest first. */
#define ABOVE                                                                                                  \
	"WITH RECURSIVE above (id, parent_id, up) AS (SELECT id, parent_id, 0 FROM calendar_space"              \
	" WHERE tenant_id = ? AND id = ? UNION ALL SELECT s.id, s.parent_id, a.up + 1 FROM calendar_space s"   \
	" JOIN above a ON s.id = a.parent_id WHERE s.tenant_id = ?) "
#define SPACE_COLUMNS "id, COALESCE(parent_id, 0), depth, name, kind, capacity, buffer_minutes, active"
#define OCCUPATION_COLUMNS                                                                                     \
	"o.id, o.space_id, UNIX_TIMESTAMP(o.starts_at), UNIX_TIMESTAMP(o.ends_at), o.owner_kind, o.owner_id,"  \
	" COALESCE(o.hold_id, 0), COALESCE(UNIX_TIMESTAMP(o.expires_at), 0), o.label"
/* A claim, or an occupation, that still counts: confirmed, or its hold not past its deadline. */
#define LIVE(t) "(" t ".expires_at IS NULL OR " t ".expires_at >= FROM_UNIXTIME(?))"

const struct mg_sql mg_calendar_statements[] = {
	[MG_SQL_CALENDAR_TENANT_ZONE] = { "core.calendar_tenant_zone", "SELECT time_zone FROM tenant WHERE id = ?" },
	[MG_SQL_CALENDAR_SPACE_INSERT] = { "core.calendar_space_insert",
	  "INSERT INTO calendar_space (tenant_id, parent_id, depth, name, kind, capacity, buffer_minutes, active)"
	  " VALUES (?, ?, ?, ?, ?, ?, ?, ?)" },
	[MG_SQL_CALENDAR_SPACE_GET] = { "core.calendar_space_get",
	  "SELECT " SPACE_COLUMNS " FROM calendar_space WHERE tenant_id = ? AND id = ?" },
	[MG_SQL_CALENDAR_SPACE_LIST] = { "core.calendar_space_list",
	  "SELECT " SPACE_COLUMNS " FROM calendar_space WHERE tenant_id = ? ORDER BY depth, id" },
	[MG_SQL_CALENDAR_SPACE_BELOW] = { "core.calendar_space_below", BELOW "SELECT id FROM below ORDER BY id" },
	[MG_SQL_CALENDAR_SPACE_ABOVE] = { "core.calendar_space_above", ABOVE "SELECT id FROM above ORDER BY up" },
	[MG_SQL_CALENDAR_HOURS_SET] = { "core.calendar_hours_set",
	  "INSERT INTO calendar_hours (tenant_id, space_id, weekday, open_minute, close_minute) VALUES (?, ?, ?, ?, ?)"
	  " ON DUPLICATE KEY UPDATE open_minute = VALUES(open_minute), close_minute = VALUES(close_minute)" },
	[MG_SQL_CALENDAR_HOURS_OF] = { "core.calendar_hours_of",
	  "SELECT weekday, open_minute, close_minute FROM calendar_hours WHERE tenant_id = ? AND space_id = ?" },
	[MG_SQL_CALENDAR_CLOSED_ADD] = { "core.calendar_closed_add",
	  "INSERT INTO calendar_closed (tenant_id, space_id, rule, reason) VALUES (?, ?, ?, ?)"
	  " ON DUPLICATE KEY UPDATE reason = VALUES(reason)" },
	[MG_SQL_CALENDAR_CLOSED_OF] = { "core.calendar_closed_of",
	  "SELECT rule, reason FROM calendar_closed WHERE tenant_id = ? AND space_id = ?" },
	[MG_SQL_CALENDAR_HOLIDAY] = { "core.calendar_holiday", "SELECT name FROM holiday_jp WHERE day = ?" },
	[MG_SQL_CALENDAR_HOLIDAY_PUT] = { "core.calendar_holiday_put",
	  "INSERT INTO holiday_jp (day, name) VALUES (?, ?) ON DUPLICATE KEY UPDATE name = VALUES(name)" },
	[MG_SQL_CALENDAR_OCCUPATION_INSERT] = { "core.calendar_occupation_insert",
	  "INSERT INTO calendar_occupation (tenant_id, space_id, starts_at, ends_at, first_slot, last_slot, owner_kind,"
	  " owner_id, hold_id, expires_at, label) VALUES (?, ?, FROM_UNIXTIME(?), FROM_UNIXTIME(?), ?, ?, ?, ?, ?,"
	  " FROM_UNIXTIME(?), ?)" },
	[MG_SQL_CALENDAR_OCCUPATION_CLAIMS] = { "core.calendar_occupation_claims",
	  "UPDATE calendar_occupation SET claims = ? WHERE tenant_id = ? AND id = ?" },
	/* the slots first..last of one space, ascending, in one statement: a duplicate key
	 * anywhere undoes the whole statement */
	[MG_SQL_CALENDAR_CLAIM_INSERT] = { "core.calendar_claim_insert",
	  "INSERT INTO calendar_claim (tenant_id, space_id, slot, occupation_id, expires_at)"
	  " WITH RECURSIVE n (s) AS (SELECT CAST(? AS UNSIGNED) UNION ALL SELECT s + 1 FROM n WHERE s < ?)"
	  " SELECT ?, ?, s, ?, FROM_UNIXTIME(?) FROM n ORDER BY s" },
	/* lapsed claims in the way: found by a plain read (no lock, no gap lock: a range locked here
	 * would deadlock with claimants inserting into it), then each deleted by its key with the
	 * lapse checked again */
	[MG_SQL_CALENDAR_CLAIM_LAPSED_IN] = { "core.calendar_claim_lapsed_in",
	  "SELECT slot FROM calendar_claim WHERE tenant_id = ? AND space_id = ? AND slot BETWEEN ? AND ?"
	  " AND expires_at < FROM_UNIXTIME(?)" },
	[MG_SQL_CALENDAR_CLAIM_CLEAR_LAPSED] = { "core.calendar_claim_clear_lapsed",
	  "DELETE FROM calendar_claim WHERE tenant_id = ? AND space_id = ? AND slot = ? AND expires_at < FROM_UNIXTIME(?)" },
	/* what is in the way: the claim the duplicate-key error named, by its key, with a locking
	 * read (the transaction's snapshot may predate the winner; an existing row by its primary
	 * key locks that row only, no gap) */
	[MG_SQL_CALENDAR_CLAIM_BLOCKER] = { "core.calendar_claim_blocker",
	  "SELECT o.id, o.space_id, o.owner_kind, o.label, UNIX_TIMESTAMP(o.starts_at), UNIX_TIMESTAMP(o.ends_at)"
	  " FROM calendar_claim c JOIN calendar_occupation o ON o.tenant_id = c.tenant_id AND o.id = c.occupation_id"
	  " WHERE c.tenant_id = ? AND c.space_id = ? AND c.slot = ? LOCK IN SHARE MODE" },
	/* when the error named no key: what this transaction's snapshot sees in the range */
	[MG_SQL_CALENDAR_CLAIM_SEEN] = { "core.calendar_claim_seen",
	  "SELECT o.id, o.space_id, o.owner_kind, o.label, UNIX_TIMESTAMP(o.starts_at), UNIX_TIMESTAMP(o.ends_at)"
	  " FROM calendar_claim c JOIN calendar_occupation o ON o.tenant_id = c.tenant_id AND o.id = c.occupation_id"
	  " WHERE c.tenant_id = ? AND c.space_id = ? AND c.slot BETWEEN ? AND ? ORDER BY c.slot LIMIT 1" },
	[MG_SQL_CALENDAR_OCCUPATION_LOCK] = { "core.calendar_occupation_lock",
	  "SELECT claims, expires_at IS NULL, " LIVE("o") " FROM calendar_occupation o"
	  " WHERE tenant_id = ? AND id = ? FOR UPDATE" },
	[MG_SQL_CALENDAR_CONFIRM_CLAIMS] = { "core.calendar_confirm_claims",
	  "UPDATE calendar_claim SET expires_at = NULL WHERE tenant_id = ? AND occupation_id = ?" },
	[MG_SQL_CALENDAR_CONFIRM_OCCUPATION] = { "core.calendar_confirm_occupation",
	  "UPDATE calendar_occupation SET expires_at = NULL WHERE tenant_id = ? AND id = ?" },
	[MG_SQL_CALENDAR_RELEASE_CLAIMS] = { "core.calendar_release_claims",
	  "DELETE FROM calendar_claim WHERE tenant_id = ? AND occupation_id = ?" },
	[MG_SQL_CALENDAR_RELEASE_OCCUPATION] = { "core.calendar_release_occupation",
	  "DELETE FROM calendar_occupation WHERE tenant_id = ? AND id = ?" },
	[MG_SQL_CALENDAR_OWNER_OCCUPATIONS] = { "core.calendar_owner_occupations",
	  "SELECT id FROM calendar_occupation WHERE tenant_id = ? AND owner_kind = ? AND owner_id = ? ORDER BY id"
	  " FOR UPDATE" },
	[MG_SQL_CALENDAR_BUSY] = { "core.calendar_busy",
	  "WITH RECURSIVE below (id) AS (SELECT id FROM calendar_space WHERE tenant_id = ? AND id = ?"
	  " UNION ALL SELECT s.id FROM calendar_space s JOIN below b ON s.parent_id = b.id WHERE s.tenant_id = ?),"
	  " above (id, parent_id) AS (SELECT id, parent_id FROM calendar_space WHERE tenant_id = ? AND id = ?"
	  " UNION ALL SELECT s.id, s.parent_id FROM calendar_space s JOIN above a ON s.id = a.parent_id"
	  " WHERE s.tenant_id = ?)"
	  " SELECT " OCCUPATION_COLUMNS " FROM calendar_occupation o WHERE o.tenant_id = ?"
	  " AND o.space_id IN (SELECT id FROM below UNION SELECT id FROM above)"
	  " AND o.starts_at < FROM_UNIXTIME(?) AND o.ends_at > FROM_UNIXTIME(?) AND " LIVE("o")
	  " ORDER BY o.starts_at, o.id" },
	/* the sweep: per tenant, lapsed claims deleted in batches (index calendar_claim_lapse) */
	[MG_SQL_CALENDAR_TENANTS] = { "core.calendar_tenants", "SELECT id FROM tenant ORDER BY id" },
	[MG_SQL_CALENDAR_SWEEP] = { "core.calendar_sweep",
	  "DELETE FROM calendar_claim WHERE tenant_id = ? AND expires_at < FROM_UNIXTIME(?) LIMIT 1000" },
	[MG_SQL_CALENDAR__MAX] = { NULL, NULL },
};

static long long cell_ll(const char *cell)
{
	return cell != NULL ? strtoll(cell, NULL, 10) : 0;
}

static const char *tenant_zone(struct mg_db *db, struct mg_arena *arena, uint64_t tenant)
{
	struct mg_dbval args[] = { MG_INT(tenant) };
	struct mg_rows rows;
	if (mg_db_exec(db, arena, &mg_calendar_statements[MG_SQL_CALENDAR_TENANT_ZONE], args, 1, &rows, NULL, NULL) !=
	        MG_OK ||
	    rows.nrows == 0 || MG_CELL(&rows, 0, 0) == NULL)
		return MG_TZ_DEFAULT;
	return MG_CELL(&rows, 0, 0);
}

/* ---- spaces ---- */

static void space_from_row(const struct mg_rows *rows, size_t r, struct mg_space *out, unsigned *depth)
{
	out->id = mg_cell_u64(MG_CELL(rows, r, 0));
	out->parent_id = mg_cell_u64(MG_CELL(rows, r, 1));
	if (depth != NULL)
		*depth = (unsigned)mg_cell_u64(MG_CELL(rows, r, 2));
	out->name = MG_CELL(rows, r, 3);
	out->kind = MG_CELL(rows, r, 4);
	out->capacity = (unsigned)mg_cell_u64(MG_CELL(rows, r, 5));
	out->buffer_minutes = (int)cell_ll(MG_CELL(rows, r, 6));
	out->active = cell_ll(MG_CELL(rows, r, 7)) != 0;
}

static enum mg_err space_row(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t id,
			     struct mg_space *out, unsigned *depth)
{
	struct mg_dbval args[] = { MG_INT(tenant), MG_INT(id) };
	struct mg_rows rows;
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_calendar_statements[MG_SQL_CALENDAR_SPACE_GET], args, 2, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	if (rows.nrows == 0)
		return MG_ERR_NOT_FOUND;
	space_from_row(&rows, 0, out, depth);
	return MG_OK;
}

enum mg_err mg_space_create(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const struct mg_space *in,
			    uint64_t *id)
{
	unsigned depth = 0;
	if (in->name == NULL || in->name[0] == '\0' || in->buffer_minutes < 0 || in->buffer_minutes > 24 * 60)
		return MG_ERR_INPUT;
	if (in->parent_id != 0) {
		struct mg_space parent;
		unsigned parent_depth = 0;
		enum mg_err err = space_row(db, arena, tenant, in->parent_id, &parent, &parent_depth);
		if (err != MG_OK)
			return err;
		depth = parent_depth + 1;
		if (depth >= MG_SPACE_MAX_DEPTH)
			return MG_ERR_INPUT;
	}
	struct mg_dbval args[] = { MG_INT(tenant),
				   in->parent_id != 0 ? MG_INT(in->parent_id) : MG_NULL,
				   MG_INT(depth),
				   MG_TEXT(in->name),
				   MG_TEXT(in->kind != NULL ? in->kind : ""),
				   MG_INT(in->capacity),
				   MG_INT(in->buffer_minutes),
				   MG_INT(in->active ? 1 : 0) };
	unsigned long long insert_id = 0;
	enum mg_err err = mg_db_exec(db, arena, &mg_calendar_statements[MG_SQL_CALENDAR_SPACE_INSERT], args, 8, NULL,
	                             NULL, &insert_id);
	if (err == MG_OK && id != NULL)
		*id = insert_id;
	return err;
}

enum mg_err mg_space_get(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t id, struct mg_space *out)
{
	return space_row(db, arena, tenant, id, out, NULL);
}

enum mg_err mg_space_list(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, struct mg_space **out, size_t *n)
{
	struct mg_dbval args[] = { MG_INT(tenant) };
	struct mg_rows rows;
	*out = NULL;
	*n = 0;
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_calendar_statements[MG_SQL_CALENDAR_SPACE_LIST], args, 1, &rows, NULL, NULL);
	if (err != MG_OK || rows.nrows == 0)
		return err;
	struct mg_space *list = mg_arena_alloc(arena, rows.nrows * sizeof(*list));
	if (list == NULL)
		return MG_ERR_NOMEM;
	for (size_t r = 0; r < rows.nrows; r++)
		space_from_row(&rows, r, &list[r], NULL);
	*out = list;
	*n = rows.nrows;
	return MG_OK;
}

enum mg_err mg_space_set_hours(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t space, int weekday,
			       int open_minute, int close_minute)
{
	if (weekday < 0 || weekday > 6 || open_minute < 0 || close_minute > 24 * 60 || open_minute > close_minute)
		return MG_ERR_INPUT;
	struct mg_space s;
	enum mg_err err = space_row(db, arena, tenant, space, &s, NULL);
	if (err != MG_OK)
		return err;
	struct mg_dbval args[] = { MG_INT(tenant), MG_INT(space), MG_INT(weekday), MG_INT(open_minute),
				   MG_INT(close_minute) };
	return mg_db_exec(db, arena, &mg_calendar_statements[MG_SQL_CALENDAR_HOURS_SET], args, 5, NULL, NULL, NULL);
}

enum mg_err mg_space_add_closed(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t space,
				const char *rule, const char *reason)
{
	struct mg_closed_rule parsed;
	if (mg_closed_rule_parse(rule, &parsed) != MG_OK)
		return MG_ERR_INPUT;
	/* stored as written canonically, so the same rule twice is one row */
	static const char *const days[] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };
	char canonical[16];
	switch (parsed.kind) {
	case MG_CLOSED_DATE:
		snprintf(canonical, sizeof(canonical), "%04d-%02d-%02d", parsed.year, parsed.month, parsed.day);
		break;
	case MG_CLOSED_YEARLY:
		snprintf(canonical, sizeof(canonical), "%02d-%02d..%02d-%02d", parsed.month, parsed.day,
			 parsed.to_month, parsed.to_day);
		break;
	case MG_CLOSED_WEEKDAY:
		snprintf(canonical, sizeof(canonical), "%s", days[parsed.weekday]);
		break;
	case MG_CLOSED_HOLIDAYS:
		snprintf(canonical, sizeof(canonical), "holidays");
		break;
	}
	struct mg_space s;
	enum mg_err err = space_row(db, arena, tenant, space, &s, NULL);
	if (err != MG_OK)
		return err;
	struct mg_dbval args[] = { MG_INT(tenant), MG_INT(space), MG_TEXT(canonical),
				   MG_TEXT(reason != NULL ? reason : "") };
	return mg_db_exec(db, arena, &mg_calendar_statements[MG_SQL_CALENDAR_CLOSED_ADD], args, 4, NULL, NULL, NULL);
}

/* The space and the wholes above it, nearest first (their rules and hours are inherited). */
static enum mg_err chain_above(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t space,
			       struct mg_rows *rows)
{
	struct mg_dbval args[] = { MG_INT(tenant), MG_INT(space), MG_INT(tenant) };
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_calendar_statements[MG_SQL_CALENDAR_SPACE_ABOVE], args, 3, rows, NULL, NULL);
	if (err == MG_OK && rows->nrows == 0)
		return MG_ERR_NOT_FOUND;
	return err;
}

enum mg_err mg_space_day(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t space, const char *date,
			 time_t *open_at, time_t *close_at, const char **why)
{
	const char *zone = tenant_zone(db, arena, tenant);
	time_t day_start;
	int year, month, day;
	if (why != NULL)
		*why = NULL;
	if (date == NULL || mg_tz_parse_date(zone, date, &day_start) != MG_OK ||
	    sscanf(date, "%4d-%2d-%2d", &year, &month, &day) != 3)
		return MG_ERR_INPUT;
	struct tm local;
	enum mg_err err = mg_tz_local(zone, day_start, &local);
	if (err != MG_OK)
		return err;
	int weekday = local.tm_wday;
	struct mg_rows chain;
	if ((err = chain_above(db, arena, tenant, space, &chain)) != MG_OK)
		return err;

	struct mg_dbval hargs[] = { MG_TEXT(date) };
	struct mg_rows holiday;
	if ((err = mg_db_exec(db, arena, &mg_calendar_statements[MG_SQL_CALENDAR_HOLIDAY], hargs, 1, &holiday, NULL,
	                      NULL)) != MG_OK)
		return err;
	bool is_holiday = holiday.nrows > 0;

	/* closed-day rules of the space and every whole above it */
	for (size_t c = 0; c < chain.nrows; c++) {
		struct mg_dbval args[] = { MG_INT(tenant), MG_INT(mg_cell_u64(MG_CELL(&chain, c, 0))) };
		struct mg_rows rules;
		if ((err = mg_db_exec(db, arena, &mg_calendar_statements[MG_SQL_CALENDAR_CLOSED_OF], args, 2, &rules,
		                      NULL, NULL)) != MG_OK)
			return err;
		for (size_t r = 0; r < rules.nrows; r++) {
			struct mg_closed_rule rule;
			if (mg_closed_rule_parse(MG_CELL(&rules, r, 0), &rule) != MG_OK)
				continue;
			if (mg_closed_rule_matches(&rule, year, month, day, weekday, is_holiday)) {
				if (why != NULL)
					*why = rule.kind == MG_CLOSED_HOLIDAYS ? "holiday" : "closed";
				return MG_ERR_NOT_FOUND;
			}
		}
	}

	/* the hours of the nearest space that has any; none up the chain: open all day */
	int open_minute = 0, close_minute = 24 * 60;
	for (size_t c = 0; c < chain.nrows; c++) {
		struct mg_dbval args[] = { MG_INT(tenant), MG_INT(mg_cell_u64(MG_CELL(&chain, c, 0))) };
		struct mg_rows hours;
		if ((err = mg_db_exec(db, arena, &mg_calendar_statements[MG_SQL_CALENDAR_HOURS_OF], args, 2, &hours,
		                      NULL, NULL)) != MG_OK)
			return err;
		if (hours.nrows == 0)
			continue;
		open_minute = close_minute = 0; /* a weekday without a row is closed */
		for (size_t r = 0; r < hours.nrows; r++)
			if (cell_ll(MG_CELL(&hours, r, 0)) == weekday) {
				open_minute = (int)cell_ll(MG_CELL(&hours, r, 1));
				close_minute = (int)cell_ll(MG_CELL(&hours, r, 2));
			}
		break;
	}
	if (open_minute >= close_minute) {
		if (why != NULL)
			*why = "closed";
		return MG_ERR_NOT_FOUND;
	}
	struct tm at = { .tm_year = year - 1900, .tm_mon = month - 1, .tm_mday = day };
	at.tm_hour = open_minute / 60;
	at.tm_min = open_minute % 60;
	time_t open_utc, close_utc;
	if ((err = mg_tz_utc(zone, &at, &open_utc, NULL)) != MG_OK)
		return err;
	at = (struct tm){ .tm_year = year - 1900, .tm_mon = month - 1, .tm_mday = day };
	at.tm_hour = close_minute / 60; /* 24:00 is 00:00 of the next day (tm_mday overflow) */
	at.tm_min = close_minute % 60;
	if ((err = mg_tz_utc(zone, &at, &close_utc, NULL)) != MG_OK)
		return err;
	if (open_at != NULL)
		*open_at = open_utc;
	if (close_at != NULL)
		*close_at = close_utc;
	return MG_OK;
}

/* Whether [from, to) lies within the opening hours of its first local day; *why, *what when not. */
static enum mg_err within_hours(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t space,
				time_t from, time_t to, struct mg_calendar_conflict *conflict)
{
	const char *zone = tenant_zone(db, arena, tenant);
	char date[16];
	if (mg_tz_format(zone, from, MG_TZ_DATE, "ja", date, sizeof(date)) == 0)
		return MG_ERR_INTERNAL;
	time_t open_at = 0, close_at = 0;
	const char *why = NULL;
	enum mg_err err = mg_space_day(db, arena, tenant, space, date, &open_at, &close_at, &why);
	if (err == MG_ERR_NOT_FOUND && why != NULL) {
		conflict->owner_kind = why;
		conflict->label = mg_arena_strdup(arena, date);
		return MG_ERR_INPUT;
	}
	if (err != MG_OK)
		return err;
	if (from < open_at || to > close_at) {
		conflict->owner_kind = "hours";
		conflict->label = mg_arena_strdup(arena, date);
		conflict->from = open_at;
		conflict->to = close_at;
		return MG_ERR_INPUT;
	}
	return MG_OK;
}

/* ---- occupations ---- */

/* The slot a duplicate-key error names: "Duplicate entry '7-12-1998765' for key 'PRIMARY'"
 * (tenant-space-slot); 0 when the message is not that. */
static uint32_t duplicate_slot(const char *message)
{
	const char *entry = message != NULL ? strstr(message, "entry '") : NULL;
	if (entry == NULL)
		return 0;
	const char *end = strchr(entry + 7, '\'');
	const char *dash = NULL;
	for (const char *c = entry + 7; end != NULL && c < end; c++)
		if (*c == '-')
			dash = c;
	if (dash == NULL)
		return 0;
	unsigned long long slot = strtoull(dash + 1, NULL, 10);
	return slot <= UINT32_MAX ? (uint32_t)slot : 0;
}

/* Fills *conflict with the occupation whose claim of space in [first, last] stood in the way. */
static enum mg_err find_blocker(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t space,
				uint32_t first, uint32_t last, uint32_t slot, struct mg_calendar_conflict *conflict)
{
	struct mg_rows rows = { 0 };
	enum mg_err err = MG_OK;
	if (slot >= first && slot <= last) {
		struct mg_dbval args[] = { MG_INT(tenant), MG_INT(space), MG_INT(slot) };
		err = mg_db_exec(db, arena, &mg_calendar_statements[MG_SQL_CALENDAR_CLAIM_BLOCKER], args, 3, &rows, NULL,
				 NULL);
	}
	if (err == MG_OK && rows.nrows == 0) {
		struct mg_dbval args[] = { MG_INT(tenant), MG_INT(space), MG_INT(first), MG_INT(last) };
		err = mg_db_exec(db, arena, &mg_calendar_statements[MG_SQL_CALENDAR_CLAIM_SEEN], args, 4, &rows, NULL,
				 NULL);
	}
	if (err != MG_OK)
		return err;
	if (rows.nrows > 0) {
		conflict->occupation_id = mg_cell_u64(MG_CELL(&rows, 0, 0));
		conflict->space_id = mg_cell_u64(MG_CELL(&rows, 0, 1));
		conflict->owner_kind = MG_CELL(&rows, 0, 2);
		conflict->label = MG_CELL(&rows, 0, 3);
		conflict->from = (time_t)cell_ll(MG_CELL(&rows, 0, 4));
		conflict->to = (time_t)cell_ll(MG_CELL(&rows, 0, 5));
	} else {
		conflict->space_id = space; /* it let go while we looked; still a lost race */
	}
	return MG_OK;
}

/* Deletes the lapsed claims of space in [first, last], each by its key; *cleared how many. */
static enum mg_err clear_lapsed(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t space,
				uint32_t first, uint32_t last, time_t now, unsigned long long *cleared)
{
	struct mg_dbval args[] = { MG_INT(tenant), MG_INT(space), MG_INT(first), MG_INT(last), MG_INT(now) };
	struct mg_rows lapsed;
	*cleared = 0;
	enum mg_err err = mg_db_exec(db, arena, &mg_calendar_statements[MG_SQL_CALENDAR_CLAIM_LAPSED_IN], args, 5,
				     &lapsed, NULL, NULL);
	for (size_t r = 0; err == MG_OK && r < lapsed.nrows; r++) {
		struct mg_dbval key[] = { MG_INT(tenant), MG_INT(space), MG_INT(mg_cell_u64(MG_CELL(&lapsed, r, 0))),
					  MG_INT(now) };
		unsigned long long gone = 0;
		err = mg_db_exec(db, arena, &mg_calendar_statements[MG_SQL_CALENDAR_CLAIM_CLEAR_LAPSED], key, 4, NULL, &gone,
				 NULL);
		*cleared += gone;
	}
	return err;
}

/* Claims slots first..last of one space for the occupation, clearing lapsed claims in the way
 * once. MG_ERR_CONFLICT with *conflict filled when a live claim holds one of them. */
static enum mg_err claim_space(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t space,
			       uint32_t first, uint32_t last, uint64_t occupation, time_t expires, time_t now,
			       struct mg_calendar_conflict *conflict)
{
	for (uint32_t lo = first; lo <= last;) {
		uint32_t hi = last - lo >= CLAIM_CHUNK - 1 ? lo + CLAIM_CHUNK - 1 : last;
		struct mg_dbval args[] = { MG_INT(lo),	   MG_INT(hi),
					   MG_INT(tenant), MG_INT(space),
					   MG_INT(occupation), expires != 0 ? MG_INT(expires) : MG_NULL };
		enum mg_err err = mg_db_exec(db, arena, &mg_calendar_statements[MG_SQL_CALENDAR_CLAIM_INSERT], args, 6,
		                             NULL, NULL, NULL);
		uint32_t taken = err == MG_ERR_CONFLICT ? duplicate_slot(mg_db_error(db)) : 0;
		if (err == MG_ERR_CONFLICT) {
			/* a lapsed provisional occupation's claims count as free: delete them here,
			 * in this transaction, and try once more */
			unsigned long long cleared = 0;
			if ((err = clear_lapsed(db, arena, tenant, space, lo, hi, now, &cleared)) != MG_OK)
				return err;
			err = cleared > 0 ? mg_db_exec(db, arena, &mg_calendar_statements[MG_SQL_CALENDAR_CLAIM_INSERT],
			                               args, 6, NULL, NULL, NULL)
			                  : MG_ERR_CONFLICT;
			if (err == MG_ERR_CONFLICT && cleared > 0)
				taken = duplicate_slot(mg_db_error(db));
		}
		if (err == MG_ERR_CONFLICT) {
			enum mg_err found = find_blocker(db, arena, tenant, space, lo, hi, taken, conflict);
			return found != MG_OK ? found : MG_ERR_CONFLICT;
		}
		if (err != MG_OK)
			return err;
		if (hi == last)
			break;
		lo = hi + 1;
	}
	return MG_OK;
}

enum mg_err mg_calendar_occupy(struct mg_db *db, struct mg_arena *arena, uint64_t tenant,
			       const struct mg_occupation *in, bool outside_hours, time_t now, uint64_t *id,
			       struct mg_calendar_conflict *conflict)
{
	struct mg_calendar_conflict ignored;
	if (conflict == NULL)
		conflict = &ignored;
	memset(conflict, 0, sizeof(*conflict));
	conflict->owner_kind = conflict->label = "";
	if (in->owner_kind == NULL || in->owner_kind[0] == '\0' || in->from >= in->to ||
	    (in->hold_id != 0 && in->expires <= now))
		return MG_ERR_INPUT;
	struct mg_space space;
	enum mg_err err = mg_space_get(db, arena, tenant, in->space_id, &space);
	if (err != MG_OK)
		return err;
	if (!space.active)
		return MG_ERR_NOT_FOUND;
	uint32_t first, last;
	if (mg_calendar_slots(in->from, in->to, space.buffer_minutes, &first, &last) != MG_OK) {
		conflict->owner_kind = "span";
		return MG_ERR_INPUT;
	}
	if (!outside_hours && (err = within_hours(db, arena, tenant, in->space_id, in->from, in->to, conflict)) != MG_OK)
		return err;

	time_t expires = in->hold_id != 0 ? in->expires : 0;
	struct mg_dbval args[] = { MG_INT(tenant),
				   MG_INT(in->space_id),
				   MG_INT(in->from),
				   MG_INT(in->to),
				   MG_INT(first),
				   MG_INT(last),
				   MG_TEXT(in->owner_kind),
				   MG_INT(in->owner_id),
				   in->hold_id != 0 ? MG_INT(in->hold_id) : MG_NULL,
				   expires != 0 ? MG_INT(expires) : MG_NULL,
				   MG_TEXT(in->label != NULL ? in->label : "") };
	unsigned long long occupation = 0;
	if ((err = mg_db_exec(db, arena, &mg_calendar_statements[MG_SQL_CALENDAR_OCCUPATION_INSERT], args, 11, NULL,
	                      NULL, &occupation)) != MG_OK)
		return err;

	/* the space and every part below it, ascending id, each slot ascending: key order */
	struct mg_dbval below_args[] = { MG_INT(tenant), MG_INT(in->space_id), MG_INT(tenant) };
	struct mg_rows below;
	if ((err = mg_db_exec(db, arena, &mg_calendar_statements[MG_SQL_CALENDAR_SPACE_BELOW], below_args, 3, &below,
	                      NULL, NULL)) != MG_OK)
		return err;
	for (size_t r = 0; r < below.nrows; r++)
		if ((err = claim_space(db, arena, tenant, mg_cell_u64(MG_CELL(&below, r, 0)), first, last, occupation, expires,
				       now, conflict)) != MG_OK)
			return err;
	unsigned long long claims = (unsigned long long)below.nrows * ((unsigned long long)last - first + 1);
	struct mg_dbval count[] = { MG_INT(claims), MG_INT(tenant), MG_INT(occupation) };
	if ((err = mg_db_exec(db, arena, &mg_calendar_statements[MG_SQL_CALENDAR_OCCUPATION_CLAIMS], count, 3, NULL,
	                      NULL, NULL)) != MG_OK)
		return err;
	if (id != NULL)
		*id = occupation;
	return MG_OK;
}

enum mg_err mg_calendar_confirm(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t occupation_id)
{
	struct mg_dbval args[] = { MG_INT(mg_now()), MG_INT(tenant), MG_INT(occupation_id) };
	struct mg_rows rows;
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_calendar_statements[MG_SQL_CALENDAR_OCCUPATION_LOCK], args, 3, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	if (rows.nrows == 0)
		return MG_ERR_NOT_FOUND;
	if (cell_ll(MG_CELL(&rows, 0, 1)) != 0)
		return MG_OK; /* confirmed already */
	if (cell_ll(MG_CELL(&rows, 0, 2)) == 0)
		return MG_ERR_EXPIRED;
	/* every claim must still be there: after a lapse another occupation may have taken some */
	struct mg_dbval key[] = { MG_INT(tenant), MG_INT(occupation_id) };
	unsigned long long matched = 0;
	if ((err = mg_db_exec(db, arena, &mg_calendar_statements[MG_SQL_CALENDAR_CONFIRM_CLAIMS], key, 2, NULL,
	                      &matched, NULL)) != MG_OK)
		return err;
	if (matched != mg_cell_u64(MG_CELL(&rows, 0, 0)))
		return MG_ERR_EXPIRED;
	return mg_db_exec(db, arena, &mg_calendar_statements[MG_SQL_CALENDAR_CONFIRM_OCCUPATION], key, 2, NULL, NULL,
	                  NULL);
}

enum mg_err mg_calendar_release(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t occupation_id)
{
	struct mg_dbval key[] = { MG_INT(tenant), MG_INT(occupation_id) };
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_calendar_statements[MG_SQL_CALENDAR_RELEASE_CLAIMS], key, 2, NULL, NULL, NULL);
	if (err != MG_OK)
		return err;
	unsigned long long gone = 0;
	if ((err = mg_db_exec(db, arena, &mg_calendar_statements[MG_SQL_CALENDAR_RELEASE_OCCUPATION], key, 2, NULL,
	                      &gone, NULL)) != MG_OK)
		return err;
	return gone > 0 ? MG_OK : MG_ERR_NOT_FOUND;
}

enum mg_err mg_calendar_release_owner(struct mg_db *db, struct mg_arena *arena, uint64_t tenant,
				      const char *owner_kind, uint64_t owner_id, size_t *released)
{
	struct mg_dbval args[] = { MG_INT(tenant), MG_TEXT(owner_kind), MG_INT(owner_id) };
	struct mg_rows rows;
	enum mg_err err = mg_db_exec(db, arena, &mg_calendar_statements[MG_SQL_CALENDAR_OWNER_OCCUPATIONS], args, 3,
	                             &rows, NULL, NULL);
	if (released != NULL)
		*released = 0;
	for (size_t r = 0; err == MG_OK && r < rows.nrows; r++) {
		err = mg_calendar_release(db, arena, tenant, mg_cell_u64(MG_CELL(&rows, r, 0)));
		if (err == MG_OK && released != NULL)
			(*released)++;
	}
	return err;
}

enum mg_err mg_calendar_busy(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t space, time_t from,
			     time_t to, time_t now, struct mg_occupation **out, size_t *n)
{
	struct mg_dbval args[] = { MG_INT(tenant), MG_INT(space),  MG_INT(tenant), MG_INT(tenant), MG_INT(space),
				   MG_INT(tenant), MG_INT(tenant), MG_INT(to),	   MG_INT(from),   MG_INT(now) };
	struct mg_rows rows;
	*out = NULL;
	*n = 0;
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_calendar_statements[MG_SQL_CALENDAR_BUSY], args, 10, &rows, NULL, NULL);
	if (err != MG_OK || rows.nrows == 0)
		return err;
	struct mg_occupation *list = mg_arena_alloc(arena, rows.nrows * sizeof(*list));
	if (list == NULL)
		return MG_ERR_NOMEM;
	for (size_t r = 0; r < rows.nrows; r++) {
		list[r] = (struct mg_occupation){
			.id = mg_cell_u64(MG_CELL(&rows, r, 0)),
			.space_id = mg_cell_u64(MG_CELL(&rows, r, 1)),
			.from = (time_t)cell_ll(MG_CELL(&rows, r, 2)),
			.to = (time_t)cell_ll(MG_CELL(&rows, r, 3)),
			.owner_kind = MG_CELL(&rows, r, 4),
			.owner_id = mg_cell_u64(MG_CELL(&rows, r, 5)),
			.hold_id = mg_cell_u64(MG_CELL(&rows, r, 6)),
			.expires = (time_t)cell_ll(MG_CELL(&rows, r, 7)),
			.label = MG_CELL(&rows, r, 8),
		};
	}
	*out = list;
	*n = rows.nrows;
	return MG_OK;
}

enum mg_err mg_calendar_sweep(struct mg_db *db, struct mg_arena *arena, time_t now, size_t *tidied)
{
	size_t count = 0;
	struct mg_rows tenants;
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_calendar_statements[MG_SQL_CALENDAR_TENANTS], NULL, 0, &tenants, NULL, NULL);
	for (size_t t = 0; err == MG_OK && t < tenants.nrows; t++) {
		unsigned long long deleted;
		do {
			struct mg_dbval args[] = { MG_INT(mg_cell_u64(MG_CELL(&tenants, t, 0))), MG_INT(now) };
			deleted = 0;
			err = mg_db_exec(db, arena, &mg_calendar_statements[MG_SQL_CALENDAR_SWEEP], args, 2, NULL,
			                 &deleted, NULL);
			count += (size_t)deleted;
		} while (err == MG_OK && deleted == 1000);
	}
	if (tidied != NULL)
		*tidied = count;
	return err;
}

enum mg_err mg_calendar_load_holidays(struct mg_db *db, struct mg_arena *arena, const char *path, size_t *loaded,
				      char *errbuf, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
		return MG_ERR_IO;
	}
	char line[256];
	size_t lineno = 0, n = 0;
	enum mg_err err = MG_OK;
	/* checked whole before anything is written: a bad file loads nothing */
	struct day {
		char date[11];
		char name[96];
	} *days = NULL;
	size_t cap = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		struct mg_closed_rule check;
		char *comma = strchr(line, ',');
		if (comma == NULL || comma - line != 10 || comma[1] == '\0' || strlen(comma + 1) >= sizeof(days->name)) {
			err = MG_ERR_INPUT;
		} else {
			*comma = '\0';
			if (mg_closed_rule_parse(line, &check) != MG_OK || check.kind != MG_CLOSED_DATE)
				err = MG_ERR_INPUT;
		}
		if (err != MG_OK) {
			snprintf(errbuf, errlen, "%s:%zu: not YYYY-MM-DD,name", path, lineno);
			goto out;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 128;
			struct day *grown = realloc(days, cap * sizeof(*days));
			if (grown == NULL) {
				err = MG_ERR_NOMEM;
				goto out;
			}
			days = grown;
		}
		memcpy(days[n].date, line, 10); /* checked above: exactly YYYY-MM-DD */
		days[n].date[10] = '\0';
		snprintf(days[n].name, sizeof(days[n].name), "%s", comma + 1);
		n++;
	}
	for (size_t i = 0; i < n && err == MG_OK; i++) {
		struct mg_dbval args[] = { MG_TEXT(days[i].date), MG_TEXT(days[i].name) };
		err = mg_db_exec(db, arena, &mg_calendar_statements[MG_SQL_CALENDAR_HOLIDAY_PUT], args, 2, NULL, NULL,
		                 NULL);
		if (err != MG_OK)
			snprintf(errbuf, errlen, "%s: %s", days[i].date, mg_db_error(db));
	}
	if (err == MG_OK && loaded != NULL)
		*loaded = n;
out:
	free(days);
	fclose(f);
	return err;
}
