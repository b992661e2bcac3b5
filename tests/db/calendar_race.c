/*
 * core/commerce/calendar.c against a real MariaDB, with real concurrency: threads, each with its
 * own connection, race to occupy overlapping evenings of a hall (大ホール) and of its two parts
 * (舞台, 客席). Run by tests/http/test_calendar.py:   calendar_race CONFIG TENANT_ID
 * Prints one line per check and exits 0 when every check held, 1 otherwise.
 *
 * What it proves: of occupations that all overlap in time, exactly one whole, or at most one per
 * part, wins; two parts side by side are allowed; the database holds no two live occupations of
 * related spaces that overlap, and every occupation has all its claims; a provisional occupation
 * that lapses (a later clock) is taken by someone else and can no longer be confirmed, and the
 * sweep deletes what it left; opening hours, closed days and national holidays refuse a rental
 * unless staff override them.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calendar.h"
#include "clock.h"
#include "config.h"
#include "db.h"

enum { THREADS = 12, ROUNDS = 40, SLOT = MG_CALENDAR_SLOT_SECONDS };

static struct mg_config cfg;
static uint64_t tenant;
static int failures;
static uint64_t hall, stage, seats, room;
static time_t base; /* 18:00 in Tokyo of a day far ahead, on a slot boundary */

/* checks of the database itself, beside the calendar's statements */
/* The statements of check_statements (calendar_race.c); a call names one as &check_statements[<constant>]. */
enum check_sql {
	CHECK_SQL_CALENDAR_OVERLAPS,
	CHECK_SQL_CALENDAR_CLAIM_TOTALS,
	CHECK_SQL_CALENDAR_CLAIMS_OF,
	CHECK_SQL__MAX
};

static const struct mg_sql check_statements[] = {
	[CHECK_SQL_CALENDAR_OVERLAPS] = { "test.calendar_overlaps",
	  "SELECT COUNT(*) FROM calendar_occupation a JOIN calendar_occupation b"
	  " ON b.tenant_id = a.tenant_id AND b.id > a.id"
	  " AND a.first_slot <= b.last_slot AND b.first_slot <= a.last_slot"
	  " AND (a.space_id = b.space_id OR a.space_id = ? OR b.space_id = ?)"
	  " WHERE a.tenant_id = ? AND (a.expires_at IS NULL OR a.expires_at >= FROM_UNIXTIME(?))"
	  " AND (b.expires_at IS NULL OR b.expires_at >= FROM_UNIXTIME(?))" },
	[CHECK_SQL_CALENDAR_CLAIM_TOTALS] = { "test.calendar_claim_totals",
	  "SELECT (SELECT COALESCE(SUM(claims), 0) FROM calendar_occupation WHERE tenant_id = ?"
	  " AND (expires_at IS NULL OR expires_at >= FROM_UNIXTIME(?))),"
	  " (SELECT COUNT(*) FROM calendar_claim WHERE tenant_id = ?)" },
	[CHECK_SQL_CALENDAR_CLAIMS_OF] = { "test.calendar_claims_of",
	  "SELECT COUNT(*) FROM calendar_claim WHERE tenant_id = ? AND occupation_id = ?" },
	[CHECK_SQL__MAX] = { NULL, NULL },
};

static void check(bool ok, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("%s ", ok ? "ok" : "FAILED");
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
	if (!ok)
		failures++;
}

static struct mg_db *connect_db(void)
{
	struct mg_db_params params = { cfg.db_socket, cfg.db_host, (unsigned)cfg.db_port, cfg.db_user, cfg.db_password,
				       cfg.db_name };
	struct mg_db *db = NULL;
	if (mg_db_open(&params, &db) != MG_OK) {
		fprintf(stderr, "calendar_race: cannot connect to the database\n");
		exit(2);
	}
	return db;
}

/* One calendar call run by mg_db_transaction. */
struct op {
	enum { OP_SPACE, OP_OCCUPY, OP_CONFIRM, OP_HOURS, OP_CLOSED } what;
	struct mg_space space;
	struct mg_occupation occ;
	bool outside_hours;
	time_t now;
	uint64_t id;
	int weekday, open_minute, close_minute;
	const char *rule;
	struct mg_calendar_conflict conflict;
	char conflict_label[200], conflict_kind[40];
	struct mg_arena *arena;
};

