/*
 * 抽選: verifiable lotteries for whatever a module hands out by draw — time blocks of rooms
 * (rentals: capacity 1 each, bundles of blocks applied for as one), places of a course (lessons:
 * capacity N, one entry per learner or family member). docs/lottery.md is the specification
 * anyone can recompute a draw from; this header is the module-facing part (module.h includes it).
 *
 * A draw belongs to a module (owner, kind), offers items (each with a capacity), takes entries
 * between opens_at and closes_at, and is drawn at close by the job core.lottery (or by staff
 * through mg_lottery_run): when it is created a random 256-bit seed is drawn and only its
 * SHA-256 (the commitment) is shown; at the draw the canonical entries are hashed (entries_hash,
 * so they cannot change afterwards unseen), the seed is revealed, and the result is a pure
 * function of both (mg_lottery_compute). Winners confirm (当選確認) until their deadline
 * (drawn_at + confirm_days); a win not confirmed by then lapses (core.lottery) and frees its
 * items; from first_come_at the items' leftovers (mg_lottery_free_places) are the module's to
 * offer first-come. Modules read results (mg_lottery_entry_get); nothing calls back into them.
 * Each win gets a provisional hold (hold.h, owner MG_LOTTERY_HOLD_OWNER and the entry's id)
 * expiring at the confirmation deadline: a module that keeps its places as inventory units puts
 * them into it (mg_hold_units / mg_hold_any with the result's hold_id) and confirms it with the
 * order when the winner pays; unconfirmed, it lapses with the win and its units are free.
 */
#ifndef MG_LOTTERY_H
#define MG_LOTTERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "arena.h"
#include "db.h"
#include "err.h"

enum {
	MG_LOTTERY_SEED_BYTES = 32,
	MG_LOTTERY_MAX_ITEMS = 2000,     /* items of one draw */
	MG_LOTTERY_MAX_CHOICES = 10,     /* 第1希望…第10希望 */
	MG_LOTTERY_MAX_BUNDLE = 8,       /* items of one choice, won all together or not at all */
	MG_LOTTERY_MAX_ENTRIES = 100000, /* entries of one draw */
};
/* The owner_kind of the provisional hold of a win (hold.h); its owner_id is the entry's id. */
#define MG_LOTTERY_HOLD_OWNER "core.lottery"

/* ---- the pure draw (core/commerce/lottery_draw.c; no database) ---- */

struct mg_lottery_item {
	uint64_t id;
	uint32_t capacity;
};
struct mg_lottery_choice {
	uint64_t items[MG_LOTTERY_MAX_BUNDLE]; /* ascending, no repeat */
	unsigned nitems;
};
struct mg_lottery_entry {
	uint64_t applicant; /* a core person id */
	uint32_t member;    /* 0: the applicant; 1…: a family member (lessons) */
	uint32_t max_wins;  /* at most this many of the choices won (≥ 1) */
	struct mg_lottery_choice choices[MG_LOTTERY_MAX_CHOICES]; /* [0] = 第1希望 */
	unsigned nchoices;
	/* filled by mg_lottery_compute: won[r] true when choices[r] was won */
	bool won[MG_LOTTERY_MAX_CHOICES];
};

/* Sorts items by id and entries by (applicant, member), the canonical order; MG_ERR_INPUT when
 * two entries share an applicant key, an item repeats, a choice names an unknown item, is empty,
 * unsorted or repeats an item. */
enum mg_err mg_lottery_canonicalise(struct mg_lottery_item *items, size_t nitems, struct mg_lottery_entry *entries,
				    size_t nentries);
/* The canonical document of docs/lottery.md (canonicalised input), in the arena; *len its length. */
char *mg_lottery_document(struct mg_arena *arena, uint64_t draw_id, const struct mg_lottery_item *items,
			  size_t nitems, const struct mg_lottery_entry *entries, size_t nentries, size_t *len);
/* SHA-256 of the canonical document as 64 lower-case hex digits. */
void mg_lottery_entries_hash(struct mg_arena *arena, uint64_t draw_id, const struct mg_lottery_item *items,
			     size_t nitems, const struct mg_lottery_entry *entries, size_t nentries, char out[65]);
/* The draw: fills entries[*].won from the seed (docs/lottery.md). Input canonicalised; the
 * result does not depend on the order the caller had them in. */
enum mg_err mg_lottery_compute(const unsigned char seed[MG_LOTTERY_SEED_BYTES], const struct mg_lottery_item *items,
			       size_t nitems, struct mg_lottery_entry *entries, size_t nentries);
/* The text form of a choice list, "3,4;7" (bundles ascending, ranks by ';'), and back. */
char *mg_lottery_choices_text(struct mg_arena *arena, const struct mg_lottery_entry *e);
enum mg_err mg_lottery_choices_parse(const char *text, struct mg_lottery_entry *e);

/* ---- draws in the database (core/commerce/lottery.c) ---- */

enum mg_lottery_sql {
	MG_SQL_LOTTERY_DRAW_INSERT,
	MG_SQL_LOTTERY_ITEM_INSERT,
	MG_SQL_LOTTERY_DRAW_GET,
	MG_SQL_LOTTERY_DRAW_LOCK,
	MG_SQL_LOTTERY_DRAW_SHARE,
	MG_SQL_LOTTERY_ITEMS,
	MG_SQL_LOTTERY_ENTRY_INSERT,
	MG_SQL_LOTTERY_ENTRIES,
	MG_SQL_LOTTERY_DRAW_DONE,
	MG_SQL_LOTTERY_ENTRY_RESULT,
	MG_SQL_LOTTERY_AWARD_INSERT,
	MG_SQL_LOTTERY_AWARDS,
	MG_SQL_LOTTERY_DUE,
	MG_SQL_LOTTERY_ENTRY_GET,
	MG_SQL_LOTTERY_CONFIRM,
	MG_SQL_LOTTERY_LAPSE,
	MG_SQL_LOTTERY_FREE,
	MG_SQL_LOTTERY_APPLICANT_COUNT,
	MG_SQL_LOTTERY_RESULTS,
	MG_SQL_LOTTERY__MAX
};
extern const struct mg_sql mg_lottery_statements[MG_SQL_LOTTERY__MAX + 1];

