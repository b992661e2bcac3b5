/* core/base/lang.c: the lang cookie, Accept-Language as real browsers and odd clients send it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lang.h"

/* mg_lang_pick must hand back the table's own strings, not look-alikes. */
#define assert_lang(expected, cookie, header)                                   \
	do {                                                                    \
		const char *got_ = mg_lang_pick((cookie), (header));            \
		assert_non_null(got_);                                          \
		assert_string_equal(got_, (expected));                          \
		assert_true(got_ == mg_languages[0] || got_ == mg_languages[1]); \
	} while (0)

static void languages_table(void **state)
{
	assert_string_equal(mg_languages[0], "ja");
	assert_string_equal(mg_languages[1], "en");
	assert_null(mg_languages[2]);
}

static void default_is_japanese(void **state)
{
	assert_lang("ja", NULL, NULL);
	assert_lang("ja", NULL, "");
	assert_lang("ja", "", "");
}

static void cookie_wins(void **state)
{
	assert_lang("en", "en", "ja");
	assert_lang("ja", "ja", "en-US,en;q=0.9");
	assert_lang("en", "en", NULL);
}

static void cookie_must_match_exactly(void **state)
{
	assert_lang("en", "EN", "en");
	assert_lang("ja", "EN", NULL);
	assert_lang("ja", "en ", NULL);
	assert_lang("ja", "en-US", NULL);
	assert_lang("ja", "fr", NULL);
	assert_lang("en", "fr", "en");
	assert_lang("en", "", "en");
}

static void real_browsers(void **state)
{
	/* Chrome, US English */
	assert_lang("en", NULL, "en-US,en;q=0.9");
	/* Chrome on a Japanese Windows */
	assert_lang("ja", NULL, "ja,en-US;q=0.9,en;q=0.8");
	/* Safari, Japan */
	assert_lang("ja", NULL, "ja-JP,ja;q=0.9");
	/* Firefox, French with English as second choice */
	assert_lang("en", NULL, "fr-FR,fr;q=0.8,en-US;q=0.5,en;q=0.3");
	/* Chrome, German only */
	assert_lang("ja", NULL, "de-DE,de;q=0.9");
	/* curl and many bots */
	assert_lang("ja", NULL, "*");
}

static void case_insensitive_tags(void **state)
{
	assert_lang("en", NULL, "EN");
	assert_lang("en", NULL, "En-gB");
	assert_lang("ja", NULL, "en;q=0.5,JA-jp");
}

static void subtags_match_primary(void **state)
{
	assert_lang("en", NULL, "en-US");
	assert_lang("en", NULL, "en-Latn-GB-oxendict");
	assert_lang("ja", NULL, "en;q=0.1,ja-Jpan-JP");
	assert_lang("en", NULL, "en_US"); /* not BCP 47, but sent by some clients */
	/* a prefix of a longer primary tag is a different language */
	assert_lang("ja", NULL, "enx");
	assert_lang("ja", NULL, "english");
	assert_lang("ja", NULL, "e");
	assert_lang("en", NULL, "jav,en;q=0.1"); /* Javanese */
}

static void highest_q_wins(void **state)
{
	assert_lang("en", NULL, "ja;q=0.5,en;q=0.8");
	assert_lang("ja", NULL, "en;q=0.5,ja;q=0.8");
	assert_lang("en", NULL, "ja;q=0.999,en");
	assert_lang("en", NULL, "ja;q=0.001,en;q=0.002");
	assert_lang("en", NULL, "en;q=0.1,en-GB;q=0.9,ja;q=0.5"); /* best weight per language */
}

static void ties_go_to_earlier(void **state)
{
	assert_lang("ja", NULL, "ja;q=0.5,en;q=0.5");
	assert_lang("en", NULL, "en;q=0.5,ja;q=0.5");
	assert_lang("en", NULL, "en,ja");
	assert_lang("en", NULL, "en;q=1.000,ja;q=1");
}

static void q_zero_excludes(void **state)
{
	assert_lang("en", NULL, "ja;q=0,en;q=0.1");
	assert_lang("en", NULL, "ja;q=0.000,en;q=0.001");
	/* nothing acceptable: fall back to the default */
	assert_lang("ja", NULL, "en;q=0");
	assert_lang("ja", NULL, "en;q=0.0");
}

