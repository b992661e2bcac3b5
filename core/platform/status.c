#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "audit.h"
#include "crypto.h"
#include "log.h"
#include "mail.h"
#include "notice.h"
#include "status.h"
#include "tz.h"
#include "tz_text.h"

/* Maintenance windows, the watcher's checks and incidents (status.h). */

const struct mg_sql mg_status_statements[] = {
	[MG_SQL_STATUS_WINDOW_INSERT] = { "core.window_insert",
	  "INSERT INTO maintenance_window (starts_at, ends_at, reason, emergency, created_by, created_at)"
	  " VALUES (FROM_UNIXTIME(?), FROM_UNIXTIME(?), ?, ?, ?, FROM_UNIXTIME(?))" },
	[MG_SQL_STATUS_WINDOW_ANNOUNCED] = { "core.window_announced",
	  "UPDATE maintenance_window SET announced_at = FROM_UNIXTIME(?) WHERE id = ?" },
	[MG_SQL_STATUS_WINDOW_TO_REMIND] = { "core.window_to_remind",
	  "SELECT id, UNIX_TIMESTAMP(starts_at), UNIX_TIMESTAMP(ends_at), reason FROM maintenance_window"
	  " WHERE state = 'scheduled' AND reminded_at IS NULL AND starts_at > FROM_UNIXTIME(?)"
	  " AND starts_at <= FROM_UNIXTIME(?) AND announced_at < starts_at - INTERVAL 1 DAY ORDER BY id" },
	[MG_SQL_STATUS_WINDOW_REMINDED] = { "core.window_reminded",
	  "UPDATE maintenance_window SET reminded_at = FROM_UNIXTIME(?) WHERE id = ? AND reminded_at IS NULL" },
	[MG_SQL_STATUS_WINDOW_TO_START] = { "core.window_to_start",
	  "SELECT id, UNIX_TIMESTAMP(starts_at), UNIX_TIMESTAMP(ends_at), reason FROM maintenance_window"
	  " WHERE state = 'scheduled' AND starts_at <= FROM_UNIXTIME(?) ORDER BY starts_at, id" },
	[MG_SQL_STATUS_WINDOW_STARTED] = { "core.window_started",
	  "UPDATE maintenance_window SET state = 'active', started_at = FROM_UNIXTIME(?)"
	  " WHERE id = ? AND state = 'scheduled'" },
	[MG_SQL_STATUS_WINDOW_TO_END] = { "core.window_to_end",
	  "SELECT id FROM maintenance_window WHERE state = 'active' AND ends_at <= FROM_UNIXTIME(?) ORDER BY id" },
	[MG_SQL_STATUS_WINDOW_ENDED] = { "core.window_ended",
	  "UPDATE maintenance_window SET state = 'done', ended_at = FROM_UNIXTIME(?) WHERE id = ? AND state = 'active'" },
	[MG_SQL_STATUS_WINDOW_CANCEL] = { "core.window_cancel",
	  "UPDATE maintenance_window SET state = 'cancelled', ended_at = UTC_TIMESTAMP()"
	  " WHERE id = ? AND state IN ('scheduled', 'active')" },
	[MG_SQL_STATUS_WINDOW_LIST] = { "core.window_list",
	  "SELECT id, UNIX_TIMESTAMP(starts_at), UNIX_TIMESTAMP(COALESCE(ended_at, ends_at)), reason, emergency, state"
	  " FROM maintenance_window WHERE state <> 'cancelled' AND COALESCE(ended_at, ends_at) > FROM_UNIXTIME(?)"
	  " ORDER BY starts_at, id LIMIT 200" },
	[MG_SQL_STATUS_ADMINS] = { "core.status_admins",
	  "SELECT s.tenant_id, t.time_zone, s.id, s.email_sealed FROM staff s JOIN tenant t ON t.id = s.tenant_id"
	  " WHERE t.state = 'active' AND s.role = 'admin' AND s.active = 1 AND s.email_sealed IS NOT NULL"
	  " ORDER BY s.tenant_id, s.id" },
	[MG_SQL_STATUS_STAFF_EMAIL] = { "core.staff_email",
	  "UPDATE staff SET email_sealed = ? WHERE tenant_id = ? AND login = ?" },
	[MG_SQL_STATUS_CHECK_PUT] = { "core.check_put",
	  "INSERT INTO monitor_check (name, ok, failing_since, detail, checked_at)"
	  " VALUES (?, ?, IF(? = 1, NULL, FROM_UNIXTIME(?)), ?, FROM_UNIXTIME(?))"
	  " ON DUPLICATE KEY UPDATE failing_since = IF(VALUES(ok) = 1, NULL, COALESCE(failing_since,"
	  "  VALUES(failing_since))), ok = VALUES(ok), detail = VALUES(detail), checked_at = VALUES(checked_at)" },
	[MG_SQL_STATUS_CHECK_FAILING] = { "core.check_failing",
	  "SELECT name, UNIX_TIMESTAMP(failing_since), detail FROM monitor_check WHERE ok = 0 ORDER BY name" },
	[MG_SQL_STATUS_CHECK_ALL] = { "core.check_all",
	  "SELECT name, ok, COALESCE(UNIX_TIMESTAMP(failing_since), 0), detail, UNIX_TIMESTAMP(checked_at)"
	  " FROM monitor_check ORDER BY name" },
	[MG_SQL_STATUS_INCIDENT_OPEN] = { "core.incident_open",
	  "SELECT id, what FROM incident WHERE ended_at IS NULL ORDER BY id DESC LIMIT 1 FOR UPDATE" },
	[MG_SQL_STATUS_INCIDENT_RECENT_CLOSED] = { "core.incident_recent_closed",
	  "SELECT id FROM incident WHERE ended_at >= FROM_UNIXTIME(?) ORDER BY ended_at DESC, id DESC LIMIT 1 FOR UPDATE" },
	[MG_SQL_STATUS_INCIDENT_REOPEN] = { "core.incident_reopen",
	  "UPDATE incident SET ended_at = NULL WHERE id = ?" },
	[MG_SQL_STATUS_INCIDENT_INSERT] = { "core.incident_insert",
	  "INSERT INTO incident (started_at, what, mailed_at) VALUES (FROM_UNIXTIME(?), ?, FROM_UNIXTIME(?))" },
	[MG_SQL_STATUS_INCIDENT_WHAT] = { "core.incident_what",
	  "UPDATE incident SET what = ? WHERE id = ?" },
	[MG_SQL_STATUS_INCIDENT_CLOSE] = { "core.incident_close",
	  "UPDATE incident SET ended_at = FROM_UNIXTIME(?) WHERE id = ? AND ended_at IS NULL" },
	[MG_SQL_STATUS_INCIDENT_LIST] = { "core.incident_list",
	  "SELECT id, UNIX_TIMESTAMP(started_at), COALESCE(UNIX_TIMESTAMP(ended_at), 0), what, services,"
	  " COALESCE(cause, ''), COALESCE(measures, '') FROM incident"
	  " WHERE COALESCE(ended_at, '9999-12-31') > FROM_UNIXTIME(?) ORDER BY started_at DESC, id DESC LIMIT 500" },
	[MG_SQL_STATUS_INCIDENT_REPORT] = { "core.incident_report",
	  "UPDATE incident SET cause = ?, measures = ? WHERE id = ?" },
	[MG_SQL_STATUS_NOTICE_INSERT] = { "core.status_notice_insert",
	  "INSERT INTO notice (tenant_id, kind, title, body, published_at, created_by)"
	  " VALUES (0, ?, ?, ?, FROM_UNIXTIME(?), ?)" },
	[MG_SQL_STATUS__MAX] = { NULL, NULL },
};

