/*
 * madoguchi tenant create --slug S --name N [--modules "tickets rentals"] [--start DATE]
 *                         [--end DATE] [--tz ZONE]
 * madoguchi tenant update SLUG --tz ZONE
 * madoguchi tenant list | show SLUG | suspend SLUG | resume SLUG | terminate SLUG [--on DATE]
 *
 * The operator's commands for contracts. Terminate only sets the contract end; the 30- and
 * 60-day purges follow from it.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "crypto.h"
#include "modules.h"
#include "tenant.h"

static const char tenant_usage[] =
	"usage: madoguchi tenant create --slug SLUG --name NAME [--modules \"tickets rentals lessons\"]\n"
	"                              [--start YYYY-MM-DD] [--end YYYY-MM-DD] [--tz Asia/Tokyo]\n"
	"       madoguchi tenant update SLUG --tz Europe/London\n"
	"       madoguchi tenant list\n"
	"       madoguchi tenant show SLUG\n"
	"       madoguchi tenant suspend SLUG | resume SLUG\n"
	"       madoguchi tenant terminate SLUG [--on YYYY-MM-DD]   (default: today, platform zone)\n";

static int load_master_key(const struct mg_cli *cli, unsigned char key[MG_KEY_BYTES])
{
	char errbuf[512];
	if (mg_master_key_load(cli->cfg->master_key_file, key, errbuf, sizeof(errbuf)) != MG_OK)
		return mg_cli_fail("master key", "%s", errbuf);
	return 0;
}

static int tenant_create(struct mg_cli *cli, int argc, char **argv)
{
	struct mg_tenant_new t = { .modules = "", .time_zone = "Asia/Tokyo" };
	char today[11];
	mg_tenant_today(today);
	t.contract_start = today;
	const struct mg_cli_option options[] = {
		{ "slug", &t.slug, NULL, true, false },
		{ "name", &t.name, NULL, true, false },
		{ "modules", &t.modules, NULL, false, true },
		{ "start", &t.contract_start, NULL, false, true },
		{ "end", &t.contract_end, NULL, false, false },
		{ "tz", &t.time_zone, NULL, false, true },
		{ NULL, NULL, NULL, false, false },
	};
	struct mg_cli_args spec = { tenant_usage, options, NULL, 0, 0, 0 };
	int status = mg_cli_parse(&spec, argc, argv);
	if (status != 0)
		return status;
	if (t.name[0] == '\0') {
		fputs(tenant_usage, stderr);
		return 2;
	}
	struct mg_arena *arena = mg_arena_new();
	const char *field, *value, *problem = mg_tenant_new_problem(arena, &t, &field, &value);
	if (problem != NULL) {
		mg_cli_fail("tenant create", "%s%s%s%s: %s", field, value ? " '" : "", value ? value : "", value ? "'" : "",
			    problem);
		mg_arena_free(arena);
		return 1;
	}
	mg_arena_free(arena);

	unsigned char master[MG_KEY_BYTES];
	if (load_master_key(cli, master) != 0)
		return 1;
	struct mg_db *db = mg_cli_connect(cli, false);
	if (db == NULL)
		return 1;
	uint64_t id = 0;
	enum mg_err err = mg_tenant_create(db, master, &t, &id);
	status = 0;
	if (err == MG_ERR_CONFLICT)
		status = mg_cli_fail("tenant create", "the slug '%s' is taken (slugs are never reused)", t.slug);
	else if (err != MG_OK)
		status = mg_cli_fail("tenant create", "%s: %s", mg_strerror(err), mg_db_error(db));
	else
		printf("tenant %s created (id %llu), modules: %s\n", t.slug, (unsigned long long)id,
		       t.modules[0] ? t.modules : "none");
	mg_db_close(db);
	return status;
}

static int tenant_list(struct mg_cli *cli)
{
	struct mg_db *db = mg_cli_connect(cli, false);
	if (db == NULL)
		return 1;
	struct mg_arena *arena = mg_arena_new();
	struct mg_rows rows;
	int status = 0;
	if (mg_tenant_list(db, arena, &rows) != MG_OK) {
		status = mg_cli_fail("tenant list", "%s", mg_db_error(db));
	} else {
		printf("%-20s %-11s %-10s %-10s %-24s %s\n", "SLUG", "STATE", "START", "END", "MODULES", "NAME");
		for (size_t r = 0; r < rows.nrows; r++)
			printf("%-20s %-11s %-10s %-10s %-24s %s\n", MG_CELL(&rows, r, 0), MG_CELL(&rows, r, 1),
			       MG_CELL(&rows, r, 2), MG_CELL(&rows, r, 3), MG_CELL(&rows, r, 4), MG_CELL(&rows, r, 5));
		if (rows.nrows == 0)
			printf("(no tenants yet: madoguchi tenant create --slug … --name …)\n");
	}
	mg_arena_free(arena);
	mg_db_close(db);
	return status;
}

struct mg_db *mg_cli_tenant(const struct mg_cli *cli, const char *what, const char *slug, struct mg_arena *arena,
			   struct mg_tenant *out)
{
	struct mg_db *db = mg_cli_connect(cli, false);
	if (db == NULL)
		return NULL;
	enum mg_err err = mg_tenant_load(db, arena, slug, out);
	if (err == MG_OK)
		return db;
	if (err == MG_ERR_NOT_FOUND)
		mg_cli_fail(what, "no tenant '%s'", slug);
	else
		mg_cli_fail(what, "%s", mg_db_error(db));
	mg_db_close(db);
	return NULL;
}

static int tenant_show(struct mg_cli *cli, const char *slug)
{
	struct mg_arena *arena = mg_arena_new();
	struct mg_tenant t;
	struct mg_db *db = mg_cli_tenant(cli, "tenant show", slug, arena, &t);
	if (db != NULL)
		printf("slug:           %s\nid:             %llu\nname:           %s\nstate:          %s\n"
		       "contract:       %s to %s\ntime zone:      %s\nmodules:        %s\ndata key:       %s\n",
		       t.slug, (unsigned long long)t.id, t.name, t.state, t.contract_start,
		       t.contract_end ? t.contract_end : "(open)", t.time_zone, t.modules[0] ? t.modules : "none",
		       t.data_key_wrapped ? "present (wrapped by the master key)" : "destroyed");
	mg_arena_free(arena);
	mg_db_close(db);
	return db != NULL ? 0 : 1;
}

/* Sets the tenant's time zone after checking it names a zone of the tz database; stored times
 * (UTC) do not change, only how the tenant's pages show and read them. */
