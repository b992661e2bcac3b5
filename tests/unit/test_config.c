/* Unit tests for the configuration parser and the migration file rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/base/config.h"
#include "core/db/migrate.h"

static void defaults_then_values(void **state)
{
	struct mg_config cfg;
	char errbuf[256];
	mg_config_defaults(&cfg);
	const char *text = "# comment\n"
			   "socket = /tmp/x.sock\n"
			   "  workers=3  \n"
			   "\n"
			   "modules = tickets, rentals lessons\n"
			   "max_body = 2048\n"
			   "log_level = warn\n";
	assert_int_equal(mg_config_parse(text, NULL, &cfg, errbuf, sizeof(errbuf)), MG_OK);
	assert_string_equal(cfg.socket, "/tmp/x.sock");
	assert_int_equal(cfg.workers, 3);
	assert_int_equal(cfg.nmodules, 3);
	assert_string_equal(cfg.modules[2], "lessons");
	assert_int_equal(cfg.max_body, 2048);
	assert_int_equal(cfg.log_level, 2);
	assert_string_equal(cfg.db_name, "madoguchi"); /* untouched default */
}

static void errors_name_the_line(void **state)
{
	struct mg_config cfg;
	char errbuf[256];
	mg_config_defaults(&cfg);
	assert_int_equal(mg_config_parse("workers = 2\nwrokers = 3\n", NULL, &cfg, errbuf, sizeof(errbuf)), MG_ERR_CONFIG);
	assert_non_null(strstr(errbuf, "line 2"));
	assert_non_null(strstr(errbuf, "wrokers"));
	assert_int_equal(mg_config_parse("workers\n", NULL, &cfg, errbuf, sizeof(errbuf)), MG_ERR_CONFIG);
	assert_non_null(strstr(errbuf, "line 1"));
	assert_int_equal(mg_config_parse("max_body = -1\n", NULL, &cfg, errbuf, sizeof(errbuf)), MG_ERR_CONFIG);
	assert_int_equal(mg_config_parse("workers = 0\n", NULL, &cfg, errbuf, sizeof(errbuf)), MG_ERR_CONFIG);
	assert_int_equal(mg_config_parse("modules = Tickets\n", NULL, &cfg, errbuf, sizeof(errbuf)), MG_ERR_CONFIG);
	assert_int_equal(mg_config_parse("log_level = loud\n", NULL, &cfg, errbuf, sizeof(errbuf)), MG_ERR_CONFIG);
	/* the platform's zone must be a zone of the tz database */
	assert_int_equal(mg_config_parse("platform_time_zone = JST-9\n", NULL, &cfg, errbuf, sizeof(errbuf)),
			 MG_ERR_CONFIG);
	assert_non_null(strstr(errbuf, "not a time zone of the tz database"));
	mg_config_defaults(&cfg);
	assert_string_equal(cfg.platform_time_zone, "Asia/Tokyo");
	assert_int_equal(mg_config_parse("platform_time_zone = Europe/London\n", NULL, &cfg, errbuf, sizeof(errbuf)),
			 MG_OK);
	assert_string_equal(cfg.platform_time_zone, "Europe/London");
}

static void secrets_are_read_from_files(void **state)
{
	char dir[] = "/tmp/mg-config-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[300];
	snprintf(path, sizeof(path), "%s/db.password", dir);
	FILE *f = fopen(path, "w");
	fputs("s3cret-value\n", f);
	fclose(f);
	struct mg_config cfg;
	char errbuf[512];
	mg_config_defaults(&cfg);
	assert_int_equal(mg_config_parse("db_password_file = db.password\n", dir, &cfg, errbuf, sizeof(errbuf)), MG_OK);
	assert_string_equal(cfg.db_password, "s3cret-value");
	assert_int_equal(mg_config_parse("db_password_file = missing\n", dir, &cfg, errbuf, sizeof(errbuf)),
			 MG_ERR_CONFIG);
	assert_non_null(strstr(errbuf, "missing"));
	unlink(path);
	rmdir(dir);
}

static void migration_names(void **state)
{
	assert_int_equal(mg_migration_version("0001_init.sql"), 1);
	assert_int_equal(mg_migration_version("0042_seat_map_v2.sql"), 42);
	assert_int_equal(mg_migration_version("1_init.sql"), -1);
	assert_int_equal(mg_migration_version("0001-init.sql"), -1);
	assert_int_equal(mg_migration_version("0001_Init.sql"), -1);
	assert_int_equal(mg_migration_version("0001_init.sql~"), -1);
	assert_int_equal(mg_migration_version("0001_.sq"), -1);
}

static void write_file(const char *dir, const char *name)
{
	char path[400];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	fputs("SELECT 1;\n", f);
	fclose(f);
}

static void migrations_listed_in_owner_then_number_order(void **state)
{
	char root[] = "/tmp/mg-schema-XXXXXX";
	assert_non_null(mkdtemp(root));
	char core[300], mod[300];
	snprintf(core, sizeof(core), "%s/core", root);
	snprintf(mod, sizeof(mod), "%s/tickets", root);
	mkdir(core, 0700);
	mkdir(mod, 0700);
	write_file(core, "0010_later.sql");
	write_file(core, "0002_second.sql");
	write_file(mod, "0001_orders.sql");
	const char *owners[] = { "core", "tickets", "absent" };
	struct mg_migration_list list;
	char errbuf[512];
	assert_int_equal(mg_migrations_list(root, owners, 3, &list, errbuf, sizeof(errbuf)), MG_OK);
	assert_int_equal(list.n, 3);
	assert_string_equal(list.items[0].name, "0002_second.sql");
	assert_string_equal(list.items[1].name, "0010_later.sql");
	assert_string_equal(list.items[2].owner, "tickets");
	free(list.items);

	write_file(core, "0002_clash.sql");
	assert_int_equal(mg_migrations_list(root, owners, 3, &list, errbuf, sizeof(errbuf)), MG_ERR_CONFIG);
	assert_non_null(strstr(errbuf, "same number"));
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_then_values),
		cmocka_unit_test(errors_name_the_line),
		cmocka_unit_test(secrets_are_read_from_files),
		cmocka_unit_test(migration_names),
		cmocka_unit_test(migrations_listed_in_owner_then_number_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