static enum mg_err run_op(struct mg_db *db, void *arg)
{
	struct op *op = arg;
	enum mg_err err = MG_ERR_INTERNAL;
	switch (op->what) {
	case OP_SPACE:
		return mg_space_create(db, op->arena, tenant, &op->space, &op->id);
	case OP_OCCUPY:
		err = mg_calendar_occupy(db, op->arena, tenant, &op->occ, op->outside_hours, op->now, &op->id,
					 &op->conflict);
		/* the conflict's strings live in the arena: keep copies */
		snprintf(op->conflict_label, sizeof(op->conflict_label), "%s",
			 op->conflict.label != NULL ? op->conflict.label : "");
		snprintf(op->conflict_kind, sizeof(op->conflict_kind), "%s",
			 op->conflict.owner_kind != NULL ? op->conflict.owner_kind : "");
		return err;
	case OP_CONFIRM:
		return mg_calendar_confirm(db, op->arena, tenant, op->id);
	case OP_HOURS:
		return mg_space_set_hours(db, op->arena, tenant, op->id, op->weekday, op->open_minute, op->close_minute);
	case OP_CLOSED:
		return mg_space_add_closed(db, op->arena, tenant, op->id, op->rule, "休館日");
	}
	return err;
}

static enum mg_err txn(struct mg_db *db, struct op *op)
{
	struct mg_arena *arena = mg_arena_new();
	op->arena = arena;
	enum mg_err err = mg_db_transaction(db, run_op, op);
	mg_arena_free(arena);
	op->arena = NULL;
	return err;
}

static uint64_t make_space(struct mg_db *db, uint64_t parent, const char *name, int buffer)
{
	struct op op = { .what = OP_SPACE,
			 .space = { .parent_id = parent, .name = name, .kind = "hall", .buffer_minutes = buffer,
				    .active = true } };
	enum mg_err err = txn(db, &op);
	check(err == MG_OK, "space %s created (%s)", name, mg_strerror(err));
	return op.id;
}

static enum mg_err occupy(struct mg_db *db, uint64_t space, time_t from, time_t to, const char *label,
			  uint64_t hold, time_t expires, time_t now, bool outside_hours, struct op *out)
{
	struct op op = { .what = OP_OCCUPY,
			 .occ = { .space_id = space, .from = from, .to = to, .owner_kind = "test.race", .owner_id = 1,
				  .hold_id = hold, .expires = expires, .label = label },
			 .outside_hours = outside_hours,
			 .now = now };
	enum mg_err err = txn(db, &op);
	if (out != NULL)
		*out = op;
	return err;
}

/* ---- 1. many threads, one evening per round ---- */

struct win {
	int round;
	uint64_t space;
};
static struct win wins[THREADS * ROUNDS];
static size_t nwins, nlost, nother;
static pthread_mutex_t record_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t barrier;

static void *race_worker(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg * 7919u + 13u;
	struct mg_db *db = connect_db();
	for (int r = 0; r < ROUNDS; r++) {
		/* every span of a round contains 19:00–20:00 of that evening: they all overlap */
		time_t evening = base + (time_t)r * 86400;
		time_t from = evening + (time_t)(rand_r(&seed) % 4) * SLOT;
		time_t to = evening + 2 * 3600 + (time_t)(rand_r(&seed) % 8) * SLOT;
		unsigned pick = rand_r(&seed) % 3;
		uint64_t space = pick == 0 ? hall : pick == 1 ? stage : seats;
		pthread_barrier_wait(&barrier);
		enum mg_err err = occupy(db, space, from, to, "競争", 0, 0, mg_now(), true, NULL);
		pthread_mutex_lock(&record_lock);
		if (err == MG_OK)
			wins[nwins++] = (struct win){ r, space };
		else if (err == MG_ERR_CONFLICT)
			nlost++;
		else if (nother++ == 0)
			fprintf(stderr, "calendar_race: first other error: %s\n", mg_strerror(err));
		pthread_mutex_unlock(&record_lock);
	}
	mg_db_close(db);
	return NULL;
}

