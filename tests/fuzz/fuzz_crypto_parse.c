/*
 * libFuzzer harness for the parts of core/base/crypto.c that read stored or typed text; run it
 * with scripts/fuzz.
 *
 * An input is split at its first newline into A and B (B empty without one), and then:
 *   - mg_password_verify(A, B) and ("x", whole input): stored hashes from a database row;
 *   - mg_totp_verify(A, B) and mg_totp_code(A): secrets from a row, codes as typed;
 *   - mg_base32_decode of A and of the whole input;
 *   - mg_unseal and mg_key_unwrap of the raw bytes, and a seal of them;
 *   - mg_recovery_code_normalise of the whole input into a small and a large buffer;
 *   - mg_totp_uri(A, B).
 * Beyond the sanitizers it checks what crypto.h promises: errors are the documented
 * values, a refused verify leaves *ok false, base32 round-trips to its canonical spelling,
 * a code just computed verifies once and only once, tampered blobs never open, seal and
 * unseal round-trip, and the URI and normalised codes contain only what they should.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)              \
	do {                     \
		if (!(cond))     \
			abort(); \
	} while (0)

static const unsigned char fuzz_key[MG_KEY_BYTES] = "fuzz-key-fuzz-key-fuzz-key-fuzz";

static void check_password(const char *password, const char *stored)
{
	bool ok = true, rehash = true;
	enum mg_err err = mg_password_verify(password, stored, &ok, &rehash);
	CHECK(err == MG_OK || err == MG_ERR_INPUT);
	if (err != MG_OK)
		CHECK(!ok && !rehash);
}

/* The canonical spelling: upper case, padding dropped. */
static void check_base32(const char *text)
{
	unsigned char bytes[256];
	char again[512];
	size_t len = 0;
	enum mg_err err = mg_base32_decode(text, bytes, sizeof(bytes), &len);
	CHECK(err == MG_OK || err == MG_ERR_INPUT || err == MG_ERR_TOO_LARGE);
	if (err != MG_OK)
		return;
	CHECK(len <= sizeof(bytes));
	CHECK(mg_base32_encode(bytes, len, again, sizeof(again)) == MG_OK);
	size_t n = strlen(text);
	while (n > 0 && text[n - 1] == '=')
		n--;
	CHECK(strlen(again) == n);
	for (size_t i = 0; i < n; i++) {
		char c = text[i] >= 'a' && text[i] <= 'z' ? (char)(text[i] - 'a' + 'A') : text[i];
		CHECK(again[i] == c);
	}
}

static void check_totp(const char *secret, const char *code, size_t size)
{
	const time_t now = 1111111111;
	const long long now_step = now / 30;
	int window = (int)(size % 4);
	long long last_used = size % 2 ? -1 : now_step - 1;
	long long matched = -42;
	if (mg_totp_verify(secret, code, now, window, last_used, &matched)) {
		CHECK(matched > last_used && matched >= now_step - window && matched <= now_step + window);
		char expected[7];
		CHECK(mg_totp_code(secret, matched, expected) == MG_OK);
	} else {
		CHECK(matched == -42);
	}

	/* a code computed from this secret verifies once at its step, then never again */
	char fresh[7];
	enum mg_err err = mg_totp_code(secret, now_step, fresh);
	CHECK(err == MG_OK || err == MG_ERR_INPUT);
	if (err != MG_OK)
		return;
	CHECK(strlen(fresh) == 6 && strspn(fresh, "0123456789") == 6);
	matched = -1;
	CHECK(mg_totp_verify(secret, fresh, now, 0, -1, &matched) && matched == now_step);
	CHECK(!mg_totp_verify(secret, fresh, now, 0, matched, NULL));
}