static char operator_mail[256];
static char public_url[256];

void mg_status_setup(const struct mg_config *cfg)
{
	snprintf(operator_mail, sizeof(operator_mail), "%s", cfg->operator_mail);
	snprintf(public_url, sizeof(public_url), "%s", cfg->public_url);
}

const char *mg_window_text(struct mg_arena *arena, const char *zone, time_t from, time_t to, const char *lang)
{
	char a[80], b[80], da[16], db[16];
	mg_tz_format(zone, from, MG_TZ_PEOPLE, lang, a, sizeof(a));
	mg_tz_format(zone, from, MG_TZ_DATE, lang, da, sizeof(da));
	mg_tz_format(zone, to, MG_TZ_DATE, lang, db, sizeof(db));
	mg_tz_format(zone, to, strcmp(da, db) == 0 ? MG_TZ_CLOCK : MG_TZ_PEOPLE, lang, b, sizeof(b));
	return mg_arena_printf(arena, "%s–%s", a, b);
}

/* Mails every active tenant's administrators (those with an address): subject and body made
 * per tenant by compose in the tenant's zone; and the operator when to_operator. */
typedef void (*compose_fn)(struct mg_arena *arena, const char *zone, const void *arg, const char **subject,
			   const char **body);

static enum mg_err mail_admins(struct mg_db *db, struct mg_arena *arena, compose_fn compose, const void *arg,
			       bool to_operator, unsigned *sent)
{
	struct mg_rows rows;
	unsigned char key[MG_KEY_BYTES];
	uint64_t keyed = 0;
	*sent = 0;
	enum mg_err err = mg_db_exec(db, arena, &mg_status_statements[MG_SQL_STATUS_ADMINS], NULL, 0, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	for (size_t r = 0; r < rows.nrows; r++) {
		uint64_t tenant = mg_cell_u64(MG_CELL(&rows, r, 0));
		if (keyed != tenant) {
			if ((err = mg_mail_tenant_key(db, arena, tenant, key)) != MG_OK) {
				mg_log_warn("status: no key for tenant %llu: %s", (unsigned long long)tenant, mg_strerror(err));
				keyed = 0;
				continue;
			}
			keyed = tenant;
		}
		char aad[64];
		snprintf(aad, sizeof(aad), "staff.email:tenant=%llu", (unsigned long long)tenant);
		struct mg_buf addr;
		mg_buf_init(&addr);
		if (mg_unseal(key, aad, MG_CELL(&rows, r, 3), rows.lens[r * rows.ncols + 3], &addr) != MG_OK ||
		    addr.len == 0) {
			mg_buf_free(&addr);
			continue;
		}
		const char *subject, *body;
		compose(arena, MG_CELL(&rows, r, 1), arg, &subject, &body);
		err = mg_mail_enqueue(db, tenant, key, (const char *)addr.data, subject, body);
		mg_buf_free(&addr);
		if (err != MG_OK)
			goto out;
		(*sent)++;
	}
	if (to_operator && operator_mail[0] != '\0') {
		const char *subject, *body;
		compose(arena, mg_tz_platform(), arg, &subject, &body);
		if ((err = mg_mail_tenant_key(db, arena, 0, key)) != MG_OK ||
		    (err = mg_mail_enqueue(db, 0, key, operator_mail, subject, body)) != MG_OK)
			goto out;
		(*sent)++;
	}
out:
	OPENSSL_cleanse(key, sizeof(key));
	return err;
}

/* ---- maintenance windows ---- */

enum window_mail { WINDOW_ANNOUNCE, WINDOW_REMIND, WINDOW_EMERGENCY };

struct window_arg {
	enum window_mail kind;
	time_t from, to;
	const char *reason;
};

static void compose_window(struct mg_arena *arena, const char *zone, const void *varg, const char **subject,
			   const char **body)
{
	const struct window_arg *w = varg;
	const char *ja = mg_window_text(arena, zone, w->from, w->to, "ja");
	const char *en = mg_window_text(arena, zone, w->from, w->to, "en");
	static const char *const subjects[] = { "【メンテナンスのお知らせ】", "【メンテナンス前日のご案内】",
						"【緊急メンテナンスのお知らせ】" };
	static const char *const leads_ja[] = {
		"次の日時にメンテナンスを行います。この間、窓口のサービス（公開ページと管理画面）はご利用いただけません。",
		"明日、次の日時にメンテナンスを行います。この間、窓口のサービス（公開ページと管理画面）はご利用いただけません。",
		"緊急メンテナンスを行います。終了まで、窓口のサービス（公開ページと管理画面）はご利用いただけません。",
	};
	static const char *const leads_en[] = {
		"Scheduled maintenance: the service (public pages and back office) is unavailable during",
		"Reminder: maintenance tomorrow; the service (public pages and back office) is unavailable during",
		"Emergency maintenance: the service (public pages and back office) is unavailable during",
	};
	*subject = mg_arena_printf(arena, "%s%s", subjects[w->kind], ja);
	*body = mg_arena_printf(arena,
				"窓口（Madoguchi）をご契約の皆さま\n\n%s\n\n日時: %s（%s）\n理由: %s\n\n"
				"運用状況: %s/status\n\nご不便をおかけしますが、ご理解のほどお願いいたします。\n\n"
				"-- \n%s %s (%s). Reason: %s\nStatus: %s/status\n",
				leads_ja[w->kind], ja, mg_tz_label(zone, "ja"), w->reason, public_url, leads_en[w->kind], en,
				mg_tz_label(zone, "en"), w->reason, public_url);
}

struct schedule_args {
	time_t now, from, to;
	const char *reason, *actor;
	bool emergency;
	uint64_t id;
};

static enum mg_err schedule_txn(struct mg_db *db, void *varg)
{
	struct schedule_args *a = varg;
	struct mg_arena *arena = mg_arena_new();
	unsigned long long id = 0;
	unsigned sent = 0;
	struct mg_dbval row[] = { MG_INT(a->from), MG_INT(a->to), MG_TEXT(a->reason), MG_INT(a->emergency),
				  MG_TEXT(a->actor), MG_INT(a->now) };
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_status_statements[MG_SQL_STATUS_WINDOW_INSERT], row, 6, NULL, NULL, &id);
	if (err != MG_OK)
		goto out;
	struct window_arg w = { a->emergency ? WINDOW_EMERGENCY : WINDOW_ANNOUNCE, a->from, a->to, a->reason };
	if ((err = mail_admins(db, arena, compose_window, &w, a->emergency, &sent)) != MG_OK)
		goto out;
	struct mg_dbval done[] = { MG_INT(a->now), MG_INT(id) };
	if ((err = mg_db_exec(db, arena, &mg_status_statements[MG_SQL_STATUS_WINDOW_ANNOUNCED], done, 2, NULL, NULL,
			      NULL)) != MG_OK)
		goto out;
	const char *detail = mg_arena_printf(arena, "%s %lld..%lld, %u mail(s)", a->emergency ? "emergency" : "scheduled",
					     (long long)a->from, (long long)a->to, sent);
	struct mg_audit_event ev = { 0, a->actor, "maintenance.schedule", mg_arena_printf(arena, "window:%llu", id), "",
				     "madoguchi", "success", detail };
	err = mg_audit_append(db, arena, &ev);
	a->id = id;
out:
	mg_arena_free(arena);
	return err;
}

