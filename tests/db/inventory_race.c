/*
 * core/commerce/inventory.c against a real MariaDB, with real concurrency: threads, each with its own
 * connection, race for the same units. Run by tests/http/test_inventory.py with the stack's
 * configuration file:   inventory_race CONFIG TENANT_ID
 * Prints one line per check and exits 0 when every check held, 1 otherwise.
 *
 * What it proves: all-or-nothing holds of overlapping sets are pairwise disjoint and leave no
 * partial holds; SKIP LOCKED picks never hand one unit to two buyers and sell out exactly; a
 * lapsed hold can be taken by someone else and then cannot be confirmed by its first holder;
 * blocked units cannot be held; released orders free their units; the sweeper tidies.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/base/clock.h"
#include "core/base/config.h"
#include "core/db/db.h"
#include "core/commerce/inventory.h"

enum { THREADS = 8, ROUNDS = 60, SEATS = 20, GA_PLACES = 50, GA_TAKE = 3 };

static struct mg_config cfg;
static uint64_t tenant;
static int failures;
static pthread_mutex_t record_lock = PTHREAD_MUTEX_INITIALIZER;

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
		fprintf(stderr, "inventory_race: cannot connect to the database\n");
		exit(2);
	}
	return db;
}

/* A unit of work for mg_db_transaction: one of the operations below with its arguments. */
struct op {
	enum { OP_ADD, OP_HOLD, OP_HOLD_ANY, OP_CONFIRM, OP_RELEASE_ORDER, OP_BLOCK } what;
	const char *kind;
	uint64_t resource, token, order;
	uint32_t units[8];
	size_t n;
	time_t expires, now;
	size_t changed;
	struct mg_arena *arena;
};

