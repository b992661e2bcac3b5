/*
 * core/base/crypto.c: published vectors where they exist (RFC 4648 base32, RFC 6238 TOTP,
 * RFC 7914 scrypt, FIPS 180 SHA-256, RFC 4231 HMAC), and for the rest the properties the
 * security core relies on: a changed byte, key, aad or context never decrypts, a code is
 * never accepted twice, a loose key file is refused, malformed stored text is an error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <qrencode.h>

#include "core/base/arena.h"
#include "core/base/buf.h"
#include "core/base/crypto.h"

/* Cheap scrypt cost for the tests that do not check the default itself. */
enum { TEST_LN = 4 };

static const unsigned char key_a[MG_KEY_BYTES] = "0123456789abcdef0123456789abcde";
static const unsigned char key_b[MG_KEY_BYTES] = "0123456789abcdef0123456789abcdX";

/* --- encodings, hashes, tokens --- */

static void base32_rfc4648_vectors(void **state)
{
	static const char *const vectors[][2] = {
		{ "", "" },         { "f", "MY" },           { "fo", "MZXQ" },          { "foo", "MZXW6" },
		{ "foob", "MZXW6YQ" }, { "fooba", "MZXW6YTB" }, { "foobar", "MZXW6YTBOI" },
	};
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		char text[32];
		unsigned char bytes[16];
		size_t len = 99;
		assert_int_equal(mg_base32_encode(vectors[i][0], strlen(vectors[i][0]), text, sizeof(text)), MG_OK);
		assert_string_equal(text, vectors[i][1]);
		assert_int_equal(mg_base32_decode(vectors[i][1], bytes, sizeof(bytes), &len), MG_OK);
		assert_int_equal(len, strlen(vectors[i][0]));
		assert_memory_equal(bytes, vectors[i][0], len);
	}

	unsigned char bytes[16];
	size_t len;
	/* the padded spelling of RFC 4648 and lower case are read too */
	assert_int_equal(mg_base32_decode("MZXW6YTBOI======", bytes, sizeof(bytes), &len), MG_OK);
	assert_int_equal(len, 6);
	assert_memory_equal(bytes, "foobar", 6);
	assert_int_equal(mg_base32_decode("mzxw6ytboi", bytes, sizeof(bytes), &len), MG_OK);
	assert_memory_equal(bytes, "foobar", 6);
	/* refused: characters outside the alphabet, impossible lengths, wrong padding,
	 * stray low bits, and a result that does not fit */
	assert_int_equal(mg_base32_decode("MZXW1YTB", bytes, sizeof(bytes), &len), MG_ERR_INPUT);
	assert_int_equal(mg_base32_decode("MZX W6YTB", bytes, sizeof(bytes), &len), MG_ERR_INPUT);
	assert_int_equal(mg_base32_decode("M", bytes, sizeof(bytes), &len), MG_ERR_INPUT);
	assert_int_equal(mg_base32_decode("MZX", bytes, sizeof(bytes), &len), MG_ERR_INPUT);
	assert_int_equal(mg_base32_decode("MZXW6Y", bytes, sizeof(bytes), &len), MG_ERR_INPUT);
	assert_int_equal(mg_base32_decode("MZXW6YTBOI=", bytes, sizeof(bytes), &len), MG_ERR_INPUT);
	assert_int_equal(mg_base32_decode("MZXW6YTB========", bytes, sizeof(bytes), &len), MG_ERR_INPUT);
	assert_int_equal(mg_base32_decode("MZ=XW6YT", bytes, sizeof(bytes), &len), MG_ERR_INPUT);
	assert_int_equal(mg_base32_decode("MZ", bytes, sizeof(bytes), &len), MG_ERR_INPUT); /* "f" is "MY" */
	assert_int_equal(mg_base32_decode("MZXW6YTBOI", bytes, 5, &len), MG_ERR_TOO_LARGE);

	char text[10];
	assert_int_equal(mg_base32_encode("foobar", 6, text, sizeof(text)), MG_ERR_TOO_LARGE);
	assert_string_equal(text, "");
	assert_int_equal(mg_base32_encode("foobar", 6, text, 0), MG_ERR_TOO_LARGE);
}

static void sha256_and_hmac_vectors(void **state)
{
	char hex[65];
	mg_sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	mg_sha256_hex("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

	/* RFC 4231 test case 2 */
	static const char data[] = "what do ya want for nothing?";
	assert_int_equal(mg_hmac_sha256_hex((const unsigned char *)"Jefe", 4, data, strlen(data), hex), MG_OK);
	assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	/* an empty key is still a key (RFC 2104 pads it), not an error */
	assert_int_equal(mg_hmac_sha256_hex(NULL, 0, "", 0, hex), MG_OK);
	assert_string_equal(hex, "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");

	assert_true(mg_ct_equal("abcdef", "abcdef", 6));
	assert_false(mg_ct_equal("abcdef", "abcdeg", 6));
	assert_true(mg_ct_equal("a", "b", 0));
}

static void tokens_are_43_urlsafe_characters_and_differ(void **state)
{
	char a[MG_TOKEN_CHARS + 1], b[MG_TOKEN_CHARS + 1];
	mg_token_new(a);
	mg_token_new(b);
	assert_int_equal(strlen(a), 43);
	assert_int_equal(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), 43);
	assert_string_not_equal(a, b);

	unsigned char zero[64] = { 0 }, bytes[64] = { 0 };
	mg_random_bytes(bytes, sizeof(bytes));
	assert_memory_not_equal(bytes, zero, sizeof(bytes));
}

