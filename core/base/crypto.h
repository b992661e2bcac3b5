/*
 * Everything cryptographic the security core needs, on OpenSSL 3 (EVP) only: random tokens,
 * hashes and MACs, scrypt password hashes, the master key file, tenant key wrapping,
 * AES-256-GCM for personal data at rest, TOTP two-factor (RFC 6238), recovery codes and the
 * enrolment QR code. No primitive is written here; only the text encodings OpenSSL lacks
 * (base32, hex, percent-encoding) are.
 *
 * Every function that reads stored or typed text (password hashes, sealed blobs, wrapped
 * keys, TOTP secrets and codes, recovery codes) treats it as untrusted: malformed input is
 * an error value (MG_ERR_INPUT) or a refusal, never a crash (tests/fuzz/fuzz_crypto_parse.c).
 * Secrets held on the stack are wiped with OPENSSL_cleanse before returning.
 */
#ifndef MG_CRYPTO_H
#define MG_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "arena.h"
#include "buf.h"
#include "err.h"

enum {
	MG_KEY_BYTES = 32,              /* AES-256 keys: master key, tenant data keys */
	MG_TOKEN_CHARS = 43,            /* 32 random bytes as base64url without padding */
	MG_TOTP_SECRET_CHARS = 32,      /* 20 random bytes as base32 without padding */
	MG_RECOVERY_CHARS = 11,         /* "xxxxx-xxxxx": 10 characters and a dash */
	MG_PASSWORD_HASH_MAX = 128,     /* room for any string mg_password_hash writes, with the NUL */
	MG_SEAL_OVERHEAD = 1 + 12 + 16, /* version byte, nonce and tag around the ciphertext */
};

/* Fills buf from the OpenSSL CSPRNG. If the CSPRNG fails this logs and abort()s: no token,
 * key or salt made afterwards could be trusted, so nothing safe can continue. */
void mg_random_bytes(void *buf, size_t len);

/* --- tokens, hashes, MACs --- */

/* A fresh 256-bit token (session ids, CSRF tokens, confirmation links) as 43 base64url
 * characters, no padding; safe in URLs and cookies. Store only its mg_sha256_hex. */
void mg_token_new(char out[MG_TOKEN_CHARS + 1]);
/* SHA-256 of data as 64 lower-case hex digits. */
void mg_sha256_hex(const void *data, size_t len, char out[65]);
/* HMAC-SHA-256 of data under key as 64 lower-case hex digits (keyed look-up columns, such
 * as the e-mail index). MG_ERR_INTERNAL if OpenSSL refuses. */
enum mg_err mg_hmac_sha256_hex(const unsigned char *key, size_t keylen, const void *data, size_t len, char out[65]);
/* Compares len bytes in time that does not depend on where they differ. */
bool mg_ct_equal(const void *a, const void *b, size_t len);

/* --- passwords (scrypt) --- */

/*
 * Hashes password with scrypt (N = 2^15, r = 8, p = 1, 16-byte random salt, 32-byte
 * output) into out as "$scrypt$ln=15,r=8,p=1$<salt>$<hash>" (standard base64 alphabet,
 * padding dropped). The parameters travel with the hash so they can be raised later.
 * outlen of MG_PASSWORD_HASH_MAX is always enough; less that does not fit is MG_ERR_INTERNAL.
 */
enum mg_err mg_password_hash(const char *password, char *out, size_t outlen);
/*
 * Checks password against a stored hash in constant time: *ok is true on a match.
 * *needs_rehash is true when the stored parameters are weaker than the current default
 * (ln, r, p, salt or output length), so the caller re-hashes after a good login.
 * A malformed stored string is MG_ERR_INPUT (with *ok false), never a crash. So that one
 * tampered row cannot tie up a worker, a stored hash that would cost more than 8 times the
 * current default in memory or time is refused as malformed too.
 */
