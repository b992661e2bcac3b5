/*
 * The database layer: one MariaDB connection per worker, statements prepared once per
 * connection, transactions with a bounded retry on deadlock and lock-wait timeout, and
 * reconnection after the server went away.
 *
 * SQL lives only in statement tables (struct mg_sql) with '?' placeholders; values are
 * always bound, never pasted into SQL text. A caller names a statement by a handle, a pointer
 * to its table entry (&mg_order_statements[MG_SQL_ORDER_INSERT]), never by a string: the
 * compiler refuses a statement that does not exist, and the lookup compares no strings.
 * `madoguchi check-statements` prepares every registered statement against the migrated
 * schema (tests/http/test_statements.py), so broken SQL fails the tests, not a request.
 */
#ifndef MG_DB_H
#define MG_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"

struct mg_db;

/*
 * A statement. A table is an array indexed by its own enum, kcgi-framework style, filled with
 * designated initializers and ended by a { NULL, NULL } entry at the enum's __MAX:
 *
 *     enum mg_order_sql { MG_SQL_ORDER_INSERT, ..., MG_SQL_ORDER__MAX };          (order.h)
 *     extern const struct mg_sql mg_order_statements[MG_SQL_ORDER__MAX + 1];
 *     const struct mg_sql mg_order_statements[] = {                               (order.c)
 *             [MG_SQL_ORDER_INSERT] = { "core.order_insert", "INSERT INTO orders ..." },
 *             ...
 *             [MG_SQL_ORDER__MAX] = { NULL, NULL },
 *     };
 *
 * The name, "<owner>.<what>", is for logs and the check's report only; it is unique among
 * all registered tables. A module has one table, its descriptor's `statements`. Add a
 * constant and its entry together: a constant without one leaves a { NULL, NULL } hole that
 * ends the table early for mg_db_register (and the statements after it are "not registered").
 * A table that is only walked in order, never named entry by entry (core/ops/purge.c's
 * DELETE_BATCH list), needs no enum.
 */
struct mg_sql {
	const char *name;
	const char *sql;
};

enum mg_dbtype { MG_DB_NULL, MG_DB_INT, MG_DB_TEXT, MG_DB_BLOB };

/* A bound parameter; build with the MG_INT/MG_TEXT/MG_BLOB/MG_NULL macros. */
struct mg_dbval {
	enum mg_dbtype type;
	long long i;
	const void *s;
	size_t len;
};

#define MG_NULL ((struct mg_dbval){ .type = MG_DB_NULL })
#define MG_INT(v) ((struct mg_dbval){ .type = MG_DB_INT, .i = (long long)(v) })
#define MG_TEXT(v) mg_dbval_text(v)
#define MG_BLOB(p, n) ((struct mg_dbval){ .type = MG_DB_BLOB, .s = (p), .len = (n) })
struct mg_dbval mg_dbval_text(const char *s); /* NULL becomes SQL NULL */

/* Result rows, every cell as text (NULL for SQL NULL), owned by the arena given to the query. */
struct mg_rows {
	size_t nrows, ncols;
	const char **cells;   /* cells[row * ncols + col] */
	unsigned long *lens;  /* byte length of each cell */
	const char **columns; /* column names */
};

#define MG_CELL(rows, r, c) ((rows)->cells[(r) * (rows)->ncols + (c)])
/* A whole-number cell as the database wrote it (an id, a count, a UNIX time); 0 for SQL NULL.
 * Ids from requests are parsed by mg_parse_id (input.h) instead: those are not trusted. */
uint64_t mg_cell_u64(const char *cell);

struct mg_db_params {
	const char *socket; /* unix socket, or NULL/"" to use host and port */
	const char *host;
	unsigned port;
	const char *user;
	const char *password;
	const char *database;
};

/* Registers a statement table (core's and each module's) for every connection opened after;
 * the table is read up to its { NULL, NULL } entry. Call before opening connections (serve
 * registers before it forks). A name used twice, or an entry with a name but no SQL, is a
 * MG_ERR_CONFIG. */
enum mg_err mg_db_register(const struct mg_sql *table, char *errbuf, size_t errlen);

/* Opens a connection. On MG_ERR_DB_GONE *out is still a usable handle that reconnects on
 * its next use, so a worker can start before the database. Free with mg_db_close(). */
