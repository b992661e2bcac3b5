#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "crypto.h"
#include "log.h"

enum {
	BATCH = 1000, /* rows per query while verifying; keep in step with core.audit_rows */
};

const char mg_audit_genesis[65] = "0000000000000000000000000000000000000000000000000000000000000000";

const struct mg_sql mg_audit_statements[] = {
	/* @@in_transaction rides along so an append outside a transaction is caught for free */
	[MG_SQL_AUDIT_HEAD_LOCK] = { "core.audit_head_lock",
	  "SELECT last_seq, last_hash, @@in_transaction FROM audit_head WHERE tenant_id = ? FOR UPDATE" },
	[MG_SQL_AUDIT_HEAD_CREATE] = { "core.audit_head_create",
	  "INSERT IGNORE INTO audit_head (tenant_id, last_seq, last_hash) VALUES (?, 0, ?)" },
	[MG_SQL_AUDIT_INSERT] = { "core.audit_insert",
	  "INSERT INTO audit_log (tenant_id, seq, at, actor, action, object, ip, user_agent, outcome, detail,"
	  " prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" },
	/* the last_seq guard makes a head that moved under us an error, never a step back */
	[MG_SQL_AUDIT_HEAD_MOVE] = { "core.audit_head_move",
	  "UPDATE audit_head SET last_seq = ?, last_hash = ? WHERE tenant_id = ? AND last_seq = ?" },
	/* every chain: those with a head and those with rows (a chain whose head was deleted) */
	[MG_SQL_AUDIT_TENANTS] = { "core.audit_tenants",
	  "SELECT tenant_id FROM audit_head UNION SELECT tenant_id FROM audit_log GROUP BY tenant_id"
	  " ORDER BY tenant_id" },
	[MG_SQL_AUDIT_HEAD_GET] = { "core.audit_head_get",
	  "SELECT last_seq, last_hash FROM audit_head WHERE tenant_id = ?" },
	/* at comes back in exactly the text mg_audit_append hashed (6 fractional digits) */
	[MG_SQL_AUDIT_ROWS] = { "core.audit_rows",
	  "SELECT seq, DATE_FORMAT(at, '%Y-%m-%d %H:%i:%s.%f'), actor, action, object, ip, user_agent, outcome,"
	  " detail, prev_hash, hash FROM audit_log WHERE tenant_id = ? AND seq > ? ORDER BY seq LIMIT 1000" },
	[MG_SQL_AUDIT_TENANT_BY_SLUG] = { "core.audit_tenant_by_slug", "SELECT id FROM tenant WHERE slug = ?" },
	[MG_SQL_AUDIT_TENANT_SLUG] = { "core.audit_tenant_slug", "SELECT slug FROM tenant WHERE id = ?" },
	[MG_SQL_AUDIT__MAX] = { NULL, NULL },
};

/* --- the canonical serialisation --- */

static void netstring(struct mg_buf *out, const char *s)
{
	if (s == NULL) {
		mg_buf_append(out, "-,", 2);
		return;
	}
	size_t len = strlen(s);
	mg_buf_printf(out, "%zu:", len);
	mg_buf_append(out, s, len);
	mg_buf_append(out, ",", 1);
}

static void netstring_u64(struct mg_buf *out, uint64_t v)
{
	char digits[24];
	snprintf(digits, sizeof(digits), "%" PRIu64, v);
	netstring(out, digits);
}

void mg_audit_serialise(const struct mg_audit_row *row, struct mg_buf *out)
{
	/* The version tag lets a later format coexist with rows hashed under this one. Every
	 * field but detail is NOT NULL in the table; a NULL here serialises as NULL all the same
	 * rather than crash, and can never match a stored row's hash. */
	netstring(out, "mg-audit-v1");
	netstring_u64(out, row->tenant_id);
	netstring_u64(out, row->seq);
	netstring(out, row->at);
	netstring(out, row->actor);
	netstring(out, row->action);
	netstring(out, row->object);
	netstring(out, row->ip);
	netstring(out, row->user_agent);
	netstring(out, row->outcome);
	netstring(out, row->detail);
	netstring(out, row->prev_hash);
}

