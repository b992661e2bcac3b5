/*
 * core/ops/backup_stream.c: what a backup file must do whatever its size — open to exactly what
 * was sealed, in chunks, and refuse (with the reason) a flipped byte anywhere, a file cut
 * short or extended, a file under another name, and another key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/ops/backup_stream.h"

static const unsigned char key_a[MG_KEY_BYTES] = "0123456789abcdef0123456789abcde";
static const unsigned char key_b[MG_KEY_BYTES] = "0123456789abcdef0123456789abcdX";

/* Bytes that compress poorly (a pseudo-random stream) or well (text), of any length. */
static unsigned char *sample(size_t len, bool random_bytes)
{
	unsigned char *p = malloc(len + 1);
	uint32_t x = 2463534242u;
	for (size_t i = 0; i < len; i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		p[i] = random_bytes ? (unsigned char)x : (unsigned char)("窓口の予約 madoguchi "[i % 24]);
	}
	return p;
}

/* Seals plain into a memory file and returns its bytes (caller frees) and length. */
static unsigned char *seal(const unsigned char *key, const char *name, const unsigned char *plain, size_t len,
			   size_t *sealed_len, struct mg_backup_sum *sum)
{
	FILE *in = fmemopen((void *)plain, len > 0 ? len : 1, "rb");
	if (len == 0) {
		fclose(in);
		in = tmpfile();
	}
	FILE *out = tmpfile();
	char why[256];
	assert_int_equal(mg_backup_seal_stream(key, name, in, out, NULL, NULL, sum, why, sizeof(why)), MG_OK);
	*sealed_len = (size_t)ftell(out);
	rewind(out);
	unsigned char *sealed = malloc(*sealed_len + 1);
	assert_int_equal(fread(sealed, 1, *sealed_len, out), *sealed_len);
	fclose(in);
	fclose(out);
	return sealed;
}

/* Opens sealed bytes; returns the result and, when ok, the plain bytes in *plain. */
static enum mg_err open_bytes(const unsigned char *key, const char *name, const unsigned char *sealed, size_t len,
			      unsigned char **plain, size_t *plain_len, struct mg_backup_sum *sum, char *why,
			      size_t whylen)
{
	FILE *in = tmpfile();
	fwrite(sealed, 1, len, in);
	rewind(in);
	FILE *out = tmpfile();
	enum mg_err err = mg_backup_open_stream(key, name, in, out, NULL, NULL, sum, why, whylen);
	if (plain != NULL) {
		*plain_len = (size_t)ftell(out);
		rewind(out);
		*plain = malloc(*plain_len + 1);
		assert_int_equal(fread(*plain, 1, *plain_len, out), *plain_len);
	}
	fclose(in);
	fclose(out);
	return err;
}

static void round_trip_at_every_size(void **state)
{
	const size_t sizes[] = { 0, 1, 65535, 65536, MG_BACKUP_CHUNK - 1, MG_BACKUP_CHUNK, MG_BACKUP_CHUNK + 1,
				 3 * MG_BACKUP_CHUNK + 7 };
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (int random_bytes = 0; random_bytes <= 1; random_bytes++) {
			unsigned char *plain = sample(sizes[i], random_bytes), *back = NULL;
			struct mg_backup_sum sealed_sum, opened_sum;
			size_t sealed_len, back_len;
			unsigned char *sealed = seal(key_a, "data/ibdata1", plain, sizes[i], &sealed_len, &sealed_sum);
			char why[256];
			assert_int_equal(open_bytes(key_a, "data/ibdata1", sealed, sealed_len, &back, &back_len, &opened_sum,
						    why, sizeof(why)),
					 MG_OK);
			assert_int_equal(back_len, sizes[i]);
			assert_memory_equal(back, plain, sizes[i] > 0 ? sizes[i] : 0);
			/* both sides count the same bytes and hash the same sealed bytes */
			assert_int_equal(sealed_sum.plain_bytes, sizes[i]);
			assert_int_equal(opened_sum.plain_bytes, sizes[i]);
			assert_int_equal(sealed_sum.sealed_bytes, sealed_len);
			assert_string_equal(sealed_sum.sha256, opened_sum.sha256);
			assert_int_equal(strlen(sealed_sum.sha256), 64);
			if (!random_bytes && sizes[i] > 65536)
				assert_true(sealed_len < sizes[i] / 4); /* text compresses */
			free(plain);
			free(back);
			free(sealed);
		}
	}
}

