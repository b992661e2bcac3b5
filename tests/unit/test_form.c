/*
 * core/base/form.c: query strings, urlencoded bodies, Cookie headers and the UTF-8 check. Each
 * problem code is provoked by the smallest input that should raise it, and every limit is
 * tried at exactly the limit and one byte (or field) over.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "form.h"

/* The defaults of madoguchi.conf (core/base/config.c). */
static const struct mg_limits defaults = { .max_fields = 256, .max_key = 128, .max_value = 64 * 1024 };

struct fixture {
	struct mg_arena *arena;
	struct mg_kvlist list;
	enum mg_input_problem problem;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (f == NULL)
		return -1;
	f->arena = mg_arena_new();
	f->problem = MG_INPUT__MAX; /* so a parser that forgets to set it is caught */
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	mg_arena_free(f->arena);
	free(f);
	return 0;
}

static enum mg_err form_with(struct fixture *f, const char *data, const struct mg_limits *limits)
{
	return mg_form_parse(f->arena, data, strlen(data), limits, &f->list, &f->problem);
}

static enum mg_err form(struct fixture *f, const char *data)
{
	return form_with(f, data, &defaults);
}

static enum mg_err cookie_with(struct fixture *f, const char *header, const struct mg_limits *limits)
{
	return mg_cookie_parse(f->arena, header, limits, &f->list, &f->problem);
}

static enum mg_err cookie(struct fixture *f, const char *header)
{
	return cookie_with(f, header, &defaults);
}

/* Asserts the parse failed with err and problem. */
#define assert_refused(call, err, prob)                 \
	do {                                            \
		assert_int_equal((call), (err));        \
		assert_int_equal(f->problem, (prob));   \
	} while (0)

#define assert_bad(call, prob) assert_refused(call, MG_ERR_INPUT, prob)
#define assert_too_large(call, prob) assert_refused(call, MG_ERR_TOO_LARGE, prob)

#define assert_ok(call)                                      \
	do {                                                 \
		assert_int_equal((call), MG_OK);             \
		assert_int_equal(f->problem, MG_INPUT_OK);   \
	} while (0)

/* ---- query strings and urlencoded bodies ---- */

static void form_basic_pairs(void **state)
{
	struct fixture *f = *state;
	assert_ok(form(f, "a=1&b=x%20y"));
	assert_int_equal(f->list.n, 2);
	assert_string_equal(f->list.items[0].key, "a");
	assert_string_equal(f->list.items[0].value, "1");
	assert_int_equal(f->list.items[0].value_len, 1);
	assert_string_equal(f->list.items[1].key, "b");
	assert_string_equal(f->list.items[1].value, "x y");
	assert_int_equal(f->list.items[1].value_len, 3);
}

static void form_plus_is_space_and_2b_is_plus(void **state)
{
	struct fixture *f = *state;
	assert_ok(form(f, "q=a+b%2Bc&full+name=%2b"));
	assert_int_equal(f->list.n, 2);
	assert_string_equal(f->list.items[0].value, "a b+c");
	assert_string_equal(f->list.items[1].key, "full name");
	assert_string_equal(f->list.items[1].value, "+");
}

static void form_hiragana_escaped(void **state)
{
	struct fixture *f = *state;
	assert_ok(form(f, "name=%e3%81%82&NAME=%E3%81%82"));
	assert_int_equal(f->list.n, 2);
	assert_string_equal(f->list.items[0].value, "\xe3\x81\x82"); /* あ */
	assert_int_equal(f->list.items[0].value_len, 3);
	assert_string_equal(f->list.items[1].value, "あ");
}

static void form_raw_utf8_accepted(void **state)
{
	struct fixture *f = *state;
	assert_ok(form(f, "氏名=山田 太郎"));
	assert_string_equal(mg_kv_get(&f->list, "氏名"), "山田 太郎");
}

static void form_four_byte_emoji(void **state)
{
	struct fixture *f = *state;
	assert_ok(form(f, "note=%F0%9F%98%80ok"));
	assert_string_equal(f->list.items[0].value, "\xf0\x9f\x98\x80ok"); /* 😀 */
	assert_int_equal(f->list.items[0].value_len, 6);
}

