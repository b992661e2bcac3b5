/*
 * A scratch MariaDB server on a copy of the data (a prepared backup, a restored one): its own
 * datadir, its own unix socket, no TCP, no grant tables (nobody but this process reaches the
 * socket, and a production copy's accounts need not be known). Used by the backup to read
 * the counts and checksums of exactly what it copied, and by the restore drill to prove a
 * backup starts, passes CHECK TABLE and holds what its manifest says.
 *
 * Child processes (mariadbd, mariadb-backup) are told to die with the process that started
 * them (PR_SET_PDEATHSIG): a scheduler killed with SIGKILL leaves no server behind.
 */
#ifndef MG_SCRATCH_DB_H
#define MG_SCRATCH_DB_H

#include <stdbool.h>
#include <sys/types.h>

#include <jansson.h>

#include "db.h"
#include "err.h"

/* The statements run on a scratch server (registered by the binary like the others). */
/* The statements of mg_scratch_db_statements (scratch_db.c); a call names one as &mg_scratch_db_statements[<constant>].
 */
enum mg_scratch_db_sql {
	MG_SQL_SCRATCH_DB_BACKUP_TABLES,
	MG_SQL_SCRATCH_DB_BACKUP_TENANT_TABLES,
	MG_SQL_SCRATCH_DB__MAX
};
extern const struct mg_sql mg_scratch_db_statements[MG_SQL_SCRATCH_DB__MAX + 1];

struct mg_scratch {
	pid_t pid;
	char datadir[512];
	char socket[512];
	char log[512];
	struct mg_db *db;
};

/* Runs argv (argv[0] looked up in PATH, with /usr/sbin added) with stdin from /dev/null and
 * stdout and stderr appended to log; MG_OK when it exits 0, else MG_ERR_IO and why says how it
 * ended and where the log is. */
enum mg_err mg_run_program(char *const argv[], const char *log, char *why, size_t whylen);

/* Starts mariadbd on datadir with its socket, pid file and log in rundir (which exists) and
 * connects to database dbname; waits up to two minutes for it. */
enum mg_err mg_scratch_start(struct mg_scratch *s, const char *datadir, const char *rundir, const char *dbname,
			     char *why, size_t whylen);
/* Stops the server (SIGTERM, then SIGKILL after a minute) and closes the connection. Safe on a
 * server that never started. */
void mg_scratch_stop(struct mg_scratch *s);

/* Reads every base table's row count and CHECKSUM TABLE, and for each table with a tenant_id
 * column its rows per tenant: {"tables": {...}, "tenants": {...}} as in the manifest. */
enum mg_err mg_scratch_measure(struct mg_scratch *s, const char *dbname, json_t **out, char *why, size_t whylen);
/* CHECK TABLE on every base table of dbname; MG_ERR_INPUT naming the tables that fail. */
enum mg_err mg_scratch_check_tables(struct mg_scratch *s, const char *dbname, char *why, size_t whylen);

#endif
