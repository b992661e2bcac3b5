/*
 * madoguchi lottery show|verify|run|create|enter --tenant SLUG …
 *
 *   show --draw ID     the commitment, the seed (once drawn), the entries hash and the results
 *   verify --draw ID   recomputes the draw from the revealed seed and the stored entries
 *                      (docs/lottery.md); exit 0 when everything matches, 1 when not
 *   run --draw ID      draws now (after the close; what the job core.lottery does at close)
 *   document --draw ID the canonical entries document whose SHA-256 is the entries hash
 *                      (docs/lottery.md; scripts/lottery_recompute.py reads it)
 *   confirm --entry ID 当選確認 of a won entry (what a module does when its winner confirms)
 *   create …           a draw of N items for a module (staff tooling, tests, demo data)
 *   enter --draw ID FILE   entries from FILE, one a line: "APPLICANT MEMBER MAX_WINS CHOICES",
 *                      CHOICES as in the entries table but naming items by position (1 = the
 *                      draw's first item): "1,2;5" = 第1希望 items 1+2 together, 第2希望 item 5
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "clock.h"
#include "input.h"
#include "lottery.h"
#include "tenant.h"

static const char lottery_usage[] =
	"usage: madoguchi lottery show|verify|run|document --tenant SLUG --draw ID\n"
	"       madoguchi lottery confirm --tenant SLUG --entry ID\n"
	"       madoguchi lottery create --tenant SLUG --owner MODULE --kind KIND --title TITLE --items N\n"
	"                 [--capacity C] [--period SECONDS] [--confirm-days D] [--max-choices M] [--max-wins W]\n"
	"       madoguchi lottery enter --tenant SLUG --draw ID FILE\n";

struct args {
	const char *slug, *owner, *kind, *title;
	uint64_t draw, entry;
	unsigned long items, capacity, period, confirm_days, max_choices, max_wins;
};

static int parse(int argc, char **argv, struct args *a)
{
	static const struct option options[] = {
		{ "tenant", required_argument, NULL, 't' },	  { "draw", required_argument, NULL, 'd' },
		{ "owner", required_argument, NULL, 'o' },	  { "kind", required_argument, NULL, 'k' },
		{ "title", required_argument, NULL, 'T' },	  { "items", required_argument, NULL, 'i' },
		{ "capacity", required_argument, NULL, 'c' },	  { "period", required_argument, NULL, 'p' },
		{ "confirm-days", required_argument, NULL, 'C' }, { "max-choices", required_argument, NULL, 'm' },
		{ "max-wins", required_argument, NULL, 'w' },	  { "entry", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 },
	};
	memset(a, 0, sizeof(*a));
	a->capacity = 1;
	a->period = 3600;
	a->confirm_days = 7;
	a->max_choices = 3;
	a->max_wins = 1;
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 't': a->slug = optarg; break;
		case 'd':
			if (mg_parse_id(optarg, &a->draw) != MG_OK)
				return mg_cli_fail("lottery", "--draw: not a draw id: %s", optarg);
			break;
		case 'e':
			if (mg_parse_id(optarg, &a->entry) != MG_OK)
				return mg_cli_fail("lottery", "--entry: not an entry id: %s", optarg);
			break;
		case 'o': a->owner = optarg; break;
		case 'k': a->kind = optarg; break;
		case 'T': a->title = optarg; break;
		case 'i': a->items = strtoul(optarg, NULL, 10); break;
		case 'c': a->capacity = strtoul(optarg, NULL, 10); break;
		case 'p': a->period = strtoul(optarg, NULL, 10); break;
		case 'C': a->confirm_days = strtoul(optarg, NULL, 10); break;
		case 'm': a->max_choices = strtoul(optarg, NULL, 10); break;
		case 'w': a->max_wins = strtoul(optarg, NULL, 10); break;
		default: fputs(lottery_usage, stderr); return 2;
		}
	}
	if (a->slug == NULL) {
		fputs(lottery_usage, stderr);
		return 2;
	}
	return 0;
}

static int fail_err(const char *what, struct mg_db *db, enum mg_err err)
{
	return mg_cli_fail(what, "%s%s%s", mg_strerror(err), err == MG_ERR_DB ? ": " : "",
			   err == MG_ERR_DB ? mg_db_error(db) : "");
}

static int lottery_verify(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t draw, bool show)
{
	struct mg_lottery_check c;
	enum mg_err err = mg_lottery_verify(db, arena, tenant, draw, &c);
	if (err == MG_ERR_NOT_FOUND)
		return mg_cli_fail("lottery", "no draw %" PRIu64, draw);
	if (err != MG_OK)
		return fail_err("lottery", db, err);
	printf("draw %" PRIu64 "\ncommitment   sha256(seed) = %s\n", draw, c.commitment);
	if (!c.drawn) {
		printf("state        open (the seed is revealed at the draw)\n");
		return show ? 0 : mg_cli_fail("lottery verify", "draw %" PRIu64 " is not drawn yet", draw);
	}
	printf("seed         %s\nentries hash %s\n", c.seed_hex, c.entries_hash);
	printf("entries      %zu, %zu won\n", c.nentries, c.nwon);
	if (show) {
		struct mg_dbval key[] = { MG_INT(tenant), MG_INT(draw) };
		struct mg_rows rows;
		if ((err = mg_db_exec(db, arena, &mg_lottery_statements[MG_SQL_LOTTERY_ENTRIES], key, 2, &rows, NULL,
				      NULL)) != MG_OK)
			return fail_err("lottery show", db, err);
		for (size_t i = 0; i < rows.nrows; i++)
			printf("entry %s  %-9s won %s\n", MG_CELL(&rows, i, 0), MG_CELL(&rows, i, 5),
			       MG_CELL(&rows, i, 6)[0] ? MG_CELL(&rows, i, 6) : "-");
		struct mg_rows items;
		if ((err = mg_db_exec(db, arena, &mg_lottery_statements[MG_SQL_LOTTERY_ITEMS], key, 2, &items, NULL,
				      NULL)) != MG_OK)
			return fail_err("lottery show", db, err);
		for (size_t i = 0; i < items.nrows; i++) {
			uint32_t free_places = 0;
			if ((err = mg_lottery_free_places(db, arena, tenant, mg_cell_u64(MG_CELL(&items, i, 0)), mg_now(),
							  &free_places)) != MG_OK)
				return fail_err("lottery show", db, err);
			printf("item %s  %s  capacity %s free %" PRIu32 "\n", MG_CELL(&items, i, 0), MG_CELL(&items, i, 2),
			       MG_CELL(&items, i, 1), free_places);
		}
		return 0;
	}
	printf("seed matches the commitment:     %s\n", c.seed_matches ? "yes" : "NO");
	printf("entries match the entries hash:  %s (recomputed %s)\n", c.entries_match ? "yes" : "NO",
	       c.recomputed_hash);
	printf("results match the recomputation: %s (%zu difference(s))\n", c.results_match ? "yes" : "NO",
	       c.mismatches);
	bool ok = c.seed_matches && c.entries_match && c.results_match;
	printf("%s\n", ok ? "verified: the stored result is the draw of the committed seed and the hashed entries"
			  : "NOT verified");
	return ok ? 0 : 1;
}

static int lottery_create(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const struct args *a)
{
	if (a->owner == NULL || a->kind == NULL || a->title == NULL || a->items == 0 || a->items > MG_LOTTERY_MAX_ITEMS)
		return mg_cli_fail("lottery create", "--owner, --kind, --title and --items (1…%d) are needed",
				   MG_LOTTERY_MAX_ITEMS);
	const char **keys = mg_arena_alloc(arena, a->items * sizeof(*keys));
	uint32_t *caps = mg_arena_alloc(arena, a->items * sizeof(*caps));
	for (unsigned long i = 0; i < a->items; i++) {
		keys[i] = mg_arena_printf(arena, "item-%lu", i + 1);
		caps[i] = (uint32_t)a->capacity;
	}
	time_t now = mg_now();
	struct mg_lottery_spec spec = {
		.owner = a->owner, .kind = a->kind, .title = a->title, .opens_at = now,
		.closes_at = now + (time_t)a->period, .first_come_at = now + (time_t)a->period + 86400,
		.confirm_days = (unsigned)a->confirm_days, .max_choices = (unsigned)a->max_choices,
		.max_wins = (unsigned)a->max_wins, .item_keys = keys, .capacities = caps, .nitems = a->items,
	};
	uint64_t id = 0;
	enum mg_err err = mg_lottery_create(db, arena, tenant, &spec, now, &id);
	if (err != MG_OK)
		return fail_err("lottery create", db, err);
	printf("draw %" PRIu64 "\n", id);
	return 0;
}

static int lottery_enter(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t draw, const char *file)
{
	FILE *f = fopen(file, "r");
	if (f == NULL)
		return mg_cli_fail("lottery enter", "cannot open %s", file);
	struct mg_dbval key[] = { MG_INT(tenant), MG_INT(draw) };
	struct mg_rows items;
	enum mg_err err = mg_db_exec(db, arena, &mg_lottery_statements[MG_SQL_LOTTERY_ITEMS], key, 2, &items, NULL, NULL);
	if (err != MG_OK) {
		fclose(f);
		return fail_err("lottery enter", db, err);
	}
	char line[1200], choices[1100];
	unsigned long lineno = 0, entered = 0;
	int status = 0;
	time_t now = mg_now();
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		unsigned long long applicant = 0;
		unsigned member = 0, max_wins = 0;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		struct mg_lottery_entry e;
		memset(&e, 0, sizeof(e));
		if (sscanf(line, "%llu %u %u %1099s", &applicant, &member, &max_wins, choices) != 4 ||
		    mg_lottery_choices_parse(choices, &e) != MG_OK) {
			status = mg_cli_fail("lottery enter", "%s:%lu: not APPLICANT MEMBER MAX_WINS CHOICES", file, lineno);
			break;
		}
		bool ok = true;
		for (unsigned r = 0; r < e.nchoices; r++)
			for (unsigned k = 0; k < e.choices[r].nitems; k++) {
				uint64_t pos = e.choices[r].items[k];
				if (pos == 0 || pos > items.nrows)
					ok = false;
				else
					e.choices[r].items[k] = mg_cell_u64(MG_CELL(&items, pos - 1, 0));
			}
		if (!ok) {
			status = mg_cli_fail("lottery enter", "%s:%lu: no such item position", file, lineno);
			break;
		}
		e.applicant = applicant;
		e.member = member;
		e.max_wins = max_wins;
		uint64_t id = 0;
		if ((err = mg_lottery_enter(db, arena, tenant, draw, &e, now, &id)) != MG_OK) {
			status = mg_cli_fail("lottery enter", "%s:%lu: %s", file, lineno, mg_strerror(err));
			break;
		}
		entered++;
	}
	fclose(f);
	printf("%lu entr%s\n", entered, entered == 1 ? "y" : "ies");
	return status;
}

int mg_cmd_lottery(struct mg_cli *cli, int argc, char **argv)
{
	if (argc < 2) {
		fputs(lottery_usage, stderr);
		return 2;
	}
	const char *sub = argv[1];
	struct args a;
	int status = parse(argc - 1, argv + 1, &a);
	if (status != 0)
		return status;
	bool needs_draw = strcmp(sub, "create") != 0 && strcmp(sub, "confirm") != 0;
	if (strcmp(sub, "confirm") == 0 && a.entry == 0)
		return mg_cli_fail("lottery", "--entry ID is needed");
	if (needs_draw && a.draw == 0)
		return mg_cli_fail("lottery", "--draw ID is needed");
	if (strcmp(sub, "show") != 0 && strcmp(sub, "verify") != 0 && strcmp(sub, "run") != 0 &&
	    strcmp(sub, "create") != 0 && strcmp(sub, "enter") != 0 && strcmp(sub, "document") != 0 &&
	    strcmp(sub, "confirm") != 0) {
		fputs(lottery_usage, stderr);
		return 2;
	}
	const char *file = NULL;
	if (strcmp(sub, "enter") == 0) {
		if (optind >= argc - 1)
			return mg_cli_fail("lottery enter", "FILE is needed");
		file = argv[1 + optind];
	}
	struct mg_arena *arena = mg_arena_new();
	struct mg_tenant t;
	struct mg_db *db = mg_cli_tenant(cli, "lottery", a.slug, arena, &t);
	if (db == NULL) {
		mg_arena_free(arena);
		return 1;
	}
	if (strcmp(sub, "show") == 0) {
		status = lottery_verify(db, arena, t.id, a.draw, true);
	} else if (strcmp(sub, "verify") == 0) {
		status = lottery_verify(db, arena, t.id, a.draw, false);
	} else if (strcmp(sub, "create") == 0) {
		status = lottery_create(db, arena, t.id, &a);
	} else if (strcmp(sub, "enter") == 0) {
		status = lottery_enter(db, arena, t.id, a.draw, file);
	} else if (strcmp(sub, "document") == 0) {
		size_t len = 0;
		const char *doc = NULL;
		enum mg_err err = mg_lottery_stored_document(db, arena, t.id, a.draw, &doc, &len);
		if (err != MG_OK)
			status = fail_err("lottery document", db, err);
		else
			fwrite(doc, 1, len, stdout);
	} else if (strcmp(sub, "confirm") == 0) {
		enum mg_err err = mg_lottery_confirm(db, arena, t.id, a.entry, mg_now());
		if (err == MG_ERR_EXPIRED)
			status = mg_cli_fail("lottery confirm", "entry %" PRIu64 ": the confirmation deadline has passed",
					     a.entry);
		else if (err == MG_ERR_CONFLICT)
			status = mg_cli_fail("lottery confirm", "entry %" PRIu64 " did not win", a.entry);
		else if (err != MG_OK)
			status = fail_err("lottery confirm", db, err);
		else
			printf("entry %" PRIu64 ": confirmed\n", a.entry);
	} else {
		bool drawn = false;
		enum mg_err err = mg_lottery_run(db, arena, t.id, a.draw, mg_now(), "operator", &drawn);
		if (err == MG_ERR_EXPIRED)
			status = mg_cli_fail("lottery run", "the application period of draw %" PRIu64 " has not closed",
					     a.draw);
		else if (err != MG_OK)
			status = fail_err("lottery run", db, err);
		else
			printf("draw %" PRIu64 ": %s\n", a.draw, drawn ? "drawn" : "already drawn");
	}
	mg_db_close(db);
	mg_arena_free(arena);
	return status;
}
