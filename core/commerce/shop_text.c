/*
 * The pure part of orders and payments (no database, unit-tested in tests/unit/test_shop.c):
 * order codes, yen for people, the test card provider's signatures and card numbers.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "crypto.h"
#include "order.h"
#include "payment.h"

/* ---- orders ---- */

void mg_order_code_new(char out[MG_ORDER_CODE_CHARS + 1])
{
	static const char alphabet[] = MG_ORDER_CODE_ALPHABET;
	enum { N = sizeof(alphabet) - 1, LIMIT = 256 - 256 % N }; /* no modulo bias */
	size_t o = 0;
	while (o < MG_ORDER_CODE_CHARS) {
		unsigned char raw[32];
		mg_random_bytes(raw, sizeof(raw));
		for (size_t i = 0; i < sizeof(raw) && o < MG_ORDER_CODE_CHARS; i++)
			if (raw[i] < LIMIT)
				out[o++] = alphabet[raw[i] % N];
	}
	out[o] = '\0';
}

bool mg_order_code_valid(const char *s)
{
	return s != NULL && strlen(s) == MG_ORDER_CODE_CHARS && strspn(s, MG_ORDER_CODE_ALPHABET) == MG_ORDER_CODE_CHARS;
}

const char *mg_yen(struct mg_arena *arena, unsigned long long amount)
{
	return mg_arena_printf(arena, "\xc2\xa5%s", mg_arena_thousands(arena, amount));
}

const char *mg_yen_signed(struct mg_arena *arena, long long amount)
{
	if (amount >= 0)
		return mg_yen(arena, (unsigned long long)amount);
	return mg_arena_printf(arena, "-%s", mg_yen(arena, (unsigned long long)-amount));
}

/* ---- the test card provider ---- */

void mg_test_card_key(const unsigned char master[32], char key[65])
{
	static const char label[] = "test_card-callback";
	if (mg_hmac_sha256_hex(master, 32, label, sizeof(label) - 1, key) != MG_OK)
		key[0] = '\0';
}

void mg_test_card_sign(const char key[65], const void *body, size_t len, char out[72])
{
	char hex[65];
	if (key[0] == '\0' || mg_hmac_sha256_hex((const unsigned char *)key, strlen(key), body, len, hex) != MG_OK) {
		out[0] = '\0';
		return;
	}
	snprintf(out, 72, "sha256=%s", hex);
}

bool mg_test_card_signature_ok(const char key[65], const void *body, size_t len, const char *header)
{
	char expected[72];
	mg_test_card_sign(key, body, len, expected);
	size_t n = strlen(expected);
	return n > 0 && header != NULL && strlen(header) == n && mg_ct_equal(expected, header, n);
}

int mg_test_card_outcome(const char *number)
{
	char digits[32];
	size_t n = 0;
	for (const char *c = number; c != NULL && *c != '\0'; c++) {
		if (*c == ' ' || *c == '-')
			continue;
		if (!isdigit((unsigned char)*c) || n + 1 >= sizeof(digits))
			return -1;
		digits[n++] = *c;
	}
	digits[n] = '\0';
	if (strcmp(digits, "4242424242424242") == 0)
		return 1;
	if (strcmp(digits, "4000000000000002") == 0)
		return 0;
	return -1;
}
