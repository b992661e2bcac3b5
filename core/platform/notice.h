/*
 * Notices (新着情報) and the maintenance switch (issue 3, item 9).
 *
 * Operators post platform-wide notices (tenant_id 0: maintenance, incidents) from the
 * console; tenant administrators post their tenant's at /<slug>/admin/notices. Staff see the
 * unread ones of both on the dashboard and mark them read.
 *
 * The maintenance switch lives in platform_setting ("maintenance", a JSON value naming the
 * notice to show and the Retry-After); while it is on, every page but the operator console and
 * /healthz answers 503 with that notice (core/http/http.c).
 */
#ifndef MG_NOTICE_H
#define MG_NOTICE_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "arena.h"
#include "db.h"
#include "err.h"

enum { MG_MAINTENANCE_RETRY_DEFAULT = 3600, MG_NOTICE_TITLE_MAX = 200, MG_NOTICE_BODY_MAX = 10000 };

/* The statements of mg_notice_statements (notice.c); a call names one as &mg_notice_statements[<constant>]. */
enum mg_notice_sql {
	MG_SQL_NOTICE_INSERT,
	MG_SQL_NOTICE_LIST,
	MG_SQL_NOTICE_GET,
	MG_SQL_NOTICE_UNREAD,
	MG_SQL_NOTICE_VISIBLE,
	MG_SQL_NOTICE_MARK_READ,
	MG_SQL_NOTICE_SETTING_GET,
	MG_SQL_NOTICE_SETTING_PUT,
	MG_SQL_NOTICE_SETTING_DELETE,
	MG_SQL_NOTICE__MAX
};
extern const struct mg_sql mg_notice_statements[MG_SQL_NOTICE__MAX + 1];
/* The kinds of notice, NULL-terminated, and whether kind is one of them. */
extern const char *const mg_notice_kinds[];
bool mg_notice_kind_ok(const char *kind);
/* A tenant's notices (0: the platform's), newest first, as [{id, kind, title, body, published}]
 * with published in zone; NULL with *err on failure. */
json_t *mg_notices_list(struct mg_db *db, struct mg_arena *arena, uint64_t tenant_id, const char *zone,
			enum mg_err *err);
/* The notices a staff member has not read (the platform's and their tenant's, newest first, at
 * most 20): rows of (tenant_id, id, kind, title, body, UNIX_TIMESTAMP(published_at)). */
enum mg_err mg_notices_unread(struct mg_db *db, struct mg_arena *arena, uint64_t tenant_id, uint64_t staff_id,
			      struct mg_rows *rows);

struct mg_maintenance {
	bool on;
	uint64_t notice_id;  /* 0: none */
	long retry_after;    /* seconds */
	const char *title, *body; /* of the notice, NULL when none (owned by the arena) */
};

/* Reads the switch (one primary-key look-up) and, when on, its notice. */
enum mg_err mg_maintenance_get(struct mg_db *db, struct mg_arena *arena, struct mg_maintenance *out);
/* Turns the switch on (with a platform notice, 0 for none) or off, audited in the platform's
 * chain as done by actor ("operator:3", "operator:cli"). MG_ERR_NOT_FOUND when notice_id is no
 * platform notice; MG_ERR_INPUT when retry_after is outside 1 s .. 7 days. */
enum mg_err mg_maintenance_set(struct mg_db *db, bool on, uint64_t notice_id, long retry_after, const char *actor,
			       const char *ip, const char *user_agent);
/* The latest platform notices as [{id, kind, title, published}] (for the console's choice). */
json_t *mg_platform_notices(struct mg_db *db, struct mg_arena *arena, enum mg_err *err);

#endif