/* --- passwords --- */

static void scrypt_rfc7914_vector_through_verify(void **state)
{
	/* RFC 7914 section 12, third vector: P = "password", S = "NaCl", N = 1024, r = 8,
	 * p = 16, dkLen = 64, written in the stored format so the same KDF call checks it */
	static const char stored[] = "$scrypt$ln=10,r=8,p=16$TmFDbA$"
				     "/bq+HJ00cgB4VucZDQHp/nxq18vII3gw53N2Y0s3MWIurzDZLiKjiG/xCSedmDDaxyevuUqD7m2DYMvfoswGQA";
	bool ok = false, rehash = false;
	mg_password_set_cost(15);
	assert_int_equal(mg_password_verify("password", stored, &ok, &rehash), MG_OK);
	assert_true(ok);
	assert_true(rehash); /* ln 10 and a 4-byte salt are below today's default */
	assert_int_equal(mg_password_verify("Password", stored, &ok, &rehash), MG_OK);
	assert_false(ok);
}

static void password_hash_default_format_and_round_trip(void **state)
{
	char stored[MG_PASSWORD_HASH_MAX], other[MG_PASSWORD_HASH_MAX];
	bool ok = false, rehash = true;
	mg_password_set_cost(15);
	assert_int_equal(mg_password_hash("correct horse battery", stored, sizeof(stored)), MG_OK);
	assert_int_equal(strncmp(stored, "$scrypt$ln=15,r=8,p=1$", 22), 0);
	/* 16-byte salt and 32-byte hash in unpadded base64: 22 and 43 characters */
	const char *salt = stored + 22, *dollar = strchr(salt, '$');
	assert_non_null(dollar);
	assert_int_equal(dollar - salt, 22);
	assert_int_equal(strlen(dollar + 1), 43);
	assert_int_equal(mg_password_verify("correct horse battery", stored, &ok, &rehash), MG_OK);
	assert_true(ok);
	assert_false(rehash);

	/* the same password hashes differently (salt) */
	assert_int_equal(mg_password_hash("correct horse battery", other, sizeof(other)), MG_OK);
	assert_string_not_equal(stored, other);
	/* an output buffer that is too small is the caller's bug, said as such */
	assert_int_equal(mg_password_hash("x", other, 40), MG_ERR_INTERNAL);
}

static void password_wrong_and_tampered(void **state)
{
	char stored[MG_PASSWORD_HASH_MAX];
	bool ok = true, rehash = true;
	mg_password_set_cost(TEST_LN);
	assert_int_equal(mg_password_hash("パスワード1234", stored, sizeof(stored)), MG_OK);
	assert_int_equal(mg_password_verify("パスワード1234", stored, &ok, &rehash), MG_OK);
	assert_true(ok);
	assert_int_equal(mg_password_verify("パスワード1235", stored, &ok, &rehash), MG_OK);
	assert_false(ok);
	assert_int_equal(mg_password_verify("", stored, &ok, &rehash), MG_OK);
	assert_false(ok);

	/* every character of the hash part changed in turn: never a match */
	size_t hash_at = strrchr(stored, '$') - stored + 1;
	for (size_t i = hash_at; stored[i] != '\0'; i++) {
		char tampered[MG_PASSWORD_HASH_MAX];
		memcpy(tampered, stored, sizeof(stored));
		tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
		enum mg_err err = mg_password_verify("パスワード1234", tampered, &ok, &rehash);
		assert_true(err == MG_OK || err == MG_ERR_INPUT); /* the last one can become non-canonical */
		assert_false(ok);
	}
	/* a changed salt gives a different hash */
	char tampered[MG_PASSWORD_HASH_MAX];
	memcpy(tampered, stored, sizeof(stored));
	size_t salt_at = strchr(stored + 8, '$') - stored + 1;
	tampered[salt_at] = tampered[salt_at] == 'A' ? 'B' : 'A';
	assert_int_equal(mg_password_verify("パスワード1234", tampered, &ok, &rehash), MG_OK);
	assert_false(ok);
}

