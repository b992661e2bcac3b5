#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <qrencode.h>

#include "buf.h"
#include "crypto.h"
#include "log.h"

enum {
	SCRYPT_LN = 15, /* N = 2^15: 32 MiB and 0.1 to 0.2 s per hash with r = 8 */
	SCRYPT_R = 8,
	SCRYPT_P = 1,
	SALT_BYTES = 16,
	HASH_BYTES = 32,
	COST_HEADROOM = 8, /* a stored hash may cost up to this many times the default */
	STORED_MIN_SALT = 4,
	STORED_MAX_SALT = 64,
	STORED_MIN_HASH = 16,
	STORED_MAX_HASH = 64,
	GCM_VERSION = 1,
	GCM_NONCE = 12,
	GCM_TAG = 16,
	GCM_HEADER = 1 + GCM_NONCE,
	SEAL_MAX = 1 << 30, /* keeps every length an int for the EVP calls */
	AAD_MAX = 4096,
	TOTP_PERIOD = 30,
	TOTP_DIGITS = 6,
	TOTP_SECRET_BYTES = 20,
	TOTP_SECRET_MIN = 16, /* RFC 4226 R6: at least 128 bits */
	TOTP_SECRET_MAX = 64,
	TOTP_WINDOW_MAX = 10,
	RECOVERY_LEN = 10,
	QR_QUIET = 4,       /* the quiet zone the QR specification asks for on every side */
	KEY_FILE_MAX = 256, /* 64 hex digits and generous whitespace */
};

static int default_ln = SCRYPT_LN;

/* The oldest queued OpenSSL error as text, for a log line; clears the queue so a later
 * failure does not report a stale reason. */
static const char *openssl_error(void)
{
	static char message[256];
	unsigned long code = ERR_get_error();
	if (code == 0)
		snprintf(message, sizeof(message), "no OpenSSL error queued");
	else
		ERR_error_string_n(code, message, sizeof(message));
	ERR_clear_error();
	return message;
}

void mg_random_bytes(void *buf, size_t len)
{
	unsigned char *p = buf;
	while (len > 0) {
		int chunk = len > INT_MAX ? INT_MAX : (int)len;
		if (RAND_bytes(p, chunk) != 1) {
			mg_log_error("crypto: the random number generator failed (%s); stopping", openssl_error());
			abort();
		}
		p += chunk;
		len -= (size_t)chunk;
	}
}

/* --- encodings --- */

/* Standard base64 with the '=' padding dropped (the PHC string convention, and '$'-safe);
 * out holds 4 * ceil(len / 3) + 1 bytes. len is small (salts, hashes, tokens). */
static size_t base64_encode_nopad(const unsigned char *data, size_t len, char *out)
{
	int n = EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	while (n > 0 && out[n - 1] == '=')
		n--;
	out[n] = '\0';
	return (size_t)n;
}

static bool base64_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

/*
 * Decodes unpadded standard base64 of text_len characters into at most outsize bytes.
 * EVP_DecodeBlock wants padded input, counts the padding as zero bytes and tolerates '='
 * and whitespace in odd places, so the alphabet is checked here first, the padding added
 * and subtracted again, and the result re-encoded: only the one canonical spelling of a
 * byte string is accepted.
 */
static enum mg_err base64_decode_nopad(const char *text, size_t text_len, unsigned char *out, size_t outsize,
				       size_t *len)
{
	enum { MAX_TEXT = 128 };
	char padded[MAX_TEXT + 4], again[MAX_TEXT + 4];
	unsigned char raw[MAX_TEXT];

	if (text_len == 0 || text_len > MAX_TEXT || text_len % 4 == 1)
		return MG_ERR_INPUT;
	for (size_t i = 0; i < text_len; i++)
		if (!base64_char(text[i]))
			return MG_ERR_INPUT;
	size_t pad = (4 - text_len % 4) % 4;
	memcpy(padded, text, text_len);
	memset(padded + text_len, '=', pad);
	padded[text_len + pad] = '\0';
	int n = EVP_DecodeBlock(raw, (const unsigned char *)padded, (int)(text_len + pad));
	if (n < 0 || (size_t)n < pad)
		return MG_ERR_INPUT;
	size_t decoded = (size_t)n - pad;
	if (decoded > outsize)
		return MG_ERR_INPUT;
	if (base64_encode_nopad(raw, decoded, again) != text_len || memcmp(again, text, text_len) != 0)
		return MG_ERR_INPUT;
	memcpy(out, raw, decoded);
	*len = decoded;
	return MG_OK;
}

static const char base32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

enum mg_err mg_base32_encode(const void *data, size_t len, char *out, size_t outsize)
{
	const unsigned char *bytes = data;
	if (outsize == 0)
		return MG_ERR_TOO_LARGE;
	out[0] = '\0';
	if (len > (SIZE_MAX - 4) / 8 || (len * 8 + 4) / 5 >= outsize)
		return MG_ERR_TOO_LARGE;
	size_t o = 0;
	unsigned buffer = 0;
	int bits = 0;
	for (size_t i = 0; i < len; i++) {
		buffer = (buffer << 8 | bytes[i]) & 0xfff; /* at most 4 + 8 bits are ever pending */
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[o++] = base32_alphabet[(buffer >> bits) & 31];
		}
	}
	if (bits > 0)
		out[o++] = base32_alphabet[(buffer << (5 - bits)) & 31];
	out[o] = '\0';
	return MG_OK;
}

