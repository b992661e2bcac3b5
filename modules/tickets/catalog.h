/*
 * The catalogue of the tickets module: events, performances, seat categories, ticket types,
 * prices, general-admission quotas and merchandise.
 *
 *   catalog.c         the functions below (what the shop, the API and the back office share:
 *                     "the web pages and the API share the same core functions") and the
 *                     tenant purge; catalog_sql.h their statements
 *   catalog_admin.c   back office: events, categories, ticket types, prices, performances,
 *                     quotas (permission tickets.manage)
 *   catalog_merch.c   back office: merchandise
 *   catalog_public.c  public browsing: /<slug>/tickets and /<slug>/tickets/events/<id>
 *
 * Times: stored in UTC, entered and shown in the tenant's zone (tenant.time_zone, tz.h).
 * Money: whole yen. Everything returned through an arena belongs to that arena.
 *
 * tickets.c lists this file's routes, statements and menu entries through the
 * CATALOG_ROUTES, CATALOG_STATEMENTS and CATALOG_NAV macros in its catalog sections.
 */
#ifndef TICKETS_CATALOG_H
#define TICKETS_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "catalog_sql.h" /* CATALOG_STATEMENTS */
#include "tickets.h"

/* Shared inside tickets.so only: the module exports nothing but its descriptor. */
#pragma GCC visibility push(hidden)

/* ---- events and performances ---- */

struct tickets_event {
	uint64_t id;
	const char *title, *description;
	uint64_t venue_id;
	const char *venue_name, *venue_address;
	uint64_t seat_map_id;     /* 0 for a general-admission event */
	const char *seat_map_name; /* "" when none */
	uint32_t seat_count;       /* seats of the map; 0 when none */
	bool seated;               /* kind 'seated' (else 'ga') */
	const char *kind;          /* "seated" or "ga" */
	const char *state;         /* "draft", "published" or "closed" */
	unsigned per_order_limit;  /* most tickets one order may hold */
};

/* The event id of this tenant, or MG_ERR_NOT_FOUND (also for another tenant's id). */
enum mg_err tickets_event_load(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t id,
			       struct tickets_event *out);

struct tickets_performance {
	uint64_t id;
	uint64_t event_id;
	time_t starts_at;
	time_t doors_at; /* 0 when not given */
	time_t sale_starts_at, sale_ends_at; /* on sale while sale_starts_at <= now < sale_ends_at */
	time_t ends_at; /* 0 when not given: TICKETS_DEFAULT_LENGTH after the start */
	bool cancelled;
	struct tickets_event event;
};

/* How long a performance without an end time occupies its venue after its start. */
enum { TICKETS_DEFAULT_LENGTH = 3 * 3600 };

/* The venue's calendar space (core/commerce/calendar.h), made now when the venue has none yet
 * (the venue row is locked meanwhile). In a transaction. */
enum mg_err tickets_venue_space(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t venue,
				uint64_t *space);

/* The performance id of this tenant with its event, or MG_ERR_NOT_FOUND. */
enum mg_err tickets_performance_load(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t id,
				     struct tickets_performance *out);

/* Where a performance's sale stands for a buyer at `now`. */
enum tickets_sale {
	TICKETS_SALE_ON,        /* "on_sale": buyers may take what is free */
	TICKETS_SALE_NOT_YET,   /* "not_yet": the sale window has not opened */
	TICKETS_SALE_ENDED,     /* "ended": the window closed (or the event is closed) */
	TICKETS_SALE_SOLD_OUT,  /* "sold_out": in the window, nothing free */
	TICKETS_SALE_CANCELLED, /* "cancelled": the performance was cancelled */
	TICKETS_SALE_UNLISTED,  /* "unlisted": the event is a draft (not for the public) */
};
/* The machine word of a sale state (the API's "sale" field). */
const char *tickets_sale_name(enum tickets_sale sale);

/* The sale state from the dates and states alone (no inventory read): never SOLD_OUT. The
 * shop checks this (== TICKETS_SALE_ON) before holding anything. */
