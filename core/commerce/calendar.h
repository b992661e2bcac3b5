/*
 * One venue calendar for every module (DESIGN.md, "One venue calendar"): a performance, a room
 * rental and a course session that want the same hall at the same time cannot all have it,
 * whichever module asks and however many ask at once.
 *
 * A space is anything that can be occupied for a time: a hall, a room, a court. A space may be
 * divisible into parts (大ホール = 舞台 + 客席; 体育館 = A面 + B面), to any depth. Occupying a
 * space occupies it and every part below it; occupying a part leaves its siblings free but
 * makes every space above it unavailable.
 *
 * The guarantee lives in the database: time is cut into fixed slots of MG_CALENDAR_SLOT_SECONDS
 * and an occupation of space S over [from, to) inserts one claim row (tenant, space, slot) for
 * S and for each space below S, for every slot it touches, under a unique key — in ascending key
 * order, all or nothing, inside the caller's transaction. Because the whole claims its parts'
 * slots too, whole against whole, whole against part and part against the same part collide
 * on a key, while two different parts never do. No GET_LOCK, no table lock, nothing in process
 * memory: it holds across hosts and on Galera (a certification conflict is a deadlock, retried).
 *
 * An occupation is confirmed, or provisional: owned by a provisional hold (core/commerce/hold.h)
 * and lapsing with it. A lapsed occupation's claims count as free at once: the next occupy
 * deletes them in its own transaction; the hold sweep tidies the rest.
 *
 * Opening hours per weekday, closed days (休館日: every Monday, 12/29–1/3, one-off days) and
 * national holidays (祝日, the platform's holiday table) belong to a space and are inherited by
 * its parts; an occupation outside them is refused (MG_ERR_INPUT with a reason) unless the
 * caller says the staff override it.
 *
 * Why claims under a unique key and not inventory units (docs/calendar.md): an inventory unit
 * exists before it is taken, so time would have to be pre-cut into rows for every space and
 * every future slot, and a whole-vs-part rule would need the whole's units and each part's taken
 * in one all-or-nothing update. A claim row exists only while something occupies the slot; the
 * primary key (tenant, space, slot) makes the second claim a duplicate-key error, whoever asks.
 * Inserting in ascending key order keeps concurrent claimants from deadlocking each other; a
 * loser waits only for the winner's commit, then fails.
 *
 * Changed after the first agreement (names kept): struct mg_occupation has `expires`, the hold's
 * deadline, copied onto each claim so that "lapsed" is read on the claim row (no join with the
 * hold's table); mg_calendar_confirm reads the clock itself (mg_now()) and answers
 * MG_ERR_EXPIRED when the occupation lapsed or lost a claim; a refusal for hours or closed days
 * puts the reason in conflict->owner_kind ("hours", "closed", "holiday", "span") and the local
 * date in conflict->label; mg_calendar_load_holidays and the arithmetic below were added.
 *
 * Times are UTC seconds (mg_now()'s clock). Functions marked "in a transaction" run inside the
 * caller's mg_db_transaction(), so that the module's own row (a booking, a session, a
 * performance) commits or rolls back with its occupation.
 */
#ifndef MG_CALENDAR_H
#define MG_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "arena.h"
#include "db.h"
#include "err.h"

enum {
	MG_CALENDAR_SLOT_SECONDS = 15 * 60, /* occupations are widened outward to whole slots */
	MG_CALENDAR_MAX_DAYS = 31,          /* one occupation spans at most this long */
	MG_SPACE_MAX_DEPTH = 4,             /* whole → part → part → part */
};