static enum mg_err run_op(struct mg_db *db, void *arg)
{
	struct op *op = arg;
	uint32_t *missed = NULL;
	size_t nmissed = 0;
	switch (op->what) {
	case OP_ADD:
		return mg_inventory_add(db, op->arena, tenant, op->kind, op->resource, 1, (uint32_t)op->n, MG_UNIT_FREE);
	case OP_HOLD:
		return mg_inventory_hold(db, op->arena, tenant, op->kind, op->resource, op->units, op->n, op->token,
					 op->expires, op->now, &missed, &nmissed);
	case OP_HOLD_ANY:
		return mg_inventory_hold_any(db, op->arena, tenant, op->kind, op->resource, (uint32_t)op->n, op->token,
					     op->expires, op->now, op->units);
	case OP_CONFIRM:
		return mg_inventory_confirm(db, op->arena, tenant, op->token, op->n, op->order, op->now);
	case OP_RELEASE_ORDER:
		return mg_inventory_release_order(db, op->arena, tenant, op->order, &op->changed);
	case OP_BLOCK:
		return mg_inventory_block(db, op->arena, tenant, op->kind, op->resource, op->units, op->n, op->now,
					  &op->changed);
	}
	return MG_ERR_INTERNAL;
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

/* ---- 1. overlapping all-or-nothing holds ---- */

struct hold_record {
	uint64_t token;
	uint32_t units[4];
	size_t n;
};
static struct hold_record won[THREADS * ROUNDS];
static size_t nwon, nlost, nother;
static uint64_t seat_resource;

static void *hold_worker(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg * 7919u + 17u;
	struct mg_db *db = connect_db();
	for (int r = 0; r < ROUNDS; r++) {
		struct op op = { .what = OP_HOLD, .kind = "test.seat", .resource = seat_resource,
				 .token = (uint64_t)(uintptr_t)arg * 1000 + (uint64_t)r + 1,
				 .expires = mg_now() + 600, .now = mg_now() };
		op.n = 1 + (size_t)(rand_r(&seed) % 4);
		for (size_t i = 0; i < op.n; i++)
			op.units[i] = 1 + (uint32_t)(rand_r(&seed) % SEATS);
		struct op copy = op; /* hold() sorts and de-duplicates its array */
		enum mg_err err = txn(db, &op);
		pthread_mutex_lock(&record_lock);
		if (err == MG_OK) {
			size_t n = mg_inventory_normalise(copy.units, copy.n);
			won[nwon].token = op.token;
			memcpy(won[nwon].units, copy.units, n * sizeof(uint32_t));
			won[nwon].n = n;
			nwon++;
		} else if (err == MG_ERR_CONFLICT) {
			nlost++;
		} else {
			nother++;
		}
		pthread_mutex_unlock(&record_lock);
	}
	mg_db_close(db);
	return NULL;
}

static void overlapping_holds_are_disjoint(struct mg_db *db)
{
	struct op add = { .what = OP_ADD, .kind = "test.seat", .resource = seat_resource, .n = SEATS };
	check(txn(db, &add) == MG_OK, "created %d seats", SEATS);
	pthread_t threads[THREADS];
	for (uintptr_t t = 0; t < THREADS; t++)
		pthread_create(&threads[t], NULL, hold_worker, (void *)(t + 1));
	for (int t = 0; t < THREADS; t++)
		pthread_join(threads[t], NULL);
	check(nother == 0, "no hold failed for another reason than a taken seat (%zu did)", nother);
	check(nwon > 0 && nlost > 0, "some holds won (%zu) and some lost (%zu)", nwon, nlost);
	/* every seat appears in at most one winning hold */
	int owner[SEATS + 1];
	memset(owner, -1, sizeof(owner));
	bool disjoint = true;
	for (size_t w = 0; w < nwon; w++)
		for (size_t i = 0; i < won[w].n; i++) {
			if (owner[won[w].units[i]] != -1)
				disjoint = false;
			owner[won[w].units[i]] = (int)w;
		}
	check(disjoint, "winning holds are pairwise disjoint");
	/* the database agrees: each held seat belongs to the hold that won it, nothing else held */
	struct mg_arena *arena = mg_arena_new();
	struct mg_unit_view view;
	bool agree = mg_inventory_view(db, arena, tenant, "test.seat", seat_resource, mg_now(), &view) == MG_OK &&
		     view.n == SEATS;
	for (size_t i = 0; agree && i < view.n; i++) {
		int w = owner[view.units[i]];
		agree = w == -1 ? view.states[i] == MG_UNIT_FREE
				: view.states[i] == MG_UNIT_HELD && view.tokens[i] == won[w].token;
	}
	check(agree, "every seat is held by exactly the winner recorded for it, the rest free (no partial hold)");
	mg_arena_free(arena);
}

/* ---- 2. general admission with SKIP LOCKED ---- */

static uint64_t ga_resource;
static size_t ga_won, ga_sold_out, ga_other;
static uint32_t ga_taken[GA_PLACES + 1];

static void *ga_worker(void *arg)
{
	struct mg_db *db = connect_db();
	for (int r = 0; r < ROUNDS; r++) {
		struct op op = { .what = OP_HOLD_ANY, .kind = "test.ga", .resource = ga_resource, .n = GA_TAKE,
				 .token = 100000 + (uint64_t)(uintptr_t)arg * 1000 + (uint64_t)r,
				 .expires = mg_now() + 600, .now = mg_now() };
		enum mg_err err = txn(db, &op);
		pthread_mutex_lock(&record_lock);
		if (err == MG_OK) {
			ga_won++;
			for (size_t i = 0; i < GA_TAKE; i++)
				ga_taken[op.units[i]]++;
		} else if (err == MG_ERR_CONFLICT) {
			ga_sold_out++;
		} else {
			ga_other++;
		}
		pthread_mutex_unlock(&record_lock);
	}
	mg_db_close(db);
	return NULL;
}

static void general_admission_sells_out_exactly(struct mg_db *db)
{
	struct op add = { .what = OP_ADD, .kind = "test.ga", .resource = ga_resource, .n = GA_PLACES };
	check(txn(db, &add) == MG_OK, "created %d places", GA_PLACES);
	pthread_t threads[THREADS];
	for (uintptr_t t = 0; t < THREADS; t++)
		pthread_create(&threads[t], NULL, ga_worker, (void *)(t + 1));
	for (int t = 0; t < THREADS; t++)
		pthread_join(threads[t], NULL);
	bool once = true;
	size_t taken = 0;
	for (int u = 1; u <= GA_PLACES; u++) {
		once = once && ga_taken[u] <= 1;
		taken += ga_taken[u];
	}
	check(ga_other == 0, "no pick failed for another reason than selling out (%zu did)", ga_other);
	check(once, "no place was handed to two buyers");
	check(ga_won == GA_PLACES / GA_TAKE && taken == ga_won * GA_TAKE,
	      "exactly %d buyers got %d places each (%zu did)", GA_PLACES / GA_TAKE, GA_TAKE, ga_won);
	struct mg_arena *arena = mg_arena_new();
	struct mg_unit_counts counts;
	check(mg_inventory_counts(db, arena, tenant, "test.ga", ga_resource, mg_now(), &counts) == MG_OK &&
		      counts.held == taken && counts.free == GA_PLACES - taken,
	      "the counts agree: %zu held, %d free", taken, GA_PLACES - (int)taken);
	mg_arena_free(arena);
}

/* ---- 3. lapse, confirm, release, block, sweep ---- */

static void lapsed_holds_and_the_rest(struct mg_db *db)
{
	uint64_t res = seat_resource + 1;
	time_t now = mg_now();
	struct op add = { .what = OP_ADD, .kind = "test.seat", .resource = res, .n = 4 };
	txn(db, &add);
	struct op a = { .what = OP_HOLD, .kind = "test.seat", .resource = res, .token = 1, .units = { 1, 2 }, .n = 2,
			.expires = now + 60, .now = now };
	check(txn(db, &a) == MG_OK, "A holds seats 1 and 2");
	struct op b = { .what = OP_HOLD, .kind = "test.seat", .resource = res, .token = 2, .units = { 2, 3 }, .n = 2,
			.expires = now + 60, .now = now + 30 };
	check(txn(db, &b) == MG_ERR_CONFLICT, "B cannot take seat 2 while A's hold is valid");
	struct op b2 = b;
	b2.now = now + 61;
	b2.expires = now + 200;
	check(txn(db, &b2) == MG_OK, "B takes seats 2 and 3 once A's hold lapsed");
	struct op confirm_a = { .what = OP_CONFIRM, .token = 1, .n = 2, .order = 501, .now = now + 62 };
	check(txn(db, &confirm_a) == MG_ERR_EXPIRED, "A's lapsed hold cannot be confirmed");
	struct op confirm_b = { .what = OP_CONFIRM, .token = 2, .n = 2, .order = 502, .now = now + 62 };
	check(txn(db, &confirm_b) == MG_OK, "B's hold is confirmed into order 502");
	struct op block = { .what = OP_BLOCK, .kind = "test.seat", .resource = res, .units = { 3, 4 }, .n = 2,
			    .now = now + 62 };
	check(txn(db, &block) == MG_OK && block.changed == 1, "blocking seats 3 and 4 blocks only the free one (4)");
	struct op c = { .what = OP_HOLD, .kind = "test.seat", .resource = res, .token = 3, .units = { 4 }, .n = 1,
			.expires = now + 300, .now = now + 63 };
	check(txn(db, &c) == MG_ERR_CONFLICT, "a blocked seat cannot be held");
	struct op release = { .what = OP_RELEASE_ORDER, .order = 502 };
	check(txn(db, &release) == MG_OK && release.changed == 2, "cancelling order 502 frees its two seats");

	struct mg_arena *arena = mg_arena_new();
	struct mg_unit_view view;
	mg_inventory_view(db, arena, tenant, "test.seat", res, now + 63, &view);
	check(view.n == 4 && view.states[0] == MG_UNIT_FREE && view.states[1] == MG_UNIT_FREE &&
		      view.states[2] == MG_UNIT_FREE && view.states[3] == MG_UNIT_BLOCKED,
	      "seat states after all that: free, free, free, blocked (A's lapsed seat 1 counts as free)");
	size_t tidied = 0;
	enum mg_err swept = mg_inventory_sweep(db, arena, now + 63, &tidied);
	check(swept == MG_OK && tidied >= 1,
	      "the sweeper tidied the lapsed hold (%zu row(s))", tidied);
	mg_arena_free(arena);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: inventory_race CONFIG TENANT_ID\n");
		return 2;
	}
	char errbuf[512];
	mg_config_defaults(&cfg);
	if (mg_config_load(argv[1], &cfg, errbuf, sizeof(errbuf)) != MG_OK) {
		fprintf(stderr, "inventory_race: %s\n", errbuf);
		return 2;
	}
	tenant = strtoull(argv[2], NULL, 10);
	mg_clock_init(cfg.clock_offset_file);
	if (mg_db_register(mg_inventory_statements, errbuf, sizeof(errbuf)) != MG_OK) {
		fprintf(stderr, "inventory_race: %s\n", errbuf);
		return 2;
	}
	/* resources far from anything a test tenant uses */
	seat_resource = 900000000ull + (uint64_t)time(NULL) % 1000000 * 10;
	ga_resource = seat_resource + 5;
	struct mg_db *db = connect_db();
	overlapping_holds_are_disjoint(db);
	general_admission_sells_out_exactly(db);
	lapsed_holds_and_the_rest(db);
	mg_db_close(db);
	printf("%s\n", failures == 0 ? "all checks held" : "some checks FAILED");
	return failures == 0 ? 0 : 1;
}
