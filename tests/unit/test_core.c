/* Unit tests for the small core pieces: arena, buffer, log timestamps, error strings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/base/arena.h"
#include "core/base/buf.h"
#include "core/base/err.h"
#include "core/base/log.h"

static void arena_allocations_are_zeroed_and_aligned(void **state)
{
	struct mg_arena *arena = mg_arena_new();
	for (size_t size = 1; size < 5000; size += 97) {
		unsigned char *p = mg_arena_alloc(arena, size);
		assert_int_equal((uintptr_t)p % 16, 0);
		for (size_t i = 0; i < size; i++)
			assert_int_equal(p[i], 0);
		memset(p, 0xab, size);
	}
	mg_arena_free(arena);
}

static void arena_serves_blocks_larger_than_its_chunk(void **state)
{
	struct mg_arena *arena = mg_arena_new();
	char *big = mg_arena_alloc(arena, 1 << 20);
	memset(big, 'x', 1 << 20);
	char *small = mg_arena_strdup(arena, "after");
	assert_string_equal(small, "after");
	assert_int_equal(big[(1 << 20) - 1], 'x');
	mg_arena_free(arena);
}

/* One grouping of digits for every amount shown (mg_yen, the tickets pages, the sales chart). */
static void thousands_are_grouped_by_three(void **state)
{
	struct mg_arena *a = mg_arena_new();
	assert_string_equal(mg_arena_thousands(a, 0), "0");
	assert_string_equal(mg_arena_thousands(a, 999), "999");
	assert_string_equal(mg_arena_thousands(a, 1000), "1,000");
	assert_string_equal(mg_arena_thousands(a, 12500), "12,500");
	assert_string_equal(mg_arena_thousands(a, 1000000), "1,000,000");
	assert_string_equal(mg_arena_thousands(a, 4294967295u), "4,294,967,295");
	assert_string_equal(mg_arena_thousands(a, 18446744073709551615ull), "18,446,744,073,709,551,615");
	mg_arena_free(a);
}

/* One hex encoder and one digit parser for crypto.c, form.c and the export. */
static void hex_digits_both_ways(void **state)
{
	static const unsigned char bytes[] = { 0x00, 0x7f, 0x80, 0xab, 0xff };
	char text[2 * sizeof(bytes) + 1];
	mg_hex_encode(bytes, sizeof(bytes), text);
	assert_string_equal(text, "007f80abff");
	for (size_t i = 0; i < sizeof(bytes); i++)
		assert_int_equal(mg_hex_digit(text[2 * i]) * 16 + mg_hex_digit(text[2 * i + 1]), bytes[i]);
	assert_int_equal(mg_hex_digit('A'), 10);
	assert_int_equal(mg_hex_digit('f'), 15);
	assert_int_equal(mg_hex_digit('g'), -1);
	assert_int_equal(mg_hex_digit('\0'), -1);
	assert_int_equal(mg_hex_digit(-62), -1); /* a UTF-8 byte as a signed char */
}

static void arena_reset_keeps_it_usable(void **state)
{
	struct mg_arena *arena = mg_arena_new();
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 100; i++)
			mg_arena_alloc(arena, 1000);
		mg_arena_reset(arena);
	}
	assert_string_equal(mg_arena_printf(arena, "%d-%s", 42, "ok"), "42-ok");
	assert_string_equal(mg_arena_strndup(arena, "abcdef", 3), "abc");
	mg_arena_free(arena);
}

static void buf_grows_and_stays_terminated(void **state)
{
	struct mg_buf buf;
	mg_buf_init(&buf);
	for (int i = 0; i < 1000; i++)
		mg_buf_printf(&buf, "%03d,", i);
	assert_int_equal(buf.len, 4000);
	assert_int_equal(buf.data[buf.len], '\0');
	assert_memory_equal(buf.data + 3996, "999,", 4);
	mg_buf_reset(&buf);
	assert_int_equal(buf.len, 0);
	mg_buf_puts(&buf, "x");
	assert_string_equal(buf.data, "x");
	mg_buf_free(&buf);
	assert_null(buf.data);
}

static void log_timestamps_are_jst(void **state)
{
	char out[40];
	/* 2026-11-21T23:49:03.123Z is 2026-11-22 08:49:03.123 in Japan */
	struct timespec ts = { .tv_sec = 1795304943, .tv_nsec = 123456789 };
	mg_log_format_time(&ts, out, sizeof(out));
	assert_string_equal(out, "2026-11-22T08:49:03.123+09:00");
	/* the date changes at 15:00 UTC */
	struct timespec midnight = { .tv_sec = 1795273200, .tv_nsec = 0 };
	mg_log_format_time(&midnight, out, sizeof(out));
	assert_string_equal(out, "2026-11-22T00:00:00.000+09:00");
}

static void log_request_id_is_copied_and_cleared(void **state)
{
	char rid[] = "abc123";
	mg_log_set_request_id(rid);
	rid[0] = 'X';
	assert_string_equal(mg_log_request_id(), "abc123");
	mg_log_set_request_id(NULL);
	assert_string_equal(mg_log_request_id(), "");
}

static void every_error_has_a_description(void **state)
{
	for (int e = 0; e < MG_ERR__MAX; e++) {
		assert_non_null(mg_strerror(e));
		assert_string_not_equal(mg_strerror(e), "unknown error");
	}
	assert_string_equal(mg_strerror(MG_ERR__MAX), "unknown error");
	assert_string_equal(mg_strerror(MG_OK), "ok");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(arena_allocations_are_zeroed_and_aligned),
		cmocka_unit_test(arena_serves_blocks_larger_than_its_chunk),
		cmocka_unit_test(arena_reset_keeps_it_usable),
		cmocka_unit_test(thousands_are_grouped_by_three),
		cmocka_unit_test(hex_digits_both_ways),
		cmocka_unit_test(buf_grows_and_stays_terminated),
		cmocka_unit_test(log_timestamps_are_jst),
		cmocka_unit_test(log_request_id_is_copied_and_cleared),
		cmocka_unit_test(every_error_has_a_description),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