/* The statements of mg_calendar_statements (calendar.c); a call names one as &mg_calendar_statements[<constant>]. */
enum mg_calendar_sql {
	MG_SQL_CALENDAR_TENANT_ZONE,
	MG_SQL_CALENDAR_SPACE_INSERT,
	MG_SQL_CALENDAR_SPACE_GET,
	MG_SQL_CALENDAR_SPACE_LIST,
	MG_SQL_CALENDAR_SPACE_BELOW,
	MG_SQL_CALENDAR_SPACE_ABOVE,
	MG_SQL_CALENDAR_HOURS_SET,
	MG_SQL_CALENDAR_HOURS_OF,
	MG_SQL_CALENDAR_CLOSED_ADD,
	MG_SQL_CALENDAR_CLOSED_OF,
	MG_SQL_CALENDAR_HOLIDAY,
	MG_SQL_CALENDAR_HOLIDAY_PUT,
	MG_SQL_CALENDAR_OCCUPATION_INSERT,
	MG_SQL_CALENDAR_OCCUPATION_CLAIMS,
	MG_SQL_CALENDAR_CLAIM_INSERT,
	MG_SQL_CALENDAR_CLAIM_LAPSED_IN,
	MG_SQL_CALENDAR_CLAIM_CLEAR_LAPSED,
	MG_SQL_CALENDAR_CLAIM_BLOCKER,
	MG_SQL_CALENDAR_CLAIM_SEEN,
	MG_SQL_CALENDAR_OCCUPATION_LOCK,
	MG_SQL_CALENDAR_CONFIRM_CLAIMS,
	MG_SQL_CALENDAR_CONFIRM_OCCUPATION,
	MG_SQL_CALENDAR_RELEASE_CLAIMS,
	MG_SQL_CALENDAR_RELEASE_OCCUPATION,
	MG_SQL_CALENDAR_OWNER_OCCUPATIONS,
	MG_SQL_CALENDAR_BUSY,
	MG_SQL_CALENDAR_TENANTS,
	MG_SQL_CALENDAR_SWEEP,
	MG_SQL_CALENDAR__MAX
};
extern const struct mg_sql mg_calendar_statements[MG_SQL_CALENDAR__MAX + 1];

/* ---- spaces ---- */

struct mg_space {
	uint64_t id, parent_id; /* parent_id 0: a top-level space */
	const char *name;       /* "大ホール" (arena) */
	const char *kind;       /* "hall", "room", "court", … free text for people */
	unsigned capacity;      /* people; 0 when it does not apply */
	int buffer_minutes;     /* kept free after every occupation (cleaning, changeover) */
	bool active;
};

/* Creates a space (parent_id 0, or a space of the same tenant: MG_ERR_NOT_FOUND otherwise,
 * MG_ERR_INPUT past MG_SPACE_MAX_DEPTH). In a transaction. */
enum mg_err mg_space_create(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const struct mg_space *in,
			    uint64_t *id);
enum mg_err mg_space_get(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t id, struct mg_space *out);
/* Every space of the tenant, parents before their parts (arena). */
enum mg_err mg_space_list(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, struct mg_space **out, size_t *n);

/* Opening hours of one weekday (0 = Sunday … 6 = Saturday) as minutes after local midnight;
 * open == close: closed that weekday. */
enum mg_err mg_space_set_hours(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t space, int weekday,
			       int open_minute, int close_minute);
/* A closed day rule: a date (YYYY-MM-DD), a yearly range ("12-29".."01-03"), or a weekday. */
enum mg_err mg_space_add_closed(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t space,
				const char *rule, const char *reason);

/* Whether a local date (YYYY-MM-DD, the tenant's zone) is open for the space: MG_OK and
 * *open_at and *close_at (UTC) when open; MG_ERR_NOT_FOUND with *why ("closed", "holiday") when
 * closed. */
enum mg_err mg_space_day(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t space, const char *date,
			 time_t *open_at, time_t *close_at, const char **why);

/* ---- occupations ---- */

struct mg_occupation {
	uint64_t id, space_id;
	time_t from, to;          /* as asked (the claims are widened to slots, plus the buffer) */
	const char *owner_kind;   /* "tickets.performance", "rentals.booking", "lessons.session" */
	uint64_t owner_id;
	uint64_t hold_id;         /* 0: confirmed; else provisional, lapsing with this hold */
	time_t expires;           /* with hold_id: the hold's deadline (mg_hold.expires_at), copied
				   * onto each claim so a lapse is seen on the claim row itself */
	const char *label;        /* what the staff calendar shows: "秋の定期演奏会", "会議 (山田)" */
};

/* What stood in the way of an occupation: the first conflicting occupation found. */
struct mg_calendar_conflict {
	uint64_t occupation_id, space_id;
	const char *owner_kind, *label;
	time_t from, to;
};