enum tickets_sale tickets_sale_window(const struct tickets_performance *p, time_t now);

/* What a buyer can still take of a performance now: free seats (seated) or free places of
 * all its quotas (GA); lapsed holds count as free. */
enum mg_err tickets_performance_free(struct mg_db *db, struct mg_arena *arena, uint64_t tenant,
				     const struct tickets_performance *p, time_t now, uint64_t *free_units);

/* The sale state with the inventory read (SOLD_OUT when on sale and nothing is free). */
enum mg_err tickets_performance_sale(struct mg_db *db, struct mg_arena *arena, uint64_t tenant,
				     const struct tickets_performance *p, time_t now, enum tickets_sale *out);

/* Every performance of an event, by start time (cancelled ones too). *out in the arena. */
enum mg_err tickets_performances_of_event(struct mg_db *db, struct mg_arena *arena, uint64_t tenant,
					  const struct tickets_event *event, struct tickets_performance **out,
					  size_t *n);

/*
 * Published events with their coming performances (starts_at >= now; cancelled ones
 * included, flagged), for the public pages and GET /api/v1/events:
 *
 *   [{"id": 12, "title": "…", "description": "…", "kind": "seated"|"ga",
 *     "venue": {"id": 3, "name": "…", "address": "…"}, "per_order_limit": 8,
 *     "performances": [{"id": 40, "starts_at": "2026-05-01T09:30:00Z",
 *                       "doors_at": "…Z" | null, "sale_starts_at": "…Z", "sale_ends_at": "…Z",
 *                       "sale": "on_sale"|"not_yet"|"ended"|"sold_out"|"cancelled",
 *                       "free": 123}]}]
 *
 * Events newest first. A new reference (json_decref it), or NULL with *err set.
 */
json_t *tickets_published_events(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, time_t now,
				 enum mg_err *err);

/* One performance as in the list above (the same fields, sale with the inventory read). */
json_t *tickets_performance_json(struct mg_db *db, struct mg_arena *arena, uint64_t tenant,
				 const struct tickets_performance *p, time_t now, enum mg_err *err);

/* ---- categories, ticket types, prices ---- */

struct tickets_category {
	const char *code; /* the seat map's category code (seated) or the event's own (GA) */
	const char *name; /* display name; the code when staff named none yet */
	unsigned rank;    /* 1 = best */
	uint32_t seats;   /* seats of the map in this category (0 for GA) */
};

/* The categories of an event, best first: for a seated event every category code present
 * in its seat map (named or not yet), for a GA event the ones staff added. */
enum mg_err tickets_categories(struct mg_db *db, struct mg_arena *arena, uint64_t tenant,
			       const struct tickets_event *event, struct tickets_category **out, size_t *n);

struct tickets_ticket_type {
	uint64_t id;
	const char *name; /* "大人", "子ども", "学生" … */
	unsigned sort_no;
};

/* The ticket types of an event in their display order. */
enum mg_err tickets_ticket_types(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t event_id,
				 struct tickets_ticket_type **out, size_t *n);

/* The price in yen of a ticket type in a category of an event; MG_ERR_NOT_FOUND when that
 * combination is not sold (no price set, or the type belongs to another event). */
enum mg_err tickets_price(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t event_id,
			  const char *category, uint64_t ticket_type_id, unsigned *yen);

/* The whole price grid of an event: category × ticket type → yen. */
struct tickets_price_cell {
	const char *category;
	uint64_t ticket_type_id;
	unsigned yen;
};
enum mg_err tickets_prices(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t event_id,
			   struct tickets_price_cell **out, size_t *n);

/* ---- general-admission quotas ---- */

struct tickets_ga_quota {
	uint64_t id;
	uint64_t performance_id;
	const char *name;           /* "スタンディング", "芝生席" */
	const char *price_category; /* priced as this category of the event */
	uint32_t capacity;          /* = its inventory units (kind 'tickets.ga', resource = id) */
	struct mg_unit_counts counts; /* free/held/sold/blocked now */
};

