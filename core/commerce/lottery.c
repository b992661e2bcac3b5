/*
 * Lotteries in the database (core/commerce/lottery.h). The draw's arithmetic is in
 * lottery_draw.c; this file keeps draws, items, entries and results, and is the only writer of
 * the lottery_* tables.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "crypto.h"
#include "hold.h"
#include "log.h"
#include "lottery.h"

#define DRAW_COLUMNS                                                                                               \
	"id, owner, kind, title, UNIX_TIMESTAMP(opens_at), UNIX_TIMESTAMP(closes_at), UNIX_TIMESTAMP(first_come_at),"  \
	" confirm_days, max_choices, max_wins, HEX(seed), commitment, entries_hash, state,"                         \
	" UNIX_TIMESTAMP(drawn_at), drawn_by"

const struct mg_sql mg_lottery_statements[] = {
	[MG_SQL_LOTTERY_DRAW_INSERT] = { "core.lottery_draw_insert",
	  "INSERT INTO lottery_draw (tenant_id, owner, kind, title, opens_at, closes_at, first_come_at, confirm_days,"
	  " max_choices, max_wins, seed, commitment, created_at) VALUES (?, ?, ?, ?, FROM_UNIXTIME(?),"
	  " FROM_UNIXTIME(?), FROM_UNIXTIME(?), ?, ?, ?, ?, ?, FROM_UNIXTIME(?))" },
	[MG_SQL_LOTTERY_ITEM_INSERT] = { "core.lottery_item_insert",
	  "INSERT INTO lottery_item (tenant_id, draw_id, item_key, capacity) VALUES (?, ?, ?, ?)" },
	[MG_SQL_LOTTERY_DRAW_GET] = { "core.lottery_draw_get",
	  "SELECT " DRAW_COLUMNS " FROM lottery_draw WHERE tenant_id = ? AND id = ?" },
	[MG_SQL_LOTTERY_DRAW_LOCK] = { "core.lottery_draw_lock",
	  "SELECT " DRAW_COLUMNS " FROM lottery_draw WHERE tenant_id = ? AND id = ? FOR UPDATE" },
	[MG_SQL_LOTTERY_DRAW_SHARE] = { "core.lottery_draw_share",
	  "SELECT " DRAW_COLUMNS " FROM lottery_draw WHERE tenant_id = ? AND id = ? LOCK IN SHARE MODE" },
	[MG_SQL_LOTTERY_ITEMS] = { "core.lottery_items",
	  "SELECT id, capacity, item_key FROM lottery_item WHERE tenant_id = ? AND draw_id = ? ORDER BY id" },
	[MG_SQL_LOTTERY_ENTRY_INSERT] = { "core.lottery_entry_insert",
	  "INSERT INTO lottery_entry (tenant_id, draw_id, applicant_id, member, max_wins, choices, created_at)"
	  " VALUES (?, ?, ?, ?, ?, ?, FROM_UNIXTIME(?))" },
	[MG_SQL_LOTTERY_ENTRIES] = { "core.lottery_entries",
	  "SELECT id, applicant_id, member, max_wins, choices, state, won, UNIX_TIMESTAMP(confirm_by)"
	  " FROM lottery_entry WHERE tenant_id = ? AND draw_id = ? ORDER BY applicant_id, member" },
	[MG_SQL_LOTTERY_DRAW_DONE] = { "core.lottery_draw_done",
	  "UPDATE lottery_draw SET state = 'drawn', entries_hash = ?, drawn_at = FROM_UNIXTIME(?), drawn_by = ?"
	  " WHERE tenant_id = ? AND id = ? AND state = 'open'" },
	[MG_SQL_LOTTERY_ENTRY_RESULT] = { "core.lottery_entry_result",
	  "UPDATE lottery_entry SET state = ?, won = ?, confirm_by = FROM_UNIXTIME(?), hold_id = ?"
	  " WHERE tenant_id = ? AND id = ? AND state = 'entered'" },
	[MG_SQL_LOTTERY_AWARD_INSERT] = { "core.lottery_award_insert",
	  "INSERT INTO lottery_award (tenant_id, draw_id, entry_id, item_id, choice_rank) VALUES (?, ?, ?, ?, ?)" },
	[MG_SQL_LOTTERY_AWARDS] = { "core.lottery_awards",
	  "SELECT entry_id, item_id, choice_rank FROM lottery_award WHERE tenant_id = ? AND draw_id = ?"
	  " ORDER BY entry_id, item_id" },
	[MG_SQL_LOTTERY_DUE] = { "core.lottery_due",
	  "SELECT tenant_id, id FROM lottery_draw WHERE state = 'open' AND closes_at <= FROM_UNIXTIME(?)"
	  " ORDER BY closes_at, id LIMIT 20" },
	[MG_SQL_LOTTERY_ENTRY_GET] = { "core.lottery_entry_get",
	  "SELECT id, applicant_id, member, state, won, UNIX_TIMESTAMP(confirm_by), hold_id"
	  " FROM lottery_entry WHERE tenant_id = ? AND id = ?" },
	[MG_SQL_LOTTERY_CONFIRM] = { "core.lottery_confirm",
	  "UPDATE lottery_entry SET state = 'confirmed'"
	  " WHERE tenant_id = ? AND id = ? AND state = 'won' AND confirm_by >= FROM_UNIXTIME(?)" },
	[MG_SQL_LOTTERY_LAPSE] = { "core.lottery_lapse",
	  "UPDATE lottery_entry SET state = 'lapsed' WHERE state = 'won' AND confirm_by < FROM_UNIXTIME(?)" },
	/* a won entry past its deadline frees its items even before the job marks it lapsed */
	[MG_SQL_LOTTERY_FREE] = { "core.lottery_free",
	  "SELECT i.capacity, (SELECT COUNT(*) FROM lottery_award a JOIN lottery_entry e"
	  "  ON e.tenant_id = a.tenant_id AND e.id = a.entry_id"
	  "  WHERE a.tenant_id = i.tenant_id AND a.item_id = i.id"
	  "  AND (e.state = 'confirmed' OR (e.state = 'won' AND e.confirm_by >= FROM_UNIXTIME(?))))"
	  " FROM lottery_item i WHERE i.tenant_id = ? AND i.id = ?" },
	[MG_SQL_LOTTERY_APPLICANT_COUNT] = { "core.lottery_entry_count",
	  "SELECT COUNT(*) FROM lottery_entry WHERE tenant_id = ? AND draw_id = ?" },
	/* the public page: by entry number, no applicant */
	[MG_SQL_LOTTERY_RESULTS] = { "core.lottery_results",
	  "SELECT id, state, won FROM lottery_entry WHERE tenant_id = ? AND draw_id = ? ORDER BY id" },
	[MG_SQL_LOTTERY__MAX] = { NULL, NULL },
};

