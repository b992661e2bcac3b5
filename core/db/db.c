#include <errno.h>
#include <stdint.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <errmsg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "log.h"

/* The registered statement tables, filled before the workers fork, read-only afterwards. A
 * statement's index, across all tables, is its table's base plus its place in the table; a
 * connection keeps its prepared statements in an array of that index. */
static struct registered {
	const struct mg_sql *first;
	size_t n;    /* entries before the { NULL, NULL } one */
	size_t base; /* index of first */
} *tables;
static size_t ntables, tables_cap, registry_n;

struct mg_db {
	MYSQL *conn;            /* NULL while disconnected */
	struct mg_db_params params;
	char *strings;          /* owns the params' strings */
	MYSQL_STMT **stmts;     /* prepared lazily, indexed like the registry */
	size_t nstmts;
	int in_transaction;
	unsigned last_errno;
	char last_error[512];
};

struct mg_dbval mg_dbval_text(const char *s)
{
	if (s == NULL)
		return MG_NULL;
	return (struct mg_dbval){ .type = MG_DB_TEXT, .s = s, .len = strlen(s) };
}

/* The registered statement at index. */
static const struct mg_sql *statement_at(size_t index)
{
	for (size_t t = 0; t < ntables; t++)
		if (index - tables[t].base < tables[t].n)
			return &tables[t].first[index - tables[t].base];
	return NULL;
}

/* The index of a handle: which registered table holds it (one range test per table, no
 * string compared), or -1. */
static long statement_index(const struct mg_sql *stmt)
{
	uintptr_t at = (uintptr_t)stmt;
	for (size_t t = 0; t < ntables; t++) {
		uintptr_t first = (uintptr_t)tables[t].first;
		if (at >= first && at < first + tables[t].n * sizeof(*stmt)) {
			if ((at - first) % sizeof(*stmt) != 0)
				return -1;
			return (long)(tables[t].base + (at - first) / sizeof(*stmt));
		}
	}
	return -1;
}

static bool name_registered(const char *name)
{
	for (size_t t = 0; t < ntables; t++)
		for (size_t i = 0; i < tables[t].n; i++)
			if (strcmp(tables[t].first[i].name, name) == 0)
				return true;
	return false;
}

enum mg_err mg_db_register(const struct mg_sql *table, char *errbuf, size_t errlen)
{
	size_t n = 0;
	for (const struct mg_sql *s = table; s != NULL && s->name != NULL; s++, n++) {
		if (s->sql == NULL) {
			snprintf(errbuf, errlen, "statement '%s' has no SQL", s->name);
			return MG_ERR_CONFIG;
		}
		bool twice = name_registered(s->name);
		for (const struct mg_sql *before = table; !twice && before < s; before++)
			twice = strcmp(before->name, s->name) == 0;
		if (twice) {
			snprintf(errbuf, errlen, "statement '%s' is defined twice", s->name);
			return MG_ERR_CONFIG;
		}
	}
	if (n == 0)
		return MG_OK;
	if (ntables == tables_cap) {
		size_t cap = tables_cap ? tables_cap * 2 : 32;
		struct registered *grown = realloc(tables, cap * sizeof(*grown));
		if (grown == NULL)
			return MG_ERR_NOMEM;
		tables = grown;
		tables_cap = cap;
	}
	tables[ntables++] = (struct registered){ table, n, registry_n };
	registry_n += n;
	return MG_OK;
}

/* Which of our errors a server or client error number means. */
static enum mg_err classify(unsigned code)
{
	switch (code) {
	case ER_LOCK_DEADLOCK:
	case ER_LOCK_WAIT_TIMEOUT:
		return MG_ERR_DB_BUSY;
	case ER_DUP_ENTRY:
		return MG_ERR_CONFLICT;
	case CR_SERVER_GONE_ERROR:
	case CR_SERVER_LOST:
	case CR_CONNECTION_ERROR:
	case CR_CONN_HOST_ERROR:
	case CR_SERVER_LOST_EXTENDED:
	case ER_CONNECTION_KILLED:
	case ER_SERVER_SHUTDOWN:
	case CR_COMMANDS_OUT_OF_SYNC:
		return MG_ERR_DB_GONE;
	default:
		return MG_ERR_DB;
	}
}

static void forget_connection(struct mg_db *db)
{
	for (size_t i = 0; i < db->nstmts; i++)
		if (db->stmts[i] != NULL) {
			mysql_stmt_close(db->stmts[i]);
			db->stmts[i] = NULL;
		}
	if (db->conn != NULL)
		mysql_close(db->conn);
	db->conn = NULL;
	db->in_transaction = 0;
}

