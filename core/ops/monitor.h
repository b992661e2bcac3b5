/*
 * The watcher (issue 16): the job core.monitor and `madoguchi monitor` (for a separate watcher
 * host) look at every host's /healthz (monitor_urls), the database, the scheduler's heartbeat,
 * the last backup and restore drill, and the free space of the backup and scratch directories;
 * each result is recorded (core/platform/status.c), and a failure lasting past
 * monitor_threshold opens an incident, mailed once; all healthy again closes it.
 */
#ifndef MG_MONITOR_H
#define MG_MONITOR_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "arena.h"
#include "config.h"
#include "db.h"
#include "err.h"

enum {
	MG_MONITOR_HEARTBEAT = 300,          /* the scheduler's heartbeat at most this old */
	MG_MONITOR_BACKUP_AGE = 26 * 3600,   /* the newest good backup (and drill) at most this old */
	MG_MONITOR_DISK_FREE_PERCENT = 5,
};

enum mg_monitor_sql { MG_SQL_MONITOR_HEARTBEAT, MG_SQL_MONITOR_LAST_RUN, MG_SQL_MONITOR__MAX };
extern const struct mg_sql mg_monitor_statements[MG_SQL_MONITOR__MAX + 1];

void mg_monitor_setup(const struct mg_config *cfg);

/* What one round came to (for `madoguchi monitor`). */
struct mg_monitor_round {
	unsigned checks, failing;
	uint64_t opened, closed; /* incident ids, 0 for none */
};

/* The checks by name: web (each /healthz), database, scheduler, backup, drill, disk. */
extern const char *const mg_monitor_checks[];

/* One round of checks at now; extra_urls (space-separated, may be NULL) are /healthz addresses
 * looked at besides monitor_urls; insecure: do not verify their certificates (a test stack's
 * self-signed one); only (space-separated names of mg_monitor_checks, NULL for all) limits the
 * round to those checks. */
enum mg_err mg_monitor_round(struct mg_db *db, struct mg_arena *arena, time_t now, const char *extra_urls,
			     bool insecure, const char *only, struct mg_monitor_round *out);
/* The job core.monitor. */
enum mg_err mg_monitor_job(struct mg_db *db, struct mg_arena *arena, time_t now);

#endif