static enum mg_err start_window(struct mg_db *db, struct mg_arena *arena, time_t now, uint64_t id, time_t from,
				time_t to, const char *reason);

enum mg_err mg_window_schedule(struct mg_db *db, time_t now, time_t from, time_t to, const char *reason,
			       bool emergency, const char *actor, uint64_t *id)
{
	if (emergency)
		from = now;
	if (reason == NULL || reason[0] == '\0' || strlen(reason) > 4 * MG_WINDOW_REASON_MAX || to <= from ||
	    (!emergency && from < now))
		return MG_ERR_INPUT;
	struct schedule_args a = { now, from, to, reason, actor, emergency, 0 };
	enum mg_err err = mg_db_transaction(db, schedule_txn, &a);
	if (err == MG_OK && id != NULL)
		*id = a.id;
	if (err == MG_OK && emergency) {
		struct mg_arena *arena = mg_arena_new();
		err = start_window(db, arena, now, a.id, from, to, reason);
		mg_arena_free(arena);
	}
	return err;
}

/* Posts the window's platform notice, turns the switch on with it and marks the window active. */
static enum mg_err start_window(struct mg_db *db, struct mg_arena *arena, time_t now, uint64_t id, time_t from,
				time_t to, const char *reason)
{
	const char *zone = mg_tz_platform();
	const char *title = mg_arena_printf(arena, "メンテナンス中 / Maintenance: %s",
					    mg_window_text(arena, zone, from, to, "ja"));
	unsigned long long notice = 0;
	struct mg_dbval n[] = { MG_TEXT("maintenance"), MG_TEXT(title), MG_TEXT(reason), MG_INT(now),
				MG_TEXT("operator:maintenance") };
	enum mg_err err = mg_db_exec(db, arena, &mg_status_statements[MG_SQL_STATUS_NOTICE_INSERT], n, 5, NULL, NULL, &notice);
	if (err != MG_OK)
		return err;
	long retry = to > now ? (long)(to - now) : 60;
	if (retry > 7L * 24 * 3600)
		retry = 7L * 24 * 3600;
	if ((err = mg_maintenance_set(db, true, notice, retry, "operator:maintenance", "", "core.maintenance")) != MG_OK)
		return err;
	struct mg_dbval s[] = { MG_INT(now), MG_INT(id) };
	return mg_db_exec(db, arena, &mg_status_statements[MG_SQL_STATUS_WINDOW_STARTED], s, 2, NULL, NULL, NULL);
}

