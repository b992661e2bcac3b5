/*
 * The file format of a backup (core/ops/backup.c): every file of the database copy is compressed
 * (gzip/deflate, zlib) and encrypted with AES-256-GCM under the backup key, streamed in chunks
 * so that no file is ever held in memory whole.
 *
 *   header  "MGBK" 'v' '1' 0 0 | 8-byte random nonce prefix                          16 bytes
 *   record  length (4 bytes, big-endian, at most MG_BACKUP_CHUNK) | final flag (1 byte)
 *           | ciphertext of `length` compressed bytes | GCM tag (16 bytes)
 *
 * Record n is sealed with nonce = prefix | n (4 bytes, big-endian) and authenticates the
 * header, n, the final flag and the file's name in the backup: a changed byte, a record
 * dropped, repeated or moved, a file renamed or swapped with another, a file cut short (no
 * final record) or with bytes after its final record all fail to open, with the reason.
 * A new random prefix per file keeps nonces unique under one key.
 */
#ifndef MG_BACKUP_STREAM_H
#define MG_BACKUP_STREAM_H

#include <stdio.h>

#include "crypto.h"
#include "err.h"

enum {
	MG_BACKUP_CHUNK = 1 << 20,   /* compressed bytes per record */
	MG_BACKUP_HEADER = 16,
};

/* What went through a stream. sha256 is of the sealed bytes (as stored on disk), so a
 * backup can be checked against its manifest without the key. */
struct mg_backup_sum {
	unsigned long long plain_bytes, sealed_bytes;
	char sha256[65];
};

/* Called after each record with the plain bytes done so far in this file (progress lines). */
typedef void (*mg_backup_progress_fn)(void *arg, unsigned long long plain_bytes);

/* Reads `in` to its end and writes it compressed and sealed to `out`. name is the file's path
 * inside the backup ("data/madoguchi/tenant.ibd"). On error, why says what failed. */
enum mg_err mg_backup_seal_stream(const unsigned char key[MG_KEY_BYTES], const char *name, FILE *in, FILE *out,
				  mg_backup_progress_fn progress, void *progress_arg, struct mg_backup_sum *sum,
				  char *why, size_t whylen);

/* Checks and opens what mg_backup_seal_stream wrote: writes the plain bytes to out (NULL only
 * checks). MG_ERR_INPUT when the file is damaged, truncated, renamed or sealed under another
 * key (why says which record and how), MG_ERR_IO when reading or writing failed. Bytes
 * written to out before a damaged record is found are not to be trusted: the caller deletes
 * the output on any error. */
enum mg_err mg_backup_open_stream(const unsigned char key[MG_KEY_BYTES], const char *name, FILE *in, FILE *out,
				  mg_backup_progress_fn progress, void *progress_arg, struct mg_backup_sum *sum,
				  char *why, size_t whylen);

#endif