static int base32_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

enum mg_err mg_base32_decode(const char *text, unsigned char *out, size_t outsize, size_t *len)
{
	*len = 0;
	size_t n = strlen(text);
	size_t padding = 0;
	while (n > 0 && text[n - 1] == '=') {
		n--;
		padding++;
	}
	/* 1, 3 and 6 characters of a final group cannot come from whole bytes */
	size_t rest = n % 8;
	if (rest == 1 || rest == 3 || rest == 6)
		return MG_ERR_INPUT;
	if (padding > 0 && (rest == 0 || rest + padding != 8))
		return MG_ERR_INPUT;
	if (n / 8 * 5 + rest * 5 / 8 > outsize)
		return MG_ERR_TOO_LARGE;

	size_t o = 0;
	unsigned buffer = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		int v = base32_value(text[i]);
		if (v < 0)
			return MG_ERR_INPUT;
		buffer = (buffer << 5 | (unsigned)v) & 0xfff;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(buffer >> bits);
		}
	}
	/* the unused low bits of the last character must be zero: one spelling per secret */
	if ((buffer & ((1u << bits) - 1)) != 0)
		return MG_ERR_INPUT;
	*len = o;
	return MG_OK;
}

/* --- tokens, hashes, MACs --- */

void mg_token_new(char out[MG_TOKEN_CHARS + 1])
{
	unsigned char bytes[32];
	char text[45];
	mg_random_bytes(bytes, sizeof(bytes));
	size_t n = base64_encode_nopad(bytes, sizeof(bytes), text);
	for (size_t i = 0; i < n; i++) {
		if (text[i] == '+')
			text[i] = '-';
		else if (text[i] == '/')
			text[i] = '_';
	}
	memcpy(out, text, MG_TOKEN_CHARS + 1);
	OPENSSL_cleanse(bytes, sizeof(bytes));
	OPENSSL_cleanse(text, sizeof(text));
}

void mg_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	/* Callers compare these digests to find sessions and chain the audit log; a digest
	 * that silently failed would be worse than stopping the worker. */
	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32) {
		mg_log_error("crypto: SHA-256 failed (%s); stopping", openssl_error());
		abort();
	}
	mg_hex_encode(md, 32, out);
}

static enum mg_err hmac(const char *digest, const unsigned char *key, size_t keylen, const void *data, size_t len,
			unsigned char *out, size_t outsize, size_t *outlen)
{
	static const unsigned char no_key[1];
	if (key == NULL)
		key = no_key;
	if (EVP_Q_mac(NULL, "HMAC", NULL, digest, NULL, key, keylen, data, len, out, outsize, outlen) == NULL) {
		mg_log_error("crypto: HMAC-%s failed: %s", digest, openssl_error());
		return MG_ERR_INTERNAL;
	}
	return MG_OK;
}

enum mg_err mg_hmac_sha256_hex(const unsigned char *key, size_t keylen, const void *data, size_t len, char out[65])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	size_t maclen = 0;
	out[0] = '\0';
	enum mg_err err = hmac("SHA256", key, keylen, data, len, mac, sizeof(mac), &maclen);
	if (err == MG_OK && maclen != 32)
		err = MG_ERR_INTERNAL;
	if (err == MG_OK)
		mg_hex_encode(mac, 32, out);
	OPENSSL_cleanse(mac, sizeof(mac));
	return err;
}

