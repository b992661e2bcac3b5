/*
 * core/commerce for bookings and enrolments against the live MariaDB, the way a rentals or
 * lessons module will drive it (core/commerce/booking.h, core/commerce/hold.h, core/commerce/money.h), without a module
 * that does not exist yet. Run by tests/http/test_commerce.py with the stack's configuration:
 *
 *   commerce_flow CONFIG SLUG hold     a 7-day provisional hold (仮予約) of two room blocks and
 *                                      its requested order; prints "hold <id> order <code>
 *                                      resource <id>" (the test then moves the clock and runs
 *                                      the job core.hold_sweep)
 *   commerce_flow CONFIG SLUG flows    approval, decline, a −50 % 減免 line, a cancellation with
 *                                      a 20 % fee, a negative total refused; prints one line per
 *                                      check ("ok …" / "FAILED …") and "receipt <code>" of a
 *                                      paid order for the receipt page
 *
 * Exits 0 when every check held, 1 otherwise, 2 when it could not start.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/base/arena.h"
#include "core/base/clock.h"
#include "core/base/config.h"
#include "core/base/crypto.h"
#include "core/base/i18n.h"
#include "core/commerce/booking.h"
#include "core/commerce/hold.h"
#include "core/commerce/inventory.h"
#include "core/commerce/money.h"
#include "core/commerce/order.h"
#include "core/db/db.h"
#include "core/platform/mail.h"
#include "core/tenant/signing.h"
#include "core/tenant/tenant.h"

#define KIND "rentals.block" /* what the rentals module will hold: a room's time blocks */

/* The operator commands linked with the core (core/cli) lean on two functions of
 * core/cli/main.c, which has main(): this program runs none of them. */
struct mg_cli;
struct mg_db *mg_cli_connect(const struct mg_cli *cli, bool owner);
int mg_cli_fail(const char *what, const char *fmt, ...);
struct mg_db *mg_cli_connect(const struct mg_cli *cli, bool owner)
{
	(void)cli;
	(void)owner;
	return NULL;
}
int mg_cli_fail(const char *what, const char *fmt, ...)
{
	(void)what;
	(void)fmt;
	return 1;
}

static int failures;
static struct mg_db *db;
static struct mg_arena *arena;
static struct mg_commerce_env env;
static unsigned char key[32];
static uint64_t resource;
static const char *slug;
static const char *declined_code; /* an order never paid: no receipt */
static const char *buyer_email; /* hanako+<slug>@example.jp: the test finds its mails */

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

enum test_sql { T_UNIT_STATE, T_ORDER_ID, T_PAYMENTS, T_HISTORY, T_LINES, T__MAX };
static const struct mg_sql test_statements[T__MAX + 1];

/* One SQL value as text ("" when no row). */
static const char *value(enum test_sql statement, uint64_t a, uint64_t b)
{
	struct mg_rows rows;
	struct mg_dbval args[] = { MG_INT(a), MG_INT(b) };
	if (mg_db_exec(db, arena, &test_statements[statement], args, 2, &rows, NULL, NULL) != MG_OK || rows.nrows == 0)
		return "";
	return MG_CELL(&rows, 0, 0) ? MG_CELL(&rows, 0, 0) : "";
}

static const struct mg_sql test_statements[T__MAX + 1] = {
	[T_UNIT_STATE] = { "test.unit_state",
	  "SELECT IF(state = 'held' AND hold_expires < NOW(3), 'free', state) FROM inventory_unit"
	  " WHERE tenant_id = ? AND kind = '" KIND "' AND resource_id = ? AND unit = 1" },
	[T_ORDER_ID] = { "test.order_id", "SELECT id FROM orders WHERE tenant_id = ? AND id = ?" },
	[T_PAYMENTS] = { "test.payments",
	  "SELECT GROUP_CONCAT(CONCAT(kind, ':', state, ':', amount) ORDER BY id SEPARATOR ' ') FROM payment"
	  " WHERE tenant_id = ? AND order_id = ?" },
	[T_HISTORY] = { "test.history",
	  "SELECT GROUP_CONCAT(CONCAT(COALESCE(from_state, '-'), '>', to_state) ORDER BY id SEPARATOR ' ')"
	  " FROM order_history WHERE tenant_id = ? AND order_id = ?" },
	[T_LINES] = { "test.lines",
	  "SELECT GROUP_CONCAT(CONCAT(line_type, ':', amount) ORDER BY line_no SEPARATOR ' ') FROM order_line"
	  " WHERE tenant_id = ? AND order_id = ?" },
	[T__MAX] = { NULL, NULL },
};

