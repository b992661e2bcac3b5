/*
 * The database ceiling for `scripts/bench onsale`: the same conditional-UPDATE holds the API
 * makes (core/commerce/inventory.c, one transaction per hold of 1–4 adjacent seats, then a confirm),
 * straight against MariaDB from THREADS connections with no HTTP, FastCGI, JSON or cart rows
 * around them. Threads take disjoint stripes of the seats, so this is the cost of the holds
 * themselves, not of conflicts.
 *
 *     hold_ceiling CONFIG TENANT_ID SEATS THREADS
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/base/clock.h"
#include "core/base/config.h"
#include "core/db/db.h"
#include "core/commerce/inventory.h"

static struct mg_config cfg;
static uint64_t tenant, resource;
static uint32_t seats;
static int nthreads;
static double *lat;
static size_t nlat;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

struct hold {
	uint32_t units[4];
	size_t n;
	uint64_t token;
	struct mg_arena *arena;
};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static enum mg_err add_units(struct mg_db *db, void *arg)
{
	return mg_inventory_add(db, arg, tenant, "tickets.seat", resource, 1, seats, MG_UNIT_FREE);
}

static enum mg_err hold_and_confirm(struct mg_db *db, void *arg)
{
	struct hold *h = arg;
	uint32_t *missed;
	size_t nmissed;
	time_t now = mg_now();
	enum mg_err err = mg_inventory_hold(db, h->arena, tenant, "tickets.seat", resource, h->units, h->n, h->token, now + 600,
					    now, &missed, &nmissed);
	return err == MG_OK ? mg_inventory_confirm(db, h->arena, tenant, h->token, h->n, h->token, now) : err;
}

static void *worker(void *arg)
{
	int t = (int)(intptr_t)arg;
	struct mg_db_params params = { cfg.db_socket, cfg.db_host, (unsigned)cfg.db_port, cfg.db_user, cfg.db_password,
				       cfg.db_name };
	struct mg_db *db = NULL;
	if (mg_db_open(&params, &db) != MG_OK)
		return NULL;
	struct mg_arena *arena = mg_arena_new();
	uint32_t stripe = seats / (uint32_t)nthreads, next = (uint32_t)t * stripe + 1, end = next + stripe;
	unsigned seed = (unsigned)t + 1;
	for (uint64_t k = 0; next < end; k++) {
		struct hold h = { .n = 1 + (size_t)(rand_r(&seed) % 4), .token = (uint64_t)t << 32 | k, .arena = arena };
		for (size_t i = 0; i < h.n; i++)
			h.units[i] = next + (uint32_t)i < end ? next + (uint32_t)i : end - 1;
		h.n = mg_inventory_normalise(h.units, h.n);
		next += (uint32_t)h.n;
		double started = now_ms();
		enum mg_err err = mg_db_transaction(db, hold_and_confirm, &h);
		double ms = now_ms() - started;
		mg_arena_reset(arena);
		if (err != MG_OK)
			fprintf(stderr, "hold_ceiling: hold failed: %s\n", mg_strerror(err));
		pthread_mutex_lock(&lock);
		lat[nlat++] = ms;
		pthread_mutex_unlock(&lock);
	}
	mg_arena_free(arena);
	mg_db_close(db);
	return NULL;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: hold_ceiling CONFIG TENANT_ID SEATS THREADS\n");
		return 2;
	}
	char errbuf[512];
	mg_config_defaults(&cfg);
	if (mg_config_load(argv[1], &cfg, errbuf, sizeof(errbuf)) != MG_OK ||
	    mg_db_register(mg_inventory_statements, errbuf, sizeof(errbuf)) != MG_OK) {
		fprintf(stderr, "hold_ceiling: %s\n", errbuf);
		return 2;
	}
	mg_clock_init(cfg.clock_offset_file);
	tenant = strtoull(argv[2], NULL, 10);
	seats = (uint32_t)strtoul(argv[3], NULL, 10);
	nthreads = atoi(argv[4]);
	resource = 800000000ull + (uint64_t)time(NULL) % 100000000;
	lat = calloc(seats + 1, sizeof(double));
	struct mg_db_params params = { cfg.db_socket, cfg.db_host, (unsigned)cfg.db_port, cfg.db_user, cfg.db_password,
				       cfg.db_name };
	struct mg_db *db = NULL;
	struct mg_arena *arena = mg_arena_new();
	if (mg_db_open(&params, &db) != MG_OK || mg_db_transaction(db, add_units, arena) != MG_OK) {
		fprintf(stderr, "hold_ceiling: cannot create the units\n");
		return 2;
	}
	double started = now_ms();
	pthread_t threads[64];
	for (intptr_t t = 0; t < nthreads && t < 64; t++)
		pthread_create(&threads[t], NULL, worker, (void *)t);
	for (int t = 0; t < nthreads && t < 64; t++)
		pthread_join(threads[t], NULL);
	double secs = (now_ms() - started) / 1000.0;
	qsort(lat, nlat, sizeof(double), by_value);
	printf("raw holds  %8zu  %8.0f/s   p50 %7.1f ms   p99 %7.1f ms   (%d connections, hold+confirm per txn)\n", nlat,
	       nlat / secs, nlat ? lat[nlat / 2] : 0, nlat ? lat[(size_t)(0.99 * (nlat - 1))] : 0, nthreads);
	mg_arena_free(arena);
	mg_db_close(db);
	free(lat);
	return 0;
}
