/*
 * Keeping contractors informed (issue 16): maintenance windows and incidents.
 *
 * A window is scheduled ahead (every active tenant's administrators are mailed at once and
 * reminded MG_WINDOW_REMIND before; the job core.maintenance turns the maintenance switch on at
 * its start and off at its end) or is an emergency one (starts now, mailed first). The watcher
 * (core/ops/monitor.c) records what each check saw; a check failing past the threshold opens an
 * incident, mailed once to the operator and the tenants' administrators, and closed with its
 * downtime when every check is healthy again. A failure within MG_INCIDENT_FLAP of a close
 * reopens that incident without another mail. Times are stored in UTC.
 */
#ifndef MG_STATUS_H
#define MG_STATUS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "arena.h"
#include "config.h"
#include "db.h"
#include "err.h"

enum {
	MG_WINDOW_REMIND = 24 * 3600, /* the reminder, before a window starts */
	MG_INCIDENT_FLAP = 3600,      /* a failure this soon after a close reopens the incident */
	MG_WINDOW_REASON_MAX = 500,   /* characters */
	MG_STATUS_DAYS = 90,          /* the history the status page shows */
};

enum mg_status_sql {
	MG_SQL_STATUS_WINDOW_INSERT,
	MG_SQL_STATUS_WINDOW_ANNOUNCED,
	MG_SQL_STATUS_WINDOW_TO_REMIND,
	MG_SQL_STATUS_WINDOW_REMINDED,
	MG_SQL_STATUS_WINDOW_TO_START,
	MG_SQL_STATUS_WINDOW_STARTED,
	MG_SQL_STATUS_WINDOW_TO_END,
	MG_SQL_STATUS_WINDOW_ENDED,
	MG_SQL_STATUS_WINDOW_CANCEL,
	MG_SQL_STATUS_WINDOW_LIST,
	MG_SQL_STATUS_ADMINS,
	MG_SQL_STATUS_STAFF_EMAIL,
	MG_SQL_STATUS_CHECK_PUT,
	MG_SQL_STATUS_CHECK_FAILING,
	MG_SQL_STATUS_CHECK_ALL,
	MG_SQL_STATUS_INCIDENT_OPEN,
	MG_SQL_STATUS_INCIDENT_RECENT_CLOSED,
	MG_SQL_STATUS_INCIDENT_REOPEN,
	MG_SQL_STATUS_INCIDENT_INSERT,
	MG_SQL_STATUS_INCIDENT_WHAT,
	MG_SQL_STATUS_INCIDENT_CLOSE,
	MG_SQL_STATUS_INCIDENT_LIST,
	MG_SQL_STATUS_INCIDENT_REPORT,
	MG_SQL_STATUS_NOTICE_INSERT,
	MG_SQL_STATUS__MAX
};
extern const struct mg_sql mg_status_statements[MG_SQL_STATUS__MAX + 1];

/* Schedules a window [from, to) with a reason, mails every active tenant's administrators at
 * once (in the same transaction) and audits it as actor. emergency: it starts now (from is
 * ignored) and the switch turns on at once. MG_ERR_INPUT when to <= from, from is past (for a
 * scheduled one) or the reason is empty or too long. */
enum mg_err mg_window_schedule(struct mg_db *db, time_t now, time_t from, time_t to, const char *reason,
			       bool emergency, const char *actor, uint64_t *id);
/* Cancels a window that has not ended (turning the switch off when it was on). */
enum mg_err mg_window_cancel(struct mg_db *db, uint64_t id, const char *actor);
/* The job core.maintenance: reminders due, windows to start, windows to end. */
enum mg_err mg_maintenance_job(struct mg_db *db, struct mg_arena *arena, time_t now);
/* Windows ending after since (upcoming, active, done; not cancelled), soonest first: rows of
 * (id, UNIX starts, UNIX ends, reason, emergency, state). */
enum mg_err mg_windows_list(struct mg_db *db, struct mg_arena *arena, time_t since, struct mg_rows *rows);

/* Sets the (normalised) address the staff member login is mailed at about maintenance and
 * incidents ("" removes it). MG_ERR_NOT_FOUND when there is no such login. */
enum mg_err mg_staff_set_email(struct mg_db *db, struct mg_arena *arena, uint64_t tenant_id, const char *login,
			       const char *email);

/* The watcher records one check's result at now. */
enum mg_err mg_check_record(struct mg_db *db, struct mg_arena *arena, time_t now, const char *name, bool ok,
			    const char *detail);
/* After a round of checks: opens (and mails once), reopens or closes the incident. threshold:
 * seconds a check must have failed. *opened / *closed say what happened (may be NULL). */
enum mg_err mg_incident_evaluate(struct mg_db *db, struct mg_arena *arena, time_t now, long threshold,
				 uint64_t *opened, uint64_t *closed);
/* Incidents started after since, newest first: rows of (id, UNIX started, UNIX ended or 0, what,
 * services, cause, measures). */
enum mg_err mg_incidents_list(struct mg_db *db, struct mg_arena *arena, time_t since, struct mg_rows *rows);
/* The operator's 原因と対策 of an incident; MG_ERR_NOT_FOUND when there is none. */
enum mg_err mg_incident_report(struct mg_db *db, uint64_t id, const char *cause, const char *measures,
			       const char *actor);
/* The checks as last seen: rows of (name, ok, UNIX failing_since or 0, detail, UNIX checked_at). */
enum mg_err mg_checks_list(struct mg_db *db, struct mg_arena *arena, struct mg_rows *rows);
/* Availability (0..100) of the month starting at month_start (UTC instant) and ending at
 * month_end, from the incident rows of mg_incidents_list, counting until now at most. */
double mg_availability(const struct mg_rows *incidents, time_t month_start, time_t month_end, time_t now);

/* Remembers the configuration: operator_mail (incidents to the operator, "" for nobody) and
 * public_url (the status page the mails link to). */
void mg_status_setup(const struct mg_config *cfg);
/* "2026年12月10日(木) 02:00–04:00" / "Thu 10 Dec 2026, 02:00–04:00" of [from, to) in zone (arena). */
const char *mg_window_text(struct mg_arena *arena, const char *zone, time_t from, time_t to, const char *lang);

#endif
