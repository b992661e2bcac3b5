/*
 * Migrations: schema/<owner>/NNNN_name.sql, applied in order by `madoguchi migrate` and
 * recorded in schema_version (owner, version). MariaDB commits DDL implicitly, so a step is
 * recorded only after it ran completely, and steps are written to be safe to run again
 * (CREATE TABLE IF NOT EXISTS, ...).
 */
#ifndef MG_MIGRATE_H
#define MG_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>

#include "db.h"
#include "err.h"

struct mg_migration {
	char owner[32];
	int version;
	char name[96];   /* "0001_platform.sql" */
	char path[768];
};

struct mg_migration_list {
	struct mg_migration *items; /* sorted by owner order, then version; free with free() */
	size_t n;
};

/* Parses "0001_name.sql" into its version; -1 if the name does not follow the pattern. */
int mg_migration_version(const char *filename);

/* Lists schema_dir/<owner>/ for each owner in order ("core" first, then the modules).
 * A missing folder is no migration; two files with one number are an error. */
enum mg_err mg_migrations_list(const char *schema_dir, const char *const *owners, size_t nowners,
			       struct mg_migration_list *out, char *errbuf, size_t errlen);

/* Applies the pending migrations over db (the schema owner's connection); prints progress
 * to stdout. *applied receives how many ran. */
enum mg_err mg_migrate_apply(struct mg_db *db, const struct mg_migration_list *list, size_t *applied,
			     char *errbuf, size_t errlen);

/* True when every listed migration is recorded (healthz). */
enum mg_err mg_migrate_current(struct mg_db *db, struct mg_arena *arena, const struct mg_migration_list *list,
			       bool *current);

/* The core's statements about schema_version. */
/* The statements of mg_migrate_statements (migrate.c); a call names one as &mg_migrate_statements[<constant>]. */
enum mg_migrate_sql {
	MG_SQL_MIGRATE_SCHEMA_VERSION_ALL,
	MG_SQL_MIGRATE_SCHEMA_VERSION_INSERT,
	MG_SQL_MIGRATE__MAX
};
extern const struct mg_sql mg_migrate_statements[MG_SQL_MIGRATE__MAX + 1];

#endif