static void racing_for_a_whole_and_its_parts(struct mg_db *db)
{
	pthread_barrier_init(&barrier, NULL, THREADS);
	pthread_t threads[THREADS];
	for (uintptr_t t = 0; t < THREADS; t++)
		pthread_create(&threads[t], NULL, race_worker, (void *)t);
	for (int t = 0; t < THREADS; t++)
		pthread_join(threads[t], NULL);
	pthread_barrier_destroy(&barrier);
	check(nother == 0, "%d threads × %d rounds: %zu won, %zu lost with a conflict, %zu other errors", THREADS, ROUNDS,
	      nwins, nlost, nother);
	int bad = 0, empty = 0, side_by_side = 0, whole = 0;
	for (int r = 0; r < ROUNDS; r++) {
		int n_hall = 0, n_stage = 0, n_seats = 0;
		for (size_t i = 0; i < nwins; i++)
			if (wins[i].round == r) {
				n_hall += wins[i].space == hall;
				n_stage += wins[i].space == stage;
				n_seats += wins[i].space == seats;
			}
		if (n_hall + n_stage + n_seats == 0)
			empty++;
		else if (n_hall > 1 || n_stage > 1 || n_seats > 1 || (n_hall == 1 && n_stage + n_seats > 0))
			bad++;
		side_by_side += n_stage == 1 && n_seats == 1;
		whole += n_hall == 1;
	}
	check(bad == 0, "exactly one winner per conflicting set in every round (%d rounds broke it)", bad);
	check(empty == 0, "every round had a winner (%d had none)", empty);
	check(side_by_side > 0 && whole > 0, "the whole won %d rounds; both parts side by side won %d", whole,
	      side_by_side);
}

/* ---- 2. the database itself ---- */

static void no_overlap_in_the_database(struct mg_db *db, time_t now, const char *when)
{
	struct mg_arena *arena = mg_arena_new();
	struct mg_dbval args[] = { MG_INT(hall), MG_INT(hall), MG_INT(tenant), MG_INT(now), MG_INT(now) };
	struct mg_rows rows;
	enum mg_err err =
	    mg_db_exec(db, arena, &check_statements[CHECK_SQL_CALENDAR_OVERLAPS], args, 5, &rows, NULL, NULL);
	check(err == MG_OK && rows.nrows == 1 && strcmp(MG_CELL(&rows, 0, 0), "0") == 0,
	      "%s: no two live occupations of related spaces overlap (%s)", when,
	      err == MG_OK ? MG_CELL(&rows, 0, 0) : mg_strerror(err));
	mg_arena_free(arena);
}

static void every_claim_is_there(struct mg_db *db, time_t now)
{
	struct mg_arena *arena = mg_arena_new();
	struct mg_dbval args[] = { MG_INT(tenant), MG_INT(now), MG_INT(tenant) };
	struct mg_rows rows;
	enum mg_err err =
	    mg_db_exec(db, arena, &check_statements[CHECK_SQL_CALENDAR_CLAIM_TOTALS], args, 3, &rows, NULL, NULL);
	check(err == MG_OK && strcmp(MG_CELL(&rows, 0, 0), MG_CELL(&rows, 0, 1)) == 0,
	      "the live occupations' claims are all in the table, none more (%s of %s)",
	      err == MG_OK ? MG_CELL(&rows, 0, 1) : "?", err == MG_OK ? MG_CELL(&rows, 0, 0) : "?");
	mg_arena_free(arena);
}

/* ---- 3. parts, whole and the conflict report, one at a time ---- */

static void parts_side_by_side_and_the_whole_refused(struct mg_db *db)
{
	time_t day = base + 200 * 86400;
	struct op got;
	check(occupy(db, stage, day, day + 3 * 3600, "舞台の仕込み", 0, 0, mg_now(), true, NULL) == MG_OK,
	      "the stage alone");
	check(occupy(db, seats, day, day + 3 * 3600, "客席の点検", 0, 0, mg_now(), true, NULL) == MG_OK,
	      "the seats beside it, the same hours");
	enum mg_err err = occupy(db, hall, day + 3600, day + 2 * 3600, "全館", 0, 0, mg_now(), true, &got);
	check(err == MG_ERR_CONFLICT && (strcmp(got.conflict_label, "舞台の仕込み") == 0 ||
					 strcmp(got.conflict_label, "客席の点検") == 0) &&
		      strcmp(got.conflict_kind, "test.race") == 0,
	      "the whole is refused, naming what is there: %s (%s)", got.conflict_label, got.conflict_kind);
	/* the buffer: the hall keeps 30 minutes after; a part's occupation ending at 21:00 keeps the
	 * part until 21:30 (its own buffer is 0), the whole's until 21:30 */
	check(occupy(db, hall, day + 6 * 3600, day + 7 * 3600, "全館 2", 0, 0, mg_now(), true, NULL) == MG_OK,
	      "the whole, later that night");
	err = occupy(db, stage, day + 7 * 3600 + 15 * 60, day + 8 * 3600, "直後", 0, 0, mg_now(), true, &got);
	check(err == MG_ERR_CONFLICT && strcmp(got.conflict_label, "全館 2") == 0,
	      "a part within the whole's 30-minute buffer is refused (%s)", got.conflict_label);
	check(occupy(db, stage, day + 7 * 3600 + 30 * 60, day + 8 * 3600, "直後", 0, 0, mg_now(), true, NULL) == MG_OK,
	      "the part right after the buffer is free");
}