bool mg_ct_equal(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

/* --- passwords --- */

struct scrypt_params {
	unsigned ln, r, p;
};

/* The bytes OpenSSL's scrypt asks for (B and V, kdf_scrypt.c), which is also what maxmem
 * has to allow: the default limit of 32 MiB is just too small for N = 2^15, r = 8. */
static uint64_t scrypt_memory(const struct scrypt_params *sp)
{
	return 128 * (uint64_t)sp->r * ((UINT64_C(1) << sp->ln) + 2) + 128 * (uint64_t)sp->r * sp->p;
}

static enum mg_err scrypt(const char *password, const unsigned char *salt, size_t saltlen,
			  const struct scrypt_params *sp, unsigned char *out, size_t outlen)
{
	if (EVP_PBE_scrypt(password, strlen(password), salt, saltlen, UINT64_C(1) << sp->ln, sp->r, sp->p,
			   scrypt_memory(sp), out, outlen) != 1) {
		mg_log_error("crypto: scrypt failed: %s", openssl_error());
		return MG_ERR_INTERNAL;
	}
	return MG_OK;
}

void mg_password_set_cost(int ln)
{
	if (ln < 1 || ln > 20) {
		mg_log_error("crypto: scrypt cost ln=%d is outside 1..20; keeping %d", ln, default_ln);
		return;
	}
	default_ln = ln;
}

enum mg_err mg_password_hash(const char *password, char *out, size_t outlen)
{
	const struct scrypt_params sp = { .ln = (unsigned)default_ln, .r = SCRYPT_R, .p = SCRYPT_P };
	unsigned char salt[SALT_BYTES], hash[HASH_BYTES];
	char salt64[4 * ((SALT_BYTES + 2) / 3) + 1], hash64[4 * ((HASH_BYTES + 2) / 3) + 1];
	enum mg_err err = MG_ERR_INTERNAL;

	if (outlen > 0)
		out[0] = '\0';
	if (password == NULL)
		goto out;
	mg_random_bytes(salt, sizeof(salt));
	err = scrypt(password, salt, sizeof(salt), &sp, hash, sizeof(hash));
	if (err != MG_OK)
		goto out;
	base64_encode_nopad(salt, sizeof(salt), salt64);
	base64_encode_nopad(hash, sizeof(hash), hash64);
	int n = snprintf(out, outlen, "$scrypt$ln=%u,r=%u,p=%u$%s$%s", sp.ln, sp.r, sp.p, salt64, hash64);
	if (n < 0 || (size_t)n >= outlen) {
		if (outlen > 0)
			OPENSSL_cleanse(out, outlen);
		err = MG_ERR_INTERNAL;
	}
out:
	OPENSSL_cleanse(hash, sizeof(hash));
	OPENSSL_cleanse(hash64, sizeof(hash64));
	return err;
}

/* Reads 1 to 5 decimal digits without a leading zero, at most max, and moves *s past them. */
static bool parse_number(const char **s, unsigned max, unsigned *value)
{
	const char *p = *s;
	unsigned v = 0;
	size_t digits = 0;
	while (*p >= '0' && *p <= '9' && digits < 6) {
		v = v * 10 + (unsigned)(*p - '0');
		p++;
		digits++;
	}
	if (digits == 0 || digits > 5 || (digits > 1 && **s == '0') || v > max)
		return false;
	*s = p;
	*value = v;
	return true;
}

static bool skip_literal(const char **s, const char *literal)
{
	size_t n = strlen(literal);
	if (strncmp(*s, literal, n) != 0)
		return false;
	*s += n;
	return true;
}

/*
 * Splits "$scrypt$ln=L,r=R,p=P$<salt>$<hash>" and checks that the parameters are ones
 * OpenSSL accepts (N < 2^(16 r), r p < 2^30) and that the work is bounded relative to the
 * current default, since the string comes from a database row that may have been altered.
 */
static enum mg_err parse_stored(const char *stored, struct scrypt_params *sp, unsigned char *salt, size_t *saltlen,
				unsigned char *hash, size_t *hashlen)
{
	const char *s = stored;
	if (!skip_literal(&s, "$scrypt$ln=") || !parse_number(&s, 30, &sp->ln) || !skip_literal(&s, ",r=") ||
	    !parse_number(&s, 9999, &sp->r) || !skip_literal(&s, ",p=") || !parse_number(&s, 9999, &sp->p) ||
	    !skip_literal(&s, "$"))
		return MG_ERR_INPUT;
	if (sp->ln < 1 || sp->r < 1 || sp->p < 1 || sp->ln >= 16 * sp->r)
		return MG_ERR_INPUT;

	const struct scrypt_params def = { .ln = (unsigned)default_ln, .r = SCRYPT_R, .p = SCRYPT_P };
	uint64_t memory = scrypt_memory(sp), time = memory * sp->p;
	if (memory > COST_HEADROOM * scrypt_memory(&def) || time > COST_HEADROOM * scrypt_memory(&def) * def.p)
		return MG_ERR_INPUT;

	const char *dollar = strchr(s, '$');
	if (dollar == NULL)
		return MG_ERR_INPUT;
	if (base64_decode_nopad(s, (size_t)(dollar - s), salt, STORED_MAX_SALT, saltlen) != MG_OK ||
	    *saltlen < STORED_MIN_SALT)
		return MG_ERR_INPUT;
	s = dollar + 1;
	if (base64_decode_nopad(s, strlen(s), hash, STORED_MAX_HASH, hashlen) != MG_OK || *hashlen < STORED_MIN_HASH)
		return MG_ERR_INPUT;
	return MG_OK;
}

enum mg_err mg_password_verify(const char *password, const char *stored, bool *ok, bool *needs_rehash)
{
	struct scrypt_params sp;
	unsigned char salt[STORED_MAX_SALT], expected[STORED_MAX_HASH], actual[STORED_MAX_HASH];
	size_t saltlen = 0, hashlen = 0;
	enum mg_err err = MG_ERR_INTERNAL;

	*ok = false;
	*needs_rehash = false;
	if (password == NULL)
		goto out;
	err = stored == NULL ? MG_ERR_INPUT : parse_stored(stored, &sp, salt, &saltlen, expected, &hashlen);
	if (err != MG_OK)
		goto out;
	err = scrypt(password, salt, saltlen, &sp, actual, hashlen);
	if (err != MG_OK)
		goto out;
	*ok = CRYPTO_memcmp(actual, expected, hashlen) == 0;
	*needs_rehash = sp.ln < (unsigned)default_ln || sp.r < SCRYPT_R || sp.p < SCRYPT_P || saltlen < SALT_BYTES ||
			hashlen < HASH_BYTES;
out:
	OPENSSL_cleanse(actual, sizeof(actual));
	return err;
}

/* --- the master key file --- */

static enum mg_err key_file_error(enum mg_err err, char *errbuf, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static enum mg_err key_file_error(enum mg_err err, char *errbuf, size_t errlen, const char *fmt, ...)
{
	if (errlen > 0) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(errbuf, errlen, fmt, ap);
		va_end(ap);
	}
	return err;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

enum mg_err mg_master_key_load(const char *path, unsigned char key[MG_KEY_BYTES], char *errbuf, size_t errlen)
{
	char text[KEY_FILE_MAX + 1];
	size_t len = 0;
	int fd = -1;
	enum mg_err err = MG_OK;

	memset(key, 0, MG_KEY_BYTES);
	if (errlen > 0)
		errbuf[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT)
			err = key_file_error(MG_ERR_NOT_FOUND, errbuf, errlen, "master key file %s does not exist",
					     path);
		else
			err = key_file_error(MG_ERR_IO, errbuf, errlen, "cannot open master key file %s: %s", path,
					     strerror(errno));
		goto out;
	}
	/* fstat on the open file, not stat on the path, so the mode checked is the mode of
	 * the file read even if the path is swapped in between */
	struct stat st;
	if (fstat(fd, &st) != 0) {
		err = key_file_error(MG_ERR_IO, errbuf, errlen, "cannot stat master key file %s: %s", path,
				     strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err = key_file_error(MG_ERR_CONFIG, errbuf, errlen, "master key file %s is not a regular file", path);
		goto out;
	}
	if ((st.st_mode & 077) != 0) {
		err = key_file_error(MG_ERR_CONFIG, errbuf, errlen,
				     "master key file %s has mode %04o: group or others can access it "
				     "(chmod 600 %s)",
				     path, (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, text + len, sizeof(text) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = key_file_error(MG_ERR_IO, errbuf, errlen, "cannot read master key file %s: %s", path,
					     strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == sizeof(text) - 1) {
			err = key_file_error(MG_ERR_CONFIG, errbuf, errlen,
					     "master key file %s is too long: it must hold 64 hex digits", path);
			goto out;
		}
	}

	size_t start = 0, end = len;
	while (start < end && is_space(text[start]))
		start++;
	while (end > start && is_space(text[end - 1]))
		end--;
	if (end - start != 2 * MG_KEY_BYTES) {
		err = key_file_error(MG_ERR_CONFIG, errbuf, errlen,
				     "master key file %s must hold 64 hex digits, not %zu characters", path,
				     end - start);
		goto out;
	}
	for (size_t i = 0; i < MG_KEY_BYTES; i++) {
		int hi = mg_hex_digit(text[start + 2 * i]), lo = mg_hex_digit(text[start + 2 * i + 1]);
		if (hi < 0 || lo < 0) {
			err = key_file_error(MG_ERR_CONFIG, errbuf, errlen,
					     "master key file %s holds something other than hex digits", path);
			goto out;
		}
		key[i] = (unsigned char)(hi << 4 | lo);
	}
out:
	if (err != MG_OK)
		OPENSSL_cleanse(key, MG_KEY_BYTES);
	OPENSSL_cleanse(text, sizeof(text));
	if (fd >= 0)
		close(fd);
	return err;
}

/* Makes the new directory entry durable; without it a crash right after creation could
 * lose the key file while data encrypted under it survives. */
static void sync_parent_directory(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0)
		mg_log_warn("crypto: cannot sync directory %s after creating the master key: %s", dir,
			    strerror(errno));
	if (fd >= 0)
		close(fd);
}

enum mg_err mg_master_key_create(const char *path, char *errbuf, size_t errlen)
{
	unsigned char key[MG_KEY_BYTES];
	char text[2 * MG_KEY_BYTES + 2];
	int fd = -1;
	bool created = false;
	enum mg_err err = MG_OK;

	if (errlen > 0)
		errbuf[0] = '\0';
	mg_random_bytes(key, sizeof(key));
	mg_hex_encode(key, sizeof(key), text);
	text[2 * MG_KEY_BYTES] = '\n';

	/* O_EXCL: an existing key may be the one every tenant key is wrapped under; it also
	 * refuses to follow a symbolic link planted at path */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			err = key_file_error(MG_ERR_CONFLICT, errbuf, errlen,
					     "master key file %s already exists; not replacing it", path);
		else
			err = key_file_error(MG_ERR_IO, errbuf, errlen, "cannot create master key file %s: %s", path,
					     strerror(errno));
		goto out;
	}
	created = true;
	/* the umask may have narrowed 0600 to something the owner cannot read */
	if (fchmod(fd, 0600) != 0) {
		err = key_file_error(MG_ERR_IO, errbuf, errlen, "cannot chmod master key file %s: %s", path,
				     strerror(errno));
		goto out;
	}
	size_t done = 0, total = 2 * MG_KEY_BYTES + 1;
	while (done < total) {
		ssize_t n = write(fd, text + done, total - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = key_file_error(MG_ERR_IO, errbuf, errlen, "cannot write master key file %s: %s", path,
					     n < 0 ? strerror(errno) : "short write");
			goto out;
		}
		done += (size_t)n;
	}
	if (fsync(fd) != 0) {
		err = key_file_error(MG_ERR_IO, errbuf, errlen, "cannot sync master key file %s: %s", path,
				     strerror(errno));
		goto out;
	}
	int rc = close(fd);
	fd = -1;
	if (rc != 0) {
		err = key_file_error(MG_ERR_IO, errbuf, errlen, "cannot close master key file %s: %s", path,
				     strerror(errno));
		goto out;
	}
	sync_parent_directory(path);
out:
	if (fd >= 0)
		close(fd);
	if (err != MG_OK && created)
		unlink(path);
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(text, sizeof(text));
	return err;
}

/* --- AES-256-GCM: version byte | nonce | ciphertext | tag --- */

/* The version byte is authenticated along with the caller's aad, so it cannot be changed
 * to steer a later reader to another format. */
static bool gcm_add_aad(EVP_CIPHER_CTX *ctx, const unsigned char *header, const char *aad, size_t aadlen)
{
	int n;
	return EVP_CipherUpdate(ctx, NULL, &n, header, 1) == 1 &&
	       (aadlen == 0 || EVP_CipherUpdate(ctx, NULL, &n, (const unsigned char *)aad, (int)aadlen) == 1);
}

static enum mg_err gcm_seal(const unsigned char key[MG_KEY_BYTES], const char *aad, const void *plain, size_t len,
			    struct mg_buf *out)
{
	EVP_CIPHER_CTX *ctx = NULL;
	unsigned char header[GCM_HEADER], tag[GCM_TAG];
	enum mg_err err = MG_ERR_INTERNAL;
	int n = 0, final = 0;

	mg_buf_reset(out);
	if (aad == NULL || (plain == NULL && len > 0) || strlen(aad) > AAD_MAX)
		goto out;
	if (len > SEAL_MAX) {
		err = MG_ERR_TOO_LARGE;
		goto out;
	}
	header[0] = GCM_VERSION;
	/* random 96-bit nonces: at the volumes one key sees (one seal per stored field) the
	 * collision bound of 2^32 messages per key is far away */
	mg_random_bytes(header + 1, GCM_NONCE);
	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL || EVP_EncryptInit_ex2(ctx, EVP_aes_256_gcm(), key, header + 1, NULL) != 1 ||
	    !gcm_add_aad(ctx, header, aad, strlen(aad)))
		goto out;
	mg_buf_append(out, header, sizeof(header));
	/* the plaintext is copied into place and encrypted there (GCM allows in == out) */
	mg_buf_append(out, plain, len);
	unsigned char *body = (unsigned char *)out->data + GCM_HEADER;
	if ((len > 0 && EVP_EncryptUpdate(ctx, body, &n, body, (int)len) != 1) ||
	    EVP_EncryptFinal_ex(ctx, body + n, &final) != 1 || (size_t)n + (size_t)final != len ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, GCM_TAG, tag) != 1)
		goto out;
	mg_buf_append(out, tag, sizeof(tag));
	err = MG_OK;
out:
	if (err == MG_ERR_INTERNAL)
		mg_log_error("crypto: AES-GCM encryption failed: %s", openssl_error());
	if (err != MG_OK && out->data != NULL) {
		OPENSSL_cleanse(out->data, out->len);
		mg_buf_reset(out);
	}
	EVP_CIPHER_CTX_free(ctx);
	return err;
}