static void two_seals_of_the_same_file_differ(void **state)
{
	unsigned char *plain = sample(1000, false);
	struct mg_backup_sum a, b;
	size_t la, lb;
	unsigned char *x = seal(key_a, "f", plain, 1000, &la, &a), *y = seal(key_a, "f", plain, 1000, &lb, &b);
	assert_int_equal(la, lb);
	assert_memory_not_equal(x, y, la); /* a fresh nonce prefix per file */
	free(plain);
	free(x);
	free(y);
}

static void every_flipped_byte_is_refused(void **state)
{
	/* three records: every byte of the header, record heads, bodies and tags is tried */
	size_t len = 2 * MG_BACKUP_CHUNK + 100;
	unsigned char *plain = sample(len, true);
	struct mg_backup_sum sum;
	size_t sealed_len;
	unsigned char *sealed = seal(key_a, "data/madoguchi/tenant.ibd", plain, len, &sealed_len, &sum);
	size_t positions[] = { 0, 5, 8, 15, 16, 19, 20, 21, 1000, MG_BACKUP_CHUNK, 16 + 5 + MG_BACKUP_CHUNK + 15,
			       16 + 5 + MG_BACKUP_CHUNK + 16, sealed_len - 17, sealed_len - 1 };
	for (size_t i = 0; i < sizeof(positions) / sizeof(positions[0]); i++) {
		sealed[positions[i]] ^= 0x01;
		char why[256] = "";
		enum mg_err err = open_bytes(key_a, "data/madoguchi/tenant.ibd", sealed, sealed_len, NULL, NULL, &sum, why,
					     sizeof(why));
		assert_int_equal(err, MG_ERR_INPUT);
		assert_true(strlen(why) > 10);
		sealed[positions[i]] ^= 0x01;
	}
	char why[256];
	assert_int_equal(open_bytes(key_a, "data/madoguchi/tenant.ibd", sealed, sealed_len, NULL, NULL, &sum, why,
				    sizeof(why)),
			 MG_OK);
	free(plain);
	free(sealed);
}

static void truncation_extension_renaming_and_another_key_are_refused(void **state)
{
	size_t len = MG_BACKUP_CHUNK + 5000;
	unsigned char *plain = sample(len, true);
	struct mg_backup_sum sum;
	size_t sealed_len;
	unsigned char *sealed = seal(key_a, "data/a.ibd", plain, len, &sealed_len, &sum);
	char why[256];

	/* cut at a record boundary (after the first record): no final record */
	size_t first_record = 16 + 5 + MG_BACKUP_CHUNK + 16;
	assert_int_equal(open_bytes(key_a, "data/a.ibd", sealed, first_record, NULL, NULL, &sum, why, sizeof(why)),
			 MG_ERR_INPUT);
	assert_non_null(strstr(why, "truncated"));
	/* cut inside a record, and to nothing */
	assert_int_equal(open_bytes(key_a, "data/a.ibd", sealed, sealed_len - 1, NULL, NULL, &sum, why, sizeof(why)),
			 MG_ERR_INPUT);
	assert_non_null(strstr(why, "truncated"));
	assert_int_equal(open_bytes(key_a, "data/a.ibd", sealed, 0, NULL, NULL, &sum, why, sizeof(why)), MG_ERR_INPUT);
	assert_non_null(strstr(why, "header"));
	/* a byte more after the last record */
	unsigned char *longer = malloc(sealed_len + 1);
	memcpy(longer, sealed, sealed_len);
	longer[sealed_len] = 0;
	assert_int_equal(open_bytes(key_a, "data/a.ibd", longer, sealed_len + 1, NULL, NULL, &sum, why, sizeof(why)),
			 MG_ERR_INPUT);
	assert_non_null(strstr(why, "after the last chunk"));
	/* the same bytes under another name, or another key */
	assert_int_equal(open_bytes(key_a, "data/b.ibd", sealed, sealed_len, NULL, NULL, &sum, why, sizeof(why)),
			 MG_ERR_INPUT);
	assert_non_null(strstr(why, "does not authenticate"));
	assert_int_equal(open_bytes(key_b, "data/a.ibd", sealed, sealed_len, NULL, NULL, &sum, why, sizeof(why)),
			 MG_ERR_INPUT);
	/* the second record dropped (the first made to look final is refused by its tag) */
	memcpy(longer, sealed, first_record);
	longer[16 + 4] = 1;
	assert_int_equal(open_bytes(key_a, "data/a.ibd", longer, first_record, NULL, NULL, &sum, why, sizeof(why)),
			 MG_ERR_INPUT);
	free(longer);
	free(plain);
	free(sealed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip_at_every_size),
		cmocka_unit_test(two_seals_of_the_same_file_differ),
		cmocka_unit_test(every_flipped_byte_is_refused),
		cmocka_unit_test(truncation_extension_renaming_and_another_key_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
