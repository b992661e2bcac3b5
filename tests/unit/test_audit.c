/* Unit tests for the audit log's canonical serialisation and hash (core/platform/audit.c), the text
 * cleaning done before hashing, and the name checks that guard the GRANT statements
 * (core/db/grants.c). No database: the chain itself is exercised by tests/http/test_audit.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/base/arena.h"
#include "core/platform/audit.h"
#include "core/base/buf.h"
#include "core/db/grants.h"

/* Known vectors, computed independently (Python: hashlib.sha256 over the netstrings). */
static const char vector1_text[] = "11:mg-audit-v1,2:42,1:7,26:2026-04-01 03:00:00.123456,8:staff:12,"
				   "13:login.success,8:staff:12,9:192.0.2.1,11:Mozilla/5.0,7:success,-,"
				   "64:0000000000000000000000000000000000000000000000000000000000000000,";
static const char vector1_hash[] = "cb664f25066af648a544071c326997ec7e2d1fc825c5ec2e4defaf7ef37d6501";
static const char vector2_hash[] = "e828fe2117b6e02cc1f7420c8a42abcb05cb3688c27af847df44b0818c8b40c8";

static struct mg_audit_row vector1(void)
{
	return (struct mg_audit_row){ .tenant_id = 42,
				      .seq = 7,
				      .at = "2026-04-01 03:00:00.123456",
				      .actor = "staff:12",
				      .action = "login.success",
				      .object = "staff:12",
				      .ip = "192.0.2.1",
				      .user_agent = "Mozilla/5.0",
				      .outcome = "success",
				      .detail = NULL,
				      .prev_hash = mg_audit_genesis };
}

static void known_vector_is_stable(void **state)
{
	(void)state;
	struct mg_audit_row row = vector1();
	struct mg_buf buf;
	mg_buf_init(&buf);
	mg_audit_serialise(&row, &buf);
	assert_int_equal(buf.len, strlen(vector1_text));
	assert_memory_equal(buf.data, vector1_text, buf.len);
	mg_buf_free(&buf);
	char hash[65];
	mg_audit_hash(&row, hash);
	assert_string_equal(hash, vector1_hash);

	/* the next row of a chain, with UTF-8 (lengths count bytes), an empty field and tenant 0 */
	struct mg_audit_row next = { .tenant_id = 0,
				     .seq = 8,
				     .at = "2026-04-01 03:00:01.000000",
				     .actor = "operator:3",
				     .action = "audit.export",
				     .object = "tenant:demo",
				     .ip = "2001:db8::1",
				     .user_agent = "",
				     .outcome = "denied",
				     .detail = "窓口で手動修正",
				     .prev_hash = hash };
	char hash2[65];
	mg_audit_hash(&next, hash2);
	assert_string_equal(hash2, vector2_hash);
}

/* The text fields of a row in serialisation order, to shift bytes between neighbours. */
static const char **text_field(struct mg_audit_row *row, int i)
{
	const char **fields[] = { &row->at,	    &row->actor,   &row->action, &row->object, &row->ip,
				  &row->user_agent, &row->outcome, &row->detail, &row->prev_hash };
	return i < (int)(sizeof(fields) / sizeof(fields[0])) ? fields[i] : NULL;
}

static void moving_bytes_between_fields_changes_the_hash(void **state)
{
	(void)state;
	char a[65], b[65];
	for (int i = 0; text_field(&(struct mg_audit_row){ 0 }, i + 1) != NULL; i++) {
		/* "ab" + "c" against "a" + "bc" in fields i and i+1, everything else equal */
		struct mg_audit_row x = vector1(), y = vector1();
		*text_field(&x, i) = "ab";
		*text_field(&x, i + 1) = "c";
		*text_field(&y, i) = "a";
		*text_field(&y, i + 1) = "bc";
		mg_audit_hash(&x, a);
		mg_audit_hash(&y, b);
		assert_string_not_equal(a, b);
		/* and what a naive join with a separator would confuse: "a,b" + "" against "a" + "b," */
		*text_field(&x, i) = "a,b";
		*text_field(&x, i + 1) = "";
		*text_field(&y, i) = "a";
		*text_field(&y, i + 1) = "b,";
		mg_audit_hash(&x, a);
		mg_audit_hash(&y, b);
		assert_string_not_equal(a, b);
	}
	/* the numbers too: tenant 1 seq 23 against tenant 12 seq 3 */
	struct mg_audit_row x = vector1(), y = vector1();
	x.tenant_id = 1;
	x.seq = 23;
	y.tenant_id = 12;
	y.seq = 3;
	mg_audit_hash(&x, a);
	mg_audit_hash(&y, b);
	assert_string_not_equal(a, b);
	/* a field that carries a whole netstring cannot pass for two fields */
	x = vector1();
	y = vector1();
	x.object = "staff:12,9:192.0.2.1";
	x.ip = "";
	y.object = "staff:12";
	y.ip = "192.0.2.1";
	mg_audit_hash(&x, a);
	mg_audit_hash(&y, b);
	assert_string_not_equal(a, b);
}

static void every_field_counts(void **state)
{
	(void)state;
	char base[65], changed[65];
	struct mg_audit_row row = vector1();
	mg_audit_hash(&row, base);
	for (int i = 0; text_field(&row, i) != NULL; i++) {
		struct mg_audit_row x = vector1();
		*text_field(&x, i) = "x";
		mg_audit_hash(&x, changed);
		assert_string_not_equal(base, changed);
	}
	struct mg_audit_row x = vector1();
	x.seq = 8;
	mg_audit_hash(&x, changed);
	assert_string_not_equal(base, changed);
	x = vector1();
	x.tenant_id = 43;
	mg_audit_hash(&x, changed);
	assert_string_not_equal(base, changed);
	/* one microsecond */
	x = vector1();
	x.at = "2026-04-01 03:00:00.123457";
	mg_audit_hash(&x, changed);
	assert_string_not_equal(base, changed);
}

