/*
 * The outbox (table mail_outbox, schema/core/0005_people_mail.sql) and its two transports.
 * See mail.h for the contract; the message format is in mail_format.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "clock.h"
#include "form.h"
#include "log.h"
#include "mail.h"
#include "tenant.h"

const struct mg_sql mg_mail_statements[] = {
	[MG_SQL_MAIL_INSERT] = { "core.mail_insert",
	  "INSERT INTO mail_outbox (tenant_id, recipient_sealed, subject, body_sealed, state, attempts, next_attempt_at,"
	  " created_at) VALUES (?, ?, ?, ?, 'queued', 0, FROM_UNIXTIME(?), FROM_UNIXTIME(?))" },
	/* a plain read: which tenants have something due (each is then claimed on its own) */
	[MG_SQL_MAIL_DUE_TENANTS] = { "core.mail_due_tenants",
	  "SELECT DISTINCT tenant_id FROM mail_outbox WHERE state = 'queued' AND next_attempt_at <= FROM_UNIXTIME(?)"
	  " ORDER BY tenant_id" },
	[MG_SQL_MAIL_CLAIM] = { "core.mail_claim",
	  "SELECT id, recipient_sealed, subject, body_sealed, attempts FROM mail_outbox"
	  " WHERE tenant_id = ? AND state = 'queued' AND next_attempt_at <= FROM_UNIXTIME(?)"
	  " ORDER BY next_attempt_at, id LIMIT 20 FOR UPDATE SKIP LOCKED" },
	[MG_SQL_MAIL_LEASE] = { "core.mail_lease",
	  "UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = FROM_UNIXTIME(?)"
	  " WHERE tenant_id = ? AND id = ?" },
	[MG_SQL_MAIL_MARK_SENT] = { "core.mail_mark_sent",
	  "UPDATE mail_outbox SET state = 'sent', sent_at = FROM_UNIXTIME(?), last_error = NULL"
	  " WHERE tenant_id = ? AND id = ?" },
	[MG_SQL_MAIL_MARK_RETRY] = { "core.mail_mark_retry",
	  "UPDATE mail_outbox SET next_attempt_at = FROM_UNIXTIME(?), last_error = ? WHERE tenant_id = ? AND id = ?" },
	[MG_SQL_MAIL_MARK_FAILED] = { "core.mail_mark_failed",
	  "UPDATE mail_outbox SET state = 'failed', last_error = ? WHERE tenant_id = ? AND id = ?" },
	[MG_SQL_MAIL_TENANT_KEY] = { "core.mail_tenant_key", "SELECT data_key_wrapped FROM tenant WHERE id = ?" },
	[MG_SQL_MAIL_COUNTS] = { "core.mail_counts",
	  "SELECT state, COUNT(*), COALESCE(SUM(next_attempt_at <= FROM_UNIXTIME(?)), 0) FROM mail_outbox"
	  " GROUP BY state ORDER BY state" },
	[MG_SQL_MAIL__MAX] = { NULL, NULL },
};

static const struct mg_config *mail_cfg;
static unsigned char master_key[MG_KEY_BYTES];
static bool have_master_key;

