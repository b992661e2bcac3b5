/*
 * libFuzzer harness for core/base/form.c and core/base/lang.c; run it with scripts/fuzz.
 *
 * Each input goes to mg_form_parse, mg_cookie_parse (as a NUL-terminated copy) and
 * mg_lang_pick, under small limits (so the limit paths are hit) and generous ones (so the
 * decoding behind them is reached). Beyond the sanitizers it checks what form.h promises
 * about every decoded field, and it compares the parser and the UTF-8 check with plain,
 * slow reference versions written here from the rules rather than from form.c: a decoder
 * that accepts what it should refuse, or the reverse, aborts.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "form.h"
#include "lang.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct mg_limits small_limits = { .max_fields = 4, .max_key = 8, .max_value = 16 };
static const struct mg_limits large_limits = { .max_fields = 512, .max_key = 256, .max_value = 4096 };

#define CHECK(cond)              \
	do {                     \
		if (!(cond))     \
			abort(); \
	} while (0)

/* Decodes one code point at a time and checks it against the Unicode ranges. */
static bool reference_utf8(const unsigned char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		unsigned char c = s[i];
		size_t n;
		uint32_t cp, min;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			n = 2, cp = c & 0x1f, min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			n = 3, cp = c & 0x0f, min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			n = 4, cp = c & 0x07, min = 0x10000;
		} else {
			return false;
		}
		if (len - i < n)
			return false;
		for (size_t k = 1; k < n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n;
	}
	return true;
}

static int reference_hex(unsigned char c)
{
	static const char digits[] = "0123456789abcdef";
	if (c >= 'A' && c <= 'F')
		c = (unsigned char)(c - 'A' + 'a');
	const char *p = c != '\0' ? strchr(digits, c) : NULL;
	return p != NULL ? (int)(p - digits) : -1;
}

/* Percent-decodes the whole of src with no limit; false on a bad escape. */
static bool reference_decode(const unsigned char *src, size_t len, unsigned char *dst, size_t *out_len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if (src[i] == '%') {
			if (i + 2 >= len)
				return false;
			int h = reference_hex(src[i + 1]), l = reference_hex(src[i + 2]);
			if (h < 0 || l < 0)
				return false;
			dst[n++] = (unsigned char)(h * 16 + l);
			i += 2;
		} else {
			dst[n++] = src[i] == '+' ? ' ' : src[i];
		}
	}
	*out_len = n;
	return true;
}

static bool reference_text_ok(const unsigned char *s, size_t len)
{
	return memchr(s, '\0', len) == NULL && reference_utf8(s, len);
}

/*
 * The rules of form.h applied pair by pair. Which problem is reported first may differ
 * (form.c stops decoding at the length limit), so only acceptance and the decoded fields
 * are compared.
 */
static void compare_form(const uint8_t *data, size_t size, const struct mg_limits *limits,
			 enum mg_err err, const struct mg_kvlist *list)
{
	unsigned char *key = malloc(size + 1), *value = malloc(size + 1);
	size_t fields = 0;
	bool ok = true;
	CHECK(key != NULL && value != NULL);

	for (size_t start = 0; start <= size && ok;) {
		size_t end = start;
		while (end < size && data[end] != '&')
			end++;
		if (end > start) {
			size_t eq = start;
			while (eq < end && data[eq] != '=')
				eq++;
			size_t key_len = 0, value_len = 0;
			ok = fields < limits->max_fields && reference_decode(data + start, eq - start, key, &key_len) &&
			     key_len > 0 && key_len <= limits->max_key && reference_text_ok(key, key_len);
			if (ok && eq < end)
				ok = reference_decode(data + eq + 1, end - eq - 1, value, &value_len) &&
				     value_len <= limits->max_value && reference_text_ok(value, value_len);
			if (ok) {
				CHECK(err != MG_OK || fields < list->n);
				if (err == MG_OK) {
					const struct mg_kv *kv = &list->items[fields];
					CHECK(strlen(kv->key) == key_len && memcmp(kv->key, key, key_len) == 0);
					CHECK(kv->value_len == value_len && memcmp(kv->value, value, value_len) == 0);
				}
				fields++;
			}
		}
		start = end + 1;
	}
	CHECK(ok == (err == MG_OK));
	CHECK(!ok || fields == list->n);
	free(key);
	free(value);
}