struct units_job {
	uint64_t resource;
	uint32_t first, count;
	uint64_t hold;
	time_t expires;
	uint32_t units[4];
	size_t n;
};

static enum mg_err add_units(struct mg_db *d, void *arg)
{
	struct units_job *j = arg;
	return mg_inventory_add(d, arena, env.tenant_id, KIND, j->resource, j->first, j->count, MG_UNIT_FREE);
}

static enum mg_err hold_units(struct mg_db *d, void *arg)
{
	struct units_job *j = arg;
	enum mg_err err = mg_hold_create(d, arena, env.tenant_id, "rentals.booking", j->resource, j->expires, env.now,
					 &j->hold);
	uint32_t *gone = NULL;
	size_t ngone = 0;
	if (err == MG_OK)
		err = mg_hold_units(d, arena, env.tenant_id, j->hold, KIND, j->resource, j->units, j->n, env.now, &gone,
				    &ngone);
	return err;
}

/* Another hold of the same blocks: its error, and how many units the first one counts. */
static enum mg_err hold_again(struct mg_db *d, void *arg)
{
	struct units_job *j = arg;
	uint64_t other = 0;
	uint32_t *gone = NULL, again[2] = { 2, 1 }, *taken = again;
	size_t ngone = 0;
	enum mg_err err = mg_hold_units(d, arena, env.tenant_id, j->hold, KIND, j->resource, taken, 2, env.now, &gone,
					&ngone); /* the same hold again: renewed, not counted twice */
	struct mg_hold h;
	if (err != MG_OK || (err = mg_hold_get(d, arena, env.tenant_id, j->hold, false, &h)) != MG_OK || h.units != 2)
		return err != MG_OK ? err : MG_ERR_INTERNAL;
	if ((err = mg_hold_create(d, arena, env.tenant_id, "rentals.booking", j->resource + 100, env.now + 86400,
				  env.now, &other)) != MG_OK)
		return err;
	uint32_t wanted[2] = { 2, 3 };
	return mg_hold_units(d, arena, env.tenant_id, other, KIND, j->resource, wanted, 2, env.now, &gone, &ngone);
}

/* A room's blocks 1..4 as units of a fresh resource, and a hold of blocks 1 and 2 until
 * expires: the hold's id. */
static uint64_t room_held(uint64_t res, time_t expires)
{
	struct units_job j = { .resource = res, .first = 1, .count = 4, .expires = expires, .units = { 1, 2 }, .n = 2 };
	if (mg_db_transaction(db, add_units, &j) != MG_OK || mg_db_transaction(db, hold_units, &j) != MG_OK)
		return 0;
	return j.hold;
}

static enum mg_err booking(uint64_t hold, const struct mg_money_line *lines, size_t n, bool approval, time_t use_at,
			   struct mg_order *o)
{
	struct mg_booking b = { .module = "rentals",
				.hold_id = hold,
				.buyer_name = "窓口 花子",
				.buyer_email = buyer_email,
				.lang = "ja",
				.payment = "bank_transfer",
				.channel = "web",
				.needs_approval = approval,
				.payment_deadline = approval ? 0 : env.now + 3 * 86400,
				.use_at = use_at,
				.lines = lines,
				.n = n };
	return mg_booking_order(db, arena, &env, &b, o);
}

static const struct mg_money_line room_lines[] = {
	{ MG_LINE_UNIT, KIND, 0, 1, "大会議室 午前", 5500 },
	{ MG_LINE_UNIT, KIND, 0, 2, "大会議室 午後", 5500 },
};

static int hold_command(void)
{
	uint64_t hold = room_held(resource, env.now + 7 * 86400);
	struct mg_order o;
	struct mg_money_line lines[2] = { room_lines[0], room_lines[1] };
	lines[0].resource = lines[1].resource = resource;
	if (hold == 0 || booking(hold, lines, 2, true, env.now + 30 * 86400, &o) != MG_OK) {
		fprintf(stderr, "commerce_flow: the hold could not be made\n");
		return 1;
	}
	printf("hold %llu order %s resource %llu\n", (unsigned long long)hold, o.code, (unsigned long long)resource);
	return 0;
}

