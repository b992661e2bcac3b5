#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "backup_stream.h"

enum { TAG = 16, IO_BUF = 64 * 1024, NONCE = 12, LEVEL = 3 /* fast: 100 GB must fit in the night */ };

static const unsigned char magic[8] = { 'M', 'G', 'B', 'K', 'v', '1', 0, 0 };

/* State shared by both directions: the hash of the sealed bytes and the record counter. */
struct stream {
	const unsigned char *key;
	const char *name;
	unsigned char header[MG_BACKUP_HEADER];
	uint32_t counter;
	EVP_MD_CTX *md;
	EVP_CIPHER_CTX *cipher;
	struct mg_backup_sum *sum;
	char *why;
	size_t whylen;
};

static void put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static uint32_t get_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static enum mg_err fail(struct stream *s, enum mg_err err, const char *what)
{
	snprintf(s->why, s->whylen, "%s", what);
	return err;
}

static enum mg_err stream_begin(struct stream *s, const unsigned char *key, const char *name,
				struct mg_backup_sum *sum, char *why, size_t whylen)
{
	memset(s, 0, sizeof(*s));
	memset(sum, 0, sizeof(*sum));
	s->key = key;
	s->name = name;
	s->sum = sum;
	s->why = why;
	s->whylen = whylen;
	why[0] = '\0';
	s->md = EVP_MD_CTX_new();
	s->cipher = EVP_CIPHER_CTX_new();
	if (s->md == NULL || s->cipher == NULL || EVP_DigestInit_ex(s->md, EVP_sha256(), NULL) != 1)
		return fail(s, MG_ERR_NOMEM, "OpenSSL could not set up SHA-256 or AES-GCM");
	return MG_OK;
}

static void stream_end(struct stream *s, enum mg_err err)
{
	if (err == MG_OK) {
		unsigned char md[EVP_MAX_MD_SIZE];
		unsigned mdlen = 0;
		EVP_DigestFinal_ex(s->md, md, &mdlen);
		for (unsigned i = 0; i < mdlen && i < 32; i++)
			snprintf(s->sum->sha256 + 2 * i, 3, "%02x", md[i]);
	}
	EVP_MD_CTX_free(s->md);
	EVP_CIPHER_CTX_free(s->cipher);
}

/* Writes bytes to out and into the running hash. */
static enum mg_err emit(struct stream *s, FILE *out, const void *data, size_t len)
{
	if (len > 0 && fwrite(data, 1, len, out) != len)
		return fail(s, MG_ERR_IO, "cannot write the backup file");
	EVP_DigestUpdate(s->md, data, len);
	s->sum->sealed_bytes += len;
	return MG_OK;
}

/* Reads exactly len bytes into the running hash; MG_ERR_NOT_FOUND at a clean end of file
 * (nothing read), MG_ERR_INPUT when cut short. */
static enum mg_err take(struct stream *s, FILE *in, void *data, size_t len)
{
	size_t got = fread(data, 1, len, in);
	if (got > 0)
		EVP_DigestUpdate(s->md, data, got);
	s->sum->sealed_bytes += got;
	if (got == len)
		return MG_OK;
	if (ferror(in))
		return fail(s, MG_ERR_IO, "cannot read the backup file");
	return got == 0 ? MG_ERR_NOT_FOUND : MG_ERR_INPUT;
}

/* The nonce and the authenticated data of the current record. */
static bool record_init(struct stream *s, bool encrypt, bool final)
{
	unsigned char nonce[NONCE], aad[MG_BACKUP_HEADER + 5];
	memcpy(nonce, s->header + 8, 8);
	put_be32(nonce + 8, s->counter);
	memcpy(aad, s->header, MG_BACKUP_HEADER);
	put_be32(aad + MG_BACKUP_HEADER, s->counter);
	aad[MG_BACKUP_HEADER + 4] = final ? 1 : 0;
	int n = 0;
	return EVP_CipherInit_ex2(s->cipher, EVP_aes_256_gcm(), s->key, nonce, encrypt ? 1 : 0, NULL) == 1 &&
	       EVP_CipherUpdate(s->cipher, NULL, &n, aad, sizeof(aad)) == 1 &&
	       EVP_CipherUpdate(s->cipher, NULL, &n, (const unsigned char *)s->name, (int)strlen(s->name)) == 1;
}

/* ---- sealing ------------------------------------------------------------------------------- */

