/* Unit tests for the CSV writer (core/base/csv.c): BOM, CRLF, RFC 4180 quoting and the guard
 * against formula injection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/base/buf.h"
#include "core/base/csv.h"

#define BOM "\xef\xbb\xbf"

/* Writes one row of the given cells (NULL-ended) and compares the whole file with expected. */
static void assert_row(const char *const *cells, const char *expected)
{
	struct mg_buf out;
	struct mg_csv csv;
	mg_buf_init(&out);
	mg_csv_begin(&csv, &out);
	for (const char *const *c = cells; *c != NULL; c++)
		mg_csv_field(&csv, *c);
	mg_csv_end_row(&csv);
	assert_int_equal(out.len, strlen(expected));
	assert_memory_equal(out.data, expected, out.len);
	mg_buf_free(&out);
}

static void a_file_starts_with_the_bom_and_rows_end_with_crlf(void **state)
{
	(void)state;
	struct mg_buf out;
	struct mg_csv csv;
	mg_buf_init(&out);
	mg_csv_begin(&csv, &out);
	assert_int_equal(out.len, 3);
	assert_memory_equal(out.data, BOM, 3);
	mg_csv_field(&csv, "a");
	mg_csv_int(&csv, 42);
	mg_csv_end_row(&csv);
	mg_csv_field(&csv, "b");
	mg_csv_field(&csv, NULL);
	mg_csv_end_row(&csv);
	assert_string_equal(out.data, BOM "a,42\r\nb,\r\n");
	assert_int_equal(csv.rows, 2);
	mg_buf_free(&out);
}

static void plain_text_and_japanese_are_written_as_they_are(void **state)
{
	(void)state;
	assert_row((const char *const[]){ "login.success", "管理者 花子", "192.0.2.1", NULL },
		   BOM "login.success,管理者 花子,192.0.2.1\r\n");
}

static void commas_quotes_and_line_breaks_are_quoted(void **state)
{
	(void)state;
	assert_row((const char *const[]){ "a,b", NULL }, BOM "\"a,b\"\r\n");
	assert_row((const char *const[]){ "say \"hi\"", NULL }, BOM "\"say \"\"hi\"\"\"\r\n");
	assert_row((const char *const[]){ "two\r\nlines", "lf\nonly", NULL }, BOM "\"two\r\nlines\",\"lf\nonly\"\r\n");
	assert_row((const char *const[]){ "\"", NULL }, BOM "\"\"\"\"\r\n");
	assert_row((const char *const[]){ "", "x", "", NULL }, BOM ",x,\r\n");
}

static void formula_starts_get_an_apostrophe(void **state)
{
	(void)state;
	assert_row((const char *const[]){ "=HYPERLINK(\"http://x\")", NULL }, BOM "\"'=HYPERLINK(\"\"http://x\"\")\"\r\n");
	assert_row((const char *const[]){ "=1+1", "+81", "-2", "@SUM(A1)", NULL }, BOM "'=1+1,'+81,'-2,'@SUM(A1)\r\n");
	assert_row((const char *const[]){ "\tcmd", NULL }, BOM "'\tcmd\r\n");
	assert_row((const char *const[]){ "\rcmd", NULL }, BOM "\"'\rcmd\"\r\n");
	assert_row((const char *const[]){ "＝1+1", NULL }, BOM "'＝1+1\r\n");
	/* only the first character counts */
	assert_row((const char *const[]){ "a=1", "x-y", NULL }, BOM "a=1,x-y\r\n");
}

static void the_guard_decision(void **state)
{
	(void)state;
	assert_true(mg_csv_needs_guard("=A1"));
	assert_true(mg_csv_needs_guard("@"));
	assert_true(mg_csv_needs_guard("＠user"));
	assert_true(mg_csv_needs_guard("－1"));
	assert_false(mg_csv_needs_guard(""));
	assert_false(mg_csv_needs_guard(NULL));
	assert_false(mg_csv_needs_guard("staff:1"));
	assert_false(mg_csv_needs_guard("'already"));
	assert_false(mg_csv_needs_guard("ログイン"));
}

static void numbers_are_not_guarded(void **state)
{
	(void)state;
	struct mg_buf out;
	struct mg_csv csv;
	mg_buf_init(&out);
	mg_csv_begin(&csv, &out);
	mg_csv_int(&csv, -5);
	mg_csv_int(&csv, 9223372036854775807LL);
	mg_csv_end_row(&csv);
	assert_string_equal(out.data, BOM "-5,9223372036854775807\r\n");
	mg_buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_file_starts_with_the_bom_and_rows_end_with_crlf),
		cmocka_unit_test(plain_text_and_japanese_are_written_as_they_are),
		cmocka_unit_test(commas_quotes_and_line_breaks_are_quoted),
		cmocka_unit_test(formula_starts_get_an_apostrophe),
		cmocka_unit_test(the_guard_decision),
		cmocka_unit_test(numbers_are_not_guarded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