static void null_and_empty_detail_differ(void **state)
{
	(void)state;
	char null_hash[65], empty_hash[65], dash_hash[65];
	struct mg_audit_row row = vector1();
	row.detail = NULL;
	mg_audit_hash(&row, null_hash);
	row.detail = "";
	mg_audit_hash(&row, empty_hash);
	row.detail = "-"; /* NULL serialises as "-,"; a dash as "1:-," */
	mg_audit_hash(&row, dash_hash);
	assert_string_not_equal(null_hash, empty_hash);
	assert_string_not_equal(null_hash, dash_hash);
	assert_string_not_equal(empty_hash, dash_hash);
	assert_string_equal(null_hash, vector1_hash);
}

static void hash_is_lower_case_hex(void **state)
{
	(void)state;
	char hash[65];
	struct mg_audit_row row = vector1();
	mg_audit_hash(&row, hash);
	assert_int_equal(strlen(hash), 64);
	assert_int_equal(strspn(hash, "0123456789abcdef"), 64);
	assert_int_equal(strlen(mg_audit_genesis), 64);
	assert_int_equal(strspn(mg_audit_genesis, "0"), 64);
}

static void clean_keeps_utf8_and_replaces_the_rest(void **state)
{
	(void)state;
	struct mg_arena *arena = mg_arena_new();
	assert_null(mg_audit_clean(arena, NULL, 10));
	assert_string_equal(mg_audit_clean(arena, "", 10), "");
	assert_string_equal(mg_audit_clean(arena, "Mozilla/5.0 (X11)", 300), "Mozilla/5.0 (X11)");
	assert_string_equal(mg_audit_clean(arena, "窓口😀", 300), "窓口😀");
	/* a lone continuation byte, a truncated sequence, an overlong '/', a surrogate, > U+10FFFF */
	assert_string_equal(mg_audit_clean(arena, "a\x80z", 10), "a\xef\xbf\xbdz");
	assert_string_equal(mg_audit_clean(arena, "\xe7\xaa", 10), "\xef\xbf\xbd\xef\xbf\xbd");
	assert_string_equal(mg_audit_clean(arena, "\xc0\xaf", 10), "\xef\xbf\xbd\xef\xbf\xbd");
	assert_string_equal(mg_audit_clean(arena, "\xed\xa0\x80", 10), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	assert_string_equal(mg_audit_clean(arena, "\xf4\x90\x80\x80", 10),
			    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	assert_string_equal(mg_audit_clean(arena, "\xff", 10), "\xef\xbf\xbd");
	/* cut by characters, never inside one */
	assert_string_equal(mg_audit_clean(arena, "abcdef", 3), "abc");
	assert_string_equal(mg_audit_clean(arena, "窓口受付", 2), "窓口");
	assert_string_equal(mg_audit_clean(arena, "a\x80窓", 2), "a\xef\xbf\xbd");
	mg_arena_free(arena);
}

static void grant_names_are_checked(void **state)
{
	(void)state;
	assert_true(mg_grants_valid_identifier("mg_app"));
	assert_true(mg_grants_valid_identifier("madoguchi"));
	assert_true(mg_grants_valid_identifier("audit_log"));
	assert_true(mg_grants_valid_identifier("t0"));
	assert_false(mg_grants_valid_identifier(""));
	assert_false(mg_grants_valid_identifier("mg-app"));
	assert_false(mg_grants_valid_identifier("Audit"));
	assert_false(mg_grants_valid_identifier("a`b"));
	assert_false(mg_grants_valid_identifier("a'b"));
	assert_false(mg_grants_valid_identifier("a b"));
	assert_false(mg_grants_valid_identifier("a\\b"));
	assert_false(mg_grants_valid_identifier("a.b"));
	assert_false(mg_grants_valid_identifier("x`; DROP TABLE audit_log; --"));
	char long_name[66];
	memset(long_name, 'a', 65);
	long_name[65] = '\0';
	assert_false(mg_grants_valid_identifier(long_name));
	long_name[64] = '\0';
	assert_true(mg_grants_valid_identifier(long_name));

	assert_true(mg_grants_valid_host("localhost"));
	assert_true(mg_grants_valid_host("127.0.0.1"));
	assert_true(mg_grants_valid_host("::1"));
	assert_true(mg_grants_valid_host("10.0.0.%"));
	assert_true(mg_grants_valid_host("%"));
	assert_true(mg_grants_valid_host("app-1.db.internal"));
	assert_true(mg_grants_valid_host("10.0.0.0/255.255.255.0"));
	assert_false(mg_grants_valid_host(""));
	assert_false(mg_grants_valid_host("local'host"));
	assert_false(mg_grants_valid_host("localhost' IDENTIFIED BY 'x"));
	assert_false(mg_grants_valid_host("a\\b"));
	assert_false(mg_grants_valid_host("a b"));
	assert_false(mg_grants_valid_host("Localhost"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(known_vector_is_stable),
		cmocka_unit_test(moving_bytes_between_fields_changes_the_hash),
		cmocka_unit_test(every_field_counts),
		cmocka_unit_test(null_and_empty_detail_differ),
		cmocka_unit_test(hash_is_lower_case_hex),
		cmocka_unit_test(clean_keeps_utf8_and_replaces_the_rest),
		cmocka_unit_test(grant_names_are_checked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