static enum mg_err write_record(struct stream *s, FILE *out, unsigned char *chunk, size_t len, bool final)
{
	if (s->counter == UINT32_MAX)
		return fail(s, MG_ERR_TOO_LARGE, "file too large for one backup stream (4 PiB)");
	unsigned char head[5], tag[TAG];
	put_be32(head, (uint32_t)len);
	head[4] = final ? 1 : 0;
	int n = 0, last = 0;
	if (!record_init(s, true, final) || (len > 0 && EVP_EncryptUpdate(s->cipher, chunk, &n, chunk, (int)len) != 1) ||
	    EVP_EncryptFinal_ex(s->cipher, chunk + n, &last) != 1 ||
	    EVP_CIPHER_CTX_ctrl(s->cipher, EVP_CTRL_AEAD_GET_TAG, TAG, tag) != 1)
		return fail(s, MG_ERR_INTERNAL, "AES-GCM refused to seal a chunk");
	enum mg_err err;
	if ((err = emit(s, out, head, sizeof(head))) != MG_OK || (err = emit(s, out, chunk, len)) != MG_OK ||
	    (err = emit(s, out, tag, TAG)) != MG_OK)
		return err;
	s->counter++;
	return MG_OK;
}

enum mg_err mg_backup_seal_stream(const unsigned char key[MG_KEY_BYTES], const char *name, FILE *in, FILE *out,
				  mg_backup_progress_fn progress, void *progress_arg, struct mg_backup_sum *sum,
				  char *why, size_t whylen)
{
	struct stream s;
	z_stream z;
	memset(&z, 0, sizeof(z));
	bool z_ready = false;
	unsigned char *plain = malloc(IO_BUF), *chunk = malloc(MG_BACKUP_CHUNK);
	enum mg_err err = stream_begin(&s, key, name, sum, why, whylen);
	if (err != MG_OK)
		goto out;
	if (plain == NULL || chunk == NULL) {
		err = fail(&s, MG_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (deflateInit2(&z, LEVEL, Z_DEFLATED, 15 + 16 /* gzip */, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		err = fail(&s, MG_ERR_NOMEM, "zlib could not start");
		goto out;
	}
	z_ready = true;
	memcpy(s.header, magic, sizeof(magic));
	mg_random_bytes(s.header + 8, 8);
	if ((err = emit(&s, out, s.header, sizeof(s.header))) != MG_OK)
		goto out;
	z.next_out = chunk;
	z.avail_out = MG_BACKUP_CHUNK;
	bool done = false;
	while (!done) {
		size_t got = fread(plain, 1, IO_BUF, in);
		if (ferror(in)) {
			err = fail(&s, MG_ERR_IO, "cannot read the file being backed up");
			goto out;
		}
		sum->plain_bytes += got;
		int flush = feof(in) ? Z_FINISH : Z_NO_FLUSH;
		z.next_in = plain;
		z.avail_in = (uInt)got;
		do {
			int rc = deflate(&z, flush);
			if (rc == Z_STREAM_ERROR) {
				err = fail(&s, MG_ERR_INTERNAL, "zlib failed to compress");
				goto out;
			}
			if (rc == Z_STREAM_END || z.avail_out == 0) {
				done = rc == Z_STREAM_END;
				if ((err = write_record(&s, out, chunk, MG_BACKUP_CHUNK - z.avail_out, done)) != MG_OK)
					goto out;
				z.next_out = chunk;
				z.avail_out = MG_BACKUP_CHUNK;
				if (progress != NULL)
					progress(progress_arg, sum->plain_bytes);
			}
		} while (!done && (z.avail_in > 0 || (flush == Z_FINISH)));
	}
	if (fflush(out) != 0)
		err = fail(&s, MG_ERR_IO, "cannot write the backup file");
out:
	if (z_ready)
		deflateEnd(&z);
	stream_end(&s, err);
	free(plain);
	free(chunk);
	return err;
}

/* ---- opening ------------------------------------------------------------------------------- */

static enum mg_err open_record(struct stream *s, FILE *in, unsigned char *chunk, size_t *len, bool *final)
{
	char what[200];
	unsigned char head[5], tag[TAG];
	enum mg_err err = take(s, in, head, sizeof(head));
	if (err == MG_ERR_NOT_FOUND || err == MG_ERR_INPUT) {
		snprintf(what, sizeof(what), "truncated: the file ends after %u chunk(s), before its last one", s->counter);
		return fail(s, MG_ERR_INPUT, what);
	}
	if (err != MG_OK)
		return err;
	*len = get_be32(head);
	*final = head[4] == 1;
	if (*len > MG_BACKUP_CHUNK || head[4] > 1) {
		snprintf(what, sizeof(what), "damaged: chunk %u has an impossible header", s->counter);
		return fail(s, MG_ERR_INPUT, what);
	}
	if ((err = take(s, in, chunk, *len)) == MG_OK)
		err = take(s, in, tag, TAG);
	if (err == MG_ERR_NOT_FOUND || err == MG_ERR_INPUT) {
		snprintf(what, sizeof(what), "truncated: chunk %u is cut short", s->counter);
		return fail(s, MG_ERR_INPUT, what);
	}
	if (err != MG_OK)
		return err;
	int n = 0, last = 0;
	if (!record_init(s, false, *final) ||
	    (*len > 0 && EVP_DecryptUpdate(s->cipher, chunk, &n, chunk, (int)*len) != 1) ||
	    EVP_CIPHER_CTX_ctrl(s->cipher, EVP_CTRL_AEAD_SET_TAG, TAG, tag) != 1 ||
	    EVP_DecryptFinal_ex(s->cipher, chunk + n, &last) != 1) {
		snprintf(what, sizeof(what),
			 "damaged: chunk %u does not authenticate (a changed byte, a file moved or renamed, or another "
			 "backup key)", s->counter);
		return fail(s, MG_ERR_INPUT, what);
	}
	s->counter++;
	return MG_OK;
}

/* Inflates one opened chunk into out; *ended when the gzip stream is complete. */
static enum mg_err inflate_chunk(struct stream *s, z_stream *z, unsigned char *chunk, size_t len, unsigned char *buf,
				 FILE *out, bool *ended)
{
	z->next_in = chunk;
	z->avail_in = (uInt)len;
	while (z->avail_in > 0 && !*ended) {
		z->next_out = buf;
		z->avail_out = IO_BUF;
		int rc = inflate(z, Z_NO_FLUSH);
		if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
			return fail(s, MG_ERR_INPUT, "damaged: the compressed data inside is not valid gzip");
		size_t produced = IO_BUF - z->avail_out;
		s->sum->plain_bytes += produced;
		if (out != NULL && produced > 0 && fwrite(buf, 1, produced, out) != produced)
			return fail(s, MG_ERR_IO, "cannot write the restored file");
		*ended = rc == Z_STREAM_END;
		if (rc == Z_BUF_ERROR && z->avail_in > 0 && z->avail_out > 0)
			return fail(s, MG_ERR_INPUT, "damaged: the compressed data inside does not progress");
	}
	/* what is left in the output window after the input is used up */
	while (!*ended) {
		z->next_out = buf;
		z->avail_out = IO_BUF;
		int rc = inflate(z, Z_NO_FLUSH);
		size_t produced = IO_BUF - z->avail_out;
		if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
			return fail(s, MG_ERR_INPUT, "damaged: the compressed data inside is not valid gzip");
		s->sum->plain_bytes += produced;
		if (out != NULL && produced > 0 && fwrite(buf, 1, produced, out) != produced)
			return fail(s, MG_ERR_IO, "cannot write the restored file");
		*ended = rc == Z_STREAM_END;
		if (produced == 0)
			break;
	}
	if (*ended && z->avail_in > 0)
		return fail(s, MG_ERR_INPUT, "damaged: bytes after the end of the compressed data");
	return MG_OK;
}

enum mg_err mg_backup_open_stream(const unsigned char key[MG_KEY_BYTES], const char *name, FILE *in, FILE *out,
				  mg_backup_progress_fn progress, void *progress_arg, struct mg_backup_sum *sum,
				  char *why, size_t whylen)
{
	struct stream s;
	z_stream z;
	memset(&z, 0, sizeof(z));
	bool z_ready = false;
	unsigned char *buf = malloc(IO_BUF), *chunk = malloc(MG_BACKUP_CHUNK + TAG);
	enum mg_err err = stream_begin(&s, key, name, sum, why, whylen);
	if (err != MG_OK)
		goto out;
	if (buf == NULL || chunk == NULL) {
		err = fail(&s, MG_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (inflateInit2(&z, 15 + 16) != Z_OK) {
		err = fail(&s, MG_ERR_NOMEM, "zlib could not start");
		goto out;
	}
	z_ready = true;
	err = take(&s, in, s.header, sizeof(s.header));
	if (err == MG_ERR_NOT_FOUND || err == MG_ERR_INPUT || (err == MG_OK && memcmp(s.header, magic, 8) != 0)) {
		err = fail(&s, MG_ERR_INPUT, "not a Madoguchi backup file (its header is wrong or missing)");
		goto out;
	}
	if (err != MG_OK)
		goto out;
	bool final = false, ended = false;
	while (!final) {
		size_t len = 0;
		if ((err = open_record(&s, in, chunk, &len, &final)) != MG_OK ||
		    (err = inflate_chunk(&s, &z, chunk, len, buf, out, &ended)) != MG_OK)
			goto out;
		if (ended != final) {
			err = fail(&s, MG_ERR_INPUT, ended ? "damaged: the compressed data ends before the last chunk"
							   : "damaged: the compressed data is incomplete");
			goto out;
		}
		if (progress != NULL)
			progress(progress_arg, sum->plain_bytes);
	}
	unsigned char extra;
	if (fread(&extra, 1, 1, in) == 1) {
		err = fail(&s, MG_ERR_INPUT, "damaged: bytes after the last chunk");
		goto out;
	}
	if (out != NULL && fflush(out) != 0)
		err = fail(&s, MG_ERR_IO, "cannot write the restored file");
out:
	if (z_ready)
		inflateEnd(&z);
	stream_end(&s, err);
	free(buf);
	free(chunk);
	return err;
}