static enum mg_err gcm_open(const unsigned char key[MG_KEY_BYTES], const char *aad, const void *sealed, size_t len,
			    struct mg_buf *out)
{
	const unsigned char *bytes = sealed;
	EVP_CIPHER_CTX *ctx = NULL;
	unsigned char tag[GCM_TAG], scratch[16];
	enum mg_err err = MG_ERR_INTERNAL;
	int n = 0, final = 0;

	mg_buf_reset(out);
	if (aad == NULL || strlen(aad) > AAD_MAX)
		goto out;
	err = MG_ERR_INPUT;
	if (sealed == NULL || len < MG_SEAL_OVERHEAD || len - MG_SEAL_OVERHEAD > SEAL_MAX || bytes[0] != GCM_VERSION)
		goto out;
	size_t body_len = len - MG_SEAL_OVERHEAD;
	memcpy(tag, bytes + len - GCM_TAG, GCM_TAG);

	err = MG_ERR_INTERNAL;
	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL || EVP_DecryptInit_ex2(ctx, EVP_aes_256_gcm(), key, bytes + 1, NULL) != 1 ||
	    !gcm_add_aad(ctx, bytes, aad, strlen(aad)))
		goto out;
	mg_buf_append(out, bytes + GCM_HEADER, body_len);
	unsigned char *body = (unsigned char *)out->data;
	if ((body_len > 0 && EVP_DecryptUpdate(ctx, body, &n, body, (int)body_len) != 1) ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, GCM_TAG, tag) != 1)
		goto out;
	/* a wrong key, aad or any changed byte all show up here, as a tag mismatch */
	if (EVP_DecryptFinal_ex(ctx, scratch, &final) != 1 || (size_t)n + (size_t)final != body_len) {
		ERR_clear_error();
		err = MG_ERR_INPUT;
		goto out;
	}
	err = MG_OK;