static void form_textarea_newlines_kept(void **state)
{
	struct fixture *f = *state;
	/* forms send CRLF for textarea line breaks: control characters are fine in form data */
	assert_ok(form(f, "message=line1%0D%0Aline2%09tab"));
	assert_string_equal(f->list.items[0].value, "line1\r\nline2\ttab");
}

static void form_overlong_refused(void **state)
{
	struct fixture *f = *state;
	assert_bad(form(f, "path=%C0%AF"), MG_INPUT_BAD_UTF8); /* overlong '/' */
	assert_bad(form(f, "path=%E0%80%AF"), MG_INPUT_BAD_UTF8);
	assert_bad(form(f, "%C0%AF=x"), MG_INPUT_BAD_UTF8);
}

static void form_surrogate_refused(void **state)
{
	struct fixture *f = *state;
	assert_bad(form(f, "a=%ED%A0%80"), MG_INPUT_BAD_UTF8); /* U+D800 */
	assert_bad(form(f, "a=%ED%BF%BF"), MG_INPUT_BAD_UTF8); /* U+DFFF */
	assert_ok(form(f, "a=%ED%9F%BF"));                      /* U+D7FF, just below */
}

static void form_truncated_utf8_refused(void **state)
{
	struct fixture *f = *state;
	assert_bad(form(f, "a=%E3%81"), MG_INPUT_BAD_UTF8);
	assert_bad(form(f, "a=%E3%81&b=%82"), MG_INPUT_BAD_UTF8); /* not joined across fields */
	assert_bad(form(f, "a=\xff"), MG_INPUT_BAD_UTF8);
}

static void form_nul_refused(void **state)
{
	struct fixture *f = *state;
	assert_bad(form(f, "a=%00"), MG_INPUT_NUL);
	assert_bad(form(f, "file%00.txt=1"), MG_INPUT_NUL);
	/* the NUL is reported even when invalid UTF-8 comes first */
	assert_bad(form(f, "a=%FF%00"), MG_INPUT_NUL);
}

static void form_first_problem_reported(void **state)
{
	struct fixture *f = *state;
	/* problems are reported in reading order: key before value, earlier pair first */
	assert_bad(form(f, "a=%zz&%00"), MG_INPUT_BAD_ESCAPE);
	assert_bad(form(f, "%00=%zz"), MG_INPUT_NUL);
	assert_bad(form(f, "=%zz"), MG_INPUT_EMPTY_KEY);
	assert_bad(form(f, "%FF=%00"), MG_INPUT_BAD_UTF8);
}

static void form_raw_nul_byte_refused(void **state)
{
	struct fixture *f = *state;
	static const char data[] = "a=1&b=x\0y";
	assert_int_equal(mg_form_parse(f->arena, data, sizeof(data) - 1, &defaults, &f->list, &f->problem),
			 MG_ERR_INPUT);
	assert_int_equal(f->problem, MG_INPUT_NUL);
}

static void form_bad_escapes_refused(void **state)
{
	struct fixture *f = *state;
	assert_bad(form(f, "a=%4"), MG_INPUT_BAD_ESCAPE);  /* trailing, one digit */
	assert_bad(form(f, "a=%"), MG_INPUT_BAD_ESCAPE);   /* trailing, no digit */
	assert_bad(form(f, "a=%zz"), MG_INPUT_BAD_ESCAPE);
	assert_bad(form(f, "a=%4g"), MG_INPUT_BAD_ESCAPE);
	assert_bad(form(f, "a=%%41"), MG_INPUT_BAD_ESCAPE);
	assert_bad(form(f, "%x1=1"), MG_INPUT_BAD_ESCAPE);
	assert_bad(form(f, "a=%4&b=2"), MG_INPUT_BAD_ESCAPE); /* '&' is not a hex digit */
	assert_bad(form(f, "a=% 41"), MG_INPUT_BAD_ESCAPE);
}

static void form_escape_not_read_past_len(void **state)
{
	struct fixture *f = *state;
	/* "%41" cut after "%4": the parser must not borrow the '1' beyond len */
	assert_int_equal(mg_form_parse(f->arena, "a=%41", 4, &defaults, &f->list, &f->problem), MG_ERR_INPUT);
	assert_int_equal(f->problem, MG_INPUT_BAD_ESCAPE);
	assert_ok(mg_form_parse(f->arena, "a=1&b=2", 3, &defaults, &f->list, &f->problem));
	assert_int_equal(f->list.n, 1);
	assert_string_equal(f->list.items[0].value, "1");
}

