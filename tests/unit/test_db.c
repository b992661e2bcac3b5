/* Unit tests for the statement registry of core/db/db.c: tables are registered once, a handle
 * (a pointer into a registered table) finds its statement, anything else is refused before
 * the database is reached. No database: a connection to a socket that does not exist stays
 * "gone", which is how a found statement shows (it got as far as connecting). Preparing every
 * statement against the real schema: tests/http/test_statements.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/base/arena.h"
#include "core/db/db.h"

enum first_sql { FIRST_SQL_ONE, FIRST_SQL_TWO, FIRST_SQL__MAX };
static const struct mg_sql first_statements[] = {
	[FIRST_SQL_ONE] = { "test.one", "SELECT 1" },
	[FIRST_SQL_TWO] = { "test.two", "SELECT ?" },
	[FIRST_SQL__MAX] = { NULL, NULL },
};

enum second_sql { SECOND_SQL_THREE, SECOND_SQL__MAX };
static const struct mg_sql second_statements[] = {
	[SECOND_SQL_THREE] = { "test.three", "SELECT 3" },
	[SECOND_SQL__MAX] = { NULL, NULL },
};

static const struct mg_sql unregistered_statements[] = {
	{ "test.four", "SELECT 4" },
	{ NULL, NULL },
};

static const struct mg_sql duplicate_statements[] = {
	{ "test.five", "SELECT 5" },
	{ "test.two", "SELECT 2" },
	{ NULL, NULL },
};

static const struct mg_sql twice_in_one_statements[] = {
	{ "test.six", "SELECT 6" },
	{ "test.six", "SELECT 6" },
	{ NULL, NULL },
};

static const struct mg_sql without_sql_statements[] = {
	{ "test.seven", NULL },
	{ NULL, NULL },
};

static struct mg_db *db;

static int setup(void **state)
{
	char errbuf[128];
	if (mg_db_register(first_statements, errbuf, sizeof(errbuf)) != MG_OK ||
	    mg_db_register(second_statements, errbuf, sizeof(errbuf)) != MG_OK)
		return -1;
	struct mg_db_params params = { .socket = "/nonexistent/madoguchi-test.sock", .user = "nobody",
				       .database = "nothing" };
	/* gone, but a usable handle that tries again on its next use */
	return mg_db_open(&params, &db) == MG_ERR_DB_GONE && db != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	mg_db_close(db);
	return 0;
}

static enum mg_err run(const struct mg_sql *stmt)
{
	struct mg_arena *arena = mg_arena_new();
	enum mg_err err = mg_db_exec(db, arena, stmt, NULL, 0, NULL, NULL, NULL);
	mg_arena_free(arena);
	return err;
}

static void handles_of_every_registered_table_are_found(void **state)
{
	assert_int_equal(run(&first_statements[FIRST_SQL_ONE]), MG_ERR_DB_GONE);
	assert_int_equal(run(&first_statements[FIRST_SQL_TWO]), MG_ERR_DB_GONE);
	assert_int_equal(run(&second_statements[SECOND_SQL_THREE]), MG_ERR_DB_GONE);
}

static void a_handle_outside_the_registered_tables_is_refused(void **state)
{
	assert_int_equal(run(&unregistered_statements[0]), MG_ERR_INTERNAL);
	/* the end marker is not a statement */
	assert_int_equal(run(&first_statements[FIRST_SQL__MAX]), MG_ERR_INTERNAL);
	/* what a module built for the old ABI passes: a name; refused without being read */
	assert_int_equal(run((const struct mg_sql *)(const void *)"test.one"), MG_ERR_INTERNAL);
	/* a pointer into the middle of an entry */
	assert_int_equal(run((const struct mg_sql *)(const void *)((const char *)first_statements + 1)),
			 MG_ERR_INTERNAL);
}

static void a_name_registered_twice_is_a_configuration_error(void **state)
{
	char errbuf[128] = "";
	assert_int_equal(mg_db_register(duplicate_statements, errbuf, sizeof(errbuf)), MG_ERR_CONFIG);
	assert_non_null(strstr(errbuf, "test.two"));
	assert_int_equal(mg_db_register(twice_in_one_statements, errbuf, sizeof(errbuf)), MG_ERR_CONFIG);
	assert_non_null(strstr(errbuf, "test.six"));
	assert_int_equal(mg_db_register(without_sql_statements, errbuf, sizeof(errbuf)), MG_ERR_CONFIG);
	assert_non_null(strstr(errbuf, "test.seven"));
	/* none of them was half registered */
	assert_int_equal(run(&duplicate_statements[0]), MG_ERR_INTERNAL);
}

static void checking_needs_the_database(void **state)
{
	size_t checked = 99;
	assert_int_equal(mg_db_prepare_all(db, NULL, NULL, &checked), MG_ERR_DB_GONE);
	assert_int_equal(checked, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(handles_of_every_registered_table_are_found),
		cmocka_unit_test(a_handle_outside_the_registered_tables_is_refused),
		cmocka_unit_test(a_name_registered_twice_is_a_configuration_error),
		cmocka_unit_test(checking_needs_the_database),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