void mg_mail_setup(const struct mg_config *cfg)
{
	mail_cfg = cfg;
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void aad(char *out, size_t len, const char *column, uint64_t tenant_id)
{
	snprintf(out, len, "mail_outbox.%s:tenant=%llu", column, (unsigned long long)tenant_id);
}

enum mg_err mg_mail_platform_key(const unsigned char master[MG_KEY_BYTES], unsigned char key[MG_KEY_BYTES])
{
	static const char label[] = "platform-mail";
	char hex[65];
	size_t len = 0;
	enum mg_err err = mg_hmac_sha256_hex(master, MG_KEY_BYTES, label, strlen(label), hex);
	if (err == MG_OK && (OPENSSL_hexstr2buf_ex(key, MG_KEY_BYTES, &len, hex, '\0') != 1 ||
			     len != MG_KEY_BYTES))
		err = MG_ERR_INTERNAL;
	OPENSSL_cleanse(hex, sizeof(hex));
	return err;
}

enum mg_err mg_mail_enqueue(struct mg_db *db, uint64_t tenant_id, const unsigned char *key, const char *to,
			    const char *subject, const char *body)
{
	char normal[MG_EMAIL_MAX + 1], where[64];
	if (key == NULL || !mg_email_normalise(to, normal, sizeof(normal)) || strcmp(normal, to) != 0 ||
	    !mg_utf8_valid(subject, strlen(subject)) || !mg_utf8_valid(body, strlen(body)))
		return MG_ERR_INPUT;
	size_t chars = 0;
	for (const char *c = subject; *c != '\0'; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return MG_ERR_INPUT;
		chars += ((unsigned char)*c & 0xc0) != 0x80;
	}
	if (chars > MG_MAIL_SUBJECT_MAX)
		return MG_ERR_INPUT;
	struct mg_buf recipient, sealed_body;
	mg_buf_init(&recipient);
	mg_buf_init(&sealed_body);
	struct mg_arena *arena = mg_arena_new();
	enum mg_err err;
	aad(where, sizeof(where), "recipient", tenant_id);
	if ((err = mg_seal(key, where, to, strlen(to), &recipient)) != MG_OK)
		goto out;
	aad(where, sizeof(where), "body", tenant_id);
	if ((err = mg_seal(key, where, body, strlen(body), &sealed_body)) != MG_OK)
		goto out;
	time_t now = mg_now();
	struct mg_dbval row[] = { MG_INT(tenant_id), MG_BLOB(recipient.data, recipient.len), MG_TEXT(subject),
				  MG_BLOB(sealed_body.data, sealed_body.len), MG_INT(now), MG_INT(now) };
	err = mg_db_exec(db, arena, &mg_mail_statements[MG_SQL_MAIL_INSERT], row, 6, NULL, NULL, NULL);
out:
	mg_buf_free(&recipient);
	mg_buf_free(&sealed_body);
	mg_arena_free(arena);
	return err;
}

/* --- transports --- */

enum outcome { DELIVERED, TRANSIENT, PERMANENT };

/* Writes the message into mail_dir under a hidden name, then renames it to its .eml name, so
 * a reader of the folder never sees half a message. */
static enum outcome deliver_maildir(const char *name, const struct mg_buf *msg, char *why, size_t whylen)
{
	char tmp[600], final[600];
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", mail_cfg->mail_dir, name);
	snprintf(final, sizeof(final), "%s/%s.eml", mail_cfg->mail_dir, name);
	if (mkdir(mail_cfg->mail_dir, 0700) != 0 && errno != EEXIST) {
		snprintf(why, whylen, "mkdir %.300s: %s", mail_cfg->mail_dir, strerror(errno));
		return TRANSIENT;
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(why, whylen, "open %.300s: %s", tmp, strerror(errno));
		return TRANSIENT;
	}
	size_t done = 0;
	while (done < msg->len) {
		ssize_t n = write(fd, msg->data + done, msg->len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	bool ok = done == msg->len && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, final) != 0) {
		snprintf(why, whylen, "writing %.300s: %s", final, strerror(errno));
		unlink(tmp);
		return TRANSIENT;
	}
	return DELIVERED;
}

struct upload {
	const char *data;
	size_t len, at;
};

static size_t upload_read(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct upload *u = arg;
	size_t n = size * nmemb < u->len - u->at ? size * nmemb : u->len - u->at;
	memcpy(buf, u->data + u->at, n);
	u->at += n;
	return n;
}

/* Hands the message to the relay with libcurl; a 5xx answer is permanent, anything else
 * (refused connection, time-out, 4xx) is tried again later. */
static enum outcome deliver_smtp(const char *to, const struct mg_buf *msg, char *why, size_t whylen)
{
	char from[MG_EMAIL_MAX + 1], curl_error[CURL_ERROR_SIZE] = "";
	mg_mail_address_of(mail_cfg->mail_from, from, sizeof(from));
	struct upload up = { msg->data, msg->len, 0 };
	CURL *curl = curl_easy_init();
	struct curl_slist *rcpt = curl_slist_append(NULL, to);
	if (curl == NULL || rcpt == NULL) {
		snprintf(why, whylen, "libcurl could not start");
		curl_slist_free_all(rcpt);
		curl_easy_cleanup(curl);
		return TRANSIENT;
	}
	curl_easy_setopt(curl, CURLOPT_URL, mail_cfg->smtp_url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY); /* STARTTLS when the relay offers it */
	curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(curl, CURLOPT_READFUNCTION, upload_read);
	curl_easy_setopt(curl, CURLOPT_READDATA, &up);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_error);
	CURLcode res = curl_easy_perform(curl);
	long code = 0;
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(curl);
	if (res == CURLE_OK)
		return DELIVERED;
	snprintf(why, whylen, "smtp: %s (last reply %ld)", curl_error[0] ? curl_error : curl_easy_strerror(res), code);
	return code >= 500 && code < 600 ? PERMANENT : TRANSIENT;
}

/* --- sending --- */

static bool load_master_key(void)
{
	char errbuf[512];
	if (!have_master_key && mg_master_key_load(mail_cfg->master_key_file, master_key, errbuf, sizeof(errbuf)) == MG_OK)
		have_master_key = true;
	else if (!have_master_key)
		mg_log_error("mail: %s", errbuf);
	return have_master_key;
}