static void form_empty_pairs_skipped(void **state)
{
	struct fixture *f = *state;
	assert_ok(form(f, "&&a=1&&&b=2&"));
	assert_int_equal(f->list.n, 2);
	assert_string_equal(f->list.items[0].key, "a");
	assert_string_equal(f->list.items[1].key, "b");

	assert_ok(form(f, "&"));
	assert_int_equal(f->list.n, 0);
	assert_ok(form(f, ""));
	assert_int_equal(f->list.n, 0);
	assert_null(mg_kv_get(&f->list, "a"));
	assert_ok(mg_form_parse(f->arena, NULL, 0, &defaults, &f->list, &f->problem));
	assert_int_equal(f->list.n, 0);
}

static void form_key_without_equals_is_empty_value(void **state)
{
	struct fixture *f = *state;
	assert_ok(form(f, "flag&x=1&other="));
	assert_int_equal(f->list.n, 3);
	assert_string_equal(f->list.items[0].key, "flag");
	assert_non_null(f->list.items[0].value);
	assert_string_equal(f->list.items[0].value, "");
	assert_int_equal(f->list.items[0].value_len, 0);
	assert_string_equal(f->list.items[2].value, "");
	assert_int_equal(f->list.items[2].value_len, 0);
}

static void form_value_may_contain_equals(void **state)
{
	struct fixture *f = *state;
	assert_ok(form(f, "token=YWJj==&x=%3D"));
	assert_string_equal(mg_kv_get(&f->list, "token"), "YWJj==");
	assert_string_equal(mg_kv_get(&f->list, "x"), "=");
}

static void form_empty_key_refused(void **state)
{
	struct fixture *f = *state;
	assert_bad(form(f, "=x"), MG_INPUT_EMPTY_KEY);
	assert_bad(form(f, "="), MG_INPUT_EMPTY_KEY);
	assert_bad(form(f, "a=1&=2"), MG_INPUT_EMPTY_KEY);
	assert_ok(form(f, "+=x")); /* a space is a name, if an odd one */
	assert_string_equal(f->list.items[0].key, " ");
}

static void form_duplicate_keys_first_wins(void **state)
{
	struct fixture *f = *state;
	assert_ok(form(f, "seat=A1&seat=A2&seat=A3"));
	assert_int_equal(f->list.n, 3);
	assert_string_equal(mg_kv_get(&f->list, "seat"), "A1");
	assert_string_equal(f->list.items[1].value, "A2");
	assert_string_equal(f->list.items[2].value, "A3");
	assert_null(mg_kv_get(&f->list, "Seat"));
	assert_null(mg_kv_get(&f->list, "sea"));
	assert_null(mg_kv_get(NULL, "seat"));
}

static void form_field_limit(void **state)
{
	struct fixture *f = *state;
	const struct mg_limits three = { .max_fields = 3, .max_key = 16, .max_value = 16 };
	assert_ok(form_with(f, "a=1&b=2&c=3", &three));
	assert_int_equal(f->list.n, 3);
	assert_too_large(form_with(f, "a=1&b=2&c=3&d=4", &three), MG_INPUT_TOO_MANY_FIELDS);
	/* empty pairs do not count */
	assert_ok(form_with(f, "&a=1&&b=2&&c=3&&", &three));
	assert_int_equal(f->list.n, 3);
	/* the count is checked before the extra pair is decoded */
	assert_too_large(form_with(f, "a&b&c&%zz", &three), MG_INPUT_TOO_MANY_FIELDS);

	const struct mg_limits none = { .max_fields = 0, .max_key = 16, .max_value = 16 };
	assert_ok(form_with(f, "&&", &none));
	assert_too_large(form_with(f, "a", &none), MG_INPUT_TOO_MANY_FIELDS);
}

