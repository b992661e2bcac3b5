/*
 * madoguchi staff create --tenant SLUG --login ID --name NAME --role admin|general|restricted
 *
 * Issues a staff account from the command line (the first administrator of a new tenant, the
 * demo data); prints the one-time initial password, which must be changed at first login.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "audit.h"
#include "cli.h"
#include "crypto.h"
#include "permission.h"
#include "staff.h"
#include "tenant.h"

static const char staff_usage[] =
	"usage: madoguchi staff create --tenant SLUG --login ID --name NAME --role admin|general|restricted\n";

static int staff_create(struct mg_cli *cli, int argc, char **argv)
{
	const char *slug = NULL, *login = NULL, *name = NULL, *role = NULL;
	const struct mg_cli_option options[] = {
		{ "tenant", &slug, NULL, true, false }, { "login", &login, NULL, true, false },
		{ "name", &name, NULL, true, false },   { "role", &role, NULL, true, false },
		{ NULL, NULL, NULL, false, false },
	};
	struct mg_cli_args spec = { staff_usage, options, NULL, 0, 0, 0 };
	int status = mg_cli_parse(&spec, argc, argv);
	if (status != 0)
		return status;
	if (mg_role_bit(role) == 0)
		return mg_cli_fail("staff create", "role '%s' is not admin, general or restricted", role);
	if (!mg_staff_login_ok(login))
		return mg_cli_fail("staff create", "a login ID is 1 to 64 letters, digits, '.', '_', '@' or '-'");

	unsigned char master[MG_KEY_BYTES], key[MG_KEY_BYTES];
	char errbuf[512], initial[17];
	if (mg_master_key_load(cli->cfg->master_key_file, master, errbuf, sizeof(errbuf)) != MG_OK)
		return mg_cli_fail("master key", "%s", errbuf);
	struct mg_arena *arena = mg_arena_new();
	struct mg_tenant t;
	uint64_t id = 0;
	status = 1;
	enum mg_err err;
	struct mg_db *db = mg_cli_tenant(cli, "staff create", slug, arena, &t);
	if (db == NULL)
		goto out;
	if ((err = mg_tenant_data_key(master, &t, key)) != MG_OK) {
		mg_cli_fail("staff create", "the data key of '%s' cannot be unwrapped: %s", slug, mg_strerror(err));
		goto out;
	}
	err = mg_staff_create(db, key, t.id, login, name, role, initial, &id);
	if (err == MG_ERR_CONFLICT) {
		mg_cli_fail("staff create", "login ID '%s' is taken in %s (IDs are never reused)", login, slug);
		goto out;
	}
	if (err != MG_OK) {
		mg_cli_fail("staff create", "%s", mg_db_error(db));
		goto out;
	}
	struct mg_audit_event ev = { t.id, "operator:cli", "staff.create", mg_arena_printf(arena, "staff:%llu", (unsigned long long)id),
				     "", "madoguchi staff create", "success", role };
	mg_audit_record(db, &ev);
	printf("staff %s created in %s (id %llu, role %s)\ninitial password (shown once; changed at first login): %s\n",
	       login, slug, (unsigned long long)id, role, initial);
	status = 0;
out:
	OPENSSL_cleanse(master, sizeof(master));
	OPENSSL_cleanse(key, sizeof(key));
	mg_arena_free(arena);
	mg_db_close(db);
	return status;
}

int mg_cmd_staff(struct mg_cli *cli, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "create") == 0)
		return staff_create(cli, argc - 1, argv + 1);
	fputs(staff_usage, stderr);
	return 2;
}