void mg_audit_hash(const struct mg_audit_row *row, char out[65])
{
	struct mg_buf buf;
	mg_buf_init(&buf);
	mg_audit_serialise(row, &buf);
	mg_sha256_hex(buf.data, buf.len, out);
	mg_buf_free(&buf);
}

/* --- cleaning what callers pass --- */

/* Length of the valid UTF-8 sequence at s (1 to 4), or 0 when it is not one: overlong
 * forms, surrogates and code points above U+10FFFF are not (MariaDB's utf8mb4 refuses them
 * in strict mode, which would fail the insert and with it the caller's transaction). */
static size_t utf8_sequence(const unsigned char *s)
{
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		unsigned char lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
		return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		unsigned char lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
		return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 && (s[3] & 0xc0) == 0x80 ? 4 : 0;
	}
	return 0;
}

char *mg_audit_clean(struct mg_arena *arena, const char *s, size_t max_chars)
{
	if (s == NULL)
		return NULL;
	/* each input byte becomes at most 3 output bytes (U+FFFD) */
	size_t len = strlen(s);
	char *out = mg_arena_alloc(arena, len * 3 + 1);
	size_t o = 0, chars = 0;
	const unsigned char *p = (const unsigned char *)s;
	while (*p != '\0' && chars < max_chars) {
		size_t n = utf8_sequence(p);
		if (n == 0) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			p++;
		} else {
			memcpy(out + o, p, n);
			o += n;
			p += n;
		}
		chars++;
	}
	out[o] = '\0';
	return out;
}

static bool valid_action(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > MG_AUDIT_ACTION_MAX)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

static bool valid_outcome(const char *s)
{
	return strcmp(s, "success") == 0 || strcmp(s, "failure") == 0 || strcmp(s, "denied") == 0;
}

static bool valid_hash(const char *s, size_t len)
{
	return s != NULL && len == 64 && strspn(s, "0123456789abcdef") == 64;
}

/* Now in UTC as "YYYY-MM-DD HH:MM:SS.ffffff": the exact text DATETIME(6) stores and
 * DATE_FORMAT(at, '%Y-%m-%d %H:%i:%s.%f') gives back. */
static void utc_now(char out[27])
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(out, 20, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(out + 19, 8, ".%06u", (unsigned)(ts.tv_nsec / 1000) % 1000000u);
}

/* --- appending --- */

/* Locks the tenant's head row, creating it first if the tenant has none. */
static enum mg_err lock_head(struct mg_db *db, struct mg_arena *arena, uint64_t tenant_id, uint64_t *last_seq,
			     char last_hash[65])
{
	struct mg_dbval id[] = { MG_INT(tenant_id) };
	struct mg_rows rows;
	enum mg_err err = mg_db_exec(db, arena, &mg_audit_statements[MG_SQL_AUDIT_HEAD_LOCK], id, 1, &rows, NULL, NULL);
	if (err == MG_OK && rows.nrows == 0) {
		/* Locking first and creating only when missing, rather than INSERT IGNORE on every
		 * append: INSERT IGNORE takes a shared lock on an existing row, and two appenders
		 * holding it that both ask for the exclusive one deadlock. The creation itself can
		 * deadlock with a second first-ever append of the tenant; the transaction retry
		 * settles that once per tenant. */
		struct mg_dbval create[] = { MG_INT(tenant_id), MG_TEXT(mg_audit_genesis) };
		if ((err = mg_db_exec(db, arena, &mg_audit_statements[MG_SQL_AUDIT_HEAD_CREATE], create, 2, NULL, NULL,
		                      NULL)) != MG_OK)
			return err;
		err = mg_db_exec(db, arena, &mg_audit_statements[MG_SQL_AUDIT_HEAD_LOCK], id, 1, &rows, NULL, NULL);
	}
	if (err != MG_OK)
		return err;
	if (rows.nrows != 1) {
		mg_log_error("audit: tenant %" PRIu64 ": no audit_head row after creating it", tenant_id);
		return MG_ERR_INTERNAL;
	}
	/* Outside a transaction the lock would end with the SELECT and the row and the head
	 * could commit apart; refuse rather than risk a chain that later appends cannot extend. */
	const char *in_txn = MG_CELL(&rows, 0, 2);
	if (in_txn == NULL || strcmp(in_txn, "1") != 0) {
		mg_log_error("audit: mg_audit_append called outside a transaction");
		return MG_ERR_INTERNAL;
	}
	const char *hash = MG_CELL(&rows, 0, 1);
	if (!valid_hash(hash, rows.lens[1])) {
		mg_log_error("audit: tenant %" PRIu64 ": audit_head holds a malformed hash", tenant_id);
		return MG_ERR_INTERNAL;
	}
	*last_seq = strtoull(MG_CELL(&rows, 0, 0), NULL, 10);
	memcpy(last_hash, hash, 65);
	return MG_OK;
}