static bool name_ok(const char *s, size_t max)
{
	if (s == NULL || *s == '\0' || strlen(s) > max)
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' || *s == '-' ||
		      *s == ':' || *s == '/'))
			return false;
	return true;
}

struct create_job {
	uint64_t tenant;
	const struct mg_lottery_spec *spec;
	time_t now;
	struct mg_arena *arena;
	uint64_t id;
};

static enum mg_err create_in_transaction(struct mg_db *db, void *arg)
{
	struct create_job *j = arg;
	const struct mg_lottery_spec *s = j->spec;
	unsigned char seed[MG_LOTTERY_SEED_BYTES];
	if (RAND_bytes(seed, sizeof(seed)) != 1)
		return MG_ERR_INTERNAL;
	char commitment[65];
	mg_sha256_hex(seed, sizeof(seed), commitment);
	struct mg_dbval row[] = { MG_INT(j->tenant),	 MG_TEXT(s->owner),	     MG_TEXT(s->kind),
				  MG_TEXT(s->title),	 MG_INT(s->opens_at),	     MG_INT(s->closes_at),
				  MG_INT(s->first_come_at), MG_INT(s->confirm_days), MG_INT(s->max_choices),
				  MG_INT(s->max_wins),	 MG_BLOB(seed, sizeof(seed)), MG_TEXT(commitment),
				  MG_INT(j->now) };
	unsigned long long id = 0;
	enum mg_err err = mg_db_exec(db, j->arena, &mg_lottery_statements[MG_SQL_LOTTERY_DRAW_INSERT], row, 13, NULL,
				     NULL, &id);
	memset(seed, 0, sizeof(seed));
	if (err != MG_OK)
		return err;
	for (size_t i = 0; i < s->nitems; i++) {
		struct mg_dbval item[] = { MG_INT(j->tenant), MG_INT(id), MG_TEXT(s->item_keys[i]),
					   MG_INT(s->capacities[i]) };
		if ((err = mg_db_exec(db, j->arena, &mg_lottery_statements[MG_SQL_LOTTERY_ITEM_INSERT], item, 4, NULL,
				      NULL, NULL)) != MG_OK)
			return err;
	}
	j->id = id;
	return MG_OK;
}