/* ---- 4. a provisional occupation that lapses ---- */

static void a_lapsed_occupation_is_taken_by_another(struct mg_db *db)
{
	time_t day = base + 300 * 86400, now = mg_now(), later = now + 7200;
	struct op first, second;
	enum mg_err err = occupy(db, stage, day, day + 3 * 3600, "仮予約 (山田)", 4242, now + 3600, now, true, &first);
	check(err == MG_OK, "a provisional occupation of the stage until its hold's deadline");
	err = occupy(db, hall, day, day + 2 * 3600, "本予約 (佐藤)", 0, 0, now, true, &second);
	check(err == MG_ERR_CONFLICT && strcmp(second.conflict_label, "仮予約 (山田)") == 0,
	      "before the deadline it stands in the way (%s)", second.conflict_label);
	/* a later clock: the hold lapsed */
	err = occupy(db, hall, day, day + 2 * 3600, "本予約 (佐藤)", 0, 0, later, true, &second);
	check(err == MG_OK, "after the deadline someone else takes it in one transaction (%s)", mg_strerror(err));
	struct op confirm = { .what = OP_CONFIRM, .id = first.id };
	check(txn(db, &confirm) == MG_ERR_EXPIRED, "the lapsed one can no longer be confirmed");
	no_overlap_in_the_database(db, later, "after the lapse");

	struct mg_arena *arena = mg_arena_new();
	struct mg_occupation *busy = NULL;
	size_t n = 0;
	err = mg_calendar_busy(db, arena, tenant, seats, day, day + 3 * 3600, later, &busy, &n);
	check(err == MG_OK && n == 1 && busy[0].id == second.id,
	      "the busy list of the seats shows the whole's occupation only (%zu)", n);
	size_t tidied = 0;
	err = mg_calendar_sweep(db, arena, later, &tidied);
	struct mg_dbval args[] = { MG_INT(tenant), MG_INT(first.id) };
	struct mg_rows rows;
	mg_db_exec(db, arena, &check_statements[CHECK_SQL_CALENDAR_CLAIMS_OF], args, 2, &rows, NULL, NULL);
	/* the stage was held 0:00–3:00, the whole taken 0:00–2:00 plus its 30-minute buffer: the
	 * stage's last two slots stayed claimed (counting as free) until the sweep */
	check(err == MG_OK && tidied >= 2 && strcmp(MG_CELL(&rows, 0, 0), "0") == 0,
	      "the sweep deleted the lapsed claims the taker did not need (%zu)", tidied);
	mg_arena_free(arena);

	/* confirmed in time, it stays past the deadline */
	err = occupy(db, seats, day + 5 * 3600, day + 6 * 3600, "仮予約 (鈴木)", 4343, now + 3600, now, true, &first);
	confirm.id = first.id;
	check(err == MG_OK && txn(db, &confirm) == MG_OK, "a provisional occupation confirmed before its deadline");
	err = occupy(db, seats, day + 5 * 3600, day + 6 * 3600, "後から", 0, 0, later, true, &second);
	check(err == MG_ERR_CONFLICT, "and it holds after the deadline");
}

/* ---- 5. hours, closed days, national holidays ---- */