static int tenant_update_zone(struct mg_cli *cli, const char *slug, const char *zone)
{
	const char *problem = mg_tenant_time_zone_problem(zone);
	if (problem != NULL)
		return mg_cli_fail("tenant update", "time zone '%s': %s", zone, problem);
	struct mg_arena *arena = mg_arena_new();
	struct mg_tenant t;
	int status = 1;
	struct mg_db *db = mg_cli_tenant(cli, "tenant update", slug, arena, &t);
	if (db == NULL)
		goto out;
	if (mg_tenant_set_time_zone(db, t.id, zone) != MG_OK) {
		mg_cli_fail("tenant update", "%s", mg_db_error(db));
		goto out;
	}
	printf("tenant %s: time zone %s (was %s)\n", slug, zone, t.time_zone);
	status = 0;
out:
	mg_arena_free(arena);
	mg_db_close(db);
	return status;
}

static int tenant_change_state(struct mg_cli *cli, const char *verb, int argc, char **argv)
{
	const char *slug = NULL, *on = NULL;
	char today[11];
	mg_tenant_today(today);
	bool terminate = strcmp(verb, "terminate") == 0;
	const struct mg_cli_option options[] = { { "on", &on, NULL, false, false }, { NULL, NULL, NULL, false, false } };
	struct mg_cli_args spec = { tenant_usage, terminate ? options : NULL, &slug, 1, 1, 0 };
	if (mg_cli_parse(&spec, argc, argv) != 0)
		return 2;
	if (terminate) {
		on = on != NULL ? on : today;
		if (!mg_tenant_date_ok(on))
			return mg_cli_fail("tenant terminate", "dates are written YYYY-MM-DD");
	}
	const char *state = strcmp(verb, "suspend") == 0 ? "suspended" : strcmp(verb, "resume") == 0 ? "active" : "terminated";
	struct mg_arena *arena = mg_arena_new();
	struct mg_tenant t;
	int status = 1;
	struct mg_db *db = mg_cli_tenant(cli, verb, slug, arena, &t);
	if (db == NULL)
		goto out;
	enum mg_err err = mg_tenant_change_state(db, &t, state, on);
	if (err == MG_ERR_CONFLICT) {
		mg_cli_fail(verb, "tenant '%s' is terminated; a contract that ended is not reopened", slug);
		goto out;
	}
	if (err != MG_OK) {
		mg_cli_fail(verb, "%s", mg_db_error(db));
		goto out;
	}
	printf("tenant %s is now %s%s%s\n", slug, state, on ? ", contract end " : "", on ? on : "");
	status = 0;
out:
	mg_arena_free(arena);
	mg_db_close(db);
	return status;
}

int mg_cmd_tenant(struct mg_cli *cli, int argc, char **argv)
{
	if (argc < 2) {
		fputs(tenant_usage, stderr);
		return 2;
	}
	const char *verb = argv[1];
	if (strcmp(verb, "create") == 0)
		return tenant_create(cli, argc - 1, argv + 1);
	if (strcmp(verb, "list") == 0)
		return tenant_list(cli);
	if (strcmp(verb, "update") == 0 && argc == 5 && strcmp(argv[3], "--tz") == 0)
		return tenant_update_zone(cli, argv[2], argv[4]);
	if (strcmp(verb, "show") == 0 && argc == 3)
		return tenant_show(cli, argv[2]);
	if ((strcmp(verb, "suspend") == 0 || strcmp(verb, "resume") == 0 || strcmp(verb, "terminate") == 0) && argc >= 3)
		return tenant_change_state(cli, verb, argc - 1, argv + 1);
	fputs(tenant_usage, stderr);
	return 2;
}