/*
 * Occupies in->space_id over [in->from, in->to) for in->owner, all or nothing: MG_OK and *id;
 * MG_ERR_CONFLICT when any slot of the space or of a part below it is taken (by any module),
 * with *conflict filled in — the caller's transaction must roll back (returning the error
 * does); MG_ERR_INPUT when from >= to, the span is too long, or (unless outside_hours) it falls
 * outside the space's hours or on a closed day, with *conflict->label saying why. In a
 * transaction.
 */
enum mg_err mg_calendar_occupy(struct mg_db *db, struct mg_arena *arena, uint64_t tenant,
			       const struct mg_occupation *in, bool outside_hours, time_t now, uint64_t *id,
			       struct mg_calendar_conflict *conflict);
/* A provisional occupation becomes confirmed (its hold confirmed by payment or approval).
 * In a transaction. */
enum mg_err mg_calendar_confirm(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t occupation_id);
/* Frees an occupation, or every occupation of an owner (a cancelled booking, a deleted
 * performance). *released may be NULL. In a transaction. */
enum mg_err mg_calendar_release(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t occupation_id);
enum mg_err mg_calendar_release_owner(struct mg_db *db, struct mg_arena *arena, uint64_t tenant,
				      const char *owner_kind, uint64_t owner_id, size_t *released);

/* The live occupations touching space (itself, its parts and the spaces above it) over
 * [from, to), by start (arena): what a month or week view and the staff grid draw. */
enum mg_err mg_calendar_busy(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t space, time_t from,
			     time_t to, time_t now, struct mg_occupation **out, size_t *n);

/* Deletes the claims of occupations whose hold lapsed (the hold sweep calls it). */
enum mg_err mg_calendar_sweep(struct mg_db *db, struct mg_arena *arena, time_t now, size_t *tidied);

/* Loads the platform's holiday list (schema/holidays-jp.csv: "YYYY-MM-DD,name" lines, '#'
 * comments) into holiday_jp, replacing names of days already there; `madoguchi migrate` runs it.
 * MG_ERR_INPUT (with the line in errbuf) on a malformed line, nothing loaded. */
enum mg_err mg_calendar_load_holidays(struct mg_db *db, struct mg_arena *arena, const char *path, size_t *loaded,
				      char *errbuf, size_t errlen);

/* ---- the arithmetic, without a database (tests/unit/test_calendar.c) ---- */

/* The slots [*first, *last] an occupation of [from, to) claims with buffer_minutes kept free
 * after it: slot n covers [n * MG_CALENDAR_SLOT_SECONDS, (n + 1) * MG_CALENDAR_SLOT_SECONDS),
 * the start rounded down and the end (plus the buffer) rounded up. MG_ERR_INPUT when from >= to,
 * from is before 1970, the span (with the buffer) is longer than MG_CALENDAR_MAX_DAYS, or the
 * buffer is negative or over a day. */
enum mg_err mg_calendar_slots(time_t from, time_t to, int buffer_minutes, uint32_t *first, uint32_t *last);

/* A closed-day rule as staff write it: "2026-08-15" (that day), "12-29..01-03" (every year,
 * inclusive, across the new year when the start is after the end), "mon" … "sun" (every such
 * weekday), "holidays" (every national holiday). */
enum mg_closed_kind { MG_CLOSED_DATE, MG_CLOSED_YEARLY, MG_CLOSED_WEEKDAY, MG_CLOSED_HOLIDAYS };
struct mg_closed_rule {
	enum mg_closed_kind kind;
	int year, month, day;    /* DATE; YEARLY: month, day start the range */
	int to_month, to_day;    /* YEARLY: the range's last day */
	int weekday;             /* WEEKDAY: 0 = Sunday … 6 = Saturday */
};
/* Reads a rule (surrounding spaces and upper case allowed); MG_ERR_INPUT when it is none. */
enum mg_err mg_closed_rule_parse(const char *text, struct mg_closed_rule *out);
/* Whether the rule closes a local date (month 1–12, weekday 0 = Sunday) that is, or is not, a
 * national holiday. */
bool mg_closed_rule_matches(const struct mg_closed_rule *rule, int year, int month, int day, int weekday,
			    bool holiday);

#endif
