/*
 * core/base/input.c: NFKC normalisation of what people type (through libunistring), amounts
 * with a thousands comma, and the one id parser. Tables: each row is an input as a browser
 * sends it and what the handler must see.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "input.h"

struct text_case {
	const char *in;
	const char *out; /* NULL: refused (MG_ERR_INPUT) */
};

/* NFKC: full-width digits, Latin letters, hyphen and the ideographic space become ASCII;
 * half-width katakana become full-width; what is already canonical stays as it is. */
static const struct text_case nfkc_cases[] = {
	{ "０９０-１２３４-５６７８", "090-1234-5678" },   /* full-width digits, ASCII hyphen */
	{ "０９０－１２３４－５６７８", "090-1234-5678" }, /* full-width hyphen U+FF0D */
	{ "０３（１２３４）５６７８", "03(1234)5678" },    /* full-width parentheses */
	{ "５０００", "5000" },
	{ "ＡＢＣｘｙｚ", "ABCxyz" },                      /* full-width Latin letters */
	{ "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ", "taro@example.jp" },
	{ "山田\u3000太郎", "山田 太郎" },                 /* the ideographic space */
	{ "ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ タロウ" },                 /* half-width katakana with dakuten */
	{ "\u30AB\u3099", "\u30AC" },              /* decomposed カ + combining ゛ composes to ガ */
	{ "山田太郎", "山田太郎" },                        /* kanji unchanged */
	{ "090-1234-5678", "090-1234-5678" },             /* ASCII unchanged */
	{ "", "" },
	{ "\xff\xfe", NULL },                             /* not UTF-8 */
};

/* Amounts: NFKC, then a thousands comma dropped, only where it groups thousands exactly. */
static const struct text_case amount_cases[] = {
	{ "５０００", "5000" },
	{ "2,500", "2500" },
	{ "２，５００", "2500" },         /* full-width comma U+FF0C */
	{ "1,234,567", "1234567" },
	{ "１２，３４５", "12345" },
	{ "999", "999" },
	{ "2500", "2500" },
	{ "25,00", "25,00" },             /* not a thousands grouping: left for the pattern to refuse */
	{ "2,5000", "2,5000" },
	{ ",500", ",500" },
	{ "1,234,", "1,234," },
	{ "1234,567", "1234,567" },
	{ "1,234.5", "1,234.5" },
	{ "", "" },
};

struct id_case {
	const char *in;
	enum mg_err err;
	uint64_t id;
};

static const struct id_case id_cases[] = {
	{ "1", MG_OK, 1 },
	{ "42", MG_OK, 42 },
	{ "9223372036854775807", MG_OK, 9223372036854775807ull }, /* the largest BIGINT */
	{ "9223372036854775808", MG_ERR_INPUT, 0 },                /* one over */
	{ "18446744073709551616", MG_ERR_INPUT, 0 },               /* over 64 bits */
	{ "99999999999999999999999", MG_ERR_INPUT, 0 },
	{ "0", MG_ERR_INPUT, 0 },
	{ "00", MG_ERR_INPUT, 0 },
	{ "007", MG_ERR_INPUT, 0 },
	{ "-1", MG_ERR_INPUT, 0 },
	{ "+1", MG_ERR_INPUT, 0 },
	{ " 1", MG_ERR_INPUT, 0 },
	{ "1 ", MG_ERR_INPUT, 0 },
	{ "1\t", MG_ERR_INPUT, 0 },
	{ "1e3", MG_ERR_INPUT, 0 },
	{ "0x10", MG_ERR_INPUT, 0 },
	{ "12abc", MG_ERR_INPUT, 0 },
	{ "abc", MG_ERR_INPUT, 0 },
	{ "１", MG_ERR_INPUT, 0 }, /* full-width: fields are normalised before, ids parse ASCII only */
	{ "", MG_ERR_INPUT, 0 },
	{ NULL, MG_ERR_INPUT, 0 },
};

static void check_table(const struct text_case *cases, size_t n,
			enum mg_err (*fn)(struct mg_arena *, const char *, const char **))
{
	struct mg_arena *arena = mg_arena_new();
	for (size_t i = 0; i < n; i++) {
		const char *out = "unset";
		enum mg_err err = fn(arena, cases[i].in, &out);
		if (cases[i].out == NULL) {
			assert_int_equal(err, MG_ERR_INPUT);
			continue;
		}
		assert_int_equal(err, MG_OK);
		if (strcmp(out, cases[i].out) != 0)
			fail_msg("case %zu: \"%s\" gave \"%s\", expected \"%s\"", i, cases[i].in, out, cases[i].out);
	}
	mg_arena_free(arena);
}

static void test_nfkc(void **state)
{
	(void)state;
	check_table(nfkc_cases, sizeof(nfkc_cases) / sizeof(nfkc_cases[0]), mg_text_nfkc);
}

static void test_amount(void **state)
{
	(void)state;
	check_table(amount_cases, sizeof(amount_cases) / sizeof(amount_cases[0]), mg_text_amount);
}

static void test_parse_id(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(id_cases) / sizeof(id_cases[0]); i++) {
		uint64_t id = 12345; /* so a parser that leaves it alone on failure is caught */
		enum mg_err err = mg_parse_id(id_cases[i].in, &id);
		if (err != id_cases[i].err || id != id_cases[i].id)
			fail_msg("case %zu \"%s\": %d and %llu, expected %d and %llu", i,
				 id_cases[i].in ? id_cases[i].in : "(null)", (int)err, (unsigned long long)id,
				 (int)id_cases[i].err, (unsigned long long)id_cases[i].id);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nfkc),
		cmocka_unit_test(test_amount),
		cmocka_unit_test(test_parse_id),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
