#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "clock.h"
#include "log.h"
#include "notice.h"
#include "tz_text.h"

/* Times are stored in UTC and shown in the zone of whoever reads them (tz.h): the tenant's in its
 * back office, the platform's in the operator console. */

const struct mg_sql mg_notice_statements[] = {
	[MG_SQL_NOTICE_INSERT] = { "core.notice_insert",
	  "INSERT INTO notice (tenant_id, kind, title, body, published_at, created_by)"
	  " VALUES (?, ?, ?, ?, FROM_UNIXTIME(?), ?)" },
	[MG_SQL_NOTICE_LIST] = { "core.notice_list",
	  "SELECT id, kind, title, body, UNIX_TIMESTAMP(published_at) FROM notice WHERE tenant_id = ?"
	  " ORDER BY published_at DESC, id DESC LIMIT 100" },
	[MG_SQL_NOTICE_GET] = { "core.notice_get",
	  "SELECT kind, title, body FROM notice WHERE tenant_id = ? AND id = ?" },
	[MG_SQL_NOTICE_UNREAD] = { "core.notice_unread",
	  "SELECT n.tenant_id, n.id, n.kind, n.title, n.body, UNIX_TIMESTAMP(n.published_at) FROM notice n"
	  " WHERE n.tenant_id IN (0, ?) AND NOT EXISTS (SELECT 1 FROM notice_read r WHERE r.tenant_id = ?"
	  "  AND r.staff_id = ? AND r.notice_id = n.id)"
	  " ORDER BY n.published_at DESC, n.id DESC LIMIT 20" },
	[MG_SQL_NOTICE_VISIBLE] = { "core.notice_visible",
	  "SELECT 1 FROM notice WHERE tenant_id IN (0, ?) AND id = ?" },
	[MG_SQL_NOTICE_MARK_READ] = { "core.notice_mark_read",
	  "INSERT INTO notice_read (tenant_id, staff_id, notice_id, read_at) VALUES (?, ?, ?, FROM_UNIXTIME(?))"
	  " ON DUPLICATE KEY UPDATE read_at = read_at" },
	[MG_SQL_NOTICE_SETTING_GET] = { "core.setting_get", "SELECT value FROM platform_setting WHERE name = ?" },
	[MG_SQL_NOTICE_SETTING_PUT] = { "core.setting_put",
	  "INSERT INTO platform_setting (name, value, updated_at) VALUES (?, ?, UTC_TIMESTAMP(6))"
	  " ON DUPLICATE KEY UPDATE value = VALUES(value), updated_at = VALUES(updated_at)" },
	[MG_SQL_NOTICE_SETTING_DELETE] = { "core.setting_delete", "DELETE FROM platform_setting WHERE name = ?" },
	[MG_SQL_NOTICE__MAX] = { NULL, NULL },
};

const char *const mg_notice_kinds[] = { "maintenance", "incident", "info", NULL };

bool mg_notice_kind_ok(const char *kind)
{
	for (int i = 0; kind != NULL && mg_notice_kinds[i] != NULL; i++)
		if (strcmp(kind, mg_notice_kinds[i]) == 0)
			return true;
	return false;
}

/* ---- the maintenance switch ---- */

enum mg_err mg_maintenance_get(struct mg_db *db, struct mg_arena *arena, struct mg_maintenance *out)
{
	memset(out, 0, sizeof(*out));
	struct mg_rows rows;
	struct mg_dbval name[] = { MG_TEXT("maintenance") };
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_notice_statements[MG_SQL_NOTICE_SETTING_GET], name, 1, &rows, NULL, NULL);
	if (err != MG_OK || rows.nrows == 0)
		return err;
	json_t *value = json_loads(MG_CELL(&rows, 0, 0), 0, NULL);
	json_int_t notice = 0, retry = MG_MAINTENANCE_RETRY_DEFAULT;
	json_unpack(value, "{s?I, s?I}", "notice", &notice, "retry_after", &retry);
	json_decref(value);
	out->on = true;
	out->notice_id = notice > 0 ? (uint64_t)notice : 0;
	out->retry_after = retry > 0 ? (long)retry : MG_MAINTENANCE_RETRY_DEFAULT;
	if (out->notice_id == 0)
		return MG_OK;
	struct mg_dbval key[] = { MG_INT(0), MG_INT(out->notice_id) };
	if ((err = mg_db_exec(db, arena, &mg_notice_statements[MG_SQL_NOTICE_GET], key, 2, &rows, NULL, NULL)) != MG_OK)
		return err;
	if (rows.nrows > 0) {
		out->title = MG_CELL(&rows, 0, 1);
		out->body = MG_CELL(&rows, 0, 2);
	}
	return MG_OK;
}