struct remind_args {
	time_t now;
	uint64_t id;
	struct window_arg w;
	unsigned sent;
	bool done;
};

static enum mg_err remind_txn(struct mg_db *db, void *varg)
{
	struct remind_args *a = varg;
	struct mg_arena *arena = mg_arena_new();
	unsigned long long affected = 0;
	struct mg_dbval key[] = { MG_INT(a->now), MG_INT(a->id) };
	/* the mark first: a second scheduler finds it taken and sends nothing */
	enum mg_err err = mg_db_exec(db, arena, &mg_status_statements[MG_SQL_STATUS_WINDOW_REMINDED], key, 2, NULL,
				     &affected, NULL);
	if (err == MG_OK && affected == 1)
		err = mail_admins(db, arena, compose_window, &a->w, false, &a->sent);
	a->done = affected == 1;
	mg_arena_free(arena);
	return err;
}

enum mg_err mg_maintenance_job(struct mg_db *db, struct mg_arena *arena, time_t now)
{
	struct mg_rows rows;
	unsigned reminded = 0, started = 0, ended = 0;
	struct mg_dbval due[] = { MG_INT(now), MG_INT(now + MG_WINDOW_REMIND) };
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_status_statements[MG_SQL_STATUS_WINDOW_TO_REMIND], due, 2, &rows, NULL, NULL);
	for (size_t r = 0; err == MG_OK && r < rows.nrows; r++) {
		struct remind_args a = { now, mg_cell_u64(MG_CELL(&rows, r, 0)),
					 { WINDOW_REMIND, (time_t)mg_cell_u64(MG_CELL(&rows, r, 1)),
					   (time_t)mg_cell_u64(MG_CELL(&rows, r, 2)), MG_CELL(&rows, r, 3) },
					 0, false };
		if ((err = mg_db_transaction(db, remind_txn, &a)) == MG_OK && a.done)
			reminded++;
	}
	/* windows that ended first, so that a window following another leaves the switch on */
	struct mg_dbval at[] = { MG_INT(now) };
	if (err == MG_OK)
		err = mg_db_exec(db, arena, &mg_status_statements[MG_SQL_STATUS_WINDOW_TO_END], at, 1, &rows, NULL, NULL);
	for (size_t r = 0; err == MG_OK && r < rows.nrows; r++) {
		struct mg_dbval e[] = { MG_INT(now), MG_INT(mg_cell_u64(MG_CELL(&rows, r, 0))) };
		if ((err = mg_db_exec(db, arena, &mg_status_statements[MG_SQL_STATUS_WINDOW_ENDED], e, 2, NULL, NULL,
				      NULL)) == MG_OK &&
		    (err = mg_maintenance_set(db, false, 0, 0, "operator:maintenance", "", "core.maintenance")) == MG_OK)
			ended++;
	}
	if (err == MG_OK)
		err = mg_db_exec(db, arena, &mg_status_statements[MG_SQL_STATUS_WINDOW_TO_START], at, 1, &rows, NULL, NULL);
	for (size_t r = 0; err == MG_OK && r < rows.nrows; r++) {
		time_t to = (time_t)mg_cell_u64(MG_CELL(&rows, r, 2));
		uint64_t id = mg_cell_u64(MG_CELL(&rows, r, 0));
		if (to <= now) { /* missed entirely (no scheduler ran): recorded, never switched on */
			struct mg_dbval s[] = { MG_INT(now), MG_INT(id) };
			if ((err = mg_db_exec(db, arena, &mg_status_statements[MG_SQL_STATUS_WINDOW_STARTED], s, 2, NULL,
					      NULL, NULL)) == MG_OK)
				err = mg_db_exec(db, arena, &mg_status_statements[MG_SQL_STATUS_WINDOW_ENDED], s, 2, NULL,
						 NULL, NULL);
			continue;
		}
		if ((err = start_window(db, arena, now, id, (time_t)mg_cell_u64(MG_CELL(&rows, r, 1)), to,
					MG_CELL(&rows, r, 3))) == MG_OK)
			started++;
	}
	mg_log_info("maintenance: %u reminded, %u started, %u ended", reminded, started, ended);
	return err;
}