static void password_malformed_stored_strings(void **state)
{
	static const char *const bad[] = {
		"",
		"$scrypt$",
		"plaintext",
		"$2y$10$abcdefghijklmnopqrstuv",
		"$scrypt$ln=4,r=8,p=1$",
		"$scrypt$ln=4,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA",
		"$scrypt$ln=4,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$",
		"$scrypt$ln=4,r=8,p=1$$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"$scrypt$ln=0,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"$scrypt$ln=4,r=0,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"$scrypt$ln=4,r=8,p=0$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"$scrypt$ln=04,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"$scrypt$ln=-4,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"$scrypt$ln=4,r=8,p=1,x=2$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"$scrypt$ln=4,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA$",
		"$scrypt$ln=4,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"$scrypt$ln=4,r=8,p=1$AAAAAAAAAAAAAAAAAAAAA*$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"$scrypt$ln=4,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAB$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", /* stray bits */
		"$scrypt$ln=4,r=8,p=1$AAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",       /* 5 chars */
		"$scrypt$ln=4,r=8,p=1$AAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",        /* 3-byte salt */
		"$scrypt$ln=4,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAA",             /* 15-byte hash */
		"$scrypt$ln=16,r=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", /* N >= 2^16r */
		/* far more expensive than the default: refused rather than computed */
		"$scrypt$ln=30,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"$scrypt$ln=4,r=9999,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"$scrypt$ln=4,r=8,p=9999$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"$scrypt$ln=4,r=8,p=99999999$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	};
	mg_password_set_cost(TEST_LN);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		bool ok = true, rehash = true;
		if (mg_password_verify("x", bad[i], &ok, &rehash) != MG_ERR_INPUT)
			fail_msg("accepted stored string %zu: %s", i, bad[i]);
		assert_false(ok);
		assert_false(rehash);
	}
	bool ok = true, rehash = true;
	assert_int_equal(mg_password_verify("x", NULL, &ok, &rehash), MG_ERR_INPUT);
	assert_false(ok);
	/* the well-formed version of the strings above parses (and does not match) */
	assert_int_equal(mg_password_verify(
				 "x", "$scrypt$ln=4,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
				 &ok, &rehash),
			 MG_OK);
	assert_false(ok);
}

static void password_needs_rehash_below_default(void **state)
{
	char stored[MG_PASSWORD_HASH_MAX];
	bool ok = false, rehash = true;
	mg_password_set_cost(TEST_LN);
	assert_int_equal(mg_password_hash("s3cret-enough", stored, sizeof(stored)), MG_OK);
	assert_int_equal(mg_password_verify("s3cret-enough", stored, &ok, &rehash), MG_OK);
	assert_true(ok);
	assert_false(rehash);

	/* the default is raised: the old hash still verifies and asks to be replaced */
	mg_password_set_cost(TEST_LN + 1);
	assert_int_equal(mg_password_verify("s3cret-enough", stored, &ok, &rehash), MG_OK);
	assert_true(ok);
	assert_true(rehash);

	/* r below the default also counts */
	mg_password_set_cost(TEST_LN);
	static const char r4[] = "$scrypt$ln=4,r=4,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
	assert_int_equal(mg_password_verify("x", r4, &ok, &rehash), MG_OK);
	assert_true(rehash);

	/* out-of-range costs are refused and the default kept */
	mg_password_set_cost(0);
	mg_password_set_cost(99);
	assert_int_equal(mg_password_hash("s3cret-enough", stored, sizeof(stored)), MG_OK);
	assert_int_equal(strncmp(stored, "$scrypt$ln=4,", 13), 0);
}

/* --- AES-256-GCM --- */

static void seal_round_trip(void **state)
{
	static const char email[] = "yamada.taro@example.jp";
	struct mg_buf sealed, plain;
	mg_buf_init(&sealed);
	mg_buf_init(&plain);

	assert_int_equal(mg_seal(key_a, "person.email:tenant=42", email, strlen(email), &sealed), MG_OK);
	assert_int_equal(sealed.len, strlen(email) + MG_SEAL_OVERHEAD);
	assert_int_equal((unsigned char)sealed.data[0], 1);
	assert_null(memmem(sealed.data, sealed.len, "example", 7));
	assert_int_equal(mg_unseal(key_a, "person.email:tenant=42", sealed.data, sealed.len, &plain), MG_OK);
	assert_int_equal(plain.len, strlen(email));
	assert_string_equal(plain.data, email);

	/* the same plaintext seals differently every time (random nonce) */
	struct mg_buf again;
	mg_buf_init(&again);
	assert_int_equal(mg_seal(key_a, "person.email:tenant=42", email, strlen(email), &again), MG_OK);
	assert_memory_not_equal(again.data, sealed.data, sealed.len);

	/* empty plaintext and binary plaintext with NUL bytes */
	assert_int_equal(mg_seal(key_a, "person.phone:tenant=42", "", 0, &again), MG_OK);
	assert_int_equal(again.len, MG_SEAL_OVERHEAD);
	assert_int_equal(mg_unseal(key_a, "person.phone:tenant=42", again.data, again.len, &plain), MG_OK);
	assert_int_equal(plain.len, 0);
	static const unsigned char binary[] = { 0, 1, 2, 0, 255 };
	assert_int_equal(mg_seal(key_a, "blob", binary, sizeof(binary), &again), MG_OK);
	assert_int_equal(mg_unseal(key_a, "blob", again.data, again.len, &plain), MG_OK);
	assert_int_equal(plain.len, sizeof(binary));
	assert_memory_equal(plain.data, binary, sizeof(binary));

	mg_buf_free(&sealed);
	mg_buf_free(&plain);
	mg_buf_free(&again);
}