enum mg_err mg_password_verify(const char *password, const char *stored, bool *ok, bool *needs_rehash);
/* Sets the default cost to N = 2^ln (1 <= ln <= 20). For tests and the fuzzer only, which
 * need cheap hashes; production never calls it and keeps ln = 15. */
void mg_password_set_cost(int ln);

/* --- the master key and tenant keys --- */

/*
 * Loads the master key from path: 64 hex digits, whitespace around them allowed. Refuses
 * a file that group or others may access (mode & 077) and any other content with
 * MG_ERR_CONFIG, a missing file with MG_ERR_NOT_FOUND and one that cannot be read with
 * MG_ERR_IO; errbuf then holds a message naming the path (and the mode). On failure key is
 * zeroed.
 */
enum mg_err mg_master_key_load(const char *path, unsigned char key[MG_KEY_BYTES], char *errbuf, size_t errlen);
/* Creates a new random master key file at path with mode 0600; never replaces an existing
 * file (MG_ERR_CONFLICT). MG_ERR_IO with a message in errbuf on other failures. */
enum mg_err mg_master_key_create(const char *path, char *errbuf, size_t errlen);

/*
 * Wraps a tenant data key under the master key with AES-256-GCM. context names the owner
 * ("tenant:42") and is authenticated, so a wrapped key copied to another tenant's row does
 * not unwrap. out is reset and receives 1 version byte (1) | 12-byte nonce | 32-byte
 * ciphertext | 16-byte tag, binary (for a VARBINARY column).
 */
enum mg_err mg_key_wrap(const unsigned char master[MG_KEY_BYTES], const unsigned char key[MG_KEY_BYTES],
			const char *context, struct mg_buf *out);
/* The reverse; a wrong length, version, master key or context, or any changed byte, is
 * MG_ERR_INPUT and key is left zeroed. */
enum mg_err mg_key_unwrap(const unsigned char master[MG_KEY_BYTES], const void *wrapped, size_t len,
			  const char *context, unsigned char key[MG_KEY_BYTES]);

/* --- personal data at rest --- */

/*
 * Encrypts len bytes with AES-256-GCM under a tenant key. aad names the column and owner
 * ("person.email:tenant=42") and is authenticated, so a ciphertext moved to another column
 * or tenant does not open. out is reset and receives version byte (1) | 12-byte random
 * nonce | ciphertext | 16-byte tag: len + MG_SEAL_OVERHEAD bytes, binary (VARBINARY/BLOB).
 * MG_ERR_TOO_LARGE above 1 GiB.
 */
enum mg_err mg_seal(const unsigned char key[MG_KEY_BYTES], const char *aad, const void *plain, size_t len,
		    struct mg_buf *out);
/* Decrypts what mg_seal wrote; out is reset and receives the plaintext (NUL-terminated
 * after its len bytes when len > 0; data may be NULL when it is empty). Any tampering,
 * wrong key or wrong aad is MG_ERR_INPUT and out is left empty. */
enum mg_err mg_unseal(const unsigned char key[MG_KEY_BYTES], const char *aad, const void *sealed, size_t len,
		      struct mg_buf *out);

/* --- TOTP (RFC 6238: HMAC-SHA-1, 30-second steps, 6 digits) --- */

/* A fresh 160-bit secret as 32 base32 characters (RFC 4648 alphabet, no padding). */
void mg_totp_secret_new(char out[MG_TOTP_SECRET_CHARS + 1]);
/* The code for time step `step` (unix time / 30). MG_ERR_INPUT for a secret that is not
 * base32 of 16 to 64 bytes (case-insensitive, '=' padding allowed) or a negative step. */
enum mg_err mg_totp_code(const char *secret_b32, long long step, char out[7]);
/*
 * True when code matches a step within ±window (clamped to 0..10) of now's step that is
 * newer than last_used_step (so a code is used once: store *matched_step, which may be
 * NULL, and pass it back next time; -1 before the first use). Spaces in the typed code are
 * ignored, and full-width digits and spaces (as a Japanese IME types them) are accepted.
 * A malformed secret or code is false.
 */