/* requested → approved → awaiting payment → paid, with its history, the hold confirmed */
static void approval_flow(void)
{
	uint64_t res = resource + 1;
	uint64_t hold = room_held(res, env.now + 7 * 86400);
	struct mg_money_line lines[2] = { room_lines[0], room_lines[1] };
	lines[0].resource = lines[1].resource = res;
	struct mg_order o;
	check(hold != 0 && booking(hold, lines, 2, true, env.now + 30 * 86400, &o) == MG_OK &&
		      strcmp(o.state, "requested") == 0 && o.total == 11000 && o.tax == 1000,
	      "a booking is requested with its hold (total ¥11,000 containing ¥1,000 tax)");
	check(mg_booking_paid(db, arena, &env, o.code, "bank_transfer") == MG_ERR_CONFLICT,
	      "a requested booking cannot be paid before it is approved");
	struct units_job again = { .resource = res, .hold = hold };
	check(mg_db_transaction(db, hold_again, &again) == MG_ERR_CONFLICT &&
		      strcmp(value(T_UNIT_STATE, env.tenant_id, res), "held") == 0,
	      "its blocks cannot be held by another booking meanwhile, and holding them again counts them once");
	check(mg_booking_approve(db, arena, &env, o.code, env.now + 5 * 86400, "空きあり") == MG_OK,
	      "staff approve it");
	struct mg_hold h;
	check(mg_hold_get(db, arena, env.tenant_id, hold, false, &h) == MG_OK && strcmp(h.state, "confirmed") == 0 &&
		      strcmp(value(T_UNIT_STATE, env.tenant_id, res), "sold") == 0,
	      "approval confirms the hold: its units are sold to the order");
	check(mg_booking_approve(db, arena, &env, o.code, env.now + 5 * 86400, "") == MG_ERR_CONFLICT,
	      "an approved booking cannot be approved again");
	check(mg_booking_paid(db, arena, &env, o.code, "bank_transfer") == MG_OK, "the transfer is received");
	struct mg_order paid;
	check(mg_order_load(db, arena, key, env.tenant_id, o.code, false, &paid) == MG_OK &&
		      strcmp(paid.state, "paid") == 0,
	      "the order is paid");
	const char *history = value(T_HISTORY, env.tenant_id, paid.id);
	check(strcmp(history, "->requested requested>approved approved>pending pending>paid") == 0,
	      "its history: %s", history);
	const char *payments = value(T_PAYMENTS, env.tenant_id, paid.id);
	check(strcmp(payments, "charge:succeeded:11000") == 0, "its payment: %s", payments);
}

/* requested → declined: the hold released, its units free again */
static void decline_flow(void)
{
	uint64_t res = resource + 2;
	uint64_t hold = room_held(res, env.now + 7 * 86400);
	struct mg_money_line lines[2] = { room_lines[0], room_lines[1] };
	lines[0].resource = lines[1].resource = res;
	struct mg_order o;
	check(hold != 0 && booking(hold, lines, 2, true, 0, &o) == MG_OK, "a second booking is requested");
	check(mg_booking_decline(db, arena, &env, o.code, "当日は休館日") == MG_OK, "staff decline it");
	declined_code = mg_arena_strdup(arena, o.code);
	struct mg_hold h;
	check(mg_hold_get(db, arena, env.tenant_id, hold, false, &h) == MG_OK && strcmp(h.state, "released") == 0 &&
		      strcmp(value(T_UNIT_STATE, env.tenant_id, res), "free") == 0,
	      "declining releases the hold and frees its units");
	const char *history = value(T_HISTORY, env.tenant_id, o.id);
	check(strcmp(history, "->requested requested>declined") == 0, "its history: %s", history);
	check(mg_booking_approve(db, arena, &env, o.code, env.now + 86400, "") == MG_ERR_CONFLICT,
	      "a declined booking cannot be approved");
}

