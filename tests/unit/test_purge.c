/* Unit tests for the purge's pure parts (core/ops/purge_ledger.c): the names of backup folders,
 * the JST dates of T+30 and T+60, and the ledger file (append, read back, a torn last line, a
 * broken line in the middle). The purge against a database: tests/http/test_purge.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/ops/purge.h"

static void backup_ids_name_their_utc_start_time(void **state)
{
	(void)state;
	time_t t = 0;
	assert_true(mg_backup_id_time("20260401T180000Z", &t));
	assert_int_equal(t, 1775066400); /* 2026-04-01 18:00:00 UTC */
	assert_true(mg_backup_id_time("20260401T180000Z.partial", &t));
	assert_int_equal(t, 1775066400);
	assert_false(mg_backup_id_time("20260401T180000Z.old", &t));
	assert_false(mg_backup_id_time("20260401T180000", &t));
	assert_false(mg_backup_id_time("20261301T180000Z", &t)); /* month 13 */
	assert_false(mg_backup_id_time("20260431T180000Z", &t)); /* 31 April */
	assert_false(mg_backup_id_time("purge-ledger.jsonl", &t));
	assert_false(mg_backup_id_time("", &t));
}

static void dates_count_days_in_jst(void **state)
{
	(void)state;
	char out[11];
	/* 2026-04-01 15:30 UTC is already 2 April in Japan */
	mg_purge_date_minus(1775057400, 0, out);
	assert_string_equal(out, "2026-04-02");
	mg_purge_date_minus(1775057400, 30, out);
	assert_string_equal(out, "2026-03-03");
	assert_true(mg_purge_date_plus("2026-01-31", 30, out));
	assert_string_equal(out, "2026-03-02");
	assert_true(mg_purge_date_plus("2024-02-01", 60, out)); /* a leap year */
	assert_string_equal(out, "2024-04-01");
	assert_false(mg_purge_date_plus("2026-1-31", 30, out));
	assert_false(mg_purge_date_plus(NULL, 30, out));
}

static void the_ledger_reads_back_what_was_appended(void **state)
{
	(void)state;
	char dir[] = "/tmp/mg-ledger-XXXXXX", path[128], errbuf[256];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/backups/purge-ledger.jsonl", dir); /* backups/ made on the way */
	for (int i = 1; i <= 3; i++) {
		json_t *line = json_pack("{s:i, s:s, s:s, s:i}", "tenant_id", i, "slug", "hall", "step", "rows", "at", 1000 + i);
		assert_int_equal(mg_purge_ledger_append(path, line, errbuf, sizeof(errbuf)), MG_OK);
		json_decref(line);
	}
	json_t *lines = NULL;
	assert_int_equal(mg_purge_ledger_read(path, &lines, errbuf, sizeof(errbuf)), MG_OK);
	assert_int_equal(json_array_size(lines), 3);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(lines, 2), "at")), 1003);
	json_decref(lines);
	unlink(path);
	snprintf(path, sizeof(path), "%s/backups", dir);
	rmdir(path);
	rmdir(dir);
	/* no ledger yet: no steps */
	assert_int_equal(mg_purge_ledger_read("/nonexistent/purge-ledger.jsonl", &lines, errbuf, sizeof(errbuf)), MG_OK);
	assert_int_equal(json_array_size(lines), 0);
	json_decref(lines);
}

static void a_torn_last_line_is_skipped_but_a_broken_one_is_an_error(void **state)
{
	(void)state;
	const char torn[] = "{\"tenant_id\":5,\"slug\":\"a\",\"step\":\"rows\",\"at\":1}\n{\"tenant_id\":5,\"sl";
	const char broken[] = "{\"tenant_id\":5,\"slug\":\"a\",\"step\":\"rows\",\"at\":1}\nnot json\n"
			      "{\"tenant_id\":5,\"slug\":\"a\",\"step\":\"key\",\"at\":2}\n";
	const char no_tenant[] = "{\"tenant_id\":0,\"slug\":\"a\",\"step\":\"rows\",\"at\":1}\n";
	char errbuf[256];
	json_t *lines = NULL;
	assert_int_equal(mg_purge_ledger_parse(torn, strlen(torn), &lines, errbuf, sizeof(errbuf)), MG_OK);
	assert_int_equal(json_array_size(lines), 1);
	json_decref(lines);
	assert_int_equal(mg_purge_ledger_parse(broken, strlen(broken), &lines, errbuf, sizeof(errbuf)), MG_ERR_INPUT);
	assert_non_null(strstr(errbuf, "line 2"));
	assert_int_equal(mg_purge_ledger_parse(no_tenant, strlen(no_tenant), &lines, errbuf, sizeof(errbuf)),
			 MG_ERR_INPUT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(backup_ids_name_their_utc_start_time),
		cmocka_unit_test(dates_count_days_in_jst),
		cmocka_unit_test(the_ledger_reads_back_what_was_appended),
		cmocka_unit_test(a_torn_last_line_is_skipped_but_a_broken_one_is_an_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