bool mg_totp_verify(const char *secret_b32, const char *code, time_t now, int window, long long last_used_step,
		    long long *matched_step);
/* The otpauth://totp/ URI for an authenticator app, issuer and account percent-encoded
 * byte by byte (so UTF-8 such as Japanese names survives); owned by the arena. */
char *mg_totp_uri(struct mg_arena *arena, const char *issuer, const char *account, const char *secret_b32);

/* RFC 4648 base32 without padding, NUL-terminated; MG_ERR_TOO_LARGE (and out empty) when
 * outsize is less than 8 characters per 5 bytes, rounded up, plus one. */
enum mg_err mg_base32_encode(const void *data, size_t len, char *out, size_t outsize);
/* Decodes base32 in upper or lower case, with or without trailing '=' padding, into at most
 * outsize bytes and sets *len. MG_ERR_INPUT for a bad character or an impossible length,
 * MG_ERR_TOO_LARGE when the result does not fit. */
enum mg_err mg_base32_decode(const char *text, unsigned char *out, size_t outsize, size_t *len);

/* --- recovery codes --- */

/* A fresh code of 10 characters from 23456789ABCDEFGHJKMNPQRSTUVWXYZ (no 0/O/1/I/L, about
 * 49 bits), shown as "xxxxx-xxxxx". Store a hash of the normalised code, not the code. */
void mg_recovery_code_new(char out[MG_RECOVERY_CHARS + 1]);
/* What the user typed → the form to hash: ASCII upper-cased, spaces and dashes dropped.
 * A result that does not fit outlen leaves out empty, so a long input can never match by
 * its truncated prefix. */
void mg_recovery_code_normalise(const char *typed, char *out, size_t outlen);

/* --- Ed25519 signatures (e-ticket codes) --- */

enum { MG_ED25519_KEY = 32, MG_ED25519_SIG = 64, MG_ED25519_SIG_CHARS = 86 /* base64url, no padding */ };

/* A fresh key pair (raw 32-byte keys). MG_ERR_INTERNAL if OpenSSL refuses. */
enum mg_err mg_ed25519_keygen(unsigned char pub[MG_ED25519_KEY], unsigned char priv[MG_ED25519_KEY]);
/* Signs msg with the raw private key. */
enum mg_err mg_ed25519_sign(const unsigned char priv[MG_ED25519_KEY], const void *msg, size_t len,
			    unsigned char sig[MG_ED25519_SIG]);
/* True when sig is a valid signature of msg by pub. */
bool mg_ed25519_verify(const unsigned char pub[MG_ED25519_KEY], const void *msg, size_t len,
		       const unsigned char sig[MG_ED25519_SIG]);
/* base64url without padding (RFC 4648 §5): out holds 4 * ceil(len / 3) + 1 bytes. */
size_t mg_base64url_encode(const void *data, size_t len, char *out);
/* Decodes unpadded base64url of exactly the length len bytes need; MG_ERR_INPUT otherwise
 * (a wrong character or length, or a non-canonical last character). */
enum mg_err mg_base64url_decode(const char *text, unsigned char *out, size_t len);

/* --- QR code for TOTP enrolment --- */

/*
 * Encodes text (libqrencode, ECC level M, 8-bit, case-sensitive) and returns the dark
 * modules as one SVG path "d" value ("M4 4h7v1h-7z…", one rectangle per horizontal run)
 * and *size, the module count across including a 4-module quiet zone on every side, so a
 * template draws <svg viewBox="0 0 size size"><path d="…"/></svg>. *path_d is owned by the
 * arena. MG_ERR_TOO_LARGE when text does not fit a QR code, MG_ERR_INPUT when it is empty.
 */
enum mg_err mg_qr_svg_path(const char *text, struct mg_arena *arena, int *size, const char **path_d);

#endif