out:
	if (err == MG_ERR_INTERNAL)
		mg_log_error("crypto: AES-GCM decryption failed: %s", openssl_error());
	if (err != MG_OK && out->data != NULL) {
		OPENSSL_cleanse(out->data, out->len);
		mg_buf_reset(out);
	}
	EVP_CIPHER_CTX_free(ctx);
	return err;
}

enum mg_err mg_key_wrap(const unsigned char master[MG_KEY_BYTES], const unsigned char key[MG_KEY_BYTES],
			const char *context, struct mg_buf *out)
{
	return gcm_seal(master, context, key, MG_KEY_BYTES, out);
}

enum mg_err mg_key_unwrap(const unsigned char master[MG_KEY_BYTES], const void *wrapped, size_t len,
			  const char *context, unsigned char key[MG_KEY_BYTES])
{
	struct mg_buf plain;
	enum mg_err err = MG_ERR_INPUT;

	mg_buf_init(&plain);
	memset(key, 0, MG_KEY_BYTES);
	if (len != MG_SEAL_OVERHEAD + MG_KEY_BYTES)
		goto out;
	err = gcm_open(master, context, wrapped, len, &plain);
	if (err != MG_OK)
		goto out;
	memcpy(key, plain.data, MG_KEY_BYTES);
out:
	if (plain.data != NULL)
		OPENSSL_cleanse(plain.data, plain.cap);
	mg_buf_free(&plain);
	return err;
}