static void seal_refuses_any_change(void **state)
{
	static const char name[] = "山田 太郎";
	struct mg_buf sealed, plain;
	mg_buf_init(&sealed);
	mg_buf_init(&plain);
	assert_int_equal(mg_seal(key_a, "person.name:tenant=42", name, strlen(name), &sealed), MG_OK);

	/* every single bit flipped in turn, the version byte included */
	for (size_t i = 0; i < sealed.len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			sealed.data[i] ^= (char)(1 << bit);
			assert_int_equal(mg_unseal(key_a, "person.name:tenant=42", sealed.data, sealed.len, &plain),
					 MG_ERR_INPUT);
			assert_int_equal(plain.len, 0);
			sealed.data[i] ^= (char)(1 << bit);
		}
	}
	/* another column, another tenant, another key, cut short, extended */
	assert_int_equal(mg_unseal(key_a, "person.email:tenant=42", sealed.data, sealed.len, &plain), MG_ERR_INPUT);
	assert_int_equal(mg_unseal(key_a, "person.name:tenant=43", sealed.data, sealed.len, &plain), MG_ERR_INPUT);
	assert_int_equal(mg_unseal(key_a, "", sealed.data, sealed.len, &plain), MG_ERR_INPUT);
	assert_int_equal(mg_unseal(key_b, "person.name:tenant=42", sealed.data, sealed.len, &plain), MG_ERR_INPUT);
	assert_int_equal(mg_unseal(key_a, "person.name:tenant=42", sealed.data, sealed.len - 1, &plain),
			 MG_ERR_INPUT);
	assert_int_equal(mg_unseal(key_a, "person.name:tenant=42", sealed.data, MG_SEAL_OVERHEAD - 1, &plain),
			 MG_ERR_INPUT);
	assert_int_equal(mg_unseal(key_a, "person.name:tenant=42", "", 0, &plain), MG_ERR_INPUT);
	mg_buf_append(&sealed, "x", 1);
	assert_int_equal(mg_unseal(key_a, "person.name:tenant=42", sealed.data, sealed.len, &plain), MG_ERR_INPUT);
	assert_int_equal(plain.len, 0);

	mg_buf_free(&sealed);
	mg_buf_free(&plain);
}

static void key_wrap_is_bound_to_its_context(void **state)
{
	unsigned char tenant_key[MG_KEY_BYTES], back[MG_KEY_BYTES];
	struct mg_buf wrapped;
	mg_buf_init(&wrapped);
	mg_random_bytes(tenant_key, sizeof(tenant_key));

	assert_int_equal(mg_key_wrap(key_a, tenant_key, "tenant:42", &wrapped), MG_OK);
	assert_int_equal(wrapped.len, 1 + 12 + MG_KEY_BYTES + 16);
	assert_int_equal((unsigned char)wrapped.data[0], 1);
	assert_int_equal(mg_key_unwrap(key_a, wrapped.data, wrapped.len, "tenant:42", back), MG_OK);
	assert_memory_equal(back, tenant_key, MG_KEY_BYTES);

	static const unsigned char zero[MG_KEY_BYTES];
	assert_int_equal(mg_key_unwrap(key_a, wrapped.data, wrapped.len, "tenant:43", back), MG_ERR_INPUT);
	assert_memory_equal(back, zero, MG_KEY_BYTES);
	assert_int_equal(mg_key_unwrap(key_a, wrapped.data, wrapped.len, "tenant:4", back), MG_ERR_INPUT);
	assert_int_equal(mg_key_unwrap(key_b, wrapped.data, wrapped.len, "tenant:42", back), MG_ERR_INPUT);
	assert_int_equal(mg_key_unwrap(key_a, wrapped.data, wrapped.len - 1, "tenant:42", back), MG_ERR_INPUT);
	wrapped.data[20] ^= 1;
	assert_int_equal(mg_key_unwrap(key_a, wrapped.data, wrapped.len, "tenant:42", back), MG_ERR_INPUT);
	assert_memory_equal(back, zero, MG_KEY_BYTES);

	/* a sealed value of the right length is still not a key under another context */
	assert_int_equal(mg_seal(key_a, "person.email:tenant=42", tenant_key, MG_KEY_BYTES, &wrapped), MG_OK);
	assert_int_equal(mg_key_unwrap(key_a, wrapped.data, wrapped.len, "tenant:42", back), MG_ERR_INPUT);
	mg_buf_free(&wrapped);
}

/* --- the master key file --- */

struct key_dir {
	char dir[64];
	char path[128];
};

static int key_dir_setup(void **state)
{
	struct key_dir *k = calloc(1, sizeof(*k));
	if (k == NULL)
		return -1;
	snprintf(k->dir, sizeof(k->dir), "/tmp/mg-crypto-XXXXXX");
	if (mkdtemp(k->dir) == NULL)
		return -1;
	snprintf(k->path, sizeof(k->path), "%s/master.key", k->dir);
	*state = k;
	return 0;
}