/* fee + 入会金 − a 50 % 減免, paid at once; a receipt for it */
static const char *reduction_flow(void)
{
	uint64_t res = resource + 3;
	uint64_t hold = room_held(res, env.now + 2 * 86400);
	long long fee = 5500;
	struct mg_money_line lines[3] = {
		{ MG_LINE_UNIT, KIND, res, 1, "陶芸教室 全8回", fee },
		{ MG_LINE_ADMISSION, NULL, 0, 0, "入会金", 1100 },
		{ MG_LINE_REDUCTION, NULL, 0, 0, "減免(障害者手帳 50%)", mg_money_reduction(fee, 50) },
	};
	struct mg_order o;
	check(mg_money_reduction(fee, 50) == -2750, "−50 %% of ¥5,500 is −¥2,750");
	check(hold != 0 && booking(hold, lines, 3, false, env.now + 20 * 86400, &o) == MG_OK &&
		      strcmp(o.state, "pending") == 0 && o.total == 3850 && o.tax == 350,
	      "an enrolment of ¥5,500 + ¥1,100 入会金 − ¥2,750 減免 awaits ¥3,850 (tax ¥350)");
	const char *stored = value(T_LINES, env.tenant_id, o.id);
	check(strcmp(stored, "unit:5500 admission:1100 reduction:-2750") == 0, "its lines: %s", stored);
	check(mg_booking_paid(db, arena, &env, o.code, "bank_transfer") == MG_OK &&
		      strcmp(value(T_UNIT_STATE, env.tenant_id, res), "sold") == 0,
	      "paying confirms its hold");
	return mg_arena_strdup(arena, o.code);
}

/* a negative total is refused, and nothing is written */
static void negative_refused(void)
{
	struct mg_money_line lines[2] = {
		{ MG_LINE_FEE, NULL, 0, 0, "施設使用料", 1000 },
		{ MG_LINE_DISCOUNT, NULL, 0, 0, "割引", -1500 },
	};
	struct mg_order o;
	check(booking(0, lines, 2, true, 0, &o) == MG_ERR_INPUT && o.id == 0,
	      "¥1,000 − ¥1,500 is refused (a total is never negative)");
	struct mg_money_line wrong_sign[1] = { { MG_LINE_DISCOUNT, NULL, 0, 0, "割引", 500 } };
	check(booking(0, wrong_sign, 1, true, 0, &o) == MG_ERR_INPUT, "a discount that adds is refused");
}

/* paid ¥11,000, cancelled 5 days before use under 8+: 0 %, 7–1: 20 %, the day: 100 % */
static void cancellation_with_fee(void)
{
	static const struct mg_fee_step ladder[] = { { 8, 0 }, { 1, 20 }, { 0, 100 } };
	static const struct mg_fee_rule rule = { ladder, 3 };
	check(mg_fee_percent(&rule, 8) == 0 && mg_fee_percent(&rule, 7) == 20 && mg_fee_percent(&rule, 1) == 20 &&
		      mg_fee_percent(&rule, 0) == 100,
	      "the ladder: 8 days 0 %%, 7 and 1 day 20 %%, the day 100 %%");
	uint64_t res = resource + 4;
	uint64_t hold = room_held(res, env.now + 7 * 86400);
	struct mg_money_line lines[2] = { room_lines[0], room_lines[1] };
	lines[0].resource = lines[1].resource = res;
	struct mg_order o;
	bool made = hold != 0 && booking(hold, lines, 2, true, env.now + 5 * 86400, &o) == MG_OK &&
		    mg_booking_approve(db, arena, &env, o.code, env.now + 2 * 86400, "") == MG_OK &&
		    mg_booking_paid(db, arena, &env, o.code, "bank_transfer") == MG_OK;
	check(made, "a booking 5 days ahead is approved and paid");
	struct mg_cancellation c;
	check(mg_booking_cancel(db, arena, &env, o.code, &rule, NULL, NULL, &c) == MG_OK && c.days_before == 5 &&
		      c.percent == 20 && c.fee == 2200 && c.refund == 8800,
	      "cancelled 5 days before: fee 20 %% ¥2,200, refund ¥8,800");
	const char *payments = value(T_PAYMENTS, env.tenant_id, o.id);
	check(strcmp(payments, "charge:succeeded:11000 fee:succeeded:2200 refund:succeeded:8800") == 0,
	      "the charge stays, the fee and the refund are rows of their own: %s", payments);
	check(strcmp(value(T_UNIT_STATE, env.tenant_id, res), "free") == 0, "its units are free again");
	const char *history = value(T_HISTORY, env.tenant_id, o.id);
	check(strcmp(history, "->requested requested>approved approved>pending pending>paid paid>cancelled") == 0,
	      "its history: %s", history);
	check(mg_booking_cancel(db, arena, &env, o.code, &rule, NULL, NULL, &c) == MG_ERR_CONFLICT,
	      "a cancelled order cannot be cancelled again");
}