enum mg_err mg_db_open(const struct mg_db_params *params, struct mg_db **out);
void mg_db_close(struct mg_db *db);
/* Reconnects if the connection was lost; MG_ERR_DB_GONE if the server is still away. */
enum mg_err mg_db_ensure(struct mg_db *db);
bool mg_db_connected(const struct mg_db *db);

/*
 * Executes the statement stmt (a handle: a pointer into a registered table) with args. It is
 * prepared on the connection's first use and kept until the connection is lost. When rows
 * is not NULL the result set is stored there (cells in arena). When affected is not NULL it
 * receives the affected-row count; insert_id (may be NULL) receives LAST_INSERT_ID(). A
 * handle outside every registered table, or a wrong number of args, is MG_ERR_INTERNAL (and
 * logged with the statement's name). Outside a transaction a connection found lost is
 * reopened and the statement run once more.
 */
enum mg_err(mg_db_exec)(struct mg_db *db, struct mg_arena *arena, const struct mg_sql *stmt,
			const struct mg_dbval *args, size_t nargs, struct mg_rows *rows, unsigned long long *affected,
			unsigned long long *insert_id);
/* A statement given by name (a string) does not compile: only a handle is accepted. */
#define mg_db_exec(db, arena, stmt, ...)                                                                           \
	(mg_db_exec)(db, arena, _Generic((stmt), const struct mg_sql *: (stmt), struct mg_sql *: (stmt)), __VA_ARGS__)

/*
 * Prepares every registered statement on db, as a check: each one the server refuses is
 * reported through failed(name, the server's message, arg). *nchecked receives the number of
 * statements tried. MG_OK when all prepared, MG_ERR_DB when any did not, MG_ERR_DB_GONE when
 * the connection is lost.
 */
typedef void (*mg_db_check_fn)(const char *name, const char *message, void *arg);
enum mg_err mg_db_prepare_all(struct mg_db *db, mg_db_check_fn failed, void *arg, size_t *nchecked);

/*
 * Executes SQL that is not in a statement table, because a name in it is known only at run
 * time: the purge's check and the tenant export walk every table that has a tenant_id column
 * (information_schema). Values are still bound as args; the caller pastes in only names it
 * checked against ^[a-z0-9_]{1,64}$ (mg_grants_valid_identifier) and backquoted. Prepared,
 * run and closed each time; results as mg_db_exec. No retry after a lost connection.
 */
enum mg_err mg_db_exec_dynamic(struct mg_db *db, struct mg_arena *arena, const char *sql, const struct mg_dbval *args,
			       size_t nargs, struct mg_rows *rows, unsigned long long *affected);

/* Runs a plain statement without parameters (SET, START TRANSACTION...). */
enum mg_err mg_db_simple(struct mg_db *db, const char *sql);

/*
 * Runs fn inside a transaction. A deadlock or lock-wait timeout (ER_LOCK_DEADLOCK,
 * ER_LOCK_WAIT_TIMEOUT) rolls back and calls fn again, up to MG_DB_RETRIES times with a short
 * randomised pause; then MG_ERR_DB_BUSY. fn's own error rolls back and is returned.
 * fn must therefore have no effect outside the database.
 */
enum { MG_DB_RETRIES = 5 };
typedef enum mg_err (*mg_db_txn_fn)(struct mg_db *db, void *arg);
enum mg_err mg_db_transaction(struct mg_db *db, mg_db_txn_fn fn, void *arg);

/* Runs a statement without parameters that returns rows, for the few statements that must
 * name a table ("CHECKSUM TABLE `madoguchi`.`tenant`", core/db/scratch_db.c): the SQL holds
 * identifiers checked by the caller (mg_grants_valid_identifier), never values. */
enum mg_err mg_db_query_names(struct mg_db *db, struct mg_arena *arena, const char *sql, struct mg_rows *rows);

/* The server's last error number and message, for logs (never shown to users). */
unsigned mg_db_errno(const struct mg_db *db);
const char *mg_db_error(const struct mg_db *db);

/* The raw connection, for migrate only (multi-statement files). */
void *mg_db_handle(struct mg_db *db);

#endif
