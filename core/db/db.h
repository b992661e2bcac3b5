/*
 * The database layer: one MariaDB connection per worker, statements prepared once per
 * connection and referred to by name, transactions with a bounded retry on deadlock and
 * lock-wait timeout, and reconnection after the server went away.
 *
 * SQL lives only in statement tables (struct mg_sql) with '?' placeholders; values are
 * always bound, never pasted into SQL text.
 */
#ifndef MG_DB_H
#define MG_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"

struct mg_db;

/* A named statement; tables end with a { NULL, NULL } entry. Names are "<owner>.<what>". */
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

/* Registers statement tables (core's and each module's) for every connection opened after.
 * Duplicate names are a MG_ERR_CONFIG. */
enum mg_err mg_db_register(const struct mg_sql *table, char *errbuf, size_t errlen);

/* Opens a connection. On MG_ERR_DB_GONE *out is still a usable handle that reconnects on
 * its next use, so a worker can start before the database. Free with mg_db_close(). */
enum mg_err mg_db_open(const struct mg_db_params *params, struct mg_db **out);
void mg_db_close(struct mg_db *db);
/* Reconnects if the connection was lost; MG_ERR_DB_GONE if the server is still away. */
enum mg_err mg_db_ensure(struct mg_db *db);
bool mg_db_connected(const struct mg_db *db);

/*
 * Executes the named statement with args. When rows is not NULL the result set is stored
 * there (cells in arena). When affected is not NULL it receives the affected-row count;
 * insert_id (may be NULL) receives LAST_INSERT_ID().
 */
enum mg_err mg_db_exec(struct mg_db *db, struct mg_arena *arena, const char *name, const struct mg_dbval *args,
		       size_t nargs, struct mg_rows *rows, unsigned long long *affected,
		       unsigned long long *insert_id);

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
 * name a table ("CHECKSUM TABLE `madoguchi`.`tenant`", core/scratch_db.c): the SQL holds
 * identifiers checked by the caller (mg_grants_valid_identifier), never values. */
enum mg_err mg_db_query_names(struct mg_db *db, struct mg_arena *arena, const char *sql, struct mg_rows *rows);

/* The server's last error number and message, for logs (never shown to users). */
unsigned mg_db_errno(const struct mg_db *db);
const char *mg_db_error(const struct mg_db *db);

/* The raw connection, for migrate only (multi-statement files). */
void *mg_db_handle(struct mg_db *db);

#endif