enum mg_err mg_lottery_create(struct mg_db *db, struct mg_arena *arena, uint64_t tenant,
			      const struct mg_lottery_spec *spec, time_t now, uint64_t *id)
{
	if (!name_ok(spec->owner, 32) || !name_ok(spec->kind, 32) || spec->title == NULL || spec->title[0] == '\0' ||
	    strlen(spec->title) > 600 || spec->opens_at >= spec->closes_at || spec->first_come_at < spec->closes_at ||
	    spec->confirm_days == 0 || spec->confirm_days > 90 || spec->max_choices == 0 ||
	    spec->max_choices > MG_LOTTERY_MAX_CHOICES || spec->max_wins == 0 || spec->nitems == 0 ||
	    spec->nitems > MG_LOTTERY_MAX_ITEMS)
		return MG_ERR_INPUT;
	for (size_t i = 0; i < spec->nitems; i++)
		if (!name_ok(spec->item_keys[i], 100) || spec->capacities[i] == 0)
			return MG_ERR_INPUT;
	struct create_job j = { tenant, spec, now, arena, 0 };
	enum mg_err err = mg_db_transaction(db, create_in_transaction, &j);
	if (err == MG_OK)
		*id = j.id;
	return err;
}

enum mg_err mg_lottery_item_ids(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t draw,
				uint64_t *ids, size_t n)
{
	struct mg_dbval key[] = { MG_INT(tenant), MG_INT(draw) };
	struct mg_rows rows;
	enum mg_err err = mg_db_exec(db, arena, &mg_lottery_statements[MG_SQL_LOTTERY_ITEMS], key, 2, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	if (rows.nrows != n)
		return MG_ERR_NOT_FOUND;
	for (size_t i = 0; i < n; i++)
		ids[i] = mg_cell_u64(MG_CELL(&rows, i, 0)); /* inserted in the spec's order: ids ascend */
	return MG_OK;
}

/* The draw's row: columns of DRAW_COLUMNS. */
enum { D_ID, D_OWNER, D_KIND, D_TITLE, D_OPENS, D_CLOSES, D_FIRST, D_CONFIRM, D_CHOICES, D_WINS, D_SEED, D_COMMIT,
       D_HASH, D_STATE, D_DRAWN_AT, D_DRAWN_BY };

static enum mg_err draw_row(struct mg_db *db, struct mg_arena *arena, enum mg_lottery_sql which, uint64_t tenant,
			    uint64_t draw, struct mg_rows *rows)
{
	struct mg_dbval key[] = { MG_INT(tenant), MG_INT(draw) };
	enum mg_err err = mg_db_exec(db, arena, &mg_lottery_statements[which], key, 2, rows, NULL, NULL);
	if (err == MG_OK && rows->nrows == 0)
		err = MG_ERR_NOT_FOUND;
	return err;
}

enum mg_err mg_lottery_get(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t draw,
			   struct mg_lottery_draw *out)
{
	struct mg_rows d;
	enum mg_err err = draw_row(db, arena, MG_SQL_LOTTERY_DRAW_GET, tenant, draw, &d);
	if (err != MG_OK)
		return err;
	memset(out, 0, sizeof(*out));
	out->id = mg_cell_u64(MG_CELL(&d, 0, D_ID));
	out->owner = MG_CELL(&d, 0, D_OWNER);
	out->kind = MG_CELL(&d, 0, D_KIND);
	out->title = MG_CELL(&d, 0, D_TITLE);
	out->state = MG_CELL(&d, 0, D_STATE);
	out->opens_at = (time_t)mg_cell_u64(MG_CELL(&d, 0, D_OPENS));
	out->closes_at = (time_t)mg_cell_u64(MG_CELL(&d, 0, D_CLOSES));
	out->first_come_at = (time_t)mg_cell_u64(MG_CELL(&d, 0, D_FIRST));
	out->drawn_at = (time_t)mg_cell_u64(MG_CELL(&d, 0, D_DRAWN_AT));
	out->confirm_days = (unsigned)mg_cell_u64(MG_CELL(&d, 0, D_CONFIRM));
	out->max_choices = (unsigned)mg_cell_u64(MG_CELL(&d, 0, D_CHOICES));
	out->max_wins = (unsigned)mg_cell_u64(MG_CELL(&d, 0, D_WINS));
	out->commitment = MG_CELL(&d, 0, D_COMMIT);
	if (strcmp(out->state, "drawn") == 0) {
		char *seed = mg_arena_strdup(arena, MG_CELL(&d, 0, D_SEED));
		for (char *c = seed; *c != '\0'; c++)
			if (*c >= 'A' && *c <= 'F')
				*c = (char)(*c - 'A' + 'a');
		out->seed = seed;
		out->entries_hash = MG_CELL(&d, 0, D_HASH);
		out->drawn_by = MG_CELL(&d, 0, D_DRAWN_BY);
	}
	return MG_OK;
}

/* The draw's items, canonical (ascending id). */
static enum mg_err load_items(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t draw,
			      struct mg_lottery_item **items, size_t *n)
{
	struct mg_dbval key[] = { MG_INT(tenant), MG_INT(draw) };
	struct mg_rows rows;
	enum mg_err err = mg_db_exec(db, arena, &mg_lottery_statements[MG_SQL_LOTTERY_ITEMS], key, 2, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	*items = mg_arena_alloc(arena, (rows.nrows + 1) * sizeof(**items));
	for (size_t i = 0; i < rows.nrows; i++) {
		(*items)[i].id = mg_cell_u64(MG_CELL(&rows, i, 0));
		(*items)[i].capacity = (uint32_t)mg_cell_u64(MG_CELL(&rows, i, 1));
	}
	*n = rows.nrows;
	return MG_OK;
}

/* The draw's entries as stored (a row that no longer parses is MG_ERR_INPUT: verify says so). */
static enum mg_err load_entries(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t draw,
				struct mg_lottery_entry **entries, uint64_t **ids, struct mg_rows *rows)
{
	struct mg_dbval key[] = { MG_INT(tenant), MG_INT(draw) };
	enum mg_err err = mg_db_exec(db, arena, &mg_lottery_statements[MG_SQL_LOTTERY_ENTRIES], key, 2, rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	size_t n = rows->nrows;
	*entries = mg_arena_alloc(arena, (n + 1) * sizeof(**entries));
	*ids = mg_arena_alloc(arena, (n + 1) * sizeof(**ids));
	memset(*entries, 0, (n + 1) * sizeof(**entries));
	for (size_t i = 0; i < n; i++) {
		struct mg_lottery_entry *e = &(*entries)[i];
		(*ids)[i] = mg_cell_u64(MG_CELL(rows, i, 0));
		e->applicant = mg_cell_u64(MG_CELL(rows, i, 1));
		e->member = (uint32_t)mg_cell_u64(MG_CELL(rows, i, 2));
		e->max_wins = (uint32_t)mg_cell_u64(MG_CELL(rows, i, 3));
		if (mg_lottery_choices_parse(MG_CELL(rows, i, 4), e) != MG_OK)
			return MG_ERR_INPUT;
	}
	return MG_OK;
}

struct enter_job {
	uint64_t tenant, draw;
	const struct mg_lottery_entry *entry;
	time_t now;
	struct mg_arena *arena;
	uint64_t id;
};

static enum mg_err enter_in_transaction(struct mg_db *db, void *arg)
{
	struct enter_job *j = arg;
	struct mg_rows d;
	enum mg_err err = draw_row(db, j->arena, MG_SQL_LOTTERY_DRAW_SHARE, j->tenant, j->draw, &d);
	if (err != MG_OK)
		return err;
	if (strcmp(MG_CELL(&d, 0, D_STATE), "open") != 0 || (time_t)mg_cell_u64(MG_CELL(&d, 0, D_OPENS)) > j->now ||
	    (time_t)mg_cell_u64(MG_CELL(&d, 0, D_CLOSES)) <= j->now)
		return MG_ERR_EXPIRED;
	struct mg_lottery_entry e = *j->entry;
	if (e.nchoices > mg_cell_u64(MG_CELL(&d, 0, D_CHOICES)) || e.max_wins > mg_cell_u64(MG_CELL(&d, 0, D_WINS)))
		return MG_ERR_INPUT;
	struct mg_lottery_item *items;
	size_t nitems;
	if ((err = load_items(db, j->arena, j->tenant, j->draw, &items, &nitems)) != MG_OK)
		return err;
	if ((err = mg_lottery_canonicalise(items, nitems, &e, 1)) != MG_OK)
		return err;
	struct mg_dbval row[] = { MG_INT(j->tenant), MG_INT(j->draw), MG_INT(e.applicant), MG_INT(e.member),
				  MG_INT(e.max_wins), MG_TEXT(mg_lottery_choices_text(j->arena, &e)), MG_INT(j->now) };
	unsigned long long id = 0;
	err = mg_db_exec(db, j->arena, &mg_lottery_statements[MG_SQL_LOTTERY_ENTRY_INSERT], row, 7, NULL, NULL, &id);
	j->id = id; /* a second entry of the same applicant key: MG_ERR_CONFLICT (unique key) */
	return err;
}

enum mg_err mg_lottery_enter(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t draw,
			     const struct mg_lottery_entry *entry, time_t now, uint64_t *entry_id)
{
	if (entry->applicant == 0 || entry->max_wins == 0 || entry->nchoices == 0)
		return MG_ERR_INPUT;
	struct enter_job j = { tenant, draw, entry, now, arena, 0 };
	enum mg_err err = mg_db_transaction(db, enter_in_transaction, &j);
	if (err == MG_OK)
		*entry_id = j.id;
	return err;
}

struct run_job {
	uint64_t tenant, draw;
	time_t now;
	const char *by;
	struct mg_arena *arena;
	bool drawn;
};

static enum mg_err run_in_transaction(struct mg_db *db, void *arg)
{
	struct run_job *j = arg;
	j->drawn = false;
	struct mg_rows d;
	enum mg_err err = draw_row(db, j->arena, MG_SQL_LOTTERY_DRAW_LOCK, j->tenant, j->draw, &d);
	if (err != MG_OK)
		return err;
	if (strcmp(MG_CELL(&d, 0, D_STATE), "open") != 0)
		return MG_OK; /* drawn already: nothing to do */
	if ((time_t)mg_cell_u64(MG_CELL(&d, 0, D_CLOSES)) > j->now)
		return MG_ERR_EXPIRED;
	unsigned char seed[MG_LOTTERY_SEED_BYTES];
	const char *hex = MG_CELL(&d, 0, D_SEED);
	for (size_t i = 0; i < sizeof(seed); i++) {
		unsigned v = 0;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return MG_ERR_INTERNAL;
		seed[i] = (unsigned char)v;
	}
	unsigned confirm_days = (unsigned)mg_cell_u64(MG_CELL(&d, 0, D_CONFIRM));
	struct mg_lottery_item *items;
	size_t nitems;
	struct mg_lottery_entry *entries;
	uint64_t *ids;
	struct mg_rows rows;
	if ((err = load_items(db, j->arena, j->tenant, j->draw, &items, &nitems)) != MG_OK ||
	    (err = load_entries(db, j->arena, j->tenant, j->draw, &entries, &ids, &rows)) != MG_OK)
		return err;
	size_t n = rows.nrows;
	/* the stored order is canonical already (ORDER BY applicant_id, member); checked here */
	if ((err = mg_lottery_canonicalise(items, nitems, entries, n)) != MG_OK)
		return err;
	char hash[65];
	mg_lottery_entries_hash(j->arena, j->draw, items, nitems, entries, n, hash);
	if ((err = mg_lottery_compute(seed, items, nitems, entries, n)) != MG_OK)
		return err;
	time_t confirm_by = j->now + (time_t)confirm_days * 86400;
	for (size_t i = 0; i < n; i++) {
		struct mg_lottery_entry *e = &entries[i];
		char won[48] = "";
		size_t wl = 0;
		for (unsigned r = 0; r < e->nchoices; r++) {
			if (!e->won[r])
				continue;
			wl += (size_t)snprintf(won + wl, sizeof(won) - wl, "%s%u", wl > 0 ? "," : "", r + 1);
			for (unsigned k = 0; k < e->choices[r].nitems; k++) {
				struct mg_dbval a[] = { MG_INT(j->tenant), MG_INT(j->draw), MG_INT(ids[i]),
							MG_INT(e->choices[r].items[k]), MG_INT(r + 1) };
				if ((err = mg_db_exec(db, j->arena, &mg_lottery_statements[MG_SQL_LOTTERY_AWARD_INSERT], a,
						      5, NULL, NULL, NULL)) != MG_OK)
					return err;
			}
		}
		/* a win is held provisionally until its confirmation deadline (the core's hold sweep
		 * lapses the hold then, as core.lottery lapses the win) */
		uint64_t hold = 0;
		if (wl > 0 && (err = mg_hold_create(db, j->arena, j->tenant, MG_LOTTERY_HOLD_OWNER, ids[i], confirm_by, j->now,
						    &hold)) != MG_OK)
			return err;
		struct mg_dbval r[] = { MG_TEXT(wl > 0 ? "won" : "lost"), MG_TEXT(won), wl > 0 ? MG_INT(confirm_by) : MG_NULL,
					wl > 0 ? MG_INT(hold) : MG_NULL, MG_INT(j->tenant), MG_INT(ids[i]) };
		if ((err = mg_db_exec(db, j->arena, &mg_lottery_statements[MG_SQL_LOTTERY_ENTRY_RESULT], r, 6, NULL, NULL,
				      NULL)) != MG_OK)
			return err;
	}
	memset(seed, 0, sizeof(seed));
	struct mg_dbval done[] = { MG_TEXT(hash), MG_INT(j->now), MG_TEXT(j->by), MG_INT(j->tenant), MG_INT(j->draw) };
	unsigned long long changed = 0;
	if ((err = mg_db_exec(db, j->arena, &mg_lottery_statements[MG_SQL_LOTTERY_DRAW_DONE], done, 5, NULL, &changed,
			      NULL)) != MG_OK)
		return err;
	j->drawn = changed == 1;
	return MG_OK;
}

enum mg_err mg_lottery_run(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t draw, time_t now,
			   const char *by, bool *drawn)
{
	struct run_job j = { tenant, draw, now, by != NULL ? by : "staff", arena, false };
	enum mg_err err = mg_db_transaction(db, run_in_transaction, &j);
	if (drawn != NULL)
		*drawn = err == MG_OK && j.drawn;
	return err;
}

enum mg_err mg_lottery_entry_get(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t entry_id,
				 struct mg_lottery_result *out)
{
	struct mg_dbval key[] = { MG_INT(tenant), MG_INT(entry_id) };
	struct mg_rows rows;
	enum mg_err err =
		mg_db_exec(db, arena, &mg_lottery_statements[MG_SQL_LOTTERY_ENTRY_GET], key, 2, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	if (rows.nrows == 0)
		return MG_ERR_NOT_FOUND;
	out->entry_id = mg_cell_u64(MG_CELL(&rows, 0, 0));
	out->applicant = mg_cell_u64(MG_CELL(&rows, 0, 1));
	out->member = (uint32_t)mg_cell_u64(MG_CELL(&rows, 0, 2));
	out->state = MG_CELL(&rows, 0, 3);
	out->won = MG_CELL(&rows, 0, 4);
	out->confirm_by = (time_t)mg_cell_u64(MG_CELL(&rows, 0, 5));
	out->hold_id = mg_cell_u64(MG_CELL(&rows, 0, 6));
	return MG_OK;
}

enum mg_err mg_lottery_confirm(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t entry_id,
			       time_t now)
{
	struct mg_dbval args[] = { MG_INT(tenant), MG_INT(entry_id), MG_INT(now) };
	unsigned long long changed = 0;
	enum mg_err err =
		mg_db_exec(db, arena, &mg_lottery_statements[MG_SQL_LOTTERY_CONFIRM], args, 3, NULL, &changed, NULL);
	if (err != MG_OK || changed == 1)
		return err;
	struct mg_lottery_result r;
	if ((err = mg_lottery_entry_get(db, arena, tenant, entry_id, &r)) != MG_OK)
		return err;
	if (strcmp(r.state, "confirmed") == 0)
		return MG_OK;
	if (strcmp(r.state, "lapsed") == 0 || strcmp(r.state, "won") == 0)
		return MG_ERR_EXPIRED;
	return MG_ERR_CONFLICT;
}

enum mg_err mg_lottery_free_places(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t item_id,
				   time_t now, uint32_t *free_places)
{
	struct mg_dbval args[] = { MG_INT(now), MG_INT(tenant), MG_INT(item_id) };
	struct mg_rows rows;
	enum mg_err err = mg_db_exec(db, arena, &mg_lottery_statements[MG_SQL_LOTTERY_FREE], args, 3, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	if (rows.nrows == 0)
		return MG_ERR_NOT_FOUND;
	uint64_t cap = mg_cell_u64(MG_CELL(&rows, 0, 0)), taken = mg_cell_u64(MG_CELL(&rows, 0, 1));
	*free_places = taken >= cap ? 0 : (uint32_t)(cap - taken);
	return MG_OK;
}

enum mg_err mg_lottery_job(struct mg_db *db, struct mg_arena *arena, time_t now, size_t *drawn, size_t *lapsed)
{
	*drawn = 0;
	*lapsed = 0;
	struct mg_dbval at[] = { MG_INT(now) };
	struct mg_rows due;
	enum mg_err err = mg_db_exec(db, arena, &mg_lottery_statements[MG_SQL_LOTTERY_DUE], at, 1, &due, NULL, NULL);
	if (err != MG_OK)
		return err;
	enum mg_err first = MG_OK;
	for (size_t i = 0; i < due.nrows; i++) {
		uint64_t tenant = mg_cell_u64(MG_CELL(&due, i, 0)), draw = mg_cell_u64(MG_CELL(&due, i, 1));
		bool done = false;
		err = mg_lottery_run(db, arena, tenant, draw, now, "job", &done);
		if (err != MG_OK) {
			/* one broken draw does not hold the others back; the run is recorded failed */
			mg_log(MG_LOG_ERROR, "lottery: draw %" PRIu64 " of tenant %" PRIu64 ": %s", draw, tenant,
			       mg_strerror(err));
			if (first == MG_OK)
				first = err;
		} else if (done) {
			(*drawn)++;
		}
	}
	unsigned long long n = 0;
	err = mg_db_exec(db, arena, &mg_lottery_statements[MG_SQL_LOTTERY_LAPSE], at, 1, NULL, &n, NULL);
	*lapsed = (size_t)n;
	return first != MG_OK ? first : err;
}

enum mg_err mg_lottery_stored_document(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t draw,
				       const char **doc, size_t *len)
{
	struct mg_rows d, rows;
	struct mg_lottery_item *items;
	size_t nitems;
	struct mg_lottery_entry *entries;
	uint64_t *ids;
	enum mg_err err;
	if ((err = draw_row(db, arena, MG_SQL_LOTTERY_DRAW_GET, tenant, draw, &d)) != MG_OK ||
	    (err = load_items(db, arena, tenant, draw, &items, &nitems)) != MG_OK ||
	    (err = load_entries(db, arena, tenant, draw, &entries, &ids, &rows)) != MG_OK ||
	    (err = mg_lottery_canonicalise(items, nitems, entries, rows.nrows)) != MG_OK)
		return err;
	*doc = mg_lottery_document(arena, draw, items, nitems, entries, rows.nrows, len);
	return MG_OK;
}

static void hex32(const unsigned char *b, char out[65])
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < 32; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[64] = '\0';
}

enum mg_err mg_lottery_verify(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t draw,
			      struct mg_lottery_check *out)
{
	memset(out, 0, sizeof(*out));
	struct mg_rows d;
	enum mg_err err = draw_row(db, arena, MG_SQL_LOTTERY_DRAW_GET, tenant, draw, &d);
	if (err != MG_OK)
		return err;
	snprintf(out->commitment, sizeof(out->commitment), "%s", MG_CELL(&d, 0, D_COMMIT));
	out->drawn = strcmp(MG_CELL(&d, 0, D_STATE), "drawn") == 0;
	if (!out->drawn)
		return MG_OK; /* nothing revealed yet */
	snprintf(out->entries_hash, sizeof(out->entries_hash), "%s", MG_CELL(&d, 0, D_HASH) ? MG_CELL(&d, 0, D_HASH) : "");
	unsigned char seed[MG_LOTTERY_SEED_BYTES];
	const char *hex = MG_CELL(&d, 0, D_SEED);
	for (size_t i = 0; i < sizeof(seed); i++) {
		unsigned v = 0;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return MG_ERR_INTERNAL;
		seed[i] = (unsigned char)v;
	}
	hex32(seed, out->seed_hex);
	char seed_hash[65];
	mg_sha256_hex(seed, sizeof(seed), seed_hash);
	out->seed_matches = strcmp(seed_hash, out->commitment) == 0;

	struct mg_lottery_item *items;
	size_t nitems;
	struct mg_lottery_entry *entries;
	uint64_t *ids;
	struct mg_rows rows;
	if ((err = load_items(db, arena, tenant, draw, &items, &nitems)) != MG_OK)
		return err;
	err = load_entries(db, arena, tenant, draw, &entries, &ids, &rows);
	if (err == MG_ERR_INPUT)
		return MG_OK; /* a stored entry no longer parses: nothing matches */
	if (err != MG_OK)
		return err;
	size_t n = rows.nrows;
	out->nentries = n;
	if (mg_lottery_canonicalise(items, nitems, entries, n) != MG_OK)
		return MG_OK;
	/* canonicalise sorted entries; ids follow them through the applicant key */
	mg_lottery_entries_hash(arena, draw, items, nitems, entries, n, out->recomputed_hash);
	out->entries_match = strcmp(out->recomputed_hash, out->entries_hash) == 0;
	if ((err = mg_lottery_compute(seed, items, nitems, entries, n)) != MG_OK)
		return err;
	/* compare with the stored results: each entry's won ranks, and every award row */
	struct mg_dbval key[] = { MG_INT(tenant), MG_INT(draw) };
	struct mg_rows aw;
	if ((err = mg_db_exec(db, arena, &mg_lottery_statements[MG_SQL_LOTTERY_AWARDS], key, 2, &aw, NULL, NULL)) != MG_OK)
		return err;
	size_t expected_awards = 0;
	for (size_t i = 0; i < n; i++) {
		/* rows are in the same canonical order as entries (ORDER BY applicant_id, member) */
		const struct mg_lottery_entry *e = &entries[i];
		char won[48] = "";
		size_t wl = 0;
		for (unsigned r = 0; r < e->nchoices; r++)
			if (e->won[r]) {
				wl += (size_t)snprintf(won + wl, sizeof(won) - wl, "%s%u", wl > 0 ? "," : "", r + 1);
				expected_awards += e->choices[r].nitems;
				for (unsigned k = 0; k < e->choices[r].nitems; k++) {
					bool found = false;
					for (size_t a = 0; a < aw.nrows && !found; a++)
						found = mg_cell_u64(MG_CELL(&aw, a, 0)) == ids[i] &&
							mg_cell_u64(MG_CELL(&aw, a, 1)) == e->choices[r].items[k] &&
							mg_cell_u64(MG_CELL(&aw, a, 2)) == r + 1;
					if (!found)
						out->mismatches++;
				}
			}
		if (wl > 0)
			out->nwon++;
		if (strcmp(won, MG_CELL(&rows, i, 6)) != 0)
			out->mismatches++;
	}
	if (aw.nrows != expected_awards)
		out->mismatches++;
	out->results_match = out->mismatches == 0;
	memset(seed, 0, sizeof(seed));
	return MG_OK;
}