struct cancel_args {
	uint64_t id;
	const char *actor;
	bool active;
};

static enum mg_err cancel_txn(struct mg_db *db, void *varg)
{
	struct cancel_args *a = varg;
	struct mg_arena *arena = mg_arena_new();
	struct mg_rows rows;
	unsigned long long affected = 0;
	struct mg_dbval key[] = { MG_INT(a->id) }, since[] = { MG_INT(0) };
	a->active = false;
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_status_statements[MG_SQL_STATUS_WINDOW_LIST], since, 1, &rows, NULL, NULL);
	for (size_t r = 0; err == MG_OK && r < rows.nrows; r++)
		if (mg_cell_u64(MG_CELL(&rows, r, 0)) == a->id && strcmp(MG_CELL(&rows, r, 5), "active") == 0)
			a->active = true;
	if (err == MG_OK)
		err = mg_db_exec(db, arena, &mg_status_statements[MG_SQL_STATUS_WINDOW_CANCEL], key, 1, NULL, &affected,
				 NULL);
	if (err == MG_OK && affected == 0)
		err = MG_ERR_NOT_FOUND;
	if (err == MG_OK) {
		struct mg_audit_event ev = { 0, a->actor, "maintenance.cancel",
					     mg_arena_printf(arena, "window:%llu", (unsigned long long)a->id), "",
					     "madoguchi", "success", NULL };
		err = mg_audit_append(db, arena, &ev);
	}
	mg_arena_free(arena);
	return err;
}