static int key_dir_teardown(void **state)
{
	struct key_dir *k = *state;
	unlink(k->path);
	rmdir(k->dir);
	free(k);
	return 0;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	unlink(path);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static void master_key_create_and_load(void **state)
{
	struct key_dir *k = *state;
	char err[256];
	unsigned char key[MG_KEY_BYTES], again[MG_KEY_BYTES];
	/* a umask that would leave the owner unable to read it: the mode is still 0600 */
	mode_t old_umask = umask(0277);

	assert_int_equal(mg_master_key_create(k->path, err, sizeof(err)), MG_OK);
	umask(old_umask);
	struct stat st;
	assert_int_equal(stat(k->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, 65);
	assert_int_equal(mg_master_key_load(k->path, key, err, sizeof(err)), MG_OK);
	assert_int_equal(mg_master_key_load(k->path, again, err, sizeof(err)), MG_OK);
	assert_memory_equal(key, again, MG_KEY_BYTES);

	/* never replaces an existing key */
	assert_int_equal(mg_master_key_create(k->path, err, sizeof(err)), MG_ERR_CONFLICT);
	assert_non_null(strstr(err, k->path));
	assert_int_equal(mg_master_key_load(k->path, again, err, sizeof(err)), MG_OK);
	assert_memory_equal(key, again, MG_KEY_BYTES);
}

static void master_key_refuses_loose_or_bad_files(void **state)
{
	struct key_dir *k = *state;
	static const char hex[] = "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF";
	static const unsigned char zero[MG_KEY_BYTES];
	char err[256];
	unsigned char key[MG_KEY_BYTES];

	/* whitespace around the digits is fine; mixed case too */
	char text[128];
	snprintf(text, sizeof(text), "  \n%s\r\n\n", hex);
	write_file(k->path, text, 0600);
	assert_int_equal(mg_master_key_load(k->path, key, err, sizeof(err)), MG_OK);
	assert_int_equal(key[0], 0x00);
	assert_int_equal(key[1], 0x11);
	assert_int_equal(key[31], 0xff);
	/* read-only for the owner is fine too */
	assert_int_equal(chmod(k->path, 0400), 0);
	assert_int_equal(mg_master_key_load(k->path, key, err, sizeof(err)), MG_OK);

	/* group or others may read: refused, naming the path and the mode */
	assert_int_equal(chmod(k->path, 0644), 0);
	assert_int_equal(mg_master_key_load(k->path, key, err, sizeof(err)), MG_ERR_CONFIG);
	assert_non_null(strstr(err, k->path));
	assert_non_null(strstr(err, "0644"));
	assert_memory_equal(key, zero, MG_KEY_BYTES);
	assert_int_equal(chmod(k->path, 0620), 0);
	assert_int_equal(mg_master_key_load(k->path, key, err, sizeof(err)), MG_ERR_CONFIG);
	assert_int_equal(chmod(k->path, 0601), 0);
	assert_int_equal(mg_master_key_load(k->path, key, err, sizeof(err)), MG_ERR_CONFIG);

	static const char *const bad[] = {
		"",
		"00112233",
		"00112233445566778899aabbccddeeff00112233445566778899aabbccddeef",   /* 63 */
		"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff0", /* 65 */
		"00112233445566778899aabbccddeeff00112233445566778899aabbccddeefg",
		"00112233445566778899aabbccddeeff 0112233445566778899aabbccddeeff",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file(k->path, bad[i], 0600);
		assert_int_equal(mg_master_key_load(k->path, key, err, sizeof(err)), MG_ERR_CONFIG);
		assert_non_null(strstr(err, k->path));
		assert_memory_equal(key, zero, MG_KEY_BYTES);
	}
	char big[1024];
	memset(big, ' ', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big + 100, hex, 64);
	write_file(k->path, big, 0600);
	assert_int_equal(mg_master_key_load(k->path, key, err, sizeof(err)), MG_ERR_CONFIG);

	unlink(k->path);
	assert_int_equal(mg_master_key_load(k->path, key, err, sizeof(err)), MG_ERR_NOT_FOUND);
	assert_non_null(strstr(err, k->path));
	assert_int_equal(mg_master_key_load(k->dir, key, err, sizeof(err)), MG_ERR_CONFIG); /* a directory */
}

/* --- TOTP --- */

static const char rfc6238_secret[] = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

static void totp_rfc6238_vectors(void **state)
{
	/* RFC 6238 appendix B, SHA-1, the last six of the eight digits */
	static const struct {
		long long t;
		const char *code;
	} vectors[] = {
		{ 59, "287082" },         { 1111111109, "081804" }, { 1111111111, "050471" },
		{ 1234567890, "005924" }, { 2000000000, "279037" }, { 20000000000, "353130" },
	};
	char b32[40];
	assert_int_equal(mg_base32_encode("12345678901234567890", 20, b32, sizeof(b32)), MG_OK);
	assert_string_equal(b32, rfc6238_secret);
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		char code[7];
		assert_int_equal(mg_totp_code(rfc6238_secret, vectors[i].t / 30, code), MG_OK);
		assert_string_equal(code, vectors[i].code);
		long long step = -1;
		assert_true(mg_totp_verify(rfc6238_secret, vectors[i].code, (time_t)vectors[i].t, 0, -1, &step));
		assert_int_equal(step, vectors[i].t / 30);
	}
	char code[7];
	assert_int_equal(mg_totp_code("gezdgnbvgy3tqojqgezdgnbvgy3tqojq", 1, code), MG_OK);
	assert_string_equal(code, "287082");
	assert_int_equal(mg_totp_code(rfc6238_secret, -1, code), MG_ERR_INPUT);
	assert_int_equal(mg_totp_code("GEZDGNBVGY3TQOJ1", 1, code), MG_ERR_INPUT);  /* '1' */
	assert_int_equal(mg_totp_code("GEZDGNBVGY3TQOJQ", 1, code), MG_ERR_INPUT);  /* 10 bytes: too short */
	assert_int_equal(mg_totp_code("", 1, code), MG_ERR_INPUT);
	assert_int_equal(mg_totp_code(NULL, 1, code), MG_ERR_INPUT);
}

static void totp_window_and_replay(void **state)
{
	const time_t t = 1111111111; /* step 37037037, code 050471 */
	long long step = -1;

	/* ±window steps around now */
	assert_true(mg_totp_verify(rfc6238_secret, "050471", t + 30, 1, -1, &step));
	assert_int_equal(step, 37037037);
	assert_true(mg_totp_verify(rfc6238_secret, "050471", t - 30, 1, -1, NULL));
	assert_false(mg_totp_verify(rfc6238_secret, "050471", t + 30, 0, -1, NULL));
	assert_false(mg_totp_verify(rfc6238_secret, "050471", t + 60, 1, -1, NULL));
	assert_true(mg_totp_verify(rfc6238_secret, "050471", t + 60, 2, -1, NULL));
	assert_false(mg_totp_verify(rfc6238_secret, "050471", t + 30, -5, -1, NULL)); /* clamped to 0 */
	assert_false(mg_totp_verify(rfc6238_secret, "050471", t + 11 * 30, 1000, -1, NULL)); /* clamped to 10 */
	assert_true(mg_totp_verify(rfc6238_secret, "050471", t + 10 * 30, 1000, -1, NULL));

	/* a code used once is refused the second time, and so is any older step */
	assert_false(mg_totp_verify(rfc6238_secret, "050471", t, 1, 37037037, NULL));
	assert_false(mg_totp_verify(rfc6238_secret, "050471", t, 1, 37037038, NULL));
	assert_true(mg_totp_verify(rfc6238_secret, "050471", t, 1, 37037036, NULL));
	/* the next step's code is still good after this one was used */
	char next[7];
	assert_int_equal(mg_totp_code(rfc6238_secret, 37037038, next), MG_OK);
	step = -1;
	assert_true(mg_totp_verify(rfc6238_secret, next, t + 30, 1, 37037037, &step));
	assert_int_equal(step, 37037038);

	/* typed with spaces, or full-width from a Japanese IME */
	assert_true(mg_totp_verify(rfc6238_secret, "050 471", t, 0, -1, NULL));
	assert_true(mg_totp_verify(rfc6238_secret, " 0 5 0 4 7 1 ", t, 0, -1, NULL));
	assert_true(mg_totp_verify(rfc6238_secret, "０５０４７１", t, 0, -1, NULL));
	assert_true(mg_totp_verify(rfc6238_secret, "０５０\xe3\x80\x80４７１", t, 0, -1, NULL));

	/* not a code */
	static const char *const bad[] = { "", "05047", "0504712", "05047a", "050-471", "050471\n", "０５０４７",
					   "\xef\xbc", "050471\xef\xbc\x90" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(mg_totp_verify(rfc6238_secret, bad[i], t, 1, -1, NULL));
	assert_false(mg_totp_verify(rfc6238_secret, NULL, t, 1, -1, NULL));
	assert_false(mg_totp_verify("not base32!", "050471", t, 1, -1, NULL));
	assert_false(mg_totp_verify(NULL, "050471", t, 1, -1, NULL));
	assert_false(mg_totp_verify(rfc6238_secret, "050471", -1, 1, -1, NULL));
	/* matched_step is left alone on failure */
	step = 7;
	assert_false(mg_totp_verify(rfc6238_secret, "000000", t, 0, -1, &step));
	assert_int_equal(step, 7);
}

static void totp_secret_is_32_base32_characters(void **state)
{
	char a[MG_TOTP_SECRET_CHARS + 1], b[MG_TOTP_SECRET_CHARS + 1];
	mg_totp_secret_new(a);
	mg_totp_secret_new(b);
	assert_int_equal(strlen(a), 32);
	assert_int_equal(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), 32);
	assert_string_not_equal(a, b);
	unsigned char bytes[32];
	size_t len = 0;
	assert_int_equal(mg_base32_decode(a, bytes, sizeof(bytes), &len), MG_OK);
	assert_int_equal(len, 20);
	char code[7];
	assert_int_equal(mg_totp_code(a, 12345, code), MG_OK);
	assert_int_equal(strspn(code, "0123456789"), 6);
}

static void totp_uri_encodes_japanese_issuer(void **state)
{
	struct mg_arena *arena = mg_arena_new();
	char *uri = mg_totp_uri(arena, "窓口劇場", "yamada@example.jp", rfc6238_secret);
	assert_string_equal(uri, "otpauth://totp/%E7%AA%93%E5%8F%A3%E5%8A%87%E5%A0%B4:yamada%40example.jp"
				 "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=%E7%AA%93%E5%8F%A3%E5%8A%87%E5%A0%B4"
				 "&algorithm=SHA1&digits=6&period=30");
	/* characters that would split the label or the query are escaped too */
	uri = mg_totp_uri(arena, "A&B Hall", "x:y?z#w", "ABCD");
	assert_string_equal(uri, "otpauth://totp/A%26B%20Hall:x%3Ay%3Fz%23w?secret=ABCD&issuer=A%26B%20Hall"
				 "&algorithm=SHA1&digits=6&period=30");
	mg_arena_free(arena);
}

/* --- recovery codes --- */

static void recovery_codes_alphabet_and_shape(void **state)
{
	static const char alphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
	int seen[256] = { 0 };
	char first[MG_RECOVERY_CHARS + 1];
	mg_recovery_code_new(first);
	for (int i = 0; i < 2000; i++) {
		char code[MG_RECOVERY_CHARS + 1];
		mg_recovery_code_new(code);
		assert_int_equal(strlen(code), 11);
		assert_int_equal(code[5], '-');
		for (int j = 0; j < 11; j++) {
			if (j == 5)
				continue;
			assert_non_null(strchr(alphabet, code[j]));
			seen[(unsigned char)code[j]]++;
		}
		if (i == 0)
			assert_string_not_equal(code, first);
	}
	/* 20000 draws: every one of the 31 characters turns up, none of 0 O 1 I L does */
	for (const char *c = alphabet; *c != '\0'; c++)
		assert_true(seen[(unsigned char)*c] > 0);
	for (const char *c = "0O1IL"; *c != '\0'; c++)
		assert_int_equal(seen[(unsigned char)*c], 0);
}

static void recovery_code_normalisation(void **state)
{
	char out[MG_RECOVERY_CHARS + 1];
	mg_recovery_code_normalise("abcde-fghjk", out, sizeof(out));
	assert_string_equal(out, "ABCDEFGHJK");
	mg_recovery_code_normalise("  AbCdE fGhJk \n", out, sizeof(out));
	assert_string_equal(out, "ABCDEFGHJK");
	mg_recovery_code_normalise("--a-b--", out, sizeof(out));
	assert_string_equal(out, "AB");
	mg_recovery_code_normalise("", out, sizeof(out));
	assert_string_equal(out, "");
	/* exactly 11 characters fit; one more and nothing is kept, so a long input cannot
	 * match by its prefix */
	mg_recovery_code_normalise("ABCDEFGHJKM", out, sizeof(out));
	assert_string_equal(out, "ABCDEFGHJKM");
	mg_recovery_code_normalise("ABCDEFGHJKMN", out, sizeof(out));
	assert_string_equal(out, "");

	/* a code, typed back, hashes to what was stored */
	char code[MG_RECOVERY_CHARS + 1], typed[32], stored[65], check[65];
	mg_recovery_code_new(code);
	mg_recovery_code_normalise(code, out, sizeof(out));
	assert_int_equal(strlen(out), 10);
	mg_sha256_hex(out, strlen(out), stored);
	snprintf(typed, sizeof(typed), " %.5s %s", code, code + 6);
	for (char *p = typed; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	mg_recovery_code_normalise(typed, out, sizeof(out));
	mg_sha256_hex(out, strlen(out), check);
	assert_string_equal(check, stored);
}

/* --- QR --- */

static void qr_path_covers_every_dark_module(void **state)
{
	static const char text[] = "otpauth://totp/%E7%AA%93%E5%8F%A3:yamada?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
				   "&issuer=%E7%AA%93%E5%8F%A3&algorithm=SHA1&digits=6&period=30";
	struct mg_arena *arena = mg_arena_new();
	int size = 0;
	const char *d = NULL;
	assert_int_equal(mg_qr_svg_path(text, arena, &size, &d), MG_OK);
	assert_non_null(d);

	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	assert_non_null(qr);
	assert_int_equal(qr->width, 17 + 4 * qr->version);
	assert_int_equal(size, qr->width + 8);
	/* the top-left finder pattern: seven dark modules, then the light separator */
	assert_int_equal(strncmp(d, "M4 4h7v1h-7z", 12), 0);

	/* redraw the path and compare it with the matrix, module by module */
	unsigned char *drawn = calloc((size_t)size * (size_t)size, 1);
	assert_non_null(drawn);
	const char *p = d;
	while (*p != '\0') {
		int x, y, run, back, used = 0;
		assert_int_equal(sscanf(p, "M%d %dh%dv1h-%dz%n", &x, &y, &run, &back, &used), 4);
		assert_true(used > 0);
		assert_int_equal(run, back);
		assert_true(x >= 4 && y >= 4 && run > 0 && x + run <= size - 4 && y < size - 4);
		for (int i = 0; i < run; i++) {
			assert_int_equal(drawn[y * size + x + i], 0);
			drawn[y * size + x + i] = 1;
		}
		/* runs are merged: the module after a run is never dark */
		assert_true(x + run == size - 4 || (qr->data[(y - 4) * qr->width + x + run - 4] & 1) == 0);
		p += used;
	}
	for (int y = 0; y < size; y++)
		for (int x = 0; x < size; x++) {
			bool inside = x >= 4 && y >= 4 && x < size - 4 && y < size - 4;
			int dark = inside ? qr->data[(y - 4) * qr->width + (x - 4)] & 1 : 0;
			assert_int_equal(drawn[y * size + x], dark);
		}
	free(drawn);
	QRcode_free(qr);

	/* nothing to encode, too much to encode */
	assert_int_equal(mg_qr_svg_path("", arena, &size, &d), MG_ERR_INPUT);
	assert_null(d);
	char *huge = mg_arena_alloc(arena, 8000);
	memset(huge, 'x', 7999);
	assert_int_equal(mg_qr_svg_path(huge, arena, &size, &d), MG_ERR_TOO_LARGE);
	assert_int_equal(size, 0);
	mg_arena_free(arena);
}

/* --- Ed25519 and base64url (e-ticket codes) --- */

static void from_hex(const char *hex, unsigned char *out, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned v = 0;
		sscanf(hex + 2 * i, "%2x", &v);
		out[i] = (unsigned char)v;
	}
}

/* RFC 8032 section 7.1, TEST 1 (the empty message). */
static void ed25519_rfc8032_vector(void **state)
{
	(void)state;
	unsigned char priv[32], pub[32], want[64], sig[64];
	from_hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", priv, 32);
	from_hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", pub, 32);
	from_hex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
		 want, 64);
	assert_int_equal(mg_ed25519_sign(priv, "", 0, sig), MG_OK);
	assert_memory_equal(sig, want, 64);
	assert_true(mg_ed25519_verify(pub, "", 0, sig));
	sig[10] ^= 1;
	assert_false(mg_ed25519_verify(pub, "", 0, sig));
}

