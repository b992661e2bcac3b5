/*
 * The core's own jobs, run by the scheduler (core/ops/jobs.c) beside the modules' jobs. Kept
 * apart from the scheduler so that the jobs may use the scheduler's notes (mg_job_note) while
 * the scheduler knows none of them.
 */
#include "backup.h"
#include "booking.h"
#include "inventory.h"
#include "calendar.h"
#include "jobs.h"
#include "lottery.h"
#include "mail.h"
#include "monitor.h"
#include "payment.h"
#include "purge.h"
#include "session.h"
#include "status.h"

/* Sessions past their time-outs are already refused (mg_session_load); this removes them so
 * the table holds only live ones. */
static enum mg_err sweep_sessions(struct mg_db *db, struct mg_arena *arena, time_t now)
{
	unsigned long long deleted = 0;
	enum mg_err err = mg_session_sweep(db, arena, now, &deleted);
	mg_job_note("deleted %llu expired session(s)", deleted);
	return err;
}

/* Lapsed holds already count as free (core/commerce/inventory.c); this tidies their rows, and marks
 * provisional holds past their deadline lapsed with their orders expired (core/commerce/booking.c), and
 * deletes the venue calendar's lapsed claims. */
static enum mg_err sweep_holds(struct mg_db *db, struct mg_arena *arena, time_t now)
{
	size_t tidied = 0, lapsed = 0, claims = 0;
	enum mg_err err = mg_inventory_sweep(db, arena, now, &tidied);
	if (err == MG_OK)
		err = mg_bookings_lapse_due(db, arena, now, &lapsed);
	/* a lapsed provisional occupation's claims count as free already (core/commerce/calendar.c);
	 * this deletes them */
	if (err == MG_OK)
		err = mg_calendar_sweep(db, arena, now, &claims);
	/* one note: a job's run keeps the last */
	mg_job_note("freed %zu lapsed hold(s); %zu provisional hold(s) lapsed; %zu lapsed calendar claim(s) deleted", tidied,
		    lapsed, claims);
	return err;
}

/* Draws the lotteries whose period closed and lapses wins not confirmed in time (core/commerce/lottery.c). */
static enum mg_err run_lotteries(struct mg_db *db, struct mg_arena *arena, time_t now)
{
	size_t drawn = 0, lapsed = 0;
	enum mg_err err = mg_lottery_job(db, arena, now, &drawn, &lapsed);
	mg_job_note("drew %zu lotter%s, lapsed %zu unconfirmed win(s)", drawn, drawn == 1 ? "y" : "ies", lapsed);
	return err;
}

/* The core's jobs, one comment each. Each job runs in its own transactions; the scheduler
 * records the runs.
 * ---- core jobs: add new entries here (e.g. the mail sender, mg_mail_send_pending) ---- */
const struct mg_job mg_core_jobs[] = {
	/* deletes sessions past their idle (30 min) or absolute (12 h) time-out */
	{ "core.session_sweep", "every 10m", sweep_sessions },
	/* delivers the mail outbox (maildir in dev, SMTP relay in production), with back-off */
	{ "core.mail", "every 1m", mg_mail_send_pending },
	/* frees the rows of cart holds that lapsed (they are already free to everyone else);
	 * provisional holds past their deadline lapse and expire the orders waiting on them */
	{ "core.hold_sweep", "every 1m", sweep_holds },
	/* the 30/60-day purges of terminated tenants: rows at T+30, backups and key at T+60 */
	{ "core.purge", "daily 04:00", mg_purge_job },
	/* a consistent backup (mariadb-backup, compressed, sealed, with a manifest), then the
	 * backups older than backup_keep_days deleted (core/ops/backup.c) */
	{ "core.backup", "daily 03:00", mg_backup_job },
	/* the newest backup restored into a scratch server, checked and compared with its
	 * manifest; the result recorded in restore_drill for the console (core/ops/drill.c) */
	{ "core.restore_drill", "daily 03:30", mg_drill_job },
	/* the test card provider's callbacks that did not get through at once (core/commerce/payment.c) */
	{ "core.test_card_callbacks", "every 1m", mg_test_card_deliver_pending },
	/* maintenance windows: the reminder 24 h before, the switch on at the start and off at the end */
	{ "core.maintenance", "every 1m", mg_maintenance_job },
	/* the watcher: /healthz of every host, database, scheduler, backup, drill, disk; incidents */
	{ "core.monitor", "every 1m", mg_monitor_job },
	/* draws each lottery at its close (idempotent, recorded on the draw), then lapses the wins
	 * not confirmed (当選確認) by their deadline so that their items are free again */
	{ "core.lottery", "every 1m", run_lotteries },
	{ NULL, NULL, NULL },
};