enum mg_err mg_window_cancel(struct mg_db *db, uint64_t id, const char *actor)
{
	struct cancel_args a = { id, actor, false };
	enum mg_err err = mg_db_transaction(db, cancel_txn, &a);
	if (err == MG_OK && a.active)
		err = mg_maintenance_set(db, false, 0, 0, actor, "", "madoguchi maintenance cancel");
	return err;
}

enum mg_err mg_windows_list(struct mg_db *db, struct mg_arena *arena, time_t since, struct mg_rows *rows)
{
	struct mg_dbval key[] = { MG_INT(since) };
	return mg_db_exec(db, arena, &mg_status_statements[MG_SQL_STATUS_WINDOW_LIST], key, 1, rows, NULL, NULL);
}

enum mg_err mg_staff_set_email(struct mg_db *db, struct mg_arena *arena, uint64_t tenant_id, const char *login,
			       const char *email)
{
	unsigned char key[MG_KEY_BYTES];
	enum mg_err err = mg_mail_tenant_key(db, arena, tenant_id, key);
	if (err != MG_OK)
		return err;
	struct mg_buf sealed;
	mg_buf_init(&sealed);
	char aad[64];
	snprintf(aad, sizeof(aad), "staff.email:tenant=%llu", (unsigned long long)tenant_id);
	if (email[0] != '\0')
		err = mg_seal(key, aad, email, strlen(email), &sealed);
	OPENSSL_cleanse(key, sizeof(key));
	unsigned long long affected = 0;
	struct mg_dbval row[] = { email[0] ? MG_BLOB(sealed.data, sealed.len) : MG_NULL, MG_INT(tenant_id),
				  MG_TEXT(login) };
	if (err == MG_OK)
		err = mg_db_exec(db, arena, &mg_status_statements[MG_SQL_STATUS_STAFF_EMAIL], row, 3, NULL, &affected, NULL);
	if (err == MG_OK && affected == 0)
		err = MG_ERR_NOT_FOUND;
	mg_buf_free(&sealed);
	return err;
}

/* ---- checks and incidents ---- */

enum mg_err mg_check_record(struct mg_db *db, struct mg_arena *arena, time_t now, const char *name, bool ok,
			    const char *detail)
{
	struct mg_dbval row[] = { MG_TEXT(name), MG_INT(ok), MG_INT(ok), MG_INT(now), MG_TEXT(detail ? detail : ""),
				  MG_INT(now) };
	return mg_db_exec(db, arena, &mg_status_statements[MG_SQL_STATUS_CHECK_PUT], row, 6, NULL, NULL, NULL);
}