enum mg_err mg_audit_append(struct mg_db *db, struct mg_arena *arena, const struct mg_audit_event *ev)
{
	if (ev->actor == NULL || ev->actor[0] == '\0' || ev->action == NULL || !valid_action(ev->action) ||
	    ev->outcome == NULL || !valid_outcome(ev->outcome)) {
		mg_log_error("audit: refused an event with actor '%s', action '%s', outcome '%s'",
			     ev->actor ? ev->actor : "(null)", ev->action ? ev->action : "(null)",
			     ev->outcome ? ev->outcome : "(null)");
		return MG_ERR_INPUT;
	}
	/* Cleaned before hashing, so the hash covers exactly what the row stores. */
	struct mg_audit_row row = {
		.tenant_id = ev->tenant_id,
		.actor = mg_audit_clean(arena, ev->actor, MG_AUDIT_ACTOR_MAX),
		.action = ev->action,
		.object = mg_audit_clean(arena, ev->object ? ev->object : "", MG_AUDIT_OBJECT_MAX),
		.ip = mg_audit_clean(arena, ev->ip ? ev->ip : "", MG_AUDIT_IP_MAX),
		.user_agent = mg_audit_clean(arena, ev->user_agent ? ev->user_agent : "", MG_AUDIT_USER_AGENT_MAX),
		.outcome = ev->outcome,
		.detail = mg_audit_clean(arena, ev->detail, MG_AUDIT_DETAIL_MAX),
	};
	uint64_t last_seq = 0;
	char prev_hash[65], hash[65], at[27];
	enum mg_err err = lock_head(db, arena, ev->tenant_id, &last_seq, prev_hash);
	if (err != MG_OK)
		return err;
	/* Taken under the lock, so within one host's clock `at` rises with seq. */
	utc_now(at);
	row.seq = last_seq + 1;
	row.at = at;
	row.prev_hash = prev_hash;
	mg_audit_hash(&row, hash);

	struct mg_dbval values[] = { MG_INT(row.tenant_id), MG_INT(row.seq),	MG_TEXT(row.at),
				     MG_TEXT(row.actor),    MG_TEXT(row.action), MG_TEXT(row.object),
				     MG_TEXT(row.ip),	    MG_TEXT(row.user_agent), MG_TEXT(row.outcome),
				     MG_TEXT(row.detail),   MG_TEXT(row.prev_hash), MG_TEXT(hash) };
	err = mg_db_exec(db, arena, &mg_audit_statements[MG_SQL_AUDIT_INSERT], values,
	                 sizeof(values) / sizeof(values[0]), NULL, NULL, NULL);
	if (err == MG_ERR_CONFLICT) {
		/* a row beyond the head: someone wrote around mg_audit_append. Appending stops
		 * (fail closed) until an operator has looked. */
		mg_log_error("audit: tenant %" PRIu64 ": row seq %" PRIu64 " exists beyond audit_head; "
			     "run `madoguchi audit verify`", row.tenant_id, row.seq);
		return MG_ERR_INTERNAL;
	}
	if (err != MG_OK)
		return err;
	struct mg_dbval move[] = { MG_INT(row.seq), MG_TEXT(hash), MG_INT(row.tenant_id), MG_INT(last_seq) };
	unsigned long long affected = 0;
	if ((err = mg_db_exec(db, arena, &mg_audit_statements[MG_SQL_AUDIT_HEAD_MOVE], move, 4, NULL, &affected,
	                      NULL)) != MG_OK)
		return err;
	if (affected != 1) {
		mg_log_error("audit: tenant %" PRIu64 ": audit_head moved while locked", row.tenant_id);
		return MG_ERR_INTERNAL;
	}
	return MG_OK;
}