static void check_blobs(const uint8_t *data, size_t size)
{
	struct mg_buf out, sealed;
	unsigned char key[MG_KEY_BYTES];
	static const unsigned char zero[MG_KEY_BYTES];
	mg_buf_init(&out);
	mg_buf_init(&sealed);

	/* nothing the fuzzer makes up carries a valid tag */
	CHECK(mg_unseal(fuzz_key, "person.email:tenant=1", data, size, &out) == MG_ERR_INPUT);
	CHECK(out.len == 0);
	CHECK(mg_key_unwrap(fuzz_key, data, size, "tenant:1", key) == MG_ERR_INPUT);
	CHECK(memcmp(key, zero, sizeof(key)) == 0);

	/* what is sealed opens again, only with the same aad, and not after a bit flip */
	CHECK(mg_seal(fuzz_key, "fuzz", data, size, &sealed) == MG_OK);
	CHECK(sealed.len == size + MG_SEAL_OVERHEAD);
	CHECK(mg_unseal(fuzz_key, "fuzz", sealed.data, sealed.len, &out) == MG_OK);
	CHECK(out.len == size && (size == 0 || memcmp(out.data, data, size) == 0));
	CHECK(mg_unseal(fuzz_key, "fuzz2", sealed.data, sealed.len, &out) == MG_ERR_INPUT);
	size_t flip = size % sealed.len;
	sealed.data[flip] ^= (char)(1 << (size % 8));
	CHECK(mg_unseal(fuzz_key, "fuzz", sealed.data, sealed.len, &out) == MG_ERR_INPUT);
	CHECK(out.len == 0);

	mg_buf_free(&out);
	mg_buf_free(&sealed);
}

static void check_recovery(const char *text)
{
	char small[MG_RECOVERY_CHARS + 1], large[1024];
	mg_recovery_code_normalise(text, small, sizeof(small));
	mg_recovery_code_normalise(text, large, sizeof(large));
	CHECK(strlen(small) < sizeof(small));
	CHECK(strpbrk(large, " -abcdefghijklmnopqrstuvwxyz\t\n") == NULL);
	/* the small result is the large one when it fits, else empty: never a prefix */
	CHECK(strcmp(small, large) == 0 || (small[0] == '\0' && strlen(large) >= sizeof(small)));
}

static void check_uri(struct mg_arena *arena, const char *issuer, const char *account)
{
	char *uri = mg_totp_uri(arena, issuer, account, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
	CHECK(uri != NULL && strncmp(uri, "otpauth://totp/", 15) == 0);
	const char *label_end = strchr(uri + 15, '?');
	CHECK(label_end != NULL);
	/* exactly one ':' (the separator) and one '?' survive, and only URI characters */
	size_t colons = 0;
	for (const char *p = uri + 15; p < label_end; p++)
		colons += *p == ':';
	CHECK(colons == 1);
	CHECK(strchr(label_end + 1, '?') == NULL);
	for (const unsigned char *p = (const unsigned char *)uri; *p != '\0'; p++)
		CHECK(*p > 0x20 && *p < 0x7f && *p != '#' && *p != ' ');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool cheap;
	if (!cheap) {
		/* so a well-formed stored hash costs microseconds, and anything 8 times the
		 * cost is refused before scrypt runs */
		mg_password_set_cost(1);
		cheap = true;
	}
	if (size > 4096)
		return 0;

	char *text = malloc(size + 1);
	CHECK(text != NULL);
	memcpy(text, data, size);
	text[size] = '\0';
	char *a = strdup(text);
	CHECK(a != NULL);
	char *newline = strchr(a, '\n');
	const char *b = "";
	if (newline != NULL) {
		*newline = '\0';
		b = newline + 1;
	}
	struct mg_arena *arena = mg_arena_new();

	check_password(a, b);
	check_password("x", text);
	check_base32(a);
	check_base32(text);
	check_totp(a, b, size);
	check_blobs(data, size);
	check_recovery(text);
	check_uri(arena, a, b);

	mg_arena_free(arena);
	free(a);
	free(text);
	return 0;
}