struct incident_arg {
	time_t started;
	const char *what;
};

static void compose_incident(struct mg_arena *arena, const char *zone, const void *varg, const char **subject,
			     const char **body)
{
	const struct incident_arg *i = varg;
	char ja[80], en[80];
	mg_tz_format(zone, i->started, MG_TZ_PEOPLE, "ja", ja, sizeof(ja));
	mg_tz_format(zone, i->started, MG_TZ_PEOPLE, "en", en, sizeof(en));
	*subject = mg_arena_printf(arena, "【障害のお知らせ】%s から窓口のサービスに障害が発生しています", ja);
	*body = mg_arena_printf(arena,
				"窓口（Madoguchi）をご契約の皆さま\n\n%s（%s）から、窓口のサービスの一部または全部がご利用いただけない"
				"状態になっています。現在、復旧に努めています。\n\n検知した内容: %s\n\n"
				"復旧の状況と障害の記録は運用状況のページでご確認いただけます: %s/status\n\n"
				"-- \nService disruption since %s (%s). Detected: %s\nStatus: %s/status\n",
				ja, mg_tz_label(zone, "ja"), i->what, public_url, en, mg_tz_label(zone, "en"), i->what,
				public_url);
}

struct evaluate_args {
	time_t now;
	long threshold;
	uint64_t opened, closed;
};

static enum mg_err evaluate_txn(struct mg_db *db, void *varg)
{
	struct evaluate_args *a = varg;
	struct mg_arena *arena = mg_arena_new();
	struct mg_rows failing, open;
	a->opened = a->closed = 0;
	enum mg_err err = mg_db_exec(db, arena, &mg_status_statements[MG_SQL_STATUS_INCIDENT_OPEN], NULL, 0, &open,
				     NULL, NULL);
	if (err != MG_OK ||
	    (err = mg_db_exec(db, arena, &mg_status_statements[MG_SQL_STATUS_CHECK_FAILING], NULL, 0, &failing, NULL,
			      NULL)) != MG_OK)
		goto out;
	struct mg_buf what;
	mg_buf_init(&what);
	time_t first = 0;
	bool past = false;
	for (size_t r = 0; r < failing.nrows; r++) {
		time_t since = (time_t)mg_cell_u64(MG_CELL(&failing, r, 1));
		if (since > a->now - a->threshold)
			continue;
		past = true;
		if (first == 0 || since < first)
			first = since;
		mg_buf_printf(&what, "%s%s%s%s", what.len ? "; " : "", MG_CELL(&failing, r, 0),
			      MG_CELL(&failing, r, 2)[0] ? ": " : "", MG_CELL(&failing, r, 2));
	}
	mg_buf_append(&what, "", 1);
	const char *what_text = mg_arena_printf(arena, "%.490s", (const char *)what.data);
	mg_buf_free(&what);
	if (open.nrows > 0) {
		uint64_t id = mg_cell_u64(MG_CELL(&open, 0, 0));
		if (!past) { /* nothing fails past the threshold any more */
			struct mg_dbval c[] = { MG_INT(a->now), MG_INT(id) };
			err = mg_db_exec(db, arena, &mg_status_statements[MG_SQL_STATUS_INCIDENT_CLOSE], c, 2, NULL, NULL, NULL);
			a->closed = id;
		} else if (past && strstr(MG_CELL(&open, 0, 1), what_text) == NULL && strlen(MG_CELL(&open, 0, 1)) < 250) {
			const char *more = mg_arena_printf(arena, "%s; %s", MG_CELL(&open, 0, 1), what_text);
			struct mg_dbval w[] = { MG_TEXT(more), MG_INT(id) };
			err = mg_db_exec(db, arena, &mg_status_statements[MG_SQL_STATUS_INCIDENT_WHAT], w, 2, NULL, NULL, NULL);
		}
		goto out;
	}
	if (!past)
		goto out;
	struct mg_rows recent;
	struct mg_dbval since[] = { MG_INT(a->now - MG_INCIDENT_FLAP) };
	if ((err = mg_db_exec(db, arena, &mg_status_statements[MG_SQL_STATUS_INCIDENT_RECENT_CLOSED], since, 1, &recent,
			      NULL, NULL)) != MG_OK)
		goto out;
	if (recent.nrows > 0) { /* flapping: the same incident goes on, no second mail */
		uint64_t id = mg_cell_u64(MG_CELL(&recent, 0, 0));
		struct mg_dbval k[] = { MG_INT(id) };
		err = mg_db_exec(db, arena, &mg_status_statements[MG_SQL_STATUS_INCIDENT_REOPEN], k, 1, NULL, NULL, NULL);
		a->opened = id;
		goto out;
	}
	unsigned long long id = 0;
	struct mg_dbval row[] = { MG_INT(first), MG_TEXT(what_text), MG_INT(a->now) };
	if ((err = mg_db_exec(db, arena, &mg_status_statements[MG_SQL_STATUS_INCIDENT_INSERT], row, 3, NULL, NULL,
			      &id)) != MG_OK)
		goto out;
	unsigned sent = 0;
	struct incident_arg i = { first, what_text };
	if ((err = mail_admins(db, arena, compose_incident, &i, true, &sent)) != MG_OK)
		goto out;
	struct mg_audit_event ev = { 0, "operator:monitor", "incident.open", mg_arena_printf(arena, "incident:%llu", id),
				     "", "core.monitor", "success", mg_arena_printf(arena, "%u mail(s)", sent) };
	err = mg_audit_append(db, arena, &ev);
	a->opened = id;
out:
	mg_arena_free(arena);
	return err;
}