/* The quotas of a performance, with their counts now. */
enum mg_err tickets_ga_quotas(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t performance_id,
			      time_t now, struct tickets_ga_quota **out, size_t *n);
/* One quota of this tenant (counts now), or MG_ERR_NOT_FOUND. */
enum mg_err tickets_ga_quota_load(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t id,
				  time_t now, struct tickets_ga_quota *out);

/* ---- merchandise ---- */

struct tickets_merch {
	uint64_t id;
	uint64_t event_id; /* 0: not tied to an event */
	const char *event_title; /* "" when none */
	const char *name;
	unsigned price; /* yen */
	uint32_t stock; /* = its inventory units (kind 'tickets.merch', resource = id) */
	bool withdrawn;
	struct mg_unit_counts counts;
};

/* Merchandise on sale now: every item (event_id 0), or an event's items and the items tied
 * to no event. With counts now. */
enum mg_err tickets_merch_on_sale(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t event_id,
				  time_t now, struct tickets_merch **out, size_t *n);
/* One item of this tenant (withdrawn ones too), or MG_ERR_NOT_FOUND. */
enum mg_err tickets_merch_load(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t id, time_t now,
			       struct tickets_merch *out);

/* Every item of the tenant, withdrawn ones last (the back office). */
enum mg_err catalog_merch_all(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, time_t now,
			      struct tickets_merch **out, size_t *n);

/* ---- times (local ones through mg_time_text and core/base/tz.h) ---- */

/* "2026-05-01T09:30:00Z". */
const char *tickets_iso_utc(struct mg_arena *arena, time_t t);

/* ---- the purge ---- */

/* Deletes every row of the tenant in every tickets_* table, 1000 rows a statement (the
 * module's purge_tenant hook). */
enum mg_err tickets_purge(struct mg_db *db, uint64_t tenant_id);

/* ---- what the catalogue's pages share (catalog.c) ---- */

/* Whole number 0..max written with digits only (no sign, no spaces). */
bool catalog_parse_number(const char *text, unsigned long max, unsigned long *out);
/* Characters (UTF-8 code points) of text. */
size_t catalog_chars(const char *text);
/* Not blank and at most max_chars characters. */
bool catalog_text_ok(const char *text, size_t max_chars);
/* The form's value of a field as typed, "" when absent (to show it again). */
const char *catalog_typed(struct mg_ctx *ctx, const char *name);
/* "table:id", the audit object. */
const char *catalog_object(struct mg_ctx *ctx, const char *table, uint64_t id);
/* The translation of msgid with its placeholder ("{n}") replaced by value. */
const char *catalog_message(struct mg_ctx *ctx, const char *msgid, const char *placeholder, const char *value);
/* errors[field] = the translation of msgid, unless the field has a message already. */
void catalog_field_error(struct mg_ctx *ctx, json_t *errors, const char *field, const char *msgid);

/* Makes a resource hold `wanted` units instead of `current` (a quota's capacity, an item's
 * stock; the caller has locked its row): more adds units after the last one; fewer removes
 * free ones, refused with MG_ERR_CONFLICT (*taken = units sold, held or blocked) when that
 * many are not free. In a transaction. */
enum mg_err catalog_resize_units(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const char *kind,
				 uint64_t resource, uint32_t current, uint32_t wanted, uint64_t *taken);

/* ---- what tickets.c lists ---- */