enum mg_err mg_seal(const unsigned char key[MG_KEY_BYTES], const char *aad, const void *plain, size_t len,
		    struct mg_buf *out)
{
	return gcm_seal(key, aad, plain, len, out);
}

enum mg_err mg_unseal(const unsigned char key[MG_KEY_BYTES], const char *aad, const void *sealed, size_t len,
		      struct mg_buf *out)
{
	return gcm_open(key, aad, sealed, len, out);
}

/* --- TOTP --- */

void mg_totp_secret_new(char out[MG_TOTP_SECRET_CHARS + 1])
{
	unsigned char secret[TOTP_SECRET_BYTES];
	mg_random_bytes(secret, sizeof(secret));
	mg_base32_encode(secret, sizeof(secret), out, MG_TOTP_SECRET_CHARS + 1);
	OPENSSL_cleanse(secret, sizeof(secret));
}

static enum mg_err totp_secret_decode(const char *secret_b32, unsigned char key[TOTP_SECRET_MAX], size_t *keylen)
{
	if (secret_b32 == NULL || mg_base32_decode(secret_b32, key, TOTP_SECRET_MAX, keylen) != MG_OK ||
	    *keylen < TOTP_SECRET_MIN) {
		OPENSSL_cleanse(key, TOTP_SECRET_MAX);
		return MG_ERR_INPUT;
	}
	return MG_OK;
}

/* RFC 4226 section 5.3: HMAC-SHA-1 over the big-endian counter, dynamic truncation. */
static enum mg_err hotp(const unsigned char *key, size_t keylen, long long step, char out[TOTP_DIGITS + 1])
{
	unsigned char counter[8], mac[EVP_MAX_MD_SIZE];
	size_t maclen = 0;
	for (int i = 0; i < 8; i++)
		counter[7 - i] = (unsigned char)((unsigned long long)step >> (8 * i));
	enum mg_err err = hmac("SHA1", key, keylen, counter, sizeof(counter), mac, sizeof(mac), &maclen);
	if (err == MG_OK && maclen != 20)
		err = MG_ERR_INTERNAL;
	if (err == MG_OK) {
		unsigned offset = mac[19] & 0x0f;
		uint32_t binary = (uint32_t)(mac[offset] & 0x7f) << 24 | (uint32_t)mac[offset + 1] << 16 |
				  (uint32_t)mac[offset + 2] << 8 | mac[offset + 3];
		snprintf(out, TOTP_DIGITS + 1, "%06u", (unsigned)(binary % 1000000));
	}
	OPENSSL_cleanse(mac, sizeof(mac));
	return err;
}

enum mg_err mg_totp_code(const char *secret_b32, long long step, char out[7])
{
	unsigned char key[TOTP_SECRET_MAX];
	size_t keylen = 0;
	out[0] = '\0';
	if (step < 0 || totp_secret_decode(secret_b32, key, &keylen) != MG_OK)
		return MG_ERR_INPUT;
	enum mg_err err = hotp(key, keylen, step, out);
	OPENSSL_cleanse(key, sizeof(key));
	return err;
}