static enum mg_err remember_error(struct mg_db *db, unsigned code, const char *message)
{
	db->last_errno = code;
	snprintf(db->last_error, sizeof(db->last_error), "%s", message ? message : "");
	enum mg_err err = classify(code);
	if (err == MG_ERR_DB_GONE)
		forget_connection(db);
	return err;
}

static enum mg_err connect_now(struct mg_db *db)
{
	MYSQL *conn = mysql_init(NULL);
	if (conn == NULL)
		return MG_ERR_NOMEM;
	unsigned timeout = 3, io_timeout = 60;
	mysql_optionsv(conn, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_optionsv(conn, MYSQL_OPT_READ_TIMEOUT, &io_timeout);
	mysql_optionsv(conn, MYSQL_OPT_WRITE_TIMEOUT, &io_timeout);
	mysql_optionsv(conn, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	/* times are stored in UTC; strict mode refuses truncated data instead of mangling it;
	 * a web request waits for a row lock at most 10 s */
	mysql_optionsv(conn, MYSQL_INIT_COMMAND,
		       "SET time_zone = '+00:00', sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,"
		       "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION', innodb_lock_wait_timeout = 10");
	const struct mg_db_params *p = &db->params;
	int use_socket = p->socket != NULL && p->socket[0] != '\0';
	if (mysql_real_connect(conn, use_socket ? NULL : p->host, p->user, p->password, p->database,
			       use_socket ? 0 : p->port, use_socket ? p->socket : NULL,
			       /* affected rows = rows matched, so "did it exist" does not depend on a change */
			       CLIENT_MULTI_STATEMENTS | CLIENT_FOUND_ROWS) == NULL) {
		enum mg_err err = remember_error(db, mysql_errno(conn), mysql_error(conn));
		mysql_close(conn);
		/* a refused login or an unknown database is a configuration problem that a retry
		 * will not fix, but the worker still answers 503 and tries again later */
		return err == MG_ERR_DB ? MG_ERR_DB_GONE : err;
	}
	db->conn = conn;
	return MG_OK;
}

static char *copy_param(char **cursor, const char *s)
{
	if (s == NULL)
		return NULL;
	size_t len = strlen(s) + 1;
	memcpy(*cursor, s, len);
	char *copy = *cursor;
	*cursor += len;
	return copy;
}

enum mg_err mg_db_open(const struct mg_db_params *params, struct mg_db **out)
{
	*out = NULL;
	struct mg_db *db = calloc(1, sizeof(*db));
	if (db == NULL)
		return MG_ERR_NOMEM;
	const char *fields[] = { params->socket, params->host, params->user, params->password, params->database };
	size_t total = 0;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		total += fields[i] ? strlen(fields[i]) + 1 : 0;
	db->strings = malloc(total + 1);
	db->stmts = calloc(registry_n + 1, sizeof(*db->stmts));
	if (db->strings == NULL || db->stmts == NULL) {
		mg_db_close(db);
		return MG_ERR_NOMEM;
	}
	db->nstmts = registry_n;
	char *cursor = db->strings;
	db->params.socket = copy_param(&cursor, params->socket);
	db->params.host = copy_param(&cursor, params->host);
	db->params.user = copy_param(&cursor, params->user);
	db->params.password = copy_param(&cursor, params->password);
	db->params.database = copy_param(&cursor, params->database);
	db->params.port = params->port;
	*out = db;
	return connect_now(db);
}

void mg_db_close(struct mg_db *db)
{
	if (db == NULL)
		return;
	forget_connection(db);
	free(db->stmts);
	free(db->strings);
	free(db);
}

bool mg_db_connected(const struct mg_db *db)
{
	return db != NULL && db->conn != NULL;
}

enum mg_err mg_db_ensure(struct mg_db *db)
{
	if (db->conn != NULL)
		return MG_OK;
	return connect_now(db);
}

unsigned mg_db_errno(const struct mg_db *db)
{
	return db->last_errno;
}

const char *mg_db_error(const struct mg_db *db)
{
	return db->last_error;
}

void *mg_db_handle(struct mg_db *db)
{
	return db->conn;
}

enum mg_err mg_db_simple(struct mg_db *db, const char *sql)
{
	enum mg_err err = mg_db_ensure(db);
	if (err != MG_OK)
		return err;
	if (mysql_query(db->conn, sql) != 0)
		return remember_error(db, mysql_errno(db->conn), mysql_error(db->conn));
	MYSQL_RES *res = mysql_store_result(db->conn);
	if (res != NULL)
		mysql_free_result(res);
	return MG_OK;
}

static enum mg_err prepared(struct mg_db *db, long index, MYSQL_STMT **out)
{
	if (db->stmts[index] != NULL) {
		*out = db->stmts[index];
		return MG_OK;
	}
	MYSQL_STMT *stmt = mysql_stmt_init(db->conn);
	if (stmt == NULL)
		return MG_ERR_NOMEM;
	const struct mg_sql *entry = statement_at((size_t)index);
	if (mysql_stmt_prepare(stmt, entry->sql, strlen(entry->sql)) != 0) {
		enum mg_err err = remember_error(db, mysql_stmt_errno(stmt), mysql_stmt_error(stmt));
		mg_log_error("db: cannot prepare %s: %s", entry->name, db->last_error);
		mysql_stmt_close(stmt);
		return err;
	}
	db->stmts[index] = stmt;
	*out = stmt;
	return MG_OK;
}

static void bind_args(MYSQL_BIND *binds, const struct mg_dbval *args, size_t nargs)
{
	for (size_t i = 0; i < nargs; i++) {
		MYSQL_BIND *b = &binds[i];
		switch (args[i].type) {
		case MG_DB_NULL:
			b->buffer_type = MYSQL_TYPE_NULL;
			break;
		case MG_DB_INT:
			b->buffer_type = MYSQL_TYPE_LONGLONG;
			b->buffer = (void *)&args[i].i;
			break;
		case MG_DB_TEXT:
		case MG_DB_BLOB:
			b->buffer_type = args[i].type == MG_DB_TEXT ? MYSQL_TYPE_STRING : MYSQL_TYPE_BLOB;
			b->buffer = (void *)args[i].s;
			b->buffer_length = args[i].len;
			break;
		}
	}
}

/* Reads the whole result set into the arena, every cell as text. */
static enum mg_err fetch_rows(struct mg_db *db, MYSQL_STMT *stmt, MYSQL_RES *meta, struct mg_arena *arena,
			      struct mg_rows *rows)
{
	my_bool update_max = 1;
	mysql_stmt_attr_set(stmt, STMT_ATTR_UPDATE_MAX_LENGTH, &update_max);
	if (mysql_stmt_store_result(stmt) != 0)
		return remember_error(db, mysql_stmt_errno(stmt), mysql_stmt_error(stmt));
	size_t ncols = mysql_num_fields(meta);
	MYSQL_FIELD *fields = mysql_fetch_fields(meta);
	MYSQL_BIND *binds = mg_arena_alloc(arena, (ncols + 1) * sizeof(*binds));
	unsigned long *lengths = mg_arena_alloc(arena, (ncols + 1) * sizeof(*lengths));
	my_bool *nulls = mg_arena_alloc(arena, (ncols + 1) * sizeof(*nulls));
	rows->ncols = ncols;
	rows->columns = mg_arena_alloc(arena, (ncols + 1) * sizeof(*rows->columns));
	for (size_t c = 0; c < ncols; c++) {
		rows->columns[c] = mg_arena_strdup(arena, fields[c].name);
		binds[c].buffer_type = MYSQL_TYPE_STRING;
		binds[c].buffer_length = fields[c].max_length + 1;
		binds[c].buffer = mg_arena_alloc(arena, binds[c].buffer_length);
		binds[c].length = &lengths[c];
		binds[c].is_null = &nulls[c];
	}
	if (ncols > 0 && mysql_stmt_bind_result(stmt, binds) != 0)
		return remember_error(db, mysql_stmt_errno(stmt), mysql_stmt_error(stmt));
	size_t nrows = (size_t)mysql_stmt_num_rows(stmt);
	rows->nrows = 0;
	rows->cells = mg_arena_alloc(arena, (nrows * ncols + 1) * sizeof(*rows->cells));
	rows->lens = mg_arena_alloc(arena, (nrows * ncols + 1) * sizeof(*rows->lens));
	int rc;
	while (rows->nrows < nrows && (rc = mysql_stmt_fetch(stmt)) != MYSQL_NO_DATA) {
		if (rc == 1)
			return remember_error(db, mysql_stmt_errno(stmt), mysql_stmt_error(stmt));
		for (size_t c = 0; c < ncols; c++) {
			size_t at = rows->nrows * ncols + c;
			rows->cells[at] = nulls[c] ? NULL : mg_arena_strndup(arena, binds[c].buffer, lengths[c]);
			rows->lens[at] = nulls[c] ? 0 : lengths[c];
		}
		rows->nrows++;
	}
	return MG_OK;
}

static enum mg_err exec_once(struct mg_db *db, long index, struct mg_arena *arena, const struct mg_dbval *args,
			     size_t nargs, struct mg_rows *rows, unsigned long long *affected,
			     unsigned long long *insert_id)
{
	enum mg_err err = mg_db_ensure(db);
	if (err != MG_OK)
		return err;
	MYSQL_STMT *stmt = NULL;
	if ((err = prepared(db, index, &stmt)) != MG_OK)
		return err;
	if (mysql_stmt_param_count(stmt) != nargs) {
		mg_log_error("db: %s takes %lu parameters, %zu given", statement_at((size_t)index)->name,
			     mysql_stmt_param_count(stmt), nargs);
		return MG_ERR_INTERNAL;
	}
	MYSQL_BIND binds[nargs + 1];
	memset(binds, 0, sizeof(binds));
	bind_args(binds, args, nargs);
	if (nargs > 0 && mysql_stmt_bind_param(stmt, binds) != 0)
		return remember_error(db, mysql_stmt_errno(stmt), mysql_stmt_error(stmt));
	if (mysql_stmt_execute(stmt) != 0)
		return remember_error(db, mysql_stmt_errno(stmt), mysql_stmt_error(stmt));
	MYSQL_RES *meta = mysql_stmt_result_metadata(stmt);
	if (meta != NULL) {
		struct mg_rows ignored;
		err = fetch_rows(db, stmt, meta, arena, rows != NULL ? rows : &ignored);
		mysql_free_result(meta);
		if (db->conn != NULL)
			mysql_stmt_free_result(stmt);
		if (err != MG_OK)
			return err;
	} else if (rows != NULL) {
		memset(rows, 0, sizeof(*rows));
	}
	if (affected != NULL)
		*affected = mysql_stmt_affected_rows(stmt);
	if (insert_id != NULL)
		*insert_id = mysql_stmt_insert_id(stmt);
	return MG_OK;
}

enum mg_err(mg_db_exec)(struct mg_db *db, struct mg_arena *arena, const struct mg_sql *stmt,
			const struct mg_dbval *args, size_t nargs, struct mg_rows *rows, unsigned long long *affected,
			unsigned long long *insert_id)
{
	long index = statement_index(stmt);
	if (index < 0 || (size_t)index >= db->nstmts) {
		/* a table registered after this connection opened, or not at all */
		if (index < 0)
			mg_log_error("db: statement %p is in no registered table", (const void *)stmt);
		else
			mg_log_error("db: statement %s is not registered", stmt->name);
		return MG_ERR_INTERNAL;
	}
	int was_connected = db->conn != NULL, in_txn = db->in_transaction;
	enum mg_err err = exec_once(db, index, arena, args, nargs, rows, affected, insert_id);
	/* The connection died between requests (server restart, wait_timeout): outside a
	 * transaction nothing was lost, so reconnect and try once more. */
	if (err == MG_ERR_DB_GONE && was_connected && !in_txn)
		err = exec_once(db, index, arena, args, nargs, rows, affected, insert_id);
	if (err == MG_ERR_DB || err == MG_ERR_DB_GONE)
		mg_log_warn("db: %s failed: %s (%u)", stmt->name, db->last_error, db->last_errno);
	return err;
}

enum mg_err mg_db_prepare_all(struct mg_db *db, mg_db_check_fn failed, void *arg, size_t *nchecked)
{
	*nchecked = 0;
	enum mg_err err = mg_db_ensure(db), worst = MG_OK;
	if (err != MG_OK)
		return err;
	for (size_t index = 0; index < db->nstmts; index++) {
		MYSQL_STMT *stmt = NULL;
		(*nchecked)++;
		if ((err = prepared(db, (long)index, &stmt)) == MG_OK)
			continue;
		if (err == MG_ERR_DB_GONE || err == MG_ERR_NOMEM)
			return err;
		failed(statement_at(index)->name, db->last_error, arg);
		worst = MG_ERR_DB;
	}
	return worst;
}

enum mg_err mg_db_exec_dynamic(struct mg_db *db, struct mg_arena *arena, const char *sql, const struct mg_dbval *args,
			       size_t nargs, struct mg_rows *rows, unsigned long long *affected)
{
	enum mg_err err = mg_db_ensure(db);
	if (err != MG_OK)
		return err;
	MYSQL_STMT *stmt = mysql_stmt_init(db->conn);
	if (stmt == NULL)
		return MG_ERR_NOMEM;
	MYSQL_BIND binds[nargs + 1];
	memset(binds, 0, sizeof(binds));
	bind_args(binds, args, nargs);
	MYSQL_RES *meta = NULL;
	if (mysql_stmt_prepare(stmt, sql, strlen(sql)) != 0 || mysql_stmt_param_count(stmt) != nargs ||
	    (nargs > 0 && mysql_stmt_bind_param(stmt, binds) != 0) || mysql_stmt_execute(stmt) != 0) {
		err = mysql_stmt_errno(stmt) != 0 ? remember_error(db, mysql_stmt_errno(stmt), mysql_stmt_error(stmt))
						  : MG_ERR_INTERNAL;
		mg_log_warn("db: %s failed: %s", sql, db->last_error);
		goto out;
	}
	if ((meta = mysql_stmt_result_metadata(stmt)) != NULL) {
		struct mg_rows ignored;
		err = fetch_rows(db, stmt, meta, arena, rows != NULL ? rows : &ignored);
		mysql_free_result(meta);
		if (err != MG_OK)
			goto out;
	} else if (rows != NULL) {
		memset(rows, 0, sizeof(*rows));
	}
	if (affected != NULL)
		*affected = mysql_stmt_affected_rows(stmt);
out:
	/* safe after a lost connection too: Connector/C detached the statement when it closed */
	mysql_stmt_close(stmt);
	return err;
}

static void pause_before_retry(int attempt)
{
	/* randomised so two transactions that deadlocked do not collide again in step */
	long ms = 2L * (1L << attempt) + rand() % 10;
	struct timespec ts = { .tv_sec = 0, .tv_nsec = ms * 1000000L };
	nanosleep(&ts, NULL);
}

enum mg_err mg_db_transaction(struct mg_db *db, mg_db_txn_fn fn, void *arg)
{
	enum mg_err err = MG_OK;
	for (int attempt = 0; attempt <= MG_DB_RETRIES; attempt++) {
		if ((err = mg_db_simple(db, "START TRANSACTION")) != MG_OK)
			return err;
		db->in_transaction = 1;
		err = fn(db, arg);
		if (err == MG_OK) {
			err = mg_db_simple(db, "COMMIT");
			if (err == MG_OK) {
				db->in_transaction = 0;
				return MG_OK;
			}
		}
		if (db->conn != NULL)
			mg_db_simple(db, "ROLLBACK");
		db->in_transaction = 0;
		if (err != MG_ERR_DB_BUSY)
			return err;
		mg_log_info("db: transaction retried after %s (attempt %d)", db->last_error, attempt + 1);
		if (attempt < MG_DB_RETRIES)
			pause_before_retry(attempt);
	}
	return MG_ERR_DB_BUSY;
}

enum mg_err mg_db_query_names(struct mg_db *db, struct mg_arena *arena, const char *sql, struct mg_rows *rows)
{
	memset(rows, 0, sizeof(*rows));
	enum mg_err err = mg_db_ensure(db);
	if (err != MG_OK)
		return err;
	if (mysql_query(db->conn, sql) != 0)
		return remember_error(db, mysql_errno(db->conn), mysql_error(db->conn));
	MYSQL_RES *res = mysql_store_result(db->conn);
	if (res == NULL)
		return mysql_field_count(db->conn) == 0 ? MG_OK : remember_error(db, mysql_errno(db->conn), mysql_error(db->conn));
	size_t ncols = mysql_num_fields(res), nrows = (size_t)mysql_num_rows(res);
	MYSQL_FIELD *fields = mysql_fetch_fields(res);
	rows->ncols = ncols;
	rows->columns = mg_arena_alloc(arena, (ncols + 1) * sizeof(*rows->columns));
	for (size_t c = 0; c < ncols; c++)
		rows->columns[c] = mg_arena_strdup(arena, fields[c].name);
	rows->cells = mg_arena_alloc(arena, (nrows * ncols + 1) * sizeof(*rows->cells));
	rows->lens = mg_arena_alloc(arena, (nrows * ncols + 1) * sizeof(*rows->lens));
	MYSQL_ROW row;
	while ((row = mysql_fetch_row(res)) != NULL) {
		unsigned long *lengths = mysql_fetch_lengths(res);
		for (size_t c = 0; c < ncols; c++) {
			size_t at = rows->nrows * ncols + c;
			rows->cells[at] = row[c] ? mg_arena_strndup(arena, row[c], lengths[c]) : NULL;
			rows->lens[at] = row[c] ? lengths[c] : 0;
		}
		rows->nrows++;
	}
	mysql_free_result(res);
	return MG_OK;
}

uint64_t mg_cell_u64(const char *cell)
{
	return cell != NULL ? strtoull(cell, NULL, 10) : 0;
}