enum mg_err catalog_admin_events(struct mg_ctx *ctx);
enum mg_err catalog_admin_event_new(struct mg_ctx *ctx);
enum mg_err catalog_admin_event_create(struct mg_ctx *ctx);
enum mg_err catalog_admin_event(struct mg_ctx *ctx);
enum mg_err catalog_admin_event_update(struct mg_ctx *ctx);
enum mg_err catalog_admin_event_state(struct mg_ctx *ctx);
enum mg_err catalog_admin_categories(struct mg_ctx *ctx);
enum mg_err catalog_admin_category_add(struct mg_ctx *ctx);
enum mg_err catalog_admin_type_add(struct mg_ctx *ctx);
enum mg_err catalog_admin_type_update(struct mg_ctx *ctx);
enum mg_err catalog_admin_prices(struct mg_ctx *ctx);
enum mg_err catalog_admin_performance_add(struct mg_ctx *ctx);
enum mg_err catalog_admin_performance(struct mg_ctx *ctx);
enum mg_err catalog_admin_performance_update(struct mg_ctx *ctx);
enum mg_err catalog_admin_performance_cancel(struct mg_ctx *ctx);
enum mg_err catalog_admin_quota_add(struct mg_ctx *ctx);
enum mg_err catalog_admin_quota_update(struct mg_ctx *ctx);
enum mg_err catalog_admin_merch_list(struct mg_ctx *ctx);
enum mg_err catalog_admin_merch_create(struct mg_ctx *ctx);
enum mg_err catalog_admin_merch(struct mg_ctx *ctx);
enum mg_err catalog_admin_merch_update(struct mg_ctx *ctx);
enum mg_err catalog_admin_merch_withdraw(struct mg_ctx *ctx);
enum mg_err catalog_public_events(struct mg_ctx *ctx);
enum mg_err catalog_public_event(struct mg_ctx *ctx);

extern const struct mg_field catalog_categories_fields[], catalog_prices_fields[];
extern const struct mg_field catalog_event_fields[], catalog_state_fields[], catalog_category_fields[],
	catalog_type_fields[], catalog_performance_fields[], catalog_quota_fields[], catalog_merch_fields[];

#pragma GCC visibility pop

#define CATALOG_ID MG_ID_GROUP("id")
#define CATALOG_MANAGE "tickets.manage"

/* The routes, for tickets_routes[] (the back office under /<slug>/admin, the public pages
 * under /<slug>). */
