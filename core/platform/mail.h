/*
 * Outgoing mail. Pages and modules queue a message with mg_mail_enqueue inside their own
 * transaction (so a registration and its confirmation mail commit together, or neither), and
 * mg_mail_send_pending — the job "core.mail", and `madoguchi mail send` — delivers what is
 * due: as .eml files into mail_dir (mail_transport = maildir, development) or to an SMTP relay
 * through libcurl (mail_transport = smtp).
 *
 * Delivery is at least once: a row is claimed (its next attempt pushed past a lease) before
 * it is delivered and marked sent after, so a sender killed in between sends it again later.
 *
 * The pure part (addresses, RFC 2047 headers, RFC 5322 messages) has no database and is
 * unit-tested on its own (tests/unit/test_mail.c).
 */
#ifndef MG_MAIL_H
#define MG_MAIL_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "arena.h"
#include "buf.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "err.h"

enum {
	MG_EMAIL_MAX = 254,         /* bytes of an address (RFC 5321 path limit less the brackets) */
	MG_MAIL_SUBJECT_MAX = 200,  /* characters */
	MG_MAIL_MAX_ATTEMPTS = 10,  /* then the message is failed: back-off 1, 2, 4 … 120 minutes, ~6 h */
	MG_MAIL_LEASE = 10 * 60,    /* seconds a claimed message waits before another sender may retry it */
	MG_MAIL_PASS_MAX = 500,     /* messages one mg_mail_send_pending call handles at most */
};

/* --- the pure part --- */


/*
 * What the person typed → the form to store and look up: surrounding white space (ASCII and
 * the ideographic space) dropped, full-width ASCII (as a Japanese IME types it) made ASCII,
 * lower-cased. Accepts local@domain with an ASCII local part of 1–64 characters (letters,
 * digits, !#$%&'*+/=?^_`{|}~- and single inner dots) and a domain of at least two labels of
 * letters, digits and inner '-'. False (and out empty) for anything else, or when the result
 * does not fit outlen.
 */
bool mg_email_normalise(const char *typed, char *out, size_t outlen);

/*
 * Appends text as a header field body after "<Name>: " (name_len bytes of the line already
 * used): printable ASCII as it is, anything else as RFC 2047 "=?UTF-8?B?…?=" encoded-words
 * (OpenSSL base64), each holding whole UTF-8 characters, lines folded with CRLF SP so none
 * exceeds 76 characters.
 */
void mg_mail_encode_header(const char *text, size_t name_len, struct mg_buf *out);

struct mg_mail_message {
	const char *from;       /* "Name <addr>" or "addr"; the name is encoded when not ASCII */
	const char *to;         /* a normalised address */
	const char *subject;    /* UTF-8, one line */
	const char *body;       /* UTF-8 text; line ends become CRLF */
	const char *message_id; /* "<unique@domain>" */
	time_t date;
};

/*
 * Appends the message in RFC 5322 form (CRLF line ends): Date (platform zone), From, To, Subject,
 * Message-ID, MIME-Version, Content-Type text/plain; charset=UTF-8, Content-Transfer-Encoding
 * base64, Auto-Submitted, a blank line and the base64 body in lines of 76. MG_ERR_INPUT when a
 * header value holds a line break or another control character, or the body is not UTF-8.
 */
enum mg_err mg_mail_compose(const struct mg_mail_message *m, struct mg_buf *out);

/* The address of a "Name <addr>" or "addr" sender, into out (empty when it has none). */
void mg_mail_address_of(const char *from, char *out, size_t outlen);

/* --- the outbox --- */

/* The statements of mg_mail_statements (mail.c); a call names one as &mg_mail_statements[<constant>]. */
enum mg_mail_sql {
	MG_SQL_MAIL_INSERT,
	MG_SQL_MAIL_DUE_TENANTS,
	MG_SQL_MAIL_CLAIM,
	MG_SQL_MAIL_LEASE,
	MG_SQL_MAIL_MARK_SENT,
	MG_SQL_MAIL_MARK_RETRY,
	MG_SQL_MAIL_MARK_FAILED,
	MG_SQL_MAIL_TENANT_KEY,
	MG_SQL_MAIL_COUNTS,
	MG_SQL_MAIL__MAX
};
extern const struct mg_sql mg_mail_statements[MG_SQL_MAIL__MAX + 1];

/* Remembers the configuration (transport, folder, relay, sender, master key file); call once
 * at start, before anything is sent. The master key is read only when a message is sent. */
void mg_mail_setup(const struct mg_config *cfg);

/*
 * Queues a message for tenant_id (0: the platform), sealing the recipient and the body with
 * key (the tenant's data key; for tenant 0 mg_mail_platform_key). Runs one INSERT on db, in
 * the caller's transaction if one is open. MG_ERR_INPUT for an address that is not
 * normalised, a subject with control characters or too long, or a body that is not UTF-8.
 */
enum mg_err mg_mail_enqueue(struct mg_db *db, uint64_t tenant_id, const unsigned char *key, const char *to,
			    const char *subject, const char *body);

/*
 * The key that seals the platform's own mail (tenant_id 0): HMAC-SHA-256(master, "platform-mail").
 * Platform mail goes to contractors' and operators' people, and an address is personal data
 * whoever sends to it: sealing it like a tenant's keeps one code path and leaves no address in
 * a dump or backup of the outbox. The key follows the master key, so mail still queued when
 * the master key is replaced fails (it is never more than a few hours old).
 */
enum mg_err mg_mail_platform_key(const unsigned char master[MG_KEY_BYTES], unsigned char key[MG_KEY_BYTES]);

/* The key mail of tenant_id is sealed with (the platform's for 0), for a caller that has no
 * master key of its own (a job); the master key is read once. MG_ERR_NOT_FOUND when destroyed. */
enum mg_err mg_mail_tenant_key(struct mg_db *db, struct mg_arena *arena, uint64_t tenant_id,
			       unsigned char key[MG_KEY_BYTES]);

struct mg_mail_stats {
	unsigned sent, retried, failed;
};

/* One pass over the due messages of every tenant (at most MG_MAIL_PASS_MAX); stats may be NULL. */
enum mg_err mg_mail_send_pending_counted(struct mg_db *db, struct mg_arena *arena, time_t now,
					 struct mg_mail_stats *stats);

/* The same with the signature of struct mg_job.run (core/module.h): the job "core.mail". */
enum mg_err mg_mail_send_pending(struct mg_db *db, struct mg_arena *arena, time_t now);

#endif