/* What a module asks for when it sets a draw up. */
struct mg_lottery_spec {
	const char *owner;  /* the module ("rentals") */
	const char *kind;   /* its name for what is drawn ("rentals.block", "lessons.course") */
	const char *title;
	time_t opens_at, closes_at, first_come_at;
	unsigned confirm_days;      /* 当選確認 within this many days of the draw */
	unsigned max_choices;       /* 1…MG_LOTTERY_MAX_CHOICES */
	unsigned max_wins;          /* per entry, ≥ 1 */
	const char *const *item_keys; /* the module's key of each item ("room:3/2026-12-18/pm") */
	const uint32_t *capacities;   /* of each item */
	size_t nitems;
};

/* Creates the draw and its items, with a fresh seed (RAND_bytes) whose commitment is public at
 * once; *id the draw, item ids in order from *first_item. MG_ERR_INPUT for a bad spec. Opens
 * its own transaction. */
enum mg_err mg_lottery_create(struct mg_db *db, struct mg_arena *arena, uint64_t tenant,
			      const struct mg_lottery_spec *spec, time_t now, uint64_t *id);
/* The draw's item ids in the order of the spec's item_keys (n of them, caller's array). */
enum mg_err mg_lottery_item_ids(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t draw,
				uint64_t *ids, size_t n);

/* A draw as anyone may see it: the seed only once drawn. */
struct mg_lottery_draw {
	uint64_t id;
	const char *owner, *kind, *title, *state; /* state "open" or "drawn" */
	time_t opens_at, closes_at, first_come_at, drawn_at; /* drawn_at 0 before the draw */
	unsigned confirm_days, max_choices, max_wins;
	const char *commitment;   /* SHA-256(seed), 64 hex digits */
	const char *seed;         /* 64 lower-case hex digits once drawn, else NULL */
	const char *entries_hash; /* once drawn, else NULL */
	const char *drawn_by;     /* "job", "staff:<id>", "operator"; NULL before */
};
/* The draw (strings in the arena); MG_ERR_NOT_FOUND. */
enum mg_err mg_lottery_get(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t draw,
			   struct mg_lottery_draw *out);

/* An entry while the period is open: MG_ERR_EXPIRED outside it (or once drawn), MG_ERR_CONFLICT
 * when the applicant key already entered, MG_ERR_INPUT for bad choices (too many, unknown items,
 * max_wins above the draw's). *entry_id its id (its public 申込番号). Opens its own transaction. */
enum mg_err mg_lottery_enter(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t draw,
			     const struct mg_lottery_entry *entry, time_t now, uint64_t *entry_id);

/* Draws now (staff; the job calls it at close): idempotent — *drawn false when it already was.
 * MG_ERR_EXPIRED before closes_at. by: "job" or "staff:<id>". Opens its own transaction. */
enum mg_err mg_lottery_run(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t draw, time_t now,
			   const char *by, bool *drawn);

struct mg_lottery_result {
	uint64_t entry_id, applicant;
	uint32_t member;
	const char *state;  /* "entered", "won", "lost", "confirmed", "lapsed" */
	const char *won;    /* the ranks won, "1" or "1,3", "" when none */
	time_t confirm_by;  /* 0 unless won */
	uint64_t hold_id;   /* a win's provisional hold (hold.h), expiring at confirm_by; 0 unless won */
};
/* One entry's result; MG_ERR_NOT_FOUND. */
enum mg_err mg_lottery_entry_get(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t entry_id,
				 struct mg_lottery_result *out);
/* 当選確認: a won entry confirmed before its deadline; MG_ERR_EXPIRED when it lapsed, MG_ERR_CONFLICT
 * when it did not win. */
enum mg_err mg_lottery_confirm(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t entry_id,
			       time_t now);
/* Places of an item not won, or won and lapsed (the leftovers open first-come). */
enum mg_err mg_lottery_free_places(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t item_id,
				   time_t now, uint32_t *free_places);

/* The job core.lottery: draws every draw past its close, lapses wins past their deadline. */
enum mg_err mg_lottery_job(struct mg_db *db, struct mg_arena *arena, time_t now, size_t *drawn, size_t *lapsed);

/* The canonical document of a draw's stored items and entries (docs/lottery.md), in the arena:
 * what the entries hash is the SHA-256 of. MG_ERR_INPUT when a stored entry no longer parses. */
enum mg_err mg_lottery_stored_document(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t draw,
				       const char **doc, size_t *len);

/* What verify found (mg_lottery_verify). */
struct mg_lottery_check {
	bool drawn, seed_matches, entries_match, results_match;
	char commitment[65], seed_hex[65], entries_hash[65], recomputed_hash[65];
	size_t nentries, nwon, mismatches;
};
/* Recomputes a drawn draw from its revealed seed and stored entries (MG_ERR_NOT_FOUND). */
enum mg_err mg_lottery_verify(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t draw,
			      struct mg_lottery_check *out);

#endif