static void q_syntax(void **state)
{
	assert_lang("en", NULL, "ja;q=0.5,en;q=1.");
	assert_lang("en", NULL, "ja;q=0.5,en;q=1.0");
	assert_lang("en", NULL, "ja;q=0.5,en;q=0.51");
	assert_lang("en", NULL, "ja;Q=0.1,en;q=0.2");
	assert_lang("en", NULL, "ja ; q=0.1 , en ; q = 0.2");
	assert_lang("en", NULL, "ja;q=0.1,en;level=1;q=0.2"); /* unknown parameters are skipped */
	/* unreadable weights make the element unusable, never a higher weight */
	assert_lang("ja", NULL, "ja;q=0.5,en;q=1.001");
	assert_lang("ja", NULL, "ja;q=0.5,en;q=0.9999");
	assert_lang("ja", NULL, "ja;q=0.5,en;q=2");
	assert_lang("ja", NULL, "ja;q=0.5,en;q=-1");
	assert_lang("ja", NULL, "ja;q=0.5,en;q=");
	assert_lang("ja", NULL, "ja;q=0.5,en;q");
	assert_lang("ja", NULL, "ja;q=0.5,en;q=.9");
	assert_lang("ja", NULL, "ja;q=0.5,en;q=0.9x");
	assert_lang("ja", NULL, "ja;q=0.5,en;q=0,9");
	assert_lang("ja", NULL, "ja;q=0.5,en;q=0.5;q=2");
}

static void star(void **state)
{
	assert_lang("ja", NULL, "*");
	assert_lang("ja", NULL, "*;q=0.5");
	assert_lang("en", NULL, "*;q=0.5,en");
	assert_lang("ja", NULL, "en;q=0.5,*");
	assert_lang("ja", NULL, "*,en");   /* tie: "*" came first */
	/* "*" means the languages not named elsewhere */
	assert_lang("en", NULL, "ja;q=0,*");
	assert_lang("en", NULL, "*,ja;q=0");
	assert_lang("ja", NULL, "*;q=0");
	assert_lang("ja", NULL, "ja;q=0.2,en;q=0.1,*"); /* both named: "*" adds nothing */
	assert_lang("ja", NULL, "ja;q=2,*");            /* an unreadable element names nothing */
	assert_lang("ja", NULL, "en-*");                /* "*" only stands alone */
	assert_lang("ja", NULL, "*en");
}

static void garbage_does_not_crash(void **state)
{
	static const char *const headers[] = {
		",", ",,,,", ";", ";;;", "=", ";q=0.5", "q=1", ",;,;,", "en;", "en;;", "en;=",
		"en;q=0.5;", ";en", "\t", " \t ", "*-*", "**", "en-*", "e\xffn", "\xff\xfe\xfd",
		"\xe3\x81\x82", "en,\x01", "-", "--", "en--", "ja;q=0.5;;;;q", "=en",
		"en;q=00.5", "en;q=0.", "en;q=1.0000", "en;q= ", "en q=0.1",
	};
	for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
		const char *lang = mg_lang_pick(NULL, headers[i]);
		assert_true(lang == mg_languages[0] || lang == mg_languages[1]);
	}
	assert_lang("en", NULL, ",,, ;q=1, en , ,");
	assert_lang("en", NULL, "e n,en");
	assert_lang("en", NULL, "\xff\xfe,en");
	assert_lang("en", NULL, "en-");
	assert_lang("ja", NULL, "en;q=00.5");
	assert_lang("en", NULL, "ja;q=0.,en;q=0.1"); /* "0." is zero */
}

static void long_header(void **state)
{
	enum { N = 200000 };
	char *header = malloc(N * 3 + 8);
	assert_non_null(header);
	for (size_t i = 0; i < N; i++)
		memcpy(header + i * 3, "x-,", 3);
	memcpy(header + N * 3, "en", 3);
	assert_lang("en", NULL, header);
	free(header);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(languages_table),
		cmocka_unit_test(default_is_japanese),
		cmocka_unit_test(cookie_wins),
		cmocka_unit_test(cookie_must_match_exactly),
		cmocka_unit_test(real_browsers),
		cmocka_unit_test(case_insensitive_tags),
		cmocka_unit_test(subtags_match_primary),
		cmocka_unit_test(highest_q_wins),
		cmocka_unit_test(ties_go_to_earlier),
		cmocka_unit_test(q_zero_excludes),
		cmocka_unit_test(q_syntax),
		cmocka_unit_test(star),
		cmocka_unit_test(garbage_does_not_crash),
		cmocka_unit_test(long_header),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
