/*
 * core/ops/backup_manifest.c: backup ids (what is and is not one: a .partial never is), the
 * retention arithmetic, the manifest's shape, and the comparison a restore drill makes
 * between a restored copy and its manifest.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/ops/backup.h"

static void ids_are_utc_start_times_and_nothing_else(void **state)
{
	char id[MG_BACKUP_ID_LEN + 1];
	mg_backup_id_format(1774980000, id); /* 2026-03-31T18:00:00Z = 2026-04-01 03:00 JST */
	assert_string_equal(id, "20260331T180000Z");
	time_t t = 0;
	assert_true(mg_backup_id_parse("20260331T180000Z", &t));
	assert_int_equal(t, 1774980000);
	const char *not_ids[] = { "20260331T180000Z.partial", "20260331T180000", "20260231T180000Z", "20260331T250000Z",
				  "2026033xT180000Z", "purge-ledger.jsonl", ".lock", "", "20260331t180000z" };
	for (size_t i = 0; i < sizeof(not_ids) / sizeof(not_ids[0]); i++)
		assert_false(mg_backup_id_parse(not_ids[i], &t));
}

static void a_backup_expires_after_keep_days_to_the_second(void **state)
{
	time_t taken = 1774980000;
	assert_false(mg_backup_expired(taken, taken + 30 * 86400, 30));
	assert_true(mg_backup_expired(taken, taken + 30 * 86400 + 1, 30));
	assert_false(mg_backup_expired(taken, taken - 86400, 30)); /* from the future: kept */
}

static const char good[] =
	"{\"format\": 1, \"id\": \"20260331T180000Z\","
	" \"tables\": {\"tenant\": {\"rows\": 2, \"checksum\": \"111\"}, \"staff\": {\"rows\": 3, \"checksum\": \"222\"}},"
	" \"tenants\": {\"staff\": {\"1\": 2, \"2\": 1}},"
	" \"files\": [{\"path\": \"db/ibdata1.gz.enc\", \"bytes\": 10, \"plain_bytes\": 99, \"sealed\": true,"
	" \"sha256\": \"0000000000000000000000000000000000000000000000000000000000000000\"}]}";

static void a_manifest_is_parsed_and_its_shape_checked(void **state)
{
	json_t *m = NULL;
	char why[300];
	assert_int_equal(mg_manifest_parse(good, strlen(good), &m, why, sizeof(why)), MG_OK);
	assert_non_null(m);
	json_decref(m);
	const char *bad[] = {
		"not json",
		"{\"format\": 2, \"id\": \"x\", \"tables\": {}, \"tenants\": {}, \"files\": []}",
		"{\"format\": 1, \"id\": \"x\", \"tables\": {\"t\": {\"rows\": -1, \"checksum\": \"1\"}}, \"tenants\": {},"
		" \"files\": []}",
		"{\"format\": 1, \"id\": \"x\", \"tables\": {}, \"tenants\": {}, \"files\": [{\"path\": \"../../etc/passwd\","
		" \"bytes\": 1, \"sha256\": \"0000000000000000000000000000000000000000000000000000000000000000\"}]}",
		"{\"format\": 1, \"id\": \"x\", \"tables\": {}, \"tenants\": {}, \"files\": [{\"path\": \"/etc/passwd\","
		" \"bytes\": 1, \"sha256\": \"0000000000000000000000000000000000000000000000000000000000000000\"}]}",
		"{\"format\": 1, \"id\": \"x\", \"id\": \"y\", \"tables\": {}, \"tenants\": {}, \"files\": []}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		assert_int_equal(mg_manifest_parse(bad[i], strlen(bad[i]), &m, why, sizeof(why)), MG_ERR_INPUT);
		assert_null(m);
		assert_true(strlen(why) > 10);
	}
}

static void compare(const char *actual_text, enum mg_err want, const char *mention)
{
	json_t *m = NULL, *actual = json_loads(actual_text, 0, NULL);
	char why[600];
	assert_non_null(actual);
	assert_int_equal(mg_manifest_parse(good, strlen(good), &m, why, sizeof(why)), MG_OK);
	assert_int_equal(mg_manifest_compare(m, actual, why, sizeof(why)), want);
	if (mention != NULL)
		assert_non_null(strstr(why, mention));
	json_decref(m);
	json_decref(actual);
}

static void a_restored_copy_must_hold_exactly_what_the_manifest_says(void **state)
{
	compare("{\"tables\": {\"tenant\": {\"rows\": 2, \"checksum\": \"111\"}, \"staff\": {\"rows\": 3, \"checksum\": \"222\"}},"
		" \"tenants\": {\"staff\": {\"1\": 2, \"2\": 1}}}",
		MG_OK, NULL);
	/* a row fewer, a checksum off, a table missing or extra, a tenant's rows moved */
	compare("{\"tables\": {\"tenant\": {\"rows\": 1, \"checksum\": \"111\"}, \"staff\": {\"rows\": 3, \"checksum\": \"222\"}},"
		" \"tenants\": {\"staff\": {\"1\": 2, \"2\": 1}}}",
		MG_ERR_INPUT, "table tenant has 1 rows, the manifest says 2");
	compare("{\"tables\": {\"tenant\": {\"rows\": 2, \"checksum\": \"112\"}, \"staff\": {\"rows\": 3, \"checksum\": \"222\"}},"
		" \"tenants\": {\"staff\": {\"1\": 2, \"2\": 1}}}",
		MG_ERR_INPUT, "table tenant: checksum 112");
	compare("{\"tables\": {\"staff\": {\"rows\": 3, \"checksum\": \"222\"}}, \"tenants\": {\"staff\": {\"1\": 2, \"2\": 1}}}",
		MG_ERR_INPUT, "table tenant is missing");
	compare("{\"tables\": {\"tenant\": {\"rows\": 2, \"checksum\": \"111\"}, \"staff\": {\"rows\": 3, \"checksum\": \"222\"},"
		" \"extra\": {\"rows\": 0, \"checksum\": \"0\"}}, \"tenants\": {\"staff\": {\"1\": 2, \"2\": 1}}}",
		MG_ERR_INPUT, "table extra is in the restored copy but not in the manifest");
	compare("{\"tables\": {\"tenant\": {\"rows\": 2, \"checksum\": \"111\"}, \"staff\": {\"rows\": 3, \"checksum\": \"222\"}},"
		" \"tenants\": {\"staff\": {\"1\": 1, \"2\": 1, \"3\": 1}}}",
		MG_ERR_INPUT, "table staff, tenant 3: 1 rows, the manifest says 0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ids_are_utc_start_times_and_nothing_else),
		cmocka_unit_test(a_backup_expires_after_keep_days_to_the_second),
		cmocka_unit_test(a_manifest_is_parsed_and_its_shape_checked),
		cmocka_unit_test(a_restored_copy_must_hold_exactly_what_the_manifest_says),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