static void form_key_limit(void **state)
{
	struct fixture *f = *state;
	const struct mg_limits four = { .max_fields = 8, .max_key = 4, .max_value = 16 };
	assert_ok(form_with(f, "abcd=1", &four));
	assert_too_large(form_with(f, "abcde=1", &four), MG_INPUT_KEY_TOO_LONG);
	assert_too_large(form_with(f, "abcde", &four), MG_INPUT_KEY_TOO_LONG);
	/* the limit is on decoded bytes: 12 bytes on the wire, 4 decoded */
	assert_ok(form_with(f, "%41%42%43%44=1", &four));
	assert_string_equal(f->list.items[0].key, "ABCD");
	assert_too_large(form_with(f, "%41%42%43%44%45=1", &four), MG_INPUT_KEY_TOO_LONG);
	/* one kanji is three bytes */
	assert_too_large(form_with(f, "%E5%90%8D%E5%89%8D=1", &four), MG_INPUT_KEY_TOO_LONG);
}

static void form_value_limit(void **state)
{
	struct fixture *f = *state;
	const struct mg_limits five = { .max_fields = 8, .max_key = 8, .max_value = 5 };
	assert_ok(form_with(f, "a=12345", &five));
	assert_too_large(form_with(f, "a=123456", &five), MG_INPUT_VALUE_TOO_LONG);
	assert_ok(form_with(f, "a=%31%32%33%34%35", &five));
	assert_ok(form_with(f, "a=1+2+3", &five)); /* "1 2 3" */
	assert_too_large(form_with(f, "a=1+2+3+", &five), MG_INPUT_VALUE_TOO_LONG);
	/* あ is 3 bytes: one fits, two do not */
	assert_ok(form_with(f, "a=%E3%81%82", &five));
	assert_too_large(form_with(f, "a=%E3%81%82%E3%81%82", &five), MG_INPUT_VALUE_TOO_LONG);
	assert_ok(form_with(f, "a=", &five));
}

static char *repeat_fields(size_t n, size_t *len)
{
	/* "k0=v0&k1=v1&..." */
	size_t cap = n * 24 + 1, used = 0;
	char *s = malloc(cap);
	assert_non_null(s);
	for (size_t i = 0; i < n; i++)
		used += (size_t)snprintf(s + used, cap - used, "%sk%zu=v%zu", i ? "&" : "", i, i);
	*len = used;
	return s;
}

static void form_many_fields(void **state)
{
	struct fixture *f = *state;
	enum { N = 100000 };
	const struct mg_limits big = { .max_fields = N, .max_key = 16, .max_value = 16 };
	size_t len;
	char *data = repeat_fields(N, &len);

	assert_int_equal(mg_form_parse(f->arena, data, len, &big, &f->list, &f->problem), MG_OK);
	assert_int_equal(f->list.n, N);
	assert_string_equal(f->list.items[0].key, "k0");
	assert_string_equal(f->list.items[N - 1].key, "k99999");
	assert_string_equal(f->list.items[N - 1].value, "v99999");
	assert_string_equal(f->list.items[12345].value, "v12345");

	const struct mg_limits smaller = { .max_fields = N - 1, .max_key = 16, .max_value = 16 };
	assert_int_equal(mg_form_parse(f->arena, data, len, &smaller, &f->list, &f->problem), MG_ERR_TOO_LARGE);
	assert_int_equal(f->problem, MG_INPUT_TOO_MANY_FIELDS);
	free(data);
}

static void form_many_separators_few_fields(void **state)
{
	struct fixture *f = *state;
	enum { N = 1000000 };
	char *data = malloc(N + 4);
	assert_non_null(data);
	memset(data, '&', N);
	memcpy(data + N, "a=1", 4);
	assert_int_equal(mg_form_parse(f->arena, data, N + 3, &defaults, &f->list, &f->problem), MG_OK);
	assert_int_equal(f->list.n, 1);
	assert_string_equal(f->list.items[0].value, "1");
	free(data);
}

/* ---- Cookie headers ---- */

static void cookie_basic(void **state)
{
	struct fixture *f = *state;
	assert_ok(cookie(f, "a=1; b=2"));
	assert_int_equal(f->list.n, 2);
	assert_string_equal(f->list.items[0].key, "a");
	assert_string_equal(f->list.items[0].value, "1");
	assert_string_equal(f->list.items[1].key, "b");
	assert_string_equal(f->list.items[1].value, "2");
	assert_int_equal(f->list.items[1].value_len, 1);
}

