/* Unit tests for the pure part of orders and payments (core/commerce/shop_text.c): order codes, yen
 * for people (times: tests/unit/test_tz.c), the test card provider's callback signatures and card numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/base/arena.h"
#include "core/commerce/order.h"
#include "core/commerce/payment.h"

static void order_codes_use_the_unambiguous_alphabet_and_differ(void **state)
{
	(void)state;
	char a[MG_ORDER_CODE_CHARS + 1], b[MG_ORDER_CODE_CHARS + 1];
	mg_order_code_new(a);
	mg_order_code_new(b);
	assert_int_equal(strlen(a), 12);
	assert_true(mg_order_code_valid(a));
	assert_string_not_equal(a, b);
	for (int i = 0; i < 200; i++) {
		mg_order_code_new(a);
		assert_null(strpbrk(a, "01OIL"));
		assert_true(mg_order_code_valid(a));
	}
	assert_false(mg_order_code_valid("ABCDEFGHJKM"));    /* 11 */
	assert_false(mg_order_code_valid("ABCDEFGHJKMO"));   /* O */
	assert_false(mg_order_code_valid("abcdefghjkmn"));   /* lower case */
	assert_false(mg_order_code_valid("ABCDEFGHJKMN2"));  /* 13 */
	assert_false(mg_order_code_valid(NULL));
}

static void yen_reads_as_people_expect(void **state)
{
	(void)state;
	struct mg_arena *arena = mg_arena_new();
	assert_string_equal(mg_yen(arena, 0), "\xc2\xa5" "0");
	assert_string_equal(mg_yen(arena, 999), "\xc2\xa5" "999");
	assert_string_equal(mg_yen(arena, 1000), "\xc2\xa5" "1,000");
	assert_string_equal(mg_yen(arena, 1234567), "\xc2\xa5" "1,234,567");
	mg_arena_free(arena);
}

static void callback_signatures_verify_only_unchanged_bodies(void **state)
{
	(void)state;
	unsigned char master[32];
	memset(master, 7, sizeof(master));
	char key[65], other[65], sig[72];
	mg_test_card_key(master, key);
	assert_int_equal(strlen(key), 64);
	master[0] ^= 1;
	mg_test_card_key(master, other);
	assert_string_not_equal(key, other);
	const char body[] = "{\"session\":\"s\",\"order\":\"ABCDEFGHJKMN\",\"result\":\"succeeded\",\"amount\":5000}";
	mg_test_card_sign(key, body, strlen(body), sig);
	assert_int_equal(strncmp(sig, "sha256=", 7), 0);
	assert_int_equal(strlen(sig), 71);
	assert_true(mg_test_card_signature_ok(key, body, strlen(body), sig));
	assert_false(mg_test_card_signature_ok(other, body, strlen(body), sig));
	assert_false(mg_test_card_signature_ok(key, body, strlen(body) - 1, sig));
	assert_false(mg_test_card_signature_ok(key, body, strlen(body), NULL));
	assert_false(mg_test_card_signature_ok(key, body, strlen(body), ""));
	sig[20] = sig[20] == 'a' ? 'b' : 'a';
	assert_false(mg_test_card_signature_ok(key, body, strlen(body), sig));
}

static void the_test_card_numbers_pay_or_decline(void **state)
{
	(void)state;
	assert_int_equal(mg_test_card_outcome("4242424242424242"), 1);
	assert_int_equal(mg_test_card_outcome("4242 4242 4242 4242"), 1);
	assert_int_equal(mg_test_card_outcome("4000-0000-0000-0002"), 0);
	assert_int_equal(mg_test_card_outcome("4000 0000 0000 0003"), -1);
	assert_int_equal(mg_test_card_outcome("4242x"), -1);
	assert_int_equal(mg_test_card_outcome(""), -1);
	assert_int_equal(mg_test_card_outcome(NULL), -1);
	assert_int_equal(mg_test_card_outcome("42424242424242424242424242424242424242"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(order_codes_use_the_unambiguous_alphabet_and_differ),
		cmocka_unit_test(yen_reads_as_people_expect),
		cmocka_unit_test(callback_signatures_verify_only_unchanged_bodies),
		cmocka_unit_test(the_test_card_numbers_pay_or_decline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