struct record_args {
	const struct mg_audit_event *ev;
	struct mg_arena *arena;
};

static enum mg_err record_txn(struct mg_db *db, void *arg)
{
	struct record_args *a = arg;
	mg_arena_reset(a->arena); /* a retry starts clean */
	return mg_audit_append(db, a->arena, a->ev);
}

enum mg_err mg_audit_record(struct mg_db *db, const struct mg_audit_event *ev)
{
	struct record_args a = { ev, mg_arena_new() };
	enum mg_err err = mg_db_transaction(db, record_txn, &a);
	mg_arena_free(a.arena);
	return err;
}

/* --- verifying --- */

struct chain_check {
	uint64_t tenant_id;
	/* results */
	uint64_t rows; /* rows of this chain read */
	bool broken;
	uint64_t seq;
	char why[160];
	/* progress across chains */
	uint64_t rows_before;
	void (*progress)(void *arg, uint64_t rows);
	void *progress_arg;
};

static void broken(struct chain_check *c, uint64_t seq, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void broken(struct chain_check *c, uint64_t seq, const char *fmt, ...)
{
	va_list ap;
	c->broken = true;
	c->seq = seq;
	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
}

/* Checks one batch of rows; false once the chain is found broken. */
static bool check_batch(struct chain_check *c, const struct mg_rows *rows, uint64_t *expected, char prev[65])
{
	for (size_t r = 0; r < rows->nrows; r++) {
		const char *cell[11];
		for (size_t i = 0; i < 11; i++) {
			cell[i] = MG_CELL(rows, r, i);
			/* a NUL byte written by hand would hide what follows it from strlen */
			if (cell[i] != NULL && strlen(cell[i]) != rows->lens[r * rows->ncols + i]) {
				broken(c, strtoull(cell[0], NULL, 10), "hash mismatch (a field holds a NUL byte)");
				return false;
			}
		}
		uint64_t seq = strtoull(cell[0], NULL, 10);
		if (seq != *expected) {
			if (seq == *expected + 1)
				broken(c, *expected, "seq %" PRIu64 " missing", *expected);
			else
				broken(c, *expected, "seq %" PRIu64 " to %" PRIu64 " missing", *expected, seq - 1);
			return false;
		}
		if (cell[9] == NULL || strcmp(cell[9], prev) != 0) {
			broken(c, seq, "prev_hash does not link");
			return false;
		}
		struct mg_audit_row row = { c->tenant_id, seq, cell[1], cell[2], cell[3], cell[4],
					    cell[5], cell[6], cell[7], cell[8], cell[9] };
		char hash[65];
		mg_audit_hash(&row, hash);
		if (cell[10] == NULL || strcmp(cell[10], hash) != 0) {
			broken(c, seq, "hash mismatch");
			return false;
		}
		memcpy(prev, hash, 65);
		(*expected)++;
		c->rows++;
	}
	return true;
}

/* One chain, in one transaction: its reads share a snapshot, so rows and head agree even
 * while workers append. The reads lock nothing. */
static enum mg_err check_chain(struct mg_db *db, void *arg)
{
	struct chain_check *c = arg;
	struct mg_arena *arena = mg_arena_new();
	c->rows = 0;
	c->broken = false;
	c->why[0] = '\0';
	struct mg_dbval id[] = { MG_INT(c->tenant_id) };
	struct mg_rows head;
	enum mg_err err = mg_db_exec(db, arena, &mg_audit_statements[MG_SQL_AUDIT_HEAD_GET], id, 1, &head, NULL, NULL);
	if (err != MG_OK)
		goto out;
	bool has_head = head.nrows == 1;
	uint64_t head_seq = has_head ? strtoull(MG_CELL(&head, 0, 0), NULL, 10) : 0;
	char head_hash[65] = "";
	if (has_head && MG_CELL(&head, 0, 1) != NULL)
		snprintf(head_hash, sizeof(head_hash), "%s", MG_CELL(&head, 0, 1));

	uint64_t expected = 1;
	char prev[65];
	memcpy(prev, mg_audit_genesis, 65);
	for (;;) {
		mg_arena_reset(arena);
		struct mg_dbval args[] = { MG_INT(c->tenant_id), MG_INT(expected - 1) };
		struct mg_rows rows;
		if ((err = mg_db_exec(db, arena, &mg_audit_statements[MG_SQL_AUDIT_ROWS], args, 2, &rows, NULL,
		                      NULL)) != MG_OK)
			goto out;
		if (!check_batch(c, &rows, &expected, prev))
			goto out;
		if (c->progress != NULL && rows.nrows > 0)
			c->progress(c->progress_arg, c->rows_before + c->rows);
		if (rows.nrows < BATCH)
			break;
	}
	if (!has_head) {
		if (c->rows > 0)
			broken(c, 1, "no audit_head row, chain has %" PRIu64 " rows", c->rows);
	} else if (head_seq != c->rows) {
		broken(c, head_seq > c->rows ? c->rows + 1 : head_seq + 1,
		       "head says %" PRIu64 " rows, chain has %" PRIu64, head_seq, c->rows);
	} else if (strcmp(head_hash, prev) != 0) {
		broken(c, c->rows, "head hash does not match row %" PRIu64, c->rows);
	}
out:
	mg_arena_free(arena);
	return err;
}

enum mg_err mg_audit_verify(struct mg_db *db, uint64_t tenant_id, struct mg_audit_verdict *out,
			    void (*progress)(void *arg, uint64_t rows), void *arg)
{
	memset(out, 0, sizeof(*out));
	out->intact = true;
	struct mg_arena *arena = mg_arena_new();
	enum mg_err err = MG_OK;
	uint64_t single = tenant_id;
	const uint64_t *ids = &single;
	size_t nids = 1;
	if (tenant_id == MG_AUDIT_ALL) {
		struct mg_rows rows;
		if ((err = mg_db_exec(db, arena, &mg_audit_statements[MG_SQL_AUDIT_TENANTS], NULL, 0, &rows, NULL,
		                      NULL)) != MG_OK)
			goto out;
		uint64_t *list = mg_arena_alloc(arena, (rows.nrows + 1) * sizeof(*list));
		for (size_t r = 0; r < rows.nrows; r++)
			list[r] = strtoull(MG_CELL(&rows, r, 0), NULL, 10);
		ids = list;
		nids = rows.nrows;
	}
	for (size_t i = 0; i < nids; i++) {
		struct chain_check c = { .tenant_id = ids[i], .rows_before = out->rows, .progress = progress,
					 .progress_arg = arg };
		if ((err = mg_db_transaction(db, check_chain, &c)) != MG_OK)
			goto out;
		out->rows += c.rows;
		out->tenants++;
		if (c.broken) {
			if (out->intact) {
				out->intact = false;
				out->tenant_id = c.tenant_id;
				out->seq = c.seq;
				snprintf(out->why, sizeof(out->why), "%s", c.why);
			}
			out->broken_tenants++;
		}
	}
out:
	mg_arena_free(arena);
	return err;
}