static void hours_and_closed_days(struct mg_db *db)
{
	room = make_space(db, 0, "会議室1", 0);
	uint64_t corner = make_space(db, room, "会議室1 A", 0);
	int set = 0;
	for (int w = 0; w < 7; w++) {
		struct op op = { .what = OP_HOURS, .id = room, .weekday = w, .open_minute = 9 * 60, .close_minute = 22 * 60 };
		set += txn(db, &op) == MG_OK;
	}
	check(set == 7, "hours 9:00–22:00 set for the 7 weekdays");
	struct op wrong = { .what = OP_HOURS, .id = room, .weekday = 7, .open_minute = 0, .close_minute = 60 };
	check(txn(db, &wrong) == MG_ERR_INPUT, "a weekday 7 is refused");
	const char *rules[] = { "mon", "12-29..01-03", "holidays", "2027-02-16" };
	for (size_t i = 0; i < 4; i++) {
		struct op op = { .what = OP_CLOSED, .id = room, .rule = rules[i] };
		check(txn(db, &op) == MG_OK, "closed-day rule %s", rules[i]);
	}
	struct op bad = { .what = OP_CLOSED, .id = room, .rule = "every monday" };
	check(txn(db, &bad) == MG_ERR_INPUT, "a rule that is none is refused");

	struct mg_arena *arena = mg_arena_new();
	time_t open_at = 0, close_at = 0;
	const char *why = NULL;
	struct {
		const char *date, *why;
	} days[] = {
		{ "2027-02-15", "closed" },  /* a Monday */
		{ "2026-12-30", "closed" },  /* 年末年始 */
		{ "2027-01-03", "closed" },
		{ "2027-02-11", "holiday" }, /* 建国記念の日, a Thursday */
		{ "2027-02-16", "closed" },  /* the one-off day */
		{ "2027-02-17", NULL },      /* a Wednesday */
	};
	for (size_t i = 0; i < sizeof(days) / sizeof(days[0]); i++) {
		enum mg_err err = mg_space_day(db, arena, tenant, corner, days[i].date, &open_at, &close_at, &why);
		if (days[i].why == NULL)
			check(err == MG_OK && close_at - open_at == 13 * 3600, "%s open 9:00–22:00 for the part too",
			      days[i].date);
		else
			check(err == MG_ERR_NOT_FOUND && why != NULL && strcmp(why, days[i].why) == 0, "%s is %s for the part",
			      days[i].date, days[i].why);
	}
	/* 2027-02-17 18:00–21:00 inside the hours; 21:00–23:00 outside them */
	struct op got;
	enum mg_err err = occupy(db, corner, open_at + 9 * 3600, open_at + 12 * 3600, "会議", 0, 0, mg_now(), false, &got);
	check(err == MG_OK, "a rental inside the hours (%s)", mg_strerror(err));
	err = occupy(db, corner, open_at + 12 * 3600, open_at + 14 * 3600, "延長", 0, 0, mg_now(), false, &got);
	check(err == MG_ERR_INPUT && strcmp(got.conflict_kind, "hours") == 0, "past closing time refused (%s)",
	      got.conflict_kind);
	err = occupy(db, corner, open_at + 12 * 3600, open_at + 14 * 3600, "延長", 0, 0, mg_now(), true, &got);
	check(err == MG_OK, "unless staff override the hours");
	/* the Monday before */
	err = occupy(db, room, open_at - 2 * 86400 + 3600, open_at - 2 * 86400 + 7200, "月曜", 0, 0, mg_now(), false, &got);
	check(err == MG_ERR_INPUT && strcmp(got.conflict_kind, "closed") == 0, "a Monday refused (%s)", got.conflict_kind);
	mg_arena_free(arena);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: calendar_race CONFIG TENANT_ID\n");
		return 2;
	}
	char errbuf[512];
	mg_config_defaults(&cfg);
	if (mg_config_load(argv[1], &cfg, errbuf, sizeof(errbuf)) != MG_OK) {
		fprintf(stderr, "calendar_race: %s\n", errbuf);
		return 2;
	}
	tenant = strtoull(argv[2], NULL, 10);
	mg_clock_init(cfg.clock_offset_file);
	if (mg_db_register(mg_calendar_statements, errbuf, sizeof(errbuf)) != MG_OK ||
	    mg_db_register(check_statements, errbuf, sizeof(errbuf)) != MG_OK) {
		fprintf(stderr, "calendar_race: %s\n", errbuf);
		return 2;
	}
	/* 18:00 in Tokyo (09:00 UTC) of a day a year ahead */
	base = (mg_now() / 86400 + 365) * 86400 + 9 * 3600;
	struct mg_db *db = connect_db();
	hall = make_space(db, 0, "大ホール", 30);
	stage = make_space(db, hall, "舞台", 0);
	seats = make_space(db, hall, "客席", 0);
	racing_for_a_whole_and_its_parts(db);
	no_overlap_in_the_database(db, mg_now(), "after the race");
	parts_side_by_side_and_the_whole_refused(db);
	a_lapsed_occupation_is_taken_by_another(db);
	hours_and_closed_days(db);
	/* the lapsed hold's deadline is past on the later clock the lapse test used */
	no_overlap_in_the_database(db, mg_now() + 7200, "at the end");
	every_claim_is_there(db, mg_now() + 7200);
	mg_db_close(db);
	printf("%s\n", failures == 0 ? "all checks held" : "some checks FAILED");
	return failures == 0 ? 0 : 1;
}