#define CATALOG_ROUTES                                                                                         \
	{ "GET", "/tickets/events", catalog_admin_events, MG_SCOPE_ADMIN, CATALOG_MANAGE, MG_NO_FIELDS,                \
	  "events with their state and next performance" },                                                      \
	{ "GET", "/tickets/events/new", catalog_admin_event_new, MG_SCOPE_ADMIN, CATALOG_MANAGE, MG_NO_FIELDS,        \
	  "new event form" },                                                                                    \
	{ "POST", "/tickets/events", catalog_admin_event_create, MG_SCOPE_ADMIN, CATALOG_MANAGE,              \
	  catalog_event_fields, "create an event (a draft)" },                                                   \
	{ "GET", "/tickets/events/" CATALOG_ID, catalog_admin_event, MG_SCOPE_ADMIN, CATALOG_MANAGE, MG_NO_FIELDS,    \
	  "one event: details, categories, ticket types, prices, performances" },                               \
	{ "POST", "/tickets/events/" CATALOG_ID, catalog_admin_event_update, MG_SCOPE_ADMIN, CATALOG_MANAGE,  \
	  catalog_event_fields, "change an event's details" },                                                   \
	{ "POST", "/tickets/events/" CATALOG_ID "/state", catalog_admin_event_state, MG_SCOPE_ADMIN,          \
	  CATALOG_MANAGE, catalog_state_fields, "publish or close an event" },                                  \
	{ "POST", "/tickets/events/" CATALOG_ID "/categories", catalog_admin_categories, MG_SCOPE_ADMIN,      \
	  CATALOG_MANAGE, catalog_categories_fields, "name and rank an event's seat categories" },                                   \
	{ "POST", "/tickets/events/" CATALOG_ID "/categories/new", catalog_admin_category_add,                \
	  MG_SCOPE_ADMIN, CATALOG_MANAGE, catalog_category_fields,                                               \
	  "add a price category to a general-admission event" },                                               \
	{ "POST", "/tickets/events/" CATALOG_ID "/types", catalog_admin_type_add, MG_SCOPE_ADMIN,             \
	  CATALOG_MANAGE, catalog_type_fields, "add a ticket type (adult, child…)" },                          \
	{ "POST", "/tickets/events/" CATALOG_ID "/types/" MG_ID_GROUP("type"), catalog_admin_type_update,     \
	  MG_SCOPE_ADMIN, CATALOG_MANAGE, catalog_type_fields, "rename or reorder a ticket type" },            \
	{ "POST", "/tickets/events/" CATALOG_ID "/prices", catalog_admin_prices, MG_SCOPE_ADMIN,              \
	  CATALOG_MANAGE, catalog_prices_fields, "set the price grid (category × ticket type)" },                                \
	{ "POST", "/tickets/events/" CATALOG_ID "/performances", catalog_admin_performance_add,               \
	  MG_SCOPE_ADMIN, CATALOG_MANAGE, catalog_performance_fields,                                           \
	  "add a performance (its seats become inventory units)" },                                            \
	{ "GET", "/tickets/performances/" CATALOG_ID, catalog_admin_performance, MG_SCOPE_ADMIN,              \
	  CATALOG_MANAGE, MG_NO_FIELDS, "one performance: times, counts, quotas" },                                     \
	{ "POST", "/tickets/performances/" CATALOG_ID, catalog_admin_performance_update, MG_SCOPE_ADMIN,      \
	  CATALOG_MANAGE, catalog_performance_fields, "change a performance's times and sale window" },        \
	{ "POST", "/tickets/performances/" CATALOG_ID "/cancel", catalog_admin_performance_cancel,            \
	  MG_SCOPE_ADMIN, CATALOG_MANAGE, MG_NO_FIELDS, "cancel a performance" },                                       \
	{ "POST", "/tickets/performances/" CATALOG_ID "/quotas", catalog_admin_quota_add, MG_SCOPE_ADMIN,     \
	  CATALOG_MANAGE, catalog_quota_fields, "add a general-admission quota (its places become units)" },   \
	{ "POST", "/tickets/quotas/" CATALOG_ID, catalog_admin_quota_update, MG_SCOPE_ADMIN, CATALOG_MANAGE,  \
	  catalog_quota_fields, "change a quota (raising adds places; never below what is taken)" },           \
	{ "GET", "/tickets/merch", catalog_admin_merch_list, MG_SCOPE_ADMIN, CATALOG_MANAGE, MG_NO_FIELDS,            \
	  "merchandise and the new-item form" },                                                                 \
	{ "POST", "/tickets/merch", catalog_admin_merch_create, MG_SCOPE_ADMIN, CATALOG_MANAGE,               \
	  catalog_merch_fields, "add merchandise (its stock becomes units)" },                                  \
	{ "GET", "/tickets/merch/" CATALOG_ID, catalog_admin_merch, MG_SCOPE_ADMIN, CATALOG_MANAGE, MG_NO_FIELDS,     \
	  "one merchandise item" },                                                                              \
	{ "POST", "/tickets/merch/" CATALOG_ID, catalog_admin_merch_update, MG_SCOPE_ADMIN, CATALOG_MANAGE,   \
	  catalog_merch_fields, "change merchandise (raising the stock adds units)" },                          \
	{ "POST", "/tickets/merch/" CATALOG_ID "/withdraw", catalog_admin_merch_withdraw, MG_SCOPE_ADMIN,     \
	  CATALOG_MANAGE, MG_NO_FIELDS, "withdraw merchandise from sale" },                                             \
	{ "GET", "/tickets", catalog_public_events, MG_SCOPE_TENANT, NULL, MG_NO_FIELDS,                                \
	  "public: published events and their next performances" },                                            \
	{ "GET", "/tickets/events/" CATALOG_ID, catalog_public_event, MG_SCOPE_TENANT, NULL, MG_NO_FIELDS,            \
	  "public: one published event, its performances, sale states and prices" },

/* The back-office menu entries, for tickets_nav[]. */
#define CATALOG_NAV                                                                                            \
	{ N_("Events"), "/tickets/events", CATALOG_MANAGE },                                                     \
		{ N_("Merchandise"), "/tickets/merch", CATALOG_MANAGE },

#endif