static void cookie_real_browser_header(void **state)
{
	struct fixture *f = *state;
	/* as Chrome sent it to a site with Google Analytics, a session and a language choice */
	assert_ok(cookie(f, "_ga=GA1.1.1482917411.1731900000; "
			    "_ga_Q8X3C1LJ2Z=GS1.1.1731900000.3.1.1731900712.0.0.0; "
			    "lang=ja; mg_session=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08; "
			    "mg_csrf=\"c2VjcmV0LXRva2Vu\""));
	assert_int_equal(f->list.n, 5);
	assert_string_equal(mg_kv_get(&f->list, "lang"), "ja");
	assert_string_equal(mg_kv_get(&f->list, "_ga"), "GA1.1.1482917411.1731900000");
	assert_string_equal(mg_kv_get(&f->list, "mg_session"),
			    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
	assert_string_equal(mg_kv_get(&f->list, "mg_csrf"), "c2VjcmV0LXRva2Vu");
}

static void cookie_quotes_removed(void **state)
{
	struct fixture *f = *state;
	assert_ok(cookie(f, "a=\"abc\"; b=\"\"; c=\"; d=\"x; e=x\""));
	assert_string_equal(mg_kv_get(&f->list, "a"), "abc");
	assert_int_equal(f->list.items[0].value_len, 3);
	assert_string_equal(mg_kv_get(&f->list, "b"), "");
	/* a lone quote is not a pair of quotes: kept as sent */
	assert_string_equal(mg_kv_get(&f->list, "c"), "\"");
	assert_string_equal(mg_kv_get(&f->list, "d"), "\"x");
	assert_string_equal(mg_kv_get(&f->list, "e"), "x\"");
}

static void cookie_spaces_trimmed_empty_skipped(void **state)
{
	struct fixture *f = *state;
	assert_ok(cookie(f, "   a=1 ;;  ;b=2;   "));
	assert_int_equal(f->list.n, 2);
	assert_string_equal(mg_kv_get(&f->list, "a"), "1");
	assert_string_equal(mg_kv_get(&f->list, "b"), "2");
	assert_ok(cookie(f, ""));
	assert_int_equal(f->list.n, 0);
	assert_ok(cookie(f, " ; ;"));
	assert_int_equal(f->list.n, 0);
	assert_ok(mg_cookie_parse(f->arena, NULL, &defaults, &f->list, &f->problem));
	assert_int_equal(f->list.n, 0);
}

static void cookie_value_not_decoded(void **state)
{
	struct fixture *f = *state;
	assert_ok(cookie(f, "a=%41+b; c=x=y==; d=; e=hello world"));
	assert_string_equal(mg_kv_get(&f->list, "a"), "%41+b");
	assert_string_equal(mg_kv_get(&f->list, "c"), "x=y==");
	assert_string_equal(mg_kv_get(&f->list, "d"), "");
	assert_string_equal(mg_kv_get(&f->list, "e"), "hello world");
}

static void cookie_duplicate_first_wins(void **state)
{
	struct fixture *f = *state;
	/* browsers send the cookie with the longer path first */
	assert_ok(cookie(f, "lang=en; lang=ja"));
	assert_string_equal(mg_kv_get(&f->list, "lang"), "en");
}

static void cookie_without_equals_refused(void **state)
{
	struct fixture *f = *state;
	assert_bad(cookie(f, "a=1; foo"), MG_INPUT_BAD_COOKIE);
	assert_bad(cookie(f, "foo"), MG_INPUT_BAD_COOKIE);
}

static void cookie_bad_name_refused(void **state)
{
	struct fixture *f = *state;
	assert_bad(cookie(f, "=x"), MG_INPUT_BAD_COOKIE);
	assert_bad(cookie(f, "a b=1"), MG_INPUT_BAD_COOKIE);
	assert_bad(cookie(f, "a =1"), MG_INPUT_BAD_COOKIE);
	assert_bad(cookie(f, "a,b=1"), MG_INPUT_BAD_COOKIE);
	assert_bad(cookie(f, "(x)=1"), MG_INPUT_BAD_COOKIE);
	assert_bad(cookie(f, "\"a\"=1"), MG_INPUT_BAD_COOKIE);
	assert_bad(cookie(f, "名前=1"), MG_INPUT_BAD_COOKIE);
	/* every tchar is allowed */
	assert_ok(cookie(f, "!#$%&'*+-.^_`|~09azAZ=1"));
	assert_string_equal(f->list.items[0].key, "!#$%&'*+-.^_`|~09azAZ");
}

static void cookie_control_refused(void **state)
{
	struct fixture *f = *state;
	assert_bad(cookie(f, "a=1\x01"), MG_INPUT_CONTROL);
	assert_bad(cookie(f, "a=x\ty"), MG_INPUT_CONTROL);
	assert_bad(cookie(f, "a=\x7f"), MG_INPUT_CONTROL);
	assert_bad(cookie(f, "a=1;\tb=2"), MG_INPUT_CONTROL); /* only spaces are trimmed */
	assert_bad(cookie(f, "a=\"\r\n\""), MG_INPUT_CONTROL);
	assert_bad(cookie(f, "a\x1f=1"), MG_INPUT_CONTROL);
}

static void cookie_utf8(void **state)
{
	struct fixture *f = *state;
	assert_ok(cookie(f, "name=山田; mood=\xf0\x9f\x98\x80"));
	assert_string_equal(mg_kv_get(&f->list, "name"), "山田");
	assert_int_equal(f->list.items[1].value_len, 4);
	assert_bad(cookie(f, "a=\xff"), MG_INPUT_BAD_UTF8);
	assert_bad(cookie(f, "a=\xc0\xaf"), MG_INPUT_BAD_UTF8);
	assert_bad(cookie(f, "a=\xed\xa0\x80"), MG_INPUT_BAD_UTF8);
	assert_bad(cookie(f, "a=\"\xe3\x81\""), MG_INPUT_BAD_UTF8);
}

static void cookie_limits(void **state)
{
	struct fixture *f = *state;
	const struct mg_limits small = { .max_fields = 2, .max_key = 3, .max_value = 4 };
	assert_ok(cookie_with(f, "a=1; b=2", &small));
	assert_too_large(cookie_with(f, "a=1; b=2; c=3", &small), MG_INPUT_TOO_MANY_FIELDS);
	assert_ok(cookie_with(f, "a=1;;; b=2;", &small));
	assert_ok(cookie_with(f, "abc=1", &small));
	assert_too_large(cookie_with(f, "abcd=1", &small), MG_INPUT_KEY_TOO_LONG);
	assert_ok(cookie_with(f, "a=1234", &small));
	assert_too_large(cookie_with(f, "a=12345", &small), MG_INPUT_VALUE_TOO_LONG);
	/* the quotes do not count */
	assert_ok(cookie_with(f, "a=\"1234\"", &small));
	assert_string_equal(f->list.items[0].value, "1234");
	assert_too_large(cookie_with(f, "a=\"12345\"", &small), MG_INPUT_VALUE_TOO_LONG);
}

/* ---- mg_utf8_valid ---- */

struct utf8_case {
	const char *bytes;
	size_t len;
	bool valid;
};

#define U8(s, v) { s, sizeof(s) - 1, v }

static void utf8_boundaries(void **state)
{
	static const struct utf8_case cases[] = {
		U8("", true),
		U8("\x7f", true),
		U8("\xc2\x80", true),               /* U+0080 */
		U8("\xdf\xbf", true),               /* U+07FF */
		U8("\xe0\xa0\x80", true),           /* U+0800 */
		U8("\xed\x9f\xbf", true),           /* U+D7FF */
		U8("\xee\x80\x80", true),           /* U+E000 */
		U8("\xef\xbf\xbf", true),           /* U+FFFF */
		U8("\xf0\x90\x80\x80", true),       /* U+10000 */
		U8("\xf4\x8f\xbf\xbf", true),       /* U+10FFFF */
		U8("a\0b", true),                   /* NUL is UTF-8; the parsers refuse it separately */
		U8("\x80", false),                  /* lone continuation */
		U8("\xbf", false),
		U8("\xc0\x80", false),              /* overlong NUL */
		U8("\xc1\xbf", false),              /* overlong */
		U8("\xe0\x9f\xbf", false),          /* overlong U+07FF */
		U8("\xf0\x8f\xbf\xbf", false),      /* overlong U+FFFF */
		U8("\xed\xa0\x80", false),          /* U+D800 */
		U8("\xed\xbf\xbf", false),          /* U+DFFF */
		U8("\xf4\x90\x80\x80", false),      /* U+110000 */
		U8("\xf5\x80\x80\x80", false),
		U8("\xfe", false),
		U8("\xff", false),
		U8("\xc2", false),                  /* truncated */
		U8("\xe3\x81", false),
		U8("\xf0\x9f\x98", false),
		U8("\xc2\x41", false),              /* continuation missing */
		U8("\xe3\x41\x82", false),
		U8("\xe3\x81\x41", false),
		U8("\xf0\x9f\x98\x41", false),
		U8("abcdefghijklmnop\xe3\x81\x82", true), /* past the 8-byte ASCII fast path */
		U8("abcdefghijklmnop\xe3\x81", false),
		U8("abcdefg\xe3\x81\x82hijklmnopq", true),
		U8("abcdefg\xffhijklmnopq", false),
		U8("abcdefghijklmno\x80", false),
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (mg_utf8_valid(cases[i].bytes, cases[i].len) != cases[i].valid)
			fail_msg("case %zu: expected %s", i, cases[i].valid ? "valid" : "invalid");
	}
}

static void utf8_respects_len(void **state)
{
	/* "あ" cut after two bytes is truncated even though the third is in memory */
	assert_false(mg_utf8_valid("\xe3\x81\x82", 2));
	assert_true(mg_utf8_valid("a\xff", 1));
	assert_true(mg_utf8_valid(NULL, 0));
}

/* ---- messages ---- */

static void problem_msgids(void **state)
{
	for (int i = 1; i < MG_INPUT__MAX; i++) {
		const char *msgid = mg_input_problem_msgid((enum mg_input_problem)i);
		assert_non_null(msgid);
		assert_true(strlen(msgid) > 10);
		assert_int_equal(msgid[strlen(msgid) - 1], '.'); /* sentences */
		for (int j = 1; j < i; j++)
			assert_string_not_equal(msgid, mg_input_problem_msgid((enum mg_input_problem)j));
	}
	assert_non_null(strstr(mg_input_problem_msgid(MG_INPUT_BAD_ESCAPE), "'%'"));
	/* never "" (which gettext translates to the catalog header) */
	assert_true(strlen(mg_input_problem_msgid(MG_INPUT_OK)) > 0);
	assert_true(strlen(mg_input_problem_msgid(MG_INPUT__MAX)) > 0);
	assert_true(strlen(mg_input_problem_msgid((enum mg_input_problem)-1)) > 0);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(form_basic_pairs),
		T(form_plus_is_space_and_2b_is_plus),
		T(form_hiragana_escaped),
		T(form_raw_utf8_accepted),
		T(form_four_byte_emoji),
		T(form_textarea_newlines_kept),
		T(form_overlong_refused),
		T(form_surrogate_refused),
		T(form_truncated_utf8_refused),
		T(form_nul_refused),
		T(form_first_problem_reported),
		T(form_raw_nul_byte_refused),
		T(form_bad_escapes_refused),
		T(form_escape_not_read_past_len),
		T(form_empty_pairs_skipped),
		T(form_key_without_equals_is_empty_value),
		T(form_value_may_contain_equals),
		T(form_empty_key_refused),
		T(form_duplicate_keys_first_wins),
		T(form_field_limit),
		T(form_key_limit),
		T(form_value_limit),
		T(form_many_fields),
		T(form_many_separators_few_fields),
		T(cookie_basic),
		T(cookie_real_browser_header),
		T(cookie_quotes_removed),
		T(cookie_spaces_trimmed_empty_skipped),
		T(cookie_value_not_decoded),
		T(cookie_duplicate_first_wins),
		T(cookie_without_equals_refused),
		T(cookie_bad_name_refused),
		T(cookie_control_refused),
		T(cookie_utf8),
		T(cookie_limits),
		cmocka_unit_test(utf8_boundaries),
		cmocka_unit_test(utf8_respects_len),
		cmocka_unit_test(problem_msgids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