struct switch_args {
	bool on;
	uint64_t notice_id;
	long retry_after;
	const char *actor, *ip, *user_agent;
};

static enum mg_err switch_txn(struct mg_db *db, void *arg)
{
	struct switch_args *a = arg;
	struct mg_arena *arena = mg_arena_new();
	struct mg_rows rows;
	enum mg_err err = MG_OK;
	char *value = NULL;
	if (a->on && a->notice_id != 0) {
		struct mg_dbval key[] = { MG_INT(0), MG_INT(a->notice_id) };
		if ((err = mg_db_exec(db, arena, &mg_notice_statements[MG_SQL_NOTICE_GET], key, 2, &rows, NULL,
		                      NULL)) != MG_OK)
			goto out;
		if (rows.nrows == 0) {
			err = MG_ERR_NOT_FOUND;
			goto out;
		}
	}
	if (a->on) {
		json_t *json = json_pack("{s:I, s:I}", "notice", (json_int_t)a->notice_id, "retry_after",
					 (json_int_t)a->retry_after);
		value = json_dumps(json, JSON_COMPACT);
		json_decref(json);
		if (value == NULL) {
			err = MG_ERR_NOMEM;
			goto out;
		}
		struct mg_dbval put[] = { MG_TEXT("maintenance"), MG_TEXT(value) };
		err = mg_db_exec(db, arena, &mg_notice_statements[MG_SQL_NOTICE_SETTING_PUT], put, 2, NULL, NULL, NULL);
	} else {
		struct mg_dbval name[] = { MG_TEXT("maintenance") };
		err = mg_db_exec(db, arena, &mg_notice_statements[MG_SQL_NOTICE_SETTING_DELETE], name, 1, NULL, NULL,
		                 NULL);
	}
	if (err != MG_OK)
		goto out;
	struct mg_audit_event ev = { 0, a->actor, a->on ? "maintenance.on" : "maintenance.off", "platform",
				     a->ip, a->user_agent, "success", value };
	err = mg_audit_append(db, arena, &ev);
out:
	free(value);
	mg_arena_free(arena);
	return err;
}

enum mg_err mg_maintenance_set(struct mg_db *db, bool on, uint64_t notice_id, long retry_after, const char *actor,
			       const char *ip, const char *user_agent)
{
	if (on && (retry_after < 1 || retry_after > 7L * 24 * 3600))
		return MG_ERR_INPUT;
	struct switch_args a = { on, notice_id, retry_after, actor, ip, user_agent };
	return mg_db_transaction(db, switch_txn, &a);
}

/* ---- notices ---- */

json_t *mg_notices_list(struct mg_db *db, struct mg_arena *arena, uint64_t tenant_id, const char *zone,
			enum mg_err *err)
{
	struct mg_rows rows;
	struct mg_dbval key[] = { MG_INT(tenant_id) };
	if ((*err = mg_db_exec(db, arena, &mg_notice_statements[MG_SQL_NOTICE_LIST], key, 1, &rows, NULL, NULL)) !=
	    MG_OK)
		return NULL;
	json_t *list = json_array();
	for (size_t r = 0; r < rows.nrows; r++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", MG_CELL(&rows, r, 0), "kind",
						      MG_CELL(&rows, r, 1), "title", MG_CELL(&rows, r, 2), "body",
						      MG_CELL(&rows, r, 3), "published",
						      mg_tz_text_cell(arena, zone, MG_CELL(&rows, r, 4), MG_TZ_MINUTE, NULL)));
	return list;
}

json_t *mg_platform_notices(struct mg_db *db, struct mg_arena *arena, enum mg_err *err)
{
	return mg_notices_list(db, arena, 0, mg_tz_platform(), err);
}

enum mg_err mg_notices_unread(struct mg_db *db, struct mg_arena *arena, uint64_t tenant_id, uint64_t staff_id,
			      struct mg_rows *rows)
{
	struct mg_dbval key[] = { MG_INT(tenant_id), MG_INT(tenant_id), MG_INT(staff_id) };
	return mg_db_exec(db, arena, &mg_notice_statements[MG_SQL_NOTICE_UNREAD], key, 3, rows, NULL, NULL);
}