/* Where the receipt of an order is: its code signed with the tenant's key, as
 * mg_receipt_path signs it for a page. */
static const char *receipt_path(const char *code)
{
	const char *signed_code = NULL;
	if (mg_signing_sign(db, arena, env.tenant_id, key, mg_arena_printf(arena, "R1-%s", code), &signed_code) != MG_OK)
		return "(unsigned)";
	return mg_arena_printf(arena, "/%s/receipts/%s", slug, signed_code);
}

static int flows_command(void)
{
	approval_flow();
	decline_flow();
	const char *receipt = reduction_flow();
	negative_refused();
	cancellation_with_fee();
	printf("receipt %s %s\n", receipt, receipt_path(receipt));
	printf("unpaid %s %s\n", declined_code, receipt_path(declined_code));
	printf("%s\n", failures == 0 ? "all checks held" : "some checks FAILED");
	return failures == 0 ? 0 : 1;
}

static enum mg_err setup(const char *config, const char *slug_arg, struct mg_config *cfg)
{
	char errbuf[512];
	unsigned char master[MG_KEY_BYTES];
	mg_config_defaults(cfg);
	enum mg_err err = mg_config_load(config, cfg, errbuf, sizeof(errbuf));
	if (err == MG_OK)
		err = mg_master_key_load(cfg->master_key_file, master, errbuf, sizeof(errbuf));
	const struct mg_sql *tables[] = { mg_inventory_statements, mg_hold_statements, mg_booking_statements,
					  mg_order_statements, mg_mail_statements, mg_tenant_statements, mg_signing_statements,
					  test_statements, NULL };
	for (size_t i = 0; err == MG_OK && tables[i] != NULL; i++)
		err = mg_db_register(tables[i], errbuf, sizeof(errbuf));
	if (err != MG_OK) {
		fprintf(stderr, "commerce_flow: %s\n", errbuf);
		return err;
	}
	mg_clock_init(cfg->clock_offset_file);
	/* the mails are composed when the order changes, in the buyer's language */
	if ((err = mg_i18n_init(cfg->locale_dir)) != MG_OK) {
		fprintf(stderr, "commerce_flow: no catalogs in %s\n", cfg->locale_dir);
		return err;
	}
	struct mg_db_params params = { cfg->db_socket, cfg->db_host, (unsigned)cfg->db_port, cfg->db_user,
				       cfg->db_password, cfg->db_name };
	struct mg_tenant t;
	if ((err = mg_db_open(&params, &db)) != MG_OK || (err = mg_tenant_load(db, arena, slug_arg, &t)) != MG_OK ||
	    (err = mg_tenant_data_key(master, &t, key)) != MG_OK) {
		fprintf(stderr, "commerce_flow: no database or no tenant %s (%s)\n", slug_arg, mg_strerror(err));
		return err;
	}
	env = (struct mg_commerce_env){ t.id, key, mg_arena_strdup(arena, t.name), "staff:0", mg_now(),
					mg_arena_strdup(arena, t.time_zone) };
	buyer_email = mg_arena_printf(arena, "hanako+%s@example.jp", slug_arg);
	slug = mg_arena_strdup(arena, slug_arg);
	resource = 800000000ull + (uint64_t)time(NULL) % 1000000 * 10;
	return MG_OK;
}

int main(int argc, char **argv)
{
	if (argc != 4 || (strcmp(argv[3], "hold") != 0 && strcmp(argv[3], "flows") != 0)) {
		fprintf(stderr, "usage: commerce_flow CONFIG SLUG hold|flows\n");
		return 2;
	}
	struct mg_config cfg;
	arena = mg_arena_new();
	if (arena == NULL || setup(argv[1], argv[2], &cfg) != MG_OK)
		return 2;
	int rc = strcmp(argv[3], "hold") == 0 ? hold_command() : flows_command();
	mg_db_close(db);
	mg_arena_free(arena);
	return rc;
}