/* What form.h promises of every parse, whatever the input. */
static void check_result(enum mg_err err, enum mg_input_problem problem, const struct mg_kvlist *list,
			 const struct mg_limits *limits)
{
	CHECK((err == MG_OK) == (problem == MG_INPUT_OK));
	CHECK((unsigned)problem < MG_INPUT__MAX);
	bool too_large = problem == MG_INPUT_TOO_MANY_FIELDS || problem == MG_INPUT_KEY_TOO_LONG ||
			 problem == MG_INPUT_VALUE_TOO_LONG;
	CHECK(err == MG_OK || err == (too_large ? MG_ERR_TOO_LARGE : MG_ERR_INPUT));
	const char *msgid = mg_input_problem_msgid(problem);
	CHECK(msgid != NULL && msgid[0] != '\0');
	if (err != MG_OK)
		return;

	CHECK(list->n <= limits->max_fields);
	for (size_t i = 0; i < list->n; i++) {
		const struct mg_kv *kv = &list->items[i];
		CHECK(kv->key != NULL && kv->value != NULL);
		size_t key_len = strlen(kv->key);
		CHECK(key_len > 0 && key_len <= limits->max_key);
		CHECK(strlen(kv->value) == kv->value_len); /* no NUL inside the value */
		CHECK(kv->value_len <= limits->max_value);
		CHECK(mg_utf8_valid(kv->key, key_len) && reference_utf8((const unsigned char *)kv->key, key_len));
		CHECK(mg_utf8_valid(kv->value, kv->value_len) &&
		      reference_utf8((const unsigned char *)kv->value, kv->value_len));
		/* mg_kv_get finds a field at or before its own position */
		const char *first = mg_kv_get(list, kv->key);
		CHECK(first != NULL);
		size_t j = 0;
		while (list->items[j].value != first)
			j++;
		CHECK(j <= i && strcmp(list->items[j].key, kv->key) == 0);
	}
}

static void check_cookie_fields(const struct mg_kvlist *list)
{
	for (size_t i = 0; i < list->n; i++) {
		const unsigned char *v = (const unsigned char *)list->items[i].value;
		for (size_t k = 0; k < list->items[i].value_len; k++)
			CHECK(v[k] >= 0x20 && v[k] != 0x7f);
		CHECK(strpbrk(list->items[i].key, " ;=\"") == NULL);
	}
}

static void check_lang(const char *picked)
{
	CHECK(picked == mg_languages[0] || picked == mg_languages[1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct mg_limits *const limits[] = { &small_limits, &large_limits };
	struct mg_arena *arena = mg_arena_new();
	char *text = malloc(size + 1);
	struct mg_kvlist list;
	enum mg_input_problem problem;
	enum mg_err err;

	CHECK(text != NULL);
	memcpy(text, data, size);
	text[size] = '\0';

	CHECK(mg_utf8_valid((const char *)data, size) == reference_utf8(data, size));

	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		err = mg_form_parse(arena, (const char *)data, size, limits[i], &list, &problem);
		check_result(err, problem, &list, limits[i]);
		compare_form(data, size, limits[i], err, &list);

		err = mg_cookie_parse(arena, text, limits[i], &list, &problem);
		check_result(err, problem, &list, limits[i]);
		if (err == MG_OK)
			check_cookie_fields(&list);
		mg_arena_reset(arena);
	}

	check_lang(mg_lang_pick(NULL, text));
	check_lang(mg_lang_pick(text, text));
	/* the first line as the cookie, the rest as the header */
	char *newline = strchr(text, '\n');
	if (newline != NULL) {
		*newline = '\0';
		check_lang(mg_lang_pick(text, newline + 1));
	}

	free(text);
	mg_arena_free(arena);
	return 0;
}
