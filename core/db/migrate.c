#include <mysql.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "migrate.h"

const struct mg_sql mg_migrate_statements[] = {
	[MG_SQL_MIGRATE_SCHEMA_VERSION_ALL] = { "core.schema_version_all",
	  "SELECT owner, version, checksum FROM schema_version" },
	[MG_SQL_MIGRATE_SCHEMA_VERSION_INSERT] = { "core.schema_version_insert",
	  "INSERT INTO schema_version (owner, version, name, checksum, applied_at) "
	  "VALUES (?, ?, ?, ?, UTC_TIMESTAMP(6))" },
	[MG_SQL_MIGRATE__MAX] = { NULL, NULL },
};

static const char create_schema_version[] =
	"CREATE TABLE IF NOT EXISTS schema_version ("
	" owner VARCHAR(32) NOT NULL,"
	" version INT NOT NULL,"
	" name VARCHAR(96) NOT NULL,"
	" checksum CHAR(64) NOT NULL,"
	" applied_at DATETIME(6) NOT NULL,"
	" PRIMARY KEY (owner, version)"
	") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	char *data = NULL;
	if (fseek(f, 0, SEEK_END) != 0)
		goto out;
	long size = ftell(f);
	if (size < 0 || fseek(f, 0, SEEK_SET) != 0)
		goto out;
	data = malloc((size_t)size + 1);
	if (data == NULL)
		goto out;
	if (fread(data, 1, (size_t)size, f) != (size_t)size) {
		free(data);
		data = NULL;
		goto out;
	}
	data[size] = '\0';
	*len = (size_t)size;
out:
	fclose(f);
	return data;
}

static void sha256_hex(const char *data, size_t len, char out[65])
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	EVP_Digest(data, len, digest, &dlen, EVP_sha256(), NULL);
	for (unsigned i = 0; i < dlen && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", digest[i]);
	out[64] = '\0';
}

/* Runs a file of several statements and consumes every result. */
static enum mg_err run_script(MYSQL *conn, const char *sql, size_t len, char *errbuf, size_t errlen)
{
	int status = mysql_real_query(conn, sql, len);
	while (status == 0) {
		MYSQL_RES *res = mysql_store_result(conn);
		if (res != NULL)
			mysql_free_result(res);
		status = mysql_next_result(conn); /* 0: more, -1: done, >0: error */
	}
	if (status > 0) {
		snprintf(errbuf, errlen, "%s (%u)", mysql_error(conn), mysql_errno(conn));
		return MG_ERR_DB;
	}
	return MG_OK;
}

static const char *recorded_checksum(const struct mg_rows *rows, const struct mg_migration *m)
{
	for (size_t r = 0; r < rows->nrows; r++)
		if (strcmp(MG_CELL(rows, r, 0), m->owner) == 0 && atoi(MG_CELL(rows, r, 1)) == m->version)
			return MG_CELL(rows, r, 2);
	return NULL;
}

static enum mg_err apply_one(struct mg_db *db, struct mg_arena *arena, const struct mg_migration *m,
			     const char *sql, size_t len, const char *checksum, char *errbuf, size_t errlen)
{
	char why[600];
	struct timespec start, end;
	clock_gettime(CLOCK_MONOTONIC, &start);
	printf("migrate: %s/%s ...", m->owner, m->name);
	fflush(stdout);
	enum mg_err err = run_script(mg_db_handle(db), sql, len, why, sizeof(why));
	if (err != MG_OK) {
		printf(" failed\n");
		snprintf(errbuf, errlen, "%s: %s", m->path, why);
		return err;
	}
	struct mg_dbval args[] = { MG_TEXT(m->owner), MG_INT(m->version), MG_TEXT(m->name), MG_TEXT(checksum) };
	err = mg_db_exec(db, arena, &mg_migrate_statements[MG_SQL_MIGRATE_SCHEMA_VERSION_INSERT], args, 4, NULL, NULL,
	                 NULL);
	if (err != MG_OK) {
		printf(" failed\n");
		snprintf(errbuf, errlen, "%s ran but could not be recorded: %s", m->path, mg_db_error(db));
		return err;
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	long ms = (end.tv_sec - start.tv_sec) * 1000 + (end.tv_nsec - start.tv_nsec) / 1000000;
	printf(" ok (%ld ms)\n", ms);
	return MG_OK;
}

enum mg_err mg_migrate_apply(struct mg_db *db, const struct mg_migration_list *list, size_t *applied,
			     char *errbuf, size_t errlen)
{
	enum mg_err err;
	struct mg_arena *arena = mg_arena_new();
	char *sql = NULL;
	struct mg_rows rows;
	*applied = 0;
	if ((err = mg_db_simple(db, create_schema_version)) != MG_OK) {
		snprintf(errbuf, errlen, "cannot create schema_version: %s", mg_db_error(db));
		goto out;
	}
	if ((err = mg_db_exec(db, arena, &mg_migrate_statements[MG_SQL_MIGRATE_SCHEMA_VERSION_ALL], NULL, 0, &rows,
	                      NULL, NULL)) != MG_OK) {
		snprintf(errbuf, errlen, "cannot read schema_version: %s", mg_db_error(db));
		goto out;
	}
	for (size_t i = 0; i < list->n; i++) {
		const struct mg_migration *m = &list->items[i];
		size_t len;
		char checksum[65];
		if ((sql = read_file(m->path, &len)) == NULL) {
			snprintf(errbuf, errlen, "cannot read %s", m->path);
			err = MG_ERR_IO;
			goto out;
		}
		sha256_hex(sql, len, checksum);
		const char *recorded = recorded_checksum(&rows, m);
		if (recorded != NULL) {
			if (strcmp(recorded, checksum) != 0)
				mg_log_warn("migrate: %s changed after it was applied; write a new migration instead",
					    m->path);
		} else {
			if ((err = apply_one(db, arena, m, sql, len, checksum, errbuf, errlen)) != MG_OK)
				goto out;
			(*applied)++;
		}
		free(sql);
		sql = NULL;
	}
out:
	free(sql);
	mg_arena_free(arena);
	return err;
}

enum mg_err mg_migrate_current(struct mg_db *db, struct mg_arena *arena, const struct mg_migration_list *list,
			       bool *current)
{
	struct mg_rows rows;
	*current = false;
	enum mg_err err = mg_db_exec(db, arena, &mg_migrate_statements[MG_SQL_MIGRATE_SCHEMA_VERSION_ALL], NULL, 0,
	                             &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	for (size_t i = 0; i < list->n; i++)
		if (recorded_checksum(&rows, &list->items[i]) == NULL)
			return MG_OK;
	*current = true;
	return MG_OK;
}