enum mg_err mg_incident_evaluate(struct mg_db *db, struct mg_arena *arena, time_t now, long threshold,
				 uint64_t *opened, uint64_t *closed)
{
	(void)arena;
	struct evaluate_args a = { now, threshold, 0, 0 };
	enum mg_err err = mg_db_transaction(db, evaluate_txn, &a);
	if (opened)
		*opened = a.opened;
	if (closed)
		*closed = a.closed;
	return err;
}

enum mg_err mg_incidents_list(struct mg_db *db, struct mg_arena *arena, time_t since, struct mg_rows *rows)
{
	struct mg_dbval key[] = { MG_INT(since) };
	return mg_db_exec(db, arena, &mg_status_statements[MG_SQL_STATUS_INCIDENT_LIST], key, 1, rows, NULL, NULL);
}

enum mg_err mg_checks_list(struct mg_db *db, struct mg_arena *arena, struct mg_rows *rows)
{
	return mg_db_exec(db, arena, &mg_status_statements[MG_SQL_STATUS_CHECK_ALL], NULL, 0, rows, NULL, NULL);
}

struct report_args {
	uint64_t id;
	const char *cause, *measures, *actor;
};

static enum mg_err report_txn(struct mg_db *db, void *varg)
{
	struct report_args *a = varg;
	struct mg_arena *arena = mg_arena_new();
	unsigned long long affected = 0;
	struct mg_dbval row[] = { MG_TEXT(a->cause), MG_TEXT(a->measures), MG_INT(a->id) };
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_status_statements[MG_SQL_STATUS_INCIDENT_REPORT], row, 3, NULL, &affected, NULL);
	if (err == MG_OK) {
		struct mg_audit_event ev = { 0, a->actor, "incident.report", mg_arena_printf(arena, "incident:%llu",
											      (unsigned long long)a->id),
					     "", "madoguchi", "success", NULL };
		err = mg_audit_append(db, arena, &ev);
	}
	mg_arena_free(arena);
	return err;
}

enum mg_err mg_incident_report(struct mg_db *db, uint64_t id, const char *cause, const char *measures,
			       const char *actor)
{
	struct report_args a = { id, cause, measures, actor };
	return mg_db_transaction(db, report_txn, &a);
}

double mg_availability(const struct mg_rows *incidents, time_t month_start, time_t month_end, time_t now)
{
	time_t end = month_end < now ? month_end : now;
	if (end <= month_start)
		return 100.0;
	long long down = 0;
	for (size_t r = 0; r < incidents->nrows; r++) {
		time_t s = (time_t)mg_cell_u64(MG_CELL(incidents, r, 1)), e = (time_t)mg_cell_u64(MG_CELL(incidents, r, 2));
		if (e == 0)
			e = now;
		if (s < month_start)
			s = month_start;
		if (e > end)
			e = end;
		if (e > s)
			down += e - s;
	}
	return 100.0 * (double)((end - month_start) - down) / (double)(end - month_start);
}