static void ed25519_fresh_keys_sign_and_refuse_other_messages(void **state)
{
	(void)state;
	unsigned char pub[32], priv[32], other_pub[32], other_priv[32], sig[64];
	assert_int_equal(mg_ed25519_keygen(pub, priv), MG_OK);
	assert_int_equal(mg_ed25519_keygen(other_pub, other_priv), MG_OK);
	assert_memory_not_equal(pub, other_pub, 32);
	assert_int_equal(mg_ed25519_sign(priv, "T1.42", 5, sig), MG_OK);
	assert_true(mg_ed25519_verify(pub, "T1.42", 5, sig));
	assert_false(mg_ed25519_verify(pub, "T1.43", 5, sig));
	assert_false(mg_ed25519_verify(other_pub, "T1.42", 5, sig));
}

static void base64url_round_trip_and_strictness(void **state)
{
	(void)state;
	unsigned char bytes[64], back[64];
	for (size_t i = 0; i < sizeof(bytes); i++)
		bytes[i] = (unsigned char)(i * 37 + 251);
	char text[90];
	assert_int_equal(mg_base64url_encode(bytes, sizeof(bytes), text), MG_ED25519_SIG_CHARS);
	assert_null(strchr(text, '+'));
	assert_null(strchr(text, '/'));
	assert_null(strchr(text, '='));
	assert_int_equal(mg_base64url_decode(text, back, sizeof(back)), MG_OK);
	assert_memory_equal(bytes, back, sizeof(bytes));
	/* wrong length, standard alphabet, a non-canonical last character */
	assert_int_equal(mg_base64url_decode("AAAA", back, sizeof(back)), MG_ERR_INPUT);
	char bad[90];
	memcpy(bad, text, sizeof(text));
	bad[3] = '+';
	assert_int_equal(mg_base64url_decode(bad, back, sizeof(back)), MG_ERR_INPUT);
	assert_int_equal(mg_base64url_decode("AB", back, 1), MG_ERR_INPUT); /* "AA" is the canonical 0x00 */
	assert_int_equal(mg_base64url_decode("AA", back, 1), MG_OK);
	assert_int_equal(back[0], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(base32_rfc4648_vectors),
		cmocka_unit_test(sha256_and_hmac_vectors),
		cmocka_unit_test(tokens_are_43_urlsafe_characters_and_differ),
		cmocka_unit_test(scrypt_rfc7914_vector_through_verify),
		cmocka_unit_test(password_hash_default_format_and_round_trip),
		cmocka_unit_test(password_wrong_and_tampered),
		cmocka_unit_test(password_malformed_stored_strings),
		cmocka_unit_test(password_needs_rehash_below_default),
		cmocka_unit_test(seal_round_trip),
		cmocka_unit_test(seal_refuses_any_change),
		cmocka_unit_test(key_wrap_is_bound_to_its_context),
		cmocka_unit_test_setup_teardown(master_key_create_and_load, key_dir_setup, key_dir_teardown),
		cmocka_unit_test_setup_teardown(master_key_refuses_loose_or_bad_files, key_dir_setup, key_dir_teardown),
		cmocka_unit_test(totp_rfc6238_vectors),
		cmocka_unit_test(totp_window_and_replay),
		cmocka_unit_test(totp_secret_is_32_base32_characters),
		cmocka_unit_test(totp_uri_encodes_japanese_issuer),
		cmocka_unit_test(recovery_codes_alphabet_and_shape),
		cmocka_unit_test(recovery_code_normalisation),
		cmocka_unit_test(qr_path_covers_every_dark_module),
		cmocka_unit_test(ed25519_rfc8032_vector),
		cmocka_unit_test(ed25519_fresh_keys_sign_and_refuse_other_messages),
		cmocka_unit_test(base64url_round_trip_and_strictness),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