/* The six digits of a typed code, skipping ASCII and ideographic (U+3000) spaces and
 * reading full-width digits (U+FF10..U+FF19) as ASCII ones. */
static bool totp_typed_digits(const char *code, char out[TOTP_DIGITS + 1])
{
	const unsigned char *p = (const unsigned char *)code;
	size_t n = 0;
	while (*p != '\0') {
		int digit = -1;
		if (*p == ' ') {
			p++;
			continue;
		} else if (p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x80) {
			p += 3;
			continue;
		} else if (*p >= '0' && *p <= '9') {
			digit = *p - '0';
			p++;
		} else if (p[0] == 0xef && p[1] == 0xbc && p[2] >= 0x90 && p[2] <= 0x99) {
			digit = p[2] - 0x90;
			p += 3;
		} else {
			return false;
		}
		if (n == TOTP_DIGITS)
			return false;
		out[n++] = (char)('0' + digit);
	}
	out[n] = '\0';
	return n == TOTP_DIGITS;
}

bool mg_totp_verify(const char *secret_b32, const char *code, time_t now, int window, long long last_used_step,
		    long long *matched_step)
{
	unsigned char key[TOTP_SECRET_MAX];
	size_t keylen = 0;
	char typed[TOTP_DIGITS + 1], expected[TOTP_DIGITS + 1];
	bool matched = false;
	long long match = -1;

	if (code == NULL || now < 0 || !totp_typed_digits(code, typed))
		return false;
	if (totp_secret_decode(secret_b32, key, &keylen) != MG_OK)
		return false;
	if (window < 0)
		window = 0;
	if (window > TOTP_WINDOW_MAX)
		window = TOTP_WINDOW_MAX;
	long long current = (long long)(now / TOTP_PERIOD);
	/* every step of the window is computed and compared, with no early exit */
	for (long long step = current - window; step <= current + window; step++) {
		if (step < 0 || step <= last_used_step)
			continue;
		if (hotp(key, keylen, step, expected) != MG_OK) {
			matched = false;
			break;
		}
		if (CRYPTO_memcmp(expected, typed, TOTP_DIGITS) == 0) {
			matched = true;
			match = step;
		}
	}
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(expected, sizeof(expected));
	if (matched && matched_step != NULL)
		*matched_step = match;
	return matched;
}

/* RFC 3986 unreserved characters stay; every other byte becomes %XX, so multi-byte UTF-8
 * is encoded byte by byte and ':', '&', '?' and '#' cannot break the URI apart. */
static void percent_encode(struct mg_buf *buf, const char *s)
{
	static const char digits[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		    *p == '.' || *p == '_' || *p == '~') {
			mg_buf_append(buf, p, 1);
		} else {
			char escape[3] = { '%', digits[*p >> 4], digits[*p & 0x0f] };
			mg_buf_append(buf, escape, sizeof(escape));
		}
	}
}

char *mg_totp_uri(struct mg_arena *arena, const char *issuer, const char *account, const char *secret_b32)
{
	struct mg_buf buf;
	mg_buf_init(&buf);
	mg_buf_puts(&buf, "otpauth://totp/");
	percent_encode(&buf, issuer);
	mg_buf_puts(&buf, ":");
	percent_encode(&buf, account);
	mg_buf_puts(&buf, "?secret=");
	percent_encode(&buf, secret_b32);
	mg_buf_puts(&buf, "&issuer=");
	percent_encode(&buf, issuer);
	mg_buf_puts(&buf, "&algorithm=SHA1&digits=6&period=30");
	char *uri = mg_arena_strndup(arena, buf.data, buf.len);
	OPENSSL_cleanse(buf.data, buf.len);
	mg_buf_free(&buf);
	return uri;
}

/* --- recovery codes --- */

static const char recovery_alphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

void mg_recovery_code_new(char out[MG_RECOVERY_CHARS + 1])
{
	enum { ALPHABET = sizeof(recovery_alphabet) - 1, LIMIT = 256 / ALPHABET * ALPHABET };
	unsigned char bytes[32];
	size_t n = 0;
	while (n < RECOVERY_LEN) {
		mg_random_bytes(bytes, sizeof(bytes));
		for (size_t i = 0; i < sizeof(bytes) && n < RECOVERY_LEN; i++) {
			/* bytes at or above the last whole multiple of the alphabet size are
			 * skipped, so every character is equally likely */
			if (bytes[i] >= LIMIT)
				continue;
			out[n < 5 ? n : n + 1] = recovery_alphabet[bytes[i] % ALPHABET];
			n++;
		}
	}
	out[5] = '-';
	out[MG_RECOVERY_CHARS] = '\0';
	OPENSSL_cleanse(bytes, sizeof(bytes));
}