/* The key the tenant's mail is sealed with; MG_ERR_NOT_FOUND when it is destroyed. */
static enum mg_err tenant_key(struct mg_db *db, struct mg_arena *arena, uint64_t tenant_id, unsigned char key[MG_KEY_BYTES])
{
	if (tenant_id == 0)
		return mg_mail_platform_key(master_key, key);
	struct mg_rows rows;
	struct mg_dbval id[] = { MG_INT(tenant_id) };
	enum mg_err err = mg_db_exec(db, arena, &mg_mail_statements[MG_SQL_MAIL_TENANT_KEY], id, 1, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	struct mg_tenant t = { .id = tenant_id };
	if (rows.nrows > 0 && MG_CELL(&rows, 0, 0) != NULL) {
		t.data_key_wrapped = (const unsigned char *)MG_CELL(&rows, 0, 0);
		t.data_key_wrapped_len = rows.lens[0];
	}
	return mg_tenant_data_key(master_key, &t, key);
}

struct claim {
	uint64_t tenant_id;
	time_t now;
	struct mg_arena *arena;
	struct mg_rows rows;
};

/* Short: takes up to 20 due messages nobody else holds and moves their next attempt past the
 * lease, so no other sender picks them while this one delivers (outside any transaction). */
static enum mg_err claim_txn(struct mg_db *db, void *arg)
{
	struct claim *c = arg;
	struct mg_dbval due[] = { MG_INT(c->tenant_id), MG_INT(c->now) };
	enum mg_err err =
	    mg_db_exec(db, c->arena, &mg_mail_statements[MG_SQL_MAIL_CLAIM], due, 2, &c->rows, NULL, NULL);
	for (size_t r = 0; err == MG_OK && r < c->rows.nrows; r++) {
		struct mg_dbval lease[] = { MG_INT(c->now + MG_MAIL_LEASE), MG_INT(c->tenant_id),
					    MG_INT(strtoull(MG_CELL(&c->rows, r, 0), NULL, 10)) };
		err = mg_db_exec(db, c->arena, &mg_mail_statements[MG_SQL_MAIL_LEASE], lease, 3, NULL, NULL, NULL);
	}
	return err;
}

static enum outcome deliver_row(struct mg_arena *arena, const struct claim *c, size_t r, const unsigned char *key,
				char *why, size_t whylen)
{
	char where[64], from[MG_EMAIL_MAX + 1], random[9];
	struct mg_buf to, body, message;
	mg_buf_init(&to);
	mg_buf_init(&body);
	mg_buf_init(&message);
	const struct mg_rows *rows = &c->rows;
	enum outcome result = PERMANENT;
	aad(where, sizeof(where), "recipient", c->tenant_id);
	bool opened = mg_unseal(key, where, MG_CELL(rows, r, 1), rows->lens[r * rows->ncols + 1], &to) == MG_OK;
	aad(where, sizeof(where), "body", c->tenant_id);
	opened = opened && mg_unseal(key, where, MG_CELL(rows, r, 3), rows->lens[r * rows->ncols + 3], &body) == MG_OK;
	if (!opened || to.len == 0) {
		snprintf(why, whylen, "the recipient or body cannot be unsealed");
		goto out;
	}
	unsigned char raw[4];
	mg_random_bytes(raw, sizeof(raw));
	snprintf(random, sizeof(random), "%02x%02x%02x%02x", raw[0], raw[1], raw[2], raw[3]);
	mg_mail_address_of(mail_cfg->mail_from, from, sizeof(from));
	const char *id = MG_CELL(rows, r, 0), *domain = strchr(from, '@');
	const char *name = mg_arena_printf(arena, "%lld.%llu-%s.%s", (long long)c->now, (unsigned long long)c->tenant_id,
					   id, random);
	struct mg_mail_message m = { mail_cfg->mail_from, to.data, MG_CELL(rows, r, 2), body.len ? body.data : "",
				     mg_arena_printf(arena, "<%s@%s>", name, domain ? domain + 1 : "localhost"), c->now };
	if (mg_mail_compose(&m, &message) != MG_OK) {
		snprintf(why, whylen, "the message cannot be composed (header or body not acceptable)");
		goto out;
	}
	result = strcmp(mail_cfg->mail_transport, "smtp") == 0 ? deliver_smtp(to.data, &message, why, whylen)
							       : deliver_maildir(name, &message, why, whylen);
out:
	OPENSSL_cleanse(body.data, body.len);
	mg_buf_free(&to);
	mg_buf_free(&body);
	mg_buf_free(&message);
	return result;
}

/* 1, 2, 4 … minutes after each failed attempt, at most two hours. */
static long backoff(int attempts)
{
	long seconds = 60L << (attempts > 8 ? 7 : attempts - 1);
	return seconds > 7200 ? 7200 : seconds;
}

static enum mg_err record(struct mg_db *db, struct mg_arena *arena, const struct claim *c, size_t r,
			  enum outcome outcome, const char *why, struct mg_mail_stats *stats)
{
	long long id = strtoll(MG_CELL(&c->rows, r, 0), NULL, 10);
	int attempts = atoi(MG_CELL(&c->rows, r, 4)) + 1;
	if (outcome == TRANSIENT && attempts >= MG_MAIL_MAX_ATTEMPTS)
		outcome = PERMANENT;
	if (outcome == DELIVERED) {
		stats->sent++;
		struct mg_dbval sent[] = { MG_INT(c->now), MG_INT(c->tenant_id), MG_INT(id) };
		return mg_db_exec(db, arena, &mg_mail_statements[MG_SQL_MAIL_MARK_SENT], sent, 3, NULL, NULL, NULL);
	}
	mg_log_warn("mail: tenant %llu message %lld, attempt %d: %s", (unsigned long long)c->tenant_id, id, attempts, why);
	if (outcome == TRANSIENT) {
		stats->retried++;
		struct mg_dbval retry[] = { MG_INT(c->now + backoff(attempts)), MG_TEXT(why), MG_INT(c->tenant_id), MG_INT(id) };
		return mg_db_exec(db, arena, &mg_mail_statements[MG_SQL_MAIL_MARK_RETRY], retry, 4, NULL, NULL, NULL);
	}
	stats->failed++;
	struct mg_dbval failed[] = { MG_TEXT(why), MG_INT(c->tenant_id), MG_INT(id) };
	return mg_db_exec(db, arena, &mg_mail_statements[MG_SQL_MAIL_MARK_FAILED], failed, 3, NULL, NULL, NULL);
}

static enum mg_err send_tenant(struct mg_db *db, struct mg_arena *arena, uint64_t tenant_id, time_t now,
			       struct mg_mail_stats *stats, unsigned *handled)
{
	unsigned char key[MG_KEY_BYTES];
	enum mg_err err = tenant_key(db, arena, tenant_id, key);
	if (err != MG_OK && err != MG_ERR_NOT_FOUND && err != MG_ERR_INPUT)
		return err;
	bool have_key = err == MG_OK;
	err = MG_OK;
	while (err == MG_OK && *handled < MG_MAIL_PASS_MAX) {
		struct claim c = { tenant_id, now, arena, { 0 } };
		if ((err = mg_db_transaction(db, claim_txn, &c)) != MG_OK || c.rows.nrows == 0)
			break;
		for (size_t r = 0; err == MG_OK && r < c.rows.nrows; r++, (*handled)++) {
			char why[400] = "the tenant's data key is destroyed";
			enum outcome outcome = have_key ? deliver_row(arena, &c, r, key, why, sizeof(why)) : PERMANENT;
			err = record(db, arena, &c, r, outcome, why, stats);
		}
	}
	OPENSSL_cleanse(key, sizeof(key));
	return err;
}

enum mg_err mg_mail_send_pending_counted(struct mg_db *db, struct mg_arena *arena, time_t now,
					 struct mg_mail_stats *stats)
{
	struct mg_mail_stats ignored;
	if (stats == NULL)
		stats = &ignored;
	memset(stats, 0, sizeof(*stats));
	if (mail_cfg == NULL) {
		mg_log_error("mail: mg_mail_setup was not called before sending");
		return MG_ERR_CONFIG;
	}
	struct mg_rows tenants;
	struct mg_dbval due[] = { MG_INT(now) };
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_mail_statements[MG_SQL_MAIL_DUE_TENANTS], due, 1, &tenants, NULL, NULL);
	if (err != MG_OK || tenants.nrows == 0)
		return err;
	if (!load_master_key())
		return MG_ERR_CONFIG;
	unsigned handled = 0;
	for (size_t t = 0; err == MG_OK && t < tenants.nrows && handled < MG_MAIL_PASS_MAX; t++)
		err = send_tenant(db, arena, strtoull(MG_CELL(&tenants, t, 0), NULL, 10), now, stats, &handled);
	return err;
}

enum mg_err mg_mail_send_pending(struct mg_db *db, struct mg_arena *arena, time_t now)
{
	return mg_mail_send_pending_counted(db, arena, now, NULL);
}

enum mg_err mg_mail_tenant_key(struct mg_db *db, struct mg_arena *arena, uint64_t tenant_id,
			       unsigned char key[MG_KEY_BYTES])
{
	if (!load_master_key())
		return MG_ERR_CONFIG;
	return tenant_key(db, arena, tenant_id, key);
}
