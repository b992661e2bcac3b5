/*
 * libFuzzer harness for core/base/input.c; run it with scripts/fuzz.
 *
 * mg_parse_id is compared with a slow reference written from its rule (ASCII digits, no
 * leading zero, 1 to 2^63-1); NFKC must be idempotent and keep its output valid UTF-8 without
 * NUL; an amount that comes back changed holds only digits; mg_text_ascii gives ASCII only.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "form.h"
#include "input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)              \
	do {                     \
		if (!(cond))     \
			abort(); \
	} while (0)

static bool reference_id(const char *s, uint64_t *out)
{
	static const char max[] = "9223372036854775807";
	size_t len = strlen(s);
	*out = 0;
	if (len == 0 || len > 19 || s[0] == '0')
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	if (len == 19 && strcmp(s, max) > 0)
		return false;
	for (size_t i = 0; i < len; i++)
		*out = *out * 10 + (uint64_t)(s[i] - '0');
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct mg_arena *arena = mg_arena_new();

	uint64_t id = 1, ref = 0;
	bool ok = mg_parse_id(text, &id) == MG_OK;
	CHECK(ok == reference_id(text, &ref));
	CHECK(id == (ok ? ref : 0));

	const char *normal = NULL, *again = NULL, *amount = NULL;
	if (mg_text_nfkc(arena, text, &normal) == MG_OK) {
		CHECK(mg_utf8_valid(text, strlen(text)));
		CHECK(mg_utf8_valid(normal, strlen(normal)));
		CHECK(mg_text_nfkc(arena, normal, &again) == MG_OK && strcmp(normal, again) == 0);
		CHECK(mg_text_amount(arena, text, &amount) == MG_OK);
		if (strcmp(amount, normal) != 0)
			CHECK(amount[0] != '\0' && strspn(amount, "0123456789") == strlen(amount));
	} else {
		CHECK(strlen(text) != size || !mg_utf8_valid(text, size));
	}
	char ascii[64];
	if (mg_text_ascii(text, ascii, sizeof(ascii)))
		for (const char *c = ascii; *c != '\0'; c++)
			CHECK((unsigned char)*c < 0x80);

	mg_arena_free(arena);
	free(text);
	return 0;
}