void mg_recovery_code_normalise(const char *typed, char *out, size_t outlen)
{
	size_t n = 0;
	if (outlen == 0)
		return;
	for (const char *p = typed; *p != '\0'; p++) {
		char c = *p;
		if (c == '-' || is_space(c))
			continue;
		if (n + 1 >= outlen) {
			out[0] = '\0';
			return;
		}
		out[n++] = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
	}
	out[n] = '\0';
}

/* --- QR code --- */

enum mg_err mg_qr_svg_path(const char *text, struct mg_arena *arena, int *size, const char **path_d)
{
	QRcode *qr = NULL;
	struct mg_buf d;
	enum mg_err err = MG_OK;

	mg_buf_init(&d);
	*size = 0;
	*path_d = NULL;
	if (text == NULL || text[0] == '\0') {
		err = MG_ERR_INPUT;
		goto out;
	}
	errno = 0;
	qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (qr == NULL) {
		err = errno == ERANGE ? MG_ERR_TOO_LARGE : errno == ENOMEM ? MG_ERR_NOMEM : MG_ERR_INPUT;
		goto out;
	}
	int width = qr->width;
	for (int y = 0; y < width; y++) {
		const unsigned char *row = qr->data + (size_t)y * (size_t)width;
		int x = 0;
		while (x < width) {
			if ((row[x] & 1) == 0) { /* bit 0 is "dark"; the others are libqrencode's own */
				x++;
				continue;
			}
			int start = x;
			while (x < width && (row[x] & 1) != 0)
				x++;
			mg_buf_printf(&d, "M%d %dh%dv1h-%dz", start + QR_QUIET, y + QR_QUIET, x - start, x - start);
		}
	}
	*size = width + 2 * QR_QUIET;
	*path_d = mg_arena_strndup(arena, d.data != NULL ? d.data : "", d.len);
out:
	if (qr != NULL)
		QRcode_free(qr);
	mg_buf_free(&d);
	return err;
}

/* --- Ed25519 signatures --- */

enum mg_err mg_ed25519_keygen(unsigned char pub[MG_ED25519_KEY], unsigned char priv[MG_ED25519_KEY])
{
	enum mg_err err = MG_ERR_INTERNAL;
	EVP_PKEY *key = NULL;
	EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	size_t publen = MG_ED25519_KEY, privlen = MG_ED25519_KEY;
	if (pctx != NULL && EVP_PKEY_keygen_init(pctx) == 1 && EVP_PKEY_keygen(pctx, &key) == 1 &&
	    EVP_PKEY_get_raw_public_key(key, pub, &publen) == 1 && EVP_PKEY_get_raw_private_key(key, priv, &privlen) == 1 &&
	    publen == MG_ED25519_KEY && privlen == MG_ED25519_KEY)
		err = MG_OK;
	EVP_PKEY_free(key);
	EVP_PKEY_CTX_free(pctx);
	return err;
}

enum mg_err mg_ed25519_sign(const unsigned char priv[MG_ED25519_KEY], const void *msg, size_t len,
			    unsigned char sig[MG_ED25519_SIG])
{
	enum mg_err err = MG_ERR_INTERNAL;
	EVP_PKEY *key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, priv, MG_ED25519_KEY);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	size_t siglen = MG_ED25519_SIG;
	if (key != NULL && md != NULL && EVP_DigestSignInit(md, NULL, NULL, NULL, key) == 1 &&
	    EVP_DigestSign(md, sig, &siglen, msg, len) == 1 && siglen == MG_ED25519_SIG)
		err = MG_OK;
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	return err;
}

bool mg_ed25519_verify(const unsigned char pub[MG_ED25519_KEY], const void *msg, size_t len,
		       const unsigned char sig[MG_ED25519_SIG])
{
	EVP_PKEY *key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, MG_ED25519_KEY);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	bool ok = key != NULL && md != NULL && EVP_DigestVerifyInit(md, NULL, NULL, NULL, key) == 1 &&
		  EVP_DigestVerify(md, sig, MG_ED25519_SIG, msg, len) == 1;
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	ERR_clear_error();
	return ok;
}

size_t mg_base64url_encode(const void *data, size_t len, char *out)
{
	size_t n = base64_encode_nopad(data, len, out);
	for (size_t i = 0; i < n; i++) {
		if (out[i] == '+')
			out[i] = '-';
		else if (out[i] == '/')
			out[i] = '_';
	}
	return n;
}

enum mg_err mg_base64url_decode(const char *text, unsigned char *out, size_t len)
{
	size_t chars = (len * 4 + 2) / 3; /* unpadded length of len bytes */
	if (strlen(text) != chars || chars > 1024)
		return MG_ERR_INPUT;
	char standard[1025];
	for (size_t i = 0; i < chars; i++) {
		char c = text[i];
		if (c == '+' || c == '/')
			return MG_ERR_INPUT;
		standard[i] = c == '-' ? '+' : c == '_' ? '/' : c;
	}
	standard[chars] = '\0';
	size_t got = 0;
	enum mg_err err = base64_decode_nopad(standard, chars, out, len, &got);
	return err == MG_OK && got == len ? MG_OK : MG_ERR_INPUT;
}
